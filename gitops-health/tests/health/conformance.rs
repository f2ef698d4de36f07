//! gitops-engine's health corpus (`../shared/conformance/gitops-engine/health`): every row of
//! `expected.tsv`, status and derived message.

use gitops_health::{HealthStatus, Registry};

#[test]
fn gitops_engine_health_corpus_matches_every_row() {
    let shared = gitops_testkit::require_shared!("the gitops-engine health corpus");
    let dir = shared.join("conformance/gitops-engine/health");
    let tsv = std::fs::read_to_string(dir.join("expected.tsv")).unwrap();
    let registry = Registry::default();
    let (mut rows, mut matched, mut failures) = (0, 0, Vec::new());
    for line in tsv.lines().skip(1).filter(|l| !l.trim().is_empty()) {
        let cols: Vec<&str> = line.split('\t').collect();
        let (file, expected_status, derived_message) = (cols[2], cols[6], cols[8]);
        rows += 1;
        let object = crate::load_first_document(&dir.join(file));
        let actual = registry.assess(&object).unwrap();
        let ok = match (expected_status, &actual) {
            ("nil", None) => true,
            (status, Some(health)) => {
                status.parse::<HealthStatus>().unwrap() == health.status && health.message == derived_message
            }
            _ => false,
        };
        if ok {
            matched += 1;
        } else {
            failures.push(format!(
                "{file}: expected {expected_status} {derived_message:?}, got {actual:?}"
            ));
        }
    }
    eprintln!("gitops-engine health conformance: {matched}/{rows} rows matched");
    assert_eq!(rows, 49, "the corpus has 49 rows");
    assert!(
        failures.is_empty(),
        "{} mismatches:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn argo_workflow_inline_cases() {
    let registry = Registry::default();
    let wf = |status: serde_json::Value| {
        serde_json::json!({"apiVersion": "argoproj.io/v1alpha1", "kind": "Workflow",
            "metadata": {"name": "wf"}, "status": status})
    };
    let running = registry
        .assess(&wf(serde_json::json!({"phase": "Running", "message": "m"})))
        .unwrap()
        .unwrap();
    assert_eq!(
        (running.status, running.message.as_str()),
        (HealthStatus::Progressing, "m")
    );
    let done = registry
        .assess(&wf(serde_json::json!({"phase": "Succeeded", "message": "ok"})))
        .unwrap()
        .unwrap();
    assert_eq!(
        (done.status, done.message.as_str()),
        (HealthStatus::Healthy, "ok")
    );
    let none = registry.assess(&wf(serde_json::Value::Null)).unwrap().unwrap();
    assert_eq!(
        (none.status, none.message.as_str()),
        (HealthStatus::Progressing, "")
    );
}
