//! Building an archive: what goes in (from the configuration) and the zip bytes.
//!
//! The bytes depend on the entries' names, contents and modes only: entries are in a fixed
//! order, every timestamp is the zip epoch (1980-01-01 00:00), the "made by" system is always
//! Unix, and modes are normalised (0644, or 0755 for files with an execute bit; or
//! `output_file_mode` for all) so umask and checkout differences do not change the hash.

use crate::util::{arg_error, boolean, known, string, strings};
use std::collections::BTreeMap;
use std::io::Write as _;
use std::path::Path;
use terrane_sdk::ProviderError;
use terrane_types::Value;
use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, DateTime, System};

/// One file of the archive.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Entry {
    pub name: String,
    pub data: Vec<u8>,
    pub mode: u32,
}

const FILE_MODE: u32 = 0o644;
const EXEC_MODE: u32 = 0o755;
/// Directory levels followed through symbolic links before giving up (link cycles).
const MAX_DEPTH: usize = 64;

/// Where the archive's content comes from.
#[derive(Debug)]
pub(crate) enum Source {
    File(String),
    Dir {
        path: String,
        excludes: Vec<String>,
        skip_symlinked_dirs: bool,
    },
    Content {
        filename: String,
        content: String,
    },
    /// `source` blocks: file name → content.
    Blocks(BTreeMap<String, String>),
}

const SOURCES: [&str; 4] = [
    "source_file",
    "source_dir",
    "source_content_filename",
    "source",
];

/// Reads and checks the source arguments: exactly one kind of source.
pub(crate) fn source(config: &Value) -> Result<Source, ProviderError> {
    let blocks = known(config, "source")
        .and_then(Value::as_seq)
        .filter(|s| !s.is_empty());
    let content_set = known(config, "source_content").is_some();
    let mut set: Vec<&str> = Vec::new();
    for name in SOURCES {
        let is = match name {
            "source" => blocks.is_some(),
            "source_content_filename" => {
                content_set || known(config, "source_content_filename").is_some()
            }
            _ => known(config, name).is_some(),
        };
        if is {
            set.push(name);
        }
    }
    let one_of = "one of source_file, source_dir, source_content (with source_content_filename) \
                  and source blocks";
    let kind = match set.as_slice() {
        [] => {
            return Err(arg_error(
                "source_file",
                format!("exactly {one_of} must be set"),
            ));
        }
        [k] => *k,
        [a, b, ..] => {
            return Err(arg_error(
                b,
                format!("{a} and {b} are both set; only {one_of} may be"),
            ));
        }
    };
    let has_excludes = known(config, "excludes")
        .and_then(Value::as_seq)
        .is_some_and(|e| !e.is_empty());
    if kind != "source_dir" && has_excludes {
        return Err(arg_error("excludes", "excludes applies to source_dir only"));
    }
    Ok(match kind {
        "source_file" => Source::File(string(config, "source_file").unwrap_or("").to_owned()),
        "source_dir" => Source::Dir {
            path: string(config, "source_dir").unwrap_or("").to_owned(),
            excludes: strings(config, "excludes"),
            skip_symlinked_dirs: boolean(config, "exclude_symlink_directories").unwrap_or(false),
        },
        "source_content_filename" => Source::Content {
            filename: string(config, "source_content_filename")
                .ok_or_else(|| {
                    arg_error(
                        "source_content_filename",
                        "source_content needs source_content_filename, the name it has in the archive",
                    )
                })?
                .to_owned(),
            content: string(config, "source_content").unwrap_or("").to_owned(),
        },
        _ => {
            let mut files = BTreeMap::new();
            for (i, b) in blocks.unwrap_or(&[]).iter().enumerate() {
                let filename = string(b, "filename").ok_or_else(|| {
                    arg_error("source", format!("source block {i} has no filename"))
                })?;
                files.insert(filename.to_owned(), string(b, "content").unwrap_or("").to_owned());
            }
            Source::Blocks(files)
        }
    })
}

/// A mode that does not depend on the machine: executable or not.
fn normalised_mode(meta: &std::fs::Metadata) -> u32 {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        if meta.permissions().mode() & 0o111 != 0 {
            return EXEC_MODE;
        }
    }
    #[cfg(not(unix))]
    let _ = meta;
    FILE_MODE
}

fn io_error(attr: &str, what: String, e: std::io::Error) -> ProviderError {
    arg_error(attr, what).with_detail(e.to_string())
}

/// The entries of the archive, in archive order.
pub(crate) fn entries(source: &Source) -> Result<Vec<Entry>, ProviderError> {
    match source {
        Source::File(path) => {
            let meta = std::fs::metadata(path).map_err(|e| {
                io_error(
                    "source_file",
                    format!("could not archive missing file {path}"),
                    e,
                )
            })?;
            let data = std::fs::read(path)
                .map_err(|e| io_error("source_file", format!("reading {path}"), e))?;
            let name = Path::new(path)
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_else(|| path.clone());
            Ok(vec![Entry {
                name,
                data,
                mode: normalised_mode(&meta),
            }])
        }
        Source::Dir {
            path,
            excludes,
            skip_symlinked_dirs,
        } => {
            let meta = std::fs::metadata(path).map_err(|e| {
                io_error(
                    "source_dir",
                    format!("could not archive missing directory {path}"),
                    e,
                )
            })?;
            if !meta.is_dir() {
                return Err(arg_error(
                    "source_dir",
                    format!("could not archive directory that is a file: {path}"),
                ));
            }
            let excludes = exclude_matcher(excludes)?;
            let mut out = Vec::new();
            walk(
                Path::new(path),
                "",
                &excludes,
                *skip_symlinked_dirs,
                0,
                &mut out,
            )?;
            if out.is_empty() {
                return Err(arg_error(
                    "source_dir",
                    format!("archive has not been created as it would be empty: {path}"),
                ));
            }
            Ok(out)
        }
        Source::Content { filename, content } => Ok(vec![Entry {
            name: filename.replace('\\', "/"),
            data: content.as_bytes().to_vec(),
            mode: FILE_MODE,
        }]),
        Source::Blocks(files) => Ok(files
            .iter()
            .map(|(name, content)| Entry {
                name: name.replace('\\', "/"),
                data: content.as_bytes().to_vec(),
                mode: FILE_MODE,
            })
            .collect()),
    }
}

