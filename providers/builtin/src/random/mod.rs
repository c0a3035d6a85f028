//! The random provider (`hashicorp/random`): values generated once at create and kept in state
//! until a `keepers` value (or another argument) changes and replaces them. Resources:
//! `random_id`, `random_integer`, `random_string`, `random_password`, `random_pet`,
//! `random_shuffle`, `random_uuid` and `random_bytes`.
//!
//! Randomness comes from the operating system's CSPRNG; with a `seed` (`random_integer`,
//! `random_shuffle`) the result depends on the seed alone, so it repeats across runs. Seeded
//! results are not the numbers Terraform's provider derives from the same seed (it uses Go's
//! `math/rand` sequence).

mod bytes;
mod pet;
mod string;
#[cfg(test)]
mod tests;
mod words;

pub use bytes::{RandomBytes, RandomUuid};
pub use pet::RandomPet;
pub use string::RandomString;

use crate::rng::Rng;
use crate::util::{
    Catalog, allow_in_place, arg_error, encode_base64, hex, int_value, integer,
    map_change_replaces, string, strings, with_attrs, with_defaults,
};
use async_trait::async_trait;
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use std::sync::Arc;
use terrane_sdk::{
    ApplyCtx, Attribute, Block, PlannedChange, Provider, ProviderError, ProviderFactory, Resource,
    Schema, plan_default,
};
use terrane_types::{Type, Value};

pub struct RandomProvider;

fn catalog() -> Catalog {
    Catalog::default()
        .resource("random_bytes", RandomBytes::new())
        .resource("random_id", RandomId::new())
        .resource("random_integer", RandomInteger::new())
        .resource("random_pet", RandomPet::new())
        .resource("random_shuffle", RandomShuffle::new())
        .resource("random_string", RandomString::new(false))
        .resource("random_password", RandomString::new(true))
        .resource("random_uuid", RandomUuid::new())
}

#[async_trait]
impl ProviderFactory for RandomProvider {
    fn name(&self) -> &'static str {
        "random"
    }
    fn source(&self) -> &'static str {
        "hashicorp/random"
    }
    fn config_schema(&self) -> Schema {
        Schema::default()
    }
    fn resource_schemas(&self) -> Vec<(&'static str, Schema)> {
        catalog().resource_schemas()
    }
    fn data_source_schemas(&self) -> Vec<(&'static str, Schema)> {
        catalog().data_source_schemas()
    }
    async fn configure(&self, _config: &Value) -> Result<Arc<dyn Provider>, ProviderError> {
        Ok(Arc::new(catalog()))
    }
}

/// `keepers`: arbitrary values whose change replaces the resource.
pub(crate) fn keepers() -> Attribute {
    Attribute::optional(Type::map(Type::String))
        .force_new()
        .describe("Arbitrary values that, when changed, replace the resource.")
}

/// The plan of a random resource: schema defaults, replacement when a force-new argument
/// changes, and the provider's own rule for `keepers` (keys with null values may come and go).
pub(crate) fn plan_random(
    schema: &Schema,
    prior: Option<&Value>,
    config: &Value,
    defaults: &[(&str, Value)],
) -> PlannedChange {
    let config = with_defaults(config, defaults);
    let change = plan_default(schema, prior, &config);
    match prior.filter(|p| !p.is_null()) {
        Some(p) if !map_change_replaces(p.get_attr("keepers"), config.get_attr("keepers")) => {
            allow_in_place(schema, p, &config, change, "keepers")
        }
        _ => change,
    }
}

/// Big-endian bytes as an unsigned decimal number (`math/big`'s `Int.String`).
fn decimal(bytes: &[u8]) -> String {
    let mut digits: Vec<u8> = vec![0]; // little-endian base-10 digits
    for b in bytes {
        let mut carry = u32::from(*b);
        for d in digits.iter_mut() {
            let v = u32::from(*d) * 256 + carry;
            *d = (v % 10) as u8;
            carry = v / 10;
        }
        while carry > 0 {
            digits.push((carry % 10) as u8);
            carry /= 10;
        }
    }
    while digits.len() > 1 && digits.last() == Some(&0) {
        digits.pop();
    }
    digits.iter().rev().map(|d| char::from(b'0' + d)).collect()
}

pub struct RandomId {
    schema: Schema,
}

