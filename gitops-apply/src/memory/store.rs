//! The object store behind [`InMemoryCluster`](super::InMemoryCluster): API-server bookkeeping
//! (uid, resourceVersion, generation, creationTimestamp, deletion) over a sorted map.

use std::{
    collections::BTreeMap,
    time::{Instant, SystemTime},
};

use gitops_core::{GroupKind, ResourceKey};
use gitops_diff::merge;
use serde_json::{Value, json};

use crate::{ApiResource, simulation::format_rfc3339};

/// One stored object and the time of its last spec change (the simulated controllers' clock).
#[derive(Debug, Clone)]
pub(super) struct Stored {
    pub(super) object: Value,
    pub(super) spec_changed_at: Instant,
}

/// Everything the cluster holds.
#[derive(Debug)]
pub(super) struct State {
    pub(super) objects: BTreeMap<ResourceKey, Stored>,
    pub(super) kinds: BTreeMap<GroupKind, ApiResource>,
    pub(super) resource_version: u64,
    uid_counter: u64,
    pub(super) writes: u64,
}

/// Fields the API server owns in `metadata`, never taken from a client's object.
const SERVER_METADATA: &[&str] = &[
    "uid",
    "resourceVersion",
    "generation",
    "creationTimestamp",
    "deletionTimestamp",
    "selfLink",
];

impl State {
    pub(super) fn new(kinds: Vec<ApiResource>) -> Self {
        Self {
            objects: BTreeMap::new(),
            kinds: kinds.into_iter().map(|k| (k.gvk.group_kind(), k)).collect(),
            resource_version: 0,
            uid_counter: 0,
            writes: 0,
        }
    }

    fn next_uid(&mut self) -> String {
        self.uid_counter += 1;
        // A valid RFC 4122 version-4 layout, unique within this cluster.
        format!("00000000-0000-4000-8000-{:012x}", self.uid_counter)
    }

    /// Inserts a new object with fresh server metadata, without counting a client write.
    pub(super) fn insert_new(&mut self, key: ResourceKey, mut object: Value, now: Instant) -> Value {
        self.resource_version += 1;
        let uid = self.next_uid();
        let meta = &mut object["metadata"];
        meta["uid"] = json!(uid);
        meta["resourceVersion"] = json!(self.resource_version.to_string());
        meta["generation"] = json!(1);
        meta["creationTimestamp"] = json!(format_rfc3339(SystemTime::now()));
        self.objects.insert(
            key,
            Stored {
                object: object.clone(),
                spec_changed_at: now,
            },
        );
        object
    }

    /// What `write_apply` would store, without storing it (dry run).
    pub(super) fn preview(&self, key: &ResourceKey, merged: Value, now: SystemTime) -> Value {
        if let Some(existing) = self.objects.get(key) {
            carry_server_fields(&existing.object, merged)
        } else {
            let mut object = merged;
            object["metadata"]["creationTimestamp"] = json!(format_rfc3339(now));
            object["metadata"]["generation"] = json!(1);
            object
        }
    }

    /// Stores the result of a server-side apply: creates, updates (bumping resourceVersion and,
    /// on spec changes, generation) or leaves the object untouched when nothing changed.
    pub(super) fn write_apply(&mut self, key: &ResourceKey, merged: Value, now: Instant) -> Value {
        let Some(existing) = self.objects.get(key) else {
            self.writes += 1;
            return self.insert_new(key.clone(), merged, now);
        };
        let candidate = carry_server_fields(&existing.object, merged);
        if candidate == existing.object {
            return candidate;
        }
        self.store_changed(key, candidate, now)
    }

    /// Stores a client update (an edit outside server-side apply) under `manager`.
    pub(super) fn write_update(&mut self, key: &ResourceKey, object: &Value, manager: &str, now: Instant) {
        let Some(existing) = self.objects.get(key) else {
            return;
        };
        let options = merge::ApplyOptions::new(manager).with_time(format_rfc3339(SystemTime::now()));
        let updated = merge::update_with(Some(&existing.object), object, &options).object;
        let candidate = carry_server_fields(&existing.object, updated);
        if candidate != existing.object {
            self.store_changed(key, candidate, now);
        }
    }

