//! Human and machine output of a [`ResourceDiff`]: unified YAML diff with kubectl-diff-style
//! headers (optionally colored), and JSON.

use std::fmt::Write as _;

use serde_json::{Value, json};
use similar::{ChangeTag, TextDiff};

use crate::ResourceDiff;

/// Options of [`ResourceDiff::unified`].
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct RenderOptions {
    /// Lines of context around each hunk (default 3, as `diff -u`).
    pub context: usize,
    /// ANSI colors: removed lines red, added lines green, headers bold.
    pub color: bool,
}

impl Default for RenderOptions {
    fn default() -> Self {
        Self {
            context: 3,
            color: false,
        }
    }
}

impl RenderOptions {
    /// Sets the context lines.
    #[must_use]
    pub fn with_context(mut self, lines: usize) -> Self {
        self.context = lines;
        self
    }

    /// Turns colors on or off.
    #[must_use]
    pub fn with_color(mut self, on: bool) -> Self {
        self.color = on;
        self
    }
}

impl ResourceDiff {
    /// The unified diff of the normalized live and predicted live objects rendered as YAML, with
    /// `kubectl diff`'s headers (`diff -u -N LIVE/<name> MERGED/<name>`, where `<name>` is
    /// `group.version.Kind.namespace.name` as kubectl names its temporary files). Empty when not
    /// modified. Secret values are already masked unless masking was turned off.
    pub fn unified(&self, options: &RenderOptions) -> String {
        if !self.modified {
            return String::new();
        }
        let name = file_name(if self.predicted_live.is_null() {
            &self.normalized_live
        } else {
            &self.predicted_live
        });
        let live = to_yaml(&self.normalized_live);
        let merged = to_yaml(&self.predicted_live);
        let text_diff = TextDiff::from_lines(&live, &merged);
        let (bold, red, green, reset) = if options.color {
            ("\x1b[1m", "\x1b[31m", "\x1b[32m", "\x1b[0m")
        } else {
            ("", "", "", "")
        };
        let mut out = format!(
            "{bold}diff -u -N LIVE/{name} MERGED/{name}{reset}\n{bold}--- LIVE/{name}{reset}\n{bold}+++ MERGED/{name}{reset}\n"
        );
        for hunk in text_diff
            .unified_diff()
            .context_radius(options.context)
            .iter_hunks()
        {
            let _ = writeln!(out, "{}", hunk.header());
            for change in hunk.iter_changes() {
                let (sign, color) = match change.tag() {
                    ChangeTag::Delete => ('-', red),
                    ChangeTag::Insert => ('+', green),
                    ChangeTag::Equal => (' ', ""),
                };
                let reset = if color.is_empty() { "" } else { reset };
                let line = change.value().trim_end_matches('\n');
                let _ = writeln!(out, "{color}{sign}{line}{reset}");
            }
        }
        out
    }

    /// The diff as JSON: `{"modified": bool, "changes": [{"path", "before", "after"}], "patch": [...]}`
    /// (absent `before`/`after` are omitted).
    pub fn to_json(&self) -> Value {
        let changes: Vec<Value> = self
            .changes
            .iter()
            .map(|c| {
                let mut o = serde_json::Map::new();
                o.insert("path".into(), Value::String(c.path.clone()));
                if let Some(b) = &c.before {
                    o.insert("before".into(), b.clone());
                }
                if let Some(a) = &c.after {
                    o.insert("after".into(), a.clone());
                }
                Value::Object(o)
            })
            .collect();
        let patch = serde_json::to_value(&self.patch).unwrap_or(Value::Null);
        json!({"modified": self.modified, "changes": changes, "patch": patch})
    }
}

fn to_yaml(v: &Value) -> String {
    if v.is_null() {
        return String::new();
    }
    serde_saphyr::to_string(v).unwrap_or_else(|_| serde_json::to_string_pretty(v).unwrap_or_default())
}

/// kubectl's temporary file name for an object: `group.version.Kind.namespace.name`
/// (core group: `v1.Kind.namespace.name`).
fn file_name(v: &Value) -> String {
    let s = |p: &str| v.pointer(p).and_then(Value::as_str).unwrap_or("");
    let mut parts: Vec<&str> = s("/apiVersion").split('/').collect();
    parts.push(s("/kind"));
    if !s("/metadata/namespace").is_empty() {
        parts.push(s("/metadata/namespace"));
    }
    parts.push(s("/metadata/name"));
    parts.join(".")
}
