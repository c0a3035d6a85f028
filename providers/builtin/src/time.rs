//! The time provider (`hashicorp/time`): `time_sleep`, which waits on create and destroy, and
//! `time_static`, which records a moment in state.

use crate::util::{Catalog, arg_error, int_value, is_set, string, with_attrs};
use ::time::OffsetDateTime;
use ::time::format_description::well_known::Rfc3339;
use async_trait::async_trait;
use std::sync::Arc;
use std::time::Duration;
use terrane_sdk::{
    ApplyCtx, Attribute, Block, PlannedChange, Provider, ProviderError, ProviderFactory, Resource,
    Schema, plan_default,
};
use terrane_types::{Type, Value};

pub struct TimeProvider;

fn catalog() -> Catalog {
    Catalog::default()
        .resource("time_sleep", TimeSleep::new())
        .resource("time_static", TimeStatic::new())
}

#[async_trait]
impl ProviderFactory for TimeProvider {
    fn name(&self) -> &'static str {
        "time"
    }
    fn source(&self) -> &'static str {
        "hashicorp/time"
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

/// Parses a Go duration ("30s", "1h30m", "1.5s", "250ms", "10us"), as `time.ParseDuration`
/// does, except that negative durations are refused.
pub fn parse_go_duration(text: &str) -> Result<Duration, String> {
    let invalid = || format!("invalid duration {text:?}");
    let mut rest = text.strip_prefix('+').unwrap_or(text);
    if rest.starts_with('-') {
        return Err(format!(
            "invalid duration {text:?}: it must not be negative"
        ));
    }
    if rest == "0" {
        return Ok(Duration::ZERO);
    }
    if rest.is_empty() {
        return Err(invalid());
    }
    let mut total: u128 = 0;
    while !rest.is_empty() {
        let int_len = rest.bytes().take_while(u8::is_ascii_digit).count();
        let (int_part, after) = rest.split_at(int_len);
        let (frac_part, after) = match after.strip_prefix('.') {
            Some(f) => {
                let n = f.bytes().take_while(u8::is_ascii_digit).count();
                f.split_at(n)
            }
            None => ("", after),
        };
        if int_part.is_empty() && frac_part.is_empty() {
            return Err(invalid());
        }
        let unit_len = after
            .find(|c: char| c.is_ascii_digit() || c == '.')
            .unwrap_or(after.len());
        let (unit, after) = after.split_at(unit_len);
        let nanos_per: u128 = match unit {
            "ns" => 1,
            "us" | "\u{b5}s" | "\u{3bc}s" => 1_000,
            "ms" => 1_000_000,
            "s" => 1_000_000_000,
            "m" => 60_000_000_000,
            "h" => 3_600_000_000_000,
            "" => return Err(format!("missing unit in duration {text:?}")),
            u => {
                return Err(format!(
                    "unknown unit {u:?} in duration {text:?} (use ns, us, ms, s, m or h)"
                ));
            }
        };
        let whole: u128 = if int_part.is_empty() {
            0
        } else {
            int_part.parse().map_err(|_| invalid())?
        };
        let mut value = whole.checked_mul(nanos_per).ok_or_else(invalid)?;
        // Fractions to nanosecond precision; further digits cannot change the result.
        let mut scale = nanos_per;
        for d in frac_part.bytes() {
            scale /= 10;
            if scale == 0 {
                break;
            }
            value += u128::from(d - b'0') * scale;
        }
        total = total.checked_add(value).ok_or_else(invalid)?;
        rest = after;
    }
    // Go durations are at most i64::MAX nanoseconds (about 292 years).
    if total > i64::MAX as u128 {
        return Err(invalid());
    }
    Ok(Duration::from_nanos(total as u64))
}

/// Now, in RFC 3339 at second precision (UTC), as the time provider writes it.
fn now_rfc3339() -> (OffsetDateTime, String) {
    let now = OffsetDateTime::now_utc();
    let now = now.replace_nanosecond(0).unwrap_or(now);
    let text = now.format(&Rfc3339).unwrap_or_default();
    (now, text)
}

fn duration_arg(v: &Value, name: &str) -> Result<Option<Duration>, ProviderError> {
    string(v, name)
        .filter(|s| !s.is_empty())
        .map(|s| {
            parse_go_duration(s).map_err(|e| {
                arg_error(name, format!("{name} is not a duration: {e}")).with_hint(
                    "a number and a unit, such as \"30s\", \"250ms\", \"5m\" or \"1h30m\"",
                )
            })
        })
        .transpose()
}

