//! Type conversion and sensitivity functions: `tobool`, `tolist`, `tomap`, `tonumber`, `toset`,
//! `tostring`, `type`, `sensitive`, `nonsensitive`, `issensitive`.
//!
//! (`can` and `try` need the evaluator and live there.)

use super::{FuncCtx, FuncDef, FuncError, FuncResult, Ret};
use crate::convert::{can_convert, convert, friendly_name, friendly_name_for_constraint, mismatch};
use crate::typeexpr::Constraint;
use terrane_types::{Type, Value};

pub(super) const FUNCTIONS: &[FuncDef] = &[
    to_func("tobool", Ret::Bool, tobool),
    to_func("tolist", Ret::Dynamic, tolist),
    to_func("tomap", Ret::Dynamic, tomap),
    to_func("tonumber", Ret::Number, tonumber),
    to_func("toset", Ret::Dynamic, toset),
    to_func("tostring", Ret::String, tostring),
    FuncDef::new("type", &["value"], Ret::String, type_of)
        .allow_unknown()
        .allow_null(),
    FuncDef::new("sensitive", &["value"], Ret::Dynamic, sensitive)
        .allow_unknown()
        .allow_null()
        .keep_marks(),
    FuncDef::new("nonsensitive", &["value"], Ret::Dynamic, nonsensitive)
        .allow_unknown()
        .allow_null()
        .keep_marks(),
    FuncDef::new("issensitive", &["value"], Ret::Bool, issensitive)
        .allow_unknown()
        .allow_null()
        .keep_marks(),
];

/// The `to*` functions see nulls, unknowns and marks: conversion keeps all three where they are.
const fn to_func(
    name: &'static str,
    returns: Ret,
    imp: fn(&[Value], &FuncCtx) -> FuncResult,
) -> FuncDef {
    FuncDef::new(name, &["v"], returns, imp)
        .allow_unknown()
        .allow_null()
        .keep_marks()
}

fn tobool(args: &[Value], _: &FuncCtx) -> FuncResult {
    convert_explicitly(&args[0], &Constraint::Bool)
}

fn tonumber(args: &[Value], _: &FuncCtx) -> FuncResult {
    convert_explicitly(&args[0], &Constraint::Number)
}

fn tostring(args: &[Value], _: &FuncCtx) -> FuncResult {
    convert_explicitly(&args[0], &Constraint::String)
}

fn tolist(args: &[Value], _: &FuncCtx) -> FuncResult {
    convert_explicitly(&args[0], &Constraint::List(Box::new(Constraint::Any)))
}

fn toset(args: &[Value], _: &FuncCtx) -> FuncResult {
    convert_explicitly(&args[0], &Constraint::Set(Box::new(Constraint::Any)))
}

fn tomap(args: &[Value], _: &FuncCtx) -> FuncResult {
    convert_explicitly(&args[0], &Constraint::Map(Box::new(Constraint::Any)))
}

/// Terraform's `MakeToFunc`: a conversion with messages worded for an explicit conversion.
fn convert_explicitly(value: &Value, want: &Constraint) -> FuncResult {
    let got = value.ty();
    let want_ty = want.to_type();
    if !can_convert(&got, want) {
        let message = match (&got, want) {
            (Type::Tuple(_), Constraint::Tuple(_)) => format!(
                "incompatible tuple type for conversion: {}",
                mismatch(&got, want)
            ),
            (Type::Object(_), Constraint::Object(_)) => format!(
                "incompatible object type for conversion: {}",
                mismatch(&got, want)
            ),
            _ => format!(
                "cannot convert {} to {}",
                friendly_name(&got),
                friendly_name_for_constraint(&want_ty)
            ),
        };
        return Err(FuncError::arg(0, message));
    }
    convert(value.clone(), want).map_err(|_| {
        let (plain, _) = value.clone().unmark_deep();
        let got = plain.ty();
        let message = if value.contains_sensitive() {
            // Say nothing about the value itself.
            format!(
                "cannot convert this sensitive {} to {}",
                friendly_name(&got),
                friendly_name_for_constraint(&want_ty)
            )
        } else {
            match (&plain, want) {
                (Value::String(s), Constraint::Bool) => format!(
                    "cannot convert {s:?} to bool; only the strings \"true\" or \"false\" are allowed"
                ),
                (Value::String(s), Constraint::Number) => format!(
                    "cannot convert {s:?} to number; given string must be a decimal representation of a number"
                ),
                _ => format!(
                    "cannot convert {} to {}",
                    friendly_name(&got),
                    friendly_name_for_constraint(&want_ty)
                ),
            }
        };
        FuncError::arg(0, message)
    })
}

