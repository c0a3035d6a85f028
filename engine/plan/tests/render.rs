//! Snapshots of whole rendered plans, one per kind of change, checked against Terraform's own
//! `terraform plan` output format.

use terrane_plan::{
    Action, ActionReason, OutputChange, Plan, PlanMode, ResourceChange, Style, render_plan,
};
use terrane_sdk::{Attribute, Block, NestedBlock, Nesting};
use terrane_types::{
    AttrPath, InstanceKey, ModuleInstance, PathStep, ResourceAddr, ResourceInstanceAddr,
    ResourceMode, Type, Value,
};

fn instance_schema() -> Block {
    Block::new()
        .attr("ami", Attribute::required(Type::String).force_new())
        .attr("arn", Attribute::computed(Type::String))
        .attr("id", Attribute::computed(Type::String))
        .attr("instance_type", Attribute::required(Type::String))
        .attr("monitoring", Attribute::optional(Type::Bool))
        .attr("password", Attribute::optional(Type::String).sensitive())
        .attr(
            "security_groups",
            Attribute::optional(Type::set(Type::String)),
        )
        .attr("tags", Attribute::optional(Type::map(Type::String)))
        .attr("user_data", Attribute::optional(Type::String))
        .block(
            "ebs_block_device",
            NestedBlock::new(
                Nesting::List,
                Block::new()
                    .attr("device_name", Attribute::required(Type::String))
                    .attr("encrypted", Attribute::optional_computed(Type::Bool))
                    .attr("volume_size", Attribute::optional(Type::Number))
                    .attr("volume_id", Attribute::computed(Type::String)),
            ),
        )
}

fn pet_schema() -> Block {
    Block::new()
        .attr("id", Attribute::computed(Type::String))
        .attr(
            "keepers",
            Attribute::optional(Type::map(Type::String)).force_new(),
        )
        .attr("length", Attribute::optional(Type::Number).force_new())
        .attr("prefix", Attribute::optional(Type::String).force_new())
        .attr("separator", Attribute::optional(Type::String).force_new())
}

fn ami_schema() -> Block {
    Block::new()
        .attr("arn", Attribute::computed(Type::String))
        .attr("id", Attribute::computed(Type::String))
        .attr("image_id", Attribute::computed(Type::String))
        .attr("most_recent", Attribute::optional(Type::Bool))
        .attr("name", Attribute::computed(Type::String))
        .attr("owners", Attribute::required(Type::list(Type::String)))
}

fn schemas(change: &ResourceChange) -> Option<Block> {
    match change.addr.resource.type_name.as_str() {
        "aws_instance" => Some(instance_schema()),
        "random_pet" => Some(pet_schema()),
        "aws_ami" => Some(ami_schema()),
        _ => None,
    }
}

fn addr(type_name: &str, name: &str) -> ResourceInstanceAddr {
    let mode = if type_name == "aws_ami" {
        ResourceMode::Data
    } else {
        ResourceMode::Managed
    };
    ResourceAddr {
        module: ModuleInstance::root(),
        mode,
        type_name: type_name.into(),
        name: name.into(),
    }
    .instance(None)
}

fn change(
    addr: ResourceInstanceAddr,
    action: Action,
    before: Option<Value>,
    after: Option<Value>,
) -> ResourceChange {
    let provider = match addr.resource.type_name.split('_').next() {
        Some("random") => "random",
        _ => "aws",
    };
    ResourceChange {
        addr,
        prev_addr: None,
        deposed: None,
        provider: format!("provider[\"registry.terraform.io/hashicorp/{provider}\"]"),
        action,
        reason: None,
        before,
        after,
        replace_paths: Vec::new(),
        importing: None,
        notes: Vec::new(),
    }
}

fn s(v: &str) -> Value {
    Value::string(v)
}

fn unknown() -> Value {
    Value::Unknown(Type::String)
}

