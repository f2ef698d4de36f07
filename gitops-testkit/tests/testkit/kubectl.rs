//! The issue's "Checked by kubectl" scenarios, run with the installed kubectl.

use std::{
    path::{Path, PathBuf},
    process::{Command, Output},
    time::Duration,
};

use gitops_testkit::emulator::Emulator;
use serde_json::Value;

use crate::{emulator, guestbook, managers};

/// kubectl pointed at one emulator, with its own HOME (discovery cache) and kubeconfig.
struct Kubectl {
    dir: tempfile::TempDir,
    kubeconfig: PathBuf,
}

impl Kubectl {
    /// `None` after a skip message when kubectl is not installed.
    fn new(emulator: &Emulator) -> Option<Self> {
        if Command::new("kubectl")
            .arg("version")
            .arg("--client")
            .output()
            .is_err()
        {
            eprintln!("SKIPPED: kubectl is not installed");
            return None;
        }
        let dir = tempfile::tempdir().unwrap();
        let kubeconfig = dir.path().join("kubeconfig");
        emulator.write_kubeconfig(&kubeconfig).unwrap();
        Some(Self { dir, kubeconfig })
    }

    fn command(&self, args: &[&str]) -> Command {
        let mut command = Command::new("kubectl");
        command
            .env("HOME", self.dir.path())
            .env("KUBECONFIG", &self.kubeconfig)
            .args(args);
        command
    }

    fn run(&self, args: &[&str]) -> Output {
        self.command(args).output().unwrap()
    }

