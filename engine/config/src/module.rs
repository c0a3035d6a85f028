//! One module: the declarations of all its files, decoded from bodies with Terraform's rules.

use crate::body::{Attribute, Block, Body};
use indexmap::IndexMap;
use std::path::PathBuf;
use terrane_lang::ast::{Expr, ExprKind, Traverser};
use terrane_lang::typeexpr::Constraint;
use terrane_types::{Diagnostic, Diagnostics, FileId, Span, Value, suggest};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Mode {
    Managed,
    Data,
}

/// Everything declared in one module directory.
#[derive(Debug, Default)]
pub struct Module {
    pub dir: PathBuf,
    pub files: Vec<FileId>,
    pub terraform: TerraformSettings,
    pub providers: Vec<ProviderConfig>,
    pub variables: IndexMap<String, Variable>,
    pub locals: IndexMap<String, Local>,
    /// Keyed by address within the module: `aws_instance.web`, `data.aws_ami.ubuntu`.
    pub resources: IndexMap<String, Resource>,
    pub module_calls: IndexMap<String, ModuleCall>,
    pub outputs: IndexMap<String, Output>,
    pub moved: Vec<Moved>,
    pub imports: Vec<Import>,
    pub checks: Vec<Check>,
}

#[derive(Debug, Default)]
pub struct TerraformSettings {
    pub required_version: Option<Attribute>,
    pub required_providers: IndexMap<String, RequiredProvider>,
    pub backend: Option<Backend>,
    pub cloud: Option<Block>,
}

#[derive(Debug, Clone)]
pub struct RequiredProvider {
    pub local_name: String,
    /// `hashicorp/aws`, or the local name's default `hashicorp/<name>`.
    pub source: String,
    pub version: Option<String>,
    pub span: Span,
}

#[derive(Debug, Clone)]
pub struct Backend {
    pub kind: String,
    pub body: Body,
    pub span: Span,
}

#[derive(Debug, Clone)]
pub struct ProviderConfig {
    pub name: String,
    pub alias: Option<String>,
    pub body: Body,
    pub span: Span,
}

#[derive(Debug, Clone)]
pub struct Variable {
    pub name: String,
    pub name_span: Span,
    /// `variable "name"`
    pub decl_span: Span,
    pub span: Span,
    pub ty: Option<Constraint>,
    pub type_span: Option<Span>,
    pub default: Option<Attribute>,
    pub description: Option<String>,
    pub sensitive: bool,
    pub nullable: bool,
    pub ephemeral: bool,
    pub validations: Vec<Condition>,
}

impl Variable {
    pub fn constraint(&self) -> Constraint {
        self.ty.clone().unwrap_or(Constraint::Any)
    }
}

/// A `validation`, `precondition` or `postcondition` block.
#[derive(Debug, Clone)]
pub struct Condition {
    pub condition: Expr,
    pub error_message: Expr,
    pub span: Span,
}

#[derive(Debug, Clone)]
pub struct Local {
    pub name: String,
    pub expr: Expr,
    pub span: Span,
}

#[derive(Debug, Clone)]
pub struct Resource {
    pub mode: Mode,
    pub type_name: String,
    pub name: String,
    pub count: Option<Expr>,
    pub for_each: Option<Expr>,
    pub provider: Option<ProviderRef>,
    pub depends_on: Vec<Expr>,
    pub lifecycle: Lifecycle,
    /// The resource's own arguments and blocks (meta-arguments removed).
    pub body: Body,
    pub span: Span,
    /// `resource "aws_instance" "web"`: where diagnostics about the resource point.
    pub decl_span: Span,
    /// The block's `{`, where missing required arguments are reported.
    pub open_brace: Span,
    /// The type label (`"aws_instance"`), where an unknown type is reported.
    pub type_span: Span,
}

impl Resource {
    /// `aws_instance.web` or `data.aws_ami.x`.
    pub fn address(&self) -> String {
        match self.mode {
            Mode::Managed => format!("{}.{}", self.type_name, self.name),
            Mode::Data => format!("data.{}.{}", self.type_name, self.name),
        }
    }

