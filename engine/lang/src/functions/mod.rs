//! The built-in function library, with Terraform's names, semantics and error messages.
//!
//! Every function is a [`FuncDef`] in one of the submodules' `FUNCTIONS` tables. [`call`] does what
//! is common to all of them, so implementations stay small:
//! - arity is checked against `params` / `variadic`;
//! - unless `allow_unknown`, a call with any argument not wholly known returns
//!   `Value::Unknown(returns)` without running the implementation;
//! - unless `allow_null`, a null argument is an error ("argument must not be null");
//! - unless `keep_marks`, sensitive marks are removed from the arguments before the call and the
//!   result is marked sensitive if any argument contained a mark.
//!
//! `can`, `try` and `templatefile` need the evaluator and live in `crate::eval`.

mod args;
mod collections;
mod conversion;
mod crypto;
mod datetime;
mod encoding;
mod filesystem;
mod ipnet;
mod numeric;
mod strings;
#[cfg(test)]
pub(crate) mod testkit;

pub use args::*;

use std::collections::HashMap;
use std::path::Path;
use std::sync::OnceLock;
use terrane_types::{Type, Value};

/// What a function may know about where it runs.
pub struct FuncCtx<'a> {
    /// Directory that relative paths in `file()`, `fileset()`, ... resolve against: the working
    /// directory, as in Terraform (which is why configurations write `"${path.module}/x"`).
    pub base_dir: &'a Path,
}

/// Why a call failed. `Arg` points the diagnostic at one argument.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FuncError {
    Arg { index: usize, message: String },
    Call(String),
}

impl FuncError {
    pub fn arg(index: usize, message: impl Into<String>) -> FuncError {
        FuncError::Arg {
            index,
            message: message.into(),
        }
    }
    pub fn call(message: impl Into<String>) -> FuncError {
        FuncError::Call(message.into())
    }
}

pub type FuncResult = Result<Value, FuncError>;

/// The result type of a function when it can be told before running it (for unknown results).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Ret {
    String,
    Number,
    Bool,
    Dynamic,
}

impl Ret {
    pub fn ty(self) -> Type {
        match self {
            Ret::String => Type::String,
            Ret::Number => Type::Number,
            Ret::Bool => Type::Bool,
            Ret::Dynamic => Type::Dynamic,
        }
    }
}

pub struct FuncDef {
    pub name: &'static str,
    /// Names of the fixed parameters (used in messages and for arity).
    pub params: &'static [&'static str],
    /// Name of the variadic parameter, if the function takes any number of further arguments.
    pub variadic: Option<&'static str>,
    pub returns: Ret,
    /// The implementation sees unknown values (e.g. `length` of a list with unknown elements).
    pub allow_unknown: bool,
    /// The implementation sees null arguments (e.g. `coalesce`).
    pub allow_null: bool,
    /// The implementation sees and handles sensitive marks itself (`sensitive`, `nonsensitive`).
    pub keep_marks: bool,
    pub imp: fn(&[Value], &FuncCtx) -> FuncResult,
}

impl FuncDef {
    /// A definition with the common defaults: no unknowns, no nulls, marks handled generically.
    pub const fn new(
        name: &'static str,
        params: &'static [&'static str],
        returns: Ret,
        imp: fn(&[Value], &FuncCtx) -> FuncResult,
    ) -> FuncDef {
        FuncDef {
            name,
            params,
            variadic: None,
            returns,
            allow_unknown: false,
            allow_null: false,
            keep_marks: false,
            imp,
        }
    }

    pub const fn variadic(mut self, name: &'static str) -> FuncDef {
        self.variadic = Some(name);
        self
    }

    pub const fn allow_unknown(mut self) -> FuncDef {
        self.allow_unknown = true;
        self
    }

    pub const fn allow_null(mut self) -> FuncDef {
        self.allow_null = true;
        self
    }

    pub const fn keep_marks(mut self) -> FuncDef {
        self.keep_marks = true;
        self
    }

    /// "join(separator, lists...)", for messages.
    pub fn signature(&self) -> String {
        let mut parts: Vec<String> = self.params.iter().map(|p| p.to_string()).collect();
        if let Some(v) = self.variadic {
            parts.push(format!("{v}..."));
        }
        format!("{}({})", self.name, parts.join(", "))
    }
}

fn registry() -> &'static HashMap<&'static str, &'static FuncDef> {
    static REGISTRY: OnceLock<HashMap<&'static str, &'static FuncDef>> = OnceLock::new();
    REGISTRY.get_or_init(|| {
        [
            collections::FUNCTIONS,
            conversion::FUNCTIONS,
            crypto::FUNCTIONS,
            datetime::FUNCTIONS,
            encoding::FUNCTIONS,
            filesystem::FUNCTIONS,
            ipnet::FUNCTIONS,
            numeric::FUNCTIONS,
            strings::FUNCTIONS,
        ]
        .into_iter()
        .flatten()
        .map(|f| (f.name, f))
        .collect()
    })
}

/// The function of that name, if there is one.
pub fn lookup(name: &str) -> Option<&'static FuncDef> {
    registry().get(name).copied()
}

/// Every function name, including the ones the evaluator implements itself.
pub fn names() -> impl Iterator<Item = &'static str> {
    registry()
        .keys()
        .copied()
        .chain(["can", "try", "templatefile"])
}

/// Calls a function with evaluated arguments, applying the rules in the module documentation.
pub fn call(def: &FuncDef, args: Vec<Value>, ctx: &FuncCtx) -> FuncResult {
    let fixed = def.params.len();
    if args.len() < fixed || (def.variadic.is_none() && args.len() > fixed) {
        let expected = match def.variadic {
            Some(_) => format!("at least {fixed}"),
            None => fixed.to_string(),
        };
        return Err(FuncError::call(format!(
            "Function \"{}\" expects {expected} argument{}, but {} {} given. Its signature is {}.",
            def.name,
            if fixed == 1 && def.variadic.is_none() {
                ""
            } else {
                "s"
            },
            args.len(),
            if args.len() == 1 { "was" } else { "were" },
            def.signature()
        )));
    }
    if !def.allow_null
        && let Some(i) = args.iter().position(Value::is_null)
    {
        return Err(FuncError::arg(i, "argument must not be null"));
    }
    if !def.allow_unknown && !args.iter().all(Value::is_wholly_known) {
        let sensitive = args.iter().any(Value::contains_sensitive);
        return Ok(Value::Unknown(def.returns.ty()).with_mark(sensitive && !def.keep_marks));
    }
    if def.keep_marks {
        return (def.imp)(&args, ctx);
    }
    let mut sensitive = false;
    let args: Vec<Value> = args
        .into_iter()
        .map(|a| {
            let (v, marked) = a.unmark_deep();
            sensitive |= marked;
            v
        })
        .collect();
    (def.imp)(&args, ctx).map(|v| v.with_mark(sensitive))
}
