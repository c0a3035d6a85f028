//! The plan a resource gets unless it knows better: the configuration where it says something,
//! the prior state (or "known after apply") for what the provider computes, and replacement when
//! an attribute that cannot be updated changes.

use crate::schema::{Block, Nesting, Schema};
use std::collections::BTreeMap;
use terrane_types::{AttrPath, PathStep, Value};

/// A resource's planned new state and why it must be replaced, if it must.
#[derive(Clone, Debug, PartialEq)]
pub struct PlannedChange {
    /// The new state as far as it is known before apply (unknown values where not).
    pub planned: Value,
    /// Attributes whose change forces replacement; empty for create, update or no change.
    pub requires_replace: Vec<AttrPath>,
    /// What the change will do beyond the attribute diff, shown under the resource in the
    /// plan ("an instance refresh will replace the group's instances ...").
    pub notes: Vec<String>,
    /// What the configuration probably gets wrong without being invalid (an unknown Lambda
    /// runtime, a handler missing from the package): reported as warnings at the argument
    /// in `attribute`; the plan goes on.
    pub warnings: Vec<crate::ProviderError>,
}

/// The default plan for a resource: see the module documentation.
pub fn plan_default(schema: &Schema, prior: Option<&Value>, config: &Value) -> PlannedChange {
    let planned = proposed_new_state(&schema.block, prior, config);
    let Some(prior) = prior else {
        return PlannedChange {
            planned,
            requires_replace: Vec::new(),
            notes: Vec::new(),
            warnings: Vec::new(),
        };
    };
    let mut requires_replace = Vec::new();
    forced_changes(
        &schema.block,
        prior,
        &planned,
        &AttrPath::default(),
        &mut requires_replace,
    );
    if requires_replace.is_empty() {
        return PlannedChange {
            planned,
            requires_replace,
            notes: Vec::new(),
            warnings: Vec::new(),
        };
    }
    // The replacement is a new object: what the provider computes is not known yet.
    PlannedChange {
        planned: proposed_new_state(&schema.block, None, config),
        requires_replace,
        notes: Vec::new(),
        warnings: Vec::new(),
    }
}

/// Terraform's "proposed new state": configured values, and for computed attributes the
/// configured value if set, else the prior value, else unknown.
pub fn proposed_new_state(block: &Block, prior: Option<&Value>, config: &Value) -> Value {
    let prior = prior.filter(|p| !p.is_null());
    let mut out = BTreeMap::new();
    for (name, attr) in &block.attributes {
        let configured = config
            .get_attr(name)
            .cloned()
            .unwrap_or(Value::Null(attr.ty.clone()));
        let value = if !configured.is_null() || !attr.computed {
            configured
        } else {
            match prior.and_then(|p| p.get_attr(name)) {
                Some(v) => v.clone(),
                None => Value::Unknown(attr.ty.clone()),
            }
        };
        out.insert(name.clone(), value);
    }
    for (name, nested) in &block.blocks {
        let configured = config.get_attr(name);
        let prior_blocks = prior.and_then(|p| p.get_attr(name));
        let value = match (nested.nesting, configured) {
            (_, None) => Value::Null(nested.block.value_type()),
            (_, Some(c)) if !c.is_known() || c.is_null() => c.clone(),
            (Nesting::Single, Some(c)) => proposed_new_state(&nested.block, prior_blocks, c),
            (Nesting::List, Some(c)) => {
                let priors = prior_blocks.and_then(Value::as_seq).unwrap_or(&[]);
                Value::List(
                    c.as_seq()
                        .unwrap_or(&[])
                        .iter()
                        .enumerate()
                        .map(|(i, item)| proposed_new_state(&nested.block, priors.get(i), item))
                        .collect(),
                )
            }
            (Nesting::Set, Some(c)) => {
                // Set elements have no identity but their value: match equal ones.
                let priors = prior_blocks.and_then(Value::as_seq).unwrap_or(&[]);
                Value::set(
                    c.as_seq()
                        .unwrap_or(&[])
                        .iter()
                        .map(|item| {
                            let matching = priors
                                .iter()
                                .find(|p| same_configured(&nested.block, p, item));
                            proposed_new_state(&nested.block, matching, item)
                        })
                        .collect(),
                )
            }
            (Nesting::Map, Some(c)) => {
                let priors = prior_blocks.and_then(Value::as_entries);
                Value::Map(
                    c.as_entries()
                        .map(|m| {
                            m.iter()
                                .map(|(k, item)| {
                                    (
                                        k.clone(),
                                        proposed_new_state(
                                            &nested.block,
                                            priors.and_then(|p| p.get(k)),
                                            item,
                                        ),
                                    )
                                })
                                .collect()
                        })
                        .unwrap_or_default(),
                )
            }
        };
        out.insert(name.clone(), value);
    }
    Value::Object(out)
}

/// Whether a prior set element carries the same configured (non-computed) values as `config`.
fn same_configured(block: &Block, prior: &Value, config: &Value) -> bool {
    block
        .attributes
        .iter()
        .filter(|(_, a)| !a.computed || a.optional)
        .all(|(k, _)| {
            let c = config.get_attr(k);
            c.is_none_or(Value::is_null) || c == prior.get_attr(k)
        })
}

