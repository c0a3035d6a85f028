//! `random_string` and `random_password`: the same generator, the password's result sensitive.
//!
//! The password's `bcrypt_hash` attribute is not offered (terrane has no bcrypt).

use super::{keepers, plan_random};
use crate::rng::Rng;
use crate::util::{
    allow_in_place, arg_error, boolean, int_value, integer, is_unknown, known, string, with_attrs,
};
use async_trait::async_trait;
use terrane_sdk::{ApplyCtx, Attribute, Block, PlannedChange, ProviderError, Resource, Schema};
use terrane_types::{Type, Value};

const NUMERIC: &str = "0123456789";
const LOWER: &str = "abcdefghijklmnopqrstuvwxyz";
const UPPER: &str = "ABCDEFGHIJKLMNOPQRSTUVWXYZ";
const SPECIAL: &str = "!@#$%&*()-_=+[]{}<>:?";

const MINIMUMS: [&str; 4] = ["min_numeric", "min_upper", "min_lower", "min_special"];

pub struct RandomString {
    schema: Schema,
    password: bool,
}

impl RandomString {
    /// `random_password` when `password`, `random_string` otherwise.
    pub fn new(password: bool) -> RandomString {
        let class = |d: &str| {
            Attribute::optional_computed(Type::Bool)
                .force_new()
                .describe(d)
        };
        let minimum = |d: &str| {
            Attribute::optional_computed(Type::Number)
                .force_new()
                .describe(d)
        };
        let mut block = Block::new()
            .describe(if password {
                "A random password: like random_string, with the result sensitive."
            } else {
                "A random string of letters, digits and optionally special characters."
            })
            .attr("keepers", keepers())
            .attr(
                "length",
                Attribute::required(Type::Number).force_new().describe(
                    "The length of the result: at least 1 and at least the sum of the min_* values.",
                ),
            )
            .attr("special", class("Include special characters (default true)."))
            .attr("upper", class("Include upper-case letters (default true)."))
            .attr("lower", class("Include lower-case letters (default true)."))
            .attr("numeric", class("Include digits (default true)."))
            .attr("number", class("Deprecated: use numeric."))
            .attr("min_numeric", minimum("The least number of digits (default 0)."))
            .attr("min_upper", minimum("The least number of upper-case letters (default 0)."))
            .attr("min_lower", minimum("The least number of lower-case letters (default 0)."))
            .attr("min_special", minimum("The least number of special characters (default 0)."))
            .attr(
                "override_special",
                Attribute::optional(Type::String)
                    .force_new()
                    .describe("The special characters to use instead of the default list."),
            )
            .attr("id", Attribute::computed(Type::String));
        let result = Attribute::computed(Type::String).describe("The generated string.");
        block = block.attr("result", if password { result.sensitive() } else { result });
        let version = if password { 3 } else { 2 };
        RandomString {
            schema: Schema::new(block).with_version(version),
            password,
        }
    }

    fn type_name(&self) -> &'static str {
        if self.password {
            "random_password"
        } else {
            "random_string"
        }
    }
}

/// `numeric` and its deprecated twin `number` always plan the same value.
fn numeric_pair(config: &Value) -> Result<Value, ProviderError> {
    let number = known(config, "number").and_then(Value::as_bool);
    let numeric = known(config, "numeric").and_then(Value::as_bool);
    let value = match (number, numeric) {
        (Some(a), Some(b)) if a != b => {
            return Err(arg_error(
                "numeric",
                "number and numeric are both set, to different values",
            )
            .with_hint("number is deprecated: set numeric only"));
        }
        (_, Some(b)) | (Some(b), None) => Value::Bool(b),
        _ if is_unknown(config, "number") || is_unknown(config, "numeric") => {
            Value::Unknown(Type::Bool)
        }
        _ => Value::Bool(true),
    };
    Ok(with_attrs(
        config,
        [("number", value.clone()), ("numeric", value)],
    ))
}

fn defaults() -> Vec<(&'static str, Value)> {
    let mut d = vec![
        ("special", Value::Bool(true)),
        ("upper", Value::Bool(true)),
        ("lower", Value::Bool(true)),
    ];
    d.extend(MINIMUMS.iter().map(|m| (*m, int_value(0))));
    d
}

/// The generator's parameters, checked as the provider's validators check them.
struct Params {
    length: usize,
    classes: [(bool, usize); 4], // numeric, upper, lower, special: (include, minimum)
    special: String,
}

fn params(v: &Value) -> Result<Option<Params>, ProviderError> {
    let length = integer(v, "length")?;
    if let Some(n) = length
        && n < 1
    {
        return Err(arg_error(
            "length",
            format!("length must be at least 1, not {n}"),
        ));
    }
    let mut minimums = [0usize; 4];
    let mut all_known = length.is_some();
    for (i, name) in MINIMUMS.iter().enumerate() {
        match integer(v, name)? {
            Some(n) if n < 0 => {
                return Err(arg_error(
                    name,
                    format!("{name} must not be negative, not {n}"),
                ));
            }
            Some(n) => minimums[i] = n as usize,
            None => all_known &= !is_unknown(v, name),
        }
    }
    let flags = ["numeric", "upper", "lower", "special"].map(|f| boolean(v, f));
    if flags.iter().all(|f| *f == Some(false)) {
        return Err(arg_error(
            "special",
            "at least one of numeric, upper, lower and special must be true",
        ));
    }
    let Some(length) = length.filter(|_| all_known && flags.iter().all(Option::is_some)) else {
        return Ok(None);
    };
    let length = length as usize;
    let sum: usize = minimums.iter().sum();
    if length < sum {
        return Err(arg_error(
            "length",
            format!("length ({length}) must be at least the sum of the min_* values ({sum})"),
        ));
    }
    let special = match string(v, "override_special") {
        Some(s) if !s.is_empty() => s.to_owned(),
        _ => SPECIAL.to_owned(),
    };
    let include = flags.map(|f| f.unwrap_or(true));
    Ok(Some(Params {
        length,
        classes: [0, 1, 2, 3].map(|i| (include[i], minimums[i])),
        special,
    }))
}

