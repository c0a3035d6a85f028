//! `aws_vpc`: a virtual network. The CIDR block and tenancy force replacement; DNS settings
//! and tags update in place. Refresh reads CIDR, state, tags and owner for many VPCs per
//! DescribeVpcs call; the DNS attributes (one DescribeVpcAttribute call each) are read on
//! create, update and import, and kept from the state otherwise.

use crate::common::{Ec2, arn, boolean, filter, id_chunks, id_of, in_order, keep, string};
use crate::common::{delete_when_unused, dependency_violation};
use async_trait::async_trait;
use aws_sdk_ec2::types::{AttributeBooleanValue, ResourceType, Tenancy, VpcAttributeName};
use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;
use terrane_aws_core::wait::{self, Poll};
use terrane_aws_core::{AwsErrorExt, sdk_error, tags};
use terrane_sdk::read::{arg_error, conform, with_defaults};
use terrane_sdk::{
    ApplyCtx, Attribute, Block, PlannedChange, ProviderError, Resource, Schema, plan_default,
};
use terrane_types::{Type, Value};

pub(crate) fn schema() -> Schema {
    let computed = |d: &str| Attribute::computed(Type::String).describe(d);
    Schema::new(
        Block::new()
            .describe("A virtual private cloud.")
            .attr(
                "cidr_block",
                Attribute::optional_computed(Type::String)
                    .force_new()
                    .describe("The IPv4 range, e.g. 10.0.0.0/16."),
            )
            .attr(
                "instance_tenancy",
                Attribute::optional_computed(Type::String)
                    .force_new()
                    .describe("default or dedicated."),
            )
            .attr(
                "enable_dns_support",
                Attribute::optional_computed(Type::Bool),
            )
            .attr(
                "enable_dns_hostnames",
                Attribute::optional_computed(Type::Bool),
            )
            .attr(
                "enable_network_address_usage_metrics",
                Attribute::optional_computed(Type::Bool),
            )
            .attr(
                "assign_generated_ipv6_cidr_block",
                Attribute::optional_computed(Type::Bool),
            )
            .attr("ipv6_cidr_block", Attribute::computed(Type::String))
            .attr("ipv6_association_id", Attribute::computed(Type::String))
            .attr("arn", computed("The VPC's ARN."))
            .attr("owner_id", computed("The account that owns it."))
            .attr("main_route_table_id", computed("Its main route table."))
            .attr(
                "default_route_table_id",
                computed("Its default route table."),
            )
            .attr(
                "default_security_group_id",
                computed("Its default security group."),
            )
            .attr(
                "default_network_acl_id",
                computed("Its default network ACL."),
            )
            .attr("dhcp_options_id", computed("Its DHCP options set."))
            .attr("tags", Attribute::optional(Type::map(Type::String)))
            .attr(
                "tags_all",
                Attribute::optional_computed(Type::map(Type::String)),
            )
            .attr("id", Attribute::computed(Type::String)),
    )
    .with_version(1)
}

pub(crate) struct Vpc {
    ec2: Arc<Ec2>,
    schema: Schema,
}

impl Vpc {
    pub(crate) fn new(ec2: Arc<Ec2>) -> Vpc {
        Vpc {
            ec2,
            schema: schema(),
        }
    }

    fn defaults(config: &Value) -> Value {
        with_defaults(
            config,
            &[
                ("instance_tenancy", Value::string("default")),
                ("enable_dns_support", Value::Bool(true)),
                ("enable_network_address_usage_metrics", Value::Bool(false)),
                ("assign_generated_ipv6_cidr_block", Value::Bool(false)),
            ],
        )
    }

