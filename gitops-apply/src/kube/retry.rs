//! The retry policy of [`KubeApplierOptions`]: which failures are transient and how long to wait.

use std::time::Duration;

use ::kube::core::Status;

use super::KubeApplierOptions;

/// What to do after a failed attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Verdict {
    /// Transient: try again, after at least `after` when the server named a delay.
    Retry {
        /// The server's `Retry-After`, if any.
        after: Option<Duration>,
    },
    /// Permanent: report the error.
    Fail,
}

/// Classifies a kube-rs error: 429, 5xx (500, 502, 503, 504), optimistic-concurrency 409s and
/// transport errors are transient; everything else (validation, permissions, not found, apply
/// conflicts, malformed answers) is not.
pub(super) fn classify(error: &::kube::Error) -> Verdict {
    match error {
        ::kube::Error::Api(status) => classify_status(status),
        ::kube::Error::HyperError(_) | ::kube::Error::Service(_) | ::kube::Error::ReadEvents(_) => {
            Verdict::Retry { after: None }
        }
        _ => Verdict::Fail,
    }
}

fn classify_status(status: &Status) -> Verdict {
    let after = status
        .details
        .as_ref()
        .map(|d| d.retry_after_seconds)
        .filter(|s| *s > 0)
        .map(|s| Duration::from_secs(u64::from(s)));
    match status.code {
        429 | 500 | 502 | 503 | 504 => Verdict::Retry { after },
        409 if status.reason == "Conflict" && !is_apply_conflict(status) => Verdict::Retry { after },
        _ => Verdict::Fail,
    }
}

/// Whether a 409 is a server-side apply conflict (fields owned by other managers), as opposed to
/// an optimistic-concurrency conflict ("the object has been modified").
pub(super) fn is_apply_conflict(status: &Status) -> bool {
    status.code == 409
        && (status.message.starts_with("Apply failed with")
            || status
                .details
                .as_ref()
                .is_some_and(|d| d.causes.iter().any(|c| c.reason == "FieldManagerConflict")))
}

/// The wait before retry number `attempt` (0 for the first retry): exponential, capped, with
/// equal jitter (`jitter` in `[0, 1]` picks a point in `[d/2, d]`), at least the server's
/// `Retry-After`, and never more than `max_backoff`.
pub(super) fn backoff(
    options: &KubeApplierOptions,
    attempt: u32,
    jitter: f64,
    retry_after: Option<Duration>,
) -> Duration {
    let factor = 2u32.saturating_pow(attempt.min(31));
    let base = options
        .initial_backoff
        .saturating_mul(factor)
        .min(options.max_backoff);
    let half = base / 2;
    let jittered = half + half.mul_f64(jitter.clamp(0.0, 1.0));
    jittered
        .max(retry_after.unwrap_or_default())
        .min(options.max_backoff)
}

#[cfg(test)]
mod tests {
    use ::kube::core::Status;

    use super::*;

    fn status(code: u16, reason: &str, message: &str) -> ::kube::Error {
        ::kube::Error::Api(Status::failure(message, reason).with_code(code).boxed())
    }

    #[test]
    fn transient_statuses_are_retried() {
        for code in [429, 500, 502, 503, 504] {
            assert_eq!(
                classify(&status(code, "X", "m")),
                Verdict::Retry { after: None },
                "{code}"
            );
        }
    }

    #[test]
    fn validation_and_permission_errors_are_not_retried() {
        for (code, reason) in [
            (400, "BadRequest"),
            (401, "Unauthorized"),
            (403, "Forbidden"),
            (404, "NotFound"),
            (409, "AlreadyExists"),
            (410, "Expired"),
            (415, "UnsupportedMediaType"),
            (422, "Invalid"),
        ] {
            assert_eq!(classify(&status(code, reason, "m")), Verdict::Fail, "{code}");
        }
    }

    fn from_json(status: serde_json::Value) -> ::kube::Error {
        ::kube::Error::Api(serde_json::from_value::<Status>(status).unwrap().boxed())
    }

    #[test]
    fn apply_conflicts_fail_but_stale_writes_retry() {
        let apply = from_json(serde_json::json!({
            "status": "Failure", "code": 409, "reason": "Conflict",
            "message": "Apply failed with 1 conflict: conflict with \"x\": .data.a",
            "details": {"causes": [{"reason": "FieldManagerConflict",
                "message": "conflict with \"x\"", "field": ".data.a"}]}
        }));
        assert_eq!(classify(&apply), Verdict::Fail);
        let stale = status(
            409,
            "Conflict",
            "Operation cannot be fulfilled: the object has been modified",
        );
        assert_eq!(classify(&stale), Verdict::Retry { after: None });
    }

    #[test]
    fn retry_after_is_read_from_the_status_details() {
        let error = from_json(serde_json::json!({
            "status": "Failure", "code": 429, "reason": "TooManyRequests", "message": "slow down",
            "details": {"retryAfterSeconds": 3}
        }));
        assert_eq!(
            classify(&error),
            Verdict::Retry {
                after: Some(Duration::from_secs(3))
            }
        );
    }

    #[test]
    fn local_errors_are_not_retried() {
        let serde = serde_json::from_str::<u8>("x").unwrap_err();
        assert_eq!(classify(&::kube::Error::SerdeError(serde)), Verdict::Fail);
        let io = std::io::Error::new(std::io::ErrorKind::TimedOut, "timed out");
        assert_eq!(
            classify(&::kube::Error::Service(Box::new(io))),
            Verdict::Retry { after: None }
        );
    }

    #[test]
    fn backoff_grows_exponentially_with_jitter_and_a_cap() {
        let options =
            KubeApplierOptions::default().backoff(Duration::from_millis(100), Duration::from_secs(2));
        assert_eq!(backoff(&options, 0, 0.0, None), Duration::from_millis(50));
        assert_eq!(backoff(&options, 0, 1.0, None), Duration::from_millis(100));
        assert_eq!(backoff(&options, 3, 0.5, None), Duration::from_millis(600));
        // 100 ms * 2^10 is capped at 2 s, then jittered within [1 s, 2 s].
        assert_eq!(backoff(&options, 10, 0.0, None), Duration::from_secs(1));
        assert_eq!(backoff(&options, u32::MAX, 1.0, None), Duration::from_secs(2));
    }

    #[test]
    fn retry_after_is_a_lower_bound_within_the_cap() {
        let options =
            KubeApplierOptions::default().backoff(Duration::from_millis(100), Duration::from_secs(5));
        let after = Some(Duration::from_secs(2));
        assert_eq!(backoff(&options, 0, 0.3, after), Duration::from_secs(2));
        assert_eq!(
            backoff(&options, 0, 0.3, Some(Duration::from_secs(60))),
            Duration::from_secs(5)
        );
    }
}
