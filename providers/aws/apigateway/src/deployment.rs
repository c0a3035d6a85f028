//! `aws_api_gateway_deployment`: a snapshot of a REST API that stages serve. Every argument
//! forces replacement: a change of `triggers` (typically a hash of the routes) makes a new
//! deployment, which configurations create before the old one goes
//! (`create_before_destroy`) so the stage moves to it first. Also `invoke_url` and
//! `execution_arn` of Terraform v5. Refresh: GetDeployment per deployment.

use crate::ApiGateway;
use async_trait::async_trait;
use std::collections::HashMap;
use std::sync::Arc;
use terrane_aws_core::{AwsErrorExt, sdk_error};
use terrane_sdk::read;
use terrane_sdk::{ApplyCtx, Attribute, Block, ProviderError, Resource, Schema};
use terrane_types::{Type, Value};

pub(crate) fn schema() -> Schema {
    Schema::new(
        Block::new()
            .describe("A deployment of an API Gateway REST API.")
            .attr("rest_api_id", Attribute::required(Type::String).force_new())
            .attr("description", Attribute::optional(Type::String).force_new())
            .attr(
                "triggers",
                Attribute::optional(Type::map(Type::String)).force_new(),
            )
            .attr(
                "variables",
                Attribute::optional(Type::map(Type::String)).force_new(),
            )
            .attr("id", Attribute::computed(Type::String))
            .attr("created_date", Attribute::computed(Type::String))
            .attr("invoke_url", Attribute::computed(Type::String))
            .attr("execution_arn", Attribute::computed(Type::String)),
    )
}

pub(crate) struct Deployment {
    api: Arc<ApiGateway>,
    schema: Schema,
}

impl Deployment {
    pub(crate) fn new(api: Arc<ApiGateway>) -> Deployment {
        Deployment {
            api,
            schema: schema(),
        }
    }
}

#[async_trait]
impl Resource for Deployment {
    fn schema(&self) -> &Schema {
        &self.schema
    }

    async fn create(&self, planned: &Value, _ctx: &ApplyCtx) -> Result<Value, ProviderError> {
        let api = read::string(planned, "rest_api_id").unwrap_or_default();
        let variables: HashMap<String, String> = planned
            .get_attr("variables")
            .and_then(Value::as_entries)
            .map(|m| {
                m.iter()
                    .filter_map(|(k, v)| Some((k.clone(), v.as_str()?.to_owned())))
                    .collect()
            })
            .unwrap_or_default();
        let out = self
            .api
            .client
            .create_deployment()
            .rest_api_id(api)
            .set_description(read::string(planned, "description").map(str::to_owned))
            .set_variables((!variables.is_empty()).then_some(variables))
            .send()
            .await
            .map_err(|e| {
                let no_methods = e.aws_code() == Some("BadRequestException");
                let err = sdk_error(&format!("creating API Gateway Deployment of ({api})"), e);
                if no_methods {
                    err.with_hint("A deployment needs at least one method with its integration: make it depend on them (depends_on).")
                } else {
                    err
                }
            })?;
        let id = out.id().unwrap_or_default();
        Ok(read::with_attrs(
            planned,
            [
                ("id", Value::string(id)),
                (
                    "created_date",
                    Value::string(
                        out.created_date()
                            .and_then(|d| d.fmt(aws_smithy_types::date_time::Format::DateTime).ok())
                            .unwrap_or_default(),
                    ),
                ),
                ("invoke_url", Value::string(self.api.invoke_url(api, ""))),
                (
                    "execution_arn",
                    Value::string(self.api.execution_arn(api).await?),
                ),
            ],
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

    async fn delete(&self, prior: &Value, _ctx: &ApplyCtx) -> Result<(), ProviderError> {
        let (Some(api), Some(id)) = (
            read::string(prior, "rest_api_id"),
            read::string(prior, "id"),
        ) else {
            return Ok(());
        };
        match self
            .api
            .client
            .delete_deployment()
            .rest_api_id(api)
            .deployment_id(id)
            .send()
            .await
        {
            Err(e) if !e.is_not_found() => {
                let in_use = e.aws_code() == Some("BadRequestException");
                let err = sdk_error(&format!("deleting API Gateway Deployment ({id})"), e);
                Err(if in_use {
                    err.with_hint("A stage still points at this deployment: give the deployment lifecycle { create_before_destroy = true } so the stage moves to the new one first.")
                } else {
                    err
                })
            }
            _ => Ok(()),
        }
    }

    async fn read_many(&self, priors: &[Value]) -> Result<Vec<Option<Value>>, ProviderError> {
        let mut out = Vec::with_capacity(priors.len());
        for p in priors {
            let (Some(api), Some(id)) = (read::string(p, "rest_api_id"), read::string(p, "id"))
            else {
                out.push(None);
                continue;
            };
            match self
                .api
                .client
                .get_deployment()
                .rest_api_id(api)
                .deployment_id(id)
                .send()
                .await
            {
                Ok(_) => out.push(Some(p.clone())),
                Err(e) if e.is_not_found() => out.push(None),
                Err(e) => {
                    return Err(sdk_error(
                        &format!("reading API Gateway Deployment ({id})"),
                        e,
                    ));
                }
            }
        }
        Ok(out)
    }
}
