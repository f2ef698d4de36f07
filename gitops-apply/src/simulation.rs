//! Simulated Kubernetes controllers, shared by [`InMemoryCluster`](crate::InMemoryCluster) and the
//! API server emulator in `gitops-testkit`.
//!
//! **This is a simulation.** No Pods run anywhere: [`simulated_status`] computes the `status` a
//! real controller (deployment, statefulset, daemonset, replicaset, job, kubelet, PV binder,
//! cloud load-balancer, ingress, apiextensions, namespace controllers) would eventually write, as
//! a pure function of the object and of the time since its last spec change. Workloads report
//! progress first and become ready after [`SimulationOptions::ready_after`], so health goes
//! Progressing then Healthy as it does on a real cluster.
//!
//! Failure scenarios are requested per object with the annotation
//! [`SIMULATE_ANNOTATION`] (`gitops.rs/simulate`):
//! - `progress-deadline-exceeded`: a Deployment reports `Progressing=False` with reason
//!   `ProgressDeadlineExceeded` (Degraded in Argo CD's health);
//! - `fail`: a Job fails with `BackoffLimitExceeded`, a Pod ends in phase `Failed`;
//! - `never-ready`: workloads stay in their progressing state forever.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde_json::{Value, json};

/// Annotation selecting a failure scenario for one object (see the module docs for the values).
pub const SIMULATE_ANNOTATION: &str = "gitops.rs/simulate";

/// Knobs of the simulated controllers.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct SimulationOptions {
    /// Time after a spec change before workloads report ready replicas, Jobs complete and Pods
    /// become Ready. Default 2 s; zero makes everything ready on the first read.
    pub ready_after: Duration,
    /// Number of simulated nodes, used as the desired count of DaemonSets. Default 1.
    pub nodes: u32,
}

impl Default for SimulationOptions {
    fn default() -> Self {
        Self {
            ready_after: Duration::from_secs(2),
            nodes: 1,
        }
    }
}

impl SimulationOptions {
    /// Sets [`SimulationOptions::ready_after`].
    #[must_use]
    pub fn ready_after(mut self, delay: Duration) -> Self {
        self.ready_after = delay;
        self
    }

    /// Sets [`SimulationOptions::nodes`].
    #[must_use]
    pub fn nodes(mut self, nodes: u32) -> Self {
        self.nodes = nodes;
        self
    }
}

/// The `status` the controllers of a real cluster would write for `object`, `since_change` after
/// its last spec change; `None` for kinds no simulated controller handles (ConfigMaps, Secrets,
/// RBAC, custom resources...), whose status is left as it is.
///
/// Handled: apps/v1 Deployment, StatefulSet, DaemonSet, ReplicaSet; batch/v1 Job; v1 Pod,
/// PersistentVolumeClaim, Service, Namespace; networking.k8s.io/v1 Ingress;
/// apiextensions.k8s.io/v1 CustomResourceDefinition. The status shapes follow the Kubernetes API
/// reference so that gitops-engine's health rules read them as they would read real ones.
/// Timestamps in the status are the time of the spec change (or of becoming ready), so two
/// reads in the same state give the same status.
pub fn simulated_status(
    object: &Value,
    since_change: Duration,
    options: &SimulationOptions,
) -> Option<Value> {
    let api_version = object.get("apiVersion").and_then(Value::as_str).unwrap_or("");
    let group = api_version.split_once('/').map_or("", |(g, _)| g);
    let kind = object.get("kind").and_then(Value::as_str).unwrap_or("");
    let controller = Controller::of(group, kind)?;
    let changed_at = SystemTime::now().checked_sub(since_change).unwrap_or(UNIX_EPOCH);
    let sim = Sim {
        object,
        ready: since_change >= options.ready_after,
        scenario: scenario(object),
        changed_at: format_rfc3339(changed_at),
        ready_at: format_rfc3339(changed_at + options.ready_after),
    };
    Some(match controller {
        Controller::Deployment => sim.deployment(),
        Controller::StatefulSet => sim.stateful_set(),
        Controller::DaemonSet => sim.daemon_set(options.nodes),
        Controller::ReplicaSet => sim.replica_set(),
        Controller::Job => sim.job(),
        Controller::Pod => sim.pod(),
        Controller::PersistentVolumeClaim => sim.pvc(),
        Controller::Service => sim.service(),
        Controller::Namespace => json!({"phase": "Active"}),
        Controller::Ingress => sim.ingress(),
        Controller::CustomResourceDefinition => sim.crd(),
    })
}

