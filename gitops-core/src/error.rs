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
    /// YAML or JSON syntax error, bad document separator, duplicate mapping key, unsupported
    /// mapping key, non-finite number, or exceeded alias budget.
    #[error("{origin}: {message}")]
    Parse {
        /// File and document index.
        origin: String,
        /// 1-based line in the file, when the parser knows it.
        line: Option<usize>,
        /// 1-based column, when the parser knows it.
        column: Option<usize>,
        /// Parser message, naming the line and column in the file when known.
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
    /// A value that is not one of the accepted spellings (a hook type, a sync option item, a
    /// sync wave, a tracking method...).
    #[error("invalid value {value:?}: expected {expected}")]
    InvalidValue {
        /// What was expected.
        expected: &'static str,
        /// The offending text.
        value: String,
    },
    /// An Argo CD (or Helm, or gitops-rs) annotation with a value that cannot be parsed.
    #[error("{resource}: invalid annotation {annotation}={value:?}: {reason}")]
    InvalidAnnotation {
        /// The object, as `group/kind/namespace/name`.
        resource: String,
        /// The annotation name, e.g. `argocd.argoproj.io/sync-wave`.
        annotation: String,
        /// The annotation value.
        value: String,
        /// What is wrong with it.
        reason: String,
    },
    /// A `gitops.rs/depends-on` entry naming an object that is not in the desired state.
    #[error("{key} depends on {dependency}, which is not in the desired state")]
    MissingDependency {
        /// The dependent object.
        key: ResourceKey,
        /// The missing dependency.
        dependency: ResourceKey,
    },
    /// A `gitops.rs/depends-on` entry naming an object that only syncs in a later phase or wave.
    #[error(
        "{key} ({phase} wave {wave}) depends on {dependency}, which syncs later ({dependency_phase} wave {dependency_wave})"
    )]
    DependencyInLaterWave {
        /// The dependent object.
        key: ResourceKey,
        /// Its sync phase.
        phase: crate::ordering::SyncPhase,
        /// Its wave.
        wave: i32,
        /// The dependency.
        dependency: ResourceKey,
        /// The dependency's earliest sync phase.
        dependency_phase: crate::ordering::SyncPhase,
        /// The dependency's wave in that phase.
        dependency_wave: i32,
    },
    /// Dependencies (explicit `gitops.rs/depends-on`, or implicit Namespace/CRD ones) that form a
    /// cycle; every member of the cycle is named.
    #[error("dependency cycle between {}", .members.iter().map(ToString::to_string).collect::<Vec<_>>().join(", "))]
    DependencyCycle {
        /// The objects in the cycle, ordered by key.
        members: Vec<ResourceKey>,
    },
    /// A namespace set on an object whose kind is cluster-scoped.
    #[error("{key}: namespace set on cluster-scoped kind {kind}", kind = .key.group_kind())]
    NamespaceOnClusterScoped {
        /// The object.
        key: ResourceKey,
    },
    /// An `argocd.argoproj.io/tracking-id` value that is not `<app>:<group>/<kind>:<namespace>/<name>`.
    #[error("invalid tracking id {value:?}: expected <app>:<group>/<kind>:<namespace>/<name>")]
    InvalidTrackingId {
        /// The offending text.
        value: String,
    },
    /// An application name longer than 63 characters, which cannot be a label value, with label
    /// tracking.
    #[error("application name {app:?} is longer than 63 characters and cannot be tracked by label {label}")]
    AppNameTooLongForLabel {
        /// The application name.
        app: String,
        /// The tracking label key.
        label: String,
    },
    /// An Argo CD Application manifest that cannot be read.
    #[error("application {key}: {message}")]
    InvalidApplication {
        /// The Application's key.
        key: ResourceKey,
        /// What is wrong, with the field path.
        message: String,
    },
}
