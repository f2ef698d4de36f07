use gitops_core::{
    Error, GroupKind,
    scope::{
        BuiltinScopes, CrdScopes, Scope, ScopeResolver, apply_default_namespace, apply_default_namespaces,
    },
};

use super::{object, set};

#[test]
fn builtin_table_knows_standard_kinds() {
    for (g, k) in [
        ("", "ConfigMap"),
        ("apps", "StatefulSet"),
        ("batch", "CronJob"),
        ("rbac.authorization.k8s.io", "RoleBinding"),
    ] {
        assert_eq!(
            BuiltinScopes.scope(&GroupKind::new(g, k)),
            Scope::Namespaced,
            "{g}/{k}"
        );
    }
    for (g, k) in [
        ("", "Node"),
        ("storage.k8s.io", "StorageClass"),
        ("rbac.authorization.k8s.io", "ClusterRole"),
    ] {
        assert_eq!(
            BuiltinScopes.scope(&GroupKind::new(g, k)),
            Scope::Cluster,
            "{g}/{k}"
        );
    }
    // The group matters: a Deployment in another group is unknown.
    assert_eq!(
        BuiltinScopes.scope(&GroupKind::new("example.com", "Deployment")),
        Scope::Unknown
    );
}

#[test]
fn default_namespace_only_for_namespaced_kinds() {
    let mut cm = object("v1", "ConfigMap", None, "c", &[]);
    apply_default_namespace(&mut cm, "shop", &BuiltinScopes).unwrap();
    assert_eq!(cm.namespace(), Some("shop"));
    let mut explicit = object("v1", "ConfigMap", Some("other"), "c", &[]);
    apply_default_namespace(&mut explicit, "shop", &BuiltinScopes).unwrap();
    assert_eq!(explicit.namespace(), Some("other"));
    let mut unknown = object("example.com/v1", "Widget", None, "w", &[]);
    apply_default_namespace(&mut unknown, "shop", &BuiltinScopes).unwrap();
    assert_eq!(unknown.namespace(), None);
    let mut cr = object(
        "rbac.authorization.k8s.io/v1",
        "ClusterRole",
        Some("shop"),
        "r",
        &[],
    );
    let err = apply_default_namespace(&mut cr, "shop", &BuiltinScopes).unwrap_err();
    assert!(matches!(err, Error::NamespaceOnClusterScoped { .. }));
    assert!(
        err.to_string()
            .contains("rbac.authorization.k8s.io/ClusterRole/shop/r"),
        "{err}"
    );
}

#[test]
fn crds_in_the_set_resolve_their_custom_resources() {
    let s = set(r"
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: widgets.example.com}
spec: {group: example.com, names: {kind: Widget}, scope: Namespaced}
---
apiVersion: example.com/v1
kind: Widget
metadata: {name: w}
");
    let resolver = (BuiltinScopes, CrdScopes::from_manifests(&s));
    let out = apply_default_namespaces(s.clone(), "shop", &resolver).unwrap();
    let keys: Vec<String> = out.keys().map(ToString::to_string).collect();
    assert_eq!(
        keys,
        [
            "apiextensions.k8s.io/CustomResourceDefinition//widgets.example.com",
            "example.com/Widget/shop/w"
        ]
    );
}

#[test]
fn defaulting_that_creates_a_duplicate_is_an_error() {
    let s = set(
        "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: c, namespace: shop}\n",
    );
    assert!(matches!(
        apply_default_namespaces(s, "shop", &BuiltinScopes),
        Err(Error::DuplicateResource { .. })
    ));
}
