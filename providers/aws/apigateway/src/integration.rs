//! `aws_api_gateway_integration`: what a method calls (a Lambda function through
//! `AWS_PROXY`, an HTTP endpoint, a mock). The API, resource and method force replacement;
//! other changes put the integration again (PutIntegration replaces it whole). Id:
//! `agi-<api>-<resource>-<method>`. Refresh: one GetResources call per API (integrations
//! embedded in their methods). Import id: `<rest_api_id>/<resource_id>/<http_method>`.

use crate::method::method_id;
use crate::{ApiGateway, by_api};
use async_trait::async_trait;
use aws_sdk_apigateway::types::{
    ConnectionType, ContentHandlingStrategy, Integration as RemoteIntegration, IntegrationType,
};
use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;
use terrane_aws_core::{AwsErrorExt, sdk_error};
use terrane_sdk::read::{self, arg_error, int_value};
use terrane_sdk::{
    ApplyCtx, Attribute, Block, PlannedChange, ProviderError, Resource, Schema, plan_default,
};
use terrane_types::{Type, Value};

pub(crate) fn schema() -> Schema {
    let map = || Attribute::optional(Type::map(Type::String));
    Schema::new(
        Block::new()
            .describe("The integration of an API Gateway method.")
            .attr("rest_api_id", Attribute::required(Type::String).force_new())
            .attr("resource_id", Attribute::required(Type::String).force_new())
            .attr("http_method", Attribute::required(Type::String).force_new())
            .attr("type", Attribute::required(Type::String))
            .attr("integration_http_method", Attribute::optional(Type::String))
            .attr("uri", Attribute::optional(Type::String))
            .attr("credentials", Attribute::optional(Type::String))
            .attr("request_parameters", map())
            .attr("request_templates", map())
            .attr(
                "passthrough_behavior",
                Attribute::optional_computed(Type::String),
            )
            .attr("content_handling", Attribute::optional(Type::String))
            .attr(
                "timeout_milliseconds",
                Attribute::optional_computed(Type::Number),
            )
            .attr(
                "cache_key_parameters",
                Attribute::optional(Type::set(Type::String)),
            )
            .attr(
                "cache_namespace",
                Attribute::optional_computed(Type::String),
            )
            .attr(
                "connection_type",
                Attribute::optional_computed(Type::String),
            )
            .attr("connection_id", Attribute::optional(Type::String))
            .attr("id", Attribute::computed(Type::String)),
    )
}

pub(crate) struct Integration {
    api: Arc<ApiGateway>,
    schema: Schema,
}

impl Integration {
    pub(crate) fn new(api: Arc<ApiGateway>) -> Integration {
        Integration {
            api,
            schema: schema(),
        }
    }

    async fn put(&self, planned: &Value) -> Result<(), ProviderError> {
        let (api, resource, method) = key(planned)
            .ok_or_else(|| ProviderError::new("API Gateway Integration: incomplete arguments"))?;
        let strings = |name: &str| -> Option<HashMap<String, String>> {
            let m: HashMap<String, String> = planned
                .get_attr(name)
                .and_then(Value::as_entries)
                .map(|m| {
                    m.iter()
                        .filter_map(|(k, v)| Some((k.clone(), v.as_str()?.to_owned())))
                        .collect()
                })
                .unwrap_or_default();
            (!m.is_empty()).then_some(m)
        };
        let cache_keys = read::strings(planned, "cache_key_parameters");
        self.api
            .client
            .put_integration()
            .rest_api_id(&api)
            .resource_id(&resource)
            .http_method(&method)
            .r#type(IntegrationType::from(
                read::string(planned, "type").unwrap_or_default(),
            ))
            .set_integration_http_method(
                read::string(planned, "integration_http_method").map(str::to_owned),
            )
            .set_uri(read::string(planned, "uri").map(str::to_owned))
            .set_credentials(read::string(planned, "credentials").map(str::to_owned))
            .set_request_parameters(strings("request_parameters"))
            .set_request_templates(strings("request_templates"))
            .set_passthrough_behavior(
                read::string(planned, "passthrough_behavior").map(str::to_owned),
            )
            .set_content_handling(
                read::string(planned, "content_handling").map(ContentHandlingStrategy::from),
            )
            .set_timeout_in_millis(
                read::integer(planned, "timeout_milliseconds")?.and_then(|n| i32::try_from(n).ok()),
            )
            .set_cache_key_parameters((!cache_keys.is_empty()).then_some(cache_keys))
            .set_cache_namespace(read::string(planned, "cache_namespace").map(str::to_owned))
            .set_connection_type(read::string(planned, "connection_type").map(ConnectionType::from))
            .set_connection_id(read::string(planned, "connection_id").map(str::to_owned))
            .send()
            .await
            .map_err(|e| {
                sdk_error(
                    &format!("putting API Gateway Integration ({resource} {method})"),
                    e,
                )
            })?;
        Ok(())
    }
}

