//! Integration tests of the API server emulator: the same scenarios through `kube::Client` and
//! through the installed `kubectl` (skipped with a message when it is missing).

// Test helpers outside `#[test]` functions panic on broken fixtures, as the tests do.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod binary;
mod client;
mod errors;
mod faults;
mod kubectl;
mod managed_fields;
mod watch;

use std::time::Duration;

use gitops_testkit::emulator::{Emulator, EmulatorOptions};
use serde_json::Value;

/// An emulator whose workloads become ready quickly.
fn emulator() -> Emulator {
    Emulator::start(EmulatorOptions::default().ready_after(Duration::from_millis(200))).unwrap()
}

/// The argocd-example-apps `guestbook` manifests (deployment, service), or `None` (skipped) when
/// the fixture bundle is absent.
fn guestbook() -> Option<Vec<(String, String)>> {
    let repo = gitops_testkit::clone_bundle("argocd-example-apps")?;
    let files = [
        "guestbook/guestbook-ui-deployment.yaml",
        "guestbook/guestbook-ui-svc.yaml",
    ];
    Some(
        files
            .iter()
            .map(|file| {
                let out = std::process::Command::new("git")
                    .arg("--git-dir")
                    .arg(repo.path())
                    .args(["show", &format!("HEAD:{file}")])
                    .output()
                    .unwrap();
                assert!(out.status.success(), "git show {file}");
                ((*file).to_string(), String::from_utf8(out.stdout).unwrap())
            })
            .collect(),
    )
}

/// Parses one YAML document.
fn yaml(text: &str) -> Value {
    serde_saphyr::from_str(text).unwrap()
}

/// The managers named in an object's managedFields.
fn managers(object: &Value) -> Vec<String> {
    object["metadata"]["managedFields"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|e| e["manager"].as_str().unwrap().to_string())
                .collect()
        })
        .unwrap_or_default()
}
