//! Object metadata rules: names, uids, timestamps and generated names.

use std::time::SystemTime;

use rand::RngExt as _;
use serde_json::{Map, Value};

/// `generateName` + 5 random characters (gitops-apply's shared generator with a random seed).
pub(crate) fn generated_name(prefix: &str) -> String {
    gitops_apply::simulation::generated_name(prefix, rand::rng().random())
}

/// A random RFC 4122 version-4 UUID, the form of `metadata.uid`.
pub(crate) fn new_uid() -> String {
    let bits: u128 = rand::rng().random();
    let bits = (bits & !(0xf << 76) | (0x4 << 76)) & !(0x3 << 62) | (0x2 << 62);
    let hex = format!("{bits:032x}");
    format!(
        "{}-{}-{}-{}-{}",
        &hex[0..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..32]
    )
}

/// Now, as `metav1.Time` (RFC 3339, seconds, UTC).
pub(crate) fn now() -> String {
    gitops_apply::simulation::format_rfc3339(SystemTime::now())
}

/// Validates a name for `kind`: a DNS-1123 label (63 characters) for Namespaces and Services, a
/// DNS-1123 subdomain (253 characters) otherwise. Returns the API server's message on failure.
pub(crate) fn validate_name(kind: &str, name: &str) -> Result<(), String> {
    let label = matches!(kind, "Namespace" | "Service");
    let max = if label { 63 } else { 253 };
    if name.len() > max {
        return Err(format!("must be no more than {max} characters"));
    }
    let part_ok = |part: &str| {
        !part.is_empty()
            && part
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
            && part.as_bytes()[0].is_ascii_alphanumeric()
            && part.as_bytes()[part.len() - 1].is_ascii_alphanumeric()
    };
    let ok = if label {
        part_ok(name)
    } else {
        name.split('.').all(part_ok)
    };
    if ok {
        Ok(())
    } else if label {
        Err(format!(
            "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and \
             must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used \
             for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?') (got {name:?})"
        ))
    } else {
        Err(format!(
            "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or \
             '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used \
             for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*') \
             (got {name:?})"
        ))
    }
}

/// `value` as a JSON object, replacing any other value by `{}` first.
#[expect(clippy::expect_used, reason = "the value was made an object just above")]
pub(crate) fn object_mut(value: &mut Value) -> &mut Map<String, Value> {
    if !value.is_object() {
        *value = Value::Object(Map::new());
    }
    value.as_object_mut().expect("made an object above")
}

/// `value[key]` as a JSON object, created (or replaced by `{}`) when it is not one.
pub(crate) fn child_object<'a>(value: &'a mut Value, key: &str) -> &'a mut Map<String, Value> {
    object_mut(
        object_mut(value)
            .entry(key)
            .or_insert_with(|| Value::Object(Map::new())),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_follow_dns_1123() {
        assert!(validate_name("ConfigMap", "a.b-c").is_ok());
        assert!(validate_name("Namespace", "a.b").is_err());
        assert!(validate_name("ConfigMap", "Upper").is_err());
        assert!(validate_name("ConfigMap", "-x").is_err());
        assert!(validate_name("Service", &"a".repeat(64)).is_err());
    }

    #[test]
    fn generated_names_and_uids_have_the_right_shape() {
        let name = generated_name("web-");
        assert_eq!(name.len(), 9);
        assert!(
            name[4..]
                .bytes()
                .all(|b| gitops_apply::simulation::NAME_SUFFIX_ALPHABET.contains(&b))
        );
        let uid = new_uid();
        assert_eq!(uid.len(), 36);
        assert_eq!(&uid[14..15], "4");
        assert_ne!(uid, new_uid());
    }
}
