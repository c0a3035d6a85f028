//! `random_uuid` (a version 4 UUID) and `random_bytes` (sensitive random bytes).

use super::{keepers, plan_random};
use crate::rng::Rng;
use crate::util::{arg_error, encode_base64, hex, integer, with_attrs};
use async_trait::async_trait;
use terrane_sdk::{
    ApplyCtx, Attribute, Block, PlannedChange, ProviderError, Resource, Schema, plan_default,
};
use terrane_types::{Type, Value};

pub struct RandomUuid {
    schema: Schema,
}

impl RandomUuid {
    pub fn new() -> RandomUuid {
        let block = Block::new()
            .describe("A random (version 4) UUID.")
            .attr("keepers", keepers())
            .attr(
                "result",
                Attribute::computed(Type::String).describe("The generated UUID."),
            )
            .attr("id", Attribute::computed(Type::String));
        RandomUuid {
            schema: Schema::new(block),
        }
    }
}

impl Default for RandomUuid {
    fn default() -> Self {
        RandomUuid::new()
    }
}

#[async_trait]
impl Resource for RandomUuid {
    fn schema(&self) -> &Schema {
        &self.schema
    }

    async fn plan(
        &self,
        prior: Option<&Value>,
        config: &Value,
    ) -> Result<PlannedChange, ProviderError> {
        Ok(plan_random(&self.schema, prior, config, &[]))
    }

    async fn create(&self, planned: &Value, _ctx: &ApplyCtx) -> Result<Value, ProviderError> {
        let id = uuid::Uuid::new_v4().to_string();
        Ok(with_attrs(
            planned,
            [("result", Value::from(id.clone())), ("id", Value::from(id))],
        ))
    }

    async fn update(
        &self,
        _: &Value,
        planned: &Value,
        _: &ApplyCtx,
    ) -> Result<Value, ProviderError> {
        Ok(planned.clone())
    }

    async fn delete(&self, _prior: &Value, _ctx: &ApplyCtx) -> Result<(), ProviderError> {
        Ok(())
    }

    /// The id is the UUID.
    async fn import(&self, id: &str) -> Result<Value, ProviderError> {
        let parsed = uuid::Uuid::parse_str(id).map_err(|e| {
            ProviderError::new("importing random_uuid: the id is not a UUID")
                .with_detail(e.to_string())
        })?;
        let text = parsed.hyphenated().to_string();
        Ok(Value::object([
            ("keepers", Value::Null(Type::map(Type::String))),
            ("result", Value::from(text.clone())),
            ("id", Value::from(text)),
        ]))
    }
}

pub struct RandomBytes {
    schema: Schema,
}

impl RandomBytes {
    pub fn new() -> RandomBytes {
        let block = Block::new()
            .describe("Random bytes, kept secret: for keys and salts.")
            .attr("keepers", keepers())
            .attr(
                "length",
                Attribute::required(Type::Number)
                    .force_new()
                    .describe("The number of bytes (at least 1)."),
            )
            .attr(
                "base64",
                Attribute::computed(Type::String)
                    .sensitive()
                    .describe("The bytes in standard base64."),
            )
            .attr(
                "hex",
                Attribute::computed(Type::String)
                    .sensitive()
                    .describe("The bytes in hexadecimal."),
            );
        RandomBytes {
            schema: Schema::new(block),
        }
    }
}

impl Default for RandomBytes {
    fn default() -> Self {
        RandomBytes::new()
    }
}

fn length(v: &Value) -> Result<Option<usize>, ProviderError> {
    match integer(v, "length")? {
        Some(n) if n < 1 => Err(arg_error(
            "length",
            format!("length must be at least 1, not {n}"),
        )),
        n => Ok(n.map(|n| n as usize)),
    }
}

#[async_trait]
impl Resource for RandomBytes {
    fn schema(&self) -> &Schema {
        &self.schema
    }

    /// Any change of `keepers` replaces (this type does not have the null-value exception).
    async fn plan(
        &self,
        prior: Option<&Value>,
        config: &Value,
    ) -> Result<PlannedChange, ProviderError> {
        length(config)?;
        Ok(plan_default(&self.schema, prior, config))
    }

    async fn create(&self, planned: &Value, _ctx: &ApplyCtx) -> Result<Value, ProviderError> {
        let n = length(planned)?.ok_or_else(|| arg_error("length", "length is required"))?;
        let bytes = Rng::from_entropy().bytes(n);
        Ok(with_attrs(
            planned,
            [
                ("base64", Value::from(encode_base64(&bytes))),
                ("hex", Value::from(hex(&bytes))),
            ],
        ))
    }

    async fn update(
        &self,
        _: &Value,
        planned: &Value,
        _: &ApplyCtx,
    ) -> Result<Value, ProviderError> {
        Ok(planned.clone())
    }

    async fn delete(&self, _prior: &Value, _ctx: &ApplyCtx) -> Result<(), ProviderError> {
        Ok(())
    }

    /// The id is the bytes in standard base64.
    async fn import(&self, id: &str) -> Result<Value, ProviderError> {
        let bytes = crate::util::decode_base64(id).map_err(|e| {
            ProviderError::new("importing random_bytes: the id is not base64").with_detail(e)
        })?;
        Ok(Value::object([
            ("keepers", Value::Null(Type::map(Type::String))),
            ("length", crate::util::int_value(bytes.len() as i64)),
            ("base64", Value::from(encode_base64(&bytes))),
            ("hex", Value::from(hex(&bytes))),
        ]))
    }
}
