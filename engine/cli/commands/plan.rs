//! `terrane plan`: what apply would do. Exit codes with `--detailed-exitcode`: 0 no changes,
//! 1 error, 2 changes.

use crate::Ctx;
use crate::commands::print_diagnostics;
use crate::output::{emit, emitln};
use crate::session::{self, Session};
use std::path::PathBuf;
use std::sync::Arc;
use terrane_core::plan::{PlanOptions, plan};
use terrane_core::providers::ProviderSet;
use terrane_plan::{Plan, PlanMode, ResourceChange, Style};
use terrane_types::Diagnostics;

/// Options plan and apply share.
#[derive(clap::Args, Debug, Clone)]
pub struct PlanArgs {
    /// Set a root variable: `-var 'name=value'` (repeatable).
    #[arg(long = "var", value_name = "NAME=VALUE")]
    pub var: Vec<String>,
    /// Read root variables from a file (repeatable; later files win).
    #[arg(long = "var-file", value_name = "FILE")]
    pub var_file: Vec<PathBuf>,
    /// Plan to destroy every object in the state.
    #[arg(long)]
    pub destroy: bool,
    /// Only update the state to match what exists; change nothing.
    #[arg(long = "refresh-only")]
    pub refresh_only: bool,
    /// Plan only these resources, instances or modules and what they depend on.
    #[arg(long = "target", value_name = "ADDRESS")]
    pub target: Vec<String>,
    /// Plan to replace this instance even if nothing changed (repeatable).
    #[arg(long = "replace", value_name = "ADDRESS")]
    pub replace: Vec<String>,
    /// Hold the state lock while working (Terraform's -lock).
    #[arg(long, default_value_t = true, action = clap::ArgAction::Set, value_name = "BOOL")]
    pub lock: bool,
    /// Accepted for compatibility (`-input=false`): terrane never prompts for variables.
    #[arg(long, default_value_t = true, action = clap::ArgAction::Set, value_name = "BOOL")]
    pub input: bool,
    /// How many provider operations may run at once.
    #[arg(long, default_value_t = 10)]
    pub parallelism: usize,
    /// Read what exists before planning (Terraform's -refresh; `-refresh=false` trusts the
    /// state).
    #[arg(long, default_value_t = true, action = clap::ArgAction::Set, value_name = "BOOL")]
    pub refresh: bool,
}

#[derive(clap::Args, Debug)]
pub struct Args {
    #[command(flatten)]
    pub common: PlanArgs,
    /// Save the plan to FILE, for `terrane apply FILE`.
    #[arg(long = "out", value_name = "FILE")]
    out: Option<PathBuf>,
    /// Exit with 2 when there are changes, 0 when there are none.
    #[arg(long = "detailed-exitcode")]
    detailed_exitcode: bool,
    /// Machine-readable output: Terraform's UI events, one JSON object per line.
    #[arg(long)]
    json: bool,
}

pub fn run(args: Args, ctx: &Ctx) -> u8 {
    let Some(mode) = mode(&args.common) else {
        return 1;
    };
    let mut s = match session::open(ctx, "OperationTypePlan", args.common.lock) {
        Ok(s) => s,
        Err(code) => return code,
    };
    let (plan, diags) = match make_plan(&mut s, &args.common, mode) {
        Ok(p) => p,
        Err(code) => return code,
    };
    if args.json {
        crate::ui_json::version();
        crate::ui_json::diagnostics(&diags, &s.sources);
        if diags.has_errors() {
            return 1;
        }
        crate::ui_json::plan(&plan);
        crate::ui_json::outputs(&plan);
    } else {
        print_diagnostics(&diags, &s.sources, ctx);
        if diags.has_errors() {
            return 1;
        }
        emit(&render(&plan, &s, ctx));
    }
    if let Some(out) = &args.out {
        if let Err(e) = plan.write_file(out) {
            eprintln!("Error: Failed to write plan file {}: {e}", out.display());
            return 1;
        }
        if !args.json {
            emitln(&format!(
                "\nSaved the plan to: {}\n\nTo perform exactly these actions, run the following command to apply:\n    terrane apply \"{}\"",
                out.display(),
                out.display()
            ));
        }
    }
    if args.detailed_exitcode && plan.has_changes() {
        2
    } else {
        0
    }
}

/// The plan mode the options ask for; `None` (after an error message) for what is not
/// supported yet.
pub fn mode(args: &PlanArgs) -> Option<PlanMode> {
    if args.refresh_only && args.destroy {
        eprintln!(
            "Error: Incompatible plan mode options\n\nThe -destroy and -refresh-only options are mutually-exclusive."
        );
        return None;
    }
    if args.refresh_only {
        return Some(PlanMode::RefreshOnly);
    }
    Some(if args.destroy {
        PlanMode::Destroy
    } else {
        PlanMode::Normal
    })
}

/// The engine's options for what the command line asks.
pub fn options(args: &PlanArgs, mode: PlanMode) -> Result<PlanOptions, u8> {
    let mut replace = Vec::new();
    for r in &args.replace {
        match terrane_state::parse_instance_addr(r) {
            Ok(a) => replace.push(a),
            Err(e) => {
                eprintln!("Error: Invalid -replace address {r:?}: {e}");
                return Err(1);
            }
        }
    }
    Ok(PlanOptions {
        mode,
        replace,
        skip_refresh: !args.refresh,
        targets: args.target.clone(),
    })
}

/// Plans in a session.
pub fn make_plan(
    s: &mut Session,
    args: &PlanArgs,
    mode: PlanMode,
) -> Result<(Plan, Diagnostics), u8> {
    let options = options(args, mode)?;
    let rt = session::runtime()?;
    let mut providers = ProviderSet::new(s.registry.clone());
    Ok(rt.block_on(plan(
        &s.config,
        &s.sources,
        &s.cwd,
        &s.inputs,
        &s.prior,
        &mut providers,
        &options,
    )))
}

/// The plan as people read it, with each resource's schema.
pub fn render(plan: &Plan, s: &Session, ctx: &Ctx) -> String {
    let registry = s.registry.clone();
    let providers = ProviderSet::new(registry);
    let schemas = Arc::new(move |c: &ResourceChange| {
        let (factory, _) = providers.factory_for_state_name(&c.provider)?;
        let list = match c.addr.resource.mode {
            terrane_types::ResourceMode::Managed => factory.resource_schemas(),
            terrane_types::ResourceMode::Data => factory.data_source_schemas(),
        };
        list.into_iter()
            .find(|(t, _)| *t == c.addr.resource.type_name)
            .map(|(_, s)| s.block)
    });
    terrane_plan::render_plan_with_width(
        plan,
        &*schemas,
        Style {
            color: ctx.style.color,
        },
        ctx.style.width.min(120),
    )
}
