//! The sync engine's behaviour suite. Every function takes the backend as `&dyn Applier`, so
//! the same assertions run on the in-memory cluster and on the API server emulator.

/// Calls `$m!(...)` with every scenario of the suite, so each backend's list of tests is the
/// same one list (a scenario added here runs on every backend).
macro_rules! for_each_scenario {
    ($m:ident) => {
        $m!(
            waves_in_order_gated_on_health,
            hooks_run_and_are_deleted_per_policy,
            sync_waves_example_in_order,
            kustomize_guestbook_rendered_and_synced,
            prune_options,
            prune_confirm_pauses_until_confirmed,
            prune_last_runs_after_every_wave,
            immutable_field_with_and_without_force,
            conflicts_with_another_field_manager,
            interrupted_sync_resumes_from_serialized_state,
            crd_and_custom_resource_in_one_sync,
            create_names_generated_objects_and_refuses_existing_ones,
            missing_kind_fails_before_any_write_unless_skip_dry_run,
            dry_run_changes_nothing,
            selective_sync_and_create_namespace,
            replace_option,
            degraded_wave_fails_the_operation,
            server_side_diff_sees_drift_and_no_false_drift,
            respect_ignore_differences_keeps_live_values,
            sync_timeout_fails_the_operation,
        );
    };
}
pub(crate) use for_each_scenario;

use gitops_apply::{
    Action, Applier, ApplyOptions, OperationState, ResultCode, SyncEngine, SyncEvent, SyncOutcome, sync,
};
use gitops_core::{ResourceKey, SyncPhase};
use serde_json::json;

use crate::support::{Recorder, example_app, kustomize_rendered, live, options, set};

const WAVES: &str = r#"
apiVersion: v1
kind: ConfigMap
metadata: {name: first, namespace: default, annotations: {argocd.argoproj.io/sync-wave: "-1"}}
data: {a: "1"}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: api, namespace: default, annotations: {argocd.argoproj.io/sync-wave: "0"}}
spec:
  replicas: 2
  selector: {matchLabels: {app: api}}
  template:
    metadata: {labels: {app: api}}
    spec: {containers: [{name: api, image: "nginx:1.27"}]}
---
apiVersion: v1
kind: Service
metadata: {name: api, namespace: default, annotations: {argocd.argoproj.io/sync-wave: "1"}}
spec: {selector: {app: api}, ports: [{port: 80}]}
"#;

pub(crate) async fn waves_in_order_gated_on_health(applier: &dyn Applier) {
    let recorder = Recorder::default();
    let report = sync(applier, &set(WAVES), &recorder.attach(options("waves")))
        .await
        .unwrap();
    assert_eq!(report.outcome, SyncOutcome::Succeeded, "{}", report.message);
    assert_eq!(
        recorder.resource_order(),
        ["ConfigMap/first", "Deployment/api", "Service/api"]
    );
    // The Service (wave 1) is applied only after wave 0 finished, i.e. after the Deployment was
    // healthy: the step of wave 0 ends before the resource event of wave 1.
    let events = recorder.events();
    let wave0_done = events
        .iter()
        .position(|e| {
            matches!(
                e,
                SyncEvent::StepFinished {
                    phase: SyncPhase::Sync,
                    wave: 0
                }
            )
        })
        .unwrap();
    let service = events
        .iter()
        .position(|e| matches!(e, SyncEvent::Resource(r) if r.key.kind == "Service"))
        .unwrap();
    assert!(wave0_done < service);
    let deployment = report
        .resource(&ResourceKey::new("apps", "Deployment", Some("default"), "api"))
        .unwrap();
    assert_eq!(deployment.health.as_ref().unwrap().status.as_str(), "Healthy");
    assert_eq!((deployment.wave, deployment.order), (0, Some(1)));
    assert_eq!(report.health.unwrap().as_str(), "Healthy");
}

