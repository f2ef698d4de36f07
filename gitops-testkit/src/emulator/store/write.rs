//! The write path: create, update, patch (including server-side apply) and the commit shared by
//! every write.

use std::{sync::Arc, time::Instant};

use rand::RngExt as _;
use serde_json::{Map, Value, json};

use super::{Entry, Event, ObjKey, State, Store, as_version};
use crate::emulator::{
    meta,
    patch::{self, PatchType},
    registry::ResourceType,
    ssa,
    status::{ApiError, ApiResult},
};

/// Options of one write request.
#[derive(Debug, Clone, Default)]
pub(crate) struct WriteOptions {
    /// The field manager recorded in managedFields.
    pub(crate) manager: String,
    /// `dryRun=All`: validate and return the result without storing it.
    pub(crate) dry_run: bool,
    /// `force=true` on an apply patch: take conflicting fields.
    pub(crate) force: bool,
    /// The write targets the `status` subresource.
    pub(crate) status: bool,
}

impl Store {
    /// POST: creates an object (`generateName` honoured). Returns the stored object.
    pub(crate) fn create(
        &self,
        rt: &ResourceType,
        namespace: &str,
        mut body: Value,
        options: &WriteOptions,
    ) -> ApiResult<Value> {
        check_type(rt, &mut body)?;
        let name = match body
            .pointer("/metadata/name")
            .and_then(Value::as_str)
            .filter(|n| !n.is_empty())
        {
            Some(name) => name.to_string(),
            None => match body
                .pointer("/metadata/generateName")
                .and_then(Value::as_str)
                .filter(|n| !n.is_empty())
            {
                Some(prefix) => meta::generated_name(prefix),
                None => {
                    return Err(ApiError::invalid(
                        &rt.kind,
                        &rt.group,
                        "",
                        &[(
                            "metadata.name",
                            "Required value: name or generateName is required".into(),
                        )],
                    ));
                }
            },
        };
        body["metadata"]["name"] = json!(name);
        check_namespace(rt, namespace, &mut body)?;
        let mut state = self.lock();
        state.check_namespace_writable(rt, namespace)?;
        let key = ObjKey::new(rt, namespace, &name);
        if state.objects.contains_key(&key) {
            return Err(ApiError::already_exists(&rt.qualified(), &name));
        }
        self.commit(&mut state, rt, &key, body, options, true)
    }

    /// PUT: replaces an object (or its status), with optimistic concurrency on
    /// `metadata.resourceVersion`.
    pub(crate) fn update(
        &self,
        rt: &ResourceType,
        namespace: &str,
        name: &str,
        mut body: Value,
        options: &WriteOptions,
    ) -> ApiResult<Value> {
        check_type(rt, &mut body)?;
        check_namespace(rt, namespace, &mut body)?;
        let body_name = body
            .pointer("/metadata/name")
            .and_then(Value::as_str)
            .unwrap_or_default();
        if body_name != name {
            return Err(ApiError::bad_request(format!(
                "the name of the object ({body_name}) does not match the name on the URL ({name})"
            )));
        }
        let mut state = self.lock();
        let old = state.get(rt, namespace, name)?.clone();
        check_resource_version(rt, &old, &body)?;
        if body.pointer("/metadata/managedFields").is_none()
            && let Some(fields) = old.pointer("/metadata/managedFields")
        {
            body["metadata"]["managedFields"] = fields.clone();
        }
        let key = ObjKey::new(rt, namespace, name);
        self.commit(&mut state, rt, &key, body, options, true)
    }

