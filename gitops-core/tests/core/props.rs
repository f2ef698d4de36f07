//! Property tests: loader round trips and robustness, plan invariants.

use std::collections::{BTreeMap, HashMap};

use gitops_core::{
    Error, Manifest, ManifestSet, ResourceKey, load_bytes,
    ordering::{SyncPhase, TaskAction, plan},
};
use proptest::prelude::*;
use serde_json::{Value, json};

/// Strings that YAML 1.1 or 1.2 would read as something else if written plainly.
const TRICKY: &[&str] = &[
    "yes",
    "no",
    "on",
    "Off",
    "y",
    "N",
    "true",
    "False",
    "~",
    "null",
    "",
    "0755",
    "0o17",
    "0x1F",
    "1_000",
    "08",
    "1e3",
    ".5",
    "1.0",
    "-0",
    "+12",
    ".inf",
    ".NaN",
    "1:20",
    "2001-12-14",
    "---",
    "...",
    "- x",
    "a: b",
    "#c",
    "@x",
    "<<",
    "=",
    " lead",
    "trail ",
    "multi\nline",
    "tab\tx",
    "\u{1F600}",
    "\u{feff}x",
    "'q'",
    "\"dq\"",
    "%x",
    "!tag",
    "*alias",
    "&anchor",
    "{a: 1}",
    "[1]",
    "? k",
    "| x",
    "> x",
];

fn scalar_string() -> impl Strategy<Value = String> {
    prop_oneof![
        prop::sample::select(TRICKY).prop_map(str::to_owned),
        "\\PC{0,12}",
        "[a-z0-9 :#-]{0,12}"
    ]
}

fn leaf() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        scalar_string().prop_map(Value::from),
    ]
}

fn body() -> impl Strategy<Value = Value> {
    leaf().prop_recursive(3, 24, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::from),
            prop::collection::btree_map(
                scalar_string().prop_filter("non-empty key", |k| !k.is_empty()),
                inner,
                0..4
            )
            .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

fn dns_name() -> impl Strategy<Value = String> {
    "[a-z]([-a-z0-9]{0,8}[a-z0-9])?"
}

const KINDS: &[(&str, &str)] = &[
    ("v1", "ConfigMap"),
    ("v1", "Secret"),
    ("v1", "Service"),
    ("apps/v1", "Deployment"),
    ("batch/v1", "Job"),
    ("example.com/v1alpha1", "Widget"),
    ("rbac.authorization.k8s.io/v1", "ClusterRole"),
];

fn object() -> impl Strategy<Value = Value> {
    (
        prop::sample::select(KINDS),
        dns_name(),
        prop::option::of(dns_name()),
        prop::collection::btree_map("[a-z]{1,5}(/[a-z]{1,5})?", scalar_string(), 0..3),
        body(),
    )
        .prop_map(|((api_version, kind), name, namespace, annotations, body)| {
            let mut metadata = json!({"name": name, "annotations": annotations});
            if let Some(ns) = namespace {
                metadata["namespace"] = ns.into();
            }
            json!({"apiVersion": api_version, "kind": kind, "metadata": metadata, "data": body})
        })
}

fn manifest_set() -> impl Strategy<Value = ManifestSet> {
    prop::collection::vec(object(), 0..8).prop_map(|objects| {
        let mut set = ManifestSet::new();
        for o in objects {
            let _ = set.insert(Manifest::from_value(o).unwrap());
        }
        set
    })
}

fn values(manifests: impl IntoIterator<Item = Manifest>) -> Vec<Value> {
    manifests.into_iter().map(Manifest::into_value).collect()
}

proptest! {
    #[test]
    fn yaml_round_trips(set in manifest_set()) {
        let docs: Vec<String> = set.iter().map(|m| serde_saphyr::to_string(m.as_value()).unwrap()).collect();
        let yaml = docs.join("---\n");
        let loaded = load_bytes(yaml.as_bytes(), "gen.yaml").map_err(|e| TestCaseError::fail(format!("{e}\n{yaml}")))?;
        prop_assert_eq!(values(loaded), values(set), "{}", yaml);
    }

    #[test]
    fn json_round_trips(set in manifest_set()) {
        let json: Vec<String> = set.iter().map(|m| serde_json::to_string_pretty(m.as_value()).unwrap()).collect();
        let text = json.join("\n");
        let loaded = load_bytes(text.as_bytes(), "gen.json").unwrap();
        prop_assert_eq!(values(loaded), values(set));
    }

    #[test]
    fn arbitrary_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..256)) {
        let _ = load_bytes(&bytes, "fuzz");
    }

    #[test]
    fn yaml_like_text_never_panics(parts in prop::collection::vec(prop::sample::select(&[
        "apiVersion: v1\n", "kind: A\n", "metadata: {name: a}\n", "---\n", "--- x\n", "...\n", "  ", "- ", ": ", "[", "]",
        "{", "}", ",", "&a ", "*a", "<<: ", "!!str ", "!!binary ", "? ", "|\n", ">-\n", "'", "\"", "#", "\n", "\t", "%YAML 1.1\n",
        "0755", "yes", "~", ".inf", "\u{feff}", "\r\n", "items:\n", "kind: List\n", "generateName: g-\n",
    ][..]), 0..40)) {
        let text: String = parts.concat();
        let _ = load_bytes(text.as_bytes(), "fuzz.yaml");
    }
}

