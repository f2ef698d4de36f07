//! [`KubeApplier`]: the [`Applier`] over a real Kubernetes API server, through kube-rs.
//!
//! Objects travel as plain JSON (`serde_json::Value`) on the dynamic API (the REST paths of
//! kube-rs' `Api<DynamicObject>`), so any kind, custom resources included, passes through
//! unchanged. Discovery is cached and refreshed when a kind is missing; writes are server-side
//! applies (`PATCH` with `application/apply-patch+yaml`, `fieldManager`, `force`,
//! `dryRun=All`); transient failures are retried with exponential backoff and jitter under a
//! concurrency limit ([`KubeApplierOptions`]).
//!
//! Only with the `kube` feature (on by default).

mod cache;
mod discovery;
mod errors;
mod migration;
mod options;
mod retry;

use std::{
    future::Future,
    path::Path,
    sync::{
        Arc,
        atomic::{AtomicU64, Ordering},
    },
    time::Duration,
};

use ::kube::{
    Client, Config,
    client::Body,
    config::{KubeConfigOptions, Kubeconfig},
    core::{
        DynamicObject, Request, Resource as _, Status,
        params::{
            DeleteParams, GetParams, ListParams, Patch, PatchParams, PostParams, PropagationPolicy,
            ValidationDirective,
        },
        response::StatusDetails,
    },
};
use async_trait::async_trait;
use gitops_core::{GroupVersionKind, Manifest, ResourceKey};
use serde_json::Value;
use tokio::sync::Semaphore;

use self::{
    cache::{Cached, LiveCache},
    discovery::{DiscoveryCache, Served, Snapshot},
    errors::{conflicts_only_with, is_object_not_found, is_route_not_found, kube_error, write_error},
    retry::{Verdict, backoff, classify},
};
pub use self::{migration::upgrade_managed_fields, options::KubeApplierOptions};
use crate::{ApiResource, Applier, ApplyOptions, DeleteOptions, Error, LabelSelector, Result};

/// The [`Applier`] over a Kubernetes API server (a real cluster, kind/k3d, or gitops-testkit's
/// emulator), through a [`kube::Client`].
///
/// - **Discovery**: the served kinds are read once (aggregated discovery, falling back to the
///   per-group documents) and cached; a kind missing from the cache triggers one refresh (at most
///   one per [`KubeApplierOptions::discovery_refresh_interval`], shared by concurrent callers),
///   and applying or deleting a CustomResourceDefinition marks the cache stale, so its custom
///   resources are found as soon as the API server serves them. `get`, `list` and `delete` accept
///   a version the cluster does not serve and use the preferred version of the same group and
///   kind; `apply` needs the exact version (the body's `apiVersion`).
/// - **Reads**: `get` answers `None` for a missing object; `list` reads page by page
///   ([`KubeApplierOptions::list_page_size`]), fills in each item's `apiVersion` and `kind` (the
///   API server leaves them out of list items) and sorts by namespace and name.
/// - **Server-side apply**: `PATCH ?fieldManager=…&force=…&dryRun=All` with the object as the
///   apply configuration. Conflicts (409) become [`Error::Conflict`] with one `field (manager)`
///   entry per conflicting field, a missing namespace (404) [`Error::NamespaceNotFound`], 422/400
///   [`Error::Invalid`].
/// - **Client-side apply migration**: objects last written by `kubectl apply` (client-side)
///   are moved to server-side apply ownership on their first apply
///   ([`KubeApplierOptions::client_side_apply_managers`]).
/// - **Live-state cache** (opt-in, [`KubeApplier::watch`]): watched kinds are read from memory.
/// - **Delete** with the propagation policy of [`KubeApplierOptions::delete_propagation`]
///   (background by default) and `dryRun=All` on request; `false` when the object did not exist.
///   A delete returns once the API server accepted it: an object with finalizers (or deleted in
///   the foreground) is still there, with a `deletionTimestamp`, until they are done.
/// - **Retries and concurrency**: see [`KubeApplierOptions`]. Build the client with
///   [`KubeApplier::from_config`] (or [`from_kubeconfig`](KubeApplier::from_kubeconfig),
///   [`infer`](KubeApplier::infer)) so that kube-rs' own retry layer is off and these options are
///   the only retry policy; a client from `Client::try_from(config)` also retries 429/503/504 by
///   itself (kube-rs' `Config::default_retry`).
///
/// Failures that fit none of the crate's variants are [`Error::Kube`], with the kube-rs error as
/// source. Secret data never appears in messages: the applier logs nothing about objects and, for
/// Secrets, reports validation errors by field path only.
///
/// ```no_run
/// # async fn demo() -> Result<(), gitops_apply::Error> {
/// use gitops_apply::{Applier, ApplyOptions, KubeApplier};
/// let applier = KubeApplier::infer().await?;
/// let cm = serde_json::json!({"apiVersion": "v1", "kind": "ConfigMap",
///     "metadata": {"name": "cfg", "namespace": "default"}, "data": {"a": "1"}});
/// let live = applier.apply(&cm, &ApplyOptions::default()).await?;
/// assert!(live["metadata"]["uid"].is_string());
/// # Ok(()) }
/// ```
pub struct KubeApplier {
    client: Client,
    options: KubeApplierOptions,
    permits: Arc<Semaphore>,
    discovery: DiscoveryCache,
    cache: LiveCache,
    watches: std::sync::Mutex<Vec<tokio::task::JoinHandle<()>>>,
    counts: Counters,
}

