//! The human-readable plan, as `terraform plan` prints it (with "terrane" for "Terraform"): the
//! symbol legend, one commented block per resource change with its attributes diffed against the
//! resource schema, the summary line, output changes, and the drift and "No changes." notes.
//!
//! The layout is a port of Terraform's `internal/command/jsonformat` renderer; see
//! `render/diff.rs` for the value layout and `render/differ.rs` for how diffs are computed.

mod diff;
mod differ;
mod strings;
mod text;

pub use text::go_quote;

#[cfg(test)]
mod tests;

use crate::{Action, ActionReason, OutputChange, Plan, PlanMode, ResourceChange};
use diff::{Diff, Opts};
use differ::{Change, Matcher, block_diff, output_diff};
use std::collections::BTreeMap;
use terrane_sdk::{Attribute, Block};
use terrane_types::{InstanceKey, ResourceMode, Type, Value};
use text::{action_symbol, attribute_name, colorize, literal, pad, word_wrap};

/// How to print: with ANSI colors (a terminal) or plain (`NO_COLOR`, pipes, files).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Style {
    pub color: bool,
}

/// The width Terraform wraps its sentences to when the terminal's is unknown.
pub const DEFAULT_COLUMNS: usize = 78;

/// Renders a plan as `terraform plan` does, wrapping sentences at [`DEFAULT_COLUMNS`].
/// `schemas` gives the schema of a change's resource type (its attributes are printed as
/// `name = value`, its nested blocks as blocks); without one, attributes are printed by value.
pub fn render_plan(
    plan: &Plan,
    schemas: &dyn Fn(&ResourceChange) -> Option<Block>,
    style: Style,
) -> String {
    render_plan_with_width(plan, schemas, style, DEFAULT_COLUMNS)
}

/// [`render_plan`] for a terminal `columns` wide.
pub fn render_plan_with_width(
    plan: &Plan,
    schemas: &dyn Fn(&ResourceChange) -> Option<Block>,
    style: Style,
    columns: usize,
) -> String {
    Renderer {
        out: String::new(),
        color: style.color,
        columns,
    }
    .plan(plan, schemas)
}

/// Whether a change is shown as proposed, or as drift found by refresh.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Cause {
    Change,
    Drift,
}

struct Rendered<'a> {
    change: &'a ResourceChange,
    diff: Diff,
}

impl Rendered<'_> {
    fn moved(&self) -> bool {
        self.change
            .prev_addr
            .as_ref()
            .is_some_and(|p| *p != self.change.addr)
    }

    fn importing(&self) -> bool {
        self.change.importing.is_some()
    }
}

struct Renderer {
    out: String,
    color: bool,
    columns: usize,
}

impl Renderer {
    fn c(&self, markup: &str) -> String {
        colorize(self.color, markup)
    }

    fn print(&mut self, text: &str) {
        self.out.push_str(text);
    }

    fn println(&mut self, text: &str) {
        self.out.push_str(text);
        self.out.push('\n');
    }

    fn wrap(&self, text: &str) -> String {
        word_wrap(text, self.columns)
    }

    fn rule(&self) -> String {
        if self.columns <= 1 {
            return "\n".into();
        }
        self.c(&format!("[dark_gray]\n{}", "─".repeat(self.columns - 1)))
    }

    fn opts(&self) -> Opts {
        Opts {
            color: self.color,
            ..Opts::default()
        }
    }

