//! [`Schema`]: how lists and maps of an object merge, for built-in kinds (a table generated from
//! the Kubernetes 1.36 typed schema) and for custom resources (from a CRD's OpenAPI v3 schema).

mod crd;
#[rustfmt::skip]
mod generated;
mod table;

use std::{collections::BTreeMap, sync::Arc};

use serde_json::Value;

use crate::Error;
pub(crate) use crd::CrdNode;
use table::{Atom, ListDef, ListType as TableListType, Scalar, TypeRef};

/// How a list merges, as structured-merge-diff defines it (`x-kubernetes-list-type`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ListType {
    /// Replaced and owned as a whole (`atomic`, and every list without a schema).
    #[default]
    Atomic,
    /// A set of scalars merged by value (`set`).
    Set,
    /// A list-map: elements are identified by the tuple of their key fields (`map`).
    Map,
}

impl From<TableListType> for ListType {
    fn from(t: TableListType) -> Self {
        match t {
            TableListType::Atomic => Self::Atomic,
            TableListType::Set => Self::Set,
            TableListType::Map => Self::Map,
        }
    }
}

/// Merge semantics for objects: the built-in table plus any registered CustomResourceDefinitions.
///
/// Built-in kinds (every `k8s.io/api` type of Kubernetes 1.36 and `apiregistration.k8s.io`) use
/// the generated table: list-maps keyed as the API server keys them (containers by `name`,
/// container ports by `containerPort` + `protocol`, ...), sets, atomic lists, atomic and granular
/// maps and structs. Custom resources use their CRD's `openAPIV3Schema` once registered with
/// [`Schema::add_crd`] (`x-kubernetes-list-type`, `x-kubernetes-list-map-keys`,
/// `x-kubernetes-map-type`).
///
/// Documented fallbacks for anything else (unknown kinds, fields missing from the schema,
/// `x-kubernetes-preserve-unknown-fields`): `metadata` still follows `ObjectMeta`; other lists are
/// atomic and maps are granular (structured-merge-diff's `__untyped_deduced_`).
///
/// ```
/// use gitops_diff::{ListType, Schema};
/// let schema = Schema::default();
/// let (list_type, keys) = schema.list_semantics("apps/v1", "Deployment", &["spec", "template", "spec", "containers"]);
/// assert_eq!((list_type, keys), (ListType::Map, vec!["name".to_owned()]));
/// let (list_type, _) = schema.list_semantics("example.com/v1", "Widget", &["spec", "items"]);
/// assert_eq!(list_type, ListType::Atomic);
/// ```
#[derive(Debug, Clone, Default)]
pub struct Schema {
    crds: BTreeMap<(String, String), Arc<BTreeMap<String, CrdNode>>>,
}

impl Schema {
    /// The built-in table only.
    pub fn new() -> Self {
        Self::default()
    }

