//! Computing diffs from before/after values and a schema: a port of Terraform's
//! `jsonformat/differ` and `jsonformat/structured` packages. Terraform works on the JSON plan
//! (values with unknowns removed, plus mirrors saying where values are unknown or sensitive);
//! here the same information is read from [`Value`]'s `Unknown` and `Sensitive` variants.

use super::diff::{BlockGroup, Blocks, Diff, Kind};
use crate::Action;
use std::collections::{BTreeMap, BTreeSet};
use terrane_sdk::{Block, Nesting};
use terrane_types::{AttrPath, PathStep, Type, Value};

mod collections;

pub(crate) use collections::process_slice;
use collections::{process_set, transform_slice};

/// One step of a replace path, as in the JSON plan: a name (attribute or key) or an index.
#[derive(Clone, Debug, PartialEq)]
enum Step {
    Name(String),
    Index(usize),
}

/// The replace paths below the current value (Terraform's `PathMatcher` without propagation).
#[derive(Clone, Debug, Default)]
pub(crate) struct Matcher(Vec<Vec<Step>>);

impl Matcher {
    pub fn new(paths: &[AttrPath]) -> Matcher {
        Matcher(
            paths
                .iter()
                .map(|p| {
                    p.0.iter()
                        .map(|s| match s {
                            PathStep::Attr(a) | PathStep::Key(a) => Step::Name(a.clone()),
                            PathStep::Index(i) => Step::Index(*i),
                        })
                        .collect()
                })
                .collect(),
        )
    }

    fn matches(&self) -> bool {
        self.0.iter().any(Vec::is_empty)
    }

    fn child(&self, accept: impl Fn(&Step) -> bool) -> Matcher {
        Matcher(
            self.0
                .iter()
                .filter(|p| p.first().is_some_and(&accept))
                .map(|p| p[1..].to_vec())
                .collect(),
        )
    }

    fn key(&self, key: &str) -> Matcher {
        self.child(|s| matches!(s, Step::Name(n) if n == key))
    }

    fn index(&self, index: usize) -> Matcher {
        self.child(|s| match s {
            Step::Index(i) => *i == index,
            Step::Name(n) => n.parse::<f64>().is_ok_and(|f| f as usize == index),
        })
    }
}

/// Terraform's `structured.Change`: a value before and after, where `None` is absent and
/// `explicit` says whether the value was there at all (a null element vs. no element).
#[derive(Clone, Debug, Default)]
pub(crate) struct Change {
    pub before: Option<Value>,
    pub after: Option<Value>,
    pub before_explicit: bool,
    pub after_explicit: bool,
    /// `after` only carries which attributes are unknown; the value itself is null.
    pub after_mirror_only: bool,
    pub replace: Matcher,
    pub non_legacy: bool,
}

/// Null or unknown: what JSON writes as `null` (unknowns are left out of the JSON values).
fn nil(v: Option<&Value>) -> bool {
    v.is_none_or(|v| matches!(v.unmarked(), Value::Null(_) | Value::Unknown(_)))
}

fn entries(v: Option<&Value>) -> Option<&BTreeMap<String, Value>> {
    match v.map(Value::unmarked) {
        Some(Value::Map(m) | Value::Object(m)) => Some(m),
        _ => None,
    }
}

fn seq(v: Option<&Value>) -> Option<&[Value]> {
    match v.map(Value::unmarked) {
        Some(Value::List(s) | Value::Set(s) | Value::Tuple(s)) => Some(s),
        _ => None,
    }
}

/// The value as the JSON plan holds it, for comparisons: marks removed, unknowns null (or left
/// out of objects), every sequence a list and every mapping an object.
fn normalize(v: &Value) -> Value {
    match v.unmarked() {
        Value::Null(_) | Value::Unknown(_) => Value::null(),
        Value::List(s) | Value::Set(s) | Value::Tuple(s) => {
            Value::List(s.iter().map(normalize).collect())
        }
        Value::Map(m) | Value::Object(m) => Value::Object(
            m.iter()
                .filter(|(_, v)| !matches!(v.unmarked(), Value::Unknown(_)))
                .map(|(k, v)| (k.clone(), normalize(v)))
                .collect(),
        ),
        other => other.clone(),
    }
}

