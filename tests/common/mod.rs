//! Helpers shared by the corpus tests: where the test data lives, copying a configuration to a
//! scratch directory, and running the `terrane` binary on it.

// Each integration test is its own crate and uses only some of these helpers.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// A path inside the repository's `tests/` directory.
pub fn tests_dir(relative: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests")
        .join(relative)
}

/// The directories directly inside `dir`, sorted by name.
pub fn subdirectories(dir: &Path) -> Vec<PathBuf> {
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", dir.display()))
        .map(|entry| entry.expect("directory entry").path())
        .filter(|p| p.is_dir())
        .collect();
    dirs.sort();
    dirs
}

/// Copies a directory tree byte for byte (non-UTF-8 files included).
pub fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap_or_else(|e| panic!("cannot create {}: {e}", to.display()));
    for entry in
        std::fs::read_dir(from).unwrap_or_else(|e| panic!("cannot read {}: {e}", from.display()))
    {
        let entry = entry.expect("directory entry");
        let source = entry.path();
        let target = to.join(entry.file_name());
        if source.is_dir() {
            copy_tree(&source, &target);
        } else {
            std::fs::copy(&source, &target)
                .unwrap_or_else(|e| panic!("cannot copy {}: {e}", source.display()));
        }
    }
}

/// A fresh temporary copy of a configuration, so nothing a command writes touches the repository.
pub fn scratch_copy(config: &Path) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temporary directory");
    copy_tree(config, dir.path());
    dir
}

/// Runs `terrane -C <dir> <args...>` without colors, at a fixed width, and waits for it.
pub fn run_terrane(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_terrane"))
        .arg("-C")
        .arg(dir)
        .args(args)
        .env("NO_COLOR", "1")
        .env("COLUMNS", "100")
        .env_remove("TF_CLI_ARGS")
        .output()
        .expect("the terrane binary runs")
}

/// The exit code, or a readable reason when there is none (killed by a signal).
pub fn exit_code(output: &Output) -> Result<i32, String> {
    output
        .status
        .code()
        .ok_or_else(|| format!("terrane was killed: {}", output.status))
}
