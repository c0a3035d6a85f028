//! `terrane show [FILE] [--json]`: the current state, a saved plan or a state file, as people
//! read it (Terraform's human format: every attribute of every object, sensitive values
//! hidden) or in Terraform's JSON representation (`format_version` "1.0" for states, the JSON
//! plan format for plans), which tools such as terraform-inventory and jq scripts read.

use crate::Ctx;
use crate::commands::state;
use crate::output::{emit, emitln};
use serde_json::{Map, Value as J, json};
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::PathBuf;
use terrane_core::providers::ProviderSet;
use terrane_plan::{Plan, PlanFileError, ResourceChange, Style};
use terrane_sdk::{Attribute, Block, Nesting, Registry, Schema};
use terrane_state::{InstanceState, ResourceState, State, format_instance_addr, format_module};
use terrane_types::{InstanceKey, ModuleInstance, ResourceMode, Type, Value};

#[derive(clap::Args, Debug)]
pub struct Args {
    /// A plan saved with `terrane plan -out FILE`, or a state file; the current state when
    /// omitted.
    path: Option<PathBuf>,
    /// Print Terraform's machine-readable JSON representation.
    #[arg(long)]
    json: bool,
}

/// The JSON state representation's format version.
pub const STATE_JSON_FORMAT_VERSION: &str = "1.0";

pub fn run(args: Args, ctx: &Ctx) -> u8 {
    let registry = crate::providers::registry();
    let Some(path) = &args.path else {
        let backend = match state::configured_backend(ctx, None) {
            Ok(b) => b,
            Err(code) => return code,
        };
        let current = match state::read_state(&backend, false) {
            Ok(s) => s,
            Err(code) => return code,
        };
        return show_state(current.as_ref(), &registry, &args, ctx);
    };
    match Plan::read_file(path) {
        Ok(plan) => {
            if args.json {
                let json =
                    terrane_plan::plan_to_json(&plan, terrane_core::TERRAFORM_COMPAT_VERSION);
                emitln(&go_json(&json));
            } else {
                emit(&render_plan(&plan, &registry, ctx));
            }
            0
        }
        Err(plan_err) => {
            let is_plan_file = matches!(
                plan_err,
                PlanFileError::UnsupportedVersion { .. } | PlanFileError::Corrupt { .. }
            );
            if is_plan_file {
                eprintln!("Error: Couldn't show local plan\n\nPlan read error: {plan_err}");
                return 1;
            }
            let state = std::fs::read(path)
                .map_err(|e| format!("Error loading statefile: {e}"))
                .and_then(|bytes| {
                    if bytes.iter().all(u8::is_ascii_whitespace) {
                        return Ok(None);
                    }
                    State::from_json(&bytes).map(Some).map_err(|e| {
                        format!("Error reading {} as a statefile: {e}", path.display())
                    })
                });
            match state {
                Ok(s) => show_state(s.as_ref(), &registry, &args, ctx),
                Err(state_err) => {
                    eprintln!(
                        "Error: Failed to read the given file as a state or plan file\n\nState read error: {state_err}\n\nPlan read error: {plan_err}"
                    );
                    1
                }
            }
        }
    }
}

fn show_state(state: Option<&State>, registry: &Registry, args: &Args, ctx: &Ctx) -> u8 {
    let mut schemas = Schemas::new(registry);
    if args.json {
        emitln(&go_json(&state_json(state, &mut schemas)));
        return 0;
    }
    match state {
        None => emitln("No state."),
        Some(s) => emit(&render_state(s, &mut schemas, ctx.style.color)),
    }
    0
}

/// A saved plan as `terrane plan` printed it, each resource with its schema.
fn render_plan(plan: &Plan, registry: &Registry, ctx: &Ctx) -> String {
    let providers = ProviderSet::new(registry.clone());
    let schemas = |c: &ResourceChange| {
        let (factory, _) = providers.factory_for_state_name(&c.provider)?;
        let list = match c.addr.resource.mode {
            ResourceMode::Managed => factory.resource_schemas(),
            ResourceMode::Data => factory.data_source_schemas(),
        };
        list.into_iter()
            .find(|(t, _)| *t == c.addr.resource.type_name)
            .map(|(_, s)| s.block)
    };
    terrane_plan::render_plan_with_width(
        plan,
        &schemas,
        Style {
            color: ctx.style.color,
        },
        ctx.style.width.min(120),
    )
}

/// The schemas of the resource types a state uses, looked up once each.
pub(crate) struct Schemas {
    providers: ProviderSet,
    cache: HashMap<(String, ResourceMode, String), Option<Schema>>,
}

impl Schemas {
    pub(crate) fn new(registry: &Registry) -> Schemas {
        Schemas {
            providers: ProviderSet::new(registry.clone()),
            cache: HashMap::new(),
        }
    }

