//! `KubeApplier` against gitops-testkit's API server emulator over real HTTP: the same behaviour
//! the in-memory cluster has (create, get, list, idempotent apply, conflicts, dry run, delete,
//! CRDs), plus retries under injected faults, timeouts and the concurrency limit.

use std::time::{Duration, Instant};

use gitops_apply::{Applier, ApplyOptions, DeleteOptions, Error, KubeApplier};
use gitops_core::GroupVersionKind;
use gitops_testkit::emulator::{Emulator, EmulatorOptions, FaultAction, FaultRule};
use serde_json::{Value, json};

use crate::support::{emulator, fast, kube_applier as applier};

fn gvk(api_version: &str, kind: &str) -> GroupVersionKind {
    GroupVersionKind::from_api_version(api_version, kind).unwrap()
}

fn config_map(name: &str, data: Value) -> Value {
    let mut cm = json!({"apiVersion": "v1", "kind": "ConfigMap",
           "metadata": {"name": name, "namespace": "default", "labels": {"app": "demo"}}});
    cm["data"] = data;
    cm
}

fn managers(object: &Value) -> Vec<&str> {
    object["metadata"]["managedFields"]
        .as_array()
        .map(|a| a.iter().filter_map(|e| e["manager"].as_str()).collect())
        .unwrap_or_default()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn create_get_list_and_an_unchanged_reapply() {
    let emulator = emulator();
    let applier = applier(&emulator, fast());
    let cm = config_map("cfg", json!({"a": "1"}));
    let created = applier.apply(&cm, &ApplyOptions::default()).await.unwrap();
    assert!(created["metadata"]["uid"].is_string());
    assert_eq!(created["data"]["a"], "1");
    assert_eq!(managers(&created), ["gitops-rs"]);

    let got = applier
        .get(&gvk("v1", "ConfigMap"), Some("default"), "cfg")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(got["metadata"]["uid"], created["metadata"]["uid"]);
    assert_eq!(got["kind"], "ConfigMap");

    let again = applier.apply(&cm, &ApplyOptions::default()).await.unwrap();
    assert_eq!(
        again["metadata"]["resourceVersion"], created["metadata"]["resourceVersion"],
        "an apply that changes nothing writes nothing"
    );

    let missing = applier
        .get(&gvk("v1", "ConfigMap"), Some("default"), "nope")
        .await
        .unwrap();
    assert_eq!(missing, None);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn list_filters_by_label_fills_in_types_sorts_and_pages() {
    let emulator = emulator();
    let applier = applier(&emulator, fast().list_page_size(2));
    for name in ["e", "b", "d", "a", "c"] {
        applier
            .apply(&config_map(name, json!({})), &ApplyOptions::default())
            .await
            .unwrap();
    }
    let mut other = config_map("z-other", json!({}));
    other["metadata"]["labels"]["app"] = json!("other");
    applier.apply(&other, &ApplyOptions::default()).await.unwrap();

    let listed = applier
        .list(&gvk("v1", "ConfigMap"), Some("default"), Some("app=demo"))
        .await
        .unwrap();
    let names: Vec<&str> = listed
        .iter()
        .map(|o| o["metadata"]["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["a", "b", "c", "d", "e"], "five objects over three pages");
    assert!(
        listed
            .iter()
            .all(|o| o["apiVersion"] == "v1" && o["kind"] == "ConfigMap")
    );

    let everywhere = applier
        .list(&gvk("v1", "ConfigMap"), None, Some("app!=demo"))
        .await
        .unwrap();
    assert_eq!(everywhere.len(), 1);
    assert_eq!(everywhere[0]["metadata"]["name"], "z-other");

    let bad = applier
        .list(&gvk("v1", "ConfigMap"), None, Some("=oops"))
        .await
        .unwrap_err();
    assert!(matches!(bad, Error::InvalidSelector { .. }), "{bad}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn conflicts_with_another_manager_without_and_with_force() {
    let emulator = emulator();
    let applier = applier(&emulator, fast());
    let mine = ApplyOptions::default();
    applier
        .apply(&config_map("cfg", json!({"a": "1"})), &mine)
        .await
        .unwrap();
    let theirs = ApplyOptions::default().field_manager("kubectl-edit");
    let err = applier
        .apply(&config_map("cfg", json!({"a": "2"})), &theirs)
        .await
        .unwrap_err();
    let Error::Conflict { key, conflicts } = &err else {
        panic!("expected a conflict, got {err}")
    };
    assert_eq!(key.to_string(), "/ConfigMap/default/cfg");
    assert_eq!(conflicts.len(), 1, "{conflicts:?}");
    assert!(
        conflicts[0].contains(".data.a") && conflicts[0].contains("(gitops-rs)"),
        "{conflicts:?}"
    );

    let forced = applier
        .apply(&config_map("cfg", json!({"a": "2"})), &theirs.force(true))
        .await
        .unwrap();
    assert_eq!(forced["data"]["a"], "2");
    assert!(managers(&forced).contains(&"kubectl-edit"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dry_run_apply_and_delete_change_nothing() {
    let emulator = emulator();
    let applier = applier(&emulator, fast());
    let cm_gvk = gvk("v1", "ConfigMap");
    let preview = applier
        .apply(
            &config_map("cfg", json!({"a": "1"})),
            &ApplyOptions::default().dry_run(true),
        )
        .await
        .unwrap();
    assert_eq!(preview["data"]["a"], "1");
    assert_eq!(applier.get(&cm_gvk, Some("default"), "cfg").await.unwrap(), None);

    applier
        .apply(&config_map("cfg", json!({"a": "1"})), &ApplyOptions::default())
        .await
        .unwrap();
    let mut dry = DeleteOptions::default();
    dry.dry_run = true;
    assert!(
        applier
            .delete(&cm_gvk, Some("default"), "cfg", &dry)
            .await
            .unwrap()
    );
    assert!(
        applier
            .get(&cm_gvk, Some("default"), "cfg")
            .await
            .unwrap()
            .is_some()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn delete_reports_whether_the_object_existed() {
    let emulator = emulator();
    let applier = applier(&emulator, fast());
    let cm_gvk = gvk("v1", "ConfigMap");
    applier
        .apply(&config_map("cfg", json!({})), &ApplyOptions::default())
        .await
        .unwrap();
    let options = DeleteOptions::default();
    assert!(
        applier
            .delete(&cm_gvk, Some("default"), "cfg", &options)
            .await
            .unwrap()
    );
    assert_eq!(applier.get(&cm_gvk, Some("default"), "cfg").await.unwrap(), None);
    assert!(
        !applier
            .delete(&cm_gvk, Some("default"), "cfg", &options)
            .await
            .unwrap()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn write_errors_map_to_the_crate_variants() {
    let emulator = emulator();
    let applier = applier(&emulator, fast());
    let mut cm = config_map("cfg", json!({}));
    cm["metadata"]["namespace"] = json!("missing");
    let err = applier.apply(&cm, &ApplyOptions::default()).await.unwrap_err();
    assert!(
        matches!(&err, Error::NamespaceNotFound { namespace, .. } if namespace == "missing"),
        "{err}"
    );

    let mut no_namespace = config_map("cfg", json!({}));
    no_namespace["metadata"]
        .as_object_mut()
        .unwrap()
        .remove("namespace");
    let err = applier
        .apply(&no_namespace, &ApplyOptions::default())
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Invalid { .. }), "{err}");

    let bad_name = config_map("Not_A_DNS_Name", json!({}));
    let err = applier
        .apply(&bad_name, &ApplyOptions::default())
        .await
        .unwrap_err();
    let Error::Invalid { message, .. } = &err else {
        panic!("expected Invalid, got {err}")
    };
    assert!(message.contains("Not_A_DNS_Name"), "{message}");

    let widget = json!({"apiVersion": "example.com/v1", "kind": "Widget",
                        "metadata": {"name": "w", "namespace": "default"}});
    let err = applier
        .apply(&widget, &ApplyOptions::default())
        .await
        .unwrap_err();
    assert!(matches!(err, Error::UnknownKind { .. }), "{err}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn discovery_serves_scope_and_follows_crds() {
    let emulator = emulator();
    // A long refresh interval: only the CRD apply/delete may trigger the refreshes below.
    let applier = applier(
        &emulator,
        fast().discovery_refresh_interval(Duration::from_secs(3600)),
    );
    let deployments = applier.api_resource(&gvk("apps/v1", "Deployment")).await.unwrap();
    assert_eq!(deployments.plural, "deployments");
    assert!(deployments.namespaced);
    let namespaces = applier.api_resource(&gvk("v1", "Namespace")).await.unwrap();
    assert!(!namespaces.namespaced);
    let widget_gvk = gvk("example.com/v1", "Widget");
    assert!(matches!(
        applier.api_resource(&widget_gvk).await,
        Err(Error::UnknownKind { .. })
    ));

    let crd = json!({
        "apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
        "metadata": {"name": "widgets.example.com"},
        "spec": {"group": "example.com", "scope": "Namespaced",
                 "names": {"plural": "widgets", "singular": "widget", "kind": "Widget", "listKind": "WidgetList"},
                 "versions": [{"name": "v1", "served": true, "storage": true,
                               "schema": {"openAPIV3Schema": {"type": "object",
                                          "x-kubernetes-preserve-unknown-fields": true}}}]}});
    applier.apply(&crd, &ApplyOptions::default()).await.unwrap();
    let widget = json!({"apiVersion": "example.com/v1", "kind": "Widget",
                        "metadata": {"name": "w", "namespace": "default"}, "spec": {"size": 3}});
    let live = applier.apply(&widget, &ApplyOptions::default()).await.unwrap();
    assert_eq!(live["spec"]["size"], 3);
    let resource = applier.api_resource(&widget_gvk).await.unwrap();
    assert_eq!((resource.plural.as_str(), resource.namespaced), ("widgets", true));
    let all = applier.api_resources().await.unwrap();
    assert!(all.iter().any(|r| r.gvk == widget_gvk));
    assert!(all.iter().any(|r| r.gvk == gvk("apps/v1", "Deployment")));
    assert_eq!(applier.list(&widget_gvk, None, None).await.unwrap().len(), 1);

    let crd_gvk = gvk("apiextensions.k8s.io/v1", "CustomResourceDefinition");
    let options = DeleteOptions::default();
    assert!(
        applier
            .delete(&crd_gvk, None, "widgets.example.com", &options)
            .await
            .unwrap()
    );
    // The cache still lists Widget; the API server's 404 for the path refreshes it.
    let err = applier.list(&widget_gvk, None, None).await.unwrap_err();
    assert!(matches!(err, Error::UnknownKind { .. }), "{err}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn transient_failures_are_retried_until_the_limit() {
    let emulator = emulator();
    let applier = applier(&emulator, fast().max_retries(2));
    let cm = config_map("cfg", json!({"a": "1"}));

    emulator.inject(
        FaultRule::new(FaultAction::InternalError)
            .verb("patch")
            .resource("configmaps")
            .times(2),
    );
    applier.apply(&cm, &ApplyOptions::default()).await.unwrap();

    // Three failures exhaust one attempt and two retries; the rule is then spent, which shows
    // exactly three requests were made.
    emulator.inject(
        FaultRule::new(FaultAction::InternalError)
            .verb("get")
            .resource("configmaps")
            .times(3),
    );
    let cm_gvk = gvk("v1", "ConfigMap");
    let err = applier.get(&cm_gvk, Some("default"), "cfg").await.unwrap_err();
    let Error::Kube {
        operation, source, ..
    } = &err
    else {
        panic!("expected Kube, got {err}")
    };
    assert_eq!(*operation, "get");
    assert!(matches!(&**source, gitops_apply::kube_rs::Error::Api(s) if s.code == 500));
    assert!(
        applier
            .get(&cm_gvk, Some("default"), "cfg")
            .await
            .unwrap()
            .is_some()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn too_many_requests_honours_retry_after() {
    let emulator = emulator();
    let applier = applier(
        &emulator,
        fast().backoff(Duration::from_millis(5), Duration::from_secs(5)),
    );
    emulator.inject(
        FaultRule::new(FaultAction::TooManyRequests { retry_after: 1 })
            .verb("patch")
            .times(1),
    );
    let started = Instant::now();
    applier
        .apply(&config_map("cfg", json!({})), &ApplyOptions::default())
        .await
        .unwrap();
    assert!(
        started.elapsed() >= Duration::from_secs(1),
        "{:?}",
        started.elapsed()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn validation_errors_are_never_retried() {
    let emulator = emulator();
    // A retry would wait at least 2.5 s.
    let applier = applier(
        &emulator,
        fast().backoff(Duration::from_secs(5), Duration::from_secs(5)),
    );
    let started = Instant::now();
    let err = applier
        .apply(&config_map("Not_Valid", json!({})), &ApplyOptions::default())
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Invalid { .. }), "{err}");
    applier
        .apply(&config_map("cfg", json!({"a": "1"})), &ApplyOptions::default())
        .await
        .unwrap();
    let theirs = ApplyOptions::default().field_manager("other");
    let err = applier
        .apply(&config_map("cfg", json!({"a": "2"})), &theirs)
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Conflict { .. }), "{err}");
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "{:?}",
        started.elapsed()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn slow_answers_time_out_and_are_retried() {
    let emulator = emulator();
    let applier = applier(
        &emulator,
        fast().request_timeout(Some(Duration::from_millis(300))),
    );
    applier
        .apply(&config_map("cfg", json!({})), &ApplyOptions::default())
        .await
        .unwrap();
    emulator.inject(
        FaultRule::new(FaultAction::Delay(Duration::from_secs(2)))
            .verb("get")
            .resource("configmaps")
            .times(1),
    );
    let started = Instant::now();
    let got = applier
        .get(&gvk("v1", "ConfigMap"), Some("default"), "cfg")
        .await
        .unwrap();
    assert!(got.is_some());
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "{:?}",
        started.elapsed()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn many_applies_under_random_faults_converge_exactly_once() {
    let emulator = Emulator::start(EmulatorOptions::default().seed(7)).unwrap();
    let applier = applier(&emulator, fast().max_concurrent_requests(4).max_retries(10));
    emulator.inject(FaultRule::new(FaultAction::InternalError).rate(0.1));
    emulator.inject(FaultRule::new(FaultAction::TooManyRequests { retry_after: 0 }).rate(0.1));
    let applies = (0..60).map(|i| {
        let applier = &applier;
        async move {
            let cm = config_map(&format!("cm-{i:02}"), json!({"i": i.to_string()}));
            applier.apply(&cm, &ApplyOptions::default()).await
        }
    });
    for result in futures::future::join_all(applies).await {
        result.unwrap();
    }
    emulator.clear_faults();
    let listed = applier
        .list(&gvk("v1", "ConfigMap"), Some("default"), Some("app=demo"))
        .await
        .unwrap();
    let names: Vec<String> = listed
        .iter()
        .map(|o| o["metadata"]["name"].as_str().unwrap().to_owned())
        .collect();
    let expected: Vec<String> = (0..60).map(|i| format!("cm-{i:02}")).collect();
    assert_eq!(names, expected);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kubeconfig_files_and_contexts() {
    let emulator = emulator();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("kubeconfig");
    emulator.write_kubeconfig(&path).unwrap();

    let applier = KubeApplier::from_kubeconfig(&path, Some("kube-emulator"))
        .await
        .unwrap();
    let ns = applier
        .get(&gvk("v1", "Namespace"), None, "default")
        .await
        .unwrap();
    assert!(ns.is_some());
    let current = KubeApplier::from_kubeconfig(&path, None).await.unwrap();
    assert!(current.api_resource(&gvk("v1", "ConfigMap")).await.is_ok());

    let err = KubeApplier::from_kubeconfig(&path, Some("prod"))
        .await
        .unwrap_err();
    assert!(matches!(err, Error::KubeConfig { .. }), "{err}");
    assert!(err.to_string().contains("context prod"), "{err}");
    let err = KubeApplier::from_kubeconfig(dir.path().join("absent"), None)
        .await
        .unwrap_err();
    assert!(err.to_string().contains("absent"), "{err}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn delete_propagation_reaches_or_spares_dependents() {
    use gitops_core::annotations::PropagationPolicy as DeletePropagation;
    let emulator = emulator();
    let cm_gvk = gvk("v1", "ConfigMap");
    for (propagation, dependent_survives) in [
        (DeletePropagation::Background, false),
        (DeletePropagation::Orphan, true),
    ] {
        let applier = applier(&emulator, fast().delete_propagation(propagation));
        let owner = applier
            .apply(&config_map("owner", json!({})), &ApplyOptions::default())
            .await
            .unwrap();
        let mut dependent = config_map("dependent", json!({}));
        dependent["metadata"]["ownerReferences"] = json!([{"apiVersion": "v1", "kind": "ConfigMap",
            "name": "owner", "uid": owner["metadata"]["uid"]}]);
        applier.apply(&dependent, &ApplyOptions::default()).await.unwrap();
        assert!(
            applier
                .delete(&cm_gvk, Some("default"), "owner", &DeleteOptions::default())
                .await
                .unwrap()
        );
        // The emulator's garbage collection is synchronous with the delete.
        let left = applier.get(&cm_gvk, Some("default"), "dependent").await.unwrap();
        assert_eq!(left.is_some(), dependent_survives, "{propagation:?}");
        applier
            .delete(&cm_gvk, Some("default"), "dependent", &DeleteOptions::default())
            .await
            .unwrap();
    }
}

/// Creates `object` the way `kubectl apply` (client-side) does: a POST by field manager
/// `kubectl-client-side-apply` with the last-applied-configuration annotation.
async fn client_side_apply(applier: &KubeApplier, mut object: Value) {
    use gitops_apply::kube_rs::{
        api::{Api, DynamicObject, PostParams},
        core::{ApiResource, GroupVersionKind as KubeGvk},
    };
    let last_applied = object.to_string();
    object["metadata"]["annotations"] =
        json!({"kubectl.kubernetes.io/last-applied-configuration": last_applied});
    let resource = ApiResource::from_gvk_with_plural(&KubeGvk::gvk("", "v1", "ConfigMap"), "configmaps");
    let api: Api<DynamicObject> = Api::namespaced_with(applier.client().clone(), "default", &resource);
    let params = PostParams {
        field_manager: Some("kubectl-client-side-apply".into()),
        ..PostParams::default()
    };
    api.create(&params, &serde_json::from_value(object).unwrap())
        .await
        .unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn client_side_applied_objects_move_to_server_side_ownership() {
    let emulator = emulator();
    let applier = applier(&emulator, fast());
    let cm_gvk = gvk("v1", "ConfigMap");

    // `b` was removed from Git since the last `kubectl apply`: it must go.
    client_side_apply(&applier, config_map("removed", json!({"a": "1", "b": "2"}))).await;
    let live = applier
        .apply(
            &config_map("removed", json!({"a": "1"})),
            &ApplyOptions::default(),
        )
        .await
        .unwrap();
    assert_eq!(live["data"], json!({"a": "1"}));
    assert!(
        !managers(&live).contains(&"kubectl-client-side-apply"),
        "{:?}",
        managers(&live)
    );

    // `a` changed in Git: without the migration this would conflict with kubectl.
    client_side_apply(&applier, config_map("changed", json!({"a": "1"}))).await;
    let live = applier
        .apply(
            &config_map("changed", json!({"a": "2"})),
            &ApplyOptions::default(),
        )
        .await
        .unwrap();
    assert_eq!(live["data"], json!({"a": "2"}));
    let stored = applier
        .get(&cm_gvk, Some("default"), "changed")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(managers(&stored), ["gitops-rs"]);

    // With the migration off, kubectl keeps owning `b` and it stays.
    let off = self::applier(&emulator, fast().client_side_apply_managers(Vec::<String>::new()));
    client_side_apply(&off, config_map("kept", json!({"a": "1", "b": "2"}))).await;
    let live = off
        .apply(&config_map("kept", json!({"a": "1"})), &ApplyOptions::default())
        .await
        .unwrap();
    assert_eq!(live["data"], json!({"a": "1", "b": "2"}));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_watch_cache_answers_reads_and_sees_drift() {
    let emulator = emulator();
    let applier = applier(&emulator, fast());
    let other = self::applier(&emulator, fast());
    let cm_gvk = gvk("v1", "ConfigMap");
    for name in ["a", "b", "c"] {
        applier
            .apply(&config_map(name, json!({"v": "1"})), &ApplyOptions::default())
            .await
            .unwrap();
    }
    let mut unmanaged = config_map("unmanaged", json!({}));
    unmanaged["metadata"]["labels"] = json!({});
    other.apply(&unmanaged, &ApplyOptions::default()).await.unwrap();

    // Through the object-safe trait, as a sync engine user holding `&dyn Applier` would.
    let dynamic: &dyn Applier = &applier;
    dynamic
        .watch(std::slice::from_ref(&cm_gvk), Some("app=demo"))
        .await
        .unwrap();
    assert!(
        applier
            .wait_synced(std::slice::from_ref(&cm_gvk), Duration::from_secs(5))
            .await
    );
    let before = applier.request_counts();
    let listed = applier
        .list(&cm_gvk, Some("default"), Some("app=demo"))
        .await
        .unwrap();
    assert_eq!(listed.len(), 3);
    assert!(
        listed
            .iter()
            .all(|o| o["kind"] == "ConfigMap" && o["apiVersion"] == "v1")
    );
    let got = applier.get(&cm_gvk, Some("default"), "b").await.unwrap().unwrap();
    assert_eq!(got["data"]["v"], "1");
    assert_eq!(applier.request_counts(), before, "reads came from the cache");

    // Drift by someone else arrives as a watch event.
    let edit = ApplyOptions::default().field_manager("kubectl-edit").force(true);
    other
        .apply(&config_map("b", json!({"v": "2"})), &edit)
        .await
        .unwrap();
    other
        .delete(&cm_gvk, Some("default"), "c", &DeleteOptions::default())
        .await
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        let listed = applier.list(&cm_gvk, None, Some("app=demo")).await.unwrap();
        let names: Vec<&str> = listed
            .iter()
            .map(|o| o["metadata"]["name"].as_str().unwrap())
            .collect();
        if names == ["a", "b"] && listed[1]["data"]["v"] == "2" {
            break;
        }
        assert!(Instant::now() < deadline, "the cache did not follow: {names:?}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert_eq!(applier.request_counts(), before);

    // The applier's own writes are visible at once.
    applier
        .apply(&config_map("a", json!({"v": "3"})), &ApplyOptions::default())
        .await
        .unwrap();
    let got = applier.get(&cm_gvk, Some("default"), "a").await.unwrap().unwrap();
    assert_eq!(got["data"]["v"], "3");
    let before = applier.request_counts();
    assert_eq!(before.gets, 0);

    // Objects outside the watch's selector, and other selectors, go to the API server.
    assert!(
        applier
            .get(&cm_gvk, Some("default"), "unmanaged")
            .await
            .unwrap()
            .is_some()
    );
    assert_eq!(applier.request_counts().gets, before.gets + 1);
    assert_eq!(applier.list(&cm_gvk, None, None).await.unwrap().len(), 3);
    assert_eq!(applier.request_counts().lists, before.lists + 1);
}
