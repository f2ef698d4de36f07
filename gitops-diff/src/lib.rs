//! # gitops-diff
//!
//! The diff engine of gitops-rs: compares a desired Kubernetes object with its live counterpart
//! and predicts what a sync would change, without false drift. Server-populated metadata and
//! `status` are ignored, values equal by meaning (quantities, numbers, Secret `stringData`) are
//! equal, lists merge by the Kubernetes schema (list-maps by key, sets, atomic lists), and Secret
//! values never reach any output.
//!
//! - [`diff()`] compares one object ([`DiffMode`]: two-way desired-subset, three-way with
//!   `kubectl.kubernetes.io/last-applied-configuration`, structured-merge with an offline
//!   server-side apply) and gives a [`ResourceDiff`] with the normalized and predicted live
//!   objects, an RFC 6902 patch, field [`FieldChange`]s, a unified YAML rendering
//!   ([`ResourceDiff::unified`]) and JSON ([`ResourceDiff::to_json`]). [`diff_server_side`]
//!   compares with a server dry-run result, reverting mutating-webhook changes.
//! - [`merge`] is server-side apply without a server: structured-merge-diff's merge, field
//!   ownership in `managedFields` (FieldsV1), conflicts, removal of fields a manager stopped
//!   sending ([`merge::apply`]), and ownership of ordinary writes ([`merge::update`]).
//! - [`diff_set`] pairs a desired [`gitops_core::ManifestSet`] with live objects by
//!   [`gitops_core::ResourceKey`] and reports Synced / OutOfSync / Missing / RequiresPruning per
//!   resource and the overall [`SyncStatus`].
//! - [`Schema`] holds list and map semantics: a table generated from the Kubernetes 1.36 typed
//!   schema, plus CustomResourceDefinitions.
//! - [`Normalizer`] lets users add their own normalization; [`IgnoreRule`] is Argo CD's
//!   `ignoreDifferences` (JSON pointers, jq path expressions with a time budget, field managers)
//!   and [`respect_ignore_differences`] its `RespectIgnoreDifferences`; [`mask`] hides Secret
//!   values.
//!
//! This crate does no I/O, no async and never talks to a cluster: it works on
//! [`serde_json::Value`]s handed to it. Fetching live objects and server dry runs belong to
//! `gitops-apply`.
//!
//! ```
//! use gitops_diff::{diff, DiffOptions, RenderOptions};
//! use serde_json::json;
//!
//! let desired = json!({"apiVersion": "apps/v1", "kind": "Deployment",
//!     "metadata": {"name": "web", "namespace": "default"},
//!     "spec": {"replicas": 3, "template": {"spec": {"containers": [
//!         {"name": "app", "image": "nginx:1.27", "resources": {"requests": {"cpu": "0.5"}}}]}}}});
//! let live = json!({"apiVersion": "apps/v1", "kind": "Deployment",
//!     "metadata": {"name": "web", "namespace": "default", "uid": "1", "generation": 4},
//!     "spec": {"replicas": 2, "template": {"spec": {"containers": [
//!         {"name": "app", "image": "nginx:1.27", "imagePullPolicy": "IfNotPresent",
//!          "resources": {"requests": {"cpu": "500m"}}}]}}},
//!     "status": {"readyReplicas": 2}});
//! let d = diff(&desired, &live, &DiffOptions::default())?;
//! assert!(d.modified);
//! assert_eq!(d.changes.len(), 1); // only spec.replicas: 0.5 = 500m, defaults and status ignored
//! assert_eq!(d.changes[0].path, "/spec/replicas");
//! assert!(d.unified(&RenderOptions::default()).contains("-  replicas: 2"));
//! # Ok::<(), gitops_diff::Error>(())
//! ```
//!
//! See `examples/diff.rs` in the repository for a command-line front end.
//!
//! ## Feature flags
//! None.

mod diff;
mod error;
mod ignore;
pub mod mask;
pub mod merge;
mod normalize;
mod options;
mod render;
mod schema;
mod set;
mod value;

pub use diff::{FieldChange, ResourceDiff, diff, diff_server_side, is_modified};
pub use error::Error;
pub use ignore::{IgnoreRule, respect_ignore_differences};
pub use normalize::{
    LAST_APPLIED_ANNOTATION, Normalizer, SERVER_METADATA_FIELDS, apply_server_defaults, strip_server_fields,
};
pub use options::{DiffMode, DiffOptions};
pub use render::RenderOptions;
pub use schema::{ListType, Schema};
pub use set::{ResourceReport, ResourceState, SetOptions, SetReport, SyncStatus, diff_set};

/// `Result` with this crate's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;
