//! Schemas of resources, data sources and provider blocks: attributes with their types and
//! roles, nested blocks, and the typed reading of state JSON they allow.

use std::collections::BTreeMap;
use terrane_types::{Number, Type, Value};

/// A resource's (or data source's, or provider block's) schema, with its state version.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Schema {
    /// Stored in state as `schema_version`; [`crate::Resource::upgrade_state`] upgrades older ones.
    pub version: u64,
    pub block: Block,
}

impl Schema {
    pub fn new(block: Block) -> Schema {
        Schema { version: 0, block }
    }

    pub fn with_version(mut self, version: u64) -> Schema {
        self.version = version;
        self
    }
}

/// The body of a block: its arguments and nested block types.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Block {
    pub attributes: BTreeMap<String, Attribute>,
    pub blocks: BTreeMap<String, NestedBlock>,
    pub description: String,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Attribute {
    pub ty: Type,
    /// Must be set in the configuration.
    pub required: bool,
    /// May be set in the configuration.
    pub optional: bool,
    /// Set by the provider (alone, or when the configuration leaves it unset if also optional).
    pub computed: bool,
    /// Never shown in plans or output.
    pub sensitive: bool,
    /// A change replaces the object instead of updating it.
    pub force_new: bool,
    pub description: String,
}

impl Attribute {
    fn of(ty: Type) -> Attribute {
        Attribute {
            ty,
            required: false,
            optional: false,
            computed: false,
            sensitive: false,
            force_new: false,
            description: String::new(),
        }
    }

    pub fn required(ty: Type) -> Attribute {
        Attribute {
            required: true,
            ..Attribute::of(ty)
        }
    }

    pub fn optional(ty: Type) -> Attribute {
        Attribute {
            optional: true,
            ..Attribute::of(ty)
        }
    }

    /// Set by the provider only.
    pub fn computed(ty: Type) -> Attribute {
        Attribute {
            computed: true,
            ..Attribute::of(ty)
        }
    }

    /// Optional in the configuration; computed by the provider when not set.
    pub fn optional_computed(ty: Type) -> Attribute {
        Attribute {
            optional: true,
            computed: true,
            ..Attribute::of(ty)
        }
    }

    pub fn sensitive(mut self) -> Attribute {
        self.sensitive = true;
        self
    }

    pub fn force_new(mut self) -> Attribute {
        self.force_new = true;
        self
    }

    pub fn describe(mut self, description: &str) -> Attribute {
        self.description = description.to_owned();
        self
    }
}

/// How many of a nested block there may be, and how they are kept.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Nesting {
    /// At most one: the value is an object or null.
    Single,
    /// An ordered list of objects.
    List,
    /// A set of objects.
    Set,
    /// Blocks with one label, kept as a map by label.
    Map,
}

#[derive(Clone, Debug, PartialEq)]
pub struct NestedBlock {
    pub nesting: Nesting,
    pub block: Block,
    pub min_items: usize,
    /// 0 for no limit.
    pub max_items: usize,
    /// Changes to anything inside replace the object.
    pub force_new: bool,
}

impl NestedBlock {
    pub fn new(nesting: Nesting, block: Block) -> NestedBlock {
        NestedBlock {
            nesting,
            block,
            min_items: 0,
            max_items: if nesting == Nesting::Single { 1 } else { 0 },
            force_new: false,
        }
    }

    pub fn force_new(mut self) -> NestedBlock {
        self.force_new = true;
        self
    }

    pub fn items(mut self, min: usize, max: usize) -> NestedBlock {
        self.min_items = min;
        self.max_items = max;
        self
    }
}

impl Block {
    pub fn new() -> Block {
        Block::default()
    }

    pub fn attr(mut self, name: &str, attribute: Attribute) -> Block {
        self.attributes.insert(name.to_owned(), attribute);
        self
    }

    pub fn block(mut self, name: &str, block: NestedBlock) -> Block {
        self.blocks.insert(name.to_owned(), block);
        self
    }

    pub fn describe(mut self, description: &str) -> Block {
        self.description = description.to_owned();
        self
    }

    /// The type of an object with this block's attributes and nested blocks.
    pub fn value_type(&self) -> Type {
        let mut attrs: BTreeMap<String, Type> = self
            .attributes
            .iter()
            .map(|(k, a)| (k.clone(), a.ty.clone()))
            .collect();
        for (k, b) in &self.blocks {
            let t = b.block.value_type();
            attrs.insert(
                k.clone(),
                match b.nesting {
                    Nesting::Single => t,
                    Nesting::List => Type::list(t),
                    Nesting::Set => Type::set(t),
                    Nesting::Map => Type::map(t),
                },
            );
        }
        Type::Object(attrs)
    }

    /// Reads a state object (the `attributes` of a state instance) with the schema's types:
    /// numbers stay exact, sets become sets, missing attributes become typed nulls.
    pub fn value_from_json(&self, json: &serde_json::Value) -> Result<Value, String> {
        typed_from_json(&self.value_type(), json, "")
    }

