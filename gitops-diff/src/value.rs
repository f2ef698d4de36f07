//! Small predicates on JSON values shared by the diff and the merge walks.

use serde_json::Value;

/// Whether `v` is `{}` or `[]`. The API server drops such fields, and structured-merge-diff
/// treats an empty container in the applied object as setting nothing.
pub(crate) fn is_empty_container(v: &Value) -> bool {
    match v {
        Value::Object(m) => m.is_empty(),
        Value::Array(a) => a.is_empty(),
        _ => false,
    }
}
