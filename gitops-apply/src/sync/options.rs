//! [`SyncOptions`]: how one sync runs.

use std::time::Duration;

use gitops_core::Tracking;

/// Options of one [`sync`](crate::sync()) operation. Defaults follow Argo CD: server-side apply
/// with field manager `gitops-rs` and forced conflicts, label tracking with `app.kubernetes.io/instance`, no prune
/// unless asked, a 5-minute health timeout.
#[derive(Debug, Clone)]
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

    /// Sets [`SyncOptions::poll_interval`].
    #[must_use]
    pub fn poll_interval(mut self, interval: Duration) -> Self {
        self.poll_interval = interval;
        self
    }
}
