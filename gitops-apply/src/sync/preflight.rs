//! The pre-flight check of a sync's first step, gitops-engine's dry run of every task: a
//! resource whose kind the cluster does not serve fails the whole operation before anything is
//! written, unless a CRD in the same sync defines the kind or `SkipDryRunOnMissingResource=true`.

use gitops_core::{Batch, Manifest, ResourceKey, SyncPhase, TaskAction};

use super::{
    SyncOptions,
    compare::Comparison,
    report::{Action, ResourceResult, ResourceStatus},
};
use crate::{Error, Result};

/// The message of an operation that failed its pre-flight check (gitops-engine's wording).
pub(super) const FAILED: &str = "one or more objects failed to apply (dry run)";

/// Whether the dry run of `manifest` may be skipped when its kind is not served: its own
/// `SkipDryRunOnMissingResource` sync option, else the application-level one.
pub(super) fn skips_dry_run(manifest: &Manifest, options: &SyncOptions) -> Result<bool> {
    let own = manifest
        .sync_options()
        .map_err(Error::Manifest)?
        .skip_dry_run_on_missing_resource;
    Ok(own.unwrap_or(options.skip_dry_run_on_missing_resource))
}

/// Checks every selected apply task of `batches` (hooks included; SyncFail hooks only run on
/// failure and are not checked): returns one `SyncFailed` result per resource whose kind is not
/// served and may not skip its dry run; empty when the operation may start.
pub(super) fn check(
    cmp: &Comparison,
    batches: &[Batch],
    options: &SyncOptions,
    selected: impl Fn(&ResourceKey) -> bool,
) -> Result<Vec<ResourceResult>> {
    let mut failures = Vec::new();
    let tasks = batches
        .iter()
        .filter(|b| b.action != TaskAction::Prune && b.phase != SyncPhase::SyncFail)
        .flat_map(|b| b.tasks.iter());
    for task in tasks {
        let Some(manifest) = cmp.desired.get(&task.key) else {
            continue;
        };
        // The comparison's discovery answers for every desired kind (no request per task).
        let kind = task.key.group_kind();
        if !selected(&task.key)
            || cmp.scopes.is_served(&kind)
            || cmp.scopes.is_defined_by_crd(&kind)
            || skips_dry_run(manifest, options)?
        {
            continue;
        }
        failures.push(ResourceResult {
            key: task.key.clone(),
            version: manifest.gvk().version.clone(),
            status: cmp
                .statuses
                .get(&task.key)
                .copied()
                .unwrap_or(ResourceStatus::Missing),
            action: Action::Failed,
            health: None,
            message: format!(
                "dry run failed: the server does not serve {} (no CustomResourceDefinition in this \
                 sync defines it; SkipDryRunOnMissingResource=true skips this check)",
                manifest.gvk()
            ),
            phase: task.phase,
            wave: task.wave.0,
            hook: task.hook.is_some(),
            order: None,
        });
    }
    Ok(failures)
}
