use super::*;
use crate::module::{IgnoreChanges, Module};
use terrane_lang::ast::Traverser;
use terrane_lang::typeexpr::Constraint;

const FILE: FileId = FileId(7);

fn parse(src: &str) -> (Option<Body>, Diagnostics) {
    let mut diags = Diagnostics::new();
    let body = parse_body(src, FILE, &mut diags);
    (body, diags)
}

/// Parses a file that must produce no diagnostics.
fn body(src: &str) -> Body {
    let (body, diags) = parse(src);
    assert!(diags.is_empty(), "unexpected diagnostics: {diags:?}");
    body.expect("a body")
}

/// Parses a file that must produce exactly one diagnostic.
fn one_error(src: &str) -> (Option<Body>, Diagnostic) {
    let (body, diags) = parse(src);
    assert_eq!(diags.len(), 1, "expected one diagnostic, got {diags:?}");
    (body, diags.0.into_iter().next().expect("one diagnostic"))
}

fn syntax_error(src: &str) -> Diagnostic {
    let (body, d) = one_error(src);
    assert!(body.is_none());
    d
}

/// The source text a span covers.
fn text(src: &str, span: Span) -> &str {
    assert_eq!(span.file, FILE);
    &src[span.range()]
}

fn module(src: &str) -> (Module, Diagnostics) {
    let mut diags = Diagnostics::new();
    let body = parse_body(src, FILE, &mut diags).expect("a body");
    let mut m = Module::default();
    m.add_file(FILE, body, &mut diags);
    (m, diags)
}

fn string(e: &Expr) -> &str {
    match &e.kind {
        ExprKind::Literal(Value::String(s)) => s,
        other => panic!("not a literal string: {other:?}"),
    }
}

fn object_keys(e: &Expr) -> Vec<String> {
    let ExprKind::Object(items) = &e.kind else {
        panic!("not an object: {e:?}")
    };
    items
        .iter()
        .map(|(k, _)| match k {
            ObjectKey::Expr(e) => string(e).to_owned(),
            ObjectKey::Ident(i) => i.name.clone(),
        })
        .collect()
}

fn traversal_text(e: &Expr) -> String {
    let (root, ops) = e.as_static_traversal().expect("a static traversal");
    let mut s = root.name;
    for op in ops {
        match op {
            Traverser::Attr(a) => s.push_str(&format!(".{}", a.name)),
            other => panic!("unexpected traverser {other:?}"),
        }
    }
    s
}

#[test]
fn a_resource_is_a_block_with_two_labels_whose_object_values_stay_arguments() {
    let src = r#"{
  "resource": {
    "aws_instance": {
      "web": {
        "ami": "ami-123",
        "count": 2,
        "tags": {"Name": "web", "Env": {"nested": [1, true, null]}}
      }
    }
  }
}"#;
    let b = body(src);
    assert!(b.attributes.is_empty());
    let [block] = b.blocks.as_slice() else {
        panic!("{:?}", b.blocks)
    };
    assert_eq!(block.kind, "resource");
    assert_eq!(text(src, block.kind_span), "\"resource\"");
    let labels: Vec<&str> = block.labels.iter().map(|l| l.value.as_str()).collect();
    assert_eq!(labels, ["aws_instance", "web"]);
    assert_eq!(text(src, block.labels[1].span), "\"web\"");
    assert!(text(src, block.span).starts_with("{\n        \"ami\""));
    assert_eq!(block.span, block.body.span);

    let ami = &block.body.attributes["ami"];
    assert_eq!(string(&ami.expr), "ami-123");
    assert_eq!(text(src, ami.name_span), "\"ami\"");
    assert_eq!(text(src, ami.span), "\"ami\": \"ami-123\"");
    let count = &block.body.attributes["count"];
    assert_eq!(
        count.expr.kind,
        ExprKind::Literal(Value::Number(Number::from_i64(2)))
    );

    let tags = &block.body.attributes["tags"].expr;
    assert_eq!(object_keys(tags), ["Name", "Env"]);
    let ExprKind::Object(items) = &tags.kind else {
        unreachable!()
    };
    let ExprKind::Object(inner) = &items[1].1.kind else {
        panic!()
    };
    let ExprKind::Tuple(list) = &inner[0].1.kind else {
        panic!()
    };
    assert_eq!(list[1].kind, ExprKind::Literal(Value::Bool(true)));
    assert_eq!(list[2].kind, ExprKind::Literal(Value::null()));
    assert_eq!(text(src, list[0].span), "1");
}

