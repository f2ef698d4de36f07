//! argocd-example-apps: guestbook and sock-shop/base synced, a no-op second iteration, drift
//! repaired by self-heal, and a rollback with prune.

use gitops_core::ResourceKey;
use gitops_examples::{reconcile::Reconciler, sample::commit_files};

use crate::{cluster, config, once};

#[tokio::test]
async fn guestbook_and_sock_shop_sync_then_stay_unchanged() {
    let Some(repo) = gitops_testkit::clone_bundle("argocd-example-apps") else {
        return;
    };
    let cluster = cluster();
    let cache = repo.temp_dir().join("cache");
    let mut guestbook =
        Reconciler::new(&cluster, config(repo.path(), "master", "guestbook", &cache)).unwrap();
    let mut sock_shop =
        Reconciler::new(&cluster, config(repo.path(), "master", "sock-shop/base", &cache)).unwrap();

    let first = once(&mut guestbook).await;
    assert_eq!(first.revision.len(), 40);
    assert_eq!(first.resources.len(), 2, "{first:?}");
    assert!(
        first
            .resources
            .iter()
            .all(|r| r.action == "created" && r.status == "Missing"),
        "{first:?}"
    );
    assert_eq!(first.health, "Healthy");
    assert_eq!(first.sync, "Synced");

    let shop = once(&mut sock_shop).await;
    assert_eq!(shop.resources.len(), 29);
    let kinds = |k: &str| shop.resources.iter().filter(|r| r.kind == k).count();
    assert_eq!(
        (kinds("Deployment"), kinds("Service"), kinds("Ingress")),
        (14, 14, 1)
    );
    assert!(shop.resources.iter().all(|r| r.action == "created"), "{shop:?}");
    assert!(
        shop.resources
            .iter()
            .all(|r| r.health.as_deref() == Some("Healthy")),
        "{shop:?}"
    );

    // The second iteration is a no-op: nothing out of sync, no write at all.
    let writes = cluster.write_count();
    let second = once(&mut guestbook).await;
    let shop_again = once(&mut sock_shop).await;
    assert!(
        second
            .resources
            .iter()
            .chain(&shop_again.resources)
            .all(|r| r.action == "unchanged" && r.status == "Synced")
    );
    assert_eq!(
        cluster.write_count(),
        writes,
        "a steady-state iteration must not write"
    );
    assert_eq!(second.writes + shop_again.writes, 0);
    // The two applications do not prune each other.
    assert!(
        shop_again
            .resources
            .iter()
            .all(|r| r.kind != "Deployment" || r.name != "guestbook-ui")
    );
}

#[tokio::test]
async fn drift_is_reported_and_repaired_by_self_heal() {
    let Some(repo) = gitops_testkit::clone_bundle("argocd-example-apps") else {
        return;
    };
    let cluster = cluster();
    let cache = repo.temp_dir().join("cache");
    let mut guestbook =
        Reconciler::new(&cluster, config(repo.path(), "master", "guestbook", &cache)).unwrap();
    once(&mut guestbook).await;

    let key = ResourceKey::new("apps", "Deployment", Some("default"), "guestbook-ui");
    assert!(cluster.edit(&key, "kubectl-edit", |d| d["spec"]["replicas"] =
        serde_json::json!(5)));
    let repaired = once(&mut guestbook).await;
    let line = repaired.resource("Deployment", "guestbook-ui").unwrap();
    assert_eq!(
        (line.status.as_str(), line.action.as_str()),
        ("OutOfSync", "configured")
    );
    assert_eq!(
        repaired.resource("Service", "guestbook-ui").unwrap().action,
        "unchanged"
    );
    let live = gitops_apply::Applier::get(
        &cluster,
        &gitops_core::GroupVersionKind::new("apps", "v1", "Deployment"),
        Some("default"),
        "guestbook-ui",
    )
    .await
    .unwrap()
    .unwrap();
    assert_eq!(live["spec"]["replicas"], 1);

    // Without self-heal, drift is reported but left alone.
    let mut no_heal_config = config(repo.path(), "master", "guestbook", &cache);
    no_heal_config.self_heal = false;
    let mut watcher = Reconciler::new(&cluster, no_heal_config).unwrap();
    once(&mut watcher).await; // first sight of the revision syncs (nothing to do)
    assert!(cluster.edit(&key, "kubectl-edit", |d| d["spec"]["replicas"] =
        serde_json::json!(3)));
    let reported = once(&mut watcher).await;
    assert_eq!(reported.sync, "OutOfSync");
    assert_eq!(
        reported.resource("Deployment", "guestbook-ui").unwrap().action,
        "unchanged"
    );
}

