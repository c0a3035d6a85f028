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

/// A VPC with two subnets in two zones and an internet gateway, a security group, a load balancer, a target group and a
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
  subnet_id     = aws_subnet.a.id
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

data "aws_availability_zones" "available" {{
  state = "available"
}}

resource "aws_vpc" "main" {{
  cidr_block = "10.0.0.0/16"
}}

resource "aws_subnet" "a" {{
  vpc_id            = aws_vpc.main.id
  cidr_block        = "10.0.1.0/24"
  availability_zone = data.aws_availability_zones.available.names[0]
}}

resource "aws_subnet" "b" {{
  vpc_id            = aws_vpc.main.id
  cidr_block        = "10.0.2.0/24"
  availability_zone = data.aws_availability_zones.available.names[1]
}}

resource "aws_internet_gateway" "gw" {{
  vpc_id = aws_vpc.main.id
}}

resource "aws_security_group" "lb" {{
  name   = "web-lb"
  vpc_id = aws_vpc.main.id

  ingress {{
    from_port   = 80
    to_port     = 80
    protocol    = "tcp"
    cidr_blocks = ["0.0.0.0/0"]
  }}
}}

resource "aws_lb" "web" {{
  name            = "web"
  subnets         = [aws_subnet.a.id, aws_subnet.b.id]
  security_groups = [aws_security_group.lb.id]
  idle_timeout    = {idle}

  tags = {{
    Env = "{env}"
  }}

  depends_on = [aws_internet_gateway.gw]
}}

resource "aws_lb_target_group" "web" {{
  name_prefix = "web-"
  port        = 80
  protocol    = "HTTP"
  vpc_id      = aws_vpc.main.id

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

/// The id of subnet `name` in the state.
fn subnet_id(dir: &std::path::Path, name: &str) -> String {
    let s = state(dir);
    s["resources"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|r| r["type"] == "aws_subnet" && r["name"] == name)
        .and_then(|r| r["instances"][0]["attributes"]["id"].as_str())
        .unwrap_or_else(|| panic!("no aws_subnet.{name} in state: {s}"))
        .to_owned()
}

/// The attributes of resource `type_name`.`name` in the state.
fn named(dir: &std::path::Path, type_name: &str, name: &str) -> serde_json::Value {
    let s = state(dir);
    s["resources"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|r| r["type"] == type_name && r["name"] == name && r["mode"] == "managed")
        .map(|r| r["instances"][0]["attributes"].clone())
        .unwrap_or_else(|| panic!("no {type_name}.{name} in state: {s}"))
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
    assert!(out.contains("Apply complete! Resources: 8 added"), "{out}");

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
    assert_eq!(lb["vpc_id"], attrs_of(tmp.path(), "aws_vpc")["id"], "{lb}");
    let mut subnets: Vec<&str> = lb["subnets"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|s| s.as_str())
        .collect();
    subnets.sort_unstable();
    let mut want = [subnet_id(tmp.path(), "a"), subnet_id(tmp.path(), "b")];
    want.sort_unstable();
    assert_eq!(subnets, want, "{lb}");
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
         print(lb['State']['Code'], lb['Scheme'], a.get('idle_timeout.timeout_seconds', 'default'), l['DefaultActions'][0]['TargetGroupArn'] == '{tg_arn}')"
    ));
    // The default idle timeout (60) is not sent; moto then leaves the key out (AWS says 60).
    assert_eq!(seen.trim(), "active internet-facing default True");

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
         ec2 = boto3.client('ec2')\n\
         vpcs = ec2.describe_vpcs(Filters=[{'Name': 'isDefault', 'Values': ['false']}])['Vpcs']\n\
         running = [i for r in ec2.describe_instances()['Reservations'] for i in r['Instances'] if i['State']['Name'] != 'terminated']\n\
         print(len(c.describe_load_balancers()['LoadBalancers']), len(c.describe_target_groups()['TargetGroups']), len(vpcs), len(running))",
    );
    assert_eq!(left.trim(), "0 0 0 0");
}

