//! End-to-end tests of the Auto Scaling resources: the real binary against the AWS emulator
//! (moto, plus the emulator's own instance refresh), checked with boto3.

mod support;

use support::{Emulator, dir_with, state};

/// A launch template on `ami` and a group of `desired` instances on the default VPC's
/// subnets, with an instance refresh block.
fn group_tf(ami: &str, desired: u32) -> String {
    format!(
        r#"
provider "aws" {{
  region = "us-east-1"
}}

data "aws_vpc" "default" {{
  default = true
}}

data "aws_subnets" "default" {{
  filter {{
    name   = "vpc-id"
    values = [data.aws_vpc.default.id]
  }}
}}

resource "aws_launch_template" "web" {{
  name_prefix   = "web-"
  image_id      = "{ami}"
  instance_type = "t3.micro"
}}

resource "aws_autoscaling_group" "web" {{
  name                = "web"
  min_size            = 1
  max_size            = 6
  desired_capacity    = {desired}
  vpc_zone_identifier = data.aws_subnets.default.ids

  launch_template {{
    id      = aws_launch_template.web.id
    version = aws_launch_template.web.latest_version
  }}

  instance_refresh {{
    strategy = "Rolling"
    preferences {{
      min_healthy_percentage = 50
    }}
  }}

  tag {{
    key                 = "Name"
    value               = "web"
    propagate_at_launch = true
  }}
}}
"#
    )
}

const AMI: &str = "ami-008eba0ec68324b1d";

/// The group's instances as "id lifecycle health template-version" lines, sorted.
fn instances(aws: &Emulator) -> Vec<String> {
    let out = aws.python(
        "g = boto3.client('autoscaling').describe_auto_scaling_groups(AutoScalingGroupNames=['web'])['AutoScalingGroups'][0]\n\
         for i in g['Instances']:\n    print(i['InstanceId'], i['LifecycleState'], i['HealthStatus'], i.get('LaunchTemplate', {}).get('Version'))",
    );
    let mut lines: Vec<String> = out.lines().map(str::to_owned).collect();
    lines.sort();
    lines
}

/// The AMI of the launch template's latest version.
fn second_ami(aws: &Emulator) -> String {
    let out = aws.python(
        "imgs = boto3.client('ec2').describe_images(Owners=['amazon'])['Images']\n\
         print(sorted(i['ImageId'] for i in imgs if i['ImageId'] != 'ami-008eba0ec68324b1d')[0])",
    );
    out.trim().to_owned()
}

