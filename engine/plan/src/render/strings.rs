//! Primitive values in a diff: numbers and bools, single-line strings (`"a" -> "b"`), multi-line
//! strings as heredocs diffed line by line, and JSON strings as `jsonencode(...)` diffs, as
//! Terraform's primitive renderer does.

use super::diff::{Diff, Opts, forces_replacement, indent, null_suffix, symbol};
use super::differ::{Change, json_transform, process_slice};
use super::text::go_quote;
use crate::Action;
use terrane_types::Value;

/// A string as the renderer sees it (Terraform's `evaluatedString`).
struct Evaluated {
    text: String,
    json: Option<Value>,
    multiline: bool,
    null: bool,
}

fn evaluate(value: Option<&Value>, opts: Opts) -> Evaluated {
    let s = match value.map(Value::unmarked) {
        Some(Value::String(s)) => s,
        Some(v) if !matches!(v, Value::Null(_)) => {
            // Not a string after all: shown as its own literal.
            return Evaluated {
                text: literal_of(v),
                json: None,
                multiline: false,
                null: true,
            };
        }
        _ => {
            return Evaluated {
                text: opts.color("[dark_gray]null[reset]"),
                json: None,
                multiline: false,
                null: true,
            };
        }
    };
    if (s.starts_with('{') || s.starts_with('['))
        && let Ok(json) = serde_json::from_str::<serde_json::Value>(s)
    {
        return Evaluated {
            text: s.clone(),
            json: Some(Value::from_json(&json)),
            multiline: false,
            null: false,
        };
    }
    if s.contains('\n') {
        return Evaluated {
            text: s.trim().to_owned(),
            json: None,
            multiline: true,
            null: false,
        };
    }
    Evaluated {
        text: s.clone(),
        json: None,
        multiline: false,
        null: false,
    }
}

impl Evaluated {
    fn simple(&self) -> String {
        if self.null {
            self.text.clone()
        } else {
            go_quote(&self.text)
        }
    }
}

/// A non-string primitive: `null`, `true`, `42`.
fn render_value(value: Option<&Value>, opts: Opts) -> String {
    match value.map(Value::unmarked) {
        None | Some(Value::Null(_)) => opts.color("[dark_gray]null[reset]"),
        Some(v) => literal_of(v),
    }
}

fn literal_of(v: &Value) -> String {
    match v {
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => n.to_string(),
        Value::String(s) => go_quote(s),
        other => other.to_string(),
    }
}

pub(crate) fn render_primitive(
    diff: &Diff,
    before: Option<&Value>,
    after: Option<&Value>,
    string: bool,
    ind: usize,
    opts: Opts,
) -> String {
    if string {
        return render_string(diff, before, after, ind, opts);
    }
    let b = render_value(before, opts);
    let a = render_value(after, opts);
    let replace = forces_replacement(diff.replace, opts);
    match diff.action {
        Action::Create => format!("{a}{replace}"),
        Action::Delete => format!("{b}{}{replace}", null_suffix(diff.action, opts)),
        Action::NoOp => format!("{b}{replace}"),
        _ => format!("{b} {} {a}{replace}", opts.color("[yellow]->[reset]")),
    }
}

fn heredoc_lines(text: &str, ind: usize, opts: Opts) -> Vec<String> {
    let prefix = format!("{}{}", indent(ind + 1), symbol(Action::NoOp, opts));
    text.split('\n').map(|l| format!("{prefix}{l}")).collect()
}

