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