/// Requests a [`KubeApplier`] sent to the API server, by verb, for tests and measurements (a
/// steady-state reconcile should make no apply and, with [`KubeApplier::watch`], no list).
/// Each logical request counts once, whatever its retries; each page of a list counts once;
/// reads answered by the live-state cache do not count. Discovery and watches are not counted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct RequestCounts {
    /// `GET` of one object.
    pub gets: u64,
    /// `GET` of a list page.
    pub lists: u64,
    /// Writes of objects: server-side apply `PATCH`es (and the merge patches of client-side
    /// apply migration), creates (`POST`) and replaces (`PUT`).
    pub applies: u64,
    /// `DELETE`s.
    pub deletes: u64,
}

#[derive(Debug, Default)]
struct Counters {
    gets: AtomicU64,
    lists: AtomicU64,
    applies: AtomicU64,
    deletes: AtomicU64,
}

fn bump(counter: &AtomicU64) {
    counter.fetch_add(1, Ordering::Relaxed);
}

impl Drop for KubeApplier {
    fn drop(&mut self) {
        for task in self
            .watches
            .get_mut()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .drain(..)
        {
            task.abort();
        }
    }
}

impl std::fmt::Debug for KubeApplier {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The client holds credentials; show only what is safe.
        f.debug_struct("KubeApplier")
            .field("default_namespace", &self.client.default_namespace())
            .field("options", &self.options)
            .finish_non_exhaustive()
    }
}

impl KubeApplier {
    /// An applier over `client`, with the default [`KubeApplierOptions`].
    pub fn new(client: Client) -> Self {
        let options = KubeApplierOptions::default();
        Self {
            client,
            permits: Arc::new(Semaphore::new(options.max_concurrent_requests.max(1))),
            options,
            discovery: DiscoveryCache::default(),
            cache: LiveCache::default(),
            watches: std::sync::Mutex::default(),
            counts: Counters::default(),
        }
    }

    /// Replaces the options (and the concurrency limit with them).
    #[must_use]
    pub fn with_options(mut self, options: KubeApplierOptions) -> Self {
        self.permits = Arc::new(Semaphore::new(options.max_concurrent_requests.max(1)));
        self.options = options;
        self
    }

    /// An applier over a client built from `config`, with kube-rs' own retry layer turned off so
    /// that [`KubeApplierOptions`] alone decides about retries. Must be called inside a Tokio
    /// runtime (the client spawns its connection task there).
    ///
    /// # Errors
    /// [`Error::KubeConfig`] when the client cannot be built (TLS or auth set-up).
    pub fn from_config(mut config: Config) -> Result<Self> {
        config.default_retry = false;
        let origin = format!("cluster {}", config.cluster_url);
        let client = Client::try_from(config).map_err(|e| Error::KubeConfig {
            origin,
            source: Box::new(e),
        })?;
        Ok(Self::new(client))
    }

