//! End-to-end tests of the ELBv2 resources (load balancers, target groups, listeners,
//! attachments): the real binary against the AWS emulator (moto), checked with the
//! emulator's own Describe calls.

mod support;

use support::{Emulator, dir_with, state};

const AMI: &str = "ami-12c6146b";

/// What the web stack's configuration varies between steps.
struct Web {
    idle_timeout: u32,
    env: &'static str,
    health_path: &'static str,
    fixed_response: bool,
    attach_instance: bool,
}

impl Default for Web {
    fn default() -> Web {
        Web {
            idle_timeout: 60,
            env: "test",
            health_path: "/",
            fixed_response: false,
            attach_instance: false,
        }
    }
}

/// The default VPC's subnets, a security group, a load balancer, a target group and a
/// listener (forwarding, or answering 503 itself), and optionally an instance attached.
fn web_tf(w: &Web) -> String {
    let action = if w.fixed_response {
        r#"  default_action {
    type = "fixed-response"
    fixed_response {
      content_type = "text/plain"
      message_body = "down for maintenance"
      status_code  = "503"
    }
  }"#
        .to_owned()
    } else {
        r#"  default_action {
    type             = "forward"
    target_group_arn = aws_lb_target_group.web.arn
  }"#
        .to_owned()
    };
    let attachment = if w.attach_instance {
        format!(
            r#"
resource "aws_instance" "web" {{
  ami           = "{AMI}"
  instance_type = "t3.micro"
  subnet_id     = data.aws_subnets.default.ids[0]
}}

resource "aws_lb_target_group_attachment" "web" {{
  target_group_arn = aws_lb_target_group.web.arn
  target_id        = aws_instance.web.id
  port             = 80
}}
"#
        )
    } else {
        String::new()
    };
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

resource "aws_security_group" "lb" {{
  name   = "web-lb"
  vpc_id = data.aws_vpc.default.id

  ingress {{
    from_port   = 80
    to_port     = 80
    protocol    = "tcp"
    cidr_blocks = ["0.0.0.0/0"]
  }}
}}

resource "aws_lb" "web" {{
  name            = "web"
  subnets         = data.aws_subnets.default.ids
  security_groups = [aws_security_group.lb.id]
  idle_timeout    = {idle}

  tags = {{
    Env = "{env}"
  }}
}}

resource "aws_lb_target_group" "web" {{
  name_prefix = "web-"
  port        = 80
  protocol    = "HTTP"
  vpc_id      = data.aws_vpc.default.id

  health_check {{
    path    = "{path}"
    matcher = "200-299"
  }}
}}

resource "aws_lb_listener" "http" {{
  load_balancer_arn = aws_lb.web.arn
  port              = 80
  protocol          = "HTTP"

{action}
}}
{attachment}"#,
        idle = w.idle_timeout,
        env = w.env,
        path = w.health_path,
    )
}

/// The attributes of the only instance of resource `type_name` in the state.
fn attrs_of(dir: &std::path::Path, type_name: &str) -> serde_json::Value {
    let s = state(dir);
    s["resources"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|r| r["type"] == type_name && r["mode"] == "managed")
        .map(|r| r["instances"][0]["attributes"].clone())
        .unwrap_or_else(|| panic!("no {type_name} in state: {s}"))
}

fn no_changes(aws: &Emulator, dir: &std::path::Path) {
    let plan = aws.ok(dir, &["plan"]);
    assert!(plan.contains("No changes."), "{plan}");
}

