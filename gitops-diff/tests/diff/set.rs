//! `diff_set`: pairing by key, states, tracking, IgnoreExtraneous, hooks, scopes.

use gitops_core::{Manifest, ManifestSet, Tracking, TrackingMethod};
use gitops_diff::{ResourceState, SetOptions, SyncStatus, diff_set};
use proptest::prelude::*;
use serde_json::{Value, json};

fn cm(name: &str, ns: Option<&str>, data: &str) -> Value {
    let mut v =
        json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": name}, "data": {"k": data}});
    if let Some(ns) = ns {
        v["metadata"]["namespace"] = json!(ns);
    }
    v
}

fn set(objects: &[Value]) -> ManifestSet {
    ManifestSet::from_manifests(objects.iter().map(|o| Manifest::from_value(o.clone()).unwrap())).unwrap()
}

#[test]
fn states_and_overall_status() {
    let desired = set(&[
        cm("same", Some("d"), "1"),
        cm("changed", Some("d"), "new"),
        cm("missing", Some("d"), "1"),
    ]);
    let live = [
        cm("same", Some("d"), "1"),
        cm("changed", Some("d"), "old"),
        cm("extra", Some("d"), "1"),
    ];
    let report = diff_set(&desired, &live, &SetOptions::default()).unwrap();
    let states: Vec<(String, ResourceState)> = report
        .resources
        .iter()
        .map(|r| (r.key.name.clone(), r.state))
        .collect();
    assert_eq!(
        states,
        [
            ("changed".to_owned(), ResourceState::OutOfSync),
            ("extra".to_owned(), ResourceState::RequiresPruning),
            ("missing".to_owned(), ResourceState::Missing),
            ("same".to_owned(), ResourceState::Synced),
        ]
    );
    assert_eq!(report.status, SyncStatus::OutOfSync);
    assert_eq!(report.in_state(ResourceState::Synced).count(), 1);
}

#[test]
fn ignore_extraneous_hooks_and_tracking() {
    let desired = set(&[cm("a", Some("d"), "1")]);
    let mut extra = cm("extra", Some("d"), "1");
    extra["metadata"]["annotations"] = json!({"argocd.argoproj.io/compare-options": "IgnoreExtraneous"});
    let mut hook = cm("hook", Some("d"), "1");
    hook["metadata"]["annotations"] = json!({"argocd.argoproj.io/hook": "PreSync"});
    let report = diff_set(
        &desired,
        &[cm("a", Some("d"), "1"), extra, hook.clone()],
        &SetOptions::default(),
    )
    .unwrap();
    assert_eq!(report.status, SyncStatus::Synced);
    assert_eq!(report.resources.len(), 2);
    assert!(report.resources[1].ignore_extraneous);

    let tracking = Tracking::new(TrackingMethod::Label);
    let mut ours = cm("ours", Some("d"), "1");
    ours["metadata"]["labels"] = json!({"app.kubernetes.io/instance": "shop"});
    let foreign = cm("foreign", Some("d"), "1");
    let options = SetOptions::default().with_tracking(&tracking, "shop");
    let report = diff_set(&desired, &[cm("a", Some("d"), "1"), ours, foreign], &options).unwrap();
    let names: Vec<&str> = report.resources.iter().map(|r| r.key.name.as_str()).collect();
    assert_eq!(names, ["a", "ours"]);
}

#[test]
fn unknown_scope_pairs_both_ways() {
    let widget = |ns: Option<&str>| {
        let mut v = json!({"apiVersion": "example.com/v1", "kind": "Widget", "metadata": {"name": "w"}, "spec": {"a": 1}});
        if let Some(ns) = ns {
            v["metadata"]["namespace"] = json!(ns);
        }
        v
    };
    // Desired says a namespace, live is cluster-scoped.
    let report = diff_set(
        &set(&[widget(Some("d"))]),
        &[widget(None)],
        &SetOptions::default(),
    )
    .unwrap();
    assert_eq!(report.resources.len(), 1);
    assert_eq!(report.resources[0].state, ResourceState::Synced);
    // Desired has no namespace, live is in the destination namespace.
    let options = SetOptions::default().with_default_namespace("d");
    let report = diff_set(&set(&[widget(None)]), &[widget(Some("d"))], &options).unwrap();
    assert_eq!(report.status, SyncStatus::Synced);
    assert!(diff_set(&set(&[]), &[json!({"kind": "X"})], &SetOptions::default()).is_err());
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    #[test]
    fn pairing_never_loses_an_object(
        desired_names in prop::collection::btree_set("[a-e]", 0..5),
        live_names in prop::collection::btree_set("[a-e]", 0..5),
    ) {
        let desired = set(&desired_names.iter().map(|n| cm(n, Some("d"), "1")).collect::<Vec<_>>());
        let live: Vec<Value> = live_names.iter().map(|n| cm(n, Some("d"), "2")).collect();
        let report = diff_set(&desired, &live, &SetOptions::default()).unwrap();
        let reported: std::collections::BTreeSet<String> = report.resources.iter().map(|r| r.key.name.clone()).collect();
        let expected: std::collections::BTreeSet<String> = desired_names.union(&live_names).cloned().collect();
        prop_assert_eq!(reported, expected);
        prop_assert_eq!(report.resources.len(), desired_names.union(&live_names).count());
    }
}