    /// An applier for `context` (its current context when `None`) of the kubeconfig file at
    /// `path`, like `kubectl --kubeconfig PATH --context NAME`.
    ///
    /// # Errors
    /// [`Error::KubeConfig`] naming the file and context when it cannot be read, has no such
    /// context, or its credentials cannot be loaded.
    pub async fn from_kubeconfig(path: impl AsRef<Path>, context: Option<&str>) -> Result<Self> {
        let path = path.as_ref();
        let origin = match context {
            Some(context) => format!("kubeconfig {} (context {context})", path.display()),
            None => format!("kubeconfig {}", path.display()),
        };
        let fail = |e: ::kube::Error| Error::KubeConfig {
            origin: origin.clone(),
            source: Box::new(e),
        };
        let kubeconfig = Kubeconfig::read_from(path).map_err(|e| fail(e.into()))?;
        let options = KubeConfigOptions {
            context: context.map(str::to_owned),
            ..KubeConfigOptions::default()
        };
        let config = Config::from_custom_kubeconfig(kubeconfig, &options)
            .await
            .map_err(|e| fail(e.into()))?;
        Self::from_config(config).map_err(|e| match e {
            Error::KubeConfig { source, .. } => fail(*source),
            other => other,
        })
    }

    /// An applier configured like `kubectl` without flags: the kubeconfig of `$KUBECONFIG` or
    /// `~/.kube/config` (its current context), else the in-cluster service account.
    ///
    /// # Errors
    /// [`Error::KubeConfig`] when neither is usable.
    pub async fn infer() -> Result<Self> {
        let origin = "the environment (KUBECONFIG, ~/.kube/config or in-cluster)";
        let config = Config::infer().await.map_err(|e| Error::KubeConfig {
            origin: origin.into(),
            source: Box::new(::kube::Error::InferConfig(e)),
        })?;
        Self::from_config(config)
    }

    /// The underlying client (for requests the [`Applier`] trait does not cover, e.g. watches).
    pub fn client(&self) -> &Client {
        &self.client
    }

    /// The options in use.
    pub fn options(&self) -> &KubeApplierOptions {
        &self.options
    }

    /// Runs discovery now and replaces the cache.
    ///
    /// # Errors
    /// [`Error::Kube`] when discovery fails after the retries.
    pub async fn refresh_discovery(&self) -> Result<()> {
        let _guard = self.discovery.refreshing.lock().await;
        self.run_discovery().await.map(drop)
    }

    /// Marks the discovery cache outdated: the next lookup of a kind it does not know runs
    /// discovery again, however recent the last pass was. Call it after installing CRDs by other
    /// means than this applier.
    pub fn invalidate_discovery(&self) {
        self.discovery.invalidate();
    }

    /// The requests sent so far (see [`RequestCounts`]).
    pub fn request_counts(&self) -> RequestCounts {
        let c = &self.counts;
        RequestCounts {
            gets: c.gets.load(Ordering::Relaxed),
            lists: c.lists.load(Ordering::Relaxed),
            applies: c.applies.load(Ordering::Relaxed),
            deletes: c.deletes.load(Ordering::Relaxed),
        }
    }

    /// Starts the live-state cache for `kinds`: one kube-runtime watcher per kind (all
    /// namespaces, restarted with backoff when the watch breaks, relisting on 410 Gone), restricted
    /// to `label_selector` when given (e.g. the tracking label of the managed objects). Kinds
    /// already watched are left as they are. Returns once the watches are started; see
    /// [`KubeApplier::wait_synced`].
    ///
    /// Once a kind's initial list is complete, `list` of that kind with the same selector (any
    /// selector when the whole kind is watched) and `get` of an object it holds are answered from
    /// memory, without a request; objects the applier writes are put in the cache at once, and
    /// changes by others arrive as watch events (drift is seen as it happens, see
    /// [`KubeApplier::live_changes`]). Reads may lag the API server by the watch latency.
    ///
    /// Objects are stored normalized, not as sent: `metadata.selfLink`, the `time` of each
    /// `managedFields` entry and the heartbeat/probe times of `status.conditions` are dropped
    /// (they change without meaning and nothing reads them), and `apiVersion`/`kind` are set.
    /// Everything the sync engine, the diff modes and health assessment read is kept. Reads
    /// answered from the cache return these normalized objects. The watches stop when the
    /// applier is dropped.
    ///
    /// # Errors
    /// [`Error::UnknownKind`] for a kind the cluster does not serve; [`Error::InvalidSelector`] for a
    /// malformed selector.
    pub async fn watch(&self, kinds: &[GroupVersionKind], label_selector: Option<&str>) -> Result<()> {
        let selector = label_selector.map(str::trim).filter(|s| !s.is_empty());
        let filter = LabelSelector::parse(selector.unwrap_or(""))?;
        let selector = selector.map(|text| (text, filter));
        for gvk in kinds {
            let served = self.resolve(gvk, false).await?;
            let api = ::kube::Api::all_with(self.client.clone(), &served.kube);
            let api_version = served.resource.gvk.api_version();
            if let Some(task) =
                cache::spawn(&self.cache, gvk.group_kind(), api, selector.clone(), api_version)
            {
                self.watches
                    .lock()
                    .unwrap_or_else(std::sync::PoisonError::into_inner)
                    .push(task);
            }
        }
        Ok(())
    }

