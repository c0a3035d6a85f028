//! Plan files (`plan -out FILE`, `apply FILE`): the whole [`Plan`] as a JSON document marked
//! `"format": "terrane-plan"`, `"format_version": 1`, written atomically.
//!
//! Values are written in a tagged form of their own so that everything round-trips exactly:
//! strings and bools as themselves; `{"number": "12.5"}` (exact decimal text), `{"list": [..]}`,
//! `{"set": [..]}`, `{"tuple": [..]}`, `{"map": {..}}`, `{"object": {..}}`, `{"null": TYPE}`,
//! `{"unknown": TYPE}` and `{"sensitive": VALUE}`. Types are written as cty writes them in JSON:
//! `"string"`, `["list", "string"]`, `["object", {"a": "number"}]`, `"dynamic"`.

use crate::{Action, ActionReason, OutputChange, Plan, PlanMode, ResourceChange};
use serde_json::{Map, Value as J, json};
use std::collections::BTreeMap;
use std::fmt;
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use terrane_types::{
    AttrPath, InstanceKey, ModuleInstance, ModuleStep, Number, PathStep, ResourceAddr,
    ResourceInstanceAddr, ResourceMode, Type, Value,
};

/// The `format` of a plan file.
pub const PLAN_FILE_FORMAT: &str = "terrane-plan";
/// The `format_version` written and the only one read.
pub const PLAN_FILE_VERSION: u64 = 1;

/// Why a plan file could not be read.
#[derive(Debug)]
pub enum PlanFileError {
    /// The file could not be opened or read.
    Io { path: PathBuf, source: io::Error },
    /// The file is not a terrane plan file at all.
    NotAPlanFile { path: PathBuf },
    /// A plan file of another format version.
    UnsupportedVersion { path: PathBuf, version: String },
    /// The file is cut short or its content is damaged.
    Corrupt { path: PathBuf, detail: String },
}

impl fmt::Display for PlanFileError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let named = |path: &PathBuf| {
            if path.as_os_str().is_empty() {
                String::new()
            } else {
                format!(" {}", path.display())
            }
        };
        match self {
            PlanFileError::Io { path, source } => {
                write!(f, "cannot read plan file{}: {source}", named(path))
            }
            PlanFileError::NotAPlanFile { path } if path.as_os_str().is_empty() => {
                f.write_str("this is not a terrane plan file")
            }
            PlanFileError::NotAPlanFile { path } => {
                write!(f, "{} is not a terrane plan file", path.display())
            }
            PlanFileError::UnsupportedVersion { path, version } => write!(
                f,
                "plan file{} has format version {version}, but this version of terrane reads only version {PLAN_FILE_VERSION}; create the plan again with this version of terrane",
                named(path)
            ),
            PlanFileError::Corrupt { path, detail } => {
                write!(f, "plan file{} is damaged: {detail}", named(path))
            }
        }
    }
}

impl std::error::Error for PlanFileError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            PlanFileError::Io { source, .. } => Some(source),
            _ => None,
        }
    }
}

