use super::*;
use terrane_types::AttrPath;

fn cfg(schema: &Schema, set: &[(&str, Value)]) -> Value {
    let mut m: std::collections::BTreeMap<String, Value> = schema
        .block
        .attributes
        .iter()
        .map(|(k, a)| (k.clone(), Value::Null(a.ty.clone())))
        .collect();
    for (k, v) in set {
        m.insert((*k).to_owned(), v.clone());
    }
    Value::Object(m)
}

fn path_value(p: &Path) -> Value {
    Value::from(p.to_string_lossy().into_owned())
}

async fn create(r: &LocalFile, config: &Value) -> Value {
    let p = r.plan(None, config).await.unwrap();
    let s = r.create(&p.planned, &ApplyCtx::silent()).await.unwrap();
    assert!(s.is_wholly_known(), "{s}");
    s
}

#[test]
fn local_file_arguments_all_replace_and_permissions_default() {
    let r = LocalFile::new(false);
    let a = &r.schema().block.attributes;
    assert!(a["filename"].required && a["filename"].force_new);
    for k in ["content", "content_base64", "source", "sensitive_content"] {
        assert!(a[k].optional && a[k].force_new, "{k}");
    }
    assert!(a["file_permission"].optional && a["file_permission"].computed);
    assert!(a["file_permission"].force_new);
    for k in [
        "id",
        "content_md5",
        "content_sha1",
        "content_sha256",
        "content_base64sha512",
    ] {
        assert!(a[k].computed && !a[k].optional, "{k}");
    }
    assert!(!a["content"].sensitive);
    let s = LocalFile::new(true);
    assert!(s.schema().block.attributes["content"].sensitive);
    assert!(
        !s.schema()
            .block
            .attributes
            .contains_key("sensitive_content")
    );
}

#[tokio::test]
async fn local_file_writes_the_file_and_its_hashes_match_the_content() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("sub/dir/hello.txt");
    let r = LocalFile::new(false);
    let s = create(
        &r,
        &cfg(
            r.schema(),
            &[
                ("filename", path_value(&file)),
                ("content", Value::from("hello")),
            ],
        ),
    )
    .await;
    assert_eq!(std::fs::read_to_string(&file).unwrap(), "hello");
    let sha1 = "aaf4c61ddcc5e8a2dabede0f3b482cd9aea9434d";
    assert_eq!(s.get_attr("id"), Some(&Value::from(sha1)));
    assert_eq!(s.get_attr("content_sha1"), Some(&Value::from(sha1)));
    assert_eq!(
        s.get_attr("content_sha256"),
        Some(&Value::from(
            "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824"
        ))
    );
    assert_eq!(s.get_attr("file_permission"), Some(&Value::from("0777")));
    r.delete(&s, &ApplyCtx::silent()).await.unwrap();
    assert!(!file.exists());
    // Deleting again is not an error.
    r.delete(&s, &ApplyCtx::silent()).await.unwrap();
}

#[cfg(unix)]
#[tokio::test]
async fn local_file_applies_the_file_permission() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("secret");
    let r = LocalFile::new(true);
    create(
        &r,
        &cfg(
            r.schema(),
            &[
                ("filename", path_value(&file)),
                ("content", Value::from("s")),
            ],
        ),
    )
    .await;
    let mode = std::fs::metadata(&file).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode & 0o077, 0, "{mode:o}");
}

#[tokio::test]
async fn local_file_takes_content_from_base64_or_a_source_file() {
    let dir = tempfile::tempdir().unwrap();
    let r = LocalFile::new(false);
    let a = dir.path().join("a.bin");
    create(
        &r,
        &cfg(
            r.schema(),
            &[
                ("filename", path_value(&a)),
                ("content_base64", Value::from("AAEC")),
            ],
        ),
    )
    .await;
    assert_eq!(std::fs::read(&a).unwrap(), vec![0, 1, 2]);
    let b = dir.path().join("b.bin");
    create(
        &r,
        &cfg(
            r.schema(),
            &[("filename", path_value(&b)), ("source", path_value(&a))],
        ),
    )
    .await;
    assert_eq!(std::fs::read(&b).unwrap(), vec![0, 1, 2]);
}

