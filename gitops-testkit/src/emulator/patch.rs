//! The non-apply patch types: JSON merge patch (RFC 7386), JSON patch (RFC 6902) and strategic
//! merge patch (built-in types only, with their `x-kubernetes-patch-merge-key`s).

use serde_json::Value;

use super::status::{ApiError, ApiResult};

/// A patch content type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum PatchType {
    /// `application/apply-patch+yaml`: server-side apply.
    Apply,
    /// `application/merge-patch+json`.
    Merge,
    /// `application/json-patch+json`.
    Json,
    /// `application/strategic-merge-patch+json`.
    Strategic,
}

impl PatchType {
    /// From the request `Content-Type`; `None` for an unsupported type (415).
    pub(crate) fn from_content_type(content_type: &str) -> Option<Self> {
        let essence = content_type.split(';').next().unwrap_or("").trim();
        match essence {
            "application/apply-patch+yaml" | "application/apply-patch+json" => Some(Self::Apply),
            "application/merge-patch+json" => Some(Self::Merge),
            "application/json-patch+json" => Some(Self::Json),
            "application/strategic-merge-patch+json" => Some(Self::Strategic),
            _ => None,
        }
    }
}

/// The strategic merge key of the list at a path of field names: a key field, `""` for a merged
/// list of scalars, `None` for a list that is replaced.
pub(crate) type MergeKey<'a> = dyn Fn(&[String]) -> Option<String> + 'a;

/// Applies a merge, JSON or strategic merge patch to `object`.
pub(crate) fn apply_patch(
    patch_type: PatchType,
    object: &Value,
    body: &[u8],
    merge_key: &MergeKey<'_>,
    custom: bool,
) -> ApiResult<Value> {
    let patch: Value = serde_json::from_slice(body)
        .map_err(|e| ApiError::bad_request(format!("error decoding patch: {e}")))?;
    let mut result = object.clone();
    match patch_type {
        PatchType::Merge => json_patch::merge(&mut result, &patch),
        PatchType::Json => {
            let ops: json_patch::Patch = serde_json::from_value(patch)
                .map_err(|e| ApiError::bad_request(format!("error decoding json patch: {e}")))?;
            json_patch::patch(&mut result, &ops).map_err(|e| {
                ApiError::new(
                    422,
                    "Invalid",
                    format!("the server rejected our request due to an error in our request: {e}"),
                )
            })?;
        }
        PatchType::Strategic => {
            if custom {
                return Err(ApiError::unsupported_media_type(
                    "application/strategic-merge-patch+json is not supported for custom resources",
                ));
            }
            if !patch.is_object() {
                return Err(ApiError::bad_request(
                    "strategic merge patch must be a JSON object",
                ));
            }
            strategic_merge(&mut result, &patch, merge_key, &mut Vec::new());
        }
        PatchType::Apply => {
            return Err(ApiError::bad_request(
                "apply patches go through server-side apply",
            ));
        }
    }
    Ok(result)
}

/// Strategic merge of `patch` into `target` (maps merge, `null` deletes, keyed lists merge by
/// key, `$patch: replace|delete`, `$retainKeys`, `$deleteFromPrimitiveList/`; `$setElementOrder/`
/// is accepted and ignored).
fn strategic_merge(target: &mut Value, patch: &Value, key_of: &MergeKey<'_>, path: &mut Vec<String>) {
    let Some(patch_map) = patch.as_object() else {
        *target = patch.clone();
        return;
    };
    if patch_map.get("$patch").and_then(Value::as_str) == Some("replace") {
        let mut replacement = patch_map.clone();
        replacement.remove("$patch");
        *target = Value::Object(replacement);
        return;
    }

    let retain: Option<Vec<String>> = patch_map
        .get("$retainKeys")
        .and_then(Value::as_array)
        .map(|keys| keys.iter().filter_map(Value::as_str).map(String::from).collect());
    let target_map = super::meta::object_mut(target);
    for (key, value) in patch_map {
        if let Some(field) = key.strip_prefix("$deleteFromPrimitiveList/") {
            if let (Some(list), Some(remove)) = (
                target_map.get_mut(field).and_then(Value::as_array_mut),
                value.as_array(),
            ) {
                list.retain(|v| !remove.contains(v));
            }
            continue;
        }
        if key.starts_with('$') {
            continue;
        }
        if value.is_null() {
            target_map.remove(key);
            continue;
        }
        path.push(key.clone());
        match value {
            Value::Object(inner) if inner.get("$patch").and_then(Value::as_str) == Some("delete") => {
                target_map.remove(key);
            }
            Value::Object(_) => {
                strategic_merge(
                    target_map.entry(key.clone()).or_insert(Value::Null),
                    value,
                    key_of,
                    path,
                );
            }
            Value::Array(items) => match key_of(path) {
                Some(merge_key) => {
                    let existing = target_map
                        .entry(key.clone())
                        .or_insert_with(|| Value::Array(Vec::new()));
                    merge_list(existing, items, &merge_key, key_of, path);
                }
                None => {
                    target_map.insert(key.clone(), value.clone());
                }
            },
            _ => {
                target_map.insert(key.clone(), value.clone());
            }
        }
        path.pop();
    }
    if let Some(retain) = retain {
        target_map.retain(|k, _| retain.contains(k));
    }
}

