//! `terrane validate`: is the configuration valid, independent of state and variables' values.

use super::{load_and_validate, print_diagnostics};
use crate::Ctx;
use crate::diagnostics::to_json;
use serde_json::json;
use terrane_types::{Severity, SourceMap};

#[derive(clap::Args, Debug)]
pub struct Args {
    /// Print the result as JSON (Terraform's validate -json format).
    #[arg(long)]
    json: bool,
}

pub fn run(args: Args, ctx: &Ctx) -> u8 {
    let mut sources = SourceMap::new();
    let (_config, mut diags) = load_and_validate(&mut sources);
    diags.sort();
    let errors = diags
        .iter()
        .filter(|d| d.severity == Severity::Error)
        .count();
    let warnings = diags.len() - errors;
    if args.json {
        let out = json!({
            "format_version": "1.0",
            "valid": errors == 0,
            "error_count": errors,
            "warning_count": warnings,
            "diagnostics": diags.iter().map(|d| to_json(d, &sources)).collect::<Vec<_>>(),
        });
        crate::output::emitln(&serde_json::to_string_pretty(&out).unwrap_or_default());
        return u8::from(errors > 0);
    }
    print_diagnostics(&diags, &sources, ctx);
    if errors > 0 {
        return 1;
    }
    if ctx.style.color {
        crate::output::emitln("\x1b[32m\x1b[1mSuccess!\x1b[0m The configuration is valid.");
    } else {
        crate::output::emitln("Success! The configuration is valid.");
    }
    if warnings > 0 {
        crate::output::emitln(&format!(
            "({warnings} warning{} above)",
            if warnings == 1 { "" } else { "s" }
        ));
    }
    0
}