#[tokio::test]
async fn local_file_needs_exactly_one_content_argument() {
    let r = LocalFile::new(false);
    let none = r
        .plan(None, &cfg(r.schema(), &[("filename", Value::from("x"))]))
        .await
        .unwrap_err();
    assert_eq!(none.attribute, Some(AttrPath::attr("content")));
    let two = r
        .plan(
            None,
            &cfg(
                r.schema(),
                &[
                    ("filename", Value::from("x")),
                    ("content", Value::from("a")),
                    ("source", Value::from("b")),
                ],
            ),
        )
        .await
        .unwrap_err();
    assert_eq!(two.attribute, Some(AttrPath::attr("source")));
    let mode = r
        .plan(
            None,
            &cfg(
                r.schema(),
                &[
                    ("filename", Value::from("x")),
                    ("content", Value::from("a")),
                    ("file_permission", Value::from("rwx")),
                ],
            ),
        )
        .await
        .unwrap_err();
    assert_eq!(mode.attribute, Some(AttrPath::attr("file_permission")));
}

#[tokio::test]
async fn local_file_plans_no_change_when_unchanged_and_replaces_on_content_change() {
    let dir = tempfile::tempdir().unwrap();
    let file = path_value(&dir.path().join("f"));
    let r = LocalFile::new(false);
    let config = cfg(
        r.schema(),
        &[("filename", file.clone()), ("content", Value::from("one"))],
    );
    let prior = create(&r, &config).await;
    let same = r.plan(Some(&prior), &config).await.unwrap();
    assert_eq!(same.planned, prior);
    assert!(same.requires_replace.is_empty());
    let changed = r
        .plan(
            Some(&prior),
            &cfg(
                r.schema(),
                &[("filename", file), ("content", Value::from("two"))],
            ),
        )
        .await
        .unwrap();
    assert_eq!(changed.requires_replace, vec![AttrPath::attr("content")]);
}

#[tokio::test]
async fn read_many_reports_a_deleted_or_edited_file_as_gone() {
    let dir = tempfile::tempdir().unwrap();
    let r = LocalFile::new(false);
    let mut states = Vec::new();
    for name in ["kept", "deleted", "edited"] {
        let config = cfg(
            r.schema(),
            &[
                ("filename", path_value(&dir.path().join(name))),
                ("content", Value::from(name)),
            ],
        );
        states.push(create(&r, &config).await);
    }
    std::fs::remove_file(dir.path().join("deleted")).unwrap();
    std::fs::write(dir.path().join("edited"), "changed").unwrap();
    let read = r.read_many(&states).await.unwrap();
    assert_eq!(read[0].as_ref(), Some(&states[0]));
    assert_eq!(read[1], None);
    assert_eq!(read[2], None);
}

#[tokio::test]
async fn the_data_source_reads_content_and_hashes() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("in.txt");
    std::fs::write(&file, "hello").unwrap();
    let d = LocalFileData::new(false);
    let v = d
        .read(&cfg(d.schema(), &[("filename", path_value(&file))]))
        .await
        .unwrap();
    assert!(v.is_wholly_known());
    assert_eq!(v.get_attr("content"), Some(&Value::from("hello")));
    assert_eq!(v.get_attr("content_base64"), Some(&Value::from("aGVsbG8=")));
    assert_eq!(
        v.get_attr("id"),
        Some(&Value::from("aaf4c61ddcc5e8a2dabede0f3b482cd9aea9434d"))
    );
    assert!(LocalFileData::new(true).schema().block.attributes["content"].sensitive);
}

#[tokio::test]
async fn the_data_source_reports_a_missing_file_at_filename() {
    let d = LocalFileData::new(false);
    let err = d
        .read(&cfg(
            d.schema(),
            &[("filename", Value::from("definitely/not/here.txt"))],
        ))
        .await
        .unwrap_err();
    assert_eq!(err.attribute, Some(AttrPath::attr("filename")));
    assert!(err.summary.contains("definitely/not/here.txt"));
    assert!(!err.detail.is_empty());
    assert!(err.hint.is_some());
}
