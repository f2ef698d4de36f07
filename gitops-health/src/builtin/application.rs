//! argoproj.io Application (app of apps): the health the child Application reports in
//! `status.health`, as the health script Argo CD documents for restoring app-of-apps health.
//! Not in [`Registry::default`](crate::Registry::default), because gitops-engine gives
//! Applications no health; enable it with
//! [`Registry::with_application_health`](crate::Registry::with_application_health).

use serde_json::Value;

use crate::{Error, Health, HealthStatus, object::Typed};

pub(crate) fn assess(object: &Value) -> Result<Health, Error> {
    let t = Typed::new(object, "Application");
    let Some(status) = t.opt_str(&["status", "health", "status"])? else {
        return Ok(Health::progressing(""));
    };
    let message = t.str(&["status", "health", "message"])?;
    Ok(match status.parse::<HealthStatus>() {
        Ok(status) => Health::new(status, message),
        Err(_) => Health::unknown(format!("Application reports an invalid health status {status:?}")),
    })
}