#[test]
fn two_provider_blocks_with_the_same_name_are_written_as_an_array() {
    let src = r#"{"provider": {"aws": [
        {"region": "us-east-1"},
        {"alias": "west", "region": "us-west-2"}
    ]}}"#;
    let b = body(src);
    assert_eq!(b.blocks.len(), 2);
    for block in &b.blocks {
        assert_eq!(block.kind, "provider");
        assert_eq!(block.labels[0].value, "aws");
        assert_eq!(text(src, block.labels[0].span), "\"aws\"");
    }
    assert_eq!(text(src, b.blocks[0].span), r#"{"region": "us-east-1"}"#);
    let (m, diags) = module(src);
    assert!(diags.is_empty(), "{diags:?}");
    let aliases: Vec<Option<&str>> = m.providers.iter().map(|p| p.alias.as_deref()).collect();
    assert_eq!(aliases, [None, Some("west")]);
}

#[test]
fn locals_properties_are_attributes_and_their_strings_are_templates() {
    let src = r#"{"locals": {"greeting": "Hello, ${var.name}!", "plain": "x", "n": 1.50}}"#;
    let (m, diags) = module(src);
    assert!(diags.is_empty(), "{diags:?}");
    assert_eq!(
        m.locals.keys().collect::<Vec<_>>(),
        ["greeting", "plain", "n"]
    );
    assert!(matches!(
        m.locals["greeting"].expr.kind,
        ExprKind::Template(_)
    ));
    assert_eq!(string(&m.locals["plain"].expr), "x");
    assert_eq!(
        m.locals["n"].expr.kind,
        ExprKind::Literal(Value::Number(Number::parse("1.5").unwrap()))
    );
}

#[test]
fn a_variable_reads_type_as_an_expression_default_literally_and_validation_as_a_block() {
    let src = r#"{"variable": {"names": {
        "type": "list(string)",
        "default": ["${not_a_template}"],
        "description": "Names ${literally}",
        "validation": {
            "condition": "${length(var.names) > 0}",
            "error_message": "At least one name."
        }
    }}}"#;
    let (m, diags) = module(src);
    assert!(diags.is_empty(), "{diags:?}");
    let v = &m.variables["names"];
    assert_eq!(v.ty, Some(Constraint::List(Box::new(Constraint::String))));
    assert_eq!(text(src, v.type_span.unwrap()), "list(string)");
    assert_eq!(v.description.as_deref(), Some("Names ${literally}"));
    let ExprKind::Tuple(items) = &v.default.as_ref().unwrap().expr.kind else {
        panic!()
    };
    assert_eq!(string(&items[0]), "${not_a_template}");
    assert_eq!(v.validations.len(), 1);
    let cond = &v.validations[0].condition;
    let ExprKind::Template(t) = &cond.kind else {
        panic!("{cond:?}")
    };
    let inner = t.as_single_interpolation().expect("a single interpolation");
    assert_eq!(text(src, inner.span), "length(var.names) > 0");
}

#[test]
fn depends_on_and_provider_strings_are_parsed_as_references() {
    let src = r#"{"resource": {"aws_instance": {"web": {
        "provider": "aws.west",
        "depends_on": ["aws_vpc.main", "module.net"]
    }}}}"#;
    let (m, diags) = module(src);
    assert!(diags.is_empty(), "{diags:?}");
    let r = &m.resources["aws_instance.web"];
    let deps: Vec<String> = r.depends_on.iter().map(traversal_text).collect();
    assert_eq!(deps, ["aws_vpc.main", "module.net"]);
    assert_eq!(text(src, r.depends_on[0].span), "aws_vpc.main");
    let p = r.provider.as_ref().unwrap();
    assert_eq!((p.name.as_str(), p.alias.as_deref()), ("aws", Some("west")));
    assert_eq!(text(src, p.span), "aws.west");
    assert!(r.body.attributes.is_empty());
}

#[test]
fn comment_properties_are_ignored_in_bodies_but_kept_inside_object_values() {
    let src = r#"{
      "//": "generated by a tool",
      "resource": {"//": "no labels here", "null_resource": {"x": {
        "//": "a comment",
        "triggers": {"//": "a real key"}
      }}}
    }"#;
    let b = body(src);
    let [block] = b.blocks.as_slice() else {
        panic!("{:?}", b.blocks)
    };
    assert_eq!(block.labels[0].value, "null_resource");
    assert_eq!(
        block.body.attributes.keys().collect::<Vec<_>>(),
        ["triggers"]
    );
    assert_eq!(object_keys(&block.body.attributes["triggers"].expr), ["//"]);
}

