//! Filesystem functions: `abspath`, `basename`, `dirname`, `pathexpand`, `file`, `filebase64`,
//! `fileexists` and `fileset`.
//!
//! Paths are handled lexically the way Go's `path/filepath` does on Unix (`Clean`, `Join`,
//! `Dir`, `Base`, `Rel`), and relative paths resolve against [`FuncCtx::base_dir`].

use super::strings::go_quote;
use super::{FuncCtx, FuncDef, FuncError, FuncResult, Ret, string_arg};
use base64::Engine as _;
use std::io::ErrorKind;
use terrane_types::{Type, Value};

pub(super) const FUNCTIONS: &[FuncDef] = &[
    FuncDef::new("abspath", &["path"], Ret::String, abspath),
    FuncDef::new("basename", &["path"], Ret::String, basename),
    FuncDef::new("dirname", &["path"], Ret::String, dirname),
    FuncDef::new("file", &["path"], Ret::String, file)
        .allow_unknown()
        .keep_marks(),
    FuncDef::new("filebase64", &["path"], Ret::String, filebase64)
        .allow_unknown()
        .keep_marks(),
    FuncDef::new("fileexists", &["path"], Ret::Bool, fileexists)
        .allow_unknown()
        .keep_marks(),
    FuncDef::new("fileset", &["path", "pattern"], Ret::Dynamic, fileset)
        .allow_unknown()
        .keep_marks(),
    FuncDef::new("pathexpand", &["path"], Ret::String, pathexpand),
];

/// Go's `filepath.Clean` (Unix): the shortest lexically equivalent path.
pub(super) fn clean(path: &str) -> String {
    if path.is_empty() {
        return ".".into();
    }
    let rooted = path.starts_with('/');
    let mut parts: Vec<&str> = Vec::new();
    for part in path.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                if parts.last().is_some_and(|p| *p != "..") {
                    parts.pop();
                } else if !rooted {
                    parts.push("..");
                }
            }
            p => parts.push(p),
        }
    }
    let joined = parts.join("/");
    match (rooted, joined.is_empty()) {
        (true, _) => format!("/{joined}"),
        (false, true) => ".".into(),
        (false, false) => joined,
    }
}

/// Go's `filepath.Join` of two elements.
pub(super) fn join(a: &str, b: &str) -> String {
    match (a.is_empty(), b.is_empty()) {
        (true, true) => String::new(),
        (true, false) => clean(b),
        (false, true) => clean(a),
        (false, false) => clean(&format!("{a}/{b}")),
    }
}

/// Go's `filepath.Rel` for two paths that are both absolute (or both relative).
fn rel(base: &str, target: &str) -> Option<String> {
    let base = clean(base);
    let target = clean(target);
    if base == target {
        return Some(".".into());
    }
    let parts = |p: &str| -> Vec<String> {
        p.split('/')
            .filter(|s| !s.is_empty() && *s != ".")
            .map(str::to_owned)
            .collect()
    };
    let (b, t) = (parts(&base), parts(&target));
    let common = b.iter().zip(&t).take_while(|(x, y)| x == y).count();
    if b.get(common).is_some_and(|p| p == "..") {
        return None;
    }
    let mut out: Vec<&str> = vec![".."; b.len() - common];
    out.extend(t[common..].iter().map(String::as_str));
    Some(if out.is_empty() {
        ".".into()
    } else {
        out.join("/")
    })
}

/// `~` or `~/...` with the home directory in place of `~` (go-homedir's `Expand`).
fn expand_home(path: &str) -> Result<String, String> {
    let Some(rest) = path.strip_prefix('~') else {
        return Ok(path.to_owned());
    };
    if !(rest.is_empty() || rest.starts_with('/') || rest.starts_with('\\')) {
        return Err("cannot expand user-specific home dir".into());
    }
    let home = std::env::var("HOME").unwrap_or_default();
    if home.is_empty() {
        return Err("blank output when reading home directory".into());
    }
    Ok(join(&home, rest))
}

