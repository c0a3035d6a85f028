//! End-to-end tests of security groups, their standalone rules and launch templates: the
//! real binary against the AWS emulator (moto), checked with the emulator's own Describe
//! calls and call counters.

mod support;

use support::{Emulator, dir_with, state};

const PROVIDER: &str = r#"
provider "aws" {
  region = "us-east-1"
}
"#;

/// The attributes of the first instance of the resource at `addr` ("aws_vpc.main").
fn attrs(dir: &std::path::Path, addr: &str) -> serde_json::Value {
    let s = state(dir);
    let (ty, name) = addr.split_once('.').unwrap();
    s["resources"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["type"] == ty && r["name"] == name)
        .unwrap_or_else(|| panic!("{addr} not in the state: {s}"))["instances"][0]["attributes"]
        .clone()
}

fn calls_of(aws: &Emulator, operation: &str) -> u64 {
    aws.calls("ec2")[operation].as_u64().unwrap_or(0)
}

#[test]
fn a_security_group_with_inline_rules_is_updated_in_place_and_destroyed() {
    let aws = Emulator::start();
    let tf = |port: u32| {
        format!(
            r#"{PROVIDER}
resource "aws_vpc" "main" {{
  cidr_block = "10.0.0.0/16"
}}

resource "aws_security_group" "web" {{
  name        = "web"
  description = "web servers"
  vpc_id      = aws_vpc.main.id

  ingress {{
    description = "ssh from the office"
    from_port   = 22
    to_port     = 22
    protocol    = "tcp"
    cidr_blocks = ["10.0.0.0/8"]
  }}

  ingress {{
    from_port   = {port}
    to_port     = {port}
    protocol    = "6"
    cidr_blocks = ["0.0.0.0/0"]
  }}

  egress {{
    from_port   = 0
    to_port     = 0
    protocol    = "-1"
    cidr_blocks = ["0.0.0.0/0"]
  }}

  tags = {{
    Name = "web"
  }}
}}
"#
        )
    };
    let tmp = dir_with(&[("main.tf", &tf(80))]);
    let out = aws.ok(tmp.path(), &["apply", "-auto-approve"]);
    assert!(out.contains("Apply complete! Resources: 2 added"), "{out}");
    let a = attrs(tmp.path(), "aws_security_group.web");
    let id = a["id"].as_str().unwrap().to_owned();
    assert!(id.starts_with("sg-"), "{a}");
    assert_eq!(a["ingress"].as_array().unwrap().len(), 2, "{a}");
    assert_eq!(a["egress"].as_array().unwrap().len(), 1, "{a}");
    assert_eq!(a["name_prefix"], "");
    assert_eq!(a["revoke_rules_on_delete"], false);
    assert!(
        a["arn"]
            .as_str()
            .unwrap()
            .ends_with(&format!(":security-group/{id}")),
        "{a}"
    );
    // Protocol "6" is recorded as Terraform records it.
    assert!(
        a["ingress"]
            .as_array()
            .unwrap()
            .iter()
            .all(|r| r["protocol"] == "tcp"),
        "{a}"
    );

    let plan = aws.ok(tmp.path(), &["plan"]);
    assert!(plan.contains("No changes."), "{plan}");
    assert!(!plan.contains("has changed"), "no drift: {plan}");

    std::fs::write(tmp.path().join("main.tf"), tf(8080)).unwrap();
    let plan = aws.ok(tmp.path(), &["plan"]);
    assert!(
        plan.contains("aws_security_group.web will be updated in-place"),
        "{plan}"
    );
    assert!(plan.contains("~ update in-place"), "{plan}");
    assert!(
        plan.contains("Plan: 0 to add, 1 to change, 0 to destroy."),
        "{plan}"
    );
    aws.reset_calls();
    let out = aws.ok(tmp.path(), &["apply", "-auto-approve"]);
    assert!(
        out.contains("Apply complete! Resources: 0 added, 1 changed"),
        "{out}"
    );
    // Only the changed rule went: one revoke, one authorize, no egress calls.
    assert_eq!(calls_of(&aws, "RevokeSecurityGroupIngress"), 1);
    assert_eq!(calls_of(&aws, "AuthorizeSecurityGroupIngress"), 1);
    assert_eq!(calls_of(&aws, "RevokeSecurityGroupEgress"), 0);
    assert_eq!(
        attrs(tmp.path(), "aws_security_group.web")["id"],
        id.as_str(),
        "updated in place, same group"
    );
    let seen = aws.python(&format!(
        r#"g = boto3.client('ec2').describe_security_groups(GroupIds=['{id}'])['SecurityGroups'][0]
ing = sorted((p['IpProtocol'], p.get('FromPort'), p.get('ToPort'), sorted(r['CidrIp'] for r in p['IpRanges'])) for p in g['IpPermissions'])
eg = sorted((p['IpProtocol'], sorted(r['CidrIp'] for r in p['IpRanges'])) for p in g['IpPermissionsEgress'])
desc = [r.get('Description') for p in g['IpPermissions'] for r in p['IpRanges'] if r['CidrIp'] == '10.0.0.0/8']
print(json.dumps([ing, eg, desc, g['GroupName'], g['Description']]))"#
    ));
    let seen: serde_json::Value = serde_json::from_str(seen.trim()).unwrap();
    assert_eq!(
        seen,
        serde_json::json!([
            [
                ["tcp", 22, 22, ["10.0.0.0/8"]],
                ["tcp", 8080, 8080, ["0.0.0.0/0"]]
            ],
            [["-1", ["0.0.0.0/0"]]],
            ["ssh from the office"],
            "web",
            "web servers"
        ])
    );
    let plan = aws.ok(tmp.path(), &["plan"]);
    assert!(plan.contains("No changes."), "{plan}");

    aws.ok(tmp.path(), &["destroy", "-auto-approve"]);
    let left = aws.python(&format!(
        "print(len(boto3.client('ec2').describe_security_groups(Filters=[{{'Name': 'group-id', 'Values': ['{id}']}}])['SecurityGroups']))"
    ));
    assert_eq!(left.trim(), "0");
}

