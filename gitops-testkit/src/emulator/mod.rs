//! An in-process Kubernetes API server emulator, driven over real HTTP by `kube::Client` and by
//! `kubectl`.
//!
//! [`Emulator::start`] binds `127.0.0.1` (port 0 by default), serves the Kubernetes REST API from
//! an in-memory object store on a background thread, and hands out its URL, a kubeconfig (text,
//! file or [`kube::Config`]) and ready-made [`kube::Client`]s. Dropping the handle stops it.
//!
//! What it serves:
//! - discovery (`/version`, `/api`, `/apis`, per group/version lists, aggregated discovery
//!   `apidiscovery.k8s.io/v2`) and the OpenAPI v3 index and per-group-version documents kubectl
//!   reads (operations and `fieldValidation` only; schemas are open);
//! - the built-in kinds of core/v1 (Namespace, ConfigMap, Secret, Service, ServiceAccount, Pod,
//!   PersistentVolumeClaim, Endpoints, Event), apps/v1, batch/v1, networking.k8s.io/v1,
//!   rbac.authorization.k8s.io/v1, policy/v1, autoscaling/v2 and apiextensions.k8s.io/v1; a
//!   CustomResourceDefinition registers its served versions in discovery (deleting it removes
//!   them and its custom resources);
//! - get, list (label selectors, `metadata.name`/`metadata.namespace` field selectors,
//!   `limit`/`continue`), watch (replay from a resourceVersion, bookmarks, `sendInitialEvents`,
//!   an `ERROR` event with 410 Expired for compacted versions), create (`generateName`), update
//!   (409 on a stale resourceVersion), patch (server-side apply with field managers, force and
//!   409 conflicts; JSON merge, JSON patch and strategic merge for built-ins), delete (preconditions,
//!   propagation to owned objects, finalizers keep the object with a deletionTimestamp, a
//!   deleted namespace removes its objects), deletecollection, `dryRun=All`, the `status`
//!   subresource, Tables for `kubectl get`;
//! - server-set metadata: uid, creationTimestamp, a global monotonic resourceVersion,
//!   generation bumped on spec changes only, managedFields on every write; a non-apply write
//!   (PUT, merge/JSON/strategic patch) that sets `metadata.managedFields` follows kube-apiserver's
//!   `FieldManager.Update`: a non-empty list that decodes is stored as given (how kubectl's and
//!   Argo CD's `csaupgrade` move client-side-apply ownership to server-side apply), with only
//!   the fields the request itself changes added to the writer's `Update` entry; `[]` and `[{}]`
//!   reset them; a list that does not decode (operation other than Apply/Update, no apiVersion,
//!   fieldsType other than FieldsV1) leaves the stored ones in place; badly typed entries are a
//!   400 and a manager longer than 128 bytes a 422;
//! - `Status` errors: 404, 409 AlreadyExists/Conflict, 422 Invalid (names, selectors, immutable
//!   fields: Service clusterIP, workload selectors, Job template, immutable ConfigMaps/Secrets),
//!   400, 401 (with [`EmulatorOptions::token`]), 415.
//!
//! **Simulated controllers** (on by default, [`EmulatorOptions::controllers`]): a periodic pass
//! writes the status [`gitops_apply::simulation::simulated_status`] computes (Deployments and
//! other workloads ready after [`SimulationOptions::ready_after`], Jobs complete, Pods run, PVCs
//! bind, LoadBalancer Services and Ingresses get an address, CRDs Established; failure scenarios
//! by the `gitops.rs/simulate` annotation). No Pods or ReplicaSets are created.
//!
//! **Fault injection**: [`Emulator::inject`] adds a [`FaultRule`] (500, 429 with Retry-After,
//! 409, delays, dropped watches; per verb and resource; a number of times or at a rate drawn from
//! [`EmulatorOptions::seed`]).
//!
//! Not emulated: admission, RBAC authorization, defaulting beyond Service type/clusterIP and
//! Namespace phase, conversion between CRD versions (objects are served as stored, like
//! `strategy: None`), CRD schema validation and pruning (the schema only drives list merging),
//! protobuf bodies (refused with 415, so kubectl's typed generators such as `kubectl create
//! configmap` fail; `kubectl create|apply -f` send JSON and work), `/openapi/v2` (404; kubectl
//! uses v3), HTTP/2, graceful Pod termination, DELETED events for objects that stop matching a
//! watch's label selector, consistent snapshots for `continue` (a page continues after the last
//! key), and managedFields of `status` writes (gitops-diff's merge does not track `status`).
//!
//! ```
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! use gitops_testkit::emulator::{Emulator, EmulatorOptions};
//! let emulator = Emulator::start(EmulatorOptions::default())?;
//! // The emulator serves from its own thread; the client needs a runtime of its own.
//! let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
//! runtime.block_on(async {
//!     let client = emulator.client()?;
//!     let namespaces: kube::Api<kube::core::DynamicObject> = kube::Api::all_with(
//!         client,
//!         &kube::core::ApiResource::erase::<k8s_openapi::api::core::v1::Namespace>(&()),
//!     );
//!     let default = namespaces.get("default").await?;
//!     assert_eq!(default.metadata.name.as_deref(), Some("default"));
//!     Ok::<_, Box<dyn std::error::Error>>(())
//! })?;
//! # Ok(()) }
//! ```

