//! `aws_security_group`: a VPC security group with inline `ingress` / `egress` rules, as in
//! Terraform's AWS provider. The name, description and VPC force replacement; rules and tags
//! update in place (Authorize / Revoke of what changed). As in Terraform, the allow-all
//! egress rule AWS adds to every new group is revoked on create, so egress is exactly what
//! the configuration says; rule blocks left out of the configuration entirely are not
//! managed (kept as read). Refresh reads up to 200 groups per DescribeSecurityGroups call.

use crate::common::delete_when_unused;
use crate::common::{Ec2, arn, filter, id_of, keep, string};
use crate::common::{priors_by_id, read_in_chunks};
use crate::sg_rules::{self, Atom};
use async_trait::async_trait;
use aws_sdk_ec2::types::{IpPermission, IpRange, Ipv6Range, ResourceType};
use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;
use terrane_aws_core::naming;
use terrane_aws_core::wait::{self, Poll};
use terrane_aws_core::{AwsErrorExt, sdk_error, tags};
use terrane_sdk::read::{conform, with_defaults};
use terrane_sdk::{
    ApplyCtx, Attribute, Block, NestedBlock, Nesting, PlannedChange, ProviderError, Resource,
    Schema, plan_default,
};
use terrane_types::{Type, Value};

const CREATE_TIMEOUT: Duration = Duration::from_secs(10 * 60);
const DELETE_TIMEOUT: Duration = Duration::from_secs(15 * 60);
const RULE_KINDS: [&str; 2] = ["ingress", "egress"];

fn rule_block() -> Block {
    Block::new()
        .attr(
            "cidr_blocks",
            Attribute::optional(Type::list(Type::String)).describe("IPv4 ranges."),
        )
        .attr("description", Attribute::optional(Type::String))
        .attr(
            "from_port",
            Attribute::required(Type::Number)
                .describe("Start of the port range (ICMP type for icmp)."),
        )
        .attr(
            "ipv6_cidr_blocks",
            Attribute::optional(Type::list(Type::String)).describe("IPv6 ranges."),
        )
        .attr(
            "prefix_list_ids",
            Attribute::optional(Type::list(Type::String)),
        )
        .attr(
            "protocol",
            Attribute::required(Type::String)
                .describe("tcp, udp, icmp, icmpv6, a protocol number, or -1 / all."),
        )
        .attr(
            "security_groups",
            Attribute::optional(Type::set(Type::String))
                .describe("Security group ids (ACCOUNT/sg-... for another account's)."),
        )
        .attr(
            "self",
            Attribute::optional(Type::Bool).describe("The group itself is a source."),
        )
        .attr(
            "to_port",
            Attribute::required(Type::Number)
                .describe("End of the port range (ICMP code for icmp)."),
        )
}

pub(crate) fn schema() -> Schema {
    Schema::new(
        Block::new()
            .describe("A VPC security group with inline rules.")
            .attr("arn", Attribute::computed(Type::String))
            .attr(
                "description",
                Attribute::optional_computed(Type::String)
                    .force_new()
                    .describe("Defaults to \"Managed by Terraform\"."),
            )
            .attr(
                "name",
                Attribute::optional_computed(Type::String)
                    .force_new()
                    .describe(
                        "Generated (terraform-...) when neither name nor name_prefix is set.",
                    ),
            )
            .attr(
                "name_prefix",
                Attribute::optional_computed(Type::String).force_new(),
            )
            .attr("owner_id", Attribute::computed(Type::String))
            .attr(
                "revoke_rules_on_delete",
                Attribute::optional_computed(Type::Bool).describe(
                    "Revoke all rules (and rules of other groups naming this one) before deleting.",
                ),
            )
            .attr("tags", Attribute::optional(Type::map(Type::String)))
            .attr(
                "tags_all",
                Attribute::optional_computed(Type::map(Type::String)),
            )
            .attr(
                "vpc_id",
                Attribute::optional_computed(Type::String)
                    .force_new()
                    .describe("Defaults to the region's default VPC."),
            )
            .attr("id", Attribute::computed(Type::String))
            .block("ingress", NestedBlock::new(Nesting::Set, rule_block()))
            .block("egress", NestedBlock::new(Nesting::Set, rule_block())),
    )
    .with_version(1)
}