    /// The provider's local name: explicit `provider = x.y`, else the type's prefix.
    pub fn provider_name(&self) -> &str {
        match &self.provider {
            Some(p) => &p.name,
            None => self.type_name.split('_').next().unwrap_or(&self.type_name),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProviderRef {
    pub name: String,
    pub alias: Option<String>,
    pub span: Span,
}

#[derive(Debug, Clone, Default)]
pub struct Lifecycle {
    pub create_before_destroy: Option<bool>,
    pub prevent_destroy: bool,
    pub ignore_changes: IgnoreChanges,
    pub replace_triggered_by: Vec<Expr>,
    pub preconditions: Vec<Condition>,
    pub postconditions: Vec<Condition>,
}

#[derive(Debug, Clone, Default)]
pub enum IgnoreChanges {
    #[default]
    None,
    All,
    /// Attribute paths, as written (`tags["Name"]`, `ami`).
    Paths(Vec<Expr>),
}

#[derive(Debug, Clone)]
pub struct ModuleCall {
    pub name: String,
    pub source: String,
    pub source_span: Span,
    pub version: Option<String>,
    pub count: Option<Expr>,
    pub for_each: Option<Expr>,
    pub depends_on: Vec<Expr>,
    /// `providers = { aws = aws.west }`.
    pub providers: Vec<(Expr, Expr)>,
    /// The input variables given to the module.
    pub inputs: IndexMap<String, Attribute>,
    pub span: Span,
    pub decl_span: Span,
    /// Where missing required inputs are reported, as HCL does for missing arguments.
    pub open_brace: Span,
}

#[derive(Debug, Clone)]
pub struct Output {
    pub name: String,
    pub value: Expr,
    pub description: Option<String>,
    pub sensitive: bool,
    pub ephemeral: bool,
    pub depends_on: Vec<Expr>,
    pub preconditions: Vec<Condition>,
    pub span: Span,
    pub decl_span: Span,
}

#[derive(Debug, Clone)]
pub struct Moved {
    pub from: Expr,
    pub to: Expr,
    pub span: Span,
}

#[derive(Debug, Clone)]
pub struct Import {
    pub to: Expr,
    pub id: Expr,
    pub provider: Option<ProviderRef>,
    pub for_each: Option<Expr>,
    pub span: Span,
}

#[derive(Debug, Clone)]
pub struct Check {
    pub name: String,
    pub data: Vec<Resource>,
    pub asserts: Vec<Condition>,
    pub span: Span,
}

const TOP_LEVEL: &[&str] = &[
    "terraform",
    "provider",
    "variable",
    "locals",
    "resource",
    "data",
    "module",
    "output",
    "moved",
    "import",
    "check",
    "removed",
];

impl Module {
    /// Adds the blocks of one file's body to the module.
    pub fn add_file(&mut self, file: FileId, body: Body, diags: &mut Diagnostics) {
        self.files.push(file);
        for attr in body.attributes.values() {
            diags.push(
                Diagnostic::error("Unsupported argument")
                    .with_detail(format!(
                        "An argument named \"{}\" is not expected here.",
                        attr.name
                    ))
                    .with_span(attr.name_span)
                    .with_hint("Top-level arguments are not allowed: put it inside a block."),
            );
        }
        for block in body.blocks {
            match block.kind.as_str() {
                "terraform" => self.terraform_block(block, diags),
                "provider" => {
                    if let Some(p) = provider_block(block, diags) {
                        self.providers.push(p);
                    }
                }
                "variable" => {
                    if let Some(v) = variable_block(block, diags) {
                        insert_unique(
                            &mut self.variables,
                            v.name.clone(),
                            v,
                            diags,
                            |v| v.decl_span,
                            DUPLICATE_VARIABLE,
                        );
                    }
                }
                "locals" => {
                    no_labels(&block, diags);
                    no_blocks(&block.body, diags);
                    for (name, attr) in block.body.attributes {
                        let local = Local {
                            name: name.clone(),
                            expr: attr.expr,
                            span: attr.name_span,
                        };
                        insert_unique(
                            &mut self.locals,
                            name,
                            local,
                            diags,
                            |l| l.span,
                            DUPLICATE_LOCAL,
                        );
                    }
                }
                "resource" | "data" => {
                    let mode = if block.kind == "data" {
                        Mode::Data
                    } else {
                        Mode::Managed
                    };
                    if let Some(r) = resource_block(block, mode, diags) {
                        if let Some(first) = self.resources.get(&r.address()) {
                            diags.push(
                                Diagnostic::error(if mode == Mode::Data {
                                    "Duplicate data \"{}\" configuration"
                                } else {
                                    "Duplicate resource \"{}\" configuration"
                                }
                                .replace("{}", &r.type_name))
                                .with_detail(format!(
                                    "A {} named \"{}\" was already declared. Resource names must be unique per type in each module.",
                                    r.type_name, r.name
                                ))
                                .with_span(r.decl_span)
                                .with_label(first.decl_span, "first declared here"),
                            );
                        } else {
                            self.resources.insert(r.address(), r);
                        }
                    }
                }
                "module" => {
                    if let Some(m) = module_block(block, diags) {
                        insert_unique(
                            &mut self.module_calls,
                            m.name.clone(),
                            m,
                            diags,
                            |m| m.decl_span,
                            DUPLICATE_MODULE,
                        );
                    }
                }
                "output" => {
                    if let Some(o) = output_block(block, diags) {
                        insert_unique(
                            &mut self.outputs,
                            o.name.clone(),
                            o,
                            diags,
                            |o| o.decl_span,
                            DUPLICATE_OUTPUT,
                        );
                    }
                }
                "moved" => {
                    no_labels(&block, diags);
                    let from = required_attr(&block, "from", diags);
                    let to = required_attr(&block, "to", diags);
                    unexpected_args(&block.body, &["from", "to"], diags);
                    if let (Some(from), Some(to)) = (from, to) {
                        self.moved.push(Moved {
                            from: from.expr.clone(),
                            to: to.expr.clone(),
                            span: block.span,
                        });
                    }
                }
                "import" => {
                    no_labels(&block, diags);
                    unexpected_args(
                        &block.body,
                        &["to", "id", "provider", "for_each", "identity"],
                        diags,
                    );
                    let to = required_attr(&block, "to", diags);
                    let id = required_attr(&block, "id", diags);
                    let provider = block
                        .body
                        .attr("provider")
                        .and_then(|a| provider_ref(a, diags));
                    if let (Some(to), Some(id)) = (to, id) {
                        self.imports.push(Import {
                            to: to.expr.clone(),
                            id: id.expr.clone(),
                            provider,
                            for_each: block.body.attr("for_each").map(|a| a.expr.clone()),
                            span: block.span,
                        });
                    }
                }
                "check" => {
                    if let Some(c) = check_block(block, diags) {
                        self.checks.push(c);
                    }
                }
                "removed" => {
                    no_labels(&block, diags);
                    required_attr(&block, "from", diags);
                }
                other => {
                    let mut d = Diagnostic::error("Unsupported block type")
                        .with_detail(format!("Blocks of type \"{other}\" are not expected here."))
                        .with_span(block.kind_span);
                    if let Some(s) = suggest(other, TOP_LEVEL.iter().copied()) {
                        d = d.with_hint(format!("Did you mean \"{s}\"?"));
                    }
                    diags.push(d);
                }
            }
        }
    }

    fn terraform_block(&mut self, block: Block, diags: &mut Diagnostics) {
        no_labels(&block, diags);
        unexpected_args(
            &block.body,
            &["required_version", "experiments", "language"],
            diags,
        );
        if let Some(v) = block.body.attr("required_version") {
            self.terraform.required_version = Some(v.clone());
        }
        for inner in block.body.blocks {
            match inner.kind.as_str() {
                "required_providers" => {
                    for (name, attr) in &inner.body.attributes {
                        let (source, version) = match &attr.expr.kind {
                            ExprKind::Object(items) => {
                                let mut source = None;
                                let mut version = None;
                                for (k, v) in items {
                                    let key = match k {
                                        terrane_lang::ast::ObjectKey::Ident(i) => i.name.clone(),
                                        terrane_lang::ast::ObjectKey::Expr(e) => {
                                            literal_string(e).unwrap_or_default()
                                        }
                                    };
                                    match key.as_str() {
                                        "source" => source = literal_string(v),
                                        "version" => version = literal_string(v),
                                        _ => {}
                                    }
                                }
                                (source, version)
                            }
                            // Terraform 0.12's shorthand: `aws = "~> 5.0"`.
                            _ => (None, literal_string(&attr.expr)),
                        };
                        self.terraform.required_providers.insert(
                            name.clone(),
                            RequiredProvider {
                                local_name: name.clone(),
                                source: source.unwrap_or_else(|| format!("hashicorp/{name}")),
                                version,
                                span: attr.span,
                            },
                        );
                    }
                }
                "backend" => {
                    let Some(kind) = single_label(&inner, "backend", "type", diags) else {
                        continue;
                    };
                    if let Some(first) = &self.terraform.backend {
                        diags.push(
                            Diagnostic::error("Duplicate backend configuration")
                                .with_detail("A module may have only one backend configuration.")
                                .with_span(inner.header_span())
                                .with_label(first.span, "first declared here"),
                        );
                        continue;
                    }
                    self.terraform.backend = Some(Backend {
                        kind,
                        span: inner.header_span(),
                        body: inner.body,
                    });
                }
                "cloud" => self.terraform.cloud = Some(inner),
                "provider_meta" => {}
                _ => diags.push(unsupported_block(
                    &inner,
                    "inside a terraform block",
                    &["required_providers", "backend", "cloud", "provider_meta"],
                )),
            }
        }
    }
}

/// How Terraform words a duplicate declaration of each kind of object.
struct Duplicate {
    summary: &'static str,
    /// "A variable named", "A local value named", ...
    article: &'static str,
    verb: &'static str,
    plural: &'static str,
}

const DUPLICATE_VARIABLE: Duplicate = Duplicate {
    summary: "Duplicate variable declaration",
    article: "A variable",
    verb: "declared",
    plural: "Variable names must be unique within a module.",
};
const DUPLICATE_LOCAL: Duplicate = Duplicate {
    summary: "Duplicate local value definition",
    article: "A local value",
    verb: "defined",
    plural: "Local value names must be unique within a module.",
};
const DUPLICATE_MODULE: Duplicate = Duplicate {
    summary: "Duplicate module call",
    article: "A module call",
    verb: "defined",
    plural: "Module calls must have unique names within a module.",
};
const DUPLICATE_OUTPUT: Duplicate = Duplicate {
    summary: "Duplicate output definition",
    article: "An output",
    verb: "defined",
    plural: "Output names must be unique within a module.",
};

fn insert_unique<T>(
    map: &mut IndexMap<String, T>,
    name: String,
    item: T,
    diags: &mut Diagnostics,
    span_of: impl Fn(&T) -> Span,
    kind: Duplicate,
) {
    if let Some(first) = map.get(&name) {
        diags.push(
            Diagnostic::error(kind.summary)
                .with_detail(format!(
                    "{} named \"{name}\" was already {}. {}",
                    kind.article, kind.verb, kind.plural
                ))
                .with_span(span_of(&item))
                .with_label(span_of(first), format!("first {} here", kind.verb)),
        );
    } else {
        map.insert(name, item);
    }
}

pub(crate) fn literal_string(e: &Expr) -> Option<String> {
    match &e.unparen().kind {
        ExprKind::Literal(Value::String(s)) => Some(s.clone()),
        _ => None,
    }
}

fn literal_bool(attr: &Attribute, diags: &mut Diagnostics) -> Option<bool> {
    match &attr.expr.unparen().kind {
        ExprKind::Literal(Value::Bool(b)) => Some(*b),
        _ => {
            diags.push(
                Diagnostic::error("Invalid value")
                    .with_detail(format!(
                        "The \"{}\" argument must be a literal true or false.",
                        attr.name
                    ))
                    .with_span(attr.expr.span),
            );
            None
        }
    }
}

fn no_labels(block: &Block, diags: &mut Diagnostics) {
    if let Some(l) = block.labels.first() {
        diags.push(
            Diagnostic::error("Extraneous label")
                .with_detail(format!("A {} block takes no labels.", block.kind))
                .with_span(l.span),
        );
    }
}

fn no_blocks(body: &Body, diags: &mut Diagnostics) {
    for b in &body.blocks {
        diags.push(
            Diagnostic::error("Unsupported block type")
                .with_detail(format!(
                    "Blocks of type \"{}\" are not expected here.",
                    b.kind
                ))
                .with_span(b.kind_span),
        );
    }
}

fn single_label(block: &Block, kind: &str, what: &str, diags: &mut Diagnostics) -> Option<String> {
    match block.labels.as_slice() {
        [l] => Some(l.value.clone()),
        [] => {
            diags.push(
                Diagnostic::error(format!("Missing name for {kind}"))
                    .with_detail(format!("All {kind} blocks must have 1 label ({what})."))
                    .with_span(block.kind_span),
            );
            None
        }
        [_, extra, ..] => {
            diags.push(
                Diagnostic::error("Extraneous label")
                    .with_detail(format!("A {kind} block takes exactly 1 label ({what})."))
                    .with_span(extra.span),
            );
            None
        }
    }
}

fn required_attr<'b>(
    block: &'b Block,
    name: &str,
    diags: &mut Diagnostics,
) -> Option<&'b Attribute> {
    let a = block.body.attr(name);
    if a.is_none() {
        diags.push(
            Diagnostic::error("Missing required argument")
                .with_detail(format!(
                    "The argument \"{name}\" is required, but no definition was found."
                ))
                .with_span(block.open_brace),
        );
    }
    a
}

fn unexpected_args(body: &Body, allowed: &[&str], diags: &mut Diagnostics) {
    for attr in body.attributes.values() {
        if !allowed.contains(&attr.name.as_str()) {
            let mut d = Diagnostic::error("Unsupported argument")
                .with_detail(format!(
                    "An argument named \"{}\" is not expected here.",
                    attr.name
                ))
                .with_span(attr.name_span);
            if let Some(s) = suggest(&attr.name, allowed.iter().copied()) {
                d = d.with_hint(format!("Did you mean \"{s}\"?"));
            }
            diags.push(d);
        }
    }
}

fn is_valid_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars.next().is_some_and(|c| c.is_alphabetic() || c == '_')
        && chars.all(|c| c.is_alphanumeric() || c == '_' || c == '-')
}