/// The cleaned absolute-or-base-relative path a file function opens.
fn resolve(ctx: &FuncCtx, path: &str) -> Result<String, String> {
    let path = expand_home(path).map_err(|e| format!("failed to expand ~: {e}"))?;
    Ok(if path.starts_with('/') {
        clean(&path)
    } else {
        join(&ctx.base_dir.to_string_lossy(), &path)
    })
}

/// The text Go's `syscall.Errno` gives for an I/O error.
fn os_error_text(e: &std::io::Error) -> String {
    match e.kind() {
        ErrorKind::NotFound => "no such file or directory".into(),
        ErrorKind::PermissionDenied => "permission denied".into(),
        ErrorKind::IsADirectory => "is a directory".into(),
        ErrorKind::NotADirectory => "not a directory".into(),
        _ => {
            let text = e.to_string();
            let text = text
                .split_once(" (os error")
                .map_or(text.as_str(), |(t, _)| t);
            let mut chars = text.chars();
            match chars.next() {
                Some(first) => first.to_lowercase().chain(chars).collect(),
                None => String::new(),
            }
        }
    }
}

/// Why a configuration file could not be read.
pub(super) enum ReadFailure {
    /// `~` could not be expanded (full message).
    Expand(String),
    /// Nothing at that path; carries the resolved path.
    NotFound(String),
    /// Opening failed otherwise (`open /path: permission denied`).
    Open(String),
    /// Reading failed (`read /path: is a directory`).
    Read(String),
}

/// Reads a file named in the configuration: `~` expanded, relative to the base directory.
pub(super) fn read_config_file(ctx: &FuncCtx, path: &str) -> Result<Vec<u8>, ReadFailure> {
    use std::io::Read as _;
    let abs = resolve(ctx, path).map_err(ReadFailure::Expand)?;
    let mut f = std::fs::File::open(&abs).map_err(|e| match e.kind() {
        ErrorKind::NotFound => ReadFailure::NotFound(abs.clone()),
        _ => ReadFailure::Open(format!("open {abs}: {}", os_error_text(&e))),
    })?;
    let mut data = Vec::new();
    f.read_to_end(&mut data)
        .map_err(|e| ReadFailure::Read(format!("read {abs}: {}", os_error_text(&e))))?;
    Ok(data)
}

/// `file` and `filebase64`, which keep the path's sensitivity and redact it in messages.
fn read_for(args: &[Value], ctx: &FuncCtx, base64: bool) -> FuncResult {
    let sensitive = args[0].contains_sensitive();
    if !args[0].is_known() {
        return Ok(Value::Unknown(Type::String).with_mark(sensitive));
    }
    let path = string_arg(args, 0)?;
    let shown = if sensitive {
        "(sensitive value)".to_owned()
    } else {
        go_quote(&path)
    };
    let data = read_config_file(ctx, &path).map_err(|failure| match failure {
        ReadFailure::NotFound(_) => FuncError::arg(
            0,
            format!(
                "no file exists at {shown}; this function works only with files that are \
                 distributed as part of the configuration source code, so if this file will be \
                 created by a resource in this configuration you must instead obtain this result \
                 from an attribute of that resource"
            ),
        ),
        ReadFailure::Expand(message) | ReadFailure::Open(message) => FuncError::arg(0, message),
        ReadFailure::Read(message) => FuncError::arg(0, format!("failed to read file: {message}")),
    })?;
    let text = if base64 {
        base64::engine::general_purpose::STANDARD.encode(&data)
    } else {
        String::from_utf8(data).map_err(|_| {
            FuncError::call(format!(
                "contents of {shown} are not valid UTF-8; use the filebase64 function to obtain \
                 the Base64 encoded contents or the other file functions (e.g. filemd5, \
                 filesha256) to obtain file hashing results instead"
            ))
        })?
    };
    Ok(Value::String(text).with_mark(sensitive))
}

fn file(args: &[Value], ctx: &FuncCtx) -> FuncResult {
    read_for(args, ctx, false)
}

fn filebase64(args: &[Value], ctx: &FuncCtx) -> FuncResult {
    read_for(args, ctx, true)
}