fn key(v: &Value) -> Option<(String, String, String)> {
    Some((
        read::string(v, "rest_api_id")?.to_owned(),
        read::string(v, "resource_id")?.to_owned(),
        read::string(v, "http_method")?.to_owned(),
    ))
}

/// The state of an integration AWS returned; `prior` keeps the configured view of what AWS
/// fills in or leaves out.
fn state(api: &str, resource: &str, method: &str, i: &RemoteIntegration, prior: &Value) -> Value {
    let opt = |s: Option<&str>| {
        s.filter(|s| !s.is_empty())
            .map_or(Value::Null(Type::String), Value::string)
    };
    let strings = |name: &str, m: Option<&HashMap<String, String>>| match m {
        Some(m) if !m.is_empty() => {
            Value::map(m.iter().map(|(k, v)| (k.clone(), Value::string(v.clone()))))
        }
        _ => prior
            .get_attr(name)
            .filter(|v| v.is_null())
            .cloned()
            .unwrap_or(Value::Null(Type::map(Type::String))),
    };
    let cache_keys: Vec<Value> = i.cache_key_parameters().iter().map(Value::string).collect();
    Value::object([
        ("rest_api_id", Value::string(api)),
        ("resource_id", Value::string(resource)),
        ("http_method", Value::string(method)),
        ("type", Value::string(i.r#type().map_or("", |t| t.as_str()))),
        ("integration_http_method", opt(i.http_method())),
        ("uri", opt(i.uri())),
        ("credentials", opt(i.credentials())),
        (
            "request_parameters",
            strings("request_parameters", i.request_parameters()),
        ),
        (
            "request_templates",
            strings("request_templates", i.request_templates()),
        ),
        (
            "passthrough_behavior",
            Value::string(i.passthrough_behavior().unwrap_or("WHEN_NO_MATCH")),
        ),
        (
            "content_handling",
            opt(i.content_handling().map(|c| c.as_str())),
        ),
        (
            "timeout_milliseconds",
            int_value(i64::from(i.timeout_in_millis())),
        ),
        (
            "cache_key_parameters",
            if cache_keys.is_empty() {
                prior
                    .get_attr("cache_key_parameters")
                    .filter(|v| v.is_null())
                    .cloned()
                    .unwrap_or(Value::Null(Type::set(Type::String)))
            } else {
                Value::set(cache_keys)
            },
        ),
        (
            "cache_namespace",
            opt(i.cache_namespace()).or_string(read::string(prior, "cache_namespace")),
        ),
        (
            "connection_type",
            Value::string(i.connection_type().map_or("INTERNET", |c| c.as_str())),
        ),
        ("connection_id", opt(i.connection_id())),
        ("id", Value::string(method_id("agi", api, resource, method))),
    ])
}

/// A null value replaced by a known string, if there is one.
trait OrString {
    fn or_string(self, s: Option<&str>) -> Value;
}

impl OrString for Value {
    fn or_string(self, s: Option<&str>) -> Value {
        match (self.is_null(), s) {
            (true, Some(s)) => Value::string(s),
            _ => self,
        }
    }
}

#[async_trait]
impl Resource for Integration {
    fn schema(&self) -> &Schema {
        &self.schema
    }

    async fn plan(
        &self,
        prior: Option<&Value>,
        config: &Value,
    ) -> Result<PlannedChange, ProviderError> {
        if let Some(ty) = read::string(config, "type")
            && matches!(ty, "AWS" | "AWS_PROXY" | "HTTP" | "HTTP_PROXY")
        {
            for name in ["uri", "integration_http_method"] {
                if !read::is_set(config, name) {
                    return Err(arg_error(
                        "type",
                        format!("an integration of type {ty} needs {name}"),
                    )
                    .with_hint(if name == "uri" {
                        "For a Lambda function, uri is the function's invoke_arn."
                    } else {
                        "Lambda integrations are always called with integration_http_method = \"POST\"."
                    }));
                }
            }
        }
        let config = read::with_defaults(
            config,
            &[
                ("timeout_milliseconds", int_value(29000)),
                ("connection_type", Value::string("INTERNET")),
            ],
        );
        Ok(plan_default(&self.schema, prior, &config))
    }

    async fn create(&self, planned: &Value, _ctx: &ApplyCtx) -> Result<Value, ProviderError> {
        self.put(planned).await?;
        let (api, resource, method) = key(planned).unwrap_or_default();
        let mut out = read::with_attrs(
            planned,
            [(
                "id",
                Value::string(method_id("agi", &api, &resource, &method)),
            )],
        );
        // What AWS fills in when the configuration does not say.
        for (name, default) in [
            ("passthrough_behavior", "WHEN_NO_MATCH"),
            ("cache_namespace", resource.as_str()),
        ] {
            if !read::is_set(&out, name) || read::is_unknown(&out, name) {
                out = read::with_attrs(&out, [(name, Value::string(default))]);
            }
        }
        Ok(out)
    }

    async fn update(
        &self,
        _prior: &Value,
        planned: &Value,
        _ctx: &ApplyCtx,
    ) -> Result<Value, ProviderError> {
        self.put(planned).await?;
        Ok(planned.clone())
    }

    async fn delete(&self, prior: &Value, _ctx: &ApplyCtx) -> Result<(), ProviderError> {
        let Some((api, resource, method)) = key(prior) else {
            return Ok(());
        };
        match self
            .api
            .client
            .delete_integration()
            .rest_api_id(&api)
            .resource_id(&resource)
            .http_method(&method)
            .send()
            .await
        {
            Err(e) if !e.is_not_found() => Err(sdk_error(
                &format!("deleting API Gateway Integration ({resource} {method})"),
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
                let i = r.resource_methods()?.get(&method)?.method_integration()?;
                Some(state(&api, &resource, &method, i, p))
            })
            .collect())
    }

    async fn import(&self, id: &str) -> Result<Value, ProviderError> {
        let parts: Vec<&str> = id.split('/').collect();
        let [api, resource, method] = parts.as_slice() else {
            return Err(ProviderError::new(format!(
                "unexpected import id {id:?} for aws_api_gateway_integration"
            ))
            .with_hint("Use <rest_api_id>/<resource_id>/<http_method>."));
        };
        let resources = self.api.resources(api).await?.unwrap_or_default();
        let found = resources
            .iter()
            .find(|r| r.id() == Some(*resource))
            .and_then(|r| {
                r.resource_methods()?
                    .get(*method)?
                    .method_integration()
                    .cloned()
            });
        match found {
            Some(i) => Ok(state(api, resource, method, &i, &Value::null())),
            None => Err(ProviderError::new(format!(
                "Cannot import non-existent remote object: API Gateway Integration ({id})"
            ))),
        }
    }
}
