//! Data sources about the provider itself: `aws_region`, `aws_caller_identity`,
//! `aws_partition` (modules use them to build ARNs and URIs).

use crate::{Aws, Service};
use async_trait::async_trait;
use std::sync::Arc;
use terrane_sdk::read::string;
use terrane_sdk::{Attribute, Block, Catalog, DataSource, ProviderError, Schema};
use terrane_types::{Type, Value};

pub(crate) struct Meta;

fn region_schema() -> Schema {
    Schema::new(
        Block::new()
            .attr("name", Attribute::optional_computed(Type::String))
            .attr("region", Attribute::optional_computed(Type::String))
            .attr("endpoint", Attribute::optional_computed(Type::String))
            .attr("description", Attribute::computed(Type::String))
            .attr("id", Attribute::computed(Type::String)),
    )
}

fn identity_schema() -> Schema {
    Schema::new(
        Block::new()
            .attr("account_id", Attribute::computed(Type::String))
            .attr("arn", Attribute::computed(Type::String))
            .attr("user_id", Attribute::computed(Type::String))
            .attr("id", Attribute::computed(Type::String)),
    )
}

fn partition_schema() -> Schema {
    Schema::new(
        Block::new()
            .attr("partition", Attribute::computed(Type::String))
            .attr("dns_suffix", Attribute::computed(Type::String))
            .attr("reverse_dns_prefix", Attribute::computed(Type::String))
            .attr("id", Attribute::computed(Type::String)),
    )
}

impl Service for Meta {
    fn resource_schemas(&self) -> Vec<(&'static str, Schema)> {
        Vec::new()
    }

    fn data_source_schemas(&self) -> Vec<(&'static str, Schema)> {
        vec![
            ("aws_region", region_schema()),
            ("aws_caller_identity", identity_schema()),
            ("aws_partition", partition_schema()),
        ]
    }

    fn configure(&self, aws: &Arc<Aws>) -> Catalog {
        Catalog::default()
            .data_source("aws_region", RegionData(aws.clone(), region_schema()))
            .data_source(
                "aws_caller_identity",
                IdentityData(aws.clone(), identity_schema()),
            )
            .data_source(
                "aws_partition",
                PartitionData(aws.clone(), partition_schema()),
            )
    }
}

struct RegionData(Arc<Aws>, Schema);

#[async_trait]
impl DataSource for RegionData {
    fn schema(&self) -> &Schema {
        &self.1
    }

    async fn read(&self, config: &Value) -> Result<Value, ProviderError> {
        let asked = string(config, "name").or_else(|| string(config, "region"));
        let name = asked.unwrap_or(&self.0.region).to_owned();
        let suffix = match crate::config::partition_of(&name) {
            "aws-cn" => "amazonaws.com.cn",
            _ => "amazonaws.com",
        };
        Ok(Value::object([
            ("name", Value::string(&name)),
            ("region", Value::string(&name)),
            ("id", Value::string(&name)),
            ("endpoint", Value::string(format!("ec2.{name}.{suffix}"))),
            ("description", Value::string(region_description(&name))),
        ]))
    }
}

/// AWS's own names for the regions people use most.
fn region_description(region: &str) -> String {
    let known = [
        ("us-east-1", "US East (N. Virginia)"),
        ("us-east-2", "US East (Ohio)"),
        ("us-west-1", "US West (N. California)"),
        ("us-west-2", "US West (Oregon)"),
        ("eu-west-1", "Europe (Ireland)"),
        ("eu-west-2", "Europe (London)"),
        ("eu-west-3", "Europe (Paris)"),
        ("eu-central-1", "Europe (Frankfurt)"),
        ("eu-north-1", "Europe (Stockholm)"),
        ("ap-northeast-1", "Asia Pacific (Tokyo)"),
        ("ap-southeast-1", "Asia Pacific (Singapore)"),
        ("ap-southeast-2", "Asia Pacific (Sydney)"),
        ("sa-east-1", "South America (Sao Paulo)"),
        ("ca-central-1", "Canada (Central)"),
    ];
    known
        .iter()
        .find(|(r, _)| *r == region)
        .map_or_else(|| region.to_owned(), |(_, d)| (*d).to_owned())
}

struct IdentityData(Arc<Aws>, Schema);

#[async_trait]
impl DataSource for IdentityData {
    fn schema(&self) -> &Schema {
        &self.1
    }

    async fn read(&self, _: &Value) -> Result<Value, ProviderError> {
        let id = self.0.identity().await?;
        Ok(Value::object([
            ("account_id", Value::string(&id.account_id)),
            ("id", Value::string(&id.account_id)),
            ("arn", Value::string(&id.arn)),
            ("user_id", Value::string(&id.user_id)),
        ]))
    }
}

struct PartitionData(Arc<Aws>, Schema);

#[async_trait]
impl DataSource for PartitionData {
    fn schema(&self) -> &Schema {
        &self.1
    }

    async fn read(&self, _: &Value) -> Result<Value, ProviderError> {
        let partition = self.0.partition();
        let suffix = self.0.dns_suffix();
        let reverse: String = suffix.split('.').rev().collect::<Vec<_>>().join(".");
        Ok(Value::object([
            ("partition", Value::string(partition)),
            ("id", Value::string(partition)),
            ("dns_suffix", Value::string(suffix)),
            ("reverse_dns_prefix", Value::string(reverse)),
        ]))
    }
}