#[tokio::test]
async fn rollback_to_an_older_commit_converges_and_prunes() {
    let Some(repo) = gitops_testkit::clone_bundle("argocd-example-apps") else {
        return;
    };
    // A new commit on top of master: the guestbook gains a ConfigMap and a new image.
    let work = repo.temp_dir().join("work");
    let status = std::process::Command::new("git")
        .args(["clone", "--quiet"])
        .arg(repo.path())
        .arg(&work)
        .status()
        .unwrap();
    assert!(status.success());
    let deployment = std::fs::read_to_string(work.join("guestbook/guestbook-ui-deployment.yaml")).unwrap();
    let newer = deployment.replace("image: ", "image: registry.example.test/");
    assert_ne!(newer, deployment);
    let extra =
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: guestbook-settings\ndata:\n  theme: dark\n";
    commit_files(
        &work,
        &[
            ("guestbook/guestbook-ui-deployment.yaml", &newer),
            ("guestbook/settings.yaml", extra),
        ],
        "guestbook: settings and a mirrored image",
    )
    .unwrap();
    let push = std::process::Command::new("git")
        .arg("-C")
        .arg(&work)
        .args(["push", "--quiet", "origin", "HEAD:refs/heads/next"])
        .status()
        .unwrap();
    assert!(push.success());

    let cluster = cluster();
    let cache = repo.temp_dir().join("cache");
    let mut guestbook = Reconciler::new(&cluster, config(repo.path(), "next", "guestbook", &cache)).unwrap();
    let newer_report = once(&mut guestbook).await;
    assert_eq!(newer_report.resources.len(), 3);
    assert_eq!(
        newer_report
            .resource("ConfigMap", "guestbook-settings")
            .unwrap()
            .action,
        "created"
    );

    guestbook.set_revision("master");
    let rolled_back = once(&mut guestbook).await;
    assert_ne!(rolled_back.revision, newer_report.revision);
    assert_eq!(
        rolled_back
            .resource("ConfigMap", "guestbook-settings")
            .unwrap()
            .action,
        "deleted"
    );
    assert_eq!(
        rolled_back
            .resource("ConfigMap", "guestbook-settings")
            .unwrap()
            .result,
        "Pruned"
    );
    assert_eq!(
        rolled_back.resource("Deployment", "guestbook-ui").unwrap().action,
        "configured"
    );
    assert_eq!(rolled_back.sync, "Synced");
    let gvk = gitops_core::GroupVersionKind::new("apps", "v1", "Deployment");
    let live = gitops_apply::Applier::get(&cluster, &gvk, Some("default"), "guestbook-ui")
        .await
        .unwrap()
        .unwrap();
    let image = live["spec"]["template"]["spec"]["containers"][0]["image"]
        .as_str()
        .unwrap();
    assert!(!image.starts_with("registry.example.test/"), "{image}");
    let cm = gitops_core::GroupVersionKind::new("", "v1", "ConfigMap");
    assert!(
        gitops_apply::Applier::get(&cluster, &cm, Some("default"), "guestbook-settings")
            .await
            .unwrap()
            .is_none()
    );
}
