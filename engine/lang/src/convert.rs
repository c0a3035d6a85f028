//! Conversion of values to type constraints, with Terraform's (cty's) rules and messages.
//!
//! The rules follow cty's `convert` package in its "unsafe" mode, which is the one Terraform uses
//! for variables, arguments and `to*` functions:
//! - primitives convert number/bool → string always, string → number when the string spells a
//!   number and string → bool for `"true"`/`"false"` (and `"1"`/`"0"`);
//! - tuples convert to lists and sets (with `any` elements, the element types are unified first),
//!   objects to maps and maps to objects, lists and sets into each other;
//! - object constraints drop extra attributes, fill missing optional attributes with their default
//!   (or a typed null) and require the others; defaults apply at every depth (Terraform's
//!   `optional(T, default)`);
//! - null and unknown values keep their nature and take the target type;
//! - sensitive marks stay where they are: a marked value is unmarked, converted and re-marked.
//!
//! A conversion that cannot work whatever the values (a bool where a number is wanted, a missing
//! required attribute) is reported with cty's `MismatchMessage` wording; one that depends on the
//! value (the string `"abc"` where a number is wanted) with cty's value-level messages. Either way
//! the error carries the path to the offending part.

use crate::typeexpr::{Attr, Constraint};
use std::collections::BTreeMap;
use std::fmt;
use terrane_types::{Number, Type, Value};

/// One step of the path to the part of a value that failed to convert.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PathStep {
    /// An object attribute: `attribute "name"`.
    Attr(String),
    /// An element of a list, set or tuple: `element 0`.
    Index(usize),
    /// An element of a map (or an object converted to a map): `element "key"`.
    Key(String),
}

impl fmt::Display for PathStep {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PathStep::Attr(name) => write!(f, "attribute {name:?}"),
            PathStep::Index(i) => write!(f, "element {i}"),
            PathStep::Key(key) => write!(f, "element {key:?}"),
        }
    }
}

/// Why a value does not conform to a type constraint, and where.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConvertError {
    pub path: Vec<PathStep>,
    pub message: String,
}

impl ConvertError {
    fn at(path: &[PathStep], message: impl Into<String>) -> ConvertError {
        ConvertError {
            path: path.to_vec(),
            message: message.into(),
        }
    }

    /// The same error with `prefix` in front of its path.
    fn under(mut self, prefix: &[PathStep]) -> ConvertError {
        let mut path = prefix.to_vec();
        path.append(&mut self.path);
        self.path = path;
        self
    }
}

/// `attribute "a": element 0: a number is required`, as Terraform words it.
impl fmt::Display for ConvertError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for step in &self.path {
            write!(f, "{step}: ")?;
        }
        f.write_str(&self.message)
    }
}

impl std::error::Error for ConvertError {}

/// Converts `value` to the constraint `to`, applying optional-attribute defaults on the way.
pub fn convert(value: Value, to: &Constraint) -> Result<Value, ConvertError> {
    // Like cty, first decide from the types alone whether a conversion can exist at all, so that
    // kind mismatches are reported the way cty reports them, before value-level problems.
    let ty = value.ty();
    if !can_convert(&ty, to) {
        return Err(mismatch(&ty, to));
    }
    conv(value, to, &mut Vec::new())
}

/// Converts `value` to the type `to` (`Dynamic` meaning `any`).
pub fn convert_to_type(value: Value, to: &Type) -> Result<Value, ConvertError> {
    convert(value, &Constraint::from(to))
}

/// cty's `UnifyUnsafe`: the most specific type that all of `types` can convert to, if any.
/// `string` and `number` unify to `string`; objects with the same attribute names unify
/// attribute-wise, differently-shaped objects to a map when all their attributes unify; tuples of
/// different lengths to a list. `Dynamic` types are disregarded unless all are `Dynamic`; an
/// empty slice gives `Dynamic`.
pub fn unify(types: &[Type]) -> Option<Type> {
    if types.is_empty() {
        return Some(Type::Dynamic);
    }
    unify_types(types)
}

/// Whether a value of type `from` may convert to `to` (cty's `GetConversionUnsafe` is not nil):
/// the conversion can still fail on the value itself, e.g. the string `"abc"` to a number.
pub fn can_convert(from: &Type, to: &Constraint) -> bool {
    match (from, to) {
        (_, Constraint::Any) | (Type::Dynamic, _) => true,
        (Type::String, Constraint::String | Constraint::Number | Constraint::Bool) => true,
        (Type::Number, Constraint::Number | Constraint::String) => true,
        (Type::Bool, Constraint::Bool | Constraint::String) => true,
        (Type::Object(got), Constraint::Object(want)) => {
            want.iter().all(|(name, attr)| match got.get(name) {
                Some(t) => can_convert(t, &attr.ty),
                None => attr.optional,
            })
        }
        (Type::Tuple(got), Constraint::Tuple(want)) => {
            got.len() == want.len() && got.iter().zip(want).all(|(g, w)| can_convert(g, w))
        }
        (Type::List(e) | Type::Set(e), Constraint::List(w) | Constraint::Set(w)) => {
            can_convert(e, w)
        }
        (Type::Map(e), Constraint::Map(w)) => can_convert(e, w),
        (Type::Tuple(elems), Constraint::List(w) | Constraint::Set(w)) => {
            structural_to_collection(elems.iter(), w)
        }
        (Type::Object(attrs), Constraint::Map(w)) => structural_to_collection(attrs.values(), w),
        (Type::Map(e), Constraint::Object(want)) => want
            .values()
            .all(|attr| attr.optional || can_convert(e, &attr.ty)),
        _ => false,
    }
}

/// Element types of a tuple or object converting to a collection with element constraint `w`.
fn structural_to_collection<'a>(elems: impl Iterator<Item = &'a Type>, w: &Constraint) -> bool {
    let elems: Vec<Type> = elems.cloned().collect();
    if elems.is_empty() {
        return true;
    }
    if let Constraint::Any = w {
        return match unify_types(&elems) {
            None => false,
            Some(Type::Dynamic) => elems.iter().all(|t| *t == Type::Dynamic),
            Some(_) => true,
        };
    }
    elems.iter().all(|e| can_convert(e, w))
}

/// cty's `FriendlyName`: "string", "list of number", "object", "dynamic".
pub fn friendly_name(t: &Type) -> String {
    match t {
        Type::Dynamic => "dynamic".into(),
        Type::List(e) => format!("list of {}", friendly_name(e)),
        Type::Set(e) => format!("set of {}", friendly_name(e)),
        Type::Map(e) => format!("map of {}", friendly_name(e)),
        other => other.friendly_name(),
    }
}

