//! `aws_lb_target_group` (alias `aws_alb_target_group`): where a load balancer sends
//! traffic, with its health check. name, port, protocol, vpc_id and target_type replace it;
//! the health check, stickiness, deregistration delay, slow start, load balancing algorithm
//! and tags change in place. Without a `health_check` (or `stickiness`) block, AWS's
//! settings apply and are recorded (the blocks are computed, as in Terraform).
//! Refresh reads up to 20 target groups per DescribeTargetGroups call and their tags 20 per
//! DescribeTags call; attributes have no batched call (one per target group).

use crate::common::{Elbv2, changed, i32_of, id_of, int, priors_by_id, read_batched};
use crate::common::{resource_of, string, string_set};
use crate::naming;
use async_trait::async_trait;
use aws_sdk_elasticloadbalancingv2::types::{
    Matcher, ProtocolEnum, TargetGroup as AwsTg, TargetGroupAttribute, TargetTypeEnum,
};
use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;
use terrane_aws_core::wait::{self, Poll};
use terrane_aws_core::{AwsErrorExt, sdk_error, tags};
use terrane_sdk::read::{self, arg_error, conform, with_defaults};
use terrane_sdk::{
    ApplyCtx, Attribute, Block, NestedBlock, Nesting, PlannedChange, ProviderError, Resource,
    Schema, plan_default,
};
use terrane_types::{AttrPath, Type, Value};

/// How long a delete may wait for listeners to let go of the group (Terraform's 2 minutes).
const DELETE_TIMEOUT: Duration = Duration::from_secs(120);

fn health_check_block() -> Block {
    Block::new()
        .describe("How the load balancer checks targets' health.")
        .attr(
            "enabled",
            Attribute::optional(Type::Bool).describe("Default true."),
        )
        .attr(
            "healthy_threshold",
            Attribute::optional(Type::Number).describe("Default 3."),
        )
        .attr(
            "interval",
            Attribute::optional(Type::Number).describe("Seconds; default 30."),
        )
        .attr(
            "matcher",
            Attribute::optional_computed(Type::String)
                .describe("HTTP codes: \"200\", \"200-299\"."),
        )
        .attr("path", Attribute::optional_computed(Type::String))
        .attr(
            "port",
            Attribute::optional(Type::String).describe("Default \"traffic-port\"."),
        )
        .attr(
            "protocol",
            Attribute::optional(Type::String).describe("Default \"HTTP\"."),
        )
        .attr("timeout", Attribute::optional_computed(Type::Number))
        .attr(
            "unhealthy_threshold",
            Attribute::optional(Type::Number).describe("Default 3."),
        )
}

