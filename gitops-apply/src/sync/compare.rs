//! Step 1 and 2 of a sync: prepare the desired state and compare it with the cluster.

use std::collections::{BTreeMap, BTreeSet};

use futures::StreamExt as _;

use gitops_core::{GroupKind, Manifest, ManifestSet, ResourceKey};
use serde_json::Value;

use super::{
    SyncEngine, SyncOptions,
    prepare::{DiscoveredScopes, prepare},
    report::{Action, ResourceResult, ResourceStatus, SyncOutcome, SyncReport},
};
use crate::{Error, Result};

/// The comparison of a desired state with the cluster, input of the execution step.
#[derive(Debug)]
pub(super) struct Comparison {
    /// Desired objects with namespace and tracking applied, hooks included.
    pub(super) desired: ManifestSet,
    /// Comparison status of every non-hook desired resource and every prune candidate.
    pub(super) statuses: BTreeMap<ResourceKey, ResourceStatus>,
    /// Managed live objects that left the desired state.
    pub(super) prune: Vec<Manifest>,
    /// `metadata.resourceVersion` of each live desired object, to tell a no-op write from a change.
    pub(super) live_versions: BTreeMap<ResourceKey, String>,
    /// What discovery said of every desired kind when comparing.
    pub(super) scopes: DiscoveredScopes,
}

impl Comparison {
    pub(super) fn is_out_of_sync(&self) -> bool {
        self.statuses.values().any(|s| s.is_out_of_sync())
    }

    pub(super) fn into_report_without_sync(self) -> SyncReport {
        let sync_status_before = if self.is_out_of_sync() {
            ResourceStatus::OutOfSync
        } else {
            ResourceStatus::Synced
        };
        let versions: BTreeMap<ResourceKey, String> = self
            .desired
            .iter()
            .chain(self.prune.iter())
            .map(|m| (m.key(), m.gvk().version.clone()))
            .collect();
        let resources = self
            .statuses
            .into_iter()
            .map(|(key, status)| ResourceResult {
                version: versions.get(&key).cloned().unwrap_or_default(),
                key,
                status,
                action: if status == ResourceStatus::RequiresPruning {
                    Action::Skipped
                } else {
                    Action::Unchanged
                },
                health: None,
                message: String::new(),
                phase: gitops_core::SyncPhase::Sync,
                wave: 0,
                hook: false,
                order: None,
            })
            .collect();
        SyncReport {
            resources,
            sync_status_before,
            health: None,
            outcome: SyncOutcome::Succeeded,
            message: "compared (no sync)".to_owned(),
            writes: 0,
            operation: super::state::OperationState::default(),
        }
    }
}

pub(super) async fn compare(
    engine: &SyncEngine<'_>,
    desired: &ManifestSet,
    options: &SyncOptions,
) -> Result<Comparison> {
    let scopes = DiscoveredScopes::discover(engine.applier, desired).await?;
    let desired = prepare(desired, &scopes, options)?;
    let mut statuses = BTreeMap::new();
    let mut live_versions = BTreeMap::new();
    let mut resources = Vec::new();
    for manifest in &desired {
        if !is_hook(manifest)? {
            resources.push(manifest);
        }
    }
    let modes = DiffModes::new(engine, options);
    // Each resource is read (and dry-run applied for a server-side diff) concurrently.
    let compared: Vec<Result<Compared>> = futures::stream::iter(resources)
        .map(|manifest| compare_one(engine, manifest, &scopes, options, &modes))
        .buffered(super::READ_CONCURRENCY)
        .collect()
        .await;
    for outcome in compared {
        let Compared {
            key,
            status,
            resource_version,
        } = outcome?;
        if let Some(rv) = resource_version {
            live_versions.insert(key.clone(), rv);
        }
        statuses.insert(key, status);
    }
    let prune = managed_live(engine, &desired, options).await?;
    for m in &prune {
        statuses.insert(m.key(), ResourceStatus::RequiresPruning);
    }
    Ok(Comparison {
        desired,
        statuses,
        prune,
        live_versions,
        scopes,
    })
}

/// One compared resource: its status and the live `metadata.resourceVersion` (`None` when
/// missing).
struct Compared {
    key: ResourceKey,
    status: ResourceStatus,
    resource_version: Option<String>,
}

/// The diff options of one comparison, built once for all its resources.
struct DiffModes {
    /// For objects our field manager applied (mode `Auto` only): structured-merge mode under
    /// our manager, so fields removed from Git count as drift; `None` when the engine's mode
    /// is set explicitly.
    applied_by_us: Option<gitops_diff::DiffOptions>,
    /// For the server-side diff: the engine's options under our manager.
    server_side: Option<gitops_diff::DiffOptions>,
}

