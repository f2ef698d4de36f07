//! `meta.k8s.io/v1` `Table` responses, for clients that ask with `Accept: ...;as=Table` (kubectl
//! get). Columns are the server's defaults for types without printer columns: Name and Age.

use std::time::{Duration, SystemTime};

use serde_json::{Value, json};

/// Whether the `Accept` header asks for a Table.
pub(crate) fn wants_table(accept: &str) -> bool {
    accept.split(',').any(|part| part.contains("as=Table"))
}

/// A Table of `objects`; `full` puts whole objects in the rows (`includeObject=Object`),
/// otherwise `PartialObjectMetadata`.
pub(crate) fn table(
    objects: &[Value],
    resource_version: &str,
    continue_token: Option<&str>,
    full: bool,
) -> Value {
    let rows: Vec<Value> = objects
        .iter()
        .map(|o| {
            let name = o.pointer("/metadata/name").cloned().unwrap_or(Value::Null);
            let created = o.pointer("/metadata/creationTimestamp").and_then(Value::as_str).unwrap_or_default();
            let object = if full {
                o.clone()
            } else {
                json!({"kind": "PartialObjectMetadata", "apiVersion": "meta.k8s.io/v1", "metadata": o.get("metadata")})
            };
            json!({"cells": [name, age(created)], "object": object})
        })
        .collect();
    let mut metadata = json!({"resourceVersion": resource_version});
    if let Some(token) = continue_token {
        metadata["continue"] = json!(token);
    }
    json!({
        "kind": "Table",
        "apiVersion": "meta.k8s.io/v1",
        "metadata": metadata,
        "columnDefinitions": [
            {"name": "Name", "type": "string", "format": "name", "description": "Name must be unique within a namespace.", "priority": 0},
            {"name": "Age", "type": "string", "format": "", "description": "Time since creation.", "priority": 0},
        ],
        "rows": rows,
    })
}

/// `kubectl`'s short age format (`45s`, `3m`, `2h`, `5d`) from an RFC 3339 timestamp.
fn age(created: &str) -> String {
    let Ok(then) = humantime::parse_rfc3339_weak(created) else {
        return "<unknown>".into();
    };
    let secs = SystemTime::now()
        .duration_since(then)
        .unwrap_or(Duration::ZERO)
        .as_secs();
    match secs {
        0..120 => format!("{secs}s"),
        120..7200 => format!("{}m", secs / 60),
        7200..172_800 => format!("{}h", secs / 3600),
        _ => format!("{}d", secs / 86_400),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ages_read_the_formatter_timestamps() {
        let now = SystemTime::now();
        let minutes_ago = gitops_apply::simulation::format_rfc3339(now - Duration::from_secs(300));
        assert_eq!(age(&minutes_ago), "5m");
        let just_now = gitops_apply::simulation::format_rfc3339(now);
        assert!(["0s", "1s"].contains(&age(&just_now).as_str()));
        assert_eq!(age("not a time"), "<unknown>");
    }

    #[test]
    fn tables_have_a_row_per_object() {
        let objects = [json!({"metadata": {"name": "a", "creationTimestamp": "2020-01-01T00:00:00Z"}})];
        let table = table(&objects, "7", None, false);
        assert_eq!(table["rows"][0]["cells"][0], "a");
        assert!(table["rows"][0]["cells"][1].as_str().unwrap().ends_with('d'));
        assert_eq!(table["rows"][0]["object"]["kind"], "PartialObjectMetadata");
        assert!(wants_table(
            "application/json;as=Table;v=v1;g=meta.k8s.io,application/json"
        ));
    }
}
