use super::*;
use std::io::Read as _;
use std::path::PathBuf;
use terrane_types::AttrPath;

fn cfg(schema: &Schema, set: &[(&str, Value)]) -> Value {
    let mut m: std::collections::BTreeMap<String, Value> = schema
        .block
        .attributes
        .iter()
        .map(|(k, a)| (k.clone(), Value::Null(a.ty.clone())))
        .collect();
    m.insert(
        "source".into(),
        Value::Null(schema.block.blocks["source"].block.value_type()),
    );
    m.insert("type".into(), Value::from("zip"));
    for (k, v) in set {
        m.insert((*k).to_owned(), v.clone());
    }
    Value::Object(m)
}

fn p(path: &Path) -> Value {
    Value::from(path.to_string_lossy().into_owned())
}

fn fixture() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let src = dir.path().join("src");
    std::fs::create_dir_all(src.join("lib/deep")).unwrap();
    std::fs::write(src.join("main.py"), "print('hi')\n").unwrap();
    std::fs::write(src.join("lib/util.py"), "X = 1\n").unwrap();
    std::fs::write(src.join("lib/deep/data.json"), "{}").unwrap();
    std::fs::write(src.join("lib-notes.txt"), "notes").unwrap();
    std::fs::write(src.join("skip.log"), "log").unwrap();
    dir
}

async fn read_dir_archive(dir: &Path, out: &str, extra: &[(&str, Value)]) -> Value {
    let d = ArchiveFileData::new();
    let mut set = vec![
        ("source_dir", p(&dir.join("src"))),
        ("output_path", p(&dir.join(out))),
    ];
    set.extend(extra.iter().cloned());
    d.read(&cfg(d.schema(), &set)).await.unwrap()
}

fn hash(v: &Value) -> String {
    v.get_attr("output_base64sha256")
        .and_then(Value::as_str)
        .unwrap()
        .to_owned()
}

/// (name, content, unix mode, DOS date-time) of each entry, in archive order.
fn listing(zip_path: &PathBuf) -> Vec<(String, String, Option<u32>, String)> {
    let file = std::fs::File::open(zip_path).unwrap();
    let mut archive = zip::ZipArchive::new(file).unwrap();
    (0..archive.len())
        .map(|i| {
            let mut f = archive.by_index(i).unwrap();
            let mut s = String::new();
            f.read_to_string(&mut s).unwrap();
            let t = f.last_modified().unwrap_or_default();
            let when = format!("{}-{:02}-{:02}", t.year(), t.month(), t.day());
            (
                f.name().unwrap().into_owned(),
                s,
                f.unix_mode().map(|m| m & 0o777),
                when,
            )
        })
        .collect()
}

#[test]
fn the_data_source_requires_type_and_output_path_and_computes_the_checksums() {
    let d = ArchiveFileData::new();
    let a = &d.schema().block.attributes;
    assert!(a["type"].required && a["output_path"].required);
    for k in [
        "source_file",
        "source_dir",
        "source_content",
        "source_content_filename",
    ] {
        assert!(a[k].optional, "{k}");
    }
    for k in ["output_size", "output_md5", "output_sha", "output_sha256"] {
        assert!(a[k].computed && !a[k].optional, "{k}");
    }
    assert!(a["output_base64sha256"].computed && a["output_base64sha512"].computed);
    assert_eq!(d.schema().block.blocks["source"].nesting, Nesting::Set);
    let r = ArchiveFile::new();
    let a = &r.schema().block.attributes;
    assert!(a["source_dir"].force_new && a["output_path"].force_new);
    assert!(!a["exclude_symlink_directories"].force_new);
    assert!(r.schema().block.blocks["source"].force_new);
}

#[tokio::test]
async fn a_directory_archive_is_byte_identical_across_runs_and_file_times() {
    let dir = fixture();
    let first = read_dir_archive(dir.path(), "a.zip", &[]).await;
    assert!(first.is_wholly_known());
    // Touch a file: a new modification time, the same content.
    let touched = dir.path().join("src/lib/util.py");
    let later = std::time::SystemTime::now() + std::time::Duration::from_secs(3600);
    std::fs::File::options()
        .write(true)
        .open(&touched)
        .unwrap()
        .set_modified(later)
        .unwrap();
    let second = read_dir_archive(dir.path(), "b.zip", &[]).await;
    assert_eq!(hash(&first), hash(&second));
    let a = std::fs::read(dir.path().join("a.zip")).unwrap();
    let b = std::fs::read(dir.path().join("b.zip")).unwrap();
    assert_eq!(a, b);
    assert_eq!(
        first.get_attr("output_size"),
        Some(&int_value(a.len() as i64))
    );
    let c = Checksums::of(&a);
    assert_eq!(
        first.get_attr("output_sha"),
        Some(&Value::from(c.sha1.clone()))
    );
    assert_eq!(first.get_attr("id"), Some(&Value::from(c.sha1)));
    assert_eq!(first.get_attr("output_md5"), Some(&Value::from(c.md5)));
}

