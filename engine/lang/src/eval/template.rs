//! String templates: interpolation, `%{if}` and `%{for}` directives, and `templatefile`.

use super::{EvalCtx, EvalResult, Evaluator, Locals, iteration_pairs};
use crate::ast::{Template, TemplatePart};
use crate::functions::{to_bool_value, to_string_value};
use std::collections::BTreeMap;
use terrane_types::{Diagnostic, SourceMap, Span, Type, Value};

impl Evaluator<'_> {
    pub(super) fn template(&self, t: &Template, locals: Option<&Locals>) -> EvalResult {
        let mut out = String::new();
        let mut state = Render::default();
        self.render(t, locals, &mut out, &mut state)?;
        if state.unknown {
            return Ok(Value::Unknown(Type::String).with_mark(state.sensitive));
        }
        Ok(Value::String(out).with_mark(state.sensitive))
    }

    fn render(
        &self,
        t: &Template,
        locals: Option<&Locals>,
        out: &mut String,
        state: &mut Render,
    ) -> Result<(), Diagnostic> {
        for part in &t.parts {
            match part {
                TemplatePart::Literal(s) => out.push_str(s),
                TemplatePart::Interpolation(e) => {
                    let (v, marked) = self.eval(e, locals)?.unmark();
                    state.sensitive |= marked;
                    if !v.is_known() {
                        state.unknown = true;
                        continue;
                    }
                    let (v, deep) = v.unmark_deep();
                    state.sensitive |= deep;
                    if v.is_null() {
                        return Err(Diagnostic::error("Invalid template interpolation value")
                            .with_detail("The expression result is null. Cannot include a null value in a string template.")
                            .with_span(e.span));
                    }
                    match to_string_value(&v) {
                        Some(s) => out.push_str(&s),
                        None => {
                            return Err(Diagnostic::error("Invalid template interpolation value")
                                .with_detail(format!(
                                    "Cannot include the given value in a string template: string required, but have {}.",
                                    v.ty().friendly_name()
                                ))
                                .with_span(e.span)
                                .with_hint("Use jsonencode() or join() to turn a collection into a string."));
                        }
                    }
                }
                TemplatePart::If {
                    cond,
                    then,
                    otherwise,
                    ..
                } => {
                    let (c, marked) = self.eval(cond, locals)?.unmark();
                    state.sensitive |= marked;
                    if !c.is_known() {
                        state.unknown = true;
                        continue;
                    }
                    let c = to_bool_value(&c).ok_or_else(|| {
                        Diagnostic::error("Incorrect condition type")
                            .with_detail(format!(
                                "The condition expression must be of type bool, but it is {}.",
                                c.ty().friendly_name()
                            ))
                            .with_span(cond.span)
                    })?;
                    if c {
                        self.render(then, locals, out, state)?;
                    } else if let Some(o) = otherwise {
                        self.render(o, locals, out, state)?;
                    }
                }
                TemplatePart::For {
                    key_var,
                    value_var,
                    collection,
                    body,
                    ..
                } => {
                    let (coll, marked) = self.eval(collection, locals)?.unmark();
                    state.sensitive |= marked;
                    if !coll.is_known() {
                        state.unknown = true;
                        continue;
                    }
                    if coll.is_null() {
                        return Err(Diagnostic::error("Iteration over null value")
                            .with_detail("A null value cannot be used as the collection in a template 'for' directive.")
                            .with_span(collection.span));
                    }
                    let pairs = iteration_pairs(&coll).ok_or_else(|| {
                        Diagnostic::error("Iteration over non-iterable value")
                            .with_detail(format!(
                                "A value of type {} cannot be used as the collection in a template 'for' directive.",
                                coll.ty().friendly_name()
                            ))
                            .with_span(collection.span)
                    })?;
                    for (k, v) in &pairs {
                        let value_local = Locals {
                            name: &value_var.name,
                            value: v,
                            parent: locals,
                        };
                        match key_var {
                            Some(kv) => {
                                let key_local = Locals {
                                    name: &kv.name,
                                    value: k,
                                    parent: Some(&value_local),
                                };
                                self.render(body, Some(&key_local), out, state)?;
                            }
                            None => self.render(body, Some(&value_local), out, state)?,
                        }
                    }
                }
            }
        }
        Ok(())
    }
}

