//! Attribute access, indexing and splats (`[*]`, `.*`).

use super::{EvalResult, Evaluator, Locals};
use crate::ast::{Ident, Traverser};
use crate::functions::{to_number_value, to_string_value};
use terrane_types::{Diagnostic, Span, Type, Value, suggest};

impl Evaluator<'_> {
    pub(super) fn traverse(
        &self,
        mut value: Value,
        ops: &[Traverser],
        locals: Option<&Locals>,
    ) -> EvalResult {
        for (i, op) in ops.iter().enumerate() {
            match op {
                Traverser::Attr(name) => value = get_attr(value, name)?,
                Traverser::Index(e, step) => {
                    let key = self.eval(e, locals)?;
                    value = index(value, key, *step)?;
                }
                Traverser::LegacyIndex(n, span) => {
                    value = index(value, Value::number(*n as usize), *span)?;
                }
                Traverser::AttrSplat(span) | Traverser::FullSplat(span) => {
                    return self.splat(value, &ops[i + 1..], *span, locals);
                }
            }
        }
        Ok(value)
    }

    /// Applies the rest of the traversal to every element: `list[*].id`.
    fn splat(
        &self,
        value: Value,
        rest: &[Traverser],
        _span: Span,
        locals: Option<&Locals>,
    ) -> EvalResult {
        let (value, marked) = value.unmark();
        let result = match value {
            // A splat of null is an empty tuple, so `var.optional[*].x` is `[]`.
            Value::Null(_) => Value::Tuple(Vec::new()),
            Value::Unknown(_) => Value::unknown(),
            Value::List(items) => Value::List(
                items
                    .into_iter()
                    .map(|v| self.traverse(v, rest, locals))
                    .collect::<Result<_, _>>()?,
            ),
            Value::Tuple(items) | Value::Set(items) => Value::Tuple(
                items
                    .into_iter()
                    .map(|v| self.traverse(v, rest, locals))
                    .collect::<Result<_, _>>()?,
            ),
            // A single value is treated as a one-element tuple.
            other => Value::Tuple(vec![self.traverse(other, rest, locals)?]),
        };
        Ok(result.with_mark(marked))
    }
}

pub(super) fn get_attr(value: Value, name: &Ident) -> EvalResult {
    let (value, marked) = value.unmark();
    let result = match value {
        Value::Null(_) => {
            return Err(
                Diagnostic::error("Attempt to get attribute from null value")
                    .with_detail("This value is null, so it does not have any attributes.")
                    .with_span(name.span),
            );
        }
        Value::Unknown(Type::Object(attrs)) => match attrs.get(&name.name) {
            Some(t) => Value::Unknown(t.clone()),
            None => return Err(no_attribute(&name.name, attrs.keys(), name.span)),
        },
        Value::Unknown(Type::Map(elem)) => Value::Unknown(*elem),
        Value::Unknown(_) => Value::unknown(),
        Value::Object(mut attrs) => match attrs.remove(&name.name) {
            Some(v) => v,
            None => return Err(no_attribute(&name.name, attrs.keys(), name.span)),
        },
        Value::Map(mut items) => match items.remove(&name.name) {
            Some(v) => v,
            None => {
                return Err(Diagnostic::error("Missing map element")
                    .with_detail(format!(
                        "This map does not have an element with the key \"{}\".",
                        name.name
                    ))
                    .with_span(name.span));
            }
        },
        Value::List(_) | Value::Tuple(_) | Value::Set(_) => {
            return Err(Diagnostic::error("Unsupported attribute")
                .with_detail(format!(
                    "Can't access attributes on a list of objects. Did you mean to access attribute \"{}\" for a specific element of the list, or across all elements of the list?",
                    name.name
                ))
                .with_span(name.span)
                .with_hint(format!("Use [*].{} to get it from every element.", name.name)));
        }
        other => {
            return Err(Diagnostic::error("Unsupported attribute")
                .with_detail(format!(
                    "Can't access attributes on a primitive-typed value ({}).",
                    other.ty().friendly_name()
                ))
                .with_span(name.span));
        }
    };
    Ok(result.with_mark(marked))
}

