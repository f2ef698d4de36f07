//! The sync engine over `KubeApplier` against gitops-testkit's API server emulator, compared with
//! `kubectl apply --server-side -f` of the same files into the same emulator build:
//!
//! - `sync_1000/first_sync/gitops_rs`: a first sync of 1,000 generated objects (4 Namespaces and
//!   332 each of ConfigMap, Service and Deployment, spread over them) into a fresh emulator, the
//!   applier built, the files read and parsed inside the measured time;
//! - `sync_1000/first_sync/gitops_rs_watch_cache`: the same with the live-state cache started
//!   first ([`KubeApplier::watch_all`]), as a controller runs;
//! - `sync_1000/first_sync/kubectl_server_side`: `kubectl apply --server-side -f <dir>` of the
//!   same files into a fresh emulator (skipped with a message when kubectl is missing);
//! - `sync_1000/steady_state/{list,watch_cache}`: a re-sync with no drift, without and with the
//!   live-state cache. The set-up asserts (with [`KubeApplier::request_counts`]) that it makes no
//!   write, and with the cache no list and no get.
//!
//! Every first-sync iteration ends with all 1,000 objects stored (checked outside the measured
//! time). At the end the median of each first-sync case and the kubectl/gitops-rs ratio are
//! printed. Neither side waits for health (simulated controllers off,
//! `wait_for_final_health(false)`).
//!
//! Where the time goes (2 shared cores, emulator in-process, measured with request counts and
//! `perf`, `kubectl -v=6`): kubectl sends 4 discovery/OpenAPI GETs, then one server-side apply
//! per object, one after the other, and spends most of its ~4 ms per object in its own process
//! (CPU time ≈ wall time; the emulator's share of each apply is ~0.2 ms).
//! gitops-rs sends per object one GET in the comparison and one in the report (sequential,
//! ~0.1-0.3 ms each on loopback), one apply (16 in flight), plus ~38 lists (one per served kind,
//! prune candidates) and the parse of the 1,000 files (~0.1 ms per object). Fetching the two
//! GET passes concurrently saved another ~10% (measured on a copy of the sync engine); with the
//! watch cache the report's GETs are answered from memory.

#![allow(missing_docs, reason = "criterion_group! generates undocumented functions")]
#![allow(
    clippy::expect_used,
    reason = "benchmark set-up against a local emulator that cannot refuse"
)]

use std::{
    collections::BTreeMap,
    path::{Path, PathBuf},
    process::{Command, Stdio},
    sync::Mutex,
    time::{Duration, Instant},
};

use criterion::{Criterion, SamplingMode, Throughput, criterion_group, criterion_main};
use gitops_apply::{KubeApplier, SyncEngine, SyncOptions, SyncOutcome};
use gitops_benches::{emulator, runtime};
use gitops_core::{ManifestSet, load_bytes};
use gitops_testkit::emulator::Emulator;
use serde_json::{Value, json};

/// Objects per sync.
const OBJECTS: usize = 1_000;
/// Namespaces the objects are spread over (themselves part of the 1,000).
const NAMESPACES: usize = 4;
/// The application name written into the tracking label.
const APP: &str = "bench";

/// Medians of the first-sync cases, printed at the end as a ratio.
static TIMES: Mutex<BTreeMap<&'static str, Vec<Duration>>> = Mutex::new(BTreeMap::new());

