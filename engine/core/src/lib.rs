//! The dependency graph of a configuration and the walks over it (validate; plan and apply to come).

pub mod apply;
pub mod decode;
pub mod graph;
mod moves;
pub mod plan;
pub mod providers;
pub mod refs;
mod relevance;
mod scope;
mod validate;
pub mod version;

pub use graph::{Graph, Node, NodeKind};
pub use validate::{for_each_problem, validate, validate_with};
pub use version::TERRAFORM_COMPAT_VERSION;
