//! The course's highly available web tier (`examples/asg-alb`, its main.tf unmodified) against
//! the AWS emulator: an Auto Scaling group behind an Application Load Balancer, a new AMI
//! rolled by an instance refresh with at least 50% healthy throughout, scaling, failure,
//! destroy. Each test edits a temporary copy of the example, as a user edits main.tf.

mod support;

use std::io::Read;
use std::path::Path;
use support::{Emulator, course_example, text};

const GROUP: &str = "sample-app-asg";
const FIRST_AMI: &str = "ami-008eba0ec68324b1d";
const NEW_AMI: &str = "ami-0a1b2c3d4e5f60718";

/// The emulator, with instance warmups short enough for a test.
fn emulator() -> Emulator {
    Emulator::start_with(&[("TERRANE_EMULATOR_TIME_SCALE", "0.01")])
}

fn edit(dir: &Path, from: &str, to: &str) {
    let path = dir.join("main.tf");
    let body = std::fs::read_to_string(&path).unwrap();
    assert!(body.contains(from), "main.tf has no {from:?}");
    std::fs::write(&path, body.replacen(from, to, 1)).unwrap();
}

/// The group as the emulator sees it: (instances InService, distinct AMIs of its instances,
/// instances healthy in its target group).
fn group(aws: &Emulator) -> (usize, Vec<String>, usize) {
    let out = aws.python(&format!(
        r#"
g = boto3.client("autoscaling").describe_auto_scaling_groups(AutoScalingGroupNames=["{GROUP}"])["AutoScalingGroups"][0]
ids = [i["InstanceId"] for i in g["Instances"] if i["LifecycleState"] == "InService"]
amis = sorted({{i["ImageId"] for r in boto3.client("ec2").describe_instances(InstanceIds=ids)["Reservations"] for i in r["Instances"]}}) if ids else []
healthy = [t for tg in g["TargetGroupARNs"] for t in boto3.client("elbv2").describe_target_health(TargetGroupArn=tg)["TargetHealthDescriptions"] if t["TargetHealth"]["State"] == "healthy"]
print(json.dumps([len(ids), amis, len(healthy)]))
"#
    ));
    serde_json::from_str(out.trim()).expect("group summary")
}

