//! The dependency graph of a whole configuration (every module flattened into one graph), built
//! from the references between variables, locals, resources, data sources, module calls and
//! outputs, including `depends_on`.

use crate::refs::{Reference, Refs, Target};
use petgraph::Direction;
use petgraph::algo::{tarjan_scc, toposort};
use petgraph::graph::{DiGraph, NodeIndex};
use petgraph::visit::EdgeRef;
use std::collections::{HashMap, HashSet};
use std::fmt;
use terrane_config::{Config, Mode, Module, ModuleNode};
use terrane_types::{Diagnostic, Diagnostics, Span, suggest};

/// An object of the configuration, in one module (identified by its call path).
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Node {
    pub module: Vec<String>,
    pub kind: NodeKind,
}

#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum NodeKind {
    Var(String),
    Local(String),
    /// Address within the module: `aws_instance.web`, `data.aws_ami.x`.
    Resource(String),
    ModuleCall(String),
    Output(String),
}

impl fmt::Display for Node {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for m in &self.module {
            write!(f, "module.{m}.")?;
        }
        match &self.kind {
            NodeKind::Var(n) => write!(f, "var.{n}"),
            NodeKind::Local(n) => write!(f, "local.{n}"),
            NodeKind::Resource(a) => f.write_str(a),
            NodeKind::ModuleCall(n) => write!(f, "module.{n}"),
            NodeKind::Output(n) => write!(f, "output.{n}"),
        }
    }
}

/// `module.a.module.b.` for a module's configuration path (empty for the root): how the
/// state's dependencies and -target name resources inside modules.
pub(crate) fn module_prefix(path: &[String]) -> String {
    path.iter().map(|m| format!("module.{m}.")).collect()
}

/// An edge from a dependent to what it depends on, with the reference that made it.
#[derive(Clone, Copy, Debug)]
pub struct Edge {
    pub span: Span,
}

pub struct Graph {
    pub graph: DiGraph<Node, Edge>,
    pub index: HashMap<Node, NodeIndex>,
}

impl Graph {
    /// Builds the graph, reporting references to undeclared objects and dependency cycles.
    pub fn build(config: &Config) -> (Graph, Diagnostics) {
        let mut b = Builder {
            graph: Graph {
                graph: DiGraph::new(),
                index: HashMap::new(),
            },
            diags: Diagnostics::new(),
        };
        let modules = config.root.walk();
        for m in &modules {
            b.add_nodes(m);
        }
        for m in &modules {
            b.add_edges(m);
        }
        let Builder { graph, mut diags } = b;
        diags.extend(graph.cycles());
        (graph, diags)
    }

    pub fn node(&self, n: &Node) -> Option<NodeIndex> {
        self.index.get(n).copied()
    }

    /// Nodes in an order where every node comes after everything it depends on; `None` if the
    /// graph has a cycle.
    pub fn evaluation_order(&self) -> Option<Vec<NodeIndex>> {
        let mut order = toposort(&self.graph, None).ok()?;
        order.reverse();
        Some(order)
    }

    /// Every resource a node depends on, directly or through variables, locals, outputs and
    /// module calls, as Terraform's state records them (`module.net.aws_subnet.a`).
    pub fn resource_dependencies(&self, start: NodeIndex) -> Vec<String> {
        let mut out = std::collections::BTreeSet::new();
        let mut stack: Vec<NodeIndex> = self.dependencies(start).collect();
        let mut seen = HashSet::new();
        while let Some(n) = stack.pop() {
            if !seen.insert(n) {
                continue;
            }
            let node = &self.graph[n];
            if let NodeKind::Resource(addr) = &node.kind {
                out.insert(format!("{}{addr}", module_prefix(&node.module)));
            }
            stack.extend(self.dependencies(n));
        }
        out.into_iter().collect()
    }

