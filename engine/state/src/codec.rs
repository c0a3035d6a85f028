//! The state v4 JSON format, read and written in Terraform's exact layout: Go's
//! `json.MarshalIndent` with two spaces, Go's escaping of `<`, `>`, `&`, U+2028 and U+2029,
//! fields in the order of Terraform's `stateV4` structs, and a trailing newline. Unknown fields
//! are kept and written after the known ones.

use crate::StateError;
use crate::addr::{format_module, mode_str, parse_mode, parse_module};
use crate::model::{FORMAT_VERSION, InstanceState, OutputState, ResourceState, State};
use serde::ser::{SerializeMap, SerializeSeq};
use serde::{Serialize, Serializer};
use serde_json::ser::{Formatter, PrettyFormatter};
use serde_json::{Map, Value};
use std::collections::BTreeMap;
use std::io;
use terrane_types::{InstanceKey, ResourceAddr};

impl State {
    /// Reads a state file's content. Only format version 4 is read: older versions must be
    /// upgraded by Terraform first, newer ones come from a newer tool.
    pub fn from_json(bytes: &[u8]) -> Result<State, StateError> {
        let doc: Value = serde_json::from_slice(bytes).map_err(|e| StateError::Syntax {
            path: None,
            line: e.line(),
            column: e.column(),
            message: e.to_string(),
        })?;
        let Value::Object(top) = doc else {
            return Err(invalid(
                "the content is not a JSON object, so not a Terraform state",
            ));
        };
        let version = match top.get("version") {
            None => {
                return Err(invalid(
                    "there is no \"version\" field, so this is not a Terraform state file",
                ));
            }
            Some(v) => v
                .as_u64()
                .ok_or_else(|| invalid("\"version\" must be a whole number"))?,
        };
        if version < FORMAT_VERSION {
            return Err(StateError::FormatTooOld {
                path: None,
                version,
            });
        }
        if version > FORMAT_VERSION {
            return Err(StateError::FormatTooNew {
                path: None,
                version,
            });
        }
        let mut state = State::new(String::new());
        for (key, value) in top {
            match key.as_str() {
                "version" => {}
                "terraform_version" => {
                    state.terraform_version = string(value, "terraform_version")?
                }
                "serial" => state.serial = whole(&value, "serial")?,
                "lineage" => state.lineage = string(value, "lineage")?,
                "outputs" => state.outputs = decode_outputs(value)?,
                "resources" => {
                    for (i, r) in array(value, "resources")?.into_iter().enumerate() {
                        decode_resource(&mut state, r)
                            .map_err(|m| invalid(&format!("resources[{i}]: {m}")))?;
                    }
                }
                "check_results" => state.check_results = value,
                _ => {
                    state.extra.insert(key, value);
                }
            }
        }
        Ok(state)
    }

    /// The state in Terraform's exact layout, with a trailing newline.
    pub fn to_json(&self) -> Vec<u8> {
        // Serializing to memory cannot fail: every map key is a string and no `Serialize`
        // implementation here returns an error.
        self.try_to_json()
            .unwrap_or_else(|e| unreachable!("serializing a state to memory failed: {e}"))
    }

    pub(crate) fn try_to_json(&self) -> Result<Vec<u8>, serde_json::Error> {
        let mut out = Vec::new();
        let mut ser = serde_json::Serializer::with_formatter(&mut out, GoFormatter::new());
        StateDoc(self).serialize(&mut ser)?;
        out.push(b'\n');
        Ok(out)
    }
}

fn invalid(message: &str) -> StateError {
    StateError::Invalid {
        path: None,
        message: message.to_owned(),
    }
}

fn string(v: Value, what: &str) -> Result<String, String> {
    match v {
        Value::String(s) => Ok(s),
        Value::Null => Ok(String::new()),
        _ => Err(format!("{what} must be a string")),
    }
}

fn opt_string(v: Value, what: &str) -> Result<Option<String>, String> {
    string(v, what).map(|s| (!s.is_empty()).then_some(s))
}

fn whole(v: &Value, what: &str) -> Result<u64, String> {
    match v {
        Value::Null => Ok(0),
        _ => v
            .as_u64()
            .ok_or_else(|| format!("{what} must be a whole number, not {v}")),
    }
}

fn array(v: Value, what: &str) -> Result<Vec<Value>, String> {
    match v {
        Value::Array(items) => Ok(items),
        Value::Null => Ok(Vec::new()),
        _ => Err(format!("{what} must be a list")),
    }
}

fn object(v: Value, what: &str) -> Result<Map<String, Value>, String> {
    match v {
        Value::Object(m) => Ok(m),
        Value::Null => Ok(Map::new()),
        _ => Err(format!("{what} must be an object")),
    }
}

