//! `terrane apply [PLAN]` and `terrane destroy`: show the plan, ask, and carry it out, with
//! every change journaled as it completes and the state written atomically at the end.

use super::plan::{PlanArgs, make_plan, mode, render};
use crate::Ctx;
use crate::commands::print_diagnostics;
use crate::output::{emit, emitln};
use crate::session;
use crate::state_io::{JournalObserver, instance_from, output_state};
use std::io::{BufRead, IsTerminal, Write};
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use terrane_core::apply::{ApplyRun, apply};
use terrane_core::providers::ProviderSet;
use terrane_plan::{Action, Plan};

#[derive(clap::Args, Debug)]
pub struct Args {
    #[command(flatten)]
    pub common: PlanArgs,
    /// Apply without asking for confirmation.
    #[arg(long = "auto-approve")]
    auto_approve: bool,
    /// Machine-readable output: Terraform's UI events, one JSON object per line (needs
    /// -auto-approve or a plan file).
    #[arg(long)]
    json: bool,
    /// Start Auto Scaling instance refreshes without waiting for them to finish (Terraform's
    /// behaviour). Also TERRANE_WAIT_FOR_INSTANCE_REFRESH=false.
    #[arg(long = "no-wait-for-instance-refresh")]
    no_wait_for_instance_refresh: bool,
    /// A plan saved with `terrane plan -out FILE`, applied exactly.
    plan_file: Option<PathBuf>,
}

