//! Status errors: 404, 409, 422, 400, 415, stale updates.

use axum::http::{Request, header};
use k8s_openapi::api::{
    apps::v1::Deployment,
    batch::v1::Job,
    core::v1::{ConfigMap, Service},
};
use kube::{
    Api, Client,
    api::{Patch, PatchParams, PostParams},
};
use serde_json::{Value, json};

use crate::{
    client::{api_error, deployment_json},
    emulator,
};

/// Sends a raw request and returns (status code, body).
async fn raw(client: &Client, method: &str, path: &str, content_type: &str, body: &str) -> (u16, Value) {
    let request = Request::builder()
        .method(method)
        .uri(path)
        .header(header::CONTENT_TYPE, content_type)
        .body(body.as_bytes().to_vec())
        .unwrap();
    match client.request_text(request).await {
        Ok(text) => (200, serde_json::from_str(&text).unwrap()),
        Err(kube::Error::Api(status)) => (status.code, serde_json::to_value(&*status).unwrap()),
        Err(other) => panic!("{other:?}"),
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn not_found_already_exists_and_stale_updates() {
    let emulator = emulator();
    let client = emulator.client().unwrap();
    let missing_ns: Api<ConfigMap> = Api::namespaced(client.clone(), "nowhere");
    let err = api_error(
        missing_ns
            .create(
                &PostParams::default(),
                &serde_json::from_value(json!({"metadata": {"name": "a"}})).unwrap(),
            )
            .await
            .unwrap_err(),
    );
    assert_eq!((err.code, err.reason.as_str()), (404, "NotFound"));
    assert_eq!(err.message, "namespaces \"nowhere\" not found");
    let maps: Api<ConfigMap> = Api::default_namespaced(client.clone());
    let cm: ConfigMap =
        serde_json::from_value(json!({"metadata": {"name": "a"}, "data": {"k": "v"}})).unwrap();
    let created = maps.create(&PostParams::default(), &cm).await.unwrap();
    let err = api_error(maps.create(&PostParams::default(), &cm).await.unwrap_err());
    assert_eq!((err.code, err.reason.as_str()), (409, "AlreadyExists"));
    let mut first = created.clone();
    first.data = Some([("k".to_string(), "1".to_string())].into());
    maps.replace("a", &PostParams::default(), &first).await.unwrap();
    let mut stale = created;
    stale.data = Some([("k".to_string(), "2".to_string())].into());
    let err = api_error(
        maps.replace("a", &PostParams::default(), &stale)
            .await
            .unwrap_err(),
    );
    assert_eq!((err.code, err.reason.as_str()), (409, "Conflict"));
    assert!(
        err.message.contains("the object has been modified"),
        "{}",
        err.message
    );
    let err = api_error(maps.get("zzz").await.unwrap_err());
    assert_eq!(err.message, "configmaps \"zzz\" not found");
}

#[tokio::test(flavor = "multi_thread")]
async fn invalid_names_and_immutable_fields_are_422() {
    let emulator = emulator();
    let client = emulator.client().unwrap();
    let maps: Api<ConfigMap> = Api::default_namespaced(client.clone());
    let err = api_error(
        maps.create(
            &PostParams::default(),
            &serde_json::from_value(json!({"metadata": {}})).unwrap(),
        )
        .await
        .unwrap_err(),
    );
    assert_eq!((err.code, err.reason.as_str()), (422, "Invalid"));
    let err = api_error(
        maps.create(
            &PostParams::default(),
            &serde_json::from_value(json!({"metadata": {"name": "Bad_Name"}})).unwrap(),
        )
        .await
        .unwrap_err(),
    );
    assert_eq!(err.code, 422);
    assert_eq!(err.details.unwrap().causes[0].field, "metadata.name");
    // Server-side apply creating an object checks the name the same way.
    let err = api_error(
        maps.patch(
            "Bad_Name",
            &PatchParams::apply("test"),
            &Patch::Apply(json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "Bad_Name"}})),
        )
        .await
        .unwrap_err(),
    );
    assert_eq!(err.code, 422);
    assert_eq!(err.details.unwrap().causes[0].field, "metadata.name");
    assert!(maps.get_opt("Bad_Name").await.unwrap().is_none());

    let services: Api<Service> = Api::default_namespaced(client.clone());
    let svc = json!({"apiVersion": "v1", "kind": "Service", "metadata": {"name": "web"}, "spec": {"ports": [{"port": 80}]}});
    let created = services
        .create(&PostParams::default(), &serde_json::from_value(svc).unwrap())
        .await
        .unwrap();
    assert!(created.spec.unwrap().cluster_ip.is_some());
    let err = api_error(
        services
            .patch(
                "web",
                &PatchParams::default(),
                &Patch::Merge(json!({"spec": {"clusterIP": "10.0.0.1"}})),
            )
            .await
            .unwrap_err(),
    );
    assert_eq!(err.code, 422);
    assert!(
        err.message.contains("spec.clusterIP") && err.message.contains("immutable"),
        "{}",
        err.message
    );

    let deployments: Api<Deployment> = Api::default_namespaced(client.clone());
    deployments
        .create(
            &PostParams::default(),
            &serde_json::from_value(deployment_json("web")).unwrap(),
        )
        .await
        .unwrap();
    let selector = json!({"spec": {"selector": {"matchLabels": {"app": "other"}}, "template": {"metadata": {"labels": {"app": "other"}}}}});
    let err = api_error(
        deployments
            .patch("web", &PatchParams::default(), &Patch::Merge(selector))
            .await
            .unwrap_err(),
    );
    assert_eq!(err.code, 422);
    assert_eq!(err.details.unwrap().causes[0].field, "spec.selector");

    let jobs: Api<Job> = Api::default_namespaced(client.clone());
    let job = json!({"apiVersion": "batch/v1", "kind": "Job", "metadata": {"name": "once"},
        "spec": {"template": {"spec": {"restartPolicy": "Never", "containers": [{"name": "c", "image": "busybox"}]}}}});
    jobs.create(&PostParams::default(), &serde_json::from_value(job).unwrap())
        .await
        .unwrap();
    let change = json!({"spec": {"template": {"spec": {"containers": [{"name": "c", "image": "alpine"}]}}}});
    let err = api_error(
        jobs.patch("once", &PatchParams::default(), &Patch::Strategic(change))
            .await
            .unwrap_err(),
    );
    assert_eq!(err.code, 422);
    assert!(err.message.contains("spec.template"), "{}", err.message);
}