fn check_name(name: &str, span: Span, what: &str, diags: &mut Diagnostics) -> bool {
    if is_valid_name(name) {
        return true;
    }
    diags.push(
        Diagnostic::error(format!("Invalid {what} name"))
            .with_detail("A name must start with a letter or underscore and may contain only letters, digits, underscores, and dashes.")
            .with_span(span),
    );
    false
}

fn provider_block(block: Block, diags: &mut Diagnostics) -> Option<ProviderConfig> {
    let name = single_label(&block, "provider", "the provider's local name", diags)?;
    let alias = block.body.attr("alias").and_then(|a| {
        let s = literal_string(&a.expr);
        if s.is_none() {
            diags.push(
                Diagnostic::error("Invalid provider alias")
                    .with_detail("The alias must be a literal string.")
                    .with_span(a.expr.span),
            );
        }
        s
    });
    let mut body = block.body;
    body.attributes.shift_remove("alias");
    body.attributes.shift_remove("version");
    Some(ProviderConfig {
        name,
        alias,
        body,
        span: block.span,
    })
}

fn variable_block(block: Block, diags: &mut Diagnostics) -> Option<Variable> {
    let name = single_label(&block, "variable", "the variable name", diags)?;
    let name_span = block.labels[0].span;
    if !check_name(&name, name_span, "variable", diags) {
        return None;
    }
    const RESERVED: &[&str] = &[
        "source",
        "version",
        "providers",
        "count",
        "for_each",
        "lifecycle",
        "depends_on",
        "locals",
    ];
    if RESERVED.contains(&name.as_str()) {
        diags.push(
            Diagnostic::error("Invalid variable name")
                .with_detail(format!(
                    "The variable name \"{name}\" is reserved due to its special meaning inside module blocks."
                ))
                .with_span(name_span),
        );
    }
    unexpected_args(
        &block.body,
        &[
            "type",
            "default",
            "description",
            "sensitive",
            "nullable",
            "ephemeral",
        ],
        diags,
    );
    let body = &block.body;
    let ty = body.attr("type").and_then(|a| {
        Constraint::parse(&a.expr, &constant_value)
            .map_err(|d| diags.push(d))
            .ok()
    });
    let mut validations = Vec::new();
    for b in &body.blocks {
        match b.kind.as_str() {
            "validation" => {
                if let Some(c) = condition_block(b, diags) {
                    validations.push(c);
                }
            }
            _ => diags.push(unsupported_block(b, "in a variable block", &["validation"])),
        }
    }
    Some(Variable {
        name,
        name_span,
        decl_span: block.header_span(),
        span: block.span,
        type_span: body.attr("type").map(|a| a.expr.span),
        ty,
        default: body.attr("default").cloned(),
        description: body
            .attr("description")
            .and_then(|a| literal_string(&a.expr)),
        sensitive: body
            .attr("sensitive")
            .and_then(|a| literal_bool(a, diags))
            .unwrap_or(false),
        nullable: body
            .attr("nullable")
            .and_then(|a| literal_bool(a, diags))
            .unwrap_or(true),
        ephemeral: body
            .attr("ephemeral")
            .and_then(|a| literal_bool(a, diags))
            .unwrap_or(false),
        validations,
    })
}

