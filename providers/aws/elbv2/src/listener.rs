//! `aws_lb_listener` (alias `aws_alb_listener`): a port on a load balancer and its default
//! actions. Everything but the load balancer changes in place (ModifyListener). Refresh reads
//! up to 20 listeners per DescribeListeners call and their tags 20 per DescribeTags call.

use crate::actions::{
    action_block, check_actions, expand_actions, flatten_actions, with_action_defaults,
};
use crate::common::{Elbv2, changed, i32_of, id_of, int, priors_by_id, read_batched, string};
use async_trait::async_trait;
use aws_sdk_elasticloadbalancingv2::types::{Certificate, Listener as AwsListener, ProtocolEnum};
use std::collections::BTreeMap;
use std::sync::Arc;
use terrane_aws_core::{AwsErrorExt, sdk_error, tags};
use terrane_sdk::read::{self, conform};
use terrane_sdk::{
    ApplyCtx, Attribute, Block, NestedBlock, Nesting, PlannedChange, ProviderError, Resource,
    Schema, plan_default,
};
use terrane_types::{AttrPath, Type, Value};

pub(crate) fn schema() -> Schema {
    Schema::new(
        Block::new()
            .describe("A listener of an Elastic Load Balancing v2 load balancer.")
            .attr(
                "load_balancer_arn",
                Attribute::required(Type::String).force_new(),
            )
            .attr("port", Attribute::optional(Type::Number))
            .attr(
                "protocol",
                Attribute::optional_computed(Type::String)
                    .describe("HTTP or HTTPS (application), TCP, TLS, UDP, TCP_UDP (network)."),
            )
            .attr("ssl_policy", Attribute::optional_computed(Type::String))
            .attr("certificate_arn", Attribute::optional(Type::String))
            .attr("arn", Attribute::computed(Type::String))
            .attr("tags", Attribute::optional(Type::map(Type::String)))
            .attr(
                "tags_all",
                Attribute::optional_computed(Type::map(Type::String)),
            )
            .attr("id", Attribute::computed(Type::String))
            .block(
                "default_action",
                NestedBlock::new(Nesting::List, action_block()).items(1, 0),
            ),
    )
}

pub(crate) struct Listener {
    elb: Arc<Elbv2>,
    schema: Schema,
}

impl Listener {
    pub(crate) fn new(elb: Arc<Elbv2>) -> Listener {
        Listener {
            elb,
            schema: schema(),
        }
    }

    fn flatten(
        &self,
        l: &AwsListener,
        tags_read: &BTreeMap<String, String>,
        prior: Option<&Value>,
    ) -> Option<(String, Value)> {
        let arn = l.listener_arn()?;
        let (tags_value, tags_all) = self.elb.tag_values(tags_read, prior);
        let certificate = l
            .certificates()
            .iter()
            .find(|c| c.is_default() != Some(false))
            .and_then(Certificate::certificate_arn);
        let values = BTreeMap::from([
            ("id".to_owned(), Value::string(arn)),
            ("arn".into(), Value::string(arn)),
            ("load_balancer_arn".into(), string(l.load_balancer_arn())),
            ("port".into(), int(l.port().map(i64::from))),
            (
                "protocol".into(),
                string(l.protocol().map(ProtocolEnum::as_str)),
            ),
            ("ssl_policy".into(), string(l.ssl_policy())),
            ("certificate_arn".into(), string(certificate)),
            (
                "default_action".into(),
                flatten_actions(l.default_actions()),
            ),
            ("tags".into(), tags_value),
            ("tags_all".into(), tags_all),
        ]);
        Some((
            arn.to_owned(),
            conform(&self.schema.block, Value::Object(values)),
        ))
    }

    /// Reads up to 20 listeners; None when one missing ARN failed the call.
    async fn describe(
        &self,
        arns: Vec<String>,
        priors: &BTreeMap<String, &Value>,
    ) -> Result<Option<BTreeMap<String, Value>>, ProviderError> {
        let answer = self
            .elb
            .client
            .describe_listeners()
            .set_listener_arns(Some(arns))
            .send()
            .await
            .map(|o| o.listeners().to_vec());
        let Some(found) = self
            .elb
            .tagged(answer, "reading ELBv2 Listeners", |l| l.listener_arn())
            .await?
        else {
            return Ok(None);
        };
        Ok(Some(
            found
                .iter()
                .filter_map(|(l, arn, tags)| self.flatten(l, tags, priors.get(arn).copied()))
                .collect(),
        ))
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
            ProviderError::new(format!("reading ELBv2 Listener ({arn})"))
                .with_detail("The listener disappeared right after it was changed.")
        })
    }
}

fn certificates(planned: &Value) -> Option<Vec<Certificate>> {
    read::string(planned, "certificate_arn")
        .map(|c| vec![Certificate::builder().certificate_arn(c).build()])
}

/// Where an error about the listener's settings points, by AWS error code.
fn error_attribute(code: Option<&str>) -> Option<AttrPath> {
    Some(AttrPath::attr(match code? {
        "TargetGroupNotFound" | "TargetGroupAssociationLimit" | "InvalidLoadBalancerAction" => {
            "default_action"
        }
        "DuplicateListener" => "port",
        "LoadBalancerNotFound" => "load_balancer_arn",
        "CertificateNotFound" => "certificate_arn",
        "SSLPolicyNotFound" => "ssl_policy",
        "UnsupportedProtocol" => "protocol",
        _ => return None,
    }))
}

