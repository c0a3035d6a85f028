//! `aws_autoscaling_attachment`: attaches a target group (`lb_target_group_arn`) or a classic
//! load balancer (`elb`) to a group. Every argument forces replacement; refresh reads up to
//! 100 groups per DescribeAutoScalingGroups call.

use crate::common::{Asg, NAMES_PER_CALL};
use async_trait::async_trait;
use aws_sdk_autoscaling::error::ProvideErrorMetadata;
use std::collections::BTreeMap;
use std::sync::Arc;
use terrane_aws_core::naming::unique_name;
use terrane_aws_core::sdk_error;
use terrane_sdk::read::{self, arg_error};
use terrane_sdk::{
    ApplyCtx, Attribute, Block, PlannedChange, ProviderError, Resource, Schema, plan_default,
};
use terrane_types::{Type, Value};

pub(crate) fn schema() -> Schema {
    Schema::new(
        Block::new()
            .describe("A target group or classic load balancer attached to an Auto Scaling group.")
            .attr(
                "autoscaling_group_name",
                Attribute::required(Type::String).force_new(),
            )
            .attr(
                "lb_target_group_arn",
                Attribute::optional(Type::String).force_new(),
            )
            .attr("elb", Attribute::optional(Type::String).force_new())
            .attr("id", Attribute::computed(Type::String)),
    )
}

pub(crate) struct Attachment {
    asg: Arc<Asg>,
    schema: Schema,
}

impl Attachment {
    pub(crate) fn new(asg: Arc<Asg>) -> Attachment {
        Attachment {
            asg,
            schema: schema(),
        }
    }
}

fn gone<E: ProvideErrorMetadata, R>(e: &aws_sdk_autoscaling::error::SdkError<E, R>) -> bool {
    e.message().is_some_and(|m| m.contains("not found"))
}

#[async_trait]
impl Resource for Attachment {
    fn schema(&self) -> &Schema {
        &self.schema
    }

    async fn plan(
        &self,
        prior: Option<&Value>,
        config: &Value,
    ) -> Result<PlannedChange, ProviderError> {
        if read::is_set(config, "lb_target_group_arn") == read::is_set(config, "elb") {
            return Err(arg_error(
                "lb_target_group_arn",
                "an attachment needs exactly one of lb_target_group_arn and elb",
            ));
        }
        Ok(plan_default(&self.schema, prior, config))
    }

    async fn create(&self, planned: &Value, _ctx: &ApplyCtx) -> Result<Value, ProviderError> {
        let group = read::string(planned, "autoscaling_group_name").unwrap_or_default();
        let c = &self.asg.client;
        let action = format!("attaching to Auto Scaling Group ({group})");
        if let Some(tg) = read::string(planned, "lb_target_group_arn") {
            c.attach_load_balancer_target_groups()
                .auto_scaling_group_name(group)
                .target_group_arns(tg)
                .send()
                .await
                .map_err(|e| sdk_error(&action, e))?;
        } else if let Some(elb) = read::string(planned, "elb") {
            c.attach_load_balancers()
                .auto_scaling_group_name(group)
                .load_balancer_names(elb)
                .send()
                .await
                .map_err(|e| sdk_error(&action, e))?;
        }
        Ok(read::with_attrs(
            planned,
            [("id", Value::string(unique_name(&format!("{group}-"))))],
        ))
    }

    async fn update(
        &self,
        _prior: &Value,
        planned: &Value,
        _ctx: &ApplyCtx,
    ) -> Result<Value, ProviderError> {
        Ok(planned.clone())
    }

    async fn delete(&self, prior: &Value, _ctx: &ApplyCtx) -> Result<(), ProviderError> {
        let Some(group) = read::string(prior, "autoscaling_group_name") else {
            return Ok(());
        };
        let c = &self.asg.client;
        let action = format!("detaching from Auto Scaling Group ({group})");
        if let Some(tg) = read::string(prior, "lb_target_group_arn") {
            match c
                .detach_load_balancer_target_groups()
                .auto_scaling_group_name(group)
                .target_group_arns(tg)
                .send()
                .await
            {
                Err(e) if !gone(&e) => return Err(sdk_error(&action, e)),
                _ => {}
            }
        } else if let Some(elb) = read::string(prior, "elb") {
            match c
                .detach_load_balancers()
                .auto_scaling_group_name(group)
                .load_balancer_names(elb)
                .send()
                .await
            {
                Err(e) if !gone(&e) => return Err(sdk_error(&action, e)),
                _ => {}
            }
        }
        Ok(())
    }

    async fn read_many(&self, priors: &[Value]) -> Result<Vec<Option<Value>>, ProviderError> {
        let mut names: Vec<String> = priors
            .iter()
            .filter_map(|p| read::string(p, "autoscaling_group_name").map(str::to_owned))
            .collect();
        names.sort();
        names.dedup();
        // Group name -> (target groups, load balancers).
        let mut attached: BTreeMap<String, (Vec<String>, Vec<String>)> = BTreeMap::new();
        for chunk in names.chunks(NAMES_PER_CALL) {
            let mut pages = self
                .asg
                .client
                .describe_auto_scaling_groups()
                .set_auto_scaling_group_names(Some(chunk.to_vec()))
                .into_paginator()
                .send();
            while let Some(page) = pages.next().await {
                let page = page.map_err(|e| sdk_error("reading Auto Scaling Groups", e))?;
                for g in page.auto_scaling_groups() {
                    if let Some(n) = g.auto_scaling_group_name() {
                        attached.insert(
                            n.to_owned(),
                            (
                                g.target_group_arns().to_vec(),
                                g.load_balancer_names().to_vec(),
                            ),
                        );
                    }
                }
            }
        }
        Ok(priors
            .iter()
            .map(|p| {
                let (tgs, elbs) = attached.get(read::string(p, "autoscaling_group_name")?)?;
                let present = match (
                    read::string(p, "lb_target_group_arn"),
                    read::string(p, "elb"),
                ) {
                    (Some(tg), _) => tgs.iter().any(|t| t == tg),
                    (None, Some(elb)) => elbs.iter().any(|e| e == elb),
                    (None, None) => false,
                };
                present.then(|| p.clone())
            })
            .collect())
    }
}
