//! `aws_route_table`: a VPC route table with its routes written inline as `route` blocks.
//! Routes are matched by destination: a new destination is CreateRoute, a destination whose
//! target changed is ReplaceRoute, a destination no longer configured is DeleteRoute, all in
//! place. Like Terraform's attribute-mode `route`, writing no `route` block at all leaves
//! the table's routes unmanaged. The VPC's implicit `local` route (and routes propagated from
//! VPN gateways or owned by VPC endpoints) are never part of `route`.
//!
//! Refresh reads up to 200 tables per DescribeRouteTables call, plus one
//! DescribeNetworkInterfaces call per 200 network interfaces that routes point at (routes to
//! other accounts' service interfaces are not the configuration's, as in Terraform).

use crate::common::{Ec2, arn, filter, id_of, string_set};
use crate::common::{priors_by_id, read_in_chunks};
use async_trait::async_trait;
use aws_sdk_ec2::types::{ResourceType, Route, RouteTable as AwsRouteTable};
use std::collections::{BTreeMap, BTreeSet};
use std::net::Ipv6Addr;
use std::sync::Arc;
use std::time::Duration;
use terrane_aws_core::wait::{self, Poll};
use terrane_aws_core::{AwsErrorExt, sdk_error, tags};
use terrane_sdk::read::{self, arg_error, conform, is_set};
use terrane_sdk::{
    ApplyCtx, Attribute, Block, NestedBlock, Nesting, PlannedChange, ProviderError, Resource,
    Schema, plan_default,
};
use terrane_types::{AttrPath, Type, Value};

/// Where a route goes: exactly one of these.
const DESTINATIONS: [&str; 3] = [
    "cidr_block",
    "ipv6_cidr_block",
    "destination_prefix_list_id",
];

/// What a route goes through: exactly one of these.
const TARGETS: [&str; 10] = [
    "carrier_gateway_id",
    "core_network_arn",
    "egress_only_gateway_id",
    "gateway_id",
    "local_gateway_id",
    "nat_gateway_id",
    "network_interface_id",
    "transit_gateway_id",
    "vpc_endpoint_id",
    "vpc_peering_connection_id",
];

fn route_block() -> Block {
    DESTINATIONS
        .iter()
        .chain(TARGETS.iter())
        .fold(Block::new().describe("A route."), |b, name| {
            b.attr(name, Attribute::optional(Type::String))
        })
}

pub(crate) fn schema() -> Schema {
    Schema::new(
        Block::new()
            .describe("A route table of a VPC, with its routes.")
            .attr(
                "vpc_id",
                Attribute::required(Type::String)
                    .force_new()
                    .describe("The VPC the table belongs to."),
            )
            .attr(
                "propagating_vgws",
                Attribute::optional_computed(Type::set(Type::String))
                    .describe("Virtual private gateways whose routes propagate here."),
            )
            .attr("arn", Attribute::computed(Type::String))
            .attr("owner_id", Attribute::computed(Type::String))
            .attr("tags", Attribute::optional(Type::map(Type::String)))
            .attr(
                "tags_all",
                Attribute::optional_computed(Type::map(Type::String)),
            )
            .attr("id", Attribute::computed(Type::String))
            .block("route", NestedBlock::new(Nesting::Set, route_block())),
    )
}

pub(crate) struct RouteTable {
    ec2: Arc<Ec2>,
    schema: Schema,
}

/// A string attribute of a route object, when set and not empty.
fn route_str<'a>(route: &'a Value, name: &str) -> Option<&'a str> {
    read::string(route, name).filter(|s| !s.is_empty())
}

/// A route's destination attribute and its canonical value (IPv6 ranges compare by address).
fn destination(route: &Value) -> Option<(&'static str, String)> {
    DESTINATIONS.iter().find_map(|key| {
        let v = route_str(route, key)?;
        Some((*key, canonical(key, v)))
    })
}

fn canonical(key: &str, value: &str) -> String {
    if key != "ipv6_cidr_block" {
        return value.to_owned();
    }
    match value.split_once('/') {
        Some((addr, len)) => match addr.parse::<Ipv6Addr>() {
            Ok(a) => format!("{a}/{len}"),
            Err(_) => value.to_owned(),
        },
        None => value.to_owned(),
    }
}

