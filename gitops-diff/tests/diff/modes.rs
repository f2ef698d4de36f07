//! Diff modes, normalization and rendering on hand-written fixtures.

use std::path::Path;

use gitops_diff::{DiffMode, DiffOptions, IgnoreRule, RenderOptions, Schema, diff, merge};
use serde_json::{Value, json};

pub(crate) fn fixture(name: &str) -> Value {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name);
    crate::conformance::load(&path)
}

#[test]
fn two_way_ignores_server_fields_defaults_quantities_and_list_order() {
    let d = diff(
        &fixture("deployment-desired.yaml"),
        &fixture("deployment-live.yaml"),
        &DiffOptions::default(),
    )
    .unwrap();
    assert!(d.modified);
    let paths: Vec<&str> = d.changes.iter().map(|c| c.path.as_str()).collect();
    // The sidecar is first in live (server order); only replicas and its image differ.
    assert_eq!(
        paths,
        ["/spec/replicas", "/spec/template/spec/containers/0/image"]
    );
    insta::assert_snapshot!("two_way_unified", d.unified(&RenderOptions::default()));
    insta::assert_json_snapshot!("two_way_json", d.to_json());
}

#[test]
fn three_way_removes_fields_dropped_from_desired() {
    let desired = json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c", "namespace": "d"}, "data": {"a": "1"}});
    let last = json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c", "namespace": "d"}, "data": {"a": "1", "b": "2"}});
    let live = json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c", "namespace": "d",
        "annotations": {"kubectl.kubernetes.io/last-applied-configuration": last.to_string()}},
        "data": {"a": "1", "b": "2", "c": "set-by-controller"}});
    let auto = diff(&desired, &live, &DiffOptions::default()).unwrap();
    assert!(auto.modified);
    assert_eq!(auto.changes.len(), 1);
    assert_eq!(auto.changes[0].path, "/data/b");
    assert_eq!(auto.changes[0].after, None);
    let two_way = diff(
        &desired,
        &live,
        &DiffOptions::default().with_mode(DiffMode::TwoWay),
    )
    .unwrap();
    assert!(!two_way.modified);
}

#[test]
fn structured_merge_mode_predicts_pruning_of_owned_fields() {
    let v1 = json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c"}, "data": {"a": "1", "b": "2"}});
    let live = merge::apply(None, &v1, "gitops-rs", false).unwrap().object;
    let v2 = json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c"}, "data": {"a": "1"}});
    let d = diff(
        &v2,
        &live,
        &DiffOptions::default().with_mode(DiffMode::StructuredMerge),
    )
    .unwrap();
    assert!(d.modified);
    assert_eq!(d.predicted_live["data"], json!({"a": "1"}));
    assert!(d.predicted_live["metadata"].get("managedFields").is_none());
    assert!(
        !diff(
            &v1,
            &live,
            &DiffOptions::default().with_mode(DiffMode::StructuredMerge)
        )
        .unwrap()
        .modified
    );
}

#[test]
fn missing_and_pruned_objects() {
    let desired =
        json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c"}, "data": {"a": "1"}});
    let created = diff(&desired, &Value::Null, &DiffOptions::default()).unwrap();
    assert!(created.modified);
    assert_eq!(created.changes[0].before, None);
    let pruned = diff(&Value::Null, &desired, &DiffOptions::default()).unwrap();
    assert!(pruned.modified);
    assert_eq!(pruned.predicted_live, Value::Null);
    assert!(diff(&json!([1]), &desired, &DiffOptions::default()).is_err());
}

