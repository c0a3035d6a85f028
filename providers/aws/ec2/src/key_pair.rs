//! `aws_key_pair`: an SSH public key registered with EC2 (ImportKeyPair). Its id is the key
//! name. The key and name force replacement; tags change in place (on the key pair id).
//! Refresh reads up to 200 key pairs per DescribeKeyPairs call (a key-name filter, which,
//! unlike KeyNames, does not fail when one is gone).
//!
//! AWS keeps the public key but does not return it unless asked; it is read on import, and
//! otherwise kept from the state. Two keys that differ only in their comment are the same key.

use crate::common::{Ec2, filter, id_of, in_order};
use async_trait::async_trait;
use aws_sdk_ec2::types::{KeyPairInfo, ResourceType};
use base64::Engine;
use std::collections::BTreeMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};
use terrane_aws_core::{AwsErrorExt, sdk_error, tags};
use terrane_sdk::read::{self, arg_error, is_set, with_attrs};
use terrane_sdk::{
    ApplyCtx, Attribute, Block, PlannedChange, ProviderError, Resource, Schema, plan_default,
};
use terrane_types::{Type, Value};

/// The length of the unique suffix of generated names (Terraform's `id.UniqueIDSuffixLength`).
const UNIQUE_SUFFIX_LEN: usize = 26;

pub(crate) fn schema() -> Schema {
    Schema::new(
        Block::new()
            .describe("An SSH key pair for EC2 instances (its public key).")
            .attr(
                "key_name",
                Attribute::optional_computed(Type::String)
                    .force_new()
                    .describe("The key pair's name (generated when neither it nor key_name_prefix is set)."),
            )
            .attr(
                "key_name_prefix",
                Attribute::optional_computed(Type::String)
                    .force_new()
                    .describe("Generate a unique name beginning with this."),
            )
            .attr(
                "public_key",
                Attribute::required(Type::String)
                    .force_new()
                    .describe("The public key, in OpenSSH format (ssh-ed25519 AAAA...)."),
            )
            .attr("key_pair_id", Attribute::computed(Type::String))
            .attr("fingerprint", Attribute::computed(Type::String))
            .attr("key_type", Attribute::computed(Type::String))
            .attr("arn", Attribute::computed(Type::String))
            .attr("tags", Attribute::optional(Type::map(Type::String)))
            .attr(
                "tags_all",
                Attribute::optional_computed(Type::map(Type::String)),
            )
            .attr("id", Attribute::computed(Type::String)),
    )
    .with_version(1)
}

pub(crate) struct KeyPair {
    ec2: Arc<Ec2>,
    schema: Schema,
}

/// A unique name: `prefix` + a 26-character time-ordered suffix, as Terraform generates
/// (`terraform-20240102030405060700000001`).
pub(crate) fn unique_name(prefix: &str) -> String {
    static COUNTER: AtomicU32 = AtomicU32::new(0);
    let n = COUNTER.fetch_add(1, Ordering::Relaxed).wrapping_add(1);
    let t = time::OffsetDateTime::now_utc();
    format!(
        "{prefix}{:04}{:02}{:02}{:02}{:02}{:02}{:04}{n:08x}",
        t.year(),
        u8::from(t.month()),
        t.day(),
        t.hour(),
        t.minute(),
        t.second(),
        t.nanosecond() / 100_000,
    )
}

/// The prefix a generated name was made from, if it looks generated.
pub(crate) fn prefix_of(name: &str) -> Option<&str> {
    let cut = name.len().checked_sub(UNIQUE_SUFFIX_LEN)?;
    let (prefix, suffix) = (name.get(..cut)?, name.get(cut..)?);
    (!prefix.is_empty() && suffix.chars().all(|c| c.is_ascii_hexdigit())).then_some(prefix)
}

/// The key type and key data of an OpenSSH public key (without its comment).
fn key_material(key: &str) -> Option<(&str, Vec<u8>)> {
    let mut parts = key.split_whitespace();
    let kind = parts.next()?;
    let data = base64::engine::general_purpose::STANDARD
        .decode(parts.next()?)
        .ok()?;
    Some((kind, data))
}

/// Whether two OpenSSH public keys are the same key (comments aside).
fn same_key(a: &str, b: &str) -> bool {
    match (key_material(a), key_material(b)) {
        (Some(x), Some(y)) => x == y,
        _ => a.trim() == b.trim(),
    }
}

impl KeyPair {
    pub(crate) fn new(ec2: Arc<Ec2>) -> KeyPair {
        KeyPair {
            ec2,
            schema: schema(),
        }
    }

