//! `aws_instance`: one EC2 instance. As in Terraform's provider: the AMI, subnet, key pair
//! and zone force replacement; the instance type (stop, modify, start), its security groups,
//! tags and termination protection update in place; `user_data` is stored as its SHA-1 (so
//! state files stay compatible) and a change updates it in place (stop, modify, start)
//! unless `user_data_replace_on_change` is set.
//!
//! Refresh is batched: DescribeInstances filtered on up to 200 instance ids per call, 1000
//! results per page. What only per-instance calls return (user data, termination
//! protection, shutdown behaviour) is read on create, update and import, and kept from the
//! state otherwise (see ARCHITECTURE.md, "refresh depth").

use crate::common::{Ec2, boolean, filter, id_of, keep, string, string_set};
use crate::common::{priors_by_id, read_in_chunks};
use async_trait::async_trait;
use aws_sdk_ec2::types::{
    AttributeBooleanValue, AttributeValue, Instance, InstanceAttributeName, InstanceStateName,
    InstanceType, ResourceType,
};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;
use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;
use terrane_aws_core::wait::{self, Poll};
use terrane_aws_core::{AwsErrorExt, sdk_error, tags};
use terrane_sdk::read::{conform, strings, with_attrs, with_defaults};
use terrane_sdk::{
    ApplyCtx, Attribute, Block, NestedBlock, Nesting, PlannedChange, ProviderError, Resource,
    Schema, plan_default,
};
use terrane_types::{AttrPath, Type, Value};

pub(crate) fn schema() -> Schema {
    let s = Type::String;
    let root = Block::new()
        .attr("volume_size", Attribute::optional_computed(Type::Number))
        .attr("volume_type", Attribute::optional_computed(s.clone()))
        .attr(
            "delete_on_termination",
            Attribute::optional_computed(Type::Bool),
        )
        .attr("encrypted", Attribute::optional_computed(Type::Bool))
        .attr("device_name", Attribute::computed(s.clone()))
        .attr("volume_id", Attribute::computed(s.clone()));
    Schema::new(
        Block::new()
            .describe("An EC2 instance.")
            .attr(
                "ami",
                Attribute::optional_computed(s.clone())
                    .force_new()
                    .describe("The image to launch; look it up with data \"aws_ami\"."),
            )
            .attr(
                "instance_type",
                Attribute::optional_computed(s.clone())
                    .describe("e.g. t3.micro; changes stop and start the instance."),
            )
            .attr(
                "subnet_id",
                Attribute::optional_computed(s.clone()).force_new(),
            )
            .attr(
                "availability_zone",
                Attribute::optional_computed(s.clone()).force_new(),
            )
            .attr(
                "key_name",
                Attribute::optional_computed(s.clone()).force_new(),
            )
            .attr(
                "vpc_security_group_ids",
                Attribute::optional_computed(Type::set(s.clone())),
            )
            .attr(
                "security_groups",
                Attribute::optional_computed(Type::set(s.clone())).force_new(),
            )
            .attr(
                "associate_public_ip_address",
                Attribute::optional_computed(Type::Bool).force_new(),
            )
            .attr(
                "private_ip",
                Attribute::optional_computed(s.clone()).force_new(),
            )
            .attr("user_data", Attribute::optional_computed(s.clone()))
            .attr("user_data_base64", Attribute::optional_computed(s.clone()))
            .attr(
                "user_data_replace_on_change",
                Attribute::optional(Type::Bool),
            )
            .attr(
                "iam_instance_profile",
                Attribute::optional_computed(s.clone()),
            )
            .attr("monitoring", Attribute::optional_computed(Type::Bool))
            .attr(
                "ebs_optimized",
                Attribute::optional_computed(Type::Bool).force_new(),
            )
            .attr(
                "disable_api_termination",
                Attribute::optional_computed(Type::Bool),
            )
            .attr(
                "instance_initiated_shutdown_behavior",
                Attribute::optional_computed(s.clone()),
            )
            .attr(
                "tenancy",
                Attribute::optional_computed(s.clone()).force_new(),
            )
            .attr("arn", Attribute::computed(s.clone()))
            .attr("instance_state", Attribute::computed(s.clone()))
            .attr("public_ip", Attribute::computed(s.clone()))
            .attr("private_dns", Attribute::computed(s.clone()))
            .attr("public_dns", Attribute::computed(s.clone()))
            .attr(
                "primary_network_interface_id",
                Attribute::computed(s.clone()),
            )
            .attr("outpost_arn", Attribute::computed(s.clone()))
            .attr("password_data", Attribute::computed(s.clone()))
            .attr("tags", Attribute::optional(Type::map(s.clone())))
            .attr(
                "tags_all",
                Attribute::optional_computed(Type::map(s.clone())),
            )
            .attr("id", Attribute::computed(s))
            .block(
                "root_block_device",
                NestedBlock::new(Nesting::List, root).items(0, 1),
            ),
    )
    .with_version(1)
}

