//! The resource types the emulator serves: the built-in table and the kinds registered by
//! CustomResourceDefinitions.

use serde_json::{Value, json};

/// One served resource (one group/version/plural), as listed by discovery.
#[derive(Debug, Clone, PartialEq, Eq)]
#[expect(
    clippy::struct_excessive_bools,
    reason = "independent facts of a resource, as discovery lists them"
)]
pub(crate) struct ResourceType {
    pub(crate) group: String,
    pub(crate) version: String,
    pub(crate) kind: String,
    pub(crate) plural: String,
    pub(crate) singular: String,
    pub(crate) namespaced: bool,
    pub(crate) short_names: Vec<String>,
    /// Has a `status` subresource: spec writes keep status, status writes keep the rest.
    pub(crate) status: bool,
    /// `metadata.generation` is maintained (bumped on spec changes).
    pub(crate) generation: bool,
    /// Registered by a CRD (custom resources; merge patch only, no strategic merge).
    pub(crate) custom: bool,
    /// For CRD versions: whether this version is the storage version (the first served one
    /// otherwise).
    pub(crate) preferred: bool,
}

impl ResourceType {
    /// `apps/v1`, or `v1` for the core group.
    pub(crate) fn api_version(&self) -> String {
        if self.group.is_empty() {
            self.version.clone()
        } else {
            format!("{}/{}", self.group, self.version)
        }
    }

    /// `deployments.apps`, or `configmaps` for the core group (the form Status messages use).
    pub(crate) fn qualified(&self) -> String {
        if self.group.is_empty() {
            self.plural.clone()
        } else {
            format!("{}.{}", self.plural, self.group)
        }
    }

    /// The `APIResource` entry of `/apis/<group>/<version>`.
    pub(crate) fn api_resource(&self) -> Value {
        let mut verbs = vec![
            "create",
            "delete",
            "deletecollection",
            "get",
            "list",
            "patch",
            "update",
            "watch",
        ];
        if self.kind == "Event" {
            verbs.retain(|v| *v != "deletecollection");
        }
        let mut value = json!({
            "name": self.plural,
            "singularName": self.singular,
            "namespaced": self.namespaced,
            "kind": self.kind,
            "verbs": verbs,
        });
        if !self.short_names.is_empty() {
            value["shortNames"] = json!(self.short_names);
        }
        value
    }
}

/// Built-in kinds with a status subresource whose objects carry no `metadata.generation`.
const WITHOUT_GENERATION: &[&str] = &[
    "Namespace",
    "Service",
    "Pod",
    "Node",
    "PersistentVolume",
    "ResourceQuota",
    "APIService",
];

/// All served resource types; CRDs add and remove entries.
#[derive(Debug, Clone)]
pub(crate) struct Registry {
    types: Vec<ResourceType>,
}

impl Registry {
    /// The built-in types only.
    pub(crate) fn builtin() -> Self {
        // One table with the in-memory cluster: gitops_apply::kinds::BUILTIN_KINDS.
        let table = gitops_apply::kinds::BUILTIN_KINDS;
        let types = table
            .iter()
            .enumerate()
            .map(|(i, k)| ResourceType {
                group: k.group.into(),
                version: k.version.into(),
                kind: k.kind.into(),
                plural: k.plural.into(),
                singular: k.kind.to_ascii_lowercase(),
                namespaced: k.namespaced,
                short_names: k.short_names.iter().map(|s| (*s).to_string()).collect(),
                status: k.status_subresource,
                generation: k.status_subresource && !WITHOUT_GENERATION.contains(&k.kind),
                custom: false,
                // A group's preferred version is the one of its first entry (autoscaling/v2).
                preferred: table[..i].iter().all(|earlier| earlier.group != k.group),
            })
            .collect();
        Self { types }
    }

    /// Every served type, built-ins first, in registration order.
    pub(crate) fn all(&self) -> &[ResourceType] {
        &self.types
    }

    /// The type served at `group/version` under `plural`.
    pub(crate) fn by_plural(&self, group: &str, version: &str, plural: &str) -> Option<&ResourceType> {
        self.types
            .iter()
            .find(|t| t.group == group && t.version == version && t.plural == plural)
    }

    /// The type for `apiVersion` + `kind`.
    pub(crate) fn by_kind(&self, group: &str, version: &str, kind: &str) -> Option<&ResourceType> {
        self.types
            .iter()
            .find(|t| t.group == group && t.version == version && t.kind == kind)
    }

