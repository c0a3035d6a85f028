//! `random_pet`: random pet names such as `wildly-clever-otter`, for unique, readable names.

use super::words::{ADJECTIVES, ADVERBS, NAMES};
use super::{keepers, plan_random};
use crate::rng::Rng;
use crate::util::{arg_error, int_value, integer, string, with_attrs};
use async_trait::async_trait;
use terrane_sdk::{ApplyCtx, Attribute, Block, PlannedChange, ProviderError, Resource, Schema};
use terrane_types::{Type, Value};

pub struct RandomPet {
    schema: Schema,
}

impl RandomPet {
    pub fn new() -> RandomPet {
        let block = Block::new()
            .describe("A random pet name: adverbs, an adjective and an animal, joined.")
            .attr("keepers", keepers())
            .attr(
                "length",
                Attribute::optional_computed(Type::Number)
                    .force_new()
                    .describe("The number of words in the name (default 2)."),
            )
            .attr(
                "prefix",
                Attribute::optional(Type::String)
                    .force_new()
                    .describe("A word put before the name."),
            )
            .attr(
                "separator",
                Attribute::optional_computed(Type::String)
                    .force_new()
                    .describe("The text between words (default \"-\")."),
            )
            .attr(
                "id",
                Attribute::computed(Type::String).describe("The generated pet name."),
            );
        RandomPet {
            schema: Schema::new(block),
        }
    }
}

impl Default for RandomPet {
    fn default() -> Self {
        RandomPet::new()
    }
}

fn defaults() -> [(&'static str, Value); 2] {
    [("length", int_value(2)), ("separator", Value::from("-"))]
}

fn length(v: &Value) -> Result<Option<usize>, ProviderError> {
    match integer(v, "length")? {
        Some(n) if n < 0 => Err(arg_error(
            "length",
            format!("length must not be negative, not {n}"),
        )),
        n => Ok(n.map(|n| n as usize)),
    }
}

/// `words` words: an animal; an adjective and an animal; or adverbs, an adjective, an animal.
pub(crate) fn pet_name(rng: &mut Rng, words: usize, separator: &str) -> String {
    let mut pick = |list: &[&'static str]| list[rng.index(list.len())];
    let parts: Vec<&str> = match words {
        0 => Vec::new(),
        1 => vec![pick(NAMES)],
        n => {
            let mut p: Vec<&str> = (0..n - 2).map(|_| pick(ADVERBS)).collect();
            p.push(pick(ADJECTIVES));
            p.push(pick(NAMES));
            p
        }
    };
    parts.join(separator)
}

#[async_trait]
impl Resource for RandomPet {
    fn schema(&self) -> &Schema {
        &self.schema
    }

    async fn plan(
        &self,
        prior: Option<&Value>,
        config: &Value,
    ) -> Result<PlannedChange, ProviderError> {
        length(config)?;
        Ok(plan_random(&self.schema, prior, config, &defaults()))
    }

    async fn create(&self, planned: &Value, _ctx: &ApplyCtx) -> Result<Value, ProviderError> {
        let words = length(planned)?.unwrap_or(2);
        let separator = string(planned, "separator").unwrap_or("-");
        let mut name = pet_name(&mut Rng::from_entropy(), words, separator);
        if let Some(prefix) = string(planned, "prefix").filter(|p| !p.is_empty()) {
            name = format!("{prefix}{separator}{name}");
        }
        Ok(with_attrs(planned, [("id", Value::from(name))]))
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
}
