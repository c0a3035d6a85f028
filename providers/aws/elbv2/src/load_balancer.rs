//! `aws_lb` (alias `aws_alb`): an application or network load balancer. Create waits until
//! it is active and then sets the attributes (idle timeout, deletion protection, HTTP/2,
//! header handling, ...: the `ATTRIBUTES` table) that differ from AWS's defaults; subnets,
//! security groups, the address type, attributes and tags change in place; delete
//! waits until it is gone. Refresh reads up to 20 load balancers per DescribeLoadBalancers
//! call and their tags 20 per DescribeTags call; attributes have no batched call (one
//! DescribeLoadBalancerAttributes per load balancer).

use crate::common::{Elbv2, changed, id_of, priors_by_id, read_batched};
use crate::common::{string, string_set, suffix_after_kind};
use crate::naming;
use async_trait::async_trait;
use aws_sdk_elasticloadbalancingv2::types::{
    IpAddressType, LoadBalancer as AwsLb, LoadBalancerAttribute, LoadBalancerSchemeEnum,
    LoadBalancerTypeEnum,
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

/// Terraform's create, update and delete timeouts (10 minutes).
const TIMEOUT: Duration = Duration::from_secs(600);

/// The kind of value of a load balancer attribute.
#[derive(Clone, Copy)]
enum Kind {
    Bool,
    Int,
    Str,
}

/// An argument set through Modify/DescribeLoadBalancerAttributes.
struct LbAttr {
    /// Terraform's argument.
    name: &'static str,
    /// The attribute's key.
    key: &'static str,
    kind: Kind,
    /// Terraform's default, as its text in the API.
    default: &'static str,
    /// The load balancer types that have it (others keep the default in state, as
    /// Terraform's diff suppression does).
    types: Types,
}

/// Which load balancer types have an attribute.
#[derive(Clone, Copy, PartialEq)]
enum Types {
    All,
    Application,
    /// Network and gateway load balancers (application ones always balance across zones).
    NotApplication,
}

impl Types {
    fn include(self, lb_type: &str) -> bool {
        match self {
            Types::All => true,
            Types::Application => lb_type == "application",
            Types::NotApplication => lb_type != "application",
        }
    }
}

const fn attr(
    name: &'static str,
    key: &'static str,
    kind: Kind,
    default: &'static str,
    types: Types,
) -> LbAttr {
    LbAttr {
        name,
        key,
        kind,
        default,
        types,
    }
}

/// The arguments that are load balancer attributes.
const ATTRIBUTES: [LbAttr; 12] = [
    attr(
        "idle_timeout",
        "idle_timeout.timeout_seconds",
        Kind::Int,
        "60",
        Types::Application,
    ),
    attr(
        "enable_deletion_protection",
        "deletion_protection.enabled",
        Kind::Bool,
        "false",
        Types::All,
    ),
    attr(
        "enable_http2",
        "routing.http2.enabled",
        Kind::Bool,
        "true",
        Types::Application,
    ),
    attr(
        "drop_invalid_header_fields",
        "routing.http.drop_invalid_header_fields.enabled",
        Kind::Bool,
        "false",
        Types::Application,
    ),
    attr(
        "preserve_host_header",
        "routing.http.preserve_host_header.enabled",
        Kind::Bool,
        "false",
        Types::Application,
    ),
    attr(
        "desync_mitigation_mode",
        "routing.http.desync_mitigation_mode",
        Kind::Str,
        "defensive",
        Types::Application,
    ),
    attr(
        "enable_waf_fail_open",
        "waf.fail_open.enabled",
        Kind::Bool,
        "false",
        Types::Application,
    ),
    attr(
        "enable_xff_client_port",
        "routing.http.xff_client_port.enabled",
        Kind::Bool,
        "false",
        Types::Application,
    ),
    attr(
        "xff_header_processing_mode",
        "routing.http.xff_header_processing.mode",
        Kind::Str,
        "append",
        Types::Application,
    ),
    attr(
        "enable_tls_version_and_cipher_suite_headers",
        "routing.http.x_amzn_tls_version_and_cipher_suite.enabled",
        Kind::Bool,
        "false",
        Types::Application,
    ),
    attr(
        "client_keep_alive",
        "client_keep_alive.seconds",
        Kind::Int,
        "3600",
        Types::Application,
    ),
    attr(
        "enable_cross_zone_load_balancing",
        "load_balancing.cross_zone.enabled",
        Kind::Bool,
        "false",
        Types::NotApplication,
    ),
];

impl LbAttr {
    fn schema_type(&self) -> Type {
        match self.kind {
            Kind::Bool => Type::Bool,
            Kind::Int => Type::Number,
            Kind::Str => Type::String,
        }
    }

    /// The attribute's text as the argument's value (None if it does not parse).
    fn value(&self, text: &str) -> Option<Value> {
        match self.kind {
            Kind::Bool => match text {
                "true" => Some(Value::Bool(true)),
                "false" => Some(Value::Bool(false)),
                _ => None,
            },
            Kind::Int => text.parse::<i64>().ok().map(read::int_value),
            Kind::Str => Some(Value::string(text)),
        }
    }

    /// The argument's planned value as the attribute's text.
    fn text(&self, planned: &Value) -> Result<Option<String>, ProviderError> {
        Ok(match self.kind {
            Kind::Bool => read::boolean(planned, self.name).map(|b| b.to_string()),
            Kind::Int => read::integer(planned, self.name)?.map(|n| n.to_string()),
            Kind::Str => read::string(planned, self.name).map(str::to_owned),
        })
    }
}

/// The attributes with defaults, as Terraform plans them when unset.
fn defaults() -> Vec<(&'static str, Value)> {
    let mut out = vec![
        ("internal", Value::Bool(false)),
        ("load_balancer_type", Value::string("application")),
        ("ip_address_type", Value::string("ipv4")),
    ];
    for a in &ATTRIBUTES {
        if let Some(v) = a.value(a.default) {
            out.push((a.name, v));
        }
    }
    out
}

pub(crate) fn schema() -> Schema {
    let mut block = Block::new();
    for a in &ATTRIBUTES {
        block = block.attr(
            a.name,
            Attribute::optional_computed(a.schema_type()).describe(&format!(
                "Attribute {} (default {}{}).",
                a.key,
                a.default,
                match a.types {
                    Types::All => "",
                    Types::Application => "; application load balancers only",
                    Types::NotApplication => "; network and gateway load balancers only",
                }
            )),
        );
    }
    Schema::new(
        block
            .describe("An Elastic Load Balancing v2 load balancer (application or network).")
            .attr(
                "name",
                Attribute::optional_computed(Type::String)
                    .force_new()
                    .describe("Generated (tf-lb-...) when neither name nor name_prefix is set."),
            )
            .attr(
                "name_prefix",
                Attribute::optional_computed(Type::String)
                    .force_new()
                    .describe("At most 6 characters; a unique suffix follows."),
            )
            .attr(
                "internal",
                Attribute::optional_computed(Type::Bool)
                    .force_new()
                    .describe("Internal (true) or internet-facing (false, the default)."),
            )
            .attr(
                "load_balancer_type",
                Attribute::optional_computed(Type::String)
                    .force_new()
                    .describe("application (the default), network or gateway."),
            )
            .attr(
                "subnets",
                Attribute::optional_computed(Type::set(Type::String))
                    .describe("The subnets it is in, at least two Availability Zones."),
            )
            .attr(
                "security_groups",
                Attribute::optional_computed(Type::set(Type::String)),
            )
            .attr(
                "ip_address_type",
                Attribute::optional_computed(Type::String).describe("ipv4 or dualstack."),
            )
            .attr("arn", Attribute::computed(Type::String))
            .attr("arn_suffix", Attribute::computed(Type::String))
            .attr("dns_name", Attribute::computed(Type::String))
            .attr("zone_id", Attribute::computed(Type::String))
            .attr("vpc_id", Attribute::computed(Type::String))
            .attr("tags", Attribute::optional(Type::map(Type::String)))
            .attr(
                "tags_all",
                Attribute::optional_computed(Type::map(Type::String)),
            )
            .attr("id", Attribute::computed(Type::String))
            .block(
                "access_logs",
                NestedBlock::new(Nesting::List, access_logs_block()).items(0, 1),
            ),
    )
}

fn access_logs_block() -> Block {
    Block::new()
        .describe("Where the load balancer writes its access logs (an S3 bucket).")
        .attr("bucket", Attribute::required(Type::String))
        .attr(
            "enabled",
            Attribute::optional(Type::Bool)
                .describe("Default false, even with a bucket (as in Terraform)."),
        )
        .attr(
            "prefix",
            Attribute::optional_computed(Type::String).describe("Default: the bucket's root."),
        )
}

/// The configured `access_logs` block as attributes; None without a block.
fn expand_access_logs(planned: &Value) -> Option<Vec<(&'static str, String)>> {
    let logs = read::known(planned, "access_logs")
        .and_then(Value::as_seq)
        .and_then(<[Value]>::first)?;
    Some(vec![
        (
            "access_logs.s3.enabled",
            read::boolean(logs, "enabled").unwrap_or(false).to_string(),
        ),
        (
            "access_logs.s3.bucket",
            read::string(logs, "bucket").unwrap_or_default().to_owned(),
        ),
        (
            "access_logs.s3.prefix",
            read::string(logs, "prefix").unwrap_or_default().to_owned(),
        ),
    ])
}

/// The access log attributes as the block's value (what AWS leaves out is kept from
/// `prior`, else empty / off).
fn flatten_access_logs(attrs: &LbAttributes, prior: Option<&Value>) -> Value {
    let prior = prior
        .and_then(|p| p.get_attr("access_logs"))
        .and_then(Value::as_seq)
        .and_then(<[Value]>::first);
    let text = |key: &str, name: &str| match attrs.get(key) {
        Some(v) => Value::string(v),
        None => prior
            .and_then(|p| p.get_attr(name))
            .cloned()
            .unwrap_or_else(|| Value::string("")),
    };
    let enabled = match attrs.get("access_logs.s3.enabled") {
        Some(v) => Value::Bool(v == "true"),
        None => prior
            .and_then(|p| p.get_attr("enabled"))
            .cloned()
            .unwrap_or(Value::Bool(false)),
    };
    Value::List(vec![Value::object([
        ("bucket", text("access_logs.s3.bucket", "bucket")),
        ("enabled", enabled),
        ("prefix", text("access_logs.s3.prefix", "prefix")),
    ])])
}

pub(crate) struct LoadBalancer {
    elb: Arc<Elbv2>,
    schema: Schema,
}

/// What one load balancer's attributes say, by key.
type LbAttributes = BTreeMap<String, String>;

impl LoadBalancer {
    pub(crate) fn new(elb: Arc<Elbv2>) -> LoadBalancer {
        LoadBalancer {
            elb,
            schema: schema(),
        }
    }

    fn flatten(
        &self,
        lb: &AwsLb,
        attrs: &LbAttributes,
        tags_read: &BTreeMap<String, String>,
        prior: Option<&Value>,
    ) -> Option<(String, Value)> {
        let arn = lb.load_balancer_arn()?;
        let name = lb.load_balancer_name().unwrap_or_default();
        let (tags_value, tags_all) = self.elb.tag_values(tags_read, prior);
        let kept = |k: &str| prior.and_then(|p| p.get_attr(k)).cloned();
        let mut subnets: Vec<&str> = lb
            .availability_zones()
            .iter()
            .filter_map(|z| z.subnet_id())
            .collect();
        subnets.sort_unstable();
        let values = BTreeMap::from([
            ("id".to_owned(), Value::string(arn)),
            ("arn".into(), Value::string(arn)),
            ("arn_suffix".into(), Value::string(suffix_after_kind(arn))),
            ("name".into(), Value::string(name)),
            ("name_prefix".into(), Value::string(naming::prefix_of(name))),
            (
                "internal".into(),
                Value::Bool(lb.scheme() == Some(&LoadBalancerSchemeEnum::Internal)),
            ),
            (
                "load_balancer_type".into(),
                string(lb.r#type().map(LoadBalancerTypeEnum::as_str)),
            ),
            ("subnets".into(), string_set(subnets)),
            (
                "security_groups".into(),
                string_set(lb.security_groups().iter().cloned()),
            ),
            (
                "ip_address_type".into(),
                string(lb.ip_address_type().map(IpAddressType::as_str)),
            ),
            ("dns_name".into(), string(lb.dns_name())),
            ("zone_id".into(), string(lb.canonical_hosted_zone_id())),
            ("vpc_id".into(), string(lb.vpc_id())),
            ("tags".into(), tags_value),
            ("tags_all".into(), tags_all),
        ]);
        let mut values = values;
        values.insert("access_logs".into(), flatten_access_logs(attrs, prior));
        // What AWS does not return (or another type's attribute, whatever AWS says) stays
        // as it was, else Terraform's default.
        let lb_type = lb
            .r#type()
            .map_or("application", LoadBalancerTypeEnum::as_str);
        for a in &ATTRIBUTES {
            let v = attrs
                .get(a.key)
                .filter(|_| a.types.include(lb_type))
                .and_then(|t| a.value(t))
                .or_else(|| kept(a.name))
                .or_else(|| a.value(a.default));
            if let Some(v) = v {
                values.insert(a.name.to_owned(), v);
            }
        }
        Some((
            arn.to_owned(),
            conform(&self.schema.block, Value::Object(values)),
        ))
    }

    /// Reads up to 20 load balancers; None when one missing ARN failed the call.
    async fn describe(
        &self,
        arns: Vec<String>,
        priors: &BTreeMap<String, &Value>,
    ) -> Result<Option<BTreeMap<String, Value>>, ProviderError> {
        let answer = self
            .elb
            .client
            .describe_load_balancers()
            .set_load_balancer_arns(Some(arns))
            .send()
            .await
            .map(|o| o.load_balancers().to_vec());
        let Some(found) = self
            .elb
            .tagged(answer, "reading ELBv2 Load Balancers", |lb| {
                lb.load_balancer_arn()
            })
            .await?
        else {
            return Ok(None);
        };
        let mut out = BTreeMap::new();
        for (lb, arn, tags) in &found {
            let Some(attrs) = self.attributes(arn).await? else {
                continue;
            };
            if let Some((arn, v)) = self.flatten(lb, &attrs, tags, priors.get(arn).copied()) {
                out.insert(arn, v);
            }
        }
        Ok(Some(out))
    }

    /// A load balancer's attributes; None if it is gone.
    async fn attributes(&self, arn: &str) -> Result<Option<LbAttributes>, ProviderError> {
        match self
            .elb
            .client
            .describe_load_balancer_attributes()
            .load_balancer_arn(arn)
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
                &format!("reading ELBv2 Load Balancer ({arn}) attributes"),
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
            ProviderError::new(format!("reading ELBv2 Load Balancer ({arn})"))
                .with_detail("The load balancer disappeared right after it was changed.")
        })
    }

    /// The load balancer's state code ("provisioning", "active"), None if it is gone.
    async fn state(&self, arn: &str) -> Result<Option<String>, ProviderError> {
        match self
            .elb
            .client
            .describe_load_balancers()
            .load_balancer_arns(arn)
            .send()
            .await
        {
            Ok(o) => Ok(o.load_balancers().first().map(|l| {
                l.state()
                    .and_then(|s| s.code())
                    .map_or("active", |c| c.as_str())
                    .to_owned()
            })),
            Err(e) if e.is_not_found() => Ok(None),
            Err(e) => Err(sdk_error(
                &format!("reading ELBv2 Load Balancer ({arn})"),
                e,
            )),
        }
    }

    async fn wait_active(&self, arn: &str, ctx: &ApplyCtx) -> Result<(), ProviderError> {
        wait::until(
            &format!("ELBv2 Load Balancer ({arn}) to be active"),
            TIMEOUT,
            ctx,
            || async {
                Ok(match self.state(arn).await?.as_deref() {
                    Some("active") => Poll::Done(()),
                    Some("failed") => {
                        return Err(ProviderError::new(format!(
                            "waiting for ELBv2 Load Balancer ({arn}) to be active"
                        ))
                        .with_detail("The load balancer's state is failed."));
                    }
                    Some(other) => Poll::Pending(other.to_owned()),
                    None => Poll::Pending("not visible yet".into()),
                })
            },
        )
        .await
    }

    /// Sets the attributes the plan changes (all of them when `prior` is None).
    async fn set_attributes(
        &self,
        arn: &str,
        prior: Option<&Value>,
        planned: &Value,
    ) -> Result<(), ProviderError> {
        let lb_type = read::string(planned, "load_balancer_type").unwrap_or("application");
        let mut attrs = Vec::new();
        for a in &ATTRIBUTES {
            if !a.types.include(lb_type) {
                continue;
            }
            let Some(text) = a.text(planned)? else {
                continue;
            };
            // On create only what differs from AWS's defaults (some are not settable on
            // every load balancer); on update what the plan changes.
            let wanted = match prior {
                None => text != a.default,
                Some(p) => changed(p, planned, a.name),
            };
            if wanted {
                attrs.push((a.key, text));
            }
        }
        if prior.is_none_or(|p| changed(p, planned, "access_logs"))
            && let Some(logs) = expand_access_logs(planned)
        {
            attrs.extend(logs);
        }
        if attrs.is_empty() {
            return Ok(());
        }
        self.elb
            .client
            .modify_load_balancer_attributes()
            .load_balancer_arn(arn)
            .set_attributes(Some(
                attrs
                    .iter()
                    .map(|(k, v)| LoadBalancerAttribute::builder().key(*k).value(v).build())
                    .collect(),
            ))
            .send()
            .await
            .map_err(|e| {
                sdk_error(
                    &format!("modifying ELBv2 Load Balancer ({arn}) attributes"),
                    e,
                )
            })?;
        Ok(())
    }
}

