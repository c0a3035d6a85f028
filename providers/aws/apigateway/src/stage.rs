//! `aws_api_gateway_stage`: a named stage serving a deployment (`prod`), with its URL.
//! The API and the name force replacement; the deployment, description, variables and
//! tracing change in place (PATCH). Id: `ags-<api>-<stage>`. Refresh: one GetStages call per
//! API. Import id: `<rest_api_id>/<stage_name>`.

use crate::{ApiGateway, by_api, patch};
use async_trait::async_trait;
use aws_sdk_apigateway::types::Stage as RemoteStage;
use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;
use terrane_aws_core::{AwsErrorExt, sdk_error, tags};
use terrane_sdk::read;
use terrane_sdk::{
    ApplyCtx, Attribute, Block, PlannedChange, ProviderError, Resource, Schema, plan_default,
};
use terrane_types::{Type, Value};

pub(crate) fn schema() -> Schema {
    Schema::new(
        Block::new()
            .describe("A stage of an API Gateway REST API.")
            .attr("rest_api_id", Attribute::required(Type::String).force_new())
            .attr("stage_name", Attribute::required(Type::String).force_new())
            .attr("deployment_id", Attribute::required(Type::String))
            .attr("description", Attribute::optional(Type::String))
            .attr("variables", Attribute::optional(Type::map(Type::String)))
            .attr(
                "xray_tracing_enabled",
                Attribute::optional_computed(Type::Bool),
            )
            .attr("tags", Attribute::optional(Type::map(Type::String)))
            .attr("tags_all", Attribute::computed(Type::map(Type::String)))
            .attr("id", Attribute::computed(Type::String))
            .attr("arn", Attribute::computed(Type::String))
            .attr("invoke_url", Attribute::computed(Type::String))
            .attr("execution_arn", Attribute::computed(Type::String)),
    )
}

pub(crate) struct Stage {
    api: Arc<ApiGateway>,
    schema: Schema,
}

impl Stage {
    pub(crate) fn new(api: Arc<ApiGateway>) -> Stage {
        Stage {
            api,
            schema: schema(),
        }
    }

    async fn state(
        &self,
        api: &str,
        s: &RemoteStage,
        prior: Option<&Value>,
    ) -> Result<Value, ProviderError> {
        let name = s.stage_name().unwrap_or_default();
        let remote_tags: BTreeMap<String, String> = s
            .tags()
            .map(|t| t.iter().map(|(k, v)| (k.clone(), v.clone())).collect())
            .unwrap_or_default();
        let (tags_value, tags_all) = tags::state_values(&self.api.aws, &remote_tags, prior);
        let variables = match s.variables() {
            Some(v) if !v.is_empty() => {
                Value::map(v.iter().map(|(k, v)| (k.clone(), Value::string(v.clone()))))
            }
            _ => Value::Null(Type::map(Type::String)),
        };
        Ok(Value::object([
            ("rest_api_id", Value::string(api)),
            ("stage_name", Value::string(name)),
            (
                "deployment_id",
                Value::string(s.deployment_id().unwrap_or_default()),
            ),
            (
                "description",
                s.description()
                    .filter(|d| !d.is_empty())
                    .map_or(Value::Null(Type::String), Value::string),
            ),
            ("variables", variables),
            ("xray_tracing_enabled", Value::Bool(s.tracing_enabled())),
            ("tags", tags_value),
            ("tags_all", tags_all),
            ("id", Value::string(format!("ags-{api}-{name}"))),
            (
                "arn",
                Value::string(format!(
                    "arn:{}:apigateway:{}::/restapis/{api}/stages/{name}",
                    self.api.aws.partition(),
                    self.api.aws.region
                )),
            ),
            ("invoke_url", Value::string(self.api.invoke_url(api, name))),
            (
                "execution_arn",
                Value::string(format!("{}/{name}", self.api.execution_arn(api).await?)),
            ),
        ]))
    }

    async fn read_one(
        &self,
        api: &str,
        name: &str,
        prior: Option<&Value>,
    ) -> Result<Option<Value>, ProviderError> {
        let stage = match self
            .api
            .client
            .get_stage()
            .rest_api_id(api)
            .stage_name(name)
            .send()
            .await
        {
            Ok(s) => RemoteStage::builder()
                .set_deployment_id(s.deployment_id().map(str::to_owned))
                .set_stage_name(s.stage_name().map(str::to_owned))
                .set_description(s.description().map(str::to_owned))
                .set_variables(s.variables().cloned())
                .tracing_enabled(s.tracing_enabled())
                .set_tags(s.tags().cloned())
                .build(),
            Err(e) if e.is_not_found() => return Ok(None),
            Err(e) => return Err(sdk_error(&format!("reading API Gateway Stage ({name})"), e)),
        };
        Ok(Some(self.state(api, &stage, prior).await?))
    }
}

fn key(v: &Value) -> Option<(String, String)> {
    Some((
        read::string(v, "rest_api_id")?.to_owned(),
        read::string(v, "stage_name")?.to_owned(),
    ))
}

#[async_trait]
impl Resource for Stage {
    fn schema(&self) -> &Schema {
        &self.schema
    }

    async fn plan(
        &self,
        prior: Option<&Value>,
        config: &Value,
    ) -> Result<PlannedChange, ProviderError> {
        let config = read::with_defaults(config, &[("xray_tracing_enabled", Value::Bool(false))]);
        let mut change = plan_default(&self.schema, prior, &config);
        if let Value::Object(m) = &mut change.planned {
            m.insert(
                "tags_all".into(),
                tags::plan_tags_all(&self.api.aws, &config),
            );
        }
        Ok(change)
    }

