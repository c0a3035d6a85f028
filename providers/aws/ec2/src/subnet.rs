//! `aws_subnet`: a range of a VPC in one availability zone. The VPC, zone, IPv4 range and
//! outpost force replacement; the launch settings (public IPs, IPv6, DNS names) change in
//! place through ModifySubnetAttribute, one attribute per call as the API requires.
//! DescribeSubnets returns every attribute, so refresh reads up to 200 subnets per call.

use crate::common::{Ec2, id_of, int, string, string_or_empty};
use crate::common::{delete_when_unused, dependency_violation};
use crate::common::{priors_by_id, read_in_chunks};
use async_trait::async_trait;
use aws_sdk_ec2::types::{AttributeBooleanValue, HostnameType, ResourceType, Subnet as AwsSubnet};
use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;
use terrane_aws_core::wait::{self, Poll};
use terrane_aws_core::{AwsErrorExt, sdk_error, tags};
use terrane_sdk::read::{self, arg_error, conform, is_set, with_defaults};
use terrane_sdk::{
    ApplyCtx, Attribute, Block, PlannedChange, ProviderError, Resource, Schema, plan_default,
    proposed_new_state,
};
use terrane_types::{AttrPath, Type, Value};

/// Boolean launch settings that default to false, as Terraform's schema has them.
const FALSE_BY_DEFAULT: &[&str] = &[
    "assign_ipv6_address_on_creation",
    "enable_dns64",
    "enable_resource_name_dns_aaaa_record_on_launch",
    "enable_resource_name_dns_a_record_on_launch",
    "ipv6_native",
    "map_public_ip_on_launch",
];

pub(crate) fn schema() -> Schema {
    let flag = |d: &str| Attribute::optional_computed(Type::Bool).describe(d);
    Schema::new(
        Block::new()
            .describe("A subnet: a range of a VPC's addresses in one availability zone.")
            .attr(
                "vpc_id",
                Attribute::required(Type::String)
                    .force_new()
                    .describe("The VPC the subnet belongs to."),
            )
            .attr(
                "cidr_block",
                Attribute::optional_computed(Type::String)
                    .force_new()
                    .describe("The IPv4 range, e.g. 10.0.1.0/24."),
            )
            .attr(
                "availability_zone",
                Attribute::optional_computed(Type::String)
                    .force_new()
                    .describe("The zone by name, e.g. us-east-1a."),
            )
            .attr(
                "availability_zone_id",
                Attribute::optional_computed(Type::String)
                    .force_new()
                    .describe("The zone by id, e.g. use1-az1."),
            )
            .attr(
                "map_public_ip_on_launch",
                flag("Give instances launched here a public IPv4 address."),
            )
            .attr(
                "assign_ipv6_address_on_creation",
                flag("Give network interfaces created here an IPv6 address."),
            )
            .attr(
                "ipv6_cidr_block",
                Attribute::optional_computed(Type::String)
                    .describe("The IPv6 range, a /64 of the VPC's."),
            )
            .attr(
                "ipv6_cidr_block_association_id",
                Attribute::computed(Type::String),
            )
            .attr(
                "ipv6_native",
                Attribute::optional_computed(Type::Bool)
                    .force_new()
                    .describe("An IPv6-only subnet."),
            )
            .attr("enable_dns64", flag("DNS64 for IPv6-only subnets."))
            .attr(
                "enable_resource_name_dns_a_record_on_launch",
                flag("DNS A records for instance names."),
            )
            .attr(
                "enable_resource_name_dns_aaaa_record_on_launch",
                flag("DNS AAAA records for instance names."),
            )
            .attr(
                "private_dns_hostname_type_on_launch",
                Attribute::optional_computed(Type::String).describe("ip-name or resource-name."),
            )
            .attr(
                "enable_lni_at_device_index",
                Attribute::optional_computed(Type::Number),
            )
            .attr(
                "customer_owned_ipv4_pool",
                Attribute::optional_computed(Type::String),
            )
            .attr(
                "map_customer_owned_ip_on_launch",
                Attribute::optional_computed(Type::Bool),
            )
            .attr("outpost_arn", Attribute::optional(Type::String).force_new())
            .attr("arn", Attribute::computed(Type::String))
            .attr("owner_id", Attribute::computed(Type::String))
            .attr("tags", Attribute::optional(Type::map(Type::String)))
            .attr(
                "tags_all",
                Attribute::optional_computed(Type::map(Type::String)),
            )
            .attr("id", Attribute::computed(Type::String)),
    )
    .with_version(1)
}