/// Terraform keeps `user_data` in state as the hex SHA-1 of the text (base64 input is
/// decoded first), so plans compare hashes and secrets in user data stay out of the state.
pub(crate) fn user_data_hash(text: &str) -> String {
    use sha1::{Digest, Sha1};
    let bytes = match B64.decode(text.trim()) {
        Ok(decoded) if looks_like_base64(text) => decoded,
        _ => text.as_bytes().to_vec(),
    };
    Sha1::digest(&bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

fn looks_like_base64(text: &str) -> bool {
    let t = text.trim();
    !t.is_empty()
        && t.len().is_multiple_of(4)
        && t.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'+' || b == b'/' || b == b'=')
}

fn is_hash(text: &str) -> bool {
    text.len() == 40 && text.bytes().all(|b| b.is_ascii_hexdigit())
}

pub(crate) struct AwsInstance {
    ec2: Arc<Ec2>,
    schema: Schema,
}

impl AwsInstance {
    pub(crate) fn new(ec2: Arc<Ec2>) -> AwsInstance {
        AwsInstance {
            ec2,
            schema: schema(),
        }
    }

    /// The object as state records it, from DescribeInstances; what it does not return is
    /// kept from `prior`.
    fn state_of(&self, i: &Instance, owner: &str, prior: Option<&Value>) -> Value {
        let id = i.instance_id().unwrap_or_default();
        let (tags_value, tags_all) = self.ec2.tag_values(i.tags(), prior);
        let root_name = i.root_device_name();
        let root_volume = i
            .block_device_mappings()
            .iter()
            .find(|m| m.device_name() == root_name)
            .and_then(|m| m.ebs());
        let prior_root = prior
            .and_then(|p| p.get_attr("root_block_device"))
            .and_then(Value::as_seq)
            .and_then(|s| s.first());
        let root = match root_volume {
            Some(v) => Value::List(vec![Value::object([
                ("device_name", string(root_name)),
                ("volume_id", string(v.volume_id())),
                ("delete_on_termination", boolean(v.delete_on_termination())),
                (
                    "volume_size",
                    prior_root
                        .and_then(|r| r.get_attr("volume_size"))
                        .cloned()
                        .unwrap_or(Value::Null(Type::Number)),
                ),
                (
                    "volume_type",
                    prior_root
                        .and_then(|r| r.get_attr("volume_type"))
                        .cloned()
                        .unwrap_or(Value::Null(Type::String)),
                ),
                (
                    "encrypted",
                    prior_root
                        .and_then(|r| r.get_attr("encrypted"))
                        .cloned()
                        .unwrap_or(Value::Null(Type::Bool)),
                ),
            ])]),
            None => keep(prior, "root_block_device").unwrap_or(Value::List(Vec::new())),
        };
        let group_ids: Vec<&str> = i
            .security_groups()
            .iter()
            .filter_map(|g| g.group_id())
            .collect();
        let group_names: Vec<&str> = i
            .security_groups()
            .iter()
            .filter_map(|g| g.group_name())
            .collect();
        let mut attrs = BTreeMap::from([
            ("id".to_owned(), Value::string(id)),
            (
                "arn".into(),
                Value::string(crate::common::arn(&self.ec2.aws, owner, "instance", id)),
            ),
            ("ami".into(), string(i.image_id())),
            (
                "instance_type".into(),
                string(i.instance_type().map(InstanceType::as_str)),
            ),
            ("subnet_id".into(), string(i.subnet_id())),
            (
                "availability_zone".into(),
                string(i.placement().and_then(|p| p.availability_zone())),
            ),
            (
                "tenancy".into(),
                string(i.placement().and_then(|p| p.tenancy()).map(|t| t.as_str())),
            ),
            ("key_name".into(), string(i.key_name())),
            ("vpc_security_group_ids".into(), string_set(group_ids)),
            ("security_groups".into(), string_set(group_names)),
            ("private_ip".into(), string(i.private_ip_address())),
            (
                "public_ip".into(),
                Value::string(i.public_ip_address().unwrap_or("")),
            ),
            ("private_dns".into(), string(i.private_dns_name())),
            (
                "public_dns".into(),
                Value::string(i.public_dns_name().unwrap_or("")),
            ),
            (
                "associate_public_ip_address".into(),
                Value::Bool(i.public_ip_address().is_some_and(|p| !p.is_empty())),
            ),
            (
                "instance_state".into(),
                string(
                    i.state()
                        .and_then(|s| s.name())
                        .map(InstanceStateName::as_str),
                ),
            ),
            (
                "monitoring".into(),
                Value::Bool(
                    i.monitoring()
                        .and_then(|m| m.state())
                        .is_some_and(|s| matches!(s.as_str(), "enabled" | "pending")),
                ),
            ),
            (
                "ebs_optimized".into(),
                boolean(i.ebs_optimized().or(Some(false))),
            ),
            (
                "iam_instance_profile".into(),
                Value::string(
                    i.iam_instance_profile()
                        .and_then(|p| p.arn())
                        .and_then(|arn| arn.rsplit('/').next())
                        .unwrap_or(""),
                ),
            ),
            (
                "primary_network_interface_id".into(),
                string(
                    i.network_interfaces()
                        .iter()
                        .find(|n| n.attachment().and_then(|a| a.device_index()) == Some(0))
                        .and_then(|n| n.network_interface_id()),
                ),
            ),
            (
                "outpost_arn".into(),
                Value::string(i.outpost_arn().unwrap_or("")),
            ),
            ("password_data".into(), Value::string("")),
            ("root_block_device".into(), root),
            ("tags".into(), tags_value),
            ("tags_all".into(), tags_all),
        ]);
        for name in [
            "user_data",
            "user_data_base64",
            "user_data_replace_on_change",
            "disable_api_termination",
            "instance_initiated_shutdown_behavior",
        ] {
            if let Some(v) = keep(prior, name) {
                attrs.insert(name.into(), v);
            }
        }
        conform(&self.schema.block, Value::Object(attrs))
    }

    /// Reads instances by id, batched; terminated ones are gone.
    async fn describe(
        &self,
        ids: Vec<String>,
        priors: &BTreeMap<String, &Value>,
    ) -> Result<BTreeMap<String, Value>, ProviderError> {
        let mut found = BTreeMap::new();
        let mut pages = self
            .ec2
            .client
            .describe_instances()
            .filters(filter("instance-id", ids))
            .max_results(1000)
            .into_paginator()
            .send();
        while let Some(page) = pages.next().await {
            let page = page.map_err(|e| sdk_error("reading EC2 Instances", e))?;
            for r in page.reservations() {
                let owner = r.owner_id().unwrap_or_default();
                for i in r.instances() {
                    let Some(id) = i.instance_id() else { continue };
                    let state = i.state().and_then(|s| s.name());
                    if matches!(
                        state,
                        Some(InstanceStateName::Terminated | InstanceStateName::ShuttingDown)
                    ) {
                        continue;
                    }
                    let prior = priors.get(id).copied();
                    found.insert(id.to_owned(), self.state_of(i, owner, prior));
                }
            }
        }
        Ok(found)
    }

    /// One instance with everything, including the per-instance attributes.
    async fn read_full(
        &self,
        id: &str,
        prior: Option<&Value>,
    ) -> Result<Option<Value>, ProviderError> {
        let priors: BTreeMap<String, &Value> =
            prior.map(|p| (id.to_owned(), p)).into_iter().collect();
        let Some(Value::Object(mut attrs)) = self
            .describe(vec![id.to_owned()], &priors)
            .await?
            .remove(id)
        else {
            return Ok(None);
        };
        let c = &self.ec2.client;
        let attr = |name: InstanceAttributeName| {
            c.describe_instance_attribute()
                .instance_id(id)
                .attribute(name)
                .send()
        };
        let user_data = attr(InstanceAttributeName::UserData)
            .await
            .map_err(|e| sdk_error(&format!("reading user data of EC2 Instance {id}"), e))?;
        let data = user_data
            .user_data()
            .and_then(AttributeValue::value)
            .unwrap_or("");
        // Terraform keeps the hash under `user_data`, unless the configuration used
        // `user_data_base64` (then the base64 text itself).
        let uses_base64 = prior.is_some_and(|p| {
            p.get_attr("user_data").is_none_or(Value::is_null)
                && p.get_attr("user_data_base64")
                    .is_some_and(|v| v.as_str().is_some())
        });
        let null = Value::Null(Type::String);
        let (plain, encoded) = match (data.is_empty(), uses_base64) {
            (true, _) => (null.clone(), null),
            (false, true) => (null, Value::string(data)),
            (false, false) => (Value::string(user_data_hash(data)), null),
        };
        attrs.insert("user_data".into(), plain);
        attrs.insert("user_data_base64".into(), encoded);
        let protection = attr(InstanceAttributeName::DisableApiTermination)
            .await
            .map_err(|e| {
                sdk_error(
                    &format!("reading termination protection of EC2 Instance {id}"),
                    e,
                )
            })?;
        attrs.insert(
            "disable_api_termination".into(),
            Value::Bool(
                protection
                    .disable_api_termination()
                    .and_then(AttributeBooleanValue::value)
                    .unwrap_or(false),
            ),
        );
        let shutdown = attr(InstanceAttributeName::InstanceInitiatedShutdownBehavior)
            .await
            .map_err(|e| {
                sdk_error(
                    &format!("reading shutdown behavior of EC2 Instance {id}"),
                    e,
                )
            })?;
        attrs.insert(
            "instance_initiated_shutdown_behavior".into(),
            Value::string(
                shutdown
                    .instance_initiated_shutdown_behavior()
                    .and_then(AttributeValue::value)
                    .unwrap_or("stop"),
            ),
        );
        Ok(Some(Value::Object(attrs)))
    }

    async fn wait_for_state(
        &self,
        id: &str,
        want: InstanceStateName,
        ctx: &ApplyCtx,
    ) -> Result<(), ProviderError> {
        let c = &self.ec2.client;
        wait::until(
            &format!("EC2 Instance {id} to be {}", want.as_str()),
            Duration::from_secs(600),
            ctx,
            || async {
                let out = c.describe_instances().instance_ids(id).send().await;
                match out {
                    Ok(o) => {
                        let state = o
                            .reservations()
                            .iter()
                            .flat_map(|r| r.instances())
                            .find_map(|i| i.state().and_then(|s| s.name()).cloned());
                        match state {
                            Some(s) if s == want => Ok(Poll::Done(())),
                            Some(InstanceStateName::Terminated)
                                if want != InstanceStateName::Terminated =>
                            {
                                Err(ProviderError::new(format!("waiting for EC2 Instance {id}"))
                                    .with_detail("The instance terminated instead; its console output or the AMI may say why."))
                            }
                            Some(s) => Ok(Poll::Pending(s.as_str().to_owned())),
                            None if want == InstanceStateName::Terminated => Ok(Poll::Done(())),
                            None => Ok(Poll::Pending("not visible yet".into())),
                        }
                    }
                    Err(e) if e.is_not_found() && want == InstanceStateName::Terminated => {
                        Ok(Poll::Done(()))
                    }
                    // Eventual consistency: a new instance may not be visible at once.
                    Err(e) if e.is_not_found() => Ok(Poll::Pending("not visible yet".into())),
                    Err(e) => Err(sdk_error(&format!("waiting for EC2 Instance {id}"), e)),
                }
            },
        )
        .await
    }

    async fn must_read(&self, id: &str, planned: &Value) -> Result<Value, ProviderError> {
        let mut v = self.read_full(id, Some(planned)).await?.ok_or_else(|| {
            ProviderError::new(format!("reading EC2 Instance {id}"))
                .with_detail("The instance disappeared right after it was changed.")
        })?;
        // What only the configuration knows stays as planned.
        if let Value::Object(m) = &mut v {
            for name in ["user_data_replace_on_change"] {
                if let Some(x) = planned.get_attr(name) {
                    m.insert(name.into(), x.clone());
                }
            }
        }
        Ok(v)
    }

    async fn stop_modify_start(
        &self,
        id: &str,
        ctx: &ApplyCtx,
        modify: impl AsyncFnOnce() -> Result<(), ProviderError>,
    ) -> Result<(), ProviderError> {
        let c = &self.ec2.client;
        c.stop_instances()
            .instance_ids(id)
            .send()
            .await
            .map_err(|e| sdk_error(&format!("stopping EC2 Instance {id}"), e))?;
        self.wait_for_state(id, InstanceStateName::Stopped, ctx)
            .await?;
        modify().await?;
        c.start_instances()
            .instance_ids(id)
            .send()
            .await
            .map_err(|e| sdk_error(&format!("starting EC2 Instance {id}"), e))?;
        self.wait_for_state(id, InstanceStateName::Running, ctx)
            .await
    }
}

/// The configuration with `user_data` as Terraform stores it (its hash).
fn hashed_user_data(config: &Value) -> Value {
    let Value::Object(mut m) = config.clone() else {
        return config.clone();
    };
    if let Some(Value::String(text)) = m.get("user_data")
        && !is_hash(text)
    {
        let h = remember_user_data(text);
        m.insert("user_data".into(), Value::string(h));
    }
    Value::Object(m)
}

/// The error of a RunInstances call, pointed at the argument it is about.
fn launch_error(e: ProviderError) -> ProviderError {
    let attribute = match e.code.as_deref() {
        Some(c) if c.starts_with("InvalidAMIID") => Some("ami"),
        Some("InvalidInstanceType") => Some("instance_type"),
        Some(c) if c.starts_with("InvalidSubnetID") => Some("subnet_id"),
        Some(c) if c.starts_with("InvalidKeyPair") => Some("key_name"),
        Some(c) if c.starts_with("InvalidGroup") => Some("vpc_security_group_ids"),
        _ => None,
    };
    match attribute {
        Some(a) => e.with_attribute(AttrPath::attr(a)),
        None => e,
    }
}

#[async_trait]
impl Resource for AwsInstance {
    fn schema(&self) -> &Schema {
        &self.schema
    }

    async fn plan(
        &self,
        prior: Option<&Value>,
        config: &Value,
    ) -> Result<PlannedChange, ProviderError> {
        if config.get_attr("ami").is_none_or(Value::is_null) {
            return Err(ProviderError::new("ami must be set")
                .with_attribute(AttrPath::attr("ami"))
                .with_hint("Look an image up with a data \"aws_ami\" block and use its id."));
        }
        let config = with_defaults(
            &hashed_user_data(config),
            &[
                ("disable_api_termination", Value::Bool(false)),
                (
                    "instance_initiated_shutdown_behavior",
                    Value::string("stop"),
                ),
                ("monitoring", Value::Bool(false)),
            ],
        );
        // `user_data` and `user_data_base64` exclude each other: the one not set is null.
        let config = match (
            config.get_attr("user_data").is_none_or(Value::is_null),
            config
                .get_attr("user_data_base64")
                .is_none_or(Value::is_null),
        ) {
            (false, true) => with_attrs(&config, [("user_data_base64", Value::Null(Type::String))]),
            (true, false) => with_attrs(&config, [("user_data", Value::Null(Type::String))]),
            _ => config,
        };
        let mut change = plan_default(&self.schema, prior, &config);
        if let Value::Object(m) = &mut change.planned {
            m.insert(
                "tags_all".into(),
                tags::plan_tags_all(&self.ec2.aws, &config),
            );
        }
        // `root_block_device` is optional and computed (as in Terraform): left out of the
        // configuration, it stays what AWS made it.
        let unconfigured = config
            .get_attr("root_block_device")
            .and_then(Value::as_seq)
            .is_none_or(<[Value]>::is_empty);
        if unconfigured
            && change.requires_replace.is_empty()
            && let (Some(p), Value::Object(m)) = (prior, &mut change.planned)
            && let Some(root) = p.get_attr("root_block_device")
        {
            m.insert("root_block_device".into(), root.clone());
        }
        // A user data change replaces the instance only when asked to.
        let replace_on_change = config
            .get_attr("user_data_replace_on_change")
            .and_then(Value::as_bool)
            == Some(true);
        if let Some(p) = prior
            && replace_on_change
            && change.requires_replace.is_empty()
        {
            for name in ["user_data", "user_data_base64"] {
                let now = config.get_attr(name).filter(|v| !v.is_null());
                if now.is_some() && now != p.get_attr(name) {
                    change.requires_replace.push(AttrPath::attr(name));
                }
            }
            if !change.requires_replace.is_empty() {
                change.planned = plan_default(&self.schema, None, &config).planned;
                if let Value::Object(m) = &mut change.planned {
                    m.insert(
                        "tags_all".into(),
                        tags::plan_tags_all(&self.ec2.aws, &config),
                    );
                }
            }
        }
        Ok(change)
    }

    async fn create(&self, planned: &Value, ctx: &ApplyCtx) -> Result<Value, ProviderError> {
        let c = &self.ec2.client;
        let text = |name: &str| {
            planned
                .get_attr(name)
                .and_then(Value::as_str)
                .map(str::to_owned)
        };
        let groups = strings(planned, "vpc_security_group_ids");
        let group_names = strings(planned, "security_groups");
        let user_data = self.user_data_for_launch(planned);
        let token = client_token();
        let mut call = c
            .run_instances()
            .min_count(1)
            .max_count(1)
            .client_token(&token)
            .set_image_id(text("ami"))
            .set_instance_type(text("instance_type").map(|t| InstanceType::from(t.as_str())))
            .set_subnet_id(text("subnet_id"))
            .set_key_name(text("key_name"))
            .set_private_ip_address(text("private_ip"))
            .set_user_data(user_data)
            .set_security_group_ids((!groups.is_empty()).then_some(groups))
            .set_security_groups((!group_names.is_empty()).then_some(group_names))
            .set_tag_specifications(
                self.ec2
                    .tag_spec(ResourceType::Instance, planned)
                    .map(|t| vec![t]),
            );
        if let Some(zone) = text("availability_zone") {
            call = call.placement(
                aws_sdk_ec2::types::Placement::builder()
                    .availability_zone(zone)
                    .build(),
            );
        }
        if let Some(true) = planned
            .get_attr("disable_api_termination")
            .and_then(Value::as_bool)
        {
            call = call.disable_api_termination(true);
        }
        if let Some(true) = planned.get_attr("monitoring").and_then(Value::as_bool) {
            call = call.monitoring(
                aws_sdk_ec2::types::RunInstancesMonitoringEnabled::builder()
                    .enabled(true)
                    .build(),
            );
        }
        if let Some(b) = text("instance_initiated_shutdown_behavior") {
            call = call.instance_initiated_shutdown_behavior(b.as_str().into());
        }
        if let Some(profile) = text("iam_instance_profile").filter(|p| !p.is_empty()) {
            call = call.iam_instance_profile(
                aws_sdk_ec2::types::IamInstanceProfileSpecification::builder()
                    .name(profile)
                    .build(),
            );
        }
        let out = call
            .send()
            .await
            .map_err(|e| launch_error(sdk_error("creating EC2 Instance", e)))?;
        let id = out
            .instances()
            .first()
            .and_then(|i| i.instance_id())
            .ok_or_else(|| {
                ProviderError::new("creating EC2 Instance")
                    .with_detail("AWS returned no instance id.")
            })?
            .to_owned();
        self.wait_for_state(&id, InstanceStateName::Running, ctx)
            .await?;
        self.must_read(&id, planned).await
    }

    async fn update(
        &self,
        prior: &Value,
        planned: &Value,
        ctx: &ApplyCtx,
    ) -> Result<Value, ProviderError> {
        let id = id_of(prior)
            .ok_or_else(|| {
                ProviderError::new("updating EC2 Instance").with_detail("The state has no id.")
            })?
            .to_owned();
        let c = &self.ec2.client;
        let changed = |name: &str| {
            let now = planned
                .get_attr(name)
                .filter(|v| v.is_known() && !v.is_null());
            now.is_some() && now != prior.get_attr(name)
        };
        let modify_error = |what: &str| {
            let what = what.to_owned();
            let id = id.clone();
            move |e| sdk_error(&format!("updating {what} of EC2 Instance {id}"), e)
        };
        if changed("vpc_security_group_ids") {
            c.modify_instance_attribute()
                .instance_id(&id)
                .set_groups(Some(strings(planned, "vpc_security_group_ids")))
                .send()
                .await
                .map_err(modify_error("security groups"))?;
        }
        if changed("disable_api_termination") {
            let on = planned
                .get_attr("disable_api_termination")
                .and_then(Value::as_bool)
                == Some(true);
            c.modify_instance_attribute()
                .instance_id(&id)
                .disable_api_termination(AttributeBooleanValue::builder().value(on).build())
                .send()
                .await
                .map_err(modify_error("termination protection"))?;
        }
        if changed("instance_initiated_shutdown_behavior")
            && let Some(b) = planned
                .get_attr("instance_initiated_shutdown_behavior")
                .and_then(Value::as_str)
        {
            c.modify_instance_attribute()
                .instance_id(&id)
                .instance_initiated_shutdown_behavior(AttributeValue::builder().value(b).build())
                .send()
                .await
                .map_err(modify_error("shutdown behavior"))?;
        }
        if changed("monitoring") {
            let on = planned.get_attr("monitoring").and_then(Value::as_bool) == Some(true);
            let what = format!("updating monitoring of EC2 Instance {id}");
            if on {
                c.monitor_instances()
                    .instance_ids(&id)
                    .send()
                    .await
                    .map_err(|e| sdk_error(&what, e))?;
            } else {
                c.unmonitor_instances()
                    .instance_ids(&id)
                    .send()
                    .await
                    .map_err(|e| sdk_error(&what, e))?;
            }
        }
        let type_changed = changed("instance_type");
        let data_changed = changed("user_data") || changed("user_data_base64");
        if type_changed || data_changed {
            let new_type = planned
                .get_attr("instance_type")
                .and_then(Value::as_str)
                .map(str::to_owned);
            let user_data = self.user_data_for_launch(planned);
            self.stop_modify_start(&id, ctx, async || {
                if type_changed && let Some(t) = new_type {
                    c.modify_instance_attribute()
                        .instance_id(&id)
                        .instance_type(AttributeValue::builder().value(t).build())
                        .send()
                        .await
                        .map_err(|e| {
                            launch_error(sdk_error(
                                &format!("updating instance type of EC2 Instance {id}"),
                                e,
                            ))
                        })?;
                }
                if data_changed {
                    let bytes = user_data
                        .as_deref()
                        .and_then(|d| B64.decode(d).ok())
                        .unwrap_or_default();
                    c.modify_instance_attribute()
                        .instance_id(&id)
                        .user_data(
                            aws_sdk_ec2::types::SecureBlobAttributeValue::builder()
                                .value(aws_smithy_types::Blob::new(bytes))
                                .build(),
                        )
                        .send()
                        .await
                        .map_err(|e| {
                            sdk_error(&format!("updating user data of EC2 Instance {id}"), e)
                        })?;
                }
                Ok(())
            })
            .await?;
        }
        self.ec2.update_tags(&id, prior, planned).await?;
        self.must_read(&id, planned).await
    }

    async fn delete(&self, prior: &Value, ctx: &ApplyCtx) -> Result<(), ProviderError> {
        let Some(id) = id_of(prior) else {
            return Ok(());
        };
        match self
            .ec2
            .client
            .terminate_instances()
            .instance_ids(id)
            .send()
            .await
        {
            Ok(_) => {}
            Err(e) if e.is_not_found() => return Ok(()),
            Err(e) if e.aws_code() == Some("OperationNotPermitted") => {
                return Err(sdk_error(&format!("terminating EC2 Instance {id}"), e).with_hint(
                    "Termination protection is on: set disable_api_termination = false and apply before destroying.",
                ));
            }
            Err(e) => return Err(sdk_error(&format!("terminating EC2 Instance {id}"), e)),
        }
        self.wait_for_state(id, InstanceStateName::Terminated, ctx)
            .await
    }

    async fn read_many(&self, priors: &[Value]) -> Result<Vec<Option<Value>>, ProviderError> {
        let by_id = priors_by_id(priors);
        read_in_chunks(priors, |ids| self.describe(ids, &by_id)).await
    }

    async fn import(&self, id: &str) -> Result<Value, ProviderError> {
        self.read_full(id, None).await?.ok_or_else(|| {
            ProviderError::new(format!("importing EC2 Instance {id}")).with_detail(format!(
                "Cannot import non-existent remote object: no instance {id}."
            ))
        })
    }
}

impl AwsInstance {
    /// The user data to launch with, base64-encoded as RunInstances wants it. The planned
    /// `user_data` is a hash (what the state keeps), so the text comes from the side table
    /// the plan filled; `user_data_base64` is passed as it is.
    fn user_data_for_launch(&self, planned: &Value) -> Option<String> {
        if let Some(b) = planned.get_attr("user_data_base64").and_then(Value::as_str) {
            return Some(b.to_owned());
        }
        let hash = planned.get_attr("user_data").and_then(Value::as_str)?;
        let text = USER_DATA.lock().ok()?.get(hash).cloned()?;
        Some(if looks_like_base64(&text) {
            text
        } else {
            B64.encode(text)
        })
    }
}

/// User data texts by hash, filled at plan time: the planned object carries only the hash
/// (as the state does), the launch needs the text.
static USER_DATA: std::sync::LazyLock<std::sync::Mutex<BTreeMap<String, String>>> =
    std::sync::LazyLock::new(Default::default);

/// Remembers a user data text under its hash (see [`USER_DATA`]).
pub(crate) fn remember_user_data(text: &str) -> String {
    let hash = user_data_hash(text);
    if let Ok(mut m) = USER_DATA.lock() {
        m.insert(hash.clone(), text.to_owned());
    }
    hash
}

/// An idempotency token: a retried RunInstances with the same token never launches a
/// second instance.
fn client_token() -> String {
    format!("terrane-{}", uuid::Uuid::new_v4().simple())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn user_data_is_kept_as_terraforms_sha1_of_the_text() {
        // sha1("hello")
        assert_eq!(
            user_data_hash("hello"),
            "aaf4c61ddcc5e8a2dabede0f3b482cd9aea9434d"
        );
        // Base64 input is hashed as the text it encodes.
        assert_eq!(user_data_hash("aGVsbG8="), user_data_hash("hello"));
    }

    #[test]
    fn launch_errors_point_at_the_argument_they_are_about() {
        let e = launch_error(
            ProviderError::new("creating EC2 Instance").with_code("InvalidAMIID.Malformed"),
        );
        assert_eq!(e.attribute, Some(AttrPath::attr("ami")));
    }

    #[test]
    fn client_tokens_differ_between_launches() {
        assert_ne!(client_token(), client_token());
    }
}
