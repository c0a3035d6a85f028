//! Carrying a plan out: the graph is walked as for planning, but a node's dependents start
//! only once the provider operations of its instances have finished, so they see real values
//! where the plan had "known after apply". Operations run concurrently up to the parallelism
//! limit; a failure stops what depends on it while independent branches finish.

use crate::graph::Graph;
use crate::plan::{PlanOptions, Planner, Prior, walk};
use crate::providers::ProviderSet;
use indexmap::IndexMap;
use petgraph::Direction;
use petgraph::graph::NodeIndex;
use std::collections::{HashMap, HashSet, VecDeque};
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};
use terrane_config::{Config, InputValue};
use terrane_plan::{Action, Plan};
use terrane_sdk::{ApplyCtx, ProviderError, Resource};
use terrane_types::{
    AttrPath, Diagnostic, Diagnostics, ResourceInstanceAddr, SourceMap, Span, Value,
};

/// An object as the state records it after an operation.
#[derive(Clone, Debug, PartialEq)]
pub struct Recorded {
    pub value: Value,
    /// The value as state JSON, written with the resource's schema (dynamic attributes with
    /// their types).
    pub attributes: serde_json::Value,
    pub provider: String,
    pub schema_version: u64,
    /// The resources it depends on (`aws_vpc.main`, `module.net.aws_subnet.a`), as
    /// Terraform's state records them: what deleting it must wait for.
    pub dependencies: Vec<String>,
}

/// What happened to one object.
#[derive(Clone, Debug)]
pub enum Outcome {
    /// It exists with this state (created, updated or replaced).
    Present {
        value: Value,
        attributes: serde_json::Value,
        provider: String,
        schema_version: u64,
        dependencies: Vec<String>,
    },
    /// It no longer exists.
    Deleted,
    /// The operation failed; the object is as it was before (`prior`), or gone if the
    /// failure came after its deletion in a replacement.
    Failed {
        error: ProviderError,
        still_exists: Option<(Value, serde_json::Value)>,
        provider: String,
        schema_version: u64,
        dependencies: Vec<String>,
    },
}

/// Told about every operation: the CLI records them in the journal (durably, before it
/// returns) and shows progress. `deposed` names a deposed object of the instance (left over
/// from a `create_before_destroy` replacement); None is its current object.
pub trait ApplyObserver: Send + Sync {
    /// An operation is about to call the provider. For creations this must be durable
    /// before it returns: a crash after the call must not lose track of the object.
    fn starting(&self, addr: &ResourceInstanceAddr, deposed: Option<&str>, action: Action);
    /// An operation finished; durable before it returns.
    fn finished(
        &self,
        addr: &ResourceInstanceAddr,
        deposed: Option<&str>,
        outcome: &Outcome,
        elapsed: Duration,
    );
    /// `create_before_destroy`: the new object exists, so the current one becomes deposed
    /// under `key` until it is deleted. Durable before it returns (the `finished` that
    /// follows records the new object as current).
    fn deposing(&self, addr: &ResourceInstanceAddr, key: &str);
    /// A long operation reports progress.
    fn progress(&self, addr: &ResourceInstanceAddr, message: &str) {
        let _ = (addr, message);
    }
}

/// One provider operation to run.
pub(crate) struct Op {
    pub(crate) node: NodeIndex,
    pub(crate) slot: usize,
    pub(crate) index: usize,
    pub(crate) addr: ResourceInstanceAddr,
    pub(crate) action: Action,
    pub(crate) resource: Arc<dyn Resource>,
    pub(crate) prior: Option<Value>,
    pub(crate) planned: Value,
    pub(crate) provider: String,
    pub(crate) schema_version: u64,
    pub(crate) sensitive_paths: Vec<AttrPath>,
    pub(crate) resource_config: Span,
    pub(crate) dependencies: Vec<String>,
    /// Set by a `create_before_destroy` replacement once the old object is deposed.
    pub(crate) deposed_key: Option<String>,
    /// For a resource with postconditions, the instance's `count.index` / `each.*`: they
    /// are checked again against the object the provider returns.
    pub(crate) postcondition_names: Option<std::collections::BTreeMap<String, Value>>,
}

