//! The plain directory renderer.

use gitops_core::ManifestSet;

use crate::{Error, Renderer, SourceSnapshot, SourceTree, tree::is_manifest_file};

/// A directory of manifests: every `*.yaml`, `*.yml` and `*.json` under `tree.path`,
/// recursively, loaded with [`gitops_core::load_bytes`] in path order (Argo CD's "directory"
/// source type with `recurse: true`).
#[derive(Debug, Clone, Copy, Default)]
pub struct PlainRenderer;

impl PlainRenderer {
    /// Loads `tree` into a snapshot; errors carry `url`.
    pub(crate) fn render_snapshot(url: &str, tree: &SourceTree) -> Result<SourceSnapshot, Error> {
        let manifests = load(tree).map_err(|source| Error::Manifest {
            url: url.to_owned(),
            revision: tree.revision.clone(),
            source,
        })?;
        Ok(SourceSnapshot {
            revision: tree.revision.clone(),
            manifests,
            files: tree.files.keys().cloned().collect(),
            digest: tree.digest(),
        })
    }
}

fn load(tree: &SourceTree) -> Result<ManifestSet, gitops_core::Error> {
    let mut set = ManifestSet::new();
    for (path, bytes) in tree.files_under(&tree.path) {
        if !is_manifest_file(path) {
            continue;
        }
        for manifest in gitops_core::load_bytes(bytes, path)? {
            set.insert(manifest)?;
        }
    }
    Ok(set)
}

impl Renderer for PlainRenderer {
    fn name(&self) -> &'static str {
        "directory"
    }

    fn render(&self, tree: &SourceTree) -> Result<ManifestSet, Error> {
        load(tree).map_err(|source| Error::Manifest {
            url: String::new(),
            revision: tree.revision.clone(),
            source,
        })
    }
}
