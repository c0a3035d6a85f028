//! Which changes made outside terrane matter to a plan: Terraform's "relevant attributes".
//!
//! Since Terraform 1.2, "Objects have changed outside of Terraform" lists only drift the plan
//! depends on: objects that the plan itself changes, and attributes that the configuration
//! of a changed resource reads, followed through locals, module inputs and module outputs
//! (`module.alb.target_group_arn` → `aws_lb_target_group.this.arn`). A computed attribute
//! that moved (a target group's `load_balancer_arns` once a listener uses it) is not news to
//! anyone who does not read it.

use crate::refs::{Refs, Target};
use std::collections::BTreeSet;
use terrane_config::{Config, Mode, ModuleNode};
use terrane_plan::{Action, Plan, PlanMode};
use terrane_types::{ResourceInstanceAddr, ResourceMode, Value};

/// A managed resource's attribute in the configuration: (module path by call names, type,
/// name, attribute); no attribute: the whole object is read.
type AttrRef = (Vec<String>, String, String, Option<String>);

/// What one reference leads to, found so far.
#[derive(Default)]
struct Walk {
    found: BTreeSet<AttrRef>,
    /// (module path, "var"/"local"/"output", name) already followed.
    seen: BTreeSet<(Vec<String>, &'static str, String)>,
}

fn node<'a>(config: &'a Config, path: &[String]) -> Option<&'a ModuleNode> {
    let mut m = &config.root;
    for name in path {
        m = m.children.get(name)?;
    }
    Some(m)
}

impl Walk {
    fn refs(&mut self, config: &Config, path: &[String], refs: Refs) {
        for r in refs.refs {
            match r.target {
                Target::Resource(Mode::Managed, type_name, name) => {
                    self.found
                        .insert((path.to_vec(), type_name, name, r.attr_name));
                }
                Target::Local(name) => self.local(config, path, name),
                Target::Var(name) => self.var(config, path, name),
                Target::Module(call, output) => {
                    let mut child = path.to_vec();
                    child.push(call);
                    match output {
                        Some(o) => self.output(config, &child, o),
                        None => {
                            let names: Vec<String> = node(config, &child)
                                .map(|m| m.module.outputs.keys().cloned().collect())
                                .unwrap_or_default();
                            for o in names {
                                self.output(config, &child, o);
                            }
                        }
                    }
                }
                _ => {}
            }
        }
    }

    fn first_visit(&mut self, path: &[String], kind: &'static str, name: &str) -> bool {
        self.seen.insert((path.to_vec(), kind, name.to_owned()))
    }

    fn local(&mut self, config: &Config, path: &[String], name: String) {
        if !self.first_visit(path, "local", &name) {
            return;
        }
        if let Some(l) = node(config, path).and_then(|m| m.module.locals.get(&name)) {
            self.refs(config, path, Refs::of_expr(&l.expr));
        }
    }

    fn output(&mut self, config: &Config, path: &[String], name: String) {
        if !self.first_visit(path, "output", &name) {
            return;
        }
        if let Some(o) = node(config, path).and_then(|m| m.module.outputs.get(&name)) {
            self.refs(config, path, Refs::of_expr(&o.value));
        }
    }

    /// A module's input variable is the module call's argument, in the calling module.
    fn var(&mut self, config: &Config, path: &[String], name: String) {
        if !self.first_visit(path, "var", &name) {
            return;
        }
        let Some((call, parent)) = path.split_last() else {
            return;
        };
        if let Some(arg) = node(config, parent)
            .and_then(|m| m.module.module_calls.get(call))
            .and_then(|c| c.inputs.get(&name))
        {
            self.refs(config, parent, Refs::of_expr(&arg.expr));
        }
    }
}

/// The drift of `plan` that matters to it (all of it for a refresh-only plan), in order.
pub(crate) fn relevant_drift(config: &Config, plan: &Plan) -> Vec<bool> {
    if plan.mode == PlanMode::RefreshOnly {
        return vec![true; plan.drift.len()];
    }
    // The changed resources, by (module path, type, name).
    let changed: BTreeSet<(Vec<String>, &str, &str)> = plan
        .changes
        .iter()
        .filter(|c| c.action != Action::NoOp && c.addr.resource.mode == ResourceMode::Managed)
        .map(|c| key(&c.addr))
        .collect();
    let mut walk = Walk::default();
    for (path, type_name, name) in &changed {
        let Some(m) = node(config, path) else {
            continue;
        };
        for r in m
            .module
            .resources
            .values()
            .filter(|r| r.mode == Mode::Managed && r.type_name == *type_name && r.name == *name)
        {
            let mut refs = Refs::of_body(&r.body);
            for e in r.count.iter().chain(&r.for_each) {
                refs.refs.extend(Refs::of_expr(e).refs);
            }
            walk.refs(config, path, refs);
        }
    }
    plan.drift
        .iter()
        .map(|d| {
            let k = key(&d.addr);
            if changed.contains(&k) {
                return true;
            }
            let (path, type_name, name) = k;
            walk.found.iter().any(|(p, t, n, attr)| {
                *p == path
                    && t == type_name
                    && n == name
                    && match attr {
                        None => true,
                        Some(attr) => attribute_changed(d.before.as_ref(), d.after.as_ref(), attr),
                    }
            })
        })
        .collect()
}

/// A resource instance's configuration address: (module path by call names, type, name).
fn key(addr: &ResourceInstanceAddr) -> (Vec<String>, &str, &str) {
    (
        addr.resource.module.config_path(),
        &addr.resource.type_name,
        &addr.resource.name,
    )
}

fn attribute_changed(before: Option<&Value>, after: Option<&Value>, attr: &str) -> bool {
    let get = |v: Option<&Value>| v.and_then(|v| v.get_attr(attr)).cloned();
    // An object deleted outside: everything it had is gone.
    after.is_none() || get(before) != get(after)
}
