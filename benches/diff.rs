//! gitops-diff benchmarks:
//! (a) diff of an unchanged Deployment (live with managedFields and status) against a plain
//!     `serde_json::Value` equality check of the same pair (goal: at most 3x);
//! (b) `merge::apply` of a Pod against cloning the Pod `Value` (goal: under 30 µs per apply;
//!     Go's structured-merge-diff takes about 340 µs);
//! (c) `diff_set` over 10,000 objects.

#![allow(clippy::expect_used, reason = "benchmark set-up on fixed, valid objects")]

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use gitops_core::{Manifest, ManifestSet};
use gitops_diff::{DiffOptions, ResourceState, SetOptions, SyncStatus, diff, diff_set, merge};
use serde_json::{Value, json};

fn deployment(name: &str) -> Value {
    json!({"apiVersion": "apps/v1", "kind": "Deployment",
        "metadata": {"name": name, "namespace": "shop", "labels": {"app": name, "tier": "web"},
            "annotations": {"team": "storefront"}},
        "spec": {"replicas": 3, "selector": {"matchLabels": {"app": name}},
            "template": {"metadata": {"labels": {"app": name, "tier": "web"}},
                "spec": {"containers": [
                    {"name": "app", "image": "nginx:1.27", "ports": [{"containerPort": 8080, "name": "http"}],
                     "env": [{"name": "MODE", "value": "prod"}, {"name": "LOG", "value": "info"}],
                     "resources": {"requests": {"cpu": "250m", "memory": "64Mi"}, "limits": {"memory": "128Mi"}},
                     "readinessProbe": {"httpGet": {"path": "/healthz", "port": 8080}}},
                    {"name": "sidecar", "image": "envoy:1.30", "args": ["--config", "/etc/envoy.yaml"]}],
                    "volumes": [{"name": "cfg", "configMap": {"name": name}}]}}}})
}

/// The live counterpart: applied by our manager, server defaults, status.
fn live_deployment(name: &str) -> Value {
    let mut live = merge::apply(None, &deployment(name), "gitops-rs", false)
        .expect("fresh apply cannot conflict")
        .object;
    gitops_diff::apply_server_defaults(&mut live);
    let meta = &mut live["metadata"];
    meta["uid"] = json!("0b7c3f1e-1c2d-4e5f-8a9b-0c1d2e3f4a5b");
    meta["resourceVersion"] = json!("123456");
    meta["generation"] = json!(4);
    meta["creationTimestamp"] = json!("2026-01-01T00:00:00Z");
    live["status"] = json!({"observedGeneration": 4, "replicas": 3, "readyReplicas": 3, "availableReplicas": 3,
        "conditions": [{"type": "Available", "status": "True", "reason": "MinimumReplicasAvailable"},
                       {"type": "Progressing", "status": "True", "reason": "NewReplicaSetAvailable"}]});
    live
}

fn pod() -> Value {
    json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "web-0", "namespace": "shop", "labels": {"app": "web"}},
        "spec": {"containers": [
            {"name": "app", "image": "nginx:1.27", "ports": [{"containerPort": 8080}, {"containerPort": 9090, "protocol": "UDP"}],
             "env": [{"name": "A", "value": "1"}, {"name": "B", "value": "2"}],
             "resources": {"requests": {"cpu": "100m"}}, "volumeMounts": [{"name": "cfg", "mountPath": "/etc/cfg"}]},
            {"name": "sidecar", "image": "envoy:1.30"}],
            "volumes": [{"name": "cfg", "configMap": {"name": "web"}}],
            "tolerations": [{"key": "k", "operator": "Exists"}]}})
}