/// Checks the configuration: names, and the values AWS would refuse late.
fn validate(config: &Value) -> Result<(), ProviderError> {
    naming::check_name(config, "load balancer")?;
    if let Some(t) = read::string(config, "load_balancer_type")
        && !["application", "network", "gateway"].contains(&t)
    {
        return Err(arg_error(
            "load_balancer_type",
            format!("invalid load_balancer_type {t:?}"),
        )
        .with_hint("Use application, network or gateway."));
    }
    if let Some(n) = read::integer(config, "idle_timeout")?
        && !(1..=4000).contains(&n)
    {
        return Err(arg_error(
            "idle_timeout",
            format!("idle_timeout must be between 1 and 4000 seconds, not {n}"),
        ));
    }
    if let Some(t) = read::string(config, "ip_address_type")
        && !["ipv4", "dualstack", "dualstack-without-public-ipv4"].contains(&t)
    {
        return Err(
            arg_error("ip_address_type", format!("invalid ip_address_type {t:?}"))
                .with_hint("Use ipv4 or dualstack."),
        );
    }
    Ok(())
}

/// A refused delete: deletion protection (OperationNotPermitted) says how to lift it.
fn delete_error(err: ProviderError) -> ProviderError {
    if err.code.as_deref() == Some("OperationNotPermitted") {
        err.with_attribute(AttrPath::attr("enable_deletion_protection"))
            .with_hint(
                "Deletion protection is on: set enable_deletion_protection = false and apply \
                 before destroying.",
            )
    } else {
        err
    }
}

