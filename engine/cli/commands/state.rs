//! `terrane state list|show|mv|rm|pull|push`: reading and changing the state directly, with
//! Terraform's addresses, messages and exit codes. Commands that change the state take its
//! lock, fold in an interrupted apply's journal first, and write the new state atomically
//! (keeping the previous one as `.backup`) with its serial increased.

use crate::Ctx;
use crate::commands::print_diagnostics;
use crate::commands::show::{Schemas, go_quote, render_state};
use crate::output::{emit, emitln};
use std::io::Read;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};
use terrane_config::Config;
use terrane_state::{
    LocalBackend, Lock, State, StateError, format_instance_addr, format_module,
    parse_instance_addr, parse_module,
};
use terrane_types::{ModuleInstance, ResourceAddr, ResourceInstanceAddr, ResourceMode, SourceMap};

#[derive(clap::Args, Debug)]
pub struct Args {
    #[command(subcommand)]
    command: StateCommand,
}

#[derive(clap::Subcommand, Debug)]
enum StateCommand {
    /// List resources in the state.
    List(ListArgs),
    /// Show a resource in the state.
    Show(ShowArgs),
    /// Move an item in the state (rename a resource, move it into a module, ...).
    Mv(MvArgs),
    /// Remove instances from the state (forget them without destroying them).
    Rm(RmArgs),
    /// Print the current state, exactly as stored.
    Pull,
    /// Replace the state with a local state file ("-" for stdin).
    Push(PushArgs),
}

/// Locking options of the commands that change the state.
#[derive(clap::Args, Debug, Clone)]
struct LockArgs {
    /// Hold the state lock while working (Terraform's -lock).
    #[arg(long, default_value_t = true, action = clap::ArgAction::Set, value_name = "BOOL")]
    lock: bool,
    /// How long to retry taking the lock when another run holds it (`10s`, `1m`).
    #[arg(long = "lock-timeout", value_name = "DURATION", default_value = "0s", value_parser = parse_duration)]
    lock_timeout: Duration,
}

#[derive(clap::Args, Debug)]
struct ListArgs {
    /// Read this state file instead of the configured one.
    #[arg(long, value_name = "PATH")]
    state: Option<PathBuf>,
    /// List only instances whose "id" attribute is ID.
    #[arg(long, value_name = "ID")]
    id: Option<String>,
    /// Resource or module addresses to list the instances of (all when omitted).
    addresses: Vec<String>,
}

#[derive(clap::Args, Debug)]
struct ShowArgs {
    /// Read this state file instead of the configured one.
    #[arg(long, value_name = "PATH")]
    state: Option<PathBuf>,
    /// The instance to show: `aws_instance.web[0]`.
    address: String,
}

#[derive(clap::Args, Debug)]
struct MvArgs {
    /// Print what would be moved without changing anything.
    #[arg(long = "dry-run")]
    dry_run: bool,
    #[command(flatten)]
    lock: LockArgs,
    /// Change this state file instead of the configured one.
    #[arg(long, value_name = "PATH")]
    state: Option<PathBuf>,
    /// The module, resource or instance to move.
    source: String,
    /// Where to move it.
    destination: String,
}

#[derive(clap::Args, Debug)]
struct RmArgs {
    /// Print what would be removed without changing anything.
    #[arg(long = "dry-run")]
    dry_run: bool,
    #[command(flatten)]
    lock: LockArgs,
    /// Change this state file instead of the configured one.
    #[arg(long, value_name = "PATH")]
    state: Option<PathBuf>,
    /// Modules, resources or instances to remove.
    #[arg(required = true)]
    addresses: Vec<String>,
}

#[derive(clap::Args, Debug)]
struct PushArgs {
    /// Write the state even if its lineage differs or its serial is older.
    #[arg(long)]
    force: bool,
    #[command(flatten)]
    lock: LockArgs,
    /// The state file to push, or "-" for standard input.
    path: String,
}

pub fn run(args: Args, ctx: &Ctx) -> u8 {
    match args.command {
        StateCommand::List(a) => list(a, ctx),
        StateCommand::Show(a) => show(a, ctx),
        StateCommand::Mv(a) => mv(a, ctx),
        StateCommand::Rm(a) => rm(a, ctx),
        StateCommand::Pull => pull(ctx),
        StateCommand::Push(a) => push(a, ctx),
    }
}

