//! The reconcile loop: fetch, resolve, load, diff, sync if OutOfSync, report.

use std::{fmt::Write as _, path::PathBuf, sync::Arc};

use anyhow::Context;
use gitops_apply::{
    Action, Applier, KubeApplier, ResourceStatus, SyncEngine, SyncOptions, SyncOutcome, SyncReport,
};
use gitops_source::GitSource;
use serde::Serialize;

/// What to reconcile and how.
#[derive(Debug, Clone)]
#[non_exhaustive]
#[allow(clippy::struct_excessive_bools)] // independent switches, as the CLI flags
pub struct ReconcileConfig {
    /// Repository: local path, `file://` or `https://` URL.
    pub repo: String,
    /// Branch, tag, commit SHA or `HEAD`.
    pub revision: String,
    /// Directory inside the repository holding the manifests (`.` for the root).
    pub path: String,
    /// Application name (tracking label value).
    pub app: String,
    /// Namespace for namespaced objects without one.
    pub namespace: String,
    /// Directory for the bare Git caches.
    pub cache_dir: PathBuf,
    /// Delete managed objects that left the desired state.
    pub prune: bool,
    /// Repair drift when the revision did not change (Argo CD's `selfHeal`).
    pub self_heal: bool,
    /// Change nothing; report what a sync would do.
    pub dry_run: bool,
    /// Compare with the cluster's server-side apply dry run (Argo CD's server-side diff).
    pub server_side_diff: bool,
    /// Retries of a failed sync operation (Argo CD's `syncPolicy.retry.limit`).
    pub retry_limit: u32,
}

impl ReconcileConfig {
    /// A configuration with prune and self-heal on, dry run off, namespace `default`.
    pub fn new(
        repo: impl Into<String>,
        revision: impl Into<String>,
        path: impl Into<String>,
        cache_dir: PathBuf,
    ) -> Self {
        let path = path.into();
        let app = app_name(&path);
        Self {
            repo: repo.into(),
            revision: revision.into(),
            path,
            app,
            namespace: "default".into(),
            cache_dir,
            prune: true,
            self_heal: true,
            dry_run: false,
            server_side_diff: false,
            retry_limit: 0,
        }
    }

    /// Sets the application name.
    #[must_use]
    pub fn app(mut self, app: impl Into<String>) -> Self {
        self.app = app.into();
        self
    }

    /// Sets the revision.
    #[must_use]
    pub fn revision(mut self, revision: impl Into<String>) -> Self {
        self.revision = revision.into();
        self
    }
}

/// The application name derived from a path: its last component, made label-safe
/// (`sock-shop/base` → `base`; `.` → `app`).
pub fn app_name(path: &str) -> String {
    let last = path.trim_matches('/').rsplit('/').next().unwrap_or("");
    let name: String = last
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' {
                c.to_ascii_lowercase()
            } else {
                '-'
            }
        })
        .collect();
    let name = name.trim_matches('-').to_owned();
    if name.is_empty() { "app".to_owned() } else { name }
}

/// One resource line of an iteration report.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct ResourceLine {
    /// API group (empty for core).
    pub group: String,
    /// API version.
    pub version: String,
    /// Kind.
    pub kind: String,
    /// Namespace (empty for cluster-scoped).
    pub namespace: String,
    /// Name.
    pub name: String,
    /// `Synced`, `OutOfSync`, `Missing` or `RequiresPruning`, before this iteration's sync.
    pub status: String,
    /// Flux-style action: `created`, `configured`, `unchanged`, `deleted` (pruned, or a hook
    /// removed by its delete policy), `skipped` or `failed`.
    pub action: String,
    /// gitops-engine result code: `Synced`, `SyncFailed`, `Pruned` or `PruneSkipped`.
    pub result: String,
    /// Health after the iteration, or `null` when none applies.
    pub health: Option<String>,
    /// Detail: errors, skip reasons, health message.
    pub message: String,
    /// Sync phase it ran in (`PreSync`, `Sync`, `PostSync`, `SyncFail`).
    pub phase: String,
    /// Sync wave it ran in.
    pub wave: i32,
    /// Whether it is a hook; for hooks `action` is the final one (`deleted` when a delete
    /// policy removed it).
    pub hook: bool,
    /// Position in which it was written during this iteration (from 0), `null` when not written.
    pub order: Option<usize>,
}

