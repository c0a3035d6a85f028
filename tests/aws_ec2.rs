//! End-to-end tests of the EC2 resources: the real binary against the AWS emulator (moto),
//! checked with the emulator's own Describe calls.

mod support;

use support::{Emulator, dir_with, state};

#[test]
fn a_vpc_is_created_updated_in_place_and_destroyed() {
    let aws = Emulator::start();
    let tf = |name: &str| {
        format!(
            r#"
provider "aws" {{
  region = "us-east-1"
}}

resource "aws_vpc" "main" {{
  cidr_block           = "10.0.0.0/16"
  enable_dns_hostnames = true
  tags = {{
    Name = "{name}"
  }}
}}
"#
        )
    };
    let tmp = dir_with(&[("main.tf", &tf("course"))]);
    let out = aws.ok(tmp.path(), &["apply", "-auto-approve"]);
    assert!(out.contains("Apply complete! Resources: 1 added"), "{out}");
    let s = state(tmp.path());
    let attrs = &s["resources"][0]["instances"][0]["attributes"];
    let id = attrs["id"].as_str().unwrap().to_owned();
    assert!(id.starts_with("vpc-"), "{attrs}");
    assert_eq!(attrs["enable_dns_hostnames"], true);
    assert_eq!(attrs["tags_all"]["Name"], "course");
    assert!(
        attrs["main_route_table_id"]
            .as_str()
            .unwrap()
            .starts_with("rtb-")
    );
    let seen = aws.python(&format!(
        "v = boto3.client('ec2').describe_vpcs(VpcIds=['{id}'])['Vpcs'][0]\nprint(v['CidrBlock'], {{t['Key']: t['Value'] for t in v['Tags']}}['Name'])"
    ));
    assert_eq!(seen.trim(), "10.0.0.0/16 course");

    assert!(aws.ok(tmp.path(), &["plan"]).contains("No changes."));

    std::fs::write(tmp.path().join("main.tf"), tf("renamed")).unwrap();
    let plan = aws.ok(tmp.path(), &["plan"]);
    assert!(plan.contains("~ update in-place"), "{plan}");
    aws.ok(tmp.path(), &["apply", "-auto-approve"]);
    let seen = aws.python(&format!(
        "v = boto3.client('ec2').describe_vpcs(VpcIds=['{id}'])['Vpcs'][0]\nprint({{t['Key']: t['Value'] for t in v['Tags']}}['Name'])"
    ));
    assert_eq!(seen.trim(), "renamed");

    aws.ok(tmp.path(), &["destroy", "-auto-approve"]);
    let left = aws.python(&format!(
        "print(len(boto3.client('ec2').describe_vpcs(Filters=[{{'Name': 'vpc-id', 'Values': ['{id}']}}])['Vpcs']))"
    ));
    assert_eq!(left.trim(), "0");
}