fn fileexists(args: &[Value], ctx: &FuncCtx) -> FuncResult {
    let sensitive = args[0].contains_sensitive();
    if !args[0].is_known() {
        return Ok(Value::Unknown(Type::Bool).with_mark(sensitive));
    }
    let path = string_arg(args, 0)?;
    let abs = resolve(ctx, &path).map_err(FuncError::call)?;
    let shown = if sensitive {
        "(sensitive value)".to_owned()
    } else {
        go_quote(&abs)
    };
    let meta = match std::fs::metadata(&abs) {
        Ok(meta) => meta,
        Err(e) if e.kind() == ErrorKind::NotFound => {
            return Ok(Value::Bool(false).with_mark(sensitive));
        }
        Err(_) => return Err(FuncError::call(format!("failed to stat {shown}"))),
    };
    if meta.is_file() {
        return Ok(Value::Bool(true).with_mark(sensitive));
    }
    let what = if meta.is_dir() {
        "is a directory, not a file"
    } else {
        file_type_description(&meta)
    };
    Err(FuncError::arg(0, format!("{shown} {what}")))
}

#[cfg(unix)]
fn file_type_description(meta: &std::fs::Metadata) -> &'static str {
    use std::os::unix::fs::FileTypeExt as _;
    let t = meta.file_type();
    if t.is_block_device() || t.is_char_device() {
        "is a device node, not a regular file"
    } else if t.is_fifo() {
        "is a named pipe, not a regular file"
    } else if t.is_socket() {
        "is a unix domain socket, not a regular file"
    } else {
        "is not a regular file"
    }
}

#[cfg(not(unix))]
fn file_type_description(_: &std::fs::Metadata) -> &'static str {
    "is not a regular file"
}

/// `fileset(path, pattern)`: the files under `path` matching the glob, relative to `path`.
fn fileset(args: &[Value], ctx: &FuncCtx) -> FuncResult {
    let sensitive = args.iter().any(Value::contains_sensitive);
    if !args.iter().all(Value::is_known) {
        return Ok(Value::Unknown(Type::set(Type::String)).with_mark(sensitive));
    }
    let path = string_arg(args, 0)?;
    let pattern = string_arg(args, 1)?;
    let base = if path.starts_with('/') {
        path
    } else {
        join(&ctx.base_dir.to_string_lossy(), &path)
    };
    let full = join(&base, &pattern);
    let shown = |p: &str| {
        if sensitive {
            "(sensitive value)".to_owned()
        } else {
            go_quote(p)
        }
    };
    let glob = globset::GlobBuilder::new(&full)
        .literal_separator(true)
        .backslash_escape(true)
        .build()
        .map_err(|_| {
            FuncError::call(format!(
                "failed to glob pattern {}: syntax error in pattern",
                shown(&full)
            ))
        })?
        .compile_matcher();

    // Walk from the longest directory prefix without glob syntax.
    let components: Vec<&str> = full.split('/').collect();
    let literal = components
        .iter()
        .position(|c| c.contains(['*', '?', '[', '{', '\\']))
        .unwrap_or(components.len());
    let root = match components[..literal].join("/") {
        r if r.is_empty() && full.starts_with('/') => "/".to_owned(),
        r if r.is_empty() => ".".to_owned(),
        r => r,
    };
    let remaining = &components[literal..];
    let depth = if remaining.iter().any(|c| c.contains("**")) {
        usize::MAX
    } else {
        remaining.len()
    };
    let mut found = Vec::new();
    if remaining.is_empty() {
        if std::fs::metadata(&root).is_ok_and(|m| m.is_file()) {
            found.push(root.clone());
        }
    } else {
        walk(&root, depth, &mut found);
    }
    let mut matches = Vec::new();
    for candidate in found {
        if !glob.is_match(&candidate) {
            continue;
        }
        let relative = rel(&base, &candidate).ok_or_else(|| {
            FuncError::call(format!(
                "failed to trim path of match {}",
                shown(&candidate)
            ))
        })?;
        matches.push(Value::String(relative));
    }
    Ok(Value::set(matches).with_mark(sensitive))
}

