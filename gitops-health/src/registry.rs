//! [`Registry`]: which assessor applies to an object, in Argo CD's order.

use std::{collections::HashMap, fmt, sync::Arc};

use gitops_core::{GroupKind, Manifest};
use serde_json::Value;

use crate::{
    BuiltinAssessor, ConditionsPolicy, Error, Health, HealthAssessor,
    object::{has_finalizer, is_deleting, type_of},
};

/// The finalizer gitops-engine puts on hooks; a hook being deleted keeps its real health
/// (gitops-core's [`HOOK_FINALIZER`](gitops_core::annotations::HOOK_FINALIZER)).
pub const HOOK_FINALIZER: &str = gitops_core::annotations::HOOK_FINALIZER;

/// The set of health assessors, and the order in which they are tried.
///
/// [`Registry::assess`] follows gitops-engine's `GetResourceHealth`:
/// 1. `metadata.deletionTimestamp` set (and no [`HOOK_FINALIZER`]) → Progressing
///    `"Pending deletion"`.
/// 2. Lua health scripts, when set with `Registry::with_lua` (feature `lua`): the operator
///    override / script directory lookup of Argo CD. A script that returns nothing gives no
///    health without falling back; a script error gives Unknown with the error text.
/// 3. An assessor registered with [`Registry::register`] for the object's group and kind.
/// 4. The built-in assessor for the group and kind ([`BuiltinAssessor`]), unless disabled.
/// 5. Generic condition-based health when the [`ConditionsPolicy`] covers the kind.
/// 6. Otherwise no health (`None`).
///
/// An assessor error becomes [`HealthStatus::Unknown`](crate::HealthStatus::Unknown) with the
/// error text as message. [`Registry::default`] has the gitops-engine built-ins plus CronJob,
/// Namespace and CustomResourceDefinition; argoproj.io Application health is opt-in
/// ([`Registry::with_application_health`]); generic conditions are off.
///
/// A `Registry` is `Send + Sync`; share one across threads behind an `Arc` or a reference.
///
/// ```
/// use gitops_health::{HealthStatus, Registry};
/// let registry = Registry::default();
/// let deployment = serde_json::json!({
///     "apiVersion": "apps/v1", "kind": "Deployment",
///     "metadata": {"name": "web", "generation": 1},
///     "spec": {"replicas": 2},
///     "status": {"observedGeneration": 1, "replicas": 2, "updatedReplicas": 1}});
/// let health = registry.assess(&deployment)?.expect("Deployments have health");
/// assert_eq!(health.status, HealthStatus::Progressing);
/// assert_eq!(health.message,
///     "Waiting for rollout to finish: 1 out of 2 new replicas have been updated...");
/// let config_map = serde_json::json!({"apiVersion": "v1", "kind": "ConfigMap",
///     "metadata": {"name": "cfg"}});
/// assert_eq!(registry.assess(&config_map)?, None);
/// # Ok::<(), gitops_health::Error>(())
/// ```
#[derive(Clone)]
pub struct Registry {
    builtins: bool,
    application_health: bool,
    custom: HashMap<GroupKind, Arc<dyn HealthAssessor>>,
    conditions: ConditionsPolicy,
    #[cfg(feature = "lua")]
    lua: Option<Arc<crate::lua::LuaHealth>>,
}

impl Default for Registry {
    /// The built-in assessors (see [`Registry`]), no Lua scripts, generic conditions off.
    fn default() -> Self {
        Self {
            builtins: true,
            application_health: false,
            custom: HashMap::new(),
            conditions: ConditionsPolicy::none(),
            #[cfg(feature = "lua")]
            lua: None,
        }
    }
}

impl fmt::Debug for Registry {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut custom: Vec<String> = self.custom.keys().map(ToString::to_string).collect();
        custom.sort();
        let mut s = f.debug_struct("Registry");
        s.field("builtins", &self.builtins)
            .field("application_health", &self.application_health)
            .field("custom", &custom)
            .field("conditions", &self.conditions);
        #[cfg(feature = "lua")]
        s.field("lua", &self.lua);
        s.finish()
    }
}

impl Registry {
    /// A registry with no assessor at all: every object has no health (except objects being
    /// deleted, which are still Progressing "Pending deletion").
    pub fn empty() -> Self {
        Self {
            builtins: false,
            ..Self::default()
        }
    }

    /// Also assess argoproj.io Applications by the health they report (`status.health`), for
    /// app-of-apps set-ups; off by default as in gitops-engine.
    #[must_use]
    pub fn with_application_health(mut self) -> Self {
        self.application_health = true;
        self
    }

    /// Sets the generic condition-based health policy (see [`ConditionsPolicy`]).
    #[must_use]
    pub fn with_conditions(mut self, policy: ConditionsPolicy) -> Self {
        self.conditions = policy;
        self
    }

    /// Runs Argo CD Lua health scripts before every other assessor (see [`crate::lua`]).
    #[cfg(feature = "lua")]
    #[cfg_attr(docsrs, doc(cfg(feature = "lua")))]
    #[must_use]
    pub fn with_lua(mut self, scripts: crate::lua::LuaHealth) -> Self {
        self.lua = Some(Arc::new(scripts));
        self
    }

