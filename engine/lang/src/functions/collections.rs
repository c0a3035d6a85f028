//! Collection functions: `alltrue`, `anytrue`, `chunklist`, `coalesce`, `coalescelist`,
//! `compact`, `concat`, `contains`, `distinct`, `element`, `flatten`, `index`, `keys`, `length`,
//! `lookup`, `matchkeys`, `merge`, `one`, `range`, `reverse`, `setintersection`, `setproduct`,
//! `setsubtract`, `setunion`, `slice`, `sort`, `sum`, `transpose`, `values`, `zipmap`.
//!
//! Functions that Terraform lets see marked arguments (`AllowMarked` in cty) are declared with
//! `keep_marks`: they strip the arguments' own marks, copy elements with their nested marks
//! untouched and mark the result when an argument was marked. The others leave marks to the
//! generic rules of [`super::call`]. Likewise, functions that Terraform can answer while parts of
//! an argument are unknown (`length([unknown, 1])` is 2) are declared with `allow_unknown`.

use super::{FuncCtx, FuncDef, FuncError, FuncResult, Ret};
use crate::convert::{convert, friendly_name, unify};
use crate::typeexpr::Constraint;
use std::collections::BTreeMap;
use terrane_types::{Number, Type, Value};

pub(super) const FUNCTIONS: &[FuncDef] = &[
    FuncDef::new("alltrue", &["list"], Ret::Bool, alltrue).allow_unknown(),
    FuncDef::new("anytrue", &["list"], Ret::Bool, anytrue).allow_unknown(),
    FuncDef::new("chunklist", &["list", "size"], Ret::Dynamic, chunklist)
        .allow_unknown()
        .keep_marks(),
    FuncDef::new("coalesce", &[], Ret::Dynamic, coalesce)
        .variadic("vals")
        .allow_unknown()
        .allow_null(),
    FuncDef::new("coalescelist", &[], Ret::Dynamic, coalescelist)
        .variadic("vals")
        .allow_unknown()
        .allow_null(),
    FuncDef::new("compact", &["list"], Ret::Dynamic, compact),
    FuncDef::new("concat", &[], Ret::Dynamic, concat)
        .variadic("seqs")
        .allow_unknown()
        .keep_marks(),
    FuncDef::new("contains", &["list", "value"], Ret::Bool, contains)
        .allow_unknown()
        .allow_null(),
    FuncDef::new("distinct", &["list"], Ret::Dynamic, distinct),
    FuncDef::new("element", &["list", "index"], Ret::Dynamic, element)
        .allow_unknown()
        .keep_marks(),
    FuncDef::new("flatten", &["list"], Ret::Dynamic, flatten)
        .allow_unknown()
        .keep_marks(),
    FuncDef::new("index", &["list", "value"], Ret::Number, index).allow_unknown(),
    FuncDef::new("keys", &["inputMap"], Ret::Dynamic, keys)
        .allow_unknown()
        .keep_marks(),
    FuncDef::new("length", &["value"], Ret::Number, length)
        .allow_unknown()
        .keep_marks(),
    FuncDef::new("lookup", &["inputMap", "key"], Ret::Dynamic, lookup)
        .variadic("default")
        .allow_unknown()
        .allow_null()
        .keep_marks(),
    FuncDef::new(
        "matchkeys",
        &["values", "keys", "searchset"],
        Ret::Dynamic,
        matchkeys,
    ),
    FuncDef::new("merge", &[], Ret::Dynamic, merge)
        .variadic("maps")
        .allow_unknown()
        .allow_null()
        .keep_marks(),
    FuncDef::new("one", &["list"], Ret::Dynamic, one).allow_unknown(),
    FuncDef::new("range", &[], Ret::Dynamic, range).variadic("params"),
    FuncDef::new("reverse", &["list"], Ret::Dynamic, reverse)
        .allow_unknown()
        .keep_marks(),
    FuncDef::new(
        "setintersection",
        &["first_set"],
        Ret::Dynamic,
        setintersection,
    )
    .variadic("other_sets"),
    FuncDef::new("setproduct", &[], Ret::Dynamic, setproduct)
        .variadic("sets")
        .allow_unknown(),
    FuncDef::new("setsubtract", &["a", "b"], Ret::Dynamic, setsubtract),
    FuncDef::new("setunion", &["first_set"], Ret::Dynamic, setunion)
        .variadic("other_sets")
        .allow_unknown(),
    FuncDef::new(
        "slice",
        &["list", "start_index", "end_index"],
        Ret::Dynamic,
        slice,
    )
    .allow_unknown()
    .keep_marks(),
    FuncDef::new("sort", &["list"], Ret::Dynamic, sort),
    FuncDef::new("sum", &["list"], Ret::Number, sum),
    FuncDef::new("transpose", &["values"], Ret::Dynamic, transpose),
    FuncDef::new("values", &["mapping"], Ret::Dynamic, values)
        .allow_unknown()
        .keep_marks(),
    FuncDef::new("zipmap", &["keys", "values"], Ret::Dynamic, zipmap)
        .allow_unknown()
        .keep_marks(),
];

// ---------------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------------

/// The value without its own mark, and whether it had one.
fn top(v: &Value) -> (&Value, bool) {
    (v.unmarked(), v.is_sensitive())
}

fn list_of(elem: Constraint) -> Constraint {
    Constraint::List(Box::new(elem))
}

fn list_any() -> Constraint {
    list_of(Constraint::Any)
}

fn set_any() -> Constraint {
    Constraint::Set(Box::new(Constraint::Any))
}

/// Converts argument `i` to the parameter's type, as cty does for typed parameters.
fn arg_as(args: &[Value], i: usize, to: &Constraint) -> Result<Value, FuncError> {
    convert(args[i].clone(), to).map_err(|e| FuncError::arg(i, e.to_string()))
}

/// The elements of a list, set or tuple; none for anything else.
fn seq(v: &Value) -> &[Value] {
    v.as_seq().unwrap_or(&[])
}

/// A whole-number argument; `prefix` introduces the message when the number is not whole.
fn whole(v: &Value, i: usize, prefix: &str) -> Result<i64, FuncError> {
    let n = convert(v.unmarked().clone(), &Constraint::Number)
        .map_err(|e| FuncError::arg(i, e.to_string()))?;
    n.as_number().and_then(Number::to_i64).ok_or_else(|| {
        FuncError::arg(
            i,
            format!(
                "{prefix}value must be a whole number, between {} and {}",
                i64::MIN,
                i64::MAX
            ),
        )
    })
}

fn count(n: usize) -> Value {
    Value::Number(Number::from(n))
}

/// cty's equality: `None` when unknowns make it undecidable. Values of different kinds are
/// never equal; nulls are equal to each other.
fn equal(a: &Value, b: &Value) -> Option<bool> {
    match (a.unmarked(), b.unmarked()) {
        (Value::Unknown(_), _) | (_, Value::Unknown(_)) => None,
        (Value::Null(_), Value::Null(_)) => Some(true),
        (Value::Null(_), _) | (_, Value::Null(_)) => Some(false),
        (Value::List(x), Value::List(y))
        | (Value::Set(x), Value::Set(y))
        | (Value::Tuple(x), Value::Tuple(y)) => {
            if x.len() != y.len() {
                return Some(false);
            }
            all_equal(x.iter().zip(y))
        }
        (Value::Map(x), Value::Map(y)) | (Value::Object(x), Value::Object(y)) => {
            if x.len() != y.len() || x.keys().any(|k| !y.contains_key(k)) {
                return Some(false);
            }
            all_equal(x.iter().filter_map(|(k, v)| y.get(k).map(|w| (v, w))))
        }
        (x, y) => Some(x == y),
    }
}

fn all_equal<'a>(pairs: impl Iterator<Item = (&'a Value, &'a Value)>) -> Option<bool> {
    let mut undecided = false;
    for (a, b) in pairs {
        match equal(a, b) {
            Some(false) => return Some(false),
            None => undecided = true,
            Some(true) => {}
        }
    }
    if undecided { None } else { Some(true) }
}

/// Whether a set's length is unknown: it holds unknowns that may turn out equal to other
/// elements (a single element cannot collapse).
fn set_length_unknown(items: &[Value]) -> bool {
    items.len() > 1 && !items.iter().all(Value::is_wholly_known)
}

// ---------------------------------------------------------------------------------------------
// Functions
// ---------------------------------------------------------------------------------------------

fn alltrue(args: &[Value], _: &FuncCtx) -> FuncResult {
    if !args[0].is_known() {
        return Ok(Value::Unknown(Type::Bool));
    }
    let list = arg_as(args, 0, &list_of(Constraint::Bool))?;
    if !list.is_known() {
        return Ok(Value::Unknown(Type::Bool));
    }
    for v in seq(&list) {
        match v {
            Value::Unknown(_) => return Ok(Value::Unknown(Type::Bool)),
            Value::Null(_) | Value::Bool(false) => return Ok(Value::Bool(false)),
            _ => {}
        }
    }
    Ok(Value::Bool(true))
}

fn anytrue(args: &[Value], _: &FuncCtx) -> FuncResult {
    if !args[0].is_known() {
        return Ok(Value::Unknown(Type::Bool));
    }
    let list = arg_as(args, 0, &list_of(Constraint::Bool))?;
    if !list.is_known() {
        return Ok(Value::Unknown(Type::Bool));
    }
    let mut undecided = false;
    for v in seq(&list) {
        match v {
            Value::Unknown(_) => undecided = true,
            Value::Bool(true) => return Ok(Value::Bool(true)),
            _ => {}
        }
    }
    Ok(if undecided {
        Value::Unknown(Type::Bool)
    } else {
        Value::Bool(false)
    })
}

fn chunklist(args: &[Value], _: &FuncCtx) -> FuncResult {
    let (list, list_marked) = top(&args[0]);
    let (size, size_marked) = top(&args[1]);
    let marked = list_marked || size_marked;
    if !list.is_known() || !size.is_known() {
        return Ok(Value::unknown().with_mark(marked));
    }
    let size = whole(size, 1, "invalid size: ")?;
    if size < 0 {
        return Err(FuncError::call("the size argument must be positive"));
    }
    let list = convert(list.clone(), &list_any()).map_err(|e| FuncError::arg(0, e.to_string()))?;
    if !list.is_known() {
        return Ok(Value::unknown().with_mark(marked));
    }
    let items = seq(&list);
    let chunks = if items.is_empty() {
        Vec::new()
    } else if size == 0 {
        vec![Value::List(items.to_vec())]
    } else {
        let size = usize::try_from(size).unwrap_or(usize::MAX);
        items
            .chunks(size)
            .map(|c| Value::List(c.to_vec()))
            .collect()
    };
    Ok(Value::List(chunks).with_mark(marked))
}

