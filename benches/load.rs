//! gitops-core's loader against plain serde_json on the same objects.
//!
//! The input is 10,000 generated Deployment-sized manifests (two containers with env, ports,
//! resources, probes and mounts; labels and annotations; about 2.7 KiB of YAML each):
//!
//! - `load/yaml/gitops-core`: `load_bytes` on the multi-document YAML stream (split, parse with
//!   serde-saphyr, limits, validation into `Manifest`s);
//! - `load/json/gitops-core`: `load_bytes` on the same objects as a JSON stream;
//! - `load/json/serde_json`: `serde_json` parsing the same JSON stream into `Value`s, the floor.
//!
//! Throughput is reported per input byte of each format (MB/s); compare the times for the
//! ratio, since the YAML text and the JSON text differ in size.

#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used)]

use std::{fmt::Write as _, hint::black_box, time::Duration};

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use serde_json::Value;

const MANIFESTS: usize = 10_000;

fn deployment(i: usize) -> String {
    let mut env = String::new();
    for e in 0..8 {
        writeln!(
            env,
            "        - name: SETTING_{e}\n          value: \"value-{i}-{e}\""
        )
        .unwrap();
    }
    format!(
        r#"apiVersion: apps/v1
kind: Deployment
metadata:
  name: service-{i}
  namespace: team-{ns}
  labels:
    app.kubernetes.io/name: service-{i}
    app.kubernetes.io/part-of: shop
    app.kubernetes.io/version: "1.{i}.0"
  annotations:
    argocd.argoproj.io/sync-wave: "{wave}"
    description: generated deployment number {i} for the load benchmark
spec:
  replicas: 3
  revisionHistoryLimit: 5
  selector:
    matchLabels:
      app.kubernetes.io/name: service-{i}
  strategy:
    type: RollingUpdate
    rollingUpdate: {{maxSurge: 25%, maxUnavailable: 0}}
  template:
    metadata:
      labels:
        app.kubernetes.io/name: service-{i}
    spec:
      serviceAccountName: service-{i}
      securityContext: {{runAsNonRoot: true, fsGroup: 2000}}
      containers:
      - name: app
        image: registry.example.com/shop/service-{i}:1.{i}.0
        imagePullPolicy: IfNotPresent
        args: ["--port=8080", "--log-level=info"]
        ports:
        - {{name: http, containerPort: 8080, protocol: TCP}}
        - {{name: metrics, containerPort: 9090, protocol: TCP}}
        env:
{env}        resources:
          requests: {{cpu: 100m, memory: 128Mi}}
          limits: {{cpu: "1", memory: 512Mi}}
        readinessProbe:
          httpGet: {{path: /ready, port: http}}
          periodSeconds: 10
        livenessProbe:
          httpGet: {{path: /healthz, port: http}}
          initialDelaySeconds: 15
        volumeMounts:
        - {{name: config, mountPath: /etc/app, readOnly: true}}
      - name: sidecar
        image: registry.example.com/proxy:2.4.1
        ports:
        - {{name: proxy, containerPort: 15001}}
        resources:
          requests: {{cpu: 50m, memory: 64Mi}}
      volumes:
      - name: config
        configMap: {{name: service-{i}-config}}
"#,
        ns = i % 20,
        wave = i % 5,
    )
}

fn inputs() -> (String, String) {
    let mut yaml = String::new();
    for i in 0..MANIFESTS {
        yaml.push_str("---\n");
        yaml.push_str(&deployment(i));
    }
    let manifests = gitops_core::load_bytes(yaml.as_bytes(), "bench.yaml").unwrap();
    assert_eq!(manifests.len(), MANIFESTS);
    let mut json = String::new();
    for m in &manifests {
        json.push_str(&serde_json::to_string(m.as_value()).unwrap());
        json.push('\n');
    }
    (yaml, json)
}

fn load(c: &mut Criterion) {
    let (yaml, json) = inputs();
    eprintln!(
        "load: {MANIFESTS} manifests, YAML {:.1} MB ({} bytes each), JSON {:.1} MB",
        yaml.len() as f64 / 1e6,
        yaml.len() / MANIFESTS,
        json.len() as f64 / 1e6
    );
    let mut group = c.benchmark_group("load");
    group
        .sample_size(10)
        .measurement_time(Duration::from_secs(20))
        .warm_up_time(Duration::from_secs(2));

    group.throughput(Throughput::Bytes(yaml.len() as u64));
    group.bench_function("yaml/gitops-core", |b| {
        b.iter(|| {
            gitops_core::load_bytes(black_box(yaml.as_bytes()), "bench.yaml")
                .unwrap()
                .len()
        });
    });

    group.throughput(Throughput::Bytes(json.len() as u64));
    group.bench_function("json/gitops-core", |b| {
        b.iter(|| {
            gitops_core::load_bytes(black_box(json.as_bytes()), "bench.json")
                .unwrap()
                .len()
        });
    });
    group.bench_function("json/serde_json", |b| {
        b.iter(|| {
            serde_json::Deserializer::from_str(black_box(&json))
                .into_iter::<Value>()
                .map(Result::unwrap)
                .count()
        });
    });
    group.finish();
}

criterion_group!(benches, load);
criterion_main!(benches);
