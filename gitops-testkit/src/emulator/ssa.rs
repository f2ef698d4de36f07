//! The single entry point of server-side apply and of managedFields bookkeeping: every apply
//! patch goes through [`apply`] and every other write through [`record_update`], both on
//! `gitops_diff::merge` (the project's one implementation of server-side apply), with the
//! built-in schema plus the registered CRDs' schemas.

use gitops_diff::{
    ListType, Schema,
    merge::{self, ApplyOptions},
};
use serde_json::Value;

use super::meta;

/// Fields owned by other managers that the apply would change: `(field path, manager)`.
pub(crate) type Conflicts = Vec<(String, String)>;

/// Server-side apply of `config` by `manager` onto `live` (`None`: the object is created).
/// Returns the merged object with managedFields updated (entry time: now).
pub(crate) fn apply(
    schema: &std::sync::Arc<Schema>,
    live: Option<&Value>,
    config: &Value,
    manager: &str,
    force: bool,
) -> Result<Value, Conflicts> {
    let options = ApplyOptions::new(manager)
        .with_force(force)
        .with_schema(std::sync::Arc::clone(schema))
        .with_time(meta::now());
    merge::apply_with(live, config, &options)
        .map(|applied| applied.object)
        .map_err(|conflicts| {
            conflicts
                .conflicts
                .into_iter()
                .map(|c| (c.path, c.manager))
                .collect()
        })
}

/// Records a non-apply write (create, update, patch) by `manager` in `new`'s managedFields
/// (operation `Update`: the manager takes the fields that changed from `old`).
pub(crate) fn record_update(
    schema: &std::sync::Arc<Schema>,
    old: Option<&Value>,
    new: &mut Value,
    manager: &str,
) {
    let options = ApplyOptions::new(manager)
        .with_schema(std::sync::Arc::clone(schema))
        .with_time(meta::now());
    *new = merge::update_with(old, new, &options).object;
}

/// The strategic-merge-patch merge key of the list at `path` (object field names from the root)
/// in objects of `api_version`/`kind`, from the same schema: the first list-map key (the
/// `x-kubernetes-patch-merge-key` everywhere the two are given, e.g. `containerPort` for container
/// ports), `Some("")` for sets (merged by value), `None` for atomic lists (replaced).
pub(crate) fn smp_merge_key(
    schema: &Schema,
    api_version: &str,
    kind: &str,
    path: &[String],
) -> Option<String> {
    let path: Vec<&str> = path.iter().map(String::as_str).collect();
    match schema.list_semantics(api_version, kind, &path) {
        (ListType::Map, keys) => keys.into_iter().next(),
        (ListType::Set, _) => Some(String::new()),
        _ => None,
    }
}
