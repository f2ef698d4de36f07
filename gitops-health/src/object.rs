//! Field access on untyped objects, with gitops-engine's typed-conversion semantics: a missing or
//! `null` field reads as the Go zero value, a field of the wrong JSON type is an
//! [`Error::Conversion`].

use std::fmt::Write as _;

use serde_json::Value;

use crate::Error;

/// The identity fields every object needs: `(group, version, kind)` borrowed from `apiVersion`
/// and `kind`.
pub(crate) fn type_of(object: &Value) -> Result<(&str, &str, &str), Error> {
    let Value::Object(map) = object else {
        return Err(Error::InvalidObject {
            reason: "not a JSON object".to_owned(),
        });
    };
    let get = |name: &str| match map.get(name) {
        Some(Value::String(s)) if !s.is_empty() => Ok(s.as_str()),
        _ => Err(Error::InvalidObject {
            reason: format!("missing {name}"),
        }),
    };
    let api_version = get("apiVersion")?;
    let kind = get("kind")?;
    let (group, version) = match api_version.split_once('/') {
        Some((group, version)) if !group.is_empty() && !version.is_empty() && !version.contains('/') => {
            (group, version)
        }
        Some(_) => {
            return Err(Error::InvalidObject {
                reason: format!("invalid apiVersion {api_version:?}"),
            });
        }
        None => ("", api_version),
    };
    Ok((group, version, kind))
}

/// apimachinery's `GroupVersionKind.String()`: `group/version, Kind=kind` (core: `/v1, Kind=Pod`).
pub(crate) fn go_gvk(group: &str, version: &str, kind: &str) -> String {
    format!("{group}/{version}, Kind={kind}")
}

/// Go's `%q` for the strings that appear in messages (names, reasons).
pub(crate) fn go_quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c if c.is_control() => {
                let _ = write!(out, "\\x{:02x}", u32::from(c));
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// Walks `path` from `object`; `None` when a step is missing, `null` or not an object.
pub(crate) fn at<'a>(object: &'a Value, path: &[&str]) -> Option<&'a Value> {
    let mut current = object;
    for key in path {
        current = current.as_object()?.get(*key)?;
    }
    (!current.is_null()).then_some(current)
}

/// `metadata.deletionTimestamp` is set.
pub(crate) fn is_deleting(object: &Value) -> bool {
    at(object, &["metadata", "deletionTimestamp"]).is_some()
}

/// The object's finalizers include `finalizer`.
pub(crate) fn has_finalizer(object: &Value, finalizer: &str) -> bool {
    at(object, &["metadata", "finalizers"])
        .and_then(Value::as_array)
        .is_some_and(|list| list.iter().any(|f| f.as_str() == Some(finalizer)))
}

/// Typed reads of one object for one built-in kind. Errors name the kind and the JSON path.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Typed<'a> {
    object: &'a Value,
    kind: &'static str,
}

impl<'a> Typed<'a> {
    pub(crate) fn new(object: &'a Value, kind: &'static str) -> Self {
        Self { object, kind }
    }

    /// A view on a nested value (e.g. one condition), reporting errors under `kind`.
    pub(crate) fn with(self, object: &'a Value) -> Self {
        Self {
            object,
            kind: self.kind,
        }
    }

    fn error(self, path: &[&str], expected: &'static str) -> Error {
        let mut text = String::new();
        for step in path {
            text.push('.');
            text.push_str(step);
        }
        Error::Conversion {
            kind: self.kind,
            path: text,
            expected,
        }
    }

