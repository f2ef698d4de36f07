//! Fault injection: scripted failures per verb and resource, by count or rate, from a fixed
//! random seed so that tests are repeatable.

use std::{
    sync::{
        Mutex,
        atomic::{AtomicU64, Ordering},
    },
    time::Duration,
};

use rand::{RngExt as _, SeedableRng as _, rngs::StdRng};

/// What an injected fault does to a matching request.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum FaultAction {
    /// Answer `500 InternalError` with a `Status` body.
    InternalError,
    /// Answer `429 TooManyRequests` with `Retry-After: <seconds>` (header and
    /// `details.retryAfterSeconds`).
    TooManyRequests {
        /// The `Retry-After` value in seconds.
        retry_after: u64,
    },
    /// Answer `409 Conflict` (the optimistic-concurrency message) without touching the object.
    Conflict,
    /// Delay the request by this long, then serve it normally.
    Delay(Duration),
    /// For watches: close the event stream after this many events (0: right after the headers),
    /// as a dropped connection would.
    DropWatch {
        /// Events sent before the stream ends.
        after_events: usize,
    },
}

/// One fault rule: which requests it matches, what it does, how often.
///
/// ```
/// use gitops_testkit::emulator::{FaultAction, FaultRule};
/// // The next two GETs of deployments answer 500; then the rule is spent.
/// let rule = FaultRule::new(FaultAction::InternalError).verb("get").resource("deployments").times(2);
/// assert_eq!(rule.remaining(), Some(2));
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct FaultRule {
    verb: Option<String>,
    resource: Option<String>,
    action: FaultAction,
    times: Option<u32>,
    rate: f64,
}

impl FaultRule {
    /// A rule matching every request, every time, until removed.
    pub fn new(action: FaultAction) -> Self {
        Self {
            verb: None,
            resource: None,
            action,
            times: None,
            rate: 1.0,
        }
    }

    /// Only requests of this Kubernetes verb: `get`, `list`, `watch`, `create`, `update`,
    /// `patch`, `delete`, `deletecollection`.
    #[must_use]
    pub fn verb(mut self, verb: &str) -> Self {
        self.verb = Some(verb.to_string());
        self
    }

    /// Only requests for this resource (plural, e.g. `deployments`; `deployments/status` for the
    /// subresource).
    #[must_use]
    pub fn resource(mut self, resource: &str) -> Self {
        self.resource = Some(resource.to_string());
        self
    }

    /// Fire at most `n` times, then stop matching.
    #[must_use]
    pub fn times(mut self, n: u32) -> Self {
        self.times = Some(n);
        self
    }

    /// Fire on this fraction of the matching requests (0.0–1.0), drawn from the emulator's
    /// seeded generator.
    #[must_use]
    pub fn rate(mut self, rate: f64) -> Self {
        self.rate = rate.clamp(0.0, 1.0);
        self
    }

    /// How many more times the rule fires (`None`: unlimited).
    pub fn remaining(&self) -> Option<u32> {
        self.times
    }

    fn matches(&self, verb: &str, resource: &str) -> bool {
        self.times != Some(0)
            && self.verb.as_deref().is_none_or(|v| v == verb)
            && self.resource.as_deref().is_none_or(|r| r == resource)
    }
}

/// The active rules, the seeded generator and how many requests the rules have answered.
#[derive(Debug)]
pub(crate) struct Faults {
    inner: Mutex<(Vec<FaultRule>, StdRng)>,
    hits: AtomicU64,
}

impl Faults {
    pub(crate) fn new(seed: u64) -> Self {
        Self {
            inner: Mutex::new((Vec::new(), StdRng::seed_from_u64(seed))),
            hits: AtomicU64::new(0),
        }
    }

    /// How many requests a rule has fired on so far (all rules together, cleared ones included).
    pub(crate) fn hits(&self) -> u64 {
        self.hits.load(Ordering::SeqCst)
    }

    pub(crate) fn add(&self, rule: FaultRule) {
        self.lock().0.push(rule);
    }

    pub(crate) fn clear(&self) {
        self.lock().0.clear();
    }

    /// The action of the first rule that matches and fires for this request, if any.
    pub(crate) fn check(&self, verb: &str, resource: &str) -> Option<FaultAction> {
        let mut guard = self.lock();
        let (rules, rng) = &mut *guard;
        for rule in rules.iter_mut() {
            if !rule.matches(verb, resource) {
                continue;
            }
            if rule.rate < 1.0 && !rng.random_bool(rule.rate) {
                continue;
            }
            if let Some(n) = &mut rule.times {
                *n -= 1;
            }
            self.hits.fetch_add(1, Ordering::SeqCst);
            return Some(rule.action.clone());
        }
        None
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, (Vec<FaultRule>, StdRng)> {
        self.inner
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counted_rules_are_spent() {
        let faults = Faults::new(1);
        faults.add(
            FaultRule::new(FaultAction::InternalError)
                .verb("get")
                .resource("pods")
                .times(2),
        );
        assert_eq!(faults.check("list", "pods"), None);
        assert_eq!(faults.check("get", "pods"), Some(FaultAction::InternalError));
        assert_eq!(faults.check("get", "pods"), Some(FaultAction::InternalError));
        assert_eq!(faults.check("get", "pods"), None);
        assert_eq!(faults.hits(), 2, "only the two firings count");
    }

    #[test]
    fn rates_are_repeatable_with_a_seed() {
        let draw = || {
            let faults = Faults::new(42);
            faults.add(FaultRule::new(FaultAction::Conflict).rate(0.5));
            (0..64)
                .map(|_| faults.check("get", "x").is_some())
                .collect::<Vec<_>>()
        };
        let first = draw();
        assert_eq!(first, draw());
        let fired = first.iter().filter(|f| **f).count();
        assert!((16..=48).contains(&fired), "{fired} of 64 at rate 0.5");
    }
}