    /// `arn:PARTITION:ec2:REGION:ACCOUNT:key-pair/`, to which the key name is appended.
    async fn arn_prefix(&self) -> Result<String, ProviderError> {
        let account = self.ec2.aws.identity().await?.account_id;
        Ok(format!(
            "arn:{}:ec2:{}:{account}:key-pair/",
            self.ec2.aws.partition(),
            self.ec2.aws.region
        ))
    }

    fn flatten(
        &self,
        k: &KeyPairInfo,
        prior: Option<&Value>,
        arn_prefix: &str,
    ) -> Option<(String, Value)> {
        let name = k.key_name()?;
        let (tags_value, tags_all) = self.ec2.tag_values(k.tags(), prior);
        let public_key = match k.public_key() {
            Some(p) => Value::string(p.trim()),
            None => prior
                .and_then(|p| p.get_attr("public_key"))
                .cloned()
                .unwrap_or(Value::Null(Type::String)),
        };
        let s = |v: Option<&str>| match v {
            Some(v) => Value::string(v),
            None => Value::Null(Type::String),
        };
        Some((
            name.to_owned(),
            Value::object([
                ("id", Value::string(name)),
                ("key_name", Value::string(name)),
                ("key_name_prefix", s(prefix_of(name))),
                ("public_key", public_key),
                ("key_pair_id", s(k.key_pair_id())),
                ("fingerprint", s(k.key_fingerprint())),
                ("key_type", s(k.key_type().map(|t| t.as_str()))),
                ("arn", Value::string(format!("{arn_prefix}{name}"))),
                ("tags", tags_value),
                ("tags_all", tags_all),
            ]),
        ))
    }

    /// Reads key pairs by name; `with_public_key` asks AWS for the public keys too.
    async fn describe(
        &self,
        names: Vec<String>,
        priors: &BTreeMap<String, &Value>,
        with_public_key: bool,
    ) -> Result<BTreeMap<String, Value>, ProviderError> {
        if names.is_empty() {
            return Ok(BTreeMap::new());
        }
        let out = self
            .ec2
            .client
            .describe_key_pairs()
            .filters(filter("key-name", names))
            .set_include_public_key(with_public_key.then_some(true))
            .send()
            .await
            .map_err(|e| sdk_error("reading EC2 Key Pairs", e))?;
        let arn_prefix = self.arn_prefix().await?;
        Ok(out
            .key_pairs()
            .iter()
            .filter_map(|k| {
                let prior = k.key_name().and_then(|n| priors.get(n).copied());
                self.flatten(k, prior, &arn_prefix)
            })
            .collect())
    }

    async fn read_one(
        &self,
        name: &str,
        prior: Option<&Value>,
        with_public_key: bool,
    ) -> Result<Option<Value>, ProviderError> {
        let priors: BTreeMap<String, &Value> =
            prior.map(|p| (name.to_owned(), p)).into_iter().collect();
        Ok(self
            .describe(vec![name.to_owned()], &priors, with_public_key)
            .await?
            .remove(name))
    }

    async fn must_read(&self, name: &str, planned: &Value) -> Result<Value, ProviderError> {
        self.read_one(name, Some(planned), false)
            .await?
            .ok_or_else(|| {
                ProviderError::new(format!("reading EC2 Key Pair ({name})"))
                    .with_detail("The key pair disappeared right after it was changed.")
            })
    }
}

#[async_trait]
impl Resource for KeyPair {
    fn schema(&self) -> &Schema {
        &self.schema
    }

    async fn plan(
        &self,
        prior: Option<&Value>,
        config: &Value,
    ) -> Result<PlannedChange, ProviderError> {
        if is_set(config, "key_name") && is_set(config, "key_name_prefix") {
            return Err(arg_error(
                "key_name_prefix",
                "\"key_name_prefix\": conflicts with key_name",
            ));
        }
        // The key is recorded without surrounding whitespace; a key that differs from the
        // recorded one only in its comment is the same key.
        let mut config = config.clone();
        if let Some(key) = read::string(&config, "public_key") {
            let key = match prior.and_then(|p| read::string(p, "public_key")) {
                Some(old) if same_key(old, key) => old.to_owned(),
                _ => key.trim().to_owned(),
            };
            config = with_attrs(&config, [("public_key", Value::string(key))]);
        }
        let mut change = plan_default(&self.schema, prior, &config);
        if let Value::Object(m) = &mut change.planned {
            m.insert(
                "tags_all".into(),
                tags::plan_tags_all(&self.ec2.aws, &config),
            );
        }
        Ok(change)
    }