/// The plan, but for `tags_all`: defaults, rules normalised as the state records them, and
/// rule blocks left out of the configuration kept from the prior state.
fn plan(
    schema: &Schema,
    prior: Option<&Value>,
    config: &Value,
) -> Result<PlannedChange, ProviderError> {
    naming::check_name_conflict(config)?;
    let mut config = with_defaults(
        config,
        &[
            ("description", Value::string("Managed by Terraform")),
            ("revoke_rules_on_delete", Value::Bool(false)),
        ],
    );
    if let Value::Object(m) = &mut config {
        for kind in RULE_KINDS {
            if let Some(Value::Set(items)) = m.get(kind) {
                for item in items {
                    sg_rules::validate(kind, item)?;
                }
                let normalized = sg_rules::keep_recorded_order(
                    items.iter().map(sg_rules::normalize).collect(),
                    prior.and_then(|p| p.get_attr(kind)),
                );
                m.insert(kind.to_owned(), Value::set(normalized));
            }
        }
    }
    let mut change = plan_default(schema, prior, &config);
    let kept_prior = prior.filter(|_| change.requires_replace.is_empty());
    if let Value::Object(m) = &mut change.planned {
        // Rule blocks left out entirely are computed (Terraform's Optional+Computed
        // ingress/egress): what exists stays as it is.
        for kind in RULE_KINDS {
            let unconfigured = config
                .get_attr(kind)
                .is_none_or(|v| v.is_null() || v.as_seq().is_some_and(<[Value]>::is_empty));
            if unconfigured {
                let kept = match kept_prior.and_then(|p| p.get_attr(kind)) {
                    Some(v) => v.clone(),
                    None => Value::Unknown(sg_rules::set_type(&schema.block, kind)),
                };
                m.insert(kind.to_owned(), kept);
            }
        }
    }
    Ok(change)
}

/// Whether DeleteSecurityGroup failed only because something still uses the group
/// (instances, network interfaces, rules of other groups): worth waiting for.
fn still_in_use(code: Option<&str>) -> bool {
    matches!(code, Some("DependencyViolation" | "InvalidGroup.InUse"))
}

pub(crate) struct SecurityGroup {
    ec2: Arc<Ec2>,
    schema: Schema,
}

impl SecurityGroup {
    pub(crate) fn new(ec2: Arc<Ec2>) -> SecurityGroup {
        SecurityGroup {
            ec2,
            schema: schema(),
        }
    }

    /// Reads groups by id: rules regrouped as the prior states record them.
    async fn describe(
        &self,
        ids: Vec<String>,
        priors: &BTreeMap<String, &Value>,
    ) -> Result<BTreeMap<String, Value>, ProviderError> {
        let mut found = BTreeMap::new();
        let mut pages = self
            .ec2
            .client
            .describe_security_groups()
            .filters(filter("group-id", ids))
            .into_paginator()
            .send();
        while let Some(page) = pages.next().await {
            let page = page.map_err(|e| sdk_error("reading Security Groups", e))?;
            for g in page.security_groups() {
                let Some(id) = g.group_id() else { continue };
                let prior = priors.get(id).copied();
                let owner = g.owner_id().unwrap_or_default();
                let name = g.group_name().unwrap_or_default();
                let (tags_value, tags_all) = self.ec2.tag_values(g.tags(), prior);
                let ingress = sg_rules::reconcile(
                    prior.and_then(|p| p.get_attr("ingress")),
                    sg_rules::gather(g.ip_permissions(), id, owner),
                );
                let egress = sg_rules::reconcile(
                    prior.and_then(|p| p.get_attr("egress")),
                    sg_rules::gather(g.ip_permissions_egress(), id, owner),
                );
                let attrs = BTreeMap::from([
                    ("id".to_owned(), Value::string(id)),
                    (
                        "arn".into(),
                        Value::string(arn(&self.ec2.aws, owner, "security-group", id)),
                    ),
                    ("description".into(), string(g.description())),
                    ("name".into(), Value::string(name)),
                    ("name_prefix".into(), Value::string(naming::prefix_of(name))),
                    ("owner_id".into(), Value::string(owner)),
                    ("vpc_id".into(), string(g.vpc_id())),
                    ("ingress".into(), ingress),
                    ("egress".into(), egress),
                    (
                        "revoke_rules_on_delete".into(),
                        keep(prior, "revoke_rules_on_delete")
                            .filter(|v| !v.is_null())
                            .unwrap_or(Value::Bool(false)),
                    ),
                    ("tags".into(), tags_value),
                    ("tags_all".into(), tags_all),
                ]);
                found.insert(
                    id.to_owned(),
                    conform(&self.schema.block, Value::Object(attrs)),
                );
            }
        }
        Ok(found)
    }