fn with(v: &Value, changes: &[(&str, Value)]) -> Value {
    let mut v = v.clone();
    if let Value::Object(attrs) = &mut v {
        for (k, x) in changes {
            attrs.insert((*k).to_owned(), x.clone());
        }
    }
    v
}

/// An instance as it is in the state.
fn existing_instance() -> Value {
    Value::object([
        ("ami", s("ami-0c55b159cbfafe1f0")),
        (
            "arn",
            s("arn:aws:ec2:eu-west-1:123456789012:instance/i-0abc"),
        ),
        ("id", s("i-0abc")),
        ("instance_type", s("t3.micro")),
        ("monitoring", Value::Bool(false)),
        ("password", s("hunter2")),
        ("security_groups", Value::set(vec![s("default"), s("web")])),
        (
            "tags",
            Value::map([("Env", s("prod")), ("Name", s("web")), ("Team", s("core"))]),
        ),
        ("user_data", s("#!/bin/sh\necho hello\nexit 0\n")),
        (
            "ebs_block_device",
            Value::List(vec![Value::object([
                ("device_name", s("/dev/sdb")),
                ("encrypted", Value::Bool(true)),
                ("volume_size", Value::from(50)),
                ("volume_id", s("vol-0123")),
            ])]),
        ),
    ])
}

fn plan(changes: Vec<ResourceChange>) -> Plan {
    Plan {
        changes,
        ..Plan::default()
    }
}

fn plain(plan: &Plan) -> String {
    render_plan(plan, &schemas, Style { color: false })
}

#[test]
fn create_with_nested_block_sensitive_and_unknown_values() {
    let after = Value::object([
        ("ami", s("ami-0c55b159cbfafe1f0")),
        ("arn", unknown()),
        ("id", unknown()),
        ("instance_type", s("t3.micro")),
        ("monitoring", Value::Null(Type::Bool)),
        ("password", s("hunter2")),
        ("security_groups", Value::Unknown(Type::set(Type::String))),
        (
            "tags",
            Value::map([("Name", s("web")), ("Owner", s("ops team"))]),
        ),
        ("user_data", s("#!/bin/sh\necho \"hello\"\n")),
        (
            "ebs_block_device",
            Value::List(vec![Value::object([
                ("device_name", s("/dev/sdb")),
                ("encrypted", Value::Unknown(Type::Bool)),
                ("volume_size", Value::from(100)),
                ("volume_id", unknown()),
            ])]),
        ),
    ]);
    let pet = Value::object([
        ("id", unknown()),
        ("keepers", Value::Null(Type::map(Type::String))),
        ("length", Value::from(2)),
        ("prefix", Value::Null(Type::String)),
        ("separator", s("-")),
    ]);
    let p = plan(vec![
        change(
            addr("aws_instance", "web"),
            Action::Create,
            None,
            Some(after),
        ),
        change(addr("random_pet", "name"), Action::Create, None, Some(pet)),
    ]);
    insta::assert_snapshot!(plain(&p));
}

#[test]
fn update_in_place() {
    let before = existing_instance();
    let after = with(
        &before,
        &[
            ("instance_type", s("t3.large")),
            (
                "tags",
                Value::map([
                    ("Env", s("staging")),
                    ("Name", s("web")),
                    ("Team", s("core")),
                ]),
            ),
            (
                "user_data",
                s("#!/bin/sh\necho hello\necho world\nexit 0\n"),
            ),
            ("monitoring", Value::Null(Type::Bool)),
        ],
    );
    let p = plan(vec![change(
        addr("aws_instance", "web"),
        Action::Update,
        Some(before),
        Some(after),
    )]);
    insta::assert_snapshot!(plain(&p));
}

#[test]
fn notes_of_the_provider_are_shown_under_the_resource_header() {
    let before = existing_instance();
    let after = with(&before, &[("instance_type", s("t3.large"))]);
    let mut c = change(
        addr("aws_instance", "web"),
        Action::Update,
        Some(before),
        Some(after),
    );
    c.notes = vec!["an instance refresh will replace the group's instances".into()];
    let out = plain(&plan(vec![c]));
    assert!(
        out.contains(
            "  # aws_instance.web will be updated in-place\n  # (an instance refresh will replace the group's instances)\n"
        ),
        "{out}"
    );
}

