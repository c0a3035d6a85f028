//! `aws_lb` (alias `aws_alb`): an application or network load balancer. Create waits until
//! it is active and then sets its attributes (idle timeout, deletion protection, HTTP/2);
//! subnets, security groups, the address type, attributes and tags change in place; delete
//! waits until it is gone. Refresh reads up to 20 load balancers per DescribeLoadBalancers
//! call and their tags 20 per DescribeTags call; attributes have no batched call (one
//! DescribeLoadBalancerAttributes per load balancer).

use crate::common::{Elbv2, changed, id_of, int, priors_by_id, read_batched};
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
    ApplyCtx, Attribute, Block, PlannedChange, ProviderError, Resource, Schema, plan_default,
};
use terrane_types::{AttrPath, Type, Value};

/// Terraform's create, update and delete timeouts (10 minutes).
const TIMEOUT: Duration = Duration::from_secs(600);

/// The attributes with defaults, as Terraform plans them when unset.
fn defaults() -> [(&'static str, Value); 6] {
    [
        ("internal", Value::Bool(false)),
        ("load_balancer_type", Value::string("application")),
        ("idle_timeout", read::int_value(60)),
        ("enable_deletion_protection", Value::Bool(false)),
        ("enable_http2", Value::Bool(true)),
        ("ip_address_type", Value::string("ipv4")),
    ]
}

pub(crate) fn schema() -> Schema {
    Schema::new(
        Block::new()
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
                "idle_timeout",
                Attribute::optional_computed(Type::Number)
                    .describe("Seconds a connection may idle (application only; default 60)."),
            )
            .attr(
                "enable_deletion_protection",
                Attribute::optional_computed(Type::Bool),
            )
            .attr("enable_http2", Attribute::optional_computed(Type::Bool))
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
            .attr("id", Attribute::computed(Type::String)),
    )
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
        let attr_bool = |key: &str, name: &str, default: bool| match attrs.get(key) {
            Some(v) => Value::Bool(v == "true"),
            None => kept(name).unwrap_or(Value::Bool(default)),
        };
        let idle = match attrs
            .get("idle_timeout.timeout_seconds")
            .and_then(|v| v.parse::<i64>().ok())
        {
            Some(n) => int(Some(n)),
            None => kept("idle_timeout").unwrap_or_else(|| int(Some(60))),
        };
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
            ("idle_timeout".into(), idle),
            (
                "enable_deletion_protection".into(),
                attr_bool(
                    "deletion_protection.enabled",
                    "enable_deletion_protection",
                    false,
                ),
            ),
            (
                "enable_http2".into(),
                attr_bool("routing.http2.enabled", "enable_http2", true),
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
        let lbs = match self
            .elb
            .client
            .describe_load_balancers()
            .set_load_balancer_arns(Some(arns))
            .send()
            .await
        {
            Ok(o) => o.load_balancers().to_vec(),
            Err(e) if e.is_not_found() => return Ok(None),
            Err(e) => return Err(sdk_error("reading ELBv2 Load Balancers", e)),
        };
        let found: Vec<String> = lbs
            .iter()
            .filter_map(|l| l.load_balancer_arn().map(str::to_owned))
            .collect();
        let tags = self.elb.describe_tags(&found).await?;
        let mut out = BTreeMap::new();
        for lb in &lbs {
            let Some(arn) = lb.load_balancer_arn() else {
                continue;
            };
            let Some(attrs) = self.attributes(arn).await? else {
                continue;
            };
            let no_tags = BTreeMap::new();
            let t = tags.get(arn).unwrap_or(&no_tags);
            if let Some((arn, v)) = self.flatten(lb, &attrs, t, priors.get(arn).copied()) {
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
        let application = read::string(planned, "load_balancer_type") == Some("application");
        let mut attrs = Vec::new();
        let differs = |name: &str| prior.is_none_or(|p| changed(p, planned, name));
        if application
            && differs("idle_timeout")
            && let Some(n) = read::integer(planned, "idle_timeout")?
        {
            attrs.push(("idle_timeout.timeout_seconds", n.to_string()));
        }
        if differs("enable_deletion_protection")
            && let Some(b) = read::boolean(planned, "enable_deletion_protection")
        {
            attrs.push(("deletion_protection.enabled", b.to_string()));
        }
        if application
            && differs("enable_http2")
            && let Some(b) = read::boolean(planned, "enable_http2")
        {
            attrs.push(("routing.http2.enabled", b.to_string()));
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
        let config = with_defaults(config, &defaults());
        let mut change = plan_default(&self.schema, prior, &config);
        if let Value::Object(m) = &mut change.planned {
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
                let err = sdk_error(&format!("deleting ELBv2 Load Balancer ({arn})"), e);
                return Err(if err.code.as_deref() == Some("OperationNotPermitted") {
                    err.with_hint("Deletion protection is on: set enable_deletion_protection = false and apply before destroying.")
                } else {
                    err
                });
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