fn json_eq(a: Option<&Value>, b: Option<&Value>) -> bool {
    let null = Value::null();
    normalize(a.unwrap_or(&null)) == normalize(b.unwrap_or(&null))
}

/// The kinds of JSON value.
#[derive(Clone, Copy, PartialEq, Eq)]
enum JsonType {
    Null,
    Bool,
    Number,
    String,
    Object,
    Array,
}

fn json_type(v: Option<&Value>) -> JsonType {
    match v.map(Value::unmarked) {
        None | Some(Value::Null(_) | Value::Unknown(_)) => JsonType::Null,
        Some(Value::Bool(_)) => JsonType::Bool,
        Some(Value::Number(_)) => JsonType::Number,
        Some(Value::String(_)) => JsonType::String,
        Some(Value::Map(_) | Value::Object(_)) => JsonType::Object,
        Some(_) => JsonType::Array,
    }
}

/// Terraform's `CompareActions`.
fn compare(current: Action, next: Action) -> Action {
    if next == Action::NoOp {
        current
    } else if current != next {
        Action::Update
    } else {
        current
    }
}

impl Change {
    fn before_nil(&self) -> bool {
        nil(self.before.as_ref())
    }

    fn after_nil(&self) -> bool {
        self.after_mirror_only || nil(self.after.as_ref())
    }

    fn before_sensitive(&self) -> bool {
        self.before.as_ref().is_some_and(Value::is_sensitive)
    }

    fn after_sensitive(&self) -> bool {
        !self.after_mirror_only && self.after.as_ref().is_some_and(Value::is_sensitive)
    }

    fn is_unknown(&self) -> bool {
        !self.after_mirror_only
            && matches!(
                self.after.as_ref().map(Value::unmarked),
                Some(Value::Unknown(_))
            )
    }

    fn json_after(&self) -> Option<&Value> {
        if self.after_mirror_only {
            None
        } else {
            self.after.as_ref()
        }
    }

    fn calculate_action(&self) -> Action {
        let (bn, an) = (self.before_nil(), self.after_nil());
        if bn && !self.before_explicit && (!an || self.after_explicit) {
            return Action::Create;
        }
        if an && !self.after_explicit && (!bn || self.before_explicit) {
            return Action::Delete;
        }
        if json_eq(self.before.as_ref(), self.json_after())
            && self.after_explicit == self.before_explicit
            && self.after_sensitive() == self.before_sensitive()
        {
            return Action::NoOp;
        }
        Action::Update
    }

    fn default_action(&self) -> Action {
        match (self.before_nil(), self.after_nil()) {
            (true, true) => Action::NoOp,
            (true, false) => Action::Create,
            (false, true) => Action::Delete,
            (false, false) => Action::NoOp,
        }
    }

    fn without_marks(&self) -> Change {
        let unmark = |v: &Option<Value>| v.as_ref().map(|v| v.unmarked().clone());
        Change {
            before: unmark(&self.before),
            after: unmark(&self.after),
            ..self.clone()
        }
    }

    fn as_delete(&self) -> Change {
        Change {
            after: None,
            after_explicit: false,
            after_mirror_only: false,
            ..self.clone()
        }
    }

    fn as_create(&self) -> Change {
        Change {
            before: None,
            before_explicit: false,
            ..self.clone()
        }
    }

    /// The attribute, element or map entry `key`.
    fn key(&self, key: &str) -> Change {
        let before = entries(self.before.as_ref()).and_then(|m| m.get(key));
        let after = entries(self.after.as_ref()).and_then(|m| m.get(key));
        Change {
            before_explicit: before.is_some(),
            after_explicit: after.is_some() && !self.after_mirror_only,
            before: before.cloned(),
            after: after.cloned(),
            after_mirror_only: false,
            replace: self.replace.key(key),
            non_legacy: self.non_legacy,
        }
    }

    /// The keys of a map or object on either side.
    fn keys(&self) -> BTreeSet<String> {
        let mut keys = BTreeSet::new();
        for side in [self.before.as_ref(), self.after.as_ref()] {
            if let Some(m) = entries(side) {
                keys.extend(m.keys().cloned());
            }
        }
        keys
    }

    fn seqs(&self) -> (&[Value], &[Value]) {
        (
            seq(self.before.as_ref()).unwrap_or(&[]),
            seq(self.json_after()).unwrap_or(&[]),
        )
    }

