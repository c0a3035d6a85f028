//! `aws_iam_role_policy`: an inline policy of a role (PutRolePolicy). `policy` compares by
//! meaning and changes in place; name and role force replacement. Id and import id:
//! `<role>:<name>`.

use crate::role::keep_equivalent;
use crate::{Iam, at_policy, policy_json};
use async_trait::async_trait;
use std::sync::Arc;
use terrane_aws_core::{AwsErrorExt, naming, sdk_error};
use terrane_sdk::read;
use terrane_sdk::{
    ApplyCtx, Attribute, Block, PlannedChange, ProviderError, Resource, Schema, plan_default,
};
use terrane_types::{Type, Value};

pub(crate) fn schema() -> Schema {
    Schema::new(
        Block::new()
            .describe("An inline policy of an IAM role.")
            .attr(
                "name",
                Attribute::optional_computed(Type::String).force_new(),
            )
            .attr(
                "name_prefix",
                Attribute::optional_computed(Type::String).force_new(),
            )
            .attr("role", Attribute::required(Type::String).force_new())
            .attr("policy", Attribute::required(Type::String))
            .attr("id", Attribute::computed(Type::String)),
    )
}

pub(crate) struct RolePolicy {
    iam: Arc<Iam>,
    schema: Schema,
}

impl RolePolicy {
    pub(crate) fn new(iam: Arc<Iam>) -> RolePolicy {
        RolePolicy {
            iam,
            schema: schema(),
        }
    }

    async fn put(&self, role: &str, name: &str, policy: &str) -> Result<(), ProviderError> {
        self.iam
            .client
            .put_role_policy()
            .role_name(role)
            .policy_name(name)
            .policy_document(policy)
            .send()
            .await
            .map_err(|e| {
                at_policy(
                    sdk_error(&format!("putting IAM Role ({role}) policy ({name})"), e),
                    "policy",
                )
            })?;
        Ok(())
    }

    async fn read(
        &self,
        role: &str,
        name: &str,
        prior: Option<&Value>,
    ) -> Result<Option<Value>, ProviderError> {
        let out = match self
            .iam
            .client
            .get_role_policy()
            .role_name(role)
            .policy_name(name)
            .send()
            .await
        {
            Ok(out) => out,
            Err(e) if e.is_not_found() => return Ok(None),
            Err(e) => {
                return Err(sdk_error(
                    &format!("reading IAM Role ({role}) policy ({name})"),
                    e,
                ));
            }
        };
        let remote = policy_json::url_decode(out.policy_document());
        let policy = policy_json::kept(prior.and_then(|p| read::string(p, "policy")), &remote);
        Ok(Some(Value::object([
            ("name", Value::string(name)),
            ("name_prefix", Value::string(naming::prefix_of(name))),
            ("role", Value::string(role)),
            ("policy", Value::string(policy)),
            ("id", Value::string(format!("{role}:{name}"))),
        ])))
    }
}

#[async_trait]
impl Resource for RolePolicy {
    fn schema(&self) -> &Schema {
        &self.schema
    }

    async fn plan(
        &self,
        prior: Option<&Value>,
        config: &Value,
    ) -> Result<PlannedChange, ProviderError> {
        naming::check_name_conflict(config)?;
        if let Some(doc) = read::string(config, "policy") {
            policy_json::check("policy", doc)?;
        }
        let config = keep_equivalent(config, prior, "policy");
        Ok(plan_default(&self.schema, prior, &config))
    }

    async fn create(&self, planned: &Value, _ctx: &ApplyCtx) -> Result<Value, ProviderError> {
        let name = naming::name_to_create(planned);
        let role = read::string(planned, "role").unwrap_or_default();
        self.put(role, &name, read::string(planned, "policy").unwrap_or(""))
            .await?;
        self.read(role, &name, Some(planned)).await?.ok_or_else(|| {
            ProviderError::new(format!(
                "IAM Role ({role}) policy ({name}) not found after creation"
            ))
        })
    }

    async fn update(
        &self,
        prior: &Value,
        planned: &Value,
        _ctx: &ApplyCtx,
    ) -> Result<Value, ProviderError> {
        let name = read::string(prior, "name").unwrap_or_default();
        let role = read::string(prior, "role").unwrap_or_default();
        self.put(role, name, read::string(planned, "policy").unwrap_or(""))
            .await?;
        self.read(role, name, Some(planned)).await?.ok_or_else(|| {
            ProviderError::new(format!(
                "IAM Role ({role}) policy ({name}) not found after update"
            ))
        })
    }

    async fn delete(&self, prior: &Value, _ctx: &ApplyCtx) -> Result<(), ProviderError> {
        let (Some(role), Some(name)) = (read::string(prior, "role"), read::string(prior, "name"))
        else {
            return Ok(());
        };
        match self
            .iam
            .client
            .delete_role_policy()
            .role_name(role)
            .policy_name(name)
            .send()
            .await
        {
            Err(e) if !e.is_not_found() => Err(sdk_error(
                &format!("deleting IAM Role ({role}) policy ({name})"),
                e,
            )),
            _ => Ok(()),
        }
    }

    async fn read_many(&self, priors: &[Value]) -> Result<Vec<Option<Value>>, ProviderError> {
        let mut out = Vec::with_capacity(priors.len());
        for p in priors {
            match (read::string(p, "role"), read::string(p, "name")) {
                (Some(role), Some(name)) => out.push(self.read(role, name, Some(p)).await?),
                _ => out.push(None),
            }
        }
        Ok(out)
    }

    async fn import(&self, id: &str) -> Result<Value, ProviderError> {
        let Some((role, name)) = id.split_once(':') else {
            return Err(ProviderError::new(format!(
                "unexpected import id {id:?} for aws_iam_role_policy"
            ))
            .with_hint("Use <role-name>:<policy-name>."));
        };
        self.read(role, name, None).await?.ok_or_else(|| {
            ProviderError::new(format!(
                "Cannot import non-existent remote object: IAM Role ({role}) policy ({name})"
            ))
        })
    }
}
