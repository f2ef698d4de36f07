//! Loading manifests from multi-document YAML or JSON bytes.

use serde_json::Value;

use super::{Manifest, Origin};
use crate::Error;

/// Limits and switches for [`load_bytes_with_options`].
///
/// The defaults bound the work one untrusted file can cause:
/// - a document of at most [`LoadOptions::DEFAULT_MAX_DOCUMENT_BYTES`] bytes (3 MiB, a little
///   above etcd's 1.5 MiB object limit after YAML overhead); for JSON input, each top-level value;
/// - nesting at most [`LoadOptions::DEFAULT_MAX_DEPTH`] levels of mappings and sequences;
/// - at most [`LoadOptions::DEFAULT_MAX_ALIAS_EVENTS`] parser events replayed through YAML aliases
///   per document, which stops "billion laughs" alias bombs long before they use real memory
///   (serde-saphyr also caps aliases per anchor ratio and nodes per document).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct LoadOptions {
    /// Largest accepted document, in bytes.
    pub max_document_bytes: usize,
    /// Deepest accepted nesting of mappings and sequences.
    pub max_depth: usize,
    /// Most parser events that YAML aliases may replay in one document.
    pub max_alias_events: usize,
}

impl LoadOptions {
    /// Default for [`LoadOptions::max_document_bytes`]: 3 MiB.
    pub const DEFAULT_MAX_DOCUMENT_BYTES: usize = 3 * 1024 * 1024;
    /// Default for [`LoadOptions::max_depth`]: 100 levels (a CustomResourceDefinition's
    /// `openAPIV3Schema` is the deepest common object, at a few dozen levels).
    pub const DEFAULT_MAX_DEPTH: usize = 100;
    /// Default for [`LoadOptions::max_alias_events`]: 100,000 events.
    pub const DEFAULT_MAX_ALIAS_EVENTS: usize = 100_000;

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

    /// Sets [`LoadOptions::max_alias_events`].
    #[must_use]
    pub fn max_alias_events(mut self, events: usize) -> Self {
        self.max_alias_events = events;
        self
    }
}