#[async_trait]
impl Resource for LoadBalancer {
    fn schema(&self) -> &Schema {
        &self.schema
    }

    async fn plan(
        &self,
        prior: Option<&Value>,
        config: &Value,
    ) -> Result<PlannedChange, ProviderError> {
        validate(config)?;
        let mut config = with_defaults(config, &defaults());
        if let Value::Object(m) = &mut config
            && let Some(Value::List(items)) = m.get("access_logs")
        {
            let items = items
                .iter()
                .map(|i| with_defaults(i, &[("enabled", Value::Bool(false))]))
                .collect();
            m.insert("access_logs".into(), Value::List(items));
        }
        let mut change = plan_default(&self.schema, prior, &config);
        let kept_prior = prior.filter(|_| change.requires_replace.is_empty());
        if let Value::Object(m) = &mut change.planned {
            // Without a block the access logs stay as they are (Terraform suppresses the
            // diff of a missing block).
            let unconfigured = config
                .get_attr("access_logs")
                .is_none_or(|v| v.is_null() || v.as_seq().is_some_and(<[Value]>::is_empty));
            if unconfigured {
                let kept = match kept_prior.and_then(|p| p.get_attr("access_logs")) {
                    Some(v) => v.clone(),
                    None => Value::Unknown(Type::list(access_logs_block().value_type())),
                };
                m.insert("access_logs".into(), kept);
            }
            m.insert(
                "tags_all".into(),
                tags::plan_tags_all(&self.elb.aws, &config),
            );
        }
        Ok(change)
    }

