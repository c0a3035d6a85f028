//! Terraform's built-in provider (`terraform.io/builtin/terraform`): the `terraform_data`
//! resource, which stores a value through the resource lifecycle.
//!
//! `input` changes update in place and `output` follows it (unknown until apply); a change of
//! `triggers_replace` replaces the object, with a new `id`.

use crate::util::{Catalog, same, with_attrs};
use async_trait::async_trait;
use std::sync::Arc;
use terrane_sdk::{
    ApplyCtx, Attribute, Block, PlannedChange, Provider, ProviderError, ProviderFactory, Resource,
    Schema,
};
use terrane_types::{AttrPath, Type, Value};

pub struct TerraformProvider;

fn catalog() -> Catalog {
    Catalog::default().resource("terraform_data", TerraformData::new())
}

#[async_trait]
impl ProviderFactory for TerraformProvider {
    fn name(&self) -> &'static str {
        "terraform"
    }
    fn source(&self) -> &'static str {
        "terraform.io/builtin/terraform"
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

pub struct TerraformData {
    schema: Schema,
}

impl TerraformData {
    pub fn new() -> TerraformData {
        let block = Block::new()
            .describe("Stores a value that follows the resource lifecycle.")
            .attr(
                "input",
                Attribute::optional(Type::Dynamic)
                    .describe("A value to store; `output` reflects it after apply."),
            )
            .attr(
                "output",
                Attribute::computed(Type::Dynamic).describe("The value of `input` after apply."),
            )
            .attr(
                "triggers_replace",
                Attribute::optional(Type::Dynamic)
                    .force_new()
                    .describe("A value whose change replaces the resource."),
            )
            .attr("id", Attribute::computed(Type::String));
        TerraformData {
            schema: Schema::new(block),
        }
    }
}

impl Default for TerraformData {
    fn default() -> Self {
        TerraformData::new()
    }
}

fn attr(v: &Value, name: &str) -> Value {
    v.get_attr(name).cloned().unwrap_or(Value::null())
}

/// What `output` plans as for a new object: the input's null, or unknown of its type.
fn fresh_output(input: &Value) -> Value {
    if input.is_null() {
        input.clone()
    } else {
        Value::Unknown(input.ty())
    }
}

#[async_trait]
impl Resource for TerraformData {
    fn schema(&self) -> &Schema {
        &self.schema
    }

    async fn plan(
        &self,
        prior: Option<&Value>,
        config: &Value,
    ) -> Result<PlannedChange, ProviderError> {
        let input = attr(config, "input");
        let triggers = attr(config, "triggers_replace");
        let base = Value::object([
            ("input", input.clone()),
            ("triggers_replace", triggers.clone()),
        ]);
        let prior = prior.filter(|p| !p.is_null());
        let fresh = |requires_replace: Vec<AttrPath>| PlannedChange {
            planned: with_attrs(
                &base,
                [
                    ("id", Value::Unknown(Type::String)),
                    ("output", fresh_output(&input)),
                ],
            ),
            requires_replace,
            notes: Vec::new(),
            warnings: Vec::new(),
        };
        let Some(prior) = prior else {
            return Ok(fresh(Vec::new()));
        };
        if !same(prior.get_attr("triggers_replace"), Some(&triggers)) {
            return Ok(fresh(vec![AttrPath::attr("triggers_replace")]));
        }
        let output = if same(prior.get_attr("input"), Some(&input)) {
            attr(prior, "output")
        } else {
            Value::Unknown(input.ty())
        };
        Ok(PlannedChange {
            planned: with_attrs(&base, [("id", attr(prior, "id")), ("output", output)]),
            requires_replace: Vec::new(),
            notes: Vec::new(),
            warnings: Vec::new(),
        })
    }

    async fn create(&self, planned: &Value, _ctx: &ApplyCtx) -> Result<Value, ProviderError> {
        let id = uuid::Uuid::new_v4().to_string();
        Ok(with_attrs(
            planned,
            [("id", Value::from(id)), ("output", attr(planned, "input"))],
        ))
    }

