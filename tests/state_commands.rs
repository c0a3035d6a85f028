//! End-to-end tests of `terrane show`, `terrane state ...` and `terrane force-unlock`: states
//! are made by applying small configurations of built-in resources with the real binary, then
//! read and changed as Terraform users and tools (jq, terraform-inventory, Ansible) do.

use std::io::Write;
use std::path::Path;
use std::process::{Command, Output, Stdio};

fn terrane() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_terrane"));
    c.env("NO_COLOR", "1").env("COLUMNS", "100");
    c
}

fn run(dir: &Path, args: &[&str]) -> Output {
    terrane()
        .arg("-C")
        .arg(dir)
        .args(args)
        .stdin(Stdio::null())
        .output()
        .expect("run terrane")
}

fn run_with_stdin(dir: &Path, args: &[&str], input: &[u8]) -> Output {
    let mut child = terrane()
        .arg("-C")
        .arg(dir)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run terrane");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(input)
        .expect("write stdin");
    child.wait_with_output().expect("wait for terrane")
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// Runs a command that must succeed, returning its output.
#[track_caller]
fn ok(dir: &Path, args: &[&str]) -> Output {
    let o = run(dir, args);
    assert_eq!(
        o.status.code(),
        Some(0),
        "terrane {args:?} failed\nstdout:\n{}\nstderr:\n{}",
        stdout(&o),
        stderr(&o)
    );
    o
}

/// Runs a command that must fail with exit code 1, returning its output.
#[track_caller]
fn fails(dir: &Path, args: &[&str]) -> Output {
    let o = run(dir, args);
    assert_eq!(
        o.status.code(),
        Some(1),
        "terrane {args:?} did not fail\nstdout:\n{}\nstderr:\n{}",
        stdout(&o),
        stderr(&o)
    );
    o
}

fn dir_with(files: &[(&str, &str)]) -> tempfile::TempDir {
    let tmp = tempfile::tempdir().expect("temporary directory");
    for (name, text) in files {
        let path = tmp.path().join(name);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).expect("create directory");
        }
        std::fs::write(path, text).expect("write file");
    }
    tmp
}

const CONFIG: &str = r#"
resource "terraform_data" "single" {
  input = "alpha"
}

resource "terraform_data" "counted" {
  count = 2
  input = "n-${count.index}"
}

resource "terraform_data" "each" {
  for_each = toset(["x", "y"])
  input    = each.key
}

module "child" {
  source = "./child"
}
"#;

const CHILD: &str = r#"
resource "terraform_data" "inner" {
  input = "inner"
}
"#;

/// A directory where [`CONFIG`] has been applied.
fn applied() -> tempfile::TempDir {
    let tmp = dir_with(&[("main.tf", CONFIG), ("child/main.tf", CHILD)]);
    ok(tmp.path(), &["apply", "-auto-approve"]);
    tmp
}

fn state_file(dir: &Path) -> Vec<u8> {
    std::fs::read(dir.join("terraform.tfstate")).expect("read the state file")
}

fn state_json(dir: &Path) -> serde_json::Value {
    serde_json::from_slice(&state_file(dir)).expect("the state is JSON")
}

fn list(dir: &Path) -> Vec<String> {
    stdout(&ok(dir, &["state", "list"]))
        .lines()
        .map(str::to_owned)
        .collect()
}

/// Replaces every UUID (terraform_data ids) with `<uuid>`.
fn mask_uuids(text: &str) -> String {
    let shape = [8, 4, 4, 4, 12];
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::new();
    let mut i = 0;
    'scan: while i < chars.len() {
        let mut j = i;
        for (n, len) in shape.iter().enumerate() {
            if n > 0 {
                if chars.get(j) != Some(&'-') {
                    out.push(chars[i]);
                    i += 1;
                    continue 'scan;
                }
                j += 1;
            }
            for _ in 0..*len {
                if !chars.get(j).is_some_and(|c| c.is_ascii_hexdigit()) {
                    out.push(chars[i]);
                    i += 1;
                    continue 'scan;
                }
                j += 1;
            }
        }
        out.push_str("<uuid>");
        i = j;
    }
    out
}

