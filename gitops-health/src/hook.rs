//! Hook phase from health, as gitops-engine's sync context decides when a hook is done.

use std::fmt;

use crate::{Health, HealthStatus};

/// The phase of a sync hook derived from its health (gitops-engine's `OperationPhase` subset
/// used for hooks).
///
/// ```
/// use gitops_health::{Health, HookPhase, HealthStatus};
/// assert_eq!(HookPhase::from_health(Some(&Health::healthy())), HookPhase::Succeeded);
/// assert_eq!(HookPhase::from_health(Some(&Health::progressing(""))), HookPhase::Running);
/// assert_eq!(HookPhase::from_health(None), HookPhase::Succeeded);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum HookPhase {
    /// The hook is still running.
    Running,
    /// The hook finished successfully.
    Succeeded,
    /// The hook failed.
    Failed,
}

impl HookPhase {
    /// gitops-engine's rule: Healthy → Succeeded; Progressing or Suspended → Running;
    /// Degraded, Unknown (and Missing) → Failed; no health check (`None`) → Succeeded as soon
    /// as the hook exists.
    pub fn from_health(health: Option<&Health>) -> Self {
        match health.map(|h| h.status) {
            None | Some(HealthStatus::Healthy) => HookPhase::Succeeded,
            Some(HealthStatus::Progressing | HealthStatus::Suspended) => HookPhase::Running,
            Some(HealthStatus::Degraded | HealthStatus::Unknown | HealthStatus::Missing) => HookPhase::Failed,
        }
    }

    /// Whether the phase is final (Succeeded or Failed).
    pub fn is_completed(self) -> bool {
        self != HookPhase::Running
    }
}

impl fmt::Display for HookPhase {
    /// `Running`, `Succeeded` or `Failed`, as Argo CD prints them.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            HookPhase::Running => "Running",
            HookPhase::Succeeded => "Succeeded",
            HookPhase::Failed => "Failed",
        })
    }
}
