//! `validate`: every expression of every module evaluated once, in dependency order, with input
//! variables and resource attributes unknown (as Terraform's validate does), so type errors,
//! bad function arguments, bad `count`/`for_each` values and invalid validation results are found
//! without any provider or state.

use crate::graph::{Graph, NodeKind};
use crate::refs::Refs;
use crate::scope::{Layered, ModuleScope};
use std::collections::{BTreeMap, HashMap};
use std::path::Path;
use terrane_config::{Body, Condition, Config, ModuleNode, Variable};
use terrane_lang::ast::Expr;
use terrane_lang::convert::convert;
use terrane_lang::eval::EvalCtx;
use terrane_lang::typeexpr::Constraint;
use terrane_types::{Diagnostic, Diagnostics, SourceMap, Span, Type, Value};

/// Validates a loaded configuration. `cwd` is the directory commands run in (for `path.cwd`).
pub fn validate(config: &Config, sources: &SourceMap, cwd: &Path) -> Diagnostics {
    validate_with(config, sources, cwd, None)
}

/// [`validate`], also checking resource and data source bodies against the schemas of the
/// compiled-in providers (unsupported or missing arguments, wrong types, unknown types), as
/// Terraform's validate does once providers are installed.
pub fn validate_with(
    config: &Config,
    sources: &SourceMap,
    cwd: &Path,
    registry: Option<&terrane_sdk::Registry>,
) -> Diagnostics {
    let (graph, mut diags) = Graph::build(config);
    // Expressions holding a reference the graph could not resolve are not evaluated (their
    // error is already reported); everything else is, so independent errors all show.
    let poisoned: Vec<Span> = diags.iter().filter_map(|d| d.span).collect();
    for m in config.root.walk() {
        diags.extend(check_required_version(m));
    }
    let Some(order) = graph.evaluation_order() else {
        return diags;
    };
    let mut walk = Walk {
        sources,
        scopes: HashMap::new(),
        modules: HashMap::new(),
        poisoned,
        providers: registry.map(|r| crate::providers::ProviderSet::new(r.clone())),
        root: Some(&config.root),
        diags: &mut diags,
    };
    let root_dir = config.root.module.dir.clone();
    for m in config.root.walk() {
        walk.modules.insert(m.path.clone(), m);
        walk.scopes
            .insert(m.path.clone(), ModuleScope::new(m, &root_dir, cwd));
    }
    for i in order {
        let node = &graph.graph[i];
        let Some(&m) = walk.modules.get(&node.module) else {
            continue;
        };
        match &node.kind {
            NodeKind::Var(name) => walk.variable(m, name),
            NodeKind::Local(name) => walk.local(m, name),
            NodeKind::Resource(addr) => walk.resource(m, addr),
            NodeKind::ModuleCall(name) => walk.module_call(m, name),
            NodeKind::Output(name) => walk.output(m, name),
        }
    }
    diags
}

struct Walk<'a> {
    sources: &'a SourceMap,
    scopes: HashMap<Vec<String>, ModuleScope>,
    modules: HashMap<Vec<String>, &'a ModuleNode>,
    /// Spans of references already reported as unresolvable.
    poisoned: Vec<Span>,
    /// The compiled-in providers, to check bodies against their schemas (when given).
    providers: Option<crate::providers::ProviderSet>,
    root: Option<&'a ModuleNode>,
    diags: &'a mut Diagnostics,
}

/// Evaluation for the schema decoder, in one module of the validate walk.
struct WalkEval<'w, 'a> {
    walk: &'w mut Walk<'a>,
    module: &'w [String],
}

impl crate::decode::Evaluate for WalkEval<'_, '_> {
    fn eval(
        &mut self,
        extra: &BTreeMap<String, Value>,
        e: &terrane_lang::ast::Expr,
    ) -> Option<Value> {
        self.walk.eval_in(self.module, extra.clone(), e)
    }
}

