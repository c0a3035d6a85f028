//! Values for the root module's input variables, from every place Terraform takes them, with
//! Terraform's precedence (later wins): `TF_VAR_name` environment variables, `terraform.tfvars`,
//! `terraform.tfvars.json`, `*.auto.tfvars(.json)` in lexical order, then `-var` and `-var-file`
//! in the order given on the command line.

use crate::body::Body;
use indexmap::IndexMap;
use std::path::{Path, PathBuf};
use terrane_lang::ast::Expr;
use terrane_types::{Diagnostic, Diagnostics, SourceMap, Span};

/// One `-var` or `-var-file` argument, in command-line order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum VarArg {
    /// `-var 'name=value'`
    Var(String),
    /// `-var-file=path`
    File(PathBuf),
}

/// A value as given, before it is converted to the variable's type.
#[derive(Clone, Debug)]
pub enum RawInput {
    /// An expression from a `.tfvars` file.
    Expr(Expr),
    /// Text from `-var` or the environment: a literal string for variables of type string or
    /// without a type, else parsed as an expression.
    Text(String),
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum InputOrigin {
    Environment(String),
    File(Span),
    CommandLine,
}

#[derive(Clone, Debug)]
pub struct InputValue {
    pub raw: RawInput,
    pub origin: InputOrigin,
    /// Where the value's definition is, for diagnostics (files only).
    pub span: Option<Span>,
}

/// Collects every value given for a root variable. `declared` tells which names exist, so values
/// for undeclared variables produce Terraform's warning (files, environment) or error (-var).
pub fn collect_inputs(
    dir: &Path,
    args: &[VarArg],
    env: impl IntoIterator<Item = (String, String)>,
    declared: &dyn Fn(&str) -> bool,
    sources: &mut SourceMap,
) -> (IndexMap<String, InputValue>, Diagnostics) {
    let mut diags = Diagnostics::new();
    let mut values: IndexMap<String, InputValue> = IndexMap::new();

    let mut env: Vec<(String, String)> = env
        .into_iter()
        .filter_map(|(k, v)| k.strip_prefix("TF_VAR_").map(|n| (n.to_owned(), v)))
        .collect();
    env.sort();
    for (name, text) in env {
        // Terraform silently ignores environment values for undeclared variables.
        if declared(&name) {
            values.insert(
                name.clone(),
                InputValue {
                    raw: RawInput::Text(text),
                    origin: InputOrigin::Environment(format!("TF_VAR_{name}")),
                    span: None,
                },
            );
        }
    }

    let mut auto_files = Vec::new();
    for name in ["terraform.tfvars", "terraform.tfvars.json"] {
        let p = dir.join(name);
        if p.is_file() {
            auto_files.push(p);
        }
    }
    if let Ok(entries) = std::fs::read_dir(dir) {
        let mut autos: Vec<PathBuf> = entries
            .filter_map(|e| e.ok())
            .map(|e| e.path())
            .filter(|p| {
                let n = p.file_name().and_then(|n| n.to_str()).unwrap_or("");
                (n.ends_with(".auto.tfvars") || n.ends_with(".auto.tfvars.json")) && p.is_file()
            })
            .collect();
        autos.sort();
        auto_files.extend(autos);
    }
    for path in auto_files {
        read_file_values(&path, &mut values, declared, sources, &mut diags);
    }

    for arg in args {
        match arg {
            VarArg::File(path) => {
                if !path.is_file() {
                    diags.push(
                        Diagnostic::error("Failed to read variables file").with_detail(format!(
                            "Given variables file {} does not exist.",
                            path.display()
                        )),
                    );
                    continue;
                }
                read_file_values(path, &mut values, declared, sources, &mut diags);
            }
            VarArg::Var(text) => {
                let Some((name, value)) = text.split_once('=') else {
                    diags.push(
                        Diagnostic::error("Invalid -var option")
                            .with_detail(format!(
                                "The given -var option {text:?} is not correctly specified. It must be a variable name and value separated by an equals sign, like -var=\"key=value\"."
                            )),
                    );
                    continue;
                };
                let name = name.trim();
                if !declared(name) {
                    diags.push(
                        Diagnostic::error("Value for undeclared variable")
                            .with_detail(format!(
                                "A variable named \"{name}\" was assigned on the command line, but the root module does not declare a variable of that name. To use this value, add a \"variable\" block to the configuration."
                            )),
                    );
                    continue;
                }
                values.shift_remove(name);
                values.insert(
                    name.to_owned(),
                    InputValue {
                        raw: RawInput::Text(value.to_owned()),
                        origin: InputOrigin::CommandLine,
                        span: None,
                    },
                );
            }
        }
    }
    (values, diags)
}

fn read_file_values(
    path: &Path,
    values: &mut IndexMap<String, InputValue>,
    declared: &dyn Fn(&str) -> bool,
    sources: &mut SourceMap,
    diags: &mut Diagnostics,
) {
    let Some((_, body)) = crate::parse_file_as_tfvars(path, sources, diags) else {
        return;
    };
    let Body {
        attributes, blocks, ..
    } = body;
    for b in blocks {
        diags.push(
            Diagnostic::error("Unexpected block in variables file")
                .with_detail("A variables file may only contain attribute definitions like name = value, not blocks.")
                .with_span(b.kind_span),
        );
    }
    for (name, attr) in attributes {
        if !declared(&name) {
            diags.push(
                Diagnostic::warning("Value for undeclared variable")
                    .with_detail(format!(
                        "The root module does not declare a variable named \"{name}\" but a value was found in file \"{}\". If you meant to use this value, add a \"variable\" block to the configuration.",
                        path.display()
                    ))
                    .with_span(attr.name_span),
            );
            continue;
        }
        values.shift_remove(&name);
        values.insert(
            name,
            InputValue {
                span: Some(attr.span),
                origin: InputOrigin::File(attr.span),
                raw: RawInput::Expr(attr.expr),
            },
        );
    }
}