impl Plan {
    /// Writes the plan to `path` atomically: to a temporary file beside it, then renamed over it.
    pub fn write_file(&self, path: impl AsRef<Path>) -> io::Result<()> {
        let path = path.as_ref();
        let mut bytes = serde_json::to_vec(&encode_plan(self)).map_err(io::Error::other)?;
        bytes.push(b'\n');
        let dir = match path.parent() {
            Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
            _ => PathBuf::from("."),
        };
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| "plan".into());
        let tmp = dir.join(format!(".{name}.{}.tmp", std::process::id()));
        let result = (|| {
            let mut file = std::fs::File::create(&tmp)?;
            file.write_all(&bytes)?;
            file.sync_all()?;
            drop(file);
            std::fs::rename(&tmp, path)
        })();
        if result.is_err() {
            let _ = std::fs::remove_file(&tmp);
        }
        result
    }

    /// Reads a plan written by [`Plan::write_file`].
    pub fn read_file(path: impl AsRef<Path>) -> Result<Plan, PlanFileError> {
        let path = path.as_ref();
        let bytes = std::fs::read(path).map_err(|source| PlanFileError::Io {
            path: path.to_path_buf(),
            source,
        })?;
        Plan::from_file_bytes(&bytes).map_err(|e| e.at(path))
    }

    /// Reads a plan file's content (see [`Plan::read_file`]).
    pub fn from_file_bytes(bytes: &[u8]) -> Result<Plan, PlanFileError> {
        let corrupt = |detail: String| PlanFileError::Corrupt {
            path: PathBuf::new(),
            detail,
        };
        let json: J = match serde_json::from_slice(bytes) {
            Ok(j) => j,
            Err(e) if e.is_eof() => {
                return Err(corrupt(format!(
                    "the file ends too early (it is truncated): {e}"
                )));
            }
            Err(_) if !bytes.trim_ascii_start().starts_with(b"{") => {
                return Err(PlanFileError::NotAPlanFile {
                    path: PathBuf::new(),
                });
            }
            Err(e) => return Err(corrupt(format!("it is not valid JSON: {e}"))),
        };
        if json.get("format").and_then(J::as_str) != Some(PLAN_FILE_FORMAT) {
            return Err(PlanFileError::NotAPlanFile {
                path: PathBuf::new(),
            });
        }
        match json.get("format_version") {
            Some(v) if v.as_u64() == Some(PLAN_FILE_VERSION) => {}
            Some(v) => {
                return Err(PlanFileError::UnsupportedVersion {
                    path: PathBuf::new(),
                    version: v.to_string(),
                });
            }
            None => return Err(corrupt("it has no format_version".into())),
        }
        decode_plan(&json).map_err(corrupt)
    }
}