pub(crate) async fn hooks_run_and_are_deleted_per_policy(applier: &dyn Applier) {
    let Some(desired) = kustomize_rendered("pre-post-sync") else {
        return;
    };
    let recorder = Recorder::default();
    let report = sync(applier, &desired, &recorder.attach(options("hooks")))
        .await
        .unwrap();
    assert_eq!(report.outcome, SyncOutcome::Succeeded, "{}", report.message);
    let order = recorder.resource_order();
    let pos = |name: &str| {
        order
            .iter()
            .position(|o| o.ends_with(name))
            .unwrap_or_else(|| panic!("{name} in {order:?}"))
    };
    assert!(pos("pre-post-sync-before") < pos("Deployment/pre-post-sync-kustomize-guestbook-ui"));
    assert!(pos("Deployment/pre-post-sync-kustomize-guestbook-ui") < pos("pre-post-sync-after"));
    for hook in ["pre-post-sync-before", "pre-post-sync-after"] {
        let r = report
            .resource(&ResourceKey::new("batch", "Job", Some("default"), hook))
            .unwrap();
        assert!(r.hook);
        assert_eq!(r.action, Action::Deleted, "HookSucceeded deletes {hook}");
        assert!(
            live(applier, "batch", "v1", "Job", Some("default"), hook)
                .await
                .is_none()
        );
    }
    let post = report
        .resource(&ResourceKey::new(
            "batch",
            "Job",
            Some("default"),
            "pre-post-sync-after",
        ))
        .unwrap();
    assert_eq!(post.phase, SyncPhase::PostSync);
    // A second sync with nothing out of sync runs no hook (gitops-engine's skip-hooks).
    let again = sync(applier, &desired, &options("hooks")).await.unwrap();
    let plain = report.resources.iter().filter(|r| !r.hook).count();
    assert!(plain > 0);
    assert_eq!(again.resources.len(), plain, "{:?}", again.resources);
    assert!(again.resources.iter().all(|r| !r.hook), "{:?}", again.resources);
}

pub(crate) async fn kustomize_guestbook_rendered_and_synced(applier: &dyn Applier) {
    let Some(desired) = kustomize_rendered("kustomize-guestbook") else {
        return;
    };
    let keys: Vec<String> = desired.iter().map(|m| m.key().to_string()).collect();
    assert_eq!(
        keys,
        [
            "/Service//kustomize-guestbook-ui",
            "apps/Deployment//kustomize-guestbook-ui"
        ],
        "the kustomization's name prefix is applied"
    );
    let opts = options("kustomize-guestbook");
    let report = sync(applier, &desired, &opts).await.unwrap();
    assert_eq!(report.outcome, SyncOutcome::Succeeded, "{}", report.message);
    assert_eq!(report.writes, 2);
    let deployment = report
        .resource(&ResourceKey::new(
            "apps",
            "Deployment",
            Some("default"),
            "kustomize-guestbook-ui",
        ))
        .unwrap();
    assert_eq!(
        (deployment.action, deployment.result_code()),
        (Action::Created, ResultCode::Synced)
    );
    assert_eq!(deployment.health.as_ref().unwrap().status.as_str(), "Healthy");
    let live = live(
        applier,
        "apps",
        "v1",
        "Deployment",
        Some("default"),
        "kustomize-guestbook-ui",
    )
    .await
    .unwrap();
    assert_eq!(
        live["spec"]["template"]["spec"]["containers"][0]["image"],
        "gcr.io/google-samples/gb-frontend:v5"
    );
    assert_eq!(
        live["metadata"]["labels"]["app.kubernetes.io/instance"],
        "kustomize-guestbook"
    );
    let again = sync(applier, &desired, &opts).await.unwrap();
    assert_eq!(again.writes, 0, "{:?}", again.resources);
    assert_eq!(again.resources.len(), 2);
    assert!(again.resources.iter().all(|r| r.action == Action::Unchanged));
}

