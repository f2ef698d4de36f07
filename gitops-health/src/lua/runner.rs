//! The `health_test.yaml` runner.

use std::path::{Path, PathBuf};

use serde_json::Value;

use super::{LuaError, LuaHealth};
use crate::object::type_of;

/// One failed `health_test.yaml` case.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct HealthTestFailure {
    /// The `health_test.yaml` file.
    pub test_file: PathBuf,
    /// The input file (`inputPath` resolved against the test file's directory).
    pub input: PathBuf,
    /// Expected `status` and `message` (`""` when absent).
    pub expected: (String, String),
    /// Actual status (`""` for no health) and message, or the error text as message when the
    /// case could not run (unreadable input, no script).
    pub actual: (String, String),
}

/// The outcome of [`run_health_tests`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct HealthTestReport {
    /// Number of `health_test.yaml` files found.
    pub files: usize,
    /// Cases whose status and message matched exactly.
    pub passed: usize,
    /// Cases that did not, in file order.
    pub failures: Vec<HealthTestFailure>,
}

impl HealthTestReport {
    /// Number of failed cases.
    pub fn failed(&self) -> usize {
        self.failures.len()
    }
}

/// Loads every script under `dir` (a `resource_customizations` layout, see
/// [`LuaHealth::load_dir`]) and runs every case of every `health_test.yaml` under it, as Argo
/// CD's own test does: each input (the first YAML document of `inputPath`, relative to the
/// test file) is assessed by the script Argo CD would pick for the input's group and kind
/// (not necessarily the listing directory's), and status and message must match byte for
/// byte (a missing expected message is `""`; no health is status `""`). Keys of the test file
/// match case-insensitively (`inputpath` works).
///
/// # Errors
/// [`LuaError::Io`] when `dir` cannot be read, [`LuaError::InvalidFile`] for a malformed
/// `health_test.yaml`. Problems with single cases (missing input, no script) are failures.
pub fn run_health_tests(dir: impl AsRef<Path>, lua: &LuaHealth) -> Result<HealthTestReport, LuaError> {
    let mut test_files = Vec::new();
    collect_test_files(dir.as_ref(), &mut test_files)?;
    test_files.sort();
    let mut report = HealthTestReport {
        files: test_files.len(),
        ..HealthTestReport::default()
    };
    for test_file in test_files {
        let text = std::fs::read_to_string(&test_file).map_err(|source| LuaError::Io {
            path: test_file.clone(),
            source,
        })?;
        let invalid = |message: String| LuaError::InvalidFile {
            path: test_file.clone(),
            message,
        };
        let parsed: Value = serde_saphyr::from_str(&text).map_err(|err| invalid(err.to_string()))?;
        let Some(Value::Array(cases)) = get(&parsed, "tests") else {
            return Err(invalid("expected a `tests` list".to_owned()));
        };
        let base = test_file.parent().unwrap_or(Path::new("."));
        for case in cases {
            let Some(input) = get(case, "inputPath").and_then(Value::as_str) else {
                return Err(invalid("a test case without inputPath".to_owned()));
            };
            let expected_health = get(case, "healthStatus");
            let field = |name: &str| {
                expected_health
                    .and_then(|h| get(h, name))
                    .and_then(Value::as_str)
                    .unwrap_or("")
                    .to_owned()
            };
            let expected = (field("status"), field("message"));
            let input = base.join(input);
            let actual = run_case(lua, &input);
            if actual == expected {
                report.passed += 1;
            } else {
                report.failures.push(HealthTestFailure {
                    test_file: test_file.clone(),
                    input,
                    expected,
                    actual,
                });
            }
        }
    }
    Ok(report)
}

/// `(status, message)` of one input; errors are reported as status `""` with the error text.
fn run_case(lua: &LuaHealth, input: &Path) -> (String, String) {
    let object = match load_first_document(input) {
        Ok(object) => object,
        Err(err) => return (String::new(), err.to_string()),
    };
    let (group, kind) = match type_of(&object) {
        Ok((group, _, kind)) => (group, kind),
        Err(err) => return (String::new(), err.to_string()),
    };
    match lua.assess_kind(&object, group, kind) {
        None => {
            let key = if group.is_empty() {
                kind.to_owned()
            } else {
                format!("{group}/{kind}")
            };
            (String::new(), format!("no health script for {key}"))
        }
        Some(Ok(None)) => (String::new(), String::new()),
        Some(Ok(Some(health))) => (health.status.to_string(), health.message),
        Some(Err(err)) => ("Unknown".to_owned(), err.to_string()),
    }
}

/// The first YAML document of `path`; duplicate keys keep the last value, like Go's decoder.
pub(crate) fn load_first_document(path: &Path) -> Result<Value, LuaError> {
    let text = std::fs::read_to_string(path).map_err(|source| LuaError::Io {
        path: path.to_owned(),
        source,
    })?;
    let options = serde_saphyr::options! { duplicate_keys: serde_saphyr::DuplicateKeyPolicy::LastWins };
    let invalid = |message: String| LuaError::InvalidFile {
        path: path.to_owned(),
        message,
    };
    let docs: Vec<Value> =
        serde_saphyr::from_multiple_with_options(&text, options).map_err(|err| invalid(err.to_string()))?;
    docs.into_iter()
        .find(|d| !d.is_null())
        .ok_or_else(|| invalid("no YAML document".to_owned()))
}

/// A mapping member matched case-insensitively, exact spelling first.
fn get<'a>(value: &'a Value, name: &str) -> Option<&'a Value> {
    let map = value.as_object()?;
    map.get(name).or_else(|| {
        map.iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v)
    })
}

fn collect_test_files(dir: &Path, out: &mut Vec<PathBuf>) -> Result<(), LuaError> {
    let entries = std::fs::read_dir(dir).map_err(|source| LuaError::Io {
        path: dir.to_owned(),
        source,
    })?;
    for entry in entries {
        let path = entry
            .map_err(|source| LuaError::Io {
                path: dir.to_owned(),
                source,
            })?
            .path();
        if path.is_dir() {
            collect_test_files(&path, out)?;
        } else if path.file_name().is_some_and(|n| n == "health_test.yaml") {
            out.push(path);
        }
    }
    Ok(())
}
