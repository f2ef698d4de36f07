//! Progress events of a running sync, for CLIs and controllers.

use gitops_core::SyncPhase;

use super::{report::ResourceResult, state::OperationPhase};

/// One progress event, delivered in order to [`SyncOptions::events`](crate::SyncOptions::events).
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum SyncEvent {
    /// A (phase, wave) step starts.
    StepStarted {
        /// The phase.
        phase: SyncPhase,
        /// The wave.
        wave: i32,
    },
    /// A resource was applied, pruned, skipped or failed.
    Resource(ResourceResult),
    /// A step finished (its resources healthy, or the operation failed).
    StepFinished {
        /// The phase.
        phase: SyncPhase,
        /// The wave.
        wave: i32,
    },
    /// The operation reached a final phase (or paused, for prune confirmation).
    Finished {
        /// Succeeded, Failed, or Running when paused.
        phase: OperationPhase,
        /// The operation message.
        message: String,
    },
    /// A failed operation will be retried after a delay.
    Retrying {
        /// Retry number, from 1.
        attempt: u32,
        /// Wait before it.
        delay: std::time::Duration,
    },
}