    async fn read_one(
        &self,
        id: &str,
        prior: Option<&Value>,
    ) -> Result<Option<Value>, ProviderError> {
        let priors: BTreeMap<String, &Value> =
            prior.map(|p| (id.to_owned(), p)).into_iter().collect();
        Ok(self
            .describe(vec![id.to_owned()], &priors)
            .await?
            .remove(id))
    }

    async fn must_read(&self, id: &str, planned: &Value) -> Result<Value, ProviderError> {
        self.read_one(id, Some(planned)).await?.ok_or_else(|| {
            ProviderError::new(format!("reading Security Group ({id})"))
                .with_detail("The security group disappeared right after it was changed.")
        })
    }

    /// Revokes and authorizes what turns the `old` rules of one kind into the `new` ones
    /// (revoking first, as Terraform does).
    async fn apply_rules(
        &self,
        id: &str,
        kind: &str,
        old: Option<&Value>,
        new: Option<&Value>,
    ) -> Result<(), ProviderError> {
        let (revoke, authorize) =
            sg_rules::diff(&sg_rules::rules_of(old)?, &sg_rules::rules_of(new)?);
        let attr = || terrane_types::AttrPath::attr(kind);
        if !revoke.is_empty() {
            self.change_rules(id, kind, false, &revoke)
                .await
                .map_err(|e| e.with_attribute(attr()))?;
        }
        if !authorize.is_empty() {
            self.change_rules(id, kind, true, &authorize)
                .await
                .map_err(|e| e.with_attribute(attr()))?;
        }
        Ok(())
    }

    async fn change_rules(
        &self,
        id: &str,
        kind: &str,
        authorize: bool,
        atoms: &[Atom],
    ) -> Result<(), ProviderError> {
        let perms = Some(sg_rules::to_permissions(atoms, id));
        let c = &self.ec2.client;
        let what = if authorize { "authorizing" } else { "revoking" };
        let action = format!("updating Security Group ({id}) {kind} rules: {what}");
        match (kind, authorize) {
            ("egress", true) => c
                .authorize_security_group_egress()
                .group_id(id)
                .set_ip_permissions(perms)
                .send()
                .await
                .map(|_| ())
                .map_err(|e| sdk_error(&action, e)),
            ("egress", false) => c
                .revoke_security_group_egress()
                .group_id(id)
                .set_ip_permissions(perms)
                .send()
                .await
                .map(|_| ())
                .map_err(|e| sdk_error(&action, e)),
            (_, true) => c
                .authorize_security_group_ingress()
                .group_id(id)
                .set_ip_permissions(perms)
                .send()
                .await
                .map(|_| ())
                .map_err(|e| sdk_error(&action, e)),
            (_, false) => c
                .revoke_security_group_ingress()
                .group_id(id)
                .set_ip_permissions(perms)
                .send()
                .await
                .map(|_| ())
                .map_err(|e| sdk_error(&action, e)),
        }
    }

    /// AWS gives every new group an allow-all egress rule (IPv4, and IPv6 in IPv6 VPCs):
    /// revoked so that egress is only what the configuration says.
    async fn revoke_default_egress(&self, id: &str) -> Result<(), ProviderError> {
        let c = &self.ec2.client;
        let all = |p: aws_sdk_ec2::types::builders::IpPermissionBuilder| {
            p.ip_protocol("-1").from_port(0).to_port(0).build()
        };
        c.revoke_security_group_egress()
            .group_id(id)
            .ip_permissions(all(
                IpPermission::builder().ip_ranges(IpRange::builder().cidr_ip("0.0.0.0/0").build())
            ))
            .send()
            .await
            .map_err(|e| {
                sdk_error(
                    &format!("revoking default IPv4 egress rule for Security Group ({id})"),
                    e,
                )
            })?;
        let v6 =
            c.revoke_security_group_egress()
                .group_id(id)
                .ip_permissions(all(IpPermission::builder()
                    .ipv6_ranges(Ipv6Range::builder().cidr_ipv6("::/0").build())))
                .send()
                .await;
        match v6 {
            Ok(_) => Ok(()),
            Err(e) => {
                let code = e.aws_code().map(str::to_owned);
                let err = sdk_error(
                    &format!("revoking default IPv6 egress rule for Security Group ({id})"),
                    e,
                );
                // Groups of VPCs without IPv6 have no such rule.
                let absent = code.as_deref() == Some("InvalidPermission.NotFound")
                    || (code.as_deref() == Some("InvalidParameterValue")
                        && err.detail.contains("remote-ipv6-range"));
                if absent { Ok(()) } else { Err(err) }
            }
        }
    }