    /// Element `bi` before and `ai` after (either may be out of range: absent).
    fn element(&self, bi: usize, ai: usize) -> Change {
        let (b, a) = self.seqs();
        let relevant = if bi < b.len() { bi } else { ai };
        Change {
            before_explicit: bi < b.len(),
            after_explicit: ai < a.len(),
            before: b.get(bi).cloned(),
            after: a.get(ai).cloned(),
            after_mirror_only: false,
            replace: self.replace.index(relevant),
            non_legacy: false,
        }
    }

    fn diff(&self, kind: Kind) -> Diff {
        Diff::new(kind, self.calculate_action(), self.replace.matches())
    }
}

/// `CheckForSensitive`: a sensitive value (on either side) is shown as such.
fn check_sensitive(
    change: &Change,
    inner: impl Fn(&Change) -> Diff,
    block: bool,
    replace: bool,
) -> Option<Diff> {
    let (bs, afs) = (change.before_sensitive(), change.after_sensitive());
    if !bs && !afs {
        return None;
    }
    let inner = inner(&change.without_marks());
    let mut action = inner.action;
    let null_noop = change.before_nil()
        && !change.before_explicit
        && change.after_nil()
        && !change.after_explicit;
    if action == Action::NoOp && bs != afs && !null_noop {
        action = Action::Update;
    }
    let inner = Box::new(inner);
    let kind = if block {
        Kind::SensitiveBlock {
            inner,
            before: bs,
            after: afs,
        }
    } else {
        Kind::Sensitive {
            inner,
            before: bs,
            after: afs,
        }
    };
    Some(Diff::new(kind, action, replace))
}

/// `CheckForUnknown`: an unknown value is `(known after apply)`, after its old value if any.
/// `children` are the attributes shown as unknown in the old value of a block.
fn check_unknown(
    change: &Change,
    children: Option<&Block>,
    before_diff: impl Fn(&Change) -> Diff,
) -> Option<Diff> {
    if !change.is_unknown() {
        return None;
    }
    let mut change = change.clone();
    change.after_explicit = true;
    if change.before_nil() {
        return Some(change.diff(Kind::Unknown { before: None }));
    }
    let mut before = change.as_delete();
    if let Some(block) = children {
        let mirror = block
            .attributes
            .keys()
            .map(|k| (k.clone(), Value::unknown()));
        before.after = Some(Value::object(mirror));
        before.after_mirror_only = true;
    }
    let before = Box::new(before_diff(&before));
    Some(change.diff(Kind::Unknown {
        before: Some(before),
    }))
}

/// Whether the schema uses something the legacy SDK could not, so empty strings are real values.
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

/// Marks a schema-sensitive attribute, as the JSON plan's sensitivity mirrors do.
fn mark(v: Option<Value>) -> Option<Value> {
    Some(v.unwrap_or_else(Value::null).mark_sensitive())
}