    /// Reads VPCs by id: what DescribeVpcs returns, with the rest kept from `priors`.
    async fn describe(
        &self,
        ids: Vec<String>,
        priors: &BTreeMap<String, &Value>,
    ) -> Result<BTreeMap<String, Value>, ProviderError> {
        let mut found = BTreeMap::new();
        let mut pages = self
            .ec2
            .client
            .describe_vpcs()
            .filters(filter("vpc-id", ids))
            .into_paginator()
            .send();
        while let Some(page) = pages.next().await {
            let page = page.map_err(|e| sdk_error("reading VPCs", e))?;
            for v in page.vpcs() {
                let Some(id) = v.vpc_id() else { continue };
                let prior = priors.get(id).copied();
                let (tags_value, tags_all) = self.ec2.tag_values(v.tags(), prior);
                let ipv6 = v.ipv6_cidr_block_association_set().iter().find(|a| {
                    a.ipv6_cidr_block_state()
                        .and_then(|s| s.state())
                        .is_some_and(|s| s.as_str() == "associated")
                });
                let owner = v.owner_id().unwrap_or_default();
                let mut attrs = BTreeMap::from([
                    ("id".to_owned(), Value::string(id)),
                    (
                        "arn".into(),
                        Value::string(arn(&self.ec2.aws, owner, "vpc", id)),
                    ),
                    ("cidr_block".into(), string(v.cidr_block())),
                    (
                        "instance_tenancy".into(),
                        string(v.instance_tenancy().map(Tenancy::as_str)),
                    ),
                    ("owner_id".into(), Value::string(owner)),
                    ("dhcp_options_id".into(), string(v.dhcp_options_id())),
                    (
                        "ipv6_cidr_block".into(),
                        Value::string(ipv6.and_then(|a| a.ipv6_cidr_block()).unwrap_or("")),
                    ),
                    (
                        "ipv6_association_id".into(),
                        Value::string(ipv6.and_then(|a| a.association_id()).unwrap_or("")),
                    ),
                    ("tags".into(), tags_value),
                    ("tags_all".into(), tags_all),
                ]);
                if let Some(p) = prior {
                    for name in [
                        "enable_dns_support",
                        "enable_dns_hostnames",
                        "enable_network_address_usage_metrics",
                        "assign_generated_ipv6_cidr_block",
                        "main_route_table_id",
                        "default_route_table_id",
                        "default_security_group_id",
                        "default_network_acl_id",
                    ] {
                        if let Some(v) = keep(Some(p), name) {
                            attrs.insert(name.into(), v);
                        }
                    }
                }
                found.insert(id.to_owned(), Value::Object(attrs));
            }
        }
        Ok(found)
    }

    /// Everything about one VPC, including what needs calls of its own.
    async fn read_full(
        &self,
        id: &str,
        prior: Option<&Value>,
    ) -> Result<Option<Value>, ProviderError> {
        let priors: BTreeMap<String, &Value> =
            prior.map(|p| (id.to_owned(), p)).into_iter().collect();
        let Some(Value::Object(mut attrs)) = self
            .describe(vec![id.to_owned()], &priors)
            .await?
            .remove(id)
        else {
            return Ok(None);
        };
        let c = &self.ec2.client;
        for (name, attribute) in [
            ("enable_dns_support", VpcAttributeName::EnableDnsSupport),
            ("enable_dns_hostnames", VpcAttributeName::EnableDnsHostnames),
            (
                "enable_network_address_usage_metrics",
                VpcAttributeName::EnableNetworkAddressUsageMetrics,
            ),
        ] {
            let out = c
                .describe_vpc_attribute()
                .vpc_id(id)
                .attribute(attribute)
                .send()
                .await;
            let value = match out {
                Ok(o) => {
                    let b = match name {
                        "enable_dns_support" => o.enable_dns_support(),
                        "enable_dns_hostnames" => o.enable_dns_hostnames(),
                        _ => o.enable_network_address_usage_metrics(),
                    };
                    boolean(b.and_then(AttributeBooleanValue::value).or(Some(false)))
                }
                // Not every endpoint knows every attribute (the emulator lacks the last).
                Err(e)
                    if e.aws_code().is_some() && name == "enable_network_address_usage_metrics" =>
                {
                    Value::Bool(false)
                }
                Err(e) => return Err(sdk_error(&format!("reading {name} of VPC {id}"), e)),
            };
            attrs.insert(name.into(), value);
        }
        attrs.insert(
            "assign_generated_ipv6_cidr_block".into(),
            Value::Bool(
                attrs
                    .get("ipv6_association_id")
                    .and_then(Value::as_str)
                    .is_some_and(|s| !s.is_empty()),
            ),
        );
        let main = c
            .describe_route_tables()
            .filters(filter("vpc-id", [id]))
            .filters(filter("association.main", ["true"]))
            .send()
            .await
            .map_err(|e| sdk_error(&format!("reading the main route table of VPC {id}"), e))?;
        let main_id = main.route_tables().first().and_then(|r| r.route_table_id());
        attrs.insert("main_route_table_id".into(), string(main_id));
        attrs.insert("default_route_table_id".into(), string(main_id));
        let sg = c
            .describe_security_groups()
            .filters(filter("vpc-id", [id]))
            .filters(filter("group-name", ["default"]))
            .send()
            .await
            .map_err(|e| {
                sdk_error(
                    &format!("reading the default security group of VPC {id}"),
                    e,
                )
            })?;
        attrs.insert(
            "default_security_group_id".into(),
            string(sg.security_groups().first().and_then(|g| g.group_id())),
        );
        let acl = c
            .describe_network_acls()
            .filters(filter("vpc-id", [id]))
            .filters(filter("default", ["true"]))
            .send()
            .await
            .map_err(|e| sdk_error(&format!("reading the default network ACL of VPC {id}"), e))?;
        attrs.insert(
            "default_network_acl_id".into(),
            string(acl.network_acls().first().and_then(|a| a.network_acl_id())),
        );
        Ok(Some(conform(&self.schema.block, Value::Object(attrs))))
    }

