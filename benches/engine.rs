//! Benchmark (not a test): `terrane plan` from an empty state, `terrane apply` and a re-plan
//! with nothing changed, on generated configurations of `terraform_data` resources, measured
//! as the CLI runs them (calling the engine crates directly and mirroring the CLI functions
//! named below). Reports wall time per phase, the apply journal's fsyncs and the process's
//! peak resident memory, next to the targets.
//!
//! Run: `cargo bench --bench engine`. Arguments choose measurements by prefix, e.g.
//! `-- plan:trivial:10000 apply replan`. Each measurement runs in a fresh child process, so
//! peak memory is per measurement; the re-plans use the state written by the applies. The
//! working directories are temporary directories under `TMPDIR` (a real disk by default, so
//! fsyncs cost what they cost; `TMPDIR=/dev/shm` shows the CPU cost alone).
//!
//! Shapes: `trivial` is `resource "terraform_data" "rN" { input = "value-N" }`; `chain` makes
//! each resource's input refer to the previous one's `id`, which serialises apply.

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

use indexmap::IndexMap;
use std::collections::{BTreeMap, HashMap};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use terrane_config::{Config, InputValue};
use terrane_core::apply::{ApplyObserver, ApplyRun, Outcome, apply};
use terrane_core::plan::{PlanOptions, Prior, PriorObject, plan};
use terrane_core::providers::ProviderSet;
use terrane_plan::{Action, Plan, PlanMode, ResourceChange, Style};
use terrane_sdk::Registry;
use terrane_state::{Entry, InstanceState, Journal, LocalBackend, Lock, State};
use terrane_types::{Diagnostics, ResourceInstanceAddr, ResourceMode, SourceMap, Value};

// ---------------------------------------------------------------------------------------------
// Configurations
// ---------------------------------------------------------------------------------------------

fn generate(shape: &str, resources: usize) -> String {
    let mut s = String::with_capacity(resources * 96);
    for i in 0..resources {
        if shape == "chain" && i > 0 {
            s.push_str(&format!(
                "resource \"terraform_data\" \"r{i}\" {{\n  input = \"value-{i}-${{terraform_data.r{}.id}}\"\n}}\n\n",
                i - 1
            ));
        } else {
            s.push_str(&format!(
                "resource \"terraform_data\" \"r{i}\" {{\n  input = \"value-{i}\"\n}}\n\n"
            ));
        }
    }
    s
}

// ---------------------------------------------------------------------------------------------
// What the CLI does, mirrored (the CLI is a binary crate: benches cannot call it)
// ---------------------------------------------------------------------------------------------

/// `engine/cli/session.rs` `Session`, without what the benchmark does not use.
struct Session {
    sources: SourceMap,
    config: Config,
    registry: Registry,
    backend: LocalBackend,
    state: State,
    prior: Prior,
    inputs: IndexMap<String, InputValue>,
    cwd: PathBuf,
    _lock: Lock,
}

/// Phases of opening a session, timed.
#[derive(Default)]
struct OpenTimes {
    /// `terrane_config::load` + `terrane_core::validate`.
    config: Duration,
    /// Lock, journal recovery and `LocalBackend::read` (parse of the state JSON).
    state_read: Duration,
    /// `prior_from_state`: every object decoded with its schema.
    decode: Duration,
}

fn first_error(diags: &Diagnostics) -> String {
    diags
        .iter()
        .find(|d| d.is_error())
        .map(|d| format!("{}: {}", d.summary, d.detail))
        .unwrap_or_default()
}

