//! Walks over objects guided by the schema: field sets of values, structured-merge-diff's merge,
//! removal of field sets, and comparison.

use serde_json::{Map, Value};

use super::fieldset::{FieldSet, PathElement, canonical_json};
use crate::{ListType, schema::Node, value::is_empty_container};

/// Where in the object a walk is, for the fields the API server never tracks in managedFields
/// (apiserver `stripmeta`): `apiVersion`, `kind`, `status` at the root, and `metadata`'s name,
/// namespace, uid, resourceVersion, generation, creationTimestamp, selfLink, managedFields.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Level {
    Root,
    Metadata,
    Inner,
}

impl Level {
    fn skips(self, key: &str) -> bool {
        match self {
            Level::Root => matches!(key, "apiVersion" | "kind" | "status"),
            Level::Metadata => matches!(
                key,
                "name"
                    | "namespace"
                    | "uid"
                    | "resourceVersion"
                    | "generation"
                    | "creationTimestamp"
                    | "selfLink"
                    | "managedFields"
                    | "clusterName"
                    | "deletionTimestamp"
                    | "deletionGracePeriodSeconds"
            ),
            Level::Inner => false,
        }
    }

    fn child(self, key: &str) -> Level {
        if self == Level::Root && key == "metadata" {
            Level::Metadata
        } else {
            Level::Inner
        }
    }
}

