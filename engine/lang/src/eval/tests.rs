use super::*;
use crate::syntax::parse_expr;
use terrane_types::{FileId, Number};

fn scope() -> BTreeMap<String, Value> {
    let mut s = BTreeMap::new();
    s.insert(
        "var".into(),
        Value::object([
            ("name", Value::from("web")),
            ("count", Value::from(3)),
            (
                "tags",
                Value::map([("env", Value::from("prod")), ("team", Value::from("ops"))]),
            ),
            ("secret", Value::from("hunter2").mark_sensitive()),
            ("pending", Value::Unknown(Type::String)),
            ("nothing", Value::null()),
            ("ids", Value::List(vec!["a".into(), "b".into(), "c".into()])),
            (
                "servers",
                Value::Tuple(vec![
                    Value::object([("id", Value::from("i-1")), ("port", Value::from(80))]),
                    Value::object([("id", Value::from("i-2")), ("port", Value::from(443))]),
                ]),
            ),
            ("ports", Value::set(vec![Value::from(22), Value::from(80)])),
        ]),
    );
    s
}

fn eval(src: &str) -> EvalResult {
    let s = scope();
    let e = parse_expr(src, FileId(0), 0)?;
    EvalCtx::new(&s, Path::new(".")).eval(&e)
}

fn ok(src: &str) -> Value {
    match eval(src) {
        Ok(v) => v,
        Err(d) => panic!("{src}: {d}"),
    }
}

fn err(src: &str) -> Diagnostic {
    match eval(src) {
        Ok(v) => panic!("{src} evaluated to {v:?}, expected an error"),
        Err(d) => d,
    }
}

fn num(s: &str) -> Value {
    Value::Number(Number::parse(s).unwrap())
}

#[test]
fn arithmetic_is_decimal_exact() {
    assert_eq!(ok("0.1 + 0.2"), num("0.3"));
    assert_eq!(ok("9007199254740993 + 0"), num("9007199254740993"));
    assert_eq!(ok("7 % 3 * 2 - 10 / 4"), num("-0.5"));
}

#[test]
fn strings_that_spell_numbers_take_part_in_arithmetic() {
    assert_eq!(ok("\"5\" + 1"), num("6"));
}

#[test]
fn arithmetic_on_a_non_number_points_at_the_operand() {
    let d = err("1 + \"x\"");
    assert_eq!(d.summary, "Invalid operand");
    assert_eq!(d.span.unwrap().start, 4);
}

#[test]
fn division_by_zero_is_an_error() {
    assert!(err("1 / 0").detail.contains("divide by zero"));
}

#[test]
fn comparisons_and_logic_work_with_unknowns() {
    assert_eq!(ok("1 < 2 && 2 >= 2"), Value::Bool(true));
    assert_eq!(ok("var.pending == \"x\""), Value::Unknown(Type::Bool));
    assert_eq!(ok("false && var.pending == \"x\""), Value::Bool(false));
    assert_eq!(ok("true || var.pending == \"x\""), Value::Bool(true));
    assert_eq!(
        ok("true && var.pending == \"x\""),
        Value::Unknown(Type::Bool)
    );
}

#[test]
fn unknown_values_propagate_through_operators() {
    assert_eq!(ok("length(var.pending) + 1"), Value::Unknown(Type::Number));
    assert_eq!(ok("\"id-${var.pending}\""), Value::Unknown(Type::String));
    assert!(!ok("[var.pending, 1]").is_wholly_known());
}

#[test]
fn a_single_interpolation_yields_the_value_itself() {
    assert_eq!(ok("\"${var.count}\""), Value::from(3));
    assert_eq!(ok("\"n=${var.count}\""), Value::from("n=3"));
}