/// The first argument that is neither null nor an empty string, all converted to their common
/// type.
fn coalesce(args: &[Value], _: &FuncCtx) -> FuncResult {
    let types: Vec<Type> = args.iter().map(Value::ty).collect();
    let Some(ty) = unify(&types) else {
        return Err(FuncError::call("all arguments must have the same type"));
    };
    let target = Constraint::from(&ty);
    for (i, arg) in args.iter().enumerate() {
        let v = convert(arg.clone(), &target).map_err(|e| FuncError::arg(i, e.to_string()))?;
        if !v.is_known() {
            return Ok(Value::Unknown(ty));
        }
        if v.is_null() || (ty == Type::String && v.as_str() == Some("")) {
            continue;
        }
        return Ok(v);
    }
    Err(FuncError::call("no non-null, non-empty-string arguments"))
}

/// The first list or tuple argument that is not empty.
fn coalescelist(args: &[Value], _: &FuncCtx) -> FuncResult {
    if args.is_empty() {
        return Err(FuncError::call("at least one argument is required"));
    }
    for arg in args {
        match arg {
            Value::Unknown(_) => break,
            Value::Null(_) | Value::List(_) | Value::Tuple(_) => {}
            _ => {
                return Err(FuncError::call(
                    "coalescelist arguments must be lists or tuples",
                ));
            }
        }
    }
    for arg in args {
        if !arg.is_known() {
            return Ok(Value::unknown());
        }
        if !arg.is_null() && !seq(arg).is_empty() {
            return Ok(arg.clone());
        }
    }
    Err(FuncError::call("no non-null arguments"))
}

fn compact(args: &[Value], _: &FuncCtx) -> FuncResult {
    let list = arg_as(args, 0, &list_of(Constraint::String))?;
    if !list.is_wholly_known() {
        return Ok(Value::Unknown(Type::list(Type::String)));
    }
    Ok(Value::List(
        seq(&list)
            .iter()
            .filter(|v| !v.is_null() && v.as_str() != Some(""))
            .cloned()
            .collect(),
    ))
}

/// Lists of one element type concatenate to a list; any other mix of lists and tuples to a
/// tuple.
fn concat(args: &[Value], _: &FuncCtx) -> FuncResult {
    if args.is_empty() {
        return Err(FuncError::call("at least one argument is required"));
    }
    let mut marked = false;
    let mut seqs = Vec::with_capacity(args.len());
    for (i, arg) in args.iter().enumerate() {
        let (v, m) = top(arg);
        marked |= m;
        match v {
            Value::List(_)
            | Value::Tuple(_)
            | Value::Unknown(Type::List(_) | Type::Tuple(_) | Type::Dynamic) => seqs.push(v),
            other => {
                return Err(FuncError::arg(
                    i,
                    format!(
                        "all arguments must be lists or tuples; got {}",
                        friendly_name(&other.ty())
                    ),
                ));
            }
        }
    }
    if seqs.iter().any(|v| !v.is_known()) {
        return Ok(Value::unknown().with_mark(marked));
    }
    if seqs.iter().all(|v| matches!(v, Value::List(_))) {
        let types: Vec<Type> = seqs.iter().map(|v| v.ty()).collect();
        if let Some(common) = unify(&types) {
            let target = Constraint::from(&common);
            let mut out = Vec::new();
            for (i, v) in seqs.iter().enumerate() {
                let converted =
                    convert((*v).clone(), &target).map_err(|e| FuncError::arg(i, e.to_string()))?;
                out.extend(seq(&converted).iter().cloned());
            }
            return Ok(Value::List(out).with_mark(marked));
        }
    }
    let out: Vec<Value> = seqs.iter().flat_map(|v| seq(v).iter().cloned()).collect();
    Ok(Value::Tuple(out).with_mark(marked))
}

fn contains(args: &[Value], _: &FuncCtx) -> FuncResult {
    let list = &args[0];
    if list.is_null() {
        return Err(FuncError::arg(0, "argument must not be null"));
    }
    match list {
        Value::List(_)
        | Value::Set(_)
        | Value::Tuple(_)
        | Value::Unknown(Type::List(_) | Type::Set(_) | Type::Tuple(_) | Type::Dynamic) => {}
        _ => return Err(FuncError::call("argument must be list, tuple, or set")),
    }
    if list.is_known() && seq(list).is_empty() {
        return Ok(Value::Bool(false));
    }
    if !list.is_known() || !args[1].is_known() {
        return Ok(Value::Unknown(Type::Bool));
    }
    let mut undecided = false;
    for v in seq(list) {
        match equal(&args[1], v) {
            Some(true) => return Ok(Value::Bool(true)),
            None => undecided = true,
            Some(false) => {}
        }
    }
    Ok(if undecided {
        Value::Unknown(Type::Bool)
    } else {
        Value::Bool(false)
    })
}

/// The list without repeated elements, keeping the first of each.
fn distinct(args: &[Value], _: &FuncCtx) -> FuncResult {
    let list = arg_as(args, 0, &list_any())?;
    if !list.is_wholly_known() {
        return Ok(Value::unknown());
    }
    let mut out: Vec<Value> = Vec::new();
    for v in seq(&list) {
        if !out.iter().any(|o| equal(o, v) == Some(true)) {
            out.push(v.clone());
        }
    }
    Ok(Value::List(out))
}

/// `element(list, index)`: the index wraps around (modulo the length), also for negative ones.
fn element(args: &[Value], _: &FuncCtx) -> FuncResult {
    let (list, list_marked) = top(&args[0]);
    let (index, index_marked) = top(&args[1]);
    let marked = list_marked || index_marked;
    match list {
        Value::List(_)
        | Value::Tuple(_)
        | Value::Unknown(Type::List(_) | Type::Tuple(_) | Type::Dynamic) => {}
        other => {
            return Err(FuncError::call(format!(
                "cannot read elements from {}",
                friendly_name(&other.ty())
            )));
        }
    }
    if !list.is_known() || !index.is_known() {
        return Ok(Value::unknown().with_mark(marked));
    }
    let index = whole(index, 1, "invalid index: ")?;
    let items = seq(list);
    if items.is_empty() {
        return Err(FuncError::call(
            "cannot use element function with an empty list",
        ));
    }
    let len = i64::try_from(items.len()).unwrap_or(i64::MAX);
    let at = usize::try_from(index.rem_euclid(len)).unwrap_or(0);
    items
        .get(at)
        .map(|v| v.clone().with_mark(marked))
        .ok_or_else(|| FuncError::call("cannot use element function with an empty list"))
}

/// Flattens nested lists, sets and tuples into one tuple.
fn flatten(args: &[Value], _: &FuncCtx) -> FuncResult {
    let (list, mut marked) = top(&args[0]);
    if !list.is_known() {
        return Ok(Value::unknown().with_mark(marked));
    }
    if !matches!(list, Value::List(_) | Value::Set(_) | Value::Tuple(_)) {
        return Err(FuncError::call("can only flatten lists, sets and tuples"));
    }
    let mut out = Vec::new();
    if !flatten_into(list, &mut out, &mut marked) {
        return Ok(Value::unknown().with_mark(marked));
    }
    Ok(Value::Tuple(out).with_mark(marked))
}

/// Appends the flattened elements of `v`; false when unknowns make the result unpredictable.
fn flatten_into(v: &Value, out: &mut Vec<Value>, marked: &mut bool) -> bool {
    if let Value::Set(items) = v
        && set_length_unknown(items)
    {
        return false;
    }
    let mut known = true;
    for item in seq(v) {
        let (inner, m) = top(item);
        match inner {
            Value::Unknown(Type::List(_) | Type::Set(_) | Type::Tuple(_)) => {
                *marked |= m;
                known = false;
            }
            Value::Unknown(Type::Dynamic) => {
                known = false;
                out.push(item.clone());
            }
            Value::List(_) | Value::Set(_) | Value::Tuple(_) => {
                *marked |= m;
                if !flatten_into(inner, out, marked) {
                    known = false;
                }
            }
            _ => out.push(item.clone()),
        }
    }
    known
}

/// `index(list, value)`: the position of the first element equal to the value.
fn index(args: &[Value], _: &FuncCtx) -> FuncResult {
    let list = &args[0];
    match list {
        Value::List(_)
        | Value::Tuple(_)
        | Value::Unknown(Type::List(_) | Type::Tuple(_) | Type::Dynamic) => {}
        _ => return Err(FuncError::call("argument must be a list or tuple")),
    }
    if !list.is_known() || !args[1].is_known() {
        return Ok(Value::Unknown(Type::Number));
    }
    let items = seq(list);
    if items.is_empty() {
        return Err(FuncError::call("cannot search an empty list"));
    }
    for (i, v) in items.iter().enumerate() {
        match equal(v, &args[1]) {
            Some(true) => return Ok(count(i)),
            None => return Ok(Value::Unknown(Type::Number)),
            Some(false) => {}
        }
    }
    Err(FuncError::call("item not found"))
}

/// The keys of a map (a list) or the attribute names of an object (a tuple), sorted.
fn keys(args: &[Value], _: &FuncCtx) -> FuncResult {
    let (m, marked) = top(&args[0]);
    let result = match m {
        Value::Object(attrs) => Value::Tuple(key_strings(attrs.keys())),
        Value::Unknown(Type::Object(attrs)) => Value::Tuple(key_strings(attrs.keys())),
        Value::Map(items) => Value::List(key_strings(items.keys())),
        Value::Unknown(Type::Map(_)) => Value::Unknown(Type::list(Type::String)),
        Value::Unknown(Type::Dynamic) => Value::unknown(),
        _ => return Err(FuncError::arg(0, "must have map or object type")),
    };
    Ok(result.with_mark(marked))
}

fn key_strings<'a>(keys: impl Iterator<Item = &'a String>) -> Vec<Value> {
    keys.map(|k| Value::String(k.clone())).collect()
}

