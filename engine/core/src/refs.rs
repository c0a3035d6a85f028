//! The references an expression makes (`var.x`, `aws_instance.web.id`, `module.m.out`), found
//! statically, for the dependency graph and for "undeclared" diagnostics.

use terrane_config::{Body, Mode};
use terrane_lang::ast::{Expr, ExprKind, ObjectKey, Template, TemplatePart, Traverser};
use terrane_types::{Span, Value};

/// What a reference points at.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Target {
    Var(String),
    Local(String),
    /// `module.name`, with the output name when one is accessed statically.
    Module(String, Option<String>),
    Resource(Mode, String, String),
    CountIndex,
    EachKey,
    EachValue,
    PathAttr(String),
    TerraformAttr(String),
    SelfRef,
}

/// One reference, with the first traversal step after the address (for instance-key checks).
#[derive(Clone, Debug)]
pub struct Reference {
    pub target: Target,
    pub span: Span,
    /// Whether the address is followed by an index or splat (`aws_instance.web[0]`).
    pub indexed: bool,
    /// Whether the address is followed by an attribute (`aws_instance.web.id`).
    pub attr_follows: bool,
    /// The last step of the address (`.vpcid` of `module.network.vpcid`).
    pub step_span: Span,
    /// The attribute read after the address and an optional index or splat (`id` of
    /// `aws_instance.web[0].id`), when there is one.
    pub attr_name: Option<String>,
}

/// A reference that cannot be made sense of at all (`var` alone, `aws_instance` alone, ...).
#[derive(Clone, Debug)]
pub struct BadReference {
    pub summary: &'static str,
    pub detail: String,
    pub span: Span,
    pub hint: Option<String>,
}

#[derive(Default)]
pub struct Refs {
    pub refs: Vec<Reference>,
    pub bad: Vec<BadReference>,
}

impl Refs {
    pub fn of_expr(e: &Expr) -> Refs {
        let mut r = Refs::default();
        r.expr(e, &mut Vec::new());
        r
    }

