//! Two-way (desired-subset) and three-way (last-applied) prediction of the live state after a
//! sync, following the schema's list and map semantics.

use serde_json::{Map, Value};

use crate::{ListType, normalize::quantity, schema::Node, value::is_empty_container};

/// Predicts live after applying `desired` the way client-side `kubectl apply` (strategic merge)
/// does: maps, atomic ones included, merge per key, where `last` is the last-applied configuration (three-way)
/// or `None` (two-way). Values equivalent to live's (same quantity, `1` = `1.0`, empty versus
/// absent) keep live's spelling so that they produce no change.
pub(crate) fn predict(live: Option<&Value>, desired: &Value, last: Option<&Value>, node: Node<'_>) -> Value {
    match (live, desired) {
        (Some(Value::Object(l)), Value::Object(d)) => {
            Value::Object(merge_map(l, d, last.and_then(Value::as_object), node))
        }
        (Some(Value::Array(l)), Value::Array(d)) => Value::Array(merge_list(
            l,
            d,
            last.and_then(Value::as_array).map(Vec::as_slice),
            node,
        )),
        (Some(l), d) if equivalent(l, d, node) => l.clone(),
        (_, d) => d.clone(),
    }
}

fn merge_map(
    live: &Map<String, Value>,
    desired: &Map<String, Value>,
    last: Option<&Map<String, Value>>,
    node: Node<'_>,
) -> Map<String, Value> {
    let mut out = Map::new();
    // Live fields first (merged with desired where it has them), each cloned once.
    for (k, l) in live {
        let value = match desired.get(k) {
            Some(d) if !(d.is_null() || l.is_null() && is_empty_container(d)) => predict(
                (!l.is_null()).then_some(l),
                d,
                last.and_then(|a| a.get(k)),
                node.field(k),
            ),
            _ => l.clone(),
        };
        out.insert(k.clone(), value);
    }
    for (k, d) in desired {
        if d.is_null() || live.contains_key(k) || is_empty_container(d) {
            continue;
        }
        out.insert(
            k.clone(),
            predict(None, d, last.and_then(|a| a.get(k)), node.field(k)),
        );
    }
    if let Some(last) = last {
        for (k, a) in last {
            if !a.is_null() && !desired.contains_key(k) {
                out.remove(k);
            }
        }
    }
    out
}

fn merge_list(live: &[Value], desired: &[Value], last: Option<&[Value]>, node: Node<'_>) -> Vec<Value> {
    let element = node.element();
    match node.list_type() {
        Some(ListType::Map) => {
            let keys: Vec<&str> = node.list_keys().collect();
            if let Some(merged) = merge_keyed(live, desired, last, &keys, element) {
                return merged;
            }
        }
        Some(ListType::Set) => {
            let mut out: Vec<Value> = live.to_vec();
            for d in desired {
                if !out.iter().any(|l| equivalent(l, d, element)) {
                    out.push(d.clone());
                }
            }
            if let Some(last) = last {
                out.retain(|v| !last.contains(v) || desired.iter().any(|d| equivalent(v, d, element)));
            }
            return out;
        }
        _ => {}
    }
    // Atomic: positionally equal lists keep live's defaulted fields (desired-subset per element).
    if live.len() == desired.len() {
        let same_last = last.filter(|a| a.len() == desired.len());
        return live
            .iter()
            .zip(desired)
            .enumerate()
            .map(|(i, (l, d))| predict(Some(l), d, same_last.map(|a| &a[i]), element))
            .collect();
    }
    desired.to_vec()
}

/// The key tuple of a list-map element (missing keys take the schema default, else are left out).
pub(crate) fn element_key(value: &Value, keys: &[&str], element: Node<'_>) -> Option<Vec<Value>> {
    let map = value.as_object()?;
    let mut found = false;
    let key = keys
        .iter()
        .map(|k| match map.get(*k) {
            Some(v) => {
                found = true;
                v.clone()
            }
            None => element.key_default(k).unwrap_or(Value::Null),
        })
        .collect();
    found.then_some(key)
}

