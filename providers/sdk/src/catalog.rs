//! A configured provider's resource and data source types by name: what most providers hand
//! back from `configure`.

use crate::{DataSource, Provider, Resource, Schema};
use std::collections::BTreeMap;
use std::sync::Arc;

/// A configured provider: its resource and data source types by name.
#[derive(Default)]
pub struct Catalog {
    resources: BTreeMap<&'static str, Arc<dyn Resource>>,
    data_sources: BTreeMap<&'static str, Arc<dyn DataSource>>,
}

impl Catalog {
    pub fn resource(mut self, name: &'static str, r: impl Resource + 'static) -> Catalog {
        self.resources.insert(name, Arc::new(r));
        self
    }

    pub fn data_source(mut self, name: &'static str, d: impl DataSource + 'static) -> Catalog {
        self.data_sources.insert(name, Arc::new(d));
        self
    }

    pub fn resource_schemas(&self) -> Vec<(&'static str, Schema)> {
        self.resources
            .iter()
            .map(|(k, r)| (*k, r.schema().clone()))
            .collect()
    }

    pub fn data_source_schemas(&self) -> Vec<(&'static str, Schema)> {
        self.data_sources
            .iter()
            .map(|(k, d)| (*k, d.schema().clone()))
            .collect()
    }
}

impl Provider for Catalog {
    fn resource(&self, type_name: &str) -> Option<Arc<dyn Resource>> {
        self.resources.get(type_name).cloned()
    }

    fn data_source(&self, type_name: &str) -> Option<Arc<dyn DataSource>> {
        self.data_sources.get(type_name).cloned()
    }
}

impl Catalog {
    /// Adds every type of another catalog (a provider made of several services).
    pub fn merge(mut self, other: Catalog) -> Catalog {
        self.resources.extend(other.resources);
        self.data_sources.extend(other.data_sources);
        self
    }
}
