//! What plan, apply and destroy share: the configuration loaded and validated, the state
//! locked and read (recovering an interrupted apply first), and the input variables.

use crate::Ctx;
use crate::commands::print_diagnostics;
use indexmap::IndexMap;
use std::path::{Path, PathBuf};
use terrane_config::{Config, InputValue, VarArg};
use terrane_core::plan::Prior;
use terrane_state::{LocalBackend, Lock, State};
use terrane_types::SourceMap;

pub struct Session {
    pub sources: SourceMap,
    pub config: Config,
    pub registry: terrane_sdk::Registry,
    pub backend: LocalBackend,
    pub state: State,
    pub prior: Prior,
    pub inputs: IndexMap<String, InputValue>,
    pub cwd: PathBuf,
    /// The state lock, held until the session ends (released on drop).
    pub _lock: Option<Lock>,
}

/// Opens a session, printing problems; `Err(exit code)` when it cannot go on.
pub fn open(ctx: &Ctx, operation: &str, lock: bool) -> Result<Session, u8> {
    let mut sources = SourceMap::new();
    let (config, mut diags) = terrane_config::load(Path::new("."), &mut sources);
    let cwd = std::env::current_dir().unwrap_or_else(|_| ".".into());
    if !diags.has_errors() {
        let registry = crate::providers::registry();
        diags.extend(terrane_core::validate_with(
            &config,
            &sources,
            &cwd,
            Some(&registry),
        ));
    }
    if diags.has_errors() {
        print_diagnostics(&diags, &sources, ctx);
        return Err(1);
    }
    let backend = backend_for(&config);
    let held = if lock {
        match backend.lock(operation) {
            Ok(l) => Some(l),
            Err(e) => {
                eprintln!("Error: Error acquiring the state lock\n\n{e}");
                return Err(1);
            }
        }
    } else {
        None
    };
    match terrane_state::Journal::recover(&backend) {
        Ok(Some(report)) => {
            eprintln!(
                "Recovered an interrupted apply: {} recorded change(s) from {} were saved to the state.",
                report.applied,
                report.journal.display()
            );
            for u in &report.uncertain {
                eprintln!(
                    "Warning: {} may have been {}d by the interrupted apply without being recorded; check whether it exists (and import it if so).",
                    u.addr,
                    u.action.as_str()
                );
            }
        }
        Ok(None) => {}
        Err(e) => {
            eprintln!("Error: Failed to recover the interrupted apply\n\n{e}");
            return Err(1);
        }
    }
    let state = match backend.read() {
        Ok(Some(s)) => s,
        // No state yet: an empty lineage stands for "none" (so a saved plan made now still
        // matches at apply); the first write gives it a lineage.
        Ok(None) => State::new(""),
        Err(e) => {
            eprintln!("Error: Failed to load state\n\n{e}");
            return Err(1);
        }
    };
    let registry = crate::providers::registry();
    let (prior, prior_diags) = crate::state_io::prior_from_state(&state, &registry);
    diags.extend(prior_diags);
    let declared = |n: &str| config.root.module.variables.contains_key(n);
    let (inputs, input_diags) = terrane_config::collect_inputs(
        Path::new("."),
        &ctx.var_args,
        std::env::vars(),
        &declared,
        &mut sources,
    );
    diags.extend(input_diags);
    print_diagnostics(&diags, &sources, ctx);
    if diags.has_errors() {
        return Err(1);
    }
    Ok(Session {
        sources,
        config,
        registry,
        backend,
        state,
        prior,
        inputs,
        cwd,
        _lock: held,
    })
}

/// `terraform.tfstate` in the working directory, or `backend "local" { path = ... }`.
fn backend_for(config: &Config) -> LocalBackend {
    let path = config
        .root
        .module
        .terraform
        .backend
        .as_ref()
        .filter(|b| b.kind == "local")
        .and_then(|b| b.body.attr("path"))
        .and_then(|a| terrane_config::constant_value(&a.expr).ok())
        .and_then(|v| v.as_str().map(str::to_owned));
    match path {
        Some(p) => LocalBackend::new(p),
        None => LocalBackend::in_dir(Path::new(".")),
    }
}

/// One tokio runtime for a command.
pub fn runtime() -> Result<tokio::runtime::Runtime, u8> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| {
            eprintln!("Error: could not start the async runtime: {e}");
            1
        })
}

/// The `-var` and `-var-file` options, in the order given (Terraform's precedence depends on
/// it; clap keeps each option's values apart).
pub fn var_args(args: &[std::ffi::OsString]) -> Vec<VarArg> {
    let mut out = Vec::new();
    let mut iter = args.iter().filter_map(|a| a.to_str());
    while let Some(a) = iter.next() {
        if a == "--" {
            break;
        }
        if let Some(v) = a.strip_prefix("--var=") {
            out.push(VarArg::Var(v.to_owned()));
        } else if a == "--var" {
            if let Some(v) = iter.next() {
                out.push(VarArg::Var(v.to_owned()));
            }
        } else if let Some(v) = a.strip_prefix("--var-file=") {
            out.push(VarArg::File(v.into()));
        } else if a == "--var-file"
            && let Some(v) = iter.next()
        {
            out.push(VarArg::File(v.into()));
        }
    }
    out
}
