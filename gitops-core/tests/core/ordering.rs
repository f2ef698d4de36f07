use gitops_core::{
    Error, ManifestSet,
    annotations::SyncWave,
    ordering::{PlanOptions, SyncPhase, SyncPlan, TaskAction, kind_rank, plan, plan_with},
};

use super::{object, set};

/// One line per batch: `phase wave action: key key ...`.
fn render(plan: &SyncPlan) -> Vec<String> {
    plan.batches()
        .iter()
        .map(|b| {
            let keys: Vec<String> = b.tasks.iter().map(|t| t.key.to_string()).collect();
            format!("{} {} {:?}: {}", b.phase, b.wave, b.action, keys.join(" "))
        })
        .collect()
}

#[test]
fn kind_order_is_argo_cds() {
    let order = [
        "Namespace",
        "ServiceAccount",
        "Secret",
        "ConfigMap",
        "CustomResourceDefinition",
        "ClusterRole",
        "Service",
        "Deployment",
        "Job",
        "Ingress",
        "APIService",
        "Widget",
    ];
    for pair in order.windows(2) {
        assert!(kind_rank(pair[0]) < kind_rank(pair[1]), "{pair:?}");
    }
}

#[test]
fn waves_then_kinds_then_names() {
    let s = set(r"
apiVersion: apps/v1
kind: Deployment
metadata: {name: b, namespace: x}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: a, namespace: x}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: z, namespace: x}
---
apiVersion: v1
kind: Service
metadata: {name: s, namespace: x, annotations: {argocd.argoproj.io/sync-wave: '-1'}}
");
    assert_eq!(
        render(&plan(&s).unwrap()),
        [
            "Sync -1 Apply: /Service/x/s",
            "Sync 0 Apply: /ConfigMap/x/z",
            "Sync 0 Apply: apps/Deployment/x/a apps/Deployment/x/b",
        ]
    );
}

#[test]
fn namespace_and_crd_move_before_their_first_user() {
    let s = set(r"
apiVersion: v1
kind: Namespace
metadata: {name: late, annotations: {argocd.argoproj.io/sync-wave: '5'}}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: c, namespace: late, annotations: {argocd.argoproj.io/sync-wave: '1'}}
---
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: widgets.example.com, annotations: {argocd.argoproj.io/sync-wave: '3'}}
spec: {group: example.com, names: {kind: Widget}, scope: Namespaced}
---
apiVersion: example.com/v1
kind: Widget
metadata: {name: w, namespace: other}
");
    assert_eq!(
        render(&plan(&s).unwrap()),
        [
            "Sync 0 Apply: apiextensions.k8s.io/CustomResourceDefinition//widgets.example.com",
            "Sync 0 Apply: example.com/Widget/other/w",
            "Sync 1 Apply: /Namespace//late",
            "Sync 1 Apply: /ConfigMap/late/c",
        ]
    );
}

#[test]
fn hooks_run_in_each_phase_they_name_and_skip_is_dropped() {
    let s = set(r"
apiVersion: batch/v1
kind: Job
metadata: {generateName: both-, namespace: x, annotations: {argocd.argoproj.io/hook: 'PreSync,PostSync'}}
---
apiVersion: v1
kind: Pod
metadata: {name: skipped, namespace: x, annotations: {argocd.argoproj.io/hook: Skip}}
---
apiVersion: v1
kind: Pod
metadata: {name: failed, namespace: x, annotations: {argocd.argoproj.io/hook: SyncFail}}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: c, namespace: x}
");
    let p = plan(&s).unwrap();
    assert_eq!(
        render(&p),
        [
            "PreSync 0 Apply: batch/Job/x/both-",
            "Sync 0 Apply: /ConfigMap/x/c",
            "PostSync 0 Apply: batch/Job/x/both-",
            "SyncFail 0 Apply: /Pod/x/failed",
        ]
    );
    let hooks: Vec<_> = p.tasks().map(|t| t.hook.map(|h| h.to_string())).collect();
    assert_eq!(
        hooks,
        [
            Some("PreSync".into()),
            None,
            Some("PostSync".into()),
            Some("SyncFail".into())
        ]
    );
}

#[test]
fn depends_on_splits_a_kind_run_and_overrides_kind_order() {
    let s = set(r"
apiVersion: apps/v1
kind: Deployment
metadata: {name: api, namespace: x, annotations: {gitops.rs/depends-on: apps/Deployment/x/db}}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: db, namespace: x}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: x}
---
apiVersion: v1
kind: ServiceAccount
metadata: {name: late-sa, namespace: x, annotations: {gitops.rs/depends-on: apps/Deployment/x/web}}
");
    assert_eq!(
        render(&plan(&s).unwrap()),
        [
            "Sync 0 Apply: apps/Deployment/x/db apps/Deployment/x/web",
            // Both are ready now; the one that sorts first (ServiceAccount) picks the next run.
            "Sync 0 Apply: /ServiceAccount/x/late-sa",
            "Sync 0 Apply: apps/Deployment/x/api",
        ]
    );
}