    fn get(&mut self, r: &ResourceState) -> Option<&Schema> {
        let key = (r.provider.clone(), r.mode, r.type_name.clone());
        let providers = &self.providers;
        self.cache
            .entry(key)
            .or_insert_with(|| {
                let (factory, _) = providers.factory_for_state_name(&r.provider)?;
                let list = match r.mode {
                    ResourceMode::Managed => factory.resource_schemas(),
                    ResourceMode::Data => factory.data_source_schemas(),
                };
                list.into_iter()
                    .find(|(t, _)| *t == r.type_name)
                    .map(|(_, s)| s)
            })
            .as_ref()
    }

    /// An object as the schema reads it, with its sensitive values marked (by the schema
    /// and by the paths the state records), and the block to show it with. Without a schema
    /// (or when the object does not match it) every attribute is shown by its value.
    fn decode(&mut self, r: &ResourceState, inst: &InstanceState) -> (Block, Value, bool) {
        let decoded = self.get(r).and_then(|s| {
            s.block
                .value_from_json(&inst.attributes)
                .ok()
                .map(|v| (s.block.clone(), v))
        });
        let (block, value, typed) = match decoded {
            Some((block, value)) => {
                let value = mark_schema_sensitive(value, &block);
                (block, value, true)
            }
            None => (
                implied_block(&inst.attributes),
                Value::from_json(&inst.attributes),
                false,
            ),
        };
        let mut value = value;
        if let J::Array(paths) = &inst.sensitive_attributes {
            for p in paths {
                if let Some(steps) = path_steps(p) {
                    value = mark_path(value, &steps);
                }
            }
        }
        (block, value, typed)
    }
}

/// A block with every attribute of a JSON object, of no particular type.
fn implied_block(attributes: &J) -> Block {
    let mut block = Block::new();
    if let J::Object(m) = attributes {
        for name in m.keys() {
            block = block.attr(name, Attribute::optional(Type::Dynamic));
        }
    }
    block
}

/// Marks the attributes the schema says are sensitive, in nested blocks too.
fn mark_schema_sensitive(value: Value, block: &Block) -> Value {
    let (value, marked) = value.unmark();
    let value = match value {
        Value::Object(mut attrs) => {
            for (name, attr) in &block.attributes {
                if attr.sensitive
                    && let Some(v) = attrs.remove(name)
                {
                    attrs.insert(name.clone(), v.mark_sensitive());
                }
            }
            for (name, nested) in &block.blocks {
                let Some(v) = attrs.remove(name) else {
                    continue;
                };
                let (v, m) = v.unmark();
                let v = match (nested.nesting, v) {
                    (Nesting::Single, v) => mark_schema_sensitive(v, &nested.block),
                    (_, Value::List(items)) => Value::List(
                        items
                            .into_iter()
                            .map(|i| mark_schema_sensitive(i, &nested.block))
                            .collect(),
                    ),
                    (_, Value::Set(items)) => Value::Set(
                        items
                            .into_iter()
                            .map(|i| mark_schema_sensitive(i, &nested.block))
                            .collect(),
                    ),
                    (_, Value::Map(items)) => Value::Map(
                        items
                            .into_iter()
                            .map(|(k, i)| (k, mark_schema_sensitive(i, &nested.block)))
                            .collect(),
                    ),
                    (_, other) => other,
                };
                attrs.insert(name.clone(), v.with_mark(m));
            }
            Value::Object(attrs)
        }
        other => other,
    };
    value.with_mark(marked)
}

/// One step of a sensitive path as the state records it.
enum Step {
    Attr(String),
    Index(usize),
    Key(String),
}

/// `[{"type": "get_attr", "value": "a"}, {"type": "index", "value": {"value": 0, "type":
/// "number"}}]`.
fn path_steps(path: &J) -> Option<Vec<Step>> {
    let J::Array(steps) = path else {
        return None;
    };
    steps
        .iter()
        .map(|s| match s.get("type")?.as_str()? {
            "get_attr" => Some(Step::Attr(s.get("value")?.as_str()?.to_owned())),
            "index" => {
                let key = s.get("value")?.get("value")?;
                match key {
                    J::String(k) => Some(Step::Key(k.clone())),
                    J::Number(n) => Some(Step::Index(usize::try_from(n.as_u64()?).ok()?)),
                    _ => None,
                }
            }
            _ => None,
        })
        .collect()
}

