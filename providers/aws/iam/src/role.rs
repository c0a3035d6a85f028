//! `aws_iam_role`: name (or name_prefix), path, assume_role_policy (compared by meaning),
//! description, max_session_duration, permissions_boundary, tags. Name and path force
//! replacement; the rest changes in place. Deleting a role first takes it out of its instance
//! profiles and, with `force_detach_policies`, detaches its managed policies and deletes its
//! inline ones (else IAM refuses while any remain). Import by name.

use crate::{Iam, at_policy, from_tags, policy_json, timestamp, to_tags};
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
            .describe("An IAM role.")
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
            .attr("description", Attribute::optional(Type::String))
            .attr("assume_role_policy", Attribute::required(Type::String))
            .attr(
                "max_session_duration",
                Attribute::optional_computed(Type::Number),
            )
            .attr("permissions_boundary", Attribute::optional(Type::String))
            .attr(
                "force_detach_policies",
                Attribute::optional_computed(Type::Bool),
            )
            .attr("tags", Attribute::optional(Type::map(Type::String)))
            .attr("tags_all", Attribute::computed(Type::map(Type::String)))
            .attr("arn", Attribute::computed(Type::String))
            .attr("id", Attribute::computed(Type::String))
            .attr("unique_id", Attribute::computed(Type::String))
            .attr("create_date", Attribute::computed(Type::String)),
    )
}

pub(crate) struct Role {
    iam: Arc<Iam>,
    schema: Schema,
}

impl Role {
    pub(crate) fn new(iam: Arc<Iam>) -> Role {
        Role {
            iam,
            schema: schema(),
        }
    }

    /// The role as IAM has it, as state; `prior` keeps what AWS does not say (the
    /// force_detach_policies setting, the configured policy's layout). `None` when gone.
    async fn read(
        &self,
        name: &str,
        prior: Option<&Value>,
    ) -> Result<Option<Value>, ProviderError> {
        let out = match self.iam.client.get_role().role_name(name).send().await {
            Ok(out) => out,
            Err(e) if e.is_not_found() => return Ok(None),
            Err(e) => return Err(sdk_error(&format!("reading IAM Role ({name})"), e)),
        };
        let Some(r) = out.role() else {
            return Ok(None);
        };
        let remote_policy = policy_json::url_decode(r.assume_role_policy_document().unwrap_or(""));
        let policy = policy_json::kept(
            prior.and_then(|p| read::string(p, "assume_role_policy")),
            &remote_policy,
        );
        let (tags_value, tags_all) = tags::state_values(&self.iam.aws, &from_tags(r.tags()), prior);
        let name = r.role_name();
        Ok(Some(Value::object([
            ("name", Value::string(name)),
            ("name_prefix", Value::string(naming::prefix_of(name))),
            ("path", Value::string(r.path())),
            (
                "description",
                r.description()
                    .filter(|d| !d.is_empty())
                    .map_or(Value::Null(Type::String), Value::string),
            ),
            ("assume_role_policy", Value::string(policy)),
            (
                "max_session_duration",
                int_value(i64::from(r.max_session_duration().unwrap_or(3600))),
            ),
            (
                "permissions_boundary",
                r.permissions_boundary()
                    .and_then(|b| b.permissions_boundary_arn())
                    .map_or(Value::Null(Type::String), Value::string),
            ),
            (
                "force_detach_policies",
                Value::Bool(
                    prior
                        .and_then(|p| read::boolean(p, "force_detach_policies"))
                        .unwrap_or(false),
                ),
            ),
            ("tags", tags_value),
            ("tags_all", tags_all),
            ("arn", Value::string(r.arn())),
            ("id", Value::string(name)),
            ("unique_id", Value::string(r.role_id())),
            ("create_date", Value::string(timestamp(r.create_date()))),
        ])))
    }

    async fn remove_from_instance_profiles(&self, name: &str) -> Result<(), ProviderError> {
        let c = &self.iam.client;
        let mut pages = c
            .list_instance_profiles_for_role()
            .role_name(name)
            .into_paginator()
            .send();
        let mut profiles = Vec::new();
        while let Some(page) = pages.next().await {
            match page {
                Ok(page) => profiles.extend(
                    page.instance_profiles()
                        .iter()
                        .map(|p| p.instance_profile_name().to_owned()),
                ),
                Err(e) if e.is_not_found() => return Ok(()),
                Err(e) => {
                    return Err(sdk_error(
                        &format!("listing instance profiles of IAM Role ({name})"),
                        e,
                    ));
                }
            }
        }
        for profile in profiles {
            match c
                .remove_role_from_instance_profile()
                .role_name(name)
                .instance_profile_name(&profile)
                .send()
                .await
            {
                Err(e) if !e.is_not_found() => {
                    return Err(sdk_error(
                        &format!("removing IAM Role ({name}) from instance profile ({profile})"),
                        e,
                    ));
                }
                _ => {}
            }
        }
        Ok(())
    }

