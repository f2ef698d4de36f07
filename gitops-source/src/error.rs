//! The crate error type.

use std::path::PathBuf;

/// A boxed foreign error (gix, I/O), kept small inside [`Error`].
pub type BoxError = Box<dyn std::error::Error + Send + Sync + 'static>;

/// Errors of gitops-source.
///
/// Every message names the repository URL (with any password removed), and where it applies the
/// revision, the file inside the tree and the document index. Credentials never appear in a
/// message or in `Debug` output.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The URL could not be parsed as a local path, `file://`, `https://`, `ssh://` or scp-like
    /// (`user@host:path`) Git URL.
    #[error("invalid repository url {url:?}")]
    InvalidUrl {
        /// The URL as given (password removed).
        url: String,
        /// Parser error.
        #[source]
        source: BoxError,
    },
    /// The cache directory could not be created, opened or written.
    #[error("repository {url}: cache directory {}", path.display())]
    Cache {
        /// Repository URL.
        url: String,
        /// The directory involved.
        path: PathBuf,
        /// Underlying error.
        #[source]
        source: BoxError,
    },
    /// Another fetch of the same repository held the per-repository lock for longer than
    /// [`GitSourceOptions::lock_timeout`](crate::GitSourceOptions::lock_timeout).
    #[error("repository {url}: could not acquire the cache lock {} in time", path.display())]
    Lock {
        /// Repository URL.
        url: String,
        /// The lock file.
        path: PathBuf,
        /// Underlying error.
        #[source]
        source: BoxError,
    },
    /// Cloning or fetching failed: the repository does not exist, cannot be reached, refused the
    /// credentials, or the transfer was interrupted. The previous state of the cache (if any) is
    /// kept and stays usable.
    #[error("repository {url}: fetch failed")]
    Fetch {
        /// Repository URL.
        url: String,
        /// Underlying error (gix).
        #[source]
        source: BoxError,
    },
    /// The repository has not been fetched into the cache yet; call
    /// [`GitSource::fetch`](crate::GitSource::fetch) first.
    #[error("repository {url}: not fetched yet (no cache at {})", path.display())]
    NotFetched {
        /// Repository URL.
        url: String,
        /// Where the cache would be.
        path: PathBuf,
    },
    /// A revision that names no branch, tag or commit. `tried` lists every candidate that was
    /// looked up, in order (e.g. `refs/heads/x`, `refs/tags/x`, `commit prefix x`).
    #[error("repository {url}: revision {revision:?} does not resolve (tried: {})", tried.join(", "))]
    RevisionNotFound {
        /// Repository URL.
        url: String,
        /// The revision as given.
        revision: String,
        /// What was tried, in order.
        tried: Vec<String>,
    },
    /// A short commit SHA that matches more than one object.
    #[error("repository {url}: short sha {revision:?} is ambiguous (candidates: {})", candidates.join(", "))]
    AmbiguousRevision {
        /// Repository URL.
        url: String,
        /// The short SHA as given.
        revision: String,
        /// Every object id with that prefix (full hex).
        candidates: Vec<String>,
    },
    /// A semver range that does not parse (Masterminds syntax as Flux uses it: `>=6.0.0 <7`,
    /// `~6.5`, `^1.2`, `*`, alternatives with `||`).
    #[error("repository {url}: invalid semver range {range:?}")]
    InvalidSemver {
        /// Repository URL.
        url: String,
        /// The range as given.
        range: String,
        /// Parser error.
        #[source]
        source: semver::Error,
    },
    /// No tag parses as a semantic version matching the range. `tags` lists the version tags seen.
    #[error("repository {url}: no tag matches semver range {range:?} (version tags: {})", tags.join(", "))]
    NoSemverMatch {
        /// Repository URL.
        url: String,
        /// The range as given.
        range: String,
        /// Tags that parsed as versions.
        tags: Vec<String>,
    },
    /// A requested path that is absolute, contains `..`, or is otherwise not a plain relative path
    /// inside the repository (the class of Argo CD's CVE-2022-24348).
    #[error("repository {url}: unsafe path {path:?}")]
    UnsafePath {
        /// Repository URL.
        url: String,
        /// The path as given.
        path: String,
    },
    /// The requested path is not in the tree at that revision.
    #[error("repository {url}: path {path:?} not found at revision {revision}")]
    PathNotFound {
        /// Repository URL.
        url: String,
        /// Commit SHA.
        revision: String,
        /// The path as given.
        path: String,
    },
    /// A symbolic link inside the read tree whose target is absolute or leaves the repository
    /// root. Argo CD rejects such repositories for the same reason (out-of-bounds symlinks).
    #[error(
        "repository {url}: symlink {file} at revision {revision} points outside the repository ({target:?})"
    )]
    UnsafeSymlink {
        /// Repository URL.
        url: String,
        /// Commit SHA.
        revision: String,
        /// Path of the link inside the repository.
        file: String,
        /// The link's target as stored.
        target: String,
    },
    /// One of the [`ReadLimits`](crate::ReadLimits) was exceeded.
    #[error("repository {url}: {file} at revision {revision}: {what} exceeds the limit of {limit}")]
    LimitExceeded {
        /// Repository URL.
        url: String,
        /// Commit SHA.
        revision: String,
        /// The file that crossed the limit.
        file: String,
        /// `file size in bytes`, `total bytes read` or `number of files`.
        what: &'static str,
        /// The limit.
        limit: u64,
    },
    /// A glob in the include or exclude list, or a `.sourceignore` pattern, is invalid.
    #[error("invalid glob {glob:?}")]
    InvalidGlob {
        /// The glob.
        glob: String,
        /// Parser error.
        #[source]
        source: BoxError,
    },
    /// A manifest file failed to load (malformed YAML/JSON, missing identity, duplicate
    /// resource). The source names the file and document index.
    #[error("repository {url}: revision {revision}: invalid manifests")]
    Manifest {
        /// Repository URL.
        url: String,
        /// Commit SHA.
        revision: String,
        /// The loader error, naming file and document.
        #[source]
        source: gitops_core::Error,
    },
    /// Reading objects (commits, trees, blobs, refs) from the object database failed.
    #[error("repository {url}: could not read {what}")]
    Read {
        /// Repository URL.
        url: String,
        /// What was being read.
        what: String,
        /// Underlying error (gix).
        #[source]
        source: BoxError,
    },
    /// A rendering tool (`kustomize`, `kubectl`, `helm`) is not on `PATH`.
    #[error("{binary} not found on PATH (needed to render {path})")]
    ToolMissing {
        /// The binary name(s) looked for.
        binary: String,
        /// The directory being rendered.
        path: String,
    },
    /// A rendering tool ran and failed; `stderr` is its error output (trimmed to 4 KiB).
    #[error("{tool} failed to render {path}: {stderr}")]
    Render {
        /// The command run (e.g. `kubectl kustomize`).
        tool: String,
        /// The directory being rendered.
        path: String,
        /// The tool's standard error.
        stderr: String,
    },
    /// Rendered output did not load as manifests; the source names the document.
    #[error("output of {tool} for {path} is not valid manifests")]
    RenderedManifest {
        /// The command run.
        tool: String,
        /// The directory being rendered.
        path: String,
        /// The loader error.
        #[source]
        source: gitops_core::Error,
    },
    /// I/O while writing the temporary tree for a renderer or running it.
    #[error("i/o while rendering {path}")]
    RenderIo {
        /// The directory being rendered.
        path: String,
        /// Underlying error.
        #[source]
        source: std::io::Error,
    },
}

impl Error {
    /// Fills in the repository URL of errors raised where it is not known (renderers).
    pub(crate) fn with_url(mut self, repository: &str) -> Self {
        match &mut self {
            Self::Manifest { url, .. } | Self::UnsafePath { url, .. } if url.is_empty() => {
                repository.clone_into(url);
            }
            _ => {}
        }
        self
    }

    pub(crate) fn read(url: &str, what: impl Into<String>, source: impl Into<BoxError>) -> Self {
        Self::Read {
            url: url.to_owned(),
            what: what.into(),
            source: source.into(),
        }
    }
}
