//! `argocd.argoproj.io/sync-options` and `spec.syncPolicy.syncOptions`.

use std::fmt;

use serde_json::Value;

use super::{Annotations, SYNC_OPTIONS, csv};
use crate::Error;

/// `Prune=`: whether a live object that left the desired state may be deleted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub enum PruneOption {
    /// `Prune=true` (the default): prune when pruning is enabled.
    #[default]
    Enabled,
    /// `Prune=false`: never prune; the result says "ignored (no prune)".
    Disabled,
    /// `Prune=confirm`: prune only after manual confirmation.
    Confirm,
}

/// `Delete=`: what happens to the object when its Application is deleted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub enum DeleteOption {
    /// `Delete=true` (the default): delete with the Application.
    #[default]
    Enabled,
    /// `Delete=false`: keep the object.
    Disabled,
    /// `Delete=confirm`: delete only after manual confirmation.
    Confirm,
}

/// `PrunePropagationPolicy=`: the deletion propagation used for prunes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub enum PropagationPolicy {
    /// `foreground` (Argo CD's default): dependents are deleted first.
    #[default]
    Foreground,
    /// `background`: the owner goes first, the garbage collector deletes dependents.
    Background,
    /// `orphan`: dependents are kept.
    Orphan,
}

impl PropagationPolicy {
    /// The Kubernetes `DeleteOptions.propagationPolicy` value (`Foreground`, `Background`,
    /// `Orphan`).
    pub fn as_kubernetes_str(self) -> &'static str {
        match self {
            Self::Foreground => "Foreground",
            Self::Background => "Background",
            Self::Orphan => "Orphan",
        }
    }
}

/// Parsed sync options, from a resource's `argocd.argoproj.io/sync-options` annotation
/// (`Name=value` items separated by commas) or an Application's
/// `spec.syncPolicy.syncOptions` list. `None` means "not said"; combine the two levels with
/// [`SyncOptions::overlay`] (the resource wins, as in Argo CD).
///
/// Values are matched exactly as Argo CD does (`Prune=false`, not `Prune=False`). A known option
/// with a value Argo CD does not define is an error; an unknown option is kept in
/// [`SyncOptions::unknown`] so callers can warn without rejecting repositories written for a
/// newer Argo CD.
///
/// ```
/// use gitops_core::annotations::{PruneOption, SyncOptions};
/// let opts = SyncOptions::parse("Prune=false, ServerSideApply=true,Foo=bar").unwrap();
/// assert_eq!(opts.prune, Some(PruneOption::Disabled));
/// assert_eq!(opts.server_side_apply, Some(true));
/// assert_eq!(opts.unknown, vec!["Foo=bar".to_owned()]);
/// assert!(SyncOptions::parse("Replace=yes").is_err());
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct SyncOptions {
    /// `Prune=true|false|confirm`.
    pub prune: Option<PruneOption>,
    /// `PruneLast=true|false`: prune after every wave of the Sync phase.
    pub prune_last: Option<bool>,
    /// `Replace=true|false`: `replace`/`create` instead of `apply`.
    pub replace: Option<bool>,
    /// `Force=true|false`: delete and re-create when apply/replace fails.
    pub force: Option<bool>,
    /// `ServerSideApply=true|false`.
    pub server_side_apply: Option<bool>,
    /// `Validate=true|false`: `false` applies without schema validation.
    pub validate: Option<bool>,
    /// `SkipDryRunOnMissingResource=true|false`.
    pub skip_dry_run_on_missing_resource: Option<bool>,
    /// `CreateNamespace=true|false` (Application level).
    pub create_namespace: Option<bool>,
    /// `ApplyOutOfSyncOnly=true|false` (Application level).
    pub apply_out_of_sync_only: Option<bool>,
    /// `RespectIgnoreDifferences=true|false` (Application level).
    pub respect_ignore_differences: Option<bool>,
    /// `Delete=true|false|confirm`.
    pub delete: Option<DeleteOption>,
    /// `PrunePropagationPolicy=foreground|background|orphan` (Application level).
    pub prune_propagation_policy: Option<PropagationPolicy>,
    /// `FailOnSharedResource=true|false` (Application level).
    pub fail_on_shared_resource: Option<bool>,
    /// `ClientSideApplyMigration=true|false` (Application level).
    pub client_side_apply_migration: Option<bool>,
    /// Items with an option name this crate does not know, verbatim.
    pub unknown: Vec<String>,
}