fn with_error_attribute(err: ProviderError) -> ProviderError {
    match error_attribute(err.code.as_deref()) {
        Some(at) => err.with_attribute(at),
        None => err,
    }
}

#[async_trait]
impl Resource for Listener {
    fn schema(&self) -> &Schema {
        &self.schema
    }

    async fn plan(
        &self,
        prior: Option<&Value>,
        config: &Value,
    ) -> Result<PlannedChange, ProviderError> {
        let mut config = config.clone();
        if let Some(actions) = config.get_attr("default_action") {
            config = read::with_attrs(&config, [("default_action", with_action_defaults(actions))]);
        }
        // The actions are checked as soon as they are known (the load balancer may not be).
        check_actions(&config, "default_action")?;
        let mut change = plan_default(&self.schema, prior, &config);
        if let Value::Object(m) = &mut change.planned {
            m.insert(
                "tags_all".into(),
                tags::plan_tags_all(&self.elb.aws, &config),
            );
        }
        Ok(change)
    }

    async fn create(&self, planned: &Value, _ctx: &ApplyCtx) -> Result<Value, ProviderError> {
        let lb = read::string(planned, "load_balancer_arn").unwrap_or_default();
        let out = self
            .elb
            .client
            .create_listener()
            .load_balancer_arn(lb)
            .set_port(i32_of(planned, "port")?)
            .set_protocol(read::string(planned, "protocol").map(ProtocolEnum::from))
            .set_ssl_policy(read::string(planned, "ssl_policy").map(str::to_owned))
            .set_certificates(certificates(planned))
            .set_default_actions(Some(expand_actions(planned, "default_action")?))
            .set_tags(self.elb.create_tags(planned))
            .send()
            .await
            .map_err(|e| {
                with_error_attribute(sdk_error(&format!("creating ELBv2 Listener for ({lb})"), e))
            })?;
        let arn = out
            .listeners()
            .first()
            .and_then(|l| l.listener_arn())
            .ok_or_else(|| {
                ProviderError::new(format!("creating ELBv2 Listener for ({lb})"))
                    .with_detail("AWS returned no listener ARN.")
            })?
            .to_owned();
        self.must_read(&arn, planned).await
    }

    async fn update(
        &self,
        prior: &Value,
        planned: &Value,
        _ctx: &ApplyCtx,
    ) -> Result<Value, ProviderError> {
        let arn = id_of(prior).ok_or_else(|| {
            ProviderError::new("updating ELBv2 Listener").with_detail("The state has no id.")
        })?;
        let settings = [
            "port",
            "protocol",
            "ssl_policy",
            "certificate_arn",
            "default_action",
        ];
        if settings.iter().any(|s| changed(prior, planned, s)) {
            self.elb
                .client
                .modify_listener()
                .listener_arn(arn)
                .set_port(i32_of(planned, "port")?)
                .set_protocol(read::string(planned, "protocol").map(ProtocolEnum::from))
                .set_ssl_policy(read::string(planned, "ssl_policy").map(str::to_owned))
                .set_certificates(certificates(planned))
                .set_default_actions(Some(expand_actions(planned, "default_action")?))
                .send()
                .await
                .map_err(|e| {
                    with_error_attribute(sdk_error(&format!("modifying ELBv2 Listener ({arn})"), e))
                })?;
        }
        self.elb.update_tags(arn, prior, planned).await?;
        self.must_read(arn, planned).await
    }

    async fn delete(&self, prior: &Value, _ctx: &ApplyCtx) -> Result<(), ProviderError> {
        let Some(arn) = id_of(prior) else {
            return Ok(());
        };
        match self
            .elb
            .client
            .delete_listener()
            .listener_arn(arn)
            .send()
            .await
        {
            Ok(_) => Ok(()),
            Err(e) if e.is_not_found() => Ok(()),
            Err(e) => Err(sdk_error(&format!("deleting ELBv2 Listener ({arn})"), e)),
        }
    }

    async fn read_many(&self, priors: &[Value]) -> Result<Vec<Option<Value>>, ProviderError> {
        let by_id = priors_by_id(priors);
        read_batched(priors, |arns| self.describe(arns, &by_id)).await
    }

    async fn import(&self, id: &str) -> Result<Value, ProviderError> {
        self.read_one(id, None).await?.ok_or_else(|| {
            ProviderError::new(format!("importing ELBv2 Listener ({id})")).with_detail(format!(
                "Cannot import non-existent remote object: no listener {id}."
            ))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_about_a_listener_point_at_the_argument_aws_refused() {
        assert_eq!(
            error_attribute(Some("TargetGroupNotFound")),
            Some(AttrPath::attr("default_action"))
        );
        assert_eq!(
            error_attribute(Some("DuplicateListener")),
            Some(AttrPath::attr("port"))
        );
        assert_eq!(error_attribute(Some("Throttling")), None);
    }
}
