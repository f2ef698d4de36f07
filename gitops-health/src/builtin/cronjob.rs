//! batch CronJob (v1 and v1beta1), following Argo CD's bundled `batch/CronJob/health.lua`
//! (same statuses and messages, including its "succesfully" spelling).

use serde_json::Value;

use crate::{Error, Health, HealthStatus, object::Typed};

pub(crate) fn assess(object: &Value) -> Result<Health, Error> {
    let t = Typed::new(object, "CronJob");
    if t.bool(&["spec", "suspend"])? {
        return Ok(Health::new(HealthStatus::Suspended, "CronJob is Suspended"));
    }
    if t.object(&["status"])?.is_none() {
        return Ok(Health::progressing("Waiting for CronJob"));
    }
    let Some(last_schedule) = t.opt_str(&["status", "lastScheduleTime"])? else {
        return Ok(Health::new(
            HealthStatus::Healthy,
            "CronJob has not been scheduled yet",
        ));
    };
    let Some(last_success) = t.opt_str(&["status", "lastSuccessfulTime"])? else {
        return Ok(Health::new(
            HealthStatus::Healthy,
            "The Cronjob never completed succesfully. It may not be healthy",
        ));
    };
    if !t.array(&["status", "active"])?.is_empty() {
        return Ok(Health::new(
            HealthStatus::Healthy,
            "The job is running. Its last execution may not have been successful",
        ));
    }
    // RFC 3339 timestamps in UTC compare correctly as text, as the Lua script compares them.
    if last_success < last_schedule {
        return Ok(Health::degraded(
            "CronJob has not completed its last execution successfully",
        ));
    }
    Ok(Health::new(
        HealthStatus::Healthy,
        "CronJob has completed its last execution successfully",
    ))
}