mod api;
mod controllers;
mod discovery;
mod faults;
mod meta;
mod patch;
mod registry;
mod selectors;
mod server;
mod ssa;
mod status;
mod store;
mod table;
mod tls;
mod watch;

use std::{path::Path, sync::Arc, thread::JoinHandle, time::Duration};

pub use self::faults::{FaultAction, FaultRule};
pub use gitops_apply::simulation::SimulationOptions;

use self::{faults::Faults, store::Store};
use crate::Error;

/// How to start an [`Emulator`].
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct EmulatorOptions {
    /// Port on 127.0.0.1; 0 (default) picks a free one.
    pub port: u16,
    /// Serve HTTPS with a freshly generated self-signed certificate (trusted by the kubeconfig
    /// and [`Emulator::kube_config`]). Default false: plain HTTP.
    pub tls: bool,
    /// Require `Authorization: Bearer <token>` on every request (401 otherwise). Default none.
    pub token: Option<String>,
    /// Run the simulated controllers. Default true.
    pub controllers: bool,
    /// Timing of the simulated controllers.
    pub simulation: SimulationOptions,
    /// Period of the simulated controllers' pass. Default 50 ms.
    pub tick: Duration,
    /// Interval between watch bookmarks (when the client allows them). Default 1 s.
    pub bookmark_interval: Duration,
    /// Watch events kept for resuming watches; older resourceVersions get 410. Default 10,000.
    pub history: usize,
    /// Seed of the fault-injection generator. Default 0.
    pub seed: u64,
}

impl Default for EmulatorOptions {
    fn default() -> Self {
        Self {
            port: 0,
            tls: false,
            token: None,
            controllers: true,
            simulation: SimulationOptions::default(),
            tick: Duration::from_millis(50),
            bookmark_interval: Duration::from_secs(1),
            history: 10_000,
            seed: 0,
        }
    }
}

impl EmulatorOptions {
    /// Sets [`EmulatorOptions::port`].
    #[must_use]
    pub fn port(mut self, port: u16) -> Self {
        self.port = port;
        self
    }

    /// Sets [`EmulatorOptions::tls`].
    #[must_use]
    pub fn tls(mut self, tls: bool) -> Self {
        self.tls = tls;
        self
    }

    /// Sets [`EmulatorOptions::token`].
    #[must_use]
    pub fn token(mut self, token: impl Into<String>) -> Self {
        self.token = Some(token.into());
        self
    }

    /// Sets [`EmulatorOptions::controllers`].
    #[must_use]
    pub fn controllers(mut self, on: bool) -> Self {
        self.controllers = on;
        self
    }

    /// Sets [`SimulationOptions::ready_after`] (time until workloads become ready).
    #[must_use]
    pub fn ready_after(mut self, delay: Duration) -> Self {
        self.simulation = self.simulation.ready_after(delay);
        self
    }

