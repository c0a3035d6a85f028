//! Between the state file and the engine: decoding recorded objects with their resources'
//! schemas, encoding new ones, and the journal-backed observer that makes every change
//! durable before it counts as done.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use terrane_core::apply::{ApplyObserver, Outcome};
use terrane_core::plan::{Prior, PriorObject};
use terrane_core::providers::ProviderSet;
use terrane_plan::Action;
use terrane_sdk::Registry;
use terrane_state::{Entry, InstanceState, Journal, OutputState, State};
use terrane_types::{Diagnostic, Diagnostics, ResourceInstanceAddr, ResourceMode, Value};

/// The prior state as the engine needs it: every current object decoded with its schema.
pub fn prior_from_state(state: &State, registry: &Registry) -> (Prior, Diagnostics) {
    let mut diags = Diagnostics::new();
    let providers = ProviderSet::new(registry.clone());
    let mut schemas: BTreeMap<(String, String), Option<terrane_sdk::Schema>> = BTreeMap::new();
    let mut prior = Prior {
        lineage: state.lineage.clone(),
        serial: state.serial,
        ..Prior::default()
    };
    let current = state.instances().map(|(a, r, i)| (a, None, r, i));
    let deposed = state
        .deposed_objects()
        .map(|(a, key, r, i)| (a, Some(key), r, i));
    for (addr, deposed_key, resource, instance) in current.chain(deposed) {
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
        let Some(schema) = schema else {
            diags.push(Diagnostic::error("Unknown resource type in state").with_detail(format!(
                "The state records {addr} of provider {}, which terrane does not have. Remove it with `terrane state rm {addr}` if it no longer exists.",
                resource.provider
            )));
            continue;
        };
        match schema.block.value_from_json(&instance.attributes) {
            Ok(value) => {
                let object = PriorObject {
                    value,
                    provider: resource.provider.clone(),
                    tainted: instance.is_tainted(),
                    dependencies: instance.dependencies.clone(),
                };
                match deposed_key {
                    None => prior.objects.insert(addr.clone(), object),
                    Some(k) => prior.deposed.insert((addr.clone(), k.to_owned()), object),
                };
            }
            Err(e) => diags.push(Diagnostic::error("Invalid object in state").with_detail(
                format!("The state's record of {addr} does not match its schema: {e}."),
            )),
        }
    }
    for (name, o) in &state.outputs {
        prior.outputs.insert(
            name.clone(),
            Value::from_json(&o.value).with_mark(o.sensitive),
        );
    }
    (prior, diags)
}

/// A state instance: the attributes as the schema wrote them, and the sensitive attributes
/// of `value` in Terraform's path format.
pub fn instance_from(
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

/// Root outputs for the state.
pub fn output_state(value: &Value, sensitive: bool) -> Option<OutputState> {
    let (plain, marked) = value.clone().unmark_deep();
    let json = plain.to_json()?;
    Some(OutputState::new(
        json,
        type_json(&plain),
        sensitive || marked,
    ))
}

/// The cty type JSON Terraform writes next to an output's value.
fn type_json(v: &Value) -> serde_json::Value {
    use serde_json::json;
    fn of(t: &terrane_types::Type) -> serde_json::Value {
        use terrane_types::Type;
        match t {
            Type::Dynamic => json!("dynamic"),
            Type::String => json!("string"),
            Type::Number => json!("number"),
            Type::Bool => json!("bool"),
            Type::List(e) => json!(["list", of(e)]),
            Type::Set(e) => json!(["set", of(e)]),
            Type::Map(e) => json!(["map", of(e)]),
            Type::Tuple(es) => json!(["tuple", es.iter().map(of).collect::<Vec<_>>()]),
            Type::Object(attrs) => json!([
                "object",
                attrs
                    .iter()
                    .map(|(k, t)| (k.clone(), of(t)))
                    .collect::<serde_json::Map<_, _>>()
            ]),
        }
    }
    of(&v.ty())
}

/// Records every operation in the journal (durably, before the engine goes on) and prints
/// Terraform's progress lines.
pub struct JournalObserver {
    pub journal: Arc<Journal>,
    /// The first journal failure: the apply must not claim success after it.
    pub failure: Mutex<Option<String>>,
    /// What each running operation does and since when, for its completion message and
    /// the "Still creating..." lines.
    pub in_flight: InFlight,
    /// Report as Terraform's machine-readable UI events instead of lines for people.
    pub json: bool,
}

/// Operations in progress: what they do and since when.
pub type InFlight =
    Arc<Mutex<std::collections::HashMap<ResourceInstanceAddr, (Action, std::time::Instant)>>>;

/// Prints Terraform's "Still creating... [10s elapsed]" every ten seconds for each operation
/// still running, until `done` is set.
/// Operations finished so far (for the summary line).
pub static FINISHED: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);

