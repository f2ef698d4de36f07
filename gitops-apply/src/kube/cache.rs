//! The live-state cache of a [`KubeApplier`](super::KubeApplier): one kube-runtime watcher per
//! watched kind keeps the objects in memory, so reads of those kinds make no request.

use std::{
    collections::{BTreeMap, HashMap},
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
    /// The selector the watch uses; `None` watches every object of the kind.
    selector: Option<String>,
    /// Whether the initial list completed (before that, reads go to the API server).
    synced: bool,
    objects: BTreeMap<(String, String), Value>,
    /// Objects collected during a (re)list, swapped in at `InitDone`.
    pending: Option<BTreeMap<(String, String), Value>>,
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
#[derive(Debug, Default)]
pub(super) struct LiveCache {
    kinds: RwLock<HashMap<GroupKind, Arc<RwLock<KindStore>>>>,
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
    /// Registers `kind` and returns its store, or `None` when it is already watched.
    fn register(&self, kind: GroupKind, selector: Option<String>) -> Option<Arc<RwLock<KindStore>>> {
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
    /// (it watches the whole kind, or uses exactly this selector).
    pub(super) fn list(
        &self,
        kind: &GroupKind,
        namespace: Option<&str>,
        selector: Option<&str>,
    ) -> Cached<Vec<Value>> {
        let Some(store) = self.store(kind) else {
            return Cached::Miss;
        };
        let store = read(&store);
        let requested = selector.map(str::trim).filter(|s| !s.is_empty());
        if !store.synced || (store.selector.is_some() && store.selector.as_deref() != requested) {
            return Cached::Miss;
        }
        let Ok(filter) = LabelSelector::parse(requested.unwrap_or("")) else {
            return Cached::Miss;
        };
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
        let mut store = write(&store);
        let selected = store
            .selector
            .as_deref()
            .is_none_or(|s| LabelSelector::parse(s).is_ok_and(|sel| sel.matches_object(object)));
        if store.synced && selected {
            store.objects.insert(id(object), object.clone());
        }
    }
}

/// Starts the watcher of one kind; the returned task runs until aborted.
pub(super) fn spawn(
    cache: &LiveCache,
    kind: GroupKind,
    api: Api<DynamicObject>,
    selector: Option<&str>,
    api_version: String,
) -> Option<tokio::task::JoinHandle<()>> {
    let store = cache.register(kind.clone(), selector.map(str::to_owned))?;
    let mut config = watcher::Config::default();
    if let Some(selector) = selector {
        config = config.labels(selector);
    }
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
                if let Value::Object(map) = &mut value {
                    map.entry("apiVersion")
                        .or_insert_with(|| Value::String(api_version.clone()));
                    map.entry("kind")
                        .or_insert_with(|| Value::String(kind.kind.clone()));
                }
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
                    store.objects = store.pending.take().unwrap_or_default();
                    store.synced = true;
                }
                watcher::Event::Apply(object) => {
                    let value = to_value(object);
                    store.objects.insert(id(&value), value);
                }
                watcher::Event::Delete(object) => {
                    let value = to_value(object);
                    store.objects.remove(&id(&value));
                }
            }
        }
    }))
}
