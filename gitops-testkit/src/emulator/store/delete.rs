//! DELETE: preconditions, finalizers, propagation to dependents, namespace termination.

use serde_json::{Value, json};

use super::{Entry, Event, ObjKey, State, Store, as_version};
use crate::emulator::{
    meta,
    registry::ResourceType,
    status::{ApiError, ApiResult},
};

/// Options of a DELETE (query parameters and the `DeleteOptions` body).
#[derive(Debug, Clone, Default)]
pub(crate) struct DeleteOptions {
    /// `dryRun=All`.
    pub(crate) dry_run: bool,
    /// `propagationPolicy`: `Orphan`, `Background` (default) or `Foreground`.
    pub(crate) propagation: Option<String>,
    /// `preconditions.uid`.
    pub(crate) uid: Option<String>,
    /// `preconditions.resourceVersion`.
    pub(crate) resource_version: Option<String>,
}

/// What a DELETE did.
#[derive(Debug)]
pub(crate) enum Deleted {
    /// The object is gone.
    Gone(Value),
    /// The object stays, with a deletionTimestamp, until its finalizers are removed.
    Pending(Value),
}

impl Store {
    /// Deletes one object.
    pub(crate) fn delete(
        &self,
        rt: &ResourceType,
        namespace: &str,
        name: &str,
        options: &DeleteOptions,
    ) -> ApiResult<Deleted> {
        let mut state = self.lock();
        let object = as_version(state.get(rt, namespace, name)?, rt);
        let actual_uid = object
            .pointer("/metadata/uid")
            .and_then(Value::as_str)
            .unwrap_or_default();
        if let Some(uid) = options.uid.as_deref().filter(|u| *u != actual_uid) {
            return Err(ApiError::new(
                409,
                "Conflict",
                format!(
                    "Operation cannot be fulfilled on {} \"{name}\": Precondition failed: UID in precondition: {uid}, UID in object meta: {actual_uid}",
                    rt.qualified()
                ),
            ));
        }
        let actual_rv = object
            .pointer("/metadata/resourceVersion")
            .and_then(Value::as_str)
            .unwrap_or_default();
        if let Some(rv) = options.resource_version.as_deref().filter(|r| *r != actual_rv) {
            return Err(ApiError::new(
                409,
                "Conflict",
                format!(
                    "Operation cannot be fulfilled on {} \"{name}\": Precondition failed: ResourceVersion in precondition: {rv}, ResourceVersion in object meta: {actual_rv}",
                    rt.qualified()
                ),
            ));
        }
        if options.dry_run {
            return Ok(if has_finalizers(&object) || rt.kind == "Namespace" {
                Deleted::Pending(object)
            } else {
                Deleted::Gone(object)
            });
        }
        let key = ObjKey::new(rt, namespace, name);
        let propagation = options.propagation.clone().unwrap_or_else(|| "Background".into());
        Ok(match self.delete_key(&mut state, &key, &propagation) {
            Deleted::Gone(o) => Deleted::Gone(as_version(&o, rt)),
            Deleted::Pending(o) => Deleted::Pending(as_version(&o, rt)),
        })
    }

    /// DELETE on a collection: every object matching (already filtered by the caller).
    pub(crate) fn delete_many(
        &self,
        rt: &ResourceType,
        names: &[(String, String)],
        options: &DeleteOptions,
    ) -> Vec<Value> {
        let mut deleted = Vec::new();
        for (namespace, name) in names {
            if let Ok(Deleted::Gone(o) | Deleted::Pending(o)) = self.delete(rt, namespace, name, options) {
                deleted.push(o);
            }
        }
        deleted
    }

    fn delete_key(&self, state: &mut State, key: &ObjKey, propagation: &str) -> Deleted {
        let Some(object) = state.objects.get(key).map(|e| e.object.clone()) else {
            return Deleted::Gone(Value::Null);
        };
        if object.pointer("/metadata/deletionTimestamp").is_some() {
            return Deleted::Pending(object);
        }
        let uid = object
            .pointer("/metadata/uid")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string();
        if key.group.is_empty() && key.plural == "namespaces" {
            let mut terminating = object;
            terminating["metadata"]["deletionTimestamp"] = json!(meta::now());
            terminating["status"] = json!({"phase": "Terminating"});
            self.put(state, key, terminating);
            for child in state.namespace_objects(&key.name) {
                self.delete_key(state, &child, "Background");
            }
            self.finish_namespace(state, &key.name);
            return match state.objects.get(key) {
                Some(e) => Deleted::Pending(e.object.clone()),
                None => Deleted::Gone(Value::Null),
            };
        }
        let dependents: Vec<ObjKey> = state
            .objects
            .iter()
            .filter(|(_, e)| owned_by(&e.object, &uid))
            .map(|(k, _)| k.clone())
            .collect();
        for dependent in dependents {
            if propagation == "Orphan" {
                if let Some(mut object) = state.objects.get(&dependent).map(|e| e.object.clone()) {
                    if let Some(refs) = object
                        .pointer_mut("/metadata/ownerReferences")
                        .and_then(Value::as_array_mut)
                    {
                        refs.retain(|r| r.get("uid").and_then(Value::as_str) != Some(uid.as_str()));
                    }
                    self.put(state, &dependent, object);
                }
            } else {
                self.delete_key(state, &dependent, propagation);
            }
        }
        if has_finalizers(&object) {
            let mut pending = object;
            pending["metadata"]["deletionTimestamp"] = json!(meta::now());
            pending["metadata"]["deletionGracePeriodSeconds"] = json!(0);
            return Deleted::Pending(self.put(state, key, pending));
        }
        Deleted::Gone(self.remove(state, key, object))
    }

    /// Stores a server-side change (no validation) as a MODIFIED event.
    fn put(&self, state: &mut State, key: &ObjKey, mut object: Value) -> Value {
        state.rv += 1;
        let rv = state.rv;
        object["metadata"]["resourceVersion"] = json!(rv.to_string());
        if let Some(entry) = state.objects.get_mut(key) {
            entry.object = object.clone();
        } else {
            state.objects.insert(
                key.clone(),
                Entry {
                    object: object.clone(),
                    changed: std::time::Instant::now(),
                },
            );
        }
        self.emit(
            state,
            Event {
                rv,
                key: key.clone(),
                kind: "MODIFIED",
                object: object.clone(),
            },
        );
        object
    }

    /// Removes a terminating namespace once it is empty and has no finalizers left.
    pub(super) fn finish_namespace(&self, state: &mut State, namespace: &str) {
        let key = ObjKey {
            group: String::new(),
            plural: "namespaces".into(),
            namespace: String::new(),
            name: namespace.into(),
        };
        let Some(object) = state.objects.get(&key).map(|e| e.object.clone()) else {
            return;
        };
        if object.pointer("/metadata/deletionTimestamp").is_none()
            || has_finalizers(&object)
            || !state.namespace_objects(namespace).is_empty()
        {
            return;
        }
        self.remove(state, &key, object);
    }
}

fn has_finalizers(object: &Value) -> bool {
    object
        .pointer("/metadata/finalizers")
        .and_then(Value::as_array)
        .is_some_and(|f| !f.is_empty())
}

fn owned_by(object: &Value, uid: &str) -> bool {
    object
        .pointer("/metadata/ownerReferences")
        .and_then(Value::as_array)
        .is_some_and(|refs| {
            refs.iter()
                .any(|r| r.get("uid").and_then(Value::as_str) == Some(uid))
        })
}
