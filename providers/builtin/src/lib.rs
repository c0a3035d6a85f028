//! The offline providers: terraform_data, null, random, local, archive and time.
//!
//! Each module is one provider with the names, source address, attributes, defaults and
//! behaviour of the Terraform provider it stands in for, so configurations written for those
//! providers run unchanged. None of them talks to a network: they generate values, touch the
//! local file system or wait. Relative paths resolve against the process working directory,
//! as in Terraform (the engine changes to it for `-chdir`).

pub mod archive;
pub mod local;
pub mod null;
pub mod random;
pub mod terraform;
pub mod time;

mod rng;
mod util;

use std::sync::Arc;

pub use crate::time::TimeProvider;
pub use archive::ArchiveProvider;
pub use local::LocalProvider;
pub use null::NullProvider;
pub use random::RandomProvider;
pub use terraform::TerraformProvider;

/// Registers every provider of this crate.
pub fn register_all(registry: &mut terrane_sdk::Registry) {
    registry.register(Arc::new(TerraformProvider));
    registry.register(Arc::new(NullProvider));
    registry.register(Arc::new(RandomProvider));
    registry.register(Arc::new(LocalProvider));
    registry.register(Arc::new(ArchiveProvider));
    registry.register(Arc::new(TimeProvider));
}

#[cfg(test)]
mod tests {
    use super::*;
    use terrane_sdk::Registry;

    #[test]
    fn every_provider_is_found_by_name_and_by_source_address() {
        let mut registry = Registry::new();
        register_all(&mut registry);
        for (name, source) in [
            ("terraform", "terraform.io/builtin/terraform"),
            ("null", "registry.terraform.io/hashicorp/null"),
            ("random", "hashicorp/random"),
            ("local", "hashicorp/local"),
            ("archive", "hashicorp/archive"),
            ("time", "registry.opentofu.org/hashicorp/time"),
        ] {
            assert_eq!(registry.by_name(name).map(|f| f.name()), Some(name));
            assert_eq!(registry.by_source(source).map(|f| f.name()), Some(name));
        }
    }

    #[tokio::test]
    async fn every_configured_provider_hands_out_each_type_it_lists() {
        let mut registry = Registry::new();
        register_all(&mut registry);
        let names: Vec<&str> = registry.names().collect();
        for name in names {
            let Some(factory) = registry.by_name(name) else {
                panic!("{name} is listed but not found");
            };
            let provider = factory
                .configure(&terrane_types::Value::object::<&str>([]))
                .await
                .unwrap();
            for (type_name, schema) in factory.resource_schemas() {
                let r = provider.resource(type_name).unwrap();
                assert_eq!(r.schema(), &schema, "{type_name}");
            }
            for (type_name, schema) in factory.data_source_schemas() {
                let d = provider.data_source(type_name).unwrap();
                assert_eq!(d.schema(), &schema, "{type_name}");
            }
        }
    }
}
