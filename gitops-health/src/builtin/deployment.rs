//! apps/v1 Deployment, as gitops-engine's `getAppsv1DeploymentHealth`.

use serde_json::Value;

use crate::{
    Error, Health, HealthStatus,
    object::{Typed, conditions, go_quote},
};

pub(crate) fn assess(object: &Value) -> Result<Health, Error> {
    let t = Typed::new(object, "Deployment");
    if t.bool(&["spec", "paused"])? {
        return Ok(Health::new(HealthStatus::Suspended, "Deployment is paused"));
    }
    if t.i64(&["metadata", "generation"])? > t.i64(&["status", "observedGeneration"])? {
        return Ok(Health::progressing(
            "Waiting for rollout to finish: observed deployment generation less than desired generation",
        ));
    }
    let progress_deadline_exceeded = conditions(t)?
        .iter()
        .find(|c| c.type_ == "Progressing")
        .is_some_and(|c| c.reason == "ProgressDeadlineExceeded");
    let spec_replicas = t.opt_i64(&["spec", "replicas"])?;
    let replicas = t.i64(&["status", "replicas"])?;
    let updated = t.i64(&["status", "updatedReplicas"])?;
    let available = t.i64(&["status", "availableReplicas"])?;
    if progress_deadline_exceeded {
        let name = t.str(&["metadata", "name"])?;
        return Ok(Health::degraded(format!(
            "Deployment {} exceeded its progress deadline",
            go_quote(name)
        )));
    }
    if let Some(want) = spec_replicas.filter(|want| updated < *want) {
        return Ok(Health::progressing(format!(
            "Waiting for rollout to finish: {updated} out of {want} new replicas have been updated..."
        )));
    }
    if replicas > updated {
        return Ok(Health::progressing(format!(
            "Waiting for rollout to finish: {} old replicas are pending termination...",
            replicas - updated
        )));
    }
    if available < updated {
        return Ok(Health::progressing(format!(
            "Waiting for rollout to finish: {available} of {updated} updated replicas are available..."
        )));
    }
    Ok(Health::healthy())
}
