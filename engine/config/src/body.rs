//! Schema-less bodies: the attributes and nested blocks of a block, with spans, as written.
//! Resource and provider bodies stay in this form until a provider schema decodes them.

use hcl::edit::Span as _;
use hcl::edit::structure::{Body as HclBody, Structure};
use indexmap::IndexMap;
use terrane_lang::ast::Expr;
use terrane_lang::syntax::Lowerer;
use terrane_types::{Diagnostic, Diagnostics, Span};

#[derive(Clone, Debug, PartialEq, Default)]
pub struct Body {
    pub attributes: IndexMap<String, Attribute>,
    pub blocks: Vec<Block>,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Attribute {
    pub name: String,
    pub name_span: Span,
    pub expr: Expr,
    /// From the name to the end of the value.
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Block {
    pub kind: String,
    pub kind_span: Span,
    pub labels: Vec<Label>,
    pub body: Body,
    pub span: Span,
    /// The block's opening brace, where HCL reports arguments missing from its body.
    pub open_brace: Span,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Label {
    pub value: String,
    pub span: Span,
}

impl Block {
    /// For a `dynamic "name"` block: the name its content refers to each element by, the
    /// `iterator` argument if given, else the block's label.
    pub fn dynamic_iterator(&self) -> String {
        self.body
            .attr("iterator")
            .and_then(|a| a.expr.as_keyword().map(str::to_owned))
            .or_else(|| self.labels.first().map(|l| l.value.clone()))
            .unwrap_or_default()
    }

    /// The span of the block's header (`resource "a" "b"`), where diagnostics about the whole
    /// block point.
    pub fn header_span(&self) -> Span {
        match self.labels.last() {
            Some(l) => self.kind_span.to(l.span),
            None => self.kind_span,
        }
    }
}

impl Body {
    pub fn attr(&self, name: &str) -> Option<&Attribute> {
        self.attributes.get(name)
    }

    pub fn blocks_of<'a>(&'a self, kind: &'a str) -> impl Iterator<Item = &'a Block> + 'a {
        self.blocks.iter().filter(move |b| b.kind == kind)
    }

    /// Lowers an hcl-edit body; duplicate attributes are reported, the first one kept.
    pub fn lower(body: &HclBody, lw: &Lowerer, fallback: Span, diags: &mut Diagnostics) -> Body {
        let mut out = Body {
            span: lw.span(body.span(), fallback),
            ..Body::default()
        };
        for structure in body.iter() {
            match structure {
                Structure::Attribute(a) => {
                    let name_span = lw.span(a.key.span(), fallback);
                    let expr = lw.expr(&a.value);
                    let attr = Attribute {
                        name: a.key.as_str().to_owned(),
                        name_span,
                        span: name_span.to(expr.span),
                        expr,
                    };
                    if let Some(first) = out.attributes.get(&attr.name) {
                        diags.push(
                            Diagnostic::error("Attribute redefined")
                                .with_detail(format!(
                                    "The argument \"{}\" was already set. Each argument may be set only once.",
                                    attr.name
                                ))
                                .with_span(attr.name_span)
                                .with_label(first.name_span, "first set here"),
                        );
                    } else {
                        out.attributes.insert(attr.name.clone(), attr);
                    }
                }
                Structure::Block(b) => {
                    let span = lw.span(b.span(), fallback);
                    let kind_span = lw.span(b.ident.span(), span);
                    let labels: Vec<Label> = b
                        .labels
                        .iter()
                        .map(|l| Label {
                            value: l.as_str().to_owned(),
                            span: lw.span(l.span(), kind_span),
                        })
                        .collect();
                    let header_end = labels.last().map_or(kind_span.end, |l| l.span.end) as usize;
                    let open_brace = lw
                        .src
                        .get(header_end.saturating_sub(lw.base)..)
                        .and_then(|rest| rest.find('{'))
                        .map_or(span, |i| {
                            let at = header_end + i;
                            Span::new(lw.file, at..at + 1)
                        });
                    out.blocks.push(Block {
                        kind: b.ident.as_str().to_owned(),
                        kind_span,
                        labels,
                        body: Body::lower(&b.body, lw, span, diags),
                        span,
                        open_brace,
                    });
                }
            }
        }
        out
    }
}