#[tokio::test]
async fn directory_entries_are_in_walk_order_with_fixed_times_and_modes() {
    let dir = fixture();
    read_dir_archive(dir.path(), "out/nested/a.zip", &[]).await;
    let entries = listing(&dir.path().join("out/nested/a.zip"));
    let names: Vec<&str> = entries.iter().map(|e| e.0.as_str()).collect();
    // Go's filepath.Walk order: "lib" and its contents come before "lib-notes.txt".
    assert_eq!(
        names,
        [
            "lib/deep/data.json",
            "lib/util.py",
            "lib-notes.txt",
            "main.py",
            "skip.log"
        ]
    );
    assert_eq!(entries[3].1, "print('hi')\n");
    for (name, _, mode, when) in &entries {
        assert_eq!(*mode, Some(0o644), "{name}");
        assert_eq!(when, "1980-01-01", "{name}");
    }
}

#[tokio::test]
async fn excludes_leave_out_matching_files_and_directories() {
    let dir = fixture();
    let excludes = Value::set(vec!["*.log".into(), "lib/deep".into()]);
    read_dir_archive(dir.path(), "x.zip", &[("excludes", excludes)]).await;
    let names: Vec<String> = listing(&dir.path().join("x.zip"))
        .into_iter()
        .map(|e| e.0)
        .collect();
    assert_eq!(names, ["lib/util.py", "lib-notes.txt", "main.py"]);
    let all_py = Value::set(vec!["**/*.py".into()]);
    read_dir_archive(dir.path(), "y.zip", &[("excludes", all_py)]).await;
    let names: Vec<String> = listing(&dir.path().join("y.zip"))
        .into_iter()
        .map(|e| e.0)
        .collect();
    assert_eq!(names, ["lib/deep/data.json", "lib-notes.txt", "skip.log"]);
}

#[tokio::test]
async fn output_file_mode_sets_every_mode_and_changes_the_hash() {
    let dir = fixture();
    let plain = read_dir_archive(dir.path(), "a.zip", &[]).await;
    let moded = read_dir_archive(
        dir.path(),
        "b.zip",
        &[("output_file_mode", Value::from("0666"))],
    )
    .await;
    assert_ne!(hash(&plain), hash(&moded));
    assert!(
        listing(&dir.path().join("b.zip"))
            .iter()
            .all(|e| e.2 == Some(0o666))
    );
    assert_eq!(build::parse_file_mode("0755"), Ok(0o755));
    assert_eq!(build::parse_file_mode("420"), Ok(420));
    assert!(build::parse_file_mode("rw").is_err());
}

#[tokio::test]
async fn content_blocks_and_single_files_are_archived_by_name() {
    let dir = tempfile::tempdir().unwrap();
    let d = ArchiveFileData::new();
    let content = d
        .read(&cfg(
            d.schema(),
            &[
                ("source_content", Value::from("hello")),
                ("source_content_filename", Value::from("greeting.txt")),
                ("output_path", p(&dir.path().join("c.zip"))),
            ],
        ))
        .await
        .unwrap();
    assert!(content.is_wholly_known());
    let entries = listing(&dir.path().join("c.zip"));
    assert_eq!(entries[0].0, "greeting.txt");
    assert_eq!(entries[0].1, "hello");

    let block = |f: &str, c: &str| {
        Value::object([("filename", Value::from(f)), ("content", Value::from(c))])
    };
    let sources = Value::set(vec![block("z.txt", "last"), block("a.txt", "first")]);
    d.read(&cfg(
        d.schema(),
        &[
            ("source", sources),
            ("output_path", p(&dir.path().join("s.zip"))),
        ],
    ))
    .await
    .unwrap();
    let entries = listing(&dir.path().join("s.zip"));
    assert_eq!(
        entries
            .iter()
            .map(|e| (e.0.as_str(), e.1.as_str()))
            .collect::<Vec<_>>(),
        [("a.txt", "first"), ("z.txt", "last")]
    );

    let single = dir.path().join("one.txt");
    std::fs::write(&single, "1").unwrap();
    d.read(&cfg(
        d.schema(),
        &[
            ("source_file", p(&single)),
            ("output_path", p(&dir.path().join("f.zip"))),
        ],
    ))
    .await
    .unwrap();
    assert_eq!(listing(&dir.path().join("f.zip"))[0].0, "one.txt");
}

