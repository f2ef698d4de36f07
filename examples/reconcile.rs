//! The reconcile loop, end to end: fetch a Git repository with gix, load its manifests, diff
//! them against a cluster, sync (apply, prune), and report health.
//!
//! With no `--repo` it runs on an embedded sample application, committed into a temporary Git
//! repository at start and synced into the in-memory cluster (a simulation):
//!
//! ```sh
//! cargo run --release --example reconcile
//! cargo run --release --example reconcile -- --repo https://github.com/argoproj/argocd-example-apps --path guestbook --once
//! cargo run --release --example reconcile -- --emulator --once --output json
//! cargo run --release --example reconcile -- --kubeconfig ~/.kube/config --context kind-dev --server-side-diff
//! ```

use std::{path::PathBuf, time::Duration};

use anyhow::Context;
use clap::{Parser, ValueEnum};
use gitops_apply::{Applier, InMemoryCluster, InMemoryOptions, KubeApplier};
use gitops_examples::{
    reconcile::{ReconcileConfig, Reconciler, start_live_cache},
    sample::create_sample_repo,
};
use gitops_testkit::emulator::{Emulator, EmulatorOptions};

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Output {
    Text,
    Json,
}

/// Reconcile a Git repository into a cluster (the in-memory cluster by default).
#[derive(Debug, Parser)]
#[command(name = "reconcile", version)]
#[allow(clippy::struct_excessive_bools)] // command-line switches
struct Args {
    /// Repository: local path, file:// or https:// URL. Default: the embedded sample application.
    #[arg(long)]
    repo: Option<String>,
    /// Branch, tag, commit SHA or HEAD.
    #[arg(long, default_value = "HEAD")]
    revision: String,
    /// Directory inside the repository holding the manifests.
    #[arg(long, default_value = ".")]
    path: String,
    /// Application name (tracking label value). Default: the last component of --path.
    #[arg(long)]
    app: Option<String>,
    /// Namespace for namespaced objects that have none.
    #[arg(long, default_value = "default")]
    namespace: String,
    /// Run one iteration and exit.
    #[arg(long, conflicts_with = "interval")]
    once: bool,
    /// Time between iterations, e.g. 30s, 3m.
    #[arg(long, value_parser = humantime::parse_duration, default_value = "3m")]
    interval: Duration,
    /// Stop after this many iterations.
    #[arg(long)]
    max_iterations: Option<u64>,
    /// Output format: a table per iteration, or one JSON document per line.
    #[arg(long, value_enum, default_value = "text")]
    output: Output,
    /// Do not delete managed objects that left the desired state.
    #[arg(long)]
    no_prune: bool,
    /// Do not repair drift when the revision did not change.
    #[arg(long)]
    no_self_heal: bool,
    /// Change nothing; report what a sync would do.
    #[arg(long)]
    dry_run: bool,
    /// Directory for the bare Git caches. Default: a temporary directory.
    #[arg(long)]
    cache_dir: Option<PathBuf>,
    /// Time before simulated workloads (in-memory cluster or emulator) become ready.
    #[arg(long, value_parser = humantime::parse_duration, default_value = "1s")]
    ready_after: Duration,
    /// Sync into the cluster of this kubeconfig (a real cluster, or a running kube-emulator)
    /// instead of the in-memory cluster.
    #[arg(long, conflicts_with = "emulator")]
    kubeconfig: Option<PathBuf>,
    /// Context of --kubeconfig (default: its current context).
    #[arg(long, requires = "kubeconfig")]
    context: Option<String>,
    /// Start the in-process Kubernetes API server emulator and sync into it over HTTP; prints a
    /// kubeconfig path for kubectl.
    #[arg(long)]
    emulator: bool,
    /// Compare with the cluster's server-side apply dry run (Argo CD's server-side diff).
    #[arg(long)]
    server_side_diff: bool,
    /// Retries of a failed sync operation, with backoff 1 s, factor 2, max 30 s.
    #[arg(long, default_value_t = 0)]
    retry_limit: u32,
    /// With --kubeconfig or --emulator: do not keep a watch-based live-state cache (every
    /// iteration then lists every kind and gets every object; drift is seen only at the next
    /// interval).
    #[arg(long)]
    no_watch_cache: bool,
}

#[tokio::main]
async fn main() -> std::process::ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::from_default_env())
        .with_writer(std::io::stderr)
        .init();
    match run(Args::parse()).await {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            std::process::ExitCode::from(2)
        }
    }
}

