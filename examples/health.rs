//! Assess the health of Kubernetes objects in YAML/JSON files, as Argo CD would.
//!
//! ```sh
//! cargo run --release --example health -- [--lua-dir DIR] [--conditions] [--output text|json] \
//!     [--all-documents] FILE...
//! cargo run --release --example health -- --test-dir DIR
//! ```
//!
//! For the first object of each file (every object with `--all-documents`) it prints one line:
//! `file: group/version Kind namespace/name: Status: message` in text mode, or one JSON object
//! per line with `file, group, version, kind, namespace, name, status, message` (`status` is
//! `null` when no health applies). `--lua-dir` loads Argo CD health scripts in the
//! `resource_customizations` layout; `--conditions` enables generic kstatus-style health for
//! custom resources. `--test-dir` runs every `health_test.yaml` under DIR (scripts from the same
//! directory) and prints `N passed, M failed` plus each failure. Exits with 1 when a file could
//! not be read or a test failed.

use std::{path::PathBuf, process::ExitCode};

use anyhow::Context as _;
use clap::{Parser, ValueEnum};
use gitops_core::GroupVersionKind;
use gitops_health::{
    ConditionsPolicy, Registry,
    lua::{LuaHealth, run_health_tests},
};
use serde::Serialize;
use serde_json::Value;

/// One JSON output line, fields in this order.
#[derive(Debug, Serialize)]
struct Line<'a> {
    file: &'a str,
    group: &'a str,
    version: &'a str,
    kind: &'a str,
    namespace: &'a str,
    name: &'a str,
    status: Option<gitops_health::HealthStatus>,
    message: &'a str,
}

/// The objects of a YAML (or JSON) stream. Parsed directly rather than through
/// `gitops_core::load_bytes`, so that live objects without a name (or with the duplicate keys
/// some upstream test files carry; the last one wins, as in Go) can still be assessed.
fn load_objects(file: &std::path::Path) -> anyhow::Result<Vec<Value>> {
    let text = std::fs::read_to_string(file)?;
    let options = serde_saphyr::options! { duplicate_keys: serde_saphyr::DuplicateKeyPolicy::LastWins };
    let docs: Vec<Value> = serde_saphyr::from_multiple_with_options(&text, options)?;
    Ok(docs.into_iter().filter(|d| !d.is_null()).collect())
}

fn text_at<'a>(object: &'a Value, path: &[&str]) -> &'a str {
    path.iter()
        .try_fold(object, |v, key| v.get(key))
        .and_then(Value::as_str)
        .unwrap_or("")
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum Output {
    Text,
    Json,
}

/// Assess the health of Kubernetes objects, as Argo CD would.
#[derive(Debug, Parser)]
#[command(name = "health")]
struct Args {
    /// Directory of Argo CD health scripts (`<group>/<Kind>/health.lua`).
    #[arg(long, value_name = "DIR")]
    lua_dir: Option<PathBuf>,
    /// Generic condition-based health for custom resources without an assessor.
    #[arg(long)]
    conditions: bool,
    /// Output format.
    #[arg(long, value_enum, default_value = "text")]
    output: Output,
    /// Assess every object of each file, not only the first.
    #[arg(long)]
    all_documents: bool,
    /// Run every `health_test.yaml` under DIR instead of assessing files.
    #[arg(long, value_name = "DIR", conflicts_with_all = ["files", "lua_dir"])]
    test_dir: Option<PathBuf>,
    /// YAML or JSON files holding Kubernetes objects.
    #[arg(required_unless_present = "test_dir")]
    files: Vec<PathBuf>,
}

fn main() -> ExitCode {
    match run(&Args::parse()) {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::FAILURE,
        Err(err) => {
            eprintln!("error: {err:#}");
            ExitCode::FAILURE
        }
    }
}

fn run(args: &Args) -> anyhow::Result<bool> {
    if let Some(dir) = &args.test_dir {
        return run_tests(dir);
    }
    let mut registry = Registry::default();
    if args.conditions {
        registry = registry.with_conditions(ConditionsPolicy::all());
    }
    if let Some(dir) = &args.lua_dir {
        let mut lua = LuaHealth::new();
        lua.load_dir(dir)
            .with_context(|| format!("loading health scripts from {}", dir.display()))?;
        lua.validate()?;
        registry = registry.with_lua(lua);
    }
    let mut ok = true;
    for file in &args.files {
        let name = file.display().to_string();
        let objects = match load_objects(file) {
            Ok(objects) => objects,
            Err(err) => {
                eprintln!("{name}: {err:#}");
                ok = false;
                continue;
            }
        };
        let take = if args.all_documents { objects.len() } else { 1 };
        for object in objects.iter().take(take) {
            let health = match registry.assess(object) {
                Ok(health) => health,
                Err(err) => {
                    eprintln!("{name}: {err}");
                    ok = false;
                    continue;
                }
            };
            let gvk = GroupVersionKind::from_api_version(
                text_at(object, &["apiVersion"]),
                text_at(object, &["kind"]),
            )?;
            let namespace = text_at(object, &["metadata", "namespace"]);
            let object_name = text_at(object, &["metadata", "name"]);
            match args.output {
                Output::Json => {
                    let line = Line {
                        file: &name,
                        group: &gvk.group,
                        version: &gvk.version,
                        kind: &gvk.kind,
                        namespace,
                        name: object_name,
                        status: health.as_ref().map(|h| h.status),
                        message: health.as_ref().map_or("", |h| h.message.as_str()),
                    };
                    println!("{}", serde_json::to_string(&line)?);
                }
                Output::Text => {
                    let health = health.map_or_else(|| "(no health)".to_owned(), |h| h.to_string());
                    let namespace = if namespace.is_empty() {
                        String::new()
                    } else {
                        format!("{namespace}/")
                    };
                    println!(
                        "{name}: {} {} {namespace}{object_name}: {health}",
                        gvk.api_version(),
                        gvk.kind
                    );
                }
            }
        }
    }
    Ok(ok)
}

fn run_tests(dir: &PathBuf) -> anyhow::Result<bool> {
    let mut lua = LuaHealth::new();
    lua.load_dir(dir)
        .with_context(|| format!("loading health scripts from {}", dir.display()))?;
    let report = run_health_tests(dir, &lua)?;
    for failure in &report.failures {
        println!(
            "FAIL {} ({}): expected {:?} {:?}, got {:?} {:?}",
            failure.test_file.display(),
            failure.input.display(),
            failure.expected.0,
            failure.expected.1,
            failure.actual.0,
            failure.actual.1,
        );
    }
    println!("{} passed, {} failed", report.passed, report.failed());
    Ok(report.failures.is_empty())
}
