//! The simulated controllers: a periodic pass writing the `status` that
//! [`gitops_apply::simulation::simulated_status`] computes (a simulation: no Pods run).

use serde_json::Value;

use super::store::Store;
use gitops_apply::simulation::{SimulationOptions, simulated_status};

/// One pass: for every object a simulated controller handles, write its status if it differs
/// (ignoring timestamps) from the stored one.
pub(crate) fn reconcile(store: &Store, options: &SimulationOptions) {
    for (key, object, since_change) in store.snapshot_for_controllers() {
        if object.pointer("/metadata/deletionTimestamp").is_some() {
            continue;
        }
        let Some(status) = simulated_status(&object, since_change, options) else {
            continue;
        };
        let current = object.get("status").cloned().unwrap_or(Value::Null);
        if without_times(&current) != without_times(&status) {
            store.write_status(&key, &object, status);
        }
    }
}

/// A copy without the timestamp fields controllers refresh (`*Time`, `*Timestamp`).
fn without_times(value: &Value) -> Value {
    match value {
        Value::Object(map) => Value::Object(
            map.iter()
                .filter(|(k, _)| !(k.ends_with("Time") || k.ends_with("Timestamp")))
                .map(|(k, v)| (k.clone(), without_times(v)))
                .collect(),
        ),
        Value::Array(items) => Value::Array(items.iter().map(without_times).collect()),
        other => other.clone(),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn timestamps_do_not_count_as_changes() {
        let a = json!({"conditions": [{"type": "Available", "lastUpdateTime": "1", "status": "True"}]});
        let b = json!({"conditions": [{"type": "Available", "lastUpdateTime": "2", "status": "True"}]});
        assert_eq!(without_times(&a), without_times(&b));
        let changed =
            json!({"conditions": [{"type": "Available", "lastUpdateTime": "2", "status": "False"}]});
        assert_ne!(
            without_times(&a),
            without_times(&changed),
            "a real status change counts"
        );
    }
}