/// One generated object for plan properties: index, kind, namespace, wave, hook, dependencies
/// (indices of other objects).
#[derive(Debug, Clone)]
struct Node {
    kind: usize,
    namespace: usize,
    wave: i32,
    hook: Option<&'static str>,
    deps: Vec<usize>,
}

const PLAN_KINDS: &[(&str, &str)] = &[
    ("v1", "ConfigMap"),
    ("v1", "ServiceAccount"),
    ("apps/v1", "Deployment"),
    ("v1", "Service"),
    ("example.com/v1", "Widget"),
    ("example.com/v1", "Gadget"),
];
const HOOKS: &[&str] = &[
    "PreSync",
    "Sync",
    "PostSync",
    "PreSync,PostSync",
    "Skip",
    "SyncFail",
];

fn nodes(acyclic: bool) -> impl Strategy<Value = Vec<Node>> {
    prop::collection::vec(
        (
            0..PLAN_KINDS.len(),
            0..3usize,
            -1..3i32,
            prop::option::weighted(0.2, prop::sample::select(HOOKS)),
            prop::collection::vec(any::<prop::sample::Index>(), 0..3),
        ),
        1..14,
    )
    .prop_map(move |raw| {
        let n = raw.len();
        raw.into_iter()
            .enumerate()
            .map(|(i, (kind, namespace, wave, hook, deps))| {
                let deps = deps
                    .into_iter()
                    .filter_map(|d| {
                        if acyclic {
                            (i > 0).then(|| d.index(i))
                        } else {
                            Some(d.index(n))
                        }
                    })
                    .collect();
                Node {
                    kind,
                    namespace,
                    wave,
                    hook,
                    deps,
                }
            })
            .collect()
    })
}

fn key_of(i: usize, node: &Node) -> ResourceKey {
    let (api_version, kind) = PLAN_KINDS[node.kind];
    let group = api_version.rsplit_once('/').map_or("", |(g, _)| g);
    ResourceKey::new(
        group,
        kind,
        Some(&format!("ns{}", node.namespace)),
        format!("o{i}"),
    )
}

/// Builds the set: the objects, plus Namespace objects `ns0` (wave 2, so it has to move) and
/// `ns1` (wave -2). When `acyclic`, dependencies on hooks or later waves are dropped so the plan
/// must succeed; otherwise every object is an ordinary wave-0 resource, so that arbitrary
/// dependencies mostly make cycles.
fn build(nodes: &[Node], acyclic: bool) -> ManifestSet {
    let mut set = ManifestSet::new();
    for (ns, wave) in [("ns0", "2"), ("ns1", "-2")] {
        let m = json!({"apiVersion": "v1", "kind": "Namespace",
            "metadata": {"name": ns, "annotations": {"argocd.argoproj.io/sync-wave": wave}}});
        set.insert(Manifest::from_value(m).unwrap()).unwrap();
    }
    for (i, node) in nodes.iter().enumerate() {
        let key = key_of(i, node);
        let deps: Vec<String> = node
            .deps
            .iter()
            .filter(|&&d| {
                !acyclic || (nodes[d].hook.is_none() && node.hook.is_none() && nodes[d].wave <= node.wave)
            })
            .map(|&d| key_of(d, &nodes[d]).to_string())
            .collect();
        let wave = if acyclic { node.wave } else { 0 };
        let mut annotations = BTreeMap::from([("argocd.argoproj.io/sync-wave".to_owned(), wave.to_string())]);
        if let Some(h) = node.hook.filter(|_| acyclic) {
            annotations.insert("argocd.argoproj.io/hook".to_owned(), h.to_owned());
        }
        if !deps.is_empty() {
            annotations.insert("gitops.rs/depends-on".to_owned(), deps.join(","));
        }
        let (api_version, kind) = PLAN_KINDS[node.kind];
        let m = json!({"apiVersion": api_version, "kind": kind,
            "metadata": {"name": key.name, "namespace": key.namespace, "annotations": annotations}});
        set.insert(Manifest::from_value(m).unwrap()).unwrap();
    }
    set
}