fn merge_keyed(
    live: &[Value],
    desired: &[Value],
    last: Option<&[Value]>,
    keys: &[&str],
    element: Node<'_>,
) -> Option<Vec<Value>> {
    let key_of = |v: &Value| element_key(v, keys, element);
    let live_keys: Vec<Vec<Value>> = live.iter().map(key_of).collect::<Option<_>>()?;
    let desired_keys: Vec<Vec<Value>> = desired.iter().map(key_of).collect::<Option<_>>()?;
    // Duplicate keys: the elements cannot be identified, so the list is compared as atomic.
    if has_duplicate_keys(&live_keys) || has_duplicate_keys(&desired_keys) {
        return None;
    }
    let last_keyed: Vec<(Vec<Value>, &Value)> = match last {
        Some(a) => a.iter().filter_map(|v| Some((key_of(v)?, v))).collect(),
        None => Vec::new(),
    };
    let mut out: Vec<Value> = live.to_vec();
    let mut out_keys = live_keys;
    for (d, dk) in desired.iter().zip(&desired_keys) {
        let a = last_keyed
            .iter()
            .find(|(k, _)| keys_equal(k, dk))
            .map(|(_, v)| *v);
        if let Some(i) = out_keys.iter().position(|k| keys_equal(k, dk)) {
            out[i] = predict(Some(&out[i]), d, a, element);
        } else {
            out.push(predict(None, d, a, element));
            out_keys.push(dk.clone());
        }
    }
    if !last_keyed.is_empty() {
        let mut i = 0;
        while i < out.len() {
            let k = &out_keys[i];
            let was_applied = last_keyed.iter().any(|(a, _)| keys_equal(a, k));
            if was_applied && !desired_keys.iter().any(|d| keys_equal(d, k)) {
                out.remove(i);
                out_keys.remove(i);
            } else {
                i += 1;
            }
        }
    }
    Some(out)
}

pub(crate) fn keys_equal(a: &[Value], b: &[Value]) -> bool {
    a.len() == b.len() && a.iter().zip(b).all(|(x, y)| scalar_equal(x, y))
}

/// Whether two elements of a list-map have equal keys (by [`keys_equal`]): they then cannot be
/// identified, and the list is compared as atomic.
pub(crate) fn has_duplicate_keys(keys: &[Vec<Value>]) -> bool {
    keys.iter()
        .enumerate()
        .any(|(i, k)| keys[..i].iter().any(|o| keys_equal(o, k)))
}

/// Scalars equal by value: numbers numerically (`1` = `1.0`), everything else exactly.
pub(crate) fn scalar_equal(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => x == y || x.as_f64() == y.as_f64(),
        _ => a == b,
    }
}

/// Deep equality modulo numeric spelling and, where the schema says `Quantity`, quantity notation.
pub(crate) fn equivalent(left: &Value, right: &Value, node: Node<'_>) -> bool {
    match (left, right) {
        (Value::Object(l), Value::Object(r)) => {
            l.len() == r.len()
                && l.iter()
                    .all(|(k, v)| r.get(k).is_some_and(|w| equivalent(v, w, node.field(k))))
        }
        (Value::Array(l), Value::Array(r)) => {
            let element = node.element();
            l.len() == r.len() && l.iter().zip(r).all(|(v, w)| equivalent(v, w, element))
        }
        _ => scalar_equal(left, right) || (node.is_quantity() && quantity::equal(left, right)),
    }
}

/// Rewrites `predicted` so that every value equivalent to live's (see [`equivalent`]) takes live's
/// spelling, so that only real differences remain.
pub(crate) fn align(live: &Value, mut predicted: Value, node: Node<'_>) -> Value {
    align_in_place(live, &mut predicted, node);
    predicted
}

fn align_in_place(live: &Value, predicted: &mut Value, node: Node<'_>) {
    match (live, &mut *predicted) {
        (Value::Object(l), Value::Object(p)) => {
            for (k, v) in p.iter_mut() {
                if let Some(lv) = l.get(k) {
                    align_in_place(lv, v, node.field(k));
                }
            }
        }
        (Value::Array(l), Value::Array(p)) if l.len() == p.len() => {
            let e = node.element();
            for (lv, v) in l.iter().zip(p.iter_mut()) {
                align_in_place(lv, v, e);
            }
        }
        (l, p) => {
            if l != p && equivalent(l, p, node) {
                *p = l.clone();
            }
        }
    }
}
