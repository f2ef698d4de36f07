//! Integration tests of gitops-health: one binary, one module per area.

// Helpers outside `#[test]` functions panic on broken fixtures, which is what a test wants.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod builtin;
mod conditions;
mod conformance;
#[cfg(feature = "lua")]
mod lua;
mod properties;

/// The first YAML document of `path` as JSON, duplicate keys resolved last-wins like Go's
/// YAML decoder (one upstream file repeats `updateStrategy`).
pub(crate) fn load_first_document(path: &std::path::Path) -> serde_json::Value {
    let text = std::fs::read_to_string(path).unwrap();
    let options = serde_saphyr::options! { duplicate_keys: serde_saphyr::DuplicateKeyPolicy::LastWins };
    let mut docs: Vec<serde_json::Value> = serde_saphyr::from_multiple_with_options(&text, options).unwrap();
    docs.remove(0)
}