/// Collects the regular files (symlinks followed) below `dir`, descending `depth` levels into
/// real directories (not symlinked ones, as doublestar does).
fn walk(dir: &str, depth: usize, out: &mut Vec<String>) {
    if depth == 0 {
        return;
    }
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let mut names: Vec<String> = entries
        .filter_map(Result::ok)
        .filter_map(|e| e.file_name().into_string().ok())
        .collect();
    names.sort();
    for name in names {
        let path = if dir == "." {
            name
        } else if dir.ends_with('/') {
            format!("{dir}{name}")
        } else {
            format!("{dir}/{name}")
        };
        let Ok(lmeta) = std::fs::symlink_metadata(&path) else {
            continue;
        };
        if lmeta.is_dir() {
            walk(&path, depth - 1, out);
        } else if std::fs::metadata(&path).is_ok_and(|m| m.is_file()) {
            out.push(path);
        }
    }
}

fn abspath(args: &[Value], ctx: &FuncCtx) -> FuncResult {
    let path = string_arg(args, 0)?;
    if path.starts_with('/') {
        return Ok(Value::String(clean(&path)));
    }
    let base = if ctx.base_dir.is_absolute() {
        ctx.base_dir.to_path_buf()
    } else {
        std::env::current_dir()
            .map_err(|e| FuncError::call(format!("getwd: {}", os_error_text(&e))))?
            .join(ctx.base_dir)
    };
    Ok(Value::String(join(&base.to_string_lossy(), &path)))
}

/// Go's `filepath.Base`.
fn basename(args: &[Value], _: &FuncCtx) -> FuncResult {
    let path = string_arg(args, 0)?;
    if path.is_empty() {
        return Ok(Value::string("."));
    }
    let trimmed = path.trim_end_matches('/');
    if trimmed.is_empty() {
        return Ok(Value::string("/"));
    }
    let base = trimmed.rsplit('/').next().unwrap_or(trimmed);
    Ok(Value::string(base))
}

/// Go's `filepath.Dir`.
fn dirname(args: &[Value], _: &FuncCtx) -> FuncResult {
    let path = string_arg(args, 0)?;
    let dir = match path.rfind('/') {
        Some(i) => &path[..=i],
        None => "",
    };
    Ok(Value::String(clean(dir)))
}

fn pathexpand(args: &[Value], _: &FuncCtx) -> FuncResult {
    let path = string_arg(args, 0)?;
    expand_home(&path)
        .map(Value::String)
        .map_err(FuncError::call)
}

#[cfg(test)]
mod tests {
    use crate::functions::FuncError;
    use crate::functions::testkit::{run_in, s};
    use std::path::Path;
    use terrane_types::{Type, Value};

    fn run(name: &str, args: Vec<Value>) -> Result<Value, FuncError> {
        run_in(Path::new("/work"), name, args)
    }

