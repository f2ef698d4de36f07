//! Properties: diff(a, a) is empty in every mode; the patch turns normalized live into predicted
//! live; merge is idempotent; arbitrary JSON never panics; masking never leaks a value.

use gitops_diff::{DiffMode, DiffOptions, RenderOptions, diff, mask, merge};
use proptest::prelude::*;
use serde_json::{Map, Value, json};

fn scalar() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        (-1000i64..1000).prop_map(Value::from),
        "[a-z0-9]{0,6}".prop_map(Value::String),
    ]
}

fn json_value() -> impl Strategy<Value = Value> {
    scalar().prop_recursive(3, 24, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            prop::collection::btree_map("[a-z]{1,4}", inner, 0..4)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

/// A Deployment-like object with random content in the interesting places.
fn object() -> impl Strategy<Value = Value> {
    (
        prop::sample::select(vec![("apps/v1", "Deployment"), ("v1", "ConfigMap"), ("v1", "Service"), ("example.com/v1", "Widget")]),
        prop::collection::btree_map("[a-z]{1,3}", "[a-z]{0,3}", 0..3),
        json_value(),
        prop::collection::vec(("[a-c]", "[a-z]{1,4}", 1i64..4), 0..3),
    )
        .prop_map(|((api_version, kind), labels, extra, containers)| {
            let containers: Vec<Value> =
                containers.into_iter().map(|(name, image, port)| json!({"name": name, "image": image, "ports": [{"containerPort": port}]})).collect();
            let mut o = json!({"apiVersion": api_version, "kind": kind,
                "metadata": {"name": "x", "namespace": "d", "labels": labels},
                "spec": {"extra": extra, "template": {"spec": {"containers": containers}}}});
            if let Some(m) = o.as_object_mut() {
                m.insert("data".into(), json!({"k": "v"}));
            }
            o
        })
}

const MODES: [DiffMode; 4] = [
    DiffMode::Auto,
    DiffMode::TwoWay,
    DiffMode::ThreeWay,
    DiffMode::StructuredMerge,
];

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn diff_of_an_object_with_itself_is_empty(a in object()) {
        for mode in MODES {
            let d = diff(&a, &a, &DiffOptions::default().with_mode(mode)).unwrap();
            prop_assert!(!d.modified, "{mode:?}: {:?}", d.changes);
            prop_assert!(d.changes.is_empty());
            prop_assert!(d.patch.0.is_empty());
        }
    }

    #[test]
    fn patch_turns_normalized_live_into_predicted_live(a in object(), b in object()) {
        for mode in MODES {
            let d = diff(&a, &b, &DiffOptions::default().with_mode(mode).with_mask_secrets(false)).unwrap();
            let mut patched = d.normalized_live.clone();
            json_patch::patch(&mut patched, &d.patch).unwrap();
            prop_assert_eq!(&patched, &d.predicted_live);
            prop_assert_eq!(d.modified, !d.changes.is_empty());
            let fast = gitops_diff::is_modified(&a, &b, &DiffOptions::default().with_mode(mode)).unwrap();
            prop_assert_eq!(fast, d.modified, "is_modified disagrees with diff in {:?}", mode);
        }
    }

    #[test]
    fn merge_apply_is_idempotent(a in object(), b in object()) {
        let first = merge::apply(None, &a, "m1", true).unwrap().object;
        let second = merge::apply(Some(&first), &b, "m2", true).unwrap().object;
        let again = merge::apply(Some(&second), &b, "m2", true).unwrap();
        prop_assert!(!again.changed, "{:#}", again.object);
        prop_assert_eq!(again.object, second);
    }

    #[test]
    fn arbitrary_json_never_panics(a in json_value(), b in json_value(), c in json_value()) {
        for mode in MODES {
            let _ = diff(&a, &b, &DiffOptions::default().with_mode(mode));
        }
        let _ = gitops_diff::diff_server_side(&a, &b, &c, &DiffOptions::default());
        let _ = merge::apply(Some(&a), &b, "m", false);
        let _ = merge::update(Some(&a), &b, "m");
    }

    #[test]
    fn masking_never_leaks_secret_values(
        values in prop::collection::btree_map("[a-z]{1,5}", "[A-Za-z0-9]{6,12}", 1..4),
        live_values in prop::collection::btree_map("[a-z]{1,5}", "[A-Za-z0-9]{6,12}", 0..4),
    ) {
        let b64 = |m: &std::collections::BTreeMap<String, String>| -> Map<String, Value> {
            m.iter().map(|(k, v)| (k.clone(), Value::String(base64(v)))).collect()
        };
        let desired = json!({"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "s"}, "stringData": values.clone()});
        let live = json!({"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "s"}, "data": b64(&live_values)});
        for mode in MODES {
            let d = diff(&desired, &live, &DiffOptions::default().with_mode(mode)).unwrap();
            let outputs = [
                d.unified(&RenderOptions::default()),
                d.to_json().to_string(),
                format!("{d:?}"),
                d.normalized_live.to_string(),
                d.predicted_live.to_string(),
            ];
            for secret in values.values().chain(live_values.values()) {
                for text in &outputs {
                    prop_assert!(!text.contains(secret.as_str()), "raw value leaked");
                    prop_assert!(!text.contains(&base64(secret)), "base64 value leaked");
                }
            }
        }
        let mut a = desired.clone();
        mask::mask(&mut [Some(&mut a)], &mask::MaskRules::new());
        for secret in values.values() {
            prop_assert!(!a.to_string().contains(secret.as_str()));
        }
    }
}

fn base64(text: &str) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let bytes = text.as_bytes();
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let b = [chunk[0], *chunk.get(1).unwrap_or(&0), *chunk.get(2).unwrap_or(&0)];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            out.push(if i <= chunk.len() {
                char::from(ALPHABET[((n >> (18 - 6 * i)) & 63) as usize])
            } else {
                '='
            });
        }
    }
    out
}
