//! Instance refresh: starting one (cancelling a refresh already running first, as Terraform
//! does) and waiting for it to end, reporting its progress. Functions of a plain
//! `aws_sdk_autoscaling::Client`, so tests can drive them with mocked responses.

use crate::common::{Pace, first_block, int32};
use aws_sdk_autoscaling::Client;
use aws_sdk_autoscaling::types::{
    DesiredConfiguration, InstanceRefresh, InstanceRefreshStatus, LaunchTemplateSpecification,
    RefreshPreferences, RefreshStrategy, ScaleInProtectedInstances, StandbyInstances,
};
use std::time::{Duration, Instant};
use terrane_aws_core::{AwsErrorExt, sdk_error};
use terrane_sdk::read::{self, arg_error};
use terrane_sdk::{ApplyCtx, ProviderError};
use terrane_types::{AttrPath, Value};

/// How long terrane waits for a refresh it started to end (documented: one hour). Long
/// rollouts outlast it only with many instances and long warmups; the refresh itself goes
/// on in AWS.
pub(crate) const REFRESH_TIMEOUT: Duration = Duration::from_secs(3600);

/// How long cancelling a running refresh may take (Terraform's 15 minutes).
const CANCEL_TIMEOUT: Duration = Duration::from_secs(900);

/// How often a start is retried after cancelling a refresh in the way.
const START_ATTEMPTS: usize = 5;

/// What StartInstanceRefresh is asked to do: the `instance_refresh` block, read.
#[derive(Clone, Debug, Default, PartialEq)]
pub(crate) struct RefreshSpec {
    pub strategy: String,
    pub min_healthy_percentage: Option<i32>,
    pub max_healthy_percentage: Option<i32>,
    pub instance_warmup: Option<i32>,
    pub checkpoint_percentages: Vec<i32>,
    pub checkpoint_delay: Option<i32>,
    pub skip_matching: Option<bool>,
    pub auto_rollback: Option<bool>,
    pub scale_in_protected_instances: Option<String>,
    pub standby_instances: Option<String>,
}

impl RefreshSpec {
    /// The group's `instance_refresh` block, if it has one.
    pub(crate) fn from_group(group: &Value) -> Result<Option<RefreshSpec>, ProviderError> {
        let Some(block) = first_block(group, "instance_refresh") else {
            return Ok(None);
        };
        let mut spec = RefreshSpec {
            strategy: read::string(block, "strategy")
                .unwrap_or("Rolling")
                .to_owned(),
            ..RefreshSpec::default()
        };
        if let Some(p) = first_block(block, "preferences") {
            let at = |name: &str| {
                AttrPath::attr("instance_refresh")
                    .then(terrane_types::PathStep::Attr("preferences".into()))
                    .then(terrane_types::PathStep::Attr(name.into()))
            };
            spec.min_healthy_percentage = int32(p, "min_healthy_percentage")
                .map_err(|e| e.with_attribute(at("min_healthy_percentage")))?;
            spec.max_healthy_percentage = int32(p, "max_healthy_percentage")
                .map_err(|e| e.with_attribute(at("max_healthy_percentage")))?;
            spec.instance_warmup = seconds(p, "instance_warmup")
                .map_err(|e| e.with_attribute(at("instance_warmup")))?;
            spec.checkpoint_delay = seconds(p, "checkpoint_delay")
                .map_err(|e| e.with_attribute(at("checkpoint_delay")))?;
            spec.checkpoint_percentages = read::known(p, "checkpoint_percentages")
                .and_then(Value::as_seq)
                .unwrap_or_default()
                .iter()
                .filter_map(|n| n.as_number().and_then(|n| n.to_i64()))
                .filter_map(|n| i32::try_from(n).ok())
                .collect();
            spec.skip_matching = read::boolean(p, "skip_matching");
            spec.auto_rollback = read::boolean(p, "auto_rollback");
            spec.scale_in_protected_instances =
                read::string(p, "scale_in_protected_instances").map(str::to_owned);
            spec.standby_instances = read::string(p, "standby_instances").map(str::to_owned);
        }
        Ok(Some(spec))
    }