/// The report of one iteration; serializes to the JSON line the example prints.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct IterationReport {
    /// Resolved commit SHA.
    pub revision: String,
    /// `Synced` or `OutOfSync` after the iteration.
    pub sync: String,
    /// Aggregated health after the iteration (`Healthy`, `Progressing`, ...), or `Unknown` when
    /// no resource has health.
    pub health: String,
    /// Per-resource lines, in key order.
    pub resources: Vec<ResourceLine>,
    /// Writes made to the cluster during the iteration.
    #[serde(skip)]
    pub writes: usize,
    /// Outcome message of the sync (or "in sync" when nothing was done).
    #[serde(skip)]
    pub message: String,
}

impl IterationReport {
    /// The line for `kind`/`name`, if any.
    pub fn resource(&self, kind: &str, name: &str) -> Option<&ResourceLine> {
        self.resources.iter().find(|r| r.kind == kind && r.name == name)
    }

    /// The text table: KIND, NAMESPACE, NAME, STATUS, ACTION, RESULT, HEALTH, then a summary
    /// line.
    pub fn to_table(&self) -> String {
        let header = [
            "KIND",
            "NAMESPACE",
            "NAME",
            "STATUS",
            "ACTION",
            "RESULT",
            "HEALTH",
        ];
        let rows: Vec<[String; 7]> = self
            .resources
            .iter()
            .map(|r| {
                [
                    r.kind.clone(),
                    r.namespace.clone(),
                    r.name.clone(),
                    r.status.clone(),
                    r.action.clone(),
                    r.result.clone(),
                    r.health.clone().unwrap_or_else(|| "-".into()),
                ]
            })
            .collect();
        let mut widths = header.map(str::len);
        for row in &rows {
            for (w, cell) in widths.iter_mut().zip(row) {
                *w = (*w).max(cell.len());
            }
        }
        let mut out = String::new();
        let mut line = |cells: &[String]| {
            let text: Vec<String> = cells
                .iter()
                .zip(widths)
                .map(|(c, w)| format!("{c:<w$}"))
                .collect();
            let _ = writeln!(out, "{}", text.join("  ").trim_end());
        };
        line(&header.map(str::to_owned));
        for row in &rows {
            line(row);
        }
        let short: String = self.revision.chars().take(12).collect();
        let _ = writeln!(
            out,
            "revision {short}: sync {}, health {}, {} resources, {} writes",
            self.sync,
            self.health,
            self.resources.len(),
            self.writes
        );
        out
    }
}

/// Starts (or extends, after new CRDs) the live-state cache of a [`KubeApplier`] for the
/// application of `config`: every kind the cluster serves, restricted to the application's
/// tracking label, then waits up to `timeout` for the initial lists. With it a steady-state
/// iteration sends no list and no get (prune candidates and live objects come from memory) and
/// [`KubeApplier::live_changes`] reports drift as it happens.
///
/// Returns whether every watched kind finished its initial list in time (reads of kinds still
/// listing go to the API server, so `false` is slower, not wrong).
///
/// # Errors
/// Discovery errors of the cluster.
pub async fn start_live_cache(
    applier: &KubeApplier,
    config: &ReconcileConfig,
    timeout: std::time::Duration,
) -> anyhow::Result<bool> {
    let selector = gitops_core::tracking::Tracking::default().label_selector(&config.app);
    let kinds = applier
        .watch_all(selector.as_deref())
        .await
        .context("start the live-state cache")?;
    Ok(applier.wait_synced(&kinds, timeout).await)
}

/// Runs reconcile iterations for one application against one cluster.
#[derive(Debug)]
pub struct Reconciler<'a> {
    config: ReconcileConfig,
    source: Arc<GitSource>,
    engine: SyncEngine<'a>,
    last_synced: Option<String>,
}

impl<'a> Reconciler<'a> {
    /// Opens (but does not fetch) the Git source.
    ///
    /// # Errors
    /// When the repository URL is invalid or the cache directory cannot be used.
    pub fn new(applier: &'a dyn Applier, config: ReconcileConfig) -> anyhow::Result<Self> {
        let source = GitSource::new(&config.repo, &config.cache_dir)
            .with_context(|| format!("repository {}", config.repo))?;
        Ok(Self {
            config,
            source: Arc::new(source),
            engine: SyncEngine::new(applier),
            last_synced: None,
        })
    }

