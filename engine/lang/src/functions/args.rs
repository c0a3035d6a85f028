//! Reading arguments with Terraform's automatic conversions between primitive types:
//! a number or bool where a string is wanted becomes its text; a string that spells a number or a
//! bool becomes one.

use super::FuncError;
use std::collections::BTreeMap;
use terrane_types::{Number, Value};

/// The text of a string argument (numbers and bools converted).
pub fn string_arg(args: &[Value], i: usize) -> Result<String, FuncError> {
    to_string_value(&args[i]).ok_or_else(|| FuncError::arg(i, "string required"))
}

/// A number argument (a string that spells a number converted).
pub fn number_arg(args: &[Value], i: usize) -> Result<Number, FuncError> {
    to_number_value(&args[i]).ok_or_else(|| FuncError::arg(i, "number required"))
}

/// A whole-number argument that fits an `i64`.
pub fn int_arg(args: &[Value], i: usize) -> Result<i64, FuncError> {
    let n = number_arg(args, i)?;
    n.to_i64()
        .ok_or_else(|| FuncError::arg(i, format!("a whole number is required, but got {n}")))
}

pub fn bool_arg(args: &[Value], i: usize) -> Result<bool, FuncError> {
    to_bool_value(&args[i]).ok_or_else(|| FuncError::arg(i, "bool required"))
}

/// The elements of a list, set or tuple argument.
pub fn seq_arg(args: &[Value], i: usize) -> Result<&[Value], FuncError> {
    args[i]
        .as_seq()
        .ok_or_else(|| FuncError::arg(i, "list, set or tuple required"))
}

/// The entries of a map or object argument.
pub fn entries_arg(args: &[Value], i: usize) -> Result<&BTreeMap<String, Value>, FuncError> {
    args[i]
        .as_entries()
        .ok_or_else(|| FuncError::arg(i, "map or object required"))
}

/// Terraform's string conversion of a primitive value; `None` for collections and null.
pub fn to_string_value(v: &Value) -> Option<String> {
    match v.unmarked() {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

pub fn to_number_value(v: &Value) -> Option<Number> {
    match v.unmarked() {
        Value::Number(n) => Some(n.clone()),
        Value::String(s) => Number::parse(s),
        _ => None,
    }
}

pub fn to_bool_value(v: &Value) -> Option<bool> {
    match v.unmarked() {
        Value::Bool(b) => Some(*b),
        Value::String(s) if s == "true" => Some(true),
        Value::String(s) if s == "false" => Some(false),
        _ => None,
    }
}
