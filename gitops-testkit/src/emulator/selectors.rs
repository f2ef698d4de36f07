//! Label and field selectors of list and watch requests.

use serde_json::Value;

use super::status::{ApiError, ApiResult};

/// A parsed `labelSelector` (`app=web,tier!=db,env in (a,b),release,!legacy`): gitops-apply's
/// [`LabelSelector`](gitops_apply::LabelSelector) (the one parser of the project), with parse
/// errors as the API server's 400 Status.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct LabelSelector(gitops_apply::LabelSelector);

impl LabelSelector {
    pub(crate) fn parse(text: &str) -> ApiResult<Self> {
        gitops_apply::LabelSelector::parse(text)
            .map(Self)
            .map_err(|e| ApiError::bad_request(format!("unable to parse requirement: {e}")))
    }

    pub(crate) fn matches(&self, object: &Value) -> bool {
        self.0.matches_object(object)
    }
}

/// A parsed `fieldSelector`: `metadata.name` and `metadata.namespace` with `=`, `==` or `!=`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct FieldSelector(Vec<(String, bool, String)>);

impl FieldSelector {
    pub(crate) fn parse(text: &str) -> ApiResult<Self> {
        let mut terms = Vec::new();
        for term in text.split(',').map(str::trim).filter(|t| !t.is_empty()) {
            let (field, equal, value) = if let Some((f, v)) = term.split_once("!=") {
                (f, false, v)
            } else if let Some((f, v)) = term.split_once("==").or_else(|| term.split_once('=')) {
                (f, true, v)
            } else {
                return Err(ApiError::bad_request(format!(
                    "invalid selector: '{term}'; can't understand '{term}'"
                )));
            };
            let field = field.trim();
            if !matches!(field, "metadata.name" | "metadata.namespace") {
                return Err(ApiError::bad_request(format!(
                    "field label not supported: {field}"
                )));
            }
            terms.push((field.to_string(), equal, value.trim().to_string()));
        }
        Ok(Self(terms))
    }

    pub(crate) fn matches(&self, object: &Value) -> bool {
        self.0.iter().all(|(field, equal, value)| {
            let pointer = if field == "metadata.name" {
                "/metadata/name"
            } else {
                "/metadata/namespace"
            };
            let actual = object.pointer(pointer).and_then(Value::as_str).unwrap_or("");
            (actual == value) == *equal
        })
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn label_selectors_cover_every_operator() {
        let object = json!({"metadata": {"labels": {"app": "web", "env": "prod"}}});
        let matches = |s: &str| LabelSelector::parse(s).unwrap().matches(&object);
        assert!(matches("app=web"));
        assert!(matches("app==web,env in (prod, dev)"));
        assert!(!matches("app!=web"));
        assert!(matches("env notin (dev),app"));
        assert!(!matches("!app"));
        assert!(matches("!tier"));
        assert!(LabelSelector::parse("app in x").is_err());
    }

    #[test]
    fn field_selectors_accept_name_and_namespace_only() {
        let object = json!({"metadata": {"name": "a", "namespace": "ns"}});
        assert!(
            FieldSelector::parse("metadata.name=a,metadata.namespace!=x")
                .unwrap()
                .matches(&object)
        );
        assert!(!FieldSelector::parse("metadata.name==b").unwrap().matches(&object));
        assert_eq!(FieldSelector::parse("spec.x=1").unwrap_err().code, 400);
    }
}
