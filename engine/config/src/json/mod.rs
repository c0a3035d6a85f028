//! The JSON syntax of the Terraform language (`.tf.json`, `.tfvars.json`).
//!
//! A JSON file is parsed with spans (see [`parser`]), then lowered into the same schema-less
//! [`Body`] that native files become. Which properties are nested blocks and which are
//! arguments would normally come from a schema; at load time we only know Terraform's own
//! block types, so a fixed table decides (provider-defined nested blocks stay arguments whose
//! values are objects or arrays of objects). Strings become templates, except for the
//! arguments Terraform's JSON syntax reads as literal text or as bare expressions.

mod parser;
mod remap;
#[cfg(test)]
mod tests;

use crate::body::{Attribute, Block, Body, Label};
use parser::{Kind, Property, Str, Value as Json};
use std::ops::Range;
use terrane_lang::ast::{Expr, ExprKind, ObjectKey, TemplatePart};
use terrane_lang::syntax::{parse_expr, parse_template};
use terrane_types::{Diagnostic, Diagnostics, FileId, Number, Span, Value};

/// Parses a `.tf.json` file into a schema-less body.
pub(crate) fn parse_body(text: &str, file: FileId, diags: &mut Diagnostics) -> Option<Body> {
    let root = parse_json(text, file, diags)?;
    let mut lw = Lower { text, file, diags };
    let props = lw.root_properties(
        &root,
        "The root of a JSON configuration file must be an object whose properties are top-level block types, such as \"resource\" or \"variable\".",
    )?;
    let mut body = Body {
        span: lw.span(&root.span),
        ..Body::default()
    };
    for p in props {
        if p.name.value == "//" {
            continue;
        }
        match block_type(Ctx::Root, &p.name.value) {
            Some((labels, ctx)) => {
                lw.unpack(p, &p.value, labels, &mut Vec::new(), ctx, &mut body.blocks)
            }
            // An unknown top-level block type: kept as an empty block, so the module loader
            // reports it (with a suggestion) like it does for native files.
            None => body.blocks.push(Block {
                kind: p.name.value.clone(),
                kind_span: lw.span(&p.name_span),
                labels: Vec::new(),
                body: Body {
                    span: lw.span(&p.value.span),
                    ..Body::default()
                },
                span: lw.span(&p.value.span),
                open_brace: lw.span(&p.value.span).first_byte(),
            }),
        }
    }
    Some(body)
}

/// Parses a `.tfvars.json` file: every top-level property is a variable's value, and strings
/// are taken literally (they are not templates).
pub(crate) fn parse_values(text: &str, file: FileId, diags: &mut Diagnostics) -> Option<Body> {
    let root = parse_json(text, file, diags)?;
    let mut lw = Lower { text, file, diags };
    let Kind::Object(props) = &root.kind else {
        let at = lw.span(&start_range(&root));
        lw.diags.push(
            Diagnostic::error("Incorrect JSON value type")
                .with_detail("The root of a JSON variables file must be an object whose properties are variable names and whose values are the variables' values.")
                .with_span(at),
        );
        return None;
    };
    let mut body = Body {
        span: lw.span(&root.span),
        ..Body::default()
    };
    let refs: Vec<&Property> = props.iter().collect();
    lw.attributes(&refs, Ctx::Values, &mut body);
    Some(body)
}

fn parse_json(text: &str, file: FileId, diags: &mut Diagnostics) -> Option<Json> {
    match parser::parse(text) {
        Ok(v) => Some(v),
        Err(e) => {
            let mut d = Diagnostic::error(e.summary)
                .with_detail(e.detail)
                .with_span(Span::new(file, e.at));
            if let Some(h) = e.hint {
                d = d.with_hint(h);
            }
            diags.push(d);
            None
        }
    }
}

