//! managedFields set explicitly by a non-apply write (merge, JSON and strategic patches, PUT),
//! with kube-apiserver's `FieldManager.Update` semantics: a non-empty list that decodes is stored
//! as given, `[]` and `[{}]` reset, entries that do not decode keep the live ones, badly typed
//! entries are a 400 and a too long manager a 422.

use k8s_openapi::api::core::v1::ConfigMap;
use kube::{
    Api,
    api::{Patch, PatchParams, PostParams},
};
use serde_json::{Value, json};

use crate::{client::api_error, emulator, managers};

fn params(manager: &str) -> PatchParams {
    PatchParams {
        field_manager: Some(manager.into()),
        ..PatchParams::default()
    }
}

/// Creates ConfigMap `name` with `data` as manager `kubectl-client-side-apply` (what kubectl's
/// client-side apply records) and returns the stored object as JSON.
async fn created(api: &Api<ConfigMap>, name: &str, data: Value) -> Value {
    let object = json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": name}, "data": data});
    let params = PostParams {
        field_manager: Some("kubectl-client-side-apply".into()),
        ..PostParams::default()
    };
    let created = api
        .create(&params, &serde_json::from_value(object).unwrap())
        .await
        .unwrap();
    serde_json::to_value(created).unwrap()
}

fn json_of(object: &ConfigMap) -> Value {
    serde_json::to_value(object).unwrap()
}

/// An `Apply` entry of `manager` owning `fields`.
fn apply_entry(manager: &str, fields: &Value) -> Value {
    json!({"manager": manager, "operation": "Apply", "apiVersion": "v1",
           "time": "2024-01-01T00:00:00Z", "fieldsType": "FieldsV1", "fieldsV1": fields})
}

#[tokio::test(flavor = "multi_thread")]
async fn a_patch_that_sets_managed_fields_stores_them_and_records_no_update() {
    let emulator = emulator();
    let api: Api<ConfigMap> = Api::default_namespaced(emulator.client().unwrap());
    let live = created(&api, "moved", json!({"a": "1", "b": "2"})).await;
    assert_eq!(managers(&live), ["kubectl-client-side-apply"]);

    // csaupgrade: the client-side entry becomes gitops-rs's Apply entry (merge patch, with the
    // resourceVersion as a precondition).
    let given = vec![apply_entry(
        "gitops-rs",
        &json!({"f:data": {".": {}, "f:a": {}, "f:b": {}}}),
    )];
    let patch = json!({"metadata": {"managedFields": given,
                                    "resourceVersion": live["metadata"]["resourceVersion"]}});
    let patched = json_of(
        &api.patch("moved", &params("migrator"), &Patch::Merge(&patch))
            .await
            .unwrap(),
    );
    assert_eq!(patched["metadata"]["managedFields"], json!(given));
    assert_ne!(
        patched["metadata"]["resourceVersion"],
        live["metadata"]["resourceVersion"]
    );
    let stored = json_of(&api.get("moved").await.unwrap());
    assert_eq!(stored["metadata"]["managedFields"], json!(given));

    // gitops-rs now owns `b`: applying without it removes it.
    let config = json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "moved"},
                        "data": {"a": "1"}});
    let applied = json_of(
        &api.patch("moved", &PatchParams::apply("gitops-rs"), &Patch::Apply(&config))
            .await
            .unwrap(),
    );
    assert_eq!(applied["data"], json!({"a": "1"}));
    assert_eq!(managers(&applied), ["gitops-rs"]);

    // Every patch type and PUT keep an explicit list the same way.
    let other = vec![apply_entry("other", &json!({"f:data": {"f:a": {}}}))];
    let ops: json_patch::Patch = serde_json::from_value(json!([
        {"op": "replace", "path": "/metadata/managedFields", "value": other}
    ]))
    .unwrap();
    let patched = json_of(
        &api.patch("moved", &params("migrator"), &Patch::<()>::Json(ops))
            .await
            .unwrap(),
    );
    assert_eq!(patched["metadata"]["managedFields"], json!(other));
    let strategic = vec![apply_entry("third", &json!({"f:data": {"f:a": {}}}))];
    let patched = json_of(
        &api.patch(
            "moved",
            &params("migrator"),
            &Patch::Strategic(json!({"metadata": {"managedFields": strategic}})),
        )
        .await
        .unwrap(),
    );
    assert_eq!(patched["metadata"]["managedFields"], json!(strategic));
    let mut body = patched.clone();
    let fourth = vec![apply_entry("fourth", &json!({"f:data": {"f:a": {}}}))];
    body["metadata"]["managedFields"] = json!(fourth);
    let replaced = json_of(
        &api.replace(
            "moved",
            &PostParams {
                field_manager: Some("migrator".into()),
                ..PostParams::default()
            },
            &serde_json::from_value(body).unwrap(),
        )
        .await
        .unwrap(),
    );
    assert_eq!(replaced["metadata"]["managedFields"], json!(fourth));
}

