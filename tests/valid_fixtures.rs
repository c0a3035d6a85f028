//! Valid configurations (`tests/fixtures/valid/`) that together use every construct of the
//! language terrane accepts: each must validate, be formatted canonically, and give a
//! dependency graph with the edges its references imply.

mod common;

use common::{exit_code, run_terrane, scratch_copy, subdirectories, tests_dir};
use std::path::PathBuf;

/// Every fixture directory, each with tests below.
const FIXTURES: &[&str] = &[
    "inputs-and-expressions",
    "nested-modules",
    "resources-and-lifecycle",
    "sensitive-values",
];

fn fixture(name: &str) -> PathBuf {
    let dir = tests_dir("fixtures/valid").join(name);
    assert!(dir.is_dir(), "no fixture {}", dir.display());
    dir
}

fn assert_validates(name: &str) {
    let scratch = scratch_copy(&fixture(name));
    let output = run_terrane(scratch.path(), &["validate"]);
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(
        exit_code(&output),
        Ok(0),
        "{name}: terrane validate failed:\n{stdout}{stderr}"
    );
    assert!(
        stdout.contains("Success! The configuration is valid."),
        "{name}: no success message:\n{stdout}{stderr}"
    );
}

fn assert_formatted(name: &str) {
    let scratch = scratch_copy(&fixture(name));
    let output = run_terrane(scratch.path(), &["fmt", "--check", "--recursive"]);
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(
        exit_code(&output),
        Ok(0),
        "{name}: terrane fmt --check --recursive wants to change:\n{stdout}{stderr}"
    );
    assert!(
        stdout.trim().is_empty(),
        "{name}: files listed as unformatted:\n{stdout}"
    );
}

/// The edges of `terrane graph --type plan`, as (from, to) pairs.
fn plan_graph_edges(name: &str) -> Vec<(String, String)> {
    let scratch = scratch_copy(&fixture(name));
    let output = run_terrane(scratch.path(), &["graph", "--type", "plan"]);
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(
        exit_code(&output),
        Ok(0),
        "{name}: terrane graph failed:\n{stdout}{stderr}"
    );
    assert!(
        stdout.starts_with("digraph {") && stdout.trim_end().ends_with('}'),
        "{name}: not a DOT digraph:\n{stdout}"
    );
    stdout
        .lines()
        .filter_map(|line| line.trim().split_once(" -> "))
        .map(|(from, to)| {
            (
                from.trim_matches('"').to_owned(),
                to.trim_matches('"').to_owned(),
            )
        })
        .collect()
}

fn assert_graph_has_edges(name: &str, wanted: &[(&str, &str)]) {
    let edges = plan_graph_edges(name);
    let missing: Vec<String> = wanted
        .iter()
        .filter(|(from, to)| !edges.iter().any(|(f, t)| f == from && t == to))
        .map(|(from, to)| format!("\"{from}\" -> \"{to}\""))
        .collect();
    assert!(
        missing.is_empty(),
        "{name}: missing edges:\n  {}\nthe graph has:\n  {}",
        missing.join("\n  "),
        edges
            .iter()
            .map(|(f, t)| format!("\"{f}\" -> \"{t}\""))
            .collect::<Vec<_>>()
            .join("\n  ")
    );
}

#[test]
fn every_fixture_directory_has_its_tests() {
    let found: Vec<String> = subdirectories(&tests_dir("fixtures/valid"))
        .iter()
        .filter_map(|d| d.file_name().and_then(|n| n.to_str()).map(str::to_owned))
        .collect();
    assert_eq!(found, FIXTURES, "add tests for new fixtures to this file");
}

#[test]
fn inputs_and_expressions_validates() {
    assert_validates("inputs-and-expressions");
}

#[test]
fn inputs_and_expressions_is_formatted_canonically() {
    assert_formatted("inputs-and-expressions");
}

#[test]
fn inputs_and_expressions_graph_links_locals_to_the_inputs_they_use() {
    assert_graph_has_edges(
        "inputs-and-expressions",
        &[
            ("local.name_prefix", "var.region"),
            ("local.zone_names", "var.zones"),
            ("local.motd", "local.zone_names"),
            ("local.servers_by_role", "var.servers"),
            ("terraform_data.settings", "local.banner"),
            ("aws_launch_template.logs", "local.all_tags"),
            ("output.api_token", "var.api_token"),
        ],
    );
}

#[test]
fn resources_and_lifecycle_validates() {
    assert_validates("resources-and-lifecycle");
}

#[test]
fn resources_and_lifecycle_is_formatted_canonically() {
    assert_formatted("resources-and-lifecycle");
}

#[test]
fn resources_and_lifecycle_graph_follows_references_depends_on_and_lifecycle() {
    assert_graph_has_edges(
        "resources-and-lifecycle",
        &[
            ("aws_instance.web", "data.aws_ami.ubuntu"),
            ("aws_instance.web", "random_pet.server"),
            ("aws_instance.web", "time_sleep.wait"),
            ("local_file.inventory", "random_id.bucket"),
            ("null_resource.provisioner", "terraform_data.revision"),
            ("aws_security_group.web", "local.ingress_rules"),
            ("terraform_data.revision", "random_string.suffix"),
            ("output.bucket_names", "aws_launch_template.this"),
        ],
    );
}

#[test]
fn nested_modules_validates() {
    assert_validates("nested-modules");
}

#[test]
fn nested_modules_is_formatted_canonically() {
    assert_formatted("nested-modules");
}

#[test]
fn nested_modules_graph_links_module_inputs_to_the_parent_values() {
    assert_graph_has_edges(
        "nested-modules",
        &[
            ("module.app", "var.names"),
            ("module.worker", "var.worker_count"),
            ("module.app.var.vpc_id", "module.network.output.vpc_id"),
            (
                "module.worker.var.subnet_id",
                "module.network.output.subnet_cidrs",
            ),
            ("module.app.module.naming.var.prefix", "module.app.var.name"),
            (
                "module.app.random_pet.host",
                "module.app.module.naming.output.full_name",
            ),
            ("output.vpc_id", "module.network.output.vpc_id"),
            ("output.app_hostnames", "module.app.output.hostname"),
        ],
    );
}

#[test]
fn sensitive_values_validates() {
    assert_validates("sensitive-values");
}

#[test]
fn sensitive_values_is_formatted_canonically() {
    assert_formatted("sensitive-values");
}

#[test]
fn sensitive_values_graph_links_the_module_input_to_the_root_variable() {
    assert_graph_has_edges(
        "sensitive-values",
        &[
            ("module.database.var.password", "var.db_password"),
            (
                "output.connection_string",
                "module.database.output.connection_string",
            ),
        ],
    );
}
