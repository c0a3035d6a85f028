//! The invalid-configuration corpus: every directory of `tests/corpus/invalid/` holds a small
//! configuration with a deliberate mistake and a file `expect` listing the diagnostics
//! `terrane validate --json` must report, one per line:
//!
//! ```text
//! main.tf:6:17: error Reference to undeclared input variable | hint contains: name
//! ```
//!
//! `<file>:<line>:<column>: <severity> <summary>`, then optionally ` | detail contains: <text>`
//! and/or ` | hint contains: <text>`. Lines and columns are 1-based; columns count characters.
//! A case whose `expect` starts with `# known-bug: <why>` describes what Terraform reports where
//! terrane does not yet: it is run and its state printed, but not asserted (except that terrane
//! must not panic, unless the explanation says it does).

mod common;

use common::{exit_code, run_terrane, scratch_copy, subdirectories, tests_dir};
use serde_json::Value;
use std::fmt;
use std::path::{Path, PathBuf};

/// The human-readable output of these cases is pinned by snapshots.
const SNAPSHOT_CASES: &[&str] = &[
    "019-ref-undeclared-variable-typo",
    "041-type-template-interpolates-list",
    "089-cycle-two-locals",
    "099-module-input-of-wrong-type",
    "127-nested-undeclared-variable-in-child",
];

const PANICKED: &str = "terrane panicked (exit code 101)";

#[derive(Debug)]
struct Expected {
    file: String,
    line: u64,
    column: u64,
    severity: String,
    summary: String,
    detail_contains: Option<String>,
    hint_contains: Option<String>,
    text: String,
}

#[derive(Debug)]
struct Actual {
    file: String,
    line: u64,
    column: u64,
    severity: String,
    summary: String,
    detail: String,
    hint: String,
}

impl fmt::Display for Actual {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}:{}:{}: {} {}",
            self.file, self.line, self.column, self.severity, self.summary
        )?;
        if !self.detail.is_empty() {
            write!(f, "\n        detail: {}", self.detail.replace('\n', " "))?;
        }
        if !self.hint.is_empty() {
            write!(f, "\n        hint: {}", self.hint)?;
        }
        Ok(())
    }
}

impl Expected {
    fn matches(&self, d: &Actual) -> bool {
        d.file == self.file
            && d.line == self.line
            && d.column == self.column
            && d.severity == self.severity
            && d.summary == self.summary
            && self
                .detail_contains
                .as_ref()
                .is_none_or(|t| d.detail.contains(t.as_str()))
            && self
                .hint_contains
                .as_ref()
                .is_none_or(|t| d.hint.contains(t.as_str()))
    }
}

struct Case {
    name: String,
    dir: PathBuf,
    known_bug: Option<String>,
    expected: Vec<Expected>,
}

fn corpus_dir() -> PathBuf {
    tests_dir("corpus/invalid")
}

fn parse_expect_line(line: &str) -> Result<Expected, String> {
    let mut parts = line.split(" | ");
    let head = parts.next().unwrap_or_default();
    let mut fields = head.splitn(4, ':');
    let (Some(file), Some(l), Some(c), Some(rest)) =
        (fields.next(), fields.next(), fields.next(), fields.next())
    else {
        return Err(format!(
            "expected `<file>:<line>:<col>: <severity> <summary>`, got `{line}`"
        ));
    };
    let number = |s: &str| {
        s.trim()
            .parse::<u64>()
            .map_err(|_| format!("`{s}` is not a line or column number in `{line}`"))
    };
    let rest = rest
        .strip_prefix(' ')
        .ok_or_else(|| format!("missing space after the column in `{line}`"))?;
    let (severity, summary) = rest
        .split_once(' ')
        .ok_or_else(|| format!("missing summary in `{line}`"))?;
    if severity != "error" && severity != "warning" {
        return Err(format!("severity must be error or warning in `{line}`"));
    }
    let mut expected = Expected {
        file: file.to_owned(),
        line: number(l)?,
        column: number(c)?,
        severity: severity.to_owned(),
        summary: summary.to_owned(),
        detail_contains: None,
        hint_contains: None,
        text: line.to_owned(),
    };
    for condition in parts {
        if let Some(t) = condition.strip_prefix("detail contains: ") {
            expected.detail_contains = Some(t.to_owned());
        } else if let Some(t) = condition.strip_prefix("hint contains: ") {
            expected.hint_contains = Some(t.to_owned());
        } else {
            return Err(format!("unknown condition `{condition}` in `{line}`"));
        }
    }
    Ok(expected)
}

fn load_case(dir: &Path) -> Result<Case, String> {
    let name = dir
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or_default()
        .to_owned();
    let text = std::fs::read_to_string(dir.join("expect"))
        .map_err(|e| format!("{name}: cannot read its `expect` file: {e}"))?;
    let mut known_bug = None;
    let mut expected = Vec::new();
    for line in text.lines().map(str::trim_end).filter(|l| !l.is_empty()) {
        if let Some(why) = line.strip_prefix("# known-bug:") {
            known_bug = Some(why.trim().to_owned());
        } else if line.starts_with('#') {
            continue;
        } else {
            expected.push(parse_expect_line(line).map_err(|e| format!("{name}: {e}"))?);
        }
    }
    if expected.is_empty() {
        return Err(format!("{name}: `expect` lists no diagnostic"));
    }
    Ok(Case {
        name,
        dir: dir.to_path_buf(),
        known_bug,
        expected,
    })
}

