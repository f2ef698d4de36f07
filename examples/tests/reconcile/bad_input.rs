//! Bad input: each failure is one clear error, and nothing is applied when loading fails.

use gitops_examples::{reconcile::Reconciler, sample::commit_files};

use crate::{cluster, config};

async fn error_of(repo: &std::path::Path, revision: &str, path: &str) -> (String, u64) {
    let temp = tempfile::tempdir().unwrap();
    let cluster = cluster();
    let before = cluster.write_count();
    let message = match Reconciler::new(&cluster, config(repo, revision, path, temp.path())) {
        Err(e) => format!("{e:#}"),
        Ok(mut r) => format!("{:#}", r.reconcile_once().await.expect_err("must fail")),
    };
    (message, cluster.write_count() - before)
}

#[tokio::test]
async fn missing_repository_revision_and_path_are_named() {
    let temp = tempfile::tempdir().unwrap();
    let missing = temp.path().join("no-such-repo");
    let (message, writes) = error_of(&missing, "HEAD", ".").await;
    assert!(message.contains("no-such-repo"), "{message}");
    assert_eq!(writes, 0);

    let repo = temp.path().join("repo");
    commit_files(
        &repo,
        &[(
            "app/cm.yaml",
            "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n",
        )],
        "one",
    )
    .unwrap();
    let (message, _) = error_of(&repo, "no-such-branch", "app").await;
    assert!(message.contains("no-such-branch"), "{message}");
    let (message, _) = error_of(&repo, "HEAD", "no/such/dir").await;
    assert!(message.contains("no/such/dir"), "{message}");
}

#[tokio::test]
async fn malformed_yaml_names_file_and_document_and_applies_nothing() {
    let temp = tempfile::tempdir().unwrap();
    let repo = temp.path().join("repo");
    let good = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: good}\n";
    let bad =
        "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: first}\n---\napiVersion: v1\nkind: [unclosed\n";
    commit_files(
        &repo,
        &[("app/a-good.yaml", good), ("app/b-bad.yaml", bad)],
        "bad yaml",
    )
    .unwrap();
    let (message, writes) = error_of(&repo, "HEAD", "app").await;
    assert!(message.contains("b-bad.yaml"), "{message}");
    assert!(message.contains("document 1"), "{message}");
    assert_eq!(writes, 0, "nothing may be applied when loading fails");
}
