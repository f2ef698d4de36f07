//! Object scope: namespaced or cluster-scoped, and default namespaces.
//!
//! Whether a kind is namespaced decides whether an object without `metadata.namespace` gets the
//! Application's destination namespace (as `kubectl apply -n` and Argo CD do) and whether a
//! namespace on it is a mistake. The built-in table covers the standard Kubernetes kinds;
//! [`CrdScopes`] reads CustomResourceDefinitions in the desired state; a discovery-backed
//! resolver lives in gitops-apply. Resolvers chain with a tuple: `(first, second)` asks `second`
//! only when `first` says [`Scope::Unknown`].
//!
//! ```
//! use gitops_core::{GroupKind, scope::{BuiltinScopes, Scope, ScopeResolver}};
//! assert_eq!(BuiltinScopes.scope(&GroupKind::new("apps", "Deployment")), Scope::Namespaced);
//! assert_eq!(BuiltinScopes.scope(&GroupKind::new("", "Namespace")), Scope::Cluster);
//! assert_eq!(BuiltinScopes.scope(&GroupKind::new("example.com", "Widget")), Scope::Unknown);
//! ```

use std::collections::BTreeMap;

use serde_json::Value;

use crate::{Error, GroupKind, Manifest, ManifestSet};

/// Whether objects of a kind live in a namespace.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Scope {
    /// Objects live in a namespace.
    Namespaced,
    /// Objects are cluster-wide; they have no namespace.
    Cluster,
    /// The resolver does not know the kind (e.g. a custom resource before its CRD is known).
    Unknown,
}

/// Answers whether a [`GroupKind`] is namespaced. Implemented by [`BuiltinScopes`],
/// [`CrdScopes`], tuples (first non-[`Scope::Unknown`] answer wins) and gitops-apply's
/// discovery-backed resolver.
pub trait ScopeResolver {
    /// The scope of a group and kind.
    fn scope(&self, kind: &GroupKind) -> Scope;
}

impl<T: ScopeResolver + ?Sized> ScopeResolver for &T {
    fn scope(&self, kind: &GroupKind) -> Scope {
        (**self).scope(kind)
    }
}

impl<A: ScopeResolver, B: ScopeResolver> ScopeResolver for (A, B) {
    fn scope(&self, kind: &GroupKind) -> Scope {
        match self.0.scope(kind) {
            Scope::Unknown => self.1.scope(kind),
            known => known,
        }
    }
}

/// The scopes of the standard Kubernetes kinds (as served by Kubernetes 1.34, including
/// deprecated `extensions` kinds), plus Argo CD's `argoproj.io` Application, AppProject and
/// ApplicationSet. Every other kind is [`Scope::Unknown`].
#[derive(Debug, Clone, Copy, Default)]
pub struct BuiltinScopes;

