//! `plan`: the configuration evaluated module instance by module instance, every resource
//! instance planned by its provider against the prior state, and the differences turned into
//! a [`Plan`].

use crate::apply::ApplyRun;
use crate::decode::{Evaluate, decode_body};
use crate::graph::{Graph, NodeKind};
use crate::providers::ProviderSet;
use crate::scope::{Layered, ModuleScope};
use indexmap::IndexMap;
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::path::{Path, PathBuf};
use terrane_config::{
    Config, IgnoreChanges, InputValue, Mode, ModuleNode, RawInput, Resource, Variable,
};
use terrane_lang::ast::Expr;
use terrane_lang::convert::convert;
use terrane_lang::eval::EvalCtx;
use terrane_lang::typeexpr::Constraint;
use terrane_plan::{Action, ActionReason, OutputChange, Plan, PlanMode, ResourceChange};
use terrane_types::{
    AttrPath, Diagnostic, Diagnostics, FileId, InstanceKey, ModuleInstance, PathStep, ResourceAddr,
    ResourceInstanceAddr, ResourceMode, SourceMap, Span, Value,
};

/// An object recorded in the prior state, decoded with its resource's schema.
#[derive(Clone, Debug)]
pub struct PriorObject {
    pub value: Value,
    pub provider: String,
    pub tainted: bool,
    /// The resources it depended on when last applied (from the state).
    pub dependencies: Vec<String>,
}

/// The prior state as the planner needs it.
#[derive(Clone, Debug, Default)]
pub struct Prior {
    pub objects: BTreeMap<ResourceInstanceAddr, PriorObject>,
    /// Deposed objects (left over from `create_before_destroy` replacements), by instance
    /// and deposed key: every plan deletes them.
    pub deposed: BTreeMap<(ResourceInstanceAddr, String), PriorObject>,
    pub outputs: BTreeMap<String, Value>,
    pub lineage: String,
    pub serial: u64,
}

#[derive(Clone, Debug, Default)]
pub struct PlanOptions {
    pub mode: PlanMode,
    /// `-replace=ADDR`.
    pub replace: Vec<ResourceInstanceAddr>,
    /// `-refresh=false`: trust the state instead of reading what exists.
    pub skip_refresh: bool,
    /// `-target=ADDR`: plan only these (resources, instances or modules) and what they
    /// depend on. Empty: everything.
    pub targets: Vec<String>,
}

/// Whether an address is a target or inside one: `module.a` covers everything in it,
/// `aws_instance.web` every instance of it.
fn matches_target(addr: &str, target: &str) -> bool {
    addr == target
        || addr
            .strip_prefix(target)
            .is_some_and(|rest| rest.starts_with('.') || rest.starts_with('['))
}

/// An address with its instance keys removed: `module.a["x"].b.c[0]` → `module.a.b.c`.
fn without_keys(addr: &str) -> String {
    let mut out = String::with_capacity(addr.len());
    let mut depth = 0;
    let mut in_string = false;
    let mut escaped = false;
    for ch in addr.chars() {
        match ch {
            _ if in_string => {
                if escaped {
                    escaped = false;
                } else if ch == '\\' {
                    escaped = true;
                } else if ch == '"' {
                    in_string = false;
                }
            }
            '"' if depth > 0 => in_string = true,
            '[' => depth += 1,
            ']' => depth -= 1,
            _ if depth == 0 => out.push(ch),
            _ => {}
        }
    }
    out
}

/// Plans a configuration. Diagnostics with errors mean the plan must not be applied.
pub async fn plan(
    config: &Config,
    sources: &SourceMap,
    cwd: &Path,
    inputs: &IndexMap<String, InputValue>,
    prior: &Prior,
    providers: &mut ProviderSet,
    options: &PlanOptions,
) -> (Plan, Diagnostics) {
    let (plan, diags, _) = walk(
        config, sources, cwd, inputs, prior, providers, options, None,
    )
    .await;
    (plan, diags)
}

/// Evaluates the configuration in dependency order. Without `apply` it plans; with it, it
/// also carries the changes out as it goes, so later expressions see the real values of what
/// was just created.
#[allow(clippy::too_many_arguments)]
pub(crate) async fn walk(
    config: &Config,
    sources: &SourceMap,
    cwd: &Path,
    inputs: &IndexMap<String, InputValue>,
    prior: &Prior,
    providers: &mut ProviderSet,
    options: &PlanOptions,
    apply: Option<ApplyRun>,
) -> (Plan, Diagnostics, Option<ApplyRun>) {
    let (graph, mut diags) = Graph::build(config);
    // `moved` blocks rename recorded objects before anything is compared.
    let (moved_prior, moved_from, move_diags) =
        crate::moves::apply_moves(&config.root.walk(), prior);
    diags.extend(move_diags);
    let prior = &moved_prior;
    let mut out = Plan {
        mode: options.mode,
        prior_lineage: prior.lineage.clone(),
        prior_serial: prior.serial,
        ..Plan::default()
    };
    if diags.has_errors() {
        out.errored = true;
        return (out, diags, apply);
    }
    if graph.evaluation_order().is_none() {
        out.errored = true;
        return (out, diags, apply);
    }
    let destroying = options.mode == PlanMode::Destroy;
    if destroying {
        // Everything in the state goes.
        for (addr, obj) in &prior.objects {
            out.changes.push(delete_change(addr, obj, None));
        }
        for ((addr, key), obj) in &prior.deposed {
            let mut c = delete_change(addr, obj, None);
            c.deposed = Some(key.clone());
            out.changes.push(c);
        }
        for (name, value) in &prior.outputs {
            out.outputs.push(OutputChange {
                name: name.clone(),
                action: Action::Delete,
                before: Some(value.clone()),
                after: None,
                sensitive: false,
            });
        }
    }
    let root_dir = config.root.module.dir.clone();
    let mut p = Planner {
        sources,
        cwd: cwd.to_path_buf(),
        root_dir,
        inputs,
        prior,
        providers,
        options,
        modules: config
            .root
            .walk()
            .into_iter()
            .map(|m| (m.path.clone(), m))
            .collect(),
        instances: HashMap::new(),
        scopes: HashMap::new(),
        planned: BTreeSet::new(),
        diags: Diagnostics::new(),
        plan: out,
        apply,
        node: None,
        slots: HashMap::new(),
        refreshed: BTreeMap::new(),
        refreshed_types: HashSet::new(),
        // Only applying records dependencies (in the state); planning does not pay for them.
        dependencies: HashMap::new(),
        target_dependencies: BTreeSet::new(),
    };
    if p.apply.is_some() {
        p.dependencies = graph.all_resource_dependencies();
    }
    if !options.targets.is_empty() {
        let wanted: Vec<String> = options.targets.iter().map(|t| without_keys(t)).collect();
        for i in graph.graph.node_indices() {
            let node = &graph.graph[i];
            let NodeKind::Resource(addr) = &node.kind else {
                continue;
            };
            let name = format!("{}{addr}", crate::graph::module_prefix(&node.module));
            if wanted
                .iter()
                .any(|t| matches_target(&name, t) || matches_target(t, &name))
            {
                p.target_dependencies.extend(graph.resource_dependencies(i));
            }
        }
        p.diags.push(
            Diagnostic::warning("Resource targeting is in effect")
                .with_detail("You are creating a plan with the -target option, which means that the result of this plan may not represent all of the changes requested by the current configuration.\n\nThe -target option is not for routine use, and is provided only for exceptional situations such as recovering from errors or mistakes, or when terrane specifically suggests to use it as part of an error message."),
        );
    }
    p.instances.insert(Vec::new(), vec![ModuleInstance::root()]);
    p.scopes.insert(
        ModuleInstance::root(),
        ModuleScope::new(&config.root, &p.root_dir, &p.cwd),
    );
    if destroying {
        // lifecycle.prevent_destroy guards against this very command.
        for c in &p.plan.changes {
            let module = p.modules.get(&c.addr.resource.module.config_path());
            let key = match c.addr.resource.mode {
                ResourceMode::Managed => {
                    format!("{}.{}", c.addr.resource.type_name, c.addr.resource.name)
                }
                ResourceMode::Data => continue,
            };
            if let Some(r) = module.and_then(|m| m.module.resources.get(&key))
                && r.lifecycle.prevent_destroy
            {
                p.diags.push(
                    Diagnostic::error("Instance cannot be destroyed")
                        .with_detail(format!(
                            "Resource {} has lifecycle.prevent_destroy set, but the plan calls for this resource to be destroyed. To avoid this error and continue with the plan, either disable lifecycle.prevent_destroy or reduce the scope of the plan using the -target flag.",
                            c.addr
                        ))
                        .with_span(r.decl_span),
                );
            }
        }
    }
    if destroying && !p.diags.has_errors() {
        // Only what provider blocks may refer to is evaluated: root variables, and the root
        // locals built from nothing else (a local that reads a resource, such as a map of
        // resource ids for a for_each, is not evaluated: the resources are not planned).
        if let Some(order) = graph.evaluation_order() {
            let mut evaluated = std::collections::HashSet::new();
            for i in order {
                let n = &graph.graph[i];
                let plain = n.module.is_empty()
                    && matches!(n.kind, NodeKind::Var(_) | NodeKind::Local(_))
                    && graph.dependencies(i).all(|d| evaluated.contains(&d));
                if plain {
                    evaluated.insert(i);
                    p.visit(&graph, i).await;
                }
            }
        }
        if p.apply.is_some() {
            let resources = p.delete_resources().await;
            if let Some(mut run) = p.apply.take() {
                run.destroy_all(&graph, &p.plan, &resources, p.prior, &mut p.diags)
                    .await;
                p.apply = Some(run);
            }
        }
    } else if !destroying {
        crate::apply::schedule(&mut p, &graph).await;
        p.orphans();
        if p.apply.is_some() {
            let resources = p.delete_resources().await;
            if let Some(mut run) = p.apply.take() {
                run.delete_orphans(&p.plan, &resources, p.prior, &mut p.diags)
                    .await;
                p.apply = Some(run);
            }
        }
    }
    diags.extend(p.diags);
    let mut plan = p.plan;
    for c in &mut plan.changes {
        c.prev_addr = moved_from.get(&c.addr).cloned();
    }
    plan.changes.sort_by(|a, b| a.addr.cmp(&b.addr));
    plan.drift.sort_by(|a, b| a.addr.cmp(&b.addr));
    // Only the drift the plan depends on is news (Terraform's relevant attributes).
    let relevant = crate::relevance::relevant_drift(config, &plan);
    let mut keep = relevant.into_iter();
    plan.drift.retain(|_| keep.next().unwrap_or(true));
    plan.errored = diags.has_errors();
    (plan, diags, p.apply)
}

