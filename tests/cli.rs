//! End-to-end tests of the `terrane` binary: what users read (snapshots), exit codes, and the
//! Terraform spellings scripts rely on.

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
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
        .output()
        .expect("run terrane")
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// A copy of a directory of the repository in a temporary directory.
fn copy_of(relative: &str) -> (tempfile::TempDir, PathBuf) {
    let tmp = tempfile::tempdir().expect("temporary directory");
    let from = Path::new(env!("CARGO_MANIFEST_DIR")).join(relative);
    let to = tmp.path().join("config");
    copy_dir(&from, &to);
    (tmp, to)
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

#[test]
fn the_quickstart_validates() {
    let (_tmp, dir) = copy_of("examples/quickstart");
    let o = run(&dir, &["validate"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(stdout(&o), "Success! The configuration is valid.\n");
}

#[test]
fn terraform_single_dash_spellings_work() {
    let (_tmp, dir) = copy_of("examples/quickstart");
    let o = terrane()
        .arg(format!("-chdir={}", dir.display()))
        .args(["validate", "-json", "-no-color"])
        .output()
        .expect("run terrane");
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let json: serde_json::Value = serde_json::from_slice(&o.stdout).expect("JSON on stdout");
    assert_eq!(json["valid"], true);
    assert_eq!(json["format_version"], "1.0");
}

#[test]
fn validate_reports_every_independent_error_and_exits_with_one() {
    let tmp = dir_with(&[
        (
            "main.tf",
            "variable \"ami_id\" {\n  type = string\n}\n\nresource \"aws_instance\" \"web\" {\n  ami           = var.ami_idd\n  instance_type = upper(\"t3.micro\", 1)\n}\n",
        ),
        (
            "outputs.tf",
            "output \"ip\" {\n  value = aws_instance.webb.public_ip\n}\n",
        ),
    ]);
    let o = run(tmp.path(), &["validate"]);
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(stdout(&o), "");
    insta::assert_snapshot!("validate_three_errors", stderr(&o));
}

#[test]
fn validate_json_gives_ranges_and_snippets() {
    let tmp = dir_with(&[("main.tf", "locals {\n  a = local.b\n}\n")]);
    let o = run(tmp.path(), &["validate", "--json"]);
    assert_eq!(o.status.code(), Some(1));
    let _: serde_json::Value = serde_json::from_slice(&o.stdout).expect("JSON on stdout");
    insta::assert_snapshot!("validate_json_undeclared_local", stdout(&o));
}

#[test]
fn graph_prints_dot_with_every_object_for_plan() {
    let (_tmp, dir) = copy_of("examples/quickstart");
    let o = run(&dir, &["graph", "--type", "plan"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    insta::assert_snapshot!("graph_quickstart_plan", stdout(&o));
}

#[test]
fn graph_defaults_to_resources_only() {
    let (_tmp, dir) = copy_of("examples/quickstart");
    let o = run(&dir, &["graph"]);
    let dot = stdout(&o);
    assert!(dot.contains("\"terraform_data.summary\" -> \"random_pet.server\""));
    assert!(!dot.contains("var.greetings"));
}

#[test]
fn a_closed_pipe_ends_the_output_quietly() {
    let mut text = String::new();
    for i in 0..3000 {
        text.push_str(&format!(
            "resource \"terraform_data\" \"r{i}\" {{\n  input = {i}\n}}\n"
        ));
    }
    let tmp = dir_with(&[("main.tf", &text)]);
    let mut child = terrane()
        .arg("-C")
        .arg(tmp.path())
        .args(["graph"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn terrane");
    let mut out = child.stdout.take().expect("stdout");
    let mut first = [0u8; 16];
    out.read_exact(&mut first).expect("some output");
    drop(out);
    let status = child.wait().expect("wait");
    let mut err = String::new();
    child
        .stderr
        .take()
        .expect("stderr")
        .read_to_string(&mut err)
        .expect("stderr text");
    assert!(!err.contains("panicked"), "{err}");
    assert_eq!(status.code(), Some(0));
}

#[test]
fn version_speaks_to_people_and_to_scripts() {
    let o = terrane().arg("version").output().expect("run terrane");
    assert!(stdout(&o).starts_with(&format!("terrane v{}\n", env!("CARGO_PKG_VERSION"))));
    let o = terrane()
        .args(["version", "-json"])
        .output()
        .expect("run terrane");
    let json: serde_json::Value = serde_json::from_slice(&o.stdout).expect("JSON");
    assert_eq!(
        json["terraform_version"],
        terrane_core::TERRAFORM_COMPAT_VERSION
    );
    assert_eq!(json["terrane_version"], env!("CARGO_PKG_VERSION"));
}

const UNFORMATTED: &str = "resource \"x\" \"y\" {\n  a = 1\n  bbb=\"2\"\n}\n";
const FORMATTED: &str = "resource \"x\" \"y\" {\n  a   = 1\n  bbb = \"2\"\n}\n";

#[test]
fn fmt_check_lists_files_changes_nothing_and_exits_with_three() {
    let tmp = dir_with(&[("main.tf", UNFORMATTED), ("ok.tf", FORMATTED)]);
    let o = run(tmp.path(), &["fmt", "-check"]);
    assert_eq!(o.status.code(), Some(3));
    assert_eq!(stdout(&o), "main.tf\n");
    let text = std::fs::read_to_string(tmp.path().join("main.tf")).unwrap();
    assert_eq!(text, UNFORMATTED);
}

#[test]
fn fmt_rewrites_files_and_a_second_run_changes_nothing() {
    let tmp = dir_with(&[("main.tf", UNFORMATTED), ("sub/inner.tf", UNFORMATTED)]);
    let o = run(tmp.path(), &["fmt"]);
    assert_eq!(o.status.code(), Some(0));
    assert_eq!(stdout(&o), "main.tf\n");
    let text = std::fs::read_to_string(tmp.path().join("main.tf")).unwrap();
    assert_eq!(text, FORMATTED);
    // Without --recursive, subdirectories are left alone; with it, they are formatted.
    let inner = std::fs::read_to_string(tmp.path().join("sub/inner.tf")).unwrap();
    assert_eq!(inner, UNFORMATTED);
    let o = run(tmp.path(), &["fmt", "--recursive"]);
    assert_eq!(stdout(&o), "sub/inner.tf\n");
    let o = run(tmp.path(), &["fmt", "--check", "--recursive"]);
    assert_eq!(o.status.code(), Some(0));
}

#[test]
fn fmt_diff_shows_a_unified_diff() {
    let tmp = dir_with(&[("main.tf", UNFORMATTED)]);
    let o = run(tmp.path(), &["fmt", "--diff", "--write=false"]);
    assert_eq!(o.status.code(), Some(0));
    insta::assert_snapshot!("fmt_diff", stdout(&o));
}

#[test]
fn fmt_reads_standard_input() {
    let mut child = terrane()
        .args(["fmt", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("spawn terrane");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(UNFORMATTED.as_bytes())
        .expect("write stdin");
    let o = child.wait_with_output().expect("wait");
    assert_eq!(stdout(&o), FORMATTED);
}

#[test]
fn fmt_reports_syntax_errors_with_their_position() {
    let tmp = dir_with(&[("main.tf", "resource \"x\" \"y\" {\n  a = \"unclosed\n}\n")]);
    let o = run(tmp.path(), &["fmt"]);
    assert_eq!(o.status.code(), Some(1));
    let err = stderr(&o);
    assert!(err.contains("main.tf:2:"), "{err}");
}

#[test]
fn unknown_commands_and_bad_chdir_fail_with_one() {
    let o = terrane().arg("frobnicate").output().expect("run terrane");
    assert_eq!(o.status.code(), Some(1));
    let o = terrane()
        .args(["-C", "/nonexistent/dir", "validate"])
        .output()
        .expect("run terrane");
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("Invalid -chdir option"));
}