/// cty's `FriendlyNameForConstraint`: like [`friendly_name`], with `any` spelled "any type" and
/// collections of `any` "list of any single type".
pub fn friendly_name_for_constraint(t: &Type) -> String {
    fn elem(e: &Type) -> String {
        match e {
            Type::Dynamic => "any single type".into(),
            other => friendly_name_for_constraint(other),
        }
    }
    match t {
        Type::Dynamic => "any type".into(),
        Type::List(e) => format!("list of {}", elem(e)),
        Type::Set(e) => format!("set of {}", elem(e)),
        Type::Map(e) => format!("map of {}", elem(e)),
        other => other.friendly_name(),
    }
}

// ---------------------------------------------------------------------------------------------
// Messages for impossible conversions (cty's MismatchMessage)
// ---------------------------------------------------------------------------------------------

/// Why a value of type `got` cannot convert to `want`, in cty's words. Meant to be called only
/// after [`can_convert`] said no.
pub fn mismatch(got: &Type, want: &Constraint) -> ConvertError {
    let want_ty = want.to_type();
    match (got, want) {
        (Type::Object(got_attrs), Constraint::Object(want_attrs)) => {
            mismatch_objects(got_attrs, want_attrs)
        }
        (Type::Tuple(_), Constraint::List(e)) if matches!(**e, Constraint::Any) => {
            ConvertError::at(&[], "all list elements must have the same type")
        }
        (Type::Tuple(_), Constraint::Set(e)) if matches!(**e, Constraint::Any) => {
            ConvertError::at(&[], "all set elements must have the same type")
        }
        (Type::Object(_), Constraint::Map(e)) if matches!(**e, Constraint::Any) => {
            ConvertError::at(&[], "all map elements must have the same type")
        }
        (
            Type::Tuple(_) | Type::Object(_),
            Constraint::List(e) | Constraint::Set(e) | Constraint::Map(e),
        ) => mismatch_structural_to_collection(got, want, e),
        (
            Type::List(g) | Type::Set(g) | Type::Map(g),
            Constraint::List(e) | Constraint::Set(e) | Constraint::Map(e),
        ) => {
            let same_kind = match want {
                Constraint::List(_) | Constraint::Set(_) => {
                    matches!(got, Type::List(_) | Type::Set(_))
                }
                _ => matches!(got, Type::Map(_)),
            };
            if !same_kind {
                return ConvertError::at(
                    &[],
                    format!("{} required", friendly_name_for_constraint(&want_ty)),
                );
            }
            let noun = match want {
                Constraint::List(_) => "list element type",
                Constraint::Set(_) => "set element type",
                _ => "map element type",
            };
            ConvertError::at(&[], format!("incorrect {noun}: {}", mismatch(g, e)))
        }
        _ if !likely_to_confuse(got, &want_ty) => ConvertError::at(
            &[],
            format!(
                "{} required, but have {}",
                friendly_name(&want_ty),
                friendly_name(got)
            ),
        ),
        _ => ConvertError::at(
            &[],
            format!("{} required", friendly_name_for_constraint(&want_ty)),
        ),
    }
}

fn mismatch_objects(got: &BTreeMap<String, Type>, want: &BTreeMap<String, Attr>) -> ConvertError {
    let missing: Vec<&String> = want
        .iter()
        .filter(|(name, attr)| !attr.optional && !got.contains_key(*name))
        .map(|(name, _)| name)
        .collect();
    if !missing.is_empty() {
        return ConvertError::at(&[], missing_attributes_message(&missing));
    }
    for (name, attr) in want {
        if let Some(t) = got.get(name)
            && !can_convert(t, &attr.ty)
        {
            return mismatch(t, &attr.ty).under(&[PathStep::Attr(name.clone())]);
        }
    }
    ConvertError::at(&[], "incorrect object attributes")
}

/// `attribute "a" is required`, `attributes "a" and "b" are required`,
/// `attributes "a", "b", and "c" are required`.
fn missing_attributes_message(names: &[&String]) -> String {
    match names {
        [one] => format!("attribute {one:?} is required"),
        [a, b] => format!("attributes {a:?} and {b:?} are required"),
        [init @ .., last] => {
            let mut list = String::new();
            for name in init {
                list.push_str(&format!("{name:?}, "));
            }
            format!("attributes {list}and {last:?} are required")
        }
        [] => "incorrect object attributes".into(),
    }
}

fn mismatch_structural_to_collection(
    got: &Type,
    want: &Constraint,
    elem: &Constraint,
) -> ConvertError {
    let want_ty = want.to_type();
    let kind_ok = match want {
        Constraint::Map(_) => matches!(got, Type::Object(_)),
        _ => matches!(got, Type::Tuple(_)),
    };
    if !kind_ok {
        return ConvertError::at(
            &[],
            format!("{} required", friendly_name_for_constraint(&want_ty)),
        );
    }
    match got {
        Type::Tuple(elems) => {
            for (i, e) in elems.iter().enumerate() {
                if !can_convert(e, elem) {
                    return mismatch(e, elem).under(&[PathStep::Index(i)]);
                }
            }
        }
        Type::Object(attrs) => {
            for (name, t) in attrs {
                if !can_convert(t, elem) {
                    return mismatch(t, elem).under(&[PathStep::Key(name.clone())]);
                }
            }
        }
        _ => {}
    }
    ConvertError::at(
        &[],
        format!(
            "all elements must be {}",
            friendly_name_for_constraint(&elem.to_type())
        ),
    )
}

/// cty's `typesAreLikelyToCauseConfusion`: when naming both types would mislead, the message
/// names only the wanted one.
fn likely_to_confuse(got: &Type, want: &Type) -> bool {
    if got.is_primitive() != want.is_primitive() {
        return false;
    }
    if *want == Type::String {
        return false;
    }
    if matches!(
        (got, want),
        (Type::Bool, Type::Number) | (Type::Number, Type::Bool)
    ) {
        return false;
    }
    if let (Some(g), Some(w)) = (got.element(), want.element())
        && !g.has_dynamic()
        && w.has_dynamic()
    {
        return false;
    }
    if matches!((got, want), (Type::Tuple(_), Type::Object(_))) {
        return false;
    }
    true
}

// ---------------------------------------------------------------------------------------------
// Value-level conversion
// ---------------------------------------------------------------------------------------------

fn conv(value: Value, to: &Constraint, path: &mut Vec<PathStep>) -> Result<Value, ConvertError> {
    match value {
        Value::Sensitive(inner) => conv(*inner, to, path).map(Value::mark_sensitive),
        v if matches!(to, Constraint::Any) => Ok(normalize_any(v)),
        Value::Null(t) => {
            check_type(&t, to, path)?;
            Ok(Value::Null(dynamic_replace(&t, &to.to_type())))
        }
        Value::Unknown(t) => {
            check_type(&t, to, path)?;
            Ok(Value::Unknown(dynamic_replace(&t, &to.to_type())))
        }
        v => conv_known(v, to, path),
    }
}