#[tokio::test(flavor = "multi_thread")]
async fn the_writer_still_takes_the_fields_its_request_changes() {
    let emulator = emulator();
    let api: Api<ConfigMap> = Api::default_namespaced(emulator.client().unwrap());
    created(&api, "both", json!({"a": "1"})).await;
    let given = vec![apply_entry("gitops-rs", &json!({"f:data": {"f:a": {}}}))];
    let patch = json!({"metadata": {"managedFields": given, "labels": {"x": "y"}}});
    let patched = json_of(
        &api.patch("both", &params("editor"), &Patch::Merge(&patch))
            .await
            .unwrap(),
    );
    assert_eq!(managers(&patched), ["gitops-rs", "editor"]);
    let entries = patched["metadata"]["managedFields"].as_array().unwrap();
    assert_eq!(entries[0], given[0]);
    assert_eq!(entries[1]["operation"], "Update");
    assert_eq!(
        entries[1]["fieldsV1"],
        json!({"f:metadata": {"f:labels": {".": {}, "f:x": {}}}})
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn an_empty_list_or_one_empty_entry_resets_managed_fields() {
    let emulator = emulator();
    let api: Api<ConfigMap> = Api::default_namespaced(emulator.client().unwrap());
    for (name, reset) in [("empty", json!([])), ("one-empty", json!([{}]))] {
        created(&api, name, json!({"a": "1"})).await;
        let patch = json!({"metadata": {"managedFields": reset}});
        let patched = json_of(
            &api.patch(name, &params("janitor"), &Patch::Merge(&patch))
                .await
                .unwrap(),
        );
        assert_eq!(
            patched["metadata"].get("managedFields"),
            None,
            "{name}: {patched}"
        );
        // A reset with a change records only the change.
        let patch = json!({"metadata": {"managedFields": reset}, "data": {"b": "2"}});
        let patched = json_of(
            &api.patch(name, &params("janitor"), &Patch::Merge(&patch))
                .await
                .unwrap(),
        );
        assert_eq!(managers(&patched), ["janitor"], "{name}");
        assert_eq!(
            patched["metadata"]["managedFields"][0]["fieldsV1"],
            json!({"f:data": {"f:b": {}}})
        );
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_request_without_managed_fields_or_with_entries_that_do_not_decode_keeps_the_live_ones() {
    let emulator = emulator();
    let api: Api<ConfigMap> = Api::default_namespaced(emulator.client().unwrap());
    let live = created(&api, "kept", json!({"a": "1"})).await;
    let before = live["metadata"]["managedFields"].clone();
    let undecodable = [
        json!({"manager": "x", "operation": "Bogus", "apiVersion": "v1", "fieldsType": "FieldsV1"}),
        json!({"manager": "x", "operation": "Apply", "fieldsType": "FieldsV1"}),
        json!({"manager": "x", "operation": "Apply", "apiVersion": "v1"}),
        json!({"manager": "x", "operation": "Apply", "apiVersion": "v1", "fieldsType": "FieldsV2"}),
    ];
    for entry in undecodable {
        let patch = json!({"metadata": {"managedFields": [entry]}});
        let patched = json_of(
            &api.patch("kept", &params("editor"), &Patch::Merge(&patch))
                .await
                .unwrap(),
        );
        assert_eq!(patched["metadata"]["managedFields"], before, "{entry}");
    }
    // A PUT without managedFields keeps them too (and takes what it changes).
    let mut body = json_of(&api.get("kept").await.unwrap());
    body["metadata"].as_object_mut().unwrap().remove("managedFields");
    body["data"]["b"] = json!("2");
    let replaced = json_of(
        &api.replace(
            "kept",
            &PostParams {
                field_manager: Some("editor".into()),
                ..PostParams::default()
            },
            &serde_json::from_value(body).unwrap(),
        )
        .await
        .unwrap(),
    );
    let mut writers = managers(&replaced);
    writers.sort();
    assert_eq!(writers, ["editor", "kubectl-client-side-apply"]);
}

#[tokio::test(flavor = "multi_thread")]
async fn badly_typed_entries_are_a_400_and_a_too_long_manager_a_422() {
    let emulator = emulator();
    let api: Api<ConfigMap> = Api::default_namespaced(emulator.client().unwrap());
    let live = created(&api, "checked", json!({"a": "1"})).await;
    for bad in [
        json!("not a list"),
        json!([1]),
        json!([{"manager": 7, "operation": "Apply", "apiVersion": "v1", "fieldsType": "FieldsV1"}]),
        json!([{"manager": "x", "operation": "Apply", "apiVersion": "v1", "fieldsType": "FieldsV1",
                "time": "yesterday"}]),
    ] {
        let patch = json!({"metadata": {"managedFields": bad}});
        let status = api_error(
            api.patch("checked", &params("editor"), &Patch::Merge(&patch))
                .await
                .unwrap_err(),
        );
        assert_eq!(
            (status.code, status.reason.as_str()),
            (400, "BadRequest"),
            "{bad}"
        );
        assert!(
            status.message.contains("metadata.managedFields"),
            "{}",
            status.message
        );
    }
    let long = apply_entry(&"m".repeat(129), &json!({"f:data": {}}));
    let patch = json!({"metadata": {"managedFields": [long]}});
    let status = api_error(
        api.patch("checked", &params("editor"), &Patch::Merge(&patch))
            .await
            .unwrap_err(),
    );
    assert_eq!((status.code, status.reason.as_str()), (422, "Invalid"));
    assert!(
        status
            .message
            .contains("metadata.managedFields[0].manager: Too long"),
        "{}",
        status.message
    );
    let stored = json_of(&api.get("checked").await.unwrap());
    assert_eq!(
        stored["metadata"]["resourceVersion"],
        live["metadata"]["resourceVersion"]
    );
}