#[test]
fn the_course_example_applies_rolls_a_new_ami_by_waves_scales_and_destroys() {
    let aws = emulator();
    let (_tmp, dir) = course_example("asg-alb");

    // First apply: the load balancer stack and 3 instances registered in its target group.
    let out = aws.ok(&dir, &["apply", "-auto-approve"]);
    assert!(out.contains("Apply complete!"), "{out}");
    let (in_service, amis, healthy) = group(&aws);
    assert_eq!(in_service, 3, "{out}");
    assert_eq!(amis, vec![FIRST_AMI.to_owned()]);
    assert_eq!(
        healthy, 3,
        "every instance is registered and healthy in the target group"
    );

    // The refresh that tells nothing changed costs a fixed number of calls: one batched
    // Describe per resource type, what the four data sources read (two aws_vpc, each with
    // three DescribeVpcAttribute calls and its main route table), and the per-object
    // attribute calls ELBv2 has no batched form of. 24 when this was written.
    aws.reset_calls();
    let plan = aws.ok(&dir, &["plan"]);
    assert!(plan.contains("No changes."), "{plan}");
    let calls: Vec<(&str, u64)> = ["ec2", "autoscaling", "elasticloadbalancing", "sts"]
        .into_iter()
        .map(|s| (s, aws.call_total(s)))
        .collect();
    eprintln!("API calls of a plan with nothing to do: {calls:?}");
    let total: u64 = calls.iter().map(|(_, n)| n).sum();
    assert!(
        total <= 30,
        "{calls:?}: {:?}",
        aws.api("GET", "/_terrane/calls", None)
    );

    // A new AMI: exactly a new launch template version and a group update with a refresh.
    edit(&dir, FIRST_AMI, NEW_AMI);
    let plan = aws.ok(&dir, &["plan"]);
    assert!(
        plan.contains("# module.asg.aws_launch_template.this will be updated in-place"),
        "{plan}"
    );
    assert!(
        plan.contains("# module.asg.aws_autoscaling_group.this will be updated in-place"),
        "{plan}"
    );
    assert!(plan.contains("instance refresh"), "{plan}");
    // The target group's load_balancer_arns moved when the listener came, but nothing the
    // plan changes reads it: as in Terraform, that is not reported.
    assert!(!plan.contains("changed outside"), "{plan}");
    assert!(
        plan.contains("Plan: 0 to add, 2 to change, 0 to destroy."),
        "{plan}"
    );

    // Apply, sampling the group all along: never fewer than 50% of 3 (so 2) healthy, and the
    // instances replaced by waves (some samples see old and new versions side by side).
    let mut sampler = aws.python_background(&format!(
        r#"
import time
a = boto3.client("autoscaling")
while True:
    g = a.describe_auto_scaling_groups(AutoScalingGroupNames=["{GROUP}"])["AutoScalingGroups"][0]
    healthy = [i for i in g["Instances"] if i["LifecycleState"] == "InService" and i["HealthStatus"] == "Healthy"]
    print(len(healthy), sum(i.get("LaunchTemplate", {{}}).get("Version") == "2" for i in healthy), flush=True)
    time.sleep(0.05)
"#
    ));
    let out = aws.ok(&dir, &["apply", "-auto-approve"]);
    let _ = sampler.kill();
    let _ = sampler.wait();
    let mut samples = String::new();
    sampler
        .stdout
        .take()
        .unwrap()
        .read_to_string(&mut samples)
        .unwrap();
    // (healthy instances, of which on the new launch template version)
    let samples: Vec<(usize, usize)> = samples
        .lines()
        .filter_map(|l| {
            let (a, b) = l.split_once(' ')?;
            Some((a.parse().ok()?, b.parse().ok()?))
        })
        .collect();
    assert!(samples.len() >= 5, "too few samples: {samples:?}\n{out}");
    eprintln!(
        "healthy instances during the refresh: {} samples, fewest {:?}, mixed old/new in {}",
        samples.len(),
        samples.iter().map(|s| s.0).min(),
        samples
            .iter()
            .filter(|(h, new)| *new > 0 && new < h)
            .count()
    );
    assert!(
        samples.iter().all(|&(n, _)| n >= 2),
        "fewer than 50% healthy during the refresh: {samples:?}"
    );
    assert!(
        samples.iter().any(|&(h, new)| new > 0 && new < h),
        "never old and new instances side by side: not by waves? {samples:?}"
    );
    assert!(out.contains("instance refresh"), "progress is shown: {out}");
    assert!(
        out.contains("Apply complete! Resources: 0 added, 2 changed"),
        "{out}"
    );
    let (in_service, amis, healthy) = group(&aws);
    assert_eq!(
        (in_service, amis, healthy),
        (3, vec![NEW_AMI.to_owned()], 3),
        "every instance runs the new AMI"
    );
    let status = aws.python(&format!(
        r#"print(boto3.client("autoscaling").describe_instance_refreshes(AutoScalingGroupName="{GROUP}")["InstanceRefreshes"][0]["Status"])"#
    ));
    assert_eq!(status.trim(), "Successful");
    assert!(aws.ok(&dir, &["plan"]).contains("No changes."));

    // More capacity is a plain update: no refresh.
    edit(&dir, "desired_capacity = 3", "desired_capacity = 5");
    let plan = aws.ok(&dir, &["plan"]);
    assert!(!plan.contains("instance refresh"), "{plan}");
    assert!(
        plan.contains("Plan: 0 to add, 1 to change, 0 to destroy."),
        "{plan}"
    );
    aws.ok(&dir, &["apply", "-auto-approve"]);
    let (in_service, _, healthy) = group(&aws);
    assert_eq!((in_service, healthy), (5, 5));
    let refreshes = aws.python(&format!(
        r#"print(len(boto3.client("autoscaling").describe_instance_refreshes(AutoScalingGroupName="{GROUP}")["InstanceRefreshes"]))"#
    ));
    assert_eq!(refreshes.trim(), "1", "scaling started no refresh");

    // Destroy leaves nothing the example made.
    let out = aws.ok(&dir, &["destroy", "-auto-approve"]);
    assert!(out.contains("Destroy complete!"), "{out}");
    let left = aws.python(
        r#"
groups = boto3.client("autoscaling").describe_auto_scaling_groups()["AutoScalingGroups"]
templates = boto3.client("ec2").describe_launch_templates()["LaunchTemplates"]
elb = boto3.client("elbv2")
lbs = elb.describe_load_balancers()["LoadBalancers"]
tgs = elb.describe_target_groups()["TargetGroups"]
sgs = [g["GroupName"] for g in boto3.client("ec2").describe_security_groups()["SecurityGroups"] if g["GroupName"] != "default"]
running = [i["InstanceId"] for r in boto3.client("ec2").describe_instances()["Reservations"] for i in r["Instances"] if i["State"]["Name"] not in ("terminated", "shutting-down")]
print(json.dumps([len(groups), len(templates), len(lbs), len(tgs), sgs, running]))
"#,
    );
    assert_eq!(left.trim(), "[0, 0, 0, 0, [], []]");
}

