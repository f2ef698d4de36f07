//! `metadata.managedFields` entries: parsing, keeping unknown entries intact, writing back in the
//! API server's order.

use serde_json::{Map, Value};

use super::fieldset::FieldSet;

/// One `managedFields` entry.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Entry {
    pub(crate) manager: String,
    pub(crate) operation: String,
    pub(crate) api_version: String,
    pub(crate) time: Option<Value>,
    pub(crate) subresource: String,
    /// The owned fields; `None` for entries we cannot read (kept verbatim in `raw`).
    pub(crate) fields: Option<FieldSet>,
    pub(crate) raw: Value,
}

impl Entry {
    pub(crate) fn new(
        manager: &str,
        operation: &str,
        api_version: &str,
        fields: FieldSet,
        time: Option<Value>,
    ) -> Self {
        Self {
            manager: manager.to_owned(),
            operation: operation.to_owned(),
            api_version: api_version.to_owned(),
            time,
            subresource: String::new(),
            fields: Some(fields),
            raw: Value::Null,
        }
    }

    /// Whether this entry is the one of `manager` for `operation` on the main resource.
    pub(crate) fn is(&self, manager: &str, operation: &str) -> bool {
        self.manager == manager && self.operation == operation && self.subresource.is_empty()
    }

    fn to_value(&self) -> Value {
        let Some(fields) = &self.fields else {
            return self.raw.clone();
        };
        let mut m = Map::new();
        m.insert("apiVersion".into(), Value::String(self.api_version.clone()));
        m.insert("fieldsType".into(), Value::String("FieldsV1".into()));
        m.insert("fieldsV1".into(), fields.to_fields_v1());
        m.insert("manager".into(), Value::String(self.manager.clone()));
        m.insert("operation".into(), Value::String(self.operation.clone()));
        if !self.subresource.is_empty() {
            m.insert("subresource".into(), Value::String(self.subresource.clone()));
        }
        if let Some(t) = &self.time {
            m.insert("time".into(), t.clone());
        }
        Value::Object(m)
    }
}

/// Reads `metadata.managedFields` of an object. Entries that are not FieldsV1 or do not parse are
/// kept as they are and own nothing.
pub(crate) fn read(object: &Value) -> Vec<Entry> {
    let Some(list) = object
        .pointer("/metadata/managedFields")
        .and_then(Value::as_array)
    else {
        return Vec::new();
    };
    list.iter()
        .map(|raw| {
            let s = |k: &str| raw.get(k).and_then(Value::as_str).unwrap_or("").to_owned();
            let fields = (s("fieldsType") == "FieldsV1")
                .then(|| {
                    raw.get("fieldsV1")
                        .map_or(Ok(FieldSet::new()), FieldSet::from_fields_v1)
                        .ok()
                })
                .flatten();
            Entry {
                manager: s("manager"),
                operation: s("operation"),
                api_version: s("apiVersion"),
                time: raw.get("time").cloned(),
                subresource: s("subresource"),
                fields,
                raw: raw.clone(),
            }
        })
        .collect()
}

/// Writes entries into `metadata.managedFields` (removed when empty), sorted as the API server
/// sorts them: by operation, time, manager, apiVersion, subresource.
pub(crate) fn write(object: &mut Value, mut entries: Vec<Entry>) {
    entries.sort_by(|a, b| {
        let time = |e: &Entry| e.time.as_ref().and_then(Value::as_str).unwrap_or("").to_owned();
        (
            a.operation.as_str(),
            time(a),
            a.manager.as_str(),
            a.api_version.as_str(),
            a.subresource.as_str(),
        )
            .cmp(&(
                b.operation.as_str(),
                time(b),
                b.manager.as_str(),
                b.api_version.as_str(),
                b.subresource.as_str(),
            ))
    });
    let Some(obj) = object.as_object_mut() else { return };
    let meta = obj.entry("metadata").or_insert_with(|| Value::Object(Map::new()));
    let Some(meta) = meta.as_object_mut() else { return };
    if entries.is_empty() {
        meta.remove("managedFields");
    } else {
        meta.insert(
            "managedFields".into(),
            Value::Array(entries.iter().map(Entry::to_value).collect()),
        );
    }
}
