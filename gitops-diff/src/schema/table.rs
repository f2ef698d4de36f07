//! The shapes of the generated built-in schema table (`generated.rs`), mirroring
//! structured-merge-diff's typed schema: an atom is a scalar, a list and/or a map.

/// One type: what it is when it holds a scalar, a list or a map (untyped types are all three).
#[derive(Debug)]
pub(crate) struct Atom {
    /// Whether scalars are allowed (kept for parity with the typed schema).
    #[allow(dead_code, reason = "read by nothing yet; part of the table's shape")]
    pub(crate) scalar: bool,
    /// List semantics, when lists are allowed.
    pub(crate) list: Option<&'static ListDef>,
    /// Map or struct semantics, when maps are allowed.
    pub(crate) map: Option<&'static MapDef>,
}

/// A named type of the table.
#[derive(Debug)]
pub(crate) struct NamedType {
    /// Fully qualified name, e.g. `io.k8s.api.core.v1.Container`.
    pub(crate) name: &'static str,
    /// Its shape.
    pub(crate) atom: Atom,
}

/// A reference to a type: an index into the table or an inline atom.
#[derive(Debug, Clone, Copy)]
pub(crate) enum TypeRef {
    /// Index into `TYPES`.
    Named(u16),
    /// An anonymous type.
    Inline(&'static Atom),
}

/// A struct (with `fields`) or a string-keyed map (with `element`).
#[derive(Debug)]
pub(crate) struct MapDef {
    /// Struct fields, sorted by name.
    pub(crate) fields: &'static [Field],
    /// Type of values not named by `fields` (string-keyed maps).
    pub(crate) element: Option<TypeRef>,
    /// `elementRelationship: atomic`: replaced and owned as a whole.
    pub(crate) atomic: bool,
}

/// How a list merges.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ListType {
    /// Replaced as a whole.
    Atomic,
    /// Set of scalars, merged by value.
    Set,
    /// List-map, elements identified by key fields.
    Map,
}

/// A list.
#[derive(Debug)]
pub(crate) struct ListDef {
    /// Element type.
    pub(crate) element: TypeRef,
    /// Merge semantics.
    pub(crate) list_type: ListType,
    /// Key fields of a list-map, in order.
    pub(crate) keys: &'static [&'static str],
}

/// A struct field.
#[derive(Debug)]
pub(crate) struct Field {
    /// JSON name.
    pub(crate) name: &'static str,
    /// Type.
    pub(crate) ty: TypeRef,
    /// Scalar default (used to fill missing list-map keys).
    pub(crate) default: Option<Scalar>,
}

/// A scalar default value.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Scalar {
    /// A string.
    Str(&'static str),
    /// An integer.
    Int(i64),
    /// A boolean.
    Bool(bool),
}

/// One served kind: group, version, kind and the index of its root type.
#[derive(Debug)]
pub(crate) struct KindDef {
    /// API group (`""` for core).
    pub(crate) group: &'static str,
    /// Version.
    pub(crate) version: &'static str,
    /// Kind.
    pub(crate) kind: &'static str,
    /// Index into `TYPES`.
    pub(crate) ty: u16,
}