    async fn set_flag(&self, id: &str, name: &str, on: bool) -> Result<(), ProviderError> {
        let flag = AttributeBooleanValue::builder().value(on).build();
        let call = self.ec2.client.modify_vpc_attribute().vpc_id(id);
        let call = match name {
            "enable_dns_support" => call.enable_dns_support(flag),
            "enable_dns_hostnames" => call.enable_dns_hostnames(flag),
            _ => call.enable_network_address_usage_metrics(flag),
        };
        call.send().await.map(|_| ()).map_err(|e| {
            sdk_error(&format!("setting {name} of VPC {id}"), e)
                .with_attribute(terrane_types::AttrPath::attr(name))
        })
    }

    async fn must_read(&self, id: &str, planned: &Value) -> Result<Value, ProviderError> {
        self.read_full(id, Some(planned)).await?.ok_or_else(|| {
            ProviderError::new(format!("reading VPC {id}"))
                .with_detail("The VPC disappeared right after it was changed.")
        })
    }
}

#[async_trait]
impl Resource for Vpc {
    fn schema(&self) -> &Schema {
        &self.schema
    }

    async fn plan(
        &self,
        prior: Option<&Value>,
        config: &Value,
    ) -> Result<PlannedChange, ProviderError> {
        if config.get_attr("cidr_block").is_none_or(Value::is_null) {
            return Err(arg_error("cidr_block", "cidr_block must be set")
                .with_hint("Give the VPC an IPv4 range, e.g. cidr_block = \"10.0.0.0/16\"."));
        }
        let config = Self::defaults(config);
        let mut change = plan_default(&self.schema, prior, &config);
        if let Value::Object(m) = &mut change.planned {
            m.insert(
                "tags_all".into(),
                tags::plan_tags_all(&self.ec2.aws, &config),
            );
        }
        Ok(change)
    }

