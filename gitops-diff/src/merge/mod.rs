//! Server-side apply, offline: structured-merge-diff's merge and field ownership over
//! `metadata.managedFields` (FieldsV1), without a server.
//!
//! [`apply`] predicts what the API server stores for a server-side apply (`kubectl apply
//! --server-side`, `PATCH` with `application/apply-patch+yaml`); [`update`] records ownership for
//! an ordinary write (`PUT`/`PATCH`/`POST`, operation `Update`). Both work on any object: built-in
//! kinds follow the generated schema, CRDs follow a [`Schema`] given in [`ApplyOptions`], and
//! unknown kinds use the documented fallbacks (lists atomic, maps granular; see [`Schema`]).
//!
//! What is modelled: the merge (maps per key, list-maps per key with schema key defaults, sets
//! per value, atomic values replaced), ownership recorded per manager and operation, fields the
//! applier owned and no longer sends removed unless another manager owns them, conflicts when
//! another manager owns a field whose value changes (transferred to the applier when forced),
//! ownership dropped for removed fields, and fields the API server never tracks (`apiVersion`,
//! `kind`, `status`, `metadata` name, namespace, uid, resourceVersion, generation,
//! creationTimestamp, selfLink, managedFields). Not modelled: defaulting and validation by the
//! API server, version conversion of managed fields (entries at other apiVersions are read as if
//! at the applied version), `unions`, and the `status` subresource (an applied `status` is
//! ignored, as for the main resource of kinds with a status subresource).

mod fieldset;
mod managed;
mod walk;

use std::{fmt, sync::Arc};

use serde_json::Value;

pub use fieldset::{FieldSet, InvalidFieldsV1, PathElement};

use crate::{Schema, schema::Node};
use managed::Entry;
use walk::Level;

/// The result of [`apply`] or [`update`]: the object the API server would store, and whether it
/// differs from live (including its `managedFields`).
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct Applied {
    /// The merged object, with `metadata.managedFields` updated (operation `Apply` or `Update`,
    /// the manager, the object's `apiVersion`, `fieldsType: FieldsV1`).
    pub object: Value,
    /// Whether `object` differs from live (`true` when there was no live object).
    pub changed: bool,
}

/// One conflict: a field another manager owns whose value the apply would change.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Conflict {
    /// The manager owning the field.
    pub manager: String,
    /// The field, in structured-merge-diff's form (`.spec.replicas`,
    /// `.spec.containers[name="app"].image`).
    pub path: String,
}

/// Conflicts that made a non-forced [`apply`] fail, as the API server's 409 Conflict lists them.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Conflicts {
    /// The conflicts, sorted by manager and path.
    pub conflicts: Vec<Conflict>,
}

impl fmt::Display for Conflicts {
    /// `N conflict(s): conflict with "manager": .path; ...`
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} conflict(s): ", self.conflicts.len())?;
        for (i, c) in self.conflicts.iter().enumerate() {
            if i > 0 {
                f.write_str("; ")?;
            }
            write!(f, "conflict with {:?}: {}", c.manager, c.path)?;
        }
        Ok(())
    }
}

impl std::error::Error for Conflicts {}

/// Options of [`apply_with`] and [`update_with`].
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct ApplyOptions {
    /// The field manager.
    pub manager: String,
    /// Take ownership of conflicting fields instead of failing (`--force-conflicts`).
    pub force: bool,
    /// Merge semantics (default: the built-in table).
    pub schema: Arc<Schema>,
    /// `time` written into the manager's entry when its fields change (RFC 3339, e.g.
    /// `2026-01-01T00:00:00Z`); `None` writes no time. An unchanged entry keeps its time, so
    /// applying twice gives the same object.
    pub time: Option<String>,
}

impl ApplyOptions {
    /// Options for `manager`: not forced, built-in schema, no time.
    pub fn new(manager: impl Into<String>) -> Self {
        Self {
            manager: manager.into(),
            force: false,
            schema: Arc::default(),
            time: None,
        }
    }

    /// Sets [`ApplyOptions::force`].
    #[must_use]
    pub fn with_force(mut self, force: bool) -> Self {
        self.force = force;
        self
    }

    /// Sets the schema.
    #[must_use]
    pub fn with_schema(mut self, schema: Arc<Schema>) -> Self {
        self.schema = schema;
        self
    }

    /// Sets the time written into changed entries.
    #[must_use]
    pub fn with_time(mut self, time: impl Into<String>) -> Self {
        self.time = Some(time.into());
        self
    }
}