/// Mirrors `engine/cli/session.rs` `open` (working directory = the configuration, local
/// backend `terraform.tfstate`, no `-var`).
fn open_session(operation: &str, times: &mut OpenTimes) -> Session {
    let t = Instant::now();
    let mut sources = SourceMap::new();
    let (config, mut diags) = terrane_config::load(Path::new("."), &mut sources);
    let cwd = std::env::current_dir().unwrap_or_else(|_| ".".into());
    if !diags.has_errors() {
        diags.extend(terrane_core::validate(&config, &sources, &cwd));
    }
    assert!(!diags.has_errors(), "{}", first_error(&diags));
    times.config = t.elapsed();

    let t = Instant::now();
    let backend = LocalBackend::in_dir(Path::new("."));
    let lock = backend.lock(operation).expect("state lock");
    let recovered = Journal::recover(&backend).expect("journal recovery");
    assert!(recovered.is_none(), "no journal is left over");
    let state = backend
        .read()
        .expect("read state")
        .unwrap_or_else(|| State::new(""));
    times.state_read = t.elapsed();

    let t = Instant::now();
    let registry = registry();
    let (prior, prior_diags) = prior_from_state(&state, &registry);
    assert!(!prior_diags.has_errors(), "{}", first_error(&prior_diags));
    times.decode = t.elapsed();

    let declared = |n: &str| config.root.module.variables.contains_key(n);
    let (inputs, input_diags) = terrane_config::collect_inputs(
        Path::new("."),
        &[],
        std::env::vars(),
        &declared,
        &mut sources,
    );
    assert!(!input_diags.has_errors(), "{}", first_error(&input_diags));
    Session {
        sources,
        config,
        registry,
        backend,
        state,
        prior,
        inputs,
        cwd,
        _lock: lock,
    }
}

/// `engine/cli/providers.rs` `registry`.
fn registry() -> Registry {
    let mut r = Registry::new();
    terrane_builtin::register_all(&mut r);
    r
}

/// `engine/cli/session.rs` `runtime`.
fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("tokio runtime")
}

/// Mirrors `engine/cli/commands/plan.rs` `make_plan` (no `-replace`).
fn make_plan(s: &Session, mode: PlanMode) -> (Plan, Diagnostics) {
    let options = PlanOptions {
        mode,
        ..PlanOptions::default()
    };
    let rt = runtime();
    let mut providers = ProviderSet::new(s.registry.clone());
    rt.block_on(plan(
        &s.config,
        &s.sources,
        &s.cwd,
        &s.inputs,
        &s.prior,
        &mut providers,
        &options,
    ))
}

/// Mirrors `engine/cli/commands/plan.rs` `render` (no color, 120 columns at most).
fn render(plan: &Plan, s: &Session) -> String {
    let providers = ProviderSet::new(s.registry.clone());
    let schemas = Arc::new(move |c: &ResourceChange| {
        let (factory, _) = providers.factory_for_state_name(&c.provider)?;
        let list = match c.addr.resource.mode {
            ResourceMode::Managed => factory.resource_schemas(),
            ResourceMode::Data => factory.data_source_schemas(),
        };
        list.into_iter()
            .find(|(t, _)| *t == c.addr.resource.type_name)
            .map(|(_, s)| s.block)
    });
    terrane_plan::render_plan_with_width(plan, &*schemas, Style { color: false }, 120)
}

/// Mirrors `engine/cli/state_io.rs` `prior_from_state`.
fn prior_from_state(state: &State, registry: &Registry) -> (Prior, Diagnostics) {
    let diags = Diagnostics::new();
    let providers = ProviderSet::new(registry.clone());
    let mut schemas: BTreeMap<(String, String), Option<terrane_sdk::Schema>> = BTreeMap::new();
    let mut prior = Prior {
        lineage: state.lineage.clone(),
        serial: state.serial,
        ..Prior::default()
    };
    for (addr, resource, instance) in state.instances() {
        if addr.resource.mode == ResourceMode::Data {
            continue;
        }
        let key = (resource.provider.clone(), resource.type_name.clone());
        let schema = schemas.entry(key).or_insert_with(|| {
            providers
                .factory_for_state_name(&resource.provider)
                .and_then(|(f, _)| {
                    f.resource_schemas()
                        .into_iter()
                        .find(|(t, _)| *t == resource.type_name)
                        .map(|(_, s)| s)
                })
        });
        let schema = schema.as_ref().expect("terraform_data has a schema");
        let value = schema
            .block
            .value_from_json(&instance.attributes)
            .expect("state object matches its schema");
        prior.objects.insert(
            addr.clone(),
            PriorObject {
                value,
                provider: resource.provider.clone(),
                tainted: instance.is_tainted(),
                dependencies: instance.dependencies.clone(),
            },
        );
    }
    for (name, o) in &state.outputs {
        prior.outputs.insert(
            name.clone(),
            Value::from_json(&o.value).with_mark(o.sensitive),
        );
    }
    (prior, diags)
}