pub struct TimeSleep {
    schema: Schema,
}

impl TimeSleep {
    pub fn new() -> TimeSleep {
        let block = Block::new()
            .describe("Waits for a while when created and when destroyed.")
            .attr(
                "create_duration",
                Attribute::optional(Type::String)
                    .describe("How long to wait when created: a Go duration such as \"30s\"."),
            )
            .attr(
                "destroy_duration",
                Attribute::optional(Type::String)
                    .describe("How long to wait when destroyed: a Go duration such as \"30s\"."),
            )
            .attr(
                "triggers",
                Attribute::optional(Type::map(Type::String))
                    .force_new()
                    .describe("Values whose change replaces the resource (and waits again)."),
            )
            .attr(
                "id",
                Attribute::computed(Type::String).describe("When it was created, in RFC 3339."),
            );
        TimeSleep {
            schema: Schema::new(block),
        }
    }
}

impl Default for TimeSleep {
    fn default() -> Self {
        TimeSleep::new()
    }
}

async fn sleep(ctx: &ApplyCtx, what: &str, d: Option<Duration>) {
    if let Some(d) = d.filter(|d| !d.is_zero()) {
        ctx.progress(&format!("{what}: sleeping for {d:?}"));
        tokio::time::sleep(d).await;
    }
}

#[async_trait]
impl Resource for TimeSleep {
    fn schema(&self) -> &Schema {
        &self.schema
    }

    async fn plan(
        &self,
        prior: Option<&Value>,
        config: &Value,
    ) -> Result<PlannedChange, ProviderError> {
        if !is_set(config, "create_duration") && !is_set(config, "destroy_duration") {
            return Err(arg_error(
                "create_duration",
                "at least one of create_duration and destroy_duration must be set",
            ));
        }
        duration_arg(config, "create_duration")?;
        duration_arg(config, "destroy_duration")?;
        Ok(plan_default(&self.schema, prior, config))
    }

    async fn create(&self, planned: &Value, ctx: &ApplyCtx) -> Result<Value, ProviderError> {
        sleep(ctx, "creating", duration_arg(planned, "create_duration")?).await;
        Ok(with_attrs(planned, [("id", Value::from(now_rfc3339().1))]))
    }

    /// Changing a duration alone does not wait.
    async fn update(
        &self,
        _: &Value,
        planned: &Value,
        _: &ApplyCtx,
    ) -> Result<Value, ProviderError> {
        Ok(planned.clone())
    }

    async fn delete(&self, prior: &Value, ctx: &ApplyCtx) -> Result<(), ProviderError> {
        sleep(ctx, "destroying", duration_arg(prior, "destroy_duration")?).await;
        Ok(())
    }

    /// `CREATE_DURATION,DESTROY_DURATION`, either may be empty.
    async fn import(&self, id: &str) -> Result<Value, ProviderError> {
        let parts: Vec<&str> = id.split(',').collect();
        let [create, destroy] = parts.as_slice() else {
            return Err(ProviderError::new(format!(
                "importing time_sleep: expected CREATE_DURATION,DESTROY_DURATION, not {id:?}"
            )));
        };
        if create.is_empty() && destroy.is_empty() {
            return Err(ProviderError::new(
                "importing time_sleep: at least one duration must be given",
            ));
        }
        let arg = |s: &str, name: &str| -> Result<Value, ProviderError> {
            if s.is_empty() {
                return Ok(Value::Null(Type::String));
            }
            parse_go_duration(s).map_err(|e| {
                ProviderError::new(format!("importing time_sleep: bad {name}")).with_detail(e)
            })?;
            Ok(Value::from(s))
        };
        Ok(Value::object([
            ("create_duration", arg(create, "create_duration")?),
            ("destroy_duration", arg(destroy, "destroy_duration")?),
            ("triggers", Value::Map(Default::default())),
            ("id", Value::from(now_rfc3339().1)),
        ]))
    }
}

pub struct TimeStatic {
    schema: Schema,
}

const PARTS: [&str; 7] = ["year", "month", "day", "hour", "minute", "second", "unix"];

impl TimeStatic {
    pub fn new() -> TimeStatic {
        let mut block = Block::new()
            .describe("A moment kept in state: the creation time, or a given one.")
            .attr(
                "rfc3339",
                Attribute::optional_computed(Type::String)
                    .force_new()
                    .describe("The moment in RFC 3339 (default: when created)."),
            )
            .attr(
                "triggers",
                Attribute::optional(Type::map(Type::String))
                    .force_new()
                    .describe("Values whose change replaces the resource (with a new time)."),
            )
            .attr("id", Attribute::computed(Type::String));
        for p in PARTS {
            block = block.attr(p, Attribute::computed(Type::Number));
        }
        TimeStatic {
            schema: Schema::new(block),
        }
    }

