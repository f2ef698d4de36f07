//! The discovery cache of a [`KubeApplier`](super::KubeApplier): which kinds the API server
//! serves, at which versions, with which scope and verbs.

use std::{
    collections::{BTreeMap, HashMap},
    sync::{
        Arc, RwLock,
        atomic::{AtomicBool, Ordering},
    },
    time::{Duration, Instant},
};

use ::kube::discovery::{ApiCapabilities, Discovery, Scope, verbs};
use gitops_core::{GroupKind, GroupVersionKind};

use crate::ApiResource;

/// One served kind at one version.
#[derive(Debug, Clone)]
pub(super) struct Served {
    /// The crate's description (returned by `api_resource`).
    pub(super) resource: ApiResource,
    /// kube-rs' description, for URLs.
    pub(super) kube: ::kube::discovery::ApiResource,
    /// Whether list and delete are served (candidates for pruning).
    pub(super) listable: bool,
}

/// One discovery pass.
#[derive(Debug, Default)]
pub(super) struct Snapshot {
    by_gvk: HashMap<GroupVersionKind, Served>,
    /// The preferred (most stable) version of each group and kind.
    preferred: BTreeMap<GroupKind, GroupVersionKind>,
    /// When the pass finished.
    taken: Option<Instant>,
    /// Increases with every pass; lets concurrent misses share one refresh.
    pub(super) generation: u64,
}

impl Snapshot {
    /// Builds a snapshot from a kube-rs discovery pass.
    pub(super) fn from_discovery(discovery: &Discovery, generation: u64) -> Self {
        let mut snapshot = Self {
            taken: Some(Instant::now()),
            generation,
            ..Self::default()
        };
        for group in discovery.groups() {
            for version in group.versions() {
                for (ar, caps) in group.versioned_resources(version) {
                    snapshot.insert(ar, &caps);
                }
            }
            for (ar, _) in group.resources_by_stability() {
                let gvk = GroupVersionKind::new(ar.group.clone(), ar.version.clone(), ar.kind.clone());
                snapshot.preferred.insert(gvk.group_kind(), gvk);
            }
        }
        snapshot
    }

    fn insert(&mut self, ar: ::kube::discovery::ApiResource, caps: &ApiCapabilities) {
        let gvk = GroupVersionKind::new(ar.group.clone(), ar.version.clone(), ar.kind.clone());
        let resource = ApiResource::new(gvk.clone(), ar.plural.clone(), caps.scope == Scope::Namespaced);
        let listable = caps.supports_operation(verbs::LIST) && caps.supports_operation(verbs::DELETE);
        self.by_gvk.insert(
            gvk,
            Served {
                resource,
                kube: ar,
                listable,
            },
        );
    }

    /// The kind at exactly this version.
    pub(super) fn exact(&self, gvk: &GroupVersionKind) -> Option<&Served> {
        self.by_gvk.get(gvk)
    }

    /// The kind at this version, or else at the preferred version of its group and kind.
    pub(super) fn lenient(&self, gvk: &GroupVersionKind) -> Option<&Served> {
        self.exact(gvk)
            .or_else(|| self.by_gvk.get(self.preferred.get(&gvk.group_kind())?))
    }

    /// Every kind at its preferred version that supports list and delete, ordered by group and
    /// kind.
    pub(super) fn listable(&self) -> Vec<ApiResource> {
        self.preferred
            .values()
            .filter_map(|gvk| self.by_gvk.get(gvk))
            .filter(|s| s.listable)
            .map(|s| s.resource.clone())
            .collect()
    }
}

/// The cached snapshot plus the refresh bookkeeping.
#[derive(Debug, Default)]
pub(super) struct DiscoveryCache {
    current: RwLock<Option<Arc<Snapshot>>>,
    /// Serialises refreshes.
    pub(super) refreshing: tokio::sync::Mutex<()>,
    /// Set when the served kinds are known to have changed (a CRD was applied or deleted).
    stale: AtomicBool,
}

impl DiscoveryCache {
    /// The current snapshot, if discovery ran.
    pub(super) fn current(&self) -> Option<Arc<Snapshot>> {
        self.current
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clone()
    }

    /// Replaces the snapshot and clears the stale flag.
    pub(super) fn store(&self, snapshot: Snapshot) -> Arc<Snapshot> {
        let snapshot = Arc::new(snapshot);
        *self
            .current
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = Some(Arc::clone(&snapshot));
        self.stale.store(false, Ordering::SeqCst);
        snapshot
    }

    /// Marks the snapshot as outdated: the next miss refreshes regardless of the interval.
    pub(super) fn invalidate(&self) {
        self.stale.store(true, Ordering::SeqCst);
    }

    /// Whether a miss after `seen_generation` should run discovery again: not when another task
    /// refreshed in the meantime, otherwise when there is no snapshot, it is stale, or it is
    /// older than `interval`.
    pub(super) fn needs_refresh(&self, seen_generation: Option<u64>, interval: Duration) -> bool {
        let Some(current) = self.current() else {
            return true;
        };
        if seen_generation.is_some_and(|seen| current.generation > seen) {
            return false;
        }
        self.stale.load(Ordering::SeqCst) || current.taken.is_none_or(|t| t.elapsed() >= interval)
    }
}
