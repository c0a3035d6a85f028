//! Elastic Load Balancing v2 resources of the aws provider, with Terraform's attribute names,
//! defaults and semantics:
//!
//! - `aws_lb` (alias `aws_alb`): application load balancers (network and gateway accepted);
//!   create waits until active, delete until gone; attributes (idle timeout, deletion
//!   protection, HTTP/2, header handling, access logs, ...) through
//!   ModifyLoadBalancerAttributes.
//! - `aws_lb_target_group` (alias `aws_alb_target_group`): with its health check,
//!   stickiness, deregistration delay, slow start and load balancing algorithm.
//! - `aws_lb_listener` (alias `aws_alb_listener`) and `aws_lb_listener_rule` (alias
//!   `aws_alb_listener_rule`): forward, fixed-response and redirect actions (`actions.rs`);
//!   rules match path_pattern, host_header, http_request_method, source_ip, http_header
//!   and query_string conditions.
//! - `aws_lb_target_group_attachment` (alias `aws_alb_target_group_attachment`): one target
//!   registered with a group (no import, as in Terraform).
//!
//! Names not configured are generated as Terraform does (`tf-lb-...`, `tf-...`, or
//! `name_prefix` followed by a 26-digit unique suffix; `naming.rs`).
//!
//! Refresh is batched (`common::read_batched`): load balancers, target groups, listeners and
//! rules are read 20 ARNs per Describe call, their tags 20 ARNs per DescribeTags call. ELBv2
//! fails a whole call when one ARN in it is gone (LoadBalancerNotFound, TargetGroupNotFound,
//! ListenerNotFound, RuleNotFound): only then are that call's ARNs read one by one, and the
//! gone ones become None (dropped from state, planned for creation again). Attributes have no
//! batched call: one DescribeLoadBalancerAttributes / DescribeTargetGroupAttributes per
//! object. Attachments cost one DescribeTargetHealth per target group, for all its attached
//! targets.

mod actions;
mod common;
mod listener;
mod listener_rule;
mod load_balancer;
mod naming;
mod target_group;
mod target_group_attachment;

use std::sync::Arc;
use terrane_aws_core::{Aws, Service};
use terrane_sdk::{Catalog, Schema};

pub use common::Elbv2;

/// The service: registered with the aws provider by the binary.
pub struct Elbv2Service;

impl Service for Elbv2Service {
    fn resource_schemas(&self) -> Vec<(&'static str, Schema)> {
        vec![
            ("aws_lb", load_balancer::schema()),
            ("aws_alb", load_balancer::schema()),
            ("aws_lb_target_group", target_group::schema()),
            ("aws_alb_target_group", target_group::schema()),
            ("aws_lb_listener", listener::schema()),
            ("aws_alb_listener", listener::schema()),
            ("aws_lb_listener_rule", listener_rule::schema()),
            ("aws_alb_listener_rule", listener_rule::schema()),
            (
                "aws_lb_target_group_attachment",
                target_group_attachment::schema(),
            ),
            (
                "aws_alb_target_group_attachment",
                target_group_attachment::schema(),
            ),
        ]
    }

    fn data_source_schemas(&self) -> Vec<(&'static str, Schema)> {
        vec![]
    }

    fn configure(&self, aws: &Arc<Aws>) -> Catalog {
        let elb = Arc::new(Elbv2::new(aws.clone()));
        Catalog::default()
            .resource("aws_lb", load_balancer::LoadBalancer::new(elb.clone()))
            .resource("aws_alb", load_balancer::LoadBalancer::new(elb.clone()))
            .resource(
                "aws_lb_target_group",
                target_group::TargetGroup::new(elb.clone()),
            )
            .resource(
                "aws_alb_target_group",
                target_group::TargetGroup::new(elb.clone()),
            )
            .resource("aws_lb_listener", listener::Listener::new(elb.clone()))
            .resource("aws_alb_listener", listener::Listener::new(elb.clone()))
            .resource(
                "aws_lb_listener_rule",
                listener_rule::ListenerRule::new(elb.clone()),
            )
            .resource(
                "aws_alb_listener_rule",
                listener_rule::ListenerRule::new(elb.clone()),
            )
            .resource(
                "aws_lb_target_group_attachment",
                target_group_attachment::TargetGroupAttachment::new(elb.clone()),
            )
            .resource(
                "aws_alb_target_group_attachment",
                target_group_attachment::TargetGroupAttachment::new(elb),
            )
    }
}
