//! Terraform's cases for sensitive values and for blocks that become unknown.

use super::*;

fn sensitive_schema(block_name: &str, nested: &[&str]) -> Block {
    let attrs = |names: &[&str]| {
        names.iter().fold(Block::new(), |b, n| {
            b.attr(n, Attribute::optional(Type::String))
        })
    };
    Block::new()
        .attr("id", Attribute::optional_computed(Type::String))
        .attr("ami", Attribute::optional(Type::String))
        .attr("map_whole", Attribute::optional(Type::map(Type::String)))
        .attr("map_key", Attribute::optional(Type::map(Type::Number)))
        .attr("list_field", Attribute::optional(Type::list(Type::String)))
        .attr("special", Attribute::optional(Type::Bool))
        .attr("some_number", Attribute::optional(Type::Number))
        .block(block_name, NestedBlock::new(Nesting::List, attrs(nested)))
        .block(
            "nested_block_set",
            NestedBlock::new(Nesting::Set, attrs(nested)),
        )
}

#[test]
fn sensitive_values_at_any_depth_on_creation() {
    let block = sensitive_schema("nested_block_list", &["an_attr", "another"]);
    let inner = || {
        Value::List(vec![obj([
            ("an_attr", s("secretval")),
            ("another", s("not secret")),
        ])])
        .mark_sensitive()
    };
    let after = obj([
        ("id", s("i-02ae66f368e8518a9")),
        ("ami", s("ami-123").mark_sensitive()),
        (
            "map_key",
            map([("breakfast", n(800)), ("dinner", n(2000).mark_sensitive())]),
        ),
        (
            "map_whole",
            map([("breakfast", s("pizza")), ("dinner", s("pizza"))]).mark_sensitive(),
        ),
        (
            "list_field",
            Value::List(vec![s("hello"), s("friends").mark_sensitive(), s("!")]),
        ),
        ("nested_block_list", inner()),
        ("nested_block_set", inner()),
    ]);
    let c = change(Action::Create, None, Some(after));
    assert_eq!(
        render(&c, &block),
        r#"  # test_instance.example will be created
  + resource "test_instance" "example" {
      + ami        = (sensitive value)
      + id         = "i-02ae66f368e8518a9"
      + list_field = [
          + "hello",
          + (sensitive value),
          + "!",
        ]
      + map_key    = {
          + "breakfast" = 800
          + "dinner"    = (sensitive value)
        }
      + map_whole  = (sensitive value)

      + nested_block_list {
          # At least one attribute in this block is (or was) sensitive,
          # so its contents will not be displayed.
        }

      + nested_block_set {
          # At least one attribute in this block is (or was) sensitive,
          # so its contents will not be displayed.
        }
    }"#
    );
}

