//! The course's serverless app (`examples/lambda-api`, its main.tf and src/index.js
//! unmodified) against the AWS emulator: a Lambda function packaged from `src/`, its role, and
//! a REST API in front of it. Each test edits a temporary copy of the example, as a user does:
//! the code, the runtime (Node.js → Python), the routes; then destroys.

mod support;

use base64::Engine as _;
use sha2::Digest as _;
use std::path::Path;
use support::{Emulator, course_example, text};

const FUNCTION: &str = "sample-app-lambda";
const API: &str = "sample-app-api";

fn edit(path: &Path, from: &str, to: &str) {
    let body = std::fs::read_to_string(path).unwrap();
    assert!(body.contains(from), "{} has no {from:?}", path.display());
    std::fs::write(path, body.replacen(from, to, 1)).unwrap();
}

/// What the emulator holds: the function's configuration, and the API's paths with methods
/// and its stage's deployment.
fn function(aws: &Emulator) -> serde_json::Value {
    let out = aws.python(&format!(
        r#"print(json.dumps(boto3.client("lambda").get_function(FunctionName="{FUNCTION}")["Configuration"], default=str))"#
    ));
    serde_json::from_str(out.trim()).expect("function configuration")
}

/// (paths with their methods, sorted; the stage's deployment; how many deployments exist).
fn api(aws: &Emulator) -> (Vec<String>, String, usize) {
    let out = aws.python(&format!(
        r#"
c = boto3.client("apigateway")
api = [a for a in c.get_rest_apis()["items"] if a["name"] == "{API}"][0]
paths = sorted(r["path"] + " " + ",".join(sorted(r.get("resourceMethods", {{}}).keys())) for r in c.get_resources(restApiId=api["id"], embed=["methods"])["items"])
stage = c.get_stage(restApiId=api["id"], stageName="prod")
deployments = c.get_deployments(restApiId=api["id"])["items"]
print(json.dumps([paths, stage["deploymentId"], len(deployments)]))
"#
    ));
    serde_json::from_str(out.trim()).expect("api summary")
}

/// The package the module wrote, and its base64 SHA-256 (what Lambda calls CodeSha256).
fn package_sha(dir: &Path) -> String {
    let zip =
        std::fs::read(dir.join(".terraform/lambda/sample-app-lambda.zip")).expect("the package");
    base64::engine::general_purpose::STANDARD.encode(sha2::Sha256::digest(&zip))
}

fn lambda_calls(aws: &Emulator) -> Vec<String> {
    aws.calls("lambda")
        .as_object()
        .map(|m| m.keys().cloned().collect())
        .unwrap_or_default()
}