/// `length(value)`: elements of a collection, attributes of an object, characters of a string.
fn length(args: &[Value], _: &FuncCtx) -> FuncResult {
    let (v, marked) = top(&args[0]);
    let result = match v {
        Value::String(s) => count(grapheme_count(s)),
        Value::Set(items) if set_length_unknown(items) => Value::Unknown(Type::Number),
        Value::List(items) | Value::Set(items) | Value::Tuple(items) => count(items.len()),
        Value::Map(items) | Value::Object(items) => count(items.len()),
        Value::Unknown(Type::Tuple(elems)) => count(elems.len()),
        Value::Unknown(Type::Object(attrs)) => count(attrs.len()),
        Value::Unknown(
            Type::String | Type::List(_) | Type::Set(_) | Type::Map(_) | Type::Dynamic,
        ) => Value::Unknown(Type::Number),
        _ => {
            return Err(FuncError::arg(
                0,
                "argument must be a string, a collection type, or a structural type",
            ));
        }
    };
    Ok(result.with_mark(marked))
}

/// Number of user-perceived characters. Without the Unicode segmentation tables this
/// approximates grapheme clusters: combining marks, variation selectors, emoji modifiers and
/// tags join the preceding character, as do characters after a zero-width joiner, the second of
/// a pair of regional indicators (a flag) and the LF of a CRLF.
fn grapheme_count(s: &str) -> usize {
    let mut clusters = 0;
    let mut prev: Option<char> = None;
    let mut pending_flag = false;
    for c in s.chars() {
        let joins = match prev {
            None => false,
            Some(p) => {
                is_extend(c)
                    || p == '\u{200D}'
                    || (p == '\r' && c == '\n')
                    || (pending_flag && is_regional_indicator(c))
            }
        };
        if is_regional_indicator(c) {
            pending_flag = !(joins && pending_flag);
        } else {
            pending_flag = false;
        }
        if !joins {
            clusters += 1;
        }
        prev = Some(c);
    }
    clusters
}

fn is_regional_indicator(c: char) -> bool {
    ('\u{1F1E6}'..='\u{1F1FF}').contains(&c)
}

fn is_extend(c: char) -> bool {
    matches!(c,
        '\u{0300}'..='\u{036F}'
        | '\u{0483}'..='\u{0489}'
        | '\u{0591}'..='\u{05BD}'
        | '\u{05BF}' | '\u{05C1}'..='\u{05C2}' | '\u{05C4}'..='\u{05C5}' | '\u{05C7}'
        | '\u{0610}'..='\u{061A}'
        | '\u{064B}'..='\u{065F}'
        | '\u{0670}'
        | '\u{06D6}'..='\u{06DC}'
        | '\u{06DF}'..='\u{06E4}'
        | '\u{06E7}'..='\u{06E8}'
        | '\u{06EA}'..='\u{06ED}'
        | '\u{0900}'..='\u{0903}'
        | '\u{093A}'..='\u{094F}'
        | '\u{0951}'..='\u{0957}'
        | '\u{0962}'..='\u{0963}'
        | '\u{0981}'..='\u{0983}'
        | '\u{09BC}'..='\u{09D7}'
        | '\u{0E31}' | '\u{0E34}'..='\u{0E3A}' | '\u{0E47}'..='\u{0E4E}'
        | '\u{1AB0}'..='\u{1AFF}'
        | '\u{1DC0}'..='\u{1DFF}'
        | '\u{200C}' | '\u{200D}'
        | '\u{20D0}'..='\u{20FF}'
        | '\u{3099}'..='\u{309A}'
        | '\u{FE00}'..='\u{FE0F}'
        | '\u{FE20}'..='\u{FE2F}'
        | '\u{1F3FB}'..='\u{1F3FF}'
        | '\u{E0020}'..='\u{E007F}'
        | '\u{E0100}'..='\u{E01EF}'
    )
}

/// `lookup(map, key, default)`: the element, else the default, else an error.
fn lookup(args: &[Value], _: &FuncCtx) -> FuncResult {
    if args.len() > 3 {
        return Err(FuncError::call(format!(
            "lookup() takes two or three arguments, got {}",
            args.len()
        )));
    }
    for (i, arg) in args.iter().enumerate().take(2) {
        if arg.is_null() {
            return Err(FuncError::arg(i, "argument must not be null"));
        }
    }
    let (map, map_marked) = top(&args[0]);
    let (key, key_marked) = top(&args[1]);
    let marked = map_marked || key_marked;
    let default = args.get(2);
    let is_object = match map {
        Value::Object(_) | Value::Unknown(Type::Object(_)) => true,
        Value::Map(_) | Value::Unknown(Type::Map(_)) => false,
        Value::Unknown(Type::Dynamic) => return Ok(Value::unknown().with_mark(marked)),
        _ => {
            return Err(FuncError::arg(
                0,
                "lookup() requires a map as the first argument",
            ));
        }
    };
    if !key.is_known() {
        return Ok(Value::unknown().with_mark(marked));
    }
    let key =
        convert(key.clone(), &Constraint::String).map_err(|e| FuncError::arg(1, e.to_string()))?;
    let key = key.as_str().unwrap_or_default().to_string();

    if is_object {
        let attr_ty = match map.ty() {
            Type::Object(attrs) => attrs.get(&key).cloned(),
            _ => None,
        };
        match (attr_ty, default) {
            (Some(t), _) => {
                let found = map.get_attr(&key).cloned().unwrap_or(Value::Unknown(t));
                return Ok(found.with_mark(marked));
            }
            (None, Some(d)) => return Ok(d.clone().with_mark(marked)),
            (None, None) => {
                return Err(FuncError::arg(
                    0,
                    format!("the given object has no attribute {key:?}"),
                ));
            }
        }
    }

    let elem_ty = map.ty().element().cloned().unwrap_or(Type::Dynamic);
    let default = match default {
        Some(d) => Some(convert_to_elem(d, &elem_ty)?),
        None => None,
    };
    if !map.is_known() {
        return Ok(Value::Unknown(elem_ty).with_mark(marked));
    }
    if let Some(v) = map.get_attr(&key) {
        return Ok(v.clone().with_mark(marked));
    }
    match default {
        Some(d) => Ok(d.with_mark(marked)),
        None => Err(FuncError::call(format!(
            "lookup failed to find key {}",
            if key_marked {
                "(sensitive value)".to_string()
            } else {
                format!("{key:?}")
            }
        ))),
    }
}

fn convert_to_elem(default: &Value, elem_ty: &Type) -> Result<Value, FuncError> {
    convert(default.clone(), &Constraint::from(elem_ty)).map_err(|_| {
        FuncError::arg(
            2,
            "the default value must have the same type as the map elements",
        )
    })
}

/// `matchkeys(values, keys, searchset)`: the values whose key is in the search set.
fn matchkeys(args: &[Value], _: &FuncCtx) -> FuncResult {
    let values = arg_as(args, 0, &list_any())?;
    let keys = arg_as(args, 1, &list_any())?;
    let search = arg_as(args, 2, &list_any())?;
    let Some(ty) = unify(&[keys.ty(), search.ty()]) else {
        return Err(FuncError::call(
            "keys and searchset must be of the same type",
        ));
    };
    let target = Constraint::from(&ty);
    let keys = convert(keys, &target).map_err(|e| FuncError::arg(1, e.to_string()))?;
    let search = convert(search, &target).map_err(|e| FuncError::arg(2, e.to_string()))?;
    let (values, keys, search) = (seq(&values), seq(&keys), seq(&search));
    if values.len() != keys.len() {
        return Err(FuncError::call("length of keys and values should be equal"));
    }
    let mut out = Vec::new();
    for (value, key) in values.iter().zip(keys) {
        if search.iter().any(|s| equal(key, s) == Some(true)) {
            out.push(value.clone());
        }
    }
    Ok(Value::List(out))
}

/// `merge(maps...)`: later keys win; nulls are skipped. Maps of one element type merge to a map,
/// anything else to an object.
fn merge(args: &[Value], _: &FuncCtx) -> FuncResult {
    let mut marked = false;
    let mut parts = Vec::with_capacity(args.len());
    for arg in args {
        let (v, m) = top(arg);
        match v {
            Value::Null(_) => {}
            Value::Unknown(Type::Dynamic) => return Ok(Value::unknown().with_mark(marked || m)),
            Value::Map(_) | Value::Object(_) | Value::Unknown(Type::Map(_) | Type::Object(_)) => {
                marked |= m;
                parts.push(v);
            }
            other => {
                return Err(FuncError::call(format!(
                    "arguments must be maps or objects, got {:?}",
                    friendly_name(&other.ty())
                )));
            }
        }
    }
    if parts.iter().any(|p| !p.is_known()) {
        return Ok(Value::unknown().with_mark(marked));
    }
    let mut out = BTreeMap::new();
    for part in &parts {
        if let Some(entries) = part.as_entries() {
            for (k, v) in entries {
                out.insert(k.clone(), v.clone());
            }
        }
    }
    let all_maps = !parts.is_empty() && parts.iter().all(|p| matches!(p, Value::Map(_)));
    let element_types: Vec<Type> = parts
        .iter()
        .filter(|p| p.length().is_some_and(|l| l > 0))
        .map(|p| p.ty())
        .collect();
    let one_type = element_types.windows(2).all(|w| w[0] == w[1]);
    Ok(if all_maps && one_type {
        Value::Map(out)
    } else {
        Value::Object(out)
    }
    .with_mark(marked))
}

/// `one(list)`: null for no element, the element for one, an error for more.
fn one(args: &[Value], _: &FuncCtx) -> FuncResult {
    let wrong = || {
        FuncError::arg(
            0,
            "must be a list, set, or tuple value with either zero or one elements",
        )
    };
    match &args[0] {
        Value::Unknown(Type::List(e) | Type::Set(e)) => Ok(Value::Unknown((**e).clone())),
        Value::Unknown(Type::Tuple(es)) => match es.as_slice() {
            [] => Ok(Value::null()),
            [t] => Ok(Value::Unknown(t.clone())),
            _ => Err(wrong()),
        },
        Value::Unknown(Type::Dynamic) => Ok(Value::unknown()),
        Value::Set(items) if set_length_unknown(items) => Ok(Value::unknown()),
        Value::List(items) | Value::Set(items) | Value::Tuple(items) => match items.as_slice() {
            [] => Ok(Value::null()),
            [v] => Ok(v.clone()),
            _ => Err(wrong()),
        },
        _ => Err(wrong()),
    }
}