/// Server-side apply of `config` by `manager` onto `live` (`None` when the object does not exist
/// yet), with the built-in schema. See [`apply_with`].
///
/// ```
/// use gitops_diff::merge;
/// use serde_json::json;
/// let config = json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c"}, "data": {"a": "1", "b": "2"}});
/// let first = merge::apply(None, &config, "ci", false).unwrap();
/// assert_eq!(first.object["metadata"]["managedFields"][0]["fieldsV1"],
///            json!({"f:data": {"f:a": {}, "f:b": {}}}));
/// // Dropping `b` from the configuration removes it: ci owned it and nobody else does.
/// let config = json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c"}, "data": {"a": "1"}});
/// let second = merge::apply(Some(&first.object), &config, "ci", false).unwrap();
/// assert_eq!(second.object["data"], json!({"a": "1"}));
/// // Applying again changes nothing.
/// assert!(!merge::apply(Some(&second.object), &config, "ci", false).unwrap().changed);
/// ```
///
/// # Errors
/// [`Conflicts`] when `force` is false and another manager owns a field whose value would change.
pub fn apply(live: Option<&Value>, config: &Value, manager: &str, force: bool) -> Result<Applied, Conflicts> {
    apply_with(live, config, &ApplyOptions::new(manager).with_force(force))
}

/// Server-side apply with options (schema for CRDs, entry time).
///
/// Steps, as structured-merge-diff's `Updater.Apply`: merge config into live; the manager's new
/// field set is config's; fields of its previous set that nobody owns any more are removed; other
/// managers' fields whose values changed are conflicts (an error unless forced; forced, they move
/// to the applier); fields removed from the object leave every set. `null` fields of config maps are
/// not applied (values inside lists are kept); a config that is not an object applies nothing (the object is returned unchanged).
///
/// # Errors
/// [`Conflicts`], as for [`apply`].
pub fn apply_with(
    live: Option<&Value>,
    config: &Value,
    options: &ApplyOptions,
) -> Result<Applied, Conflicts> {
    let live_object = live
        .filter(|l| l.is_object())
        .cloned()
        .unwrap_or_else(|| Value::Object(serde_json::Map::new()));
    if !config.is_object() {
        return Ok(Applied {
            object: live_object,
            changed: live.is_none(),
        });
    }
    let mut config = config.clone();
    drop_null_fields(&mut config);
    let node = root(&options.schema, &config, &live_object);
    let manager = options.manager.as_str();
    let mut entries = managed::read(&live_object);
    let previous = entries
        .iter()
        .position(|e| e.is(manager, "Apply"))
        .map(|i| entries.remove(i));
    let last_set = previous
        .as_ref()
        .and_then(|e| e.fields.clone())
        .unwrap_or_default();

    let mut merged = walk::merge(&live_object, &config, node, Level::Root);
    let new_set = walk::to_field_set(&config, node, Level::Root);
    let mut owned = new_set.clone();
    for e in &entries {
        if let Some(f) = &e.fields {
            owned.union_in_place(f);
        }
    }
    let prune = last_set.difference(&owned);
    if !prune.is_empty() {
        walk::remove_items(&mut merged, &prune, Some(&owned), node, Level::Root);
    }

    let (changed_set, removed_set) = walk::compare(&live_object, &merged, node, Level::Root);
    let mut conflicts = Vec::new();
    for e in &mut entries {
        let Some(fields) = &mut e.fields else { continue };
        let conflict = fields.intersection(&changed_set);
        if !conflict.is_empty() {
            conflicts.extend(conflict.paths().into_iter().map(|path| Conflict {
                manager: e.manager.clone(),
                path,
            }));
            *fields = fields.difference(&conflict);
        }
        *fields = fields.difference(&removed_set);
    }
    if !options.force && !conflicts.is_empty() {
        conflicts.sort_by(|a, b| (&a.manager, &a.path).cmp(&(&b.manager, &b.path)));
        return Err(Conflicts { conflicts });
    }
    entries.retain(|e| e.fields.as_ref().is_none_or(|f| !f.is_empty()));
    let api_version = config
        .get("apiVersion")
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_owned();
    if !new_set.is_empty() {
        let time = match &previous {
            Some(p) if p.fields.as_ref() == Some(&new_set) && p.api_version == api_version => p.time.clone(),
            _ => options.time.clone().map(Value::String),
        };
        entries.push(Entry::new(manager, "Apply", &api_version, new_set, time));
    }
    managed::write(&mut merged, entries);
    let changed = live != Some(&merged);
    Ok(Applied {
        object: merged,
        changed,
    })
}

/// Records an ordinary write (`Update` operation) of `new` over `live` by `manager`, with the
/// built-in schema. See [`update_with`].
///
/// ```
/// use gitops_diff::merge;
/// use serde_json::json;
/// let config = json!({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "w"}, "spec": {"replicas": 1}});
/// let applied = merge::apply(None, &config, "ci", false).unwrap().object;
/// let mut scaled = applied.clone();
/// scaled["spec"]["replicas"] = json!(5);
/// let updated = merge::update(Some(&applied), &scaled, "hpa").object;
/// // The autoscaler now owns replicas, so re-applying 1 without force conflicts.
/// let err = merge::apply(Some(&updated), &config, "ci", false).unwrap_err();
/// assert_eq!(err.conflicts[0].path, ".spec.replicas");
/// ```
pub fn update(live: Option<&Value>, new: &Value, manager: &str) -> Applied {
    update_with(live, new, &ApplyOptions::new(manager))
}

