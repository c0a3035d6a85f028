//! Cases from Terraform's own renderer tests (`internal/command/jsonformat/plan_test.go`), with
//! their expected output, to hold the port to Terraform's format character for character.
//! Terraform's nested-attribute types are not in terrane's SDK, so those parts are left out.

use super::*;
use terrane_sdk::{NestedBlock, Nesting};
use terrane_types::{AttrPath, ModuleInstance, PathStep, ResourceAddr};

fn s(v: &str) -> Value {
    Value::string(v)
}

fn n(v: i64) -> Value {
    Value::from(v)
}

fn unk() -> Value {
    Value::Unknown(Type::String)
}

fn null() -> Value {
    Value::Null(Type::String)
}

fn obj<const N: usize>(attrs: [(&str, Value); N]) -> Value {
    Value::object(attrs)
}

fn map<const N: usize>(items: [(&str, Value); N]) -> Value {
    Value::map(items)
}

fn change(action: Action, before: Option<Value>, after: Option<Value>) -> ResourceChange {
    let resource = ResourceAddr {
        module: ModuleInstance::root(),
        mode: ResourceMode::Managed,
        type_name: "test_instance".into(),
        name: "example".into(),
    };
    ResourceChange {
        addr: resource.instance(None),
        prev_addr: None,
        deposed: None,
        provider: "provider[\"registry.terraform.io/hashicorp/test\"]".into(),
        action,
        reason: None,
        before,
        after,
        replace_paths: Vec::new(),
        importing: None,
        notes: Vec::new(),
    }
}

fn render(change: &ResourceChange, block: &Block) -> String {
    let renderer = Renderer {
        out: String::new(),
        color: false,
        columns: DEFAULT_COLUMNS,
    };
    let r = Rendered {
        change,
        diff: resource_diff(change, &|_| Some(block.clone())),
    };
    renderer.resource(&r, Cause::Change)
}

fn strings<const N: usize>(names: [&str; N]) -> Block {
    names.iter().fold(Block::new(), |b, name| {
        b.attr(name, Attribute::optional(Type::String))
    })
}

fn root_block_device(nesting: Nesting, plus: bool) -> Block {
    let mut inner = Block::new().attr("volume_type", Attribute::optional_computed(Type::String));
    if plus {
        inner = inner.attr("new_field", Attribute::optional(Type::String));
    }
    strings(["id", "ami"]).block("root_block_device", NestedBlock::new(nesting, inner))
}

fn attr_path(steps: &[PathStep]) -> AttrPath {
    AttrPath(steps.to_vec())
}

mod sensitive_and_unknown;

#[test]
fn creation_with_an_unknown_id() {
    let c = change(Action::Create, None, Some(obj([("id", unk())])));
    let block = Block::new().attr("id", Attribute::computed(Type::String));
    assert_eq!(
        render(&c, &block),
        r#"  # test_instance.example will be created
  + resource "test_instance" "example" {
      + id = (known after apply)
    }"#
    );
}

#[test]
fn creation_of_an_object_with_quoted_keys() {
    let t = Type::Object(
        [("unquoted", Type::String), ("quoted:key", Type::String)]
            .into_iter()
            .map(|(k, t)| (k.to_owned(), t))
            .collect(),
    );
    let block = Block::new().attr("object", Attribute::optional(t));
    let after = obj([(
        "object",
        obj([("unquoted", s("value")), ("quoted:key", s("some-value"))]),
    )]);
    let c = change(Action::Create, None, Some(after));
    assert_eq!(
        render(&c, &block),
        r#"  # test_instance.example will be created
  + resource "test_instance" "example" {
      + object = {
          + "quoted:key" = "some-value"
          + unquoted     = "value"
        }
    }"#
    );
}

