//! The behaviour suite on `KubeApplier` talking to gitops-testkit's API server emulator over
//! real HTTP, plus a sync under injected faults.

use std::time::Duration;

use gitops_apply::{KubeApplier, SyncOutcome, sync};
use gitops_testkit::emulator::{Emulator, EmulatorOptions, FaultAction, FaultRule};

use crate::{
    suite,
    support::{emulator, fast, kube_applier, live, options},
};

fn applier(emulator: &Emulator) -> KubeApplier {
    kube_applier(emulator, fast())
}

macro_rules! on_emulator {
    ($($name:ident),* $(,)?) => {
        $(
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $name() {
                let emulator = emulator();
                suite::$name(&applier(&emulator)).await;
            }
        )*
    };
}

suite::for_each_scenario!(on_emulator);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sock_shop_converges_under_injected_faults() {
    let Some(desired) = crate::support::example_app("sock-shop/base") else {
        return;
    };
    let emulator = Emulator::start(
        EmulatorOptions::default()
            .ready_after(Duration::from_millis(100))
            .seed(42),
    )
    .unwrap();
    // 10% of requests fail: 5% with 500, 5% with 429; the seed makes the run repeatable.
    emulator.inject(FaultRule::new(FaultAction::InternalError).rate(0.05));
    emulator.inject(FaultRule::new(FaultAction::TooManyRequests { retry_after: 0 }).rate(0.05));
    let applier = applier(&emulator);
    let report = sync(&applier, &desired, &options("sock-shop")).await.unwrap();
    assert_eq!(report.outcome, SyncOutcome::Succeeded, "{}", report.message);
    let faulted = emulator.fault_hits();
    emulator.clear_faults();
    assert!(faulted > 0, "the injected faults answered some requests");
    assert_eq!(report.resources.len(), 29);
    for r in &report.resources {
        let found = live(
            &applier,
            &r.key.group,
            "v1",
            &r.key.kind,
            r.key.namespace.as_deref(),
            &r.key.name,
        )
        .await;
        assert!(found.is_some(), "{} missing", r.key);
    }
    assert!(
        report
            .resources
            .iter()
            .all(|r| r.result_code() == gitops_apply::ResultCode::Synced),
        "nothing pruned, nothing failed"
    );
    // Exactly once: a second sync sees everything in sync.
    let again = sync(&applier, &desired, &options("sock-shop")).await.unwrap();
    assert_eq!(again.resources.len(), 29);
    assert!(
        again.resources.iter().all(|r| r.status.as_str() == "Synced"),
        "{:?}",
        again.resources
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn steady_state_sync_with_the_watch_cache_lists_and_writes_nothing() {
    let emulator = emulator();
    let applier = applier(&emulator);
    let desired = crate::support::set(
        "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: steady, namespace: default}\ndata: {a: '1'}\n---\n\
         apiVersion: v1\nkind: Service\nmetadata: {name: steady, namespace: default}\nspec: {ports: [{port: 80}]}\n",
    );
    let kinds: Vec<_> = gitops_apply::Applier::api_resources(&applier)
        .await
        .unwrap()
        .into_iter()
        .map(|r| r.gvk)
        .collect();
    applier.watch(&kinds, None).await.unwrap();
    assert!(
        applier.wait_synced(&kinds, Duration::from_secs(20)).await,
        "every watched kind synced"
    );
    let first = sync(&applier, &desired, &options("steady")).await.unwrap();
    assert_eq!(first.outcome, SyncOutcome::Succeeded, "{}", first.message);
    let before = applier.request_counts();
    let again = sync(&applier, &desired, &options("steady")).await.unwrap();
    let after = applier.request_counts();
    assert_eq!(again.writes, 0);
    assert_eq!(again.resources.len(), first.resources.len());
    assert!(
        again.resources.iter().all(|r| r.action.as_str() == "unchanged"),
        "{:?}",
        again.resources
    );
    assert_eq!(after.lists, before.lists, "lists are answered by the watch cache");
    assert_eq!(after.gets, before.gets, "gets are answered by the watch cache");
    assert_eq!(
        after.applies, before.applies,
        "nothing is applied in a steady state"
    );
}