    /// Runs and asserts success; returns stdout.
    fn ok(&self, args: &[&str]) -> String {
        let out = self.run(args);
        assert!(
            out.status.success(),
            "kubectl {args:?} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    }

    fn json(&self, args: &[&str]) -> Value {
        let mut all = args.to_vec();
        all.extend(["-o", "json"]);
        serde_json::from_str(&self.ok(&all)).unwrap()
    }

    fn write(&self, name: &str, text: &str) -> String {
        let path = self.dir.path().join(name);
        std::fs::write(&path, text).unwrap();
        path_str(&path)
    }
}

fn path_str(path: &Path) -> String {
    path.to_str().unwrap().to_string()
}

/// Writes the guestbook manifests into kubectl's directory; returns the directory.
fn guestbook_dir(kubectl: &Kubectl) -> Option<String> {
    let dir = kubectl.dir.path().join("guestbook");
    std::fs::create_dir_all(&dir).unwrap();
    for (file, text) in guestbook()? {
        std::fs::write(dir.join(Path::new(&file).file_name().unwrap()), text).unwrap();
    }
    Some(path_str(&dir))
}

#[test]
fn server_side_apply_of_guestbook_records_managed_fields() {
    let emulator = emulator();
    let Some(kubectl) = Kubectl::new(&emulator) else {
        return;
    };
    let Some(dir) = guestbook_dir(&kubectl) else {
        return;
    };
    let out = kubectl.ok(&["apply", "--server-side", "-f", &dir]);
    assert!(
        out.contains("deployment.apps/guestbook-ui serverside-applied"),
        "{out}"
    );
    assert!(out.contains("service/guestbook-ui serverside-applied"), "{out}");
    // Once the simulated controller has made the Deployment Available it has nothing left to write.
    kubectl.ok(&[
        "wait",
        "--for=condition=Available",
        "deployment/guestbook-ui",
        "--timeout=20s",
    ]);
    let deployment = kubectl.json(&["get", "deployment", "guestbook-ui", "--show-managed-fields"]);
    let entry = &deployment["metadata"]["managedFields"][0];
    assert_eq!(entry["manager"], "kubectl");
    assert_eq!(entry["operation"], "Apply");
    assert_eq!(entry["apiVersion"], "apps/v1");
    assert!(entry["fieldsV1"]["f:spec"]["f:replicas"].is_object(), "{entry}");
    assert!(entry["fieldsV1"]["f:spec"]["f:template"].is_object(), "{entry}");
    assert_eq!(deployment["metadata"]["generation"], 1);
    let yaml = kubectl.ok(&[
        "get",
        "service",
        "guestbook-ui",
        "-o",
        "yaml",
        "--show-managed-fields",
    ]);
    assert!(
        yaml.contains("manager: kubectl") && yaml.contains("f:ports"),
        "{yaml}"
    );
    // Re-applying the same manifests changes nothing.
    let rv = deployment["metadata"]["resourceVersion"].clone();
    kubectl.ok(&["apply", "--server-side", "-f", &dir]);
    let again = kubectl.json(&["get", "deployment", "guestbook-ui", "--show-managed-fields"]);
    assert_eq!(again["metadata"]["generation"], 1);
    assert_eq!(
        again["metadata"]["resourceVersion"], rv,
        "a no-op apply writes nothing"
    );
    assert_eq!(
        again["metadata"]["managedFields"],
        deployment["metadata"]["managedFields"]
    );
    assert_eq!(again["status"], deployment["status"]);
}

#[test]
fn conflicting_field_manager_needs_force_conflicts() {
    let emulator = emulator();
    let Some(kubectl) = Kubectl::new(&emulator) else {
        return;
    };
    let Some(dir) = guestbook_dir(&kubectl) else {
        return;
    };
    kubectl.ok(&["apply", "--server-side", "-f", &dir]);
    let file = kubectl.write(
        "replicas.yaml",
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: guestbook-ui\nspec:\n  replicas: 3\n",
    );
    let out = kubectl.run(&["apply", "--server-side", "--field-manager=scaler", "-f", &file]);
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("conflict with \"kubectl\"") && stderr.contains(".spec.replicas"),
        "{stderr}"
    );
    kubectl.ok(&[
        "apply",
        "--server-side",
        "--field-manager=scaler",
        "--force-conflicts",
        "-f",
        &file,
    ]);
    let deployment = kubectl.json(&["get", "deployment", "guestbook-ui", "--show-managed-fields"]);
    assert_eq!(deployment["spec"]["replicas"], 3);
    assert_eq!(deployment["metadata"]["generation"], 2);
    assert!(managers(&deployment).contains(&"scaler".to_string()));
    let kubectl_entry = deployment["metadata"]["managedFields"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["manager"] == "kubectl")
        .unwrap();
    assert!(
        kubectl_entry["fieldsV1"]["f:spec"].get("f:replicas").is_none(),
        "{kubectl_entry}"
    );
}

#[test]
fn diff_server_side_exits_1_on_change_and_0_without() {
    let emulator = emulator();
    let Some(kubectl) = Kubectl::new(&emulator) else {
        return;
    };
    let Some(dir) = guestbook_dir(&kubectl) else {
        return;
    };
    let service = format!("{dir}/guestbook-ui-svc.yaml");
    kubectl.ok(&["apply", "--server-side", "-f", &service]);
    let same = kubectl.run(&["diff", "--server-side", "-f", &service]);
    assert_eq!(
        same.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&same.stderr)
    );
    let changed_text = std::fs::read_to_string(&service)
        .unwrap()
        .replace("port: 80", "port: 81");
    let changed = kubectl.write("svc-81.yaml", &changed_text);
    let out = kubectl.run(&["diff", "--server-side", "-f", &changed]);
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let diff = String::from_utf8_lossy(&out.stdout);
    assert!(
        diff.contains("-  - port: 80") && diff.contains("+  - port: 81"),
        "{diff}"
    );
    // The dry run stored nothing.
    let live = kubectl.json(&["get", "service", "guestbook-ui"]);
    assert_eq!(live["spec"]["ports"][0]["port"], 80);
}