#[tokio::test(flavor = "multi_thread")]
async fn malformed_bodies_are_400_and_unknown_patch_types_415() {
    let emulator = emulator();
    let client = emulator.client().unwrap();
    let (code, status) = raw(
        &client,
        "POST",
        "/api/v1/namespaces/default/configmaps",
        "application/json",
        "{not json",
    )
    .await;
    assert_eq!(code, 400);
    assert_eq!(status["reason"], "BadRequest");
    let (code, _) = raw(
        &client,
        "POST",
        "/api/v1/namespaces/default/configmaps",
        "application/json",
        r#"{"apiVersion":"v1","kind":"Secret","metadata":{"name":"x"}}"#,
    )
    .await;
    assert_eq!(code, 400, "kind mismatch");
    let (code, created) = raw(
        &client,
        "POST",
        "/api/v1/namespaces/default/configmaps",
        "application/json",
        r#"{"metadata":{"name":"x"}}"#,
    )
    .await;
    assert_eq!(
        code, 200,
        "the create succeeds (raw reports any 2xx as 200): {created}"
    );
    assert_eq!(created["metadata"]["name"], "x");
    let (code, status) = raw(
        &client,
        "PATCH",
        "/api/v1/namespaces/default/configmaps/x",
        "text/plain",
        "{}",
    )
    .await;
    assert_eq!(code, 415);
    assert_eq!(status["reason"], "UnsupportedMediaType");
    let (code, _) = raw(
        &client,
        "PATCH",
        "/api/v1/namespaces/default/configmaps/x",
        "application/apply-patch+yaml",
        "apiVersion: v1\nkind: ConfigMap\n",
    )
    .await;
    assert_eq!(code, 422, "apply without fieldManager");
    let (code, _) = raw(
        &client,
        "GET",
        "/apis/nothing.example.com/v1/things",
        "application/json",
        "",
    )
    .await;
    assert_eq!(code, 404);
    let (code, _) = raw(
        &client,
        "PATCH",
        "/api/v1/namespaces/default/configmaps/x?fieldManager=m",
        "application/apply-patch+yaml",
        "apiVersion: v1\nkind: ConfigMap\ndata: [unclosed",
    )
    .await;
    assert_eq!(code, 400);
    // YAML proper (not JSON) is decoded as YAML.
    let (code, applied) = raw(
        &client,
        "PATCH",
        "/api/v1/namespaces/default/configmaps/x?fieldManager=m",
        "application/apply-patch+yaml",
        "apiVersion: v1\nkind: ConfigMap\ndata:\n  a: '1'  # a comment\n",
    )
    .await;
    assert_eq!((code, &applied["data"]), (200, &serde_json::json!({"a": "1"})));
}

