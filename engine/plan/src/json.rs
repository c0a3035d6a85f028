//! The plan in Terraform's machine-readable JSON format (`terraform show -json PLANFILE`,
//! format version 1.2): resource and output changes with their before/after values, mirrors
//! saying which parts are unknown or sensitive, replace paths and action reasons.
//!
//! Values are written as plain JSON: unknowns are left out (object attributes omitted, list
//! elements null) and `after_unknown` says where they were; sensitive values are written in
//! clear, as Terraform does, with `before_sensitive`/`after_sensitive` saying which they are.

use crate::{Action, ActionReason, OutputChange, Plan, PlanMode, ResourceChange};
use serde_json::{Map, Value as J, json};
use terrane_types::{InstanceKey, PathStep, ResourceMode, Type, Value};

/// The JSON plan format version written.
pub const JSON_FORMAT_VERSION: &str = "1.2";

/// The plan as `terraform show -json` prints it. `terraform_version` is the version reported
/// as `terraform_version` (terrane's own, or the Terraform version it is compatible with).
pub fn plan_to_json(plan: &Plan, terraform_version: &str) -> J {
    let mut root = Map::new();
    root.insert("format_version".into(), json!(JSON_FORMAT_VERSION));
    root.insert("terraform_version".into(), json!(terraform_version));
    if !plan.variables.is_empty() {
        let vars: Map<String, J> = plan
            .variables
            .iter()
            .map(|(k, v)| (k.clone(), json!({ "value": plain(v).unwrap_or(J::Null) })))
            .collect();
        root.insert("variables".into(), J::Object(vars));
    }
    let drift: Vec<J> = plan
        .drift
        .iter()
        .filter(|c| plan.mode == PlanMode::RefreshOnly || c.action != Action::NoOp)
        .filter_map(resource_change)
        .collect();
    if !drift.is_empty() {
        root.insert("resource_drift".into(), J::Array(drift));
    }
    let changes: Vec<J> = plan.changes.iter().filter_map(resource_change).collect();
    if !changes.is_empty() {
        root.insert("resource_changes".into(), J::Array(changes));
    }
    if !plan.outputs.is_empty() {
        let mut outputs: Vec<&OutputChange> = plan.outputs.iter().collect();
        outputs.sort_by(|a, b| a.name.cmp(&b.name));
        let outputs: Map<String, J> = outputs
            .into_iter()
            .map(|o| (o.name.clone(), output_change(o)))
            .collect();
        root.insert("output_changes".into(), J::Object(outputs));
    }
    let applyable = !plan.errored
        && (plan.has_changes() || (plan.mode == PlanMode::RefreshOnly && !plan.drift.is_empty()));
    root.insert("applyable".into(), json!(applyable));
    root.insert("complete".into(), json!(true));
    root.insert("errored".into(), json!(plan.errored));
    J::Object(root)
}

/// `["create"]`, `["delete", "create"]`, ...
pub fn action_strings(action: Action) -> Vec<&'static str> {
    match action {
        Action::NoOp => vec!["no-op"],
        Action::Create => vec!["create"],
        Action::Read => vec!["read"],
        Action::Update => vec!["update"],
        Action::DeleteThenCreate => vec!["delete", "create"],
        Action::CreateThenDelete => vec!["create", "delete"],
        Action::Delete => vec!["delete"],
    }
}

/// The `action_reason` string.
pub fn action_reason_string(reason: ActionReason) -> &'static str {
    match reason {
        ActionReason::ReplaceBecauseCannotUpdate => "replace_because_cannot_update",
        ActionReason::ReplaceByRequest => "replace_by_request",
        ActionReason::ReplaceByTriggers => "replace_by_triggers",
        ActionReason::ReplaceBecauseTainted => "replace_because_tainted",
        ActionReason::DeleteBecauseNoResourceConfig => "delete_because_no_resource_config",
        ActionReason::DeleteBecauseCountIndex => "delete_because_count_index",
        ActionReason::DeleteBecauseEachKey => "delete_because_each_key",
        ActionReason::DeleteBecauseNoModule => "delete_because_no_module",
        ActionReason::DeleteBecauseWrongRepetition => "delete_because_wrong_repetition",
        ActionReason::ReadBecauseConfigUnknown => "read_because_config_unknown",
        ActionReason::ReadBecauseDependencyPending => "read_because_dependency_pending",
    }
}

/// `registry.terraform.io/hashicorp/random` from `module.x.provider["registry.terraform.io/hashicorp/random"].alias`.
pub fn provider_source(provider: &str) -> &str {
    provider
        .split_once("provider[\"")
        .and_then(|(_, rest)| rest.split_once("\"]"))
        .map_or(provider, |(source, _)| source)
}

fn resource_change(c: &ResourceChange) -> Option<J> {
    let addr = &c.addr;
    let resource = &addr.resource;
    if resource.mode == ResourceMode::Data && c.action == Action::Delete {
        return None;
    }
    let mut r = Map::new();
    r.insert("address".into(), json!(addr.to_string()));
    if let Some(prev) = c.prev_addr.as_ref().filter(|p| *p != addr) {
        r.insert("previous_address".into(), json!(prev.to_string()));
    }
    if !resource.module.is_root() {
        r.insert("module_address".into(), json!(resource.module.to_string()));
    }
    let mode = match resource.mode {
        ResourceMode::Managed => "managed",
        ResourceMode::Data => "data",
    };
    r.insert("mode".into(), json!(mode));
    r.insert("type".into(), json!(resource.type_name));
    r.insert("name".into(), json!(resource.name));
    if let Some(key) = &addr.key {
        r.insert("index".into(), instance_key(key));
    }
    r.insert("provider_name".into(), json!(provider_source(&c.provider)));
    if let Some(deposed) = &c.deposed {
        r.insert("deposed".into(), json!(deposed));
    }
    r.insert("change".into(), change(c));
    if let Some(reason) = c.reason {
        r.insert("action_reason".into(), json!(action_reason_string(reason)));
    }
    Some(J::Object(r))
}