impl Planner<'_> {
    /// Evaluates one graph node in every instance of its module.
    pub(crate) async fn visit(&mut self, graph: &Graph, i: petgraph::graph::NodeIndex) {
        let node = &graph.graph[i];
        let Some(&m) = self.modules.get(&node.module) else {
            return;
        };
        self.node = Some(i);
        let instances = self
            .instances
            .get(&node.module)
            .cloned()
            .unwrap_or_default();
        for inst in instances {
            match &node.kind {
                NodeKind::Var(name) => self.variable(m, &inst, name),
                NodeKind::Local(name) => self.local(m, &inst, name),
                NodeKind::Resource(addr) => self.resource(m, &inst, addr).await,
                NodeKind::ModuleCall(name) => self.module_call(m, &inst, name),
                NodeKind::Output(name) => self.output(m, &inst, name),
            }
        }
        self.node = None;
    }

    /// Sets a resource node's values in its scopes once all its instances are done.
    pub(crate) fn finish_node(&mut self, i: petgraph::graph::NodeIndex) {
        for slot in self.slots.remove(&i).unwrap_or_default() {
            let whole = whole_value(slot.resource, slot.values);
            if let Some(scope) = self.scope_mut(&slot.inst) {
                scope.set_resource(slot.resource, whole);
            }
        }
    }

    /// Checks a resource's postconditions against the object an operation produced; true if
    /// one failed. `names` are the instance's `count.index` / `each.*`.
    pub(crate) fn postconditions_fail(
        &mut self,
        i: petgraph::graph::NodeIndex,
        slot: usize,
        mut names: BTreeMap<String, Value>,
        object: Value,
    ) -> bool {
        let Some(s) = self.slots.get(&i).and_then(|s| s.get(slot)) else {
            return false;
        };
        let (inst, r) = (s.inst.clone(), s.resource);
        names.insert("self".into(), object);
        let before = self.diags.error_count();
        for c in &r.lifecycle.postconditions {
            self.check_condition(&inst, &names, c, "Resource postcondition failed");
        }
        self.diags.error_count() > before
    }

    /// Records the outcome of an operation: the new value references will see.
    pub(crate) fn record(
        &mut self,
        i: petgraph::graph::NodeIndex,
        slot: usize,
        index: usize,
        value: Value,
    ) {
        if let Some(slots) = self.slots.get_mut(&i)
            && let Some(s) = slots.get_mut(slot)
            && let Some(v) = s.values.get_mut(index)
        {
            v.1 = value;
        }
    }
}

/// A resource's instances in one module instance, filled in as their operations finish.
pub(crate) struct Slot<'a> {
    pub(crate) inst: ModuleInstance,
    pub(crate) resource: &'a Resource,
    pub(crate) values: Vec<(Option<InstanceKey>, Value)>,
}

/// What references to a resource see: one object, a tuple (count) or an object (for_each).
fn whole_value(r: &Resource, values: Vec<(Option<InstanceKey>, Value)>) -> Value {
    match (&r.count, &r.for_each) {
        (Some(_), _) => Value::Tuple(values.into_iter().map(|(_, v)| v).collect()),
        (_, Some(_)) => Value::Object(
            values
                .into_iter()
                .filter_map(|(k, v)| match k {
                    Some(InstanceKey::Str(k)) => Some((k, v)),
                    _ => None,
                })
                .collect(),
        ),
        _ => values
            .into_iter()
            .next()
            .map(|(_, v)| v)
            .unwrap_or_else(Value::unknown),
    }
}

fn delete_change(
    addr: &ResourceInstanceAddr,
    obj: &PriorObject,
    reason: Option<ActionReason>,
) -> ResourceChange {
    ResourceChange {
        addr: addr.clone(),
        prev_addr: None,
        deposed: None,
        provider: obj.provider.clone(),
        action: Action::Delete,
        reason,
        before: Some(obj.value.clone()),
        after: None,
        replace_paths: Vec::new(),
        importing: None,
        notes: Vec::new(),
    }
}

pub(crate) struct Planner<'a> {
    sources: &'a SourceMap,
    cwd: PathBuf,
    root_dir: PathBuf,
    inputs: &'a IndexMap<String, InputValue>,
    prior: &'a Prior,
    providers: &'a mut ProviderSet,
    options: &'a PlanOptions,
    pub(crate) modules: HashMap<Vec<String>, &'a ModuleNode>,
    /// The instances of each module (by configuration path), as expanded so far.
    instances: HashMap<Vec<String>, Vec<ModuleInstance>>,
    scopes: HashMap<ModuleInstance, ModuleScope>,
    /// Every resource instance the configuration has now (the rest of the state is orphaned).
    planned: BTreeSet<ResourceInstanceAddr>,
    pub(crate) diags: Diagnostics,
    pub(crate) plan: Plan,
    /// Set when applying: where operations go and what they did.
    pub(crate) apply: Option<ApplyRun>,
    /// The graph node being visited.
    node: Option<petgraph::graph::NodeIndex>,
    /// Resource instances whose values wait for their operations, by graph node.
    pub(crate) slots: HashMap<petgraph::graph::NodeIndex, Vec<Slot<'a>>>,
    /// Instances read by refresh: what exists now (None: gone outside terrane).
    refreshed: BTreeMap<ResourceInstanceAddr, Option<PriorObject>>,
    /// The (provider, resource type) pairs refreshed so far.
    refreshed_types: HashSet<(String, String)>,
    /// For each resource node, the resources it depends on (recorded in the state).
    dependencies: HashMap<petgraph::graph::NodeIndex, Vec<String>>,
    /// Under `-target`: the resources targeted resources depend on (config addresses).
    target_dependencies: BTreeSet<String>,
}

/// Evaluation in one module instance, with per-block names on top.
struct InstanceEval<'p> {
    scope: &'p ModuleScope,
    diags: &'p mut Diagnostics,
}

impl Evaluate for InstanceEval<'_> {
    fn eval(&mut self, extra: &BTreeMap<String, Value>, e: &Expr) -> Option<Value> {
        let layered = Layered {
            base: self.scope,
            extra: extra.clone(),
        };
        match EvalCtx::new(&layered, &self.scope.dir).eval(e) {
            Ok(v) => Some(v),
            Err(d) => {
                self.diags.push(d);
                None
            }
        }
    }
}

