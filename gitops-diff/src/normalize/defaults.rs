//! A hand-written table of the API server's defaulting (`SetDefaults_*`), which the schemas do not
//! carry: used by the structured-merge mode so that fields the server fills in do not count as
//! drift. Only absent fields are filled; nothing is overwritten.

use serde_json::{Map, Value, json};

/// Fills server defaults into a built-in object of these kinds: Pod, Deployment, StatefulSet,
/// DaemonSet, ReplicaSet, Job, CronJob (their pod templates: `restartPolicy: Always`,
/// `dnsPolicy: ClusterFirst`, `schedulerName: default-scheduler`,
/// `terminationGracePeriodSeconds: 30`, `securityContext: {}`; containers'
/// `terminationMessagePath`, `terminationMessagePolicy`, `imagePullPolicy` (`Always` for `:latest`
/// or untagged images, else `IfNotPresent`), port `protocol: TCP`, probe thresholds), workload
/// `replicas`, `revisionHistoryLimit`, strategies, and Service `type: ClusterIP`,
/// `sessionAffinity: None`, `internalTrafficPolicy: Cluster`, port `protocol` and `targetPort`.
pub fn apply_server_defaults(object: &mut Value) {
    let api_version = object
        .get("apiVersion")
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_owned();
    let group = api_version.split_once('/').map_or("", |g| g.0).to_owned();
    let kind = object
        .get("kind")
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_owned();
    let Some(obj) = object.as_object_mut() else { return };
    match (group.as_str(), kind.as_str()) {
        ("", "Pod") => {
            if let Some(spec) = obj.get_mut("spec").and_then(Value::as_object_mut) {
                pod_spec(spec);
            }
        }
        ("", "Service") => {
            if let Some(spec) = obj.get_mut("spec").and_then(Value::as_object_mut) {
                service_spec(spec);
            }
        }
        ("apps", "Deployment" | "StatefulSet" | "DaemonSet" | "ReplicaSet") | ("batch", "Job") => {
            let Some(spec) = obj.get_mut("spec").and_then(Value::as_object_mut) else {
                return;
            };
            workload_spec(&kind, spec);
            template(spec);
        }
        ("batch", "CronJob") => {
            let Some(spec) = obj.get_mut("spec").and_then(Value::as_object_mut) else {
                return;
            };
            fill(spec, "concurrencyPolicy", json!("Allow"));
            fill(spec, "suspend", json!(false));
            fill(spec, "successfulJobsHistoryLimit", json!(3));
            fill(spec, "failedJobsHistoryLimit", json!(1));
            if let Some(job) = spec
                .get_mut("jobTemplate")
                .and_then(|j| j.get_mut("spec"))
                .and_then(Value::as_object_mut)
            {
                workload_spec("Job", job);
                template(job);
            }
        }
        _ => {}
    }
}

fn fill(map: &mut Map<String, Value>, key: &str, value: Value) {
    map.entry(key.to_owned()).or_insert(value);
}

fn workload_spec(kind: &str, spec: &mut Map<String, Value>) {
    match kind {
        "Deployment" => {
            fill(spec, "replicas", json!(1));
            fill(spec, "revisionHistoryLimit", json!(10));
            fill(spec, "progressDeadlineSeconds", json!(600));
            let strategy = spec.entry("strategy").or_insert_with(|| json!({}));
            if let Some(s) = strategy.as_object_mut() {
                fill(s, "type", json!("RollingUpdate"));
                if s.get("type") == Some(&json!("RollingUpdate")) {
                    let ru = s.entry("rollingUpdate").or_insert_with(|| json!({}));
                    if let Some(ru) = ru.as_object_mut() {
                        fill(ru, "maxSurge", json!("25%"));
                        fill(ru, "maxUnavailable", json!("25%"));
                    }
                }
            }
        }
        "StatefulSet" => {
            fill(spec, "replicas", json!(1));
            fill(spec, "revisionHistoryLimit", json!(10));
            fill(spec, "podManagementPolicy", json!("OrderedReady"));
            fill(
                spec,
                "persistentVolumeClaimRetentionPolicy",
                json!({"whenDeleted": "Retain", "whenScaled": "Retain"}),
            );
            let strategy = spec.entry("updateStrategy").or_insert_with(|| json!({}));
            if let Some(s) = strategy.as_object_mut() {
                fill(s, "type", json!("RollingUpdate"));
                if s.get("type") == Some(&json!("RollingUpdate")) {
                    fill(s, "rollingUpdate", json!({"partition": 0}));
                }
            }
        }
        "DaemonSet" => {
            fill(spec, "revisionHistoryLimit", json!(10));
            let strategy = spec.entry("updateStrategy").or_insert_with(|| json!({}));
            if let Some(s) = strategy.as_object_mut() {
                fill(s, "type", json!("RollingUpdate"));
                if s.get("type") == Some(&json!("RollingUpdate")) {
                    fill(s, "rollingUpdate", json!({"maxSurge": 0, "maxUnavailable": 1}));
                }
            }
        }
        "ReplicaSet" => fill(spec, "replicas", json!(1)),
        "Job" => {
            fill(spec, "backoffLimit", json!(6));
            fill(spec, "completionMode", json!("NonIndexed"));
            fill(spec, "suspend", json!(false));
            if !spec.contains_key("completions") && !spec.contains_key("parallelism") {
                spec.insert("completions".into(), json!(1));
                spec.insert("parallelism".into(), json!(1));
            }
            fill(spec, "parallelism", json!(1));
        }
        _ => {}
    }
}

