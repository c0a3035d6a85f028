//! Turning a resource's body into the object its schema describes: arguments evaluated and
//! converted to their types, nested blocks (and `dynamic` blocks) collected by their nesting
//! mode, with Terraform's messages for what does not fit.

use std::collections::BTreeMap;
use terrane_config::{Block as ConfigBlock, Body};
use terrane_lang::ast::Expr;
use terrane_lang::convert::convert_to_type;
use terrane_sdk::{Block as SchemaBlock, Nesting};
use terrane_types::{Diagnostic, Diagnostics, Span, Type, Value, suggest};

/// Nested blocks found so far, by type: each block's value, label and where it was written.
type FoundBlocks<'s> = BTreeMap<&'s str, Vec<(Value, Option<String>, Span)>>;

/// Blocks that belong to terrane rather than to the provider's schema.
const META_BLOCKS: &[&str] = &["lifecycle", "provisioner", "connection"];

/// Evaluates expressions for the decoder; returns `None` after reporting an error.
pub trait Evaluate {
    fn eval(&mut self, extra: &BTreeMap<String, Value>, e: &Expr) -> Option<Value>;
}

/// Decodes `body` per `schema` into an object value (sensitive marks kept where the
/// configuration had them). `open_brace` is where missing arguments are reported.
pub fn decode_body(
    ev: &mut dyn Evaluate,
    extra: &BTreeMap<String, Value>,
    body: &Body,
    schema: &SchemaBlock,
    open_brace: Span,
    diags: &mut Diagnostics,
) -> Value {
    let mut out = BTreeMap::new();
    for (name, attr) in &body.attributes {
        if schema.attributes.contains_key(name) {
            continue;
        }
        let mut d = Diagnostic::error("Unsupported argument")
            .with_detail(format!(
                "An argument named \"{name}\" is not expected here."
            ))
            .with_span(attr.name_span);
        if schema.blocks.contains_key(name) {
            d = d.with_hint(format!(
                "\"{name}\" is a block: write {name} {{ ... }} without the equals sign."
            ));
        } else if let Some(s) = suggest(name, schema.attributes.keys().map(String::as_str)) {
            d = d.with_hint(format!("Did you mean \"{s}\"?"));
        }
        diags.push(d);
    }
    for (name, a) in &schema.attributes {
        let value = match body.attr(name) {
            None => {
                if a.required {
                    diags.push(
                        Diagnostic::error("Missing required argument")
                            .with_detail(format!(
                                "The argument \"{name}\" is required, but no definition was found."
                            ))
                            .with_span(open_brace),
                    );
                }
                Value::Null(a.ty.clone())
            }
            Some(attr) => {
                if a.computed && !a.optional && !a.required {
                    diags.push(
                        Diagnostic::error("Value for unconfigurable attribute")
                            .with_detail(format!(
                                "Can't configure a value for \"{name}\": its value will be decided automatically based on the result of applying this configuration."
                            ))
                            .with_span(attr.name_span),
                    );
                    continue;
                }
                match ev.eval(extra, &attr.expr) {
                    None => Value::Unknown(a.ty.clone()),
                    Some(v) => match convert_to_type(v, &a.ty) {
                        Ok(v) => v,
                        Err(e) => {
                            diags.push(
                                Diagnostic::error("Incorrect attribute value type")
                                    .with_detail(format!(
                                        "Inappropriate value for attribute \"{name}\": {e}."
                                    ))
                                    .with_span(attr.expr.span)
                                    .with_hint(format!(
                                        "The attribute's type is {}.",
                                        a.ty.friendly_name()
                                    )),
                            );
                            Value::Unknown(a.ty.clone())
                        }
                    },
                }
            }
        };
        out.insert(name.clone(), value);
    }
    // Nested blocks, with `dynamic` ones expanded in place of the blocks they generate.
    let mut found: FoundBlocks = BTreeMap::new();
    let mut unknown_dynamic: Vec<&str> = Vec::new();
    for block in &body.blocks {
        if META_BLOCKS.contains(&block.kind.as_str()) {
            continue;
        }
        if block.kind == "dynamic" {
            expand_dynamic(
                ev,
                extra,
                block,
                schema,
                diags,
                &mut found,
                &mut unknown_dynamic,
            );
            continue;
        }
        let Some((kind, nested)) = schema.blocks.get_key_value(&block.kind) else {
            diags.push(unsupported_block(block, schema));
            continue;
        };
        let value = decode_body(
            ev,
            extra,
            &block.body,
            &nested.block,
            block.open_brace,
            diags,
        );
        let label = block.labels.first().map(|l| l.value.clone());
        found
            .entry(kind.as_str())
            .or_default()
            .push((value, label, block.kind_span));
    }
    for (name, nested) in &schema.blocks {
        let ty = nested.block.value_type();
        if unknown_dynamic.contains(&name.as_str()) {
            out.insert(
                name.clone(),
                Value::Unknown(match nested.nesting {
                    Nesting::Single => ty,
                    Nesting::List => Type::list(ty),
                    Nesting::Set => Type::set(ty),
                    Nesting::Map => Type::map(ty),
                }),
            );
            continue;
        }
        let items = found.remove(name.as_str()).unwrap_or_default();
        if items.len() < nested.min_items {
            diags.push(
                Diagnostic::error(format!("Insufficient {name} blocks"))
                    .with_detail(format!(
                        "At least {} \"{name}\" block{} required.",
                        nested.min_items,
                        if nested.min_items == 1 {
                            " is"
                        } else {
                            "s are"
                        }
                    ))
                    .with_span(open_brace),
            );
        }
        if nested.max_items > 0 && items.len() > nested.max_items {
            let extra_span = items[nested.max_items].2;
            diags.push(
                Diagnostic::error(format!("Too many {name} blocks"))
                    .with_detail(format!(
                        "No more than {} \"{name}\" block{} allowed.",
                        nested.max_items,
                        if nested.max_items == 1 {
                            " is"
                        } else {
                            "s are"
                        }
                    ))
                    .with_span(extra_span),
            );
        }
        let value = match nested.nesting {
            Nesting::Single => items
                .into_iter()
                .next()
                .map(|(v, _, _)| v)
                .unwrap_or(Value::Null(ty)),
            Nesting::List => Value::List(items.into_iter().map(|(v, _, _)| v).collect()),
            Nesting::Set => Value::set(items.into_iter().map(|(v, _, _)| v).collect()),
            Nesting::Map => Value::Map(
                items
                    .into_iter()
                    .map(|(v, label, _)| (label.unwrap_or_default(), v))
                    .collect(),
            ),
        };
        out.insert(name.clone(), value);
    }
    Value::Object(out)
}

