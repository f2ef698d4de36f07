//! Immutable fields the Kubernetes API server enforces on update, shared by the in-memory
//! cluster and gitops-testkit's API server emulator, so both reject the same writes (and Argo
//! CD's `Force=true` has something to force).

use serde_json::Value;

/// `(group, kind, JSON pointer)` of fields that may not change once set, from the Kubernetes
/// API validation of each type (`ValidateDeploymentUpdate`, `ValidateStatefulSetUpdate`,
/// `ValidateJobUpdate`, `ValidateServiceUpdate`, `ValidatePersistentVolumeClaimUpdate`,
/// `ValidateRoleBindingUpdate`, ...).
pub const IMMUTABLE_FIELDS: &[(&str, &str, &str)] = &[
    ("apps", "Deployment", "/spec/selector"),
    ("apps", "ReplicaSet", "/spec/selector"),
    ("apps", "DaemonSet", "/spec/selector"),
    ("apps", "StatefulSet", "/spec/selector"),
    ("apps", "StatefulSet", "/spec/serviceName"),
    ("apps", "StatefulSet", "/spec/volumeClaimTemplates"),
    ("apps", "StatefulSet", "/spec/podManagementPolicy"),
    ("batch", "Job", "/spec/selector"),
    ("batch", "Job", "/spec/template"),
    ("", "Service", "/spec/clusterIP"),
    ("", "PersistentVolumeClaim", "/spec/accessModes"),
    ("", "PersistentVolumeClaim", "/spec/storageClassName"),
    ("", "PersistentVolumeClaim", "/spec/volumeName"),
    ("rbac.authorization.k8s.io", "RoleBinding", "/roleRef"),
    ("rbac.authorization.k8s.io", "ClusterRoleBinding", "/roleRef"),
];

/// One refused change: the field (dotted path, as Status causes name it, e.g.
/// `spec.template`) and the API server's detail (e.g.
/// `Invalid value: {...}: field is immutable`).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ImmutableChange {
    /// Dotted path of the field.
    pub field: String,
    /// The API server's detail for the cause.
    pub detail: String,
}

/// Every immutable field that `new` changes relative to `old` (an update of an object of
/// `group`/`kind`), in [`IMMUTABLE_FIELDS`] order, plus the `data`/`binaryData` of a ConfigMap
/// or Secret marked `immutable: true`. A field absent on either side is not compared (an apply
/// that omits it keeps the old value; a required field's absence is another validation).
///
/// ```
/// use gitops_apply::immutable::changes;
/// let old = serde_json::json!({"spec": {"clusterIP": "10.0.0.1"}});
/// let new = serde_json::json!({"spec": {"clusterIP": "10.0.0.2"}});
/// let refused = changes("", "Service", &old, &new);
/// assert_eq!(refused[0].field, "spec.clusterIP");
/// assert_eq!(refused[0].detail, r#"Invalid value: "10.0.0.2": field is immutable"#);
/// ```
pub fn changes(group: &str, kind: &str, old: &Value, new: &Value) -> Vec<ImmutableChange> {
    let mut out: Vec<ImmutableChange> = IMMUTABLE_FIELDS
        .iter()
        .filter(|(g, k, _)| *g == group && *k == kind)
        .filter_map(
            |(_, _, pointer)| match (old.pointer(pointer), new.pointer(pointer)) {
                (Some(before), Some(after)) if before != after => Some(ImmutableChange {
                    field: pointer.trim_start_matches('/').replace('/', "."),
                    detail: format!("Invalid value: {after}: field is immutable"),
                }),
                _ => None,
            },
        )
        .collect();
    let immutable_data = group.is_empty()
        && matches!(kind, "ConfigMap" | "Secret")
        && old.get("immutable").and_then(Value::as_bool) == Some(true);
    if immutable_data
        && (old.get("data") != new.get("data") || old.get("binaryData") != new.get("binaryData"))
    {
        out.push(ImmutableChange {
            field: "data".into(),
            detail: "Forbidden: field is immutable when `immutable` is set".into(),
        });
    }
    out
}

/// The API server's answer to an update of `new` over `old`: `Ok` when allowed, else
/// [`Error::Immutable`](crate::Error::Immutable) naming every refused field, with the message of
/// the first, e.g. `Job.batch "migrate" is invalid: spec.template: Invalid value: {...}: field
/// is immutable`.
///
/// # Errors
/// [`Error::Immutable`](crate::Error::Immutable) as above.
pub fn check(key: &gitops_core::ResourceKey, old: &Value, new: &Value) -> crate::Result<()> {
    let refused = changes(&key.group, &key.kind, old, new);
    let Some(first) = refused.first() else {
        return Ok(());
    };
    let resource = if key.group.is_empty() {
        key.kind.clone()
    } else {
        format!("{}.{}", key.kind, key.group)
    };
    Err(crate::Error::Immutable {
        message: format!(
            "{resource} {:?} is invalid: {}: {}",
            key.name, first.field, first.detail
        ),
        fields: refused.into_iter().map(|c| c.field).collect(),
        key: key.clone(),
    })
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use gitops_core::ResourceKey;

    use super::check;

    fn violation(
        group: &str,
        kind: &str,
        name: &str,
        old: &serde_json::Value,
        new: &serde_json::Value,
    ) -> Option<String> {
        check(&ResourceKey::new(group, kind, None, name), old, new)
            .err()
            .map(|e| match e {
                crate::Error::Immutable { message, .. } => message,
                other => panic!("unexpected {other}"),
            })
    }

    #[test]
    fn job_template_and_service_cluster_ip_are_immutable() {
        let old = json!({"spec": {"template": {"spec": {"containers": [{"name": "a", "image": "x:1"}]}}}});
        let new = json!({"spec": {"template": {"spec": {"containers": [{"name": "a", "image": "x:2"}]}}}});
        let msg = violation("batch", "Job", "migrate", &old, &new).unwrap();
        assert!(
            msg.starts_with("Job.batch \"migrate\" is invalid: spec.template: Invalid value: ")
                && msg.ends_with("field is immutable"),
            "{msg}"
        );
        assert!(violation("batch", "Job", "migrate", &old, &old).is_none());
        let svc = |ip: &str| json!({"spec": {"clusterIP": ip}});
        assert!(violation("", "Service", "web", &svc("10.0.0.1"), &svc("10.0.0.2")).is_some());
        assert!(violation("", "Service", "web", &svc("10.0.0.1"), &json!({"spec": {}})).is_none());
        assert!(
            violation(
                "",
                "ConfigMap",
                "c",
                &json!({"immutable": true, "data": {"a": "1"}}),
                &json!({"data": {"a": "2"}})
            )
            .is_some()
        );
        let binding = |role: &str| json!({"roleRef": {"kind": "Role", "name": role}});
        assert!(
            violation(
                "rbac.authorization.k8s.io",
                "RoleBinding",
                "b",
                &binding("a"),
                &binding("b")
            )
            .is_some()
        );
    }
}