impl Walk<'_> {
    fn eval_in(
        &mut self,
        module: &[String],
        extra: BTreeMap<String, Value>,
        e: &Expr,
    ) -> Option<Value> {
        if self
            .poisoned
            .iter()
            .any(|p| p.file == e.span.file && p.start >= e.span.start && p.end <= e.span.end)
        {
            return None;
        }
        let scope = self.scopes.get(module)?;
        let layered = Layered { base: scope, extra };
        let ctx = EvalCtx::new(&layered, &scope.dir);
        match ctx.eval(e) {
            Ok(v) => Some(v),
            Err(d) => {
                self.diags.push(d);
                None
            }
        }
    }

    fn eval(&mut self, module: &[String], e: &Expr) -> Option<Value> {
        self.eval_in(module, BTreeMap::new(), e)
    }

    fn variable(&mut self, m: &ModuleNode, name: &str) {
        let Some(var) = m.module.variables.get(name) else {
            return;
        };
        let constraint = var.constraint();
        if let Some(default) = &var.default {
            self.check_default(var, default.expr.clone(), &constraint);
        }
        let value = if m.path.is_empty() {
            // Root variables are unknown during validate: their values come with plan.
            Value::Unknown(constraint.to_type())
        } else {
            self.module_input(m, var, &constraint)
        };
        let value = value.with_mark(var.sensitive);
        if let Some(scope) = self.scopes.get_mut(&m.path) {
            scope.set("var", name, value.clone());
        }
        self.validations(m, var, &value);
    }

    fn check_default(&mut self, var: &Variable, default: Expr, constraint: &Constraint) {
        let refs = Refs::of_expr(&default);
        if let Some(r) = refs.refs.first() {
            self.diags.push(
                Diagnostic::error("Variables not allowed")
                    .with_detail("Variables may not be used here: a variable's default must be a constant value.")
                    .with_span(r.span),
            );
            return;
        }
        let Ok(value) = terrane_config::constant_value(&default).map_err(|d| self.diags.push(d))
        else {
            return;
        };
        if value.is_null() && !var.nullable {
            self.diags.push(
                Diagnostic::error("Invalid default value for variable")
                    .with_detail("A null default value is not valid when nullable = false.")
                    .with_span(default.span),
            );
            return;
        }
        if let Err(e) = convert(value, constraint) {
            self.diags.push(
                Diagnostic::error("Invalid default value for variable")
                    .with_detail(format!(
                        "This default value is not compatible with the variable's type constraint: {e}."
                    ))
                    .with_span(default.span)
                    .with_hint(format!("The variable's type is {constraint}.")),
            );
        }
    }

    /// The value a module call gives a child variable: its expression evaluated in the parent,
    /// else the default; converted to the variable's type.
    fn module_input(&mut self, m: &ModuleNode, var: &Variable, constraint: &Constraint) -> Value {
        let parent_path = &m.path[..m.path.len() - 1];
        let call_name = &m.path[m.path.len() - 1];
        let Some(parent) = self.modules.get(parent_path).copied() else {
            return Value::Unknown(constraint.to_type());
        };
        let Some(call) = parent.module.module_calls.get(call_name) else {
            return Value::Unknown(constraint.to_type());
        };
        let Some(attr) = call.inputs.get(&var.name) else {
            return match &var.default {
                Some(d) => terrane_config::constant_value(&d.expr)
                    .ok()
                    .and_then(|v| convert(v, constraint).ok())
                    .unwrap_or(Value::Unknown(constraint.to_type())),
                // A missing required input is reported at the module call.
                None => Value::Unknown(constraint.to_type()),
            };
        };
        let mut extra = BTreeMap::new();
        if call.count.is_some() {
            extra.insert(
                "count".into(),
                Value::object([("index", Value::Unknown(Type::Number))]),
            );
        }
        if call.for_each.is_some() {
            extra.insert(
                "each".into(),
                Value::object([
                    ("key", Value::Unknown(Type::String)),
                    ("value", Value::unknown()),
                ]),
            );
        }
        let Some(value) = self.eval_in(parent_path, extra, &attr.expr) else {
            return Value::Unknown(constraint.to_type());
        };
        if value.is_null() && !var.nullable {
            self.diags.push(
                Diagnostic::error("Invalid value for input variable")
                    .with_detail(format!(
                        "The given value is not suitable for {}: required variable may not be set to null.",
                        var_address(m, &var.name)
                    ))
                    .with_span(attr.expr.span),
            );
            return Value::Unknown(constraint.to_type());
        }
        match convert(value, constraint) {
            Ok(v) => v,
            Err(e) => {
                let declared = self
                    .sources
                    .location(var.name_span)
                    .map(|l| format!(" declared at {l}"))
                    .unwrap_or_default();
                self.diags.push(
                    Diagnostic::error("Invalid value for input variable")
                        .with_detail(format!(
                            "The given value is not suitable for {}{declared}: {e}.",
                            var_address(m, &var.name)
                        ))
                        .with_span(attr.expr.span)
                        .with_hint(format!("The variable's type is {constraint}.")),
                );
                Value::Unknown(constraint.to_type())
            }
        }
    }

    fn validations(&mut self, m: &ModuleNode, var: &Variable, value: &Value) {
        if !value.is_wholly_known() {
            return;
        }
        // Terraform points at the value that failed: the caller's argument, else the default.
        let given = m
            .path
            .split_last()
            .and_then(|(call, parent)| {
                self.modules
                    .get(parent)?
                    .module
                    .module_calls
                    .get(call)?
                    .inputs
                    .get(&var.name)
                    .map(|a| a.expr.span)
            })
            .or_else(|| var.default.as_ref().map(|d| d.expr.span));
        for rule in &var.validations {
            let checked_at = self.sources.location(rule.condition.span).map(|l| {
                format!(
                    "This was checked by the validation rule at {}:{},{}.",
                    l.path.display(),
                    l.line,
                    l.column
                )
            });
            self.condition(&m.path, rule, "validation", given, checked_at, || {
                "Invalid value for variable".to_owned()
            });
        }
    }

    /// Evaluates a validation/precondition: a known `false` is reported with its error message,
    /// at `subject` when given (the value a validation rejected), else at the condition.
    fn condition(
        &mut self,
        module: &[String],
        rule: &Condition,
        what: &str,
        subject: Option<Span>,
        note: Option<String>,
        summary: impl Fn() -> String,
    ) {
        let Some(result) = self.eval(module, &rule.condition) else {
            return;
        };
        let (result, _) = result.unmark_deep();
        if !result.is_known() {
            return;
        }
        let ok = match result {
            Value::Bool(b) => b,
            Value::Null(_) => {
                self.diags.push(
                    Diagnostic::error(format!("Invalid {what} result"))
                        .with_detail("The condition expression produced a null value. Conditions must either be true or false.")
                        .with_span(rule.condition.span),
                );
                return;
            }
            other => {
                self.diags.push(
                    Diagnostic::error(format!("Invalid {what} result"))
                        .with_detail(format!(
                            "The condition expression must return a bool, but it returned {}.",
                            other.ty().friendly_name()
                        ))
                        .with_span(rule.condition.span),
                );
                return;
            }
        };
        let message = self.eval(module, &rule.error_message);
        let message = match message.as_ref().map(|v| v.unmarked()) {
            Some(Value::String(s)) => s.clone(),
            Some(Value::Unknown(_)) | None => String::new(),
            Some(other) => {
                self.diags.push(
                    Diagnostic::error("Invalid error message")
                        .with_detail(format!(
                            "The error_message must be a string, but it is {}.",
                            other.ty().friendly_name()
                        ))
                        .with_span(rule.error_message.span),
                );
                return;
            }
        };
        if !ok {
            let detail = match note {
                Some(note) => format!("{message}\n\n{note}"),
                None => message,
            };
            self.diags.push(
                Diagnostic::error(summary())
                    .with_detail(detail)
                    .with_span(subject.unwrap_or(rule.condition.span)),
            );
        }
    }

    fn local(&mut self, m: &ModuleNode, name: &str) {
        let Some(local) = m.module.locals.get(name) else {
            return;
        };
        let value = self
            .eval(&m.path, &local.expr)
            .unwrap_or_else(Value::unknown);
        if let Some(scope) = self.scopes.get_mut(&m.path) {
            scope.set("local", name, value);
        }
    }

    fn resource(&mut self, m: &ModuleNode, addr: &str) {
        let Some(r) = m.module.resources.get(addr) else {
            return;
        };
        let mut extra = BTreeMap::new();
        if let Some(count) = &r.count {
            if let Some(v) = self.eval(&m.path, count) {
                self.check_count(&v, count.span);
            }
            extra.insert(
                "count".into(),
                Value::object([("index", Value::Unknown(Type::Number))]),
            );
        }
        if let Some(for_each) = &r.for_each {
            if let Some(v) = self.eval(&m.path, for_each) {
                self.check_for_each(&v, for_each.span);
            }
            extra.insert(
                "each".into(),
                Value::object([
                    ("key", Value::Unknown(Type::String)),
                    ("value", Value::unknown()),
                ]),
            );
        }
        extra.insert("self".into(), Value::unknown());
        match self.schema_for(m, r) {
            Some(block) => {
                let mut decode_diags = Diagnostics::new();
                let path = m.path.clone();
                crate::decode::decode_body(
                    &mut WalkEval {
                        walk: self,
                        module: &path,
                    },
                    &extra,
                    &r.body,
                    &block,
                    r.open_brace,
                    &mut decode_diags,
                );
                self.diags.extend(decode_diags);
            }
            None => self.body(&m.path, &extra, &r.body),
        }
        for c in &r.lifecycle.preconditions {
            self.eval_in(&m.path, extra.clone(), &c.condition);
        }
        // Without a provider, a resource's attributes are not known until apply.
        if let Some(scope) = self.scopes.get_mut(&m.path) {
            scope.set_resource(r, Value::unknown());
        }
    }

    /// The schema of a resource's or data source's type, when its provider is compiled in;
    /// an unknown type of a known provider is reported.
    fn schema_for(
        &mut self,
        m: &ModuleNode,
        r: &terrane_config::Resource,
    ) -> Option<terrane_sdk::Block> {
        let (factory, _) = self.providers.as_ref()?.factory_for(m, r, self.root).ok()?;
        let (kind, types) = match r.mode {
            terrane_config::Mode::Managed => ("resource", factory.resource_schemas()),
            terrane_config::Mode::Data => ("data source", factory.data_source_schemas()),
        };
        if let Some((_, schema)) = types.iter().find(|(t, _)| *t == r.type_name) {
            return Some(schema.block.clone());
        }
        let mut d = Diagnostic::error(format!("Invalid {kind} type"))
            .with_detail(format!(
                "The provider {} does not support {kind} type \"{}\".",
                factory.source(),
                r.type_name
            ))
            .with_span(r.type_span);
        if let Some(s) = terrane_types::suggest(&r.type_name, types.iter().map(|(t, _)| *t)) {
            d = d.with_hint(format!("Did you mean \"{s}\"?"));
        }
        self.diags.push(d);
        None
    }

    /// Evaluates every argument of a body, expanding `dynamic` blocks' iterators.
    fn body(&mut self, module: &[String], extra: &BTreeMap<String, Value>, body: &Body) {
        for attr in body.attributes.values() {
            self.eval_in(module, extra.clone(), &attr.expr);
        }
        for block in &body.blocks {
            if block.kind != "dynamic" {
                self.body(module, extra, &block.body);
                continue;
            }
            let iterator = block.dynamic_iterator();
            match block.body.attr("for_each") {
                Some(fe) => {
                    if let Some(v) = self.eval_in(module, extra.clone(), &fe.expr) {
                        self.check_dynamic_for_each(&v, fe.expr.span);
                    }
                }
                None => self.diags.push(
                    Diagnostic::error("Missing required argument")
                        .with_detail(
                            "The argument \"for_each\" is required, but no definition was found.",
                        )
                        .with_span(block.header_span()),
                ),
            }
            let mut inner = extra.clone();
            inner.insert(
                iterator,
                Value::object([("key", Value::unknown()), ("value", Value::unknown())]),
            );
            let content: Vec<_> = block.body.blocks_of("content").collect();
            if content.is_empty() {
                self.diags.push(
                    Diagnostic::error("Missing content block")
                        .with_detail("A dynamic block must have a nested block of type \"content\" to describe the body of each generated block.")
                        .with_span(block.header_span()),
                );
            }
            for c in content {
                self.body(module, &inner, &c.body);
            }
            if let Some(labels) = block.body.attr("labels") {
                self.eval_in(module, inner.clone(), &labels.expr);
            }
        }
    }

    fn check_count(&mut self, v: &Value, span: Span) {
        let (v, _) = v.clone().unmark();
        if !v.is_known() {
            return;
        }
        let bad = |detail: &str| {
            Diagnostic::error("Invalid count argument")
                .with_detail(format!(
                    "The given \"count\" argument value is unsuitable: {detail}."
                ))
                .with_span(span)
        };
        if v.is_null() {
            self.diags.push(bad("count cannot be null"));
            return;
        }
        match terrane_lang::functions::to_number_value(&v) {
            None => self.diags.push(bad(&format!(
                "a number is required, but have {}",
                v.ty().friendly_name()
            ))),
            Some(n) if !n.is_integer() => self
                .diags
                .push(bad("the count argument must be a whole number")),
            Some(n) if n.is_negative() => self
                .diags
                .push(bad("must be greater than or equal to zero")),
            Some(_) => {}
        }
    }

    /// Checks a resource or module `for_each`: a map, an object, or a set of strings.
    fn check_for_each(&mut self, v: &Value, span: Span) {
        if let Some(d) = for_each_problem(v, span) {
            self.diags.push(d);
        }
    }

    fn check_dynamic_for_each(&mut self, v: &Value, span: Span) {
        let (v, _) = v.clone().unmark();
        if v.is_null() {
            self.diags.push(
                Diagnostic::error("Invalid dynamic for_each value")
                    .with_detail("Cannot use a null value in for_each.")
                    .with_span(span),
            );
        } else if v.is_known() && v.as_seq().is_none() && v.as_entries().is_none() {
            self.diags.push(
                Diagnostic::error("Invalid dynamic for_each value")
                    .with_detail(format!(
                        "Cannot use a {} value in for_each. An iterable collection is required.",
                        v.ty().friendly_name()
                    ))
                    .with_span(span),
            );
        }
    }

    fn module_call(&mut self, m: &ModuleNode, name: &str) {
        let Some(call) = m.module.module_calls.get(name) else {
            return;
        };
        if let Some(count) = &call.count
            && let Some(v) = self.eval(&m.path, count)
        {
            self.check_count(&v, count.span);
        }
        if let Some(for_each) = &call.for_each
            && let Some(v) = self.eval(&m.path, for_each)
        {
            self.check_for_each(&v, for_each.span);
        }
        let Some(child) = m.children.get(name) else {
            return;
        };
        for (input, attr) in &call.inputs {
            if !child.module.variables.contains_key(input) {
                let mut d = Diagnostic::error("Unsupported argument")
                    .with_detail(format!("An argument named \"{input}\" is not expected here: module \"{name}\" declares no variable \"{input}\"."))
                    .with_span(attr.name_span);
                if let Some(s) =
                    terrane_types::suggest(input, child.module.variables.keys().map(String::as_str))
                {
                    d = d.with_hint(format!("Did you mean \"{s}\"?"));
                }
                self.diags.push(d);
            }
        }
        for var in child.module.variables.values() {
            if var.default.is_none() && !call.inputs.contains_key(&var.name) {
                self.diags.push(
                    Diagnostic::error("Missing required argument")
                        .with_detail(format!(
                            "The argument \"{}\" is required, but no definition was found: module \"{name}\" declares variable \"{}\" without a default.",
                            var.name, var.name
                        ))
                        .with_span(call.open_brace)
                        .with_hint(format!("Add {} = ... to the module block.", var.name)),
                );
            }
        }
        // With count or for_each the outputs are per instance, which validate does not expand.
        if (call.count.is_some() || call.for_each.is_some())
            && let Some(scope) = self.scopes.get_mut(&m.path)
        {
            scope.set("module", name, Value::unknown());
        }
    }

    fn output(&mut self, m: &ModuleNode, name: &str) {
        let Some(o) = m.module.outputs.get(name) else {
            return;
        };
        let value = self.eval(&m.path, &o.value).unwrap_or_else(Value::unknown);
        // Only root outputs leave the configuration; child outputs stay marked inside it.
        if m.path.is_empty() && value.contains_sensitive() && !o.sensitive {
            self.diags.push(
                Diagnostic::error("Output refers to sensitive values")
                    .with_detail("To reduce the risk of accidentally exporting sensitive data that was intended to be only internal, terrane requires that any root module output containing sensitive data be explicitly marked as sensitive, to confirm your intent.")
                    .with_span(o.decl_span)
                    .with_hint("If you do intend to export this data, annotate the output value as sensitive by adding: sensitive = true"),
            );
        }
        for c in &o.preconditions {
            self.condition(&m.path, c, "precondition", None, None, || {
                "Module output value precondition failed".to_owned()
            });
        }
        // The output becomes visible to the parent as module.<call>.<name>.
        if let Some((call, parent)) = m.path.split_last() {
            let called_with_expansion = self
                .modules
                .get(parent)
                .and_then(|p| p.module.module_calls.get(call))
                .is_some_and(|c| c.count.is_some() || c.for_each.is_some());
            if called_with_expansion {
                return;
            }
            if let Some(scope) = self.scopes.get_mut(parent) {
                let modules = scope
                    .roots
                    .entry("module".into())
                    .or_insert_with(|| Value::Object(BTreeMap::new()));
                if let Value::Object(calls) = modules {
                    let outputs = calls
                        .entry(call.clone())
                        .or_insert_with(|| Value::Object(BTreeMap::new()));
                    if let Value::Object(outs) = outputs {
                        outs.insert(name.to_owned(), value.with_mark(o.sensitive));
                    }
                }
            }
        }
    }
}