/// How a value is walked.
pub(crate) enum Shape<'v> {
    /// A granular map or struct.
    Map(&'v Map<String, Value>),
    /// A list-map or set: elements with their path elements.
    List(Vec<(PathElement, &'v Value)>),
    /// A scalar or an atomic value.
    Leaf,
}

/// The shape of `value` under `node`. Lists whose elements cannot be identified (missing keys,
/// duplicates, non-objects in a list-map) are atomic.
pub(crate) fn shape<'v>(value: &'v Value, node: Node<'_>) -> Shape<'v> {
    match value {
        Value::Object(m) if !node.map_atomic() => Shape::Map(m),
        Value::Array(items) => match node.list_type() {
            Some(ListType::Map) => {
                let keys: Vec<&str> = node.list_keys().collect();
                let element = node.element();
                let mut out = Vec::with_capacity(items.len());
                for item in items {
                    let Some(pe) = key_element(item, &keys, element) else {
                        return Shape::Leaf;
                    };
                    if out.iter().any(|(p, _)| *p == pe) {
                        return Shape::Leaf;
                    }
                    out.push((pe, item));
                }
                Shape::List(out)
            }
            Some(ListType::Set) => {
                let mut out = Vec::with_capacity(items.len());
                for item in items {
                    if item.is_object() || item.is_array() {
                        return Shape::Leaf;
                    }
                    let pe = PathElement::Value(canonical_json(item));
                    if out.iter().any(|(p, _)| *p == pe) {
                        return Shape::Leaf;
                    }
                    out.push((pe, item));
                }
                Shape::List(out)
            }
            _ => Shape::Leaf,
        },
        _ => Shape::Leaf,
    }
}

/// The `k:` path element of a list-map element: its key fields (missing ones take the schema
/// default, or are left out), or `None` when it has none.
pub(crate) fn key_element(item: &Value, keys: &[&str], element: Node<'_>) -> Option<PathElement> {
    let map = item.as_object()?;
    let mut pairs = Map::new();
    for k in keys {
        if let Some(v) = map.get(*k).filter(|v| !v.is_null()) {
            pairs.insert((*k).to_owned(), v.clone());
        } else if let Some(d) = element.key_default(k) {
            pairs.insert((*k).to_owned(), d);
        }
    }
    if pairs.is_empty() || keys.iter().all(|k| !map.contains_key(*k)) {
        return None;
    }
    Some(PathElement::Key(canonical_json(&Value::Object(pairs))))
}

/// The field set of an applied configuration, as structured-merge-diff's `ToFieldSet`: scalars,
/// atomic values, list elements, and map keys that are not declared struct fields (or whose value
/// is null or an empty map) are members.
pub(crate) fn to_field_set(value: &Value, node: Node<'_>, level: Level) -> FieldSet {
    let mut set = FieldSet::new();
    match shape(value, node) {
        Shape::Map(m) => {
            for (k, v) in m {
                if level.skips(k) {
                    continue;
                }
                let child_node = node.field(k);
                let mut child = to_field_set(v, child_node, level.child(k));
                if v.is_null() || v.as_object().is_some_and(Map::is_empty) || !node.declares_field(k) {
                    child.member = true;
                }
                if !child.is_empty() {
                    set.children.insert(PathElement::Field(k.clone()), child);
                }
            }
        }
        Shape::List(items) => {
            let element = node.element();
            for (pe, v) in items {
                let mut child = to_field_set(v, element, Level::Inner);
                child.member = true;
                set.children.insert(pe, child);
            }
        }
        Shape::Leaf => set.member = true,
    }
    set
}

/// Every path of a value (used for added and removed subtrees): leaves, list elements and maps
/// are members, structs are not (as the FieldsV1 of `Update` entries show them).
fn all_paths(value: &Value, node: Node<'_>, level: Level) -> FieldSet {
    let shape = shape(value, node);
    let member = !(matches!(shape, Shape::Map(_)) && node.is_struct());
    let mut set = FieldSet {
        member,
        ..FieldSet::default()
    };
    match shape {
        Shape::Map(m) => {
            for (k, v) in m {
                if !level.skips(k) {
                    set.children.insert(
                        PathElement::Field(k.clone()),
                        all_paths(v, node.field(k), level.child(k)),
                    );
                }
            }
        }
        Shape::List(items) => {
            let element = node.element();
            for (pe, v) in items {
                set.children.insert(pe, all_paths(v, element, Level::Inner));
            }
        }
        Shape::Leaf => {}
    }
    set
}

/// structured-merge-diff's merge of `config` into `live`: maps merge per key, list-maps per key
/// and sets per value (items keep their relative order from both sides, config's order for
/// shared items), anything atomic is replaced by config. At the root, config's `status` is ignored.
pub(crate) fn merge(live: &Value, config: &Value, node: Node<'_>, level: Level) -> Value {
    match (shape(live, node), shape(config, node)) {
        (Shape::Map(l), Shape::Map(c)) => {
            let ignored = |k: &str| {
                level == Level::Root && k == "status" || level == Level::Metadata && k == "managedFields"
            };
            let mut out = Map::new();
            for (k, lv) in l {
                let merged = match c.get(k) {
                    Some(cv) if !ignored(k) => merge(lv, cv, node.field(k), level.child(k)),
                    _ => lv.clone(),
                };
                out.insert(k.clone(), merged);
            }
            for (k, cv) in c {
                if !l.contains_key(k) && !ignored(k) {
                    out.insert(k.clone(), cv.clone());
                }
            }
            Value::Object(out)
        }
        (Shape::List(l), Shape::List(c)) => {
            let element = node.element();
            let (ll, cl) = (l.len(), c.len());
            let mut out = Vec::with_capacity(ll.max(cl));
            let (mut li, mut ci) = (0, 0);
            while li < ll || ci < cl {
                if li < ll && ci < cl && l[li].0 == c[ci].0 {
                    out.push(merge(l[li].1, c[ci].1, element, Level::Inner));
                    li += 1;
                    ci += 1;
                } else if li < ll && !c.iter().any(|(pe, _)| *pe == l[li].0) {
                    out.push(l[li].1.clone());
                    li += 1;
                } else if ci < cl {
                    let merged = match l.iter().find(|(pe, _)| *pe == c[ci].0) {
                        Some((_, lv)) => merge(lv, c[ci].1, element, Level::Inner),
                        None => c[ci].1.clone(),
                    };
                    out.push(merged);
                    ci += 1;
                } else {
                    li += 1;
                }
            }
            Value::Array(out)
        }
        _ => config.clone(),
    }
}

/// Removes from `value` the paths of `remove`, except those with paths of `keep` beneath them:
/// then only the parts not in `keep` go. List-map key fields of kept elements stay. A map or list
/// emptied by the removal is removed too.
pub(crate) fn remove_items(
    value: &mut Value,
    remove: &FieldSet,
    keep: Option<&FieldSet>,
    node: Node<'_>,
    level: Level,
) {
    let empty = FieldSet::new();
    match value {
        Value::Object(m) if !node.map_atomic() => {
            let keys: Vec<String> = m.keys().cloned().collect();
            for k in keys {
                if level.skips(&k) {
                    continue;
                }
                let pe = PathElement::Field(k.clone());
                let Some(r) = remove.child(&pe) else { continue };
                let kept = keep.and_then(|s| s.child(&pe));
                if decide(m.get_mut(&k), r, kept, node.field(&k), level.child(&k), &empty) {
                    m.remove(&k);
                }
            }
        }
        Value::Array(_) => {
            let pes: Option<Vec<PathElement>> = match shape(value, node) {
                Shape::List(items) => Some(items.into_iter().map(|(pe, _)| pe).collect()),
                _ => None,
            };
            let (Some(pes), Value::Array(items)) = (pes, value) else {
                return;
            };
            let element = node.element();
            let keys: Vec<&str> = node.list_keys().collect();
            let mut drop = vec![false; items.len()];
            for (idx, pe) in pes.iter().enumerate() {
                let Some(r) = remove.child(pe) else { continue };
                let kept = keep.and_then(|s| s.child(pe));
                let Some(item) = items.get_mut(idx) else { continue };
                if r.member {
                    drop[idx] = decide(Some(item), r, kept, element, Level::Inner, &empty);
                } else {
                    // The element stays: only fields inside it go, its key fields never.
                    let key_values: Vec<(String, Value)> = keys
                        .iter()
                        .filter_map(|k| item.get(*k).map(|v| ((*k).to_owned(), v.clone())))
                        .collect();
                    remove_items(item, r, kept, element, Level::Inner);
                    if let Value::Object(m) = item {
                        for (k, v) in key_values {
                            m.entry(k).or_insert(v);
                        }
                    }
                }
            }
            let mut flags = drop.into_iter();
            items.retain(|_| !flags.next().unwrap_or(false));
        }
        _ => {}
    }
}

/// Applies removal to one child; returns whether the child itself goes.
fn decide(
    child: Option<&mut Value>,
    remove: &FieldSet,
    keep: Option<&FieldSet>,
    node: Node<'_>,
    level: Level,
    empty: &FieldSet,
) -> bool {
    let Some(child) = child else { return false };
    let keep_here = keep.unwrap_or(empty);
    if keep_here.member {
        return false;
    }
    let was_empty = is_empty_container(child);
    if remove.member {
        if keep_here.is_empty() {
            return true;
        }
        keep_only(child, keep_here, node, level);
    } else {
        remove_items(child, remove, keep, node, level);
    }
    !was_empty && is_empty_container(child)
}

/// Removes everything from `value` that has no path of `keep` (list-map key fields stay).
fn keep_only(value: &mut Value, keep: &FieldSet, node: Node<'_>, level: Level) {
    match value {
        Value::Object(m) if !node.map_atomic() => {
            m.retain(|k, v| {
                if level.skips(k) {
                    return true;
                }
                match keep.child(&PathElement::Field(k.clone())) {
                    Some(c) if c.member => true,
                    Some(c) => {
                        keep_only(v, c, node.field(k), level.child(k));
                        true
                    }
                    None => false,
                }
            });
        }
        Value::Array(_) => {
            let pes: Option<Vec<PathElement>> = match shape(value, node) {
                Shape::List(items) => Some(items.into_iter().map(|(pe, _)| pe).collect()),
                _ => None,
            };
            let (Some(pes), Value::Array(items)) = (pes, value) else {
                return;
            };
            let element = node.element();
            let keys: Vec<String> = node.list_keys().map(str::to_owned).collect();
            let mut out = Vec::with_capacity(items.len());
            for (pe, mut item) in pes.into_iter().zip(items.drain(..)) {
                match keep.child(&pe) {
                    Some(c) if c.member => out.push(item),
                    Some(c) => {
                        let key_values: Vec<(String, Value)> = keys
                            .iter()
                            .filter_map(|k| item.get(k).map(|v| (k.clone(), v.clone())))
                            .collect();
                        keep_only(&mut item, c, element, Level::Inner);
                        if let Value::Object(m) = &mut item {
                            for (k, v) in key_values {
                                m.entry(k).or_insert(v);
                            }
                        }
                        out.push(item);
                    }
                    None => {}
                }
            }
            *items = out;
        }
        _ => {}
    }
}

/// Compares two versions of an object: the paths added or modified in `new`, and the paths
/// removed from `old` (structured-merge-diff's `Compare`).
pub(crate) fn compare(old: &Value, new: &Value, node: Node<'_>, level: Level) -> (FieldSet, FieldSet) {
    let mut changed = FieldSet::new();
    let mut removed = FieldSet::new();
    match (shape(old, node), shape(new, node)) {
        (Shape::Map(o), Shape::Map(n)) => {
            for (k, nv) in n {
                if level.skips(k) {
                    continue;
                }
                let pe = PathElement::Field(k.clone());
                match o.get(k) {
                    Some(ov) => {
                        let (c, r) = compare(ov, nv, node.field(k), level.child(k));
                        insert_non_empty(&mut changed, &pe, c);
                        insert_non_empty(&mut removed, &pe, r);
                    }
                    None => {
                        changed
                            .children
                            .insert(pe, all_paths(nv, node.field(k), level.child(k)));
                    }
                }
            }
            for (k, ov) in o {
                if !level.skips(k) && !n.contains_key(k) {
                    removed.children.insert(
                        PathElement::Field(k.clone()),
                        all_paths(ov, node.field(k), level.child(k)),
                    );
                }
            }
        }
        (Shape::List(o), Shape::List(n)) => {
            let element = node.element();
            for (pe, nv) in &n {
                match o.iter().find(|(p, _)| p == pe) {
                    Some((_, ov)) => {
                        let (c, r) = compare(ov, nv, element, Level::Inner);
                        insert_non_empty(&mut changed, pe, c);
                        insert_non_empty(&mut removed, pe, r);
                    }
                    None => {
                        changed
                            .children
                            .insert(pe.clone(), all_paths(nv, element, Level::Inner));
                    }
                }
            }
            for (pe, ov) in &o {
                if !n.iter().any(|(p, _)| p == pe) {
                    removed
                        .children
                        .insert(pe.clone(), all_paths(ov, element, Level::Inner));
                }
            }
        }
        _ => {
            if old != new {
                changed.member = true;
            }
        }
    }
    (changed, removed)
}

fn insert_non_empty(set: &mut FieldSet, pe: &PathElement, child: FieldSet) {
    if !child.is_empty() {
        set.children.insert(pe.clone(), child);
    }
}
