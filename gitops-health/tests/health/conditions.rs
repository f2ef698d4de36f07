//! Generic kstatus-style health for custom resources.

use gitops_core::GroupKind;
use gitops_health::{ConditionsPolicy, Health, HealthStatus, Registry};
use serde_json::{Value, json};

fn widget(generation: i64, observed: i64, conditions: &Value) -> Value {
    json!({"apiVersion": "example.com/v1", "kind": "Widget",
        "metadata": {"name": "w", "generation": generation},
        "status": {"observedGeneration": observed, "conditions": conditions.clone()}})
}

fn assess(policy: ConditionsPolicy, object: &Value) -> Option<Health> {
    Registry::default()
        .with_conditions(policy)
        .assess(object)
        .unwrap()
}

#[test]
fn default_policy_gives_no_health_like_argo_cd() {
    let object = widget(1, 1, &json!([{"type": "Ready", "status": "True"}]));
    assert_eq!(Registry::default().assess(&object).unwrap(), None);
}

#[test]
fn kstatus_rules_in_order() {
    let all = ConditionsPolicy::all;
    let stalled = json!([{"type": "Stalled", "status": "True", "reason": "InvalidSpec", "message": "bad"},
        {"type": "Ready", "status": "True"}]);
    assert_eq!(
        assess(all(), &widget(3, 2, &stalled)),
        Some(Health::progressing(
            "Waiting for generation 3 to be observed (observed 2)"
        ))
    );
    assert_eq!(
        assess(all(), &widget(2, 2, &stalled)),
        Some(Health::degraded("InvalidSpec: bad"))
    );
    let reconciling = json!([{"type": "Reconciling", "status": "True", "reason": "Progressing"},
        {"type": "Ready", "status": "False", "reason": "InstallFailed"}]);
    assert_eq!(
        assess(all(), &widget(2, 2, &reconciling)),
        Some(Health::progressing("Progressing"))
    );
    let ready = json!([{"type": "Ready", "status": "True", "message": "Applied revision main@sha1:1"}]);
    assert_eq!(
        assess(all(), &widget(2, 2, &ready)),
        Some(Health::new(HealthStatus::Healthy, "Applied revision main@sha1:1"))
    );
    let waiting = json!([{"type": "Available", "status": "False", "reason": "MinimumReplicasUnavailable"}]);
    assert_eq!(
        assess(all(), &widget(1, 1, &waiting)),
        Some(Health::progressing("MinimumReplicasUnavailable"))
    );
    let unknown = json!([{"type": "Ready", "status": "Unknown", "reason": "Failed", "message": "m"}]);
    assert_eq!(
        assess(all(), &widget(1, 1, &unknown)),
        Some(Health::progressing("Failed: m"))
    );
    assert_eq!(
        assess(all(), &widget(1, 1, &json!([]))),
        Some(Health::new(HealthStatus::Healthy, "Resource is current"))
    );
    assert_eq!(
        assess(all().require_conditions(true), &widget(1, 1, &json!([]))),
        None
    );
}

#[test]
fn per_kind_policy_and_builtins_win() {
    let policy = ConditionsPolicy::none().enable(GroupKind::new("example.com", "*"));
    let ready = json!([{"type": "Ready", "status": "True"}]);
    assert_eq!(
        assess(policy.clone(), &widget(1, 1, &ready)).unwrap().status,
        HealthStatus::Healthy
    );
    let mut gadget = widget(1, 1, &ready);
    gadget["apiVersion"] = json!("other.io/v1");
    assert_eq!(assess(policy, &gadget), None);
    // A built-in kind keeps its own assessor even with the policy on for everything.
    let pvc = json!({"apiVersion": "v1", "kind": "PersistentVolumeClaim", "metadata": {"name": "p"},
        "status": {"phase": "Pending", "conditions": [{"type": "Ready", "status": "True"}]}});
    assert_eq!(
        assess(ConditionsPolicy::all(), &pvc).unwrap().status,
        HealthStatus::Progressing
    );
}
