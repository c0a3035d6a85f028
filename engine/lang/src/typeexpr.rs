//! Type constraints as written in `variable "x" { type = ... }`: like [`Type`], plus `any` and
//! optional object attributes with defaults.

use std::collections::BTreeMap;
use std::fmt;
use terrane_types::{Type, Value};

#[derive(Clone, Debug, PartialEq)]
pub enum Constraint {
    /// `any`: the value's own type is kept (collections are unified to one element type).
    Any,
    String,
    Number,
    Bool,
    List(Box<Constraint>),
    Set(Box<Constraint>),
    Map(Box<Constraint>),
    Tuple(Vec<Constraint>),
    Object(BTreeMap<String, Attr>),
}

/// An attribute of an object constraint.
#[derive(Clone, Debug, PartialEq)]
pub struct Attr {
    pub ty: Constraint,
    /// Declared with `optional(T)` or `optional(T, default)`: may be omitted.
    pub optional: bool,
    /// The default of `optional(T, default)`, used when the attribute is omitted or null.
    pub default: Option<Value>,
}

impl From<&Type> for Constraint {
    fn from(t: &Type) -> Constraint {
        match t {
            Type::Dynamic => Constraint::Any,
            Type::String => Constraint::String,
            Type::Number => Constraint::Number,
            Type::Bool => Constraint::Bool,
            Type::List(e) => Constraint::List(Box::new(e.as_ref().into())),
            Type::Set(e) => Constraint::Set(Box::new(e.as_ref().into())),
            Type::Map(e) => Constraint::Map(Box::new(e.as_ref().into())),
            Type::Tuple(es) => Constraint::Tuple(es.iter().map(Into::into).collect()),
            Type::Object(attrs) => Constraint::Object(
                attrs
                    .iter()
                    .map(|(k, t)| {
                        (
                            k.clone(),
                            Attr {
                                ty: t.into(),
                                optional: false,
                                default: None,
                            },
                        )
                    })
                    .collect(),
            ),
        }
    }
}

impl Constraint {
    /// The value type this constraint names, with `any` as `Dynamic`.
    pub fn to_type(&self) -> Type {
        match self {
            Constraint::Any => Type::Dynamic,
            Constraint::String => Type::String,
            Constraint::Number => Type::Number,
            Constraint::Bool => Type::Bool,
            Constraint::List(e) => Type::list(e.to_type()),
            Constraint::Set(e) => Type::set(e.to_type()),
            Constraint::Map(e) => Type::map(e.to_type()),
            Constraint::Tuple(es) => Type::Tuple(es.iter().map(Constraint::to_type).collect()),
            Constraint::Object(attrs) => Type::Object(
                attrs
                    .iter()
                    .map(|(k, a)| (k.clone(), a.ty.to_type()))
                    .collect(),
            ),
        }
    }
}

/// Type-expression syntax, as users write it: `list(object({ port = optional(number, 80) }))`.
impl fmt::Display for Constraint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Constraint::Any => f.write_str("any"),
            Constraint::String => f.write_str("string"),
            Constraint::Number => f.write_str("number"),
            Constraint::Bool => f.write_str("bool"),
            Constraint::List(e) => write!(f, "list({e})"),
            Constraint::Set(e) => write!(f, "set({e})"),
            Constraint::Map(e) => write!(f, "map({e})"),
            Constraint::Tuple(es) => {
                f.write_str("tuple([")?;
                for (i, e) in es.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    write!(f, "{e}")?;
                }
                f.write_str("])")
            }
            Constraint::Object(attrs) => {
                f.write_str("object({")?;
                for (i, (k, a)) in attrs.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    match (&a.optional, &a.default) {
                        (true, Some(d)) => write!(f, "{k} = optional({}, {d})", a.ty)?,
                        (true, None) => write!(f, "{k} = optional({})", a.ty)?,
                        _ => write!(f, "{k} = {}", a.ty)?,
                    }
                }
                f.write_str("})")
            }
        }
    }
}

use crate::ast::{Expr, ExprKind, ObjectKey};
use terrane_types::Diagnostic;

impl Constraint {
    /// Reads a type expression: `string`, `list(number)`, `map(any)`,
    /// `object({ a = string, b = optional(number, 1) })`, `tuple([string, bool])`.
    /// `default_of` evaluates the default of `optional(T, default)` (a constant expression).
    pub fn parse(
        expr: &Expr,
        default_of: &dyn Fn(&Expr) -> Result<Value, Diagnostic>,
    ) -> Result<Constraint, Diagnostic> {
        parse(expr, default_of, false)
    }
}

