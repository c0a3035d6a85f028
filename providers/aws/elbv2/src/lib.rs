//! Elastic Load Balancing v2 (application load balancers, target groups, listeners) resources of the aws provider.

use std::sync::Arc;
use terrane_aws_core::{Aws, Service};
use terrane_sdk::{Catalog, Schema};

/// The service: registered with the aws provider by the binary.
pub struct Elbv2Service;

impl Service for Elbv2Service {
    fn resource_schemas(&self) -> Vec<(&'static str, Schema)> {
        vec![]
    }

    fn data_source_schemas(&self) -> Vec<(&'static str, Schema)> {
        vec![]
    }

    fn configure(&self, _aws: &Arc<Aws>) -> Catalog {
        Catalog::default()
    }
}