    /// [`Graph::resource_dependencies`] of every resource node, in one pass over the nodes in
    /// dependency order (each node's set is built from its direct dependencies' sets).
    pub fn all_resource_dependencies(&self) -> HashMap<NodeIndex, Vec<String>> {
        let Some(order) = self.evaluation_order() else {
            return HashMap::new();
        };
        let mut upstream: HashMap<NodeIndex, std::sync::Arc<std::collections::BTreeSet<String>>> =
            HashMap::new();
        let mut out = HashMap::new();
        for n in order {
            let mut set = std::collections::BTreeSet::new();
            for d in self.dependencies(n) {
                if let Some(s) = upstream.get(&d) {
                    set.extend(s.iter().cloned());
                }
                let dep = &self.graph[d];
                if let NodeKind::Resource(addr) = &dep.kind {
                    set.insert(format!("{}{addr}", module_prefix(&dep.module)));
                }
            }
            if matches!(self.graph[n].kind, NodeKind::Resource(_)) {
                out.insert(n, set.iter().cloned().collect());
            }
            upstream.insert(n, std::sync::Arc::new(set));
        }
        out
    }

    /// What a node depends on directly.
    pub fn dependencies(&self, n: NodeIndex) -> impl Iterator<Item = NodeIndex> + '_ {
        self.graph.neighbors_directed(n, Direction::Outgoing)
    }

    fn cycles(&self) -> Vec<Diagnostic> {
        let mut out = Vec::new();
        for scc in tarjan_scc(&self.graph) {
            let self_loop = scc.len() == 1 && self.graph.find_edge(scc[0], scc[0]).is_some();
            if scc.len() < 2 && !self_loop {
                continue;
            }
            let members: HashSet<NodeIndex> = scc.iter().copied().collect();
            // Start from the node that sorts first so the message is stable across runs.
            let Some(&start) = scc.iter().min_by_key(|&&i| &self.graph[i]) else {
                continue;
            };
            let path = self.cycle_path(start, &members);
            out.push(self.cycle_diagnostic(&path));
        }
        out
    }

    /// A closed path start → ... → start through the strongly connected component, as edges.
    fn cycle_path(&self, start: NodeIndex, members: &HashSet<NodeIndex>) -> Vec<(NodeIndex, Span)> {
        // Breadth-first search back to `start`, so the reported cycle is a shortest one.
        let mut prev: HashMap<NodeIndex, (NodeIndex, Span)> = HashMap::new();
        let mut queue = std::collections::VecDeque::from([start]);
        let mut seen = HashSet::from([start]);
        while let Some(n) = queue.pop_front() {
            let mut edges: Vec<_> = self.graph.edges(n).collect();
            edges.sort_by_key(|e| &self.graph[e.target()]);
            for e in edges {
                let t = e.target();
                if t == start {
                    let mut path = vec![(n, e.weight().span)];
                    let mut cur = n;
                    while cur != start {
                        let Some(&(p, span)) = prev.get(&cur) else {
                            break;
                        };
                        path.push((p, span));
                        cur = p;
                    }
                    path.reverse();
                    return path;
                }
                if members.contains(&t) && seen.insert(t) {
                    prev.insert(t, (n, e.weight().span));
                    queue.push_back(t);
                }
            }
        }
        Vec::new()
    }

    fn cycle_diagnostic(&self, path: &[(NodeIndex, Span)]) -> Diagnostic {
        let names: Vec<String> = path
            .iter()
            .map(|(n, _)| self.graph[*n].to_string())
            .collect();
        if let [(n, span)] = path {
            let node = &self.graph[*n];
            let (summary, detail) = match &node.kind {
                NodeKind::Local(_) => (
                    "Self-referencing local value",
                    format!(
                        "Local value {node} cannot use its own result as part of its expression."
                    ),
                ),
                _ => (
                    "Self-referential block",
                    format!("Configuration for {node} may not refer to itself."),
                ),
            };
            return Diagnostic::error(summary)
                .with_detail(detail)
                .with_span(*span);
        }
        let mut chain = names.clone();
        if let Some(first) = names.first() {
            chain.push(first.clone());
        }
        let mut d = Diagnostic::error("Dependency cycle")
            .with_detail(format!(
                "These objects depend on each other, so none of them can be evaluated first: {}.",
                chain.join(" → ")
            ))
            .with_hint("Break the cycle by removing one of these references.");
        for (i, (_, span)) in path.iter().enumerate() {
            let to = &names[(i + 1) % names.len()];
            // The first reference carries the detail as its label; the others say their step.
            if i == 0 {
                d = d.with_span(*span);
            } else {
                d = d.with_label(*span, format!("{} refers to {to}", names[i]));
            }
        }
        d
    }

    /// Graphviz DOT text: one node per object, an edge from each object to what it uses.
    pub fn to_dot(&self, include: impl Fn(&Node) -> bool) -> String {
        let mut nodes: Vec<NodeIndex> = self
            .graph
            .node_indices()
            .filter(|&i| include(&self.graph[i]))
            .collect();
        nodes.sort_by_key(|&i| &self.graph[i]);
        let mut out = String::from(
            "digraph {\n  compound = \"true\"\n  newrank = \"true\"\n  subgraph \"root\" {\n",
        );
        for &i in &nodes {
            let n = &self.graph[i];
            let shape = match n.kind {
                NodeKind::Resource(_) => "box",
                NodeKind::ModuleCall(_) => "component",
                NodeKind::Output(_) => "note",
                _ => "ellipse",
            };
            out.push_str(&format!("    \"{n}\" [label=\"{n}\", shape=\"{shape}\"]\n"));
        }
        let mut edges: Vec<(String, String)> = Vec::new();
        for &i in &nodes {
            for j in self.transitive_included(i, &include) {
                edges.push((self.graph[i].to_string(), self.graph[j].to_string()));
            }
        }
        edges.sort();
        edges.dedup();
        for (a, b) in edges {
            out.push_str(&format!("    \"{a}\" -> \"{b}\"\n"));
        }
        out.push_str("  }\n}\n");
        out
    }

    /// The included nodes a node depends on, looking through nodes that are left out.
    fn transitive_included(
        &self,
        start: NodeIndex,
        include: &impl Fn(&Node) -> bool,
    ) -> Vec<NodeIndex> {
        let mut out = Vec::new();
        let mut stack: Vec<NodeIndex> = self.dependencies(start).collect();
        let mut seen = HashSet::new();
        while let Some(n) = stack.pop() {
            if !seen.insert(n) {
                continue;
            }
            if include(&self.graph[n]) {
                out.push(n);
            } else {
                stack.extend(self.dependencies(n));
            }
        }
        out
    }
}