fn instance_key(key: &InstanceKey) -> J {
    match key {
        InstanceKey::Int(i) => json!(i),
        InstanceKey::Str(s) => json!(s),
    }
}

fn change(c: &ResourceChange) -> J {
    let mut m = Map::new();
    m.insert("actions".into(), json!(action_strings(c.action)));
    let before = c.before.as_ref();
    m.insert("before".into(), before.and_then(plain).unwrap_or(J::Null));
    let after = c.after.as_ref();
    let after_plain = after.map_or(Some(J::Null), plain);
    if let Some(a) = after_plain {
        m.insert("after".into(), a);
    }
    let after_unknown = match after {
        Some(v) if !v.is_wholly_known() => unknown_as_bool(v),
        _ => json!({}),
    };
    m.insert("after_unknown".into(), after_unknown);
    m.insert(
        "before_sensitive".into(),
        before.map_or(json!(false), sensitive_as_bool),
    );
    m.insert(
        "after_sensitive".into(),
        after.map_or(json!(false), sensitive_as_bool),
    );
    if !c.replace_paths.is_empty() {
        let paths: Vec<J> = c
            .replace_paths
            .iter()
            .map(|p| {
                J::Array(
                    p.0.iter()
                        .map(|s| match s {
                            PathStep::Attr(a) | PathStep::Key(a) => json!(a),
                            PathStep::Index(i) => json!(i),
                        })
                        .collect(),
                )
            })
            .collect();
        m.insert("replace_paths".into(), J::Array(paths));
    }
    if let Some(id) = &c.importing {
        m.insert("importing".into(), json!({ "id": id }));
    }
    J::Object(m)
}

fn output_change(o: &OutputChange) -> J {
    let mut m = Map::new();
    m.insert("actions".into(), json!(action_strings(o.action)));
    m.insert(
        "before".into(),
        o.before.as_ref().and_then(plain).unwrap_or(J::Null),
    );
    let after = o.after.as_ref();
    if let Some(a) = after.map_or(Some(J::Null), plain) {
        m.insert("after".into(), a);
    }
    let after_unknown = match after {
        Some(v) if !v.is_wholly_known() => unknown_as_bool(v),
        _ => json!(false),
    };
    m.insert("after_unknown".into(), after_unknown);
    let sensitive = |v: Option<&Value>| {
        if o.sensitive {
            json!(true)
        } else {
            v.map_or(json!(false), sensitive_as_bool)
        }
    };
    m.insert("before_sensitive".into(), sensitive(o.before.as_ref()));
    m.insert("after_sensitive".into(), sensitive(after));
    J::Object(m)
}

/// The value as plain JSON with marks dropped and unknowns left out (object attributes omitted,
/// sequence elements null); `None` when the value itself is unknown.
pub(crate) fn plain(v: &Value) -> Option<J> {
    Some(match v.unmarked() {
        Value::Unknown(_) => return None,
        Value::List(items) | Value::Set(items) | Value::Tuple(items) => {
            J::Array(items.iter().map(|i| plain(i).unwrap_or(J::Null)).collect())
        }
        Value::Map(items) | Value::Object(items) => J::Object(
            items
                .iter()
                .filter_map(|(k, v)| Some((k.clone(), plain(v)?)))
                .collect(),
        ),
        leaf => leaf.to_json().unwrap_or(J::Null),
    })
}

/// Terraform's `unknownAsBool`: `true` where unknown; objects keep only their `true` parts.
pub(crate) fn unknown_as_bool(v: &Value) -> J {
    match v.unmarked() {
        Value::Null(_) => json!(false),
        Value::Unknown(_) => json!(true),
        Value::List(items) | Value::Set(items) | Value::Tuple(items) => {
            J::Array(items.iter().map(unknown_as_bool).collect())
        }
        Value::Map(items) | Value::Object(items) => J::Object(
            items
                .iter()
                .map(|(k, v)| (k.clone(), unknown_as_bool(v)))
                .filter(|(_, b)| *b != json!(false))
                .collect(),
        ),
        _ => json!(false),
    }
}

/// Terraform's `SensitiveAsBool`: `true` where sensitive; objects keep only their `true` parts.
pub(crate) fn sensitive_as_bool(v: &Value) -> J {
    match v {
        Value::Sensitive(_) => json!(true),
        Value::List(items) | Value::Set(items) | Value::Tuple(items) => {
            J::Array(items.iter().map(sensitive_as_bool).collect())
        }
        Value::Map(items) | Value::Object(items) => J::Object(
            items
                .iter()
                .map(|(k, v)| (k.clone(), sensitive_as_bool(v)))
                .filter(|(_, b)| *b != json!(false))
                .collect(),
        ),
        Value::Unknown(t) if t.is_collection() || matches!(t, Type::Tuple(_)) => {
            if matches!(t, Type::Map(_)) {
                json!({})
            } else {
                json!([])
            }
        }
        Value::Unknown(Type::Object(_)) => json!({}),
        _ => json!(false),
    }
}

#[cfg(test)]
#[path = "json_tests.rs"]
mod tests;
