//! gitops-health: cost of one health assessment.
//!
//! - `builtin/deployment`: `Registry::assess` of a rolled-out apps/v1 Deployment (the
//!   built-in gitops-engine check; goal under 1 µs).
//! - `builtin/pod`: the same for a running Pod with two containers.
//! - `lua/cached_chunk`: a Lua health script (the shape of Argo CD's bundled scripts: loop
//!   over conditions, build `hs`) evaluated on a custom resource through the registry, with the
//!   interpreter pooled and the chunk compiled once (goal under 50 µs). This includes the
//!   JSON-to-Lua conversion of the object.
//! - `lua/empty_script`: `return nil`, to separate the fixed cost (environment, conversion)
//!   from the script.

#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used)]

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use gitops_health::{Registry, lua::LuaHealth};
use serde_json::{Value, json};

fn deployment() -> Value {
    json!({
        "apiVersion": "apps/v1", "kind": "Deployment",
        "metadata": {"name": "guestbook-ui", "namespace": "default", "generation": 4,
            "labels": {"app": "guestbook-ui"}, "annotations": {"deployment.kubernetes.io/revision": "4"}},
        "spec": {"replicas": 3, "selector": {"matchLabels": {"app": "guestbook-ui"}},
            "template": {"metadata": {"labels": {"app": "guestbook-ui"}},
                "spec": {"containers": [{"name": "ui", "image": "gcr.io/heptio-images/ks-guestbook-demo:0.2",
                    "ports": [{"containerPort": 80}]}]}}},
        "status": {"observedGeneration": 4, "replicas": 3, "updatedReplicas": 3, "readyReplicas": 3,
            "availableReplicas": 3, "conditions": [
                {"type": "Available", "status": "True", "reason": "MinimumReplicasAvailable"},
                {"type": "Progressing", "status": "True", "reason": "NewReplicaSetAvailable"}]}
    })
}

fn pod() -> Value {
    json!({
        "apiVersion": "v1", "kind": "Pod", "metadata": {"name": "web-1", "namespace": "default"},
        "spec": {"restartPolicy": "Always", "containers": [{"name": "a"}, {"name": "b"}]},
        "status": {"phase": "Running",
            "conditions": [{"type": "Initialized", "status": "True"}, {"type": "Ready", "status": "True"}],
            "containerStatuses": [
                {"name": "a", "ready": true, "state": {"running": {"startedAt": "2024-01-01T00:00:00Z"}}},
                {"name": "b", "ready": true, "state": {"running": {"startedAt": "2024-01-01T00:00:00Z"}}}]}
    })
}

fn certificate() -> Value {
    json!({
        "apiVersion": "cert-manager.io/v1", "kind": "Certificate",
        "metadata": {"name": "web-tls", "namespace": "default", "generation": 2},
        "spec": {"secretName": "web-tls", "dnsNames": ["example.com", "www.example.com"],
            "issuerRef": {"name": "letsencrypt", "kind": "ClusterIssuer"}},
        "status": {"notAfter": "2025-01-01T00:00:00Z", "revision": 2, "conditions": [
            {"type": "Issuing", "status": "False", "reason": "Done"},
            {"type": "Ready", "status": "True", "reason": "Ready", "message": "Certificate is up to date and has not expired",
             "observedGeneration": 2}]}
    })
}

const CERTIFICATE_SCRIPT: &str = r#"
hs = {}
if obj.status ~= nil then
  if obj.status.conditions ~= nil then
    for i, condition in ipairs(obj.status.conditions) do
      if condition.type == "Issuing" and condition.status == "True" then
        hs.status = "Progressing"
        hs.message = condition.message
        return hs
      end
      if condition.type == "Ready" and condition.status == "False" then
        hs.status = "Degraded"
        hs.message = condition.message
        return hs
      end
      if condition.type == "Ready" and condition.status == "True" then
        hs.status = "Healthy"
        hs.message = condition.message
        return hs
      end
    end
  end
end
hs.status = "Progressing"
hs.message = "Waiting for certificate"
return hs
"#;

fn builtin(c: &mut Criterion) {
    let registry = Registry::default();
    let (deployment, pod) = (deployment(), pod());
    assert!(registry.assess(&deployment).unwrap().is_some());
    c.bench_function("builtin/deployment", |b| {
        b.iter(|| registry.assess(black_box(&deployment)).unwrap());
    });
    c.bench_function("builtin/pod", |b| {
        b.iter(|| registry.assess(black_box(&pod)).unwrap());
    });
}

fn lua(c: &mut Criterion) {
    let certificate = certificate();
    let mut scripts = LuaHealth::new();
    scripts.add_script("cert-manager.io/Certificate", CERTIFICATE_SCRIPT);
    let registry = Registry::default().with_lua(scripts);
    let health = registry.assess(&certificate).unwrap().unwrap();
    assert_eq!(health.message, "Certificate is up to date and has not expired");
    c.bench_function("lua/cached_chunk", |b| {
        b.iter(|| registry.assess(black_box(&certificate)).unwrap());
    });

    let mut empty = LuaHealth::new();
    empty.add_script("cert-manager.io/Certificate", "return nil");
    let registry = Registry::default().with_lua(empty);
    c.bench_function("lua/empty_script", |b| {
        b.iter(|| registry.assess(black_box(&certificate)).unwrap());
    });
}

criterion_group!(benches, builtin, lua);
criterion_main!(benches);
