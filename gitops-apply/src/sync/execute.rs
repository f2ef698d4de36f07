//! Steps 3 to 5 of a sync: plan, run the batches, wait between waves, finish hooks.

use std::collections::BTreeMap;

use futures::future::join_all;
use gitops_core::{
    Manifest, ResourceKey, SyncPhase, SyncTask, TaskAction,
    annotations::PruneOption,
    ordering::{PlanOptions, plan_with},
};
use gitops_health::Health;

use super::{
    SyncEngine, SyncOptions,
    compare::{Comparison, version_of},
    hooks::{HookRun, create_hook, finish_hooks},
    report::{Action, ResourceResult, ResourceStatus, SyncOutcome, SyncReport},
    wait::{Watched, wait_settled},
};
use crate::{ApplyOptions, DeleteOptions, Error, Result};

/// Mutable state of one running operation.
#[derive(Debug, Default)]
struct Run {
    results: BTreeMap<ResourceKey, ResourceResult>,
    hooks: Vec<HookRun>,
    order: usize,
    writes: usize,
    failure: Option<String>,
}

impl Run {
    fn record(&mut self, mut result: ResourceResult, wrote: bool) {
        if wrote {
            result.order = Some(self.order);
            self.order += 1;
            self.writes += 1;
        }
        if result.action == Action::Failed && self.failure.is_none() {
            self.failure = Some(format!("{}: {}", result.key, result.message));
        }
        self.results.insert(result.key.clone(), result);
    }

    fn set_health(&mut self, key: &ResourceKey, health: Option<Health>) {
        if let Some(r) = self.results.get_mut(key) {
            if let Some(h) = &health
                && r.message.is_empty()
            {
                r.message.clone_from(&h.message);
            }
            r.health = health;
        }
    }
}

pub(super) async fn execute(
    engine: &SyncEngine<'_>,
    cmp: Comparison,
    options: &SyncOptions,
) -> Result<SyncReport> {
    let run_hooks = cmp.is_out_of_sync();
    let plan = plan_with(&cmp.desired, cmp.prune.iter(), &PlanOptions::default()).map_err(Error::Manifest)?;
    let prune: BTreeMap<ResourceKey, Manifest> = cmp.prune.iter().map(|m| (m.key(), m.clone())).collect();
    let mut run = Run::default();
    let batches: Vec<_> = plan.into_batches();
    let main: Vec<_> = batches
        .iter()
        .filter(|b| b.phase != SyncPhase::SyncFail)
        .collect();
    let mut watch: Vec<Watched> = Vec::new();
    for (i, batch) in main.iter().enumerate() {
        if run.failure.is_some() {
            break;
        }
        if batch.action == TaskAction::Prune {
            for task in &batch.tasks {
                if let Some(manifest) = prune.get(&task.key) {
                    let result = prune_one(engine, manifest, task, options).await?;
                    let wrote = result.action == Action::Pruned;
                    run.record(result, wrote);
                }
            }
        }
        if batch.action == TaskAction::Apply {
            let tasks: Vec<&SyncTask> = batch
                .tasks
                .iter()
                .filter(|t| t.hook.is_none() || run_hooks)
                .collect();
            let outcomes = join_all(tasks.iter().map(|t| apply_one(engine, &cmp, t, options))).await;
            for outcome in outcomes {
                let (result, wrote, watched, hook) = outcome?;
                if let Some(w) = watched {
                    watch.push(w);
                }
                if let Some(h) = hook {
                    run.hooks.push(h);
                }
                run.record(result, wrote);
            }
        }
        let last_of_step = main
            .get(i + 1)
            .is_none_or(|n| (n.phase, n.wave) != (batch.phase, batch.wave));
        let is_final = i + 1 == main.len();
        if last_of_step
            && !options.dry_run
            && (!is_final || options.wait_for_final_health)
            && run.failure.is_none()
        {
            let waited =
                wait_settled(engine, &watch, options.wave_timeout, options.poll_interval, true).await?;
            for (key, health, _) in waited.health {
                run.set_health(&key, health);
            }
            run.failure = waited.failure;
            watch.clear();
        }
    }
    let succeeded = run.failure.is_none();
    if !succeeded && run_hooks {
        run_sync_fail_hooks(engine, &cmp, &batches, options, &mut run).await?;
    }
    let hooks = std::mem::take(&mut run.hooks);
    for key in finish_hooks(engine, &hooks, succeeded, options).await? {
        if let Some(r) = run.results.get_mut(&key) {
            r.action = Action::Deleted;
        }
    }
    finish_report(engine, cmp, run, options).await
}

async fn run_sync_fail_hooks(
    engine: &SyncEngine<'_>,
    cmp: &Comparison,
    batches: &[gitops_core::Batch],
    options: &SyncOptions,
    run: &mut Run,
) -> Result<()> {
    let mut watch = Vec::new();
    for batch in batches.iter().filter(|b| b.phase == SyncPhase::SyncFail) {
        for task in &batch.tasks {
            let (result, wrote, watched, hook) = apply_one(engine, cmp, task, options).await?;
            watch.extend(watched);
            run.hooks.extend(hook);
            run.record(result, wrote);
        }
    }
    if !watch.is_empty() && !options.dry_run {
        let waited = wait_settled(engine, &watch, options.wave_timeout, options.poll_interval, false).await?;
        for (key, health, _) in waited.health {
            run.set_health(&key, health);
        }
    }
    Ok(())
}

type Applied = (ResourceResult, bool, Option<Watched>, Option<HookRun>);

