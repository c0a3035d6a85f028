//! Plans as data: resource and output changes, their rendering for people and machines, plan files.

mod model;

pub use model::*;
