//! End-to-end tests of the API Gateway resources: the real binary against the AWS emulator
//! (moto), checked with boto3.

mod support;

use support::{Emulator, dir_with, state};

/// A REST API with nested resources (`/users`, `/users/{id}`, and `extra` when given), a
/// MOCK integration on each, a deployment redeployed by a hash of the routes, and a stage.
fn config(extra: bool) -> String {
    let extra_routes = if extra {
        r#"
resource "aws_api_gateway_resource" "orders" {
  rest_api_id = aws_api_gateway_rest_api.api.id
  parent_id   = aws_api_gateway_resource.user.id
  path_part   = "orders"
}
"#
    } else {
        ""
    };
    let routes = if extra {
        r#"{
    users  = aws_api_gateway_resource.users.id
    user   = aws_api_gateway_resource.user.id
    orders = aws_api_gateway_resource.orders.id
  }"#
    } else {
        r#"{
    users = aws_api_gateway_resource.users.id
    user  = aws_api_gateway_resource.user.id
  }"#
    };
    format!(
        r#"
provider "aws" {{
  region = "us-east-1"
}}

resource "aws_api_gateway_rest_api" "api" {{
  name = "shop"
  endpoint_configuration {{
    types = ["REGIONAL"]
  }}
}}

resource "aws_api_gateway_resource" "users" {{
  rest_api_id = aws_api_gateway_rest_api.api.id
  parent_id   = aws_api_gateway_rest_api.api.root_resource_id
  path_part   = "users"
}}

resource "aws_api_gateway_resource" "user" {{
  rest_api_id = aws_api_gateway_rest_api.api.id
  parent_id   = aws_api_gateway_resource.users.id
  path_part   = "{{id}}"
}}
{extra_routes}
locals {{
  routes = {routes}
}}

resource "aws_api_gateway_method" "any" {{
  for_each      = local.routes
  rest_api_id   = aws_api_gateway_rest_api.api.id
  resource_id   = each.value
  http_method   = "ANY"
  authorization = "NONE"
}}

resource "aws_api_gateway_integration" "mock" {{
  for_each    = local.routes
  rest_api_id = aws_api_gateway_rest_api.api.id
  resource_id = aws_api_gateway_method.any[each.key].resource_id
  http_method = aws_api_gateway_method.any[each.key].http_method
  type        = "MOCK"
  request_templates = {{
    "application/json" = "{{\"statusCode\": 200}}"
  }}
}}

resource "aws_api_gateway_deployment" "api" {{
  rest_api_id = aws_api_gateway_rest_api.api.id
  triggers = {{
    redeployment = sha1(jsonencode(keys(local.routes)))
  }}
  lifecycle {{
    create_before_destroy = true
  }}
  depends_on = [aws_api_gateway_integration.mock]
}}

resource "aws_api_gateway_stage" "prod" {{
  rest_api_id   = aws_api_gateway_rest_api.api.id
  deployment_id = aws_api_gateway_deployment.api.id
  stage_name    = "prod"
}}

output "url" {{
  value = aws_api_gateway_stage.prod.invoke_url
}}
"#
    )
}

/// (paths with their methods and integration types; the stage's deployment; deployments).
fn api(aws: &Emulator) -> (Vec<String>, String, usize) {
    let out = aws.python(
        r#"
c = boto3.client("apigateway")
api = c.get_rest_apis()["items"][0]
paths = sorted(r["path"] + " " + ",".join(m + ":" + (v.get("methodIntegration") or {}).get("type", "-") for m, v in sorted(r.get("resourceMethods", {}).items())) for r in c.get_resources(restApiId=api["id"], embed=["methods"])["items"])
stage = c.get_stage(restApiId=api["id"], stageName="prod")
print(json.dumps([paths, stage["deploymentId"], len(c.get_deployments(restApiId=api["id"])["items"])]))
"#,
    );
    serde_json::from_str(out.trim()).expect("api summary")
}

