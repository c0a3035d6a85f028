//! `aws_vpc_security_group_ingress_rule` and `aws_vpc_security_group_egress_rule`: one rule
//! of a security group each, with a source of exactly one kind (IPv4 or IPv6 range, prefix
//! list, or security group), as in Terraform's AWS provider. The group and the kind of
//! source force replacement; everything else is changed in place with
//! ModifySecurityGroupRules. Refresh reads up to 200 rules per DescribeSecurityGroupRules
//! call.

use crate::common::{Ec2, arn, filter, id_of, string};
use crate::common::{priors_by_id, read_in_chunks};
use crate::sg_rules::protocol_for_value;
use async_trait::async_trait;
use aws_sdk_ec2::types::{
    IpPermission, IpRange, Ipv6Range, PrefixListId, ResourceType, SecurityGroupRule,
    SecurityGroupRuleRequest, SecurityGroupRuleUpdate, UserIdGroupPair,
};
use std::collections::BTreeMap;
use std::sync::Arc;
use terrane_aws_core::{AwsErrorExt, sdk_error, tags};
use terrane_sdk::read::{self, conform, int_value, is_set};
use terrane_sdk::{
    ApplyCtx, Attribute, Block, PlannedChange, ProviderError, Resource, Schema, plan_default,
    proposed_new_state,
};
use terrane_types::{AttrPath, Type, Value};

/// The attributes naming the rule's source: exactly one is set.
const SOURCES: [&str; 4] = [
    "cidr_ipv4",
    "cidr_ipv6",
    "prefix_list_id",
    "referenced_security_group_id",
];

/// The attributes ModifySecurityGroupRules changes.
const RULE_ATTRIBUTES: [&str; 8] = [
    "cidr_ipv4",
    "cidr_ipv6",
    "description",
    "from_port",
    "ip_protocol",
    "prefix_list_id",
    "referenced_security_group_id",
    "to_port",
];

/// Which of the two resource types.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Direction {
    Ingress,
    Egress,
}

impl Direction {
    fn noun(self) -> &'static str {
        match self {
            Direction::Ingress => "Ingress",
            Direction::Egress => "Egress",
        }
    }
}

pub(crate) fn schema(direction: Direction) -> Schema {
    let to_from = match direction {
        Direction::Ingress => "from",
        Direction::Egress => "to",
    };
    Schema::new(
        Block::new()
            .describe(&format!(
                "One {} rule of a VPC security group.",
                direction.noun().to_lowercase()
            ))
            .attr("arn", Attribute::computed(Type::String))
            .attr(
                "cidr_ipv4",
                Attribute::optional(Type::String)
                    .describe(&format!("The IPv4 range traffic comes {to_from}.")),
            )
            .attr("cidr_ipv6", Attribute::optional(Type::String))
            .attr("description", Attribute::optional(Type::String))
            .attr(
                "from_port",
                Attribute::optional(Type::Number)
                    .describe("Start of the port range (ICMP type for icmp)."),
            )
            .attr("id", Attribute::computed(Type::String))
            .attr(
                "ip_protocol",
                Attribute::required(Type::String)
                    .describe("tcp, udp, icmp, icmpv6, a protocol number, or -1 for all."),
            )
            .attr("prefix_list_id", Attribute::optional(Type::String))
            .attr(
                "referenced_security_group_id",
                Attribute::optional(Type::String)
                    .describe("A security group id (ACCOUNT/sg-... for another account's)."),
            )
            .attr(
                "security_group_id",
                Attribute::required(Type::String).force_new(),
            )
            .attr("security_group_rule_id", Attribute::computed(Type::String))
            .attr("tags", Attribute::optional(Type::map(Type::String)))
            .attr("tags_all", Attribute::computed(Type::map(Type::String)))
            .attr(
                "to_port",
                Attribute::optional(Type::Number)
                    .describe("End of the port range (ICMP code for icmp)."),
            ),
    )
}

/// Which source attribute is set ("" for none).
fn source_name(v: &Value) -> &'static str {
    SOURCES.iter().find(|s| is_set(v, s)).copied().unwrap_or("")
}