    async fn create(&self, planned: &Value, _ctx: &ApplyCtx) -> Result<Value, ProviderError> {
        let (api, name) = key(planned)
            .ok_or_else(|| ProviderError::new("API Gateway Stage: incomplete arguments"))?;
        let variables: HashMap<String, String> =
            tags::tags_of(planned, "variables").into_iter().collect();
        let all_tags = tags::tags_all(&self.api.aws, &tags::tags_of(planned, "tags"));
        self.api
            .client
            .create_stage()
            .rest_api_id(&api)
            .stage_name(&name)
            .deployment_id(read::string(planned, "deployment_id").unwrap_or_default())
            .set_description(read::string(planned, "description").map(str::to_owned))
            .set_variables((!variables.is_empty()).then_some(variables))
            .tracing_enabled(read::boolean(planned, "xray_tracing_enabled").unwrap_or(false))
            .set_tags((!all_tags.is_empty()).then(|| all_tags.into_iter().collect()))
            .send()
            .await
            .map_err(|e| sdk_error(&format!("creating API Gateway Stage ({name})"), e))?;
        self.read_one(&api, &name, Some(planned))
            .await?
            .ok_or_else(|| {
                ProviderError::new(format!(
                    "API Gateway Stage ({name}) not found after creation"
                ))
            })
    }

    async fn update(
        &self,
        prior: &Value,
        planned: &Value,
        _ctx: &ApplyCtx,
    ) -> Result<Value, ProviderError> {
        let (api, name) =
            key(prior).ok_or_else(|| ProviderError::new("API Gateway Stage: incomplete state"))?;
        let mut ops = Vec::new();
        let changed = |n: &str| prior.get_attr(n) != planned.get_attr(n);
        if changed("deployment_id") {
            ops.push(patch(
                "/deploymentId",
                read::string(planned, "deployment_id"),
            ));
        }
        if changed("description") {
            ops.push(patch(
                "/description",
                Some(read::string(planned, "description").unwrap_or("")),
            ));
        }
        if changed("xray_tracing_enabled") {
            let v = read::boolean(planned, "xray_tracing_enabled").unwrap_or(false);
            ops.push(patch(
                "/tracingEnabled",
                Some(if v { "true" } else { "false" }),
            ));
        }
        if changed("variables") {
            let old = tags::tags_of(prior, "variables");
            let new = tags::tags_of(planned, "variables");
            for k in old.keys().filter(|k| !new.contains_key(*k)) {
                ops.push(patch(&format!("/variables/{k}"), None));
            }
            for (k, v) in new.iter().filter(|(k, v)| old.get(*k) != Some(*v)) {
                ops.push(patch(&format!("/variables/{k}"), Some(v)));
            }
        }
        let c = &self.api.client;
        if !ops.is_empty() {
            c.update_stage()
                .rest_api_id(&api)
                .stage_name(&name)
                .set_patch_operations(Some(ops))
                .send()
                .await
                .map_err(|e| sdk_error(&format!("updating API Gateway Stage ({name})"), e))?;
        }
        let arn = read::string(prior, "arn").unwrap_or_default();
        self.api
            .update_tags(arn, &format!("API Gateway Stage ({name})"), prior, planned)
            .await?;
        self.read_one(&api, &name, Some(planned))
            .await?
            .ok_or_else(|| {
                ProviderError::new(format!("API Gateway Stage ({name}) not found after update"))
            })
    }

    async fn delete(&self, prior: &Value, _ctx: &ApplyCtx) -> Result<(), ProviderError> {
        let Some((api, name)) = key(prior) else {
            return Ok(());
        };
        match self
            .api
            .client
            .delete_stage()
            .rest_api_id(&api)
            .stage_name(&name)
            .send()
            .await
        {
            Err(e) if !e.is_not_found() => Err(sdk_error(
                &format!("deleting API Gateway Stage ({name})"),
                e,
            )),
            _ => Ok(()),
        }
    }

    async fn read_many(&self, priors: &[Value]) -> Result<Vec<Option<Value>>, ProviderError> {
        let mut stages: BTreeMap<String, Vec<RemoteStage>> = BTreeMap::new();
        for api in by_api(priors) {
            match self.api.client.get_stages().rest_api_id(&api).send().await {
                Ok(out) => {
                    stages.insert(api, out.item().to_vec());
                }
                Err(e) if e.is_not_found() => {}
                Err(e) => {
                    return Err(sdk_error(
                        &format!("reading API Gateway Stages of ({api})"),
                        e,
                    ));
                }
            }
        }
        let mut out = Vec::with_capacity(priors.len());
        for p in priors {
            let found = key(p).and_then(|(api, name)| {
                let s = stages
                    .get(&api)?
                    .iter()
                    .find(|s| s.stage_name() == Some(name.as_str()))?;
                Some((api, s.clone()))
            });
            match found {
                Some((api, s)) => out.push(Some(self.state(&api, &s, Some(p)).await?)),
                None => out.push(None),
            }
        }
        Ok(out)
    }

    async fn import(&self, id: &str) -> Result<Value, ProviderError> {
        let Some((api, name)) = id.split_once('/') else {
            return Err(ProviderError::new(format!(
                "unexpected import id {id:?} for aws_api_gateway_stage"
            ))
            .with_hint("Use <rest_api_id>/<stage_name>."));
        };
        self.read_one(api, name, None).await?.ok_or_else(|| {
            ProviderError::new(format!(
                "Cannot import non-existent remote object: API Gateway Stage ({id})"
            ))
        })
    }
}
