//! The live-state cache of a [`KubeApplier`](super::KubeApplier): one kube-runtime watcher per
//! watched kind keeps the objects in memory, normalized, so reads of those kinds make no
//! request; changes made by others bump a counter callers can wait on.

use std::{
    collections::{BTreeMap, BTreeSet, HashMap},
    sync::{Arc, RwLock},
};

use ::kube::{
    Api,
    core::DynamicObject,
    runtime::{WatchStreamExt as _, watcher},
};
use futures::StreamExt as _;
use gitops_core::GroupKind;
use serde_json::Value;

use crate::LabelSelector;

/// The cached objects of one kind, keyed by (namespace, name).
#[derive(Debug, Default)]
struct KindStore {
    /// The selector the watch uses (text and parsed); `None` watches every object of the kind.
    selector: Option<(String, LabelSelector)>,
    /// Whether the initial list completed (before that, reads go to the API server).
    synced: bool,
    objects: BTreeMap<(String, String), Value>,
    /// Objects collected during a (re)list, swapped in at `InitDone`.
    pending: Option<BTreeMap<(String, String), Value>>,
    /// Objects the applier asked to delete: their deletion events are not changes by others.
    deleting: BTreeSet<(String, String)>,
}

/// What a cache lookup answers.
#[derive(Debug, PartialEq)]
pub(super) enum Cached<T> {
    /// The cache knows the answer.
    Hit(T),
    /// Ask the API server (kind not watched, not synced yet, or outside the watch's selector).
    Miss,
}

/// Every watched kind.
#[derive(Debug)]
pub(super) struct LiveCache {
    kinds: RwLock<HashMap<GroupKind, Arc<RwLock<KindStore>>>>,
    /// Counts changes of cached objects not made through this applier (see [`LiveCache::changes`]).
    changes: Arc<tokio::sync::watch::Sender<u64>>,
}

impl Default for LiveCache {
    fn default() -> Self {
        Self {
            kinds: RwLock::default(),
            changes: Arc::new(tokio::sync::watch::Sender::new(0)),
        }
    }
}

/// `metadata.managedFields[]` keys the cache drops: the time of a manager's last write changes
/// on every write and nothing reads it.
const VOLATILE_MANAGED_FIELDS: &[&str] = &["time"];

/// `status.conditions[]` keys the cache drops: heartbeat and probe times change without a state
/// change (Node- and Pod-style conditions) and neither the diff nor health assessment reads them.
const VOLATILE_CONDITION_FIELDS: &[&str] = &["lastHeartbeatTime", "lastProbeTime"];

/// Normalizes a live object for the cache: drops what changes without meaning and what
/// nothing reads — `metadata.selfLink`, the `time` of each `managedFields` entry, heartbeat and
/// probe times of `status.conditions` — and sets `apiVersion` and `kind` (which watch events of
/// a dynamic API may omit). Everything the sync engine reads stays: spec and data, labels and
/// annotations (including kubectl's last-applied configuration, needed by three-way diffs and
/// client-side-apply migration), `resourceVersion`, `generation`, `deletionTimestamp`, the
/// field sets of `managedFields` (structured-merge comparison) and `status` (health).
pub(crate) fn normalize_live(object: &mut Value, api_version: &str, kind: &str) {
    let Value::Object(map) = object else { return };
    map.entry("apiVersion")
        .or_insert_with(|| Value::String(api_version.to_owned()));
    map.entry("kind")
        .or_insert_with(|| Value::String(kind.to_owned()));
    if let Some(Value::Object(meta)) = map.get_mut("metadata") {
        meta.remove("selfLink");
        if let Some(Value::Array(entries)) = meta.get_mut("managedFields") {
            for entry in entries.iter_mut().filter_map(Value::as_object_mut) {
                for f in VOLATILE_MANAGED_FIELDS {
                    entry.remove(*f);
                }
            }
        }
    }
    if let Some(Value::Array(conditions)) = map.get_mut("status").and_then(|s| s.get_mut("conditions")) {
        for condition in conditions.iter_mut().filter_map(Value::as_object_mut) {
            for f in VOLATILE_CONDITION_FIELDS {
                condition.remove(*f);
            }
        }
    }
}

