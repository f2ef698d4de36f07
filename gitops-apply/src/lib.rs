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
//! ## The sync engine
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
//!
//! Before the first write, a pre-flight check (gitops-engine's dry run of every task) fails the
//! operation with "one or more objects failed to apply (dry run)" when a resource's kind is not
//! served and no CRD of the desired state defines it, unless `SkipDryRunOnMissingResource=true`.
//!
//! Each resource's [`ResourceResult`] carries its comparison status before the sync, a
//! Flux-style [`Action`] (created, configured, unchanged, deleted, skipped, failed), the
//! gitops-engine [`ResultCode`] (Synced, SyncFailed, Pruned, PruneSkipped), health, message,
//! phase, wave and write order.
//!
//! [`SyncEngine::step`] runs one (phase, wave) step at a time and returns an
//! [`OperationState`] that serializes to JSON, so a restarted controller resumes an operation
//! with [`SyncEngine::resume`]. [`SyncOptions`] covers Argo CD's sync options (prune, prune
//! confirmation, PruneLast, propagation policy, Replace, CreateNamespace, ApplyOutOfSyncOnly,
//! selective sync, dry run, retry); per-resource `argocd.argoproj.io/sync-options` annotations
//! (`Prune=false|confirm`, `Replace=true`, `Force=true`, `Validate=false`,
//! `SkipDryRunOnMissingResource=true`) are honoured.
//! Progress is reported through [`SyncEvent`]s, to a callback ([`SyncOptions::events`]) or a
//! channel ([`SyncOptions::event_channel`]).
//!
//! ## Example
//!
//! ```
//! use gitops_apply::{Action, InMemoryCluster, ResultCode, SyncEngine, SyncOptions, SyncOutcome};
//! use gitops_core::{ManifestSet, load_bytes};
//!
//! # let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
//! # rt.block_on(async {
//! let yaml = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: settings}\ndata: {mode: blue}\n";
//! let desired = ManifestSet::from_manifests(load_bytes(yaml.as_bytes(), "app.yaml")?)?;
//! let cluster = InMemoryCluster::default();
//! let engine = SyncEngine::new(&cluster);
//! let options = SyncOptions::new("demo").prune(true);
//!
//! let report = engine.sync(&desired, &options).await?;
//! assert_eq!(report.outcome, SyncOutcome::Succeeded);
//! let settings = &report.resources[0];
//! assert_eq!(settings.key.to_string(), "/ConfigMap/default/settings");
//! assert_eq!((settings.action, settings.result_code()), (Action::Created, ResultCode::Synced));
//!
//! // In sync: the next operation writes nothing.
//! assert_eq!(engine.sync(&desired, &options).await?.writes, 0);
//!
//! // Gone from Git: pruned.
//! let report = engine.sync(&ManifestSet::new(), &options).await?;
//! assert_eq!(report.resources[0].result_code(), ResultCode::Pruned);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! # }).unwrap();
//! ```
//!
//! ## Feature flags
//! - `kube` (on by default): [`KubeApplier`], the [`Applier`] over a real API server through
//!   kube-rs (module [`kube`]), and the re-export [`kube_rs`] of the kube crate whose types appear
//!   in its API. Without it the crate has no kube, k8s-openapi, hyper or rustls dependency.

#![cfg_attr(docsrs, feature(doc_cfg))]

mod applier;
mod error;
pub mod immutable;
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
    ResultCode, RetryPolicy, SyncEngine, SyncEvent, SyncOptions, SyncOutcome, SyncReport, sync,
};

/// The field manager gitops-rs applies with unless told otherwise.
pub const DEFAULT_FIELD_MANAGER: &str = "gitops-rs";