impl RandomId {
    pub fn new() -> RandomId {
        let computed = |d: &str| Attribute::computed(Type::String).describe(d);
        let block = Block::new()
            .describe("Random bytes for unique identifiers, in several encodings.")
            .attr("keepers", keepers())
            .attr(
                "byte_length",
                Attribute::required(Type::Number)
                    .force_new()
                    .describe("The number of random bytes to produce (at least 1)."),
            )
            .attr(
                "prefix",
                Attribute::optional(Type::String)
                    .force_new()
                    .describe("Text put as-is before each encoding of the id."),
            )
            .attr("b64_url", computed("The id in URL-safe base64, prefixed."))
            .attr("b64_std", computed("The id in standard base64, prefixed."))
            .attr("hex", computed("The id in padded hexadecimal, prefixed."))
            .attr("dec", computed("The id as a decimal number, prefixed."))
            .attr("id", computed("The id in URL-safe base64, without prefix."));
        RandomId {
            schema: Schema::new(block),
        }
    }

    fn state(config: &Value, bytes: &[u8], prefix: &str) -> Value {
        let id = URL_SAFE_NO_PAD.encode(bytes);
        with_attrs(
            config,
            [
                ("b64_url", Value::from(format!("{prefix}{id}"))),
                (
                    "b64_std",
                    Value::from(format!("{prefix}{}", encode_base64(bytes))),
                ),
                ("hex", Value::from(format!("{prefix}{}", hex(bytes)))),
                ("dec", Value::from(format!("{prefix}{}", decimal(bytes)))),
                ("id", Value::from(id)),
            ],
        )
    }
}

impl Default for RandomId {
    fn default() -> Self {
        RandomId::new()
    }
}

fn byte_length(v: &Value) -> Result<Option<usize>, ProviderError> {
    match integer(v, "byte_length")? {
        Some(n) if n >= 1 => Ok(Some(n as usize)),
        Some(n) => Err(arg_error(
            "byte_length",
            format!("byte_length must be at least 1, not {n}"),
        )),
        None => Ok(None),
    }
}

#[async_trait]
impl Resource for RandomId {
    fn schema(&self) -> &Schema {
        &self.schema
    }

    async fn plan(
        &self,
        prior: Option<&Value>,
        config: &Value,
    ) -> Result<PlannedChange, ProviderError> {
        byte_length(config)?;
        Ok(plan_random(&self.schema, prior, config, &[]))
    }

    async fn create(&self, planned: &Value, _ctx: &ApplyCtx) -> Result<Value, ProviderError> {
        let n = byte_length(planned)?
            .ok_or_else(|| arg_error("byte_length", "byte_length is required"))?;
        let bytes = Rng::from_entropy().bytes(n);
        let prefix = string(planned, "prefix").unwrap_or("");
        Ok(RandomId::state(planned, &bytes, prefix))
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

    /// `ID` or `PREFIX,ID`, the id in URL-safe base64 without padding.
    async fn import(&self, id: &str) -> Result<Value, ProviderError> {
        let (prefix, id) = match id.rfind(',') {
            Some(i) => (&id[..i], &id[i + 1..]),
            None => ("", id),
        };
        let bytes = URL_SAFE_NO_PAD.decode(id).map_err(|e| {
            ProviderError::new("importing random_id: the id is not URL-safe base64")
                .with_detail(e.to_string())
        })?;
        let base = Value::object([
            ("keepers", Value::Null(Type::map(Type::String))),
            ("byte_length", int_value(bytes.len() as i64)),
            (
                "prefix",
                if prefix.is_empty() {
                    Value::Null(Type::String)
                } else {
                    Value::from(prefix)
                },
            ),
        ]);
        Ok(RandomId::state(&base, &bytes, prefix))
    }
}

pub struct RandomInteger {
    schema: Schema,
}

impl RandomInteger {
    pub fn new() -> RandomInteger {
        let block = Block::new()
            .describe("A random integer in an inclusive range.")
            .attr("keepers", keepers())
            .attr(
                "min",
                Attribute::required(Type::Number)
                    .force_new()
                    .describe("The smallest possible result."),
            )
            .attr(
                "max",
                Attribute::required(Type::Number)
                    .force_new()
                    .describe("The largest possible result."),
            )
            .attr(
                "seed",
                Attribute::optional(Type::String)
                    .force_new()
                    .describe("A seed that makes the result always the same."),
            )
            .attr("result", Attribute::computed(Type::Number))
            .attr("id", Attribute::computed(Type::String));
        RandomInteger {
            schema: Schema::new(block),
        }
    }
}

impl Default for RandomInteger {
    fn default() -> Self {
        RandomInteger::new()
    }
}

fn integer_range(v: &Value) -> Result<Option<(i64, i64)>, ProviderError> {
    match (integer(v, "min")?, integer(v, "max")?) {
        (Some(min), Some(max)) if max < min => Err(arg_error(
            "max",
            format!("max ({max}) must be greater than or equal to min ({min})"),
        )),
        (Some(min), Some(max)) => Ok(Some((min, max))),
        _ => Ok(None),
    }
}

/// A number in `min..=max` from `rng`.
pub(crate) fn integer_in(rng: &mut Rng, min: i64, max: i64) -> i64 {
    let span = (i128::from(max) - i128::from(min) + 1) as u128;
    let offset = if span > u128::from(u64::MAX) {
        rng.next_u64()
    } else {
        rng.below(span as u64)
    };
    (i128::from(min) + i128::from(offset)) as i64
}

#[async_trait]
impl Resource for RandomInteger {
    fn schema(&self) -> &Schema {
        &self.schema
    }