struct Builder {
    graph: Graph,
    diags: Diagnostics,
}

impl Builder {
    fn add(&mut self, node: Node) -> NodeIndex {
        if let Some(&i) = self.graph.index.get(&node) {
            return i;
        }
        let i = self.graph.graph.add_node(node.clone());
        self.graph.index.insert(node, i);
        i
    }

    fn add_nodes(&mut self, m: &ModuleNode) {
        let path = &m.path;
        let module = &m.module;
        let node = |kind| Node {
            module: path.clone(),
            kind,
        };
        for name in module.variables.keys() {
            self.add(node(NodeKind::Var(name.clone())));
        }
        for name in module.locals.keys() {
            self.add(node(NodeKind::Local(name.clone())));
        }
        for addr in module.resources.keys() {
            self.add(node(NodeKind::Resource(addr.clone())));
        }
        for name in module.module_calls.keys() {
            self.add(node(NodeKind::ModuleCall(name.clone())));
        }
        for name in module.outputs.keys() {
            self.add(node(NodeKind::Output(name.clone())));
        }
    }

    fn add_edges(&mut self, m: &ModuleNode) {
        let module = &m.module;
        let here = |kind| Node {
            module: m.path.clone(),
            kind,
        };
        for (name, v) in &module.variables {
            let from = here(NodeKind::Var(name.clone()));
            let mut refs = Refs::default();
            for c in &v.validations {
                refs.add_expr(&c.condition);
                refs.add_expr(&c.error_message);
            }
            // A validation may refer to its own variable; that is not a cycle.
            refs.refs.retain(|r| r.target != Target::Var(name.clone()));
            self.connect(&from, m, refs, Context::Plain);
        }
        for (name, l) in &module.locals {
            self.connect(
                &here(NodeKind::Local(name.clone())),
                m,
                Refs::of_expr(&l.expr),
                Context::Plain,
            );
        }
        for (addr, r) in &module.resources {
            // `self` is only meaningful once the object exists: in provisioners, connections
            // and postconditions.
            const AFTER_CREATE: &[&str] = &["provisioner", "connection"];
            let mut refs = Refs::default();
            refs.add_body_except(&r.body, AFTER_CREATE);
            for e in r.count.iter().chain(&r.for_each).chain(&r.depends_on) {
                refs.add_expr(e);
            }
            for e in &r.lifecycle.replace_triggered_by {
                refs.add_expr(e);
            }
            for c in &r.lifecycle.preconditions {
                refs.add_expr(&c.condition);
                refs.add_expr(&c.error_message);
            }
            let mut after = Refs::default();
            after.add_blocks_of(&r.body, AFTER_CREATE);
            for c in &r.lifecycle.postconditions {
                after.add_expr(&c.condition);
                after.add_expr(&c.error_message);
            }
            let ctx = |self_allowed| Context::Resource {
                count: r.count.is_some(),
                for_each: r.for_each.is_some(),
                self_allowed,
            };
            let node = here(NodeKind::Resource(addr.clone()));
            self.connect(&node, m, refs, ctx(false));
            self.connect(&node, m, after, ctx(true));
        }
        for (name, call) in &module.module_calls {
            let from = here(NodeKind::ModuleCall(name.clone()));
            let mut refs = Refs::default();
            for e in call
                .count
                .iter()
                .chain(&call.for_each)
                .chain(&call.depends_on)
            {
                refs.add_expr(e);
            }
            let ctx = Context::Resource {
                count: call.count.is_some(),
                for_each: call.for_each.is_some(),
                self_allowed: false,
            };
            self.connect(&from, m, refs, ctx);
            let Some(child) = m.children.get(name) else {
                continue;
            };
            // The child's input variables depend on the expressions given for them here.
            for (input, attr) in &call.inputs {
                let var = Node {
                    module: child.path.clone(),
                    kind: NodeKind::Var(input.clone()),
                };
                if self.graph.index.contains_key(&var) {
                    self.connect(&var, m, Refs::of_expr(&attr.expr), ctx);
                }
            }
            // Everything in the child depends on the call (its count/for_each and depends_on).
            let call_index = self.add(from);
            for n in child_nodes(child) {
                if let Some(&i) = self.graph.index.get(&n) {
                    self.graph.graph.update_edge(
                        i,
                        call_index,
                        Edge {
                            span: call.decl_span,
                        },
                    );
                }
            }
        }
        for (name, o) in &module.outputs {
            let mut refs = Refs::of_expr(&o.value);
            for e in &o.depends_on {
                refs.add_expr(e);
            }
            for c in &o.preconditions {
                refs.add_expr(&c.condition);
                refs.add_expr(&c.error_message);
            }
            self.connect(
                &here(NodeKind::Output(name.clone())),
                m,
                refs,
                Context::Plain,
            );
        }
    }

