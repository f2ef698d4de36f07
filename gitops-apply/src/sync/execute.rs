//! Steps 3 to 5 of a sync, re-entrant: each call runs the next (phase, wave) step.

use std::collections::BTreeMap;

use futures::future::join_all;
use gitops_core::{
    Batch, Manifest, ResourceKey, SyncPhase, SyncTask, TaskAction,
    annotations::PruneOption,
    ordering::{PlanOptions, plan_with},
};
use serde_json::json;

use super::{
    SyncEngine, SyncOptions,
    compare::Comparison,
    events::SyncEvent,
    hooks::{create_hook, finish_hooks},
    preflight,
    report::{Action, ResourceResult, ResourceStatus},
    state::{HookRecord, OperationPhase, OperationState},
    wait::{Watched, wait_gone, wait_settled},
};
use crate::{ApplyOptions, DeleteOptions, Error, Result};

/// Runs the next step of the operation whose state is `state` (a new operation when `None`).
pub(super) async fn step(
    engine: &SyncEngine<'_>,
    cmp: &Comparison,
    options: &SyncOptions,
    state: Option<OperationState>,
) -> Result<OperationState> {
    let plan = plan_with(
        &cmp.desired,
        cmp.prune.iter(),
        &PlanOptions::default().prune_last(options.prune_last),
    )
    .map_err(Error::Manifest)?;
    let batches = plan.into_batches();
    let mut state = match state {
        Some(s) if s.is_completed() => return Ok(s),
        Some(s) => s,
        None => {
            // gitops-engine's dry run of every task: fail before anything is written.
            let failures = preflight::check(cmp, &batches, options, |k| selected(options, k))?;
            if !failures.is_empty() {
                let mut state = OperationState {
                    revision: options.revision.clone(),
                    initial: cmp.statuses.iter().map(|(k, s)| (k.to_string(), *s)).collect(),
                    ..OperationState::default()
                };
                for result in failures {
                    record(&mut state, options, result);
                }
                state.phase = OperationPhase::Failed;
                preflight::FAILED.clone_into(&mut state.message);
                emit(
                    options,
                    &SyncEvent::Finished {
                        phase: state.phase,
                        message: state.message.clone(),
                    },
                );
                return Ok(state);
            }
            start(engine, cmp, options).await?
        }
    };
    let next = batches
        .iter()
        .filter(|b| b.phase != SyncPhase::SyncFail)
        .map(|b| (b.phase, b.wave.0))
        .find(|(phase, wave)| !state.is_done(*phase, *wave));
    let Some((phase, wave)) = next else {
        return finish(engine, cmp, &batches, options, state).await;
    };
    emit(options, &SyncEvent::StepStarted { phase, wave });
    let step: Vec<&Batch> = batches
        .iter()
        .filter(|b| b.phase == phase && b.wave.0 == wave)
        .collect();
    let mut watch = Vec::new();
    let mut paused = None;
    for batch in step {
        if batch.action == TaskAction::Prune {
            let prune: BTreeMap<ResourceKey, &Manifest> = cmp.prune.iter().map(|m| (m.key(), m)).collect();
            let mut pruned = Vec::new();
            for task in batch.tasks.iter().filter(|t| selected(options, &t.key)) {
                let Some(manifest) = prune.get(&task.key) else {
                    continue;
                };
                let (result, awaiting_confirmation) = prune_one(engine, manifest, task, options).await?;
                if result.action == Action::Deleted && !options.dry_run {
                    pruned.push(Watched {
                        gvk: manifest.gvk().clone(),
                        key: task.key.clone(),
                        hook: false,
                    });
                }
                if awaiting_confirmation {
                    paused = Some(result.message.clone());
                }
                record(&mut state, options, result);
            }
            if let Some(message) =
                wait_gone(engine, &pruned, options.wave_timeout, options.poll_interval).await?
            {
                state.phase = OperationPhase::Failed;
                state.message = message;
            }
            continue;
        }
        let tasks: Vec<&SyncTask> = batch
            .tasks
            .iter()
            .filter(|t| selected(options, &t.key) && (t.hook.is_none() || state.run_hooks))
            .collect();
        let outcomes = join_all(tasks.iter().map(|t| apply_one(engine, cmp, t, options))).await;
        let mut crds = Vec::new();
        for outcome in outcomes {
            let (result, watched, hook) = outcome?;
            if let Some(w) = watched {
                if w.key.kind == "CustomResourceDefinition" && w.key.group == "apiextensions.k8s.io" {
                    crds.push(w.clone());
                }
                watch.push(w);
            }
            state.hooks.extend(hook);
            record(&mut state, options, result);
        }
        if state.phase == OperationPhase::Failed {
            break;
        }
        // A CRD must be Established before its custom resources in a later batch are applied.
        if !crds.is_empty() && !options.dry_run {
            let waited =
                wait_settled(engine, &crds, options.wave_timeout, options.poll_interval, true).await?;
            if let Some(failure) = waited.failure {
                fail(&mut state, failure);
            }
        }
    }
    let is_last = batches
        .iter()
        .filter(|b| b.phase != SyncPhase::SyncFail)
        .all(|b| (b.phase, b.wave.0) == (phase, wave) || state.is_done(b.phase, b.wave.0));
    if state.phase != OperationPhase::Failed
        && paused.is_none()
        && !options.dry_run
        && (!is_last || options.wait_for_final_health)
    {
        let waited = wait_settled(engine, &watch, options.wave_timeout, options.poll_interval, true).await?;
        for (key, health) in waited.health {
            if let Some(r) = state.result_mut(&key) {
                if r.message.is_empty()
                    && let Some(h) = &health
                {
                    r.message.clone_from(&h.message);
                }
                r.health = health;
            }
        }
        if let Some(failure) = waited.failure {
            fail(&mut state, failure);
        }
    }
    if let Some(message) = paused {
        state.message = message;
        emit(
            options,
            &SyncEvent::Finished {
                phase: OperationPhase::Running,
                message: state.message.clone(),
            },
        );
        return Ok(state);
    }
    state.completed.push((phase.as_str().to_owned(), wave));
    emit(options, &SyncEvent::StepFinished { phase, wave });
    if state.phase == OperationPhase::Failed {
        return finish(engine, cmp, &batches, options, state).await;
    }
    Ok(state)
}

