//! End-to-end tests of the Lambda resources: the real binary against the AWS emulator (moto,
//! functions created but not run), checked with boto3.

mod support;

use support::{Emulator, dir_with, state};

fn config(memory: u32) -> String {
    format!(
        r#"
provider "aws" {{
  region = "us-east-1"
}}

data "archive_file" "code" {{
  type        = "zip"
  source_dir  = "${{path.module}}/src"
  output_path = "${{path.module}}/build/code.zip"
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
}}

resource "aws_lambda_function" "fn" {{
  function_name    = "hello"
  role             = aws_iam_role.fn.arn
  runtime          = "nodejs20.x"
  handler          = "index.handler"
  filename         = data.archive_file.code.output_path
  source_code_hash = data.archive_file.code.output_base64sha256
  memory_size      = {memory}
  publish          = true

  environment {{
    variables = {{
      GREETING = "hello"
    }}
  }}
}}

resource "aws_lambda_alias" "live" {{
  name             = "live"
  function_name    = aws_lambda_function.fn.function_name
  function_version = aws_lambda_function.fn.version
}}

resource "aws_lambda_permission" "api" {{
  statement_id  = "AllowAPIGateway"
  action        = "lambda:InvokeFunction"
  function_name = aws_lambda_function.fn.function_name
  principal     = "apigateway.amazonaws.com"
}}
"#
    )
}

fn lambda_calls(aws: &Emulator) -> Vec<String> {
    aws.calls("lambda")
        .as_object()
        .map(|m| m.keys().cloned().collect())
        .unwrap_or_default()
}

