//! Snapshots of the sync plans of argocd-example-apps directories.

use std::{fmt::Write as _, process::Command};

use gitops_core::{
    ManifestSet, load_bytes,
    ordering::{SyncPlan, plan},
    scope::{BuiltinScopes, apply_default_namespaces},
};

/// A human-readable plan: one block per batch, one line per task.
fn render(set: &ManifestSet, plan: &SyncPlan) -> String {
    let mut out = String::new();
    for (i, batch) in plan.batches().iter().enumerate() {
        writeln!(
            out,
            "batch {i}: {} wave {} {:?}",
            batch.phase, batch.wave, batch.action
        )
        .unwrap();
        for task in &batch.tasks {
            let m = set.get(&task.key).unwrap();
            let hook = task.hook.map(|h| format!(" hook={h}")).unwrap_or_default();
            let policies = if task.hook.is_some() {
                let p: Vec<String> = m
                    .hook_delete_policies()
                    .unwrap()
                    .iter()
                    .map(|p| p.to_string())
                    .collect();
                format!(" delete-policy={}", p.join(","))
            } else {
                String::new()
            };
            writeln!(out, "  {}{hook}{policies}", task.key).unwrap();
        }
    }
    out
}

/// Loads `files` as Argo CD would for an application whose destination namespace is `ns`.
fn desired(files: &[(String, String)], ns: &str) -> ManifestSet {
    let mut manifests = Vec::new();
    for (name, text) in files {
        manifests.extend(load_bytes(text.as_bytes(), name).unwrap());
    }
    apply_default_namespaces(
        ManifestSet::from_manifests(manifests).unwrap(),
        ns,
        &BuiltinScopes,
    )
    .unwrap()
}

#[test]
fn sync_waves_plan() {
    let Some(bundle) = gitops_testkit::clone_bundle("argocd-example-apps") else {
        return;
    };
    let show = |path: &str| {
        let out = Command::new("git")
            .arg("-C")
            .arg(bundle.path())
            .args(["show", &format!("HEAD:{path}")])
            .output()
            .unwrap();
        assert!(out.status.success());
        String::from_utf8(out.stdout).unwrap()
    };
    let files = vec![(
        "sync-waves/manifests.yaml".to_owned(),
        show("sync-waves/manifests.yaml"),
    )];
    let set = desired(&files, "sync-waves");
    let plan = plan(&set).unwrap();
    insta::assert_snapshot!("sync_waves", render(&set, &plan));
}

#[test]
fn pre_post_sync_plan() {
    let shared = gitops_testkit::require_shared!("rendered pre-post-sync fixture");
    let path = shared.join("fixtures/rendered/argocd-example-apps/pre-post-sync.yaml");
    let files = vec![(
        "pre-post-sync.yaml".to_owned(),
        std::fs::read_to_string(path).unwrap(),
    )];
    let set = desired(&files, "pre-post-sync");
    let plan = plan(&set).unwrap();
    insta::assert_snapshot!("pre_post_sync", render(&set, &plan));
}
