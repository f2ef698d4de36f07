//! The Helm renderer.

use std::path::PathBuf;

use gitops_core::ManifestSet;

use super::tool::{find_on_path, run, write_tree};
use crate::{Error, Renderer, SourceTree};

/// Renders a chart with `helm template <release> <dir>` from `PATH`, over the tree written to a
/// temporary directory, as Argo CD does for Helm sources. Charts with remote dependencies need
/// them vendored under `charts/` (no `helm dependency build` is run).
#[derive(Debug, Clone)]
pub struct HelmRenderer {
    /// An explicit `helm` binary; `None` looks for `helm` on `PATH`.
    pub binary: Option<PathBuf>,
    /// Release name passed to `helm template` (default `release`; Argo CD uses the application
    /// name).
    pub release: String,
    /// `--namespace`, when set.
    pub namespace: Option<String>,
    /// Values files, relative to the chart directory (`-f`), in order.
    pub values_files: Vec<String>,
}

impl Default for HelmRenderer {
    fn default() -> Self {
        Self {
            binary: None,
            release: "release".to_owned(),
            namespace: None,
            values_files: Vec::new(),
        }
    }
}

impl HelmRenderer {
    /// Sets [`HelmRenderer::release`].
    #[must_use]
    pub fn release(mut self, name: impl Into<String>) -> Self {
        self.release = name.into();
        self
    }

    /// Sets [`HelmRenderer::namespace`].
    #[must_use]
    pub fn namespace(mut self, namespace: impl Into<String>) -> Self {
        self.namespace = Some(namespace.into());
        self
    }

    /// Adds a values file to [`HelmRenderer::values_files`].
    #[must_use]
    pub fn values_file(mut self, file: impl Into<String>) -> Self {
        self.values_files.push(file.into());
        self
    }

    /// Sets [`HelmRenderer::binary`].
    #[must_use]
    pub fn binary(mut self, binary: impl Into<PathBuf>) -> Self {
        self.binary = Some(binary.into());
        self
    }
}

impl Renderer for HelmRenderer {
    fn name(&self) -> &'static str {
        "helm"
    }

    fn render(&self, tree: &SourceTree) -> Result<ManifestSet, Error> {
        let program = match &self.binary {
            Some(binary) => binary.clone(),
            None => find_on_path("helm").ok_or_else(|| Error::ToolMissing {
                binary: "helm".to_owned(),
                path: tree.path.clone(),
            })?,
        };
        let work = write_tree(tree)?;
        let chart = if tree.path.is_empty() {
            ".".to_owned()
        } else {
            tree.path.clone()
        };
        let mut args = vec!["template".to_owned(), self.release.clone(), chart.clone()];
        if let Some(ns) = &self.namespace {
            args.extend(["--namespace".to_owned(), ns.clone()]);
        }
        for file in &self.values_files {
            let file = crate::tree::normalize_request("", file)?;
            args.extend(["-f".to_owned(), crate::tree::join(&chart, &file)]);
        }
        run("helm template", &program, &args, work.path(), tree)
    }
}