    /// Everything after CreateSecurityGroup: the default egress rule, the configured rules.
    async fn finish_create(&self, id: &str, planned: &Value) -> Result<(), ProviderError> {
        self.revoke_default_egress(id).await?;
        for kind in RULE_KINDS {
            let rules = planned.get_attr(kind).filter(|v| v.is_known());
            self.apply_rules(id, kind, None, rules).await?;
        }
        Ok(())
    }

    /// Terraform's `forceRevokeSecurityGroupRules`: the group's own rules, and the rules of
    /// groups it refers to that refer back to it.
    async fn revoke_all_rules(&self, id: &str) -> Result<(), ProviderError> {
        let c = &self.ec2.client;
        let groups = c
            .describe_security_groups()
            .filters(filter("group-id", [id]))
            .send()
            .await
            .map_err(|e| sdk_error(&format!("reading Security Group ({id})"), e))?;
        let Some(group) = groups.security_groups().first() else {
            return Ok(());
        };
        let mut related = vec![id.to_owned()];
        for perm in group
            .ip_permissions()
            .iter()
            .chain(group.ip_permissions_egress())
        {
            for pair in perm.user_id_group_pairs() {
                if let Some(g) = pair.group_id()
                    && g != id
                    && !related.iter().any(|r| r == g)
                {
                    related.push(g.to_owned());
                }
            }
        }
        let mut rules = Vec::new();
        for chunk in related.chunks(crate::common::IDS_PER_CALL) {
            let mut pages = c
                .describe_security_group_rules()
                .filters(filter("group-id", chunk.to_vec()))
                .into_paginator()
                .send();
            while let Some(page) = pages.next().await {
                let page = page.map_err(|e| {
                    sdk_error(&format!("reading rules of Security Group ({id})"), e)
                })?;
                rules.extend(page.security_group_rules().iter().cloned());
            }
        }
        for rule in rules {
            let (Some(rule_id), Some(owner_group)) =
                (rule.security_group_rule_id(), rule.group_id())
            else {
                continue;
            };
            let refers_here = rule
                .referenced_group_info()
                .and_then(|r| r.group_id())
                .is_some_and(|g| g == id);
            if owner_group != id && !refers_here {
                continue;
            }
            let result = if rule.is_egress() == Some(true) {
                c.revoke_security_group_egress()
                    .group_id(owner_group)
                    .security_group_rule_ids(rule_id)
                    .send()
                    .await
                    .map(|_| ())
                    .map_err(|e| {
                        (
                            e.is_not_found(),
                            sdk_error(
                                &format!("revoking Security Group ({id}) Rule ({rule_id})"),
                                e,
                            ),
                        )
                    })
            } else {
                c.revoke_security_group_ingress()
                    .group_id(owner_group)
                    .security_group_rule_ids(rule_id)
                    .send()
                    .await
                    .map(|_| ())
                    .map_err(|e| {
                        (
                            e.is_not_found(),
                            sdk_error(
                                &format!("revoking Security Group ({id}) Rule ({rule_id})"),
                                e,
                            ),
                        )
                    })
            };
            match result {
                Ok(()) | Err((true, _)) => {}
                Err((false, e)) => return Err(e),
            }
        }
        Ok(())
    }
}

#[async_trait]
impl Resource for SecurityGroup {
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

