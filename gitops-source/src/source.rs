//! [`GitSource`]: one remote repository, mirrored into a bare cache with gix.

use std::{
    collections::HashSet,
    path::{Path, PathBuf},
    sync::atomic::AtomicBool,
};

use gitops_core::ManifestSet;
use gix::ObjectId;

use crate::{
    Error, GitSourceOptions, ReadOptions, SourceSnapshot, SourceTree,
    error::BoxError,
    semver_range::{Range, tag_version},
    tree::{Select, Walk, normalize_request},
    url::RepoUrl,
};

/// The refspecs a cache fetches: every branch and tag, mirrored under the same names (a bare
/// clone by gix or git has no fetch refspec of its own, so later fetches would update nothing).
const REFSPECS: [&str; 2] = ["+refs/heads/*:refs/heads/*", "+refs/tags/*:refs/tags/*"];

/// A Git repository used as a source of desired state: fetched into a bare cache, read from the
/// object database (never checked out).
///
/// The API is blocking, like gix. From async code, run each call in
/// `tokio::task::spawn_blocking` (or your runtime's equivalent); a `GitSource` is `Send + Sync`
/// and cheap to clone, so move a clone into the closure.
///
/// Concurrency: [`GitSource::fetch`] takes a per-repository lock file (`<cache>.git.lock`), so
/// fetches of one repository from many threads or processes run one at a time. Reads
/// (`resolve`, `load`, ...) take no lock: gix writes packs before refs, and refs atomically, so a
/// read sees either the old or the new state. A failed or interrupted fetch leaves the previous
/// state in place, and a first clone is written to a temporary directory and renamed into place.
#[derive(Debug, Clone)]
pub struct GitSource {
    url: RepoUrl,
    dir: PathBuf,
    options: GitSourceOptions,
}

/// A revision resolved from a semver range: the highest tag matching it.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ResolvedTag {
    /// The tag name (e.g. `6.5.0`).
    pub tag: String,
    /// The tag's version.
    pub version: semver::Version,
    /// The commit SHA the tag points to (annotated tags peeled), hex.
    pub commit: String,
}

impl GitSource {
    /// A source for `url` with default [`GitSourceOptions`]. See [`GitSource::with_options`].
    pub fn new(url: &str, cache_root: &Path) -> Result<Self, Error> {
        Self::with_options(url, cache_root, GitSourceOptions::default())
    }

    /// A source for `url`, cached under `cache_root`.
    ///
    /// `url` is a local path (relative paths are made absolute), `file://`, `https://`
    /// (pure-Rust TLS), `ssh://` or scp-like `user@host:path` (run through the system `ssh`, as
    /// git and gix do). The cache is the bare repository `cache_root/<slug>-<hash>.git`, keyed by
    /// the normalized URL (scheme and host lower-cased; user, password, trailing `/` and `.git`
    /// dropped), so two spellings of one repository share it. Nothing is fetched yet.
    ///
    /// # Errors
    /// [`Error::InvalidUrl`].
    pub fn with_options(url: &str, cache_root: &Path, options: GitSourceOptions) -> Result<Self, Error> {
        let url = RepoUrl::parse(url)?;
        let dir = url.cache_dir(cache_root);
        Ok(Self { url, dir, options })
    }

    /// The repository URL as shown in messages (password removed).
    pub fn url(&self) -> &str {
        &self.url.display
    }

    /// The bare cache directory.
    pub fn cache_dir(&self) -> &Path {
        &self.dir
    }

    /// The options in use.
    pub fn options(&self) -> &GitSourceOptions {
        &self.options
    }

