//! `.tf.json` and `.tfvars.json` files, loaded through the crate's public entry points.

use terrane_config::{RawInput, collect_inputs, load};
use terrane_lang::ast::ExprKind;
use terrane_types::{SourceMap, Value};

const MAIN: &str = r#"{
  "//": "Generated. Do not edit.",
  "terraform": {"required_providers": {"aws": {"source": "hashicorp/aws"}}},
  "provider": {"aws": [{"region": "us-east-1"}, {"alias": "west", "region": "us-west-2"}]},
  "variable": {
    "names": {"type": "list(string)", "default": []},
    "size": {"type": "number"}
  },
  "resource": {
    "aws_instance": {
      "web": {
        "count": "${length(var.names)}",
        "ami": "ami-123",
        "tags": {"Name": "web-${count.index}"},
        "provider": "aws.west",
        "depends_on": ["aws_security_group.sg"]
      }
    },
    "aws_security_group": {"sg": {"name": "sg"}}
  },
  "output": {"ids": {"value": "${aws_instance.web[*].id}"}}
}"#;

#[test]
fn a_json_module_loads_into_the_same_declarations_as_native_syntax() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("main.tf.json"), MAIN).unwrap();
    std::fs::write(
        dir.path().join("extra.tf"),
        "locals {\n  native = true\n}\n",
    )
    .unwrap();
    let mut sources = SourceMap::new();
    let (config, diags) = load(dir.path(), &mut sources);
    assert!(diags.is_empty(), "{diags:?}");
    let m = &config.root.module;
    assert_eq!(m.files.len(), 2);
    assert_eq!(
        m.resources.keys().collect::<Vec<_>>(),
        ["aws_instance.web", "aws_security_group.sg"]
    );
    let web = &m.resources["aws_instance.web"];
    assert!(web.count.is_some());
    assert_eq!(web.depends_on.len(), 1);
    assert_eq!(
        web.provider.as_ref().unwrap().alias.as_deref(),
        Some("west")
    );
    assert_eq!(
        web.body.attributes.keys().collect::<Vec<_>>(),
        ["ami", "tags"]
    );
    // The declaration spans the block type's property name to the last label's.
    let decl = sources.snippet(web.decl_span).unwrap();
    assert!(
        decl.starts_with("\"resource\"") && decl.ends_with("\"web\""),
        "{decl}"
    );
    let at = sources.location(web.span).unwrap();
    assert_eq!((at.line, at.column), (11, 14));
    assert!(at.path.ends_with("main.tf.json"));

    assert_eq!(m.variables.keys().collect::<Vec<_>>(), ["names", "size"]);
    assert!(m.variables["names"].ty.is_some());
    assert_eq!(m.providers.len(), 2);
    assert!(m.outputs.contains_key("ids"));
    assert!(m.locals.contains_key("native"));
    assert_eq!(
        m.terraform.required_providers["aws"].source,
        "hashicorp/aws"
    );
}

#[test]
fn a_syntax_error_in_a_json_file_points_at_its_line_and_column() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("main.tf.json"),
        "{\n  \"variable\": {\n    \"a\": {},\n  }\n}\n",
    )
    .unwrap();
    let mut sources = SourceMap::new();
    let (_, diags) = load(dir.path(), &mut sources);
    assert_eq!(diags.len(), 1, "{diags:?}");
    let d = &diags.0[0];
    assert_eq!(d.summary, "Trailing comma in object");
    let at = sources.location(d.span.unwrap()).unwrap();
    assert_eq!((at.line, at.column), (3, 12));
}

#[test]
fn tfvars_json_values_are_read_literally() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("terraform.tfvars.json"),
        r#"{"greeting": "hello ${name}", "undeclared": 1}"#,
    )
    .unwrap();
    let mut sources = SourceMap::new();
    let (values, diags) = collect_inputs(
        dir.path(),
        &[],
        Vec::new(),
        &|name| name == "greeting",
        &mut sources,
    );
    assert_eq!(diags.len(), 1, "{diags:?}");
    assert_eq!(diags.0[0].summary, "Value for undeclared variable");
    let RawInput::Expr(e) = &values["greeting"].raw else {
        panic!("not an expression")
    };
    assert_eq!(e.kind, ExprKind::Literal(Value::string("hello ${name}")));
}
