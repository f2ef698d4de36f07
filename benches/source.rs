//! gitops-source against the git CLI on the fixture bundles.
//!
//! - `clone_read/<bundle>/gix`: `GitSource::fetch` (bare clone into an empty cache) plus
//!   `read_tree` of the whole HEAD tree (every blob read).
//! - `clone_read/<bundle>/git-cli`: `git clone --bare` plus `git ls-tree -r HEAD` and
//!   `git cat-file --batch` over every blob.
//! - `incremental_fetch/<bundle>/{gix,git-cli}`: fetch of one new commit (made in the origin
//!   during untimed set-up) into an existing cache.
//!
//! Both sides clone over `file://`, so both run `git-upload-pack` and neither takes git's
//! local-clone shortcut (hard links). Skipped with a message when `../shared` is absent.

#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used)]

use std::{
    io::{Read as _, Write as _},
    path::Path,
    process::{Command, Stdio},
};

use criterion::{BatchSize, Criterion, criterion_group, criterion_main};
use gitops_source::{GitSource, ReadLimits, ReadOptions};

const BUNDLES: [&str; 3] = [
    "argocd-example-apps",
    "flux2-kustomize-helm-example",
    "podinfo-manifests",
];

fn git(dir: &Path, args: &[&str]) -> Vec<u8> {
    let out = Command::new("git")
        .args(args)
        .current_dir(dir)
        .output()
        .expect("run git");
    assert!(
        out.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

fn read_everything() -> ReadOptions {
    ReadOptions::default()
        .default_ignores(false)
        .sourceignore(false)
        .limits(
            ReadLimits::default()
                .max_files(u64::MAX)
                .max_total_bytes(u64::MAX)
                .max_file_bytes(u64::MAX),
        )
}

fn gix_clone_read(url: &str, cache: &Path) -> usize {
    let source = GitSource::new(url, cache).unwrap();
    source.fetch().unwrap();
    let tree = source.read_tree("HEAD", "", &read_everything()).unwrap();
    tree.files.values().map(Vec::len).sum()
}

fn cli_clone_read(url: &str, dest: &Path) -> usize {
    let parent = dest.parent().unwrap();
    git(
        parent,
        &["clone", "--bare", "--quiet", url, dest.to_str().unwrap()],
    );
    let listing = git(dest, &["ls-tree", "-r", "HEAD"]);
    let mut ids = String::new();
    for line in String::from_utf8(listing).unwrap().lines() {
        // `<mode> <type> <id>\t<path>`
        let mut fields = line.split(['\t', ' ']);
        let (_, kind, id) = (fields.next(), fields.next(), fields.next().unwrap());
        if kind == Some("blob") {
            ids.push_str(id);
            ids.push('\n');
        }
    }
    let mut child = Command::new("git")
        .args(["cat-file", "--batch"])
        .current_dir(dest)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let writer = std::thread::spawn(move || stdin.write_all(ids.as_bytes()));
    let mut out = Vec::new();
    child.stdout.take().unwrap().read_to_end(&mut out).unwrap();
    writer.join().unwrap().unwrap();
    assert!(child.wait().unwrap().success());
    out.len()
}

/// Makes one new commit on the origin's default branch (a changed file), untimed.
fn new_commit(origin: &Path, n: u64) {
    let blob = {
        let mut child = Command::new("git")
            .args(["hash-object", "-w", "--stdin"])
            .current_dir(origin)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .unwrap();
        child
            .stdin
            .take()
            .unwrap()
            .write_all(format!("bench: {n}\n").as_bytes())
            .unwrap();
        String::from_utf8(child.wait_with_output().unwrap().stdout)
            .unwrap()
            .trim()
            .to_owned()
    };
    let head = String::from_utf8(git(origin, &["rev-parse", "HEAD"]))
        .unwrap()
        .trim()
        .to_owned();
    let index = origin.join("bench-index");
    let run = |args: &[&str]| {
        let out = Command::new("git")
            .args(args)
            .env("GIT_INDEX_FILE", &index)
            .current_dir(origin)
            .output()
            .unwrap();
        assert!(out.status.success(), "{args:?}");
        String::from_utf8(out.stdout).unwrap().trim().to_owned()
    };
    run(&["read-tree", &head]);
    run(&[
        "update-index",
        "--add",
        "--cacheinfo",
        &format!("100644,{blob},bench.txt"),
    ]);
    let tree = run(&["write-tree"]);
    let commit = run(&[
        "-c",
        "user.name=b",
        "-c",
        "user.email=b@x",
        "commit-tree",
        &tree,
        "-p",
        &head,
        "-m",
        "bench",
    ]);
    let branch = String::from_utf8(git(origin, &["symbolic-ref", "HEAD"]))
        .unwrap()
        .trim()
        .to_owned();
    git(origin, &["update-ref", &branch, &commit]);
}

fn bench(c: &mut Criterion) {
    let mut clone_read = c.benchmark_group("clone_read");
    clone_read.sample_size(20);
    let mut origins = Vec::new();
    for name in BUNDLES {
        let Some(origin) = gitops_testkit::clone_bundle(name) else {
            eprintln!("SKIPPED: bundle {name} unavailable; source benches need ../shared");
            return;
        };
        let url = format!("file://{}", origin.path().display());
        clone_read.bench_function(format!("{name}/gix"), |b| {
            b.iter_batched(
                || tempfile::tempdir().unwrap(),
                |dir| gix_clone_read(&url, dir.path()),
                BatchSize::PerIteration,
            );
        });
        clone_read.bench_function(format!("{name}/git-cli"), |b| {
            b.iter_batched(
                || tempfile::tempdir().unwrap(),
                |dir| cli_clone_read(&url, &dir.path().join("clone.git")),
                BatchSize::PerIteration,
            );
        });
        origins.push((name, origin, url));
    }
    clone_read.finish();

    let mut incremental = c.benchmark_group("incremental_fetch");
    incremental.sample_size(20);
    for (name, origin, url) in &origins {
        let caches = tempfile::tempdir().unwrap();
        let source = GitSource::new(url, caches.path()).unwrap();
        source.fetch().unwrap();
        let cli = caches.path().join("cli.git");
        git(
            caches.path(),
            &["clone", "--bare", "--quiet", url, cli.to_str().unwrap()],
        );
        git(
            &cli,
            &["config", "remote.origin.fetch", "+refs/heads/*:refs/heads/*"],
        );
        let mut n = 0;
        incremental.bench_function(format!("{name}/gix"), |b| {
            b.iter_batched(
                || {
                    n += 1;
                    new_commit(origin.path(), n);
                },
                |()| source.fetch().unwrap(),
                BatchSize::PerIteration,
            );
        });
        // Catch up with the commits made for the gix run, so each sample fetches one commit.
        git(&cli, &["fetch", "--quiet", "origin"]);
        incremental.bench_function(format!("{name}/git-cli"), |b| {
            b.iter_batched(
                || {
                    n += 1;
                    new_commit(origin.path(), n);
                },
                |()| git(&cli, &["fetch", "--quiet", "origin"]),
                BatchSize::PerIteration,
            );
        });
    }
    incremental.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