    /// Groups in registration order, each with its versions (preferred first).
    pub(crate) fn groups(&self) -> Vec<(String, Vec<String>)> {
        let mut groups: Vec<(String, Vec<String>)> = Vec::new();
        for t in &self.types {
            let index = groups.iter().position(|(g, _)| *g == t.group).unwrap_or_else(|| {
                groups.push((t.group.clone(), Vec::new()));
                groups.len() - 1
            });
            let entry = &mut groups[index].1;
            if !entry.contains(&t.version) {
                if t.preferred {
                    entry.insert(0, t.version.clone());
                } else {
                    entry.push(t.version.clone());
                }
            }
        }
        groups
    }

    /// A hash of the served types (group, version, kind, plural, scope): it changes exactly
    /// when the OpenAPI documents do (a CRD registered or removed), so clients caching them by
    /// `?hash=` (kubectl) re-read them only then.
    pub(crate) fn fingerprint(&self) -> u64 {
        use std::hash::{Hash as _, Hasher as _};
        let mut hasher = std::collections::hash_map::DefaultHasher::new();
        for t in &self.types {
            (&t.group, &t.version, &t.kind, &t.plural, t.namespaced).hash(&mut hasher);
        }
        hasher.finish()
    }

    /// Registers (or re-registers) the served versions of a CustomResourceDefinition.
    pub(crate) fn register_crd(&mut self, crd: &Value) {
        self.unregister_crd(crd);
        let Some(spec) = crd.get("spec") else { return };
        let group = spec.get("group").and_then(Value::as_str).unwrap_or_default();
        let names = spec.get("names").cloned().unwrap_or_default();
        let text = |v: &Value, k: &str| v.get(k).and_then(Value::as_str).unwrap_or_default().to_string();
        let kind = text(&names, "kind");
        let plural = text(&names, "plural");
        if group.is_empty() || kind.is_empty() || plural.is_empty() {
            return;
        }
        let singular = Some(text(&names, "singular"))
            .filter(|s| !s.is_empty())
            .unwrap_or_else(|| kind.to_ascii_lowercase());
        let short_names: Vec<String> = names
            .get("shortNames")
            .and_then(Value::as_array)
            .map(|a| a.iter().filter_map(Value::as_str).map(String::from).collect())
            .unwrap_or_default();
        let namespaced = spec.get("scope").and_then(Value::as_str) != Some("Cluster");
        let versions = spec
            .get("versions")
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default();
        for version in versions {
            if version.get("served").and_then(Value::as_bool) == Some(false) {
                continue;
            }
            let name = text(&version, "name");
            if name.is_empty() {
                continue;
            }
            self.types.push(ResourceType {
                group: group.to_string(),
                version: name,
                kind: kind.clone(),
                plural: plural.clone(),
                singular: singular.clone(),
                namespaced,
                short_names: short_names.clone(),
                status: version.pointer("/subresources/status").is_some(),
                generation: true,
                custom: true,
                preferred: version.get("storage").and_then(Value::as_bool) == Some(true),
            });
        }
    }

    /// Removes the kinds a CustomResourceDefinition registered.
    pub(crate) fn unregister_crd(&mut self, crd: &Value) {
        let group = crd
            .pointer("/spec/group")
            .and_then(Value::as_str)
            .unwrap_or_default();
        let plural = crd
            .pointer("/spec/names/plural")
            .and_then(Value::as_str)
            .unwrap_or_default();
        self.types
            .retain(|t| !(t.custom && t.group == group && t.plural == plural));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn crd_registers_and_unregisters_its_served_versions() {
        let mut registry = Registry::builtin();
        let builtin = registry.fingerprint();
        assert_eq!(
            Registry::builtin().fingerprint(),
            builtin,
            "stable for the same types"
        );
        let crd = json!({"spec": {"group": "example.com", "scope": "Namespaced",
            "names": {"kind": "Widget", "plural": "widgets"},
            "versions": [{"name": "v1", "served": true, "storage": true, "subresources": {"status": {}}},
                         {"name": "v0", "served": false}]}});
        registry.register_crd(&crd);
        assert_ne!(registry.fingerprint(), builtin, "a CRD changes the OpenAPI hash");
        let widget = registry.by_plural("example.com", "v1", "widgets").unwrap();
        assert!(widget.namespaced && widget.status && widget.custom);
        assert_eq!(widget.singular, "widget");
        assert!(registry.by_plural("example.com", "v0", "widgets").is_none());
        registry.unregister_crd(&crd);
        assert!(registry.by_kind("example.com", "v1", "Widget").is_none());
        assert_eq!(registry.fingerprint(), builtin);
    }
}
