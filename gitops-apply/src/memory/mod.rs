//! [`InMemoryCluster`]: a simulated Kubernetes cluster in process memory.

mod store;

use std::{
    sync::Mutex,
    time::{Duration, Instant, SystemTime},
};

use async_trait::async_trait;
use gitops_core::{GroupKind, GroupVersionKind, Manifest, ResourceKey};
use serde_json::{Value, json};

use crate::{
    ApiResource, Applier, ApplyOptions, DeleteOptions, Error, LabelSelector, Result,
    kinds::{builtin_api_resources, crd_api_resources},
    simulation::{SimulationOptions, format_rfc3339, simulated_status},
};
use store::State;

/// Options of an [`InMemoryCluster`].
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct InMemoryOptions {
    /// Run the simulated controllers of [`crate::simulation`]. Default `true`.
    pub simulate_controllers: bool,
    /// Options of the simulated controllers.
    pub simulation: SimulationOptions,
    /// Namespaces that exist from the start. Default `default`, `kube-system`, `kube-public`.
    pub namespaces: Vec<String>,
}

impl Default for InMemoryOptions {
    fn default() -> Self {
        Self {
            simulate_controllers: true,
            simulation: SimulationOptions::default(),
            namespaces: vec!["default".into(), "kube-system".into(), "kube-public".into()],
        }
    }
}

impl InMemoryOptions {
    /// Sets [`InMemoryOptions::simulate_controllers`].
    #[must_use]
    pub fn simulate_controllers(mut self, on: bool) -> Self {
        self.simulate_controllers = on;
        self
    }

    /// Sets the delay after which simulated workloads become ready.
    #[must_use]
    pub fn ready_after(mut self, delay: Duration) -> Self {
        self.simulation.ready_after = delay;
        self
    }
}

/// A Kubernetes cluster simulated in memory: the default backend of the reconcile example and
/// of the sync engine's tests.
///
/// **It is a simulation.** It keeps objects like an API server does (uid, monotonically increasing
/// `resourceVersion`, `generation` bumped on spec changes only, `creationTimestamp`,
/// `managedFields`), enforces scope and namespace existence, implements server-side apply with
/// field ownership and conflicts, registers the kinds of applied CustomResourceDefinitions, and
/// runs the simulated controllers of [`crate::simulation`] so workloads go Progressing then
/// Healthy. Nothing runs: there are no Pods, nodes or networks. Deleting a Namespace deletes the
/// objects in it; objects with finalizers get a `deletionTimestamp` and stay until their
/// finalizers are removed.
///
/// ```
/// # tokio_test_block(async {
/// use gitops_apply::{Applier, ApplyOptions, InMemoryCluster};
/// let cluster = InMemoryCluster::new();
/// let cm = serde_json::json!({"apiVersion": "v1", "kind": "ConfigMap",
///     "metadata": {"name": "cfg", "namespace": "default"}, "data": {"a": "1"}});
/// let live = cluster.apply(&cm, &ApplyOptions::default()).await.unwrap();
/// assert_eq!(live["metadata"]["generation"], 1);
/// assert!(live["metadata"]["uid"].is_string());
/// assert_eq!(cluster.write_count(), 1);
/// # });
/// # fn tokio_test_block(f: impl std::future::Future<Output = ()>) {
/// #     futures::executor::block_on(f)
/// # }
/// ```
#[derive(Debug)]
pub struct InMemoryCluster {
    state: Mutex<State>,
    options: InMemoryOptions,
}

impl Default for InMemoryCluster {
    fn default() -> Self {
        Self::with_options(InMemoryOptions::default())
    }
}

impl InMemoryCluster {
    /// A cluster with the default options.
    pub fn new() -> Self {
        Self::default()
    }

    /// A cluster with these options.
    pub fn with_options(options: InMemoryOptions) -> Self {
        let mut state = State::new(builtin_api_resources());
        for ns in &options.namespaces {
            let object = json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": ns}});
            state.insert_new(namespace_key(ns), object, Instant::now());
        }
        Self {
            state: Mutex::new(state),
            options,
        }
    }

    /// Number of writes clients made (creates, changing applies, deletes, direct edits);
    /// applies that change nothing and status updates of the simulated controllers do not count.
    pub fn write_count(&self) -> u64 {
        self.lock().writes
    }

