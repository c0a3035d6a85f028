//! Data source `aws_iam_policy_document`: policy statements written as blocks, rendered as
//! JSON exactly as Terraform's AWS provider renders them, so a configuration's `json` output
//! (and every hash of it) is the same under terrane: two-space indentation, the keys in
//! Terraform's order (Version, Id, Statement; Sid, Effect, Action, NotAction, Resource,
//! NotResource, Principal, NotPrincipal, Condition), a one-element set as a plain string,
//! larger sets sorted in reverse, principal types and condition keys sorted, a principal of
//! type "*" as a bare "*", and `<`, `>`, `&` escaped as Go does.
//!
//! Not supported yet: `source_policy_documents` and `override_policy_documents` (the engine
//! rejects them as unsupported arguments).

use async_trait::async_trait;
use serde_json::{Map, Value as Json};
use std::collections::BTreeMap;
use terrane_sdk::read::{self, arg_error};
use terrane_sdk::{Attribute, Block, DataSource, NestedBlock, Nesting, ProviderError, Schema};
use terrane_types::{Type, Value};

pub(crate) fn schema() -> Schema {
    let strings = || Attribute::optional(Type::set(Type::String));
    let principals = || {
        NestedBlock::new(
            Nesting::Set,
            Block::new()
                .attr("type", Attribute::required(Type::String))
                .attr("identifiers", Attribute::required(Type::set(Type::String))),
        )
    };
    let statement = Block::new()
        .attr("sid", Attribute::optional(Type::String))
        .attr("effect", Attribute::optional(Type::String))
        .attr("actions", strings())
        .attr("not_actions", strings())
        .attr("resources", strings())
        .attr("not_resources", strings())
        .block("principals", principals())
        .block("not_principals", principals())
        .block(
            "condition",
            NestedBlock::new(
                Nesting::Set,
                Block::new()
                    .attr("test", Attribute::required(Type::String))
                    .attr("variable", Attribute::required(Type::String))
                    .attr("values", Attribute::required(Type::list(Type::String))),
            ),
        );
    Schema::new(
        Block::new()
            .describe("An IAM policy document, rendered as JSON.")
            .attr("version", Attribute::optional(Type::String))
            .attr("policy_id", Attribute::optional(Type::String))
            .block("statement", NestedBlock::new(Nesting::List, statement))
            .attr("json", Attribute::computed(Type::String))
            .attr("minified_json", Attribute::computed(Type::String))
            .attr("id", Attribute::computed(Type::String)),
    )
}

pub(crate) struct PolicyDocument {
    schema: Schema,
}

impl PolicyDocument {
    pub(crate) fn new() -> PolicyDocument {
        PolicyDocument { schema: schema() }
    }
}

/// A set of strings as Terraform writes it: one element as a string, more in reverse order.
fn string_set(items: Vec<String>) -> Option<Json> {
    match items.len() {
        0 => None,
        1 => items.into_iter().next().map(Json::String),
        _ => {
            let mut items = items;
            items.sort();
            items.reverse();
            Some(Json::Array(items.into_iter().map(Json::String).collect()))
        }
    }
}

fn blocks<'a>(v: &'a Value, name: &str) -> &'a [Value] {
    v.get_attr(name)
        .map(Value::unmarked)
        .and_then(Value::as_seq)
        .unwrap_or(&[])
}

fn principal_set(blocks: &[Value]) -> Option<Json> {
    if blocks.is_empty() {
        return None;
    }
    if blocks.len() == 1 && read::string(&blocks[0], "type") == Some("*") {
        return Some(Json::String("*".into()));
    }
    let mut by_type: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for b in blocks {
        let ty = read::string(b, "type").unwrap_or_default().to_owned();
        let mut ids = read::strings(b, "identifiers");
        ids.sort();
        ids.reverse();
        by_type.entry(ty).or_default().extend(ids);
    }
    let mut out = Map::new();
    for (ty, ids) in by_type {
        let v = if ids.len() == 1 {
            Json::String(ids.into_iter().next().unwrap_or_default())
        } else {
            Json::Array(ids.into_iter().map(Json::String).collect())
        };
        out.insert(ty, v);
    }
    Some(Json::Object(out))
}