/// Whether a simulated controller handles objects of this API group (`""` for the core group)
/// and kind: exactly the kinds for which [`simulated_status`] returns `Some` (listed there;
/// `extensions` counts for Deployment, DaemonSet, ReplicaSet and Ingress). The version does not
/// matter.
///
/// ```
/// use gitops_apply::simulation::handles;
/// assert!(handles("apps", "Deployment"));
/// assert!(handles("", "Namespace"));
/// assert!(!handles("", "ConfigMap"));
/// assert!(!handles("example.com", "Widget"));
/// ```
pub fn handles(group: &str, kind: &str) -> bool {
    Controller::of(group, kind).is_some()
}

/// The simulated controller of a kind.
#[derive(Debug, Clone, Copy)]
enum Controller {
    Deployment,
    StatefulSet,
    DaemonSet,
    ReplicaSet,
    Job,
    Pod,
    PersistentVolumeClaim,
    Service,
    Namespace,
    Ingress,
    CustomResourceDefinition,
}

impl Controller {
    fn of(group: &str, kind: &str) -> Option<Self> {
        Some(match (group, kind) {
            ("apps" | "extensions", "Deployment") => Self::Deployment,
            ("apps", "StatefulSet") => Self::StatefulSet,
            ("apps" | "extensions", "DaemonSet") => Self::DaemonSet,
            ("apps" | "extensions", "ReplicaSet") => Self::ReplicaSet,
            ("batch", "Job") => Self::Job,
            ("", "Pod") => Self::Pod,
            ("", "PersistentVolumeClaim") => Self::PersistentVolumeClaim,
            ("", "Service") => Self::Service,
            ("", "Namespace") => Self::Namespace,
            ("networking.k8s.io" | "extensions", "Ingress") => Self::Ingress,
            ("apiextensions.k8s.io", "CustomResourceDefinition") => Self::CustomResourceDefinition,
            _ => return None,
        })
    }
}

/// Characters of `generateName` suffixes: the API server's `utilrand.String` alphabet (no
/// vowels, no look-alikes).
pub const NAME_SUFFIX_ALPHABET: &[u8] = b"bcdfghjklmnpqrstvwxz2456789";

/// A name for `metadata.generateName`: `prefix` plus 5 characters of
/// [`NAME_SUFFIX_ALPHABET`] derived from `seed`, as the API server's `SimpleNameGenerator`
/// (which draws them at random: pass a random seed for that, a counter for deterministic
/// names). Consecutive seeds give unrelated-looking suffixes.
///
/// ```
/// let name = gitops_apply::simulation::generated_name("run-", 7);
/// assert_eq!(name.len(), "run-".len() + 5);
/// assert_ne!(name, gitops_apply::simulation::generated_name("run-", 8));
/// ```
pub fn generated_name(prefix: &str, seed: u64) -> String {
    let base = NAME_SUFFIX_ALPHABET.len() as u64;
    // Spread consecutive seeds over the alphabet (a multiplicative hash), then base-27 digits.
    let mut n = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 20;
    let suffix: String = (0..5)
        .map(|_| {
            let c = NAME_SUFFIX_ALPHABET[(n % base) as usize] as char;
            n /= base;
            c
        })
        .collect();
    format!("{prefix}{suffix}")
}

/// Formats a time as RFC 3339 in UTC with second precision (`2026-11-21T11:07:00Z`), the form
/// Kubernetes uses for `metav1.Time`.
pub fn format_rfc3339(time: SystemTime) -> String {
    let secs = time.duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs());
    let days = (secs / 86_400) as i64;
    let rem = secs % 86_400;
    // Howard Hinnant's civil_from_days.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z",
        rem / 3600,
        (rem / 60) % 60,
        rem % 60
    )
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Scenario {
    Normal,
    ProgressDeadlineExceeded,
    Fail,
    NeverReady,
}

fn scenario(object: &Value) -> Scenario {
    match object
        .pointer("/metadata/annotations")
        .and_then(|a| a.get(SIMULATE_ANNOTATION))
        .and_then(Value::as_str)
    {
        Some("progress-deadline-exceeded") => Scenario::ProgressDeadlineExceeded,
        Some("fail") => Scenario::Fail,
        Some("never-ready") => Scenario::NeverReady,
        _ => Scenario::Normal,
    }
}