pub(crate) async fn sync_waves_example_in_order(applier: &dyn Applier) {
    let Some(desired) = example_app("sync-waves") else {
        return;
    };
    let recorder = Recorder::default();
    let report = sync(applier, &desired, &recorder.attach(options("sync-waves")))
        .await
        .unwrap();
    assert_eq!(report.outcome, SyncOutcome::Succeeded, "{}", report.message);
    let mut last = (SyncPhase::PreSync, i32::MIN);
    for event in recorder.events() {
        if let SyncEvent::Resource(r) = event {
            assert!(
                (r.phase, r.wave) >= last,
                "{:?} after {last:?}",
                (r.phase, r.wave)
            );
            last = (r.phase, r.wave);
        }
    }
    // The generateName PreSync hook got gitops-engine's generated name; BeforeHookCreation keeps it.
    let hook = report
        .resources
        .iter()
        .find(|r| r.key.name.starts_with("upgrade-sql-schema"))
        .unwrap();
    assert!(hook.key.name.contains("-presync-"), "{}", hook.key.name);
    assert_eq!(hook.action, Action::Created);
}

const PRUNE_BASE: &str = r"
apiVersion: v1
kind: ConfigMap
metadata: {name: keep, namespace: default}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: plain, namespace: default}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: protected, namespace: default, annotations: {argocd.argoproj.io/sync-options: Prune=false}}
";

pub(crate) async fn prune_options(applier: &dyn Applier) {
    let opts = options("prune");
    assert_eq!(
        sync(applier, &set(PRUNE_BASE), &opts).await.unwrap().outcome,
        SyncOutcome::Succeeded
    );
    let only_keep = set("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: keep, namespace: default}\n");
    // Prune disabled: both are skipped and stay.
    let report = sync(applier, &only_keep, &opts.clone().prune(false))
        .await
        .unwrap();
    let plain = ResourceKey::new("", "ConfigMap", Some("default"), "plain");
    let protected = ResourceKey::new("", "ConfigMap", Some("default"), "protected");
    assert_eq!(
        report.resource(&plain).unwrap().message,
        "ignored (requires pruning)"
    );
    assert!(
        live(applier, "", "v1", "ConfigMap", Some("default"), "plain")
            .await
            .is_some()
    );
    // Prune enabled: plain goes, Prune=false stays.
    let report = sync(applier, &only_keep, &opts).await.unwrap();
    let plain_result = report.resource(&plain).unwrap();
    assert_eq!(plain_result.action, Action::Deleted);
    assert_eq!(plain_result.result_code(), ResultCode::Pruned);
    let protected_result = report.resource(&protected).unwrap();
    assert_eq!(protected_result.message, "ignored (no prune)");
    assert_eq!(protected_result.action, Action::Skipped);
    assert_eq!(protected_result.result_code(), ResultCode::PruneSkipped);
    assert!(
        live(applier, "", "v1", "ConfigMap", Some("default"), "plain")
            .await
            .is_none()
    );
    assert!(
        live(applier, "", "v1", "ConfigMap", Some("default"), "protected")
            .await
            .is_some()
    );
    // Objects of another application are never pruned.
    let foreign = json!({"apiVersion": "v1", "kind": "ConfigMap",
        "metadata": {"name": "foreign", "namespace": "default", "labels": {"app.kubernetes.io/instance": "other-app"}}});
    applier
        .apply(&foreign, &ApplyOptions::default().field_manager("other"))
        .await
        .unwrap();
    sync(applier, &only_keep, &opts).await.unwrap();
    assert!(
        live(applier, "", "v1", "ConfigMap", Some("default"), "foreign")
            .await
            .is_some()
    );
}

pub(crate) async fn prune_confirm_pauses_until_confirmed(applier: &dyn Applier) {
    let yaml = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: careful, namespace: default, annotations: \
                {argocd.argoproj.io/sync-options: Prune=confirm}}\n---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: stay, namespace: default}\n";
    let opts = options("confirm");
    sync(applier, &set(yaml), &opts).await.unwrap();
    let only_stay = set("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: stay, namespace: default}\n");
    let paused = sync(applier, &only_stay, &opts).await.unwrap();
    assert_eq!(paused.outcome, SyncOutcome::Paused, "{}", paused.message);
    assert!(
        paused.message.contains("waiting for pruning confirmation"),
        "{}",
        paused.message
    );
    assert!(
        live(applier, "", "v1", "ConfigMap", Some("default"), "careful")
            .await
            .is_some()
    );
    let engine = SyncEngine::new(applier);
    let resumed = engine
        .resume(&only_stay, &opts.prune_confirmed(true), Some(paused.operation))
        .await
        .unwrap();
    assert_eq!(resumed.outcome, SyncOutcome::Succeeded, "{}", resumed.message);
    assert!(
        live(applier, "", "v1", "ConfigMap", Some("default"), "careful")
            .await
            .is_none()
    );
}

