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
}

/// Gives namespaced objects the default namespace and writes the tracking label/annotation.
///
/// # Errors
/// [`Error::Invalid`] when an object's kind is neither served nor defined by a CRD in the
/// desired state, or a cluster-scoped object carries a namespace; [`Error::Manifest`] for
/// tracking errors (application name too long for a label).
pub(crate) fn prepare(
    desired: &ManifestSet,
    scopes: &DiscoveredScopes,
    options: &SyncOptions,
) -> Result<ManifestSet> {
    let mut out = ManifestSet::new();
    for manifest in desired {
        let mut m: Manifest = manifest.clone();
        if scopes.scope(&m.gvk().group_kind()) == Scope::Unknown {
            return Err(Error::Invalid {
                key: m.key(),
                message: format!(
                    "the cluster serves no kind {} and no CRD in the desired state defines it",
                    m.gvk()
                ),
            });
        }
        gitops_core::scope::apply_default_namespace(&mut m, &options.default_namespace, scopes)
            .map_err(Error::Manifest)?;
        options
            .tracking
            .write(&options.app, &mut m)
            .map_err(Error::Manifest)?;
        out.insert(m).map_err(Error::Manifest)?;
    }
    Ok(out)
}