fn mark_path(value: Value, steps: &[Step]) -> Value {
    let Some((first, rest)) = steps.split_first() else {
        return value.mark_sensitive();
    };
    let (value, marked) = value.unmark();
    let value = match (value, first) {
        (Value::Object(mut m), Step::Attr(k) | Step::Key(k))
        | (Value::Map(mut m), Step::Attr(k) | Step::Key(k)) => {
            if let Some(v) = m.remove(k) {
                m.insert(k.clone(), mark_path(v, rest));
            }
            Value::Object(m)
        }
        (Value::List(mut items), Step::Index(i)) => {
            if let Some(v) = items.get_mut(*i) {
                *v = mark_path(std::mem::replace(v, Value::null()), rest);
            }
            Value::List(items)
        }
        (Value::Tuple(mut items), Step::Index(i)) => {
            if let Some(v) = items.get_mut(*i) {
                *v = mark_path(std::mem::replace(v, Value::null()), rest);
            }
            Value::Tuple(items)
        }
        (other, _) => other,
    };
    value.with_mark(marked)
}

// ---------------------------------------------------------------------------------------------
// The state as Terraform's JSON state representation and human renderer see it: modules as a
// tree, each with its objects in address order.

/// One object of the state: a current one, or a deposed one.
struct Object<'a> {
    addr: String,
    resource: &'a ResourceState,
    key: Option<&'a InstanceKey>,
    deposed: Option<&'a str>,
    instance: &'a InstanceState,
}

struct ModuleTree<'a> {
    address: String,
    objects: Vec<Object<'a>>,
    children: Vec<ModuleTree<'a>>,
}

fn module_tree(state: &State) -> ModuleTree<'_> {
    let mut objects: BTreeMap<ModuleInstance, Vec<Object<'_>>> = BTreeMap::new();
    for r in state.resources() {
        let addr = r.addr();
        let list = objects.entry(r.module.clone()).or_default();
        for (key, instance) in r.instances() {
            list.push(Object {
                addr: format_instance_addr(&addr.instance(key.cloned())),
                resource: r,
                key,
                deposed: None,
                instance,
            });
        }
        for (key, deposed, instance) in r.deposed() {
            list.push(Object {
                addr: format_instance_addr(&addr.instance(key.cloned())),
                resource: r,
                key,
                deposed: Some(deposed),
                instance,
            });
        }
    }
    let mut all: BTreeSet<ModuleInstance> = BTreeSet::new();
    for m in objects.keys() {
        let mut steps = m.0.clone();
        while !steps.is_empty() {
            all.insert(ModuleInstance(steps.clone()));
            steps.pop();
        }
    }
    build_module(ModuleInstance::root(), &mut objects, &all)
}

fn build_module<'a>(
    m: ModuleInstance,
    objects: &mut BTreeMap<ModuleInstance, Vec<Object<'a>>>,
    all: &BTreeSet<ModuleInstance>,
) -> ModuleTree<'a> {
    let mut own = objects.remove(&m).unwrap_or_default();
    // By address, as Terraform sorts them; a deposed object after the current one.
    own.sort_by(|a, b| (&a.addr, a.deposed).cmp(&(&b.addr, b.deposed)));
    let mut children: Vec<ModuleTree<'a>> = all
        .iter()
        .filter(|c| c.0.len() == m.0.len() + 1 && c.0.starts_with(&m.0))
        .map(|c| build_module(c.clone(), objects, all))
        .collect();
    children.sort_by(|a, b| a.address.cmp(&b.address));
    ModuleTree {
        address: format_module(&m),
        objects: own,
        children,
    }
}

/// `registry.terraform.io/hashicorp/random` from `provider["registry.terraform.io/hashicorp/random"]`.
fn provider_name(provider: &str) -> &str {
    provider
        .split_once("provider[\"")
        .and_then(|(_, rest)| rest.split_once("\"]"))
        .map_or(provider, |(source, _)| source)
}

/// The state as `terraform show -json` prints it.
pub(crate) fn state_json(state: Option<&State>, schemas: &mut Schemas) -> J {
    let mut root = Map::new();
    root.insert("format_version".into(), json!(STATE_JSON_FORMAT_VERSION));
    let Some(state) = state.filter(|s| !s.is_empty()) else {
        return J::Object(root);
    };
    if !state.terraform_version.is_empty() {
        root.insert("terraform_version".into(), json!(state.terraform_version));
    }
    let mut values = Map::new();
    if !state.outputs.is_empty() {
        let outputs: Map<String, J> = state
            .outputs
            .iter()
            .map(|(name, o)| {
                let mut out = Map::new();
                out.insert("sensitive".into(), json!(o.sensitive));
                out.insert("value".into(), o.value.clone());
                if !o.type_.is_null() {
                    out.insert("type".into(), o.type_.clone());
                }
                (name.clone(), J::Object(out))
            })
            .collect();
        values.insert("outputs".into(), J::Object(outputs));
    }
    values.insert(
        "root_module".into(),
        module_json(&module_tree(state), schemas),
    );
    root.insert("values".into(), J::Object(values));
    J::Object(root)
}