    /// Sets [`EmulatorOptions::bookmark_interval`].
    #[must_use]
    pub fn bookmark_interval(mut self, interval: Duration) -> Self {
        self.bookmark_interval = interval;
        self
    }

    /// Sets [`EmulatorOptions::history`].
    #[must_use]
    pub fn history(mut self, events: usize) -> Self {
        self.history = events;
        self
    }

    /// Sets [`EmulatorOptions::seed`].
    #[must_use]
    pub fn seed(mut self, seed: u64) -> Self {
        self.seed = seed;
        self
    }
}

/// State shared by the request handlers.
#[derive(Debug)]
pub(crate) struct App {
    store: Arc<Store>,
    faults: Faults,
    token: Option<String>,
    /// `127.0.0.1:<port>`, for `/api`'s serverAddressByClientCIDRs.
    address: String,
    simulation: Option<SimulationOptions>,
    tick: Duration,
    bookmark_interval: Duration,
}

/// A running emulator; dropping it stops the server (open watches are cut).
#[derive(Debug)]
pub struct Emulator {
    app: Arc<App>,
    url: String,
    uri: axum::http::Uri,
    ca: Option<tls::Certificate>,
    shutdown: tokio::sync::watch::Sender<bool>,
    thread: Option<JoinHandle<()>>,
}

impl Emulator {
    /// Binds `127.0.0.1:<port>` and starts serving on a background thread with its own Tokio
    /// runtime, so it works from synchronous tests, `#[tokio::test]`s and benches alike.
    ///
    /// # Errors
    /// [`Error::Io`] when the port cannot be bound or the runtime or server thread cannot be
    /// started; [`Error::Tls`] when the self-signed certificate or the TLS configuration fails
    /// ([`EmulatorOptions::tls`]).
    pub fn start(options: EmulatorOptions) -> Result<Self, Error> {
        let bind = format!("127.0.0.1:{}", options.port);
        let io = |what: String| move |source| Error::Io { what, source };
        let listener = std::net::TcpListener::bind(&bind).map_err(io(format!("bind {bind}")))?;
        listener
            .set_nonblocking(true)
            .map_err(io("set the listener non-blocking".into()))?;
        let address = listener
            .local_addr()
            .map_err(io("read the bound address".into()))?;
        let (acceptor, ca) = if options.tls {
            let (acceptor, certificate) = tls::self_signed()?;
            (Some(acceptor), Some(certificate))
        } else {
            (None, None)
        };
        let scheme = if options.tls { "https" } else { "http" };
        let url = format!("{scheme}://{address}");
        let uri: axum::http::Uri = url.parse().map_err(|e| Error::Io {
            what: format!("parse the emulator URL {url}"),
            source: std::io::Error::other(e),
        })?;
        let app = Arc::new(App {
            store: Arc::new(Store::new(options.history)),
            faults: Faults::new(options.seed),
            token: options.token,
            address: address.to_string(),
            simulation: options.controllers.then_some(options.simulation),
            tick: options.tick,
            bookmark_interval: options.bookmark_interval,
        });
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .thread_name("kube-emulator")
            .enable_all()
            .build()
            .map_err(io("build the server runtime".into()))?;
        let (shutdown, shutdown_rx) = tokio::sync::watch::channel(false);
        let server_app = Arc::clone(&app);
        let thread = std::thread::Builder::new()
            .name("kube-emulator".into())
            .spawn(move || {
                runtime.block_on(async move {
                    // Converting inside the runtime registers the socket with its reactor.
                    match tokio::net::TcpListener::from_std(listener) {
                        Ok(listener) => server::run(listener, acceptor, server_app, shutdown_rx).await,
                        Err(e) => tracing::error!("kube-emulator: cannot use the listener: {e}"),
                    }
                });
                runtime.shutdown_timeout(Duration::from_millis(200));
            })
            .map_err(io("spawn the server thread".into()))?;
        Ok(Self {
            app,
            url,
            uri,
            ca,
            shutdown,
            thread: Some(thread),
        })
    }

    /// The base URL, `http://127.0.0.1:<port>` (or `https://`).
    pub fn url(&self) -> &str {
        &self.url
    }