#[test]
fn a_refresh_that_fails_makes_apply_exit_1_with_the_reason_and_the_explicit_block_works() {
    let aws = emulator();
    let (_tmp, dir) = course_example("asg-alb");
    // The course's exercise writes the instance_refresh argument out in the module call.
    edit(
        &dir,
        "  target_group_arns = [module.alb.target_group_arn]\n",
        "  target_group_arns = [module.alb.target_group_arn]\n\n  instance_refresh = {\n    strategy = \"Rolling\"\n    preferences = {\n      min_healthy_percentage = 50\n    }\n  }\n",
    );
    aws.ok(&dir, &["apply", "-auto-approve"]);
    assert!(aws.ok(&dir, &["plan"]).contains("No changes."));

    aws.api(
        "POST",
        "/_terrane/instance-refresh",
        Some(r#"{"outcome": "fail", "status_reason": "Instances failed to pass health checks (scripted).", "after_percent": 30}"#),
    );
    edit(&dir, FIRST_AMI, NEW_AMI);
    let o = aws.run(&dir, &["apply", "-auto-approve"]);
    let out = text(&o);
    assert_eq!(o.status.code(), Some(1), "{out}");
    assert!(
        out.contains("Instances failed to pass health checks (scripted)."),
        "{out}"
    );
    assert!(
        out.contains("module.asg.aws_autoscaling_group.this"),
        "{out}"
    );
}

#[test]
fn apply_with_no_wait_for_instance_refresh_returns_while_the_refresh_runs() {
    // Long warmups: the refresh cannot finish before apply returns.
    let aws = Emulator::start_with(&[("TERRANE_EMULATOR_TIME_SCALE", "1")]);
    let (_tmp, dir) = course_example("asg-alb");
    aws.ok(&dir, &["apply", "-auto-approve"]);
    edit(&dir, FIRST_AMI, NEW_AMI);
    let out = aws.ok(
        &dir,
        &["apply", "-auto-approve", "--no-wait-for-instance-refresh"],
    );
    assert!(
        out.contains("Apply complete! Resources: 0 added, 2 changed"),
        "{out}"
    );
    let status = aws.python(&format!(
        r#"print(boto3.client("autoscaling").describe_instance_refreshes(AutoScalingGroupName="{GROUP}")["InstanceRefreshes"][0]["Status"])"#
    ));
    assert!(
        matches!(status.trim(), "Pending" | "InProgress"),
        "the refresh is still running: {status}"
    );
}