fn module_json(m: &ModuleTree, schemas: &mut Schemas) -> J {
    let mut out = Map::new();
    if !m.objects.is_empty() {
        let resources: Vec<J> = m.objects.iter().map(|o| object_json(o, schemas)).collect();
        out.insert("resources".into(), J::Array(resources));
    }
    if !m.address.is_empty() {
        out.insert("address".into(), json!(m.address));
    }
    if !m.children.is_empty() {
        let children: Vec<J> = m.children.iter().map(|c| module_json(c, schemas)).collect();
        out.insert("child_modules".into(), J::Array(children));
    }
    J::Object(out)
}

fn object_json(o: &Object, schemas: &mut Schemas) -> J {
    let r = o.resource;
    let mut out = Map::new();
    out.insert("address".into(), json!(o.addr));
    let mode = match r.mode {
        ResourceMode::Managed => "managed",
        ResourceMode::Data => "data",
    };
    out.insert("mode".into(), json!(mode));
    out.insert("type".into(), json!(r.type_name));
    out.insert("name".into(), json!(r.name));
    match o.key {
        Some(InstanceKey::Int(i)) => {
            out.insert("index".into(), json!(i));
        }
        Some(InstanceKey::Str(s)) => {
            out.insert("index".into(), json!(s));
        }
        None => {}
    }
    out.insert("provider_name".into(), json!(provider_name(&r.provider)));
    out.insert("schema_version".into(), json!(o.instance.schema_version));
    let (_, value, typed) = schemas.decode(r, o.instance);
    let plain = if typed {
        value.clone().unmark_deep().0.to_json()
    } else {
        Some(sorted_json(&o.instance.attributes))
    };
    if let Some(J::Object(attrs)) = plain
        && !attrs.is_empty()
    {
        out.insert("values".into(), J::Object(attrs));
    }
    out.insert("sensitive_values".into(), sensitive_as_bool(&value));
    if let Some(identity) = &o.instance.identity {
        if let Some(v) = o.instance.identity_schema_version {
            out.insert("identity_schema_version".into(), json!(v));
        }
        out.insert("identity".into(), identity.clone());
    }
    if !o.instance.dependencies.is_empty() {
        out.insert("depends_on".into(), json!(o.instance.dependencies));
    }
    if o.instance.is_tainted() {
        out.insert("tainted".into(), json!(true));
    }
    if let Some(d) = o.deposed {
        out.insert("deposed_key".into(), json!(d));
    }
    J::Object(out)
}

/// JSON with every object's keys in order, as Go writes maps.
fn sorted_json(v: &J) -> J {
    match v {
        J::Object(m) => {
            let mut keys: Vec<&String> = m.keys().collect();
            keys.sort();
            J::Object(
                keys.into_iter()
                    .map(|k| (k.clone(), sorted_json(&m[k])))
                    .collect(),
            )
        }
        J::Array(items) => J::Array(items.iter().map(sorted_json).collect()),
        other => other.clone(),
    }
}

/// Terraform's `SensitiveAsBool`: the value's shape with `true` for each sensitive value and
/// the other leaves left out.
fn sensitive_as_bool(v: &Value) -> J {
    if v.is_sensitive() {
        return J::Bool(true);
    }
    match v {
        Value::List(items) | Value::Set(items) | Value::Tuple(items) => {
            J::Array(items.iter().map(sensitive_as_bool).collect())
        }
        Value::Map(items) | Value::Object(items) => J::Object(
            items
                .iter()
                .map(|(k, v)| (k.clone(), sensitive_as_bool(v)))
                .filter(|(_, s)| *s != J::Bool(false))
                .collect(),
        ),
        _ => J::Bool(false),
    }
}

/// JSON as Go's `encoding/json` writes it: compact, with `<`, `>`, `&`, U+2028 and U+2029
/// escaped (they can only appear inside strings, so replacing them in the text is safe).
pub(crate) fn go_json(v: &J) -> String {
    let text = serde_json::to_string(v).unwrap_or_default();
    if !text.contains(['<', '>', '&', '\u{2028}', '\u{2029}']) {
        return text;
    }
    text.replace('<', "\\u003c")
        .replace('>', "\\u003e")
        .replace('&', "\\u0026")
        .replace('\u{2028}', "\\u2028")
        .replace('\u{2029}', "\\u2029")
}

// ---------------------------------------------------------------------------------------------
// The human format: Terraform's plan renderer with every value unchanged, unchanged children
// shown and the action symbols hidden.