    /// Clones (bare) into the cache, or fetches into it when it exists: every branch and tag,
    /// force-updated, branches and tags deleted on the remote pruned, and `HEAD` set to the
    /// remote's default branch. With
    /// [`GitSourceOptions::depth`] the fetch is shallow.
    ///
    /// Timeouts: https connections time out after 20 s (gix's reqwest transport); ssh and local
    /// transports rely on the ssh program and the operating system. Callers that need a
    /// deadline on the whole fetch run it on a worker thread and stop waiting (the lock and the
    /// previous state stay consistent).
    ///
    /// # Errors
    /// [`Error::Fetch`] (repository missing or unreachable, authentication refused, transfer
    /// failed; the previous cache state is kept), [`Error::Lock`], [`Error::Cache`].
    pub fn fetch(&self) -> Result<(), Error> {
        let root = self.dir.parent().unwrap_or(Path::new("."));
        std::fs::create_dir_all(root).map_err(|e| self.cache_err(root, e))?;
        let _lock = gix::lock::Marker::acquire_to_hold_resource(
            &self.dir,
            gix::lock::acquire::Fail::AfterDurationWithBackoff(self.options.lock_timeout),
            None,
            0,
        )
        .map_err(|e| Error::Lock {
            url: self.url.display.clone(),
            path: self.dir.with_extension("git.lock"),
            source: Box::new(e),
        })?;
        if self.dir.join("HEAD").is_file() {
            let repo = gix::open(&self.dir).map_err(|e| self.cache_err(&self.dir, e))?;
            return self.fetch_into(repo);
        }
        // First clone: build it aside, then rename, so a failure leaves no half-written cache.
        let staging = tempfile::Builder::new()
            .prefix(".clone-")
            .tempdir_in(root)
            .map_err(|e| self.cache_err(root, e))?;
        let path = staging.path().join("repo.git");
        let repo = gix::init_bare(&path).map_err(|e| self.cache_err(&path, e))?;
        self.fetch_into(repo)?;
        self.save_remote(&path)?;
        std::fs::rename(&path, &self.dir).map_err(|e| self.cache_err(&self.dir, e))?;
        Ok(())
    }

    /// Writes `remote.origin` (URL without password, the mirror refspecs, `tagOpt = --no-tags`)
    /// into the cache's config, so `git fetch` inside the cache does what `fetch` does.
    fn save_remote(&self, git_dir: &Path) -> Result<(), Error> {
        use gix::remote::{Direction, fetch::Tags};
        let repo = gix::open(git_dir).map_err(|e| self.cache_err(git_dir, e))?;
        let mut remote = repo
            .remote_at(self.url.url.clone())
            .and_then(|r| r.with_refspecs(REFSPECS, Direction::Fetch))
            .map_err(|e| self.cache_err(git_dir, e))?
            .with_fetch_tags(Tags::None);
        let config_path = git_dir.join("config");
        let mut file =
            gix::config::File::from_path_no_includes(config_path.clone(), gix::config::Source::Local)
                .map_err(|e| self.cache_err(&config_path, e))?;
        remote
            .save_as_to("origin", &mut file)
            .map_err(|e| self.cache_err(&config_path, e))?;
        std::fs::write(&config_path, file.to_bstring()).map_err(|e| self.cache_err(&config_path, e))
    }

    fn cache_err(&self, path: &Path, e: impl Into<BoxError>) -> Error {
        Error::Cache {
            url: self.url.display.clone(),
            path: path.to_owned(),
            source: e.into(),
        }
    }

    fn fetch_err(&self, e: impl Into<BoxError>) -> Error {
        Error::Fetch {
            url: self.url.display.clone(),
            source: e.into(),
        }
    }