    /// The DER certificate clients must trust when [`EmulatorOptions::tls`] is on.
    pub fn ca_certificate(&self) -> Option<&[u8]> {
        self.ca.as_ref().map(|ca| ca.der.as_slice())
    }

    /// A kubeconfig (YAML) with one cluster, user and context named `kube-emulator`, the
    /// namespace `default`, the bearer token if any and the certificate authority when TLS is on.
    pub fn kubeconfig(&self) -> String {
        use base64::Engine as _;
        let mut cluster = format!("    server: {}\n", self.url);
        if let Some(ca) = &self.ca {
            let data = base64::engine::general_purpose::STANDARD.encode(&ca.pem);
            cluster = format!("{cluster}    certificate-authority-data: {data}\n");
        }
        let user = match &self.app.token {
            // A JSON string is a valid YAML double-quoted scalar: any token survives.
            Some(token) => format!(
                "  user:\n    token: {}\n",
                serde_json::Value::String(token.clone())
            ),
            None => "  user: {}\n".to_string(),
        };
        format!(
            "apiVersion: v1\nkind: Config\nclusters:\n- name: kube-emulator\n  cluster:\n{cluster}users:\n- name: kube-emulator\n{user}contexts:\n- name: kube-emulator\n  context:\n    cluster: kube-emulator\n    user: kube-emulator\n    namespace: default\ncurrent-context: kube-emulator\n"
        )
    }

    /// Writes [`Emulator::kubeconfig`] to `path` (for `kubectl --kubeconfig` or `KUBECONFIG`).
    pub fn write_kubeconfig(&self, path: &Path) -> Result<(), Error> {
        std::fs::write(path, self.kubeconfig()).map_err(|source| Error::Io {
            what: format!("write {}", path.display()),
            source,
        })
    }

    /// A [`kube::Config`] for this emulator (namespace `default`, token and CA as configured).
    pub fn kube_config(&self) -> kube::Config {
        let mut config = kube::Config::new(self.uri.clone());
        if let Some(ca) = &self.ca {
            config.root_cert = Some(vec![ca.der.clone()]);
        }
        if let Some(token) = &self.app.token {
            config.auth_info.token = Some(token.clone().into());
        }
        config
    }

    /// A [`kube::Client`] for this emulator. Must be called inside a Tokio runtime (the client
    /// spawns its buffer task there).
    ///
    /// # Errors
    /// [`Error::Kube`] when kube-rs cannot build a client from [`Emulator::kube_config`] (e.g.
    /// its TLS stack refuses the certificate).
    pub fn client(&self) -> Result<kube::Client, Error> {
        kube::Client::try_from(self.kube_config()).map_err(|e| Error::Kube(Box::new(e)))
    }

    /// Adds a fault rule; rules are checked in insertion order, the first that fires wins.
    pub fn inject(&self, rule: FaultRule) {
        self.app.faults.add(rule);
    }

    /// Removes every fault rule.
    pub fn clear_faults(&self) {
        self.app.faults.clear();
    }

    /// How many requests the injected [`FaultRule`]s have answered so far, all rules together
    /// (a request counts once, when a rule fires on it: a spent `times(n)` rule or a rate
    /// draw that misses does not count). [`Emulator::clear_faults`] does not reset it, so tests
    /// compare it before and after the requests they expect to be faulted.
    pub fn fault_hits(&self) -> u64 {
        self.app.faults.hits()
    }

    /// Forgets the watch history: watches resuming from any earlier resourceVersion get 410.
    pub fn compact(&self) {
        self.app.store.compact();
    }

    /// The latest resourceVersion.
    pub fn resource_version(&self) -> u64 {
        self.app.store.resource_version()
    }

    /// Number of stored objects (the four built-in namespaces included).
    pub fn object_count(&self) -> usize {
        self.app.store.len()
    }

    /// Bytes of the stored objects serialised as compact JSON (a lower bound of their memory).
    pub fn stored_json_bytes(&self) -> usize {
        self.app.store.json_bytes()
    }
}

impl Drop for Emulator {
    fn drop(&mut self) {
        let _ = self.shutdown.send(true);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}
