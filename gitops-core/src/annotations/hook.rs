//! Hooks: `argocd.argoproj.io/hook`, `helm.sh/hook` and their delete policies.

use std::{collections::BTreeSet, fmt, str::FromStr};

use serde_json::Value;

use super::{Annotations, HELM_HOOK, HELM_HOOK_DELETE_POLICY, HOOK, HOOK_DELETE_POLICY, csv};
use crate::{Error, ordering::SyncPhase};

/// One value of `argocd.argoproj.io/hook` (spelled exactly as Argo CD spells it).
///
/// ```
/// use gitops_core::annotations::HookType;
/// assert_eq!("PostSync".parse::<HookType>().unwrap(), HookType::PostSync);
/// assert!("postsync".parse::<HookType>().is_err());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[non_exhaustive]
pub enum HookType {
    /// Runs before the Sync phase (e.g. a database migration Job).
    PreSync,
    /// Runs in the Sync phase together with the ordinary resources.
    Sync,
    /// Runs after the Sync phase succeeded and every resource is healthy.
    PostSync,
    /// Runs only when the sync operation failed.
    SyncFail,
    /// Alone: the object is never applied. Together with other types it is ignored.
    Skip,
    /// Runs before the Application is deleted (Argo CD; not part of a sync).
    PreDelete,
    /// Runs after the Application is deleted (Argo CD; not part of a sync).
    PostDelete,
}

impl HookType {
    /// Every hook type, in declaration order.
    pub const ALL: [Self; 7] = [
        Self::PreSync,
        Self::Sync,
        Self::PostSync,
        Self::SyncFail,
        Self::Skip,
        Self::PreDelete,
        Self::PostDelete,
    ];

    /// The spelling used in the annotation.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::PreSync => "PreSync",
            Self::Sync => "Sync",
            Self::PostSync => "PostSync",
            Self::SyncFail => "SyncFail",
            Self::Skip => "Skip",
            Self::PreDelete => "PreDelete",
            Self::PostDelete => "PostDelete",
        }
    }

    /// The sync phase a hook of this type runs in; `None` for `Skip`, `PreDelete`, `PostDelete`.
    pub fn sync_phase(self) -> Option<SyncPhase> {
        match self {
            Self::PreSync => Some(SyncPhase::PreSync),
            Self::Sync => Some(SyncPhase::Sync),
            Self::PostSync => Some(SyncPhase::PostSync),
            Self::SyncFail => Some(SyncPhase::SyncFail),
            Self::Skip | Self::PreDelete | Self::PostDelete => None,
        }
    }

    /// Maps a `helm.sh/hook` value as Argo CD does: `pre-install`/`pre-upgrade` → PreSync,
    /// `post-install`/`post-upgrade` → PostSync, `pre-delete` → PreDelete, `post-delete` →
    /// PostDelete. `Ok(None)` for Helm hooks Argo CD does not run (`pre-rollback`,
    /// `post-rollback`, `test`, `test-success`, `test-failure`, `crd-install`).
    ///
    /// # Errors
    /// [`Error::InvalidValue`] for a value Helm does not define.
    pub fn from_helm(value: &str) -> Result<Option<Self>, Error> {
        match value {
            "pre-install" | "pre-upgrade" => Ok(Some(Self::PreSync)),
            "post-install" | "post-upgrade" => Ok(Some(Self::PostSync)),
            "pre-delete" => Ok(Some(Self::PreDelete)),
            "post-delete" => Ok(Some(Self::PostDelete)),
            "pre-rollback" | "post-rollback" | "test" | "test-success" | "test-failure" | "crd-install" => {
                Ok(None)
            }
            _ => Err(Error::InvalidValue {
                expected: "a Helm hook type",
                value: value.to_owned(),
            }),
        }
    }
}

impl FromStr for HookType {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .into_iter()
            .find(|t| t.as_str() == s)
            .ok_or_else(|| Error::InvalidValue {
                expected: "one of PreSync, Sync, PostSync, SyncFail, Skip, PreDelete, PostDelete",
                value: s.to_owned(),
            })
    }
}

