//! The single entry point of server-side apply and of managedFields bookkeeping.
//!
//! TEMPORARY: a thin stand-in until `gitops_diff::merge` lands; maps merge key by key, lists are
//! atomic, ownership is tracked per leaf. Every SSA patch of the emulator goes through [`apply`]
//! and every other write through [`record_update`], so switching is local to this file.

use std::collections::BTreeSet;

use serde_json::{Map, Value, json};

/// The result of an apply.
#[derive(Debug)]
pub(crate) struct Applied {
    /// The merged object, managedFields updated.
    pub(crate) object: Value,
}

/// Fields owned by other managers that the apply would change: `(field path, manager)`.
pub(crate) type Conflicts = Vec<(String, String)>;

type Leaf = Vec<String>;

/// Server-side apply of `config` by `manager` onto `live` (`None`: the object is created).
pub(crate) fn apply(
    live: Option<&Value>,
    config: &Value,
    manager: &str,
    force: bool,
) -> Result<Applied, Conflicts> {
    let mut object = live.cloned().unwrap_or_else(|| json!({}));
    let mut entries = managed_fields(&object);
    let mine = fields_of(config);
    let previous = entries
        .iter()
        .find(|e| e.manager == manager && e.operation == "Apply")
        .map(|e| e.fields.clone())
        .unwrap_or_default();
    let mut conflicts = Vec::new();
    for leaf in &mine {
        if leaf_value(&object, leaf) == leaf_value(config, leaf) {
            continue;
        }
        for entry in entries.iter().filter(|e| e.manager != manager) {
            if entry.fields.contains(leaf) {
                conflicts.push((path_string(leaf), entry.manager.clone()));
            }
        }
    }
    if !conflicts.is_empty() && !force {
        return Err(conflicts);
    }
    for leaf in previous.difference(&mine) {
        let owned_by_other = entries
            .iter()
            .any(|e| e.manager != manager && e.fields.contains(leaf));
        if !owned_by_other {
            remove_leaf(&mut object, leaf);
        }
    }
    merge(&mut object, config);
    for entry in entries.iter_mut().filter(|e| e.manager != manager) {
        entry.fields.retain(|leaf| {
            !mine.contains(leaf) || leaf_value(live.unwrap_or(&Value::Null), leaf) == leaf_value(config, leaf)
        });
    }
    entries.retain(|e| !(e.manager == manager && e.operation == "Apply"));
    entries.push(Entry {
        manager: manager.to_string(),
        operation: "Apply".into(),
        fields: mine,
        rest: Map::new(),
    });
    store_managed_fields(&mut object, entries);
    Ok(Applied { object })
}

/// Records a non-apply write (create, update, patch) by `manager` in `new`'s managedFields: the
/// manager takes the fields that changed from `old`.
pub(crate) fn record_update(old: Option<&Value>, new: &mut Value, manager: &str) {
    let mut entries = managed_fields(old.unwrap_or(&Value::Null));
    let after = fields_of(new);
    let before = old.map(fields_of).unwrap_or_default();
    let changed: BTreeSet<Leaf> = after
        .iter()
        .filter(|leaf| {
            !before.contains(*leaf) || leaf_value(old.unwrap_or(&Value::Null), leaf) != leaf_value(new, leaf)
        })
        .cloned()
        .collect();
    for entry in &mut entries {
        entry
            .fields
            .retain(|leaf| after.contains(leaf) && !(entry.manager != manager && changed.contains(leaf)));
    }
    match entries
        .iter_mut()
        .find(|e| e.manager == manager && e.operation == "Update")
    {
        Some(entry) => {
            if !changed.is_empty() {
                entry.rest.remove("time");
            }
            entry.fields.extend(changed);
        }
        None if !changed.is_empty() => entries.push(Entry {
            manager: manager.to_string(),
            operation: "Update".into(),
            fields: changed,
            rest: Map::new(),
        }),
        None => {}
    }
    store_managed_fields(new, entries);
}

#[derive(Debug)]
struct Entry {
    manager: String,
    operation: String,
    fields: BTreeSet<Leaf>,
    rest: Map<String, Value>,
}

