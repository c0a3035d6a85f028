//! Loads Terraform-language modules (.tf, .tf.json, .tfvars) into a spanned configuration tree.

pub mod body;
mod json;
pub mod module;
mod split;
mod tfvars;

pub use body::{Attribute, Block, Body, Label};
pub use module::*;
pub use tfvars::{InputOrigin, InputValue, RawInput, VarArg, collect_inputs};

use indexmap::IndexMap;
use std::path::{Component, Path, PathBuf};
use terrane_lang::syntax::{Lowerer, parse_error};
use terrane_types::{Diagnostic, Diagnostics, SourceMap, Span};

/// A loaded configuration: the root module and, recursively, the modules it calls.
#[derive(Debug)]
pub struct Config {
    pub root: ModuleNode,
}

#[derive(Debug)]
pub struct ModuleNode {
    /// Names of the module calls leading here; empty for the root.
    pub path: Vec<String>,
    pub module: Module,
    pub children: IndexMap<String, ModuleNode>,
}

impl ModuleNode {
    /// `module.a.module.b`, or "" for the root.
    pub fn address(&self) -> String {
        self.path
            .iter()
            .map(|p| format!("module.{p}"))
            .collect::<Vec<_>>()
            .join(".")
    }

    /// Every module in the tree, depth first, this one first.
    pub fn walk(&self) -> Vec<&ModuleNode> {
        let mut out = vec![self];
        for child in self.children.values() {
            out.extend(child.walk());
        }
        out
    }
}

/// Nesting deeper than this is a module that (indirectly) calls itself.
const MAX_MODULE_DEPTH: usize = 32;

/// Loads the module in `dir` and every module it calls with a local `source` path.
/// Problems are all collected; the returned tree holds whatever could be read.
pub fn load(dir: &Path, sources: &mut SourceMap) -> (Config, Diagnostics) {
    let mut diags = Diagnostics::new();
    let root = load_node(dir, Vec::new(), sources, &mut diags);
    (Config { root }, diags)
}

fn load_node(
    dir: &Path,
    path: Vec<String>,
    sources: &mut SourceMap,
    diags: &mut Diagnostics,
) -> ModuleNode {
    let module = load_module(dir, sources, diags);
    let mut children = IndexMap::new();
    for call in module.module_calls.values() {
        let Some(child_dir) = local_source(&call.source) else {
            diags.push(remote_module_error(call));
            continue;
        };
        if path.len() >= MAX_MODULE_DEPTH {
            diags.push(
                Diagnostic::error("Module nesting is too deep")
                    .with_detail(format!(
                        "Modules are nested more than {MAX_MODULE_DEPTH} levels deep here; a module probably calls itself."
                    ))
                    .with_span(call.source_span),
            );
            continue;
        }
        let child_dir = normalize(&dir.join(child_dir));
        if !child_dir.is_dir() {
            diags.push(
                Diagnostic::error("Unreadable module directory")
                    .with_detail(format!(
                        "The directory {} does not exist or cannot be read.",
                        child_dir.display()
                    ))
                    .with_span(call.source_span)
                    .with_hint("Local module sources are relative to the calling module's directory and start with ./ or ../"),
            );
            continue;
        }
        let mut child_path = path.clone();
        child_path.push(call.name.clone());
        let child = load_node(&child_dir, child_path, sources, diags);
        children.insert(call.name.clone(), child);
    }
    ModuleNode {
        path,
        module,
        children,
    }
}

fn remote_module_error(call: &ModuleCall) -> Diagnostic {
    Diagnostic::error("Module source not supported yet")
        .with_detail(format!(
            "The module source \"{}\" is not a local path. terrane loads local modules (sources starting with ./ or ../) and does not download registry, git or archive modules yet.",
            call.source
        ))
        .with_span(call.source_span)
        .with_hint("Vendor the module into a directory of your configuration and point source at it, e.g. \"./modules/name\".")
}

/// The path of a local module source (`./x`, `../x`), as Terraform recognises them.
fn local_source(source: &str) -> Option<&str> {
    (source.starts_with("./") || source.starts_with("../") || source == "." || source == "..")
        .then_some(source)
}

/// Removes `.` and resolves `..` lexically, so paths in messages read `modules/asg/main.tf`.
pub fn normalize(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in path.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => match out.components().next_back() {
                Some(Component::Normal(_)) => {
                    out.pop();
                }
                Some(Component::RootDir | Component::Prefix(_)) => {}
                _ => out.push(".."),
            },
            other => out.push(other.as_os_str()),
        }
    }
    if out.as_os_str().is_empty() {
        out.push(".");
    }
    out
}