    /// PATCH: any patch type. Returns the object and whether it was created (apply only).
    pub(crate) fn patch(
        &self,
        rt: &ResourceType,
        namespace: &str,
        name: &str,
        patch_type: PatchType,
        body: &[u8],
        options: &WriteOptions,
    ) -> ApiResult<(Value, bool)> {
        if patch_type == PatchType::Apply {
            return self.apply(rt, namespace, name, body, options);
        }
        let mut state = self.lock();
        let old = state.get(rt, namespace, name)?.clone();
        let schema = Arc::clone(&state.schema);
        let api_version = rt.api_version();
        let key_of = |path: &[String]| ssa::smp_merge_key(&schema, &api_version, &rt.kind, path);
        let mut new = patch::apply_patch(patch_type, &as_version(&old, rt), body, &key_of, rt.custom)?;
        check_type(rt, &mut new)?;
        check_resource_version(rt, &old, &new)?;
        let key = ObjKey::new(rt, namespace, name);
        self.commit(&mut state, rt, &key, new, options, true)
            .map(|o| (o, false))
    }

    /// Server-side apply (`application/apply-patch+yaml`).
    fn apply(
        &self,
        rt: &ResourceType,
        namespace: &str,
        name: &str,
        body: &[u8],
        options: &WriteOptions,
    ) -> ApiResult<(Value, bool)> {
        if options.manager.is_empty() {
            return Err(ApiError::new(
                422,
                "Invalid",
                "PatchOptions.meta.k8s.io \"\" is invalid: fieldManager: Required value: is required for apply patch",
            ));
        }
        // kubectl and client libraries send the apply configuration as JSON (a subset of YAML):
        // decoded as such first, as the API server's YAML-to-JSON step passes JSON through.
        let mut config: Value = if let Ok(config) = serde_json::from_slice(body) {
            config
        } else {
            let text =
                std::str::from_utf8(body).map_err(|_| ApiError::bad_request("apply patch is not UTF-8"))?;
            serde_saphyr::from_str(text)
                .map_err(|e| ApiError::bad_request(format!("error decoding YAML: {e}")))?
        };
        if !config.is_object() {
            return Err(ApiError::bad_request("apply patch must be an object"));
        }
        for (field, what) in [("apiVersion", "apiVersion"), ("kind", "kind")] {
            if config
                .get(field)
                .and_then(Value::as_str)
                .is_none_or(str::is_empty)
            {
                return Err(ApiError::bad_request(format!(
                    "{what} must be set in an apply patch"
                )));
            }
        }
        check_type(rt, &mut config)?;
        check_namespace(rt, namespace, &mut config)?;
        match config.pointer("/metadata/name").and_then(Value::as_str) {
            Some(n) if n != name => {
                return Err(ApiError::bad_request(format!(
                    "the name of the object ({n}) does not match the name on the URL ({name})"
                )));
            }
            _ => config["metadata"]["name"] = json!(name),
        }
        if let Some(metadata) = config.get_mut("metadata").and_then(Value::as_object_mut) {
            // What kube-apiserver's field manager strips (stripmeta): the deletion fields stay in
            // the config (and its field set); commit resets them from the stored object anyway.
            for system in SERVER_METADATA
                .into_iter()
                .filter(|field| !field.starts_with("deletion"))
                .chain(["managedFields", "selfLink"])
            {
                metadata.remove(system);
            }
        }
        if rt.status
            && !options.status
            && let Some(map) = config.as_object_mut()
        {
            map.remove("status");
        }
        let mut state = self.lock();
        let old = state.get(rt, namespace, name).ok().map(|o| as_version(o, rt));
        if old.is_none() {
            if options.status {
                return Err(ApiError::not_found(&rt.qualified(), name));
            }
            state.check_namespace_writable(rt, namespace)?;
        }
        let schema = Arc::clone(&state.schema);
        let applied = ssa::apply(&schema, old.as_ref(), &config, &options.manager, options.force)
            .map_err(|conflicts| ApiError::apply_conflict(&conflicts))?;
        let key = ObjKey::new(rt, namespace, name);
        let created = old.is_none();
        self.commit(&mut state, rt, &key, applied, options, false)
            .map(|o| (o, created))
    }