/// The plan, but for `tags_all`.
fn plan(
    schema: &Schema,
    prior: Option<&Value>,
    config: &Value,
) -> Result<PlannedChange, ProviderError> {
    let set: Vec<&str> = SOURCES
        .iter()
        .copied()
        .filter(|s| is_set(config, s))
        .collect();
    if set.len() != 1 {
        return Err(ProviderError::new("Invalid Attribute Combination")
            .with_detail(format!(
                "Exactly one of these attributes must be configured: [{}]",
                SOURCES.join(",")
            ))
            .with_attribute(AttrPath::attr(set.get(1).copied().unwrap_or(SOURCES[0]))));
    }
    let mut change = plan_default(schema, prior, config);
    let Some(prior) = prior else {
        return Ok(change);
    };
    // A rule cannot change the kind of its source: that is a new rule.
    let (old, new) = (source_name(prior), source_name(config));
    if old != new {
        for name in [old, new] {
            if !name.is_empty() {
                change.requires_replace.push(AttrPath::attr(name));
            }
        }
        change.planned = proposed_new_state(&schema.block, None, config);
        return Ok(change);
    }
    if !change.requires_replace.is_empty() {
        return Ok(change);
    }
    // "6" and "tcp" are the same protocol: keep what the state says.
    if let (Some(old), Some(new)) = (
        read::string(prior, "ip_protocol"),
        read::string(config, "ip_protocol"),
    ) && old != new
        && protocol_for_value(old) == protocol_for_value(new)
        && let Value::Object(m) = &mut change.planned
    {
        m.insert("ip_protocol".into(), Value::string(old));
    }
    Ok(change)
}

fn port(v: &Value, name: &str) -> Result<Option<i32>, ProviderError> {
    match read::integer(v, name)? {
        None => Ok(None),
        Some(n) => i32::try_from(n).map(Some).map_err(|_| {
            read::arg_error(
                name,
                format!("{name} must be between -1 and 65535, not {n}"),
            )
        }),
    }
}

fn opt(v: &Value, name: &str) -> Option<String> {
    read::string(v, name).map(str::to_owned)
}

/// `ACCOUNT/sg-...` or `sg-...`: (account, group id).
fn split_group(g: &str) -> (Option<String>, String) {
    match g.split_once('/') {
        Some((user, id)) => (Some(user.to_owned()), id.to_owned()),
        None => (None, g.to_owned()),
    }
}

/// The rule as a permission for AuthorizeSecurityGroupIngress/Egress.
fn to_permission(v: &Value) -> Result<IpPermission, ProviderError> {
    let description = opt(v, "description");
    let mut p = IpPermission::builder()
        .set_ip_protocol(opt(v, "ip_protocol"))
        .set_from_port(port(v, "from_port")?)
        .set_to_port(port(v, "to_port")?);
    if let Some(c) = opt(v, "cidr_ipv4") {
        p = p.ip_ranges(
            IpRange::builder()
                .cidr_ip(c)
                .set_description(description.clone())
                .build(),
        );
    }
    if let Some(c) = opt(v, "cidr_ipv6") {
        p = p.ipv6_ranges(
            Ipv6Range::builder()
                .cidr_ipv6(c)
                .set_description(description.clone())
                .build(),
        );
    }
    if let Some(id) = opt(v, "prefix_list_id") {
        p = p.prefix_list_ids(
            PrefixListId::builder()
                .prefix_list_id(id)
                .set_description(description.clone())
                .build(),
        );
    }
    if let Some(g) = opt(v, "referenced_security_group_id") {
        let (user, id) = split_group(&g);
        p = p.user_id_group_pairs(
            UserIdGroupPair::builder()
                .group_id(id)
                .set_user_id(user)
                .set_description(description)
                .build(),
        );
    }
    Ok(p.build())
}

/// The rule as ModifySecurityGroupRules wants it.
fn to_request(v: &Value) -> Result<SecurityGroupRuleRequest, ProviderError> {
    Ok(SecurityGroupRuleRequest::builder()
        .set_ip_protocol(opt(v, "ip_protocol"))
        .set_from_port(port(v, "from_port")?)
        .set_to_port(port(v, "to_port")?)
        .set_cidr_ipv4(opt(v, "cidr_ipv4"))
        .set_cidr_ipv6(opt(v, "cidr_ipv6"))
        .set_prefix_list_id(opt(v, "prefix_list_id"))
        .set_referenced_group_id(opt(v, "referenced_security_group_id"))
        .set_description(opt(v, "description"))
        .build())
}

fn with(v: &Value, updates: Vec<(&str, Value)>) -> Value {
    read::with_attrs(v, updates)
}

pub(crate) struct SecurityGroupRuleResource {
    ec2: Arc<Ec2>,
    direction: Direction,
    schema: Schema,
}

