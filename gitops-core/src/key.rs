//! [`ResourceKey`]: the version-less identity of one object in a cluster.

use std::{fmt, str::FromStr};

use crate::{Error, GroupKind};

/// Identity of one Kubernetes object: group, kind, namespace and name, without the version, as
/// gitops-engine's `kube.ResourceKey`. Two manifests with the same key are the same live object.
///
/// The stable text form is `group/kind/namespace/name`, with empty parts for the core group and
/// for cluster-scoped objects (e.g. `apps/Deployment/default/web`, `/Namespace//prod`). Names and
/// namespaces never contain `/` in Kubernetes, so the form round-trips.
///
/// ```
/// use gitops_core::ResourceKey;
/// let key: ResourceKey = "apps/Deployment/default/web".parse().unwrap();
/// assert_eq!(key.namespace.as_deref(), Some("default"));
/// assert_eq!(key.to_string(), "apps/Deployment/default/web");
/// let ns: ResourceKey = "/Namespace//prod".parse().unwrap();
/// assert_eq!(ns.namespace, None);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ResourceKey {
    /// API group; empty for the core group.
    pub group: String,
    /// Kind, e.g. `Deployment`.
    pub kind: String,
    /// Namespace; `None` for cluster-scoped objects (and namespaced ones not yet given one).
    pub namespace: Option<String>,
    /// `metadata.name`.
    pub name: String,
}

impl ResourceKey {
    /// Builds a key. An empty `namespace` is stored as `None`.
    pub fn new(
        group: impl Into<String>,
        kind: impl Into<String>,
        namespace: Option<&str>,
        name: impl Into<String>,
    ) -> Self {
        Self {
            group: group.into(),
            kind: kind.into(),
            namespace: namespace.filter(|n| !n.is_empty()).map(str::to_owned),
            name: name.into(),
        }
    }

    /// The version-less [`GroupKind`] of this key.
    pub fn group_kind(&self) -> GroupKind {
        GroupKind::new(self.group.clone(), self.kind.clone())
    }

    /// The namespace, or `""` when there is none.
    pub fn namespace_or_empty(&self) -> &str {
        self.namespace.as_deref().unwrap_or("")
    }
}

impl fmt::Display for ResourceKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}/{}/{}/{}",
            self.group,
            self.kind,
            self.namespace_or_empty(),
            self.name
        )
    }
}

impl FromStr for ResourceKey {
    type Err = Error;

    /// Parses `group/kind/namespace/name`.
    ///
    /// # Errors
    /// [`Error::InvalidResourceKey`] unless there are exactly four `/`-separated parts with a
    /// non-empty kind and name.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let parts: Vec<&str> = s.split('/').collect();
        match parts.as_slice() {
            [group, kind, namespace, name] if !kind.is_empty() && !name.is_empty() => {
                Ok(Self::new(*group, *kind, Some(namespace), *name))
            }
            _ => Err(Error::InvalidResourceKey { key: s.to_owned() }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_round_trips_and_rejects_bad_forms() {
        let key = ResourceKey::new("", "Service", Some("default"), "web");
        assert_eq!(key.to_string(), "/Service/default/web");
        assert_eq!(key.to_string().parse::<ResourceKey>().unwrap(), key);
        for bad in ["", "a/b/c", "a/b/c/d/e", "a//ns/name", "a/Kind/ns/"] {
            assert!(bad.parse::<ResourceKey>().is_err(), "{bad:?}");
        }
    }
}