impl<'a> Planner<'a> {
    fn eval(
        &mut self,
        inst: &ModuleInstance,
        extra: &BTreeMap<String, Value>,
        e: &Expr,
    ) -> Option<Value> {
        let scope = self.scopes.get(inst)?;
        InstanceEval {
            scope,
            diags: &mut self.diags,
        }
        .eval(extra, e)
    }

    fn scope_mut(&mut self, inst: &ModuleInstance) -> Option<&mut ModuleScope> {
        self.scopes.get_mut(inst)
    }

    fn variable(&mut self, m: &ModuleNode, inst: &ModuleInstance, name: &str) {
        let Some(var) = m.module.variables.get(name) else {
            return;
        };
        let constraint = var.constraint();
        let given = if inst.is_root() {
            self.root_input(var, &constraint)
        } else {
            self.module_input(inst, var)
        };
        let value = match given {
            Some(v) => v,
            None => match &var.default {
                Some(d) => terrane_config::constant_value(&d.expr)
                    .ok()
                    .unwrap_or_else(Value::null),
                None => {
                    if inst.is_root() {
                        self.diags.push(
                            Diagnostic::error("No value for required variable")
                                .with_detail(format!(
                                    "The root module input variable \"{name}\" is not set, and has no default value. Use a -var or -var-file command line argument to provide a value for this variable."
                                ))
                                .with_span(var.decl_span),
                        );
                    }
                    Value::Unknown(constraint.to_type())
                }
            },
        };
        let value = if value.is_null() {
            if !var.nullable {
                self.diags.push(
                    Diagnostic::error("Required variable not set")
                        .with_detail(format!(
                            "Unsuitable value for var.{name} set from outside of the configuration: required variable may not be set to null."
                        ))
                        .with_span(var.decl_span),
                );
            }
            // A null given for a nullable variable with a default takes the default.
            match (&var.default, var.nullable) {
                (Some(d), false) => terrane_config::constant_value(&d.expr).unwrap_or(value),
                _ => value,
            }
        } else {
            value
        };
        let value = match convert(value, &constraint) {
            Ok(v) => v,
            Err(e) => {
                self.diags.push(
                    Diagnostic::error("Invalid value for input variable")
                        .with_detail(format!(
                            "The given value is not suitable for var.{name}: {e}."
                        ))
                        .with_span(var.decl_span)
                        .with_hint(format!("The variable's type is {constraint}.")),
                );
                Value::Unknown(constraint.to_type())
            }
        };
        let value = value.with_mark(var.sensitive);
        let known = value.is_wholly_known();
        if let Some(scope) = self.scope_mut(inst) {
            scope.set("var", name, value);
        }
        // Rules see the value through var.<name>, so it is set first.
        if known {
            for rule in &var.validations {
                self.validation(inst, var, rule);
            }
        }
    }

    /// A root variable's value from tfvars, `-var` or the environment, if given.
    fn root_input(&mut self, var: &Variable, constraint: &Constraint) -> Option<Value> {
        let input = self.inputs.get(&var.name)?;
        match &input.raw {
            RawInput::Expr(e) => match terrane_config::constant_value(e) {
                Ok(v) => Some(v),
                Err(d) => {
                    self.diags.push(d);
                    None
                }
            },
            RawInput::Text(text) => {
                // Terraform takes the text literally for string (and untyped) variables and
                // parses it as an expression for any other type.
                if matches!(constraint, Constraint::String) || var.ty.is_none() {
                    return Some(Value::string(text.clone()));
                }
                match terrane_lang::syntax::parse_expr(text, FileId(u32::MAX), 0)
                    .and_then(|e| terrane_config::constant_value(&e))
                {
                    Ok(v) => Some(v),
                    Err(d) => {
                        self.diags.push(
                            Diagnostic::error("Invalid value for input variable")
                                .with_detail(format!(
                                    "The value given for var.{} is not a valid expression: {}. Values for variables of type {constraint} are written in the Terraform language, e.g. [\"a\", \"b\"] or {{ key = \"value\" }}.",
                                    var.name, d.detail
                                ))
                                .with_span(var.decl_span),
                        );
                        None
                    }
                }
            }
        }
    }

    /// A child variable's value: the module call's argument, evaluated in the calling instance.
    fn module_input(&mut self, inst: &ModuleInstance, var: &Variable) -> Option<Value> {
        let mut parent = inst.clone();
        let step = parent.0.pop()?;
        let call = self
            .modules
            .get(&parent.config_path())?
            .module
            .module_calls
            .get(&step.name)?;
        let attr = call.inputs.get(&var.name)?;
        let extra = repetition_names(
            step.key.as_ref(),
            self.module_each_value(&parent, &step.name, step.key.as_ref()),
        );
        self.eval(&parent, &extra, &attr.expr)
    }

    fn module_each_value(
        &self,
        parent: &ModuleInstance,
        call: &str,
        key: Option<&InstanceKey>,
    ) -> Option<Value> {
        let Some(InstanceKey::Str(k)) = key else {
            return None;
        };
        let scope = self.scopes.get(parent)?;
        scope
            .roots
            .get("__each__")
            .and_then(|v| v.get_attr(call))
            .and_then(|v| v.get_attr(k))
            .cloned()
    }

    fn validation(
        &mut self,
        inst: &ModuleInstance,
        var: &Variable,
        rule: &terrane_config::Condition,
    ) {
        let Some(result) = self.eval(inst, &BTreeMap::new(), &rule.condition) else {
            return;
        };
        if result.as_bool() == Some(false) {
            let message = self
                .eval(inst, &BTreeMap::new(), &rule.error_message)
                .and_then(|m| m.as_str().map(str::to_owned))
                .unwrap_or_default();
            let checked_at = self
                .sources
                .location(rule.condition.span)
                .map(|l| {
                    format!(
                        "\n\nThis was checked by the validation rule at {}:{},{}.",
                        l.path.display(),
                        l.line,
                        l.column
                    )
                })
                .unwrap_or_default();
            self.diags.push(
                Diagnostic::error("Invalid value for variable")
                    .with_detail(format!("{message}{checked_at}"))
                    .with_span(var.decl_span),
            );
        }
    }

    fn local(&mut self, m: &ModuleNode, inst: &ModuleInstance, name: &str) {
        let Some(local) = m.module.locals.get(name) else {
            return;
        };
        let value = self
            .eval(inst, &BTreeMap::new(), &local.expr)
            .unwrap_or_else(Value::unknown);
        if let Some(scope) = self.scope_mut(inst) {
            scope.set("local", name, value);
        }
    }

    /// The instance keys of a `count` / `for_each` (`[None]` for neither), with the
    /// `each.value` of each key; `None` after an error.
    fn expand(
        &mut self,
        inst: &ModuleInstance,
        count: Option<&Expr>,
        for_each: Option<&Expr>,
    ) -> Option<Vec<(Option<InstanceKey>, Option<Value>)>> {
        if let Some(e) = count {
            let v = self.eval(inst, &BTreeMap::new(), e)?;
            let (v, _) = v.unmark();
            if !v.is_known() {
                self.diags.push(
                    Diagnostic::error("Invalid count argument")
                        .with_detail("The \"count\" value depends on resource attributes that cannot be determined until apply, so terrane cannot predict how many instances will be created. To work around this, use the -target argument to first apply only the resources that the count depends on.")
                        .with_span(e.span),
                );
                return None;
            }
            let n = terrane_lang::functions::to_number_value(&v)
                .and_then(|n| n.to_i64())
                .filter(|n| *n >= 0);
            let Some(n) = n else {
                self.diags.push(
                    Diagnostic::error("Invalid count argument")
                        .with_detail("The given \"count\" argument value is unsuitable: it must be a whole number greater than or equal to zero.")
                        .with_span(e.span),
                );
                return None;
            };
            return Some((0..n).map(|i| (Some(InstanceKey::Int(i)), None)).collect());
        }
        if let Some(e) = for_each {
            let v = self.eval(inst, &BTreeMap::new(), e)?;
            if let Some(d) = crate::for_each_problem(&v, e.span) {
                self.diags.push(d);
                return None;
            }
            if !v.is_wholly_known() && !matches!(v, Value::Map(_) | Value::Object(_)) {
                self.diags.push(
                    Diagnostic::error("Invalid for_each argument")
                        .with_detail("The \"for_each\" set includes values derived from resource attributes that cannot be determined until apply, and so terrane cannot determine the full set of keys that will identify the instances of this resource.")
                        .with_span(e.span)
                        .with_hint("Use a map whose keys are known in the configuration, or -target the resources the for_each depends on first."),
                );
                return None;
            }
            return Some(match v {
                Value::Map(m) | Value::Object(m) => m
                    .into_iter()
                    .map(|(k, v)| (Some(InstanceKey::Str(k)), Some(v)))
                    .collect(),
                Value::Set(items) => items
                    .into_iter()
                    .filter_map(|i| i.as_str().map(str::to_owned))
                    .map(|k| (Some(InstanceKey::Str(k.clone())), Some(Value::String(k))))
                    .collect(),
                _ => Vec::new(),
            });
        }
        Some(vec![(None, None)])
    }