/// Terraform's defaults inside a `health_check` block.
fn health_check_defaults() -> [(&'static str, Value); 6] {
    [
        ("enabled", Value::Bool(true)),
        ("healthy_threshold", read::int_value(3)),
        ("interval", read::int_value(30)),
        ("port", Value::string("traffic-port")),
        ("protocol", Value::string("HTTP")),
        ("unhealthy_threshold", read::int_value(3)),
    ]
}

pub(crate) fn schema() -> Schema {
    Schema::new(
        Block::new()
            .describe("An Elastic Load Balancing v2 target group.")
            .attr(
                "name",
                Attribute::optional_computed(Type::String)
                    .force_new()
                    .describe("Generated (tf-...) when neither name nor name_prefix is set."),
            )
            .attr(
                "name_prefix",
                Attribute::optional_computed(Type::String).force_new(),
            )
            .attr("port", Attribute::optional(Type::Number).force_new())
            .attr(
                "protocol",
                Attribute::optional(Type::String)
                    .force_new()
                    .describe("HTTP, HTTPS, TCP, TLS, UDP, TCP_UDP, GENEVE."),
            )
            .attr("vpc_id", Attribute::optional(Type::String).force_new())
            .attr(
                "target_type",
                Attribute::optional_computed(Type::String)
                    .force_new()
                    .describe("instance (the default), ip, lambda or alb."),
            )
            .attr(
                "deregistration_delay",
                Attribute::optional_computed(Type::String)
                    .describe("Seconds to drain a deregistering target (0-3600, default 300)."),
            )
            .attr(
                "slow_start",
                Attribute::optional_computed(Type::Number)
                    .describe("Seconds a new target warms up (0 = off, 30-900; default 0)."),
            )
            .attr(
                "load_balancing_algorithm_type",
                Attribute::optional_computed(Type::String).describe(
                    "round_robin (AWS's default), least_outstanding_requests or weighted_random.",
                ),
            )
            .attr("arn", Attribute::computed(Type::String))
            .attr("arn_suffix", Attribute::computed(Type::String))
            .attr(
                "load_balancer_arns",
                Attribute::computed(Type::set(Type::String)),
            )
            .attr("tags", Attribute::optional(Type::map(Type::String)))
            .attr(
                "tags_all",
                Attribute::optional_computed(Type::map(Type::String)),
            )
            .attr("id", Attribute::computed(Type::String))
            .block(
                "health_check",
                NestedBlock::new(Nesting::List, health_check_block()).items(0, 1),
            )
            .block(
                "stickiness",
                NestedBlock::new(Nesting::List, stickiness_block()).items(0, 1),
            ),
    )
}

fn stickiness_block() -> Block {
    Block::new()
        .describe("Whether requests of one client go to the same target.")
        .attr(
            "enabled",
            Attribute::optional(Type::Bool).describe("Default true."),
        )
        .attr(
            "type",
            Attribute::required(Type::String).describe(
                "lb_cookie or app_cookie (application), source_ip, source_ip_dest_ip or \
                 source_ip_dest_ip_proto (network, gateway).",
            ),
        )
        .attr(
            "cookie_duration",
            Attribute::optional(Type::Number).describe("Seconds (1-604800); default 86400."),
        )
        .attr(
            "cookie_name",
            Attribute::optional(Type::String).describe("The application's cookie (app_cookie)."),
        )
}

/// Terraform's defaults inside a `stickiness` block.
fn stickiness_defaults() -> [(&'static str, Value); 2] {
    [
        ("enabled", Value::Bool(true)),
        ("cookie_duration", read::int_value(86400)),
    ]
}

/// The target group attributes a configured `stickiness` block sets; None without a block.
pub(crate) fn expand_stickiness(
    planned: &Value,
) -> Result<Option<Vec<(&'static str, String)>>, ProviderError> {
    let Some(st) = read::known(planned, "stickiness")
        .and_then(Value::as_seq)
        .and_then(<[Value]>::first)
    else {
        return Ok(None);
    };
    let enabled = read::boolean(st, "enabled").unwrap_or(true);
    let kind = read::string(st, "type").unwrap_or("lb_cookie");
    let mut out = vec![("stickiness.enabled", enabled.to_string())];
    if enabled {
        out.push(("stickiness.type", kind.to_owned()));
        let duration = read::integer(st, "cookie_duration")?.unwrap_or(86400);
        match kind {
            "lb_cookie" => out.push((
                "stickiness.lb_cookie.duration_seconds",
                duration.to_string(),
            )),
            "app_cookie" => {
                out.push((
                    "stickiness.app_cookie.duration_seconds",
                    duration.to_string(),
                ));
                if let Some(name) = read::string(st, "cookie_name") {
                    out.push(("stickiness.app_cookie.cookie_name", name.to_owned()));
                }
            }
            _ => {}
        }
    }
    Ok(Some(out))
}

/// The target group's stickiness attributes as the block's value; what AWS leaves out is
/// kept from `prior` (or Terraform's default).
pub(crate) fn flatten_stickiness(attrs: &BTreeMap<String, String>, prior: Option<&Value>) -> Value {
    let prior = prior
        .and_then(|p| p.get_attr("stickiness"))
        .and_then(Value::as_seq)
        .and_then(<[Value]>::first);
    let kind = attrs
        .get("stickiness.type")
        .map(String::as_str)
        .or_else(|| prior.and_then(|p| read::string(p, "type")))
        .unwrap_or("lb_cookie");
    let duration_key = if kind == "app_cookie" {
        "stickiness.app_cookie.duration_seconds"
    } else {
        "stickiness.lb_cookie.duration_seconds"
    };
    let duration = match attrs.get(duration_key).and_then(|d| d.parse::<i64>().ok()) {
        Some(d) => int(Some(d)),
        None => prior
            .and_then(|p| p.get_attr("cookie_duration"))
            .cloned()
            .unwrap_or_else(|| int(Some(86400))),
    };
    let cookie_name = match attrs.get("stickiness.app_cookie.cookie_name") {
        Some(n) if kind == "app_cookie" && !n.is_empty() => Value::string(n),
        _ => prior
            .and_then(|p| p.get_attr("cookie_name"))
            .cloned()
            .unwrap_or(Value::Null(Type::String)),
    };
    let enabled = match attrs.get("stickiness.enabled") {
        Some(e) => Value::Bool(e == "true"),
        None => prior
            .and_then(|p| p.get_attr("enabled"))
            .cloned()
            .unwrap_or(Value::Bool(false)),
    };
    Value::List(vec![Value::object([
        ("enabled", enabled),
        ("type", Value::string(kind)),
        ("cookie_duration", duration),
        ("cookie_name", cookie_name),
    ])])
}

/// The health check parameters a create or modify call sends (Terraform's expansion: path
/// and matcher only for HTTP(S) checks, port and protocol not for lambda targets).
#[derive(Debug, Default, PartialEq)]
pub(crate) struct HealthCheckSpec {
    pub enabled: Option<bool>,
    pub interval: Option<i32>,
    pub healthy: Option<i32>,
    pub unhealthy: Option<i32>,
    pub timeout: Option<i32>,
    pub path: Option<String>,
    pub matcher: Option<String>,
    pub port: Option<String>,
    pub protocol: Option<String>,
}

/// The configured `health_check` block as call parameters; None without a block.
pub(crate) fn expand_health_check(
    planned: &Value,
) -> Result<Option<HealthCheckSpec>, ProviderError> {
    let Some(hc) = read::known(planned, "health_check")
        .and_then(Value::as_seq)
        .and_then(<[Value]>::first)
    else {
        return Ok(None);
    };
    let nonempty = |name: &str| {
        read::string(hc, name)
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
    };
    let protocol = nonempty("protocol");
    let lambda = read::string(planned, "target_type") == Some("lambda");
    let http_check = protocol.as_deref().is_none_or(|p| p != "TCP");
    Ok(Some(HealthCheckSpec {
        enabled: read::boolean(hc, "enabled"),
        interval: i32_of(hc, "interval")?,
        healthy: i32_of(hc, "healthy_threshold")?,
        unhealthy: i32_of(hc, "unhealthy_threshold")?,
        timeout: i32_of(hc, "timeout")?.filter(|t| *t != 0),
        path: nonempty("path").filter(|_| http_check),
        matcher: nonempty("matcher").filter(|_| http_check),
        port: nonempty("port").filter(|_| !lambda),
        protocol: protocol.filter(|_| !lambda),
    }))
}

/// AWS's view of the health check as the block's value (absent strings are "").
pub(crate) fn flatten_health_check(tg: &AwsTg) -> Value {
    let s = |v: Option<&str>| Value::string(v.unwrap_or_default());
    let n = |v: Option<i32>| int(v.map(i64::from));
    Value::List(vec![Value::object([
        (
            "enabled",
            Value::Bool(tg.health_check_enabled().unwrap_or(true)),
        ),
        ("healthy_threshold", n(tg.healthy_threshold_count())),
        ("interval", n(tg.health_check_interval_seconds())),
        ("matcher", s(tg.matcher().and_then(Matcher::http_code))),
        ("path", s(tg.health_check_path())),
        ("port", s(tg.health_check_port())),
        (
            "protocol",
            s(tg.health_check_protocol().map(ProtocolEnum::as_str)),
        ),
        ("timeout", n(tg.health_check_timeout_seconds())),
        ("unhealthy_threshold", n(tg.unhealthy_threshold_count())),
    ])])
}

/// Applies a [`HealthCheckSpec`] to a create or modify builder (they share method names).
macro_rules! with_health_check {
    ($builder:expr, $spec:expr) => {{
        let s = $spec;
        $builder
            .set_health_check_enabled(s.enabled)
            .set_health_check_interval_seconds(s.interval)
            .set_healthy_threshold_count(s.healthy)
            .set_unhealthy_threshold_count(s.unhealthy)
            .set_health_check_timeout_seconds(s.timeout)
            .set_health_check_path(s.path)
            .set_matcher(s.matcher.map(|m| Matcher::builder().http_code(m).build()))
            .set_health_check_port(s.port)
            .set_health_check_protocol(s.protocol.map(|p| ProtocolEnum::from(p.as_str())))
    }};
}

pub(crate) struct TargetGroup {
    elb: Arc<Elbv2>,
    schema: Schema,
}

impl TargetGroup {
    pub(crate) fn new(elb: Arc<Elbv2>) -> TargetGroup {
        TargetGroup {
            elb,
            schema: schema(),
        }
    }

    fn flatten(
        &self,
        tg: &AwsTg,
        attrs: &BTreeMap<String, String>,
        tags_read: &BTreeMap<String, String>,
        prior: Option<&Value>,
    ) -> Option<(String, Value)> {
        let arn = tg.target_group_arn()?;
        let name = tg.target_group_name().unwrap_or_default();
        let (tags_value, tags_all) = self.elb.tag_values(tags_read, prior);
        let kept = |k: &str| prior.and_then(|p| p.get_attr(k)).cloned();
        let delay = match attrs.get("deregistration_delay.timeout_seconds") {
            Some(v) => Value::string(v),
            None => prior
                .and_then(|p| p.get_attr("deregistration_delay"))
                .cloned()
                .unwrap_or_else(|| Value::string("300")),
        };
        let values = BTreeMap::from([
            ("id".to_owned(), Value::string(arn)),
            ("arn".into(), Value::string(arn)),
            ("arn_suffix".into(), Value::string(resource_of(arn))),
            ("name".into(), Value::string(name)),
            ("name_prefix".into(), Value::string(naming::prefix_of(name))),
            ("port".into(), int(tg.port().map(i64::from))),
            (
                "protocol".into(),
                string(tg.protocol().map(ProtocolEnum::as_str)),
            ),
            ("vpc_id".into(), string(tg.vpc_id())),
            (
                "target_type".into(),
                string(tg.target_type().map(TargetTypeEnum::as_str)),
            ),
            ("deregistration_delay".into(), delay),
            (
                "load_balancer_arns".into(),
                string_set(tg.load_balancer_arns().iter().cloned()),
            ),
            ("health_check".into(), flatten_health_check(tg)),
            ("stickiness".into(), flatten_stickiness(attrs, prior)),
            (
                "slow_start".into(),
                match attrs
                    .get("slow_start.duration_seconds")
                    .and_then(|v| v.parse::<i64>().ok())
                {
                    Some(n) => int(Some(n)),
                    None => kept("slow_start").unwrap_or_else(|| int(Some(0))),
                },
            ),
            (
                "load_balancing_algorithm_type".into(),
                match attrs.get("load_balancing.algorithm.type") {
                    Some(v) => Value::string(v),
                    None => {
                        kept("load_balancing_algorithm_type").unwrap_or(Value::Null(Type::String))
                    }
                },
            ),
            ("tags".into(), tags_value),
            ("tags_all".into(), tags_all),
        ]);
        Some((
            arn.to_owned(),
            conform(&self.schema.block, Value::Object(values)),
        ))
    }

    /// Reads up to 20 target groups; None when one missing ARN failed the call.
    async fn describe(
        &self,
        arns: Vec<String>,
        priors: &BTreeMap<String, &Value>,
    ) -> Result<Option<BTreeMap<String, Value>>, ProviderError> {
        let answer = self
            .elb
            .client
            .describe_target_groups()
            .set_target_group_arns(Some(arns))
            .send()
            .await
            .map(|o| o.target_groups().to_vec());
        let Some(found) = self
            .elb
            .tagged(answer, "reading ELBv2 Target Groups", |tg| {
                tg.target_group_arn()
            })
            .await?
        else {
            return Ok(None);
        };
        let mut out = BTreeMap::new();
        for (tg, arn, tags) in &found {
            let Some(attrs) = self.attributes(arn).await? else {
                continue;
            };
            if let Some((arn, v)) = self.flatten(tg, &attrs, tags, priors.get(arn).copied()) {
                out.insert(arn, v);
            }
        }
        Ok(Some(out))
    }

    async fn attributes(
        &self,
        arn: &str,
    ) -> Result<Option<BTreeMap<String, String>>, ProviderError> {
        match self
            .elb
            .client
            .describe_target_group_attributes()
            .target_group_arn(arn)
            .send()
            .await
        {
            Ok(o) => Ok(Some(
                o.attributes()
                    .iter()
                    .filter_map(|a| Some((a.key()?.to_owned(), a.value()?.to_owned())))
                    .collect(),
            )),
            Err(e) if e.is_not_found() => Ok(None),
            Err(e) => Err(sdk_error(
                &format!("reading ELBv2 Target Group ({arn}) attributes"),
                e,
            )),
        }
    }

    async fn read_one(
        &self,
        arn: &str,
        prior: Option<&Value>,
    ) -> Result<Option<Value>, ProviderError> {
        let priors: BTreeMap<String, &Value> =
            prior.map(|p| (arn.to_owned(), p)).into_iter().collect();
        Ok(self
            .describe(vec![arn.to_owned()], &priors)
            .await?
            .and_then(|mut m| m.remove(arn)))
    }

    async fn must_read(&self, arn: &str, planned: &Value) -> Result<Value, ProviderError> {
        self.read_one(arn, Some(planned)).await?.ok_or_else(|| {
            ProviderError::new(format!("reading ELBv2 Target Group ({arn})"))
                .with_detail("The target group disappeared right after it was changed.")
        })
    }

    /// ModifyTargetGroupAttributes with `attrs`; errors point at `attribute`.
    async fn set_attributes(
        &self,
        arn: &str,
        attrs: Vec<(&str, String)>,
        attribute: &str,
    ) -> Result<(), ProviderError> {
        if attrs.is_empty() {
            return Ok(());
        }
        self.elb
            .client
            .modify_target_group_attributes()
            .target_group_arn(arn)
            .set_attributes(Some(
                attrs
                    .into_iter()
                    .map(|(k, v)| TargetGroupAttribute::builder().key(k).value(v).build())
                    .collect(),
            ))
            .send()
            .await
            .map_err(|e| {
                sdk_error(
                    &format!("modifying ELBv2 Target Group ({arn}) attributes"),
                    e,
                )
                .with_attribute(AttrPath::attr(attribute))
            })?;
        Ok(())
    }

    /// Sets the attributes the plan changes (`prior` None: those differing from AWS's
    /// defaults), one call per argument so that an error names it.
    async fn set_changed_attributes(
        &self,
        arn: &str,
        prior: Option<&Value>,
        planned: &Value,
    ) -> Result<(), ProviderError> {
        let differs = |name: &str| prior.is_none_or(|p| changed(p, planned, name));
        if let Some(delay) = read::string(planned, "deregistration_delay")
            && (prior.is_some() || delay != "300")
            && differs("deregistration_delay")
        {
            self.set_attributes(
                arn,
                vec![("deregistration_delay.timeout_seconds", delay.to_owned())],
                "deregistration_delay",
            )
            .await?;
        }
        if let Some(n) = read::integer(planned, "slow_start")?
            && (prior.is_some() || n != 0)
            && differs("slow_start")
        {
            self.set_attributes(
                arn,
                vec![("slow_start.duration_seconds", n.to_string())],
                "slow_start",
            )
            .await?;
        }
        if let Some(t) = read::string(planned, "load_balancing_algorithm_type")
            && differs("load_balancing_algorithm_type")
        {
            self.set_attributes(
                arn,
                vec![("load_balancing.algorithm.type", t.to_owned())],
                "load_balancing_algorithm_type",
            )
            .await?;
        }
        if differs("stickiness") {
            // Without a block the stickiness is AWS's (the block is computed, as in
            // Terraform, where removing the block leaves stickiness as it is).
            let attrs = expand_stickiness(planned)?.unwrap_or_default();
            self.set_attributes(arn, attrs, "stickiness").await?;
        }
        Ok(())
    }
}

/// Checks the configuration as Terraform does before any call.
fn validate(config: &Value) -> Result<(), ProviderError> {
    naming::check_name(config, "target group")?;
    let target_type = read::string(config, "target_type").unwrap_or("instance");
    if read::is_unknown(config, "target_type") {
        return Ok(());
    }
    if !["instance", "ip", "lambda", "alb"].contains(&target_type) {
        return Err(arg_error(
            "target_type",
            format!("invalid target_type {target_type:?}"),
        )
        .with_hint("Use instance, ip, lambda or alb."));
    }
    if target_type != "lambda" {
        for name in ["port", "protocol", "vpc_id"] {
            if !read::is_set(config, name) {
                return Err(arg_error(
                    name,
                    format!("{name} must be set when target_type is {target_type}"),
                ));
            }
        }
    }
    if let Some(n) = read::integer(config, "slow_start")?
        && n != 0
        && !(30..=900).contains(&n)
    {
        return Err(arg_error(
            "slow_start",
            format!("slow_start must be 0 (off) or from 30 to 900 seconds, not {n}"),
        ));
    }
    if let Some(t) = read::string(config, "load_balancing_algorithm_type")
        && ![
            "round_robin",
            "least_outstanding_requests",
            "weighted_random",
        ]
        .contains(&t)
    {
        return Err(arg_error(
            "load_balancing_algorithm_type",
            format!("invalid load_balancing_algorithm_type {t:?}"),
        )
        .with_hint("Use round_robin, least_outstanding_requests or weighted_random."));
    }
    if let Some(st) = read::known(config, "stickiness")
        .and_then(Value::as_seq)
        .and_then(<[Value]>::first)
        && let Some(t) = read::string(st, "type")
        && ![
            "lb_cookie",
            "app_cookie",
            "source_ip",
            "source_ip_dest_ip",
            "source_ip_dest_ip_proto",
        ]
        .contains(&t)
    {
        return Err(arg_error("stickiness", format!("invalid stickiness type {t:?}"))
            .with_hint("Use lb_cookie, app_cookie, source_ip, source_ip_dest_ip or source_ip_dest_ip_proto."));
    }
    if let Some(d) = read::string(config, "deregistration_delay")
        && d.parse::<u32>().ok().is_none_or(|n| n > 3600)
    {
        return Err(arg_error(
            "deregistration_delay",
            format!(
                "deregistration_delay must be a whole number of seconds from 0 to 3600, not {d:?}"
            ),
        ));
    }
    Ok(())
}

/// The configuration with Terraform's defaults, inside the health check block too.
fn with_all_defaults(config: &Value) -> Value {
    let mut config = with_defaults(
        config,
        &[
            ("target_type", Value::string("instance")),
            ("deregistration_delay", Value::string("300")),
            ("slow_start", read::int_value(0)),
        ],
    );
    if let Value::Object(m) = &mut config {
        if let Some(Value::List(items)) = m.get("health_check") {
            let items = items
                .iter()
                .map(|i| with_defaults(i, &health_check_defaults()))
                .collect();
            m.insert("health_check".into(), Value::List(items));
        }
        if let Some(Value::List(items)) = m.get("stickiness") {
            let items = items
                .iter()
                .map(|i| with_defaults(i, &stickiness_defaults()))
                .collect();
            m.insert("stickiness".into(), Value::List(items));
        }
    }
    config
}

#[async_trait]
impl Resource for TargetGroup {
    fn schema(&self) -> &Schema {
        &self.schema
    }

    async fn plan(
        &self,
        prior: Option<&Value>,
        config: &Value,
    ) -> Result<PlannedChange, ProviderError> {
        validate(config)?;
        let config = with_all_defaults(config);
        let mut change = plan_default(&self.schema, prior, &config);
        let kept_prior = prior.filter(|_| change.requires_replace.is_empty());
        if let Value::Object(m) = &mut change.planned {
            // Without a block, the health check (or stickiness) is AWS's: what exists stays
            // as it is (Terraform's Optional + Computed blocks).
            for (name, block) in [
                ("health_check", health_check_block()),
                ("stickiness", stickiness_block()),
            ] {
                let unconfigured = config
                    .get_attr(name)
                    .is_none_or(|v| v.is_null() || v.as_seq().is_some_and(<[Value]>::is_empty));
                if unconfigured {
                    let kept = match kept_prior.and_then(|p| p.get_attr(name)) {
                        Some(v) => v.clone(),
                        None => Value::Unknown(Type::list(block.value_type())),
                    };
                    m.insert(name.into(), kept);
                }
            }
            m.insert(
                "tags_all".into(),
                tags::plan_tags_all(&self.elb.aws, &config),
            );
        }
        Ok(change)
    }

    async fn create(&self, planned: &Value, _ctx: &ApplyCtx) -> Result<Value, ProviderError> {
        let name = naming::name_to_create(planned, "tf-");
        let port = i32_of(planned, "port")?;
        let mut call = self
            .elb
            .client
            .create_target_group()
            .name(&name)
            .set_port(port)
            .set_protocol(read::string(planned, "protocol").map(ProtocolEnum::from))
            .set_vpc_id(read::string(planned, "vpc_id").map(str::to_owned))
            .set_target_type(read::string(planned, "target_type").map(TargetTypeEnum::from))
            .set_tags(self.elb.create_tags(planned));
        if let Some(spec) = expand_health_check(planned)? {
            call = with_health_check!(call, spec);
        }
        let out = call.send().await.map_err(|e| {
            let err = sdk_error(&format!("creating ELBv2 Target Group ({name})"), e);
            match err.code.as_deref() {
                Some("DuplicateTargetGroupName") => err.with_attribute(AttrPath::attr("name")),
                Some("InvalidVPC" | "VPCIdNotFound") => {
                    err.with_attribute(AttrPath::attr("vpc_id"))
                }
                _ => err,
            }
        })?;
        let arn = out
            .target_groups()
            .first()
            .and_then(|t| t.target_group_arn())
            .ok_or_else(|| {
                ProviderError::new(format!("creating ELBv2 Target Group ({name})"))
                    .with_detail("AWS returned no target group ARN.")
            })?
            .to_owned();
        self.set_changed_attributes(&arn, None, planned).await?;
        self.must_read(&arn, planned).await
    }

    async fn update(
        &self,
        prior: &Value,
        planned: &Value,
        _ctx: &ApplyCtx,
    ) -> Result<Value, ProviderError> {
        let arn = id_of(prior).ok_or_else(|| {
            ProviderError::new("updating ELBv2 Target Group").with_detail("The state has no id.")
        })?;
        if changed(prior, planned, "health_check")
            && let Some(spec) = expand_health_check(planned)?
        {
            let call = self.elb.client.modify_target_group().target_group_arn(arn);
            with_health_check!(call, spec).send().await.map_err(|e| {
                sdk_error(
                    &format!("modifying ELBv2 Target Group ({arn}) health check"),
                    e,
                )
                .with_attribute(AttrPath::attr("health_check"))
            })?;
        }
        self.set_changed_attributes(arn, Some(prior), planned)
            .await?;
        self.elb.update_tags(arn, prior, planned).await?;
        self.must_read(arn, planned).await
    }

    async fn delete(&self, prior: &Value, ctx: &ApplyCtx) -> Result<(), ProviderError> {
        let Some(arn) = id_of(prior) else {
            return Ok(());
        };
        // A listener or rule deleted just before may still hold the group for a moment.
        wait::until(
            &format!("ELBv2 Target Group ({arn}) delete"),
            DELETE_TIMEOUT,
            ctx,
            || async {
                match self
                    .elb
                    .client
                    .delete_target_group()
                    .target_group_arn(arn)
                    .send()
                    .await
                {
                    Ok(_) => Ok(Poll::Done(())),
                    Err(e) if e.is_not_found() => Ok(Poll::Done(())),
                    Err(e) if e.aws_code() == Some("ResourceInUse") => {
                        Ok(Poll::Pending("still in use by a listener or rule".into()))
                    }
                    Err(e) => Err(sdk_error(
                        &format!("deleting ELBv2 Target Group ({arn})"),
                        e,
                    )),
                }
            },
        )
        .await
    }

    async fn read_many(&self, priors: &[Value]) -> Result<Vec<Option<Value>>, ProviderError> {
        let by_id = priors_by_id(priors);
        read_batched(priors, |arns| self.describe(arns, &by_id)).await
    }

    async fn import(&self, id: &str) -> Result<Value, ProviderError> {
        self.read_one(id, None).await?.ok_or_else(|| {
            ProviderError::new(format!("importing ELBv2 Target Group ({id})")).with_detail(format!(
                "Cannot import non-existent remote object: no target group {id}."
            ))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config_with_check(check: Value) -> Value {
        Value::object([
            ("port", Value::from(80)),
            ("protocol", Value::from("HTTP")),
            ("vpc_id", Value::from("vpc-1")),
            ("target_type", Value::Null(Type::String)),
            ("health_check", Value::List(vec![check])),
        ])
    }

    #[test]
    fn a_health_check_block_gets_terraforms_defaults_and_expands_to_call_parameters() {
        let c = with_all_defaults(&config_with_check(Value::object([(
            "path",
            Value::from("/health"),
        )])));
        let spec = expand_health_check(&c).unwrap().unwrap();
        assert_eq!(
            spec,
            HealthCheckSpec {
                enabled: Some(true),
                interval: Some(30),
                healthy: Some(3),
                unhealthy: Some(3),
                timeout: None,
                path: Some("/health".into()),
                matcher: None,
                port: Some("traffic-port".into()),
                protocol: Some("HTTP".into()),
            }
        );
        assert_eq!(c.get_attr("target_type"), Some(&Value::from("instance")));
        assert_eq!(
            c.get_attr("deregistration_delay"),
            Some(&Value::from("300"))
        );
    }

    #[test]
    fn a_tcp_health_check_sends_no_path_or_matcher() {
        let c = with_all_defaults(&config_with_check(Value::object([
            ("protocol", Value::from("TCP")),
            ("path", Value::from("/x")),
            ("matcher", Value::from("200")),
        ])));
        let spec = expand_health_check(&c).unwrap().unwrap();
        assert_eq!(spec.path, None);
        assert_eq!(spec.matcher, None);
        assert_eq!(spec.protocol.as_deref(), Some("TCP"));
    }

    #[test]
    fn no_health_check_block_sends_nothing() {
        let c = Value::object([("health_check", Value::List(vec![]))]);
        assert_eq!(expand_health_check(&c).unwrap(), None);
    }

    #[test]
    fn aws_health_check_flattens_to_one_block_with_empty_strings_for_absent_values() {
        let tg = AwsTg::builder()
            .health_check_enabled(true)
            .health_check_interval_seconds(30)
            .health_check_timeout_seconds(5)
            .healthy_threshold_count(5)
            .unhealthy_threshold_count(2)
            .health_check_port("traffic-port")
            .health_check_protocol(ProtocolEnum::Tcp)
            .build();
        let v = flatten_health_check(&tg);
        let hc = &v.as_seq().unwrap()[0];
        assert_eq!(hc.get_attr("path"), Some(&Value::from("")));
        assert_eq!(hc.get_attr("matcher"), Some(&Value::from("")));
        assert_eq!(hc.get_attr("timeout"), Some(&Value::from(5)));
        assert_eq!(hc.get_attr("protocol"), Some(&Value::from("TCP")));
    }

    fn config_with_stickiness(st: Value) -> Value {
        with_all_defaults(&Value::object([("stickiness", Value::List(vec![st]))]))
    }

    #[test]
    fn stickiness_gets_terraforms_defaults_and_expands_to_the_attributes_of_its_type() {
        let c = config_with_stickiness(Value::object([("type", Value::from("lb_cookie"))]));
        assert_eq!(
            expand_stickiness(&c).unwrap().unwrap(),
            vec![
                ("stickiness.enabled", "true".to_owned()),
                ("stickiness.type", "lb_cookie".to_owned()),
                ("stickiness.lb_cookie.duration_seconds", "86400".to_owned()),
            ]
        );
        let c = config_with_stickiness(Value::object([
            ("type", Value::from("app_cookie")),
            ("cookie_name", Value::from("SESSION")),
            ("cookie_duration", Value::from(60)),
        ]));
        let attrs = expand_stickiness(&c).unwrap().unwrap();
        assert!(attrs.contains(&("stickiness.app_cookie.cookie_name", "SESSION".to_owned())));
        assert!(attrs.contains(&("stickiness.app_cookie.duration_seconds", "60".to_owned())));
        let c = config_with_stickiness(Value::object([
            ("type", Value::from("lb_cookie")),
            ("enabled", Value::Bool(false)),
        ]));
        assert_eq!(
            expand_stickiness(&c).unwrap().unwrap(),
            vec![("stickiness.enabled", "false".to_owned())]
        );
        assert_eq!(
            expand_stickiness(&Value::object([("stickiness", Value::List(vec![]))])).unwrap(),
            None
        );
    }

    #[test]
    fn stickiness_flattens_from_attributes_keeping_what_aws_leaves_out() {
        let attrs = BTreeMap::from([
            ("stickiness.enabled".to_owned(), "true".to_owned()),
            ("stickiness.type".to_owned(), "lb_cookie".to_owned()),
        ]);
        let v = flatten_stickiness(&attrs, None);
        let st = &v.as_seq().unwrap()[0];
        assert_eq!(st.get_attr("enabled"), Some(&Value::Bool(true)));
        assert_eq!(st.get_attr("cookie_duration"), Some(&Value::from(86400)));
        assert_eq!(st.get_attr("cookie_name"), Some(&Value::Null(Type::String)));
        let attrs = BTreeMap::from([
            ("stickiness.enabled".to_owned(), "true".to_owned()),
            ("stickiness.type".to_owned(), "app_cookie".to_owned()),
            (
                "stickiness.app_cookie.duration_seconds".to_owned(),
                "60".to_owned(),
            ),
            (
                "stickiness.app_cookie.cookie_name".to_owned(),
                "SESSION".to_owned(),
            ),
        ]);
        let st = flatten_stickiness(&attrs, None).as_seq().unwrap()[0].clone();
        assert_eq!(st.get_attr("cookie_duration"), Some(&Value::from(60)));
        assert_eq!(st.get_attr("cookie_name"), Some(&Value::from("SESSION")));
    }

    #[test]
    fn slow_start_algorithm_and_stickiness_values_are_checked_naming_the_argument() {
        let base = || {
            vec![
                ("port", Value::from(80)),
                ("protocol", Value::from("HTTP")),
                ("vpc_id", Value::from("vpc-1")),
            ]
        };
        let with = |k: &'static str, v: Value| {
            let mut m = base();
            m.push((k, v));
            validate(&Value::object(m)).map_err(|e| e.attribute)
        };
        assert_eq!(
            with("slow_start", Value::from(10)),
            Err(Some(AttrPath::attr("slow_start")))
        );
        assert!(with("slow_start", Value::from(0)).is_ok());
        assert!(with("slow_start", Value::from(30)).is_ok());
        assert_eq!(
            with("load_balancing_algorithm_type", Value::from("random")),
            Err(Some(AttrPath::attr("load_balancing_algorithm_type")))
        );
        let st = Value::List(vec![Value::object([("type", Value::from("cookie"))])]);
        assert_eq!(
            with("stickiness", st),
            Err(Some(AttrPath::attr("stickiness")))
        );
    }

    #[test]
    fn instance_target_groups_need_port_protocol_and_vpc() {
        let c = Value::object([("port", Value::from(80)), ("protocol", Value::from("HTTP"))]);
        assert_eq!(
            validate(&c).unwrap_err().attribute,
            Some(AttrPath::attr("vpc_id"))
        );
        let c = Value::object([("target_type", Value::from("lambda"))]);
        assert!(validate(&c).is_ok());
        let c = Value::object([
            ("target_type", Value::from("lambda")),
            ("deregistration_delay", Value::from("9999")),
        ]);
        assert_eq!(
            validate(&c).unwrap_err().attribute,
            Some(AttrPath::attr("deregistration_delay"))
        );
    }
}