/// `range(limit)`, `range(start, limit)`, `range(start, limit, step)`.
fn range(args: &[Value], _: &FuncCtx) -> FuncResult {
    let mut nums = Vec::with_capacity(args.len());
    for (i, arg) in args.iter().enumerate() {
        let v = convert(arg.clone(), &Constraint::Number)
            .map_err(|e| FuncError::arg(i, e.to_string()))?;
        nums.push(v.as_number().cloned().unwrap_or_default());
    }
    let zero = Number::zero();
    let up = Number::from_i64(1);
    let down = Number::from_i64(-1);
    let (start, end, step) = match nums.as_slice() {
        [end] => (
            zero.clone(),
            end.clone(),
            if *end < zero { down } else { up },
        ),
        [start, end] => (
            start.clone(),
            end.clone(),
            if end < start { down } else { up },
        ),
        [start, end, step] => (start.clone(), end.clone(), step.clone()),
        _ => {
            return Err(FuncError::call("must have one, two, or three arguments"));
        }
    };
    if step.is_zero() {
        return Err(FuncError::arg(2, "step must not be zero"));
    }
    let descending = step.is_negative();
    if descending && end > start {
        return Err(FuncError::arg(
            1,
            "end must be less than start when step is negative",
        ));
    }
    if !descending && end < start {
        return Err(FuncError::arg(
            1,
            "end must be greater than start when step is positive",
        ));
    }
    let mut out = Vec::new();
    let mut n = start;
    while (descending && n > end) || (!descending && n < end) {
        if out.len() >= 1024 {
            return Err(FuncError::call(
                "more than 1024 values were generated; either decrease the difference between start and end or use a smaller step",
            ));
        }
        let next = n.add(&step);
        out.push(Value::Number(n));
        n = next;
    }
    Ok(Value::List(out))
}

fn reverse(args: &[Value], _: &FuncCtx) -> FuncResult {
    let (v, marked) = top(&args[0]);
    let result = match v {
        Value::Tuple(items) => Value::Tuple(items.iter().rev().cloned().collect()),
        Value::List(items) | Value::Set(items) => {
            Value::List(items.iter().rev().cloned().collect())
        }
        Value::Unknown(Type::List(e) | Type::Set(e)) => Value::Unknown(Type::List(e.clone())),
        Value::Unknown(Type::Tuple(es)) => {
            Value::Unknown(Type::Tuple(es.iter().rev().cloned().collect()))
        }
        Value::Unknown(Type::Dynamic) => Value::unknown(),
        other => {
            return Err(FuncError::arg(
                0,
                format!(
                    "can only reverse list or tuple values, not {}",
                    friendly_name(&other.ty())
                ),
            ));
        }
    };
    Ok(result.with_mark(marked))
}

/// The arguments of a set operation, converted to sets of their common element type.
fn set_args(args: &[Value]) -> Result<(Vec<Value>, Type), FuncError> {
    let mut sets = Vec::with_capacity(args.len());
    for i in 0..args.len() {
        sets.push(arg_as(args, i, &set_any())?);
    }
    let elem_types: Vec<Type> = sets
        .iter()
        .filter(|s| !(s.is_known() && seq(s).is_empty()))
        .filter_map(|s| s.ty().element().cloned())
        .collect();
    let elem = if elem_types.is_empty() {
        Type::Dynamic
    } else {
        unify(&elem_types)
            .ok_or_else(|| FuncError::call("given sets must all have compatible element types"))?
    };
    let target = Constraint::Set(Box::new(Constraint::from(&elem)));
    let mut converted = Vec::with_capacity(sets.len());
    for (i, s) in sets.into_iter().enumerate() {
        converted.push(convert(s, &target).map_err(|e| FuncError::arg(i, e.to_string()))?);
    }
    Ok((converted, Type::set(elem)))
}

fn setunion(args: &[Value], _: &FuncCtx) -> FuncResult {
    let (sets, ty) = set_args(args)?;
    if sets.iter().any(|s| !s.is_known()) {
        return Ok(Value::Unknown(ty));
    }
    Ok(Value::set(
        sets.iter().flat_map(|s| seq(s).iter().cloned()).collect(),
    ))
}

fn setintersection(args: &[Value], _: &FuncCtx) -> FuncResult {
    let (sets, ty) = set_args(args)?;
    if sets.iter().any(|s| !s.is_wholly_known()) {
        return Ok(Value::Unknown(ty));
    }
    let Some((first, rest)) = sets.split_first() else {
        return Ok(Value::set(Vec::new()));
    };
    Ok(Value::set(
        seq(first)
            .iter()
            .filter(|v| rest.iter().all(|s| seq(s).contains(v)))
            .cloned()
            .collect(),
    ))
}

fn setsubtract(args: &[Value], _: &FuncCtx) -> FuncResult {
    let (sets, ty) = set_args(args)?;
    if sets.iter().any(|s| !s.is_wholly_known()) {
        return Ok(Value::Unknown(ty));
    }
    let (Some(a), Some(b)) = (sets.first(), sets.get(1)) else {
        return Ok(Value::Unknown(ty));
    };
    Ok(Value::set(
        seq(a)
            .iter()
            .filter(|v| !seq(b).contains(v))
            .cloned()
            .collect(),
    ))
}

/// The cartesian product: a list of tuples when every argument is a list or tuple, else a set.
fn setproduct(args: &[Value], _: &FuncCtx) -> FuncResult {
    if args.len() < 2 {
        return Err(FuncError::call("at least two arguments are required"));
    }
    let mut all_lists = true;
    let mut elem_types = Vec::with_capacity(args.len());
    for (i, arg) in args.iter().enumerate() {
        let ty = match arg.ty() {
            Type::Set(e) => {
                all_lists = false;
                *e
            }
            Type::List(e) => *e,
            Type::Tuple(es) if es.is_empty() => Type::Dynamic,
            Type::Tuple(es) => unify(&es)
                .ok_or_else(|| FuncError::arg(i, "all elements must be of the same type"))?,
            Type::Dynamic if !arg.is_known() => return Ok(Value::unknown()),
            _ => return Err(FuncError::arg(i, "a set or a list is required")),
        };
        elem_types.push(ty);
    }
    let unknown_length = args.iter().any(|a| match a {
        Value::Set(items) => set_length_unknown(items),
        other => !other.is_known(),
    });
    if unknown_length {
        return Ok(Value::unknown());
    }
    let mut columns = Vec::with_capacity(args.len());
    for (i, (arg, ty)) in args.iter().zip(&elem_types).enumerate() {
        let target = Constraint::from(ty);
        let mut column = Vec::new();
        for v in seq(arg) {
            column.push(convert(v.clone(), &target).map_err(|e| FuncError::arg(i, e.to_string()))?);
        }
        columns.push(column);
    }
    let mut rows: Vec<Vec<Value>> = vec![Vec::new()];
    for column in &columns {
        let mut next = Vec::with_capacity(rows.len() * column.len());
        for row in &rows {
            for v in column {
                let mut r = row.clone();
                r.push(v.clone());
                next.push(r);
            }
        }
        rows = next;
    }
    let tuples: Vec<Value> = rows.into_iter().map(Value::Tuple).collect();
    Ok(if all_lists {
        Value::List(tuples)
    } else {
        Value::set(tuples)
    })
}

/// `slice(list, start, end)`: elements `start` up to (not including) `end`.
fn slice(args: &[Value], _: &FuncCtx) -> FuncResult {
    let (list, list_marked) = top(&args[0]);
    let marked = list_marked || args[1].is_sensitive() || args[2].is_sensitive();
    match list {
        Value::Set(_) | Value::Unknown(Type::Set(_)) => {
            return Err(FuncError::arg(
                0,
                "cannot slice a set, because its elements do not have indices; explicitly convert to a list if the ordering of the result is not important",
            ));
        }
        Value::List(_)
        | Value::Tuple(_)
        | Value::Unknown(Type::List(_) | Type::Tuple(_) | Type::Dynamic) => {}
        _ => return Err(FuncError::arg(0, "must be a list or tuple value")),
    }
    let length = match list {
        Value::List(items) | Value::Tuple(items) => Some(items.len()),
        Value::Unknown(Type::Tuple(es)) => Some(es.len()),
        _ => None,
    };
    let bound = |i: usize, name: &str| -> Result<Option<usize>, FuncError> {
        let v = args[i].unmarked();
        if !v.is_known() {
            return Ok(None);
        }
        let n = whole(v, i, &format!("invalid {name} index: "))?;
        if n < 0 {
            return Err(FuncError::arg(
                i,
                format!("{name} index must not be less than zero"),
            ));
        }
        let n = usize::try_from(n).unwrap_or(usize::MAX);
        if length.is_some_and(|l| n > l) {
            return Err(FuncError::arg(
                i,
                format!("{name} index must not be greater than the length of the list"),
            ));
        }
        Ok(Some(n))
    };
    let start = bound(1, "start")?;
    let end = bound(2, "end")?;
    let (Some(start), Some(end)) = (start, end) else {
        return Ok(Value::unknown().with_mark(marked));
    };
    if start > end {
        return Err(FuncError::arg(
            1,
            "start index must not be greater than end index",
        ));
    }
    let result = match list {
        Value::List(items) => Value::List(items.get(start..end).unwrap_or_default().to_vec()),
        Value::Tuple(items) => Value::Tuple(items.get(start..end).unwrap_or_default().to_vec()),
        _ => Value::unknown(),
    };
    Ok(result.with_mark(marked))
}

/// `sort(list)`: strings in lexical order (numbers are converted to strings first).
fn sort(args: &[Value], _: &FuncCtx) -> FuncResult {
    let list = arg_as(args, 0, &list_of(Constraint::String))?;
    if !list.is_wholly_known() {
        return Ok(Value::Unknown(Type::list(Type::String)));
    }
    let mut strings = Vec::new();
    for (i, v) in seq(&list).iter().enumerate() {
        match v.as_str() {
            Some(s) => strings.push(s.to_string()),
            None => {
                return Err(FuncError::call(format!(
                    "given list element {i} is null; a null string cannot be sorted"
                )));
            }
        }
    }
    strings.sort();
    Ok(Value::List(
        strings.into_iter().map(Value::String).collect(),
    ))
}

