//! [`SyncOptions`]: how one sync runs.

use std::{fmt, sync::Arc, time::Duration};

use gitops_core::{ResourceKey, Tracking, annotations::PropagationPolicy};

use super::events::SyncEvent;

/// Selective sync: only resources for which the filter returns `true` are applied or pruned
/// (Argo CD's `--resource` selection, gitops-engine's `WithResourcesFilter`).
pub type ResourceFilter = Arc<dyn Fn(&ResourceKey) -> bool + Send + Sync>;

/// A progress callback, called for every [`SyncEvent`] in order.
pub type EventSink = Arc<dyn Fn(&SyncEvent) + Send + Sync>;

/// Retry of a failed operation, as Argo CD's `syncPolicy.retry`: up to `limit` more attempts,
/// waiting `backoff`, then `backoff * factor`, ... capped at `max_backoff`.
#[derive(Debug, Clone, Copy, PartialEq)]
#[non_exhaustive]
pub struct RetryPolicy {
    /// Extra attempts after the first failure (0 = no retry).
    pub limit: u32,
    /// Wait before the first retry. Argo CD's default: 5 s.
    pub backoff: Duration,
    /// Multiplier of the wait after each retry. Argo CD's default: 2.
    pub factor: f64,
    /// Longest wait between retries. Argo CD's default: 3 minutes.
    pub max_backoff: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            limit: 0,
            backoff: Duration::from_secs(5),
            factor: 2.0,
            max_backoff: Duration::from_secs(180),
        }
    }
}

impl RetryPolicy {
    /// `limit` retries with Argo CD's default backoff (5 s, factor 2, max 3 min).
    pub fn with_limit(limit: u32) -> Self {
        Self {
            limit,
            ..Self::default()
        }
    }

    /// Sets the backoff parameters.
    #[must_use]
    pub fn backoff(mut self, backoff: Duration, factor: f64, max_backoff: Duration) -> Self {
        self.backoff = backoff;
        self.factor = factor;
        self.max_backoff = max_backoff;
        self
    }

    /// The wait before retry number `attempt` (1-based).
    pub fn delay(&self, attempt: u32) -> Duration {
        let exp = self
            .factor
            .max(1.0)
            .powi(attempt.saturating_sub(1).min(64) as i32);
        let secs = (self.backoff.as_secs_f64() * exp).min(self.max_backoff.as_secs_f64());
        Duration::from_secs_f64(secs.max(0.0))
    }
}

