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

/// A VPC, a subnet, a security group and `count` instances in them; `ami` and
/// `instance_type` as given.
fn instances_tf(count: usize, ami: &str, instance_type: &str) -> String {
    format!(
        r##"
provider "aws" {{
  region = "us-east-1"
}}

resource "aws_vpc" "main" {{
  cidr_block = "10.0.0.0/16"
}}

resource "aws_subnet" "web" {{
  vpc_id     = aws_vpc.main.id
  cidr_block = "10.0.1.0/24"
}}

resource "aws_security_group" "web" {{
  name   = "web"
  vpc_id = aws_vpc.main.id

  ingress {{
    from_port   = 80
    to_port     = 80
    protocol    = "tcp"
    cidr_blocks = ["0.0.0.0/0"]
  }}
}}

resource "aws_instance" "web" {{
  count                  = {count}
  ami                    = "{ami}"
  instance_type          = "{instance_type}"
  subnet_id              = aws_subnet.web.id
  vpc_security_group_ids = [aws_security_group.web.id]
  user_data              = "#!/bin/bash\necho hello > /tmp/hello"
  tags = {{
    Name = "web-${{count.index}}"
  }}
}}
"##
    )
}

fn instance_ids(dir: &std::path::Path) -> Vec<String> {
    let s = state(dir);
    s["resources"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|r| r["type"] == "aws_instance")
        .flat_map(|r| r["instances"].as_array().cloned().unwrap_or_default())
        .map(|i| {
            i["attributes"]["id"]
                .as_str()
                .unwrap_or_default()
                .to_owned()
        })
        .collect()
}

const AMI: &str = "ami-12c6146b";
const OTHER_AMI: &str = "ami-1e749f67";

#[test]
fn instances_update_in_place_replace_on_a_new_ami_come_back_when_terminated_and_are_destroyed() {
    let aws = Emulator::start();
    let tmp = dir_with(&[("main.tf", &instances_tf(3, AMI, "t3.micro"))]);
    aws.ok(tmp.path(), &["apply", "-auto-approve"]);
    let ids = instance_ids(tmp.path());
    assert_eq!(ids.len(), 3);
    let s = state(tmp.path());
    let web = s["resources"]
        .as_array()
        .and_then(|r| r.iter().find(|r| r["type"] == "aws_instance"))
        .expect("the instances in the state");
    let attrs = &web["instances"][0]["attributes"];
    // Terraform keeps the SHA-1 of the user data, not the text.
    let hash = attrs["user_data"].as_str().unwrap_or_default();
    assert_eq!(hash.len(), 40, "{attrs}");
    assert!(hash.bytes().all(|b| b.is_ascii_hexdigit()), "{attrs}");
    assert!(aws.ok(tmp.path(), &["plan"]).contains("No changes."));

    // A new instance type: updated in place, same instances.
    std::fs::write(tmp.path().join("main.tf"), instances_tf(3, AMI, "t3.small")).unwrap();
    let plan = aws.ok(tmp.path(), &["plan"]);
    assert!(
        plan.contains("Plan: 0 to add, 3 to change, 0 to destroy."),
        "{plan}"
    );
    aws.ok(tmp.path(), &["apply", "-auto-approve"]);
    assert_eq!(instance_ids(tmp.path()), ids);
    let types = aws.python(&format!(
        "r = boto3.client('ec2').describe_instances(InstanceIds={ids:?})\nprint(sorted(i['InstanceType'] for x in r['Reservations'] for i in x['Instances']))"
    ));
    assert_eq!(types.trim(), "['t3.small', 't3.small', 't3.small']");

    // A new AMI: replaced.
    std::fs::write(
        tmp.path().join("main.tf"),
        instances_tf(3, OTHER_AMI, "t3.small"),
    )
    .unwrap();
    let plan = aws.ok(tmp.path(), &["plan"]);
    assert!(
        plan.contains("-/+ resource \"aws_instance\" \"web\""),
        "{plan}"
    );
    assert!(plan.contains("# forces replacement"), "{plan}");
    assert!(
        plan.contains("Plan: 3 to add, 0 to change, 3 to destroy."),
        "{plan}"
    );
    aws.ok(tmp.path(), &["apply", "-auto-approve"]);
    let new_ids = instance_ids(tmp.path());
    assert!(
        new_ids.iter().all(|i| !ids.contains(i)),
        "{new_ids:?} {ids:?}"
    );

    // Terminated behind terrane's back: planned again.
    aws.python(&format!(
        "boto3.client('ec2').terminate_instances(InstanceIds=['{}'])",
        new_ids[1]
    ));
    let plan = aws.ok(tmp.path(), &["plan"]);
    assert!(
        plan.contains("Plan: 1 to add, 0 to change, 0 to destroy."),
        "{plan}"
    );
    assert!(
        plan.contains("aws_instance.web[1] will be created"),
        "{plan}"
    );
    aws.ok(tmp.path(), &["apply", "-auto-approve"]);
    assert!(aws.ok(tmp.path(), &["plan"]).contains("No changes."));

    aws.ok(tmp.path(), &["destroy", "-auto-approve"]);
    let left = aws.python(
        "ec2 = boto3.client('ec2')\nr = ec2.describe_instances()\nrunning = sum(1 for x in r['Reservations'] for i in x['Instances'] if i['State']['Name'] != 'terminated')\nvpcs = [v for v in ec2.describe_vpcs()['Vpcs'] if not v['IsDefault']]\ngroups = [g for g in ec2.describe_security_groups(Filters=[{'Name': 'group-name', 'Values': ['web']}])['SecurityGroups']]\nprint(running, len(vpcs), len(groups))",
    );
    assert_eq!(left.trim(), "0 0 0");
}

