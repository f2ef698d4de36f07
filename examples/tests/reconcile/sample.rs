//! The embedded sample application, as the README's main job runs it.

use gitops_examples::{reconcile::Reconciler, sample::create_sample_repo};

use crate::{actions, cluster, config, once};

#[tokio::test]
async fn sample_application_syncs_and_is_then_unchanged() {
    let temp = tempfile::tempdir().unwrap();
    let repo = temp.path().join("sample");
    let sha = create_sample_repo(&repo).unwrap();
    let cluster = cluster();
    let mut reconciler =
        Reconciler::new(&cluster, config(&repo, "HEAD", ".", &temp.path().join("cache"))).unwrap();
    let first = once(&mut reconciler).await;
    assert_eq!(first.revision, sha);
    assert_eq!(
        actions(&first),
        [
            ("ConfigMap/web-config", "created"),
            ("Namespace/gitops-sample", "created"),
            ("Service/web", "created"),
            ("Deployment/web", "created"),
            ("Deployment/worker", "created"),
            ("Ingress/web", "created"),
        ]
        .map(|(a, b)| (a.to_owned(), b.to_owned()))
    );
    assert_eq!(first.health, "Healthy");
    let table = first.to_table();
    assert!(table.starts_with("KIND"), "{table}");
    assert!(table.contains(&format!("revision {}", &sha[..12])), "{table}");
    insta::assert_snapshot!(
        "sample_first_iteration_table",
        table.replace(&sha[..12], "<revision>")
    );
    let json = serde_json::to_value(&first).unwrap();
    assert_eq!(json["resources"][3]["group"], "apps");
    assert_eq!(json["resources"][3]["version"], "v1");
    assert_eq!(json["resources"][3]["health"], "Healthy");
    assert_eq!(json["sync"], "Synced");

    let second = once(&mut reconciler).await;
    assert!(second.resources.iter().all(|r| r.action == "unchanged"));
    assert_eq!(second.writes, 0);
}
