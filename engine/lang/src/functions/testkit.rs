//! Helpers shared by the tests of the function library: calling a function by name and building
//! the values its arguments are made of.

use super::{FuncCtx, FuncError, FuncResult, call, lookup};
use std::path::Path;
use terrane_types::{Number, Value};

/// Calls the registered function `name` with `dir` as the base directory for relative paths.
pub(crate) fn run_in(dir: &Path, name: &str, args: Vec<Value>) -> FuncResult {
    let def = lookup(name).unwrap_or_else(|| panic!("no function {name}"));
    call(def, args, &FuncCtx { base_dir: dir })
}

/// Calls the registered function `name` with the base directory ".".
pub(crate) fn run(name: &str, args: Vec<Value>) -> FuncResult {
    run_in(Path::new("."), name, args)
}

/// The result of a call that must succeed.
pub(crate) fn ok(name: &str, args: Vec<Value>) -> Value {
    run(name, args).expect("call succeeds")
}

/// The message of a call that must fail.
pub(crate) fn err(name: &str, args: Vec<Value>) -> String {
    message(run(name, args).expect_err("call fails"))
}

/// The message of an error, whichever argument (if any) it points at.
pub(crate) fn message(e: FuncError) -> String {
    match e {
        FuncError::Arg { message, .. } | FuncError::Call(message) => message,
    }
}

/// A string value.
pub(crate) fn s(v: &str) -> Value {
    Value::string(v)
}

/// A whole number.
pub(crate) fn n(v: i64) -> Value {
    Value::from(v)
}

/// A number written in decimal, e.g. "-12.4" or "1e+06".
pub(crate) fn num(text: &str) -> Value {
    Value::Number(Number::parse(text).expect("a number"))
}

/// A list of strings.
pub(crate) fn strs(items: &[&str]) -> Value {
    Value::List(items.iter().map(|i| s(i)).collect())
}