const CLUSTER: &[(&str, &str)] = &[
    ("", "Namespace"),
    ("", "Node"),
    ("", "PersistentVolume"),
    ("", "ComponentStatus"),
    ("rbac.authorization.k8s.io", "ClusterRole"),
    ("rbac.authorization.k8s.io", "ClusterRoleBinding"),
    ("apiextensions.k8s.io", "CustomResourceDefinition"),
    ("apiregistration.k8s.io", "APIService"),
    ("storage.k8s.io", "StorageClass"),
    ("storage.k8s.io", "CSIDriver"),
    ("storage.k8s.io", "CSINode"),
    ("storage.k8s.io", "VolumeAttachment"),
    ("storage.k8s.io", "VolumeAttributesClass"),
    ("scheduling.k8s.io", "PriorityClass"),
    ("node.k8s.io", "RuntimeClass"),
    ("networking.k8s.io", "IngressClass"),
    ("networking.k8s.io", "IPAddress"),
    ("networking.k8s.io", "ServiceCIDR"),
    ("admissionregistration.k8s.io", "MutatingWebhookConfiguration"),
    ("admissionregistration.k8s.io", "ValidatingWebhookConfiguration"),
    ("admissionregistration.k8s.io", "ValidatingAdmissionPolicy"),
    ("admissionregistration.k8s.io", "ValidatingAdmissionPolicyBinding"),
    ("admissionregistration.k8s.io", "MutatingAdmissionPolicy"),
    ("admissionregistration.k8s.io", "MutatingAdmissionPolicyBinding"),
    ("certificates.k8s.io", "CertificateSigningRequest"),
    ("certificates.k8s.io", "ClusterTrustBundle"),
    ("flowcontrol.apiserver.k8s.io", "FlowSchema"),
    ("flowcontrol.apiserver.k8s.io", "PriorityLevelConfiguration"),
    ("authentication.k8s.io", "TokenReview"),
    ("authentication.k8s.io", "SelfSubjectReview"),
    ("authorization.k8s.io", "SubjectAccessReview"),
    ("authorization.k8s.io", "SelfSubjectAccessReview"),
    ("authorization.k8s.io", "SelfSubjectRulesReview"),
    ("policy", "PodSecurityPolicy"),
    ("extensions", "PodSecurityPolicy"),
    ("resource.k8s.io", "DeviceClass"),
    ("resource.k8s.io", "ResourceSlice"),
    ("internal.apiserver.k8s.io", "StorageVersion"),
    ("storagemigration.k8s.io", "StorageVersionMigration"),
];

const NAMESPACED: &[(&str, &str)] = &[
    ("", "Pod"),
    ("", "Service"),
    ("", "ConfigMap"),
    ("", "Secret"),
    ("", "ServiceAccount"),
    ("", "PersistentVolumeClaim"),
    ("", "Endpoints"),
    ("", "Event"),
    ("", "LimitRange"),
    ("", "ResourceQuota"),
    ("", "ReplicationController"),
    ("", "PodTemplate"),
    ("", "Binding"),
    ("apps", "Deployment"),
    ("apps", "StatefulSet"),
    ("apps", "DaemonSet"),
    ("apps", "ReplicaSet"),
    ("apps", "ControllerRevision"),
    ("extensions", "Deployment"),
    ("extensions", "DaemonSet"),
    ("extensions", "ReplicaSet"),
    ("extensions", "Ingress"),
    ("extensions", "NetworkPolicy"),
    ("batch", "Job"),
    ("batch", "CronJob"),
    ("autoscaling", "HorizontalPodAutoscaler"),
    ("networking.k8s.io", "Ingress"),
    ("networking.k8s.io", "NetworkPolicy"),
    ("policy", "PodDisruptionBudget"),
    ("rbac.authorization.k8s.io", "Role"),
    ("rbac.authorization.k8s.io", "RoleBinding"),
    ("coordination.k8s.io", "Lease"),
    ("discovery.k8s.io", "EndpointSlice"),
    ("events.k8s.io", "Event"),
    ("storage.k8s.io", "CSIStorageCapacity"),
    ("authorization.k8s.io", "LocalSubjectAccessReview"),
    ("resource.k8s.io", "ResourceClaim"),
    ("resource.k8s.io", "ResourceClaimTemplate"),
    ("argoproj.io", "Application"),
    ("argoproj.io", "AppProject"),
    ("argoproj.io", "ApplicationSet"),
];

impl ScopeResolver for BuiltinScopes {
    fn scope(&self, kind: &GroupKind) -> Scope {
        let hit = |table: &[(&str, &str)]| table.iter().any(|(g, k)| *g == kind.group && *k == kind.kind);
        if hit(CLUSTER) {
            Scope::Cluster
        } else if hit(NAMESPACED) {
            Scope::Namespaced
        } else {
            Scope::Unknown
        }
    }
}

