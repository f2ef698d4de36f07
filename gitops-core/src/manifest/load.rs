//! Loading manifests from multi-document YAML or JSON bytes.

use serde_json::Value;

use super::{Manifest, Origin};
use crate::Error;

/// Limits and switches for [`load_bytes_with_options`].
///
/// The defaults bound the work one untrusted file can cause: a document of at most
/// [`LoadOptions::DEFAULT_MAX_DOCUMENT_BYTES`] bytes (3 MiB, a little above etcd's 1.5 MiB object
/// limit after YAML overhead), nesting at most [`LoadOptions::DEFAULT_MAX_DEPTH`] levels, and the
/// alias/anchor budget of serde-saphyr, which rejects "billion laughs" expansion.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct LoadOptions {
    /// Largest accepted document, in bytes.
    pub max_document_bytes: usize,
    /// Deepest accepted nesting of mappings and sequences.
    pub max_depth: usize,
}

impl LoadOptions {
    /// Default for [`LoadOptions::max_document_bytes`]: 3 MiB.
    pub const DEFAULT_MAX_DOCUMENT_BYTES: usize = 3 * 1024 * 1024;
    /// Default for [`LoadOptions::max_depth`]: 100 levels.
    pub const DEFAULT_MAX_DEPTH: usize = 100;

    /// Sets [`LoadOptions::max_document_bytes`].
    #[must_use]
    pub fn max_document_bytes(mut self, bytes: usize) -> Self {
        self.max_document_bytes = bytes;
        self
    }

    /// Sets [`LoadOptions::max_depth`].
    #[must_use]
    pub fn max_depth(mut self, depth: usize) -> Self {
        self.max_depth = depth;
        self
    }
}

impl Default for LoadOptions {
    fn default() -> Self {
        Self {
            max_document_bytes: Self::DEFAULT_MAX_DOCUMENT_BYTES,
            max_depth: Self::DEFAULT_MAX_DEPTH,
        }
    }
}

/// Loads every object of a multi-document YAML stream (or a JSON value stream) with the default
/// [`LoadOptions`]. See [`load_bytes_with_options`].
///
/// ```
/// let docs = b"apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n---\n# only a comment\n---\n\
/// apiVersion: v1\nkind: List\nitems:\n- {apiVersion: v1, kind: Secret, metadata: {name: b}}\n";
/// let manifests = gitops_core::load_bytes(docs, "app.yaml").unwrap();
/// assert_eq!(manifests.len(), 2);
/// assert_eq!(manifests[1].origin().unwrap().document, 2);
/// ```
pub fn load_bytes(bytes: &[u8], file: &str) -> Result<Vec<Manifest>, Error> {
    load_bytes_with_options(bytes, file, &LoadOptions::default())
}

/// Loads every object of a multi-document YAML stream (or a JSON value stream).
///
/// Documents are split on `---` lines as `kubectl` does (k8s.io/apimachinery's YAML reader);
/// empty and comment-only documents are skipped but still counted in the document index; `v1 List`
/// and other `*List` kinds with an `items` array are expanded into their items. Input starting
/// with `{` or `[` is read as a stream of JSON values (a top-level array is a list of objects).
/// Every manifest records its [`Origin`] (file, 0-based document index, 1-based start line).
///
/// # Errors
/// [`Error::NotUtf8`], [`Error::Parse`] (syntax error, duplicate key, alias budget exceeded;
/// with line and column inside the file), [`Error::DocumentTooLarge`], [`Error::TooDeep`], and
/// every error of [`Manifest::from_value`]. Errors name the file and the document index.
pub fn load_bytes_with_options(
    bytes: &[u8],
    file: &str,
    options: &LoadOptions,
) -> Result<Vec<Manifest>, Error> {
    let text = std::str::from_utf8(bytes).map_err(|e| Error::NotUtf8 {
        file: file.to_owned(),
        offset: e.valid_up_to(),
    })?;
    let trimmed = text.trim_start_matches('\u{feff}').trim_start();
    let mut out = Vec::new();
    if trimmed.starts_with('{') || trimmed.starts_with('[') {
        load_json(trimmed, file, options, &mut out)?;
        return Ok(out);
    }
    for (document, (line, body)) in split_documents(text).into_iter().enumerate() {
        let origin = Origin {
            file: file.to_owned(),
            document,
            line: Some(line),
        };
        if is_blank(body) {
            continue;
        }
        if body.len() > options.max_document_bytes {
            return Err(Error::DocumentTooLarge {
                origin: origin.to_string(),
                limit: options.max_document_bytes,
            });
        }
        let value: Value = parse_yaml(body, options).map_err(|e| Error::Parse {
            origin: origin.to_string(),
            message: e.to_string(),
        })?;
        push_object(value, origin, options, &mut out)?;
    }
    Ok(out)
}

