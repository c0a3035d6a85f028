//! `aws_iam_policy`: a customer managed policy. A new `policy` (compared by meaning) is a
//! new default version (IAM keeps five: the oldest non-default one goes first, as Terraform
//! does); name, path and description force replacement. Delete removes the non-default
//! versions, then the policy. Id and import id: the ARN. Refresh: GetPolicy and
//! GetPolicyVersion per policy (IAM has no batched read).

use crate::role::keep_equivalent;
use crate::{Iam, at_policy, from_tags, policy_json, to_tags};
use async_trait::async_trait;
use std::sync::Arc;
use terrane_aws_core::{AwsErrorExt, naming, sdk_error, tags};
use terrane_sdk::read::{self, int_value};
use terrane_sdk::{
    ApplyCtx, Attribute, Block, PlannedChange, ProviderError, Resource, Schema, plan_default,
};
use terrane_types::{Type, Value};

pub(crate) fn schema() -> Schema {
    Schema::new(
        Block::new()
            .describe("A customer managed IAM policy.")
            .attr(
                "name",
                Attribute::optional_computed(Type::String).force_new(),
            )
            .attr(
                "name_prefix",
                Attribute::optional_computed(Type::String).force_new(),
            )
            .attr(
                "path",
                Attribute::optional_computed(Type::String).force_new(),
            )
            .attr("description", Attribute::optional(Type::String).force_new())
            .attr("policy", Attribute::required(Type::String))
            .attr("tags", Attribute::optional(Type::map(Type::String)))
            .attr("tags_all", Attribute::computed(Type::map(Type::String)))
            .attr("arn", Attribute::computed(Type::String))
            .attr("id", Attribute::computed(Type::String))
            .attr("policy_id", Attribute::computed(Type::String))
            .attr("attachment_count", Attribute::computed(Type::Number)),
    )
}

/// IAM keeps at most this many versions of a policy.
const MAX_VERSIONS: usize = 5;

pub(crate) struct Policy {
    iam: Arc<Iam>,
    schema: Schema,
}

impl Policy {
    pub(crate) fn new(iam: Arc<Iam>) -> Policy {
        Policy {
            iam,
            schema: schema(),
        }
    }

    async fn read(&self, arn: &str, prior: Option<&Value>) -> Result<Option<Value>, ProviderError> {
        let c = &self.iam.client;
        let out = match c.get_policy().policy_arn(arn).send().await {
            Ok(out) => out,
            Err(e) if e.is_not_found() => return Ok(None),
            Err(e) => return Err(sdk_error(&format!("reading IAM Policy ({arn})"), e)),
        };
        let Some(p) = out.policy() else {
            return Ok(None);
        };
        let version = p.default_version_id().unwrap_or("v1");
        let document = match c
            .get_policy_version()
            .policy_arn(arn)
            .version_id(version)
            .send()
            .await
        {
            Ok(v) => v
                .policy_version()
                .and_then(|v| v.document())
                .map(policy_json::url_decode)
                .unwrap_or_default(),
            Err(e) if e.is_not_found() => return Ok(None),
            Err(e) => {
                return Err(sdk_error(
                    &format!("reading IAM Policy ({arn}) version ({version})"),
                    e,
                ));
            }
        };
        let policy = policy_json::kept(prior.and_then(|p| read::string(p, "policy")), &document);
        let (tags_value, tags_all) = tags::state_values(&self.iam.aws, &from_tags(p.tags()), prior);
        let name = p.policy_name().unwrap_or_default();
        Ok(Some(Value::object([
            ("name", Value::string(name)),
            ("name_prefix", Value::string(naming::prefix_of(name))),
            ("path", Value::string(p.path().unwrap_or("/"))),
            (
                "description",
                p.description()
                    .filter(|d| !d.is_empty())
                    .map_or(Value::Null(Type::String), Value::string),
            ),
            ("policy", Value::string(policy)),
            ("tags", tags_value),
            ("tags_all", tags_all),
            ("arn", Value::string(arn)),
            ("id", Value::string(arn)),
            (
                "policy_id",
                Value::string(p.policy_id().unwrap_or_default()),
            ),
            (
                "attachment_count",
                int_value(i64::from(p.attachment_count().unwrap_or(0))),
            ),
        ])))
    }

    /// The versions that are not the default, oldest first.
    async fn old_versions(&self, arn: &str) -> Result<(usize, Vec<String>), ProviderError> {
        let out = self
            .iam
            .client
            .list_policy_versions()
            .policy_arn(arn)
            .send()
            .await
            .map_err(|e| sdk_error(&format!("listing IAM Policy ({arn}) versions"), e))?;
        let mut old: Vec<_> = out
            .versions()
            .iter()
            .filter(|v| !v.is_default_version())
            .collect();
        old.sort_by_key(|v| v.create_date().map(|d| (d.secs(), d.subsec_nanos())));
        Ok((
            out.versions().len(),
            old.iter()
                .filter_map(|v| v.version_id().map(str::to_owned))
                .collect(),
        ))
    }

