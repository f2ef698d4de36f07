//! Helpers: manifests from YAML, fixture directories, event recording.

use std::sync::{Arc, Mutex};

use gitops_apply::{Applier, SyncEvent, SyncOptions};
use gitops_core::{GroupVersionKind, ManifestSet, load_bytes};
use serde_json::Value;

/// A manifest set from YAML text.
pub(crate) fn set(yaml: &str) -> ManifestSet {
    ManifestSet::from_manifests(load_bytes(yaml.as_bytes(), "test.yaml").unwrap()).unwrap()
}

/// A directory of argocd-example-apps at HEAD, read with the git CLI from the fixture bundle;
/// `None` (skipped) when ../shared is absent.
pub(crate) fn example_app(path: &str) -> Option<ManifestSet> {
    let repo = gitops_testkit::clone_bundle("argocd-example-apps")?;
    let listing = std::process::Command::new("git")
        .arg("-C")
        .arg(repo.path())
        .args(["ls-tree", "-r", "--name-only", "HEAD", path])
        .output()
        .unwrap();
    let mut manifests = Vec::new();
    for file in String::from_utf8(listing.stdout).unwrap().lines().filter(|f| {
        std::path::Path::new(f)
            .extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("yaml"))
    }) {
        let out = std::process::Command::new("git")
            .arg("-C")
            .arg(repo.path())
            .args(["show", &format!("HEAD:{file}")])
            .output()
            .unwrap();
        manifests.extend(load_bytes(&out.stdout, file).unwrap());
    }
    Some(ManifestSet::from_manifests(manifests).unwrap())
}

/// An argocd-example-apps directory rendered by gitops-source's kustomize renderer (kustomize
/// or `kubectl kustomize`) from the fixture bundle at HEAD; `None` (skipped, with a message)
/// when ../shared or both binaries are absent.
pub(crate) fn kustomize_rendered(path: &str) -> Option<ManifestSet> {
    let runs = |args: &[&str]| {
        std::process::Command::new(args[0])
            .args(&args[1..])
            .output()
            .is_ok_and(|o| o.status.success())
    };
    if !runs(&["kustomize", "version"]) && !runs(&["kubectl", "version", "--client"]) {
        eprintln!("SKIPPED: neither kustomize nor kubectl is on PATH; needed to render {path}");
        return None;
    }
    let repo = gitops_testkit::clone_bundle("argocd-example-apps")?;
    let cache = tempfile::tempdir().unwrap();
    let source = gitops_source::GitSource::new(&repo.path().display().to_string(), cache.path()).unwrap();
    source.fetch().unwrap();
    let snapshot = source
        .render(
            "HEAD",
            path,
            &gitops_source::KustomizeRenderer::default(),
            &gitops_source::ReadOptions::default(),
        )
        .unwrap();
    Some(snapshot.manifests)
}

/// Sync options tuned for tests: short polls and timeouts, prune on.
pub(crate) fn options(app: &str) -> SyncOptions {
    SyncOptions::new(app)
        .prune(true)
        .poll_interval(std::time::Duration::from_millis(20))
        .wave_timeout(std::time::Duration::from_secs(20))
}

/// Records every event of a sync.
#[derive(Debug, Clone, Default)]
pub(crate) struct Recorder(pub(crate) Arc<Mutex<Vec<SyncEvent>>>);

impl Recorder {
    /// Options that report into this recorder.
    pub(crate) fn attach(&self, options: SyncOptions) -> SyncOptions {
        let events = Arc::clone(&self.0);
        options.events(move |e| events.lock().unwrap().push(e.clone()))
    }

    /// The events so far.
    pub(crate) fn events(&self) -> Vec<SyncEvent> {
        self.0.lock().unwrap().clone()
    }

    /// `kind/name` of every resource event, in order.
    pub(crate) fn resource_order(&self) -> Vec<String> {
        self.events()
            .iter()
            .filter_map(|e| match e {
                SyncEvent::Resource(r) => Some(format!("{}/{}", r.key.kind, r.key.name)),
                _ => None,
            })
            .collect()
    }
}

/// A live object, if present.
pub(crate) async fn live(
    applier: &dyn Applier,
    group: &str,
    version: &str,
    kind: &str,
    ns: Option<&str>,
    name: &str,
) -> Option<Value> {
    applier
        .get(&GroupVersionKind::new(group, version, kind), ns, name)
        .await
        .unwrap()
}

/// An API server emulator whose simulated workloads become ready after 100 ms.
#[cfg(feature = "kube")]
pub(crate) fn emulator() -> gitops_testkit::emulator::Emulator {
    gitops_testkit::emulator::Emulator::start(
        gitops_testkit::emulator::EmulatorOptions::default()
            .ready_after(std::time::Duration::from_millis(100)),
    )
    .unwrap()
}

/// Fast retries (5 ms to 200 ms), so the fault tests stay short.
#[cfg(feature = "kube")]
pub(crate) fn fast() -> gitops_apply::kube::KubeApplierOptions {
    gitops_apply::kube::KubeApplierOptions::default().backoff(
        std::time::Duration::from_millis(5),
        std::time::Duration::from_millis(200),
    )
}

/// A `KubeApplier` talking to `emulator` over HTTP with `options`.
#[cfg(feature = "kube")]
pub(crate) fn kube_applier(
    emulator: &gitops_testkit::emulator::Emulator,
    options: gitops_apply::kube::KubeApplierOptions,
) -> gitops_apply::KubeApplier {
    gitops_apply::KubeApplier::from_config(emulator.kube_config())
        .unwrap()
        .with_options(options)
}