/// The diff of a whole resource object (or nested block) against its schema.
pub(crate) fn block_diff(change: &Change, block: &Block) -> Diff {
    let replace = change.replace.matches();
    if let Some(d) = check_sensitive(change, |c| block_diff(c, block), true, replace) {
        return d;
    }
    if let Some(d) = check_unknown(change, Some(block), |c| block_diff(c, block)) {
        return d;
    }
    let mut change = change.clone();
    change.non_legacy = change.non_legacy || non_legacy_schema(block);
    let mut current = change.default_action();
    let before_known = !change.before_nil();
    let after_known = !change.after_nil() && !change.is_unknown();

    let mut attrs = BTreeMap::new();
    for (name, attr) in &block.attributes {
        let mut child = change.key(name);
        if attr.sensitive {
            if before_known {
                child.before = mark(child.before);
            }
            if after_known {
                child.after = mark(child.after);
            }
        }
        child.before_explicit = false;
        child.after_explicit = false;
        let d = type_diff(&child, &attr.ty);
        if d.action == Action::NoOp && child.before_nil() && child.after_nil() {
            continue;
        }
        current = compare(current, d.action);
        attrs.insert(name.clone(), d);
    }

    let mut blocks = BTreeMap::new();
    for (name, nested) in &block.blocks {
        let child = change.key(name);
        let unknown = child.is_unknown();
        let (diffs, action) = match nested.nesting {
            Nesting::Single => {
                let d = block_diff(&child, &nested.block);
                let action = d.action;
                (Blocks::Single(Box::new(d)), action)
            }
            Nesting::List => {
                let mut action = child.default_action();
                let (b, a) = child.seqs();
                let mut list = Vec::new();
                for i in 0..b.len().max(a.len()) {
                    let d = block_diff(&child.element(i, i), &nested.block);
                    action = compare(action, d.action);
                    list.push(d);
                }
                (Blocks::List(list), action)
            }
            Nesting::Set => {
                let mut action = child.default_action();
                let mut list = Vec::new();
                process_set(&child, |c| {
                    let d = block_diff(c, &nested.block);
                    action = compare(action, d.action);
                    list.push(d);
                });
                (Blocks::Set(list), action)
            }
            Nesting::Map => {
                let mut action = map_default_action(&child);
                let mut map = BTreeMap::new();
                for key in child.keys() {
                    let d = block_diff(&child.key(&key), &nested.block);
                    action = compare(action, d.action);
                    map.insert(key, d);
                }
                (Blocks::Map(map), action)
            }
        };
        if action == Action::NoOp && child.before_nil() && child.after_nil() && !unknown {
            continue;
        }
        current = compare(current, action);
        let group = BlockGroup {
            blocks: diffs,
            replace: child.replace.matches(),
            before_sensitive: child.before_sensitive(),
            after_sensitive: child.after_sensitive(),
            unknown,
        };
        blocks.insert(name.clone(), group);
    }
    Diff::new(Kind::Block { attrs, blocks }, current, replace)
}

/// `TransformMap`'s starting action: from whether there is a map before and after.
fn map_default_action(change: &Change) -> Action {
    let b = entries(change.before.as_ref()).is_some();
    let a = entries(change.json_after()).is_some();
    match (b, a) {
        (true, false) => Action::Delete,
        (false, true) => Action::Create,
        _ => Action::NoOp,
    }
}

/// `TransformSlice`'s starting action.
fn slice_default_action(change: &Change) -> Action {
    let b = seq(change.before.as_ref()).is_some();
    let a = seq(change.json_after()).is_some();
    match (b, a) {
        (true, false) => Action::Delete,
        (false, true) => Action::Create,
        _ => Action::NoOp,
    }
}

/// The diff of an attribute value of type `ty`.
pub(crate) fn type_diff(change: &Change, ty: &Type) -> Diff {
    let mut change = change.clone();
    if !change.non_legacy {
        // The legacy SDK cannot tell empty strings from nulls: neither can the plan.
        for side in [&mut change.before, &mut change.after] {
            if let Some(v) = side
                && v.as_str() == Some("")
            {
                *v = Value::null().with_mark(v.is_sensitive());
            }
        }
    }
    let change = &change;
    let replace = change.replace.matches();
    if let Some(d) = check_sensitive(change, |c| type_diff(c, ty), false, replace) {
        return d;
    }
    if let Some(d) = check_unknown(change, None, |c| type_diff(c, ty)) {
        return d;
    }
    match ty {
        Type::Dynamic => output_diff(change),
        Type::String => change.diff(Kind::Primitive {
            before: change.before.clone(),
            after: change.after.clone(),
            string: true,
        }),
        Type::Number | Type::Bool => change.diff(Kind::Primitive {
            before: change.before.clone(),
            after: change.after.clone(),
            string: false,
        }),
        Type::Object(attr_types) => {
            let mut current = change.default_action();
            let mut attrs = BTreeMap::new();
            for (name, t) in attr_types {
                let mut child = change.key(name);
                child.before_explicit = false;
                child.after_explicit = false;
                let d = type_diff(&child, t);
                if d.action == Action::NoOp && child.before_nil() && child.after_nil() {
                    continue;
                }
                current = compare(current, d.action);
                attrs.insert(name.clone(), d);
            }
            let kind = Kind::Object {
                attrs,
                override_null_suffix: true,
            };
            Diff::new(kind, current, replace)
        }
        Type::Map(elem) => {
            let mut current = map_default_action(change);
            let mut elems = BTreeMap::new();
            for key in change.keys() {
                let d = type_diff(&change.key(&key), elem);
                current = compare(current, d.action);
                elems.insert(key, d);
            }
            let kind = Kind::Map {
                elems,
                align_keys: true,
                override_null_suffix: false,
                override_forces_replacement: false,
            };
            Diff::new(kind, current, replace)
        }
        Type::List(elem) => {
            let is_object = matches!(**elem, Type::Object(_));
            let (elems, current) = transform_slice(change, |_| is_object, |c| type_diff(c, elem));
            let kind = Kind::List {
                elems,
                display_context: true,
            };
            Diff::new(kind, current, replace)
        }
        Type::Tuple(types) => {
            let mut current = change.default_action();
            let mut elems = Vec::new();
            for (i, t) in types.iter().enumerate() {
                let d = type_diff(&change.element(i, i), t);
                current = compare(current, d.action);
                elems.push(d);
            }
            let kind = Kind::List {
                elems,
                display_context: true,
            };
            Diff::new(kind, current, replace)
        }
        Type::Set(elem) => {
            let mut current = change.default_action();
            let mut elems = Vec::new();
            process_set(change, |c| {
                let d = type_diff(c, elem);
                current = compare(current, d.action);
                elems.push(d);
            });
            let kind = Kind::Set {
                elems,
                override_forces_replacement: false,
            };
            Diff::new(kind, current, replace)
        }
    }
}

