//! `aws_route_table_association`: a subnet's (or an edge gateway's) route table. Pointing it
//! at another table is ReplaceRouteTableAssociation, in place (the association gets a new
//! id, as in Terraform). Import ids are `SUBNET_OR_GATEWAY_ID/ROUTE_TABLE_ID`. Refresh reads
//! up to 200 associations per DescribeRouteTables call.

use crate::common::{Ec2, filter, id_chunks, id_of, in_order};
use async_trait::async_trait;
use aws_sdk_ec2::types::RouteTableAssociation as AwsAssociation;
use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;
use terrane_aws_core::wait::{self, Poll};
use terrane_aws_core::{AwsErrorExt, sdk_error};
use terrane_sdk::read::{self, arg_error, is_set};
use terrane_sdk::{
    ApplyCtx, Attribute, Block, PlannedChange, ProviderError, Resource, Schema, plan_default,
};
use terrane_types::{AttrPath, Type, Value};

/// How long a new route table may take to be visible to AssociateRouteTable.
const PROPAGATION: Duration = Duration::from_secs(120);

pub(crate) fn schema() -> Schema {
    Schema::new(
        Block::new()
            .describe("The association of a subnet or gateway with a route table.")
            .attr(
                "subnet_id",
                Attribute::optional(Type::String)
                    .force_new()
                    .describe("The subnet (or set gateway_id)."),
            )
            .attr(
                "gateway_id",
                Attribute::optional(Type::String)
                    .force_new()
                    .describe("The internet or virtual private gateway (or set subnet_id)."),
            )
            .attr(
                "route_table_id",
                Attribute::required(Type::String).describe("The route table."),
            )
            .attr("id", Attribute::computed(Type::String)),
    )
}

pub(crate) struct RouteTableAssociation {
    ec2: Arc<Ec2>,
    schema: Schema,
}

/// The association as Terraform records it; None once it is disassociated.
fn flatten(a: &AwsAssociation) -> Option<(String, Value)> {
    let id = a.route_table_association_id()?;
    if a.association_state()
        .and_then(|s| s.state())
        .is_some_and(|s| s.as_str() == "disassociated")
    {
        return None;
    }
    let s = |v: Option<&str>| match v {
        Some(v) => Value::string(v),
        None => Value::Null(Type::String),
    };
    Some((
        id.to_owned(),
        Value::object([
            ("id", Value::string(id)),
            ("route_table_id", s(a.route_table_id())),
            ("subnet_id", s(a.subnet_id())),
            ("gateway_id", s(a.gateway_id())),
        ]),
    ))
}

/// Removes an association (gone already is fine) and waits until it is.
pub(crate) async fn disassociate(
    ec2: &Ec2,
    association: &str,
    ctx: &ApplyCtx,
) -> Result<(), ProviderError> {
    match ec2
        .client
        .disassociate_route_table()
        .association_id(association)
        .send()
        .await
    {
        Ok(_) => {}
        Err(e) if e.is_not_found() => return Ok(()),
        Err(e) => {
            return Err(sdk_error(
                &format!("deleting Route Table Association ({association})"),
                e,
            ));
        }
    }
    wait::until(
        &format!("Route Table Association ({association}) delete"),
        Duration::from_secs(300),
        ctx,
        || async {
            Ok(match find(ec2, association).await? {
                None => Poll::Done(()),
                Some(_) => Poll::Pending("disassociating".into()),
            })
        },
    )
    .await
}

/// Reads associations by id: DescribeRouteTables filtered on association ids.
async fn describe(ec2: &Ec2, ids: Vec<String>) -> Result<BTreeMap<String, Value>, ProviderError> {
    let wanted: Vec<String> = ids.clone();
    let mut found = BTreeMap::new();
    let mut pages = ec2
        .client
        .describe_route_tables()
        .filters(filter("association.route-table-association-id", ids))
        .into_paginator()
        .send();
    while let Some(page) = pages.next().await {
        let page = page.map_err(|e| sdk_error("reading Route Table Associations", e))?;
        for t in page.route_tables() {
            for a in t.associations() {
                if let Some((id, v)) = flatten(a)
                    && wanted.contains(&id)
                {
                    found.insert(id, v);
                }
            }
        }
    }
    Ok(found)
}