/// On a terminal, with many operations in flight, a one-line summary on stderr, updated in
/// place ("  37/500 done, 10 in progress, 12s"); lines for people clear it first.
static STATUS_SHOWN: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// How many operations must be in flight before the summary line appears.
const SUMMARY_THRESHOLD: usize = 8;

/// Clears the summary line if it is on screen.
pub fn clear_status() {
    if STATUS_SHOWN.swap(false, std::sync::atomic::Ordering::SeqCst) {
        let mut err = std::io::stderr().lock();
        let _ = std::io::Write::write_all(&mut err, b"\r\x1b[2K");
        let _ = std::io::Write::flush(&mut err);
    }
}

fn show_status(line: &str) {
    let mut err = std::io::stderr().lock();
    let _ = std::io::Write::write_all(&mut err, format!("\r\x1b[2K{line}").as_bytes());
    let _ = std::io::Write::flush(&mut err);
    STATUS_SHOWN.store(true, std::sync::atomic::Ordering::SeqCst);
}

pub fn spawn_ticker(
    in_flight: InFlight,
    done: Arc<std::sync::atomic::AtomicBool>,
    json: bool,
    total: usize,
) -> std::thread::JoinHandle<()> {
    use std::io::IsTerminal;
    let terminal = !json && std::io::stderr().is_terminal();
    let started = std::time::Instant::now();
    std::thread::spawn(move || {
        let mut last_report: std::collections::HashMap<ResourceInstanceAddr, u64> =
            std::collections::HashMap::new();
        while !done.load(std::sync::atomic::Ordering::SeqCst) {
            // Woken early by `unpark` when the apply ends.
            std::thread::park_timeout(Duration::from_millis(250));
            let now: Vec<(ResourceInstanceAddr, Action, u64)> = in_flight
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .iter()
                .map(|(a, (act, since))| (a.clone(), *act, since.elapsed().as_secs()))
                .collect();
            if terminal && now.len() >= SUMMARY_THRESHOLD {
                show_status(&format!(
                    "  {}/{total} done, {} in progress, {}s",
                    FINISHED.load(std::sync::atomic::Ordering::SeqCst),
                    now.len(),
                    started.elapsed().as_secs()
                ));
            } else if terminal {
                clear_status();
            }
            for (addr, action, secs) in now {
                let tens = secs / 10;
                if tens == 0 || last_report.get(&addr) == Some(&tens) {
                    continue;
                }
                last_report.insert(addr.clone(), tens);
                let still = match action {
                    Action::Delete => "Still destroying...",
                    Action::Update => "Still modifying...",
                    Action::Read => "Still reading...",
                    _ => "Still creating...",
                };
                if json {
                    crate::ui_json::event(
                        "apply_progress",
                        "info",
                        &format!("{addr}: {still} [{}s elapsed]", tens * 10),
                        serde_json::json!({ "hook": {
                            "resource": crate::ui_json::resource(&addr),
                            "action": crate::ui_json::action_name(action),
                            "elapsed_seconds": tens * 10,
                        }})
                        .as_object()
                        .cloned()
                        .unwrap_or_default(),
                    );
                } else {
                    clear_status();
                    crate::output::emitln(&format!("{addr}: {still} [{}s elapsed]", tens * 10));
                }
            }
        }
        clear_status();
    })
}

impl JournalObserver {
    pub fn new(journal: Arc<Journal>) -> JournalObserver {
        JournalObserver {
            journal,
            failure: Mutex::new(None),
            in_flight: Arc::new(Mutex::new(std::collections::HashMap::new())),
            json: false,
        }
    }

    /// What the operation on `addr` was doing; it is no longer in flight afterwards.
    fn take_action(&self, addr: &ResourceInstanceAddr) -> Action {
        self.in_flight
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .remove(addr)
            .map_or(Action::Create, |(a, _)| a)
    }
}

impl JournalObserver {
    fn record(&self, entry: &Entry) {
        // The fsync blocks: let the runtime move other tasks off this worker meanwhile, so
        // operations keep finishing and one fsync covers several entries.
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
        clear_status();
        crate::output::emitln(line);
    }
}

