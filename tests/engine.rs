//! End-to-end tests of plan / apply / destroy with the built-in providers: the offline loop a
//! Terraform user runs, the state file they get, and what happens when things go wrong.

use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

fn terrane(dir: &Path) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_terrane"));
    c.env("NO_COLOR", "1")
        .env("COLUMNS", "100")
        .arg("-C")
        .arg(dir)
        .stdin(Stdio::null());
    c
}

fn run(dir: &Path, args: &[&str]) -> Output {
    terrane(dir).args(args).output().expect("run terrane")
}

fn text(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

fn ok(dir: &Path, args: &[&str]) -> String {
    let o = run(dir, args);
    assert_eq!(
        o.status.code(),
        Some(0),
        "terrane {args:?} failed:\n{}",
        text(&o)
    );
    text(&o)
}

fn dir_with(files: &[(&str, &str)]) -> tempfile::TempDir {
    let tmp = tempfile::tempdir().expect("temporary directory");
    for (name, body) in files {
        let path = tmp.path().join(name);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).expect("create directory");
        }
        std::fs::write(path, body).expect("write file");
    }
    tmp
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("create directory");
    for entry in std::fs::read_dir(from).expect("read directory") {
        let entry = entry.expect("directory entry");
        let target = to.join(entry.file_name());
        if entry.path().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).expect("copy file");
        }
    }
}

fn state(dir: &Path) -> serde_json::Value {
    let bytes = std::fs::read(dir.join("terraform.tfstate")).expect("state file");
    serde_json::from_slice(&bytes).expect("state JSON")
}

/// Every instance address in the state, as `type.name[key]`.
fn instances(dir: &Path) -> Vec<String> {
    let s = state(dir);
    let mut out = Vec::new();
    for r in s["resources"].as_array().into_iter().flatten() {
        let base = format!(
            "{}{}.{}",
            r["module"]
                .as_str()
                .map(|m| format!("{m}."))
                .unwrap_or_default(),
            r["type"].as_str().unwrap_or(""),
            r["name"].as_str().unwrap_or("")
        );
        for i in r["instances"].as_array().into_iter().flatten() {
            match &i["index_key"] {
                serde_json::Value::Null => out.push(base.clone()),
                k => out.push(format!("{base}[{k}]")),
            }
        }
    }
    out.sort();
    out
}

