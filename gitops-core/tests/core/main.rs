//! Integration tests of gitops-core.
#![allow(clippy::unwrap_used, reason = "test helpers panic on bad fixtures")]

mod annotations;
mod application;
mod loader;
mod ordering;
mod plans;
mod props;
mod scope;
mod tracking;

use gitops_core::{Manifest, ManifestSet, load_bytes};

/// Builds a manifest from JSON, panicking on invalid input (tests only).
pub(crate) fn manifest(value: serde_json::Value) -> Manifest {
    Manifest::from_value(value).unwrap()
}

/// Loads a YAML string into a set.
pub(crate) fn set(yaml: &str) -> ManifestSet {
    ManifestSet::from_manifests(load_bytes(yaml.as_bytes(), "test.yaml").unwrap()).unwrap()
}

/// A manifest with the given kind, name, namespace and annotations.
pub(crate) fn object(
    api_version: &str,
    kind: &str,
    namespace: Option<&str>,
    name: &str,
    annotations: &[(&str, &str)],
) -> Manifest {
    let annotations: serde_json::Map<String, serde_json::Value> = annotations
        .iter()
        .map(|(k, v)| ((*k).to_owned(), serde_json::Value::from(*v)))
        .collect();
    let mut metadata = serde_json::json!({"name": name, "annotations": annotations});
    if let Some(ns) = namespace {
        metadata["namespace"] = ns.into();
    }
    manifest(serde_json::json!({"apiVersion": api_version, "kind": kind, "metadata": metadata}))
}
