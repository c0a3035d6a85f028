//! Native-syntax parsing: hcl-edit's lossless tree lowered into our spanned [`ast`](crate::ast).
//!
//! Spans from hcl-edit are byte ranges relative to the text it parsed; a [`Lowerer`] adds the
//! offset of that text within its file, so a span always points into the original file.

use crate::ast::*;
use hcl::edit::expr::{
    BinaryOperator, Expression, ObjectKey as HclObjectKey, TraversalOperator, UnaryOperator,
};
use hcl::edit::template::{Directive, Element, Template as HclTemplate};
use hcl::edit::{Decorated, Ident as HclIdent, Span as _};
use terrane_types::{Diagnostic, FileId, Number, Span, Value};

/// Turns hcl-edit nodes of one parsed text into AST nodes with file spans.
#[derive(Clone, Copy)]
pub struct Lowerer<'a> {
    pub file: FileId,
    /// The text hcl-edit parsed (spans index into it).
    pub src: &'a str,
    /// Where that text starts in the file.
    pub base: usize,
}

impl<'a> Lowerer<'a> {
    pub fn new(file: FileId, src: &'a str) -> Lowerer<'a> {
        Lowerer { file, src, base: 0 }
    }

    /// The file span of a parser range, or `fallback` when the node has none.
    pub fn span(&self, range: Option<std::ops::Range<usize>>, fallback: Span) -> Span {
        match range {
            Some(r) => Span::new(self.file, r.start + self.base..r.end + self.base),
            None => fallback,
        }
    }

    fn whole(&self) -> Span {
        Span::new(self.file, self.base..self.base + self.src.len())
    }

    pub fn ident(&self, ident: &Decorated<HclIdent>, fallback: Span) -> Ident {
        Ident {
            name: ident.as_str().to_owned(),
            span: self.span(ident.span(), fallback),
        }
    }

    pub fn expr(&self, e: &Expression) -> Expr {
        self.expr_in(e, self.whole())
    }

    fn expr_in(&self, e: &Expression, parent: Span) -> Expr {
        let span = self.span(e.span(), parent);
        let kind = match e {
            Expression::Null(_) => ExprKind::Literal(Value::null()),
            Expression::Bool(b) => ExprKind::Literal(Value::Bool(*b.value())),
            Expression::Number(n) => {
                // Read the literal's own text so precision is never lost through f64.
                let text = self
                    .src
                    .get(span.start as usize - self.base..span.end as usize - self.base)
                    .unwrap_or("");
                let number = Number::parse(text)
                    .or_else(|| Number::parse(&n.value().to_string()))
                    .unwrap_or_default();
                ExprKind::Literal(Value::Number(number))
            }
            Expression::String(s) => ExprKind::Literal(Value::String(s.value().clone())),
            Expression::Array(items) => {
                ExprKind::Tuple(items.iter().map(|i| self.expr_in(i, span)).collect())
            }
            Expression::Object(obj) => ExprKind::Object(
                obj.iter()
                    .map(|(k, v)| {
                        let key = match k {
                            HclObjectKey::Ident(i) => ObjectKey::Ident(self.ident(i, span)),
                            HclObjectKey::Expression(e) => ObjectKey::Expr(self.expr_in(e, span)),
                        };
                        (key, self.expr_in(v.expr(), span))
                    })
                    .collect(),
            ),
            Expression::StringTemplate(t) => {
                let elements: Vec<&Element> = t.iter().collect();
                ExprKind::Template(self.template_elements(&elements, false, false, span))
            }
            Expression::HeredocTemplate(h) => ExprKind::Template(self.template(&h.template, span)),
            Expression::Parenthesis(p) => ExprKind::Parens(Box::new(self.expr_in(p.inner(), span))),
            Expression::Variable(v) => ExprKind::Variable(self.ident(v, span)),
            Expression::Conditional(c) => ExprKind::Conditional(
                Box::new(self.expr_in(&c.cond_expr, span)),
                Box::new(self.expr_in(&c.true_expr, span)),
                Box::new(self.expr_in(&c.false_expr, span)),
            ),
            Expression::FuncCall(call) => ExprKind::FuncCall(FuncCall {
                name: self.ident(&call.name.name, span),
                namespace: call
                    .name
                    .namespace
                    .iter()
                    .map(|n| n.as_str().to_owned())
                    .collect(),
                args: call.args.iter().map(|a| self.expr_in(a, span)).collect(),
                expand_final: call.args.expand_final(),
            }),
            Expression::Traversal(t) => {
                let base = self.expr_in(&t.expr, span);
                let ops = t
                    .operators
                    .iter()
                    .map(|op| {
                        let op_span = self.span(op.span(), span);
                        match op.value() {
                            TraversalOperator::AttrSplat(_) => Traverser::AttrSplat(op_span),
                            TraversalOperator::FullSplat(_) => Traverser::FullSplat(op_span),
                            // A step's span includes its `.` or brackets, as HCL's does.
                            TraversalOperator::GetAttr(i) => Traverser::Attr(Ident {
                                name: i.as_str().to_owned(),
                                span: op_span,
                            }),
                            TraversalOperator::Index(e) => {
                                Traverser::Index(self.expr_in(e, op_span), op_span)
                            }
                            TraversalOperator::LegacyIndex(i) => {
                                Traverser::LegacyIndex(*i.value(), op_span)
                            }
                        }
                    })
                    .collect();
                ExprKind::Traversal(Box::new(base), ops)
            }
            Expression::UnaryOp(op) => ExprKind::Unary(
                match op.operator.value() {
                    UnaryOperator::Neg => UnaryOp::Neg,
                    UnaryOperator::Not => UnaryOp::Not,
                },
                Box::new(self.expr_in(&op.expr, span)),
            ),
            Expression::BinaryOp(op) => ExprKind::Binary(
                match op.operator.value() {
                    BinaryOperator::Eq => BinaryOp::Eq,
                    BinaryOperator::NotEq => BinaryOp::NotEq,
                    BinaryOperator::LessEq => BinaryOp::LtEq,
                    BinaryOperator::GreaterEq => BinaryOp::GtEq,
                    BinaryOperator::Less => BinaryOp::Lt,
                    BinaryOperator::Greater => BinaryOp::Gt,
                    BinaryOperator::Plus => BinaryOp::Add,
                    BinaryOperator::Minus => BinaryOp::Sub,
                    BinaryOperator::Mul => BinaryOp::Mul,
                    BinaryOperator::Div => BinaryOp::Div,
                    BinaryOperator::Mod => BinaryOp::Mod,
                    BinaryOperator::And => BinaryOp::And,
                    BinaryOperator::Or => BinaryOp::Or,
                },
                Box::new(self.expr_in(&op.lhs_expr, span)),
                Box::new(self.expr_in(&op.rhs_expr, span)),
            ),
            Expression::ForExpr(f) => ExprKind::For(Box::new(ForExpr {
                key_var: f.intro.key_var.as_ref().map(|k| self.ident(k, span)),
                value_var: self.ident(&f.intro.value_var, span),
                collection: self.expr_in(&f.intro.collection_expr, span),
                key_expr: f.key_expr.as_ref().map(|k| self.expr_in(k, span)),
                value_expr: self.expr_in(&f.value_expr, span),
                cond: f.cond.as_ref().map(|c| self.expr_in(&c.expr, span)),
                grouping: f.grouping,
            })),
        };
        Expr::new(kind, span)
    }

    pub fn template(&self, t: &HclTemplate, parent: Span) -> Template {
        let span = self.span(t.span(), parent);
        let elements: Vec<&Element> = t.iter().collect();
        self.template_elements(&elements, false, false, span)
    }

    /// Lowers template elements, applying `~` strip markers to the neighbouring literals.
    /// `strip_first` / `strip_last` come from the markers of an enclosing directive.
    fn template_elements(
        &self,
        elements: &[&Element],
        strip_first: bool,
        strip_last: bool,
        span: Span,
    ) -> Template {
        let mut parts: Vec<TemplatePart> = Vec::with_capacity(elements.len());
        let mut strip_next = strip_first;
        for element in elements {
            let (strip_before, strip_after, part) = match element {
                Element::Literal(lit) => {
                    let text = if std::mem::take(&mut strip_next) {
                        lit.value().trim_start().to_owned()
                    } else {
                        lit.value().clone()
                    };
                    parts.push(TemplatePart::Literal(text));
                    continue;
                }
                Element::Interpolation(i) => (
                    i.strip.strip_start(),
                    i.strip.strip_end(),
                    TemplatePart::Interpolation(self.expr_in(&i.expr, span)),
                ),
                Element::Directive(d) => self.directive(d, span),
            };
            if strip_before && let Some(TemplatePart::Literal(prev)) = parts.last_mut() {
                prev.truncate(prev.trim_end().len());
            }
            parts.push(part);
            strip_next = strip_after;
        }
        if strip_last && let Some(TemplatePart::Literal(last)) = parts.last_mut() {
            last.truncate(last.trim_end().len());
        }
        parts.retain(|p| !matches!(p, TemplatePart::Literal(s) if s.is_empty()));
        Template { parts }
    }

    /// Returns (strip before, strip after, part) for an `%{if}` or `%{for}` directive.
    fn directive(&self, d: &Directive, parent: Span) -> (bool, bool, TemplatePart) {
        match d {
            Directive::If(dir) => {
                let span = self.span(dir.span(), parent);
                let ifx = &dir.if_expr;
                let endif = &dir.endif_expr;
                let then_strip_last = match &dir.else_expr {
                    Some(e) => e.strip.strip_start(),
                    None => endif.strip.strip_start(),
                };
                let then_elements: Vec<&Element> = ifx.template.iter().collect();
                let then = self.template_elements(
                    &then_elements,
                    ifx.strip.strip_end(),
                    then_strip_last,
                    span,
                );
                let otherwise = dir.else_expr.as_ref().map(|e| {
                    let els: Vec<&Element> = e.template.iter().collect();
                    self.template_elements(
                        &els,
                        e.strip.strip_end(),
                        endif.strip.strip_start(),
                        span,
                    )
                });
                (
                    ifx.strip.strip_start(),
                    endif.strip.strip_end(),
                    TemplatePart::If {
                        cond: self.expr_in(&ifx.cond_expr, span),
                        then,
                        otherwise,
                        span,
                    },
                )
            }
            Directive::For(dir) => {
                let span = self.span(dir.span(), parent);
                let forx = &dir.for_expr;
                let endfor = &dir.endfor_expr;
                let body_elements: Vec<&Element> = forx.template.iter().collect();
                let body = self.template_elements(
                    &body_elements,
                    forx.strip.strip_end(),
                    endfor.strip.strip_start(),
                    span,
                );
                (
                    forx.strip.strip_start(),
                    endfor.strip.strip_end(),
                    TemplatePart::For {
                        key_var: forx.key_var.as_ref().map(|k| self.ident(k, span)),
                        value_var: self.ident(&forx.value_var, span),
                        collection: self.expr_in(&forx.collection_expr, span),
                        body,
                        span,
                    },
                )
            }
        }
    }
}

/// A syntax error from hcl-edit as a diagnostic at the right place in the file, in HCL's
/// words where hcl-edit's message can be recognised. `src` is the text that was parsed, which
/// starts at byte `base` of the file.
pub fn parse_error(
    err: &hcl::edit::parser::Error,
    src: &str,
    file: FileId,
    base: usize,
) -> Diagnostic {
    let local = err.location().offset().min(src.len());
    let (summary, detail, at) = describe_parse_error(err.message(), src, local);
    let at = at.min(src.len());
    let len = src[at..].chars().next().map_or(0, char::len_utf8);
    Diagnostic::error(summary)
        .with_detail(detail)
        .with_span(Span::new(file, base + at..base + at + len))
}

/// HCL's summary and detail for one of hcl-edit's messages, and where to point.
fn describe_parse_error(message: &str, src: &str, at: usize) -> (&'static str, String, usize) {
    // hcl-edit's messages come in lower case without a final period; compare them that way.
    let lowered = message.trim().trim_end_matches('.').to_lowercase();
    let m = lowered.as_str();
    let before = src[..at].trim_end_matches([' ', '\t']);
    let said = |s: &str| s.to_owned();
    if m.starts_with("invalid expression") {
        return (
            "Invalid expression",
            said("Expected the start of an expression, but found an invalid expression token."),
            at,
        );
    }
    if m == "expected newline or eof" {
        return if before.ends_with('}') {
            (
                "Missing newline after block definition",
                said("A block definition must end with a newline."),
                at,
            )
        } else {
            (
                "Missing newline after argument",
                said("An argument definition must end with a newline."),
                at,
            )
        };
    }
    if m == "expected `]`" {
        return (
            "Missing item separator",
            said("Expected a comma to mark the beginning of the next item."),
            at,
        );
    }
    if m == "expected `)`" {
        return (
            "Missing argument separator",
            said("A comma is required to separate each function argument from the next."),
            at,
        );
    }
    if m == "expected `}`" {
        return (
            "Missing attribute separator",
            said("Expected a newline or comma to mark the beginning of the next attribute."),
            at,
        );
    }
    if m.contains("found redefined attribute") {
        let name: String = src[at..]
            .chars()
            .take_while(|c| c.is_alphanumeric() || *c == '_' || *c == '-')
            .collect();
        return (
            "Attribute redefined",
            format!("The argument \"{name}\" was already set. Each argument may be set only once."),
            at,
        );
    }
    if m == "unexpected token" {
        return (
            "Argument or block definition required",
            said("An argument or block definition is required here."),
            at,
        );
    }
    if m == "expected `{`" {
        return (
            "Invalid block definition",
            said(
                "A block definition must have block content delimited by \"{\" and \"}\", starting on the same line as the block header.",
            ),
            at,
        );
    }
    if m.starts_with("invalid structure") {
        // HCL points at the name that should have been followed by `=`.
        let line_start = src[..at].rfind('\n').map_or(0, |i| i + 1);
        let indent = src[line_start..at].len() - src[line_start..at].trim_start().len();
        return (
            "Argument or block definition required",
            said(
                "An argument or block definition is required here. To set an argument, use the equals sign \"=\" to introduce the argument value.",
            ),
            line_start + indent,
        );
    }
    if m == "expected heredoc end delimiter" {
        return (
            "Unterminated template string",
            said("No closing marker was found for the string."),
            src.len(),
        );
    }
    let mut detail = if m.is_empty() {
        said("The parser could not make sense of the text here.")
    } else {
        let mut d = message.trim().to_owned();
        if let Some(first) = d.get(..1) {
            let upper = first.to_uppercase();
            d.replace_range(..1, &upper);
        }
        if !d.ends_with('.') {
            d.push('.');
        }
        d
    };
    detail.shrink_to_fit();
    ("Invalid syntax", detail, at)
}

/// Parses one expression from text (e.g. a `-var` value or a `.tf.json` string), with spans
/// relative to `base` in `file`.
pub fn parse_expr(src: &str, file: FileId, base: usize) -> Result<Expr, Diagnostic> {
    let parsed =
        hcl::edit::parser::parse_expr(src).map_err(|e| parse_error(&e, src, file, base))?;
    Ok(Lowerer { file, src, base }.expr(&parsed))
}

/// Parses a string template (the contents of a `templatefile` or of a `.tf.json` string).
pub fn parse_template(src: &str, file: FileId, base: usize) -> Result<Template, Diagnostic> {
    let parsed =
        hcl::edit::parser::parse_template(src).map_err(|e| parse_error(&e, src, file, base))?;
    let lowerer = Lowerer { file, src, base };
    Ok(lowerer.template(&parsed, lowerer.whole()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn expr(src: &str) -> Expr {
        parse_expr(src, FileId(0), 0).unwrap()
    }

    fn template(src: &str) -> Template {
        match expr(src).kind {
            ExprKind::Template(t) => t,
            other => panic!("not a template: {other:?}"),
        }
    }

    #[test]
    fn number_literals_keep_their_exact_text() {
        let e = expr("123456789012345678901234567890");
        assert_eq!(
            e.kind,
            ExprKind::Literal(Value::Number(
                Number::parse("123456789012345678901234567890").unwrap()
            ))
        );
    }

    #[test]
    fn spans_point_at_the_sub_expression() {
        let e = expr("var.a + local.b");
        let ExprKind::Binary(_, _, rhs) = e.kind else {
            panic!()
        };
        assert_eq!((rhs.span.start, rhs.span.end), (8, 15));
    }

    #[test]
    fn strip_markers_remove_whitespace_next_to_interpolations() {
        let t = template("\"a   ${~ x ~}   b\"");
        assert_eq!(t.parts.len(), 3);
        assert_eq!(t.parts[0], TemplatePart::Literal("a".into()));
        assert_eq!(t.parts[2], TemplatePart::Literal("b".into()));
    }

    #[test]
    fn strip_markers_on_directives_reach_inside_and_outside() {
        let t = template("\"x  %{~ if c ~}  yes  %{~ else ~}  no  %{~ endif ~}  y\"");
        assert_eq!(t.parts[0], TemplatePart::Literal("x".into()));
        let TemplatePart::If {
            then, otherwise, ..
        } = &t.parts[1]
        else {
            panic!()
        };
        assert_eq!(then.parts, vec![TemplatePart::Literal("yes".into())]);
        assert_eq!(
            otherwise.as_ref().unwrap().parts,
            vec![TemplatePart::Literal("no".into())]
        );
        assert_eq!(t.parts[2], TemplatePart::Literal("y".into()));
    }

    #[test]
    fn indented_heredocs_are_dedented() {
        let e = expr("<<-EOT\n    hello\n      world\n    EOT");
        let ExprKind::Template(t) = e.kind else {
            panic!("{:?}", e.kind)
        };
        assert_eq!(
            t.parts,
            vec![TemplatePart::Literal("hello\n  world\n".into())]
        );
    }

    #[test]
    fn splat_and_legacy_index_traversals_are_kept_in_order() {
        let e = expr("aws_instance.web[*].id");
        let ExprKind::Traversal(_, ops) = e.kind else {
            panic!()
        };
        assert!(matches!(ops[0], Traverser::Attr(_)));
        assert!(matches!(ops[1], Traverser::FullSplat(_)));
        assert!(matches!(ops[2], Traverser::Attr(_)));
        let e = expr("a.0.b");
        let ExprKind::Traversal(_, ops) = e.kind else {
            panic!()
        };
        assert!(matches!(ops[0], Traverser::LegacyIndex(0, _)));
    }

    #[test]
    fn escapes_in_strings_are_decoded() {
        assert_eq!(
            expr(r#""a\nb $${x}""#).kind,
            ExprKind::Literal(Value::string("a\nb ${x}"))
        );
    }

    #[test]
    fn syntax_errors_point_at_the_offending_offset() {
        let err = parse_expr("1 +", FileId(3), 100).unwrap_err();
        assert_eq!(err.span.unwrap().file, FileId(3));
        assert!(err.span.unwrap().start >= 100);
    }
}
