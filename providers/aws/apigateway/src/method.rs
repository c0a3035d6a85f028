//! `aws_api_gateway_method`: an HTTP method (or `ANY`) of a resource, with its
//! authorization. The API, resource and method force replacement; the rest changes in place
//! (PATCH). Id: `agm-<api>-<resource>-<method>`. Refresh: one GetResources call per API
//! (methods embedded). Import id: `<rest_api_id>/<resource_id>/<http_method>`.

use crate::{ApiGateway, by_api, patch};
use async_trait::async_trait;
use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;
use terrane_aws_core::{AwsErrorExt, sdk_error};
use terrane_sdk::read;
use terrane_sdk::{
    ApplyCtx, Attribute, Block, PlannedChange, ProviderError, Resource, Schema, plan_default,
};
use terrane_types::{Type, Value};

pub(crate) fn schema() -> Schema {
    Schema::new(
        Block::new()
            .describe("A method of an API Gateway resource.")
            .attr("rest_api_id", Attribute::required(Type::String).force_new())
            .attr("resource_id", Attribute::required(Type::String).force_new())
            .attr("http_method", Attribute::required(Type::String).force_new())
            .attr("authorization", Attribute::required(Type::String))
            .attr("authorizer_id", Attribute::optional(Type::String))
            .attr("api_key_required", Attribute::optional_computed(Type::Bool))
            .attr(
                "request_parameters",
                Attribute::optional(Type::map(Type::Bool)),
            )
            .attr("operation_name", Attribute::optional(Type::String))
            .attr("id", Attribute::computed(Type::String)),
    )
}

/// A method's fields, from whichever API answer carried them.
pub(crate) struct Fields<'a> {
    pub authorization: Option<&'a str>,
    pub authorizer_id: Option<&'a str>,
    pub api_key_required: Option<bool>,
    pub request_parameters: Option<&'a HashMap<String, bool>>,
    pub operation_name: Option<&'a str>,
}

pub(crate) fn method_id(kind: &str, api: &str, resource: &str, method: &str) -> String {
    format!("{kind}-{api}-{resource}-{method}")
}

fn state(api: &str, resource: &str, method: &str, f: Fields<'_>, prior: Option<&Value>) -> Value {
    let params = match f.request_parameters {
        Some(p) if !p.is_empty() => Value::map(p.iter().map(|(k, v)| (k.clone(), Value::Bool(*v)))),
        _ if prior.is_some_and(|p| {
            p.get_attr("request_parameters")
                .is_some_and(|v| !v.is_null())
        }) =>
        {
            Value::map(Vec::<(String, Value)>::new())
        }
        _ => Value::Null(Type::map(Type::Bool)),
    };
    let opt = |s: Option<&str>| {
        s.filter(|s| !s.is_empty())
            .map_or(Value::Null(Type::String), Value::string)
    };
    Value::object([
        ("rest_api_id", Value::string(api)),
        ("resource_id", Value::string(resource)),
        ("http_method", Value::string(method)),
        (
            "authorization",
            Value::string(f.authorization.unwrap_or("NONE")),
        ),
        ("authorizer_id", opt(f.authorizer_id)),
        (
            "api_key_required",
            Value::Bool(f.api_key_required.unwrap_or(false)),
        ),
        ("request_parameters", params),
        ("operation_name", opt(f.operation_name)),
        ("id", Value::string(method_id("agm", api, resource, method))),
    ])
}

pub(crate) struct Method {
    api: Arc<ApiGateway>,
    schema: Schema,
}

impl Method {
    pub(crate) fn new(api: Arc<ApiGateway>) -> Method {
        Method {
            api,
            schema: schema(),
        }
    }

    async fn read_one(
        &self,
        api: &str,
        resource: &str,
        method: &str,
        prior: Option<&Value>,
    ) -> Result<Option<Value>, ProviderError> {
        match self
            .api
            .client
            .get_method()
            .rest_api_id(api)
            .resource_id(resource)
            .http_method(method)
            .send()
            .await
        {
            Ok(m) => Ok(Some(state(
                api,
                resource,
                method,
                Fields {
                    authorization: m.authorization_type(),
                    authorizer_id: m.authorizer_id(),
                    api_key_required: m.api_key_required(),
                    request_parameters: m.request_parameters(),
                    operation_name: m.operation_name(),
                },
                prior,
            ))),
            Err(e) if e.is_not_found() => Ok(None),
            Err(e) => Err(sdk_error(
                &format!("reading API Gateway Method ({resource} {method})"),
                e,
            )),
        }
    }
}

fn key(v: &Value) -> Option<(String, String, String)> {
    Some((
        read::string(v, "rest_api_id")?.to_owned(),
        read::string(v, "resource_id")?.to_owned(),
        read::string(v, "http_method")?.to_owned(),
    ))
}

#[async_trait]
impl Resource for Method {
    fn schema(&self) -> &Schema {
        &self.schema
    }

    async fn plan(
        &self,
        prior: Option<&Value>,
        config: &Value,
    ) -> Result<PlannedChange, ProviderError> {
        let config = read::with_defaults(config, &[("api_key_required", Value::Bool(false))]);
        Ok(plan_default(&self.schema, prior, &config))
    }