    async fn detach_all_policies(&self, name: &str) -> Result<(), ProviderError> {
        let c = &self.iam.client;
        let mut attached = Vec::new();
        let mut pages = c
            .list_attached_role_policies()
            .role_name(name)
            .into_paginator()
            .send();
        while let Some(page) = pages.next().await {
            let page =
                page.map_err(|e| sdk_error(&format!("listing policies of IAM Role ({name})"), e))?;
            attached.extend(
                page.attached_policies()
                    .iter()
                    .filter_map(|p| p.policy_arn().map(str::to_owned)),
            );
        }
        for arn in attached {
            match c
                .detach_role_policy()
                .role_name(name)
                .policy_arn(&arn)
                .send()
                .await
            {
                Err(e) if !e.is_not_found() => {
                    return Err(sdk_error(
                        &format!("detaching policy ({arn}) from IAM Role ({name})"),
                        e,
                    ));
                }
                _ => {}
            }
        }
        let mut inline = Vec::new();
        let mut pages = c
            .list_role_policies()
            .role_name(name)
            .into_paginator()
            .send();
        while let Some(page) = pages.next().await {
            let page = page.map_err(|e| {
                sdk_error(&format!("listing inline policies of IAM Role ({name})"), e)
            })?;
            inline.extend(page.policy_names().iter().cloned());
        }
        for policy in inline {
            match c
                .delete_role_policy()
                .role_name(name)
                .policy_name(&policy)
                .send()
                .await
            {
                Err(e) if !e.is_not_found() => {
                    return Err(sdk_error(
                        &format!("deleting inline policy ({policy}) of IAM Role ({name})"),
                        e,
                    ));
                }
                _ => {}
            }
        }
        Ok(())
    }
}

/// Defaults as Terraform's schema has them.
fn with_defaults(config: &Value) -> Value {
    read::with_defaults(
        config,
        &[
            ("path", Value::string("/")),
            ("max_session_duration", int_value(3600)),
            ("force_detach_policies", Value::Bool(false)),
        ],
    )
}

/// Keeps the prior text of a JSON argument that says the same as the configured one.
pub(crate) fn keep_equivalent(config: &Value, prior: Option<&Value>, name: &str) -> Value {
    let (Some(new), Some(old)) = (
        read::string(config, name),
        prior.and_then(|p| read::string(p, name)),
    ) else {
        return config.clone();
    };
    if new != old && policy_json::equivalent(new, old) {
        read::with_attrs(config, [(name, Value::string(old))])
    } else {
        config.clone()
    }
}

#[async_trait]
impl Resource for Role {
    fn schema(&self) -> &Schema {
        &self.schema
    }

    async fn plan(
        &self,
        prior: Option<&Value>,
        config: &Value,
    ) -> Result<PlannedChange, ProviderError> {
        naming::check_name_conflict(config)?;
        if let Some(doc) = read::string(config, "assume_role_policy") {
            policy_json::check("assume_role_policy", doc)?;
        }
        let config = keep_equivalent(&with_defaults(config), prior, "assume_role_policy");
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
        let max = read::integer(planned, "max_session_duration")?.unwrap_or(3600);
        self.iam
            .client
            .create_role()
            .role_name(&name)
            .path(read::string(planned, "path").unwrap_or("/"))
            .assume_role_policy_document(read::string(planned, "assume_role_policy").unwrap_or(""))
            .set_description(read::string(planned, "description").map(str::to_owned))
            .max_session_duration(i32::try_from(max).unwrap_or(i32::MAX))
            .set_permissions_boundary(
                read::string(planned, "permissions_boundary").map(str::to_owned),
            )
            .set_tags((!all_tags.is_empty()).then(|| to_tags(&all_tags)))
            .send()
            .await
            .map_err(|e| {
                at_policy(
                    sdk_error(&format!("creating IAM Role ({name})"), e),
                    "assume_role_policy",
                )
            })?;
        self.read(&name, Some(planned)).await?.ok_or_else(|| {
            ProviderError::new(format!("IAM Role ({name}) not found after creation"))
        })
    }