struct Sim<'a> {
    object: &'a Value,
    ready: bool,
    scenario: Scenario,
    /// RFC 3339 time of the last spec change: the start of every transition.
    changed_at: String,
    /// RFC 3339 time at which the object became (or becomes) ready.
    ready_at: String,
}

impl Sim<'_> {
    fn is_ready(&self) -> bool {
        self.ready && self.scenario != Scenario::NeverReady
    }

    fn generation(&self) -> i64 {
        self.object
            .pointer("/metadata/generation")
            .and_then(Value::as_i64)
            .unwrap_or(1)
    }

    fn name(&self) -> &str {
        self.object
            .pointer("/metadata/name")
            .and_then(Value::as_str)
            .unwrap_or("")
    }

    fn replicas(&self) -> i64 {
        self.object
            .pointer("/spec/replicas")
            .and_then(Value::as_i64)
            .unwrap_or(1)
    }

    /// Transition time of the current state: stable across reads, so re-reading an object whose
    /// state did not change yields an identical status.
    fn now(&self) -> String {
        if self.is_ready() {
            self.ready_at.clone()
        } else {
            self.changed_at.clone()
        }
    }

    fn deployment(&self) -> Value {
        let replicas = self.replicas();
        let generation = self.generation();
        let paused = self
            .object
            .pointer("/spec/paused")
            .and_then(Value::as_bool)
            .unwrap_or(false);
        let now = self.now();
        if self.scenario == Scenario::ProgressDeadlineExceeded {
            return json!({
                "observedGeneration": generation, "replicas": replicas, "updatedReplicas": replicas,
                "unavailableReplicas": replicas,
                "conditions": [
                    {"type": "Available", "status": "False", "reason": "MinimumReplicasUnavailable",
                     "message": "Deployment does not have minimum availability.", "lastUpdateTime": now, "lastTransitionTime": now},
                    {"type": "Progressing", "status": "False", "reason": "ProgressDeadlineExceeded",
                     "message": format!("ReplicaSet \"{}\" has timed out progressing.", self.name()),
                     "lastUpdateTime": now, "lastTransitionTime": now},
                ],
            });
        }
        let ready = if self.is_ready() && !paused { replicas } else { 0 };
        let mut status = json!({
            "observedGeneration": generation, "replicas": replicas, "updatedReplicas": replicas,
            "readyReplicas": ready, "availableReplicas": ready,
            "conditions": [
                {"type": "Available", "status": if ready == replicas { "True" } else { "False" },
                 "reason": if ready == replicas { "MinimumReplicasAvailable" } else { "MinimumReplicasUnavailable" },
                 "lastUpdateTime": now, "lastTransitionTime": now},
                {"type": "Progressing", "status": "True",
                 "reason": if ready == replicas { "NewReplicaSetAvailable" } else { "ReplicaSetUpdated" },
                 "lastUpdateTime": now, "lastTransitionTime": now},
            ],
        });
        if replicas > ready {
            status["unavailableReplicas"] = json!(replicas - ready);
        }
        status
    }

    fn stateful_set(&self) -> Value {
        let replicas = self.replicas();
        let ready = if self.is_ready() { replicas } else { 0 };
        let revision = format!("{}-{}", self.name(), self.generation());
        json!({
            "observedGeneration": self.generation(), "replicas": replicas, "readyReplicas": ready,
            "currentReplicas": replicas, "updatedReplicas": replicas, "availableReplicas": ready,
            "currentRevision": revision, "updateRevision": revision, "collisionCount": 0,
        })
    }

    fn daemon_set(&self, nodes: u32) -> Value {
        let desired = i64::from(nodes);
        let ready = if self.is_ready() { desired } else { 0 };
        json!({
            "observedGeneration": self.generation(), "desiredNumberScheduled": desired,
            "currentNumberScheduled": desired, "updatedNumberScheduled": desired,
            "numberReady": ready, "numberAvailable": ready, "numberMisscheduled": 0,
            "numberUnavailable": desired - ready,
        })
    }

    fn replica_set(&self) -> Value {
        let replicas = self.replicas();
        let ready = if self.is_ready() { replicas } else { 0 };
        json!({
            "observedGeneration": self.generation(), "replicas": replicas, "fullyLabeledReplicas": replicas,
            "readyReplicas": ready, "availableReplicas": ready,
        })
    }

    fn job(&self) -> Value {
        let now = self.now();
        let completions = self
            .object
            .pointer("/spec/completions")
            .and_then(Value::as_i64)
            .unwrap_or(1);
        if self.object.pointer("/spec/suspend").and_then(Value::as_bool) == Some(true) {
            return json!({"conditions": [{"type": "Suspended", "status": "True", "reason": "JobSuspended",
                "message": "Job suspended", "lastProbeTime": now, "lastTransitionTime": now}]});
        }
        if !self.is_ready() {
            return json!({"active": 1, "startTime": now, "ready": 0});
        }
        if self.scenario == Scenario::Fail {
            return json!({
                "failed": 1, "startTime": now,
                "conditions": [
                    {"type": "FailureTarget", "status": "True", "reason": "BackoffLimitExceeded",
                     "message": "Job has reached the specified backoff limit", "lastProbeTime": now, "lastTransitionTime": now},
                    {"type": "Failed", "status": "True", "reason": "BackoffLimitExceeded",
                     "message": "Job has reached the specified backoff limit", "lastProbeTime": now, "lastTransitionTime": now},
                ],
            });
        }
        json!({
            "succeeded": completions, "startTime": now, "completionTime": now, "ready": 0,
            "conditions": [
                {"type": "SuccessCriteriaMet", "status": "True", "reason": "CompletionsReached",
                 "message": "Reached expected number of succeeded pods", "lastProbeTime": now, "lastTransitionTime": now},
                {"type": "Complete", "status": "True", "reason": "CompletionsReached",
                 "message": "Reached expected number of succeeded pods", "lastProbeTime": now, "lastTransitionTime": now},
            ],
        })
    }

    fn pod(&self) -> Value {
        let now = self.now();
        let containers: Vec<String> = self
            .object
            .pointer("/spec/containers")
            .and_then(Value::as_array)
            .map(|c| {
                c.iter()
                    .filter_map(|c| c.get("name")?.as_str().map(str::to_owned))
                    .collect()
            })
            .unwrap_or_default();
        let image = |name: &str| {
            self.object
                .pointer("/spec/containers")
                .and_then(Value::as_array)
                .and_then(|cs| {
                    cs.iter()
                        .find(|c| c.get("name").and_then(Value::as_str) == Some(name))
                })
                .and_then(|c| c.get("image"))
                .cloned()
                .unwrap_or(Value::Null)
        };
        if !self.is_ready() {
            let statuses: Vec<Value> = containers
                .iter()
                .map(|n| {
                    json!({"name": n, "image": image(n), "ready": false, "restartCount": 0,
                    "state": {"waiting": {"reason": "ContainerCreating"}}})
                })
                .collect();
            return json!({"phase": "Pending", "startTime": now, "containerStatuses": statuses,
                "conditions": [{"type": "Ready", "status": "False", "lastTransitionTime": now}]});
        }
        if self.scenario == Scenario::Fail {
            let statuses: Vec<Value> = containers
                .iter()
                .map(|n| {
                    json!({"name": n, "image": image(n), "ready": false, "restartCount": 0,
                    "state": {"terminated": {"exitCode": 1, "reason": "Error", "finishedAt": now}}})
                })
                .collect();
            return json!({"phase": "Failed", "startTime": now, "containerStatuses": statuses,
                "conditions": [{"type": "Ready", "status": "False", "lastTransitionTime": now}]});
        }
        let statuses: Vec<Value> = containers
            .iter()
            .map(|n| {
                json!({"name": n, "image": image(n), "ready": true, "started": true, "restartCount": 0,
                "state": {"running": {"startedAt": now}}})
            })
            .collect();
        json!({"phase": "Running", "startTime": now, "podIP": "10.244.0.10", "containerStatuses": statuses,
        "conditions": [
            {"type": "Initialized", "status": "True", "lastTransitionTime": now},
            {"type": "ContainersReady", "status": "True", "lastTransitionTime": now},
            {"type": "Ready", "status": "True", "lastTransitionTime": now},
            {"type": "PodScheduled", "status": "True", "lastTransitionTime": now},
        ]})
    }

    fn pvc(&self) -> Value {
        let capacity = self
            .object
            .pointer("/spec/resources/requests/storage")
            .cloned()
            .unwrap_or(json!("1Gi"));
        let modes = self
            .object
            .pointer("/spec/accessModes")
            .cloned()
            .unwrap_or(json!(["ReadWriteOnce"]));
        json!({"phase": "Bound", "accessModes": modes, "capacity": {"storage": capacity}})
    }

    fn address(&self) -> String {
        // Deterministic per name, inside TEST-NET-3 (RFC 5737).
        let sum: u32 = self.name().bytes().map(u32::from).sum();
        format!("203.0.113.{}", sum % 250 + 1)
    }

    fn service(&self) -> Value {
        if self.object.pointer("/spec/type").and_then(Value::as_str) == Some("LoadBalancer")
            && self.is_ready()
        {
            json!({"loadBalancer": {"ingress": [{"ip": self.address(), "ipMode": "VIP"}]}})
        } else {
            json!({"loadBalancer": {}})
        }
    }

    fn ingress(&self) -> Value {
        if self.is_ready() {
            json!({"loadBalancer": {"ingress": [{"ip": self.address()}]}})
        } else {
            json!({"loadBalancer": {}})
        }
    }

    fn crd(&self) -> Value {
        let now = self.now();
        let names = self.object.pointer("/spec/names").cloned().unwrap_or(json!({}));
        let stored: Vec<Value> = self
            .object
            .pointer("/spec/versions")
            .and_then(Value::as_array)
            .map(|vs| {
                vs.iter()
                    .filter(|v| v.get("storage").and_then(Value::as_bool) == Some(true))
                    .filter_map(|v| v.get("name").cloned())
                    .collect()
            })
            .unwrap_or_default();
        json!({
            "acceptedNames": names, "storedVersions": stored,
            "conditions": [
                {"type": "NamesAccepted", "status": "True", "reason": "NoConflicts",
                 "message": "no conflicts found", "lastTransitionTime": now},
                {"type": "Established", "status": "True", "reason": "InitialNamesAccepted",
                 "message": "the initial names have been accepted", "lastTransitionTime": now},
            ],
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn handles_is_exactly_where_a_status_is_simulated() {
        let kinds = [
            ("apps/v1", "Deployment", true),
            ("extensions/v1beta1", "Ingress", true),
            ("v1", "Namespace", true),
            ("v1", "ConfigMap", false),
            ("apps/v1", "Ingress", false),
            ("example.com/v1", "Deployment", false),
        ];
        for (api_version, kind, handled) in kinds {
            let object = json!({"apiVersion": api_version, "kind": kind, "metadata": {"name": "x"}});
            let group = api_version.split_once('/').map_or("", |(g, _)| g);
            assert_eq!(handles(group, kind), handled, "{api_version} {kind}");
            let status = simulated_status(&object, Duration::ZERO, &SimulationOptions::default());
            assert_eq!(status.is_some(), handled, "{api_version} {kind}");
        }
    }

    #[test]
    fn deployment_progresses_then_becomes_available() {
        let d = json!({"apiVersion": "apps/v1", "kind": "Deployment",
            "metadata": {"name": "web", "generation": 3}, "spec": {"replicas": 2}});
        let opts = SimulationOptions::default();
        let early = simulated_status(&d, Duration::ZERO, &opts).unwrap();
        assert_eq!(early["availableReplicas"], 0);
        assert_eq!(early["observedGeneration"], 3);
        let late = simulated_status(&d, Duration::from_secs(5), &opts).unwrap();
        assert_eq!(late["availableReplicas"], 2);
        assert_eq!(late["conditions"][0]["status"], "True");
    }

    #[test]
    fn failure_scenarios_by_annotation() {
        let mut d = json!({"apiVersion": "apps/v1", "kind": "Deployment",
            "metadata": {"name": "web", "annotations": {SIMULATE_ANNOTATION: "progress-deadline-exceeded"}}});
        let s = simulated_status(&d, Duration::from_secs(60), &SimulationOptions::default()).unwrap();
        assert_eq!(s["conditions"][1]["reason"], "ProgressDeadlineExceeded");
        d["kind"] = json!("Job");
        d["apiVersion"] = json!("batch/v1");
        d["metadata"]["annotations"][SIMULATE_ANNOTATION] = json!("fail");
        let s = simulated_status(&d, Duration::from_secs(60), &SimulationOptions::default()).unwrap();
        assert_eq!(s["conditions"][1]["type"], "Failed");
        assert!(
            simulated_status(
                &json!({"apiVersion": "v1", "kind": "ConfigMap"}),
                Duration::ZERO,
                &SimulationOptions::default()
            )
            .is_none()
        );
    }

    #[test]
    fn rfc3339_formats_known_instants() {
        assert_eq!(format_rfc3339(UNIX_EPOCH), "1970-01-01T00:00:00Z");
        assert_eq!(
            format_rfc3339(UNIX_EPOCH + Duration::from_secs(1_795_000_000)),
            "2026-11-18T11:06:40Z"
        );
    }
}
