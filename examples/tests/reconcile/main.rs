//! The reconcile code path end to end, on real input (argocd-example-apps from ../shared) and
//! on the embedded sample application.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test helpers may panic

mod bad_input;
mod example_apps;
mod sample;
mod watch_cache;

use std::time::Duration;

use gitops_apply::{InMemoryCluster, InMemoryOptions};
use gitops_examples::reconcile::{IterationReport, ReconcileConfig, Reconciler};

/// A cluster whose simulated workloads become ready after 300 ms, so health is observed going
/// Progressing then Healthy within a test's time.
fn cluster() -> InMemoryCluster {
    InMemoryCluster::with_options(InMemoryOptions::default().ready_after(Duration::from_millis(300)))
}

fn config(repo: &std::path::Path, revision: &str, path: &str, cache: &std::path::Path) -> ReconcileConfig {
    ReconcileConfig::new(repo.display().to_string(), revision, path, cache.to_path_buf())
}

async fn once(reconciler: &mut Reconciler<'_>) -> IterationReport {
    reconciler.reconcile_once().await.expect("reconcile iteration")
}

fn actions(report: &IterationReport) -> Vec<(String, String)> {
    report
        .resources
        .iter()
        .map(|r| (format!("{}/{}", r.kind, r.name), r.action.clone()))
        .collect()
}