    /// The minimum healthy percentage in effect (AWS's default is 90).
    pub(crate) fn min_healthy(&self) -> i32 {
        self.min_healthy_percentage.unwrap_or(90)
    }

    /// A one-line description for plans: "Rolling, at least 50% healthy".
    pub(crate) fn describe(&self) -> String {
        let mut s = format!(
            "{}, at least {}% healthy",
            self.strategy,
            self.min_healthy()
        );
        if let Some(max) = self.max_healthy_percentage {
            s.push_str(&format!(", at most {max}%"));
        }
        if self.skip_matching == Some(true) {
            s.push_str(", skipping matching instances");
        }
        if !self.checkpoint_percentages.is_empty() {
            let points: Vec<String> = self
                .checkpoint_percentages
                .iter()
                .map(|p| format!("{p}%"))
                .collect();
            s.push_str(&format!(", checkpoints at {}", points.join(", ")));
        }
        s
    }

    fn preferences(&self) -> RefreshPreferences {
        RefreshPreferences::builder()
            .set_min_healthy_percentage(self.min_healthy_percentage)
            .set_max_healthy_percentage(self.max_healthy_percentage)
            .set_instance_warmup(self.instance_warmup)
            .set_checkpoint_percentages(
                (!self.checkpoint_percentages.is_empty())
                    .then(|| self.checkpoint_percentages.clone()),
            )
            .set_checkpoint_delay(self.checkpoint_delay)
            .set_skip_matching(self.skip_matching)
            .set_auto_rollback(self.auto_rollback)
            .set_scale_in_protected_instances(
                self.scale_in_protected_instances
                    .as_deref()
                    .map(ScaleInProtectedInstances::from),
            )
            .set_standby_instances(
                self.standby_instances
                    .as_deref()
                    .map(StandbyInstances::from),
            )
            .build()
    }
}

/// `instance_warmup` and `checkpoint_delay` are strings in Terraform ("0" differs from unset).
fn seconds(v: &Value, name: &str) -> Result<Option<i32>, ProviderError> {
    match read::known(v, name) {
        None => Ok(None),
        Some(x) => {
            let text = match (x.as_str(), x.as_number()) {
                (Some(s), _) => s.trim().to_owned(),
                (None, Some(n)) => n.to_string(),
                _ => String::new(),
            };
            if text.is_empty() {
                return Ok(None);
            }
            text.parse::<i32>()
                .ok()
                .filter(|n| *n >= 0)
                .map(Some)
                .ok_or_else(|| {
                    arg_error(
                        name,
                        format!("{name} must be a number of seconds, not {text:?}"),
                    )
                })
        }
    }
}

/// Starts a refresh of `group`; when one is already running, cancels it, waits until it is
/// cancelled and starts again (Terraform's behaviour). Returns the new refresh's id.
pub(crate) async fn start(
    client: &Client,
    group: &str,
    spec: &RefreshSpec,
    launch_template: Option<LaunchTemplateSpecification>,
    pace: Pace,
    ctx: &ApplyCtx,
) -> Result<String, ProviderError> {
    let action = format!("starting Auto Scaling Group ({group}) instance refresh");
    // Rolling back needs the configuration to roll forward to.
    let desired = launch_template
        .filter(|_| spec.auto_rollback == Some(true))
        .map(|lt| DesiredConfiguration::builder().launch_template(lt).build());
    for _ in 0..START_ATTEMPTS {
        let out = client
            .start_instance_refresh()
            .auto_scaling_group_name(group)
            .strategy(RefreshStrategy::from(spec.strategy.as_str()))
            .preferences(spec.preferences())
            .set_desired_configuration(desired.clone())
            .send()
            .await;
        match out {
            Ok(o) => {
                let id = o.instance_refresh_id().unwrap_or_default().to_owned();
                ctx.progress(&format!(
                    "instance refresh {id} started ({})",
                    spec.describe()
                ));
                return Ok(id);
            }
            Err(e)
                if e.aws_code() == Some("InstanceRefreshInProgress")
                    || e.as_service_error()
                        .is_some_and(|s| s.is_instance_refresh_in_progress_fault()) =>
            {
                ctx.progress("an instance refresh is already running: cancelling it");
                cancel(client, group, pace, ctx).await?;
            }
            Err(e) => {
                return Err(
                    sdk_error(&action, e).with_attribute(AttrPath::attr("instance_refresh"))
                );
            }
        }
    }
    Err(ProviderError::new(action)
        .with_detail(
            "Another instance refresh kept starting after terrane cancelled the one running.",
        )
        .with_attribute(AttrPath::attr("instance_refresh")))
}