    /// Adds edges from `from` to every target of `refs`, reporting the ones that do not exist.
    fn connect(&mut self, from: &Node, m: &ModuleNode, refs: Refs, ctx: Context) {
        let from_index = self.add(from.clone());
        for bad in refs.bad {
            let mut d = Diagnostic::error(bad.summary)
                .with_detail(bad.detail)
                .with_span(bad.span);
            if let Some(h) = bad.hint {
                d = d.with_hint(h);
            }
            self.diags.push(d);
        }
        for r in refs.refs {
            for target in self.resolve(&r, m, ctx) {
                if let Some(&to) = self.graph.index.get(&target) {
                    self.graph
                        .graph
                        .update_edge(from_index, to, Edge { span: r.span });
                }
            }
        }
    }

    /// The graph nodes a reference stands for, or a diagnostic if it names nothing.
    fn resolve(&mut self, r: &Reference, m: &ModuleNode, ctx: Context) -> Vec<Node> {
        let module: &Module = &m.module;
        let at = |kind| Node {
            module: m.path.clone(),
            kind,
        };
        let where_ = if m.path.is_empty() {
            "the root module".to_owned()
        } else {
            m.address()
        };
        match &r.target {
            Target::Var(name) => {
                if module.variables.contains_key(name) {
                    return vec![at(NodeKind::Var(name.clone()))];
                }
                self.undeclared(
                    "Reference to undeclared input variable",
                    format!("An input variable with the name \"{name}\" has not been declared. This variable can be declared with a variable \"{name}\" {{}} block."),
                    name,
                    module.variables.keys(),
                    "var.",
                    r.span,
                );
            }
            Target::Local(name) => {
                if module.locals.contains_key(name) {
                    return vec![at(NodeKind::Local(name.clone()))];
                }
                self.undeclared(
                    "Reference to undeclared local value",
                    format!("A local value with the name \"{name}\" has not been declared."),
                    name,
                    module.locals.keys(),
                    "local.",
                    r.span,
                );
            }
            Target::Module(name, output) => {
                let Some(child) = m.children.get(name) else {
                    if !module.module_calls.contains_key(name) {
                        self.undeclared(
                            "Reference to undeclared module",
                            format!("No module call named \"{name}\" is declared in {where_}."),
                            name,
                            module.module_calls.keys(),
                            "module.",
                            r.span,
                        );
                    }
                    return Vec::new();
                };
                let out_node = |o: &str| Node {
                    module: child.path.clone(),
                    kind: NodeKind::Output(o.to_owned()),
                };
                return match output {
                    Some(o) if child.module.outputs.contains_key(o) => vec![out_node(o)],
                    Some(o) => {
                        let mut d = Diagnostic::error("Unsupported attribute")
                            .with_detail(format!(
                                "This object does not have an attribute named \"{o}\": module \"{name}\" declares no output \"{o}\"."
                            ))
                            .with_span(r.step_span);
                        if let Some(s) = suggest(o, child.module.outputs.keys().map(String::as_str))
                        {
                            d = d.with_hint(format!("Did you mean \"module.{name}.{s}\"?"));
                        }
                        self.diags.push(d);
                        Vec::new()
                    }
                    None => child.module.outputs.keys().map(|o| out_node(o)).collect(),
                };
            }
            Target::Resource(mode, type_name, name) => {
                let addr = match mode {
                    Mode::Managed => format!("{type_name}.{name}"),
                    Mode::Data => format!("data.{type_name}.{name}"),
                };
                if let Some(res) = module.resources.get(&addr) {
                    if r.attr_follows && (res.count.is_some() || res.for_each.is_some()) {
                        let (arg, key) = if res.count.is_some() {
                            ("count", "count.index")
                        } else {
                            ("for_each", "each.key")
                        };
                        self.diags.push(
                            Diagnostic::error("Missing resource instance key")
                                .with_detail(format!(
                                    "Because {addr} has \"{arg}\" set, its attributes must be accessed on specific instances."
                                ))
                                .with_span(r.span)
                                .with_hint(format!(
                                    "For example, to correlate with indices of a referring resource, use: {addr}[{key}]"
                                )),
                        );
                    }
                    return vec![at(NodeKind::Resource(addr))];
                }
                let kind = match mode {
                    Mode::Managed => "managed resource",
                    Mode::Data => "data resource",
                };
                let candidates: Vec<String> = module
                    .resources
                    .values()
                    .filter(|x| x.mode == *mode)
                    .map(|x| x.address())
                    .collect();
                let mut d = Diagnostic::error("Reference to undeclared resource")
                    .with_detail(format!(
                        "A {kind} \"{type_name}\" \"{name}\" has not been declared in {where_}."
                    ))
                    .with_span(r.span);
                let data_twin = format!("data.{type_name}.{name}");
                if *mode == Mode::Managed && module.resources.contains_key(&data_twin) {
                    d = d.with_hint(format!("Did you mean the data resource {data_twin}?"));
                } else if let Some(s) = suggest(&addr, candidates.iter().map(String::as_str)) {
                    d = d.with_hint(format!("Did you mean \"{s}\"?"));
                }
                self.diags.push(d);
            }
            Target::CountIndex => {
                if !matches!(ctx, Context::Resource { count: true, .. }) {
                    self.diags.push(
                        Diagnostic::error("Reference to \"count\" in non-counted context")
                            .with_detail("The \"count\" object can only be used in \"module\", \"resource\", and \"data\" blocks, and only when the \"count\" argument is set.")
                            .with_span(r.span),
                    );
                }
            }
            Target::EachKey | Target::EachValue => {
                if !matches!(ctx, Context::Resource { for_each: true, .. }) {
                    self.diags.push(
                        Diagnostic::error("Reference to \"each\" in context without for_each")
                            .with_detail("The \"each\" object can be used only in \"module\" or \"resource\" blocks, and only when the \"for_each\" argument is set.")
                            .with_span(r.span),
                    );
                }
            }
            Target::SelfRef => {
                if !matches!(
                    ctx,
                    Context::Resource {
                        self_allowed: true,
                        ..
                    }
                ) {
                    self.diags.push(
                        Diagnostic::error("Invalid \"self\" reference")
                            .with_detail("The \"self\" object is not available in this context. This object can be used only in resource provisioner, connection, and postcondition blocks.")
                            .with_span(r.span),
                    );
                }
            }
            Target::PathAttr(_) | Target::TerraformAttr(_) => {}
        }
        Vec::new()
    }

