//! # gitops-testkit
//!
//! Test support for the gitops-rs workspace (a dev-dependency only, never published):
//!
//! - [`shared_dir`] finds the `../shared` directory beside the repository root, which holds the
//!   reference texts, schemas, fixture repositories and conformance data. Tests that need it
//!   call [`require_shared!`] and are skipped with a clear message when it is absent.
//! - [`clone_bundle`] clones one of the Git bundles in `shared/fixtures/repos` into a temporary
//!   bare repository with the git CLI (gix cannot read bundles yet).
//! - `emulator` (feature `emulator`): an in-process Kubernetes API server emulator over real
//!   HTTP, for `kube::Client` and `kubectl`, with server-side apply, watches, simulated
//!   controllers and fault injection; also the `kube-emulator` binary
//!   (`cargo run -p gitops-testkit --bin kube-emulator -- --port 6443
//!   --kubeconfig-out FILE`).
//!
//! The crate does not talk to real clusters, and the emulator is not a conformance-tested API
//! server: its module docs list what it does not emulate.
//!
//! ```no_run
//! let Some(repo) = gitops_testkit::clone_bundle("argocd-example-apps") else { return };
//! assert!(repo.path().join("HEAD").exists());
//! ```
//!
//! ## Feature flags
//! - `emulator` (on by default): the API server emulator and the `kube-emulator` binary. It
//!   pulls tokio, axum/hyper, rustls, kube and gitops-apply, which the pure crates' tests must not
//!   compile: the workspace dependency entry turns default features off, and the crates that
//!   want the emulator (gitops-apply's tests, the examples, the benches) ask for it by name.

#![cfg_attr(docsrs, feature(doc_cfg))]

#[expect(
    clippy::expect_used,
    reason = "clone_bundle panics by design (documented): a broken fixture must fail the test, not skip it"
)]
mod bundle;
#[cfg(feature = "emulator")]
#[cfg_attr(docsrs, doc(cfg(feature = "emulator")))]
pub mod emulator;
#[cfg(feature = "emulator")]
mod error;
mod shared;

pub use bundle::{ClonedBundle, clone_bundle};
#[cfg(feature = "emulator")]
#[cfg_attr(docsrs, doc(cfg(feature = "emulator")))]
pub use error::Error;
pub use shared::shared_dir;

/// Returns the `shared` directory, or prints a skip message naming `$what` and returns from the
/// enclosing test function when it is absent.
#[macro_export]
macro_rules! require_shared {
    ($what:expr) => {
        match $crate::shared_dir() {
            Some(dir) => dir,
            None => {
                eprintln!(
                    "SKIPPED: ../shared is absent (set GITOPS_SHARED_DIR); needed for {}",
                    $what
                );
                return;
            }
        }
    };
}
