//! The object store behind [`InMemoryCluster`](super::InMemoryCluster): API-server bookkeeping
//! (uid, resourceVersion, generation, creationTimestamp, deletion) over a sorted map.

use std::{
    collections::BTreeMap,
    time::{Instant, SystemTime},
};

use gitops_core::{GroupKind, ResourceKey};
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
    pub(super) fn write_update(&mut self, key: &ResourceKey, object: Value, manager: &str, now: Instant) {
        let Some(existing) = self.objects.get(key) else {
            return;
        };
        let mut candidate = carry_server_fields(&existing.object, object);
        record_manager(&mut candidate, manager, "Update");
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

/// Temporary server-side apply until `gitops_diff::merge::apply` lands: the applying manager's
/// object replaces the fields it sends; when other managers also wrote the object, their fields
/// are kept (deep merge of maps). Conflicts are not detected yet.
#[allow(clippy::unnecessary_wraps)] // the signature of the real merge, which reports conflicts
pub(super) fn server_side_apply(
    live: Option<&Value>,
    config: &Value,
    manager: &str,
    _force: bool,
) -> Result<Value, Vec<String>> {
    let mut result = match live {
        Some(live) if has_other_managers(live, manager) => {
            let mut merged = live.clone();
            deep_merge(&mut merged, config);
            merged
        }
        Some(live) => {
            let mut merged = config.clone();
            if let Some(status) = live.get("status") {
                merged["status"] = status.clone();
            }
            merged["metadata"]["managedFields"] = live
                .pointer("/metadata/managedFields")
                .cloned()
                .unwrap_or(json!([]));
            merged
        }
        None => config.clone(),
    };
    record_manager(&mut result, manager, "Apply");
    Ok(result)
}

fn has_other_managers(live: &Value, manager: &str) -> bool {
    live.pointer("/metadata/managedFields")
        .and_then(Value::as_array)
        .is_some_and(|entries| {
            entries
                .iter()
                .any(|e| e.get("manager").and_then(Value::as_str) != Some(manager))
        })
}

fn deep_merge(into: &mut Value, from: &Value) {
    match (into, from) {
        (Value::Object(a), Value::Object(b)) => {
            for (k, v) in b {
                match a.get_mut(k) {
                    Some(existing) => deep_merge(existing, v),
                    None => {
                        a.insert(k.clone(), v.clone());
                    }
                }
            }
        }
        (slot, v) => *slot = v.clone(),
    }
}

fn record_manager(object: &mut Value, manager: &str, operation: &str) {
    let api_version = object.get("apiVersion").cloned().unwrap_or(Value::Null);
    let entries = object["metadata"]
        .as_object_mut()
        .map(|m| m.entry("managedFields").or_insert_with(|| json!([])));
    let Some(Value::Array(entries)) = entries else {
        return;
    };
    entries.retain(|e| {
        !(e.get("manager").and_then(Value::as_str) == Some(manager)
            && e.get("operation").and_then(Value::as_str) == Some(operation))
    });
    entries.push(
        json!({"manager": manager, "operation": operation, "apiVersion": api_version,
        "fieldsType": "FieldsV1", "fieldsV1": {}}),
    );
}