fn parse(
    expr: &Expr,
    default_of: &dyn Fn(&Expr) -> Result<Value, Diagnostic>,
    in_object_attr: bool,
) -> Result<Constraint, Diagnostic> {
    let invalid = |detail: String| {
        Diagnostic::error("Invalid type specification")
            .with_detail(detail)
            .with_span(expr.span)
    };
    match &expr.unparen().kind {
        ExprKind::Variable(ident) => match ident.name.as_str() {
            "any" => Ok(Constraint::Any),
            "string" => Ok(Constraint::String),
            "number" => Ok(Constraint::Number),
            "bool" => Ok(Constraint::Bool),
            name @ ("list" | "set" | "map" | "tuple" | "object") => Err(invalid(format!(
                "The {name} type constructor requires one argument specifying the element type."
            ))
            .with_hint(format!("Write {name}(string), or {name}(any) for any element type."))),
            name => {
                let mut d = invalid(format!("The keyword \"{name}\" is not a valid type specification."));
                if let Some(s) = terrane_types::suggest(
                    name,
                    ["any", "string", "number", "bool", "list", "set", "map", "tuple", "object"],
                ) {
                    d = d.with_hint(format!("Did you mean \"{s}\"?"));
                }
                Err(d)
            }
        },
        ExprKind::Literal(Value::String(s)) => Err(Diagnostic::error("Invalid quoted type constraints")
            .with_detail(format!(
                "Terraform 0.11 and earlier required type constraints to be given in quotes, but that form is no longer supported. Remove the quotes around \"{s}\"."
            ))
            .with_span(expr.span)
            .with_hint(format!("Write type = {s}, without quotes."))),
        ExprKind::FuncCall(call) => {
            let name = call.name.name.as_str();
            let one_arg = || -> Result<&Expr, Diagnostic> {
                match call.args.as_slice() {
                    [a] => Ok(a),
                    _ => Err(invalid(format!(
                        "The {name} type constructor requires exactly one argument."
                    ))),
                }
            };
            match name {
                "list" => Ok(Constraint::List(Box::new(parse(one_arg()?, default_of, false)?))),
                "set" => Ok(Constraint::Set(Box::new(parse(one_arg()?, default_of, false)?))),
                "map" => Ok(Constraint::Map(Box::new(parse(one_arg()?, default_of, false)?))),
                "tuple" => {
                    let arg = one_arg()?;
                    let ExprKind::Tuple(items) = &arg.unparen().kind else {
                        return Err(invalid(
                            "The tuple type constructor requires a list of element types, like tuple([string, number])."
                                .into(),
                        ));
                    };
                    Ok(Constraint::Tuple(
                        items
                            .iter()
                            .map(|i| parse(i, default_of, false))
                            .collect::<Result<_, _>>()?,
                    ))
                }
                "object" => {
                    let arg = one_arg()?;
                    let ExprKind::Object(items) = &arg.unparen().kind else {
                        return Err(invalid(
                            "The object type constructor requires an object of attribute types, like object({ name = string })."
                                .into(),
                        ));
                    };
                    let mut attrs = BTreeMap::new();
                    for (key, value) in items {
                        let name = match key {
                            ObjectKey::Ident(i) => i.name.clone(),
                            ObjectKey::Expr(e) => match &e.unparen().kind {
                                ExprKind::Literal(Value::String(s)) => s.clone(),
                                ExprKind::Variable(i) => i.name.clone(),
                                _ => {
                                    return Err(Diagnostic::error("Invalid type specification")
                                        .with_detail("Object attribute names must be identifiers.")
                                        .with_span(e.span));
                                }
                            },
                        };
                        attrs.insert(name, parse_attr(value, default_of)?);
                    }
                    Ok(Constraint::Object(attrs))
                }
                "optional" if !in_object_attr => Err(invalid(
                    "Keyword \"optional\" is valid only as a modifier for object type attributes."
                        .into(),
                )),
                other => {
                    let mut d = invalid(format!("Keyword \"{other}\" is not a valid type constructor."));
                    if let Some(s) =
                        terrane_types::suggest(other, ["list", "set", "map", "tuple", "object"])
                    {
                        d = d.with_hint(format!("Did you mean \"{s}\"?"));
                    }
                    Err(d)
                }
            }
        }
        _ => Err(invalid(
            "A type specification is either a primitive type keyword (bool, number, string), any, or a complex type constructor call, like list(string)."
                .into(),
        )),
    }
}

fn parse_attr(
    expr: &Expr,
    default_of: &dyn Fn(&Expr) -> Result<Value, Diagnostic>,
) -> Result<Attr, Diagnostic> {
    if let ExprKind::FuncCall(call) = &expr.unparen().kind
        && call.name.name == "optional"
    {
        let (ty, default) = match call.args.as_slice() {
            [t] => (parse(t, default_of, false)?, None),
            [t, d] => {
                let ty = parse(t, default_of, false)?;
                let value = default_of(d)?;
                let value = crate::convert::convert(value, &ty).map_err(|e| {
                        Diagnostic::error("Invalid default value for optional attribute")
                            .with_detail(format!(
                                "This default value is not compatible with the attribute's type constraint: {e}."
                            ))
                            .with_span(d.span)
                    })?;
                (ty, Some(value))
            }
            _ => {
                return Err(Diagnostic::error("Invalid type specification")
                        .with_detail("The optional modifier takes a type and, optionally, a default value: optional(string, \"x\").")
                        .with_span(expr.span));
            }
        };
        return Ok(Attr {
            ty,
            optional: true,
            default,
        });
    }
    Ok(Attr {
        ty: parse(expr, default_of, true)?,
        optional: false,
        default: None,
    })
}
