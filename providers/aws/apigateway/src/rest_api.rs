//! `aws_api_gateway_rest_api`: a REST API (name, description, endpoint type, binary media
//! types, API key source, the execute-api endpoint switch, tags). Everything changes in
//! place (PATCH). Importing an OpenAPI `body` is not supported yet. Import by id.

use crate::{ApiGateway, patch};
use async_trait::async_trait;
use aws_sdk_apigateway::types::{ApiKeySourceType, EndpointConfiguration, EndpointType};
use std::collections::BTreeMap;
use std::sync::Arc;
use terrane_aws_core::{AwsErrorExt, sdk_error, tags};
use terrane_sdk::read::{self, arg_error, int_value};
use terrane_sdk::{
    ApplyCtx, Attribute, Block, NestedBlock, Nesting, PlannedChange, ProviderError, Resource,
    Schema, plan_default,
};
use terrane_types::{Type, Value};

pub(crate) fn schema() -> Schema {
    Schema::new(
        Block::new()
            .describe("An API Gateway REST API.")
            .attr("name", Attribute::required(Type::String))
            .attr("description", Attribute::optional(Type::String))
            .attr("body", Attribute::optional(Type::String))
            .attr(
                "binary_media_types",
                Attribute::optional(Type::list(Type::String)),
            )
            .attr(
                "minimum_compression_size",
                Attribute::optional(Type::Number),
            )
            .attr("api_key_source", Attribute::optional_computed(Type::String))
            .attr(
                "disable_execute_api_endpoint",
                Attribute::optional_computed(Type::Bool),
            )
            .block(
                "endpoint_configuration",
                NestedBlock::new(
                    Nesting::List,
                    Block::new().attr("types", Attribute::required(Type::list(Type::String))),
                )
                .items(0, 1),
            )
            .attr("tags", Attribute::optional(Type::map(Type::String)))
            .attr("tags_all", Attribute::computed(Type::map(Type::String)))
            .attr("id", Attribute::computed(Type::String))
            .attr("root_resource_id", Attribute::computed(Type::String))
            .attr("arn", Attribute::computed(Type::String))
            .attr("execution_arn", Attribute::computed(Type::String))
            .attr("created_date", Attribute::computed(Type::String)),
    )
}

pub(crate) struct RestApi {
    api: Arc<ApiGateway>,
    schema: Schema,
}

impl RestApi {
    pub(crate) fn new(api: Arc<ApiGateway>) -> RestApi {
        RestApi {
            api,
            schema: schema(),
        }
    }

    async fn read(&self, id: &str, prior: Option<&Value>) -> Result<Option<Value>, ProviderError> {
        let r = match self.api.client.get_rest_api().rest_api_id(id).send().await {
            Ok(r) => r,
            Err(e) if e.is_not_found() => return Ok(None),
            Err(e) => {
                return Err(sdk_error(
                    &format!("reading API Gateway REST API ({id})"),
                    e,
                ));
            }
        };
        let remote_tags: BTreeMap<String, String> = r
            .tags()
            .map(|t| t.iter().map(|(k, v)| (k.clone(), v.clone())).collect())
            .unwrap_or_default();
        let (tags_value, tags_all) = tags::state_values(&self.api.aws, &remote_tags, prior);
        let types: Vec<Value> = r
            .endpoint_configuration()
            .map(|c| {
                c.types()
                    .iter()
                    .map(|t| Value::string(t.as_str()))
                    .collect()
            })
            .unwrap_or_default();
        let media: Vec<Value> = r.binary_media_types().iter().map(Value::string).collect();
        let kept_null =
            |name: &str| prior.is_none_or(|p| p.get_attr(name).is_none_or(Value::is_null));
        Ok(Some(Value::object([
            ("name", Value::string(r.name().unwrap_or_default())),
            (
                "description",
                r.description()
                    .filter(|d| !d.is_empty())
                    .map_or(Value::Null(Type::String), Value::string),
            ),
            ("body", Value::Null(Type::String)),
            (
                "binary_media_types",
                if media.is_empty() && kept_null("binary_media_types") {
                    Value::Null(Type::list(Type::String))
                } else {
                    Value::List(media)
                },
            ),
            (
                "minimum_compression_size",
                r.minimum_compression_size()
                    .map_or(Value::Null(Type::Number), |n| int_value(i64::from(n))),
            ),
            (
                "api_key_source",
                Value::string(r.api_key_source().map_or("HEADER", |s| s.as_str())),
            ),
            (
                "disable_execute_api_endpoint",
                Value::Bool(r.disable_execute_api_endpoint()),
            ),
            (
                "endpoint_configuration",
                Value::List(vec![Value::object([("types", Value::List(types))])]),
            ),
            ("tags", tags_value),
            ("tags_all", tags_all),
            ("id", Value::string(id)),
            (
                "root_resource_id",
                Value::string(r.root_resource_id().unwrap_or_default()),
            ),
            (
                "arn",
                Value::string(format!(
                    "arn:{}:apigateway:{}::/restapis/{id}",
                    self.api.aws.partition(),
                    self.api.aws.region
                )),
            ),
            (
                "execution_arn",
                Value::string(self.api.execution_arn(id).await?),
            ),
            (
                "created_date",
                Value::string(
                    r.created_date()
                        .and_then(|d| d.fmt(aws_smithy_types::date_time::Format::DateTime).ok())
                        .unwrap_or_default(),
                ),
            ),
        ])))
    }
}