/// Evaluates an expression that may not refer to anything (defaults in type constraints).
pub fn constant_value(e: &Expr) -> Result<Value, Diagnostic> {
    let empty = std::collections::BTreeMap::<String, Value>::new();
    terrane_lang::eval::EvalCtx::new(&empty, std::path::Path::new(".")).eval(e)
}

fn condition_block(block: &Block, diags: &mut Diagnostics) -> Option<Condition> {
    no_labels(block, diags);
    unexpected_args(&block.body, &["condition", "error_message"], diags);
    let condition = required_attr(block, "condition", diags)?;
    let error_message = required_attr(block, "error_message", diags)?;
    Some(Condition {
        condition: condition.expr.clone(),
        error_message: error_message.expr.clone(),
        span: block.span,
    })
}

fn provider_ref(attr: &Attribute, diags: &mut Diagnostics) -> Option<ProviderRef> {
    match attr.expr.as_static_traversal() {
        Some((root, ops)) if ops.len() <= 1 => {
            let alias = match ops.first() {
                Some(Traverser::Attr(a)) => Some(a.name.clone()),
                None => None,
                Some(_) => {
                    diags.push(invalid_provider_ref(attr.expr.span));
                    return None;
                }
            };
            Some(ProviderRef {
                name: root.name,
                alias,
                span: attr.expr.span,
            })
        }
        _ => {
            diags.push(invalid_provider_ref(attr.expr.span));
            None
        }
    }
}

