use gitops_core::{
    Error,
    annotations::{
        CompareOptions, DeleteOption, HookDeletePolicy, HookType, PropagationPolicy, PruneOption,
        SyncOptions, SyncWave,
    },
    ordering::SyncPhase,
};

use super::object;

fn job(annotations: &[(&str, &str)]) -> gitops_core::Manifest {
    object("batch/v1", "Job", Some("default"), "j", annotations)
}

#[test]
fn sync_wave_defaults_falls_back_to_helm_and_rejects_garbage() {
    assert_eq!(job(&[]).sync_wave().unwrap(), SyncWave(0));
    assert_eq!(
        job(&[("argocd.argoproj.io/sync-wave", "-3")])
            .sync_wave()
            .unwrap(),
        SyncWave(-3)
    );
    assert_eq!(
        job(&[("argocd.argoproj.io/sync-wave", "+7")])
            .sync_wave()
            .unwrap(),
        SyncWave(7)
    );
    assert_eq!(
        job(&[("helm.sh/hook-weight", "5")]).sync_wave().unwrap(),
        SyncWave(5)
    );
    // The Argo CD annotation wins over the Helm weight.
    let both = job(&[
        ("argocd.argoproj.io/sync-wave", "2"),
        ("helm.sh/hook-weight", "9"),
    ]);
    assert_eq!(both.sync_wave().unwrap(), SyncWave(2));
    for bad in ["one", "1.5", " 1", "", "-", "99999999999"] {
        let err = job(&[("argocd.argoproj.io/sync-wave", bad)])
            .sync_wave()
            .unwrap_err();
        let msg = err.to_string();
        assert!(matches!(err, Error::InvalidAnnotation { .. }), "{msg}");
        assert!(
            msg.contains("batch/Job/default/j") && msg.contains("argocd.argoproj.io/sync-wave"),
            "{msg}"
        );
    }
}

#[test]
fn hooks_parse_argo_csv_and_dedupe() {
    assert_eq!(job(&[]).hooks().unwrap(), None);
    let h = job(&[("argocd.argoproj.io/hook", "PreSync, PostSync,PreSync")])
        .hooks()
        .unwrap()
        .unwrap();
    assert_eq!(
        h.types().collect::<Vec<_>>(),
        [HookType::PreSync, HookType::PostSync]
    );
    assert_eq!(
        h.sync_phases().collect::<Vec<_>>(),
        [SyncPhase::PreSync, SyncPhase::PostSync]
    );
    assert!(!h.is_ignored() && !h.from_helm());
    let err = job(&[("argocd.argoproj.io/hook", "PreSync,Later")])
        .hooks()
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("\"Later\"") && err.contains("argocd.argoproj.io/hook"),
        "{err}"
    );
}

#[test]
fn skip_alone_is_ignored_but_not_with_other_types() {
    let skip = job(&[("argocd.argoproj.io/hook", "Skip")])
        .hooks()
        .unwrap()
        .unwrap();
    assert!(skip.is_ignored());
    assert_eq!(skip.sync_phases().count(), 0);
    let both = job(&[("argocd.argoproj.io/hook", "Skip,Sync")])
        .hooks()
        .unwrap()
        .unwrap();
    assert!(!both.is_ignored());
    assert_eq!(both.sync_phases().collect::<Vec<_>>(), [SyncPhase::Sync]);
}

#[test]
fn helm_hooks_map_like_argo_cd() {
    let cases = [
        ("pre-install", vec![HookType::PreSync]),
        (
            "pre-upgrade,post-upgrade",
            vec![HookType::PreSync, HookType::PostSync],
        ),
        ("post-install", vec![HookType::PostSync]),
        ("pre-delete", vec![HookType::PreDelete]),
        ("test", vec![]),
    ];
    for (value, expected) in cases {
        let h = job(&[("helm.sh/hook", value)]).hooks().unwrap().unwrap();
        assert!(h.from_helm());
        assert_eq!(h.types().collect::<Vec<_>>(), expected, "{value}");
    }
    // Unsupported Helm hooks leave no type: the object is ignored.
    assert!(
        job(&[("helm.sh/hook", "test-success")])
            .hooks()
            .unwrap()
            .unwrap()
            .is_ignored()
    );
    // crd-install is not a hook at all.
    assert_eq!(job(&[("helm.sh/hook", "crd-install")]).hooks().unwrap(), None);
    // The Argo CD annotation wins; Helm's is not even read.
    let h = job(&[("argocd.argoproj.io/hook", "Sync"), ("helm.sh/hook", "bogus")])
        .hooks()
        .unwrap()
        .unwrap();
    assert_eq!(h.types().collect::<Vec<_>>(), [HookType::Sync]);
    assert!(job(&[("helm.sh/hook", "pre-instal")]).hooks().is_err());
}