impl From<String> for StateError {
    fn from(message: String) -> StateError {
        StateError::Invalid {
            path: None,
            message,
        }
    }
}

fn decode_outputs(v: Value) -> Result<BTreeMap<String, OutputState>, String> {
    let mut outputs = BTreeMap::new();
    for (name, o) in object(v, "outputs")? {
        let o = decode_output(o).map_err(|m| format!("outputs.{name}: {m}"))?;
        outputs.insert(name, o);
    }
    Ok(outputs)
}

pub(crate) fn decode_output(v: Value) -> Result<OutputState, String> {
    let mut out = OutputState::new(Value::Null, Value::Null, false);
    for (key, value) in object(v, "an output")? {
        match key.as_str() {
            "value" => out.value = value,
            "type" => out.type_ = value,
            "sensitive" => out.sensitive = boolean(&value, "sensitive")?,
            _ => {
                out.extra.insert(key, value);
            }
        }
    }
    Ok(out)
}

fn boolean(v: &Value, what: &str) -> Result<bool, String> {
    match v {
        Value::Bool(b) => Ok(*b),
        Value::Null => Ok(false),
        _ => Err(format!("{what} must be true or false")),
    }
}

fn decode_resource(state: &mut State, v: Value) -> Result<(), String> {
    let (mut module, mut mode, mut type_name, mut name) = (String::new(), None, None, None);
    let (mut each, mut provider, mut instances) = (None, String::new(), Vec::new());
    let mut extra = Map::new();
    for (key, value) in object(v, "a resource")? {
        match key.as_str() {
            "module" => module = string(value, "module")?,
            "mode" => mode = Some(string(value, "mode")?),
            "type" => type_name = Some(string(value, "type")?),
            "name" => name = Some(string(value, "name")?),
            "each" => each = opt_string(value, "each")?,
            "provider" => provider = string(value, "provider")?,
            "instances" => instances = array(value, "instances")?,
            _ => {
                extra.insert(key, value);
            }
        }
    }
    let mode = mode.ok_or("the resource has no mode")?;
    let mode = parse_mode(&mode)
        .ok_or_else(|| format!("mode {mode:?} is neither \"managed\" nor \"data\""))?;
    let addr = ResourceAddr {
        module: parse_module(&module)?,
        mode,
        type_name: type_name
            .filter(|t| !t.is_empty())
            .ok_or("the resource has no type")?,
        name: name
            .filter(|n| !n.is_empty())
            .ok_or("the resource has no name")?,
    };
    let resource = state.resource_entry(addr.clone(), &provider);
    resource.provider = provider;
    if each.is_some() {
        resource.each = each;
    }
    resource.extra.extend(extra);
    for (i, inst) in instances.into_iter().enumerate() {
        let (key, deposed, inst) =
            decode_instance(inst).map_err(|m| format!("{addr}: instances[{i}]: {m}"))?;
        let slot = resource.instances.entry(key.clone()).or_default();
        let taken = match deposed {
            None => slot.current.replace(inst).is_some(),
            Some(d) => slot.deposed.insert(d, inst).is_some(),
        };
        if taken {
            let key = key.map(|k| k.to_string()).unwrap_or_default();
            return Err(format!("{addr}{key} appears more than once in the state"));
        }
    }
    Ok(())
}

/// An instance object as the state writes it: (index key, deposed key, object).
pub(crate) fn decode_instance(
    v: Value,
) -> Result<(Option<InstanceKey>, Option<String>, InstanceState), String> {
    let mut inst = InstanceState::new(Value::Null);
    inst.sensitive_attributes = Value::Null;
    let (mut key, mut deposed) = (None, None);
    for (k, value) in object(v, "an instance")? {
        match k.as_str() {
            "index_key" => key = decode_key(value)?,
            "status" => inst.status = opt_string(value, "status")?,
            "deposed" => deposed = opt_string(value, "deposed")?,
            "schema_version" => inst.schema_version = whole(&value, "schema_version")?,
            "attributes" => inst.attributes = value,
            "attributes_flat" => inst.attributes_flat = (!value.is_null()).then_some(value),
            "sensitive_attributes" => inst.sensitive_attributes = value,
            "identity_schema_version" => {
                inst.identity_schema_version = Some(whole(&value, "identity_schema_version")?);
            }
            "identity" => inst.identity = Some(value),
            "private" => inst.private = opt_string(value, "private")?,
            "dependencies" => {
                inst.dependencies = array(value, "dependencies")?
                    .into_iter()
                    .map(|d| string(d, "a dependency"))
                    .collect::<Result<_, _>>()?;
            }
            "create_before_destroy" => {
                inst.create_before_destroy = boolean(&value, "create_before_destroy")?;
            }
            _ => {
                inst.extra.insert(k, value);
            }
        }
    }
    Ok((key, deposed, inst))
}