/// Scopes of the custom resources defined by CustomResourceDefinitions (`spec.group`,
/// `spec.names.kind`, `spec.scope`), typically those in the same desired state.
///
/// ```
/// use gitops_core::{GroupKind, Manifest, scope::{CrdScopes, Scope, ScopeResolver}};
/// let crd = Manifest::from_value(serde_json::json!({
///     "apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
///     "metadata": {"name": "widgets.example.com"},
///     "spec": {"group": "example.com", "names": {"kind": "Widget"}, "scope": "Cluster"},
/// })).unwrap();
/// let scopes = CrdScopes::from_manifests([&crd]);
/// assert_eq!(scopes.scope(&GroupKind::new("example.com", "Widget")), Scope::Cluster);
/// ```
#[derive(Debug, Clone, Default)]
pub struct CrdScopes {
    scopes: BTreeMap<GroupKind, Scope>,
}

impl CrdScopes {
    /// Reads every CustomResourceDefinition among `manifests`; other objects are skipped, and so
    /// is a CRD without a recognisable `spec.scope`.
    pub fn from_manifests<'a>(manifests: impl IntoIterator<Item = &'a Manifest>) -> Self {
        let mut scopes = BTreeMap::new();
        for m in manifests {
            let gvk = m.gvk();
            if gvk.group != "apiextensions.k8s.io" || gvk.kind != "CustomResourceDefinition" {
                continue;
            }
            let v = m.as_value();
            let s = |p: &str| v.pointer(p).and_then(Value::as_str);
            let scope = match s("/spec/scope") {
                Some("Namespaced") => Scope::Namespaced,
                Some("Cluster") => Scope::Cluster,
                _ => continue,
            };
            if let (Some(group), Some(kind)) = (s("/spec/group"), s("/spec/names/kind")) {
                scopes.insert(GroupKind::new(group, kind), scope);
            }
        }
        Self { scopes }
    }
}

impl ScopeResolver for CrdScopes {
    fn scope(&self, kind: &GroupKind) -> Scope {
        self.scopes.get(kind).copied().unwrap_or(Scope::Unknown)
    }
}

/// Gives a namespaced object without a namespace the `default_namespace`, as `kubectl apply -n`
/// and Argo CD's destination namespace do. Cluster-scoped objects and objects of unknown scope
/// are left alone, except that a namespace on a cluster-scoped kind is an error (the API server
/// would ignore it, which hides a mistake).
///
/// # Errors
/// [`Error::NamespaceOnClusterScoped`].
pub fn apply_default_namespace(
    manifest: &mut Manifest,
    default_namespace: &str,
    resolver: &(impl ScopeResolver + ?Sized),
) -> Result<(), Error> {
    match resolver.scope(&manifest.gvk().group_kind()) {
        Scope::Namespaced if manifest.namespace().is_none() && !default_namespace.is_empty() => {
            manifest.set_namespace(Some(default_namespace));
        }
        Scope::Cluster if manifest.namespace().is_some() => {
            return Err(Error::NamespaceOnClusterScoped { key: manifest.key() });
        }
        _ => {}
    }
    Ok(())
}

/// [`apply_default_namespace`] over a whole set. Keys change, so the set is rebuilt; two objects
/// that become the same resource (one with the default namespace written out, one without) are
/// an [`Error::DuplicateResource`].
///
/// ```
/// use gitops_core::{load_bytes, ManifestSet, scope::{apply_default_namespaces, BuiltinScopes}};
/// let yaml = b"apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n---\n\
/// apiVersion: v1\nkind: Namespace\nmetadata: {name: shop}\n";
/// let set = ManifestSet::from_manifests(load_bytes(yaml, "x.yaml")?)?;
/// let set = apply_default_namespaces(set, "shop", &BuiltinScopes)?;
/// let keys: Vec<String> = set.keys().map(ToString::to_string).collect();
/// assert_eq!(keys, ["/ConfigMap/shop/a", "/Namespace//shop"]);
/// # Ok::<(), gitops_core::Error>(())
/// ```
pub fn apply_default_namespaces(
    set: ManifestSet,
    default_namespace: &str,
    resolver: &(impl ScopeResolver + ?Sized),
) -> Result<ManifestSet, Error> {
    let mut out = ManifestSet::new();
    for mut m in set {
        apply_default_namespace(&mut m, default_namespace, resolver)?;
        out.insert(m)?;
    }
    Ok(out)
}
