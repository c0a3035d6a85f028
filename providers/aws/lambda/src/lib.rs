//! (skeleton) Lambda resources of the aws provider.

use std::sync::Arc;
use terrane_aws_core::{Aws, Service};
use terrane_sdk::{Catalog, Schema};

/// The service: registered with the aws provider by the binary.
pub struct LambdaService;

impl Service for LambdaService {
    fn resource_schemas(&self) -> Vec<(&'static str, Schema)> {
        vec![]
    }

    fn data_source_schemas(&self) -> Vec<(&'static str, Schema)> {
        vec![]
    }

    fn configure(&self, aws: &Arc<Aws>) -> Catalog {
        let mut conf = aws_sdk_lambda::config::Builder::from(&aws.sdk);
        if let Some(url) = aws.endpoint("lambda") {
            conf = conf.endpoint_url(url);
        }
        let _client = aws_sdk_lambda::Client::from_conf(conf.build());
        Catalog::default()
    }
}