    /// Stores `new` at `key` after the server's rules: system metadata, status/spec split,
    /// generation, validation, managedFields, no-op detection, finalization and dry run.
    pub(super) fn commit(
        &self,
        state: &mut State,
        rt: &ResourceType,
        key: &ObjKey,
        mut new: Value,
        options: &WriteOptions,
        record: bool,
    ) -> ApiResult<Value> {
        let base = if record {
            let invalid =
                |causes: &[(&str, String)]| ApiError::invalid(&rt.kind, &rt.group, &key.name, causes);
            Some(ssa::requested_fields(&new, options.status, invalid)?)
        } else {
            None
        };
        let old_entry = state.objects.get(key);
        let old = old_entry.map(|e| as_version(&e.object, rt));
        if old.is_none() {
            meta::validate_name(&rt.kind, &key.name).map_err(|m| invalid_name(rt, &key.name, &m))?;
        }
        if let Some(old) = &old {
            if options.status {
                let status = new.get("status").cloned();
                new = old.clone();
                match status {
                    Some(status) => new["status"] = status,
                    None => {
                        new.as_object_mut().map(|m| m.remove("status"));
                    }
                }
            } else if rt.status {
                match old.get("status") {
                    Some(status) => new["status"] = status.clone(),
                    None => {
                        new.as_object_mut().map(|m| m.remove("status"));
                    }
                }
            }
        } else if rt.status {
            new.as_object_mut().map(|m| m.remove("status"));
        }
        system_metadata(rt, key, old.as_ref(), &mut new);
        validate(rt, old.as_ref(), &mut new)?;
        if let Some(base) = base {
            ssa::record_update(&state.schema, old.as_ref(), &mut new, &options.manager, base);
        }
        stamp_managed_fields(&mut new, rt, options);
        if let Some(old) = &old
            && comparable(old) == comparable(&new)
        {
            return Ok(old.clone());
        }
        let spec_changed = old.as_ref().is_none_or(|o| spec_of(o) != spec_of(&new));
        if rt.generation {
            let generation = match &old {
                None => 1,
                Some(o) => {
                    let g = o
                        .pointer("/metadata/generation")
                        .and_then(Value::as_i64)
                        .unwrap_or(1);
                    if spec_changed { g + 1 } else { g }
                }
            };
            new["metadata"]["generation"] = json!(generation);
        }
        let finalized = new.pointer("/metadata/deletionTimestamp").is_some()
            && new
                .pointer("/metadata/finalizers")
                .and_then(Value::as_array)
                .is_none_or(Vec::is_empty);
        if options.dry_run {
            return Ok(new);
        }
        if finalized {
            return Ok(self.remove(state, key, new));
        }
        let changed = match old_entry {
            Some(e) if !spec_changed => e.changed,
            _ => Instant::now(),
        };
        state.rv += 1;
        let rv = state.rv;
        new["metadata"]["resourceVersion"] = json!(rv.to_string());
        let kind = if old.is_some() { "MODIFIED" } else { "ADDED" };
        state.objects.insert(
            key.clone(),
            Entry {
                object: new.clone(),
                changed,
            },
        );
        if rt.kind == "CustomResourceDefinition" && rt.group == "apiextensions.k8s.io" {
            Arc::make_mut(&mut state.registry).register_crd(&new);
            let mut schema = (*state.schema).clone();
            // A CRD without group, kind or versions keeps the fallback semantics (lists atomic).
            if schema.add_crd(&new).is_ok() {
                state.schema = Arc::new(schema);
            }
        }
        self.emit(
            state,
            Event {
                rv,
                key: key.clone(),
                kind,
                object: new.clone(),
            },
        );
        Ok(new)
    }