fn check_type(t: &Type, to: &Constraint, path: &[PathStep]) -> Result<(), ConvertError> {
    if can_convert(t, to) {
        Ok(())
    } else {
        Err(mismatch(t, to).under(path))
    }
}

fn mismatch_at(v: &Value, to: &Constraint, path: &[PathStep]) -> ConvertError {
    mismatch(&v.ty(), to).under(path)
}

fn conv_known(v: Value, to: &Constraint, path: &mut Vec<PathStep>) -> Result<Value, ConvertError> {
    match to {
        Constraint::Any => Ok(v),
        Constraint::String => match v {
            Value::String(_) => Ok(v),
            Value::Number(n) => Ok(Value::String(n.to_string())),
            Value::Bool(b) => Ok(Value::String(b.to_string())),
            other => Err(mismatch_at(&other, to, path)),
        },
        Constraint::Number => match v {
            Value::Number(_) => Ok(v),
            Value::String(s) => parse_number(&s)
                .map(Value::Number)
                .ok_or_else(|| ConvertError::at(path, "a number is required")),
            other => Err(mismatch_at(&other, to, path)),
        },
        Constraint::Bool => match v {
            Value::Bool(_) => Ok(v),
            Value::String(s) => match s.as_str() {
                "true" | "1" => Ok(Value::Bool(true)),
                "false" | "0" => Ok(Value::Bool(false)),
                other => {
                    let hint = match other.to_lowercase().as_str() {
                        "true" => "; to convert from string, use lowercase \"true\"",
                        "false" => "; to convert from string, use lowercase \"false\"",
                        _ => "",
                    };
                    Err(ConvertError::at(path, format!("a bool is required{hint}")))
                }
            },
            other => Err(mismatch_at(&other, to, path)),
        },
        Constraint::List(elem) => match v {
            Value::List(items) => Ok(Value::List(conv_elements(items, elem, path)?)),
            Value::Set(items) => {
                if items.iter().all(Value::is_wholly_known) {
                    Ok(Value::List(conv_elements(items, elem, path)?))
                } else {
                    // A set holding unknowns has an unknown length: so does the list.
                    let set_ty = Value::Set(items).ty();
                    Ok(Value::Unknown(dynamic_replace(&set_ty, &to.to_type())))
                }
            }
            Value::Tuple(items) => Ok(Value::List(conv_tuple_elements(items, elem, to, path)?)),
            other => Err(mismatch_at(&other, to, path)),
        },
        Constraint::Set(elem) => match v {
            Value::List(items) | Value::Set(items) => {
                Ok(Value::set(conv_elements(items, elem, path)?))
            }
            Value::Tuple(items) => Ok(Value::set(conv_tuple_elements(items, elem, to, path)?)),
            other => Err(mismatch_at(&other, to, path)),
        },
        Constraint::Map(elem) => match v {
            Value::Map(items) => Ok(Value::Map(conv_entries(items, elem, path)?)),
            Value::Object(attrs) => {
                if let Constraint::Any = **elem {
                    let types: Vec<Type> = attrs.values().map(Value::ty).collect();
                    let Some(unified) = unify(&types) else {
                        return Err(mismatch_at(&Value::Object(attrs), to, path));
                    };
                    let target = Constraint::from(&unified);
                    Ok(Value::Map(conv_entries(attrs, &target, path)?))
                } else {
                    Ok(Value::Map(conv_entries(attrs, elem, path)?))
                }
            }
            other => Err(mismatch_at(&other, to, path)),
        },
        Constraint::Object(attrs) => match v {
            Value::Object(items) => conv_object(items, attrs, false, path),
            Value::Map(items) => conv_object(items, attrs, true, path),
            other => Err(mismatch_at(&other, to, path)),
        },
        Constraint::Tuple(elems) => match v {
            Value::Tuple(items) if items.len() == elems.len() => {
                let mut out = Vec::with_capacity(items.len());
                for (i, (item, c)) in items.into_iter().zip(elems).enumerate() {
                    path.push(PathStep::Index(i));
                    let converted = conv(item, c, path);
                    path.pop();
                    out.push(converted?);
                }
                Ok(Value::Tuple(out))
            }
            other => Err(mismatch_at(&other, to, path)),
        },
    }
}

/// cty's number parsing: a decimal number, without surrounding spaces.
fn parse_number(s: &str) -> Option<Number> {
    if s.trim() != s {
        return None;
    }
    Number::parse(s)
}

/// Converts the elements of a list or set, then unifies them when the element constraint leaves
/// types open.
fn conv_elements(
    items: Vec<Value>,
    elem: &Constraint,
    path: &mut Vec<PathStep>,
) -> Result<Vec<Value>, ConvertError> {
    let mut out = Vec::with_capacity(items.len());
    for (i, item) in items.into_iter().enumerate() {
        path.push(PathStep::Index(i));
        let converted = conv(item, elem, path);
        path.pop();
        out.push(converted?);
    }
    if has_any(elem) {
        out = unify_elements(out, path)?;
    }
    Ok(out)
}

/// Converts tuple elements to one element type: the constraint's, or with `any` the unification
/// of the elements' types.
fn conv_tuple_elements(
    items: Vec<Value>,
    elem: &Constraint,
    outer: &Constraint,
    path: &mut Vec<PathStep>,
) -> Result<Vec<Value>, ConvertError> {
    if items.is_empty() {
        return Ok(items);
    }
    if let Constraint::Any = elem {
        let types: Vec<Type> = items.iter().map(Value::ty).collect();
        let Some(unified) = unify(&types) else {
            return Err(mismatch(&Type::Tuple(types), outer).under(path));
        };
        if unified == Type::Dynamic {
            return Ok(items);
        }
        return conv_elements(items, &Constraint::from(&unified), path);
    }
    conv_elements(items, elem, path)
}

fn conv_entries(
    items: BTreeMap<String, Value>,
    elem: &Constraint,
    path: &mut Vec<PathStep>,
) -> Result<BTreeMap<String, Value>, ConvertError> {
    let mut out = BTreeMap::new();
    for (key, item) in items {
        path.push(PathStep::Key(key.clone()));
        let converted = conv(item, elem, path);
        path.pop();
        out.insert(key, converted?);
    }
    if has_any(elem) {
        let (keys, values): (Vec<String>, Vec<Value>) = out.into_iter().unzip();
        let values = unify_entries(&keys, values, path)?;
        out = keys.into_iter().zip(values).collect();
    }
    Ok(out)
}