/// An object to delete: an orphan, one `destroy` removes, or a deposed one.
pub(crate) struct Deletion {
    pub(crate) addr: ResourceInstanceAddr,
    pub(crate) deposed: Option<String>,
    pub(crate) provider: String,
    pub(crate) prior: Value,
    pub(crate) resource: Arc<dyn Resource>,
    /// What it depended on (config addresses): it goes before those.
    pub(crate) dependencies: Vec<String>,
}

/// The state of an apply in progress.
pub struct ApplyRun {
    observer: Arc<dyn ApplyObserver>,
    parallelism: usize,
    queue: Vec<Op>,
    /// Objects changed by this apply: the new state of each (None = deleted).
    pub changed: IndexMap<ResourceInstanceAddr, Option<Recorded>>,
    /// Deposed objects created or deleted by this apply, by instance and deposed key: the
    /// object still there (its delete failed or did not run), or None once deleted.
    pub deposed: IndexMap<(ResourceInstanceAddr, String), Option<Recorded>>,
    /// Objects deposed by this apply's replacements, deleted once everything else is done
    /// (so their dependents have moved to the new objects first).
    pending_deposed: Vec<Deletion>,
    /// Set when the user asked to stop: no new operation starts.
    stop: Arc<std::sync::atomic::AtomicBool>,
}

impl ApplyRun {
    pub fn new(
        observer: Arc<dyn ApplyObserver>,
        parallelism: usize,
        stop: Arc<std::sync::atomic::AtomicBool>,
    ) -> ApplyRun {
        ApplyRun {
            observer,
            parallelism: parallelism.max(1),
            queue: Vec::new(),
            changed: IndexMap::new(),
            deposed: IndexMap::new(),
            pending_deposed: Vec::new(),
            stop,
        }
    }

    pub(crate) fn enqueue(&mut self, op: Op) {
        self.queue.push(op);
    }

    fn stopping(&self) -> bool {
        self.stop.load(std::sync::atomic::Ordering::SeqCst)
    }

    fn note(&mut self, addr: &ResourceInstanceAddr, deposed: Option<&str>, outcome: &Outcome) {
        let recorded = match outcome {
            Outcome::Present {
                value,
                attributes,
                provider,
                schema_version,
                dependencies,
            } => Some(Recorded {
                value: value.clone(),
                attributes: attributes.clone(),
                provider: provider.clone(),
                schema_version: *schema_version,
                dependencies: dependencies.clone(),
            }),
            Outcome::Deleted => None,
            Outcome::Failed {
                still_exists,
                provider,
                schema_version,
                dependencies,
                ..
            } => still_exists.clone().map(|(value, attributes)| Recorded {
                value,
                attributes,
                provider: provider.clone(),
                schema_version: *schema_version,
                dependencies: dependencies.clone(),
            }),
        };
        match deposed {
            Some(key) => {
                self.deposed
                    .insert((addr.clone(), key.to_owned()), recorded);
            }
            None => {
                self.changed.insert(addr.clone(), recorded);
            }
        }
    }

    /// `destroy`: deletes every object of the plan, dependents before what they depend on.
    pub(crate) async fn destroy_all(
        &mut self,
        graph: &Graph,
        plan: &Plan,
        resources: &DeleteResources,
        prior: &Prior,
        diags: &mut Diagnostics,
    ) {
        // Resources in the configuration go in reverse dependency order; the rest first.
        let order: HashMap<String, usize> = graph
            .evaluation_order()
            .unwrap_or_default()
            .into_iter()
            .enumerate()
            .map(|(pos, i)| (config_key(&graph.graph[i]), pos))
            .collect();
        let mut deletes: Vec<(usize, Deletion)> =
            deletions(plan.changes.iter(), resources, prior, diags)
                .into_iter()
                .map(|d| {
                    let key = format!(
                        "{}|{}",
                        d.addr.resource.module.config_path().join("."),
                        resource_key(&d.addr)
                    );
                    (order.get(&key).copied().unwrap_or(usize::MAX), d)
                })
                .collect();
        deletes.sort_by_key(|d| std::cmp::Reverse(d.0));
        // Objects at the same position in the order do not depend on each other.
        let mut deletes = deletes.into_iter().peekable();
        while let Some((level, first)) = deletes.next() {
            let mut batch = vec![first];
            while let Some((_, d)) = deletes.next_if(|(l, _)| *l == level) {
                batch.push(d);
            }
            self.run_deletes(batch, diags).await;
        }
    }