impl SyncOptions {
    /// Reads `argocd.argoproj.io/sync-options` of an object; all `None` when absent.
    ///
    /// # Errors
    /// [`Error::InvalidAnnotation`] naming the object, the annotation and the bad item.
    pub fn of(object: &Value) -> Result<Self, Error> {
        let ann = Annotations::of(object);
        match ann.get(SYNC_OPTIONS) {
            None => Ok(Self::default()),
            Some(value) => Self::parse(value).map_err(|e| ann.invalid(SYNC_OPTIONS, value, &reason(&e))),
        }
    }

    /// Parses a comma-separated annotation value.
    ///
    /// # Errors
    /// [`Error::InvalidValue`] for a known option with an undefined value, or an item without `=`.
    pub fn parse(value: &str) -> Result<Self, Error> {
        Self::from_items(csv(value))
    }

    /// Parses a list of `Name=value` items (an Application's `spec.syncPolicy.syncOptions`).
    ///
    /// # Errors
    /// As [`SyncOptions::parse`].
    pub fn from_items<'a>(items: impl IntoIterator<Item = &'a str>) -> Result<Self, Error> {
        let mut out = Self::default();
        for item in items {
            out.set(item.trim())?;
        }
        Ok(out)
    }

    fn set(&mut self, item: &str) -> Result<(), Error> {
        let bad = |expected: &'static str| Error::InvalidValue {
            expected,
            value: item.to_owned(),
        };
        let Some((name, value)) = item.split_once('=') else {
            return Err(bad("a Name=value sync option"));
        };
        let flag = |slot: &mut Option<bool>| -> Result<(), Error> {
            *slot = Some(match value {
                "true" => true,
                "false" => false,
                _ => return Err(bad("true or false")),
            });
            Ok(())
        };
        match name {
            "Prune" => {
                self.prune = Some(match value {
                    "true" => PruneOption::Enabled,
                    "false" => PruneOption::Disabled,
                    "confirm" => PruneOption::Confirm,
                    _ => return Err(bad("Prune=true|false|confirm")),
                });
            }
            "Delete" => {
                self.delete = Some(match value {
                    "true" => DeleteOption::Enabled,
                    "false" => DeleteOption::Disabled,
                    "confirm" => DeleteOption::Confirm,
                    _ => return Err(bad("Delete=true|false|confirm")),
                });
            }
            "PrunePropagationPolicy" => {
                self.prune_propagation_policy = Some(match value {
                    "foreground" => PropagationPolicy::Foreground,
                    "background" => PropagationPolicy::Background,
                    "orphan" => PropagationPolicy::Orphan,
                    _ => return Err(bad("PrunePropagationPolicy=foreground|background|orphan")),
                });
            }
            "PruneLast" => flag(&mut self.prune_last)?,
            "Replace" => flag(&mut self.replace)?,
            "Force" => flag(&mut self.force)?,
            "ServerSideApply" => flag(&mut self.server_side_apply)?,
            "Validate" => flag(&mut self.validate)?,
            "SkipDryRunOnMissingResource" => flag(&mut self.skip_dry_run_on_missing_resource)?,
            "CreateNamespace" => flag(&mut self.create_namespace)?,
            "ApplyOutOfSyncOnly" => flag(&mut self.apply_out_of_sync_only)?,
            "RespectIgnoreDifferences" => flag(&mut self.respect_ignore_differences)?,
            "FailOnSharedResource" => flag(&mut self.fail_on_shared_resource)?,
            "ClientSideApplyMigration" => flag(&mut self.client_side_apply_migration)?,
            _ => self.unknown.push(item.to_owned()),
        }
        Ok(())
    }

    /// Combines Application-level options (`self`) with a resource's annotation: every option the
    /// resource sets wins; unknown items are concatenated.
    #[must_use]
    pub fn overlay(&self, resource: &Self) -> Self {
        Self {
            prune: resource.prune.or(self.prune),
            prune_last: resource.prune_last.or(self.prune_last),
            replace: resource.replace.or(self.replace),
            force: resource.force.or(self.force),
            server_side_apply: resource.server_side_apply.or(self.server_side_apply),
            validate: resource.validate.or(self.validate),
            skip_dry_run_on_missing_resource: resource
                .skip_dry_run_on_missing_resource
                .or(self.skip_dry_run_on_missing_resource),
            create_namespace: resource.create_namespace.or(self.create_namespace),
            apply_out_of_sync_only: resource.apply_out_of_sync_only.or(self.apply_out_of_sync_only),
            respect_ignore_differences: resource
                .respect_ignore_differences
                .or(self.respect_ignore_differences),
            delete: resource.delete.or(self.delete),
            prune_propagation_policy: resource
                .prune_propagation_policy
                .or(self.prune_propagation_policy),
            fail_on_shared_resource: resource.fail_on_shared_resource.or(self.fail_on_shared_resource),
            client_side_apply_migration: resource
                .client_side_apply_migration
                .or(self.client_side_apply_migration),
            unknown: self.unknown.iter().chain(&resource.unknown).cloned().collect(),
        }
    }

    /// `PruneLast`, default `false`.
    pub fn is_prune_last(&self) -> bool {
        self.prune_last.unwrap_or(false)
    }

    /// `Validate`, default `true`.
    pub fn is_validate(&self) -> bool {
        self.validate.unwrap_or(true)
    }

    /// `Prune`, default [`PruneOption::Enabled`].
    pub fn prune_or_default(&self) -> PruneOption {
        self.prune.unwrap_or_default()
    }
}

