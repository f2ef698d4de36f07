//! Immutable fields the API server enforces, so the in-memory cluster rejects the same updates
//! (and Argo CD's `Force=true` has something to force).

use serde_json::Value;

/// `(group, kind, JSON pointer)` of fields that may not change once set, from the Kubernetes
/// API validation of each type (`ValidateDeploymentUpdate`, `ValidateJobUpdate`,
/// `ValidateServiceUpdate`, `ValidatePersistentVolumeClaimUpdate`, ...). A field that is absent
/// on either side is not compared (the server keeps the old value under server-side apply).
const IMMUTABLE: &[(&str, &str, &str)] = &[
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

/// The API server's message for the first immutable field `new` changes relative to `old`,
/// e.g. `Job.batch "migrate" is invalid: spec.template: Invalid value: field is immutable`.
pub(super) fn violation(group: &str, kind: &str, name: &str, old: &Value, new: &Value) -> Option<String> {
    let resource = if group.is_empty() {
        kind.to_owned()
    } else {
        format!("{kind}.{group}")
    };
    for (g, k, pointer) in IMMUTABLE {
        if *g != group || *k != kind {
            continue;
        }
        if let (Some(before), Some(after)) = (old.pointer(pointer), new.pointer(pointer))
            && before != after
        {
            let field = pointer.trim_start_matches('/').replace('/', ".");
            return Some(format!(
                "{resource} {name:?} is invalid: {field}: Invalid value: field is immutable"
            ));
        }
    }
    let immutable_data = old.get("immutable").and_then(Value::as_bool) == Some(true)
        && group.is_empty()
        && matches!(kind, "ConfigMap" | "Secret");
    if immutable_data
        && (old.get("data") != new.get("data") || old.get("binaryData") != new.get("binaryData"))
    {
        return Some(format!(
            "{resource} {name:?} is invalid: data: Forbidden: field is immutable when `immutable` is set"
        ));
    }
    None
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::violation;

    #[test]
    fn job_template_and_service_cluster_ip_are_immutable() {
        let old = json!({"spec": {"template": {"spec": {"containers": [{"name": "a", "image": "x:1"}]}}}});
        let new = json!({"spec": {"template": {"spec": {"containers": [{"name": "a", "image": "x:2"}]}}}});
        let msg = violation("batch", "Job", "migrate", &old, &new).unwrap();
        assert!(
            msg.contains("spec.template") && msg.contains("immutable"),
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
    }
}
