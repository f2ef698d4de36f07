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
    let Some(then) = parse_rfc3339(created) else {
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

/// Parses `YYYY-MM-DDTHH:MM:SSZ`.
fn parse_rfc3339(text: &str) -> Option<SystemTime> {
    let num = |range: std::ops::Range<usize>| text.get(range)?.parse::<i64>().ok();
    let (year, month, day) = (num(0..4)?, num(5..7)?, num(8..10)?);
    let (hour, minute, second) = (num(11..13)?, num(14..16)?, num(17..19)?);
    // Howard Hinnant's days_from_civil.
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let doy = (153 * (month + if month > 2 { -3 } else { 9 }) + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    let secs = days * 86_400 + hour * 3600 + minute * 60 + second;
    Some(SystemTime::UNIX_EPOCH + Duration::from_secs(u64::try_from(secs).ok()?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps_round_trip_through_the_formatter() {
        let now = SystemTime::now();
        let text = gitops_apply::simulation::format_rfc3339(now);
        let parsed = parse_rfc3339(&text).unwrap();
        assert!(now.duration_since(parsed).unwrap() < Duration::from_secs(1));
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
