//! `aws_autoscaling_group`: an EC2 Auto Scaling group, with Terraform's attributes. Updates are
//! in place (UpdateAutoScalingGroup, target group attach/detach, tag calls); a change of
//! `launch_template` (or of an attribute named in `instance_refresh.triggers`) then starts an
//! instance refresh, which terrane waits for unless told not to. Refresh reads up to 100
//! groups per DescribeAutoScalingGroups call.

use crate::common::{
    Asg, NAMES_PER_CALL, Pace, first_block, int, int32, string, string_list, string_set,
};
use crate::refresh::{self, REFRESH_TIMEOUT, RefreshSpec};
use async_trait::async_trait;
use aws_sdk_autoscaling::error::{ProvideErrorMetadata, SdkError};
use aws_sdk_autoscaling::types::{AutoScalingGroup, LaunchTemplateSpecification, Tag};
use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;
use std::time::Duration;
use terrane_aws_core::naming::{check_name_conflict, name_to_create, prefix_of};
use terrane_aws_core::wait::{self, Poll};
use terrane_aws_core::{AwsErrorExt, sdk_error};
use terrane_sdk::read::{self, arg_error, conform, with_defaults};
use terrane_sdk::{
    ApplyCtx, Attribute, Block, NestedBlock, Nesting, PlannedChange, ProviderError, Resource,
    Schema, plan_default,
};
use terrane_types::{AttrPath, Type, Value};

/// How long deleting (draining included) may take (Terraform's 10 minutes).
const DELETE_TIMEOUT: Duration = Duration::from_secs(600);

/// Attributes terrane keeps in state that AWS does not store.
const DEFAULTS: [(&str, &str); 1] = [("wait_for_capacity_timeout", "10m")];

pub(crate) fn schema() -> Schema {
    let launch_template = Block::new()
        .describe("The launch template instances are launched from: id or name, and version.")
        .attr(
            "id",
            Attribute::optional_computed(Type::String).describe("The launch template's id."),
        )
        .attr(
            "name",
            Attribute::optional_computed(Type::String).describe("The launch template's name."),
        )
        .attr(
            "version",
            Attribute::optional(Type::String).describe(
                "A version number, \"$Latest\" or \"$Default\" (AWS's default: $Default).",
            ),
        );
    let preferences = Block::new()
        .describe("Preferences of the refresh (StartInstanceRefresh's Preferences).")
        .attr(
            "min_healthy_percentage",
            Attribute::optional(Type::Number)
                .describe("Capacity that must stay healthy, in % of desired (AWS default 90)."),
        )
        .attr(
            "max_healthy_percentage",
            Attribute::optional(Type::Number)
                .describe("Capacity that may be in service or pending, in % (100-200)."),
        )
        .attr(
            "instance_warmup",
            Attribute::optional(Type::String)
                .describe("Seconds until a new instance counts as ready."),
        )
        .attr(
            "checkpoint_percentages",
            Attribute::optional(Type::list(Type::Number)),
        )
        .attr("checkpoint_delay", Attribute::optional(Type::String))
        .attr("skip_matching", Attribute::optional(Type::Bool))
        .attr("auto_rollback", Attribute::optional(Type::Bool))
        .attr(
            "scale_in_protected_instances",
            Attribute::optional(Type::String).describe("Refresh, Ignore or Wait."),
        )
        .attr(
            "standby_instances",
            Attribute::optional(Type::String).describe("Terminate, Ignore or Wait."),
        );
    let instance_refresh = Block::new()
        .describe(
            "Replace the group's instances when launch_template (or an attribute named in \
             triggers) changes. terrane waits for the refresh to end (up to 1 hour) unless \
             apply --no-wait-for-instance-refresh.",
        )
        .attr(
            "strategy",
            Attribute::required(Type::String).describe("\"Rolling\"."),
        )
        .attr(
            "triggers",
            Attribute::optional(Type::set(Type::String))
                .describe("Other attributes whose change starts a refresh."),
        )
        .block(
            "preferences",
            NestedBlock::new(Nesting::List, preferences).items(0, 1),
        );
    let tag = Block::new()
        .attr("key", Attribute::required(Type::String))
        .attr("value", Attribute::required(Type::String))
        .attr("propagate_at_launch", Attribute::required(Type::Bool));
    Schema::new(
        Block::new()
            .describe("An EC2 Auto Scaling group.")
            .attr(
                "name",
                Attribute::optional_computed(Type::String)
                    .force_new()
                    .describe(
                        "The group's name; generated when neither it nor name_prefix is set.",
                    ),
            )
            .attr(
                "name_prefix",
                Attribute::optional_computed(Type::String).force_new(),
            )
            .attr("arn", Attribute::computed(Type::String))
            .attr("id", Attribute::computed(Type::String))
            .attr("min_size", Attribute::required(Type::Number))
            .attr("max_size", Attribute::required(Type::Number))
            .attr(
                "desired_capacity",
                Attribute::optional_computed(Type::Number),
            )
            .attr(
                "vpc_zone_identifier",
                Attribute::optional_computed(Type::set(Type::String))
                    .describe("Subnets to launch instances in."),
            )
            .attr(
                "availability_zones",
                Attribute::optional_computed(Type::set(Type::String)),
            )
            .attr(
                "target_group_arns",
                Attribute::optional_computed(Type::set(Type::String)),
            )
            .attr(
                "load_balancers",
                Attribute::optional_computed(Type::set(Type::String)),
            )
            .attr(
                "health_check_type",
                Attribute::optional_computed(Type::String).describe("\"EC2\" or \"ELB\"."),
            )
            .attr(
                "health_check_grace_period",
                Attribute::optional_computed(Type::Number).describe("Seconds (default 300)."),
            )
            .attr(
                "default_cooldown",
                Attribute::optional_computed(Type::Number).describe("Seconds (default 300)."),
            )
            .attr(
                "termination_policies",
                Attribute::optional(Type::list(Type::String)),
            )
            .attr(
                "wait_for_capacity_timeout",
                Attribute::optional_computed(Type::String).describe(
                    "How long to wait for desired_capacity (or min_size) healthy InService \
                     instances after create and update (default \"10m\"; \"0\" does not wait).",
                ),
            )
            .attr(
                "force_delete",
                Attribute::optional_computed(Type::Bool)
                    .describe("Delete without waiting for the instances to terminate."),
            )
            .block(
                "launch_template",
                NestedBlock::new(Nesting::List, launch_template).items(0, 1),
            )
            .block(
                "instance_refresh",
                NestedBlock::new(Nesting::List, instance_refresh).items(0, 1),
            )
            .block("tag", NestedBlock::new(Nesting::Set, tag)),
    )
}