async fn find(ec2: &Ec2, id: &str) -> Result<Option<Value>, ProviderError> {
    Ok(describe(ec2, vec![id.to_owned()]).await?.remove(id))
}

impl RouteTableAssociation {
    pub(crate) fn new(ec2: Arc<Ec2>) -> RouteTableAssociation {
        RouteTableAssociation {
            ec2,
            schema: schema(),
        }
    }

    /// Waits for a new association to be associated and returns it.
    async fn wait_associated(&self, id: &str, ctx: &ApplyCtx) -> Result<Value, ProviderError> {
        wait::until(
            &format!("Route Table Association ({id}) to be associated"),
            Duration::from_secs(300),
            ctx,
            || async {
                let out = self
                    .ec2
                    .client
                    .describe_route_tables()
                    .filters(filter("association.route-table-association-id", [id]))
                    .send()
                    .await
                    .map_err(|e| {
                        sdk_error(&format!("reading Route Table Association ({id})"), e)
                    })?;
                let association = out
                    .route_tables()
                    .iter()
                    .flat_map(|t| t.associations())
                    .find(|a| a.route_table_association_id() == Some(id));
                let state = association
                    .and_then(|a| a.association_state())
                    .and_then(|s| s.state())
                    .map(|s| s.as_str().to_owned());
                match (association, state.as_deref()) {
                    (Some(a), Some("associated") | None) => match flatten(a) {
                        Some((_, v)) => Ok(Poll::Done(v)),
                        None => Ok(Poll::Pending("not visible yet".into())),
                    },
                    (Some(a), Some("failed")) => Err(ProviderError::new(format!(
                        "waiting for Route Table Association ({id}) create"
                    ))
                    .with_detail(
                        a.association_state()
                            .and_then(|s| s.status_message())
                            .unwrap_or("The association failed.")
                            .to_owned(),
                    )),
                    (Some(_), Some(other)) => Ok(Poll::Pending(other.to_owned())),
                    (None, _) => Ok(Poll::Pending("not visible yet".into())),
                }
            },
        )
        .await
    }

    async fn associate(&self, planned: &Value, ctx: &ApplyCtx) -> Result<Value, ProviderError> {
        let table = read::string(planned, "route_table_id").unwrap_or_default();
        let subnet = read::string(planned, "subnet_id").map(str::to_owned);
        let gateway = read::string(planned, "gateway_id").map(str::to_owned);
        let c = &self.ec2.client;
        // A table created a moment ago may not be visible yet.
        let id = wait::until(
            &format!("Route Table ({table}) Association create"),
            PROPAGATION,
            ctx,
            || async {
                match c
                    .associate_route_table()
                    .route_table_id(table)
                    .set_subnet_id(subnet.clone())
                    .set_gateway_id(gateway.clone())
                    .send()
                    .await
                {
                    Ok(o) => Ok(Poll::Done(o.association_id().map(str::to_owned))),
                    Err(e) if e.aws_code() == Some("InvalidRouteTableID.NotFound") => {
                        Ok(Poll::Pending("route table not visible yet".into()))
                    }
                    Err(e) => Err(sdk_error(
                        &format!("creating Route Table ({table}) Association"),
                        e,
                    )),
                }
            },
        )
        .await?
        .ok_or_else(|| {
            ProviderError::new(format!("creating Route Table ({table}) Association"))
                .with_detail("AWS returned no association id.")
        })?;
        self.wait_associated(&id, ctx).await
    }
}

#[async_trait]
impl Resource for RouteTableAssociation {
    fn schema(&self) -> &Schema {
        &self.schema
    }

