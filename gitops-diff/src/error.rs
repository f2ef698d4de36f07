//! The crate's [`Error`].

/// Errors of gitops-diff. Messages name the object and the JSON path; they never carry Secret values.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A CustomResourceDefinition handed to [`Schema::add_crd`](crate::Schema::add_crd) lacks a
    /// required field.
    #[error("invalid CustomResourceDefinition {name}: {reason}")]
    InvalidCrd {
        /// `metadata.name` of the CRD.
        name: String,
        /// What is missing.
        reason: &'static str,
    },
    /// Desired or live is not a JSON object.
    #[error("{side} object is not a JSON object")]
    NotAnObject {
        /// `desired`, `live` or `predicted live`.
        side: &'static str,
    },
    /// A live object handed to [`diff_set`](crate::diff_set()) has no valid identity.
    #[error("live object {index} has no valid identity")]
    InvalidLiveObject {
        /// Its index in the live list.
        index: usize,
        /// Why.
        #[source]
        source: gitops_core::Error,
    },
    /// A jq ignore expression does not compile.
    #[error("invalid jq path expression {expression:?}: {reason}")]
    InvalidJq {
        /// The expression.
        expression: String,
        /// The compiler's complaint.
        reason: String,
    },
    /// A jq ignore expression ran out of its time budget.
    #[error("jq path expression {expression:?} exceeded its time budget of {budget_ms} ms on {object}")]
    JqTimeout {
        /// The expression.
        expression: String,
        /// Budget in milliseconds.
        budget_ms: u64,
        /// The object it ran on (`group/kind/namespace/name`).
        object: String,
    },
    /// An ignore rule's JSON pointer is malformed.
    #[error("invalid JSON pointer {pointer:?} in an ignore rule")]
    InvalidPointer {
        /// The pointer.
        pointer: String,
    },
    /// The server-side-apply merge refused the desired object (see [`Conflicts`](crate::merge::Conflicts)).
    #[error("server-side apply of {object} by manager {manager:?} conflicts")]
    Conflicts {
        /// The object (`group/kind/namespace/name`).
        object: String,
        /// The field manager.
        manager: String,
        /// The conflicts.
        #[source]
        source: crate::merge::Conflicts,
    },
}
