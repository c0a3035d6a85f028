//! Expressions of the Terraform language: syntax tree, evaluation, functions and type constraints.

pub mod ast;
pub mod convert;
pub mod eval;
pub mod functions;
pub mod syntax;
pub mod typeexpr;