#[test]
fn deletion_of_a_deposed_object_aligns_with_hidden_empty_strings() {
    let block = strings(["id", "intentionally_long"]);
    let before = obj([
        ("id", s("i-02ae66f368e8518a9")),
        ("intentionally_long", s("")),
    ]);
    let mut c = change(Action::Delete, Some(before), None);
    assert_eq!(
        render(&c, &block),
        r#"  # test_instance.example will be destroyed
  - resource "test_instance" "example" {
      - id                 = "i-02ae66f368e8518a9" -> null
        # (1 unchanged attribute hidden)
    }"#
    );
    c.deposed = Some("byebye".into());
    c.before = Some(obj([("id", s("i-02ae66f368e8518a9"))]));
    assert_eq!(
        render(&c, &block),
        r#"  # test_instance.example (deposed object byebye) will be destroyed
  # (left over from a partially-failed replacement of this instance)
  - resource "test_instance" "example" {
      - id = "i-02ae66f368e8518a9" -> null
    }"#
    );
}

#[test]
fn update_with_a_quoted_key_and_a_forced_replacement() {
    let block = strings(["id", "saml:aud", "zeta"]);
    let before = obj([
        ("id", s("i-02ae66f368e8518a9")),
        ("saml:aud", s("https://example.com/saml")),
        ("zeta", s("alpha")),
    ]);
    let mut after = before.clone();
    if let Value::Object(m) = &mut after {
        m.insert("saml:aud".into(), s("https://saml.example.com"));
    }
    let c = change(Action::Update, Some(before), Some(after));
    assert_eq!(
        render(&c, &block),
        r#"  # test_instance.example will be updated in-place
  ~ resource "test_instance" "example" {
        id         = "i-02ae66f368e8518a9"
      ~ "saml:aud" = "https://example.com/saml" -> "https://saml.example.com"
        # (1 unchanged attribute hidden)
    }"#
    );

    let block = strings(["id", "ami"]);
    let before = obj([("id", s("i-02ae66f368e8518a9")), ("ami", s("ami-BEFORE"))]);
    let after = obj([("id", unk()), ("ami", s("ami-AFTER"))]);
    let mut c = change(Action::DeleteThenCreate, Some(before), Some(after));
    c.reason = Some(ActionReason::ReplaceBecauseTainted);
    c.replace_paths = vec![AttrPath::attr("ami")];
    assert_eq!(
        render(&c, &block),
        r#"  # test_instance.example is tainted, so must be replaced
-/+ resource "test_instance" "example" {
      ~ ami = "ami-BEFORE" -> "ami-AFTER" # forces replacement
      ~ id  = "i-02ae66f368e8518a9" -> (known after apply)
    }"#
    );
}

#[test]
fn legacy_empty_strings_are_nulls_but_not_in_non_legacy_schemas() {
    let block = strings(["id", "ami", "unchanged", "empty"]);
    let before = obj([
        ("id", s("i-02ae66f368e8518a9")),
        ("ami", s("ami-BEFORE")),
        ("unchanged", null()),
        ("empty", s("")),
    ]);
    let after = obj([
        ("id", s("i-02ae66f368e8518a9")),
        ("ami", s("ami-AFTER")),
        ("unchanged", null()),
        ("empty", null()),
    ]);
    let c = change(Action::Update, Some(before), Some(after));
    assert_eq!(
        render(&c, &block),
        r#"  # test_instance.example will be updated in-place
  ~ resource "test_instance" "example" {
      ~ ami   = "ami-BEFORE" -> "ami-AFTER"
        id    = "i-02ae66f368e8518a9"
        # (1 unchanged attribute hidden)
    }"#
    );

    let block = strings(["id", "to_null"]).attr("from_null", Attribute::optional(Type::Dynamic));
    let before = obj([
        ("id", s("i-02ae66f368e8518a9")),
        ("from_null", null()),
        ("to_null", s("")),
    ]);
    let after = obj([
        ("id", s("i-02ae66f368e8518a9")),
        ("from_null", s("")),
        ("to_null", null()),
    ]);
    let c = change(Action::Update, Some(before), Some(after));
    assert_eq!(
        render(&c, &block),
        r#"  # test_instance.example will be updated in-place
  ~ resource "test_instance" "example" {
      + from_null = ""
        id        = "i-02ae66f368e8518a9"
      - to_null   = "" -> null
    }"#
    );
}