    fn fetch_into(&self, mut repo: gix::Repository) -> Result<(), Error> {
        use gix::remote::{Direction, fetch::Tags};

        if let Some(command) = self
            .options
            .credentials
            .ssh_command(self.options.ssh_command.as_deref())
        {
            let mut config = repo.config_snapshot_mut();
            config
                .set_value(&gix::config::tree::Core::SSH_COMMAND, command.as_str())
                .map_err(|e| self.fetch_err(e))?;
            config
                .set_value(&gix::config::tree::Ssh::VARIANT, "ssh")
                .map_err(|e| self.fetch_err(e))?;
            config.commit().map_err(|e| self.fetch_err(e))?;
        }
        let remote = repo
            .remote_at(self.url.url.clone())
            .map_err(|e| self.fetch_err(e))?
            .with_fetch_tags(Tags::None)
            .with_refspecs(REFSPECS, Direction::Fetch)
            .map_err(|e| self.fetch_err(e))?;
        let connection = remote.connect(Direction::Fetch).map_err(|e| self.fetch_err(e))?;
        let account = self.options.credentials.http_account().or_else(|| {
            let password = self.url.password.as_ref()?;
            Some(gix::sec::identity::Account {
                username: self.url.url.user().unwrap_or_default().to_owned(),
                password: password.expose().to_owned(),
                oauth_refresh_token: None,
            })
        });
        // Never prompt on a terminal: answer with the configured account, or with nothing.
        let connection = connection.with_credentials(move |action| match action {
            gix::credentials::helper::Action::Get(context) => {
                Ok(account
                    .clone()
                    .map(|identity| gix::credentials::protocol::Outcome {
                        identity,
                        next: context.into(),
                    }))
            }
            _ => Ok(None),
        });
        let head_spec = gix::refspec::parse("HEAD".into(), gix::refspec::parse::Operation::Fetch)
            .map_err(|e| self.fetch_err(e))?
            .to_owned();
        let options = gix::remote::ref_map::Options {
            extra_refspecs: vec![head_spec],
            ..Default::default()
        };
        let mut prepare = connection
            .prepare_fetch(gix::progress::Discard, options)
            .map_err(|e| self.fetch_err(e))?;
        if let Some(depth) = self.options.depth {
            prepare = prepare.with_shallow(gix::remote::fetch::Shallow::DepthAtRemote(depth));
        }
        let outcome = prepare
            .receive(gix::progress::Discard, &AtomicBool::new(false))
            .map_err(|e| self.fetch_err(e))?;
        for remote_ref in &outcome.ref_map.remote_refs {
            if let gix::protocol::handshake::Ref::Symbolic {
                full_ref_name,
                target,
                ..
            } = remote_ref
                && full_ref_name == "HEAD"
                && target.starts_with(b"refs/heads/")
            {
                self.set_head(&repo, &target.to_string())?;
            }
        }
        self.prune(&repo, &outcome.ref_map.remote_refs)
    }

    /// Deletes local branches and tags the remote no longer advertises (`git fetch --prune
    /// --prune-tags`), so a deleted branch stops resolving.
    fn prune(
        &self,
        repo: &gix::Repository,
        advertised: &[gix::protocol::handshake::Ref],
    ) -> Result<(), Error> {
        use gix::refs::transaction::{Change, PreviousValue, RefEdit, RefLog};
        let advertised: HashSet<String> = advertised.iter().map(|r| r.unpack().0.to_string()).collect();
        let mut edits = Vec::new();
        for prefix in ["refs/heads/", "refs/tags/"] {
            for name in self.refs_in(repo, prefix)? {
                let full = format!("{prefix}{name}");
                if !advertised.contains(&full) {
                    edits.push(RefEdit {
                        change: Change::Delete {
                            expected: PreviousValue::Any,
                            log: RefLog::AndReference,
                        },
                        name: full
                            .as_str()
                            .try_into()
                            .map_err(|e| self.fetch_err(Box::new(e)))?,
                        deref: false,
                    });
                }
            }
        }
        if !edits.is_empty() {
            tracing::debug!(url = %self.url.display, pruned = edits.len(), "pruning refs gone from the remote");
            repo.edit_references(edits).map_err(|e| self.fetch_err(e))?;
        }
        Ok(())
    }

    fn set_head(&self, repo: &gix::Repository, target: &str) -> Result<(), Error> {
        use gix::refs::{
            Target,
            transaction::{Change, LogChange, PreviousValue, RefEdit},
        };
        let target: gix::refs::FullName = target.try_into().map_err(|e| self.fetch_err(Box::new(e)))?;
        repo.edit_reference(RefEdit {
            change: Change::Update {
                log: LogChange::default(),
                expected: PreviousValue::Any,
                new: Target::Symbolic(target),
            },
            name: "HEAD".try_into().map_err(|e| self.fetch_err(Box::new(e)))?,
            deref: false,
        })
        .map_err(|e| self.fetch_err(e))?;
        Ok(())
    }

    /// Opens the cache read-only-ish (gix never writes on open).
    pub(crate) fn open(&self) -> Result<gix::Repository, Error> {
        if !self.dir.join("HEAD").is_file() {
            return Err(Error::NotFetched {
                url: self.url.display.clone(),
                path: self.dir.clone(),
            });
        }
        gix::open(&self.dir).map_err(|e| self.cache_err(&self.dir, e))
    }

