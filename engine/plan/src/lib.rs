//! Plans as data: resource and output changes, their rendering for people and machines, plan files.

mod file;
mod json;
mod model;
mod render;

pub use file::{PLAN_FILE_FORMAT, PLAN_FILE_VERSION, PlanFileError};
pub use json::{JSON_FORMAT_VERSION, plan_to_json};
pub use model::*;
pub use render::{DEFAULT_COLUMNS, Style, go_quote, render_plan, render_plan_with_width};