fn load_corpus() -> Vec<Case> {
    let mut problems = Vec::new();
    let mut cases = Vec::new();
    for dir in subdirectories(&corpus_dir()) {
        match load_case(&dir) {
            Ok(c) => cases.push(c),
            Err(e) => problems.push(e),
        }
    }
    assert!(
        problems.is_empty(),
        "malformed corpus cases:\n{}",
        problems.join("\n")
    );
    cases
}

fn actual_diagnostics(json: &Value) -> Result<Vec<Actual>, String> {
    let list = json["diagnostics"]
        .as_array()
        .ok_or("the JSON output has no `diagnostics` array")?;
    let text = |v: &Value| v.as_str().unwrap_or_default().to_owned();
    Ok(list
        .iter()
        .map(|d| Actual {
            file: text(&d["range"]["filename"]).replace('\\', "/"),
            line: d["range"]["start"]["line"].as_u64().unwrap_or(0),
            column: d["range"]["start"]["column"].as_u64().unwrap_or(0),
            severity: text(&d["severity"]),
            summary: text(&d["summary"]),
            detail: text(&d["detail"]),
            hint: text(&d["hint"]),
        })
        .collect())
}

/// Runs one case and says what is wrong with terrane's answer, if anything.
fn check(case: &Case) -> Result<(), String> {
    let scratch = scratch_copy(&case.dir);
    let output = run_terrane(scratch.path(), &["validate", "--json"]);
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    let code = exit_code(&output)?;
    if code == 101 {
        return Err(format!("{PANICKED}:\n{}", stderr.trim_end()));
    }
    let json: Value = serde_json::from_str(&stdout)
        .map_err(|e| format!("the output is not JSON ({e}):\n{stdout}{stderr}"))?;
    let mut remaining = actual_diagnostics(&json)?;
    let mut problems = Vec::new();
    if code != 1 {
        problems.push(format!("exit code {code}, expected 1"));
    }
    let expected_errors = case
        .expected
        .iter()
        .filter(|e| e.severity == "error")
        .count();
    let actual_errors = remaining.iter().filter(|d| d.severity == "error").count();
    if expected_errors != actual_errors {
        problems.push(format!(
            "{actual_errors} error diagnostic(s), expected {expected_errors}"
        ));
    }
    for e in &case.expected {
        match remaining.iter().position(|d| e.matches(d)) {
            Some(i) => {
                remaining.remove(i);
            }
            None => problems.push(format!("missing: {}", e.text)),
        }
    }
    if problems.is_empty() {
        return Ok(());
    }
    let all = actual_diagnostics(&json)?
        .iter()
        .map(|d| format!("    {d}"))
        .collect::<Vec<_>>()
        .join("\n");
    Err(format!(
        "{}\n  terrane reported:\n{}",
        problems.join("\n"),
        if all.is_empty() {
            "    (nothing)".into()
        } else {
            all
        }
    ))
}

#[test]
fn every_invalid_configuration_reports_its_error_at_the_exact_position() {
    let cases = load_corpus();
    let mut failures = Vec::new();
    let mut known_bugs = Vec::new();
    let mut fixed = Vec::new();
    for case in &cases {
        let result = check(case);
        match (&case.known_bug, result) {
            (None, Ok(())) => {}
            (None, Err(why)) => failures.push(format!("{}:\n  {why}", case.name)),
            (Some(_), Ok(())) => fixed.push(case.name.clone()),
            // A panic is never an accepted known bug unless the case says it panics.
            (Some(why), Err(e)) if e.starts_with(PANICKED) && !why.contains("panic") => {
                failures.push(format!("{}:\n  {e}", case.name))
            }
            (Some(why), Err(_)) => known_bugs.push(format!("  {}: {why}", case.name)),
        }
    }
    println!(
        "{} cases: {} checked, {} skipped as known bugs",
        cases.len(),
        cases.len() - known_bugs.len() - fixed.len(),
        known_bugs.len() + fixed.len()
    );
    if !known_bugs.is_empty() {
        println!("known bugs (not asserted):\n{}", known_bugs.join("\n"));
    }
    if !fixed.is_empty() {
        println!(
            "known-bug cases that now pass (remove their `# known-bug:` line):\n  {}",
            fixed.join("\n  ")
        );
    }
    assert!(
        failures.is_empty(),
        "{} of {} corpus cases failed:\n\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n\n")
    );
}

#[test]
fn the_corpus_has_at_least_sixty_cases() {
    let cases = load_corpus();
    assert!(
        cases.len() >= 60,
        "only {} cases in {}",
        cases.len(),
        corpus_dir().display()
    );
}

#[test]
fn human_readable_diagnostics_match_their_snapshots() {
    for name in SNAPSHOT_CASES {
        let case_dir = corpus_dir().join(name);
        assert!(case_dir.is_dir(), "snapshot case {name} does not exist");
        let scratch = scratch_copy(&case_dir);
        let output = run_terrane(scratch.path(), &["validate"]);
        assert_eq!(exit_code(&output), Ok(1), "{name}: exit code");
        let stderr = String::from_utf8_lossy(&output.stderr);
        let scratch_path = scratch.path().to_string_lossy().into_owned();
        let stderr = stderr.replace(&scratch_path, "[TMP]");
        assert!(
            !stderr.contains("/tmp/") && !stderr.contains(".tmp"),
            "{name}: a temporary path leaked into the output:\n{stderr}"
        );
        insta::assert_snapshot!(format!("human_output_{name}"), stderr);
    }
}
