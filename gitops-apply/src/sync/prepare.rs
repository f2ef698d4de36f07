//! Preparing the desired state for a cluster: scope from discovery, default namespace, tracking.

use std::collections::{BTreeMap, BTreeSet};

use gitops_core::{GroupKind, Manifest, ManifestSet, Scope, ScopeResolver, scope::CrdScopes};

use crate::{Applier, Error, Result, SyncOptions};

/// Scopes learned from discovery, falling back to the CRDs of the desired state for kinds the
/// cluster does not serve yet (a CRD and its custom resources in one sync).
#[derive(Debug, Default)]
pub(crate) struct DiscoveredScopes {
    served: BTreeMap<GroupKind, bool>,
    crds: Option<CrdScopes>,
}

impl ScopeResolver for DiscoveredScopes {
    fn scope(&self, group_kind: &GroupKind) -> Scope {
        match self.served.get(group_kind) {
            Some(true) => Scope::Namespaced,
            Some(false) => Scope::Cluster,
            None => self.crds.as_ref().map_or(Scope::Unknown, |c| c.scope(group_kind)),
        }
    }
}

impl DiscoveredScopes {
    /// Asks discovery about every kind in `desired`.
    pub(crate) async fn discover(applier: &dyn Applier, desired: &ManifestSet) -> Result<Self> {
        let kinds: BTreeSet<_> = desired.iter().map(|m| m.gvk().clone()).collect();
        let mut served = BTreeMap::new();
        for gvk in kinds {
            match applier.api_resource(&gvk).await {
                Ok(resource) => {
                    served.insert(gvk.group_kind(), resource.namespaced);
                }
                Err(Error::UnknownKind { .. }) => {}
                Err(e) => return Err(e),
            }
        }
        Ok(Self {
            served,
            crds: Some(CrdScopes::from_manifests(desired.iter())),
        })
    }

    /// Whether the cluster serves the kind right now.
    pub(crate) fn is_served(&self, group_kind: &GroupKind) -> bool {
        self.served.contains_key(group_kind)
    }

    /// Whether a CustomResourceDefinition of the desired state defines the kind.
    pub(crate) fn is_defined_by_crd(&self, group_kind: &GroupKind) -> bool {
        self.crds
            .as_ref()
            .is_some_and(|c| c.scope(group_kind) != Scope::Unknown)
    }
}

/// Scopes for [`prepare`]: a kind neither served nor defined by a CRD of the desired state is
/// treated as namespaced, as gitops-engine's `IsNamespacedOrUnknown` does, so an object of it
/// gets the default namespace; the pre-flight check of the sync then decides whether it may be
/// applied (`SkipDryRunOnMissingResource=true`, e.g. a CRD that an operator installs in an
/// earlier wave) or fails the operation.
struct NamespacedOrUnknown<'a>(&'a DiscoveredScopes);

impl ScopeResolver for NamespacedOrUnknown<'_> {
    fn scope(&self, group_kind: &GroupKind) -> Scope {
        match self.0.scope(group_kind) {
            Scope::Unknown => Scope::Namespaced,
            known => known,
        }
    }
}

/// Gives namespaced objects (and objects of unknown kinds) the default namespace and writes the
/// tracking label/annotation.
///
/// # Errors
/// [`Error::Manifest`] when a cluster-scoped object carries a namespace, or for tracking errors
/// (application name too long for a label).
pub(crate) fn prepare(
    desired: &ManifestSet,
    scopes: &DiscoveredScopes,
    options: &SyncOptions,
) -> Result<ManifestSet> {
    let scopes = NamespacedOrUnknown(scopes);
    let mut out = ManifestSet::new();
    for manifest in desired {
        let mut m: Manifest = manifest.clone();
        gitops_core::scope::apply_default_namespace(&mut m, &options.default_namespace, &scopes)
            .map_err(Error::Manifest)?;
        options
            .tracking
            .write(&options.app, &mut m)
            .map_err(Error::Manifest)?;
        out.insert(m).map_err(Error::Manifest)?;
    }
    Ok(out)
}
