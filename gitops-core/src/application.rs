//! The Argo CD `Application` (`argoproj.io/v1alpha1`): what to sync, where, and how.
//!
//! [`Application::from_manifest`] reads an Argo CD Application manifest with Argo CD's field
//! names, so existing Application files work unchanged. Fields gitops-rs does not know are not
//! dropped silently: each becomes a [`Warning`] with its JSON path. `status` and `operation`
//! (written by the Argo CD controller) are ignored without a warning.
//!
//! ```
//! use gitops_core::{application::Application, load_bytes};
//! let yaml = br#"
//! apiVersion: argoproj.io/v1alpha1
//! kind: Application
//! metadata: {name: guestbook, namespace: argocd}
//! spec:
//!   project: default
//!   source:
//!     repoURL: https://github.com/argoproj/argocd-example-apps
//!     targetRevision: HEAD
//!     path: guestbook
//!     directory: {recurse: true, exclude: '{config.json,*.md}'}
//!   destination: {server: https://kubernetes.default.svc, namespace: guestbook}
//!   syncPolicy:
//!     automated: {prune: true, selfHeal: true}
//!     syncOptions: [CreateNamespace=true]
//!     retry: {limit: 5, backoff: {duration: 5s, factor: 2, maxDuration: 3m}}
//!     someFutureField: 1
//! "#;
//! let app = Application::from_manifest(&load_bytes(yaml, "app.yaml")?[0])?;
//! assert_eq!(app.sources()[0].path.as_deref(), Some("guestbook"));
//! let policy = app.sync_policy.as_ref().unwrap();
//! assert!(policy.is_automated() && policy.automated.as_ref().unwrap().self_heal);
//! assert_eq!(policy.retry.as_ref().unwrap().backoff.max_duration, std::time::Duration::from_secs(180));
//! assert_eq!(app.sync_options()?.create_namespace, Some(true));
//! assert_eq!(app.warnings()[0].path, "spec.syncPolicy.someFutureField");
//! # Ok::<(), gitops_core::Error>(())
//! ```

use std::{collections::BTreeMap, fmt, time::Duration};

use serde::{Deserialize, Deserializer};
use serde_json::Value;

use crate::{Error, GroupKind, Manifest, annotations::SyncOptions, tracking::TrackingMethod};

/// Annotation `gitops.rs/tracking-method` (`label`, `annotation`, `annotation+label`) on an
/// Application: a gitops-rs extension, since Argo CD sets the tracking method for a whole
/// installation (`application.resourceTrackingMethod` in `argocd-cm`).
pub const TRACKING_METHOD_ANNOTATION: &str = "gitops.rs/tracking-method";

/// An Argo CD Application: `metadata` plus `spec`.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct Application {
    /// `metadata.name`.
    pub name: String,
    /// `metadata.namespace` (Argo CD's own namespace, usually `argocd`), when set.
    pub namespace: Option<String>,
    /// `spec.project` (Argo CD default: `default`).
    pub project: String,
    /// `spec.source`: a single source.
    pub source: Option<ApplicationSource>,
    /// `spec.sources`: multiple sources (Argo CD 2.6+); used instead of `source` when non-empty.
    pub sources: Vec<ApplicationSource>,
    /// `spec.destination`.
    pub destination: Destination,
    /// `spec.syncPolicy`, when present.
    pub sync_policy: Option<SyncPolicy>,
    /// `spec.ignoreDifferences`.
    pub ignore_differences: Vec<IgnoreDifferences>,
    /// `spec.revisionHistoryLimit`.
    pub revision_history_limit: Option<i64>,
    /// The tracking method from [`TRACKING_METHOD_ANNOTATION`], or the default.
    pub tracking_method: TrackingMethod,
    warnings: Vec<Warning>,
}

/// A field that was read but is not understood by gitops-rs.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Warning {
    /// JSON path of the field, dotted (`spec.source.helm2`); list items as `[i]`.
    pub path: String,
    /// What is wrong (`unknown field`).
    pub message: String,
}