impl fmt::Display for HookType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The hook annotation of one object: which [`HookType`]s it has and where they came from.
///
/// Follows gitops-engine's `hook.Types`/`hook.IsHook`/`ignore.Ignore`:
/// - `argocd.argoproj.io/hook` (comma separated, spaces trimmed, duplicates merged) wins; when it
///   is present `helm.sh/hook` is not read at all;
/// - otherwise `helm.sh/hook` is mapped by [`HookType::from_helm`]; `crd-install` alone means
///   "not a hook" (an ordinary CRD), other unsupported Helm hooks leave no type, which makes the
///   object ignored;
/// - an object is [ignored](Hooks::is_ignored) when its only type is `Skip` or it has no
///   supported type.
///
/// Stricter than gitops-engine, which silently drops unknown values: an unknown value in either
/// annotation is an [`Error::InvalidAnnotation`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hooks {
    types: BTreeSet<HookType>,
    from_helm: bool,
}

impl Hooks {
    /// Reads the hook annotations of an object; `Ok(None)` when it is not a hook.
    ///
    /// # Errors
    /// [`Error::InvalidAnnotation`] naming the object, annotation and value.
    pub fn of(object: &Value) -> Result<Option<Self>, Error> {
        let ann = Annotations::of(object);
        if let Some(value) = ann.get(HOOK) {
            let types = csv(value)
                .map(|item| {
                    item.parse()
                        .map_err(|_| ann.invalid(HOOK, value, &format!("unknown hook type {item:?}")))
                })
                .collect::<Result<BTreeSet<_>, _>>()?;
            return Ok(Some(Self {
                types,
                from_helm: false,
            }));
        }
        let Some(value) = ann.get(HELM_HOOK) else {
            return Ok(None);
        };
        if value.trim() == "crd-install" {
            return Ok(None);
        }
        let mut types = BTreeSet::new();
        for item in csv(value) {
            let mapped = HookType::from_helm(item)
                .map_err(|_| ann.invalid(HELM_HOOK, value, &format!("unknown Helm hook {item:?}")))?;
            types.extend(mapped);
        }
        Ok(Some(Self {
            types,
            from_helm: true,
        }))
    }

    /// Builds hooks from types, as if written in `argocd.argoproj.io/hook`.
    pub fn new(types: impl IntoIterator<Item = HookType>) -> Self {
        Self {
            types: types.into_iter().collect(),
            from_helm: false,
        }
    }

    /// The hook types, ordered and de-duplicated.
    pub fn types(&self) -> impl Iterator<Item = HookType> + '_ {
        self.types.iter().copied()
    }

    /// Whether the object has this hook type.
    pub fn contains(&self, hook: HookType) -> bool {
        self.types.contains(&hook)
    }

    /// Whether the types came from `helm.sh/hook` rather than `argocd.argoproj.io/hook`.
    pub fn from_helm(&self) -> bool {
        self.from_helm
    }

    /// Whether the object is never applied: only `Skip`, or no supported type at all.
    pub fn is_ignored(&self) -> bool {
        self.types.is_empty() || (self.types.len() == 1 && self.contains(HookType::Skip))
    }

    /// The sync phases this hook runs in (one task per phase), empty when ignored or when it only
    /// has delete hooks.
    pub fn sync_phases(&self) -> impl Iterator<Item = SyncPhase> + '_ {
        let ignored = self.is_ignored();
        self.types
            .iter()
            .filter_map(move |t| if ignored { None } else { t.sync_phase() })
    }
}

/// One value of `argocd.argoproj.io/hook-delete-policy`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[non_exhaustive]
pub enum HookDeletePolicy {
    /// Delete the hook after the operation succeeded (Helm `hook-succeeded`).
    HookSucceeded,
    /// Delete the hook after the operation failed (Helm `hook-failed`).
    HookFailed,
    /// Delete an existing hook object before creating the new one (Helm
    /// `before-hook-creation`); the default when no policy is given.
    BeforeHookCreation,
}