/// What kind of body an object represents: it decides which properties are nested blocks and
/// how argument values are read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Ctx {
    Root,
    Terraform,
    Cloud,
    /// `required_providers`: arguments only, literal.
    LiteralAttrs,
    /// `backend`, `provider_meta`, `cloud.workspaces`: literal arguments.
    Literal,
    Variable,
    Output,
    /// `validation`, `precondition`, `postcondition`, `assert`.
    Condition,
    Resource,
    Lifecycle,
    Provisioner,
    Connection,
    Dynamic,
    /// A `dynamic` block's `content`.
    Content,
    Module,
    Provider,
    Locals,
    Moved,
    Import,
    Removed,
    Check,
    /// The root of a `.tfvars.json` file.
    Values,
}

/// How a JSON value is read as an expression.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Mode {
    /// Strings are templates (`"${var.x}"`), the general rule.
    Template,
    /// Strings are literal text.
    Literal,
    /// Strings are expressions (`"aws.west"`, `"list(string)"`).
    Expr,
    /// `ignore_changes`: the string `"all"`, or a list of expressions.
    IgnoreChanges,
}

const NAME: &[&str] = &["name"];
const TYPE: &[&str] = &["type"];
const TYPE_NAME: &[&str] = &["type", "name"];

/// The nested block types of a body: label names and the context of the block's body.
fn block_type(ctx: Ctx, name: &str) -> Option<(&'static [&'static str], Ctx)> {
    Some(match (ctx, name) {
        (Ctx::Root, "terraform") => (&[], Ctx::Terraform),
        (Ctx::Root, "provider") => (NAME, Ctx::Provider),
        (Ctx::Root, "variable") => (NAME, Ctx::Variable),
        (Ctx::Root, "locals") => (&[], Ctx::Locals),
        (Ctx::Root, "resource" | "data") => (TYPE_NAME, Ctx::Resource),
        (Ctx::Root, "module") => (NAME, Ctx::Module),
        (Ctx::Root, "output") => (NAME, Ctx::Output),
        (Ctx::Root, "moved") => (&[], Ctx::Moved),
        (Ctx::Root, "import") => (&[], Ctx::Import),
        (Ctx::Root, "check") => (NAME, Ctx::Check),
        (Ctx::Root, "removed") => (&[], Ctx::Removed),
        (Ctx::Terraform, "required_providers") => (&[], Ctx::LiteralAttrs),
        (Ctx::Terraform, "backend") => (TYPE, Ctx::Literal),
        (Ctx::Terraform, "cloud") => (&[], Ctx::Cloud),
        (Ctx::Terraform, "provider_meta") => (&["provider"], Ctx::Literal),
        (Ctx::Cloud, "workspaces") => (&[], Ctx::Literal),
        (Ctx::Variable, "validation") => (&[], Ctx::Condition),
        (Ctx::Output, "precondition") => (&[], Ctx::Condition),
        (Ctx::Resource | Ctx::Removed, "lifecycle") => (&[], Ctx::Lifecycle),
        (Ctx::Resource | Ctx::Removed, "provisioner") => (TYPE, Ctx::Provisioner),
        (Ctx::Resource | Ctx::Removed | Ctx::Provisioner, "connection") => (&[], Ctx::Connection),
        (Ctx::Resource | Ctx::Content | Ctx::Provider, "dynamic") => (NAME, Ctx::Dynamic),
        (Ctx::Lifecycle, "precondition" | "postcondition") => (&[], Ctx::Condition),
        (Ctx::Dynamic, "content") => (&[], Ctx::Content),
        (Ctx::Check, "data") => (TYPE_NAME, Ctx::Resource),
        (Ctx::Check, "assert") => (&[], Ctx::Condition),
        _ => return None,
    })
}