#[test]
fn ignore_rules_by_pointer_jq_and_manager() {
    let desired = json!({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "w", "namespace": "d"},
        "spec": {"replicas": 1, "template": {"spec": {"containers": [{"name": "a", "image": "x:1"}]}}}});
    let live = merge::apply(None, &desired, "gitops-rs", false).unwrap().object;
    let mut scaled = live.clone();
    scaled["spec"]["replicas"] = json!(9);
    scaled["spec"]["template"]["spec"]["containers"][0]["image"] = json!("x:2");
    let live = merge::update(Some(&live), &scaled, "hpa").object;
    assert!(diff(&desired, &live, &DiffOptions::default()).unwrap().modified);

    let by_pointer = DiffOptions::default()
        .with_ignore(IgnoreRule::new("apps", "Deployment").with_pointer("/spec/replicas"))
        .with_ignore(
            IgnoreRule::new("*", "*")
                .with_jq(r#".spec.template.spec.containers[] | select(.name == "a") | .image"#),
        );
    assert!(!diff(&desired, &live, &by_pointer).unwrap().modified);
    let by_manager = DiffOptions::default().with_ignore(IgnoreRule::new("apps", "*").with_manager("hpa"));
    assert!(!diff(&desired, &live, &by_manager).unwrap().modified);
    let other_kind = DiffOptions::default().with_ignore(IgnoreRule::new("", "Service").with_manager("hpa"));
    assert!(diff(&desired, &live, &other_kind).unwrap().modified);
    let bad = DiffOptions::default().with_ignore(IgnoreRule::new("*", "*").with_jq(".spec[[["));
    assert!(diff(&desired, &live, &bad).is_err());
}

#[test]
fn crd_schema_gives_list_map_semantics() {
    let crd = json!({"apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
        "metadata": {"name": "widgets.example.com"},
        "spec": {"group": "example.com", "names": {"kind": "Widget"}, "versions": [{"name": "v1", "schema": {"openAPIV3Schema": {
            "type": "object", "properties": {"spec": {"type": "object", "properties": {"items": {
                "type": "array", "x-kubernetes-list-type": "map", "x-kubernetes-list-map-keys": ["id"],
                "items": {"type": "object", "properties": {"id": {"type": "string"}, "v": {"type": "integer"}}}}}}}}}}]}});
    let mut schema = Schema::new();
    assert_eq!(
        schema
            .add_crds([&crd, &json!({"apiVersion": "v1", "kind": "ConfigMap"})])
            .unwrap(),
        1
    );
    assert!(schema.add_crd(&json!({"metadata": {"name": "x"}})).is_err());
    let desired = json!({"apiVersion": "example.com/v1", "kind": "Widget", "metadata": {"name": "w"},
        "spec": {"items": [{"id": "a", "v": 1}, {"id": "b", "v": 2}]}});
    let live = json!({"apiVersion": "example.com/v1", "kind": "Widget", "metadata": {"name": "w"},
        "spec": {"items": [{"id": "b", "v": 2}, {"id": "a", "v": 1}]}});
    let with_crd = DiffOptions::default().with_schema(schema);
    assert!(
        !diff(&desired, &live, &with_crd).unwrap().modified,
        "reordered list-map is not drift"
    );
    assert!(
        diff(&desired, &live, &DiffOptions::default()).unwrap().modified,
        "atomic fallback sees the order"
    );
}

#[test]
fn secrets_are_masked_in_every_output() {
    let desired = json!({"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "s"}, "stringData": {"password": "hunter2"}});
    let live = json!({"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "s"}, "data": {"password": "b2xk"}});
    let d = diff(&desired, &live, &DiffOptions::default()).unwrap();
    assert!(d.modified);
    let text = d.unified(&RenderOptions::default());
    assert!(!text.contains("hunter2") && !text.contains("aHVudGVyMg==") && !text.contains("b2xk"));
    insta::assert_snapshot!("secret_masked", text);
    let token = json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c", "annotations": {"token": "abc123"}}});
    let rules = gitops_diff::mask::MaskRules::new().with_annotation("token");
    let live = json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c", "annotations": {"token": "zzz999"}}});
    let masked = diff(&token, &live, &DiffOptions::default().with_mask(rules)).unwrap();
    assert!(masked.modified);
    let text = masked.unified(&RenderOptions::default());
    assert!(!text.contains("abc123") && !text.contains("zzz999") && text.contains("token: ++++++++"));
    let same = diff(
        &desired,
        &json!({"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "s"},
        "data": {"password": "aHVudGVyMg=="}}),
        &DiffOptions::default(),
    )
    .unwrap();
    assert!(!same.modified, "stringData equals base64 data");
}

#[test]
fn colored_output_marks_lines() {
    let d = diff(
        &fixture("deployment-desired.yaml"),
        &fixture("deployment-live.yaml"),
        &DiffOptions::default(),
    )
    .unwrap();
    let text = d.unified(&RenderOptions::default().with_color(true));
    assert!(text.contains("\x1b[31m-  replicas: 2\x1b[0m"));
    assert!(text.contains("\x1b[32m+  replicas: 3\x1b[0m"));
}