/// The whole state as `terraform show` prints it.
pub(crate) fn render_state(state: &State, schemas: &mut Schemas, color: bool) -> String {
    let tree = module_tree(state);
    if state.outputs.is_empty() && tree.objects.is_empty() && tree.children.is_empty() {
        return "The state file is empty. No resources are represented.\n".into();
    }
    let mut r = Renderer {
        out: String::new(),
        color,
        schemas,
    };
    r.module(&tree, true);
    if !state.outputs.is_empty() {
        r.out.push_str("\n\nOutputs:\n\n");
        for (name, o) in &state.outputs {
            let shown = if o.sensitive {
                "(sensitive value)".to_owned()
            } else {
                let ty = type_from_json(&o.type_).unwrap_or(Type::Dynamic);
                let value = typed_value(&ty, &o.value);
                r.typed(&value, &ty, 0, false)
            };
            r.out.push_str(&format!("{name} = {shown}\n"));
        }
    }
    r.out
}

/// A value read as JSON of type `ty` (as the schema reader does), or as plain JSON.
fn typed_value(ty: &Type, json: &J) -> Value {
    let block = Block::new().attr("value", Attribute::optional(ty.clone()));
    block
        .value_from_json(&json!({ "value": json }))
        .ok()
        .and_then(|v| v.get_attr("value").cloned())
        .unwrap_or_else(|| Value::from_json(json))
}

/// A type in cty's JSON syntax: `"string"`, `["list", "number"]`, `["object", {...}]`.
fn type_from_json(j: &J) -> Option<Type> {
    match j {
        J::String(s) => match s.as_str() {
            "string" => Some(Type::String),
            "number" => Some(Type::Number),
            "bool" => Some(Type::Bool),
            "dynamic" => Some(Type::Dynamic),
            _ => None,
        },
        J::Array(parts) => {
            let kind = parts.first()?.as_str()?;
            let arg = parts.get(1)?;
            match kind {
                "list" => Some(Type::list(type_from_json(arg)?)),
                "set" => Some(Type::set(type_from_json(arg)?)),
                "map" => Some(Type::map(type_from_json(arg)?)),
                "tuple" => Some(Type::Tuple(
                    arg.as_array()?
                        .iter()
                        .map(type_from_json)
                        .collect::<Option<_>>()?,
                )),
                "object" => Some(Type::Object(
                    arg.as_object()?
                        .iter()
                        .map(|(k, t)| Some((k.clone(), type_from_json(t)?)))
                        .collect::<Option<_>>()?,
                )),
                _ => None,
            }
        }
        _ => None,
    }
}

struct Renderer<'a> {
    out: String,
    color: bool,
    schemas: &'a mut Schemas,
}

fn indent(n: usize) -> String {
    "    ".repeat(n)
}

/// Null or absent.
fn nil(v: Option<&Value>) -> bool {
    v.is_none_or(|v| matches!(v.unmarked(), Value::Null(_) | Value::Unknown(_)))
}

