//! Secret masking before any output, as Argo CD's `HideSecretData`: every value is replaced by a run
//! of `+` whose length identifies equal values (8, 12, 16, ... per key), so a diff still shows
//! *that* a value changed and never *what* it is.

use std::collections::BTreeMap;

use serde_json::Value;

/// What to mask besides Secret `data`/`stringData` values.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct MaskRules {
    /// Annotation keys whose values are masked on every object.
    pub annotations: Vec<String>,
    /// JSON pointers (RFC 6901) whose values are masked on every object.
    pub pointers: Vec<String>,
}

impl MaskRules {
    /// No extra rules.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds an annotation key.
    #[must_use]
    pub fn with_annotation(mut self, key: impl Into<String>) -> Self {
        self.annotations.push(key.into());
        self
    }

    /// Adds a JSON pointer.
    #[must_use]
    pub fn with_pointer(mut self, pointer: impl Into<String>) -> Self {
        self.pointers.push(pointer.into());
        self
    }
}

/// Masks the same object's versions together (e.g. desired, live and last-applied), so that equal
/// values get equal masks across them: Secret `data` and `stringData` values (for objects of kind
/// `Secret` in the core group), then the annotations and pointers of `rules` on any object.
/// `None` entries are skipped. Masks are `+` runs of 8, 12, 16, ... characters: one length per
/// distinct value of one field, in first-seen order (desired, live, ...).
///
/// ```
/// use gitops_diff::mask::{mask, MaskRules};
/// use serde_json::json;
/// let mut desired = json!({"apiVersion": "v1", "kind": "Secret", "data": {"pw": "czNjcjN0"}});
/// let mut live = json!({"apiVersion": "v1", "kind": "Secret", "data": {"pw": "b2xk"}});
/// mask(&mut [Some(&mut desired), Some(&mut live)], &MaskRules::new());
/// assert_eq!(desired["data"]["pw"], "++++++++");
/// assert_eq!(live["data"]["pw"], "++++++++++++");
/// ```
pub fn mask(objects: &mut [Option<&mut Value>], rules: &MaskRules) {
    let is_secret = |v: &Value| {
        v.get("kind").and_then(Value::as_str) == Some("Secret")
            && v.get("apiVersion").and_then(Value::as_str) == Some("v1")
    };
    let mut pointers: Vec<String> = Vec::new();
    if objects.iter().any(|o| o.as_deref().is_some_and(is_secret)) {
        let mut keys = std::collections::BTreeSet::new();
        for o in objects.iter().flatten() {
            for field in ["data", "stringData"] {
                if let Some(m) = o.get(field).and_then(Value::as_object) {
                    keys.extend(m.keys().map(|k| format!("/{field}/{}", escape(k))));
                }
            }
        }
        pointers.extend(keys);
    }
    for a in &rules.annotations {
        pointers.push(format!("/metadata/annotations/{}", escape(a)));
    }
    pointers.extend(rules.pointers.iter().cloned());
    for pointer in &pointers {
        let mut seen: BTreeMap<String, String> = BTreeMap::new();
        for o in objects.iter_mut().flatten() {
            if let Some(v) = o.pointer_mut(pointer) {
                if v.is_null() {
                    continue;
                }
                let raw = match &*v {
                    Value::String(s) => s.clone(),
                    other => other.to_string(),
                };
                let next = "+".repeat(8 + 4 * seen.len());
                let replacement = seen.entry(raw).or_insert(next).clone();
                *v = Value::String(replacement);
            }
        }
    }
}

fn escape(key: &str) -> String {
    key.replace('~', "~0").replace('/', "~1")
}