#[test]
fn state_list_prints_every_instance_sorted_by_module_then_address() {
    let tmp = applied();
    assert_eq!(
        list(tmp.path()),
        [
            "terraform_data.counted[0]",
            "terraform_data.counted[1]",
            "terraform_data.each[\"x\"]",
            "terraform_data.each[\"y\"]",
            "terraform_data.single",
            "module.child.terraform_data.inner",
        ]
    );
}

#[test]
fn state_list_keeps_only_the_instances_of_the_given_resources_and_modules() {
    let tmp = applied();
    let o = ok(
        tmp.path(),
        &["state", "list", "module.child", "terraform_data.each"],
    );
    assert_eq!(
        stdout(&o),
        "terraform_data.each[\"x\"]\nterraform_data.each[\"y\"]\nmodule.child.terraform_data.inner\n"
    );
    let o = ok(tmp.path(), &["state", "list", "terraform_data.counted[1]"]);
    assert_eq!(stdout(&o), "terraform_data.counted[1]\n");
    let o = fails(tmp.path(), &["state", "list", "terraform_data.missing"]);
    assert!(stderr(&o).contains("Unknown resource"), "{}", stderr(&o));
    assert_eq!(stdout(&o), "");
}

#[test]
fn state_list_filters_by_id() {
    let tmp = applied();
    let state = state_json(tmp.path());
    let id = state["resources"]
        .as_array()
        .and_then(|rs| rs.iter().find(|r| r["name"] == "single"))
        .and_then(|r| r["instances"][0]["attributes"]["id"].as_str())
        .expect("the id of terraform_data.single")
        .to_owned();
    let o = ok(tmp.path(), &["state", "list", &format!("-id={id}")]);
    assert_eq!(stdout(&o), "terraform_data.single\n");
}