pub(crate) async fn prune_last_runs_after_every_wave(applier: &dyn Applier) {
    let opts = options("prune-last");
    let two = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: old, namespace: default}\n---\n\
               apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a, namespace: default}\n";
    sync(applier, &set(two), &opts).await.unwrap();
    let next = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a, namespace: default, annotations: {argocd.argoproj.io/sync-wave: \"5\"}}\ndata: {x: \"1\"}\n";
    let recorder = Recorder::default();
    let report = sync(applier, &set(next), &recorder.attach(opts.prune_last(true)))
        .await
        .unwrap();
    assert_eq!(report.outcome, SyncOutcome::Succeeded, "{}", report.message);
    assert_eq!(
        recorder.resource_order(),
        ["ConfigMap/a", "ConfigMap/old"],
        "prune after the last wave"
    );
}

const JOB: &str = r#"
apiVersion: batch/v1
kind: Job
metadata: {name: migrate, namespace: default}
spec:
  template:
    spec:
      restartPolicy: Never
      containers: [{name: m, image: "migrate:1"}]
"#;

pub(crate) async fn immutable_field_with_and_without_force(applier: &dyn Applier) {
    let opts = options("immutable");
    assert_eq!(
        sync(applier, &set(JOB), &opts).await.unwrap().outcome,
        SyncOutcome::Succeeded
    );
    let changed = JOB.replace("migrate:1", "migrate:2");
    let failed = sync(applier, &set(&changed), &opts).await.unwrap();
    assert_eq!(failed.outcome, SyncOutcome::Failed);
    assert!(failed.message.contains("immutable"), "{}", failed.message);
    assert_eq!(failed.resources[0].action, Action::Failed);
    assert_eq!(failed.resources[0].result_code(), ResultCode::SyncFailed);
    let forced = changed.replace("metadata: {name: migrate, namespace: default}",
        "metadata: {name: migrate, namespace: default, annotations: {argocd.argoproj.io/sync-options: Force=true}}");
    let report = sync(applier, &set(&forced), &opts).await.unwrap();
    assert_eq!(report.outcome, SyncOutcome::Succeeded, "{}", report.message);
    assert_eq!(report.resources[0].result_code(), ResultCode::Synced);
    let job = live(applier, "batch", "v1", "Job", Some("default"), "migrate")
        .await
        .unwrap();
    assert_eq!(
        job["spec"]["template"]["spec"]["containers"][0]["image"],
        "migrate:2"
    );
    assert!(
        report.resources[0].message.contains("recreated"),
        "{}",
        report.resources[0].message
    );
    // An immutable Secret (its 422 message is scrubbed of values): Force=true re-creates it too.
    let secret = "apiVersion: v1\nkind: Secret\nmetadata: {name: frozen, namespace: default, \
        annotations: {argocd.argoproj.io/sync-options: Force=true}}\nimmutable: true\ndata: {token: b25l}\n";
    assert_eq!(
        sync(applier, &set(secret), &opts).await.unwrap().outcome,
        SyncOutcome::Succeeded
    );
    let rotated = sync(applier, &set(&secret.replace("b25l", "dHdv")), &opts)
        .await
        .unwrap();
    assert_eq!(rotated.outcome, SyncOutcome::Succeeded, "{}", rotated.message);
    let live_secret = live(applier, "", "v1", "Secret", Some("default"), "frozen")
        .await
        .unwrap();
    assert_eq!(live_secret["data"]["token"], "dHdv");
    let result = &rotated.resources[0];
    assert!(result.message.contains("recreated"), "{}", result.message);
    assert!(!result.message.contains("b25l") && !result.message.contains("dHdv"));
}