impl fmt::Display for SyncOptions {
    /// The annotation form: the options that are set, comma-separated, in a fixed order.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut items: Vec<String> = Vec::new();
        let mut flag = |name: &str, v: Option<bool>| {
            if let Some(v) = v {
                items.push(format!("{name}={v}"));
            }
        };
        flag("PruneLast", self.prune_last);
        flag("Replace", self.replace);
        flag("Force", self.force);
        flag("ServerSideApply", self.server_side_apply);
        flag("Validate", self.validate);
        flag(
            "SkipDryRunOnMissingResource",
            self.skip_dry_run_on_missing_resource,
        );
        flag("CreateNamespace", self.create_namespace);
        flag("ApplyOutOfSyncOnly", self.apply_out_of_sync_only);
        flag("RespectIgnoreDifferences", self.respect_ignore_differences);
        flag("FailOnSharedResource", self.fail_on_shared_resource);
        flag("ClientSideApplyMigration", self.client_side_apply_migration);
        if let Some(p) = self.prune {
            let v = match p {
                PruneOption::Enabled => "true",
                PruneOption::Disabled => "false",
                PruneOption::Confirm => "confirm",
            };
            items.push(format!("Prune={v}"));
        }
        if let Some(d) = self.delete {
            let v = match d {
                DeleteOption::Enabled => "true",
                DeleteOption::Disabled => "false",
                DeleteOption::Confirm => "confirm",
            };
            items.push(format!("Delete={v}"));
        }
        if let Some(p) = self.prune_propagation_policy {
            items.push(format!(
                "PrunePropagationPolicy={}",
                p.as_kubernetes_str().to_ascii_lowercase()
            ));
        }
        items.extend(self.unknown.iter().cloned());
        f.write_str(&items.join(","))
    }
}

/// The message of an [`Error::InvalidValue`] as a reason inside another error.
pub(super) fn reason(e: &Error) -> String {
    match e {
        Error::InvalidValue { expected, value } => format!("item {value:?}: expected {expected}"),
        other => other.to_string(),
    }
}