impl SecurityGroupRuleResource {
    pub(crate) fn new(ec2: Arc<Ec2>, direction: Direction) -> SecurityGroupRuleResource {
        SecurityGroupRuleResource {
            ec2,
            direction,
            schema: schema(direction),
        }
    }

    fn what(&self) -> String {
        format!("VPC Security Group {} Rule", self.direction.noun())
    }

    /// A rule as the state records it; `prior` keeps what AWS reports differently but means
    /// the same (the protocol's spelling, unset ports of protocol -1).
    /// `account` stands in for the group's owner when AWS does not say.
    fn to_state(
        &self,
        r: &SecurityGroupRule,
        prior: Option<&Value>,
        account: &str,
    ) -> Option<Value> {
        let id = r.security_group_rule_id()?;
        let wanted = self.direction == Direction::Egress;
        if r.is_egress().unwrap_or(false) != wanted {
            return None;
        }
        let owner = r
            .group_owner_id()
            .filter(|o| !o.is_empty())
            .unwrap_or(account);
        let protocol = r.ip_protocol().unwrap_or_default();
        let protocol = match prior.and_then(|p| read::string(p, "ip_protocol")) {
            Some(old) if protocol_for_value(old) == protocol_for_value(protocol) => old,
            _ => protocol,
        };
        let port = |n: Option<i32>, name: &str| match n {
            Some(-1) if prior.is_some_and(|p| !is_set(p, name)) => Value::Null(Type::Number),
            Some(n) => int_value(i64::from(n)),
            None => Value::Null(Type::Number),
        };
        let referenced = r.referenced_group_info().and_then(|g| {
            let id = g.group_id()?;
            Some(match g.user_id().filter(|u| !u.is_empty() && *u != owner) {
                Some(user) => format!("{user}/{id}"),
                None => id.to_owned(),
            })
        });
        let (tags_value, tags_all) = self.ec2.tag_values(r.tags(), prior);
        let attrs = BTreeMap::from([
            ("id".to_owned(), Value::string(id)),
            ("security_group_rule_id".into(), Value::string(id)),
            (
                "arn".into(),
                Value::string(arn(&self.ec2.aws, owner, "security-group-rule", id)),
            ),
            ("cidr_ipv4".into(), string(r.cidr_ipv4())),
            ("cidr_ipv6".into(), string(r.cidr_ipv6())),
            ("description".into(), string(r.description())),
            ("from_port".into(), port(r.from_port(), "from_port")),
            ("to_port".into(), port(r.to_port(), "to_port")),
            ("ip_protocol".into(), Value::string(protocol)),
            ("prefix_list_id".into(), string(r.prefix_list_id())),
            (
                "referenced_security_group_id".into(),
                string(referenced.as_deref()),
            ),
            ("security_group_id".into(), string(r.group_id())),
            ("tags".into(), tags_value),
            ("tags_all".into(), tags_all),
        ]);
        Some(conform(&self.schema.block, Value::Object(attrs)))
    }

    async fn describe(
        &self,
        ids: Vec<String>,
        priors: &BTreeMap<String, &Value>,
    ) -> Result<BTreeMap<String, Value>, ProviderError> {
        let mut found = BTreeMap::new();
        let account = self.ec2.aws.identity().await?.account_id;
        let mut pages = self
            .ec2
            .client
            .describe_security_group_rules()
            .filters(filter("security-group-rule-id", ids))
            .into_paginator()
            .send();
        while let Some(page) = pages.next().await {
            let page = page.map_err(|e| sdk_error(&format!("reading {}s", self.what()), e))?;
            for r in page.security_group_rules() {
                let Some(id) = r.security_group_rule_id() else {
                    continue;
                };
                if let Some(v) = self.to_state(r, priors.get(id).copied(), &account) {
                    found.insert(id.to_owned(), v);
                }
            }
        }
        Ok(found)
    }
}

#[async_trait]
impl Resource for SecurityGroupRuleResource {
    fn schema(&self) -> &Schema {
        &self.schema
    }

    async fn plan(
        &self,
        prior: Option<&Value>,
        config: &Value,
    ) -> Result<PlannedChange, ProviderError> {
        let mut change = plan(&self.schema, prior, config)?;
        if let Value::Object(m) = &mut change.planned {
            m.insert(
                "tags_all".into(),
                tags::plan_tags_all(&self.ec2.aws, config),
            );
        }
        Ok(change)
    }

