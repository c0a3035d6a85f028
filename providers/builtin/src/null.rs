//! The null provider (`hashicorp/null`): `null_resource`, which does nothing but get replaced
//! when its `triggers` change, and the `null_data_source` data source, which echoes its inputs.

use crate::rng::Rng;
use crate::util::{Catalog, allow_in_place, map_change_replaces, with_attrs};
use async_trait::async_trait;
use std::sync::Arc;
use terrane_sdk::{
    ApplyCtx, Attribute, Block, DataSource, PlannedChange, Provider, ProviderError,
    ProviderFactory, Resource, Schema, plan_default,
};
use terrane_types::{Type, Value};

pub struct NullProvider;

fn catalog() -> Catalog {
    Catalog::default()
        .resource("null_resource", NullResource::new())
        .data_source("null_data_source", NullDataSource::new())
}

#[async_trait]
impl ProviderFactory for NullProvider {
    fn name(&self) -> &'static str {
        "null"
    }
    fn source(&self) -> &'static str {
        "hashicorp/null"
    }
    fn config_schema(&self) -> Schema {
        Schema::default()
    }
    fn resource_schemas(&self) -> Vec<(&'static str, Schema)> {
        catalog().resource_schemas()
    }
    fn data_source_schemas(&self) -> Vec<(&'static str, Schema)> {
        catalog().data_source_schemas()
    }
    async fn configure(&self, _config: &Value) -> Result<Arc<dyn Provider>, ProviderError> {
        Ok(Arc::new(catalog()))
    }
}

/// Go's `rand.Int()` as text: a non-negative 63-bit number.
fn random_int_text() -> String {
    (Rng::from_entropy().next_u64() >> 1).to_string()
}

pub struct NullResource {
    schema: Schema,
}

impl NullResource {
    pub fn new() -> NullResource {
        let block = Block::new()
            .describe("A resource that does nothing, replaced when its triggers change.")
            .attr(
                "triggers",
                Attribute::optional(Type::map(Type::String))
                    .force_new()
                    .describe("Values whose change replaces the resource."),
            )
            .attr("id", Attribute::computed(Type::String));
        NullResource {
            schema: Schema::new(block),
        }
    }
}

impl Default for NullResource {
    fn default() -> Self {
        NullResource::new()
    }
}

#[async_trait]
impl Resource for NullResource {
    fn schema(&self) -> &Schema {
        &self.schema
    }

    async fn plan(
        &self,
        prior: Option<&Value>,
        config: &Value,
    ) -> Result<PlannedChange, ProviderError> {
        let change = plan_default(&self.schema, prior, config);
        Ok(match prior.filter(|p| !p.is_null()) {
            Some(p)
                if !map_change_replaces(p.get_attr("triggers"), config.get_attr("triggers")) =>
            {
                allow_in_place(&self.schema, p, config, change, "triggers")
            }
            _ => change,
        })
    }

    async fn create(&self, planned: &Value, _ctx: &ApplyCtx) -> Result<Value, ProviderError> {
        Ok(with_attrs(
            planned,
            [("id", Value::from(random_int_text()))],
        ))
    }

    async fn update(
        &self,
        _prior: &Value,
        planned: &Value,
        _ctx: &ApplyCtx,
    ) -> Result<Value, ProviderError> {
        Ok(planned.clone())
    }

    async fn delete(&self, _prior: &Value, _ctx: &ApplyCtx) -> Result<(), ProviderError> {
        Ok(())
    }
}

pub struct NullDataSource {
    schema: Schema,
}

impl NullDataSource {
    pub fn new() -> NullDataSource {
        let block = Block::new()
            .describe("Deprecated: echoes `inputs` as `outputs` (use locals instead).")
            .attr("inputs", Attribute::optional(Type::map(Type::String)))
            .attr("outputs", Attribute::computed(Type::map(Type::String)))
            .attr("random", Attribute::computed(Type::String))
            .attr(
                "has_computed_default",
                Attribute::optional_computed(Type::String),
            )
            .attr("id", Attribute::computed(Type::String));
        NullDataSource {
            schema: Schema::new(block),
        }
    }
}

impl Default for NullDataSource {
    fn default() -> Self {
        NullDataSource::new()
    }
}

#[async_trait]
impl DataSource for NullDataSource {
    fn schema(&self) -> &Schema {
        &self.schema
    }

    async fn read(&self, config: &Value) -> Result<Value, ProviderError> {
        let inputs = config
            .get_attr("inputs")
            .cloned()
            .unwrap_or(Value::Null(Type::map(Type::String)));
        let default = match config.get_attr("has_computed_default") {
            Some(v) if !v.is_null() => v.clone(),
            _ => Value::from("default"),
        };
        Ok(with_attrs(
            config,
            [
                ("outputs", inputs),
                ("random", Value::from(random_int_text())),
                ("has_computed_default", default),
                ("id", Value::from("static")),
            ],
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use terrane_types::AttrPath;

    fn config(triggers: Value) -> Value {
        Value::object([("triggers", triggers)])
    }

    async fn created(triggers: Value) -> Value {
        let r = NullResource::new();
        let p = r.plan(None, &config(triggers)).await.unwrap();
        r.create(&p.planned, &ApplyCtx::silent()).await.unwrap()
    }

    #[test]
    fn null_resource_triggers_are_an_optional_replacing_map_of_strings() {
        let r = NullResource::new();
        let t = &r.schema().block.attributes["triggers"];
        assert!(t.optional && t.force_new && t.ty == Type::map(Type::String));
        assert!(r.schema().block.attributes["id"].computed);
    }

    #[tokio::test]
    async fn create_sets_a_numeric_id() {
        let s = created(Value::map([("a", Value::from("1"))])).await;
        assert!(s.is_wholly_known());
        let id = s.get_attr("id").and_then(Value::as_str).unwrap();
        assert!(id.parse::<u64>().is_ok());
    }

    #[tokio::test]
    async fn unchanged_triggers_plan_no_change_and_changed_ones_replace() {
        let prior = created(Value::map([("a", Value::from("1"))])).await;
        let r = NullResource::new();
        let same = r
            .plan(Some(&prior), &config(Value::map([("a", Value::from("1"))])))
            .await
            .unwrap();
        assert_eq!(same.planned, prior);
        assert!(same.requires_replace.is_empty());
        let changed = r
            .plan(Some(&prior), &config(Value::map([("a", Value::from("2"))])))
            .await
            .unwrap();
        assert_eq!(changed.requires_replace, vec![AttrPath::attr("triggers")]);
        assert_eq!(
            changed.planned.get_attr("id"),
            Some(&Value::Unknown(Type::String))
        );
    }

    #[tokio::test]
    async fn the_data_source_echoes_inputs_and_fills_the_default() {
        let d = NullDataSource::new();
        let inputs = Value::map([("k", Value::from("v"))]);
        let v = d
            .read(&Value::object([
                ("inputs", inputs.clone()),
                ("has_computed_default", Value::Null(Type::String)),
            ]))
            .await
            .unwrap();
        assert_eq!(v.get_attr("outputs"), Some(&inputs));
        assert_eq!(
            v.get_attr("has_computed_default"),
            Some(&Value::from("default"))
        );
        assert_eq!(v.get_attr("id"), Some(&Value::from("static")));
    }
}