/// Mirrors `engine/cli/state_io.rs` `instance_from`.
fn instance_from(
    value: &Value,
    attributes: &serde_json::Value,
    schema_version: u64,
) -> InstanceState {
    let sensitive: Vec<serde_json::Value> = value
        .as_entries()
        .map(|attrs| {
            attrs
                .iter()
                .filter(|(_, v)| v.contains_sensitive())
                .map(|(k, _)| serde_json::json!([{"type": "get_attr", "value": k}]))
                .collect()
        })
        .unwrap_or_default();
    let mut instance = InstanceState::new(attributes.clone());
    instance.schema_version = schema_version;
    instance.sensitive_attributes = serde_json::Value::Array(sensitive);
    instance
}

/// `engine/cli/state_io.rs` `InFlight`.
type InFlight = Arc<Mutex<HashMap<ResourceInstanceAddr, (Action, Instant)>>>;

/// Mirrors `engine/cli/state_io.rs` `JournalObserver`: every operation durable in the journal
/// before the engine goes on; progress lines written unbuffered (one `write` each, as
/// `engine/cli/output.rs` `emit` does) to /dev/null instead of the terminal.
struct JournalObserver {
    journal: Arc<Journal>,
    failure: Mutex<Option<String>>,
    in_flight: InFlight,
    out: Mutex<std::fs::File>,
}

/// Mirrors `engine/cli/state_io.rs` `spawn_ticker` (the "Still creating..." thread: it polls
/// every 250 ms until `done`, or until unparked; apply unparks and joins it after the walk).
fn spawn_ticker(in_flight: InFlight, done: Arc<AtomicBool>) -> std::thread::JoinHandle<()> {
    std::thread::spawn(move || {
        let mut last_report: HashMap<ResourceInstanceAddr, u64> = HashMap::new();
        while !done.load(Ordering::SeqCst) {
            std::thread::park_timeout(Duration::from_millis(250));
            let now: Vec<(ResourceInstanceAddr, u64)> = in_flight
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .iter()
                .map(|(a, (_, since))| (a.clone(), since.elapsed().as_secs()))
                .collect();
            for (addr, secs) in now {
                let tens = secs / 10;
                if tens == 0 || last_report.get(&addr) == Some(&tens) {
                    continue;
                }
                last_report.insert(addr, tens);
            }
        }
    })
}

impl JournalObserver {
    fn record(&self, entry: &Entry) {
        // As the CLI: the blocking fsync runs in block_in_place.
        let append = || self.journal.append_durable(entry);
        let result = match tokio::runtime::Handle::try_current() {
            Ok(h) if h.runtime_flavor() == tokio::runtime::RuntimeFlavor::MultiThread => {
                tokio::task::block_in_place(append)
            }
            _ => append(),
        };
        if let Err(e) = result {
            let mut f = self.failure.lock().unwrap_or_else(|p| p.into_inner());
            f.get_or_insert(e.to_string());
        }
    }

    fn say(&self, line: &str) {
        let mut out = self.out.lock().unwrap_or_else(|p| p.into_inner());
        let _ = out.write_all(format!("{line}\n").as_bytes());
    }
}

fn journal_action(action: Action) -> terrane_state::Action {
    match action {
        Action::Create => terrane_state::Action::Create,
        Action::Update => terrane_state::Action::Update,
        Action::DeleteThenCreate | Action::CreateThenDelete => terrane_state::Action::Replace,
        Action::Delete => terrane_state::Action::Delete,
        Action::Read | Action::NoOp => terrane_state::Action::Read,
    }
}

impl ApplyObserver for JournalObserver {
    fn starting(&self, addr: &ResourceInstanceAddr, _: Option<&str>, action: Action) {
        self.record(&Entry::Intent {
            addr: addr.clone(),
            action: journal_action(action),
        });
        self.in_flight
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert(addr.clone(), (action, Instant::now()));
        self.say(&format!("{addr}: Creating..."));
    }

