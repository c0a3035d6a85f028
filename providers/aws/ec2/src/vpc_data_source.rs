//! `data "aws_vpc"`: one VPC, found by id, `default = true`, CIDR, DHCP options, state,
//! tags or `filter` blocks; an error unless exactly one matches.

use crate::common::{Ec2, arn, config_filters, filter, filter_block, string_or_empty, tag_filters};
use async_trait::async_trait;
use aws_sdk_ec2::types::{AttributeBooleanValue, Tenancy, Vpc, VpcAttributeName};
use std::sync::Arc;
use terrane_aws_core::{AwsErrorExt, sdk_error, tags};
use terrane_sdk::read::{self, conform};
use terrane_sdk::{Attribute, Block, DataSource, ProviderError, Schema};
use terrane_types::{Type, Value};

pub(crate) fn schema() -> Schema {
    let computed = |t: Type| Attribute::computed(t);
    let association = Type::Object(
        [
            ("association_id".to_owned(), Type::String),
            ("cidr_block".to_owned(), Type::String),
            ("state".to_owned(), Type::String),
        ]
        .into(),
    );
    Schema::new(
        Block::new()
            .describe("Looks up one VPC.")
            .attr(
                "id",
                Attribute::optional_computed(Type::String).describe("The VPC's id."),
            )
            .attr(
                "default",
                Attribute::optional_computed(Type::Bool)
                    .describe("true: the region's default VPC."),
            )
            .attr("cidr_block", Attribute::optional_computed(Type::String))
            .attr(
                "dhcp_options_id",
                Attribute::optional_computed(Type::String),
            )
            .attr(
                "state",
                Attribute::optional_computed(Type::String).describe("pending or available."),
            )
            .attr(
                "tags",
                Attribute::optional_computed(Type::map(Type::String))
                    .describe("Tags the VPC must have."),
            )
            .attr("arn", computed(Type::String))
            .attr("cidr_block_associations", computed(Type::list(association)))
            .attr("enable_dns_hostnames", computed(Type::Bool))
            .attr("enable_dns_support", computed(Type::Bool))
            .attr("enable_network_address_usage_metrics", computed(Type::Bool))
            .attr("instance_tenancy", computed(Type::String))
            .attr("ipv6_association_id", computed(Type::String))
            .attr("ipv6_cidr_block", computed(Type::String))
            .attr("main_route_table_id", computed(Type::String))
            .attr("owner_id", computed(Type::String))
            .block("filter", filter_block()),
    )
}

pub(crate) struct VpcData {
    ec2: Arc<Ec2>,
    schema: Schema,
}

impl VpcData {
    pub(crate) fn new(ec2: Arc<Ec2>) -> VpcData {
        VpcData {
            ec2,
            schema: schema(),
        }
    }

    /// The VPCs the configuration matches.
    async fn find(&self, config: &Value) -> Result<Vec<Vpc>, ProviderError> {
        let mut filters = Vec::new();
        for (name, attr) in [
            ("cidr", "cidr_block"),
            ("dhcp-options-id", "dhcp_options_id"),
            ("state", "state"),
        ] {
            if let Some(v) = read::string(config, attr).filter(|v| !v.is_empty()) {
                filters.push(filter(name, [v]));
            }
        }
        // As in Terraform, `default = false` does not filter: it cannot be told from unset.
        if read::boolean(config, "default") == Some(true) {
            filters.push(filter("is-default", ["true"]));
        }
        filters.extend(config_filters(config));
        filters.extend(tag_filters(config));
        let mut pages = self
            .ec2
            .client
            .describe_vpcs()
            .set_vpc_ids(
                read::string(config, "id")
                    .filter(|v| !v.is_empty())
                    .map(|id| vec![id.to_owned()]),
            )
            .set_filters((!filters.is_empty()).then_some(filters))
            .into_paginator()
            .send();
        let mut found = Vec::new();
        while let Some(page) = pages.next().await {
            match page {
                Ok(p) => found.extend(p.vpcs().iter().cloned()),
                // Asking for an id that does not exist is "no match".
                Err(e) if e.is_not_found() => return Ok(Vec::new()),
                Err(e) => return Err(sdk_error("reading EC2 VPC", e)),
            }
        }
        Ok(found)
    }