const ERR_STATE_NOT_FOUND: &str = "Error: No state file was found!\n\nState management commands require a state file. Run this command\nin a directory where terrane has been run or use the -state flag\nto point the command to a specific state location.";

// ---------------------------------------------------------------------------------------------
// Shared by the state commands, show and force-unlock.

/// The backend of the working directory: `path` when given (`-state`), else
/// `backend "local" { path = ... }` of the configuration, else `terraform.tfstate`.
pub(crate) fn configured_backend(ctx: &Ctx, path: Option<&Path>) -> Result<LocalBackend, u8> {
    if let Some(p) = path {
        return Ok(LocalBackend::new(p));
    }
    let mut sources = SourceMap::new();
    let (config, diags) = terrane_config::load(Path::new("."), &mut sources);
    if diags.has_errors() {
        print_diagnostics(&diags, &sources, ctx);
        return Err(1);
    }
    Ok(backend_for(&config))
}

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

/// The state (None when there is none), after folding in the journal of an interrupted
/// apply. `locked` says whether the caller holds the lock; otherwise the lock is taken just
/// for the recovery, and when another run holds it (its journal is live) the file is read as
/// it is.
pub(crate) fn read_state(backend: &LocalBackend, locked: bool) -> Result<Option<State>, u8> {
    if backend.journal_path().exists() {
        let held = if locked {
            None
        } else {
            match backend.lock("OperationTypeInvalid") {
                Ok(l) => Some(l),
                Err(_) => return load(backend),
            }
        };
        recover(backend)?;
        drop(held);
    }
    load(backend)
}

fn load(backend: &LocalBackend) -> Result<Option<State>, u8> {
    backend.read().map_err(|e| {
        eprintln!("Error: Failed to load state: {e}");
        1
    })
}

fn recover(backend: &LocalBackend) -> Result<(), u8> {
    match terrane_state::Journal::recover(backend) {
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
            Ok(())
        }
        Ok(None) => Ok(()),
        Err(e) => {
            eprintln!("Error: Failed to recover the interrupted apply\n\n{e}");
            Err(1)
        }
    }
}

/// Takes the lock (unless `-lock=false`), retrying for `-lock-timeout`.
fn take_lock(backend: &LocalBackend, operation: &str, args: &LockArgs) -> Result<Option<Lock>, u8> {
    if !args.lock {
        return Ok(None);
    }
    let deadline = Instant::now() + args.lock_timeout;
    loop {
        match backend.lock(operation) {
            Ok(l) => return Ok(Some(l)),
            Err(StateError::Locked { .. }) if Instant::now() < deadline => {
                let left = deadline.saturating_duration_since(Instant::now());
                std::thread::sleep(left.min(Duration::from_millis(250)));
            }
            Err(e) => {
                eprintln!("Error: Error acquiring the state lock\n\n{e}");
                return Err(1);
            }
        }
    }
}

/// Writes a changed state: the serial increased, this version recorded, a lineage given to
/// a state that had none.
fn write_changed(backend: &LocalBackend, state: &mut State) -> Result<(), String> {
    state.serial += 1;
    write(backend, state)
}

fn write(backend: &LocalBackend, state: &mut State) -> Result<(), String> {
    state.terraform_version = terrane_core::TERRAFORM_COMPAT_VERSION.to_owned();
    if state.lineage.is_empty() {
        state.lineage = State::new_lineage();
    }
    backend.write(state).map_err(|e| e.to_string())
}

fn persist_error(e: &str) -> u8 {
    eprintln!(
        "Error: Error saving the state: {e}\n\nThe state was not saved. No items were removed from the persisted\nstate. No backup was created since no modification occurred. Please\nresolve the issue above and try again."
    );
    1
}

/// What a state command's address argument names.
#[derive(Clone, Debug, PartialEq)]
enum Target {
    /// `module.a["x"].module.b`: every instance in it and its descendants.
    Module(ModuleInstance),
    /// `aws_instance.web`: every instance of the resource.
    Resource(ResourceAddr),
    /// `aws_instance.web[0]`.
    Instance(ResourceInstanceAddr),
}

impl std::fmt::Display for Target {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Target::Module(m) => f.write_str(&format_module(m)),
            Target::Resource(r) => f.write_str(&format_instance_addr(&r.instance(None))),
            Target::Instance(i) => f.write_str(&format_instance_addr(i)),
        }
    }
}