    fn state(base: &Value, t: OffsetDateTime, text: String) -> Value {
        let parts = [
            i64::from(t.year()),
            i64::from(u8::from(t.month())),
            i64::from(t.day()),
            i64::from(t.hour()),
            i64::from(t.minute()),
            i64::from(t.second()),
            t.unix_timestamp(),
        ];
        let mut updates: Vec<(&str, Value)> = PARTS
            .iter()
            .zip(parts)
            .map(|(k, n)| (*k, int_value(n)))
            .collect();
        updates.push(("rfc3339", Value::from(text.clone())));
        updates.push(("id", Value::from(text)));
        with_attrs(base, updates)
    }
}

impl Default for TimeStatic {
    fn default() -> Self {
        TimeStatic::new()
    }
}

fn parse_rfc3339(text: &str) -> Result<OffsetDateTime, ProviderError> {
    OffsetDateTime::parse(text, &Rfc3339).map_err(|e| {
        arg_error("rfc3339", format!("{text:?} is not an RFC 3339 time"))
            .with_detail(e.to_string())
            .with_hint("for example \"2024-05-01T12:00:00Z\"")
    })
}

#[async_trait]
impl Resource for TimeStatic {
    fn schema(&self) -> &Schema {
        &self.schema
    }

    async fn plan(
        &self,
        prior: Option<&Value>,
        config: &Value,
    ) -> Result<PlannedChange, ProviderError> {
        if let Some(t) = string(config, "rfc3339") {
            parse_rfc3339(t)?;
        }
        Ok(plan_default(&self.schema, prior, config))
    }