    async fn create(&self, planned: &Value, ctx: &ApplyCtx) -> Result<Value, ProviderError> {
        let name = naming::name_to_create(planned, "tf-lb-");
        let internal = read::boolean(planned, "internal").unwrap_or(false);
        let lb_type = read::string(planned, "load_balancer_type").unwrap_or("application");
        let out = self
            .elb
            .client
            .create_load_balancer()
            .name(&name)
            .r#type(LoadBalancerTypeEnum::from(lb_type))
            .scheme(if internal {
                LoadBalancerSchemeEnum::Internal
            } else {
                LoadBalancerSchemeEnum::InternetFacing
            })
            .set_subnets(
                read::is_set(planned, "subnets").then(|| read::strings(planned, "subnets")),
            )
            .set_security_groups(
                read::is_set(planned, "security_groups")
                    .then(|| read::strings(planned, "security_groups")),
            )
            .set_ip_address_type(read::string(planned, "ip_address_type").map(IpAddressType::from))
            .set_tags(self.elb.create_tags(planned))
            .send()
            .await
            .map_err(|e| {
                let err = sdk_error(&format!("creating ELBv2 Load Balancer ({name})"), e);
                match err.code.as_deref() {
                    Some("SubnetNotFound" | "InvalidSubnet") => {
                        err.with_attribute(AttrPath::attr("subnets"))
                    }
                    Some("InvalidSecurityGroup" | "SecurityGroupNotFound") => {
                        err.with_attribute(AttrPath::attr("security_groups"))
                    }
                    Some("DuplicateLoadBalancerName") => err.with_attribute(AttrPath::attr("name")),
                    _ => err,
                }
            })?;
        let arn = out
            .load_balancers()
            .first()
            .and_then(|l| l.load_balancer_arn())
            .ok_or_else(|| {
                ProviderError::new(format!("creating ELBv2 Load Balancer ({name})"))
                    .with_detail("AWS returned no load balancer ARN.")
            })?
            .to_owned();
        self.wait_active(&arn, ctx).await?;
        self.set_attributes(&arn, None, planned).await?;
        self.must_read(&arn, planned).await
    }