    /// Starts the live-state cache ([`KubeApplier::watch`]) for every kind the cluster serves
    /// with list and watch (one entry per group and kind, preferred version), restricted to
    /// `label_selector` (e.g. [`Tracking::label_selector`](gitops_core::tracking::Tracking::label_selector)
    /// of the application). With it a steady-state sync lists nothing: the prune candidates of
    /// every kind come from memory. Call it again after a sync that added CRDs to watch their
    /// kinds too (kinds already watched are skipped, discovery is cached). Returns the kinds
    /// watched, for [`KubeApplier::wait_synced`].
    ///
    /// # Errors
    /// Discovery errors; [`Error::InvalidSelector`] for a malformed selector.
    pub async fn watch_all(&self, label_selector: Option<&str>) -> Result<Vec<GroupVersionKind>> {
        let kinds: Vec<GroupVersionKind> = Applier::api_resources(self)
            .await?
            .into_iter()
            .map(|r| r.gvk)
            .collect();
        self.watch(&kinds, label_selector).await?;
        Ok(kinds)
    }

    /// A receiver of the live-state cache's change counter: the value grows whenever a watch
    /// event shows a watched object created, changed or deleted by someone else (objects this
    /// applier writes or deletes are recorded first and do not count), or a relist finds another
    /// state. Await `changed()` on it to react to drift as it happens (Argo CD requeues an
    /// application on a cache update of a managed resource) instead of polling.
    pub fn live_changes(&self) -> tokio::sync::watch::Receiver<u64> {
        self.cache.changes()
    }

    /// Whether the live-state cache of `gvk`'s group and kind finished its initial list.
    pub fn is_synced(&self, gvk: &GroupVersionKind) -> bool {
        self.cache.is_synced(&gvk.group_kind())
    }

