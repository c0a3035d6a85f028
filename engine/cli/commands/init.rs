//! `terrane init`: checks that every provider the configuration needs is compiled in, that
//! every module is local and readable, and that the backend is supported; records what it
//! found under `.terraform/`, as Terraform does, so habits and `.gitignore` rules carry over.

use super::print_diagnostics;
use crate::Ctx;
use crate::output::emitln;
use serde_json::json;
use std::path::Path;
use terrane_config::{Config, ModuleNode};
use terrane_sdk::Registry;
use terrane_types::{Diagnostic, Diagnostics, SourceMap};

#[derive(clap::Args, Debug)]
pub struct Args {
    /// Accepted for compatibility: providers are compiled in, nothing is downloaded.
    #[arg(long)]
    upgrade: bool,
    /// Accepted for compatibility with `terraform init -input=false`.
    #[arg(long, default_value_t = true, action = clap::ArgAction::Set, value_name = "BOOL")]
    input: bool,
}

pub fn run(_args: Args, ctx: &Ctx) -> u8 {
    let mut sources = SourceMap::new();
    let (config, mut diags) = terrane_config::load(Path::new("."), &mut sources);
    let registry = crate::providers::registry();
    if !diags.has_errors() {
        diags.extend(check_providers(&config, &registry));
        diags.extend(check_backend(&config));
    }
    print_diagnostics(&diags, &sources, ctx);
    if diags.has_errors() {
        eprintln!("\nterrane could not be initialized: see the errors above.");
        return 1;
    }
    if let Err(e) = record(&config, &registry) {
        eprintln!("Error: Failed to write .terraform/: {e}");
        return 1;
    }
    emitln("Initializing modules...");
    for m in config.root.walk().into_iter().skip(1) {
        emitln(&format!(
            "- {} in {}",
            m.path.join("."),
            m.module.dir.display()
        ));
    }
    emitln("\nInitializing provider plugins...");
    for (local, source) in required(&config) {
        if let Some(f) = registry.by_source(&source) {
            emitln(&format!("- Using built-in {} ({local})", f.source()));
        }
    }
    emitln("");
    if ctx.style.color {
        emitln("\x1b[32m\x1b[1mterrane has been successfully initialized!\x1b[0m");
    } else {
        emitln("terrane has been successfully initialized!");
    }
    emitln(
        "\nYou may now begin working with terrane. Try running \"terrane plan\" to see\nany changes that are required for your infrastructure.",
    );
    0
}

/// Every (local name, source) the configuration needs: `required_providers` entries and the
/// providers resources imply by their type prefix.
fn required(config: &Config) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = Vec::new();
    for m in config.root.walk() {
        for p in m.module.terraform.required_providers.values() {
            out.push((p.local_name.clone(), p.source.clone()));
        }
        for r in m.module.resources.values() {
            let local = r.provider_name().to_owned();
            if !out.iter().any(|(l, _)| *l == local) {
                let source = implied(m, &local);
                out.push((local, source));
            }
        }
    }
    out.sort();
    out.dedup();
    out
}

fn implied(m: &ModuleNode, local: &str) -> String {
    m.module
        .terraform
        .required_providers
        .get(local)
        .map(|p| p.source.clone())
        .unwrap_or_else(|| {
            if local == "terraform" {
                "terraform.io/builtin/terraform".into()
            } else {
                format!("hashicorp/{local}")
            }
        })
}

fn check_providers(config: &Config, registry: &Registry) -> Diagnostics {
    let mut diags = Diagnostics::new();
    let known: Vec<&str> = registry.names().collect();
    for m in config.root.walk() {
        for p in m.module.terraform.required_providers.values() {
            if registry.by_source(&p.source).is_none() {
                diags.push(
                    Diagnostic::error("Provider not available")
                        .with_detail(format!(
                            "terrane has no built-in provider \"{}\" (required as \"{}\"); providers are compiled into terrane and none is downloaded. Built-in providers: {}.",
                            p.source,
                            p.local_name,
                            known.join(", ")
                        ))
                        .with_span(p.span),
                );
            }
        }
        for r in m.module.resources.values() {
            let source = implied(m, r.provider_name());
            if registry.by_source(&source).is_none()
                && !m
                    .module
                    .terraform
                    .required_providers
                    .contains_key(r.provider_name())
            {
                diags.push(
                    Diagnostic::error("Provider not available")
                        .with_detail(format!(
                            "{} needs the provider \"{source}\", which is not built into terrane. Built-in providers: {}.",
                            r.address(),
                            known.join(", ")
                        ))
                        .with_span(r.decl_span),
                );
            }
        }
    }
    diags.sort();
    diags
}

fn check_backend(config: &Config) -> Diagnostics {
    let mut diags = Diagnostics::new();
    if let Some(b) = &config.root.module.terraform.backend
        && b.kind != "local"
    {
        diags.push(
            Diagnostic::error("Backend not supported yet")
                .with_detail(format!(
                    "terrane keeps state in the \"local\" backend for now; the \"{}\" backend is not supported yet.",
                    b.kind
                ))
                .with_span(b.span),
        );
    }
    diags
}

/// `.terraform/modules/modules.json` in Terraform's format, and terrane's own record of the
/// providers it selected.
fn record(config: &Config, registry: &Registry) -> std::io::Result<()> {
    std::fs::create_dir_all(".terraform/modules")?;
    let mut modules = vec![json!({"Key": "", "Source": "", "Dir": "."})];
    for m in config.root.walk().into_iter().skip(1) {
        let parent_call = m.path.last().cloned().unwrap_or_default();
        let source = config
            .root
            .walk()
            .into_iter()
            .find(|p| p.children.values().any(|c| c.path == m.path))
            .and_then(|p| p.module.module_calls.get(&parent_call))
            .map(|c| c.source.clone())
            .unwrap_or_default();
        modules.push(json!({
            "Key": m.path.join("."),
            "Source": source,
            "Dir": m.module.dir.to_string_lossy(),
        }));
    }
    std::fs::write(
        ".terraform/modules/modules.json",
        serde_json::to_string(&json!({ "Modules": modules }))? + "\n",
    )?;
    let providers: Vec<_> = required(config)
        .into_iter()
        .filter_map(|(local, source)| {
            registry
                .by_source(&source)
                .map(|f| json!({"local_name": local, "source": f.source(), "built_in": true}))
        })
        .collect();
    std::fs::write(
        ".terraform/terrane.json",
        serde_json::to_string_pretty(&json!({
            "terrane_version": env!("CARGO_PKG_VERSION"),
            "providers": providers,
            "backend": config.root.module.terraform.backend.as_ref().map_or("local", |b| b.kind.as_str()),
        }))? + "\n",
    )?;
    Ok(())
}