#[test]
fn dependency_on_an_earlier_wave_is_met_by_the_barrier() {
    let s = set(r"
apiVersion: v1
kind: ConfigMap
metadata: {name: a, namespace: x, annotations: {gitops.rs/depends-on: /ConfigMap/x/b}}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: b, namespace: x, annotations: {argocd.argoproj.io/sync-wave: '-1'}}
");
    assert_eq!(
        render(&plan(&s).unwrap()),
        ["Sync -1 Apply: /ConfigMap/x/b", "Sync 0 Apply: /ConfigMap/x/a"]
    );
}

#[test]
fn dependency_errors_name_everything() {
    let missing = set(
        "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a, namespace: x, annotations: {gitops.rs/depends-on: /ConfigMap/x/nope}}\n",
    );
    let err = plan(&missing).unwrap_err();
    assert!(matches!(err, Error::MissingDependency { .. }));
    assert!(
        err.to_string()
            .contains("/ConfigMap/x/a depends on /ConfigMap/x/nope"),
        "{err}"
    );

    let later = set(r"
apiVersion: v1
kind: ConfigMap
metadata: {name: a, namespace: x, annotations: {gitops.rs/depends-on: /ConfigMap/x/b}}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: b, namespace: x, annotations: {argocd.argoproj.io/sync-wave: '2'}}
");
    let err = plan(&later).unwrap_err().to_string();
    assert!(
        err.contains("(Sync wave 0) depends on /ConfigMap/x/b, which syncs later (Sync wave 2)"),
        "{err}"
    );

    let cycle = set(r"
apiVersion: v1
kind: ConfigMap
metadata: {name: a, namespace: x, annotations: {gitops.rs/depends-on: /ConfigMap/x/b}}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: b, namespace: x, annotations: {gitops.rs/depends-on: /ConfigMap/x/c}}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: c, namespace: x, annotations: {gitops.rs/depends-on: /ConfigMap/x/a}}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: d, namespace: x, annotations: {gitops.rs/depends-on: /ConfigMap/x/a}}
");
    match plan(&cycle).unwrap_err() {
        Error::DependencyCycle { members } => {
            let names: Vec<&str> = members.iter().map(|k| k.name.as_str()).collect();
            assert_eq!(names, ["a", "b", "c"]);
        }
        other => panic!("{other}"),
    }
    let self_dep = set(
        "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a, namespace: x, annotations: {gitops.rs/depends-on: /ConfigMap/x/a}}\n",
    );
    assert!(matches!(
        plan(&self_dep).unwrap_err(),
        Error::DependencyCycle { .. }
    ));
}

#[test]
fn a_namespace_depending_on_its_own_content_is_a_cycle() {
    let s = set(r"
apiVersion: v1
kind: Namespace
metadata: {name: x, annotations: {gitops.rs/depends-on: /ConfigMap/x/a}}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: a, namespace: x}
");
    let err = plan(&s).unwrap_err().to_string();
    assert!(
        err.contains("/ConfigMap/x/a") && err.contains("/Namespace//x"),
        "{err}"
    );
}

#[test]
fn prune_waves_are_mirrored_and_prune_last_goes_after_the_last_wave() {
    let desired = set(
        "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: keep, namespace: x, annotations: {argocd.argoproj.io/sync-wave: '3'}}\n",
    );
    let live = [
        object(
            "v1",
            "ConfigMap",
            Some("x"),
            "w1",
            &[("argocd.argoproj.io/sync-wave", "1")],
        ),
        object(
            "v1",
            "ConfigMap",
            Some("x"),
            "w2",
            &[("argocd.argoproj.io/sync-wave", "2")],
        ),
        object(
            "v1",
            "ConfigMap",
            Some("x"),
            "w5",
            &[("argocd.argoproj.io/sync-wave", "5")],
        ),
        object(
            "v1",
            "ConfigMap",
            Some("x"),
            "last",
            &[("argocd.argoproj.io/sync-options", "PruneLast=true")],
        ),
    ];
    let p = plan_with(&desired, &live, &PlanOptions::default()).unwrap();
    // Waves {0,1,2,5} mirror to {5,2,1,0}; the last Sync wave is then 5, so PruneLast goes to 6.
    assert_eq!(
        render(&p),
        [
            "Sync 0 Prune: /ConfigMap/x/w5",
            "Sync 1 Prune: /ConfigMap/x/w2",
            "Sync 2 Prune: /ConfigMap/x/w1",
            "Sync 3 Apply: /ConfigMap/x/keep",
            "Sync 6 Prune: /ConfigMap/x/last",
        ]
    );
    let all_last = plan_with(&desired, &live, &PlanOptions::default().prune_last(true)).unwrap();
    // As in gitops-engine, the last wave counts the mirrored prune waves (5), so all go to 6.
    assert!(
        all_last
            .tasks()
            .filter(|t| t.action == TaskAction::Prune)
            .all(|t| t.wave == SyncWave(6))
    );
    assert_eq!(
        all_last.steps(),
        [(SyncPhase::Sync, SyncWave(3)), (SyncPhase::Sync, SyncWave(6))]
    );
}

#[test]
fn empty_set_gives_empty_plan() {
    assert!(plan(&ManifestSet::new()).unwrap().is_empty());
}
