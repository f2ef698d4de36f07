//! The kubectl scenarios, and the rest of the API surface, through `kube::Client`.

use std::time::Duration;

use k8s_openapi::api::{
    apps::v1::Deployment,
    core::v1::{ConfigMap, Namespace, Service},
};
use kube::{
    Api, Client, Discovery,
    api::{DeleteParams, DynamicObject, ListParams, Patch, PatchParams, PostParams},
    core::{ApiResource, GroupVersionKind},
    runtime::wait::{await_condition, conditions},
};
use serde_json::{Value, json};

use crate::{emulator, guestbook, kubectl::CRD, managers, yaml};

pub(crate) fn api_error(error: kube::Error) -> Box<kube::core::Status> {
    match error {
        kube::Error::Api(status) => status,
        other => panic!("expected an API error, got {other:?}"),
    }
}

/// Server-side applies the guestbook manifests as manager `kubectl`; `None` when skipped.
async fn apply_guestbook(client: &Client) -> Option<()> {
    for (_, text) in guestbook()? {
        let object = yaml(&text);
        let kind = object["kind"].as_str().unwrap();
        let name = object["metadata"]["name"].as_str().unwrap();
        let gvk = GroupVersionKind::gvk("", "v1", kind);
        let resource = if kind == "Deployment" {
            ApiResource::from_gvk(&GroupVersionKind::gvk("apps", "v1", kind))
        } else {
            ApiResource::from_gvk(&gvk)
        };
        let api: Api<DynamicObject> = Api::namespaced_with(client.clone(), "default", &resource);
        api.patch(name, &PatchParams::apply("kubectl"), &Patch::Apply(&object))
            .await
            .unwrap();
    }
    Some(())
}

#[tokio::test(flavor = "multi_thread")]
async fn guestbook_server_side_apply_conflict_force_and_dry_run() {
    let emulator = emulator();
    let client = emulator.client().unwrap();
    if apply_guestbook(&client).await.is_none() {
        return;
    }
    let deployments: Api<Deployment> = Api::default_namespaced(client.clone());
    let live = deployments.get("guestbook-ui").await.unwrap();
    let fields = live.metadata.managed_fields.clone().unwrap();
    assert_eq!(fields[0].manager.as_deref(), Some("kubectl"));
    assert_eq!(fields[0].operation.as_deref(), Some("Apply"));
    assert_eq!(live.metadata.generation, Some(1));
    let scale = json!({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "guestbook-ui"}, "spec": {"replicas": 3}});
    let conflict = api_error(
        deployments
            .patch(
                "guestbook-ui",
                &PatchParams::apply("scaler"),
                &Patch::Apply(&scale),
            )
            .await
            .unwrap_err(),
    );
    assert_eq!(conflict.code, 409);
    assert_eq!(conflict.reason, "Conflict");
    let causes = conflict.details.unwrap().causes;
    assert_eq!(causes[0].field, ".spec.replicas");
    assert_eq!(causes[0].reason, "FieldManagerConflict");
    assert!(causes[0].message.contains("kubectl"), "{}", causes[0].message);
    // Dry run: the result is returned, nothing is stored.
    let preview = deployments
        .patch(
            "guestbook-ui",
            &PatchParams::apply("scaler").force().dry_run(),
            &Patch::Apply(&scale),
        )
        .await
        .unwrap();
    assert_eq!(preview.spec.unwrap().replicas, Some(3));
    let unchanged = deployments.get("guestbook-ui").await.unwrap();
    assert_eq!(unchanged.spec.unwrap().replicas, Some(1));
    assert_eq!(unchanged.metadata.generation, Some(1));
    let forced = deployments
        .patch(
            "guestbook-ui",
            &PatchParams::apply("scaler").force(),
            &Patch::Apply(&scale),
        )
        .await
        .unwrap();
    assert_eq!(forced.spec.as_ref().unwrap().replicas, Some(3));
    assert_eq!(forced.metadata.generation, Some(2));
    let value = serde_json::to_value(&forced).unwrap();
    assert!(managers(&value).contains(&"scaler".to_string()));
}

