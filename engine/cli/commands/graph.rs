//! `terrane graph`: the dependency graph in Graphviz DOT format.

use super::{load_and_validate, print_diagnostics};
use crate::Ctx;
use terrane_core::{Graph, NodeKind};
use terrane_types::SourceMap;

#[derive(Clone, Copy, Debug, clap::ValueEnum)]
pub enum GraphType {
    /// Every object: variables, locals, resources, data sources, module calls and outputs.
    Plan,
    /// What apply acts on: resources, data sources and the module calls around them.
    Apply,
}

#[derive(clap::Args, Debug)]
pub struct Args {
    /// Which graph: without it, resources and data sources only (as Terraform 1.7+ shows).
    #[arg(long = "type", value_enum)]
    graph_type: Option<GraphType>,
}

pub fn run(args: Args, ctx: &Ctx) -> u8 {
    let mut sources = SourceMap::new();
    let (config, diags) = load_and_validate(&mut sources);
    if diags.has_errors() {
        print_diagnostics(&diags, &sources, ctx);
        return 1;
    }
    let (graph, _) = Graph::build(&config);
    let dot = graph.to_dot(|n| match args.graph_type {
        Some(GraphType::Plan) => true,
        Some(GraphType::Apply) => {
            matches!(n.kind, NodeKind::Resource(_) | NodeKind::ModuleCall(_))
        }
        None => matches!(n.kind, NodeKind::Resource(_)),
    });
    crate::output::emit(&dot);
    0
}