impl Default for LoadOptions {
    fn default() -> Self {
        Self {
            max_document_bytes: Self::DEFAULT_MAX_DOCUMENT_BYTES,
            max_depth: Self::DEFAULT_MAX_DEPTH,
            max_alias_events: Self::DEFAULT_MAX_ALIAS_EVENTS,
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
/// let origin = manifests[1].origin().unwrap();
/// assert_eq!((origin.document, origin.line), (2, Some(7)));
/// ```
pub fn load_bytes(bytes: &[u8], file: &str) -> Result<Vec<Manifest>, Error> {
    load_bytes_with_options(bytes, file, &LoadOptions::default())
}

/// Loads every object of a multi-document YAML stream (or a JSON value stream).
///
/// # Documents
/// Documents are split on `---` lines as `kubectl` does (k8s.io/apimachinery's YAML reader):
/// only spaces or a `# comment` may follow `---` on its line. Empty, `null` and comment-only
/// documents are skipped but still counted in the document index. `v1 List` and other `*List`
/// kinds with an `items` array are expanded into their items. Input starting with `{` or `[` is
/// read as a stream of JSON values (a top-level array is a list of objects). Every manifest
/// records its [`Origin`]: file, 0-based document index, and the 1-based line of the document's
/// first content line (JSON: of the value's first character); items of a list share the list's.
///
/// # Scalars: YAML 1.1, as `kubectl apply` sends them
/// `kubectl` (through sigs.k8s.io/yaml and go-yaml v2) reads plain scalars with YAML 1.1 rules,
/// and so does this loader, so the object sent to the server is the same:
///
/// | plain scalar | value | note |
/// |---|---|---|
/// | `yes`, `no`, `on`, `off`, `y`, `n`, `True`, `FALSE`... | `true` / `false` | quote them to keep strings |
/// | `0755` | `493` | YAML 1.1 octal; `0o755` too; `08` (not octal) is `8` |
/// | `0x1F`, `0b101`, `1_000` | `31`, `5`, `1000` | |
/// | `1.0`, `1e3`, `!!float 3` | `1`, `1000`, `3` | integral floats become integers, as Go's JSON encoder writes them |
/// | `~`, `null` | `null` | |
/// | `2001-12-14`, `1:20` | strings | no timestamps, no sexagesimal |
/// | `.inf`, `.nan` | error | JSON has no such numbers; `kubectl` fails too |
///
/// Mapping keys that are numbers or booleans become their text (`1: a` → `"1"`), as with
/// kubectl; null, sequence and mapping keys are errors, as with kubectl. Two deliberate
/// differences: a duplicate key is an error (kubectl keeps the last value silently; the API
/// server rejects it under strict field validation), and boolean-looking *keys* keep their
/// spelling (`on: x` stays `"on"`, kubectl sends `"true"`). Merge keys (`<<`) and tags such as
/// `!!binary` are honoured like kubectl.
///
/// # Errors
/// [`Error::NotUtf8`]; [`Error::Parse`] (syntax error, bad document separator, duplicate key,
/// unsupported key, alias budget exceeded; with the line and column in the file);
/// [`Error::DocumentTooLarge`]; [`Error::TooDeep`]; and every error of [`Manifest::from_value`].
/// Errors name the file and the document index. No input panics or hangs the loader.
pub fn load_bytes_with_options(
    bytes: &[u8],
    file: &str,
    options: &LoadOptions,
) -> Result<Vec<Manifest>, Error> {
    let text = std::str::from_utf8(bytes).map_err(|e| Error::NotUtf8 {
        file: file.to_owned(),
        offset: e.valid_up_to(),
    })?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut out = Vec::new();
    let trimmed = text.trim_start();
    if trimmed.starts_with('{') || trimmed.starts_with('[') {
        load_json(text, file, options, &mut out)?;
        return Ok(out);
    }
    for (document, split) in split_documents(text).into_iter().enumerate() {
        let (start_line, body) = match split {
            Split::Document { line, body } => (line, body),
            Split::BadSeparator { line } => {
                return Err(Error::Parse {
                    origin: Origin {
                        file: file.to_owned(),
                        document,
                        line: Some(line),
                    }
                    .to_string(),
                    line: Some(line),
                    column: Some(4),
                    message: format!(
                        "line {line} column 4: only a comment may follow the document separator ---"
                    ),
                });
            }
        };
        let Some(first) = first_content_line(body) else {
            continue;
        };
        let origin = Origin {
            file: file.to_owned(),
            document,
            line: Some(start_line + first),
        };
        if body.len() > options.max_document_bytes {
            return Err(Error::DocumentTooLarge {
                origin: origin.to_string(),
                limit: options.max_document_bytes,
            });
        }
        let mut value: Value = parse_yaml(body, options).map_err(|e| {
            let location = e.location();
            let line = location.map(|l| start_line + l.line() as usize - 1);
            let render = serde_saphyr::render_options! {
                snippets: serde_saphyr::SnippetMode::Off,
                line_offset: (start_line - 1) as u64,
            };
            Error::Parse {
                origin: origin.to_string(),
                line,
                column: location.map(|l| l.column() as usize),
                message: e.render_with_options(render),
            }
        })?;
        integral_floats_to_integers(&mut value);
        push_object(value, &origin, options, &mut out)?;
    }
    Ok(out)
}

fn load_json(text: &str, file: &str, options: &LoadOptions, out: &mut Vec<Manifest>) -> Result<(), Error> {
    let mut stream = serde_json::Deserializer::from_str(text).into_iter::<Value>();
    let mut document = 0;
    let (mut counted, mut line) = (0, 1);
    loop {
        let before = stream.byte_offset();
        let start = before + (text.len() - before - text[before..].trim_start().len());
        line += text[counted..start].matches('\n').count();
        counted = start;
        let origin = Origin {
            file: file.to_owned(),
            document,
            line: Some(line),
        };
        let Some(value) = stream.next() else { break };
        let mut value = value.map_err(|e| Error::Parse {
            origin: origin.to_string(),
            line: Some(e.line()),
            column: Some(e.column()),
            message: e.to_string(),
        })?;
        if stream.byte_offset() - before > options.max_document_bytes {
            return Err(Error::DocumentTooLarge {
                origin: origin.to_string(),
                limit: options.max_document_bytes,
            });
        }
        integral_floats_to_integers(&mut value);
        match value {
            Value::Array(items) => {
                for item in items {
                    push_object(item, &origin, options, out)?;
                }
            }
            other => push_object(other, &origin, options, out)?,
        }
        document += 1;
    }
    Ok(())
}

fn push_object(
    value: Value,
    origin: &Origin,
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
        if let Value::Object(mut map) = value
            && let Some(Value::Array(items)) = map.remove("items")
        {
            for item in items {
                out.push(Manifest::from_value_with_origin(item, Some(origin.clone()))?);
            }
        }
        return Ok(());
    }
    out.push(Manifest::from_value_with_origin(value, Some(origin.clone()))?);
    Ok(())
}

fn parse_yaml(body: &str, options: &LoadOptions) -> Result<Value, serde_saphyr::Error> {
    let mut budget = serde_saphyr::Budget::default();
    budget.max_depth = options.max_depth;
    let mut opts = serde_saphyr::Options::default();
    opts.budget = Some(budget);
    opts.alias_limits.max_total_replayed_events = options.max_alias_events;
    opts.duplicate_keys = serde_saphyr::DuplicateKeyPolicy::Error;
    // YAML 1.1 octal (`0755` = 493), as go-yaml v2 under kubectl reads it.
    opts.legacy_octal_numbers = true;
    opts.with_snippet = false;
    serde_saphyr::from_str_with_options(body, opts)
}

/// Go's JSON encoder writes an integral float64 without a fraction (`1.0` → `1`), which is what
/// the API server receives from kubectl; do the same so `replicas: 1.0` stays a valid int32.
fn integral_floats_to_integers(value: &mut Value) {
    let mut stack = vec![value];
    while let Some(v) = stack.pop() {
        match v {
            Value::Number(n) if n.is_f64() => {
                if let Some(f) = n.as_f64() {
                    // Exactly representable range of i64 as f64.
                    if f.fract() == 0.0 && f.abs() < 9_223_372_036_854_775_808.0 {
                        *v = Value::from(f as i64);
                    }
                }
            }
            Value::Array(items) => stack.extend(items.iter_mut()),
            Value::Object(map) => stack.extend(map.values_mut()),
            _ => {}
        }
    }
}

enum Split<'a> {
    /// A document: the 1-based line of its first line, and its text.
    Document { line: usize, body: &'a str },
    /// A `---` line followed by content other than a comment.
    BadSeparator { line: usize },
}

/// Splits on lines that start with `---` followed by nothing, spaces or a comment, as
/// k8s.io/apimachinery's `YAMLReader` does (anything else after `---` is an error there too),
/// and on `...` document end markers.
fn split_documents(text: &str) -> Vec<Split<'_>> {
    let mut docs = Vec::new();
    let mut start = 0;
    let mut start_line = 1;
    let mut offset = 0;
    for (index, line) in text.split_inclusive('\n').enumerate() {
        let bare = line.trim_end_matches(['\n', '\r']);
        let separator = bare.strip_prefix("---").map(str::trim);
        if let Some(rest) = separator
            && !rest.is_empty()
            && !rest.starts_with('#')
        {
            docs.push(Split::BadSeparator { line: index + 1 });
            return docs;
        }
        if separator.is_some() || bare == "..." {
            if index > 0 || bare == "..." {
                docs.push(Split::Document {
                    line: start_line,
                    body: &text[start..offset],
                });
            }
            start = offset + line.len();
            start_line = index + 2;
        }
        offset += line.len();
    }
    docs.push(Split::Document {
        line: start_line,
        body: &text[start..],
    });
    docs
}

/// The 0-based index of the first line that is not blank, a comment or a `%` directive; `None`
/// for a document without content.
fn first_content_line(body: &str) -> Option<usize> {
    body.lines().position(|l| {
        let t = l.trim();
        !(t.is_empty() || t.starts_with('#') || t.starts_with('%'))
    })
}

/// Nesting of mappings and sequences: `{}` is 1, `{"a": [1]}` is 2; scalars add nothing.
fn depth(value: &Value) -> usize {
    // Iterative, so a hostile document cannot overflow the stack here.
    let mut max = 0;
    let mut stack = vec![(value, 1usize)];
    while let Some((v, d)) = stack.pop() {
        match v {
            Value::Array(items) => {
                max = max.max(d);
                stack.extend(items.iter().map(|i| (i, d + 1)));
            }
            Value::Object(map) => {
                max = max.max(d);
                stack.extend(map.values().map(|i| (i, d + 1)));
            }
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