fn conv_object(
    mut items: BTreeMap<String, Value>,
    attrs: &BTreeMap<String, Attr>,
    from_map: bool,
    path: &mut Vec<PathStep>,
) -> Result<Value, ConvertError> {
    let missing: Vec<&String> = attrs
        .iter()
        .filter(|(name, attr)| !attr.optional && !items.contains_key(*name))
        .map(|(name, _)| name)
        .collect();
    if let Some(first) = missing.first() {
        let message = if from_map {
            format!("map has no element for required attribute {first:?}")
        } else {
            missing_attributes_message(&missing)
        };
        return Err(ConvertError::at(path, message));
    }
    let mut out = BTreeMap::new();
    for (name, attr) in attrs {
        path.push(if from_map {
            PathStep::Key(name.clone())
        } else {
            PathStep::Attr(name.clone())
        });
        let given = items.remove(name);
        let converted = match given {
            Some(v) if !v.is_null() => conv(v, &attr.ty, path),
            given => match (&attr.default, given) {
                (Some(default), given) => {
                    let marked = given.as_ref().is_some_and(Value::is_sensitive);
                    conv(default.clone(), &attr.ty, path).map(|v| v.with_mark(marked))
                }
                (None, Some(null)) => conv(null, &attr.ty, path),
                (None, None) => Ok(Value::Null(attr.ty.to_type())),
            },
        };
        path.pop();
        out.insert(name.clone(), converted?);
    }
    Ok(Value::Object(out))
}

/// Whether the constraint leaves some type open (`any` somewhere inside).
fn has_any(c: &Constraint) -> bool {
    match c {
        Constraint::Any => true,
        Constraint::String | Constraint::Number | Constraint::Bool => false,
        Constraint::List(e) | Constraint::Set(e) | Constraint::Map(e) => has_any(e),
        Constraint::Tuple(es) => es.iter().any(has_any),
        Constraint::Object(attrs) => attrs.values().any(|a| has_any(&a.ty)),
    }
}

/// Brings the elements of a collection to one type (cty's `conversionUnifyListElements`).
fn unify_elements(items: Vec<Value>, path: &mut Vec<PathStep>) -> Result<Vec<Value>, ConvertError> {
    let types: Vec<Type> = items.iter().map(Value::ty).collect();
    if types.windows(2).all(|w| w[0] == w[1]) {
        return Ok(items);
    }
    let Some(unified) = unify(&types) else {
        return Err(ConvertError::at(
            path,
            "cannot find a common base type for all elements",
        ));
    };
    let target = Constraint::from(&unified);
    let mut out = Vec::with_capacity(items.len());
    for (i, (item, t)) in items.into_iter().zip(&types).enumerate() {
        if *t == unified {
            out.push(item);
            continue;
        }
        path.push(PathStep::Index(i));
        let converted = conv(item, &target, path);
        path.pop();
        out.push(converted?);
    }
    Ok(out)
}

fn unify_entries(
    keys: &[String],
    values: Vec<Value>,
    path: &mut Vec<PathStep>,
) -> Result<Vec<Value>, ConvertError> {
    let types: Vec<Type> = values.iter().map(Value::ty).collect();
    if types.windows(2).all(|w| w[0] == w[1]) {
        return Ok(values);
    }
    let Some(unified) = unify(&types) else {
        return Err(ConvertError::at(
            path,
            "cannot find a common base type for all elements",
        ));
    };
    let target = Constraint::from(&unified);
    let mut out = Vec::with_capacity(values.len());
    for ((value, t), key) in values.into_iter().zip(&types).zip(keys) {
        if *t == unified {
            out.push(value);
            continue;
        }
        path.push(PathStep::Key(key.clone()));
        let converted = conv(value, &target, path);
        path.pop();
        out.push(converted?);
    }
    Ok(out)
}

/// A value passing through `any`: kept as it is, except that a list, set or map whose elements
/// disagree in type has them unified (cty collections always have one element type).
fn normalize_any(v: Value) -> Value {
    match v {
        Value::List(items) => {
            let original = items.clone();
            unify_elements(items, &mut Vec::new())
                .map(Value::List)
                .unwrap_or(Value::List(original))
        }
        Value::Set(items) => {
            let original = items.clone();
            unify_elements(items, &mut Vec::new())
                .map(Value::set)
                .unwrap_or(Value::Set(original))
        }
        Value::Map(items) => {
            let original = items.clone();
            let (keys, values): (Vec<String>, Vec<Value>) = items.into_iter().unzip();
            match unify_entries(&keys, values, &mut Vec::new()) {
                Ok(values) => Value::Map(keys.into_iter().zip(values).collect()),
                Err(_) => Value::Map(original),
            }
        }
        other => other,
    }
}

/// cty's `dynamicReplace`: the target type, with the parts it leaves open (`Dynamic`) taken from
/// the source type.
fn dynamic_replace(from: &Type, to: &Type) -> Type {
    if *from == Type::Dynamic {
        return to.clone();
    }
    match to {
        Type::Dynamic => from.clone(),
        Type::String | Type::Number | Type::Bool => to.clone(),
        Type::Map(e) => match from {
            Type::Map(fe) => Type::map(dynamic_replace(fe, e)),
            Type::Object(attrs) => {
                let types: Vec<Type> = attrs.values().cloned().collect();
                let unified = unify(&types).unwrap_or(Type::Dynamic);
                Type::map(dynamic_replace(&unified, e))
            }
            _ => to.clone(),
        },
        Type::Object(want) => Type::Object(
            want.iter()
                .map(|(name, t)| {
                    let replaced = match from {
                        Type::Map(fe) => dynamic_replace(fe, t),
                        Type::Object(got) => match got.get(name) {
                            Some(g) => dynamic_replace(g, t),
                            None => t.clone(),
                        },
                        _ => t.clone(),
                    };
                    (name.clone(), replaced)
                })
                .collect(),
        ),
        Type::Set(e) | Type::List(e) => {
            let elem = match from {
                Type::Set(fe) | Type::List(fe) => dynamic_replace(fe, e),
                Type::Tuple(elems) => {
                    let unified = unify(elems).unwrap_or(Type::Dynamic);
                    dynamic_replace(&unified, e)
                }
                _ => return to.clone(),
            };
            if matches!(to, Type::Set(_)) {
                Type::set(elem)
            } else {
                Type::list(elem)
            }
        }
        Type::Tuple(want) => match from {
            Type::Tuple(got) if got.len() == want.len() => Type::Tuple(
                got.iter()
                    .zip(want)
                    .map(|(g, w)| dynamic_replace(g, w))
                    .collect(),
            ),
            _ => to.clone(),
        },
    }
}

// ---------------------------------------------------------------------------------------------
// Unification (cty's unify, unsafe mode)
// ---------------------------------------------------------------------------------------------

