//! v1 Service, as gitops-engine's `getCorev1ServiceHealth`.

use serde_json::Value;

use crate::{Error, Health, object::Typed};

pub(crate) fn assess(object: &Value) -> Result<Health, Error> {
    let t = Typed::new(object, "Service");
    if t.str(&["spec", "type"])? == "LoadBalancer"
        && t.array(&["status", "loadBalancer", "ingress"])?.is_empty()
    {
        return Ok(Health::progressing(""));
    }
    Ok(Health::healthy())
}
