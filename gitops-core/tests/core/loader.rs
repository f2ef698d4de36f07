use std::{fmt::Write as _, process::Command};

use gitops_core::{Error, LoadOptions, load_bytes, load_bytes_with_options};

fn fixture(name: &str) -> String {
    std::fs::read_to_string(format!("{}/tests/fixtures/{name}", env!("CARGO_MANIFEST_DIR"))).unwrap()
}

#[test]
fn origins_carry_document_index_and_first_content_line() {
    let yaml = "# leading comment\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n---\n\n---  # empty\n# c\n\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: b}\n";
    let ms = load_bytes(yaml.as_bytes(), "dir/app.yaml").unwrap();
    let origins: Vec<String> = ms.iter().map(|m| m.origin().unwrap().to_string()).collect();
    assert_eq!(
        origins,
        [
            "dir/app.yaml (document 0, line 2)",
            "dir/app.yaml (document 2, line 10)"
        ]
    );
}

#[test]
fn lists_are_expanded() {
    let yaml = "apiVersion: v1\nkind: List\nitems:\n- {apiVersion: v1, kind: ConfigMap, metadata: {name: a}}\n- {apiVersion: v1, kind: Secret, metadata: {name: b}}\n---\napiVersion: v1\nkind: PodList\nitems: []\n";
    let ms = load_bytes(yaml.as_bytes(), "l.yaml").unwrap();
    let keys: Vec<String> = ms.iter().map(|m| m.key().to_string()).collect();
    assert_eq!(keys, ["/ConfigMap//a", "/Secret//b"]);
    // A kind ending in List without items is an ordinary object.
    let ms = load_bytes(
        b"apiVersion: example.com/v1\nkind: AllowList\nmetadata: {name: x}\n",
        "a.yaml",
    )
    .unwrap();
    assert_eq!(ms.len(), 1);
    // An item that is not an object is an error naming the list's origin.
    let err = load_bytes(b"apiVersion: v1\nkind: List\nitems: [3]\n", "bad.yaml").unwrap_err();
    assert!(
        matches!(err, Error::NotAnObject { .. }) && err.to_string().contains("bad.yaml (document 0, line 1)"),
        "{err}"
    );
}

#[test]
fn syntax_errors_give_file_line_and_column() {
    let yaml = "apiVersion: v1\nkind: A\nmetadata: {name: a}\n---\napiVersion: v1\nkind: B\nmetadata:\n  name: b\n  x: [1, 2\n";
    match load_bytes(yaml.as_bytes(), "x.yaml").unwrap_err() {
        Error::Parse {
            origin,
            line,
            column,
            message,
        } => {
            assert_eq!(origin, "x.yaml (document 1, line 5)");
            assert_eq!((line, column), (Some(9), Some(6)));
            assert!(message.contains("line 9"), "{message}");
        }
        other => panic!("{other}"),
    }
    let err = load_bytes(b"{\"apiVersion\": \"v1\",\n \"kind\": }", "x.json").unwrap_err();
    assert!(matches!(err, Error::Parse { line: Some(2), .. }), "{err}");
}

#[test]
fn content_after_a_separator_is_rejected_like_kubectl() {
    let err = load_bytes(
        b"apiVersion: v1\nkind: A\nmetadata: {name: a}\n--- {kind: B}\n",
        "s.yaml",
    )
    .unwrap_err();
    assert!(matches!(err, Error::Parse { line: Some(4), .. }), "{err}");
}

#[test]
fn duplicate_keys_are_rejected_with_their_line() {
    let err = load_bytes(
        b"apiVersion: v1\nkind: A\nmetadata:\n  name: a\n  name: b\n",
        "d.yaml",
    )
    .unwrap_err();
    let msg = err.to_string();
    assert!(matches!(err, Error::Parse { line: Some(5), .. }), "{msg}");
    assert!(msg.contains("name"), "{msg}");
}

#[test]
fn documents_that_are_not_mappings_are_rejected() {
    for doc in ["just a string\n", "- a\n- b\n", "42\n"] {
        let err = load_bytes(doc.as_bytes(), "n.yaml").unwrap_err();
        assert!(matches!(err, Error::NotAnObject { .. }), "{doc:?}: {err}");
    }
    // `null` documents are skipped, like empty ones.
    assert!(load_bytes(b"---\n~\n---\nnull\n", "n.yaml").unwrap().is_empty());
}