    /// Waits until every kind of `kinds` is synced ([`KubeApplier::is_synced`]), checking every
    /// 10 ms, for at most `timeout`. Returns whether they all are.
    pub async fn wait_synced(&self, kinds: &[GroupVersionKind], timeout: Duration) -> bool {
        let deadline = tokio::time::Instant::now() + timeout;
        loop {
            if kinds.iter().all(|k| self.is_synced(k)) {
                return true;
            }
            if tokio::time::Instant::now() >= deadline {
                return false;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    }

    async fn run_discovery(&self) -> Result<Arc<Snapshot>> {
        let generation = self.discovery.current().map_or(1, |s| s.generation + 1);
        let discovery = self
            .with_retries(|| async {
                match ::kube::Discovery::new(self.client.clone()).run_aggregated().await {
                    Ok(d) => Ok(d),
                    // Servers before 1.26 have no aggregated discovery: read group by group.
                    Err(_) => ::kube::Discovery::new(self.client.clone()).run().await,
                }
            })
            .await
            .map_err(|e| kube_error(e, "discovery", "/api and /apis".into()))?;
        Ok(self
            .discovery
            .store(Snapshot::from_discovery(&discovery, generation)))
    }

    /// Looks `gvk` up, refreshing discovery on a miss. `exact` requires the version itself.
    async fn resolve(&self, gvk: &GroupVersionKind, exact: bool) -> Result<Served> {
        let lookup = |snapshot: &Snapshot| {
            if exact {
                snapshot.exact(gvk).cloned()
            } else {
                snapshot.lenient(gvk).cloned()
            }
        };
        let seen = self.discovery.current();
        if let Some(found) = seen.as_deref().and_then(lookup) {
            return Ok(found);
        }
        let _guard = self.discovery.refreshing.lock().await;
        let snapshot = if self.discovery.needs_refresh(
            seen.map(|s| s.generation),
            self.options.discovery_refresh_interval,
        ) {
            self.run_discovery().await?
        } else {
            self.discovery
                .current()
                .ok_or_else(|| Error::UnknownKind { gvk: gvk.clone() })?
        };
        lookup(&snapshot).ok_or_else(|| Error::UnknownKind { gvk: gvk.clone() })
    }

    /// Maps a failed request with `map`, unless the API server answered that the resource path
    /// does not exist (the kind stopped being served, e.g. its CRD was deleted): then discovery
    /// is refreshed and, if the kind is indeed gone, the error is [`Error::UnknownKind`].
    async fn unserved_or(
        &self,
        error: ::kube::Error,
        gvk: &GroupVersionKind,
        map: impl FnOnce(::kube::Error) -> Error,
    ) -> Error {
        if is_route_not_found(&error) {
            self.discovery.invalidate();
            let _guard = self.discovery.refreshing.lock().await;
            if let Ok(snapshot) = self.run_discovery().await
                && snapshot.lenient(gvk).is_none()
            {
                return Error::UnknownKind { gvk: gvk.clone() };
            }
        }
        map(error)
    }

    /// Runs `attempt` under the concurrency limit, the per-attempt timeout and the retry policy.
    async fn with_retries<T, F, Fut>(&self, mut attempt: F) -> Result<T, ::kube::Error>
    where
        F: FnMut() -> Fut,
        Fut: Future<Output = Result<T, ::kube::Error>>,
    {
        let mut retries = 0;
        loop {
            let outcome = {
                // The semaphore is never closed; were it, the limit would merely lift.
                let _permit = self.permits.acquire().await.ok();
                match self.options.request_timeout {
                    Some(limit) => tokio::time::timeout(limit, attempt())
                        .await
                        .unwrap_or_else(|_| Err(timed_out(limit))),
                    None => attempt().await,
                }
            };
            let error = match outcome {
                Ok(value) => return Ok(value),
                Err(error) => error,
            };
            match classify(&error) {
                Verdict::Retry { after } if retries < self.options.max_retries => {
                    let wait = backoff(&self.options, retries, rand::random_range(0.0..=1.0), after);
                    tracing::debug!(retry = retries + 1, ?wait, failure = %failure_kind(&error), "retrying a kubernetes API request");
                    tokio::time::sleep(wait).await;
                    retries += 1;
                }
                _ => return Err(error),
            }
        }
    }

    /// Sends one request built by `build` (rebuilt for every attempt) and returns the JSON body.
    /// Creates (POST) or, with `put`, replaces (PUT) `body` as `key`, with `fieldValidation`
    /// Strict as kubectl (Ignore for Validate=false: kube's `PostParams` has no such field),
    /// then records the write in the live-state cache and marks discovery stale after a CRD.
    async fn post_or_put(
        &self,
        served: &Served,
        key: &ResourceKey,
        body: &Value,
        put: bool,
        options: &ApplyOptions,
        operation: &'static str,
    ) -> Result<Value> {
        let params = PostParams {
            dry_run: options.dry_run,
            field_manager: Some(options.field_manager.clone()),
        };
        let data = serde_json::to_vec(body).map_err(|e| Error::Invalid {
            key: key.clone(),
            message: format!("cannot encode object: {e}"),
        })?;
        let request = Request::new(url(served, scoped(served, key.namespace.as_deref())));
        let validation = if options.validate { "Strict" } else { "Ignore" };
        let build = || {
            let mut http = if put {
                request.replace(&key.name, &params, data.clone())?
            } else {
                request.create(&params, data.clone())?
            };
            let uri = http.uri().to_string();
            let separator = if uri.contains('?') { '&' } else { '?' };
            if let Ok(uri) = format!("{uri}{separator}fieldValidation={validation}").parse() {
                *http.uri_mut() = uri;
            }
            Ok(http)
        };
        bump(&self.counts.applies);
        let gvk = &served.resource.gvk;
        match self.send(build).await {
            Ok(live) => {
                if !options.dry_run {
                    self.cache.written(&key.group_kind(), &live);
                    if is_crd(gvk) {
                        self.discovery.invalidate();
                    }
                }
                Ok(live)
            }
            Err(e) => Err(self.unserved_or(e, gvk, |e| write_error(e, operation, key)).await),
        }
    }

    async fn send(
        &self,
        build: impl Fn() -> Result<http::Request<Vec<u8>>, ::kube::core::request::Error>,
    ) -> Result<Value, ::kube::Error> {
        self.with_retries(|| async {
            let request = build().map_err(::kube::Error::BuildRequest)?;
            exchange(&self.client, request).await
        })
        .await
    }
}

/// One HTTP exchange. Unlike `Client::request` it keeps the `Retry-After` header (copied into
/// the Status' `details.retryAfterSeconds`) and never logs bodies (they may hold Secret data).
async fn exchange(client: &Client, request: http::Request<Vec<u8>>) -> Result<Value, ::kube::Error> {
    let response = client.send(request.map(Body::from)).await?;
    let code = response.status().as_u16();
    let retry_after = response
        .headers()
        .get(http::header::RETRY_AFTER)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u32>().ok());
    let bytes = response.into_body().collect_bytes().await?;
    if code < 400 {
        return serde_json::from_slice(&bytes).map_err(::kube::Error::SerdeError);
    }
    let mut status = serde_json::from_slice::<Status>(&bytes)
        .ok()
        .filter(|s| s.code != 0)
        .unwrap_or_else(|| {
            let text = String::from_utf8_lossy(&bytes);
            let text: String = text.trim().chars().take(256).collect();
            Status::failure(&text, "").with_code(code)
        });
    if let Some(seconds) = retry_after {
        let details = status.details.get_or_insert_with(|| StatusDetails {
            name: String::new(),
            group: String::new(),
            kind: String::new(),
            uid: String::new(),
            causes: Vec::new(),
            retry_after_seconds: 0,
        });
        if details.retry_after_seconds == 0 {
            details.retry_after_seconds = seconds;
        }
    }
    Err(::kube::Error::Api(status.boxed()))
}

/// The merge patch moving client-side-apply ownership to `manager` in `live` (managedFields plus
/// its resourceVersion as a precondition), or `None` when there is nothing to move.
fn upgrade_patch(live: &Value, csa_managers: &[String], manager: &str) -> Option<Value> {
    let entries = upgrade_managed_fields(live, csa_managers, manager)?;
    let resource_version = live.pointer("/metadata/resourceVersion")?.clone();
    Some(serde_json::json!({"metadata": {"managedFields": entries, "resourceVersion": resource_version}}))
}

/// The order of `list` results: by namespace, then name.
fn sort_key(object: &Value) -> (String, String) {
    let meta = |f: &str| {
        object
            .pointer(&format!("/metadata/{f}"))
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_owned()
    };
    (meta("namespace"), meta("name"))
}

fn timed_out(limit: Duration) -> ::kube::Error {
    ::kube::Error::Service(Box::new(std::io::Error::new(
        std::io::ErrorKind::TimedOut,
        format!("no answer within {limit:?}"),
    )))
}

fn url(served: &Served, namespace: Option<&str>) -> String {
    DynamicObject::url_path(&served.kube, namespace)
}

fn is_crd(gvk: &GroupVersionKind) -> bool {
    gvk.group == "apiextensions.k8s.io" && gvk.kind == "CustomResourceDefinition"
}

/// The namespace to address: `None` for cluster-scoped kinds, whatever the caller passed.
fn scoped<'a>(served: &Served, namespace: Option<&'a str>) -> Option<&'a str> {
    namespace.filter(|n| served.resource.namespaced && !n.is_empty())
}