    fn plan(mut self, plan: &Plan, schemas: &dyn Fn(&ResourceChange) -> Option<Block>) -> String {
        let changes: Vec<Rendered> = plan
            .changes
            .iter()
            .map(|change| Rendered {
                change,
                diff: resource_diff(change, schemas),
            })
            .collect();
        let drift: Vec<Rendered> = plan
            .drift
            .iter()
            .filter(|c| plan.mode == PlanMode::RefreshOnly || c.action != Action::NoOp)
            .map(|change| Rendered {
                change,
                diff: resource_diff(change, schemas),
            })
            .collect();
        let output_diffs: Vec<(&OutputChange, Diff)> = plan
            .outputs
            .iter()
            .map(|o| (o, output_change_diff(o)))
            .collect();

        let empty = changes
            .iter()
            .all(|r| r.diff.action == Action::NoOp && !r.moved())
            && output_diffs.iter().all(|(_, d)| d.action == Action::NoOp);
        let have_drift = !drift.is_empty() && (!empty || plan.mode == PlanMode::RefreshOnly);
        if have_drift {
            self.drift(&drift, plan.mode);
        }

        let mut counts: BTreeMap<Action, usize> = BTreeMap::new();
        let mut importing = 0;
        let mut shown = Vec::new();
        for r in &changes {
            let action = r.change.action;
            if action == Action::NoOp && !r.moved() && !r.importing() {
                continue;
            }
            if action == Action::Delete && r.change.addr.resource.mode != ResourceMode::Managed {
                continue;
            }
            if r.importing() {
                importing += 1;
            }
            if action != Action::NoOp {
                *counts.entry(action).or_default() += 1;
            }
            shown.push(r);
        }
        let outputs = self.outputs(&output_diffs);

        if shown.is_empty() && outputs.is_empty() && self.no_changes(plan, have_drift) {
            return self.out;
        }
        if have_drift {
            let rule = self.rule();
            self.print(&rule);
            self.println("");
        }

        if !counts.is_empty() {
            let legend = self.wrap(
                "\nterrane used the selected providers to generate the following execution plan. Resource actions are indicated with the following symbols:",
            );
            self.println(&legend);
            for (action, description) in [
                (Action::Create, "  [green]+[reset] create"),
                (Action::Update, "  [yellow]~[reset] update in-place"),
                (Action::Delete, "  [red]-[reset] destroy"),
                (
                    Action::DeleteThenCreate,
                    "[red]-[reset]/[green]+[reset] destroy and then create replacement",
                ),
                (
                    Action::CreateThenDelete,
                    "[green]+[reset]/[red]-[reset] create replacement and then destroy",
                ),
                (Action::Read, " [cyan]<=[reset] read (data resources)"),
            ] {
                if counts.contains_key(&action) {
                    let line = self.c(description);
                    self.println(&line);
                }
            }
        }

        if !shown.is_empty() {
            if plan.errored {
                self.print(
                    "\nterrane planned the following actions, but then encountered a problem:\n",
                );
            } else {
                self.print("\nterrane will perform the following actions:\n");
            }
            for r in &shown {
                let text = self.resource(r, Cause::Change);
                self.println("");
                self.println(&text);
            }
            let count = |a: Action| counts.get(&a).copied().unwrap_or(0);
            let replaced = count(Action::DeleteThenCreate) + count(Action::CreateThenDelete);
            let mut line = self.c("\n[bold]Plan:[reset] ");
            if importing > 0 {
                line.push_str(&format!("{importing} to import, "));
            }
            line.push_str(&format!(
                "{} to add, {} to change, {} to destroy.\n",
                count(Action::Create) + replaced,
                count(Action::Update),
                count(Action::Delete) + replaced
            ));
            self.print(&line);
        }

        if !outputs.is_empty() {
            self.print("\nChanges to Outputs:\n");
            self.println(&outputs);
            if counts.is_empty() {
                let note = self.wrap(
                    "\nYou can apply this plan to save these new output values to the terrane state, without changing any real infrastructure.",
                );
                self.println(&note);
            }
        }
        self.out
    }

    /// The note when nothing is to be done; true when nothing more is to be said.
    fn no_changes(&mut self, plan: &Plan, have_drift: bool) -> bool {
        if plan.errored {
            if have_drift {
                let rule = self.rule();
                self.print(&rule);
                self.println("");
            }
            let text = self.c("\n[reset][bold][red]Planning failed.[reset][bold] terrane encountered an error while generating this plan.[reset]\n\n");
            self.print(&text);
            return false;
        }
        let (headline, explanation) = match plan.mode {
            PlanMode::RefreshOnly => {
                if have_drift {
                    return true;
                }
                (
                    "Your infrastructure still matches the configuration.",
                    "terrane has checked that the real remote objects still match the result of your most recent changes, and found no differences.".to_owned(),
                )
            }
            PlanMode::Destroy => (
                "No objects need to be destroyed.",
                "Either you have not created any objects yet or the existing objects were already deleted outside of terrane.".to_owned(),
            ),
            PlanMode::Normal if have_drift => (
                "Your infrastructure matches the configuration.",
                "Your configuration already matches the changes detected above. If you'd like to update the terrane state to match, create and apply a refresh-only plan:\n  terrane apply -refresh-only".to_owned(),
            ),
            PlanMode::Normal => (
                "Your infrastructure matches the configuration.",
                "terrane has compared your real infrastructure against your configuration and found no differences, so no changes are needed.".to_owned(),
            ),
        };
        if have_drift {
            let rule = self.rule();
            self.print(&rule);
            self.println("");
        }
        let text = self.c(&format!(
            "\n[reset][bold][green]No changes.[reset][bold] {headline}[reset]\n\n"
        ));
        self.print(&text);
        let explanation = self.wrap(&explanation);
        self.println(&explanation);
        plan.mode == PlanMode::Normal && have_drift
    }