fn parse_target(s: &str) -> Result<Target, String> {
    if s.starts_with("module.")
        && let Ok(m) = parse_module(s)
        && !m.is_root()
    {
        return Ok(Target::Module(m));
    }
    let addr = parse_instance_addr(s)?;
    Ok(match addr.key {
        None => Target::Resource(addr.resource),
        Some(_) => Target::Instance(addr),
    })
}

fn parse_targets(args: &[String]) -> Result<Vec<Target>, u8> {
    args.iter()
        .map(|a| {
            parse_target(a).map_err(|e| {
                eprintln!("Error: Invalid address\n\n{e}");
                1
            })
        })
        .collect()
}

/// Terraform's `TargetContains` for modules: the same steps, except that a last step
/// without a key stands for every instance of that module call.
fn module_contains(target: &ModuleInstance, m: &ModuleInstance) -> bool {
    if m.0.len() < target.0.len() {
        return false;
    }
    for (i, (ours, theirs)) in target.0.iter().zip(&m.0).enumerate() {
        if ours.name != theirs.name {
            return false;
        }
        if i == target.0.len() - 1 && ours.key.is_none() {
            return true;
        }
        if ours.key != theirs.key {
            return false;
        }
    }
    true
}

/// Every instance address of a resource (with a current or a deposed object).
fn resource_instances(state: &State, addr: &ResourceAddr) -> Vec<ResourceInstanceAddr> {
    let Some(r) = state.resource(addr) else {
        return Vec::new();
    };
    let mut keys: Vec<_> = r.instances().map(|(k, _)| k.cloned()).collect();
    keys.extend(r.deposed().map(|(k, _, _)| k.cloned()));
    keys.sort();
    keys.dedup();
    keys.into_iter().map(|k| addr.instance(k)).collect()
}

/// Terraform's order of instances (`AbsResourceInstance.Less`): shallower modules first, then
/// by module, data sources before managed resources, then type, name and key (no key, then
/// numbers, then strings).
fn sort_instances(addrs: &mut [ResourceInstanceAddr]) {
    addrs.sort_by_cached_key(|x| {
        (
            x.resource.module.0.len(),
            x.resource.module.0.clone(),
            x.resource.mode == ResourceMode::Managed,
            x.resource.type_name.clone(),
            x.resource.name.clone(),
            x.key.clone(),
        )
    });
}

/// The instances an address names. Unless `allow_missing`, naming nothing is an error
/// (summary, detail).
fn lookup(
    state: &State,
    target: &Target,
    allow_missing: bool,
) -> Result<Vec<ResourceInstanceAddr>, (String, String)> {
    let mut found = match target {
        Target::Module(m) => {
            let mut found = Vec::new();
            for r in state.resource_addrs() {
                if module_contains(m, &r.module) {
                    found.extend(resource_instances(state, &r));
                }
            }
            if found.is_empty() && !allow_missing {
                return Err((
                    "Unknown module".into(),
                    format!(
                        "The current state contains no module at {target}. If you've just added this module to the configuration, you must run \"terrane apply\" first to create the module's entry in the state."
                    ),
                ));
            }
            found
        }
        Target::Resource(r) => {
            let found = resource_instances(state, r);
            if found.is_empty() && !allow_missing {
                return Err((
                    "Unknown resource".into(),
                    format!(
                        "The current state contains no resource {target}. If you've just added this resource to the configuration, you must run \"terrane apply\" first to create the resource's entry in the state."
                    ),
                ));
            }
            found
        }
        Target::Instance(i) => {
            let exists = state.get(i).is_some() || state.deposed(i).next().is_some();
            if !exists {
                if allow_missing {
                    return Ok(Vec::new());
                }
                return Err((
                    "Unknown resource instance".into(),
                    format!(
                        "The current state contains no resource instance {target}. If you've just added its resource to the configuration or have changed the count or for_each arguments, you must run \"terrane apply\" first to update the resource's entry in the state."
                    ),
                ));
            }
            vec![i.clone()]
        }
    };
    sort_instances(&mut found);
    Ok(found)
}

// ---------------------------------------------------------------------------------------------
// The commands.