impl PlanFileError {
    fn at(self, path: &Path) -> PlanFileError {
        let path = path.to_path_buf();
        match self {
            PlanFileError::Io { source, .. } => PlanFileError::Io { path, source },
            PlanFileError::NotAPlanFile { .. } => PlanFileError::NotAPlanFile { path },
            PlanFileError::UnsupportedVersion { version, .. } => {
                PlanFileError::UnsupportedVersion { path, version }
            }
            PlanFileError::Corrupt { detail, .. } => PlanFileError::Corrupt { path, detail },
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Encoding

fn encode_plan(plan: &Plan) -> J {
    let mode = match plan.mode {
        PlanMode::Normal => "normal",
        PlanMode::Destroy => "destroy",
        PlanMode::RefreshOnly => "refresh-only",
    };
    let variables: Map<String, J> = plan
        .variables
        .iter()
        .map(|(k, v)| (k.clone(), encode_value(v)))
        .collect();
    json!({
        "format": PLAN_FILE_FORMAT,
        "format_version": PLAN_FILE_VERSION,
        "mode": mode,
        "prior_lineage": plan.prior_lineage,
        "prior_serial": plan.prior_serial,
        "errored": plan.errored,
        "targets": plan.targets,
        "variables": variables,
        "changes": plan.changes.iter().map(encode_change).collect::<Vec<_>>(),
        "outputs": plan.outputs.iter().map(encode_output).collect::<Vec<_>>(),
        "drift": plan.drift.iter().map(encode_change).collect::<Vec<_>>(),
    })
}

fn encode_change(c: &ResourceChange) -> J {
    json!({
        "addr": encode_addr(&c.addr),
        "prev_addr": c.prev_addr.as_ref().map(encode_addr),
        "deposed": c.deposed,
        "provider": c.provider,
        "action": action_name(c.action),
        "reason": c.reason.map(reason_name),
        "before": c.before.as_ref().map(encode_value),
        "after": c.after.as_ref().map(encode_value),
        "replace_paths": c.replace_paths.iter().map(encode_path).collect::<Vec<_>>(),
        "importing": c.importing,
        "notes": c.notes,
    })
}

fn encode_output(o: &OutputChange) -> J {
    json!({
        "name": o.name,
        "action": action_name(o.action),
        "before": o.before.as_ref().map(encode_value),
        "after": o.after.as_ref().map(encode_value),
        "sensitive": o.sensitive,
    })
}

fn encode_addr(a: &ResourceInstanceAddr) -> J {
    let module: Vec<J> = a
        .resource
        .module
        .0
        .iter()
        .map(|s| json!({ "name": s.name, "key": s.key.as_ref().map(encode_key) }))
        .collect();
    json!({
        "module": module,
        "mode": match a.resource.mode { ResourceMode::Managed => "managed", ResourceMode::Data => "data" },
        "type": a.resource.type_name,
        "name": a.resource.name,
        "key": a.key.as_ref().map(encode_key),
    })
}

fn encode_key(k: &InstanceKey) -> J {
    match k {
        InstanceKey::Int(i) => json!(i),
        InstanceKey::Str(s) => json!(s),
    }
}

fn encode_path(p: &AttrPath) -> J {
    J::Array(
        p.0.iter()
            .map(|s| match s {
                PathStep::Attr(a) => json!({ "attr": a }),
                PathStep::Index(i) => json!({ "index": i }),
                PathStep::Key(k) => json!({ "key": k }),
            })
            .collect(),
    )
}

fn tagged(tag: &str, content: J) -> J {
    let mut m = Map::new();
    m.insert(tag.into(), content);
    J::Object(m)
}

pub(crate) fn encode_value(v: &Value) -> J {
    match v {
        Value::Null(t) => tagged("null", encode_type(t)),
        Value::Unknown(t) => tagged("unknown", encode_type(t)),
        Value::Bool(b) => J::Bool(*b),
        Value::Number(n) => tagged("number", J::String(n.to_string())),
        Value::String(s) => J::String(s.clone()),
        Value::List(items) => tagged("list", items.iter().map(encode_value).collect()),
        Value::Set(items) => tagged("set", items.iter().map(encode_value).collect()),
        Value::Tuple(items) => tagged("tuple", items.iter().map(encode_value).collect()),
        Value::Map(items) => tagged("map", encode_entries(items)),
        Value::Object(items) => tagged("object", encode_entries(items)),
        Value::Sensitive(inner) => tagged("sensitive", encode_value(inner)),
    }
}

fn encode_entries(items: &BTreeMap<String, Value>) -> J {
    J::Object(
        items
            .iter()
            .map(|(k, v)| (k.clone(), encode_value(v)))
            .collect(),
    )
}

pub(crate) fn encode_type(t: &Type) -> J {
    match t {
        Type::Dynamic => json!("dynamic"),
        Type::String => json!("string"),
        Type::Number => json!("number"),
        Type::Bool => json!("bool"),
        Type::List(e) => json!(["list", encode_type(e)]),
        Type::Set(e) => json!(["set", encode_type(e)]),
        Type::Map(e) => json!(["map", encode_type(e)]),
        Type::Tuple(es) => json!(["tuple", es.iter().map(encode_type).collect::<Vec<_>>()]),
        Type::Object(attrs) => {
            let attrs: Map<String, J> = attrs
                .iter()
                .map(|(k, t)| (k.clone(), encode_type(t)))
                .collect();
            json!(["object", attrs])
        }
    }
}

const ACTIONS: [(Action, &str); 7] = [
    (Action::NoOp, "no-op"),
    (Action::Create, "create"),
    (Action::Read, "read"),
    (Action::Update, "update"),
    (Action::DeleteThenCreate, "delete-then-create"),
    (Action::CreateThenDelete, "create-then-delete"),
    (Action::Delete, "delete"),
];

fn action_name(a: Action) -> &'static str {
    ACTIONS
        .iter()
        .find(|(x, _)| *x == a)
        .map_or("no-op", |(_, n)| n)
}

const REASONS: [ActionReason; 11] = [
    ActionReason::ReplaceBecauseCannotUpdate,
    ActionReason::ReplaceByRequest,
    ActionReason::ReplaceByTriggers,
    ActionReason::ReplaceBecauseTainted,
    ActionReason::DeleteBecauseNoResourceConfig,
    ActionReason::DeleteBecauseCountIndex,
    ActionReason::DeleteBecauseEachKey,
    ActionReason::DeleteBecauseNoModule,
    ActionReason::DeleteBecauseWrongRepetition,
    ActionReason::ReadBecauseConfigUnknown,
    ActionReason::ReadBecauseDependencyPending,
];

fn reason_name(r: ActionReason) -> &'static str {
    crate::json::action_reason_string(r)
}

// ---------------------------------------------------------------------------------------------
// Decoding: every error names where in the document it is.

type Res<T> = std::result::Result<T, String>;

fn field<'a>(obj: &'a J, name: &str, at: &str) -> Res<&'a J> {
    obj.get(name)
        .ok_or_else(|| format!("{at}: missing \"{name}\""))
}

