//! Sync ordering: phases, waves, Argo CD's kind order, dependencies, and the sync plan.
//!
//! [`plan`] turns a desired [`ManifestSet`](crate::ManifestSet) into ordered [`Batch`]es, the
//! way gitops-engine's `syncTasks.Sort` orders tasks, plus explicit dependencies:
//!
//! 1. **Tasks.** Every ordinary object is one apply task in the Sync phase. A hook is one task per
//!    [`SyncPhase`] it names; ignored hooks (`Skip`, unsupported Helm hooks) and delete-only hooks
//!    (`PreDelete`, `PostDelete`) get none. Prune candidates passed to [`plan_with`] are prune
//!    tasks in the Sync phase.
//! 2. **Sort key** ([`SortKey`]): phase (PreSync < Sync < PostSync < SyncFail), [`SyncWave`],
//!    [`kind_rank`] (Argo CD's [`KIND_ORDER`]; unknown kinds after all of them), name; then
//!    kind, namespace and group so the order is total and deterministic.
//! 3. **Implicit dependencies** (gitops-engine's `adjustDeps`): a Namespace that sorts after the
//!    first object in it moves right before that object and takes its phase and wave; likewise a
//!    CustomResourceDefinition before the first custom resource of its group and kind.
//! 4. **Explicit dependencies**: annotation [`gitops.rs/depends-on`](crate::annotations::DEPENDS_ON)
//!    lists [`ResourceKey`](crate::ResourceKey)s the object waits for. A dependency in an earlier phase/wave is met
//!    by the wave barrier; one in the same phase and wave becomes an edge of the dependency graph
//!    (a petgraph DAG whose nodes are tasks); one that only syncs later is
//!    [`Error::DependencyInLaterWave`]; one that is not in the set (or never applied) is
//!    [`Error::MissingDependency`]; a cycle is [`Error::DependencyCycle`] naming every member.
//! 5. **Batches.** Phases and waves are barriers (Argo CD waits for health between waves).
//!    Within a (phase, wave) step, prune tasks come first, in one batch; then applies run as
//!    gitops-engine runs them, in parallel within a run of consecutive tasks of the same kind and
//!    sequentially between runs, except that a task whose dependencies in the graph are not done
//!    yet waits for a later batch. With no `depends-on` annotations the batches are exactly
//!    gitops-engine's kind runs.
//! 6. **Prune order** (gitops-engine `sync_context.go`): prune waves are mirrored (the highest
//!    wave is pruned first), then prunes with `PruneLast=true` (annotation on the live object, or
//!    [`PlanOptions::prune_last`]) move to one wave after the last wave of the Sync phase.
//!
//! ```
//! use gitops_core::{load_bytes, ManifestSet, ordering::{plan, SyncPhase}};
//! let yaml = br#"
//! apiVersion: apps/v1
//! kind: Deployment
//! metadata: {name: web, namespace: shop}
//! ---
//! apiVersion: v1
//! kind: Namespace
//! metadata: {name: shop}
//! ---
//! apiVersion: batch/v1
//! kind: Job
//! metadata: {name: migrate, namespace: shop, annotations: {argocd.argoproj.io/hook: PreSync}}
//! "#;
//! let set = ManifestSet::from_manifests(load_bytes(yaml, "app.yaml")?)?;
//! let plan = plan(&set)?;
//! let order: Vec<String> = plan.tasks().map(|t| format!("{} {}", t.phase, t.key)).collect();
//! assert_eq!(order, [
//!     "PreSync /Namespace//shop",          // moved before the first object in it
//!     "PreSync batch/Job/shop/migrate",
//!     "Sync apps/Deployment/shop/web",
//! ]);
//! # Ok::<(), gitops_core::Error>(())
//! ```

mod plan;

use std::{fmt, str::FromStr};

pub use plan::{Batch, PlanOptions, SyncPlan, SyncTask, TaskAction, plan, plan_with};

