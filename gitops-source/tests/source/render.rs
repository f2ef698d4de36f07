//! Renderers on real input: kustomize against the golden renders, helm, auto-detection.

use gitops_core::ManifestSet;
use gitops_source::{
    AutoRenderer, Error, HelmRenderer, KustomizeRenderer, ReadOptions, Renderer, SourceTree,
};

use crate::fixture;

fn have(binary: &str) -> bool {
    std::env::var_os("PATH").is_some_and(|p| std::env::split_paths(&p).any(|d| d.join(binary).is_file()))
}

fn values(set: &ManifestSet) -> Vec<serde_json::Value> {
    set.iter().map(|m| m.as_value().clone()).collect()
}

#[test]
fn kustomize_output_matches_every_golden_render() {
    let Some(shared) = gitops_testkit::shared_dir() else {
        eprintln!("SKIPPED: ../shared is absent; needed for golden renders");
        return;
    };
    if !have("kustomize") && !have("kubectl") {
        eprintln!("SKIPPED: neither kustomize nor kubectl is on PATH; needed to render kustomizations");
        return;
    }
    let mut compared = 0;
    for bundle in [
        "argocd-example-apps",
        "flux2-kustomize-helm-example",
        "podinfo-manifests",
    ] {
        let Some(f) = fixture(bundle) else { return };
        let golden_dir = shared.join("fixtures/rendered").join(bundle);
        let mut goldens: Vec<_> = std::fs::read_dir(&golden_dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
        goldens.sort();
        for golden in goldens {
            let dir = golden.file_stem().unwrap().to_string_lossy().replace("__", "/");
            let expected = ManifestSet::from_manifests(
                gitops_core::load_bytes(&std::fs::read(&golden).unwrap(), &golden.display().to_string())
                    .unwrap(),
            )
            .unwrap();
            let rendered = f.source.render(
                "HEAD",
                &dir,
                &KustomizeRenderer::default(),
                &ReadOptions::default(),
            );
            let rendered = rendered.unwrap_or_else(|e| panic!("{bundle}/{dir}: {}", crate::chain(&e)));
            assert_eq!(values(&rendered.manifests), values(&expected), "{bundle}/{dir}");
            // Auto-detection picks kustomize for these directories.
            let mut tree = f.source.read_tree("HEAD", "", &ReadOptions::default()).unwrap();
            tree.path.clone_from(&dir);
            assert_eq!(
                AutoRenderer::default().select(&tree).name(),
                "kustomize",
                "{bundle}/{dir}"
            );
            compared += 1;
        }
    }
    assert_eq!(compared, 18, "3 + 7 + 8 golden files");
}

#[test]
fn helm_renders_a_chart_or_names_the_missing_binary() {
    let Some(f) = fixture("argocd-example-apps") else {
        return;
    };
    let helm = HelmRenderer::default().release("guestbook");
    let result = f
        .source
        .render("HEAD", "helm-guestbook", &helm, &ReadOptions::default());
    if have("helm") {
        let snap = result.unwrap();
        assert!(snap.manifests.iter().any(|m| m.gvk().kind == "Deployment"));
    } else {
        let err = result.unwrap_err();
        assert!(
            matches!(&err, Error::ToolMissing { binary, .. } if binary == "helm"),
            "{err:?}"
        );
        assert!(err.to_string().starts_with("helm not found on PATH"), "{err}");
        eprintln!("SKIPPED: {err}");
    }
}

#[test]
fn auto_renderer_detects_the_source_type() {
    let tree = |files: &[&str]| {
        SourceTree::from_files(
            "sha",
            "app",
            files.iter().map(|f| (format!("app/{f}"), Vec::new())),
        )
    };
    let auto = AutoRenderer::default();
    assert_eq!(auto.select(&tree(&["kustomization.yaml"])).name(), "kustomize");
    assert_eq!(auto.select(&tree(&["Kustomization"])).name(), "kustomize");
    assert_eq!(auto.select(&tree(&["Chart.yaml", "values.yaml"])).name(), "helm");
    assert_eq!(auto.select(&tree(&["a.yaml"])).name(), "directory");
}

#[test]
fn a_kustomize_error_is_reported_with_the_tool_output() {
    if !have("kustomize") && !have("kubectl") {
        eprintln!("SKIPPED: neither kustomize nor kubectl is on PATH");
        return;
    }
    let tree = SourceTree::from_files(
        "sha",
        "app",
        [(
            "app/kustomization.yaml".to_owned(),
            b"resources: [missing.yaml]\n".to_vec(),
        )],
    );
    let err = KustomizeRenderer::default().render(&tree).unwrap_err();
    let Error::Render { stderr, .. } = &err else {
        panic!("{err:?}")
    };
    assert!(stderr.contains("missing.yaml"), "{stderr}");
    assert!(
        !stderr.contains("gitops-render-"),
        "temporary paths are hidden: {stderr}"
    );
}