pub(crate) struct Group {
    asg: Arc<Asg>,
    schema: Schema,
}

/// A group's `launch_template` block: (id, name, version) values, unknowns included.
fn lt_block(v: &Value) -> Option<&Value> {
    v.get_attr("launch_template")
        .and_then(Value::as_seq)
        .and_then(|s| s.first())
        .filter(|b| !b.is_null())
}

/// Whether the launch template the group uses changes (or may: unknown in the plan).
pub(crate) fn launch_template_changes(prior: &Value, planned: &Value) -> bool {
    let Some(new) = lt_block(planned) else {
        return false;
    };
    if !new.is_known() {
        return true;
    }
    let old = lt_block(prior);
    ["id", "name", "version"].iter().any(|k| {
        let after = new.get_attr(k);
        match after {
            Some(a) if !a.is_known() => true,
            Some(a) => Some(a) != old.and_then(|o| o.get_attr(k)) && !a.is_null(),
            None => false,
        }
    }) || old.is_some_and(|o| {
        // A version dropped from the configuration goes back to $Default.
        o.get_attr("version").is_some_and(|v| !v.is_null())
            && new.get_attr("version").is_some_and(Value::is_null)
    })
}

/// What starts a refresh in an update from `prior` to `planned`: "launch_template" and the
/// changed attributes named in `instance_refresh.triggers`. Empty without that block.
pub(crate) fn refresh_reasons(prior: &Value, planned: &Value) -> Vec<String> {
    let Some(block) = first_block(planned, "instance_refresh") else {
        return Vec::new();
    };
    let mut reasons = Vec::new();
    if launch_template_changes(prior, planned) {
        reasons.push("launch_template".to_owned());
    }
    for t in read::strings(block, "triggers") {
        if reasons.contains(&t) {
            continue;
        }
        let after = planned.get_attr(&t);
        let changed = after.is_some_and(|a| !a.is_wholly_known()) || after != prior.get_attr(&t);
        if changed {
            reasons.push(t);
        }
    }
    reasons
}

/// The plan's note when an update from `prior` to `planned` will start an instance refresh.
pub(crate) fn refresh_note(
    prior: &Value,
    planned: &Value,
    waits: bool,
) -> Result<Option<String>, ProviderError> {
    let reasons = refresh_reasons(prior, planned);
    if reasons.is_empty() {
        return Ok(None);
    }
    let Some(spec) = RefreshSpec::from_group(planned)? else {
        return Ok(None);
    };
    let mut note = format!(
        "{} changes: an instance refresh will replace the group's instances, {}",
        reasons.join(", "),
        spec.describe()
    );
    if !waits {
        note.push_str("; terrane starts it without waiting");
    }
    Ok(Some(note))
}

fn expand_lt(planned: &Value) -> Option<LaunchTemplateSpecification> {
    let b = lt_block(planned)?;
    let id = read::string(b, "id").filter(|s| !s.is_empty());
    let name = read::string(b, "name").filter(|s| !s.is_empty());
    Some(
        LaunchTemplateSpecification::builder()
            .set_launch_template_id(id.map(str::to_owned))
            .set_launch_template_name(if id.is_none() {
                name.map(str::to_owned)
            } else {
                None
            })
            .set_version(read::string(b, "version").map(str::to_owned))
            .build(),
    )
}