/// The ResourceKey-like text of a list request: `group/kind/namespace/`.
fn list_key(gvk: &GroupVersionKind, namespace: Option<&str>) -> String {
    format!("{}/{}/{}/", gvk.group, gvk.kind, namespace.unwrap_or(""))
}

#[async_trait]
impl Applier for KubeApplier {
    async fn watch(&self, kinds: &[GroupVersionKind], label_selector: Option<&str>) -> Result<()> {
        KubeApplier::watch(self, kinds, label_selector).await
    }

    async fn api_resource(&self, gvk: &GroupVersionKind) -> Result<ApiResource> {
        Ok(self.resolve(gvk, false).await?.resource)
    }

    async fn api_resources(&self) -> Result<Vec<ApiResource>> {
        let snapshot = if let Some(snapshot) = self.discovery.current() {
            snapshot
        } else {
            let _guard = self.discovery.refreshing.lock().await;
            match self.discovery.current() {
                Some(snapshot) => snapshot,
                None => self.run_discovery().await?,
            }
        };
        Ok(snapshot.listable())
    }

    async fn get(
        &self,
        gvk: &GroupVersionKind,
        namespace: Option<&str>,
        name: &str,
    ) -> Result<Option<Value>> {
        let served = self.resolve(gvk, false).await?;
        let namespace = scoped(&served, namespace);
        if served.resource.namespaced && namespace.is_none() {
            // A namespaced object is always addressed with its namespace: without one it cannot exist.
            return Ok(None);
        }
        if let Cached::Hit(object) = self.cache.get(&gvk.group_kind(), namespace, name) {
            return Ok(object);
        }
        let request = Request::new(url(&served, namespace));
        bump(&self.counts.gets);
        match self.send(|| request.get(name, &GetParams::default())).await {
            Ok(object) => Ok(Some(object)),
            Err(e) if is_object_not_found(&e, name) => Ok(None),
            Err(e) => {
                let key = ResourceKey::new(&*gvk.group, &*gvk.kind, namespace, name);
                Err(self
                    .unserved_or(e, gvk, |e| kube_error(e, "get", key.to_string()))
                    .await)
            }
        }
    }