#[test]
fn a_rest_api_with_nested_paths_deploys_redeploys_on_new_routes_and_is_destroyed() {
    let aws = Emulator::start();
    let dir = dir_with(&[("main.tf", &config(false))]);
    let out = aws.ok(dir.path(), &["apply", "-auto-approve"]);
    assert!(out.contains("Resources: 9 added"), "{out}");
    let (paths, first, deployments) = api(&aws);
    assert_eq!(paths, ["/ ", "/users ANY:MOCK", "/users/{id} ANY:MOCK"]);
    assert_eq!(deployments, 1);
    let s = state(dir.path());
    let user = s["resources"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["type"] == "aws_api_gateway_resource" && r["name"] == "user")
        .unwrap();
    assert_eq!(user["instances"][0]["attributes"]["path"], "/users/{id}");
    let url = out.lines().find_map(|l| l.strip_prefix("url = ")).unwrap();
    assert!(
        url.ends_with(".execute-api.us-east-1.amazonaws.com/prod\""),
        "{url}"
    );

    // Nothing to do, for one GetResources per resource type, not one call per object.
    aws.reset_calls();
    let plan = aws.ok(dir.path(), &["plan"]);
    assert!(plan.contains("No changes."), "{plan}");
    let calls = aws.calls("apigateway");
    eprintln!("API Gateway calls of a plan with nothing to do: {calls}");
    assert_eq!(calls["GetResources"], 3, "{calls}");
    assert!(aws.call_total("apigateway") <= 8, "{calls}");

    // A new route: its resource, method and integration, and a new deployment.
    std::fs::write(dir.path().join("main.tf"), config(true)).unwrap();
    let plan = aws.ok(dir.path(), &["plan"]);
    assert!(
        plan.contains("Plan: 4 to add, 1 to change, 1 to destroy."),
        "{plan}"
    );
    aws.ok(dir.path(), &["apply", "-auto-approve"]);
    let (paths, deployment, deployments) = api(&aws);
    assert_eq!(
        paths,
        [
            "/ ",
            "/users ANY:MOCK",
            "/users/{id} ANY:MOCK",
            "/users/{id}/orders ANY:MOCK"
        ]
    );
    assert_ne!(deployment, first);
    assert_eq!(deployments, 1);
    let plan = aws.ok(dir.path(), &["plan"]);
    assert!(plan.contains("No changes."), "{plan}");

    aws.ok(dir.path(), &["destroy", "-auto-approve"]);
    let left = aws.python(r#"print(len(boto3.client("apigateway").get_rest_apis()["items"]))"#);
    assert_eq!(left.trim(), "0");
}

#[test]
fn a_proxy_integration_without_its_http_method_is_an_error_at_plan() {
    let aws = Emulator::start();
    let dir = dir_with(&[(
        "main.tf",
        r#"
provider "aws" {
  region = "us-east-1"
}

resource "aws_api_gateway_rest_api" "api" {
  name = "api"
}

resource "aws_api_gateway_method" "root" {
  rest_api_id   = aws_api_gateway_rest_api.api.id
  resource_id   = aws_api_gateway_rest_api.api.root_resource_id
  http_method   = "ANY"
  authorization = "NONE"
}

resource "aws_api_gateway_integration" "root" {
  rest_api_id = aws_api_gateway_rest_api.api.id
  resource_id = aws_api_gateway_method.root.resource_id
  http_method = aws_api_gateway_method.root.http_method
  type        = "AWS_PROXY"
  uri         = "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:123456789012:function:f/invocations"
}
"#,
    )]);
    let o = aws.run(dir.path(), &["plan"]);
    let out = support::text(&o);
    assert_eq!(o.status.code(), Some(1), "{out}");
    assert!(out.contains("needs integration_http_method"), "{out}");
    assert!(out.contains("[main.tf:21:"), "{out}");
    assert!(out.contains("POST"), "{out}");
}