impl Renderer<'_> {
    /// Terraform's `renderHumanStateModule`: `first` is passed by value, so a module's
    /// children start from what their parent had printed, not from each other.
    fn module(&mut self, m: &ModuleTree, first: bool) {
        let mut first = first;
        if !m.objects.is_empty() && !first {
            self.out.push('\n');
        }
        for o in &m.objects {
            if !first {
                self.out.push('\n');
            }
            first = false;
            let header = match o.deposed {
                Some(d) => format!("# {}: (deposed object {d})", o.addr),
                None if o.instance.is_tainted() => format!("# {}: (tainted)", o.addr),
                None => format!("# {}:", o.addr),
            };
            self.out.push_str(&header);
            self.out.push('\n');
            let (block, value, _) = self.schemas.decode(o.resource, o.instance);
            let keyword = match o.resource.mode {
                ResourceMode::Managed => "resource",
                ResourceMode::Data => "data",
            };
            let body = self.block(&value, &block, 0, false);
            self.out.push_str(&format!(
                "{keyword} {} {} {body}\n",
                go_quote(&o.resource.type_name),
                go_quote(&o.resource.name)
            ));
        }
        for child in &m.children {
            self.module(child, first);
        }
    }

    fn null(&self) -> String {
        if self.color {
            "\x1b[90mnull\x1b[0m\x1b[0m".into()
        } else {
            "null".into()
        }
    }

    fn sensitive_block(ind: usize) -> String {
        let prefix = indent(ind);
        format!(
            "{{\n{prefix}  # At least one attribute in this block is (or was) sensitive,\n{prefix}  # so its contents will not be displayed.\n{prefix}}}"
        )
    }

    /// A resource object or nested block: attributes (null ones left out), then nested blocks.
    fn block(&self, v: &Value, block: &Block, ind: usize, non_legacy: bool) -> String {
        if v.is_sensitive() {
            return Self::sensitive_block(ind);
        }
        let non_legacy = non_legacy || non_legacy_schema(block);
        let mut attrs: Vec<(String, String)> = Vec::new();
        for (name, attr) in &block.attributes {
            let child = v.get_attr(name);
            let Some(child) = child.filter(|c| !nil(Some(c))) else {
                continue;
            };
            attrs.push((
                attribute_name(name),
                self.typed(child, &attr.ty, ind + 1, non_legacy),
            ));
        }
        let mut groups: Vec<(String, Vec<(String, String)>)> = Vec::new();
        for (name, nested) in &block.blocks {
            let Some(child) = v.get_attr(name).filter(|c| !nil(Some(c))) else {
                continue;
            };
            let sensitive = child.is_sensitive();
            let item = |item: &Value, non_legacy: bool| {
                if sensitive {
                    Self::sensitive_block(ind + 1)
                } else {
                    self.block(item, &nested.block, ind + 1, non_legacy)
                }
            };
            let mut items = Vec::new();
            match nested.nesting {
                Nesting::Single => items.push((String::new(), item(child, non_legacy))),
                Nesting::List | Nesting::Set => {
                    for e in child.as_seq().unwrap_or(&[]) {
                        items.push((String::new(), item(e, false)));
                    }
                }
                Nesting::Map => {
                    if let Some(entries) = child.as_entries() {
                        for (k, e) in entries {
                            items.push((format!(" {}", go_quote(k)), item(e, non_legacy)));
                        }
                    }
                }
            }
            groups.push((attribute_name(name), items));
        }
        if attrs.is_empty() && groups.is_empty() {
            return "{}".into();
        }
        let width = attrs.iter().map(|(n, _)| n.len()).max().unwrap_or(0);
        let mut buf = String::from("{\n");
        for (name, shown) in &attrs {
            buf.push_str(&format!(
                "{}{} = {shown}\n",
                indent(ind + 1),
                pad(name, width)
            ));
        }
        for (name, items) in &groups {
            let mut first = true;
            for (label, body) in items {
                if first && !attrs.is_empty() {
                    buf.push('\n');
                }
                first = false;
                buf.push_str(&format!("{}{name}{label} {body}\n", indent(ind + 1)));
            }
        }
        buf.push_str(&format!("{}}}", indent(ind)));
        buf
    }

    /// A value of type `ty`. Outside schemas the legacy SDK could not express, an empty
    /// string stands for null (the legacy SDK cannot tell them apart).
    fn typed(&self, v: &Value, ty: &Type, ind: usize, non_legacy: bool) -> String {
        let null;
        let v = if !non_legacy && v.as_str() == Some("") {
            null = Value::Null(Type::String).with_mark(v.is_sensitive());
            &null
        } else {
            v
        };
        if v.is_sensitive() {
            return "(sensitive value)".into();
        }
        match ty {
            Type::Dynamic => self.json(v, ind),
            Type::String => self.string(v, ind),
            Type::Number | Type::Bool => self.primitive(v),
            Type::Object(types) => {
                let entries = v.as_entries();
                let attrs: Vec<(String, String)> = types
                    .iter()
                    .filter_map(|(name, t)| {
                        let child = entries.and_then(|m| m.get(name));
                        let child = child.filter(|c| !nil(Some(c)))?;
                        Some((
                            attribute_name(name),
                            self.typed(child, t, ind + 1, non_legacy),
                        ))
                    })
                    .collect();
                object(&attrs, ind)
            }
            Type::Map(elem) => {
                let comma = if matches!(**elem, Type::Object(_)) {
                    ","
                } else {
                    ""
                };
                let elems: Vec<(String, String)> = v
                    .as_entries()
                    .into_iter()
                    .flatten()
                    .map(|(k, e)| {
                        let shown = self.typed(e, elem, ind + 1, non_legacy);
                        let comma = if e.is_sensitive() { "" } else { comma };
                        (go_quote(k), format!("{shown}{comma}"))
                    })
                    .collect();
                map(&elems, ind)
            }
            Type::List(elem) | Type::Set(elem) => {
                let items: Vec<String> = v
                    .as_seq()
                    .unwrap_or(&[])
                    .iter()
                    .map(|e| self.typed(e, elem, ind + 1, false))
                    .collect();
                list(&items, ind)
            }
            Type::Tuple(types) => {
                let items: Vec<String> = v
                    .as_seq()
                    .unwrap_or(&[])
                    .iter()
                    .zip(types)
                    .map(|(e, t)| self.typed(e, t, ind + 1, false))
                    .collect();
                list(&items, ind)
            }
        }
    }

    /// A value of no known type, shown as the JSON it is.
    fn json(&self, v: &Value, ind: usize) -> String {
        if v.is_sensitive() {
            return "(sensitive value)".into();
        }
        match v.unmarked() {
            Value::Map(m) | Value::Object(m) => {
                let attrs: Vec<(String, String)> = m
                    .iter()
                    .map(|(k, e)| (attribute_name(k), self.json(e, ind + 1)))
                    .collect();
                object(&attrs, ind)
            }
            Value::List(items) | Value::Set(items) | Value::Tuple(items) => {
                let items: Vec<String> = items.iter().map(|e| self.json(e, ind + 1)).collect();
                list(&items, ind)
            }
            Value::String(_) => self.string(v, ind),
            other => self.primitive(other),
        }
    }

    /// A string: quoted, as a heredoc when it has several lines, as `jsonencode(...)` when it
    /// holds JSON.
    fn string(&self, v: &Value, ind: usize) -> String {
        let s = match v.unmarked() {
            Value::String(s) => s,
            other => return self.primitive(other),
        };
        if (s.starts_with('{') || s.starts_with('['))
            && let Ok(json) = serde_json::from_str::<J>(s)
        {
            let rendered = self.json(&Value::from_json(&json), ind + 1);
            return if rendered.contains('\n') {
                format!(
                    "jsonencode(\n{}{rendered}\n{})",
                    indent(ind + 1),
                    indent(ind)
                )
            } else {
                format!("jsonencode({rendered})")
            };
        }
        if s.contains('\n') {
            let lines: Vec<String> = s
                .trim()
                .split('\n')
                .map(|l| format!("{}{l}", indent(ind + 1)))
                .collect();
            return format!("<<-EOT\n{}\n{}EOT", lines.join("\n"), indent(ind));
        }
        go_quote(s)
    }

    fn primitive(&self, v: &Value) -> String {
        match v.unmarked() {
            Value::Null(_) | Value::Unknown(_) => self.null(),
            Value::Bool(b) => b.to_string(),
            Value::Number(n) => n.to_string(),
            Value::String(s) => go_quote(s),
            other => other.to_json().map(|j| j.to_string()).unwrap_or_default(),
        }
    }
}

