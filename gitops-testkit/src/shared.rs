//! Locating `../shared`.

use std::path::PathBuf;

/// The `shared` directory: `$GITOPS_SHARED_DIR` when set, else the first `shared/` directory
/// holding `STYLE.md` found beside the current crate's manifest directory or any of its
/// ancestors (in this workspace: `<repo>/../shared`). `None` when there is none.
pub fn shared_dir() -> Option<PathBuf> {
    if let Some(dir) = std::env::var_os("GITOPS_SHARED_DIR") {
        let dir = PathBuf::from(dir);
        return dir.is_dir().then_some(dir);
    }
    let start = std::env::var_os("CARGO_MANIFEST_DIR")
        .map(PathBuf::from)
        .or_else(|| std::env::current_dir().ok())?;
    start
        .ancestors()
        .map(|a| a.join("shared"))
        .find(|candidate| candidate.join("STYLE.md").is_file())
}