    fn undeclared<'k>(
        &mut self,
        summary: &str,
        detail: String,
        name: &str,
        declared: impl Iterator<Item = &'k String>,
        prefix: &str,
        span: Span,
    ) {
        let mut d = Diagnostic::error(summary)
            .with_detail(detail)
            .with_span(span);
        let declared: Vec<&str> = declared.map(String::as_str).collect();
        if let Some(s) = suggest(name, declared.iter().copied()) {
            d = d.with_hint(format!("Did you mean \"{prefix}{s}\"?"));
        }
        self.diags.push(d);
    }
}

#[derive(Clone, Copy)]
enum Context {
    Plain,
    Resource {
        count: bool,
        for_each: bool,
        self_allowed: bool,
    },
}

/// Every node declared directly in a module (not in its children).
fn child_nodes(child: &ModuleNode) -> Vec<Node> {
    let m = &child.module;
    let node = |kind| Node {
        module: child.path.clone(),
        kind,
    };
    m.variables
        .keys()
        .map(|n| node(NodeKind::Var(n.clone())))
        .chain(m.locals.keys().map(|n| node(NodeKind::Local(n.clone()))))
        .chain(
            m.resources
                .keys()
                .map(|n| node(NodeKind::Resource(n.clone()))),
        )
        .chain(
            m.module_calls
                .keys()
                .map(|n| node(NodeKind::ModuleCall(n.clone()))),
        )
        .chain(m.outputs.keys().map(|n| node(NodeKind::Output(n.clone()))))
        .collect()
}
