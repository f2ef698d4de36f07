//! # gitops-core
//!
//! The desired-state model of gitops-rs: object identity ([`GroupVersionKind`], [`GroupKind`],
//! [`ResourceKey`]), validated [`Manifest`]s and their loading from multi-document YAML or JSON
//! ([`load_bytes`]), and ordered, duplicate-free [`ManifestSet`]s; plus Argo CD's vocabulary on
//! top of them, so repositories written for Argo CD work unchanged:
//!
//! - [`annotations`]: sync waves, hooks and their delete policies, sync and compare options,
//!   `ignore-healthcheck`, explicit `gitops.rs/depends-on` dependencies, as typed parsers;
//! - [`ordering`]: phases, Argo CD's kind order and the [`SyncPlan`] of parallel batches;
//! - [`tracking`]: which live objects belong to an application (label, annotation or both);
//! - [`application`]: the Argo CD [`Application`] (source, destination, sync policy), with
//!   warnings for fields gitops-rs does not know;
//! - [`scope`]: namespaced versus cluster-scoped kinds and default namespaces.
//!
//! This crate does no I/O and no async: it parses bytes handed to it. Reading Git belongs to
//! `gitops-source`, talking to a cluster to `gitops-apply`.
//!
//! ```
//! use gitops_core::{load_bytes, ManifestSet};
//! let yaml = b"apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web, namespace: default}\n";
//! let set = ManifestSet::from_manifests(load_bytes(yaml, "web.yaml")?)?;
//! assert_eq!(set.keys().next().unwrap().to_string(), "apps/Deployment/default/web");
//! # Ok::<(), gitops_core::Error>(())
//! ```
//!
//! ## Feature flags
//! None.

pub mod annotations;
pub mod application;
mod error;
mod gvk;
mod key;
mod manifest;
pub mod ordering;
pub mod scope;
pub mod tracking;

#[doc(inline)]
pub use annotations::{HookDeletePolicy, HookType, Hooks, SyncOptions, SyncWave};
#[doc(inline)]
pub use application::Application;
pub use error::Error;
pub use gvk::{GroupKind, GroupVersionKind};
pub use key::ResourceKey;
pub use manifest::{LoadOptions, Manifest, ManifestSet, Origin, load_bytes, load_bytes_with_options};
#[doc(inline)]
pub use ordering::{Batch, SyncPhase, SyncPlan, SyncTask, TaskAction, plan};
#[doc(inline)]
pub use scope::{BuiltinScopes, Scope, ScopeResolver};
#[doc(inline)]
pub use tracking::{Tracking, TrackingId, TrackingMethod};

/// `Result` with this crate's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;
