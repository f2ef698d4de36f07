//! Hostile repositories: escaping symlinks, huge files, too many files.

use gitops_source::{Error, ReadLimits, ReadOptions};

use crate::{fetched, make_repo};

const CM: &[u8] = b"apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n";

#[test]
fn symlinks_escaping_the_repository_are_rejected() {
    for target in ["../../../etc/passwd", "/etc/passwd", "sub/../../../x.yaml"] {
        let repo = make_repo(&[("app/cm.yaml", CM)], &[("app/evil.yaml", target)]);
        let cache = tempfile::tempdir().unwrap();
        let source = fetched(repo.path(), cache.path());
        let err = source.load("HEAD", "app").unwrap_err();
        let Error::UnsafeSymlink { file, target: t, .. } = &err else {
            panic!("{target}: {err:?}")
        };
        assert_eq!((file.as_str(), t.as_str()), ("app/evil.yaml", target));
        assert!(err.to_string().contains("points outside the repository"), "{err}");
        // Also when the link would not be loaded as a manifest, as Argo CD checks every link.
        let err = source.read_tree("HEAD", "", &ReadOptions::default()).unwrap_err();
        assert!(matches!(err, Error::UnsafeSymlink { .. }), "{err:?}");
    }
}

#[test]
fn symlinks_inside_the_repository_are_followed() {
    let repo = make_repo(
        &[("shared/cm.yaml", CM)],
        &[("app/cm.yaml", "../shared/cm.yaml"), ("app/dir", "../shared")],
    );
    let cache = tempfile::tempdir().unwrap();
    let source = fetched(repo.path(), cache.path());
    let snap = source.load("HEAD", "app").unwrap();
    assert_eq!(
        snap.files,
        ["app/cm.yaml"],
        "file links read the target; directory links are not followed"
    );
    assert_eq!(snap.manifests.len(), 1);
}

#[test]
fn limits_on_file_size_total_bytes_and_file_count() {
    let huge = vec![b'#'; 2 << 20];
    let z = b"apiVersion: v1\nkind: ConfigMap\nmetadata: {name: z}\n";
    let repo = make_repo(
        &[("app/a.yaml", CM), ("app/huge.yaml", &huge), ("app/z.yaml", z)],
        &[],
    );
    let cache = tempfile::tempdir().unwrap();
    let source = fetched(repo.path(), cache.path());
    let limited = |limits| ReadOptions::default().limits(limits);

    let err = source
        .load_with(
            "HEAD",
            "app",
            &limited(ReadLimits::default().max_file_bytes(1 << 20)),
        )
        .unwrap_err();
    let Error::LimitExceeded {
        file, what, limit, ..
    } = &err
    else {
        panic!("{err:?}")
    };
    assert_eq!(
        (file.as_str(), *what, *limit),
        ("app/huge.yaml", "file size in bytes", 1 << 20)
    );

    let err = source
        .load_with(
            "HEAD",
            "app",
            &limited(ReadLimits::default().max_total_bytes(1 << 20)),
        )
        .unwrap_err();
    assert!(
        matches!(
            err,
            Error::LimitExceeded {
                what: "total bytes read",
                ..
            }
        ),
        "{err:?}"
    );

    let err = source
        .load_with("HEAD", "app", &limited(ReadLimits::default().max_files(2)))
        .unwrap_err();
    assert!(
        matches!(
            err,
            Error::LimitExceeded {
                what: "number of files",
                limit: 2,
                ..
            }
        ),
        "{err:?}"
    );
    assert!(err.to_string().contains("exceeds the limit of 2"), "{err}");

    // Within the defaults the 2 MiB comment-only file loads (as no object).
    assert_eq!(source.load("HEAD", "app").unwrap().manifests.len(), 2);
}

#[test]
fn crafted_tree_entries_named_dot_dot_are_rejected() {
    // `git mktree` writes what it is given; git's fsck would flag it, a hostile server may not.
    let repo = tempfile::tempdir().unwrap();
    let dir = repo.path();
    crate::git(dir, &["init", "--quiet", "--bare"]);
    let hash = |content: &str| {
        let file = dir.join("blob-input");
        std::fs::write(&file, content).unwrap();
        crate::git(dir, &["hash-object", "-w", file.to_str().unwrap()])
    };
    let mktree = |listing: &str| {
        let mut child = std::process::Command::new("git")
            .args(["mktree"])
            .current_dir(dir)
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        std::io::Write::write_all(&mut child.stdin.take().unwrap(), listing.as_bytes()).unwrap();
        String::from_utf8(child.wait_with_output().unwrap().stdout)
            .unwrap()
            .trim()
            .to_owned()
    };
    let blob = hash("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n");
    let app = mktree(&format!("100644 blob {blob}\t..\n100644 blob {blob}\tok.yaml\n"));
    let root = mktree(&format!("040000 tree {app}\tapp\n"));
    let commit = crate::git(
        dir,
        &[
            "-c",
            "user.name=t",
            "-c",
            "user.email=t@x",
            "commit-tree",
            &root,
            "-m",
            "x",
        ],
    );
    crate::git(dir, &["update-ref", "refs/heads/main", &commit]);
    crate::git(dir, &["symbolic-ref", "HEAD", "refs/heads/main"]);
    let cache = tempfile::tempdir().unwrap();
    let source = fetched(dir, cache.path());
    let err = source.load("main", "app").unwrap_err();
    let Error::UnsafePath { path, .. } = &err else {
        panic!("{err:?}")
    };
    assert_eq!(path, "app/..");
}