fn sum(args: &[Value], _: &FuncCtx) -> FuncResult {
    const NOT_NUMBERS: &str = "argument must be list, set, or tuple of number values";
    let v = &args[0];
    let items = match v {
        Value::List(items) | Value::Set(items) | Value::Tuple(items) => items,
        Value::Map(entries) | Value::Object(entries) => {
            return Err(FuncError::arg(
                0,
                if entries.is_empty() {
                    "cannot sum an empty list".to_string()
                } else {
                    format!(
                        "argument must be list, set, or tuple. Received {}",
                        friendly_name(&v.ty())
                    )
                },
            ));
        }
        _ => return Err(FuncError::arg(0, "cannot sum noniterable")),
    };
    if items.is_empty() {
        return Err(FuncError::arg(0, "cannot sum an empty list"));
    }
    let mut total = Number::zero();
    for item in items {
        if item.is_null() {
            return Err(FuncError::arg(0, NOT_NUMBERS));
        }
        let n = convert(item.clone(), &Constraint::Number)
            .ok()
            .and_then(|n| n.as_number().cloned())
            .ok_or_else(|| FuncError::arg(0, NOT_NUMBERS))?;
        total = total.add(&n);
    }
    Ok(Value::Number(total))
}

/// `transpose(map of lists of strings)`: each string becomes a key listing the keys it was in.
fn transpose(args: &[Value], _: &FuncCtx) -> FuncResult {
    let to = Constraint::Map(Box::new(list_of(Constraint::String)));
    let input = arg_as(args, 0, &to)?;
    let mut out: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for (key, list) in input.as_entries().into_iter().flatten() {
        if list.is_null() {
            return Err(FuncError::call("input must not contain null list"));
        }
        for v in seq(list) {
            match v.as_str() {
                Some(s) => out.entry(s.to_string()).or_default().push(key.clone()),
                None if v.is_null() => {
                    return Err(FuncError::call("input list must not contain null string"));
                }
                None => {
                    return Err(FuncError::call("input must be a map of lists of strings"));
                }
            }
        }
    }
    Ok(Value::Map(
        out.into_iter()
            .map(|(k, mut keys)| {
                keys.sort();
                (
                    k,
                    Value::List(keys.into_iter().map(Value::String).collect()),
                )
            })
            .collect(),
    ))
}

/// The values of a map (a list) or object (a tuple), in key order.
fn values(args: &[Value], _: &FuncCtx) -> FuncResult {
    let (m, marked) = top(&args[0]);
    let result = match m {
        Value::Map(items) => Value::List(items.values().cloned().collect()),
        Value::Object(items) => Value::Tuple(items.values().cloned().collect()),
        Value::Unknown(Type::Map(e)) => Value::Unknown(Type::List(e.clone())),
        Value::Unknown(Type::Object(attrs)) => {
            Value::Unknown(Type::Tuple(attrs.values().cloned().collect()))
        }
        Value::Unknown(Type::Dynamic) => Value::unknown(),
        _ => {
            return Err(FuncError::call(
                "values() requires a map as the first argument",
            ));
        }
    };
    Ok(result.with_mark(marked))
}

/// `zipmap(keys, values)`: a map from a list of values, an object from a tuple.
fn zipmap(args: &[Value], _: &FuncCtx) -> FuncResult {
    let (keys, keys_marked) = top(&args[0]);
    let (values, values_marked) = top(&args[1]);
    let mut marked = keys_marked || values_marked;
    match values {
        Value::List(_) | Value::Tuple(_) | Value::Unknown(Type::List(_) | Type::Tuple(_)) => {}
        Value::Unknown(Type::Dynamic) => return Ok(Value::unknown().with_mark(marked)),
        _ => {
            return Err(FuncError::call(
                "values argument must be a list or tuple value",
            ));
        }
    }
    if !keys.is_wholly_known() || !values.is_known() {
        return Ok(Value::unknown().with_mark(marked));
    }
    let keys = convert(keys.clone(), &list_of(Constraint::String))
        .map_err(|e| FuncError::arg(0, e.to_string()))?;
    let (keys, items) = (seq(&keys), seq(values));
    if keys.len() != items.len() {
        return Err(FuncError::call(format!(
            "number of keys ({}) does not match number of values ({})",
            keys.len(),
            items.len()
        )));
    }
    let mut out = BTreeMap::new();
    for (i, (key, value)) in keys.iter().zip(items).enumerate() {
        let (key, key_marked) = top(key);
        marked |= key_marked;
        let Some(key) = key.as_str() else {
            return Err(FuncError::call(format!(
                "keys list has null value at index {i}"
            )));
        };
        out.insert(key.to_string(), value.clone());
    }
    Ok(if matches!(values, Value::List(_)) {
        Value::Map(out)
    } else {
        Value::Object(out)
    }
    .with_mark(marked))
}

#[cfg(test)]
mod tests {
    use crate::functions::testkit::{err, n, num as d, ok, s};
    use terrane_types::{Type, Value};

    fn t(items: Vec<Value>) -> Value {
        Value::Tuple(items)
    }

    fn l(items: Vec<Value>) -> Value {
        Value::List(items)
    }

    fn strs(items: &[&str]) -> Vec<Value> {
        items.iter().map(|v| s(v)).collect()
    }

    fn unknown() -> Value {
        Value::unknown()
    }

    fn secret(v: Value) -> Value {
        v.mark_sensitive()
    }

    // alltrue / anytrue

    #[test]
    fn alltrue_is_true_only_when_every_element_is_true() {
        assert_eq!(ok("alltrue", vec![t(vec![])]), Value::Bool(true));
        assert_eq!(
            ok("alltrue", vec![t(vec![Value::Bool(true), s("true")])]),
            Value::Bool(true)
        );
        assert_eq!(
            ok(
                "alltrue",
                vec![t(vec![Value::Bool(true), Value::Bool(false)])]
            ),
            Value::Bool(false)
        );
        assert_eq!(
            ok("alltrue", vec![t(vec![Value::Bool(true), Value::null()])]),
            Value::Bool(false)
        );
    }

    #[test]
    fn alltrue_with_an_unknown_element_is_unknown() {
        assert_eq!(
            ok("alltrue", vec![t(vec![Value::Bool(true), unknown()])]),
            Value::Unknown(Type::Bool)
        );
        assert_eq!(ok("alltrue", vec![unknown()]), Value::Unknown(Type::Bool));
    }

    #[test]
    fn alltrue_refuses_non_bools() {
        assert_eq!(
            err("alltrue", vec![t(vec![s("yes")])]),
            "element 0: a bool is required"
        );
    }

    #[test]
    fn anytrue_is_true_when_some_element_is_true_even_beside_unknowns() {
        assert_eq!(ok("anytrue", vec![t(vec![])]), Value::Bool(false));
        assert_eq!(
            ok("anytrue", vec![t(vec![unknown(), Value::Bool(true)])]),
            Value::Bool(true)
        );
        assert_eq!(
            ok("anytrue", vec![t(vec![unknown(), Value::Bool(false)])]),
            Value::Unknown(Type::Bool)
        );
        assert_eq!(
            ok("anytrue", vec![t(vec![Value::null(), Value::Bool(false)])]),
            Value::Bool(false)
        );
    }

    // chunklist

    #[test]
    fn chunklist_splits_into_fixed_size_chunks() {
        assert_eq!(
            ok("chunklist", vec![t(strs(&["a", "b", "c"])), n(2)]),
            l(vec![l(strs(&["a", "b"])), l(strs(&["c"]))])
        );
        assert_eq!(
            ok("chunklist", vec![t(strs(&["a", "b"])), n(0)]),
            l(vec![l(strs(&["a", "b"]))])
        );
        assert_eq!(ok("chunklist", vec![t(vec![]), n(3)]), l(vec![]));
    }

    #[test]
    fn chunklist_refuses_negative_and_fractional_sizes() {
        assert_eq!(
            err("chunklist", vec![t(strs(&["a"])), n(-1)]),
            "the size argument must be positive"
        );
        assert!(err("chunklist", vec![t(strs(&["a"])), d("1.5")]).starts_with("invalid size: "));
    }

    #[test]
    fn chunklist_keeps_marks_and_handles_unknowns() {
        assert_eq!(
            ok("chunklist", vec![secret(t(strs(&["a"]))), n(1)]),
            secret(l(vec![l(strs(&["a"]))]))
        );
        assert_eq!(ok("chunklist", vec![unknown(), n(1)]), unknown());
        assert_eq!(
            ok("chunklist", vec![t(vec![s("a"), unknown()]), n(1)]),
            l(vec![l(strs(&["a"])), l(vec![Value::Unknown(Type::String)])])
        );
    }

    // coalesce / coalescelist

    #[test]
    fn coalesce_skips_nulls_and_empty_strings() {
        assert_eq!(ok("coalesce", vec![s(""), s("b")]), s("b"));
        assert_eq!(ok("coalesce", vec![Value::null(), s("a")]), s("a"));
        assert_eq!(ok("coalesce", vec![n(1), n(2)]), n(1));
        assert_eq!(ok("coalesce", vec![s(""), n(2)]), s("2"));
    }

    #[test]
    fn coalesce_errors() {
        assert_eq!(
            err("coalesce", vec![Value::null(), s("")]),
            "no non-null, non-empty-string arguments"
        );
        assert_eq!(
            err("coalesce", vec![n(1), Value::Bool(true)]),
            "all arguments must have the same type"
        );
    }

    #[test]
    fn coalesce_stops_at_an_unknown() {
        assert_eq!(
            ok("coalesce", vec![Value::null(), unknown(), s("a")]),
            Value::Unknown(Type::String)
        );
        assert_eq!(ok("coalesce", vec![s("a"), unknown()]), s("a"));
    }

    #[test]
    fn coalesce_of_sensitive_arguments_is_sensitive() {
        assert_eq!(ok("coalesce", vec![secret(s("a")), s("b")]), secret(s("a")));
    }

    #[test]
    fn coalescelist_returns_the_first_non_empty_list() {
        assert_eq!(
            ok("coalescelist", vec![t(vec![]), t(strs(&["a"]))]),
            t(strs(&["a"]))
        );
        assert_eq!(
            ok("coalescelist", vec![Value::null(), l(strs(&["x"]))]),
            l(strs(&["x"]))
        );
        assert_eq!(
            ok("coalescelist", vec![t(vec![]), unknown()]),
            Value::unknown()
        );
        assert_eq!(
            err("coalescelist", vec![t(vec![]), t(vec![])]),
            "no non-null arguments"
        );
        assert_eq!(
            err("coalescelist", vec![s("a")]),
            "coalescelist arguments must be lists or tuples"
        );
        assert_eq!(
            err("coalescelist", vec![]),
            "at least one argument is required"
        );
    }

    // compact

    #[test]
    fn compact_removes_empty_strings_and_nulls() {
        assert_eq!(
            ok("compact", vec![t(vec![s("a"), s(""), Value::null(), n(1)])]),
            l(strs(&["a", "1"]))
        );
        assert_eq!(
            ok("compact", vec![t(vec![s("a"), unknown()])]),
            Value::Unknown(Type::Dynamic)
        );
    }