#[tokio::test(flavor = "multi_thread")]
async fn dry_run_creates_nothing() {
    let emulator = emulator();
    let client = emulator.client().unwrap();
    let maps: Api<ConfigMap> = Api::default_namespaced(client.clone());
    let before = emulator.resource_version();
    let preview = maps
        .create(
            &PostParams {
                dry_run: true,
                ..PostParams::default()
            },
            &serde_json::from_value(json!({"metadata": {"name": "ghost"}})).unwrap(),
        )
        .await
        .unwrap();
    assert_eq!(preview.metadata.name.as_deref(), Some("ghost"));
    assert_eq!(api_error(maps.get("ghost").await.unwrap_err()).code, 404);
    assert_eq!(emulator.resource_version(), before);
}

#[tokio::test(flavor = "multi_thread")]
async fn dry_run_values_other_than_all_are_400_on_every_verb() {
    let emulator = emulator();
    let client = emulator.client().unwrap();
    let maps: Api<ConfigMap> = Api::default_namespaced(client.clone());
    let path = "/api/v1/namespaces/default/configmaps";
    let (code, status) = raw(
        &client,
        "POST",
        &format!("{path}?dryRun=foo"),
        "application/json",
        r#"{"metadata":{"name":"x"}}"#,
    )
    .await;
    assert_eq!((code, &status["reason"]), (400, &json!("BadRequest")));
    let (code, _) = raw(
        &client,
        "POST",
        path,
        "application/json",
        r#"{"metadata":{"name":"x"}}"#,
    )
    .await;
    assert_eq!(code, 200);
    let before = emulator.resource_version();
    let (code, status) = raw(
        &client,
        "DELETE",
        &format!("{path}/x?dryRun=foo"),
        "application/json",
        "",
    )
    .await;
    assert_eq!(
        (code, &status["message"]),
        (400, &json!("unsupported dryRun value \"foo\": only All"))
    );
    let body = r#"{"kind":"DeleteOptions","apiVersion":"v1","dryRun":["foo"]}"#;
    let (code, _) = raw(&client, "DELETE", &format!("{path}/x"), "application/json", body).await;
    assert_eq!(code, 400, "a bad dryRun in the DeleteOptions body");
    let (code, _) = raw(
        &client,
        "DELETE",
        &format!("{path}/x?dryRun=All"),
        "application/json",
        "",
    )
    .await;
    assert_eq!(code, 200, "a dry-run delete succeeds");
    assert!(maps.get_opt("x").await.unwrap().is_some(), "and deletes nothing");
    assert_eq!(emulator.resource_version(), before);
}
