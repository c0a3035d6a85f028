//! Benchmark (not a test): parse + evaluate + build the graph of generated configurations with
//! 1k, 10k and 100k resources, as `terrane validate` does. Reports wall time per phase and the
//! process's peak resident memory.
//!
//! Run: `cargo bench --bench language` (add sizes as arguments: `-- 10000`).
//! Each size runs in a fresh child process so peak memory is per size.

use std::path::Path;

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;
use std::process::Command;
use std::time::Instant;
use terrane_types::SourceMap;

/// The issue's reference shape: trivial resources, one literal argument each.
fn generate_trivial(resources: usize) -> String {
    let mut s = String::with_capacity(resources * 64);
    for i in 0..resources {
        s.push_str(&format!(
            "resource \"terraform_data\" \"r{i}\" {{\n  input = \"value-{i}\"\n}}\n\n"
        ));
    }
    s
}

/// A configuration shaped like real ones: typed variables, locals, every resource referring to
/// the previous one, function calls, templates, nested objects and an output.
fn generate_rich(resources: usize) -> String {
    let mut s = String::with_capacity(resources * 260);
    s.push_str(
        r#"variable "prefix" {
  type    = string
  default = "bench"
}

variable "tags" {
  type = map(string)
  default = {
    team = "platform"
    env  = "test"
  }
}

locals {
  names = [for i in range(10) : "${var.prefix}-${i}"]
  common = merge(var.tags, { managed_by = "terrane" })
}

"#,
    );
    for i in 0..resources {
        let dep = if i == 0 {
            String::from("var.prefix")
        } else {
            format!("terraform_data.r{}.id", i - 1)
        };
        s.push_str(&format!(
            r#"resource "terraform_data" "r{i}" {{
  input = {{
    name   = "${{var.prefix}}-{i}"
    parent = {dep}
    tags   = merge(local.common, {{ index = "{i}" }})
    size   = length(local.names) * {i} % 7
  }}
}}

"#
        ));
    }
    s.push_str(&format!(
        "output \"last\" {{\n  value = terraform_data.r{}.output\n}}\n",
        resources.saturating_sub(1)
    ));
    s
}

fn peak_rss_mb() -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find(|l| l.starts_with("VmHWM:"))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|kb| kb.parse::<f64>().ok())
        .map_or(0.0, |kb| kb / 1024.0)
}

fn run_one(shape: &str, n: usize) {
    let text = match shape {
        "trivial" => generate_trivial(n),
        _ => generate_rich(n),
    };
    let dir = tempfile::tempdir().expect("temporary directory");
    std::fs::write(dir.path().join("main.tf"), &text).expect("write main.tf");
    let t0 = Instant::now();
    let mut sources = SourceMap::new();
    let (config, diags) = terrane_config::load(dir.path(), &mut sources);
    let loaded = t0.elapsed();
    assert!(!diags.has_errors(), "generated configuration must be valid");
    let t1 = Instant::now();
    // validate builds the graph, checks references and cycles, and evaluates every expression.
    let diags = terrane_core::validate(&config, &sources, Path::new("."));
    let validated = t1.elapsed();
    let total = t0.elapsed();
    assert!(!diags.has_errors(), "{:?}", diags.iter().next());
    let peak = peak_rss_mb();
    let t2 = Instant::now();
    let (graph, _) = terrane_core::Graph::build(&config);
    let graph_only = t2.elapsed();
    println!(
        "{shape:>7} {n:>7} resources ({:>5.1} MB of HCL): load {:>7.1} ms | validate {:>7.1} ms (of which graph {:>6.1} ms) | total {:>7.1} ms | peak RSS {:>7.1} MB | {} nodes",
        text.len() as f64 / 1e6,
        loaded.as_secs_f64() * 1e3,
        validated.as_secs_f64() * 1e3,
        graph_only.as_secs_f64() * 1e3,
        total.as_secs_f64() * 1e3,
        peak,
        graph.graph.node_count(),
    );
}

fn main() {
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with('-'))
        .collect();
    if let Ok(one) = std::env::var("TERRANE_BENCH_ONE") {
        let (shape, n) = one.split_once(':').unwrap_or(("rich", "1000"));
        run_one(shape, n.parse().unwrap_or(1000));
        return;
    }
    let sizes: Vec<usize> = if args.is_empty() {
        vec![1_000, 10_000, 100_000]
    } else {
        args.iter().filter_map(|a| a.parse().ok()).collect()
    };
    let exe = std::env::current_exe().expect("own path");
    for shape in ["trivial", "rich"] {
        for &n in &sizes {
            let status = Command::new(&exe)
                .env("TERRANE_BENCH_ONE", format!("{shape}:{n}"))
                .status()
                .expect("run benchmark child");
            assert!(
                status.success(),
                "benchmark of {n} {shape} resources failed"
            );
        }
    }
}
