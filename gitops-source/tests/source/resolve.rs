//! Revision resolution: branches, tags, SHAs, HEAD, semver ranges, and their errors.

use std::{fmt::Write as _, io::Write as _, process::Command};

use gitops_source::Error;

use crate::{chain, fetched, fixture, git};

#[test]
fn every_branch_and_tag_of_argocd_example_apps_resolves() {
    let Some(f) = fixture("argocd-example-apps") else {
        return;
    };
    let refs = git(
        f.bundle.path(),
        &[
            "for-each-ref",
            "--format=%(refname:short) %(refname) %(objectname)",
        ],
    );
    let mut count = 0;
    for line in refs.lines() {
        let mut parts = line.split(' ');
        let (short, full, sha) = (
            parts.next().unwrap(),
            parts.next().unwrap(),
            parts.next().unwrap(),
        );
        assert_eq!(f.source.resolve(short).unwrap(), sha, "{short}");
        assert_eq!(f.source.resolve(full).unwrap(), sha, "{full}");
        count += 1;
    }
    assert_eq!(count, 11, "3 branches and 8 tags");
}

#[test]
fn shas_and_head_resolve() {
    let Some(f) = fixture("argocd-example-apps") else {
        return;
    };
    let head = "d75acb2a13703f88f4c5bbc397f07910e5db1b4c";
    assert_eq!(f.source.resolve("HEAD").unwrap(), head);
    assert_eq!(f.source.resolve(head).unwrap(), head);
    assert_eq!(f.source.resolve("d75acb2").unwrap(), head);
    assert_eq!(
        f.source.resolve("D75ACB2A").unwrap(),
        head,
        "hex is case-insensitive"
    );
    let old = "67de934fd7f22062a4e2ac8b8d20cfc97f2b4e7f"; // tag guestbook-v0.1
    assert_eq!(f.source.resolve(&old[..10]).unwrap(), old);
}

#[test]
fn a_missing_ref_lists_what_was_tried() {
    let Some(f) = fixture("argocd-example-apps") else {
        return;
    };
    let err = f.source.resolve("release-9").unwrap_err();
    let Error::RevisionNotFound { tried, .. } = &err else {
        panic!("{err:?}")
    };
    assert_eq!(tried, &["refs/heads/release-9", "refs/tags/release-9"]);
    let msg = err.to_string();
    assert!(
        msg.contains(f.bundle.path().to_str().unwrap()) && msg.contains("\"release-9\""),
        "{msg}"
    );
    // A hex-looking name is also tried as a commit prefix.
    let err = f.source.resolve("deadbeef").unwrap_err();
    assert!(err.to_string().contains("commit deadbeef"), "{err}");
}

#[test]
fn an_ambiguous_short_sha_lists_the_candidates() {
    // Commits made with fast-import until two share a 4-hex prefix (birthday bound: a few
    // hundred commits).
    let repo = tempfile::tempdir().unwrap();
    git(repo.path(), &["init", "--quiet", "--bare"]);
    let mut stream = String::new();
    for i in 0..1500 {
        let msg = format!("commit {i}\n");
        let _ = write!(
            stream,
            "commit refs/heads/main\ncommitter t <t@example.invalid> {} +0000\ndata {}\n{msg}\n",
            1_600_000_000 + i,
            msg.len()
        );
    }
    let mut child = Command::new("git")
        .args(["fast-import", "--quiet"])
        .current_dir(repo.path())
        .stdin(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(stream.as_bytes()).unwrap();
    assert!(child.wait().unwrap().success());
    let all = git(repo.path(), &["rev-list", "--all"]);
    let mut shas: Vec<&str> = all.lines().collect();
    shas.sort_unstable();
    let pair = shas
        .windows(2)
        .find(|w| w[0][..4] == w[1][..4])
        .expect("1500 commits share a 4-hex prefix");
    let prefix = &pair[0][..4];
    let cache = tempfile::tempdir().unwrap();
    let source = fetched(repo.path(), cache.path());
    let err = source.resolve(prefix).unwrap_err();
    let Error::AmbiguousRevision { candidates, .. } = &err else {
        panic!("{err:?}")
    };
    assert!(
        candidates.contains(&pair[0].to_owned()) && candidates.contains(&pair[1].to_owned()),
        "{err}"
    );
    // One more digit disambiguates when the two differ there.
    if pair[0].as_bytes()[4] != pair[1].as_bytes()[4] {
        assert_eq!(source.resolve(&pair[0][..5]).unwrap(), pair[0]);
    }
}

#[test]
fn semver_ranges_pick_the_highest_matching_podinfo_tag() {
    let Some(f) = fixture("podinfo-manifests") else {
        return;
    };
    let cases = [
        (">=6.0.0 <7", "6.14.1"),
        ("~6.5", "6.5.0"),
        ("*", "6.14.1"),
        ("<6.9", "6.5.0"),
        ("6.0.x", "6.0.0"),
        (">=6.9.0, <6.14", "6.12.0"),
        ("^6", "6.14.1"),
        ("<6.1 || ~6.9", "6.9.0"),
    ];
    for (range, tag) in cases {
        let resolved = f.source.resolve_semver(range).unwrap();
        assert_eq!(resolved.tag, tag, "{range}");
        // Annotated tags are peeled to their commit.
        let commit = git(f.bundle.path(), &["rev-parse", &format!("{tag}^{{commit}}")]);
        assert_eq!(resolved.commit, commit, "{range}");
        assert_eq!(f.source.resolve(tag).unwrap(), commit);
    }
}

#[test]
fn semver_errors_name_the_range_and_the_tags() {
    let Some(f) = fixture("podinfo-manifests") else {
        return;
    };
    let err = f.source.resolve_semver(">=7").unwrap_err();
    let Error::NoSemverMatch { tags, .. } = &err else {
        panic!("{err:?}")
    };
    assert_eq!(tags.len(), 5);
    assert!(err.to_string().contains("6.14.1"), "{err}");
    let err = f.source.resolve_semver(">=banana").unwrap_err();
    assert!(matches!(err, Error::InvalidSemver { .. }), "{err:?}");
    assert!(chain(&err).contains("banana"), "{}", chain(&err));
}