    async fn create(&self, planned: &Value, _: &ApplyCtx) -> Result<Value, ProviderError> {
        let c = &self.ec2.client;
        let action = format!("creating {}", self.what());
        let group = opt(planned, "security_group_id").ok_or_else(|| {
            read::arg_error(
                "security_group_id",
                format!("{action}: security_group_id must be set"),
            )
        })?;
        let perm = to_permission(planned)?;
        let tag_spec = self
            .ec2
            .tag_spec(ResourceType::SecurityGroupRule, planned)
            .map(|t| vec![t]);
        let rules = match self.direction {
            Direction::Ingress => c
                .authorize_security_group_ingress()
                .group_id(&group)
                .ip_permissions(perm)
                .set_tag_specifications(tag_spec)
                .send()
                .await
                .map(|o| o.security_group_rules().to_vec())
                .map_err(|e| sdk_error(&action, e))?,
            Direction::Egress => c
                .authorize_security_group_egress()
                .group_id(&group)
                .ip_permissions(perm)
                .set_tag_specifications(tag_spec)
                .send()
                .await
                .map(|o| o.security_group_rules().to_vec())
                .map_err(|e| sdk_error(&action, e))?,
        };
        let rule = rules.first().ok_or_else(|| {
            ProviderError::new(action.clone()).with_detail("AWS returned no security group rule.")
        })?;
        let id = rule
            .security_group_rule_id()
            .ok_or_else(|| {
                ProviderError::new(action.clone()).with_detail("AWS returned no rule id.")
            })?
            .to_owned();
        let owner = match rule.group_owner_id().filter(|o| !o.is_empty()) {
            Some(o) => o.to_owned(),
            None => self.ec2.aws.identity().await?.account_id,
        };
        let tags_all = match planned.get_attr("tags_all") {
            Some(t) if t.is_wholly_known() => t.clone(),
            _ => tags::tags_value(&tags::tags_all(
                &self.ec2.aws,
                &tags::tags_of(planned, "tags"),
            )),
        };
        Ok(with(
            planned,
            vec![
                ("id", Value::string(id.clone())),
                ("security_group_rule_id", Value::string(id.clone())),
                (
                    "arn",
                    Value::string(arn(&self.ec2.aws, &owner, "security-group-rule", &id)),
                ),
                ("tags_all", tags_all),
            ],
        ))
    }

    async fn update(
        &self,
        prior: &Value,
        planned: &Value,
        _: &ApplyCtx,
    ) -> Result<Value, ProviderError> {
        let id = id_of(prior).ok_or_else(|| {
            ProviderError::new(format!("updating {}", self.what()))
                .with_detail("The state has no id.")
        })?;
        let changed = RULE_ATTRIBUTES
            .iter()
            .any(|a| prior.get_attr(a) != planned.get_attr(a));
        if changed {
            let group = opt(planned, "security_group_id");
            self.ec2
                .client
                .modify_security_group_rules()
                .set_group_id(group)
                .security_group_rules(
                    SecurityGroupRuleUpdate::builder()
                        .security_group_rule_id(id)
                        .security_group_rule(to_request(planned)?)
                        .build(),
                )
                .send()
                .await
                .map_err(|e| sdk_error(&format!("updating {} ({id})", self.what()), e))?;
        }
        self.ec2.update_tags(id, prior, planned).await?;
        let keep = |name: &str| {
            prior
                .get_attr(name)
                .cloned()
                .unwrap_or(Value::Null(Type::String))
        };
        Ok(with(
            planned,
            vec![
                ("id", keep("id")),
                ("security_group_rule_id", keep("security_group_rule_id")),
                ("arn", keep("arn")),
            ],
        ))
    }

    async fn delete(&self, prior: &Value, _: &ApplyCtx) -> Result<(), ProviderError> {
        let Some(id) = id_of(prior) else {
            return Ok(());
        };
        let group = opt(prior, "security_group_id");
        let c = &self.ec2.client;
        let action = format!("deleting {} ({id})", self.what());
        let result = match self.direction {
            Direction::Ingress => c
                .revoke_security_group_ingress()
                .set_group_id(group)
                .security_group_rule_ids(id)
                .send()
                .await
                .map(|_| ())
                .map_err(|e| (e.is_not_found(), sdk_error(&action, e))),
            Direction::Egress => c
                .revoke_security_group_egress()
                .set_group_id(group)
                .security_group_rule_ids(id)
                .send()
                .await
                .map(|_| ())
                .map_err(|e| (e.is_not_found(), sdk_error(&action, e))),
        };
        match result {
            // The rule, or its whole group, is gone already.
            Ok(()) | Err((true, _)) => Ok(()),
            Err((false, e)) => Err(e),
        }
    }

