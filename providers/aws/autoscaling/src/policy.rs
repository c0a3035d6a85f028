//! `aws_autoscaling_policy`: a scaling policy of a group (simple scaling or target
//! tracking). Create and update are both PutScalingPolicy; refresh reads the policies of
//! each group with one DescribePolicies call per group and 50 names. Import id:
//! `GROUP/POLICY`.

use crate::common::{Asg, boolean, first_block, float, int, int32, string};
use async_trait::async_trait;
use aws_sdk_autoscaling::types::{
    MetricType, PredefinedMetricSpecification, ScalingPolicy, TargetTrackingConfiguration,
};
use std::collections::BTreeMap;
use std::sync::Arc;
use terrane_aws_core::sdk_error;
use terrane_sdk::read::{self, arg_error, conform, with_defaults};
use terrane_sdk::{
    ApplyCtx, Attribute, Block, NestedBlock, Nesting, PlannedChange, ProviderError, Resource,
    Schema, plan_default,
};
use terrane_types::{Type, Value};

/// How many policy names one DescribePolicies call takes.
const NAMES_PER_CALL: usize = 50;

pub(crate) fn schema() -> Schema {
    let predefined = Block::new()
        .attr("predefined_metric_type", Attribute::required(Type::String))
        .attr("resource_label", Attribute::optional(Type::String));
    let target = Block::new()
        .attr("target_value", Attribute::required(Type::Number))
        .attr("disable_scale_in", Attribute::optional_computed(Type::Bool))
        .block(
            "predefined_metric_specification",
            NestedBlock::new(Nesting::List, predefined).items(0, 1),
        );
    Schema::new(
        Block::new()
            .describe("A scaling policy of an Auto Scaling group.")
            .attr("name", Attribute::required(Type::String).force_new())
            .attr(
                "autoscaling_group_name",
                Attribute::required(Type::String).force_new(),
            )
            .attr(
                "policy_type",
                Attribute::optional_computed(Type::String)
                    .describe("\"SimpleScaling\" (default) or \"TargetTrackingScaling\"."),
            )
            .attr("adjustment_type", Attribute::optional(Type::String))
            .attr("scaling_adjustment", Attribute::optional(Type::Number))
            .attr("cooldown", Attribute::optional(Type::Number))
            .attr(
                "estimated_instance_warmup",
                Attribute::optional(Type::Number),
            )
            .attr("enabled", Attribute::optional_computed(Type::Bool))
            .attr("arn", Attribute::computed(Type::String))
            .attr("id", Attribute::computed(Type::String))
            .block(
                "target_tracking_configuration",
                NestedBlock::new(Nesting::List, target).items(0, 1),
            ),
    )
}

pub(crate) struct Policy {
    asg: Arc<Asg>,
    schema: Schema,
}

impl Policy {
    pub(crate) fn new(asg: Arc<Asg>) -> Policy {
        Policy {
            asg,
            schema: schema(),
        }
    }

    fn flatten(&self, p: &ScalingPolicy) -> Value {
        let tt = p.target_tracking_configuration().map(|t| {
            let spec = t.predefined_metric_specification().map(|s| {
                Value::object([
                    (
                        "predefined_metric_type",
                        string(s.predefined_metric_type().map(|t| t.as_str())),
                    ),
                    ("resource_label", string(s.resource_label())),
                ])
            });
            Value::object([
                ("target_value", float(t.target_value())),
                (
                    "disable_scale_in",
                    boolean(Some(t.disable_scale_in().unwrap_or(false))),
                ),
                (
                    "predefined_metric_specification",
                    Value::List(spec.into_iter().collect()),
                ),
            ])
        });
        let attrs = BTreeMap::from([
            ("id".to_owned(), string(p.policy_name())),
            ("name".into(), string(p.policy_name())),
            (
                "autoscaling_group_name".into(),
                string(p.auto_scaling_group_name()),
            ),
            (
                "policy_type".into(),
                string(Some(p.policy_type().unwrap_or("SimpleScaling"))),
            ),
            ("adjustment_type".into(), string(p.adjustment_type())),
            ("scaling_adjustment".into(), int(p.scaling_adjustment())),
            ("cooldown".into(), int(p.cooldown())),
            (
                "estimated_instance_warmup".into(),
                int(p.estimated_instance_warmup()),
            ),
            ("enabled".into(), boolean(Some(p.enabled().unwrap_or(true)))),
            ("arn".into(), string(p.policy_arn())),
            (
                "target_tracking_configuration".into(),
                Value::List(tt.into_iter().collect()),
            ),
        ]);
        conform(&self.schema.block, Value::Object(attrs))
    }

    /// The policies `names` of `group`, by name.
    async fn describe(
        &self,
        group: &str,
        names: Vec<String>,
    ) -> Result<BTreeMap<String, Value>, ProviderError> {
        let mut found = BTreeMap::new();
        let mut pages = self
            .asg
            .client
            .describe_policies()
            .auto_scaling_group_name(group)
            .set_policy_names(Some(names))
            .into_paginator()
            .send();
        while let Some(page) = pages.next().await {
            let page = match page {
                Ok(p) => p,
                // The group is gone, and its policies with it.
                Err(e)
                    if aws_sdk_autoscaling::error::ProvideErrorMetadata::message(&e)
                        .is_some_and(|m| m.contains("not found")) =>
                {
                    return Ok(found);
                }
                Err(e) => return Err(sdk_error("reading Auto Scaling Policies", e)),
            };
            for p in page.scaling_policies() {
                if let Some(name) = p.policy_name() {
                    found.insert(name.to_owned(), self.flatten(p));
                }
            }
        }
        Ok(found)
    }

