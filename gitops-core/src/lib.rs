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
//! ## What it does not do
//! This crate does no I/O and no async: it parses bytes handed to it. Reading Git (and rendering
//! Helm or Kustomize) belongs to `gitops-source`, comparing objects to `gitops-diff`, health to
//! `gitops-health`, and talking to a cluster or running a sync to `gitops-apply`, which executes
//! the [`SyncPlan`] made here. Its dependencies are serde, serde_json, serde-saphyr, petgraph and
//! thiserror only.
//!
//! Input is untrusted: the loader bounds document size, nesting and YAML alias expansion
//! ([`LoadOptions`]) and reports bad input as an [`Error`] naming the file, document and line;
//! no input panics it. `Debug` of a Secret [`Manifest`] masks its values.
//!
//! ## Example
//! ```
//! use gitops_core::{load_bytes, ManifestSet, plan, scope::{apply_default_namespaces, BuiltinScopes}};
//! let yaml = b"apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\n---\n\
//! apiVersion: v1\nkind: ConfigMap\nmetadata: {name: cfg, annotations: {argocd.argoproj.io/sync-wave: '-1'}}\n";
//! let set = ManifestSet::from_manifests(load_bytes(yaml, "app.yaml")?)?;
//! let set = apply_default_namespaces(set, "shop", &BuiltinScopes)?;
//! let order: Vec<String> = plan(&set)?.tasks().map(|t| t.key.to_string()).collect();
//! assert_eq!(order, ["/ConfigMap/shop/cfg", "apps/Deployment/shop/web"]);
//! # Ok::<(), gitops_core::Error>(())
//! ```
//!
//! The `reconcile` example of the `gitops-examples` crate shows the crates working together.
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