    /// Writes a simulated controller's status (manager `kube-controller-manager`), unless the
    /// object changed since `seen` was read.
    pub(crate) fn write_status(&self, key: &ObjKey, seen: &Value, status: Value) {
        let mut state = self.lock();
        let Some(entry) = state.objects.get(key) else {
            return;
        };
        if entry.object.pointer("/metadata/resourceVersion") != seen.pointer("/metadata/resourceVersion") {
            return;
        }
        let api_version = entry
            .object
            .get("apiVersion")
            .and_then(Value::as_str)
            .unwrap_or("v1")
            .to_string();
        let kind = entry
            .object
            .get("kind")
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_string();
        let (group, version) = api_version.split_once('/').unwrap_or(("", &api_version));
        let Some(rt) = state.registry.by_kind(group, version, &kind).cloned() else {
            return;
        };
        let mut new = entry.object.clone();
        new["status"] = status;
        let options = WriteOptions {
            manager: "kube-controller-manager".into(),
            status: true,
            ..WriteOptions::default()
        };
        // A failed simulated write is retried on the next tick.
        let _ = self.commit(&mut state, &rt, key, new, &options, true);
    }

    /// Removes an object for good: DELETED event, CRD and namespace side effects.
    pub(super) fn remove(&self, state: &mut State, key: &ObjKey, mut object: Value) -> Value {
        state.objects.remove(key);
        state.rv += 1;
        let rv = state.rv;
        object["metadata"]["resourceVersion"] = json!(rv.to_string());
        self.emit(
            state,
            Event {
                rv,
                key: key.clone(),
                kind: "DELETED",
                object: object.clone(),
            },
        );
        if key.group == "apiextensions.k8s.io" && key.plural == "customresourcedefinitions" {
            Arc::make_mut(&mut state.registry).unregister_crd(&object);
            let group = object
                .pointer("/spec/group")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_string();
            let plural = object
                .pointer("/spec/names/plural")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_string();
            let doomed: Vec<(ObjKey, Value)> = state
                .objects
                .iter()
                .filter(|(k, _)| k.group == group && k.plural == plural)
                .map(|(k, e)| (k.clone(), e.object.clone()))
                .collect();
            for (k, o) in doomed {
                self.remove(state, &k, o);
            }
        }
        if !key.namespace.is_empty() {
            self.finish_namespace(state, &key.namespace);
        }
        object
    }
}

impl State {
    /// A namespaced write needs an existing namespace that is not terminating.
    pub(super) fn check_namespace_writable(&self, rt: &ResourceType, namespace: &str) -> ApiResult<()> {
        if !rt.namespaced {
            return Ok(());
        }
        let key = ObjKey {
            group: String::new(),
            plural: "namespaces".into(),
            namespace: String::new(),
            name: namespace.into(),
        };
        match self.objects.get(&key) {
            None => Err(ApiError::not_found("namespaces", namespace)),
            Some(ns) if ns.object.pointer("/metadata/deletionTimestamp").is_some() => Err(ApiError::new(
                403,
                "Forbidden",
                format!(
                    "unable to create new content in namespace {namespace} because it is being terminated"
                ),
            )),
            Some(_) => Ok(()),
        }
    }
}

fn invalid_name(rt: &ResourceType, name: &str, message: &str) -> ApiError {
    ApiError::invalid(
        &rt.kind,
        &rt.group,
        name,
        &[("metadata.name", format!("Invalid value: {name:?}: {message}"))],
    )
}

/// Fills a missing apiVersion/kind and rejects a body of another type (400).
fn check_type(rt: &ResourceType, body: &mut Value) -> ApiResult<()> {
    let Some(map) = body.as_object_mut() else {
        return Err(ApiError::bad_request(
            "the body of the request must be a JSON object",
        ));
    };
    let api_version = rt.api_version();
    match map.get("apiVersion").and_then(Value::as_str) {
        None | Some("") => {
            map.insert("apiVersion".into(), json!(api_version));
        }
        Some(v) if v == api_version => {}
        Some(v) if rt.custom && v.split_once('/').is_some_and(|(g, _)| g == rt.group) => {
            map.insert("apiVersion".into(), json!(api_version));
        }
        Some(v) => {
            return Err(ApiError::bad_request(format!(
                "the API version in the data ({v}) does not match the expected API version ({api_version})"
            )));
        }
    }
    match map.get("kind").and_then(Value::as_str) {
        None | Some("") => {
            map.insert("kind".into(), json!(rt.kind));
        }
        Some(k) if k == rt.kind => {}
        Some(k) => {
            return Err(ApiError::bad_request(format!(
                "the kind in the data ({k}) does not match the expected kind ({})",
                rt.kind
            )));
        }
    }
    if !map.get("metadata").is_none_or(Value::is_object) {
        return Err(ApiError::bad_request("metadata must be an object"));
    }
    map.entry("metadata").or_insert_with(|| json!({}));
    Ok(())
}