/// Checks that the plan is a topological order: steps never go back, every dependency of an
/// apply task is applied in an earlier batch (or an earlier step), and namespaces come first.
fn check_topological(set: &ManifestSet, plan: &gitops_core::SyncPlan) -> Result<(), TestCaseError> {
    let mut first_batch: HashMap<ResourceKey, usize> = HashMap::new();
    let mut last_step = (SyncPhase::PreSync, gitops_core::SyncWave(i32::MIN));
    for (b, batch) in plan.batches().iter().enumerate() {
        prop_assert!(
            (batch.phase, batch.wave) >= last_step,
            "steps go back at batch {b}"
        );
        last_step = (batch.phase, batch.wave);
        prop_assert!(!batch.tasks.is_empty());
        for task in &batch.tasks {
            prop_assert_eq!(task.action, TaskAction::Apply);
            prop_assert_eq!((task.phase, task.wave), (batch.phase, batch.wave));
            first_batch.entry(task.key.clone()).or_insert(b);
        }
    }
    for (b, batch) in plan.batches().iter().enumerate() {
        for task in &batch.tasks {
            let m = set.get(&task.key).unwrap();
            for dep in m.depends_on().unwrap() {
                let d = first_batch.get(&dep).copied();
                prop_assert!(
                    d.is_some_and(|d| d < b),
                    "{} depends on {dep} (batch {d:?}) but runs in batch {b}",
                    task.key
                );
            }
            if let Some(ns) = &task.key.namespace {
                let ns_key = ResourceKey::new("", "Namespace", None, ns.clone());
                if let Some(&n) = first_batch.get(&ns_key) {
                    prop_assert!(n < b, "{} runs before its namespace", task.key);
                }
            }
        }
    }
    // Every non-ignored object is planned once per phase it runs in.
    for m in set {
        let expected = match m.hooks().unwrap() {
            Some(h) => h.sync_phases().count(),
            None => 1,
        };
        prop_assert_eq!(
            plan.tasks().filter(|t| t.key == m.key()).count(),
            expected,
            "{}",
            m.key()
        );
    }
    Ok(())
}

proptest! {
    #[test]
    fn plans_are_topological_and_deterministic(nodes in nodes(true)) {
        let set = build(&nodes, true);
        let first = plan(&set).map_err(|e| TestCaseError::fail(e.to_string()))?;
        check_topological(&set, &first)?;
        // Planning again (fresh, randomly seeded hash maps inside) gives the same plan.
        let again = ManifestSet::from_manifests(set.iter().cloned()).unwrap();
        prop_assert_eq!(&plan(&again).unwrap(), &first);
    }

    #[test]
    fn arbitrary_dependencies_plan_or_fail_cleanly(nodes in nodes(false)) {
        let set = build(&nodes, false);
        match plan(&set) {
            Ok(p) => check_topological(&set, &p)?,
            Err(Error::DependencyCycle { members }) => {
                // Every member waits for another member (or itself).
                for key in &members {
                    let deps = set.get(key).unwrap().depends_on().unwrap();
                    let implicit = key.namespace.as_ref().is_some_and(|ns| members.iter().any(|m| m.kind == "Namespace" && &m.name == ns));
                    prop_assert!(implicit || deps.iter().any(|d| members.contains(d)), "{key} is not in the cycle {members:?}");
                }
            }
            Err(Error::DependencyInLaterWave { .. } | Error::MissingDependency { .. }) => {}
            Err(other) => return Err(TestCaseError::fail(format!("unexpected error {other}"))),
        }
    }
}
