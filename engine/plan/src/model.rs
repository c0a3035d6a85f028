//! What a plan is: the changes to resource instances and outputs, and what they were computed
//! from. Values keep their unknowns (`Value::Unknown`: "known after apply") and sensitive marks
//! (`Value::Sensitive`: never printed).

use std::collections::BTreeMap;
use terrane_types::{AttrPath, ResourceInstanceAddr, Value};

/// What happens to one resource instance or output.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Action {
    NoOp,
    Create,
    /// A data source read during apply (its configuration is not known until then).
    Read,
    Update,
    /// Replace, destroying the old object first (the default).
    DeleteThenCreate,
    /// Replace, creating the new object first (`create_before_destroy`).
    CreateThenDelete,
    Delete,
}

impl Action {
    pub fn is_replace(self) -> bool {
        matches!(self, Action::DeleteThenCreate | Action::CreateThenDelete)
    }
}

/// Why an action was chosen, when the action alone does not say it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ActionReason {
    /// An attribute that cannot be updated in place changed (see `replace_paths`).
    ReplaceBecauseCannotUpdate,
    /// `-replace=ADDR`.
    ReplaceByRequest,
    /// `lifecycle { replace_triggered_by }` or `triggers_replace`.
    ReplaceByTriggers,
    /// The instance is tainted.
    ReplaceBecauseTainted,
    /// The resource block is gone from the configuration.
    DeleteBecauseNoResourceConfig,
    /// `count` no longer reaches this index.
    DeleteBecauseCountIndex,
    /// `for_each` no longer has this key.
    DeleteBecauseEachKey,
    /// The module call holding it is gone.
    DeleteBecauseNoModule,
    /// The instance has a key but the resource no longer uses count/for_each, or the reverse.
    DeleteBecauseWrongRepetition,
    /// A data source read waits for apply because its configuration is not known.
    ReadBecauseConfigUnknown,
    /// A data source read waits for apply because something it depends on changes.
    ReadBecauseDependencyPending,
}

/// The planned change of one resource instance.
#[derive(Clone, Debug, PartialEq)]
pub struct ResourceChange {
    pub addr: ResourceInstanceAddr,
    /// The address it had before a `moved` block (or `state mv`) moved it.
    pub prev_addr: Option<ResourceInstanceAddr>,
    /// Set for a deposed object (left over from a create-before-destroy replacement).
    pub deposed: Option<String>,
    /// `provider["registry.terraform.io/hashicorp/random"]`, as in Terraform's state.
    pub provider: String,
    pub action: Action,
    pub reason: Option<ActionReason>,
    /// The prior state; `None` for create and read.
    pub before: Option<Value>,
    /// The planned state; `None` for delete.
    pub after: Option<Value>,
    /// The attributes that force replacement, for replace actions.
    pub replace_paths: Vec<AttrPath>,
    /// The import id, when an `import` block brings the object under management.
    pub importing: Option<String>,
    /// What the provider says the change does beyond its attributes (shown as comments).
    pub notes: Vec<String>,
}

/// The planned change of one root module output.
#[derive(Clone, Debug, PartialEq)]
pub struct OutputChange {
    pub name: String,
    pub action: Action,
    pub before: Option<Value>,
    pub after: Option<Value>,
    pub sensitive: bool,
}

/// What kind of plan it is.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum PlanMode {
    #[default]
    Normal,
    /// `plan -destroy` / `destroy`.
    Destroy,
    /// `plan -refresh-only`: only the state is updated to match what exists.
    RefreshOnly,
}

/// A whole plan.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Plan {
    pub mode: PlanMode,
    /// Every resource instance change, in address order, no-ops included.
    pub changes: Vec<ResourceChange>,
    /// Root module output changes, by name.
    pub outputs: Vec<OutputChange>,
    /// Objects that changed outside terrane since the last run (found by refresh), shown as
    /// "Objects have changed outside of terrane".
    pub drift: Vec<ResourceChange>,
    /// Root module variable values the plan was made with (for plan files).
    pub variables: BTreeMap<String, Value>,
    /// `-target` addresses, as given.
    pub targets: Vec<String>,
    /// The state the plan was made from: a saved plan is refused if the state moved since.
    pub prior_lineage: String,
    pub prior_serial: u64,
    /// The plan could not be completed (errors were reported); it must not be applied.
    pub errored: bool,
}

impl Plan {
    /// Counts of (add, change, destroy), as in "Plan: 1 to add, 0 to change, 0 to destroy."
    /// A replacement counts as one add and one destroy.
    pub fn counts(&self) -> (usize, usize, usize) {
        let mut add = 0;
        let mut change = 0;
        let mut destroy = 0;
        for c in &self.changes {
            match c.action {
                Action::Create => add += 1,
                Action::Update => change += 1,
                Action::Delete => destroy += 1,
                Action::DeleteThenCreate | Action::CreateThenDelete => {
                    add += 1;
                    destroy += 1;
                }
                Action::NoOp | Action::Read => {}
            }
        }
        (add, change, destroy)
    }

    /// Whether applying it would change anything: resources, their addresses, imports, or
    /// outputs.
    pub fn has_changes(&self) -> bool {
        if self.mode == PlanMode::RefreshOnly {
            return !self.drift.is_empty();
        }
        self.changes
            .iter()
            .any(|c| c.action != Action::NoOp || c.prev_addr.is_some() || c.importing.is_some())
            || self.outputs.iter().any(|o| o.action != Action::NoOp)
    }
}