#[test]
fn patch_merge_json_and_strategic() {
    let emulator = emulator();
    let Some(kubectl) = Kubectl::new(&emulator) else {
        return;
    };
    let Some(dir) = guestbook_dir(&kubectl) else {
        return;
    };
    kubectl.ok(&["apply", "--server-side", "-f", &dir]);
    kubectl.ok(&[
        "patch",
        "service",
        "guestbook-ui",
        "--type",
        "merge",
        "-p",
        r#"{"metadata":{"labels":{"a":"1"}}}"#,
    ]);
    kubectl.ok(&[
        "patch",
        "service",
        "guestbook-ui",
        "--type",
        "json",
        "-p",
        r#"[{"op":"add","path":"/metadata/labels/b","value":"2"}]"#,
    ]);
    let patch =
        r#"{"spec":{"template":{"spec":{"containers":[{"name":"guestbook-ui","image":"nginx:1.27"}]}}}}"#;
    kubectl.ok(&[
        "patch",
        "deployment",
        "guestbook-ui",
        "--type",
        "strategic",
        "-p",
        patch,
    ]);
    let service = kubectl.json(&["get", "service", "guestbook-ui"]);
    assert_eq!(
        service["metadata"]["labels"],
        serde_json::json!({"a": "1", "b": "2"})
    );
    let deployment = kubectl.json(&["get", "deployment", "guestbook-ui", "--show-managed-fields"]);
    let container = &deployment["spec"]["template"]["spec"]["containers"][0];
    assert_eq!(container["image"], "nginx:1.27");
    assert_eq!(
        container["ports"][0]["containerPort"], 80,
        "strategic merge kept the other fields"
    );
    assert_eq!(deployment["metadata"]["generation"], 2);
    assert!(managers(&deployment).contains(&"kubectl-patch".to_string()));
    let bad = kubectl.run(&[
        "patch",
        "service",
        "guestbook-ui",
        "--type",
        "json",
        "-p",
        r#"[{"op":"remove","path":"/nope"}]"#,
    ]);
    assert!(!bad.status.success());
}

#[test]
fn delete_and_wait_for_available() {
    let emulator = emulator();
    let Some(kubectl) = Kubectl::new(&emulator) else {
        return;
    };
    let Some(dir) = guestbook_dir(&kubectl) else {
        return;
    };
    kubectl.ok(&["apply", "--server-side", "-f", &dir]);
    let out = kubectl.ok(&[
        "wait",
        "--for=condition=Available",
        "deployment/guestbook-ui",
        "--timeout=20s",
    ]);
    assert!(out.contains("condition met"), "{out}");
    let deployment = kubectl.json(&["get", "deployment", "guestbook-ui"]);
    assert_eq!(deployment["status"]["readyReplicas"], 1);
    let out = kubectl.ok(&["delete", "deployment", "guestbook-ui"]);
    assert!(out.contains("deployment.apps \"guestbook-ui\" deleted"), "{out}");
    let missing = kubectl.run(&["get", "deployment", "guestbook-ui"]);
    assert!(!missing.status.success());
    assert!(String::from_utf8_lossy(&missing.stderr).contains("NotFound"));
}

#[test]
fn get_watch_receives_an_event() {
    let emulator = emulator();
    let Some(kubectl) = Kubectl::new(&emulator) else {
        return;
    };
    let mut child = kubectl
        .command(&[
            "get",
            "configmaps",
            "--watch",
            "--output-watch-events",
            "--request-timeout=20s",
        ])
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    std::thread::sleep(Duration::from_millis(1500));
    let file = kubectl.write(
        "cm.yaml",
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: watched\ndata:\n  a: b\n",
    );
    kubectl.ok(&["apply", "-f", &file]);
    std::thread::sleep(Duration::from_secs(1));
    child.kill().unwrap();
    let out = child.wait_with_output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout
            .lines()
            .any(|l| l.contains("ADDED") && l.contains("watched")),
        "{stdout}"
    );
}