fn string(j: &J, at: &str) -> Res<String> {
    j.as_str()
        .map(str::to_owned)
        .ok_or_else(|| format!("{at}: expected a string, found {}", short(j)))
}

fn opt_string(j: &J, at: &str) -> Res<Option<String>> {
    if j.is_null() {
        Ok(None)
    } else {
        string(j, at).map(Some)
    }
}

fn array<'a>(j: &'a J, at: &str) -> Res<&'a Vec<J>> {
    j.as_array()
        .ok_or_else(|| format!("{at}: expected an array, found {}", short(j)))
}

fn object<'a>(j: &'a J, at: &str) -> Res<&'a Map<String, J>> {
    j.as_object()
        .ok_or_else(|| format!("{at}: expected an object, found {}", short(j)))
}

/// A value in an error message, cut short.
fn short(j: &J) -> String {
    let s = j.to_string();
    if s.chars().count() > 40 {
        format!("{}…", s.chars().take(40).collect::<String>())
    } else {
        s
    }
}

fn decode_plan(j: &J) -> Res<Plan> {
    let mode = match string(field(j, "mode", "plan")?, "mode")?.as_str() {
        "normal" => PlanMode::Normal,
        "destroy" => PlanMode::Destroy,
        "refresh-only" => PlanMode::RefreshOnly,
        other => return Err(format!("mode: unknown plan mode {other:?}")),
    };
    let list = |name: &str, f: fn(&J, &str) -> Res<ResourceChange>| -> Res<Vec<_>> {
        array(field(j, name, "plan")?, name)?
            .iter()
            .enumerate()
            .map(|(i, c)| f(c, &format!("{name}[{i}]")))
            .collect()
    };
    let variables = object(field(j, "variables", "plan")?, "variables")?
        .iter()
        .map(|(k, v)| Ok((k.clone(), decode_value(v, &format!("variables.{k}"))?)))
        .collect::<Res<_>>()?;
    let targets = array(field(j, "targets", "plan")?, "targets")?
        .iter()
        .enumerate()
        .map(|(i, t)| string(t, &format!("targets[{i}]")))
        .collect::<Res<_>>()?;
    let outputs = array(field(j, "outputs", "plan")?, "outputs")?
        .iter()
        .enumerate()
        .map(|(i, o)| decode_output(o, &format!("outputs[{i}]")))
        .collect::<Res<_>>()?;
    let serial = field(j, "prior_serial", "plan")?;
    Ok(Plan {
        mode,
        changes: list("changes", decode_change)?,
        outputs,
        drift: list("drift", decode_change)?,
        variables,
        targets,
        prior_lineage: string(field(j, "prior_lineage", "plan")?, "prior_lineage")?,
        prior_serial: serial
            .as_u64()
            .ok_or_else(|| format!("prior_serial: expected a number, found {}", short(serial)))?,
        errored: field(j, "errored", "plan")?
            .as_bool()
            .ok_or("errored: expected true or false")?,
    })
}

fn decode_opt_value(j: &J, at: &str) -> Res<Option<Value>> {
    if j.is_null() {
        Ok(None)
    } else {
        decode_value(j, at).map(Some)
    }
}

