//! Waiting for health between waves.

use std::time::Instant;

use futures::StreamExt as _;
use gitops_core::{GroupVersionKind, ResourceKey};
use gitops_health::{Health, HealthStatus};
use serde_json::Value;

use super::SyncEngine;
use crate::{Error, Result};

/// One object to watch: its kind, key and whether it is a hook.
#[derive(Debug, Clone)]
pub(super) struct Watched {
    pub(super) gvk: GroupVersionKind,
    pub(super) key: ResourceKey,
    pub(super) hook: bool,
}

/// Health of watched objects when the wait ended.
#[derive(Debug)]
pub(super) struct WaitResult {
    pub(super) health: Vec<(ResourceKey, Option<Health>)>,
    /// Why the wait failed (a Degraded resource, a failed hook, a timeout), if it did.
    pub(super) failure: Option<String>,
}

/// Polls the watched objects until each is settled: plain resources Healthy or without health,
/// hooks Healthy (succeeded) or Degraded (failed). A Degraded plain resource or a failed hook
/// fails at once; still unsettled after `timeout` fails with a timeout message when `fail_on_timeout`.
pub(super) async fn wait_settled(
    engine: &SyncEngine<'_>,
    watched: &[Watched],
    timeout: std::time::Duration,
    poll: std::time::Duration,
    fail_on_timeout: bool,
) -> Result<WaitResult> {
    let start = Instant::now();
    loop {
        let mut health = Vec::with_capacity(watched.len());
        let mut pending = Vec::new();
        let mut failure = None;
        // The watched objects are read concurrently (in order), like the comparison's reads.
        let lives: Vec<Result<Option<Value>>> = futures::stream::iter(watched)
            .map(|w| {
                engine
                    .applier
                    .get(&w.gvk, w.key.namespace.as_deref(), &w.key.name)
            })
            .buffered(super::READ_CONCURRENCY)
            .collect()
            .await;
        for (w, live) in watched.iter().zip(lives) {
            let live = live?;
            let assessed = match &live {
                Some(object) => engine.health.assess(object).map_err(|source| Error::Health {
                    key: w.key.clone(),
                    source,
                })?,
                None => Some(Health::new(HealthStatus::Missing, "")),
            };
            let status = assessed.as_ref().map(|h| h.status);
            match status {
                None | Some(HealthStatus::Healthy) => {}
                Some(HealthStatus::Degraded) if failure.is_none() => {
                    let what = if w.hook { "hook" } else { "resource" };
                    let message = assessed.as_ref().map_or("", |h| h.message.as_str());
                    failure = Some(format!("{what} {} is Degraded: {message}", w.key));
                }
                // A hook that ran and was deleted by a controller counts as done.
                Some(HealthStatus::Missing) if w.hook => {}
                _ => pending.push(w.key.to_string()),
            }
            health.push((w.key.clone(), assessed));
        }
        if failure.is_some() || pending.is_empty() {
            return Ok(WaitResult { health, failure });
        }
        if start.elapsed() >= timeout {
            let failure = fail_on_timeout.then(|| {
                format!(
                    "timed out after {:?} waiting for health of {}",
                    timeout,
                    pending.join(", ")
                )
            });
            return Ok(WaitResult { health, failure });
        }
        tokio::time::sleep(poll).await;
    }
}

/// Polls until every object in `gone` is absent (pruned objects, objects deleted for
/// re-creation). Returns a failure message when some are still there after `timeout`.
pub(super) async fn wait_gone(
    engine: &SyncEngine<'_>,
    gone: &[Watched],
    timeout: std::time::Duration,
    poll: std::time::Duration,
) -> Result<Option<String>> {
    let start = Instant::now();
    loop {
        let mut remaining = Vec::new();
        for w in gone {
            if engine
                .applier
                .get(&w.gvk, w.key.namespace.as_deref(), &w.key.name)
                .await?
                .is_some()
            {
                remaining.push(w.key.to_string());
            }
        }
        if remaining.is_empty() {
            return Ok(None);
        }
        if start.elapsed() >= timeout {
            return Ok(Some(format!(
                "timed out after {timeout:?} waiting for deletion of {}",
                remaining.join(", ")
            )));
        }
        tokio::time::sleep(poll).await;
    }
}
