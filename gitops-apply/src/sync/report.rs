//! What a sync reports: per-resource results and the overall outcome.

use std::fmt;

use gitops_core::{ResourceKey, SyncPhase};
use gitops_health::{Health, HealthStatus};
use serde::{Deserialize, Serialize};

/// Comparison status of one resource, as Argo CD shows it before a sync.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[non_exhaustive]
pub enum ResourceStatus {
    /// Live equals desired (after normalization).
    Synced,
    /// Live differs from desired.
    OutOfSync,
    /// Desired but absent from the cluster.
    Missing,
    /// Managed and live, but no longer desired.
    RequiresPruning,
}

impl ResourceStatus {
    /// `Synced`, `OutOfSync`, `Missing` or `RequiresPruning`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Synced => "Synced",
            Self::OutOfSync => "OutOfSync",
            Self::Missing => "Missing",
            Self::RequiresPruning => "RequiresPruning",
        }
    }

    /// Whether this resource keeps the application OutOfSync.
    pub fn is_out_of_sync(self) -> bool {
        self != Self::Synced
    }
}

impl fmt::Display for ResourceStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What the sync did to one resource, in Flux's action vocabulary (`fluxcd/pkg/ssa`'s
/// `Action`: created, configured, unchanged, deleted, skipped), plus `failed`, which Flux reports
/// as an error instead of an action. The gitops-engine view of the same result is
/// [`ResultCode`] ([`ResourceResult::result_code`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
#[non_exhaustive]
pub enum Action {
    /// The object did not exist and was created (hooks: the hook object was created).
    Created,
    /// The object existed and was changed (or deleted and re-created with `Force=true`).
    Configured,
    /// Nothing was written: the object was already in the desired state.
    Unchanged,
    /// The object was deleted: pruned because it left the desired state, or a hook deleted by
    /// its delete policy after running.
    Deleted,
    /// The object required pruning, but pruning is disabled, the object opts out
    /// (`Prune=false`) or awaits confirmation (`Prune=confirm`); see the message.
    Skipped,
    /// The write failed; see the message.
    Failed,
}

impl Action {
    /// Lower-case name: `created`, `configured`, `unchanged`, `deleted`, `skipped`, `failed`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Created => "created",
            Self::Configured => "configured",
            Self::Unchanged => "unchanged",
            Self::Deleted => "deleted",
            Self::Skipped => "skipped",
            Self::Failed => "failed",
        }
    }
}

/// The result code of one resource after a sync, as gitops-engine's `common.ResultCode`
/// (`Synced`, `SyncFailed`, `Pruned`, `PruneSkipped`) shown in Argo CD's sync result.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[non_exhaustive]
pub enum ResultCode {
    /// Applied (created, configured or already in the desired state); hooks that ran.
    Synced,
    /// The apply, prune or hook creation failed; see the message.
    SyncFailed,
    /// Deleted because it left the desired state.
    Pruned,
    /// Required pruning but was not deleted (pruning disabled, `Prune=false`, awaiting
    /// `Prune=confirm`).
    PruneSkipped,
}

impl ResultCode {
    /// `Synced`, `SyncFailed`, `Pruned` or `PruneSkipped`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Synced => "Synced",
            Self::SyncFailed => "SyncFailed",
            Self::Pruned => "Pruned",
            Self::PruneSkipped => "PruneSkipped",
        }
    }
}

impl fmt::Display for ResultCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl fmt::Display for Action {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The result of a sync for one resource.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ResourceResult {
    /// The object.
    #[serde(with = "super::state::key_text")]
    pub key: ResourceKey,
    /// API version of the desired (or live, for prunes) object.
    pub version: String,
    /// Comparison status before the sync.
    pub status: ResourceStatus,
    /// What the sync did.
    pub action: Action,
    /// Health after the sync; `None` when no assessor applies (or after a prune).
    pub health: Option<Health>,
    /// Human-readable detail (errors, skip reasons, health message).
    pub message: String,
    /// Sync phase the resource ran in.
    #[serde(with = "super::state::phase_text")]
    pub phase: SyncPhase,
    /// Sync wave the resource ran in.
    pub wave: i32,
    /// Whether the resource is a hook.
    pub hook: bool,
    /// Position in which it was written (0-based), `None` when nothing was written.
    pub order: Option<usize>,
}

impl ResourceResult {
    /// The gitops-engine result code: [`ResultCode::SyncFailed`] when the action failed,
    /// [`ResultCode::Pruned`] / [`ResultCode::PruneSkipped`] for objects that required pruning
    /// and were deleted / kept, [`ResultCode::Synced`] otherwise (hooks deleted by their policy
    /// included: they ran).
    pub fn result_code(&self) -> ResultCode {
        match (self.action, self.status) {
            (Action::Failed, _) => ResultCode::SyncFailed,
            (Action::Deleted, ResourceStatus::RequiresPruning) => ResultCode::Pruned,
            (_, ResourceStatus::RequiresPruning) => ResultCode::PruneSkipped,
            _ => ResultCode::Synced,
        }
    }
}

/// Overall outcome of a sync operation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[non_exhaustive]
pub enum SyncOutcome {
    /// Every step succeeded and every wave became healthy.
    Succeeded,
    /// A write failed, a wave became Degraded, or a wave timed out; see the message.
    Failed,
    /// The operation paused before completion (a `Prune=confirm` object awaits confirmation);
    /// resume it with [`SyncEngine::resume`](crate::SyncEngine::resume) and the report's state.
    Paused,
}

/// The report of one [`sync`](crate::sync()).
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct SyncReport {
    /// Per-resource results, in key order.
    pub resources: Vec<ResourceResult>,
    /// `Synced` when every resource was Synced before the sync (nothing to do).
    pub sync_status_before: ResourceStatus,
    /// Aggregated health after the sync (worst of the resources, skipping hooks and resources
    /// without health), `None` when no resource has health.
    pub health: Option<HealthStatus>,
    /// Whether the operation succeeded.
    pub outcome: SyncOutcome,
    /// Why the operation failed, or a summary.
    pub message: String,
    /// Number of writes (applies, deletes) made.
    pub writes: usize,
    /// The operation state at the end, serializable, for resuming a paused operation.
    pub operation: super::state::OperationState,
}

impl SyncReport {
    /// The result for one key.
    pub fn resource(&self, key: &ResourceKey) -> Option<&ResourceResult> {
        self.resources.iter().find(|r| &r.key == key)
    }
}