    fn module_call(&mut self, m: &ModuleNode, inst: &ModuleInstance, name: &str) {
        let Some(call) = m.module.module_calls.get(name) else {
            return;
        };
        let Some(child) = m.children.get(name) else {
            return;
        };
        let Some(keys) = self.expand(inst, call.count.as_ref(), call.for_each.as_ref()) else {
            return;
        };
        // each.value of every for_each key, for the child's inputs.
        let each: BTreeMap<String, Value> = keys
            .iter()
            .filter_map(|(k, v)| match (k, v) {
                (Some(InstanceKey::Str(k)), Some(v)) => Some((k.clone(), v.clone())),
                _ => None,
            })
            .collect();
        if let Some(scope) = self.scope_mut(inst) {
            scope.set("__each__", name, Value::Object(each));
            let placeholder = match (&call.count, &call.for_each) {
                (Some(_), _) => Value::Tuple(Vec::new()),
                (_, Some(_)) => Value::Object(BTreeMap::new()),
                _ => Value::Object(BTreeMap::new()),
            };
            scope.set("module", name, placeholder);
        }
        let list = self.instances.entry(child.path.clone()).or_default();
        for (key, _) in keys {
            let child_inst = inst.child(name, key);
            list.push(child_inst.clone());
            let scope = ModuleScope::new(child, &self.root_dir, &self.cwd);
            self.scopes.insert(child_inst, scope);
        }
    }

    fn output(&mut self, m: &ModuleNode, inst: &ModuleInstance, name: &str) {
        let Some(o) = m.module.outputs.get(name) else {
            return;
        };
        let value = self
            .eval(inst, &BTreeMap::new(), &o.value)
            .unwrap_or_else(Value::unknown)
            .with_mark(o.sensitive);
        if inst.is_root() {
            if value.contains_sensitive() && !o.sensitive {
                self.diags.push(
                    Diagnostic::error("Output refers to sensitive values")
                        .with_detail("To reduce the risk of accidentally exporting sensitive data that was intended to be only internal, terrane requires that any root module output containing sensitive data be explicitly marked as sensitive, to confirm your intent.")
                        .with_span(o.decl_span)
                        .with_hint("If you do intend to export this data, annotate the output value as sensitive by adding: sensitive = true"),
                );
            }
            let before = self.prior.outputs.get(name).cloned();
            let action = match &before {
                None => Action::Create,
                Some(b) if b.unmarked() == value.unmarked() && value.is_wholly_known() => {
                    Action::NoOp
                }
                Some(_) => Action::Update,
            };
            self.plan.outputs.push(OutputChange {
                name: name.to_owned(),
                action,
                before,
                after: Some(value),
                sensitive: o.sensitive,
            });
            return;
        }
        // Visible to the parent as module.<call>[key].<name>.
        let mut parent = inst.clone();
        let Some(step) = parent.0.pop() else { return };
        if let Some(scope) = self.scope_mut(&parent) {
            let calls = scope
                .roots
                .entry("module".into())
                .or_insert_with(|| Value::Object(BTreeMap::new()));
            if let Value::Object(calls) = calls {
                let entry = calls
                    .entry(step.name.clone())
                    .or_insert_with(|| Value::Object(BTreeMap::new()));
                let target = match (&step.key, entry) {
                    (None, Value::Object(outs)) => Some(outs),
                    (Some(InstanceKey::Str(k)), Value::Object(by_key)) => {
                        match by_key
                            .entry(k.clone())
                            .or_insert_with(|| Value::Object(BTreeMap::new()))
                        {
                            Value::Object(outs) => Some(outs),
                            _ => None,
                        }
                    }
                    (Some(InstanceKey::Int(i)), Value::Tuple(items)) => {
                        let i = *i as usize;
                        while items.len() <= i {
                            items.push(Value::Object(BTreeMap::new()));
                        }
                        match &mut items[i] {
                            Value::Object(outs) => Some(outs),
                            _ => None,
                        }
                    }
                    _ => None,
                };
                if let Some(outs) = target {
                    outs.insert(name.to_owned(), value);
                }
            }
        }
    }

    async fn resource(&mut self, m: &'a ModuleNode, inst: &ModuleInstance, addr: &str) {
        let Some(r) = m.module.resources.get(addr) else {
            return;
        };
        let resource_addr = ResourceAddr {
            module: inst.clone(),
            mode: match r.mode {
                Mode::Managed => ResourceMode::Managed,
                Mode::Data => ResourceMode::Data,
            },
            type_name: r.type_name.clone(),
            name: r.name.clone(),
        };
        let Some(keys) = self.expand(inst, r.count.as_ref(), r.for_each.as_ref()) else {
            if let Some(scope) = self.scope_mut(inst) {
                scope.set_resource(r, Value::unknown());
            }
            return;
        };
        let provider = match self.resolve_provider(m, r).await {
            Ok(p) => p,
            Err(d) => {
                self.diags.push(d);
                if let Some(scope) = self.scope_mut(inst) {
                    scope.set_resource(r, Value::unknown());
                }
                return;
            }
        };
        if r.mode == Mode::Managed && !self.options.skip_refresh {
            self.refresh(&resource_addr, &r.type_name, &provider, r)
                .await;
        }
        let mut values: Vec<(Option<InstanceKey>, Value)> = Vec::with_capacity(keys.len());
        for (key, each_value) in keys {
            let instance_addr = resource_addr.instance(key.clone());
            self.planned.insert(instance_addr.clone());
            let extra = repetition_names(key.as_ref(), each_value);
            let index = values.len();
            let value = match r.mode {
                Mode::Managed => {
                    self.plan_instance(inst, r, &instance_addr, &extra, &provider, index)
                        .await
                }
                Mode::Data => {
                    self.read_data(inst, r, &instance_addr, &extra, &provider)
                        .await
                }
            };
            values.push((key, value));
        }
        // Prior instances whose key is gone are deleted.
        for (a, obj) in self.prior.objects.range(resource_addr.instance(None)..) {
            if a.resource != resource_addr {
                break;
            }
            if self.planned.contains(a)
                || resource_addr.mode == ResourceMode::Data
                || matches!(self.refreshed.get(a), Some(None))
            {
                continue;
            }
            let reason = match (&a.key, r.count.is_some(), r.for_each.is_some()) {
                (Some(InstanceKey::Int(_)), true, _) => ActionReason::DeleteBecauseCountIndex,
                (Some(InstanceKey::Str(_)), _, true) => ActionReason::DeleteBecauseEachKey,
                _ => ActionReason::DeleteBecauseWrongRepetition,
            };
            self.plan.changes.push(delete_change(a, obj, Some(reason)));
            self.planned.insert(a.clone());
        }
        // The scheduler sets the values once the node's operations (if any) are done.
        if let Some(node) = self.node {
            self.slots.entry(node).or_default().push(Slot {
                inst: inst.clone(),
                resource: r,
                values,
            });
        }
    }

