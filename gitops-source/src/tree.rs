//! Reading a tree at a commit straight from the object database, safely.

use std::collections::BTreeMap;

use gix::{ObjectId, bstr::ByteSlice as _};

use crate::{Error, ReadOptions, filter::Filter};

/// The files read from a tree: repository-relative path (`/`-separated) to content, plus where
/// they were read from. Produced by [`GitSource::read_tree`](crate::GitSource::read_tree) and
/// handed to a [`Renderer`](crate::Renderer).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SourceTree {
    /// Commit SHA (hex) the files were read at.
    pub revision: String,
    /// The requested directory, normalized (no leading or trailing `/`, `""` for the root).
    pub path: String,
    /// Repository-relative path to file content, sorted by path. Symlinks to files inside the
    /// repository appear under the link's path with the target's content.
    pub files: BTreeMap<String, Vec<u8>>,
}

impl SourceTree {
    /// An in-memory tree, e.g. for testing a [`Renderer`](crate::Renderer) without Git.
    pub fn from_files(
        revision: impl Into<String>,
        path: impl Into<String>,
        files: impl IntoIterator<Item = (String, Vec<u8>)>,
    ) -> Self {
        Self {
            revision: revision.into(),
            path: path.into(),
            files: files.into_iter().collect(),
        }
    }

    /// The [`content digest`](crate::digest) of these files.
    pub fn digest(&self) -> String {
        crate::digest::digest(self.files.iter().map(|(p, c)| (p.as_str(), c.as_slice())))
    }

    /// Paths of the files directly or indirectly under `dir` (repository-relative).
    pub fn files_under<'a>(&'a self, dir: &'a str) -> impl Iterator<Item = (&'a String, &'a Vec<u8>)> {
        self.files.iter().filter(move |(p, _)| is_under(p, dir))
    }
}

/// True when `path` is `dir` itself or inside it (`dir` is `""` for the root).
pub(crate) fn is_under(path: &str, dir: &str) -> bool {
    dir.is_empty() || path == dir || path.strip_prefix(dir).is_some_and(|r| r.starts_with('/'))
}

/// Splits a requested path into components, rejecting absolute paths, `..`, NUL and
/// backslashes; `.` and empty components are dropped.
pub(crate) fn normalize_request(url: &str, path: &str) -> Result<String, Error> {
    let unsafe_path = || Error::UnsafePath {
        url: url.to_owned(),
        path: path.to_owned(),
    };
    if path.starts_with('/') || path.contains('\0') || path.contains('\\') {
        return Err(unsafe_path());
    }
    let mut parts = Vec::new();
    for part in path.split('/') {
        match part {
            "" | "." => {}
            ".." => return Err(unsafe_path()),
            p => parts.push(p),
        }
    }
    Ok(parts.join("/"))
}

/// Lexically resolves a symlink `target` stored at `link` (repository-relative). `None` when the
/// target is absolute or climbs above the repository root.
pub(crate) fn resolve_link(link: &str, target: &str) -> Option<String> {
    if target.starts_with('/') || target.contains('\\') || target.contains('\0') {
        return None;
    }
    let mut parts: Vec<&str> = link.split('/').collect();
    parts.pop();
    for part in target.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            p => parts.push(p),
        }
    }
    Some(parts.join("/"))
}

/// Which files a walk reads.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Select {
    /// `*.yaml`, `*.yml`, `*.json` only.
    Manifests,
    /// Every file.
    All,
}

/// True for the extensions loaded as manifests.
pub(crate) fn is_manifest_file(path: &str) -> bool {
    std::path::Path::new(path).extension().is_some_and(|ext| {
        ext.eq_ignore_ascii_case("yaml")
            || ext.eq_ignore_ascii_case("yml")
            || ext.eq_ignore_ascii_case("json")
    })
}

/// One walk over a tree.
pub(crate) struct Walk<'r> {
    pub(crate) repo: &'r gix::Repository,
    pub(crate) url: &'r str,
    pub(crate) revision: String,
    pub(crate) root: ObjectId,
    pub(crate) options: &'r ReadOptions,
    pub(crate) select: Select,
    total: u64,
    count: u64,
}

/// Longest symlink target read, in bytes (Linux's PATH_MAX).
const MAX_LINK_BYTES: u64 = 4096;
/// Links followed in a chain before giving up.
const MAX_LINK_HOPS: usize = 8;

