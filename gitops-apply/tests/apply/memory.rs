//! The behaviour suite on the in-memory cluster, plus in-memory specifics.

use std::time::Duration;

use gitops_apply::{Applier, ApplyOptions, InMemoryCluster, InMemoryOptions};
use serde_json::json;

use crate::suite;

fn cluster() -> InMemoryCluster {
    InMemoryCluster::with_options(InMemoryOptions::default().ready_after(Duration::from_millis(100)))
}

macro_rules! on_memory {
    ($($name:ident),* $(,)?) => {
        $(
            #[tokio::test]
            async fn $name() {
                suite::$name(&cluster()).await;
            }
        )*
    };
}

suite::for_each_scenario!(on_memory);

#[tokio::test]
async fn apply_is_idempotent_and_bumps_generation_on_spec_changes_only() {
    let cluster = cluster();
    let d = json!({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "w", "namespace": "default"},
        "spec": {"replicas": 1, "selector": {"matchLabels": {"a": "b"}}, "template": {"metadata": {"labels": {"a": "b"}}}}});
    let first = cluster.apply(&d, &ApplyOptions::default()).await.unwrap();
    let writes = cluster.write_count();
    let again = cluster.apply(&d, &ApplyOptions::default()).await.unwrap();
    assert_eq!(cluster.write_count(), writes);
    assert_eq!(first["metadata"]["uid"], again["metadata"]["uid"]);
    let mut labelled = d.clone();
    labelled["metadata"]["labels"] = json!({"x": "y"});
    let relabelled = cluster.apply(&labelled, &ApplyOptions::default()).await.unwrap();
    assert_eq!(
        relabelled["metadata"]["generation"], 1,
        "metadata changes do not bump generation"
    );
    let mut scaled = labelled.clone();
    scaled["spec"]["replicas"] = json!(3);
    let scaled = cluster.apply(&scaled, &ApplyOptions::default()).await.unwrap();
    assert_eq!(scaled["metadata"]["generation"], 2);
    let rv = |v: &serde_json::Value| {
        v["metadata"]["resourceVersion"]
            .as_str()
            .unwrap()
            .parse::<u64>()
            .unwrap()
    };
    assert!(rv(&scaled) > rv(&relabelled));
}

#[tokio::test]
async fn namespaces_scope_and_deletion_cascade() {
    let cluster = cluster();
    let cm = json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c", "namespace": "shop"}});
    let err = cluster.apply(&cm, &ApplyOptions::default()).await.unwrap_err();
    assert!(err.to_string().contains("namespace \"shop\" not found"), "{err}");
    let ns = json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "shop"}});
    cluster.apply(&ns, &ApplyOptions::default()).await.unwrap();
    cluster.apply(&cm, &ApplyOptions::default()).await.unwrap();
    let bad =
        json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "x", "namespace": "shop"}});
    assert!(cluster.apply(&bad, &ApplyOptions::default()).await.is_err());
    let ns_gvk = gitops_core::GroupVersionKind::new("", "v1", "Namespace");
    assert!(
        cluster
            .delete(&ns_gvk, None, "shop", &gitops_apply::DeleteOptions::default())
            .await
            .unwrap()
    );
    let cm_gvk = gitops_core::GroupVersionKind::new("", "v1", "ConfigMap");
    assert!(cluster.get(&cm_gvk, Some("shop"), "c").await.unwrap().is_none());
}

#[tokio::test]
async fn watch_has_nothing_to_cache_but_checks_its_arguments() {
    let cluster = cluster();
    let cm = gitops_core::GroupVersionKind::new("", "v1", "ConfigMap");
    let dynamic: &dyn Applier = &cluster;
    dynamic
        .watch(std::slice::from_ref(&cm), Some("app=web"))
        .await
        .unwrap();
    let unknown = gitops_core::GroupVersionKind::new("example.test", "v1", "Gadget");
    assert!(matches!(
        dynamic.watch(&[unknown], None).await,
        Err(gitops_apply::Error::UnknownKind { .. })
    ));
    assert!(matches!(
        dynamic.watch(&[cm], Some("=bad")).await,
        Err(gitops_apply::Error::InvalidSelector { .. })
    ));
}