    async fn plan(
        &self,
        prior: Option<&Value>,
        config: &Value,
    ) -> Result<PlannedChange, ProviderError> {
        match (is_set(config, "subnet_id"), is_set(config, "gateway_id")) {
            (true, true) => {
                return Err(arg_error(
                    "gateway_id",
                    "\"gateway_id\": only one of `gateway_id,subnet_id` can be specified, but `gateway_id,subnet_id` were specified.",
                ));
            }
            (false, false) => {
                return Err(arg_error(
                    "subnet_id",
                    "\"subnet_id\": one of `gateway_id,subnet_id` must be specified",
                )
                .with_hint("Associate the route table with a subnet (subnet_id) or a gateway (gateway_id)."));
            }
            _ => {}
        }
        Ok(plan_default(&self.schema, prior, config))
    }

    async fn create(&self, planned: &Value, ctx: &ApplyCtx) -> Result<Value, ProviderError> {
        self.associate(planned, ctx).await
    }

    async fn update(
        &self,
        prior: &Value,
        planned: &Value,
        ctx: &ApplyCtx,
    ) -> Result<Value, ProviderError> {
        let id = id_of(prior).ok_or_else(|| {
            ProviderError::new("updating Route Table Association")
                .with_detail("The state has no id.")
        })?;
        let table = read::string(planned, "route_table_id").unwrap_or_default();
        let out = self
            .ec2
            .client
            .replace_route_table_association()
            .association_id(id)
            .route_table_id(table)
            .send()
            .await;
        match out {
            Ok(o) => {
                let new_id = o.new_association_id().ok_or_else(|| {
                    ProviderError::new(format!("updating Route Table Association ({id})"))
                        .with_detail("AWS returned no new association id.")
                })?;
                self.wait_associated(new_id, ctx).await
            }
            // Gone behind terrane's back: associate afresh.
            Err(e) if e.aws_code() == Some("InvalidAssociationID.NotFound") => {
                self.associate(planned, ctx).await
            }
            Err(e) => Err(
                sdk_error(&format!("updating Route Table Association ({id})"), e)
                    .with_attribute(AttrPath::attr("route_table_id")),
            ),
        }
    }

    async fn delete(&self, prior: &Value, ctx: &ApplyCtx) -> Result<(), ProviderError> {
        match id_of(prior) {
            Some(id) => disassociate(&self.ec2, id, ctx).await,
            None => Ok(()),
        }
    }

    async fn read_many(&self, priors: &[Value]) -> Result<Vec<Option<Value>>, ProviderError> {
        let mut found = BTreeMap::new();
        for chunk in id_chunks(priors) {
            found.extend(describe(&self.ec2, chunk).await?);
        }
        Ok(in_order(priors, found))
    }

    async fn import(&self, id: &str) -> Result<Value, ProviderError> {
        let Some((target, table)) = id
            .split_once('/')
            .filter(|(t, r)| !t.is_empty() && !r.is_empty() && !r.contains('/'))
        else {
            return Err(ProviderError::new(format!(
                "Unexpected format for import: {id}. Use 'subnet ID/route table ID' or 'gateway ID/route table ID'"
            )));
        };
        let out = self
            .ec2
            .client
            .describe_route_tables()
            .route_table_ids(table)
            .send()
            .await
            .map_err(|e| sdk_error(&format!("reading Route Table ({table})"), e))?;
        out.route_tables()
            .iter()
            .flat_map(|t| t.associations())
            .filter(|a| a.subnet_id() == Some(target) || a.gateway_id() == Some(target))
            .find_map(flatten)
            .map(|(_, v)| v)
            .ok_or_else(|| {
                ProviderError::new(format!("importing Route Table Association ({id})")).with_detail(
                    format!(
                        "No association found between route table ID {table} and target ID {target}"
                    ),
                )
            })
    }
}
