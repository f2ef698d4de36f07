//! extensions and networking.k8s.io Ingress (any version), as gitops-engine's `getIngressHealth`.

use serde_json::Value;

use crate::{Health, object::at};

/// Never fails: gitops-engine reads the list leniently (a non-list counts as empty).
pub(crate) fn assess(object: &Value) -> Health {
    let assigned = at(object, &["status", "loadBalancer", "ingress"])
        .and_then(Value::as_array)
        .is_some_and(|list| !list.is_empty());
    if assigned {
        Health::healthy()
    } else {
        Health::progressing("")
    }
}