/// `terraform { required_version = "..." }` against the language version terrane implements.
fn check_required_version(m: &ModuleNode) -> Option<Diagnostic> {
    let attr = m.module.terraform.required_version.as_ref()?;
    let value = terrane_config::constant_value(&attr.expr).ok();
    let Some(constraint) = value.as_ref().and_then(Value::as_str) else {
        return Some(
            Diagnostic::error("Invalid required_version constraint")
                .with_detail("The required_version argument must be a literal string of version constraints, like \">= 1.5\".")
                .with_span(attr.expr.span),
        );
    };
    match crate::version::satisfies(crate::TERRAFORM_COMPAT_VERSION, constraint) {
        Ok(true) => None,
        Ok(false) => Some(
            Diagnostic::error("Unsupported Terraform Core version")
                .with_detail(format!(
                    "This configuration does not support Terraform version {}, the version of the language terrane implements. To proceed, either choose another supported Terraform version or update this version constraint. Version constraints are normally set for good reason, so updating the constraint may lead to other errors or unexpected behavior.",
                    crate::TERRAFORM_COMPAT_VERSION
                ))
                .with_span(attr.expr.span),
        ),
        Err(why) => Some(
            Diagnostic::error("Invalid required_version constraint")
                .with_detail(format!("The version constraint is not valid: {why}."))
                .with_span(attr.expr.span),
        ),
    }
}

