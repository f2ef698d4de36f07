//! Health scripts and Argo CD's lookup order.

use std::{
    path::{Path, PathBuf},
    sync::{
        Arc,
        atomic::{AtomicU64, Ordering},
    },
};

use super::{LuaError, glob};

/// Where a script came from; decides its libraries and its place in the lookup order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Source {
    /// An operator override (`argocd-cm`), keyed by `group/Kind` or a glob.
    Override,
    /// A `<group>/<Kind>/health.lua` file of a `resource_customizations` directory.
    Directory(PathBuf),
}

/// One health script: its source text and where it came from.
#[derive(Debug)]
pub(crate) struct Script {
    /// Unique across every script of the process; the key of the compiled-chunk caches.
    pub(crate) id: u64,
    /// The lookup key: `group/Kind`, `Kind` for the core group, or a glob.
    pub(crate) key: String,
    pub(crate) code: Arc<str>,
    pub(crate) source: Source,
    /// Full string/math/os libraries (built-in scripts, or `useOpenLibs`), else restricted.
    pub(crate) open_libs: bool,
}

impl Script {
    pub(crate) fn new(key: String, code: &str, source: Source, open_libs: bool) -> Arc<Self> {
        static NEXT_ID: AtomicU64 = AtomicU64::new(1);
        Arc::new(Self {
            id: NEXT_ID.fetch_add(1, Ordering::Relaxed),
            key,
            code: code.into(),
            source,
            open_libs,
        })
    }

    /// A name for messages: the file path, or `override <key>`.
    pub(crate) fn origin(&self) -> String {
        match &self.source {
            Source::Override => format!("override {}", self.key),
            Source::Directory(path) => path.display().to_string(),
        }
    }
}

/// The four script tiers, each kept sorted by key so lookups are deterministic.
#[derive(Debug, Default)]
pub(crate) struct ScriptSet {
    override_exact: Vec<Arc<Script>>,
    override_glob: Vec<Arc<Script>>,
    dir_exact: Vec<Arc<Script>>,
    dir_glob: Vec<Arc<Script>>,
}

fn upsert(list: &mut Vec<Arc<Script>>, script: Arc<Script>) {
    match list.binary_search_by(|s| s.key.as_str().cmp(&script.key)) {
        Ok(i) => list[i] = script,
        Err(i) => list.insert(i, script),
    }
}

fn exact<'a>(list: &'a [Arc<Script>], key: &str) -> Option<&'a Arc<Script>> {
    list.binary_search_by(|s| s.key.as_str().cmp(key))
        .ok()
        .map(|i| &list[i])
}

/// `group/Kind` (or `Kind`) from an override key written `group_Kind` or `group/Kind`.
pub(crate) fn normalize_override_key(key: &str) -> String {
    if key.contains('/') || glob::is_pattern(key) {
        key.to_owned()
    } else {
        key.replacen('_', "/", 1)
    }
}

impl ScriptSet {
    pub(crate) fn add_override(&mut self, key: &str, code: &str, open_libs: bool) {
        let key = normalize_override_key(key);
        let is_glob = glob::is_pattern(&key);
        let script = Script::new(key, code, Source::Override, open_libs);
        if is_glob {
            upsert(&mut self.override_glob, script);
        } else {
            upsert(&mut self.override_exact, script);
        }
    }

    /// Adds a directory script; `dir_key` is the directory path relative to the root with `/`
    /// separators (`group/Kind`, possibly with `_` wildcards).
    pub(crate) fn add_directory(&mut self, dir_key: &str, code: &str, path: PathBuf) {
        if dir_key.contains('_') {
            let pattern = dir_key.replace('_', "*");
            upsert(
                &mut self.dir_glob,
                Script::new(pattern, code, Source::Directory(path), true),
            );
        } else {
            upsert(
                &mut self.dir_exact,
                Script::new(dir_key.to_owned(), code, Source::Directory(path), true),
            );
        }
    }

    /// The script for `group`/`kind` in Argo CD's order: override exact, override glob,
    /// directory exact, directory glob.
    pub(crate) fn lookup(&self, group: &str, kind: &str) -> Option<&Arc<Script>> {
        let key = if group.is_empty() {
            kind.to_owned()
        } else {
            format!("{group}/{kind}")
        };
        exact(&self.override_exact, &key)
            .or_else(|| {
                self.override_glob
                    .iter()
                    .find(|s| glob::matches(&s.key, &key, true))
            })
            .or_else(|| exact(&self.dir_exact, &key))
            .or_else(|| self.dir_glob.iter().find(|s| glob::matches(&s.key, &key, false)))
    }

    pub(crate) fn len(&self) -> usize {
        self.override_exact.len() + self.override_glob.len() + self.dir_exact.len() + self.dir_glob.len()
    }

    pub(crate) fn all(&self) -> impl Iterator<Item = &Arc<Script>> {
        self.override_exact
            .iter()
            .chain(&self.override_glob)
            .chain(&self.dir_exact)
            .chain(&self.dir_glob)
    }
}

/// Finds every `health.lua` one or two directory levels below `root` (`<Kind>/health.lua` for
/// the core group, `<group>/<Kind>/health.lua` otherwise), sorted by path.
pub(crate) fn find_scripts(root: &Path) -> Result<Vec<(String, PathBuf)>, LuaError> {
    let read_dir = |dir: &Path| -> Result<Vec<PathBuf>, LuaError> {
        let entries = std::fs::read_dir(dir).map_err(|source| LuaError::Io {
            path: dir.to_owned(),
            source,
        })?;
        let mut dirs = Vec::new();
        for entry in entries {
            let entry = entry.map_err(|source| LuaError::Io {
                path: dir.to_owned(),
                source,
            })?;
            if entry.path().is_dir() {
                dirs.push(entry.path());
            }
        }
        dirs.sort();
        Ok(dirs)
    };
    let name = |p: &Path| {
        p.file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default()
    };
    let mut found = Vec::new();
    for first in read_dir(root)? {
        let script = first.join("health.lua");
        if script.is_file() {
            found.push((name(&first), script));
        }
        for second in read_dir(&first)? {
            let script = second.join("health.lua");
            if script.is_file() {
                found.push((format!("{}/{}", name(&first), name(&second)), script));
            }
        }
    }
    Ok(found)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lookup_order_and_deterministic_globs() {
        let mut set = ScriptSet::default();
        set.add_directory("_.crossplane.io/_", "return 'dir-glob'", PathBuf::from("g"));
        set.add_directory("pkg.crossplane.io/Provider", "return 'dir'", PathBuf::from("d"));
        assert_eq!(
            set.lookup("pkg.crossplane.io", "Provider").unwrap().key,
            "pkg.crossplane.io/Provider"
        );
        assert_eq!(
            set.lookup("aws.crossplane.io", "Bucket").unwrap().key,
            "*.crossplane.io/*"
        );
        assert!(set.lookup("crossplane.io", "X").is_none());
        set.add_override("*.io/*", "b", false);
        set.add_override("*crossplane*", "a", false);
        // Both globs match; the lexicographically first key wins.
        assert_eq!(set.lookup("pkg.crossplane.io", "Provider").unwrap().key, "*.io/*");
        set.add_override("pkg.crossplane.io_Provider", "exact", false);
        assert_eq!(
            set.lookup("pkg.crossplane.io", "Provider").unwrap().key,
            "pkg.crossplane.io/Provider"
        );
        assert!(matches!(
            set.lookup("pkg.crossplane.io", "Provider").unwrap().source,
            Source::Override
        ));
        set.add_override("Service", "core", false);
        assert_eq!(set.lookup("", "Service").unwrap().key, "Service");
    }
}
