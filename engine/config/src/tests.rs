use super::*;
use std::fs;
use terrane_lang::ast::ExprKind;
use terrane_types::Value;

fn write(dir: &Path, name: &str, text: &str) {
    let path = dir.join(name);
    if let Some(parent) = path.parent() {
        fs::create_dir_all(parent).unwrap();
    }
    fs::write(path, text).unwrap();
}

fn load_dir(dir: &Path) -> (Config, Diagnostics, SourceMap) {
    let mut sources = SourceMap::new();
    let (config, diags) = load(dir, &mut sources);
    (config, diags, sources)
}

#[test]
fn a_module_tree_is_loaded_through_local_sources() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "main.tf",
        "module \"app\" {\n  source = \"./modules/app\"\n  name = \"x\"\n}\n",
    );
    write(
        dir.path(),
        "modules/app/main.tf",
        "variable \"name\" {}\nmodule \"db\" {\n  source = \"../db\"\n}\n",
    );
    write(
        dir.path(),
        "modules/db/main.tf",
        "output \"url\" {\n  value = \"db\"\n}\n",
    );
    let (config, diags, _) = load_dir(dir.path());
    assert!(diags.is_empty(), "{diags:?}");
    let app = &config.root.children["app"];
    assert_eq!(app.path, vec!["app".to_string()]);
    assert!(app.module.variables.contains_key("name"));
    let db = &app.children["db"];
    assert_eq!(db.address(), "module.app.module.db");
    assert!(db.module.outputs.contains_key("url"));
    assert_eq!(config.root.walk().len(), 3);
}

#[test]
fn file_paths_in_the_source_map_are_normalized() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "root/main.tf",
        "module \"m\" {\n  source = \"../shared/m\"\n}\n",
    );
    write(dir.path(), "shared/m/main.tf", "locals {}\n");
    let root = dir.path().join("root");
    let (config, diags, sources) = load_dir(&root);
    assert!(diags.is_empty(), "{diags:?}");
    let child_file = config.root.children["m"].module.files[0];
    let path = sources.path(child_file).unwrap().to_path_buf();
    assert!(!path.to_string_lossy().contains(".."), "{path:?}");
    assert!(path.ends_with("shared/m/main.tf"));
}

#[test]
fn remote_module_sources_are_a_clear_not_supported_yet_error() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "main.tf",
        "module \"vpc\" {\n  source = \"terraform-aws-modules/vpc/aws\"\n}\n",
    );
    let (_, diags, _) = load_dir(dir.path());
    let d = diags.iter().next().unwrap();
    assert_eq!(d.summary, "Module source not supported yet");
    assert!(d.hint.as_deref().unwrap().contains("Vendor the module"));
}

#[test]
fn a_missing_module_directory_points_at_the_source() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "main.tf",
        "module \"m\" {\n  source = \"./nowhere\"\n}\n",
    );
    let (_, diags, sources) = load_dir(dir.path());
    let d = diags.iter().next().unwrap();
    assert_eq!(d.summary, "Unreadable module directory");
    let at = sources.location(d.span.unwrap()).unwrap();
    assert_eq!((at.line, at.column), (2, 12));
}

#[test]
fn override_files_are_refused_rather_than_silently_ignored() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "main.tf", "locals {}\n");
    write(dir.path(), "main_override.tf", "locals {}\n");
    let (_, diags, _) = load_dir(dir.path());
    assert_eq!(
        diags.iter().next().unwrap().summary,
        "Override files are not supported yet"
    );
}

#[test]
fn files_are_read_in_name_order_and_editor_leftovers_are_skipped() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "b.tf", "locals { b = 1 }\n");
    write(dir.path(), "a.tf", "locals { a = 1 }\n");
    write(dir.path(), ".hidden.tf", "this is not HCL\n");
    write(dir.path(), "a.tf~", "nor this\n");
    let (config, diags, _) = load_dir(dir.path());
    assert!(diags.is_empty(), "{diags:?}");
    let names: Vec<&String> = config.root.module.locals.keys().collect();
    assert_eq!(names, ["a", "b"]);
}

#[test]
fn large_files_load_the_same_item_by_item_as_whole() {
    // More items than one thread handles, so the parallel path runs.
    let mut text = String::new();
    for i in 0..600 {
        text.push_str(&format!(
            "resource \"terraform_data\" \"r{i}\" {{\n  input = \"${{var.x}}-{i}\"\n}}\n\n"
        ));
    }
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "main.tf", &text);
    let (config, diags, sources) = load_dir(dir.path());
    assert!(diags.is_empty(), "{diags:?}");
    let resources = &config.root.module.resources;
    assert_eq!(resources.len(), 600);
    // Order and spans are those of the file.
    let last = &resources["terraform_data.r599"];
    assert_eq!(resources.get_index(599).unwrap().0, "terraform_data.r599");
    let at = sources.location(last.decl_span).unwrap();
    assert_eq!(at.line, 599 * 4 + 1);
}

