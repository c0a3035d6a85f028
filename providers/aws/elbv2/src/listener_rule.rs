//! `aws_lb_listener_rule` (alias `aws_alb_listener_rule`): a listener's rule, its actions
//! for requests matching its conditions (path_pattern, host_header, http_request_method,
//! source_ip, http_header, query_string). The priority changes
//! in place (SetRulePriorities), actions and conditions too (ModifyRule); without a
//! priority, the next free one after the listener's highest is taken (picked again if a rule
//! created meanwhile took it). Refresh reads up to
//! 20 rules per DescribeRules call and their tags 20 per DescribeTags call.

use crate::actions::{
    action_block, check_actions, expand_actions, flatten_actions, with_action_defaults,
};
use crate::common::{Elbv2, changed, id_of, int, priors_by_id, read_batched, string};
use async_trait::async_trait;
use aws_sdk_elasticloadbalancingv2::types::{
    HostHeaderConditionConfig, HttpHeaderConditionConfig, HttpRequestMethodConditionConfig,
    PathPatternConditionConfig, QueryStringConditionConfig, QueryStringKeyValuePair, Rule,
    RuleCondition, RulePriorityPair, SourceIpConditionConfig,
};
use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;
use terrane_aws_core::wait::{self, Poll};
use terrane_aws_core::{AwsErrorExt, sdk_error, tags};

/// How long creating a rule without a priority may retry when the one it picked was taken
/// by a rule created at the same time.
const TIMEOUT: Duration = Duration::from_secs(300);
use terrane_sdk::read::{self, conform};
use terrane_sdk::{
    ApplyCtx, Attribute, Block, NestedBlock, Nesting, PlannedChange, ProviderError, Resource,
    Schema, plan_default,
};
use terrane_types::{AttrPath, PathStep, Type, Value};

/// The condition blocks with a `values` set: (block name, API field).
const VALUE_CONDITIONS: [(&str, &str); 4] = [
    ("path_pattern", "path-pattern"),
    ("host_header", "host-header"),
    ("http_request_method", "http-request-method"),
    ("source_ip", "source-ip"),
];

/// Every condition block (one of them per `condition`).
const CONDITION_BLOCKS: [&str; 6] = [
    "path_pattern",
    "host_header",
    "http_request_method",
    "source_ip",
    "http_header",
    "query_string",
];

fn values_block() -> NestedBlock {
    NestedBlock::new(
        Nesting::List,
        Block::new().attr("values", Attribute::required(Type::set(Type::String))),
    )
    .items(0, 1)
}

fn condition_block() -> Block {
    let mut b = Block::new().describe(
        "What requests the rule matches: exactly one of path_pattern, host_header, \
         http_request_method, source_ip, http_header, query_string.",
    );
    for (name, _) in VALUE_CONDITIONS {
        b = b.block(name, values_block());
    }
    b.block(
        "http_header",
        NestedBlock::new(
            Nesting::List,
            Block::new()
                .attr("http_header_name", Attribute::required(Type::String))
                .attr("values", Attribute::required(Type::set(Type::String))),
        )
        .items(0, 1),
    )
    .block(
        "query_string",
        NestedBlock::new(
            Nesting::Set,
            Block::new()
                .attr("key", Attribute::optional(Type::String))
                .attr("value", Attribute::required(Type::String)),
        ),
    )
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
                NestedBlock::new(Nesting::Set, condition_block()).items(1, 0),
            ),
    )
}

/// The blocks of condition `c` that are set (non-empty).
fn set_blocks(c: &Value) -> Vec<&'static str> {
    CONDITION_BLOCKS
        .into_iter()
        .filter(|name| {
            read::known(c, name)
                .and_then(Value::as_seq)
                .is_some_and(|items| !items.is_empty())
        })
        .collect()
}