fn list(args: ListArgs, ctx: &Ctx) -> u8 {
    let backend = match configured_backend(ctx, args.state.as_deref()) {
        Ok(b) => b,
        Err(code) => return code,
    };
    let state = match read_state(&backend, false) {
        Ok(Some(s)) => s,
        Ok(None) => {
            eprintln!("{ERR_STATE_NOT_FOUND}");
            return 1;
        }
        Err(code) => return code,
    };
    let addrs = if args.addresses.is_empty() {
        let mut all: Vec<ResourceInstanceAddr> = Vec::new();
        for r in state.resource_addrs() {
            all.extend(resource_instances(&state, &r));
        }
        sort_instances(&mut all);
        all
    } else {
        let targets = match parse_targets(&args.addresses) {
            Ok(t) => t,
            Err(code) => return code,
        };
        let mut all = Vec::new();
        let mut failed = false;
        for t in &targets {
            match lookup(&state, t, false) {
                Ok(found) => all.extend(found),
                Err((summary, detail)) => {
                    eprintln!("Error: {summary}\n\n{detail}");
                    failed = true;
                }
            }
        }
        if failed {
            return 1;
        }
        sort_instances(&mut all);
        all
    };
    let mut out = String::new();
    for addr in &addrs {
        if let Some(id) = &args.id {
            let matches = state
                .get(addr)
                .and_then(|i| i.attributes.get("id"))
                .and_then(|v| v.as_str())
                == Some(id.as_str());
            if !matches {
                continue;
            }
        }
        out.push_str(&format_instance_addr(addr));
        out.push('\n');
    }
    emit(&out);
    0
}

const ERR_INSTANCE_HINT: &str = "This command requires that the address references one specific instance.\nTo view the available instances, use \"terrane state list\". Please modify\nthe address to reference a specific instance.";

fn show(args: ShowArgs, ctx: &Ctx) -> u8 {
    let addr = match parse_instance_addr(&args.address) {
        Ok(a) => a,
        Err(_) => {
            eprintln!(
                "Error: Error parsing instance address: {}\n\n{ERR_INSTANCE_HINT}",
                args.address
            );
            return 1;
        }
    };
    let backend = match configured_backend(ctx, args.state.as_deref()) {
        Ok(b) => b,
        Err(code) => return code,
    };
    let state = match read_state(&backend, false) {
        Ok(Some(s)) => s,
        Ok(None) => {
            eprintln!("{ERR_STATE_NOT_FOUND}");
            return 1;
        }
        Err(code) => return code,
    };
    let (Some(instance), Some(resource)) = (state.get(&addr), state.resource(&addr.resource))
    else {
        eprintln!("Error: No instance found for the given address!\n\n{ERR_INSTANCE_HINT}");
        return 1;
    };
    let mut single = State::new(state.lineage.clone());
    single.set(&addr, &resource.provider, instance.clone());
    let registry = crate::providers::registry();
    let mut schemas = Schemas::new(&registry);
    emit(&render_state(&single, &mut schemas, ctx.style.color));
    0
}

/// Terraform's `validateResourceMove`: the same mode and type on both sides.
fn validate_move(from: &ResourceAddr, to: &ResourceAddr) -> Vec<String> {
    let (f, t) = (
        format_instance_addr(&from.instance(None)),
        format_instance_addr(&to.instance(None)),
    );
    let mut errors = Vec::new();
    if from.mode != to.mode {
        errors.push(match from.mode {
            ResourceMode::Managed => format!(
                "Error: Invalid state move request\n\nCannot move {f} to {t}: a managed resource can be moved only to another managed resource address."
            ),
            ResourceMode::Data => format!(
                "Error: Invalid state move request\n\nCannot move {f} to {t}: a data resource can be moved only to another data resource address."
            ),
        });
    }
    if from.type_name != to.type_name {
        errors.push(format!(
            "Error: Invalid state move request\n\nCannot move {f} to {t}: resource types don't match."
        ));
    }
    errors
}