    pub fn of_exprs<'a>(es: impl IntoIterator<Item = &'a Expr>) -> Refs {
        let mut r = Refs::default();
        for e in es {
            r.expr(e, &mut Vec::new());
        }
        r
    }

    /// References in a resource-like body, where `dynamic` blocks bind their iterator name.
    pub fn of_body(body: &Body) -> Refs {
        let mut r = Refs::default();
        r.body(body, &mut Vec::new());
        r
    }

    /// References in a body, leaving out nested blocks of the given kinds.
    pub fn add_body_except(&mut self, body: &Body, kinds: &[&str]) {
        let mut bound = Vec::new();
        for attr in body.attributes.values() {
            self.expr(&attr.expr, &mut bound);
        }
        for block in body
            .blocks
            .iter()
            .filter(|b| !kinds.contains(&b.kind.as_str()))
        {
            let one = Body {
                blocks: vec![block.clone()],
                ..Body::default()
            };
            self.body(&one, &mut bound);
        }
    }

    /// References in the nested blocks of the given kinds only.
    pub fn add_blocks_of(&mut self, body: &Body, kinds: &[&str]) {
        for block in body
            .blocks
            .iter()
            .filter(|b| kinds.contains(&b.kind.as_str()))
        {
            self.body(&block.body, &mut Vec::new());
        }
    }

    pub fn add_expr(&mut self, e: &Expr) {
        self.expr(e, &mut Vec::new());
    }

    pub fn add_body(&mut self, body: &Body) {
        self.body(body, &mut Vec::new());
    }

    fn body(&mut self, body: &Body, bound: &mut Vec<String>) {
        for attr in body.attributes.values() {
            self.expr(&attr.expr, bound);
        }
        for block in &body.blocks {
            if block.kind == "dynamic" {
                let iterator = block.dynamic_iterator();
                if let Some(fe) = block.body.attr("for_each") {
                    self.expr(&fe.expr, bound);
                }
                bound.push(iterator);
                for (name, attr) in &block.body.attributes {
                    if name != "for_each" && name != "iterator" {
                        self.expr(&attr.expr, bound);
                    }
                }
                for inner in &block.body.blocks {
                    self.body(&inner.body, bound);
                }
                bound.pop();
            } else {
                self.body(&block.body, bound);
            }
        }
    }

    fn expr(&mut self, e: &Expr, bound: &mut Vec<String>) {
        match &e.kind {
            ExprKind::Literal(_) => {}
            ExprKind::Template(t) => self.template(t, bound),
            ExprKind::Tuple(items) => items.iter().for_each(|i| self.expr(i, bound)),
            ExprKind::Object(items) => {
                for (k, v) in items {
                    if let ObjectKey::Expr(k) = k {
                        // A bare identifier key in parentheses-free form is a literal name.
                        if !matches!(k.kind, ExprKind::Variable(_)) {
                            self.expr(k, bound);
                        }
                    }
                    self.expr(v, bound);
                }
            }
            ExprKind::Variable(root) => {
                if !bound.contains(&root.name) {
                    self.reference(&root.name, root.span, &[], e.span);
                }
            }
            ExprKind::Traversal(base, ops) => {
                match &base.kind {
                    ExprKind::Variable(root) if !bound.contains(&root.name) => {
                        self.reference(&root.name, root.span, ops, e.span);
                    }
                    _ => self.expr(base, bound),
                }
                for op in ops {
                    if let Traverser::Index(i, _) = op {
                        self.expr(i, bound);
                    }
                }
            }
            ExprKind::FuncCall(c) => c.args.iter().for_each(|a| self.expr(a, bound)),
            ExprKind::Unary(_, x) | ExprKind::Parens(x) => self.expr(x, bound),
            ExprKind::Binary(_, a, b) => {
                self.expr(a, bound);
                self.expr(b, bound);
            }
            ExprKind::Conditional(a, b, c) => {
                self.expr(a, bound);
                self.expr(b, bound);
                self.expr(c, bound);
            }
            ExprKind::For(f) => {
                self.expr(&f.collection, bound);
                let n = bound.len();
                bound.push(f.value_var.name.clone());
                if let Some(k) = &f.key_var {
                    bound.push(k.name.clone());
                }
                if let Some(k) = &f.key_expr {
                    self.expr(k, bound);
                }
                self.expr(&f.value_expr, bound);
                if let Some(c) = &f.cond {
                    self.expr(c, bound);
                }
                bound.truncate(n);
            }
        }
    }

    fn template(&mut self, t: &Template, bound: &mut Vec<String>) {
        for part in &t.parts {
            match part {
                TemplatePart::Literal(_) => {}
                TemplatePart::Interpolation(e) => self.expr(e, bound),
                TemplatePart::If {
                    cond,
                    then,
                    otherwise,
                    ..
                } => {
                    self.expr(cond, bound);
                    self.template(then, bound);
                    if let Some(o) = otherwise {
                        self.template(o, bound);
                    }
                }
                TemplatePart::For {
                    key_var,
                    value_var,
                    collection,
                    body,
                    ..
                } => {
                    self.expr(collection, bound);
                    let n = bound.len();
                    bound.push(value_var.name.clone());
                    if let Some(k) = key_var {
                        bound.push(k.name.clone());
                    }
                    self.template(body, bound);
                    bound.truncate(n);
                }
            }
        }
    }

    fn reference(&mut self, root: &str, root_span: Span, ops: &[Traverser], whole: Span) {
        let attr = |i: usize| match ops.get(i) {
            Some(Traverser::Attr(a)) => Some((a.name.clone(), a.span)),
            Some(Traverser::Index(e, _)) => match &e.kind {
                ExprKind::Literal(Value::String(s)) => Some((s.clone(), e.span)),
                _ => None,
            },
            _ => None,
        };
        let follows = |i: usize| -> (bool, bool) {
            match ops.get(i) {
                Some(Traverser::Attr(_)) => (false, true),
                Some(_) => (true, false),
                None => (false, false),
            }
        };
        let span_to = |i: usize| {
            ops.get(i)
                .map(|op| root_span.to(op.span()))
                .unwrap_or(root_span)
        };
        let bad = |summary: &'static str, detail: String| BadReference {
            summary,
            detail,
            span: whole,
            hint: None,
        };
        // "Did you mean" among an object's few attributes (path.modul -> path.module).
        let hinted = |summary: &'static str, detail: String, choices: &[&str]| BadReference {
            summary,
            detail,
            span: whole,
            hint: attr(0).and_then(|(given, _)| {
                terrane_types::suggest(&given, choices.iter().copied())
                    .map(|s| format!("Did you mean \"{root}.{s}\"?"))
            }),
        };
        let mut push = |target: Target, consumed: usize| {
            let (indexed, attr_follows) = follows(consumed);
            let attr_name = match (ops.get(consumed), ops.get(consumed + 1)) {
                (Some(Traverser::Attr(a)), _) => Some(a.name.clone()),
                (Some(_), Some(Traverser::Attr(a))) => Some(a.name.clone()),
                _ => None,
            };
            let last = consumed.saturating_sub(1);
            self.refs.push(Reference {
                target,
                span: span_to(last),
                indexed,
                attr_follows,
                step_span: ops
                    .get(last)
                    .filter(|_| consumed > 0)
                    .map_or(root_span, Traverser::span),
                attr_name,
            });
        };
        match root {
            "var" | "local" => match attr(0) {
                Some((name, _)) => push(
                    if root == "var" {
                        Target::Var(name)
                    } else {
                        Target::Local(name)
                    },
                    1,
                ),
                None => self.bad.push(bad(
                    "Invalid reference",
                    format!("The \"{root}\" object cannot be accessed directly. Instead, access one of its attributes."),
                )),
            },
            "module" => match attr(0) {
                Some((name, _)) => {
                    let output = match ops.get(1) {
                        Some(Traverser::Attr(a)) => Some(a.name.clone()),
                        _ => None,
                    };
                    let consumed = if output.is_some() { 2 } else { 1 };
                    push(Target::Module(name, output), consumed);
                }
                None => self.bad.push(bad(
                    "Invalid reference",
                    "The \"module\" object cannot be accessed directly. Instead, access one of its attributes.".into(),
                )),
            },
            "data" => match (attr(0), attr(1)) {
                (Some((t, _)), Some((n, _))) => push(Target::Resource(Mode::Data, t, n), 2),
                _ => self.bad.push(bad(
                    "Invalid reference",
                    "The \"data\" object must be followed by two attribute names: the data source type and the resource name.".into(),
                )),
            },
            "count" => match attr(0).map(|a| a.0) {
                Some(a) if a == "index" => push(Target::CountIndex, 1),
                _ => self.bad.push(hinted(
                    "Invalid \"count\" attribute",
                    "The \"count\" object does not have an attribute with that name. The only supported attribute is count.index, which is the index of each instance of a resource block that has the \"count\" argument set.".into(),
                    &["index"],
                )),
            },
            "each" => match attr(0).map(|a| a.0) {
                Some(a) if a == "key" => push(Target::EachKey, 1),
                Some(a) if a == "value" => push(Target::EachValue, 1),
                _ => self.bad.push(hinted(
                    "Invalid \"each\" attribute",
                    "The \"each\" object does not have an attribute with that name. The supported attributes are each.key and each.value, the current key and value pair of the \"for_each\" attribute set.".into(),
                    &["key", "value"],
                )),
            },
            "path" => match attr(0).map(|a| a.0) {
                Some(a) if matches!(a.as_str(), "module" | "root" | "cwd") => {
                    push(Target::PathAttr(a), 1)
                }
                _ => self.bad.push(hinted(
                    "Invalid \"path\" attribute",
                    "The \"path\" object does not have an attribute with that name. The supported attributes are path.cwd, path.module, and path.root.".into(),
                    &["module", "root", "cwd"],
                )),
            },
            "terraform" => match attr(0).map(|a| a.0) {
                Some(a) if matches!(a.as_str(), "workspace" | "applying") => {
                    push(Target::TerraformAttr(a), 1)
                }
                _ => self.bad.push(hinted(
                    "Invalid \"terraform\" attribute",
                    "The \"terraform\" object does not have an attribute with that name. The supported attributes are terraform.workspace and terraform.applying.".into(),
                    &["workspace", "applying"],
                )),
            },
            "self" => push(Target::SelfRef, 0),
            type_name => match attr(0) {
                Some((name, _)) => {
                    push(Target::Resource(Mode::Managed, type_name.to_owned(), name), 1)
                }
                None => self.bad.push(bad(
                    "Invalid reference",
                    format!("A reference to a resource type must be followed by at least one attribute access, specifying the resource name. There is no variable named \"{type_name}\"."),
                )),
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use terrane_lang::syntax::parse_expr;
    use terrane_types::FileId;

    fn targets(src: &str) -> Vec<Target> {
        let e = parse_expr(src, FileId(0), 0).unwrap();
        Refs::of_expr(&e)
            .refs
            .into_iter()
            .map(|r| r.target)
            .collect()
    }

    #[test]
    fn finds_variables_locals_resources_data_and_module_outputs() {
        assert_eq!(
            targets(
                "\"${var.a}-${local.b}\" == aws_instance.web.id ? data.aws_ami.x.id : module.m.out"
            ),
            vec![
                Target::Var("a".into()),
                Target::Local("b".into()),
                Target::Resource(Mode::Managed, "aws_instance".into(), "web".into()),
                Target::Resource(Mode::Data, "aws_ami".into(), "x".into()),
                Target::Module("m".into(), Some("out".into())),
            ]
        );
    }

    #[test]
    fn for_expression_variables_are_not_references() {
        assert_eq!(
            targets("[for s in var.list : s.id if s.ok]"),
            vec![Target::Var("list".into())]
        );
    }

    #[test]
    fn references_inside_index_expressions_are_found() {
        assert_eq!(
            targets("aws_instance.web[count.index].id"),
            vec![
                Target::Resource(Mode::Managed, "aws_instance".into(), "web".into()),
                Target::CountIndex,
            ]
        );
    }

    #[test]
    fn a_bare_var_is_a_bad_reference() {
        let e = parse_expr("var", FileId(0), 0).unwrap();
        let r = Refs::of_expr(&e);
        assert_eq!(r.bad.len(), 1);
        assert_eq!(r.bad[0].summary, "Invalid reference");
    }

    #[test]
    fn indexed_and_attribute_follow_ups_are_recorded() {
        let e = parse_expr("aws_instance.web.id", FileId(0), 0).unwrap();
        let r = Refs::of_expr(&e);
        assert!(r.refs[0].attr_follows && !r.refs[0].indexed);
        let e = parse_expr("aws_instance.web[*].id", FileId(0), 0).unwrap();
        let r = Refs::of_expr(&e);
        assert!(r.refs[0].indexed);
    }
}