fn non_empty<T>(items: Vec<T>) -> Option<Vec<T>> {
    (!items.is_empty()).then_some(items)
}

/// The `tag` blocks: key -> (value, propagate_at_launch).
fn tags_of(v: &Value) -> BTreeMap<String, (String, bool)> {
    v.get_attr("tag")
        .filter(|t| t.is_known())
        .and_then(Value::as_seq)
        .unwrap_or_default()
        .iter()
        .filter_map(|t| {
            Some((
                read::string(t, "key")?.to_owned(),
                (
                    read::string(t, "value").unwrap_or_default().to_owned(),
                    read::boolean(t, "propagate_at_launch").unwrap_or(false),
                ),
            ))
        })
        .collect()
}

fn to_tag(group: &str, key: &str, value: Option<&(String, bool)>) -> Tag {
    Tag::builder()
        .resource_id(group)
        .resource_type("auto-scaling-group")
        .key(key)
        .set_value(value.map(|v| v.0.clone()))
        .set_propagate_at_launch(value.map(|v| v.1))
        .build()
}

/// A Go duration as Terraform's `wait_for_capacity_timeout` takes it: "10m", "1h30m", "90s", "0".
pub(crate) fn parse_duration(text: &str) -> Option<Duration> {
    let text = text.trim();
    if text == "0" {
        return Some(Duration::ZERO);
    }
    let mut total = 0f64;
    let mut rest = text;
    if rest.is_empty() {
        return None;
    }
    while !rest.is_empty() {
        let digits = rest
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .unwrap_or(rest.len());
        if digits == 0 {
            return None;
        }
        let n: f64 = rest[..digits].parse().ok()?;
        rest = &rest[digits..];
        let unit_len = rest
            .find(|c: char| c.is_ascii_digit() || c == '.')
            .unwrap_or(rest.len());
        let factor = match &rest[..unit_len] {
            "h" => 3600.0,
            "m" => 60.0,
            "s" => 1.0,
            "ms" => 0.001,
            _ => return None,
        };
        total += n * factor;
        rest = &rest[unit_len..];
    }
    Some(Duration::from_secs_f64(total))
}

/// Whether a failed call says the group does not exist.
fn group_gone<E: ProvideErrorMetadata, R>(e: &SdkError<E, R>) -> bool {
    e.is_not_found()
        || (e.aws_code() == Some("ValidationError")
            && e.message().is_some_and(|m| m.contains("not found")))
}

impl Group {
    pub(crate) fn new(asg: Arc<Asg>) -> Group {
        Group {
            asg,
            schema: schema(),
        }
    }

    fn flatten(&self, g: &AutoScalingGroup, prior: Option<&Value>) -> Option<(String, Value)> {
        let name = g.auto_scaling_group_name()?;
        let keep = |k: &str| prior.and_then(|p| p.get_attr(k)).cloned();
        let launch_template = match g.launch_template() {
            Some(lt) => {
                let prior_version = prior
                    .and_then(lt_block)
                    .and_then(|b| b.get_attr("version"))
                    .and_then(Value::as_str);
                let version = match lt.version() {
                    Some("$Default") if prior_version != Some("$Default") => None,
                    v => v,
                };
                Value::List(vec![Value::object([
                    ("id", string(lt.launch_template_id())),
                    ("name", string(lt.launch_template_name())),
                    ("version", string(version)),
                ])])
            }
            None => Value::List(Vec::new()),
        };
        let subnets = g
            .vpc_zone_identifier()
            .unwrap_or_default()
            .split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
            .collect::<Vec<_>>();
        let tags: Vec<Value> = g
            .tags()
            .iter()
            .filter(|t| !t.key().unwrap_or_default().starts_with("aws:"))
            .map(|t| {
                Value::object([
                    ("key", Value::string(t.key().unwrap_or_default())),
                    ("value", Value::string(t.value().unwrap_or_default())),
                    (
                        "propagate_at_launch",
                        Value::Bool(t.propagate_at_launch().unwrap_or(false)),
                    ),
                ])
            })
            .collect();
        let policies = g.termination_policies();
        let termination_policies = if policies == ["Default"] {
            match keep("termination_policies") {
                Some(p) if p.as_seq().is_none_or(<[Value]>::is_empty) => p,
                Some(_) => string_list(policies.iter().cloned()),
                None => Value::Null(Type::list(Type::String)),
            }
        } else if policies.is_empty() {
            keep("termination_policies").unwrap_or(Value::Null(Type::list(Type::String)))
        } else {
            string_list(policies.iter().cloned())
        };
        let attrs = BTreeMap::from([
            ("id".to_owned(), Value::string(name)),
            ("name".into(), Value::string(name)),
            ("name_prefix".into(), Value::string(prefix_of(name))),
            ("arn".into(), string(g.auto_scaling_group_arn())),
            ("min_size".into(), int(g.min_size())),
            ("max_size".into(), int(g.max_size())),
            ("desired_capacity".into(), int(g.desired_capacity())),
            ("vpc_zone_identifier".into(), string_set(subnets)),
            (
                "availability_zones".into(),
                string_set(g.availability_zones().iter().cloned()),
            ),
            (
                "target_group_arns".into(),
                string_set(g.target_group_arns().iter().cloned()),
            ),
            (
                "load_balancers".into(),
                string_set(g.load_balancer_names().iter().cloned()),
            ),
            ("health_check_type".into(), string(g.health_check_type())),
            (
                "health_check_grace_period".into(),
                int(g.health_check_grace_period().or(Some(0))),
            ),
            ("default_cooldown".into(), int(g.default_cooldown())),
            ("termination_policies".into(), termination_policies),
            ("launch_template".into(), launch_template),
            ("tag".into(), Value::set(tags)),
            (
                "wait_for_capacity_timeout".into(),
                keep("wait_for_capacity_timeout")
                    .filter(|v| !v.is_null())
                    .unwrap_or_else(|| Value::string(DEFAULTS[0].1)),
            ),
            (
                "force_delete".into(),
                keep("force_delete")
                    .filter(|v| !v.is_null())
                    .unwrap_or(Value::Bool(false)),
            ),
            (
                "instance_refresh".into(),
                keep("instance_refresh").unwrap_or(Value::List(Vec::new())),
            ),
        ]);
        Some((
            name.to_owned(),
            conform(&self.schema.block, Value::Object(attrs)),
        ))
    }