fn verb(action: Action) -> (&'static str, &'static str) {
    match action {
        Action::Create | Action::DeleteThenCreate | Action::CreateThenDelete => {
            ("Creating...", "Creation complete")
        }
        Action::Update => ("Modifying...", "Modifications complete"),
        Action::Delete => ("Destroying...", "Destruction complete"),
        Action::Read => ("Reading...", "Read complete"),
        Action::NoOp => ("", ""),
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

impl JournalObserver {
    /// `apply_complete` / `apply_errored` events.
    fn json_finished(&self, addr: &ResourceInstanceAddr, outcome: &Outcome, secs: u64) {
        let action = self
            .in_flight
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .get(addr)
            .map_or(Action::Create, |(a, _)| *a);
        let mut hook = serde_json::json!({
            "resource": crate::ui_json::resource(addr),
            "action": crate::ui_json::action_name(action),
            "elapsed_seconds": secs,
        });
        let (kind, level, message) = match outcome {
            Outcome::Present { value, .. } => {
                if let Some(id) = value.get_attr("id").and_then(|v| v.as_str()) {
                    hook["id_key"] = serde_json::json!("id");
                    hook["id_value"] = serde_json::json!(id);
                }
                (
                    "apply_complete",
                    "info",
                    format!("{addr}: {} after {secs}s", verb(action).1),
                )
            }
            Outcome::Deleted => (
                "apply_complete",
                "info",
                format!("{addr}: Destruction complete after {secs}s"),
            ),
            Outcome::Failed { .. } => (
                "apply_errored",
                "error",
                format!(
                    "{addr}: Plan to {} failed",
                    crate::ui_json::action_name(action)
                ),
            ),
        };
        crate::ui_json::event(
            kind,
            level,
            &message,
            serde_json::json!({ "hook": hook })
                .as_object()
                .cloned()
                .unwrap_or_default(),
        );
    }
}

/// How the log names an object: `addr`, or `addr (deposed object KEY)`.
fn object_name(addr: &ResourceInstanceAddr, deposed: Option<&str>) -> String {
    match deposed {
        Some(key) => format!("{addr} (deposed object {key})"),
        None => addr.to_string(),
    }
}

impl ApplyObserver for JournalObserver {
    fn starting(&self, addr: &ResourceInstanceAddr, deposed: Option<&str>, action: Action) {
        // Before a call that may create something goes out, the intent is on disk. (Deleting
        // a deposed object creates nothing.)
        if deposed.is_none() {
            self.record(&Entry::Intent {
                addr: addr.clone(),
                action: journal_action(action),
            });
        }
        self.in_flight
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert(addr.clone(), (action, std::time::Instant::now()));
        if self.json {
            crate::ui_json::event(
                "apply_start",
                "info",
                &format!("{addr}: {}", verb(action).0),
                serde_json::json!({ "hook": {
                    "resource": crate::ui_json::resource(addr),
                    "action": crate::ui_json::action_name(action),
                }})
                .as_object()
                .cloned()
                .unwrap_or_default(),
            );
        } else if action == Action::DeleteThenCreate {
            self.say(&format!("{addr}: Destroying and replacing..."));
        } else {
            self.say(&format!(
                "{}: {}",
                object_name(addr, deposed),
                verb(action).0
            ));
        }
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
        let name = object_name(addr, deposed);
        let deposed = deposed.map(str::to_owned);
        FINISHED.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        let secs = elapsed.as_secs();
        if self.json {
            self.json_finished(addr, outcome, secs);
        }
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
                    deposed,
                    provider: provider.clone(),
                    instance: Some(instance),
                });
                let id = value
                    .get_attr("id")
                    .and_then(|v| v.as_str().map(str::to_owned))
                    .filter(|_| !value.get_attr("id").is_some_and(Value::is_sensitive));
                let id = id.map(|i| format!(" [id={i}]")).unwrap_or_default();
                let done = verb(self.take_action(addr)).1;
                if !self.json {
                    self.say(&format!("{addr}: {done} after {secs}s{id}"));
                }
            }
            Outcome::Deleted => {
                self.take_action(addr);
                self.record(&Entry::Done {
                    addr: addr.clone(),
                    deposed,
                    provider: String::new(),
                    instance: None,
                });
                if !self.json {
                    self.say(&format!("{name}: Destruction complete after {secs}s"));
                }
            }
            Outcome::Failed {
                still_exists,
                provider,
                schema_version,
                dependencies,
                ..
            } => {
                self.take_action(addr);
                self.record(&Entry::Done {
                    addr: addr.clone(),
                    deposed,
                    provider: provider.clone(),
                    instance: still_exists.as_ref().map(|(v, attributes)| {
                        let mut i = instance_from(v, attributes, *schema_version);
                        i.dependencies = dependencies.clone();
                        i
                    }),
                });
            }
        }
    }

    fn progress(&self, addr: &ResourceInstanceAddr, message: &str) {
        if !self.json {
            self.say(&format!("{addr}: {message}"));
        }
    }
}
