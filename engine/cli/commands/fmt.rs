//! `terrane fmt`: rewrites files in the canonical layout, as `terraform fmt` does.
//! Exit codes: 0 done, 1 a file could not be read or parsed, 3 `--check` found files to format.

use crate::Ctx;
use crate::diagnostics::render;
use std::io::Read;
use std::path::{Path, PathBuf};
use terrane_types::{Diagnostic, SourceMap, Span};

#[derive(clap::Args, Debug)]
pub struct Args {
    /// Files or directories to format; `-` reads standard input. Default: the working directory.
    targets: Vec<PathBuf>,
    /// Only check: exit with status 3 if any file is not formatted, and change nothing.
    #[arg(long)]
    check: bool,
    /// Print the differences.
    #[arg(long)]
    diff: bool,
    /// Also format files in subdirectories.
    #[arg(long)]
    recursive: bool,
    /// Write the result back to the files.
    #[arg(long, default_value_t = true, action = clap::ArgAction::Set, value_name = "BOOL")]
    write: bool,
    /// List the files whose formatting changes.
    #[arg(long, default_value_t = true, action = clap::ArgAction::Set, value_name = "BOOL")]
    list: bool,
}

const EXTENSIONS: &[&str] = &[".tf", ".tfvars", ".tftest.hcl", ".tfmock.hcl"];

pub fn run(args: Args, ctx: &Ctx) -> u8 {
    let targets = if args.targets.is_empty() {
        vec![PathBuf::from(".")]
    } else {
        args.targets.clone()
    };
    let mut failed = false;
    let mut unformatted = false;
    for target in &targets {
        if target.as_os_str() == "-" {
            let mut text = String::new();
            if let Err(e) = std::io::stdin().read_to_string(&mut text) {
                eprintln!("Error: Failed to read standard input: {e}");
                failed = true;
                continue;
            }
            match format_text(Path::new("<stdin>"), &text, ctx) {
                Some(formatted) => {
                    if args.check {
                        unformatted |= formatted != text;
                    } else {
                        crate::output::emit(&formatted);
                    }
                }
                None => failed = true,
            }
            continue;
        }
        let files = if target.is_dir() {
            collect(target, args.recursive)
        } else if target.is_file() {
            vec![target.clone()]
        } else {
            eprintln!("Error: No file or directory at {}", target.display());
            failed = true;
            continue;
        };
        for file in files {
            match format_file(&file, &args, ctx) {
                Ok(changed) => unformatted |= changed,
                Err(()) => failed = true,
            }
        }
    }
    if failed {
        1
    } else if args.check && unformatted {
        3
    } else {
        0
    }
}

/// Formats one file; `Ok(true)` if its formatting changes.
fn format_file(path: &Path, args: &Args, ctx: &Ctx) -> Result<bool, ()> {
    let text = std::fs::read_to_string(path).map_err(|e| {
        eprintln!("Error: Failed to read file {}: {e}", path.display());
    })?;
    let formatted = format_text(path, &text, ctx).ok_or(())?;
    if formatted == text {
        return Ok(false);
    }
    let shown = terrane_config::normalize(path);
    if args.list {
        crate::output::emitln(&shown.display().to_string());
    }
    if args.diff {
        crate::output::emit(&unified_diff(&shown, &text, &formatted));
    }
    if args.write && !args.check {
        std::fs::write(path, formatted).map_err(|e| {
            eprintln!("Error: Failed to write file {}: {e}", path.display());
        })?;
    }
    Ok(true)
}

fn format_text(path: &Path, text: &str, ctx: &Ctx) -> Option<String> {
    match terrane_fmt::format_source(text) {
        Ok(f) => Some(f),
        Err(e) => {
            let mut sources = SourceMap::new();
            let file = sources.add(terrane_config::normalize(path), text);
            let at = e.offset.min(text.len());
            let d = Diagnostic::error("Invalid syntax")
                .with_detail(e.message)
                .with_span(Span::new(file, at..(at + 1).min(text.len()).max(at)));
            eprint!("{}", render(&d, &sources, ctx.style));
            None
        }
    }
}

fn collect(dir: &Path, recursive: bool) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let Ok(entries) = std::fs::read_dir(dir) else {
        return out;
    };
    let mut entries: Vec<PathBuf> = entries.filter_map(|e| e.ok()).map(|e| e.path()).collect();
    entries.sort();
    for p in entries {
        let name = p.file_name().and_then(|n| n.to_str()).unwrap_or("");
        if name.starts_with('.') {
            continue;
        }
        if p.is_dir() {
            if recursive {
                out.extend(collect(&p, true));
            }
        } else if EXTENSIONS.iter().any(|ext| name.ends_with(ext)) {
            out.push(p);
        }
    }
    out
}

fn unified_diff(path: &Path, old: &str, new: &str) -> String {
    let shown = path.display().to_string();
    similar::TextDiff::from_lines(old, new)
        .unified_diff()
        .header(&format!("old/{shown}"), &format!("new/{shown}"))
        .to_string()
}