#[tokio::test]
async fn source_mistakes_name_the_argument() {
    let dir = tempfile::tempdir().unwrap();
    let d = ArchiveFileData::new();
    let out = ("output_path", p(&dir.path().join("o.zip")));
    let err =
        async |set: Vec<(&'static str, Value)>| d.read(&cfg(d.schema(), &set)).await.unwrap_err();
    let missing = err(vec![
        ("source_dir", p(&dir.path().join("nope"))),
        out.clone(),
    ])
    .await;
    assert_eq!(missing.attribute, Some(AttrPath::attr("source_dir")));
    assert!(missing.summary.contains("missing directory"));
    std::fs::create_dir(dir.path().join("empty")).unwrap();
    let empty = err(vec![
        ("source_dir", p(&dir.path().join("empty"))),
        out.clone(),
    ])
    .await;
    assert!(empty.summary.contains("empty"), "{}", empty.summary);
    let two = err(vec![
        ("source_file", Value::from("a")),
        ("source_dir", Value::from("b")),
        out.clone(),
    ])
    .await;
    assert_eq!(two.attribute, Some(AttrPath::attr("source_dir")));
    let none = err(vec![out.clone()]).await;
    assert!(none.summary.contains("exactly one"));
    let tar = err(vec![
        ("type", Value::from("tar.gz")),
        ("source_file", Value::from("a")),
        out.clone(),
    ])
    .await;
    assert_eq!(tar.attribute, Some(AttrPath::attr("type")));
    let file = err(vec![("source_file", p(&dir.path().join("gone.txt"))), out]).await;
    assert_eq!(file.attribute, Some(AttrPath::attr("source_file")));
}

#[tokio::test]
async fn the_resource_creates_known_outputs_and_plans_no_change_when_unchanged() {
    let dir = fixture();
    let r = ArchiveFile::new();
    let config = cfg(
        r.schema(),
        &[
            ("source_dir", p(&dir.path().join("src"))),
            ("output_path", p(&dir.path().join("r.zip"))),
        ],
    );
    let plan = r.plan(None, &config).await.unwrap();
    assert_eq!(
        plan.planned.get_attr("output_sha256"),
        Some(&Value::Unknown(Type::String))
    );
    let s = r.create(&plan.planned, &ApplyCtx::silent()).await.unwrap();
    assert!(s.is_wholly_known());
    assert!(dir.path().join("r.zip").exists());
    let again = r.plan(Some(&s), &config).await.unwrap();
    assert_eq!(again.planned, s);
    assert!(again.requires_replace.is_empty());
    let read = r.read_many(std::slice::from_ref(&s)).await.unwrap();
    assert_eq!(read[0].as_ref(), Some(&s));
}

/// The archive of fixed content has a fixed hash: a change here (a new zip or deflate
/// version, a header detail) changes every archive's hash for every user, so it must be
/// deliberate.
#[tokio::test]
async fn the_archive_of_fixed_content_has_a_known_hash() {
    let dir = tempfile::tempdir().unwrap();
    let d = ArchiveFileData::new();
    let v = d
        .read(&cfg(
            d.schema(),
            &[
                ("source_content", Value::from("hello, world\n")),
                ("source_content_filename", Value::from("hello.txt")),
                ("output_path", p(&dir.path().join("h.zip"))),
            ],
        ))
        .await
        .unwrap();
    assert_eq!(hash(&v), "Y6k3L5+f8FJr0kSU4+pvonCWYHcZuq4yYWrJ+vlYO2o=");
}

#[cfg(unix)]
#[tokio::test]
async fn executables_keep_an_execute_bit_and_symlinked_directories_are_followed() {
    use std::os::unix::fs::PermissionsExt;
    let dir = fixture();
    let src = dir.path().join("src");
    let script = src.join("main.py");
    std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o700)).unwrap();
    std::os::unix::fs::symlink(src.join("lib/deep"), src.join("linked")).unwrap();
    read_dir_archive(dir.path(), "l.zip", &[]).await;
    let entries = listing(&dir.path().join("l.zip"));
    let mode = |n: &str| entries.iter().find(|e| e.0 == n).map(|e| e.2);
    assert_eq!(mode("main.py"), Some(Some(0o755)));
    assert_eq!(mode("lib/util.py"), Some(Some(0o644)));
    assert_eq!(mode("linked/data.json"), Some(Some(0o644)));
    let skip = [("exclude_symlink_directories", Value::Bool(true))];
    read_dir_archive(dir.path(), "m.zip", &skip).await;
    let entries = listing(&dir.path().join("m.zip"));
    assert!(entries.iter().all(|e| !e.0.starts_with("linked")));
}
