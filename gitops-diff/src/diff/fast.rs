//! [`is_modified`]: the `modified` flag of [`diff()`](crate::diff()) without building the
//! normalized and predicted objects, for reconcile loops that only need to know whether to sync.

use serde_json::Value;

use super::predict::{element_key, equivalent, has_duplicate_keys, keys_equal};
use crate::{
    DiffMode, DiffOptions, Error, ListType,
    normalize::{LAST_APPLIED_ANNOTATION, SERVER_METADATA_FIELDS, group_kind, has_builtin},
    schema::Node,
    value::is_empty_container,
};

/// Whether a sync would change `live`: the same answer as `diff(desired, live, options)?.modified`,
/// computed by walking `desired` and `live` in place, without building the normalized and
/// predicted objects, in the common case (two-way and three-way modes, no ignore rules or
/// normalizers, kinds without built-in normalization). It still allocates the parsed
/// last-applied annotation (three-way) and the key values of each list-map's elements
/// (containers, ports, env...). Other cases run [`diff()`](crate::diff()).
///
/// ```
/// use gitops_diff::{is_modified, DiffOptions};
/// use serde_json::json;
/// let desired = json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c"}, "data": {"a": "1"}});
/// let live = json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c", "uid": "u"}, "data": {"a": "1", "b": "2"}});
/// assert!(!is_modified(&desired, &live, &DiffOptions::default())?);
/// # Ok::<(), gitops_diff::Error>(())
/// ```
///
/// # Errors
/// As [`diff()`](crate::diff()).
pub fn is_modified(desired: &Value, live: &Value, options: &DiffOptions) -> Result<bool, Error> {
    if !fast_path_applies(desired, live, options) {
        return Ok(crate::diff(desired, live, options)?.modified);
    }
    let api_version = desired.get("apiVersion").and_then(Value::as_str).unwrap_or("");
    let kind = desired.get("kind").and_then(Value::as_str).unwrap_or("");
    let node = options.schema.root(api_version, kind);
    let three_way = matches!(options.mode, DiffMode::Auto | DiffMode::ThreeWay);
    let last = if three_way {
        super::last_applied_normalized(live)
    } else {
        None
    };
    Ok(!same(live, desired, last.as_ref(), node, Pos::Root))
}

fn fast_path_applies(desired: &Value, live: &Value, options: &DiffOptions) -> bool {
    let special = |v: &Value| {
        let (group, kind) = group_kind(v);
        has_builtin(group, kind)
    };
    desired.is_object()
        && live.is_object()
        && options.ignore.is_empty()
        && options.normalizers.is_empty()
        && matches!(
            options.mode,
            DiffMode::Auto | DiffMode::TwoWay | DiffMode::ThreeWay
        )
        && !special(desired)
        && !special(live)
        && !has_null(desired)
}

fn has_null(v: &Value) -> bool {
    match v {
        Value::Null => true,
        Value::Object(m) => m.values().any(has_null),
        Value::Array(a) => a.iter().any(has_null),
        _ => false,
    }
}

/// Where the walk is, for the fields normalization strips.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Pos {
    Root,
    Metadata,
    Annotations,
    Inner,
}

impl Pos {
    fn stripped(self, key: &str) -> bool {
        match self {
            Pos::Root => key == "status",
            Pos::Metadata => SERVER_METADATA_FIELDS.contains(&key),
            Pos::Annotations => key == LAST_APPLIED_ANNOTATION,
            Pos::Inner => false,
        }
    }

    fn child(self, key: &str) -> Pos {
        match (self, key) {
            (Pos::Root, "metadata") => Pos::Metadata,
            (Pos::Metadata, "annotations") => Pos::Annotations,
            _ => Pos::Inner,
        }
    }
}

/// Whether predicting `desired` over `live` (see `predict`) gives `live` back.
fn same(live: &Value, desired: &Value, last: Option<&Value>, node: Node<'_>, pos: Pos) -> bool {
    match (live, desired) {
        (Value::Object(l), Value::Object(d)) => {
            let last = last.and_then(Value::as_object);
            for (k, dv) in d {
                if pos.stripped(k) {
                    continue;
                }
                match l.get(k) {
                    Some(lv) if lv.is_null() && is_empty_container(dv) => {}
                    Some(lv) if lv.is_null() => return false,
                    Some(lv) => {
                        if !same(lv, dv, last.and_then(|a| a.get(k)), node.field(k), pos.child(k)) {
                            return false;
                        }
                    }
                    None if is_empty_container(dv) => {}
                    None => return false,
                }
            }
            if let Some(last) = last {
                for (k, a) in last {
                    if !a.is_null() && !d.contains_key(k) && l.contains_key(k) && !pos.stripped(k) {
                        return false;
                    }
                }
            }
            true
        }
        (Value::Array(l), Value::Array(d)) => {
            same_list(l, d, last.and_then(Value::as_array).map(Vec::as_slice), node)
        }
        (l, d) => equivalent(l, d, node),
    }
}

fn same_list(live: &[Value], desired: &[Value], last: Option<&[Value]>, node: Node<'_>) -> bool {
    let element = node.element();
    match node.list_type() {
        Some(ListType::Map) => {
            let keys: Vec<&str> = node.list_keys().collect();
            if let Some(answer) = same_keyed(live, desired, last, &keys, element) {
                return answer;
            }
        }
        Some(ListType::Set) => {
            if !desired
                .iter()
                .all(|d| live.iter().any(|l| equivalent(l, d, element)))
            {
                return false;
            }
            if let Some(last) = last {
                return live
                    .iter()
                    .all(|v| !last.contains(v) || desired.iter().any(|d| equivalent(v, d, element)));
            }
            return true;
        }
        _ => {}
    }
    if live.len() != desired.len() {
        return false;
    }
    let same_last = last.filter(|a| a.len() == desired.len());
    live.iter()
        .zip(desired)
        .enumerate()
        .all(|(i, (l, d))| same(l, d, same_last.map(|a| &a[i]), element, Pos::Inner))
}

/// `None` when the elements cannot be identified (the list is then compared as atomic).
fn same_keyed(
    live: &[Value],
    desired: &[Value],
    last: Option<&[Value]>,
    keys: &[&str],
    element: Node<'_>,
) -> Option<bool> {
    let key_of = |v: &Value| element_key(v, keys, element);
    let live_keys: Vec<Vec<Value>> = live.iter().map(key_of).collect::<Option<_>>()?;
    let desired_keys: Vec<Vec<Value>> = desired.iter().map(key_of).collect::<Option<_>>()?;
    if has_duplicate_keys(&live_keys) || has_duplicate_keys(&desired_keys) {
        return None;
    }
    let last_keyed: Vec<(Vec<Value>, &Value)> = match last {
        Some(a) => a.iter().filter_map(|v| Some((key_of(v)?, v))).collect(),
        None => Vec::new(),
    };
    for (d, dk) in desired.iter().zip(&desired_keys) {
        let a = last_keyed
            .iter()
            .find(|(k, _)| keys_equal(k, dk))
            .map(|(_, v)| *v);
        match live_keys.iter().position(|k| keys_equal(k, dk)) {
            Some(i) if same(&live[i], d, a, element, Pos::Inner) => {}
            _ => return Some(false),
        }
    }
    for lk in &live_keys {
        let was_applied = last_keyed.iter().any(|(a, _)| keys_equal(a, lk));
        if was_applied && !desired_keys.iter().any(|d| keys_equal(d, lk)) {
            return Some(false);
        }
    }
    Some(true)
}
