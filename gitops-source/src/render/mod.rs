//! Rendering a tree into manifests: the [`Renderer`] trait and the built-in renderers.

mod helm;
mod kustomize;
mod plain;
mod tool;

use gitops_core::ManifestSet;

pub use helm::HelmRenderer;
pub use kustomize::KustomizeRenderer;
pub use plain::PlainRenderer;

use crate::{Error, SourceTree};

/// Turns the files of a [`SourceTree`] into manifests for the directory `tree.path`, like Argo
/// CD's config management tools (directory, Kustomize, Helm) or Flux's kustomize-controller.
///
/// `tree.files` holds the whole tree the caller read (repository-relative paths), because
/// kustomizations and charts may reference files outside the rendered directory.
/// Implementations must not touch the network on their own and should be deterministic: the
/// same tree gives the same manifests.
pub trait Renderer: std::fmt::Debug + Send + Sync {
    /// A short name for messages (`directory`, `kustomize`, `helm`).
    fn name(&self) -> &'static str;

    /// Renders `tree.path`.
    ///
    /// # Errors
    /// Whatever the tool reports: [`Error::ToolMissing`], [`Error::Render`],
    /// [`Error::RenderedManifest`], [`Error::Manifest`], [`Error::RenderIo`].
    fn render(&self, tree: &SourceTree) -> Result<ManifestSet, Error>;
}

/// Picks the renderer for a directory the way Argo CD detects an application's type: a
/// `kustomization.yaml`, `kustomization.yml` or `Kustomization` file means Kustomize, a
/// `Chart.yaml` means Helm, anything else is a plain directory of manifests.
#[derive(Debug, Clone, Default)]
pub struct AutoRenderer {
    /// Used for kustomizations.
    pub kustomize: KustomizeRenderer,
    /// Used for Helm charts.
    pub helm: HelmRenderer,
}

/// The names Kustomize accepts for its configuration file, in its own order of preference.
pub(crate) const KUSTOMIZATION_FILES: [&str; 3] =
    ["kustomization.yaml", "kustomization.yml", "Kustomization"];

impl AutoRenderer {
    /// The renderer that [`AutoRenderer::render`] would use for `tree`.
    pub fn select(&self, tree: &SourceTree) -> &dyn Renderer {
        let has = |name: &str| tree.files.contains_key(&crate::tree::join(&tree.path, name));
        if KUSTOMIZATION_FILES.iter().any(|f| has(f)) {
            &self.kustomize
        } else if has("Chart.yaml") {
            &self.helm
        } else {
            &PlainRenderer
        }
    }
}

impl Renderer for AutoRenderer {
    fn name(&self) -> &'static str {
        "auto"
    }

    fn render(&self, tree: &SourceTree) -> Result<ManifestSet, Error> {
        self.select(tree).render(tree)
    }
}
