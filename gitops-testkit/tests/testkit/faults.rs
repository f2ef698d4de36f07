//! Fault injection seen through `kube::Client`.

use std::time::{Duration, Instant};

use gitops_testkit::emulator::{FaultAction, FaultRule};
use k8s_openapi::api::core::v1::{ConfigMap, Namespace};
use kube::Api;

use crate::{client::api_error, emulator};

#[tokio::test(flavor = "multi_thread")]
async fn internal_errors_conflicts_and_delays() {
    let emulator = emulator();
    let namespaces: Api<Namespace> = Api::all(emulator.client().unwrap());
    emulator.inject(
        FaultRule::new(FaultAction::InternalError)
            .verb("get")
            .resource("namespaces")
            .times(1),
    );
    let err = api_error(namespaces.get("default").await.unwrap_err());
    assert_eq!(err.code, 500);
    assert!(namespaces.get("default").await.is_ok(), "the rule fired once");
    assert_eq!(emulator.fault_hits(), 1);
    emulator.inject(FaultRule::new(FaultAction::Conflict).verb("list").times(1));
    assert_eq!(
        api_error(
            namespaces
                .list(&kube::api::ListParams::default())
                .await
                .unwrap_err()
        )
        .code,
        409
    );
    emulator.inject(
        FaultRule::new(FaultAction::Delay(Duration::from_millis(300)))
            .verb("get")
            .times(1),
    );
    let start = Instant::now();
    namespaces.get("default").await.unwrap();
    assert!(start.elapsed() >= Duration::from_millis(300));
    emulator.inject(FaultRule::new(FaultAction::InternalError).resource("configmaps"));
    let hits = emulator.fault_hits();
    assert!(
        namespaces.get("default").await.is_ok(),
        "other resources are unaffected"
    );
    assert_eq!(emulator.fault_hits(), hits, "no rule fired on the namespace");
    let mut config = emulator.kube_config();
    config.default_retry = false;
    let maps: Api<ConfigMap> = Api::namespaced(kube::Client::try_from(config).unwrap(), "default");
    assert_eq!(api_error(maps.get("absent").await.unwrap_err()).code, 500);
    assert_eq!(emulator.fault_hits(), hits + 1, "the configmaps rule fired");
    emulator.clear_faults();
    assert_eq!(api_error(maps.get("absent").await.unwrap_err()).code, 404);
}

#[tokio::test(flavor = "multi_thread")]
async fn too_many_requests_carries_retry_after_and_kube_retries() {
    let emulator = emulator();
    let namespaces: Api<Namespace> = Api::all(emulator.client().unwrap());
    emulator.inject(
        FaultRule::new(FaultAction::TooManyRequests { retry_after: 1 })
            .verb("get")
            .times(1),
    );
    // kube's default retry policy retries 429s, so the second attempt succeeds.
    assert!(namespaces.get("default").await.is_ok());
    let mut config = emulator.kube_config();
    config.default_retry = false;
    let no_retry: Api<Namespace> = Api::all(kube::Client::try_from(config).unwrap());
    emulator.inject(
        FaultRule::new(FaultAction::TooManyRequests { retry_after: 7 })
            .verb("get")
            .times(1),
    );
    let err = api_error(no_retry.get("default").await.unwrap_err());
    assert_eq!(err.code, 429);
    assert_eq!(err.details.unwrap().retry_after_seconds, 7);
}

#[tokio::test(flavor = "multi_thread")]
async fn rate_faults_are_repeatable_for_a_seed() {
    use gitops_testkit::emulator::{Emulator, EmulatorOptions};
    async fn outcomes(seed: u64) -> Vec<bool> {
        let emulator = Emulator::start(EmulatorOptions::default().seed(seed).controllers(false)).unwrap();
        let mut config = emulator.kube_config();
        config.default_retry = false;
        let namespaces: Api<Namespace> = Api::all(kube::Client::try_from(config).unwrap());
        emulator.inject(FaultRule::new(FaultAction::InternalError).verb("get").rate(0.5));
        let mut out = Vec::new();
        for _ in 0..20 {
            out.push(namespaces.get("default").await.is_ok());
        }
        out
    }
    let first = outcomes(7).await;
    assert_eq!(first, outcomes(7).await);
    assert!(
        first.iter().any(|ok| *ok) && first.iter().any(|ok| !*ok),
        "{first:?}"
    );
}
