//! The sync engine: converge a cluster to a desired state, as gitops-engine's `pkg/sync` does.
//!
//! One [`SyncEngine::sync`] call runs a whole operation:
//! 1. discovery gives every desired kind its scope (kinds defined by a CRD in the same desired
//!    state are accepted before the cluster serves them); namespaced objects without a namespace
//!    get [`SyncOptions::default_namespace`]; every object gets the tracking label/annotation;
//! 2. every non-hook resource is compared with its live object (gitops-diff): Synced, OutOfSync
//!    or Missing; managed live objects that left the desired state are RequiresPruning;
//! 3. gitops-core's plan orders the work: phases PreSync, Sync, PostSync; waves; Argo CD's kind
//!    order; Namespaces and CRDs before what needs them; prunes in reverse wave order;
//! 4. each batch runs in parallel; after the last batch of a (phase, wave) step the engine waits
//!    until that step's resources are Healthy or have no health (a Degraded resource or
//!    [`SyncOptions::wave_timeout`] fails the operation); hooks run only when something is out of
//!    sync, and count as complete when their health is Healthy (failed when Degraded);
//! 5. hook delete policies apply when the operation ends (BeforeHookCreation, the default,
//!    deletes the previous hook object just before a new one is created).

mod compare;
mod events;
mod execute;
mod hooks;
mod options;
mod preflight;
mod prepare;
mod report;
mod state;
mod wait;

use futures::StreamExt as _;
use gitops_core::ManifestSet;
use gitops_diff::DiffOptions;
use gitops_health::Registry;

pub use events::SyncEvent;
pub use options::{EventSink, ResourceFilter, RetryPolicy, SyncOptions};
pub use report::{Action, ResourceResult, ResourceStatus, ResultCode, SyncOutcome, SyncReport};
pub use state::{OperationPhase, OperationState};

use crate::{Applier, Error, Result};

/// The sync engine over one [`Applier`], with the health registry and diff options it uses.
#[derive(Debug)]
pub struct SyncEngine<'a> {
    applier: &'a dyn Applier,
    health: Registry,
    diff: DiffOptions,
}

impl<'a> SyncEngine<'a> {
    /// An engine with the built-in health assessors and default diff options.
    pub fn new(applier: &'a dyn Applier) -> Self {
        Self {
            applier,
            health: Registry::default(),
            diff: DiffOptions::default(),
        }
    }

    /// Uses this health registry (e.g. with Lua scripts or the conditions policy).
    #[must_use]
    pub fn with_health(mut self, registry: Registry) -> Self {
        self.health = registry;
        self
    }

    /// Uses these diff options (ignore rules, normalizers, mode).
    #[must_use]
    pub fn with_diff_options(mut self, options: DiffOptions) -> Self {
        self.diff = options;
        self
    }

    /// Compares `desired` with the cluster without changing anything: a report whose actions
    /// are all `Unchanged`/`Skipped` and whose statuses say what a sync would do.
    pub async fn compare(&self, desired: &ManifestSet, options: &SyncOptions) -> Result<SyncReport> {
        let cmp = compare::compare(self, desired, options).await?;
        Ok(cmp.into_report_without_sync())
    }

    /// Runs ONE step of an operation, gitops-engine style: the first call (`state: None`)
    /// compares and starts the operation; each call then runs the next (phase, wave) step and
    /// returns the new state, until [`OperationState::is_completed`]. The state serializes to
    /// JSON, so a restarted controller resumes where it stopped.
    pub async fn step(
        &self,
        desired: &ManifestSet,
        options: &SyncOptions,
        state: Option<OperationState>,
    ) -> Result<OperationState> {
        let cmp = compare::compare(self, desired, options).await?;
        execute::step(self, &cmp, options, state).await
    }

    /// Runs one sync operation to its end (the steps are in the crate docs). A failed operation
    /// is retried per [`SyncOptions::retry`] (the whole operation again, after the backoff).
    ///
    /// # Errors
    /// Errors that stop the operation before anything is written: discovery failures, invalid
    /// annotations, a dependency cycle. A kind the cluster does not serve (and no CRD of the
    /// desired state defines) is not an `Err`: as gitops-engine's dry run of every task, the
    /// first step fails the operation before any write ("one or more objects failed to apply
    /// (dry run)", the resource `SyncFailed`) unless the resource or the application says
    /// `SkipDryRunOnMissingResource=true`; then it is applied in its wave (its CRD may have been
    /// installed by then, e.g. by an operator in an earlier wave) and fails there if still unknown. Failures of single
    /// writes and unhealthy waves do not return `Err`: the report says
    /// [`SyncOutcome::Failed`] with a message, as Argo CD's operation state does.
    pub async fn sync(&self, desired: &ManifestSet, options: &SyncOptions) -> Result<SyncReport> {
        let mut attempt = 0;
        loop {
            let report = self.resume(desired, options, None).await?;
            if report.outcome != SyncOutcome::Failed || attempt >= options.retry.limit {
                return Ok(report);
            }
            attempt += 1;
            let delay = options.retry.delay(attempt);
            if let Some(sink) = &options.events {
                sink(&SyncEvent::Retrying { attempt, delay });
            }
            tokio::time::sleep(delay).await;
        }
    }