/// The dependencies naming a moved object (or an object inside it) are dropped, as
/// Terraform does, so that they are recorded again in full by the next apply.
fn forget_dependencies_on(state: &mut State, moved: &Target) {
    // Dependencies are configuration addresses: module calls without instance keys.
    let config_module = |m: &ModuleInstance| {
        m.0.iter()
            .map(|s| format!("module.{}", s.name))
            .collect::<Vec<_>>()
            .join(".")
    };
    let config_resource = |r: &ResourceAddr| {
        let module = config_module(&r.module);
        let data = if r.mode == ResourceMode::Data {
            "data."
        } else {
            ""
        };
        let sep = if module.is_empty() { "" } else { "." };
        format!("{module}{sep}{data}{}.{}", r.type_name, r.name)
    };
    let names: Box<dyn Fn(&str) -> bool> = match moved {
        Target::Module(m) => {
            let prefix = format!("{}.", config_module(m));
            Box::new(move |dep: &str| dep.starts_with(&prefix))
        }
        Target::Resource(r) => {
            let name = config_resource(r);
            Box::new(move |dep: &str| dep == name)
        }
        Target::Instance(i) => {
            let name = config_resource(&i.resource);
            Box::new(move |dep: &str| dep == name)
        }
    };
    let addrs: Vec<ResourceInstanceAddr> = state.instances().map(|(a, _, _)| a).collect();
    for addr in addrs {
        if let Some(inst) = state.get_mut(&addr)
            && inst.dependencies.iter().any(|d| names(d))
        {
            inst.dependencies.clear();
        }
    }
}

fn mv(args: MvArgs, ctx: &Ctx) -> u8 {
    let (source, dest) = match (parse_target(&args.source), parse_target(&args.destination)) {
        (Ok(s), Ok(d)) => (s, d),
        (Err(e), _) | (_, Err(e)) => {
            eprintln!("Error: Invalid address\n\n{e}");
            return 1;
        }
    };
    let backend = match configured_backend(ctx, args.state.as_deref()) {
        Ok(b) => b,
        Err(code) => return code,
    };
    let _lock = match take_lock(&backend, "state-mv", &args.lock) {
        Ok(l) => l,
        Err(code) => return code,
    };
    let mut state = match read_state(&backend, true) {
        Ok(Some(s)) => s,
        Ok(None) => {
            eprintln!("{ERR_STATE_NOT_FOUND}");
            return 1;
        }
        Err(code) => return code,
    };
    let prefix = if args.dry_run { "Would move" } else { "Move" };

    // Terraform's `sourceObjectAddrs`: a module expands to itself and its descendants; a
    // resource without count or for_each stands for its one instance.
    let sources: Vec<Target> = match &source {
        Target::Module(m) => {
            let mut modules: Vec<ModuleInstance> = state
                .resource_addrs()
                .map(|r| r.module)
                .filter(|r| r.0.len() >= m.0.len() && r.0[..m.0.len()] == m.0[..])
                .collect();
            modules.sort_by(|a, b| (a.0.len(), &a.0).cmp(&(b.0.len(), &b.0)));
            modules.dedup();
            modules.into_iter().map(Target::Module).collect()
        }
        Target::Resource(r) => match state.resource(r) {
            Some(rs)
                if rs.instance(None).is_some() || rs.deposed().any(|(k, _, _)| k.is_none()) =>
            {
                vec![Target::Instance(r.instance(None))]
            }
            Some(_) => vec![source.clone()],
            None => Vec::new(),
        },
        Target::Instance(_) => vec![source.clone()],
    };
    if sources.is_empty() {
        eprintln!(
            "Error: Invalid source address\n\nCannot move {source}: does not match anything in the current state."
        );
        return 1;
    }
    let mut moved = 0;
    for from in &sources {
        match from {
            Target::Module(from_module) => {
                let (Target::Module(search), Target::Module(to_base)) = (&source, &dest) else {
                    eprintln!(
                        "Error: Invalid target address\n\nCannot move {from} to {dest}: the target must also be a module."
                    );
                    return 1;
                };
                let mut to_steps = to_base.0.clone();
                to_steps.extend_from_slice(&from_module.0[search.0.len()..]);
                let to_module = ModuleInstance(to_steps);
                if state.resource_addrs().any(|r| r.module == to_module) {
                    eprintln!(
                        "Error: Error moving state: destination module already exists\n\nPlease ensure your addresses and state paths are valid. No\nstate was persisted. Your existing states are untouched."
                    );
                    return 1;
                }
                moved += 1;
                emitln(&format!(
                    "{prefix} {} to {}",
                    go_quote(&format_module(from_module)),
                    go_quote(&format_module(&to_module))
                ));
                if !args.dry_run {
                    let resources: Vec<ResourceAddr> = state
                        .resource_addrs()
                        .filter(|r| r.module == *from_module)
                        .collect();
                    for r in resources {
                        let to = ResourceAddr {
                            module: to_module.clone(),
                            ..r.clone()
                        };
                        if let Err(e) = state.move_resource(&r, &to) {
                            eprintln!("Error: Error moving state: {e}");
                            return 1;
                        }
                    }
                }
            }
            Target::Resource(from_resource) => {
                let Target::Resource(to) = &dest else {
                    eprintln!(
                        "Error: Invalid target address\n\nCannot move {from} to {dest}: the source is a whole resource (not a resource instance) so the target must also be a whole resource."
                    );
                    return 1;
                };
                let mut errors = validate_move(from_resource, to);
                if state.resource(to).is_some() {
                    errors.push(format!(
                        "Error: Invalid target address\n\nCannot move to {dest}: there is already a resource at that address in the current state."
                    ));
                }
                if !errors.is_empty() {
                    eprintln!("{}", errors.join("\n\n"));
                    return 1;
                }
                moved += 1;
                emitln(&format!(
                    "{prefix} {} to {}",
                    go_quote(&from.to_string()),
                    go_quote(&dest.to_string())
                ));
                if !args.dry_run
                    && let Err(e) = state.move_resource(from_resource, to)
                {
                    eprintln!("Error: Error moving state: {e}");
                    return 1;
                }
            }
            Target::Instance(from_instance) => {
                let to = match &dest {
                    Target::Instance(i) => i.clone(),
                    Target::Resource(r) => r.instance(None),
                    Target::Module(_) => {
                        eprintln!(
                            "Error: Invalid target address\n\nCannot move {from} to {dest}: the target must also be a resource instance."
                        );
                        return 1;
                    }
                };
                let mut errors = validate_move(&from_instance.resource, &to.resource);
                if state.get(&to).is_some() || state.deposed(&to).next().is_some() {
                    errors.push(format!(
                        "Error: Invalid target address\n\nCannot move to {}: there is already a resource instance at that address in the current state.",
                        format_instance_addr(&to)
                    ));
                }
                if state.get(from_instance).is_none()
                    && state.deposed(from_instance).next().is_none()
                {
                    errors.push(format!(
                        "Error: Invalid source address\n\nThe current state does not contain {from}."
                    ));
                }
                if !errors.is_empty() {
                    eprintln!("{}", errors.join("\n\n"));
                    return 1;
                }
                moved += 1;
                emitln(&format!(
                    "{prefix} {} to {}",
                    go_quote(&from.to_string()),
                    go_quote(&args.destination)
                ));
                if !args.dry_run
                    && let Err(e) = state.move_instance(from_instance, &to)
                {
                    eprintln!("Error: Error moving state: {e}");
                    return 1;
                }
            }
        }
        if !args.dry_run {
            forget_dependencies_on(&mut state, from);
        }
    }
    if args.dry_run {
        if moved == 0 {
            emitln("Would have moved nothing.");
        }
        return 0;
    }
    if let Err(e) = write_changed(&backend, &mut state) {
        return persist_error(&e);
    }
    if moved == 0 {
        emitln("No matching objects found.");
    } else {
        emitln(&format!("Successfully moved {moved} object(s)."));
    }
    0
}

