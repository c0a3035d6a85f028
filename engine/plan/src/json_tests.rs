use super::*;
use serde_json::json;
use terrane_types::{AttrPath, ModuleInstance, Number, ResourceAddr, Type};

fn addr(mode: ResourceMode, type_name: &str, name: &str) -> ResourceInstanceAddr {
    ResourceAddr {
        module: ModuleInstance::root(),
        mode,
        type_name: type_name.into(),
        name: name.into(),
    }
    .instance(None)
}

use terrane_types::ResourceInstanceAddr;

fn change(action: Action, before: Option<Value>, after: Option<Value>) -> ResourceChange {
    ResourceChange {
        addr: addr(ResourceMode::Managed, "aws_instance", "web"),
        prev_addr: None,
        deposed: None,
        provider: "provider[\"registry.terraform.io/hashicorp/aws\"]".into(),
        action,
        reason: None,
        before,
        after,
        replace_paths: Vec::new(),
        importing: None,
        notes: Vec::new(),
    }
}

fn plan_of(changes: Vec<ResourceChange>) -> Plan {
    Plan {
        changes,
        ..Plan::default()
    }
}

fn first_change(plan: &Plan) -> J {
    let j = plan_to_json(plan, "1.9.0");
    j["resource_changes"][0].clone()
}

fn instance(ami: Value) -> Value {
    Value::object([
        ("ami", ami),
        ("id", Value::string("i-123")),
        ("tags", Value::map([("Name", Value::string("web"))])),
    ])
}

#[test]
fn create_marks_unknown_and_sensitive_parts() {
    let after = Value::object([
        ("id", Value::Unknown(Type::String)),
        ("password", Value::string("hunter2").mark_sensitive()),
        (
            "ports",
            Value::List(vec![Value::from(80), Value::Unknown(Type::Number)]),
        ),
        ("name", Value::string("web")),
    ]);
    let mut c = change(Action::Create, None, Some(after));
    c.addr.key = Some(InstanceKey::Int(0));
    let rc = first_change(&plan_of(vec![c]));
    assert_eq!(rc["address"], "aws_instance.web[0]");
    assert_eq!(rc["mode"], "managed");
    assert_eq!(rc["type"], "aws_instance");
    assert_eq!(rc["name"], "web");
    assert_eq!(rc["index"], 0);
    assert_eq!(rc["provider_name"], "registry.terraform.io/hashicorp/aws");
    assert!(rc.get("module_address").is_none());
    let ch = &rc["change"];
    assert_eq!(ch["actions"], json!(["create"]));
    assert_eq!(ch["before"], J::Null);
    assert_eq!(
        ch["after"],
        json!({"name": "web", "password": "hunter2", "ports": [80, null]})
    );
    assert_eq!(
        ch["after_unknown"],
        json!({"id": true, "ports": [false, true]})
    );
    assert_eq!(ch["before_sensitive"], json!(false));
    assert_eq!(
        ch["after_sensitive"],
        json!({"password": true, "ports": [false, false]})
    );
    assert!(ch.get("replace_paths").is_none());
}

#[test]
fn update_has_no_unknowns_when_wholly_known() {
    let c = change(
        Action::Update,
        Some(instance(Value::string("ami-1"))),
        Some(instance(Value::string("ami-2"))),
    );
    let ch = first_change(&plan_of(vec![c]))["change"].clone();
    assert_eq!(ch["actions"], json!(["update"]));
    assert_eq!(ch["before"]["ami"], "ami-1");
    assert_eq!(ch["after"]["ami"], "ami-2");
    assert_eq!(ch["after_unknown"], json!({}));
    // As in Terraform, only exact `false`s are left out of object mirrors.
    assert_eq!(ch["before_sensitive"], json!({"tags": {}}));
    assert_eq!(ch["after_sensitive"], json!({"tags": {}}));
}

#[test]
fn replacements_carry_their_paths_and_reason() {
    for (action, actions) in [
        (Action::DeleteThenCreate, json!(["delete", "create"])),
        (Action::CreateThenDelete, json!(["create", "delete"])),
    ] {
        let mut after = instance(Value::string("ami-2"));
        if let Value::Object(m) = &mut after {
            m.insert("id".into(), Value::Unknown(Type::String));
        }
        let mut c = change(action, Some(instance(Value::string("ami-1"))), Some(after));
        c.reason = Some(ActionReason::ReplaceBecauseCannotUpdate);
        c.replace_paths = vec![
            AttrPath::attr("ami"),
            AttrPath::attr("ebs")
                .then(PathStep::Index(0))
                .then(PathStep::Attr("size".into())),
        ];
        let rc = first_change(&plan_of(vec![c]));
        assert_eq!(rc["action_reason"], "replace_because_cannot_update");
        let ch = &rc["change"];
        assert_eq!(ch["actions"], actions);
        assert_eq!(ch["replace_paths"], json!([["ami"], ["ebs", 0, "size"]]));
        assert_eq!(ch["after_unknown"], json!({"id": true, "tags": {}}));
        assert!(ch["after"].get("id").is_none());
    }
}

#[test]
fn delete_has_a_null_after_and_a_reason() {
    let mut c = change(Action::Delete, Some(instance(Value::string("ami-1"))), None);
    c.reason = Some(ActionReason::DeleteBecauseEachKey);
    c.addr.key = Some(InstanceKey::Str("a".into()));
    c.addr.resource.module = ModuleInstance::root().child("app", None);
    let rc = first_change(&plan_of(vec![c]));
    assert_eq!(rc["address"], "module.app.aws_instance.web[\"a\"]");
    assert_eq!(rc["module_address"], "module.app");
    assert_eq!(rc["index"], "a");
    assert_eq!(rc["action_reason"], "delete_because_each_key");
    let ch = &rc["change"];
    assert_eq!(ch["actions"], json!(["delete"]));
    assert_eq!(ch["after"], J::Null);
    assert_eq!(ch["after_unknown"], json!({}));
    assert_eq!(ch["after_sensitive"], json!(false));
}

