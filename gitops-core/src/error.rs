//! The crate error type.

use crate::ResourceKey;

/// Errors of gitops-core. Messages name the file, document and key involved.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// An `apiVersion` that is empty or not `group/version` / `version`.
    #[error("invalid apiVersion {api_version:?}")]
    InvalidApiVersion {
        /// The offending value.
        api_version: String,
    },
    /// An empty `kind`.
    #[error("invalid kind {kind:?}")]
    InvalidKind {
        /// The offending value.
        kind: String,
    },
    /// A `ResourceKey` text that is not `group/kind/namespace/name`.
    #[error("invalid resource key {key:?}: expected group/kind/namespace/name")]
    InvalidResourceKey {
        /// The offending text.
        key: String,
    },
    /// A document that is not a mapping (e.g. a bare string or a sequence).
    #[error("{origin}: document is not a mapping")]
    NotAnObject {
        /// File and document index.
        origin: String,
    },
    /// A required identity field is missing or empty.
    #[error("{origin}: missing {field}")]
    MissingField {
        /// File and document index.
        origin: String,
        /// `apiVersion`, `kind` or `metadata.name`.
        field: &'static str,
    },
    /// Bytes that are not UTF-8.
    #[error("{file}: not valid UTF-8 at byte {offset}")]
    NotUtf8 {
        /// File name.
        file: String,
        /// Byte offset of the first invalid sequence.
        offset: usize,
    },
    /// YAML or JSON syntax error, duplicate mapping key, or exceeded alias budget.
    #[error("{origin}: {message}")]
    Parse {
        /// File and document index.
        origin: String,
        /// Parser message, with line and column.
        message: String,
    },
    /// A document larger than `LoadOptions::max_document_bytes`.
    #[error("{origin}: document larger than {limit} bytes")]
    DocumentTooLarge {
        /// File and document index.
        origin: String,
        /// The limit, in bytes.
        limit: usize,
    },
    /// A document nested deeper than `LoadOptions::max_depth`.
    #[error("{origin}: document nested deeper than {limit} levels")]
    TooDeep {
        /// File and document index.
        origin: String,
        /// The limit, in levels.
        limit: usize,
    },
    /// The same resource twice in one desired state.
    #[error("resource {key} appears twice: in {first} and in {second}")]
    DuplicateResource {
        /// The duplicated key.
        key: ResourceKey,
        /// Origin of the first occurrence.
        first: String,
        /// Origin of the second occurrence.
        second: String,
    },
}
