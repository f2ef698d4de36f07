//! The `kube-emulator` binary: serves, writes a kubeconfig, prints its URL.

use std::{
    io::{BufRead as _, BufReader},
    process::{Command, Stdio},
};

use k8s_openapi::api::core::v1::Namespace;
use kube::Api;

#[tokio::test(flavor = "multi_thread")]
async fn binary_serves_and_writes_a_kubeconfig() {
    let dir = tempfile::tempdir().unwrap();
    let kubeconfig = dir.path().join("kubeconfig");
    let mut child = Command::new(env!("CARGO_BIN_EXE_kube-emulator"))
        .args(["--port", "0", "--ready-after", "100ms", "--kubeconfig-out"])
        .arg(&kubeconfig)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut url = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut url)
        .unwrap();
    let url = url.trim().to_string();
    assert!(url.starts_with("http://127.0.0.1:"), "{url}");
    let text = std::fs::read_to_string(&kubeconfig).unwrap();
    assert!(text.contains(&format!("server: {url}")), "{text}");
    let config = kube::Config::from_custom_kubeconfig(
        kube::config::Kubeconfig::from_yaml(&text).unwrap(),
        &kube::config::KubeConfigOptions::default(),
    )
    .await
    .unwrap();
    let namespaces: Api<Namespace> = Api::all(kube::Client::try_from(config).unwrap());
    let result = namespaces.get("kube-system").await;
    child.kill().unwrap();
    child.wait().unwrap();
    assert_eq!(result.unwrap().metadata.name.as_deref(), Some("kube-system"));
}