    async fn list(
        &self,
        gvk: &GroupVersionKind,
        namespace: Option<&str>,
        label_selector: Option<&str>,
    ) -> Result<Vec<Value>> {
        // Same validation and error as the in-memory cluster, before any request.
        let filter = LabelSelector::parse(label_selector.unwrap_or(""))?;
        let served = self.resolve(gvk, false).await?;
        let namespace = scoped(&served, namespace);
        if let Cached::Hit(mut items) = self
            .cache
            .list(&gvk.group_kind(), namespace, label_selector, &filter)
        {
            items.sort_by_cached_key(sort_key);
            return Ok(items);
        }
        let request = Request::new(url(&served, namespace));
        let mut params = ListParams::default();
        if let Some(selector) = label_selector.filter(|s| !s.trim().is_empty()) {
            params = params.labels(selector);
        }
        if self.options.list_page_size > 0 {
            params = params.limit(self.options.list_page_size);
        }
        let mut items = Vec::new();
        loop {
            bump(&self.counts.lists);
            let page = match self.send(|| request.list(&params)).await {
                Ok(page) => page,
                Err(e) => {
                    let map = |e| kube_error(e, "list", list_key(gvk, namespace));
                    return Err(self.unserved_or(e, gvk, map).await);
                }
            };
            let Value::Object(mut page) = page else {
                break;
            };
            if let Some(Value::Array(page_items)) = page.remove("items") {
                items.extend(page_items);
            }
            match page
                .get("metadata")
                .and_then(|m| m.get("continue"))
                .and_then(Value::as_str)
            {
                Some(token) if !token.is_empty() => params = params.continue_token(token),
                _ => break,
            }
        }
        let api_version = served.resource.gvk.api_version();
        for item in &mut items {
            if let Value::Object(map) = item {
                map.entry("apiVersion")
                    .or_insert_with(|| Value::String(api_version.clone()));
                map.entry("kind")
                    .or_insert_with(|| Value::String(served.resource.gvk.kind.clone()));
            }
        }
        items.sort_by_cached_key(sort_key);
        Ok(items)
    }

    async fn apply(&self, object: &Value, options: &ApplyOptions) -> Result<Value> {
        let manifest = Manifest::from_value(object.clone()).map_err(Error::Manifest)?;
        let key = manifest.key();
        let served = self.resolve(manifest.gvk(), true).await?;
        match (&key.namespace, served.resource.namespaced) {
            (None, true) => {
                return Err(Error::Invalid {
                    key,
                    message: "namespaced object without a namespace".into(),
                });
            }
            (Some(ns), false) => {
                return Err(Error::Invalid {
                    message: format!("cluster-scoped object must not have a namespace (got {ns:?})"),
                    key,
                });
            }
            _ => {}
        }
        if key.name.is_empty() {
            return Err(Error::Invalid {
                key,
                message: "server-side apply needs metadata.name (generateName is not supported)".into(),
            });
        }
        let mut params = PatchParams::apply(&options.field_manager);
        params.force = options.force;
        params.dry_run = options.dry_run;
        if !options.validate {
            params.field_validation = Some(ValidationDirective::Ignore);
        }
        let request = Request::new(url(&served, key.namespace.as_deref()));
        let patch = Patch::Apply(object);
        let apply = || {
            bump(&self.counts.applies);
            self.send(|| request.patch(&key.name, &params, &patch))
        };
        let mut outcome = apply().await;
        let csa = &self.options.client_side_apply_managers;
        if !options.dry_run && !csa.is_empty() {
            let upgrade = match &outcome {
                Ok(live) => upgrade_patch(live, csa, &options.field_manager),
                Err(e) if conflicts_only_with(e, csa) => {
                    bump(&self.counts.gets);
                    match self.send(|| request.get(&key.name, &GetParams::default())).await {
                        Ok(live) => upgrade_patch(&live, csa, &options.field_manager),
                        Err(_) => None,
                    }
                }
                Err(_) => None,
            };
            if let Some(body) = upgrade {
                let merge = Patch::Merge(&body);
                let merge_params = PatchParams::default();
                bump(&self.counts.applies);
                self.send(|| request.patch(&key.name, &merge_params, &merge))
                    .await
                    .map_err(|e| write_error(e, "migrate", &key))?;
                outcome = apply().await;
            }
        }
        let live = match outcome {
            Ok(live) => live,
            Err(e) => {
                let gvk = manifest.gvk();
                return Err(self.unserved_or(e, gvk, |e| write_error(e, "apply", &key)).await);
            }
        };
        if !options.dry_run {
            self.cache.written(&key.group_kind(), &live);
            if is_crd(manifest.gvk()) {
                self.discovery.invalidate();
            }
        }
        Ok(live)
    }

