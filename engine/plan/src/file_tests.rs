use super::*;

fn addr(name: &str, key: Option<InstanceKey>) -> ResourceInstanceAddr {
    ResourceAddr {
        module: ModuleInstance::root().child("app", Some(InstanceKey::Str("eu".into()))),
        mode: ResourceMode::Managed,
        type_name: "aws_instance".into(),
        name: name.into(),
    }
    .instance(key)
}

fn number(text: &str) -> Value {
    Value::Number(Number::parse(text).unwrap_or_default())
}

/// A plan using every kind of value, address and field.
fn sample() -> Plan {
    let before = Value::object([
        ("id", Value::string("i-123")),
        (
            "big",
            number("123456789012345678901234567890.000000000000000001"),
        ),
        ("ports", Value::set(vec![Value::from(443), Value::from(80)])),
        ("pair", Value::Tuple(vec![Value::from("a"), Value::from(1)])),
        (
            "list",
            Value::List(vec![Value::from("a"), Value::from("b")]),
        ),
        ("empty_set", Value::Set(vec![])),
        ("tags", Value::map([("Name", Value::string("web"))])),
        ("nothing", Value::Null(Type::map(Type::list(Type::Number)))),
        ("flag", Value::Bool(true)),
    ]);
    let after = Value::object([
        ("id", Value::Unknown(Type::String)),
        ("password", Value::string("hunter2").mark_sensitive()),
        (
            "nested",
            Value::List(vec![Value::object([
                ("secret", Value::Unknown(Type::Number).mark_sensitive()),
                ("null_marked", Value::Null(Type::String).mark_sensitive()),
                (
                    "shape",
                    Value::Unknown(Type::Object(
                        [
                            ("a".to_owned(), Type::Tuple(vec![Type::Bool, Type::Dynamic])),
                            ("b".to_owned(), Type::set(Type::String)),
                        ]
                        .into_iter()
                        .collect(),
                    )),
                ),
            ])]),
        ),
        ("negative", number("-0.000001")),
    ]);
    let change = ResourceChange {
        addr: addr("web", Some(InstanceKey::Int(3))),
        prev_addr: Some(addr("old", None)),
        deposed: Some("00000001".into()),
        provider: "provider[\"registry.terraform.io/hashicorp/aws\"]".into(),
        action: Action::DeleteThenCreate,
        reason: Some(ActionReason::ReplaceBecauseCannotUpdate),
        before: Some(before.clone()),
        after: Some(after),
        replace_paths: vec![
            AttrPath::attr("ami"),
            AttrPath::attr("tags").then(PathStep::Key("Name".into())),
            AttrPath::attr("ebs").then(PathStep::Index(2)),
        ],
        importing: Some("i-123".into()),
        notes: Vec::new(),
    };
    let mut data = change.clone();
    data.addr.resource.mode = ResourceMode::Data;
    data.action = Action::Read;
    data.reason = Some(ActionReason::ReadBecauseDependencyPending);
    data.before = None;
    data.prev_addr = None;
    data.deposed = None;
    data.replace_paths.clear();
    data.importing = None;
    let mut drift = change.clone();
    drift.action = Action::Update;
    drift.reason = None;
    Plan {
        mode: PlanMode::RefreshOnly,
        changes: vec![change, data],
        outputs: vec![
            OutputChange {
                name: "ip".into(),
                action: Action::Create,
                before: None,
                after: Some(Value::Unknown(Type::Dynamic)),
                sensitive: false,
            },
            OutputChange {
                name: "secret".into(),
                action: Action::Delete,
                before: Some(Value::string("x").mark_sensitive()),
                after: Some(Value::Null(Type::Dynamic)),
                sensitive: true,
            },
        ],
        drift: vec![drift],
        variables: [
            ("region".to_owned(), Value::string("eu-west-1")),
            ("count".to_owned(), number("18446744073709551617")),
            ("token".to_owned(), Value::string("t").mark_sensitive()),
        ]
        .into_iter()
        .collect(),
        targets: vec!["aws_instance.web".into(), "module.app".into()],
        prior_lineage: "3f1c-lineage".into(),
        prior_serial: 42,
        errored: true,
    }
}

