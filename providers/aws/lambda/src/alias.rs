//! `aws_lambda_alias`: a name for one version of a function (e.g. `live` → `3`), with an
//! optional weighted second version. Name and function force replacement; the version,
//! description and routing change in place. Refresh: GetAlias per alias. Import id:
//! `<function_name>/<alias>`.

use crate::Lambda;
use async_trait::async_trait;
use aws_sdk_lambda::types::AliasRoutingConfiguration;
use std::collections::HashMap;
use std::sync::Arc;
use terrane_aws_core::{AwsErrorExt, sdk_error};
use terrane_sdk::read;
use terrane_sdk::{
    ApplyCtx, Attribute, Block, NestedBlock, Nesting, ProviderError, Resource, Schema,
};
use terrane_types::{Number, Type, Value};

pub(crate) fn schema() -> Schema {
    Schema::new(
        Block::new()
            .describe("An alias of a Lambda function version.")
            .attr("name", Attribute::required(Type::String).force_new())
            .attr(
                "function_name",
                Attribute::required(Type::String).force_new(),
            )
            .attr("function_version", Attribute::required(Type::String))
            .attr("description", Attribute::optional(Type::String))
            .block(
                "routing_config",
                NestedBlock::new(
                    Nesting::List,
                    Block::new().attr(
                        "additional_version_weights",
                        Attribute::optional(Type::map(Type::Number)),
                    ),
                )
                .items(0, 1),
            )
            .attr("arn", Attribute::computed(Type::String))
            .attr("invoke_arn", Attribute::computed(Type::String))
            .attr("id", Attribute::computed(Type::String)),
    )
}

pub(crate) struct Alias {
    lambda: Arc<Lambda>,
    schema: Schema,
}

impl Alias {
    pub(crate) fn new(lambda: Arc<Lambda>) -> Alias {
        Alias {
            lambda,
            schema: schema(),
        }
    }

    async fn read(&self, function: &str, name: &str) -> Result<Option<Value>, ProviderError> {
        let out = match self
            .lambda
            .client
            .get_alias()
            .function_name(function)
            .name(name)
            .send()
            .await
        {
            Ok(out) => out,
            Err(e) if e.is_not_found() => return Ok(None),
            Err(e) => {
                return Err(sdk_error(
                    &format!("reading Lambda Alias ({name}) of ({function})"),
                    e,
                ));
            }
        };
        let arn = out.alias_arn().unwrap_or_default();
        let weights: Vec<(String, Value)> = out
            .routing_config()
            .and_then(|r| r.additional_version_weights())
            .map(|w| {
                w.iter()
                    .filter_map(|(k, v)| {
                        Number::parse(&v.to_string()).map(|n| (k.clone(), Value::Number(n)))
                    })
                    .collect()
            })
            .unwrap_or_default();
        let routing = if weights.is_empty() {
            Value::List(vec![])
        } else {
            Value::List(vec![Value::object([(
                "additional_version_weights",
                Value::map(weights),
            )])])
        };
        Ok(Some(Value::object([
            ("name", Value::string(out.name().unwrap_or(name))),
            ("function_name", Value::string(function)),
            (
                "function_version",
                Value::string(out.function_version().unwrap_or_default()),
            ),
            (
                "description",
                out.description()
                    .filter(|d| !d.is_empty())
                    .map_or(Value::Null(Type::String), Value::string),
            ),
            ("routing_config", routing),
            ("arn", Value::string(arn)),
            ("invoke_arn", Value::string(self.lambda.invoke_arn(arn))),
            ("id", Value::string(arn)),
        ])))
    }
}

fn routing(planned: &Value) -> Option<AliasRoutingConfiguration> {
    let block = planned.get_attr("routing_config")?.as_seq()?.first()?;
    let weights: HashMap<String, f64> = block
        .get_attr("additional_version_weights")?
        .as_entries()?
        .iter()
        .filter_map(|(k, v)| Some((k.clone(), v.as_number()?.to_string().parse().ok()?)))
        .collect();
    Some(
        AliasRoutingConfiguration::builder()
            .set_additional_version_weights(Some(weights))
            .build(),
    )
}

#[async_trait]
impl Resource for Alias {
    fn schema(&self) -> &Schema {
        &self.schema
    }

    async fn create(&self, planned: &Value, _ctx: &ApplyCtx) -> Result<Value, ProviderError> {
        let function = read::string(planned, "function_name").unwrap_or_default();
        let name = read::string(planned, "name").unwrap_or_default();
        self.lambda
            .client
            .create_alias()
            .function_name(function)
            .name(name)
            .function_version(read::string(planned, "function_version").unwrap_or_default())
            .set_description(read::string(planned, "description").map(str::to_owned))
            .set_routing_config(routing(planned))
            .send()
            .await
            .map_err(|e| {
                sdk_error(
                    &format!("creating Lambda Alias ({name}) of ({function})"),
                    e,
                )
            })?;
        self.read(function, name).await?.ok_or_else(|| {
            ProviderError::new(format!("Lambda Alias ({name}) not found after creation"))
        })
    }

    async fn update(
        &self,
        _prior: &Value,
        planned: &Value,
        _ctx: &ApplyCtx,
    ) -> Result<Value, ProviderError> {
        let function = read::string(planned, "function_name").unwrap_or_default();
        let name = read::string(planned, "name").unwrap_or_default();
        self.lambda
            .client
            .update_alias()
            .function_name(function)
            .name(name)
            .function_version(read::string(planned, "function_version").unwrap_or_default())
            .description(read::string(planned, "description").unwrap_or(""))
            .routing_config(routing(planned).unwrap_or_else(|| {
                AliasRoutingConfiguration::builder()
                    .set_additional_version_weights(Some(HashMap::new()))
                    .build()
            }))
            .send()
            .await
            .map_err(|e| {
                sdk_error(
                    &format!("updating Lambda Alias ({name}) of ({function})"),
                    e,
                )
            })?;
        self.read(function, name).await?.ok_or_else(|| {
            ProviderError::new(format!("Lambda Alias ({name}) not found after update"))
        })
    }

    async fn delete(&self, prior: &Value, _ctx: &ApplyCtx) -> Result<(), ProviderError> {
        let (Some(function), Some(name)) = (
            read::string(prior, "function_name"),
            read::string(prior, "name"),
        ) else {
            return Ok(());
        };
        match self
            .lambda
            .client
            .delete_alias()
            .function_name(function)
            .name(name)
            .send()
            .await
        {
            Err(e) if !e.is_not_found() => Err(sdk_error(
                &format!("deleting Lambda Alias ({name}) of ({function})"),
                e,
            )),
            _ => Ok(()),
        }
    }

    async fn read_many(&self, priors: &[Value]) -> Result<Vec<Option<Value>>, ProviderError> {
        let mut out = Vec::with_capacity(priors.len());
        for p in priors {
            match (read::string(p, "function_name"), read::string(p, "name")) {
                (Some(f), Some(n)) => out.push(self.read(f, n).await?),
                _ => out.push(None),
            }
        }
        Ok(out)
    }

    async fn import(&self, id: &str) -> Result<Value, ProviderError> {
        let Some((function, name)) = id.split_once('/') else {
            return Err(ProviderError::new(format!(
                "unexpected import id {id:?} for aws_lambda_alias"
            ))
            .with_hint("Use <function_name>/<alias>."));
        };
        self.read(function, name).await?.ok_or_else(|| {
            ProviderError::new(format!(
                "Cannot import non-existent remote object: Lambda Alias ({name}) of ({function})"
            ))
        })
    }
}
