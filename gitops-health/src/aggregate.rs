//! Aggregating the health of many objects into one application health, as Argo CD does.

use serde_json::Value;

use crate::{Health, HealthStatus, object::at};

/// Annotation that excludes an object from health aggregation when set to `"true"`
/// (gitops-core's [`IGNORE_HEALTHCHECK`](gitops_core::annotations::IGNORE_HEALTHCHECK)).
pub const IGNORE_HEALTHCHECK_ANNOTATION: &str = gitops_core::annotations::IGNORE_HEALTHCHECK;

/// The worst of `statuses`, skipping `None` (objects with no health); `None` when every entry
/// is `None` or there are none. This is gitops-engine's `IsWorse` fold.
///
/// ```
/// use gitops_health::{worst_status, HealthStatus::*};
/// assert_eq!(worst_status([Some(Healthy), None, Some(Progressing)]), Some(Progressing));
/// assert_eq!(worst_status([None, None]), None);
/// ```
pub fn worst_status(statuses: impl IntoIterator<Item = Option<HealthStatus>>) -> Option<HealthStatus> {
    statuses.into_iter().flatten().max()
}

/// The worst of `healths` (the first one when several are equally bad), skipping `None`.
///
/// ```
/// use gitops_health::{worst, Health};
/// let (a, b) = (Health::progressing("rolling out"), Health::degraded("crash loop"));
/// assert_eq!(worst([Some(&a), None, Some(&b)]), Some(&b));
/// ```
pub fn worst<'a>(healths: impl IntoIterator<Item = Option<&'a Health>>) -> Option<&'a Health> {
    healths
        .into_iter()
        .flatten()
        .fold(None, |acc: Option<&Health>, h| match acc {
            Some(current) if current.status >= h.status => Some(current),
            _ => Some(h),
        })
}

/// Whether `object` is a sync hook: it carries `argocd.argoproj.io/hook`, or a Helm
/// `helm.sh/hook` other than `crd-install` (which is not a hook).
pub fn is_hook(object: &Value) -> bool {
    let annotation = |key: &str| at(object, &["metadata", "annotations", key]).and_then(Value::as_str);
    if annotation("argocd.argoproj.io/hook").is_some() {
        return true;
    }
    annotation("helm.sh/hook").is_some_and(|hooks| hooks.split(',').any(|h| h.trim() != "crd-install"))
}

/// Whether `object` is annotated `argocd.argoproj.io/ignore-healthcheck: "true"`.
pub fn ignores_healthcheck(object: &Value) -> bool {
    at(
        object,
        &["metadata", "annotations", IGNORE_HEALTHCHECK_ANNOTATION],
    )
    .and_then(Value::as_str)
        == Some("true")
}

/// Application health from the health of its resources, with Argo CD's skip rules.
///
/// Each entry is `(object, health)`: the live object (or, for a resource missing from the
/// cluster, its desired manifest with health [`HealthStatus::Missing`]) and its assessed
/// health (`None` = no health). Skipped: hooks ([`is_hook`]), objects annotated
/// [`IGNORE_HEALTHCHECK_ANNOTATION`], objects with no health, argoproj.io Applications whose
/// health is Missing or Unknown, and Missing resources, unless every counted resource is
/// Missing, in which case the result is Missing. With nothing counted the result is Healthy.
///
/// ```
/// use gitops_health::{aggregate, Health, HealthStatus};
/// let web = serde_json::json!({"apiVersion": "apps/v1", "kind": "Deployment",
///     "metadata": {"name": "web"}});
/// let hook = serde_json::json!({"apiVersion": "batch/v1", "kind": "Job",
///     "metadata": {"name": "migrate", "annotations": {"argocd.argoproj.io/hook": "PreSync"}}});
/// let status = aggregate([
///     (&web, Some(Health::progressing("rolling out"))),
///     (&hook, Some(Health::degraded("failed"))),
/// ]);
/// assert_eq!(status, HealthStatus::Progressing);
/// ```
pub fn aggregate<'a>(resources: impl IntoIterator<Item = (&'a Value, Option<Health>)>) -> HealthStatus {
    let mut result = HealthStatus::Healthy;
    let (mut counted, mut missing) = (0usize, 0usize);
    for (object, health) in resources {
        let Some(health) = health else { continue };
        if is_hook(object) || ignores_healthcheck(object) {
            continue;
        }
        let is_application = at(object, &["kind"]).and_then(Value::as_str) == Some("Application")
            && at(object, &["apiVersion"])
                .and_then(Value::as_str)
                .is_some_and(|v| v.starts_with("argoproj.io/"));
        if is_application && matches!(health.status, HealthStatus::Missing | HealthStatus::Unknown) {
            continue;
        }
        counted += 1;
        if health.status == HealthStatus::Missing {
            missing += 1;
            continue;
        }
        result = result.max(health.status);
    }
    if counted > 0 && missing == counted {
        HealthStatus::Missing
    } else {
        result
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn missing_only_when_everything_is_missing() {
        let a = json!({"apiVersion": "v1", "kind": "Service", "metadata": {"name": "a"}});
        let missing = || Some(Health::new(HealthStatus::Missing, ""));
        assert_eq!(
            aggregate([(&a, missing()), (&a, missing())]),
            HealthStatus::Missing
        );
        assert_eq!(
            aggregate([(&a, missing()), (&a, Some(Health::healthy()))]),
            HealthStatus::Healthy
        );
        assert_eq!(aggregate(std::iter::empty()), HealthStatus::Healthy);
    }

    #[test]
    fn skips_ignored_and_helm_hooks_but_not_crd_install() {
        let ignored = json!({"metadata": {"annotations": {IGNORE_HEALTHCHECK_ANNOTATION: "true"}}});
        let helm = json!({"metadata": {"annotations": {"helm.sh/hook": "pre-install"}}});
        let crd_install = json!({"metadata": {"annotations": {"helm.sh/hook": "crd-install"}}});
        assert!(ignores_healthcheck(&ignored) && is_hook(&helm) && !is_hook(&crd_install));
        let degraded = || Some(Health::degraded(""));
        assert_eq!(
            aggregate([(&ignored, degraded()), (&helm, degraded())]),
            HealthStatus::Healthy
        );
        assert_eq!(aggregate([(&crd_install, degraded())]), HealthStatus::Degraded);
    }

    #[test]
    fn missing_or_unknown_child_applications_are_skipped() {
        let app =
            json!({"apiVersion": "argoproj.io/v1alpha1", "kind": "Application", "metadata": {"name": "c"}});
        assert_eq!(
            aggregate([(&app, Some(Health::unknown("x")))]),
            HealthStatus::Healthy
        );
        assert_eq!(
            aggregate([(&app, Some(Health::degraded("x")))]),
            HealthStatus::Degraded
        );
    }
}
