//! v1 PersistentVolumeClaim, as gitops-engine's `getCorev1PVCHealth`.

use serde_json::Value;

use crate::{Error, Health, HealthStatus, object::Typed};

pub(crate) fn assess(object: &Value) -> Result<Health, Error> {
    let t = Typed::new(object, "PersistentVolumeClaim");
    let status = match t.str(&["status", "phase"])? {
        "Lost" => HealthStatus::Degraded,
        "Pending" => HealthStatus::Progressing,
        "Bound" => HealthStatus::Healthy,
        _ => HealthStatus::Unknown,
    };
    Ok(Health::new(status, ""))
}