/// Cancels the group's running refresh and waits until it is no longer active.
async fn cancel(
    client: &Client,
    group: &str,
    pace: Pace,
    ctx: &ApplyCtx,
) -> Result<(), ProviderError> {
    let action = format!("cancelling Auto Scaling Group ({group}) instance refresh");
    let id = match client
        .cancel_instance_refresh()
        .auto_scaling_group_name(group)
        .send()
        .await
    {
        Ok(o) => o.instance_refresh_id().map(str::to_owned),
        Err(e)
            if e.aws_code() == Some("ActiveInstanceRefreshNotFound")
                || e.as_service_error()
                    .is_some_and(|s| s.is_active_instance_refresh_not_found_fault()) =>
        {
            return Ok(());
        }
        Err(e) => return Err(sdk_error(&action, e)),
    };
    let started = Instant::now();
    let mut interval = pace.first;
    let mut last = String::new();
    loop {
        let r = describe(client, group, id.as_deref()).await?;
        let status = r
            .as_ref()
            .and_then(|r| r.status())
            .map(|s| s.as_str().to_owned());
        match status.as_deref() {
            None
            | Some(
                "Cancelled" | "Failed" | "Successful" | "RollbackSuccessful" | "RollbackFailed",
            ) => {
                return Ok(());
            }
            Some(s) => {
                if s != last {
                    ctx.progress(&format!(
                        "waiting for the running instance refresh to cancel ({s})"
                    ));
                    last = s.to_owned();
                }
            }
        }
        if started.elapsed() >= CANCEL_TIMEOUT {
            return Err(ProviderError::new(action).with_detail(format!(
                "Timed out after {}s; last status: {last}",
                CANCEL_TIMEOUT.as_secs()
            )));
        }
        tokio::time::sleep(interval).await;
        interval = pace.next(interval);
    }
}

/// The refresh `id` of `group` (the latest one when `id` is None).
async fn describe(
    client: &Client,
    group: &str,
    id: Option<&str>,
) -> Result<Option<InstanceRefresh>, ProviderError> {
    let out = client
        .describe_instance_refreshes()
        .auto_scaling_group_name(group)
        .set_instance_refresh_ids(id.map(|i| vec![i.to_owned()]))
        .send()
        .await
        .map_err(|e| {
            sdk_error(
                &format!("reading Auto Scaling Group ({group}) instance refreshes"),
                e,
            )
        })?;
    Ok(out
        .instance_refreshes()
        .iter()
        .find(|r| id.is_none() || r.instance_refresh_id() == id)
        .cloned())
}

/// The progress line of a refresh: "instance refresh 40% complete, 2 instances left to
/// update" (with AWS's status reason, when it gives one).
pub(crate) fn progress_line(r: &InstanceRefresh) -> String {
    let status = r.status().map_or("Pending", InstanceRefreshStatus::as_str);
    let mut s = match (r.percentage_complete(), r.instances_to_update()) {
        (Some(p), Some(1)) => format!("instance refresh {p}% complete, 1 instance left to update"),
        (Some(p), Some(n)) => {
            format!("instance refresh {p}% complete, {n} instances left to update")
        }
        (Some(p), None) => format!("instance refresh {p}% complete"),
        (None, _) => format!("instance refresh {}", status.to_lowercase()),
    };
    if !matches!(status, "InProgress" | "Pending") {
        s.push_str(&format!(" ({status})"));
    }
    if let Some(reason) = r.status_reason().filter(|r| !r.is_empty()) {
        s.push_str(&format!(": {reason}"));
    }
    s
}