    async fn create(&self, planned: &Value, ctx: &ApplyCtx) -> Result<Value, ProviderError> {
        let c = &self.ec2.client;
        let name = naming::name_to_create(planned);
        let out = c
            .create_security_group()
            .group_name(&name)
            .set_description(terrane_sdk::read::string(planned, "description").map(str::to_owned))
            .set_vpc_id(terrane_sdk::read::string(planned, "vpc_id").map(str::to_owned))
            .set_tag_specifications(
                self.ec2
                    .tag_spec(ResourceType::SecurityGroup, planned)
                    .map(|t| vec![t]),
            )
            .send()
            .await
            .map_err(|e| sdk_error(&format!("creating Security Group ({name})"), e))?;
        let id = out
            .group_id()
            .ok_or_else(|| {
                ProviderError::new(format!("creating Security Group ({name})"))
                    .with_detail("AWS returned no group id.")
            })?
            .to_owned();
        wait::until(
            &format!("Security Group ({id}) create"),
            CREATE_TIMEOUT,
            ctx,
            || async {
                let out = c
                    .describe_security_groups()
                    .filters(filter("group-id", [id.as_str()]))
                    .send()
                    .await;
                match out {
                    Ok(o) if !o.security_groups().is_empty() => Ok(Poll::Done(())),
                    Ok(_) => Ok(Poll::Pending("not visible yet".into())),
                    Err(e) if e.is_not_found() => Ok(Poll::Pending("not visible yet".into())),
                    Err(e) => Err(sdk_error(
                        &format!("waiting for Security Group ({id}) create"),
                        e,
                    )),
                }
            },
        )
        .await?;
        // The group exists now: if the rest fails, remove it again rather than leave an
        // object that no state records.
        if let Err(e) = self.finish_create(&id, planned).await {
            let cleanup = c.delete_security_group().group_id(&id).send().await;
            let note = match cleanup {
                Ok(_) => format!("The new security group {id} was deleted again."),
                Err(d) => format!(
                    "The new security group {id} could not be deleted again ({}); delete it by hand.",
                    sdk_error("deleting", d).detail
                ),
            };
            let detail = if e.detail.is_empty() {
                note
            } else {
                format!("{}\n{note}", e.detail)
            };
            return Err(e.with_detail(detail));
        }
        self.must_read(&id, planned).await
    }

    async fn update(
        &self,
        prior: &Value,
        planned: &Value,
        _: &ApplyCtx,
    ) -> Result<Value, ProviderError> {
        let id = id_of(prior).ok_or_else(|| {
            ProviderError::new("updating Security Group").with_detail("The state has no id.")
        })?;
        for kind in RULE_KINDS {
            let new = planned.get_attr(kind);
            if new.is_some_and(Value::is_known) && new != prior.get_attr(kind) {
                self.apply_rules(id, kind, prior.get_attr(kind), new)
                    .await
                    .map_err(|e| {
                        let summary = format!("updating Security Group ({id}) {kind} rules");
                        ProviderError { summary, ..e }
                    })?;
            }
        }
        self.ec2.update_tags(id, prior, planned).await?;
        self.must_read(id, planned).await
    }

    async fn delete(&self, prior: &Value, ctx: &ApplyCtx) -> Result<(), ProviderError> {
        let Some(id) = id_of(prior) else {
            return Ok(());
        };
        if prior
            .get_attr("revoke_rules_on_delete")
            .and_then(Value::as_bool)
            == Some(true)
        {
            self.revoke_all_rules(id).await?;
        }
        // Instances (and their network interfaces) can hold on to the group for a while.
        delete_when_unused(
            &format!("Security Group ({id}) delete"),
            &format!("deleting Security Group ({id})"),
            DELETE_TIMEOUT,
            ctx,
            still_in_use,
            "still in use",
            || async {
                self.ec2
                    .client
                    .delete_security_group()
                    .group_id(id)
                    .send()
                    .await
                    .map(|_| ())
            },
        )
        .await
    }

    async fn read_many(&self, priors: &[Value]) -> Result<Vec<Option<Value>>, ProviderError> {
        let by_id = priors_by_id(priors);
        read_in_chunks(priors, |ids| self.describe(ids, &by_id)).await
    }

