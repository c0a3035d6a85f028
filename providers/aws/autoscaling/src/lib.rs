//! EC2 Auto Scaling resources of the aws provider, with Terraform's attribute names and
//! semantics: `aws_autoscaling_group` (with instance refresh), `aws_autoscaling_policy`
//! (simple and target tracking) and `aws_autoscaling_attachment` (target group or classic
//! ELB). Refresh is batched: up to 100 groups per DescribeAutoScalingGroups call.
//!
//! **Instance refresh.** A group with an `instance_refresh` block starts a refresh after an
//! update that changes `launch_template` (id, name or version; a constant `"$Latest"` is no
//! change) or an attribute named in `triggers`; never on create. The plan carries a note
//! saying so (a version unknown at plan time counts as a change). If a refresh is already
//! running, it is cancelled, terrane waits until it is, and starts again (as Terraform
//! does). Unlike Terraform, terrane then waits for the refresh, polling
//! DescribeInstanceRefreshes at `terrane_aws_core::wait`'s pace (`TERRANE_AWS_POLL_MS`) for
//! up to one hour, reports progress ("instance refresh 40% complete, 2 instances left to
//! update") whenever it changes, and fails the update with AWS's StatusReason unless it
//! ends Successful. `apply --no-wait-for-instance-refresh` (or
//! `TERRANE_WAIT_FOR_INSTANCE_REFRESH=false`) starts it and returns. The logic lives in
//! `refresh`, as functions of a plain client so mocked responses can drive it.
//!
//! After create and capacity changes the group waits for `wait_for_capacity_timeout`
//! ("10m"; "0" disables) until desired_capacity (or min_size) instances are InService and
//! Healthy; delete drains the group first unless `force_delete`.

mod attachment;
mod common;
mod group;
mod policy;
mod refresh;

use std::sync::Arc;
use terrane_aws_core::{Aws, Service};
use terrane_sdk::{Catalog, Schema};

/// The service: registered with the aws provider by the binary.
pub struct AutoscalingService;

impl Service for AutoscalingService {
    fn resource_schemas(&self) -> Vec<(&'static str, Schema)> {
        vec![
            ("aws_autoscaling_group", group::schema()),
            ("aws_autoscaling_policy", policy::schema()),
            ("aws_autoscaling_attachment", attachment::schema()),
        ]
    }

    fn data_source_schemas(&self) -> Vec<(&'static str, Schema)> {
        vec![]
    }

    fn configure(&self, aws: &Arc<Aws>) -> Catalog {
        let asg = Arc::new(common::Asg::new(aws.clone()));
        Catalog::default()
            .resource("aws_autoscaling_group", group::Group::new(asg.clone()))
            .resource("aws_autoscaling_policy", policy::Policy::new(asg.clone()))
            .resource(
                "aws_autoscaling_attachment",
                attachment::Attachment::new(asg),
            )
    }
}
