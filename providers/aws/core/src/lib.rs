//! The "aws" provider's core: its `provider "aws"` block, credentials and region through
//! aws-config's standard chain, one SDK configuration per provider instance, AWS errors as
//! diagnostics, tags, waiting, and the services (EC2, ...) that contribute resource types.
//!
//! Each AWS service is its own crate implementing [`Service`]; the binary hands them all to
//! [`AwsFactory`], which is the provider the registry knows as `hashicorp/aws`.

mod config;
mod error;
mod meta;
pub mod naming;
pub mod tags;
pub mod wait;

pub use config::{Aws, Identity, Settings, config_schema};
pub use error::{AwsErrorExt, sdk_error};

use async_trait::async_trait;
use std::sync::Arc;
use terrane_sdk::{Catalog, Provider, ProviderError, ProviderFactory, Schema};
use terrane_types::Value;

/// One AWS service's resource and data source types.
pub trait Service: Send + Sync {
    /// Schemas by type name, without a configured provider (validate, `providers schema`).
    fn resource_schemas(&self) -> Vec<(&'static str, Schema)>;
    fn data_source_schemas(&self) -> Vec<(&'static str, Schema)>;
    /// The types, with clients built once from the provider's configuration.
    fn configure(&self, aws: &Arc<Aws>) -> Catalog;
}

/// The `aws` provider: its configuration and the services compiled in.
pub struct AwsFactory {
    services: Vec<Arc<dyn Service>>,
    settings: Settings,
}

impl AwsFactory {
    pub fn new(mut services: Vec<Arc<dyn Service>>) -> AwsFactory {
        services.insert(0, Arc::new(meta::Meta));
        AwsFactory {
            services,
            settings: Settings::from_env(),
        }
    }

    /// terrane's own behaviour for this run (from the command line).
    pub fn with_settings(mut self, settings: Settings) -> AwsFactory {
        self.settings = settings;
        self
    }
}

#[async_trait]
impl ProviderFactory for AwsFactory {
    fn name(&self) -> &'static str {
        "aws"
    }

    fn source(&self) -> &'static str {
        "hashicorp/aws"
    }

    fn config_schema(&self) -> Schema {
        config_schema()
    }

    fn resource_schemas(&self) -> Vec<(&'static str, Schema)> {
        self.services
            .iter()
            .flat_map(|s| s.resource_schemas())
            .collect()
    }

    fn data_source_schemas(&self) -> Vec<(&'static str, Schema)> {
        self.services
            .iter()
            .flat_map(|s| s.data_source_schemas())
            .collect()
    }

    async fn configure(&self, config: &Value) -> Result<Arc<dyn Provider>, ProviderError> {
        let aws = Arc::new(Aws::configure(config, self.settings.clone()).await?);
        let catalog = self
            .services
            .iter()
            .fold(Catalog::default(), |c, s| c.merge(s.configure(&aws)));
        Ok(Arc::new(catalog))
    }
}