    async fn update(
        &self,
        prior: &Value,
        planned: &Value,
        ctx: &ApplyCtx,
    ) -> Result<Value, ProviderError> {
        let arn = id_of(prior).ok_or_else(|| {
            ProviderError::new("updating ELBv2 Load Balancer").with_detail("The state has no id.")
        })?;
        let c = &self.elb.client;
        if changed(prior, planned, "subnets") && read::is_set(planned, "subnets") {
            c.set_subnets()
                .load_balancer_arn(arn)
                .set_subnets(Some(read::strings(planned, "subnets")))
                .send()
                .await
                .map_err(|e| {
                    sdk_error(&format!("setting ELBv2 Load Balancer ({arn}) subnets"), e)
                        .with_attribute(AttrPath::attr("subnets"))
                })?;
        }
        if changed(prior, planned, "security_groups") && read::is_set(planned, "security_groups") {
            c.set_security_groups()
                .load_balancer_arn(arn)
                .set_security_groups(Some(read::strings(planned, "security_groups")))
                .send()
                .await
                .map_err(|e| {
                    sdk_error(
                        &format!("setting ELBv2 Load Balancer ({arn}) security groups"),
                        e,
                    )
                    .with_attribute(AttrPath::attr("security_groups"))
                })?;
        }
        if changed(prior, planned, "ip_address_type")
            && let Some(t) = read::string(planned, "ip_address_type")
        {
            c.set_ip_address_type()
                .load_balancer_arn(arn)
                .ip_address_type(IpAddressType::from(t))
                .send()
                .await
                .map_err(|e| {
                    sdk_error(
                        &format!("setting ELBv2 Load Balancer ({arn}) IP address type"),
                        e,
                    )
                    .with_attribute(AttrPath::attr("ip_address_type"))
                })?;
        }
        self.set_attributes(arn, Some(prior), planned).await?;
        self.elb.update_tags(arn, prior, planned).await?;
        self.wait_active(arn, ctx).await?;
        self.must_read(arn, planned).await
    }

