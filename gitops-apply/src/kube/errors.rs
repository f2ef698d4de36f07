//! Mapping of the API server's `Status` errors to the crate [`Error`].

use ::kube::core::Status;
use gitops_core::ResourceKey;

use super::retry::is_apply_conflict;
use crate::Error;

/// Maps the failure of a write (`apply`, `delete`) of `key`:
///
/// - 409 server-side apply conflict → [`Error::Conflict`], one `field (manager)` entry per
///   `FieldManagerConflict` cause, as kubectl prints them;
/// - 404 naming a namespace (`details.kind` = `namespaces`) → [`Error::NamespaceNotFound`];
/// - 422 Invalid and 400 BadRequest → [`Error::Invalid`] with the server's message (for Secrets
///   only the field paths, since messages can quote values);
/// - anything else → [`Error::Kube`] (for Secrets with the server's messages withheld).
pub(super) fn write_error(error: ::kube::Error, operation: &'static str, key: &ResourceKey) -> Error {
    let ::kube::Error::Api(status) = &error else {
        return kube_error(error, operation, key.to_string());
    };
    if is_apply_conflict(status) {
        return Error::Conflict {
            key: key.clone(),
            conflicts: conflicts(status),
        };
    }
    match status.code {
        404 if status.details.as_ref().is_some_and(|d| d.kind == "namespaces") => {
            let namespace = status
                .details
                .as_ref()
                .map(|d| d.name.clone())
                .filter(|n| !n.is_empty())
                .or_else(|| key.namespace.clone())
                .unwrap_or_default();
            Error::NamespaceNotFound {
                key: key.clone(),
                namespace,
            }
        }
        409 if status.reason == "AlreadyExists" => Error::AlreadyExists { key: key.clone() },
        422 if !immutable_fields(status).is_empty() => Error::Immutable {
            key: key.clone(),
            fields: immutable_fields(status),
            message: invalid_message(status, key),
        },
        400 | 422 => Error::Invalid {
            key: key.clone(),
            message: invalid_message(status, key),
        },
        _ => kube_error(scrub_secret(error, key), operation, key.to_string()),
    }
}

/// For a Secret, the API server's `Status` without its messages (an admission webhook's denial
/// or a 500 can quote the data); code, reason and cause fields stay.
fn scrub_secret(error: ::kube::Error, key: &ResourceKey) -> ::kube::Error {
    if !(key.group.is_empty() && key.kind == "Secret") {
        return error;
    }
    match error {
        ::kube::Error::Api(mut status) => {
            status.message = format!(
                "message withheld for a Secret ({} {})",
                status.code, status.reason
            );
            for cause in status.details.iter_mut().flat_map(|d| d.causes.iter_mut()) {
                cause.message.clear();
            }
            ::kube::Error::Api(status)
        }
        other => other,
    }
}

/// Wraps any other failure as [`Error::Kube`].
pub(super) fn kube_error(error: ::kube::Error, operation: &'static str, key: String) -> Error {
    Error::Kube {
        operation,
        key,
        source: Box::new(error),
    }
}

/// Whether a 404 is about the object `name` itself (it does not exist), as opposed to the
/// resource path (the kind is not served, e.g. its CRD was deleted): the API server names the
/// object in `details.name`; an unserved path answers a bare `404 page not found`.
pub(super) fn is_object_not_found(error: &::kube::Error, name: &str) -> bool {
    matches!(error, ::kube::Error::Api(status)
        if status.code == 404
            && status.details.as_ref().is_some_and(|d| d.name == name))
}

/// Whether the error is a 404 for the resource path (the kind is not served any more).
pub(super) fn is_route_not_found(error: &::kube::Error) -> bool {
    matches!(error, ::kube::Error::Api(status)
        if status.code == 404 && status.details.as_ref().is_none_or(|d| d.name.is_empty()))
}

/// Whether `error` is a server-side apply conflict whose every conflicting field is owned by one
/// of `managers` (and there is at least one).
pub(super) fn conflicts_only_with(error: &::kube::Error, managers: &[String]) -> bool {
    let ::kube::Error::Api(status) = error else {
        return false;
    };
    let causes: Vec<_> = status
        .details
        .iter()
        .flat_map(|d| &d.causes)
        .filter(|c| c.reason == "FieldManagerConflict")
        .collect();
    is_apply_conflict(status)
        && !causes.is_empty()
        && causes
            .iter()
            .all(|c| manager_of(&c.message).is_some_and(|m| managers.iter().any(|x| x == m)))
}

fn conflicts(status: &Status) -> Vec<String> {
    let from_causes: Vec<String> = status
        .details
        .iter()
        .flat_map(|d| &d.causes)
        .filter(|c| c.reason == "FieldManagerConflict")
        .map(|c| match manager_of(&c.message) {
            Some(manager) => format!("{} ({manager})", c.field),
            None => c.field.clone(),
        })
        .collect();
    if from_causes.is_empty() {
        vec![status.message.clone()]
    } else {
        from_causes
    }
}

/// `conflict with "kubectl-client-side-apply" using apps/v1` → `kubectl-client-side-apply`.
fn manager_of(message: &str) -> Option<&str> {
    let rest = message.split_once("conflict with \"")?.1;
    Some(&rest[..rest.find('"')?])
}

/// Fields a 422 refuses because they are immutable (causes saying "field is immutable", as
/// kube-apiserver's `ValidateImmutableField` words them).
fn immutable_fields(status: &Status) -> Vec<String> {
    status
        .details
        .iter()
        .flat_map(|d| &d.causes)
        .filter(|c| c.message.contains("field is immutable"))
        .map(|c| c.field.clone())
        .collect()
}

