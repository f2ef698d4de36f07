//! # gitops-health
//!
//! Health assessment of Kubernetes objects, as Argo CD's gitops-engine does it: is the
//! deployed object running correctly? A [`Registry`] picks the assessor for an object and
//! returns a [`Health`] (a [`HealthStatus`] and a message) or `None` ("no health": no assessor
//! applies, which aggregation ignores and sync treats as done).
//!
//! - Built-in assessors ([`BuiltinAssessor`]) for Deployment, StatefulSet, DaemonSet,
//!   ReplicaSet, Pod, Service, PersistentVolumeClaim, Ingress, Job, HorizontalPodAutoscaler
//!   (all versions), APIService and Argo Workflow, with gitops-engine's statuses and messages
//!   verbatim; plus CronJob, Namespace, CustomResourceDefinition and (opt-in) argoproj.io
//!   Application.
//! - Generic kstatus-style health from conditions for custom resources ([`ConditionsPolicy`],
//!   off by default as in Argo CD).
//! - Argo CD Lua health scripts (feature `lua`): the `resource_customizations` layout, inline
//!   operator scripts, a sandbox with instruction and memory budgets, and a
//!   `health_test.yaml` runner.
//! - Application-level aggregation ([`aggregate`], [`worst`]) and hook phases
//!   ([`HookPhase`]).
//!
//! The crate is pure: it never talks to a cluster, reads only the fields it needs from the
//! JSON object (no k8s-openapi), and performs no I/O except loading Lua script directories and
//! test files when asked to.
//!
//! ```
//! use gitops_health::{HealthStatus, Registry};
//! let registry = Registry::default();
//! let pod = serde_json::json!({
//!     "apiVersion": "v1", "kind": "Pod", "metadata": {"name": "web"},
//!     "spec": {"restartPolicy": "Always"},
//!     "status": {"phase": "Running", "conditions": [{"type": "Ready", "status": "True"}]}});
//! assert_eq!(registry.assess(&pod)?.unwrap().status, HealthStatus::Healthy);
//! # Ok::<(), gitops_health::Error>(())
//! ```
//!
//! See `examples/health.rs` for a command-line tool that assesses YAML files.
//!
//! ## Feature flags
//! - `lua` (default in this crate; the workspace dependency disables it, enable
//!   `gitops-health/lua`): run Argo CD `health.lua` scripts with a vendored LuaJIT through
//!   mlua. Builds C code.

#![cfg_attr(docsrs, feature(doc_cfg))]

mod aggregate;
mod assessor;
mod builtin;
mod conditions;
mod error;
mod hook;
#[cfg(feature = "lua")]
#[cfg_attr(docsrs, doc(cfg(feature = "lua")))]
pub mod lua;
mod object;
mod registry;
mod status;

pub use aggregate::{
    IGNORE_HEALTHCHECK_ANNOTATION, aggregate, ignores_healthcheck, is_hook, worst, worst_status,
};
pub use assessor::HealthAssessor;
pub use builtin::BuiltinAssessor;
pub use conditions::ConditionsPolicy;
pub use error::Error;
pub use hook::HookPhase;
pub use registry::{HOOK_FINALIZER, Registry};
pub use status::{Health, HealthStatus};

/// `Result` with this crate's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;