#[test]
fn interpolations_in_strings_point_at_their_bytes_in_the_file() {
    let src = r#"{"output": {"o": {"value": "id=${aws_instance.web.id} ok"}}}"#;
    let b = body(src);
    let value = &b.blocks[0].body.attributes["value"].expr;
    assert_eq!(text(src, value.span), r#""id=${aws_instance.web.id} ok""#);
    let ExprKind::Template(t) = &value.kind else {
        panic!("{value:?}")
    };
    assert_eq!(t.parts[0], TemplatePart::Literal("id=".into()));
    let TemplatePart::Interpolation(e) = &t.parts[1] else {
        panic!("{t:?}")
    };
    assert_eq!(text(src, e.span), "aws_instance.web.id");
}

#[test]
fn interpolation_spans_stay_exact_after_escape_sequences() {
    let src = r#"{"locals": {"s": "\"q\" \u00e9 ${var.name}\n"}}"#;
    let b = body(src);
    let e = &b.blocks[0].body.attributes["s"].expr;
    let ExprKind::Template(t) = &e.kind else {
        panic!("{e:?}")
    };
    assert_eq!(t.parts[0], TemplatePart::Literal("\"q\" é ".into()));
    let TemplatePart::Interpolation(i) = &t.parts[1] else {
        panic!("{t:?}")
    };
    assert_eq!(text(src, i.span), "var.name");
    assert_eq!(t.parts[2], TemplatePart::Literal("\n".into()));
}

#[test]
fn a_single_interpolation_is_a_template_and_an_escaped_one_is_literal_text() {
    let src = r#"{"locals": {"a": "${var.x}", "b": "$${var.x}", "c": ""}}"#;
    let b = body(src);
    let attrs = &b.blocks[0].body.attributes;
    let ExprKind::Template(t) = &attrs["a"].expr.kind else {
        panic!()
    };
    assert!(t.as_single_interpolation().is_some());
    assert_eq!(string(&attrs["b"].expr), "${var.x}");
    assert_eq!(string(&attrs["c"].expr), "");
}

#[test]
fn template_syntax_errors_point_into_the_string() {
    let src = r#"{"locals": {"a": "${var.}"}}"#;
    let (body, d) = one_error(src);
    assert!(body.is_some());
    let span = d.span.unwrap();
    assert!(span.start >= 18 && span.end <= 26, "{d:?}");
}

#[test]
fn tfvars_json_strings_are_literal_even_with_interpolation_syntax() {
    let src = r#"{"//": "note", "name": "${not.a.ref}", "tags": {"k": "${x}"}, "n": 3}"#;
    let mut diags = Diagnostics::new();
    let b = parse_values(src, FILE, &mut diags).expect("a body");
    assert!(diags.is_empty(), "{diags:?}");
    assert_eq!(
        b.attributes.keys().collect::<Vec<_>>(),
        ["name", "tags", "n"]
    );
    assert_eq!(string(&b.attributes["name"].expr), "${not.a.ref}");
    let ExprKind::Object(items) = &b.attributes["tags"].expr.kind else {
        panic!()
    };
    assert_eq!(string(&items[0].1), "${x}");
    assert_eq!(text(src, b.attributes["n"].span), "\"n\": 3");
}

#[test]
fn a_tfvars_json_root_must_be_an_object() {
    let mut diags = Diagnostics::new();
    assert!(parse_values("[1]", FILE, &mut diags).is_none());
    assert_eq!(diags.0[0].summary, "Incorrect JSON value type");
    assert_eq!(diags.0[0].span, Some(Span::new(FILE, 0..1)));
}

#[test]
fn invalid_json_points_at_the_offending_byte() {
    let cases: &[(&str, &str, std::ops::Range<usize>)] = &[
        (r#"{"a": tru}"#, "Invalid JSON keyword", 6..9),
        (r#"{"a" 1}"#, "Missing property value colon", 5..6),
        (r#"{"a" = 1}"#, "Missing property value colon", 5..6),
        (r#"{"a": 1,}"#, "Trailing comma in object", 7..8),
        (r#"{"a": [1 2]}"#, "Missing array separator comma", 9..10),
        (r#"{"a": 01}"#, "Invalid JSON number", 6..8),
        (r#"{"a": "x\qy"}"#, "Invalid JSON string", 8..10),
        (r#"{"a": "\u12g4"}"#, "Invalid JSON string", 7..12),
        ("{\"a\": \"line\nbreak\"}", "Invalid JSON string", 11..12),
        (r#"{"a": "open"#, "Invalid JSON string", 6..7),
        (r#"{"a": 1"#, "Unclosed object", 0..1),
        (r#"{a: 1}"#, "Invalid object property name", 1..2),
        (r#"{"a": 1} x"#, "Extraneous data after value", 9..10),
        ("", "Missing value", 0..0),
        ("{\"a\": é}", "Invalid start of value", 6..8),
        (r#"{"a": [1}"#, "Mismatched brackets", 8..9),
    ];
    for (src, summary, at) in cases {
        let d = syntax_error(src);
        assert_eq!(d.summary, *summary, "for {src:?}: {d:?}");
        assert_eq!(
            d.span,
            Some(Span::new(FILE, at.clone())),
            "for {src:?}: {d:?}"
        );
        assert!(!d.detail.is_empty());
    }
}

#[test]
fn the_root_must_be_an_object() {
    let d = syntax_error(r#""resource""#);
    assert_eq!(d.summary, "Incorrect JSON value type");
    assert_eq!(d.span, Some(Span::new(FILE, 0..10)));
    assert!(d.detail.contains("root"), "{d:?}");
}

#[test]
fn a_root_array_of_objects_is_merged_as_hcl_allows() {
    let b = body(r#"[{"variable": {"a": {}}}, {"variable": {"b": {}}}]"#);
    let names: Vec<&str> = b
        .blocks
        .iter()
        .map(|b| b.labels[0].value.as_str())
        .collect();
    assert_eq!(names, ["a", "b"]);
}

#[test]
fn a_duplicate_argument_is_reported_at_its_second_name() {
    let src = r#"{"output": {"o": {"value": 1, "value": 2}}}"#;
    let (body, d) = one_error(src);
    assert_eq!(d.summary, "Duplicate argument");
    assert_eq!(text(src, d.span.unwrap()), "\"value\"");
    assert_eq!(d.span.unwrap().start, 30);
    assert_eq!(d.labels[0].0.start, 18);
    let attrs = &body.unwrap().blocks[0].body.attributes;
    assert_eq!(
        attrs["value"].expr.kind,
        ExprKind::Literal(Value::Number(Number::from_i64(1)))
    );

    let src = r#"{"locals": {"a": 1, "a": 2}}"#;
    let (_, d) = one_error(src);
    assert_eq!(d.summary, "Duplicate attribute definition");
    assert_eq!(d.span, Some(Span::new(FILE, 20..23)));
}

#[test]
fn a_label_level_that_is_not_an_object_is_an_error_with_the_expected_nesting() {
    let src = r#"{"resource": {"aws_instance": "x"}}"#;
    let (body, d) = one_error(src);
    assert!(body.unwrap().blocks.is_empty());
    assert_eq!(d.summary, "Incorrect JSON value type");
    assert_eq!(text(src, d.span.unwrap()), "\"x\"");
    assert!(d.detail.contains("name labels"), "{d:?}");
    assert!(
        d.hint
            .as_deref()
            .unwrap()
            .contains(r#""resource": {"<type>": {"<name>""#),
        "{d:?}"
    );

    let src = r#"{"variable": {}}"#;
    let (_, d) = one_error(src);
    assert_eq!(d.summary, "Missing block label");
    assert_eq!(d.span, Some(Span::new(FILE, 13..14)));

    let src = r#"{"variable": {"x": 3}}"#;
    let (_, d) = one_error(src);
    assert_eq!(d.summary, "Incorrect JSON value type");
    assert_eq!(text(src, d.span.unwrap()), "3");
}

#[test]
fn lifecycle_and_nested_meta_blocks_are_blocks() {
    let src = r#"{"resource": {"aws_instance": {"web": {
        "lifecycle": {
            "ignore_changes": ["tags", "ami"],
            "replace_triggered_by": ["null_resource.x.id"],
            "precondition": [{"condition": "${true}", "error_message": "no"}]
        },
        "provisioner": [{"local-exec": {"command": "echo ${self.id}", "when": "destroy"}}],
        "connection": {"type": "ssh", "host": "${self.ip}"},
        "dynamic": {"ingress": {"for_each": "${var.rules}", "iterator": "rule",
            "content": {"port": "${rule.value}"}}}
    }}}}"#;
    let (m, diags) = module(src);
    assert!(diags.is_empty(), "{diags:?}");
    let r = &m.resources["aws_instance.web"];
    let IgnoreChanges::Paths(paths) = &r.lifecycle.ignore_changes else {
        panic!()
    };
    assert_eq!(
        paths.iter().map(traversal_text).collect::<Vec<_>>(),
        ["tags", "ami"]
    );
    assert_eq!(
        traversal_text(&r.lifecycle.replace_triggered_by[0]),
        "null_resource.x.id"
    );
    assert_eq!(r.lifecycle.preconditions.len(), 1);
    let kinds: Vec<&str> = r.body.blocks.iter().map(|b| b.kind.as_str()).collect();
    assert_eq!(kinds, ["provisioner", "connection", "dynamic"]);
    let prov = &r.body.blocks[0];
    assert_eq!(prov.labels[0].value, "local-exec");
    assert_eq!(
        prov.body.attributes["when"].expr.as_keyword(),
        Some("destroy")
    );
    assert_eq!(
        string(&r.body.blocks[1].body.attributes["type"].expr),
        "ssh"
    );
    let dynamic = &r.body.blocks[2];
    assert_eq!(dynamic.labels[0].value, "ingress");
    assert_eq!(
        dynamic.body.attributes["iterator"].expr.as_keyword(),
        Some("rule")
    );
    assert_eq!(dynamic.body.blocks[0].kind, "content");
}

#[test]
fn ignore_changes_all_is_a_literal_string() {
    let src = r#"{"resource": {"a_b": {"c": {"lifecycle": {"ignore_changes": "all"}}}}}"#;
    let (m, diags) = module(src);
    assert!(diags.is_empty(), "{diags:?}");
    assert!(matches!(
        m.resources["a_b.c"].lifecycle.ignore_changes,
        IgnoreChanges::All
    ));
}

#[test]
fn module_calls_read_source_literally_and_providers_as_expressions() {
    let src = r#"{"module": {"net": {
        "source": "./modules/${net}",
        "providers": {"aws": "aws.west", "aws.peer": "aws.east"},
        "cidr": "10.0.0.0/16"
    }}}"#;
    let (m, diags) = module(src);
    assert!(diags.is_empty(), "{diags:?}");
    let call = &m.module_calls["net"];
    assert_eq!(call.source, "./modules/${net}");
    let keys: Vec<String> = call
        .providers
        .iter()
        .map(|(k, _)| traversal_text(k))
        .collect();
    assert_eq!(keys, ["aws", "aws.peer"]);
    assert_eq!(traversal_text(&call.providers[1].1), "aws.east");
    assert_eq!(call.inputs.keys().collect::<Vec<_>>(), ["cidr"]);
}

#[test]
fn terraform_settings_are_literal_and_backend_takes_a_label() {
    let src = r#"{"terraform": {
        "required_version": ">= 1.5",
        "required_providers": {"aws": {"source": "hashicorp/aws", "version": "~> 5.0"}},
        "backend": {"s3": {"bucket": "state-${literal}"}}
    }}"#;
    let (m, diags) = module(src);
    assert!(diags.is_empty(), "{diags:?}");
    let rp = &m.terraform.required_providers["aws"];
    assert_eq!(
        (rp.source.as_str(), rp.version.as_deref()),
        ("hashicorp/aws", Some("~> 5.0"))
    );
    let backend = m.terraform.backend.as_ref().unwrap();
    assert_eq!(backend.kind, "s3");
    assert_eq!(
        string(&backend.body.attributes["bucket"].expr),
        "state-${literal}"
    );
}

#[test]
fn moved_import_and_check_blocks_map_to_their_native_forms() {
    let src = r#"{
      "moved": [{"from": "aws_instance.a", "to": "aws_instance.b"}],
      "import": {"to": "aws_instance.b", "id": "i-123", "provider": "aws.west"},
      "check": {"health": {
        "data": {"http": {"site": {"url": "https://example.com"}}},
        "assert": {"condition": "${data.http.site.status_code == 200}", "error_message": "down"}
      }}
    }"#;
    let (m, diags) = module(src);
    assert!(diags.is_empty(), "{diags:?}");
    assert_eq!(traversal_text(&m.moved[0].to), "aws_instance.b");
    assert_eq!(traversal_text(&m.imports[0].to), "aws_instance.b");
    assert_eq!(
        m.imports[0].provider.as_ref().unwrap().alias.as_deref(),
        Some("west")
    );
    let check = &m.checks[0];
    assert_eq!(check.name, "health");
    assert_eq!(check.data[0].address(), "data.http.site");
    assert_eq!(check.asserts.len(), 1);
}

#[test]
fn an_unknown_top_level_property_is_reported_as_an_unsupported_block_type() {
    let src = r#"{"resources": {"a": {"b": {}}}, "variable": {"v": {}}}"#;
    let (m, diags) = module(src);
    assert_eq!(diags.len(), 1, "{diags:?}");
    assert_eq!(diags.0[0].summary, "Unsupported block type");
    assert_eq!(text(src, diags.0[0].span.unwrap()), "\"resources\"");
    assert_eq!(
        diags.0[0].hint.as_deref(),
        Some("Did you mean \"resource\"?")
    );
    assert!(m.variables.contains_key("v"));
}

#[test]
fn numbers_keep_their_exact_value() {
    let b = body(r#"{"locals": {"big": 123456789012345678901234567890, "f": -0.1e-2}}"#);
    let attrs = &b.blocks[0].body.attributes;
    assert_eq!(
        attrs["big"].expr.kind,
        ExprKind::Literal(Value::Number(
            Number::parse("123456789012345678901234567890").unwrap()
        ))
    );
    assert_eq!(
        attrs["f"].expr.kind,
        ExprKind::Literal(Value::Number(Number::parse("-0.001").unwrap()))
    );
}

#[test]
fn surrogate_pairs_are_decoded_and_lone_surrogates_replaced() {
    let b = body(r#"{"locals": {"a": "\ud83d\ude00", "b": "\ud800x", "c": "\udc00\u0041"}}"#);
    let attrs = &b.blocks[0].body.attributes;
    assert_eq!(string(&attrs["a"].expr), "😀");
    assert_eq!(string(&attrs["b"].expr), "\u{fffd}x");
    assert_eq!(string(&attrs["c"].expr), "\u{fffd}A");
}

#[test]
fn deep_nesting_is_rejected_instead_of_overflowing_the_stack() {
    let src = "[".repeat(100_000);
    let d = syntax_error(&src);
    assert_eq!(d.summary, "Too deeply nested");
    let at = parser::MAX_DEPTH;
    assert_eq!(d.span, Some(Span::new(FILE, at..at + 1)));

    let ok = format!(
        "{{\"locals\": {{\"a\": {}{}}}}}",
        "[".repeat(100),
        "]".repeat(100)
    );
    body(&ok);
}

#[test]
fn no_input_makes_the_parser_panic() {
    let sample = r#"{"resource": {"a_b": {"c": {"x": "${var.y}\u00e9\n", "n": [1, -2.5e3, true, null],
        "lifecycle": {"ignore_changes": ["a"]}, "depends_on": ["a.b"]}}},
        "variable": {"v": {"type": "map(string)", "default": {"k": "\ud83d\ude00"}}}}"#;
    // Every prefix, and every single-byte corruption with a few interesting bytes.
    for end in 0..=sample.len() {
        if let Some(prefix) = sample.get(..end) {
            let _ = parse(prefix);
            let _ = parse_values(prefix, FILE, &mut Diagnostics::new());
        }
    }
    let bytes = sample.as_bytes();
    for i in 0..bytes.len() {
        for b in [
            b'"', b'\\', b'{', b'}', b'[', b']', b',', b':', b'$', b'u', b'0', 0xC3, 0x00,
        ] {
            let mut v = bytes.to_vec();
            v[i] = b;
            let text = String::from_utf8_lossy(&v);
            let _ = parse(&text);
            let _ = parse_values(&text, FILE, &mut Diagnostics::new());
        }
    }
    for src in [
        "\"\\u",
        "\"\\ud800\\u",
        "\"\\",
        "-",
        "1e",
        "\u{feff}{}",
        "{\"//\": {}}",
    ] {
        let _ = parse(src);
    }
    for n in [
        "1e999999999999999999999",
        "1e-9223372036854775808",
        "1e9223372036854775807",
        "-0e-0",
    ] {
        let _ = parse(&format!("{{\"locals\": {{\"n\": {n}}}}}"));
    }
}