    /// Resolves `revision` to a full commit SHA (hex), in this order:
    ///
    /// 1. `HEAD` (or empty): the remote's default branch as of the last fetch;
    /// 2. a full ref name (`refs/...`), else `refs/heads/<revision>` then `refs/tags/<revision>`
    ///    (annotated tags are peeled to their commit);
    /// 3. a full SHA, or a short one of at least 4 hex digits (unique among commits).
    ///
    /// Semver ranges are resolved by [`GitSource::resolve_semver`].
    ///
    /// # Errors
    /// [`Error::RevisionNotFound`] listing every name tried, [`Error::AmbiguousRevision`]
    /// listing the candidates, [`Error::NotFetched`], [`Error::Read`].
    pub fn resolve(&self, revision: &str) -> Result<String, Error> {
        let repo = self.open()?;
        self.resolve_in(&repo, revision).map(|id| id.to_string())
    }

    pub(crate) fn resolve_in(&self, repo: &gix::Repository, revision: &str) -> Result<ObjectId, Error> {
        let rev = revision.trim();
        let url = self.url.display.as_str();
        let mut tried = Vec::new();
        if rev.is_empty() || rev == "HEAD" {
            tried.push("HEAD".to_owned());
            if let Ok(commit) = repo.head_commit() {
                return Ok(commit.id);
            }
            return Err(Error::RevisionNotFound {
                url: url.to_owned(),
                revision: rev.to_owned(),
                tried,
            });
        }
        let names = if rev.starts_with("refs/") {
            vec![rev.to_owned()]
        } else {
            vec![format!("refs/heads/{rev}"), format!("refs/tags/{rev}")]
        };
        for name in names {
            let found = repo.try_find_reference(name.as_str()).ok().flatten();
            tried.push(name.clone());
            if let Some(mut reference) = found {
                let commit = reference
                    .peel_to_commit()
                    .map_err(|e| Error::read(url, format!("reference {name}"), e))?;
                return Ok(commit.id);
            }
        }
        if (4..=40).contains(&rev.len()) && rev.bytes().all(|b| b.is_ascii_hexdigit()) {
            tried.push(format!("commit {rev}"));
            if let Some(id) = self.lookup_commit_prefix(repo, rev)? {
                return Ok(id);
            }
        }
        Err(Error::RevisionNotFound {
            url: url.to_owned(),
            revision: rev.to_owned(),
            tried,
        })
    }

    fn lookup_commit_prefix(&self, repo: &gix::Repository, hex: &str) -> Result<Option<ObjectId>, Error> {
        let url = self.url.display.as_str();
        let hex = hex.to_ascii_lowercase();
        let prefix =
            gix::hash::Prefix::from_hex(&hex).map_err(|e| Error::read(url, format!("sha {hex}"), e))?;
        let mut candidates = HashSet::new();
        repo.objects
            .lookup_prefix(prefix, Some(&mut candidates))
            .map_err(|e| Error::read(url, format!("objects with prefix {hex}"), e))?;
        // Like git's `^{commit}` disambiguation: only commits (and tags of commits) count.
        let mut commits: Vec<(ObjectId, ObjectId)> = candidates
            .iter()
            .filter_map(|id| {
                let object = repo.find_object(*id).ok()?;
                object.peel_to_commit().ok().map(|c| (*id, c.id))
            })
            .collect();
        commits.sort();
        match commits.as_slice() {
            [] => Ok(None),
            [(_, commit)] => Ok(Some(*commit)),
            many => {
                let mut all: Vec<String> = many.iter().map(|(id, _)| id.to_string()).collect();
                all.sort();
                Err(Error::AmbiguousRevision {
                    url: url.to_owned(),
                    revision: hex,
                    candidates: all,
                })
            }
        }
    }

