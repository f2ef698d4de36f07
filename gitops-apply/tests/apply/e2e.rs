//! The behaviour suite against a real cluster: runs only when `GITOPS_E2E_KUBECONFIG` names a
//! kubeconfig file (context: `GITOPS_E2E_CONTEXT`, else its current context), and skips with a
//! message otherwise. Use a disposable cluster (e.g. kind): the scenarios write into the
//! `default` namespace, create a CRD (`widgets.example.test`) and a namespace, and expect a
//! fresh cluster (objects left by an earlier run change their results).
//!
//! The scenarios chosen are those whose timing does not depend on the emulator's simulated
//! controllers: ConfigMaps, CRDs and custom resources, prune, conflicts, selective sync,
//! Replace; two (interrupted-and-resumed, RespectIgnoreDifferences) run an `nginx` Deployment
//! and wait for it to become available, so the cluster must be able to pull that image. They
//! were checked against `kube-emulator`'s kubeconfig, the only API server on the machine where
//! they were written.

use std::time::Duration;

use gitops_apply::{KubeApplier, kube::KubeApplierOptions};

use crate::suite;

/// The applier of the e2e cluster, or `None` (skipped, with a message) without
/// `GITOPS_E2E_KUBECONFIG`.
async fn e2e_applier() -> Option<KubeApplier> {
    let Some(path) = std::env::var_os("GITOPS_E2E_KUBECONFIG") else {
        eprintln!("SKIPPED: GITOPS_E2E_KUBECONFIG is not set; needed for tests against a real cluster");
        return None;
    };
    let context = std::env::var("GITOPS_E2E_CONTEXT").ok();
    let applier = KubeApplier::from_kubeconfig(&path, context.as_deref())
        .await
        .unwrap_or_else(|e| panic!("GITOPS_E2E_KUBECONFIG={}: {e}", path.display()));
    Some(applier.with_options(
        KubeApplierOptions::default().backoff(Duration::from_millis(50), Duration::from_secs(2)),
    ))
}

macro_rules! on_real_cluster {
    ($($name:ident),* $(,)?) => {
        $(
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $name() {
                let Some(applier) = e2e_applier().await else { return };
                suite::$name(&applier).await;
            }
        )*
    };
}

on_real_cluster!(
    prune_options,
    prune_confirm_pauses_until_confirmed,
    conflicts_with_another_field_manager,
    interrupted_sync_resumes_from_serialized_state,
    crd_and_custom_resource_in_one_sync,
    create_names_generated_objects_and_refuses_existing_ones,
    missing_kind_fails_before_any_write_unless_skip_dry_run,
    selective_sync_and_create_namespace,
    replace_option,
    respect_ignore_differences_keeps_live_values,
);