    /// Writes an object of this block as state JSON, as Terraform does: attributes of dynamic
    /// type carry their type (`{"value": ..., "type": ...}`) so lists, sets and tuples come
    /// back as what they were. `None` if the value is not wholly known.
    pub fn value_to_json(&self, value: &Value) -> Option<serde_json::Value> {
        typed_to_json(&self.value_type(), value)
    }

    /// Names of the attributes whose values are sensitive (top level).
    pub fn sensitive_attributes(&self) -> impl Iterator<Item = &str> {
        self.attributes
            .iter()
            .filter(|(_, a)| a.sensitive)
            .map(|(k, _)| k.as_str())
    }
}

/// Writes a value of type `ty` as state JSON (dynamic parts wrapped with their type).
pub fn typed_to_json(ty: &Type, value: &Value) -> Option<serde_json::Value> {
    use serde_json::Value as J;
    let value = value.unmarked();
    match (ty, value) {
        (_, Value::Null(_)) => Some(J::Null),
        (_, Value::Unknown(_)) => None,
        (Type::Dynamic, v) => Some(serde_json::json!({
            "value": v.clone().unmark_deep().0.to_json()?,
            "type": type_to_json(&v.ty()),
        })),
        (
            Type::List(e) | Type::Set(e),
            Value::List(items) | Value::Set(items) | Value::Tuple(items),
        ) => Some(J::Array(
            items
                .iter()
                .map(|i| typed_to_json(e, i))
                .collect::<Option<_>>()?,
        )),
        (Type::Tuple(es), Value::Tuple(items) | Value::List(items)) => Some(J::Array(
            es.iter()
                .zip(items)
                .map(|(t, i)| typed_to_json(t, i))
                .collect::<Option<_>>()?,
        )),
        (Type::Map(e), Value::Map(m) | Value::Object(m)) => Some(J::Object(
            m.iter()
                .map(|(k, v)| Some((k.clone(), typed_to_json(e, v)?)))
                .collect::<Option<_>>()?,
        )),
        (Type::Object(attrs), Value::Object(m) | Value::Map(m)) => Some(J::Object(
            attrs
                .iter()
                .map(|(k, t)| {
                    let v = m.get(k).map_or(Some(J::Null), |v| typed_to_json(t, v))?;
                    Some((k.clone(), v))
                })
                .collect::<Option<_>>()?,
        )),
        (_, v) => v.clone().unmark_deep().0.to_json(),
    }
}

/// cty's JSON for a type: `"string"`, `["list","string"]`, `["object",{"a":"number"}]`.
pub fn type_to_json(t: &Type) -> serde_json::Value {
    use serde_json::json;
    match t {
        Type::Dynamic => json!("dynamic"),
        Type::String => json!("string"),
        Type::Number => json!("number"),
        Type::Bool => json!("bool"),
        Type::List(e) => json!(["list", type_to_json(e)]),
        Type::Set(e) => json!(["set", type_to_json(e)]),
        Type::Map(e) => json!(["map", type_to_json(e)]),
        Type::Tuple(es) => json!(["tuple", es.iter().map(type_to_json).collect::<Vec<_>>()]),
        Type::Object(attrs) => json!([
            "object",
            attrs
                .iter()
                .map(|(k, t)| (k.clone(), type_to_json(t)))
                .collect::<serde_json::Map<_, _>>()
        ]),
    }
}

/// Reads cty's JSON for a type.
pub fn type_from_json(j: &serde_json::Value) -> Option<Type> {
    use serde_json::Value as J;
    match j {
        J::String(s) => match s.as_str() {
            "string" => Some(Type::String),
            "number" => Some(Type::Number),
            "bool" => Some(Type::Bool),
            "dynamic" => Some(Type::Dynamic),
            _ => None,
        },
        J::Array(parts) => match (parts.first()?.as_str()?, parts.get(1)?) {
            ("list", e) => Some(Type::list(type_from_json(e)?)),
            ("set", e) => Some(Type::set(type_from_json(e)?)),
            ("map", e) => Some(Type::map(type_from_json(e)?)),
            ("tuple", J::Array(es)) => Some(Type::Tuple(
                es.iter().map(type_from_json).collect::<Option<_>>()?,
            )),
            ("object", J::Object(attrs)) => Some(Type::Object(
                attrs
                    .iter()
                    .map(|(k, t)| Some((k.clone(), type_from_json(t)?)))
                    .collect::<Option<_>>()?,
            )),
            _ => None,
        },
        _ => None,
    }
}

