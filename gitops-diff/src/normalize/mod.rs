//! Normalization before comparison: server-populated metadata and `status` dropped, Secret
//! `stringData` folded into `data`, Endpoints sorted, empty RBAC rules, plus users' own
//! [`Normalizer`]s. Quantities and int/float noise are compared by value during the diff itself
//! (see [`crate::diff()`]).

mod builtin;
mod defaults;
pub(crate) mod quantity;

use std::fmt;

use serde_json::{Map, Value};

pub(crate) use builtin::{group_kind, has_builtin, normalize_builtin};
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
/// (managedFields and status are often most of a live object). Equal to cloning then calling
/// [`strip_server_fields`], in one pass.
pub(crate) fn stripped_clone(object: &Value) -> Value {
    let Value::Object(map) = object else {
        return object.clone();
    };
    let mut out = Map::new();
    for (k, v) in map {
        match (k.as_str(), v) {
            ("status", _) => {}
            ("metadata", Value::Object(meta)) => {
                let mut m = Map::new();
                for (mk, mv) in meta {
                    match (mk.as_str(), mv) {
                        (field, _) if SERVER_METADATA_FIELDS.contains(&field) => {}
                        ("annotations", Value::Object(annotations)) => {
                            let kept: Map<String, Value> = annotations
                                .iter()
                                .filter(|(a, _)| a.as_str() != LAST_APPLIED_ANNOTATION)
                                .map(|(a, v)| (a.clone(), v.clone()))
                                .collect();
                            // strip_server_fields drops an annotations map left empty.
                            if !kept.is_empty() {
                                m.insert(mk.clone(), Value::Object(kept));
                            }
                        }
                        _ => {
                            m.insert(mk.clone(), mv.clone());
                        }
                    }
                }
                out.insert(k.clone(), Value::Object(m));
            }
            _ => {
                out.insert(k.clone(), v.clone());
            }
        }
    }
    Value::Object(out)
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

#[cfg(test)]
mod tests {
    use serde_json::{Value, json};

    use super::{LAST_APPLIED_ANNOTATION, strip_server_fields, stripped_clone};

    fn cloned_then_stripped(object: &Value) -> Value {
        let mut out = object.clone();
        strip_server_fields(&mut out);
        out
    }

    #[test]
    fn stripped_clone_equals_clone_then_strip() {
        let cases = [
            json!({"apiVersion": "v1", "kind": "ConfigMap", "status": {"a": 1},
                "metadata": {"name": "c", "uid": "u", "resourceVersion": "1", "managedFields": [{}],
                    "annotations": {LAST_APPLIED_ANNOTATION: "{}", "team": "x"}, "labels": {"a": "b"}},
                "data": {"k": "v"}}),
            json!({"metadata": {"name": "c", "annotations": {LAST_APPLIED_ANNOTATION: "{}"}}}),
            json!({"metadata": {"name": "c", "annotations": {}}}),
            json!({"metadata": {"name": "c", "annotations": null}}),
            json!({"metadata": {"name": "c", "annotations": "not a map"}}),
            json!({"metadata": "not a map", "status": 1}),
            json!({"kind": "X"}),
            json!([1, 2]),
            Value::Null,
        ];
        for case in &cases {
            assert_eq!(stripped_clone(case), cloned_then_stripped(case), "{case}");
        }
        assert_eq!(
            stripped_clone(&cases[0])["metadata"],
            json!({"name": "c", "annotations": {"team": "x"}, "labels": {"a": "b"}})
        );
    }
}
