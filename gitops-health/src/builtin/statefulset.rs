//! apps/v1 StatefulSet, as gitops-engine's `getAppsv1StatefulSetHealth`.

use serde_json::Value;

use crate::{Error, Health, object::Typed};

pub(crate) fn assess(object: &Value) -> Result<Health, Error> {
    let t = Typed::new(object, "StatefulSet");
    let observed = t.i64(&["status", "observedGeneration"])?;
    if observed == 0 || t.i64(&["metadata", "generation"])? > observed {
        return Ok(Health::progressing(
            "Waiting for statefulset spec update to be observed...",
        ));
    }
    let spec_replicas = t.opt_i64(&["spec", "replicas"])?;
    let ready = t.i64(&["status", "readyReplicas"])?;
    let updated = t.i64(&["status", "updatedReplicas"])?;
    if let Some(want) = spec_replicas.filter(|want| ready < *want) {
        return Ok(Health::progressing(format!(
            "Waiting for {} pods to be ready...",
            want - ready
        )));
    }
    let strategy = t.str(&["spec", "updateStrategy", "type"])?;
    if strategy == "RollingUpdate" && t.object(&["spec", "updateStrategy", "rollingUpdate"])?.is_some() {
        let partition = t.opt_i64(&["spec", "updateStrategy", "rollingUpdate", "partition"])?;
        if let (Some(want), Some(partition)) = (spec_replicas, partition)
            && updated < want - partition
        {
            return Ok(Health::progressing(format!(
                "Waiting for partitioned roll out to finish: {updated} out of {} new pods have been updated...",
                want - partition
            )));
        }
        return Ok(Health::new(
            crate::HealthStatus::Healthy,
            format!("partitioned roll out complete: {updated} new pods have been updated..."),
        ));
    }
    if strategy == "OnDelete" {
        return Ok(Health::new(
            crate::HealthStatus::Healthy,
            format!("statefulset has {ready} ready pods"),
        ));
    }
    let update_revision = t.str(&["status", "updateRevision"])?;
    let current_revision = t.str(&["status", "currentRevision"])?;
    if update_revision != current_revision {
        return Ok(Health::progressing(format!(
            "waiting for statefulset rolling update to complete {updated} pods at revision {update_revision}..."
        )));
    }
    let current = t.i64(&["status", "currentReplicas"])?;
    Ok(Health::new(
        crate::HealthStatus::Healthy,
        format!("statefulset rolling update complete {current} pods at revision {current_revision}..."),
    ))
}