/// Options of one [`sync`](crate::sync()) operation. Defaults follow Argo CD: server-side apply
/// with field manager `gitops-rs` and forced conflicts, label tracking with `app.kubernetes.io/instance`, no prune
/// unless asked, a 5-minute health timeout.
#[derive(Clone)]
#[non_exhaustive]
#[allow(clippy::struct_excessive_bools)] // independent switches, as Argo CD's sync options
pub struct SyncOptions {
    /// Application name, written into the tracking label/annotation of every applied object and
    /// used to find managed live objects for pruning.
    pub app: String,
    /// How ownership is written and read (label, annotation or both).
    pub tracking: Tracking,
    /// Field manager for server-side apply. Default [`DEFAULT_FIELD_MANAGER`](crate::DEFAULT_FIELD_MANAGER).
    pub field_manager: String,
    /// Namespace given to namespaced objects that have none (Argo CD's destination namespace).
    /// Default `default`.
    pub default_namespace: String,
    /// Delete managed live objects that left the desired state. Default `false`, as Argo CD's
    /// `syncPolicy.automated.prune`.
    pub prune: bool,
    /// Take over fields other field managers own (`--force-conflicts`). Default `true`: Git is
    /// the source of truth, and both Argo CD (server-side apply sync option) and Flux (its `ssa`
    /// manager) apply with force, so drift written by `kubectl edit` or another controller is
    /// repaired instead of failing with a conflict. Set `false` to report such conflicts.
    pub force_conflicts: bool,
    /// Run every step as a server dry run: nothing changes, the report is the same shape.
    pub dry_run: bool,
    /// Apply only resources that are OutOfSync or Missing (Argo CD's `ApplyOutOfSyncOnly`).
    /// Default `true`, which makes a sync of an unchanged state write nothing.
    pub apply_out_of_sync_only: bool,
    /// Longest wait for one wave to become healthy before the sync fails. Default 5 minutes.
    pub wave_timeout: Duration,
    /// Interval between health polls while waiting. Default 250 ms.
    pub poll_interval: Duration,
    /// Wait for the last wave to become healthy too, so the report carries settled health.
    /// Default `true` (gitops-engine returns after the last wave without waiting).
    pub wait_for_final_health: bool,
    /// Git revision being synced; its first 7 characters go into generated hook names, as
    /// gitops-engine's `<generateName><rev[0:7]>-<phase>-<unix time>`.
    pub revision: Option<String>,
    /// Application-level `PruneLast=true`: every prune runs after the last wave.
    pub prune_last: bool,
    /// Prunes of objects annotated `Prune=confirm` may proceed (Argo CD's prune confirmation).
    /// Without it the operation pauses: it ends Running with "waiting for pruning confirmation".
    pub prune_confirmed: bool,
    /// Deletion propagation of prunes. Default Foreground, as gitops-engine.
    pub propagation_policy: PropagationPolicy,
    /// Create [`SyncOptions::default_namespace`] when it does not exist (Argo CD's
    /// `CreateNamespace=true`), before anything else.
    pub create_namespace: bool,
    /// Application-level `Replace=true`: replace (PUT, create when absent) instead of apply.
    pub replace: bool,
    /// Selective sync filter; `None` syncs everything.
    pub resource_filter: Option<ResourceFilter>,
    /// Progress callback; `None` reports nothing while running.
    pub events: Option<EventSink>,
    /// Retry of a failed operation. Default: no retry.
    pub retry: RetryPolicy,
    /// Compare with the backend's server-side apply dry run (the predicted live object) instead
    /// of an offline prediction: Argo CD's `ServerSideDiff=true`. Costs one dry-run request per
    /// live object. Default `false`.
    pub server_side_diff: bool,
    /// Argo CD's `RespectIgnoreDifferences=true`: before a write, fields matched by the diff
    /// options' ignore rules take their live values, so a sync does not undo what the ignore
    /// rules let other actors own (e.g. replicas set by an autoscaler). Costs one read per write.
    pub respect_ignore_differences: bool,
    /// Longest time for the whole operation (Argo CD's `controller.sync.timeout.seconds`);
    /// `None` bounds only each wave by [`SyncOptions::wave_timeout`]. A timed-out operation fails
    /// ("sync timed out"), runs its SyncFail hooks and applies HookFailed policies.
    pub sync_timeout: Option<Duration>,
    /// Application-level `SkipDryRunOnMissingResource=true`: resources whose kind the cluster
    /// does not serve pass the pre-flight check (see [`SyncEngine::step`](crate::SyncEngine::step))
    /// even when no CRD in this sync defines it. A resource's own
    /// `argocd.argoproj.io/sync-options: SkipDryRunOnMissingResource=true|false` wins. Default
    /// `false`.
    pub skip_dry_run_on_missing_resource: bool,
}

impl fmt::Debug for SyncOptions {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SyncOptions")
            .field("app", &self.app)
            .field("tracking", &self.tracking)
            .field("field_manager", &self.field_manager)
            .field("default_namespace", &self.default_namespace)
            .field("prune", &self.prune)
            .field("force_conflicts", &self.force_conflicts)
            .field("dry_run", &self.dry_run)
            .field("apply_out_of_sync_only", &self.apply_out_of_sync_only)
            .field("wave_timeout", &self.wave_timeout)
            .field("poll_interval", &self.poll_interval)
            .field("wait_for_final_health", &self.wait_for_final_health)
            .field("revision", &self.revision)
            .field("prune_last", &self.prune_last)
            .field("prune_confirmed", &self.prune_confirmed)
            .field("propagation_policy", &self.propagation_policy)
            .field("create_namespace", &self.create_namespace)
            .field("replace", &self.replace)
            .field("resource_filter", &self.resource_filter.as_ref().map(|_| "<fn>"))
            .field("events", &self.events.as_ref().map(|_| "<fn>"))
            .field("retry", &self.retry)
            .field("server_side_diff", &self.server_side_diff)
            .field("respect_ignore_differences", &self.respect_ignore_differences)
            .field("sync_timeout", &self.sync_timeout)
            .field(
                "skip_dry_run_on_missing_resource",
                &self.skip_dry_run_on_missing_resource,
            )
            .finish()
    }
}