#[derive(Default)]
struct Render {
    unknown: bool,
    sensitive: bool,
}

/// `templatefile(path, vars)`: renders the file's text as a template whose only variables are
/// `vars`. Errors inside the template are reported with the template's own file:line:col.
pub fn render_template_file(
    ctx: &EvalCtx,
    path: &str,
    vars: &Value,
    vars_span: Span,
    call_span: Span,
) -> EvalResult {
    let full = ctx.base_dir.join(path);
    let text = std::fs::read_to_string(&full).map_err(|e| {
        let what = if e.kind() == std::io::ErrorKind::NotFound {
            format!("no file exists at \"{path}\"")
        } else {
            format!("could not read \"{path}\": {e}")
        };
        call_error(
            format!("Call to function \"templatefile\" failed: {what}."),
            call_span,
        )
    })?;
    let Some(entries) = vars.as_entries() else {
        return Err(call_error(
            "Invalid value for \"vars\" parameter: vars must be a map or an object.",
            call_span,
        ));
    };
    for key in entries.keys() {
        if !is_identifier(key) {
            return Err(call_error(
                format!(
                    "Call to function \"templatefile\" failed: invalid template variable name \"{key}\": must start with a letter, followed by zero or more letters, digits, and underscores."
                ),
                call_span,
            ));
        }
    }
    // The template gets its own little source map so its errors can say where they are.
    let mut sources = SourceMap::new();
    let file = sources.add(path, text.as_str());
    let located = |d: Diagnostic| {
        let place = d
            .span
            .and_then(|s| sources.location(s))
            .map(|l| format!("{}:{},{}: ", path, l.line, l.column))
            .unwrap_or_default();
        call_error(
            format!(
                "Call to function \"templatefile\" failed: {place}{}; {}",
                d.summary,
                d.detail.trim_end_matches('.')
            ),
            call_span,
        )
    };
    let template = crate::syntax::parse_template(&text, file, 0).map_err(located)?;
    // As Terraform does, every variable the template uses must be in `vars`, even in parts that
    // this rendering would not reach.
    for var in template.free_variables() {
        if !entries.contains_key(&var.name) {
            let place = sources
                .get(var.span.file)
                .map(|f| {
                    let (line, col) = f.line_col(var.span.start);
                    let (_, end_col) = f.line_col(var.span.end);
                    format!(", referenced at {path}:{line},{col}-{end_col}")
                })
                .unwrap_or_default();
            return Err(Diagnostic::error("Invalid function argument")
                .with_detail(format!(
                    "Invalid value for \"vars\" parameter: vars map does not contain key \"{}\"{place}.",
                    var.name
                ))
                .with_span(vars_span));
        }
    }
    let scope: BTreeMap<String, Value> = entries.clone();
    let inner = EvalCtx {
        scope: &scope,
        base_dir: ctx.base_dir,
    };
    let evaluator = Evaluator { ctx: inner };
    let result = match template.as_single_interpolation() {
        Some(e) => evaluator.eval(e, None),
        None => evaluator.template(&template, None),
    };
    result.map_err(located)
}

fn is_identifier(s: &str) -> bool {
    let mut chars = s.chars();
    chars.next().is_some_and(|c| c.is_alphabetic())
        && chars.all(|c| c.is_alphanumeric() || c == '_' || c == '-')
}

fn call_error(detail: impl Into<String>, span: Span) -> Diagnostic {
    Diagnostic::error("Error in function call")
        .with_detail(detail)
        .with_span(span)
}