    /// "Objects have changed outside of terrane".
    fn drift(&mut self, drift: &[Rendered], mode: PlanMode) {
        let note =
            self.c("\n[bold][cyan]Note:[reset][bold] Objects have changed outside of terrane\n");
        self.print(&note);
        self.println("");
        let intro = self.wrap("terrane detected the following changes made outside of terrane since the last \"terrane apply\" which may have affected this plan:\n");
        self.print(&intro);
        for r in drift {
            if r.change.action == Action::NoOp && !r.moved() && !r.importing() {
                continue;
            }
            let text = self.resource(r, Cause::Drift);
            self.println("");
            self.println(&text);
        }
        let outro = if mode == PlanMode::RefreshOnly {
            "\n\nThis is a refresh-only plan, so terrane will not take any actions to undo these. If you were expecting these changes then you can apply this plan to record the updated values in the terrane state without changing any remote objects."
        } else {
            "\n\nUnless you have made equivalent changes to your configuration, or ignored the relevant attributes using ignore_changes, the following plan may include actions to undo or respond to these changes."
        };
        let outro = self.wrap(outro);
        self.println(&outro);
    }

    /// One resource: its comment lines and its body.
    fn resource(&self, r: &Rendered, cause: Cause) -> String {
        let change = r.change;
        let mut opts = self.opts();
        opts.show_unchanged_children = r.importing();
        let mode = match change.addr.resource.mode {
            ResourceMode::Managed => "resource",
            ResourceMode::Data => "data",
        };
        format!(
            "{}{} {mode} \"{}\" \"{}\" {}",
            self.c(&comment(r, cause)),
            self.c(action_symbol(change.action)),
            change.addr.resource.type_name,
            change.addr.resource.name,
            r.diff.render(0, opts)
        )
    }

    /// "Changes to Outputs:" lines, names aligned over all outputs.
    fn outputs(&self, outputs: &[(&OutputChange, Diff)]) -> String {
        let width = outputs
            .iter()
            .map(|(o, _)| attribute_name(&o.name).len())
            .max()
            .unwrap_or(0);
        let mut sorted: Vec<_> = outputs.iter().collect();
        sorted.sort_by(|a, b| a.0.name.cmp(&b.0.name));
        sorted
            .iter()
            .filter(|(_, d)| d.action != Action::NoOp)
            .map(|(o, d)| {
                format!(
                    "{} {} = {}",
                    self.c(action_symbol(d.action)),
                    pad(&attribute_name(&o.name), width),
                    d.render(0, self.opts())
                )
            })
            .collect::<Vec<_>>()
            .join("\n")
    }
}

/// The diff of a resource change against its schema (or, without one, its own values).
fn resource_diff(
    change: &ResourceChange,
    schemas: &dyn Fn(&ResourceChange) -> Option<Block>,
) -> Diff {
    let block = schemas(change).unwrap_or_else(|| implied_block(change));
    let c = Change {
        before: change.before.clone(),
        after: change.after.clone(),
        replace: Matcher::new(&change.replace_paths),
        ..Change::default()
    };
    block_diff(&c, &block)
}

/// A schema for a change without one: every attribute of its values, of no particular type.
fn implied_block(change: &ResourceChange) -> Block {
    let mut block = Block::new();
    for value in [&change.before, &change.after].into_iter().flatten() {
        if let Some(entries) = value.as_entries() {
            for name in entries.keys() {
                block = block.attr(name, Attribute::optional(Type::Dynamic));
            }
        }
    }
    block
}

fn output_change_diff(o: &OutputChange) -> Diff {
    let sensitive = |v: &Option<Value>| {
        if o.sensitive {
            Some(v.clone().unwrap_or_else(Value::null).mark_sensitive())
        } else {
            v.clone()
        }
    };
    let c = Change {
        before: sensitive(&o.before),
        after: sensitive(&o.after),
        ..Change::default()
    };
    output_diff(&c)
}