/// Sets the namespace from the URL; a different one in the body is a 400.
fn check_namespace(rt: &ResourceType, namespace: &str, body: &mut Value) -> ApiResult<()> {
    let metadata = body
        .get_mut("metadata")
        .and_then(Value::as_object_mut)
        .ok_or_else(|| ApiError::bad_request("metadata must be an object"))?;
    if !rt.namespaced {
        metadata.remove("namespace");
        return Ok(());
    }
    match metadata.get("namespace").and_then(Value::as_str) {
        Some(ns) if !ns.is_empty() && ns != namespace => Err(ApiError::bad_request(
            "the namespace of the provided object does not match the namespace sent on the request",
        )),
        _ => {
            metadata.insert("namespace".into(), json!(namespace));
            Ok(())
        }
    }
}

fn check_resource_version(rt: &ResourceType, old: &Value, new: &Value) -> ApiResult<()> {
    match new.pointer("/metadata/resourceVersion").and_then(Value::as_str) {
        Some(rv)
            if !rv.is_empty()
                && Some(rv) != old.pointer("/metadata/resourceVersion").and_then(Value::as_str) =>
        {
            let name = old
                .pointer("/metadata/name")
                .and_then(Value::as_str)
                .unwrap_or_default();
            Err(ApiError::stale(&rt.qualified(), name))
        }
        _ => Ok(()),
    }
}

/// Metadata only the server sets: ignored in requests, carried over from the stored object.
const SERVER_METADATA: [&str; 6] = [
    "uid",
    "creationTimestamp",
    "deletionTimestamp",
    "deletionGracePeriodSeconds",
    "resourceVersion",
    "generation",
];

/// uid, creationTimestamp, deletion fields and resourceVersion come from the server.
fn system_metadata(rt: &ResourceType, key: &ObjKey, old: Option<&Value>, new: &mut Value) {
    let metadata = meta::child_object(new, "metadata");
    metadata.insert("name".into(), json!(key.name));
    for field in SERVER_METADATA.into_iter().chain(["selfLink"]) {
        metadata.remove(field);
    }
    if let Some(old) = old {
        for field in SERVER_METADATA {
            if let Some(value) = old.pointer(&format!("/metadata/{field}")) {
                metadata.insert(field.into(), value.clone());
            }
        }
    } else {
        metadata.insert("uid".into(), json!(meta::new_uid()));
        metadata.insert("creationTimestamp".into(), json!(meta::now()));
        defaults_on_create(rt, new);
    }
}

/// The few defaults the emulator applies on create: Service type and clusterIP, Namespace
/// finalizer and phase.
fn defaults_on_create(rt: &ResourceType, new: &mut Value) {
    match (rt.group.as_str(), rt.kind.as_str()) {
        ("", "Service") => {
            let spec = meta::child_object(new, "spec");
            let service_type = spec.entry("type").or_insert_with(|| json!("ClusterIP")).clone();
            if service_type != "ExternalName"
                && spec
                    .get("clusterIP")
                    .and_then(Value::as_str)
                    .is_none_or(str::is_empty)
            {
                let mut rng = rand::rng();
                let ip = format!(
                    "10.96.{}.{}",
                    rng.random_range(0..=255),
                    rng.random_range(1..=254)
                );
                spec.insert("clusterIP".into(), json!(ip));
                spec.insert("clusterIPs".into(), json!([ip]));
            }
        }
        ("", "Namespace") => {
            new["spec"] = json!({"finalizers": ["kubernetes"]});
            new["status"] = json!({"phase": "Active"});
        }
        _ => {}
    }
}