    fn store_changed(&mut self, key: &ResourceKey, mut candidate: Value, now: Instant) -> Value {
        let Some(existing) = self.objects.get(key) else {
            return candidate;
        };
        let spec_changed = strip_meta_status(&existing.object) != strip_meta_status(&candidate);
        let mut spec_changed_at = existing.spec_changed_at;
        if spec_changed {
            let generation = existing
                .object
                .pointer("/metadata/generation")
                .and_then(Value::as_i64)
                .unwrap_or(1);
            candidate["metadata"]["generation"] = json!(generation + 1);
            spec_changed_at = now;
        }
        self.resource_version += 1;
        self.writes += 1;
        candidate["metadata"]["resourceVersion"] = json!(self.resource_version.to_string());
        self.objects.insert(
            key.clone(),
            Stored {
                object: candidate.clone(),
                spec_changed_at,
            },
        );
        candidate
    }

    /// Deletes an object: with finalizers it only gets a `deletionTimestamp`; a Namespace takes
    /// its objects with it. Returns the removed object, if it was removed.
    pub(super) fn delete(&mut self, key: &ResourceKey, timestamp: &str) -> Option<Value> {
        let stored = self.objects.get_mut(key)?;
        self.writes += 1;
        let has_finalizers = stored
            .object
            .pointer("/metadata/finalizers")
            .and_then(Value::as_array)
            .is_some_and(|f| !f.is_empty());
        if has_finalizers {
            if stored.object.pointer("/metadata/deletionTimestamp").is_none() {
                stored.object["metadata"]["deletionTimestamp"] = json!(timestamp);
                self.resource_version += 1;
                stored.object["metadata"]["resourceVersion"] = json!(self.resource_version.to_string());
            }
            return None;
        }
        if key.group.is_empty() && key.kind == "Namespace" {
            self.objects
                .retain(|k, _| k.namespace.as_deref() != Some(key.name.as_str()));
        }
        self.resource_version += 1;
        self.objects.remove(key).map(|s| s.object)
    }
}

/// Copies the server-owned metadata of `existing` onto `object` (and keeps its status when
/// `object` has none), so comparing the two shows only client-visible changes.
fn carry_server_fields(existing: &Value, mut object: Value) -> Value {
    for field in SERVER_METADATA {
        match existing.pointer(&format!("/metadata/{field}")) {
            Some(v) => object["metadata"][*field] = v.clone(),
            None => {
                if let Some(meta) = object.get_mut("metadata").and_then(Value::as_object_mut) {
                    meta.remove(*field);
                }
            }
        }
    }
    if object.get("status").is_none()
        && let Some(status) = existing.get("status")
    {
        object["status"] = status.clone();
    }
    object
}

fn strip_meta_status(object: &Value) -> Value {
    let mut o = object.clone();
    if let Some(map) = o.as_object_mut() {
        map.remove("metadata");
        map.remove("status");
    }
    o
}

/// Server-side apply through gitops-diff's structured-merge implementation (the one SSA
/// implementation of the project): field ownership in `managedFields`, removal of fields the
/// manager stopped sending, conflicts as `path (manager)` strings unless forced.
pub(super) fn server_side_apply(
    live: Option<&Value>,
    config: &Value,
    manager: &str,
    force: bool,
) -> Result<Value, Vec<String>> {
    let options = merge::ApplyOptions::new(manager)
        .with_force(force)
        .with_time(format_rfc3339(SystemTime::now()));
    merge::apply_with(live, config, &options)
        .map(|applied| applied.object)
        .map_err(|c| {
            c.conflicts
                .iter()
                .map(|c| format!("{} ({})", c.path, c.manager))
                .collect()
        })
}
