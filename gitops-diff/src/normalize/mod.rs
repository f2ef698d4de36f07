//! Normalization before comparison: server-populated metadata and `status` dropped, Secret
//! `stringData` folded into `data`, Endpoints sorted, empty RBAC rules, plus users' own
//! [`Normalizer`]s. Quantities and int/float noise are compared by value during the diff itself
//! (see [`crate::diff()`]).

mod builtin;
mod defaults;
pub(crate) mod quantity;

use std::fmt;

use serde_json::Value;

pub(crate) use builtin::normalize_builtin;
pub use defaults::apply_server_defaults;

/// `metadata` fields the API server populates; they never count as drift.
pub const SERVER_METADATA_FIELDS: &[&str] = &[
    "uid",
    "resourceVersion",
    "generation",
    "creationTimestamp",
    "selfLink",
    "deletionTimestamp",
    "managedFields",
];

/// The annotation `kubectl apply` (client side) records the applied configuration in.
pub const LAST_APPLIED_ANNOTATION: &str = "kubectl.kubernetes.io/last-applied-configuration";

/// A user's normalization rule, applied to desired and live (and predicted live) objects before
/// they are compared, after the built-in ones. Argo CD's `diff.Normalizer`, without its errors
/// being swallowed.
///
/// ```
/// use gitops_diff::{DiffOptions, Normalizer};
/// use serde_json::{json, Value};
///
/// /// Ignores `spec.replicas` of every object (e.g. managed by an autoscaler).
/// #[derive(Debug)]
/// struct IgnoreReplicas;
/// impl Normalizer for IgnoreReplicas {
///     fn normalize(&self, object: &mut Value) {
///         if let Some(spec) = object.get_mut("spec").and_then(Value::as_object_mut) {
///             spec.remove("replicas");
///         }
///     }
/// }
/// let options = DiffOptions::default().with_normalizer(IgnoreReplicas);
/// let desired = json!({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "a"}, "spec": {"replicas": 2}});
/// let live = json!({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "a"}, "spec": {"replicas": 5}});
/// assert!(!gitops_diff::diff(&desired, &live, &options)?.modified);
/// # Ok::<(), gitops_diff::Error>(())
/// ```
pub trait Normalizer: fmt::Debug + Send + Sync {
    /// Rewrites `object` in place. Called once on each side; it must be deterministic and must not
    /// depend on which side it sees.
    fn normalize(&self, object: &mut Value);
}

/// Drops server-populated metadata ([`SERVER_METADATA_FIELDS`]), `status` and the
/// last-applied-configuration annotation from an object.
pub fn strip_server_fields(object: &mut Value) {
    let Some(map) = object.as_object_mut() else { return };
    map.remove("status");
    if let Some(meta) = map.get_mut("metadata").and_then(Value::as_object_mut) {
        for f in SERVER_METADATA_FIELDS {
            meta.remove(*f);
        }
        if let Some(annotations) = meta.get_mut("annotations").and_then(Value::as_object_mut) {
            annotations.remove(LAST_APPLIED_ANNOTATION);
            if annotations.is_empty() {
                meta.remove("annotations");
            }
        }
    }
}

/// A clone of `object` without what [`strip_server_fields`] removes, never copying those parts
/// (managedFields and status are often most of a live object).
pub(crate) fn stripped_clone(object: &Value) -> Value {
    let Value::Object(map) = object else {
        return object.clone();
    };
    let mut out = serde_json::Map::new();
    for (k, v) in map {
        match (k.as_str(), v) {
            ("status", _) => {}
            ("metadata", Value::Object(meta)) => {
                let mut m = serde_json::Map::new();
                for (mk, mv) in meta {
                    if !SERVER_METADATA_FIELDS.contains(&mk.as_str()) {
                        m.insert(mk.clone(), mv.clone());
                    }
                }
                out.insert(k.clone(), Value::Object(m));
            }
            _ => {
                out.insert(k.clone(), v.clone());
            }
        }
    }
    let mut out = Value::Object(out);
    strip_server_fields(&mut out);
    out
}

/// Removes `null` values from objects, recursively (Kubernetes treats a null field as unset).
pub(crate) fn drop_nulls(value: &mut Value) {
    match value {
        Value::Object(map) => {
            map.retain(|_, v| !v.is_null());
            map.values_mut().for_each(drop_nulls);
        }
        Value::Array(items) => items.iter_mut().for_each(drop_nulls),
        _ => {}
    }
}