    async fn create(&self, planned: &Value, ctx: &ApplyCtx) -> Result<Value, ProviderError> {
        let c = &self.ec2.client;
        let cidr = planned.get_attr("cidr_block").and_then(Value::as_str);
        let tenancy = planned
            .get_attr("instance_tenancy")
            .and_then(Value::as_str)
            .map(Tenancy::from);
        let out = c
            .create_vpc()
            .set_cidr_block(cidr.map(str::to_owned))
            .set_instance_tenancy(tenancy)
            .amazon_provided_ipv6_cidr_block(
                planned
                    .get_attr("assign_generated_ipv6_cidr_block")
                    .and_then(Value::as_bool)
                    == Some(true),
            )
            .set_tag_specifications(
                self.ec2
                    .tag_spec(ResourceType::Vpc, planned)
                    .map(|t| vec![t]),
            )
            .send()
            .await
            .map_err(|e| sdk_error("creating EC2 VPC", e))?;
        let id = out
            .vpc()
            .and_then(|v| v.vpc_id())
            .ok_or_else(|| {
                ProviderError::new("creating EC2 VPC").with_detail("AWS returned no VPC id.")
            })?
            .to_owned();
        wait::until(
            &format!("VPC {id} to become available"),
            Duration::from_secs(300),
            ctx,
            || async {
                let out = c.describe_vpcs().vpc_ids(&id).send().await;
                match out {
                    Ok(o) => {
                        let state = o
                            .vpcs()
                            .first()
                            .and_then(|v| v.state())
                            .map(|s| s.as_str().to_owned());
                        match state.as_deref() {
                            Some("available") => Ok(Poll::Done(())),
                            other => {
                                Ok(Poll::Pending(other.unwrap_or("not visible yet").to_owned()))
                            }
                        }
                    }
                    Err(e) if e.is_not_found() => Ok(Poll::Pending("not visible yet".into())),
                    Err(e) => Err(sdk_error(&format!("waiting for VPC {id}"), e)),
                }
            },
        )
        .await?;
        // DNS support is on by default, hostnames off: change only what differs.
        for (name, default) in [
            ("enable_dns_support", true),
            ("enable_dns_hostnames", false),
            ("enable_network_address_usage_metrics", false),
        ] {
            if let Some(want) = planned.get_attr(name).and_then(Value::as_bool)
                && want != default
            {
                self.set_flag(&id, name, want).await?;
            }
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
            ProviderError::new("updating EC2 VPC").with_detail("The state has no id.")
        })?;
        for name in [
            "enable_dns_support",
            "enable_dns_hostnames",
            "enable_network_address_usage_metrics",
        ] {
            let want = planned.get_attr(name).and_then(Value::as_bool);
            if let Some(want) = want
                && prior.get_attr(name).and_then(Value::as_bool) != Some(want)
            {
                self.set_flag(id, name, want).await?;
            }
        }
        self.ec2.update_tags(id, prior, planned).await?;
        self.must_read(id, planned).await
    }

    async fn delete(&self, prior: &Value, ctx: &ApplyCtx) -> Result<(), ProviderError> {
        let Some(id) = id_of(prior) else {
            return Ok(());
        };
        // Dependencies (ENIs of deleted instances, gateways) can take a while to let go.
        delete_when_unused(
            &format!("VPC {id} to be deleted"),
            &format!("deleting EC2 VPC {id}"),
            Duration::from_secs(300),
            ctx,
            dependency_violation,
            "still in use",
            || async {
                self.ec2
                    .client
                    .delete_vpc()
                    .vpc_id(id)
                    .send()
                    .await
                    .map(|_| ())
            },
        )
        .await
    }

    async fn read_many(&self, priors: &[Value]) -> Result<Vec<Option<Value>>, ProviderError> {
        let by_id: BTreeMap<String, &Value> = priors
            .iter()
            .filter_map(|p| id_of(p).map(|id| (id.to_owned(), p)))
            .collect();
        let mut found = BTreeMap::new();
        for chunk in id_chunks(priors) {
            found.extend(self.describe(chunk, &by_id).await?);
        }
        let found = found
            .into_iter()
            .map(|(k, v)| (k, conform(&self.schema.block, v)))
            .collect();
        Ok(in_order(priors, found))
    }

    async fn import(&self, id: &str) -> Result<Value, ProviderError> {
        self.read_full(id, None).await?.ok_or_else(|| {
            ProviderError::new(format!("importing VPC {id}")).with_detail(format!(
                "Cannot import non-existent remote object: no VPC {id}."
            ))
        })
    }
}