    async fn update(
        &self,
        prior: &Value,
        planned: &Value,
        _ctx: &ApplyCtx,
    ) -> Result<Value, ProviderError> {
        let name = read::string(prior, "name").unwrap_or_default().to_owned();
        let c = &self.iam.client;
        let changed = |attr: &str| prior.get_attr(attr) != planned.get_attr(attr);
        if changed("assume_role_policy") {
            c.update_assume_role_policy()
                .role_name(&name)
                .policy_document(read::string(planned, "assume_role_policy").unwrap_or(""))
                .send()
                .await
                .map_err(|e| {
                    at_policy(
                        sdk_error(&format!("updating IAM Role ({name}) assume role policy"), e),
                        "assume_role_policy",
                    )
                })?;
        }
        if changed("description") || changed("max_session_duration") {
            let max = read::integer(planned, "max_session_duration")?.unwrap_or(3600);
            c.update_role()
                .role_name(&name)
                .description(read::string(planned, "description").unwrap_or(""))
                .max_session_duration(i32::try_from(max).unwrap_or(i32::MAX))
                .send()
                .await
                .map_err(|e| sdk_error(&format!("updating IAM Role ({name})"), e))?;
        }
        if changed("permissions_boundary") {
            let action = format!("updating IAM Role ({name}) permissions boundary");
            match read::string(planned, "permissions_boundary") {
                Some(arn) => {
                    c.put_role_permissions_boundary()
                        .role_name(&name)
                        .permissions_boundary(arn)
                        .send()
                        .await
                        .map_err(|e| sdk_error(&action, e))?;
                }
                None => {
                    c.delete_role_permissions_boundary()
                        .role_name(&name)
                        .send()
                        .await
                        .map_err(|e| sdk_error(&action, e))?;
                }
            }
        }
        let key = name.as_str();
        tags::update(
            &self.iam.aws,
            prior,
            planned,
            |keys| async move {
                c.untag_role()
                    .role_name(key)
                    .set_tag_keys(Some(keys))
                    .send()
                    .await
                    .map(|_| ())
                    .map_err(|e| sdk_error(&format!("untagging IAM Role ({key})"), e))
            },
            |set| async move {
                c.tag_role()
                    .role_name(key)
                    .set_tags(Some(to_tags(&set)))
                    .send()
                    .await
                    .map(|_| ())
                    .map_err(|e| sdk_error(&format!("tagging IAM Role ({key})"), e))
            },
        )
        .await?;
        self.read(&name, Some(planned))
            .await?
            .ok_or_else(|| ProviderError::new(format!("IAM Role ({name}) not found after update")))
    }

    async fn delete(&self, prior: &Value, _ctx: &ApplyCtx) -> Result<(), ProviderError> {
        let Some(name) = read::string(prior, "name") else {
            return Ok(());
        };
        self.remove_from_instance_profiles(name).await?;
        if read::boolean(prior, "force_detach_policies") == Some(true) {
            self.detach_all_policies(name).await?;
        }
        match self.iam.client.delete_role().role_name(name).send().await {
            Ok(_) => Ok(()),
            Err(e) if e.is_not_found() => Ok(()),
            Err(e) => {
                let conflict = e.aws_code() == Some("DeleteConflict");
                let mut err = sdk_error(&format!("deleting IAM Role ({name})"), e);
                if conflict {
                    err = err.with_hint(
                        "Policies are still attached to the role. Manage their attachments in this configuration, or set force_detach_policies = true.",
                    );
                }
                Err(err)
            }
        }
    }

    async fn read_many(&self, priors: &[Value]) -> Result<Vec<Option<Value>>, ProviderError> {
        let mut out = Vec::with_capacity(priors.len());
        for p in priors {
            match read::string(p, "name") {
                Some(name) => out.push(self.read(name, Some(p)).await?),
                None => out.push(None),
            }
        }
        Ok(out)
    }

    async fn import(&self, id: &str) -> Result<Value, ProviderError> {
        self.read(id, None).await?.ok_or_else(|| {
            ProviderError::new(format!(
                "Cannot import non-existent remote object: IAM Role ({id})"
            ))
        })
    }
}
