//! End-to-end tests of the IAM resources: the real binary against the AWS emulator (moto),
//! checked with boto3.

mod support;

use support::{Emulator, dir_with, state};

/// A role trusted by Lambda (its trust policy from a policy document), AWS's basic execution
/// policy attached, an inline policy and a customer managed policy; `inline` is the inline
/// policy's expression.
fn config(inline: &str, managed_action: &str) -> String {
    format!(
        r#"
provider "aws" {{
  region = "us-east-1"
}}

data "aws_iam_policy_document" "assume" {{
  statement {{
    actions = ["sts:AssumeRole"]
    principals {{
      type        = "Service"
      identifiers = ["lambda.amazonaws.com"]
    }}
  }}
}}

resource "aws_iam_role" "fn" {{
  name               = "fn-role"
  assume_role_policy = data.aws_iam_policy_document.assume.json
  tags = {{
    Team = "web"
  }}
}}

resource "aws_iam_role_policy_attachment" "logs" {{
  role       = aws_iam_role.fn.name
  policy_arn = "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"
}}

resource "aws_iam_role_policy" "inline" {{
  name   = "read-bucket"
  role   = aws_iam_role.fn.id
  policy = {inline}
}}

resource "aws_iam_policy" "managed" {{
  name_prefix = "app-"
  policy = jsonencode({{
    Version   = "2012-10-17"
    Statement = [{{ Effect = "Allow", Action = "{managed_action}", Resource = "*" }}]
  }})
}}

resource "aws_iam_role_policy_attachment" "managed" {{
  role       = aws_iam_role.fn.name
  policy_arn = aws_iam_policy.managed.arn
}}
"#
    )
}

const INLINE_JSONENCODE: &str = r#"jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Action = ["s3:GetObject"], Resource = "arn:aws:s3:::bucket/*" }]
  })"#;

/// The same policy, written by hand: other key order, layout, a string for the one action.
const INLINE_HEREDOC: &str = r#"<<-JSON
    {
      "Statement": [
        {
          "Resource": "arn:aws:s3:::bucket/*",
          "Action": "s3:GetObject",
          "Effect": "Allow"
        }
      ],
      "Version": "2012-10-17"
    }
  JSON"#;

fn role_summary(aws: &Emulator) -> serde_json::Value {
    let out = aws.python(
        r#"
iam = boto3.client("iam")
attached = sorted(p["PolicyName"] for p in iam.list_attached_role_policies(RoleName="fn-role")["AttachedPolicies"])
inline = iam.list_role_policies(RoleName="fn-role")["PolicyNames"]
trust = iam.get_role(RoleName="fn-role")["Role"]["AssumeRolePolicyDocument"]
print(json.dumps([attached, inline, trust["Statement"][0]["Principal"]]))
"#,
    );
    serde_json::from_str(out.trim()).expect("role summary")
}

