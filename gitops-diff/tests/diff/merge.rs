//! `merge::apply` / `merge::update`: structured-merge-diff semantics and field ownership.

use gitops_diff::merge::{self, ApplyOptions, FieldSet};
use serde_json::{Value, json};

fn deployment(replicas: i64, image: &str) -> Value {
    json!({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web", "namespace": "d", "labels": {"app": "web"}},
        "spec": {"replicas": replicas, "selector": {"matchLabels": {"app": "web"}}, "template": {
            "metadata": {"labels": {"app": "web"}},
            "spec": {"containers": [{"name": "app", "image": image, "ports": [{"containerPort": 80}]}]}}}})
}

fn fields(object: &Value, manager: &str) -> Vec<String> {
    merge::owned_fields(object, manager).paths()
}

#[test]
fn create_records_apply_entry_with_fields_v1() {
    let applied = merge::apply(None, &deployment(2, "nginx:1"), "ci", false).unwrap();
    assert!(applied.changed);
    let entry = &applied.object["metadata"]["managedFields"][0];
    assert_eq!(entry["manager"], "ci");
    assert_eq!(entry["operation"], "Apply");
    assert_eq!(entry["apiVersion"], "apps/v1");
    assert_eq!(entry["fieldsType"], "FieldsV1");
    let containers = &entry["fieldsV1"]["f:spec"]["f:template"]["f:spec"]["f:containers"];
    // The port key is filled with the schema default protocol TCP, as the API server does.
    assert_eq!(
        containers["k:{\"name\":\"app\"}"]["f:ports"]["k:{\"containerPort\":80,\"protocol\":\"TCP\"}"],
        json!({".": {}, "f:containerPort": {}})
    );
    // Identity and server fields are never owned.
    assert!(entry["fieldsV1"]["f:metadata"].get("f:name").is_none());
    assert!(entry["fieldsV1"].get("f:apiVersion").is_none());
}

#[test]
fn apply_is_idempotent() {
    let once = merge::apply(None, &deployment(2, "nginx:1"), "ci", false)
        .unwrap()
        .object;
    let twice = merge::apply(Some(&once), &deployment(2, "nginx:1"), "ci", false).unwrap();
    assert!(!twice.changed);
    assert_eq!(twice.object, once);
}

#[test]
fn conflicts_unless_forced_and_ownership_moves() {
    let live = merge::apply(None, &deployment(2, "nginx:1"), "ci", false)
        .unwrap()
        .object;
    let err = merge::apply(Some(&live), &deployment(5, "nginx:1"), "other", false).unwrap_err();
    assert_eq!(err.conflicts.len(), 1);
    assert_eq!(err.conflicts[0].manager, "ci");
    assert_eq!(err.conflicts[0].path, ".spec.replicas");
    assert!(err.to_string().contains("conflict with \"ci\": .spec.replicas"));

    let forced = merge::apply(Some(&live), &deployment(5, "nginx:1"), "other", true)
        .unwrap()
        .object;
    assert_eq!(forced["spec"]["replicas"], 5);
    assert!(!fields(&forced, "ci").contains(&".spec.replicas".to_owned()));
    assert!(fields(&forced, "other").contains(&".spec.replicas".to_owned()));
    // Same value: shared ownership, no conflict.
    let shared = merge::apply(Some(&live), &deployment(2, "nginx:1"), "other", false)
        .unwrap()
        .object;
    assert!(fields(&shared, "ci").contains(&".spec.replicas".to_owned()));
    assert!(fields(&shared, "other").contains(&".spec.replicas".to_owned()));
}

#[test]
fn fields_no_longer_sent_are_removed_unless_someone_else_owns_them() {
    let mut config = deployment(2, "nginx:1");
    config["metadata"]["labels"]["tier"] = json!("front");
    let live = merge::apply(None, &config, "ci", false).unwrap().object;
    // Another manager also owns the tier label.
    let live = merge::apply(
        Some(&live),
        &json!({"apiVersion": "apps/v1", "kind": "Deployment",
        "metadata": {"name": "web", "namespace": "d", "labels": {"tier": "front"}}}),
        "labeler",
        false,
    )
    .unwrap()
    .object;
    let mut config = deployment(2, "nginx:1");
    config["metadata"]["labels"] = json!({"app": "web"});
    config["spec"]["template"]["spec"]["containers"][0]
        .as_object_mut()
        .unwrap()
        .remove("ports");
    let after = merge::apply(Some(&live), &config, "ci", false).unwrap().object;
    assert_eq!(
        after["metadata"]["labels"],
        json!({"app": "web", "tier": "front"})
    );
    assert!(
        after["spec"]["template"]["spec"]["containers"][0]
            .get("ports")
            .is_none()
    );
}

