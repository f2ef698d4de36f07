//! apiregistration.k8s.io v1 / v1beta1 APIService, as gitops-engine's `getAPIServiceHealth`.

use serde_json::Value;

use crate::{
    Error, Health, HealthStatus,
    object::{Typed, conditions},
};

pub(crate) fn assess(object: &Value) -> Result<Health, Error> {
    let t = Typed::new(object, "APIService");
    if let Some(c) = conditions(t)?.iter().find(|c| c.type_ == "Available") {
        let status = if c.status == "True" {
            HealthStatus::Healthy
        } else {
            HealthStatus::Progressing
        };
        return Ok(Health::new(status, format!("{}: {}", c.reason, c.message)));
    }
    Ok(Health::progressing("Waiting to be processed"))
}