impl SyncOptions {
    /// Options for application `app` with every other option at its default.
    pub fn new(app: impl Into<String>) -> Self {
        Self {
            app: app.into(),
            tracking: Tracking::default(),
            field_manager: crate::DEFAULT_FIELD_MANAGER.to_owned(),
            default_namespace: "default".to_owned(),
            prune: false,
            force_conflicts: true,
            dry_run: false,
            apply_out_of_sync_only: true,
            wave_timeout: Duration::from_secs(300),
            poll_interval: Duration::from_millis(250),
            wait_for_final_health: true,
            revision: None,
            prune_last: false,
            prune_confirmed: false,
            propagation_policy: PropagationPolicy::default(),
            create_namespace: false,
            replace: false,
            resource_filter: None,
            events: None,
            retry: RetryPolicy::default(),
            server_side_diff: false,
            respect_ignore_differences: false,
            sync_timeout: None,
            skip_dry_run_on_missing_resource: false,
        }
    }

    /// Sets [`SyncOptions::prune`].
    #[must_use]
    pub fn prune(mut self, prune: bool) -> Self {
        self.prune = prune;
        self
    }

    /// Sets [`SyncOptions::dry_run`].
    #[must_use]
    pub fn dry_run(mut self, dry_run: bool) -> Self {
        self.dry_run = dry_run;
        self
    }

    /// Sets [`SyncOptions::default_namespace`].
    #[must_use]
    pub fn default_namespace(mut self, namespace: impl Into<String>) -> Self {
        self.default_namespace = namespace.into();
        self
    }

    /// Sets [`SyncOptions::field_manager`].
    #[must_use]
    pub fn field_manager(mut self, manager: impl Into<String>) -> Self {
        self.field_manager = manager.into();
        self
    }

    /// Sets [`SyncOptions::force_conflicts`].
    #[must_use]
    pub fn force_conflicts(mut self, force: bool) -> Self {
        self.force_conflicts = force;
        self
    }

    /// Sets [`SyncOptions::tracking`].
    #[must_use]
    pub fn tracking(mut self, tracking: Tracking) -> Self {
        self.tracking = tracking;
        self
    }

    /// Sets [`SyncOptions::apply_out_of_sync_only`].
    #[must_use]
    pub fn apply_out_of_sync_only(mut self, on: bool) -> Self {
        self.apply_out_of_sync_only = on;
        self
    }

    /// Sets [`SyncOptions::wave_timeout`].
    #[must_use]
    pub fn wave_timeout(mut self, timeout: Duration) -> Self {
        self.wave_timeout = timeout;
        self
    }

    /// Sets [`SyncOptions::wait_for_final_health`].
    #[must_use]
    pub fn wait_for_final_health(mut self, wait: bool) -> Self {
        self.wait_for_final_health = wait;
        self
    }

    /// Sets [`SyncOptions::revision`].
    #[must_use]
    pub fn revision(mut self, revision: impl Into<String>) -> Self {
        self.revision = Some(revision.into());
        self
    }

    /// Sets [`SyncOptions::prune_last`].
    #[must_use]
    pub fn prune_last(mut self, on: bool) -> Self {
        self.prune_last = on;
        self
    }

    /// Sets [`SyncOptions::prune_confirmed`].
    #[must_use]
    pub fn prune_confirmed(mut self, on: bool) -> Self {
        self.prune_confirmed = on;
        self
    }