/// The provider's algorithm: the minimum of each class drawn from that class, the rest from
/// every included class, then all of it shuffled.
fn generate(p: &Params, rng: &mut Rng) -> Result<String, String> {
    let sets: [Vec<char>; 4] = [
        NUMERIC.chars().collect(),
        UPPER.chars().collect(),
        LOWER.chars().collect(),
        p.special.chars().collect(),
    ];
    let all: Vec<char> = sets
        .iter()
        .zip(p.classes)
        .filter(|(_, (include, _))| *include)
        .flat_map(|(s, _)| s.iter().copied())
        .collect();
    if all.is_empty() {
        return Err("the character set specified is empty".into());
    }
    let mut out: Vec<char> = Vec::with_capacity(p.length);
    for (set, (_, minimum)) in sets.iter().zip(p.classes) {
        for _ in 0..minimum {
            out.push(set[rng.index(set.len())]);
        }
    }
    while out.len() < p.length {
        out.push(all[rng.index(all.len())]);
    }
    rng.shuffle(&mut out);
    Ok(out.into_iter().collect())
}

#[async_trait]
impl Resource for RandomString {
    fn schema(&self) -> &Schema {
        &self.schema
    }

    async fn plan(
        &self,
        prior: Option<&Value>,
        config: &Value,
    ) -> Result<PlannedChange, ProviderError> {
        let config = numeric_pair(config)?;
        let defaults = defaults();
        let resolved = crate::util::with_defaults(&config, &defaults);
        params(&resolved)?;
        let mut change = plan_random(&self.schema, prior, &config, &defaults);
        // Going from "" to null is no change of the characters used.
        if let Some(p) = prior.filter(|p| !p.is_null())
            && string(p, "override_special") == Some("")
            && config
                .get_attr("override_special")
                .is_none_or(Value::is_null)
        {
            change = allow_in_place(&self.schema, p, &resolved, change, "override_special");
        }
        Ok(change)
    }

    async fn create(&self, planned: &Value, _ctx: &ApplyCtx) -> Result<Value, ProviderError> {
        let p = params(planned)?.ok_or_else(|| {
            ProviderError::new(format!("creating {}: arguments unknown", self.type_name()))
        })?;
        let result = generate(&p, &mut Rng::from_entropy()).map_err(|e| {
            ProviderError::new(format!("creating {}", self.type_name())).with_detail(e)
        })?;
        let id = if self.password {
            "none".to_owned()
        } else {
            result.clone()
        };
        Ok(with_attrs(
            planned,
            [("result", Value::from(result)), ("id", Value::from(id))],
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

    /// The id is the string itself; every class is assumed included.
    async fn import(&self, id: &str) -> Result<Value, ProviderError> {
        let base = Value::object([
            ("keepers", Value::Null(Type::map(Type::String))),
            ("length", int_value(id.chars().count() as i64)),
            ("override_special", Value::Null(Type::String)),
            ("number", Value::Bool(true)),
            ("numeric", Value::Bool(true)),
            ("result", Value::from(id)),
            ("id", Value::from(if self.password { "none" } else { id })),
        ]);
        Ok(crate::util::with_defaults(&base, &defaults()))
    }

    /// States of older schema versions may lack the defaulted arguments and `numeric`.
    fn upgrade_state(
        &self,
        _from_version: u64,
        state: serde_json::Value,
    ) -> Result<serde_json::Value, ProviderError> {
        let serde_json::Value::Object(mut m) = state else {
            return Ok(state);
        };
        let unset = |m: &serde_json::Map<String, serde_json::Value>, k: &str| {
            m.get(k).is_none_or(serde_json::Value::is_null)
        };
        for k in ["special", "upper", "lower", "number"] {
            if unset(&m, k) {
                m.insert(k.into(), serde_json::Value::Bool(true));
            }
        }
        for k in MINIMUMS {
            if unset(&m, k) {
                m.insert(k.into(), serde_json::Value::from(0));
            }
        }
        if unset(&m, "numeric") {
            let number = m
                .get("number")
                .cloned()
                .unwrap_or(serde_json::Value::Bool(true));
            m.insert("numeric".into(), number);
        }
        if unset(&m, "length") {
            let len = m
                .get("result")
                .and_then(serde_json::Value::as_str)
                .map_or(0, |s| s.chars().count());
            m.insert("length".into(), serde_json::Value::from(len));
        }
        m.remove("bcrypt_hash");
        Ok(serde_json::Value::Object(m))
    }
}

#[cfg(test)]
pub(crate) fn generate_for_test(
    length: usize,
    classes: [(bool, usize); 4],
    special: &str,
    seed: &str,
) -> Result<String, String> {
    let p = Params {
        length,
        classes,
        special: special.to_owned(),
    };
    generate(&p, &mut Rng::from_seed(seed))
}
