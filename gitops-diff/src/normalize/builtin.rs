//! Built-in per-kind normalizations (gitops-engine `normalizeEndpoint`, `NormalizeSecret`, RBAC).

use std::cmp::Ordering;

use serde_json::{Map, Value};

/// Applies the per-kind normalizations to one side.
///
/// - `Secret`: `stringData` folded into base64 `data` (as the API server does), `null` data values
///   as `""`, empty `data` removed.
/// - `Endpoints`: subsets, their addresses and ports sorted; a port without protocol is `TCP`.
/// - `Role`/`ClusterRole`: an empty `rules` list is the same as none; with
///   `ignore_aggregated_roles`, a ClusterRole's `rules` are dropped when `aggregationRule` is set
///   on `aggregation_source` (the live object), since the aggregation controller fills them.
pub(crate) fn normalize_builtin(object: &mut Value, ignore_aggregated_roles: bool, live_aggregates: bool) {
    let (group, kind) = group_kind(object);
    let Some(builtin) = Builtin::of(group, kind) else {
        return;
    };
    let cluster_role = kind == "ClusterRole";
    let Some(map) = object.as_object_mut() else { return };
    match builtin {
        Builtin::Secret => normalize_secret(map),
        Builtin::Endpoints => normalize_endpoints(map),
        Builtin::Rbac => {
            if map
                .get("rules")
                .is_some_and(|r| r.as_array().is_some_and(Vec::is_empty) || r.is_null())
            {
                map.remove("rules");
            }
            if cluster_role && ignore_aggregated_roles && live_aggregates {
                map.remove("rules");
            }
        }
    }
}

/// Whether [`normalize_builtin`] has a normalization for this API group (`""` for the core
/// group) and kind: `Secret`, `Endpoints`, and RBAC `Role`/`ClusterRole`.
pub(crate) fn has_builtin(group: &str, kind: &str) -> bool {
    Builtin::of(group, kind).is_some()
}

/// The API group (`""` for the core group, from `apiVersion`) and kind of an object; `""` for
/// missing ones.
pub(crate) fn group_kind(object: &Value) -> (&str, &str) {
    let api_version = object.get("apiVersion").and_then(Value::as_str).unwrap_or("");
    let group = api_version.split_once('/').map_or("", |g| g.0);
    let kind = object.get("kind").and_then(Value::as_str).unwrap_or("");
    (group, kind)
}

/// The kinds with a built-in normalization: the one table of them.
#[derive(Debug, Clone, Copy)]
enum Builtin {
    Secret,
    Endpoints,
    Rbac,
}

impl Builtin {
    fn of(group: &str, kind: &str) -> Option<Self> {
        match (group, kind) {
            ("", "Secret") => Some(Self::Secret),
            ("", "Endpoints") => Some(Self::Endpoints),
            ("rbac.authorization.k8s.io", "Role" | "ClusterRole") => Some(Self::Rbac),
            _ => None,
        }
    }
}

fn normalize_secret(map: &mut Map<String, Value>) {
    let string_data = map.remove("stringData");
    if let Some(Value::Object(string_data)) = string_data {
        let data = map.entry("data").or_insert_with(|| Value::Object(Map::new()));
        if !data.is_object() {
            *data = Value::Object(Map::new());
        }
        if let Some(data) = data.as_object_mut() {
            for (k, v) in string_data {
                let text = match v {
                    Value::String(s) => s,
                    Value::Null => String::new(),
                    other => other.to_string(),
                };
                data.insert(k, Value::String(base64_encode(text.as_bytes())));
            }
        }
    }
    if let Some(data) = map.get_mut("data") {
        match data {
            Value::Object(d) => {
                for v in d.values_mut() {
                    if v.is_null() {
                        *v = Value::String(String::new());
                    }
                }
                if d.is_empty() {
                    map.remove("data");
                }
            }
            Value::Null => {
                map.remove("data");
            }
            _ => {}
        }
    }
}

fn normalize_endpoints(map: &mut Map<String, Value>) {
    let Some(Value::Array(subsets)) = map.get_mut("subsets") else {
        return;
    };
    for subset in subsets.iter_mut() {
        let Some(subset) = subset.as_object_mut() else {
            continue;
        };
        for field in ["addresses", "notReadyAddresses"] {
            if let Some(Value::Array(addresses)) = subset.get_mut(field) {
                addresses.sort_by(|a, b| cmp_field(a, b, "ip").then_with(|| cmp_json(a, b)));
            }
        }
        if let Some(Value::Array(ports)) = subset.get_mut("ports") {
            for port in ports.iter_mut() {
                if let Some(port) = port.as_object_mut() {
                    port.entry("protocol")
                        .or_insert_with(|| Value::String("TCP".into()));
                }
            }
            ports.sort_by(|a, b| {
                cmp_field(a, b, "port")
                    .then_with(|| cmp_field(a, b, "name"))
                    .then_with(|| cmp_field(a, b, "protocol"))
            });
        }
    }
    subsets.sort_by(cmp_json);
}

fn cmp_field(a: &Value, b: &Value, field: &str) -> Ordering {
    cmp_json(
        a.get(field).unwrap_or(&Value::Null),
        b.get(field).unwrap_or(&Value::Null),
    )
}

/// A total order on JSON values: by canonical text.
fn cmp_json(a: &Value, b: &Value) -> Ordering {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => {
            x.as_f64().partial_cmp(&y.as_f64()).unwrap_or(Ordering::Equal)
        }
        (Value::String(x), Value::String(y)) => x.cmp(y),
        _ => a.to_string().cmp(&b.to_string()),
    }
}

/// Standard base64 (RFC 4648, padded), as Kubernetes stores Secret `data`.
pub(crate) fn base64_encode(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            chunk.get(1).copied().unwrap_or(0),
            chunk.get(2).copied().unwrap_or(0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(char::from(ALPHABET[((n >> (18 - 6 * i)) & 63) as usize]));
            } else {
                out.push('=');
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn base64_matches_rfc4648_vectors() {
        for (raw, enc) in [
            ("", ""),
            ("f", "Zg=="),
            ("fo", "Zm8="),
            ("foo", "Zm9v"),
            ("foobar", "Zm9vYmFy"),
        ] {
            assert_eq!(base64_encode(raw.as_bytes()), enc);
        }
    }

    #[test]
    fn secret_string_data_folds_into_data() {
        let mut s =
            json!({"apiVersion": "v1", "kind": "Secret", "stringData": {"a": "foo"}, "data": {"b": null}});
        normalize_builtin(&mut s, false, false);
        assert_eq!(s["data"], json!({"a": "Zm9v", "b": ""}));
        assert!(s.get("stringData").is_none());
    }

    #[test]
    fn endpoints_sorted_with_default_protocol() {
        let mut e = json!({"apiVersion": "v1", "kind": "Endpoints", "subsets": [{
            "addresses": [{"ip": "10.0.0.2"}, {"ip": "10.0.0.1"}],
            "ports": [{"port": 90}, {"port": 80, "protocol": "UDP"}]}]});
        normalize_builtin(&mut e, false, false);
        assert_eq!(e["subsets"][0]["addresses"][0]["ip"], "10.0.0.1");
        assert_eq!(
            e["subsets"][0]["ports"],
            json!([{"port": 80, "protocol": "UDP"}, {"port": 90, "protocol": "TCP"}])
        );
    }
}