#[tokio::test(flavor = "multi_thread")]
async fn deployment_becomes_available_and_deletes() {
    let emulator = emulator();
    let client = emulator.client().unwrap();
    if apply_guestbook(&client).await.is_none() {
        return;
    }
    let deployments: Api<Deployment> = Api::default_namespaced(client.clone());
    let ready = tokio::time::timeout(
        Duration::from_secs(20),
        await_condition(
            deployments.clone(),
            "guestbook-ui",
            conditions::is_deployment_completed(),
        ),
    )
    .await
    .unwrap()
    .unwrap()
    .unwrap();
    let status = ready.status.unwrap();
    assert_eq!(status.ready_replicas, Some(1));
    assert_eq!(status.observed_generation, Some(1));
    let deleted = deployments
        .delete("guestbook-ui", &DeleteParams::default())
        .await
        .unwrap();
    assert!(
        deleted.is_right(),
        "no finalizers: deleted at once, a Status comes back"
    );
    assert_eq!(
        api_error(deployments.get("guestbook-ui").await.unwrap_err()).code,
        404
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn merge_json_and_strategic_patches() {
    let emulator = emulator();
    let client = emulator.client().unwrap();
    if apply_guestbook(&client).await.is_none() {
        return;
    }
    let services: Api<Service> = Api::default_namespaced(client.clone());
    let params = PatchParams::default();
    services
        .patch(
            "guestbook-ui",
            &params,
            &Patch::Merge(json!({"metadata": {"labels": {"a": "1"}}})),
        )
        .await
        .unwrap();
    let ops: json_patch::Patch =
        serde_json::from_value(json!([{"op": "add", "path": "/metadata/labels/b", "value": "2"}])).unwrap();
    services
        .patch("guestbook-ui", &params, &Patch::<()>::Json(ops))
        .await
        .unwrap();
    let service = services.get("guestbook-ui").await.unwrap();
    assert_eq!(service.metadata.labels.unwrap().len(), 2);
    let deployments: Api<Deployment> = Api::default_namespaced(client.clone());
    let patch = json!({"spec": {"template": {"spec": {"containers": [{"name": "guestbook-ui", "image": "nginx:1.27"}]}}}});
    let patched = deployments
        .patch("guestbook-ui", &PatchParams::default(), &Patch::Strategic(patch))
        .await
        .unwrap();
    let container = &patched.spec.unwrap().template.spec.unwrap().containers[0];
    assert_eq!(container.image.as_deref(), Some("nginx:1.27"));
    assert_eq!(container.ports.as_ref().unwrap()[0].container_port, 80);
    assert_eq!(patched.metadata.generation, Some(2));
}

#[tokio::test(flavor = "multi_thread")]
async fn crd_registers_kinds_in_discovery_and_deleting_it_removes_them() {
    let emulator = emulator();
    let client = emulator.client().unwrap();
    let crd_value = yaml(CRD);
    let crds: Api<DynamicObject> = Api::all_with(
        client.clone(),
        &ApiResource::from_gvk(&GroupVersionKind::gvk(
            "apiextensions.k8s.io",
            "v1",
            "CustomResourceDefinition",
        )),
    );
    crds.create(
        &PostParams::default(),
        &serde_json::from_value(crd_value).unwrap(),
    )
    .await
    .unwrap();
    let discovery = Discovery::new(client.clone()).run().await.unwrap();
    let (widget, caps) = discovery
        .resolve_gvk(&GroupVersionKind::gvk("example.com", "v1", "Widget"))
        .unwrap();
    assert_eq!(widget.plural, "widgets");
    assert!(
        caps.subresources
            .iter()
            .any(|(r, _)| r.plural == "widgets/status" || r.plural == "status")
    );
    let widgets: Api<DynamicObject> = Api::default_namespaced_with(client.clone(), &widget);
    let created = widgets
        .create(&PostParams::default(), &serde_json::from_value(json!({"apiVersion": "example.com/v1", "kind": "Widget", "metadata": {"name": "w"}, "spec": {"size": 1}})).unwrap())
        .await
        .unwrap();
    assert_eq!(created.metadata.generation, Some(1));
    // Status writes go through the subresource only and leave generation alone.
    let status = json!({"status": {"ready": true}});
    widgets
        .patch_status("w", &PatchParams::default(), &Patch::Merge(&status))
        .await
        .unwrap();
    let ignored = widgets
        .patch(
            "w",
            &PatchParams::default(),
            &Patch::Merge(json!({"status": {"ready": false}})),
        )
        .await
        .unwrap();
    assert_eq!(ignored.data["status"]["ready"], true, "spec writes ignore status");
    assert_eq!(ignored.metadata.generation, Some(1));
    let err = api_error(
        widgets
            .patch(
                "w",
                &PatchParams::default(),
                &Patch::Strategic(json!({"spec": {"size": 2}})),
            )
            .await
            .unwrap_err(),
    );
    assert_eq!(err.code, 415, "no strategic merge for custom resources");
    crds.delete("widgets.example.com", &DeleteParams::default())
        .await
        .unwrap();
    let discovery = Discovery::new(client.clone()).run().await.unwrap();
    assert!(
        discovery
            .resolve_gvk(&GroupVersionKind::gvk("example.com", "v1", "Widget"))
            .is_none()
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn list_selectors_pagination_generate_name_and_generation() {
    let emulator = emulator();
    let client = emulator.client().unwrap();
    let maps: Api<ConfigMap> = Api::default_namespaced(client.clone());
    for i in 0..5 {
        let cm = serde_json::from_value(json!({"metadata": {"name": format!("cm-{i}"), "labels": {"parity": if i % 2 == 0 { "even" } else { "odd" }}}, "data": {"i": i.to_string()}})).unwrap();
        maps.create(&PostParams::default(), &cm).await.unwrap();
    }
    let even = maps
        .list(&ListParams::default().labels("parity=even"))
        .await
        .unwrap();
    assert_eq!(even.items.len(), 3);
    let named = maps
        .list(&ListParams::default().fields("metadata.name=cm-4"))
        .await
        .unwrap();
    assert_eq!(named.items.len(), 1);
    let mut names = Vec::new();
    let mut params = ListParams::default().limit(2);
    loop {
        let page = maps.list(&params).await.unwrap();
        names.extend(page.items.iter().map(|c| c.metadata.name.clone().unwrap()));
        match page.metadata.continue_ {
            Some(token) if !token.is_empty() => {
                params = ListParams::default().limit(2).continue_token(&token);
            }
            _ => break,
        }
    }
    assert_eq!(names, ["cm-0", "cm-1", "cm-2", "cm-3", "cm-4"]);
    let generated = maps
        .create(
            &PostParams::default(),
            &serde_json::from_value(json!({"metadata": {"generateName": "gen-"}})).unwrap(),
        )
        .await
        .unwrap();
    let name = generated.metadata.name.unwrap();
    assert!(name.starts_with("gen-") && name.len() == 9, "{name}");
    assert!(generated.metadata.uid.is_some() && generated.metadata.creation_timestamp.is_some());
    // resourceVersion increases with every write.
    let a: u64 = maps
        .get("cm-0")
        .await
        .unwrap()
        .metadata
        .resource_version
        .unwrap()
        .parse()
        .unwrap();
    maps.patch(
        "cm-0",
        &PatchParams::default(),
        &Patch::Merge(json!({"data": {"x": "y"}})),
    )
    .await
    .unwrap();
    let b: u64 = maps
        .get("cm-0")
        .await
        .unwrap()
        .metadata
        .resource_version
        .unwrap()
        .parse()
        .unwrap();
    assert!(b > a);
    // Deployments: generation moves on spec changes only.
    let deployments: Api<Deployment> = Api::default_namespaced(client.clone());
    let deployment = deployment_json("web");
    deployments
        .create(
            &PostParams::default(),
            &serde_json::from_value(deployment).unwrap(),
        )
        .await
        .unwrap();
    let labelled = deployments
        .patch(
            "web",
            &PatchParams::default(),
            &Patch::Merge(json!({"metadata": {"labels": {"x": "y"}}})),
        )
        .await
        .unwrap();
    assert_eq!(labelled.metadata.generation, Some(1));
    let scaled = deployments
        .patch(
            "web",
            &PatchParams::default(),
            &Patch::Merge(json!({"spec": {"replicas": 2}})),
        )
        .await
        .unwrap();
    assert_eq!(scaled.metadata.generation, Some(2));
}

pub(crate) fn deployment_json(name: &str) -> Value {
    json!({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": name},
           "spec": {"replicas": 1, "selector": {"matchLabels": {"app": name}},
                    "template": {"metadata": {"labels": {"app": name}}, "spec": {"containers": [{"name": "c", "image": "nginx"}]}}}})
}

#[tokio::test(flavor = "multi_thread")]
async fn finalizers_and_namespace_deletion() {
    let emulator = emulator();
    let client = emulator.client().unwrap();
    let namespaces: Api<Namespace> = Api::all(client.clone());
    namespaces
        .create(
            &PostParams::default(),
            &serde_json::from_value(json!({"metadata": {"name": "team"}})).unwrap(),
        )
        .await
        .unwrap();
    let maps: Api<ConfigMap> = Api::namespaced(client.clone(), "team");
    maps.create(
        &PostParams::default(),
        &serde_json::from_value(json!({"metadata": {"name": "held", "finalizers": ["example.com/hold"]}}))
            .unwrap(),
    )
    .await
    .unwrap();
    maps.create(
        &PostParams::default(),
        &serde_json::from_value(json!({"metadata": {"name": "free"}})).unwrap(),
    )
    .await
    .unwrap();
    let pending = namespaces.delete("team", &DeleteParams::default()).await.unwrap();
    assert!(pending.is_left(), "the namespace waits for its finalized object");
    assert_eq!(api_error(maps.get("free").await.unwrap_err()).code, 404);
    let held = maps.get("held").await.unwrap();
    assert!(held.metadata.deletion_timestamp.is_some());
    let ns = namespaces.get("team").await.unwrap();
    assert_eq!(ns.status.unwrap().phase.as_deref(), Some("Terminating"));
    let forbidden = api_error(
        maps.create(
            &PostParams::default(),
            &serde_json::from_value(json!({"metadata": {"name": "late"}})).unwrap(),
        )
        .await
        .unwrap_err(),
    );
    assert_eq!(forbidden.code, 403);
    maps.patch(
        "held",
        &PatchParams::default(),
        &Patch::Merge(json!({"metadata": {"finalizers": null}})),
    )
    .await
    .unwrap();
    assert_eq!(api_error(maps.get("held").await.unwrap_err()).code, 404);
    assert_eq!(api_error(namespaces.get("team").await.unwrap_err()).code, 404);
}

#[tokio::test(flavor = "multi_thread")]
async fn owner_references_propagate_deletion() {
    let emulator = emulator();
    let client = emulator.client().unwrap();
    let maps: Api<ConfigMap> = Api::default_namespaced(client.clone());
    let owner = maps
        .create(
            &PostParams::default(),
            &serde_json::from_value(json!({"metadata": {"name": "owner"}})).unwrap(),
        )
        .await
        .unwrap();
    let uid = owner.metadata.uid.unwrap();
    for name in ["child-a", "child-b"] {
        let child = json!({"metadata": {"name": name, "ownerReferences": [{"apiVersion": "v1", "kind": "ConfigMap", "name": "owner", "uid": uid}]}});
        maps.create(&PostParams::default(), &serde_json::from_value(child).unwrap())
            .await
            .unwrap();
    }
    let orphan = DeleteParams {
        propagation_policy: Some(kube::api::PropagationPolicy::Orphan),
        ..DeleteParams::default()
    };
    let other = maps
        .create(
            &PostParams::default(),
            &serde_json::from_value(json!({"metadata": {"name": "owner2"}})).unwrap(),
        )
        .await
        .unwrap();
    let orphaned = json!({"metadata": {"name": "kept", "ownerReferences": [{"apiVersion": "v1", "kind": "ConfigMap", "name": "owner2", "uid": other.metadata.uid.unwrap()}]}});
    maps.create(&PostParams::default(), &serde_json::from_value(orphaned).unwrap())
        .await
        .unwrap();
    maps.delete("owner2", &orphan).await.unwrap();
    assert!(
        maps.get("kept")
            .await
            .unwrap()
            .metadata
            .owner_references
            .unwrap_or_default()
            .is_empty()
    );
    maps.delete("owner", &DeleteParams::background()).await.unwrap();
    assert_eq!(api_error(maps.get("child-a").await.unwrap_err()).code, 404);
    assert_eq!(api_error(maps.get("child-b").await.unwrap_err()).code, 404);
}

#[tokio::test(flavor = "multi_thread")]
async fn controllers_can_be_switched_off_and_failures_simulated() {
    use gitops_testkit::emulator::{Emulator, EmulatorOptions};
    let quiet = Emulator::start(EmulatorOptions::default().controllers(false)).unwrap();
    let client = quiet.client().unwrap();
    let deployments: Api<Deployment> = Api::default_namespaced(client.clone());
    deployments
        .create(
            &PostParams::default(),
            &serde_json::from_value(deployment_json("idle")).unwrap(),
        )
        .await
        .unwrap();
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(deployments.get("idle").await.unwrap().status.is_none());

    let emulator = emulator();
    let deployments: Api<Deployment> = Api::default_namespaced(emulator.client().unwrap());
    let mut stuck = deployment_json("stuck");
    stuck["metadata"]["annotations"] = json!({"gitops.rs/simulate": "progress-deadline-exceeded"});
    deployments
        .create(&PostParams::default(), &serde_json::from_value(stuck).unwrap())
        .await
        .unwrap();
    tokio::time::timeout(Duration::from_secs(10), async {
        loop {
            let d = deployments.get("stuck").await.unwrap();
            let conditions = d.status.and_then(|s| s.conditions).unwrap_or_default();
            if conditions
                .iter()
                .any(|c| c.reason.as_deref() == Some("ProgressDeadlineExceeded"))
            {
                return;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    })
    .await
    .expect("ProgressDeadlineExceeded condition within 10 s");
}

#[tokio::test(flavor = "multi_thread")]
async fn bearer_token_and_tls() {
    use gitops_testkit::emulator::{Emulator, EmulatorOptions};
    let emulator = Emulator::start(EmulatorOptions::default().token("s3cret").tls(true)).unwrap();
    assert!(emulator.url().starts_with("https://127.0.0.1:"));
    assert!(emulator.kubeconfig().contains("certificate-authority-data"));
    let client = emulator.client().unwrap();
    let namespaces: Api<Namespace> = Api::all(client);
    assert!(namespaces.get("default").await.is_ok());
    let mut config = emulator.kube_config();
    config.auth_info.token = None;
    let anonymous: Api<Namespace> = Api::all(Client::try_from(config).unwrap());
    assert_eq!(api_error(anonymous.get("default").await.unwrap_err()).code, 401);
}

#[tokio::test(flavor = "multi_thread")]
async fn server_side_apply_merges_list_maps_by_key_for_builtins_and_crds() {
    let emulator = emulator();
    let client = emulator.client().unwrap();
    let deployments: Api<Deployment> = Api::default_namespaced(client.clone());
    let base = deployment_json("web");
    deployments
        .patch("web", &PatchParams::apply("team-a"), &Patch::Apply(&base))
        .await
        .unwrap();
    let sidecar = json!({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web"},
        "spec": {"template": {"spec": {"containers": [{"name": "sidecar", "image": "envoy"}]}}}});
    let merged = deployments
        .patch("web", &PatchParams::apply("team-b"), &Patch::Apply(&sidecar))
        .await
        .unwrap();
    let names: Vec<String> = merged
        .spec
        .unwrap()
        .template
        .spec
        .unwrap()
        .containers
        .into_iter()
        .map(|c| c.name)
        .collect();
    assert_eq!(names, ["c", "sidecar"], "containers merge by name");
    let steal = json!({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web"},
        "spec": {"template": {"spec": {"containers": [{"name": "c", "image": "httpd"}]}}}});
    let err = api_error(
        deployments
            .patch("web", &PatchParams::apply("team-b"), &Patch::Apply(&steal))
            .await
            .unwrap_err(),
    );
    assert_eq!(
        err.details.unwrap().causes[0].field,
        ".spec.template.spec.containers[name=\"c\"].image"
    );

    // A CRD's x-kubernetes-list-type/map-keys drive the merge of its custom resources.
    let crd = json!({"apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
        "metadata": {"name": "boards.example.com"},
        "spec": {"group": "example.com", "scope": "Namespaced", "names": {"kind": "Board", "plural": "boards"},
                 "versions": [{"name": "v1", "served": true, "storage": true, "schema": {"openAPIV3Schema": {
                     "type": "object", "properties": {"spec": {"type": "object", "properties": {"items": {
                         "type": "array", "x-kubernetes-list-type": "map", "x-kubernetes-list-map-keys": ["id"],
                         "items": {"type": "object", "properties": {"id": {"type": "string"}, "v": {"type": "integer"}}}}}}}}}}]}});
    let crds: Api<DynamicObject> = Api::all_with(
        client.clone(),
        &ApiResource::from_gvk(&GroupVersionKind::gvk(
            "apiextensions.k8s.io",
            "v1",
            "CustomResourceDefinition",
        )),
    );
    crds.create(&PostParams::default(), &serde_json::from_value(crd).unwrap())
        .await
        .unwrap();
    let boards: Api<DynamicObject> = Api::default_namespaced_with(
        client.clone(),
        &ApiResource::from_gvk(&GroupVersionKind::gvk("example.com", "v1", "Board")),
    );
    for (manager, id) in [("a", "x"), ("b", "y")] {
        let board = json!({"apiVersion": "example.com/v1", "kind": "Board", "metadata": {"name": "b"}, "spec": {"items": [{"id": id, "v": 1}]}});
        boards
            .patch("b", &PatchParams::apply(manager), &Patch::Apply(&board))
            .await
            .unwrap();
    }
    let board = boards.get("b").await.unwrap();
    assert_eq!(
        board.data["spec"]["items"],
        json!([{"id": "x", "v": 1}, {"id": "y", "v": 1}])
    );
}