fn invalid_provider_ref(span: Span) -> Diagnostic {
    Diagnostic::error("Invalid provider reference")
        .with_detail("The provider argument requires a provider name, optionally followed by a period and an alias, like aws.west.")
        .with_span(span)
        .with_hint("Write provider = aws.west, without quotes.")
}

fn depends_on(body: &Body, diags: &mut Diagnostics) -> Vec<Expr> {
    let Some(attr) = body.attr("depends_on") else {
        return Vec::new();
    };
    match &attr.expr.unparen().kind {
        ExprKind::Tuple(items) => items
            .iter()
            .filter(|e| {
                let ok = e.as_static_traversal().is_some();
                if !ok {
                    diags.push(
                        Diagnostic::error("Invalid depends_on reference")
                            .with_detail("References in depends_on must be to a whole object (resource, data source, module call, variable...), written without quotes or expressions.")
                            .with_span(e.span),
                    );
                }
                ok
            })
            .cloned()
            .collect(),
        _ => {
            diags.push(
                Diagnostic::error("Invalid depends_on")
                    .with_detail("The depends_on argument must be a list of references.")
                    .with_span(attr.expr.span),
            );
            Vec::new()
        }
    }
}

fn resource_block(block: Block, mode: Mode, diags: &mut Diagnostics) -> Option<Resource> {
    let kind = if mode == Mode::Data {
        "data"
    } else {
        "resource"
    };
    let (type_name, name) = match block.labels.as_slice() {
        [t, n] => (t.clone(), n.clone()),
        _ => {
            diags.push(
                Diagnostic::error(format!("Missing name for {kind}"))
                    .with_detail(format!(
                        "All {kind} blocks must have 2 labels (type, name)."
                    ))
                    .with_span(block.header_span()),
            );
            return None;
        }
    };
    if !check_name(&name.value, name.span, kind, diags)
        || !check_name(
            &type_name.value,
            type_name.span,
            &format!("{kind} type"),
            diags,
        )
    {
        return None;
    }
    let decl_span = block.header_span();
    let open_brace = block.open_brace;
    let mut body = block.body;
    if body.attr("count").is_some() && body.attr("for_each").is_some() {
        let fe = &body.attributes["for_each"];
        diags.push(
            Diagnostic::error("Invalid combination of \"count\" and \"for_each\"")
                .with_detail("The \"count\" and \"for_each\" meta-arguments are mutually-exclusive, only one should be used to be explicit about the number of resources to be created.")
                .with_span(fe.name_span),
        );
    }
    let provider = body.attr("provider").and_then(|a| provider_ref(a, diags));
    let depends = depends_on(&body, diags);
    let count = body.attributes.shift_remove("count").map(|a| a.expr);
    let for_each = body.attributes.shift_remove("for_each").map(|a| a.expr);
    body.attributes.shift_remove("provider");
    body.attributes.shift_remove("depends_on");
    let mut lifecycle = Lifecycle::default();
    let mut rest = Vec::with_capacity(body.blocks.len());
    for b in std::mem::take(&mut body.blocks) {
        match b.kind.as_str() {
            "lifecycle" => lifecycle_block(&b, &mut lifecycle, diags),
            "locals" | "count" | "for_each" => diags.push(
                Diagnostic::error("Reserved block type name in resource block")
                    .with_detail(format!(
                        "The block type name \"{}\" is reserved for use by Terraform in a future version.",
                        b.kind
                    ))
                    .with_span(b.kind_span),
            ),
            _ => rest.push(b),
        }
    }
    body.blocks = rest;
    Some(Resource {
        mode,
        type_name: type_name.value,
        name: name.value,
        count,
        for_each,
        provider,
        depends_on: depends,
        lifecycle,
        body,
        span: block.span,
        decl_span,
        open_brace,
        type_span: type_name.span,
    })
}