#[test]
fn list_maps_merge_by_key_and_keep_other_managers_elements() {
    let live = merge::apply(None, &deployment(1, "nginx:1"), "ci", false)
        .unwrap()
        .object;
    let sidecar = json!({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web", "namespace": "d"},
        "spec": {"template": {"spec": {"containers": [{"name": "proxy", "image": "envoy"}]}}}});
    let live = merge::apply(Some(&live), &sidecar, "injector", false)
        .unwrap()
        .object;
    let updated = merge::apply(Some(&live), &deployment(1, "nginx:2"), "ci", false)
        .unwrap()
        .object;
    let names: Vec<&Value> = updated["spec"]["template"]["spec"]["containers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| &c["name"])
        .collect();
    assert_eq!(names, [&json!("app"), &json!("proxy")]);
    assert_eq!(
        updated["spec"]["template"]["spec"]["containers"][0]["image"],
        "nginx:2"
    );
}

#[test]
fn update_takes_ownership_of_changed_fields() {
    let live = merge::apply(None, &deployment(1, "nginx:1"), "ci", false)
        .unwrap()
        .object;
    let mut scaled = live.clone();
    scaled["spec"]["replicas"] = json!(4);
    let updated = merge::update(Some(&live), &scaled, "hpa");
    assert!(updated.changed);
    assert_eq!(fields(&updated.object, "hpa"), [".spec.replicas"]);
    assert!(!fields(&updated.object, "ci").contains(&".spec.replicas".to_owned()));
    let entry = updated.object["metadata"]["managedFields"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["manager"] == "hpa")
        .unwrap();
    assert_eq!(entry["operation"], "Update");
    // Re-applying with force takes replicas back.
    let back = merge::apply(Some(&updated.object), &deployment(1, "nginx:1"), "ci", true)
        .unwrap()
        .object;
    assert_eq!(back["spec"]["replicas"], 1);
    assert!(merge::owned_fields(&back, "hpa").is_empty());
}

#[test]
fn unknown_kinds_use_fallbacks_and_sets_merge_by_value() {
    let cr = json!({"apiVersion": "example.com/v1", "kind": "Widget", "metadata": {"name": "w", "finalizers": ["a"]},
        "spec": {"list": [1, 2], "map": {"x": 1}}});
    let live = merge::apply(None, &cr, "ci", false).unwrap().object;
    let other = json!({"apiVersion": "example.com/v1", "kind": "Widget", "metadata": {"name": "w", "finalizers": ["b"]},
        "spec": {"map": {"y": 2}}});
    let merged = merge::apply(Some(&live), &other, "other", false).unwrap().object;
    assert_eq!(merged["metadata"]["finalizers"], json!(["a", "b"]));
    assert_eq!(merged["spec"]["map"], json!({"x": 1, "y": 2}));
    assert_eq!(merged["spec"]["list"], json!([1, 2]));
    // The atomic (schema-less) list is owned whole.
    assert!(fields(&merged, "ci").contains(&".spec.list".to_owned()));
}

#[test]
fn options_write_time_only_on_change() {
    let options = ApplyOptions::new("ci").with_time("2026-01-01T00:00:00Z");
    let first = merge::apply_with(None, &deployment(1, "a"), &options)
        .unwrap()
        .object;
    assert_eq!(
        first["metadata"]["managedFields"][0]["time"],
        "2026-01-01T00:00:00Z"
    );
    let later = ApplyOptions::new("ci").with_time("2026-02-02T00:00:00Z");
    let same = merge::apply_with(Some(&first), &deployment(1, "a"), &later).unwrap();
    assert!(!same.changed);
    let changed = merge::apply_with(Some(&first), &deployment(1, "b"), &later)
        .unwrap()
        .object;
    assert_eq!(
        changed["metadata"]["managedFields"][0]["time"],
        "2026-01-01T00:00:00Z"
    );
    // `ci` still owns fields after dropping spec.replicas, so its entry stays and, as its
    // field set changed, carries the new time.
    let mut without_replicas = deployment(1, "a");
    without_replicas["spec"]
        .as_object_mut()
        .unwrap()
        .remove("replicas");
    let fewer = merge::apply_with(Some(&first), &without_replicas, &later).unwrap();
    assert!(fewer.changed);
    let entries = fewer.object["metadata"]["managedFields"].as_array().unwrap();
    assert_eq!(entries.len(), 1);
    assert_eq!(entries[0]["manager"], "ci");
    assert_eq!(entries[0]["time"], "2026-02-02T00:00:00Z");
    assert!(!fields(&fewer.object, "ci").contains(&".spec.replicas".to_owned()));
    assert!(fields(&fewer.object, "ci").contains(&".spec.selector".to_owned()));
}

#[test]
fn field_sets_read_and_write_fields_v1() {
    let v1 =
        json!({"f:spec": {"f:ports": {"k:{\"port\":80,\"protocol\":\"TCP\"}": {".": {}, "f:port": {}}}}});
    let set = FieldSet::from_fields_v1(&v1).unwrap();
    assert_eq!(
        set.paths(),
        [
            ".spec.ports[port=80,protocol=\"TCP\"]",
            ".spec.ports[port=80,protocol=\"TCP\"].port"
        ]
    );
    assert_eq!(set.to_fields_v1(), v1);
}

#[test]
fn update_entries_mark_maps_and_elements_but_not_structs() {
    let cm = json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c", "labels": {"x": "1"}}, "data": {"a": "1"}});
    let created = merge::update(None, &cm, "kubectl-create").object;
    assert_eq!(
        created["metadata"]["managedFields"][0]["fieldsV1"],
        json!({"f:data": {".": {}, "f:a": {}}, "f:metadata": {"f:labels": {".": {}, "f:x": {}}}})
    );
}
