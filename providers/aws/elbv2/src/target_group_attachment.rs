//! `aws_lb_target_group_attachment` (alias `aws_alb_target_group_attachment`): one target
//! (an instance, an IP address, a Lambda function or a load balancer) registered with a
//! target group. Every argument replaces it. Refresh asks DescribeTargetHealth once per
//! target group for all its attached targets; a target no longer registered is gone.

use crate::common::{Elbv2, i32_of, id_of};
use crate::naming;
use async_trait::async_trait;
use aws_sdk_elasticloadbalancingv2::types::{TargetDescription, TargetHealthReasonEnum};
use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;
use terrane_aws_core::wait::{self, Poll};
use terrane_aws_core::{AwsErrorExt, sdk_error};
use terrane_sdk::read;
use terrane_sdk::{ApplyCtx, Attribute, Block, ProviderError, Resource, Schema};
use terrane_types::{AttrPath, Type, Value};

/// How long registering may retry while the target is not ready (Terraform's 10 minutes).
const TIMEOUT: Duration = Duration::from_secs(600);

pub(crate) fn schema() -> Schema {
    Schema::new(
        Block::new()
            .describe("A target registered with an Elastic Load Balancing v2 target group.")
            .attr(
                "target_group_arn",
                Attribute::required(Type::String).force_new(),
            )
            .attr(
                "target_id",
                Attribute::required(Type::String)
                    .force_new()
                    .describe("An instance id, IP address, Lambda ARN or ALB ARN."),
            )
            .attr(
                "port",
                Attribute::optional(Type::Number)
                    .force_new()
                    .describe("The port (default: the target group's)."),
            )
            .attr(
                "availability_zone",
                Attribute::optional(Type::String).force_new(),
            )
            .attr("id", Attribute::computed(Type::String)),
    )
}

pub(crate) struct TargetGroupAttachment {
    elb: Arc<Elbv2>,
    schema: Schema,
}

fn target(v: &Value) -> Result<TargetDescription, ProviderError> {
    Ok(TargetDescription::builder()
        .set_id(read::string(v, "target_id").map(str::to_owned))
        .set_port(i32_of(v, "port")?)
        .set_availability_zone(read::string(v, "availability_zone").map(str::to_owned))
        .build())
}

/// Whether DescribeTargetHealth's answer for a target says it is registered.
fn registered(reason: Option<&TargetHealthReasonEnum>) -> bool {
    reason != Some(&TargetHealthReasonEnum::NotRegistered)
}

impl TargetGroupAttachment {
    pub(crate) fn new(elb: Arc<Elbv2>) -> TargetGroupAttachment {
        TargetGroupAttachment {
            elb,
            schema: schema(),
        }
    }

    /// Which of `priors` (all of one target group) are still registered; None when one
    /// target (or the group) is gone and failed the whole call.
    async fn registered_of(
        &self,
        group: &str,
        priors: &[&Value],
    ) -> Result<Option<Vec<bool>>, ProviderError> {
        let targets = priors
            .iter()
            .map(|p| target(p))
            .collect::<Result<Vec<_>, _>>()?;
        let out = match self
            .elb
            .client
            .describe_target_health()
            .target_group_arn(group)
            .set_targets(Some(targets))
            .send()
            .await
        {
            Ok(o) => o,
            Err(e) if e.is_not_found() || e.aws_code() == Some("InvalidTarget") => {
                return Ok(None);
            }
            Err(e) => {
                return Err(sdk_error(
                    &format!("reading ELBv2 Target Group ({group}) target health"),
                    e,
                ));
            }
        };
        let found: Vec<(String, Option<i32>)> = out
            .target_health_descriptions()
            .iter()
            .filter(|d| registered(d.target_health().and_then(|h| h.reason())))
            .filter_map(|d| {
                let t = d.target()?;
                Some((t.id()?.to_owned(), t.port()))
            })
            .collect();
        Ok(Some(
            priors
                .iter()
                .map(|p| {
                    let id = read::string(p, "target_id").unwrap_or_default();
                    let port = i32_of(p, "port").ok().flatten();
                    found
                        .iter()
                        .any(|(i, pt)| i == id && (port.is_none() || *pt == port))
                })
                .collect(),
        ))
    }