async fn apply_one(
    engine: &SyncEngine<'_>,
    cmp: &Comparison,
    task: &SyncTask,
    options: &SyncOptions,
) -> Result<Applied> {
    let Some(manifest) = cmp.desired.get(&task.key) else {
        return Err(Error::Invalid {
            key: task.key.clone(),
            message: "planned task has no desired object".into(),
        });
    };
    let base = |key: ResourceKey, status, action, message: String| ResourceResult {
        key,
        version: manifest.gvk().version.clone(),
        status,
        action,
        health: None,
        message,
        phase: task.phase,
        wave: task.wave.0,
        hook: task.hook.is_some(),
        order: None,
    };
    if task.hook.is_some() {
        return Ok(match create_hook(engine, manifest, task.phase, options).await {
            Ok((run, watched)) => {
                let result = base(
                    run.key.clone(),
                    ResourceStatus::Synced,
                    Action::Created,
                    String::new(),
                );
                (result, true, Some(watched), Some(run))
            }
            Err(e) => (
                base(
                    task.key.clone(),
                    ResourceStatus::Missing,
                    Action::Failed,
                    e.to_string(),
                ),
                false,
                None,
                None,
            ),
        });
    }
    let status = cmp
        .statuses
        .get(&task.key)
        .copied()
        .unwrap_or(ResourceStatus::Missing);
    let watched = Watched {
        gvk: manifest.gvk().clone(),
        key: task.key.clone(),
        hook: false,
    };
    if options.apply_out_of_sync_only && status == ResourceStatus::Synced {
        return Ok((
            base(task.key.clone(), status, Action::Unchanged, String::new()),
            false,
            Some(watched),
            None,
        ));
    }
    let apply = ApplyOptions::default()
        .field_manager(options.field_manager.clone())
        .force(options.force_conflicts)
        .dry_run(options.dry_run);
    Ok(match engine.applier.apply(manifest.as_value(), &apply).await {
        Ok(_) => {
            let action = match status {
                ResourceStatus::Missing => Action::Created,
                ResourceStatus::Synced => Action::Unchanged,
                _ => Action::Configured,
            };
            let message = if options.dry_run {
                format!("{action} (dry run)")
            } else {
                String::new()
            };
            (
                base(task.key.clone(), status, action, message),
                action != Action::Unchanged,
                Some(watched),
                None,
            )
        }
        Err(e) => (
            base(task.key.clone(), status, Action::Failed, e.to_string()),
            false,
            None,
            None,
        ),
    })
}

async fn prune_one(
    engine: &SyncEngine<'_>,
    manifest: &Manifest,
    task: &SyncTask,
    options: &SyncOptions,
) -> Result<ResourceResult> {
    let mut result = ResourceResult {
        key: task.key.clone(),
        version: version_of(manifest.as_value()),
        status: ResourceStatus::RequiresPruning,
        action: Action::Skipped,
        health: None,
        message: String::new(),
        phase: task.phase,
        wave: task.wave.0,
        hook: false,
        order: None,
    };
    let prune_option = manifest.sync_options().map_or(None, |o| o.prune);
    if prune_option == Some(PruneOption::Disabled) {
        result.message = "ignored (no prune)".into();
        return Ok(result);
    }
    if prune_option == Some(PruneOption::Confirm) {
        result.message = format!("waiting for pruning confirmation of {}", task.key);
        return Ok(result);
    }
    if !options.prune {
        result.message = "ignored (requires pruning)".into();
        return Ok(result);
    }
    let delete = DeleteOptions {
        dry_run: options.dry_run,
    };
    match engine
        .applier
        .delete(
            manifest.gvk(),
            task.key.namespace.as_deref(),
            &task.key.name,
            &delete,
        )
        .await
    {
        Ok(_) => {
            result.action = Action::Pruned;
            result.message = if options.dry_run {
                "pruned (dry run)".into()
            } else {
                "pruned".into()
            };
        }
        Err(e) => {
            result.action = Action::Failed;
            result.message = e.to_string();
        }
    }
    Ok(result)
}

async fn finish_report(
    engine: &SyncEngine<'_>,
    cmp: Comparison,
    mut run: Run,
    options: &SyncOptions,
) -> Result<SyncReport> {
    let sync_status_before = if cmp.is_out_of_sync() {
        ResourceStatus::OutOfSync
    } else {
        ResourceStatus::Synced
    };
    let mut objects = Vec::new();
    for manifest in &cmp.desired {
        let key = manifest.key();
        if !run.results.contains_key(&key) {
            continue;
        }
        let live = if options.dry_run {
            None
        } else {
            engine
                .applier
                .get(manifest.gvk(), key.namespace.as_deref(), &key.name)
                .await
                .unwrap_or(None)
        };
        let health = match &live {
            Some(object) => engine.health.assess(object).map_err(|source| Error::Health {
                key: key.clone(),
                source,
            })?,
            None => None,
        };
        if run.results.get(&key).is_some_and(|r| !r.hook) {
            run.set_health(&key, health.clone());
        }
        objects.push((live.unwrap_or_else(|| manifest.as_value().clone()), health));
    }
    let health = (!objects.is_empty() && objects.iter().any(|(_, h)| h.is_some()))
        .then(|| gitops_health::aggregate(objects.iter().map(|(o, h)| (o, h.clone()))));
    let (outcome, message) = match run.failure.take() {
        Some(failure) => (SyncOutcome::Failed, failure),
        None => (
            SyncOutcome::Succeeded,
            format!("successfully synced ({} writes)", run.writes),
        ),
    };
    Ok(SyncReport {
        resources: run.results.into_values().collect(),
        sync_status_before,
        health,
        outcome,
        message,
        writes: run.writes,
    })
}