fn converts(from: &Type, to: &Type) -> bool {
    from == to || can_convert(from, &Constraint::from(to))
}

fn unify_types(types: &[Type]) -> Option<Type> {
    let first = types.first()?;
    if types.iter().all(|t| t == first) {
        return Some(first.clone());
    }
    let count = |f: fn(&Type) -> bool| types.iter().filter(|t| f(t)).count();
    let maps = count(|t| matches!(t, Type::Map(_)));
    let lists = count(|t| matches!(t, Type::List(_)));
    let sets = count(|t| matches!(t, Type::Set(_)));
    let objects = count(|t| matches!(t, Type::Object(_)));
    let tuples = count(|t| matches!(t, Type::Tuple(_)));
    let dynamics = count(|t| matches!(t, Type::Dynamic));
    let n = types.len();
    let has_dynamic = dynamics > 0;

    if maps > 0 && maps + dynamics == n {
        return unify_collections(types, has_dynamic, Type::map);
    }
    if maps > 0 && maps + objects + dynamics == n {
        if let Some(t @ Type::Map(_)) = unify_objects_as_maps(types) {
            return Some(t);
        }
    } else if lists > 0 && lists + dynamics == n {
        return unify_collections(types, has_dynamic, Type::list);
    } else if lists > 0 && lists + tuples + dynamics == n {
        if let Some(t @ Type::List(_)) = unify_tuples_as_list(types) {
            return Some(t);
        }
    } else if sets > 0 && sets + dynamics == n {
        return unify_collections(types, has_dynamic, Type::set);
    } else if objects > 0 && objects + dynamics == n {
        return unify_object_types(types, has_dynamic);
    } else if tuples > 0 && tuples + dynamics == n {
        return unify_tuple_types(types, has_dynamic);
    } else if objects > 0 && tuples > 0 {
        return None;
    }

    for want in sort_types(types) {
        let want = &types[want];
        if types.iter().all(|t| converts(t, want)) {
            return Some(want.clone());
        }
    }
    None
}

fn unify_collections(types: &[Type], has_dynamic: bool, make: fn(Type) -> Type) -> Option<Type> {
    if has_dynamic {
        return Some(Type::Dynamic);
    }
    let elems: Vec<Type> = types.iter().filter_map(|t| t.element().cloned()).collect();
    let ret = make(unify_types(&elems)?);
    types.iter().all(|t| converts(t, &ret)).then_some(ret)
}

fn object_attrs(t: &Type) -> Option<&BTreeMap<String, Type>> {
    match t {
        Type::Object(attrs) => Some(attrs),
        _ => None,
    }
}

fn tuple_elems(t: &Type) -> Option<&[Type]> {
    match t {
        Type::Tuple(elems) => Some(elems),
        _ => None,
    }
}

fn unify_object_types(types: &[Type], has_dynamic: bool) -> Option<Type> {
    if has_dynamic {
        return Some(Type::Dynamic);
    }
    let all: Vec<&BTreeMap<String, Type>> = types.iter().filter_map(object_attrs).collect();
    let first = all.first()?;
    let same_names = all
        .iter()
        .all(|a| a.len() == first.len() && a.keys().all(|k| first.contains_key(k)));
    if !same_names {
        return unify_objects_to_map(types);
    }
    let mut attrs = BTreeMap::new();
    for name in first.keys() {
        let across: Vec<Type> = all.iter().filter_map(|a| a.get(name).cloned()).collect();
        attrs.insert(name.clone(), unify_types(&across)?);
    }
    let ret = Type::Object(attrs);
    if types.iter().all(|t| converts(t, &ret)) {
        Some(ret)
    } else {
        unify_objects_to_map(types)
    }
}

fn unify_objects_to_map(types: &[Type]) -> Option<Type> {
    let attr_types: Vec<Type> = types
        .iter()
        .filter_map(object_attrs)
        .flat_map(|a| a.values().cloned())
        .collect();
    let ret = Type::map(unify_types(&attr_types)?);
    types.iter().all(|t| converts(t, &ret)).then_some(ret)
}

fn unify_objects_as_maps(types: &[Type]) -> Option<Type> {
    let objects: Vec<Type> = types
        .iter()
        .filter(|t| matches!(t, Type::Object(_)))
        .cloned()
        .collect();
    let as_map = unify_objects_to_map(&objects)?;
    let mapped: Vec<Type> = types
        .iter()
        .map(|t| {
            if matches!(t, Type::Object(_)) {
                as_map.clone()
            } else {
                t.clone()
            }
        })
        .collect();
    unify_types(&mapped).filter(|t| matches!(t, Type::Map(_)))
}

fn unify_tuple_types(types: &[Type], has_dynamic: bool) -> Option<Type> {
    if has_dynamic {
        return Some(Type::Dynamic);
    }
    let all: Vec<&[Type]> = types.iter().filter_map(tuple_elems).collect();
    let first = all.first()?;
    if all.iter().any(|e| e.len() != first.len()) {
        return unify_tuples_to_list(types);
    }
    let mut elems = Vec::with_capacity(first.len());
    for i in 0..first.len() {
        let across: Vec<Type> = all.iter().filter_map(|e| e.get(i).cloned()).collect();
        elems.push(unify_types(&across)?);
    }
    let ret = Type::Tuple(elems);
    if types.iter().all(|t| converts(t, &ret)) {
        Some(ret)
    } else {
        unify_tuples_to_list(types)
    }
}

fn unify_tuples_to_list(types: &[Type]) -> Option<Type> {
    let elems: Vec<Type> = types
        .iter()
        .filter_map(tuple_elems)
        .flat_map(|e| e.iter().cloned())
        .collect();
    let ret = Type::list(unify_types(&elems)?);
    types.iter().all(|t| converts(t, &ret)).then_some(ret)
}

fn unify_tuples_as_list(types: &[Type]) -> Option<Type> {
    let tuples: Vec<Type> = types
        .iter()
        .filter(|t| matches!(t, Type::Tuple(_)))
        .cloned()
        .collect();
    let as_list = unify_tuples_to_list(&tuples)?;
    let listed: Vec<Type> = types
        .iter()
        .map(|t| {
            if matches!(t, Type::Tuple(_)) {
                as_list.clone()
            } else {
                t.clone()
            }
        })
        .collect();
    unify_types(&listed).filter(|t| matches!(t, Type::List(_)))
}

