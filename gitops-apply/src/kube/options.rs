//! [`KubeApplierOptions`]: concurrency, retries and discovery of a [`KubeApplier`](super::KubeApplier).

use std::time::Duration;

use gitops_core::annotations::PropagationPolicy;

/// How a [`KubeApplier`](super::KubeApplier) talks to the API server.
///
/// Every request (get, list page, apply, delete, one discovery pass) takes one of
/// [`max_concurrent_requests`](Self::max_concurrent_requests) permits for as long as it is on
/// the wire; a retry gives its permit back while it waits.
///
/// A failed request is retried up to [`max_retries`](Self::max_retries) times when the failure
/// is transient: HTTP 429 Too Many Requests, 500, 502, 503 and 504, a 409 optimistic-concurrency
/// conflict that is not a server-side apply conflict, a transport error (connection refused or
/// reset) or a request that took longer than [`request_timeout`](Self::request_timeout).
/// Validation and permission errors (400, 401, 403, 404, 409 apply conflicts, 422) are never
/// retried. The wait before retry `n` (from 0) is exponential with "equal jitter", as client-go's
/// and Argo CD's backoffs: `d = min(initial_backoff * 2^n, max_backoff)`, then a uniform draw in
/// `[d/2, d]`; when the server names a delay (the `Retry-After` header or the Status'
/// `details.retryAfterSeconds`) the wait is at least that long. No wait exceeds
/// [`max_backoff`](Self::max_backoff).
///
/// ```
/// use std::time::Duration;
/// use gitops_apply::kube::KubeApplierOptions;
/// let options = KubeApplierOptions::default().max_concurrent_requests(32).max_retries(3);
/// assert_eq!(options.max_concurrent_requests, 32);
/// assert_eq!(options.initial_backoff, Duration::from_millis(100));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct KubeApplierOptions {
    /// Requests in flight at once. Default 16; 0 is treated as 1.
    pub max_concurrent_requests: usize,
    /// Retries of one request after its first attempt. Default 6; 0 disables retries.
    pub max_retries: u32,
    /// Base of the exponential backoff. Default 100 ms.
    pub initial_backoff: Duration,
    /// Upper bound of any wait between two attempts, `Retry-After` included. Default 30 s.
    pub max_backoff: Duration,
    /// Time limit of one attempt (one HTTP exchange, or one discovery pass); an attempt that
    /// exceeds it counts as a transient failure. Default 60 s; `None` leaves only the client's
    /// own read timeout.
    pub request_timeout: Option<Duration>,
    /// Minimum time between two discovery refreshes caused by a lookup miss (a kind the cached
    /// discovery does not know), so that a burst of objects of an unknown kind costs one refresh.
    /// Applying or deleting a CustomResourceDefinition through the applier always allows the next
    /// miss to refresh. Default 1 s.
    pub discovery_refresh_interval: Duration,
    /// Objects per list request (`limit`); longer lists are read page by page with `continue`.
    /// Default 500; 0 reads every list in one request.
    pub list_page_size: u32,
    /// `propagationPolicy` of deletes whose [`DeleteOptions::propagation`](crate::DeleteOptions::propagation)
    /// is `None`: what the garbage collector does with the dependents (objects whose
    /// `ownerReferences` name the deleted object). Default
    /// [`PropagationPolicy::Background`], as kubectl (Argo CD prunes with `Foreground`, which the
    /// sync engine passes explicitly).
    pub delete_propagation: PropagationPolicy,
    /// Field managers of client-side apply whose ownership a server-side apply takes over (Argo
    /// CD's `ClientSideApplyMigration`, on by default). Default `["kubectl-client-side-apply"]`;
    /// empty turns the migration off.
    ///
    /// When a (non-dry-run) apply finds such a manager's `Update` entry in the object's
    /// managedFields, or conflicts only with such managers, the applier moves those fields to its
    /// own field manager ([`upgrade_managed_fields`](super::upgrade_managed_fields), written with
    /// a merge patch guarded by the object's resourceVersion) and applies again, so fields
    /// removed from Git since the last `kubectl apply` are removed from the cluster. Objects
    /// without such entries cost nothing extra.
    pub client_side_apply_managers: Vec<String>,
}

impl Default for KubeApplierOptions {
    fn default() -> Self {
        Self {
            max_concurrent_requests: 16,
            max_retries: 6,
            initial_backoff: Duration::from_millis(100),
            max_backoff: Duration::from_secs(30),
            request_timeout: Some(Duration::from_secs(60)),
            discovery_refresh_interval: Duration::from_secs(1),
            list_page_size: 500,
            delete_propagation: PropagationPolicy::Background,
            client_side_apply_managers: vec!["kubectl-client-side-apply".to_owned()],
        }
    }
}

impl KubeApplierOptions {
    /// Sets [`KubeApplierOptions::max_concurrent_requests`].
    #[must_use]
    pub fn max_concurrent_requests(mut self, n: usize) -> Self {
        self.max_concurrent_requests = n;
        self
    }

    /// Sets [`KubeApplierOptions::max_retries`].
    #[must_use]
    pub fn max_retries(mut self, n: u32) -> Self {
        self.max_retries = n;
        self
    }

    /// Sets [`KubeApplierOptions::initial_backoff`] and [`KubeApplierOptions::max_backoff`].
    #[must_use]
    pub fn backoff(mut self, initial: Duration, max: Duration) -> Self {
        self.initial_backoff = initial;
        self.max_backoff = max;
        self
    }

    /// Sets [`KubeApplierOptions::request_timeout`].
    #[must_use]
    pub fn request_timeout(mut self, timeout: Option<Duration>) -> Self {
        self.request_timeout = timeout;
        self
    }

    /// Sets [`KubeApplierOptions::discovery_refresh_interval`].
    #[must_use]
    pub fn discovery_refresh_interval(mut self, interval: Duration) -> Self {
        self.discovery_refresh_interval = interval;
        self
    }

    /// Sets [`KubeApplierOptions::delete_propagation`].
    #[must_use]
    pub fn delete_propagation(mut self, propagation: PropagationPolicy) -> Self {
        self.delete_propagation = propagation;
        self
    }

    /// Sets [`KubeApplierOptions::client_side_apply_managers`].
    #[must_use]
    pub fn client_side_apply_managers<S: Into<String>>(
        mut self,
        managers: impl IntoIterator<Item = S>,
    ) -> Self {
        self.client_side_apply_managers = managers.into_iter().map(Into::into).collect();
        self
    }

    /// Sets [`KubeApplierOptions::list_page_size`].
    #[must_use]
    pub fn list_page_size(mut self, size: u32) -> Self {
        self.list_page_size = size;
        self
    }
}