    /// The highest tag whose name (with or without a `v` prefix) is a semantic version matching
    /// `range`, as Flux's `spec.ref.semver`. Ranges use the Masterminds syntax: `>=6.0.0 <7`,
    /// `~6.5`, `^6`, `6.x`, `*`, alternatives joined by `||`. Pre-releases match only ranges
    /// that name a pre-release.
    ///
    /// # Errors
    /// [`Error::InvalidSemver`], [`Error::NoSemverMatch`] (listing the version tags seen),
    /// [`Error::NotFetched`], [`Error::Read`].
    pub fn resolve_semver(&self, range: &str) -> Result<ResolvedTag, Error> {
        let url = self.url.display.as_str();
        let parsed = Range::parse(range).map_err(|source| Error::InvalidSemver {
            url: url.to_owned(),
            range: range.to_owned(),
            source,
        })?;
        let repo = self.open()?;
        let mut seen = Vec::new();
        let mut best: Option<(semver::Version, String)> = None;
        for tag in self.tags_in(&repo)? {
            let Some(version) = tag_version(&tag) else {
                continue;
            };
            seen.push(tag.clone());
            if parsed.matches(&version) && best.as_ref().is_none_or(|(b, _)| version > *b) {
                best = Some((version, tag));
            }
        }
        let Some((version, tag)) = best else {
            return Err(Error::NoSemverMatch {
                url: url.to_owned(),
                range: range.to_owned(),
                tags: seen,
            });
        };
        let commit = self.resolve_in(&repo, &format!("refs/tags/{tag}"))?.to_string();
        Ok(ResolvedTag { tag, version, commit })
    }

    /// Every tag name (without `refs/tags/`), sorted.
    pub fn tags(&self) -> Result<Vec<String>, Error> {
        let repo = self.open()?;
        self.tags_in(&repo)
    }

    /// Every branch name (without `refs/heads/`), sorted.
    pub fn branches(&self) -> Result<Vec<String>, Error> {
        let repo = self.open()?;
        self.refs_in(&repo, "refs/heads/")
    }

    fn tags_in(&self, repo: &gix::Repository) -> Result<Vec<String>, Error> {
        self.refs_in(repo, "refs/tags/")
    }

    fn refs_in(&self, repo: &gix::Repository, prefix: &str) -> Result<Vec<String>, Error> {
        let url = self.url.display.as_str();
        let platform = repo.references().map_err(|e| Error::read(url, "references", e))?;
        let iter = platform
            .prefixed(prefix)
            .map_err(|e| Error::read(url, "references", e))?;
        let mut names = Vec::new();
        for reference in iter {
            let reference = reference.map_err(|e| Error::read(url, "references", e))?;
            let name = reference.name().as_bstr().to_string();
            names.push(name.strip_prefix(prefix).unwrap_or(&name).to_owned());
        }
        names.sort();
        Ok(names)
    }

    /// Reads every `*.yaml`, `*.yml` and `*.json` under `path` at `commit` (recursively, straight
    /// from the object database) with the default [`ReadOptions`], and loads them with
    /// [`gitops_core::load_bytes`]. See [`GitSource::load_with`].
    pub fn load(&self, commit: &str, path: &str) -> Result<SourceSnapshot, Error> {
        self.load_with(commit, path, &ReadOptions::default())
    }

    /// Like [`GitSource::load`], with include/exclude globs, `.sourceignore` handling and limits
    /// from `options`.
    ///
    /// `commit` is anything [`GitSource::resolve`] accepts; the snapshot's `revision` is the full
    /// SHA. Manifests carry an [`Origin`](gitops_core::Origin) whose file is the
    /// repository-relative path (e.g. `guestbook/guestbook-ui-svc.yaml`).
    ///
    /// # Errors
    /// [`Error::UnsafePath`], [`Error::PathNotFound`], [`Error::UnsafeSymlink`],
    /// [`Error::LimitExceeded`], [`Error::InvalidGlob`], [`Error::Manifest`] (naming the file and
    /// document index in its source), plus those of [`GitSource::resolve`].
    pub fn load_with(
        &self,
        commit: &str,
        path: &str,
        options: &ReadOptions,
    ) -> Result<SourceSnapshot, Error> {
        let tree = self.read(commit, path, options, Select::Manifests)?;
        crate::render::PlainRenderer::render_snapshot(self.url(), &tree)
    }