/// Reads JSON as a value of type `ty`; `at` names the place for error messages.
pub fn typed_from_json(ty: &Type, json: &serde_json::Value, at: &str) -> Result<Value, String> {
    use serde_json::Value as J;
    let wrong = |want: &str| Err(format!("{}: expected {want}, found {json}", display_at(at)));
    match (ty, json) {
        (_, J::Null) => Ok(Value::Null(ty.clone())),
        // Terraform writes dynamic values with their type.
        (Type::Dynamic, J::Object(m))
            if m.len() == 2
                && m.contains_key("value")
                && let Some(t) = m.get("type").and_then(type_from_json) =>
        {
            typed_from_json(&t, &m["value"], at)
        }
        (Type::Dynamic, j) => Ok(Value::from_json(j)),
        (Type::String, J::String(s)) => Ok(Value::String(s.clone())),
        (Type::String, J::Number(n)) => Ok(Value::String(n.to_string())),
        (Type::String, J::Bool(b)) => Ok(Value::String(b.to_string())),
        (Type::String, _) => wrong("a string"),
        (Type::Number, J::Number(n)) => Number::parse(&n.to_string())
            .map(Value::Number)
            .ok_or_else(|| format!("{}: invalid number {n}", display_at(at))),
        (Type::Number, J::String(s)) => Number::parse(s)
            .map(Value::Number)
            .ok_or_else(|| format!("{}: invalid number {s:?}", display_at(at))),
        (Type::Number, _) => wrong("a number"),
        (Type::Bool, J::Bool(b)) => Ok(Value::Bool(*b)),
        (Type::Bool, J::String(s)) if s == "true" || s == "false" => Ok(Value::Bool(s == "true")),
        (Type::Bool, _) => wrong("a bool"),
        (Type::List(e) | Type::Set(e), J::Array(items)) => {
            let values = items
                .iter()
                .enumerate()
                .map(|(i, j)| typed_from_json(e, j, &format!("{at}[{i}]")))
                .collect::<Result<Vec<_>, _>>()?;
            Ok(if matches!(ty, Type::Set(_)) {
                Value::set(values)
            } else {
                Value::List(values)
            })
        }
        (Type::List(_) | Type::Set(_), _) => wrong("an array"),
        (Type::Tuple(es), J::Array(items)) if es.len() == items.len() => Ok(Value::Tuple(
            es.iter()
                .zip(items)
                .enumerate()
                .map(|(i, (t, j))| typed_from_json(t, j, &format!("{at}[{i}]")))
                .collect::<Result<_, _>>()?,
        )),
        (Type::Tuple(_), _) => wrong("an array of the tuple's length"),
        (Type::Map(e), J::Object(items)) => Ok(Value::Map(
            items
                .iter()
                .map(|(k, j)| Ok((k.clone(), typed_from_json(e, j, &format!("{at}[{k:?}]"))?)))
                .collect::<Result<_, String>>()?,
        )),
        (Type::Map(_), _) => wrong("an object"),
        (Type::Object(attrs), J::Object(items)) => Ok(Value::Object(
            attrs
                .iter()
                .map(|(k, t)| {
                    let place = if at.is_empty() {
                        k.clone()
                    } else {
                        format!("{at}.{k}")
                    };
                    let v = match items.get(k) {
                        Some(j) => typed_from_json(t, j, &place)?,
                        None => Value::Null(t.clone()),
                    };
                    Ok((k.clone(), v))
                })
                .collect::<Result<_, String>>()?,
        )),
        (Type::Object(_), _) => wrong("an object"),
    }
}

fn display_at(at: &str) -> &str {
    if at.is_empty() { "value" } else { at }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn schema() -> Block {
        Block::new()
            .attr("name", Attribute::required(Type::String))
            .attr("id", Attribute::computed(Type::String))
            .attr("ports", Attribute::optional(Type::set(Type::Number)))
            .block(
                "ingress",
                NestedBlock::new(
                    Nesting::List,
                    Block::new().attr("cidr", Attribute::required(Type::String)),
                ),
            )
    }

    #[test]
    fn state_json_is_read_with_the_schemas_types() {
        let json = serde_json::json!({
            "name": "web",
            "ports": [443, 80, 80],
            "ingress": [{"cidr": "0.0.0.0/0"}],
        });
        let v = schema().value_from_json(&json).unwrap();
        assert_eq!(v.get_attr("id"), Some(&Value::Null(Type::String)));
        assert_eq!(
            v.get_attr("ports"),
            Some(&Value::set(vec![Value::from(80), Value::from(443)]))
        );
        assert_eq!(
            v.get_attr("ingress").unwrap().as_seq().unwrap()[0].get_attr("cidr"),
            Some(&Value::from("0.0.0.0/0"))
        );
    }

    #[test]
    fn dynamic_values_keep_their_type_through_state_json() {
        let block = Block::new().attr("input", Attribute::optional(Type::Dynamic));
        for v in [
            Value::List(vec![Value::from("a"), Value::from("b")]),
            Value::set(vec![Value::from("q")]),
            Value::Tuple(vec![Value::from(1), Value::Bool(true)]),
            Value::object([("x", Value::from(1))]),
        ] {
            let obj = Value::object([("input", v.clone())]);
            let json = block.value_to_json(&obj).unwrap();
            assert_eq!(json["input"]["type"], type_to_json(&v.ty()));
            let back = block.value_from_json(&json).unwrap();
            assert_eq!(back.get_attr("input"), Some(&v));
        }
    }

    #[test]
    fn mistyped_state_says_where() {
        let json = serde_json::json!({"name": ["no"]});
        assert_eq!(
            schema().value_from_json(&json).unwrap_err(),
            "name: expected a string, found [\"no\"]"
        );
    }
}