fn no_attribute<'k>(name: &str, keys: impl Iterator<Item = &'k String>, span: Span) -> Diagnostic {
    let keys: Vec<&str> = keys.map(String::as_str).collect();
    let mut d = Diagnostic::error("Unsupported attribute")
        .with_detail(format!(
            "This object does not have an attribute named \"{name}\"."
        ))
        .with_span(span);
    if let Some(s) = suggest(name, keys.iter().copied()) {
        d = d.with_hint(format!("Did you mean \"{s}\"?"));
    }
    d
}

pub(super) fn index(collection: Value, key: Value, span: Span) -> EvalResult {
    let (collection, cm) = collection.unmark();
    let (key, km) = key.unmark();
    let marked = cm || km;
    if collection.is_null() {
        return Err(Diagnostic::error("Attempt to index null value")
            .with_detail("This value is null, so it does not have any indices.")
            .with_span(span));
    }
    if key.is_null() {
        return Err(Diagnostic::error("Invalid index")
            .with_detail("Can't use a null value as an indexing key.")
            .with_span(span));
    }
    if !key.is_known() {
        let elem = match &collection {
            Value::Unknown(Type::List(e) | Type::Map(e)) => (**e).clone(),
            Value::List(items) | Value::Tuple(items) => common(items.iter()),
            Value::Map(items) => common(items.values()),
            _ => Type::Dynamic,
        };
        return Ok(Value::Unknown(elem).with_mark(marked));
    }
    let result = match collection {
        Value::Unknown(Type::List(e) | Type::Map(e)) => Value::Unknown(*e),
        Value::Unknown(_) => Value::unknown(),
        Value::List(items) | Value::Tuple(items) => {
            let n = to_number_value(&key).ok_or_else(|| {
                Diagnostic::error("Invalid index")
                    .with_detail(format!(
                        "The given key does not identify an element in this collection value: a number is required, but have {}.",
                        key.ty().friendly_name()
                    ))
                    .with_span(span)
            })?;
            let i = n.to_i64().ok_or_else(|| {
                Diagnostic::error("Invalid index")
                    .with_detail("The given key does not identify an element in this collection value: indexes must be whole numbers.")
                    .with_span(span)
            })?;
            let len = items.len();
            if i < 0 || i as usize >= len {
                let why = if i < 0 {
                    "a negative number is not a valid index for a sequence".to_owned()
                } else {
                    format!(
                        "the given index is greater than or equal to the length of the collection ({len})"
                    )
                };
                return Err(Diagnostic::error("Invalid index")
                    .with_detail(format!(
                        "The given key does not identify an element in this collection value: {why}."
                    ))
                    .with_span(span));
            }
            items
                .into_iter()
                .nth(i as usize)
                .unwrap_or_else(Value::null)
        }
        Value::Map(mut items) | Value::Object(mut items) => {
            let k = to_string_value(&key).ok_or_else(|| {
                Diagnostic::error("Invalid index")
                    .with_detail(format!(
                        "The given key does not identify an element in this collection value: string required, but have {}.",
                        key.ty().friendly_name()
                    ))
                    .with_span(span)
            })?;
            match items.remove(&k) {
                Some(v) => v,
                None => {
                    let keys: Vec<&str> = items.keys().map(String::as_str).collect();
                    let mut d = Diagnostic::error("Invalid index")
                        .with_detail(format!(
                            "The given key does not identify an element in this collection value: there is no element with the key \"{k}\"."
                        ))
                        .with_span(span);
                    if let Some(s) = suggest(&k, keys.iter().copied()) {
                        d = d.with_hint(format!("Did you mean \"{s}\"?"));
                    }
                    return Err(d);
                }
            }
        }
        Value::Set(_) => {
            return Err(Diagnostic::error("Invalid index")
                .with_detail("Elements of a set are identified only by their value and don't have any separate index or key to select with, so it's only possible to perform operations across all elements of the set.")
                .with_span(span)
                .with_hint("Convert it with tolist() first, or iterate over it with a for expression."));
        }
        other => {
            return Err(Diagnostic::error("Invalid index")
                .with_detail(format!(
                    "This value does not have any indices: it is {}.",
                    other.ty().friendly_name()
                ))
                .with_span(span));
        }
    };
    Ok(result.with_mark(marked))
}

fn common<'a>(mut values: impl Iterator<Item = &'a Value>) -> Type {
    let Some(first) = values.next() else {
        return Type::Dynamic;
    };
    let t = first.ty();
    if values.all(|v| v.ty() == t) {
        t
    } else {
        Type::Dynamic
    }
}
