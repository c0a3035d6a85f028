//! Evaluation of expressions to values, with unknown values and sensitive marks propagated
//! through every operator and function.

mod calls;
mod ops;
mod template;
mod traverse;

use crate::ast::{Expr, ExprKind, ForExpr, Ident, ObjectKey};
use crate::functions::to_string_value;
use std::collections::BTreeMap;
use std::path::Path;
use terrane_types::{Diagnostic, Span, Type, Value, suggest};

pub use template::render_template_file;

/// The names an expression can refer to at its root (`var`, `local`, `aws_instance`, `each`...).
pub trait Scope {
    /// The value bound to a root name, if the name is known here.
    fn lookup(&self, name: &str) -> Option<&Value>;

    /// Names that exist, for "did you mean" hints.
    fn names(&self) -> Vec<String> {
        Vec::new()
    }
}

/// A scope made of a plain map, for tests, `templatefile` and tools.
impl Scope for BTreeMap<String, Value> {
    fn lookup(&self, name: &str) -> Option<&Value> {
        self.get(name)
    }

    fn names(&self) -> Vec<String> {
        self.keys().cloned().collect()
    }
}

/// Everything an evaluation needs besides the expression.
#[derive(Clone, Copy)]
pub struct EvalCtx<'a> {
    pub scope: &'a dyn Scope,
    /// Relative paths given to file functions resolve against this directory.
    pub base_dir: &'a Path,
}

/// Variables introduced by `for` expressions and template `for` directives, innermost first.
#[derive(Clone, Copy)]
struct Locals<'l> {
    name: &'l str,
    value: &'l Value,
    parent: Option<&'l Locals<'l>>,
}

impl<'l> Locals<'l> {
    fn get(&self, name: &str) -> Option<&'l Value> {
        if self.name == name {
            Some(self.value)
        } else {
            self.parent.and_then(|p| p.get(name))
        }
    }
}

pub type EvalResult = Result<Value, Diagnostic>;

impl<'a> EvalCtx<'a> {
    pub fn new(scope: &'a dyn Scope, base_dir: &'a Path) -> EvalCtx<'a> {
        EvalCtx { scope, base_dir }
    }

    /// Evaluates an expression.
    pub fn eval(&self, expr: &Expr) -> EvalResult {
        Evaluator { ctx: *self }.eval(expr, None)
    }
}

struct Evaluator<'a> {
    ctx: EvalCtx<'a>,
}

