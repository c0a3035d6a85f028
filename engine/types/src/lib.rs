//! Shared vocabulary of the engine: values and types of the Terraform language, numbers, source
//! spans and diagnostics. Depends on nothing of terrane's own.

mod addr;
mod diag;
mod number;
mod source;
mod ty;
mod value;

pub use addr::{
    AttrPath, InstanceKey, ModuleInstance, ModuleStep, PathStep, ResourceAddr,
    ResourceInstanceAddr, ResourceMode,
};
pub use diag::{Diagnostic, Diagnostics, Severity, suggest};
pub use number::Number;
pub use source::{FileId, Location, SourceFile, SourceMap, Span};
pub use ty::Type;
pub use value::Value;