    /// Deletes of objects the configuration no longer has and of deposed objects, after
    /// everything else: in waves, each object before the objects it depended on (from the
    /// state's dependencies).
    pub(crate) async fn delete_orphans(
        &mut self,
        plan: &Plan,
        resources: &DeleteResources,
        prior: &Prior,
        diags: &mut Diagnostics,
    ) {
        let not_done = plan.changes.iter().filter(|c| match &c.deposed {
            None => !self.changed.contains_key(&c.addr),
            Some(key) => !self.deposed.contains_key(&(c.addr.clone(), key.clone())),
        });
        let mut left = deletions(not_done, resources, prior, diags);
        left.append(&mut self.pending_deposed);
        while !left.is_empty() {
            // Config addresses the remaining objects depend on: those wait for a later wave.
            let needed: HashSet<String> = left
                .iter()
                .flat_map(|d| d.dependencies.iter().cloned())
                .collect();
            let (wave, rest): (Vec<_>, Vec<_>) = left
                .into_iter()
                .partition(|d| !needed.contains(&config_address(&d.addr)));
            if wave.is_empty() {
                // A cycle in recorded dependencies: delete what remains together.
                self.run_deletes(rest, diags).await;
                break;
            }
            self.run_deletes(wave, diags).await;
            left = rest;
            if self.stopping() {
                break;
            }
        }
    }

    async fn run_deletes(&mut self, deletions: Vec<Deletion>, diags: &mut Diagnostics) {
        let mut set = tokio::task::JoinSet::new();
        let mut pending = deletions.into_iter();
        loop {
            while set.len() < self.parallelism && !self.stopping() {
                let Some(d) = pending.next() else { break };
                let observer = self.observer.clone();
                set.spawn(async move {
                    let started = Instant::now();
                    observer.starting(&d.addr, d.deposed.as_deref(), Action::Delete);
                    let ctx = ApplyCtx::silent();
                    let outcome = match d.resource.delete(&d.prior, &ctx).await {
                        Ok(()) => Outcome::Deleted,
                        Err(error) => Outcome::Failed {
                            still_exists: d
                                .resource
                                .schema()
                                .block
                                .value_to_json(&d.prior)
                                .map(|j| (d.prior.clone(), j)),
                            error,
                            provider: d.provider.clone(),
                            schema_version: d.resource.schema().version,
                            dependencies: d.dependencies.clone(),
                        },
                    };
                    observer.finished(&d.addr, d.deposed.as_deref(), &outcome, started.elapsed());
                    (d.addr, d.deposed, outcome)
                });
            }
            let Some(done) = set.join_next().await else {
                break;
            };
            match done {
                Ok((addr, deposed, outcome)) => {
                    if let Outcome::Failed { error, .. } = &outcome {
                        let what = match &deposed {
                            Some(key) => format!("{addr} (deposed object {key})"),
                            None => addr.to_string(),
                        };
                        diags.push(
                            Diagnostic::error(format!("Error deleting {what}"))
                                .with_detail(describe(error)),
                        );
                    }
                    self.note(&addr, deposed.as_deref(), &outcome);
                }
                Err(e) => diags.push(
                    Diagnostic::error("An operation failed unexpectedly").with_detail(format!(
                        "A provider operation stopped abnormally: {e}. This is a bug in terrane or one of its providers."
                    )),
                ),
            }
        }
    }

    /// A replacement deposed the old object (the new one is current): it is deleted once
    /// everything else is done.
    fn deposed_old_object(&mut self, op: &Op, key: String) {
        let prior = op.prior.clone().unwrap_or_else(Value::null);
        let attributes = op
            .resource
            .schema()
            .block
            .value_to_json(&prior)
            .unwrap_or(serde_json::Value::Null);
        self.deposed.insert(
            (op.addr.clone(), key.clone()),
            Some(Recorded {
                value: prior.clone(),
                attributes,
                provider: op.provider.clone(),
                schema_version: op.schema_version,
                dependencies: op.dependencies.clone(),
            }),
        );
        self.pending_deposed.push(Deletion {
            addr: op.addr.clone(),
            deposed: Some(key),
            provider: op.provider.clone(),
            prior,
            resource: op.resource.clone(),
            dependencies: op.dependencies.clone(),
        });
    }
}

