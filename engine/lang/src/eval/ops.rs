//! Unary and binary operators, with Terraform's conversions and unknown propagation.

use crate::ast::{BinaryOp, UnaryOp};
use crate::functions::{to_bool_value, to_number_value};
use terrane_types::{Diagnostic, Span, Type, Value};

pub(super) fn unary(op: UnaryOp, v: Value, span: Span) -> Result<Value, Diagnostic> {
    let (v, marked) = v.unmark();
    let result = match op {
        UnaryOp::Neg => {
            if !v.is_known() {
                Value::Unknown(Type::Number)
            } else {
                Value::Number(operand_number(&v, span, "operand")?.neg())
            }
        }
        UnaryOp::Not => {
            if !v.is_known() {
                Value::Unknown(Type::Bool)
            } else {
                Value::Bool(!operand_bool(&v, span, "operand")?)
            }
        }
    };
    Ok(result.with_mark(marked))
}

pub(super) fn binary(
    op: BinaryOp,
    l: Value,
    r: Value,
    lspan: Span,
    rspan: Span,
) -> Result<Value, Diagnostic> {
    let (l, lm) = l.unmark();
    let (r, rm) = r.unmark();
    let marked = lm || rm;
    let result = match op {
        BinaryOp::Eq | BinaryOp::NotEq => {
            let (l, lm2) = l.unmark_deep();
            let (r, rm2) = r.unmark_deep();
            let eq = equals(&l, &r);
            return Ok(match eq {
                Some(eq) => Value::Bool(if op == BinaryOp::Eq { eq } else { !eq }),
                None => Value::Unknown(Type::Bool),
            }
            .with_mark(marked || lm2 || rm2));
        }
        BinaryOp::And | BinaryOp::Or => {
            let short = op == BinaryOp::Or; // the value that decides the result alone
            let lb = if l.is_known() {
                Some(operand_bool(&l, lspan, "left operand")?)
            } else {
                None
            };
            let rb = if r.is_known() {
                Some(operand_bool(&r, rspan, "right operand")?)
            } else {
                None
            };
            match (lb, rb) {
                (Some(a), Some(b)) => Value::Bool(if short { a || b } else { a && b }),
                (Some(x), None) | (None, Some(x)) if x == short => Value::Bool(short),
                _ => Value::Unknown(Type::Bool),
            }
        }
        _ => {
            let is_comparison = matches!(
                op,
                BinaryOp::Lt | BinaryOp::LtEq | BinaryOp::Gt | BinaryOp::GtEq
            );
            if !l.is_known() || !r.is_known() {
                // Still check the known side's type, as Terraform does.
                if l.is_known() {
                    operand_number(&l, lspan, "left operand")?;
                }
                if r.is_known() {
                    operand_number(&r, rspan, "right operand")?;
                }
                let ty = if is_comparison {
                    Type::Bool
                } else {
                    Type::Number
                };
                return Ok(Value::Unknown(ty).with_mark(marked));
            }
            let a = operand_number(&l, lspan, "left operand")?;
            let b = operand_number(&r, rspan, "right operand")?;
            match op {
                BinaryOp::Add => Value::Number(a.add(&b)),
                BinaryOp::Sub => Value::Number(a.sub(&b)),
                BinaryOp::Mul => Value::Number(a.mul(&b)),
                BinaryOp::Div => Value::Number(a.div(&b).ok_or_else(|| {
                    Diagnostic::error("Operation failed")
                        .with_detail("Error during operation: can't divide by zero.")
                        .with_span(rspan)
                })?),
                BinaryOp::Mod => Value::Number(a.rem(&b).ok_or_else(|| {
                    Diagnostic::error("Operation failed")
                        .with_detail("Error during operation: can't use modulo by zero.")
                        .with_span(rspan)
                })?),
                BinaryOp::Lt => Value::Bool(a < b),
                BinaryOp::LtEq => Value::Bool(a <= b),
                BinaryOp::Gt => Value::Bool(a > b),
                BinaryOp::GtEq => Value::Bool(a >= b),
                _ => unreachable!("handled above"),
            }
        }
    };
    Ok(result.with_mark(marked))
}

/// Deep equality with unknowns: `None` when the answer depends on an unknown value.
/// Values of different types are unequal, except primitives Terraform would not convert either:
/// `1 == "1"` is false.
fn equals(a: &Value, b: &Value) -> Option<bool> {
    match (a, b) {
        (Value::Unknown(_), _) | (_, Value::Unknown(_)) => None,
        (Value::Null(_), Value::Null(_)) => Some(true),
        (Value::Null(_), _) | (_, Value::Null(_)) => Some(false),
        (
            Value::List(x) | Value::Tuple(x) | Value::Set(x),
            Value::List(y) | Value::Tuple(y) | Value::Set(y),
        ) => {
            if std::mem::discriminant(a) != std::mem::discriminant(b)
                && (matches!(a, Value::Set(_)) || matches!(b, Value::Set(_)))
            {
                return Some(false);
            }
            if x.len() != y.len() {
                return Some(false);
            }
            let mut unknown = false;
            for (p, q) in x.iter().zip(y) {
                match equals(p, q) {
                    Some(false) => return Some(false),
                    None => unknown = true,
                    Some(true) => {}
                }
            }
            if unknown { None } else { Some(true) }
        }
        (Value::Map(x) | Value::Object(x), Value::Map(y) | Value::Object(y)) => {
            if x.len() != y.len() || x.keys().ne(y.keys()) {
                return Some(false);
            }
            let mut unknown = false;
            for (p, q) in x.values().zip(y.values()) {
                match equals(p, q) {
                    Some(false) => return Some(false),
                    None => unknown = true,
                    Some(true) => {}
                }
            }
            if unknown { None } else { Some(true) }
        }
        _ => Some(a == b),
    }
}

fn operand_number(v: &Value, span: Span, which: &str) -> Result<terrane_types::Number, Diagnostic> {
    if v.is_null() {
        return Err(Diagnostic::error("Invalid operand")
            .with_detail(format!(
                "Unsuitable value for {which}: a number is required, but the value is null."
            ))
            .with_span(span));
    }
    to_number_value(v).ok_or_else(|| {
        Diagnostic::error("Invalid operand")
            .with_detail(format!(
                "Unsuitable value for {which}: a number is required, but have {}.",
                v.ty().friendly_name()
            ))
            .with_span(span)
    })
}

fn operand_bool(v: &Value, span: Span, which: &str) -> Result<bool, Diagnostic> {
    if v.is_null() {
        return Err(Diagnostic::error("Invalid operand")
            .with_detail(format!(
                "Unsuitable value for {which}: a bool is required, but the value is null."
            ))
            .with_span(span));
    }
    to_bool_value(v).ok_or_else(|| {
        Diagnostic::error("Invalid operand")
            .with_detail(format!(
                "Unsuitable value for {which}: a bool is required, but have {}.",
                v.ty().friendly_name()
            ))
            .with_span(span)
    })
}