    async fn create(&self, planned: &Value, _ctx: &ApplyCtx) -> Result<Value, ProviderError> {
        let (t, text) = match string(planned, "rfc3339") {
            Some(text) => (parse_rfc3339(text)?, text.to_owned()),
            None => now_rfc3339(),
        };
        Ok(TimeStatic::state(planned, t, text))
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

    /// The id is the RFC 3339 time.
    async fn import(&self, id: &str) -> Result<Value, ProviderError> {
        let t = parse_rfc3339(id)?;
        let base = Value::object([("triggers", Value::Null(Type::map(Type::String)))]);
        Ok(TimeStatic::state(&base, t, id.to_owned()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use terrane_types::AttrPath;

    fn cfg(r: &dyn Resource, set: &[(&str, Value)]) -> Value {
        let mut m: std::collections::BTreeMap<String, Value> = r
            .schema()
            .block
            .attributes
            .iter()
            .map(|(k, a)| (k.clone(), Value::Null(a.ty.clone())))
            .collect();
        for (k, v) in set {
            m.insert((*k).to_owned(), v.clone());
        }
        Value::Object(m)
    }

    #[test]
    fn go_durations_parse_with_every_unit_and_fractions() {
        let ms = Duration::from_millis;
        assert_eq!(parse_go_duration("30s"), Ok(Duration::from_secs(30)));
        assert_eq!(parse_go_duration("250ms"), Ok(ms(250)));
        assert_eq!(parse_go_duration("1.5s"), Ok(ms(1500)));
        assert_eq!(parse_go_duration("1h30m"), Ok(Duration::from_secs(5400)));
        assert_eq!(parse_go_duration("10us"), Ok(Duration::from_micros(10)));
        assert_eq!(parse_go_duration("10µs"), Ok(Duration::from_micros(10)));
        assert_eq!(parse_go_duration("7ns"), Ok(Duration::from_nanos(7)));
        assert_eq!(parse_go_duration(".5m"), Ok(Duration::from_secs(30)));
        assert_eq!(parse_go_duration("0"), Ok(Duration::ZERO));
        assert_eq!(parse_go_duration("+2m"), Ok(Duration::from_secs(120)));
    }

    #[test]
    fn go_duration_mistakes_are_errors() {
        for bad in [
            "",
            "30",
            "s",
            "1x",
            "1.s.",
            "-1s",
            "abc",
            "1h2",
            "99999999999h",
        ] {
            assert!(parse_go_duration(bad).is_err(), "{bad:?} parsed");
        }
        assert!(
            parse_go_duration("30")
                .unwrap_err()
                .contains("missing unit")
        );
        assert!(
            parse_go_duration("3d")
                .unwrap_err()
                .contains("unknown unit")
        );
    }

    #[test]
    fn time_sleep_durations_are_optional_and_triggers_replace() {
        let r = TimeSleep::new();
        let a = &r.schema().block.attributes;
        assert!(a["create_duration"].optional && !a["create_duration"].force_new);
        assert!(a["destroy_duration"].optional);
        assert!(a["triggers"].force_new && a["triggers"].ty == Type::map(Type::String));
        assert!(a["id"].computed);
    }

    #[tokio::test]
    async fn time_sleep_sleeps_at_least_create_duration_and_records_the_time() {
        let r = TimeSleep::new();
        let config = cfg(&r, &[("create_duration", Value::from("50ms"))]);
        let p = r.plan(None, &config).await.unwrap();
        let started = std::time::Instant::now();
        let s = r.create(&p.planned, &ApplyCtx::silent()).await.unwrap();
        assert!(started.elapsed() >= Duration::from_millis(50));
        assert!(s.is_wholly_known());
        let id = s.get_attr("id").and_then(Value::as_str).unwrap();
        assert!(OffsetDateTime::parse(id, &Rfc3339).is_ok(), "{id}");
        assert!(id.ends_with('Z'));
        let same = r.plan(Some(&s), &config).await.unwrap();
        assert_eq!(same.planned, s);
    }

    #[tokio::test]
    async fn time_sleep_sleeps_destroy_duration_on_delete() {
        let r = TimeSleep::new();
        let config = cfg(&r, &[("destroy_duration", Value::from("50ms"))]);
        let p = r.plan(None, &config).await.unwrap();
        let s = r.create(&p.planned, &ApplyCtx::silent()).await.unwrap();
        let started = std::time::Instant::now();
        r.delete(&s, &ApplyCtx::silent()).await.unwrap();
        assert!(started.elapsed() >= Duration::from_millis(50));
    }

    #[tokio::test]
    async fn time_sleep_reports_bad_durations_and_missing_ones() {
        let r = TimeSleep::new();
        let err = r
            .plan(None, &cfg(&r, &[("create_duration", Value::from("30"))]))
            .await
            .unwrap_err();
        assert_eq!(err.attribute, Some(AttrPath::attr("create_duration")));
        assert!(err.summary.contains("missing unit"), "{}", err.summary);
        let none = r.plan(None, &cfg(&r, &[])).await.unwrap_err();
        assert!(none.summary.contains("at least one"));
    }

    #[tokio::test]
    async fn time_sleep_trigger_changes_require_replacement() {
        let r = TimeSleep::new();
        let config = |v: &str| {
            cfg(
                &r,
                &[
                    ("create_duration", Value::from("1ms")),
                    ("triggers", Value::map([("v", Value::from(v))])),
                ],
            )
        };
        let p = r.plan(None, &config("1")).await.unwrap();
        let s = r.create(&p.planned, &ApplyCtx::silent()).await.unwrap();
        let changed = r.plan(Some(&s), &config("2")).await.unwrap();
        assert_eq!(changed.requires_replace, vec![AttrPath::attr("triggers")]);
    }

    #[tokio::test]
    async fn time_static_splits_the_given_time() {
        let r = TimeStatic::new();
        let config = cfg(&r, &[("rfc3339", Value::from("2024-02-29T13:14:15Z"))]);
        let p = r.plan(None, &config).await.unwrap();
        let s = r.create(&p.planned, &ApplyCtx::silent()).await.unwrap();
        assert!(s.is_wholly_known());
        assert_eq!(s.get_attr("year"), Some(&int_value(2024)));
        assert_eq!(s.get_attr("month"), Some(&int_value(2)));
        assert_eq!(s.get_attr("second"), Some(&int_value(15)));
        assert_eq!(s.get_attr("unix"), Some(&int_value(1_709_212_455)));
        assert_eq!(s.get_attr("id"), Some(&Value::from("2024-02-29T13:14:15Z")));
        assert_eq!(r.plan(Some(&s), &config).await.unwrap().planned, s);
        let now = r.plan(None, &cfg(&r, &[])).await.unwrap();
        let s = r.create(&now.planned, &ApplyCtx::silent()).await.unwrap();
        assert!(s.is_wholly_known());
        // Unset rfc3339 keeps the recorded time.
        assert_eq!(r.plan(Some(&s), &cfg(&r, &[])).await.unwrap().planned, s);
    }
}