/// Indices of `types`, most general first (cty's `sortTypes`: a topological sort of the "more
/// general than" relation, keeping the given order among incomparable types).
fn sort_types(types: &[Type]) -> Vec<usize> {
    let n = types.len();
    let mut edges: Vec<Vec<usize>> = vec![Vec::new(); n];
    for i in 0..n {
        for j in i + 1..n {
            match compare_types(&types[i], &types[j]) {
                c if c < 0 => edges[i].push(j),
                c if c > 0 => edges[j].push(i),
                _ => {}
            }
        }
    }
    let mut in_degree = vec![0usize; n];
    for outs in &edges {
        for &j in outs {
            in_degree[j] += 1;
        }
    }
    let mut order: Vec<usize> = (0..n).filter(|&i| in_degree[i] == 0).collect();
    let mut next = 0;
    while next < order.len() {
        let i = order[next];
        next += 1;
        for &j in &edges[i] {
            in_degree[j] -= 1;
            if in_degree[j] == 0 {
                order.push(j);
            }
        }
    }
    order
}

/// cty's `compareTypes`: negative when `a` is preferable (more general) to `b`.
fn compare_types(a: &Type, b: &Type) -> i32 {
    if *a == Type::Dynamic || *b == Type::Dynamic {
        return match (*a == Type::Dynamic, *b == Type::Dynamic) {
            (false, true) => -1,
            (true, false) => 1,
            _ => 0,
        };
    }
    if a.is_primitive() && b.is_primitive() && (*a == Type::String || *b == Type::String) {
        return match (*a == Type::String, *b == Type::String) {
            (false, true) => 1,
            (true, false) => -1,
            _ => 0,
        };
    }
    match (a, b) {
        (Type::List(x), Type::List(y))
        | (Type::Set(x), Type::Set(y))
        | (Type::Map(x), Type::Map(y)) => {
            return compare_types(x, y);
        }
        _ => {}
    }
    let (a, b, swap) = match (a, b) {
        (Type::Tuple(_), Type::List(_))
        | (Type::Object(_), Type::Map(_))
        | (Type::Set(_), Type::Tuple(_))
        | (Type::Set(_), Type::List(_)) => (b, a, -1),
        _ => (a, b, 1),
    };
    match (a, b) {
        (Type::Tuple(_) | Type::List(_), Type::Set(_)) => -swap,
        (Type::List(_), Type::Tuple(_)) => -swap,
        (Type::Map(_), Type::Object(_)) => -swap,
        (Type::Object(x), Type::Object(y)) => {
            if x.len() != y.len() || x.keys().any(|k| !y.contains_key(k)) {
                return 0;
            }
            let cmps = x
                .iter()
                .filter_map(|(k, t)| y.get(k).map(|u| compare_types(t, u)));
            supertype_direction(cmps) * swap
        }
        (Type::Tuple(x), Type::Tuple(y)) => {
            if x.len() != y.len() {
                return 0;
            }
            supertype_direction(x.iter().zip(y).map(|(t, u)| compare_types(t, u))) * swap
        }
        _ => 0,
    }
}