fn lifecycle_block(block: &Block, lc: &mut Lifecycle, diags: &mut Diagnostics) {
    unexpected_args(
        &block.body,
        &[
            "create_before_destroy",
            "prevent_destroy",
            "ignore_changes",
            "replace_triggered_by",
        ],
        diags,
    );
    let body = &block.body;
    if let Some(a) = body.attr("create_before_destroy") {
        lc.create_before_destroy = literal_bool(a, diags);
    }
    if let Some(a) = body.attr("prevent_destroy") {
        lc.prevent_destroy = literal_bool(a, diags).unwrap_or(false);
    }
    if let Some(a) = body.attr("ignore_changes") {
        lc.ignore_changes = match &a.expr.unparen().kind {
            ExprKind::Variable(i) if i.name == "all" => IgnoreChanges::All,
            ExprKind::Literal(Value::String(s)) if s == "all" => IgnoreChanges::All,
            ExprKind::Tuple(items) => IgnoreChanges::Paths(items.clone()),
            _ => {
                diags.push(
                    Diagnostic::error("Invalid ignore_changes")
                        .with_detail("The ignore_changes argument must be a list of attribute references, or the keyword all.")
                        .with_span(a.expr.span),
                );
                IgnoreChanges::None
            }
        };
    }
    if let Some(a) = body.attr("replace_triggered_by") {
        match &a.expr.unparen().kind {
            ExprKind::Tuple(items) => lc.replace_triggered_by = items.clone(),
            _ => diags.push(
                Diagnostic::error("Invalid replace_triggered_by")
                    .with_detail("The replace_triggered_by argument must be a list of references to resources or their attributes.")
                    .with_span(a.expr.span),
            ),
        }
    }
    for b in &body.blocks {
        match b.kind.as_str() {
            "precondition" => lc.preconditions.extend(condition_block(b, diags)),
            "postcondition" => lc.postconditions.extend(condition_block(b, diags)),
            _ => diags.push(unsupported_block(
                b,
                "in a lifecycle block",
                &["precondition", "postcondition"],
            )),
        }
    }
}