#[test]
fn identity_fields_are_required_but_generate_name_is_enough() {
    for (doc, field) in [
        ("kind: A\nmetadata: {name: a}\n", "apiVersion"),
        ("apiVersion: v1\nmetadata: {name: a}\n", "kind"),
        ("apiVersion: v1\nkind: A\n", "metadata.name"),
        ("apiVersion: v1\nkind: A\nmetadata: {name: ''}\n", "metadata.name"),
    ] {
        let err = load_bytes(doc.as_bytes(), "m.yaml").unwrap_err();
        assert!(
            matches!(err, Error::MissingField { field: f, .. } if f == field),
            "{doc:?}: {err}"
        );
    }
    let ms = load_bytes(
        b"apiVersion: batch/v1\nkind: Job\nmetadata: {generateName: hook-, annotations: {helm.sh/hook: pre-install}}\n",
        "h.yaml",
    )
    .unwrap();
    assert_eq!(ms[0].key().name, "hook-");
    assert_eq!(ms[0].name(), "");
    // Not a hook: kubectl apply could not create it.
    let err = load_bytes(
        b"apiVersion: batch/v1\nkind: Job\nmetadata: {generateName: job-}\n",
        "j.yaml",
    )
    .unwrap_err();
    assert!(
        err.to_string().contains("generateName is only allowed on hooks"),
        "{err}"
    );
}

#[test]
fn secret_values_never_show_in_debug() {
    let yaml = b"apiVersion: v1\nkind: Secret\nmetadata: {name: s}\ndata: {password: aHVudGVyMg==}\nstringData: {token: hunter2}\n";
    let debug = format!("{:?}", load_bytes(yaml, "s.yaml").unwrap());
    assert!(
        !debug.contains("hunter2") && !debug.contains("aHVudGVyMg=="),
        "{debug}"
    );
    assert!(debug.contains("password") && debug.contains("***"), "{debug}");
}

#[test]
fn billion_laughs_is_rejected_quickly() {
    let mut yaml = String::from(
        "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: lol}\na0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]\n",
    );
    for i in 1..10 {
        let prev = i - 1;
        let items = vec![format!("*a{prev}"); 10].join(", ");
        writeln!(yaml, "a{i}: &a{i} [{items}]").unwrap();
    }
    let err = load_bytes(yaml.as_bytes(), "lol.yaml").unwrap_err();
    assert!(matches!(err, Error::Parse { .. }), "{err}");
    // A few aliases are fine.
    let ok = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a, labels: &l {app: web}}\ndata: {x: y}\nextra: *l\n";
    assert_eq!(
        load_bytes(ok.as_bytes(), "ok.yaml").unwrap()[0].as_value()["extra"]["app"],
        "web"
    );
}

#[test]
fn nesting_and_size_limits_hold_for_yaml_and_json() {
    let deep = format!(
        "apiVersion: v1\nkind: A\nmetadata: {{name: a}}\nx: {}{}\n",
        "[".repeat(10_000),
        "]".repeat(10_000)
    );
    assert!(load_bytes(deep.as_bytes(), "deep.yaml").is_err());
    let json = format!(
        "{{\"apiVersion\":\"v1\",\"kind\":\"A\",\"metadata\":{{\"name\":\"a\"}},\"x\":{}{}}}",
        "[".repeat(120),
        "]".repeat(120)
    );
    assert!(matches!(
        load_bytes(json.as_bytes(), "deep.json").unwrap_err(),
        Error::TooDeep { limit: 100, .. }
    ));
    let shallow = LoadOptions::default().max_depth(3);
    let three = b"apiVersion: v1\nkind: A\nmetadata: {name: a, labels: {x: y}}\n";
    assert!(load_bytes_with_options(three, "ok.yaml", &shallow).is_ok());
    let four = b"apiVersion: v1\nkind: A\nmetadata: {name: a, labels: {x: [y]}}\n";
    assert!(load_bytes_with_options(four, "deep.yaml", &shallow).is_err());

    let small = LoadOptions::default().max_document_bytes(64);
    let big = format!(
        "apiVersion: v1\nkind: A\nmetadata: {{name: a}}\ndata: {{x: {}}}\n",
        "y".repeat(100)
    );
    assert!(matches!(
        load_bytes_with_options(big.as_bytes(), "big.yaml", &small),
        Err(Error::DocumentTooLarge { limit: 64, .. })
    ));
    let big_json = format!(
        "{{\"apiVersion\":\"v1\",\"kind\":\"A\",\"metadata\":{{\"name\":\"{}\"}}}}",
        "a".repeat(100)
    );
    assert!(matches!(
        load_bytes_with_options(big_json.as_bytes(), "big.json", &small),
        Err(Error::DocumentTooLarge { .. })
    ));
}