#[test]
fn template_directives_render() {
    assert_eq!(
        ok(r#""%{ for i, id in var.ids }${i}:${id}%{ if i < 2 },%{ endif }%{ endfor }""#),
        Value::from("0:a,1:b,2:c")
    );
    assert_eq!(
        ok(r#""%{ if var.name == "web" }yes%{ else }no%{ endif }""#),
        Value::from("yes")
    );
}

#[test]
fn interpolating_null_is_an_error_at_the_interpolation() {
    let d = err("\"x-${var.nothing}\"");
    assert_eq!(d.summary, "Invalid template interpolation value");
    assert_eq!(d.span.unwrap().start, 5);
}

#[test]
fn heredocs_interpolate() {
    assert_eq!(
        ok("<<-EOT\n  name: ${var.name}\n  EOT"),
        Value::from("name: web\n")
    );
}

#[test]
fn sensitive_values_stay_sensitive_through_templates_and_operators() {
    assert!(ok("\"pw=${var.secret}\"").is_sensitive());
    assert!(ok("var.secret == \"x\"").is_sensitive());
    assert!(ok("upper(var.secret)").is_sensitive());
    assert!(ok("{ a = var.secret }").contains_sensitive());
}

#[test]
fn for_expressions_build_tuples_and_objects() {
    assert_eq!(
        ok("[for s in var.ids : upper(s) if s != \"b\"]"),
        Value::Tuple(vec!["A".into(), "C".into()])
    );
    assert_eq!(
        ok("{for k, v in var.tags : v => k}"),
        Value::object([("ops", Value::from("team")), ("prod", Value::from("env"))])
    );
    assert_eq!(
        ok("{for s in [\"a\", \"b\", \"a\"] : s => s...}"),
        Value::object([
            ("a", Value::Tuple(vec!["a".into(), "a".into()])),
            ("b", Value::Tuple(vec!["b".into()])),
        ])
    );
}

#[test]
fn duplicate_keys_in_an_object_for_suggest_grouping() {
    let d = err("{for s in [\"a\", \"a\"] : s => 1}");
    assert_eq!(d.summary, "Duplicate object key");
    assert!(d.hint.unwrap().contains("..."));
}

#[test]
fn splats_apply_the_rest_of_the_traversal_to_every_element() {
    assert_eq!(
        ok("var.servers[*].id"),
        Value::Tuple(vec!["i-1".into(), "i-2".into()])
    );
    assert_eq!(
        ok("var.servers.*.port"),
        Value::Tuple(vec![Value::from(80), Value::from(443)])
    );
    assert_eq!(ok("var.nothing[*].id"), Value::Tuple(vec![]));
}

#[test]
fn indexing_checks_bounds_and_keys() {
    assert_eq!(ok("var.ids[1]"), Value::from("b"));
    assert_eq!(ok("var.ids.2"), Value::from("c"));
    assert_eq!(ok("var.tags[\"env\"]"), Value::from("prod"));
    assert!(
        err("var.ids[3]")
            .detail
            .contains("greater than or equal to the length")
    );
    let d = err("var.tags[\"evn\"]");
    assert_eq!(d.hint.as_deref(), Some("Did you mean \"env\"?"));
    assert!(err("var.ports[0]").detail.contains("set"));
}

#[test]
fn attribute_errors_suggest_the_near_miss() {
    let d = err("var.nmae");
    assert_eq!(d.summary, "Unsupported attribute");
    assert_eq!(d.hint.as_deref(), Some("Did you mean \"name\"?"));
    // The step's span starts at its dot, as HCL's does.
    assert_eq!(d.span.unwrap().start, 3);
}

#[test]
fn attribute_of_a_list_hints_at_splat() {
    let d = err("var.servers.id");
    assert!(d.hint.unwrap().contains("[*].id"));
}

#[test]
fn unknown_root_names_are_reported_with_a_suggestion() {
    let d = err("vra.name");
    assert_eq!(d.summary, "Unknown variable");
    assert_eq!(d.hint.as_deref(), Some("Did you mean \"var\"?"));
}

#[test]
fn conditionals_choose_and_unknown_conditions_give_unknown() {
    assert_eq!(
        ok("var.count > 2 ? \"many\" : \"few\""),
        Value::from("many")
    );
    assert!(!ok("var.pending == \"x\" ? 1 : 2").is_known());
    assert_eq!(err("\"maybe\" ? 1 : 2").summary, "Incorrect condition type");
}

#[test]
fn unknown_functions_suggest_the_near_miss() {
    let d = err("uper(\"a\")");
    assert_eq!(d.summary, "Call to unknown function");
    assert_eq!(d.hint.as_deref(), Some("Did you mean \"upper\"?"));
}

#[test]
fn too_many_arguments_point_at_the_first_extra_one() {
    let d = err("upper(\"a\", \"b\")");
    assert_eq!(d.summary, "Too many function arguments");
    assert_eq!(
        d.span.unwrap().start,
        12,
        "inside the quotes of the extra argument"
    );
    assert!(d.hint.unwrap().contains("upper(str)"));
}

#[test]
fn missing_arguments_point_at_the_closing_parenthesis() {
    let d = err("replace(\"a\", \"b\")");
    assert_eq!(d.summary, "Not enough function arguments");
    assert!(d.detail.contains("Missing value for \"replace\""));
    assert_eq!(d.span.unwrap().start, 16);
}

#[test]
fn expanding_the_final_argument_spreads_a_list() {
    assert_eq!(ok("max([1, 5, 3]...)"), Value::from(5));
}

#[test]
fn can_and_try_catch_errors() {
    assert_eq!(ok("can(var.ids[10])"), Value::Bool(false));
    assert_eq!(ok("can(var.ids[0])"), Value::Bool(true));
    assert_eq!(
        ok("try(var.ids[10], \"fallback\")"),
        Value::from("fallback")
    );
    assert_eq!(
        err("try(var.ids[10], var.nope)").summary,
        "Error in function call"
    );
}

#[test]
fn duplicate_object_attributes_are_an_error() {
    let d = err("{ (var.name) = 1, web = 2 }");
    assert_eq!(d.summary, "Duplicate object attribute");
    assert_eq!(d.labels.len(), 1);
}

#[test]
fn templatefile_renders_with_only_its_variables() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("t.tpl"),
        "Hello ${name}!%{ for p in ports } ${p}%{ endfor }",
    )
    .unwrap();
    std::fs::write(dir.path().join("bad.tpl"), "line one\n${missing}").unwrap();
    let s = scope();
    let ctx = EvalCtx::new(&s, dir.path());
    let e = parse_expr(
        "templatefile(\"t.tpl\", { name = \"you\", ports = [80, 443] })",
        FileId(0),
        0,
    )
    .unwrap();
    assert_eq!(ctx.eval(&e).unwrap(), Value::from("Hello you! 80 443"));
    let e = parse_expr("templatefile(\"bad.tpl\", {})", FileId(0), 0).unwrap();
    let d = ctx.eval(&e).unwrap_err();
    assert!(d.detail.contains("bad.tpl:2,3"), "{}", d.detail);
}