impl fmt::Display for Warning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.path, self.message)
    }
}

/// One source: a Git directory, a Helm chart, or a `ref` for multi-source values files.
#[derive(Debug, Clone, PartialEq, Deserialize, Default)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct ApplicationSource {
    /// `repoURL`: Git repository URL (or Helm repository URL with `chart`).
    #[serde(rename = "repoURL", default)]
    pub repo_url: String,
    /// `targetRevision`: branch, tag, commit or semver range; Argo CD's default is `HEAD`.
    pub target_revision: Option<String>,
    /// `path`: directory inside the repository.
    pub path: Option<String>,
    /// `chart`: Helm chart name (Helm repositories).
    pub chart: Option<String>,
    /// `ref`: name of this source for `$ref/values.yaml` references.
    #[serde(rename = "ref")]
    pub reference: Option<String>,
    /// `name`: display name of the source.
    pub name: Option<String>,
    /// `directory`: options of plain-directory sources.
    pub directory: Option<DirectoryOptions>,
    /// `helm` options, kept verbatim for renderers.
    pub helm: Option<Value>,
    /// `kustomize` options, kept verbatim for renderers.
    pub kustomize: Option<Value>,
    /// `plugin` (config management plugin), kept verbatim.
    pub plugin: Option<Value>,
    #[serde(flatten)]
    unknown: BTreeMap<String, Value>,
}

impl ApplicationSource {
    /// The target revision, defaulting to `HEAD` as Argo CD does.
    pub fn target_revision_or_head(&self) -> &str {
        self.target_revision
            .as_deref()
            .filter(|r| !r.is_empty())
            .unwrap_or("HEAD")
    }
}

/// `source.directory`: how a plain directory of manifests is read.
#[derive(Debug, Clone, PartialEq, Deserialize, Default)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct DirectoryOptions {
    /// `recurse`: include subdirectories.
    #[serde(default)]
    pub recurse: bool,
    /// `include`: glob of file paths to include (may be a `{a,b}` alternation).
    pub include: Option<String>,
    /// `exclude`: glob of file paths to exclude.
    pub exclude: Option<String>,
    /// `jsonnet` options, kept verbatim.
    pub jsonnet: Option<Value>,
    #[serde(flatten)]
    unknown: BTreeMap<String, Value>,
}

/// `spec.destination`: the cluster (by API server URL or by name) and the default namespace.
#[derive(Debug, Clone, PartialEq, Deserialize, Default)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct Destination {
    /// `server`: API server URL (`https://kubernetes.default.svc` is the in-cluster one).
    pub server: Option<String>,
    /// `name`: cluster name, the alternative to `server`.
    pub name: Option<String>,
    /// `namespace`: default namespace for namespaced objects without one.
    pub namespace: Option<String>,
    #[serde(flatten)]
    unknown: BTreeMap<String, Value>,
}

/// `spec.syncPolicy`.
#[derive(Debug, Clone, PartialEq, Deserialize, Default)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct SyncPolicy {
    /// `automated`: sync without a manual trigger when present (and not `enabled: false`).
    pub automated: Option<Automated>,
    /// `syncOptions`: `Name=value` items; parse with [`Application::sync_options`].
    #[serde(default)]
    pub sync_options: Vec<String>,
    /// `retry`: retries of failed syncs.
    pub retry: Option<RetryStrategy>,
    /// `managedNamespaceMetadata`: labels and annotations for a `CreateNamespace=true` namespace.
    pub managed_namespace_metadata: Option<ManagedNamespaceMetadata>,
    #[serde(flatten)]
    unknown: BTreeMap<String, Value>,
}

impl SyncPolicy {
    /// Whether automated sync is on: `automated` present and `enabled` not `false`.
    pub fn is_automated(&self) -> bool {
        self.automated.as_ref().is_some_and(|a| a.enabled.unwrap_or(true))
    }
}