/// The diff of an output value (or a value of no known type), read as JSON.
pub(crate) fn output_diff(change: &Change) -> Diff {
    let replace = change.replace.matches();
    let dynamic = |c: &Change| type_diff(c, &Type::Dynamic);
    if let Some(d) = check_sensitive(change, dynamic, false, replace) {
        return d;
    }
    if let Some(d) = check_unknown(change, None, dynamic) {
        return d;
    }
    json_transform(change)
}

/// Terraform's `jsondiff.Transform`: a diff of JSON-shaped values (objects, arrays, primitives).
pub(crate) fn json_transform(change: &Change) -> Diff {
    if let Some(d) = check_sensitive(change, json_transform, false, false) {
        return d;
    }
    if change.is_unknown() {
        let mut c = change.clone();
        c.after_explicit = true;
        if c.before_nil() {
            return Diff::new(Kind::Unknown { before: None }, Action::Create, false);
        }
        let before = Box::new(json_transform(&c.as_delete()));
        let kind = Kind::Unknown {
            before: Some(before),
        };
        return Diff::new(kind, Action::Update, false);
    }
    let bt = json_type(change.before.as_ref());
    let at = json_type(change.json_after());
    let deleted = at == JsonType::Null && !change.after_explicit;
    let created = bt == JsonType::Null && !change.before_explicit;
    if bt == at || created || deleted {
        let target = if bt == JsonType::Null { at } else { bt };
        return json_update(change, target);
    }
    let before = Box::new(json_update(&change.as_delete(), bt));
    let after = Box::new(json_update(&change.as_create(), at));
    Diff::new(Kind::TypeChange { before, after }, Action::Update, false)
}

fn json_update(change: &Change, target: JsonType) -> Diff {
    match target {
        JsonType::Object => {
            let mut current = map_default_action(change);
            let mut attrs = BTreeMap::new();
            for key in change.keys() {
                let d = json_transform(&change.key(&key));
                current = compare(current, d.action);
                attrs.insert(key, d);
            }
            let kind = Kind::Object {
                attrs,
                override_null_suffix: true,
            };
            Diff::new(kind, current, false)
        }
        JsonType::Array => {
            let is_object = |v: &Value| json_type(Some(v)) == JsonType::Object;
            let (elems, current) = transform_slice(change, is_object, json_transform);
            let kind = Kind::List {
                elems,
                display_context: true,
            };
            Diff::new(kind, current, false)
        }
        _ => {
            let before_missing = change.before_nil() && !change.before_explicit;
            let after_missing = change.after_nil() && !change.after_explicit;
            let action = if before_missing && !after_missing {
                Action::Create
            } else if !before_missing && after_missing {
                Action::Delete
            } else if json_eq(change.before.as_ref(), change.json_after()) {
                Action::NoOp
            } else {
                Action::Update
            };
            let kind = Kind::Primitive {
                before: change.before.clone(),
                after: change.json_after().cloned(),
                string: target == JsonType::String,
            };
            Diff::new(kind, action, false)
        }
    }
}
