//! The object store behind the emulator: objects keyed by group/resource/namespace/name, a global
//! monotonic resourceVersion, a bounded event history for watches and the write path shared by
//! every verb.

pub(crate) mod delete;
mod write;

use std::{
    collections::{BTreeMap, VecDeque},
    sync::{Arc, Mutex, MutexGuard},
    time::Instant,
};

use base64::Engine as _;
use serde_json::{Value, json};
use tokio::sync::broadcast;

pub(crate) use self::delete::DeleteOptions;
pub(crate) use self::write::WriteOptions;
use super::{
    registry::{Registry, ResourceType},
    selectors::{FieldSelector, LabelSelector},
    status::{ApiError, ApiResult},
};

/// Identity of a stored object: objects are stored once per group/resource, whatever version
/// wrote them.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) struct ObjKey {
    pub(crate) group: String,
    pub(crate) plural: String,
    pub(crate) namespace: String,
    pub(crate) name: String,
}

impl ObjKey {
    pub(crate) fn new(rt: &ResourceType, namespace: &str, name: &str) -> Self {
        Self {
            group: rt.group.clone(),
            plural: rt.plural.clone(),
            namespace: if rt.namespaced {
                namespace.to_string()
            } else {
                String::new()
            },
            name: name.to_string(),
        }
    }
}

/// A watch event as stored in the history.
#[derive(Debug)]
pub(crate) struct Event {
    pub(crate) rv: u64,
    pub(crate) key: ObjKey,
    /// `ADDED`, `MODIFIED` or `DELETED`.
    pub(crate) kind: &'static str,
    pub(crate) object: Value,
}

#[derive(Debug)]
struct Entry {
    object: Value,
    /// Last spec change (creation or generation bump), the clock of the simulated controllers.
    changed: Instant,
}

/// The mutable state, behind one mutex.
#[derive(Debug)]
pub(crate) struct State {
    /// Shared with request handlers (a request clones the `Arc`, not the table); CRD
    /// (un)registration copies on write.
    pub(crate) registry: Arc<Registry>,
    /// Merge semantics for server-side apply and strategic merge: built-ins plus CRD schemas.
    pub(crate) schema: Arc<gitops_diff::Schema>,
    objects: BTreeMap<ObjKey, Entry>,
    rv: u64,
    history: VecDeque<Arc<Event>>,
    history_limit: usize,
    /// Highest resourceVersion whose event is no longer in the history.
    compacted: u64,
}

/// The shared store.
#[derive(Debug)]
pub(crate) struct Store {
    state: Mutex<State>,
    events: broadcast::Sender<Arc<Event>>,
}

/// One page of a list.
#[derive(Debug)]
pub(crate) struct ListPage {
    pub(crate) items: Vec<Value>,
    pub(crate) resource_version: u64,
    pub(crate) continue_token: Option<String>,
    pub(crate) remaining: usize,
}

/// The start of a watch: events to replay, then the live feed.
#[derive(Debug)]
pub(crate) struct WatchStart {
    pub(crate) initial: Vec<Arc<Event>>,
    pub(crate) receiver: broadcast::Receiver<Arc<Event>>,
    /// Events on the feed at or below this version were already replayed.
    pub(crate) after: u64,
}

impl Store {
    /// A store with the built-in types and the namespaces every cluster has.
    pub(crate) fn new(history_limit: usize) -> Self {
        let (events, _) = broadcast::channel(8192);
        let store = Self {
            state: Mutex::new(State {
                registry: Arc::new(Registry::builtin()),
                schema: Arc::new(gitops_diff::Schema::new()),
                objects: BTreeMap::new(),
                rv: 0,
                history: VecDeque::new(),
                history_limit: history_limit.max(1),
                compacted: 0,
            }),
            events,
        };
        let namespaces = store.lock().registry.by_plural("", "v1", "namespaces").cloned();
        if let Some(rt) = namespaces {
            for name in ["default", "kube-system", "kube-public", "kube-node-lease"] {
                let body = json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": name}});
                let options = WriteOptions {
                    manager: "kube-apiserver".into(),
                    ..WriteOptions::default()
                };
                // The built-in namespaces are valid by construction.
                let _ = store.create(&rt, "", body, &options);
            }
        }
        store
    }

    pub(crate) fn lock(&self) -> MutexGuard<'_, State> {
        // A panic while holding the lock leaves consistent data (writes are staged on clones).
        self.state
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// A snapshot of the registry (discovery).
    pub(crate) fn registry(&self) -> Arc<Registry> {
        Arc::clone(&self.lock().registry)
    }

    /// The current (latest) resourceVersion.
    pub(crate) fn resource_version(&self) -> u64 {
        self.lock().rv
    }

    /// Number of stored objects.
    pub(crate) fn len(&self) -> usize {
        self.lock().objects.len()
    }

    /// Drops the watch history: watches from any earlier resourceVersion get 410 Gone.
    pub(crate) fn compact(&self) {
        let mut state = self.lock();
        state.history.clear();
        state.compacted = state.rv;
    }

    /// GET of one object.
    pub(crate) fn get(&self, rt: &ResourceType, namespace: &str, name: &str) -> ApiResult<Value> {
        let state = self.lock();
        state.get(rt, namespace, name).map(|o| as_version(o, rt))
    }