/// `syncPolicy.automated`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Default)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct Automated {
    /// `enabled` (Argo CD 3.x): `false` turns automation off while keeping the settings.
    pub enabled: Option<bool>,
    /// `prune`: delete live objects that left Git during automated syncs.
    #[serde(default)]
    pub prune: bool,
    /// `selfHeal`: re-sync when the live state drifts, not only on new commits.
    #[serde(default)]
    pub self_heal: bool,
    /// `allowEmpty`: allow an automated sync that prunes every object.
    #[serde(default)]
    pub allow_empty: bool,
    #[serde(flatten)]
    unknown: BTreeMap<String, Value>,
}

/// `syncPolicy.retry`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Default)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct RetryStrategy {
    /// `limit`: most retries; 0 means none, a negative number unlimited (Argo CD).
    #[serde(default)]
    pub limit: i64,
    /// `backoff`, with Argo CD's defaults when absent.
    #[serde(default)]
    pub backoff: Backoff,
    #[serde(flatten)]
    unknown: BTreeMap<String, Value>,
}

/// `retry.backoff`: wait `duration * factor^n`, at most `maxDuration`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct Backoff {
    /// `duration`: first wait (Go duration text like `5s`, or a number of seconds); default 5 s.
    #[serde(default = "Backoff::default_duration", deserialize_with = "go_duration")]
    pub duration: Duration,
    /// `factor`: multiplier per retry; default 2.
    #[serde(default = "Backoff::default_factor")]
    pub factor: i64,
    /// `maxDuration`: longest wait; default 3 minutes.
    #[serde(default = "Backoff::default_max_duration", deserialize_with = "go_duration")]
    pub max_duration: Duration,
    #[serde(flatten)]
    unknown: BTreeMap<String, Value>,
}

impl Backoff {
    fn default_duration() -> Duration {
        Duration::from_secs(5)
    }

    fn default_factor() -> i64 {
        2
    }

    fn default_max_duration() -> Duration {
        Duration::from_secs(180)
    }

    /// The wait before retry number `attempt` (0-based): `duration * factor^attempt`, capped at
    /// `max_duration`.
    pub fn delay(&self, attempt: u32) -> Duration {
        let factor = u32::try_from(self.factor.max(1)).unwrap_or(u32::MAX);
        let mut delay = self.duration;
        for _ in 0..attempt {
            delay = delay.saturating_mul(factor);
            if delay >= self.max_duration {
                return self.max_duration;
            }
        }
        delay.min(self.max_duration)
    }
}

impl Default for Backoff {
    fn default() -> Self {
        Self {
            duration: Self::default_duration(),
            factor: Self::default_factor(),
            max_duration: Self::default_max_duration(),
            unknown: BTreeMap::new(),
        }
    }
}

/// `syncPolicy.managedNamespaceMetadata`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Default)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct ManagedNamespaceMetadata {
    /// Labels for the created namespace.
    #[serde(default)]
    pub labels: BTreeMap<String, String>,
    /// Annotations for the created namespace.
    #[serde(default)]
    pub annotations: BTreeMap<String, String>,
    #[serde(flatten)]
    unknown: BTreeMap<String, Value>,
}

/// One `spec.ignoreDifferences` rule: which objects (group and kind, `*` wildcards; optional
/// name and namespace) and which fields to leave out of the comparison.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Default)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct IgnoreDifferences {
    /// API group (`""` for the core group, `*` for any).
    #[serde(default)]
    pub group: String,
    /// Kind (`*` for any).
    #[serde(default)]
    pub kind: String,
    /// Object name, when the rule is for one object.
    pub name: Option<String>,
    /// Object namespace, when the rule is for one namespace.
    pub namespace: Option<String>,
    /// RFC 6901 JSON pointers to ignore.
    #[serde(default)]
    pub json_pointers: Vec<String>,
    /// jq path expressions to ignore.
    #[serde(default)]
    pub jq_path_expressions: Vec<String>,
    /// Field managers whose fields are ignored.
    #[serde(default)]
    pub managed_fields_managers: Vec<String>,
    #[serde(flatten)]
    unknown: BTreeMap<String, Value>,
}

