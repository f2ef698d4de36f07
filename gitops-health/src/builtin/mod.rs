//! The built-in assessors: one module per kind, each reading only the fields it needs.

mod apiservice;
mod application;
mod crd;
mod cronjob;
mod daemonset;
mod deployment;
mod hpa;
mod ingress;
mod job;
mod namespace;
mod pod;
mod pvc;
mod replicaset;
mod service;
mod statefulset;
mod workflow;

use serde_json::Value;

use crate::{
    Error, Health, HealthAssessor,
    object::{go_gvk, type_of},
};

/// One of the built-in health checks, selected by group and kind.
///
/// The gitops-engine set (status and message verbatim, see the variant docs) plus CronJob,
/// Namespace, CustomResourceDefinition and argoproj.io Application. Each variant is also a
/// [`HealthAssessor`], so a custom [`Registry`](crate::Registry) can reuse it.
///
/// An object of a covered kind under an unsupported version (e.g. `apps/v1beta2` Deployment)
/// yields [`Error::UnsupportedVersion`], which the registry turns into `Unknown`, as
/// gitops-engine does; a field with the wrong JSON type yields [`Error::Conversion`].
///
/// ```
/// use gitops_health::{BuiltinAssessor, HealthAssessor, HealthStatus};
/// let pvc = serde_json::json!({"apiVersion": "v1", "kind": "PersistentVolumeClaim",
///     "metadata": {"name": "data"}, "status": {"phase": "Bound"}});
/// let assessor = BuiltinAssessor::for_kind("", "PersistentVolumeClaim").unwrap();
/// assert_eq!(assessor.assess(&pvc).unwrap().unwrap().status, HealthStatus::Healthy);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum BuiltinAssessor {
    /// apps/v1 Deployment: paused → Suspended; progress deadline → Degraded; rollout → Progressing.
    Deployment,
    /// apps/v1 StatefulSet: observed generation, ready pods, partitioned and OnDelete rollouts.
    StatefulSet,
    /// apps/v1 DaemonSet: observed generation, updated and available pods.
    DaemonSet,
    /// apps/v1 ReplicaSet: ReplicaFailure → Degraded, available replicas.
    ReplicaSet,
    /// v1 Pod: waiting reasons, phase, readiness, restart policy.
    Pod,
    /// v1 Service: a LoadBalancer without ingress is Progressing.
    Service,
    /// v1 PersistentVolumeClaim: Bound, Pending, Lost.
    PersistentVolumeClaim,
    /// extensions and networking.k8s.io Ingress (any version): assigned load balancer.
    Ingress,
    /// batch/v1 Job: Failed, Complete and Suspended conditions.
    Job,
    /// autoscaling v1 (conditions annotation), v2beta1, v2beta2 and v2 HorizontalPodAutoscaler.
    HorizontalPodAutoscaler,
    /// apiregistration.k8s.io v1 and v1beta1 APIService: the Available condition.
    ApiService,
    /// argoproj.io Workflow (any version): `status.phase`.
    Workflow,
    /// batch v1 and v1beta1 CronJob: suspension and last schedule, as Argo CD's bundled script.
    CronJob,
    /// v1 Namespace: Terminating is Progressing.
    Namespace,
    /// apiextensions.k8s.io v1 and v1beta1 CustomResourceDefinition: Established, NamesAccepted.
    CustomResourceDefinition,
    /// argoproj.io Application (any version): the health it reports in `status.health`.
    /// Not registered by default (gitops-engine gives Applications no health).
    Application,
}