fn decode_change(j: &J, at: &str) -> Res<ResourceChange> {
    let f = |name: &str| field(j, name, at);
    let sub = |name: &str| format!("{at}.{name}");
    let prev = f("prev_addr")?;
    Ok(ResourceChange {
        addr: decode_addr(f("addr")?, &sub("addr"))?,
        prev_addr: if prev.is_null() {
            None
        } else {
            Some(decode_addr(prev, &sub("prev_addr"))?)
        },
        deposed: opt_string(f("deposed")?, &sub("deposed"))?,
        provider: string(f("provider")?, &sub("provider"))?,
        action: decode_action(f("action")?, &sub("action"))?,
        reason: match opt_string(f("reason")?, &sub("reason"))? {
            None => None,
            Some(name) => Some(
                REASONS
                    .into_iter()
                    .find(|r| reason_name(*r) == name)
                    .ok_or_else(|| format!("{at}.reason: unknown reason {name:?}"))?,
            ),
        },
        before: decode_opt_value(f("before")?, &sub("before"))?,
        after: decode_opt_value(f("after")?, &sub("after"))?,
        replace_paths: array(f("replace_paths")?, &sub("replace_paths"))?
            .iter()
            .enumerate()
            .map(|(i, p)| decode_path(p, &format!("{at}.replace_paths[{i}]")))
            .collect::<Res<_>>()?,
        importing: opt_string(f("importing")?, &sub("importing"))?,
        // Plan files written before notes existed have none.
        notes: match j.get("notes") {
            None | Some(J::Null) => Vec::new(),
            Some(n) => array(n, &sub("notes"))?
                .iter()
                .enumerate()
                .map(|(i, s)| string(s, &format!("{at}.notes[{i}]")))
                .collect::<Res<_>>()?,
        },
    })
}

fn decode_output(j: &J, at: &str) -> Res<OutputChange> {
    let f = |name: &str| field(j, name, at);
    let sub = |name: &str| format!("{at}.{name}");
    Ok(OutputChange {
        name: string(f("name")?, &sub("name"))?,
        action: decode_action(f("action")?, &sub("action"))?,
        before: decode_opt_value(f("before")?, &sub("before"))?,
        after: decode_opt_value(f("after")?, &sub("after"))?,
        sensitive: f("sensitive")?
            .as_bool()
            .ok_or_else(|| format!("{at}.sensitive: expected true or false"))?,
    })
}

fn decode_action(j: &J, at: &str) -> Res<Action> {
    let name = string(j, at)?;
    ACTIONS
        .iter()
        .find(|(_, n)| *n == name)
        .map(|(a, _)| *a)
        .ok_or_else(|| format!("{at}: unknown action {name:?}"))
}

fn decode_addr(j: &J, at: &str) -> Res<ResourceInstanceAddr> {
    let f = |name: &str| field(j, name, at);
    let module = array(f("module")?, &format!("{at}.module"))?
        .iter()
        .enumerate()
        .map(|(i, step)| {
            let at = format!("{at}.module[{i}]");
            Ok(ModuleStep {
                name: string(field(step, "name", &at)?, &at)?,
                key: decode_key(field(step, "key", &at)?, &at)?,
            })
        })
        .collect::<Res<_>>()?;
    let mode = match string(f("mode")?, at)?.as_str() {
        "managed" => ResourceMode::Managed,
        "data" => ResourceMode::Data,
        other => return Err(format!("{at}.mode: unknown resource mode {other:?}")),
    };
    let resource = ResourceAddr {
        module: ModuleInstance(module),
        mode,
        type_name: string(f("type")?, &format!("{at}.type"))?,
        name: string(f("name")?, &format!("{at}.name"))?,
    };
    Ok(resource.instance(decode_key(f("key")?, at)?))
}

fn decode_key(j: &J, at: &str) -> Res<Option<InstanceKey>> {
    Ok(match j {
        J::Null => None,
        J::String(s) => Some(InstanceKey::Str(s.clone())),
        J::Number(n) => {
            Some(InstanceKey::Int(n.as_i64().ok_or_else(|| {
                format!("{at}: instance key {n} is not an integer")
            })?))
        }
        other => return Err(format!("{at}: invalid instance key {}", short(other))),
    })
}

