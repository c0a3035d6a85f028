//! What a terrane provider implements: schemas, resource and data-source traits, plan diffs.
//!
//! Providers are compiled into the binary. A [`ProviderFactory`] describes a provider (its
//! name, source address and schemas) and configures [`Provider`] instances from a `provider`
//! block; a provider hands out one [`Resource`] or [`DataSource`] per type. Engine crates never
//! depend on a provider's own dependencies (such as the AWS SDK): only on this crate.

mod catalog;
mod diff;
mod error;
pub mod read;
mod registry;
mod schema;

pub use catalog::Catalog;
pub use diff::{PlannedChange, plan_default, proposed_new_state};
pub use error::ProviderError;
pub use registry::Registry;
pub use schema::{
    Attribute, Block, NestedBlock, Nesting, Schema, type_from_json, type_to_json, typed_from_json,
    typed_to_json,
};

use async_trait::async_trait;
use std::sync::Arc;
use terrane_types::Value;

/// What an apply operation may report while it runs (progress of long operations).
pub struct ApplyCtx {
    progress: Arc<dyn Fn(&str) + Send + Sync>,
}

impl ApplyCtx {
    pub fn new(progress: Arc<dyn Fn(&str) + Send + Sync>) -> ApplyCtx {
        ApplyCtx { progress }
    }

    /// A context that reports nowhere (tests, imports).
    pub fn silent() -> ApplyCtx {
        ApplyCtx::new(Arc::new(|_| {}))
    }

    /// Reports progress, e.g. "instance refresh 40% (3 instances to update)".
    pub fn progress(&self, message: &str) {
        (self.progress)(message)
    }
}

/// One resource type (`random_pet`, `aws_instance`) of a configured provider.
///
/// Values passed in and out are objects shaped by [`Resource::schema`]: `config` holds what the
/// configuration says (unknown values possible at plan time, null for unset optional
/// attributes, no sensitive marks); `prior` is the state as stored (or as refreshed).
#[async_trait]
pub trait Resource: Send + Sync {
    fn schema(&self) -> &Schema;

    /// Plans a change: the new state as far as it is known before apply, and the attributes
    /// whose change forces replacement. The default follows the schema ([`plan_default`]).
    async fn plan(
        &self,
        prior: Option<&Value>,
        config: &Value,
    ) -> Result<PlannedChange, ProviderError> {
        Ok(plan_default(self.schema(), prior, config))
    }

    /// Creates the object; returns its state, with every unknown of `planned` now known.
    async fn create(&self, planned: &Value, ctx: &ApplyCtx) -> Result<Value, ProviderError>;

    /// Updates the object in place; returns its new state.
    async fn update(
        &self,
        prior: &Value,
        planned: &Value,
        ctx: &ApplyCtx,
    ) -> Result<Value, ProviderError>;

    /// Deletes the object. Deleting something already gone is not an error.
    async fn delete(&self, prior: &Value, ctx: &ApplyCtx) -> Result<(), ProviderError>;

    /// Reads what exists for many instances at once (one batched call where the API allows):
    /// `None` for an object that no longer exists. The default trusts the state.
    async fn read_many(&self, priors: &[Value]) -> Result<Vec<Option<Value>>, ProviderError> {
        Ok(priors.iter().cloned().map(Some).collect())
    }

    /// Reads an existing object by its import id.
    async fn import(&self, id: &str) -> Result<Value, ProviderError> {
        let _ = id;
        Err(ProviderError::new(
            "This resource type does not support import.",
        ))
    }

    /// Upgrades a state object written with an older schema version.
    fn upgrade_state(
        &self,
        from_version: u64,
        state: serde_json::Value,
    ) -> Result<serde_json::Value, ProviderError> {
        let _ = from_version;
        Ok(state)
    }
}

/// One data source type (`local_file`, `aws_ami`) of a configured provider.
#[async_trait]
pub trait DataSource: Send + Sync {
    fn schema(&self) -> &Schema;

    /// Reads the data for a (wholly known) configuration.
    async fn read(&self, config: &Value) -> Result<Value, ProviderError>;
}

/// A configured provider: one `provider` block (or the default, empty one).
pub trait Provider: Send + Sync {
    fn resource(&self, type_name: &str) -> Option<Arc<dyn Resource>>;
    fn data_source(&self, type_name: &str) -> Option<Arc<dyn DataSource>>;
}

/// A provider compiled into terrane.
#[async_trait]
pub trait ProviderFactory: Send + Sync {
    /// The local name configurations use: "random", "aws".
    fn name(&self) -> &'static str;
    /// The registry source address Terraform uses for it: "hashicorp/random".
    fn source(&self) -> &'static str;
    /// The schema of its `provider` block.
    fn config_schema(&self) -> Schema;
    /// The resource types it offers, with their schemas.
    fn resource_schemas(&self) -> Vec<(&'static str, Schema)>;
    /// The data source types it offers, with their schemas.
    fn data_source_schemas(&self) -> Vec<(&'static str, Schema)>;
    /// Configures an instance from an evaluated `provider` block (an object per
    /// [`ProviderFactory::config_schema`]; an empty object when the configuration has none).
    async fn configure(&self, config: &Value) -> Result<Arc<dyn Provider>, ProviderError>;
}