    /// The configuration.
    pub fn config(&self) -> &ReconcileConfig {
        &self.config
    }

    /// Changes the revision reconciled from the next iteration on (e.g. a rollback).
    pub fn set_revision(&mut self, revision: impl Into<String>) {
        self.config.revision = revision.into();
    }

    /// One iteration: fetch, resolve, load every manifest (nothing is written if any fails to
    /// load), compare, sync when OutOfSync (and, when only the cluster drifted, only with
    /// self-heal), report.
    ///
    /// # Errors
    /// One error naming the repository and revision (and file and document for bad YAML) when
    /// the fetch, resolve or load fails; errors of the sync engine before any write.
    pub async fn reconcile_once(&mut self) -> anyhow::Result<IterationReport> {
        let source = Arc::clone(&self.source);
        let (repo, revision, path) = (
            self.config.repo.clone(),
            self.config.revision.clone(),
            self.config.path.clone(),
        );
        let snapshot = tokio::task::spawn_blocking(move || -> anyhow::Result<_> {
            source
                .fetch()
                .with_context(|| format!("fetch repository {repo}"))?;
            let sha = source
                .resolve(&revision)
                .with_context(|| format!("repository {repo}: resolve revision {revision:?}"))?;
            source.load(&sha, &path).with_context(|| {
                format!("repository {repo} at revision {revision} ({sha}): load path {path:?}")
            })
        })
        .await
        .context("the Git task panicked")??;
        let options = SyncOptions::new(self.config.app.clone())
            .default_namespace(self.config.namespace.clone())
            .prune(self.config.prune)
            .dry_run(self.config.dry_run)
            .server_side_diff(self.config.server_side_diff)
            .retry(
                gitops_apply::RetryPolicy::with_limit(self.config.retry_limit).backoff(
                    std::time::Duration::from_secs(1),
                    2.0,
                    std::time::Duration::from_secs(30),
                ),
            )
            .revision(snapshot.revision.clone());
        let new_revision = self.last_synced.as_deref() != Some(snapshot.revision.as_str());
        // A sync compares first and writes only what is out of sync, so it serves the usual
        // path alone; a separate comparison is needed only to decide whether drift under an
        // unchanged revision may be repaired (self-heal off).
        let (report, do_sync) = if new_revision || self.config.self_heal {
            (self.engine.sync(&snapshot.manifests, &options).await?, true)
        } else {
            let compared = self.engine.compare(&snapshot.manifests, &options).await?;
            if compared.sync_status_before == ResourceStatus::Synced {
                (self.engine.sync(&snapshot.manifests, &options).await?, true)
            } else {
                (compared, false)
            }
        };
        let converged = do_sync
            && !self.config.dry_run
            && report.outcome == SyncOutcome::Succeeded
            && !report.resources.iter().any(|r| {
                r.action == Action::Failed || r.result_code() == gitops_apply::ResultCode::PruneSkipped
            });
        if converged {
            self.last_synced = Some(snapshot.revision.clone());
        }
        let synced = converged || report.sync_status_before == ResourceStatus::Synced;
        Ok(to_iteration(&snapshot.revision, &report, synced))
    }
}

fn to_iteration(revision: &str, report: &SyncReport, synced: bool) -> IterationReport {
    let resources: Vec<ResourceLine> = report
        .resources
        .iter()
        .map(|r| ResourceLine {
            group: r.key.group.clone(),
            version: r.version.clone(),
            kind: r.key.kind.clone(),
            namespace: r.key.namespace.clone().unwrap_or_default(),
            name: r.key.name.clone(),
            status: r.status.to_string(),
            action: r.action.to_string(),
            result: r.result_code().to_string(),
            health: r.health.as_ref().map(|h| h.status.to_string()),
            message: r.message.clone(),
            phase: r.phase.to_string(),
            wave: r.wave,
            hook: r.hook,
            order: r.order,
        })
        .collect();
    let sync = if synced { "Synced" } else { "OutOfSync" };
    IterationReport {
        revision: revision.to_owned(),
        sync: sync.to_owned(),
        health: report
            .health
            .map_or_else(|| "Unknown".to_owned(), |h| h.to_string()),
        resources,
        writes: report.writes,
        message: report.message.clone(),
    }
}
