//! Values of the Terraform language: known or unknown ("known after apply"), possibly marked
//! sensitive at any depth.

use crate::{Number, Type};
use std::collections::BTreeMap;
use std::fmt;

/// A value. Maps and objects keep their keys sorted (Terraform iterates them in lexical order);
/// sets are kept sorted and free of duplicates by [`Value::set`].
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Value {
    Null(Type),
    /// A value that will only be known after apply, of the given type (`Dynamic` if not known).
    Unknown(Type),
    Bool(bool),
    Number(Number),
    String(String),
    List(Vec<Value>),
    Set(Vec<Value>),
    Map(BTreeMap<String, Value>),
    Tuple(Vec<Value>),
    Object(BTreeMap<String, Value>),
    /// A value that must never be printed. The mark follows the value through every operation.
    Sensitive(Box<Value>),
}

impl Value {
    pub fn null() -> Value {
        Value::Null(Type::Dynamic)
    }

    pub fn unknown() -> Value {
        Value::Unknown(Type::Dynamic)
    }

    pub fn string(s: impl Into<String>) -> Value {
        Value::String(s.into())
    }

    pub fn number(n: impl Into<Number>) -> Value {
        Value::Number(n.into())
    }

    /// A set: sorted, duplicates removed.
    pub fn set(mut items: Vec<Value>) -> Value {
        items.sort();
        items.dedup();
        Value::Set(items)
    }

    pub fn object<K: Into<String>>(attrs: impl IntoIterator<Item = (K, Value)>) -> Value {
        Value::Object(attrs.into_iter().map(|(k, v)| (k.into(), v)).collect())
    }

    pub fn map<K: Into<String>>(items: impl IntoIterator<Item = (K, Value)>) -> Value {
        Value::Map(items.into_iter().map(|(k, v)| (k.into(), v)).collect())
    }

    /// The value's type. Lists, sets and maps take the type of their elements when those agree,
    /// `Dynamic` elements otherwise (e.g. when empty).
    pub fn ty(&self) -> Type {
        match self {
            Value::Null(t) | Value::Unknown(t) => t.clone(),
            Value::Bool(_) => Type::Bool,
            Value::Number(_) => Type::Number,
            Value::String(_) => Type::String,
            Value::List(items) => Type::list(common_type(items.iter())),
            Value::Set(items) => Type::set(common_type(items.iter())),
            Value::Map(items) => Type::map(common_type(items.values())),
            Value::Tuple(items) => Type::Tuple(items.iter().map(Value::ty).collect()),
            Value::Object(attrs) => {
                Type::Object(attrs.iter().map(|(k, v)| (k.clone(), v.ty())).collect())
            }
            Value::Sensitive(inner) => inner.ty(),
        }
    }

    pub fn is_null(&self) -> bool {
        match self {
            Value::Null(_) => true,
            Value::Sensitive(inner) => inner.is_null(),
            _ => false,
        }
    }

    /// Known at the top level (its elements may still be unknown).
    pub fn is_known(&self) -> bool {
        match self {
            Value::Unknown(_) => false,
            Value::Sensitive(inner) => inner.is_known(),
            _ => true,
        }
    }

    /// Known all the way down.
    pub fn is_wholly_known(&self) -> bool {
        match self {
            Value::Unknown(_) => false,
            Value::Sensitive(inner) => inner.is_wholly_known(),
            Value::List(items) | Value::Set(items) | Value::Tuple(items) => {
                items.iter().all(Value::is_wholly_known)
            }
            Value::Map(items) | Value::Object(items) => items.values().all(Value::is_wholly_known),
            _ => true,
        }
    }

    pub fn is_sensitive(&self) -> bool {
        matches!(self, Value::Sensitive(_))
    }

    /// Whether a sensitive mark sits anywhere in the value.
    pub fn contains_sensitive(&self) -> bool {
        match self {
            Value::Sensitive(_) => true,
            Value::List(items) | Value::Set(items) | Value::Tuple(items) => {
                items.iter().any(Value::contains_sensitive)
            }
            Value::Map(items) | Value::Object(items) => {
                items.values().any(Value::contains_sensitive)
            }
            _ => false,
        }
    }

    /// Marks the value sensitive (once: marks do not nest).
    pub fn mark_sensitive(self) -> Value {
        match self {
            Value::Sensitive(_) => self,
            v => Value::Sensitive(Box::new(v)),
        }
    }