#[test]
fn reads_no_ops_moves_and_imports() {
    let mut read = change(Action::Read, None, Some(Value::Unknown(Type::Dynamic)));
    read.addr = addr(ResourceMode::Data, "aws_ami", "ubuntu");
    read.reason = Some(ActionReason::ReadBecauseConfigUnknown);
    let mut noop = change(
        Action::NoOp,
        Some(instance(Value::string("ami-1"))),
        Some(instance(Value::string("ami-1"))),
    );
    noop.prev_addr = Some(addr(ResourceMode::Managed, "aws_instance", "old"));
    noop.importing = Some("i-123".into());
    let mut gone_data = change(
        Action::Delete,
        Some(Value::object([("id", Value::from("x"))])),
        None,
    );
    gone_data.addr = addr(ResourceMode::Data, "aws_ami", "old");
    let j = plan_to_json(&plan_of(vec![read, noop, gone_data]), "1.9.0");
    let rcs = j["resource_changes"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    assert_eq!(rcs.len(), 2, "data source deletions are left out");
    let read = &rcs[0];
    assert_eq!(read["address"], "data.aws_ami.ubuntu");
    assert_eq!(read["mode"], "data");
    assert_eq!(read["change"]["actions"], json!(["read"]));
    assert!(
        read["change"].get("after").is_none(),
        "a wholly unknown after is left out"
    );
    assert_eq!(read["change"]["after_unknown"], json!(true));
    assert_eq!(read["action_reason"], "read_because_config_unknown");
    let noop = &rcs[1];
    assert_eq!(noop["change"]["actions"], json!(["no-op"]));
    assert_eq!(noop["previous_address"], "aws_instance.old");
    assert_eq!(noop["change"]["importing"], json!({"id": "i-123"}));
}

#[test]
fn outputs_variables_and_the_top_level() {
    let big = Value::Number(Number::parse("123456789012345678901234567890").unwrap_or_default());
    let plan = Plan {
        outputs: vec![
            OutputChange {
                name: "secret".into(),
                action: Action::Create,
                before: None,
                after: Some(Value::string("s3cr3t")),
                sensitive: true,
            },
            OutputChange {
                name: "id".into(),
                action: Action::Update,
                before: Some(Value::string("a")),
                after: Some(Value::Unknown(Type::String)),
                sensitive: false,
            },
        ],
        variables: [("big".to_owned(), big)].into_iter().collect(),
        errored: false,
        ..Plan::default()
    };
    let j = plan_to_json(&plan, "1.9.0");
    assert_eq!(j["format_version"], "1.2");
    assert_eq!(j["terraform_version"], "1.9.0");
    assert_eq!(
        j["variables"]["big"]["value"].to_string(),
        "123456789012345678901234567890"
    );
    let secret = &j["output_changes"]["secret"];
    assert_eq!(secret["actions"], json!(["create"]));
    assert_eq!(secret["before"], J::Null);
    assert_eq!(secret["after"], "s3cr3t");
    assert_eq!(secret["after_unknown"], json!(false));
    assert_eq!(secret["before_sensitive"], json!(true));
    assert_eq!(secret["after_sensitive"], json!(true));
    let id = &j["output_changes"]["id"];
    assert_eq!(id["actions"], json!(["update"]));
    assert!(id.get("after").is_none());
    assert_eq!(id["after_unknown"], json!(true));
    assert!(j.get("resource_changes").is_none());
    assert_eq!(j["applyable"], json!(true));
    assert_eq!(j["errored"], json!(false));
    let keys: Vec<&str> = j
        .as_object()
        .map(|o| o.keys().map(String::as_str).collect())
        .unwrap_or_default();
    assert_eq!(
        keys,
        [
            "format_version",
            "terraform_version",
            "variables",
            "output_changes",
            "applyable",
            "complete",
            "errored"
        ]
    );
}

#[test]
fn drift_is_listed_and_errored_plans_are_not_applyable() {
    let drifted = change(
        Action::Update,
        Some(instance(Value::string("ami-1"))),
        Some(instance(Value::string("ami-0"))),
    );
    let plan = Plan {
        drift: vec![drifted],
        errored: true,
        ..Plan::default()
    };
    let j = plan_to_json(&plan, "1.9.0");
    assert_eq!(
        j["resource_drift"][0]["change"]["actions"],
        json!(["update"])
    );
    assert_eq!(j["applyable"], json!(false));
    assert_eq!(j["errored"], json!(true));
}

#[test]
fn provider_sources_are_taken_from_provider_addresses() {
    assert_eq!(
        provider_source("module.a.provider[\"registry.terraform.io/hashicorp/aws\"].east"),
        "registry.terraform.io/hashicorp/aws"
    );
    assert_eq!(provider_source("aws"), "aws");
}

#[test]
fn mirrors_keep_sequence_positions_and_drop_false_object_entries() {
    let v = Value::object([
        (
            "list",
            Value::List(vec![Value::from("a"), Value::from("b").mark_sensitive()]),
        ),
        ("plain", Value::from("x")),
        ("set", Value::Unknown(Type::set(Type::String))),
    ]);
    assert_eq!(
        sensitive_as_bool(&v),
        json!({"list": [false, true], "set": []})
    );
    assert_eq!(
        unknown_as_bool(&v),
        json!({"list": [false, false], "set": true})
    );
    assert_eq!(plain(&v), Some(json!({"list": ["a", "b"], "plain": "x"})));
}
