//! `aws_api_gateway_resource`: one path part of a REST API under a parent resource (the
//! API's root for `/users`, `/users` for `/users/{id}`); `path` is the full path AWS
//! computes. The parent and the path part change in place. Refresh: one GetResources call
//! per API. Import id: `<rest_api_id>/<resource_id>`.

use crate::{ApiGateway, by_api, patch};
use async_trait::async_trait;
use std::collections::BTreeMap;
use std::sync::Arc;
use terrane_aws_core::{AwsErrorExt, sdk_error};
use terrane_sdk::read;
use terrane_sdk::{ApplyCtx, Attribute, Block, ProviderError, Resource, Schema};
use terrane_types::{Type, Value};

pub(crate) fn schema() -> Schema {
    Schema::new(
        Block::new()
            .describe("A path part of an API Gateway REST API.")
            .attr("rest_api_id", Attribute::required(Type::String).force_new())
            .attr("parent_id", Attribute::required(Type::String))
            .attr("path_part", Attribute::required(Type::String))
            .attr("path", Attribute::computed(Type::String))
            .attr("id", Attribute::computed(Type::String)),
    )
}

pub(crate) struct ApiResource {
    api: Arc<ApiGateway>,
    schema: Schema,
}

impl ApiResource {
    pub(crate) fn new(api: Arc<ApiGateway>) -> ApiResource {
        ApiResource {
            api,
            schema: schema(),
        }
    }

    async fn read_one(&self, api_id: &str, id: &str) -> Result<Option<Value>, ProviderError> {
        match self
            .api
            .client
            .get_resource()
            .rest_api_id(api_id)
            .resource_id(id)
            .send()
            .await
        {
            Ok(r) => Ok(Some(state(
                api_id,
                id,
                r.parent_id(),
                r.path_part(),
                r.path(),
            ))),
            Err(e) if e.is_not_found() => Ok(None),
            Err(e) => Err(sdk_error(
                &format!("reading API Gateway Resource ({id})"),
                e,
            )),
        }
    }
}

fn state(
    api_id: &str,
    id: &str,
    parent: Option<&str>,
    part: Option<&str>,
    path: Option<&str>,
) -> Value {
    Value::object([
        ("rest_api_id", Value::string(api_id)),
        ("parent_id", Value::string(parent.unwrap_or_default())),
        ("path_part", Value::string(part.unwrap_or_default())),
        ("path", Value::string(path.unwrap_or_default())),
        ("id", Value::string(id)),
    ])
}

#[async_trait]
impl Resource for ApiResource {
    fn schema(&self) -> &Schema {
        &self.schema
    }

    async fn create(&self, planned: &Value, _ctx: &ApplyCtx) -> Result<Value, ProviderError> {
        let api_id = read::string(planned, "rest_api_id").unwrap_or_default();
        let part = read::string(planned, "path_part").unwrap_or_default();
        let out = self
            .api
            .client
            .create_resource()
            .rest_api_id(api_id)
            .parent_id(read::string(planned, "parent_id").unwrap_or_default())
            .path_part(part)
            .send()
            .await
            .map_err(|e| sdk_error(&format!("creating API Gateway Resource ({part})"), e))?;
        Ok(state(
            api_id,
            out.id().unwrap_or_default(),
            out.parent_id(),
            out.path_part(),
            out.path(),
        ))
    }

    async fn update(
        &self,
        prior: &Value,
        planned: &Value,
        _ctx: &ApplyCtx,
    ) -> Result<Value, ProviderError> {
        let api_id = read::string(prior, "rest_api_id").unwrap_or_default();
        let id = read::string(prior, "id").unwrap_or_default();
        let mut ops = Vec::new();
        for (attr, path) in [("parent_id", "/parentId"), ("path_part", "/pathPart")] {
            if prior.get_attr(attr) != planned.get_attr(attr) {
                ops.push(patch(path, read::string(planned, attr)));
            }
        }
        let out = self
            .api
            .client
            .update_resource()
            .rest_api_id(api_id)
            .resource_id(id)
            .set_patch_operations(Some(ops))
            .send()
            .await
            .map_err(|e| sdk_error(&format!("updating API Gateway Resource ({id})"), e))?;
        Ok(state(
            api_id,
            id,
            out.parent_id(),
            out.path_part(),
            out.path(),
        ))
    }

    async fn delete(&self, prior: &Value, _ctx: &ApplyCtx) -> Result<(), ProviderError> {
        let (Some(api_id), Some(id)) = (
            read::string(prior, "rest_api_id"),
            read::string(prior, "id"),
        ) else {
            return Ok(());
        };
        match self
            .api
            .client
            .delete_resource()
            .rest_api_id(api_id)
            .resource_id(id)
            .send()
            .await
        {
            Err(e) if !e.is_not_found() => Err(sdk_error(
                &format!("deleting API Gateway Resource ({id})"),
                e,
            )),
            _ => Ok(()),
        }
    }

    async fn read_many(&self, priors: &[Value]) -> Result<Vec<Option<Value>>, ProviderError> {
        let mut found: BTreeMap<(String, String), Value> = BTreeMap::new();
        for api_id in by_api(priors) {
            for r in self.api.resources(&api_id).await?.unwrap_or_default() {
                let id = r.id().unwrap_or_default();
                found.insert(
                    (api_id.clone(), id.to_owned()),
                    state(&api_id, id, r.parent_id(), r.path_part(), r.path()),
                );
            }
        }
        Ok(priors
            .iter()
            .map(|p| {
                let key = (
                    read::string(p, "rest_api_id")?.to_owned(),
                    read::string(p, "id")?.to_owned(),
                );
                found.get(&key).cloned()
            })
            .collect())
    }

    async fn import(&self, id: &str) -> Result<Value, ProviderError> {
        let Some((api_id, resource_id)) = id.split_once('/') else {
            return Err(ProviderError::new(format!(
                "unexpected import id {id:?} for aws_api_gateway_resource"
            ))
            .with_hint("Use <rest_api_id>/<resource_id>."));
        };
        self.read_one(api_id, resource_id).await?.ok_or_else(|| {
            ProviderError::new(format!(
                "Cannot import non-existent remote object: API Gateway Resource ({id})"
            ))
        })
    }
}
