//! The dependency graph of a configuration and the walks over it (validate; plan and apply to come).

pub mod graph;
pub mod refs;
mod validate;
pub mod version;

pub use graph::{Graph, Node, NodeKind};
pub use validate::{for_each_problem, validate};
pub use version::TERRAFORM_COMPAT_VERSION;