/// The configuration files of one directory, in the order Terraform reads them (by name).
pub fn module_files(dir: &Path) -> std::io::Result<Vec<PathBuf>> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)?
        .filter_map(|e| e.ok())
        .map(|e| normalize(&e.path()))
        .filter(|p| {
            let name = p.file_name().and_then(|n| n.to_str()).unwrap_or("");
            !name.starts_with('.')
                && !name.starts_with('#')
                && !name.ends_with('~')
                && (name.ends_with(".tf") || name.ends_with(".tf.json"))
                && p.is_file()
        })
        .collect();
    files.sort();
    Ok(files)
}

/// Loads one module directory (its files only, not the modules it calls).
pub fn load_module(dir: &Path, sources: &mut SourceMap, diags: &mut Diagnostics) -> Module {
    let mut module = Module {
        dir: dir.to_path_buf(),
        ..Module::default()
    };
    let files = match module_files(dir) {
        Ok(f) => f,
        Err(e) => {
            diags.push(
                Diagnostic::error("Failed to read module directory").with_detail(format!(
                    "Module directory {} could not be read: {e}.",
                    dir.display()
                )),
            );
            return module;
        }
    };
    for path in files {
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
        if name == "override.tf"
            || name.ends_with("_override.tf")
            || name.ends_with("_override.tf.json")
            || name == "override.tf.json"
        {
            diags.push(
                Diagnostic::error("Override files are not supported yet")
                    .with_detail(format!(
                        "{} is an override file; terrane does not merge override files yet. Move its contents into the blocks they override.",
                        path.display()
                    )),
            );
            continue;
        }
        let Some((file, body)) = parse_file(&path, sources, diags) else {
            continue;
        };
        module.add_file(file, body, diags);
    }
    module
}

/// Reads and parses one `.tf` or `.tf.json` file into a schema-less body.
pub fn parse_file(
    path: &Path,
    sources: &mut SourceMap,
    diags: &mut Diagnostics,
) -> Option<(terrane_types::FileId, Body)> {
    let bytes = match std::fs::read(path) {
        Ok(b) => b,
        Err(e) => {
            diags.push(
                Diagnostic::error("Failed to read file").with_detail(format!(
                    "The file {} could not be read: {e}.",
                    path.display()
                )),
            );
            return None;
        }
    };
    let text = match String::from_utf8(bytes) {
        Ok(t) => t,
        Err(e) => {
            let valid = e.utf8_error().valid_up_to();
            let text = String::from_utf8_lossy(e.as_bytes()).into_owned();
            let file = sources.add(path, text);
            diags.push(
                Diagnostic::error("Invalid character encoding")
                    .with_detail("All input files must be UTF-8 encoded. Ensure that UTF-8 encoding is selected in your editor.")
                    // The bad bytes became U+FFFD (3 bytes) in the text we keep.
                    .with_span(Span::new(file, valid..valid + '\u{FFFD}'.len_utf8())),
            );
            return None;
        }
    };
    let file = sources.add(path, text.as_str());
    let is_json = path.to_string_lossy().ends_with(".json");
    if is_json {
        return json::parse_body(&text, file, diags).map(|b| (file, b));
    }
    let whole = Span::new(file, 0..text.len());
    match split::scan(&text) {
        split::Scan::Items(items) => {
            if let Some((body, item_diags)) = parse_items(&text, file, &items) {
                diags.extend(item_diags);
                return Some((
                    file,
                    Body {
                        span: whole,
                        ..body
                    },
                ));
            }
        }
        split::Scan::Problem(p) => {
            diags.push(problem_diagnostic(&p, &text, file));
            return None;
        }
        split::Scan::Unsure => {}
    }
    let parsed = match hcl::edit::parser::parse_body(&text) {
        Ok(b) => b,
        Err(e) => {
            diags.push(parse_error(&e, &text, file, 0));
            return None;
        }
    };
    let lw = Lowerer::new(file, &text);
    Some((file, Body::lower(&parsed, &lw, whole, diags)))
}

