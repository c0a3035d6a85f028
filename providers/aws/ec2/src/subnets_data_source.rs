//! `data "aws_subnets"`: the ids of the subnets that match `filter` blocks and `tags`
//! (possibly none, as in Terraform).

use crate::common::{Ec2, config_filters, filter_block, tag_filters};
use async_trait::async_trait;
use std::sync::Arc;
use terrane_aws_core::sdk_error;
use terrane_sdk::read::conform;
use terrane_sdk::{Attribute, Block, DataSource, ProviderError, Schema};
use terrane_types::{Type, Value};

pub(crate) fn schema() -> Schema {
    Schema::new(
        Block::new()
            .describe("Looks up the ids of subnets.")
            .attr(
                "tags",
                Attribute::optional_computed(Type::map(Type::String))
                    .describe("Tags the subnets must have."),
            )
            .attr(
                "ids",
                Attribute::computed(Type::list(Type::String)).describe("The subnets' ids."),
            )
            .attr("id", Attribute::computed(Type::String))
            .block("filter", filter_block()),
    )
}

pub(crate) struct SubnetsData {
    ec2: Arc<Ec2>,
    schema: Schema,
}

impl SubnetsData {
    pub(crate) fn new(ec2: Arc<Ec2>) -> SubnetsData {
        SubnetsData {
            ec2,
            schema: schema(),
        }
    }
}

#[async_trait]
impl DataSource for SubnetsData {
    fn schema(&self) -> &Schema {
        &self.schema
    }

    async fn read(&self, config: &Value) -> Result<Value, ProviderError> {
        let mut filters = tag_filters(config);
        filters.extend(config_filters(config));
        let mut pages = self
            .ec2
            .client
            .describe_subnets()
            .set_filters((!filters.is_empty()).then_some(filters))
            .into_paginator()
            .send();
        let mut ids = Vec::new();
        while let Some(page) = pages.next().await {
            let page = page.map_err(|e| sdk_error("reading EC2 Subnets", e))?;
            ids.extend(
                page.subnets()
                    .iter()
                    .filter_map(|s| s.subnet_id())
                    .map(Value::string),
            );
        }
        let mut out = config.as_entries().cloned().unwrap_or_default();
        out.insert("id".into(), Value::string(&self.ec2.aws.region));
        out.insert("ids".into(), Value::List(ids));
        Ok(conform(&self.schema.block, Value::Object(out)))
    }
}