/// Paths of force-new attributes that differ (or may differ: unknown) between prior and planned.
fn forced_changes(
    block: &Block,
    prior: &Value,
    planned: &Value,
    at: &AttrPath,
    out: &mut Vec<AttrPath>,
) {
    for (name, attr) in &block.attributes {
        if !attr.force_new {
            continue;
        }
        let before = prior.get_attr(name);
        let after = planned.get_attr(name);
        let changed = match (before, after) {
            (_, Some(a)) if !a.is_wholly_known() => true,
            (b, a) => b.map(Value::unmarked) != a.map(Value::unmarked),
        };
        if changed {
            out.push(at.then(PathStep::Attr(name.clone())));
        }
    }
    for (name, nested) in &block.blocks {
        let before = prior.get_attr(name);
        let after = planned.get_attr(name);
        if nested.force_new && before != after {
            out.push(at.then(PathStep::Attr(name.clone())));
            continue;
        }
        if nested.nesting == Nesting::Single
            && let (Some(b), Some(a)) = (before, after)
            && !b.is_null()
            && !a.is_null()
        {
            forced_changes(
                &nested.block,
                b,
                a,
                &at.then(PathStep::Attr(name.clone())),
                out,
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schema::{Attribute, NestedBlock};
    use terrane_types::Type;

    fn schema() -> Schema {
        Schema::new(
            Block::new()
                .attr("ami", Attribute::required(Type::String).force_new())
                .attr("size", Attribute::optional(Type::String))
                .attr("id", Attribute::computed(Type::String))
                .attr(
                    "tags",
                    Attribute::optional_computed(Type::map(Type::String)),
                )
                .block(
                    "root",
                    NestedBlock::new(
                        Nesting::Single,
                        Block::new()
                            .attr("gb", Attribute::optional(Type::Number))
                            .attr("arn", Attribute::computed(Type::String)),
                    ),
                ),
        )
    }

    fn config(ami: &str, size: &str) -> Value {
        Value::object([
            ("ami", Value::from(ami)),
            ("size", Value::from(size)),
            ("tags", Value::Null(Type::map(Type::String))),
            ("root", Value::object([("gb", Value::from(8))])),
        ])
    }

    #[test]
    fn a_create_leaves_computed_attributes_unknown() {
        let p = plan_default(&schema(), None, &config("ami-1", "small"));
        assert_eq!(
            p.planned.get_attr("id"),
            Some(&Value::Unknown(Type::String))
        );
        assert_eq!(
            p.planned.get_attr("root").unwrap().get_attr("arn"),
            Some(&Value::Unknown(Type::String))
        );
        assert!(p.requires_replace.is_empty());
    }

    #[test]
    fn an_update_keeps_computed_values_from_the_prior_state() {
        let prior = Value::object([
            ("ami", Value::from("ami-1")),
            ("size", Value::from("small")),
            ("id", Value::from("i-123")),
            ("tags", Value::map([("a", Value::from("b"))])),
            (
                "root",
                Value::object([("gb", Value::from(8)), ("arn", Value::from("arn:x"))]),
            ),
        ]);
        let p = plan_default(&schema(), Some(&prior), &config("ami-1", "large"));
        assert_eq!(p.planned.get_attr("id"), Some(&Value::from("i-123")));
        assert_eq!(p.planned.get_attr("tags"), prior.get_attr("tags"));
        assert_eq!(
            p.planned.get_attr("root").unwrap().get_attr("arn"),
            Some(&Value::from("arn:x"))
        );
        assert!(p.requires_replace.is_empty());
        // Nothing changed: the planned state is the prior state.
        let same = plan_default(&schema(), Some(&prior), &config("ami-1", "small"));
        assert_eq!(same.planned, prior);
    }

    #[test]
    fn changing_a_force_new_attribute_plans_a_replacement_with_fresh_computed_values() {
        let prior = Value::object([
            ("ami", Value::from("ami-1")),
            ("size", Value::from("small")),
            ("id", Value::from("i-123")),
            ("tags", Value::Null(Type::map(Type::String))),
            ("root", Value::Null(Type::Dynamic)),
        ]);
        let p = plan_default(&schema(), Some(&prior), &config("ami-2", "small"));
        assert_eq!(p.requires_replace, vec![AttrPath::attr("ami")]);
        assert_eq!(
            p.planned.get_attr("id"),
            Some(&Value::Unknown(Type::String))
        );
    }

    #[test]
    fn an_unknown_force_new_value_may_change_so_it_replaces() {
        let prior = Value::object([("ami", Value::from("ami-1"))]);
        let mut c = config("x", "small");
        if let Value::Object(m) = &mut c {
            m.insert("ami".into(), Value::Unknown(Type::String));
        }
        let p = plan_default(&schema(), Some(&prior), &c);
        assert_eq!(p.requires_replace, vec![AttrPath::attr("ami")]);
    }
}
