//! [`Manifest`]: one Kubernetes object with validated identity, and where it came from.

mod load;
mod set;

use std::{collections::BTreeMap, fmt};

use serde_json::{Map, Value};

pub use load::{LoadOptions, load_bytes, load_bytes_with_options};
pub use set::ManifestSet;

use crate::{Error, GroupVersionKind, ResourceKey};

/// Where a manifest was read from: file (as given by the caller, e.g. a path inside a Git tree),
/// 0-based document index within that file, and 1-based line of the document start when known.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Origin {
    /// File name or path, as passed to the loader.
    pub file: String,
    /// 0-based index of the YAML document (or JSON value) within the file.
    pub document: usize,
    /// 1-based line where the document starts, when the loader knows it.
    pub line: Option<usize>,
}

impl fmt::Display for Origin {
    /// `file (document N)` or `file (document N, line L)`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.line {
            Some(line) => write!(f, "{} (document {}, line {line})", self.file, self.document),
            None => write!(f, "{} (document {})", self.file, self.document),
        }
    }
}

/// A Kubernetes object whose identity has been validated: it is a JSON object with a non-empty
/// `apiVersion` and `kind`, and a `metadata.name` (or, for hooks, `metadata.generateName`).
///
/// The object itself is kept as a [`serde_json::Value`] so that unknown kinds and fields survive
/// unchanged; typed accessors cover identity, labels and annotations.
///
/// ```
/// use gitops_core::Manifest;
/// let m = Manifest::from_value(serde_json::json!({
///     "apiVersion": "v1", "kind": "ConfigMap",
///     "metadata": {"name": "cfg", "namespace": "default", "labels": {"app": "web"}},
/// })).unwrap();
/// assert_eq!(m.key().to_string(), "/ConfigMap/default/cfg");
/// assert_eq!(m.labels().get("app").map(String::as_str), Some("web"));
/// ```
///
/// `Debug` masks the values of a Secret's `data` and `stringData` (keys stay visible).
#[derive(Clone, PartialEq)]
pub struct Manifest {
    object: Value,
    gvk: GroupVersionKind,
    origin: Option<Origin>,
}

impl fmt::Debug for Manifest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let masked;
        let object = if self.gvk.group.is_empty() && self.gvk.kind == "Secret" {
            let mut copy = self.object.clone();
            for field in ["data", "stringData"] {
                if let Some(Value::Object(values)) = copy.get_mut(field) {
                    for v in values.values_mut() {
                        *v = Value::String("***".to_owned());
                    }
                }
            }
            masked = copy;
            &masked
        } else {
            &self.object
        };
        f.debug_struct("Manifest")
            .field("object", object)
            .field("gvk", &self.gvk)
            .field("origin", &self.origin)
            .finish()
    }
}

impl Manifest {
    /// Validates `object` and wraps it, with no origin. `metadata.generateName` instead of
    /// `metadata.name` is accepted only on hooks (objects with an `argocd.argoproj.io/hook` or
    /// `helm.sh/hook` annotation), since `kubectl apply` cannot create anything else without a
    /// name.
    ///
    /// # Errors
    /// [`Error::NotAnObject`], [`Error::MissingField`] (apiVersion, kind, metadata.name),
    /// [`Error::InvalidApiVersion`] or [`Error::InvalidKind`].
    pub fn from_value(object: Value) -> Result<Self, Error> {
        Self::from_value_with_origin(object, None)
    }

    /// Like [`Manifest::from_value`], recording where the object came from; errors name it.
    pub fn from_value_with_origin(object: Value, origin: Option<Origin>) -> Result<Self, Error> {
        let gvk = Self::identity(&object, origin.as_ref())?;
        Ok(Self { object, gvk, origin })
    }

    /// The [`ResourceKey`] `object` would have as a manifest ([`Manifest::key`]), with the
    /// same validation as [`Manifest::from_value`] but without taking or copying the object:
    /// for pairing live objects by key.
    ///
    /// ```
    /// use gitops_core::Manifest;
    /// let live = serde_json::json!({"apiVersion": "apps/v1", "kind": "Deployment",
    ///     "metadata": {"name": "web", "namespace": "shop"}, "status": {"replicas": 3}});
    /// assert_eq!(Manifest::key_of(&live)?.to_string(), "apps/Deployment/shop/web");
    /// assert!(Manifest::key_of(&serde_json::json!({"kind": "Deployment"})).is_err());
    /// # Ok::<(), gitops_core::Error>(())
    /// ```
    ///
    /// # Errors
    /// As [`Manifest::from_value`].
    pub fn key_of(object: &Value) -> Result<ResourceKey, Error> {
        let gvk = Self::identity(object, None)?;
        let text = |f: &str| {
            object
                .pointer(&format!("/metadata/{f}"))
                .and_then(Value::as_str)
                .filter(|s| !s.is_empty())
        };
        let name = text("name").or_else(|| text("generateName")).unwrap_or("");
        Ok(ResourceKey::new(gvk.group, gvk.kind, text("namespace"), name))
    }