    /// Registers an `apiextensions.k8s.io/v1` CustomResourceDefinition: every served version's
    /// `openAPIV3Schema`. A later CRD for the same group and kind replaces the earlier one.
    ///
    /// # Errors
    /// [`Error::InvalidCrd`] when `spec.group`, `spec.names.kind` or `spec.versions` is missing.
    pub fn add_crd(&mut self, crd: &Value) -> Result<(), Error> {
        let name = crd
            .pointer("/metadata/name")
            .and_then(Value::as_str)
            .unwrap_or("<unnamed>")
            .to_owned();
        let invalid = |reason: &'static str| Error::InvalidCrd {
            name: name.clone(),
            reason,
        };
        let group = crd
            .pointer("/spec/group")
            .and_then(Value::as_str)
            .ok_or_else(|| invalid("spec.group is missing"))?;
        let kind = crd
            .pointer("/spec/names/kind")
            .and_then(Value::as_str)
            .ok_or_else(|| invalid("spec.names.kind is missing"))?;
        let versions = crd
            .pointer("/spec/versions")
            .and_then(Value::as_array)
            .ok_or_else(|| invalid("spec.versions is missing"))?;
        let mut by_version = BTreeMap::new();
        for v in versions {
            let Some(version) = v.get("name").and_then(Value::as_str) else {
                continue;
            };
            let schema = v
                .pointer("/schema/openAPIV3Schema")
                .or_else(|| crd.pointer("/spec/validation/openAPIV3Schema"))
                .unwrap_or(&Value::Null);
            by_version.insert(version.to_owned(), CrdNode::from_openapi(schema));
        }
        self.crds
            .insert((group.to_owned(), kind.to_owned()), Arc::new(by_version));
        Ok(())
    }

    /// Registers every `apiextensions.k8s.io` CustomResourceDefinition among `objects` (e.g. a
    /// desired set, or live CRDs) and returns how many there were; other objects are skipped.
    ///
    /// # Errors
    /// As [`Schema::add_crd`].
    pub fn add_crds<'a>(&mut self, objects: impl IntoIterator<Item = &'a Value>) -> Result<usize, Error> {
        let mut count = 0;
        for o in objects {
            let is_crd = o.get("kind").and_then(Value::as_str) == Some("CustomResourceDefinition")
                && o.get("apiVersion")
                    .and_then(Value::as_str)
                    .is_some_and(|v| v.starts_with("apiextensions.k8s.io/"));
            if is_crd {
                self.add_crd(o)?;
                count += 1;
            }
        }
        Ok(count)
    }

    /// The list semantics at `path` (object field names; list elements are not part of the path)
    /// in objects of this `apiVersion` and `kind`: the [`ListType`] and the list-map key fields.
    pub fn list_semantics(&self, api_version: &str, kind: &str, path: &[&str]) -> (ListType, Vec<String>) {
        let mut node = self.root(api_version, kind);
        for (i, segment) in path.iter().enumerate() {
            node = node.field(segment);
            if i + 1 < path.len() && node.list_type().is_some() {
                node = node.element();
            }
        }
        let list_type = node.list_type().unwrap_or(ListType::Atomic);
        (list_type, node.list_keys().map(str::to_owned).collect())
    }

    /// The schema node at the root of objects of this `apiVersion` and `kind`.
    pub(crate) fn root(&self, api_version: &str, kind: &str) -> Node<'_> {
        let (group, version) = api_version.split_once('/').unwrap_or(("", api_version));
        if let Some(versions) = self.crds.get(&(group.to_owned(), kind.to_owned()))
            && let Some(node) = versions.get(version).or_else(|| versions.values().next())
        {
            return Node::Crd(node);
        }
        let kinds = generated::KINDS;
        let start = kinds.partition_point(|k| (k.group, k.kind) < (group, kind));
        let same = kinds[start..]
            .iter()
            .take_while(|k| k.group == group && k.kind == kind);
        let mut chosen = None;
        for k in same {
            if chosen.is_none() || k.version == version {
                chosen = Some(k.ty);
            }
        }
        chosen.map_or(Node::DeducedRoot, |ty| Node::Typed(resolve(TypeRef::Named(ty))))
    }
}

fn resolve(ty: TypeRef) -> &'static Atom {
    match ty {
        TypeRef::Named(i) => &generated::TYPES[usize::from(i)].atom,
        TypeRef::Inline(atom) => atom,
    }
}

/// The named type `name` of the table, when present.
fn named(name: &str) -> Option<&'static Atom> {
    let types = generated::TYPES;
    types
        .binary_search_by(|t| t.name.cmp(name))
        .ok()
        .map(|i| &types[i].atom)
}

const OBJECT_META: &str = "io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta";
const QUANTITY: &str = "io.k8s.apimachinery.pkg.api.resource.Quantity";

