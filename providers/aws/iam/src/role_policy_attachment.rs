//! `aws_iam_role_policy_attachment`: a managed policy attached to a role. Both arguments
//! force replacement; the id is `<role>-<unique suffix>` as Terraform makes it. Refresh lists
//! each role's attached policies once (ListAttachedRolePolicies), however many attachments
//! it has. Import id: `<role>/<policy_arn>`.

use crate::Iam;
use async_trait::async_trait;
use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;
use terrane_aws_core::naming::unique_name;
use terrane_aws_core::{AwsErrorExt, sdk_error};
use terrane_sdk::read;
use terrane_sdk::{ApplyCtx, Attribute, Block, ProviderError, Resource, Schema};
use terrane_types::{Type, Value};

pub(crate) fn schema() -> Schema {
    Schema::new(
        Block::new()
            .describe("A managed IAM policy attached to a role.")
            .attr("role", Attribute::required(Type::String).force_new())
            .attr("policy_arn", Attribute::required(Type::String).force_new())
            .attr("id", Attribute::computed(Type::String)),
    )
}

pub(crate) struct Attachment {
    iam: Arc<Iam>,
    schema: Schema,
}

impl Attachment {
    pub(crate) fn new(iam: Arc<Iam>) -> Attachment {
        Attachment {
            iam,
            schema: schema(),
        }
    }

    /// The policies attached to a role; `None` when the role is gone.
    async fn attached(&self, role: &str) -> Result<Option<BTreeSet<String>>, ProviderError> {
        let mut out = BTreeSet::new();
        let mut pages = self
            .iam
            .client
            .list_attached_role_policies()
            .role_name(role)
            .into_paginator()
            .send();
        while let Some(page) = pages.next().await {
            match page {
                Ok(page) => out.extend(
                    page.attached_policies()
                        .iter()
                        .filter_map(|p| p.policy_arn().map(str::to_owned)),
                ),
                Err(e) if e.is_not_found() => return Ok(None),
                Err(e) => {
                    return Err(sdk_error(
                        &format!("listing policies attached to IAM Role ({role})"),
                        e,
                    ));
                }
            }
        }
        Ok(Some(out))
    }
}

#[async_trait]
impl Resource for Attachment {
    fn schema(&self) -> &Schema {
        &self.schema
    }

    async fn create(&self, planned: &Value, _ctx: &ApplyCtx) -> Result<Value, ProviderError> {
        let role = read::string(planned, "role").unwrap_or_default();
        let arn = read::string(planned, "policy_arn").unwrap_or_default();
        self.iam
            .client
            .attach_role_policy()
            .role_name(role)
            .policy_arn(arn)
            .send()
            .await
            .map_err(|e| {
                let missing_policy = e.is_not_found();
                let err = sdk_error(
                    &format!("attaching IAM Policy ({arn}) to IAM Role ({role})"),
                    e,
                );
                if missing_policy {
                    err.with_attribute(path("policy_arn"))
                } else {
                    err
                }
            })?;
        Ok(read::with_attrs(
            planned,
            [("id", Value::string(unique_name(&format!("{role}-"))))],
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
        let (Some(role), Some(arn)) = (
            read::string(prior, "role"),
            read::string(prior, "policy_arn"),
        ) else {
            return Ok(());
        };
        match self
            .iam
            .client
            .detach_role_policy()
            .role_name(role)
            .policy_arn(arn)
            .send()
            .await
        {
            Err(e) if !e.is_not_found() => Err(sdk_error(
                &format!("detaching IAM Policy ({arn}) from IAM Role ({role})"),
                e,
            )),
            _ => Ok(()),
        }
    }

    async fn read_many(&self, priors: &[Value]) -> Result<Vec<Option<Value>>, ProviderError> {
        let roles: BTreeSet<&str> = priors
            .iter()
            .filter_map(|p| read::string(p, "role"))
            .collect();
        let mut attached: BTreeMap<&str, Option<BTreeSet<String>>> = BTreeMap::new();
        for role in roles {
            attached.insert(role, self.attached(role).await?);
        }
        Ok(priors
            .iter()
            .map(|p| {
                let policies = attached.get(read::string(p, "role")?)?.as_ref()?;
                policies
                    .contains(read::string(p, "policy_arn")?)
                    .then(|| p.clone())
            })
            .collect())
    }

    async fn import(&self, id: &str) -> Result<Value, ProviderError> {
        let Some((role, arn)) = id.split_once('/') else {
            return Err(ProviderError::new(format!(
                "unexpected import id {id:?} for aws_iam_role_policy_attachment"
            ))
            .with_hint("Use <role-name>/<policy-arn>."));
        };
        let attached = self.attached(role).await?.unwrap_or_default();
        if !attached.contains(arn) {
            return Err(ProviderError::new(format!(
                "Cannot import non-existent remote object: IAM Policy ({arn}) is not attached to IAM Role ({role})"
            )));
        }
        Ok(Value::object([
            ("role", Value::string(role)),
            ("policy_arn", Value::string(arn)),
            ("id", Value::string(unique_name(&format!("{role}-")))),
        ]))
    }
}

fn path(attr: &str) -> terrane_types::AttrPath {
    terrane_types::AttrPath(vec![terrane_types::PathStep::Attr(attr.to_owned())])
}
