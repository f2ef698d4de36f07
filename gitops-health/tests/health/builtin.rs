//! Built-in assessors on hand-written objects (cases the conformance corpus does not cover):
//! `tests/fixtures/objects/<kind>-<state>.yaml`, checked by explicit expectations and by a
//! snapshot of every fixture's health.

use std::{fmt::Write as _, path::PathBuf};

use gitops_health::{Health, HealthStatus, Registry};

fn objects() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/objects")
}

fn assess(file: &str) -> Option<Health> {
    Registry::default()
        .assess(&crate::load_first_document(&objects().join(file)))
        .unwrap()
}

fn expect(file: &str, status: HealthStatus, message: &str) {
    assert_eq!(assess(file), Some(Health::new(status, message)), "{file}");
}

#[test]
fn workloads() {
    use HealthStatus::{Degraded, Healthy, Progressing};
    expect("deployment-healthy.yaml", Healthy, "");
    expect(
        "deployment-available-lagging.yaml",
        Progressing,
        "Waiting for rollout to finish: 1 of 3 updated replicas are available...",
    );
    expect(
        "deployment-generation-pending.yaml",
        Progressing,
        "Waiting for rollout to finish: observed deployment generation less than desired generation",
    );
    expect(
        "statefulset-partitioned.yaml",
        Progressing,
        "Waiting for partitioned roll out to finish: 1 out of 3 new pods have been updated...",
    );
    expect(
        "statefulset-rolling.yaml",
        Progressing,
        "waiting for statefulset rolling update to complete 1 pods at revision db-2...",
    );
    expect(
        "statefulset-unobserved.yaml",
        Progressing,
        "Waiting for statefulset spec update to be observed...",
    );
    expect(
        "daemonset-rolling.yaml",
        Progressing,
        "Waiting for daemon set \"agent\" rollout to finish: 1 out of 3 new pods have been updated...",
    );
    expect(
        "replicaset-failure.yaml",
        Degraded,
        "pods \"web-abc-x\" is forbidden: exceeded quota",
    );
    expect(
        "replicaset-scaling.yaml",
        Progressing,
        "Waiting for rollout to finish: 1 out of 2 new replicas are available...",
    );
    expect("pod-oomkilled.yaml", Degraded, "OOMKilled");
    expect("job-suspended-true.yaml", HealthStatus::Suspended, "");
}

#[test]
fn autoscalers_and_api_services() {
    let bad = assess("hpa-v1-bad-annotation.yaml").unwrap();
    assert_eq!(bad.status, HealthStatus::Unknown);
    assert_eq!(bad.message, "failed to convert conditions annotation to typed");
    expect(
        "hpa-v2-limited.yaml",
        HealthStatus::Healthy,
        "the desired replica count is more than the maximum replica count",
    );
    expect(
        "apiservice-pending.yaml",
        HealthStatus::Progressing,
        "Waiting to be processed",
    );
}

#[test]
fn cronjobs_follow_argo_cd_messages() {
    use HealthStatus::{Degraded, Healthy, Suspended};
    expect("cronjob-suspended.yaml", Suspended, "CronJob is Suspended");
    expect(
        "cronjob-unscheduled.yaml",
        Healthy,
        "CronJob has not been scheduled yet",
    );
    expect(
        "cronjob-running.yaml",
        Healthy,
        "The job is running. Its last execution may not have been successful",
    );
    expect(
        "cronjob-degraded.yaml",
        Degraded,
        "CronJob has not completed its last execution successfully",
    );
    expect(
        "cronjob-healthy.yaml",
        Healthy,
        "CronJob has completed its last execution successfully",
    );
}

#[test]
fn namespaces_and_crds() {
    expect("namespace-active.yaml", HealthStatus::Healthy, "");
    expect(
        "namespace-terminating.yaml",
        HealthStatus::Progressing,
        "Namespace is terminating",
    );
    expect("crd-established.yaml", HealthStatus::Healthy, "CRD is healthy");
    expect(
        "crd-names-rejected.yaml",
        HealthStatus::Degraded,
        "CRD names have not been accepted: \"widgets\" is already in use",
    );
    expect(
        "crd-pending.yaml",
        HealthStatus::Progressing,
        "Status conditions not found",
    );
    assert_eq!(assess("configmap-none.yaml"), None);
}

#[test]
fn every_fixture_snapshot() {
    let mut files: Vec<PathBuf> = std::fs::read_dir(objects())
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    let mut table = String::new();
    for file in files {
        let name = file.file_name().unwrap().to_string_lossy().into_owned();
        let health = assess(&name).map_or_else(|| "(no health)".to_owned(), |h| h.to_string());
        writeln!(table, "{name}: {health}").unwrap();
    }
    insta::assert_snapshot!(table);
}