/// A route's targets: (attribute, value) for every one set.
fn targets(route: &Value) -> Vec<(&'static str, &str)> {
    TARGETS
        .iter()
        .filter_map(|key| route_str(route, key).map(|v| (*key, v)))
        .collect()
}

/// What an update does to the routes, in order.
#[derive(Debug, PartialEq)]
enum RouteOp<'a> {
    Create(&'a Value),
    Replace(&'a Value),
    Delete(&'a Value),
}

/// The calls that turn the routes `old` into `new`: destinations are the identity of a
/// route; creates and replacements go first, deletions last (as in Terraform).
fn route_ops<'a>(old: &'a [Value], new: &'a [Value]) -> Vec<RouteOp<'a>> {
    let mut ops = Vec::new();
    for n in new {
        let dest = destination(n);
        match old.iter().find(|o| destination(o) == dest) {
            None => ops.push(RouteOp::Create(n)),
            Some(o) if targets(o) != targets(n) => ops.push(RouteOp::Replace(n)),
            Some(_) => {}
        }
    }
    for o in old {
        let dest = destination(o);
        if !new.iter().any(|n| destination(n) == dest) {
            ops.push(RouteOp::Delete(o));
        }
    }
    ops
}

/// Checks that a configured route has exactly one destination and one target (unknown
/// values count as set).
fn check_route(route: &Value) -> Result<(), ProviderError> {
    for (kind, names) in [("destination", &DESTINATIONS[..]), ("target", &TARGETS[..])] {
        let set: Vec<&str> = names
            .iter()
            .copied()
            .filter(|n| is_set(route, n) && route.get_attr(n).and_then(Value::as_str) != Some(""))
            .collect();
        if set.is_empty() {
            return Err(arg_error(
                "route",
                format!(
                    "a route needs a {kind}: one of `{}` must be specified",
                    names.join(", ")
                ),
            ));
        }
        if set.len() > 1 {
            return Err(arg_error(
                "route",
                format!(
                    "only one of `{}` can be specified, but `{}` were specified",
                    names.join(", "),
                    set.join(", ")
                ),
            )
            .with_hint(format!("Give each route block exactly one {kind}.")));
        }
    }
    Ok(())
}

/// A route as Terraform records it (None for routes that are not the configuration's).
fn flatten_route(r: &Route, foreign_enis: &BTreeSet<String>) -> Option<Value> {
    let gateway = r.gateway_id();
    if matches!(gateway, Some("local" | "VpcLattice")) {
        return None;
    }
    if r.origin()
        .is_some_and(|o| o.as_str() == "EnableVgwRoutePropagation")
    {
        return None;
    }
    let endpoint_gateway = gateway.filter(|g| g.starts_with("vpce-"));
    // Prefix-list routes to gateway endpoints belong to the aws_vpc_endpoint.
    if r.destination_prefix_list_id().is_some() && endpoint_gateway.is_some() {
        return None;
    }
    if r.network_interface_id()
        .is_some_and(|eni| foreign_enis.contains(eni))
    {
        return None;
    }
    let s = |v: Option<&str>| match v {
        Some(v) => Value::string(v),
        None => Value::Null(Type::String),
    };
    // A NAT gateway route may report the gateway's interface too; the configuration names
    // only the NAT gateway.
    let eni = if r.nat_gateway_id().is_some() {
        None
    } else {
        r.network_interface_id()
    };
    Some(Value::object([
        ("cidr_block", s(r.destination_cidr_block())),
        ("ipv6_cidr_block", s(r.destination_ipv6_cidr_block())),
        (
            "destination_prefix_list_id",
            s(r.destination_prefix_list_id()),
        ),
        ("carrier_gateway_id", s(r.carrier_gateway_id())),
        ("core_network_arn", s(r.core_network_arn())),
        (
            "egress_only_gateway_id",
            s(r.egress_only_internet_gateway_id()),
        ),
        ("gateway_id", s(gateway.filter(|g| !g.starts_with("vpce-")))),
        ("vpc_endpoint_id", s(endpoint_gateway)),
        ("local_gateway_id", s(r.local_gateway_id())),
        ("nat_gateway_id", s(r.nat_gateway_id())),
        ("network_interface_id", s(eni)),
        ("transit_gateway_id", s(r.transit_gateway_id())),
        (
            "vpc_peering_connection_id",
            s(r.vpc_peering_connection_id()),
        ),
    ]))
}

impl RouteTable {
    pub(crate) fn new(ec2: Arc<Ec2>) -> RouteTable {
        RouteTable {
            ec2,
            schema: schema(),
        }
    }

    /// Network interfaces (of those routes point at) that belong to another account's
    /// instances: AWS services' interfaces, not the configuration's routes.
    async fn foreign_enis(
        &self,
        tables: &[AwsRouteTable],
    ) -> Result<BTreeSet<String>, ProviderError> {
        let ids: Vec<String> = tables
            .iter()
            .flat_map(AwsRouteTable::routes)
            .filter_map(|r| r.network_interface_id().map(str::to_owned))
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect();
        let mut foreign = BTreeSet::new();
        for chunk in ids.chunks(crate::common::IDS_PER_CALL) {
            let mut pages = self
                .ec2
                .client
                .describe_network_interfaces()
                .filters(filter("network-interface-id", chunk.to_vec()))
                .into_paginator()
                .send();
            while let Some(page) = pages.next().await {
                let page = page.map_err(|e| sdk_error("reading EC2 Network Interfaces", e))?;
                for eni in page.network_interfaces() {
                    let owner = eni.owner_id().unwrap_or_default();
                    let instance_owner = eni
                        .attachment()
                        .and_then(|a| a.instance_owner_id())
                        .unwrap_or_default();
                    if let Some(id) = eni.network_interface_id()
                        && eni.attachment().is_some()
                        && !owner.is_empty()
                        && instance_owner != owner
                    {
                        foreign.insert(id.to_owned());
                    }
                }
            }
        }
        Ok(foreign)
    }

    fn flatten(
        &self,
        t: &AwsRouteTable,
        prior: Option<&Value>,
        foreign_enis: &BTreeSet<String>,
    ) -> Option<(String, Value)> {
        let id = t.route_table_id()?;
        let owner = t.owner_id().unwrap_or_default();
        let (tags_value, tags_all) = self.ec2.tag_values(t.tags(), prior);
        let routes: Vec<Value> = t
            .routes()
            .iter()
            .filter_map(|r| flatten_route(r, foreign_enis))
            .collect();
        let attrs = BTreeMap::from([
            ("id".to_owned(), Value::string(id)),
            (
                "arn".into(),
                Value::string(arn(&self.ec2.aws, owner, "route-table", id)),
            ),
            ("owner_id".into(), Value::string(owner)),
            (
                "vpc_id".into(),
                Value::string(t.vpc_id().unwrap_or_default()),
            ),
            (
                "propagating_vgws".into(),
                string_set(t.propagating_vgws().iter().filter_map(|v| v.gateway_id())),
            ),
            ("route".into(), Value::set(routes)),
            ("tags".into(), tags_value),
            ("tags_all".into(), tags_all),
        ]);
        Some((
            id.to_owned(),
            conform(&self.schema.block, Value::Object(attrs)),
        ))
    }

    async fn describe_tables(&self, ids: Vec<String>) -> Result<Vec<AwsRouteTable>, ProviderError> {
        let mut tables = Vec::new();
        let mut pages = self
            .ec2
            .client
            .describe_route_tables()
            .filters(filter("route-table-id", ids))
            .into_paginator()
            .send();
        while let Some(page) = pages.next().await {
            let page = page.map_err(|e| sdk_error("reading Route Tables", e))?;
            tables.extend(page.route_tables().iter().cloned());
        }
        Ok(tables)
    }

    async fn describe(
        &self,
        ids: Vec<String>,
        priors: &BTreeMap<String, &Value>,
    ) -> Result<BTreeMap<String, Value>, ProviderError> {
        let tables = self.describe_tables(ids).await?;
        let foreign = self.foreign_enis(&tables).await?;
        Ok(tables
            .iter()
            .filter_map(|t| {
                let prior = t.route_table_id().and_then(|id| priors.get(id).copied());
                self.flatten(t, prior, &foreign)
            })
            .collect())
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
            ProviderError::new(format!("reading Route Table ({id})"))
                .with_detail("The route table disappeared right after it was changed.")
        })
    }

    /// CreateRoute, retried while a new target is not visible yet.
    async fn add_route(
        &self,
        id: &str,
        route: &Value,
        timeout: Duration,
        ctx: &ApplyCtx,
    ) -> Result<(), ProviderError> {
        let dest = destination(route).map(|(_, d)| d).unwrap_or_default();
        let s = |n: &str| route_str(route, n).map(str::to_owned);
        wait::until(
            &format!("Route in Route Table ({id}) with destination ({dest}) create"),
            timeout,
            ctx,
            || async {
                let out = self
                    .ec2
                    .client
                    .create_route()
                    .route_table_id(id)
                    .set_destination_cidr_block(s("cidr_block"))
                    .set_destination_ipv6_cidr_block(s("ipv6_cidr_block"))
                    .set_destination_prefix_list_id(s("destination_prefix_list_id"))
                    .set_carrier_gateway_id(s("carrier_gateway_id"))
                    .set_core_network_arn(s("core_network_arn"))
                    .set_egress_only_internet_gateway_id(s("egress_only_gateway_id"))
                    .set_gateway_id(s("gateway_id"))
                    .set_local_gateway_id(s("local_gateway_id"))
                    .set_nat_gateway_id(s("nat_gateway_id"))
                    .set_network_interface_id(s("network_interface_id"))
                    .set_transit_gateway_id(s("transit_gateway_id"))
                    .set_vpc_endpoint_id(s("vpc_endpoint_id"))
                    .set_vpc_peering_connection_id(s("vpc_peering_connection_id"))
                    .send()
                    .await;
                match out {
                    Ok(_) => Ok(Poll::Done(())),
                    Err(e)
                        if matches!(
                            e.aws_code(),
                            Some("InvalidParameterException" | "InvalidTransitGatewayID.NotFound")
                        ) =>
                    {
                        Ok(Poll::Pending("target not visible yet".into()))
                    }
                    Err(e) => Err(sdk_error(
                        &format!("creating Route in Route Table ({id}) with destination ({dest})"),
                        e,
                    )
                    .with_attribute(AttrPath::attr("route"))),
                }
            },
        )
        .await
    }

    async fn replace_route(&self, id: &str, route: &Value) -> Result<(), ProviderError> {
        let dest = destination(route).map(|(_, d)| d).unwrap_or_default();
        let s = |n: &str| route_str(route, n).map(str::to_owned);
        self.ec2
            .client
            .replace_route()
            .route_table_id(id)
            .set_destination_cidr_block(s("cidr_block"))
            .set_destination_ipv6_cidr_block(s("ipv6_cidr_block"))
            .set_destination_prefix_list_id(s("destination_prefix_list_id"))
            .set_carrier_gateway_id(s("carrier_gateway_id"))
            .set_core_network_arn(s("core_network_arn"))
            .set_egress_only_internet_gateway_id(s("egress_only_gateway_id"))
            .set_gateway_id(s("gateway_id"))
            .set_local_gateway_id(s("local_gateway_id"))
            .set_nat_gateway_id(s("nat_gateway_id"))
            .set_network_interface_id(s("network_interface_id"))
            .set_transit_gateway_id(s("transit_gateway_id"))
            .set_vpc_endpoint_id(s("vpc_endpoint_id"))
            .set_vpc_peering_connection_id(s("vpc_peering_connection_id"))
            .send()
            .await
            .map(|_| ())
            .map_err(|e| {
                sdk_error(
                    &format!("updating Route in Route Table ({id}) with destination ({dest})"),
                    e,
                )
                .with_attribute(AttrPath::attr("route"))
            })
    }

    async fn delete_route(&self, id: &str, route: &Value) -> Result<(), ProviderError> {
        let dest = destination(route).map(|(_, d)| d).unwrap_or_default();
        let s = |n: &str| route_str(route, n).map(str::to_owned);
        match self
            .ec2
            .client
            .delete_route()
            .route_table_id(id)
            .set_destination_cidr_block(s("cidr_block"))
            .set_destination_ipv6_cidr_block(s("ipv6_cidr_block"))
            .set_destination_prefix_list_id(s("destination_prefix_list_id"))
            .send()
            .await
        {
            Ok(_) => Ok(()),
            Err(e) if e.is_not_found() => Ok(()),
            Err(e) => Err(sdk_error(
                &format!("deleting Route in Route Table ({id}) with destination ({dest})"),
                e,
            )),
        }
    }

    /// Applies route changes, then waits until DescribeRouteTables shows them.
    async fn change_routes(
        &self,
        id: &str,
        old: &[Value],
        new: &[Value],
        timeout: Duration,
        ctx: &ApplyCtx,
    ) -> Result<(), ProviderError> {
        let ops = route_ops(old, new);
        if ops.is_empty() {
            return Ok(());
        }
        let mut present = BTreeSet::new();
        let mut absent = BTreeSet::new();
        for op in &ops {
            match op {
                RouteOp::Create(r) => {
                    self.add_route(id, r, timeout, ctx).await?;
                    present.extend(destination(r));
                }
                RouteOp::Replace(r) => {
                    self.replace_route(id, r).await?;
                    present.extend(destination(r));
                }
                RouteOp::Delete(r) => {
                    self.delete_route(id, r).await?;
                    absent.extend(destination(r));
                }
            }
        }
        wait::until(
            &format!("routes of Route Table ({id}) to be updated"),
            timeout,
            ctx,
            || async {
                let tables = self.describe_tables(vec![id.to_owned()]).await?;
                let seen: BTreeSet<(&'static str, String)> = tables
                    .iter()
                    .flat_map(AwsRouteTable::routes)
                    .filter_map(|r| flatten_route(r, &BTreeSet::new()))
                    .filter_map(|r| destination(&r))
                    .collect();
                let waiting = present.iter().filter(|d| !seen.contains(*d)).count()
                    + absent.iter().filter(|d| seen.contains(*d)).count();
                Ok(if waiting == 0 {
                    Poll::Done(())
                } else {
                    Poll::Pending(format!("{waiting} routes pending"))
                })
            },
        )
        .await
    }

    async fn set_propagation(
        &self,
        id: &str,
        gateway: &str,
        enable: bool,
        ctx: &ApplyCtx,
    ) -> Result<(), ProviderError> {
        let c = &self.ec2.client;
        if !enable {
            return c
                .disable_vgw_route_propagation()
                .route_table_id(id)
                .gateway_id(gateway)
                .send()
                .await
                .map(|_| ())
                .map_err(|e| {
                    sdk_error(
                        &format!(
                            "disabling Route Table ({id}) VPN Gateway ({gateway}) route propagation"
                        ),
                        e,
                    )
                });
        }
        // The gateway may still be attaching to the VPC.
        wait::until(
            &format!("Route Table ({id}) VPN Gateway ({gateway}) route propagation"),
            Duration::from_secs(300),
            ctx,
            || async {
                match c
                    .enable_vgw_route_propagation()
                    .route_table_id(id)
                    .gateway_id(gateway)
                    .send()
                    .await
                {
                    Ok(_) => Ok(Poll::Done(())),
                    Err(e) if e.aws_code() == Some("Gateway.NotAttached") => {
                        Ok(Poll::Pending("gateway not attached yet".into()))
                    }
                    Err(e) => Err(sdk_error(
                        &format!(
                            "enabling Route Table ({id}) VPN Gateway ({gateway}) route propagation"
                        ),
                        e,
                    )
                    .with_attribute(AttrPath::attr("propagating_vgws"))),
                }
            },
        )
        .await
    }
}

fn routes_of(v: &Value) -> &[Value] {
    v.get_attr("route").and_then(Value::as_seq).unwrap_or(&[])
}

#[async_trait]
impl Resource for RouteTable {
    fn schema(&self) -> &Schema {
        &self.schema
    }

    async fn plan(
        &self,
        prior: Option<&Value>,
        config: &Value,
    ) -> Result<PlannedChange, ProviderError> {
        let configured = config.get_attr("route");
        if let Some(routes) = configured.and_then(Value::as_seq) {
            for r in routes.iter().filter(|r| r.is_known()) {
                check_route(r)?;
            }
        }
        let mut change = plan_default(&self.schema, prior, config);
        if let Value::Object(m) = &mut change.planned {
            // No route block at all: the routes are computed (kept as they are).
            let unmanaged = configured.is_none_or(|r| {
                r.is_null() || (r.is_known() && r.as_seq().is_some_and(<[Value]>::is_empty))
            });
            if unmanaged && let Some(p) = prior.and_then(|p| p.get_attr("route")) {
                m.insert("route".into(), p.clone());
            }
            m.insert(
                "tags_all".into(),
                tags::plan_tags_all(&self.ec2.aws, config),
            );
        }
        Ok(change)
    }

    async fn create(&self, planned: &Value, ctx: &ApplyCtx) -> Result<Value, ProviderError> {
        let c = &self.ec2.client;
        let out = c
            .create_route_table()
            .set_vpc_id(read::string(planned, "vpc_id").map(str::to_owned))
            .set_tag_specifications(
                self.ec2
                    .tag_spec(ResourceType::RouteTable, planned)
                    .map(|t| vec![t]),
            )
            .send()
            .await
            .map_err(|e| sdk_error("creating Route Table", e))?;
        let id = out
            .route_table()
            .and_then(|t| t.route_table_id())
            .ok_or_else(|| {
                ProviderError::new("creating Route Table")
                    .with_detail("AWS returned no route table id.")
            })?
            .to_owned();
        let timeout = Duration::from_secs(300);
        wait::until(
            &format!("Route Table ({id}) create"),
            timeout,
            ctx,
            || async {
                match c.describe_route_tables().route_table_ids(&id).send().await {
                    Ok(o) if !o.route_tables().is_empty() => Ok(Poll::Done(())),
                    Ok(_) => Ok(Poll::Pending("not visible yet".into())),
                    Err(e) if e.is_not_found() => Ok(Poll::Pending("not visible yet".into())),
                    Err(e) => Err(sdk_error(
                        &format!("waiting for Route Table ({id}) create"),
                        e,
                    )),
                }
            },
        )
        .await?;
        for gateway in read::strings(planned, "propagating_vgws") {
            self.set_propagation(&id, &gateway, true, ctx).await?;
        }
        self.change_routes(&id, &[], routes_of(planned), timeout, ctx)
            .await?;
        self.must_read(&id, planned).await
    }

    async fn update(
        &self,
        prior: &Value,
        planned: &Value,
        ctx: &ApplyCtx,
    ) -> Result<Value, ProviderError> {
        let id = id_of(prior).ok_or_else(|| {
            ProviderError::new("updating Route Table").with_detail("The state has no id.")
        })?;
        if read::known(planned, "propagating_vgws").is_some() {
            let old: BTreeSet<String> = read::strings(prior, "propagating_vgws")
                .into_iter()
                .collect();
            let new: BTreeSet<String> = read::strings(planned, "propagating_vgws")
                .into_iter()
                .collect();
            for gone in old.difference(&new) {
                self.set_propagation(id, gone, false, ctx).await?;
            }
            for added in new.difference(&old) {
                self.set_propagation(id, added, true, ctx).await?;
            }
        }
        self.change_routes(
            id,
            routes_of(prior),
            routes_of(planned),
            Duration::from_secs(120),
            ctx,
        )
        .await?;
        self.ec2.update_tags(id, prior, planned).await?;
        self.must_read(id, planned).await
    }

    async fn delete(&self, prior: &Value, ctx: &ApplyCtx) -> Result<(), ProviderError> {
        let Some(id) = id_of(prior) else {
            return Ok(());
        };
        let c = &self.ec2.client;
        let tables = match c.describe_route_tables().route_table_ids(id).send().await {
            Ok(o) => o.route_tables().to_vec(),
            Err(e) if e.is_not_found() => return Ok(()),
            Err(e) => return Err(sdk_error(&format!("reading Route Table ({id})"), e)),
        };
        // Subnets and gateways still associated keep a table from being deleted.
        for association in tables
            .iter()
            .flat_map(AwsRouteTable::associations)
            .filter(|a| a.main() != Some(true))
        {
            let Some(aid) = association.route_table_association_id() else {
                continue;
            };
            crate::route_table_association::disassociate(&self.ec2, aid, ctx).await?;
        }
        match c.delete_route_table().route_table_id(id).send().await {
            Ok(_) => {}
            Err(e) if e.is_not_found() => return Ok(()),
            Err(e) => return Err(sdk_error(&format!("deleting Route Table ({id})"), e)),
        }
        wait::until(
            &format!("Route Table ({id}) delete"),
            Duration::from_secs(300),
            ctx,
            || async {
                match c.describe_route_tables().route_table_ids(id).send().await {
                    Ok(o) if o.route_tables().is_empty() => Ok(Poll::Done(())),
                    Ok(_) => Ok(Poll::Pending("deleting".into())),
                    Err(e) if e.is_not_found() => Ok(Poll::Done(())),
                    Err(e) => Err(sdk_error(
                        &format!("waiting for Route Table ({id}) delete"),
                        e,
                    )),
                }
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
            ProviderError::new(format!("importing Route Table ({id})")).with_detail(format!(
                "Cannot import non-existent remote object: no route table {id}."
            ))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn route(pairs: &[(&str, &str)]) -> Value {
        let mut attrs: BTreeMap<String, Value> = DESTINATIONS
            .iter()
            .chain(TARGETS.iter())
            .map(|n| ((*n).to_owned(), Value::Null(Type::String)))
            .collect();
        for (k, v) in pairs {
            attrs.insert((*k).to_owned(), Value::from(*v));
        }
        Value::Object(attrs)
    }

    #[test]
    fn routes_are_matched_by_destination() {
        let default_igw = route(&[("cidr_block", "0.0.0.0/0"), ("gateway_id", "igw-1")]);
        let default_nat = route(&[("cidr_block", "0.0.0.0/0"), ("nat_gateway_id", "nat-1")]);
        let peer = route(&[
            ("cidr_block", "10.1.0.0/16"),
            ("vpc_peering_connection_id", "pcx-1"),
        ]);
        let v6 = route(&[
            ("ipv6_cidr_block", "::/0"),
            ("egress_only_gateway_id", "eigw-1"),
        ]);
        let old = vec![default_igw.clone(), peer.clone()];
        let new = vec![default_nat.clone(), v6.clone()];
        assert_eq!(
            route_ops(&old, &new),
            vec![
                RouteOp::Replace(&default_nat),
                RouteOp::Create(&v6),
                RouteOp::Delete(&peer),
            ]
        );
        // Unchanged routes need no call.
        assert!(route_ops(&old, &old).is_empty());
    }

    #[test]
    fn ipv6_destinations_compare_by_address() {
        let a = route(&[
            ("ipv6_cidr_block", "2001:DB8:0:0::/64"),
            ("gateway_id", "igw-1"),
        ]);
        let b = route(&[
            ("ipv6_cidr_block", "2001:db8::/64"),
            ("gateway_id", "igw-1"),
        ]);
        assert_eq!(destination(&a), destination(&b));
        assert!(route_ops(&[a], &[b]).is_empty());
    }

    #[test]
    fn a_route_needs_exactly_one_destination_and_target() {
        assert!(
            check_route(&route(&[
                ("cidr_block", "0.0.0.0/0"),
                ("gateway_id", "igw-1")
            ]))
            .is_ok()
        );
        let none = check_route(&route(&[("gateway_id", "igw-1")])).unwrap_err();
        assert!(none.summary.contains("needs a destination"), "{none:?}");
        let two = check_route(&route(&[
            ("cidr_block", "0.0.0.0/0"),
            ("gateway_id", "igw-1"),
            ("nat_gateway_id", "nat-1"),
        ]))
        .unwrap_err();
        assert!(
            two.summary
                .contains("`gateway_id, nat_gateway_id` were specified"),
            "{two:?}"
        );
        // A target not known yet counts.
        let mut pending = route(&[("cidr_block", "0.0.0.0/0")]);
        if let Value::Object(m) = &mut pending {
            m.insert("gateway_id".into(), Value::Unknown(Type::String));
        }
        assert!(check_route(&pending).is_ok());
    }

    #[test]
    fn the_local_route_and_vpc_endpoint_routes_are_not_read() {
        let none = BTreeSet::new();
        let local = Route::builder()
            .destination_cidr_block("10.0.0.0/16")
            .gateway_id("local")
            .build();
        assert_eq!(flatten_route(&local, &none), None);
        let endpoint = Route::builder()
            .destination_prefix_list_id("pl-1")
            .gateway_id("vpce-1")
            .build();
        assert_eq!(flatten_route(&endpoint, &none), None);
        let igw = Route::builder()
            .destination_cidr_block("0.0.0.0/0")
            .gateway_id("igw-1")
            .build();
        assert_eq!(
            flatten_route(&igw, &none),
            Some(route(&[
                ("cidr_block", "0.0.0.0/0"),
                ("gateway_id", "igw-1")
            ]))
        );
        let foreign = Route::builder()
            .destination_cidr_block("10.9.0.0/16")
            .network_interface_id("eni-1")
            .build();
        assert_eq!(
            flatten_route(&foreign, &BTreeSet::from(["eni-1".to_owned()])),
            None
        );
    }
}