impl BuiltinAssessor {
    /// The assessor for an API group (`""` for core) and kind, or `None` when there is none.
    /// [`BuiltinAssessor::Application`] is returned for `argoproj.io/Application` even though
    /// [`Registry::default`](crate::Registry::default) leaves it out.
    pub fn for_kind(group: &str, kind: &str) -> Option<Self> {
        Some(match (group, kind) {
            ("apps", "Deployment") => Self::Deployment,
            ("apps", "StatefulSet") => Self::StatefulSet,
            ("apps", "DaemonSet") => Self::DaemonSet,
            ("apps", "ReplicaSet") => Self::ReplicaSet,
            ("", "Pod") => Self::Pod,
            ("", "Service") => Self::Service,
            ("", "PersistentVolumeClaim") => Self::PersistentVolumeClaim,
            ("", "Namespace") => Self::Namespace,
            ("extensions" | "networking.k8s.io", "Ingress") => Self::Ingress,
            ("batch", "Job") => Self::Job,
            ("batch", "CronJob") => Self::CronJob,
            ("autoscaling", "HorizontalPodAutoscaler") => Self::HorizontalPodAutoscaler,
            ("apiregistration.k8s.io", "APIService") => Self::ApiService,
            ("argoproj.io", "Workflow") => Self::Workflow,
            ("argoproj.io", "Application") => Self::Application,
            ("apiextensions.k8s.io", "CustomResourceDefinition") => Self::CustomResourceDefinition,
            _ => return None,
        })
    }

    /// The name gitops-engine uses in its `unsupported <Kind> GVK` error.
    fn error_kind(self) -> &'static str {
        match self {
            Self::Deployment => "Deployment",
            Self::StatefulSet => "StatefulSet",
            Self::DaemonSet => "DaemonSet",
            Self::ReplicaSet => "ReplicaSet",
            Self::Pod => "Pod",
            Self::Service => "Service",
            Self::PersistentVolumeClaim => "PersistentVolumeClaim",
            Self::Ingress => "Ingress",
            Self::Job => "Job",
            Self::HorizontalPodAutoscaler => "HPA",
            Self::ApiService => "APIService",
            Self::Workflow => "Workflow",
            Self::CronJob => "CronJob",
            Self::Namespace => "Namespace",
            Self::CustomResourceDefinition => "CustomResourceDefinition",
            Self::Application => "Application",
        }
    }

    /// Assesses `object`, which must be of this assessor's kind (the group and kind are not
    /// checked again; the version is).
    pub(crate) fn assess_typed(
        self,
        object: &Value,
        group: &str,
        version: &str,
        kind: &str,
    ) -> Result<Health, Error> {
        let supported = match self {
            Self::Deployment
            | Self::StatefulSet
            | Self::DaemonSet
            | Self::ReplicaSet
            | Self::Pod
            | Self::Service
            | Self::PersistentVolumeClaim
            | Self::Namespace
            | Self::Job => version == "v1",
            Self::CronJob | Self::ApiService | Self::CustomResourceDefinition => {
                matches!(version, "v1" | "v1beta1")
            }
            // HPA checks its versions itself; Ingress, Workflow and Application take any version.
            Self::HorizontalPodAutoscaler | Self::Ingress | Self::Workflow | Self::Application => true,
        };
        if !supported {
            return Err(Error::UnsupportedVersion {
                kind: self.error_kind(),
                gvk: go_gvk(group, version, kind),
            });
        }
        match self {
            Self::Deployment => deployment::assess(object),
            Self::StatefulSet => statefulset::assess(object),
            Self::DaemonSet => daemonset::assess(object),
            Self::ReplicaSet => replicaset::assess(object),
            Self::Pod => pod::assess(object),
            Self::Service => service::assess(object),
            Self::PersistentVolumeClaim => pvc::assess(object),
            Self::Ingress => Ok(ingress::assess(object)),
            Self::Job => job::assess(object),
            Self::HorizontalPodAutoscaler => hpa::assess(object, version),
            Self::ApiService => apiservice::assess(object),
            Self::Workflow => Ok(workflow::assess(object)),
            Self::CronJob => cronjob::assess(object),
            Self::Namespace => namespace::assess(object),
            Self::CustomResourceDefinition => crd::assess(object),
            Self::Application => application::assess(object),
        }
    }
}

impl HealthAssessor for BuiltinAssessor {
    /// Always `Some` for an object of the assessor's kind; `None` for an object of another kind.
    fn assess(&self, object: &Value) -> Result<Option<Health>, Error> {
        let (group, version, kind) = type_of(object)?;
        if BuiltinAssessor::for_kind(group, kind) != Some(*self) {
            return Ok(None);
        }
        self.assess_typed(object, group, version, kind).map(Some)
    }
}
