//! The plan and apply walks, driven through a small provider defined here (`test_thing`):
//! expansion, orphans, values known only after apply reaching their dependents, failures
//! stopping only what depends on them, and destroy order.

use async_trait::async_trait;
use indexmap::IndexMap;
use std::path::Path;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use terrane_core::apply::{ApplyObserver, ApplyRun, Outcome, Recorded, apply};
use terrane_core::plan::{PlanOptions, Prior, PriorObject, plan};
use terrane_core::providers::ProviderSet;
use terrane_plan::{Action, ActionReason, PlanMode};
use terrane_sdk::{
    ApplyCtx, Attribute, Block, DataSource, Provider, ProviderError, ProviderFactory, Registry,
    Resource, Schema,
};
use terrane_types::{ResourceInstanceAddr, SourceMap, Type, Value};

/// `test_thing`: `input` (any), `kind` (string, forces replacement), `fail` (bool: creation
/// fails), computed `id` and `output` (= input). Deletes fail while `fail_deletes` is set.
struct Thing {
    schema: Schema,
    created: AtomicUsize,
    log: Arc<Mutex<Vec<String>>>,
    fail_deletes: AtomicBool,
    /// How many objects each refresh call asked for.
    reads: Mutex<Vec<usize>>,
    /// Objects changed outside terrane: refresh reads this `output` for the object of this id.
    drifted: Mutex<Vec<(String, Value)>>,
}

#[async_trait]
impl Resource for Thing {
    fn schema(&self) -> &Schema {
        &self.schema
    }

    async fn create(&self, planned: &Value, _: &ApplyCtx) -> Result<Value, ProviderError> {
        if planned.get_attr("fail").and_then(Value::as_bool) == Some(true) {
            return Err(ProviderError::new("creating test_thing").with_detail("asked to fail"));
        }
        // Computed attributes are the provider's to fill in; what was configured is known.
        assert!(
            planned.get_attr("input").is_none_or(Value::is_wholly_known),
            "create called with an unknown input: {planned:?}"
        );
        let n = self.created.fetch_add(1, Ordering::SeqCst);
        let input = planned
            .get_attr("input")
            .cloned()
            .unwrap_or_else(Value::null);
        self.log.lock().unwrap().push(format!("create {input}"));
        Ok(with(
            planned,
            &[("id", Value::string(format!("id-{n}"))), ("output", input)],
        ))
    }

    async fn update(
        &self,
        _: &Value,
        planned: &Value,
        _: &ApplyCtx,
    ) -> Result<Value, ProviderError> {
        let input = planned
            .get_attr("input")
            .cloned()
            .unwrap_or_else(Value::null);
        self.log.lock().unwrap().push(format!("update {input}"));
        Ok(with(planned, &[("output", input)]))
    }

    async fn read_many(&self, priors: &[Value]) -> Result<Vec<Option<Value>>, ProviderError> {
        self.reads.lock().unwrap().push(priors.len());
        let drifted = self.drifted.lock().unwrap().clone();
        Ok(priors
            .iter()
            .map(|p| {
                let id = p.get_attr("id").and_then(Value::as_str).unwrap_or_default();
                Some(match drifted.iter().find(|(d, _)| d == id) {
                    Some((_, output)) => with(p, &[("output", output.clone())]),
                    None => p.clone(),
                })
            })
            .collect())
    }

    async fn delete(&self, prior: &Value, _: &ApplyCtx) -> Result<(), ProviderError> {
        let input = prior.get_attr("input").cloned().unwrap_or_else(Value::null);
        if self.fail_deletes.load(Ordering::SeqCst) {
            return Err(ProviderError::new("deleting test_thing").with_detail("still in use"));
        }
        self.log.lock().unwrap().push(format!("delete {input}"));
        Ok(())
    }
}