/// `excludes` as globs where `*` stays within a path segment and `**` crosses them.
fn exclude_matcher(patterns: &[String]) -> Result<globset::GlobSet, ProviderError> {
    let mut set = globset::GlobSetBuilder::new();
    for p in patterns.iter().filter(|p| !p.is_empty()) {
        let glob = globset::GlobBuilder::new(p)
            .literal_separator(true)
            .build()
            .map_err(|e| {
                arg_error("excludes", format!("invalid exclude pattern {p:?}"))
                    .with_detail(e.to_string())
            })?;
        set.add(glob);
    }
    set.build()
        .map_err(|e| arg_error("excludes", "invalid exclude patterns").with_detail(e.to_string()))
}

/// Adds the files under `dir` depth first, each directory's entries in name order (as Go's
/// `filepath.Walk`), following symbolic links; `prefix` is `dir`'s path in the archive.
fn walk(
    dir: &Path,
    prefix: &str,
    excludes: &globset::GlobSet,
    skip_symlinked_dirs: bool,
    depth: usize,
    out: &mut Vec<Entry>,
) -> Result<(), ProviderError> {
    if depth > MAX_DEPTH {
        return Err(arg_error(
            "source_dir",
            format!(
                "directories nested too deeply (a symbolic link cycle?) at {}",
                dir.display()
            ),
        ));
    }
    let listing = |e| io_error("source_dir", format!("listing {}", dir.display()), e);
    let mut names: Vec<std::ffi::OsString> = std::fs::read_dir(dir)
        .map_err(listing)?
        .map(|e| e.map(|e| e.file_name()))
        .collect::<Result<_, _>>()
        .map_err(listing)?;
    names.sort();
    for name in names {
        let path = dir.join(&name);
        let name = name.to_string_lossy();
        let rel = if prefix.is_empty() {
            name.into_owned()
        } else {
            format!("{prefix}/{name}")
        };
        if excludes.is_match(&rel) {
            continue;
        }
        let link = std::fs::symlink_metadata(&path)
            .map_err(|e| io_error("source_dir", format!("reading {}", path.display()), e))?;
        let meta = std::fs::metadata(&path)
            .map_err(|e| io_error("source_dir", format!("following {}", path.display()), e))?;
        if meta.is_dir() {
            if link.file_type().is_symlink() && skip_symlinked_dirs {
                continue;
            }
            walk(&path, &rel, excludes, skip_symlinked_dirs, depth + 1, out)?;
            continue;
        }
        let data = std::fs::read(&path)
            .map_err(|e| io_error("source_dir", format!("reading {}", path.display()), e))?;
        out.push(Entry {
            name: rel,
            data,
            mode: normalised_mode(&meta),
        });
    }
    Ok(())
}

/// `output_file_mode` as Go's `strconv.ParseUint(s, 0, 32)` reads it: "0666" is octal.
pub(crate) fn parse_file_mode(text: &str) -> Result<u32, String> {
    let t = text.trim().replace('_', "");
    let (digits, radix) = if let Some(h) = t.strip_prefix("0x").or(t.strip_prefix("0X")) {
        (h.to_owned(), 16)
    } else if let Some(o) = t.strip_prefix("0o").or(t.strip_prefix("0O")) {
        (o.to_owned(), 8)
    } else if let Some(b) = t.strip_prefix("0b").or(t.strip_prefix("0B")) {
        (b.to_owned(), 2)
    } else if t.len() > 1 && t.starts_with('0') {
        (t[1..].to_owned(), 8)
    } else {
        (t, 10)
    };
    u32::from_str_radix(&digits, radix)
        .map_err(|_| format!("{text:?} is not a file mode; write it in octal, such as \"0644\""))
}

/// The zip file of `entries`, every entry with `mode` when given.
pub(crate) fn zip(entries: &[Entry], mode: Option<u32>) -> Result<Vec<u8>, ProviderError> {
    let failed = |e: &dyn std::fmt::Display| {
        ProviderError::new("Archive creation error").with_detail(format!("writing the zip: {e}"))
    };
    let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    for e in entries {
        let options = SimpleFileOptions::default()
            .compression_method(CompressionMethod::Deflated)
            .compression_level(Some(6))
            .last_modified_time(DateTime::default())
            .system(System::Unix)
            .unix_permissions(mode.unwrap_or(e.mode))
            .large_file(e.data.len() >= u32::MAX as usize);
        w.start_file(e.name.as_str(), options)
            .map_err(|e| failed(&e))?;
        w.write_all(&e.data).map_err(|e| failed(&e))?;
    }
    let cursor = w.finish().map_err(|e| failed(&e))?;
    Ok(cursor.into_inner())
}