#[test]
fn state_list_without_a_state_file_says_none_was_found() {
    let tmp = dir_with(&[("main.tf", CONFIG), ("child/main.tf", CHILD)]);
    let o = fails(tmp.path(), &["state", "list"]);
    assert!(
        stderr(&o).contains("No state file was found!"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn state_show_prints_one_instance_with_its_attributes_aligned() {
    let tmp = dir_with(&[(
        "main.tf",
        "resource \"local_file\" \"note\" {\n  filename = \"note.txt\"\n  content  = \"hello\\n\"\n}\n\nresource \"terraform_data\" \"other\" {\n  input = 1\n}\n",
    )]);
    ok(tmp.path(), &["apply", "-auto-approve"]);
    let o = ok(tmp.path(), &["state", "show", "local_file.note"]);
    insta::assert_snapshot!("state_show_local_file", stdout(&o));

    let o = fails(tmp.path(), &["state", "show", "local_file.missing"]);
    assert!(
        stderr(&o).contains("No instance found for the given address!"),
        "{}",
        stderr(&o)
    );
    let o = fails(tmp.path(), &["state", "show", "not an address"]);
    assert!(
        stderr(&o).contains("Error parsing instance address"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn state_mv_to_the_renamed_block_leaves_the_next_plan_with_nothing_to_do() {
    let tmp = applied();
    let before = state_json(tmp.path());
    std::fs::write(
        tmp.path().join("main.tf"),
        CONFIG.replace("\"single\"", "\"renamed\""),
    )
    .expect("rename the block");
    let o = ok(
        tmp.path(),
        &[
            "state",
            "mv",
            "terraform_data.single",
            "terraform_data.renamed",
        ],
    );
    assert_eq!(
        stdout(&o),
        "Move \"terraform_data.single\" to \"terraform_data.renamed\"\nSuccessfully moved 1 object(s).\n"
    );
    assert!(list(tmp.path()).contains(&"terraform_data.renamed".to_owned()));
    let after = state_json(tmp.path());
    assert_eq!(
        after["serial"].as_u64(),
        before["serial"].as_u64().map(|s| s + 1)
    );
    assert_eq!(after["lineage"], before["lineage"]);
    assert!(tmp.path().join("terraform.tfstate.backup").exists());

    let o = ok(tmp.path(), &["plan", "-detailed-exitcode"]);
    assert!(stdout(&o).contains("No changes."), "{}", stdout(&o));
}

#[test]
fn state_mv_to_an_address_the_configuration_lacks_makes_the_next_plan_replace_it() {
    let tmp = applied();
    ok(
        tmp.path(),
        &[
            "state",
            "mv",
            "terraform_data.single",
            "terraform_data.elsewhere",
        ],
    );
    let o = run(tmp.path(), &["plan", "-detailed-exitcode"]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    let out = stdout(&o);
    assert!(
        out.contains("# terraform_data.elsewhere will be destroyed"),
        "{out}"
    );
    assert!(
        out.contains("# terraform_data.single will be created"),
        "{out}"
    );
}

#[test]
fn state_mv_dry_run_prints_the_move_and_changes_nothing() {
    let tmp = applied();
    let before = state_file(tmp.path());
    let o = ok(
        tmp.path(),
        &[
            "state",
            "mv",
            "-dry-run",
            "terraform_data.each[\"x\"]",
            "terraform_data.each[\"z\"]",
        ],
    );
    assert_eq!(
        stdout(&o),
        "Would move \"terraform_data.each[\\\"x\\\"]\" to \"terraform_data.each[\\\"z\\\"]\"\n"
    );
    assert_eq!(state_file(tmp.path()), before);
}

#[test]
fn state_mv_of_a_counted_resource_moves_all_its_instances() {
    let tmp = applied();
    let o = ok(
        tmp.path(),
        &[
            "state",
            "mv",
            "terraform_data.counted",
            "terraform_data.numbered",
        ],
    );
    assert_eq!(
        stdout(&o),
        "Move \"terraform_data.counted\" to \"terraform_data.numbered\"\nSuccessfully moved 1 object(s).\n"
    );
    let names = list(tmp.path());
    assert!(
        names.contains(&"terraform_data.numbered[0]".to_owned()),
        "{names:?}"
    );
    assert!(
        names.contains(&"terraform_data.numbered[1]".to_owned()),
        "{names:?}"
    );
    assert!(!names.iter().any(|n| n.contains("counted")), "{names:?}");
}

#[test]
fn state_mv_of_a_module_moves_everything_in_it() {
    let tmp = applied();
    let o = ok(tmp.path(), &["state", "mv", "module.child", "module.kid"]);
    assert_eq!(
        stdout(&o),
        "Move \"module.child\" to \"module.kid\"\nSuccessfully moved 1 object(s).\n"
    );
    assert_eq!(
        list(tmp.path()).last().map(String::as_str),
        Some("module.kid.terraform_data.inner")
    );
}

#[test]
fn state_mv_refuses_a_destination_that_is_taken_and_leaves_the_state_alone() {
    let tmp = applied();
    let before = state_file(tmp.path());
    let o = fails(
        tmp.path(),
        &[
            "state",
            "mv",
            "terraform_data.single",
            "terraform_data.each[\"x\"]",
        ],
    );
    assert!(
        stderr(&o).contains("there is already a resource instance at that address"),
        "{}",
        stderr(&o)
    );
    let o = fails(
        tmp.path(),
        &[
            "state",
            "mv",
            "terraform_data.nothing",
            "terraform_data.other",
        ],
    );
    assert!(
        stderr(&o).contains("does not match anything in the current state"),
        "{}",
        stderr(&o)
    );
    let o = fails(
        tmp.path(),
        &["state", "mv", "terraform_data.single", "local_file.single"],
    );
    assert!(
        stderr(&o).contains("resource types don't match"),
        "{}",
        stderr(&o)
    );
    assert_eq!(state_file(tmp.path()), before);
}

#[test]
fn state_rm_forgets_the_instance_and_the_next_plan_creates_it_again() {
    let tmp = applied();
    let o = ok(tmp.path(), &["state", "rm", "terraform_data.each[\"x\"]"]);
    assert_eq!(
        stdout(&o),
        "Removed terraform_data.each[\"x\"]\nSuccessfully removed 1 resource instance(s).\n"
    );
    assert!(!list(tmp.path()).contains(&"terraform_data.each[\"x\"]".to_owned()));
    let o = run(tmp.path(), &["plan", "-detailed-exitcode"]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    let out = stdout(&o);
    assert!(
        out.contains("# terraform_data.each[\"x\"] will be created"),
        "{out}"
    );
    assert!(
        out.contains("Plan: 1 to add, 0 to change, 0 to destroy."),
        "{out}"
    );
}

/// Each address's instances are removed (and listed) in turn, in the order given.
#[test]
fn state_rm_of_a_module_removes_every_instance_in_it() {
    let tmp = applied();
    let o = ok(
        tmp.path(),
        &["state", "rm", "module.child", "terraform_data.counted"],
    );
    assert_eq!(
        stdout(&o),
        "Removed module.child.terraform_data.inner\nRemoved terraform_data.counted[0]\nRemoved terraform_data.counted[1]\nSuccessfully removed 3 resource instance(s).\n"
    );
    assert_eq!(list(tmp.path()).len(), 3);
}

#[test]
fn state_rm_of_nothing_is_an_error_and_changes_nothing() {
    let tmp = applied();
    let before = state_file(tmp.path());
    let o = fails(tmp.path(), &["state", "rm", "terraform_data.nothing"]);
    assert!(
        stderr(&o).contains("No matching objects found"),
        "{}",
        stderr(&o)
    );
    assert_eq!(state_file(tmp.path()), before);
    let o = ok(
        tmp.path(),
        &["state", "rm", "-dry-run", "terraform_data.single"],
    );
    assert_eq!(stdout(&o), "Would remove terraform_data.single\n");
    assert_eq!(state_file(tmp.path()), before);
}

#[test]
fn state_pull_prints_the_state_file_byte_for_byte() {
    let tmp = applied();
    let o = ok(tmp.path(), &["state", "pull"]);
    assert_eq!(o.stdout, state_file(tmp.path()));
}

#[test]
fn state_pull_without_a_state_prints_nothing_and_succeeds() {
    let tmp = dir_with(&[("main.tf", CONFIG), ("child/main.tf", CHILD)]);
    let o = ok(tmp.path(), &["state", "pull"]);
    assert_eq!(stdout(&o), "");
}

/// The state of the directory with its serial (and lineage, if given) changed, saved to
/// `pushed.tfstate`.
fn edited_copy(dir: &Path, serial: u64, lineage: Option<&str>) -> String {
    let mut state = state_json(dir);
    state["serial"] = serial.into();
    if let Some(l) = lineage {
        state["lineage"] = l.into();
    }
    let path = dir.join("pushed.tfstate");
    std::fs::write(&path, serde_json::to_vec_pretty(&state).expect("JSON")).expect("write");
    path.display().to_string()
}

#[test]
fn state_push_refuses_an_older_serial() {
    let tmp = applied();
    ok(tmp.path(), &["state", "rm", "terraform_data.single"]);
    let old = edited_copy(tmp.path(), 1, None);
    ok(tmp.path(), &["state", "rm", "terraform_data.counted"]);
    let before = state_file(tmp.path());
    let o = fails(tmp.path(), &["state", "push", &old]);
    assert!(
        stderr(&o).contains("cannot import state with serial 1 over newer state with serial 3"),
        "{}",
        stderr(&o)
    );
    assert_eq!(state_file(tmp.path()), before);
}

#[test]
fn state_push_refuses_another_lineage_unless_forced() {
    let tmp = applied();
    let before = state_file(tmp.path());
    let other = edited_copy(tmp.path(), 7, Some("another-lineage"));
    let o = fails(tmp.path(), &["state", "push", &other]);
    assert!(
        stderr(&o)
            .contains("cannot import state with lineage \"another-lineage\" over unrelated state"),
        "{}",
        stderr(&o)
    );
    assert_eq!(state_file(tmp.path()), before);

    ok(tmp.path(), &["state", "push", "-force", &other]);
    let now = state_json(tmp.path());
    assert_eq!(now["lineage"], "another-lineage");
    // Same objects as the state it replaces: the serial is the pushed one.
    assert_eq!(now["serial"], 7);
}

#[test]
fn state_push_of_a_newer_serial_from_stdin_replaces_the_state() {
    let tmp = applied();
    let mut state = state_json(tmp.path());
    let resources = state["resources"].as_array_mut().expect("resources");
    resources.retain(|r| r["name"] != "single");
    state["serial"] = 10.into();
    let bytes = serde_json::to_vec(&state).expect("JSON");
    let o = run_with_stdin(tmp.path(), &["state", "push", "-"], &bytes);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    // The content changed, so the serial goes one past the pushed one, as Terraform does.
    assert_eq!(state_json(tmp.path())["serial"], 11);
    assert!(!list(tmp.path()).contains(&"terraform_data.single".to_owned()));
}

#[test]
fn a_locked_state_is_left_alone_and_the_error_names_the_lock() {
    let tmp = applied();
    let before = state_file(tmp.path());
    let backend = terrane_state::LocalBackend::in_dir(tmp.path());
    let lock = backend.lock("OperationTypeApply").expect("take the lock");
    let o = fails(tmp.path(), &["state", "rm", "terraform_data.single"]);
    let err = stderr(&o);
    assert!(err.contains("Error acquiring the state lock"), "{err}");
    assert!(err.contains(lock.id()), "{err}");
    assert!(err.contains("force-unlock"), "{err}");
    assert_eq!(state_file(tmp.path()), before);
    // Reading does not need the lock.
    assert_eq!(list(tmp.path()).len(), 6);
    drop(lock);
    ok(tmp.path(), &["state", "rm", "terraform_data.single"]);
}

#[test]
fn force_unlock_with_a_wrong_id_is_refused_and_with_the_right_id_removes_the_lock() {
    let tmp = applied();
    let backend = terrane_state::LocalBackend::in_dir(tmp.path());
    let lock = backend.lock("OperationTypeApply").expect("take the lock");
    let id = lock.id().to_owned();
    // As if the run holding it had died without releasing it.
    std::mem::forget(lock);

    let o = fails(tmp.path(), &["force-unlock", "-force", "not-the-id"]);
    assert!(
        stderr(&o).contains("Failed to unlock state"),
        "{}",
        stderr(&o)
    );
    assert!(backend.lock_path().exists());

    let o = ok(tmp.path(), &["force-unlock", "-force", &id]);
    assert!(
        stdout(&o).starts_with("terrane state has been successfully unlocked!"),
        "{}",
        stdout(&o)
    );
    assert!(!backend.lock_path().exists());
    ok(tmp.path(), &["state", "rm", "terraform_data.single"]);

    let o = fails(tmp.path(), &["force-unlock", "-force", &id]);
    assert!(stderr(&o).contains("not locked"), "{}", stderr(&o));
}

#[test]
fn force_unlock_without_a_terminal_asks_for_force_instead() {
    let tmp = applied();
    let backend = terrane_state::LocalBackend::in_dir(tmp.path());
    let lock = backend.lock("OperationTypeApply").expect("take the lock");
    let id = lock.id().to_owned();
    std::mem::forget(lock);
    let o = fails(tmp.path(), &["force-unlock", &id]);
    assert!(stderr(&o).contains("-force"), "{}", stderr(&o));
    assert!(backend.lock_path().exists());
    ok(tmp.path(), &["force-unlock", "-force", &id]);
}

const SHOWN: &str = r#"
resource "terraform_data" "settings" {
  input = {
    name  = "web"
    ports = [80, 443]
    note  = "line one\nline two\n"
  }
}

resource "local_sensitive_file" "secret" {
  filename = "secret.txt"
  content  = "hunter2"
}

module "child" {
  source = "./child"
}

output "name" {
  value = "web"
}

output "password" {
  value     = "hunter2"
  sensitive = true
}
"#;

#[test]
fn show_prints_the_state_as_terraform_does_with_sensitive_values_hidden() {
    let tmp = dir_with(&[("main.tf", SHOWN), ("child/main.tf", CHILD)]);
    ok(tmp.path(), &["apply", "-auto-approve"]);
    let o = ok(tmp.path(), &["show"]);
    let out = stdout(&o);
    assert!(!out.contains("hunter2"), "{out}");
    insta::assert_snapshot!("show_state", mask_uuids(&out));
}

#[test]
fn show_json_has_terraforms_state_representation() {
    let tmp = dir_with(&[("main.tf", SHOWN), ("child/main.tf", CHILD)]);
    ok(tmp.path(), &["apply", "-auto-approve"]);
    let o = ok(tmp.path(), &["show", "-json"]);
    let text = stdout(&o);
    assert_eq!(text.lines().count(), 1, "one line of JSON: {text}");
    let json: serde_json::Value = serde_json::from_str(&text).expect("JSON");
    assert_eq!(json["format_version"], "1.0");
    assert!(json["terraform_version"].is_string());
    let values = &json["values"];
    assert_eq!(values["outputs"]["name"]["value"], "web");
    assert_eq!(values["outputs"]["name"]["type"], "string");
    assert_eq!(values["outputs"]["password"]["sensitive"], true);
    let resources = values["root_module"]["resources"]
        .as_array()
        .expect("root resources");
    let addresses: Vec<&str> = resources
        .iter()
        .filter_map(|r| r["address"].as_str())
        .collect();
    assert_eq!(
        addresses,
        ["local_sensitive_file.secret", "terraform_data.settings"]
    );
    let file = &resources[0];
    assert_eq!(file["mode"], "managed");
    assert_eq!(file["type"], "local_sensitive_file");
    assert_eq!(file["name"], "secret");
    assert_eq!(
        file["provider_name"],
        "registry.terraform.io/hashicorp/local"
    );
    assert_eq!(file["schema_version"], 0);
    assert_eq!(file["values"]["filename"], "secret.txt");
    assert_eq!(file["sensitive_values"]["content"], true);
    let settings = &resources[1];
    assert_eq!(
        settings["values"]["input"]["ports"],
        serde_json::json!([80, 443])
    );
    // Collections keep their shape, with `false` for each value that is not sensitive.
    assert_eq!(
        settings["sensitive_values"],
        serde_json::json!({"input": {"ports": [false, false]}, "output": {"ports": [false, false]}})
    );
    assert!(settings.get("index").is_none());
    let child = &values["root_module"]["child_modules"][0];
    assert_eq!(child["address"], "module.child");
    assert_eq!(
        child["resources"][0]["address"],
        "module.child.terraform_data.inner"
    );
}

#[test]
fn show_json_gives_the_index_of_counted_and_for_each_instances() {
    let tmp = applied();
    let o = ok(tmp.path(), &["show", "-json"]);
    let json: serde_json::Value = serde_json::from_slice(&o.stdout).expect("JSON");
    let resources = json["values"]["root_module"]["resources"]
        .as_array()
        .expect("resources");
    let index = |address: &str| {
        resources
            .iter()
            .find(|r| r["address"] == address)
            .map(|r| r["index"].clone())
    };
    assert_eq!(index("terraform_data.counted[1]"), Some(1.into()));
    assert_eq!(index("terraform_data.each[\"y\"]"), Some("y".into()));
}

#[test]
fn show_without_a_state_says_so() {
    let tmp = dir_with(&[("main.tf", CONFIG), ("child/main.tf", CHILD)]);
    assert_eq!(stdout(&ok(tmp.path(), &["show"])), "No state.\n");
    assert_eq!(
        stdout(&ok(tmp.path(), &["show", "-json"])),
        "{\"format_version\":\"1.0\"}\n"
    );
}

#[test]
fn show_of_a_destroyed_state_says_no_resources_are_represented() {
    let tmp = applied();
    ok(tmp.path(), &["destroy", "-auto-approve"]);
    assert_eq!(
        stdout(&ok(tmp.path(), &["show"])),
        "The state file is empty. No resources are represented.\n"
    );
    assert_eq!(
        stdout(&ok(tmp.path(), &["show", "-json"])),
        "{\"format_version\":\"1.0\"}\n"
    );
}

#[test]
fn show_of_a_saved_plan_renders_the_plan() {
    let tmp = dir_with(&[("main.tf", CONFIG), ("child/main.tf", CHILD)]);
    ok(tmp.path(), &["plan", "-out", "saved.plan"]);
    let o = ok(tmp.path(), &["show", "saved.plan"]);
    let out = stdout(&o);
    assert!(
        out.contains("# terraform_data.single will be created"),
        "{out}"
    );
    assert!(
        out.contains("Plan: 6 to add, 0 to change, 0 to destroy."),
        "{out}"
    );
    assert!(!out.contains("Saved the plan"), "{out}");

    let o = ok(tmp.path(), &["show", "-json", "saved.plan"]);
    let json: serde_json::Value = serde_json::from_slice(&o.stdout).expect("JSON");
    assert_eq!(json["format_version"], "1.2");
    assert_eq!(json["resource_changes"].as_array().map(Vec::len), Some(6));
}

#[test]
fn show_of_a_state_file_reads_that_file() {
    let tmp = applied();
    std::fs::copy(
        tmp.path().join("terraform.tfstate"),
        tmp.path().join("copy.tfstate"),
    )
    .expect("copy the state");
    ok(tmp.path(), &["destroy", "-auto-approve"]);
    let out = stdout(&ok(tmp.path(), &["show", "copy.tfstate"]));
    assert!(out.starts_with("# terraform_data.counted[0]:\n"), "{out}");

    std::fs::write(tmp.path().join("junk"), "neither").expect("write");
    let o = fails(tmp.path(), &["show", "junk"]);
    assert!(
        stderr(&o).contains("Failed to read the given file as a state or plan file"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn state_commands_use_the_configured_local_backend_path() {
    let config = format!(
        "terraform {{\n  backend \"local\" {{\n    path = \"states/here.tfstate\"\n  }}\n}}\n{CONFIG}"
    );
    let tmp = dir_with(&[("main.tf", &config), ("child/main.tf", CHILD)]);
    std::fs::create_dir(tmp.path().join("states")).expect("create the state directory");
    ok(tmp.path(), &["apply", "-auto-approve"]);
    let stored = std::fs::read(tmp.path().join("states/here.tfstate")).expect("state");
    assert_eq!(ok(tmp.path(), &["state", "pull"]).stdout, stored);
    assert_eq!(list(tmp.path()).len(), 6);
    ok(tmp.path(), &["state", "rm", "terraform_data.single"]);
    assert_eq!(list(tmp.path()).len(), 5);
    assert!(!tmp.path().join("terraform.tfstate").exists());
}