#[test]
fn a_group_without_egress_blocks_loses_the_default_allow_all_rule() {
    let aws = Emulator::start();
    let tmp = dir_with(&[(
        "main.tf",
        &format!(
            r#"{PROVIDER}
resource "aws_security_group" "closed" {{
  name_prefix = "closed-"
}}
"#
        ),
    )]);
    aws.ok(tmp.path(), &["apply", "-auto-approve"]);
    let a = attrs(tmp.path(), "aws_security_group.closed");
    let id = a["id"].as_str().unwrap().to_owned();
    let name = a["name"].as_str().unwrap();
    assert!(
        name.starts_with("closed-") && name.len() == "closed-".len() + 26,
        "{a}"
    );
    assert_eq!(a["name_prefix"], "closed-");
    assert_eq!(a["description"], "Managed by Terraform");
    assert!(
        a["vpc_id"].as_str().unwrap().starts_with("vpc-"),
        "default VPC: {a}"
    );
    assert_eq!(a["egress"], serde_json::json!([]));
    let egress = aws.python(&format!(
        "print(len(boto3.client('ec2').describe_security_groups(GroupIds=['{id}'])['SecurityGroups'][0]['IpPermissionsEgress']))"
    ));
    assert_eq!(egress.trim(), "0");
    let plan = aws.ok(tmp.path(), &["plan"]);
    assert!(plan.contains("No changes."), "{plan}");
    aws.ok(tmp.path(), &["destroy", "-auto-approve"]);
}