    async fn flag(&self, id: &str, attribute: VpcAttributeName) -> Result<bool, ProviderError> {
        let name = attribute.as_str().to_owned();
        let out = self
            .ec2
            .client
            .describe_vpc_attribute()
            .vpc_id(id)
            .attribute(attribute.clone())
            .send()
            .await;
        match out {
            Ok(o) => Ok(match attribute {
                VpcAttributeName::EnableDnsSupport => o.enable_dns_support(),
                VpcAttributeName::EnableDnsHostnames => o.enable_dns_hostnames(),
                _ => o.enable_network_address_usage_metrics(),
            }
            .and_then(AttributeBooleanValue::value)
            .unwrap_or(false)),
            // Not every endpoint knows this newer attribute (the emulator does not).
            Err(e)
                if e.aws_code().is_some()
                    && attribute == VpcAttributeName::EnableNetworkAddressUsageMetrics =>
            {
                Ok(false)
            }
            Err(e) => Err(sdk_error(
                &format!("reading EC2 VPC ({id}) Attribute ({name})"),
                e,
            )),
        }
    }
}

#[async_trait]
impl DataSource for VpcData {
    fn schema(&self) -> &Schema {
        &self.schema
    }

    async fn read(&self, config: &Value) -> Result<Value, ProviderError> {
        let mut vpcs = self.find(config).await?;
        let vpc = match vpcs.len() {
            0 => {
                return Err(ProviderError::new("no matching EC2 VPC found").with_hint(
                    "Check the id, filters and tags: no VPC in this region matches them all.",
                ));
            }
            1 => vpcs.remove(0),
            n => {
                return Err(ProviderError::new(
                    "multiple EC2 VPCs matched; use additional constraints to reduce matches to a single EC2 VPC",
                )
                .with_detail(format!("{n} VPCs match.")));
            }
        };
        let id = vpc.vpc_id().unwrap_or_default().to_owned();
        let owner = vpc.owner_id().unwrap_or_default();
        let main = self
            .ec2
            .client
            .describe_route_tables()
            .filters(filter("vpc-id", [id.as_str()]))
            .filters(filter("association.main", ["true"]))
            .send()
            .await
            .map_err(|e| sdk_error(&format!("reading EC2 VPC ({id}) main Route Table"), e))?;
        let main_id = main
            .route_tables()
            .first()
            .and_then(|r| r.route_table_id())
            .map(str::to_owned);
        let ipv6 = vpc.ipv6_cidr_block_association_set().first();
        let associations: Vec<Value> = vpc
            .cidr_block_association_set()
            .iter()
            .map(|a| {
                Value::object([
                    ("association_id", string_or_empty(a.association_id())),
                    ("cidr_block", string_or_empty(a.cidr_block())),
                    (
                        "state",
                        string_or_empty(
                            a.cidr_block_state()
                                .and_then(|s| s.state())
                                .map(|s| s.as_str()),
                        ),
                    ),
                ])
            })
            .collect();
        let all_tags = tags::kept(
            &self.ec2.aws,
            vpc.tags()
                .iter()
                .filter_map(|t| Some((t.key()?.to_owned(), t.value().unwrap_or("").to_owned()))),
        );
        let out = Value::object([
            ("id", Value::string(&id)),
            ("arn", Value::string(arn(&self.ec2.aws, owner, "vpc", &id))),
            ("cidr_block", string_or_empty(vpc.cidr_block())),
            ("cidr_block_associations", Value::List(associations)),
            ("default", Value::Bool(vpc.is_default().unwrap_or(false))),
            ("dhcp_options_id", string_or_empty(vpc.dhcp_options_id())),
            (
                "enable_dns_hostnames",
                Value::Bool(self.flag(&id, VpcAttributeName::EnableDnsHostnames).await?),
            ),
            (
                "enable_dns_support",
                Value::Bool(self.flag(&id, VpcAttributeName::EnableDnsSupport).await?),
            ),
            (
                "enable_network_address_usage_metrics",
                Value::Bool(
                    self.flag(&id, VpcAttributeName::EnableNetworkAddressUsageMetrics)
                        .await?,
                ),
            ),
            (
                "instance_tenancy",
                string_or_empty(vpc.instance_tenancy().map(Tenancy::as_str)),
            ),
            (
                "ipv6_association_id",
                string_or_empty(ipv6.and_then(|a| a.association_id())),
            ),
            (
                "ipv6_cidr_block",
                string_or_empty(ipv6.and_then(|a| a.ipv6_cidr_block())),
            ),
            ("main_route_table_id", string_or_empty(main_id.as_deref())),
            ("owner_id", Value::string(owner)),
            ("state", string_or_empty(vpc.state().map(|s| s.as_str()))),
            ("tags", tags::tags_value(&all_tags)),
            (
                "filter",
                config
                    .get_attr("filter")
                    .cloned()
                    .unwrap_or(Value::Set(Vec::new())),
            ),
        ]);
        Ok(conform(&self.schema.block, out))
    }
}