    /// Plans one managed instance; returns the value references to it see.
    #[allow(clippy::too_many_arguments)]
    async fn plan_instance(
        &mut self,
        inst: &ModuleInstance,
        r: &Resource,
        addr: &ResourceInstanceAddr,
        extra: &BTreeMap<String, Value>,
        provider: &crate::providers::ResolvedProvider,
        instance_index: usize,
    ) -> Value {
        let Some(resource) = provider.provider.resource(&r.type_name) else {
            self.diags.push(unknown_type(r, &provider.name, "resource"));
            return Value::unknown();
        };
        if !self.in_target(addr) || self.options.mode == PlanMode::RefreshOnly {
            // Outside -target: left as it is; expressions see what the state records.
            let schema = resource.schema();
            return self
                .prior_of(addr)
                .map(|p| {
                    let paths = sensitive_attributes(&p.value, &schema.block);
                    mark_paths(p.value, &paths)
                })
                .unwrap_or_else(Value::unknown);
        }
        let schema = resource.schema().clone();
        let errors_at_start = self.diags.error_count();
        let Some(scope) = self.scopes.get(inst) else {
            return Value::unknown();
        };
        let mut decode_diags = Diagnostics::new();
        let config = decode_body(
            &mut InstanceEval {
                scope,
                diags: &mut self.diags,
            },
            extra,
            &r.body,
            &schema.block,
            r.open_brace,
            &mut decode_diags,
        );
        let decode_failed = decode_diags.has_errors();
        self.diags.extend(decode_diags);
        if decode_failed {
            return Value::unknown();
        }
        for c in &r.lifecycle.preconditions {
            self.check_condition(inst, extra, c, "Resource precondition failed");
        }
        let sensitive_paths = sensitive_attributes(&config, &schema.block);
        let (config, _) = config.unmark_deep();
        let mut refreshed = self.prior_of(addr);
        // An `import` block brings an existing object under management: it becomes the prior.
        let mut importing = None;
        if refreshed.is_none()
            && let Some((id, span)) = self.import_for(addr)
        {
            match resource.import(&id).await {
                Ok(value) => {
                    refreshed = Some(PriorObject {
                        value,
                        provider: provider.state_name.clone(),
                        tainted: false,
                        dependencies: Vec::new(),
                    });
                    importing = Some(id);
                }
                Err(e) => {
                    let mut d = provider_diagnostic(e, r, &self.modules, inst);
                    d.span = Some(span);
                    self.diags.push(d);
                    return Value::unknown();
                }
            }
        }
        let prior = refreshed.as_ref();
        let config = match (&r.lifecycle.ignore_changes, prior) {
            (IgnoreChanges::None, _) | (_, None) => config,
            (ignore, Some(p)) => apply_ignore_changes(config, &p.value, ignore, &schema.block),
        };
        let prior_value = prior.map(|p| &p.value);
        let mut planned = match resource.plan(prior_value, &config).await {
            Ok(p) => p,
            Err(e) => {
                self.diags
                    .push(provider_diagnostic(e, r, &self.modules, inst));
                return Value::unknown();
            }
        };
        for w in std::mem::take(&mut planned.warnings) {
            let mut d = provider_diagnostic(w, r, &self.modules, inst);
            d.severity = terrane_types::Severity::Warning;
            self.diags.push(d);
        }
        let replace_requested = self.options.replace.contains(addr);
        let tainted = prior.is_some_and(|p| p.tainted);
        let triggered = prior.is_some() && self.replace_triggered(inst, extra, r);
        let (action, reason) = match prior {
            None => (Action::Create, None),
            Some(p) => {
                if !planned.requires_replace.is_empty() || replace_requested || tainted || triggered
                {
                    let a = if r.lifecycle.create_before_destroy == Some(true) {
                        Action::CreateThenDelete
                    } else {
                        Action::DeleteThenCreate
                    };
                    let why = if replace_requested {
                        ActionReason::ReplaceByRequest
                    } else if triggered && planned.requires_replace.is_empty() {
                        ActionReason::ReplaceByTriggers
                    } else if tainted {
                        ActionReason::ReplaceBecauseTainted
                    } else {
                        ActionReason::ReplaceBecauseCannotUpdate
                    };
                    (a, Some(why))
                } else if planned.planned == p.value {
                    (Action::NoOp, None)
                } else {
                    (Action::Update, None)
                }
            }
        };
        // A replacement of a fresh object: plan as a create, with computed values unknown.
        let planned_value =
            if (replace_requested || tainted || triggered) && planned.requires_replace.is_empty() {
                match resource.plan(None, &config).await {
                    Ok(p) => p.planned,
                    Err(e) => {
                        self.diags
                            .push(provider_diagnostic(e, r, &self.modules, inst));
                        return Value::unknown();
                    }
                }
            } else {
                planned.planned
            };
        if r.lifecycle.prevent_destroy && action.is_replace() {
            self.diags.push(
                Diagnostic::error("Instance cannot be destroyed")
                    .with_detail(format!(
                        "Resource {addr} has lifecycle.prevent_destroy set, but the plan calls for this resource to be destroyed. To avoid this error and continue with the plan, either disable lifecycle.prevent_destroy or reduce the scope of the plan using the -target flag."
                    ))
                    .with_span(r.decl_span),
            );
        }
        let after = mark_paths(planned_value.clone(), &sensitive_paths);
        // Postconditions see the object as `self`, checked here when the plan knows it.
        if after.is_wholly_known() {
            let mut with_self = extra.clone();
            with_self.insert("self".into(), after.clone());
            for c in &r.lifecycle.postconditions {
                self.check_condition(inst, &with_self, c, "Resource postcondition failed");
            }
        }
        // An instance whose checks failed is not applied (its node counts as failed).
        if action != Action::NoOp
            && self.diags.error_count() == errors_at_start
            && let (Some(run), Some(node)) = (self.apply.as_mut(), self.node)
        {
            let slot = self.slots.get(&node).map_or(0, Vec::len);
            run.enqueue(crate::apply::Op {
                node,
                slot,
                index: instance_index,
                addr: addr.clone(),
                action,
                resource: resource.clone(),
                prior: prior.map(|p| p.value.clone()),
                planned: planned_value,
                provider: provider.state_name.clone(),
                schema_version: schema.version,
                sensitive_paths: sensitive_paths.clone(),
                resource_config: r.decl_span,
                dependencies: self.dependencies.get(&node).cloned().unwrap_or_default(),
                deposed_key: None,
                postcondition_names: (!r.lifecycle.postconditions.is_empty())
                    .then(|| extra.clone()),
            });
        }
        self.plan.changes.push(ResourceChange {
            addr: addr.clone(),
            prev_addr: None,
            deposed: None,
            provider: provider.state_name.clone(),
            action,
            reason,
            before: prior.map(|p| mark_paths(p.value.clone(), &sensitive_paths)),
            after: Some(after.clone()),
            replace_paths: planned.requires_replace,
            importing: importing.clone(),
            notes: planned.notes,
        });
        // An imported object is recorded even when nothing else changes.
        if importing.is_some()
            && action == Action::NoOp
            && let Some(run) = self.apply.as_mut()
            && let Some(p) = prior
        {
            let dependencies = self
                .node
                .and_then(|n| self.dependencies.get(&n).cloned())
                .unwrap_or_default();
            run.changed.insert(
                addr.clone(),
                Some(crate::apply::Recorded {
                    attributes: schema
                        .block
                        .value_to_json(&p.value)
                        .unwrap_or(serde_json::Value::Null),
                    value: p.value.clone(),
                    provider: provider.state_name.clone(),
                    schema_version: schema.version,
                    dependencies,
                }),
            );
        }
        after
    }

    async fn read_data(
        &mut self,
        inst: &ModuleInstance,
        r: &Resource,
        addr: &ResourceInstanceAddr,
        extra: &BTreeMap<String, Value>,
        provider: &crate::providers::ResolvedProvider,
    ) -> Value {
        let Some(source) = provider.provider.data_source(&r.type_name) else {
            self.diags
                .push(unknown_type(r, &provider.name, "data source"));
            return Value::unknown();
        };
        let schema = source.schema().clone();
        let Some(scope) = self.scopes.get(inst) else {
            return Value::unknown();
        };
        let mut decode_diags = Diagnostics::new();
        let config = decode_body(
            &mut InstanceEval {
                scope,
                diags: &mut self.diags,
            },
            extra,
            &r.body,
            &schema.block,
            r.open_brace,
            &mut decode_diags,
        );
        let decode_failed = decode_diags.has_errors();
        self.diags.extend(decode_diags);
        if decode_failed {
            return Value::unknown();
        }
        let sensitive_paths = sensitive_attributes(&config, &schema.block);
        let (config, _) = config.unmark_deep();
        if !config.is_wholly_known() {
            let planned = terrane_sdk::proposed_new_state(&schema.block, None, &config);
            self.plan.changes.push(ResourceChange {
                addr: addr.clone(),
                prev_addr: None,
                deposed: None,
                provider: provider.state_name.clone(),
                action: Action::Read,
                reason: Some(ActionReason::ReadBecauseConfigUnknown),
                before: None,
                after: Some(planned.clone()),
                replace_paths: Vec::new(),
                importing: None,
                notes: Vec::new(),
            });
            return mark_paths(planned, &sensitive_paths);
        }
        match source.read(&config).await {
            Ok(v) => mark_paths(v, &sensitive_paths),
            Err(e) => {
                self.diags
                    .push(provider_diagnostic(e, r, &self.modules, inst));
                Value::unknown()
            }
        }
    }

