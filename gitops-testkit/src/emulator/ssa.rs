//! The single entry point of server-side apply and of managedFields bookkeeping: every apply
//! patch goes through [`apply`] and every other write through [`record_update`], both on
//! `gitops_diff::merge` (the project's one implementation of server-side apply), with the
//! built-in schema plus the registered CRDs' schemas.

use gitops_diff::{
    ListType, Schema,
    merge::{self, ApplyOptions, FieldSet},
};
use serde_json::{Value, json};

use super::{
    meta,
    status::{ApiError, ApiResult},
};

/// Fields owned by other managers that the apply would change: `(field path, manager)`.
pub(crate) type Conflicts = Vec<(String, String)>;

/// Server-side apply of `config` by `manager` onto `live` (`None`: the object is created).
/// Returns the merged object with managedFields updated (entry time: now).
pub(crate) fn apply(
    schema: &std::sync::Arc<Schema>,
    live: Option<&Value>,
    config: &Value,
    manager: &str,
    force: bool,
) -> Result<Value, Conflicts> {
    let options = ApplyOptions::new(manager)
        .with_force(force)
        .with_schema(std::sync::Arc::clone(schema))
        .with_time(meta::now());
    merge::apply_with(live, config, &options)
        .map(|applied| applied.object)
        .map_err(|conflicts| {
            conflicts
                .conflicts
                .into_iter()
                .map(|c| (c.path, c.manager))
                .collect()
        })
}

/// Where the managedFields of a non-apply write start from before the write's own `Update`
/// entry is recorded, as kube-apiserver's `FieldManager.Update` (`decodeManagedFields`) decides
/// from the request object.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum BaseFields {
    /// The stored object's managedFields: the request has none (`null` or absent: clients that
    /// do not know the field never strip it), or they do not decode (kube-apiserver's
    /// `TestErrorsDontFail`: the write succeeds and keeps the live entries), or the write goes
    /// to a subresource (`ignoreManagedFieldsFromRequestObject`).
    Live,
    /// `[]` or `[{}]`: the request resets managedFields (`isResetManagedFields`); only the
    /// fields the request itself changes are recorded.
    Reset,
    /// A non-empty list that decodes: stored as given (e.g. kubectl's and Argo CD's
    /// `csaupgrade`, which moves client-side-apply ownership to a server-side apply manager).
    /// The writer still takes the fields the request changes, so a request that only sets
    /// managedFields records no `Update` entry.
    Given(Vec<Value>),
}

/// The longest field manager name ValidateFieldManager accepts (bytes).
const MAX_MANAGER_LENGTH: usize = 128;
/// The longest subresource name ValidateManagedFields accepts (bytes).
const MAX_SUBRESOURCE_LENGTH: usize = 256;

/// Reads the `metadata.managedFields` a non-apply write `request` sets.
///
/// Errors as kube-apiserver: a list or entry of the wrong JSON type (the body does not decode
/// into `ObjectMeta`) is a 400; an entry that decodes with a manager longer than 128 bytes or a
/// subresource longer than 256 bytes is a 422 Invalid naming `metadata.managedFields[i]...`.
/// Entries that are well-typed but do not decode into field sets (operation other than `Apply`
/// or `Update`, empty apiVersion, fieldsType other than `FieldsV1`, unreadable fieldsV1) make
/// the request fall back to the live managedFields ([`BaseFields::Live`]), as the real server.
pub(crate) fn requested_fields(
    request: &Value,
    subresource: bool,
    invalid: impl Fn(&[(&str, String)]) -> ApiError,
) -> ApiResult<BaseFields> {
    let list = match request.pointer("/metadata/managedFields") {
        None | Some(Value::Null) => return Ok(BaseFields::Live),
        Some(Value::Array(list)) => list,
        Some(other) => {
            return Err(ApiError::bad_request(format!(
                "metadata.managedFields: expected an array, got {}",
                json_type(other)
            )));
        }
    };
    for (i, entry) in list.iter().enumerate() {
        check_entry_types(i, entry)?;
    }
    if subresource {
        return Ok(BaseFields::Live);
    }
    match list.as_slice() {
        [] => return Ok(BaseFields::Reset),
        [only] if only.as_object().is_some_and(serde_json::Map::is_empty) => {
            return Ok(BaseFields::Reset);
        }
        _ => {}
    }
    if !list.iter().all(decodes) {
        return Ok(BaseFields::Live);
    }
    let mut causes: Vec<(String, String)> = Vec::new();
    for (i, entry) in list.iter().enumerate() {
        let text = |f: &str| entry.get(f).and_then(Value::as_str).unwrap_or_default();
        if text("manager").len() > MAX_MANAGER_LENGTH {
            causes.push((
                format!("metadata.managedFields[{i}].manager"),
                format!("Too long: may not be more than {MAX_MANAGER_LENGTH} bytes"),
            ));
        }
        if text("subresource").len() > MAX_SUBRESOURCE_LENGTH {
            causes.push((
                format!("metadata.managedFields[{i}].subresource"),
                format!("Too long: may not be more than {MAX_SUBRESOURCE_LENGTH} bytes"),
            ));
        }
    }
    if !causes.is_empty() {
        let causes: Vec<(&str, String)> = causes.iter().map(|(f, m)| (f.as_str(), m.clone())).collect();
        return Err(invalid(&causes));
    }
    Ok(BaseFields::Given(list.clone()))
}

