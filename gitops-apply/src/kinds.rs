//! The built-in Kubernetes kinds a fresh cluster serves: group, version, kind, plural, scope.

use gitops_core::GroupVersionKind;

use crate::ApiResource;

/// One built-in kind as a fresh cluster serves it: the facts discovery lists.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct BuiltinKind {
    /// API group, `""` for the core group.
    pub group: &'static str,
    /// API version within the group, e.g. `v1`.
    pub version: &'static str,
    /// Kind, e.g. `Deployment`.
    pub kind: &'static str,
    /// Resource (plural) name used in URLs, e.g. `deployments`.
    pub plural: &'static str,
    /// Whether objects of the kind live in a namespace.
    pub namespaced: bool,
    /// `kubectl` short names, e.g. `deploy`.
    pub short_names: &'static [&'static str],
    /// Whether the kind has a `status` subresource (spec writes keep status, status writes
    /// keep the rest).
    pub status_subresource: bool,
}

impl BuiltinKind {
    /// The kind's GroupVersionKind.
    pub fn gvk(&self) -> GroupVersionKind {
        GroupVersionKind::new(self.group, self.version, self.kind)
    }
}

/// The standard kinds of Kubernetes 1.32+ served before any CRD is applied, by both the
/// [`InMemoryCluster`](crate::InMemoryCluster) and gitops-testkit's API server emulator (one
/// table for both). Scope, short names and status subresources follow the Kubernetes API
/// reference; a kind served in two versions (HorizontalPodAutoscaler) lists the preferred one
/// first.
pub const BUILTIN_KINDS: &[BuiltinKind] = &[
    BuiltinKind {
        group: "",
        version: "v1",
        kind: "Namespace",
        plural: "namespaces",
        namespaced: false,
        short_names: &["ns"],
        status_subresource: true,
    },
    BuiltinKind {
        group: "",
        version: "v1",
        kind: "Node",
        plural: "nodes",
        namespaced: false,
        short_names: &["no"],
        status_subresource: true,
    },
    BuiltinKind {
        group: "",
        version: "v1",
        kind: "PersistentVolume",
        plural: "persistentvolumes",
        namespaced: false,
        short_names: &["pv"],
        status_subresource: true,
    },
    BuiltinKind {
        group: "",
        version: "v1",
        kind: "ConfigMap",
        plural: "configmaps",
        namespaced: true,
        short_names: &["cm"],
        status_subresource: false,
    },
    BuiltinKind {
        group: "",
        version: "v1",
        kind: "Secret",
        plural: "secrets",
        namespaced: true,
        short_names: &[],
        status_subresource: false,
    },
    BuiltinKind {
        group: "",
        version: "v1",
        kind: "Service",
        plural: "services",
        namespaced: true,
        short_names: &["svc"],
        status_subresource: true,
    },
    BuiltinKind {
        group: "",
        version: "v1",
        kind: "ServiceAccount",
        plural: "serviceaccounts",
        namespaced: true,
        short_names: &["sa"],
        status_subresource: false,
    },
    BuiltinKind {
        group: "",
        version: "v1",
        kind: "Pod",
        plural: "pods",
        namespaced: true,
        short_names: &["po"],
        status_subresource: true,
    },
    BuiltinKind {
        group: "",
        version: "v1",
        kind: "PersistentVolumeClaim",
        plural: "persistentvolumeclaims",
        namespaced: true,
        short_names: &["pvc"],
        status_subresource: true,
    },
    BuiltinKind {
        group: "",
        version: "v1",
        kind: "Endpoints",
        plural: "endpoints",
        namespaced: true,
        short_names: &["ep"],
        status_subresource: false,
    },
    BuiltinKind {
        group: "",
        version: "v1",
        kind: "Event",
        plural: "events",
        namespaced: true,
        short_names: &["ev"],
        status_subresource: false,
    },
    BuiltinKind {
        group: "",
        version: "v1",
        kind: "LimitRange",
        plural: "limitranges",
        namespaced: true,
        short_names: &["limits"],
        status_subresource: false,
    },
    BuiltinKind {
        group: "",
        version: "v1",
        kind: "ResourceQuota",
        plural: "resourcequotas",
        namespaced: true,
        short_names: &["quota"],
        status_subresource: true,
    },
    BuiltinKind {
        group: "",
        version: "v1",
        kind: "ReplicationController",
        plural: "replicationcontrollers",
        namespaced: true,
        short_names: &["rc"],
        status_subresource: true,
    },
    BuiltinKind {
        group: "apps",
        version: "v1",
        kind: "Deployment",
        plural: "deployments",
        namespaced: true,
        short_names: &["deploy"],
        status_subresource: true,
    },
    BuiltinKind {
        group: "apps",
        version: "v1",
        kind: "StatefulSet",
        plural: "statefulsets",
        namespaced: true,
        short_names: &["sts"],
        status_subresource: true,
    },
    BuiltinKind {
        group: "apps",
        version: "v1",
        kind: "DaemonSet",
        plural: "daemonsets",
        namespaced: true,
        short_names: &["ds"],
        status_subresource: true,
    },
    BuiltinKind {
        group: "apps",
        version: "v1",
        kind: "ReplicaSet",
        plural: "replicasets",
        namespaced: true,
        short_names: &["rs"],
        status_subresource: true,
    },
    BuiltinKind {
        group: "apps",
        version: "v1",
        kind: "ControllerRevision",
        plural: "controllerrevisions",
        namespaced: true,
        short_names: &[],
        status_subresource: false,
    },
    BuiltinKind {
        group: "batch",
        version: "v1",
        kind: "Job",
        plural: "jobs",
        namespaced: true,
        short_names: &[],
        status_subresource: true,
    },
    BuiltinKind {
        group: "batch",
        version: "v1",
        kind: "CronJob",
        plural: "cronjobs",
        namespaced: true,
        short_names: &["cj"],
        status_subresource: true,
    },
    BuiltinKind {
        group: "networking.k8s.io",
        version: "v1",
        kind: "Ingress",
        plural: "ingresses",
        namespaced: true,
        short_names: &["ing"],
        status_subresource: true,
    },
    BuiltinKind {
        group: "networking.k8s.io",
        version: "v1",
        kind: "IngressClass",
        plural: "ingressclasses",
        namespaced: false,
        short_names: &[],
        status_subresource: false,
    },
    BuiltinKind {
        group: "networking.k8s.io",
        version: "v1",
        kind: "NetworkPolicy",
        plural: "networkpolicies",
        namespaced: true,
        short_names: &["netpol"],
        status_subresource: false,
    },
    BuiltinKind {
        group: "rbac.authorization.k8s.io",
        version: "v1",
        kind: "Role",
        plural: "roles",
        namespaced: true,
        short_names: &[],
        status_subresource: false,
    },
    BuiltinKind {
        group: "rbac.authorization.k8s.io",
        version: "v1",
        kind: "RoleBinding",
        plural: "rolebindings",
        namespaced: true,
        short_names: &[],
        status_subresource: false,
    },
    BuiltinKind {
        group: "rbac.authorization.k8s.io",
        version: "v1",
        kind: "ClusterRole",
        plural: "clusterroles",
        namespaced: false,
        short_names: &[],
        status_subresource: false,
    },
    BuiltinKind {
        group: "rbac.authorization.k8s.io",
        version: "v1",
        kind: "ClusterRoleBinding",
        plural: "clusterrolebindings",
        namespaced: false,
        short_names: &[],
        status_subresource: false,
    },
    BuiltinKind {
        group: "policy",
        version: "v1",
        kind: "PodDisruptionBudget",
        plural: "poddisruptionbudgets",
        namespaced: true,
        short_names: &["pdb"],
        status_subresource: true,
    },
    BuiltinKind {
        group: "autoscaling",
        version: "v2",
        kind: "HorizontalPodAutoscaler",
        plural: "horizontalpodautoscalers",
        namespaced: true,
        short_names: &["hpa"],
        status_subresource: true,
    },
    BuiltinKind {
        group: "autoscaling",
        version: "v1",
        kind: "HorizontalPodAutoscaler",
        plural: "horizontalpodautoscalers",
        namespaced: true,
        short_names: &["hpa"],
        status_subresource: true,
    },
    BuiltinKind {
        group: "storage.k8s.io",
        version: "v1",
        kind: "StorageClass",
        plural: "storageclasses",
        namespaced: false,
        short_names: &["sc"],
        status_subresource: false,
    },
    BuiltinKind {
        group: "apiextensions.k8s.io",
        version: "v1",
        kind: "CustomResourceDefinition",
        plural: "customresourcedefinitions",
        namespaced: false,
        short_names: &["crd", "crds"],
        status_subresource: true,
    },
    BuiltinKind {
        group: "apiregistration.k8s.io",
        version: "v1",
        kind: "APIService",
        plural: "apiservices",
        namespaced: false,
        short_names: &[],
        status_subresource: true,
    },
    BuiltinKind {
        group: "admissionregistration.k8s.io",
        version: "v1",
        kind: "MutatingWebhookConfiguration",
        plural: "mutatingwebhookconfigurations",
        namespaced: false,
        short_names: &[],
        status_subresource: false,
    },
    BuiltinKind {
        group: "admissionregistration.k8s.io",
        version: "v1",
        kind: "ValidatingWebhookConfiguration",
        plural: "validatingwebhookconfigurations",
        namespaced: false,
        short_names: &[],
        status_subresource: false,
    },
    BuiltinKind {
        group: "scheduling.k8s.io",
        version: "v1",
        kind: "PriorityClass",
        plural: "priorityclasses",
        namespaced: false,
        short_names: &["pc"],
        status_subresource: false,
    },
    BuiltinKind {
        group: "coordination.k8s.io",
        version: "v1",
        kind: "Lease",
        plural: "leases",
        namespaced: true,
        short_names: &[],
        status_subresource: false,
    },
    BuiltinKind {
        group: "discovery.k8s.io",
        version: "v1",
        kind: "EndpointSlice",
        plural: "endpointslices",
        namespaced: true,
        short_names: &[],
        status_subresource: false,
    },
];

/// [`BUILTIN_KINDS`] as [`ApiResource`]s.
pub fn builtin_api_resources() -> Vec<ApiResource> {
    BUILTIN_KINDS
        .iter()
        .map(|k| ApiResource::new(k.gvk(), k.plural, k.namespaced))
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
