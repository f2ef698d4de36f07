//! The crate error type.

/// Errors of gitops-health.
///
/// Assessing an object only fails when the object itself is unusable ([`Error::InvalidObject`]);
/// a failing assessor or script yields [`HealthStatus::Unknown`](crate::HealthStatus::Unknown)
/// with the error text as message, as Argo CD does, and the error is not returned.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The object is not a JSON object or lacks a valid `apiVersion`/`kind`.
    #[error("invalid object: {reason}")]
    InvalidObject {
        /// What is wrong, e.g. `missing kind`.
        reason: String,
    },
    /// A field of a built-in kind has the wrong JSON type (gitops-engine's typed conversion
    /// failure). The message follows gitops-engine: `failed to convert unstructured <Kind> to
    /// typed: ...`.
    #[error("failed to convert unstructured {kind} to typed: {path}: expected {expected}")]
    Conversion {
        /// The kind, e.g. `Deployment`, or `HPA` as gitops-engine words it.
        kind: &'static str,
        /// The JSON path of the field, e.g. `.status.replicas`.
        path: String,
        /// The expected JSON type, e.g. `an integer`.
        expected: &'static str,
    },
    /// A covered kind served under a version the built-in assessor does not know
    /// (e.g. `apps/v1beta2` Deployment), as gitops-engine's `unsupported <Kind> GVK`.
    #[error("unsupported {kind} GVK: {gvk}")]
    UnsupportedVersion {
        /// The kind as gitops-engine names it, e.g. `Deployment` or `HPA`.
        kind: &'static str,
        /// The GroupVersionKind in apimachinery's form, `group/version, Kind=Kind`.
        gvk: String,
    },
    /// The v1 HorizontalPodAutoscaler `autoscaling.alpha.kubernetes.io/conditions` annotation
    /// is not a JSON list of conditions.
    #[error("failed to convert conditions annotation to typed")]
    HpaConditionsAnnotation {
        /// The JSON parse error.
        #[source]
        source: serde_json::Error,
    },
    /// A status string that is not one of Argo CD's six statuses.
    #[error("invalid health status {status:?}")]
    InvalidStatus {
        /// The offending text.
        status: String,
    },
    /// A Lua health script failed to load, compile or run; see [`crate::lua::LuaError`].
    #[cfg(feature = "lua")]
    #[cfg_attr(docsrs, doc(cfg(feature = "lua")))]
    #[error(transparent)]
    Lua(#[from] crate::lua::LuaError),
}