    fn deposing(&self, addr: &ResourceInstanceAddr, key: &str) {
        self.record(&Entry::Depose {
            addr: addr.clone(),
            key: key.to_owned(),
        });
    }

    fn finished(
        &self,
        addr: &ResourceInstanceAddr,
        deposed: Option<&str>,
        outcome: &Outcome,
        elapsed: Duration,
    ) {
        let deposed = deposed.map(str::to_owned);
        let secs = elapsed.as_secs();
        match outcome {
            Outcome::Present {
                value,
                attributes,
                provider,
                schema_version,
                dependencies,
            } => {
                let mut instance = instance_from(value, attributes, *schema_version);
                instance.dependencies = dependencies.clone();
                self.record(&Entry::Done {
                    addr: addr.clone(),
                    deposed: deposed.clone(),
                    provider: provider.clone(),
                    instance: Some(instance),
                });
                let id = value
                    .get_attr("id")
                    .and_then(|v| v.as_str().map(str::to_owned))
                    .unwrap_or_default();
                let action = self
                    .in_flight
                    .lock()
                    .unwrap_or_else(|p| p.into_inner())
                    .remove(addr)
                    .map(|(a, _)| a);
                let done = match action {
                    Some(Action::Update) => "Modifications complete",
                    _ => "Creation complete",
                };
                self.say(&format!("{addr}: {done} after {secs}s [id={id}]"));
            }
            Outcome::Deleted => {
                self.in_flight
                    .lock()
                    .unwrap_or_else(|p| p.into_inner())
                    .remove(addr);
                self.record(&Entry::Done {
                    addr: addr.clone(),
                    deposed: deposed.clone(),
                    provider: String::new(),
                    instance: None,
                });
            }
            Outcome::Failed { error, .. } => panic!("{addr} failed: {}", error.summary),
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Measurements (each in its own process)
// ---------------------------------------------------------------------------------------------

fn peak_rss_mb() -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find(|l| l.starts_with("VmHWM:"))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|kb| kb.parse::<f64>().ok())
        .map_or(0.0, |kb| kb / 1024.0)
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

fn verdict(ok: bool) -> &'static str {
    if ok { "ok" } else { "MISSED" }
}

/// The targets on a 2-core machine: (seconds, MB).
fn plan_target(n: usize) -> (Option<f64>, Option<f64>) {
    match n {
        10_000 => (Some(0.5), Some(200.0)),
        100_000 => (Some(6.0), Some(2048.0)),
        _ => (None, None),
    }
}

fn target_text(secs: Option<f64>, mb: Option<f64>, took: Duration, peak: f64) -> String {
    let mut parts = Vec::new();
    if let Some(t) = secs {
        parts.push(format!("≤ {t} s: {}", verdict(took.as_secs_f64() <= t)));
    }
    if let Some(m) = mb {
        parts.push(format!("≤ {m} MB: {}", verdict(peak <= m)));
    }
    if parts.is_empty() {
        "no target".to_owned()
    } else {
        format!("target {}", parts.join(", "))
    }
}

fn write_config(dir: &Path, shape: &str, n: usize) {
    std::fs::write(dir.join("main.tf"), generate(shape, n)).expect("write main.tf");
    std::env::set_current_dir(dir).expect("enter the configuration directory");
}

/// Measurement 1, `terrane plan` from an empty state: load + validate + plan, then the
/// rendering.
fn bench_plan(shape: &str, n: usize, dir: &Path) {
    write_config(dir, shape, n);
    let mut times = OpenTimes::default();
    let t0 = Instant::now();
    let s = open_session("OperationTypePlan", &mut times);
    let t = Instant::now();
    let (plan, diags) = make_plan(&s, PlanMode::Normal);
    let planned = t.elapsed();
    let total = t0.elapsed();
    assert!(!diags.has_errors(), "{}", first_error(&diags));
    assert_eq!(plan.changes.len(), n);
    let peak = peak_rss_mb();
    let t = Instant::now();
    let text = render(&plan, &s);
    let rendered = t.elapsed();
    let peak_render = peak_rss_mb();
    let (secs, mb) = plan_target(n);
    println!(
        "plan   {shape:>7} {n:>6}: load+validate {:>8.1} ms | plan {:>8.1} ms | total {:>8.1} ms | peak RSS {:>7.1} MB || render {:>8.1} ms ({:.1} MB text), peak RSS with render {:>7.1} MB | {}",
        ms(times.config),
        ms(planned),
        ms(total),
        peak,
        ms(rendered),
        text.len() as f64 / 1e6,
        peak_render,
        target_text(secs, mb, total, peak),
    );
}

/// Measurement 2, `terrane apply -auto-approve`: as `engine/cli/commands/apply.rs` `run` does
/// it (open, plan, render, journal, apply walk, fold into the state, `Journal::finish`).
fn bench_apply(shape: &str, n: usize, dir: &Path) {
    write_config(dir, shape, n);
    let mut times = OpenTimes::default();
    let t0 = Instant::now();
    let mut s = open_session("OperationTypeApply", &mut times);
    let t = Instant::now();
    let (shown, diags) = make_plan(&s, PlanMode::Normal);
    let planned = t.elapsed();
    assert!(!diags.has_errors(), "{}", first_error(&diags));
    let t = Instant::now();
    let text = render(&shown, &s);
    let rendered = t.elapsed();
    assert!(shown.has_changes() && !text.is_empty());

    let t = Instant::now();
    if s.state.lineage.is_empty() {
        s.state.lineage = State::new_lineage();
    }
    let journal = Arc::new(Journal::for_backend(&s.backend, &s.state).expect("open journal"));
    // (The CLI journals the renames of `moved` blocks here; the benchmark has none.)
    assert!(shown.changes.iter().all(|c| c.prev_addr.is_none()));
    let observer = Arc::new(JournalObserver {
        journal: journal.clone(),
        failure: Mutex::new(None),
        in_flight: Arc::new(Mutex::new(HashMap::new())),
        out: Mutex::new(std::fs::File::create("/dev/null").expect("/dev/null")),
    });
    let ticking = Arc::new(AtomicBool::new(false));
    let ticker = spawn_ticker(observer.in_flight.clone(), ticking.clone());
    let stop = Arc::new(AtomicBool::new(false));
    let rt = runtime();
    let run = ApplyRun::new(observer.clone(), 10, stop);
    let options = PlanOptions {
        mode: PlanMode::Normal,
        ..PlanOptions::default()
    };
    let mut providers = ProviderSet::new(s.registry.clone());
    let (applied, diags, mut run) = rt.block_on(apply(
        &s.config,
        &s.sources,
        &s.cwd,
        &s.inputs,
        &s.prior,
        &mut providers,
        &options,
        run,
    ));
    let walked = t.elapsed();
    let t_ticker = Instant::now();
    ticking.store(true, Ordering::SeqCst);
    ticker.thread().unpark();
    let _ = ticker.join();
    let ticker_join = t_ticker.elapsed();
    assert!(!diags.has_errors(), "{}", first_error(&diags));
    assert!(applied.outputs.is_empty(), "the benchmark has no outputs");

    let t = Instant::now();
    let changed = std::mem::take(&mut run.changed);
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
    let failure = observer.failure.lock().map(|f| f.clone()).unwrap_or(None);
    assert!(failure.is_none(), "journal failure: {failure:?}");
    drop(observer);
    s.state.terraform_version = terrane_core::TERRAFORM_COMPAT_VERSION.to_owned();
    let journal = Arc::try_unwrap(journal).expect("the journal is no longer shared");
    let fsyncs = journal.fsync_count();
    journal
        .finish(&s.backend, &mut s.state)
        .expect("write the state");
    let finished = t.elapsed();
    let total = t0.elapsed();
    assert_eq!(changed.len(), n);
    let peak = peak_rss_mb();
    let state_mb = std::fs::metadata("terraform.tfstate").map_or(0, |m| m.len()) as f64 / 1e6;
    println!(
        "apply  {shape:>7} {n:>6}: load+validate {:>7.1} ms | plan {:>7.1} ms | render {:>6.1} ms | apply walk+journal {:>7.1} ms | ticker join {:>5.1} ms | fold+state write {:>6.1} ms ({state_mb:.1} MB) | total {:>8.1} ms | journal fsyncs {fsyncs} for {} entries (+5 fixed: journal create 2, state write 2, journal removal 1) | peak RSS {:>6.1} MB | {}",
        ms(times.config),
        ms(planned),
        ms(rendered),
        ms(walked),
        ms(ticker_join),
        ms(finished),
        ms(total),
        2 * n,
        peak,
        target_text((n == 1_000).then_some(0.5), None, total, peak),
    );
}

/// Measurement 3, `terrane plan` again with nothing changed: load + validate, read the
/// state, decode it, plan.
fn bench_replan(shape: &str, n: usize, dir: &Path) {
    std::env::set_current_dir(dir).expect("enter the applied configuration's directory");
    let mut times = OpenTimes::default();
    let t0 = Instant::now();
    let s = open_session("OperationTypePlan", &mut times);
    let t = Instant::now();
    let (plan, diags) = make_plan(&s, PlanMode::Normal);
    let planned = t.elapsed();
    let total = t0.elapsed();
    assert!(!diags.has_errors(), "{}", first_error(&diags));
    assert!(!plan.has_changes(), "nothing changed since the apply");
    assert_eq!(s.prior.objects.len(), n);
    let peak = peak_rss_mb();
    let t = Instant::now();
    let text = render(&plan, &s);
    let rendered = t.elapsed();
    assert!(text.contains("No changes"), "{text}");
    println!(
        "replan {shape:>7} {n:>6}: load+validate {:>7.1} ms | state read {:>6.1} ms | decode {:>6.1} ms | plan {:>7.1} ms | total {:>8.1} ms | peak RSS {:>6.1} MB || render {:>5.1} ms | {}",
        ms(times.config),
        ms(times.state_read),
        ms(times.decode),
        ms(planned),
        ms(total),
        peak,
        ms(rendered),
        target_text((n == 1_000).then_some(0.05), None, total, peak),
    );
}

fn run_child(spec: &str, dir: &Path) {
    let mut parts = spec.split(':');
    let (kind, shape, n) = (
        parts.next().unwrap_or("plan"),
        parts.next().unwrap_or("trivial"),
        parts.next().and_then(|n| n.parse().ok()).unwrap_or(1_000),
    );
    match kind {
        "plan" => bench_plan(shape, n, dir),
        "apply" => bench_apply(shape, n, dir),
        "replan" => bench_replan(shape, n, dir),
        other => panic!("unknown measurement {other}"),
    }
}

fn main() {
    if let (Ok(spec), Ok(dir)) = (
        std::env::var("TERRANE_BENCH_ONE"),
        std::env::var("TERRANE_BENCH_DIR"),
    ) {
        run_child(&spec, Path::new(&dir));
        return;
    }
    let wanted: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with('-'))
        .collect();
    let selected = |spec: &str| wanted.is_empty() || wanted.iter().any(|w| spec.starts_with(w));
    let exe = std::env::current_exe().expect("own path");
    let run = |spec: &str, dir: &Path| {
        let status = Command::new(&exe)
            .env("TERRANE_BENCH_ONE", spec)
            .env("TERRANE_BENCH_DIR", dir)
            .status()
            .expect("run benchmark child");
        assert!(status.success(), "benchmark {spec} failed");
    };
    for spec in [
        "plan:trivial:1000",
        "plan:trivial:10000",
        "plan:trivial:100000",
        "plan:chain:1000",
        "plan:chain:10000",
    ] {
        if selected(spec) {
            let dir = tempfile::tempdir().expect("temporary directory");
            run(spec, dir.path());
        }
    }
    for shape in ["trivial", "chain"] {
        let apply = format!("apply:{shape}:1000");
        let replan = format!("replan:{shape}:1000");
        if !selected(&apply) && !selected(&replan) {
            continue;
        }
        // The re-plan needs the state the apply wrote: the apply runs either way.
        let dir = tempfile::tempdir().expect("temporary directory");
        run(&apply, dir.path());
        if selected(&replan) {
            run(&replan, dir.path());
        }
    }
}