fn decode_path(j: &J, at: &str) -> Res<AttrPath> {
    let steps = array(j, at)?
        .iter()
        .map(|step| {
            let (tag, content) = single_entry(step, at)?;
            Ok(match tag {
                "attr" => PathStep::Attr(string(content, at)?),
                "key" => PathStep::Key(string(content, at)?),
                "index" => PathStep::Index(
                    content
                        .as_u64()
                        .and_then(|i| usize::try_from(i).ok())
                        .ok_or_else(|| format!("{at}: invalid index {}", short(content)))?,
                ),
                other => return Err(format!("{at}: unknown path step {other:?}")),
            })
        })
        .collect::<Res<_>>()?;
    Ok(AttrPath(steps))
}

/// The one `"tag": content` entry of a tagged object.
fn single_entry<'a>(j: &'a J, at: &str) -> Res<(&'a str, &'a J)> {
    let map = object(j, at)?;
    let mut entries = map.iter();
    match (entries.next(), entries.next()) {
        (Some((k, v)), None) => Ok((k.as_str(), v)),
        _ => Err(format!(
            "{at}: expected one tagged entry, found {}",
            short(j)
        )),
    }
}

pub(crate) fn decode_value(j: &J, at: &str) -> Res<Value> {
    match j {
        J::Bool(b) => return Ok(Value::Bool(*b)),
        J::String(s) => return Ok(Value::String(s.clone())),
        J::Object(_) => {}
        other => return Err(format!("{at}: invalid value {}", short(other))),
    }
    let (tag, content) = single_entry(j, at)?;
    let items = |content: &J| -> Res<Vec<Value>> {
        array(content, at)?
            .iter()
            .enumerate()
            .map(|(i, v)| decode_value(v, &format!("{at}[{i}]")))
            .collect()
    };
    let entries = |content: &J| -> Res<BTreeMap<String, Value>> {
        object(content, at)?
            .iter()
            .map(|(k, v)| Ok((k.clone(), decode_value(v, &format!("{at}[{k:?}]"))?)))
            .collect()
    };
    Ok(match tag {
        "null" => Value::Null(decode_type(content, at)?),
        "unknown" => Value::Unknown(decode_type(content, at)?),
        "number" => {
            let text = string(content, at)?;
            Value::Number(
                Number::parse(&text).ok_or_else(|| format!("{at}: invalid number {text:?}"))?,
            )
        }
        "list" => Value::List(items(content)?),
        "set" => Value::Set(items(content)?),
        "tuple" => Value::Tuple(items(content)?),
        "map" => Value::Map(entries(content)?),
        "object" => Value::Object(entries(content)?),
        "sensitive" => Value::Sensitive(Box::new(decode_value(content, at)?)),
        other => return Err(format!("{at}: unknown value tag {other:?}")),
    })
}

pub(crate) fn decode_type(j: &J, at: &str) -> Res<Type> {
    let bad = || format!("{at}: invalid type {}", short(j));
    match j {
        J::String(s) => match s.as_str() {
            "dynamic" => Ok(Type::Dynamic),
            "string" => Ok(Type::String),
            "number" => Ok(Type::Number),
            "bool" => Ok(Type::Bool),
            _ => Err(bad()),
        },
        J::Array(parts) if parts.len() == 2 => {
            let inner = &parts[1];
            match parts[0].as_str().ok_or_else(bad)? {
                "list" => Ok(Type::list(decode_type(inner, at)?)),
                "set" => Ok(Type::set(decode_type(inner, at)?)),
                "map" => Ok(Type::map(decode_type(inner, at)?)),
                "tuple" => Ok(Type::Tuple(
                    array(inner, at)?
                        .iter()
                        .map(|t| decode_type(t, at))
                        .collect::<Res<_>>()?,
                )),
                "object" => Ok(Type::Object(
                    object(inner, at)?
                        .iter()
                        .map(|(k, t)| Ok((k.clone(), decode_type(t, at)?)))
                        .collect::<Res<_>>()?,
                )),
                _ => Err(bad()),
            }
        }
        _ => Err(bad()),
    }
}

#[cfg(test)]
#[path = "file_tests.rs"]
mod tests;