#[test]
fn values_no_longer_sensitive_are_warned_about() {
    let block = sensitive_schema("nested_block", &["an_attr"]);
    let blocks = |v: &str| Value::List(vec![obj([("an_attr", s(v))])]);
    let before = obj([
        ("id", s("i-02ae66f368e8518a9")),
        ("ami", s("ami-BEFORE").mark_sensitive()),
        ("special", Value::Bool(true).mark_sensitive()),
        ("some_number", n(1).mark_sensitive()),
        (
            "list_field",
            Value::List(vec![s("hello"), s("friends"), s("!").mark_sensitive()]),
        ),
        (
            "map_key",
            map([("breakfast", n(800)), ("dinner", n(2000).mark_sensitive())]),
        ),
        (
            "map_whole",
            map([("breakfast", s("pizza")), ("dinner", s("pizza"))]).mark_sensitive(),
        ),
        ("nested_block", blocks("secretval").mark_sensitive()),
        ("nested_block_set", blocks("secretval").mark_sensitive()),
    ]);
    let after = obj([
        ("id", s("i-02ae66f368e8518a9")),
        ("ami", s("ami-AFTER")),
        ("special", Value::Bool(false)),
        ("some_number", n(2)),
        (
            "list_field",
            Value::List(vec![s("hello"), s("friends"), s(".")]),
        ),
        ("map_key", map([("breakfast", n(800)), ("dinner", n(1900))])),
        (
            "map_whole",
            map([("breakfast", s("cereal")), ("dinner", s("pizza"))]),
        ),
        ("nested_block", blocks("changed")),
        ("nested_block_set", blocks("changed")),
    ]);
    let c = change(Action::Update, Some(before), Some(after));
    assert_eq!(
        render(&c, &block),
        r#"  # test_instance.example will be updated in-place
  ~ resource "test_instance" "example" {
      # Warning: this attribute value will no longer be marked as sensitive
      # after applying this change.
      ~ ami         = (sensitive value)
        id          = "i-02ae66f368e8518a9"
      ~ list_field  = [
            # (1 unchanged element hidden)
            "friends",
          # Warning: this attribute value will no longer be marked as sensitive
          # after applying this change.
          ~ (sensitive value),
        ]
      ~ map_key     = {
          # Warning: this attribute value will no longer be marked as sensitive
          # after applying this change.
          ~ "dinner"    = (sensitive value)
            # (1 unchanged element hidden)
        }
      # Warning: this attribute value will no longer be marked as sensitive
      # after applying this change.
      ~ map_whole   = (sensitive value)
      # Warning: this attribute value will no longer be marked as sensitive
      # after applying this change.
      ~ some_number = (sensitive value)
      # Warning: this attribute value will no longer be marked as sensitive
      # after applying this change.
      ~ special     = (sensitive value)

      # Warning: this block will no longer be marked as sensitive
      # after applying this change.
      ~ nested_block {
          # At least one attribute in this block is (or was) sensitive,
          # so its contents will not be displayed.
        }

      - nested_block_set {
          # At least one attribute in this block is (or was) sensitive,
          # so its contents will not be displayed.
        }
      + nested_block_set {
          + an_attr = "changed"
        }
    }"#
    );
}

#[test]
fn blocks_becoming_unknown_show_their_old_contents() {
    let rbd = |t: &str| obj([("volume_type", s(t)), ("new_field", s("new_value"))]);
    let before = |blocks: Value| {
        obj([
            ("id", s("i-02ae66f368e8518a9")),
            ("ami", s("ami-BEFORE")),
            ("root_block_device", blocks),
        ])
    };
    let after = obj([
        ("id", s("i-02ae66f368e8518a9")),
        ("ami", s("ami-AFTER")),
        ("root_block_device", Value::Unknown(Type::Dynamic)),
    ]);
    let block = root_block_device(Nesting::List, true);
    let list = Value::List(vec![rbd("gp1"), rbd("gp2")]);
    let c = change(Action::Update, Some(before(list)), Some(after.clone()));
    assert_eq!(
        render(&c, &block),
        r#"  # test_instance.example will be updated in-place
  ~ resource "test_instance" "example" {
      ~ ami = "ami-BEFORE" -> "ami-AFTER"
        id  = "i-02ae66f368e8518a9"

      ~ root_block_device (known after apply)
      - root_block_device {
          - new_field   = "new_value" -> null
          - volume_type = "gp1" -> null
        }
      - root_block_device {
          - new_field   = "new_value" -> null
          - volume_type = "gp2" -> null
        }
    }"#
    );

    let block = root_block_device(Nesting::Single, true);
    let mut c = change(
        Action::CreateThenDelete,
        Some(before(rbd("gp1"))),
        Some(after),
    );
    c.replace_paths =
        vec![AttrPath::attr("root_block_device").then(PathStep::Attr("volume_type".into()))];
    assert_eq!(
        render(&c, &block),
        r#"  # test_instance.example must be replaced
+/- resource "test_instance" "example" {
      ~ ami = "ami-BEFORE" -> "ami-AFTER"
        id  = "i-02ae66f368e8518a9"

      ~ root_block_device {
          ~ new_field   = "new_value" -> (known after apply)
          ~ volume_type = "gp1" -> (known after apply) # forces replacement
        } -> (known after apply)
    }"#
    );
}