fn resource_version(object: &Value) -> Option<&str> {
    object
        .pointer("/metadata/resourceVersion")
        .and_then(Value::as_str)
}

fn id(object: &Value) -> (String, String) {
    let meta = |f: &str| {
        object
            .pointer(&format!("/metadata/{f}"))
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned()
    };
    (meta("namespace"), meta("name"))
}

fn read<T>(lock: &RwLock<T>) -> std::sync::RwLockReadGuard<'_, T> {
    lock.read().unwrap_or_else(std::sync::PoisonError::into_inner)
}

fn write<T>(lock: &RwLock<T>) -> std::sync::RwLockWriteGuard<'_, T> {
    lock.write().unwrap_or_else(std::sync::PoisonError::into_inner)
}

impl LiveCache {
    /// A receiver of the change counter: it is bumped whenever a watch event adds, changes or
    /// deletes a cached object and the cache did not already hold that state (writes made through
    /// the applier are recorded first, so their own watch events do not count).
    pub(super) fn changes(&self) -> tokio::sync::watch::Receiver<u64> {
        self.changes.subscribe()
    }

    /// Registers `kind` and returns its store, or `None` when it is already watched.
    fn register(
        &self,
        kind: GroupKind,
        selector: Option<(String, LabelSelector)>,
    ) -> Option<Arc<RwLock<KindStore>>> {
        let mut kinds = write(&self.kinds);
        if kinds.contains_key(&kind) {
            return None;
        }
        let store = Arc::new(RwLock::new(KindStore {
            selector,
            ..KindStore::default()
        }));
        kinds.insert(kind, Arc::clone(&store));
        Some(store)
    }

    fn store(&self, kind: &GroupKind) -> Option<Arc<RwLock<KindStore>>> {
        read(&self.kinds).get(kind).cloned()
    }

    /// Whether `kind` is watched and its initial list is complete.
    pub(super) fn is_synced(&self, kind: &GroupKind) -> bool {
        self.store(kind).is_some_and(|s| read(&s).synced)
    }

    /// `get` from the cache: a miss for objects the watch's selector may exclude.
    pub(super) fn get(&self, kind: &GroupKind, namespace: Option<&str>, name: &str) -> Cached<Option<Value>> {
        let Some(store) = self.store(kind) else {
            return Cached::Miss;
        };
        let store = read(&store);
        if !store.synced {
            return Cached::Miss;
        }
        match store
            .objects
            .get(&(namespace.unwrap_or_default().to_owned(), name.to_owned()))
        {
            Some(object) => Cached::Hit(Some(object.clone())),
            None if store.selector.is_none() => Cached::Hit(None),
            None => Cached::Miss,
        }
    }

    /// `list` from the cache: answered when the watch covers every object the request selects
    /// (it watches the whole kind, or uses exactly this selector). `filter` is `selector` as the
    /// caller parsed it.
    pub(super) fn list(
        &self,
        kind: &GroupKind,
        namespace: Option<&str>,
        selector: Option<&str>,
        filter: &LabelSelector,
    ) -> Cached<Vec<Value>> {
        let Some(store) = self.store(kind) else {
            return Cached::Miss;
        };
        let store = read(&store);
        let requested = selector.map(str::trim).filter(|s| !s.is_empty());
        let watched = store.selector.as_ref().map(|(text, _)| text.as_str());
        if !store.synced || (watched.is_some() && watched != requested) {
            return Cached::Miss;
        }
        Cached::Hit(
            store
                .objects
                .iter()
                .filter(|((ns, _), _)| namespace.is_none_or(|n| n == ns))
                .filter(|(_, o)| filter.matches_object(o))
                .map(|(_, o)| o.clone())
                .collect(),
        )
    }