/// The comment lines above a resource (as markup): what happens and why.
fn comment(r: &Rendered, cause: Cause) -> String {
    let change = r.change;
    let mut addr = literal(&change.addr.to_string());
    if let Some(deposed) = &change.deposed {
        addr = format!("{addr} (deposed object {})", literal(deposed));
    }
    let mut buf = String::new();
    let mut printed_moved = false;
    let mut printed_imported = false;
    match change.action {
        Action::Create => buf.push_str(&format!("[bold]  # {addr}[reset] will be created")),
        Action::Read => {
            buf.push_str(&format!("[bold]  # {addr}[reset] will be read during apply"));
            match change.reason {
                Some(ActionReason::ReadBecauseConfigUnknown) => {
                    buf.push_str("\n  # (config refers to values not yet known)")
                }
                Some(ActionReason::ReadBecauseDependencyPending) => {
                    buf.push_str("\n  # (depends on a resource or a module with changes pending)")
                }
                _ => {}
            }
        }
        Action::Update => match cause {
            Cause::Change => {
                buf.push_str(&format!("[bold]  # {addr}[reset] will be updated in-place"))
            }
            Cause::Drift => buf.push_str(&format!("[bold]  # {addr}[reset] has changed")),
        },
        Action::DeleteThenCreate | Action::CreateThenDelete => buf.push_str(&match change.reason {
            Some(ActionReason::ReplaceBecauseTainted) => {
                format!("[bold]  # {addr}[reset] is tainted, so must be [bold][red]replaced[reset]")
            }
            Some(ActionReason::ReplaceByRequest) => {
                format!("[bold]  # {addr}[reset] will be [bold][red]replaced[reset], as requested")
            }
            Some(ActionReason::ReplaceByTriggers) => format!(
                "[bold]  # {addr}[reset] will be [bold][red]replaced[reset] due to changes in replace_triggered_by"
            ),
            _ => format!("[bold]  # {addr}[reset] must be [bold][red]replaced[reset]"),
        }),
        Action::Delete => {
            buf.push_str(&match cause {
                Cause::Change => format!("[bold]  # {addr}[reset] will be [bold][red]destroyed[reset]"),
                Cause::Drift => format!("[bold]  # {addr}[reset] has been deleted"),
            });
            if let Some(reason) = delete_reason(change) {
                buf.push_str(&format!("\n  # ({reason})"));
            }
            if change.deposed.is_some() {
                buf.push_str("\n  # (left over from a partially-failed replacement of this instance)");
            }
        }
        Action::NoOp => {
            if let Some(prev) = change.prev_addr.as_ref().filter(|_| r.moved()) {
                let prev = literal(&prev.to_string());
                buf.push_str(&format!("[bold]  # {prev}[reset] has moved to [bold]{addr}[reset]"));
                printed_moved = true;
            } else if change.importing.is_some() {
                buf.push_str(&format!("[bold]  # {addr}[reset] will be imported"));
                printed_imported = true;
            } else {
                buf.push_str(&format!(
                    "{addr} has an action the plan renderer doesn't support (this is a bug)"
                ));
            }
        }
    }
    buf.push('\n');
    if let Some(prev) = change
        .prev_addr
        .as_ref()
        .filter(|_| r.moved() && !printed_moved)
    {
        buf.push_str(&format!(
            "  # [reset](moved from {})\n",
            literal(&prev.to_string())
        ));
    }
    if let Some(id) = change.importing.as_ref().filter(|_| !printed_imported) {
        if id.is_empty() {
            buf.push_str("  # [reset](will be imported first)\n");
        } else {
            buf.push_str(&format!("  # [reset](imported from \"{}\")\n", literal(id)));
        }
    }
    for note in &change.notes {
        buf.push_str(&format!("  # [reset]({})\n", literal(note)));
    }
    if change.importing.is_some() && change.action.is_replace() {
        buf.push_str(
            "  # [reset][yellow]Warning: this will destroy the imported resource[reset]\n",
        );
    }
    buf
}

/// Why a resource is destroyed, when the plan says.
fn delete_reason(change: &ResourceChange) -> Option<String> {
    let resource = &change.addr.resource;
    let key = change.addr.key.as_ref();
    Some(match change.reason? {
        ActionReason::DeleteBecauseNoResourceConfig => format!(
            "because {}.{} is not in configuration",
            literal(&resource.type_name),
            literal(&resource.name)
        ),
        ActionReason::DeleteBecauseNoModule => {
            format!(
                "because {} is not in configuration",
                literal(&resource.module.to_string())
            )
        }
        ActionReason::DeleteBecauseWrongRepetition => match key {
            None => "because resource uses count or for_each".into(),
            Some(InstanceKey::Int(_)) => "because resource does not use count".into(),
            Some(InstanceKey::Str(_)) => "because resource does not use for_each".into(),
        },
        ActionReason::DeleteBecauseCountIndex => {
            format!(
                "because index [{}] is out of range for count",
                json_key(key)
            )
        }
        ActionReason::DeleteBecauseEachKey => {
            format!("because key [{}] is not in for_each map", json_key(key))
        }
        _ => return None,
    })
}

/// An instance key as JSON: `2` or `"a"`.
fn json_key(key: Option<&InstanceKey>) -> String {
    literal(&match key {
        None => String::new(),
        Some(InstanceKey::Int(i)) => i.to_string(),
        Some(InstanceKey::Str(s)) => serde_json::Value::String(s.clone()).to_string(),
    })
}