    /// Changes a live object behind the sync engine's back, as `kubectl edit` would: `edit`
    /// receives the stored object and may change it. The write is recorded under field manager
    /// `manager` as an Update operation. Returns `false` when the object does not exist.
    pub fn edit(&self, key: &ResourceKey, manager: &str, edit: impl FnOnce(&mut Value)) -> bool {
        let mut state = self.lock();
        let Some(stored) = state.objects.get(key) else {
            return false;
        };
        let mut object = stored.object.clone();
        edit(&mut object);
        state.write_update(key, &object, manager, Instant::now());
        true
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        // A panic while holding the lock cannot leave the map half-written (every mutation is a
        // single insert/remove), so a poisoned lock is still consistent.
        self.state
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Brings the status written by the simulated controllers up to date for one object.
    /// Stores a new object (create, or a replace of an absent one): what the client may not
    /// set is dropped, `options.field_manager` records an Update, a CRD's kinds become served.
    /// Returns the stored object (the preview under `options.dry_run`).
    fn insert_created(
        &self,
        state: &mut State,
        key: &ResourceKey,
        mut config: Value,
        options: &ApplyOptions,
    ) -> Value {
        strip_client_fields(&mut config);
        let created = gitops_diff::merge::update(None, &config, &options.field_manager).object;
        if options.dry_run {
            return state.preview(key, created, SystemTime::now());
        }
        let result = state.write_apply(key, created, Instant::now());
        register_crd(state, key, &result);
        self.refresh_status(state, key);
        state.objects.get(key).map_or(result, |s| s.object.clone())
    }

    fn refresh_status(&self, state: &mut State, key: &ResourceKey) {
        if !self.options.simulate_controllers {
            return;
        }
        let Some(stored) = state.objects.get_mut(key) else {
            return;
        };
        let since = stored.spec_changed_at.elapsed();
        if let Some(status) = simulated_status(&stored.object, since, &self.options.simulation)
            && stored.object.get("status") != Some(&status)
        {
            state.resource_version += 1;
            stored.object["status"] = status;
            stored.object["metadata"]["resourceVersion"] = Value::String(state.resource_version.to_string());
        }
    }
}

#[async_trait]
impl Applier for InMemoryCluster {
    async fn api_resource(&self, gvk: &GroupVersionKind) -> Result<ApiResource> {
        let state = self.lock();
        resolve(&state, gvk)
    }

    async fn api_resources(&self) -> Result<Vec<ApiResource>> {
        Ok(self.lock().kinds.values().cloned().collect())
    }

    async fn get(
        &self,
        gvk: &GroupVersionKind,
        namespace: Option<&str>,
        name: &str,
    ) -> Result<Option<Value>> {
        let mut state = self.lock();
        let resource = resolve(&state, gvk)?;
        let key = ResourceKey::new(
            gvk.group.clone(),
            gvk.kind.clone(),
            namespace.filter(|_| resource.namespaced),
            name,
        );
        self.refresh_status(&mut state, &key);
        Ok(state.objects.get(&key).map(|s| s.object.clone()))
    }

    async fn list(
        &self,
        gvk: &GroupVersionKind,
        namespace: Option<&str>,
        label_selector: Option<&str>,
    ) -> Result<Vec<Value>> {
        let selector = LabelSelector::parse(label_selector.unwrap_or(""))?;
        let mut state = self.lock();
        resolve(&state, gvk)?;
        let keys: Vec<ResourceKey> = state
            .objects
            .iter()
            .filter(|(k, _)| k.group == gvk.group && k.kind == gvk.kind)
            .filter(|(k, _)| namespace.is_none() || k.namespace.as_deref() == namespace)
            .filter(|(_, s)| selector.matches_object(&s.object))
            .map(|(k, _)| k.clone())
            .collect();
        let mut out = Vec::with_capacity(keys.len());
        for key in keys {
            self.refresh_status(&mut state, &key);
            if let Some(s) = state.objects.get(&key) {
                out.push(s.object.clone());
            }
        }
        Ok(out)
    }

    async fn apply(&self, object: &Value, options: &ApplyOptions) -> Result<Value> {
        let manifest = Manifest::from_value(object.clone()).map_err(Error::Manifest)?;
        let mut state = self.lock();
        let resource = resolve(&state, manifest.gvk())?;
        let key = manifest.key();
        check_scope(&state, &key, resource.namespaced)?;
        let now = Instant::now();
        let live = state.objects.get(&key).map(|s| s.object.clone());
        let mut config = object.clone();
        if let Some(map) = config.as_object_mut() {
            // The main resource ignores status; the status subresource is written by controllers.
            map.remove("status");
        }
        let merged = store::server_side_apply(live.as_ref(), &config, &options.field_manager, options.force)
            .map_err(|conflicts| Error::Conflict {
                key: key.clone(),
                conflicts,
            })?;
        if let Some(live) = &live {
            crate::immutable::check(&key, live, &merged)?;
        }
        if options.dry_run {
            return Ok(state.preview(&key, merged, SystemTime::now()));
        }
        let result = state.write_apply(&key, merged, now);
        register_crd(&mut state, &key, &result);
        self.refresh_status(&mut state, &key);
        Ok(state.objects.get(&key).map_or(result, |s| s.object.clone()))
    }