    /// Checks what makes `object` a manifest (a map with apiVersion, kind and a name, or a
    /// generateName on a hook) and returns its GroupVersionKind.
    fn identity(object: &Value, origin: Option<&Origin>) -> Result<GroupVersionKind, Error> {
        let at = || origin.map_or_else(|| "<object>".to_owned(), ToString::to_string);
        let Value::Object(map) = object else {
            return Err(Error::NotAnObject { origin: at() });
        };
        let field = |name: &'static str| -> Result<&str, Error> {
            match map.get(name) {
                Some(Value::String(s)) if !s.is_empty() => Ok(s),
                _ => Err(Error::MissingField {
                    origin: at(),
                    field: name,
                }),
            }
        };
        let gvk = GroupVersionKind::from_api_version(field("apiVersion")?, field("kind")?)?;
        let metadata = map.get("metadata").and_then(Value::as_object);
        let has_name = |k: &str| {
            metadata
                .and_then(|m| m.get(k))
                .and_then(Value::as_str)
                .is_some_and(|s| !s.is_empty())
        };
        if !has_name("name") {
            let annotations = metadata
                .and_then(|m| m.get("annotations"))
                .and_then(Value::as_object);
            let is_hook = annotations.is_some_and(|a| {
                a.contains_key(crate::annotations::HOOK) || a.contains_key(crate::annotations::HELM_HOOK)
            });
            if !(has_name("generateName") && is_hook) {
                let field = if has_name("generateName") {
                    "metadata.name (metadata.generateName is only allowed on hooks)"
                } else {
                    "metadata.name"
                };
                return Err(Error::MissingField { origin: at(), field });
            }
        }
        Ok(gvk)
    }

    /// The object's GroupVersionKind.
    pub fn gvk(&self) -> &GroupVersionKind {
        &self.gvk
    }

    /// `metadata.name`, or `""` for an object that only has `metadata.generateName`.
    pub fn name(&self) -> &str {
        self.metadata_str("name").unwrap_or("")
    }

    /// `metadata.generateName`, when present.
    pub fn generate_name(&self) -> Option<&str> {
        self.metadata_str("generateName")
    }

    /// `metadata.namespace`, when present and non-empty.
    pub fn namespace(&self) -> Option<&str> {
        self.metadata_str("namespace").filter(|s| !s.is_empty())
    }

    /// The object's [`ResourceKey`]. For an object with only `metadata.generateName` (a hook),
    /// the key's name is the `generateName` prefix (e.g. `migrate-`): Kubernetes names cannot
    /// end with `-`, so it never collides with a named object, and two such hooks of one kind in
    /// one namespace need different prefixes to be told apart, as in Argo CD's UI.
    pub fn key(&self) -> ResourceKey {
        let name = match self.name() {
            "" => self.generate_name().unwrap_or(""),
            name => name,
        };
        ResourceKey::new(
            self.gvk.group.clone(),
            self.gvk.kind.clone(),
            self.namespace(),
            name,
        )
    }

    /// Where the object was loaded from, when known.
    pub fn origin(&self) -> Option<&Origin> {
        self.origin.as_ref()
    }

    /// `metadata.labels` as an ordered map; non-string values are skipped.
    pub fn labels(&self) -> BTreeMap<String, String> {
        self.string_map("labels")
    }

    /// `metadata.annotations` as an ordered map; non-string values are skipped.
    pub fn annotations(&self) -> BTreeMap<String, String> {
        self.string_map("annotations")
    }

    /// One annotation's value.
    pub fn annotation(&self, key: &str) -> Option<&str> {
        self.object
            .pointer("/metadata/annotations")
            .and_then(|a| a.get(key))
            .and_then(Value::as_str)
    }

    /// One label's value.
    pub fn label(&self, key: &str) -> Option<&str> {
        self.object
            .pointer("/metadata/labels")
            .and_then(|a| a.get(key))
            .and_then(Value::as_str)
    }

    /// Sets `metadata.namespace` (or removes it with `None`).
    pub fn set_namespace(&mut self, namespace: Option<&str>) {
        match namespace {
            Some(ns) => {
                self.metadata_mut()
                    .insert("namespace".into(), Value::String(ns.to_owned()));
            }
            None => {
                self.metadata_mut().remove("namespace");
            }
        }
    }

    /// Sets one label, creating `metadata.labels` when needed.
    pub fn set_label(&mut self, key: &str, value: &str) {
        Self::child_map(self.metadata_mut(), "labels")
            .insert(key.to_owned(), Value::String(value.to_owned()));
    }

    /// Sets one annotation, creating `metadata.annotations` when needed.
    pub fn set_annotation(&mut self, key: &str, value: &str) {
        Self::child_map(self.metadata_mut(), "annotations")
            .insert(key.to_owned(), Value::String(value.to_owned()));
    }

    /// The whole object.
    pub fn as_value(&self) -> &Value {
        &self.object
    }

    /// The whole object, consuming the manifest.
    pub fn into_value(self) -> Value {
        self.object
    }

    fn metadata_str(&self, key: &str) -> Option<&str> {
        self.object
            .get("metadata")
            .and_then(|m| m.get(key))
            .and_then(Value::as_str)
    }

    fn string_map(&self, key: &str) -> BTreeMap<String, String> {
        self.object
            .get("metadata")
            .and_then(|m| m.get(key))
            .and_then(Value::as_object)
            .map(|m| {
                m.iter()
                    .filter_map(|(k, v)| Some((k.clone(), v.as_str()?.to_owned())))
                    .collect()
            })
            .unwrap_or_default()
    }

    fn metadata_mut(&mut self) -> &mut Map<String, Value> {
        let Value::Object(obj) = &mut self.object else {
            unreachable!("validated in from_value")
        };
        Self::child_map(obj, "metadata")
    }

    fn child_map<'a>(parent: &'a mut Map<String, Value>, key: &str) -> &'a mut Map<String, Value> {
        let slot = parent
            .entry(key.to_owned())
            .or_insert_with(|| Value::Object(Map::new()));
        if !slot.is_object() {
            *slot = Value::Object(Map::new());
        }
        match slot {
            Value::Object(m) => m,
            _ => unreachable!("replaced by an object just above"),
        }
    }
}