#[test]
fn multi_line_strings_are_diffed_line_by_line() {
    let block = strings(["id", "more_lines"]);
    let before = obj([
        ("id", s("i-02ae66f368e8518a9")),
        ("more_lines", s("original\nlong\nmulti-line\nstring\nfield")),
    ]);
    let after = obj([
        ("id", unk()),
        (
            "more_lines",
            s("original\nextremely long\nmulti-line\nstring\nfield"),
        ),
    ]);
    let c = change(Action::Update, Some(before), Some(after));
    assert_eq!(
        render(&c, &block),
        r#"  # test_instance.example will be updated in-place
  ~ resource "test_instance" "example" {
      ~ id         = "i-02ae66f368e8518a9" -> (known after apply)
      ~ more_lines = <<-EOT
            original
          - long
          + extremely long
            multi-line
            string
            field
        EOT
    }"#
    );

    let before = obj([
        ("id", s("i-02ae66f368e8518a9")),
        ("more_lines", s("original")),
    ]);
    let after = obj([("id", unk()), ("more_lines", s("original\nnew line"))]);
    let mut c = change(Action::DeleteThenCreate, Some(before), Some(after));
    c.replace_paths = vec![AttrPath::attr("more_lines")];
    assert_eq!(
        render(&c, &block),
        r#"  # test_instance.example must be replaced
-/+ resource "test_instance" "example" {
      ~ id         = "i-02ae66f368e8518a9" -> (known after apply)
      ~ more_lines = <<-EOT # forces replacement
            original
          + new line
        EOT
    }"#
    );
}

#[test]
fn schema_sensitive_attributes_are_hidden() {
    let block = Block::new()
        .attr("id", Attribute::computed(Type::String))
        .attr("str", Attribute::optional(Type::String))
        .attr("password", Attribute::optional(Type::String).sensitive());
    let before = obj([
        ("id", s("blah")),
        ("str", s("before")),
        ("password", s("top-secret")),
    ]);
    let after = obj([
        ("id", unk()),
        ("str", s("after")),
        ("password", s("top-secret")),
    ]);
    let c = change(Action::Update, Some(before), Some(after.clone()));
    assert_eq!(
        render(&c, &block),
        r#"  # test_instance.example will be updated in-place
  ~ resource "test_instance" "example" {
      ~ id       = "blah" -> (known after apply)
      ~ str      = "before" -> "after"
        # (1 unchanged attribute hidden)
    }"#
    );
    let c = change(Action::Create, None, Some(after));
    assert_eq!(
        render(&c, &block),
        r#"  # test_instance.example will be created
  + resource "test_instance" "example" {
      + id       = (known after apply)
      + password = (sensitive value)
      + str      = "after"
    }"#
    );
}

#[test]
fn identifying_attributes_are_always_shown() {
    let block = strings(["id", "ami", "bar", "foo", "name"])
        .attr("tags", Attribute::optional(Type::map(Type::String)));
    let before = obj([
        ("id", s("i-02ae66f368e8518a9")),
        ("ami", s("ami-BEFORE")),
        ("bar", s("bar")),
        ("foo", s("foo")),
        ("name", s("alice")),
        ("tags", map([("name", s("bob"))])),
    ]);
    let mut after = before.clone();
    if let Value::Object(m) = &mut after {
        m.insert("ami".into(), s("ami-AFTER"));
    }
    let c = change(Action::Update, Some(before), Some(after));
    assert_eq!(
        render(&c, &block),
        r#"  # test_instance.example will be updated in-place
  ~ resource "test_instance" "example" {
      ~ ami  = "ami-BEFORE" -> "ami-AFTER"
        id   = "i-02ae66f368e8518a9"
        name = "alice"
        tags = {
            "name" = "bob"
        }
        # (2 unchanged attributes hidden)
    }"#
    );
}