#[test]
fn a_load_balancer_with_target_group_and_listener_is_applied_changed_in_place_and_destroyed() {
    let aws = Emulator::start();
    let tmp = dir_with(&[("main.tf", &web_tf(&Web::default()))]);
    let out = aws.ok(tmp.path(), &["apply", "-auto-approve"]);
    assert!(out.contains("Apply complete! Resources: 4 added"), "{out}");

    let lb = attrs_of(tmp.path(), "aws_lb");
    let lb_arn = lb["arn"].as_str().unwrap().to_owned();
    assert_eq!(lb["id"], lb["arn"]);
    assert_eq!(lb["name"], "web");
    assert_eq!(lb["internal"], false);
    assert_eq!(lb["load_balancer_type"], "application");
    assert_eq!(lb["idle_timeout"], 60);
    assert_eq!(lb["ip_address_type"], "ipv4");
    assert!(
        lb["arn_suffix"].as_str().unwrap().starts_with("app/web/"),
        "{lb}"
    );
    assert!(!lb["dns_name"].as_str().unwrap().is_empty(), "{lb}");
    assert!(lb["vpc_id"].as_str().unwrap().starts_with("vpc-"), "{lb}");
    assert_eq!(lb["tags_all"]["Env"], "test");

    let tg = attrs_of(tmp.path(), "aws_lb_target_group");
    let tg_arn = tg["arn"].as_str().unwrap().to_owned();
    assert_eq!(tg["name_prefix"], "web-");
    assert!(tg["name"].as_str().unwrap().starts_with("web-"), "{tg}");
    assert!(
        tg["arn_suffix"]
            .as_str()
            .unwrap()
            .starts_with("targetgroup/web-"),
        "{tg}"
    );
    assert_eq!(tg["target_type"], "instance");
    assert_eq!(tg["deregistration_delay"], "300");
    let hc = &tg["health_check"][0];
    assert_eq!(hc["enabled"], true);
    assert_eq!(hc["path"], "/");
    assert_eq!(hc["matcher"], "200-299");
    assert_eq!(hc["port"], "traffic-port");
    assert_eq!(hc["protocol"], "HTTP");
    assert_eq!(hc["interval"], 30);
    assert_eq!(hc["healthy_threshold"], 3);
    assert_eq!(hc["unhealthy_threshold"], 3);

    let listener = attrs_of(tmp.path(), "aws_lb_listener");
    let listener_arn = listener["arn"].as_str().unwrap().to_owned();
    assert_eq!(listener["default_action"][0]["type"], "forward");
    assert_eq!(
        listener["default_action"][0]["target_group_arn"],
        tg_arn.as_str()
    );
    assert_eq!(listener["default_action"][0]["order"], 1);

    let seen = aws.python(&format!(
        "c = boto3.client('elbv2')\n\
         lb = c.describe_load_balancers(LoadBalancerArns=['{lb_arn}'])['LoadBalancers'][0]\n\
         a = {{x['Key']: x['Value'] for x in c.describe_load_balancer_attributes(LoadBalancerArn='{lb_arn}')['Attributes']}}\n\
         l = c.describe_listeners(ListenerArns=['{listener_arn}'])['Listeners'][0]\n\
         print(lb['State']['Code'], lb['Scheme'], a['idle_timeout.timeout_seconds'], l['DefaultActions'][0]['TargetGroupArn'] == '{tg_arn}')"
    ));
    assert_eq!(seen.trim(), "active internet-facing 60 True");

    no_changes(&aws, tmp.path());

    // In place: the idle timeout, a tag, the health check path.
    let changed = Web {
        idle_timeout: 120,
        env: "prod",
        health_path: "/health",
        ..Web::default()
    };
    std::fs::write(tmp.path().join("main.tf"), web_tf(&changed)).unwrap();
    let plan = aws.ok(tmp.path(), &["plan"]);
    assert!(plan.contains("~ update in-place"), "{plan}");
    assert!(plan.contains("2 to change"), "{plan}");
    assert!(!plan.contains("must be replaced"), "{plan}");
    aws.ok(tmp.path(), &["apply", "-auto-approve"]);
    let seen = aws.python(&format!(
        "c = boto3.client('elbv2')\n\
         a = {{x['Key']: x['Value'] for x in c.describe_load_balancer_attributes(LoadBalancerArn='{lb_arn}')['Attributes']}}\n\
         t = {{x['Key']: x['Value'] for x in c.describe_tags(ResourceArns=['{lb_arn}'])['TagDescriptions'][0]['Tags']}}\n\
         g = c.describe_target_groups(TargetGroupArns=['{tg_arn}'])['TargetGroups'][0]\n\
         print(a['idle_timeout.timeout_seconds'], t['Env'], g['HealthCheckPath'])"
    ));
    assert_eq!(seen.trim(), "120 prod /health");
    assert_eq!(attrs_of(tmp.path(), "aws_lb")["arn"], lb_arn.as_str());
    no_changes(&aws, tmp.path());

    // The listener answers itself instead of forwarding.
    let fixed = Web {
        fixed_response: true,
        ..changed
    };
    std::fs::write(tmp.path().join("main.tf"), web_tf(&fixed)).unwrap();
    let plan = aws.ok(tmp.path(), &["plan"]);
    assert!(plan.contains("1 to change"), "{plan}");
    aws.ok(tmp.path(), &["apply", "-auto-approve"]);
    let seen = aws.python(&format!(
        "l = boto3.client('elbv2').describe_listeners(ListenerArns=['{listener_arn}'])['Listeners'][0]\n\
         a = l['DefaultActions'][0]\n\
         print(a['Type'], a['FixedResponseConfig']['StatusCode'], a['FixedResponseConfig']['MessageBody'])"
    ));
    assert_eq!(seen.trim(), "fixed-response 503 down for maintenance");
    no_changes(&aws, tmp.path());

    // An instance registered with the target group.
    let attached = Web {
        attach_instance: true,
        ..fixed
    };
    std::fs::write(tmp.path().join("main.tf"), web_tf(&attached)).unwrap();
    let out = aws.ok(tmp.path(), &["apply", "-auto-approve"]);
    assert!(out.contains("2 added"), "{out}");
    let instance = attrs_of(tmp.path(), "aws_instance")["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let attachment = attrs_of(tmp.path(), "aws_lb_target_group_attachment");
    assert!(
        attachment["id"]
            .as_str()
            .unwrap()
            .starts_with(&format!("{tg_arn}-")),
        "{attachment}"
    );
    let seen = aws.python(&format!(
        "h = boto3.client('elbv2').describe_target_health(TargetGroupArn='{tg_arn}')['TargetHealthDescriptions']\n\
         print([(d['Target']['Id'], d['Target']['Port']) for d in h])"
    ));
    assert_eq!(seen.trim(), format!("[('{instance}', 80)]"));
    no_changes(&aws, tmp.path());

    aws.ok(tmp.path(), &["destroy", "-auto-approve"]);
    let left = aws.python(
        "c = boto3.client('elbv2')\n\
         print(len(c.describe_load_balancers()['LoadBalancers']), len(c.describe_target_groups()['TargetGroups']))",
    );
    assert_eq!(left.trim(), "0 0");
}

#[test]
fn an_existing_load_balancer_is_imported_by_arn_and_then_managed() {
    let aws = Emulator::start();
    let created = aws.python(
        "ec2 = boto3.client('ec2')\n\
         vpc = ec2.describe_vpcs(Filters=[{'Name': 'isDefault', 'Values': ['true']}])['Vpcs'][0]['VpcId']\n\
         subnets = sorted(s['SubnetId'] for s in ec2.describe_subnets(Filters=[{'Name': 'vpc-id', 'Values': [vpc]}])['Subnets'])[:2]\n\
         lb = boto3.client('elbv2').create_load_balancer(Name='legacy', Subnets=subnets)['LoadBalancers'][0]\n\
         print(lb['LoadBalancerArn'], subnets[0], subnets[1])",
    );
    let parts: Vec<&str> = created.split_whitespace().collect();
    let [arn, a, b] = parts[..] else {
        panic!("unexpected output: {created}");
    };
    let tf = format!(
        r#"
import {{
  to = aws_lb.legacy
  id = "{arn}"
}}

resource "aws_lb" "legacy" {{
  name    = "legacy"
  subnets = ["{a}", "{b}"]
}}
"#
    );
    let tmp = dir_with(&[("main.tf", &tf)]);
    let plan = aws.ok(tmp.path(), &["plan"]);
    assert!(plan.contains("will be imported"), "{plan}");
    assert!(plan.contains("1 to import"), "{plan}");
    aws.ok(tmp.path(), &["apply", "-auto-approve"]);
    let lb = attrs_of(tmp.path(), "aws_lb");
    assert_eq!(lb["arn"], arn);
    assert_eq!(lb["name_prefix"], "");
    no_changes(&aws, tmp.path());
}

#[test]
fn a_target_group_deleted_outside_terrane_is_planned_for_creation_again() {
    let aws = Emulator::start();
    let tf = r#"
data "aws_vpc" "default" {
  default = true
}

resource "aws_lb_target_group" "a" {
  port     = 80
  protocol = "HTTP"
  vpc_id   = data.aws_vpc.default.id
}

resource "aws_lb_target_group" "b" {
  port     = 8080
  protocol = "HTTP"
  vpc_id   = data.aws_vpc.default.id
  deregistration_delay = 30
}
"#;
    let tmp = dir_with(&[("main.tf", tf)]);
    aws.ok(tmp.path(), &["apply", "-auto-approve"]);
    let s = state(tmp.path());
    let arns: Vec<String> = s["resources"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["type"] == "aws_lb_target_group")
        .map(|r| {
            r["instances"][0]["attributes"]["arn"]
                .as_str()
                .unwrap()
                .to_owned()
        })
        .collect();
    assert_eq!(arns.len(), 2);
    let b = s["resources"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["name"] == "b")
        .unwrap()["instances"][0]["attributes"]
        .clone();
    assert_eq!(b["deregistration_delay"], "30");
    assert!(b["name"].as_str().unwrap().starts_with("tf-"), "{b}");
    // No health_check block: AWS's defaults are recorded and plan no change.
    assert_eq!(b["health_check"][0]["path"], "/");
    no_changes(&aws, tmp.path());

    aws.python(&format!(
        "boto3.client('elbv2').delete_target_group(TargetGroupArn='{}')",
        arns[0]
    ));
    let plan = aws.ok(tmp.path(), &["plan"]);
    assert!(
        plan.contains("1 to add, 0 to change, 0 to destroy"),
        "{plan}"
    );
}

/// A listener rule forwarding `path` on the web stack's listener.
fn rule_tf(path: &str, priority: u32) -> String {
    format!(
        r#"{}
resource "aws_lb_listener_rule" "api" {{
  listener_arn = aws_lb_listener.http.arn
  priority     = {priority}

  action {{
    type             = "forward"
    target_group_arn = aws_lb_target_group.web.arn
  }}

  condition {{
    path_pattern {{
      values = ["{path}"]
    }}
  }}

  condition {{
    host_header {{
      values = ["example.com"]
    }}
  }}
}}
"#,
        web_tf(&Web::default())
    )
}

#[test]
fn a_listener_rule_is_created_changed_in_place_and_destroyed() {
    let aws = Emulator::start();
    let tmp = dir_with(&[("main.tf", &rule_tf("/api/*", 10))]);
    aws.ok(tmp.path(), &["apply", "-auto-approve"]);
    let rule = attrs_of(tmp.path(), "aws_lb_listener_rule");
    let arn = rule["arn"].as_str().unwrap().to_owned();
    assert_eq!(rule["priority"], 10);
    assert_eq!(
        rule["listener_arn"],
        attrs_of(tmp.path(), "aws_lb_listener")["arn"]
    );
    no_changes(&aws, tmp.path());

    std::fs::write(tmp.path().join("main.tf"), rule_tf("/v2/*", 20)).unwrap();
    let plan = aws.ok(tmp.path(), &["plan"]);
    assert!(plan.contains("1 to change"), "{plan}");
    aws.ok(tmp.path(), &["apply", "-auto-approve"]);
    let seen = aws.python(&format!(
        "r = boto3.client('elbv2').describe_rules(RuleArns=['{arn}'])['Rules'][0]\n\
         p = [c for c in r['Conditions'] if c['Field'] == 'path-pattern'][0]\n\
         print(r['Priority'], (p.get('PathPatternConfig') or {{}}).get('Values') or p.get('Values'))"
    ));
    assert_eq!(seen.trim(), "20 ['/v2/*']");
    no_changes(&aws, tmp.path());

    aws.ok(tmp.path(), &["destroy", "-auto-approve"]);
    let left =
        aws.python("print(len(boto3.client('elbv2').describe_load_balancers()['LoadBalancers']))");
    assert_eq!(left.trim(), "0");
}
