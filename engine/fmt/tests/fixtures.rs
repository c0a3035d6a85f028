//! Snapshot tests over `tests/fixtures/*.tf`: each fixture is formatted,
//! the result is compared with its snapshot under `tests/snapshots/`, and
//! formatting the result again must change nothing.
//!
//! In the snapshots, `␍` stands for a carriage return and `⟨EOF⟩` marks
//! where the output ends, so that line endings, blank lines at the end and
//! a missing final newline stay visible.

use std::fs;
use std::path::{Path, PathBuf};

use terrane_fmt::format_source;

fn fixtures() -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    let mut paths: Vec<PathBuf> = fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", dir.display()))
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .filter(|path| path.extension().is_some_and(|ext| ext == "tf"))
        .collect();
    paths.sort();
    paths
}

fn read(path: &Path) -> String {
    fs::read_to_string(path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()))
}

fn format(path: &Path, src: &str) -> String {
    format_source(src).unwrap_or_else(|e| panic!("{} does not format: {e}", path.display()))
}

fn visible(out: &str) -> String {
    format!("{}⟨EOF⟩", out.replace('\r', "␍"))
}

fn stem(path: &Path) -> String {
    path.file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default()
}

#[test]
fn there_are_enough_fixtures_to_cover_the_layout_rules() {
    assert!(fixtures().len() >= 25, "only {} fixtures", fixtures().len());
}

#[test]
fn every_fixture_formats_to_its_snapshot() {
    for path in fixtures() {
        let out = format(&path, &read(&path));
        let mut settings = insta::Settings::clone_current();
        settings.set_input_file(&path);
        settings.set_prepend_module_to_snapshot(false);
        settings.bind(|| insta::assert_snapshot!(stem(&path), visible(&out)));
    }
}

#[test]
fn formatting_a_formatted_fixture_changes_nothing() {
    for path in fixtures() {
        let once = format(&path, &read(&path));
        let twice = format(&path, &once);
        assert_eq!(twice, once, "{} is not stable", path.display());
    }
}

#[test]
fn the_already_formatted_fixture_is_left_unchanged() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/already_formatted.tf");
    let src = read(&path);
    assert_eq!(format(&path, &src), src);
}

#[test]
fn the_course_module_aligns_name_with_ami_id_and_keeps_its_comment() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/course_asg.tf");
    let out = format(&path, &read(&path));
    assert!(out.contains("\n  name   = \"sample-app-asg\"\n"), "{out}");
    assert!(
        out.contains("  ami_id = \"ami-008eba0ec68324b1d\" # √Ä remplacer par votre AMI Packer"),
        "{out}"
    );
    for line in out.lines() {
        // terraform fmt keeps the bytes of a comment, trailing spaces included
        if !line.contains('#') {
            assert_eq!(
                line,
                line.trim_end(),
                "trailing whitespace left in {line:?}"
            );
        }
    }
}

#[test]
fn the_crlf_fixture_really_has_crlf_line_endings_and_keeps_them() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/crlf.tf");
    let src = read(&path);
    assert!(
        src.contains("\r\n"),
        "the fixture lost its CRLF line endings"
    );
    let out = format(&path, &src);
    assert_eq!(out.matches("\r\n").count(), src.matches("\r\n").count());
    assert!(!out.replace("\r\n", "").contains('\n'));
}

#[test]
fn the_byte_order_mark_fixture_starts_with_one_and_loses_it() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/bom.tf");
    let src = read(&path);
    assert!(src.starts_with('\u{feff}'));
    assert!(!format(&path, &src).contains('\u{feff}'));
}