fn module_block(block: Block, diags: &mut Diagnostics) -> Option<ModuleCall> {
    let name = single_label(&block, "module", "the module call's name", diags)?;
    let name_label = &block.labels[0];
    if !check_name(&name, name_label.span, "module", diags) {
        return None;
    }
    let decl_span = block.header_span();
    let open_brace = block.open_brace;
    let source_attr = required_attr(&block, "source", diags)?;
    let Some(source) = literal_string(&source_attr.expr) else {
        diags.push(
            Diagnostic::error("Variables not allowed")
                .with_detail("The module source must be a literal string: it is needed before any expression can be evaluated.")
                .with_span(source_attr.expr.span),
        );
        return None;
    };
    let source_span = source_attr.expr.span;
    let mut body = block.body;
    if body.attr("count").is_some() && body.attr("for_each").is_some() {
        diags.push(
            Diagnostic::error("Invalid combination of \"count\" and \"for_each\"")
                .with_detail(
                    "The \"count\" and \"for_each\" meta-arguments are mutually-exclusive.",
                )
                .with_span(body.attributes["for_each"].name_span),
        );
    }
    let depends = depends_on(&body, diags);
    let mut providers = Vec::new();
    if let Some(p) = body.attr("providers") {
        match &p.expr.unparen().kind {
            ExprKind::Object(items) => {
                for (k, v) in items {
                    let key = match k {
                        terrane_lang::ast::ObjectKey::Ident(i) => {
                            Expr::new(ExprKind::Variable(i.clone()), i.span)
                        }
                        terrane_lang::ast::ObjectKey::Expr(e) => e.clone(),
                    };
                    providers.push((key, v.clone()));
                }
            }
            _ => diags.push(
                Diagnostic::error("Invalid providers argument")
                    .with_detail("The providers argument must be a map from provider names in the child module to provider configurations here, like { aws = aws.west }.")
                    .with_span(p.expr.span),
            ),
        }
    }
    let version = body.attr("version").and_then(|a| literal_string(&a.expr));
    let count = body.attributes.shift_remove("count").map(|a| a.expr);
    let for_each = body.attributes.shift_remove("for_each").map(|a| a.expr);
    for meta in ["source", "version", "providers", "depends_on"] {
        body.attributes.shift_remove(meta);
    }
    for b in &body.blocks {
        diags.push(
            Diagnostic::error("Unsupported block type")
                .with_detail(format!(
                    "Blocks of type \"{}\" are not expected in a module block.",
                    b.kind
                ))
                .with_span(b.kind_span),
        );
    }
    Some(ModuleCall {
        name,
        source,
        source_span,
        version,
        count,
        for_each,
        depends_on: depends,
        providers,
        inputs: body.attributes,
        span: block.span,
        decl_span,
        open_brace,
    })
}

