//! # gitops-source
//!
//! Git sources for gitops-rs: how a controller gets desired state out of Git. A [`GitSource`]
//! mirrors one remote repository into a bare cache with [gix](https://docs.rs/gix) (local path,
//! `file://`, `https://` with pure-Rust TLS, `ssh://` and scp-like URLs through the system
//! `ssh`), resolves revisions (branch, tag, full or short SHA, `HEAD`, semver ranges over tags)
//! to commit SHAs, and reads trees straight from the object database: no worktree is checked
//! out. What it reads is filtered (include/exclude globs, `.sourceignore` as Flux does),
//! bounded ([`ReadLimits`]), checked against hostile content (out-of-bounds symlinks, `..`
//! paths) and summarized by a SHA-256 [`digest`]. [`Renderer`]s turn a tree into a
//! [`ManifestSet`](gitops_core::ManifestSet): a plain directory, Kustomize
//! (`kustomize`/`kubectl kustomize`) or Helm (`helm template`).
//!
//! The crate does not talk to a cluster, does not diff, and has no async API: like gix it
//! blocks. Async callers run each call in `tokio::task::spawn_blocking` with a clone of the
//! source. Its pieces follow Flux's source-controller (cache, `.sourceignore`, semver, digest)
//! and Argo CD's repo-server (renderer detection, manifest-generate-paths, symlink checks).
//!
//! ```no_run
//! use gitops_source::GitSource;
//! let cache = std::env::temp_dir().join("gitops-cache");
//! let source = GitSource::new("https://github.com/argoproj/argocd-example-apps", &cache)?;
//! source.fetch()?;
//! let commit = source.resolve("HEAD")?;
//! let snapshot = source.load(&commit, "guestbook")?;
//! println!("{} objects at {} ({})", snapshot.manifests.len(), snapshot.revision, snapshot.digest);
//! # Ok::<(), gitops_source::Error>(())
//! ```
//!
//! Errors name the repository URL (never a password), the revision, the file and the document
//! index; see [`Error`].
//!
//! ## Feature flags
//! None. gix is built with `blocking-http-transport-reqwest-rust-tls` (https via rustls),
//! `revision` and `blob-diff` (tree diffs for [`GitSource::changed_paths`]).
//!
//! The `reconcile` example in `examples/` drives this crate end to end.

mod auth;
mod digest;
mod error;
mod filter;
mod options;
mod render;
mod semver_range;
mod snapshot;
mod source;
mod tree;
mod url;

pub use auth::{Credentials, Secret};
pub use digest::digest;
pub use error::{BoxError, Error};
pub use filter::DEFAULT_IGNORES;
pub use options::{GitSourceOptions, ReadLimits, ReadOptions};
pub use render::{AutoRenderer, HelmRenderer, KustomizeRenderer, PlainRenderer, Renderer};
pub use snapshot::SourceSnapshot;
pub use source::{GitSource, ResolvedTag};
pub use tree::SourceTree;

/// `Result` with this crate's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;
