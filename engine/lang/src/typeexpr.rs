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
