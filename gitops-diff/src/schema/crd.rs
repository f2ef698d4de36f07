//! Merge semantics read from a CustomResourceDefinition's OpenAPI v3 schema.

use std::collections::BTreeMap;

use serde_json::Value;

use super::{ListType, Node, OBJECT_META, named};

/// One node of an `openAPIV3Schema`, reduced to what merging needs.
#[derive(Debug, Clone, Default)]
pub(crate) struct CrdNode {
    /// `properties`.
    pub(crate) properties: BTreeMap<String, CrdNode>,
    /// `additionalProperties` (string-keyed maps).
    pub(crate) additional: Option<Box<CrdNode>>,
    /// `items` (lists).
    pub(crate) items: Option<Box<CrdNode>>,
    /// `x-kubernetes-list-type` (atomic when absent, as for CRDs in the API server).
    pub(crate) list_type: ListType,
    /// `x-kubernetes-list-map-keys`.
    pub(crate) keys: Vec<String>,
    /// `x-kubernetes-map-type: atomic`.
    pub(crate) map_atomic: bool,
    /// `default`.
    pub(crate) default: Option<Value>,
    /// The root: `metadata` follows `ObjectMeta`.
    pub(crate) root: bool,
}

impl CrdNode {
    /// Reads a schema node; anything unexpected falls back to deduced semantics.
    pub(crate) fn from_openapi(schema: &Value) -> Self {
        let mut node = Self::read(schema);
        node.root = true;
        node
    }

    fn read(schema: &Value) -> Self {
        let properties = schema
            .get("properties")
            .and_then(Value::as_object)
            .map(|p| p.iter().map(|(k, v)| (k.clone(), Self::read(v))).collect())
            .unwrap_or_default();
        let list_type = match schema.get("x-kubernetes-list-type").and_then(Value::as_str) {
            Some("map") => ListType::Map,
            Some("set") => ListType::Set,
            _ => ListType::Atomic,
        };
        let keys = schema
            .get("x-kubernetes-list-map-keys")
            .and_then(Value::as_array)
            .map(|k| k.iter().filter_map(Value::as_str).map(str::to_owned).collect())
            .unwrap_or_default();
        Self {
            properties,
            additional: schema
                .get("additionalProperties")
                .filter(|a| a.is_object())
                .map(|a| Box::new(Self::read(a))),
            items: schema
                .get("items")
                .filter(|a| a.is_object())
                .map(|a| Box::new(Self::read(a))),
            list_type,
            keys,
            map_atomic: schema.get("x-kubernetes-map-type").and_then(Value::as_str) == Some("atomic"),
            default: schema.get("default").cloned(),
            root: false,
        }
    }

    /// The node of field `name`.
    pub(crate) fn field(&self, name: &str) -> Node<'_> {
        if self.root && name == "metadata" {
            return named(OBJECT_META).map_or(Node::Deduced, Node::Typed);
        }
        if let Some(p) = self.properties.get(name) {
            return Node::Crd(p);
        }
        self.additional.as_deref().map_or(Node::Deduced, Node::Crd)
    }
}