fn output_block(block: Block, diags: &mut Diagnostics) -> Option<Output> {
    let name = single_label(&block, "output", "the output name", diags)?;
    if !check_name(&name, block.labels[0].span, "output", diags) {
        return None;
    }
    unexpected_args(
        &block.body,
        &[
            "value",
            "description",
            "sensitive",
            "depends_on",
            "ephemeral",
        ],
        diags,
    );
    let value = required_attr(&block, "value", diags)?.expr.clone();
    let mut preconditions = Vec::new();
    for b in &block.body.blocks {
        match b.kind.as_str() {
            "precondition" => preconditions.extend(condition_block(b, diags)),
            _ => diags.push(unsupported_block(
                b,
                "in an output block",
                &["precondition"],
            )),
        }
    }
    let body = &block.body;
    Some(Output {
        value,
        description: body
            .attr("description")
            .and_then(|a| literal_string(&a.expr)),
        sensitive: body
            .attr("sensitive")
            .and_then(|a| literal_bool(a, diags))
            .unwrap_or(false),
        ephemeral: body
            .attr("ephemeral")
            .and_then(|a| literal_bool(a, diags))
            .unwrap_or(false),
        depends_on: depends_on(body, diags),
        preconditions,
        decl_span: block.header_span(),
        span: block.span,
        name,
    })
}

fn check_block(block: Block, diags: &mut Diagnostics) -> Option<Check> {
    let name = single_label(&block, "check", "the check's name", diags)?;
    let mut data = Vec::new();
    let mut asserts = Vec::new();
    for b in block.body.blocks {
        match b.kind.as_str() {
            "data" => data.extend(resource_block(b, Mode::Data, diags)),
            "assert" => asserts.extend(condition_block(&b, diags)),
            _ => diags.push(unsupported_block(
                &b,
                "in a check block",
                &["data", "assert"],
            )),
        }
    }
    Some(Check {
        name,
        data,
        asserts,
        span: block.span,
    })
}

/// "Unsupported block type", with a suggestion among the block types allowed there.
fn unsupported_block(block: &Block, context: &str, allowed: &[&str]) -> Diagnostic {
    let mut d = Diagnostic::error("Unsupported block type")
        .with_detail(format!(
            "Blocks of type \"{}\" are not expected {context}.",
            block.kind
        ))
        .with_span(block.kind_span);
    if let Some(s) = suggest(&block.kind, allowed.iter().copied()) {
        d = d.with_hint(format!("Did you mean \"{s}\"?"));
    }
    d
}
