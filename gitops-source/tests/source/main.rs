//! Integration tests of gitops-source on the fixture bundles in `../shared/fixtures/repos` and on
//! repositories built by the tests with the git CLI.

// Test helpers outside `#[test]` functions: a failed fixture step must fail the test.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod changes;
mod fetch;
mod load;
mod render;
mod resolve;
mod safety;

use std::{path::Path, process::Command};

use gitops_source::GitSource;
use gitops_testkit::ClonedBundle;

/// Runs git in `dir`, panicking with its stderr on failure; returns trimmed stdout.
pub(crate) fn git(dir: &Path, args: &[&str]) -> String {
    let out = Command::new("git")
        .args([
            "-c",
            "user.name=test",
            "-c",
            "user.email=test@example.invalid",
            "-c",
            "init.defaultBranch=main",
        ])
        .args(args)
        .current_dir(dir)
        .output()
        .expect("run git");
    assert!(
        out.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).trim().to_owned()
}

/// A fixture bundle cloned bare, plus a source over it with an empty cache beside it.
pub(crate) struct Fixture {
    pub(crate) bundle: ClonedBundle,
    pub(crate) source: GitSource,
}

/// Clones `name` and fetches it into a fresh cache; `None` (skip message printed) without
/// `../shared`.
pub(crate) fn fixture(name: &str) -> Option<Fixture> {
    let bundle = gitops_testkit::clone_bundle(name)?;
    let cache = bundle.temp_dir().join("cache");
    let source = GitSource::new(bundle.path().to_str().expect("utf-8 temp path"), &cache).unwrap();
    source.fetch().unwrap();
    Some(Fixture { bundle, source })
}

/// A non-bare repository built from `files` (path, content) and `links` (path, target) in one
/// commit on `main`.
pub(crate) fn make_repo(files: &[(&str, &[u8])], links: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    git(dir.path(), &["init", "--quiet"]);
    commit_files(dir.path(), files, links, "initial");
    dir
}

/// Writes `files` and `links` into the worktree at `repo` and commits them; returns the SHA.
pub(crate) fn commit_files(
    repo: &Path,
    files: &[(&str, &[u8])],
    links: &[(&str, &str)],
    message: &str,
) -> String {
    for (path, content) in files {
        let target = repo.join(path);
        std::fs::create_dir_all(target.parent().unwrap()).unwrap();
        std::fs::write(target, content).unwrap();
    }
    for (path, target) in links {
        let at = repo.join(path);
        std::fs::create_dir_all(at.parent().unwrap()).unwrap();
        std::os::unix::fs::symlink(target, at).unwrap();
    }
    git(repo, &["add", "-A"]);
    git(repo, &["commit", "--quiet", "--allow-empty", "-m", message]);
    git(repo, &["rev-parse", "HEAD"])
}

/// A source over the local repository `repo` with a cache in `cache`, fetched.
pub(crate) fn fetched(repo: &Path, cache: &Path) -> GitSource {
    let source = GitSource::new(repo.to_str().unwrap(), cache).unwrap();
    source.fetch().unwrap();
    source
}

/// The full error chain, `: `-joined, as a user would see it.
pub(crate) fn chain(err: &dyn std::error::Error) -> String {
    let mut out = err.to_string();
    let mut source = err.source();
    while let Some(s) = source {
        out.push_str(": ");
        out.push_str(&s.to_string());
        source = s.source();
    }
    out
}
