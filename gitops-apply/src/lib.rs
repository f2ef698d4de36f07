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
//! - `kube` (on by default): [`KubeApplier`], the [`Applier`] over a real API server through
//!   kube-rs (module [`kube`]), and the re-export [`kube_rs`] of the kube crate whose types appear
//!   in its API. Without it the crate has no kube, k8s-openapi, hyper or rustls dependency.

#![cfg_attr(docsrs, feature(doc_cfg))]

mod applier;
mod error;
pub mod kinds;
#[cfg(feature = "kube")]
#[cfg_attr(docsrs, doc(cfg(feature = "kube")))]
pub mod kube;
mod memory;
mod selector;
pub mod simulation;
mod sync;

/// The kube-rs crate ([`kube`](https://docs.rs/kube)) this crate is built against, re-exported
/// because its types ([`kube_rs::Client`], [`kube_rs::Config`], [`kube_rs::Error`]) appear in
/// [`KubeApplier`]'s API: use it to build clients without a version mismatch.
#[cfg(feature = "kube")]
#[cfg_attr(docsrs, doc(cfg(feature = "kube")))]
pub use ::kube as kube_rs;
pub use applier::{ApiResource, Applier, ApplyOptions, DeleteOptions};
pub use error::{Error, Result};
#[cfg(feature = "kube")]
#[cfg_attr(docsrs, doc(cfg(feature = "kube")))]
pub use kube::KubeApplier;
pub use memory::{InMemoryCluster, InMemoryOptions};
pub use selector::LabelSelector;
pub use sync::{
    Action, EventSink, OperationPhase, OperationState, ResourceFilter, ResourceResult, ResourceStatus,
    RetryPolicy, SyncEngine, SyncEvent, SyncOptions, SyncOutcome, SyncReport, sync,
};

/// The field manager gitops-rs applies with unless told otherwise.
pub const DEFAULT_FIELD_MANAGER: &str = "gitops-rs";