fn with(v: &Value, set: &[(&str, Value)]) -> Value {
    let mut m = v.as_entries().cloned().unwrap_or_default();
    for (k, x) in set {
        m.insert((*k).to_owned(), x.clone());
    }
    Value::Object(m)
}

struct TestProvider(Arc<Thing>);

impl Provider for TestProvider {
    fn resource(&self, type_name: &str) -> Option<Arc<dyn Resource>> {
        (type_name == "test_thing").then(|| self.0.clone() as Arc<dyn Resource>)
    }
    fn data_source(&self, _: &str) -> Option<Arc<dyn DataSource>> {
        None
    }
}

struct TestFactory(Arc<Thing>);

#[async_trait]
impl ProviderFactory for TestFactory {
    fn name(&self) -> &'static str {
        "test"
    }
    fn source(&self) -> &'static str {
        "hashicorp/test"
    }
    fn config_schema(&self) -> Schema {
        Schema::default()
    }
    fn resource_schemas(&self) -> Vec<(&'static str, Schema)> {
        vec![("test_thing", self.0.schema.clone())]
    }
    fn data_source_schemas(&self) -> Vec<(&'static str, Schema)> {
        Vec::new()
    }
    async fn configure(&self, _: &Value) -> Result<Arc<dyn Provider>, ProviderError> {
        Ok(Arc::new(TestProvider(self.0.clone())))
    }
}

fn thing() -> Arc<Thing> {
    Arc::new(Thing {
        schema: Schema::new(
            Block::new()
                .attr("input", Attribute::optional(Type::Dynamic))
                .attr("kind", Attribute::optional(Type::String).force_new())
                .attr("fail", Attribute::optional(Type::Bool))
                .attr("id", Attribute::computed(Type::String))
                .attr("output", Attribute::computed(Type::Dynamic)),
        ),
        created: AtomicUsize::new(0),
        log: Arc::new(Mutex::new(Vec::new())),
        fail_deletes: AtomicBool::new(false),
        reads: Mutex::new(Vec::new()),
        drifted: Mutex::new(Vec::new()),
    })
}

fn providers(t: &Arc<Thing>) -> ProviderSet {
    let mut r = Registry::new();
    r.register(Arc::new(TestFactory(t.clone())));
    ProviderSet::new(r)
}

#[derive(Default)]
struct Recorder {
    events: Mutex<Vec<String>>,
}

impl ApplyObserver for Recorder {
    fn starting(&self, addr: &ResourceInstanceAddr, deposed: Option<&str>, action: Action) {
        let addr = name(addr, deposed);
        self.events
            .lock()
            .unwrap()
            .push(format!("start {addr} {action:?}"));
    }
    fn deposing(&self, addr: &ResourceInstanceAddr, _: &str) {
        self.events.lock().unwrap().push(format!("depose {addr}"));
    }
    fn finished(
        &self,
        addr: &ResourceInstanceAddr,
        deposed: Option<&str>,
        outcome: &Outcome,
        _: Duration,
    ) {
        let addr = name(addr, deposed);
        let what = match outcome {
            Outcome::Present { .. } => "present",
            Outcome::Deleted => "deleted",
            Outcome::Failed { .. } => "failed",
        };
        self.events
            .lock()
            .unwrap()
            .push(format!("done {addr} {what}"));
    }
}

/// `addr`, or `addr (deposed)` for a deposed object (its key is random).
fn name(addr: &ResourceInstanceAddr, deposed: Option<&str>) -> String {
    match deposed {
        Some(_) => format!("{addr} (deposed)"),
        None => addr.to_string(),
    }
}

struct Setup {
    _dir: tempfile::TempDir,
    config: terrane_config::Config,
    sources: SourceMap,
}

fn load(main_tf: &str) -> Setup {
    load_files(&[("main.tf", main_tf)])
}