fn decode_key(v: Value) -> Result<Option<InstanceKey>, String> {
    match v {
        Value::Null => Ok(None),
        Value::String(s) => Ok(Some(InstanceKey::Str(s))),
        Value::Number(n) => {
            if let Some(i) = n.as_i64() {
                return Ok(Some(InstanceKey::Int(i)));
            }
            // Terraform reads numbers as floats: accept `1.0`, refuse `1.5`.
            match n.as_f64() {
                Some(f) if f.fract() == 0.0 && f.abs() < 9.0e15 => {
                    Ok(Some(InstanceKey::Int(f as i64)))
                }
                _ => Err(format!("index_key {n} is not a whole number")),
            }
        }
        other => Err(format!(
            "index_key must be a number or a string, not {other}"
        )),
    }
}

/// Go's `json.MarshalIndent(v, "", "  ")`: serde_json's pretty layout plus Go's escaping of
/// HTML characters and line/paragraph separators.
pub(crate) struct GoFormatter(PrettyFormatter<'static>);

impl GoFormatter {
    pub(crate) fn new() -> GoFormatter {
        GoFormatter(PrettyFormatter::with_indent(b"  "))
    }
}

impl Formatter for GoFormatter {
    fn begin_array<W: ?Sized + io::Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.0.begin_array(w)
    }
    fn end_array<W: ?Sized + io::Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.0.end_array(w)
    }
    fn begin_array_value<W: ?Sized + io::Write>(
        &mut self,
        w: &mut W,
        first: bool,
    ) -> io::Result<()> {
        self.0.begin_array_value(w, first)
    }
    fn end_array_value<W: ?Sized + io::Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.0.end_array_value(w)
    }
    fn begin_object<W: ?Sized + io::Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.0.begin_object(w)
    }
    fn end_object<W: ?Sized + io::Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.0.end_object(w)
    }
    fn begin_object_key<W: ?Sized + io::Write>(
        &mut self,
        w: &mut W,
        first: bool,
    ) -> io::Result<()> {
        self.0.begin_object_key(w, first)
    }
    fn begin_object_value<W: ?Sized + io::Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.0.begin_object_value(w)
    }
    fn end_object_value<W: ?Sized + io::Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.0.end_object_value(w)
    }
    fn write_string_fragment<W: ?Sized + io::Write>(
        &mut self,
        w: &mut W,
        s: &str,
    ) -> io::Result<()> {
        let mut start = 0;
        for (i, c) in s.char_indices() {
            let escape = match c {
                '<' => "\\u003c",
                '>' => "\\u003e",
                '&' => "\\u0026",
                '\u{2028}' => "\\u2028",
                '\u{2029}' => "\\u2029",
                _ => continue,
            };
            w.write_all(&s.as_bytes()[start..i])?;
            w.write_all(escape.as_bytes())?;
            start = i + c.len_utf8();
        }
        w.write_all(&s.as_bytes()[start..])
    }
}

struct StateDoc<'a>(&'a State);

const STATE_FIELDS: &[&str] = &[
    "version",
    "terraform_version",
    "serial",
    "lineage",
    "outputs",
    "resources",
    "check_results",
];

impl Serialize for StateDoc<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let st = self.0;
        let mut m = s.serialize_map(None)?;
        m.serialize_entry("version", &FORMAT_VERSION)?;
        m.serialize_entry("terraform_version", &st.terraform_version)?;
        m.serialize_entry("serial", &st.serial)?;
        m.serialize_entry("lineage", &st.lineage)?;
        m.serialize_entry("outputs", &OutputsDoc(&st.outputs))?;
        m.serialize_entry("resources", &ResourcesDoc(st))?;
        m.serialize_entry("check_results", &st.check_results)?;
        extra(&mut m, &st.extra, STATE_FIELDS)?;
        m.end()
    }
}

fn extra<M: SerializeMap>(
    m: &mut M,
    extra: &Map<String, Value>,
    known: &[&str],
) -> Result<(), M::Error> {
    for (k, v) in extra {
        if !known.contains(&k.as_str()) {
            m.serialize_entry(k, v)?;
        }
    }
    Ok(())
}

struct OutputsDoc<'a>(&'a BTreeMap<String, OutputState>);

impl Serialize for OutputsDoc<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(None)?;
        for (name, o) in self.0 {
            m.serialize_entry(name, &OutputDoc(o))?;
        }
        m.end()
    }
}

pub(crate) struct OutputDoc<'a>(pub(crate) &'a OutputState);