fn object(attrs: &[(String, String)], ind: usize) -> String {
    if attrs.is_empty() {
        return "{}".into();
    }
    let width = attrs.iter().map(|(n, _)| n.len()).max().unwrap_or(0);
    let mut buf = String::from("{\n");
    for (name, shown) in attrs {
        buf.push_str(&format!(
            "{}{} = {shown}\n",
            indent(ind + 1),
            pad(name, width)
        ));
    }
    buf.push_str(&format!("{}}}", indent(ind)));
    buf
}

fn map(elems: &[(String, String)], ind: usize) -> String {
    if elems.is_empty() {
        return "{}".into();
    }
    let width = elems.iter().map(|(k, _)| k.len()).max().unwrap_or(0);
    let mut buf = String::from("{\n");
    for (key, shown) in elems {
        buf.push_str(&format!(
            "{}{} = {shown}\n",
            indent(ind + 1),
            pad(key, width)
        ));
    }
    buf.push_str(&format!("{}}}", indent(ind)));
    buf
}

fn list(items: &[String], ind: usize) -> String {
    if items.is_empty() {
        return "[]".into();
    }
    let mut buf = String::from("[\n");
    for shown in items {
        buf.push_str(&format!("{}{shown},\n", indent(ind + 1)));
    }
    buf.push_str(&format!("{}]", indent(ind)));
    buf
}

/// Whether the schema uses something the legacy SDK could not, so empty strings are real
/// values (Terraform's `containsNonLegacyFeatures`).
fn non_legacy_schema(block: &Block) -> bool {
    if block.blocks.values().any(|b| b.nesting == Nesting::Map) {
        return true;
    }
    block.attributes.values().any(|a| {
        let t = &a.ty;
        t.has_dynamic()
            || matches!(t, Type::Tuple(_) | Type::Object(_))
            || t.element().is_some_and(|e| {
                e.is_collection() && e.element().is_some_and(|ee| !ee.is_primitive())
            })
    })
}

/// Strings are quoted as Terraform prints them (Go's `%q`), by the plan renderer's function.
pub(crate) use terrane_plan::go_quote;

/// An attribute name, quoted when it is not a valid identifier.
fn attribute_name(name: &str) -> String {
    let mut chars = name.chars();
    let ident = chars.next().is_some_and(|c| c.is_alphabetic() || c == '_')
        && chars.all(|c| c.is_alphanumeric() || c == '_' || c == '-');
    if ident {
        name.to_owned()
    } else {
        go_quote(name)
    }
}

