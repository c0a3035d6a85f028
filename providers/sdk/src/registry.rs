//! The providers compiled into terrane, found by local name or by registry source address.

use crate::ProviderFactory;
use std::collections::BTreeMap;
use std::sync::Arc;

#[derive(Default, Clone)]
pub struct Registry {
    by_name: BTreeMap<&'static str, Arc<dyn ProviderFactory>>,
}

impl Registry {
    pub fn new() -> Registry {
        Registry::default()
    }

    pub fn register(&mut self, factory: Arc<dyn ProviderFactory>) {
        self.by_name.insert(factory.name(), factory);
    }

    /// The provider a configuration's local name refers to ("random").
    pub fn by_name(&self, name: &str) -> Option<&Arc<dyn ProviderFactory>> {
        self.by_name.get(name)
    }

    /// The provider for a `required_providers` source: `hashicorp/aws`,
    /// `registry.terraform.io/hashicorp/aws` and `registry.opentofu.org/hashicorp/aws` all
    /// name the same built-in provider.
    pub fn by_source(&self, source: &str) -> Option<&Arc<dyn ProviderFactory>> {
        let wanted = normalize_source(source);
        self.by_name
            .values()
            .find(|f| normalize_source(f.source()) == wanted)
    }

    pub fn names(&self) -> impl Iterator<Item = &'static str> + '_ {
        self.by_name.keys().copied()
    }
}

/// `registry.terraform.io/HashiCorp/AWS` → `hashicorp/aws`.
fn normalize_source(source: &str) -> String {
    let lower = source.trim().to_lowercase();
    let parts: Vec<&str> = lower.split('/').collect();
    match parts.as_slice() {
        [_host, ns, name] => format!("{ns}/{name}"),
        [ns, name] => format!("{ns}/{name}"),
        [name] => format!("hashicorp/{name}"),
        _ => lower.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::normalize_source;

    #[test]
    fn source_addresses_are_compared_without_host_or_case() {
        assert_eq!(
            normalize_source("registry.terraform.io/HashiCorp/AWS"),
            "hashicorp/aws"
        );
        assert_eq!(
            normalize_source("registry.opentofu.org/hashicorp/aws"),
            "hashicorp/aws"
        );
        assert_eq!(normalize_source("aws"), "hashicorp/aws");
    }
}