#[test]
fn replace_delete_then_create_forced_by_an_attribute() {
    let before = existing_instance();
    let after = with(
        &before,
        &[
            ("ami", s("ami-0123456789abcdef0")),
            ("arn", unknown()),
            ("id", unknown()),
            (
                "ebs_block_device",
                Value::List(vec![Value::object([
                    ("device_name", s("/dev/sdb")),
                    ("encrypted", Value::Bool(true)),
                    ("volume_size", Value::from(50)),
                    ("volume_id", unknown()),
                ])]),
            ),
        ],
    );
    let mut c = change(
        addr("aws_instance", "web"),
        Action::DeleteThenCreate,
        Some(before),
        Some(after),
    );
    c.reason = Some(ActionReason::ReplaceBecauseCannotUpdate);
    c.replace_paths = vec![AttrPath::attr("ami")];
    insta::assert_snapshot!(plain(&plan(vec![c])));
}

#[test]
fn replace_create_then_delete() {
    let before = Value::object([
        ("id", s("loved-mule")),
        (
            "keepers",
            Value::map([("ami", s("ami-1")), ("zone", s("a"))]),
        ),
        ("length", Value::from(2)),
        ("prefix", Value::Null(Type::String)),
        ("separator", s("-")),
    ]);
    let after = with(
        &before,
        &[
            ("id", unknown()),
            (
                "keepers",
                Value::map([("ami", s("ami-2")), ("zone", s("a"))]),
            ),
        ],
    );
    let mut c = change(
        addr("random_pet", "name"),
        Action::CreateThenDelete,
        Some(before),
        Some(after),
    );
    c.reason = Some(ActionReason::ReplaceBecauseCannotUpdate);
    c.replace_paths = vec![AttrPath::attr("keepers").then(PathStep::Key("ami".into()))];
    let mut tainted = c.clone();
    tainted.addr.resource.name = "tainted".into();
    tainted.action = Action::DeleteThenCreate;
    tainted.reason = Some(ActionReason::ReplaceBecauseTainted);
    tainted.replace_paths.clear();
    insta::assert_snapshot!(plain(&plan(vec![c, tainted])));
}

#[test]
fn delete_with_reasons() {
    let pet = Value::object([
        ("id", s("loved-mule")),
        ("keepers", Value::Null(Type::map(Type::String))),
        ("length", Value::from(2)),
        ("prefix", Value::Null(Type::String)),
        ("separator", s("-")),
    ]);
    let mut gone = change(
        addr("random_pet", "name"),
        Action::Delete,
        Some(pet.clone()),
        None,
    );
    gone.reason = Some(ActionReason::DeleteBecauseNoResourceConfig);
    let mut counted = change(
        addr("random_pet", "server"),
        Action::Delete,
        Some(pet.clone()),
        None,
    );
    counted.addr.key = Some(InstanceKey::Int(2));
    counted.reason = Some(ActionReason::DeleteBecauseCountIndex);
    let mut keyed = change(addr("random_pet", "zone"), Action::Delete, Some(pet), None);
    keyed.addr.key = Some(InstanceKey::Str("x".into()));
    keyed.reason = Some(ActionReason::DeleteBecauseEachKey);
    insta::assert_snapshot!(plain(&plan(vec![gone, counted, keyed])));
}

#[test]
fn read_during_apply() {
    let after = Value::object([
        ("arn", unknown()),
        ("id", unknown()),
        ("image_id", unknown()),
        ("most_recent", Value::Bool(true)),
        ("name", unknown()),
        ("owners", Value::List(vec![s("099720109477")])),
    ]);
    let mut read = change(addr("aws_ami", "ubuntu"), Action::Read, None, Some(after));
    read.reason = Some(ActionReason::ReadBecauseConfigUnknown);
    insta::assert_snapshot!(plain(&plan(vec![read])));
}