#[test]
fn an_invalid_ami_fails_with_awss_code_pointing_at_the_argument_with_a_hint() {
    let aws = Emulator::start_with(&[("MOTO_ENABLE_AMI_VALIDATION", "true")]);
    let tmp = dir_with(&[("main.tf", &instances_tf(1, "None", "t3.micro"))]);
    let o = aws.run(tmp.path(), &["apply", "-auto-approve"]);
    let out = support::text(&o);
    assert_eq!(o.status.code(), Some(1), "{out}");
    assert!(out.contains("InvalidAMIID.Malformed"), "{out}");
    assert!(
        out.contains("main.tf:29:"),
        "points at the ami argument: {out}"
    );
    assert!(out.contains("data \"aws_ami\""), "{out}");
    assert!(instance_ids(tmp.path()).is_empty());
}

#[test]
fn an_existing_instance_is_imported_and_then_managed() {
    let aws = Emulator::start();
    let id = aws.python(&format!(
        "r = boto3.client('ec2').run_instances(ImageId='{AMI}', InstanceType='t3.micro', MinCount=1, MaxCount=1)\nprint(r['Instances'][0]['InstanceId'])"
    ));
    let id = id.trim();
    let tf = format!(
        r#"
import {{
  to = aws_instance.legacy
  id = "{id}"
}}

resource "aws_instance" "legacy" {{
  ami           = "{AMI}"
  instance_type = "t3.micro"
}}
"#
    );
    let tmp = dir_with(&[("main.tf", &tf)]);
    let plan = aws.ok(tmp.path(), &["plan"]);
    assert!(plan.contains("will be imported"), "{plan}");
    assert!(plan.contains("1 to import"), "{plan}");
    aws.ok(tmp.path(), &["apply", "-auto-approve"]);
    assert_eq!(instance_ids(tmp.path()), [id.to_owned()]);
    assert!(aws.ok(tmp.path(), &["plan"]).contains("No changes."));
}