impl Evaluator<'_> {
    fn eval(&self, expr: &Expr, locals: Option<&Locals>) -> EvalResult {
        match &expr.kind {
            ExprKind::Literal(v) => Ok(v.clone()),
            ExprKind::Template(t) => match t.as_single_interpolation() {
                Some(inner) => self.eval(inner, locals),
                None => self.template(t, locals),
            },
            ExprKind::Tuple(items) => Ok(Value::Tuple(
                items
                    .iter()
                    .map(|i| self.eval(i, locals))
                    .collect::<Result<_, _>>()?,
            )),
            ExprKind::Object(items) => self.object(items, locals),
            ExprKind::Variable(ident) => self.variable(ident, locals),
            ExprKind::Traversal(base, ops) => {
                if let ExprKind::Variable(ident) = &base.kind {
                    return self.traverse_root(ident, ops, locals);
                }
                let value = self.eval(base, locals)?;
                self.traverse(value, ops, locals)
            }
            ExprKind::FuncCall(call) => self.call(call, expr.span, locals),
            ExprKind::Unary(op, operand) => {
                let v = self.eval(operand, locals)?;
                ops::unary(*op, v, operand.span)
            }
            ExprKind::Binary(op, lhs, rhs) => {
                let l = self.eval(lhs, locals)?;
                let r = self.eval(rhs, locals)?;
                ops::binary(*op, l, r, lhs.span, rhs.span)
            }
            ExprKind::Conditional(cond, yes, no) => self.conditional(cond, yes, no, locals),
            ExprKind::For(f) => self.for_expr(f, locals),
            ExprKind::Parens(inner) => self.eval(inner, locals),
        }
    }

    fn lookup<'v>(&'v self, ident: &Ident, locals: Option<&Locals<'v>>) -> Option<&'v Value> {
        locals
            .and_then(|l| l.get(&ident.name))
            .or_else(|| self.ctx.scope.lookup(&ident.name))
    }

    /// `root.a.b[k]...`: walks plain objects and collections by reference and clones only what
    /// the traversal reaches, so a reference into a root holding thousands of resource
    /// instances costs the size of the answer, not of the root.
    fn traverse_root(
        &self,
        ident: &Ident,
        ops: &[crate::ast::Traverser],
        locals: Option<&Locals>,
    ) -> EvalResult {
        use crate::ast::Traverser;
        let Some(mut current) = self.lookup(ident, locals) else {
            return Err(self
                .variable(ident, locals)
                .err()
                .unwrap_or_else(|| Diagnostic::error("Unknown variable").with_span(ident.span)));
        };
        let mut rest = ops;
        while let Some((op, tail)) = rest.split_first() {
            let next = match (op, current) {
                (Traverser::Attr(a), Value::Object(m) | Value::Map(m)) => m.get(&a.name),
                (Traverser::Index(e, _), Value::List(items) | Value::Tuple(items)) => {
                    match self.eval(e, locals)? {
                        Value::Number(n) => n
                            .to_i64()
                            .and_then(|i| usize::try_from(i).ok())
                            .and_then(|i| items.get(i)),
                        _ => None,
                    }
                }
                (Traverser::LegacyIndex(i, _), Value::List(items) | Value::Tuple(items)) => {
                    usize::try_from(*i).ok().and_then(|i| items.get(i))
                }
                (Traverser::Index(e, _), Value::Object(m) | Value::Map(m)) => {
                    match self.eval(e, locals)? {
                        Value::String(k) => m.get(&k),
                        _ => None,
                    }
                }
                _ => None,
            };
            match next {
                Some(v) => {
                    current = v;
                    rest = tail;
                }
                // Anything unusual (marks, unknowns, errors) takes the general path.
                None => break,
            }
        }
        self.traverse(current.clone(), rest, locals)
    }

    fn variable(&self, ident: &Ident, locals: Option<&Locals>) -> EvalResult {
        if let Some(v) = self.lookup(ident, locals) {
            return Ok(v.clone());
        }
        let mut names = self.ctx.scope.names();
        let mut l = locals;
        while let Some(cur) = l {
            names.push(cur.name.to_owned());
            l = cur.parent;
        }
        let mut d = Diagnostic::error("Unknown variable")
            .with_detail(format!("There is no variable named \"{}\".", ident.name))
            .with_span(ident.span);
        if let Some(s) = suggest(&ident.name, names.iter().map(String::as_str)) {
            d = d.with_hint(format!("Did you mean \"{s}\"?"));
        }
        Err(d)
    }

    fn object(&self, items: &[(ObjectKey, Expr)], locals: Option<&Locals>) -> EvalResult {
        let mut out = BTreeMap::new();
        let mut unknown = false;
        let mut sensitive = false;
        let mut seen: BTreeMap<String, Span> = BTreeMap::new();
        for (key, value_expr) in items {
            let key_span = key.span();
            let key = match key {
                ObjectKey::Ident(i) => i.name.clone(),
                ObjectKey::Expr(e) => {
                    let (k, marked) = self.eval(e, locals)?.unmark();
                    sensitive |= marked;
                    if !k.is_known() {
                        unknown = true;
                        continue;
                    }
                    if k.is_null() {
                        return Err(Diagnostic::error("Invalid object key")
                            .with_detail("Key expression in object constructor must not be null.")
                            .with_span(key_span));
                    }
                    to_string_value(&k).ok_or_else(|| {
                        Diagnostic::error("Incorrect key type")
                            .with_detail(format!(
                                "Can't use this value as a key: string required, but have {}.",
                                k.ty().friendly_name()
                            ))
                            .with_span(key_span)
                    })?
                }
            };
            if let Some(previous) = seen.insert(key.clone(), key_span) {
                return Err(Diagnostic::error("Duplicate object attribute")
                    .with_detail(format!(
                        "An attribute named \"{key}\" was already defined in this object."
                    ))
                    .with_span(key_span)
                    .with_label(previous, "first defined here"));
            }
            out.insert(key, self.eval(value_expr, locals)?);
        }
        if unknown {
            return Ok(Value::unknown().with_mark(sensitive));
        }
        Ok(Value::Object(out).with_mark(sensitive))
    }

    fn conditional(
        &self,
        cond: &Expr,
        yes: &Expr,
        no: &Expr,
        locals: Option<&Locals>,
    ) -> EvalResult {
        let (c, marked) = self.eval(cond, locals)?.unmark();
        if c.is_null() {
            return Err(Diagnostic::error("Null condition")
                .with_detail(
                    "The condition value is null. Conditions must either be true or false.",
                )
                .with_span(cond.span));
        }
        let chosen = if c.is_known() {
            Some(crate::functions::to_bool_value(&c).ok_or_else(|| {
                Diagnostic::error("Incorrect condition type")
                    .with_detail(format!(
                        "The condition expression must be of type bool, but it is {}.",
                        c.ty().friendly_name()
                    ))
                    .with_span(cond.span)
            })?)
        } else {
            None
        };
        // As HCL does, both results are evaluated so their types can be checked against each
        // other; only the chosen one's errors count.
        let a = self.eval(yes, locals);
        let b = self.eval(no, locals);
        let unified = match (&a, &b) {
            (Ok(x), Ok(y)) => {
                let (tx, ty) = (x.ty(), y.ty());
                match crate::convert::unify(&[tx.clone(), ty.clone()]) {
                    Some(t) => Some(t),
                    None => {
                        return Err(Diagnostic::error("Inconsistent conditional result types")
                            .with_detail(format!(
                                "The true and false result expressions must have consistent types. The 'true' value is {}, but the 'false' value is {}.",
                                crate::convert::friendly_name(&tx),
                                crate::convert::friendly_name(&ty)
                            ))
                            .with_span(yes.span.to(no.span)));
                    }
                }
            }
            _ => None,
        };
        let result = match chosen {
            None => {
                // Unknown condition: the result is unknown, of the type both branches share.
                let (a, b) = (a?, b?);
                let sensitive = a.contains_sensitive() || b.contains_sensitive();
                return Ok(
                    Value::Unknown(unified.unwrap_or(Type::Dynamic)).with_mark(marked || sensitive)
                );
            }
            Some(true) => a?,
            Some(false) => b?,
        };
        let result = match unified {
            Some(t) if !t.has_dynamic() && result.is_wholly_known() => {
                crate::convert::convert_to_type(result.clone(), &t).unwrap_or(result)
            }
            _ => result,
        };
        Ok(result.with_mark(marked))
    }

    fn for_expr(&self, f: &ForExpr, locals: Option<&Locals>) -> EvalResult {
        let (collection, marked) = self.eval(&f.collection, locals)?.unmark();
        if collection.is_null() {
            return Err(Diagnostic::error("Iteration over null value")
                .with_detail("A null value cannot be used as the collection in a 'for' expression.")
                .with_span(f.collection.span));
        }
        if !collection.is_known() {
            return Ok(Value::unknown().with_mark(marked));
        }
        let pairs = iteration_pairs(&collection).ok_or_else(|| {
            Diagnostic::error("Iteration over non-iterable value")
                .with_detail(format!(
                    "A value of type {} cannot be used as the collection in a 'for' expression.",
                    collection.ty().friendly_name()
                ))
                .with_span(f.collection.span)
        })?;
        let mut tuple = Vec::new();
        let mut object: BTreeMap<String, Value> = BTreeMap::new();
        let mut grouped: BTreeMap<String, Vec<Value>> = BTreeMap::new();
        let mut unknown = false;
        for (k, v) in &pairs {
            let value_local = Locals {
                name: &f.value_var.name,
                value: v,
                parent: locals,
            };
            let key_local;
            let scope = match &f.key_var {
                Some(kv) => {
                    key_local = Locals {
                        name: &kv.name,
                        value: k,
                        parent: Some(&value_local),
                    };
                    &key_local
                }
                None => &value_local,
            };
            if let Some(cond) = &f.cond {
                let (c, _) = self.eval(cond, Some(scope))?.unmark();
                if !c.is_known() {
                    unknown = true;
                    continue;
                }
                match crate::functions::to_bool_value(&c) {
                    Some(true) => {}
                    Some(false) => continue,
                    None => {
                        return Err(Diagnostic::error("Invalid 'for' condition")
                            .with_detail(format!(
                                "The 'if' clause value is invalid: bool required, but have {}.",
                                c.ty().friendly_name()
                            ))
                            .with_span(cond.span));
                    }
                }
            }
            let value = self.eval(&f.value_expr, Some(scope))?;
            match &f.key_expr {
                None => tuple.push(value),
                Some(key_expr) => {
                    let (key, _) = self.eval(key_expr, Some(scope))?.unmark();
                    if !key.is_known() {
                        unknown = true;
                        continue;
                    }
                    let key = to_string_value(&key).ok_or_else(|| {
                        Diagnostic::error("Invalid object key")
                            .with_detail(format!(
                                "Key expression in 'for' expression must be a string, but have {}.",
                                key.ty().friendly_name()
                            ))
                            .with_span(key_expr.span)
                    })?;
                    if f.grouping {
                        grouped.entry(key).or_default().push(value);
                    } else if let std::collections::btree_map::Entry::Vacant(slot) =
                        object.entry(key.clone())
                    {
                        slot.insert(value);
                    } else {
                        return Err(Diagnostic::error("Duplicate object key")
                            .with_detail(format!(
                                "Two different items produced the key \"{key}\" in this 'for' expression. If duplicates are expected, use the ellipsis (...) after the value expression to enable grouping by key."
                            ))
                            .with_span(key_expr.span)
                            .with_hint("Add `...` after the value expression to group values by key."));
                    }
                }
            }
        }
        if unknown {
            return Ok(Value::unknown().with_mark(marked));
        }
        let result = match &f.key_expr {
            None => Value::Tuple(tuple),
            Some(_) if f.grouping => Value::Object(
                grouped
                    .into_iter()
                    .map(|(k, vs)| (k, Value::Tuple(vs)))
                    .collect(),
            ),
            Some(_) => Value::Object(object),
        };
        Ok(result.with_mark(marked))
    }
}

/// The (key, value) pairs a `for` iterates over: indexes for sequences, keys for maps/objects.
fn iteration_pairs(collection: &Value) -> Option<Vec<(Value, Value)>> {
    match collection.unmarked() {
        Value::List(items) | Value::Tuple(items) => Some(
            items
                .iter()
                .enumerate()
                .map(|(i, v)| (Value::number(i), v.clone()))
                .collect(),
        ),
        // A set's elements are their own keys.
        Value::Set(items) => Some(items.iter().map(|v| (v.clone(), v.clone())).collect()),
        Value::Map(items) | Value::Object(items) => Some(
            items
                .iter()
                .map(|(k, v)| (Value::string(k.clone()), v.clone()))
                .collect(),
        ),
        _ => None,
    }
}

#[cfg(test)]
mod tests;