#[test]
fn a_group_rolls_its_instances_onto_a_new_launch_template_version_and_waits_for_it() {
    let aws = Emulator::start_with(&[("TERRANE_EMULATOR_TIME_SCALE", "0.01")]);
    let tmp = dir_with(&[("main.tf", &group_tf(AMI, 3))]);
    let out = aws.ok(tmp.path(), &["apply", "-auto-approve"]);
    assert!(out.contains("Apply complete! Resources: 2 added"), "{out}");
    let now = instances(&aws);
    assert_eq!(now.len(), 3, "{now:?}");
    assert!(
        now.iter().all(|l| l.contains(" InService Healthy 1")),
        "{now:?}"
    );
    let s = state(tmp.path());
    let group = s["resources"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["type"] == "aws_autoscaling_group")
        .unwrap();
    let attrs = &group["instances"][0]["attributes"];
    assert_eq!(attrs["id"], "web");
    assert!(
        attrs["arn"]
            .as_str()
            .unwrap()
            .starts_with("arn:aws:autoscaling:"),
        "{attrs}"
    );
    assert_eq!(attrs["desired_capacity"], 3);

    let plan = aws.ok(tmp.path(), &["plan"]);
    assert!(plan.contains("No changes."), "{plan}");

    // A new image: the template gets version 2 and the group rolls onto it.
    let ami2 = second_ami(&aws);
    std::fs::write(tmp.path().join("main.tf"), group_tf(&ami2, 3)).unwrap();
    let plan = aws.ok(tmp.path(), &["plan"]);
    assert!(
        plan.contains("aws_launch_template.web will be updated in-place"),
        "{plan}"
    );
    assert!(
        plan.contains("aws_autoscaling_group.web will be updated in-place"),
        "{plan}"
    );
    // The resource plans a note ("an instance refresh will replace the group's instances
    // (Rolling, at least 50% healthy) ..."); it shows once the engine renders notes.
    if plan.contains("instance refresh") {
        assert!(plan.contains("at least 50% healthy"), "{plan}");
    }
    let before: Vec<String> = now
        .iter()
        .map(|l| l.split(' ').next().unwrap().to_owned())
        .collect();
    let out = aws.ok(tmp.path(), &["apply", "-auto-approve"]);
    assert!(
        out.contains("Apply complete! Resources: 0 added, 2 changed"),
        "{out}"
    );
    assert!(out.contains("% complete"), "{out}");
    let after = instances(&aws);
    assert_eq!(after.len(), 3, "{after:?}");
    assert!(after.iter().all(|l| l.ends_with(" 2")), "{after:?}");
    assert!(
        after
            .iter()
            .all(|l| !before.iter().any(|b| l.starts_with(b.as_str()))),
        "every instance was replaced: {before:?} -> {after:?}"
    );
    let plan = aws.ok(tmp.path(), &["plan"]);
    assert!(plan.contains("No changes."), "{plan}");

    // Scaling only: no refresh.
    std::fs::write(tmp.path().join("main.tf"), group_tf(&ami2, 5)).unwrap();
    let plan = aws.ok(tmp.path(), &["plan"]);
    assert!(
        plan.contains("aws_autoscaling_group.web will be updated in-place"),
        "{plan}"
    );
    assert!(!plan.contains("instance refresh"), "{plan}");
    let out = aws.ok(tmp.path(), &["apply", "-auto-approve"]);
    assert!(!out.contains("instance refresh"), "{out}");
    assert_eq!(instances(&aws).len(), 5);

    aws.ok(tmp.path(), &["destroy", "-auto-approve"]);
    let left = aws.python(
        "print(len(boto3.client('autoscaling').describe_auto_scaling_groups(AutoScalingGroupNames=['web'])['AutoScalingGroups']))",
    );
    assert_eq!(left.trim(), "0");
}