use crate::{Error, annotations::SyncWave};

/// A sync phase, in execution order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub enum SyncPhase {
    /// Hooks that run before the resources are applied.
    PreSync,
    /// The resources themselves, and `Sync` hooks.
    #[default]
    Sync,
    /// Hooks that run after every resource is applied and healthy.
    PostSync,
    /// Hooks that run only when the sync failed.
    SyncFail,
}

impl SyncPhase {
    /// The Argo CD spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::PreSync => "PreSync",
            Self::Sync => "Sync",
            Self::PostSync => "PostSync",
            Self::SyncFail => "SyncFail",
        }
    }
}

impl fmt::Display for SyncPhase {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for SyncPhase {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        [Self::PreSync, Self::Sync, Self::PostSync, Self::SyncFail]
            .into_iter()
            .find(|p| p.as_str() == s)
            .ok_or_else(|| Error::InvalidValue {
                expected: "PreSync, Sync, PostSync or SyncFail",
                value: s.to_owned(),
            })
    }
}

/// Argo CD's kind order within a wave (gitops-engine `sync_tasks.go`, itself Helm's install
/// order): kinds earlier in this list are applied first. Kinds not listed come after all of them.
pub const KIND_ORDER: [&str; 35] = [
    "Namespace",
    "NetworkPolicy",
    "ResourceQuota",
    "LimitRange",
    "PodSecurityPolicy",
    "PodDisruptionBudget",
    "ServiceAccount",
    "Secret",
    "SecretList",
    "ConfigMap",
    "StorageClass",
    "PersistentVolume",
    "PersistentVolumeClaim",
    "CustomResourceDefinition",
    "ClusterRole",
    "ClusterRoleList",
    "ClusterRoleBinding",
    "ClusterRoleBindingList",
    "Role",
    "RoleList",
    "RoleBinding",
    "RoleBindingList",
    "Service",
    "DaemonSet",
    "Pod",
    "ReplicationController",
    "ReplicaSet",
    "Deployment",
    "HorizontalPodAutoscaler",
    "StatefulSet",
    "Job",
    "CronJob",
    "IngressClass",
    "Ingress",
    "APIService",
];

/// The rank of a kind in [`KIND_ORDER`], as gitops-engine computes it: `index - 35` for listed
/// kinds (so -35 for Namespace), 0 for every other kind. Only the kind is compared, not the group.
///
/// ```
/// use gitops_core::ordering::kind_rank;
/// assert!(kind_rank("Namespace") < kind_rank("Deployment"));
/// assert_eq!(kind_rank("Rollout"), 0);
/// ```
pub fn kind_rank(kind: &str) -> i32 {
    KIND_ORDER
        .iter()
        .position(|k| *k == kind)
        .map_or(0, |i| i as i32 - KIND_ORDER.len() as i32)
}

/// The sort key of one task: phase, wave, kind rank, name (Argo CD's key), then kind, namespace
/// and group (tie-breakers that make the order total). Derived `Ord` compares in that order.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct SortKey {
    /// Sync phase.
    pub phase: SyncPhase,
    /// Sync wave.
    pub wave: SyncWave,
    /// [`kind_rank`] of the kind.
    pub kind_rank: i32,
    /// `metadata.name` (or `generateName`).
    pub name: String,
    /// Kind.
    pub kind: String,
    /// Namespace, `""` for none.
    pub namespace: String,
    /// API group.
    pub group: String,
}

impl SortKey {
    /// The sort key of an object with this identity in this phase and wave.
    pub fn new(key: &crate::ResourceKey, phase: SyncPhase, wave: SyncWave) -> Self {
        Self {
            phase,
            wave,
            kind_rank: kind_rank(&key.kind),
            name: key.name.clone(),
            kind: key.kind.clone(),
            namespace: key.namespace_or_empty().to_owned(),
            group: key.group.clone(),
        }
    }
}