fn merge_list(
    target: &mut Value,
    items: &[Value],
    merge_key: &str,
    key_of: &MergeKey<'_>,
    path: &mut Vec<String>,
) {
    if items
        .iter()
        .any(|i| i.get("$patch").and_then(Value::as_str) == Some("replace"))
    {
        *target = Value::Array(
            items
                .iter()
                .filter(|i| i.get("$patch").is_none())
                .cloned()
                .collect(),
        );
        return;
    }
    let list = match target {
        Value::Array(list) => list,
        other => {
            *other = Value::Array(Vec::new());
            let Value::Array(list) = other else { return };
            list
        }
    };
    for item in items {
        if merge_key.is_empty() || !item.is_object() {
            if !list.contains(item) {
                list.push(item.clone());
            }
            continue;
        }
        let key = item.get(merge_key);
        let position = list.iter().position(|e| e.get(merge_key) == key);
        let delete = item.get("$patch").and_then(Value::as_str) == Some("delete");
        match (position, delete) {
            (Some(i), true) => {
                list.remove(i);
            }
            (None, true) => {}
            (Some(i), false) => strategic_merge(&mut list[i], item, key_of, path),
            (None, false) => {
                let mut fresh = Value::Null;
                strategic_merge(&mut fresh, item, key_of, path);
                list.push(fresh);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn smp(kind: &str, object: &Value, patch: &Value) -> Value {
        let schema = gitops_diff::Schema::new();
        let api_version = if kind == "Service" { "v1" } else { "apps/v1" };
        let key_of = |path: &[String]| crate::emulator::ssa::smp_merge_key(&schema, api_version, kind, path);
        apply_patch(
            PatchType::Strategic,
            object,
            patch.to_string().as_bytes(),
            &key_of,
            false,
        )
        .unwrap()
    }

    #[test]
    fn strategic_merge_merges_containers_by_name() {
        let live = json!({"spec": {"template": {"spec": {"containers": [
            {"name": "a", "image": "a:1", "ports": [{"containerPort": 80}]},
            {"name": "b", "image": "b:1"}]}}}});
        let patch = json!({"spec": {"template": {"spec": {"containers": [
            {"name": "b", "image": "b:2"}, {"name": "c", "image": "c:1"},
            {"name": "a", "ports": [{"containerPort": 81}]}]}}}});
        let out = smp("Deployment", &live, &patch);
        let containers = &out["spec"]["template"]["spec"]["containers"];
        assert_eq!(containers[0]["ports"].as_array().unwrap().len(), 2);
        assert_eq!(containers[1]["image"], "b:2");
        assert_eq!(containers[2]["name"], "c");
    }

    #[test]
    fn strategic_merge_directives() {
        let live = json!({"metadata": {"finalizers": ["a", "b"], "labels": {"x": "1", "y": "2"}},
                          "spec": {"ports": [{"port": 80, "name": "http"}, {"port": 443}], "selector": {"a": "b"}}});
        let patch = json!({"metadata": {"$deleteFromPrimitiveList/finalizers": ["a"], "labels": {"x": null}},
                           "spec": {"ports": [{"port": 443, "$patch": "delete"}], "selector": {"$patch": "replace", "c": "d"}}});
        let out = smp("Service", &live, &patch);
        assert_eq!(out["metadata"]["finalizers"], json!(["b"]));
        assert_eq!(out["metadata"]["labels"], json!({"y": "2"}));
        assert_eq!(out["spec"]["ports"], json!([{"port": 80, "name": "http"}]));
        assert_eq!(out["spec"]["selector"], json!({"c": "d"}));
    }

    #[test]
    fn lists_without_a_strategy_are_replaced_and_custom_resources_refuse_smp() {
        let live = json!({"spec": {"args": ["a", "b"]}});
        let out = smp("Deployment", &live, &json!({"spec": {"args": ["c"]}}));
        assert_eq!(out["spec"]["args"], json!(["c"]));
        let err = apply_patch(PatchType::Strategic, &live, b"{}", &|_: &[String]| None, true).unwrap_err();
        assert_eq!(err.code, 415);
    }

    #[test]
    fn content_types_map_to_patch_types() {
        assert_eq!(
            PatchType::from_content_type("application/merge-patch+json; charset=utf-8"),
            Some(PatchType::Merge)
        );
        assert_eq!(PatchType::from_content_type("application/json"), None);
    }
}
