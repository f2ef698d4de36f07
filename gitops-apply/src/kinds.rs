//! The built-in Kubernetes kinds a fresh cluster serves: group, version, kind, plural, scope.

use gitops_core::GroupVersionKind;

use crate::ApiResource;

/// `(group, version, kind, plural, namespaced)` for the standard kinds of Kubernetes 1.32+
/// served by [`InMemoryCluster`](crate::InMemoryCluster) before any CRD is applied. The scope
/// column follows the Kubernetes API reference.
pub const BUILTIN_KINDS: &[(&str, &str, &str, &str, bool)] = &[
    ("", "v1", "Namespace", "namespaces", false),
    ("", "v1", "Node", "nodes", false),
    ("", "v1", "PersistentVolume", "persistentvolumes", false),
    ("", "v1", "ConfigMap", "configmaps", true),
    ("", "v1", "Secret", "secrets", true),
    ("", "v1", "Service", "services", true),
    ("", "v1", "ServiceAccount", "serviceaccounts", true),
    ("", "v1", "Pod", "pods", true),
    ("", "v1", "PersistentVolumeClaim", "persistentvolumeclaims", true),
    ("", "v1", "Endpoints", "endpoints", true),
    ("", "v1", "Event", "events", true),
    ("", "v1", "LimitRange", "limitranges", true),
    ("", "v1", "ResourceQuota", "resourcequotas", true),
    ("", "v1", "ReplicationController", "replicationcontrollers", true),
    ("apps", "v1", "Deployment", "deployments", true),
    ("apps", "v1", "StatefulSet", "statefulsets", true),
    ("apps", "v1", "DaemonSet", "daemonsets", true),
    ("apps", "v1", "ReplicaSet", "replicasets", true),
    ("apps", "v1", "ControllerRevision", "controllerrevisions", true),
    ("batch", "v1", "Job", "jobs", true),
    ("batch", "v1", "CronJob", "cronjobs", true),
    ("networking.k8s.io", "v1", "Ingress", "ingresses", true),
    ("networking.k8s.io", "v1", "IngressClass", "ingressclasses", false),
    (
        "networking.k8s.io",
        "v1",
        "NetworkPolicy",
        "networkpolicies",
        true,
    ),
    ("rbac.authorization.k8s.io", "v1", "Role", "roles", true),
    (
        "rbac.authorization.k8s.io",
        "v1",
        "RoleBinding",
        "rolebindings",
        true,
    ),
    (
        "rbac.authorization.k8s.io",
        "v1",
        "ClusterRole",
        "clusterroles",
        false,
    ),
    (
        "rbac.authorization.k8s.io",
        "v1",
        "ClusterRoleBinding",
        "clusterrolebindings",
        false,
    ),
    (
        "policy",
        "v1",
        "PodDisruptionBudget",
        "poddisruptionbudgets",
        true,
    ),
    (
        "autoscaling",
        "v2",
        "HorizontalPodAutoscaler",
        "horizontalpodautoscalers",
        true,
    ),
    (
        "autoscaling",
        "v1",
        "HorizontalPodAutoscaler",
        "horizontalpodautoscalers",
        true,
    ),
    ("storage.k8s.io", "v1", "StorageClass", "storageclasses", false),
    (
        "apiextensions.k8s.io",
        "v1",
        "CustomResourceDefinition",
        "customresourcedefinitions",
        false,
    ),
    ("apiregistration.k8s.io", "v1", "APIService", "apiservices", false),
    (
        "admissionregistration.k8s.io",
        "v1",
        "MutatingWebhookConfiguration",
        "mutatingwebhookconfigurations",
        false,
    ),
    (
        "admissionregistration.k8s.io",
        "v1",
        "ValidatingWebhookConfiguration",
        "validatingwebhookconfigurations",
        false,
    ),
    (
        "scheduling.k8s.io",
        "v1",
        "PriorityClass",
        "priorityclasses",
        false,
    ),
    ("coordination.k8s.io", "v1", "Lease", "leases", true),
    ("discovery.k8s.io", "v1", "EndpointSlice", "endpointslices", true),
];

/// [`BUILTIN_KINDS`] as [`ApiResource`]s.
pub fn builtin_api_resources() -> Vec<ApiResource> {
    BUILTIN_KINDS
        .iter()
        .map(|(g, v, k, plural, namespaced)| {
            ApiResource::new(GroupVersionKind::new(*g, *v, *k), *plural, *namespaced)
        })
        .collect()
}

/// The `(plural, namespaced)` a CustomResourceDefinition object declares, with the served
/// versions, or `None` when the CRD lacks `spec.group`, `spec.names.kind` or `spec.names.plural`.
pub fn crd_api_resources(crd: &serde_json::Value) -> Option<Vec<ApiResource>> {
    let spec = crd.get("spec")?;
    let group = spec.get("group")?.as_str()?;
    let kind = spec.pointer("/names/kind")?.as_str()?;
    let plural = spec.pointer("/names/plural")?.as_str()?;
    let namespaced = spec.get("scope").and_then(serde_json::Value::as_str) != Some("Cluster");
    let versions = spec.get("versions")?.as_array()?;
    Some(
        versions
            .iter()
            .filter(|v| {
                v.get("served")
                    .and_then(serde_json::Value::as_bool)
                    .unwrap_or(true)
            })
            .filter_map(|v| v.get("name")?.as_str())
            .map(|v| ApiResource::new(GroupVersionKind::new(group, v, kind), plural, namespaced))
            .collect(),
    )
}
