//! apps/v1 ReplicaSet, as gitops-engine's `getAppsv1ReplicaSetHealth`.

use serde_json::Value;

use crate::{
    Error, Health,
    object::{Typed, conditions},
};

pub(crate) fn assess(object: &Value) -> Result<Health, Error> {
    let t = Typed::new(object, "ReplicaSet");
    if t.i64(&["metadata", "generation"])? > t.i64(&["status", "observedGeneration"])? {
        return Ok(Health::progressing(
            "Waiting for rollout to finish: observed replica set generation less than desired generation",
        ));
    }
    let conditions = conditions(t)?;
    if let Some(failure) = conditions.iter().find(|c| c.type_ == "ReplicaFailure")
        && failure.status == "True"
    {
        return Ok(Health::degraded(failure.message));
    }
    let available = t.i64(&["status", "availableReplicas"])?;
    if let Some(want) = t.opt_i64(&["spec", "replicas"])?
        && available < want
    {
        return Ok(Health::progressing(format!(
            "Waiting for rollout to finish: {available} out of {want} new replicas are available..."
        )));
    }
    Ok(Health::healthy())
}