fn endpoint_types(planned: &Value) -> Vec<String> {
    planned
        .get_attr("endpoint_configuration")
        .and_then(Value::as_seq)
        .and_then(|b| b.first())
        .map(|b| read::strings(b, "types"))
        .unwrap_or_default()
}

#[async_trait]
impl Resource for RestApi {
    fn schema(&self) -> &Schema {
        &self.schema
    }

    async fn plan(
        &self,
        prior: Option<&Value>,
        config: &Value,
    ) -> Result<PlannedChange, ProviderError> {
        if read::is_set(config, "body") {
            return Err(arg_error(
                "body",
                "importing an OpenAPI body into a REST API is not supported yet",
            )
            .with_hint("Describe the API with aws_api_gateway_resource, _method and _integration resources."));
        }
        let mut change = plan_default(&self.schema, prior, config);
        if let Value::Object(m) = &mut change.planned {
            m.insert(
                "tags_all".into(),
                tags::plan_tags_all(&self.api.aws, config),
            );
            // Without the block, AWS picks the endpoint type (EDGE); what exists stays.
            let unconfigured = config
                .get_attr("endpoint_configuration")
                .and_then(Value::as_seq)
                .is_none_or(<[Value]>::is_empty);
            if unconfigured {
                let kept = prior
                    .and_then(|p| p.get_attr("endpoint_configuration"))
                    .cloned()
                    .unwrap_or(Value::unknown());
                m.insert("endpoint_configuration".into(), kept);
            }
        }
        Ok(change)
    }

    async fn create(&self, planned: &Value, _ctx: &ApplyCtx) -> Result<Value, ProviderError> {
        let name = read::string(planned, "name").unwrap_or_default();
        let all_tags = tags::tags_all(&self.api.aws, &tags::tags_of(planned, "tags"));
        let types = endpoint_types(planned);
        let media = read::strings(planned, "binary_media_types");
        let out = self
            .api
            .client
            .create_rest_api()
            .name(name)
            .set_description(read::string(planned, "description").map(str::to_owned))
            .set_endpoint_configuration((!types.is_empty()).then(|| {
                EndpointConfiguration::builder()
                    .set_types(Some(
                        types
                            .iter()
                            .map(|t| EndpointType::from(t.as_str()))
                            .collect(),
                    ))
                    .build()
            }))
            .set_binary_media_types((!media.is_empty()).then_some(media))
            .set_minimum_compression_size(
                read::integer(planned, "minimum_compression_size")?
                    .and_then(|n| i32::try_from(n).ok()),
            )
            .set_api_key_source(read::string(planned, "api_key_source").map(ApiKeySourceType::from))
            .set_disable_execute_api_endpoint(read::boolean(
                planned,
                "disable_execute_api_endpoint",
            ))
            .set_tags((!all_tags.is_empty()).then(|| all_tags.into_iter().collect()))
            .send()
            .await
            .map_err(|e| sdk_error(&format!("creating API Gateway REST API ({name})"), e))?;
        let id = out.id().unwrap_or_default();
        self.read(id, Some(planned)).await?.ok_or_else(|| {
            ProviderError::new(format!(
                "API Gateway REST API ({id}) not found after creation"
            ))
        })
    }