    /// LIST, sorted by namespace then name.
    pub(crate) fn list(
        &self,
        rt: &ResourceType,
        namespace: Option<&str>,
        labels: &LabelSelector,
        fields: &FieldSelector,
        limit: Option<usize>,
        continue_token: Option<&str>,
    ) -> ApiResult<ListPage> {
        let start = continue_token.map(decode_continue).transpose()?;
        let state = self.lock();
        let mut items = Vec::new();
        let mut last = None;
        let mut remaining = 0;
        for (key, entry) in state.scan(rt, namespace) {
            if let Some((ns, name)) = &start
                && (key.namespace.as_str(), key.name.as_str()) <= (ns.as_str(), name.as_str())
            {
                continue;
            }
            if !labels.matches(&entry.object) || !fields.matches(&entry.object) {
                continue;
            }
            if limit.is_some_and(|l| l > 0 && items.len() >= l) {
                remaining += 1;
                continue;
            }
            last = Some((key.namespace.clone(), key.name.clone()));
            items.push(as_version(&entry.object, rt));
        }
        let continue_token = (remaining > 0)
            .then(|| last.map(|(ns, name)| encode_continue(&ns, &name)))
            .flatten();
        Ok(ListPage {
            items,
            resource_version: state.rv,
            continue_token,
            remaining,
        })
    }

    /// Starts a watch of `rt` (in `namespace`, or all) from `from` (`None`/0: the current state
    /// replayed as ADDED events).
    pub(crate) fn watch(
        &self,
        rt: &ResourceType,
        namespace: Option<&str>,
        from: Option<u64>,
    ) -> ApiResult<WatchStart> {
        let state = self.lock();
        let receiver = self.events.subscribe();
        let initial = match from {
            None | Some(0) => state
                .scan(rt, namespace)
                .map(|(key, entry)| {
                    let rv = resource_version_of(&entry.object);
                    Arc::new(Event {
                        rv,
                        key: key.clone(),
                        kind: "ADDED",
                        object: entry.object.clone(),
                    })
                })
                .collect(),
            Some(rv) if rv < state.compacted => return Err(ApiError::gone(rv)),
            Some(rv) => state
                .history
                .iter()
                .filter(|e| e.rv > rv && e.key.group == rt.group && e.key.plural == rt.plural)
                .filter(|e| namespace.is_none_or(|ns| e.key.namespace == ns))
                .cloned()
                .collect(),
        };
        Ok(WatchStart {
            initial,
            receiver,
            after: state.rv,
        })
    }

    /// The objects the simulated controllers look at (the kinds
    /// [`gitops_apply::simulation::handles`]): `(key, object, time since spec change)`.
    pub(crate) fn snapshot_for_controllers(&self) -> Vec<(ObjKey, Value, std::time::Duration)> {
        let state = self.lock();
        let now = Instant::now();
        state
            .objects
            .iter()
            .filter(|(k, e)| {
                let kind = e.object.get("kind").and_then(Value::as_str).unwrap_or("");
                gitops_apply::simulation::handles(&k.group, kind)
            })
            .map(|(k, e)| {
                (
                    k.clone(),
                    e.object.clone(),
                    now.saturating_duration_since(e.changed),
                )
            })
            .collect()
    }

    /// Total size in bytes of the stored objects serialised as JSON (a proxy for memory).
    pub(crate) fn json_bytes(&self) -> usize {
        self.lock()
            .objects
            .values()
            .map(|e| e.object.to_string().len())
            .sum()
    }

    fn emit(&self, state: &mut State, event: Event) {
        let event = Arc::new(event);
        state.history.push_back(Arc::clone(&event));
        while state.history.len() > state.history_limit {
            if let Some(dropped) = state.history.pop_front() {
                state.compacted = dropped.rv;
            }
        }
        // No receiver is not an error: nobody is watching.
        let _ = self.events.send(event);
    }
}

impl State {
    fn get(&self, rt: &ResourceType, namespace: &str, name: &str) -> ApiResult<&Value> {
        self.objects
            .get(&ObjKey::new(rt, namespace, name))
            .map(|e| &e.object)
            .ok_or_else(|| ApiError::not_found(&rt.qualified(), name))
    }

    fn scan<'a>(
        &'a self,
        rt: &'a ResourceType,
        namespace: Option<&'a str>,
    ) -> impl Iterator<Item = (&'a ObjKey, &'a Entry)> + 'a {
        let from = ObjKey {
            group: rt.group.clone(),
            plural: rt.plural.clone(),
            namespace: namespace.filter(|_| rt.namespaced).unwrap_or("").to_string(),
            name: String::new(),
        };
        self.objects.range(from..).take_while(move |(k, _)| {
            k.group == rt.group
                && k.plural == rt.plural
                && (!rt.namespaced || namespace.is_none_or(|ns| k.namespace == ns))
        })
    }

    fn namespace_objects(&self, namespace: &str) -> Vec<ObjKey> {
        self.objects
            .keys()
            .filter(|k| !k.namespace.is_empty() && k.namespace == namespace)
            .cloned()
            .collect()
    }
}

/// The object as served by `rt`'s version (stored objects keep the version that wrote them; the
/// emulator performs no conversion, like a CRD with `strategy: None`).
pub(crate) fn as_version(object: &Value, rt: &ResourceType) -> Value {
    let mut object = object.clone();
    object["apiVersion"] = json!(rt.api_version());
    object
}

pub(crate) fn resource_version_of(object: &Value) -> u64 {
    object
        .pointer("/metadata/resourceVersion")
        .and_then(Value::as_str)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0)
}

fn encode_continue(namespace: &str, name: &str) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD
        .encode(json!({"ns": namespace, "name": name}).to_string())
}

fn decode_continue(token: &str) -> ApiResult<(String, String)> {
    let bad = || ApiError::bad_request(format!("invalid continue token {token:?}"));
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(token)
        .map_err(|_| bad())?;
    let value: Value = serde_json::from_slice(&bytes).map_err(|_| bad())?;
    let text = |k: &str| {
        value
            .get(k)
            .and_then(Value::as_str)
            .map(String::from)
            .ok_or_else(bad)
    };
    Ok((text("ns")?, text("name")?))
}