#[test]
fn the_quickstart_goes_through_init_plan_apply_output_and_destroy() {
    let tmp = tempfile::tempdir().expect("temporary directory");
    let dir = tmp.path().join("quickstart");
    copy_dir(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/quickstart"),
        &dir,
    );
    ok(&dir, &["init"]);
    assert!(dir.join(".terraform/modules/modules.json").is_file());
    let o = run(&dir, &["plan", "-detailed-exitcode"]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(text(&o).contains("Plan: 4 to add, 0 to change, 0 to destroy."));
    let applied = ok(&dir, &["apply", "-auto-approve"]);
    assert!(applied.contains("Apply complete! Resources: 4 added, 0 changed, 0 destroyed."));
    assert_eq!(
        std::fs::read_to_string(dir.join("out/bruno.txt")).unwrap(),
        "BONJOUR, BRUNO!"
    );
    // The state is Terraform's v4 format, private to its owner, and nothing is left over.
    let s = state(&dir);
    assert_eq!(s["version"], 4);
    assert_eq!(s["serial"], 1);
    assert_eq!(instances(&dir).len(), 4);
    assert!(!dir.join("terraform.tfstate.journal").exists());
    assert!(!dir.join(".terraform.tfstate.lock.info").exists());
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(dir.join("terraform.tfstate"))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    // A second plan finds nothing to do.
    let o = run(&dir, &["plan", "-detailed-exitcode"]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    assert!(text(&o).contains("No changes."));
    let greetings = ok(&dir, &["output", "-json", "greetings"]);
    assert!(
        greetings.contains("\"bruno\":\"BONJOUR, BRUNO!\""),
        "{greetings}"
    );
    let destroyed = ok(&dir, &["destroy", "-auto-approve"]);
    assert!(destroyed.contains("Destroy complete! Resources: 4 destroyed."));
    assert!(instances(&dir).is_empty());
    assert!(!dir.join("out/bruno.txt").exists());
    assert!(dir.join("terraform.tfstate.backup").is_file());
}

#[test]
fn raising_count_from_three_to_five_adds_exactly_two() {
    let tf = |n: u32| {
        format!(
            "resource \"terraform_data\" \"worker\" {{\n  count = {n}\n  input = \"worker-${{count.index}}\"\n}}\n"
        )
    };
    let tmp = dir_with(&[("main.tf", &tf(3))]);
    ok(tmp.path(), &["apply", "-auto-approve"]);
    let before = state(tmp.path());
    std::fs::write(tmp.path().join("main.tf"), tf(5)).unwrap();
    let plan = ok(tmp.path(), &["plan"]);
    assert!(
        plan.contains("Plan: 2 to add, 0 to change, 0 to destroy."),
        "{plan}"
    );
    assert!(plan.contains("terraform_data.worker[3] will be created"));
    assert!(plan.contains("terraform_data.worker[4] will be created"));
    ok(tmp.path(), &["apply", "-auto-approve"]);
    assert_eq!(instances(tmp.path()).len(), 5);
    // The first three are the same objects as before.
    let after = state(tmp.path());
    assert_eq!(
        before["resources"][0]["instances"][0]["attributes"]["id"],
        after["resources"][0]["instances"][0]["attributes"]["id"]
    );
    assert_eq!(after["serial"], 2);
}

#[test]
fn variables_take_terraforms_precedence() {
    let tmp = dir_with(&[
        (
            "main.tf",
            "variable \"name\" {\n  type = string\n}\nvariable \"size\" {\n  type    = number\n  default = 1\n}\noutput \"name\" {\n  value = var.name\n}\noutput \"size\" {\n  value = var.size\n}\n",
        ),
        ("terraform.tfvars", "name = \"from-tfvars\"\n"),
        ("later.auto.tfvars", "name = \"from-auto\"\n"),
        ("extra.tfvars", "name = \"from-var-file\"\nsize = 3\n"),
    ]);
    let name = |args: &[&str]| {
        let mut all = vec!["apply", "-auto-approve"];
        all.extend_from_slice(args);
        let o = terrane(tmp.path())
            .args(&all)
            .env("TF_VAR_name", "from-env")
            .output()
            .unwrap();
        assert_eq!(o.status.code(), Some(0), "{}", text(&o));
        let o = run(tmp.path(), &["output", "-raw", "name"]);
        String::from_utf8_lossy(&o.stdout).into_owned()
    };
    assert_eq!(name(&[]), "from-auto");
    assert_eq!(name(&["-var-file=extra.tfvars"]), "from-var-file");
    assert_eq!(
        name(&["-var-file=extra.tfvars", "-var", "name=from-cli"]),
        "from-cli"
    );
    assert_eq!(
        name(&["-var", "name=from-cli", "-var-file=extra.tfvars"]),
        "from-var-file"
    );
    let o = run(tmp.path(), &["output", "-raw", "size"]);
    assert_eq!(String::from_utf8_lossy(&o.stdout), "3");
}

#[test]
fn a_missing_required_variable_is_an_error_at_its_declaration() {
    let tmp = dir_with(&[(
        "main.tf",
        "variable \"region\" {\n  type = string\n}\noutput \"r\" {\n  value = var.region\n}\n",
    )]);
    let o = run(tmp.path(), &["plan"]);
    assert_eq!(o.status.code(), Some(1));
    let t = text(&o);
    assert!(t.contains("No value for required variable"), "{t}");
    assert!(t.contains("main.tf:1:1"), "{t}");
}

#[test]
fn a_second_process_is_refused_while_the_state_is_locked_and_told_who_holds_it() {
    let tmp = dir_with(&[(
        "main.tf",
        "resource \"time_sleep\" \"wait\" {\n  create_duration = \"2s\"\n}\n",
    )]);
    let mut first = terrane(tmp.path())
        .args(["apply", "-auto-approve"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let lock = tmp.path().join(".terraform.tfstate.lock.info");
    let started = Instant::now();
    while !lock.exists() && started.elapsed() < Duration::from_secs(20) {
        std::thread::sleep(Duration::from_millis(20));
    }
    assert!(lock.exists(), "the first apply should hold the lock");
    let o = run(tmp.path(), &["plan"]);
    assert_eq!(o.status.code(), Some(1));
    let t = text(&o);
    assert!(t.contains("Error acquiring the state lock"), "{t}");
    assert!(t.contains("OperationTypeApply"), "{t}");
    assert!(t.contains("force-unlock"), "{t}");
    assert!(first.wait().unwrap().success());
    assert!(!lock.exists());
}

#[test]
fn applying_without_a_terminal_or_auto_approve_is_a_clear_error() {
    let tmp = dir_with(&[("main.tf", "resource \"terraform_data\" \"x\" {}\n")]);
    let o = run(tmp.path(), &["apply"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(text(&o).contains("-auto-approve"));
    assert!(!tmp.path().join("terraform.tfstate").exists());
}

#[test]
fn a_saved_plan_applies_exactly_and_is_refused_once_the_state_moved_on() {
    let tmp = dir_with(&[(
        "main.tf",
        "resource \"terraform_data\" \"a\" {\n  input = \"one\"\n}\n",
    )]);
    ok(tmp.path(), &["plan", "-out", "first.tfplan"]);
    let applied = ok(tmp.path(), &["apply", "first.tfplan"]);
    assert!(applied.contains("1 added"), "{applied}");
    std::fs::write(
        tmp.path().join("main.tf"),
        "resource \"terraform_data\" \"a\" {\n  input = \"two\"\n}\n",
    )
    .unwrap();
    ok(tmp.path(), &["plan", "-out", "second.tfplan"]);
    ok(tmp.path(), &["apply", "-auto-approve"]);
    let o = run(tmp.path(), &["apply", "second.tfplan"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(text(&o).contains("Saved plan is stale"), "{}", text(&o));
}

#[test]
fn a_run_killed_midway_forgets_nothing_and_duplicates_nothing() {
    // 500 quick resources and a chain of sleeps: the kill lands while the chain runs,
    // whatever the machine's speed.
    let mut tf = String::from(
        "resource \"terraform_data\" \"item\" {\n  count = 500\n  input = count.index\n}\n",
    );
    tf.push_str("resource \"time_sleep\" \"step0\" {\n  create_duration = \"250ms\"\n  depends_on      = [terraform_data.item]\n}\n");
    for i in 1..12 {
        tf.push_str(&format!(
            "resource \"time_sleep\" \"step{i}\" {{\n  create_duration = \"250ms\"\n  depends_on      = [time_sleep.step{}]\n}}\n",
            i - 1
        ));
    }
    let tmp = dir_with(&[("main.tf", &tf)]);
    let journal = tmp.path().join("terraform.tfstate.journal");
    let mut child = terrane(tmp.path())
        .args(["apply", "-auto-approve"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    // Wait until the first sleep has completed, then kill without warning.
    let started = Instant::now();
    loop {
        let done = std::fs::read_to_string(&journal).unwrap_or_default();
        if done.contains("time_sleep.step1") || started.elapsed() > Duration::from_secs(30) {
            break;
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    child.kill().unwrap();
    child.wait().unwrap();
    // The next command recovers what was done; the plan creates exactly the rest.
    let o = run(tmp.path(), &["plan"]);
    let t = text(&o);
    assert_eq!(o.status.code(), Some(0), "{t}");
    assert!(t.contains("Recovered an interrupted apply"), "{t}");
    let recorded = instances(tmp.path());
    assert!(
        recorded
            .iter()
            .filter(|a| a.starts_with("terraform_data.item"))
            .count()
            == 500
    );
    assert!(
        recorded.len() < 512,
        "the kill should have come before the end"
    );
    let to_create = t.matches("will be created").count();
    assert_eq!(recorded.len() + to_create, 512, "{t}");
    for addr in &recorded {
        assert!(
            !t.contains(&format!("# {addr} will be created")),
            "{addr} twice"
        );
    }
    ok(tmp.path(), &["apply", "-auto-approve"]);
    assert_eq!(instances(tmp.path()).len(), 512);
}

#[test]
fn an_object_deleted_outside_terrane_is_reported_as_drift_and_created_again() {
    let tmp = dir_with(&[(
        "main.tf",
        "resource \"local_file\" \"note\" {\n  filename = \"${path.module}/note.txt\"\n  content  = \"hello\"\n}\n",
    )]);
    ok(tmp.path(), &["apply", "-auto-approve"]);
    std::fs::remove_file(tmp.path().join("note.txt")).unwrap();
    let plan = ok(tmp.path(), &["plan"]);
    assert!(
        plan.contains("Objects have changed outside of terrane"),
        "{plan}"
    );
    assert!(plan.contains("local_file.note has been deleted"), "{plan}");
    assert!(
        plan.contains("Plan: 1 to add, 0 to change, 0 to destroy."),
        "{plan}"
    );
    // With -refresh=false the state is trusted: nothing to do.
    let o = run(
        tmp.path(),
        &["plan", "-refresh=false", "-detailed-exitcode"],
    );
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    ok(tmp.path(), &["apply", "-auto-approve"]);
    assert_eq!(
        std::fs::read_to_string(tmp.path().join("note.txt")).unwrap(),
        "hello"
    );
    // Gone and no longer configured: it leaves the state without a delete call.
    ok(tmp.path(), &["apply", "-auto-approve"]);
    std::fs::remove_file(tmp.path().join("note.txt")).unwrap();
    std::fs::write(tmp.path().join("main.tf"), "").unwrap();
    ok(tmp.path(), &["apply", "-auto-approve"]);
    assert!(instances(tmp.path()).is_empty());
}

#[test]
fn a_moved_block_renames_objects_without_replacing_them() {
    let tmp = dir_with(&[(
        "main.tf",
        "resource \"terraform_data\" \"old\" {\n  count = 2\n  input = count.index\n}\n",
    )]);
    ok(tmp.path(), &["apply", "-auto-approve"]);
    let before = state(tmp.path());
    std::fs::write(
        tmp.path().join("main.tf"),
        "resource \"terraform_data\" \"new\" {\n  count = 2\n  input = count.index\n}\n\nmoved {\n  from = terraform_data.old\n  to   = terraform_data.new\n}\n",
    )
    .unwrap();
    let plan = ok(tmp.path(), &["plan"]);
    assert!(
        plan.contains("has moved to terraform_data.new[0]"),
        "{plan}"
    );
    assert!(!plan.contains("will be destroyed"), "{plan}");
    assert!(!plan.contains("will be created"), "{plan}");
    ok(tmp.path(), &["apply", "-auto-approve"]);
    assert_eq!(
        instances(tmp.path()),
        ["terraform_data.new[0]", "terraform_data.new[1]"]
    );
    let after = state(tmp.path());
    assert_eq!(
        before["resources"][0]["instances"][1]["attributes"]["id"],
        after["resources"][0]["instances"][1]["attributes"]["id"]
    );
    let o = run(tmp.path(), &["plan", "-detailed-exitcode"]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
}

#[test]
fn lifecycle_rules_replace_guard_and_check() {
    let tf = |version: &str, min: u32| {
        format!(
            r#"
resource "terraform_data" "config" {{
  input = "{version}"
}}

resource "terraform_data" "server" {{
  input = "server"
  lifecycle {{
    replace_triggered_by = [terraform_data.config]
    create_before_destroy = true
    precondition {{
      condition     = {min} <= 3
      error_message = "At most three."
    }}
    postcondition {{
      condition     = self.output == "server"
      error_message = "The output must follow the input."
    }}
  }}
}}

resource "terraform_data" "keep" {{
  input = "precious-{version}"
  lifecycle {{
    prevent_destroy = {prevent}
  }}
}}
"#,
            prevent = version == "v1"
        )
    };
    let tmp = dir_with(&[("main.tf", &tf("v1", 1))]);
    ok(tmp.path(), &["apply", "-auto-approve"]);
    // Changing keep's input is an update, which prevent_destroy allows.
    std::fs::write(tmp.path().join("main.tf"), tf("v1", 5)).unwrap();
    let o = run(tmp.path(), &["plan"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        text(&o).contains("Resource precondition failed"),
        "{}",
        text(&o)
    );
    assert!(text(&o).contains("At most three."));
    // The trigger replaces the server (create before destroy) when config changes.
    std::fs::write(tmp.path().join("main.tf"), tf("v2", 1)).unwrap();
    let plan = ok(tmp.path(), &["plan"]);
    assert!(
        plan.contains(
            "terraform_data.server will be replaced due to changes in replace_triggered_by"
        ),
        "{plan}"
    );
    assert!(
        plan.contains("+/- resource \"terraform_data\" \"server\""),
        "{plan}"
    );
    ok(tmp.path(), &["apply", "-auto-approve"]);
}

#[test]
fn an_import_block_brings_an_existing_object_under_management() {
    let tmp = dir_with(&[(
        "main.tf",
        "import {\n  to = terraform_data.adopted\n  id = \"existing-1234\"\n}\n\nresource \"terraform_data\" \"adopted\" {}\n",
    )]);
    let plan = ok(tmp.path(), &["plan"]);
    assert!(
        plan.contains("terraform_data.adopted will be imported"),
        "{plan}"
    );
    assert!(
        plan.contains("Plan: 1 to import, 0 to add, 0 to change, 0 to destroy."),
        "{plan}"
    );
    ok(tmp.path(), &["apply", "-auto-approve"]);
    let s = state(tmp.path());
    assert_eq!(
        s["resources"][0]["instances"][0]["attributes"]["id"],
        "existing-1234"
    );
    let o = run(tmp.path(), &["plan", "-detailed-exitcode"]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
}

#[test]
fn target_plans_only_the_targets_and_what_they_depend_on() {
    let tmp = dir_with(&[(
        "main.tf",
        r#"
resource "terraform_data" "base" {
  input = "base"
}
resource "terraform_data" "app" {
  input = terraform_data.base.id
}
resource "terraform_data" "other" {
  count = 2
  input = "other"
}
"#,
    )]);
    let applied = ok(
        tmp.path(),
        &["apply", "-auto-approve", "-target=terraform_data.app"],
    );
    assert!(
        applied.contains("Resource targeting is in effect"),
        "{applied}"
    );
    assert_eq!(
        instances(tmp.path()),
        ["terraform_data.app", "terraform_data.base"]
    );
    let plan = ok(tmp.path(), &["plan", "-target", "terraform_data.other[1]"]);
    assert!(
        plan.contains("Plan: 1 to add, 0 to change, 0 to destroy."),
        "{plan}"
    );
    assert!(
        plan.contains("terraform_data.other[1] will be created"),
        "{plan}"
    );
    let plan = ok(tmp.path(), &["plan"]);
    assert!(
        plan.contains("Plan: 2 to add, 0 to change, 0 to destroy."),
        "{plan}"
    );
}

#[test]
fn refresh_only_records_what_changed_outside_without_changing_anything() {
    let tmp = dir_with(&[(
        "main.tf",
        "resource \"local_file\" \"note\" {\n  filename = \"${path.module}/note.txt\"\n  content  = \"hello\"\n}\n",
    )]);
    ok(tmp.path(), &["apply", "-auto-approve"]);
    std::fs::remove_file(tmp.path().join("note.txt")).unwrap();
    let o = run(tmp.path(), &["plan", "-refresh-only", "-detailed-exitcode"]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(
        text(&o).contains("local_file.note has been deleted"),
        "{}",
        text(&o)
    );
    ok(tmp.path(), &["apply", "-refresh-only", "-auto-approve"]);
    // The state now says it is gone; nothing was created.
    assert!(instances(tmp.path()).is_empty());
    assert!(!tmp.path().join("note.txt").exists());
    let plan = ok(tmp.path(), &["plan"]);
    assert!(
        plan.contains("Plan: 1 to add, 0 to change, 0 to destroy."),
        "{plan}"
    );
}

#[test]
fn json_mode_streams_one_event_per_line() {
    let tmp = dir_with(&[(
        "main.tf",
        "resource \"terraform_data\" \"a\" {\n  input = \"x\"\n}\noutput \"o\" {\n  value = terraform_data.a.input\n}\n",
    )]);
    let kinds = |args: &[&str]| -> Vec<String> {
        let o = run(tmp.path(), args);
        assert_eq!(o.status.code(), Some(0), "{}", text(&o));
        String::from_utf8_lossy(&o.stdout)
            .lines()
            .map(|l| {
                let v: serde_json::Value = serde_json::from_str(l).expect("each line is JSON");
                v["type"].as_str().unwrap_or("").to_owned()
            })
            .collect()
    };
    assert_eq!(
        kinds(&["plan", "-json"]),
        ["version", "planned_change", "change_summary", "outputs"]
    );
    assert_eq!(
        kinds(&["apply", "-json", "-auto-approve"]),
        [
            "version",
            "planned_change",
            "change_summary",
            "apply_start",
            "apply_complete",
            "change_summary",
            "outputs"
        ]
    );
    let o = run(tmp.path(), &["apply", "-json"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(text(&o).contains("-auto-approve"));
}

#[test]
fn lists_and_sets_in_dynamic_attributes_do_not_cause_a_diff_on_every_plan() {
    let tmp = dir_with(&[(
        "main.tf",
        "resource \"terraform_data\" \"a\" {\n  input = tolist([\"a\", \"b\"])\n}\nresource \"terraform_data\" \"b\" {\n  input = toset([\"q\"])\n}\n",
    )]);
    ok(tmp.path(), &["apply", "-auto-approve"]);
    let o = run(tmp.path(), &["plan", "-detailed-exitcode"]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let s = state(tmp.path());
    assert_eq!(
        s["resources"][0]["instances"][0]["attributes"]["input"]["type"],
        serde_json::json!(["list", "string"])
    );
}

#[test]
fn destroy_refuses_to_destroy_what_prevent_destroy_protects() {
    let tmp = dir_with(&[(
        "main.tf",
        "resource \"terraform_data\" \"db\" {\n  input = \"data\"\n  lifecycle {\n    prevent_destroy = true\n  }\n}\n",
    )]);
    ok(tmp.path(), &["apply", "-auto-approve"]);
    let o = run(tmp.path(), &["destroy", "-auto-approve"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        text(&o).contains("Instance cannot be destroyed"),
        "{}",
        text(&o)
    );
    assert_eq!(instances(tmp.path()), ["terraform_data.db"]);
}

#[test]
fn an_interrupt_lets_running_operations_finish_saves_the_state_and_exits_with_one() {
    let mut tf =
        String::from("resource \"time_sleep\" \"s0\" {\n  create_duration = \"600ms\"\n}\n");
    for i in 1..4 {
        tf.push_str(&format!(
            "resource \"time_sleep\" \"s{i}\" {{\n  create_duration = \"600ms\"\n  depends_on      = [time_sleep.s{}]\n}}\n",
            i - 1
        ));
    }
    let tmp = dir_with(&[("main.tf", &tf)]);
    let child = terrane(tmp.path())
        .args(["apply", "-auto-approve"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Interrupt while the first sleep runs.
    let journal = tmp.path().join("terraform.tfstate.journal");
    let started = Instant::now();
    while !std::fs::read_to_string(&journal)
        .unwrap_or_default()
        .contains("time_sleep.s0")
        && started.elapsed() < Duration::from_secs(20)
    {
        std::thread::sleep(Duration::from_millis(10));
    }
    let status = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let out = child.wait_with_output().unwrap();
    let t = text(&out);
    assert_eq!(out.status.code(), Some(1), "{t}");
    assert!(t.contains("Interrupt received"), "{t}");
    assert!(t.contains("Apply interrupted"), "{t}");
    // What finished is in the state; nothing is left locked or unjournaled.
    let recorded = instances(tmp.path());
    assert!(
        recorded.contains(&"time_sleep.s0".to_string()),
        "{recorded:?}"
    );
    assert!(recorded.len() < 4, "{recorded:?}");
    assert!(!journal.exists());
    assert!(!tmp.path().join(".terraform.tfstate.lock.info").exists());
}

#[test]
fn create_before_destroy_deposes_the_old_object_and_a_leftover_deposed_object_is_destroyed() {
    let tf = |version: &str| {
        format!(
            r#"
resource "terraform_data" "server" {{
  input            = "server-{version}"
  triggers_replace = "{version}"
  lifecycle {{
    create_before_destroy = true
  }}
}}
"#
        )
    };
    let tmp = dir_with(&[("main.tf", &tf("v1"))]);
    ok(tmp.path(), &["apply", "-auto-approve"]);
    let old_id = state(tmp.path())["resources"][0]["instances"][0]["attributes"]["id"].clone();
    std::fs::write(tmp.path().join("main.tf"), tf("v2")).unwrap();
    let out = ok(tmp.path(), &["apply", "-auto-approve"]);
    let creating = out.find("terraform_data.server: Creating...").expect(&out);
    let destroying = out
        .find("terraform_data.server (deposed object ")
        .expect(&out);
    assert!(creating < destroying, "new object first:\n{out}");
    assert!(out.contains("Destruction complete after"), "{out}");
    assert!(
        out.contains("Resources: 1 added, 0 changed, 1 destroyed."),
        "{out}"
    );
    let s = state(tmp.path());
    let instance = &s["resources"][0]["instances"][0];
    assert!(instance.get("deposed").is_none(), "{instance}");
    assert_ne!(instance["attributes"]["id"], old_id);

    // A deposed object left in the state (a replacement whose delete failed, or one written
    // by Terraform) is destroyed by the next apply, and nothing else changes.
    let mut s = state(tmp.path());
    let mut leftover = s["resources"][0]["instances"][0].clone();
    leftover["deposed"] = serde_json::json!("deadbeef");
    leftover["attributes"]["id"] = serde_json::json!("left-over");
    s["resources"][0]["instances"]
        .as_array_mut()
        .unwrap()
        .push(leftover);
    std::fs::write(
        tmp.path().join("terraform.tfstate"),
        serde_json::to_string_pretty(&s).unwrap(),
    )
    .unwrap();
    let plan = ok(tmp.path(), &["plan"]);
    assert!(
        plan.contains("# terraform_data.server (deposed object \"deadbeef\") will be destroyed")
            || plan.contains("# terraform_data.server (deposed object deadbeef) will be destroyed"),
        "{plan}"
    );
    assert!(
        plan.contains("Plan: 0 to add, 0 to change, 1 to destroy."),
        "{plan}"
    );
    let out = ok(tmp.path(), &["apply", "-auto-approve"]);
    assert!(
        out.contains("terraform_data.server (deposed object deadbeef): Destruction complete"),
        "{out}"
    );
    let s = state(tmp.path());
    assert_eq!(s["resources"][0]["instances"].as_array().unwrap().len(), 1);
    assert!(ok(tmp.path(), &["plan"]).contains("No changes."));
}

#[test]
fn destroy_works_when_a_for_each_reads_a_local_built_from_resource_ids() {
    let tf = r#"
variable "prefix" {
  default = "route"
}

resource "terraform_data" "users" {
  input = "${var.prefix}-users"
}

resource "terraform_data" "products" {
  input = "${var.prefix}-products"
}

locals {
  ids = {
    users    = terraform_data.users.id
    products = terraform_data.products.id
  }
}

resource "terraform_data" "method" {
  for_each = local.ids
  input    = each.value
}
"#;
    let tmp = dir_with(&[("main.tf", tf)]);
    ok(tmp.path(), &["apply", "-auto-approve"]);
    assert_eq!(instances(tmp.path()).len(), 4);
    let destroyed = ok(tmp.path(), &["destroy", "-auto-approve"]);
    assert!(
        destroyed.contains("Destroy complete! Resources: 4 destroyed."),
        "{destroyed}"
    );
    assert!(instances(tmp.path()).is_empty());
}