/// One configured condition as the API's.
fn expand_condition(c: &Value, i: usize) -> Result<RuleCondition, ProviderError> {
    let at = AttrPath::attr("condition").then(PathStep::Index(i));
    let blocks = set_blocks(c);
    let [block] = blocks[..] else {
        return Err(ProviderError::new(
            "a condition needs exactly one of path_pattern, host_header, http_request_method, \
             source_ip, http_header or query_string",
        )
        .with_detail(format!(
            "condition[{i}] has {}.",
            if blocks.is_empty() {
                "none".to_owned()
            } else {
                blocks.join(" and ")
            }
        ))
        .with_attribute(at));
    };
    let items = read::known(c, block)
        .and_then(Value::as_seq)
        .unwrap_or_default();
    let first = items.first();
    let values = || {
        first
            .map(|v| read::strings(v, "values"))
            .unwrap_or_default()
    };
    let cond = RuleCondition::builder();
    Ok(match block {
        "path_pattern" => cond.field("path-pattern").path_pattern_config(
            PathPatternConditionConfig::builder()
                .set_values(Some(values()))
                .build(),
        ),
        "host_header" => cond.field("host-header").host_header_config(
            HostHeaderConditionConfig::builder()
                .set_values(Some(values()))
                .build(),
        ),
        "http_request_method" => cond
            .field("http-request-method")
            .http_request_method_config(
                HttpRequestMethodConditionConfig::builder()
                    .set_values(Some(values()))
                    .build(),
            ),
        "source_ip" => cond.field("source-ip").source_ip_config(
            SourceIpConditionConfig::builder()
                .set_values(Some(values()))
                .build(),
        ),
        "http_header" => cond.field("http-header").http_header_config(
            HttpHeaderConditionConfig::builder()
                .set_http_header_name(
                    first
                        .and_then(|v| read::string(v, "http_header_name"))
                        .map(str::to_owned),
                )
                .set_values(Some(values()))
                .build(),
        ),
        _ => cond.field("query-string").query_string_config(
            QueryStringConditionConfig::builder()
                .set_values(Some(
                    items
                        .iter()
                        .map(|kv| {
                            QueryStringKeyValuePair::builder()
                                .set_key(read::string(kv, "key").map(str::to_owned))
                                .set_value(read::string(kv, "value").map(str::to_owned))
                                .build()
                        })
                        .collect(),
                ))
                .build(),
        ),
    }
    .build())
}

/// The configured conditions as the API's.
pub(crate) fn expand_conditions(planned: &Value) -> Result<Vec<RuleCondition>, ProviderError> {
    read::known(planned, "condition")
        .and_then(Value::as_seq)
        .unwrap_or_default()
        .iter()
        .enumerate()
        .map(|(i, c)| expand_condition(c, i))
        .collect()
}