pub(crate) async fn conflicts_with_another_field_manager(applier: &dyn Applier) {
    let cm =
        "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: shared, namespace: default}\ndata: {owner: git}\n";
    let opts = options("conflict");
    sync(applier, &set(cm), &opts).await.unwrap();
    let other = json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "shared", "namespace": "default"},
        "data": {"owner": "controller"}});
    applier
        .apply(
            &other,
            &ApplyOptions::default()
                .field_manager("other-controller")
                .force(true),
        )
        .await
        .unwrap();
    let refused = sync(applier, &set(cm), &opts.clone().force_conflicts(false))
        .await
        .unwrap();
    assert_eq!(refused.outcome, SyncOutcome::Failed);
    assert!(
        refused.message.contains("other-controller"),
        "{}",
        refused.message
    );
    let forced = sync(applier, &set(cm), &opts).await.unwrap();
    assert_eq!(forced.outcome, SyncOutcome::Succeeded, "{}", forced.message);
    let live = live(applier, "", "v1", "ConfigMap", Some("default"), "shared")
        .await
        .unwrap();
    assert_eq!(live["data"]["owner"], "git");
}

pub(crate) async fn interrupted_sync_resumes_from_serialized_state(applier: &dyn Applier) {
    let desired = set(WAVES);
    let opts = options("resume");
    let engine = SyncEngine::new(applier);
    let first = engine.step(&desired, &opts, None).await.unwrap();
    assert!(!first.is_completed());
    assert_eq!(first.results().len(), 1, "one step ran: wave -1");
    // The controller restarts: the state survives only as JSON.
    let saved = serde_json::to_string(&first).unwrap();
    let restored: OperationState = serde_json::from_str(&saved).unwrap();
    let report = SyncEngine::new(applier)
        .resume(&desired, &opts, Some(restored))
        .await
        .unwrap();
    assert_eq!(report.outcome, SyncOutcome::Succeeded, "{}", report.message);
    assert_eq!(report.resources.len(), 3);
    assert_eq!(
        report
            .resources
            .iter()
            .filter(|r| r.action == Action::Created)
            .count(),
        3
    );
    for (kind, group, version) in [
        ("ConfigMap", "", "v1"),
        ("Deployment", "apps", "v1"),
        ("Service", "", "v1"),
    ] {
        let name = if kind == "ConfigMap" { "first" } else { "api" };
        assert!(
            live(applier, group, version, kind, Some("default"), name)
                .await
                .is_some()
        );
    }
}

const CRD: &str = r"
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: widgets.example.test}
spec:
  group: example.test
  scope: Namespaced
  names: {kind: Widget, plural: widgets, singular: widget, listKind: WidgetList}
  versions:
  - name: v1
    served: true
    storage: true
    schema:
      openAPIV3Schema: {type: object, x-kubernetes-preserve-unknown-fields: true}
---
apiVersion: example.test/v1
kind: Widget
metadata: {name: w1, namespace: default}
spec: {size: 3}
";

pub(crate) async fn crd_and_custom_resource_in_one_sync(applier: &dyn Applier) {
    let report = sync(applier, &set(CRD), &options("crd")).await.unwrap();
    assert_eq!(report.outcome, SyncOutcome::Succeeded, "{}", report.message);
    let order: Vec<_> = report
        .resources
        .iter()
        .map(|r| (r.key.kind.clone(), r.order))
        .collect();
    assert!(
        order.contains(&("CustomResourceDefinition".to_owned(), Some(0))),
        "{order:?}"
    );
    assert!(order.contains(&("Widget".to_owned(), Some(1))), "{order:?}");
    let widget = live(applier, "example.test", "v1", "Widget", Some("default"), "w1")
        .await
        .unwrap();
    assert_eq!(widget["spec"]["size"], 3);
}

