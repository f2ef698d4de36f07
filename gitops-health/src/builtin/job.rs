//! batch/v1 Job, as gitops-engine's `getBatchv1JobHealth`.

use serde_json::Value;

use crate::{
    Error, Health, HealthStatus,
    object::{Typed, conditions},
};

pub(crate) fn assess(object: &Value) -> Result<Health, Error> {
    let t = Typed::new(object, "Job");
    let (mut failed, mut complete, mut suspended) = (false, false, false);
    let (mut fail_message, mut message) = ("", "");
    for c in conditions(t)? {
        match c.type_ {
            "Failed" => {
                failed = true;
                complete = true;
                fail_message = c.message;
            }
            "Complete" => {
                complete = true;
                message = c.message;
            }
            "Suspended" => {
                complete = true;
                message = c.message;
                if c.status == "True" {
                    suspended = true;
                }
            }
            _ => {}
        }
    }
    Ok(if !complete {
        Health::progressing(message)
    } else if failed {
        Health::degraded(fail_message)
    } else if suspended {
        // gitops-engine reports the (empty) failure message here, not the condition's.
        Health::new(HealthStatus::Suspended, fail_message)
    } else {
        Health::new(HealthStatus::Healthy, message)
    })
}