    fn tree() -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path();
        std::fs::create_dir_all(p.join("sub/deeper")).unwrap();
        std::fs::write(p.join("hello.txt"), "Hello World").unwrap();
        std::fs::write(p.join("hello.tmpl"), "Hello ${name}").unwrap();
        std::fs::write(p.join(".hidden.txt"), "").unwrap();
        std::fs::write(p.join("sub/a.txt"), "a").unwrap();
        std::fs::write(p.join("sub/deeper/b.txt"), "b").unwrap();
        std::fs::write(p.join("binary.bin"), [0xff, 0xfe, 0x00]).unwrap();
        dir
    }

    #[test]
    fn clean_and_join_behave_like_go_filepath() {
        assert_eq!(super::clean("a/./b/../c//d/"), "a/c/d");
        assert_eq!(super::clean("/../a"), "/a");
        assert_eq!(super::clean("../../a"), "../../a");
        assert_eq!(super::clean(""), ".");
        assert_eq!(super::join("/base", "../x"), "/x");
        assert_eq!(super::rel("/a/b", "/a/b/c/d").as_deref(), Some("c/d"));
        assert_eq!(super::rel("/a/b", "/a/x").as_deref(), Some("../x"));
    }

    #[test]
    fn basename_and_dirname_follow_go_semantics() {
        assert_eq!(
            run("basename", vec![s("foo/bar/baz.txt")]).unwrap(),
            s("baz.txt")
        );
        assert_eq!(run("basename", vec![s("foo/bar/")]).unwrap(), s("bar"));
        assert_eq!(run("basename", vec![s("/")]).unwrap(), s("/"));
        assert_eq!(run("basename", vec![s("")]).unwrap(), s("."));
        assert_eq!(
            run("dirname", vec![s("foo/bar/baz.txt")]).unwrap(),
            s("foo/bar")
        );
        assert_eq!(run("dirname", vec![s("baz.txt")]).unwrap(), s("."));
        assert_eq!(run("dirname", vec![s("/baz.txt")]).unwrap(), s("/"));
    }

    #[test]
    fn abspath_resolves_relative_paths_against_the_base_directory() {
        assert_eq!(run("abspath", vec![s("a/../b")]).unwrap(), s("/work/b"));
        assert_eq!(run("abspath", vec![s("/x/./y")]).unwrap(), s("/x/y"));
    }

    #[test]
    fn pathexpand_replaces_the_tilde_with_home() {
        let home = std::env::var("HOME").unwrap_or_default();
        if !home.is_empty() {
            assert_eq!(
                run("pathexpand", vec![s("~/.ssh/id_rsa")]).unwrap(),
                Value::String(super::join(&home, ".ssh/id_rsa"))
            );
        }
        assert_eq!(run("pathexpand", vec![s("/etc/x")]).unwrap(), s("/etc/x"));
        assert_eq!(
            run("pathexpand", vec![s("~bob/x")]).unwrap_err(),
            FuncError::call("cannot expand user-specific home dir")
        );
    }

    #[test]
    fn file_reads_text_relative_to_the_base_directory() {
        let dir = tree();
        assert_eq!(
            run_in(dir.path(), "file", vec![s("hello.txt")]).unwrap(),
            s("Hello World")
        );
        assert_eq!(
            run_in(dir.path(), "filebase64", vec![s("hello.txt")]).unwrap(),
            s("SGVsbG8gV29ybGQ=")
        );
        assert_eq!(
            run_in(dir.path(), "filebase64", vec![s("binary.bin")]).unwrap(),
            s("//4A")
        );
    }

    #[test]
    fn file_of_a_missing_file_explains_that_files_must_ship_with_the_configuration() {
        let dir = tree();
        let e = run_in(dir.path(), "file", vec![s("missing.txt")]).unwrap_err();
        assert_eq!(
            e,
            FuncError::arg(
                0,
                "no file exists at \"missing.txt\"; this function works only with files that are distributed as part of the configuration source code, so if this file will be created by a resource in this configuration you must instead obtain this result from an attribute of that resource"
            )
        );
        let e = run_in(dir.path(), "file", vec![s("missing.txt").mark_sensitive()]).unwrap_err();
        let FuncError::Arg { message, .. } = e else {
            panic!("expected an argument error")
        };
        assert!(message.starts_with("no file exists at (sensitive value);"));
    }

    #[test]
    fn file_refuses_contents_that_are_not_utf8() {
        let dir = tree();
        let e = run_in(dir.path(), "file", vec![s("binary.bin")]).unwrap_err();
        assert_eq!(
            e,
            FuncError::call(
                "contents of \"binary.bin\" are not valid UTF-8; use the filebase64 function to obtain the Base64 encoded contents or the other file functions (e.g. filemd5, filesha256) to obtain file hashing results instead"
            )
        );
    }

    #[test]
    fn file_keeps_the_sensitivity_of_its_path_and_of_unknowns() {
        let dir = tree();
        assert_eq!(
            run_in(dir.path(), "file", vec![s("hello.txt").mark_sensitive()]).unwrap(),
            s("Hello World").mark_sensitive()
        );
        assert_eq!(
            run_in(dir.path(), "file", vec![Value::Unknown(Type::String)]).unwrap(),
            Value::Unknown(Type::String)
        );
    }

    #[test]
    fn file_of_a_directory_fails_to_read() {
        let dir = tree();
        let e = run_in(dir.path(), "file", vec![s("sub")]).unwrap_err();
        let abs = dir.path().join("sub");
        assert_eq!(
            e,
            FuncError::arg(
                0,
                format!(
                    "failed to read file: read {}: is a directory",
                    abs.display()
                )
            )
        );
    }

    #[test]
    fn fileexists_tells_files_from_missing_paths_and_refuses_directories() {
        let dir = tree();
        let exists = |p: &str| run_in(dir.path(), "fileexists", vec![s(p)]);
        assert_eq!(exists("hello.txt").unwrap(), Value::Bool(true));
        assert_eq!(exists("nope.txt").unwrap(), Value::Bool(false));
        let abs = dir.path().join("sub");
        assert_eq!(
            exists("sub").unwrap_err(),
            FuncError::arg(
                0,
                format!("\"{}\" is a directory, not a file", abs.display())
            )
        );
    }

    #[test]
    fn fileset_matches_files_only_sorted_and_relative() {
        let dir = tree();
        let set = |path: &str, pattern: &str| {
            run_in(dir.path(), "fileset", vec![s(path), s(pattern)]).unwrap()
        };
        let strs = |items: &[&str]| Value::Set(items.iter().map(|i| s(i)).collect());
        assert_eq!(set(".", "*.txt"), strs(&[".hidden.txt", "hello.txt"]));
        assert_eq!(
            set(".", "**/*.txt"),
            strs(&[".hidden.txt", "hello.txt", "sub/a.txt", "sub/deeper/b.txt"])
        );
        assert_eq!(
            set(".", "hello.{txt,tmpl}"),
            strs(&["hello.tmpl", "hello.txt"])
        );
        assert_eq!(set("sub", "**"), strs(&["a.txt", "deeper/b.txt"]));
        assert_eq!(set(".", "sub/*"), strs(&["sub/a.txt"]));
        assert_eq!(set(".", "hello.txt"), strs(&["hello.txt"]));
        assert_eq!(set(".", "*.none"), strs(&[]));
        let abs = dir.path().to_string_lossy().into_owned();
        assert_eq!(set(&abs, "sub/?.txt"), strs(&["sub/a.txt"]));
    }

    #[test]
    fn fileset_works_with_a_relative_base_directory() {
        // Tests run in the crate's directory, which always holds its manifest.
        let got = run_in(Path::new("."), "fileset", vec![s("."), s("Cargo.*")]).unwrap();
        assert_eq!(got, Value::Set(vec![s("Cargo.toml")]));
        let got = run_in(Path::new("."), "fileset", vec![s("src"), s("lib.rs")]).unwrap();
        assert_eq!(got, Value::Set(vec![s("lib.rs")]));
    }

    #[test]
    fn fileset_reports_bad_patterns() {
        let here = Path::new(".");
        let e = run_in(here, "fileset", vec![s("."), s("[")]).unwrap_err();
        assert_eq!(
            e,
            FuncError::call("failed to glob pattern \"[\": syntax error in pattern")
        );
        let e = run_in(here, "fileset", vec![s("."), s("\\")]).unwrap_err();
        assert_eq!(
            e,
            FuncError::call("failed to glob pattern \"\\\\\": syntax error in pattern")
        );
        let e = run_in(here, "fileset", vec![s("."), s("[").mark_sensitive()]).unwrap_err();
        assert_eq!(
            e,
            FuncError::call("failed to glob pattern (sensitive value): syntax error in pattern")
        );
    }

    #[test]
    fn fileset_with_unknown_or_sensitive_arguments() {
        let dir = tree();
        assert_eq!(
            run_in(
                dir.path(),
                "fileset",
                vec![s("."), Value::Unknown(Type::String)]
            )
            .unwrap(),
            Value::Unknown(Type::set(Type::String))
        );
        assert_eq!(
            run_in(
                dir.path(),
                "fileset",
                vec![s("sub").mark_sensitive(), s("*")]
            )
            .unwrap(),
            Value::Set(vec![s("a.txt")]).mark_sensitive()
        );
    }
}
