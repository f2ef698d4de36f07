//! The Kustomize renderer.

use std::path::PathBuf;

use gitops_core::ManifestSet;

use super::tool::{find_on_path, run, write_tree};
use crate::{Error, Renderer, SourceTree};

/// Renders a kustomization with `kustomize build` or, when `kustomize` is not on `PATH`,
/// `kubectl kustomize` (kubectl's built-in Kustomize), over the tree written to a temporary
/// directory. Remote bases (URLs in `resources`) are fetched by the tool itself; prefer local
/// bases for offline, reproducible renders.
///
/// The output is what `kubectl kustomize <dir>` prints, loaded with
/// [`gitops_core::load_bytes`].
#[derive(Debug, Clone, Default)]
pub struct KustomizeRenderer {
    /// An explicit binary; `None` looks for `kustomize`, then `kubectl`, on `PATH`.
    pub binary: Option<PathBuf>,
    /// Extra arguments after `build`/`kustomize` (e.g. `--enable-helm`,
    /// `--load-restrictor=LoadRestrictionsNone`).
    pub args: Vec<String>,
}

impl KustomizeRenderer {
    /// Uses `binary` (a `kustomize` or `kubectl` executable, told apart by file name).
    #[must_use]
    pub fn binary(mut self, binary: impl Into<PathBuf>) -> Self {
        self.binary = Some(binary.into());
        self
    }

    /// Adds an argument to [`KustomizeRenderer::args`].
    #[must_use]
    pub fn arg(mut self, arg: impl Into<String>) -> Self {
        self.args.push(arg.into());
        self
    }

    /// The command that would run: (display name, program, leading arguments).
    fn command(&self, path: &str) -> Result<(String, PathBuf, Vec<String>), Error> {
        let program = match &self.binary {
            Some(binary) => binary.clone(),
            None => find_on_path("kustomize")
                .or_else(|| find_on_path("kubectl"))
                .ok_or_else(|| Error::ToolMissing {
                    binary: "kustomize or kubectl".to_owned(),
                    path: path.to_owned(),
                })?,
        };
        let stem = program
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default();
        if stem.starts_with("kubectl") {
            Ok((
                "kubectl kustomize".to_owned(),
                program,
                vec!["kustomize".to_owned()],
            ))
        } else {
            Ok(("kustomize build".to_owned(), program, vec!["build".to_owned()]))
        }
    }
}

impl Renderer for KustomizeRenderer {
    fn name(&self) -> &'static str {
        "kustomize"
    }

    fn render(&self, tree: &SourceTree) -> Result<ManifestSet, Error> {
        let (tool, program, mut args) = self.command(&tree.path)?;
        let work = write_tree(tree)?;
        args.push(if tree.path.is_empty() {
            ".".to_owned()
        } else {
            tree.path.clone()
        });
        args.extend(self.args.iter().cloned());
        run(&tool, &program, &args, work.path(), tree)
    }
}