    async fn update(
        &self,
        prior: &Value,
        planned: &Value,
        _ctx: &ApplyCtx,
    ) -> Result<Value, ProviderError> {
        Ok(with_attrs(
            planned,
            [
                ("id", attr(prior, "id")),
                ("output", attr(planned, "input")),
            ],
        ))
    }

    async fn delete(&self, _prior: &Value, _ctx: &ApplyCtx) -> Result<(), ProviderError> {
        Ok(())
    }

    async fn import(&self, id: &str) -> Result<Value, ProviderError> {
        Ok(Value::object([
            ("id", Value::from(id)),
            ("input", Value::null()),
            ("output", Value::null()),
            ("triggers_replace", Value::null()),
        ]))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(input: Value, triggers: Value) -> Value {
        Value::object([("input", input), ("triggers_replace", triggers)])
    }

    async fn created(input: Value, triggers: Value) -> Value {
        let r = TerraformData::new();
        let p = r.plan(None, &config(input, triggers)).await.unwrap();
        r.create(&p.planned, &ApplyCtx::silent()).await.unwrap()
    }

    #[test]
    fn the_schema_has_a_dynamic_input_a_computed_output_and_a_replacing_trigger() {
        let s = TerraformData::new();
        let a = &s.schema().block.attributes;
        assert!(a["input"].optional && a["input"].ty == Type::Dynamic);
        assert!(a["output"].computed && !a["output"].optional);
        assert!(a["triggers_replace"].force_new);
        assert!(a["id"].computed);
    }

    #[tokio::test]
    async fn create_copies_input_to_output_and_sets_a_uuid_id() {
        let r = TerraformData::new();
        let p = r
            .plan(None, &config(Value::from("x"), Value::null()))
            .await
            .unwrap();
        assert_eq!(
            p.planned.get_attr("output"),
            Some(&Value::Unknown(Type::String))
        );
        let s = r.create(&p.planned, &ApplyCtx::silent()).await.unwrap();
        assert!(s.is_wholly_known());
        assert_eq!(s.get_attr("output"), Some(&Value::from("x")));
        let id = s.get_attr("id").and_then(Value::as_str).unwrap();
        assert!(uuid::Uuid::parse_str(id).is_ok());
    }

    #[tokio::test]
    async fn an_unchanged_configuration_plans_no_change() {
        let prior = created(Value::from("x"), Value::from(1)).await;
        let p = TerraformData::new()
            .plan(Some(&prior), &config(Value::from("x"), Value::from(1)))
            .await
            .unwrap();
        assert_eq!(p.planned, prior);
        assert!(p.requires_replace.is_empty());
    }

    #[tokio::test]
    async fn an_input_change_updates_in_place_and_the_output_follows() {
        let r = TerraformData::new();
        let prior = created(Value::from("x"), Value::null()).await;
        let p = r
            .plan(Some(&prior), &config(Value::from("y"), Value::null()))
            .await
            .unwrap();
        assert!(p.requires_replace.is_empty());
        assert_eq!(p.planned.get_attr("id"), prior.get_attr("id"));
        assert_eq!(
            p.planned.get_attr("output"),
            Some(&Value::Unknown(Type::String))
        );
        let s = r
            .update(&prior, &p.planned, &ApplyCtx::silent())
            .await
            .unwrap();
        assert_eq!(s.get_attr("output"), Some(&Value::from("y")));
        assert_eq!(s.get_attr("id"), prior.get_attr("id"));
    }

    #[tokio::test]
    async fn a_trigger_change_requires_replacement() {
        let prior = created(Value::from("x"), Value::from("a")).await;
        let p = TerraformData::new()
            .plan(Some(&prior), &config(Value::from("x"), Value::from("b")))
            .await
            .unwrap();
        assert_eq!(p.requires_replace, vec![AttrPath::attr("triggers_replace")]);
        assert_eq!(
            p.planned.get_attr("id"),
            Some(&Value::Unknown(Type::String))
        );
    }
}
