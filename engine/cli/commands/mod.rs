//! One module per command.

pub mod apply;
pub mod fmt;
pub mod force_unlock;
pub mod graph;
pub mod init;
pub mod output;
pub mod plan;
pub mod show;
pub mod state;
pub mod validate;
pub mod version;

use crate::Ctx;
use crate::diagnostics::render_all;
use std::path::Path;
use terrane_config::Config;
use terrane_types::{Diagnostics, SourceMap};

/// Loads the configuration in the working directory and validates it.
pub fn load_and_validate(sources: &mut SourceMap) -> (Config, Diagnostics) {
    let (config, mut diags) = terrane_config::load(Path::new("."), sources);
    if !diags.has_errors() {
        let cwd = std::env::current_dir().unwrap_or_else(|_| ".".into());
        let registry = crate::providers::registry();
        diags.extend(terrane_core::validate_with(
            &config,
            sources,
            &cwd,
            Some(&registry),
        ));
    }
    (config, diags)
}

/// Prints diagnostics to stderr for people.
pub fn print_diagnostics(diags: &Diagnostics, sources: &SourceMap, ctx: &Ctx) {
    if !diags.is_empty() {
        eprint!("{}", render_all(diags, sources, ctx.style));
    }
}