/// How the value of argument `name` is read in a body of kind `ctx`.
fn attr_mode(ctx: Ctx, name: &str) -> Mode {
    match (ctx, name) {
        (Ctx::Terraform | Ctx::Cloud | Ctx::LiteralAttrs | Ctx::Literal | Ctx::Values, _) => {
            Mode::Literal
        }
        (Ctx::Variable, "type") => Mode::Expr,
        (Ctx::Variable, "default" | "description") => Mode::Literal,
        (Ctx::Output, "description") => Mode::Literal,
        (Ctx::Output | Ctx::Resource | Ctx::Module, "depends_on") => Mode::Expr,
        (Ctx::Resource | Ctx::Import, "provider") => Mode::Expr,
        (Ctx::Module, "source" | "version") => Mode::Literal,
        (Ctx::Module, "providers") => Mode::Expr,
        (Ctx::Provider, "alias" | "version") => Mode::Literal,
        (Ctx::Lifecycle, "ignore_changes") => Mode::IgnoreChanges,
        (Ctx::Lifecycle, "replace_triggered_by") => Mode::Expr,
        (Ctx::Provisioner, "when" | "on_failure") => Mode::Expr,
        (Ctx::Connection, "type") => Mode::Literal,
        (Ctx::Dynamic, "iterator") => Mode::Expr,
        (Ctx::Moved, "from" | "to") | (Ctx::Removed, "from") | (Ctx::Import, "to") => Mode::Expr,
        _ => Mode::Template,
    }
}

/// An example of a block type's nesting in JSON, for hints.
fn nesting_example(kind: &str, labels: &[&str]) -> String {
    let mut s = format!("\"{kind}\": ");
    for l in labels {
        s.push_str(&format!("{{\"<{l}>\": "));
    }
    s.push_str("{ ...arguments... }");
    s.push_str(&"}".repeat(labels.len()));
    s
}

/// The range diagnostics about a value's type point at: the opening brace or bracket of an
/// object or array, the whole of anything else.
fn start_range(v: &Json) -> Range<usize> {
    match v.kind {
        Kind::Object(_) | Kind::Array(_) => v.span.start..v.span.start + 1,
        _ => v.span.clone(),
    }
}

struct Lower<'a> {
    text: &'a str,
    file: FileId,
    diags: &'a mut Diagnostics,
}

