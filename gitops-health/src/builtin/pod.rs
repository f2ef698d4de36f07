//! v1 Pod, as gitops-engine's `getCorev1PodHealth`.

use serde_json::Value;

use crate::{
    Error, Health, HealthStatus,
    object::{Typed, conditions, go_quote},
};

/// The failure message of a terminated container, `""` when it did not fail.
fn fail_message(c: Typed<'_>) -> Result<String, Error> {
    if c.object(&["state", "terminated"])?.is_none() {
        return Ok(String::new());
    }
    let message = c.str(&["state", "terminated", "message"])?;
    if !message.is_empty() {
        return Ok(message.to_owned());
    }
    let reason = c.str(&["state", "terminated", "reason"])?;
    if reason == "OOMKilled" {
        return Ok(reason.to_owned());
    }
    let exit_code = c.i64(&["state", "terminated", "exitCode"])?;
    if exit_code != 0 {
        let name = c.str(&["name"])?;
        return Ok(format!(
            "container {} failed with exit code {exit_code}",
            go_quote(name)
        ));
    }
    Ok(String::new())
}

pub(crate) fn assess(object: &Value) -> Result<Health, Error> {
    let t = Typed::new(object, "Pod");
    let restart_policy = t.str(&["spec", "restartPolicy"])?;
    let containers = t.array(&["status", "containerStatuses"])?;
    let message = t.str(&["status", "message"])?;
    if restart_policy == "Always" {
        let mut messages = Vec::new();
        for c in containers {
            let c = t.with(c);
            if c.object(&["state", "waiting"])?.is_some() {
                let reason = c.str(&["state", "waiting", "reason"])?;
                if reason.starts_with("Err") || reason.ends_with("Error") || reason.ends_with("BackOff") {
                    messages.push(c.str(&["state", "waiting", "message"])?);
                }
            }
        }
        if !messages.is_empty() {
            return Ok(Health::degraded(messages.join(", ")));
        }
    }
    match t.str(&["status", "phase"])? {
        "Pending" => Ok(Health::new(HealthStatus::Progressing, message)),
        "Succeeded" => Ok(Health::new(HealthStatus::Healthy, message)),
        "Failed" => {
            if !message.is_empty() {
                return Ok(Health::degraded(message));
            }
            let init = t.array(&["status", "initContainerStatuses"])?;
            for c in init.iter().chain(containers) {
                let msg = fail_message(t.with(c))?;
                if !msg.is_empty() {
                    return Ok(Health::degraded(msg));
                }
            }
            Ok(Health::degraded(""))
        }
        "Running" => match restart_policy {
            "Always" => {
                let ready = conditions(t)?
                    .iter()
                    .any(|c| c.type_ == "Ready" && c.status == "True");
                if ready {
                    return Ok(Health::new(HealthStatus::Healthy, message));
                }
                for c in containers {
                    if t.with(c).object(&["lastState", "terminated"])?.is_some() {
                        return Ok(Health::degraded(message));
                    }
                }
                Ok(Health::progressing(message))
            }
            "OnFailure" | "Never" => Ok(Health::progressing(message)),
            _ => Ok(Health::unknown(message)),
        },
        _ => Ok(Health::unknown(message)),
    }
}
