//! `aws_lb_listener_rule` (alias `aws_alb_listener_rule`): a listener's rule, its actions
//! for requests matching its conditions (path_pattern, host_header). The priority changes
//! in place (SetRulePriorities), actions and conditions too (ModifyRule); without a
//! priority, the next free one after the listener's highest is taken. Refresh reads up to
//! 20 rules per DescribeRules call and their tags 20 per DescribeTags call.

use crate::actions::{action_block, expand_actions, flatten_actions, with_action_defaults};
use crate::common::{Elbv2, changed, id_of, int, priors_by_id, read_batched, string};
use async_trait::async_trait;
use aws_sdk_elasticloadbalancingv2::types::{
    HostHeaderConditionConfig, PathPatternConditionConfig, Rule, RuleCondition, RulePriorityPair,
};
use std::collections::BTreeMap;
use std::sync::Arc;
use terrane_aws_core::{AwsErrorExt, sdk_error, tags};
use terrane_sdk::read::{self, conform};
use terrane_sdk::{
    ApplyCtx, Attribute, Block, NestedBlock, Nesting, PlannedChange, ProviderError, Resource,
    Schema, plan_default,
};
use terrane_types::{AttrPath, PathStep, Type, Value};

/// The condition kinds terrane supports: (block name, API field).
const CONDITIONS: [(&str, &str); 2] = [
    ("path_pattern", "path-pattern"),
    ("host_header", "host-header"),
];

fn values_block() -> NestedBlock {
    NestedBlock::new(
        Nesting::List,
        Block::new().attr("values", Attribute::required(Type::set(Type::String))),
    )
    .items(0, 1)
}

pub(crate) fn schema() -> Schema {
    Schema::new(
        Block::new()
            .describe("A rule of an Elastic Load Balancing v2 listener.")
            .attr(
                "listener_arn",
                Attribute::required(Type::String).force_new(),
            )
            .attr(
                "priority",
                Attribute::optional_computed(Type::Number)
                    .describe("1-50000; default: after the listener's highest."),
            )
            .attr("arn", Attribute::computed(Type::String))
            .attr("tags", Attribute::optional(Type::map(Type::String)))
            .attr(
                "tags_all",
                Attribute::optional_computed(Type::map(Type::String)),
            )
            .attr("id", Attribute::computed(Type::String))
            .block(
                "action",
                NestedBlock::new(Nesting::List, action_block()).items(1, 0),
            )
            .block(
                "condition",
                NestedBlock::new(
                    Nesting::Set,
                    Block::new()
                        .block("path_pattern", values_block())
                        .block("host_header", values_block()),
                )
                .items(1, 0),
            ),
    )
}

/// The configured conditions as the API's.
pub(crate) fn expand_conditions(planned: &Value) -> Result<Vec<RuleCondition>, ProviderError> {
    let items = read::known(planned, "condition")
        .and_then(Value::as_seq)
        .unwrap_or_default();
    let mut out = Vec::new();
    for (i, c) in items.iter().enumerate() {
        let mut found = None;
        for (block, field) in CONDITIONS {
            if let Some(v) = read::known(c, block)
                .and_then(Value::as_seq)
                .and_then(<[Value]>::first)
            {
                found = Some((field, read::strings(v, "values")));
            }
        }
        let Some((field, values)) = found else {
            return Err(ProviderError::new(
                "a condition needs a path_pattern or host_header block",
            )
            .with_attribute(AttrPath::attr("condition").then(PathStep::Index(i))));
        };
        let mut cond = RuleCondition::builder().field(field);
        cond = if field == "path-pattern" {
            cond.path_pattern_config(
                PathPatternConditionConfig::builder()
                    .set_values(Some(values))
                    .build(),
            )
        } else {
            cond.host_header_config(
                HostHeaderConditionConfig::builder()
                    .set_values(Some(values))
                    .build(),
            )
        };
        out.push(cond.build());
    }
    Ok(out)
}

/// The API's conditions as the blocks' value (kinds terrane does not support are left out).
pub(crate) fn flatten_conditions(conditions: &[RuleCondition]) -> Value {
    let set = |values: &[String]| {
        Value::List(vec![Value::object([(
            "values",
            Value::set(values.iter().map(Value::string).collect()),
        )])])
    };
    Value::set(
        conditions
            .iter()
            .filter_map(|c| {
                let (path, host) = match c.field()? {
                    "path-pattern" => {
                        let v = c
                            .path_pattern_config()
                            .map(|p| p.values())
                            .filter(|v| !v.is_empty())
                            .unwrap_or(c.values());
                        (set(v), Value::List(vec![]))
                    }
                    "host-header" => {
                        let v = c
                            .host_header_config()
                            .map(|p| p.values())
                            .filter(|v| !v.is_empty())
                            .unwrap_or(c.values());
                        (Value::List(vec![]), set(v))
                    }
                    _ => return None,
                };
                Some(Value::object([
                    ("path_pattern", path),
                    ("host_header", host),
                ]))
            })
            .collect(),
    )
}

