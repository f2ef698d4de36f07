//! The reconcile loop over `KubeApplier` and the API server emulator with the live-state cache,
//! as `reconcile --emulator` runs it: a steady-state iteration sends no list, no get and no
//! write, and drift by another field manager is reported by the cache as it happens.

use std::time::Duration;

use gitops_apply::{Applier, ApplyOptions, KubeApplier};
use gitops_core::GroupVersionKind;
use gitops_examples::{
    reconcile::{Reconciler, start_live_cache},
    sample::create_sample_repo,
};
use gitops_testkit::emulator::{Emulator, EmulatorOptions};
use serde_json::json;

use crate::{config, once};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn steady_state_reads_from_the_watch_cache_and_drift_wakes_the_loop() {
    let emulator =
        Emulator::start(EmulatorOptions::default().ready_after(Duration::from_millis(300))).unwrap();
    let applier = KubeApplier::from_config(emulator.kube_config()).unwrap();
    let temp = tempfile::tempdir().unwrap();
    let repo = temp.path().join("sample");
    create_sample_repo(&repo).unwrap();
    let config = config(&repo, "HEAD", ".", &temp.path().join("cache"));
    assert!(
        start_live_cache(&applier, &config, Duration::from_secs(10))
            .await
            .unwrap(),
        "every kind finished its initial list"
    );
    let mut changes = applier.live_changes();
    let mut reconciler = Reconciler::new(&applier, config).unwrap();

    let first = once(&mut reconciler).await;
    assert_eq!(first.health, "Healthy", "{}", first.to_table());
    assert_eq!(first.writes, 6, "{}", first.to_table());

    // Steady state: nothing written, and every read answered by the cache.
    changes.mark_unchanged();
    let before = applier.request_counts();
    let second = once(&mut reconciler).await;
    assert_eq!(second.writes, 0, "{}", second.to_table());
    assert!(second.resources.iter().all(|r| r.action == "unchanged"));
    let after = applier.request_counts();
    assert_eq!(after, before, "no list, get, apply or delete in steady state");
    assert!(
        !changes.has_changed().unwrap(),
        "our own writes are not changes by others"
    );

    // Cached objects are normalized: no managedFields times.
    let cm = GroupVersionKind::new("", "v1", "ConfigMap");
    let cached = applier
        .get(&cm, Some("gitops-sample"), "web-config")
        .await
        .unwrap()
        .unwrap();
    let entries = cached["metadata"]["managedFields"].as_array().unwrap();
    assert!(!entries.is_empty());
    assert!(entries.iter().all(|e| e.get("time").is_none()), "{entries:?}");

    // Drift by someone else arrives as a change, and the next iteration repairs it.
    let other = KubeApplier::from_config(emulator.kube_config()).unwrap();
    let edit = json!({"apiVersion": "v1", "kind": "ConfigMap",
        "metadata": {"name": "web-config", "namespace": "gitops-sample"},
        "data": {"LOG_LEVEL": "debug"}});
    other
        .apply(
            &edit,
            &ApplyOptions::default().field_manager("kubectl-edit").force(true),
        )
        .await
        .unwrap();
    tokio::time::timeout(Duration::from_secs(5), changes.changed())
        .await
        .expect("the watch cache reports the drift within 5 s")
        .unwrap();
    let third = once(&mut reconciler).await;
    let repaired = third.resource("ConfigMap", "web-config").unwrap();
    assert_eq!(repaired.status, "OutOfSync");
    assert_eq!(repaired.action, "configured");
    let live = other
        .get(&cm, Some("gitops-sample"), "web-config")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(live["data"]["LOG_LEVEL"], "info");
}