/// Records an ordinary write with options: the manager's `Update` entry gains the fields `new`
/// adds or changes and loses the removed ones; other managers lose the fields that changed or went
/// away (updates never conflict). `new`'s own `managedFields` are ignored (live's are used). A
/// `new` that is not an object is returned as is.
pub fn update_with(live: Option<&Value>, new: &Value, options: &ApplyOptions) -> Applied {
    if !new.is_object() {
        return Applied {
            object: new.clone(),
            changed: live != Some(new),
        };
    }
    let empty = Value::Object(serde_json::Map::new());
    let live_object = live.filter(|l| l.is_object()).unwrap_or(&empty);
    let node = root(&options.schema, new, live_object);
    let manager = options.manager.as_str();
    let mut entries = managed::read(live_object);
    let previous = entries
        .iter()
        .position(|e| e.is(manager, "Update"))
        .map(|i| entries.remove(i));
    let (changed_set, removed_set) = walk::compare(live_object, new, node, Level::Root);
    for e in &mut entries {
        if let Some(fields) = &mut e.fields {
            *fields = fields.difference(&changed_set).difference(&removed_set);
        }
    }
    entries.retain(|e| e.fields.as_ref().is_none_or(|f| !f.is_empty()));
    let old_set = previous
        .as_ref()
        .and_then(|e| e.fields.clone())
        .unwrap_or_default();
    let set = old_set.difference(&removed_set).union(&changed_set);
    let api_version = new
        .get("apiVersion")
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_owned();
    if !set.is_empty() {
        let time = match &previous {
            Some(p) if p.fields.as_ref() == Some(&set) && p.api_version == api_version => p.time.clone(),
            _ => options.time.clone().map(Value::String),
        };
        entries.push(Entry::new(manager, "Update", &api_version, set, time));
    }
    let mut object = new.clone();
    managed::write(&mut object, entries);
    let changed = live != Some(&object);
    Applied { object, changed }
}

/// The fields `manager` owns in `object` (all its entries, any operation), per `managedFields`.
pub fn owned_fields(object: &Value, manager: &str) -> FieldSet {
    let mut set = FieldSet::new();
    for e in managed::read(object) {
        if e.manager == manager
            && let Some(f) = &e.fields
        {
            set.union_in_place(f);
        }
    }
    set
}

/// Argo CD's `removeWebhookMutation` for server-side diff. The fields of `predicted` (a server
/// dry-run result) that `manager` does not own per `predicted`'s managedFields are dropped
/// (list-map key fields kept), so additions and changes by admission webhooks do not show; the
/// rest is merged into `live`. Unlike Argo CD, removals are taken from the dry run: paths of live
/// that `predicted` no longer has are removed first, so fields our manager stopped sending show as
/// removed even when live's managedFields do not say we owned them.
pub(crate) fn revert_unowned(live: &Value, predicted: &Value, manager: &str, node: Node<'_>) -> Value {
    let ours = owned_fields(predicted, manager);
    let all = walk::to_field_set(predicted, node, Level::Root);
    let not_ours = all.difference(&ours);
    let mut filtered = predicted.clone();
    walk::remove_items(&mut filtered, &not_ours, Some(&ours), node, Level::Root);
    if !live.is_object() {
        return filtered;
    }
    let (_, gone) = walk::compare(live, predicted, node, Level::Root);
    let mut base = live.clone();
    walk::remove_items(&mut base, &gone, None, node, Level::Root);
    walk::merge(&base, &filtered, node, Level::Root)
}

/// Removes `null` map fields (recursing through maps only; values inside lists are data).
fn drop_null_fields(value: &mut Value) {
    if let Value::Object(map) = value {
        map.retain(|_, v| !v.is_null());
        map.values_mut().for_each(drop_null_fields);
    }
}

/// Removes the paths of `set` from an object (whole subtrees; list-map key fields of elements
/// that keep other fields stay).
pub(crate) fn remove_fields(object: &mut Value, set: &FieldSet, node: Node<'_>) {
    walk::remove_items(object, set, None, node, Level::Root);
}

fn root<'s>(schema: &'s Schema, object: &Value, fallback: &Value) -> Node<'s> {
    let s = |k: &str| {
        object
            .get(k)
            .or_else(|| fallback.get(k))
            .and_then(Value::as_str)
            .unwrap_or("")
    };
    schema.root(s("apiVersion"), s("kind"))
}
