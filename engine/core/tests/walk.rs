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

/// `test_thing`: `input` (any), `fail` (bool: creation fails), computed `id` and `output`
/// (= input).
struct Thing {
    schema: Schema,
    created: AtomicUsize,
    log: Arc<Mutex<Vec<String>>>,
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

    async fn delete(&self, prior: &Value, _: &ApplyCtx) -> Result<(), ProviderError> {
        let input = prior.get_attr("input").cloned().unwrap_or_else(Value::null);
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
                .attr("fail", Attribute::optional(Type::Bool))
                .attr("id", Attribute::computed(Type::String))
                .attr("output", Attribute::computed(Type::Dynamic)),
        ),
        created: AtomicUsize::new(0),
        log: Arc::new(Mutex::new(Vec::new())),
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
    fn starting(&self, addr: &ResourceInstanceAddr, action: Action) {
        self.events
            .lock()
            .unwrap()
            .push(format!("start {addr} {action:?}"));
    }
    fn finished(&self, addr: &ResourceInstanceAddr, outcome: &Outcome, _: Duration) {
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

struct Setup {
    _dir: tempfile::TempDir,
    config: terrane_config::Config,
    sources: SourceMap,
}

fn load(main_tf: &str) -> Setup {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("main.tf"), main_tf).unwrap();
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
            p.objects.insert(
                addr.clone(),
                PriorObject {
                    value: r.value.clone().unmark_deep().0,
                    provider: r.provider.clone(),
                    tainted: false,
                    dependencies: r.dependencies.clone(),
                },
            );
        }
    }
    p
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