pub(crate) struct ListenerRule {
    elb: Arc<Elbv2>,
    schema: Schema,
}

impl ListenerRule {
    pub(crate) fn new(elb: Arc<Elbv2>) -> ListenerRule {
        ListenerRule {
            elb,
            schema: schema(),
        }
    }

    fn flatten(
        &self,
        r: &Rule,
        listener: Option<&Value>,
        tags_read: &BTreeMap<String, String>,
        prior: Option<&Value>,
    ) -> Option<(String, Value)> {
        let arn = r.rule_arn()?;
        let priority = r.priority().and_then(|p| p.parse::<i64>().ok());
        let (tags_value, tags_all) = self.elb.tag_values(tags_read, prior);
        // DescribeRules does not name the listener: the ARN does (listener-rule/ → listener/).
        let listener = listener.cloned().unwrap_or_else(|| {
            let from_arn = arn
                .replacen(":listener-rule/", ":listener/", 1)
                .rsplit_once('/')
                .map(|(l, _)| l.to_owned());
            string(from_arn.as_deref())
        });
        let values = BTreeMap::from([
            ("id".to_owned(), Value::string(arn)),
            ("arn".into(), Value::string(arn)),
            ("listener_arn".into(), listener),
            ("priority".into(), int(priority)),
            ("action".into(), flatten_actions(r.actions())),
            ("condition".into(), flatten_conditions(r.conditions())),
            ("tags".into(), tags_value),
            ("tags_all".into(), tags_all),
        ]);
        Some((
            arn.to_owned(),
            conform(&self.schema.block, Value::Object(values)),
        ))
    }

    async fn describe(
        &self,
        arns: Vec<String>,
        priors: &BTreeMap<String, &Value>,
    ) -> Result<Option<BTreeMap<String, Value>>, ProviderError> {
        let rules = match self
            .elb
            .client
            .describe_rules()
            .set_rule_arns(Some(arns))
            .send()
            .await
        {
            Ok(o) => o.rules().to_vec(),
            Err(e) if e.is_not_found() => return Ok(None),
            Err(e) => return Err(sdk_error("reading ELBv2 Listener Rules", e)),
        };
        let found: Vec<String> = rules
            .iter()
            .filter_map(|r| r.rule_arn().map(str::to_owned))
            .collect();
        let tags = self.elb.describe_tags(&found).await?;
        let no_tags = BTreeMap::new();
        Ok(Some(
            rules
                .iter()
                .filter_map(|r| {
                    let arn = r.rule_arn()?;
                    let prior = priors.get(arn).copied();
                    self.flatten(
                        r,
                        prior.and_then(|p| p.get_attr("listener_arn")),
                        tags.get(arn).unwrap_or(&no_tags),
                        prior,
                    )
                })
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
            ProviderError::new(format!("reading ELBv2 Listener Rule ({arn})"))
                .with_detail("The rule disappeared right after it was changed.")
        })
    }

    /// The priority after the listener's highest.
    async fn next_priority(&self, listener: &str) -> Result<i32, ProviderError> {
        let out = self
            .elb
            .client
            .describe_rules()
            .listener_arn(listener)
            .send()
            .await
            .map_err(|e| {
                sdk_error(&format!("reading ELBv2 Listener ({listener}) rules"), e)
                    .with_attribute(AttrPath::attr("listener_arn"))
            })?;
        Ok(out
            .rules()
            .iter()
            .filter_map(|r| r.priority()?.parse::<i32>().ok())
            .max()
            .unwrap_or(0)
            + 1)
    }
}

fn with_rule_defaults(config: &Value) -> Value {
    match config.get_attr("action") {
        Some(actions) => read::with_attrs(config, [("action", with_action_defaults(actions))]),
        None => config.clone(),
    }
}

#[async_trait]
impl Resource for ListenerRule {
    fn schema(&self) -> &Schema {
        &self.schema
    }

