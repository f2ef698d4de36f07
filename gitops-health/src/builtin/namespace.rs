//! v1 Namespace: `status.phase` `Terminating` is Progressing, anything else Healthy.

use serde_json::Value;

use crate::{Error, Health, object::Typed};

pub(crate) fn assess(object: &Value) -> Result<Health, Error> {
    let t = Typed::new(object, "Namespace");
    if t.str(&["status", "phase"])? == "Terminating" {
        return Ok(Health::progressing("Namespace is terminating"));
    }
    Ok(Health::healthy())
}