    async fn put(&self, planned: &Value) -> Result<Value, ProviderError> {
        let name = read::string(planned, "name").unwrap_or_default().to_owned();
        let group = read::string(planned, "autoscaling_group_name")
            .unwrap_or_default()
            .to_owned();
        let policy_type = read::string(planned, "policy_type").unwrap_or("SimpleScaling");
        let tt = match first_block(planned, "target_tracking_configuration") {
            None => None,
            Some(t) => {
                let spec = first_block(t, "predefined_metric_specification").map(|s| {
                    PredefinedMetricSpecification::builder()
                        .predefined_metric_type(MetricType::from(
                            read::string(s, "predefined_metric_type").unwrap_or_default(),
                        ))
                        .set_resource_label(read::string(s, "resource_label").map(str::to_owned))
                        .build()
                });
                let target = read::known(t, "target_value")
                    .and_then(Value::as_number)
                    .map(|n| n.to_f64());
                Some(
                    TargetTrackingConfiguration::builder()
                        .set_predefined_metric_specification(spec)
                        .set_target_value(target)
                        .set_disable_scale_in(read::boolean(t, "disable_scale_in"))
                        .build(),
                )
            }
        };
        let simple = policy_type == "SimpleScaling";
        self.asg
            .client
            .put_scaling_policy()
            .policy_name(&name)
            .auto_scaling_group_name(&group)
            .policy_type(policy_type)
            .set_adjustment_type(read::string(planned, "adjustment_type").map(str::to_owned))
            .set_scaling_adjustment(int32(planned, "scaling_adjustment")?)
            .set_cooldown(if simple {
                int32(planned, "cooldown")?
            } else {
                None
            })
            .set_estimated_instance_warmup(int32(planned, "estimated_instance_warmup")?)
            .set_enabled(read::boolean(planned, "enabled"))
            .set_target_tracking_configuration(tt)
            .send()
            .await
            .map_err(|e| sdk_error(&format!("putting Auto Scaling Policy ({name})"), e))?;
        self.describe(&group, vec![name.clone()])
            .await?
            .remove(&name)
            .ok_or_else(|| {
                ProviderError::new(format!("reading Auto Scaling Policy ({name})"))
                    .with_detail("The policy disappeared right after it was put.")
            })
    }
}

#[async_trait]
impl Resource for Policy {
    fn schema(&self) -> &Schema {
        &self.schema
    }

    async fn plan(
        &self,
        prior: Option<&Value>,
        config: &Value,
    ) -> Result<PlannedChange, ProviderError> {
        let config = with_defaults(
            config,
            &[
                ("policy_type", Value::string("SimpleScaling")),
                ("enabled", Value::Bool(true)),
            ],
        );
        if read::string(&config, "policy_type") == Some("TargetTrackingScaling")
            && first_block(&config, "target_tracking_configuration").is_none()
            && !read::is_unknown(&config, "target_tracking_configuration")
        {
            return Err(arg_error(
                "target_tracking_configuration",
                "a TargetTrackingScaling policy needs a target_tracking_configuration block",
            ));
        }
        Ok(plan_default(&self.schema, prior, &config))
    }

    async fn create(&self, planned: &Value, _ctx: &ApplyCtx) -> Result<Value, ProviderError> {
        self.put(planned).await
    }

    async fn update(
        &self,
        _prior: &Value,
        planned: &Value,
        _ctx: &ApplyCtx,
    ) -> Result<Value, ProviderError> {
        self.put(planned).await
    }

    async fn delete(&self, prior: &Value, _ctx: &ApplyCtx) -> Result<(), ProviderError> {
        let (Some(name), Some(group)) = (
            read::string(prior, "name"),
            read::string(prior, "autoscaling_group_name"),
        ) else {
            return Ok(());
        };
        match self
            .asg
            .client
            .delete_policy()
            .auto_scaling_group_name(group)
            .policy_name(name)
            .send()
            .await
        {
            Ok(_) => Ok(()),
            Err(e)
                if aws_sdk_autoscaling::error::ProvideErrorMetadata::message(&e)
                    .is_some_and(|m| m.contains("not found")) =>
            {
                Ok(())
            }
            Err(e) => Err(sdk_error(
                &format!("deleting Auto Scaling Policy ({name})"),
                e,
            )),
        }
    }

    async fn read_many(&self, priors: &[Value]) -> Result<Vec<Option<Value>>, ProviderError> {
        let mut by_group: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for p in priors {
            if let (Some(n), Some(g)) = (
                read::string(p, "name"),
                read::string(p, "autoscaling_group_name"),
            ) {
                by_group.entry(g.to_owned()).or_default().push(n.to_owned());
            }
        }
        let mut found: BTreeMap<(String, String), Value> = BTreeMap::new();
        for (group, names) in by_group {
            for chunk in names.chunks(NAMES_PER_CALL) {
                for (n, v) in self.describe(&group, chunk.to_vec()).await? {
                    found.insert((group.clone(), n), v);
                }
            }
        }
        Ok(priors
            .iter()
            .map(|p| {
                let key = (
                    read::string(p, "autoscaling_group_name")?.to_owned(),
                    read::string(p, "name")?.to_owned(),
                );
                found.get(&key).cloned()
            })
            .collect())
    }

    async fn import(&self, id: &str) -> Result<Value, ProviderError> {
        let Some((group, name)) = id.split_once('/') else {
            return Err(ProviderError::new(format!("importing Auto Scaling Policy ({id})"))
                .with_detail("The import id is GROUP/POLICY: the group's name, a slash and the policy's name."));
        };
        self.describe(group, vec![name.to_owned()])
            .await?
            .remove(name)
            .ok_or_else(|| {
                ProviderError::new(format!("importing Auto Scaling Policy ({id})")).with_detail(
                    format!("Cannot import non-existent remote object: group {group} has no policy {name}."),
                )
            })
    }
}
