//! The API server emulator over loopback: requests per second for a GET and a server-side apply
//! of a Deployment through `kube::Client`, and the memory cost of 10,000 stored objects (printed
//! once: process RSS growth and compact-JSON size per object).

#![allow(missing_docs, reason = "criterion_group! generates undocumented functions")]
#![allow(
    clippy::expect_used,
    reason = "benchmark set-up against a local emulator that cannot refuse"
)]

use std::time::Duration;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use gitops_benches::{emulator, runtime};
use k8s_openapi::api::{apps::v1::Deployment, core::v1::ConfigMap};
use kube::{
    Api,
    api::{Patch, PatchParams, PostParams},
};
use serde_json::json;

fn deployment(replicas: i64) -> serde_json::Value {
    json!({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web", "labels": {"app": "web"}},
           "spec": {"replicas": replicas, "selector": {"matchLabels": {"app": "web"}},
                    "template": {"metadata": {"labels": {"app": "web"}},
                                 "spec": {"containers": [{"name": "web", "image": "nginx:1.27",
                                                          "ports": [{"containerPort": 80}],
                                                          "env": [{"name": "MODE", "value": "bench"}]}]}}}})
}

fn requests(c: &mut Criterion) {
    let emulator = emulator();
    let rt = runtime();
    let api: Api<Deployment> =
        rt.block_on(async { Api::default_namespaced(emulator.client().expect("client")) });
    rt.block_on(api.patch("web", &PatchParams::apply("bench"), &Patch::Apply(deployment(1))))
        .expect("apply");
    let mut group = c.benchmark_group("emulator");
    group.throughput(Throughput::Elements(1));
    group.bench_function("get_deployment", |b| {
        b.iter(|| rt.block_on(api.get("web")).expect("get"));
    });
    let mut replicas = 0;
    group.bench_function("server_side_apply_deployment", |b| {
        b.iter(|| {
            // Alternate the spec so every apply is a real write (generation bump, event).
            replicas = (replicas + 1) % 5;
            rt.block_on(api.patch(
                "web",
                &PatchParams::apply("bench"),
                &Patch::Apply(deployment(replicas + 1)),
            ))
            .expect("apply")
        });
    });
    group.finish();
}

/// Resident set size of this process in bytes (Linux `/proc/self/statm`), if readable.
fn rss_bytes() -> Option<u64> {
    let statm = std::fs::read_to_string("/proc/self/statm").ok()?;
    let pages: u64 = statm.split_whitespace().nth(1)?.parse().ok()?;
    Some(pages * 4096)
}

fn memory_per_10k_objects(c: &mut Criterion) {
    const OBJECTS: usize = 10_000;
    let rt = runtime();
    let before = rss_bytes();
    let emulator = emulator();
    let api: Api<ConfigMap> =
        rt.block_on(async { Api::default_namespaced(emulator.client().expect("client")) });
    rt.block_on(async {
        for i in 0..OBJECTS {
            let cm = serde_json::from_value(json!({"metadata": {"name": format!("cm-{i:05}"), "labels": {"app": "bench", "shard": (i % 16).to_string()}},
                                                   "data": {"config.yaml": "key: value\nother: 42\n", "mode": "bench"}}))
                .expect("a ConfigMap");
            api.create(&PostParams::default(), &cm).await.expect("create");
        }
    });
    let after = rss_bytes();
    let json = emulator.stored_json_bytes();
    let count = emulator.object_count();
    if let (Some(before), Some(after)) = (before, after) {
        eprintln!(
            "emulator memory: {count} objects stored; RSS growth {} bytes/object (includes the server runtime and the client); {} bytes/object as compact JSON",
            after.saturating_sub(before) / OBJECTS as u64,
            json / count.max(1)
        );
    }
    let mut group = c.benchmark_group("emulator_10k");
    group.sample_size(10).measurement_time(Duration::from_secs(5));
    group.bench_function("list_10k_configmaps", |b| {
        b.iter(|| {
            rt.block_on(api.list(&kube::api::ListParams::default()))
                .expect("list")
                .items
                .len()
        });
    });
    group.finish();
}

criterion_group!(benches, requests, memory_per_10k_objects);
criterion_main!(benches);