fn managed_fields(object: &Value) -> Vec<Entry> {
    let Some(list) = object
        .pointer("/metadata/managedFields")
        .and_then(Value::as_array)
    else {
        return Vec::new();
    };
    list.iter()
        .filter_map(|e| {
            let mut rest = e.as_object()?.clone();
            let manager = rest.remove("manager")?.as_str()?.to_string();
            let operation = rest
                .remove("operation")
                .and_then(|o| o.as_str().map(String::from))
                .unwrap_or_default();
            let mut fields = BTreeSet::new();
            if let Some(v1) = rest.remove("fieldsV1") {
                collect_v1(&v1, &mut Vec::new(), &mut fields);
            }
            Some(Entry {
                manager,
                operation,
                fields,
                rest,
            })
        })
        .collect()
}

fn store_managed_fields(object: &mut Value, entries: Vec<Entry>) {
    let list: Vec<Value> = entries
        .into_iter()
        .filter(|e| !e.fields.is_empty())
        .map(|e| {
            let mut out = e.rest;
            out.insert("manager".into(), json!(e.manager));
            out.insert("operation".into(), json!(e.operation));
            out.insert("fieldsType".into(), json!("FieldsV1"));
            out.insert("fieldsV1".into(), to_v1(&e.fields));
            Value::Object(out)
        })
        .collect();
    if !object.is_object() {
        *object = json!({});
    }
    let metadata = crate::emulator::meta::object_mut(object)
        .entry("metadata")
        .or_insert_with(|| json!({}));
    if let Some(m) = metadata.as_object_mut() {
        m.insert("managedFields".into(), Value::Array(list));
    }
}

/// Leaf paths of an object, skipping identity and server-owned metadata.
fn fields_of(object: &Value) -> BTreeSet<Leaf> {
    let mut out = BTreeSet::new();
    let Some(map) = object.as_object() else { return out };
    for (key, value) in map {
        match key.as_str() {
            "apiVersion" | "kind" => {}
            "metadata" => {
                for field in ["labels", "annotations", "finalizers", "ownerReferences"] {
                    if let Some(v) = value.get(field) {
                        walk(v, &mut vec!["metadata".into(), field.into()], &mut out);
                    }
                }
            }
            _ => walk(value, &mut vec![key.clone()], &mut out),
        }
    }
    out
}

fn walk(value: &Value, path: &mut Leaf, out: &mut BTreeSet<Leaf>) {
    match value.as_object() {
        Some(map) if !map.is_empty() => {
            for (k, v) in map {
                path.push(k.clone());
                walk(v, path, out);
                path.pop();
            }
        }
        _ => {
            out.insert(path.clone());
        }
    }
}

fn leaf_value<'a>(object: &'a Value, leaf: &Leaf) -> Option<&'a Value> {
    leaf.iter().try_fold(object, |v, k| v.get(k))
}

fn remove_leaf(object: &mut Value, leaf: &Leaf) {
    if let Some((last, parents)) = leaf.split_last()
        && let Some(parent) = parents.iter().try_fold(&mut *object, |v, k| v.get_mut(k))
        && let Some(map) = parent.as_object_mut()
    {
        map.remove(last);
    }
}

fn merge(target: &mut Value, config: &Value) {
    match (target.as_object_mut(), config.as_object()) {
        (Some(t), Some(c)) => {
            for (k, v) in c {
                match t.get_mut(k) {
                    Some(existing) if existing.is_object() && v.is_object() => merge(existing, v),
                    _ => {
                        t.insert(k.clone(), v.clone());
                    }
                }
            }
        }
        _ => *target = config.clone(),
    }
}

fn path_string(leaf: &Leaf) -> String {
    leaf.iter().fold(String::new(), |mut out, k| {
        out.push('.');
        out.push_str(k);
        out
    })
}

fn collect_v1(v1: &Value, path: &mut Leaf, out: &mut BTreeSet<Leaf>) {
    let Some(map) = v1.as_object() else { return };
    let children: Vec<_> = map
        .iter()
        .filter_map(|(k, v)| k.strip_prefix("f:").map(|k| (k, v)))
        .collect();
    if children.is_empty() && !path.is_empty() {
        out.insert(path.clone());
    }
    for (k, v) in children {
        path.push(k.to_string());
        collect_v1(v, path, out);
        path.pop();
    }
}

fn to_v1(fields: &BTreeSet<Leaf>) -> Value {
    let mut root = json!({});
    for leaf in fields {
        let mut node = &mut root;
        for k in leaf {
            node = crate::emulator::meta::object_mut(node)
                .entry(format!("f:{k}"))
                .or_insert_with(|| json!({}));
        }
    }
    root
}