    async fn delete_version(&self, arn: &str, version: &str) -> Result<(), ProviderError> {
        match self
            .iam
            .client
            .delete_policy_version()
            .policy_arn(arn)
            .version_id(version)
            .send()
            .await
        {
            Err(e) if !e.is_not_found() => Err(sdk_error(
                &format!("deleting IAM Policy ({arn}) version ({version})"),
                e,
            )),
            _ => Ok(()),
        }
    }
}

#[async_trait]
impl Resource for Policy {
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
        let config = read::with_defaults(config, &[("path", Value::string("/"))]);
        let config = keep_equivalent(&config, prior, "policy");
        let mut change = plan_default(&self.schema, prior, &config);
        if let Value::Object(m) = &mut change.planned {
            m.insert(
                "tags_all".into(),
                tags::plan_tags_all(&self.iam.aws, &config),
            );
        }
        Ok(change)
    }

    async fn create(&self, planned: &Value, _ctx: &ApplyCtx) -> Result<Value, ProviderError> {
        let name = naming::name_to_create(planned);
        let all_tags = tags::tags_all(&self.iam.aws, &tags::tags_of(planned, "tags"));
        let out = self
            .iam
            .client
            .create_policy()
            .policy_name(&name)
            .path(read::string(planned, "path").unwrap_or("/"))
            .set_description(read::string(planned, "description").map(str::to_owned))
            .policy_document(read::string(planned, "policy").unwrap_or(""))
            .set_tags((!all_tags.is_empty()).then(|| to_tags(&all_tags)))
            .send()
            .await
            .map_err(|e| {
                at_policy(
                    sdk_error(&format!("creating IAM Policy ({name})"), e),
                    "policy",
                )
            })?;
        let arn = out
            .policy()
            .and_then(|p| p.arn())
            .ok_or_else(|| ProviderError::new(format!("creating IAM Policy ({name}): no ARN")))?
            .to_owned();
        self.read(&arn, Some(planned)).await?.ok_or_else(|| {
            ProviderError::new(format!("IAM Policy ({arn}) not found after creation"))
        })
    }

    async fn update(
        &self,
        prior: &Value,
        planned: &Value,
        _ctx: &ApplyCtx,
    ) -> Result<Value, ProviderError> {
        let arn = read::string(prior, "arn").unwrap_or_default().to_owned();
        let c = &self.iam.client;
        if prior.get_attr("policy") != planned.get_attr("policy") {
            let (count, old) = self.old_versions(&arn).await?;
            if count >= MAX_VERSIONS
                && let Some(oldest) = old.first()
            {
                self.delete_version(&arn, oldest).await?;
            }
            c.create_policy_version()
                .policy_arn(&arn)
                .policy_document(read::string(planned, "policy").unwrap_or(""))
                .set_as_default(true)
                .send()
                .await
                .map_err(|e| {
                    at_policy(
                        sdk_error(&format!("updating IAM Policy ({arn})"), e),
                        "policy",
                    )
                })?;
        }
        let key = arn.as_str();
        tags::update(
            &self.iam.aws,
            prior,
            planned,
            |keys| async move {
                c.untag_policy()
                    .policy_arn(key)
                    .set_tag_keys(Some(keys))
                    .send()
                    .await
                    .map(|_| ())
                    .map_err(|e| sdk_error(&format!("untagging IAM Policy ({key})"), e))
            },
            |set| async move {
                c.tag_policy()
                    .policy_arn(key)
                    .set_tags(Some(to_tags(&set)))
                    .send()
                    .await
                    .map(|_| ())
                    .map_err(|e| sdk_error(&format!("tagging IAM Policy ({key})"), e))
            },
        )
        .await?;
        self.read(&arn, Some(planned))
            .await?
            .ok_or_else(|| ProviderError::new(format!("IAM Policy ({arn}) not found after update")))
    }

    async fn delete(&self, prior: &Value, _ctx: &ApplyCtx) -> Result<(), ProviderError> {
        let Some(arn) = read::string(prior, "arn") else {
            return Ok(());
        };
        let old = match self.old_versions(arn).await {
            Ok((_, old)) => old,
            Err(e) if e.code.as_deref() == Some("NoSuchEntity") => return Ok(()),
            Err(e) => return Err(e),
        };
        for version in old {
            self.delete_version(arn, &version).await?;
        }
        match self.iam.client.delete_policy().policy_arn(arn).send().await {
            Err(e) if !e.is_not_found() => {
                let conflict = e.aws_code() == Some("DeleteConflict");
                let mut err = sdk_error(&format!("deleting IAM Policy ({arn})"), e);
                if conflict {
                    err = err.with_hint(
                        "The policy is still attached to users, groups or roles; detach it first.",
                    );
                }
                Err(err)
            }
            _ => Ok(()),
        }
    }

    async fn read_many(&self, priors: &[Value]) -> Result<Vec<Option<Value>>, ProviderError> {
        let mut out = Vec::with_capacity(priors.len());
        for p in priors {
            match read::string(p, "arn") {
                Some(arn) => out.push(self.read(arn, Some(p)).await?),
                None => out.push(None),
            }
        }
        Ok(out)
    }

    async fn import(&self, id: &str) -> Result<Value, ProviderError> {
        self.read(id, None).await?.ok_or_else(|| {
            ProviderError::new(format!(
                "Cannot import non-existent remote object: IAM Policy ({id})"
            ))
        })
    }
}