pub(crate) async fn create_names_generated_objects_and_refuses_existing_ones(applier: &dyn Applier) {
    let cm = json!({"apiVersion": "v1", "kind": "ConfigMap",
        "metadata": {"name": "created", "namespace": "default"}, "data": {"a": "1"}});
    let opts = ApplyOptions::default().field_manager("creator");
    let created = applier.create(&cm, &opts).await.unwrap();
    assert_eq!(created["data"]["a"], "1");
    let managers: Vec<_> = created["metadata"]["managedFields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| (e["manager"].clone(), e["operation"].clone()))
        .collect();
    assert_eq!(managers, [(json!("creator"), json!("Update"))]);
    let err = applier.create(&cm, &opts).await.unwrap_err();
    assert!(matches!(err, gitops_apply::Error::AlreadyExists { .. }), "{err}");
    assert_eq!(err.to_string(), "/ConfigMap/default/created: already exists");

    let generated = json!({"apiVersion": "v1", "kind": "ConfigMap",
        "metadata": {"generateName": "run-", "namespace": "default"}});
    let first = applier.create(&generated, &opts).await.unwrap();
    let second = applier.create(&generated, &opts).await.unwrap();
    let name = |o: &serde_json::Value| o["metadata"]["name"].as_str().unwrap().to_owned();
    assert!(name(&first).starts_with("run-") && name(&first).len() == "run-".len() + 5);
    assert_ne!(name(&first), name(&second));
    assert!(
        live(applier, "", "v1", "ConfigMap", Some("default"), &name(&second))
            .await
            .is_some()
    );

    let dry =
        json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "dry", "namespace": "default"}});
    applier.create(&dry, &opts.clone().dry_run(true)).await.unwrap();
    assert!(
        live(applier, "", "v1", "ConfigMap", Some("default"), "dry")
            .await
            .is_none()
    );
    let nameless = json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"namespace": "default"}});
    let err = applier.create(&nameless, &opts).await.unwrap_err();
    assert!(err.to_string().contains("generateName"), "{err}");
    let elsewhere =
        json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "x", "namespace": "absent"}});
    let err = applier.create(&elsewhere, &opts).await.unwrap_err();
    assert!(
        matches!(err, gitops_apply::Error::NamespaceNotFound { .. }),
        "{err}"
    );
}

const MISSING_KIND: &str = r#"
apiVersion: v1
kind: ConfigMap
metadata: {name: before-gadget, namespace: default}
---
apiVersion: example.test/v1
kind: Gadget
metadata:
  name: g1
  namespace: default
  annotations: {argocd.argoproj.io/sync-wave: "1"}
spec: {size: 1}
"#;

pub(crate) async fn missing_kind_fails_before_any_write_unless_skip_dry_run(applier: &dyn Applier) {
    let gadget = ResourceKey::new("example.test", "Gadget", Some("default"), "g1");
    let written = || async {
        live(applier, "", "v1", "ConfigMap", Some("default"), "before-gadget")
            .await
            .is_some()
    };
    // Without a CRD in the sync, the pre-flight check fails the operation: nothing is written.
    for dry_run in [true, false] {
        let report = sync(applier, &set(MISSING_KIND), &options("gadgets").dry_run(dry_run))
            .await
            .unwrap();
        assert_eq!(report.outcome, SyncOutcome::Failed);
        assert_eq!(report.message, "one or more objects failed to apply (dry run)");
        let result = report.resource(&gadget).unwrap();
        assert_eq!(result.result_code(), ResultCode::SyncFailed);
        assert_eq!(result.wave, 1);
        assert!(result.message.contains("does not serve"), "{}", result.message);
        assert_eq!(report.writes, 0);
        assert!(!written().await, "nothing is written (dry run: {dry_run})");
    }
    // SkipDryRunOnMissingResource=true (the application's or the resource's own): the earlier
    // wave is applied, the unknown kind fails in its own wave.
    let annotated = MISSING_KIND.replace(
        "annotations: {argocd.argoproj.io/sync-wave: \"1\"}",
        "annotations: {argocd.argoproj.io/sync-wave: \"1\", argocd.argoproj.io/sync-options: SkipDryRunOnMissingResource=true}",
    );
    assert_ne!(annotated, MISSING_KIND);
    for (yaml, app_level) in [(MISSING_KIND.to_owned(), true), (annotated, false)] {
        let opts = options("gadgets").skip_dry_run_on_missing_resource(app_level);
        let report = sync(applier, &set(&yaml), &opts).await.unwrap();
        assert_eq!(report.outcome, SyncOutcome::Failed);
        assert!(written().await, "wave 0 was applied");
        let result = report.resource(&gadget).unwrap();
        assert_eq!(result.result_code(), ResultCode::SyncFailed);
        assert!(result.message.contains("Gadget"), "{}", result.message);
        applier
            .delete(
                &gitops_core::GroupVersionKind::new("", "v1", "ConfigMap"),
                Some("default"),
                "before-gadget",
                &gitops_apply::DeleteOptions::default(),
            )
            .await
            .unwrap();
    }
}

