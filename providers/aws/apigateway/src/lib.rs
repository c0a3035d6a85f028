//! API Gateway (REST APIs) resources of the aws provider, with Terraform's names and
//! semantics: `aws_api_gateway_rest_api`, `aws_api_gateway_resource` (nested paths built
//! from path parts), `aws_api_gateway_method`, `aws_api_gateway_integration`,
//! `aws_api_gateway_deployment` (replaced when its `triggers` change) and
//! `aws_api_gateway_stage`.
//!
//! Refresh is batched per API: one GetResources call (500 per page, methods and their
//! integrations embedded) reads every resource, method and integration of an API, and one
//! GetStages call its stages. Updates are PATCH operations, as the API takes them.

mod deployment;
mod integration;
mod method;
mod resource;
mod rest_api;
mod stage;

use aws_sdk_apigateway::types::{Op, PatchOperation};
use std::sync::Arc;
use terrane_aws_core::{Aws, AwsErrorExt, Service, sdk_error};
use terrane_sdk::{Catalog, ProviderError, Schema};

/// The service: registered with the aws provider by the binary.
pub struct ApiGatewayService;

impl Service for ApiGatewayService {
    fn resource_schemas(&self) -> Vec<(&'static str, Schema)> {
        vec![
            ("aws_api_gateway_rest_api", rest_api::schema()),
            ("aws_api_gateway_resource", resource::schema()),
            ("aws_api_gateway_method", method::schema()),
            ("aws_api_gateway_integration", integration::schema()),
            ("aws_api_gateway_deployment", deployment::schema()),
            ("aws_api_gateway_stage", stage::schema()),
        ]
    }

    fn data_source_schemas(&self) -> Vec<(&'static str, Schema)> {
        vec![]
    }

    fn configure(&self, aws: &Arc<Aws>) -> Catalog {
        let api = Arc::new(ApiGateway::new(aws.clone()));
        Catalog::default()
            .resource(
                "aws_api_gateway_rest_api",
                rest_api::RestApi::new(api.clone()),
            )
            .resource(
                "aws_api_gateway_resource",
                resource::ApiResource::new(api.clone()),
            )
            .resource("aws_api_gateway_method", method::Method::new(api.clone()))
            .resource(
                "aws_api_gateway_integration",
                integration::Integration::new(api.clone()),
            )
            .resource(
                "aws_api_gateway_deployment",
                deployment::Deployment::new(api.clone()),
            )
            .resource("aws_api_gateway_stage", stage::Stage::new(api))
    }
}

/// A configured API Gateway client and the provider it belongs to.
pub(crate) struct ApiGateway {
    pub client: aws_sdk_apigateway::Client,
    pub aws: Arc<Aws>,
}

impl ApiGateway {
    fn new(aws: Arc<Aws>) -> ApiGateway {
        let mut conf = aws_sdk_apigateway::config::Builder::from(&aws.sdk);
        if let Some(url) = aws.endpoint("apigateway") {
            conf = conf.endpoint_url(url);
        }
        ApiGateway {
            client: aws_sdk_apigateway::Client::from_conf(conf.build()),
            aws,
        }
    }

    /// `arn:<partition>:execute-api:<region>:<account>:<api id>`.
    pub(crate) async fn execution_arn(&self, api_id: &str) -> Result<String, ProviderError> {
        let account = self.aws.identity().await?.account_id;
        Ok(format!(
            "arn:{}:execute-api:{}:{account}:{api_id}",
            self.aws.partition(),
            self.aws.region
        ))
    }

    /// `https://<api id>.execute-api.<region>.<dns suffix>/<stage>`.
    pub(crate) fn invoke_url(&self, api_id: &str, stage: &str) -> String {
        invoke_url(api_id, &self.aws.region, self.aws.dns_suffix(), stage)
    }

    /// Makes the tags of the object at `arn` what `planned` says (`what` names it in errors).
    pub(crate) async fn update_tags(
        &self,
        arn: &str,
        what: &str,
        prior: &terrane_types::Value,
        planned: &terrane_types::Value,
    ) -> Result<(), ProviderError> {
        let c = &self.client;
        terrane_aws_core::tags::update(
            &self.aws,
            prior,
            planned,
            |keys| async move {
                c.untag_resource()
                    .resource_arn(arn)
                    .set_tag_keys(Some(keys))
                    .send()
                    .await
                    .map(|_| ())
                    .map_err(|e| sdk_error(&format!("untagging {what}"), e))
            },
            |set| async move {
                c.tag_resource()
                    .resource_arn(arn)
                    .set_tags(Some(set.into_iter().collect()))
                    .send()
                    .await
                    .map(|_| ())
                    .map_err(|e| sdk_error(&format!("tagging {what}"), e))
            },
        )
        .await
    }

    /// Every resource of an API, with its methods and their integrations embedded; `None`
    /// when the API is gone.
    pub(crate) async fn resources(
        &self,
        api_id: &str,
    ) -> Result<Option<Vec<aws_sdk_apigateway::types::Resource>>, ProviderError> {
        let mut pages = self
            .client
            .get_resources()
            .rest_api_id(api_id)
            .limit(500)
            .embed("methods")
            .into_paginator()
            .send();
        let mut out = Vec::new();
        while let Some(page) = pages.next().await {
            match page {
                Ok(page) => out.extend(page.items().iter().cloned()),
                Err(e) if e.is_not_found() => return Ok(None),
                Err(e) => {
                    return Err(sdk_error(
                        &format!("reading API Gateway REST API ({api_id}) resources"),
                        e,
                    ));
                }
            }
        }
        Ok(Some(out))
    }
}

fn invoke_url(api_id: &str, region: &str, dns_suffix: &str, stage: &str) -> String {
    format!("https://{api_id}.execute-api.{region}.{dns_suffix}/{stage}")
}

/// One PATCH operation: replace `path` with `value`, or remove it when `value` is `None`.
pub(crate) fn patch(path: &str, value: Option<&str>) -> PatchOperation {
    match value {
        Some(v) => PatchOperation::builder()
            .op(Op::Replace)
            .path(path)
            .value(v)
            .build(),
        None => PatchOperation::builder().op(Op::Remove).path(path).build(),
    }
}

/// Priors grouped by their REST API, so each API is read once.
pub(crate) fn by_api(priors: &[terrane_types::Value]) -> std::collections::BTreeSet<String> {
    priors
        .iter()
        .filter_map(|p| terrane_sdk::read::string(p, "rest_api_id").map(str::to_owned))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_stage_is_invoked_at_its_regional_url() {
        assert_eq!(
            invoke_url("abc123", "eu-west-3", "amazonaws.com", "prod"),
            "https://abc123.execute-api.eu-west-3.amazonaws.com/prod"
        );
    }

    #[test]
    fn patches_replace_or_remove() {
        let p = patch("/name", Some("api"));
        assert_eq!(p.op(), Some(&Op::Replace));
        assert_eq!(p.value(), Some("api"));
        assert_eq!(patch("/description", None).op(), Some(&Op::Remove));
    }
}