    async fn create(&self, object: &Value, options: &ApplyOptions) -> Result<Value> {
        let (gvk, mut key, generated) = crate::applier::create_target(object)?;
        let mut state = self.lock();
        let resource = resolve(&state, &gvk)?;
        if !resource.namespaced {
            key.namespace = None;
        }
        check_scope(&state, &key, resource.namespaced)?;
        let mut config = object.clone();
        if generated {
            // The API server's generateName: the prefix plus 5 characters, retried until free.
            let prefix = std::mem::take(&mut key.name);
            let mut n = state.writes + state.objects.len() as u64;
            loop {
                key.name = crate::simulation::generated_name(&prefix, n);
                if !state.objects.contains_key(&key) {
                    break;
                }
                n += 1;
            }
            config["metadata"]["name"] = Value::String(key.name.clone());
        } else if state.objects.contains_key(&key) {
            return Err(Error::AlreadyExists { key });
        }
        Ok(self.insert_created(&mut state, &key, config, options))
    }

    async fn replace(&self, object: &Value, options: &ApplyOptions) -> Result<Value> {
        let manifest = Manifest::from_value(object.clone()).map_err(Error::Manifest)?;
        let mut state = self.lock();
        let resource = resolve(&state, manifest.gvk())?;
        let key = manifest.key();
        check_scope(&state, &key, resource.namespaced)?;
        let Some(live) = state.objects.get(&key).map(|s| s.object.clone()) else {
            return Ok(self.insert_created(&mut state, &key, object.clone(), options));
        };
        let mut config = object.clone();
        strip_client_fields(&mut config);
        crate::immutable::check(&key, &live, &config)?;
        if options.dry_run {
            return Ok(state.preview(&key, config, SystemTime::now()));
        }
        state.write_update(&key, &config, &options.field_manager, Instant::now());
        let stored = state.objects.get(&key).map_or(config, |s| s.object.clone());
        register_crd(&mut state, &key, &stored);
        self.refresh_status(&mut state, &key);
        Ok(state.objects.get(&key).map_or(stored, |s| s.object.clone()))
    }

    async fn delete(
        &self,
        gvk: &GroupVersionKind,
        namespace: Option<&str>,
        name: &str,
        options: &DeleteOptions,
    ) -> Result<bool> {
        let mut state = self.lock();
        let resource = resolve(&state, gvk)?;
        let key = ResourceKey::new(
            gvk.group.clone(),
            gvk.kind.clone(),
            namespace.filter(|_| resource.namespaced),
            name,
        );
        if !state.objects.contains_key(&key) {
            return Ok(false);
        }
        if options.dry_run {
            return Ok(true);
        }
        let removed = state.delete(&key, &format_rfc3339(SystemTime::now()));
        if let Some(crd) = removed.filter(|_| is_crd(&key)) {
            for r in crd_api_resources(&crd).unwrap_or_default() {
                let gk: GroupKind = r.gvk.group_kind();
                if !builtin_api_resources().iter().any(|b| b.gvk.group_kind() == gk) {
                    state.kinds.remove(&gk);
                }
            }
        }
        Ok(true)
    }
}

fn resolve(state: &State, gvk: &GroupVersionKind) -> Result<ApiResource> {
    state
        .kinds
        .get(&gvk.group_kind())
        .cloned()
        .ok_or_else(|| Error::UnknownKind { gvk: gvk.clone() })
}

fn is_crd(key: &ResourceKey) -> bool {
    key.group == "apiextensions.k8s.io" && key.kind == "CustomResourceDefinition"
}

fn namespace_key(name: &str) -> ResourceKey {
    ResourceKey::new("", "Namespace", None, name)
}

/// Drops what a create or replace request may not set: `status` (a subresource),
/// `metadata.managedFields` and `metadata.resourceVersion` (the server's).
fn strip_client_fields(object: &mut Value) {
    if let Some(map) = object.as_object_mut() {
        map.remove("status");
    }
    if let Some(meta) = object.get_mut("metadata").and_then(Value::as_object_mut) {
        meta.remove("managedFields");
        meta.remove("resourceVersion");
    }
}

/// Serves the kinds a CustomResourceDefinition `object` (stored under `key`) defines.
fn register_crd(state: &mut State, key: &ResourceKey, object: &Value) {
    if is_crd(key) {
        for r in crd_api_resources(object).unwrap_or_default() {
            state.kinds.insert(r.gvk.group_kind(), r);
        }
    }
}

fn check_scope(state: &State, key: &ResourceKey, namespaced: bool) -> Result<()> {
    match (&key.namespace, namespaced) {
        (None, true) => Err(Error::Invalid {
            key: key.clone(),
            message: "namespaced object without a namespace".into(),
        }),
        (Some(ns), false) => Err(Error::Invalid {
            key: key.clone(),
            message: format!("cluster-scoped object must not have a namespace (got {ns:?})"),
        }),
        (Some(ns), true) if !state.objects.contains_key(&namespace_key(ns)) => {
            Err(Error::NamespaceNotFound {
                key: key.clone(),
                namespace: ns.clone(),
            })
        }
        _ => Ok(()),
    }
}