pub(crate) async fn dry_run_changes_nothing(applier: &dyn Applier) {
    let report = sync(applier, &set(WAVES), &options("dry").dry_run(true))
        .await
        .unwrap();
    assert_eq!(report.outcome, SyncOutcome::Succeeded, "{}", report.message);
    assert_eq!(report.resources.len(), 3);
    assert!(
        report
            .resources
            .iter()
            .all(|r| r.action == Action::Created && r.message.contains("dry run"))
    );
    assert_eq!(report.writes, 0);
    assert!(
        live(applier, "", "v1", "ConfigMap", Some("default"), "first")
            .await
            .is_none()
    );
}

pub(crate) async fn selective_sync_and_create_namespace(applier: &dyn Applier) {
    let yaml = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: picked}\n---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: left-out}\n";
    let opts = options("selective")
        .default_namespace("selective-ns")
        .create_namespace(true)
        .resource_filter(|key: &ResourceKey| key.name == "picked");
    let report = sync(applier, &set(yaml), &opts).await.unwrap();
    assert_eq!(report.outcome, SyncOutcome::Succeeded, "{}", report.message);
    assert!(
        live(applier, "", "v1", "Namespace", None, "selective-ns")
            .await
            .is_some()
    );
    assert!(
        live(applier, "", "v1", "ConfigMap", Some("selective-ns"), "picked")
            .await
            .is_some()
    );
    assert!(
        live(applier, "", "v1", "ConfigMap", Some("selective-ns"), "left-out")
            .await
            .is_none()
    );
}

pub(crate) async fn replace_option(applier: &dyn Applier) {
    let yaml = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: replaced, namespace: default, annotations: \
                {argocd.argoproj.io/sync-options: Replace=true}}\ndata: {a: \"1\", b: \"2\"}\n";
    sync(applier, &set(yaml), &options("replace")).await.unwrap();
    let fewer = yaml.replace(", b: \"2\"", "");
    let report = sync(applier, &set(&fewer), &options("replace")).await.unwrap();
    assert_eq!(report.outcome, SyncOutcome::Succeeded, "{}", report.message);
    let cm = live(applier, "", "v1", "ConfigMap", Some("default"), "replaced")
        .await
        .unwrap();
    assert_eq!(cm["data"], json!({"a": "1"}));
    let managers: Vec<_> = cm["metadata"]["managedFields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["operation"].clone())
        .collect();
    assert!(
        managers.contains(&json!("Update")),
        "replace records an Update: {managers:?}"
    );
}

pub(crate) async fn degraded_wave_fails_the_operation(applier: &dyn Applier) {
    let yaml = r#"
apiVersion: apps/v1
kind: Deployment
metadata: {name: broken, namespace: default, annotations: {gitops.rs/simulate: progress-deadline-exceeded}}
spec:
  selector: {matchLabels: {app: broken}}
  template:
    metadata: {labels: {app: broken}}
    spec: {containers: [{name: b, image: "broken:1"}]}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: later, namespace: default, annotations: {argocd.argoproj.io/sync-wave: "1"}}
"#;
    let report = sync(applier, &set(yaml), &options("degraded")).await.unwrap();
    assert_eq!(report.outcome, SyncOutcome::Failed);
    assert!(report.message.contains("Degraded"), "{}", report.message);
    assert!(
        live(applier, "", "v1", "ConfigMap", Some("default"), "later")
            .await
            .is_none(),
        "wave 1 never ran"
    );
}

