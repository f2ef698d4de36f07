//! [`FieldSet`]: a set of field paths, as structured-merge-diff's `fieldpath.Set`, and its FieldsV1
//! encoding (`f:`, `k:`, `v:`, `i:`, `.`).

use std::{collections::BTreeMap, fmt};

use serde_json::{Map, Value};

/// One step of a field path.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum PathElement {
    /// A struct field or map key (`f:name`).
    Field(String),
    /// A list-map element, by the canonical JSON of its key fields (`k:{"name":"app"}`).
    Key(String),
    /// A set element, by its canonical JSON value (`v:"a"`).
    Value(String),
    /// A list element by index (`i:0`; only for lists without merge semantics).
    Index(u64),
}

impl fmt::Display for PathElement {
    /// structured-merge-diff's text form: `.name`, `[name="app"]`, `[="a"]`, `[0]`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Field(name) => write!(f, ".{name}"),
            Self::Key(json) => {
                let parsed: Value = serde_json::from_str(json).unwrap_or(Value::Null);
                let parts: Vec<String> = parsed
                    .as_object()
                    .map(|m| m.iter().map(|(k, v)| format!("{k}={v}")).collect())
                    .unwrap_or_default();
                write!(f, "[{}]", parts.join(","))
            }
            Self::Value(json) => write!(f, "[={json}]"),
            Self::Index(i) => write!(f, "[{i}]"),
        }
    }
}

/// A set of field paths, stored as a trie: a node is a member when its own path is in the set.
///
/// ```
/// use gitops_diff::merge::FieldSet;
/// use serde_json::json;
/// let v1 = json!({"f:metadata": {"f:labels": {"f:app": {}}}, "f:spec": {"f:replicas": {}}});
/// let set = FieldSet::from_fields_v1(&v1)?;
/// assert_eq!(set.to_fields_v1(), v1);
/// assert_eq!(set.paths(), vec![".metadata.labels.app", ".spec.replicas"]);
/// # Ok::<(), gitops_diff::merge::InvalidFieldsV1>(())
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FieldSet {
    pub(crate) member: bool,
    pub(crate) children: BTreeMap<PathElement, FieldSet>,
}

/// A `fieldsV1` value that is not a valid FieldsV1 encoding.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid fieldsV1 entry {entry:?}")]
pub struct InvalidFieldsV1 {
    /// The offending key (or `<root>` when the value is not an object).
    pub entry: String,
}

impl FieldSet {
    /// The empty set.
    pub fn new() -> Self {
        Self::default()
    }

    /// Whether the set has no paths.
    pub fn is_empty(&self) -> bool {
        !self.member && self.children.is_empty()
    }

    /// Adds a path.
    pub fn insert(&mut self, path: &[PathElement]) {
        let mut node = self;
        for pe in path {
            node = node.children.entry(pe.clone()).or_default();
        }
        node.member = true;
    }

    /// Whether the path is in the set.
    pub fn contains(&self, path: &[PathElement]) -> bool {
        let mut node = self;
        for pe in path {
            match node.children.get(pe) {
                Some(child) => node = child,
                None => return false,
            }
        }
        node.member
    }

    /// The child trie under one path element, when present.
    pub(crate) fn child(&self, pe: &PathElement) -> Option<&FieldSet> {
        self.children.get(pe)
    }

    /// Union.
    #[must_use]
    pub fn union(&self, other: &FieldSet) -> FieldSet {
        let mut out = self.clone();
        out.union_in_place(other);
        out
    }

    pub(crate) fn union_in_place(&mut self, other: &FieldSet) {
        self.member |= other.member;
        for (pe, child) in &other.children {
            self.children.entry(pe.clone()).or_default().union_in_place(child);
        }
    }

    /// The paths of `self` that are not in `other`.
    #[must_use]
    pub fn difference(&self, other: &FieldSet) -> FieldSet {
        let mut out = FieldSet {
            member: self.member && !other.member,
            children: BTreeMap::new(),
        };
        for (pe, child) in &self.children {
            let c = match other.children.get(pe) {
                Some(o) => child.difference(o),
                None => child.clone(),
            };
            if !c.is_empty() {
                out.children.insert(pe.clone(), c);
            }
        }
        out
    }

    /// The paths in both sets.
    #[must_use]
    pub fn intersection(&self, other: &FieldSet) -> FieldSet {
        let mut out = FieldSet {
            member: self.member && other.member,
            children: BTreeMap::new(),
        };
        for (pe, child) in &self.children {
            if let Some(o) = other.children.get(pe) {
                let c = child.intersection(o);
                if !c.is_empty() {
                    out.children.insert(pe.clone(), c);
                }
            }
        }
        out
    }

    /// Every path in the set, in structured-merge-diff's text form (`.spec.containers[name="app"].image`),
    /// sorted.
    pub fn paths(&self) -> Vec<String> {
        let mut out = Vec::new();
        self.collect_paths(&mut String::new(), &mut out);
        out
    }

