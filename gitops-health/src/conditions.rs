//! Generic, kstatus-style health from `status.conditions`, for custom resources without a
//! specific assessor.

use std::collections::BTreeMap;

use gitops_core::GroupKind;
use serde_json::Value;

use crate::{
    Error, Health, HealthStatus,
    object::{Condition, Typed, conditions},
};

/// Which objects without a specific assessor get generic condition-based health.
///
/// The default follows Argo CD: no generic health (such objects have no health). Enable it for
/// every kind with [`ConditionsPolicy::all`], or per group or group/kind with
/// [`ConditionsPolicy::enable`] / [`ConditionsPolicy::disable`]; a kind `"*"` stands for every
/// kind of the group. The most specific entry wins (group/kind, then group/`*`, then the
/// default).
///
/// The rules, after kstatus (`status.Compute`) mapped to Argo CD statuses:
/// 1. `metadata.generation` > `status.observedGeneration` → Progressing
///    `"Waiting for generation <G> to be observed (observed <O>)"`.
/// 2. Condition `Stalled=True` → Degraded with the condition's `reason: message`.
/// 3. Condition `Reconciling=True` → Progressing with the condition's `reason: message`.
/// 4. Condition `Ready` (else `Available`): `True` → Healthy with its message; `False` with a
///    failure reason (ending in `Failed`, `Failure`, `Error` or `BackOff`, or one of `Failed`,
///    `Error`, `Degraded`, `Stalled`, `ProgressDeadlineExceeded`) → Degraded; any other `False`
///    or `Unknown` → Progressing; messages are `reason: message`.
/// 5. No such condition → Healthy `"Resource is current"` (kstatus' Current), or no health
///    when [`ConditionsPolicy::require_conditions`] is set.
///
/// ```
/// use gitops_health::{ConditionsPolicy, HealthStatus, Registry};
/// let registry = Registry::default().with_conditions(ConditionsPolicy::all());
/// let cr = serde_json::json!({"apiVersion": "example.com/v1", "kind": "Widget",
///     "metadata": {"name": "w", "generation": 2},
///     "status": {"observedGeneration": 2, "conditions": [
///         {"type": "Ready", "status": "False", "reason": "InstallFailed", "message": "boom"}]}});
/// let health = registry.assess(&cr).unwrap().unwrap();
/// assert_eq!(health.status, HealthStatus::Degraded);
/// assert_eq!(health.message, "InstallFailed: boom");
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct ConditionsPolicy {
    /// Whether kinds not listed in `kinds` get generic health.
    pub default_enabled: bool,
    /// Per group/kind switches; kind `"*"` matches the whole group.
    pub kinds: BTreeMap<GroupKind, bool>,
    /// Objects with neither a generation mismatch nor a known condition get no health instead
    /// of Healthy.
    pub require_conditions: bool,
}

impl ConditionsPolicy {
    /// Argo CD's behaviour: generic health off for every kind.
    pub fn none() -> Self {
        Self::default()
    }

    /// Generic health on for every kind without a specific assessor.
    pub fn all() -> Self {
        Self {
            default_enabled: true,
            ..Self::default()
        }
    }

    /// Turns generic health on for `group_kind` (kind `"*"` for the whole group).
    #[must_use]
    pub fn enable(mut self, group_kind: GroupKind) -> Self {
        self.kinds.insert(group_kind, true);
        self
    }

    /// Turns generic health off for `group_kind` (kind `"*"` for the whole group).
    #[must_use]
    pub fn disable(mut self, group_kind: GroupKind) -> Self {
        self.kinds.insert(group_kind, false);
        self
    }

    /// Objects without any known condition get no health instead of Healthy.
    #[must_use]
    pub fn require_conditions(mut self, require: bool) -> Self {
        self.require_conditions = require;
        self
    }

    /// Whether the policy applies to objects of `group` and `kind`.
    pub fn applies_to(&self, group: &str, kind: &str) -> bool {
        if self.kinds.is_empty() {
            return self.default_enabled;
        }
        let lookup = |kind: &str| self.kinds.get(&GroupKind::new(group, kind)).copied();
        lookup(kind)
            .or_else(|| lookup("*"))
            .unwrap_or(self.default_enabled)
    }

    /// Generic health of `object` by the rules above, regardless of [`Self::applies_to`].
    /// `None` only with [`Self::require_conditions`].
    pub fn assess(&self, object: &Value) -> Result<Option<Health>, Error> {
        let t = Typed::new(object, "object");
        let generation = t.opt_i64(&["metadata", "generation"])?;
        let observed = t.opt_i64(&["status", "observedGeneration"])?;
        if let (Some(generation), Some(observed)) = (generation, observed)
            && generation > observed
        {
            return Ok(Some(Health::progressing(format!(
                "Waiting for generation {generation} to be observed (observed {observed})"
            ))));
        }
        let conditions = conditions(t)?;
        let find = |type_: &str| conditions.iter().find(|c| c.type_ == type_);
        if let Some(c) = find("Stalled").filter(|c| c.status == "True") {
            return Ok(Some(Health::degraded(describe(c))));
        }
        if let Some(c) = find("Reconciling").filter(|c| c.status == "True") {
            return Ok(Some(Health::progressing(describe(c))));
        }
        if let Some(c) = find("Ready").or_else(|| find("Available")) {
            let status = match c.status {
                "True" => return Ok(Some(Health::new(HealthStatus::Healthy, c.message))),
                "False" if is_failure_reason(c.reason) => HealthStatus::Degraded,
                _ => HealthStatus::Progressing,
            };
            return Ok(Some(Health::new(status, describe(c))));
        }
        if self.require_conditions {
            return Ok(None);
        }
        Ok(Some(Health::new(HealthStatus::Healthy, "Resource is current")))
    }
}

/// `reason: message`, or whichever of the two is present.
fn describe(c: &Condition<'_>) -> String {
    match (c.reason.is_empty(), c.message.is_empty()) {
        (false, false) => format!("{}: {}", c.reason, c.message),
        (false, true) => c.reason.to_owned(),
        _ => c.message.to_owned(),
    }
}

fn is_failure_reason(reason: &str) -> bool {
    matches!(
        reason,
        "Failed" | "Error" | "Degraded" | "Stalled" | "ProgressDeadlineExceeded"
    ) || ["Failed", "Failure", "Error", "BackOff"]
        .iter()
        .any(|suffix| reason.ends_with(suffix))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn most_specific_entry_wins() {
        let policy = ConditionsPolicy::all()
            .disable(GroupKind::new("example.com", "*"))
            .enable(GroupKind::new("example.com", "Widget"));
        assert!(policy.applies_to("example.com", "Widget"));
        assert!(!policy.applies_to("example.com", "Gadget"));
        assert!(policy.applies_to("other.io", "Thing"));
        assert!(!ConditionsPolicy::none().applies_to("a", "B"));
    }

    #[test]
    fn failure_reasons() {
        assert!(is_failure_reason("InstallFailed"));
        assert!(is_failure_reason("ImagePullBackOff"));
        assert!(!is_failure_reason("Progressing"));
        assert!(!is_failure_reason(""));
    }
}
