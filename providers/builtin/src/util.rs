//! What the providers share: the configured-provider catalog, reading and building
//! schema-shaped objects, defaults, plan adjustments, errors naming the argument, checksums.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;
use md5::Md5;
use sha1::Sha1;
use sha2::{Digest, Sha256, Sha512};
use std::collections::BTreeMap;
use std::sync::Arc;
use terrane_sdk::{
    DataSource, PlannedChange, Provider, ProviderError, Resource, Schema, proposed_new_state,
};
use terrane_types::{AttrPath, Number, PathStep, Value};

/// A configured provider: its resource and data source types by name.
#[derive(Default)]
pub(crate) struct Catalog {
    resources: BTreeMap<&'static str, Arc<dyn Resource>>,
    data_sources: BTreeMap<&'static str, Arc<dyn DataSource>>,
}

impl Catalog {
    pub(crate) fn resource(mut self, name: &'static str, r: impl Resource + 'static) -> Catalog {
        self.resources.insert(name, Arc::new(r));
        self
    }

    pub(crate) fn data_source(
        mut self,
        name: &'static str,
        d: impl DataSource + 'static,
    ) -> Catalog {
        self.data_sources.insert(name, Arc::new(d));
        self
    }

    pub(crate) fn resource_schemas(&self) -> Vec<(&'static str, Schema)> {
        self.resources
            .iter()
            .map(|(k, r)| (*k, r.schema().clone()))
            .collect()
    }

    pub(crate) fn data_source_schemas(&self) -> Vec<(&'static str, Schema)> {
        self.data_sources
            .iter()
            .map(|(k, d)| (*k, d.schema().clone()))
            .collect()
    }
}

impl Provider for Catalog {
    fn resource(&self, type_name: &str) -> Option<Arc<dyn Resource>> {
        self.resources.get(type_name).cloned()
    }

    fn data_source(&self, type_name: &str) -> Option<Arc<dyn DataSource>> {
        self.data_sources.get(type_name).cloned()
    }
}

/// An error about one argument of the configuration.
pub(crate) fn arg_error(name: &str, summary: impl Into<String>) -> ProviderError {
    ProviderError::new(summary).with_attribute(AttrPath::attr(name))
}

/// The attribute when it is known and not null.
pub(crate) fn known<'a>(v: &'a Value, name: &str) -> Option<&'a Value> {
    v.get_attr(name)
        .map(Value::unmarked)
        .filter(|a| a.is_known() && !a.is_null())
}

/// Whether the attribute is unknown (so it may be set once known).
pub(crate) fn is_unknown(v: &Value, name: &str) -> bool {
    v.get_attr(name).is_some_and(|a| !a.is_known())
}

/// Whether the attribute is set: known and not null, or unknown.
pub(crate) fn is_set(v: &Value, name: &str) -> bool {
    is_unknown(v, name) || known(v, name).is_some()
}

pub(crate) fn string<'a>(v: &'a Value, name: &str) -> Option<&'a str> {
    known(v, name).and_then(Value::as_str)
}

pub(crate) fn boolean(v: &Value, name: &str) -> Option<bool> {
    known(v, name).and_then(Value::as_bool)
}