fn invalid_message(status: &Status, key: &ResourceKey) -> String {
    if key.group.is_empty() && key.kind == "Secret" {
        let fields: Vec<&str> = status
            .details
            .iter()
            .flat_map(|d| &d.causes)
            .map(|c| c.field.as_str())
            .filter(|f| !f.is_empty())
            .collect();
        return format!(
            "rejected by the API server ({} {}); fields: {}",
            status.code,
            status.reason,
            if fields.is_empty() {
                "unknown".into()
            } else {
                fields.join(", ")
            }
        );
    }
    status.message.clone()
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn api(status: serde_json::Value) -> ::kube::Error {
        ::kube::Error::Api(serde_json::from_value::<Status>(status).unwrap().boxed())
    }

    fn key() -> ResourceKey {
        ResourceKey::new("apps", "Deployment", Some("prod"), "web")
    }

    #[test]
    fn apply_conflicts_list_fields_and_managers() {
        let error = api(json!({
            "status": "Failure", "code": 409, "reason": "Conflict",
            "message": "Apply failed with 2 conflicts: ...",
            "details": {"causes": [
                {"reason": "FieldManagerConflict", "message": "conflict with \"kubectl-edit\" using apps/v1", "field": ".spec.replicas"},
                {"reason": "FieldManagerConflict", "message": "conflict with \"helm\"", "field": ".spec.template.spec.containers[name=\"web\"].image"}
            ]}
        }));
        let Error::Conflict { key: k, conflicts } = write_error(error, "apply", &key()) else {
            panic!("not a conflict")
        };
        assert_eq!(k, key());
        assert_eq!(
            conflicts,
            [
                ".spec.replicas (kubectl-edit)",
                ".spec.template.spec.containers[name=\"web\"].image (helm)"
            ]
        );
    }

    #[test]
    fn missing_namespace_is_named() {
        let error = api(json!({"status": "Failure", "code": 404, "reason": "NotFound",
            "message": "namespaces \"prod\" not found", "details": {"name": "prod", "kind": "namespaces"}}));
        assert!(matches!(
            write_error(error, "apply", &key()),
            Error::NamespaceNotFound { namespace, .. } if namespace == "prod"
        ));
    }

    #[test]
    fn unprocessable_objects_are_invalid_and_secret_values_stay_hidden() {
        let error = api(json!({"status": "Failure", "code": 422, "reason": "Invalid",
            "message": "Deployment.apps \"web\" is invalid: spec.selector: Required value",
            "details": {"causes": [{"reason": "FieldValueRequired", "field": "spec.selector"}]}}));
        let Error::Invalid { message, .. } = write_error(error, "apply", &key()) else {
            panic!()
        };
        assert_eq!(
            message,
            "Deployment.apps \"web\" is invalid: spec.selector: Required value"
        );

        let secret = ResourceKey::new("", "Secret", Some("prod"), "db");
        let error = api(json!({"status": "Failure", "code": 422, "reason": "Invalid",
            "message": "Secret \"db\" is invalid: data[password]: Invalid value: \"hunter2\"",
            "details": {"causes": [{"reason": "FieldValueInvalid", "field": "data[password]",
                "message": "Invalid value: \"hunter2\""}]}}));
        let mapped = write_error(error, "apply", &secret);
        let text = mapped.to_string();
        assert!(!text.contains("hunter2"), "{text}");
        assert!(text.contains("data[password]"), "{text}");
    }

    #[test]
    fn other_failures_of_secrets_withhold_the_server_message() {
        let secret = ResourceKey::new("", "Secret", Some("prod"), "db");
        let error = api(json!({"status": "Failure", "code": 403, "reason": "Forbidden",
            "message": "admission webhook denied: password \"hunter2\" is too weak",
            "details": {"causes": [{"reason": "FieldValueForbidden", "field": "data[password]",
                "message": "\"hunter2\" is too weak"}]}}));
        let mapped = write_error(error, "apply", &secret);
        let mut chain = vec![mapped.to_string(), format!("{mapped:?}")];
        let mut source = std::error::Error::source(&mapped);
        while let Some(e) = source {
            chain.extend([e.to_string(), format!("{e:?}")]);
            source = e.source();
        }
        let chain = chain.join(" / ");
        assert!(!chain.contains("hunter2"), "{chain}");
        assert!(chain.contains("403"), "{chain}");
    }

    #[test]
    fn other_failures_keep_the_kube_error_as_source() {
        let error = api(json!({"status": "Failure", "code": 403, "reason": "Forbidden", "message": "no"}));
        let mapped = write_error(error, "apply", &key());
        assert_eq!(
            mapped.to_string(),
            "apply apps/Deployment/prod/web: kubernetes API request failed"
        );
        assert!(std::error::Error::source(&mapped).is_some());
    }

    #[test]
    fn object_and_route_404s_differ() {
        let object = api(json!({"status": "Failure", "code": 404, "reason": "NotFound",
            "message": "x", "details": {"name": "web", "kind": "deployments"}}));
        assert!(is_object_not_found(&object, "web"));
        assert!(!is_route_not_found(&object));
        let route = api(json!({"status": "Failure", "code": 404, "reason": "NotFound",
            "message": "the server could not find the requested resource", "details": {}}));
        assert!(!is_object_not_found(&route, "web"));
        assert!(is_route_not_found(&route));
    }
}
