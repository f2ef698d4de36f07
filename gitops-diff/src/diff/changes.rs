//! Field-level changes between the normalized live and the predicted live, and the RFC 6902 patch
//! built from them.

use json_patch::{
    AddOperation, Patch, PatchOperation, RemoveOperation, ReplaceOperation, jsonptr::PointerBuf,
};
use serde_json::Value;

/// One changed field: its JSON pointer (RFC 6901) and its values before (normalized live) and
/// after (predicted live). `before: None` is an added field, `after: None` a removed one.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
#[non_exhaustive]
pub struct FieldChange {
    /// JSON pointer of the field, e.g. `/spec/replicas` or `/metadata/labels/app.kubernetes.io~1name`.
    pub path: String,
    /// The live value, `None` when the field is added.
    pub before: Option<Value>,
    /// The predicted value, `None` when the field is removed.
    pub after: Option<Value>,
}

impl FieldChange {
    /// Builds a change.
    pub fn new(path: impl Into<String>, before: Option<Value>, after: Option<Value>) -> Self {
        Self {
            path: path.into(),
            before,
            after,
        }
    }
}

/// Changes from `before` to `after` in deterministic order (object keys sorted; arrays of equal
/// length element by element, otherwise replaced whole).
pub(crate) fn changes(before: &Value, after: &Value) -> Vec<FieldChange> {
    let mut out = Vec::new();
    let mut path = PointerBuf::new();
    walk(before, after, &mut path, &mut out);
    out
}

fn walk(before: &Value, after: &Value, path: &mut PointerBuf, out: &mut Vec<FieldChange>) {
    match (before, after) {
        (Value::Object(b), Value::Object(a)) => {
            let mut keys: Vec<&String> = b.keys().chain(a.keys().filter(|k| !b.contains_key(*k))).collect();
            keys.sort();
            for k in keys {
                path.push_back(k.as_str());
                match (b.get(k), a.get(k)) {
                    (Some(x), Some(y)) => walk(x, y, path, out),
                    (x, y) => out.push(FieldChange::new(path.to_string(), x.cloned(), y.cloned())),
                }
                path.pop_back();
            }
        }
        (Value::Array(b), Value::Array(a)) if b.len() == a.len() => {
            for (i, (x, y)) in b.iter().zip(a).enumerate() {
                path.push_back(i);
                walk(x, y, path, out);
                path.pop_back();
            }
        }
        (b, a) if b != a => out.push(FieldChange::new(
            path.to_string(),
            Some(b.clone()),
            Some(a.clone()),
        )),
        _ => {}
    }
}

/// The RFC 6902 patch that turns the before side of `changes` into the after side.
pub(crate) fn patch(changes: &[FieldChange]) -> Patch {
    let ops = changes
        .iter()
        .filter_map(|c| {
            let path = PointerBuf::parse(c.path.clone()).ok()?;
            Some(match (&c.before, &c.after) {
                (None, Some(v)) => PatchOperation::Add(AddOperation {
                    path,
                    value: v.clone(),
                }),
                // Removing the whole document (pruning) leaves `null`.
                (Some(_), None) if c.path.is_empty() => PatchOperation::Replace(ReplaceOperation {
                    path,
                    value: Value::Null,
                }),
                (Some(_), None) => PatchOperation::Remove(RemoveOperation { path }),
                (_, Some(v)) => PatchOperation::Replace(ReplaceOperation {
                    path,
                    value: v.clone(),
                }),
                (None, None) => return None,
            })
        })
        .collect();
    Patch(ops)
}