impl<'r> Walk<'r> {
    pub(crate) fn new(
        repo: &'r gix::Repository,
        url: &'r str,
        commit: ObjectId,
        options: &'r ReadOptions,
        select: Select,
    ) -> Result<Self, Error> {
        let revision = commit.to_string();
        let root = repo
            .find_commit(commit)
            .and_then(|c| c.tree_id().map(gix::Id::detach))
            .map_err(|e| Error::read(url, format!("commit {revision}"), e))?;
        Ok(Self {
            repo,
            url,
            revision,
            root,
            options,
            select,
            total: 0,
            count: 0,
        })
    }

    /// Reads everything under `path` (normalized, repository-relative).
    pub(crate) fn read(mut self, path: &str) -> Result<SourceTree, Error> {
        let mut filter = Filter::new(self.options, path)?;
        let mut files = BTreeMap::new();
        // `.sourceignore` files of the ancestors apply below them.
        if self.options.sourceignore {
            let mut dir = String::new();
            for part in path.split('/').filter(|p| !p.is_empty()) {
                self.add_sourceignore(&mut filter, &dir)?;
                dir = join(&dir, part);
            }
        }
        let entry = self.lookup(path)?;
        match entry {
            None => {
                return Err(Error::PathNotFound {
                    url: self.url.to_owned(),
                    revision: self.revision.clone(),
                    path: path.to_owned(),
                });
            }
            Some((mode, id)) if mode.is_tree() => self.walk_tree(id, path, &mut filter, &mut files)?,
            Some((mode, id)) => self.visit_file(path, mode, id, &filter, &mut files)?,
        }
        Ok(SourceTree {
            revision: self.revision,
            path: path.to_owned(),
            files,
        })
    }

    fn lookup(&self, path: &str) -> Result<Option<(gix::objs::tree::EntryMode, ObjectId)>, Error> {
        if path.is_empty() {
            return Ok(Some((gix::objs::tree::EntryKind::Tree.into(), self.root)));
        }
        let tree = self
            .repo
            .find_tree(self.root)
            .map_err(|e| self.err("root tree", e))?;
        let entry = tree
            .lookup_entry_by_path(path)
            .map_err(|e| self.err(format!("tree entry {path}"), e))?;
        Ok(entry.map(|e| (e.mode(), e.object_id())))
    }

    fn err(&self, what: impl Into<String>, e: impl Into<crate::error::BoxError>) -> Error {
        Error::read(
            self.url,
            format!("{} at revision {}", what.into(), self.revision),
            e,
        )
    }

    fn add_sourceignore(&self, filter: &mut Filter, dir: &str) -> Result<(), Error> {
        let path = join(dir, ".sourceignore");
        if let Some((mode, id)) = self.lookup(&path)?
            && mode.is_blob()
        {
            let data = self.blob(&path, id, MAX_LINK_BYTES * 16)?;
            filter.add_sourceignore(dir, &data);
        }
        Ok(())
    }

    fn walk_tree(
        &mut self,
        id: ObjectId,
        dir: &str,
        filter: &mut Filter,
        files: &mut BTreeMap<String, Vec<u8>>,
    ) -> Result<(), Error> {
        let mut stack = vec![(id, dir.to_owned())];
        while let Some((tree_id, dir)) = stack.pop() {
            let tree = self
                .repo
                .find_tree(tree_id)
                .map_err(|e| self.err(format!("tree {dir}"), e))?;
            let mut entries = Vec::new();
            for entry in tree.iter() {
                let entry = entry.map_err(|e| self.err(format!("tree {dir}"), e))?;
                entries.push((
                    entry.filename().to_str_lossy().into_owned(),
                    entry.mode(),
                    entry.object_id(),
                ));
            }
            if self.options.sourceignore
                && let Some((_, mode, id)) = entries.iter().find(|(n, _, _)| n == ".sourceignore")
                && mode.is_blob()
            {
                let data = self.blob(&join(&dir, ".sourceignore"), *id, MAX_LINK_BYTES * 16)?;
                filter.add_sourceignore(&dir, &data);
            }
            for (name, mode, id) in entries {
                // Git itself never writes these names, but a crafted tree object can hold them.
                if matches!(name.as_str(), "" | "." | ".." | ".git") || name.contains(['/', '\\', '\0']) {
                    return Err(Error::UnsafePath {
                        url: self.url.to_owned(),
                        path: join(&dir, &name),
                    });
                }
                let path = join(&dir, &name);
                if mode.is_tree() {
                    if !filter.ignored(&path, true) {
                        stack.push((id, path));
                    }
                } else {
                    self.visit_file(&path, mode, id, filter, files)?;
                }
            }
        }
        Ok(())
    }