/// Waits until refresh `id` of `group` ends, reporting its progress whenever it changes;
/// an error with AWS's reason unless it ends Successful.
pub(crate) async fn wait(
    client: &Client,
    group: &str,
    id: &str,
    pace: Pace,
    timeout: Duration,
    ctx: &ApplyCtx,
) -> Result<(), ProviderError> {
    let started = Instant::now();
    let mut interval = pace.first;
    let mut last = String::new();
    loop {
        let Some(r) = describe(client, group, Some(id)).await? else {
            return Err(ProviderError::new(format!(
                "waiting for Auto Scaling Group ({group}) instance refresh {id}"
            ))
            .with_detail("AWS no longer lists the instance refresh."));
        };
        let line = progress_line(&r);
        if line != last {
            ctx.progress(&line);
            last = line;
        }
        match r.status().map(InstanceRefreshStatus::as_str) {
            Some("Successful") => return Ok(()),
            Some(end @ ("Failed" | "Cancelled" | "RollbackSuccessful" | "RollbackFailed")) => {
                let reason = r
                    .status_reason()
                    .filter(|r| !r.is_empty())
                    .unwrap_or("AWS gave no reason.");
                return Err(ProviderError::new(format!(
                    "instance refresh {id} of Auto Scaling Group ({group}) ended {end}"
                ))
                .with_detail(reason)
                .with_attribute(AttrPath::attr("instance_refresh"))
                .with_hint("The group keeps its new configuration; instances not yet replaced run the old one. Fix the cause and apply again, or start a refresh yourself."));
            }
            _ => {}
        }
        if started.elapsed() >= timeout {
            return Err(ProviderError::new(format!(
                "waiting for Auto Scaling Group ({group}) instance refresh {id}"
            ))
            .with_detail(format!(
                "Timed out after {}s; last status: {last}. The refresh goes on in AWS.",
                timeout.as_secs()
            ))
            .with_hint(
                "apply --no-wait-for-instance-refresh starts a refresh without waiting for it.",
            ));
        }
        tokio::time::sleep(interval).await;
        interval = pace.next(interval);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use aws_sdk_autoscaling::config::{BehaviorVersion, Credentials, Region};
    use aws_sdk_autoscaling::operation::cancel_instance_refresh::CancelInstanceRefreshOutput;
    use aws_sdk_autoscaling::operation::describe_instance_refreshes::DescribeInstanceRefreshesOutput;
    use aws_sdk_autoscaling::operation::start_instance_refresh::{
        StartInstanceRefreshError, StartInstanceRefreshOutput,
    };
    use aws_sdk_autoscaling::types::error::InstanceRefreshInProgressFault;
    use aws_smithy_mocks::{
        MockResponseInterceptor, Rule, RuleMode, create_mock_http_client, mock,
    };
    use std::sync::{Arc, Mutex};

    fn client(rules: &[&Rule]) -> Client {
        let mut interceptor = MockResponseInterceptor::new().rule_mode(RuleMode::Sequential);
        for r in rules {
            interceptor = interceptor.with_rule(r);
        }
        let conf = aws_sdk_autoscaling::Config::builder()
            .behavior_version(BehaviorVersion::latest())
            .region(Region::new("us-east-1"))
            .credentials_provider(Credentials::new("a", "b", None, None, "test"))
            .http_client(create_mock_http_client())
            .interceptor(interceptor)
            .build();
        Client::from_conf(conf)
    }

    /// A context that records the progress lines.
    fn recording() -> (ApplyCtx, Arc<Mutex<Vec<String>>>) {
        let lines = Arc::new(Mutex::new(Vec::new()));
        let sink = lines.clone();
        let ctx = ApplyCtx::new(Arc::new(move |m: &str| {
            sink.lock().expect("lock").push(m.to_owned())
        }));
        (ctx, lines)
    }

    fn refresh(
        id: &str,
        status: &str,
        pct: i32,
        left: i32,
        reason: Option<&str>,
    ) -> InstanceRefresh {
        InstanceRefresh::builder()
            .instance_refresh_id(id)
            .auto_scaling_group_name("web")
            .status(InstanceRefreshStatus::from(status))
            .percentage_complete(pct)
            .instances_to_update(left)
            .set_status_reason(reason.map(str::to_owned))
            .build()
    }

    fn describes(
        id: &'static str,
        states: &[(&'static str, i32, i32, Option<&'static str>)],
    ) -> Vec<Rule> {
        states
            .iter()
            .map(|&(status, pct, left, reason)| {
                mock!(Client::describe_instance_refreshes)
                    .match_requests(move |r| r.instance_refresh_ids() == [id.to_owned()])
                    .then_output(move || {
                        DescribeInstanceRefreshesOutput::builder()
                            .instance_refreshes(refresh(id, status, pct, left, reason))
                            .build()
                    })
            })
            .collect()
    }

    fn fast() -> Pace {
        Pace::fixed(Duration::from_millis(1))
    }

    fn spec() -> RefreshSpec {
        RefreshSpec {
            strategy: "Rolling".into(),
            min_healthy_percentage: Some(50),
            ..RefreshSpec::default()
        }
    }

    #[tokio::test]
    async fn a_refresh_already_running_is_cancelled_and_the_new_one_started() {
        let busy = mock!(Client::start_instance_refresh).then_error(|| {
            StartInstanceRefreshError::InstanceRefreshInProgressFault(
                InstanceRefreshInProgressFault::builder()
                    .message("An Instance Refresh is already in progress")
                    .build(),
            )
        });
        let cancel = mock!(Client::cancel_instance_refresh).then_output(|| {
            CancelInstanceRefreshOutput::builder()
                .instance_refresh_id("old")
                .build()
        });
        let waits = describes(
            "old",
            &[("Cancelling", 40, 2, None), ("Cancelled", 40, 2, None)],
        );
        let started = mock!(Client::start_instance_refresh)
            .match_requests(|r| {
                r.auto_scaling_group_name() == Some("web")
                    && r.preferences().and_then(|p| p.min_healthy_percentage()) == Some(50)
            })
            .then_output(|| {
                StartInstanceRefreshOutput::builder()
                    .instance_refresh_id("new")
                    .build()
            });
        let mut rules = vec![&busy, &cancel];
        rules.extend(waits.iter());
        rules.push(&started);
        let c = client(&rules);
        let (ctx, lines) = recording();
        let id = start(&c, "web", &spec(), None, fast(), &ctx)
            .await
            .expect("started");
        assert_eq!(id, "new");
        assert_eq!(busy.num_calls(), 1);
        assert_eq!(cancel.num_calls(), 1);
        assert_eq!(started.num_calls(), 1);
        assert!(waits.iter().all(|w| w.num_calls() == 1));
        let lines = lines.lock().expect("lock").clone();
        assert!(
            lines.iter().any(|l| l.contains("cancelling it")),
            "{lines:?}"
        );
        assert!(
            lines.iter().any(|l| l.contains("(Cancelling)")),
            "{lines:?}"
        );
        assert!(lines.iter().any(|l| l.contains("instance refresh new started (Rolling, at least 50% healthy)")), "{lines:?}");
    }

    #[tokio::test]
    async fn waiting_reports_progress_each_time_it_changes_until_successful() {
        let rules = describes(
            "r1",
            &[
                ("Pending", 0, 3, None),
                ("InProgress", 0, 3, None),
                ("InProgress", 33, 2, None),
                ("InProgress", 33, 2, None),
                (
                    "InProgress",
                    66,
                    1,
                    Some("Waiting for instances to warm up"),
                ),
                ("Successful", 100, 0, None),
            ],
        );
        let c = client(&rules.iter().collect::<Vec<_>>());
        let (ctx, lines) = recording();
        wait(&c, "web", "r1", fast(), Duration::from_secs(10), &ctx)
            .await
            .expect("successful");
        let lines = lines.lock().expect("lock").clone();
        assert_eq!(
            lines,
            [
                "instance refresh 0% complete, 3 instances left to update",
                "instance refresh 33% complete, 2 instances left to update",
                "instance refresh 66% complete, 1 instance left to update: Waiting for instances to warm up",
                "instance refresh 100% complete, 0 instances left to update (Successful)",
            ]
        );
    }

    #[tokio::test]
    async fn a_refresh_that_rolls_back_fails_with_the_reason_aws_gives() {
        let reason = "Instance refresh failed: new instances were unhealthy. Rolled back.";
        let rules = describes(
            "r2",
            &[
                ("InProgress", 50, 1, None),
                ("RollbackInProgress", 50, 1, None),
                ("RollbackSuccessful", 100, 0, Some(reason)),
            ],
        );
        let c = client(&rules.iter().collect::<Vec<_>>());
        let (ctx, lines) = recording();
        let err = wait(&c, "web", "r2", fast(), Duration::from_secs(10), &ctx)
            .await
            .expect_err("a rollback is a failure");
        assert!(err.summary.contains("instance refresh r2"), "{err:?}");
        assert!(err.summary.contains("ended RollbackSuccessful"), "{err:?}");
        assert_eq!(err.detail, reason);
        assert_eq!(err.attribute, Some(AttrPath::attr("instance_refresh")));
        let lines = lines.lock().expect("lock").clone();
        assert!(
            lines.iter().any(|l| l.contains("(RollbackInProgress)")),
            "{lines:?}"
        );
    }

    #[tokio::test]
    async fn a_failed_refresh_without_a_reason_says_so() {
        let rules = describes("r3", &[("Failed", 10, 3, None)]);
        let c = client(&rules.iter().collect::<Vec<_>>());
        let err = wait(
            &c,
            "web",
            "r3",
            fast(),
            Duration::from_secs(10),
            &ApplyCtx::silent(),
        )
        .await
        .expect_err("failed");
        assert!(err.summary.contains("ended Failed"), "{err:?}");
        assert_eq!(err.detail, "AWS gave no reason.");
    }

    #[test]
    fn the_instance_refresh_block_reads_as_start_instance_refresh_preferences() {
        let group = Value::object([(
            "instance_refresh",
            Value::List(vec![Value::object([
                ("strategy", Value::from("Rolling")),
                (
                    "preferences",
                    Value::List(vec![Value::object([
                        ("min_healthy_percentage", Value::from(50)),
                        ("instance_warmup", Value::from("30")),
                        (
                            "checkpoint_percentages",
                            Value::List(vec![Value::from(50), Value::from(100)]),
                        ),
                        ("skip_matching", Value::Bool(true)),
                    ])]),
                ),
            ])]),
        )]);
        let spec = RefreshSpec::from_group(&group)
            .expect("valid")
            .expect("present");
        assert_eq!(spec.min_healthy_percentage, Some(50));
        assert_eq!(spec.instance_warmup, Some(30));
        assert_eq!(spec.checkpoint_percentages, [50, 100]);
        assert_eq!(
            spec.describe(),
            "Rolling, at least 50% healthy, skipping matching instances, checkpoints at 50%, 100%"
        );
        let p = spec.preferences();
        assert_eq!(p.min_healthy_percentage(), Some(50));
        assert_eq!(p.skip_matching(), Some(true));
        assert_eq!(p.checkpoint_percentages(), [50, 100]);
        assert_eq!(
            RefreshSpec::default().min_healthy(),
            90,
            "AWS's default minimum healthy percentage"
        );
    }

    #[test]
    fn a_warmup_that_is_not_a_number_of_seconds_names_the_argument() {
        let group = Value::object([(
            "instance_refresh",
            Value::List(vec![Value::object([
                ("strategy", Value::from("Rolling")),
                (
                    "preferences",
                    Value::List(vec![Value::object([(
                        "instance_warmup",
                        Value::from("soon"),
                    )])]),
                ),
            ])]),
        )]);
        let err = RefreshSpec::from_group(&group).expect_err("invalid");
        assert!(err.summary.contains("instance_warmup"), "{err:?}");
        assert!(err.attribute.is_some());
    }
}
