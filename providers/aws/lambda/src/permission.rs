//! `aws_lambda_permission`: a statement of a function's resource policy (AddPermission),
//! e.g. letting API Gateway invoke it. Every argument forces replacement; the id is the
//! statement id (given, or generated from `statement_id_prefix`). Refresh reads the
//! function's policy (GetPolicy) once per function and qualifier. Import is not
//! supported yet.

use crate::Lambda;
use async_trait::async_trait;
use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;
use terrane_aws_core::naming::unique_name;
use terrane_aws_core::{AwsErrorExt, sdk_error};
use terrane_sdk::read;
use terrane_sdk::{
    ApplyCtx, Attribute, Block, PlannedChange, ProviderError, Resource, Schema, plan_default,
};
use terrane_types::{Type, Value};

pub(crate) fn schema() -> Schema {
    let arg = |required: bool| {
        if required {
            Attribute::required(Type::String).force_new()
        } else {
            Attribute::optional(Type::String).force_new()
        }
    };
    Schema::new(
        Block::new()
            .describe("A permission in a Lambda function's resource policy.")
            .attr("action", arg(true))
            .attr("function_name", arg(true))
            .attr("principal", arg(true))
            .attr(
                "statement_id",
                Attribute::optional_computed(Type::String).force_new(),
            )
            .attr(
                "statement_id_prefix",
                Attribute::optional_computed(Type::String).force_new(),
            )
            .attr("source_arn", arg(false))
            .attr("source_account", arg(false))
            .attr("qualifier", arg(false))
            .attr("event_source_token", arg(false))
            .attr("principal_org_id", arg(false))
            .attr("function_url_auth_type", arg(false))
            .attr("id", Attribute::computed(Type::String)),
    )
}

pub(crate) struct Permission {
    lambda: Arc<Lambda>,
    schema: Schema,
}

impl Permission {
    pub(crate) fn new(lambda: Arc<Lambda>) -> Permission {
        Permission {
            lambda,
            schema: schema(),
        }
    }

    /// The statement ids in a function's policy; `None` when the function (or its policy)
    /// is gone.
    async fn statements(
        &self,
        function: &str,
        qualifier: Option<&str>,
    ) -> Result<Option<Vec<String>>, ProviderError> {
        let out = match self
            .lambda
            .client
            .get_policy()
            .function_name(function)
            .set_qualifier(qualifier.map(str::to_owned))
            .send()
            .await
        {
            Ok(out) => out,
            Err(e) if e.is_not_found() => return Ok(None),
            Err(e) => {
                return Err(sdk_error(
                    &format!("reading Lambda Function ({function}) policy"),
                    e,
                ));
            }
        };
        let policy: serde_json::Value =
            serde_json::from_str(out.policy().unwrap_or("{}")).unwrap_or_default();
        let statements = match &policy["Statement"] {
            serde_json::Value::Array(items) => items.clone(),
            serde_json::Value::Object(_) => vec![policy["Statement"].clone()],
            _ => Vec::new(),
        };
        Ok(Some(
            statements
                .iter()
                .filter_map(|s| s["Sid"].as_str().map(str::to_owned))
                .collect(),
        ))
    }
}

#[async_trait]
impl Resource for Permission {
    fn schema(&self) -> &Schema {
        &self.schema
    }

    async fn plan(
        &self,
        prior: Option<&Value>,
        config: &Value,
    ) -> Result<PlannedChange, ProviderError> {
        if read::is_set(config, "statement_id") && read::is_set(config, "statement_id_prefix") {
            return Err(read::arg_error(
                "statement_id_prefix",
                "\"statement_id_prefix\": conflicts with statement_id",
            ));
        }
        Ok(plan_default(&self.schema, prior, config))
    }

    async fn create(&self, planned: &Value, ctx: &ApplyCtx) -> Result<Value, ProviderError> {
        let sid = match read::string(planned, "statement_id") {
            Some(s) => s.to_owned(),
            None => {
                unique_name(read::string(planned, "statement_id_prefix").unwrap_or("terraform-"))
            }
        };
        let function = read::string(planned, "function_name").unwrap_or_default();
        let call = self
            .lambda
            .client
            .add_permission()
            .function_name(function)
            .statement_id(&sid)
            .action(read::string(planned, "action").unwrap_or_default())
            .principal(read::string(planned, "principal").unwrap_or_default())
            .set_source_arn(read::string(planned, "source_arn").map(str::to_owned))
            .set_source_account(read::string(planned, "source_account").map(str::to_owned))
            .set_qualifier(read::string(planned, "qualifier").map(str::to_owned))
            .set_event_source_token(read::string(planned, "event_source_token").map(str::to_owned))
            .set_principal_org_id(read::string(planned, "principal_org_id").map(str::to_owned))
            .set_function_url_auth_type(
                read::string(planned, "function_url_auth_type")
                    .map(aws_sdk_lambda::types::FunctionUrlAuthType::from),
            );
        // The function's policy changes one at a time: a concurrent change is retried.
        let mut attempts = 0;
        loop {
            match call.clone().send().await {
                Ok(_) => break,
                Err(e) if e.aws_code() == Some("ResourceConflictException") && attempts < 30 => {
                    attempts += 1;
                    if attempts == 1 {
                        ctx.progress("waiting for another change to the function's policy");
                    }
                    tokio::time::sleep(Duration::from_millis(500)).await;
                }
                Err(e) => {
                    return Err(sdk_error(
                        &format!("adding permission ({sid}) to Lambda Function ({function})"),
                        e,
                    ));
                }
            }
        }
        Ok(read::with_attrs(
            planned,
            [
                ("statement_id", Value::string(&sid)),
                (
                    "statement_id_prefix",
                    Value::string(read::string(planned, "statement_id_prefix").unwrap_or("")),
                ),
                ("id", Value::string(&sid)),
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
        let (Some(function), Some(sid)) = (
            read::string(prior, "function_name"),
            read::string(prior, "statement_id"),
        ) else {
            return Ok(());
        };
        match self
            .lambda
            .client
            .remove_permission()
            .function_name(function)
            .statement_id(sid)
            .set_qualifier(read::string(prior, "qualifier").map(str::to_owned))
            .send()
            .await
        {
            Err(e) if !e.is_not_found() => Err(sdk_error(
                &format!("removing permission ({sid}) from Lambda Function ({function})"),
                e,
            )),
            _ => Ok(()),
        }
    }

    async fn read_many(&self, priors: &[Value]) -> Result<Vec<Option<Value>>, ProviderError> {
        let mut policies: BTreeMap<(String, Option<String>), Option<Vec<String>>> = BTreeMap::new();
        let mut out = Vec::with_capacity(priors.len());
        for p in priors {
            let (Some(function), Some(sid)) = (
                read::string(p, "function_name"),
                read::string(p, "statement_id"),
            ) else {
                out.push(None);
                continue;
            };
            let key = (
                function.to_owned(),
                read::string(p, "qualifier").map(str::to_owned),
            );
            if !policies.contains_key(&key) {
                let found = self.statements(&key.0, key.1.as_deref()).await?;
                policies.insert(key.clone(), found);
            }
            let present = policies
                .get(&key)
                .and_then(Option::as_ref)
                .is_some_and(|sids| sids.iter().any(|s| s == sid));
            out.push(present.then(|| p.clone()));
        }
        Ok(out)
    }
}
