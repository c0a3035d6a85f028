//! The names visible to expressions in one module instance: `var`, `local`, `module`, resource
//! types, `data`, `path`, `terraform`, and per-block `count` / `each` / `self` on top.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use terrane_config::{Mode, ModuleNode, Resource};
use terrane_lang::eval::Scope;
use terrane_types::Value;

/// The names visible in one module: `var`, `local`, `module`, resource types, `data`, `path`,
/// `terraform`, and per-resource `count` / `each` / `self`.
pub(crate) struct ModuleScope {
    pub(crate) roots: BTreeMap<String, Value>,
    pub(crate) dir: PathBuf,
}

impl Scope for ModuleScope {
    fn lookup(&self, name: &str) -> Option<&Value> {
        self.roots.get(name)
    }

    fn names(&self) -> Vec<String> {
        self.roots.keys().cloned().collect()
    }
}

impl ModuleScope {
    pub(crate) fn new(m: &ModuleNode, root_dir: &Path, cwd: &Path) -> ModuleScope {
        let mut roots = BTreeMap::new();
        roots.insert("var".into(), Value::Object(BTreeMap::new()));
        roots.insert("local".into(), Value::Object(BTreeMap::new()));
        roots.insert("module".into(), Value::Object(BTreeMap::new()));
        roots.insert(
            "path".into(),
            Value::object([
                ("module", Value::string(path_text(&m.module.dir))),
                ("root", Value::string(path_text(root_dir))),
                ("cwd", Value::string(path_text(cwd))),
            ]),
        );
        roots.insert(
            "terraform".into(),
            Value::object([
                ("workspace", Value::from("default")),
                ("applying", Value::Bool(false)),
            ]),
        );
        ModuleScope {
            roots,
            dir: cwd.to_path_buf(),
        }
    }

    /// Sets `root.name` (e.g. `var.region`), creating the root object if needed.
    pub(crate) fn set(&mut self, root: &str, name: &str, value: Value) {
        let entry = self
            .roots
            .entry(root.to_owned())
            .or_insert_with(|| Value::Object(BTreeMap::new()));
        if let Value::Object(m) = entry {
            m.insert(name.to_owned(), value);
        }
    }

    pub(crate) fn set_resource(&mut self, r: &Resource, value: Value) {
        match r.mode {
            Mode::Managed => self.set(&r.type_name, &r.name, value),
            Mode::Data => {
                let data = self
                    .roots
                    .entry("data".into())
                    .or_insert_with(|| Value::Object(BTreeMap::new()));
                if let Value::Object(types) = data {
                    let t = types
                        .entry(r.type_name.clone())
                        .or_insert_with(|| Value::Object(BTreeMap::new()));
                    if let Value::Object(names) = t {
                        names.insert(r.name.clone(), value);
                    }
                }
            }
        }
    }
}

fn path_text(p: &Path) -> String {
    let s = p.to_string_lossy().replace('\\', "/");
    if s.is_empty() { ".".into() } else { s }
}

/// A scope layered over a module's: `count`, `each`, `self` for one resource body.
pub(crate) struct Layered<'a> {
    pub(crate) base: &'a ModuleScope,
    pub(crate) extra: BTreeMap<String, Value>,
}

impl Scope for Layered<'_> {
    fn lookup(&self, name: &str) -> Option<&Value> {
        self.extra.get(name).or_else(|| self.base.lookup(name))
    }

    fn names(&self) -> Vec<String> {
        let mut n = self.base.names();
        n.extend(self.extra.keys().cloned());
        n
    }
}