    async fn plan(
        &self,
        prior: Option<&Value>,
        config: &Value,
    ) -> Result<PlannedChange, ProviderError> {
        let config = with_rule_defaults(config);
        if config.is_wholly_known() {
            expand_actions(&config, "action")?;
            expand_conditions(&config)?;
        }
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
        let listener = read::string(planned, "listener_arn").unwrap_or_default();
        let priority = match read::integer(planned, "priority")? {
            Some(p) => i32::try_from(p).unwrap_or(i32::MAX),
            None => self.next_priority(listener).await?,
        };
        let out = self
            .elb
            .client
            .create_rule()
            .listener_arn(listener)
            .priority(priority)
            .set_actions(Some(expand_actions(planned, "action")?))
            .set_conditions(Some(expand_conditions(planned)?))
            .set_tags(self.elb.create_tags(planned))
            .send()
            .await
            .map_err(|e| {
                let err = sdk_error(&format!("creating ELBv2 Listener Rule for ({listener})"), e);
                match err.code.as_deref() {
                    Some("PriorityInUse") => err.with_attribute(AttrPath::attr("priority")),
                    Some("ListenerNotFound") => err.with_attribute(AttrPath::attr("listener_arn")),
                    Some("TargetGroupNotFound") => err.with_attribute(AttrPath::attr("action")),
                    _ => err,
                }
            })?;
        let arn = out
            .rules()
            .first()
            .and_then(|r| r.rule_arn())
            .ok_or_else(|| {
                ProviderError::new(format!("creating ELBv2 Listener Rule for ({listener})"))
                    .with_detail("AWS returned no rule ARN.")
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
            ProviderError::new("updating ELBv2 Listener Rule").with_detail("The state has no id.")
        })?;
        let c = &self.elb.client;
        if changed(prior, planned, "priority")
            && let Some(p) = read::integer(planned, "priority")?
        {
            c.set_rule_priorities()
                .rule_priorities(
                    RulePriorityPair::builder()
                        .rule_arn(arn)
                        .priority(i32::try_from(p).unwrap_or(i32::MAX))
                        .build(),
                )
                .send()
                .await
                .map_err(|e| {
                    sdk_error(&format!("setting ELBv2 Listener Rule ({arn}) priority"), e)
                        .with_attribute(AttrPath::attr("priority"))
                })?;
        }
        if changed(prior, planned, "action") || changed(prior, planned, "condition") {
            c.modify_rule()
                .rule_arn(arn)
                .set_actions(Some(expand_actions(planned, "action")?))
                .set_conditions(Some(expand_conditions(planned)?))
                .send()
                .await
                .map_err(|e| sdk_error(&format!("modifying ELBv2 Listener Rule ({arn})"), e))?;
        }
        self.elb.update_tags(arn, prior, planned).await?;
        self.must_read(arn, planned).await
    }

    async fn delete(&self, prior: &Value, _ctx: &ApplyCtx) -> Result<(), ProviderError> {
        let Some(arn) = id_of(prior) else {
            return Ok(());
        };
        match self.elb.client.delete_rule().rule_arn(arn).send().await {
            Ok(_) => Ok(()),
            Err(e) if e.is_not_found() => Ok(()),
            Err(e) => Err(sdk_error(
                &format!("deleting ELBv2 Listener Rule ({arn})"),
                e,
            )),
        }
    }

    async fn read_many(&self, priors: &[Value]) -> Result<Vec<Option<Value>>, ProviderError> {
        let by_id = priors_by_id(priors);
        read_batched(priors, |arns| self.describe(arns, &by_id)).await
    }

    async fn import(&self, id: &str) -> Result<Value, ProviderError> {
        self.read_one(id, None).await?.ok_or_else(|| {
            ProviderError::new(format!("importing ELBv2 Listener Rule ({id})")).with_detail(
                format!("Cannot import non-existent remote object: no listener rule {id}."),
            )
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn conditions_expand_and_flatten_back_to_their_blocks() {
        let values = |v: &[&str]| {
            Value::List(vec![Value::object([(
                "values",
                Value::set(v.iter().map(|s| Value::from(*s)).collect()),
            )])])
        };
        let cond = Value::set(vec![
            Value::object([
                ("path_pattern", values(&["/api/*"])),
                ("host_header", Value::List(vec![])),
            ]),
            Value::object([
                ("path_pattern", Value::List(vec![])),
                ("host_header", values(&["example.com"])),
            ]),
        ]);
        let c = Value::object([("condition", cond.clone())]);
        let expanded = expand_conditions(&c).unwrap();
        assert_eq!(expanded.len(), 2);
        assert_eq!(flatten_conditions(&expanded), cond);
    }

    #[test]
    fn an_empty_condition_points_at_itself() {
        let c = Value::object([(
            "condition",
            Value::set(vec![Value::object([
                ("path_pattern", Value::List(vec![])),
                ("host_header", Value::List(vec![])),
            ])]),
        )]);
        let e = expand_conditions(&c).unwrap_err();
        assert_eq!(e.attribute.unwrap().to_string(), "condition[0]");
    }
}