impl IgnoreDifferences {
    /// Whether the rule applies to objects of this group and kind (`*` matches anything).
    pub fn matches_kind(&self, kind: &GroupKind) -> bool {
        (self.group == "*" || self.group == kind.group) && (self.kind == "*" || self.kind == kind.kind)
    }
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
struct Spec {
    #[serde(default)]
    project: String,
    source: Option<ApplicationSource>,
    #[serde(default)]
    sources: Vec<ApplicationSource>,
    #[serde(default)]
    destination: Destination,
    sync_policy: Option<SyncPolicy>,
    #[serde(default)]
    ignore_differences: Vec<IgnoreDifferences>,
    revision_history_limit: Option<i64>,
    info: Option<Value>,
    #[serde(flatten)]
    unknown: BTreeMap<String, Value>,
}

impl Application {
    /// Reads an Application manifest.
    ///
    /// # Errors
    /// [`Error::InvalidApplication`] when the manifest is not `argoproj.io` `Application`, has no
    /// `spec`, or a known field has the wrong type or an unparseable duration;
    /// [`Error::InvalidValue`] for a bad [`TRACKING_METHOD_ANNOTATION`].
    pub fn from_manifest(manifest: &Manifest) -> Result<Self, Error> {
        let invalid = |message: String| Error::InvalidApplication {
            key: manifest.key(),
            message,
        };
        let gvk = manifest.gvk();
        if gvk.group != "argoproj.io" || gvk.kind != "Application" {
            return Err(invalid(format!(
                "expected argoproj.io Application, found {}",
                gvk.group_kind()
            )));
        }
        let spec = manifest
            .as_value()
            .get("spec")
            .ok_or_else(|| invalid("missing spec".to_owned()))?;
        let spec = Spec::deserialize(spec).map_err(|e| invalid(format!("spec: {e}")))?;
        let tracking_method = manifest
            .annotation(TRACKING_METHOD_ANNOTATION)
            .map_or(Ok(TrackingMethod::default()), str::parse)?;
        let mut warnings = Vec::new();
        let mut warn = |path: String, unknown: &BTreeMap<String, Value>| {
            warnings.extend(unknown.keys().map(|k| Warning {
                path: format!("{path}.{k}"),
                message: "unknown field".to_owned(),
            }));
        };
        warn("spec".to_owned(), &spec.unknown);
        let sources = spec.source.iter().map(|s| ("spec.source".to_owned(), s));
        let many = spec
            .sources
            .iter()
            .enumerate()
            .map(|(i, s)| (format!("spec.sources[{i}]"), s));
        for (path, source) in sources.chain(many) {
            warn(path.clone(), &source.unknown);
            if let Some(dir) = &source.directory {
                warn(format!("{path}.directory"), &dir.unknown);
            }
        }
        warn("spec.destination".to_owned(), &spec.destination.unknown);
        if let Some(policy) = &spec.sync_policy {
            warn("spec.syncPolicy".to_owned(), &policy.unknown);
            if let Some(a) = &policy.automated {
                warn("spec.syncPolicy.automated".to_owned(), &a.unknown);
            }
            if let Some(r) = &policy.retry {
                warn("spec.syncPolicy.retry".to_owned(), &r.unknown);
                warn("spec.syncPolicy.retry.backoff".to_owned(), &r.backoff.unknown);
            }
            if let Some(m) = &policy.managed_namespace_metadata {
                warn("spec.syncPolicy.managedNamespaceMetadata".to_owned(), &m.unknown);
            }
        }
        for (i, rule) in spec.ignore_differences.iter().enumerate() {
            warn(format!("spec.ignoreDifferences[{i}]"), &rule.unknown);
        }
        // `spec.info` is display-only in Argo CD: accepted without a warning, not kept.
        let _ = spec.info;
        Ok(Self {
            name: manifest.name().to_owned(),
            namespace: manifest.namespace().map(str::to_owned),
            project: if spec.project.is_empty() {
                "default".to_owned()
            } else {
                spec.project
            },
            source: spec.source,
            sources: spec.sources,
            destination: spec.destination,
            sync_policy: spec.sync_policy,
            ignore_differences: spec.ignore_differences,
            revision_history_limit: spec.revision_history_limit,
            tracking_method,
            warnings,
        })
    }

