use std::{fmt::Write as _, process::Command, time::Duration};

use gitops_core::{Error, GroupKind, application::Application, load_bytes, tracking::TrackingMethod};
use serde_json::Value;

fn git_show(bare: &std::path::Path, path: &str) -> String {
    let out = Command::new("git")
        .arg("-C")
        .arg(bare)
        .args(["show", &format!("HEAD:{path}")])
        .output()
        .unwrap();
    assert!(out.status.success(), "git show {path}");
    String::from_utf8(out.stdout).unwrap()
}

/// Fills the argocd-example-apps `apps` Helm template with its `values.yaml`, doing by hand the
/// few template actions it uses (range, quote, default, printf, with/toYaml/nindent).
fn render_apps_chart(template: &str, values: &Value) -> String {
    let config = &values["config"]["spec"];
    let quote = |s: &str| format!("{s:?}");
    let mut out = String::new();
    for app in values["applications"].as_array().unwrap() {
        let name = app["name"].as_str().unwrap();
        let or_name = |field: &str| app.get(field).and_then(Value::as_str).unwrap_or(name).to_owned();
        let mut lines = template.lines().peekable();
        while let Some(line) = lines.next() {
            let t = line.trim();
            if t.starts_with("{{- range") || t.starts_with("{{- $config") || t.starts_with("{{ end") {
                continue;
            }
            if t == "{{- with .tool }}" {
                lines.next(); // {{- . | toYaml | nindent 4 }}
                lines.next(); // {{- end }}
                if let Some(tool) = app.get("tool").and_then(Value::as_object) {
                    for (k, v) in tool {
                        writeln!(out, "    {k}: {v}").unwrap();
                    }
                }
                continue;
            }
            let line = line
                .replace(
                    r#"{{ printf "example.%s" .name | quote }}"#,
                    &quote(&format!("example.{name}")),
                )
                .replace(
                    "{{ .namespace | default .name | quote }}",
                    &quote(&or_name("namespace")),
                )
                .replace("{{ .path | default .name | quote }}", &quote(&or_name("path")))
                .replace(
                    "{{ $config.spec.destination.server | quote }}",
                    &quote(config["destination"]["server"].as_str().unwrap()),
                )
                .replace(
                    "{{ $config.spec.source.repoURL }}",
                    config["source"]["repoURL"].as_str().unwrap(),
                )
                .replace(
                    "{{ $config.spec.source.targetRevision }}",
                    config["source"]["targetRevision"].as_str().unwrap(),
                );
            assert!(!line.contains("{{"), "unhandled template action: {line}");
            writeln!(out, "{line}").unwrap();
        }
    }
    out
}

#[test]
fn argocd_example_apps_applications_read_without_warnings() {
    let Some(bundle) = gitops_testkit::clone_bundle("argocd-example-apps") else {
        return;
    };
    let template = git_show(bundle.path(), "apps/templates/applications.yaml");
    let values: Value = serde_saphyr::from_str(&git_show(bundle.path(), "apps/values.yaml")).unwrap();
    let rendered = render_apps_chart(&template, &values);
    let manifests = load_bytes(rendered.as_bytes(), "apps/templates/applications.yaml").unwrap();
    assert_eq!(manifests.len(), values["applications"].as_array().unwrap().len());
    for m in &manifests {
        let app = Application::from_manifest(m).unwrap();
        assert!(app.warnings().is_empty(), "{}: {:?}", app.name, app.warnings());
        let short = app.name.strip_prefix("example.").unwrap();
        assert_eq!(app.namespace.as_deref(), Some("argocd"));
        assert_eq!(app.project, "default");
        assert_eq!(
            app.destination.server.as_deref(),
            Some("https://kubernetes.default.svc")
        );
        assert_eq!(app.destination.namespace.as_deref(), Some(short));
        let source = &app.sources()[0];
        assert_eq!(source.repo_url, "https://github.com/argoproj/argocd-example-apps");
        assert_eq!(source.target_revision_or_head(), "master");
        let policy = app.sync_policy.as_ref().unwrap();
        assert!(policy.is_automated());
        let automated = policy.automated.as_ref().unwrap();
        assert!(automated.prune && automated.self_heal && !automated.allow_empty);
        assert_eq!(app.sync_options().unwrap().create_namespace, Some(true));
        assert_eq!(app.tracking_method, TrackingMethod::Label);
    }
    let by_name = |n: &str| {
        let m = manifests.iter().find(|m| m.name() == n).unwrap();
        Application::from_manifest(m).unwrap()
    };
    let kasane = by_name("example.plugin-kasane");
    assert_eq!(kasane.sources()[0].path.as_deref(), Some("plugins/kasane"));
    assert_eq!(kasane.sources()[0].plugin.as_ref().unwrap()["name"], "kasane");
    let blue_green = by_name("example.blue-green");
    assert_eq!(
        blue_green.sources()[0].helm.as_ref().unwrap()["releaseName"],
        "blue-green"
    );
    assert_eq!(blue_green.sources()[0].path.as_deref(), Some("blue-green"));
}

