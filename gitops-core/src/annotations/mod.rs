//! Argo CD's annotation and label vocabulary, with typed parsers.
//!
//! Repositories written for Argo CD work unchanged: the names below are Argo CD's (and Helm's,
//! where Argo CD honours them as fallbacks). Each parser follows the behaviour of
//! gitops-engine's `pkg/sync` and documents where it is stricter: a value gitops-engine would
//! silently ignore (e.g. `sync-wave: "one"`) is an [`Error::InvalidAnnotation`] here, naming the
//! resource, the annotation and the value, so a typo never changes the sync order unnoticed.
//!
//! ```
//! use gitops_core::{Manifest, annotations::{HookType, SyncWave}};
//! let job = Manifest::from_value(serde_json::json!({
//!     "apiVersion": "batch/v1", "kind": "Job",
//!     "metadata": {"generateName": "migrate-", "annotations": {
//!         "argocd.argoproj.io/hook": "PreSync",
//!         "argocd.argoproj.io/sync-wave": "-1",
//!     }},
//! }))?;
//! assert_eq!(job.sync_wave()?, SyncWave(-1));
//! assert!(job.hooks()?.unwrap().contains(HookType::PreSync));
//! # Ok::<(), gitops_core::Error>(())
//! ```

mod compare;
mod hook;
mod sync_options;

use std::{fmt, str::FromStr};

use serde_json::{Map, Value};

pub use compare::CompareOptions;
pub use hook::{HookDeletePolicies, HookDeletePolicy, HookType, Hooks};
pub use sync_options::{DeleteOption, PropagationPolicy, PruneOption, SyncOptions};

use crate::{Error, Manifest, ResourceKey};

/// `argocd.argoproj.io/sync-wave`: integer wave, default 0, negative allowed.
pub const SYNC_WAVE: &str = "argocd.argoproj.io/sync-wave";
/// `argocd.argoproj.io/hook`: comma-separated [`HookType`]s.
pub const HOOK: &str = "argocd.argoproj.io/hook";
/// `argocd.argoproj.io/hook-delete-policy`: comma-separated [`HookDeletePolicy`]s.
pub const HOOK_DELETE_POLICY: &str = "argocd.argoproj.io/hook-delete-policy";
/// `argocd.argoproj.io/sync-options`: comma-separated `Name=value` [`SyncOptions`].
pub const SYNC_OPTIONS: &str = "argocd.argoproj.io/sync-options";
/// `argocd.argoproj.io/compare-options`: comma-separated [`CompareOptions`].
pub const COMPARE_OPTIONS: &str = "argocd.argoproj.io/compare-options";
/// `argocd.argoproj.io/ignore-healthcheck`: `"true"` excludes the object from application health.
pub const IGNORE_HEALTHCHECK: &str = "argocd.argoproj.io/ignore-healthcheck";
/// `argocd.argoproj.io/tracking-id`: `<app>:<group>/<kind>:<namespace>/<name>`; see
/// [`tracking`](crate::tracking).
pub const TRACKING_ID: &str = "argocd.argoproj.io/tracking-id";
/// `app.kubernetes.io/instance`: Argo CD's default label for label-based tracking.
pub const INSTANCE_LABEL: &str = "app.kubernetes.io/instance";
/// `argocd.argoproj.io/hook-finalizer`: the finalizer Argo CD puts on running hooks.
pub const HOOK_FINALIZER: &str = "argocd.argoproj.io/hook-finalizer";
/// `helm.sh/hook`: Helm hook types, honoured when [`HOOK`] is absent.
pub const HELM_HOOK: &str = "helm.sh/hook";
/// `helm.sh/hook-weight`: Helm hook weight, the fallback for [`SYNC_WAVE`].
pub const HELM_HOOK_WEIGHT: &str = "helm.sh/hook-weight";
/// `helm.sh/hook-delete-policy`: Helm delete policies, merged with [`HOOK_DELETE_POLICY`].
pub const HELM_HOOK_DELETE_POLICY: &str = "helm.sh/hook-delete-policy";
/// `gitops.rs/depends-on`: explicit dependencies of gitops-rs (not an Argo CD annotation), a
/// comma-separated list of [`ResourceKey`]s `group/kind/namespace/name`; see
/// [`ordering`](crate::ordering).
pub const DEPENDS_ON: &str = "gitops.rs/depends-on";

/// A sync wave: objects of lower waves are applied (and become healthy) before higher waves.
///
/// Read from [`SYNC_WAVE`], else from [`HELM_HOOK_WEIGHT`], else 0, as gitops-engine's
/// `syncwaves.Wave`. Values are decimal integers with an optional sign (Go's `strconv.Atoi`
/// syntax: no spaces, no `0x`) within `i32`. Unlike gitops-engine, which falls back to 0 on a
/// malformed value, [`SyncWave::of`] reports it.
///
/// ```
/// use gitops_core::annotations::SyncWave;
/// assert_eq!("-5".parse::<SyncWave>().unwrap(), SyncWave(-5));
/// assert!("1.5".parse::<SyncWave>().is_err());
/// assert!(SyncWave(-1) < SyncWave::default());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct SyncWave(pub i32);

impl SyncWave {
    /// The wave of an object (a [`Manifest`]'s value or a live object).
    ///
    /// # Errors
    /// [`Error::InvalidAnnotation`] when the annotation that decides is not an integer.
    pub fn of(object: &Value) -> Result<Self, Error> {
        let ann = Annotations::of(object);
        for name in [SYNC_WAVE, HELM_HOOK_WEIGHT] {
            if let Some(value) = ann.get(name) {
                return value
                    .parse()
                    .map_err(|_| ann.invalid(name, value, "expected an integer (32-bit)"));
            }
        }
        Ok(Self::default())
    }
}

