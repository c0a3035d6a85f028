//! JSON policy documents compared by meaning, as Terraform's AWS provider does
//! (`awspolicyequivalence`): whitespace and key order never matter, a single string is the
//! same as a one-element list, and the lists inside a statement (actions, resources,
//! principals, condition values) and the statements themselves are sets.

use serde_json::Value as Json;
use std::collections::BTreeSet;

/// Whether two policy documents mean the same. Text that is not JSON is compared as text.
pub fn equivalent(a: &str, b: &str) -> bool {
    if a == b {
        return true;
    }
    match (
        serde_json::from_str::<Json>(a),
        serde_json::from_str::<Json>(b),
    ) {
        (Ok(a), Ok(b)) => canonical(&a) == canonical(&b),
        _ => false,
    }
}

/// A form where equal meanings are equal values: objects with sorted keys, one-element lists
/// unwrapped, lists sorted and deduplicated (a policy's lists are sets), nested throughout.
fn canonical(v: &Json) -> Json {
    match v {
        Json::Object(m) => {
            let mut out = serde_json::Map::new();
            let mut keys: Vec<&String> = m.keys().collect();
            keys.sort();
            for k in keys {
                // `"Statement": {...}` and `"Statement": [{...}]` are the same (below).
                out.insert(k.clone(), canonical(&m[k]));
            }
            Json::Object(out)
        }
        Json::Array(items) => {
            let mut set: BTreeSet<String> = BTreeSet::new();
            let mut values = Vec::new();
            for item in items {
                let c = canonical(item);
                if set.insert(c.to_string()) {
                    values.push(c);
                }
            }
            values.sort_by_key(|c| c.to_string());
            if values.len() == 1 {
                values.pop().unwrap_or(Json::Null)
            } else {
                Json::Array(values)
            }
        }
        // Booleans and numbers in conditions are often written as strings.
        Json::Bool(b) => Json::String(b.to_string()),
        Json::Number(n) => Json::String(n.to_string()),
        other => other.clone(),
    }
}

/// Checks that a policy argument is JSON; the error names the argument.
pub fn check(name: &str, text: &str) -> Result<(), terrane_sdk::ProviderError> {
    serde_json::from_str::<Json>(text).map(|_| ()).map_err(|e| {
        terrane_sdk::read::arg_error(name, format!("\"{name}\" contains an invalid JSON policy"))
            .with_detail(e.to_string())
            .with_hint("Build policies with jsonencode() or data \"aws_iam_policy_document\".")
    })
}

/// IAM returns policy documents URL-encoded (RFC 3986 percent-encoding).
pub fn url_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'%' if i + 2 < bytes.len() => {
                let hex = std::str::from_utf8(&bytes[i + 1..i + 3])
                    .ok()
                    .and_then(|h| u8::from_str_radix(h, 16).ok());
                match hex {
                    Some(b) => {
                        out.push(b);
                        i += 3;
                    }
                    None => {
                        out.push(b'%');
                        i += 1;
                    }
                }
            }
            b'+' => {
                // Form encoding's space; IAM's documents never hold a literal '+' unencoded.
                out.push(b' ');
                i += 1;
            }
            b => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8(out).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned())
}

/// The document to keep in state: the prior (configured) text when AWS's says the same, so
/// formatting never shows as drift; else AWS's, decoded.
pub fn kept(prior: Option<&str>, remote: &str) -> String {
    match prior {
        Some(p) if equivalent(p, remote) => p.to_owned(),
        _ => remote.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_order_and_whitespace_do_not_matter() {
        let a = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}"#;
        let b = "{\n  \"Statement\": [\n    {\n      \"Resource\": \"*\",\n      \"Action\": \"s3:GetObject\",\n      \"Effect\": \"Allow\"\n    }\n  ],\n  \"Version\": \"2012-10-17\"\n}";
        assert!(equivalent(a, b));
    }

    #[test]
    fn a_string_is_a_one_element_list_and_lists_are_sets() {
        let a =
            r#"{"Statement":[{"Effect":"Allow","Action":["s3:GetObject"],"Resource":["b","a"]}]}"#;
        let b = r#"{"Statement":{"Effect":"Allow","Action":"s3:GetObject","Resource":["a","b"]}}"#;
        assert!(equivalent(a, b));
    }

    #[test]
    fn statement_order_does_not_matter() {
        let a = r#"{"Statement":[{"Sid":"A","Effect":"Allow","Action":"a:*"},{"Sid":"B","Effect":"Deny","Action":"b:*"}]}"#;
        let b = r#"{"Statement":[{"Sid":"B","Effect":"Deny","Action":"b:*"},{"Sid":"A","Effect":"Allow","Action":"a:*"}]}"#;
        assert!(equivalent(a, b));
    }

    #[test]
    fn different_documents_differ() {
        let a = r#"{"Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}"#;
        let b = r#"{"Statement":[{"Effect":"Deny","Action":"s3:GetObject","Resource":"*"}]}"#;
        let c = r#"{"Statement":[{"Effect":"Allow","Action":["s3:GetObject","s3:PutObject"],"Resource":"*"}]}"#;
        assert!(!equivalent(a, b));
        assert!(!equivalent(a, c));
        assert!(!equivalent(a, "not json"));
    }

    #[test]
    fn documents_from_iam_are_url_decoded() {
        assert_eq!(
            url_decode("%7B%22Version%22%3A%222012-10-17%22%7D"),
            r#"{"Version":"2012-10-17"}"#
        );
        assert_eq!(url_decode("100%"), "100%");
        assert_eq!(url_decode("%zz"), "%zz");
    }
}