#[test]
fn standalone_ingress_and_egress_rules_are_created_changed_and_revoked() {
    let aws = Emulator::start();
    let tf = |description: &str| {
        format!(
            r#"{PROVIDER}
resource "aws_vpc" "main" {{
  cidr_block = "10.1.0.0/16"
}}

resource "aws_security_group" "app" {{
  name   = "app"
  vpc_id = aws_vpc.main.id
}}

resource "aws_vpc_security_group_ingress_rule" "https" {{
  security_group_id = aws_security_group.app.id
  description       = "{description}"
  cidr_ipv4         = "10.0.0.0/8"
  from_port         = 443
  ip_protocol       = "tcp"
  to_port           = 443
  tags = {{
    Name = "https"
  }}
}}

resource "aws_vpc_security_group_egress_rule" "all" {{
  security_group_id = aws_security_group.app.id
  cidr_ipv4         = "0.0.0.0/0"
  ip_protocol       = "-1"
}}
"#
        )
    };
    let tmp = dir_with(&[("main.tf", &tf("https inside"))]);
    let out = aws.ok(tmp.path(), &["apply", "-auto-approve"]);
    assert!(out.contains("Apply complete! Resources: 4 added"), "{out}");
    let group = attrs(tmp.path(), "aws_security_group.app")["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let ingress = attrs(tmp.path(), "aws_vpc_security_group_ingress_rule.https");
    let ingress_id = ingress["id"].as_str().unwrap().to_owned();
    assert!(ingress_id.starts_with("sgr-"), "{ingress}");
    assert_eq!(ingress["security_group_rule_id"], ingress_id.as_str());
    assert!(
        ingress["arn"]
            .as_str()
            .unwrap()
            .ends_with(&format!(":security-group-rule/{ingress_id}")),
        "{ingress}"
    );
    let egress = attrs(tmp.path(), "aws_vpc_security_group_egress_rule.all");
    assert_eq!(egress["from_port"], serde_json::Value::Null, "{egress}");
    let egress_id = egress["id"].as_str().unwrap().to_owned();

    let rules = aws.python(&format!(
        r#"rs = boto3.client('ec2').describe_security_group_rules(Filters=[{{'Name': 'group-id', 'Values': ['{group}']}}])['SecurityGroupRules']
print(json.dumps(sorted([r['SecurityGroupRuleId'], r['IsEgress'], r['IpProtocol'], r.get('CidrIpv4'), r.get('Description'), {{t['Key']: t['Value'] for t in r.get('Tags', [])}}] for r in rs)))"#
    ));
    let rules: serde_json::Value = serde_json::from_str(rules.trim()).unwrap();
    let mut expected = vec![
        serde_json::json!([ingress_id, false, "tcp", "10.0.0.0/8", "https inside", {"Name": "https"}]),
        serde_json::json!([egress_id, true, "-1", "0.0.0.0/0", null, {}]),
    ];
    expected.sort_by_key(|v| v.to_string());
    assert_eq!(rules, serde_json::Value::Array(expected));

    let plan = aws.ok(tmp.path(), &["plan"]);
    assert!(plan.contains("No changes."), "{plan}");
    // The group sees the rules (its own rule blocks are not configured, so it keeps them);
    // the rule resources themselves read back exactly as applied.
    assert!(!plan.contains("ingress_rule.https has changed"), "{plan}");
    assert!(!plan.contains("egress_rule.all has changed"), "{plan}");

    // A new description is changed in place (ModifySecurityGroupRules), same rule id.
    std::fs::write(tmp.path().join("main.tf"), tf("https from the VPN")).unwrap();
    let plan = aws.ok(tmp.path(), &["plan"]);
    assert!(plan.contains("~ update in-place"), "{plan}");
    assert!(
        plan.contains("Plan: 0 to add, 1 to change, 0 to destroy."),
        "{plan}"
    );
    aws.reset_calls();
    aws.ok(tmp.path(), &["apply", "-auto-approve"]);
    assert_eq!(calls_of(&aws, "ModifySecurityGroupRules"), 1);
    let described = aws.python(&format!(
        "print(boto3.client('ec2').describe_security_group_rules(SecurityGroupRuleIds=['{ingress_id}'])['SecurityGroupRules'][0]['Description'])"
    ));
    assert_eq!(described.trim(), "https from the VPN");
    let plan = aws.ok(tmp.path(), &["plan"]);
    assert!(plan.contains("No changes."), "{plan}");

    aws.reset_calls();
    aws.ok(tmp.path(), &["destroy", "-auto-approve"]);
    assert_eq!(calls_of(&aws, "RevokeSecurityGroupIngress"), 1);
    assert_eq!(calls_of(&aws, "RevokeSecurityGroupEgress"), 1);
    let left = aws.python(&format!(
        "print(len(boto3.client('ec2').describe_security_groups(Filters=[{{'Name': 'group-id', 'Values': ['{group}']}}])['SecurityGroups']))"
    ));
    assert_eq!(left.trim(), "0");
}

#[test]
fn a_launch_template_change_is_a_new_default_version() {
    let aws = Emulator::start();
    let tf = |instance_type: &str| {
        format!(
            r##"{PROVIDER}
resource "aws_launch_template" "app" {{
  name                   = "app"
  image_id               = "ami-12345678"
  instance_type          = "{instance_type}"
  update_default_version = true
  user_data              = base64encode("#!/bin/sh\necho hello\n")

  block_device_mappings {{
    device_name = "/dev/xvda"
    ebs {{
      volume_size           = 20
      volume_type           = "gp3"
      delete_on_termination = true
    }}
  }}

  monitoring {{
    enabled = true
  }}

  metadata_options {{
    http_endpoint               = "enabled"
    http_tokens                 = "required"
    http_put_response_hop_limit = 2
  }}

  tag_specifications {{
    resource_type = "instance"
    tags = {{
      Role = "app"
    }}
  }}

  tags = {{
    Name = "app"
  }}
}}
"##
        )
    };
    let tmp = dir_with(&[("main.tf", &tf("t3.micro"))]);
    let out = aws.ok(tmp.path(), &["apply", "-auto-approve"]);
    assert!(out.contains("Apply complete! Resources: 1 added"), "{out}");
    let a = attrs(tmp.path(), "aws_launch_template.app");
    let id = a["id"].as_str().unwrap().to_owned();
    assert!(id.starts_with("lt-"), "{a}");
    assert_eq!(a["latest_version"], 1);
    assert_eq!(a["default_version"], 1);
    assert_eq!(a["user_data"], "IyEvYmluL3NoCmVjaG8gaGVsbG8K");
    assert_eq!(a["tags_all"]["Name"], "app");
    assert_eq!(a["metadata_options"][0]["http_tokens"], "required");
    assert_eq!(a["block_device_mappings"][0]["ebs"][0]["volume_size"], 20);
    assert_eq!(
        a["block_device_mappings"][0]["ebs"][0]["delete_on_termination"],
        "true"
    );

    let plan = aws.ok(tmp.path(), &["plan"]);
    assert!(plan.contains("No changes."), "{plan}");

    std::fs::write(tmp.path().join("main.tf"), tf("t3.small")).unwrap();
    let plan = aws.ok(tmp.path(), &["plan"]);
    assert!(plan.contains("~ update in-place"), "{plan}");
    assert!(
        plan.lines()
            .any(|l| l.contains("latest_version") && l.contains("(known after apply)")),
        "{plan}"
    );
    assert!(
        plan.lines()
            .any(|l| l.contains("default_version") && l.contains("(known after apply)")),
        "{plan}"
    );
    assert!(
        plan.contains("Plan: 0 to add, 1 to change, 0 to destroy."),
        "{plan}"
    );
    aws.ok(tmp.path(), &["apply", "-auto-approve"]);
    let a = attrs(tmp.path(), "aws_launch_template.app");
    assert_eq!(a["id"], id.as_str(), "a new version, not a new template");
    assert_eq!(a["latest_version"], 2);
    assert_eq!(a["default_version"], 2);
    assert_eq!(a["instance_type"], "t3.small");
    let seen = aws.python(&format!(
        r#"c = boto3.client('ec2')
t = c.describe_launch_templates(LaunchTemplateIds=['{id}'])['LaunchTemplates'][0]
v = c.describe_launch_template_versions(LaunchTemplateId='{id}', Versions=['2'])['LaunchTemplateVersions'][0]['LaunchTemplateData']
print(json.dumps([t['LatestVersionNumber'], t['DefaultVersionNumber'], v['InstanceType'], v['ImageId']]))"#
    ));
    let seen: serde_json::Value = serde_json::from_str(seen.trim()).unwrap();
    assert_eq!(seen, serde_json::json!([2, 2, "t3.small", "ami-12345678"]));

    // Refresh reads the template, not its unchanged version data.
    aws.reset_calls();
    let plan = aws.ok(tmp.path(), &["plan"]);
    assert!(plan.contains("No changes."), "{plan}");
    assert_eq!(calls_of(&aws, "DescribeLaunchTemplates"), 1);
    assert_eq!(calls_of(&aws, "DescribeLaunchTemplateVersions"), 0);

    // A version made outside terrane is read (one more call) and planned away as a new one.
    aws.python(&format!(
        "boto3.client('ec2').create_launch_template_version(LaunchTemplateId='{id}', LaunchTemplateData={{'ImageId': 'ami-12345678', 'InstanceType': 't3.large'}})"
    ));
    aws.reset_calls();
    let plan = aws.ok(tmp.path(), &["plan"]);
    assert_eq!(calls_of(&aws, "DescribeLaunchTemplates"), 1);
    assert_eq!(calls_of(&aws, "DescribeLaunchTemplateVersions"), 1);
    assert!(
        plan.contains("aws_launch_template.app has changed"),
        "{plan}"
    );
    assert!(
        plan.lines()
            .any(|l| l.contains("instance_type") && l.contains("\"t3.large\" -> \"t3.small\"")),
        "{plan}"
    );
    aws.ok(tmp.path(), &["apply", "-auto-approve"]);
    let a = attrs(tmp.path(), "aws_launch_template.app");
    assert_eq!(
        (a["latest_version"].clone(), a["default_version"].clone()),
        (4.into(), 4.into())
    );

    aws.ok(tmp.path(), &["destroy", "-auto-approve"]);
    let left = aws.python(
        "print(len(boto3.client('ec2').describe_launch_templates(Filters=[{'Name': 'launch-template-name', 'Values': ['app']}])['LaunchTemplates']))",
    );
    assert_eq!(left.trim(), "0");
}

#[test]
fn refreshing_twenty_security_groups_is_one_describe_call() {
    let aws = Emulator::start();
    let tmp = dir_with(&[(
        "main.tf",
        &format!(
            r#"{PROVIDER}
resource "aws_security_group" "many" {{
  count = 20
  name  = "many-${{count.index}}"

  ingress {{
    from_port   = 443
    to_port     = 443
    protocol    = "tcp"
    cidr_blocks = ["10.${{count.index}}.0.0/16"]
  }}
}}
"#
        ),
    )]);
    let out = aws.ok(tmp.path(), &["apply", "-auto-approve"]);
    assert!(out.contains("Apply complete! Resources: 20 added"), "{out}");
    aws.reset_calls();
    let plan = aws.ok(tmp.path(), &["plan"]);
    assert!(plan.contains("No changes."), "{plan}");
    let describes = calls_of(&aws, "DescribeSecurityGroups");
    assert!(
        (1..=2).contains(&describes),
        "DescribeSecurityGroups called {describes} times: {}",
        aws.calls("ec2")
    );
    aws.ok(tmp.path(), &["destroy", "-auto-approve"]);
}

#[test]
fn an_existing_group_is_imported_and_revokes_its_rules_on_delete() {
    let aws = Emulator::start();
    let id = aws.python(
        r#"c = boto3.client('ec2')
g = c.create_security_group(GroupName='legacy', Description='made by hand')['GroupId']
c.authorize_security_group_ingress(GroupId=g, IpPermissions=[{'IpProtocol': 'tcp', 'FromPort': 22, 'ToPort': 22, 'IpRanges': [{'CidrIp': '10.0.0.0/8'}, {'CidrIp': '192.168.0.0/16'}]}])
print(g)"#,
    );
    let id = id.trim().to_owned();
    let tf = |revoke: bool| {
        format!(
            r#"{PROVIDER}
import {{
  to = aws_security_group.legacy
  id = "{id}"
}}

resource "aws_security_group" "legacy" {{
  name                   = "legacy"
  description            = "made by hand"
  revoke_rules_on_delete = {revoke}

  ingress {{
    from_port   = 22
    to_port     = 22
    protocol    = "tcp"
    cidr_blocks = ["192.168.0.0/16", "10.0.0.0/8"]
  }}

  egress {{
    from_port   = 0
    to_port     = 0
    protocol    = "all"
    cidr_blocks = ["0.0.0.0/0"]
  }}
}}
"#
        )
    };
    let tmp = dir_with(&[("main.tf", &tf(false))]);
    let plan = aws.ok(tmp.path(), &["plan"]);
    assert!(
        plan.contains("1 to import, 0 to add, 0 to change, 0 to destroy"),
        "{plan}"
    );
    aws.ok(tmp.path(), &["apply", "-auto-approve"]);
    let a = attrs(tmp.path(), "aws_security_group.legacy");
    assert_eq!(a["id"], id.as_str());
    let plan = aws.ok(tmp.path(), &["plan"]);
    assert!(plan.contains("No changes."), "{plan}");

    std::fs::write(tmp.path().join("main.tf"), tf(true)).unwrap();
    aws.ok(tmp.path(), &["apply", "-auto-approve"]);
    assert_eq!(
        attrs(tmp.path(), "aws_security_group.legacy")["revoke_rules_on_delete"],
        true
    );
    aws.reset_calls();
    aws.ok(tmp.path(), &["destroy", "-auto-approve"]);
    assert_eq!(calls_of(&aws, "DescribeSecurityGroupRules"), 1);
    // Three rules: two CIDRs of the ingress rule, one egress.
    assert_eq!(calls_of(&aws, "RevokeSecurityGroupIngress"), 2);
    assert_eq!(calls_of(&aws, "RevokeSecurityGroupEgress"), 1);
    assert_eq!(calls_of(&aws, "DeleteSecurityGroup"), 1);
}