fn template(spec: &mut Map<String, Value>) {
    if let Some(pod) = spec
        .get_mut("template")
        .and_then(|t| t.get_mut("spec"))
        .and_then(Value::as_object_mut)
    {
        pod_spec(pod);
    }
}

fn pod_spec(spec: &mut Map<String, Value>) {
    fill(spec, "restartPolicy", json!("Always"));
    fill(spec, "dnsPolicy", json!("ClusterFirst"));
    fill(spec, "schedulerName", json!("default-scheduler"));
    fill(spec, "terminationGracePeriodSeconds", json!(30));
    fill(spec, "securityContext", json!({}));
    for list in ["containers", "initContainers"] {
        if let Some(Value::Array(containers)) = spec.get_mut(list) {
            for c in containers.iter_mut().filter_map(Value::as_object_mut) {
                container(c);
            }
        }
    }
}

fn container(c: &mut Map<String, Value>) {
    fill(c, "terminationMessagePath", json!("/dev/termination-log"));
    fill(c, "terminationMessagePolicy", json!("File"));
    fill(c, "resources", json!({}));
    if !c.contains_key("imagePullPolicy") {
        let image = c.get("image").and_then(Value::as_str).unwrap_or("");
        let last = image.rsplit('/').next().unwrap_or(image);
        let tag = last
            .split_once('@')
            .map_or(last, |(name, _)| name)
            .split_once(':')
            .map(|(_, t)| t);
        let digest = last.contains('@');
        let policy = if !digest && tag.is_none_or(|t| t == "latest") {
            "Always"
        } else {
            "IfNotPresent"
        };
        c.insert("imagePullPolicy".into(), json!(policy));
    }
    if let Some(Value::Array(ports)) = c.get_mut("ports") {
        for p in ports.iter_mut().filter_map(Value::as_object_mut) {
            fill(p, "protocol", json!("TCP"));
        }
    }
    for probe in ["livenessProbe", "readinessProbe", "startupProbe"] {
        if let Some(p) = c.get_mut(probe).and_then(Value::as_object_mut) {
            fill(p, "timeoutSeconds", json!(1));
            fill(p, "periodSeconds", json!(10));
            fill(p, "successThreshold", json!(1));
            fill(p, "failureThreshold", json!(3));
        }
    }
}

fn service_spec(spec: &mut Map<String, Value>) {
    fill(spec, "type", json!("ClusterIP"));
    fill(spec, "sessionAffinity", json!("None"));
    if spec.get("type") != Some(&json!("ExternalName")) {
        fill(spec, "internalTrafficPolicy", json!("Cluster"));
    }
    if let Some(Value::Array(ports)) = spec.get_mut("ports") {
        for p in ports.iter_mut().filter_map(Value::as_object_mut) {
            fill(p, "protocol", json!("TCP"));
            if let Some(port) = p.get("port").cloned() {
                fill(p, "targetPort", port);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fills_only_absent_fields() {
        let mut d = json!({"apiVersion": "apps/v1", "kind": "Deployment", "spec": {"replicas": 3, "template": {"spec": {
            "containers": [{"name": "a", "image": "nginx"}, {"name": "b", "image": "nginx:1.2", "imagePullPolicy": "Never"}]}}}});
        apply_server_defaults(&mut d);
        assert_eq!(d["spec"]["replicas"], 3);
        assert_eq!(d["spec"]["strategy"]["rollingUpdate"]["maxSurge"], "25%");
        let c = &d["spec"]["template"]["spec"]["containers"];
        assert_eq!(c[0]["imagePullPolicy"], "Always");
        assert_eq!(c[1]["imagePullPolicy"], "Never");
        let mut s = json!({"apiVersion": "v1", "kind": "Service", "spec": {"ports": [{"port": 80}]}});
        apply_server_defaults(&mut s);
        assert_eq!(
            s["spec"]["ports"][0],
            json!({"port": 80, "protocol": "TCP", "targetPort": 80})
        );
        assert_eq!(s["spec"]["internalTrafficPolicy"], "Cluster");
    }
}