impl DiffModes {
    fn new(engine: &SyncEngine<'_>, options: &SyncOptions) -> Self {
        let manager = || engine.diff.clone().with_manager(options.field_manager.clone());
        Self {
            applied_by_us: (engine.diff.mode == gitops_diff::DiffMode::Auto)
                .then(|| manager().with_mode(gitops_diff::DiffMode::StructuredMerge)),
            server_side: options.server_side_diff.then(manager),
        }
    }
}

/// Compares one non-hook desired resource with its live object.
async fn compare_one(
    engine: &SyncEngine<'_>,
    manifest: &Manifest,
    scopes: &DiscoveredScopes,
    options: &SyncOptions,
    modes: &DiffModes,
) -> Result<Compared> {
    let key = manifest.key();
    let missing = |key| Compared {
        key,
        status: ResourceStatus::Missing,
        resource_version: None,
    };
    if !scopes.is_served(&key.group_kind()) {
        return Ok(missing(key));
    }
    let Some(live) = engine
        .applier
        .get(manifest.gvk(), key.namespace.as_deref(), &key.name)
        .await?
    else {
        return Ok(missing(key));
    };
    let diff = if let Some(server_side) = &modes.server_side {
        // Argo CD's server-side diff: the server predicts the live object.
        let dry_run = crate::ApplyOptions::default()
            .field_manager(options.field_manager.clone())
            .force(options.force_conflicts)
            .dry_run(true);
        let predicted = engine.applier.apply(manifest.as_value(), &dry_run).await?;
        gitops_diff::diff_server_side(manifest.as_value(), &live, &predicted, server_side)
    } else {
        let structured = modes
            .applied_by_us
            .as_ref()
            .filter(|_| applied_by(&live, &options.field_manager));
        gitops_diff::diff(manifest.as_value(), &live, structured.unwrap_or(&engine.diff))
    }
    .map_err(|source| Error::Diff {
        key: key.clone(),
        source,
    })?;
    let status = if diff.modified {
        ResourceStatus::OutOfSync
    } else {
        ResourceStatus::Synced
    };
    Ok(Compared {
        key,
        status,
        resource_version: live
            .pointer("/metadata/resourceVersion")
            .and_then(Value::as_str)
            .map(str::to_owned),
    })
}

/// Live objects owned by the application (tracking label/annotation) that are not desired and
/// not hooks, in key order.
async fn managed_live(
    engine: &SyncEngine<'_>,
    desired: &ManifestSet,
    options: &SyncOptions,
) -> Result<Vec<Manifest>> {
    // Every kind is listed and filtered by the tracking rules, which covers label and
    // annotation tracking alike; with a tracking label the API server (or the watch cache)
    // filters by it first.
    let selector = options.tracking.label_selector(&options.app);
    let mut seen: BTreeSet<GroupKind> = BTreeSet::new();
    let mut out = Vec::new();
    for resource in engine.applier.api_resources().await? {
        if !seen.insert(resource.gvk.group_kind()) {
            continue;
        }
        let live = engine
            .applier
            .list(&resource.gvk, None, selector.as_deref())
            .await?;
        for object in live {
            if !options.tracking.is_ours(&options.app, &object)
                || object.pointer("/metadata/deletionTimestamp").is_some()
            {
                continue;
            }
            let manifest = Manifest::from_value(object).map_err(Error::Manifest)?;
            if desired.get(&manifest.key()).is_some() || is_hook(&manifest).unwrap_or(false) {
                continue;
            }
            out.push(manifest);
        }
    }
    out.sort_by_key(Manifest::key);
    Ok(out)
}

/// Whether `manager` has an `Apply` entry in the object's managedFields. With the engine's
/// diff mode left at `Auto`, such objects are compared in structured-merge mode (predicted live
/// = offline server-side apply of desired under our manager), so fields removed from Git are
/// drift; other objects use `Auto` (three-way with a last-applied annotation, else two-way), as
/// gitops-engine.
fn applied_by(live: &Value, manager: &str) -> bool {
    live.pointer("/metadata/managedFields")
        .and_then(Value::as_array)
        .is_some_and(|entries| {
            entries.iter().any(|e| {
                e.get("manager").and_then(Value::as_str) == Some(manager)
                    && e.get("operation").and_then(Value::as_str) == Some("Apply")
            })
        })
}

/// Whether an object is a sync hook (any valid hook annotation, Skip included).
pub(super) fn is_hook(manifest: &Manifest) -> Result<bool> {
    manifest.hooks().map(|h| h.is_some()).map_err(Error::Manifest)
}