    async fn update(
        &self,
        prior: &Value,
        planned: &Value,
        _ctx: &ApplyCtx,
    ) -> Result<Value, ProviderError> {
        let id = read::string(prior, "id").unwrap_or_default().to_owned();
        let mut ops = Vec::new();
        let changed = |n: &str| prior.get_attr(n) != planned.get_attr(n);
        if changed("name") {
            ops.push(patch("/name", read::string(planned, "name")));
        }
        if changed("description") {
            ops.push(patch(
                "/description",
                Some(read::string(planned, "description").unwrap_or("")),
            ));
        }
        if changed("api_key_source")
            && let Some(s) = read::string(planned, "api_key_source")
        {
            ops.push(patch("/apiKeySource", Some(s)));
        }
        if changed("disable_execute_api_endpoint") {
            let v = read::boolean(planned, "disable_execute_api_endpoint").unwrap_or(false);
            ops.push(patch(
                "/disableExecuteApiEndpoint",
                Some(if v { "true" } else { "false" }),
            ));
        }
        if changed("minimum_compression_size") {
            let v = read::integer(planned, "minimum_compression_size")?.map(|n| n.to_string());
            ops.push(patch(
                "/minimumCompressionSize",
                Some(v.as_deref().unwrap_or("")),
            ));
        }
        if changed("endpoint_configuration") {
            let old = endpoint_types(prior);
            for (old, new) in old.iter().zip(endpoint_types(planned)) {
                if *old != new {
                    ops.push(patch(
                        &format!("/endpointConfiguration/types/{old}"),
                        Some(&new),
                    ));
                }
            }
        }
        if changed("binary_media_types") {
            let old = read::strings(prior, "binary_media_types");
            let new = read::strings(planned, "binary_media_types");
            for t in old.iter().filter(|t| !new.contains(t)) {
                ops.push(patch(
                    &format!("/binaryMediaTypes/{}", t.replace('/', "~1")),
                    None,
                ));
            }
            for t in new.iter().filter(|t| !old.contains(t)) {
                ops.push(
                    aws_sdk_apigateway::types::PatchOperation::builder()
                        .op(aws_sdk_apigateway::types::Op::Add)
                        .path(format!("/binaryMediaTypes/{}", t.replace('/', "~1")))
                        .build(),
                );
            }
        }
        let c = &self.api.client;
        if !ops.is_empty() {
            c.update_rest_api()
                .rest_api_id(&id)
                .set_patch_operations(Some(ops))
                .send()
                .await
                .map_err(|e| sdk_error(&format!("updating API Gateway REST API ({id})"), e))?;
        }
        let arn = read::string(prior, "arn").unwrap_or_default();
        self.api
            .update_tags(arn, &format!("API Gateway REST API ({id})"), prior, planned)
            .await?;
        self.read(&id, Some(planned)).await?.ok_or_else(|| {
            ProviderError::new(format!(
                "API Gateway REST API ({id}) not found after update"
            ))
        })
    }

    async fn delete(&self, prior: &Value, _ctx: &ApplyCtx) -> Result<(), ProviderError> {
        let Some(id) = read::string(prior, "id") else {
            return Ok(());
        };
        match self
            .api
            .client
            .delete_rest_api()
            .rest_api_id(id)
            .send()
            .await
        {
            Err(e) if !e.is_not_found() => Err(sdk_error(
                &format!("deleting API Gateway REST API ({id})"),
                e,
            )),
            _ => Ok(()),
        }
    }

    async fn read_many(&self, priors: &[Value]) -> Result<Vec<Option<Value>>, ProviderError> {
        let mut out = Vec::with_capacity(priors.len());
        for p in priors {
            match read::string(p, "id") {
                Some(id) => out.push(self.read(id, Some(p)).await?),
                None => out.push(None),
            }
        }
        Ok(out)
    }

    async fn import(&self, id: &str) -> Result<Value, ProviderError> {
        self.read(id, None).await?.ok_or_else(|| {
            ProviderError::new(format!(
                "Cannot import non-existent remote object: API Gateway REST API ({id})"
            ))
        })
    }
}
