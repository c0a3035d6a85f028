//! EC2 resources and data sources of the aws provider (VPCs, subnets, gateways, route
//! tables, security groups, key pairs, instances, launch templates, AMIs, zones), with
//! Terraform's attribute names and semantics. Refresh is batched: reading N objects of a
//! type costs ceil(N / page) Describe calls.

mod ami_data_source;
mod availability_zones_data_source;
mod common;
mod instance;
mod internet_gateway;
mod key_pair;
mod launch_template;
mod route_table;
mod route_table_association;
mod security_group;
mod security_group_data_source;
mod security_group_rule;
mod sg_rules;
mod subnet;
mod subnets_data_source;
mod vpc;
mod vpc_data_source;

use std::sync::Arc;
use terrane_aws_core::{Aws, Service};
use terrane_sdk::{Catalog, Schema};

pub use common::Ec2;

/// The EC2 service: registered with the aws provider by the binary.
pub struct Ec2Service;

impl Service for Ec2Service {
    fn resource_schemas(&self) -> Vec<(&'static str, Schema)> {
        use security_group_rule::Direction;
        vec![
            ("aws_vpc", vpc::schema()),
            ("aws_subnet", subnet::schema()),
            ("aws_internet_gateway", internet_gateway::schema()),
            ("aws_route_table", route_table::schema()),
            (
                "aws_route_table_association",
                route_table_association::schema(),
            ),
            ("aws_key_pair", key_pair::schema()),
            ("aws_instance", instance::schema()),
            ("aws_security_group", security_group::schema()),
            (
                "aws_vpc_security_group_ingress_rule",
                security_group_rule::schema(Direction::Ingress),
            ),
            (
                "aws_vpc_security_group_egress_rule",
                security_group_rule::schema(Direction::Egress),
            ),
            ("aws_launch_template", launch_template::schema()),
        ]
    }

    fn data_source_schemas(&self) -> Vec<(&'static str, Schema)> {
        vec![
            ("aws_vpc", vpc_data_source::schema()),
            ("aws_subnets", subnets_data_source::schema()),
            (
                "aws_availability_zones",
                availability_zones_data_source::schema(),
            ),
            ("aws_security_group", security_group_data_source::schema()),
            ("aws_ami", ami_data_source::schema()),
        ]
    }

    fn configure(&self, aws: &Arc<Aws>) -> Catalog {
        use security_group_rule::{Direction, SecurityGroupRuleResource};
        let ec2 = Arc::new(Ec2::new(aws.clone()));
        Catalog::default()
            .resource("aws_vpc", vpc::Vpc::new(ec2.clone()))
            .resource("aws_subnet", subnet::Subnet::new(ec2.clone()))
            .resource(
                "aws_internet_gateway",
                internet_gateway::InternetGateway::new(ec2.clone()),
            )
            .resource("aws_route_table", route_table::RouteTable::new(ec2.clone()))
            .resource(
                "aws_route_table_association",
                route_table_association::RouteTableAssociation::new(ec2.clone()),
            )
            .resource("aws_key_pair", key_pair::KeyPair::new(ec2.clone()))
            .resource("aws_instance", instance::AwsInstance::new(ec2.clone()))
            .resource(
                "aws_security_group",
                security_group::SecurityGroup::new(ec2.clone()),
            )
            .resource(
                "aws_vpc_security_group_ingress_rule",
                SecurityGroupRuleResource::new(ec2.clone(), Direction::Ingress),
            )
            .resource(
                "aws_vpc_security_group_egress_rule",
                SecurityGroupRuleResource::new(ec2.clone(), Direction::Egress),
            )
            .resource(
                "aws_launch_template",
                launch_template::LaunchTemplateResource::new(ec2.clone()),
            )
            .data_source("aws_vpc", vpc_data_source::VpcData::new(ec2.clone()))
            .data_source(
                "aws_subnets",
                subnets_data_source::SubnetsData::new(ec2.clone()),
            )
            .data_source(
                "aws_availability_zones",
                availability_zones_data_source::AvailabilityZonesData::new(ec2.clone()),
            )
            .data_source(
                "aws_security_group",
                security_group_data_source::SecurityGroupData::new(ec2.clone()),
            )
            .data_source("aws_ami", ami_data_source::AmiData::new(ec2))
    }
}