impl HookDeletePolicy {
    /// The spelling used in `argocd.argoproj.io/hook-delete-policy`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::HookSucceeded => "HookSucceeded",
            Self::HookFailed => "HookFailed",
            Self::BeforeHookCreation => "BeforeHookCreation",
        }
    }

    /// The Helm spelling (`hook-succeeded`, `hook-failed`, `before-hook-creation`).
    pub fn helm_str(self) -> &'static str {
        match self {
            Self::HookSucceeded => "hook-succeeded",
            Self::HookFailed => "hook-failed",
            Self::BeforeHookCreation => "before-hook-creation",
        }
    }

    const ALL: [Self; 3] = [Self::HookSucceeded, Self::HookFailed, Self::BeforeHookCreation];
}

impl FromStr for HookDeletePolicy {
    type Err = Error;

    /// Parses the Argo CD spelling.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .into_iter()
            .find(|p| p.as_str() == s)
            .ok_or_else(|| Error::InvalidValue {
                expected: "one of HookSucceeded, HookFailed, BeforeHookCreation",
                value: s.to_owned(),
            })
    }
}

impl fmt::Display for HookDeletePolicy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The delete policies of a hook: the union of `argocd.argoproj.io/hook-delete-policy` and
/// `helm.sh/hook-delete-policy` (gitops-engine reads both), or `{BeforeHookCreation}` when
/// neither names one.
///
/// ```
/// use gitops_core::annotations::{HookDeletePolicies, HookDeletePolicy};
/// let none = HookDeletePolicies::of(&serde_json::json!({})).unwrap();
/// assert!(none.contains(HookDeletePolicy::BeforeHookCreation));
/// let helm = serde_json::json!({"metadata": {"annotations": {"helm.sh/hook-delete-policy": "hook-succeeded"}}});
/// let set = HookDeletePolicies::of(&helm).unwrap();
/// assert!(set.contains(HookDeletePolicy::HookSucceeded));
/// assert!(!set.contains(HookDeletePolicy::BeforeHookCreation));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HookDeletePolicies(BTreeSet<HookDeletePolicy>);

impl HookDeletePolicies {
    /// Reads both annotations of an object.
    ///
    /// # Errors
    /// [`Error::InvalidAnnotation`] for a value that is not a policy in that annotation's spelling.
    pub fn of(object: &Value) -> Result<Self, Error> {
        let ann = Annotations::of(object);
        let mut set = BTreeSet::new();
        if let Some(value) = ann.get(HOOK_DELETE_POLICY) {
            for item in csv(value) {
                let policy = item.parse().map_err(|_| {
                    ann.invalid(
                        HOOK_DELETE_POLICY,
                        value,
                        &format!("unknown delete policy {item:?}"),
                    )
                })?;
                set.insert(policy);
            }
        }
        if let Some(value) = ann.get(HELM_HOOK_DELETE_POLICY) {
            for item in csv(value) {
                let policy = HookDeletePolicy::ALL
                    .into_iter()
                    .find(|p| p.helm_str() == item)
                    .ok_or_else(|| {
                        ann.invalid(
                            HELM_HOOK_DELETE_POLICY,
                            value,
                            &format!("unknown Helm delete policy {item:?}"),
                        )
                    })?;
                set.insert(policy);
            }
        }
        if set.is_empty() {
            set.insert(HookDeletePolicy::BeforeHookCreation);
        }
        Ok(Self(set))
    }

    /// Whether the policy applies.
    pub fn contains(&self, policy: HookDeletePolicy) -> bool {
        self.0.contains(&policy)
    }

    /// The policies, ordered.
    pub fn iter(&self) -> impl Iterator<Item = HookDeletePolicy> + '_ {
        self.0.iter().copied()
    }
}

impl Default for HookDeletePolicies {
    /// `{BeforeHookCreation}`, Argo CD's default.
    fn default() -> Self {
        Self(BTreeSet::from([HookDeletePolicy::BeforeHookCreation]))
    }
}