    /// The id an `import` block of the root module gives for this instance, with the block.
    fn import_for(&mut self, addr: &ResourceInstanceAddr) -> Option<(String, terrane_types::Span)> {
        if !addr.resource.module.is_root() {
            return None;
        }
        let root = *self.modules.get(&Vec::new())?;
        for imp in &root.module.imports {
            let Some((r, ops)) = imp.to.as_static_traversal() else {
                continue;
            };
            let mut steps = ops.iter();
            let Some(terrane_lang::ast::Traverser::Attr(name)) = steps.next() else {
                continue;
            };
            if r.name != addr.resource.type_name || name.name != addr.resource.name {
                continue;
            }
            let key = match steps.next() {
                Some(terrane_lang::ast::Traverser::Index(idx, _)) => self
                    .eval(&ModuleInstance::root(), &BTreeMap::new(), idx)
                    .and_then(|k| match k.unmarked() {
                        Value::Number(n) => n.to_i64().map(InstanceKey::Int),
                        Value::String(s) => Some(InstanceKey::Str(s.clone())),
                        _ => None,
                    }),
                _ => None,
            };
            if key != addr.key {
                continue;
            }
            let id = self.eval(&ModuleInstance::root(), &BTreeMap::new(), &imp.id)?;
            match id.as_str() {
                Some(s) => return Some((s.to_owned(), imp.span)),
                None => {
                    self.diags.push(
                        Diagnostic::error("Invalid import id")
                            .with_detail(
                                "The import block's id must be a string known during planning.",
                            )
                            .with_span(imp.id.span),
                    );
                    return None;
                }
            }
        }
        None
    }

    /// A precondition or postcondition: a known false is an error with its message.
    fn check_condition(
        &mut self,
        inst: &ModuleInstance,
        extra: &BTreeMap<String, Value>,
        c: &terrane_config::Condition,
        summary: &str,
    ) {
        let Some(result) = self.eval(inst, extra, &c.condition) else {
            return;
        };
        let (result, _) = result.unmark_deep();
        match result {
            Value::Bool(true) | Value::Unknown(_) => {}
            Value::Bool(false) => {
                let message = self
                    .eval(inst, extra, &c.error_message)
                    .and_then(|m| m.as_str().map(str::to_owned))
                    .unwrap_or_else(|| "The condition is false.".to_owned());
                self.diags.push(
                    Diagnostic::error(summary)
                        .with_detail(message)
                        .with_span(c.condition.span),
                );
            }
            other => self.diags.push(
                Diagnostic::error("Invalid condition result")
                    .with_detail(format!(
                        "The condition expression must return a bool, but it returned {}.",
                        other.ty().friendly_name()
                    ))
                    .with_span(c.condition.span),
            ),
        }
    }

    /// `lifecycle { replace_triggered_by = [...] }`: whether a referenced resource instance
    /// (or an attribute of one) changes in this plan.
    fn replace_triggered(
        &mut self,
        inst: &ModuleInstance,
        extra: &BTreeMap<String, Value>,
        r: &Resource,
    ) -> bool {
        use terrane_lang::ast::Traverser;
        for e in &r.lifecycle.replace_triggered_by {
            let Some((root, ops)) = e.as_static_traversal() else {
                continue;
            };
            let mut steps = ops.iter();
            let Some(Traverser::Attr(name)) = steps.next() else {
                continue;
            };
            let mut key = None;
            let mut attr = None;
            for op in steps {
                match op {
                    Traverser::Index(idx, _) if attr.is_none() => {
                        key = self
                            .eval(inst, extra, idx)
                            .and_then(|k| match k.unmarked() {
                                Value::Number(n) => n.to_i64().map(InstanceKey::Int),
                                Value::String(s) => Some(InstanceKey::Str(s.clone())),
                                _ => None,
                            });
                    }
                    Traverser::Attr(a) if attr.is_none() => attr = Some(a.name.clone()),
                    _ => {}
                }
            }
            let target = ResourceAddr {
                module: inst.clone(),
                mode: ResourceMode::Managed,
                type_name: root.name.clone(),
                name: name.name.clone(),
            }
            .instance(key);
            let changed = self
                .plan
                .changes
                .iter()
                .filter(|c| {
                    c.addr == target || (target.key.is_none() && c.addr.resource == target.resource)
                })
                .any(|c| match &attr {
                    None => c.action != Action::NoOp,
                    Some(a) => {
                        c.action != Action::NoOp
                            && c.before.as_ref().and_then(|b| b.get_attr(a))
                                != c.after.as_ref().and_then(|v| v.get_attr(a))
                    }
                });
            if changed {
                return true;
            }
        }
        false
    }

    /// Whether an instance is planned under `-target`: it matches a target, or a targeted
    /// resource depends on its resource.
    fn in_target(&self, addr: &ResourceInstanceAddr) -> bool {
        let targets = &self.options.targets;
        if targets.is_empty() {
            return true;
        }
        let name = addr.to_string();
        if targets.iter().any(|t| matches_target(&name, t)) {
            return true;
        }
        let config_name = without_keys(&name);
        self.target_dependencies.contains(&config_name)
    }

    /// What exists now for an instance: the refreshed object when refresh ran, else the
    /// state's record.
    fn prior_of(&self, addr: &ResourceInstanceAddr) -> Option<PriorObject> {
        match self.refreshed.get(addr) {
            Some(now) => now.clone(),
            None => self.prior.objects.get(addr).cloned(),
        }
    }

    /// Reads what exists now for every recorded object of a resource type and provider
    /// configuration, in one batched call, the first time a resource of that type is
    /// planned: the provider reads hundreds of objects with a few API calls. Objects gone
    /// outside terrane are planned as new; changed ones are reported as drift.
    async fn refresh(
        &mut self,
        resource_addr: &ResourceAddr,
        type_name: &str,
        provider: &crate::providers::ResolvedProvider,
        r: &Resource,
    ) {
        if !self
            .refreshed_types
            .insert((provider.state_name.clone(), type_name.to_owned()))
        {
            return;
        }
        let recorded: Vec<(ResourceInstanceAddr, PriorObject)> = self
            .prior
            .objects
            .iter()
            .filter(|(a, o)| {
                a.resource.mode == ResourceMode::Managed
                    && a.resource.type_name == type_name
                    && o.provider == provider.state_name
                    && (a.resource == *resource_addr || self.in_target(a))
            })
            .map(|(a, o)| (a.clone(), o.clone()))
            .collect();
        if recorded.is_empty() {
            return;
        }
        let Some(resource) = provider.provider.resource(type_name) else {
            return;
        };
        let values: Vec<Value> = recorded.iter().map(|(_, o)| o.value.clone()).collect();
        let now = match resource.read_many(&values).await {
            Ok(now) if now.len() == values.len() => now,
            Ok(_) => {
                self.diags.push(
                    Diagnostic::error("Provider produced an invalid refresh")
                        .with_detail(format!(
                            "The provider returned a different number of objects than it was asked to read for {type_name}. This is a bug in the provider."
                        ))
                        .with_span(r.decl_span),
                );
                return;
            }
            Err(e) => {
                self.diags.push(provider_diagnostic(
                    e,
                    r,
                    &self.modules,
                    &resource_addr.module,
                ));
                return;
            }
        };
        for ((addr, old), current) in recorded.into_iter().zip(now) {
            match current {
                Some(v) if v == old.value => {}
                Some(v) => {
                    self.plan.drift.push(ResourceChange {
                        addr: addr.clone(),
                        prev_addr: None,
                        deposed: None,
                        provider: old.provider.clone(),
                        action: Action::Update,
                        reason: None,
                        before: Some(old.value.clone()),
                        after: Some(v.clone()),
                        replace_paths: Vec::new(),
                        importing: None,
                        notes: Vec::new(),
                    });
                    // Applying persists what exists now (an operation may overwrite it).
                    if let Some(run) = self.apply.as_mut() {
                        run.changed.insert(
                            addr.clone(),
                            Some(crate::apply::Recorded {
                                attributes: resource
                                    .schema()
                                    .block
                                    .value_to_json(&v)
                                    .unwrap_or(serde_json::Value::Null),
                                value: v.clone(),
                                provider: old.provider.clone(),
                                schema_version: resource.schema().version,
                                dependencies: old.dependencies.clone(),
                            }),
                        );
                    }
                    self.refreshed
                        .insert(addr, Some(PriorObject { value: v, ..old }));
                }
                None => {
                    self.plan.drift.push(ResourceChange {
                        addr: addr.clone(),
                        prev_addr: None,
                        deposed: None,
                        provider: old.provider.clone(),
                        action: Action::Delete,
                        reason: None,
                        before: Some(old.value.clone()),
                        after: None,
                        replace_paths: Vec::new(),
                        importing: None,
                        notes: Vec::new(),
                    });
                    // Applying records that it is gone (a re-creation overwrites this).
                    if let Some(run) = self.apply.as_mut() {
                        run.changed.insert(addr.clone(), None);
                    }
                    self.refreshed.insert(addr, None);
                }
            }
        }
    }