pub fn run(args: Args, ctx: &Ctx, destroying: bool) -> u8 {
    if args.no_wait_for_instance_refresh {
        crate::providers::no_wait_for_instance_refresh();
    }
    let mut common = args.common.clone();
    common.destroy |= destroying;
    if args.json && !args.auto_approve && args.plan_file.is_none() {
        eprintln!(
            "Error: Plan approval needed\n\nterrane cannot ask for confirmation with -json: add -auto-approve, or apply a saved plan file."
        );
        return 1;
    }
    let Some(mode) = mode(&common) else {
        return 1;
    };
    let operation = if destroying {
        "OperationTypeDestroy"
    } else {
        "OperationTypeApply"
    };
    let mut s = match session::open(ctx, operation, common.lock) {
        Ok(s) => s,
        Err(code) => return code,
    };
    let saved = match &args.plan_file {
        Some(path) => match Plan::read_file(path) {
            Ok(p) => Some(p),
            Err(e) => {
                eprintln!("Error: Failed to load the saved plan\n\n{e}");
                return 1;
            }
        },
        None => None,
    };
    let mode = saved.as_ref().map_or(mode, |p| p.mode);
    let (plan, diags) = match make_plan(&mut s, &common, mode) {
        Ok(p) => p,
        Err(code) => return code,
    };
    if args.json {
        crate::ui_json::version();
        crate::ui_json::diagnostics(&diags, &s.sources);
    } else {
        print_diagnostics(&diags, &s.sources, ctx);
    }
    if diags.has_errors() {
        return 1;
    }
    if let Some(saved) = &saved {
        if saved.prior_lineage != plan.prior_lineage || saved.prior_serial != plan.prior_serial {
            eprintln!(
                "Error: Saved plan is stale\n\nThe given plan file can no longer be applied because the state was changed by another operation after the plan was created (state serial {} then, {} now). Create a new plan.",
                saved.prior_serial, plan.prior_serial
            );
            return 1;
        }
        let actions = |p: &Plan| -> Vec<(String, Action)> {
            p.changes
                .iter()
                .filter(|c| c.action != Action::NoOp)
                .map(|c| (c.addr.to_string(), c.action))
                .collect()
        };
        if actions(saved) != actions(&plan) {
            eprintln!(
                "Error: Saved plan does not match the configuration\n\nThe configuration or its variables changed since the plan was saved, so it would no longer do what it shows. Create a new plan."
            );
            return 1;
        }
    } else if args.json {
        crate::ui_json::plan(&plan);
    } else {
        emit(&render(&plan, &s, ctx));
    }
    if !plan.has_changes() {
        if args.json {
            crate::ui_json::summary(if destroying { "destroy" } else { "apply" }, 0, 0, 0, 0);
        } else {
            emitln(&summary(destroying, 0, 0, 0));
        }
        return 0;
    }
    if saved.is_none() && !args.auto_approve && !confirm(destroying) {
        return 1;
    }
    if s.state.lineage.is_empty() {
        s.state.lineage = terrane_state::State::new_lineage();
    }
    let journal = match terrane_state::Journal::for_backend(&s.backend, &s.state) {
        Ok(j) => Arc::new(j),
        Err(e) => {
            eprintln!("Error: Failed to start the apply journal\n\n{e}");
            return 1;
        }
    };
    // Renames from `moved` blocks are recorded (durably) before anything else happens, so a
    // crash never leaves the same object under two addresses.
    for c in plan.changes.iter().filter(|c| c.prev_addr.is_some()) {
        let Some(prev) = &c.prev_addr else { continue };
        let entry = terrane_state::Entry::Moved {
            from: prev.clone(),
            to: c.addr.clone(),
        };
        if let Err(e) = journal.append_durable(&entry) {
            eprintln!("Error: Failed to record a move in the apply journal\n\n{e}");
            return 1;
        }
        if let Err(e) = s.state.move_instance(prev, &c.addr) {
            eprintln!(
                "Warning: could not move {prev} to {} in the state: {e}",
                c.addr
            );
        }
    }
    let mut observer = JournalObserver::new(journal.clone());
    observer.json = args.json;
    let observer = Arc::new(observer);
    let ticking = Arc::new(AtomicBool::new(false));
    let ticker = {
        let total = plan
            .changes
            .iter()
            .filter(|c| c.action != Action::NoOp)
            .count();
        crate::state_io::spawn_ticker(
            observer.in_flight.clone(),
            ticking.clone(),
            args.json,
            total,
        )
    };
    let stop = Arc::new(AtomicBool::new(false));
    let rt = match session::runtime() {
        Ok(rt) => rt,
        Err(code) => return code,
    };
    let run = ApplyRun::new(observer.clone(), common.parallelism, stop.clone());
    let options = match super::plan::options(&common, mode) {
        Ok(o) => o,
        Err(code) => return code,
    };
    let mut providers = ProviderSet::new(s.registry.clone());
    let (applied, diags, mut run) = rt.block_on(async {
        let signals = tokio::spawn(watch_interrupts(stop.clone()));
        let result = apply(
            &s.config,
            &s.sources,
            &s.cwd,
            &s.inputs,
            &s.prior,
            &mut providers,
            &options,
            run,
        )
        .await;
        signals.abort();
        result
    });
    ticking.store(true, Ordering::SeqCst);
    ticker.thread().unpark();
    let _ = ticker.join();
    // Fold what happened into the state and write it (the journal already holds it all).
    let changed = std::mem::take(&mut run.changed);
    let deposed = std::mem::take(&mut run.deposed);
    // The run holds the observer, which holds the journal: release them to finish it.
    drop(run);
    for (addr, outcome) in &changed {
        match outcome {
            Some(r) => {
                let mut instance = instance_from(&r.value, &r.attributes, r.schema_version);
                instance.dependencies = r.dependencies.clone();
                s.state.set(addr, &r.provider, instance);
            }
            None => {
                s.state.remove(addr);
            }
        }
    }
    for ((addr, key), outcome) in &deposed {
        match outcome {
            Some(r) => {
                let mut instance = instance_from(&r.value, &r.attributes, r.schema_version);
                instance.dependencies = r.dependencies.clone();
                s.state.set_deposed(addr, key, &r.provider, instance);
            }
            None => {
                s.state.remove_deposed(addr, key);
            }
        }
    }
    for o in &applied.outputs {
        match (&o.after, o.action) {
            (_, Action::Delete) | (None, _) => {
                s.state.remove_output(&o.name);
            }
            (Some(v), _) => {
                if let Some(out) = output_state(v, o.sensitive) {
                    s.state.set_output(o.name.clone(), out);
                }
            }
        }
    }
    drop(observer);
    s.state.terraform_version = terrane_core::TERRAFORM_COMPAT_VERSION.to_owned();
    let journal = match Arc::try_unwrap(journal) {
        Ok(j) => j,
        Err(j) => {
            // Still shared (should not happen): make it durable and write the state anyway.
            let _ = j.commit();
            if let Err(e) = s.backend.write(&s.state) {
                eprintln!("Error: Failed to save state\n\n{e}");
                return 1;
            }
            print_diagnostics(&diags, &s.sources, ctx);
            return 1;
        }
    };
    if let Err(e) = journal.finish(&s.backend, &mut s.state) {
        eprintln!(
            "Error: Failed to save state\n\n{e}\n\nThe changes are kept in the apply journal and will be recovered by the next terrane command."
        );
        return 1;
    }
    let mut diags = diags;
    if stop.load(Ordering::SeqCst) {
        diags.push(
            terrane_types::Diagnostic::error("Apply interrupted")
                .with_detail("terrane stopped starting new operations after the interrupt and let the ones in progress finish. The state records everything that was done; run apply again to finish the rest."),
        );
    }
    let (add, change, destroy) = count(&applied, &changed, &deposed);
    if args.json {
        crate::ui_json::diagnostics(&diags, &s.sources);
        let imports = applied
            .changes
            .iter()
            .filter(|c| c.importing.is_some())
            .count();
        crate::ui_json::summary(
            if destroying { "destroy" } else { "apply" },
            add,
            change,
            destroy,
            imports,
        );
        crate::ui_json::outputs(&applied);
        return u8::from(diags.has_errors());
    }
    print_diagnostics(&diags, &s.sources, ctx);
    if diags.has_errors() {
        eprintln!(
            "\nApply finished with errors: {add} added, {change} changed, {destroy} destroyed. The state records what exists."
        );
        return 1;
    }
    emitln(&format!("\n{}", summary(destroying, add, change, destroy)));
    print_outputs(&applied);
    0
}

