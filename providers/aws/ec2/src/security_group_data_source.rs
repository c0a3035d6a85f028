//! `data "aws_security_group"`: one security group, found by id, name, VPC, tags or
//! `filter` blocks; an error unless exactly one matches.

use crate::common::{Ec2, arn, config_filters, filter, filter_block, string_or_empty, tag_filters};
use async_trait::async_trait;
use aws_sdk_ec2::types::SecurityGroup;
use std::sync::Arc;
use terrane_aws_core::{AwsErrorExt, sdk_error, tags};
use terrane_sdk::read::{self, conform};
use terrane_sdk::{Attribute, Block, DataSource, ProviderError, Schema};
use terrane_types::{Type, Value};

pub(crate) fn schema() -> Schema {
    Schema::new(
        Block::new()
            .describe("Looks up one security group.")
            .attr("id", Attribute::optional_computed(Type::String))
            .attr("name", Attribute::optional_computed(Type::String))
            .attr("vpc_id", Attribute::optional_computed(Type::String))
            .attr(
                "tags",
                Attribute::optional_computed(Type::map(Type::String))
                    .describe("Tags the group must have."),
            )
            .attr("arn", Attribute::computed(Type::String))
            .attr("description", Attribute::computed(Type::String))
            .block("filter", filter_block()),
    )
}

pub(crate) struct SecurityGroupData {
    ec2: Arc<Ec2>,
    schema: Schema,
}

impl SecurityGroupData {
    pub(crate) fn new(ec2: Arc<Ec2>) -> SecurityGroupData {
        SecurityGroupData {
            ec2,
            schema: schema(),
        }
    }

    async fn find(&self, config: &Value) -> Result<Vec<SecurityGroup>, ProviderError> {
        let mut filters = Vec::new();
        for (name, attr) in [("group-name", "name"), ("vpc-id", "vpc_id")] {
            if let Some(v) = read::string(config, attr).filter(|v| !v.is_empty()) {
                filters.push(filter(name, [v]));
            }
        }
        filters.extend(tag_filters(config));
        filters.extend(config_filters(config));
        let mut pages = self
            .ec2
            .client
            .describe_security_groups()
            .set_group_ids(
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
                Ok(p) => found.extend(p.security_groups().iter().cloned()),
                Err(e) if e.is_not_found() => return Ok(Vec::new()),
                Err(e) => return Err(sdk_error("reading EC2 Security Group", e)),
            }
        }
        Ok(found)
    }
}

#[async_trait]
impl DataSource for SecurityGroupData {
    fn schema(&self) -> &Schema {
        &self.schema
    }

    async fn read(&self, config: &Value) -> Result<Value, ProviderError> {
        let mut groups = self.find(config).await?;
        let sg = match groups.len() {
            0 => {
                return Err(ProviderError::new("no matching EC2 Security Group found")
                    .with_hint("Check the id, name, VPC, filters and tags: no security group in this region matches them all."));
            }
            1 => groups.remove(0),
            n => {
                return Err(ProviderError::new(
                    "multiple EC2 Security Groups matched; use additional constraints to reduce matches to a single EC2 Security Group",
                )
                .with_detail(format!("{n} security groups match."))
                .with_hint("Security group names are unique only within a VPC: add vpc_id."));
            }
        };
        let id = sg.group_id().unwrap_or_default();
        let owner = sg.owner_id().unwrap_or_default();
        let all_tags = tags::kept(
            &self.ec2.aws,
            sg.tags()
                .iter()
                .filter_map(|t| Some((t.key()?.to_owned(), t.value().unwrap_or("").to_owned()))),
        );
        let mut out = config.as_entries().cloned().unwrap_or_default();
        for (k, v) in [
            ("id", Value::string(id)),
            (
                "arn",
                Value::string(arn(&self.ec2.aws, owner, "security-group", id)),
            ),
            ("name", string_or_empty(sg.group_name())),
            ("description", string_or_empty(sg.description())),
            ("vpc_id", string_or_empty(sg.vpc_id())),
            ("tags", tags::tags_value(&all_tags)),
        ] {
            out.insert(k.to_owned(), v);
        }
        Ok(conform(&self.schema.block, Value::Object(out)))
    }
}
