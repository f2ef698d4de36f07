//! apiextensions.k8s.io CustomResourceDefinition: Terminating, NamesAccepted, Established and
//! NonStructuralSchema conditions, with the messages of gitops-engine's CRD health proposal
//! (later Argo CD's bundled script). Unlike that proposal, each message quotes the condition
//! that decided the status, not whichever relevant condition came last.

use serde_json::Value;

use crate::{
    Error, Health, HealthStatus,
    object::{Typed, conditions},
};

pub(crate) fn assess(object: &Value) -> Result<Health, Error> {
    let t = Typed::new(object, "CustomResourceDefinition");
    let conditions = conditions(t)?;
    if conditions.is_empty() {
        return Ok(Health::progressing("Status conditions not found"));
    }
    let find = |type_: &str, status: &str| conditions.iter().find(|c| c.type_ == type_ && c.status == status);
    if let Some(c) = find("Terminating", "True") {
        return Ok(Health::progressing(format!(
            "CRD is being terminated: {}",
            c.message
        )));
    }
    if let Some(c) = find("NamesAccepted", "False") {
        return Ok(Health::degraded(format!(
            "CRD names have not been accepted: {}",
            c.message
        )));
    }
    if find("Established", "True").is_none() {
        let message = conditions
            .iter()
            .find(|c| c.type_ == "Established")
            .map_or("", |c| c.message);
        return Ok(Health::degraded(format!("CRD is not established: {message}")));
    }
    if let Some(c) = find("NonStructuralSchema", "True") {
        return Ok(Health::degraded(format!(
            "Schema violations found: {}",
            c.message
        )));
    }
    Ok(Health::new(HealthStatus::Healthy, "CRD is healthy"))
}