/// The API's conditions as the blocks' value (kinds terrane does not support are left out).
pub(crate) fn flatten_conditions(conditions: &[RuleCondition]) -> Value {
    let values_of = |values: &[String]| Value::set(values.iter().map(Value::string).collect());
    let values_block =
        |values: &[String]| Value::List(vec![Value::object([("values", values_of(values))])]);
    Value::set(
        conditions
            .iter()
            .filter_map(|c| {
                // Older answers carry the values on the condition itself.
                let or_legacy = |v: Option<&[String]>| {
                    v.filter(|v| !v.is_empty()).unwrap_or(c.values()).to_vec()
                };
                let (block, value) = match c.field()? {
                    "path-pattern" => (
                        "path_pattern",
                        values_block(&or_legacy(c.path_pattern_config().map(|p| p.values()))),
                    ),
                    "host-header" => (
                        "host_header",
                        values_block(&or_legacy(c.host_header_config().map(|p| p.values()))),
                    ),
                    "http-request-method" => (
                        "http_request_method",
                        values_block(c.http_request_method_config()?.values()),
                    ),
                    "source-ip" => ("source_ip", values_block(c.source_ip_config()?.values())),
                    "http-header" => {
                        let h = c.http_header_config()?;
                        (
                            "http_header",
                            Value::List(vec![Value::object([
                                ("http_header_name", string(h.http_header_name())),
                                ("values", values_of(h.values())),
                            ])]),
                        )
                    }
                    "query-string" => (
                        "query_string",
                        Value::set(
                            c.query_string_config()?
                                .values()
                                .iter()
                                .map(|kv| {
                                    Value::object([
                                        ("key", string(kv.key())),
                                        ("value", string(kv.value())),
                                    ])
                                })
                                .collect(),
                        ),
                    ),
                    _ => return None,
                };
                let schema = condition_block();
                let mut m = BTreeMap::new();
                for name in CONDITION_BLOCKS {
                    let empty = match schema.blocks.get(name).map(|b| b.nesting) {
                        Some(Nesting::Set) => Value::set(vec![]),
                        _ => Value::List(vec![]),
                    };
                    m.insert(name.to_owned(), empty);
                }
                m.insert(block.to_owned(), value);
                Some(Value::Object(m))
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
        let answer = self
            .elb
            .client
            .describe_rules()
            .set_rule_arns(Some(arns))
            .send()
            .await
            .map(|o| o.rules().to_vec());
        let Some(found) = self
            .elb
            .tagged(answer, "reading ELBv2 Listener Rules", |r| r.rule_arn())
            .await?
        else {
            return Ok(None);
        };
        Ok(Some(
            found
                .iter()
                .filter_map(|(r, arn, tags)| {
                    let prior = priors.get(arn).copied();
                    self.flatten(
                        r,
                        prior.and_then(|p| p.get_attr("listener_arn")),
                        tags,
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
        // Actions and conditions are checked as soon as they are known (the listener and
        // target groups may not be).
        check_actions(&config, "action")?;
        if config
            .get_attr("condition")
            .is_some_and(Value::is_wholly_known)
        {
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

    async fn create(&self, planned: &Value, ctx: &ApplyCtx) -> Result<Value, ProviderError> {
        let listener = read::string(planned, "listener_arn").unwrap_or_default();
        let configured =
            read::integer(planned, "priority")?.map(|p| i32::try_from(p).unwrap_or(i32::MAX));
        let actions = expand_actions(planned, "action")?;
        let conditions = expand_conditions(planned)?;
        // Without a configured priority, rules created at the same time may pick the same
        // next one: then the loser picks again.
        let out = wait::until(
            &format!("ELBv2 Listener Rule for ({listener}) to get a free priority"),
            TIMEOUT,
            ctx,
            || async {
                let priority = match configured {
                    Some(p) => p,
                    None => self.next_priority(listener).await?,
                };
                match self
                    .elb
                    .client
                    .create_rule()
                    .listener_arn(listener)
                    .priority(priority)
                    .set_actions(Some(actions.clone()))
                    .set_conditions(Some(conditions.clone()))
                    .set_tags(self.elb.create_tags(planned))
                    .send()
                    .await
                {
                    Ok(out) => Ok(Poll::Done(out)),
                    Err(e) if configured.is_none() && e.aws_code() == Some("PriorityInUse") => Ok(
                        Poll::Pending(format!("priority {priority} taken meanwhile")),
                    ),
                    Err(e) => {
                        let err =
                            sdk_error(&format!("creating ELBv2 Listener Rule for ({listener})"), e);
                        let at = match err.code.as_deref() {
                            Some("PriorityInUse") => Some("priority"),
                            Some("ListenerNotFound") => Some("listener_arn"),
                            Some("TargetGroupNotFound") => Some("action"),
                            _ => None,
                        };
                        Err(match at {
                            Some(at) => err.with_attribute(AttrPath::attr(at)),
                            None => err,
                        })
                    }
                }
            },
        )
        .await?;
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

    /// A condition block with only `block` set.
    fn condition(block: &str, value: Value) -> Value {
        let mut m = BTreeMap::new();
        for name in CONDITION_BLOCKS {
            let empty = if name == "query_string" {
                Value::set(vec![])
            } else {
                Value::List(vec![])
            };
            m.insert(name.to_owned(), empty);
        }
        m.insert(block.to_owned(), value);
        Value::Object(m)
    }

    fn values(v: &[&str]) -> Value {
        Value::List(vec![Value::object([(
            "values",
            Value::set(v.iter().map(|s| Value::from(*s)).collect()),
        )])])
    }

    #[test]
    fn conditions_expand_and_flatten_back_to_their_blocks() {
        let cond = Value::set(vec![
            condition("path_pattern", values(&["/api/*"])),
            condition("host_header", values(&["example.com"])),
            condition("http_request_method", values(&["GET", "HEAD"])),
            condition("source_ip", values(&["10.0.0.0/8"])),
            condition(
                "http_header",
                Value::List(vec![Value::object([
                    ("http_header_name", Value::from("X-Canary")),
                    ("values", Value::set(vec![Value::from("yes")])),
                ])]),
            ),
            condition(
                "query_string",
                Value::set(vec![
                    Value::object([("key", Value::from("version")), ("value", Value::from("2"))]),
                    Value::object([
                        ("key", Value::Null(Type::String)),
                        ("value", Value::from("beta")),
                    ]),
                ]),
            ),
        ]);
        let c = Value::object([("condition", cond.clone())]);
        let expanded = expand_conditions(&c).unwrap();
        assert_eq!(expanded.len(), 6);
        let fields: Vec<&str> = expanded.iter().filter_map(|c| c.field()).collect();
        assert!(fields.contains(&"http-header") && fields.contains(&"query-string"));
        assert_eq!(flatten_conditions(&expanded), cond);
    }

    #[test]
    fn old_style_condition_values_flatten_too() {
        let c = RuleCondition::builder()
            .field("path-pattern")
            .values("/legacy/*")
            .build();
        assert_eq!(
            flatten_conditions(&[c]),
            Value::set(vec![condition("path_pattern", values(&["/legacy/*"]))])
        );
    }

    #[test]
    fn a_condition_with_no_block_or_two_points_at_itself() {
        let c = Value::object([(
            "condition",
            Value::set(vec![condition("path_pattern", Value::List(vec![]))]),
        )]);
        let e = expand_conditions(&c).unwrap_err();
        assert_eq!(e.attribute.unwrap().to_string(), "condition[0]");
        let mut two = condition("path_pattern", values(&["/a"]));
        if let Value::Object(m) = &mut two {
            m.insert("host_header".into(), values(&["b.example"]));
        }
        let c = Value::object([("condition", Value::set(vec![two]))]);
        let e = expand_conditions(&c).unwrap_err();
        assert!(e.detail.contains("path_pattern and host_header"), "{e:?}");
    }
}