fn fail(state: &mut OperationState, message: String) {
    if state.phase != OperationPhase::Failed {
        state.phase = OperationPhase::Failed;
        state.message = message;
    }
}

fn selected(options: &SyncOptions, key: &ResourceKey) -> bool {
    options.resource_filter.as_ref().is_none_or(|f| f(key))
}

fn emit(options: &SyncOptions, event: &SyncEvent) {
    if let Some(sink) = &options.events {
        sink(event);
    }
}

fn record(state: &mut OperationState, options: &SyncOptions, mut result: ResourceResult) {
    let wrote = matches!(
        result.action,
        Action::Created | Action::Configured | Action::Deleted
    ) && !options.dry_run;
    if wrote {
        // Every write takes the next position: `writes` counts them, also across resumes.
        result.order = Some(state.writes);
        state.writes += 1;
    }
    if result.action == Action::Failed {
        fail(state, format!("{}: {}", result.key, result.message));
    }
    emit(options, &SyncEvent::Resource(result.clone()));
    state.record(result);
}

/// The first call of an operation: record the comparison, create the namespace if asked.
async fn start(engine: &SyncEngine<'_>, cmp: &Comparison, options: &SyncOptions) -> Result<OperationState> {
    let mut state = OperationState {
        revision: options.revision.clone(),
        initial: cmp.statuses.iter().map(|(k, s)| (k.to_string(), *s)).collect(),
        run_hooks: cmp.is_out_of_sync(),
        ..OperationState::default()
    };
    if options.create_namespace && !options.default_namespace.is_empty() {
        let gvk = gitops_core::GroupVersionKind::new("", "v1", "Namespace");
        let key = ResourceKey::new("", "Namespace", None, options.default_namespace.clone());
        let in_desired = cmp.desired.get(&key).is_some();
        if !in_desired && engine.applier.get(&gvk, None, &key.name).await?.is_none() {
            let namespace = json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": key.name}});
            let apply = ApplyOptions::default()
                .field_manager(options.field_manager.clone())
                .dry_run(options.dry_run);
            let (action, message) = match engine.applier.apply(&namespace, &apply).await {
                Ok(_) => (
                    Action::Created,
                    "namespace created (CreateNamespace=true)".to_owned(),
                ),
                Err(e) => (Action::Failed, e.to_string()),
            };
            let result = ResourceResult {
                key,
                version: "v1".into(),
                status: ResourceStatus::Missing,
                action,
                health: None,
                message,
                phase: SyncPhase::PreSync,
                wave: i32::MIN,
                hook: false,
                order: None,
            };
            record(&mut state, options, result);
        }
    }
    Ok(state)
}

