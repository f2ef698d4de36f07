//! apps/v1 DaemonSet, as gitops-engine's `getAppsv1DaemonSetHealth`.

use serde_json::Value;

use crate::{
    Error, Health, HealthStatus,
    object::{Typed, go_quote},
};

pub(crate) fn assess(object: &Value) -> Result<Health, Error> {
    let t = Typed::new(object, "DaemonSet");
    if t.i64(&["metadata", "generation"])? > t.i64(&["status", "observedGeneration"])? {
        return Ok(Health::progressing(
            "Waiting for rollout to finish: observed daemon set generation less than desired generation",
        ));
    }
    let updated = t.i64(&["status", "updatedNumberScheduled"])?;
    let desired = t.i64(&["status", "desiredNumberScheduled"])?;
    let available = t.i64(&["status", "numberAvailable"])?;
    if t.str(&["spec", "updateStrategy", "type"])? == "OnDelete" {
        return Ok(Health::new(
            HealthStatus::Healthy,
            format!("daemon set {updated} out of {desired} new pods have been updated"),
        ));
    }
    let name = t.str(&["metadata", "name"])?;
    if updated < desired {
        return Ok(Health::progressing(format!(
            "Waiting for daemon set {} rollout to finish: {updated} out of {desired} new pods have been updated...",
            go_quote(name)
        )));
    }
    if available < desired {
        return Ok(Health::progressing(format!(
            "Waiting for daemon set {} rollout to finish: {available} of {desired} updated pods are available...",
            go_quote(name)
        )));
    }
    Ok(Health::healthy())
}