    async fn describe(
        &self,
        names: Vec<String>,
        priors: &BTreeMap<String, &Value>,
    ) -> Result<BTreeMap<String, Value>, ProviderError> {
        let mut found = BTreeMap::new();
        let mut pages = self
            .asg
            .client
            .describe_auto_scaling_groups()
            .set_auto_scaling_group_names(Some(names))
            .into_paginator()
            .send();
        while let Some(page) = pages.next().await {
            let page = page.map_err(|e| sdk_error("reading Auto Scaling Groups", e))?;
            for g in page.auto_scaling_groups() {
                // A group being deleted is as good as gone.
                if g.status().is_some_and(|s| s.contains("Delete")) {
                    continue;
                }
                let prior = g
                    .auto_scaling_group_name()
                    .and_then(|n| priors.get(n).copied());
                if let Some((name, v)) = self.flatten(g, prior) {
                    found.insert(name, v);
                }
            }
        }
        Ok(found)
    }

    async fn raw(&self, name: &str) -> Result<Option<AutoScalingGroup>, ProviderError> {
        let out = self
            .asg
            .client
            .describe_auto_scaling_groups()
            .auto_scaling_group_names(name)
            .send()
            .await
            .map_err(|e| sdk_error(&format!("reading Auto Scaling Group ({name})"), e))?;
        Ok(out
            .auto_scaling_groups()
            .iter()
            .find(|g| g.auto_scaling_group_name() == Some(name))
            .cloned())
    }

    async fn read_one(
        &self,
        name: &str,
        prior: Option<&Value>,
    ) -> Result<Option<Value>, ProviderError> {
        let priors: BTreeMap<String, &Value> =
            prior.map(|p| (name.to_owned(), p)).into_iter().collect();
        Ok(self
            .describe(vec![name.to_owned()], &priors)
            .await?
            .remove(name))
    }

    async fn must_read(&self, name: &str, planned: &Value) -> Result<Value, ProviderError> {
        self.read_one(name, Some(planned)).await?.ok_or_else(|| {
            ProviderError::new(format!("reading Auto Scaling Group ({name})"))
                .with_detail("The group disappeared right after it was changed.")
        })
    }

    /// Waits until the group has `desired_capacity` (or `min_size`) InService, Healthy
    /// instances, unless `wait_for_capacity_timeout` is "0".
    async fn wait_for_capacity(
        &self,
        name: &str,
        planned: &Value,
        ctx: &ApplyCtx,
    ) -> Result<(), ProviderError> {
        let text = read::string(planned, "wait_for_capacity_timeout").unwrap_or(DEFAULTS[0].1);
        let timeout = parse_duration(text).ok_or_else(|| {
            arg_error(
                "wait_for_capacity_timeout",
                format!(
                    "wait_for_capacity_timeout must be a duration such as \"10m\", not {text:?}"
                ),
            )
        })?;
        if timeout.is_zero() {
            return Ok(());
        }
        let want = match int32(planned, "desired_capacity")? {
            Some(d) => d,
            None => int32(planned, "min_size")?.unwrap_or(0),
        };
        let want = usize::try_from(want).unwrap_or(0);
        wait::until(
            &format!("Auto Scaling Group ({name}) capacity"),
            timeout,
            ctx,
            || async {
                let Some(g) = self.raw(name).await? else {
                    return Err(ProviderError::new(format!(
                        "waiting for Auto Scaling Group ({name}) capacity"
                    ))
                    .with_detail("The group no longer exists."));
                };
                let ready = g
                    .instances()
                    .iter()
                    .filter(|i| {
                        i.lifecycle_state().map(|s| s.as_str()) == Some("InService")
                            && i.health_status()
                                .is_some_and(|h| h.eq_ignore_ascii_case("healthy"))
                    })
                    .count();
                Ok(if ready >= want {
                    Poll::Done(())
                } else {
                    Poll::Pending(format!("{ready} of {want} instances InService and healthy"))
                })
            },
        )
        .await
        .map_err(|e| e.with_attribute(AttrPath::attr("wait_for_capacity_timeout")))
    }