    // concat

    #[test]
    fn concat_of_lists_is_a_list_and_of_tuples_a_tuple() {
        assert_eq!(
            ok("concat", vec![l(strs(&["a"])), l(vec![n(1)])]),
            l(strs(&["a", "1"]))
        );
        assert_eq!(
            ok("concat", vec![t(strs(&["a"])), t(vec![n(1)])]),
            t(vec![s("a"), n(1)])
        );
    }

    #[test]
    fn concat_refuses_non_sequences() {
        assert_eq!(
            err("concat", vec![t(vec![]), s("a")]),
            "all arguments must be lists or tuples; got string"
        );
        assert_eq!(
            err("concat", vec![Value::set(strs(&["a"]))]),
            "all arguments must be lists or tuples; got set of string"
        );
        assert_eq!(err("concat", vec![]), "at least one argument is required");
    }

    #[test]
    fn concat_keeps_unknown_elements_and_nested_marks() {
        assert_eq!(
            ok("concat", vec![t(vec![unknown()]), t(strs(&["a"]))]),
            t(vec![unknown(), s("a")])
        );
        assert_eq!(ok("concat", vec![unknown(), t(vec![])]), unknown());
        assert_eq!(
            ok(
                "concat",
                vec![t(vec![secret(s("a"))]), secret(t(strs(&["b"])))]
            ),
            secret(t(vec![secret(s("a")), s("b")]))
        );
    }

    // contains

    #[test]
    fn contains_finds_equal_elements_only() {
        assert_eq!(
            ok("contains", vec![t(strs(&["a", "b"])), s("b")]),
            Value::Bool(true)
        );
        assert_eq!(
            ok("contains", vec![t(strs(&["a", "b"])), s("c")]),
            Value::Bool(false)
        );
        assert_eq!(
            ok("contains", vec![t(strs(&["1"])), n(1)]),
            Value::Bool(false)
        );
        assert_eq!(
            ok("contains", vec![Value::set(vec![n(1), n(2)]), d("2.0")]),
            Value::Bool(true)
        );
    }

    #[test]
    fn contains_with_unknowns() {
        assert_eq!(
            ok("contains", vec![t(vec![unknown(), s("b")]), s("b")]),
            Value::Bool(true)
        );
        assert_eq!(
            ok("contains", vec![t(vec![unknown(), s("b")]), s("c")]),
            Value::Unknown(Type::Bool)
        );
        assert_eq!(
            ok("contains", vec![t(strs(&["a"])), unknown()]),
            Value::Unknown(Type::Bool)
        );
        assert_eq!(
            ok("contains", vec![t(vec![]), unknown()]),
            Value::Bool(false)
        );
    }

    #[test]
    fn contains_errors() {
        assert_eq!(
            err("contains", vec![s("abc"), s("a")]),
            "argument must be list, tuple, or set"
        );
        assert_eq!(
            err("contains", vec![Value::null(), s("a")]),
            "argument must not be null"
        );
    }

    // distinct

    #[test]
    fn distinct_keeps_first_occurrences_in_order() {
        assert_eq!(
            ok("distinct", vec![t(strs(&["b", "a", "b", "c", "a"]))]),
            l(strs(&["b", "a", "c"]))
        );
        assert_eq!(ok("distinct", vec![t(vec![s("1"), n(1)])]), l(strs(&["1"])));
    }

    // element

    #[test]
    fn element_returns_the_element_at_the_index() {
        assert_eq!(ok("element", vec![t(strs(&["a", "b", "c"])), n(1)]), s("b"));
    }

    #[test]
    fn element_wraps_around_past_the_end() {
        assert_eq!(ok("element", vec![t(strs(&["a", "b", "c"])), n(3)]), s("a"));
        assert_eq!(ok("element", vec![t(strs(&["a", "b", "c"])), n(7)]), s("b"));
        assert_eq!(
            ok("element", vec![t(strs(&["a", "b", "c"])), n(-1)]),
            s("c")
        );
    }

    #[test]
    fn element_errors_on_an_empty_list_and_on_non_lists() {
        assert_eq!(
            err("element", vec![t(vec![]), n(0)]),
            "cannot use element function with an empty list"
        );
        assert_eq!(
            err("element", vec![Value::set(strs(&["a"])), n(0)]),
            "cannot read elements from set of string"
        );
        assert!(err("element", vec![t(strs(&["a"])), d("0.5")]).starts_with("invalid index: "));
    }

    #[test]
    fn element_with_unknowns() {
        assert_eq!(
            ok("element", vec![t(vec![s("a"), unknown()]), n(0)]),
            s("a")
        );
        assert_eq!(ok("element", vec![t(strs(&["a"])), unknown()]), unknown());
    }

    #[test]
    fn element_keeps_marks() {
        assert_eq!(
            ok("element", vec![t(vec![s("a"), secret(s("b"))]), n(1)]),
            secret(s("b"))
        );
        assert_eq!(
            ok("element", vec![t(vec![s("a"), secret(s("b"))]), n(0)]),
            s("a")
        );
        assert_eq!(
            ok("element", vec![secret(t(strs(&["a"]))), n(0)]),
            secret(s("a"))
        );
        assert_eq!(
            ok("element", vec![t(strs(&["a"])), secret(n(0))]),
            secret(s("a"))
        );
    }

    // flatten

    #[test]
    fn flatten_is_recursive() {
        let nested = t(vec![
            t(strs(&["a"])),
            t(vec![t(strs(&["b"])), l(vec![])]),
            s("c"),
            Value::set(strs(&["d"])),
        ]);
        assert_eq!(ok("flatten", vec![nested]), t(strs(&["a", "b", "c", "d"])));
    }

    #[test]
    fn flatten_errors_on_non_sequences() {
        assert_eq!(
            err("flatten", vec![s("a")]),
            "can only flatten lists, sets and tuples"
        );
    }

    #[test]
    fn flatten_with_unknown_nested_lists_is_unknown() {
        assert_eq!(
            ok(
                "flatten",
                vec![t(vec![Value::Unknown(Type::list(Type::String))])]
            ),
            unknown()
        );
        assert_eq!(
            ok(
                "flatten",
                vec![t(vec![t(vec![Value::Unknown(Type::String)])])]
            ),
            t(vec![Value::Unknown(Type::String)])
        );
    }

    #[test]
    fn flatten_marks_the_result_when_a_flattened_list_is_marked() {
        assert_eq!(
            ok("flatten", vec![t(vec![secret(t(strs(&["a"]))), s("b")])]),
            secret(t(strs(&["a", "b"])))
        );
    }

    // index

    #[test]
    fn index_finds_the_first_match() {
        assert_eq!(ok("index", vec![t(strs(&["a", "b", "b"])), s("b")]), n(1));
    }

    #[test]
    fn index_errors() {
        assert_eq!(
            err("index", vec![t(strs(&["a"])), s("z")]),
            "item not found"
        );
        assert_eq!(
            err("index", vec![t(vec![]), s("z")]),
            "cannot search an empty list"
        );
        assert_eq!(
            err("index", vec![Value::set(strs(&["a"])), s("a")]),
            "argument must be a list or tuple"
        );
    }

    #[test]
    fn index_with_unknowns() {
        assert_eq!(ok("index", vec![t(vec![s("a"), unknown()]), s("a")]), n(0));
        assert_eq!(
            ok("index", vec![t(vec![unknown(), s("a")]), s("a")]),
            Value::Unknown(Type::Number)
        );
    }

    // keys / values

    #[test]
    fn keys_are_sorted() {
        assert_eq!(
            ok("keys", vec![Value::map([("b", n(1)), ("a", n(2))])]),
            l(strs(&["a", "b"]))
        );
        assert_eq!(
            ok("keys", vec![Value::object([("z", n(1)), ("y", s("x"))])]),
            t(strs(&["y", "z"]))
        );
        assert_eq!(err("keys", vec![t(vec![])]), "must have map or object type");
    }

    #[test]
    fn keys_of_objects_are_known_even_when_values_are_not() {
        let obj_ty = Type::Object([("a".to_string(), Type::String)].into_iter().collect());
        assert_eq!(ok("keys", vec![Value::Unknown(obj_ty)]), t(strs(&["a"])));
        assert_eq!(
            ok("keys", vec![Value::object([("a", unknown())])]),
            t(strs(&["a"]))
        );
        assert_eq!(
            ok("keys", vec![Value::Unknown(Type::map(Type::String))]),
            Value::Unknown(Type::list(Type::String))
        );
        assert_eq!(
            ok("keys", vec![secret(Value::map([("a", n(1))]))]),
            secret(l(strs(&["a"])))
        );
    }

    #[test]
    fn values_are_in_key_order() {
        assert_eq!(
            ok("values", vec![Value::map([("b", n(1)), ("a", n(2))])]),
            l(vec![n(2), n(1)])
        );
        assert_eq!(
            ok("values", vec![Value::object([("b", n(1)), ("a", s("x"))])]),
            t(vec![s("x"), n(1)])
        );
        assert_eq!(
            err("values", vec![t(vec![])]),
            "values() requires a map as the first argument"
        );
        assert_eq!(
            ok("values", vec![Value::map([("a", secret(n(1)))])]),
            l(vec![secret(n(1))])
        );
    }

    // length

    #[test]
    fn length_counts_elements_attributes_and_characters() {
        assert_eq!(ok("length", vec![t(vec![n(1), n(2)])]), n(2));
        assert_eq!(ok("length", vec![Value::map([("a", n(1))])]), n(1));
        assert_eq!(ok("length", vec![Value::object::<&str>([])]), n(0));
        assert_eq!(ok("length", vec![s("hello")]), n(5));
        assert_eq!(ok("length", vec![s("héllo")]), n(5));
        assert_eq!(ok("length", vec![s("e\u{301}")]), n(1));
        assert_eq!(ok("length", vec![s("🇫🇷🇩🇪")]), n(2));
        assert_eq!(ok("length", vec![s("👩‍👩‍👧")]), n(1));
    }

    #[test]
    fn length_with_unknown_elements_is_known() {
        assert_eq!(ok("length", vec![t(vec![unknown(), n(1)])]), n(2));
        assert_eq!(ok("length", vec![l(vec![unknown(), unknown()])]), n(2));
        assert_eq!(
            ok(
                "length",
                vec![Value::Unknown(Type::Tuple(vec![Type::String]))]
            ),
            n(1)
        );
        assert_eq!(ok("length", vec![unknown()]), Value::Unknown(Type::Number));
        assert_eq!(
            ok("length", vec![Value::Set(vec![s("a"), unknown()])]),
            Value::Unknown(Type::Number)
        );
    }

