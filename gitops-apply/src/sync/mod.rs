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
mod execute;
mod hooks;
mod options;
mod prepare;
mod report;
mod wait;

use gitops_core::ManifestSet;
use gitops_diff::DiffOptions;
use gitops_health::Registry;

pub use options::SyncOptions;
pub use report::{Action, ResourceResult, ResourceStatus, SyncOutcome, SyncReport};

use crate::{Applier, Result};

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
        let state = compare::compare(self, desired, options).await?;
        Ok(state.into_report_without_sync())
    }

    /// Runs one sync operation; see the [module docs](self).
    ///
    /// # Errors
    /// Errors that stop the operation before anything is written: discovery failures, a kind
    /// the cluster does not serve, invalid annotations, a dependency cycle. Failures of single
    /// writes and unhealthy waves do not return `Err`: the report says
    /// [`SyncOutcome::Failed`] with a message, as Argo CD's operation state does.
    pub async fn sync(&self, desired: &ManifestSet, options: &SyncOptions) -> Result<SyncReport> {
        let state = compare::compare(self, desired, options).await?;
        execute::execute(self, state, options).await
    }
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