    async fn update_attachments(
        &self,
        name: &str,
        prior: &Value,
        planned: &Value,
    ) -> Result<(), ProviderError> {
        let c = &self.asg.client;
        if read::is_unknown(planned, "target_group_arns") {
            return Ok(());
        }
        let old: BTreeSet<String> = read::strings(prior, "target_group_arns")
            .into_iter()
            .collect();
        let new: BTreeSet<String> = read::strings(planned, "target_group_arns")
            .into_iter()
            .collect();
        let gone: Vec<String> = old.difference(&new).cloned().collect();
        let added: Vec<String> = new.difference(&old).cloned().collect();
        if !gone.is_empty() {
            c.detach_load_balancer_target_groups()
                .auto_scaling_group_name(name)
                .set_target_group_arns(Some(gone))
                .send()
                .await
                .map_err(|e| {
                    sdk_error(
                        &format!("detaching target groups from Auto Scaling Group ({name})"),
                        e,
                    )
                    .with_attribute(AttrPath::attr("target_group_arns"))
                })?;
        }
        if !added.is_empty() {
            c.attach_load_balancer_target_groups()
                .auto_scaling_group_name(name)
                .set_target_group_arns(Some(added))
                .send()
                .await
                .map_err(|e| {
                    sdk_error(
                        &format!("attaching target groups to Auto Scaling Group ({name})"),
                        e,
                    )
                    .with_attribute(AttrPath::attr("target_group_arns"))
                })?;
        }
        if read::is_unknown(planned, "load_balancers") {
            return Ok(());
        }
        let old: BTreeSet<String> = read::strings(prior, "load_balancers").into_iter().collect();
        let new: BTreeSet<String> = read::strings(planned, "load_balancers")
            .into_iter()
            .collect();
        let gone: Vec<String> = old.difference(&new).cloned().collect();
        let added: Vec<String> = new.difference(&old).cloned().collect();
        if !gone.is_empty() {
            c.detach_load_balancers()
                .auto_scaling_group_name(name)
                .set_load_balancer_names(Some(gone))
                .send()
                .await
                .map_err(|e| {
                    sdk_error(
                        &format!("detaching load balancers from Auto Scaling Group ({name})"),
                        e,
                    )
                    .with_attribute(AttrPath::attr("load_balancers"))
                })?;
        }
        if !added.is_empty() {
            c.attach_load_balancers()
                .auto_scaling_group_name(name)
                .set_load_balancer_names(Some(added))
                .send()
                .await
                .map_err(|e| {
                    sdk_error(
                        &format!("attaching load balancers to Auto Scaling Group ({name})"),
                        e,
                    )
                    .with_attribute(AttrPath::attr("load_balancers"))
                })?;
        }
        Ok(())
    }

    async fn update_tags(
        &self,
        name: &str,
        prior: &Value,
        planned: &Value,
    ) -> Result<(), ProviderError> {
        let old = tags_of(prior);
        let new = tags_of(planned);
        let removed: Vec<Tag> = old
            .keys()
            .filter(|k| !new.contains_key(*k))
            .map(|k| to_tag(name, k, None))
            .collect();
        let set: Vec<Tag> = new
            .iter()
            .filter(|(k, v)| old.get(*k) != Some(v))
            .map(|(k, v)| to_tag(name, k, Some(v)))
            .collect();
        let c = &self.asg.client;
        if !removed.is_empty() {
            c.delete_tags()
                .set_tags(Some(removed))
                .send()
                .await
                .map_err(|e| {
                    sdk_error(
                        &format!("removing tags from Auto Scaling Group ({name})"),
                        e,
                    )
                    .with_attribute(AttrPath::attr("tag"))
                })?;
        }
        if !set.is_empty() {
            c.create_or_update_tags()
                .set_tags(Some(set))
                .send()
                .await
                .map_err(|e| {
                    sdk_error(&format!("tagging Auto Scaling Group ({name})"), e)
                        .with_attribute(AttrPath::attr("tag"))
                })?;
        }
        Ok(())
    }

    /// Starts the refresh an update calls for, and waits for it unless the settings say not.
    async fn refresh_instances(
        &self,
        name: &str,
        planned: &Value,
        ctx: &ApplyCtx,
    ) -> Result<(), ProviderError> {
        let Some(spec) = RefreshSpec::from_group(planned)? else {
            return Ok(());
        };
        let c = &self.asg.client;
        let pace = Pace::from_env();
        let id = refresh::start(c, name, &spec, expand_lt(planned), pace, ctx).await?;
        if !self.asg.aws.settings.wait_for_instance_refresh {
            ctx.progress(&format!(
                "not waiting for instance refresh {id} (--no-wait-for-instance-refresh)"
            ));
            return Ok(());
        }
        refresh::wait(c, name, &id, pace, REFRESH_TIMEOUT, ctx).await
    }

