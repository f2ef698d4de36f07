//! autoscaling HorizontalPodAutoscaler (v1 annotation form, v2beta1, v2beta2, v2), as
//! gitops-engine's `getHPAHealth`.

use serde::Deserialize;
use serde_json::Value;

use crate::{
    Error, Health, HealthStatus,
    object::{Condition, Typed, conditions, go_gvk},
};

const WAITING: &str = "Waiting to Autoscale";
const ANNOTATION: &str = "autoscaling.alpha.kubernetes.io/conditions";

/// One condition of the v1 annotation (a JSON list of `{type, status, reason, message}`).
#[derive(Debug, Deserialize)]
struct AnnotationCondition {
    #[serde(rename = "type", default)]
    type_: String,
    #[serde(default)]
    status: String,
    #[serde(default)]
    reason: String,
    #[serde(default)]
    message: String,
}

pub(crate) fn assess(object: &Value, version: &str) -> Result<Health, Error> {
    let t = Typed::new(object, "HPA");
    match version {
        "v1" => {
            let Some(annotation) = t.opt_str(&["metadata", "annotations", ANNOTATION])? else {
                return Ok(Health::progressing(WAITING));
            };
            let parsed: Vec<AnnotationCondition> = serde_json::from_str(annotation)
                .map_err(|source| Error::HpaConditionsAnnotation { source })?;
            let conditions: Vec<Condition<'_>> = parsed
                .iter()
                .map(|c| Condition {
                    type_: &c.type_,
                    status: &c.status,
                    reason: &c.reason,
                    message: &c.message,
                })
                .collect();
            Ok(check(&conditions))
        }
        "v2beta1" | "v2beta2" | "v2" => Ok(check(&conditions(t)?)),
        _ => Err(Error::UnsupportedVersion {
            kind: "HPA",
            gvk: go_gvk("autoscaling", version, "HorizontalPodAutoscaler"),
        }),
    }
}

fn is_degraded(c: &Condition<'_>) -> bool {
    matches!(
        (c.type_, c.reason),
        ("AbleToScale", "FailedGetScale" | "FailedUpdateScale")
            | ("ScalingActive", "FailedGetResourceMetric" | "InvalidSelector")
    )
}

fn is_healthy(c: &Condition<'_>) -> bool {
    matches!(c.type_, "AbleToScale" | "ScalingLimited") && c.status == "True"
}

/// The first degraded or healthy condition decides; none → Progressing "Waiting to Autoscale".
fn check(conditions: &[Condition<'_>]) -> Health {
    for c in conditions {
        if is_degraded(c) {
            return Health::degraded(c.message);
        }
        if is_healthy(c) {
            return Health::new(HealthStatus::Healthy, c.message);
        }
    }
    Health::progressing(WAITING)
}