/// `%-*s`: `text` padded with spaces to `width` characters.
fn pad(text: &str, width: usize) -> String {
    let len = text.chars().count();
    if len >= width {
        text.to_owned()
    } else {
        format!("{text}{}", " ".repeat(width - len))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn schema() -> Block {
        Block::new()
            .attr("id", Attribute::computed(Type::String))
            .attr("name", Attribute::required(Type::String))
            .attr("password", Attribute::optional(Type::String).sensitive())
            .attr("ports", Attribute::optional(Type::list(Type::Number)))
            .attr("tags", Attribute::optional(Type::map(Type::String)))
            .attr("empty", Attribute::optional(Type::String))
            .block(
                "rule",
                terrane_sdk::NestedBlock::new(
                    Nesting::List,
                    Block::new().attr("cidr", Attribute::required(Type::String)),
                ),
            )
    }

    fn render(attrs: J, sensitive_paths: J) -> String {
        let mut state = State::new("l");
        let addr = terrane_state::parse_instance_addr("test_thing.x").unwrap();
        let mut inst = InstanceState::new(attrs);
        inst.sensitive_attributes = sensitive_paths;
        state.set(
            &addr,
            "provider[\"registry.terraform.io/hashicorp/test\"]",
            inst,
        );
        let tree = module_tree(&state);
        let o = &tree.objects[0];
        let block = schema();
        let value = mark_schema_sensitive(
            block.value_from_json(&o.instance.attributes).unwrap(),
            &block,
        );
        let mut value = value;
        if let J::Array(paths) = &o.instance.sensitive_attributes {
            for p in paths {
                value = mark_path(value, &path_steps(p).unwrap());
            }
        }
        let registry = Registry::new();
        let mut schemas = Schemas::new(&registry);
        let r = Renderer {
            out: String::new(),
            color: false,
            schemas: &mut schemas,
        };
        r.block(&value, &block, 0, false)
    }

    #[test]
    fn objects_show_every_non_null_attribute_aligned_with_sensitive_values_hidden() {
        let shown = render(
            json!({
                "id": "i-1", "name": "web", "password": "hunter2", "ports": [80, 443],
                "tags": {"Name": "web", "a-long-key": "x"}, "empty": "",
                "rule": [{"cidr": "10.0.0.0/8"}]
            }),
            json!([[{"type": "get_attr", "value": "tags"}, {"type": "index", "value": {"value": "Name", "type": "string"}}]]),
        );
        assert_eq!(
            shown,
            r#"{
    empty    = null
    id       = "i-1"
    name     = "web"
    password = (sensitive value)
    ports    = [
        80,
        443,
    ]
    tags     = {
        "Name"       = (sensitive value)
        "a-long-key" = "x"
    }

    rule {
        cidr = "10.0.0.0/8"
    }
}"#
        );
    }

    #[test]
    fn strings_holding_json_or_several_lines_are_shown_as_terraform_shows_them() {
        let registry = Registry::new();
        let mut schemas = Schemas::new(&registry);
        let r = Renderer {
            out: String::new(),
            color: false,
            schemas: &mut schemas,
        };
        assert_eq!(
            r.string(&Value::from("{\"a\":[1,true],\"b\":null}"), 1),
            "jsonencode(\n        {\n            a = [\n                1,\n                true,\n            ]\n            b = null\n        }\n    )"
        );
        assert_eq!(
            r.string(&Value::from("one\ntwo\n"), 1),
            "<<-EOT\n        one\n        two\n    EOT"
        );
        assert_eq!(r.string(&Value::from("[]"), 0), "jsonencode([])");
    }

    #[test]
    fn sensitive_values_of_the_json_form_mirror_the_value() {
        let v = Value::object([
            ("a", Value::from("x").mark_sensitive()),
            ("b", Value::from("y")),
            ("c", Value::List(vec![Value::from("z")])),
            ("d", Value::Map(BTreeMap::new())),
        ]);
        assert_eq!(
            sensitive_as_bool(&v),
            json!({"a": true, "c": [false], "d": {}})
        );
    }

    #[test]
    fn json_is_escaped_as_go_escapes_it() {
        assert_eq!(
            go_json(&json!({"a": "<b>&\u{2028}"})),
            r#"{"a":"\u003cb\u003e\u0026\u2028"}"#
        );
    }

    #[test]
    fn cty_type_json_is_read() {
        assert_eq!(
            type_from_json(&json!(["map", ["object", {"a": "string", "b": ["list", "number"]}]])),
            Some(Type::map(Type::Object(BTreeMap::from([
                ("a".to_owned(), Type::String),
                ("b".to_owned(), Type::list(Type::Number)),
            ]))))
        );
        assert_eq!(type_from_json(&json!(["nope"])), None);
    }
}