#[test]
fn refreshing_a_thousand_instances_takes_a_handful_of_calls() {
    let aws = Emulator::start();
    let ids: Vec<String> = aws
        .python(&format!(
            "ec2 = boto3.client('ec2')\nids = []\nfor _ in range(10):\n    r = ec2.run_instances(ImageId='{AMI}', InstanceType='t3.micro', MinCount=100, MaxCount=100)\n    ids += [i['InstanceId'] for i in r['Instances']]\nprint(' '.join(ids))"
        ))
        .split_whitespace()
        .map(str::to_owned)
        .collect();
    assert_eq!(ids.len(), 1000);
    // The state as an earlier apply would have left it; import-free.
    let instances: Vec<serde_json::Value> = ids
        .iter()
        .enumerate()
        .map(|(n, id)| {
            serde_json::json!({
                "index_key": n,
                "schema_version": 1,
                "attributes": { "id": id, "ami": AMI, "instance_type": "t3.micro" },
                "sensitive_attributes": []
            })
        })
        .collect();
    let state = serde_json::json!({
        "version": 4, "terraform_version": "1.9.0", "serial": 1,
        "lineage": "00000000-0000-0000-0000-000000000001", "outputs": {},
        "resources": [{
            "mode": "managed", "type": "aws_instance", "name": "web",
            "provider": "provider[\"registry.terraform.io/hashicorp/aws\"]",
            "instances": instances
        }]
    });
    let tf = format!(
        "resource \"aws_instance\" \"web\" {{\n  count = 1000\n  ami = \"{AMI}\"\n  instance_type = \"t3.micro\"\n}}\n"
    );
    let tmp = dir_with(&[("main.tf", &tf), ("terraform.tfstate", &state.to_string())]);
    aws.reset_calls();
    let started = std::time::Instant::now();
    let out = aws.ok(tmp.path(), &["plan", "-refresh-only"]);
    let elapsed = started.elapsed();
    let calls = aws.calls("ec2");
    let total = aws.call_total("ec2");
    assert!(total <= 15, "{total} EC2 calls: {calls}\n{out}");
    assert!(
        calls["DescribeInstances"].as_u64().unwrap_or(0) >= 5,
        "{calls}"
    );
    eprintln!("refresh of 1000 instances: {total} EC2 calls, {elapsed:?}");
}

#[test]
fn an_apply_of_fifty_instances_survives_thirty_percent_throttling() {
    let aws = Emulator::start();
    aws.api(
        "POST",
        "/_terrane/faults",
        Some(r#"{"service": "ec2", "throttle_rate": 0.3, "seed": 7}"#),
    );
    let tmp = dir_with(&[("main.tf", &instances_tf(50, AMI, "t3.micro"))]);
    aws.ok(tmp.path(), &["apply", "-auto-approve"]);
    aws.api("DELETE", "/_terrane/faults", None);
    let ids = instance_ids(tmp.path());
    assert_eq!(ids.len(), 50);
    // Exactly the instances in the state exist: no retried launch made a second one.
    let running = aws.python(
        "r = boto3.client('ec2').describe_instances()\nprint(' '.join(sorted(i['InstanceId'] for x in r['Reservations'] for i in x['Instances'] if i['State']['Name'] == 'running')))",
    );
    let mut expected = ids.clone();
    expected.sort();
    assert_eq!(running.trim(), expected.join(" "));
    assert!(aws.ok(tmp.path(), &["plan"]).contains("No changes."));
}

#[test]
fn missing_credentials_are_one_clear_error_naming_where_terrane_looked() {
    let tmp = dir_with(&[(
        "main.tf",
        "provider \"aws\" {\n  region = \"us-east-1\"\n}\n\nresource \"aws_vpc\" \"main\" {\n  cidr_block = \"10.0.0.0/16\"\n}\n",
    )]);
    let o = std::process::Command::new(env!("CARGO_BIN_EXE_terrane"))
        .arg("-C")
        .arg(tmp.path())
        .arg("plan")
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("HOME", tmp.path())
        .env("NO_COLOR", "1")
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .output()
        .expect("run terrane");
    let out = support::text(&o);
    assert_eq!(o.status.code(), Some(1), "{out}");
    assert!(out.contains("No valid credential sources found"), "{out}");
    assert!(out.contains("skip_credentials_validation"), "{out}");
    assert!(!out.contains("DispatchFailure"), "no SDK internals: {out}");
}