/// `type(value)`: the type expression of the value, as the console shows it.
fn type_of(args: &[Value], _: &FuncCtx) -> FuncResult {
    Ok(Value::String(args[0].ty().to_string()))
}

fn sensitive(args: &[Value], _: &FuncCtx) -> FuncResult {
    Ok(args[0].clone().mark_sensitive())
}

/// Removes the value's own mark (marks nested inside it stay, as in Terraform). Since Terraform
/// 1.8 a value that is not sensitive is accepted and returned unchanged.
fn nonsensitive(args: &[Value], _: &FuncCtx) -> FuncResult {
    let mut v = args[0].clone();
    while let Value::Sensitive(inner) = v {
        v = *inner;
    }
    Ok(v)
}

/// Whether the value itself is marked sensitive; unknown when it is unmarked and not yet known.
fn issensitive(args: &[Value], _: &FuncCtx) -> FuncResult {
    let v = &args[0];
    Ok(if v.is_sensitive() {
        Value::Bool(true)
    } else if !v.is_known() {
        Value::Unknown(Type::Bool)
    } else {
        Value::Bool(false)
    })
}

#[cfg(test)]
mod tests {
    use crate::functions::testkit::{err, n, ok, s};
    use terrane_types::{Type, Value};

    #[test]
    fn tostring_converts_numbers_and_bools() {
        assert_eq!(ok("tostring", vec![n(5)]), s("5"));
        assert_eq!(ok("tostring", vec![Value::Bool(false)]), s("false"));
        assert_eq!(ok("tostring", vec![s("x")]), s("x"));
    }

    #[test]
    fn tostring_of_null_is_a_null_string() {
        assert_eq!(
            ok("tostring", vec![Value::null()]),
            Value::Null(Type::String)
        );
    }

    #[test]
    fn tostring_of_a_collection_is_an_error() {
        assert_eq!(
            err("tostring", vec![Value::Tuple(vec![n(1)])]),
            "cannot convert tuple to string"
        );
        assert_eq!(
            err("tostring", vec![Value::List(vec![s("a")])]),
            "cannot convert list of string to string"
        );
    }

    #[test]
    fn tonumber_parses_strings() {
        assert_eq!(ok("tonumber", vec![s("1.25")]).to_string(), "1.25");
        assert_eq!(ok("tonumber", vec![n(3)]), n(3));
    }

    #[test]
    fn tonumber_of_a_non_number_string_says_so() {
        assert_eq!(
            err("tonumber", vec![s("abc")]),
            "cannot convert \"abc\" to number; given string must be a decimal representation of a number"
        );
        assert_eq!(
            err("tonumber", vec![Value::Bool(true)]),
            "cannot convert bool to number"
        );
    }

    #[test]
    fn tobool_accepts_only_true_and_false_strings() {
        assert_eq!(ok("tobool", vec![s("true")]), Value::Bool(true));
        assert_eq!(
            err("tobool", vec![s("yes")]),
            "cannot convert \"yes\" to bool; only the strings \"true\" or \"false\" are allowed"
        );
    }

    #[test]
    fn failed_conversions_of_sensitive_values_do_not_show_them() {
        assert_eq!(
            err("tonumber", vec![s("hunter2").mark_sensitive()]),
            "cannot convert this sensitive string to number"
        );
    }