    async fn delete_group(
        &self,
        name: &str,
        force: bool,
        ctx: &ApplyCtx,
    ) -> Result<(), ProviderError> {
        let c = &self.asg.client;
        wait::until(
            &format!("Auto Scaling Group ({name}) delete"),
            DELETE_TIMEOUT,
            ctx,
            || async {
                match c
                    .delete_auto_scaling_group()
                    .auto_scaling_group_name(name)
                    .force_delete(force)
                    .send()
                    .await
                {
                    Ok(_) => Ok(Poll::Done(())),
                    Err(e) if group_gone(&e) => Ok(Poll::Done(())),
                    Err(e)
                        if matches!(
                            e.aws_code(),
                            Some("ResourceInUse" | "ScalingActivityInProgress")
                        ) =>
                    {
                        Ok(Poll::Pending(e.aws_code().unwrap_or("in use").to_owned()))
                    }
                    Err(e) => Err(sdk_error(
                        &format!("deleting Auto Scaling Group ({name})"),
                        e,
                    )),
                }
            },
        )
        .await?;
        wait::until(
            &format!("Auto Scaling Group ({name}) delete"),
            DELETE_TIMEOUT,
            ctx,
            || async {
                Ok(match self.raw(name).await? {
                    None => Poll::Done(()),
                    Some(g) => Poll::Pending(g.status().unwrap_or("deleting").to_owned()),
                })
            },
        )
        .await
    }
}

#[async_trait]
impl Resource for Group {
    fn schema(&self) -> &Schema {
        &self.schema
    }

    async fn plan(
        &self,
        prior: Option<&Value>,
        config: &Value,
    ) -> Result<PlannedChange, ProviderError> {
        check_name_conflict(config)?;
        if let Some(b) = first_block(config, "launch_template") {
            let id = read::is_set(b, "id");
            let name = read::is_set(b, "name");
            if id == name {
                return Err(arg_error(
                    "launch_template",
                    "launch_template needs exactly one of id and name",
                ));
            }
        }
        if let Some(t) = read::string(config, "wait_for_capacity_timeout")
            && parse_duration(t).is_none()
        {
            return Err(arg_error(
                "wait_for_capacity_timeout",
                format!("wait_for_capacity_timeout must be a duration such as \"10m\", not {t:?}"),
            ));
        }
        RefreshSpec::from_group(config)?;
        let config = with_defaults(
            config,
            &[
                ("wait_for_capacity_timeout", Value::string(DEFAULTS[0].1)),
                ("force_delete", Value::Bool(false)),
                ("health_check_grace_period", read::int_value(300)),
            ],
        );
        let mut change = plan_default(&self.schema, prior, &config);
        let Some(prior) = prior.filter(|_| change.requires_replace.is_empty()) else {
            return Ok(change);
        };
        if let Value::Object(m) = &mut change.planned {
            // A new template id (or name) makes the other one known after apply.
            let configured = first_block(&config, "launch_template");
            if let (Some(Value::List(items)), Some(c)) = (m.get_mut("launch_template"), configured)
                && let Some(Value::Object(lt)) = items.first_mut()
            {
                let old = lt_block(prior);
                for (set, other) in [("id", "name"), ("name", "id")] {
                    let chosen = c.get_attr(set).filter(|v| !v.is_null());
                    if let Some(v) = chosen
                        && (!v.is_known() || Some(v) != old.and_then(|o| o.get_attr(set)))
                        && c.get_attr(other).is_none_or(Value::is_null)
                    {
                        lt.insert(other.to_owned(), Value::Unknown(Type::String));
                    }
                }
            }
            // AWS fits the desired capacity into new bounds when it is not configured.
            let bounds_change = ["min_size", "max_size"]
                .iter()
                .any(|k| config.get_attr(k) != prior.get_attr(k));
            if config
                .get_attr("desired_capacity")
                .is_none_or(Value::is_null)
                && bounds_change
            {
                m.insert("desired_capacity".into(), Value::Unknown(Type::Number));
            }
        }
        if let Some(note) = refresh_note(
            prior,
            &change.planned,
            self.asg.aws.settings.wait_for_instance_refresh,
        )? {
            change.notes.push(note);
        }
        Ok(change)
    }