impl Lower<'_> {
    fn span(&self, r: &Range<usize>) -> Span {
        Span::new(self.file, r.clone())
    }

    fn type_error(&mut self, at: &Json, detail: String, hint: Option<String>) {
        let mut d = Diagnostic::error("Incorrect JSON value type")
            .with_detail(detail)
            .with_span(self.span(&start_range(at)));
        if let Some(h) = hint {
            d = d.with_hint(h);
        }
        self.diags.push(d);
    }

    /// The properties of the root: an object, or (as HCL allows) an array of objects.
    fn root_properties<'v>(&mut self, root: &'v Json, detail: &str) -> Option<Vec<&'v Property>> {
        match &root.kind {
            Kind::Object(props) => Some(props.iter().collect()),
            Kind::Array(items) if items.iter().all(|i| matches!(i.kind, Kind::Object(_))) => Some(
                items
                    .iter()
                    .flat_map(|i| match &i.kind {
                        Kind::Object(props) => props.as_slice(),
                        _ => &[],
                    })
                    .collect(),
            ),
            _ => {
                self.type_error(root, detail.to_owned(), None);
                None
            }
        }
    }

    /// Peels the label levels of a block type off `v`, then adds one block per body object.
    fn unpack(
        &mut self,
        kind: &Property,
        v: &Json,
        all_labels: &[&str],
        labels: &mut Vec<Label>,
        ctx: Ctx,
        out: &mut Vec<Block>,
    ) {
        let kind_name = kind.name.value.as_str();
        let labels_left = all_labels.get(labels.len()..).unwrap_or(&[]);
        if let Some(label_name) = labels_left.first() {
            let hint = || {
                format!(
                    "A {kind_name} block is written as {}.",
                    nesting_example(kind_name, all_labels)
                )
            };
            let props: Vec<&Property> = match &v.kind {
                Kind::Null => Vec::new(),
                Kind::Object(props) => props.iter().collect(),
                Kind::Array(items) => {
                    let mut props = Vec::new();
                    for item in items {
                        match &item.kind {
                            Kind::Object(p) => props.extend(p.iter()),
                            _ => self.type_error(
                                item,
                                format!("A JSON object is required here, whose property names are the {kind_name} block's {label_name} labels."),
                                Some(hint()),
                            ),
                        }
                    }
                    props
                }
                _ => {
                    self.type_error(
                        v,
                        format!("Either a JSON object or a JSON array of objects is required here, whose property names are the {kind_name} block's {label_name} labels."),
                        Some(hint()),
                    );
                    return;
                }
            };
            let props: Vec<&Property> =
                props.into_iter().filter(|p| p.name.value != "//").collect();
            if props.is_empty() {
                self.diags.push(
                    Diagnostic::error("Missing block label")
                        .with_detail(format!(
                            "At least one object property is required, whose name represents the {kind_name} block's {label_name}."
                        ))
                        .with_span(self.span(&start_range(v)))
                        .with_hint(hint()),
                );
            }
            for p in props {
                labels.push(Label {
                    value: p.name.value.clone(),
                    span: self.span(&p.name_span),
                });
                self.unpack(kind, &p.value, all_labels, labels, ctx, out);
                labels.pop();
            }
            return;
        }
        match &v.kind {
            Kind::Null => {}
            Kind::Object(_) => out.push(self.block(kind, labels, v, ctx)),
            Kind::Array(items) => {
                for item in items {
                    if let Kind::Object(_) = item.kind {
                        out.push(self.block(kind, labels, item, ctx));
                    } else {
                        self.type_error(
                            item,
                            format!("A JSON object is required here, to define the arguments and nested blocks of a {kind_name} block."),
                            None,
                        );
                    }
                }
            }
            _ => self.type_error(
                v,
                format!("Either a JSON object or a JSON array is required, representing the contents of one or more \"{kind_name}\" blocks."),
                None,
            ),
        }
    }

    /// One block whose body is the object `v`.
    fn block(&mut self, kind: &Property, labels: &[Label], v: &Json, ctx: Ctx) -> Block {
        let mut body = Body {
            span: self.span(&v.span),
            ..Body::default()
        };
        if let Kind::Object(props) = &v.kind {
            let props: Vec<&Property> = props.iter().collect();
            self.attributes(&props, ctx, &mut body);
        }
        Block {
            kind: kind.name.value.clone(),
            kind_span: self.span(&kind.name_span),
            labels: labels.to_vec(),
            body,
            span: self.span(&v.span),
            open_brace: self.span(&v.span).first_byte(),
        }
    }

    /// Adds the properties of a body object to `body`: nested blocks and arguments.
    fn attributes(&mut self, props: &[&Property], ctx: Ctx, body: &mut Body) {
        for p in props {
            let name = p.name.value.as_str();
            if name == "//" {
                continue;
            }
            if let Some((labels, inner)) = block_type(ctx, name) {
                self.unpack(
                    p,
                    &p.value,
                    labels,
                    &mut Vec::new(),
                    inner,
                    &mut body.blocks,
                );
                continue;
            }
            let name_span = self.span(&p.name_span);
            if let Some(first) = body.attributes.get(name) {
                let summary = match ctx {
                    Ctx::Locals | Ctx::LiteralAttrs | Ctx::Values => {
                        "Duplicate attribute definition"
                    }
                    _ => "Duplicate argument",
                };
                self.diags.push(
                    Diagnostic::error(summary)
                        .with_detail(format!(
                            "The argument \"{name}\" was already set. Each argument may be set only once."
                        ))
                        .with_span(name_span)
                        .with_label(first.name_span, "first set here"),
                );
                continue;
            }
            let expr = match attr_mode(ctx, name) {
                Mode::IgnoreChanges if matches!(&p.value.kind, Kind::String(s) if s.value == "all") => {
                    Expr::literal(Value::string("all"), self.span(&p.value.span))
                }
                Mode::IgnoreChanges => self.expr(&p.value, Mode::Expr),
                mode => self.expr(&p.value, mode),
            };
            body.attributes.insert(
                name.to_owned(),
                Attribute {
                    name: name.to_owned(),
                    name_span,
                    span: name_span.to(expr.span),
                    expr,
                },
            );
        }
    }

    /// A JSON value as an expression.
    fn expr(&mut self, v: &Json, mode: Mode) -> Expr {
        let span = self.span(&v.span);
        match &v.kind {
            Kind::Null => Expr::literal(Value::null(), span),
            Kind::Bool(b) => Expr::literal(Value::Bool(*b), span),
            Kind::Number => {
                let text = self.text.get(v.span.clone()).unwrap_or("");
                match Number::parse(text) {
                    Some(n) => Expr::literal(Value::Number(n), span),
                    None => {
                        self.diags.push(
                            Diagnostic::error("Invalid JSON number")
                                .with_detail(format!("The number {text} cannot be represented: it is too large or too small."))
                                .with_span(span),
                        );
                        Expr::literal(Value::null(), span)
                    }
                }
            }
            Kind::String(s) => self.string(s, span, mode),
            Kind::Array(items) => Expr::new(
                ExprKind::Tuple(items.iter().map(|i| self.expr(i, mode)).collect()),
                span,
            ),
            Kind::Object(props) => {
                let items = props
                    .iter()
                    .map(|p| {
                        let name_span = self.span(&p.name_span);
                        let key = match self.string(&p.name, name_span, mode) {
                            Expr {
                                kind: ExprKind::Variable(ident),
                                ..
                            } if mode == Mode::Expr => ObjectKey::Ident(ident),
                            e => ObjectKey::Expr(e),
                        };
                        (key, self.expr(&p.value, mode))
                    })
                    .collect();
                Expr::new(ExprKind::Object(items), span)
            }
        }
    }

    /// A JSON string as an expression; `span` is the string literal's, quotes included.
    fn string(&mut self, s: &Str, span: Span, mode: Mode) -> Expr {
        let literal = || Expr::literal(Value::string(s.value.clone()), span);
        if mode == Mode::Literal
            || mode == Mode::Template && !s.value.contains("${") && !s.value.contains("%{")
        {
            return literal();
        }
        // Spans are exact: without escapes the decoded text sits at a fixed offset in the
        // file; with escapes each span is mapped back through the string's offset table.
        let base = if s.offsets.is_some() {
            0
        } else {
            s.content.start
        };
        let parsed = if mode == Mode::Template {
            parse_template(&s.value, self.file, base).map(|t| {
                if t.parts
                    .iter()
                    .all(|p| matches!(p, TemplatePart::Literal(_)))
                {
                    let text: String = t
                        .parts
                        .iter()
                        .filter_map(|p| match p {
                            TemplatePart::Literal(l) => Some(l.as_str()),
                            _ => None,
                        })
                        .collect();
                    Expr::literal(Value::string(text), span)
                } else {
                    Expr::new(ExprKind::Template(t), span)
                }
            })
        } else {
            parse_expr(&s.value, self.file, base)
        };
        let to_file = |d: Span| {
            if s.offsets.is_none() {
                return d;
            }
            let start = s.source_offset(d.start as usize);
            let end = s.source_offset(d.end as usize).max(start);
            Span::new(d.file, start..end)
        };
        match parsed {
            // Without escapes the text was parsed in place: spans already point into the file.
            Ok(e) if s.offsets.is_none() => e,
            Ok(mut e) => {
                match &mut e.kind {
                    // The template's own span is the string literal's; only its parts move.
                    ExprKind::Template(t) if mode == Mode::Template => remap::template(t, &to_file),
                    _ if mode == Mode::Template => {}
                    _ => remap::expr(&mut e, &to_file),
                }
                e
            }
            Err(mut d) => {
                d.span = d.span.map(to_file);
                if mode == Mode::Expr {
                    d = d.with_hint("In JSON syntax this argument is a bare expression written as a string, like \"aws.west\" or \"list(string)\".");
                }
                self.diags.push(d);
                literal()
            }
        }
    }
}