fn load_files(files: &[(&str, &str)]) -> Setup {
    let dir = tempfile::tempdir().unwrap();
    for (name, text) in files {
        let path = dir.path().join(name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }
    let mut sources = SourceMap::new();
    let (config, diags) = terrane_config::load(dir.path(), &mut sources);
    assert!(!diags.has_errors(), "{diags:?}");
    Setup {
        _dir: dir,
        config,
        sources,
    }
}

fn prior_from(changed: &IndexMap<ResourceInstanceAddr, Option<Recorded>>) -> Prior {
    let mut p = Prior::default();
    for (addr, v) in changed {
        if let Some(r) = v {
            p.objects.insert(addr.clone(), prior_object(r));
        }
    }
    p
}

fn prior_object(r: &Recorded) -> PriorObject {
    PriorObject {
        value: r.value.clone().unmark_deep().0,
        provider: r.provider.clone(),
        tainted: false,
        dependencies: r.dependencies.clone(),
    }
}

async fn run_apply(
    s: &Setup,
    t: &Arc<Thing>,
    prior: &Prior,
    mode: PlanMode,
) -> (
    terrane_plan::Plan,
    terrane_types::Diagnostics,
    ApplyRun,
    Arc<Recorder>,
) {
    let recorder = Arc::new(Recorder::default());
    let run = ApplyRun::new(recorder.clone(), 4, Arc::new(AtomicBool::new(false)));
    let options = PlanOptions {
        mode,
        ..PlanOptions::default()
    };
    let (plan, diags, run) = apply(
        &s.config,
        &s.sources,
        Path::new("."),
        &IndexMap::new(),
        prior,
        &mut providers(t),
        &options,
        run,
    )
    .await;
    (plan, diags, run, recorder)
}

#[tokio::test]
async fn a_plan_from_nothing_creates_every_instance_with_unknown_computed_values() {
    let s = load(
        r#"
resource "test_thing" "a" {
  count = 3
  input = "a-${count.index}"
}
resource "test_thing" "b" {
  input = test_thing.a[2].id
}
"#,
    );
    let t = thing();
    let (p, diags) = plan(
        &s.config,
        &s.sources,
        Path::new("."),
        &IndexMap::new(),
        &Prior::default(),
        &mut providers(&t),
        &PlanOptions::default(),
    )
    .await;
    assert!(!diags.has_errors(), "{diags:?}");
    let addrs: Vec<String> = p.changes.iter().map(|c| c.addr.to_string()).collect();
    assert_eq!(
        addrs,
        [
            "test_thing.a[0]",
            "test_thing.a[1]",
            "test_thing.a[2]",
            "test_thing.b"
        ]
    );
    assert!(p.changes.iter().all(|c| c.action == Action::Create));
    let b = p.changes[3].after.as_ref().unwrap();
    assert_eq!(b.get_attr("input"), Some(&Value::Unknown(Type::String)));
    assert_eq!(p.counts(), (4, 0, 0));
}

#[tokio::test]
async fn apply_gives_dependents_the_real_values_and_a_second_plan_has_no_changes() {
    let s = load(
        r#"
resource "test_thing" "a" {
  input = "first"
}
resource "test_thing" "b" {
  input = "after ${test_thing.a.id}"
}
"#,
    );
    let t = thing();
    let (_, diags, run, _) = run_apply(&s, &t, &Prior::default(), PlanMode::Normal).await;
    assert!(!diags.has_errors(), "{diags:?}");
    let log = t.log.lock().unwrap().clone();
    assert_eq!(log, ["create \"first\"", "create \"after id-0\""]);
    let prior = prior_from(&run.changed);
    let (p, diags) = plan(
        &s.config,
        &s.sources,
        Path::new("."),
        &IndexMap::new(),
        &prior,
        &mut providers(&t),
        &PlanOptions::default(),
    )
    .await;
    assert!(!diags.has_errors(), "{diags:?}");
    assert!(!p.has_changes(), "{:?}", p.changes);
}

#[tokio::test]
async fn scaling_count_down_deletes_the_highest_indexes_with_their_reason() {
    let five = load("resource \"test_thing\" \"w\" {\n  count = 5\n  input = count.index\n}\n");
    let t = thing();
    let (_, _, run, _) = run_apply(&five, &t, &Prior::default(), PlanMode::Normal).await;
    let prior = prior_from(&run.changed);
    assert_eq!(prior.objects.len(), 5);
    let three = load("resource \"test_thing\" \"w\" {\n  count = 3\n  input = count.index\n}\n");
    let (p, _) = plan(
        &three.config,
        &three.sources,
        Path::new("."),
        &IndexMap::new(),
        &prior,
        &mut providers(&t),
        &PlanOptions::default(),
    )
    .await;
    let deletes: Vec<(String, Option<ActionReason>)> = p
        .changes
        .iter()
        .filter(|c| c.action == Action::Delete)
        .map(|c| (c.addr.to_string(), c.reason))
        .collect();
    assert_eq!(
        deletes,
        [
            (
                "test_thing.w[3]".into(),
                Some(ActionReason::DeleteBecauseCountIndex)
            ),
            (
                "test_thing.w[4]".into(),
                Some(ActionReason::DeleteBecauseCountIndex)
            ),
        ]
    );
    assert_eq!(p.counts(), (0, 0, 2));
}

#[tokio::test]
async fn a_failure_stops_its_dependents_but_independent_branches_finish() {
    let s = load(
        r#"
resource "test_thing" "bad" {
  fail = true
}
resource "test_thing" "after_bad" {
  input = test_thing.bad.id
}
resource "test_thing" "independent" {
  input = "fine"
}
"#,
    );
    let t = thing();
    let (_, diags, run, _) = run_apply(&s, &t, &Prior::default(), PlanMode::Normal).await;
    assert!(diags.has_errors());
    let names: Vec<String> = run
        .changed
        .iter()
        .filter(|(_, v)| v.is_some())
        .map(|(a, _)| a.to_string())
        .collect();
    assert_eq!(names, ["test_thing.independent"]);
    assert!(
        !t.log.lock().unwrap().iter().any(|l| l.contains("after")),
        "the dependent must not be created"
    );
}

#[tokio::test]
async fn destroy_deletes_dependents_before_what_they_depend_on() {
    let s = load(
        r#"
resource "test_thing" "base" {
  input = "base"
}
resource "test_thing" "top" {
  input = "top-${test_thing.base.id}"
}
"#,
    );
    let t = thing();
    let (_, _, run, _) = run_apply(&s, &t, &Prior::default(), PlanMode::Normal).await;
    let prior = prior_from(&run.changed);
    t.log.lock().unwrap().clear();
    let (p, diags, run, _) = run_apply(&s, &t, &prior, PlanMode::Destroy).await;
    assert!(!diags.has_errors(), "{diags:?}");
    assert_eq!(p.counts(), (0, 0, 2));
    let log = t.log.lock().unwrap().clone();
    assert_eq!(log, ["delete \"top-id-0\"", "delete \"base\""]);
    assert!(run.changed.values().all(Option::is_none));
}

#[tokio::test]
async fn for_each_instances_are_keyed_and_each_value_is_visible() {
    let s = load(
        r#"
resource "test_thing" "user" {
  for_each = { alice = "admin", bob = "dev" }
  input    = "${each.key}:${each.value}"
}
"#,
    );
    let t = thing();
    let (p, diags, _, recorder) = run_apply(&s, &t, &Prior::default(), PlanMode::Normal).await;
    assert!(!diags.has_errors(), "{diags:?}");
    let addrs: Vec<String> = p.changes.iter().map(|c| c.addr.to_string()).collect();
    assert_eq!(
        addrs,
        ["test_thing.user[\"alice\"]", "test_thing.user[\"bob\"]"]
    );
    let mut log = t.log.lock().unwrap().clone();
    log.sort();
    assert_eq!(log, ["create \"alice:admin\"", "create \"bob:dev\""]);
    assert_eq!(recorder.events.lock().unwrap().len(), 4);
}

#[tokio::test]
async fn objects_removed_from_the_configuration_are_deleted_dependents_first() {
    let s = load(
        r#"
resource "test_thing" "base" {
  input = "base"
}
resource "test_thing" "top" {
  input = "top-${test_thing.base.id}"
}
"#,
    );
    let t = thing();
    let (_, _, run, _) = run_apply(&s, &t, &Prior::default(), PlanMode::Normal).await;
    let prior = prior_from(&run.changed);
    assert_eq!(
        prior
            .objects
            .values()
            .map(|o| o.dependencies.clone())
            .collect::<Vec<_>>(),
        [vec![], vec!["test_thing.base".to_string()]]
    );
    t.log.lock().unwrap().clear();
    let empty = load("");
    let (_, diags, run, _) = run_apply(&empty, &t, &prior, PlanMode::Normal).await;
    assert!(!diags.has_errors(), "{diags:?}");
    assert_eq!(
        t.log.lock().unwrap().clone(),
        ["delete \"top-id-0\"", "delete \"base\""]
    );
    assert!(run.changed.values().all(Option::is_none));
}

#[tokio::test]
async fn create_before_destroy_deletes_the_old_object_only_after_its_dependents_moved_on() {
    let source = |kind: &str| {
        format!(
            r#"
resource "test_thing" "a" {{
  kind  = "{kind}"
  input = "a-{kind}"
  lifecycle {{
    create_before_destroy = true
  }}
}}
resource "test_thing" "b" {{
  input = "uses-${{test_thing.a.id}}"
}}
"#
        )
    };
    let t = thing();
    let (_, _, run, _) = run_apply(
        &load(&source("v1")),
        &t,
        &Prior::default(),
        PlanMode::Normal,
    )
    .await;
    let prior = prior_from(&run.changed);
    t.log.lock().unwrap().clear();
    let (p, diags, run, recorder) =
        run_apply(&load(&source("v2")), &t, &prior, PlanMode::Normal).await;
    assert!(!diags.has_errors(), "{diags:?}");
    let actions: Vec<(String, Action)> = p
        .changes
        .iter()
        .map(|c| (c.addr.to_string(), c.action))
        .collect();
    assert_eq!(
        actions,
        [
            ("test_thing.a".into(), Action::CreateThenDelete),
            ("test_thing.b".into(), Action::Update)
        ]
    );
    let log = t.log.lock().unwrap().clone();
    assert_eq!(
        log,
        ["create \"a-v2\"", "update \"uses-id-2\"", "delete \"a-v1\""]
    );
    let events = recorder.events.lock().unwrap().clone();
    assert_eq!(
        events,
        [
            "start test_thing.a CreateThenDelete",
            "depose test_thing.a",
            "done test_thing.a present",
            "start test_thing.b Update",
            "done test_thing.b present",
            "start test_thing.a (deposed) Delete",
            "done test_thing.a (deposed) deleted",
        ]
    );
    assert_eq!(run.deposed.len(), 1);
    assert!(
        run.deposed.values().all(Option::is_none),
        "the old object is gone"
    );
}

#[tokio::test]
async fn a_deposed_object_that_could_not_be_deleted_is_kept_and_the_next_plan_deletes_it() {
    let s = load(
        r#"
resource "test_thing" "a" {
  input = "a"
  lifecycle {
    create_before_destroy = true
  }
}
"#,
    );
    let t = thing();
    let (_, _, run, _) = run_apply(&s, &t, &Prior::default(), PlanMode::Normal).await;
    let mut prior = prior_from(&run.changed);
    // Replaced on request; the old object refuses to go.
    t.fail_deletes.store(true, Ordering::SeqCst);
    let recorder = Arc::new(Recorder::default());
    let options = PlanOptions {
        replace: vec![prior.objects.keys().next().unwrap().clone()],
        ..PlanOptions::default()
    };
    let (_, diags, run) = apply(
        &s.config,
        &s.sources,
        Path::new("."),
        &IndexMap::new(),
        &prior,
        &mut providers(&t),
        &options,
        ApplyRun::new(recorder.clone(), 4, Arc::new(AtomicBool::new(false))),
    )
    .await;
    let errors: Vec<String> = diags.iter().map(|d| d.summary.clone()).collect();
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert!(
        errors[0].starts_with("Error deleting test_thing.a (deposed object "),
        "{errors:?}"
    );
    let ((addr, key), kept) = run.deposed.first().unwrap();
    let kept = kept.as_ref().expect("the old object is still recorded");
    assert_eq!(kept.value.get_attr("id"), Some(&Value::string("id-0")));
    let current = run.changed.get(addr).unwrap().as_ref().unwrap();
    assert_eq!(current.value.get_attr("id"), Some(&Value::string("id-1")));
    // The next plan deletes the deposed object and leaves the current one alone.
    prior.objects.insert(addr.clone(), prior_object(current));
    prior
        .deposed
        .insert((addr.clone(), key.clone()), prior_object(kept));
    t.fail_deletes.store(false, Ordering::SeqCst);
    let (p, diags, run, _) = run_apply(&s, &t, &prior, PlanMode::Normal).await;
    assert!(!diags.has_errors(), "{diags:?}");
    let planned: Vec<(Action, Option<String>)> = p
        .changes
        .iter()
        .map(|c| (c.action, c.deposed.clone()))
        .collect();
    assert_eq!(
        planned,
        [(Action::NoOp, None), (Action::Delete, Some(key.clone()))]
    );
    assert_eq!(p.counts(), (0, 0, 1));
    assert_eq!(run.deposed.get(&(addr.clone(), key.clone())), Some(&None));
}

#[tokio::test]
async fn a_postcondition_on_a_value_known_after_apply_is_checked_against_the_real_object() {
    let s = load(
        r#"
resource "test_thing" "a" {
  input = "a"
  lifecycle {
    postcondition {
      condition     = self.id != "id-0"
      error_message = "The first id is reserved."
    }
  }
}
resource "test_thing" "b" {
  input = test_thing.a.id
}
"#,
    );
    let t = thing();
    let (_, plan_diags) = plan(
        &s.config,
        &s.sources,
        Path::new("."),
        &IndexMap::new(),
        &Prior::default(),
        &mut providers(&t),
        &PlanOptions::default(),
    )
    .await;
    assert!(
        !plan_diags.has_errors(),
        "unknown at plan time: {plan_diags:?}"
    );
    let (_, diags, run, _) = run_apply(&s, &t, &Prior::default(), PlanMode::Normal).await;
    let details: Vec<(String, String)> = diags
        .iter()
        .map(|d| (d.summary.clone(), d.detail.clone()))
        .collect();
    assert_eq!(
        details,
        [(
            "Resource postcondition failed".to_string(),
            "The first id is reserved.".to_string()
        )]
    );
    // The object exists and is recorded; what depends on it did not run.
    assert_eq!(run.changed.len(), 1);
    assert_eq!(t.log.lock().unwrap().clone(), ["create \"a\""]);
}

#[tokio::test]
async fn a_precondition_that_fails_on_a_value_known_only_at_apply_stops_that_instance() {
    let s = load(
        r#"
resource "test_thing" "a" {
  input = "a"
}
resource "test_thing" "b" {
  input = "b"
  lifecycle {
    precondition {
      condition     = test_thing.a.id == "expected"
      error_message = "a has the wrong id."
    }
  }
}
resource "test_thing" "c" {
  input = test_thing.b.id
}
"#,
    );
    let t = thing();
    let (_, diags, run, _) = run_apply(&s, &t, &Prior::default(), PlanMode::Normal).await;
    let summaries: Vec<String> = diags.iter().map(|d| d.summary.clone()).collect();
    assert_eq!(summaries, ["Resource precondition failed"]);
    let created: Vec<String> = run.changed.keys().map(ToString::to_string).collect();
    assert_eq!(created, ["test_thing.a"]);
}

#[tokio::test]
async fn refresh_reads_every_object_of_a_type_in_one_call_across_resources_and_modules() {
    let s = load_files(&[
        (
            "main.tf",
            r#"
resource "test_thing" "a" {
  count = 3
  input = count.index
}
resource "test_thing" "b" {
  input = "b"
}
module "m" {
  source = "./m"
}
"#,
        ),
        (
            "m/main.tf",
            "resource \"test_thing\" \"inner\" {\n  count = 2\n  input = count.index\n}\n",
        ),
    ]);
    let t = thing();
    let (_, diags, run, _) = run_apply(&s, &t, &Prior::default(), PlanMode::Normal).await;
    assert!(!diags.has_errors(), "{diags:?}");
    let prior = prior_from(&run.changed);
    assert_eq!(prior.objects.len(), 6);
    let (p, diags) = plan(
        &s.config,
        &s.sources,
        Path::new("."),
        &IndexMap::new(),
        &prior,
        &mut providers(&t),
        &PlanOptions::default(),
    )
    .await;
    assert!(!diags.has_errors(), "{diags:?}");
    assert_eq!(p.counts(), (0, 0, 0));
    assert_eq!(t.reads.lock().unwrap().clone(), [6]);
}

#[tokio::test]
async fn only_drift_in_attributes_that_changed_resources_read_is_reported() {
    let module = (
        "m/main.tf",
        r#"
resource "test_thing" "src" {
  input = "s"
}
resource "test_thing" "other" {
  input = "o"
}
output "src_id" {
  value = test_thing.src.id
}
output "src_output" {
  value = test_thing.src.output
}
"#,
    );
    let root = |input: &str| {
        format!(
            "module \"m\" {{\n  source = \"./m\"\n}}\nresource \"test_thing\" \"reader\" {{\n  input = {input}\n}}\n"
        )
    };
    let s = load_files(&[("main.tf", &root("module.m.src_id")), module]);
    let t = thing();
    let (_, diags, run, _) = run_apply(&s, &t, &Prior::default(), PlanMode::Normal).await;
    assert!(!diags.has_errors(), "{diags:?}");
    let prior = prior_from(&run.changed);
    let id_of = |name: &str| {
        prior
            .objects
            .iter()
            .find(|(a, _)| a.resource.name == name)
            .and_then(|(_, o)| o.value.get_attr("id").and_then(Value::as_str))
            .unwrap()
            .to_owned()
    };
    // Both module objects' `output` changed outside terrane.
    *t.drifted.lock().unwrap() = vec![
        (id_of("src"), Value::string("changed")),
        (id_of("other"), Value::string("changed")),
    ];
    let drift_of = |main_tf: String| {
        let s = load_files(&[("main.tf", &main_tf), module]);
        let t = t.clone();
        let prior = &prior;
        async move {
            let (p, diags) = plan(
                &s.config,
                &s.sources,
                Path::new("."),
                &IndexMap::new(),
                prior,
                &mut providers(&t),
                &PlanOptions::default(),
            )
            .await;
            assert!(!diags.has_errors(), "{diags:?}");
            assert_eq!(p.counts(), (0, 1, 0), "the reader changes");
            p.drift
                .iter()
                .map(|d| d.addr.to_string())
                .collect::<Vec<_>>()
        }
    };
    // The reader reads src's id, which did not change: no drift is news to this plan.
    assert!(drift_of(root("\"${module.m.src_id}-2\"")).await.is_empty());
    // The reader reads src's output (through the module output): that drift is shown, and
    // only that one.
    assert_eq!(
        drift_of(root("\"${module.m.src_output}-2\"")).await,
        ["module.m.test_thing.src"]
    );
}
