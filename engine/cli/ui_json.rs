//! Terraform's machine-readable UI (`plan -json`, `apply -json`): one JSON object per line,
//! each with `@level`, `@message`, `@module`, `@timestamp` and a `type`.

use crate::output::emitln;
use serde_json::{Value as J, json};
use terrane_plan::{Action, Plan, ResourceChange};
use terrane_types::{Diagnostic, ResourceInstanceAddr, SourceMap};

fn timestamp() -> String {
    time::OffsetDateTime::now_utc()
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default()
}

/// Prints one event.
pub fn event(kind: &str, level: &str, message: &str, mut fields: serde_json::Map<String, J>) {
    fields.insert("@level".into(), json!(level));
    fields.insert("@message".into(), json!(message));
    fields.insert("@module".into(), json!("terrane.ui"));
    fields.insert("@timestamp".into(), json!(timestamp()));
    fields.insert("type".into(), json!(kind));
    emitln(&J::Object(fields).to_string());
}

fn map(v: J) -> serde_json::Map<String, J> {
    match v {
        J::Object(m) => m,
        _ => serde_json::Map::new(),
    }
}

pub fn version() {
    event(
        "version",
        "info",
        &format!("terrane {}", env!("CARGO_PKG_VERSION")),
        map(json!({
            "terraform": terrane_core::TERRAFORM_COMPAT_VERSION,
            "terrane": env!("CARGO_PKG_VERSION"),
            "ui": "1.2",
        })),
    );
}

/// The `resource` object Terraform's events describe an instance with.
pub fn resource(addr: &ResourceInstanceAddr) -> J {
    let r = &addr.resource;
    let key = match &addr.key {
        Some(terrane_types::InstanceKey::Int(i)) => json!(i),
        Some(terrane_types::InstanceKey::Str(s)) => json!(s),
        None => J::Null,
    };
    json!({
        "addr": addr.to_string(),
        "module": r.module.to_string(),
        "resource": format!(
            "{}{}.{}{}",
            if r.mode == terrane_types::ResourceMode::Data { "data." } else { "" },
            r.type_name,
            r.name,
            addr.key.as_ref().map(|k| k.to_string()).unwrap_or_default()
        ),
        "implied_provider": r.type_name.split('_').next().unwrap_or(""),
        "resource_type": r.type_name,
        "resource_name": r.name,
        "resource_key": key,
    })
}

pub fn action_name(a: Action) -> &'static str {
    match a {
        Action::NoOp => "noop",
        Action::Create => "create",
        Action::Read => "read",
        Action::Update => "update",
        Action::DeleteThenCreate | Action::CreateThenDelete => "replace",
        Action::Delete => "delete",
    }
}

fn verb(a: Action) -> &'static str {
    match a {
        Action::Create => "Plan to create",
        Action::Read => "Plan to read",
        Action::Update => "Plan to update",
        Action::DeleteThenCreate | Action::CreateThenDelete => "Plan to replace",
        Action::Delete => "Plan to delete",
        Action::NoOp => "No changes",
    }
}

/// `planned_change` events, then the `change_summary` of the plan.
pub fn plan(plan: &Plan) {
    for c in plan.changes.iter().filter(|c| c.action != Action::NoOp) {
        planned_change(c);
    }
    let (add, change, remove) = plan.counts();
    let imports = plan
        .changes
        .iter()
        .filter(|c| c.importing.is_some())
        .count();
    summary("plan", add, change, remove, imports);
}

fn planned_change(c: &ResourceChange) {
    let mut change = map(json!({
        "resource": resource(&c.addr),
        "action": action_name(c.action),
    }));
    if let Some(prev) = &c.prev_addr {
        change.insert("previous_resource".into(), resource(prev));
    }
    if let Some(reason) = c.reason {
        change.insert("reason".into(), json!(format!("{reason:?}")));
    }
    event(
        "planned_change",
        "info",
        &format!("{}: {}", c.addr, verb(c.action)),
        map(json!({ "change": J::Object(change) })),
    );
}

pub fn summary(operation: &str, add: usize, change: usize, remove: usize, imports: usize) {
    let message = match operation {
        "apply" => {
            format!("Apply complete! Resources: {add} added, {change} changed, {remove} destroyed.")
        }
        "destroy" => format!("Destroy complete! Resources: {remove} destroyed."),
        _ => format!("Plan: {add} to add, {change} to change, {remove} to destroy."),
    };
    event(
        "change_summary",
        "info",
        &message,
        map(json!({ "changes": {
            "add": add, "change": change, "import": imports, "remove": remove,
            "operation": operation,
        }})),
    );
}

/// The root outputs, values hidden when sensitive.
pub fn outputs(plan: &Plan) {
    let mut out = serde_json::Map::new();
    for o in plan.outputs.iter().filter(|o| o.action != Action::Delete) {
        let sensitive = o.sensitive || o.after.as_ref().is_some_and(|v| v.contains_sensitive());
        let mut entry = map(json!({ "sensitive": sensitive, "action": action_name(o.action) }));
        if !sensitive
            && let Some(v) = o
                .after
                .as_ref()
                .and_then(|v| v.clone().unmark_deep().0.to_json())
        {
            entry.insert("value".into(), v);
        }
        out.insert(o.name.clone(), J::Object(entry));
    }
    event(
        "outputs",
        "info",
        "Outputs: ",
        map(json!({ "outputs": J::Object(out) })),
    );
}

/// Every diagnostic as a `diagnostic` event (Terraform's diagnostic JSON inside).
pub fn diagnostics(diags: &terrane_types::Diagnostics, sources: &SourceMap) {
    for d in diags {
        diagnostic(d, sources);
    }
}

pub fn diagnostic(d: &Diagnostic, sources: &SourceMap) {
    let level = if d.is_error() { "error" } else { "warn" };
    event(
        "diagnostic",
        level,
        &format!(
            "{}: {}",
            if d.is_error() { "Error" } else { "Warning" },
            d.summary
        ),
        map(json!({ "diagnostic": crate::diagnostics::to_json(d, sources) })),
    );
}