fn rm(args: RmArgs, ctx: &Ctx) -> u8 {
    let targets = match parse_targets(&args.addresses) {
        Ok(t) => t,
        Err(code) => return code,
    };
    let backend = match configured_backend(ctx, args.state.as_deref()) {
        Ok(b) => b,
        Err(code) => return code,
    };
    let _lock = match take_lock(&backend, "state-rm", &args.lock) {
        Ok(l) => l,
        Err(code) => return code,
    };
    let mut state = match read_state(&backend, true) {
        Ok(Some(s)) => s,
        Ok(None) => {
            eprintln!("{ERR_STATE_NOT_FOUND}");
            return 1;
        }
        Err(code) => return code,
    };
    let mut addrs: Vec<ResourceInstanceAddr> = Vec::new();
    for t in &targets {
        if let Ok(found) = lookup(&state, t, true) {
            for a in found {
                if !addrs.contains(&a) {
                    addrs.push(a);
                }
            }
        }
    }
    let prefix = if args.dry_run {
        "Would remove"
    } else {
        "Removed"
    };
    let mut out = String::new();
    for addr in &addrs {
        out.push_str(&format!("{prefix} {}\n", format_instance_addr(addr)));
        if !args.dry_run {
            let deposed: Vec<String> = state.deposed(addr).map(|(k, _)| k.to_owned()).collect();
            for k in deposed {
                state.remove_deposed(addr, &k);
            }
            state.remove(addr);
        }
    }
    emit(&out);
    if args.dry_run {
        if addrs.is_empty() {
            emitln("Would have removed nothing.");
        }
        return 0;
    }
    if addrs.is_empty() {
        eprintln!(
            "Error: Invalid target address\n\nNo matching objects found. To view the available instances, use \"terrane state list\". Please modify the address to reference a specific instance."
        );
        return 1;
    }
    if let Err(e) = write_changed(&backend, &mut state) {
        return persist_error(&e);
    }
    emitln(&format!(
        "Successfully removed {} resource instance(s).",
        addrs.len()
    ));
    0
}