    async fn create(&self, planned: &Value, ctx: &ApplyCtx) -> Result<Value, ProviderError> {
        let name = name_to_create(planned);
        let tags: Vec<Tag> = tags_of(planned)
            .iter()
            .map(|(k, v)| to_tag(&name, k, Some(v)))
            .collect();
        self.asg
            .client
            .create_auto_scaling_group()
            .auto_scaling_group_name(&name)
            .set_min_size(int32(planned, "min_size")?)
            .set_max_size(int32(planned, "max_size")?)
            .set_desired_capacity(int32(planned, "desired_capacity")?)
            .set_launch_template(expand_lt(planned))
            .set_vpc_zone_identifier(
                non_empty(read::strings(planned, "vpc_zone_identifier")).map(|s| s.join(",")),
            )
            .set_availability_zones(non_empty(read::strings(planned, "availability_zones")))
            .set_target_group_arns(non_empty(read::strings(planned, "target_group_arns")))
            .set_load_balancer_names(non_empty(read::strings(planned, "load_balancers")))
            .set_health_check_type(read::string(planned, "health_check_type").map(str::to_owned))
            .set_health_check_grace_period(int32(planned, "health_check_grace_period")?)
            .set_default_cooldown(int32(planned, "default_cooldown")?)
            .set_termination_policies(non_empty(read::strings(planned, "termination_policies")))
            .set_tags(non_empty(tags))
            .send()
            .await
            .map_err(|e| sdk_error(&format!("creating Auto Scaling Group ({name})"), e))?;
        self.wait_for_capacity(&name, planned, ctx).await?;
        self.must_read(&name, planned).await
    }

    async fn update(
        &self,
        prior: &Value,
        planned: &Value,
        ctx: &ApplyCtx,
    ) -> Result<Value, ProviderError> {
        let name = read::string(prior, "id")
            .or_else(|| read::string(prior, "name"))
            .ok_or_else(|| {
                ProviderError::new("updating Auto Scaling Group")
                    .with_detail("The state has no id.")
            })?
            .to_owned();
        let changed = |k: &str| {
            planned.get_attr(k).is_some_and(Value::is_wholly_known)
                && planned.get_attr(k) != prior.get_attr(k)
        };
        let mut req = self
            .asg
            .client
            .update_auto_scaling_group()
            .auto_scaling_group_name(&name);
        let mut any = false;
        for k in [
            "min_size",
            "max_size",
            "desired_capacity",
            "health_check_grace_period",
            "default_cooldown",
        ] {
            if changed(k)
                && let Some(n) = int32(planned, k)?
            {
                any = true;
                req = match k {
                    "min_size" => req.min_size(n),
                    "max_size" => req.max_size(n),
                    "desired_capacity" => req.desired_capacity(n),
                    "health_check_grace_period" => req.health_check_grace_period(n),
                    _ => req.default_cooldown(n),
                };
            }
        }
        if changed("health_check_type")
            && let Some(t) = read::string(planned, "health_check_type")
        {
            any = true;
            req = req.health_check_type(t);
        }
        if changed("vpc_zone_identifier") {
            any = true;
            req = req.vpc_zone_identifier(read::strings(planned, "vpc_zone_identifier").join(","));
        }
        if changed("availability_zones") {
            let zones = read::strings(planned, "availability_zones");
            if !zones.is_empty() {
                any = true;
                req = req.set_availability_zones(Some(zones));
            }
        }
        if changed("termination_policies") {
            any = true;
            let policies = read::strings(planned, "termination_policies");
            req = req.set_termination_policies(Some(if policies.is_empty() {
                vec!["Default".to_owned()]
            } else {
                policies
            }));
        }
        let lt_changed = launch_template_changes(prior, planned);
        if lt_changed {
            any = true;
            req = req.set_launch_template(expand_lt(planned));
        }
        if any {
            req.send().await.map_err(|e| {
                let err = sdk_error(&format!("updating Auto Scaling Group ({name})"), e);
                if lt_changed {
                    err.with_attribute(AttrPath::attr("launch_template"))
                } else {
                    err
                }
            })?;
        }
        self.update_attachments(&name, prior, planned).await?;
        self.update_tags(&name, prior, planned).await?;
        if changed("min_size") || changed("desired_capacity") {
            self.wait_for_capacity(&name, planned, ctx).await?;
        }
        if !refresh_reasons(prior, planned).is_empty() {
            self.refresh_instances(&name, planned, ctx).await?;
        }
        self.must_read(&name, planned).await
    }

    async fn delete(&self, prior: &Value, ctx: &ApplyCtx) -> Result<(), ProviderError> {
        let Some(name) = read::string(prior, "id").or_else(|| read::string(prior, "name")) else {
            return Ok(());
        };
        let force = read::boolean(prior, "force_delete").unwrap_or(false);
        if !force {
            // Drain: no instances left before the delete (Terraform's behaviour).
            match self
                .asg
                .client
                .update_auto_scaling_group()
                .auto_scaling_group_name(name)
                .min_size(0)
                .max_size(0)
                .desired_capacity(0)
                .send()
                .await
            {
                Ok(_) => {}
                Err(e) if group_gone(&e) => return Ok(()),
                Err(e) => {
                    return Err(sdk_error(
                        &format!("draining Auto Scaling Group ({name})"),
                        e,
                    ));
                }
            }
            wait::until(
                &format!("Auto Scaling Group ({name}) to drain"),
                DELETE_TIMEOUT,
                ctx,
                || async {
                    Ok(match self.raw(name).await? {
                        None => Poll::Done(()),
                        Some(g) if g.instances().is_empty() => Poll::Done(()),
                        Some(g) => Poll::Pending(format!("{} instances left", g.instances().len())),
                    })
                },
            )
            .await?;
        }
        self.delete_group(name, force, ctx).await
    }