    /// The configured provider a resource uses, configuring it on first use with its
    /// `provider` block evaluated in the root module.
    async fn resolve_provider(
        &mut self,
        m: &ModuleNode,
        r: &Resource,
    ) -> Result<crate::providers::ResolvedProvider, Diagnostic> {
        let (factory, key) =
            self.providers
                .factory_for(m, r, self.modules.get(&Vec::new()).copied())?;
        self.configure_key(factory, key, Some(m), r.decl_span).await
    }

    /// Configures (once) the provider instance `key`, with its `provider` block from the root
    /// module (or `m`) evaluated in the root module's scope.
    async fn configure_key(
        &mut self,
        factory: std::sync::Arc<dyn terrane_sdk::ProviderFactory>,
        key: crate::providers::ProviderKey,
        m: Option<&ModuleNode>,
        fallback: terrane_types::Span,
    ) -> Result<crate::providers::ResolvedProvider, Diagnostic> {
        if let Some(p) = self.providers.configured(&key) {
            return Ok(p);
        }
        let block = self
            .modules
            .get(&Vec::new())
            .and_then(|root| {
                root.module
                    .providers
                    .iter()
                    .find(|p| p.name == key.local_name && p.alias == key.alias)
            })
            .or_else(|| {
                m.and_then(|m| {
                    m.module
                        .providers
                        .iter()
                        .find(|p| p.name == key.local_name && p.alias == key.alias)
                })
            });
        let schema = factory.config_schema();
        let config = match (block, self.scopes.get(&ModuleInstance::root())) {
            (Some(b), Some(scope)) => {
                let mut decode_diags = Diagnostics::new();
                let v = decode_body(
                    &mut InstanceEval {
                        scope,
                        diags: &mut self.diags,
                    },
                    &BTreeMap::new(),
                    &b.body,
                    &schema.block,
                    b.body.span.first_byte(),
                    &mut decode_diags,
                );
                self.diags.extend(decode_diags);
                v.unmark_deep().0
            }
            _ => {
                terrane_sdk::proposed_new_state(
                    &schema.block,
                    None,
                    &Value::Object(BTreeMap::new()),
                )
                .unmark_deep()
                .0
            }
        };
        self.providers
            .configure(factory, key, &config)
            .await
            .map_err(|e| {
                // Pointed at the argument the provider names, else at the block.
                let span = e
                    .attribute
                    .as_ref()
                    .and_then(|p| match p.0.first() {
                        Some(PathStep::Attr(name)) => {
                            block.and_then(|b| b.body.attr(name)).map(|a| a.expr.span)
                        }
                        _ => None,
                    })
                    .unwrap_or_else(|| block.map_or(fallback, |b| b.span.first_byte()));
                let mut d =
                    Diagnostic::error(format!("Failed to configure provider \"{}\"", e.summary))
                        .with_detail(e.detail)
                        .with_span(span);
                if let Some(h) = e.hint {
                    d = d.with_hint(h);
                }
                d
            })
    }

    /// For every object the plan deletes, the resource implementation that can delete it,
    /// from the provider address recorded in the state.
    async fn delete_resources(&mut self) -> crate::apply::DeleteResources {
        let wanted: Vec<(String, String)> = self
            .plan
            .changes
            .iter()
            .filter(|c| c.action == Action::Delete)
            .map(|c| (c.provider.clone(), c.addr.resource.type_name.clone()))
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect();
        let mut out = crate::apply::DeleteResources::new();
        for (state_name, type_name) in wanted {
            let Some((factory, key)) = self.providers.factory_for_state_name(&state_name) else {
                self.diags.push(Diagnostic::error("Provider not available").with_detail(format!(
                    "The state records objects of {state_name}, which is not built into terrane; they cannot be deleted."
                )));
                continue;
            };
            match self
                .configure_key(factory, key, None, Span::default())
                .await
            {
                Ok(p) => {
                    if let Some(r) = p.provider.resource(&type_name) {
                        out.insert((state_name, type_name), r);
                    }
                }
                Err(d) => self.diags.push(d),
            }
        }
        out
    }

    /// State objects nothing in the configuration accounts for any more are deleted.
    fn orphans(&mut self) {
        if self.options.mode == PlanMode::RefreshOnly {
            return;
        }
        let targets = self.options.targets.clone();
        for (addr, obj) in &self.prior.objects {
            if self.planned.contains(addr)
                || addr.resource.mode == ResourceMode::Data
                || matches!(self.refreshed.get(addr), Some(None))
            {
                continue;
            }
            let name = addr.to_string();
            if !targets.is_empty() && !targets.iter().any(|t| matches_target(&name, t)) {
                continue;
            }
            let module_exists = self
                .instances
                .get(&addr.resource.module.config_path())
                .is_some_and(|list| list.contains(&addr.resource.module));
            let reason = if module_exists {
                ActionReason::DeleteBecauseNoResourceConfig
            } else {
                ActionReason::DeleteBecauseNoModule
            };
            self.plan
                .changes
                .push(delete_change(addr, obj, Some(reason)));
        }
        for ((addr, key), obj) in &self.prior.deposed {
            let name = addr.to_string();
            if !targets.is_empty() && !targets.iter().any(|t| matches_target(&name, t)) {
                continue;
            }
            let mut c = delete_change(addr, obj, None);
            c.deposed = Some(key.clone());
            self.plan.changes.push(c);
        }
        for (name, value) in &self.prior.outputs {
            if !self.plan.outputs.iter().any(|o| &o.name == name) {
                self.plan.outputs.push(OutputChange {
                    name: name.clone(),
                    action: Action::Delete,
                    before: Some(value.clone()),
                    after: None,
                    sensitive: false,
                });
            }
        }
    }
}

/// `count.index`, `each.key` and `each.value` for one instance.
fn repetition_names(
    key: Option<&InstanceKey>,
    each_value: Option<Value>,
) -> BTreeMap<String, Value> {
    let mut extra = BTreeMap::new();
    match key {
        Some(InstanceKey::Int(i)) => {
            extra.insert("count".into(), Value::object([("index", Value::from(*i))]));
        }
        Some(InstanceKey::Str(k)) => {
            extra.insert(
                "each".into(),
                Value::object([
                    ("key", Value::string(k.clone())),
                    (
                        "value",
                        each_value.unwrap_or_else(|| Value::string(k.clone())),
                    ),
                ]),
            );
        }
        None => {}
    }
    extra
}

/// Top-level attributes that must be shown as sensitive: the schema's, and those whose
/// configured value came from something sensitive.
fn sensitive_attributes(config: &Value, schema: &terrane_sdk::Block) -> Vec<AttrPath> {
    let mut out: Vec<AttrPath> = schema.sensitive_attributes().map(AttrPath::attr).collect();
    if let Some(attrs) = config.as_entries() {
        for (k, v) in attrs {
            if v.contains_sensitive() && !out.contains(&AttrPath::attr(k)) {
                out.push(AttrPath::attr(k));
            }
        }
    }
    out
}

/// Marks the listed top-level attributes sensitive.
pub(crate) fn mark_paths(value: Value, paths: &[AttrPath]) -> Value {
    let Value::Object(mut attrs) = value else {
        return value;
    };
    for p in paths {
        if let Some(PathStep::Attr(name)) = p.0.first()
            && let Some(v) = attrs.remove(name)
        {
            attrs.insert(name.clone(), v.mark_sensitive());
        }
    }
    Value::Object(attrs)
}

/// `lifecycle { ignore_changes }`: the listed attributes keep their prior values.
fn apply_ignore_changes(
    config: Value,
    prior: &Value,
    ignore: &IgnoreChanges,
    schema: &terrane_sdk::Block,
) -> Value {
    let Value::Object(mut attrs) = config else {
        return config;
    };
    let names: Vec<String> = match ignore {
        IgnoreChanges::None => Vec::new(),
        IgnoreChanges::All => schema
            .attributes
            .iter()
            .filter(|(_, a)| a.optional || a.required)
            .map(|(k, _)| k.clone())
            .chain(schema.blocks.keys().cloned())
            .collect(),
        IgnoreChanges::Paths(exprs) => exprs
            .iter()
            .filter_map(|e| e.as_static_traversal().map(|(root, _)| root.name))
            .collect(),
    };
    for name in names {
        if let Some(v) = prior.get_attr(&name) {
            attrs.insert(name, v.clone());
        }
    }
    Value::Object(attrs)
}

