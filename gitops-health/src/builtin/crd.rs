//! apiextensions.k8s.io/v1 CustomResourceDefinition: Established and NamesAccepted conditions,
//! with the messages of gitops-engine's CRD health proposal (later Argo CD's bundled script).

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
    let (mut established, mut terminating, mut names_rejected, mut violations) = (false, false, false, false);
    let mut message = "";
    for c in &conditions {
        match (c.type_, c.status) {
            ("Terminating", "True") => {
                terminating = true;
                message = c.message;
            }
            ("NamesAccepted", "False") => {
                names_rejected = true;
                message = c.message;
            }
            ("Established", "True") => established = true,
            ("Established", _) => message = c.message,
            ("NonStructuralSchema", "True") => {
                violations = true;
                message = c.message;
            }
            _ => {}
        }
    }
    Ok(if terminating {
        Health::progressing(format!("CRD is being terminated: {message}"))
    } else if names_rejected {
        Health::degraded(format!("CRD names have not been accepted: {message}"))
    } else if !established {
        Health::degraded(format!("CRD is not established: {message}"))
    } else if violations {
        Health::degraded(format!("Schema violations found: {message}"))
    } else {
        Health::new(HealthStatus::Healthy, "CRD is healthy")
    })
}
