//! The crate error type.

use gitops_core::{GroupVersionKind, ResourceKey};

/// Errors of gitops-apply. Messages name the [`ResourceKey`] (or GroupVersionKind) involved.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The cluster serves no such kind (discovery found nothing).
    #[error("the cluster serves no kind {gvk}")]
    UnknownKind {
        /// The kind asked for.
        gvk: GroupVersionKind,
    },
    /// The object's namespace does not exist (the API server answers 404 for it).
    #[error("{key}: namespace {namespace:?} not found")]
    NamespaceNotFound {
        /// The object being written.
        key: ResourceKey,
        /// The missing namespace.
        namespace: String,
    },
    /// A namespaced object without a namespace, or a cluster-scoped one with a namespace.
    #[error("{key}: {message}")]
    Invalid {
        /// The object being written.
        key: ResourceKey,
        /// What is wrong (never includes Secret data).
        message: String,
    },
    /// A label selector that does not parse (Kubernetes' equality- and set-based syntax).
    #[error("invalid label selector {selector:?}: {message}")]
    InvalidSelector {
        /// The selector as given.
        selector: String,
        /// What is wrong with it.
        message: String,
    },
    /// A create found the object already there (the API server's 409 `AlreadyExists`).
    #[error("{key}: already exists")]
    AlreadyExists {
        /// The object being created.
        key: ResourceKey,
    },
    /// The write changes fields the API server does not allow to change once set (a Job's
    /// template, a Service's clusterIP, ...; see [`crate::immutable`]): a 422 whose causes say
    /// "field is immutable". Argo CD's `Force=true` deletes and re-creates the object then.
    #[error("{key}: {message}")]
    Immutable {
        /// The object being written.
        key: ResourceKey,
        /// Dotted paths of the refused fields, e.g. `spec.template`.
        fields: Vec<String>,
        /// The API server's message (never includes Secret data).
        message: String,
    },
    /// Server-side apply found fields owned by other field managers with different values.
    #[error("{key}: apply conflicts with other field managers: {}", conflicts.join(", "))]
    Conflict {
        /// The object being applied.
        key: ResourceKey,
        /// One `path (manager)` entry per conflicting field.
        conflicts: Vec<String>,
    },
    /// An object handed to the applier is not a valid manifest.
    #[error("invalid object")]
    Manifest(#[source] gitops_core::Error),
    /// Diffing desired against live failed.
    #[error("{key}: diff failed")]
    Diff {
        /// The object being compared.
        key: ResourceKey,
        /// The cause.
        #[source]
        source: gitops_diff::Error,
    },
    /// A health assessor failed.
    #[error("{key}: health assessment failed")]
    Health {
        /// The object being assessed.
        key: ResourceKey,
        /// The cause.
        #[source]
        source: gitops_health::Error,
    },
    /// A backend failure that is none of the above (transport, server error).
    #[error("{operation} {key}: {message}")]
    Backend {
        /// The verb, e.g. `apply`.
        operation: &'static str,
        /// The object (or `group/kind//` for lists).
        key: String,
        /// The backend's message.
        message: String,
    },
    /// A Kubernetes API request failed in a way none of the variants above describes (e.g. 403
    /// Forbidden, a transport error), or kept failing after the retries of
    /// [`KubeApplierOptions`](crate::kube::KubeApplierOptions). Only with feature `kube`.
    #[cfg(feature = "kube")]
    #[cfg_attr(docsrs, doc(cfg(feature = "kube")))]
    #[error("{operation} {key}: kubernetes API request failed")]
    Kube {
        /// The verb, e.g. `apply`, `list`, `discovery`.
        operation: &'static str,
        /// The object (`group/kind/namespace/name`), `group/kind/namespace/` for lists,
        /// `/api and /apis` for discovery.
        key: String,
        /// The kube-rs error (an API `Status` or a transport failure).
        #[source]
        source: Box<::kube::Error>,
    },
    /// The Kubernetes client configuration could not be loaded or used (kubeconfig file, context,
    /// in-cluster service account, TLS set-up). Only with feature `kube`.
    #[cfg(feature = "kube")]
    #[cfg_attr(docsrs, doc(cfg(feature = "kube")))]
    #[error("cannot configure the kubernetes client from {origin}")]
    KubeConfig {
        /// Where the configuration came from, e.g. `kubeconfig /path (context prod)`.
        origin: String,
        /// The kube-rs error.
        #[source]
        source: Box<::kube::Error>,
    },
}

/// `Result` with this crate's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;
