//! A command-line front end to gitops-diff: compares a desired and a live object (YAML or JSON
//! files) and prints a unified diff or JSON.
//!
//! ```sh
//! cargo run --release --example diff -- --desired deploy.yaml --live live.json
//! cargo run --release --example diff -- --desired svc.yaml --live live.yaml \
//!     --mode server-side --predicted-live dry-run.json --manager argocd-controller --output json
//! ```
//!
//! Exit status (as `diff` and `kubectl diff`): 0 no difference, 1 differences, 2 error.

use std::{path::PathBuf, process::ExitCode, time::Duration};

use anyhow::{Context, Result, bail};
use clap::{Parser, ValueEnum};
use gitops_diff::{DiffMode, DiffOptions, IgnoreRule, RenderOptions, ResourceDiff, diff, diff_server_side};
use serde_json::Value;

/// Diff modes.
#[derive(Debug, Clone, Copy, ValueEnum)]
enum Mode {
    /// Three-way when live has the last-applied-configuration annotation, else two-way.
    Auto,
    /// Desired-subset.
    TwoWay,
    /// With `kubectl.kubernetes.io/last-applied-configuration`.
    ThreeWay,
    /// Offline server-side apply with live's managedFields.
    StructuredMerge,
    /// Against a server-side apply dry run (`--predicted-live`).
    ServerSide,
}

/// Output formats.
#[derive(Debug, Clone, Copy, ValueEnum)]
enum Output {
    /// Unified YAML diff with kubectl-diff-style headers.
    Text,
    /// `{"modified": bool, "changes": [...], "patch": [...]}`.
    Json,
}

/// Compare a desired Kubernetes object with its live counterpart.
#[derive(Debug, Parser)]
#[command(name = "diff", about)]
struct Args {
    /// The desired object (YAML or JSON, one document).
    #[arg(long)]
    desired: PathBuf,
    /// The live object (YAML or JSON, one document).
    #[arg(long)]
    live: PathBuf,
    /// Diff mode.
    #[arg(long, value_enum, default_value = "auto")]
    mode: Mode,
    /// The object a server-side apply dry run returned (required by `--mode server-side`).
    #[arg(long)]
    predicted_live: Option<PathBuf>,
    /// Our field manager.
    #[arg(long, default_value = "gitops-rs")]
    manager: String,
    /// Server-side mode: keep changes made by mutating webhooks.
    #[arg(long)]
    include_mutation_webhook: bool,
    /// Ignore the field at this JSON pointer (repeatable).
    #[arg(long = "ignore-pointer", value_name = "JSON-POINTER")]
    ignore_pointers: Vec<String>,
    /// Ignore the fields this jq path expression selects (repeatable).
    #[arg(long = "ignore-jq", value_name = "EXPR")]
    ignore_jq: Vec<String>,
    /// Ignore a ClusterRole's rules when live has an aggregationRule.
    #[arg(long)]
    ignore_aggregated_roles: bool,
    /// Output format.
    #[arg(long, value_enum, default_value = "text")]
    output: Output,
    /// Color the text output.
    #[arg(long)]
    color: bool,
}

fn main() -> ExitCode {
    let args = Args::parse();
    match run(&args) {
        Ok(d) => {
            match args.output {
                Output::Text => print!("{}", d.unified(&RenderOptions::default().with_color(args.color))),
                Output::Json => println!("{}", d.to_json()),
            }
            if d.modified {
                ExitCode::from(1)
            } else {
                ExitCode::SUCCESS
            }
        }
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::from(2)
        }
    }
}

fn run(args: &Args) -> Result<ResourceDiff> {
    let desired = read(&args.desired)?;
    let live = read(&args.live)?;
    let mut rule = IgnoreRule::new("*", "*");
    for p in &args.ignore_pointers {
        rule = rule.with_pointer(p);
    }
    for e in &args.ignore_jq {
        rule = rule.with_jq(e);
    }
    rule.validate().context("invalid ignore rule")?;
    let mut options = DiffOptions::default()
        .with_manager(&args.manager)
        .with_ignore_aggregated_roles(args.ignore_aggregated_roles)
        .with_ignore_mutation_webhook(!args.include_mutation_webhook)
        .with_jq_timeout(Duration::from_secs(1));
    if !args.ignore_pointers.is_empty() || !args.ignore_jq.is_empty() {
        options = options.with_ignore(rule);
    }
    let mode = match args.mode {
        Mode::ServerSide => {
            let Some(path) = &args.predicted_live else {
                bail!("--mode server-side needs --predicted-live FILE")
            };
            let predicted = read(path)?;
            return Ok(diff_server_side(&desired, &live, &predicted, &options)?);
        }
        Mode::Auto => DiffMode::Auto,
        Mode::TwoWay => DiffMode::TwoWay,
        Mode::ThreeWay => DiffMode::ThreeWay,
        Mode::StructuredMerge => DiffMode::StructuredMerge,
    };
    if args.predicted_live.is_some() {
        bail!("--predicted-live is only used with --mode server-side");
    }
    Ok(diff(&desired, &live, &options.with_mode(mode))?)
}

/// One object from a YAML or JSON file.
fn read(path: &PathBuf) -> Result<Value> {
    let bytes = std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))?;
    let name = path.display().to_string();
    let mut manifests =
        gitops_core::load_bytes(&bytes, &name).with_context(|| format!("cannot parse {name}"))?;
    match manifests.len() {
        1 => Ok(manifests.remove(0).into_value()),
        n => bail!("{name}: expected exactly one object, found {n}"),
    }
}