#[test]
fn an_existing_load_balancer_target_group_and_listener_are_imported_by_arn_and_then_managed() {
    let aws = Emulator::start();
    let created = aws.python(
        "ec2 = boto3.client('ec2')\n\
         vpc = ec2.describe_vpcs(Filters=[{'Name': 'isDefault', 'Values': ['true']}])['Vpcs'][0]['VpcId']\n\
         subnets = sorted(s['SubnetId'] for s in ec2.describe_subnets(Filters=[{'Name': 'vpc-id', 'Values': [vpc]}])['Subnets'])[:2]\n\
         c = boto3.client('elbv2')\n\
         lb = c.create_load_balancer(Name='legacy', Subnets=subnets)['LoadBalancers'][0]\n\
         tg = c.create_target_group(Name='legacy', Port=80, Protocol='HTTP', VpcId=vpc)['TargetGroups'][0]['TargetGroupArn']\n\
         l = c.create_listener(LoadBalancerArn=lb['LoadBalancerArn'], Port=80, Protocol='HTTP', DefaultActions=[{'Type': 'forward', 'TargetGroupArn': tg}])['Listeners'][0]['ListenerArn']\n\
         print(lb['LoadBalancerArn'], subnets[0], subnets[1], tg, l, vpc)",
    );
    let parts: Vec<&str> = created.split_whitespace().collect();
    let [arn, a, b, tg, listener, vpc] = parts[..] else {
        panic!("unexpected output: {created}");
    };
    let tf = format!(
        r#"
import {{
  to = aws_lb.legacy
  id = "{arn}"
}}

import {{
  to = aws_alb_target_group.legacy
  id = "{tg}"
}}

import {{
  to = aws_lb_listener.legacy
  id = "{listener}"
}}

resource "aws_lb" "legacy" {{
  name    = "legacy"
  subnets = ["{a}", "{b}"]
}}

resource "aws_alb_target_group" "legacy" {{
  name     = "legacy"
  port     = 80
  protocol = "HTTP"
  vpc_id   = "{vpc}"
}}

resource "aws_lb_listener" "legacy" {{
  load_balancer_arn = aws_lb.legacy.arn
  port              = 80
  protocol          = "HTTP"

  default_action {{
    type             = "forward"
    target_group_arn = aws_alb_target_group.legacy.arn
  }}
}}
"#
    );
    let tmp = dir_with(&[("main.tf", &tf)]);
    let plan = aws.ok(tmp.path(), &["plan"]);
    assert!(plan.contains("will be imported"), "{plan}");
    assert!(
        plan.contains("3 to import, 0 to add, 0 to change"),
        "{plan}"
    );
    aws.ok(tmp.path(), &["apply", "-auto-approve"]);
    let lb = attrs_of(tmp.path(), "aws_lb");
    assert_eq!(lb["arn"], arn);
    assert_eq!(lb["name_prefix"], "");
    assert_eq!(attrs_of(tmp.path(), "aws_alb_target_group")["arn"], tg);
    assert_eq!(attrs_of(tmp.path(), "aws_lb_listener")["arn"], listener);
    no_changes(&aws, tmp.path());
}

#[test]
fn mistakes_are_refused_at_plan_pointing_at_the_argument_in_main_tf() {
    let aws = Emulator::start();
    let tf = r#"
resource "aws_lb" "web" {
  name    = "web_lb!"
  subnets = ["subnet-1", "subnet-2"]
}
"#;
    let tmp = dir_with(&[("main.tf", tf)]);
    let o = aws.run(tmp.path(), &["plan"]);
    let out = support::text(&o);
    assert_ne!(o.status.code(), Some(0), "{out}");
    assert!(out.contains("invalid load balancer name"), "{out}");
    assert!(out.contains("main.tf:3:"), "{out}");

    // A forward action without its target group, on a listener of a load balancer not yet
    // created: the action is known, so plan already says what is missing, pointing at the
    // block (its missing argument has nowhere else to be pointed at).
    let tf = r#"
resource "aws_lb" "web" {
  name    = "web"
  subnets = ["subnet-1", "subnet-2"]
}

resource "aws_lb_listener" "http" {
  load_balancer_arn = aws_lb.web.arn
  port              = 80

  default_action {
    type = "forward"
  }
}
"#;
    std::fs::write(tmp.path().join("main.tf"), tf).unwrap();
    let o = aws.run(tmp.path(), &["plan"]);
    let out = support::text(&o);
    assert_ne!(o.status.code(), Some(0), "{out}");
    assert!(
        out.contains("a forward action needs target_group_arn"),
        "{out}"
    );
    assert!(out.contains("default_action[0] forwards"), "{out}");
    assert!(out.contains("main.tf:11:3"), "{out}");
}

