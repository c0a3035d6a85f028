//! Elastic Load Balancing v2 resources of the aws provider: load balancers (`aws_lb`, alias
//! `aws_alb`), target groups, listeners, target group attachments and listener rules, with
//! Terraform's attribute names, defaults and semantics. Refresh is batched: load balancers,
//! target groups and listeners are read 20 ARNs per Describe call with their tags 20 ARNs per
//! DescribeTags call; a gone object is dropped from state, and only when one gone ARN fails a
//! whole call are that call's ARNs read one by one.

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