#[test]
fn a_plan_round_trips_exactly_through_a_file() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("tfplan");
    let plan = sample();
    plan.write_file(&path).expect("write");
    let read = Plan::read_file(&path).expect("read");
    assert_eq!(read, plan);
    // Textual exactness too: same number digits, same set order, same marks and types.
    assert_eq!(encode_plan(&read), encode_plan(&plan));
    // Only the plan file is left in the directory (the temporary file was renamed).
    let names: Vec<_> = std::fs::read_dir(dir.path())
        .expect("list")
        .map(|e| e.expect("entry").file_name())
        .collect();
    assert_eq!(names, vec![std::ffi::OsString::from("tfplan")]);
}

#[test]
fn the_default_plan_round_trips_and_writing_replaces_an_old_file() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("plan.json");
    sample().write_file(&path).expect("write");
    Plan::default().write_file(&path).expect("overwrite");
    assert_eq!(Plan::read_file(&path).expect("read"), Plan::default());
}

#[test]
fn the_file_says_what_it_is() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("tfplan");
    sample().write_file(&path).expect("write");
    let json: J = serde_json::from_slice(&std::fs::read(&path).expect("read")).expect("json");
    assert_eq!(json["format"], "terrane-plan");
    assert_eq!(json["format_version"], 1);
    let before = &json["changes"][0]["before"]["object"];
    assert_eq!(
        before["big"],
        json!({"number": "123456789012345678901234567890.000000000000000001"})
    );
    assert_eq!(
        before["ports"],
        json!({"set": [{"number": "80"}, {"number": "443"}]})
    );
    assert_eq!(
        before["nothing"],
        json!({"null": ["map", ["list", "number"]]})
    );
}

#[test]
fn another_format_version_is_refused() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("tfplan");
    let mut json = encode_plan(&sample());
    json["format_version"] = json!(2);
    std::fs::write(&path, json.to_string()).expect("write");
    let err = Plan::read_file(&path).expect_err("version 2 must be refused");
    assert!(matches!(err, PlanFileError::UnsupportedVersion { .. }));
    let message = err.to_string();
    assert!(message.contains("format version 2"), "{message}");
    assert!(message.contains("reads only version 1"), "{message}");
    assert!(message.contains("tfplan"), "{message}");
}

#[test]
fn a_truncated_file_is_refused_clearly() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("tfplan");
    sample().write_file(&path).expect("write");
    let bytes = std::fs::read(&path).expect("read");
    std::fs::write(&path, &bytes[..bytes.len() / 2]).expect("truncate");
    let err = Plan::read_file(&path).expect_err("truncated");
    assert!(matches!(err, PlanFileError::Corrupt { .. }));
    let message = err.to_string();
    assert!(message.contains("truncated"), "{message}");
    assert!(message.contains("tfplan"), "{message}");
}

#[test]
fn other_files_and_damaged_content_are_refused() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("main.tf");
    std::fs::write(&path, "resource \"a\" \"b\" {}\n").expect("write");
    let err = Plan::read_file(&path).expect_err("not a plan");
    assert_eq!(
        err.to_string(),
        format!("{} is not a terrane plan file", path.display())
    );

    std::fs::write(&path, "{\"format\": \"other\"}").expect("write");
    assert!(matches!(
        Plan::read_file(&path),
        Err(PlanFileError::NotAPlanFile { .. })
    ));

    let mut json = encode_plan(&sample());
    json["changes"][0]["after"]["object"]["negative"] = json!({"number": "1.2.3"});
    std::fs::write(&path, json.to_string()).expect("write");
    let err = Plan::read_file(&path).expect_err("bad number");
    assert!(
        err.to_string()
            .contains("changes[0].after[\"negative\"]: invalid number \"1.2.3\""),
        "{err}"
    );

    let missing = dir.path().join("absent");
    let err = Plan::read_file(&missing).expect_err("missing");
    assert!(matches!(err, PlanFileError::Io { .. }));
    assert!(
        err.to_string().starts_with("cannot read plan file"),
        "{err}"
    );
}

#[test]
fn writing_into_a_missing_directory_fails_without_leaving_files() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("no/such/dir/tfplan");
    assert!(Plan::default().write_file(&path).is_err());
}
