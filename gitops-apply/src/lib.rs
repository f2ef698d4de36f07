//! # gitops-apply
//!
//! Converging a cluster to the desired state: the [`Applier`] trait over a cluster backend, the
//! [`InMemoryCluster`] backend (a simulation, see [`simulation`]), and the sync engine
//! ([`sync()`]).
//!
//! This crate never reads Git (that is `gitops-source`) and never decides by itself what differs
//! (that is `gitops-diff`) or what is healthy (`gitops-health`); it composes them against a
//! cluster.
//!
//! ## Feature flags
//! None yet.

mod applier;
mod error;
pub mod kinds;
mod memory;
mod selector;
pub mod simulation;
mod sync;

pub use applier::{ApiResource, Applier, ApplyOptions, DeleteOptions};
pub use error::{Error, Result};
pub use memory::{InMemoryCluster, InMemoryOptions};
pub use selector::LabelSelector;
pub use sync::{
    Action, EventSink, OperationPhase, OperationState, ResourceFilter, ResourceResult, ResourceStatus,
    RetryPolicy, SyncEngine, SyncEvent, SyncOptions, SyncOutcome, SyncReport, sync,
};

/// The field manager gitops-rs applies with unless told otherwise.
pub const DEFAULT_FIELD_MANAGER: &str = "gitops-rs";