#[test]
fn the_course_serverless_example_applies_updates_code_runtime_and_routes_then_destroys() {
    let aws = Emulator::start();
    let (_tmp, dir) = course_example("lambda-api");

    let out = aws.ok(&dir, &["apply", "-auto-approve"]);
    assert!(out.contains("Apply complete!"), "{out}");
    let url = out
        .lines()
        .find_map(|l| l.strip_prefix("api_url = "))
        .unwrap_or_else(|| panic!("no api_url output:\n{out}"));
    assert!(
        url.starts_with("\"https://")
            && url.ends_with(".execute-api.us-east-1.amazonaws.com/prod\""),
        "{url}"
    );
    let f = function(&aws);
    assert_eq!(f["Runtime"], "nodejs20.x");
    assert_eq!(f["Handler"], "index.handler");
    assert_eq!(f["MemorySize"], 128);
    assert_eq!(f["Timeout"], 5);
    assert_eq!(
        f["CodeSha256"],
        package_sha(&dir),
        "CodeSha256 is the zip's"
    );
    let roles = aws.python(&format!(
        r#"print(json.dumps([p["PolicyName"] for p in boto3.client("iam").list_attached_role_policies(RoleName="{FUNCTION}-role")["AttachedPolicies"]]))"#
    ));
    assert_eq!(roles.trim(), r#"["AWSLambdaBasicExecutionRole"]"#);
    let (paths, first_deployment, deployments) = api(&aws);
    assert_eq!(paths, ["/ ANY"]);
    assert_eq!(deployments, 1);

    // Nothing changed: nothing to do, for a handful of calls.
    aws.reset_calls();
    let plan = aws.ok(&dir, &["plan"]);
    assert!(plan.contains("No changes."), "{plan}");
    let calls: Vec<(&str, u64)> = ["lambda", "iam", "apigateway", "sts"]
        .into_iter()
        .map(|s| (s, aws.call_total(s)))
        .collect();
    eprintln!("API calls of a plan with nothing to do: {calls:?}");
    let total: u64 = calls.iter().map(|(_, n)| n).sum();
    assert!(
        total <= 15,
        "{calls:?}: {:?}",
        aws.api("GET", "/_terrane/calls", None)
    );

    // Touching the source (same bytes, new mtime) changes nothing either.
    let index_js = dir.join("src/index.js");
    let bytes = std::fs::read(&index_js).unwrap();
    std::fs::write(&index_js, &bytes).unwrap();
    let later = std::time::SystemTime::now() + std::time::Duration::from_secs(3600);
    std::fs::File::options()
        .write(true)
        .open(&index_js)
        .unwrap()
        .set_modified(later)
        .unwrap();
    let plan = aws.ok(&dir, &["plan"]);
    assert!(plan.contains("No changes."), "{plan}");

    // New code: only the code is updated.
    edit(&index_js, "Hello from Lambda!", "Hello again from Lambda!");
    let plan = aws.ok(&dir, &["plan"]);
    assert!(
        plan.contains("module.lambda.aws_lambda_function.this will be updated in-place"),
        "{plan}"
    );
    assert!(
        plan.contains("0 to add, 1 to change, 0 to destroy"),
        "{plan}"
    );
    aws.reset_calls();
    aws.ok(&dir, &["apply", "-auto-approve"]);
    let calls = lambda_calls(&aws);
    assert!(calls.iter().any(|c| c == "UpdateFunctionCode"), "{calls:?}");
    assert!(
        !calls.iter().any(|c| c == "UpdateFunctionConfiguration"),
        "{calls:?}"
    );
    assert_eq!(function(&aws)["CodeSha256"], package_sha(&dir));

    // Python instead: index.py and the runtime; configuration and code, in place.
    std::fs::remove_file(&index_js).unwrap();
    std::fs::write(
        dir.join("src/index.py"),
        "import json\n\ndef handler(event, context):\n    return {\"statusCode\": 200, \"body\": json.dumps(\"Hello from Python!\")}\n",
    )
    .unwrap();
    edit(&dir.join("main.tf"), "nodejs20.x", "python3.9");
    let plan = aws.ok(&dir, &["plan"]);
    assert!(
        plan.contains("0 to add, 1 to change, 0 to destroy"),
        "{plan}"
    );
    assert!(!plan.contains("Warning"), "{plan}");
    let arn_before = function(&aws)["FunctionArn"].clone();
    aws.reset_calls();
    aws.ok(&dir, &["apply", "-auto-approve"]);
    let calls = lambda_calls(&aws);
    assert!(calls.iter().any(|c| c == "UpdateFunctionCode"), "{calls:?}");
    assert!(
        calls.iter().any(|c| c == "UpdateFunctionConfiguration"),
        "{calls:?}"
    );
    let f = function(&aws);
    assert_eq!(f["Runtime"], "python3.9");
    assert_eq!(f["FunctionArn"], arn_before, "updated in place");
    assert_eq!(f["CodeSha256"], package_sha(&dir));
    let plan = aws.ok(&dir, &["plan"]);
    assert!(plan.contains("No changes."), "{plan}");

    // Two more routes: their resources, methods and integrations, and a new deployment.
    edit(
        &dir.join("main.tf"),
        "  function_arn = module.lambda.function_arn\n",
        "  function_arn = module.lambda.function_arn\n  routes       = [\"/\", \"/users\", \"/products\"]\n",
    );
    let plan = aws.ok(&dir, &["plan"]);
    for route in ["/users", "/products"] {
        for kind in ["resource.depth1", "method.route", "integration.route"] {
            let line =
                format!("module.api_gateway.aws_api_gateway_{kind}[\"{route}\"] will be created");
            assert!(plan.contains(&line), "{line}\n{plan}");
        }
    }
    assert!(
        plan.contains("module.api_gateway.aws_api_gateway_deployment.this must be replaced"),
        "{plan}"
    );
    assert!(
        plan.contains("Plan: 7 to add, 1 to change, 1 to destroy."),
        "{plan}"
    );
    aws.ok(&dir, &["apply", "-auto-approve"]);
    let (paths, deployment, deployments) = api(&aws);
    assert_eq!(paths, ["/ ANY", "/products ANY", "/users ANY"]);
    assert_ne!(
        deployment, first_deployment,
        "the stage is on the new deployment"
    );
    assert_eq!(deployments, 1, "the old deployment is gone");
    let plan = aws.ok(&dir, &["plan"]);
    assert!(plan.contains("No changes."), "{plan}");

    // Destroy leaves no function, role or API.
    let out = aws.ok(&dir, &["destroy", "-auto-approve"]);
    assert!(out.contains("Destroy complete!"), "{out}");
    let left = aws.python(
        r#"
fns = boto3.client("lambda").list_functions()["Functions"]
roles = [r["RoleName"] for r in boto3.client("iam").list_roles()["Roles"]]
apis = boto3.client("apigateway").get_rest_apis()["items"]
print(json.dumps([len(fns), roles, len(apis)]))
"#,
    );
    assert_eq!(left.trim(), "[0, [], 0]");
}

#[test]
fn mistakes_in_the_module_arguments_are_reported_at_plan_where_they_were_written() {
    let aws = Emulator::start();
    let (_tmp, dir) = course_example("lambda-api");
    let main = dir.join("main.tf");

    // A src_dir that does not exist: an error at the argument, before anything is created.
    edit(&main, "${path.module}/src", "${path.module}/source");
    let o = aws.run(&dir, &["plan"]);
    let out = text(&o);
    assert_eq!(o.status.code(), Some(1), "{out}");
    assert!(
        out.contains("[main.tf:5:"),
        "points at src_dir in main.tf:\n{out}"
    );
    assert!(out.contains("source"), "{out}");
    edit(&main, "${path.module}/source", "${path.module}/src");

    // An unknown runtime: a warning at the argument; the plan goes on.
    edit(&main, "nodejs20.x", "nodejs99.x");
    let o = aws.run(&dir, &["plan"]);
    let out = text(&o);
    assert_eq!(o.status.code(), Some(0), "{out}");
    assert!(out.contains("Warning"), "{out}");
    assert!(out.contains("nodejs99.x"), "{out}");
    assert!(
        out.contains("[main.tf:6:"),
        "points at runtime in main.tf:\n{out}"
    );
    assert!(out.contains("Plan: "), "{out}");
    // Applied anyway: AWS's own error, at the same argument, and nothing lost.
    let o = aws.run(&dir, &["apply", "-auto-approve"]);
    let out = text(&o);
    assert_eq!(o.status.code(), Some(1), "{out}");
    assert!(out.contains("InvalidParameterValueException"), "{out}");
    assert!(
        out.contains("[main.tf:6:"),
        "points at runtime in main.tf:\n{out}"
    );
    edit(&main, "nodejs99.x", "nodejs20.x");
    let out = aws.ok(&dir, &["apply", "-auto-approve"]);
    assert!(out.contains("Apply complete!"), "{out}");

    // A handler whose file is not in the package: a warning at the handler argument.
    edit(&main, "index.handler", "app.handler");
    let o = aws.run(&dir, &["plan"]);
    let out = text(&o);
    assert_eq!(o.status.code(), Some(0), "{out}");
    assert!(out.contains("Warning"), "{out}");
    assert!(out.contains("app.js"), "{out}");
    assert!(
        out.contains("[main.tf:7:"),
        "points at handler in main.tf:\n{out}"
    );
}