/// The objects the plan deletes, with the resource implementation that deletes each.
fn deletions<'c>(
    changes: impl Iterator<Item = &'c terrane_plan::ResourceChange>,
    resources: &DeleteResources,
    prior: &Prior,
    diags: &mut Diagnostics,
) -> Vec<Deletion> {
    let mut out = Vec::new();
    for c in changes.filter(|c| c.action == Action::Delete) {
        let key = (c.provider.clone(), c.addr.resource.type_name.clone());
        let Some(resource) = resources.get(&key).cloned() else {
            diags.push(
                Diagnostic::error("Cannot delete object").with_detail(format!(
                    "{}: its provider ({}) is not available to delete it.",
                    c.addr, c.provider
                )),
            );
            continue;
        };
        let recorded = match &c.deposed {
            None => prior.objects.get(&c.addr),
            Some(key) => prior.deposed.get(&(c.addr.clone(), key.clone())),
        };
        out.push(Deletion {
            addr: c.addr.clone(),
            deposed: c.deposed.clone(),
            provider: c.provider.clone(),
            prior: c.before.clone().unwrap_or_else(Value::null).unmark_deep().0,
            resource,
            dependencies: recorded.map(|o| o.dependencies.clone()).unwrap_or_default(),
        });
    }
    out
}

/// The resource implementations that can delete objects, by (provider address in state, type).
pub(crate) type DeleteResources = HashMap<(String, String), Arc<dyn Resource>>;

fn describe(e: &ProviderError) -> String {
    match (&e.code, e.detail.is_empty()) {
        (_, true) => e.summary.clone(),
        (Some(code), false) if !e.detail.contains(code.as_str()) => {
            format!("{}: {code}: {}", e.summary, e.detail)
        }
        _ => format!("{}: {}", e.summary, e.detail),
    }
}

/// An instance's resource as the state's `dependencies` name it: module path without keys.
fn config_address(addr: &ResourceInstanceAddr) -> String {
    format!(
        "{}{}",
        crate::graph::module_prefix(&addr.resource.module.config_path()),
        resource_key(addr)
    )
}

fn resource_key(addr: &ResourceInstanceAddr) -> String {
    let r = &addr.resource;
    match r.mode {
        terrane_types::ResourceMode::Managed => format!("{}.{}", r.type_name, r.name),
        terrane_types::ResourceMode::Data => format!("data.{}.{}", r.type_name, r.name),
    }
}

fn config_key(n: &crate::graph::Node) -> String {
    match &n.kind {
        crate::graph::NodeKind::Resource(a) => format!("{}|{a}", n.module.join(".")),
        other => format!("{}|{other:?}", n.module.join(".")),
    }
}

