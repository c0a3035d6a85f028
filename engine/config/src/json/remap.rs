//! Rewrites every span of an expression tree: a template parsed from a JSON string's decoded
//! text has spans into that text, which are mapped back to the file through the string's
//! escape table.

use terrane_lang::ast::{Expr, ExprKind, Ident, ObjectKey, Template, TemplatePart, Traverser};
use terrane_types::Span;

pub(super) fn expr(e: &mut Expr, f: &dyn Fn(Span) -> Span) {
    e.span = f(e.span);
    match &mut e.kind {
        ExprKind::Literal(_) => {}
        ExprKind::Template(t) => template(t, f),
        ExprKind::Tuple(items) => items.iter_mut().for_each(|i| expr(i, f)),
        ExprKind::Object(items) => {
            for (k, v) in items {
                match k {
                    ObjectKey::Ident(i) => ident(i, f),
                    ObjectKey::Expr(k) => expr(k, f),
                }
                expr(v, f);
            }
        }
        ExprKind::Variable(i) => ident(i, f),
        ExprKind::Traversal(base, ops) => {
            expr(base, f);
            for op in ops {
                match op {
                    Traverser::Attr(i) => ident(i, f),
                    Traverser::Index(i, _) => expr(i, f),
                    Traverser::LegacyIndex(_, s)
                    | Traverser::AttrSplat(s)
                    | Traverser::FullSplat(s) => *s = f(*s),
                }
            }
        }
        ExprKind::FuncCall(call) => {
            ident(&mut call.name, f);
            call.args.iter_mut().for_each(|a| expr(a, f));
        }
        ExprKind::Unary(_, e) | ExprKind::Parens(e) => expr(e, f),
        ExprKind::Binary(_, a, b) => {
            expr(a, f);
            expr(b, f);
        }
        ExprKind::Conditional(c, a, b) => {
            expr(c, f);
            expr(a, f);
            expr(b, f);
        }
        ExprKind::For(fe) => {
            if let Some(k) = &mut fe.key_var {
                ident(k, f);
            }
            ident(&mut fe.value_var, f);
            expr(&mut fe.collection, f);
            if let Some(k) = &mut fe.key_expr {
                expr(k, f);
            }
            expr(&mut fe.value_expr, f);
            if let Some(c) = &mut fe.cond {
                expr(c, f);
            }
        }
    }
}

pub(super) fn template(t: &mut Template, f: &dyn Fn(Span) -> Span) {
    for part in &mut t.parts {
        match part {
            TemplatePart::Literal(_) => {}
            TemplatePart::Interpolation(e) => expr(e, f),
            TemplatePart::If {
                cond,
                then,
                otherwise,
                span,
            } => {
                *span = f(*span);
                expr(cond, f);
                template(then, f);
                if let Some(o) = otherwise {
                    template(o, f);
                }
            }
            TemplatePart::For {
                key_var,
                value_var,
                collection,
                body,
                span,
            } => {
                *span = f(*span);
                if let Some(k) = key_var {
                    ident(k, f);
                }
                ident(value_var, f);
                expr(collection, f);
                template(body, f);
            }
        }
    }
}

fn ident(i: &mut Ident, f: &dyn Fn(Span) -> Span) {
    i.span = f(i.span);
}