/// What actually happened, counted as Terraform counts it.
fn count(
    plan: &Plan,
    changed: &indexmap::IndexMap<
        terrane_types::ResourceInstanceAddr,
        Option<terrane_core::apply::Recorded>,
    >,
    deposed: &indexmap::IndexMap<
        (terrane_types::ResourceInstanceAddr, String),
        Option<terrane_core::apply::Recorded>,
    >,
) -> (usize, usize, usize) {
    let (mut add, mut change, mut destroy) = (0, 0, 0);
    for c in &plan.changes {
        let outcome = match &c.deposed {
            None => changed.get(&c.addr),
            Some(key) => deposed.get(&(c.addr.clone(), key.clone())),
        };
        let Some(outcome) = outcome else {
            continue;
        };
        match (c.action, outcome) {
            (Action::Create, Some(_)) => add += 1,
            (Action::Update, Some(_)) => change += 1,
            (Action::Delete, None) => destroy += 1,
            (Action::DeleteThenCreate | Action::CreateThenDelete, Some(_)) => {
                add += 1;
                destroy += 1;
            }
            _ => {}
        }
    }
    (add, change, destroy)
}

fn summary(destroying: bool, add: usize, change: usize, destroy: usize) -> String {
    if destroying {
        format!("Destroy complete! Resources: {destroy} destroyed.")
    } else {
        format!("Apply complete! Resources: {add} added, {change} changed, {destroy} destroyed.")
    }
}

fn print_outputs(plan: &Plan) {
    let mut outputs: Vec<_> = plan
        .outputs
        .iter()
        .filter(|o| o.action != Action::Delete && o.after.is_some())
        .collect();
    outputs.sort_by(|a, b| a.name.cmp(&b.name));
    if outputs.is_empty() {
        return;
    }
    emitln("\nOutputs:\n");
    for o in outputs {
        let shown = match &o.after {
            Some(v) if o.sensitive || v.contains_sensitive() => "<sensitive>".to_owned(),
            Some(v) => crate::commands::output::hcl(v),
            None => String::new(),
        };
        emitln(&format!("{} = {shown}", o.name));
    }
}

/// Asks for "yes" on the terminal; a clear error when there is no terminal to ask.
fn confirm(destroying: bool) -> bool {
    if !std::io::stdin().is_terminal() {
        eprintln!(
            "Error: No terminal to ask for confirmation\n\nterrane asks before changing anything. Run it in a terminal, or pass -auto-approve to apply without asking (as CI scripts do)."
        );
        return false;
    }
    let (question, what) = if destroying {
        (
            "Do you really want to destroy all resources?",
            "terrane will destroy all your managed infrastructure, as shown above.\n  There is no undo.",
        )
    } else {
        (
            "Do you want to perform these actions?",
            "terrane will perform the actions described above.",
        )
    };
    print!(
        "\n{question}\n  {what}\n  Only 'yes' will be accepted to approve.\n\n  Enter a value: "
    );
    let _ = std::io::stdout().flush();
    let mut answer = String::new();
    let _ = std::io::stdin().lock().read_line(&mut answer);
    if answer.trim() == "yes" {
        println!();
        true
    } else {
        eprintln!("\nApply cancelled.");
        false
    }
}

/// First Ctrl-C: stop starting new work, finish what is in flight, save. Second: exit now
/// (the journal holds every finished change; the next command recovers it).
async fn watch_interrupts(stop: Arc<AtomicBool>) {
    if tokio::signal::ctrl_c().await.is_err() {
        return;
    }
    stop.store(true, Ordering::SeqCst);
    eprintln!(
        "\nInterrupt received. Gracefully shutting down: operations in progress finish and the state is saved. Press Ctrl-C again to stop at once."
    );
    if tokio::signal::ctrl_c().await.is_ok() {
        eprintln!(
            "\nTwo interrupts received. Exiting now: the next terrane command will recover the changes recorded so far."
        );
        std::process::exit(130);
    }
}