/// The generated objects, in the order of their file names (Namespaces first, so that
/// `kubectl apply -f <dir>`, which applies files in name order, can create the rest).
fn objects() -> Vec<Value> {
    let mut out: Vec<Value> = (0..NAMESPACES)
        .map(|n| json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": format!("bench-{n}")}}))
        .collect();
    for i in 0..OBJECTS - NAMESPACES {
        let namespace = format!("bench-{}", i % NAMESPACES);
        let app = format!("app-{:03}", i / 3);
        let labels =
            json!({"app.kubernetes.io/name": app, "app.kubernetes.io/part-of": "bench", "tier": "web"});
        out.push(match i % 3 {
            0 => json!({"apiVersion": "v1", "kind": "ConfigMap",
                "metadata": {"name": format!("{app}-config"), "namespace": namespace, "labels": labels},
                "data": {"application.yaml": format!("server:\n  port: 8080\n  name: {app}\nlogging:\n  level: info\n"),
                         "MODE": "production", "REPLICA_HINT": (i % 5).to_string()}}),
            1 => json!({"apiVersion": "v1", "kind": "Service",
                "metadata": {"name": app, "namespace": namespace, "labels": labels},
                "spec": {"selector": {"app.kubernetes.io/name": app},
                         "ports": [{"name": "http", "port": 80, "targetPort": 8080, "protocol": "TCP"}]}}),
            _ => json!({"apiVersion": "apps/v1", "kind": "Deployment",
                "metadata": {"name": app, "namespace": namespace, "labels": labels},
                "spec": {"replicas": 2, "selector": {"matchLabels": {"app.kubernetes.io/name": app}},
                    "template": {"metadata": {"labels": labels},
                        "spec": {"containers": [{"name": "app", "image": format!("registry.example.com/{app}:1.{}", i % 7),
                            "ports": [{"name": "http", "containerPort": 8080}],
                            "env": [{"name": "MODE", "value": "production"}, {"name": "APP", "value": app}],
                            "resources": {"requests": {"cpu": "100m", "memory": "128Mi"},
                                          "limits": {"cpu": "500m", "memory": "256Mi"}},
                            "readinessProbe": {"httpGet": {"path": "/healthz", "port": "http"}}}]}}}}),
        });
    }
    out
}

/// Writes one YAML file per object into `dir` and returns their paths in name order.
fn write_files(dir: &Path) -> Vec<PathBuf> {
    objects()
        .iter()
        .enumerate()
        .map(|(i, object)| {
            let kind = object["kind"].as_str().expect("a kind").to_lowercase();
            let name = object["metadata"]["name"].as_str().expect("a name");
            let path = dir.join(format!("{i:04}-{kind}-{name}.yaml"));
            let yaml = serde_saphyr::to_string(object).expect("YAML of a generated object");
            std::fs::write(&path, yaml).expect("write a manifest");
            path
        })
        .collect()
}

/// Reads and parses the files, as a GitOps tool reads a checkout.
fn load(files: &[PathBuf]) -> ManifestSet {
    let mut manifests = Vec::with_capacity(files.len());
    for file in files {
        let bytes = std::fs::read(file).expect("read a manifest");
        manifests.extend(load_bytes(&bytes, &file.to_string_lossy()).expect("a valid manifest"));
    }
    ManifestSet::from_manifests(manifests).expect("unique keys")
}

fn options() -> SyncOptions {
    // kubectl does not wait for health either.
    SyncOptions::new(APP).wait_for_final_health(false)
}

fn kubectl_available() -> bool {
    Command::new("kubectl")
        .args(["version", "--client"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

/// Starts the live-state cache for the application's objects of every served kind and waits
/// for the initial lists, as a controller does before its first sync.
async fn start_watch_cache(applier: &KubeApplier, options: &SyncOptions) {
    let selector = options.tracking.label_selector(APP);
    let kinds = applier
        .watch_all(selector.as_deref())
        .await
        .expect("watches start");
    assert!(applier.wait_synced(&kinds, Duration::from_secs(30)).await);
}

/// One first sync by gitops-rs into `emulator` (applier built and files parsed inside).
async fn gitops_first_sync(emulator: &Emulator, files: &[PathBuf], watch: bool) {
    let applier = KubeApplier::from_config(emulator.kube_config()).expect("applier");
    let options = options();
    if watch {
        start_watch_cache(&applier, &options).await;
    }
    let desired = load(files);
    let report = SyncEngine::new(&applier)
        .sync(&desired, &options)
        .await
        .expect("sync");
    assert_eq!(report.outcome, SyncOutcome::Succeeded, "{}", report.message);
    assert_eq!(report.writes, OBJECTS, "every object written once");
}

fn kubectl_apply(kubeconfig: &Path, cache: &Path, dir: &Path) {
    let out = Command::new("kubectl")
        .arg("--kubeconfig")
        .arg(kubeconfig)
        .arg("--cache-dir")
        .arg(cache)
        .args(["apply", "--server-side", "-f"])
        .arg(dir)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .output()
        .expect("kubectl runs");
    assert!(
        out.status.success(),
        "kubectl apply failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Times `iters` runs of `run` against a fresh emulator each, checking afterwards that the
/// 1,000 objects are stored.
fn timed(case: &'static str, iters: u64, mut run: impl FnMut(&Emulator)) -> Duration {
    let mut total = Duration::ZERO;
    for _ in 0..iters {
        let emulator = emulator();
        let before = emulator.object_count();
        let started = Instant::now();
        run(&emulator);
        let took = started.elapsed();
        total += took;
        // Namespaces the emulator starts with (default, kube-system, ...) are not ours.
        assert_eq!(
            emulator.object_count() - before,
            OBJECTS,
            "{case}: every object stored"
        );
        TIMES
            .lock()
            .expect("no poisoned lock")
            .entry(case)
            .or_default()
            .push(took);
    }
    total
}

fn first_sync(c: &mut Criterion) {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let files = write_files(dir.path());
    assert_eq!(files.len(), OBJECTS);
    let rt = runtime();
    let mut group = c.benchmark_group("sync_1000/first_sync");
    // Flat sampling: 10 samples of one iteration each when an iteration takes seconds.
    group
        .sampling_mode(SamplingMode::Flat)
        .sample_size(10)
        .measurement_time(Duration::from_secs(20))
        .warm_up_time(Duration::from_secs(1))
        .throughput(Throughput::Elements(OBJECTS as u64));
    group.bench_function("gitops_rs", |b| {
        b.iter_custom(|iters| {
            timed("gitops_rs", iters, |emulator| {
                rt.block_on(gitops_first_sync(emulator, &files, false));
            })
        });
    });
    group.bench_function("gitops_rs_watch_cache", |b| {
        b.iter_custom(|iters| {
            timed("gitops_rs_watch_cache", iters, |emulator| {
                rt.block_on(gitops_first_sync(emulator, &files, true));
            })
        });
    });
    if kubectl_available() {
        let kubeconfig = dir.path().join("kubeconfig");
        let cache = tempfile::tempdir().expect("a kubectl cache directory");
        group.bench_function("kubectl_server_side", |b| {
            b.iter_custom(|iters| {
                timed("kubectl_server_side", iters, |emulator| {
                    emulator
                        .write_kubeconfig(&kubeconfig)
                        .expect("write the kubeconfig");
                    kubectl_apply(&kubeconfig, cache.path(), dir.path());
                })
            });
        });
    } else {
        eprintln!("SKIPPED: kubectl is not installed; sync_1000/first_sync/kubectl_server_side not measured");
    }
    group.finish();
    print_ratio();
}

fn print_ratio() {
    let times = TIMES.lock().expect("no poisoned lock");
    let median = |case: &str| {
        times.get(case).map(|t| {
            let mut t = t.clone();
            t.sort();
            t[t.len() / 2]
        })
    };
    for case in times.keys() {
        if let Some(m) = median(case) {
            eprintln!(
                "first sync of {OBJECTS} objects, {case}: median {m:?} ({:.0} µs/object, {} runs)",
                m.as_secs_f64() * 1e6 / OBJECTS as f64,
                times[case].len()
            );
        }
    }
    if let (Some(ours), Some(kubectl)) = (median("gitops_rs"), median("kubectl_server_side")) {
        eprintln!(
            "kubectl apply --server-side / gitops-rs sync: {:.1}x",
            kubectl.as_secs_f64() / ours.as_secs_f64()
        );
    }
}

fn steady_state(c: &mut Criterion) {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let files = write_files(dir.path());
    let desired = load(&files);
    let rt = runtime();
    let emulator = emulator();
    let options = options();
    let (listing, cached) = rt.block_on(async {
        let listing = KubeApplier::from_config(emulator.kube_config()).expect("applier");
        gitops_first_sync(&emulator, &files, false).await;
        let cached = KubeApplier::from_config(emulator.kube_config()).expect("applier");
        start_watch_cache(&cached, &options).await;
        for (applier, watch) in [(&listing, false), (&cached, true)] {
            // The first call fills the discovery cache; the second is the one checked.
            SyncEngine::new(applier)
                .sync(&desired, &options)
                .await
                .expect("sync");
            let before = applier.request_counts();
            let report = SyncEngine::new(applier)
                .sync(&desired, &options)
                .await
                .expect("sync");
            let after = applier.request_counts();
            assert_eq!(report.writes, 0, "a steady state writes nothing");
            assert_eq!(after.applies, before.applies, "no apply in a steady state");
            assert_eq!(after.deletes, before.deletes, "no delete in a steady state");
            if watch {
                assert_eq!(after.lists, before.lists, "the watch cache answers lists");
                assert_eq!(after.gets, before.gets, "the watch cache answers gets");
            }
            eprintln!(
                "steady state ({}): {} gets, {} lists, {} applies, {} deletes per sync of {OBJECTS} objects",
                if watch { "watch cache" } else { "no cache" },
                after.gets - before.gets,
                after.lists - before.lists,
                after.applies - before.applies,
                after.deletes - before.deletes,
            );
        }
        (listing, cached)
    });
    let mut group = c.benchmark_group("sync_1000/steady_state");
    group
        .sampling_mode(SamplingMode::Flat)
        .sample_size(10)
        .measurement_time(Duration::from_secs(10))
        .throughput(Throughput::Elements(OBJECTS as u64));
    for (name, applier) in [("list", &listing), ("watch_cache", &cached)] {
        group.bench_function(name, |b| {
            b.iter(|| {
                let report = rt
                    .block_on(SyncEngine::new(applier).sync(&desired, &options))
                    .expect("sync");
                assert_eq!(report.writes, 0);
                report
            });
        });
    }
    group.finish();
}

criterion_group!(benches, first_sync, steady_state);
criterion_main!(benches);
