//! argoproj.io Workflow (any version), as gitops-engine's `getArgoWorkflowHealth`.

use serde_json::Value;

use crate::{Health, HealthStatus, object::at};

/// Never fails: gitops-engine reads `status.phase` and `status.message` leniently.
pub(crate) fn assess(object: &Value) -> Health {
    let read = |field: &str| {
        at(object, &["status", field])
            .and_then(Value::as_str)
            .unwrap_or("")
    };
    let message = read("message");
    let status = match read("phase") {
        "" | "Pending" | "Running" => HealthStatus::Progressing,
        "Succeeded" => HealthStatus::Healthy,
        "Failed" | "Error" => HealthStatus::Degraded,
        _ => HealthStatus::Unknown,
    };
    Health::new(status, message)
}