impl FromStr for SyncWave {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let digits = s.strip_prefix(['+', '-']).unwrap_or(s);
        if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return Err(Error::InvalidValue {
                expected: "an integer sync wave",
                value: s.to_owned(),
            });
        }
        s.parse::<i32>().map(SyncWave).map_err(|_| Error::InvalidValue {
            expected: "an integer sync wave",
            value: s.to_owned(),
        })
    }
}

impl fmt::Display for SyncWave {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

impl From<SyncWave> for i32 {
    fn from(wave: SyncWave) -> Self {
        wave.0
    }
}

/// `argocd.argoproj.io/ignore-healthcheck`: whether the object is excluded from application
/// health. Argo CD honours exactly `"true"`; this parser also accepts `"false"` and reports
/// anything else.
pub fn ignore_healthcheck(object: &Value) -> Result<bool, Error> {
    let ann = Annotations::of(object);
    match ann.get(IGNORE_HEALTHCHECK) {
        None | Some("false") => Ok(false),
        Some("true") => Ok(true),
        Some(other) => Err(ann.invalid(IGNORE_HEALTHCHECK, other, "expected \"true\" or \"false\"")),
    }
}

/// `gitops.rs/depends-on`: the [`ResourceKey`]s this object must wait for, in the order written
/// (empty when absent). Items are comma-separated `group/kind/namespace/name` (the
/// [`ResourceKey`] text form; empty group for the core group, empty namespace for cluster-scoped
/// objects); spaces around items are ignored; an empty item is an error.
///
/// ```
/// use gitops_core::annotations::depends_on;
/// let obj = serde_json::json!({"metadata": {"annotations": {
///     "gitops.rs/depends-on": "/ConfigMap/default/cfg, apps/Deployment/default/db"}}});
/// let deps = depends_on(&obj).unwrap();
/// assert_eq!(deps[1].to_string(), "apps/Deployment/default/db");
/// ```
pub fn depends_on(object: &Value) -> Result<Vec<ResourceKey>, Error> {
    let ann = Annotations::of(object);
    let Some(value) = ann.get(DEPENDS_ON) else {
        return Ok(Vec::new());
    };
    value
        .split(',')
        .map(str::trim)
        .map(|item| {
            item.parse::<ResourceKey>().map_err(|_| {
                ann.invalid(
                    DEPENDS_ON,
                    value,
                    &format!("item {item:?} is not group/kind/namespace/name"),
                )
            })
        })
        .collect()
}

impl Manifest {
    /// The object's [`SyncWave`]; see [`SyncWave::of`].
    pub fn sync_wave(&self) -> Result<SyncWave, Error> {
        SyncWave::of(self.as_value())
    }

    /// The object's hook annotation, `None` for an ordinary resource; see [`Hooks::of`].
    pub fn hooks(&self) -> Result<Option<Hooks>, Error> {
        Hooks::of(self.as_value())
    }

    /// The object's hook delete policies; see [`HookDeletePolicies::of`].
    pub fn hook_delete_policies(&self) -> Result<HookDeletePolicies, Error> {
        HookDeletePolicies::of(self.as_value())
    }

    /// The object's `argocd.argoproj.io/sync-options`; see [`SyncOptions::of`].
    pub fn sync_options(&self) -> Result<SyncOptions, Error> {
        SyncOptions::of(self.as_value())
    }

    /// The object's `argocd.argoproj.io/compare-options`; see [`CompareOptions::of`].
    pub fn compare_options(&self) -> Result<CompareOptions, Error> {
        CompareOptions::of(self.as_value())
    }

    /// Whether the object is excluded from application health; see [`ignore_healthcheck`].
    pub fn ignore_healthcheck(&self) -> Result<bool, Error> {
        ignore_healthcheck(self.as_value())
    }

    /// The object's explicit dependencies; see [`depends_on()`].
    pub fn depends_on(&self) -> Result<Vec<ResourceKey>, Error> {
        depends_on(self.as_value())
    }
}

/// Borrowed `metadata.annotations` of an object, plus a best-effort name for errors.
pub(crate) struct Annotations<'a> {
    object: &'a Value,
    map: Option<&'a Map<String, Value>>,
}

impl<'a> Annotations<'a> {
    pub(crate) fn of(object: &'a Value) -> Self {
        let map = object.pointer("/metadata/annotations").and_then(Value::as_object);
        Self { object, map }
    }

    /// A string annotation (non-string values read as absent, as Kubernetes rejects them).
    pub(crate) fn get(&self, name: &str) -> Option<&'a str> {
        self.map.and_then(|m| m.get(name)).and_then(Value::as_str)
    }

    pub(crate) fn invalid(&self, annotation: &str, value: &str, reason: &str) -> Error {
        Error::InvalidAnnotation {
            resource: describe(self.object),
            annotation: annotation.to_owned(),
            value: value.to_owned(),
            reason: reason.to_owned(),
        }
    }
}

/// `group/kind/namespace/name` of any object, with empty parts where fields are missing.
pub(crate) fn describe(object: &Value) -> String {
    let s = |p: &str| object.pointer(p).and_then(Value::as_str).unwrap_or("");
    let group = s("/apiVersion").rsplit_once('/').map_or("", |(g, _)| g);
    let name = match s("/metadata/name") {
        "" => s("/metadata/generateName"),
        n => n,
    };
    format!("{group}/{}/{}/{name}", s("/kind"), s("/metadata/namespace"))
}

/// Splits a comma-separated annotation value, trimming items and dropping empty ones, as
/// gitops-engine's `GetAnnotationCSVs`.
pub(crate) fn csv(value: &str) -> impl Iterator<Item = &str> {
    value.split(',').map(str::trim).filter(|s| !s.is_empty())
}
