//! Which compiled-in provider serves a resource, and its configured instances (one per
//! provider block: local name and alias).

use std::collections::HashMap;
use std::sync::Arc;
use terrane_config::{ModuleNode, Resource};
use terrane_sdk::{Provider, ProviderError, ProviderFactory, Registry};
use terrane_types::{Diagnostic, Value};

/// A provider configuration's identity: `aws` or `aws.west`.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct ProviderKey {
    pub local_name: String,
    pub alias: Option<String>,
    pub source: String,
}

/// A configured provider, with the names the state and messages use for it.
#[derive(Clone)]
pub struct ResolvedProvider {
    /// The local name ("random").
    pub name: String,
    /// `provider["registry.terraform.io/hashicorp/random"]`, as Terraform's state writes it.
    pub state_name: String,
    pub provider: Arc<dyn Provider>,
}

/// The registry of compiled-in providers and the instances configured so far.
pub struct ProviderSet {
    registry: Registry,
    configured: HashMap<ProviderKey, ResolvedProvider>,
}

impl ProviderSet {
    pub fn new(registry: Registry) -> ProviderSet {
        ProviderSet {
            registry,
            configured: HashMap::new(),
        }
    }

    pub fn registry(&self) -> &Registry {
        &self.registry
    }

    /// The factory for a resource's provider, from `required_providers` (of its module, then
    /// the root) or the implied `hashicorp/<prefix>`.
    pub fn factory_for(
        &self,
        m: &ModuleNode,
        r: &Resource,
        root: Option<&ModuleNode>,
    ) -> Result<(Arc<dyn ProviderFactory>, ProviderKey), Diagnostic> {
        let local = r.provider_name().to_owned();
        let source = m
            .module
            .terraform
            .required_providers
            .get(&local)
            .or_else(|| root.and_then(|r| r.module.terraform.required_providers.get(&local)))
            .map(|p| p.source.clone())
            .unwrap_or_else(|| implied_source(&local));
        let Some(factory) = self.registry.by_source(&source) else {
            let known: Vec<&str> = self.registry.names().collect();
            return Err(Diagnostic::error("Provider not available")
                .with_detail(format!(
                    "terrane has no built-in provider \"{source}\" for {}. The providers compiled into this terrane are: {}.",
                    r.address(),
                    known.join(", ")
                ))
                .with_span(r.decl_span));
        };
        let key = ProviderKey {
            local_name: local,
            alias: r.provider.as_ref().and_then(|p| p.alias.clone()),
            source: factory.source().to_owned(),
        };
        Ok((factory.clone(), key))
    }

    /// The factory and instance key for a provider address as the state records it:
    /// `provider["registry.terraform.io/hashicorp/random"].alias`.
    pub fn factory_for_state_name(
        &self,
        state_name: &str,
    ) -> Option<(Arc<dyn ProviderFactory>, ProviderKey)> {
        let rest = state_name.strip_prefix("provider[\"")?;
        let (source, after) = rest.split_once("\"]")?;
        let alias = after.strip_prefix('.').map(str::to_owned);
        let factory = self.registry.by_source(source)?;
        let key = ProviderKey {
            local_name: factory.name().to_owned(),
            alias,
            source: factory.source().to_owned(),
        };
        Some((factory.clone(), key))
    }

    pub fn configured(&self, key: &ProviderKey) -> Option<ResolvedProvider> {
        self.configured.get(key).cloned()
    }

    /// Configures a provider instance (once per key).
    pub async fn configure(
        &mut self,
        factory: Arc<dyn ProviderFactory>,
        key: ProviderKey,
        config: &Value,
    ) -> Result<ResolvedProvider, ProviderError> {
        if let Some(p) = self.configured.get(&key) {
            return Ok(p.clone());
        }
        // The summary names the provider; what went wrong moves into the detail.
        let provider = factory.configure(config).await.map_err(|mut e| {
            e.detail = match e.detail.is_empty() {
                true => e.summary.clone(),
                false => format!("{}: {}", e.summary, e.detail),
            };
            e.summary = key.local_name.clone();
            e
        })?;
        let resolved = ResolvedProvider {
            name: key.local_name.clone(),
            state_name: state_name(factory.source(), key.alias.as_deref()),
            provider,
        };
        self.configured.insert(key, resolved.clone());
        Ok(resolved)
    }
}

/// `random` → `hashicorp/random`; the built-in `terraform` provider has its own address.
fn implied_source(local: &str) -> String {
    if local == "terraform" {
        "terraform.io/builtin/terraform".into()
    } else {
        format!("hashicorp/{local}")
    }
}

/// The provider address as Terraform's state writes it.
pub fn state_name(source: &str, alias: Option<&str>) -> String {
    let full = if source.matches('/').count() == 1 {
        format!("registry.terraform.io/{source}")
    } else {
        source.to_owned()
    };
    match alias {
        Some(a) => format!("provider[\"{full}\"].{a}"),
        None => format!("provider[\"{full}\"]"),
    }
}
