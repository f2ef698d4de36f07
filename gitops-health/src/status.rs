//! [`HealthStatus`] and [`Health`]: the result of assessing one object.

use std::{fmt, str::FromStr};

use serde::{Deserialize, Serialize};

use crate::Error;

/// The health of one Kubernetes object, with Argo CD's names and severity order.
///
/// The derived [`Ord`] is gitops-engine's `IsWorse` order, so `max` over a set of statuses is the
/// aggregate Argo CD reports for an application:
/// `Healthy < Suspended < Progressing < Missing < Degraded < Unknown`.
///
/// [`Display`](fmt::Display) and [`FromStr`] use the exact Argo CD strings (`"Healthy"`, ...);
/// serde uses the same strings.
///
/// ```
/// use gitops_health::HealthStatus;
/// assert!(HealthStatus::Degraded > HealthStatus::Progressing);
/// assert_eq!(HealthStatus::Suspended.to_string(), "Suspended");
/// assert_eq!("Missing".parse::<HealthStatus>().unwrap(), HealthStatus::Missing);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum HealthStatus {
    /// The object is running as intended.
    Healthy,
    /// The object is paused or suspended on purpose (a paused Deployment, a suspended Job).
    Suspended,
    /// The object is not healthy yet but may become healthy (rollout under way, pending pod).
    Progressing,
    /// The object does not exist in the cluster. Assessors never return it; callers use it for
    /// desired objects that have no live counterpart.
    Missing,
    /// The object failed or cannot become healthy without intervention.
    Degraded,
    /// The health could not be determined (assessor or script error, unknown phase).
    Unknown,
}

impl HealthStatus {
    /// Every status, from best to worst.
    pub const ALL: [HealthStatus; 6] = [
        HealthStatus::Healthy,
        HealthStatus::Suspended,
        HealthStatus::Progressing,
        HealthStatus::Missing,
        HealthStatus::Degraded,
        HealthStatus::Unknown,
    ];

    /// The Argo CD string, e.g. `"Progressing"`.
    pub fn as_str(self) -> &'static str {
        match self {
            HealthStatus::Healthy => "Healthy",
            HealthStatus::Suspended => "Suspended",
            HealthStatus::Progressing => "Progressing",
            HealthStatus::Missing => "Missing",
            HealthStatus::Degraded => "Degraded",
            HealthStatus::Unknown => "Unknown",
        }
    }

    /// gitops-engine's `IsWorse(self, other)`: whether `other` is strictly worse than `self`.
    pub fn is_worse(self, other: HealthStatus) -> bool {
        other > self
    }
}

impl fmt::Display for HealthStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for HealthStatus {
    type Err = Error;

    /// Parses an Argo CD status string; matching is exact (case-sensitive), as in Argo CD.
    ///
    /// # Errors
    /// [`Error::InvalidStatus`] for any other text, including `""`.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        HealthStatus::ALL
            .into_iter()
            .find(|status| status.as_str() == s)
            .ok_or_else(|| Error::InvalidStatus { status: s.to_owned() })
    }
}

/// The health of one object: a [`HealthStatus`] and a human-readable message (may be empty), as
/// gitops-engine's `HealthStatus{Status, Message}`.
///
/// "No health" (no assessor applies to the kind) is not a `Health`: APIs return
/// `Option<Health>` and use `None` for it.
///
/// ```
/// use gitops_health::{Health, HealthStatus};
/// let h = Health::new(HealthStatus::Progressing, "Waiting to Autoscale");
/// assert_eq!(h.to_string(), "Progressing: Waiting to Autoscale");
/// assert_eq!(Health::healthy().to_string(), "Healthy");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Health {
    /// The status.
    pub status: HealthStatus,
    /// The message; `""` when the assessor gives none.
    #[serde(default)]
    pub message: String,
}

impl Health {
    /// Builds a health from a status and message.
    pub fn new(status: HealthStatus, message: impl Into<String>) -> Self {
        Self {
            status,
            message: message.into(),
        }
    }

    /// `Healthy` with an empty message.
    pub fn healthy() -> Self {
        Self::new(HealthStatus::Healthy, "")
    }

    /// `Progressing` with the given message.
    pub fn progressing(message: impl Into<String>) -> Self {
        Self::new(HealthStatus::Progressing, message)
    }

    /// `Degraded` with the given message.
    pub fn degraded(message: impl Into<String>) -> Self {
        Self::new(HealthStatus::Degraded, message)
    }

    /// `Unknown` with the given message (usually an error text).
    pub fn unknown(message: impl Into<String>) -> Self {
        Self::new(HealthStatus::Unknown, message)
    }
}

impl fmt::Display for Health {
    /// `Status` or `Status: message`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.message.is_empty() {
            f.write_str(self.status.as_str())
        } else {
            write!(f, "{}: {}", self.status, self.message)
        }
    }
}
