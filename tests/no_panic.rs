//! No input makes terrane panic: deterministic mutations of every corpus and fixture file
//! (bytes deleted, duplicated, swapped, and syntax characters inserted) are loaded and
//! validated in-process, and any panic fails the test with the input that caused it.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};
use terrane_types::SourceMap;

/// Mutants per file; every run makes the same ones (fixed seed). `TERRANE_MUTANTS=N` asks for
/// more, for a longer hunt than CI's.
fn mutants_per_file() -> usize {
    std::env::var("TERRANE_MUTANTS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(24)
}

/// A small xorshift generator: deterministic, no dependency.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            0
        } else {
            (self.next() % n as u64) as usize
        }
    }
}

const SYNTAX: &[&[u8]] = &[
    b"{",
    b"}",
    b"[",
    b"]",
    b"(",
    b")",
    b"\"",
    b"${",
    b"%{",
    b"~}",
    b"<<EOT\n",
    b"\nEOT\n",
    b"=",
    b"==",
    b".",
    b"[*]",
    b",",
    b"\n",
    b"#",
    b"/*",
    b"*/",
    b"...",
    b"=>",
    b"?",
    b":",
    b"\\",
    b"\xff",
    b"\xc3",
    b"0",
    b"-1e400",
    b"null",
    b"for x in",
    b"var.",
    b"count.index",
];

fn mutate(src: &[u8], rng: &mut Rng) -> Vec<u8> {
    let mut out = src.to_vec();
    for _ in 0..1 + rng.below(3) {
        let at = rng.below(out.len() + 1);
        match rng.below(4) {
            0 if !out.is_empty() => {
                let len = 1 + rng.below(8.min(out.len() - at.min(out.len() - 1)));
                let at = at.min(out.len() - 1);
                out.drain(at..(at + len).min(out.len()));
            }
            1 if !out.is_empty() => {
                let at = at.min(out.len() - 1);
                let len = (1 + rng.below(16)).min(out.len() - at);
                let piece = out[at..at + len].to_vec();
                out.splice(at..at, piece);
            }
            2 if out.len() > 2 => {
                let a = rng.below(out.len());
                let b = rng.below(out.len());
                out.swap(a, b);
            }
            _ => {
                let piece = SYNTAX[rng.below(SYNTAX.len())];
                out.splice(at..at, piece.iter().copied());
            }
        }
    }
    out
}

fn tf_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let mut entries: Vec<PathBuf> = entries.filter_map(|e| e.ok()).map(|e| e.path()).collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            tf_files(&p, out);
        } else if p
            .extension()
            .is_some_and(|e| e == "tf" || e == "tfvars" || e == "json")
        {
            out.push(p);
        }
    }
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("create directory");
    for entry in std::fs::read_dir(from).expect("read directory") {
        let entry = entry.expect("directory entry");
        let target = to.join(entry.file_name());
        if entry.path().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).expect("copy file");
        }
    }
}

/// The directory of configuration `file` belongs to: its corpus case or fixture.
fn case_dir(file: &Path, roots: &[PathBuf]) -> PathBuf {
    for root in roots {
        if let Ok(rest) = file.strip_prefix(root)
            && let Some(first) = rest.components().next()
        {
            return root.join(first);
        }
    }
    file.parent().map(Path::to_path_buf).unwrap_or_default()
}

#[test]
fn mutated_configurations_never_make_terrane_panic() {
    let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
    let roots = [
        repo.join("tests/corpus/invalid"),
        repo.join("tests/fixtures/valid"),
        repo.join("examples"),
    ];
    let mut files = Vec::new();
    for r in &roots {
        tf_files(r, &mut files);
    }
    assert!(
        files.len() > 100,
        "expected the corpus and fixtures, found {}",
        files.len()
    );

    // Panics are caught and reported below; keep their default message off the output.
    std::panic::set_hook(Box::new(|_| {}));
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let mut failures = Vec::new();
    let mut runs = 0;
    for file in &files {
        let case = case_dir(file, &roots);
        let Ok(original) = std::fs::read(file) else {
            continue;
        };
        let tmp = tempfile::tempdir().expect("temporary directory");
        let copy = tmp.path().join("case");
        copy_dir(&case, &copy);
        let Ok(rel) = file.strip_prefix(&case) else {
            continue;
        };
        let target = copy.join(rel);
        for _ in 0..mutants_per_file() {
            let mutant = mutate(&original, &mut rng);
            std::fs::write(&target, &mutant).expect("write mutant");
            runs += 1;
            let outcome = catch_unwind(AssertUnwindSafe(|| {
                let mut sources = SourceMap::new();
                let (config, diags) = terrane_config::load(&copy, &mut sources);
                if !diags.has_errors() {
                    terrane_core::validate(&config, &sources, &copy);
                }
            }));
            if outcome.is_err() {
                failures.push(format!(
                    "{} mutated to:\n{}",
                    file.display(),
                    String::from_utf8_lossy(&mutant)
                ));
            }
        }
    }
    let _ = std::panic::take_hook();
    assert!(
        failures.is_empty(),
        "{} of {runs} mutated inputs panicked; the first:\n{}",
        failures.len(),
        failures.first().map(String::as_str).unwrap_or("")
    );
}