#[test]
fn no_changes() {
    let instance = existing_instance();
    let p = plan(vec![change(
        addr("aws_instance", "web"),
        Action::NoOp,
        Some(instance.clone()),
        Some(instance),
    )]);
    insta::assert_snapshot!(plain(&p));
}

#[test]
fn destroy_mode() {
    let instance = existing_instance();
    let p = Plan {
        mode: PlanMode::Destroy,
        changes: vec![change(
            addr("aws_instance", "web"),
            Action::Delete,
            Some(instance),
            None,
        )],
        outputs: vec![OutputChange {
            name: "instance_id".into(),
            action: Action::Delete,
            before: Some(s("i-0abc")),
            after: None,
            sensitive: false,
        }],
        ..Plan::default()
    };
    let text = plain(&p);
    assert!(text.contains("Plan: 0 to add, 0 to change, 1 to destroy."));
    insta::assert_snapshot!(text);
    let nothing = Plan {
        mode: PlanMode::Destroy,
        ..Plan::default()
    };
    insta::assert_snapshot!("destroy_mode_with_nothing_to_destroy", plain(&nothing));
}

fn output(name: &str, action: Action, before: Option<Value>, after: Option<Value>) -> OutputChange {
    OutputChange {
        name: name.into(),
        action,
        before,
        after,
        sensitive: false,
    }
}

#[test]
fn output_changes() {
    let pet = Value::object([
        ("id", unknown()),
        ("keepers", Value::Null(Type::map(Type::String))),
        ("length", Value::from(3)),
        ("prefix", Value::Null(Type::String)),
        ("separator", s("-")),
    ]);
    let mut secret = output(
        "db_password",
        Action::Update,
        Some(s("old")),
        Some(s("new")),
    );
    secret.sensitive = true;
    let outputs = vec![
        output("name", Action::Create, None, Some(unknown())),
        output(
            "count",
            Action::Update,
            Some(Value::from(1)),
            Some(Value::from(2)),
        ),
        secret,
        output(
            "unchanged_but_long_name",
            Action::NoOp,
            Some(s("x")),
            Some(s("x")),
        ),
        output(
            "settings",
            Action::Create,
            None,
            Some(Value::object([
                ("zones", Value::List(vec![s("a"), s("b")])),
                ("enabled", Value::Bool(true)),
            ])),
        ),
        output("removed", Action::Delete, Some(s("bye")), None),
    ];
    let p = Plan {
        changes: vec![change(
            addr("random_pet", "name"),
            Action::Create,
            None,
            Some(pet),
        )],
        outputs: outputs.clone(),
        ..Plan::default()
    };
    insta::assert_snapshot!(plain(&p));
    let only_outputs = Plan {
        outputs,
        ..Plan::default()
    };
    insta::assert_snapshot!("output_changes_only", plain(&only_outputs));
}

#[test]
fn drift_section() {
    let before = existing_instance();
    let drifted = with(
        &before,
        &[
            ("instance_type", s("t3.small")),
            (
                "tags",
                Value::map([
                    ("Env", s("prod")),
                    ("Name", s("web")),
                    ("Team", s("core")),
                    ("x", s("y")),
                ]),
            ),
        ],
    );
    let mut gone = change(
        addr("random_pet", "name"),
        Action::Delete,
        Some(Value::object([
            ("id", s("loved-mule")),
            ("length", Value::from(2)),
        ])),
        None,
    );
    gone.provider = "provider[\"registry.terraform.io/hashicorp/random\"]".into();
    let p = Plan {
        drift: vec![
            change(
                addr("aws_instance", "web"),
                Action::Update,
                Some(before),
                Some(drifted.clone()),
            ),
            gone,
        ],
        changes: vec![change(
            addr("aws_instance", "web"),
            Action::Update,
            Some(drifted.clone()),
            Some(with(&drifted, &[("instance_type", s("t3.micro"))])),
        )],
        ..Plan::default()
    };
    insta::assert_snapshot!(plain(&p));
    let refresh_only = Plan {
        mode: PlanMode::RefreshOnly,
        changes: Vec::new(),
        ..p
    };
    insta::assert_snapshot!("drift_section_refresh_only", plain(&refresh_only));
}