#[test]
fn delete_policies_default_and_merge_helm() {
    let default = job(&[]).hook_delete_policies().unwrap();
    assert_eq!(
        default.iter().collect::<Vec<_>>(),
        [HookDeletePolicy::BeforeHookCreation]
    );
    let merged = job(&[
        ("argocd.argoproj.io/hook-delete-policy", "HookSucceeded"),
        ("helm.sh/hook-delete-policy", "hook-failed"),
    ])
    .hook_delete_policies()
    .unwrap();
    assert_eq!(
        merged.iter().collect::<Vec<_>>(),
        [HookDeletePolicy::HookSucceeded, HookDeletePolicy::HookFailed]
    );
    assert!(
        job(&[("argocd.argoproj.io/hook-delete-policy", "hook-succeeded")])
            .hook_delete_policies()
            .is_err()
    );
}

#[test]
fn sync_options_cover_argo_vocabulary() {
    let o = SyncOptions::parse(
        "Prune=confirm,PruneLast=true,Replace=true,Force=true,ServerSideApply=false,Validate=false,\
         SkipDryRunOnMissingResource=true,CreateNamespace=true,ApplyOutOfSyncOnly=true,\
         RespectIgnoreDifferences=true,Delete=false,PrunePropagationPolicy=orphan",
    )
    .unwrap();
    assert_eq!(o.prune, Some(PruneOption::Confirm));
    assert!(o.is_prune_last() && !o.is_validate());
    assert_eq!(o.replace, Some(true));
    assert_eq!(o.force, Some(true));
    assert_eq!(o.server_side_apply, Some(false));
    assert_eq!(o.skip_dry_run_on_missing_resource, Some(true));
    assert_eq!(o.create_namespace, Some(true));
    assert_eq!(o.apply_out_of_sync_only, Some(true));
    assert_eq!(o.respect_ignore_differences, Some(true));
    assert_eq!(o.delete, Some(DeleteOption::Disabled));
    assert_eq!(o.prune_propagation_policy, Some(PropagationPolicy::Orphan));
    assert!(o.unknown.is_empty());
    // Display gives a parseable annotation value.
    assert_eq!(SyncOptions::parse(&o.to_string()).unwrap(), o);
    let err = job(&[("argocd.argoproj.io/sync-options", "Prune=False")])
        .sync_options()
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("Prune=False") && err.contains("argocd.argoproj.io/sync-options"),
        "{err}"
    );
    assert!(SyncOptions::parse("ServerSideApply").is_err());
}

#[test]
fn resource_sync_options_win_over_application_ones() {
    let app = SyncOptions::from_items(["Prune=false", "ServerSideApply=true"]).unwrap();
    let res = SyncOptions::parse("ServerSideApply=false").unwrap();
    let eff = app.overlay(&res);
    assert_eq!(eff.server_side_apply, Some(false));
    assert_eq!(eff.prune, Some(PruneOption::Disabled));
}

#[test]
fn compare_options_and_ignore_healthcheck() {
    let c = job(&[("argocd.argoproj.io/compare-options", "IgnoreExtraneous")])
        .compare_options()
        .unwrap();
    assert!(c.ignore_extraneous);
    assert_eq!(
        CompareOptions::parse("ServerSideDiff=false")
            .unwrap()
            .server_side_diff,
        Some(false)
    );
    assert!(CompareOptions::parse("ServerSideDiff=maybe").is_err());
    assert!(
        job(&[("argocd.argoproj.io/ignore-healthcheck", "true")])
            .ignore_healthcheck()
            .unwrap()
    );
    assert!(!job(&[]).ignore_healthcheck().unwrap());
    assert!(
        job(&[("argocd.argoproj.io/ignore-healthcheck", "yes")])
            .ignore_healthcheck()
            .is_err()
    );
}

#[test]
fn depends_on_parses_keys_and_rejects_bad_items() {
    let m = job(&[(
        "gitops.rs/depends-on",
        "/ConfigMap/default/a,apps/Deployment/default/b",
    )]);
    let deps: Vec<String> = m.depends_on().unwrap().iter().map(ToString::to_string).collect();
    assert_eq!(deps, ["/ConfigMap/default/a", "apps/Deployment/default/b"]);
    let err = job(&[("gitops.rs/depends-on", "ConfigMap/a")])
        .depends_on()
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("gitops.rs/depends-on") && err.contains("ConfigMap/a"),
        "{err}"
    );
}