fn unsupported_block(block: &ConfigBlock, schema: &SchemaBlock) -> Diagnostic {
    let mut d = Diagnostic::error("Unsupported block type")
        .with_detail(format!(
            "Blocks of type \"{}\" are not expected here.",
            block.kind
        ))
        .with_span(block.kind_span);
    if schema.attributes.contains_key(&block.kind) {
        d = d.with_hint(format!(
            "\"{}\" is an argument: write {} = ... with an equals sign.",
            block.kind, block.kind
        ));
    } else if let Some(s) = suggest(&block.kind, schema.blocks.keys().map(String::as_str)) {
        d = d.with_hint(format!("Did you mean \"{s}\"?"));
    }
    d
}

/// `dynamic "ingress" { for_each = ...  content { ... } }`: one block per element.
fn expand_dynamic<'s>(
    ev: &mut dyn Evaluate,
    extra: &BTreeMap<String, Value>,
    block: &ConfigBlock,
    schema: &'s SchemaBlock,
    diags: &mut Diagnostics,
    found: &mut FoundBlocks<'s>,
    unknown: &mut Vec<&'s str>,
) {
    let Some(label) = block.labels.first() else {
        diags.push(
            Diagnostic::error("Missing block type for dynamic block")
                .with_detail(
                    "A dynamic block needs one label: the type of the blocks it generates.",
                )
                .with_span(block.kind_span),
        );
        return;
    };
    let Some((kind, nested)) = schema.blocks.get_key_value(&label.value) else {
        let mut d = Diagnostic::error("Unsupported block type")
            .with_detail(format!(
                "Blocks of type \"{}\" are not expected here.",
                label.value
            ))
            .with_span(label.span);
        if let Some(s) = suggest(&label.value, schema.blocks.keys().map(String::as_str)) {
            d = d.with_hint(format!("Did you mean \"{s}\"?"));
        }
        diags.push(d);
        return;
    };
    let Some(for_each) = block.body.attr("for_each") else {
        diags.push(
            Diagnostic::error("Missing required argument")
                .with_detail("The argument \"for_each\" is required, but no definition was found.")
                .with_span(block.open_brace),
        );
        return;
    };
    let Some(collection) = ev.eval(extra, &for_each.expr) else {
        return;
    };
    let (collection, marked) = collection.unmark();
    if !collection.is_known() {
        unknown.push(kind.as_str());
        return;
    }
    let pairs: Vec<(Value, Value)> = match collection.unmarked() {
        Value::List(items) | Value::Tuple(items) => items
            .iter()
            .enumerate()
            .map(|(i, v)| (Value::number(i), v.clone()))
            .collect(),
        Value::Set(items) => items.iter().map(|v| (v.clone(), v.clone())).collect(),
        Value::Map(m) | Value::Object(m) => m
            .iter()
            .map(|(k, v)| (Value::string(k.clone()), v.clone()))
            .collect(),
        Value::Null(_) => {
            diags.push(
                Diagnostic::error("Invalid dynamic for_each value")
                    .with_detail("Cannot use a null value in for_each.")
                    .with_span(for_each.expr.span),
            );
            return;
        }
        other => {
            diags.push(
                Diagnostic::error("Invalid dynamic for_each value")
                    .with_detail(format!(
                        "Cannot use a {} value in for_each. An iterable collection is required.",
                        other.ty().friendly_name()
                    ))
                    .with_span(for_each.expr.span),
            );
            return;
        }
    };
    let iterator = block.dynamic_iterator();
    let Some(content) = block.body.blocks_of("content").next() else {
        diags.push(
            Diagnostic::error("Missing content block")
                .with_detail("A dynamic block must have a nested block of type \"content\" to describe the body of each generated block.")
                .with_span(block.open_brace),
        );
        return;
    };
    for (key, value) in pairs {
        let mut inner = extra.clone();
        inner.insert(
            iterator.clone(),
            Value::object([("key", key), ("value", value)]).with_mark(marked),
        );
        let label = block
            .body
            .attr("labels")
            .and_then(|l| ev.eval(&inner, &l.expr))
            .and_then(|l| {
                l.as_seq()
                    .and_then(|s| s.first().and_then(|v| v.as_str().map(str::to_owned)))
            });
        let decoded = decode_body(
            ev,
            &inner,
            &content.body,
            &nested.block,
            content.open_brace,
            diags,
        );
        found
            .entry(kind.as_str())
            .or_default()
            .push((decoded, label, block.kind_span));
    }
}