    /// The value at `path`, with every intermediate step required to be an object when present.
    fn value(self, path: &[&str]) -> Result<Option<&'a Value>, Error> {
        let mut current = self.object;
        for (depth, key) in path.iter().enumerate() {
            match current {
                Value::Null => return Ok(None),
                Value::Object(map) => match map.get(*key) {
                    Some(next) => current = next,
                    None => return Ok(None),
                },
                _ => return Err(self.error(&path[..depth], "an object")),
            }
        }
        Ok((!current.is_null()).then_some(current))
    }

    /// An integer field; `None` when absent or null. Integral floats (`3.0`) are accepted.
    pub(crate) fn opt_i64(self, path: &[&str]) -> Result<Option<i64>, Error> {
        match self.value(path)? {
            None => Ok(None),
            Some(Value::Number(n)) => n
                .as_i64()
                .or_else(|| {
                    n.as_f64()
                        .filter(|f| f.fract() == 0.0 && f.abs() < 9.0e15)
                        .map(|f| f as i64)
                })
                .map(Some)
                .ok_or_else(|| self.error(path, "an integer")),
            Some(_) => Err(self.error(path, "an integer")),
        }
    }

    /// An integer field, `0` when absent (Go zero value).
    pub(crate) fn i64(self, path: &[&str]) -> Result<i64, Error> {
        Ok(self.opt_i64(path)?.unwrap_or(0))
    }

    /// A string field, `""` when absent.
    pub(crate) fn str(self, path: &[&str]) -> Result<&'a str, Error> {
        match self.value(path)? {
            None => Ok(""),
            Some(Value::String(s)) => Ok(s),
            Some(_) => Err(self.error(path, "a string")),
        }
    }

    /// A string field, `None` when absent.
    pub(crate) fn opt_str(self, path: &[&str]) -> Result<Option<&'a str>, Error> {
        match self.value(path)? {
            None => Ok(None),
            Some(Value::String(s)) => Ok(Some(s)),
            Some(_) => Err(self.error(path, "a string")),
        }
    }

    /// A boolean field, `false` when absent.
    pub(crate) fn bool(self, path: &[&str]) -> Result<bool, Error> {
        match self.value(path)? {
            None => Ok(false),
            Some(Value::Bool(b)) => Ok(*b),
            Some(_) => Err(self.error(path, "a boolean")),
        }
    }

    /// An array field, empty when absent.
    pub(crate) fn array(self, path: &[&str]) -> Result<&'a [Value], Error> {
        match self.value(path)? {
            None => Ok(&[]),
            Some(Value::Array(items)) => Ok(items),
            Some(_) => Err(self.error(path, "an array")),
        }
    }

    /// An object field, `None` when absent.
    pub(crate) fn object(self, path: &[&str]) -> Result<Option<&'a Value>, Error> {
        match self.value(path)? {
            None => Ok(None),
            Some(v @ Value::Object(_)) => Ok(Some(v)),
            Some(_) => Err(self.error(path, "an object")),
        }
    }
}

/// One entry of `status.conditions`, read leniently (missing fields are `""`).
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Condition<'a> {
    pub(crate) type_: &'a str,
    pub(crate) status: &'a str,
    pub(crate) reason: &'a str,
    pub(crate) message: &'a str,
}

/// `status.conditions` as [`Condition`]s; wrong types are conversion errors.
pub(crate) fn conditions(typed: Typed<'_>) -> Result<Vec<Condition<'_>>, Error> {
    typed
        .array(&["status", "conditions"])?
        .iter()
        .map(|c| condition(typed.with(c)))
        .collect()
}

/// Reads one condition object.
pub(crate) fn condition(c: Typed<'_>) -> Result<Condition<'_>, Error> {
    Ok(Condition {
        type_: c.str(&["type"])?,
        status: c.str(&["status"])?,
        reason: c.str(&["reason"])?,
        message: c.str(&["message"])?,
    })
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn typed_reads_zero_values_and_rejects_wrong_types() {
        let obj = json!({"status": {"replicas": 3.0, "name": 1, "list": null}});
        let t = Typed::new(&obj, "Deployment");
        assert_eq!(t.i64(&["status", "replicas"]).unwrap(), 3);
        assert_eq!(t.i64(&["status", "missing"]).unwrap(), 0);
        assert!(t.array(&["status", "list"]).unwrap().is_empty());
        let err = t.str(&["status", "name"]).unwrap_err().to_string();
        assert_eq!(
            err,
            "failed to convert unstructured Deployment to typed: .status.name: expected a string"
        );
        let err = t.i64(&["status", "replicas", "x"]).unwrap_err().to_string();
        assert!(err.contains(".status.replicas: expected an object"), "{err}");
    }

    #[test]
    fn go_quote_escapes_like_go() {
        assert_eq!(go_quote("a\"b\\c\n"), "\"a\\\"b\\\\c\\n\"");
    }

    #[test]
    fn type_of_splits_api_version() {
        let obj = json!({"apiVersion": "v1", "kind": "Pod"});
        assert_eq!(type_of(&obj).unwrap(), ("", "v1", "Pod"));
        assert!(type_of(&json!({"apiVersion": "a/b/c", "kind": "X"})).is_err());
        assert!(type_of(&json!([])).is_err());
    }
}