fn pull(ctx: &Ctx) -> u8 {
    let backend = match configured_backend(ctx, None) {
        Ok(b) => b,
        Err(code) => return code,
    };
    // Recovers an interrupted apply's journal first, so what is printed is the whole state.
    if let Err(code) = read_state(&backend, false) {
        return code;
    }
    let bytes = match std::fs::read(&backend.path) {
        Ok(b) => b,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return 0,
        Err(e) => {
            eprintln!(
                "Error: Failed to refresh state: {}: {e}",
                backend.path.display()
            );
            return 1;
        }
    };
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return 0;
    }
    match String::from_utf8(bytes) {
        Ok(text) => {
            emit(&text);
            0
        }
        Err(e) => {
            eprintln!(
                "Error: Failed to refresh state: {}: {e}",
                backend.path.display()
            );
            1
        }
    }
}

fn push(args: PushArgs, ctx: &Ctx) -> u8 {
    let bytes = if args.path == "-" {
        let mut buf = Vec::new();
        if let Err(e) = std::io::stdin().read_to_end(&mut buf) {
            eprintln!("Error: Error reading source state \"-\": {e}");
            return 1;
        }
        buf
    } else {
        match std::fs::read(&args.path) {
            Ok(b) => b,
            Err(e) => {
                eprintln!("Error: open {}: {e}", args.path);
                return 1;
            }
        }
    };
    if bytes.iter().all(u8::is_ascii_whitespace) {
        eprintln!(
            "Error: Error reading source state {}: the file is empty, so there is no state in it",
            go_quote(&args.path)
        );
        return 1;
    }
    let mut pushed = match State::from_json(&bytes) {
        Ok(s) => s,
        Err(e) => {
            eprintln!(
                "Error: Error reading source state {}: {e}",
                go_quote(&args.path)
            );
            return 1;
        }
    };
    let backend = match configured_backend(ctx, None) {
        Ok(b) => b,
        Err(code) => return code,
    };
    let _lock = match take_lock(&backend, "state-push", &args.lock) {
        Ok(l) => l,
        Err(code) => return code,
    };
    let existing = match read_state(&backend, true) {
        Ok(s) => s,
        Err(code) => return code,
    };
    if !args.force
        && let Some(current) = existing.as_ref().filter(|s| !s.is_empty())
    {
        if pushed.lineage != current.lineage {
            eprintln!(
                "Error: Failed to write state: cannot import state with lineage {} over unrelated state with lineage {}",
                go_quote(&pushed.lineage),
                go_quote(&current.lineage)
            );
            return 1;
        }
        if pushed.serial < current.serial {
            eprintln!(
                "Error: Failed to write state: cannot import state with serial {} over newer state with serial {}",
                pushed.serial, current.serial
            );
            return 1;
        }
    }
    // As Terraform's local state does: the pushed lineage and serial are kept, and the serial
    // goes up when the content differs from what it replaces.
    let same_content = existing.as_ref().is_some_and(|current| {
        let mut a = current.clone();
        a.serial = pushed.serial;
        a.lineage.clone_from(&pushed.lineage);
        a.terraform_version.clone_from(&pushed.terraform_version);
        a == pushed
    });
    let result = if same_content {
        write(&backend, &mut pushed)
    } else {
        write_changed(&backend, &mut pushed)
    };
    if let Err(e) = result {
        eprintln!("Error: Failed to persist state: {e}");
        return 1;
    }
    0
}