fn condition_set(blocks: &[Value]) -> Option<Json> {
    if blocks.is_empty() {
        return None;
    }
    let mut by_test: BTreeMap<String, BTreeMap<String, Vec<String>>> = BTreeMap::new();
    for b in blocks {
        let test = read::string(b, "test").unwrap_or_default().to_owned();
        let variable = read::string(b, "variable").unwrap_or_default().to_owned();
        by_test
            .entry(test)
            .or_default()
            .entry(variable)
            .or_default()
            .extend(read::strings(b, "values"));
    }
    let mut out = Map::new();
    for (test, vars) in by_test {
        let mut m = Map::new();
        for (var, values) in vars {
            let v = if values.len() == 1 {
                Json::String(values.into_iter().next().unwrap_or_default())
            } else {
                let mut values = values;
                values.sort();
                values.reverse();
                Json::Array(values.into_iter().map(Json::String).collect())
            };
            m.insert(var, v);
        }
        out.insert(test, Json::Object(m));
    }
    Some(Json::Object(out))
}

/// The document as Terraform builds it, before serialisation.
fn document(config: &Value) -> Result<Json, ProviderError> {
    let mut statements = Vec::new();
    for (i, s) in blocks(config, "statement").iter().enumerate() {
        let mut st = Map::new();
        if let Some(sid) = read::string(s, "sid").filter(|s| !s.is_empty()) {
            st.insert("Sid".into(), Json::String(sid.into()));
        }
        let effect = read::string(s, "effect").unwrap_or("Allow");
        if effect != "Allow" && effect != "Deny" {
            return Err(arg_error(
                "statement",
                format!("statement {i}: effect must be \"Allow\" or \"Deny\", not {effect:?}"),
            ));
        }
        st.insert("Effect".into(), Json::String(effect.into()));
        for (attr, key) in [
            ("actions", "Action"),
            ("not_actions", "NotAction"),
            ("resources", "Resource"),
            ("not_resources", "NotResource"),
        ] {
            if let Some(v) = string_set(read::strings(s, attr)) {
                st.insert(key.into(), v);
            }
        }
        if let Some(v) = principal_set(blocks(s, "principals")) {
            st.insert("Principal".into(), v);
        }
        if let Some(v) = principal_set(blocks(s, "not_principals")) {
            st.insert("NotPrincipal".into(), v);
        }
        if let Some(v) = condition_set(blocks(s, "condition")) {
            st.insert("Condition".into(), v);
        }
        statements.push(Json::Object(st));
    }
    let mut doc = Map::new();
    doc.insert(
        "Version".into(),
        Json::String(
            read::string(config, "version")
                .unwrap_or("2012-10-17")
                .into(),
        ),
    );
    if let Some(id) = read::string(config, "policy_id").filter(|s| !s.is_empty()) {
        doc.insert("Id".into(), Json::String(id.into()));
    }
    doc.insert("Statement".into(), Json::Array(statements));
    Ok(Json::Object(doc))
}

/// Go's encoding/json escapes these inside strings; so must we, for byte-equal output.
fn go_escape(s: String) -> String {
    s.replace('<', "\\u003c")
        .replace('>', "\\u003e")
        .replace('&', "\\u0026")
        .replace('\u{2028}', "\\u2028")
        .replace('\u{2029}', "\\u2029")
}

/// Terraform's hash of a string (`create.StringHashcode`: CRC-32 IEEE).
fn hashcode(s: &str) -> i64 {
    let mut crc: u32 = !0;
    for &b in s.as_bytes() {
        crc ^= u32::from(b);
        for _ in 0..8 {
            crc = if crc & 1 == 1 {
                (crc >> 1) ^ 0xEDB8_8320
            } else {
                crc >> 1
            };
        }
    }
    // Go's int is 64 bits: the checksum is never negative there.
    i64::from(!crc)
}