    #[test]
    fn length_refuses_numbers_and_null() {
        assert_eq!(
            err("length", vec![n(5)]),
            "argument must be a string, a collection type, or a structural type"
        );
        assert_eq!(
            err("length", vec![Value::null()]),
            "argument must not be null"
        );
    }

    #[test]
    fn length_is_marked_only_by_the_collections_own_mark() {
        assert_eq!(ok("length", vec![secret(s("abc"))]), secret(n(3)));
        assert_eq!(ok("length", vec![t(vec![secret(s("a"))])]), n(1));
    }

    // lookup

    #[test]
    fn lookup_finds_keys_or_falls_back_to_the_default() {
        let m = Value::map([("a", s("x"))]);
        assert_eq!(ok("lookup", vec![m.clone(), s("a")]), s("x"));
        assert_eq!(ok("lookup", vec![m.clone(), s("b"), s("d")]), s("d"));
        assert_eq!(
            ok("lookup", vec![Value::map([("a", n(1))]), s("b"), s("2")]),
            n(2)
        );
        let o = Value::object([("a", n(1)), ("b", s("x"))]);
        assert_eq!(ok("lookup", vec![o.clone(), s("b")]), s("x"));
        assert_eq!(ok("lookup", vec![o, s("c"), Value::null()]), Value::null());
    }

    #[test]
    fn lookup_errors() {
        let m = Value::map([("a", s("x"))]);
        assert_eq!(
            err("lookup", vec![m.clone(), s("b")]),
            "lookup failed to find key \"b\""
        );
        assert_eq!(
            err("lookup", vec![m.clone(), secret(s("b"))]),
            "lookup failed to find key (sensitive value)"
        );
        assert_eq!(
            err("lookup", vec![Value::object([("a", n(1))]), s("b")]),
            "the given object has no attribute \"b\""
        );
        assert_eq!(
            err("lookup", vec![s("x"), s("b")]),
            "lookup() requires a map as the first argument"
        );
        assert_eq!(
            err("lookup", vec![Value::map([("a", n(1))]), s("b"), t(vec![])]),
            "the default value must have the same type as the map elements"
        );
        assert_eq!(
            err("lookup", vec![m.clone(), s("a"), s("b"), s("c")]),
            "lookup() takes two or three arguments, got 4"
        );
        assert_eq!(
            err("lookup", vec![m, Value::null()]),
            "argument must not be null"
        );
    }

    #[test]
    fn lookup_with_unknowns_and_marks() {
        let m = Value::map([("a", s("x"))]);
        assert_eq!(ok("lookup", vec![m.clone(), unknown()]), unknown());
        assert_eq!(
            ok(
                "lookup",
                vec![Value::Unknown(Type::map(Type::String)), s("a")]
            ),
            Value::Unknown(Type::String)
        );
        assert_eq!(
            ok("lookup", vec![Value::map([("a", unknown())]), s("a")]),
            unknown()
        );
        assert_eq!(
            ok("lookup", vec![secret(m.clone()), s("a")]),
            secret(s("x"))
        );
        assert_eq!(
            ok(
                "lookup",
                vec![Value::map([("a", secret(s("x"))), ("b", s("y"))]), s("b")]
            ),
            s("y")
        );
    }

    // matchkeys

    #[test]
    fn matchkeys_selects_values_whose_keys_match() {
        assert_eq!(
            ok(
                "matchkeys",
                vec![
                    t(strs(&["i-1", "i-2", "i-3"])),
                    t(strs(&["us-west", "us-east", "us-east"])),
                    t(strs(&["us-east"]))
                ]
            ),
            l(strs(&["i-2", "i-3"]))
        );
        assert_eq!(
            ok(
                "matchkeys",
                vec![t(strs(&["a"])), t(vec![n(1)]), t(strs(&["1"]))]
            ),
            l(strs(&["a"]))
        );
        assert_eq!(
            ok(
                "matchkeys",
                vec![t(strs(&["a"])), t(strs(&["k"])), t(vec![])]
            ),
            l(vec![])
        );
    }

    #[test]
    fn matchkeys_errors() {
        assert_eq!(
            err(
                "matchkeys",
                vec![t(strs(&["a", "b"])), t(strs(&["k"])), t(strs(&["k"]))]
            ),
            "length of keys and values should be equal"
        );
        assert_eq!(
            err(
                "matchkeys",
                vec![t(strs(&["a"])), t(vec![Value::Bool(true)]), t(vec![n(1)])]
            ),
            "keys and searchset must be of the same type"
        );
    }

    // merge

    #[test]
    fn merge_later_arguments_win() {
        assert_eq!(
            ok(
                "merge",
                vec![
                    Value::map([("a", s("1")), ("b", s("2"))]),
                    Value::map([("b", s("3"))])
                ]
            ),
            Value::map([("a", s("1")), ("b", s("3"))])
        );
        assert_eq!(
            ok(
                "merge",
                vec![
                    Value::object([("a", n(1))]),
                    Value::null(),
                    Value::object([("b", t(vec![]))])
                ]
            ),
            Value::object([("a", n(1)), ("b", t(vec![]))])
        );
        assert_eq!(ok("merge", vec![]), Value::object::<&str>([]));
    }

    #[test]
    fn merge_of_maps_with_different_element_types_is_an_object() {
        assert_eq!(
            ok(
                "merge",
                vec![Value::map([("a", s("1"))]), Value::map([("b", n(2))])]
            ),
            Value::object([("a", s("1")), ("b", n(2))])
        );
    }

    #[test]
    fn merge_errors_on_non_maps() {
        assert_eq!(
            err("merge", vec![Value::map([("a", n(1))]), s("x")]),
            "arguments must be maps or objects, got \"string\""
        );
    }

    #[test]
    fn merge_with_unknowns_and_marks() {
        assert_eq!(
            ok("merge", vec![Value::map([("a", n(1))]), unknown()]),
            unknown()
        );
        assert_eq!(
            ok("merge", vec![Value::object([("a", unknown())])]),
            Value::object([("a", unknown())])
        );
        assert_eq!(
            ok(
                "merge",
                vec![
                    secret(Value::object([("a", n(1))])),
                    Value::object([("b", secret(n(2)))])
                ]
            ),
            secret(Value::object([("a", n(1)), ("b", secret(n(2)))]))
        );
    }

    // one

    #[test]
    fn one_returns_null_or_the_single_element() {
        assert_eq!(ok("one", vec![t(vec![])]), Value::null());
        assert_eq!(ok("one", vec![t(strs(&["a"]))]), s("a"));
        assert_eq!(ok("one", vec![Value::set(strs(&["a"]))]), s("a"));
        assert_eq!(
            err("one", vec![t(strs(&["a", "b"]))]),
            "must be a list, set, or tuple value with either zero or one elements"
        );
        assert_eq!(
            err("one", vec![s("a")]),
            "must be a list, set, or tuple value with either zero or one elements"
        );
    }

    #[test]
    fn one_with_unknowns() {
        assert_eq!(
            ok("one", vec![Value::Unknown(Type::list(Type::String))]),
            Value::Unknown(Type::String)
        );
        assert_eq!(
            ok("one", vec![t(vec![Value::object([("a", unknown())])])]),
            Value::object([("a", unknown())])
        );
    }

    // range

    #[test]
    fn range_with_one_two_and_three_arguments() {
        assert_eq!(ok("range", vec![n(3)]), l(vec![n(0), n(1), n(2)]));
        assert_eq!(ok("range", vec![n(-2)]), l(vec![n(0), n(-1)]));
        assert_eq!(ok("range", vec![n(1), n(4)]), l(vec![n(1), n(2), n(3)]));
        assert_eq!(ok("range", vec![n(4), n(1)]), l(vec![n(4), n(3), n(2)]));
        assert_eq!(
            ok("range", vec![n(0), n(1), d("0.25")]),
            l(vec![n(0), d("0.25"), d("0.5"), d("0.75")])
        );
        assert_eq!(ok("range", vec![n(10), n(0), n(-5)]), l(vec![n(10), n(5)]));
        assert_eq!(ok("range", vec![n(0)]), l(vec![]));
    }

    #[test]
    fn range_errors() {
        assert_eq!(
            err("range", vec![]),
            "must have one, two, or three arguments"
        );
        assert_eq!(
            err("range", vec![n(1), n(2), n(3), n(4)]),
            "must have one, two, or three arguments"
        );
        assert_eq!(
            err("range", vec![n(0), n(1), n(0)]),
            "step must not be zero"
        );
        assert_eq!(
            err("range", vec![n(0), n(5), n(-1)]),
            "end must be less than start when step is negative"
        );
        assert_eq!(
            err("range", vec![n(5), n(0), n(1)]),
            "end must be greater than start when step is positive"
        );
        assert_eq!(
            err("range", vec![n(2000)]),
            "more than 1024 values were generated; either decrease the difference between start and end or use a smaller step"
        );
        assert_eq!(ok("range", vec![n(1024)]).length(), Some(1024));
    }

    // reverse

    #[test]
    fn reverse_reverses_lists_and_tuples() {
        assert_eq!(
            ok("reverse", vec![t(vec![s("a"), n(1)])]),
            t(vec![n(1), s("a")])
        );
        assert_eq!(
            ok("reverse", vec![l(strs(&["a", "b"]))]),
            l(strs(&["b", "a"]))
        );
        assert_eq!(
            err("reverse", vec![s("ab")]),
            "can only reverse list or tuple values, not string"
        );
        assert_eq!(
            ok("reverse", vec![secret(l(strs(&["a", "b"])))]),
            secret(l(strs(&["b", "a"])))
        );
    }

    // set functions

    #[test]
    fn setunion_intersection_and_subtract() {
        assert_eq!(
            ok(
                "setunion",
                vec![t(strs(&["a", "b"])), t(strs(&["b", "c"])), t(strs(&["d"]))]
            ),
            Value::set(strs(&["a", "b", "c", "d"]))
        );
        assert_eq!(
            ok(
                "setintersection",
                vec![
                    t(strs(&["a", "b"])),
                    t(strs(&["b", "c"])),
                    t(strs(&["b", "d"]))
                ]
            ),
            Value::set(strs(&["b"]))
        );
        assert_eq!(
            ok(
                "setsubtract",
                vec![t(strs(&["a", "b", "c"])), t(strs(&["a", "c"]))]
            ),
            Value::set(strs(&["b"]))
        );
        assert_eq!(
            ok("setunion", vec![t(vec![n(1)]), t(strs(&["1", "2"]))]),
            Value::set(strs(&["1", "2"]))
        );
        assert_eq!(
            ok("setunion", vec![t(vec![]), t(vec![n(1)])]),
            Value::set(vec![n(1)])
        );
    }

