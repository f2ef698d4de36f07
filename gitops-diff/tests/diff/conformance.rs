//! The gitops-engine diff corpus (`../shared/conformance/gitops-engine/diff`): every row of
//! `expected.tsv` must give the asserted `Modified` flag and the other facts the row states.

use std::path::Path;

use gitops_diff::{DiffMode, DiffOptions, Normalizer, RenderOptions, ResourceDiff, diff, diff_server_side};
use serde_json::{Value, json};

const DIR: &str = "conformance/gitops-engine/diff";
const MANAGER: &str = "argocd-controller";

pub(crate) fn load(path: &Path) -> Value {
    let text = std::fs::read_to_string(path).unwrap();
    if path.extension().is_some_and(|e| e == "json") {
        serde_json::from_str(&text).unwrap()
    } else {
        serde_saphyr::from_str(&text).unwrap()
    }
}

/// Removes `spec.sessionAffinity` (the normalizer of the "ignoreDifferences" row).
#[derive(Debug)]
struct DropSessionAffinity;

impl Normalizer for DropSessionAffinity {
    fn normalize(&self, object: &mut Value) {
        if let Some(spec) = object.get_mut("spec").and_then(Value::as_object_mut) {
            spec.remove("sessionAffinity");
        }
    }
}

struct Row {
    test: String,
    mode: String,
    config: String,
    live: String,
    predicted: String,
    options: String,
    expected: bool,
}

fn rows(dir: &Path) -> Vec<Row> {
    let text = std::fs::read_to_string(dir.join("expected.tsv")).unwrap();
    text.lines()
        .skip(1)
        .filter(|l| !l.trim().is_empty())
        .map(|l| {
            let c: Vec<&str> = l.split('\t').collect();
            Row {
                test: c[0].into(),
                mode: c[1].into(),
                config: c[2].into(),
                live: c[3].into(),
                predicted: c[4].into(),
                options: c[5].into(),
                expected: c[6] == "true",
            }
        })
        .collect()
}

fn run(dir: &Path, row: &Row) -> ResourceDiff {
    let mut config = load(&dir.join(&row.config));
    let mut live = load(&dir.join(&row.live));
    let mut options = DiffOptions::default()
        .with_manager(MANAGER)
        .with_ignore_aggregated_roles(row.options.contains("IgnoreAggregatedRoles=true"));
    match row.test.as_str() {
        "TestThreeWayDiffExample2WithDifference" => {
            let labels = config["metadata"]["labels"].as_object_mut().unwrap();
            labels.insert("foo".into(), json!("bar"));
            labels.insert("chart".into(), json!("elasticsearch-1.7.1"));
            labels.remove("release");
        }
        "TestRedactedSecretData" => {
            for k in ["wordpress-password", "smtp-password"] {
                config["data"][k] = json!("++++++++");
                live["data"][k] = json!("++++++++++++");
            }
        }
        _ => {}
    }
    if row.options.contains("ignoreMutationWebhook=false") {
        options = options.with_ignore_mutation_webhook(false);
    }
    if row.options.contains("normalizer removes spec.sessionAffinity") {
        options = options.with_normalizer(DropSessionAffinity);
    }
    match row.mode.as_str() {
        "structured-merge-diff" => {
            diff(&config, &live, &options.with_mode(DiffMode::StructuredMerge)).unwrap()
        }
        "server-side-diff" => {
            let predicted = load(&dir.join(&row.predicted));
            diff_server_side(&config, &live, &predicted, &options).unwrap()
        }
        _ => {
            let d = diff(&config, &live, &options).unwrap();
            assert_eq!(
                gitops_diff::is_modified(&config, &live, &options).unwrap(),
                d.modified,
                "{}",
                row.test
            );
            d
        }
    }
}

fn containers(v: &Value) -> &Vec<Value> {
    v.pointer("/spec/template/spec/containers")
        .and_then(Value::as_array)
        .unwrap()
}

fn container_ports(v: &Value, name: &str) -> Vec<Value> {
    containers(v)
        .iter()
        .find(|c| c["name"] == name)
        .and_then(|c| c["ports"].as_array())
        .map(|p| p.iter().map(|p| p["containerPort"].clone()).collect())
        .unwrap_or_default()
}

fn last_applied(v: &Value) -> Option<&Value> {
    v.pointer("/metadata/annotations/kubectl.kubernetes.io~1last-applied-configuration")
}