    async fn import(&self, id: &str) -> Result<Value, ProviderError> {
        self.read_one(id, None).await?.ok_or_else(|| {
            ProviderError::new(format!("importing Security Group ({id})")).with_detail(format!(
                "Cannot import non-existent remote object: no security group {id}."
            ))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sg_rules::Rule;

    fn config(ingress: Vec<Value>, egress: Vec<Value>) -> Value {
        let block = schema().block;
        let mut m = BTreeMap::new();
        for (name, attr) in &block.attributes {
            m.insert(name.clone(), Value::Null(attr.ty.clone()));
        }
        m.insert("name".into(), Value::from("web"));
        m.insert("ingress".into(), Value::set(ingress));
        m.insert("egress".into(), Value::set(egress));
        Value::Object(m)
    }

    fn block(protocol: &str, port: i64, cidr: &str) -> Value {
        Value::object([
            ("protocol", Value::from(protocol)),
            ("from_port", Value::from(port)),
            ("to_port", Value::from(port)),
            ("cidr_blocks", Value::List(vec![Value::from(cidr)])),
            ("description", Value::Null(Type::String)),
            ("ipv6_cidr_blocks", Value::Null(Type::list(Type::String))),
            ("prefix_list_ids", Value::Null(Type::list(Type::String))),
            ("security_groups", Value::Null(Type::set(Type::String))),
            ("self", Value::Null(Type::Bool)),
        ])
    }

    /// The state an apply of `config` would record.
    fn applied(config: &Value) -> Value {
        let planned = plan(&schema(), None, config).unwrap().planned;
        let mut m = planned.as_entries().unwrap().clone();
        for (k, v) in [
            ("id", "sg-1"),
            ("arn", "arn:aws:ec2:us-east-1:123:security-group/sg-1"),
            ("owner_id", "123"),
            ("vpc_id", "vpc-1"),
            ("name_prefix", ""),
        ] {
            m.insert(k.into(), Value::from(v));
        }
        m.insert("tags_all".into(), Value::Map(BTreeMap::new()));
        for kind in RULE_KINDS {
            if !m[kind].is_known() {
                m.insert(kind.into(), Value::set(Vec::new()));
            }
        }
        Value::Object(m)
    }

    #[test]
    fn a_new_group_plans_defaults_and_normalised_rules() {
        let c = config(vec![block("6", 22, "10.0.0.0/8")], Vec::new());
        let p = plan(&schema(), None, &c).unwrap().planned;
        assert_eq!(
            p.get_attr("description"),
            Some(&Value::from("Managed by Terraform"))
        );
        let rules = sg_rules::rules_of(p.get_attr("ingress")).unwrap();
        assert_eq!(rules[0].protocol, "tcp");
        // egress not configured: known after apply.
        assert!(!p.get_attr("egress").unwrap().is_known());
    }

    #[test]
    fn the_same_configuration_plans_no_change() {
        let c = config(
            vec![
                block("tcp", 22, "10.0.0.0/8"),
                block("tcp", 80, "0.0.0.0/0"),
            ],
            vec![block("-1", 0, "0.0.0.0/0")],
        );
        let prior = applied(&c);
        let p = plan(&schema(), Some(&prior), &c).unwrap();
        assert!(p.requires_replace.is_empty());
        assert_eq!(p.planned, prior);
    }

    #[test]
    fn a_changed_port_updates_in_place_and_unconfigured_rules_are_kept() {
        let c = config(
            vec![
                block("tcp", 22, "10.0.0.0/8"),
                block("tcp", 80, "0.0.0.0/0"),
            ],
            vec![block("-1", 0, "0.0.0.0/0")],
        );
        let prior = applied(&c);
        let changed = config(
            vec![
                block("tcp", 22, "10.0.0.0/8"),
                block("tcp", 8080, "0.0.0.0/0"),
            ],
            Vec::new(),
        );
        let p = plan(&schema(), Some(&prior), &changed).unwrap();
        assert!(p.requires_replace.is_empty());
        assert_ne!(p.planned, prior);
        assert_eq!(p.planned.get_attr("egress"), prior.get_attr("egress"));
        let (revoke, authorize) = sg_rules::diff(
            &sg_rules::rules_of(prior.get_attr("ingress")).unwrap(),
            &sg_rules::rules_of(p.planned.get_attr("ingress")).unwrap(),
        );
        assert_eq!((revoke.len(), authorize.len()), (1, 1));
    }

    #[test]
    fn a_new_name_replaces_the_group() {
        let c = config(Vec::new(), Vec::new());
        let prior = applied(&c);
        let mut renamed = c.as_entries().unwrap().clone();
        renamed.insert("name".into(), Value::from("other"));
        let p = plan(&schema(), Some(&prior), &Value::Object(renamed)).unwrap();
        assert_eq!(
            p.requires_replace,
            vec![terrane_types::AttrPath::attr("name")]
        );
    }

    #[test]
    fn name_and_name_prefix_conflict() {
        let mut c = config(Vec::new(), Vec::new()).as_entries().unwrap().clone();
        c.insert("name_prefix".into(), Value::from("web-"));
        assert!(plan(&schema(), None, &Value::Object(c)).is_err());
    }

    #[test]
    fn deleting_a_group_in_use_is_retried() {
        assert!(still_in_use(Some("DependencyViolation")));
        assert!(still_in_use(Some("InvalidGroup.InUse")));
        assert!(!still_in_use(Some("InvalidGroup.NotFound")));
        assert!(!still_in_use(Some("UnauthorizedOperation")));
        assert!(!still_in_use(None));
    }

    #[test]
    fn rule_objects_round_trip() {
        let n = sg_rules::normalize(&block("all", 0, "0.0.0.0/0"));
        assert_eq!(Rule::from_value(&n).map(|r| r.protocol), Some("-1".into()));
    }
}
