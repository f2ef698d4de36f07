//! Cloning the fixture Git bundles.

use std::{path::Path, path::PathBuf, process::Command};

use crate::shared_dir;

/// A bare clone of a fixture bundle in a temporary directory, removed on drop.
#[derive(Debug)]
pub struct ClonedBundle {
    dir: tempfile::TempDir,
    path: PathBuf,
}

impl ClonedBundle {
    /// Path of the bare repository (`<tmp>/<name>.git`).
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The temporary directory holding the clone, for siblings such as caches.
    pub fn temp_dir(&self) -> &Path {
        self.dir.path()
    }
}

/// Clones `shared/fixtures/repos/<name>.bundle` into a new temporary bare repository with
/// `git clone --bare` (the git CLI must be on `PATH`).
///
/// Returns `None`, after printing a skip message, when `../shared` or the bundle is absent.
///
/// # Panics
/// When the bundle exists but `git` fails: a broken fixture must fail the test, not skip it.
pub fn clone_bundle(name: &str) -> Option<ClonedBundle> {
    let Some(shared) = shared_dir() else {
        eprintln!("SKIPPED: ../shared is absent (set GITOPS_SHARED_DIR); needed for bundle {name}");
        return None;
    };
    let bundle = shared.join("fixtures/repos").join(format!("{name}.bundle"));
    if !bundle.is_file() {
        eprintln!("SKIPPED: {} is absent", bundle.display());
        return None;
    }
    let dir = tempfile::tempdir().expect("create a temporary directory");
    let path = dir.path().join(format!("{name}.git"));
    let status = Command::new("git")
        .args(["clone", "--bare", "--quiet"])
        .arg(&bundle)
        .arg(&path)
        .status()
        .expect("run git (is it installed?)");
    assert!(status.success(), "git clone --bare {} failed", bundle.display());
    Some(ClonedBundle { dir, path })
}