    #[test]
    fn tolist_unifies_tuple_elements() {
        assert_eq!(
            ok("tolist", vec![Value::Tuple(vec![s("a"), n(1)])]),
            Value::List(vec![s("a"), s("1")])
        );
        assert_eq!(
            err(
                "tolist",
                vec![Value::Tuple(vec![s("a"), Value::Tuple(vec![])])]
            ),
            "cannot convert tuple to list of any single type"
        );
        assert_eq!(
            err("tolist", vec![s("a")]),
            "cannot convert string to list of any single type"
        );
    }

    #[test]
    fn toset_deduplicates_and_sorts() {
        assert_eq!(
            ok("toset", vec![Value::Tuple(vec![s("b"), s("a"), s("b")])]),
            Value::Set(vec![s("a"), s("b")])
        );
    }

    #[test]
    fn tomap_converts_objects() {
        assert_eq!(
            ok("tomap", vec![Value::object([("a", n(1)), ("b", s("x"))])]),
            Value::map([("a", s("1")), ("b", s("x"))])
        );
        assert_eq!(
            err(
                "tomap",
                vec![Value::object([("a", n(1)), ("b", Value::Tuple(vec![]))])]
            ),
            "cannot convert object to map of any single type"
        );
    }

    #[test]
    fn conversions_of_unknowns_are_unknowns_of_the_right_type() {
        assert_eq!(
            ok("tolist", vec![Value::unknown()]),
            Value::Unknown(Type::list(Type::Dynamic))
        );
        assert_eq!(
            ok("toset", vec![Value::Unknown(Type::list(Type::String))]),
            Value::Unknown(Type::set(Type::String))
        );
        assert_eq!(
            ok("tomap", vec![Value::Unknown(Type::map(Type::Number))]),
            Value::Unknown(Type::map(Type::Number))
        );
        assert_eq!(
            ok("tostring", vec![Value::unknown()]),
            Value::Unknown(Type::String)
        );
        assert_eq!(
            ok("tolist", vec![Value::Tuple(vec![s("a"), Value::unknown()])]),
            Value::List(vec![s("a"), Value::Unknown(Type::String)])
        );
    }

    #[test]
    fn conversions_keep_marks_where_they_are() {
        assert_eq!(
            ok("tostring", vec![n(1).mark_sensitive()]),
            s("1").mark_sensitive()
        );
        assert_eq!(
            ok(
                "tolist",
                vec![Value::Tuple(vec![s("a"), n(1).mark_sensitive()])]
            ),
            Value::List(vec![s("a"), s("1").mark_sensitive()])
        );
    }

    #[test]
    fn type_shows_the_type_expression() {
        assert_eq!(ok("type", vec![s("a")]), s("string"));
        assert_eq!(
            ok("type", vec![Value::object([("a", n(1))])]),
            s("object({a: number})")
        );
        assert_eq!(
            ok("type", vec![Value::Unknown(Type::list(Type::String))]),
            s("list(string)")
        );
        assert_eq!(ok("type", vec![Value::null()]), s("dynamic"));
        assert_eq!(
            ok("type", vec![s("x").mark_sensitive()]),
            s("string").mark_sensitive()
        );
    }

    #[test]
    fn sensitive_marks_and_nonsensitive_unmarks() {
        assert_eq!(ok("sensitive", vec![s("x")]), s("x").mark_sensitive());
        assert_eq!(
            ok("sensitive", vec![Value::unknown()]),
            Value::unknown().mark_sensitive()
        );
        assert_eq!(ok("nonsensitive", vec![s("x").mark_sensitive()]), s("x"));
        assert_eq!(ok("nonsensitive", vec![s("x")]), s("x"));
        let nested = Value::object([("a", s("x").mark_sensitive())]);
        assert_eq!(ok("nonsensitive", vec![nested.clone()]), nested);
    }

    #[test]
    fn issensitive_reports_the_mark() {
        assert_eq!(
            ok("issensitive", vec![s("x").mark_sensitive()]),
            Value::Bool(true)
        );
        assert_eq!(ok("issensitive", vec![s("x")]), Value::Bool(false));
        assert_eq!(
            ok("issensitive", vec![Value::unknown()]),
            Value::Unknown(Type::Bool)
        );
        assert_eq!(
            ok("issensitive", vec![Value::unknown().mark_sensitive()]),
            Value::Bool(true)
        );
    }
}