    async fn create(&self, object: &Value, options: &ApplyOptions) -> Result<Value> {
        let (gvk, key, _) = crate::applier::create_target(object)?;
        let served = self.resolve(&gvk, true).await?;
        let mut body = object.clone();
        if let Some(meta) = body.get_mut("metadata").and_then(Value::as_object_mut) {
            meta.remove("managedFields");
            meta.remove("resourceVersion");
        }
        self.post_or_put(&served, &key, &body, false, options, "create")
            .await
    }

    async fn replace(&self, object: &Value, options: &ApplyOptions) -> Result<Value> {
        let manifest = Manifest::from_value(object.clone()).map_err(Error::Manifest)?;
        let key = manifest.key();
        let served = self.resolve(manifest.gvk(), true).await?;
        let namespace = scoped(&served, key.namespace.as_deref());
        let existing = self.get(manifest.gvk(), namespace, &key.name).await?;
        let mut body = object.clone();
        if let Some(meta) = body.get_mut("metadata").and_then(Value::as_object_mut) {
            meta.remove("managedFields");
            // PUT needs the live resourceVersion (optimistic concurrency); a retry re-reads it.
            if let Some(rv) = existing
                .as_ref()
                .and_then(|l| l.pointer("/metadata/resourceVersion"))
            {
                meta.insert("resourceVersion".into(), rv.clone());
            }
        }
        self.post_or_put(&served, &key, &body, existing.is_some(), options, "replace")
            .await
    }

    async fn delete(
        &self,
        gvk: &GroupVersionKind,
        namespace: Option<&str>,
        name: &str,
        options: &DeleteOptions,
    ) -> Result<bool> {
        let served = self.resolve(gvk, false).await?;
        let namespace = scoped(&served, namespace);
        if served.resource.namespaced && namespace.is_none() {
            return Ok(false);
        }
        let key = ResourceKey::new(&*gvk.group, &*gvk.kind, namespace, name);
        let params = DeleteParams {
            dry_run: options.dry_run,
            propagation_policy: Some(
                match options.propagation.unwrap_or(self.options.delete_propagation) {
                    gitops_core::annotations::PropagationPolicy::Foreground => PropagationPolicy::Foreground,
                    gitops_core::annotations::PropagationPolicy::Orphan => PropagationPolicy::Orphan,
                    // Background, and any policy a later gitops-core adds.
                    _ => PropagationPolicy::Background,
                },
            ),
            ..DeleteParams::default()
        };
        let request = Request::new(url(&served, namespace));
        if !options.dry_run {
            self.cache.deleting(&gvk.group_kind(), namespace, name);
        }
        bump(&self.counts.deletes);
        match self.send(|| request.delete(name, &params)).await {
            Ok(_) => {
                if is_crd(gvk) && !options.dry_run {
                    self.discovery.invalidate();
                }
                Ok(true)
            }
            Err(e) if is_object_not_found(&e, name) => Ok(false),
            Err(e) => Err(self.unserved_or(e, gvk, |e| write_error(e, "delete", &key)).await),
        }
    }
}

/// A short description of a transient failure for logs: the HTTP code and reason only, never
/// the message (it may quote object data).
fn failure_kind(error: &::kube::Error) -> String {
    match error {
        ::kube::Error::Api(status) => format!("{} {}", status.code, status.reason),
        _ => "transport error or timeout".into(),
    }
}