    /// Sets [`SyncOptions::propagation_policy`].
    #[must_use]
    pub fn propagation_policy(mut self, policy: PropagationPolicy) -> Self {
        self.propagation_policy = policy;
        self
    }

    /// Sets [`SyncOptions::create_namespace`].
    #[must_use]
    pub fn create_namespace(mut self, on: bool) -> Self {
        self.create_namespace = on;
        self
    }

    /// Sets [`SyncOptions::replace`].
    #[must_use]
    pub fn replace(mut self, on: bool) -> Self {
        self.replace = on;
        self
    }

    /// Sets [`SyncOptions::resource_filter`].
    #[must_use]
    pub fn resource_filter(mut self, filter: impl Fn(&ResourceKey) -> bool + Send + Sync + 'static) -> Self {
        self.resource_filter = Some(Arc::new(filter));
        self
    }

    /// Sets [`SyncOptions::events`].
    #[must_use]
    pub fn events(mut self, sink: impl Fn(&SyncEvent) + Send + Sync + 'static) -> Self {
        self.events = Some(Arc::new(sink));
        self
    }

    /// Sends the progress events to a channel instead of a callback: returns the options and
    /// the receiving end (tokio's unbounded mpsc, so the sync never waits for a slow reader;
    /// events after the receiver is dropped are discarded).
    ///
    /// ```
    /// use gitops_apply::{InMemoryCluster, SyncEngine, SyncEvent, SyncOptions};
    /// # let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    /// # rt.block_on(async {
    /// let yaml = b"apiVersion: v1\nkind: ConfigMap\nmetadata: {name: cfg}\n";
    /// let desired = gitops_core::ManifestSet::from_manifests(gitops_core::load_bytes(yaml, "cfg.yaml")?)?;
    /// let (options, mut events) = SyncOptions::new("demo").event_channel();
    /// let cluster = InMemoryCluster::default();
    /// SyncEngine::new(&cluster).sync(&desired, &options).await?;
    /// let mut seen = Vec::new();
    /// while let Ok(event) = events.try_recv() {
    ///     seen.push(event);
    /// }
    /// assert!(matches!(seen.first(), Some(SyncEvent::StepStarted { .. })));
    /// assert!(matches!(seen.last(), Some(SyncEvent::Finished { .. })));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// # }).unwrap();
    /// ```
    #[must_use]
    pub fn event_channel(self) -> (Self, tokio::sync::mpsc::UnboundedReceiver<SyncEvent>) {
        let (sender, receiver) = tokio::sync::mpsc::unbounded_channel();
        let options = self.events(move |event| {
            // A dropped receiver only means nobody listens any more.
            let _ = sender.send(event.clone());
        });
        (options, receiver)
    }

    /// Sets [`SyncOptions::server_side_diff`].
    #[must_use]
    pub fn server_side_diff(mut self, on: bool) -> Self {
        self.server_side_diff = on;
        self
    }

    /// Sets [`SyncOptions::respect_ignore_differences`].
    #[must_use]
    pub fn respect_ignore_differences(mut self, on: bool) -> Self {
        self.respect_ignore_differences = on;
        self
    }

    /// Sets [`SyncOptions::skip_dry_run_on_missing_resource`].
    #[must_use]
    pub fn skip_dry_run_on_missing_resource(mut self, on: bool) -> Self {
        self.skip_dry_run_on_missing_resource = on;
        self
    }

    /// Sets [`SyncOptions::sync_timeout`].
    #[must_use]
    pub fn sync_timeout(mut self, timeout: Option<Duration>) -> Self {
        self.sync_timeout = timeout;
        self
    }

    /// Sets [`SyncOptions::retry`].
    #[must_use]
    pub fn retry(mut self, retry: RetryPolicy) -> Self {
        self.retry = retry;
        self
    }

    /// Sets [`SyncOptions::poll_interval`].
    #[must_use]
    pub fn poll_interval(mut self, interval: Duration) -> Self {
        self.poll_interval = interval;
        self
    }
}
