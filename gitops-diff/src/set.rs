//! [`diff_set`]: the desired set against the live objects, paired by [`ResourceKey`], with a state
//! per resource and the overall sync status (gitops-engine's `sync/reconcile.go` + `Diff` per pair).

use std::{collections::HashMap, fmt};

use gitops_core::{
    Manifest, ManifestSet, ResourceKey, Tracking,
    annotations::{CompareOptions, Hooks},
    scope::{BuiltinScopes, Scope, ScopeResolver},
};
use serde_json::Value;

use crate::{DiffOptions, Error, ResourceDiff, diff};

/// The state of one resource.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ResourceState {
    /// Live matches desired.
    Synced,
    /// Live differs from desired.
    OutOfSync,
    /// Desired, but there is no live object.
    Missing,
    /// Live (and owned by the application, when tracking is given) but not desired.
    RequiresPruning,
}

/// The overall sync status of a set, as Argo CD's Application `status.sync.status`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum SyncStatus {
    /// Every resource is Synced (extraneous resources marked `IgnoreExtraneous` do not count).
    Synced,
    /// At least one resource is OutOfSync, Missing or requires pruning.
    OutOfSync,
}

/// One paired resource.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct ResourceReport {
    /// The resource (the desired object's key, or the live object's for extraneous ones).
    pub key: ResourceKey,
    /// Its state.
    pub state: ResourceState,
    /// Whether the live object of a RequiresPruning resource carries
    /// `argocd.argoproj.io/compare-options: IgnoreExtraneous` (it then does not make the set
    /// OutOfSync).
    pub ignore_extraneous: bool,
    /// The diff (live `null` for Missing, desired `null` for RequiresPruning).
    pub diff: ResourceDiff,
}

/// The result of [`diff_set`].
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct SetReport {
    /// Every desired and every extraneous resource, sorted by key.
    pub resources: Vec<ResourceReport>,
    /// The overall status.
    pub status: SyncStatus,
}

impl SetReport {
    /// The resources in a state.
    pub fn in_state(&self, state: ResourceState) -> impl Iterator<Item = &ResourceReport> {
        self.resources.iter().filter(move |r| r.state == state)
    }
}

/// Options of [`diff_set`].
#[non_exhaustive]
pub struct SetOptions<'a> {
    /// Options of each resource's diff.
    pub diff: DiffOptions,
    /// Scopes, for pairing objects whose namespace may be wrong for their kind (default: the
    /// built-in table; unknown kinds are paired trying both scopes).
    pub scopes: &'a dyn ScopeResolver,
    /// Tracking and application name: live objects not in the desired set count as extraneous only
    /// when owned by this application. `None`: every live object handed in is the application's.
    pub tracking: Option<(&'a Tracking, &'a str)>,
    /// The destination namespace, tried for desired objects of unknown scope without a namespace.
    pub default_namespace: String,
}

impl fmt::Debug for SetOptions<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SetOptions")
            .field("diff", &self.diff)
            .field("tracking", &self.tracking)
            .field("default_namespace", &self.default_namespace)
            .finish_non_exhaustive()
    }
}

impl Default for SetOptions<'_> {
    fn default() -> Self {
        Self {
            diff: DiffOptions::default(),
            scopes: &BuiltinScopes,
            tracking: None,
            default_namespace: String::new(),
        }
    }
}

impl<'a> SetOptions<'a> {
    /// Sets the diff options.
    #[must_use]
    pub fn with_diff(mut self, diff: DiffOptions) -> Self {
        self.diff = diff;
        self
    }

    /// Sets the scope resolver.
    #[must_use]
    pub fn with_scopes(mut self, scopes: &'a dyn ScopeResolver) -> Self {
        self.scopes = scopes;
        self
    }

    /// Sets the tracking configuration and application name.
    #[must_use]
    pub fn with_tracking(mut self, tracking: &'a Tracking, app: &'a str) -> Self {
        self.tracking = Some((tracking, app));
        self
    }

    /// Sets the destination namespace.
    #[must_use]
    pub fn with_default_namespace(mut self, namespace: impl Into<String>) -> Self {
        self.default_namespace = namespace.into();
        self
    }
}