    /// Continues an operation from `state` (or starts one with `None`) until it completes or
    /// pauses, and reports it.
    pub async fn resume(
        &self,
        desired: &ManifestSet,
        options: &SyncOptions,
        mut state: Option<OperationState>,
    ) -> Result<SyncReport> {
        let started = std::time::Instant::now();
        // One comparison serves every step of this call: later steps only touch objects of
        // their own (phase, wave), whose comparison is unchanged by the earlier steps, and
        // completed steps are skipped by key, so re-listing the cluster per step is not needed.
        let cmp = compare::compare(self, desired, options).await?;
        loop {
            let before = state.as_ref().map(|s| s.completed.len());
            let mut step_options = options.clone();
            if let Some(limit) = options.sync_timeout {
                let remaining = limit.saturating_sub(started.elapsed());
                if remaining.is_zero() && state.as_ref().is_some_and(|s| !s.is_completed()) {
                    let message = format!("sync timed out after {limit:?}");
                    let ended =
                        execute::abort(self, &cmp, options, state.unwrap_or_default(), message).await?;
                    return self.report(&cmp, ended, false, options).await;
                }
                step_options.wave_timeout = step_options.wave_timeout.min(remaining);
            }
            let next = execute::step(self, &cmp, &step_options, state).await?;
            let paused = !next.is_completed() && before == Some(next.completed.len());
            if next.is_completed() || paused {
                return self.report(&cmp, next, paused, options).await;
            }
            state = Some(next);
        }
    }

    async fn report(
        &self,
        cmp: &compare::Comparison,
        state: OperationState,
        paused: bool,
        options: &SyncOptions,
    ) -> Result<SyncReport> {
        let mut resources = state.results.clone();
        // The live objects for health, read concurrently (in result order).
        let reads = resources.iter().map(|r| {
            let gvk = cmp.desired.get(&r.key).map(|m| m.gvk().clone());
            let wanted = !(r.hook || r.action == Action::Deleted || options.dry_run);
            async move {
                match gvk.filter(|_| wanted) {
                    Some(gvk) => self
                        .applier
                        .get(&gvk, r.key.namespace.as_deref(), &r.key.name)
                        .await
                        .unwrap_or(None),
                    None => None,
                }
            }
        });
        let lives: Vec<Option<serde_json::Value>> = futures::stream::iter(reads)
            .buffered(READ_CONCURRENCY)
            .collect()
            .await;
        let mut objects = Vec::new();
        for (r, live) in resources.iter_mut().zip(lives) {
            if let Some(status) = state.initial.get(&r.key.to_string()) {
                r.status = *status;
            }
            if let Some(object) = live {
                let health = self.health.assess(&object).map_err(|source| Error::Health {
                    key: r.key.clone(),
                    source,
                })?;
                if r.message.is_empty()
                    && let Some(h) = &health
                {
                    r.message.clone_from(&h.message);
                }
                r.health.clone_from(&health);
                objects.push((object, health));
            }
        }
        resources.sort_by(|a, b| a.key.cmp(&b.key));
        let health = objects
            .iter()
            .any(|(_, h)| h.is_some())
            .then(|| gitops_health::aggregate(objects.iter().map(|(o, h)| (o, h.clone()))));
        let outcome = match state.phase {
            OperationPhase::Succeeded => SyncOutcome::Succeeded,
            OperationPhase::Running if paused => SyncOutcome::Paused,
            OperationPhase::Failed | OperationPhase::Running => SyncOutcome::Failed,
        };
        Ok(SyncReport {
            resources,
            sync_status_before: if cmp_initially_out_of_sync(&state) {
                ResourceStatus::OutOfSync
            } else {
                ResourceStatus::Synced
            },
            health,
            outcome,
            message: state.message.clone(),
            writes: state.writes,
            operation: state,
        })
    }
}

/// Reads of live objects in flight at once while comparing and reporting (each a GET unless
/// the backend's cache answers; the backend's own concurrency limit still applies).
pub(crate) const READ_CONCURRENCY: usize = 16;

fn cmp_initially_out_of_sync(state: &OperationState) -> bool {
    state.initial.values().any(|s| s.is_out_of_sync())
}

/// Runs one sync of `desired` on `applier` with the default health registry and diff options;
/// see [`SyncEngine::sync`].
///
/// ```
/// # futures::executor::block_on(async {
/// use gitops_apply::{sync, InMemoryCluster, InMemoryOptions, SyncOptions, SyncOutcome};
/// let cluster = InMemoryCluster::with_options(InMemoryOptions::default().ready_after(std::time::Duration::ZERO));
/// let yaml = b"apiVersion: v1\nkind: ConfigMap\nmetadata: {name: cfg}\ndata: {a: '1'}\n";
/// let desired = gitops_core::ManifestSet::from_manifests(gitops_core::load_bytes(yaml, "cfg.yaml").unwrap()).unwrap();
/// let report = sync(&cluster, &desired, &SyncOptions::new("demo")).await.unwrap();
/// assert_eq!(report.outcome, SyncOutcome::Succeeded);
/// assert_eq!(report.resources[0].action.as_str(), "created");
/// # });
/// ```
pub async fn sync(applier: &dyn Applier, desired: &ManifestSet, options: &SyncOptions) -> Result<SyncReport> {
    SyncEngine::new(applier).sync(desired, options).await
}