/// A syntax problem found by the scan, in HCL's words.
fn problem_diagnostic(p: &split::Problem, text: &str, file: terrane_types::FileId) -> Diagnostic {
    use split::Problem;
    let at = |offset: usize| {
        let len = text[offset.min(text.len())..]
            .chars()
            .next()
            .map_or(0, char::len_utf8);
        Span::new(file, offset..offset + len)
    };
    match p {
        Problem::UnclosedBlock { open } => Diagnostic::error("Unclosed configuration block")
            .with_detail("There is no closing brace for this block before the end of the file. This may be caused by incorrect brace nesting elsewhere in this file.")
            .with_span(at(*open)),
        Problem::MultiLineString { newline } => Diagnostic::error("Invalid multi-line string")
            .with_detail("Quoted strings may not be split over multiple lines. To produce a multi-line string, either use the \\n escape to represent a newline character or use the \"heredoc\" multi-line template syntax.")
            .with_span(at(*newline)),
        Problem::UnclosedInterpolation { open } => {
            Diagnostic::error("Unclosed template interpolation sequence")
                .with_detail("There is no closing brace for this interpolation sequence before the end of the quoted template. This might be caused by incorrect nesting inside the given expression.")
                .with_span(Span::new(file, *open..*open + 2))
        }
        Problem::UnterminatedHeredoc { end } => Diagnostic::error("Unterminated template string")
            .with_detail("No closing marker was found for the string.")
            .with_span(Span::new(file, *end..*end)),
        Problem::InvalidCharacter { at: offset, ch } => {
            let (detail, hint) = match ch {
                '`' => ("The \"`\" character is not valid. To create a multi-line string, use the \"heredoc\" syntax, like \"<<EOT\".", None),
                '\'' => ("Single quotes are not valid. Use double quotes (\") to enclose strings.", None),
                ';' => ("The \";\" character is not valid. Use newlines to separate arguments and blocks, and commas to separate items in collection values.", None),
                '\u{201c}' | '\u{201d}' | '\u{2018}' | '\u{2019}' => (
                    "This character is not used within the language.",
                    Some("This looks like a typographic quote, as word processors insert; use a straight double quote (\") instead."),
                ),
                _ => ("This character is not used within the language.", None),
            };
            let d = Diagnostic::error("Invalid character")
                .with_detail(detail)
                .with_span(at(*offset));
            match hint {
                Some(h) => d.with_hint(h),
                None => d,
            }
        }
    }
}

/// Parses and lowers top-level items one at a time, on several threads for large files, so
/// only one item's hcl-edit tree is alive per thread. `None` if any item fails to parse: the
/// caller then parses the whole file, whose error messages are hcl-edit's own.
fn parse_items(
    text: &str,
    file: terrane_types::FileId,
    items: &[std::ops::Range<usize>],
) -> Option<(Body, Diagnostics)> {
    const ITEMS_PER_THREAD: usize = 256;
    let threads = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(items.len().div_ceil(ITEMS_PER_THREAD))
        .max(1);
    let parse_group = |group: &[std::ops::Range<usize>]| -> Option<(Body, Diagnostics)> {
        let mut body = Body::default();
        let mut diags = Diagnostics::new();
        for range in group {
            let src = &text[range.clone()];
            let parsed = hcl::edit::parser::parse_body(src).ok()?;
            let lw = Lowerer {
                file,
                src,
                base: range.start,
            };
            let item = Body::lower(&parsed, &lw, Span::new(file, range.clone()), &mut diags);
            drop(parsed);
            body.attributes.extend(item.attributes);
            body.blocks.extend(item.blocks);
        }
        Some((body, diags))
    };
    if threads == 1 {
        return parse_group(items);
    }
    let chunk = items.len().div_ceil(threads);
    let results: Vec<Option<(Body, Diagnostics)>> = std::thread::scope(|s| {
        let handles: Vec<_> = items
            .chunks(chunk)
            .map(|group| s.spawn(move || parse_group(group)))
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().ok().flatten())
            .collect()
    });
    let mut body = Body::default();
    let mut diags = Diagnostics::new();
    for r in results {
        let (b, d) = r?;
        for (name, attr) in b.attributes {
            // Keep the first definition, as a whole-file parse would report the second.
            if body.attributes.contains_key(&name) {
                return None;
            }
            body.attributes.insert(name, attr);
        }
        body.blocks.extend(b.blocks);
        diags.extend(d);
    }
    Some((body, diags))
}

/// Reads a variables file: native syntax, or JSON for `.tfvars.json` (every property a value).
pub(crate) fn parse_file_as_tfvars(
    path: &Path,
    sources: &mut SourceMap,
    diags: &mut Diagnostics,
) -> Option<(terrane_types::FileId, Body)> {
    if path.to_string_lossy().ends_with(".json") {
        let text = match std::fs::read_to_string(path) {
            Ok(t) => t,
            Err(e) => {
                diags.push(
                    Diagnostic::error("Failed to read variables file").with_detail(format!(
                        "The file {} could not be read: {e}.",
                        path.display()
                    )),
                );
                return None;
            }
        };
        let file = sources.add(path, text.as_str());
        return json::parse_values(&text, file, diags).map(|b| (file, b));
    }
    parse_file(path, sources, diags)
}

#[cfg(test)]
mod tests;
