//! Running hooks: naming, BeforeHookCreation, delete policies at the end of the operation.

use std::time::{SystemTime, UNIX_EPOCH};

use gitops_core::{HookDeletePolicy, Manifest, ResourceKey, SyncPhase};

use super::{SyncEngine, SyncOptions, wait::Watched};
use crate::{ApplyOptions, DeleteOptions, Error, Result};

/// The live name of a hook: its `metadata.name`, or for `generateName` hooks gitops-engine's
/// `<generateName><revision[0:7]>-<phase>-<unix seconds>`, lower-cased.
pub(super) fn hook_name(manifest: &Manifest, phase: SyncPhase, revision: Option<&str>) -> String {
    if !manifest.name().is_empty() {
        return manifest.name().to_owned();
    }
    let prefix = manifest.generate_name().unwrap_or("hook-");
    let rev: String = revision.unwrap_or("").chars().take(7).collect();
    let unix = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    format!("{prefix}{rev}-{}-{unix}", phase.as_str()).to_lowercase()
}

/// Creates one hook: deletes the previous object of the same name first when the hook's
/// policies include BeforeHookCreation (the default), then applies it. Returns the live key.
pub(super) async fn create_hook(
    engine: &SyncEngine<'_>,
    manifest: &Manifest,
    phase: SyncPhase,
    options: &SyncOptions,
) -> Result<(ResourceKey, Watched)> {
    let name = hook_name(manifest, phase, options.revision.as_deref());
    let mut object = manifest.as_value().clone();
    object["metadata"]["name"] = serde_json::Value::String(name);
    if let Some(meta) = object
        .get_mut("metadata")
        .and_then(serde_json::Value::as_object_mut)
    {
        meta.remove("generateName");
    }
    let hook = Manifest::from_value(object).map_err(Error::Manifest)?;
    let key = hook.key();
    let policies = manifest.hook_delete_policies().map_err(Error::Manifest)?;
    let delete = DeleteOptions::default().dry_run(options.dry_run);
    if policies.contains(HookDeletePolicy::BeforeHookCreation) {
        engine
            .applier
            .delete(hook.gvk(), key.namespace.as_deref(), &key.name, &delete)
            .await?;
        let watched = Watched {
            gvk: hook.gvk().clone(),
            key: key.clone(),
            hook: true,
        };
        if !options.dry_run
            && let Some(message) =
                super::wait::wait_gone(engine, &[watched], options.wave_timeout, options.poll_interval)
                    .await?
        {
            return Err(Error::Invalid { key, message });
        }
    }
    let apply = ApplyOptions::default()
        .field_manager(options.field_manager.clone())
        .force(options.force_conflicts)
        .dry_run(options.dry_run);
    engine.applier.apply(hook.as_value(), &apply).await?;
    let watched = Watched {
        gvk: hook.gvk().clone(),
        key: key.clone(),
        hook: true,
    };
    Ok((key, watched))
}

/// Applies HookSucceeded (operation succeeded) or HookFailed (operation failed) delete
/// policies to the hooks `(desired manifest, live key)` created by the operation; returns the
/// keys deleted.
pub(super) async fn finish_hooks(
    engine: &SyncEngine<'_>,
    runs: &[(Manifest, ResourceKey)],
    succeeded: bool,
    options: &SyncOptions,
) -> Result<Vec<ResourceKey>> {
    let wanted = if succeeded {
        HookDeletePolicy::HookSucceeded
    } else {
        HookDeletePolicy::HookFailed
    };
    let mut deleted = Vec::new();
    for (manifest, key) in runs {
        let policies = manifest.hook_delete_policies().map_err(Error::Manifest)?;
        if policies.contains(wanted) {
            let delete = DeleteOptions::default().dry_run(options.dry_run);
            if engine
                .applier
                .delete(manifest.gvk(), key.namespace.as_deref(), &key.name, &delete)
                .await?
            {
                deleted.push(key.clone());
            }
        }
    }
    Ok(deleted)
}