    /// Marks the value sensitive when `sensitive` is true.
    pub fn with_mark(self, sensitive: bool) -> Value {
        if sensitive {
            self.mark_sensitive()
        } else {
            self
        }
    }

    /// Removes the top-level mark, saying whether there was one.
    pub fn unmark(self) -> (Value, bool) {
        match self {
            Value::Sensitive(inner) => (*inner, true),
            v => (v, false),
        }
    }

    /// The top-level value without its mark, borrowed.
    pub fn unmarked(&self) -> &Value {
        match self {
            Value::Sensitive(inner) => inner.unmarked(),
            v => v,
        }
    }

    /// Removes every mark, saying whether there was any.
    pub fn unmark_deep(self) -> (Value, bool) {
        let mut found = false;
        let v = self.unmark_deep_into(&mut found);
        (v, found)
    }

    fn unmark_deep_into(self, found: &mut bool) -> Value {
        match self {
            Value::Sensitive(inner) => {
                *found = true;
                inner.unmark_deep_into(found)
            }
            Value::List(items) => Value::List(
                items
                    .into_iter()
                    .map(|v| v.unmark_deep_into(found))
                    .collect(),
            ),
            Value::Set(items) => Value::set(
                items
                    .into_iter()
                    .map(|v| v.unmark_deep_into(found))
                    .collect(),
            ),
            Value::Tuple(items) => Value::Tuple(
                items
                    .into_iter()
                    .map(|v| v.unmark_deep_into(found))
                    .collect(),
            ),
            Value::Map(items) => Value::Map(
                items
                    .into_iter()
                    .map(|(k, v)| (k, v.unmark_deep_into(found)))
                    .collect(),
            ),
            Value::Object(items) => Value::Object(
                items
                    .into_iter()
                    .map(|(k, v)| (k, v.unmark_deep_into(found)))
                    .collect(),
            ),
            v => v,
        }
    }

    pub fn as_str(&self) -> Option<&str> {
        match self.unmarked() {
            Value::String(s) => Some(s),
            _ => None,
        }
    }

    pub fn as_number(&self) -> Option<&Number> {
        match self.unmarked() {
            Value::Number(n) => Some(n),
            _ => None,
        }
    }

    pub fn as_bool(&self) -> Option<bool> {
        match self.unmarked() {
            Value::Bool(b) => Some(*b),
            _ => None,
        }
    }

    /// The elements of a list, set or tuple.
    pub fn as_seq(&self) -> Option<&[Value]> {
        match self.unmarked() {
            Value::List(items) | Value::Set(items) | Value::Tuple(items) => Some(items),
            _ => None,
        }
    }

    /// The entries of a map or object.
    pub fn as_entries(&self) -> Option<&BTreeMap<String, Value>> {
        match self.unmarked() {
            Value::Map(items) | Value::Object(items) => Some(items),
            _ => None,
        }
    }

    /// The attribute `name` of an object or map.
    pub fn get_attr(&self, name: &str) -> Option<&Value> {
        self.as_entries().and_then(|m| m.get(name))
    }

    /// Number of elements of a collection or structural value; `None` for primitives.
    pub fn length(&self) -> Option<usize> {
        self.as_seq()
            .map(<[Value]>::len)
            .or_else(|| self.as_entries().map(BTreeMap::len))
    }

    /// Converts to JSON. Unknown values cannot be converted (`None`); marks are dropped, so check
    /// [`Value::contains_sensitive`] first where it matters.
    pub fn to_json(&self) -> Option<serde_json::Value> {
        use serde_json::Value as J;
        Some(match self {
            Value::Null(_) => J::Null,
            Value::Unknown(_) => return None,
            Value::Bool(b) => J::Bool(*b),
            Value::Number(n) => J::Number(json_number(n)),
            Value::String(s) => J::String(s.clone()),
            Value::List(items) | Value::Set(items) | Value::Tuple(items) => {
                J::Array(items.iter().map(Value::to_json).collect::<Option<_>>()?)
            }
            Value::Map(items) | Value::Object(items) => J::Object(
                items
                    .iter()
                    .map(|(k, v)| Some((k.clone(), v.to_json()?)))
                    .collect::<Option<_>>()?,
            ),
            Value::Sensitive(inner) => return inner.to_json(),
        })
    }

