//! Properties: assessment never panics on arbitrary objects; aggregation is the worst status.

use gitops_health::{HealthStatus, Registry, worst_status};
use proptest::prelude::*;
use serde_json::{Value, json};

/// Arbitrary JSON, a few levels deep, with field names the assessors read.
fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(|n| json!(n)),
        any::<f64>().prop_map(|f| json!(f)),
        prop::sample::select(vec![
            "True",
            "False",
            "Running",
            "Failed",
            "OnDelete",
            "RollingUpdate",
            "x"
        ])
        .prop_map(|s| json!(s)),
    ];
    let keys = prop::sample::select(vec![
        "status",
        "spec",
        "metadata",
        "conditions",
        "type",
        "replicas",
        "phase",
        "message",
        "reason",
        "updateStrategy",
        "rollingUpdate",
        "partition",
        "containerStatuses",
        "state",
        "waiting",
        "terminated",
        "loadBalancer",
        "ingress",
        "generation",
        "observedGeneration",
        "annotations",
        "health",
        "active",
        "lastScheduleTime",
        "suspend",
        "paused",
    ]);
    leaf.prop_recursive(5, 64, 6, move |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            prop::collection::btree_map(keys.clone().prop_map(str::to_owned), inner, 0..6)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

fn kind() -> impl Strategy<Value = (&'static str, &'static str)> {
    prop::sample::select(vec![
        ("apps/v1", "Deployment"),
        ("apps/v1", "StatefulSet"),
        ("apps/v1", "DaemonSet"),
        ("apps/v1", "ReplicaSet"),
        ("v1", "Pod"),
        ("v1", "Service"),
        ("v1", "PersistentVolumeClaim"),
        ("v1", "Namespace"),
        ("networking.k8s.io/v1", "Ingress"),
        ("batch/v1", "Job"),
        ("batch/v1", "CronJob"),
        ("autoscaling/v1", "HorizontalPodAutoscaler"),
        ("autoscaling/v2", "HorizontalPodAutoscaler"),
        ("apiregistration.k8s.io/v1", "APIService"),
        ("argoproj.io/v1alpha1", "Workflow"),
        ("argoproj.io/v1alpha1", "Application"),
        ("apiextensions.k8s.io/v1", "CustomResourceDefinition"),
        ("example.com/v1", "Widget"),
    ])
}

proptest! {
    #[test]
    fn assess_never_panics_and_always_answers(
        (api_version, kind) in kind(),
        status in json_value(),
        spec in json_value(),
        metadata in json_value(),
    ) {
        let object = json!({"apiVersion": api_version, "kind": kind, "metadata": metadata,
            "spec": spec, "status": status});
        let registry = Registry::default()
            .with_application_health()
            .with_conditions(gitops_health::ConditionsPolicy::all());
        let health = registry.assess(&object).unwrap();
        // Every kind above is covered by a built-in or by the all-kinds conditions policy.
        prop_assert!(health.is_some());
    }

    #[test]
    fn worst_status_is_the_maximum(statuses in prop::collection::vec(
        prop::option::of(prop::sample::select(HealthStatus::ALL.to_vec())), 0..8)) {
        let worst = worst_status(statuses.clone());
        for status in statuses.iter().flatten() {
            prop_assert!(!worst.unwrap().is_worse(*status));
        }
        prop_assert_eq!(worst.is_none(), statuses.iter().all(Option::is_none));
    }
}