    async fn create(&self, planned: &Value, _ctx: &ApplyCtx) -> Result<Value, ProviderError> {
        let Some((api, resource, method)) = key(planned) else {
            return Err(ProviderError::new(
                "creating API Gateway Method: incomplete arguments",
            ));
        };
        let params: HashMap<String, bool> = planned
            .get_attr("request_parameters")
            .and_then(Value::as_entries)
            .map(|m| {
                m.iter()
                    .filter_map(|(k, v)| Some((k.clone(), v.as_bool()?)))
                    .collect()
            })
            .unwrap_or_default();
        self.api
            .client
            .put_method()
            .rest_api_id(&api)
            .resource_id(&resource)
            .http_method(&method)
            .authorization_type(read::string(planned, "authorization").unwrap_or("NONE"))
            .set_authorizer_id(read::string(planned, "authorizer_id").map(str::to_owned))
            .api_key_required(read::boolean(planned, "api_key_required").unwrap_or(false))
            .set_request_parameters((!params.is_empty()).then_some(params))
            .set_operation_name(read::string(planned, "operation_name").map(str::to_owned))
            .send()
            .await
            .map_err(|e| {
                sdk_error(
                    &format!("creating API Gateway Method ({resource} {method})"),
                    e,
                )
            })?;
        Ok(read::with_attrs(
            planned,
            [(
                "id",
                Value::string(method_id("agm", &api, &resource, &method)),
            )],
        ))
    }

    async fn update(
        &self,
        prior: &Value,
        planned: &Value,
        _ctx: &ApplyCtx,
    ) -> Result<Value, ProviderError> {
        let Some((api, resource, method)) = key(prior) else {
            return Ok(planned.clone());
        };
        let mut ops = Vec::new();
        for (attr, path) in [
            ("authorization", "/authorizationType"),
            ("authorizer_id", "/authorizerId"),
            ("operation_name", "/operationName"),
        ] {
            if prior.get_attr(attr) != planned.get_attr(attr) {
                ops.push(patch(path, Some(read::string(planned, attr).unwrap_or(""))));
            }
        }
        if prior.get_attr("api_key_required") != planned.get_attr("api_key_required") {
            let v = read::boolean(planned, "api_key_required").unwrap_or(false);
            ops.push(patch(
                "/apiKeyRequired",
                Some(if v { "true" } else { "false" }),
            ));
        }
        if prior.get_attr("request_parameters") != planned.get_attr("request_parameters") {
            let entries = |v: &Value| -> BTreeMap<String, bool> {
                v.get_attr("request_parameters")
                    .and_then(Value::as_entries)
                    .map(|m| {
                        m.iter()
                            .filter_map(|(k, v)| Some((k.clone(), v.as_bool()?)))
                            .collect()
                    })
                    .unwrap_or_default()
            };
            let (old, new) = (entries(prior), entries(planned));
            for k in old.keys().filter(|k| !new.contains_key(*k)) {
                ops.push(patch(&format!("/requestParameters/{k}"), None));
            }
            for (k, v) in &new {
                let value = if *v { "true" } else { "false" };
                ops.push(if old.contains_key(k) {
                    patch(&format!("/requestParameters/{k}"), Some(value))
                } else {
                    aws_sdk_apigateway::types::PatchOperation::builder()
                        .op(aws_sdk_apigateway::types::Op::Add)
                        .path(format!("/requestParameters/{k}"))
                        .value(value)
                        .build()
                });
            }
        }
        if !ops.is_empty() {
            self.api
                .client
                .update_method()
                .rest_api_id(&api)
                .resource_id(&resource)
                .http_method(&method)
                .set_patch_operations(Some(ops))
                .send()
                .await
                .map_err(|e| {
                    sdk_error(
                        &format!("updating API Gateway Method ({resource} {method})"),
                        e,
                    )
                })?;
        }
        Ok(planned.clone())
    }

    async fn delete(&self, prior: &Value, _ctx: &ApplyCtx) -> Result<(), ProviderError> {
        let Some((api, resource, method)) = key(prior) else {
            return Ok(());
        };
        match self
            .api
            .client
            .delete_method()
            .rest_api_id(&api)
            .resource_id(&resource)
            .http_method(&method)
            .send()
            .await
        {
            Err(e) if !e.is_not_found() => Err(sdk_error(
                &format!("deleting API Gateway Method ({resource} {method})"),
                e,
            )),
            _ => Ok(()),
        }
    }

    async fn read_many(&self, priors: &[Value]) -> Result<Vec<Option<Value>>, ProviderError> {
        let mut apis = BTreeMap::new();
        for api in by_api(priors) {
            let resources = self.api.resources(&api).await?.unwrap_or_default();
            apis.insert(api, resources);
        }
        Ok(priors
            .iter()
            .map(|p| {
                let (api, resource, method) = key(p)?;
                let r = apis
                    .get(&api)?
                    .iter()
                    .find(|r| r.id() == Some(resource.as_str()))?;
                let m = r.resource_methods()?.get(&method)?;
                Some(state(
                    &api,
                    &resource,
                    &method,
                    Fields {
                        authorization: m.authorization_type(),
                        authorizer_id: m.authorizer_id(),
                        api_key_required: m.api_key_required(),
                        request_parameters: m.request_parameters(),
                        operation_name: m.operation_name(),
                    },
                    Some(p),
                ))
            })
            .collect())
    }

    async fn import(&self, id: &str) -> Result<Value, ProviderError> {
        let parts: Vec<&str> = id.split('/').collect();
        let [api, resource, method] = parts.as_slice() else {
            return Err(ProviderError::new(format!(
                "unexpected import id {id:?} for aws_api_gateway_method"
            ))
            .with_hint("Use <rest_api_id>/<resource_id>/<http_method>."));
        };
        self.read_one(api, resource, method, None)
            .await?
            .ok_or_else(|| {
                ProviderError::new(format!(
                    "Cannot import non-existent remote object: API Gateway Method ({id})"
                ))
            })
    }
}