    async fn read_many(&self, priors: &[Value]) -> Result<Vec<Option<Value>>, ProviderError> {
        let by_id = priors_by_id(priors);
        read_in_chunks(priors, |ids| self.describe(ids, &by_id)).await
    }

    async fn import(&self, id: &str) -> Result<Value, ProviderError> {
        self.describe(vec![id.to_owned()], &BTreeMap::new())
            .await?
            .remove(id)
            .ok_or_else(|| {
                ProviderError::new(format!("importing {} ({id})", self.what())).with_detail(
                    format!("Cannot import non-existent remote object: no such rule {id}."),
                )
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(source: &str, value: &str, protocol: &str, port: i64) -> Value {
        let block = schema(Direction::Ingress).block;
        let mut m: BTreeMap<String, Value> = block
            .attributes
            .iter()
            .map(|(k, a)| (k.clone(), Value::Null(a.ty.clone())))
            .collect();
        m.insert("security_group_id".into(), Value::from("sg-1"));
        m.insert(source.into(), Value::from(value));
        m.insert("ip_protocol".into(), Value::from(protocol));
        m.insert("from_port".into(), Value::from(port));
        m.insert("to_port".into(), Value::from(port));
        Value::Object(m)
    }

    fn applied(config: &Value) -> Value {
        with(
            &plan(&schema(Direction::Ingress), None, config)
                .unwrap()
                .planned,
            vec![
                ("id", Value::from("sgr-1")),
                ("security_group_rule_id", Value::from("sgr-1")),
                (
                    "arn",
                    Value::from("arn:aws:ec2:us-east-1:123:security-group-rule/sgr-1"),
                ),
                ("tags_all", Value::Map(BTreeMap::new())),
            ],
        )
    }

    #[test]
    fn exactly_one_source_is_required() {
        let s = schema(Direction::Ingress);
        let mut two = config("cidr_ipv4", "10.0.0.0/8", "tcp", 22)
            .as_entries()
            .unwrap()
            .clone();
        two.insert("cidr_ipv6".into(), Value::from("::/0"));
        assert!(plan(&s, None, &Value::Object(two)).is_err());
        let mut none = config("cidr_ipv4", "x", "tcp", 22)
            .as_entries()
            .unwrap()
            .clone();
        none.insert("cidr_ipv4".into(), Value::Null(Type::String));
        assert!(plan(&s, None, &Value::Object(none)).is_err());
    }

    #[test]
    fn a_port_change_updates_in_place_and_the_same_protocol_spelled_otherwise_is_no_change() {
        let s = schema(Direction::Ingress);
        let prior = applied(&config("cidr_ipv4", "10.0.0.0/8", "tcp", 22));
        let same = plan(
            &s,
            Some(&prior),
            &config("cidr_ipv4", "10.0.0.0/8", "6", 22),
        )
        .unwrap();
        assert!(same.requires_replace.is_empty());
        assert_eq!(same.planned, prior);
        let moved = plan(
            &s,
            Some(&prior),
            &config("cidr_ipv4", "10.0.0.0/8", "tcp", 2222),
        )
        .unwrap();
        assert!(moved.requires_replace.is_empty());
        assert_eq!(moved.planned.get_attr("id"), Some(&Value::from("sgr-1")));
    }

    #[test]
    fn another_kind_of_source_replaces_the_rule() {
        let s = schema(Direction::Ingress);
        let prior = applied(&config("cidr_ipv4", "10.0.0.0/8", "tcp", 22));
        let p = plan(
            &s,
            Some(&prior),
            &config("prefix_list_id", "pl-1", "tcp", 22),
        )
        .unwrap();
        assert_eq!(
            p.requires_replace,
            vec![
                AttrPath::attr("cidr_ipv4"),
                AttrPath::attr("prefix_list_id")
            ]
        );
        assert!(!p.planned.get_attr("id").unwrap().is_known());
    }

    #[test]
    fn permissions_carry_the_one_source_and_the_description() {
        let mut c = config("referenced_security_group_id", "999/sg-2", "tcp", 443)
            .as_entries()
            .unwrap()
            .clone();
        c.insert("description".into(), Value::from("from the lb"));
        let p = to_permission(&Value::Object(c)).unwrap();
        let pair = &p.user_id_group_pairs()[0];
        assert_eq!(pair.group_id(), Some("sg-2"));
        assert_eq!(pair.user_id(), Some("999"));
        assert_eq!(pair.description(), Some("from the lb"));
        assert!(p.ip_ranges().is_empty());
    }
}
