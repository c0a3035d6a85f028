//! `terrane output [NAME]`: root module outputs from the state, as HCL, JSON (`--json`) or
//! raw text (`--raw`, for scripts).

use crate::Ctx;
use crate::output::emitln;
use std::path::Path;
use terrane_state::LocalBackend;
use terrane_types::Value;

#[derive(clap::Args, Debug)]
pub struct Args {
    /// One output's name; all outputs when omitted.
    name: Option<String>,
    /// JSON, as `terraform output -json` prints it.
    #[arg(long)]
    json: bool,
    /// The value of a string, number or bool output as plain text, for scripts.
    #[arg(long)]
    raw: bool,
    /// Read this state file instead of the configured one.
    #[arg(long)]
    state: Option<std::path::PathBuf>,
}

pub fn run(args: Args, _ctx: &Ctx) -> u8 {
    let backend = match &args.state {
        Some(p) => LocalBackend::new(p),
        None => LocalBackend::in_dir(Path::new(".")),
    };
    let state = match backend.read() {
        Ok(Some(s)) => s,
        Ok(None) => {
            if args.json && args.name.is_none() {
                emitln("{}");
                return 0;
            }
            eprintln!(
                "Warning: No outputs found\n\nThe state file either has no outputs defined, or all the defined outputs are empty. Run terrane apply to create them."
            );
            return if args.name.is_some() { 1 } else { 0 };
        }
        Err(e) => {
            eprintln!("Error: Failed to load state\n\n{e}");
            return 1;
        }
    };
    match &args.name {
        Some(name) => {
            let Some(o) = state.outputs.get(name) else {
                eprintln!(
                    "Error: Output \"{name}\" not found\n\nThe output variable requested could not be found in the state file. If you recently added this to your configuration, be sure to run `terrane apply`, since the state won't be updated with new output variables until that command is run."
                );
                return 1;
            };
            let value = Value::from_json(&o.value);
            if args.raw {
                match &value {
                    Value::String(s) => crate::output::emit(s),
                    Value::Number(n) => crate::output::emit(&n.to_string()),
                    Value::Bool(b) => crate::output::emit(&b.to_string()),
                    _ => {
                        eprintln!(
                            "Error: Unsupported value for raw output\n\nThe -raw option only supports strings, numbers, and boolean values, but output value \"{name}\" is {}. Use the -json option for machine-readable output.",
                            value.ty().friendly_name()
                        );
                        return 1;
                    }
                }
            } else if args.json {
                emitln(&o.value.to_string());
            } else {
                emitln(&hcl(&value));
            }
        }
        None => {
            if args.json {
                let all: serde_json::Map<String, serde_json::Value> = state
                    .outputs
                    .iter()
                    .map(|(k, o)| {
                        (
                            k.clone(),
                            serde_json::json!({"sensitive": o.sensitive, "type": o.type_, "value": o.value}),
                        )
                    })
                    .collect();
                emitln(&serde_json::to_string_pretty(&all).unwrap_or_default());
            } else {
                for (k, o) in &state.outputs {
                    let shown = if o.sensitive {
                        "<sensitive>".to_owned()
                    } else {
                        hcl(&Value::from_json(&o.value))
                    };
                    emitln(&format!("{k} = {shown}"));
                }
            }
        }
    }
    0
}

/// A value in HCL syntax, as Terraform shows outputs.
pub fn hcl(v: &Value) -> String {
    let mut out = String::new();
    write_hcl(v, 0, &mut out);
    out
}

fn write_hcl(v: &Value, indent: usize, out: &mut String) {
    let pad = "  ".repeat(indent + 1);
    let close = "  ".repeat(indent);
    match v {
        Value::Sensitive(_) => out.push_str("(sensitive value)"),
        Value::Unknown(_) => out.push_str("(known after apply)"),
        Value::Null(_) => out.push_str("null"),
        Value::Bool(b) => out.push_str(&b.to_string()),
        Value::Number(n) => out.push_str(&n.to_string()),
        Value::String(s) => out.push_str(&format!("{s:?}")),
        Value::List(items) | Value::Set(items) | Value::Tuple(items) => {
            if items.is_empty() {
                out.push_str("[]");
                return;
            }
            out.push_str("[\n");
            for i in items {
                out.push_str(&pad);
                write_hcl(i, indent + 1, out);
                out.push_str(",\n");
            }
            out.push_str(&close);
            out.push(']');
        }
        Value::Map(items) | Value::Object(items) => {
            if items.is_empty() {
                out.push_str("{}");
                return;
            }
            let width = items.keys().map(|k| key(k).len()).max().unwrap_or(0);
            out.push_str("{\n");
            for (k, i) in items {
                let k = key(k);
                out.push_str(&format!("{pad}{k:width$} = "));
                write_hcl(i, indent + 1, out);
                out.push('\n');
            }
            out.push_str(&close);
            out.push('}');
        }
    }
}

fn key(k: &str) -> String {
    let ident = k
        .chars()
        .next()
        .is_some_and(|c| c.is_alphabetic() || c == '_')
        && k.chars()
            .all(|c| c.is_alphanumeric() || c == '_' || c == '-');
    if ident {
        k.to_owned()
    } else {
        format!("{k:?}")
    }
}