    /// Reads JSON as Terraform's `jsondecode` does: arrays become tuples, objects objects.
    pub fn from_json(json: &serde_json::Value) -> Value {
        use serde_json::Value as J;
        match json {
            J::Null => Value::null(),
            J::Bool(b) => Value::Bool(*b),
            J::Number(n) => Number::parse(&n.to_string())
                .map(Value::Number)
                .unwrap_or_else(Value::null),
            J::String(s) => Value::String(s.clone()),
            J::Array(items) => Value::Tuple(items.iter().map(Value::from_json).collect()),
            J::Object(attrs) => Value::Object(
                attrs
                    .iter()
                    .map(|(k, v)| (k.clone(), Value::from_json(v)))
                    .collect(),
            ),
        }
    }
}

fn json_number(n: &Number) -> serde_json::Number {
    // With serde_json's arbitrary_precision the decimal text is kept exactly.
    serde_json::from_str::<serde_json::Number>(&n.to_string())
        .unwrap_or_else(|_| serde_json::Number::from(0))
}

/// The type shared by all the values, or `Dynamic` when they differ or there are none.
fn common_type<'a>(mut values: impl Iterator<Item = &'a Value>) -> Type {
    let Some(first) = values.next() else {
        return Type::Dynamic;
    };
    let t = first.ty();
    if values.all(|v| v.ty() == t) {
        t
    } else {
        Type::Dynamic
    }
}

impl From<bool> for Value {
    fn from(b: bool) -> Self {
        Value::Bool(b)
    }
}
impl From<&str> for Value {
    fn from(s: &str) -> Self {
        Value::String(s.to_owned())
    }
}
impl From<String> for Value {
    fn from(s: String) -> Self {
        Value::String(s)
    }
}
impl From<Number> for Value {
    fn from(n: Number) -> Self {
        Value::Number(n)
    }
}
impl From<i64> for Value {
    fn from(n: i64) -> Self {
        Value::Number(Number::from_i64(n))
    }
}

/// Terraform-console-like rendering, with sensitive values hidden and unknowns spelled out.
impl fmt::Display for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Value::Null(_) => f.write_str("null"),
            Value::Unknown(_) => f.write_str("(known after apply)"),
            Value::Bool(b) => write!(f, "{b}"),
            Value::Number(n) => write!(f, "{n}"),
            Value::String(s) => write!(f, "{s:?}"),
            Value::List(items) | Value::Set(items) | Value::Tuple(items) => {
                f.write_str("[")?;
                for (i, v) in items.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    write!(f, "{v}")?;
                }
                f.write_str("]")
            }
            Value::Map(items) | Value::Object(items) => {
                f.write_str("{")?;
                for (i, (k, v)) in items.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    write!(f, "{k:?} = {v}")?;
                }
                f.write_str("}")
            }
            Value::Sensitive(_) => f.write_str("(sensitive value)"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sets_are_sorted_and_deduplicated() {
        let s = Value::set(vec!["b".into(), "a".into(), "b".into()]);
        assert_eq!(s, Value::Set(vec!["a".into(), "b".into()]));
    }

    #[test]
    fn numbers_compare_by_value_not_by_spelling() {
        let a = Value::Number(Number::parse("1.0").unwrap());
        let b = Value::Number(Number::parse("1").unwrap());
        assert_eq!(a, b);
    }

    #[test]
    fn a_list_of_strings_has_type_list_of_string() {
        let v = Value::List(vec!["a".into(), "b".into()]);
        assert_eq!(v.ty().to_string(), "list(string)");
        assert_eq!(Value::List(vec![]).ty().to_string(), "list(dynamic)");
    }

    #[test]
    fn nested_sensitive_marks_are_found_and_removed() {
        let v = Value::object([("a", Value::from("x").mark_sensitive())]);
        assert!(v.contains_sensitive());
        let (plain, found) = v.unmark_deep();
        assert!(found);
        assert!(!plain.contains_sensitive());
    }

    #[test]
    fn json_round_trip_keeps_big_integers_exact() {
        let v = Value::Number(Number::parse("123456789012345678901234567890").unwrap());
        let j = v.to_json().unwrap();
        assert_eq!(j.to_string(), "123456789012345678901234567890");
        assert_eq!(Value::from_json(&j), v);
    }

    #[test]
    fn unknown_values_cannot_become_json() {
        assert!(Value::List(vec![Value::unknown()]).to_json().is_none());
    }
}