#[test]
fn invalid_utf8_and_non_finite_numbers_are_errors() {
    assert!(matches!(
        load_bytes(b"apiVersion: v1\xff\n", "u.yaml").unwrap_err(),
        Error::NotUtf8 { offset: 14, .. }
    ));
    assert!(
        load_bytes(
            b"apiVersion: v1\nkind: A\nmetadata: {name: a}\nx: .inf\n",
            "f.yaml"
        )
        .is_err()
    );
}

#[test]
fn unsupported_keys_are_errors() {
    for doc in ["x: {~: z}", "x: {[a, b]: seq}", "x: {? {a: 1} : m}"] {
        let yaml = format!("apiVersion: v1\nkind: A\nmetadata: {{name: a}}\n{doc}\n");
        assert!(
            matches!(load_bytes(yaml.as_bytes(), "k.yaml"), Err(Error::Parse { .. })),
            "{doc}"
        );
    }
}

#[test]
fn json_streams_carry_lines() {
    let json = "[{\"apiVersion\":\"v1\",\"kind\":\"A\",\"metadata\":{\"name\":\"a\"}}]\n\n{\"apiVersion\":\"v1\",\"kind\":\"B\",\"metadata\":{\"name\":\"b\"}}";
    let ms = load_bytes(json.as_bytes(), "j.json").unwrap();
    let origins: Vec<String> = ms.iter().map(|m| m.origin().unwrap().to_string()).collect();
    assert_eq!(
        origins,
        ["j.json (document 0, line 1)", "j.json (document 1, line 3)"]
    );
}

/// The documented YAML 1.1 table, checked value by value.
#[test]
fn yaml_1_1_scalars_load_as_documented() {
    let m = load_bytes(fixture("yaml11-scalars.yaml").as_bytes(), "s.yaml")
        .unwrap()
        .remove(0);
    let data = &m.as_value()["data"];
    let expected = serde_json::json!({
        "bool-yes": true, "bool-no": false, "bool-on": true, "bool-off": false, "bool-y": true, "bool-n": false,
        "bool-true": true, "bool-false": false, "quoted-yes": "yes", "octal": 493, "octal-12": 493, "not-octal": 8,
        "leading-zeros": 7, "quoted-octal": "0755", "str-tag-octal": "0755", "hex": 31, "binary": 5,
        "underscores": 1000, "float": 1.5, "integral-float": 1, "exponent": 1000, "float-tag": 3, "int-tag": 12,
        "negative-zero": 0, "plus": 12, "tilde": null, "null-word": null, "quoted-tilde": "~", "date": "2001-12-14",
        "timestamp": "2001-12-14T21:59:43.10-05:00", "sexagesimal": "1:20", "binary-tag": "hello",
        "custom-tag": "value", "1": "numeric key", "2.5": "float key", "true": "bool key",
        "merged": {"inherited": 1, "overridden": 2},
    });
    assert_eq!(data, &expected);
}

/// The same fixture through kubectl: what `kubectl apply` would send must equal what we load.
#[test]
fn yaml_1_1_scalars_match_what_kubectl_sends() {
    let path = format!(
        "{}/tests/fixtures/yaml11-scalars.yaml",
        env!("CARGO_MANIFEST_DIR")
    );
    // `label --local` runs kubectl's own file reader without contacting a cluster.
    let output = match Command::new("kubectl")
        .args(["label", "--local", "-o", "json", "-f", &path, "probe=1"])
        .output()
    {
        Ok(o) if o.status.success() => o,
        Ok(o) => {
            eprintln!("SKIPPED: kubectl failed: {}", String::from_utf8_lossy(&o.stderr));
            return;
        }
        Err(e) => {
            eprintln!("SKIPPED: kubectl not runnable: {e}");
            return;
        }
    };
    let mut sent: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    sent["metadata"].as_object_mut().unwrap().remove("labels");
    let ours = load_bytes(fixture("yaml11-scalars.yaml").as_bytes(), "s.yaml")
        .unwrap()
        .remove(0)
        .into_value();
    assert_eq!(ours, sent);
}

#[test]
fn the_same_resource_twice_names_both_origins() {
    let a = load_bytes(
        b"apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c, namespace: x}\n",
        "a.yaml",
    )
    .unwrap();
    let b = load_bytes(
        b"# header\n---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n  namespace: x\n",
        "b.yaml",
    )
    .unwrap();
    let err = gitops_core::ManifestSet::from_manifests(a.into_iter().chain(b)).unwrap_err();
    assert_eq!(
        err.to_string(),
        "resource /ConfigMap/x/c appears twice: in a.yaml (document 0, line 1) and in b.yaml (document 1, line 3)"
    );
}