    async fn plan(
        &self,
        prior: Option<&Value>,
        config: &Value,
    ) -> Result<PlannedChange, ProviderError> {
        integer_range(config)?;
        Ok(plan_random(&self.schema, prior, config, &[]))
    }

    async fn create(&self, planned: &Value, _ctx: &ApplyCtx) -> Result<Value, ProviderError> {
        let (min, max) =
            integer_range(planned)?.ok_or_else(|| arg_error("min", "min and max are required"))?;
        let mut rng = Rng::from_optional_seed(string(planned, "seed"));
        let n = integer_in(&mut rng, min, max);
        Ok(with_attrs(
            planned,
            [("result", int_value(n)), ("id", Value::from(n.to_string()))],
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

    /// `RESULT,MIN,MAX` or `RESULT,MIN,MAX,SEED`.
    async fn import(&self, id: &str) -> Result<Value, ProviderError> {
        let parts: Vec<&str> = id.split(',').collect();
        if parts.len() != 3 && parts.len() != 4 {
            return Err(ProviderError::new(
                "importing random_integer: expected RESULT,MIN,MAX or RESULT,MIN,MAX,SEED",
            ));
        }
        let num = |s: &str, what: &str| {
            s.trim().parse::<i64>().map_err(|e| {
                ProviderError::new(format!(
                    "importing random_integer: the {what} is not an integer"
                ))
                .with_detail(e.to_string())
            })
        };
        let result = num(parts[0], "result")?;
        Ok(Value::object([
            ("keepers", Value::Null(Type::map(Type::String))),
            ("min", int_value(num(parts[1], "min")?)),
            ("max", int_value(num(parts[2], "max")?)),
            (
                "seed",
                parts
                    .get(3)
                    .map_or(Value::Null(Type::String), |s| Value::from(*s)),
            ),
            ("result", int_value(result)),
            ("id", Value::from(parts[0])),
        ]))
    }
}

pub struct RandomShuffle {
    schema: Schema,
}

impl RandomShuffle {
    pub fn new() -> RandomShuffle {
        let block = Block::new()
            .describe("A random permutation of a list of strings.")
            .attr("keepers", keepers())
            .attr(
                "input",
                Attribute::required(Type::list(Type::String))
                    .force_new()
                    .describe("The list of strings to shuffle."),
            )
            .attr(
                "seed",
                Attribute::optional(Type::String)
                    .force_new()
                    .describe("A seed that makes the permutation repeatable."),
            )
            .attr(
                "result_count",
                Attribute::optional(Type::Number)
                    .force_new()
                    .describe("How many items to return (default: as many as `input`)."),
            )
            .attr("result", Attribute::computed(Type::list(Type::String)))
            .attr("id", Attribute::computed(Type::String));
        RandomShuffle {
            schema: Schema::new(block),
        }
    }
}

impl Default for RandomShuffle {
    fn default() -> Self {
        RandomShuffle::new()
    }
}

fn result_count(v: &Value) -> Result<Option<usize>, ProviderError> {
    match integer(v, "result_count")? {
        Some(n) if n < 0 => Err(arg_error(
            "result_count",
            format!("result_count must not be negative, not {n}"),
        )),
        n => Ok(n.map(|n| n as usize)),
    }
}

#[async_trait]
impl Resource for RandomShuffle {
    fn schema(&self) -> &Schema {
        &self.schema
    }

    async fn plan(
        &self,
        prior: Option<&Value>,
        config: &Value,
    ) -> Result<PlannedChange, ProviderError> {
        result_count(config)?;
        Ok(plan_random(&self.schema, prior, config, &[]))
    }

    async fn create(&self, planned: &Value, _ctx: &ApplyCtx) -> Result<Value, ProviderError> {
        let input = strings(planned, "input");
        let count = result_count(planned)?.unwrap_or(input.len());
        let mut result = Vec::with_capacity(count);
        if !input.is_empty() {
            let mut rng = Rng::from_optional_seed(string(planned, "seed"));
            // Whole permutations one after another, so no item repeats more often than others.
            'fill: loop {
                let mut perm: Vec<usize> = (0..input.len()).collect();
                rng.shuffle(&mut perm);
                for i in perm {
                    if result.len() >= count {
                        break 'fill;
                    }
                    result.push(Value::from(input[i].clone()));
                }
            }
        }
        Ok(with_attrs(
            planned,
            [("result", Value::List(result)), ("id", Value::from("-"))],
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
}