    async fn create(&self, planned: &Value, _: &ApplyCtx) -> Result<Value, ProviderError> {
        let name = match (
            read::string(planned, "key_name"),
            read::string(planned, "key_name_prefix"),
        ) {
            (Some(n), _) if !n.is_empty() => n.to_owned(),
            (_, Some(p)) if !p.is_empty() => unique_name(p),
            _ => unique_name("terraform-"),
        };
        let key = read::string(planned, "public_key").unwrap_or_default();
        self.ec2
            .client
            .import_key_pair()
            .key_name(&name)
            .public_key_material(aws_smithy_types::Blob::new(key.as_bytes()))
            .set_tag_specifications(
                self.ec2
                    .tag_spec(ResourceType::KeyPair, planned)
                    .map(|t| vec![t]),
            )
            .send()
            .await
            .map_err(|e| {
                let err = sdk_error(&format!("importing EC2 Key Pair ({name})"), e);
                if err.code.as_deref() == Some("InvalidKey.Format") {
                    err.with_attribute(terrane_types::AttrPath::attr("public_key"))
                } else {
                    err
                }
            })?;
        self.must_read(&name, planned).await
    }

    async fn update(
        &self,
        prior: &Value,
        planned: &Value,
        _: &ApplyCtx,
    ) -> Result<Value, ProviderError> {
        let name = id_of(prior).ok_or_else(|| {
            ProviderError::new("updating EC2 Key Pair").with_detail("The state has no id.")
        })?;
        // Only tags change in place; they belong to the key pair id.
        let key_pair_id = read::string(prior, "key_pair_id").unwrap_or(name);
        self.ec2.update_tags(key_pair_id, prior, planned).await?;
        self.must_read(name, planned).await
    }

    async fn delete(&self, prior: &Value, _: &ApplyCtx) -> Result<(), ProviderError> {
        let Some(name) = id_of(prior) else {
            return Ok(());
        };
        match self
            .ec2
            .client
            .delete_key_pair()
            .key_name(name)
            .send()
            .await
        {
            Ok(_) => Ok(()),
            Err(e) if e.is_not_found() => Ok(()),
            Err(e) => Err(sdk_error(&format!("deleting EC2 Key Pair ({name})"), e)),
        }
    }

    async fn read_many(&self, priors: &[Value]) -> Result<Vec<Option<Value>>, ProviderError> {
        let by_name: BTreeMap<String, &Value> = priors
            .iter()
            .filter_map(|p| id_of(p).map(|id| (id.to_owned(), p)))
            .collect();
        let names: Vec<String> = by_name.keys().cloned().collect();
        let mut found = BTreeMap::new();
        for chunk in names.chunks(crate::common::IDS_PER_CALL) {
            found.extend(self.describe(chunk.to_vec(), &by_name, false).await?);
        }
        Ok(in_order(priors, found))
    }

    async fn import(&self, id: &str) -> Result<Value, ProviderError> {
        self.read_one(id, None, true).await?.ok_or_else(|| {
            ProviderError::new(format!("importing EC2 Key Pair ({id})")).with_detail(format!(
                "Cannot import non-existent remote object: no key pair named {id}."
            ))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_names_carry_a_26_character_suffix_that_gives_the_prefix_back() {
        let a = unique_name("web-");
        let b = unique_name("web-");
        assert_eq!(a.len(), "web-".len() + UNIQUE_SUFFIX_LEN, "{a}");
        assert_ne!(a, b);
        assert!(a < b, "{a} {b}");
        assert_eq!(prefix_of(&a), Some("web-"));
        assert_eq!(prefix_of(&unique_name("terraform-")), Some("terraform-"));
        assert_eq!(prefix_of("deployer"), None);
        assert_eq!(prefix_of("my-key-with-a-name-that-is-long-enough"), None);
    }

    #[test]
    fn keys_that_differ_only_in_their_comment_are_the_same() {
        let k = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGHuTZ+7mjV2bzUHNMn0sIOtYGyFtxDtp0vwFWLs9kMl";
        assert!(same_key(k, &format!("{k} alice@laptop")));
        assert!(same_key(&format!("{k} one"), &format!("  {k} two\n")));
        assert!(!same_key(
            k,
            "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHVmUTRm0XlUH9CbcKqD4wfqWwRF8wE2mQm0BmlGE0zN"
        ));
    }
}
