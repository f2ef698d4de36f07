//! [`GitSourceOptions`] (how to fetch) and [`ReadOptions`] / [`ReadLimits`] (what to read).

use std::{num::NonZeroU32, time::Duration};

use crate::Credentials;

/// How a [`GitSource`](crate::GitSource) fetches. Build with `Default` and the setters.
///
/// ```
/// use gitops_source::{Credentials, GitSourceOptions};
/// let opts = GitSourceOptions::default().credentials(Credentials::token("t")).shallow(1);
/// assert_eq!(opts.depth.map(|d| d.get()), Some(1));
/// ```
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct GitSourceOptions {
    /// Credentials for the remote. `Debug` redacts them.
    pub credentials: Credentials,
    /// Shallow fetch: only the newest `depth` commits of each branch and tag (Flux clones
    /// shallow by default). `None` (default) fetches full history, which `changed_paths` over old
    /// commits needs.
    pub depth: Option<NonZeroU32>,
    /// How long a fetch waits for another fetch of the same repository (same cache directory,
    /// this or another process) before failing with [`Error::Lock`](crate::Error::Lock).
    /// Default 10 minutes. The lock is the file `<cache>.git.lock`, removed when the fetch ends;
    /// a process killed mid-fetch leaves it behind, and it must then be deleted by hand (as with
    /// git's own `*.lock` files).
    pub lock_timeout: Duration,
    /// The ssh program for `ssh://` and scp-like URLs (git's `core.sshCommand`); `None` runs
    /// `ssh` from `PATH`, or whatever `GIT_SSH_COMMAND` / `core.sshCommand` name. It is treated
    /// as OpenSSH (`ssh.variant=ssh`): it must accept `-o`, `-p` and `-i`.
    pub ssh_command: Option<String>,
}

impl Default for GitSourceOptions {
    fn default() -> Self {
        Self {
            credentials: Credentials::None,
            depth: None,
            lock_timeout: Duration::from_secs(600),
            ssh_command: None,
        }
    }
}

impl GitSourceOptions {
    /// Sets [`GitSourceOptions::credentials`].
    #[must_use]
    pub fn credentials(mut self, credentials: Credentials) -> Self {
        self.credentials = credentials;
        self
    }

    /// Sets [`GitSourceOptions::depth`]; `0` means full history.
    #[must_use]
    pub fn shallow(mut self, depth: u32) -> Self {
        self.depth = NonZeroU32::new(depth);
        self
    }

    /// Sets [`GitSourceOptions::ssh_command`].
    #[must_use]
    pub fn ssh_command(mut self, command: impl Into<String>) -> Self {
        self.ssh_command = Some(command.into());
        self
    }

    /// Sets [`GitSourceOptions::lock_timeout`].
    #[must_use]
    pub fn lock_timeout(mut self, timeout: Duration) -> Self {
        self.lock_timeout = timeout;
        self
    }
}

/// Bounds on what one read of a tree may cost, so a hostile repository cannot exhaust memory.
/// Crossing one is [`Error::LimitExceeded`](crate::Error::LimitExceeded) naming the file.
/// Sizes are checked from object headers before a blob is read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct ReadLimits {
    /// Largest single file, in bytes. Default 8 MiB (a manifest above etcd's 1.5 MiB object limit
    /// cannot be applied anyway; this leaves room for multi-document files).
    pub max_file_bytes: u64,
    /// Total bytes of all files read, in bytes. Default 256 MiB.
    pub max_total_bytes: u64,
    /// Number of files read. Default 10 000.
    pub max_files: u64,
}

impl Default for ReadLimits {
    fn default() -> Self {
        Self {
            max_file_bytes: 8 << 20,
            max_total_bytes: 256 << 20,
            max_files: 10_000,
        }
    }
}

impl ReadLimits {
    /// Sets [`ReadLimits::max_file_bytes`].
    #[must_use]
    pub fn max_file_bytes(mut self, bytes: u64) -> Self {
        self.max_file_bytes = bytes;
        self
    }

    /// Sets [`ReadLimits::max_total_bytes`].
    #[must_use]
    pub fn max_total_bytes(mut self, bytes: u64) -> Self {
        self.max_total_bytes = bytes;
        self
    }

    /// Sets [`ReadLimits::max_files`].
    #[must_use]
    pub fn max_files(mut self, files: u64) -> Self {
        self.max_files = files;
        self
    }
}

/// What [`GitSource::read_tree`](crate::GitSource::read_tree) and
/// [`GitSource::load_with`](crate::GitSource::load_with) read below the requested path.
///
/// Filters apply in this order: `.sourceignore` files and the built-in ignores (Flux's
/// source-controller semantics, gitignore syntax), then `include` (a file must match at least one
/// glob when the list is non-empty), then `exclude` (Argo CD's `directory.include` /
/// `directory.exclude`). Globs use `globset` syntax (`*` does not cross `/`, `**` does) and match
/// the path relative to the requested directory.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ReadOptions {
    /// Globs a file must match (one of) to be read; empty means every file.
    pub include: Vec<String>,
    /// Globs of files to skip.
    pub exclude: Vec<String>,
    /// Honour `.sourceignore` files found in the tree (repository root and any directory on the
    /// way, patterns relative to the file's directory). Default true.
    pub sourceignore: bool,
    /// Skip Flux's default exclusions (`.git/`, `.github/`, `.gitlab-ci.yml`, `.sops.yaml`, ...;
    /// see [`DEFAULT_IGNORES`](crate::DEFAULT_IGNORES)). Default true.
    pub default_ignores: bool,
    /// Limits on the files read.
    pub limits: ReadLimits,
}

impl Default for ReadOptions {
    fn default() -> Self {
        Self {
            include: Vec::new(),
            exclude: Vec::new(),
            sourceignore: true,
            default_ignores: true,
            limits: ReadLimits::default(),
        }
    }
}

impl ReadOptions {
    /// Adds a glob to [`ReadOptions::include`].
    #[must_use]
    pub fn include(mut self, glob: impl Into<String>) -> Self {
        self.include.push(glob.into());
        self
    }

    /// Adds a glob to [`ReadOptions::exclude`].
    #[must_use]
    pub fn exclude(mut self, glob: impl Into<String>) -> Self {
        self.exclude.push(glob.into());
        self
    }

    /// Sets [`ReadOptions::sourceignore`].
    #[must_use]
    pub fn sourceignore(mut self, enabled: bool) -> Self {
        self.sourceignore = enabled;
        self
    }

    /// Sets [`ReadOptions::default_ignores`].
    #[must_use]
    pub fn default_ignores(mut self, enabled: bool) -> Self {
        self.default_ignores = enabled;
        self
    }

    /// Sets [`ReadOptions::limits`].
    #[must_use]
    pub fn limits(mut self, limits: ReadLimits) -> Self {
        self.limits = limits;
        self
    }
}