pub(crate) struct Subnet {
    ec2: Arc<Ec2>,
    schema: Schema,
}

/// One ModifySubnetAttribute call's worth of change.
enum Change<'a> {
    Flag(&'a str, bool),
    HostnameType(&'a str),
    LniIndex(i64),
    CustomerOwned(Option<&'a str>, bool),
}

impl Subnet {
    pub(crate) fn new(ec2: Arc<Ec2>) -> Subnet {
        Subnet {
            ec2,
            schema: schema(),
        }
    }

    fn defaults(config: &Value) -> Value {
        let defaults: Vec<(&str, Value)> = FALSE_BY_DEFAULT
            .iter()
            .map(|n| (*n, Value::Bool(false)))
            .collect();
        with_defaults(config, &defaults)
    }

    /// A subnet as Terraform records it.
    fn flatten(&self, s: &AwsSubnet, prior: Option<&Value>) -> Option<(String, Value)> {
        let id = s.subnet_id()?;
        let (tags_value, tags_all) = self.ec2.tag_values(s.tags(), prior);
        let ipv6 = s.ipv6_cidr_block_association_set().iter().find(|a| {
            a.ipv6_cidr_block_state()
                .and_then(|st| st.state())
                .is_some_and(|st| st.as_str() == "associated")
        });
        let dns = s.private_dns_name_options_on_launch();
        let owner = s.owner_id().unwrap_or_default();
        let arn = s.subnet_arn().map_or_else(
            || crate::common::arn(&self.ec2.aws, owner, "subnet", id),
            str::to_owned,
        );
        let attrs = BTreeMap::from([
            ("id".to_owned(), Value::string(id)),
            ("arn".into(), Value::string(arn)),
            ("owner_id".into(), Value::string(owner)),
            ("vpc_id".into(), string(s.vpc_id())),
            ("cidr_block".into(), string_or_empty(s.cidr_block())),
            ("availability_zone".into(), string(s.availability_zone())),
            (
                "availability_zone_id".into(),
                string(s.availability_zone_id()),
            ),
            (
                "map_public_ip_on_launch".into(),
                Value::Bool(s.map_public_ip_on_launch().unwrap_or(false)),
            ),
            (
                "assign_ipv6_address_on_creation".into(),
                Value::Bool(s.assign_ipv6_address_on_creation().unwrap_or(false)),
            ),
            (
                "ipv6_cidr_block".into(),
                string_or_empty(ipv6.and_then(|a| a.ipv6_cidr_block())),
            ),
            (
                "ipv6_cidr_block_association_id".into(),
                string_or_empty(ipv6.and_then(|a| a.association_id())),
            ),
            (
                "ipv6_native".into(),
                Value::Bool(s.ipv6_native().unwrap_or(false)),
            ),
            (
                "enable_dns64".into(),
                Value::Bool(s.enable_dns64().unwrap_or(false)),
            ),
            (
                "enable_resource_name_dns_a_record_on_launch".into(),
                Value::Bool(
                    dns.and_then(|d| d.enable_resource_name_dns_a_record())
                        .unwrap_or(false),
                ),
            ),
            (
                "enable_resource_name_dns_aaaa_record_on_launch".into(),
                Value::Bool(
                    dns.and_then(|d| d.enable_resource_name_dns_aaaa_record())
                        .unwrap_or(false),
                ),
            ),
            (
                "private_dns_hostname_type_on_launch".into(),
                string_or_empty(
                    dns.and_then(|d| d.hostname_type())
                        .map(HostnameType::as_str),
                ),
            ),
            (
                "enable_lni_at_device_index".into(),
                int(Some(i64::from(s.enable_lni_at_device_index().unwrap_or(0)))),
            ),
            (
                "customer_owned_ipv4_pool".into(),
                string_or_empty(s.customer_owned_ipv4_pool()),
            ),
            (
                "map_customer_owned_ip_on_launch".into(),
                Value::Bool(s.map_customer_owned_ip_on_launch().unwrap_or(false)),
            ),
            ("outpost_arn".into(), string(s.outpost_arn())),
            ("tags".into(), tags_value),
            ("tags_all".into(), tags_all),
        ]);
        Some((
            id.to_owned(),
            conform(&self.schema.block, Value::Object(attrs)),
        ))
    }

    /// Reads subnets by id (one DescribeSubnets call per page).
    async fn describe(
        &self,
        ids: Vec<String>,
        priors: &BTreeMap<String, &Value>,
    ) -> Result<BTreeMap<String, Value>, ProviderError> {
        let mut found = BTreeMap::new();
        let mut pages = self
            .ec2
            .client
            .describe_subnets()
            .filters(crate::common::filter("subnet-id", ids))
            .into_paginator()
            .send();
        while let Some(page) = pages.next().await {
            let page = page.map_err(|e| sdk_error("reading EC2 Subnets", e))?;
            for s in page.subnets() {
                let prior = s.subnet_id().and_then(|id| priors.get(id).copied());
                if let Some((id, v)) = self.flatten(s, prior) {
                    found.insert(id, v);
                }
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
            ProviderError::new(format!("reading EC2 Subnet ({id})"))
                .with_detail("The subnet disappeared right after it was changed.")
        })
    }

    async fn modify(&self, id: &str, change: Change<'_>) -> Result<(), ProviderError> {
        let flag = |on: bool| AttributeBooleanValue::builder().value(on).build();
        let call = self.ec2.client.modify_subnet_attribute().subnet_id(id);
        let (call, name) = match change {
            Change::Flag(name, on) => (
                match name {
                    "map_public_ip_on_launch" => call.map_public_ip_on_launch(flag(on)),
                    "assign_ipv6_address_on_creation" => {
                        call.assign_ipv6_address_on_creation(flag(on))
                    }
                    "enable_dns64" => call.enable_dns64(flag(on)),
                    "enable_resource_name_dns_a_record_on_launch" => {
                        call.enable_resource_name_dns_a_record_on_launch(flag(on))
                    }
                    _ => call.enable_resource_name_dns_aaaa_record_on_launch(flag(on)),
                },
                name,
            ),
            Change::HostnameType(t) => (
                call.private_dns_hostname_type_on_launch(HostnameType::from(t)),
                "private_dns_hostname_type_on_launch",
            ),
            Change::LniIndex(n) => {
                let n = i32::try_from(n).map_err(|_| {
                    arg_error(
                        "enable_lni_at_device_index",
                        "enable_lni_at_device_index must be a small whole number",
                    )
                })?;
                (
                    call.enable_lni_at_device_index(n),
                    "enable_lni_at_device_index",
                )
            }
            Change::CustomerOwned(pool, on) => (
                call.set_customer_owned_ipv4_pool(pool.map(str::to_owned))
                    .map_customer_owned_ip_on_launch(flag(on)),
                "map_customer_owned_ip_on_launch",
            ),
        };
        call.send().await.map(|_| ()).map_err(|e| {
            sdk_error(&format!("modifying EC2 Subnet ({id}) {name}"), e)
                .with_attribute(AttrPath::attr(name))
        })
    }

    /// Replaces the subnet's IPv6 range: the old association goes first (a subnet has at
    /// most one), then the new one is associated.
    async fn set_ipv6_block(
        &self,
        id: &str,
        old_association: &str,
        block: &str,
        ctx: &ApplyCtx,
    ) -> Result<(), ProviderError> {
        let c = &self.ec2.client;
        if !old_association.is_empty() {
            match c
                .disassociate_subnet_cidr_block()
                .association_id(old_association)
                .send()
                .await
            {
                Ok(_) => {}
                Err(e) if e.is_not_found() => {}
                Err(e) => {
                    return Err(sdk_error(
                        &format!(
                            "disassociating EC2 Subnet ({id}) IPv6 CIDR block ({old_association})"
                        ),
                        e,
                    ));
                }
            }
            self.wait_ipv6(id, old_association, false, ctx).await?;
        }
        if !block.is_empty() {
            let out = c
                .associate_subnet_cidr_block()
                .subnet_id(id)
                .ipv6_cidr_block(block)
                .send()
                .await
                .map_err(|e| {
                    sdk_error(
                        &format!("associating EC2 Subnet ({id}) IPv6 CIDR block ({block})"),
                        e,
                    )
                    .with_attribute(AttrPath::attr("ipv6_cidr_block"))
                })?;
            if let Some(association) = out
                .ipv6_cidr_block_association()
                .and_then(|a| a.association_id())
            {
                self.wait_ipv6(id, association, true, ctx).await?;
            }
        }
        Ok(())
    }

    /// Waits for an IPv6 association to become associated (or to go away).
    async fn wait_ipv6(
        &self,
        id: &str,
        association: &str,
        associated: bool,
        ctx: &ApplyCtx,
    ) -> Result<(), ProviderError> {
        let want = if associated {
            "associated"
        } else {
            "disassociated"
        };
        wait::until(
            &format!("IPv6 CIDR block {association} of subnet {id} to be {want}"),
            Duration::from_secs(180),
            ctx,
            || async {
                let out = self
                    .ec2
                    .client
                    .describe_subnets()
                    .subnet_ids(id)
                    .send()
                    .await
                    .map_err(|e| sdk_error(&format!("reading EC2 Subnet ({id})"), e))?;
                let state = out
                    .subnets()
                    .first()
                    .into_iter()
                    .flat_map(|s| s.ipv6_cidr_block_association_set())
                    .find(|a| a.association_id() == Some(association))
                    .and_then(|a| a.ipv6_cidr_block_state())
                    .and_then(|s| s.state())
                    .map(|s| s.as_str().to_owned());
                let done = match state.as_deref() {
                    Some(s) => s == want,
                    None => !associated,
                };
                Ok(if done {
                    Poll::Done(())
                } else {
                    Poll::Pending(state.unwrap_or_else(|| "not visible yet".into()))
                })
            },
        )
        .await
    }

    /// Makes the launch settings what `planned` says, from what `current` has, in
    /// Terraform's order (IPv6 assignment off before the range changes, on after). Returns
    /// whether anything was changed.
    async fn converge(
        &self,
        id: &str,
        current: &Value,
        planned: &Value,
        ctx: &ApplyCtx,
    ) -> Result<bool, ProviderError> {
        let mut modified = false;
        let want_bool = |n: &str| read::boolean(planned, n);
        let have_bool = |n: &str| current.get_attr(n).and_then(Value::as_bool);
        let differs = |n: &str| want_bool(n).is_some_and(|w| have_bool(n) != Some(w));

        let pool = read::string(planned, "customer_owned_ipv4_pool").filter(|s| !s.is_empty());
        let pool_changed = read::known(planned, "customer_owned_ipv4_pool").is_some()
            && planned.get_attr("customer_owned_ipv4_pool")
                != current.get_attr("customer_owned_ipv4_pool");
        if pool_changed || differs("map_customer_owned_ip_on_launch") {
            let on = want_bool("map_customer_owned_ip_on_launch")
                .or_else(|| have_bool("map_customer_owned_ip_on_launch"))
                .unwrap_or(false);
            self.modify(id, Change::CustomerOwned(pool, on)).await?;
            modified = true;
        }
        if differs("assign_ipv6_address_on_creation")
            && want_bool("assign_ipv6_address_on_creation") == Some(false)
        {
            self.modify(id, Change::Flag("assign_ipv6_address_on_creation", false))
                .await?;
            modified = true;
        }
        if differs("enable_dns64") && want_bool("enable_dns64") == Some(false) {
            self.modify(id, Change::Flag("enable_dns64", false)).await?;
            modified = true;
        }
        // A range computed by AWS (IPv6-native subnets) is left alone when not configured.
        if let Some(block) = read::string(planned, "ipv6_cidr_block") {
            let have = current
                .get_attr("ipv6_cidr_block")
                .and_then(Value::as_str)
                .unwrap_or_default();
            if have != block {
                let association = current
                    .get_attr("ipv6_cidr_block_association_id")
                    .and_then(Value::as_str)
                    .unwrap_or_default();
                self.set_ipv6_block(id, association, block, ctx).await?;
                modified = true;
            }
        }
        if differs("enable_dns64") && want_bool("enable_dns64") == Some(true) {
            self.modify(id, Change::Flag("enable_dns64", true)).await?;
            modified = true;
        }
        if let Ok(Some(n)) = read::integer(planned, "enable_lni_at_device_index")
            && n != 0
            && current
                .get_attr("enable_lni_at_device_index")
                .and_then(Value::as_number)
                .and_then(|x| x.to_i64())
                != Some(n)
        {
            self.modify(id, Change::LniIndex(n)).await?;
            modified = true;
        }
        for name in [
            "enable_resource_name_dns_aaaa_record_on_launch",
            "enable_resource_name_dns_a_record_on_launch",
        ] {
            if differs(name)
                && let Some(on) = want_bool(name)
            {
                self.modify(id, Change::Flag(name, on)).await?;
                modified = true;
            }
        }
        if let Some(t) = read::string(planned, "private_dns_hostname_type_on_launch")
            && !t.is_empty()
            && current
                .get_attr("private_dns_hostname_type_on_launch")
                .and_then(Value::as_str)
                != Some(t)
        {
            self.modify(id, Change::HostnameType(t)).await?;
            modified = true;
        }
        if differs("map_public_ip_on_launch")
            && let Some(on) = want_bool("map_public_ip_on_launch")
        {
            self.modify(id, Change::Flag("map_public_ip_on_launch", on))
                .await?;
            modified = true;
        }
        if differs("assign_ipv6_address_on_creation")
            && want_bool("assign_ipv6_address_on_creation") == Some(true)
        {
            self.modify(id, Change::Flag("assign_ipv6_address_on_creation", true))
                .await?;
            modified = true;
        }
        Ok(modified)
    }

    /// Waits until DescribeSubnets shows the configured launch settings (changes take a
    /// moment to be visible); returns the subnet as it then is.
    async fn wait_settled(
        &self,
        id: &str,
        planned: &Value,
        ctx: &ApplyCtx,
    ) -> Result<Value, ProviderError> {
        let names: Vec<&str> = FALSE_BY_DEFAULT
            .iter()
            .copied()
            .filter(|n| *n != "ipv6_native")
            .chain(["private_dns_hostname_type_on_launch"])
            .filter(|n| read::known(planned, n).is_some())
            .collect();
        wait::until(
            &format!("EC2 Subnet ({id}) attributes to be updated"),
            Duration::from_secs(300),
            ctx,
            || async {
                let Some(now) = self.read_one(id, Some(planned)).await? else {
                    return Ok(Poll::Pending("not visible yet".into()));
                };
                let pending: Vec<&str> = names
                    .iter()
                    .copied()
                    .filter(|n| {
                        let want = planned.get_attr(n);
                        // Settings AWS does not report for this subnet are not waited for.
                        let unreported = *n == "private_dns_hostname_type_on_launch"
                            && now.get_attr(n).and_then(Value::as_str) == Some("");
                        !unreported && now.get_attr(n) != want
                    })
                    .collect();
                Ok(if pending.is_empty() {
                    Poll::Done(now)
                } else {
                    Poll::Pending(format!("updating {}", pending.join(", ")))
                })
            },
        )
        .await
    }
}

/// Whether the IPv6 range changes on a subnet that assigns IPv6 addresses on creation:
/// AWS cannot swap it then, so Terraform replaces the subnet.
fn ipv6_change_forces_new(prior: &Value, planned: &Value) -> bool {
    let before = prior.get_attr("ipv6_cidr_block");
    let after = planned.get_attr("ipv6_cidr_block");
    let changed = match after {
        Some(a) if !a.is_known() => true,
        a => a != before,
    };
    changed
        && prior
            .get_attr("assign_ipv6_address_on_creation")
            .and_then(Value::as_bool)
            == Some(true)
}

#[async_trait]
impl Resource for Subnet {
    fn schema(&self) -> &Schema {
        &self.schema
    }

    async fn plan(
        &self,
        prior: Option<&Value>,
        config: &Value,
    ) -> Result<PlannedChange, ProviderError> {
        if is_set(config, "availability_zone") && is_set(config, "availability_zone_id") {
            return Err(arg_error(
                "availability_zone_id",
                "\"availability_zone_id\": conflicts with availability_zone",
            )
            .with_hint("Name the zone one way: availability_zone or availability_zone_id."));
        }
        if read::boolean(config, "ipv6_native") == Some(true) && is_set(config, "cidr_block") {
            return Err(arg_error(
                "cidr_block",
                "an IPv6-native subnet (ipv6_native = true) has no cidr_block",
            ));
        }
        let config = Self::defaults(config);
        let mut change = plan_default(&self.schema, prior, &config);
        if let Some(p) = prior
            && change.requires_replace.is_empty()
            && ipv6_change_forces_new(p, &change.planned)
        {
            change = PlannedChange {
                planned: proposed_new_state(&self.schema.block, None, &config),
                requires_replace: vec![AttrPath::attr("ipv6_cidr_block")],
                notes: Vec::new(),
                warnings: Vec::new(),
            };
        }
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
        let s = |n: &str| read::string(planned, n).map(str::to_owned);
        let out = c
            .create_subnet()
            .set_vpc_id(s("vpc_id"))
            .set_availability_zone(s("availability_zone"))
            .set_availability_zone_id(s("availability_zone_id"))
            .set_cidr_block(s("cidr_block"))
            .set_ipv6_cidr_block(s("ipv6_cidr_block"))
            .set_ipv6_native(read::boolean(planned, "ipv6_native").filter(|on| *on))
            .set_outpost_arn(s("outpost_arn"))
            .set_tag_specifications(
                self.ec2
                    .tag_spec(ResourceType::Subnet, planned)
                    .map(|t| vec![t]),
            )
            .send()
            .await
            .map_err(|e| sdk_error("creating EC2 Subnet", e))?;
        let id = out
            .subnet()
            .and_then(|s| s.subnet_id())
            .ok_or_else(|| {
                ProviderError::new("creating EC2 Subnet").with_detail("AWS returned no subnet id.")
            })?
            .to_owned();
        let current = wait::until(
            &format!("EC2 Subnet ({id}) create"),
            Duration::from_secs(600),
            ctx,
            || async {
                match c.describe_subnets().subnet_ids(&id).send().await {
                    Ok(o) => {
                        let Some(subnet) = o.subnets().first() else {
                            return Ok(Poll::Pending("not visible yet".into()));
                        };
                        match subnet.state().map(|s| s.as_str()) {
                            Some("available") => match self.flatten(subnet, Some(planned)) {
                                Some((_, v)) => Ok(Poll::Done(v)),
                                None => Ok(Poll::Pending("not visible yet".into())),
                            },
                            other => Ok(Poll::Pending(other.unwrap_or("unknown").to_owned())),
                        }
                    }
                    Err(e) if e.is_not_found() => Ok(Poll::Pending("not visible yet".into())),
                    Err(e) => Err(sdk_error(
                        &format!("waiting for EC2 Subnet ({id}) create"),
                        e,
                    )),
                }
            },
        )
        .await?;
        // An IPv6 range given at creation is already there; one computed by AWS (IPv6-native
        // without a range) is left alone.
        if self.converge(&id, &current, planned, ctx).await? {
            return self.wait_settled(&id, planned, ctx).await;
        }
        Ok(current)
    }

    async fn update(
        &self,
        prior: &Value,
        planned: &Value,
        ctx: &ApplyCtx,
    ) -> Result<Value, ProviderError> {
        let id = id_of(prior).ok_or_else(|| {
            ProviderError::new("updating EC2 Subnet").with_detail("The state has no id.")
        })?;
        if self.converge(id, prior, planned, ctx).await? {
            self.wait_settled(id, planned, ctx).await?;
        }
        self.ec2.update_tags(id, prior, planned).await?;
        self.must_read(id, planned).await
    }

    async fn delete(&self, prior: &Value, ctx: &ApplyCtx) -> Result<(), ProviderError> {
        let Some(id) = id_of(prior) else {
            return Ok(());
        };
        // The network interfaces of terminated instances (and of load balancers, Lambda
        // functions) take a while to be released.
        delete_when_unused(
            &format!("EC2 Subnet ({id}) delete"),
            &format!("deleting EC2 Subnet ({id})"),
            Duration::from_secs(1200),
            ctx,
            dependency_violation,
            "still in use by network interfaces",
            || async {
                self.ec2
                    .client
                    .delete_subnet()
                    .subnet_id(id)
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
            ProviderError::new(format!("importing EC2 Subnet ({id})")).with_detail(format!(
                "Cannot import non-existent remote object: no subnet {id}."
            ))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn obj(ipv6: &str, assign: bool) -> Value {
        Value::object([
            ("ipv6_cidr_block", Value::from(ipv6)),
            ("assign_ipv6_address_on_creation", Value::Bool(assign)),
        ])
    }

    #[test]
    fn a_new_ipv6_range_replaces_a_subnet_that_assigns_ipv6_addresses() {
        assert!(ipv6_change_forces_new(
            &obj("2001:db8::/64", true),
            &obj("2001:db8:0:1::/64", true)
        ));
        assert!(!ipv6_change_forces_new(
            &obj("2001:db8::/64", false),
            &obj("2001:db8:0:1::/64", false)
        ));
        assert!(!ipv6_change_forces_new(
            &obj("2001:db8::/64", true),
            &obj("2001:db8::/64", true)
        ));
    }

    #[test]
    fn unset_launch_flags_plan_as_false() {
        let config = Value::object([("map_public_ip_on_launch", Value::Null(Type::Bool))]);
        let d = Subnet::defaults(&config);
        assert_eq!(
            d.get_attr("map_public_ip_on_launch"),
            Some(&Value::Bool(false))
        );
        assert_eq!(d.get_attr("enable_dns64"), Some(&Value::Bool(false)));
    }
}