    fn visit_file(
        &mut self,
        path: &str,
        mode: gix::objs::tree::EntryMode,
        id: ObjectId,
        filter: &Filter,
        files: &mut BTreeMap<String, Vec<u8>>,
    ) -> Result<(), Error> {
        if mode.is_commit() {
            return Ok(()); // submodule: not part of this repository's content
        }
        // Out-of-bounds links are rejected wherever they are, as Argo CD does, before filters.
        let id = if mode.is_link() {
            match self.follow_link(path, id)? {
                Some(id) => id,
                None => return Ok(()), // a link to a directory or to nothing: not read
            }
        } else {
            id
        };
        if self.select == Select::Manifests && !is_manifest_file(path) {
            return Ok(());
        }
        if !filter.selected(path) {
            return Ok(());
        }
        let limits = self.options.limits;
        self.count += 1;
        if self.count > limits.max_files {
            return Err(self.limit(path, "number of files", limits.max_files));
        }
        let data = self.blob(path, id, limits.max_file_bytes)?;
        self.total += data.len() as u64;
        if self.total > limits.max_total_bytes {
            return Err(self.limit(path, "total bytes read", limits.max_total_bytes));
        }
        files.insert(path.to_owned(), data);
        Ok(())
    }

    /// Follows a symlink chain; errors when it leaves the repository, `None` when it ends at a
    /// directory, a missing path or too many hops.
    fn follow_link(&self, link: &str, id: ObjectId) -> Result<Option<ObjectId>, Error> {
        let (mut at, mut id) = (link.to_owned(), id);
        for _ in 0..MAX_LINK_HOPS {
            let target = self.blob(&at, id, MAX_LINK_BYTES)?;
            let target = String::from_utf8_lossy(&target).into_owned();
            let Some(resolved) = resolve_link(&at, &target) else {
                return Err(Error::UnsafeSymlink {
                    url: self.url.to_owned(),
                    revision: self.revision.clone(),
                    file: at,
                    target,
                });
            };
            match self.lookup(&resolved)? {
                Some((mode, next)) if mode.is_link() => (at, id) = (resolved, next),
                Some((mode, next)) if mode.is_blob() => return Ok(Some(next)),
                _ => return Ok(None),
            }
        }
        Ok(None)
    }

    fn limit(&self, file: &str, what: &'static str, limit: u64) -> Error {
        Error::LimitExceeded {
            url: self.url.to_owned(),
            revision: self.revision.clone(),
            file: file.to_owned(),
            what,
            limit,
        }
    }

    /// Reads a blob after checking its size in the object header.
    fn blob(&self, path: &str, id: ObjectId, max: u64) -> Result<Vec<u8>, Error> {
        let header = self
            .repo
            .find_header(id)
            .map_err(|e| self.err(format!("blob {path}"), e))?;
        if header.size() > max {
            return Err(self.limit(path, "file size in bytes", max));
        }
        let mut blob = self
            .repo
            .find_blob(id)
            .map_err(|e| self.err(format!("blob {path}"), e))?;
        Ok(blob.take_data())
    }
}

pub(crate) fn join(dir: &str, name: &str) -> String {
    if dir.is_empty() {
        name.to_owned()
    } else {
        format!("{dir}/{name}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn requested_paths_are_normalized_or_rejected() {
        assert_eq!(normalize_request("u", "./guestbook/").unwrap(), "guestbook");
        assert_eq!(normalize_request("u", "").unwrap(), "");
        assert_eq!(normalize_request("u", "a//b/./c").unwrap(), "a/b/c");
        for bad in ["../etc", "a/../../b", "/etc/passwd", "a\\b", "a/.."] {
            assert!(
                matches!(normalize_request("u", bad), Err(Error::UnsafePath { .. })),
                "{bad}"
            );
        }
    }

    #[test]
    fn links_resolve_lexically_inside_the_root() {
        assert_eq!(resolve_link("a/b/link", "../c.yaml").as_deref(), Some("a/c.yaml"));
        assert_eq!(resolve_link("link", "./x/y").as_deref(), Some("x/y"));
        assert_eq!(resolve_link("a/link", "../../etc/passwd"), None);
        assert_eq!(resolve_link("link", "/etc/passwd"), None);
    }

    #[test]
    fn manifest_extensions() {
        assert!(is_manifest_file("a/B.YAML") && is_manifest_file("x.yml") && is_manifest_file("c.json"));
        assert!(!is_manifest_file("README.md") && !is_manifest_file("yaml"));
        assert!(is_under("a/b", "a") && is_under("a", "a") && !is_under("ab", "a") && is_under("x", ""));
    }
}