    async fn read_many(&self, priors: &[Value]) -> Result<Vec<Option<Value>>, ProviderError> {
        let by_name: BTreeMap<String, &Value> = priors
            .iter()
            .filter_map(|p| read::string(p, "id").map(|id| (id.to_owned(), p)))
            .collect();
        let names: Vec<String> = by_name.keys().cloned().collect();
        let mut found = BTreeMap::new();
        for chunk in names.chunks(NAMES_PER_CALL) {
            found.extend(self.describe(chunk.to_vec(), &by_name).await?);
        }
        Ok(priors
            .iter()
            .map(|p| read::string(p, "id").and_then(|id| found.get(id).cloned()))
            .collect())
    }

    async fn import(&self, id: &str) -> Result<Value, ProviderError> {
        self.read_one(id, None).await?.ok_or_else(|| {
            ProviderError::new(format!("importing Auto Scaling Group ({id})")).with_detail(format!(
                "Cannot import non-existent remote object: no Auto Scaling Group named {id}."
            ))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn group(version: Value, desired: i64, refresh: bool, triggers: &[&str]) -> Value {
        let ir = if refresh {
            Value::List(vec![Value::object([
                ("strategy", Value::from("Rolling")),
                ("triggers", string_set(triggers.iter().copied())),
                ("preferences", Value::List(Vec::new())),
            ])])
        } else {
            Value::List(Vec::new())
        };
        Value::object([
            ("desired_capacity", read::int_value(desired)),
            ("tag", Value::set(Vec::new())),
            (
                "launch_template",
                Value::List(vec![Value::object([
                    ("id", Value::from("lt-1")),
                    ("name", Value::from("web")),
                    ("version", version),
                ])]),
            ),
            ("instance_refresh", ir),
        ])
    }

    #[test]
    fn a_new_launch_template_version_starts_a_refresh() {
        let prior = group(Value::from("1"), 3, true, &[]);
        assert_eq!(
            refresh_reasons(&prior, &group(Value::from("2"), 3, true, &[])),
            ["launch_template"]
        );
        // Not known until the template is updated in the same apply.
        assert_eq!(
            refresh_reasons(&prior, &group(Value::Unknown(Type::String), 3, true, &[])),
            ["launch_template"]
        );
    }

    #[test]
    fn scaling_alone_or_a_constant_latest_version_starts_no_refresh() {
        let prior = group(Value::from("$Latest"), 3, true, &[]);
        assert!(refresh_reasons(&prior, &group(Value::from("$Latest"), 5, true, &[])).is_empty());
    }

    #[test]
    fn an_attribute_named_in_triggers_starts_a_refresh() {
        let prior = group(Value::from("1"), 3, true, &["desired_capacity"]);
        assert_eq!(
            refresh_reasons(
                &prior,
                &group(Value::from("1"), 5, true, &["desired_capacity"])
            ),
            ["desired_capacity"]
        );
    }

    #[test]
    fn without_an_instance_refresh_block_nothing_is_refreshed() {
        let prior = group(Value::from("1"), 3, false, &[]);
        assert!(refresh_reasons(&prior, &group(Value::from("2"), 3, false, &[])).is_empty());
    }

    #[test]
    fn the_update_sends_the_template_id_and_version() {
        let lt = expand_lt(&group(Value::from("2"), 3, false, &[])).expect("a template");
        assert_eq!(lt.launch_template_id(), Some("lt-1"));
        assert_eq!(lt.launch_template_name(), None, "id and name are exclusive");
        assert_eq!(lt.version(), Some("2"));
    }

    #[test]
    fn the_plan_notes_a_refresh_with_its_preferences_and_not_a_scaling() {
        let prior = group(Value::from("1"), 3, true, &[]);
        let note = refresh_note(
            &prior,
            &group(Value::Unknown(Type::String), 3, true, &[]),
            true,
        )
        .expect("valid")
        .expect("a note");
        assert_eq!(
            note,
            "launch_template changes: an instance refresh will replace the group's instances, Rolling, at least 90% healthy"
        );
        let quiet =
            refresh_note(&prior, &group(Value::from("1"), 5, true, &[]), true).expect("valid");
        assert_eq!(quiet, None);
        let no_wait = refresh_note(&prior, &group(Value::from("2"), 3, true, &[]), false)
            .expect("valid")
            .expect("a note");
        assert!(no_wait.ends_with("without waiting"), "{no_wait}");
    }

    #[test]
    fn capacity_timeouts_are_go_durations() {
        assert_eq!(parse_duration("10m"), Some(Duration::from_secs(600)));
        assert_eq!(parse_duration("1h30m"), Some(Duration::from_secs(5400)));
        assert_eq!(parse_duration("45s"), Some(Duration::from_secs(45)));
        assert_eq!(parse_duration("0"), Some(Duration::ZERO));
        assert_eq!(parse_duration("ten minutes"), None);
        assert_eq!(parse_duration(""), None);
    }
}