    /// The sources to render: `spec.sources` when non-empty, else `spec.source` (or none).
    pub fn sources(&self) -> &[ApplicationSource] {
        if self.sources.is_empty() {
            self.source.as_slice()
        } else {
            &self.sources
        }
    }

    /// `spec.syncPolicy.syncOptions`, parsed (all `None` without a sync policy).
    ///
    /// # Errors
    /// [`Error::InvalidApplication`] naming the bad item.
    pub fn sync_options(&self) -> Result<SyncOptions, Error> {
        let items = self
            .sync_policy
            .iter()
            .flat_map(|p| p.sync_options.iter().map(String::as_str));
        SyncOptions::from_items(items).map_err(|e| Error::InvalidApplication {
            key: crate::ResourceKey::new(
                "argoproj.io",
                "Application",
                self.namespace.as_deref(),
                self.name.clone(),
            ),
            message: format!("spec.syncPolicy.syncOptions: {e}"),
        })
    }

    /// Fields that were read but are unknown to gitops-rs, in document order per object.
    pub fn warnings(&self) -> &[Warning] {
        &self.warnings
    }
}

/// Deserializes a Go duration (`300ms`, `5s`, `1m30s`, `2h`), or a bare number of seconds.
fn go_duration<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Duration, D::Error> {
    let value = Value::deserialize(deserializer)?;
    match &value {
        Value::Number(n) => n
            .as_u64()
            .map(Duration::from_secs)
            .ok_or_else(|| serde::de::Error::custom(format!("invalid duration {n}"))),
        Value::String(s) => parse_go_duration(s).ok_or_else(|| {
            serde::de::Error::custom(format!("invalid duration {s:?}: expected e.g. 5s, 3m, 1h30m"))
        }),
        other => Err(serde::de::Error::custom(format!("invalid duration {other}"))),
    }
}

/// Parses Go's `time.ParseDuration` syntax for non-negative values: a sequence of decimal
/// numbers, each with a unit `ns`, `us`/`µs`, `ms`, `s`, `m`, `h`.
pub(crate) fn parse_go_duration(text: &str) -> Option<Duration> {
    if text == "0" {
        return Some(Duration::ZERO);
    }
    let mut rest = text.strip_prefix('+').unwrap_or(text);
    if rest.is_empty() {
        return None;
    }
    let mut total = 0f64;
    while !rest.is_empty() {
        let number_len = rest
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .unwrap_or(rest.len());
        let number: f64 = rest[..number_len].parse().ok()?;
        rest = &rest[number_len..];
        let unit_len = rest
            .find(|c: char| c.is_ascii_digit() || c == '.')
            .unwrap_or(rest.len());
        let seconds = match &rest[..unit_len] {
            "ns" => 1e-9,
            "us" | "µs" => 1e-6,
            "ms" => 1e-3,
            "s" => 1.0,
            "m" => 60.0,
            "h" => 3600.0,
            _ => return None,
        };
        rest = &rest[unit_len..];
        total += number * seconds;
    }
    Duration::try_from_secs_f64(total).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn go_durations_parse() {
        assert_eq!(parse_go_duration("5s"), Some(Duration::from_secs(5)));
        assert_eq!(parse_go_duration("1m30s"), Some(Duration::from_secs(90)));
        assert_eq!(parse_go_duration("1.5h"), Some(Duration::from_secs(5400)));
        assert_eq!(parse_go_duration("250ms"), Some(Duration::from_millis(250)));
        for bad in ["", "5", "s", "5x", "-5s", "1e3s"] {
            assert_eq!(parse_go_duration(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn backoff_delay_grows_and_caps() {
        let b = Backoff::default();
        let delays: Vec<u64> = (0..8).map(|n| b.delay(n).as_secs()).collect();
        assert_eq!(delays, [5, 10, 20, 40, 80, 160, 180, 180]);
    }
}