fn supertype_direction(cmps: impl Iterator<Item = i32>) -> i32 {
    let (mut a_super, mut b_super) = (false, false);
    for c in cmps {
        if c < 0 {
            a_super = true;
        } else if c > 0 {
            b_super = true;
        }
    }
    match (a_super, b_super) {
        (true, false) => -1,
        (false, true) => 1,
        _ => 0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(v: &str) -> Value {
        Value::from(v)
    }

    fn n(v: i64) -> Value {
        Value::from(v)
    }

    fn list(c: Constraint) -> Constraint {
        Constraint::List(Box::new(c))
    }

    fn set(c: Constraint) -> Constraint {
        Constraint::Set(Box::new(c))
    }

    fn map(c: Constraint) -> Constraint {
        Constraint::Map(Box::new(c))
    }

    fn required(ty: Constraint) -> Attr {
        Attr {
            ty,
            optional: false,
            default: None,
        }
    }

    fn optional(ty: Constraint, default: Option<Value>) -> Attr {
        Attr {
            ty,
            optional: true,
            default,
        }
    }

    fn object<const N: usize>(attrs: [(&str, Attr); N]) -> Constraint {
        Constraint::Object(attrs.into_iter().map(|(k, a)| (k.to_string(), a)).collect())
    }

    fn err(value: Value, to: &Constraint) -> String {
        convert(value, to).unwrap_err().to_string()
    }

    #[test]
    fn numbers_and_bools_become_strings() {
        assert_eq!(convert(n(42), &Constraint::String).unwrap(), s("42"));
        assert_eq!(
            convert(Value::Bool(true), &Constraint::String).unwrap(),
            s("true")
        );
    }

    #[test]
    fn strings_that_spell_numbers_become_numbers() {
        assert_eq!(
            convert(s("1.5"), &Constraint::Number).unwrap().to_string(),
            "1.5"
        );
        assert_eq!(err(s("abc"), &Constraint::Number), "a number is required");
        assert_eq!(err(s(" 1"), &Constraint::Number), "a number is required");
    }

    #[test]
    fn strings_true_and_false_become_bools() {
        assert_eq!(
            convert(s("true"), &Constraint::Bool).unwrap(),
            Value::Bool(true)
        );
        assert_eq!(
            convert(s("0"), &Constraint::Bool).unwrap(),
            Value::Bool(false)
        );
        assert_eq!(err(s("yes"), &Constraint::Bool), "a bool is required");
        assert_eq!(
            err(s("True"), &Constraint::Bool),
            "a bool is required; to convert from string, use lowercase \"true\""
        );
    }

    #[test]
    fn bool_to_number_is_a_type_mismatch() {
        assert_eq!(
            err(Value::Bool(true), &Constraint::Number),
            "number required, but have bool"
        );
        assert_eq!(
            err(Value::Tuple(vec![]), &Constraint::String),
            "string required, but have tuple"
        );
    }

    #[test]
    fn list_of_any_unifies_mixed_elements_to_strings() {
        let v = Value::Tuple(vec![s("a"), n(1), Value::Bool(true)]);
        assert_eq!(
            convert(v, &list(Constraint::Any)).unwrap(),
            Value::List(vec![s("a"), s("1"), s("true")])
        );
    }

    #[test]
    fn list_of_any_with_incompatible_elements_is_an_error() {
        let v = Value::Tuple(vec![s("a"), Value::object([("x", n(1))])]);
        assert_eq!(
            err(v, &list(Constraint::Any)),
            "all list elements must have the same type"
        );
    }

    #[test]
    fn list_of_any_unifies_differently_shaped_objects_into_maps() {
        let v = Value::Tuple(vec![
            Value::object([("a", n(1))]),
            Value::object([("b", n(2))]),
        ]);
        assert_eq!(
            convert(v, &list(Constraint::Any)).unwrap(),
            Value::List(vec![Value::map([("a", n(1))]), Value::map([("b", n(2))])])
        );
    }

    #[test]
    fn tuple_to_set_sorts_and_deduplicates_after_conversion() {
        let v = Value::Tuple(vec![s("b"), n(1), s("b"), s("1")]);
        assert_eq!(
            convert(v, &set(Constraint::String)).unwrap(),
            Value::Set(vec![s("1"), s("b")])
        );
    }

    #[test]
    fn element_errors_name_the_element() {
        let v = Value::Tuple(vec![s("1"), s("x")]);
        assert_eq!(
            err(v, &list(Constraint::Number)),
            "element 1: a number is required"
        );
        let v = Value::Tuple(vec![Value::Tuple(vec![])]);
        assert_eq!(
            err(v, &list(Constraint::String)),
            "element 0: string required, but have tuple"
        );
    }

    #[test]
    fn object_to_map_and_map_to_object() {
        let obj = Value::object([("a", s("x")), ("b", n(2))]);
        assert_eq!(
            convert(obj, &map(Constraint::Any)).unwrap(),
            Value::map([("a", s("x")), ("b", s("2"))])
        );
        let m = Value::map([("a", s("1")), ("extra", s("z"))]);
        let c = object([("a", required(Constraint::Number))]);
        assert_eq!(convert(m, &c).unwrap(), Value::object([("a", n(1))]));
        let empty = Value::map::<&str>([]);
        assert_eq!(
            err(empty, &c),
            "map has no element for required attribute \"a\""
        );
    }

    #[test]
    fn map_element_errors_name_the_key() {
        let v = Value::object([("k", s("x"))]);
        assert_eq!(
            err(v, &map(Constraint::Number)),
            "element \"k\": a number is required"
        );
    }

    #[test]
    fn extra_attributes_are_dropped_and_missing_optional_ones_are_null() {
        let c = object([
            ("a", required(Constraint::String)),
            ("b", optional(Constraint::Number, None)),
        ]);
        let v = Value::object([("a", s("x")), ("z", n(1))]);
        assert_eq!(
            convert(v, &c).unwrap(),
            Value::object([("a", s("x")), ("b", Value::Null(Type::Number))])
        );
    }

    #[test]
    fn missing_required_attributes_are_reported_with_their_path() {
        let inner = object([
            ("min_healthy_percentage", required(Constraint::Number)),
            ("skip", optional(Constraint::Bool, None)),
        ]);
        let c = object([("preferences", required(inner))]);
        let v = Value::object([("preferences", Value::object([("skip", Value::Bool(true))]))]);
        let e = convert(v, &c).unwrap_err();
        assert_eq!(e.path, vec![PathStep::Attr("preferences".into())]);
        assert_eq!(
            e.to_string(),
            "attribute \"preferences\": attribute \"min_healthy_percentage\" is required"
        );
        let two = object([
            ("a", required(Constraint::String)),
            ("b", required(Constraint::String)),
        ]);
        assert_eq!(
            err(Value::object::<&str>([]), &two),
            "attributes \"a\" and \"b\" are required"
        );
        let three = object([
            ("a", required(Constraint::String)),
            ("b", required(Constraint::String)),
            ("c", required(Constraint::String)),
        ]);
        assert_eq!(
            err(Value::object::<&str>([]), &three),
            "attributes \"a\", \"b\", and \"c\" are required"
        );
    }

    #[test]
    fn value_errors_in_nested_attributes_carry_the_whole_path() {
        let inner = object([("min_healthy_percentage", required(Constraint::Number))]);
        let c = object([("preferences", required(inner))]);
        let v = Value::object([(
            "preferences",
            Value::object([("min_healthy_percentage", s("lots"))]),
        )]);
        let e = convert(v, &c).unwrap_err();
        assert_eq!(
            e.path,
            vec![
                PathStep::Attr("preferences".into()),
                PathStep::Attr("min_healthy_percentage".into())
            ]
        );
        assert_eq!(
            e.to_string(),
            "attribute \"preferences\": attribute \"min_healthy_percentage\": a number is required"
        );
    }

    #[test]
    fn nested_optional_attributes_get_their_defaults() {
        // object({ name = string, tls = optional(object({ port = optional(number, 443),
        //   enabled = optional(bool, true) }), {}) , tags = optional(map(string), {}) })
        let tls = object([
            ("port", optional(Constraint::Number, Some(n(443)))),
            (
                "enabled",
                optional(Constraint::Bool, Some(Value::Bool(true))),
            ),
        ]);
        let c = object([
            ("name", required(Constraint::String)),
            ("tls", optional(tls, Some(Value::object::<&str>([])))),
            (
                "tags",
                optional(map(Constraint::String), Some(Value::object::<&str>([]))),
            ),
        ]);
        let v = Value::object([("name", s("web"))]);
        assert_eq!(
            convert(v, &c).unwrap(),
            Value::object([
                ("name", s("web")),
                (
                    "tls",
                    Value::object([("enabled", Value::Bool(true)), ("port", n(443))])
                ),
                ("tags", Value::map::<&str>([])),
            ])
        );
        let v = Value::object([
            ("name", s("web")),
            ("tls", Value::object([("port", s("8443"))])),
        ]);
        let out = convert(v, &c).unwrap();
        assert_eq!(
            out.get_attr("tls"),
            Some(&Value::object([
                ("enabled", Value::Bool(true)),
                ("port", n(8443))
            ]))
        );
    }

    #[test]
    fn null_optional_attributes_with_defaults_get_the_default() {
        let c = object([("port", optional(Constraint::Number, Some(n(80))))]);
        let v = Value::object([("port", Value::null())]);
        assert_eq!(convert(v, &c).unwrap(), Value::object([("port", n(80))]));
    }

    #[test]
    fn defaults_apply_inside_list_elements_and_map_values() {
        let item = object([
            ("name", required(Constraint::String)),
            ("size", optional(Constraint::Number, Some(n(1)))),
        ]);
        let v = Value::Tuple(vec![
            Value::object([("name", s("a"))]),
            Value::object([("name", s("b")), ("size", n(3))]),
        ]);
        assert_eq!(
            convert(v, &list(item.clone())).unwrap(),
            Value::List(vec![
                Value::object([("name", s("a")), ("size", n(1))]),
                Value::object([("name", s("b")), ("size", n(3))]),
            ])
        );
        let v = Value::object([("x", Value::object([("name", s("a"))]))]);
        assert_eq!(
            convert(v, &map(item)).unwrap(),
            Value::map([("x", Value::object([("name", s("a")), ("size", n(1))]))])
        );
    }

    #[test]
    fn optional_attribute_without_default_inside_missing_object_stays_null() {
        let inner = object([("port", optional(Constraint::Number, Some(n(80))))]);
        let c = object([("tls", optional(inner, None))]);
        let out = convert(Value::object::<&str>([]), &c).unwrap();
        assert_eq!(
            out.get_attr("tls"),
            Some(&Value::Null(Type::Object(
                [("port".to_string(), Type::Number)].into_iter().collect()
            )))
        );
    }

    #[test]
    fn null_and_unknown_take_the_target_type() {
        assert_eq!(
            convert(Value::null(), &list(Constraint::String)).unwrap(),
            Value::Null(Type::list(Type::String))
        );
        assert_eq!(
            convert(Value::unknown(), &Constraint::Number).unwrap(),
            Value::Unknown(Type::Number)
        );
        assert_eq!(
            convert(Value::Unknown(Type::String), &list(Constraint::Any))
                .unwrap_err()
                .to_string(),
            "list of dynamic required, but have string"
        );
        assert_eq!(
            convert(
                Value::Unknown(Type::list(Type::String)),
                &list(Constraint::Any)
            )
            .unwrap(),
            Value::Unknown(Type::list(Type::String))
        );
        assert_eq!(
            convert(Value::Null(Type::Bool), &Constraint::Number)
                .unwrap_err()
                .to_string(),
            "number required, but have bool"
        );
    }

    #[test]
    fn unknown_elements_convert_to_typed_unknowns() {
        let v = Value::Tuple(vec![s("a"), Value::unknown()]);
        assert_eq!(
            convert(v, &list(Constraint::Any)).unwrap(),
            Value::List(vec![s("a"), Value::Unknown(Type::String)])
        );
        let v = Value::Set(vec![s("a"), Value::unknown()]);
        assert_eq!(
            convert(v, &list(Constraint::String)).unwrap(),
            Value::Unknown(Type::list(Type::String))
        );
    }

    #[test]
    fn sensitive_marks_stay_where_they_are() {
        let v = Value::from(5).mark_sensitive();
        assert_eq!(
            convert(v, &Constraint::String).unwrap(),
            s("5").mark_sensitive()
        );
        let v = Value::Tuple(vec![s("a"), Value::from(1).mark_sensitive()]);
        assert_eq!(
            convert(v, &list(Constraint::String)).unwrap(),
            Value::List(vec![s("a"), s("1").mark_sensitive()])
        );
        let v = Value::object([("a", s("x").mark_sensitive())]).mark_sensitive();
        let out = convert(v, &map(Constraint::String)).unwrap();
        assert_eq!(
            out,
            Value::map([("a", s("x").mark_sensitive())]).mark_sensitive()
        );
    }

    #[test]
    fn any_keeps_tuples_and_objects_as_they_are() {
        let v = Value::Tuple(vec![s("a"), n(1)]);
        assert_eq!(convert(v.clone(), &Constraint::Any).unwrap(), v);
        let mixed = Value::List(vec![s("a"), n(1)]);
        assert_eq!(
            convert(mixed, &Constraint::Any).unwrap(),
            Value::List(vec![s("a"), s("1")])
        );
    }

    #[test]
    fn list_and_set_convert_into_each_other() {
        let v = Value::List(vec![s("b"), s("a"), s("b")]);
        assert_eq!(
            convert(v, &set(Constraint::String)).unwrap(),
            Value::Set(vec![s("a"), s("b")])
        );
        let v = Value::Set(vec![n(1), n(2)]);
        assert_eq!(
            convert(v, &list(Constraint::String)).unwrap(),
            Value::List(vec![s("1"), s("2")])
        );
    }

    #[test]
    fn collection_kind_mismatches_use_cty_wording() {
        let v = Value::map([("a", s("x"))]);
        assert_eq!(err(v, &list(Constraint::String)), "list of string required");
        let v = Value::List(vec![Value::Bool(true)]);
        assert_eq!(
            err(v, &list(Constraint::Number)),
            "incorrect list element type: number required, but have bool"
        );
        assert_eq!(
            err(s("x"), &list(Constraint::Any)),
            "list of dynamic required, but have string"
        );
        let v = Value::object([("a", Value::Bool(true))]);
        let c = object([("a", required(Constraint::Number))]);
        assert_eq!(
            err(v, &c),
            "attribute \"a\": number required, but have bool"
        );
    }

    #[test]
    fn tuples_convert_elementwise() {
        let c = Constraint::Tuple(vec![Constraint::String, Constraint::Number]);
        assert_eq!(
            convert(Value::Tuple(vec![n(1), s("2")]), &c).unwrap(),
            Value::Tuple(vec![s("1"), n(2)])
        );
        assert_eq!(err(Value::Tuple(vec![n(1)]), &c), "tuple required");
    }

    #[test]
    fn convert_to_type_uses_plain_types() {
        let t = Type::map(Type::Number);
        assert_eq!(
            convert_to_type(Value::object([("a", s("3"))]), &t).unwrap(),
            Value::map([("a", n(3))])
        );
    }

    #[test]
    fn unify_prefers_string_over_number_and_bool() {
        assert_eq!(unify(&[Type::String, Type::Number]), Some(Type::String));
        assert_eq!(unify(&[Type::Bool, Type::String]), Some(Type::String));
        assert_eq!(unify(&[Type::Bool, Type::Number]), None);
        assert_eq!(unify(&[Type::Dynamic, Type::Number]), Some(Type::Number));
        assert_eq!(unify(&[]), Some(Type::Dynamic));
    }

    #[test]
    fn unify_objects_attributewise_or_as_maps() {
        let a = Type::Object([("x".to_string(), Type::String)].into_iter().collect());
        let b = Type::Object([("x".to_string(), Type::Number)].into_iter().collect());
        assert_eq!(unify(&[a.clone(), b]), Some(a.clone()));
        let c = Type::Object([("y".to_string(), Type::Number)].into_iter().collect());
        assert_eq!(unify(&[a, c]), Some(Type::map(Type::String)));
        let d = Type::Object(
            [("z".to_string(), Type::list(Type::String))]
                .into_iter()
                .collect(),
        );
        let e = Type::Object([("w".to_string(), Type::Bool)].into_iter().collect());
        assert_eq!(unify(&[d, e]), None);
    }

    #[test]
    fn unify_tuples_and_lists() {
        let t1 = Type::Tuple(vec![Type::String]);
        let t2 = Type::Tuple(vec![Type::String, Type::Number]);
        assert_eq!(unify(&[t1.clone(), t2]), Some(Type::list(Type::String)));
        assert_eq!(
            unify(&[t1, Type::list(Type::Number)]),
            Some(Type::list(Type::String))
        );
        assert_eq!(
            unify(&[Type::list(Type::Number), Type::list(Type::String)]),
            Some(Type::list(Type::String))
        );
    }

    #[test]
    fn friendly_names_follow_cty() {
        assert_eq!(
            friendly_name_for_constraint(&Type::list(Type::Dynamic)),
            "list of any single type"
        );
        assert_eq!(friendly_name(&Type::map(Type::Dynamic)), "map of dynamic");
    }
}