    #[test]
    fn set_functions_refuse_incompatible_sets() {
        assert_eq!(
            err("setunion", vec![t(vec![n(1)]), t(vec![t(vec![])])]),
            "given sets must all have compatible element types"
        );
        assert_eq!(
            err("setunion", vec![s("a"), t(vec![])]),
            "set of dynamic required, but have string"
        );
    }

    #[test]
    fn set_functions_with_unknowns() {
        assert_eq!(
            ok("setunion", vec![t(vec![unknown()]), t(strs(&["a"]))]),
            Value::set(vec![Value::Unknown(Type::String), s("a")])
        );
        assert!(!ok("setintersection", vec![t(vec![unknown()]), t(strs(&["a"]))]).is_known());
        assert!(!ok("setsubtract", vec![t(strs(&["a"])), unknown()]).is_known());
    }

    #[test]
    fn setproduct_of_lists_is_a_list_and_with_sets_a_set() {
        assert_eq!(
            ok(
                "setproduct",
                vec![t(strs(&["a", "b"])), t(vec![n(1), n(2)])]
            ),
            l(vec![
                t(vec![s("a"), n(1)]),
                t(vec![s("a"), n(2)]),
                t(vec![s("b"), n(1)]),
                t(vec![s("b"), n(2)]),
            ])
        );
        assert_eq!(
            ok(
                "setproduct",
                vec![Value::set(strs(&["b", "a"])), t(strs(&["x"]))]
            ),
            Value::set(vec![t(strs(&["a", "x"])), t(strs(&["b", "x"]))])
        );
        assert_eq!(
            ok("setproduct", vec![t(strs(&["a"])), t(vec![])]),
            l(vec![])
        );
        assert_eq!(
            ok("setproduct", vec![t(vec![s("a"), n(1)]), t(strs(&["x"]))]),
            l(vec![t(strs(&["a", "x"])), t(strs(&["1", "x"]))])
        );
    }

    #[test]
    fn setproduct_errors() {
        assert_eq!(
            err("setproduct", vec![t(strs(&["a"]))]),
            "at least two arguments are required"
        );
        assert_eq!(
            err("setproduct", vec![t(strs(&["a"])), s("x")]),
            "a set or a list is required"
        );
        assert_eq!(
            err(
                "setproduct",
                vec![t(vec![s("a"), t(vec![])]), t(strs(&["x"]))]
            ),
            "all elements must be of the same type"
        );
        assert_eq!(
            ok("setproduct", vec![t(strs(&["a"])), unknown()]),
            unknown()
        );
    }

    // slice

    #[test]
    fn slice_extracts_a_range() {
        assert_eq!(
            ok("slice", vec![t(strs(&["a", "b", "c", "d"])), n(1), n(3)]),
            t(strs(&["b", "c"]))
        );
        assert_eq!(
            ok("slice", vec![l(strs(&["a", "b"])), n(2), n(2)]),
            l(vec![])
        );
    }

    #[test]
    fn slice_checks_its_bounds() {
        let list = t(strs(&["a", "b"]));
        assert_eq!(
            err("slice", vec![list.clone(), n(-1), n(1)]),
            "start index must not be less than zero"
        );
        assert_eq!(
            err("slice", vec![list.clone(), n(3), n(3)]),
            "start index must not be greater than the length of the list"
        );
        assert_eq!(
            err("slice", vec![list.clone(), n(0), n(3)]),
            "end index must not be greater than the length of the list"
        );
        assert_eq!(
            err("slice", vec![list.clone(), n(2), n(1)]),
            "start index must not be greater than end index"
        );
        assert_eq!(
            err("slice", vec![Value::set(strs(&["a"])), n(0), n(1)]),
            "cannot slice a set, because its elements do not have indices; explicitly convert to a list if the ordering of the result is not important"
        );
        assert_eq!(
            err("slice", vec![s("ab"), n(0), n(1)]),
            "must be a list or tuple value"
        );
    }

    #[test]
    fn slice_with_unknowns_and_marks() {
        assert_eq!(
            ok("slice", vec![t(strs(&["a"])), unknown(), n(1)]),
            unknown()
        );
        assert_eq!(
            ok("slice", vec![t(vec![unknown(), s("b")]), n(1), n(2)]),
            t(strs(&["b"]))
        );
        assert_eq!(
            ok("slice", vec![secret(t(strs(&["a", "b"]))), n(0), n(1)]),
            secret(t(strs(&["a"])))
        );
    }

    // sort

    #[test]
    fn sort_orders_strings_lexically() {
        assert_eq!(
            ok("sort", vec![t(strs(&["e", "d", "a", "x"]))]),
            l(strs(&["a", "d", "e", "x"]))
        );
        assert_eq!(
            ok("sort", vec![t(vec![n(10), n(9), n(1)])]),
            l(strs(&["1", "10", "9"]))
        );
        assert_eq!(
            err("sort", vec![t(vec![s("a"), Value::null()])]),
            "given list element 1 is null; a null string cannot be sorted"
        );
        assert_eq!(
            ok("sort", vec![t(vec![s("a"), unknown()])]),
            Value::Unknown(Type::Dynamic)
        );
    }

    // sum

    #[test]
    fn sum_adds_numbers() {
        assert_eq!(ok("sum", vec![t(vec![n(1), d("2.5"), s("3")])]), d("6.5"));
        assert_eq!(ok("sum", vec![Value::set(vec![n(1), n(2)])]), n(3));
    }

    #[test]
    fn sum_errors() {
        assert_eq!(err("sum", vec![t(vec![])]), "cannot sum an empty list");
        assert_eq!(
            err("sum", vec![t(vec![s("a")])]),
            "argument must be list, set, or tuple of number values"
        );
        assert_eq!(
            err("sum", vec![t(vec![n(1), Value::null()])]),
            "argument must be list, set, or tuple of number values"
        );
        assert_eq!(err("sum", vec![s("a")]), "cannot sum noniterable");
        assert_eq!(
            err("sum", vec![Value::map([("a", n(1))])]),
            "argument must be list, set, or tuple. Received map of number"
        );
    }

    #[test]
    fn sum_of_unknowns_is_unknown_and_of_secrets_secret() {
        assert_eq!(
            ok("sum", vec![t(vec![n(1), unknown()])]),
            Value::Unknown(Type::Number)
        );
        assert_eq!(ok("sum", vec![t(vec![n(1), secret(n(2))])]), secret(n(3)));
    }

    // transpose

    #[test]
    fn transpose_swaps_keys_and_values() {
        let input = Value::object([
            ("a", t(strs(&["1", "2"]))),
            ("b", t(strs(&["2", "3"]))),
            ("c", t(vec![])),
        ]);
        assert_eq!(
            ok("transpose", vec![input]),
            Value::map([
                ("1", l(strs(&["a"]))),
                ("2", l(strs(&["a", "b"]))),
                ("3", l(strs(&["b"]))),
            ])
        );
    }

    #[test]
    fn transpose_errors() {
        assert_eq!(
            err("transpose", vec![Value::map([("a", Value::null())])]),
            "input must not contain null list"
        );
        assert_eq!(
            err(
                "transpose",
                vec![Value::map([("a", t(vec![Value::null()]))])]
            ),
            "input list must not contain null string"
        );
        assert_eq!(
            err("transpose", vec![Value::object([("a", s("x"))])]),
            "element \"a\": list of string required, but have string"
        );
        assert_eq!(
            err("transpose", vec![Value::map([("a", s("x"))])]),
            "incorrect map element type: list of string required, but have string"
        );
    }

    // zipmap

    #[test]
    fn zipmap_builds_a_map_or_an_object() {
        assert_eq!(
            ok("zipmap", vec![t(strs(&["a", "b"])), l(vec![n(1), n(2)])]),
            Value::map([("a", n(1)), ("b", n(2))])
        );
        assert_eq!(
            ok("zipmap", vec![t(strs(&["a", "b"])), t(vec![n(1), s("x")])]),
            Value::object([("a", n(1)), ("b", s("x"))])
        );
    }

    #[test]
    fn zipmap_errors() {
        assert_eq!(
            err("zipmap", vec![t(strs(&["a"])), t(vec![])]),
            "number of keys (1) does not match number of values (0)"
        );
        assert_eq!(
            err("zipmap", vec![t(strs(&["a"])), s("x")]),
            "values argument must be a list or tuple value"
        );
        assert_eq!(
            err("zipmap", vec![t(vec![Value::null()]), t(vec![n(1)])]),
            "keys list has null value at index 0"
        );
    }

    #[test]
    fn zipmap_with_unknowns_and_marks() {
        assert_eq!(
            ok("zipmap", vec![t(vec![unknown()]), t(vec![n(1)])]),
            unknown()
        );
        assert_eq!(
            ok("zipmap", vec![t(strs(&["a"])), t(vec![unknown()])]),
            Value::object([("a", unknown())])
        );
        assert_eq!(
            ok("zipmap", vec![t(vec![secret(s("a"))]), t(vec![n(1)])]),
            secret(Value::object([("a", n(1))]))
        );
        assert_eq!(
            ok("zipmap", vec![t(strs(&["a"])), t(vec![secret(n(1))])]),
            Value::object([("a", secret(n(1)))])
        );
    }

    // generic rules

    #[test]
    fn unknown_arguments_of_plain_functions_give_unknown_results() {
        assert_eq!(ok("distinct", vec![unknown()]), unknown());
        assert_eq!(ok("sum", vec![unknown()]), Value::Unknown(Type::Number));
        assert_eq!(
            ok("index", vec![unknown(), s("a")]),
            Value::Unknown(Type::Number)
        );
    }

    #[test]
    fn sensitive_arguments_of_plain_functions_give_sensitive_results() {
        assert_eq!(
            ok("distinct", vec![t(vec![secret(s("a")), s("a")])]),
            secret(l(strs(&["a"])))
        );
        assert_eq!(
            ok("contains", vec![t(strs(&["a"])), secret(s("a"))]),
            secret(Value::Bool(true))
        );
    }
}