/// The graph walk: a node starts when everything it depends on has finished, including the
/// provider operations of resource nodes. Nodes that depend on a failed node are skipped.
pub(crate) async fn schedule(p: &mut Planner<'_>, graph: &Graph) {
    let g = &graph.graph;
    let mut waiting: HashMap<NodeIndex, usize> = g
        .node_indices()
        .map(|i| (i, g.neighbors_directed(i, Direction::Outgoing).count()))
        .collect();
    let mut ready: VecDeque<NodeIndex> = {
        let mut r: Vec<NodeIndex> = waiting
            .iter()
            .filter(|(_, n)| **n == 0)
            .map(|(i, _)| *i)
            .collect();
        r.sort_by_key(|i| &g[*i]);
        r.into()
    };
    let mut failed: HashSet<NodeIndex> = HashSet::new();
    let mut in_flight: HashMap<NodeIndex, usize> = HashMap::new();
    let mut set: tokio::task::JoinSet<(Op, Outcome)> = tokio::task::JoinSet::new();
    let mut backlog: VecDeque<Op> = VecDeque::new();
    loop {
        while let Some(i) = ready.pop_front() {
            let upstream_failed = g
                .neighbors_directed(i, Direction::Outgoing)
                .any(|d| failed.contains(&d));
            if upstream_failed || p.apply.as_ref().is_some_and(ApplyRun::stopping) {
                failed.insert(i);
                complete(i, g, &mut waiting, &mut ready);
                continue;
            }
            let errors_before = p.diags.error_count();
            p.visit(graph, i).await;
            if p.apply.is_some() && p.diags.error_count() > errors_before {
                // A check failed (e.g. a precondition on a value known only now): what
                // depends on this node does not run.
                failed.insert(i);
            }
            let ops: Vec<Op> = p
                .apply
                .as_mut()
                .map(|run| std::mem::take(&mut run.queue))
                .unwrap_or_default();
            if ops.is_empty() {
                p.finish_node(i);
                complete(i, g, &mut waiting, &mut ready);
            } else {
                in_flight.insert(i, ops.len());
                backlog.extend(ops);
            }
        }
        let Some(run) = p.apply.as_ref() else { break };
        while set.len() < run.parallelism && !run.stopping() {
            let Some(op) = backlog.pop_front() else { break };
            set.spawn(run_op(op, run.observer.clone()));
        }
        if run.stopping() {
            // Ctrl-C: nothing new starts; what is in flight finishes and is recorded.
            for op in backlog.drain(..) {
                failed.insert(op.node);
            }
        }
        let Some(done) = set.join_next().await else {
            if in_flight.is_empty() {
                break;
            }
            // Operations were dropped by a stop: their nodes count as failed.
            let stuck: Vec<NodeIndex> = in_flight.keys().copied().collect();
            for i in stuck {
                in_flight.remove(&i);
                failed.insert(i);
                p.finish_node(i);
                complete(i, g, &mut waiting, &mut ready);
            }
            continue;
        };
        let (op, outcome) = match done {
            Ok(result) => result,
            Err(e) => {
                // A provider operation that panicked never reports, so its node would never
                // complete: the walk ends here with the error, after what is in flight.
                p.diags.push(
                    Diagnostic::error("An operation failed unexpectedly").with_detail(format!(
                        "A provider operation stopped abnormally: {e}. This is a bug in terrane or one of its providers."
                    )),
                );
                backlog.clear();
                while let Some(rest) = set.join_next().await {
                    if let Ok((op, outcome)) = rest
                        && let Some(run) = p.apply.as_mut()
                    {
                        run.note(&op.addr, None, &outcome);
                        if let Some(key) = op.deposed_key.clone() {
                            run.deposed_old_object(&op, key);
                        }
                    }
                }
                break;
            }
        };
        let value_for_references = match &outcome {
            Outcome::Present { value, .. } => {
                let value = crate::plan::mark_paths(value.clone(), &op.sensitive_paths);
                if let Some(names) = op.postcondition_names.clone()
                    && p.postconditions_fail(op.node, op.slot, names, value.clone())
                {
                    // The object exists (the state records it), but its dependents do not
                    // run on an object that breaks its guarantees.
                    failed.insert(op.node);
                }
                value
            }
            Outcome::Deleted => Value::null(),
            Outcome::Failed { error, .. } => {
                failed.insert(op.node);
                // Pointed at the argument the provider names, with its hint.
                let config = p.slots.get(&op.node).and_then(|s| s.get(op.slot));
                let d = match config {
                    Some(slot) => {
                        let mut d = crate::plan::provider_diagnostic(
                            error.clone(),
                            slot.resource,
                            &p.modules,
                            &op.addr.resource.module,
                        );
                        d.summary = format!("{}: {}", op.addr, d.summary);
                        d
                    }
                    None => Diagnostic::error(format!("Error applying {}", op.addr))
                        .with_detail(describe(error))
                        .with_span(op.resource_config),
                };
                p.diags.push(d);
                Value::unknown()
            }
        };
        if let Some(run) = p.apply.as_mut() {
            run.note(&op.addr, None, &outcome);
            if let Some(key) = op.deposed_key.clone() {
                run.deposed_old_object(&op, key);
            }
        }
        p.record(op.node, op.slot, op.index, value_for_references);
        let left = in_flight.entry(op.node).or_insert(1);
        *left -= 1;
        if *left == 0 {
            in_flight.remove(&op.node);
            p.finish_node(op.node);
            complete(op.node, g, &mut waiting, &mut ready);
        }
    }
}

fn complete(
    i: NodeIndex,
    g: &petgraph::graph::DiGraph<crate::graph::Node, crate::graph::Edge>,
    waiting: &mut HashMap<NodeIndex, usize>,
    ready: &mut VecDeque<NodeIndex>,
) {
    for dependent in g.neighbors_directed(i, Direction::Incoming) {
        if let Some(n) = waiting.get_mut(&dependent) {
            *n = n.saturating_sub(1);
            if *n == 0 {
                ready.push_back(dependent);
            }
        }
    }
}

