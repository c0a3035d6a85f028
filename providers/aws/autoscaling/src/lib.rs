//! EC2 Auto Scaling resources of the aws provider (groups with instance refresh, policies, attachments).

use std::sync::Arc;
use terrane_aws_core::{Aws, Service};
use terrane_sdk::{Catalog, Schema};

/// The service: registered with the aws provider by the binary.
pub struct AutoscalingService;

impl Service for AutoscalingService {
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
