//! Reading schema-shaped objects: known attributes, strings, numbers, lists; errors that name
//! the argument they are about.

use crate::ProviderError;
use terrane_types::{AttrPath, Number, Value};

/// An error about one argument of the configuration.
pub fn arg_error(name: &str, summary: impl Into<String>) -> ProviderError {
    ProviderError::new(summary).with_attribute(AttrPath::attr(name))
}

/// The attribute when it is known and not null.
pub fn known<'a>(v: &'a Value, name: &str) -> Option<&'a Value> {
    v.get_attr(name)
        .map(Value::unmarked)
        .filter(|a| a.is_known() && !a.is_null())
}

/// Whether the attribute is unknown (so it may be set once known).
pub fn is_unknown(v: &Value, name: &str) -> bool {
    v.get_attr(name).is_some_and(|a| !a.is_known())
}

/// Whether the attribute is set: known and not null, or unknown.
pub fn is_set(v: &Value, name: &str) -> bool {
    is_unknown(v, name) || known(v, name).is_some()
}

pub fn string<'a>(v: &'a Value, name: &str) -> Option<&'a str> {
    known(v, name).and_then(Value::as_str)
}

pub fn boolean(v: &Value, name: &str) -> Option<bool> {
    known(v, name).and_then(Value::as_bool)
}

/// A whole-number attribute; an error naming it when it is not a whole number that fits.
pub fn integer(v: &Value, name: &str) -> Result<Option<i64>, ProviderError> {
    match known(v, name) {
        None => Ok(None),
        Some(x) => x
            .as_number()
            .and_then(Number::to_i64)
            .map(Some)
            .ok_or_else(|| arg_error(name, format!("{name} must be a whole number, not {x}"))),
    }
}

/// The string elements of a known list, set or map attribute (map values in key order).
pub fn strings(v: &Value, name: &str) -> Vec<String> {
    let Some(x) = known(v, name) else {
        return Vec::new();
    };
    let items: Vec<&Value> = match x.as_seq() {
        Some(s) => s.iter().collect(),
        None => x
            .as_entries()
            .map(|m| m.values().collect())
            .unwrap_or_default(),
    };
    items
        .into_iter()
        .filter_map(|i| i.as_str().map(str::to_owned))
        .collect()
}

pub fn int_value(n: i64) -> Value {
    Value::Number(Number::from_i64(n))
}

/// The object with some attributes replaced.
pub fn with_attrs<'a>(v: &Value, updates: impl IntoIterator<Item = (&'a str, Value)>) -> Value {
    let mut m = v.as_entries().cloned().unwrap_or_default();
    for (k, x) in updates {
        m.insert(k.to_owned(), x);
    }
    Value::Object(m)
}

/// The configuration with schema defaults for the attributes it leaves null (like the plugin
/// framework's `Default`: the attribute is optional and computed, and plans as the default).
pub fn with_defaults(config: &Value, defaults: &[(&str, Value)]) -> Value {
    let mut m = config.as_entries().cloned().unwrap_or_default();
    for (k, d) in defaults {
        let unset = m.get(*k).is_none_or(Value::is_null);
        if unset {
            m.insert((*k).to_owned(), d.clone());
        }
    }
    Value::Object(m)
}

/// The object with every attribute of `block` present: those `v` lacks are null, nested
/// blocks empty (lists and sets) or null (single). Providers build results from what the
/// API returns and shape them with this.
pub fn conform(block: &crate::Block, v: Value) -> Value {
    let mut m = match v {
        Value::Object(m) => m,
        _ => Default::default(),
    };
    for (name, attr) in &block.attributes {
        m.entry(name.clone())
            .or_insert_with(|| Value::Null(attr.ty.clone()));
    }
    for (name, nested) in &block.blocks {
        m.entry(name.clone())
            .or_insert_with(|| match nested.nesting {
                crate::Nesting::List => Value::List(Vec::new()),
                crate::Nesting::Set => Value::Set(Vec::new()),
                crate::Nesting::Map => Value::Map(Default::default()),
                crate::Nesting::Single => Value::Null(nested.block.value_type()),
            });
    }
    Value::Object(m)
}