#[test]
fn json_strings_are_diffed_as_jsonencode() {
    let block = strings(["id", "json_field"]);
    let after = obj([
        ("id", unk()),
        (
            "json_field",
            s(r#"{
					"str": "value",
					"list":["a","b", 234, true],
					"obj": {"key": "val"}
				}"#),
        ),
    ]);
    let c = change(Action::Create, None, Some(after));
    assert_eq!(
        render(&c, &block),
        r#"  # test_instance.example will be created
  + resource "test_instance" "example" {
      + id         = (known after apply)
      + json_field = jsonencode(
            {
              + list = [
                  + "a",
                  + "b",
                  + 234,
                  + true,
                ]
              + obj  = {
                  + key = "val"
                }
              + str  = "value"
            }
        )
    }"#
    );

    let before = obj([
        ("id", s("i-02ae66f368e8518a9")),
        ("json_field", s(r#"{"aaa": "value", "c:c": "old_value"}"#)),
    ]);
    let after = obj([
        ("id", unk()),
        ("json_field", s(r#"{"aaa": "value", "b:bb": "new_value"}"#)),
    ]);
    let c = change(Action::Update, Some(before), Some(after));
    assert_eq!(
        render(&c, &block),
        r#"  # test_instance.example will be updated in-place
  ~ resource "test_instance" "example" {
      ~ id         = "i-02ae66f368e8518a9" -> (known after apply)
      ~ json_field = jsonencode(
          ~ {
              + "b:bb" = "new_value"
              - "c:c"  = "old_value"
                # (1 unchanged attribute hidden)
            }
        )
    }"#
    );
}

#[test]
fn lists_show_the_neighbours_of_changes() {
    let block =
        strings(["id", "ami"]).attr("list_field", Attribute::optional(Type::list(Type::String)));
    let list = |items: &[&str]| Value::List(items.iter().map(|i| s(i)).collect());
    let before = obj([
        ("id", s("i-02ae66f368e8518a9")),
        ("ami", s("ami-STATIC")),
        (
            "list_field",
            list(&["aaaa", "bbbb", "dddd", "eeee", "ffff"]),
        ),
    ]);
    let after = obj([
        ("id", unk()),
        ("ami", s("ami-STATIC")),
        (
            "list_field",
            list(&["aaaa", "bbbb", "cccc", "dddd", "eeee", "ffff"]),
        ),
    ]);
    let c = change(Action::Update, Some(before), Some(after));
    assert_eq!(
        render(&c, &block),
        r#"  # test_instance.example will be updated in-place
  ~ resource "test_instance" "example" {
      ~ id         = "i-02ae66f368e8518a9" -> (known after apply)
      ~ list_field = [
            # (1 unchanged element hidden)
            "bbbb",
          + "cccc",
            "dddd",
            # (2 unchanged elements hidden)
        ]
        # (1 unchanged attribute hidden)
    }"#
    );
}

#[test]
fn maps_quote_and_align_their_keys() {
    let block =
        strings(["id", "ami"]).attr("map_field", Attribute::optional(Type::map(Type::String)));
    let before = obj([
        ("id", s("i-02ae66f368e8518a9")),
        ("ami", s("ami-STATIC")),
        ("map_field", Value::Null(Type::map(Type::String))),
    ]);
    let after = obj([
        ("id", unk()),
        ("ami", s("ami-STATIC")),
        (
            "map_field",
            map([("new-key", s("new-element")), ("be:ep", s("boop"))]),
        ),
    ]);
    let c = change(Action::Update, Some(before), Some(after));
    assert_eq!(
        render(&c, &block),
        r#"  # test_instance.example will be updated in-place
  ~ resource "test_instance" "example" {
      ~ id        = "i-02ae66f368e8518a9" -> (known after apply)
      + map_field = {
          + "be:ep"   = "boop"
          + "new-key" = "new-element"
        }
        # (1 unchanged attribute hidden)
    }"#
    );
}

#[test]
fn nested_list_blocks() {
    let block = root_block_device(Nesting::List, false);
    let rbd = |v: Value| Value::List(vec![obj([("volume_type", v)])]);
    let before = obj([
        ("id", s("i-02ae66f368e8518a9")),
        ("ami", s("ami-BEFORE")),
        ("root_block_device", rbd(s("gp2"))),
    ]);
    let after = obj([
        ("id", s("i-02ae66f368e8518a9")),
        ("ami", s("ami-AFTER")),
        ("root_block_device", rbd(s("gp2"))),
    ]);
    let c = change(Action::Update, Some(before.clone()), Some(after));
    assert_eq!(
        render(&c, &block),
        r#"  # test_instance.example will be updated in-place
  ~ resource "test_instance" "example" {
      ~ ami = "ami-BEFORE" -> "ami-AFTER"
        id  = "i-02ae66f368e8518a9"

        # (1 unchanged block hidden)
    }"#
    );

    let after = obj([
        ("id", s("i-02ae66f368e8518a9")),
        ("ami", s("ami-AFTER")),
        ("root_block_device", rbd(s("different"))),
    ]);
    let mut c = change(Action::DeleteThenCreate, Some(before), Some(after));
    c.reason = Some(ActionReason::ReplaceBecauseCannotUpdate);
    c.replace_paths = vec![attr_path(&[
        PathStep::Attr("root_block_device".into()),
        PathStep::Index(0),
        PathStep::Attr("volume_type".into()),
    ])];
    assert_eq!(
        render(&c, &block),
        r#"  # test_instance.example must be replaced
-/+ resource "test_instance" "example" {
      ~ ami = "ami-BEFORE" -> "ami-AFTER"
        id  = "i-02ae66f368e8518a9"

      ~ root_block_device {
          ~ volume_type = "gp2" -> "different" # forces replacement
        }
    }"#
    );

    let before = obj([
        ("id", s("i-02ae66f368e8518a9")),
        ("ami", s("ami-BEFORE")),
        ("root_block_device", Value::List(vec![])),
    ]);
    let after = obj([
        ("id", s("i-02ae66f368e8518a9")),
        ("ami", s("ami-AFTER")),
        ("root_block_device", rbd(null())),
    ]);
    let c = change(Action::Update, Some(before), Some(after));
    assert_eq!(
        render(&c, &block),
        r#"  # test_instance.example will be updated in-place
  ~ resource "test_instance" "example" {
      ~ ami = "ami-BEFORE" -> "ami-AFTER"
        id  = "i-02ae66f368e8518a9"

      + root_block_device {}
    }"#
    );
}

#[test]
fn nested_set_blocks_are_replaced_whole() {
    let block = root_block_device(Nesting::Set, true);
    let before = obj([
        ("id", s("i-02ae66f368e8518a9")),
        ("ami", s("ami-BEFORE")),
        (
            "root_block_device",
            Value::set(vec![obj([
                ("volume_type", s("gp2")),
                ("new_field", null()),
            ])]),
        ),
    ]);
    let after = obj([
        ("id", s("i-02ae66f368e8518a9")),
        ("ami", s("ami-AFTER")),
        (
            "root_block_device",
            Value::set(vec![obj([
                ("volume_type", s("gp2")),
                ("new_field", s("new_value")),
            ])]),
        ),
    ]);
    let c = change(Action::Update, Some(before), Some(after));
    assert_eq!(
        render(&c, &block),
        r#"  # test_instance.example will be updated in-place
  ~ resource "test_instance" "example" {
      ~ ami = "ami-BEFORE" -> "ami-AFTER"
        id  = "i-02ae66f368e8518a9"

      - root_block_device {
          - volume_type = "gp2" -> null
        }
      + root_block_device {
          + new_field   = "new_value"
          + volume_type = "gp2"
        }
    }"#
    );

    let after = obj([
        ("id", s("i-02ae66f368e8518a9")),
        ("ami", s("ami-AFTER")),
        ("root_block_device", Value::Unknown(Type::Dynamic)),
    ]);
    let c = change(Action::Create, None, Some(after));
    assert_eq!(
        render(&c, &block),
        r#"  # test_instance.example will be created
  + resource "test_instance" "example" {
      + ami = "ami-AFTER"
      + id  = "i-02ae66f368e8518a9"

      + root_block_device (known after apply)
    }"#
    );
}

#[test]
fn delete_reasons_and_empty_bodies() {
    let empty = Block::new();
    let mut c = change(Action::Delete, Some(obj([])), None);
    c.addr.key = Some(InstanceKey::Str("boop".into()));
    c.reason = Some(ActionReason::DeleteBecauseEachKey);
    assert_eq!(
        render(&c, &empty),
        r#"  # test_instance.example["boop"] will be destroyed
  # (because key ["boop"] is not in for_each map)
  - resource "test_instance" "example" {}"#
    );
    c.addr.key = Some(InstanceKey::Int(1));
    c.reason = Some(ActionReason::DeleteBecauseWrongRepetition);
    assert_eq!(
        render(&c, &empty),
        r#"  # test_instance.example[1] will be destroyed
  # (because resource does not use count)
  - resource "test_instance" "example" {}"#
    );
    c.addr.key = None;
    c.addr.resource.module = ModuleInstance::root().child("foo", Some(InstanceKey::Int(1)));
    c.reason = Some(ActionReason::DeleteBecauseNoModule);
    assert_eq!(
        render(&c, &empty),
        r#"  # module.foo[1].test_instance.example will be destroyed
  # (because module.foo[1] is not in configuration)
  - resource "test_instance" "example" {}"#
    );
    let mut c = change(Action::CreateThenDelete, Some(obj([])), Some(obj([])));
    c.reason = Some(ActionReason::ReplaceByRequest);
    assert_eq!(
        render(&c, &empty),
        r#"  # test_instance.example will be replaced, as requested
+/- resource "test_instance" "example" {}"#
    );
}

#[test]
fn moved_and_imported_resources() {
    let block = strings(["id", "foo", "bar"]);
    let before = obj([("id", s("12345")), ("foo", s("hello")), ("bar", s("baz"))]);
    let mut c = change(Action::NoOp, Some(before.clone()), Some(before.clone()));
    let mut prev = c.addr.clone();
    prev.resource.name = "previous".into();
    c.prev_addr = Some(prev);
    assert_eq!(
        render(&c, &block),
        r#"  # test_instance.previous has moved to test_instance.example
    resource "test_instance" "example" {
        id  = "12345"
        # (2 unchanged attributes hidden)
    }"#
    );
    let mut after = before.clone();
    if let Value::Object(m) = &mut after {
        m.insert("bar".into(), s("boop"));
    }
    c.action = Action::Update;
    c.after = Some(after);
    c.importing = Some("12345".into());
    assert_eq!(
        render(&c, &block),
        r#"  # test_instance.example will be updated in-place
  # (moved from test_instance.previous)
  # (imported from "12345")
  ~ resource "test_instance" "example" {
      ~ bar = "baz" -> "boop"
        foo = "hello"
        id  = "12345"
    }"#
    );
}

#[test]
fn output_changes_as_terraform_prints_them() {
    let out =
        |name: &str, before: Option<Value>, after: Option<Value>, sensitive: bool| OutputChange {
            name: name.into(),
            action: Action::Update,
            before,
            after,
            sensitive,
        };
    let renderer = Renderer {
        out: String::new(),
        color: false,
        columns: DEFAULT_COLUMNS,
    };
    let show = |outputs: Vec<OutputChange>| {
        let diffs: Vec<_> = outputs.iter().map(|o| (o, output_change_diff(o))).collect();
        renderer.outputs(&diffs)
    };
    assert_eq!(
        show(vec![out("foo", None, Some(s("bar")), false)]),
        r#"  + foo = "bar""#
    );
    assert_eq!(
        show(vec![out("foo", Some(s("bar")), None, false)]),
        r#"  - foo = "bar" -> null"#
    );
    let list = |items: &[&str]| Value::List(items.iter().map(|i| s(i)).collect());
    assert_eq!(
        show(vec![out(
            "foo",
            Some(list(&["alpha", "beta", "delta", "epsilon"])),
            Some(list(&["alpha", "beta", "gamma", "delta", "epsilon"])),
            false
        )]),
        r#"  ~ foo = [
        # (1 unchanged element hidden)
        "beta",
      + "gamma",
        "delta",
        # (1 unchanged element hidden)
    ]"#
    );
    assert_eq!(
        show(vec![
            out("a", Some(n(1)), Some(n(2)), false),
            out(
                "b",
                Some(s("hunter2")),
                Some(s("correct-horse-battery-staple")),
                true
            ),
            out(
                "c",
                Some(Value::Bool(false)),
                Some(Value::Bool(true)),
                false
            ),
        ]),
        "  ~ a = 1 -> 2\n  ~ b = (sensitive value)\n  ~ c = false -> true"
    );
}