/// Ends the operation: SyncFail hooks on failure, hook delete policies, final phase.
async fn finish(
    engine: &SyncEngine<'_>,
    cmp: &Comparison,
    batches: &[Batch],
    options: &SyncOptions,
    mut state: OperationState,
) -> Result<OperationState> {
    let succeeded = state.phase != OperationPhase::Failed;
    if !succeeded && state.run_hooks {
        let mut watch = Vec::new();
        for batch in batches.iter().filter(|b| b.phase == SyncPhase::SyncFail) {
            for task in &batch.tasks {
                let (result, watched, hook) = apply_one(engine, cmp, task, options).await?;
                watch.extend(watched);
                state.hooks.extend(hook);
                let failed = result.action == Action::Failed;
                let message = result.message.clone();
                let keep = state.message.clone();
                record(&mut state, options, result);
                if failed {
                    state.message = format!("{keep}; SyncFail hook failed: {message}");
                }
            }
        }
        if !watch.is_empty() && !options.dry_run {
            let waited =
                wait_settled(engine, &watch, options.wave_timeout, options.poll_interval, false).await?;
            for (key, health) in waited.health {
                if let Some(r) = state.result_mut(&key) {
                    r.health = health;
                }
            }
        }
    }
    let hooks: Vec<(Manifest, ResourceKey)> = state
        .hooks
        .iter()
        .filter_map(|h| cmp.desired.get(&h.desired).map(|m| (m.clone(), h.live.clone())))
        .collect();
    for key in finish_hooks(engine, &hooks, succeeded, options).await? {
        if let Some(r) = state.result_mut(&key) {
            r.action = Action::Deleted;
        }
    }
    if succeeded {
        state.phase = OperationPhase::Succeeded;
        state.message = format!("successfully synced (all tasks run, {} writes)", state.writes);
    }
    emit(
        options,
        &SyncEvent::Finished {
            phase: state.phase,
            message: state.message.clone(),
        },
    );
    Ok(state)
}