/// 400 unless `entry` has the JSON types of `ManagedFieldsEntry` (strings; `time` an RFC 3339
/// string; `fieldsV1` any JSON).
fn check_entry_types(i: usize, entry: &Value) -> ApiResult<()> {
    let Some(map) = entry.as_object() else {
        return Err(ApiError::bad_request(format!(
            "metadata.managedFields[{i}]: expected an object, got {}",
            json_type(entry)
        )));
    };
    for field in [
        "manager",
        "operation",
        "apiVersion",
        "fieldsType",
        "subresource",
        "time",
    ] {
        match map.get(field) {
            None | Some(Value::Null | Value::String(_)) => {}
            Some(other) => {
                return Err(ApiError::bad_request(format!(
                    "metadata.managedFields[{i}].{field}: expected a string, got {}",
                    json_type(other)
                )));
            }
        }
    }
    if let Some(time) = map.get("time").and_then(Value::as_str)
        && humantime::parse_rfc3339_weak(time).is_err()
    {
        return Err(ApiError::bad_request(format!(
            "metadata.managedFields[{i}].time: parsing time {time:?} as RFC 3339 failed"
        )));
    }
    Ok(())
}

/// Whether an entry decodes into a field set (kube-apiserver's `DecodeManagedFields`).
fn decodes(entry: &Value) -> bool {
    let text = |f: &str| entry.get(f).and_then(Value::as_str).unwrap_or_default();
    matches!(text("operation"), "Apply" | "Update")
        && !text("apiVersion").is_empty()
        && text("fieldsType") == "FieldsV1"
        && entry
            .get("fieldsV1")
            .filter(|v| !v.is_null())
            .is_none_or(|v| FieldSet::from_fields_v1(v).is_ok())
}

fn json_type(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// Records a non-apply write (create, update, patch) by `manager` in `new`'s managedFields
/// (operation `Update`: the manager takes the fields that changed from `old`), starting from the
/// managedFields `base` says (see [`BaseFields`]).
pub(crate) fn record_update(
    schema: &std::sync::Arc<Schema>,
    old: Option<&Value>,
    new: &mut Value,
    manager: &str,
    base: BaseFields,
) {
    let options = ApplyOptions::new(manager)
        .with_schema(std::sync::Arc::clone(schema))
        .with_time(meta::now());
    let stored = old
        .and_then(|o| o.pointer("/metadata/managedFields"))
        .and_then(Value::as_array);
    let entries = match base {
        BaseFields::Given(entries) if stored == Some(&entries) => {
            *new = merge::update_with(old, new, &options).object;
            return;
        }
        BaseFields::Live => {
            *new = merge::update_with(old, new, &options).object;
            return;
        }
        BaseFields::Reset => Vec::new(),
        BaseFields::Given(entries) => entries,
    };
    let mut live = old.cloned().unwrap_or_else(|| json!({}));
    meta::child_object(&mut live, "metadata").insert("managedFields".into(), Value::Array(entries));
    *new = merge::update_with(Some(&live), new, &options).object;
}

/// The strategic-merge-patch merge key of the list at `path` (object field names from the root)
/// in objects of `api_version`/`kind`, from the same schema: the first list-map key (the
/// `x-kubernetes-patch-merge-key` everywhere the two are given, e.g. `containerPort` for container
/// ports), `Some("")` for sets (merged by value), `None` for atomic lists (replaced).
pub(crate) fn smp_merge_key(
    schema: &Schema,
    api_version: &str,
    kind: &str,
    path: &[String],
) -> Option<String> {
    let path: Vec<&str> = path.iter().map(String::as_str).collect();
    match schema.list_semantics(api_version, kind, &path) {
        (ListType::Map, keys) => keys.into_iter().next(),
        (ListType::Set, _) => Some(String::new()),
        _ => None,
    }
}