/// A whole-number attribute; an error naming it when it is not a whole number that fits.
pub(crate) fn integer(v: &Value, name: &str) -> Result<Option<i64>, ProviderError> {
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
pub(crate) fn strings(v: &Value, name: &str) -> Vec<String> {
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

pub(crate) fn int_value(n: i64) -> Value {
    Value::Number(Number::from_i64(n))
}

/// The object with some attributes replaced.
pub(crate) fn with_attrs<'a>(
    v: &Value,
    updates: impl IntoIterator<Item = (&'a str, Value)>,
) -> Value {
    let mut m = v.as_entries().cloned().unwrap_or_default();
    for (k, x) in updates {
        m.insert(k.to_owned(), x);
    }
    Value::Object(m)
}

/// The configuration with schema defaults for the attributes it leaves null (like the plugin
/// framework's `Default`: the attribute is optional and computed, and plans as the default).
pub(crate) fn with_defaults(config: &Value, defaults: &[(&str, Value)]) -> Value {
    let mut m = config.as_entries().cloned().unwrap_or_default();
    for (k, d) in defaults {
        let unset = m.get(*k).is_none_or(Value::is_null);
        if unset {
            m.insert((*k).to_owned(), d.clone());
        }
    }
    Value::Object(m)
}

/// Two values are the same, marks aside.
pub(crate) fn same(a: Option<&Value>, b: Option<&Value>) -> bool {
    let plain = |v: Option<&Value>| v.map(|v| v.clone().unmark_deep().0);
    plain(a) == plain(b)
}

/// Takes `name` back out of a replacement plan because its change can be made in place; when
/// nothing else forces replacement the change becomes an update of `prior`.
pub(crate) fn allow_in_place(
    schema: &Schema,
    prior: &Value,
    config: &Value,
    mut change: PlannedChange,
    name: &str,
) -> PlannedChange {
    let path = AttrPath(vec![PathStep::Attr(name.to_owned())]);
    if !change.requires_replace.contains(&path) {
        return change;
    }
    change.requires_replace.retain(|p| p != &path);
    if change.requires_replace.is_empty() {
        change.planned = proposed_new_state(&schema.block, Some(prior), config);
    }
    change
}

/// The random and null providers' `RequiresReplaceIfValuesNotNull` for `keepers`/`triggers`:
/// a change replaces the object unless all it does is add or remove keys whose values are null.
pub(crate) fn map_change_replaces(prior: Option<&Value>, config: Option<&Value>) -> bool {
    if same(prior, config) {
        return false;
    }
    let prior = prior.map(Value::unmarked).filter(|p| !p.is_null());
    let config = config.map(Value::unmarked).filter(|c| !c.is_null());
    if config.is_some_and(|c| !c.is_known()) {
        return prior.is_some();
    }
    let empty = BTreeMap::new();
    let config_entries = config.and_then(Value::as_entries).unwrap_or(&empty);
    let Some(prior) = prior else {
        return config_entries.values().any(|v| !v.is_null());
    };
    let prior_entries = prior.as_entries().unwrap_or(&empty);
    let changed = config_entries
        .iter()
        .any(|(k, c)| match prior_entries.get(k) {
            None => !c.is_null(),
            Some(p) => !same(Some(p), Some(c)),
        });
    changed
        || prior_entries
            .keys()
            .any(|k| !config_entries.contains_key(k))
}

pub(crate) fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        s.push(DIGITS[(b >> 4) as usize] as char);
        s.push(DIGITS[(b & 15) as usize] as char);
    }
    s
}

/// The digests the local and archive providers report for a file's content.
pub(crate) struct Checksums {
    pub md5: String,
    pub sha1: String,
    pub sha256: String,
    pub base64sha256: String,
    pub sha512: String,
    pub base64sha512: String,
}

impl Checksums {
    pub(crate) fn of(data: &[u8]) -> Checksums {
        let sha256 = Sha256::digest(data);
        let sha512 = Sha512::digest(data);
        Checksums {
            md5: hex(&Md5::digest(data)),
            sha1: hex(&Sha1::digest(data)),
            sha256: hex(&sha256),
            base64sha256: B64.encode(sha256),
            sha512: hex(&sha512),
            base64sha512: B64.encode(sha512),
        }
    }
}

/// Decodes standard base64 (padded), as Go's `base64.StdEncoding` does.
pub(crate) fn decode_base64(text: &str) -> Result<Vec<u8>, String> {
    B64.decode(text).map_err(|e| e.to_string())
}

pub(crate) fn encode_base64(bytes: &[u8]) -> String {
    B64.encode(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;
    use terrane_types::Type;

    fn m(entries: &[(&str, Option<&str>)]) -> Value {
        Value::map(
            entries
                .iter()
                .map(|(k, v)| (*k, v.map_or(Value::Null(Type::String), Value::from))),
        )
    }

    #[test]
    fn keeper_changes_replace_unless_only_null_values_come_or_go() {
        let a = m(&[("a", Some("1"))]);
        assert!(!map_change_replaces(Some(&a), Some(&a.clone())));
        assert!(map_change_replaces(Some(&a), Some(&m(&[("a", Some("2"))]))));
        assert!(map_change_replaces(Some(&a), None));
        assert!(map_change_replaces(None, Some(&a)));
        assert!(!map_change_replaces(None, Some(&m(&[("a", None)]))));
        let with_null = m(&[("a", Some("1")), ("b", None)]);
        assert!(!map_change_replaces(Some(&a), Some(&with_null)));
        assert!(map_change_replaces(Some(&with_null), Some(&a)));
    }

    #[test]
    fn checksums_are_hex_and_base64_digests() {
        let c = Checksums::of(b"hello");
        assert_eq!(c.md5, "5d41402abc4b2a76b9719d911017c592");
        assert_eq!(c.sha1, "aaf4c61ddcc5e8a2dabede0f3b482cd9aea9434d");
        assert_eq!(
            c.sha256,
            "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824"
        );
        assert_eq!(
            c.base64sha256,
            "LPJNul+wow4m6DsqxbninhsWHlwfp0JecwQzYpOLmCQ="
        );
        assert_eq!(c.sha512.len(), 128);
    }

    #[test]
    fn defaults_fill_only_null_attributes() {
        let config = Value::object([("a", Value::Null(Type::Bool)), ("b", Value::Bool(false))]);
        let d = with_defaults(
            &config,
            &[("a", Value::Bool(true)), ("b", Value::Bool(true))],
        );
        assert_eq!(d.get_attr("a"), Some(&Value::Bool(true)));
        assert_eq!(d.get_attr("b"), Some(&Value::Bool(false)));
    }
}
