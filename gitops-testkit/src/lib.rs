//! # gitops-testkit
//!
//! Test support for the gitops-rs workspace (a dev-dependency only, never published):
//!
//! - [`shared_dir`] finds the `../shared` directory beside the repository root, which holds the
//!   reference texts, schemas, fixture repositories and conformance data. Tests that need it
//!   call [`require_shared!`] and are skipped with a clear message when it is absent.
//! - [`clone_bundle`] clones one of the Git bundles in `shared/fixtures/repos` into a temporary
//!   bare repository with the git CLI (gix cannot read bundles yet).
//!
//! ```no_run
//! let Some(repo) = gitops_testkit::clone_bundle("argocd-example-apps") else { return };
//! assert!(repo.path().join("HEAD").exists());
//! ```

mod bundle;
mod shared;

pub use bundle::{ClonedBundle, clone_bundle};
pub use shared::shared_dir;

/// Returns the `shared` directory, or prints a skip message naming `$what` and returns from the
/// enclosing test function when it is absent.
#[macro_export]
macro_rules! require_shared {
    ($what:expr) => {
        match $crate::shared_dir() {
            Some(dir) => dir,
            None => {
                eprintln!("SKIPPED: ../shared is absent (set GITOPS_SHARED_DIR); needed for {}", $what);
                return;
            }
        }
    };
}