    /// Registers `assessor` for objects of `group_kind`, replacing the built-in one and any
    /// earlier registration. Lua scripts still take precedence, as Argo CD's overrides do.
    pub fn register(&mut self, group_kind: GroupKind, assessor: impl HealthAssessor + 'static) {
        self.custom.insert(group_kind, Arc::new(assessor));
    }

    /// Builder form of [`Registry::register`].
    #[must_use]
    pub fn with_assessor(mut self, group_kind: GroupKind, assessor: impl HealthAssessor + 'static) -> Self {
        self.register(group_kind, assessor);
        self
    }

    /// The health of `object` (live object JSON), or `None` when no assessor applies.
    ///
    /// # Errors
    /// [`Error::InvalidObject`] when `object` is not a JSON object with a valid `apiVersion` and
    /// `kind`. Assessor and script failures are not errors: they give `Unknown`.
    pub fn assess(&self, object: &Value) -> Result<Option<Health>, Error> {
        let (group, version, kind) = type_of(object)?;
        if is_deleting(object) && !has_finalizer(object, HOOK_FINALIZER) {
            return Ok(Some(Health::progressing("Pending deletion")));
        }
        #[cfg(feature = "lua")]
        if let Some(lua) = &self.lua
            && let Some(outcome) = lua.assess_kind(object, group, kind)
        {
            return Ok(match outcome {
                Ok(health) => health,
                Err(err) => Some(Health::unknown(err.to_string())),
            });
        }
        if !self.custom.is_empty()
            && let Some(assessor) = self.custom.get(&GroupKind::new(group, kind))
        {
            return unknown_on_error(assessor.assess(object));
        }
        if self.builtins
            && let Some(builtin) = BuiltinAssessor::for_kind(group, kind)
            && (builtin != BuiltinAssessor::Application || self.application_health)
        {
            return unknown_on_error(builtin.assess_typed(object, group, version, kind).map(Some));
        }
        if self.conditions.applies_to(group, kind) {
            return unknown_on_error(self.conditions.assess(object));
        }
        Ok(None)
    }

    /// [`Registry::assess`] on a loaded manifest.
    pub fn assess_manifest(&self, manifest: &Manifest) -> Result<Option<Health>, Error> {
        self.assess(manifest.as_value())
    }
}

/// Turns an assessor failure into Unknown with its text; invalid objects stay errors.
fn unknown_on_error(result: Result<Option<Health>, Error>) -> Result<Option<Health>, Error> {
    match result {
        Err(err @ Error::InvalidObject { .. }) => Err(err),
        Err(err) => Ok(Some(Health::unknown(err.to_string()))),
        ok => ok,
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::HealthStatus;

    #[test]
    fn deletion_short_circuits_unless_hook_finalizer() {
        let registry = Registry::default();
        let mut pod = json!({"apiVersion": "v1", "kind": "Pod",
            "metadata": {"name": "p", "deletionTimestamp": "2024-01-01T00:00:00Z"},
            "status": {"phase": "Succeeded"}});
        assert_eq!(
            registry.assess(&pod).unwrap(),
            Some(Health::progressing("Pending deletion"))
        );
        pod["metadata"]["finalizers"] = json!([HOOK_FINALIZER]);
        assert_eq!(
            registry.assess(&pod).unwrap().unwrap().status,
            HealthStatus::Healthy
        );
    }

    #[test]
    fn unsupported_version_and_bad_fields_are_unknown() {
        let registry = Registry::default();
        let old = json!({"apiVersion": "apps/v1beta2", "kind": "Deployment", "metadata": {"name": "d"}});
        assert_eq!(
            registry.assess(&old).unwrap(),
            Some(Health::unknown(
                "unsupported Deployment GVK: apps/v1beta2, Kind=Deployment"
            ))
        );
        let bad = json!({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "d"},
            "status": {"replicas": "two"}});
        let health = registry.assess(&bad).unwrap().unwrap();
        assert_eq!(health.status, HealthStatus::Unknown);
        assert_eq!(
            health.message,
            "failed to convert unstructured Deployment to typed: .status.replicas: expected an integer"
        );
        assert!(registry.assess(&json!({"kind": "Pod"})).is_err());
    }

    #[test]
    fn application_health_is_opt_in() {
        let app = json!({"apiVersion": "argoproj.io/v1alpha1", "kind": "Application",
            "metadata": {"name": "a"}, "status": {"health": {"status": "Degraded", "message": "x"}}});
        assert_eq!(Registry::default().assess(&app).unwrap(), None);
        let health = Registry::default()
            .with_application_health()
            .assess(&app)
            .unwrap();
        assert_eq!(health, Some(Health::degraded("x")));
    }

    #[test]
    fn registered_assessor_replaces_builtin() {
        let registry = Registry::empty().with_assessor(GroupKind::new("", "Pod"), |_: &Value| Ok(None));
        let pod = json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"}});
        assert_eq!(registry.assess(&pod).unwrap(), None);
        assert_eq!(Registry::empty().assess(&pod).unwrap(), None);
        assert!(Registry::default().assess(&pod).unwrap().is_some());
    }
}
