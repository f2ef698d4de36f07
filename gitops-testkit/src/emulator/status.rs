//! Kubernetes `Status` error responses (`metav1.Status`), as the API server writes them.

use serde_json::{Value, json};

/// An API error: HTTP code, `reason` and message, plus optional `details`.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct ApiError {
    pub(crate) code: u16,
    pub(crate) reason: &'static str,
    pub(crate) message: String,
    pub(crate) details: Option<Value>,
    /// Seconds for a `Retry-After` header (429 and some 500s).
    pub(crate) retry_after: Option<u64>,
}

/// Result of an API operation.
pub(crate) type ApiResult<T> = Result<T, ApiError>;

impl ApiError {
    pub(crate) fn new(code: u16, reason: &'static str, message: impl Into<String>) -> Self {
        Self {
            code,
            reason,
            message: message.into(),
            details: None,
            retry_after: None,
        }
    }

    fn with_details(mut self, details: Value) -> Self {
        self.details = Some(details);
        self
    }

    /// 404: `deployments.apps "web" not found`.
    pub(crate) fn not_found(qualified: &str, name: &str) -> Self {
        let (kind, group) = split_qualified(qualified);
        Self::new(404, "NotFound", format!("{qualified} \"{name}\" not found"))
            .with_details(json!({"name": name, "group": group, "kind": kind}))
    }

    /// 404 for a path the server does not serve.
    pub(crate) fn no_route(path: &str) -> Self {
        Self::new(
            404,
            "NotFound",
            format!("the server could not find the requested resource ({path})"),
        )
        .with_details(json!({}))
    }

    /// 409 AlreadyExists.
    pub(crate) fn already_exists(qualified: &str, name: &str) -> Self {
        let (kind, group) = split_qualified(qualified);
        Self::new(
            409,
            "AlreadyExists",
            format!("{qualified} \"{name}\" already exists"),
        )
        .with_details(json!({"name": name, "group": group, "kind": kind}))
    }

    /// 409 Conflict for a stale `resourceVersion`.
    pub(crate) fn stale(qualified: &str, name: &str) -> Self {
        let (kind, group) = split_qualified(qualified);
        Self::new(
            409,
            "Conflict",
            format!(
                "Operation cannot be fulfilled on {qualified} \"{name}\": the object has been modified; \
                 please apply your changes to the latest version and try again"
            ),
        )
        .with_details(json!({"name": name, "group": group, "kind": kind}))
    }

    /// 409 Conflict from server-side apply: `causes` are `(field, manager)` pairs.
    pub(crate) fn apply_conflict(causes: &[(String, String)]) -> Self {
        let list: Vec<Value> = causes
            .iter()
            .map(|(field, manager)| {
                json!({"reason": "FieldManagerConflict",
                       "message": format!("conflict with \"{manager}\""), "field": field})
            })
            .collect();
        let message = if causes.len() == 1 {
            format!(
                "Apply failed with 1 conflict: conflict with \"{}\": {}",
                causes[0].1, causes[0].0
            )
        } else {
            let lines: Vec<String> = causes
                .iter()
                .map(|(f, m)| format!("conflict with \"{m}\": {f}"))
                .collect();
            format!(
                "Apply failed with {} conflicts: {}",
                causes.len(),
                lines.join("\n")
            )
        };
        Self::new(409, "Conflict", message).with_details(json!({"causes": list}))
    }

    /// 422 Invalid with `(field, message)` causes.
    pub(crate) fn invalid(kind: &str, group: &str, name: &str, causes: &[(&str, String)]) -> Self {
        let kind_name = if group.is_empty() {
            kind.to_string()
        } else {
            format!("{kind}.{group}")
        };
        let list: Vec<Value> = causes
            .iter()
            .map(
                |(field, message)| json!({"reason": "FieldValueInvalid", "message": message, "field": field}),
            )
            .collect();
        let text: Vec<String> = causes.iter().map(|(f, m)| format!("{f}: {m}")).collect();
        let message = match text.as_slice() {
            [one] => format!("{kind_name} \"{name}\" is invalid: {one}"),
            many => format!("{kind_name} \"{name}\" is invalid: [{}]", many.join(", ")),
        };
        Self::new(422, "Invalid", message)
            .with_details(json!({"name": name, "group": group, "kind": kind, "causes": list}))
    }

    /// 400 BadRequest.
    pub(crate) fn bad_request(message: impl Into<String>) -> Self {
        Self::new(400, "BadRequest", message)
    }

    /// 405 for a verb the resource does not support.
    pub(crate) fn method_not_allowed(message: impl Into<String>) -> Self {
        Self::new(405, "MethodNotAllowed", message)
    }

    /// 415 for an unsupported patch content type.
    pub(crate) fn unsupported_media_type(content_type: &str) -> Self {
        Self::new(
            415,
            "UnsupportedMediaType",
            format!(
                "the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml, application/strategic-merge-patch+json (got {content_type:?})"
            ),
        )
    }

    /// 410 Gone for a compacted `resourceVersion`.
    pub(crate) fn gone(rv: u64) -> Self {
        Self::new(410, "Expired", format!("too old resource version: {rv}"))
    }

    /// 401 Unauthorized.
    pub(crate) fn unauthorized() -> Self {
        Self::new(401, "Unauthorized", "Unauthorized")
    }

    /// The `Status` object.
    pub(crate) fn to_status(&self) -> Value {
        let mut status = json!({
            "kind": "Status",
            "apiVersion": "v1",
            "metadata": {},
            "status": "Failure",
            "message": self.message,
            "reason": self.reason,
            "code": self.code,
        });
        if let Some(details) = &self.details {
            status["details"] = details.clone();
        }
        if let Some(seconds) = self.retry_after {
            let details = super::meta::child_object(&mut status, "details");
            details.insert("retryAfterSeconds".into(), json!(seconds));
        }
        status
    }
}

/// The `Status` of a successful deletion.
pub(crate) fn success_status(qualified: &str, name: &str, uid: &str) -> Value {
    let (kind, group) = split_qualified(qualified);
    json!({"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Success",
           "details": {"name": name, "group": group, "kind": kind, "uid": uid}})
}

/// `deployments.apps` → (`deployments`, `apps`).
fn split_qualified(qualified: &str) -> (&str, &str) {
    qualified.split_once('.').unwrap_or((qualified, ""))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn not_found_is_a_kubernetes_status() {
        let status = ApiError::not_found("deployments.apps", "web").to_status();
        assert_eq!(status["code"], 404);
        assert_eq!(status["reason"], "NotFound");
        assert_eq!(status["message"], "deployments.apps \"web\" not found");
        assert_eq!(status["details"]["group"], "apps");
    }

    #[test]
    fn invalid_names_the_kind_and_fields() {
        let err = ApiError::invalid(
            "Service",
            "",
            "web",
            &[("spec.clusterIP", "field is immutable".into())],
        );
        assert_eq!(
            err.message,
            "Service \"web\" is invalid: spec.clusterIP: field is immutable"
        );
        assert_eq!(err.to_status()["details"]["causes"][0]["field"], "spec.clusterIP");
    }
}