#[test]
fn a_lambda_role_with_policies_applies_plans_no_changes_and_destroys() {
    let aws = Emulator::start();
    let dir = dir_with(&[("main.tf", &config(INLINE_JSONENCODE, "s3:ListBucket"))]);
    let out = aws.ok(dir.path(), &["apply", "-auto-approve"]);
    assert!(out.contains("Apply complete! Resources: 5 added"), "{out}");
    let summary = role_summary(&aws);
    assert_eq!(summary[0][0], "AWSLambdaBasicExecutionRole", "{summary}");
    assert!(
        summary[0][1].as_str().unwrap().starts_with("app-"),
        "{summary}"
    );
    assert_eq!(summary[1], serde_json::json!(["read-bucket"]));
    assert_eq!(
        summary[2],
        serde_json::json!({"Service": "lambda.amazonaws.com"})
    );
    let s = state(dir.path());
    let role = s["resources"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["type"] == "aws_iam_role")
        .unwrap();
    let attrs = &role["instances"][0]["attributes"];
    assert_eq!(attrs["arn"], "arn:aws:iam::123456789012:role/fn-role");
    assert_eq!(attrs["tags"]["Team"], "web");

    // What IAM returns (URL-encoded, re-serialised) is no drift.
    let plan = aws.ok(dir.path(), &["plan"]);
    assert!(plan.contains("No changes."), "{plan}");

    // The same inline policy written differently is no change either.
    std::fs::write(
        dir.path().join("main.tf"),
        config(INLINE_HEREDOC, "s3:ListBucket"),
    )
    .unwrap();
    let plan = aws.ok(dir.path(), &["plan"]);
    assert!(plan.contains("No changes."), "{plan}");

    // A real change to the managed policy (a new default version) and to the role's tags,
    // both in place.
    std::fs::write(
        dir.path().join("main.tf"),
        config(INLINE_HEREDOC, "s3:ListAllMyBuckets").replace("Team = \"web\"", "Owner = \"ops\""),
    )
    .unwrap();
    let plan = aws.ok(dir.path(), &["plan"]);
    assert!(
        plan.contains("0 to add, 2 to change, 0 to destroy"),
        "{plan}"
    );
    aws.ok(dir.path(), &["apply", "-auto-approve"]);
    let tags = aws.python(
        r#"print(json.dumps(boto3.client("iam").list_role_tags(RoleName="fn-role")["Tags"]))"#,
    );
    assert_eq!(tags.trim(), r#"[{"Key": "Owner", "Value": "ops"}]"#);
    let versions = aws.python(
        r#"
iam = boto3.client("iam")
arn = [p["Arn"] for p in iam.list_policies(Scope="Local")["Policies"]][0]
v = iam.get_policy(PolicyArn=arn)["Policy"]["DefaultVersionId"]
doc = iam.get_policy_version(PolicyArn=arn, VersionId=v)["PolicyVersion"]["Document"]
print(json.dumps([v, doc["Statement"][0]["Action"]]))
"#,
    );
    assert_eq!(versions.trim(), r#"["v2", "s3:ListAllMyBuckets"]"#);
    let plan = aws.ok(dir.path(), &["plan"]);
    assert!(plan.contains("No changes."), "{plan}");

    let out = aws.ok(dir.path(), &["destroy", "-auto-approve"]);
    assert!(
        out.contains("Destroy complete! Resources: 5 destroyed"),
        "{out}"
    );
    let left = aws.python(
        r#"
iam = boto3.client("iam")
print(json.dumps([[r["RoleName"] for r in iam.list_roles()["Roles"]], len(iam.list_policies(Scope="Local")["Policies"])]))
"#,
    );
    assert_eq!(left.trim(), "[[], 0]");
}

#[test]
fn an_invalid_policy_is_reported_at_its_argument_before_anything_is_created() {
    let aws = Emulator::start();
    let dir = dir_with(&[(
        "main.tf",
        r#"
provider "aws" {
  region = "us-east-1"
}

resource "aws_iam_role" "r" {
  name               = "r"
  assume_role_policy = "{not json"
}
"#,
    )]);
    let o = aws.run(dir.path(), &["plan"]);
    let out = support::text(&o);
    assert_eq!(o.status.code(), Some(1), "{out}");
    assert!(out.contains("invalid JSON policy"), "{out}");
    assert!(out.contains("[main.tf:8:24]"), "{out}");
}

#[test]
fn a_role_is_imported_by_name() {
    let aws = Emulator::start();
    aws.python(
        r#"
boto3.client("iam").create_role(RoleName="legacy", AssumeRolePolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}]}))
"#,
    );
    let dir = dir_with(&[(
        "main.tf",
        r#"
provider "aws" {
  region = "us-east-1"
}

import {
  to = aws_iam_role.legacy
  id = "legacy"
}

resource "aws_iam_role" "legacy" {
  name = "legacy"
  assume_role_policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Principal = { Service = "ec2.amazonaws.com" }, Action = "sts:AssumeRole" }]
  })
}
"#,
    )]);
    let plan = aws.ok(dir.path(), &["plan"]);
    assert!(
        plan.contains("1 to import, 0 to add, 0 to change, 0 to destroy"),
        "{plan}"
    );
    aws.ok(dir.path(), &["apply", "-auto-approve"]);
    let plan = aws.ok(dir.path(), &["plan"]);
    assert!(plan.contains("No changes."), "{plan}");
}