fn inputs(
    dir: &Path,
    args: &[VarArg],
    env: &[(&str, &str)],
) -> (IndexMap<String, InputValue>, Diagnostics) {
    let mut sources = SourceMap::new();
    let declared = |n: &str| ["region", "size", "tags"].contains(&n);
    collect_inputs(
        dir,
        args,
        env.iter().map(|(k, v)| (k.to_string(), v.to_string())),
        &declared,
        &mut sources,
    )
}

fn text_of(v: &InputValue) -> String {
    match &v.raw {
        RawInput::Text(t) => format!("text:{t}"),
        RawInput::Expr(e) => match &e.kind {
            ExprKind::Literal(Value::String(s)) => format!("file:{s}"),
            other => format!("expr:{other:?}"),
        },
    }
}

#[test]
fn variable_values_follow_terraforms_precedence() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "terraform.tfvars",
        "region = \"from-tfvars\"\nsize = \"tfvars\"\n",
    );
    write(dir.path(), "a.auto.tfvars", "region = \"from-a-auto\"\n");
    write(
        dir.path(),
        "b.auto.tfvars.json",
        "{\"region\": \"from-b-auto\"}",
    );
    write(dir.path(), "extra.tfvars", "region = \"from-var-file\"\n");
    // Environment < terraform.tfvars < *.auto.tfvars (lexical) < -var / -var-file in order.
    let (values, diags) = inputs(
        dir.path(),
        &[
            VarArg::Var("region=from-cli".into()),
            VarArg::File(dir.path().join("extra.tfvars")),
        ],
        &[("TF_VAR_region", "from-env"), ("TF_VAR_tags", "{a=1}")],
    );
    assert!(diags.is_empty(), "{diags:?}");
    assert_eq!(text_of(&values["region"]), "file:from-var-file");
    assert_eq!(text_of(&values["size"]), "file:tfvars");
    assert_eq!(text_of(&values["tags"]), "text:{a=1}");
    // The last -var wins when it comes after the file.
    let (values, _) = inputs(
        dir.path(),
        &[
            VarArg::File(dir.path().join("extra.tfvars")),
            VarArg::Var("region=from-cli".into()),
        ],
        &[],
    );
    assert_eq!(text_of(&values["region"]), "text:from-cli");
    assert_eq!(values["region"].origin, InputOrigin::CommandLine);
}

#[test]
fn auto_tfvars_files_apply_in_lexical_order() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "a.auto.tfvars", "region = \"a\"\n");
    write(dir.path(), "b.auto.tfvars", "region = \"b\"\n");
    let (values, _) = inputs(dir.path(), &[], &[]);
    assert_eq!(text_of(&values["region"]), "file:b");
}

#[test]
fn undeclared_values_warn_in_files_and_fail_on_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "terraform.tfvars", "regoin = \"typo\"\n");
    let (values, diags) = inputs(
        dir.path(),
        &[VarArg::Var("nope=1".into())],
        &[("TF_VAR_unrelated", "x")],
    );
    assert!(values.is_empty());
    let summaries: Vec<(bool, &str)> = diags
        .iter()
        .map(|d| (d.is_error(), d.summary.as_str()))
        .collect();
    assert_eq!(
        summaries,
        [
            (false, "Value for undeclared variable"),
            (true, "Value for undeclared variable")
        ]
    );
}

#[test]
fn malformed_var_options_and_missing_var_files_are_errors() {
    let dir = tempfile::tempdir().unwrap();
    let (_, diags) = inputs(
        dir.path(),
        &[
            VarArg::Var("region".into()),
            VarArg::File(dir.path().join("missing.tfvars")),
        ],
        &[],
    );
    let summaries: Vec<&str> = diags.iter().map(|d| d.summary.as_str()).collect();
    assert_eq!(
        summaries,
        ["Invalid -var option", "Failed to read variables file"]
    );
}

#[test]
fn blocks_in_a_variables_file_are_reported() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "terraform.tfvars",
        "region = \"x\"\nlocals {}\n",
    );
    let (values, diags) = inputs(dir.path(), &[], &[]);
    assert!(values.contains_key("region"));
    assert_eq!(
        diags.iter().next().unwrap().summary,
        "Unexpected block in variables file"
    );
}