#[test]
fn a_function_is_created_updated_by_parts_and_destroyed() {
    let aws = Emulator::start();
    let dir = dir_with(&[
        ("main.tf", &config(128)),
        (
            "src/index.js",
            "exports.handler = async () => ({ statusCode: 200 });\n",
        ),
    ]);
    let out = aws.ok(dir.path(), &["apply", "-auto-approve"]);
    assert!(out.contains("Resources: 4 added"), "{out}");
    let f = aws.python(
        r#"
c = boto3.client("lambda")
f = c.get_function(FunctionName="hello")["Configuration"]
policy = json.loads(c.get_policy(FunctionName="hello")["Policy"])
alias = c.get_alias(FunctionName="hello", Name="live")
print(json.dumps([f["Runtime"], f["MemorySize"], f["Environment"]["Variables"], [s["Sid"] for s in policy["Statement"]], alias["FunctionVersion"]]))
"#,
    );
    assert_eq!(
        f.trim(),
        r#"["nodejs20.x", 128, {"GREETING": "hello"}, ["AllowAPIGateway"], "1"]"#
    );
    let s = state(dir.path());
    let function = s["resources"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["type"] == "aws_lambda_function")
        .unwrap();
    let attrs = &function["instances"][0]["attributes"];
    assert_eq!(attrs["version"], "1");
    assert_eq!(
        attrs["invoke_arn"],
        "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:123456789012:function:hello/invocations"
    );
    assert_eq!(attrs["code_sha256"], attrs["source_code_hash"]);

    let plan = aws.ok(dir.path(), &["plan"]);
    assert!(plan.contains("No changes."), "{plan}");

    // Memory only: a configuration update, no new code.
    std::fs::write(dir.path().join("main.tf"), config(256)).unwrap();
    aws.reset_calls();
    aws.ok(dir.path(), &["apply", "-auto-approve"]);
    let calls = lambda_calls(&aws);
    assert!(
        calls.iter().any(|c| c == "UpdateFunctionConfiguration"),
        "{calls:?}"
    );
    assert!(
        !calls.iter().any(|c| c == "UpdateFunctionCode"),
        "{calls:?}"
    );

    // New code only: a code update, no configuration call.
    std::fs::write(
        dir.path().join("src/index.js"),
        "exports.handler = async () => ({ statusCode: 201 });\n",
    )
    .unwrap();
    aws.reset_calls();
    aws.ok(dir.path(), &["apply", "-auto-approve"]);
    let calls = lambda_calls(&aws);
    assert!(calls.iter().any(|c| c == "UpdateFunctionCode"), "{calls:?}");
    assert!(
        !calls.iter().any(|c| c == "UpdateFunctionConfiguration"),
        "{calls:?}"
    );
    let plan = aws.ok(dir.path(), &["plan"]);
    assert!(plan.contains("No changes."), "{plan}");

    let out = aws.ok(dir.path(), &["destroy", "-auto-approve"]);
    assert!(out.contains("Destroy complete!"), "{out}");
    let left = aws.python(r#"print(len(boto3.client("lambda").list_functions()["Functions"]))"#);
    assert_eq!(left.trim(), "0");
}

#[test]
fn a_function_from_s3_is_updated_when_its_object_version_changes() {
    let aws = Emulator::start();
    let versions = aws.python(
        r#"
import io, zipfile
s3 = boto3.client("s3")
s3.create_bucket(Bucket="code")
s3.put_bucket_versioning(Bucket="code", VersioningConfiguration={"Status": "Enabled"})
out = []
for body in ["exports.handler = async () => 1;", "exports.handler = async () => 2;"]:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("index.js", body)
    out.append(s3.put_object(Bucket="code", Key="fn.zip", Body=buf.getvalue())["VersionId"])
print(json.dumps(out))
"#,
    );
    let versions: Vec<String> = serde_json::from_str(versions.trim()).unwrap();
    let tf = |version: &str| {
        format!(
            r#"
provider "aws" {{
  region = "us-east-1"
}}

resource "aws_iam_role" "fn" {{
  name = "s3-fn-role"
  assume_role_policy = jsonencode({{
    Version   = "2012-10-17"
    Statement = [{{ Effect = "Allow", Action = "sts:AssumeRole", Principal = {{ Service = "lambda.amazonaws.com" }} }}]
  }})
}}

resource "aws_lambda_function" "fn" {{
  function_name     = "from-s3"
  role              = aws_iam_role.fn.arn
  runtime           = "nodejs20.x"
  handler           = "index.handler"
  s3_bucket         = "code"
  s3_key            = "fn.zip"
  s3_object_version = "{version}"
}}
"#
        )
    };
    let dir = dir_with(&[("main.tf", &tf(&versions[0]))]);
    aws.ok(dir.path(), &["apply", "-auto-approve"]);
    let plan = aws.ok(dir.path(), &["plan"]);
    assert!(plan.contains("No changes."), "{plan}");
    std::fs::write(dir.path().join("main.tf"), tf(&versions[1])).unwrap();
    aws.reset_calls();
    aws.ok(dir.path(), &["apply", "-auto-approve"]);
    let calls = lambda_calls(&aws);
    assert!(calls.iter().any(|c| c == "UpdateFunctionCode"), "{calls:?}");
    assert!(
        !calls.iter().any(|c| c == "UpdateFunctionConfiguration"),
        "{calls:?}"
    );
    // (moto fetches the key's latest version whatever the version asked for, so the code
    // itself cannot tell the two apart here.)
    let plan = aws.ok(dir.path(), &["plan"]);
    assert!(plan.contains("No changes."), "{plan}");
}

#[test]
fn a_function_without_a_code_source_is_an_error_at_plan() {
    let aws = Emulator::start();
    let dir = dir_with(&[(
        "main.tf",
        r#"
provider "aws" {
  region = "us-east-1"
}

resource "aws_lambda_function" "fn" {
  function_name = "nothing"
  role          = "arn:aws:iam::123456789012:role/r"
  runtime       = "nodejs20.x"
  handler       = "index.handler"
}
"#,
    )]);
    let o = aws.run(dir.path(), &["plan"]);
    let out = support::text(&o);
    assert_eq!(o.status.code(), Some(1), "{out}");
    assert!(out.contains("exactly one code source"), "{out}");
}
