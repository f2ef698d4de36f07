//! Reading manifests from a commit: plain directories, filters, digest and load errors.

use gitops_source::{Error, ReadOptions};

use crate::{chain, commit_files, fetched, fixture, git, make_repo};

#[test]
fn guestbook_loads_from_the_object_database() {
    let Some(f) = fixture("argocd-example-apps") else {
        return;
    };
    let head = f.source.resolve("master").unwrap();
    let snapshot = f.source.load(&head, "guestbook").unwrap();
    assert_eq!(snapshot.revision, head);
    assert_eq!(
        snapshot.files,
        [
            "guestbook/guestbook-ui-deployment.yaml",
            "guestbook/guestbook-ui-svc.yaml"
        ]
    );
    let keys: Vec<String> = snapshot.manifests.keys().map(ToString::to_string).collect();
    assert_eq!(keys, ["/Service//guestbook-ui", "apps/Deployment//guestbook-ui"]);
    let origin = snapshot
        .manifests
        .iter()
        .next()
        .unwrap()
        .origin()
        .unwrap()
        .clone();
    assert_eq!(origin.file, "guestbook/guestbook-ui-svc.yaml");
    assert!(snapshot.digest.starts_with("sha256:"));
    // The digest is the one computed independently over the blobs as the git CLI reads them.
    let files: Vec<(String, Vec<u8>)> = snapshot
        .files
        .iter()
        .map(|p| {
            let out = std::process::Command::new("git")
                .args(["cat-file", "blob", &format!("{head}:{p}")])
                .current_dir(f.bundle.path())
                .output()
                .unwrap();
            (p.clone(), out.stdout)
        })
        .collect();
    let expected = gitops_source::digest(files.iter().map(|(p, c)| (p.as_str(), c.as_slice())));
    assert_eq!(snapshot.digest, expected);
    let tree = f
        .source
        .read_tree(&head, "guestbook", &ReadOptions::default())
        .unwrap();
    assert_eq!(tree.digest(), snapshot.digest);
    assert_eq!(tree.files.len(), 2);
}

#[test]
fn sock_shop_base_has_29_objects_and_paths_normalize() {
    let Some(f) = fixture("argocd-example-apps") else {
        return;
    };
    let snapshot = f.source.load("HEAD", "./sock-shop/base/").unwrap();
    assert_eq!(snapshot.manifests.len(), 29);
    let kinds = |k: &str| snapshot.manifests.iter().filter(|m| m.gvk().kind == k).count();
    assert_eq!(
        (kinds("Deployment"), kinds("Service"), kinds("Ingress")),
        (14, 14, 1)
    );
    // Same digest from another spelling and from a commit where the directory did not change.
    let again = f.source.load("master", "sock-shop/base").unwrap();
    assert_eq!(again.digest, snapshot.digest);
    let parent = f.source.resolve("master").map(|h| format!("{h}~1")).unwrap();
    let parent = git(f.bundle.path(), &["rev-parse", &parent]);
    let changed = f.source.touches(&parent, "master", &["sock-shop/base"]).unwrap();
    let older = f.source.load(&parent, "sock-shop/base").unwrap();
    assert_eq!(
        older.digest == snapshot.digest,
        !changed,
        "digest changes exactly when the path changed"
    );
}

#[test]
fn include_exclude_and_sourceignore_select_files() {
    let Some(f) = fixture("argocd-example-apps") else {
        return;
    };
    let only_deployments = ReadOptions::default().include("*-dep.yaml");
    let snap = f
        .source
        .load_with("HEAD", "sock-shop/base", &only_deployments)
        .unwrap();
    assert_eq!(snap.manifests.len(), 14);
    assert!(snap.manifests.iter().all(|m| m.gvk().kind == "Deployment"));
    let no_services = ReadOptions::default()
        .exclude("*-svc.yaml")
        .exclude("front-end-ingress.yaml");
    assert_eq!(
        f.source
            .load_with("HEAD", "sock-shop/base", &no_services)
            .unwrap()
            .manifests
            .len(),
        14
    );

    let cm =
        |name: &str| format!("apiVersion: v1\nkind: ConfigMap\nmetadata: {{name: {name}}}\n").into_bytes();
    let (cm_a, cm_b, cm_c, cm_d) = (cm("a"), cm("b"), cm("c"), cm("d"));
    let repo = make_repo(
        &[
            (".sourceignore", b"# Flux syntax\n/app/dev/\n*.local.yaml\n"),
            ("app/base.yaml", &cm_a),
            ("app/dev/dev.yaml", &cm_b),
            ("app/x.local.yaml", &cm_c),
            ("app/sub/.sourceignore", b"!keep.local.yaml\n"),
            ("app/sub/keep.local.yaml", &cm_d),
            ("app/.github/workflows/ci.yaml", b"on: push\n"),
        ],
        &[],
    );
    let cache = tempfile::tempdir().unwrap();
    let source = fetched(repo.path(), cache.path());
    let snap = source.load("HEAD", "app").unwrap();
    assert_eq!(snap.files, ["app/base.yaml", "app/sub/keep.local.yaml"]);
    let everything = ReadOptions::default()
        .sourceignore(false)
        .default_ignores(false)
        .exclude(".github/**");
    assert_eq!(
        source.load_with("HEAD", "app", &everything).unwrap().files.len(),
        4
    );
}

#[test]
fn bad_input_errors_name_repository_revision_file_and_document() {
    let repo = make_repo(
        &[
            (
                "ok/cm.yaml",
                b"apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n",
            ),
            (
                "bad/cm.yaml",
                b"apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n---\nkind: [\n",
            ),
        ],
        &[],
    );
    let cache = tempfile::tempdir().unwrap();
    let source = fetched(repo.path(), cache.path());
    let head = source.resolve("HEAD").unwrap();
    let url = repo.path().to_str().unwrap();

    let err = source.load("HEAD", "bad").unwrap_err();
    assert!(matches!(err, Error::Manifest { .. }), "{err:?}");
    let msg = chain(&err);
    for needle in [url, head.as_str(), "bad/cm.yaml", "document 1"] {
        assert!(msg.contains(needle), "{needle} missing from {msg}");
    }
    let err = source.load("HEAD", "missing/dir").unwrap_err();
    assert!(matches!(err, Error::PathNotFound { .. }), "{err:?}");
    let msg = err.to_string();
    assert!(
        msg.contains(url) && msg.contains(&head) && msg.contains("missing/dir"),
        "{msg}"
    );
    let err = source.load("nope", "ok").unwrap_err();
    assert!(
        matches!(err, Error::RevisionNotFound { .. }) && err.to_string().contains(url),
        "{err}"
    );
    let err = source.load("HEAD", "../outside").unwrap_err();
    assert!(matches!(err, Error::UnsafePath { .. }), "{err:?}");

    // Duplicate resources across files name both origins.
    commit_files(
        repo.path(),
        &[(
            "ok/dup.yaml",
            b"apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n",
        )],
        &[],
        "dup",
    );
    source.fetch().unwrap();
    let msg = chain(&source.load("HEAD", "ok").unwrap_err());
    assert!(msg.contains("ok/cm.yaml") && msg.contains("ok/dup.yaml"), "{msg}");
}