    fn collect_paths(&self, prefix: &mut String, out: &mut Vec<String>) {
        if self.member {
            out.push(prefix.clone());
        }
        for (pe, child) in &self.children {
            let len = prefix.len();
            prefix.push_str(&pe.to_string());
            child.collect_paths(prefix, out);
            prefix.truncate(len);
        }
    }

    /// Parses a `managedFields[].fieldsV1` value.
    ///
    /// # Errors
    /// [`InvalidFieldsV1`] when a key has no known prefix, a `k:`/`v:` payload is not JSON, an
    /// `i:` index is not a number, or a value is not an object.
    pub fn from_fields_v1(value: &Value) -> Result<FieldSet, InvalidFieldsV1> {
        let Value::Object(map) = value else {
            return Err(InvalidFieldsV1 {
                entry: "<root>".into(),
            });
        };
        let mut set = FieldSet::default();
        for (k, v) in map {
            if k == "." {
                set.member = true;
                continue;
            }
            let bad = || InvalidFieldsV1 { entry: k.clone() };
            let pe = if let Some(name) = k.strip_prefix("f:") {
                PathElement::Field(name.to_owned())
            } else if let Some(json) = k.strip_prefix("k:") {
                PathElement::Key(canonical_json(&serde_json::from_str(json).map_err(|_| bad())?))
            } else if let Some(json) = k.strip_prefix("v:") {
                PathElement::Value(canonical_json(&serde_json::from_str(json).map_err(|_| bad())?))
            } else if let Some(i) = k.strip_prefix("i:") {
                PathElement::Index(i.parse().map_err(|_| bad())?)
            } else {
                return Err(bad());
            };
            let mut child = FieldSet::from_fields_v1(v)?;
            if matches!(v, Value::Object(m) if m.is_empty()) {
                child.member = true;
            }
            set.children.insert(pe, child);
        }
        Ok(set)
    }

    /// Encodes the set as a `fieldsV1` value: a leaf is `{}`, a member with children has `".": {}`.
    pub fn to_fields_v1(&self) -> Value {
        let mut map = Map::new();
        if self.member && !self.children.is_empty() {
            map.insert(".".into(), Value::Object(Map::new()));
        }
        for (pe, child) in &self.children {
            let key = match pe {
                PathElement::Field(name) => format!("f:{name}"),
                PathElement::Key(json) => format!("k:{json}"),
                PathElement::Value(json) => format!("v:{json}"),
                PathElement::Index(i) => format!("i:{i}"),
            };
            map.insert(key, child.to_fields_v1());
        }
        Value::Object(map)
    }
}

/// Compact JSON with object keys sorted, as structured-merge-diff writes `k:` and `v:` payloads.
pub(crate) fn canonical_json(v: &Value) -> String {
    let mut out = String::new();
    write_canonical(v, &mut out);
    out
}

fn write_canonical(v: &Value, out: &mut String) {
    match v {
        Value::Object(m) => {
            let mut keys: Vec<&String> = m.keys().collect();
            keys.sort();
            out.push('{');
            for (i, k) in keys.into_iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                out.push_str(&Value::String(k.clone()).to_string());
                out.push(':');
                write_canonical(&m[k], out);
            }
            out.push('}');
        }
        Value::Array(a) => {
            out.push('[');
            for (i, x) in a.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_canonical(x, out);
            }
            out.push(']');
        }
        other => out.push_str(&other.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn fields_v1_round_trip_with_members_keys_and_values() {
        let v1 = json!({
            "f:metadata": {"f:finalizers": {".": {}, "v:\"a\"": {}}},
            "f:spec": {"f:containers": {"k:{\"name\":\"app\"}": {".": {}, "f:image": {}, "f:name": {}}}},
        });
        let set = FieldSet::from_fields_v1(&v1).unwrap();
        assert_eq!(set.to_fields_v1(), v1);
        assert!(set.contains(&[
            PathElement::Field("spec".into()),
            PathElement::Field("containers".into()),
            PathElement::Key("{\"name\":\"app\"}".into()),
        ]));
        assert!(!set.contains(&[PathElement::Field("spec".into())]));
        assert_eq!(set.paths()[0], ".metadata.finalizers");
        assert!(FieldSet::from_fields_v1(&json!({"x:bad": {}})).is_err());
    }

    #[test]
    fn set_algebra() {
        let a = FieldSet::from_fields_v1(&json!({"f:a": {}, "f:b": {"f:c": {}}})).unwrap();
        let b = FieldSet::from_fields_v1(&json!({"f:b": {"f:c": {}, "f:d": {}}})).unwrap();
        assert_eq!(a.difference(&b).paths(), vec![".a"]);
        assert_eq!(a.intersection(&b).paths(), vec![".b.c"]);
        assert_eq!(a.union(&b).paths(), vec![".a", ".b.c", ".b.d"]);
    }
}