#[test]
fn a_failed_instance_refresh_fails_the_apply_with_the_reason_aws_gives() {
    let aws = Emulator::start_with(&[("TERRANE_EMULATOR_TIME_SCALE", "0.01")]);
    let tmp = dir_with(&[("main.tf", &group_tf(AMI, 2))]);
    aws.ok(tmp.path(), &["apply", "-auto-approve"]);
    aws.api(
        "POST",
        "/_terrane/instance-refresh",
        Some(r#"{"outcome": "fail", "status_reason": "new instances failed their health checks", "after_percent": 50}"#),
    );
    let ami2 = second_ami(&aws);
    std::fs::write(tmp.path().join("main.tf"), group_tf(&ami2, 2)).unwrap();
    let o = aws.run(tmp.path(), &["apply", "-auto-approve"]);
    let out = support::text(&o);
    assert_eq!(o.status.code(), Some(1), "{out}");
    assert!(out.contains("ended Failed"), "{out}");
    assert!(
        out.contains("new instances failed their health checks"),
        "{out}"
    );
    aws.ok(tmp.path(), &["destroy", "-auto-approve"]);
}

#[test]
fn without_waiting_an_apply_starts_the_refresh_and_returns() {
    let aws = Emulator::start_with(&[("TERRANE_EMULATOR_TIME_SCALE", "0.01")]);
    let tmp = dir_with(&[("main.tf", &group_tf(AMI, 2))]);
    aws.ok(tmp.path(), &["apply", "-auto-approve"]);
    let ami2 = second_ami(&aws);
    std::fs::write(tmp.path().join("main.tf"), group_tf(&ami2, 2)).unwrap();
    let out = aws.ok(
        tmp.path(),
        &["apply", "-auto-approve", "--no-wait-for-instance-refresh"],
    );
    assert!(out.contains("not waiting for instance refresh"), "{out}");
    let refreshes = aws.python(
        "print(len(boto3.client('autoscaling').describe_instance_refreshes(AutoScalingGroupName='web')['InstanceRefreshes']))",
    );
    assert_eq!(refreshes.trim(), "1");
}

#[test]
fn scaling_policies_and_a_target_group_attachment_are_created_changed_and_destroyed() {
    let aws = Emulator::start();
    let tf = |target: &str, adjustment: i32| {
        format!(
            r#"{group}
resource "aws_autoscaling_policy" "cpu" {{
  name                   = "cpu-50"
  autoscaling_group_name = aws_autoscaling_group.web.name
  policy_type            = "TargetTrackingScaling"

  target_tracking_configuration {{
    predefined_metric_specification {{
      predefined_metric_type = "ASGAverageCPUUtilization"
    }}
    target_value = {target}
  }}
}}

resource "aws_autoscaling_policy" "step_up" {{
  name                   = "step-up"
  autoscaling_group_name = aws_autoscaling_group.web.name
  adjustment_type        = "ChangeInCapacity"
  scaling_adjustment     = {adjustment}
  cooldown               = 120
}}

resource "aws_lb_target_group" "web" {{
  name     = "web"
  port     = 8080
  protocol = "HTTP"
  vpc_id   = data.aws_vpc.default.id
}}

resource "aws_autoscaling_attachment" "web" {{
  autoscaling_group_name = aws_autoscaling_group.web.name
  lb_target_group_arn    = aws_lb_target_group.web.arn
}}
"#,
            group = group_tf(AMI, 2)
        )
    };
    let tmp = dir_with(&[("main.tf", &tf("50", 1))]);
    aws.ok(tmp.path(), &["apply", "-auto-approve"]);
    let seen = || {
        aws.python(
            "a = boto3.client('autoscaling')\n\
             ps = {p['PolicyName']: p for p in a.describe_policies(AutoScalingGroupName='web')['ScalingPolicies']}\n\
             tgs = a.describe_load_balancer_target_groups(AutoScalingGroupName='web')['LoadBalancerTargetGroups']\n\
             print(json.dumps([ps['cpu-50']['TargetTrackingConfiguration']['TargetValue'], ps['step-up']['ScalingAdjustment'], ps['step-up']['Cooldown'], len(tgs)]))",
        )
    };
    assert_eq!(seen().trim(), "[50.0, 1, 120, 1]");
    assert!(aws.ok(tmp.path(), &["plan"]).contains("No changes."));

    std::fs::write(tmp.path().join("main.tf"), tf("70", 2)).unwrap();
    let plan = aws.ok(tmp.path(), &["plan"]);
    assert!(
        plan.contains("Plan: 0 to add, 2 to change, 0 to destroy."),
        "{plan}"
    );
    aws.ok(tmp.path(), &["apply", "-auto-approve"]);
    assert_eq!(seen().trim(), "[70.0, 2, 120, 1]");
    assert!(aws.ok(tmp.path(), &["plan"]).contains("No changes."));
    let s = state(tmp.path());
    assert!(
        s["resources"]
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r["type"] == "aws_autoscaling_policy"),
        "{s}"
    );

    aws.ok(tmp.path(), &["destroy", "-auto-approve"]);
    let left = aws.python(
        "print(len(boto3.client('autoscaling').describe_auto_scaling_groups()['AutoScalingGroups']), len(boto3.client('autoscaling').describe_policies()['ScalingPolicies']))",
    );
    assert_eq!(left.trim(), "0 0");
}
