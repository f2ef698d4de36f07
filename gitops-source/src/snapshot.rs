//! [`SourceSnapshot`]: what one load of a source produced.

use gitops_core::ManifestSet;

/// The desired state read from a source at one revision.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct SourceSnapshot {
    /// Full commit SHA (hex) the files were read at.
    pub revision: String,
    /// The manifests, ordered by `ResourceKey`, free of duplicates.
    pub manifests: ManifestSet,
    /// Repository-relative paths of the files read, sorted.
    pub files: Vec<String>,
    /// `sha256:<hex>` over the sorted paths and contents of `files` (see [`digest`](crate::digest)):
    /// equal digests mean the same input, whatever the commit.
    pub digest: String,
}