/// Checks the row's other asserted facts; returns a description of the first mismatch.
fn check_facts(row: &Row, d: &ResourceDiff) -> Result<(), String> {
    let (p, l) = (&d.predicted_live, &d.normalized_live);
    let ok = |cond: bool, what: &str| if cond { Ok(()) } else { Err(what.to_owned()) };
    match row.test.as_str() {
        "TestThreeWayDiffExample2WithDifference" => {
            let text = d.unified(&RenderOptions::default().with_context(0));
            let changed: Vec<&str> = text
                .lines()
                .filter(|l| {
                    (l.starts_with('+') || l.starts_with('-'))
                        && !l.starts_with("+++")
                        && !l.starts_with("---")
                })
                .collect();
            let mut sorted = changed.clone();
            sorted.sort_unstable();
            ok(
                sorted
                    == [
                        "+    chart: elasticsearch-1.7.1",
                        "+    foo: bar",
                        "-    chart: elasticsearch-1.7.0",
                        "-    release: elasticsearch4",
                    ],
                &format!("unified diff lines {changed:?}"),
            )
        }
        "TestStructuredMergeDiff/will apply default values"
        | "TestServerSideDiff/will ignore modifications done by mutation webhook by default" => {
            ok(
                p.pointer("/spec/internalTrafficPolicy") == Some(&json!("Cluster")),
                "predicted internalTrafficPolicy",
            )?;
            ok(
                l.pointer("/spec/internalTrafficPolicy") == Some(&json!("Cluster")),
                "live internalTrafficPolicy",
            )?;
            ok(
                last_applied(p).is_none() && last_applied(l).is_none(),
                "last-applied annotation kept",
            )?;
            if row.test.starts_with("TestServerSideDiff") {
                ok(
                    p.pointer("/metadata/labels/event").is_none(),
                    "webhook label kept",
                )?;
            }
            Ok(())
        }
        "TestStructuredMergeDiff/will remove entries in list" => ok(
            p.pointer("/spec/ports").and_then(Value::as_array).map(Vec::len) == Some(2),
            "predicted ports != 2",
        ),
        "TestStructuredMergeDiff/will remove previously added fields not present in desired state" => ok(
            p.pointer("/spec/type") == Some(&json!("ClusterIP")),
            "predicted spec.type",
        ),
        "TestStructuredMergeDiff/will apply service with multiple ports" => ok(
            p.pointer("/spec/ports").and_then(Value::as_array).map(Vec::len) == Some(5),
            "predicted ports != 5",
        ),
        "TestStructuredMergeDiff/will apply deployment defaults correctly" => {
            ok(containers(p).len() == 1, "containers")?;
            ok(
                p.pointer("/spec/strategy/rollingUpdate/maxSurge") == Some(&json!("25%")),
                "maxSurge",
            )?;
            ok(
                p.pointer("/spec/template/spec/dnsPolicy") == Some(&json!("ClusterFirst")),
                "dnsPolicy",
            )
        }
        "TestServerSideDiff/will test removing some field with undoing changes done by webhook" => {
            for v in [p, l] {
                ok(containers(v).len() == 1, "containers")?;
                let req = &containers(v)[0]["resources"]["requests"];
                ok(
                    req["cpu"] == json!("500m") && req["memory"] == json!("512Mi"),
                    "requests",
                )?;
            }
            Ok(())
        }
        "TestServerSideDiff/will include mutation webhook modifications" => ok(
            p.pointer("/metadata/labels/event").is_some(),
            "webhook label dropped",
        ),
        "TestServerSideDiff/will include nested fields like ports and env" => {
            ok(
                container_ports(p, containers(p)[0]["name"].as_str().unwrap()) == [json!(80), json!(443)],
                "predicted ports",
            )?;
            let env: Vec<&Value> = containers(p)[0]["env"]
                .as_array()
                .unwrap()
                .iter()
                .map(|e| &e["name"])
                .collect();
            ok(env == [&json!("ENV_VAR1"), &json!("ENV_VAR2")], "predicted env")?;
            ok(
                containers(l)[0]["ports"].as_array().map(Vec::len) == Some(1),
                "live ports",
            )
        }
        "TestServerSideDiff/will add an extra container using kubectl apply and include mutation webhook" => {
            let name = "main-container";
            ok(
                container_ports(p, name) == [json!(80), json!(40)],
                &format!("predicted ports {:?}", container_ports(p, name)),
            )?;
            ok(
                last_applied(p).is_none() && last_applied(l).is_none(),
                "last-applied annotation kept",
            )
        }
        "TestServerSideDiff/will reflect deletion of labels in predicted live" => {
            ok(
                p.pointer("/metadata/labels/delete-me").is_none(),
                "label kept in predicted",
            )?;
            ok(
                l.pointer("/metadata/labels/delete-me").is_some(),
                "label missing from live",
            )
        }
        "TestServerSideDiff/will respect ignoreDifferences when full normalization is not skipped" => {
            ok(
                p.pointer("/spec/sessionAffinity").is_none() && l.pointer("/spec/sessionAffinity").is_none(),
                "sessionAffinity",
            )?;
            ok(
                p.pointer("/spec/ports").is_some() && p.pointer("/spec/selector").is_some(),
                "ports/selector",
            )
        }
        "TestServerSideDiff/will preserve composite key fields during diff" => {
            ok(containers(p).len() == 2, "containers")?;
            let ports = |v: &Value| {
                containers(v)
                    .iter()
                    .find(|c| c["name"] == "nginx")
                    .and_then(|c| c["ports"].as_array())
                    .cloned()
                    .unwrap_or_default()
            };
            ok(ports(p).len() == 3 && ports(l).len() == 2, "nginx ports")?;
            ok(ports(p).iter().all(|port| port["protocol"] == "TCP"), "protocols")
        }
        _ => Ok(()),
    }
}

#[test]
fn gitops_engine_diff_corpus() {
    let shared = gitops_testkit::require_shared!("the gitops-engine diff corpus");
    let dir = shared.join(DIR);
    let rows = rows(&dir);
    assert_eq!(rows.len(), 25);
    let mut failures = Vec::new();
    for row in &rows {
        let d = run(&dir, row);
        if d.modified != row.expected {
            failures.push(format!(
                "{}: modified={} expected {}\n{}",
                row.test,
                d.modified,
                row.expected,
                d.unified(&RenderOptions::default())
            ));
        } else if let Err(what) = check_facts(row, &d) {
            failures.push(format!("{}: {what}", row.test));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of 25 rows differ:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