type Applied = (ResourceResult, Option<Watched>, Option<HookRecord>);

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
            Ok((live, watched)) => {
                let message = if options.dry_run {
                    "created (dry run)".into()
                } else {
                    String::new()
                };
                let result = base(live.clone(), ResourceStatus::Missing, Action::Created, message);
                (
                    result,
                    Some(watched),
                    Some(HookRecord {
                        desired: task.key.clone(),
                        live,
                    }),
                )
            }
            Err(e) => (
                base(
                    task.key.clone(),
                    ResourceStatus::Missing,
                    Action::Failed,
                    e.to_string(),
                ),
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
    let resource_options = manifest.sync_options().map_err(Error::Manifest)?;
    let replace = resource_options.replace.unwrap_or(options.replace);
    // Replaced objects are always written: a replace's removals are invisible to the diff modes.
    if options.apply_out_of_sync_only && status == ResourceStatus::Synced && !replace {
        return Ok((
            base(task.key.clone(), status, Action::Unchanged, String::new()),
            Some(watched),
            None,
        ));
    }
    if options.dry_run && !cmp.scopes.is_served(&task.key.group_kind()) {
        // The pre-flight check let it through: the kind comes from a CRD in this same sync or
        // the resource has SkipDryRunOnMissingResource=true. A server dry run cannot validate it
        // yet, as gitops-engine skips it.
        let result = base(
            task.key.clone(),
            status,
            Action::Created,
            "created (dry run skipped: kind not served yet)".into(),
        );
        return Ok((result, None, None));
    }
    let apply = ApplyOptions::default()
        .field_manager(options.field_manager.clone())
        .force(options.force_conflicts)
        .dry_run(options.dry_run)
        .validate(resource_options.is_validate());
    let write = |object: &serde_json::Value| {
        let apply = apply.clone();
        let object = object.clone();
        async move {
            if replace {
                engine.applier.replace(&object, &apply).await
            } else {
                engine.applier.apply(&object, &apply).await
            }
        }
    };
    let before = cmp.live_versions.get(&task.key);
    let action_of = |written: &serde_json::Value| {
        let after = written
            .pointer("/metadata/resourceVersion")
            .and_then(serde_json::Value::as_str);
        match (status, before) {
            (ResourceStatus::Missing, _) | (_, None) => Action::Created,
            _ if options.dry_run && status == ResourceStatus::Synced => Action::Unchanged,
            _ if options.dry_run => Action::Configured,
            (_, Some(b)) if after == Some(b.as_str()) => Action::Unchanged,
            _ => Action::Configured,
        }
    };
    let dry = if options.dry_run { " (dry run)" } else { "" };
    let mut object = manifest.as_value().clone();
    if options.respect_ignore_differences && !engine.diff.ignore.is_empty() {
        // Read at write time, not taken from the comparison: waves before this one may have
        // taken minutes, and an ignored field (replicas under an autoscaler) may have moved since.
        let key = &task.key;
        if let Some(live) = engine
            .applier
            .get(manifest.gvk(), key.namespace.as_deref(), &key.name)
            .await?
        {
            gitops_diff::respect_ignore_differences(
                &mut object,
                &live,
                &engine.diff.ignore,
                engine.diff.jq_timeout,
            )
            .map_err(|source| Error::Diff {
                key: key.clone(),
                source,
            })?;
        }
    }
    Ok(match write(&object).await {
        Ok(written) => {
            let action = action_of(&written);
            let message = if dry.is_empty() {
                String::new()
            } else {
                format!("{action}{dry}")
            };
            (
                base(task.key.clone(), status, action, message),
                Some(watched),
                None,
            )
        }
        Err(Error::Immutable { message, .. }) if resource_options.force == Some(true) => {
            // Force=true: delete and re-create, as `kubectl replace --force` / `apply --force`.
            let delete = DeleteOptions::default()
                .dry_run(options.dry_run)
                .propagation(Some(options.propagation_policy));
            let key = &task.key;
            engine
                .applier
                .delete(manifest.gvk(), key.namespace.as_deref(), &key.name, &delete)
                .await?;
            wait_gone(
                engine,
                std::slice::from_ref(&watched),
                options.wave_timeout,
                options.poll_interval,
            )
            .await?;
            match write(&object).await {
                Ok(_) => (
                    base(
                        key.clone(),
                        status,
                        Action::Configured,
                        format!("recreated (Force=true: {message}){dry}"),
                    ),
                    Some(watched),
                    None,
                ),
                Err(e) => (
                    base(key.clone(), status, Action::Failed, e.to_string()),
                    None,
                    None,
                ),
            }
        }
        Err(e) => (
            base(task.key.clone(), status, Action::Failed, e.to_string()),
            None,
            None,
        ),
    })
}

/// Prunes one object; the flag says it awaits `Prune=confirm` confirmation (the operation pauses).
async fn prune_one(
    engine: &SyncEngine<'_>,
    manifest: &Manifest,
    task: &SyncTask,
    options: &SyncOptions,
) -> Result<(ResourceResult, bool)> {
    let mut result = ResourceResult {
        key: task.key.clone(),
        version: manifest.gvk().version.clone(),
        status: ResourceStatus::RequiresPruning,
        action: Action::Skipped,
        health: None,
        message: String::new(),
        phase: task.phase,
        wave: task.wave.0,
        hook: false,
        order: None,
    };
    let prune_option = manifest.sync_options().ok().and_then(|o| o.prune);
    if prune_option == Some(PruneOption::Disabled) {
        result.message = "ignored (no prune)".into();
        return Ok((result, false));
    }
    if !options.prune {
        result.message = "ignored (requires pruning)".into();
        return Ok((result, false));
    }
    if prune_option == Some(PruneOption::Confirm) && !options.prune_confirmed {
        result.message = format!("waiting for pruning confirmation of {}", task.key);
        return Ok((result, true));
    }
    let delete = DeleteOptions::default()
        .dry_run(options.dry_run)
        .propagation(Some(options.propagation_policy));
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
            result.action = Action::Deleted;
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
    Ok((result, false))
}

/// Ends a running operation as Failed with `message` (e.g. the sync timeout): SyncFail hooks
/// run and HookFailed policies apply, as for any failure.
pub(super) async fn abort(
    engine: &SyncEngine<'_>,
    cmp: &Comparison,
    options: &SyncOptions,
    mut state: OperationState,
    message: String,
) -> Result<OperationState> {
    let plan = plan_with(
        &cmp.desired,
        cmp.prune.iter(),
        &PlanOptions::default().prune_last(options.prune_last),
    )
    .map_err(Error::Manifest)?;
    fail(&mut state, message);
    finish(engine, cmp, &plan.into_batches(), options, state).await
}