    /// Whether the group is gone (then no target of it is registered).
    async fn group_exists(&self, group: &str) -> Result<bool, ProviderError> {
        match self
            .elb
            .client
            .describe_target_groups()
            .target_group_arns(group)
            .send()
            .await
        {
            Ok(o) => Ok(!o.target_groups().is_empty()),
            Err(e) if e.is_not_found() => Ok(false),
            Err(e) => Err(sdk_error(
                &format!("reading ELBv2 Target Group ({group})"),
                e,
            )),
        }
    }
}

#[async_trait]
impl Resource for TargetGroupAttachment {
    fn schema(&self) -> &Schema {
        &self.schema
    }

    async fn create(&self, planned: &Value, ctx: &ApplyCtx) -> Result<Value, ProviderError> {
        let group = read::string(planned, "target_group_arn").unwrap_or_default();
        let t = target(planned)?;
        let c = &self.elb.client;
        // A new instance may not be ready to register yet (InvalidTarget).
        wait::until(
            &format!("target to register with ELBv2 Target Group ({group})"),
            TIMEOUT,
            ctx,
            || async {
                match c
                    .register_targets()
                    .target_group_arn(group)
                    .targets(t.clone())
                    .send()
                    .await
                {
                    Ok(_) => Ok(Poll::Done(())),
                    Err(e) if e.aws_code() == Some("InvalidTarget") => {
                        Ok(Poll::Pending("target not ready".into()))
                    }
                    Err(e) => {
                        let err = sdk_error(
                            &format!("registering target with ELBv2 Target Group ({group})"),
                            e,
                        );
                        Err(if err.code.as_deref() == Some("TargetGroupNotFound") {
                            err.with_attribute(AttrPath::attr("target_group_arn"))
                        } else {
                            err
                        })
                    }
                }
            },
        )
        .await?;
        let id = naming::unique_name(&format!("{group}-"));
        Ok(read::with_attrs(planned, [("id", Value::string(id))]))
    }

    async fn update(
        &self,
        _prior: &Value,
        planned: &Value,
        _ctx: &ApplyCtx,
    ) -> Result<Value, ProviderError> {
        // Every argument forces replacement: nothing to change in place.
        Ok(planned.clone())
    }

    async fn delete(&self, prior: &Value, _ctx: &ApplyCtx) -> Result<(), ProviderError> {
        let Some(group) = read::string(prior, "target_group_arn") else {
            return Ok(());
        };
        match self
            .elb
            .client
            .deregister_targets()
            .target_group_arn(group)
            .targets(target(prior)?)
            .send()
            .await
        {
            Ok(_) => Ok(()),
            Err(e) if e.is_not_found() || e.aws_code() == Some("InvalidTarget") => Ok(()),
            Err(e) => Err(sdk_error(
                &format!("deregistering target from ELBv2 Target Group ({group})"),
                e,
            )),
        }
    }

    async fn read_many(&self, priors: &[Value]) -> Result<Vec<Option<Value>>, ProviderError> {
        let mut by_group: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
        for (i, p) in priors.iter().enumerate() {
            if id_of(p).is_some()
                && let Some(g) = read::string(p, "target_group_arn")
            {
                by_group.entry(g).or_default().push(i);
            }
        }
        let mut out: Vec<Option<Value>> = vec![None; priors.len()];
        for (group, indexes) in by_group {
            let members: Vec<&Value> = indexes.iter().map(|i| &priors[*i]).collect();
            let answers = match self.registered_of(group, &members).await? {
                Some(a) => a,
                None if !self.group_exists(group).await? => vec![false; members.len()],
                // One target gone failed the call: ask for each alone.
                None => {
                    let mut each = Vec::new();
                    for m in &members {
                        let one = self.registered_of(group, std::slice::from_ref(m)).await?;
                        each.push(one.is_some_and(|v| v.first() == Some(&true)));
                    }
                    each
                }
            };
            for (i, yes) in indexes.into_iter().zip(answers) {
                if yes {
                    out[i] = Some(priors[i].clone());
                }
            }
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_target_not_registered_counts_as_gone() {
        assert!(!registered(Some(&TargetHealthReasonEnum::NotRegistered)));
        assert!(registered(Some(&TargetHealthReasonEnum::NotInUse)));
        assert!(registered(None));
    }

    #[test]
    fn a_target_carries_its_port_and_zone() {
        let v = Value::object([
            ("target_id", Value::from("i-1")),
            ("port", Value::from(8080)),
            ("availability_zone", Value::Null(Type::String)),
        ]);
        let t = target(&v).unwrap();
        assert_eq!(t.id(), Some("i-1"));
        assert_eq!(t.port(), Some(8080));
        assert_eq!(t.availability_zone(), None);
    }
}
