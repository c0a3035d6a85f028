//! What the providers share: the configured-provider catalog, reading and building
//! schema-shaped objects, defaults, plan adjustments, errors naming the argument, checksums.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;
use md5::Md5;
use sha1::Sha1;
use sha2::{Digest, Sha256, Sha512};
use std::collections::BTreeMap;
pub(crate) use terrane_sdk::Catalog;
pub(crate) use terrane_sdk::read::*;
use terrane_sdk::{PlannedChange, Schema, proposed_new_state};
use terrane_types::{AttrPath, PathStep, Value};

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