    async fn delete(&self, prior: &Value, ctx: &ApplyCtx) -> Result<(), ProviderError> {
        let Some(arn) = id_of(prior) else {
            return Ok(());
        };
        match self
            .elb
            .client
            .delete_load_balancer()
            .load_balancer_arn(arn)
            .send()
            .await
        {
            Ok(_) => {}
            Err(e) if e.is_not_found() => return Ok(()),
            Err(e) => {
                return Err(delete_error(sdk_error(
                    &format!("deleting ELBv2 Load Balancer ({arn})"),
                    e,
                )));
            }
        }
        wait::until(
            &format!("ELBv2 Load Balancer ({arn}) to be deleted"),
            TIMEOUT,
            ctx,
            || async {
                Ok(match self.state(arn).await? {
                    None => Poll::Done(()),
                    Some(s) => Poll::Pending(s),
                })
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
            ProviderError::new(format!("importing ELBv2 Load Balancer ({id})")).with_detail(
                format!("Cannot import non-existent remote object: no load balancer {id}."),
            )
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_load_balancer_types_are_refused_naming_the_argument() {
        let c = Value::object([("load_balancer_type", Value::from("classic"))]);
        let e = validate(&c).unwrap_err();
        assert_eq!(e.attribute, Some(AttrPath::attr("load_balancer_type")));
        let c = Value::object([("idle_timeout", Value::from(0))]);
        assert_eq!(
            validate(&c).unwrap_err().attribute,
            Some(AttrPath::attr("idle_timeout"))
        );
    }

    #[test]
    fn a_delete_refused_by_deletion_protection_says_how_to_lift_it() {
        let mut err = ProviderError::new("deleting ELBv2 Load Balancer (arn)");
        err.code = Some("OperationNotPermitted".into());
        let e = delete_error(err);
        assert!(
            e.hint
                .as_deref()
                .is_some_and(|h| h.contains("enable_deletion_protection = false")),
            "{e:?}"
        );
        assert_eq!(
            e.attribute,
            Some(AttrPath::attr("enable_deletion_protection"))
        );
        let e = delete_error(ProviderError::new("deleting"));
        assert!(e.hint.is_none());
    }

    #[test]
    fn access_logs_expand_to_attributes_and_flatten_back_with_what_aws_leaves_out_kept() {
        let planned = Value::object([(
            "access_logs",
            Value::List(vec![Value::object([
                ("bucket", Value::from("logs")),
                ("enabled", Value::Bool(true)),
                ("prefix", Value::Null(Type::String)),
            ])]),
        )]);
        let attrs = expand_access_logs(&planned).unwrap();
        assert_eq!(
            attrs,
            vec![
                ("access_logs.s3.enabled", "true".to_owned()),
                ("access_logs.s3.bucket", "logs".to_owned()),
                ("access_logs.s3.prefix", String::new()),
            ]
        );
        let read: LbAttributes = attrs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), v.clone()))
            .collect();
        let back = flatten_access_logs(&read, None);
        let logs = &back.as_seq().unwrap()[0];
        assert_eq!(logs.get_attr("bucket"), Some(&Value::from("logs")));
        assert_eq!(logs.get_attr("enabled"), Some(&Value::Bool(true)));
        assert_eq!(logs.get_attr("prefix"), Some(&Value::from("")));
        // moto leaves access_logs.s3.enabled out until it is set.
        let prior = Value::object([("access_logs", back.clone())]);
        let partial = LbAttributes::from([("access_logs.s3.bucket".to_owned(), "logs".to_owned())]);
        assert_eq!(flatten_access_logs(&partial, Some(&prior)), back);
        assert_eq!(
            expand_access_logs(&Value::object([("access_logs", Value::List(vec![]))])),
            None
        );
    }

