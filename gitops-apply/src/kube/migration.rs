//! Migration of client-side-applied objects to server-side apply ownership, as kubectl's and
//! Argo CD's `csaupgrade`: the fields a client-side-apply manager owns move to the server-side
//! apply manager, so a field later removed from Git is removed from the cluster too.

use gitops_diff::merge::FieldSet;
use serde_json::{Value, json};

/// The managedFields of `object` after moving the fields owned by the client-side-apply
/// `csa_managers` (entries with operation `Update` on the main resource, e.g. kubectl's
/// `kubectl-client-side-apply`) to the `Apply` entry of `ssa_manager` (created when absent, with
/// the client-side entry's apiVersion and time); `None` when no such entry exists or a field
/// set involved is not valid FieldsV1.
///
/// The union of field sets is gitops-diff's [`FieldSet::union`]. Entries of other managers and of
/// subresources (`status`) are kept as they are.
///
/// ```
/// use gitops_apply::kube::upgrade_managed_fields;
/// let object = serde_json::json!({"metadata": {"managedFields": [
///     {"manager": "kubectl-client-side-apply", "operation": "Update", "apiVersion": "v1",
///      "fieldsType": "FieldsV1", "fieldsV1": {"f:data": {"f:a": {}, "f:b": {}}}},
///     {"manager": "gitops-rs", "operation": "Apply", "apiVersion": "v1",
///      "fieldsType": "FieldsV1", "fieldsV1": {"f:data": {"f:a": {}}}}]}});
/// let entries = upgrade_managed_fields(&object, &["kubectl-client-side-apply".into()], "gitops-rs").unwrap();
/// assert_eq!(entries.len(), 1);
/// assert_eq!(entries[0]["fieldsV1"], serde_json::json!({"f:data": {"f:a": {}, "f:b": {}}}));
/// ```
pub fn upgrade_managed_fields(
    object: &Value,
    csa_managers: &[String],
    ssa_manager: &str,
) -> Option<Vec<Value>> {
    let entries = object.pointer("/metadata/managedFields")?.as_array()?;
    let is_main = |e: &Value| {
        e.get("subresource")
            .and_then(Value::as_str)
            .is_none_or(str::is_empty)
    };
    let field = |e: &Value, f: &str| e.get(f).and_then(Value::as_str).unwrap_or_default().to_owned();
    let is_csa = |e: &Value| {
        is_main(e) && field(e, "operation") == "Update" && csa_managers.contains(&field(e, "manager"))
    };
    let first_csa = entries.iter().find(|e| is_csa(e))?;
    // Field sets through gitops-diff's FieldsV1 reader; an entry that does not parse leaves the
    // object as it is (no migration rather than a guessed ownership).
    let fields_of = |e: &Value| FieldSet::from_fields_v1(e.get("fieldsV1").unwrap_or(&json!({}))).ok();
    let mut owned = FieldSet::new();
    for entry in entries.iter().filter(|e| is_csa(e)) {
        owned = owned.union(&fields_of(entry)?);
    }
    let is_ssa =
        |e: &Value| is_main(e) && field(e, "operation") == "Apply" && field(e, "manager") == ssa_manager;
    let mut result: Vec<Value> = entries.iter().filter(|e| !is_csa(e)).cloned().collect();
    if let Some(ssa) = result.iter_mut().find(|e| is_ssa(e)) {
        ssa["fieldsV1"] = fields_of(ssa)?.union(&owned).to_fields_v1();
    } else {
        let mut entry = json!({"manager": ssa_manager, "operation": "Apply",
            "apiVersion": first_csa.get("apiVersion").cloned().unwrap_or(Value::Null),
            "fieldsType": "FieldsV1", "fieldsV1": owned.to_fields_v1()});
        if let Some(time) = first_csa.get("time") {
            entry["time"] = time.clone();
        }
        result.push(entry);
    }
    Some(result)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(manager: &str, operation: &str, fields: Value) -> Value {
        let mut entry = json!({"manager": manager, "operation": operation, "apiVersion": "apps/v1",
               "time": "2024-01-01T00:00:00Z", "fieldsType": "FieldsV1"});
        entry["fieldsV1"] = fields;
        entry
    }

    fn csa() -> Vec<String> {
        vec!["kubectl-client-side-apply".into()]
    }

    #[test]
    fn without_an_apply_entry_the_client_side_entry_becomes_one() {
        let object = json!({"metadata": {"managedFields": [
            entry("kubectl-client-side-apply", "Update", json!({"f:spec": {"f:replicas": {}}})),
            entry("kube-controller-manager", "Update", json!({"f:status": {"f:replicas": {}}})),
        ]}});
        let entries = upgrade_managed_fields(&object, &csa(), "gitops-rs").unwrap();
        assert_eq!(entries.len(), 2);
        assert_eq!(entries[0]["manager"], "kube-controller-manager");
        assert_eq!(
            entries[1],
            entry("gitops-rs", "Apply", json!({"f:spec": {"f:replicas": {}}}))
        );
    }

    #[test]
    fn several_client_side_entries_merge_into_the_apply_entry() {
        let object = json!({"metadata": {"managedFields": [
            entry("gitops-rs", "Apply", json!({"f:spec": {"f:template": {"f:a": {}}}})),
            entry("kubectl-client-side-apply", "Update", json!({"f:spec": {"f:template": {"f:b": {}}}})),
            entry("kubectl", "Update", json!({"f:metadata": {"f:labels": {"f:x": {}}}})),
        ]}});
        let managers = vec!["kubectl-client-side-apply".to_owned(), "kubectl".to_owned()];
        let entries = upgrade_managed_fields(&object, &managers, "gitops-rs").unwrap();
        assert_eq!(entries.len(), 1);
        assert_eq!(
            entries[0]["fieldsV1"],
            json!({"f:spec": {"f:template": {"f:a": {}, "f:b": {}}}, "f:metadata": {"f:labels": {"f:x": {}}}})
        );
    }

    #[test]
    fn nothing_to_do_without_client_side_owners() {
        let object = json!({"metadata": {"managedFields": [
            entry("gitops-rs", "Apply", json!({"f:data": {}})),
            // An Apply by the client-side manager's name is not a client-side apply.
            entry("kubectl-client-side-apply", "Apply", json!({"f:data": {}})),
        ]}});
        assert_eq!(upgrade_managed_fields(&object, &csa(), "gitops-rs"), None);
        assert_eq!(
            upgrade_managed_fields(&json!({"metadata": {}}), &csa(), "gitops-rs"),
            None
        );
        assert_eq!(upgrade_managed_fields(&json!({}), &csa(), "gitops-rs"), None);
    }

    #[test]
    fn status_subresource_entries_stay() {
        let mut status = entry("kubectl-client-side-apply", "Update", json!({"f:status": {}}));
        status["subresource"] = json!("status");
        let object = json!({"metadata": {"managedFields": [status.clone(),
            entry("kubectl-client-side-apply", "Update", json!({"f:data": {}}))]}});
        let entries = upgrade_managed_fields(&object, &csa(), "gitops-rs").unwrap();
        assert_eq!(entries[0], status);
        assert_eq!(entries[1]["manager"], "gitops-rs");
    }
}