/// Runs one operation and tells the observer.
async fn run_op(mut op: Op, observer: Arc<dyn ApplyObserver>) -> (Op, Outcome) {
    let started = Instant::now();
    observer.starting(&op.addr, None, op.action);
    let progress_addr = op.addr.clone();
    let progress_observer = observer.clone();
    let ctx = ApplyCtx::new(Arc::new(move |m: &str| {
        progress_observer.progress(&progress_addr, m)
    }));
    let encode = |value: &Value, op: &Op| {
        op.resource
            .schema()
            .block
            .value_to_json(value)
            .unwrap_or(serde_json::Value::Null)
    };
    let present = |value: Value, op: &Op| Outcome::Present {
        attributes: encode(&value, op),
        value,
        provider: op.provider.clone(),
        schema_version: op.schema_version,
        dependencies: op.dependencies.clone(),
    };
    let failed = |error: ProviderError, still: Option<Value>, op: &Op| Outcome::Failed {
        error,
        still_exists: still.map(|v| {
            let j = encode(&v, op);
            (v, j)
        }),
        provider: op.provider.clone(),
        schema_version: op.schema_version,
        dependencies: op.dependencies.clone(),
    };
    let outcome = match op.action {
        Action::Create => match op.resource.create(&op.planned, &ctx).await {
            Ok(v) => present(v, &op),
            Err(e) => failed(e, None, &op),
        },
        Action::Update => {
            let prior = op.prior.clone().unwrap_or_else(Value::null);
            match op.resource.update(&prior, &op.planned, &ctx).await {
                Ok(v) => present(v, &op),
                Err(e) => failed(e, Some(prior), &op),
            }
        }
        Action::DeleteThenCreate => {
            let prior = op.prior.clone().unwrap_or_else(Value::null);
            match op.resource.delete(&prior, &ctx).await {
                Err(e) => failed(e, Some(prior), &op),
                Ok(()) => match op.resource.create(&op.planned, &ctx).await {
                    Ok(v) => present(v, &op),
                    Err(e) => failed(e, None, &op),
                },
            }
        }
        Action::CreateThenDelete => {
            let prior = op.prior.clone().unwrap_or_else(Value::null);
            match op.resource.create(&op.planned, &ctx).await {
                Err(e) => failed(e, Some(prior), &op),
                Ok(v) => {
                    // The old object stays, deposed, until everything else is done: what
                    // depends on it moves to the new one first.
                    let key = new_deposed_key();
                    observer.deposing(&op.addr, &key);
                    op.deposed_key = Some(key);
                    present(v, &op)
                }
            }
        }
        Action::Delete => {
            let prior = op.prior.clone().unwrap_or_else(Value::null);
            match op.resource.delete(&prior, &ctx).await {
                Ok(()) => Outcome::Deleted,
                Err(e) => failed(e, Some(prior), &op),
            }
        }
        Action::NoOp | Action::Read => match &op.prior {
            Some(v) => present(v.clone(), &op),
            None => present(op.planned.clone(), &op),
        },
    };
    observer.finished(&op.addr, None, &outcome, started.elapsed());
    (op, outcome)
}

/// A key for a deposed object: eight random hex digits, as Terraform makes them.
fn new_deposed_key() -> String {
    let mut key = uuid::Uuid::new_v4().simple().to_string();
    key.truncate(8);
    key
}

/// Applies a configuration: plans it and carries the plan out in one walk. Returns the plan
/// that was carried out, diagnostics, and the run with the objects it changed.
#[allow(clippy::too_many_arguments)]
pub async fn apply(
    config: &Config,
    sources: &SourceMap,
    cwd: &Path,
    inputs: &IndexMap<String, InputValue>,
    prior: &Prior,
    providers: &mut ProviderSet,
    options: &PlanOptions,
    run: ApplyRun,
) -> (Plan, Diagnostics, ApplyRun) {
    let observer = run.observer.clone();
    let parallelism = run.parallelism;
    let stop = run.stop.clone();
    let (plan, diags, run) = walk(
        config,
        sources,
        cwd,
        inputs,
        prior,
        providers,
        options,
        Some(run),
    )
    .await;
    let run = run.unwrap_or_else(|| ApplyRun::new(observer, parallelism, stop));
    (plan, diags, run)
}
