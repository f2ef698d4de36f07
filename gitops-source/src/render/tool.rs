//! Running an external rendering tool over a tree written to a temporary directory.

use std::{
    path::{Path, PathBuf},
    process::Command,
};

use gitops_core::ManifestSet;

use crate::{Error, SourceTree};

/// The first executable called `name` on `PATH`.
pub(crate) fn find_on_path(name: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|dir| dir.join(name))
        .find(|candidate| is_executable(candidate))
}

fn is_executable(path: &Path) -> bool {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        path.metadata()
            .is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
    }
    #[cfg(not(unix))]
    {
        path.is_file()
    }
}

/// Writes every file of `tree` below a new temporary directory (the only worktree this crate
/// ever writes). Paths are re-checked: a component that is empty, `.`, `..` or holds a
/// backslash is refused, so a hostile tree cannot write outside the directory.
pub(crate) fn write_tree(tree: &SourceTree) -> Result<tempfile::TempDir, Error> {
    let io = |source| Error::RenderIo {
        path: tree.path.clone(),
        source,
    };
    let dir = tempfile::Builder::new()
        .prefix("gitops-render-")
        .tempdir()
        .map_err(io)?;
    for (path, bytes) in &tree.files {
        let safe = path
            .split('/')
            .all(|c| !c.is_empty() && c != "." && c != ".." && !c.contains('\\'));
        if !safe {
            return Err(Error::UnsafePath {
                url: String::new(),
                path: path.clone(),
            });
        }
        let target = dir.path().join(path);
        if let Some(parent) = target.parent() {
            std::fs::create_dir_all(parent).map_err(io)?;
        }
        std::fs::write(&target, bytes).map_err(io)?;
    }
    Ok(dir)
}

/// Runs `program args... <dir>` in `work` and loads its standard output as manifests.
pub(crate) fn run(
    tool: &str,
    program: &Path,
    args: &[String],
    work: &Path,
    tree: &SourceTree,
) -> Result<ManifestSet, Error> {
    let output = Command::new(program)
        .args(args)
        .current_dir(work)
        .stdin(std::process::Stdio::null())
        .output()
        .map_err(|source| Error::RenderIo {
            path: tree.path.clone(),
            source,
        })?;
    if !output.status.success() {
        let mut stderr = String::from_utf8_lossy(&output.stderr).trim().to_owned();
        if stderr.len() > 4096 {
            let mut cut = 4096;
            while !stderr.is_char_boundary(cut) {
                cut -= 1;
            }
            stderr.truncate(cut);
        }
        // The temporary directory means nothing to the reader; show repository paths.
        let stderr = stderr.replace(&format!("{}/", work.display()), "");
        return Err(Error::Render {
            tool: tool.to_owned(),
            path: tree.path.clone(),
            stderr,
        });
    }
    let file = format!("{tool} {}", if tree.path.is_empty() { "." } else { &tree.path });
    let manifests = gitops_core::load_bytes(&output.stdout, &file).and_then(ManifestSet::from_manifests);
    manifests.map_err(|source| Error::RenderedManifest {
        tool: tool.to_owned(),
        path: tree.path.clone(),
        source,
    })
}
