//! `respect_ignore_differences`: live values copied into desired, and bad rules refused before
//! anything is copied.

use std::time::Duration;

use gitops_diff::{Error, IgnoreRule, respect_ignore_differences};
use serde_json::{Value, json};

const BUDGET: Duration = Duration::from_secs(5);

fn deployment(replicas: i64, image: &str) -> Value {
    json!({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web", "namespace": "d"},
        "spec": {"replicas": replicas, "template": {"spec": {"containers": [{"name": "app", "image": image}]}}}})
}

#[test]
fn jq_paths_copy_live_values() {
    let live = deployment(7, "live:1");
    let mut desired = deployment(1, "git:1");
    let rules = [IgnoreRule::new("apps", "Deployment").with_jq(".spec.template.spec.containers[].image")];
    respect_ignore_differences(&mut desired, &live, &rules, BUDGET).unwrap();
    assert_eq!(desired, deployment(1, "live:1"));
}

#[test]
fn invalid_jq_is_refused_and_desired_untouched() {
    let live = deployment(7, "live:1");
    let mut desired = deployment(1, "git:1");
    let rules = [IgnoreRule::new("apps", "Deployment")
        .with_pointer("/spec/replicas")
        .with_jq(".spec[[[")];
    let err = respect_ignore_differences(&mut desired, &live, &rules, BUDGET).unwrap_err();
    assert!(
        matches!(&err, Error::InvalidJq { expression, .. } if expression == ".spec[[["),
        "{err}"
    );
    assert_eq!(desired, deployment(1, "git:1"));
}

#[test]
fn invalid_pointer_is_refused_and_desired_untouched() {
    let live = deployment(7, "live:1");
    let mut desired = deployment(1, "git:1");
    let rules = [IgnoreRule::new("apps", "Deployment")
        .with_jq(".spec.replicas")
        .with_pointer("spec/replicas")];
    let err = respect_ignore_differences(&mut desired, &live, &rules, BUDGET).unwrap_err();
    assert!(
        matches!(&err, Error::InvalidPointer { pointer } if pointer == "spec/replicas"),
        "{err}"
    );
    assert_eq!(desired, deployment(1, "git:1"));
    assert!(matches!(rules[0].validate(), Err(Error::InvalidPointer { .. })));
}