/// A position in a schema while walking an object.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Node<'s> {
    /// A type of the built-in table.
    Typed(&'static Atom),
    /// A node of a registered CRD's schema.
    Crd(&'s CrdNode),
    /// The root of an object of unknown kind: `metadata` is `ObjectMeta`, the rest deduced.
    DeducedRoot,
    /// No schema: maps granular, lists atomic.
    Deduced,
}

impl<'s> Node<'s> {
    /// The node of field (or map key) `name` of a map or struct.
    pub(crate) fn field(self, name: &str) -> Node<'s> {
        match self {
            Node::Typed(atom) => {
                let Some(map) = atom.map else { return Node::Deduced };
                if let Ok(i) = map.fields.binary_search_by(|f| f.name.cmp(name)) {
                    return Node::Typed(resolve(map.fields[i].ty));
                }
                map.element.map_or(Node::Deduced, |e| Node::Typed(resolve(e)))
            }
            Node::Crd(node) => node.field(name),
            Node::DeducedRoot if name == "metadata" => named(OBJECT_META).map_or(Node::Deduced, Node::Typed),
            Node::DeducedRoot | Node::Deduced => Node::Deduced,
        }
    }

    /// Whether `name` is a declared struct field (as opposed to a key of a string-keyed map or of
    /// a map without schema); structured-merge-diff records undeclared keys as set members.
    pub(crate) fn declares_field(self, name: &str) -> bool {
        match self {
            Node::Typed(atom) => atom
                .map
                .is_some_and(|m| m.fields.binary_search_by(|f| f.name.cmp(name)).is_ok()),
            Node::Crd(node) => node.properties.contains_key(name) || (node.root && name == "metadata"),
            Node::DeducedRoot => name == "metadata",
            Node::Deduced => false,
        }
    }

    /// Whether this is a struct (named fields) rather than a string-keyed map.
    pub(crate) fn is_struct(self) -> bool {
        match self {
            Node::Typed(atom) => atom.map.is_some_and(|m| !m.fields.is_empty()),
            Node::Crd(node) => !node.properties.is_empty(),
            Node::DeducedRoot => true,
            Node::Deduced => false,
        }
    }

    /// Whether this map or struct is atomic (replaced and owned as a whole).
    pub(crate) fn map_atomic(self) -> bool {
        match self {
            Node::Typed(atom) => atom.map.is_some_and(|m| m.atomic),
            Node::Crd(node) => node.map_atomic,
            Node::DeducedRoot | Node::Deduced => false,
        }
    }

    /// The list semantics, when this node is a list (`None` for non-lists and deduced nodes).
    pub(crate) fn list_type(self) -> Option<ListType> {
        match self {
            Node::Typed(atom) => atom.list.map(|l| l.list_type.into()),
            Node::Crd(node) => node.items.as_ref().map(|_| node.list_type),
            Node::DeducedRoot | Node::Deduced => None,
        }
    }

    /// The key fields of a list-map (empty otherwise).
    pub(crate) fn list_keys(self) -> impl Iterator<Item = &'s str> {
        let (typed, crd): (&'static [&'static str], &'s [String]) = match self {
            Node::Typed(Atom {
                list: Some(ListDef { keys, .. }),
                ..
            }) => (keys, &[]),
            Node::Crd(node) => (&[], &node.keys),
            _ => (&[], &[]),
        };
        typed.iter().copied().chain(crd.iter().map(String::as_str))
    }

    /// The element node of a list.
    pub(crate) fn element(self) -> Node<'s> {
        match self {
            Node::Typed(atom) => atom
                .list
                .map_or(Node::Deduced, |l| Node::Typed(resolve(l.element))),
            Node::Crd(node) => node.items.as_deref().map_or(Node::Deduced, Node::Crd),
            Node::DeducedRoot | Node::Deduced => Node::Deduced,
        }
    }

    /// Whether this is a `resource.Quantity` (compared by value: `1000m` = `1`).
    pub(crate) fn is_quantity(self) -> bool {
        match self {
            Node::Typed(atom) => named(QUANTITY).is_some_and(|q| std::ptr::eq(q, atom)),
            _ => false,
        }
    }

    /// The schema default of list element field `key` (e.g. `TCP` for `ContainerPort.protocol`),
    /// used to fill a list-map key an element leaves out. Call on the element node.
    pub(crate) fn key_default(self, key: &str) -> Option<Value> {
        match self {
            Node::Typed(atom) => {
                let map = atom.map?;
                let i = map.fields.binary_search_by(|f| f.name.cmp(key)).ok()?;
                match map.fields[i].default? {
                    Scalar::Str(s) => Some(Value::String(s.to_owned())),
                    Scalar::Int(n) => Some(Value::from(n)),
                    Scalar::Bool(b) => Some(Value::Bool(b)),
                }
            }
            Node::Crd(node) => node.properties.get(key).and_then(|p| p.default.clone()),
            Node::DeducedRoot | Node::Deduced => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn built_in_list_maps_sets_and_atomic_lists() {
        let s = Schema::new();
        let pod = |path: &[&str]| s.list_semantics("v1", "Pod", path);
        assert_eq!(
            pod(&["spec", "containers", "ports"]).1,
            ["containerPort", "protocol"]
        );
        assert_eq!(pod(&["spec", "containers", "args"]).0, ListType::Atomic);
        assert_eq!(pod(&["spec", "tolerations"]).0, ListType::Atomic);
        assert_eq!(pod(&["metadata", "finalizers"]).0, ListType::Set);
        assert_eq!(
            s.list_semantics("v1", "Service", &["spec", "ports"]).1,
            ["port", "protocol"]
        );
        let port = s
            .root("v1", "Pod")
            .field("spec")
            .field("containers")
            .element()
            .field("ports")
            .element();
        assert_eq!(port.key_default("protocol"), Some(Value::from("TCP")));
        assert!(
            s.root("v1", "Pod")
                .field("spec")
                .field("nodeSelector")
                .map_atomic()
        );
        assert!(!s.root("v1", "Pod").field("metadata").field("labels").map_atomic());
    }

    #[test]
    fn unknown_kinds_keep_object_meta() {
        let s = Schema::new();
        assert_eq!(
            s.list_semantics("x.io/v1", "Thing", &["metadata", "finalizers"])
                .0,
            ListType::Set
        );
        assert_eq!(
            s.list_semantics("x.io/v1", "Thing", &["spec", "list"]).0,
            ListType::Atomic
        );
    }
}