#[test]
fn full_application_shape_is_read() {
    let yaml = br"
apiVersion: argoproj.io/v1alpha1
kind: Application
metadata:
  name: shop
  namespace: argocd
  annotations: {gitops.rs/tracking-method: annotation+label}
spec:
  sources:
  - repoURL: https://example.com/charts.git
    path: shop
    directory: {recurse: true, include: '*.yaml', exclude: '{secret.yaml,*.md}'}
  - repoURL: https://example.com/values.git
    ref: values
  destination: {name: prod, namespace: shop}
  syncPolicy:
    automated: {enabled: false, prune: true, allowEmpty: true}
    syncOptions: [PruneLast=true, ServerSideApply=true]
    retry: {limit: -1, backoff: {duration: 10s, factor: 3, maxDuration: 1h}}
    managedNamespaceMetadata: {labels: {team: a}}
  ignoreDifferences:
  - {group: apps, kind: Deployment, jsonPointers: [/spec/replicas]}
  - {group: '*', kind: '*', managedFieldsManagers: [kube-controller-manager]}
  revisionHistoryLimit: 3
";
    let app = Application::from_manifest(&load_bytes(yaml, "a.yaml").unwrap()[0]).unwrap();
    assert!(app.warnings().is_empty(), "{:?}", app.warnings());
    assert_eq!(app.sources().len(), 2);
    let dir = app.sources()[0].directory.as_ref().unwrap();
    assert!(dir.recurse);
    assert_eq!(
        (dir.include.as_deref(), dir.exclude.as_deref()),
        (Some("*.yaml"), Some("{secret.yaml,*.md}"))
    );
    assert_eq!(app.sources()[1].reference.as_deref(), Some("values"));
    assert_eq!(app.sources()[1].target_revision_or_head(), "HEAD");
    assert_eq!(app.destination.name.as_deref(), Some("prod"));
    let policy = app.sync_policy.as_ref().unwrap();
    assert!(!policy.is_automated(), "enabled: false turns automation off");
    let retry = policy.retry.as_ref().unwrap();
    assert_eq!(retry.limit, -1);
    assert_eq!(retry.backoff.duration, Duration::from_secs(10));
    assert_eq!(retry.backoff.delay(1), Duration::from_secs(30));
    assert_eq!(retry.backoff.max_duration, Duration::from_secs(3600));
    assert_eq!(
        policy.managed_namespace_metadata.as_ref().unwrap().labels["team"],
        "a"
    );
    let opts = app.sync_options().unwrap();
    assert_eq!(
        (opts.prune_last, opts.server_side_apply),
        (Some(true), Some(true))
    );
    assert!(app.ignore_differences[0].matches_kind(&GroupKind::new("apps", "Deployment")));
    assert!(!app.ignore_differences[0].matches_kind(&GroupKind::new("", "Deployment")));
    assert!(app.ignore_differences[1].matches_kind(&GroupKind::new("", "ConfigMap")));
    assert_eq!(app.revision_history_limit, Some(3));
    assert_eq!(app.tracking_method, TrackingMethod::AnnotationAndLabel);
}

#[test]
fn unknown_fields_become_warnings_with_paths() {
    let yaml = br"
apiVersion: argoproj.io/v1alpha1
kind: Application
metadata: {name: a}
spec:
  source: {repoURL: r, path: p, directry: {recurse: true}}
  destination: {server: s, cluster: x}
  syncPolicy: {automated: {prune: true, selfHeel: true}, retry: {limit: 1, backoff: {jitter: 1}}}
  ignoreDifferences: [{kind: Service, jsonPointer: /x}]
  syncWindows: []
status: {sync: {status: Synced}}
";
    let app = Application::from_manifest(&load_bytes(yaml, "a.yaml").unwrap()[0]).unwrap();
    let warnings: Vec<String> = app.warnings().iter().map(ToString::to_string).collect();
    assert_eq!(
        warnings,
        [
            "spec.syncWindows: unknown field",
            "spec.source.directry: unknown field",
            "spec.destination.cluster: unknown field",
            "spec.syncPolicy.automated.selfHeel: unknown field",
            "spec.syncPolicy.retry.backoff.jitter: unknown field",
            "spec.ignoreDifferences[0].jsonPointer: unknown field",
        ]
    );
}

#[test]
fn bad_applications_are_errors_naming_the_application() {
    let cases: [(&[u8], &str); 5] = [
        (b"apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n", "expected argoproj.io Application"),
        (b"apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata: {name: a}\n", "missing spec"),
        (b"apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata: {name: a}\nspec: {syncPolicy: {automated: {prune: sure}}}\n", "spec:"),
        (b"apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata: {name: a}\nspec: {syncPolicy: {retry: {backoff: {duration: soon}}}}\n", "invalid duration \"soon\""),
        (b"apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata: {name: a}\nspec: {syncPolicy: {syncOptions: [Prune=maybe]}}\n", "Prune=maybe"),
    ];
    for (yaml, expected) in cases {
        let m = load_bytes(yaml, "bad.yaml").unwrap().remove(0);
        let err = Application::from_manifest(&m)
            .and_then(|a| a.sync_options().map(|_| a))
            .unwrap_err();
        assert!(matches!(err, Error::InvalidApplication { .. }), "{err}");
        let msg = err.to_string();
        assert!(msg.contains("/a") && msg.contains(expected), "{msg}");
    }
}