/// What is wrong with a `for_each` value, if anything. Unknown values are fine at this stage.
pub fn for_each_problem(v: &Value, span: Span) -> Option<Diagnostic> {
    let bad = |detail: String| {
        Some(
            Diagnostic::error("Invalid for_each argument")
                .with_detail(detail)
                .with_span(span),
        )
    };
    let bad_set = |detail: String| {
        Some(
            Diagnostic::error("Invalid for_each set argument")
                .with_detail(detail)
                .with_span(span),
        )
    };
    if v.contains_sensitive() {
        return bad("Sensitive values, or values derived from sensitive values, cannot be used as for_each arguments. If used, the sensitive value could be exposed as a resource instance key.".into());
    }
    match v {
        Value::Unknown(_) => None,
        Value::Null(_) => bad("The given \"for_each\" argument value is unsuitable: the given \"for_each\" argument value is null. A map, or set of strings is allowed.".into()),
        Value::Map(_) | Value::Object(_) => None,
        Value::Set(items) => {
            for item in items {
                match item {
                    Value::String(_) | Value::Unknown(_) => {}
                    Value::Null(_) => return bad_set("The given \"for_each\" argument value is unsuitable: \"for_each\" sets must not contain null values.".into()),
                    other => return bad_set(format!(
                        "The given \"for_each\" argument value is unsuitable: \"for_each\" supports maps and sets of strings, but you have provided a set containing type {}.",
                        other.ty().friendly_name()
                    )),
                }
            }
            None
        }
        Value::List(_) | Value::Tuple(_) => Some(
            Diagnostic::error("Invalid for_each argument")
                .with_detail(format!(
                    "The given \"for_each\" argument value is unsuitable: the \"for_each\" argument must be a map, or set of strings, and you have provided a value of type {}.",
                    v.ty().friendly_name()
                ))
                .with_span(span)
                .with_hint("Convert it to a set with toset(...) if its elements are unique strings."),
        ),
        other => bad(format!(
            "The given \"for_each\" argument value is unsuitable: the \"for_each\" argument must be a map, or set of strings, and you have provided a value of type {}.",
            other.ty().friendly_name()
        )),
    }
}

fn prefix(m: &ModuleNode) -> String {
    m.path.iter().map(|p| format!("module.{p}.")).collect()
}

fn var_address(m: &ModuleNode, name: &str) -> String {
    format!("{}var.{name}", prefix(m))
}