    /// Records an object the applier just wrote, if its kind is watched and it matches the
    /// watch's selector, so a read right after a write sees it.
    pub(super) fn written(&self, kind: &GroupKind, object: &Value) {
        let Some(store) = self.store(kind) else {
            return;
        };
        let api_version = object
            .get("apiVersion")
            .and_then(Value::as_str)
            .unwrap_or_default();
        let mut object = object.clone();
        normalize_live(&mut object, api_version, &kind.kind);
        let mut store = write(&store);
        let selected = store
            .selector
            .as_ref()
            .is_none_or(|(_, filter)| filter.matches_object(&object));
        if store.synced && selected {
            store.objects.insert(id(&object), object);
        }
    }

    /// Records that the applier is deleting an object, so the watch events of its deletion
    /// (deletionTimestamp set, then gone) do not count as changes by others.
    pub(super) fn deleting(&self, kind: &GroupKind, namespace: Option<&str>, name: &str) {
        if let Some(store) = self.store(kind) {
            write(&store)
                .deleting
                .insert((namespace.unwrap_or_default().to_owned(), name.to_owned()));
        }
    }
}

/// Starts the watcher of one kind; the returned task runs until aborted.
pub(super) fn spawn(
    cache: &LiveCache,
    kind: GroupKind,
    api: Api<DynamicObject>,
    selector: Option<(&str, LabelSelector)>,
    api_version: String,
) -> Option<tokio::task::JoinHandle<()>> {
    let mut config = watcher::Config::default();
    if let Some((text, _)) = &selector {
        config = config.labels(text);
    }
    let store = cache.register(
        kind.clone(),
        selector.map(|(text, filter)| (text.to_owned(), filter)),
    )?;
    let changes = Arc::clone(&cache.changes);
    Some(tokio::spawn(async move {
        let mut events = watcher(api, config).default_backoff().boxed();
        while let Some(event) = events.next().await {
            let event = match event {
                Ok(event) => event,
                Err(error) => {
                    // The backoff restarts the watch; until InitDone the old objects still serve.
                    tracing::debug!(kind = %kind.kind, "watch of the live-state cache failed: {error}");
                    continue;
                }
            };
            let to_value = |object: DynamicObject| {
                let mut value = serde_json::to_value(object).unwrap_or(Value::Null);
                normalize_live(&mut value, &api_version, &kind.kind);
                value
            };
            let mut store = write(&store);
            match event {
                watcher::Event::Init => store.pending = Some(BTreeMap::new()),
                watcher::Event::InitApply(object) => {
                    let value = to_value(object);
                    store
                        .pending
                        .get_or_insert_with(BTreeMap::new)
                        .insert(id(&value), value);
                }
                watcher::Event::InitDone => {
                    let objects = store.pending.take().unwrap_or_default();
                    // A relist (after a broken watch) that finds another state is a change too.
                    let changed = store.synced && objects != store.objects;
                    store.objects = objects;
                    store.synced = true;
                    if changed {
                        changes.send_modify(|n| *n += 1);
                    }
                }
                watcher::Event::Apply(object) => {
                    let value = to_value(object);
                    let id = id(&value);
                    let known = store.deleting.contains(&id)
                        || store
                            .objects
                            .get(&id)
                            .is_some_and(|old| resource_version(old) == resource_version(&value));
                    store.objects.insert(id, value);
                    if !known {
                        changes.send_modify(|n| *n += 1);
                    }
                }
                watcher::Event::Delete(object) => {
                    let value = to_value(object);
                    let id = id(&value);
                    let ours = store.deleting.remove(&id);
                    if store.objects.remove(&id).is_some() && !ours {
                        changes.send_modify(|n| *n += 1);
                    }
                }
            }
        }
    }))
}