/// Validation the API server performs: required selectors, immutable fields.
fn validate(rt: &ResourceType, old: Option<&Value>, new: &mut Value) -> ApiResult<()> {
    let name = new
        .pointer("/metadata/name")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string();
    let mut causes: Vec<(&str, String)> = Vec::new();
    match (rt.group.as_str(), rt.kind.as_str()) {
        ("apps", "Deployment" | "ReplicaSet" | "StatefulSet" | "DaemonSet") => {
            let selector = new.pointer("/spec/selector");
            match selector
                .and_then(|s| s.get("matchLabels"))
                .and_then(Value::as_object)
            {
                None if selector.is_none() => causes.push(("spec.selector", "Required value".into())),
                Some(match_labels) => {
                    let labels = new
                        .pointer("/spec/template/metadata/labels")
                        .and_then(Value::as_object);
                    let ok = match_labels
                        .iter()
                        .all(|(k, v)| labels.and_then(|l| l.get(k)) == Some(v));
                    if !ok {
                        causes.push((
                            "spec.template.metadata.labels",
                            format!(
                                "Invalid value: {}: `selector` does not match template `labels`",
                                labels.map_or("null".into(), |l| Value::Object(l.clone()).to_string())
                            ),
                        ));
                    }
                }
                None => {}
            }
        }
        ("", "Service") => {
            if let Some(old) = old {
                let old_ip = old.pointer("/spec/clusterIP").cloned();
                {
                    let spec = meta::child_object(new, "spec");
                    if spec
                        .get("clusterIP")
                        .and_then(Value::as_str)
                        .is_none_or(str::is_empty)
                        && let Some(ip) = &old_ip
                    {
                        spec.insert("clusterIP".into(), ip.clone());
                        if let Some(ips) = old.pointer("/spec/clusterIPs") {
                            spec.entry("clusterIPs").or_insert_with(|| ips.clone());
                        }
                    }
                }
            }
        }
        _ => {}
    }
    // The immutable fields: one table with the in-memory cluster (gitops_apply::immutable).
    let refused = old.map(|old| gitops_apply::immutable::changes(&rt.group, &rt.kind, old, new));
    for change in refused.iter().flatten() {
        causes.push((change.field.as_str(), change.detail.clone()));
    }
    if causes.is_empty() {
        Ok(())
    } else {
        Err(ApiError::invalid(&rt.kind, &rt.group, &name, &causes))
    }
}

/// Sets `apiVersion`, `time` and `subresource` on the writer's managedFields entry.
fn stamp_managed_fields(object: &mut Value, rt: &ResourceType, options: &WriteOptions) {
    let Some(entries) = object
        .pointer_mut("/metadata/managedFields")
        .and_then(Value::as_array_mut)
    else {
        return;
    };
    for entry in entries.iter_mut() {
        let Some(map) = entry.as_object_mut() else {
            continue;
        };
        if map.get("manager").and_then(Value::as_str) != Some(options.manager.as_str()) {
            continue;
        }
        map.entry("apiVersion").or_insert_with(|| json!(rt.api_version()));
        map.entry("time").or_insert_with(|| json!(meta::now()));
        if options.status {
            map.insert("subresource".into(), json!("status"));
        }
    }
}

/// The object without what changes on every write (resourceVersion, managedFields times), for
/// no-op detection.
fn comparable(object: &Value) -> Value {
    let mut object = object.clone();
    if let Some(metadata) = object.get_mut("metadata").and_then(Value::as_object_mut) {
        metadata.remove("resourceVersion");
        if let Some(entries) = metadata.get_mut("managedFields").and_then(Value::as_array_mut) {
            for entry in entries.iter_mut().filter_map(Value::as_object_mut) {
                entry.remove("time");
            }
        }
    }
    object
}

/// Everything but metadata and status: what `generation` tracks.
fn spec_of(object: &Value) -> Map<String, Value> {
    let mut map = object.as_object().cloned().unwrap_or_default();
    for field in ["metadata", "status", "apiVersion", "kind"] {
        map.remove(field);
    }
    map
}