fn unknown_type(r: &Resource, provider: &str, what: &str) -> Diagnostic {
    Diagnostic::error(format!("Invalid {what} type"))
        .with_detail(format!(
            "The provider \"{provider}\" does not support {what} type \"{}\".",
            r.type_name
        ))
        .with_span(r.decl_span)
}

/// Where an attribute path (`default_action[0].target_group_arn`) is written in a body: the
/// argument's expression, else the deepest nested block found on the way (blocks by their
/// position among blocks of their kind; `dynamic` blocks are not followed).
enum Written<'b> {
    Argument(&'b terrane_lang::ast::Expr),
    Block(terrane_types::Span),
}

fn written_at<'b>(body: &'b terrane_config::Body, path: &'b [PathStep]) -> Option<Written<'b>> {
    let Some(PathStep::Attr(name)) = path.first() else {
        return None;
    };
    if let Some(a) = body.attr(name) {
        return Some(Written::Argument(&a.expr));
    }
    let mut blocks = body.blocks_of(name);
    let (block, rest) = match path.get(1) {
        Some(PathStep::Index(i)) => (blocks.nth(*i)?, &path[2..]),
        _ => (blocks.next()?, &path[1..]),
    };
    written_at(&block.body, rest).or(Some(Written::Block(block.span)))
}

/// The variable an expression is nothing but a reference to (`var.runtime`).
fn plain_variable(e: &terrane_lang::ast::Expr) -> Option<&str> {
    use terrane_lang::ast::{ExprKind, Traverser};
    let ExprKind::Traversal(base, ops) = &e.kind else {
        return None;
    };
    match (&base.kind, ops.as_slice()) {
        (ExprKind::Variable(root), [Traverser::Attr(name)]) if root.name == "var" => {
            Some(name.name.as_str())
        }
        _ => None,
    }
}

/// A provider's error (or warning) as a diagnostic at the resource block, or at the argument
/// it names. An argument written as just `var.x` in a child module is the module call's
/// argument `x` (followed up through modules that pass it on): the diagnostic points there,
/// where the user wrote the value, with a label at the resource's argument.
pub(crate) fn provider_diagnostic(
    e: terrane_sdk::ProviderError,
    r: &Resource,
    modules: &HashMap<Vec<String>, &ModuleNode>,
    module: &ModuleInstance,
) -> Diagnostic {
    let written = e.attribute.as_ref().and_then(|p| written_at(&r.body, &p.0));
    let mut span = r.decl_span;
    let mut labels = Vec::new();
    if let Some(w) = written {
        span = match w {
            Written::Argument(expr) => expr.span,
            Written::Block(span) => span,
        };
        let mut expr = match w {
            Written::Argument(expr) => Some(expr),
            Written::Block(_) => None,
        };
        let mut path = module.config_path();
        while let Some(var) = expr.and_then(plain_variable) {
            let Some(call_name) = path.pop() else { break };
            let Some(input) = modules
                .get(&path)
                .and_then(|m| m.module.module_calls.get(&call_name))
                .and_then(|call| call.inputs.get(var))
            else {
                break;
            };
            labels.push((
                span,
                format!("used here, as var.{var} of module.{call_name}"),
            ));
            span = input.expr.span;
            expr = Some(&input.expr);
        }
    }
    let mut detail = e.detail.clone();
    if let Some(code) = &e.code
        && !detail.contains(code.as_str())
    {
        detail = format!("{code}: {detail}");
    }
    let mut d = Diagnostic::error(e.summary)
        .with_detail(detail)
        .with_span(span);
    for (at, note) in labels {
        d = d.with_label(at, note);
    }
    if let Some(h) = e.hint {
        d = d.with_hint(h);
    }
    d
}

#[cfg(test)]
mod tests {
    use super::*;
    use terrane_types::{AttrPath, SourceMap};

    #[test]
    fn provider_errors_point_at_arguments_inside_nested_blocks() {
        let dir = tempfile::tempdir().unwrap();
        let tf = "resource \"aws_lb_listener\" \"l\" {\n  port = 80\n  default_action {\n    type = \"forward\"\n  }\n  default_action {\n    type = \"redirect\"\n    redirect {\n      status_code = \"HTTP_307\"\n    }\n  }\n}\n";
        std::fs::write(dir.path().join("main.tf"), tf).unwrap();
        let mut sources = SourceMap::new();
        let (config, diags) = terrane_config::load(dir.path(), &mut sources);
        assert!(!diags.has_errors(), "{diags:?}");
        let r = config.root.module.resources.values().next().unwrap();
        let at = |path: Vec<PathStep>| {
            let e = terrane_sdk::ProviderError::new("x").with_attribute(AttrPath(path));
            let span = provider_diagnostic(e, r, &HashMap::new(), &ModuleInstance::root())
                .span
                .unwrap();
            tf[span.start as usize..span.end as usize].to_owned()
        };
        use PathStep::{Attr, Index};
        assert_eq!(at(vec![Attr("port".into())]), "80");
        let status = vec![
            Attr("default_action".into()),
            Index(1),
            Attr("redirect".into()),
            Index(0),
            Attr("status_code".into()),
        ];
        assert_eq!(at(status), "\"HTTP_307\"");
        // A missing argument: the block it belongs in.
        let missing = vec![
            Attr("default_action".into()),
            Index(0),
            Attr("target_group_arn".into()),
        ];
        assert!(at(missing).starts_with("default_action {\n    type = \"forward\""));
        // Nothing there at all: the resource.
        assert!(at(vec![Attr("nope".into())]).starts_with("resource"));
    }

    #[test]
    fn errors_about_an_argument_passed_in_from_a_module_call_point_at_the_call() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::fs::create_dir_all(root.join("outer")).unwrap();
        std::fs::create_dir_all(root.join("inner")).unwrap();
        let main = "module \"app\" {\n  source  = \"./outer\"\n  runtime = \"nodejs99.x\"\n}\n";
        std::fs::write(root.join("main.tf"), main).unwrap();
        std::fs::write(
            root.join("outer/main.tf"),
            "variable \"runtime\" {}\nmodule \"fn\" {\n  source = \"../inner\"\n  rt     = var.runtime\n}\n",
        )
        .unwrap();
        let inner = "variable \"rt\" {}\nresource \"aws_lambda_function\" \"f\" {\n  runtime = var.rt\n  handler = \"${var.rt}.x\"\n}\n";
        std::fs::write(root.join("inner/main.tf"), inner).unwrap();
        let mut sources = SourceMap::new();
        let (config, diags) = terrane_config::load(root, &mut sources);
        assert!(!diags.has_errors(), "{diags:?}");
        let outer = &config.root.children["app"];
        let inner_node = &outer.children["fn"];
        let modules: HashMap<Vec<String>, &ModuleNode> = [
            (vec![], &config.root),
            (vec!["app".to_owned()], outer),
            (vec!["app".to_owned(), "fn".to_owned()], inner_node),
        ]
        .into_iter()
        .collect();
        let r = inner_node.module.resources.values().next().unwrap();
        let module = ModuleInstance::root().child("app", None).child("fn", None);
        let about = |name: &str| {
            let e = terrane_sdk::ProviderError::new("x")
                .with_attribute(AttrPath(vec![PathStep::Attr(name.into())]));
            provider_diagnostic(e, r, &modules, &module)
        };
        // `runtime = var.rt` ← `rt = var.runtime` ← `runtime = "nodejs99.x"` in the root.
        let d = about("runtime");
        let span = d.span.unwrap();
        assert_eq!(
            &main[span.start as usize..span.end as usize],
            "\"nodejs99.x\""
        );
        let notes: Vec<&str> = d.labels.iter().map(|(_, n)| n.as_str()).collect();
        assert_eq!(
            notes,
            [
                "used here, as var.rt of module.fn",
                "used here, as var.runtime of module.app"
            ]
        );
        // An expression that does more than pass the variable on stays where it is.
        let d = about("handler");
        let span = d.span.unwrap();
        assert_eq!(
            &inner[span.start as usize..span.end as usize],
            "\"${var.rt}.x\""
        );
        assert!(d.labels.is_empty());
    }
}