fn load_json(text: &str, file: &str, options: &LoadOptions, out: &mut Vec<Manifest>) -> Result<(), Error> {
    let stream = serde_json::Deserializer::from_str(text).into_iter::<Value>();
    for (document, value) in stream.enumerate() {
        let origin = Origin {
            file: file.to_owned(),
            document,
            line: None,
        };
        let value = value.map_err(|e| Error::Parse {
            origin: origin.to_string(),
            message: e.to_string(),
        })?;
        match value {
            Value::Array(items) => {
                for item in items {
                    push_object(item, origin.clone(), options, out)?;
                }
            }
            other => push_object(other, origin, options, out)?,
        }
    }
    Ok(())
}

fn push_object(
    value: Value,
    origin: Origin,
    options: &LoadOptions,
    out: &mut Vec<Manifest>,
) -> Result<(), Error> {
    if depth(&value) > options.max_depth {
        return Err(Error::TooDeep {
            origin: origin.to_string(),
            limit: options.max_depth,
        });
    }
    if value.is_null() {
        return Ok(());
    }
    let is_list = value
        .get("kind")
        .and_then(Value::as_str)
        .is_some_and(|k| k.ends_with("List"))
        && value.get("items").is_some_and(Value::is_array);
    if is_list {
        let Value::Object(mut map) = value else {
            return Ok(());
        };
        if let Some(Value::Array(items)) = map.remove("items") {
            for item in items {
                out.push(Manifest::from_value_with_origin(item, Some(origin.clone()))?);
            }
        }
        return Ok(());
    }
    out.push(Manifest::from_value_with_origin(value, Some(origin))?);
    Ok(())
}

fn parse_yaml(body: &str, options: &LoadOptions) -> Result<Value, serde_saphyr::Error> {
    let mut budget = serde_saphyr::Budget::default();
    budget.max_depth = options.max_depth;
    let mut opts = serde_saphyr::Options::default();
    opts.budget = Some(budget);
    opts.duplicate_keys = serde_saphyr::DuplicateKeyPolicy::Error;
    serde_saphyr::from_str_with_options(body, opts)
}

/// Splits on lines that are exactly `---` (optionally followed by a space and content, as in
/// `--- # comment`), returning each document's 1-based start line and its text.
fn split_documents(text: &str) -> Vec<(usize, &str)> {
    let mut docs = Vec::new();
    let mut start = 0;
    let mut start_line = 1;
    let mut offset = 0;
    for (index, line) in text.split_inclusive('\n').enumerate() {
        let bare = line.trim_end_matches(['\n', '\r']);
        if bare == "---" || bare.starts_with("--- ") || bare.starts_with("---\t") {
            if index > 0 {
                docs.push((start_line, &text[start..offset]));
            }
            start = offset + line.len();
            start_line = index + 2;
        } else if bare == "..." {
            docs.push((start_line, &text[start..offset]));
            start = offset + line.len();
            start_line = index + 2;
        }
        offset += line.len();
    }
    docs.push((start_line, &text[start..]));
    docs
}

fn is_blank(body: &str) -> bool {
    body.lines().all(|l| {
        let t = l.trim();
        t.is_empty() || t.starts_with('#')
    })
}

fn depth(value: &Value) -> usize {
    // Iterative, so a hostile document cannot overflow the stack here.
    let mut max = 0;
    let mut stack = vec![(value, 1usize)];
    while let Some((v, d)) = stack.pop() {
        max = max.max(d);
        match v {
            Value::Array(items) => stack.extend(items.iter().map(|i| (i, d + 1))),
            Value::Object(map) => stack.extend(map.values().map(|i| (i, d + 1))),
            _ => {}
        }
    }
    max
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_name_file_and_document() {
        let err = load_bytes(
            b"apiVersion: v1\nkind: A\nmetadata: {name: a}\n---\nkind: [\n",
            "x.yaml",
        )
        .unwrap_err();
        let msg = err.to_string();
        assert!(msg.contains("x.yaml (document 1"), "{msg}");
        let err = load_bytes(b"apiVersion: v1\nkind: A\nmetadata: {}\n", "y.yaml").unwrap_err();
        assert!(err.to_string().contains("metadata.name"), "{err}");
    }

    #[test]
    fn duplicate_keys_are_rejected() {
        let err = load_bytes(
            b"apiVersion: v1\nkind: A\nkind: B\nmetadata: {name: a}\n",
            "d.yaml",
        )
        .unwrap_err();
        assert!(matches!(err, Error::Parse { .. }), "{err}");
    }

    #[test]
    fn json_streams_and_arrays_load() {
        let m = load_bytes(br#"[{"apiVersion":"v1","kind":"A","metadata":{"name":"a"}}] {"apiVersion":"v1","kind":"B","metadata":{"name":"b"}}"#, "j.json").unwrap();
        assert_eq!(m.len(), 2);
        assert_eq!(m[1].origin().unwrap().document, 1);
    }
}
