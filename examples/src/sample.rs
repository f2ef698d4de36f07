//! The embedded sample application: a few manifests shipped in `examples/sample-app/` and
//! committed into a temporary Git repository at start, so the reconcile example runs with no
//! network and no arguments.

use std::{path::Path, process::Command};

use anyhow::{Context, bail};

/// `(file name, contents)` of the sample application, compiled into the binary.
pub const SAMPLE_APP: &[(&str, &str)] = &[
    ("namespace.yaml", include_str!("../sample-app/namespace.yaml")),
    ("config.yaml", include_str!("../sample-app/config.yaml")),
    ("web.yaml", include_str!("../sample-app/web.yaml")),
    ("worker.yaml", include_str!("../sample-app/worker.yaml")),
];

/// Writes `files` under `dir` and commits them with the git CLI as one commit on branch
/// `main` (author "gitops-rs sample"), creating the repository when needed. Returns the
/// commit SHA.
///
/// # Errors
/// When `git` is missing or fails, or a file cannot be written.
pub fn commit_files(dir: &Path, files: &[(&str, &str)], message: &str) -> anyhow::Result<String> {
    std::fs::create_dir_all(dir).with_context(|| format!("create {}", dir.display()))?;
    if !dir.join(".git").exists() {
        git(dir, &["init", "--quiet", "--initial-branch=main"])?;
    }
    for (name, contents) in files {
        let path = dir.join(name);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)?;
        }
        std::fs::write(&path, contents).with_context(|| format!("write {}", path.display()))?;
    }
    git(dir, &["add", "--all"])?;
    git(dir, &["commit", "--quiet", "--allow-empty", "-m", message])?;
    let sha = git(dir, &["rev-parse", "HEAD"])?;
    Ok(sha.trim().to_owned())
}

/// Creates the sample repository in `dir` and returns its commit SHA.
///
/// # Errors
/// See [`commit_files`].
pub fn create_sample_repo(dir: &Path) -> anyhow::Result<String> {
    commit_files(dir, SAMPLE_APP, "sample application")
}

fn git(dir: &Path, args: &[&str]) -> anyhow::Result<String> {
    let output = Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(args)
        .env("GIT_AUTHOR_NAME", "gitops-rs sample")
        .env("GIT_AUTHOR_EMAIL", "sample@gitops-rs.invalid")
        .env("GIT_COMMITTER_NAME", "gitops-rs sample")
        .env("GIT_COMMITTER_EMAIL", "sample@gitops-rs.invalid")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .output()
        .context("run git (is it installed?)")?;
    if !output.status.success() {
        bail!(
            "git {} failed: {}",
            args.join(" "),
            String::from_utf8_lossy(&output.stderr).trim()
        );
    }
    Ok(String::from_utf8_lossy(&output.stdout).into_owned())
}