fn render_string(
    diff: &Diff,
    before: Option<&Value>,
    after: Option<&Value>,
    ind: usize,
    opts: Opts,
) -> String {
    let replace = forces_replacement(diff.replace, opts);
    let lines = match diff.action {
        Action::Create | Action::NoOp => {
            let s = evaluate(after, opts);
            if s.json.is_some() {
                let before = if diff.action == Action::NoOp {
                    s.json.clone()
                } else {
                    None
                };
                return render_json(diff, ind, opts, before, s.json);
            }
            if !s.multiline {
                return format!("{}{replace}", s.simple());
            }
            heredoc_lines(&s.text, ind, opts)
        }
        Action::Delete => {
            let s = evaluate(before, opts);
            if s.null {
                return format!("{}{replace}", s.simple());
            }
            if s.json.is_some() {
                return render_json(diff, ind, opts, s.json, None);
            }
            if !s.multiline {
                return format!("{}{}{replace}", s.simple(), null_suffix(diff.action, opts));
            }
            heredoc_lines(&s.text, ind, opts)
        }
        _ => {
            let b = evaluate(before, opts);
            let a = evaluate(after, opts);
            if b.json.is_some() && a.json.is_some() {
                return render_json(diff, ind, opts, b.json, a.json);
            }
            if b.json.is_some() || a.json.is_some() {
                // One side JSON, the other not: shown as a type change.
                let old = Diff::new(
                    super::diff::Kind::Primitive {
                        before: before.cloned(),
                        after: None,
                        string: true,
                    },
                    Action::Delete,
                    false,
                );
                let new = Diff::new(
                    super::diff::Kind::Primitive {
                        before: None,
                        after: after.cloned(),
                        string: true,
                    },
                    Action::Create,
                    false,
                );
                let kind = super::diff::Kind::TypeChange {
                    before: Box::new(old),
                    after: Box::new(new),
                };
                return Diff::new(kind, diff.action, diff.replace).render(ind, opts);
            }
            if !b.multiline && !a.multiline {
                return format!(
                    "{} {} {}{replace}",
                    b.simple(),
                    opts.color("[yellow]->[reset]"),
                    a.simple()
                );
            }
            let old: Vec<&str> = b.text.split('\n').collect();
            let new: Vec<&str> = a.text.split('\n').collect();
            let mut lines = Vec::new();
            let line = |action: Action, text: &str| {
                format!("{}{}{text}", indent(ind + 1), symbol(action, opts))
            };
            process_slice(
                &old,
                &new,
                |_| false,
                |bi, ai| match (old.get(bi), new.get(ai)) {
                    (None, Some(n)) => lines.push(line(Action::Create, n)),
                    (Some(o), None) => lines.push(line(Action::Delete, o)),
                    (Some(o), Some(n)) if o != n => {
                        lines.push(line(Action::Delete, o));
                        lines.push(line(Action::Create, n));
                    }
                    (Some(o), Some(_)) => lines.push(line(Action::NoOp, o)),
                    (None, None) => {}
                },
            );
            lines
        }
    };
    format!(
        "<<-EOT{replace}\n{}\n{}{}EOT{}",
        lines.join("\n"),
        indent(ind),
        symbol(Action::NoOp, opts),
        null_suffix(diff.action, opts)
    )
}

/// A string holding JSON on both sides that exist: `jsonencode(...)` with the JSON diffed.
fn render_json(
    diff: &Diff,
    ind: usize,
    opts: Opts,
    before: Option<Value>,
    after: Option<Value>,
) -> String {
    let change = Change {
        before_explicit: diff.action != Action::Create,
        after_explicit: diff.action != Action::Delete,
        before,
        after,
        ..Change::default()
    };
    let json = json_transform(&change);
    let mut action = diff.action;
    let mut json_opts = opts.child();
    json_opts.override_null_suffix = true;
    let (whitespace, replace) = if json.action == Action::NoOp && diff.action == Action::Update {
        json_opts.show_unchanged_children = true;
        action = Action::NoOp;
        let note = if diff.replace {
            " # whitespace changes force replacement"
        } else {
            " # whitespace changes"
        };
        (note, String::new())
    } else {
        ("", forces_replacement(diff.replace, opts))
    };
    let rendered = json.render(ind + 1, json_opts);
    if matches!(diff.action, Action::Create | Action::Delete) {
        action = Action::NoOp;
    }
    if rendered.contains('\n') {
        format!(
            "jsonencode({whitespace}\n{}{}{rendered}{replace}\n{}{}){}",
            indent(ind + 1),
            symbol(action, opts),
            indent(ind),
            symbol(Action::NoOp, opts),
            null_suffix(diff.action, opts)
        )
    } else {
        format!("jsonencode({rendered}){whitespace}{replace}")
    }
}