/// A Go duration: `0s`, `10s`, `1m30s`, `500ms`, `2h`.
fn parse_duration(s: &str) -> Result<Duration, String> {
    let bad =
        || format!("invalid duration {s:?}: expected a number and a unit, as 10s, 1m or 500ms");
    if s == "0" {
        return Ok(Duration::ZERO);
    }
    let mut total = Duration::ZERO;
    let mut rest = s;
    if rest.is_empty() {
        return Err(bad());
    }
    while !rest.is_empty() {
        let digits = rest
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .ok_or_else(bad)?;
        let n: f64 = rest[..digits].parse().map_err(|_| bad())?;
        rest = &rest[digits..];
        let unit_len = rest
            .find(|c: char| c.is_ascii_digit() || c == '.')
            .unwrap_or(rest.len());
        let seconds = match &rest[..unit_len] {
            "ns" => 1e-9,
            "us" | "µs" => 1e-6,
            "ms" => 1e-3,
            "s" => 1.0,
            "m" => 60.0,
            "h" => 3600.0,
            _ => return Err(bad()),
        };
        rest = &rest[unit_len..];
        total += Duration::try_from_secs_f64(n * seconds).map_err(|_| bad())?;
    }
    Ok(total)
}

#[cfg(test)]
mod tests {
    use super::*;
    use terrane_state::InstanceState;
    use terrane_types::InstanceKey;

    #[test]
    fn addresses_are_read_as_modules_resources_or_instances() {
        assert!(matches!(
            parse_target("module.app[\"a\"].module.db"),
            Ok(Target::Module(m)) if m.0.len() == 2
        ));
        assert!(matches!(
            parse_target("module.app.aws_instance.web"),
            Ok(Target::Resource(r)) if r.module.0.len() == 1
        ));
        assert!(matches!(
            parse_target("data.aws_ami.x[0]"),
            Ok(Target::Instance(i)) if i.key == Some(InstanceKey::Int(0))
        ));
        assert!(parse_target("module.").is_err());
        assert!(parse_target("nonsense").is_err());
    }

    #[test]
    fn a_module_address_without_key_names_every_instance_of_the_call() {
        let m = |s: &str| parse_module(s).unwrap();
        assert!(module_contains(&m("module.a"), &m("module.a[0]")));
        assert!(module_contains(
            &m("module.a"),
            &m("module.a[\"x\"].module.b")
        ));
        assert!(module_contains(
            &m("module.a[0]"),
            &m("module.a[0].module.b")
        ));
        assert!(!module_contains(&m("module.a[0]"), &m("module.a[1]")));
        assert!(!module_contains(&m("module.a.module.b"), &m("module.a")));
        assert!(!module_contains(&m("module.ab"), &m("module.a")));
    }

    #[test]
    fn instances_are_sorted_as_terraform_sorts_them() {
        let mut state = State::new("l");
        let p = "provider[\"registry.terraform.io/hashicorp/null\"]";
        for a in [
            "module.z.null_resource.a",
            "null_resource.n[10]",
            "null_resource.n[2]",
            "data.null_data_source.d",
            "module.a.module.b.null_resource.a",
            "module.a.null_resource.a",
            "aws_vpc.main",
        ] {
            state.set(
                &parse_instance_addr(a).unwrap(),
                p,
                InstanceState::default(),
            );
        }
        let mut all = Vec::new();
        for r in state.resource_addrs() {
            all.extend(resource_instances(&state, &r));
        }
        sort_instances(&mut all);
        let names: Vec<String> = all.iter().map(format_instance_addr).collect();
        assert_eq!(
            names,
            [
                "data.null_data_source.d",
                "aws_vpc.main",
                "null_resource.n[2]",
                "null_resource.n[10]",
                "module.a.null_resource.a",
                "module.z.null_resource.a",
                "module.a.module.b.null_resource.a",
            ]
        );
    }

    #[test]
    fn go_durations_are_read() {
        assert_eq!(parse_duration("0s"), Ok(Duration::ZERO));
        assert_eq!(parse_duration("1m30s"), Ok(Duration::from_secs(90)));
        assert_eq!(parse_duration("500ms"), Ok(Duration::from_millis(500)));
        assert!(parse_duration("10").is_err());
        assert!(parse_duration("").is_err());
        assert!(parse_duration("3 days").is_err());
    }
}
