//! The spanned syntax tree of Terraform-language expressions and templates.
//!
//! Built from hcl-edit's tree by [`crate::syntax`] (native syntax) or from JSON syntax by the
//! config loader. Every node keeps the span of its source text for diagnostics.

use terrane_types::{Span, Value};

#[derive(Clone, Debug, PartialEq)]
pub struct Expr {
    pub kind: ExprKind,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub enum ExprKind {
    /// `null`, `true`, `42`, `"plain string"`.
    Literal(Value),
    /// A string with interpolations or directives, or a heredoc.
    Template(Template),
    /// `[a, b]`
    Tuple(Vec<Expr>),
    /// `{ key = value }`
    Object(Vec<(ObjectKey, Expr)>),
    /// A root name: `var`, `local`, `aws_instance`, a `for` variable, ...
    Variable(Ident),
    /// `expr.attr`, `expr[idx]`, `expr[*].attr`, `expr.*.attr`.
    Traversal(Box<Expr>, Vec<Traverser>),
    FuncCall(FuncCall),
    Unary(UnaryOp, Box<Expr>),
    Binary(BinaryOp, Box<Expr>, Box<Expr>),
    Conditional(Box<Expr>, Box<Expr>, Box<Expr>),
    For(Box<ForExpr>),
    /// `( expr )`: kept because it ends a splat's scope.
    Parens(Box<Expr>),
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Ident {
    pub name: String,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub enum ObjectKey {
    /// A bare identifier key: `name = ...` (a string, never a variable reference).
    Ident(Ident),
    /// Any other key expression, e.g. `"quoted"`, `(var.key)`, `"${x}-y"`.
    Expr(Expr),
}

impl ObjectKey {
    pub fn span(&self) -> Span {
        match self {
            ObjectKey::Ident(i) => i.span,
            ObjectKey::Expr(e) => e.span,
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub enum Traverser {
    /// `.name`; the span covers the dot and the name.
    Attr(Ident),
    /// `[expr]`, with the span of the whole step, brackets included.
    Index(Expr, Span),
    /// `.0` (legacy index syntax)
    LegacyIndex(u64, Span),
    /// `.*` : the following attribute accesses apply to every element.
    AttrSplat(Span),
    /// `[*]` : the following traversal applies to every element.
    FullSplat(Span),
}

impl Traverser {
    pub fn span(&self) -> Span {
        match self {
            Traverser::Attr(i) => i.span,
            Traverser::Index(_, s) => *s,
            Traverser::LegacyIndex(_, s) | Traverser::AttrSplat(s) | Traverser::FullSplat(s) => *s,
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct FuncCall {
    /// The function's name; provider functions have a namespace (`provider::aws::arn_parse`).
    pub name: Ident,
    pub namespace: Vec<String>,
    pub args: Vec<Expr>,
    /// The last argument ends in `...`: its elements are passed as separate arguments.
    pub expand_final: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum UnaryOp {
    Neg,
    Not,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BinaryOp {
    Eq,
    NotEq,
    Lt,
    LtEq,
    Gt,
    GtEq,
    Add,
    Sub,
    Mul,
    Div,
    Mod,
    And,
    Or,
}

impl BinaryOp {
    pub fn symbol(self) -> &'static str {
        match self {
            BinaryOp::Eq => "==",
            BinaryOp::NotEq => "!=",
            BinaryOp::Lt => "<",
            BinaryOp::LtEq => "<=",
            BinaryOp::Gt => ">",
            BinaryOp::GtEq => ">=",
            BinaryOp::Add => "+",
            BinaryOp::Sub => "-",
            BinaryOp::Mul => "*",
            BinaryOp::Div => "/",
            BinaryOp::Mod => "%",
            BinaryOp::And => "&&",
            BinaryOp::Or => "||",
        }
    }
}

/// `[for k, v in coll : expr if cond]` or `{for k, v in coll : key => value... if cond}`.
#[derive(Clone, Debug, PartialEq)]
pub struct ForExpr {
    pub key_var: Option<Ident>,
    pub value_var: Ident,
    pub collection: Expr,
    /// Present for an object `for`: the key expression.
    pub key_expr: Option<Expr>,
    pub value_expr: Expr,
    pub cond: Option<Expr>,
    /// `...` after the value: values with the same key are grouped into lists.
    pub grouping: bool,
}

/// A string template: literal text, interpolations, and `%{if}` / `%{for}` directives.
/// Whitespace stripping (`~`) has already been applied to the literal parts.
#[derive(Clone, Debug, PartialEq)]
pub struct Template {
    pub parts: Vec<TemplatePart>,
}

#[derive(Clone, Debug, PartialEq)]
pub enum TemplatePart {
    Literal(String),
    Interpolation(Expr),
    If {
        cond: Expr,
        then: Template,
        otherwise: Option<Template>,
        span: Span,
    },
    For {
        key_var: Option<Ident>,
        value_var: Ident,
        collection: Expr,
        body: Template,
        span: Span,
    },
}

impl Template {
    /// A template that is a single interpolation (`"${x}"`) yields the value itself, unconverted.
    pub fn as_single_interpolation(&self) -> Option<&Expr> {
        match self.parts.as_slice() {
            [TemplatePart::Interpolation(e)] => Some(e),
            _ => None,
        }
    }
}

impl Expr {
    pub fn new(kind: ExprKind, span: Span) -> Expr {
        Expr { kind, span }
    }

    pub fn literal(value: Value, span: Span) -> Expr {
        Expr::new(ExprKind::Literal(value), span)
    }

    /// The expression without enclosing parentheses.
    pub fn unparen(&self) -> &Expr {
        match &self.kind {
            ExprKind::Parens(inner) => inner.unparen(),
            _ => self,
        }
    }

    /// A static traversal such as `aws_instance.web` or `var.name`: root name and attribute
    /// names, used where Terraform wants a bare reference (`depends_on`, `ignore_changes`).
    pub fn as_static_traversal(&self) -> Option<(Ident, Vec<Traverser>)> {
        match &self.unparen().kind {
            ExprKind::Variable(root) => Some((root.clone(), Vec::new())),
            ExprKind::Traversal(inner, ops) => match &inner.kind {
                ExprKind::Variable(root) => Some((root.clone(), ops.clone())),
                _ => None,
            },
            _ => None,
        }
    }

    /// A bare keyword or name (`any`, `string`, `create_before_destroy`), as used in type
    /// expressions and some meta-arguments.
    pub fn as_keyword(&self) -> Option<&str> {
        match &self.unparen().kind {
            ExprKind::Variable(i) => Some(&i.name),
            _ => None,
        }
    }
}

impl Template {
    /// The root names the template refers to that its own `for` directives do not bind, in
    /// order of appearance: what `templatefile`'s `vars` must provide.
    pub fn free_variables(&self) -> Vec<Ident> {
        let mut out = Vec::new();
        template_roots(self, &mut Vec::new(), &mut out);
        out
    }
}

fn template_roots(t: &Template, bound: &mut Vec<String>, out: &mut Vec<Ident>) {
    for part in &t.parts {
        match part {
            TemplatePart::Literal(_) => {}
            TemplatePart::Interpolation(e) => expr_roots(e, bound, out),
            TemplatePart::If {
                cond,
                then,
                otherwise,
                ..
            } => {
                expr_roots(cond, bound, out);
                template_roots(then, bound, out);
                if let Some(o) = otherwise {
                    template_roots(o, bound, out);
                }
            }
            TemplatePart::For {
                key_var,
                value_var,
                collection,
                body,
                ..
            } => {
                expr_roots(collection, bound, out);
                let n = bound.len();
                bound.push(value_var.name.clone());
                bound.extend(key_var.iter().map(|k| k.name.clone()));
                template_roots(body, bound, out);
                bound.truncate(n);
            }
        }
    }
}

fn expr_roots(e: &Expr, bound: &mut Vec<String>, out: &mut Vec<Ident>) {
    match &e.kind {
        ExprKind::Literal(_) => {}
        ExprKind::Template(t) => template_roots(t, bound, out),
        ExprKind::Tuple(items) => items.iter().for_each(|i| expr_roots(i, bound, out)),
        ExprKind::Object(items) => {
            for (k, v) in items {
                if let ObjectKey::Expr(k) = k {
                    expr_roots(k, bound, out);
                }
                expr_roots(v, bound, out);
            }
        }
        ExprKind::Variable(i) => {
            if !bound.contains(&i.name) {
                out.push(i.clone());
            }
        }
        ExprKind::Traversal(base, ops) => {
            expr_roots(base, bound, out);
            for op in ops {
                if let Traverser::Index(i, _) = op {
                    expr_roots(i, bound, out);
                }
            }
        }
        ExprKind::FuncCall(c) => c.args.iter().for_each(|a| expr_roots(a, bound, out)),
        ExprKind::Unary(_, x) | ExprKind::Parens(x) => expr_roots(x, bound, out),
        ExprKind::Binary(_, a, b) => {
            expr_roots(a, bound, out);
            expr_roots(b, bound, out);
        }
        ExprKind::Conditional(a, b, c) => {
            expr_roots(a, bound, out);
            expr_roots(b, bound, out);
            expr_roots(c, bound, out);
        }
        ExprKind::For(f) => {
            expr_roots(&f.collection, bound, out);
            let n = bound.len();
            bound.push(f.value_var.name.clone());
            bound.extend(f.key_var.iter().map(|k| k.name.clone()));
            for x in f.key_expr.iter().chain([&f.value_expr]).chain(&f.cond) {
                expr_roots(x, bound, out);
            }
            bound.truncate(n);
        }
    }
}