#[test]
fn moved_and_imported() {
    let pet = Value::object([
        ("id", s("loved-mule")),
        ("keepers", Value::Null(Type::map(Type::String))),
        ("length", Value::from(2)),
        ("prefix", Value::Null(Type::String)),
        ("separator", s("-")),
    ]);
    let mut moved = change(
        addr("random_pet", "renamed"),
        Action::NoOp,
        Some(pet.clone()),
        Some(pet.clone()),
    );
    moved.prev_addr = Some(addr("random_pet", "name"));
    let mut moved_and_updated = change(
        addr("random_pet", "other"),
        Action::DeleteThenCreate,
        Some(pet.clone()),
        Some(with(&pet, &[("id", unknown()), ("length", Value::from(3))])),
    );
    moved_and_updated.prev_addr = Some(
        ResourceAddr {
            module: ModuleInstance::root().child("pets", None),
            ..addr("random_pet", "other").resource
        }
        .instance(None),
    );
    moved_and_updated.replace_paths = vec![AttrPath::attr("length")];
    let mut imported = change(
        addr("aws_instance", "imported"),
        Action::NoOp,
        Some(existing_instance()),
        Some(existing_instance()),
    );
    imported.importing = Some("i-0abc".into());
    let mut imported_and_updated = change(
        addr("aws_instance", "adopted"),
        Action::Update,
        Some(existing_instance()),
        Some(with(
            &existing_instance(),
            &[("monitoring", Value::Bool(true))],
        )),
    );
    imported_and_updated.importing = Some("i-0def".into());
    let p = plan(vec![
        moved,
        moved_and_updated,
        imported,
        imported_and_updated,
    ]);
    insta::assert_snapshot!(plain(&p));
}

#[test]
fn errored_and_without_schema() {
    let after = Value::object([
        ("id", unknown()),
        ("content", s("hello")),
        (
            "options",
            Value::object([("mode", s("0644")), ("owner", s("root"))]),
        ),
    ]);
    let mut c = change(
        addr("local_file", "motd"),
        Action::Create,
        None,
        Some(after),
    );
    c.provider = "provider[\"registry.terraform.io/hashicorp/local\"]".into();
    let p = Plan {
        changes: vec![c],
        errored: true,
        ..Plan::default()
    };
    insta::assert_snapshot!(plain(&p));
}

#[test]
fn color_on() {
    let before = existing_instance();
    let after = with(
        &before,
        &[
            ("ami", s("ami-0123456789abcdef0")),
            ("id", unknown()),
            ("monitoring", Value::Null(Type::Bool)),
        ],
    );
    let mut replace = change(
        addr("aws_instance", "web"),
        Action::DeleteThenCreate,
        Some(before),
        Some(after),
    );
    replace.replace_paths = vec![AttrPath::attr("ami")];
    let p = Plan {
        changes: vec![replace],
        outputs: vec![output(
            "id",
            Action::Update,
            Some(s("i-0abc")),
            Some(unknown()),
        )],
        ..Plan::default()
    };
    let colored = render_plan(&p, &schemas, Style { color: true });
    assert!(colored.contains("\x1b[32m+\x1b[0m"));
    assert!(colored.contains("\x1b[31m# forces replacement\x1b[0m"));
    let stripped: String = strip_ansi(&colored);
    assert_eq!(stripped, plain(&p), "color adds escapes and nothing else");
    insta::assert_snapshot!(colored.replace('\x1b', "␛"));
}

fn strip_ansi(s: &str) -> String {
    let mut out = String::new();
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        if c == '\x1b' {
            for c in chars.by_ref() {
                if c == 'm' {
                    break;
                }
            }
        } else {
            out.push(c);
        }
    }
    out
}