    /// Reads every file under `path` at `commit` (all file types; the input of a
    /// [`Renderer`](crate::Renderer)), applying `options`.
    ///
    /// # Errors
    /// As [`GitSource::load_with`], except [`Error::Manifest`].
    pub fn read_tree(&self, commit: &str, path: &str, options: &ReadOptions) -> Result<SourceTree, Error> {
        self.read(commit, path, options, Select::All)
    }

    fn read(
        &self,
        commit: &str,
        path: &str,
        options: &ReadOptions,
        select: Select,
    ) -> Result<SourceTree, Error> {
        let path = normalize_request(&self.url.display, path)?;
        let repo = self.open()?;
        let id = self.resolve_in(&repo, commit)?;
        Walk::new(&repo, &self.url.display, id, options, select)?.read(&path)
    }

    /// Renders `path` at `commit` with `renderer`: reads the whole repository tree at that
    /// commit (bases and components may live outside `path`), hands it to the renderer and
    /// returns the manifests it produced. The snapshot's `files` and `digest` cover the whole
    /// tree read.
    ///
    /// # Errors
    /// Those of [`GitSource::read_tree`] and of the renderer.
    pub fn render(
        &self,
        commit: &str,
        path: &str,
        renderer: &dyn crate::Renderer,
        options: &ReadOptions,
    ) -> Result<SourceSnapshot, Error> {
        let path = normalize_request(&self.url.display, path)?;
        let mut tree = self.read(commit, "", options, Select::All)?;
        if !tree.files.keys().any(|f| crate::tree::is_under(f, &path)) {
            return Err(Error::PathNotFound {
                url: self.url.display.clone(),
                revision: tree.revision,
                path,
            });
        }
        tree.path = path;
        let manifests: ManifestSet = renderer
            .render(&tree)
            .map_err(|e| e.with_url(&self.url.display))?;
        Ok(SourceSnapshot {
            digest: tree.digest(),
            files: tree.files.keys().cloned().collect(),
            revision: tree.revision,
            manifests,
        })
    }

    /// Repository-relative paths of files added, deleted or modified between the trees of
    /// commits `from` and `to` (gix tree diff, no rename tracking: a rename lists both paths),
    /// sorted and unique.
    ///
    /// # Errors
    /// Those of [`GitSource::resolve`], and [`Error::Read`].
    pub fn changed_paths(&self, from: &str, to: &str) -> Result<Vec<String>, Error> {
        let repo = self.open()?;
        let url = self.url.display.as_str();
        let tree_of = |rev: &str| -> Result<gix::Tree<'_>, Error> {
            let id = self.resolve_in(&repo, rev)?;
            repo.find_commit(id)
                .and_then(|c| c.tree())
                .map_err(|e| Error::read(url, format!("tree of {id}"), e))
        };
        let (old, new) = (tree_of(from)?, tree_of(to)?);
        let changes = repo
            .diff_tree_to_tree(
                Some(&old),
                Some(&new),
                gix::diff::Options::default().with_rewrites(None),
            )
            .map_err(|e| Error::read(url, format!("diff {from}..{to}"), e))?;
        let mut paths: Vec<String> = changes
            .iter()
            .filter(|c| !c.entry_mode().is_tree())
            .map(|c| c.location().to_string())
            .collect();
        paths.sort();
        paths.dedup();
        Ok(paths)
    }

    /// True when the changes from `from` to `to` touch any of `paths` (a file itself, or anything
    /// below a directory), as Argo CD's `argocd.argoproj.io/manifest-generate-paths` decides
    /// whether a commit needs a new manifest generation. Every path is repository-relative; a
    /// leading `/` (Argo CD's absolute form) is accepted, and `.` or `""` means the whole
    /// repository. Resolve Argo CD's relative entries (e.g. `.` or `../common`) against the
    /// application's path before calling.
    ///
    /// # Errors
    /// Those of [`GitSource::changed_paths`], [`Error::UnsafePath`].
    pub fn touches(&self, from: &str, to: &str, paths: &[&str]) -> Result<bool, Error> {
        let mut dirs = Vec::new();
        for p in paths {
            dirs.push(normalize_request(&self.url.display, p.trim_start_matches('/'))?);
        }
        let changed = self.changed_paths(from, to)?;
        Ok(changed
            .iter()
            .any(|c| dirs.iter().any(|d| crate::tree::is_under(c, d))))
    }
}