impl Serialize for OutputDoc<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let o = self.0;
        let mut m = s.serialize_map(None)?;
        m.serialize_entry("value", &o.value)?;
        m.serialize_entry("type", &o.type_)?;
        if o.sensitive {
            m.serialize_entry("sensitive", &true)?;
        }
        extra(&mut m, &o.extra, &["value", "type", "sensitive"])?;
        m.end()
    }
}

struct ResourcesDoc<'a>(&'a State);

impl Serialize for ResourcesDoc<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut seq = s.serialize_seq(None)?;
        for r in self.0.resources() {
            seq.serialize_element(&ResourceDoc(r))?;
        }
        seq.end()
    }
}

struct ResourceDoc<'a>(&'a ResourceState);

const RESOURCE_FIELDS: &[&str] = &[
    "module",
    "mode",
    "type",
    "name",
    "each",
    "provider",
    "instances",
];

impl Serialize for ResourceDoc<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let r = self.0;
        let mut m = s.serialize_map(None)?;
        if !r.module.is_root() {
            m.serialize_entry("module", &format_module(&r.module))?;
        }
        m.serialize_entry("mode", mode_str(r.mode))?;
        m.serialize_entry("type", &r.type_name)?;
        m.serialize_entry("name", &r.name)?;
        if let Some(each) = &r.each {
            m.serialize_entry("each", each)?;
        }
        m.serialize_entry("provider", &r.provider)?;
        m.serialize_entry("instances", &InstancesDoc(r))?;
        extra(&mut m, &r.extra, RESOURCE_FIELDS)?;
        m.end()
    }
}

struct InstancesDoc<'a>(&'a ResourceState);

impl Serialize for InstancesDoc<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut seq = s.serialize_seq(None)?;
        for (key, objects) in &self.0.instances {
            if let Some(inst) = &objects.current {
                seq.serialize_element(&InstanceDoc {
                    key: key.as_ref(),
                    deposed: None,
                    inst,
                })?;
            }
            for (d, inst) in &objects.deposed {
                let deposed = Some(d.as_str());
                seq.serialize_element(&InstanceDoc {
                    key: key.as_ref(),
                    deposed,
                    inst,
                })?;
            }
        }
        seq.end()
    }
}

/// One instance object in the order of Terraform's `instanceObjectStateV4`.
pub(crate) struct InstanceDoc<'a> {
    pub(crate) key: Option<&'a InstanceKey>,
    pub(crate) deposed: Option<&'a str>,
    pub(crate) inst: &'a InstanceState,
}

const INSTANCE_FIELDS: &[&str] = &[
    "index_key",
    "status",
    "deposed",
    "schema_version",
    "attributes",
    "attributes_flat",
    "sensitive_attributes",
    "identity_schema_version",
    "identity",
    "private",
    "dependencies",
    "create_before_destroy",
];

impl Serialize for InstanceDoc<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let i = self.inst;
        let mut m = s.serialize_map(None)?;
        match self.key {
            Some(InstanceKey::Int(n)) => m.serialize_entry("index_key", n)?,
            Some(InstanceKey::Str(k)) => m.serialize_entry("index_key", k)?,
            None => {}
        }
        if let Some(status) = i.status.as_deref().filter(|s| !s.is_empty()) {
            m.serialize_entry("status", status)?;
        }
        if let Some(d) = self.deposed.filter(|d| !d.is_empty()) {
            m.serialize_entry("deposed", d)?;
        }
        m.serialize_entry("schema_version", &i.schema_version)?;
        if !i.attributes.is_null() {
            m.serialize_entry("attributes", &i.attributes)?;
        }
        if let Some(flat) = &i.attributes_flat {
            m.serialize_entry("attributes_flat", flat)?;
        }
        if !i.sensitive_attributes.is_null() {
            m.serialize_entry("sensitive_attributes", &i.sensitive_attributes)?;
        }
        if let Some(v) = i.identity_schema_version {
            m.serialize_entry("identity_schema_version", &v)?;
        }
        if let Some(identity) = &i.identity {
            m.serialize_entry("identity", identity)?;
        }
        if let Some(p) = i.private.as_deref().filter(|p| !p.is_empty()) {
            m.serialize_entry("private", p)?;
        }
        if !i.dependencies.is_empty() {
            m.serialize_entry("dependencies", &i.dependencies)?;
        }
        if i.create_before_destroy {
            m.serialize_entry("create_before_destroy", &true)?;
        }
        extra(&mut m, &i.extra, INSTANCE_FIELDS)?;
        m.end()
    }
}

#[cfg(test)]
#[path = "codec_tests.rs"]
mod tests;
