//! EC2 resources and data sources of the aws provider (VPCs, subnets, gateways, route
//! tables, security groups, key pairs, instances, launch templates, AMIs, zones), with
//! Terraform's attribute names and semantics. Refresh is batched: reading N objects of a
//! type costs ceil(N / page) Describe calls.

mod common;
mod instance;
mod vpc;

use std::sync::Arc;
use terrane_aws_core::{Aws, Service};
use terrane_sdk::{Catalog, Schema};

pub use common::Ec2;

/// The EC2 service: registered with the aws provider by the binary.
pub struct Ec2Service;

impl Service for Ec2Service {
    fn resource_schemas(&self) -> Vec<(&'static str, Schema)> {
        vec![
            ("aws_vpc", vpc::schema()),
            ("aws_instance", instance::schema()),
        ]
    }

    fn data_source_schemas(&self) -> Vec<(&'static str, Schema)> {
        Vec::new()
    }

    fn configure(&self, aws: &Arc<Aws>) -> Catalog {
        let ec2 = Arc::new(Ec2::new(aws.clone()));
        Catalog::default()
            .resource("aws_vpc", vpc::Vpc::new(ec2.clone()))
            .resource("aws_instance", instance::AwsInstance::new(ec2.clone()))
    }
}