/// Compares a desired set with live objects.
///
/// Pairing is by [`ResourceKey`]. When the scope of a kind is [`Scope::Unknown`] (or says
/// cluster-scoped while desired carries a namespace), the key without namespace is tried too, and
/// for a desired object without namespace the key in [`SetOptions::default_namespace`], as
/// gitops-engine pairs objects whose scope it cannot know. Each live object pairs at most once.
/// Hooks (`argocd.argoproj.io/hook`, `helm.sh/hook`) are not part of the sync status, on either
/// side. Every desired object and every extraneous live object appears exactly once in the report.
///
/// ```
/// use gitops_core::{load_bytes, ManifestSet};
/// use gitops_diff::{diff_set, ResourceState, SetOptions, SyncStatus};
/// use serde_json::json;
/// let desired = ManifestSet::from_manifests(load_bytes(
///     b"apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a, namespace: d}\ndata: {k: v}\n", "a.yaml")?)?;
/// let live = [
///     json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "a", "namespace": "d", "uid": "1"}, "data": {"k": "v"}}),
///     json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "old", "namespace": "d"}}),
/// ];
/// let report = diff_set(&desired, &live, &SetOptions::default())?;
/// assert_eq!(report.resources[0].state, ResourceState::Synced);
/// assert_eq!(report.resources[1].state, ResourceState::RequiresPruning);
/// assert_eq!(report.status, SyncStatus::OutOfSync);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
///
/// # Errors
/// [`Error::InvalidLiveObject`] for a live object without valid identity; errors of [`diff()`].
pub fn diff_set(desired: &ManifestSet, live: &[Value], options: &SetOptions<'_>) -> Result<SetReport, Error> {
    let mut live_index: HashMap<ResourceKey, usize> = HashMap::with_capacity(live.len());
    let mut live_keys = Vec::with_capacity(live.len());
    for (i, object) in live.iter().enumerate() {
        let key = Manifest::key_of(object).map_err(|source| Error::InvalidLiveObject { index: i, source })?;
        live_index.entry(key.clone()).or_insert(i);
        live_keys.push(key);
    }
    let mut paired = vec![false; live.len()];
    let mut resources = Vec::with_capacity(desired.len() + live.len());
    let null = Value::Null;
    for manifest in desired {
        let object = manifest.as_value();
        if is_hook(object) {
            continue;
        }
        let key = manifest.key();
        let found = candidates(&key, options).into_iter().find_map(|k| {
            live_index
                .get(&k)
                .copied()
                .filter(|i| !paired[*i])
                .map(|i| (i, k))
        });
        let (live_object, state, paired_key) = match found {
            Some((i, k)) => {
                paired[i] = true;
                (&live[i], None, Some(k))
            }
            None => (&null, Some(ResourceState::Missing), None),
        };
        let d = match paired_key.filter(|k| k.namespace != key.namespace) {
            // Paired under the other scope: compare with the namespace the live object has.
            Some(k) => {
                let mut adjusted = manifest.clone();
                adjusted.set_namespace(k.namespace.as_deref());
                diff(adjusted.as_value(), live_object, &options.diff)?
            }
            None => diff(object, live_object, &options.diff)?,
        };
        let state = state.unwrap_or(if d.modified {
            ResourceState::OutOfSync
        } else {
            ResourceState::Synced
        });
        resources.push(ResourceReport {
            key,
            state,
            ignore_extraneous: false,
            diff: d,
        });
    }
    for (i, object) in live.iter().enumerate() {
        if paired[i] || is_hook(object) {
            continue;
        }
        if let Some((tracking, app)) = options.tracking
            && !tracking.is_ours(app, object)
        {
            continue;
        }
        let ignore_extraneous = CompareOptions::of(object).is_ok_and(|o| o.ignore_extraneous);
        let d = diff(&null, object, &options.diff)?;
        resources.push(ResourceReport {
            key: live_keys[i].clone(),
            state: ResourceState::RequiresPruning,
            ignore_extraneous,
            diff: d,
        });
    }
    resources.sort_by(|a, b| a.key.cmp(&b.key));
    let out_of_sync = resources.iter().any(|r| match r.state {
        ResourceState::Synced => false,
        ResourceState::RequiresPruning => !r.ignore_extraneous,
        ResourceState::OutOfSync | ResourceState::Missing => true,
    });
    Ok(SetReport {
        resources,
        status: if out_of_sync {
            SyncStatus::OutOfSync
        } else {
            SyncStatus::Synced
        },
    })
}

fn is_hook(object: &Value) -> bool {
    matches!(Hooks::of(object), Ok(Some(_)))
}

/// Keys under which a desired object may live.
fn candidates(key: &ResourceKey, options: &SetOptions<'_>) -> Vec<ResourceKey> {
    let mut out = vec![key.clone()];
    let scope = options.scopes.scope(&key.group_kind());
    if key.namespace.is_some() && scope != Scope::Namespaced {
        out.push(ResourceKey {
            namespace: None,
            ..key.clone()
        });
    }
    if key.namespace.is_none() && scope != Scope::Cluster && !options.default_namespace.is_empty() {
        out.push(ResourceKey {
            namespace: Some(options.default_namespace.clone()),
            ..key.clone()
        });
    }
    out
}