#[test]
fn a_target_group_attachment_cannot_be_imported_as_in_terraform() {
    let aws = Emulator::start();
    let tf = r#"
import {
  to = aws_lb_target_group_attachment.web
  id = "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/web/0123456789abcdef"
}

resource "aws_lb_target_group_attachment" "web" {
  target_group_arn = "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/web/0123456789abcdef"
  target_id        = "i-0123456789abcdef0"
}
"#;
    let tmp = dir_with(&[("main.tf", tf)]);
    let o = aws.run(tmp.path(), &["plan"]);
    let out = support::text(&o);
    assert_ne!(o.status.code(), Some(0), "{out}");
    assert!(out.contains("does not support import"), "{out}");
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

resource "aws_lb_listener_rule" "old" {{
  listener_arn = aws_lb_listener.http.arn
  depends_on   = [aws_lb_listener_rule.api]

  action {{
    type = "fixed-response"
    fixed_response {{
      content_type = "application/json"
      message_body = "{{\"gone\": true}}"
      status_code  = "410"
    }}
  }}

  condition {{
    path_pattern {{
      values = ["/old/*"]
    }}
  }}

  condition {{
    http_request_method {{
      values = ["GET", "HEAD"]
    }}
  }}

  condition {{
    http_header {{
      http_header_name = "X-Legacy"
      values           = ["yes"]
    }}
  }}

  condition {{
    query_string {{
      key   = "v"
      value = "1"
    }}
    query_string {{
      value = "old"
    }}
  }}

  condition {{
    source_ip {{
      values = ["10.0.0.0/8"]
    }}
  }}
}}

resource "aws_lb_listener" "redirect" {{
  load_balancer_arn = aws_lb.web.arn
  port              = 8080
  protocol          = "HTTP"

  default_action {{
    type = "redirect"
    redirect {{
      port        = "80"
      protocol    = "HTTP"
      status_code = "HTTP_301"
    }}
  }}
}}
"#,
        web_tf(&Web::default())
    )
}