#[test]
fn crd_then_custom_resource() {
    let emulator = emulator();
    let Some(kubectl) = Kubectl::new(&emulator) else {
        return;
    };
    let crd = kubectl.write("crd.yaml", CRD);
    let out = kubectl.ok(&["apply", "-f", &crd]);
    assert!(
        out.contains("customresourcedefinition.apiextensions.k8s.io/widgets.example.com created"),
        "{out}"
    );
    kubectl.ok(&[
        "wait",
        "--for=condition=Established",
        "crd/widgets.example.com",
        "--timeout=20s",
    ]);
    let widget = kubectl.write(
        "widget.yaml",
        "apiVersion: example.com/v1\nkind: Widget\nmetadata:\n  name: w1\nspec:\n  size: 3\n",
    );
    let out = kubectl.ok(&["apply", "-f", &widget]);
    assert!(out.contains("widget.example.com/w1 created"), "{out}");
    let listed = kubectl.json(&["get", "widgets"]);
    assert_eq!(listed["items"][0]["spec"]["size"], 3);
    assert_eq!(listed["items"][0]["metadata"]["generation"], 1);
    let short = kubectl.ok(&["get", "wd", "w1"]);
    assert!(short.contains("w1"), "{short}");
    kubectl.ok(&["delete", "-f", &crd]);
    // With the cached discovery kubectl still lists, and the server answers 404 ...
    let gone = kubectl.run(&["get", "widgets"]);
    assert!(!gone.status.success(), "the kind's endpoint left with its CRD");
    let stderr = String::from_utf8_lossy(&gone.stderr);
    assert!(
        stderr.contains(
            "the server could not find the requested resource (/apis/example.com/v1/namespaces/default/widgets)"
        ),
        "{stderr}"
    );
    // ... and fresh discovery no longer has the kind.
    let fresh = path_str(&kubectl.dir.path().join("fresh-cache"));
    let gone = kubectl.run(&["get", "widgets", "--cache-dir", &fresh]);
    assert!(!gone.status.success(), "the kind left discovery with its CRD");
    let stderr = String::from_utf8_lossy(&gone.stderr);
    assert!(
        stderr.contains(r#"the server doesn't have a resource type "widgets""#),
        "{stderr}"
    );
}

pub(crate) const CRD: &str = "apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: widgets.example.com
spec:
  group: example.com
  scope: Namespaced
  names: {kind: Widget, plural: widgets, singular: widget, listKind: WidgetList, shortNames: [wd]}
  versions:
  - name: v1
    served: true
    storage: true
    subresources: {status: {}}
    schema:
      openAPIV3Schema:
        type: object
        x-kubernetes-preserve-unknown-fields: true
";

#[test]
fn client_side_apply_updates_through_strategic_merge() {
    let emulator = emulator();
    let Some(kubectl) = Kubectl::new(&emulator) else {
        return;
    };
    let Some(dir) = guestbook_dir(&kubectl) else {
        return;
    };
    let out = kubectl.ok(&["apply", "-f", &dir]);
    assert!(out.contains("deployment.apps/guestbook-ui created"), "{out}");
    let original = std::fs::read_to_string(format!("{dir}/guestbook-ui-deployment.yaml")).unwrap();
    let changed = kubectl.write(
        "deployment-2.yaml",
        &original
            .replace("replicas: 1", "replicas: 2")
            .replace("containerPort: 80", "containerPort: 8080"),
    );
    let out = kubectl.ok(&["apply", "-f", &changed]);
    assert!(out.contains("deployment.apps/guestbook-ui configured"), "{out}");
    let deployment = kubectl.json(&["get", "deployment", "guestbook-ui", "--show-managed-fields"]);
    assert_eq!(deployment["spec"]["replicas"], 2);
    assert_eq!(
        deployment["spec"]["template"]["spec"]["containers"][0]["ports"],
        serde_json::json!([{"containerPort": 8080}])
    );
    assert!(managers(&deployment).contains(&"kubectl-client-side-apply".to_string()));
    assert!(
        deployment["metadata"]["annotations"]["kubectl.kubernetes.io/last-applied-configuration"].is_string()
    );
}

#[test]
fn kubeconfig_carries_tls_and_token() {
    use gitops_testkit::emulator::EmulatorOptions;
    // YAML-significant characters: the kubeconfig must quote the token.
    let emulator = Emulator::start(EmulatorOptions::default().tls(true).token("t0k: #en")).unwrap();
    let Some(kubectl) = Kubectl::new(&emulator) else {
        return;
    };
    let out = kubectl.ok(&["get", "namespaces", "-o", "name"]);
    assert!(
        out.contains("namespace/default") && out.contains("namespace/kube-system"),
        "{out}"
    );
    let anonymous = kubectl.run(&["get", "namespaces", "--token", "wrong"]);
    assert!(!anonymous.status.success());
    assert!(String::from_utf8_lossy(&anonymous.stderr).contains("Unauthorized"));
}