pub(crate) async fn server_side_diff_sees_drift_and_no_false_drift(applier: &dyn Applier) {
    let opts = options("ssd").server_side_diff(true);
    let report = sync(applier, &set(WAVES), &opts).await.unwrap();
    assert_eq!(report.outcome, SyncOutcome::Succeeded, "{}", report.message);
    let engine = SyncEngine::new(applier);
    let compared = engine.compare(&set(WAVES), &opts).await.unwrap();
    assert_eq!(compared.resources.len(), set(WAVES).len());
    assert!(
        compared.resources.iter().all(|r| r.status.as_str() == "Synced"),
        "{:?}",
        compared.resources
    );
    let drift = json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "first", "namespace": "default"},
        "data": {"a": "changed"}});
    applier
        .apply(
            &drift,
            &ApplyOptions::default().field_manager("kubectl-edit").force(true),
        )
        .await
        .unwrap();
    let compared = engine.compare(&set(WAVES), &opts).await.unwrap();
    let first = compared
        .resource(&ResourceKey::new("", "ConfigMap", Some("default"), "first"))
        .unwrap();
    assert_eq!(first.status.as_str(), "OutOfSync");
}

pub(crate) async fn respect_ignore_differences_keeps_live_values(applier: &dyn Applier) {
    let rule = gitops_diff::IgnoreRule::new("apps", "Deployment").with_pointer("/spec/replicas");
    let engine =
        SyncEngine::new(applier).with_diff_options(gitops_diff::DiffOptions::default().with_ignore(rule));
    let opts = options("respect").respect_ignore_differences(true);
    assert_eq!(
        engine.sync(&set(WAVES), &opts).await.unwrap().outcome,
        SyncOutcome::Succeeded
    );
    // An autoscaler takes over replicas; Git still says 2 and also changes the image.
    let scaled = json!({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "api", "namespace": "default"},
        "spec": {"replicas": 5}});
    applier
        .apply(&scaled, &ApplyOptions::default().field_manager("hpa").force(true))
        .await
        .unwrap();
    let changed = WAVES.replace("nginx:1.27", "nginx:1.28");
    let report = engine.sync(&set(&changed), &opts).await.unwrap();
    assert_eq!(report.outcome, SyncOutcome::Succeeded, "{}", report.message);
    let deployment = live(applier, "apps", "v1", "Deployment", Some("default"), "api")
        .await
        .unwrap();
    assert_eq!(
        deployment["spec"]["replicas"], 5,
        "the ignored field keeps its live value"
    );
    assert_eq!(
        deployment["spec"]["template"]["spec"]["containers"][0]["image"],
        "nginx:1.28"
    );
}

pub(crate) async fn sync_timeout_fails_the_operation(applier: &dyn Applier) {
    let yaml = r"
apiVersion: apps/v1
kind: Deployment
metadata: {name: slow, namespace: default, annotations: {gitops.rs/simulate: never-ready}}
spec:
  selector: {matchLabels: {app: slow}}
  template:
    metadata: {labels: {app: slow}}
    spec: {containers: [{name: s, image: 'slow:1'}]}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: after-slow, namespace: default, annotations: {argocd.argoproj.io/sync-wave: '1'}}
";
    let opts = options("timeout").sync_timeout(Some(std::time::Duration::from_millis(500)));
    let started = std::time::Instant::now();
    let report = sync(applier, &set(yaml), &opts).await.unwrap();
    assert_eq!(report.outcome, SyncOutcome::Failed);
    assert!(report.message.contains("timed out"), "{}", report.message);
    assert!(
        started.elapsed() < std::time::Duration::from_secs(10),
        "bounded by the sync timeout"
    );
    assert!(
        live(applier, "", "v1", "ConfigMap", Some("default"), "after-slow")
            .await
            .is_none()
    );
}