    #[test]
    fn attributes_apply_only_to_the_load_balancer_types_that_have_them() {
        let by_name = |n: &str| ATTRIBUTES.iter().find(|a| a.name == n).unwrap().types;
        assert!(by_name("idle_timeout").include("application"));
        assert!(!by_name("idle_timeout").include("network"));
        assert!(!by_name("enable_cross_zone_load_balancing").include("application"));
        assert!(by_name("enable_cross_zone_load_balancing").include("gateway"));
        assert!(by_name("enable_deletion_protection").include("network"));
    }

    #[test]
    fn every_attribute_default_parses_and_round_trips_through_its_text() {
        for a in &ATTRIBUTES {
            let v = a.value(a.default).expect(a.name);
            let planned = Value::object([(a.name, v)]);
            assert_eq!(
                a.text(&planned).unwrap().as_deref(),
                Some(a.default),
                "{}",
                a.name
            );
        }
        let names: Vec<&str> = defaults().iter().map(|(n, _)| *n).collect();
        assert!(names.contains(&"desync_mitigation_mode"));
        assert!(names.contains(&"idle_timeout"));
        let schema = schema();
        for a in &ATTRIBUTES {
            assert!(schema.block.attributes.contains_key(a.name), "{}", a.name);
        }
    }

    #[test]
    fn defaults_fill_what_the_configuration_leaves_unset() {
        let c = with_defaults(
            &Value::object([("idle_timeout", Value::from(120))]),
            &defaults(),
        );
        assert_eq!(c.get_attr("idle_timeout"), Some(&Value::from(120)));
        assert_eq!(c.get_attr("internal"), Some(&Value::Bool(false)));
        assert_eq!(
            c.get_attr("load_balancer_type"),
            Some(&Value::from("application"))
        );
    }
}