#[test]
fn listener_rules_and_a_redirecting_listener_are_created_changed_in_place_and_destroyed() {
    let aws = Emulator::start();
    let tmp = dir_with(&[("main.tf", &rule_tf("/api/*", 10))]);
    aws.ok(tmp.path(), &["apply", "-auto-approve"]);
    let rule = attrs_of(tmp.path(), "aws_lb_listener_rule");
    let arn = rule["arn"].as_str().unwrap().to_owned();
    // The rule without a priority got the one after the listener's highest.
    let old = named(tmp.path(), "aws_lb_listener_rule", "old");
    assert_eq!(old["priority"], 11, "{old}");
    assert_eq!(old["action"][0]["fixed_response"][0]["status_code"], "410");
    let old_arn = old["arn"].as_str().unwrap().to_owned();
    let seen = aws.python(&format!(
        "r = boto3.client('elbv2').describe_rules(RuleArns=['{old_arn}'])['Rules'][0]\n\
         print(sorted(c['Field'] for c in r['Conditions']))"
    ));
    assert_eq!(
        seen.trim(),
        "['http-header', 'http-request-method', 'path-pattern', 'query-string', 'source-ip']"
    );
    let redirect = named(tmp.path(), "aws_lb_listener", "redirect");
    let r = &redirect["default_action"][0]["redirect"][0];
    assert_eq!(r["host"], "#{host}", "{redirect}");
    assert_eq!(r["path"], "/#{path}", "{redirect}");
    assert_eq!(r["query"], "#{query}", "{redirect}");
    assert_eq!(r["port"], "80", "{redirect}");
    let redirect_arn = redirect["arn"].as_str().unwrap().to_owned();
    let seen = aws.python(&format!(
        "l = boto3.client('elbv2').describe_listeners(ListenerArns=['{redirect_arn}'])['Listeners'][0]\n\
         r = l['DefaultActions'][0]['RedirectConfig']\n\
         print(r['Port'], r['Protocol'], r['StatusCode'], r['Host'])"
    ));
    assert_eq!(seen.trim(), "80 HTTP HTTP_301 #{host}");
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

#[test]
fn refreshing_many_target_groups_reads_them_20_per_call_even_when_one_is_gone() {
    let aws = Emulator::start();
    let tf = r#"
data "aws_vpc" "default" {
  default = true
}

resource "aws_lb_target_group" "many" {
  count    = 25
  name     = "many-${count.index}"
  port     = 80
  protocol = "HTTP"
  vpc_id   = data.aws_vpc.default.id
}
"#;
    let tmp = dir_with(&[("main.tf", tf)]);
    aws.ok(tmp.path(), &["apply", "-auto-approve"]);

    aws.reset_calls();
    no_changes(&aws, tmp.path());
    let calls = aws.calls("elasticloadbalancing");
    assert_eq!(calls["DescribeTargetGroups"], 2, "{calls}");
    assert_eq!(calls["DescribeTags"], 2, "{calls}");
    // Attributes have no batched call: one per target group.
    assert_eq!(calls["DescribeTargetGroupAttributes"], 25, "{calls}");

    // One gone: its call of 20 fails as a whole, and only that call's ARNs are read alone.
    aws.python(
        "c = boto3.client('elbv2')\n\
         arn = c.describe_target_groups(Names=['many-3'])['TargetGroups'][0]['TargetGroupArn']\n\
         c.delete_target_group(TargetGroupArn=arn)",
    );
    aws.reset_calls();
    let plan = aws.ok(tmp.path(), &["plan"]);
    assert!(
        plan.contains("1 to add, 0 to change, 0 to destroy"),
        "{plan}"
    );
    assert!(plan.contains("aws_lb_target_group.many[3]"), "{plan}");
    let calls = aws.calls("elasticloadbalancing");
    // The failed call of 20, those 20 alone (one of them failing), the other 5 together.
    assert_eq!(calls["DescribeTargetGroups"], 22, "{calls}");
    assert_eq!(calls["DescribeTargetGroupAttributes"], 24, "{calls}");
}

/// An internal load balancer without a name, through the `aws_alb` alias.
fn guarded_tf(protected: bool) -> String {
    format!(
        r#"
data "aws_vpc" "default" {{
  default = true
}}

data "aws_subnets" "default" {{
  filter {{
    name   = "vpc-id"
    values = [data.aws_vpc.default.id]
  }}
}}

resource "aws_alb" "guarded" {{
  internal                   = true
  subnets                    = data.aws_subnets.default.ids
  enable_deletion_protection = {protected}
  drop_invalid_header_fields = true
  desync_mitigation_mode     = "strictest"

  access_logs {{
    bucket  = "lb-logs"
    prefix  = "guarded"
    enabled = {protected}
  }}
}}
"#
    )
}

#[test]
fn an_internal_alb_without_a_name_gets_a_generated_one_and_its_attributes_change_in_place() {
    let aws = Emulator::start();
    aws.python("boto3.client('s3').create_bucket(Bucket='lb-logs')");
    let tmp = dir_with(&[("main.tf", &guarded_tf(true))]);
    aws.ok(tmp.path(), &["apply", "-auto-approve"]);
    let lb = attrs_of(tmp.path(), "aws_alb");
    let name = lb["name"].as_str().unwrap();
    assert!(name.starts_with("tf-lb-") && name.len() == 32, "{lb}");
    assert_eq!(lb["name_prefix"], "tf-lb-");
    assert_eq!(lb["internal"], true);
    assert_eq!(lb["enable_deletion_protection"], true);
    assert!(
        lb["arn_suffix"]
            .as_str()
            .unwrap()
            .starts_with(&format!("app/{name}/")),
        "{lb}"
    );
    no_changes(&aws, tmp.path());

    let arn = lb["arn"].as_str().unwrap().to_owned();
    let protection = |aws: &Emulator| {
        aws.python(&format!(
            "a = boto3.client('elbv2').describe_load_balancer_attributes(LoadBalancerArn='{arn}')['Attributes']\n\
             print({{x['Key']: x['Value'] for x in a}}['deletion_protection.enabled'])"
        ))
    };
    assert_eq!(protection(&aws).trim(), "true");
    let seen = aws.python(&format!(
        "a = boto3.client('elbv2').describe_load_balancer_attributes(LoadBalancerArn='{arn}')['Attributes']\n\
         a = {{x['Key']: x['Value'] for x in a}}\n\
         print(a['routing.http.drop_invalid_header_fields.enabled'], a['routing.http.desync_mitigation_mode'], a.get('routing.http.preserve_host_header.enabled', 'unset'), a['access_logs.s3.enabled'], a['access_logs.s3.bucket'], a['access_logs.s3.prefix'])"
    ));
    // Only what differs from AWS's defaults is sent on create.
    assert_eq!(seen.trim(), "true strictest unset true lb-logs guarded");
    assert_eq!(lb["access_logs"][0]["enabled"], true, "{lb}");
    assert_eq!(lb["preserve_host_header"], false);
    assert_eq!(lb["xff_header_processing_mode"], "append");
    assert_eq!(lb["client_keep_alive"], 3600);
    // (AWS refuses to delete a protected load balancer, and terrane's error then says to lift
    // the protection first; moto 5.2.5 deletes it anyway, so that is not checked here.)

    std::fs::write(tmp.path().join("main.tf"), guarded_tf(false)).unwrap();
    let out = aws.ok(tmp.path(), &["apply", "-auto-approve"]);
    assert!(out.contains("0 added, 1 changed, 0 destroyed"), "{out}");
    assert_eq!(protection(&aws).trim(), "false");
    assert_eq!(
        attrs_of(tmp.path(), "aws_alb")["access_logs"][0]["enabled"],
        false
    );
    no_changes(&aws, tmp.path());
    aws.ok(tmp.path(), &["destroy", "-auto-approve"]);
    let left =
        aws.python("print(len(boto3.client('elbv2').describe_load_balancers()['LoadBalancers']))");
    assert_eq!(left.trim(), "0");
}

/// A target group with sticky sessions, a slow start and an algorithm.
fn sticky_tf(duration: u32, slow_start: u32) -> String {
    format!(
        r#"
data "aws_vpc" "default" {{
  default = true
}}

resource "aws_lb_target_group" "sticky" {{
  name                          = "sticky"
  port                          = 80
  protocol                      = "HTTP"
  vpc_id                        = data.aws_vpc.default.id
  slow_start                    = {slow_start}
  load_balancing_algorithm_type = "least_outstanding_requests"

  stickiness {{
    type            = "lb_cookie"
    cookie_duration = {duration}
  }}
}}
"#
    )
}

#[test]
fn target_group_stickiness_slow_start_and_algorithm_are_set_read_back_and_changed_in_place() {
    let aws = Emulator::start();
    let tmp = dir_with(&[("main.tf", &sticky_tf(3600, 30))]);
    aws.ok(tmp.path(), &["apply", "-auto-approve"]);
    let tg = attrs_of(tmp.path(), "aws_lb_target_group");
    let arn = tg["arn"].as_str().unwrap().to_owned();
    assert_eq!(tg["stickiness"][0]["enabled"], true, "{tg}");
    assert_eq!(tg["stickiness"][0]["cookie_duration"], 3600, "{tg}");
    assert_eq!(tg["slow_start"], 30);
    assert_eq!(
        tg["load_balancing_algorithm_type"],
        "least_outstanding_requests"
    );
    let attributes = |aws: &Emulator| {
        aws.python(&format!(
            "a = boto3.client('elbv2').describe_target_group_attributes(TargetGroupArn='{arn}')['Attributes']\n\
             a = {{x['Key']: x['Value'] for x in a}}\n\
             print(a['stickiness.enabled'], a['stickiness.type'], a.get('stickiness.lb_cookie.duration_seconds'), a['slow_start.duration_seconds'], a['load_balancing.algorithm.type'])"
        ))
    };
    assert_eq!(
        attributes(&aws).trim(),
        "true lb_cookie 3600 30 least_outstanding_requests"
    );
    no_changes(&aws, tmp.path());

    std::fs::write(tmp.path().join("main.tf"), sticky_tf(600, 0)).unwrap();
    let plan = aws.ok(tmp.path(), &["plan"]);
    assert!(
        plan.contains("0 to add, 1 to change, 0 to destroy"),
        "{plan}"
    );
    aws.ok(tmp.path(), &["apply", "-auto-approve"]);
    assert_eq!(
        attributes(&aws).trim(),
        "true lb_cookie 600 0 least_outstanding_requests"
    );
    assert_eq!(
        attrs_of(tmp.path(), "aws_lb_target_group")["arn"],
        arn.as_str()
    );
    no_changes(&aws, tmp.path());
}

#[test]
fn a_network_load_balancer_with_a_tcp_listener_keeps_application_defaults_out_of_its_plan() {
    let aws = Emulator::start();
    let tf = r#"
data "aws_vpc" "default" {
  default = true
}

data "aws_subnets" "default" {
  filter {
    name   = "vpc-id"
    values = [data.aws_vpc.default.id]
  }
}

resource "aws_lb" "nlb" {
  name                             = "nlb"
  load_balancer_type               = "network"
  subnets                          = data.aws_subnets.default.ids
  enable_cross_zone_load_balancing = true
}

resource "aws_lb_target_group" "tcp" {
  name     = "tcp"
  port     = 5432
  protocol = "TCP"
  vpc_id   = data.aws_vpc.default.id

  health_check {
    protocol = "TCP"
  }
}

resource "aws_lb_listener" "tcp" {
  load_balancer_arn = aws_lb.nlb.arn
  port              = 5432
  protocol          = "TCP"

  default_action {
    type             = "forward"
    target_group_arn = aws_lb_target_group.tcp.arn
  }
}
"#;
    let tmp = dir_with(&[("main.tf", tf)]);
    aws.ok(tmp.path(), &["apply", "-auto-approve"]);
    let lb = attrs_of(tmp.path(), "aws_lb");
    assert_eq!(lb["load_balancer_type"], "network");
    assert_eq!(lb["enable_cross_zone_load_balancing"], true);
    // The suffix is what follows "loadbalancer/" in the ARN ("net/nlb/..." on AWS; moto
    // 5.2.5 writes "app/" into network load balancers' ARNs too).
    let arn_text = lb["arn"].as_str().unwrap();
    assert_eq!(
        Some(lb["arn_suffix"].as_str().unwrap()),
        arn_text.split_once(":loadbalancer/").map(|(_, rest)| rest),
        "{lb}"
    );
    // Application-only arguments keep Terraform's defaults in state.
    assert_eq!(lb["idle_timeout"], 60);
    let arn = lb["arn"].as_str().unwrap().to_owned();
    let seen = aws.python(&format!(
        "a = boto3.client('elbv2').describe_load_balancer_attributes(LoadBalancerArn='{arn}')['Attributes']\n\
         print({{x['Key']: x['Value'] for x in a}}['load_balancing.cross_zone.enabled'])"
    ));
    assert_eq!(seen.trim(), "true");
    assert_eq!(attrs_of(tmp.path(), "aws_lb_listener")["protocol"], "TCP");
    no_changes(&aws, tmp.path());
    aws.ok(tmp.path(), &["destroy", "-auto-approve"]);
}