async fn run(args: Args) -> anyhow::Result<()> {
    let temp = tempfile::tempdir().context("create a temporary directory")?;
    let repo = if let Some(repo) = &args.repo {
        repo.clone()
    } else {
        let dir = temp.path().join("sample-app");
        let sha = create_sample_repo(&dir)?;
        eprintln!(
            "embedded sample application committed at {sha} in {}",
            dir.display()
        );
        dir.display().to_string()
    };
    let cache_dir = args
        .cache_dir
        .clone()
        .unwrap_or_else(|| temp.path().join("cache"));
    let mut config = ReconcileConfig::new(repo, args.revision.clone(), args.path.clone(), cache_dir);
    config.namespace.clone_from(&args.namespace);
    config.prune = !args.no_prune;
    config.self_heal = !args.no_self_heal;
    config.dry_run = args.dry_run;
    config.server_side_diff = args.server_side_diff;
    config.retry_limit = args.retry_limit;
    if let Some(app) = &args.app {
        config = config.app(app.clone());
    }
    // Keeps the emulator (and its kubeconfig file) alive for the whole run.
    let mut _emulator = None;
    let kube = if let Some(path) = &args.kubeconfig {
        Some(KubeApplier::from_kubeconfig(path, args.context.as_deref()).await?)
    } else if args.emulator {
        let emulator = Emulator::start(EmulatorOptions::default().ready_after(args.ready_after))?;
        let kubeconfig = temp.path().join("emulator.kubeconfig");
        emulator.write_kubeconfig(&kubeconfig)?;
        eprintln!(
            "API server emulator at {}; try: kubectl --kubeconfig {} get all -A",
            emulator.url(),
            kubeconfig.display()
        );
        let applier = KubeApplier::from_config(emulator.kube_config())?;
        _emulator = Some(emulator);
        Some(applier)
    } else {
        None
    };
    let memory;
    let cluster: &dyn Applier = if let Some(kube) = &kube {
        kube
    } else {
        memory = InMemoryCluster::with_options(InMemoryOptions::default().ready_after(args.ready_after));
        &memory
    };
    let watched = kube.as_ref().filter(|_| !args.no_watch_cache);
    let mut changes = watched.map(KubeApplier::live_changes);
    let live_cache_config = config.clone();
    let mut reconciler = Reconciler::new(cluster, config)?;
    let max = if args.once { Some(1) } else { args.max_iterations };
    let mut iteration = 0u64;
    loop {
        iteration += 1;
        if let Some(kube) = watched {
            // Watches every served kind (new CRDs' kinds too); already watched kinds are skipped.
            if !start_live_cache(kube, &live_cache_config, Duration::from_secs(30)).await? {
                eprintln!("live-state cache: some kinds are still listing; their reads go to the API server");
            }
        }
        let before = kube.as_ref().map(KubeApplier::request_counts);
        let report = reconciler.reconcile_once().await?;
        if let (Some(kube), Some(before)) = (&kube, before) {
            let after = kube.request_counts();
            eprintln!(
                "API requests this iteration: {} get, {} list, {} write, {} delete",
                after.gets - before.gets,
                after.lists - before.lists,
                after.applies - before.applies,
                after.deletes - before.deletes
            );
        }
        match args.output {
            Output::Text => print!("{}", report.to_table()),
            Output::Json => println!("{}", serde_json::to_string(&report)?),
        }
        if max.is_some_and(|m| iteration >= m) {
            return Ok(());
        }
        if let Some(changes) = &mut changes {
            // Changes seen so far (e.g. status updates after our own sync) are not drift to wake for.
            changes.mark_unchanged();
        }
        let drift = async {
            let woke = match &mut changes {
                Some(changes) => changes.changed().await.is_ok(),
                None => false,
            };
            if woke {
                // Let a burst of events settle before reconciling (Argo CD batches them too).
                tokio::time::sleep(Duration::from_millis(500)).await;
            } else {
                std::future::pending::<()>().await;
            }
        };
        tokio::select! {
            () = tokio::time::sleep(args.interval) => {}
            () = drift => eprintln!("live-state cache: a managed object changed; reconciling now"),
            _ = tokio::signal::ctrl_c() => {
                eprintln!("interrupted: stopping between iterations");
                return Ok(());
            }
        }
    }
}