#[async_trait]
impl DataSource for PolicyDocument {
    fn schema(&self) -> &Schema {
        &self.schema
    }

    async fn read(&self, config: &Value) -> Result<Value, ProviderError> {
        let doc = document(config)?;
        let pretty = serde_json::to_string_pretty(&doc).map_err(|e| {
            ProviderError::new("rendering the policy document").with_detail(e.to_string())
        })?;
        let minified = serde_json::to_string(&doc).map_err(|e| {
            ProviderError::new("rendering the policy document").with_detail(e.to_string())
        })?;
        let pretty = go_escape(pretty);
        let id = hashcode(&pretty).to_string();
        Ok(read::with_attrs(
            config,
            [
                ("json", Value::string(pretty)),
                ("minified_json", Value::string(go_escape(minified))),
                ("id", Value::string(id)),
            ],
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn strings(items: &[&str]) -> Value {
        Value::set(items.iter().map(|s| Value::string(*s)).collect())
    }

    fn principals(ty: &str, ids: &[&str]) -> Value {
        Value::object([("type", Value::string(ty)), ("identifiers", strings(ids))])
    }

    async fn render(statements: Vec<Value>) -> String {
        let config = Value::object([("statement", Value::List(statements))]);
        let out = PolicyDocument::new().read(&config).await.unwrap();
        read::string(&out, "json").unwrap().to_owned()
    }

    #[tokio::test]
    async fn the_lambda_assume_role_document_renders_as_terraform_renders_it() {
        let json = render(vec![Value::object([
            ("effect", Value::string("Allow")),
            ("actions", strings(&["sts:AssumeRole"])),
            (
                "principals",
                Value::Set(vec![principals("Service", &["lambda.amazonaws.com"])]),
            ),
        ])])
        .await;
        assert_eq!(
            json,
            r#"{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Effect": "Allow",
      "Action": "sts:AssumeRole",
      "Principal": {
        "Service": "lambda.amazonaws.com"
      }
    }
  ]
}"#
        );
    }

    #[tokio::test]
    async fn sets_are_in_reverse_order_and_conditions_are_grouped_by_test() {
        let json = render(vec![Value::object([
            ("sid", Value::string("ReadLogs")),
            (
                "actions",
                strings(&["logs:CreateLogGroup", "logs:PutLogEvents"]),
            ),
            ("resources", strings(&["arn:aws:logs:*:*:*"])),
            (
                "condition",
                Value::Set(vec![Value::object([
                    ("test", Value::string("StringEquals")),
                    ("variable", Value::string("aws:RequestedRegion")),
                    (
                        "values",
                        Value::List(vec![Value::string("eu-west-3"), Value::string("us-east-1")]),
                    ),
                ])]),
            ),
        ])])
        .await;
        assert_eq!(
            json,
            r#"{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Sid": "ReadLogs",
      "Effect": "Allow",
      "Action": [
        "logs:PutLogEvents",
        "logs:CreateLogGroup"
      ],
      "Resource": "arn:aws:logs:*:*:*",
      "Condition": {
        "StringEquals": {
          "aws:RequestedRegion": [
            "us-east-1",
            "eu-west-3"
          ]
        }
      }
    }
  ]
}"#
        );
    }

    #[tokio::test]
    async fn a_star_principal_is_a_bare_star() {
        let json = render(vec![Value::object([
            ("actions", strings(&["s3:GetObject"])),
            ("principals", Value::Set(vec![principals("*", &["*"])])),
        ])])
        .await;
        assert!(json.contains("\"Principal\": \"*\""), "{json}");
    }

    #[tokio::test]
    async fn an_unknown_effect_is_an_error() {
        let config = Value::object([(
            "statement",
            Value::List(vec![Value::object([("effect", Value::string("allow"))])]),
        )]);
        assert!(PolicyDocument::new().read(&config).await.is_err());
    }

    #[test]
    fn the_id_is_terraforms_string_hashcode() {
        // crc32("hello") = 0x3610a686.
        assert_eq!(hashcode("hello"), 0x3610_a686);
    }
}