fn bench_unchanged_deployment(c: &mut Criterion) {
    let desired = deployment("web");
    let live = live_deployment("web");
    let options = DiffOptions::default();
    assert!(!diff(&desired, &live, &options).expect("valid objects").modified);
    let mut group = c.benchmark_group("a_unchanged_deployment");
    group.bench_function("gitops_diff::diff", |b| {
        b.iter(|| diff(black_box(&desired), black_box(&live), &options));
    });
    group.bench_function("gitops_diff::is_modified", |b| {
        b.iter(|| gitops_diff::is_modified(black_box(&desired), black_box(&live), &options));
    });
    // Equality of the pair stops at the first difference (desired has no status); equality of
    // live with a copy of itself walks the whole object.
    let live_copy = live.clone();
    group.bench_function("serde_json_value_eq_full_walk", |b| {
        b.iter(|| black_box(&live) == black_box(&live_copy));
    });
    group.bench_function("serde_json_value_eq", |b| {
        b.iter(|| black_box(&desired) == black_box(&live));
    });
    group.finish();
}

fn bench_apply_pod(c: &mut Criterion) {
    let config = pod();
    let live = merge::apply(None, &config, "gitops-rs", false)
        .expect("fresh apply cannot conflict")
        .object;
    let mut changed = config.clone();
    changed["spec"]["containers"][0]["image"] = json!("nginx:1.28");
    let mut group = c.benchmark_group("b_merge_apply_pod");
    group.bench_function("apply_create", |b| {
        b.iter(|| merge::apply(None, black_box(&config), "gitops-rs", false));
    });
    group.bench_function("apply_update", |b| {
        b.iter(|| merge::apply(Some(black_box(&live)), black_box(&changed), "gitops-rs", false));
    });
    group.bench_function("clone_pod_value", |b| b.iter(|| black_box(&live).clone()));
    group.finish();
}

fn bench_diff_set(c: &mut Criterion) {
    let n = 10_000;
    let desired = ManifestSet::from_manifests((0..n).map(|i| {
        Manifest::from_value(json!({"apiVersion": "v1", "kind": "ConfigMap",
            "metadata": {"name": format!("cm-{i}"), "namespace": "shop", "labels": {"app": "shop"}},
            "data": {"key": format!("value-{i}"), "mode": "prod"}}))
        .expect("valid manifest")
    }))
    .expect("unique keys");
    // 1% drifted, 1% missing, 1% extraneous.
    let live: Vec<Value> = (0..n)
        .filter(|i| i % 100 != 1)
        .map(|i| {
            let value = if i % 100 == 0 {
                "drifted".to_owned()
            } else {
                format!("value-{i}")
            };
            json!({"apiVersion": "v1", "kind": "ConfigMap",
                "metadata": {"name": format!("cm-{i}"), "namespace": "shop", "labels": {"app": "shop"},
                    "uid": format!("uid-{i}"), "resourceVersion": "1"},
                "data": {"key": value, "mode": "prod"}})
        })
        .chain((0..n / 100).map(|i| {
            json!({"apiVersion": "v1", "kind": "ConfigMap",
            "metadata": {"name": format!("old-{i}"), "namespace": "shop"}})
        }))
        .collect();
    let options = SetOptions::default();
    let report = diff_set(&desired, &live, &options).expect("valid objects");
    let count = |state| report.in_state(state).count();
    assert_eq!(count(ResourceState::Synced), n - 200);
    assert_eq!(count(ResourceState::OutOfSync), n / 100);
    assert_eq!(count(ResourceState::Missing), n / 100);
    assert_eq!(count(ResourceState::RequiresPruning), n / 100);
    assert_eq!(report.resources.len(), n + n / 100);
    assert_eq!(report.status, SyncStatus::OutOfSync);
    let mut group = c.benchmark_group("c_diff_set");
    group.sample_size(10);
    group.bench_function("10000_objects", |b| {
        b.iter(|| diff_set(black_box(&desired), black_box(&live), &options));
    });
    group.finish();
}

criterion_group!(
    benches,
    bench_unchanged_deployment,
    bench_apply_pod,
    bench_diff_set
);
criterion_main!(benches);
