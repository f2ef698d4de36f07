//! [`diff()`]: one desired object against its live counterpart, and the [`ResourceDiff`] it gives.

mod changes;
mod fast;
pub(crate) mod predict;

use serde_json::Value;

pub use changes::FieldChange;
pub use fast::is_modified;

use crate::{
    DiffMode, DiffOptions, Error,
    ignore::IgnorePlan,
    mask,
    normalize::{
        LAST_APPLIED_ANNOTATION, apply_server_defaults, drop_nulls, normalize_builtin, strip_server_fields,
        stripped_clone,
    },
    schema::Node,
};

/// The outcome of comparing one desired object with its live counterpart.
///
/// `normalized_live` is the live object after normalization (server-populated metadata, `status`
/// and ignored fields removed, Secret values masked); `predicted_live` is what live would be after
/// a sync, normalized the same way. `patch` (RFC 6902) turns `normalized_live` into
/// `predicted_live`; `changes` lists the same differences field by field, sorted by path. With
/// [`DiffOptions::mask_secrets`] (the default) all of them carry masked Secret values, so a patch
/// of a Secret is for display only: turn masking off to get one that can be applied.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct ResourceDiff {
    /// Whether a sync would change the live object (Argo CD's `Modified`, i.e. OutOfSync).
    pub modified: bool,
    /// The live object, normalized (`null` when there is no live object).
    pub normalized_live: Value,
    /// The predicted live object after a sync, normalized (`null` when desired is `null`).
    pub predicted_live: Value,
    /// RFC 6902 patch from `normalized_live` to `predicted_live`.
    pub patch: json_patch::Patch,
    /// The differing fields, in path order.
    pub changes: Vec<FieldChange>,
}

/// Compares `desired` with `live` and predicts the live state after a sync.
///
/// `live` may be `null` (the object does not exist: everything is added) and `desired` may be
/// `null` (the object is to be pruned: everything is removed). The mode comes from
/// [`DiffOptions::mode`]; [`DiffMode::Auto`] picks three-way when live carries
/// `kubectl.kubernetes.io/last-applied-configuration`, else two-way, as gitops-engine does.
///
/// Before comparison both sides lose server-populated metadata and `status`, Secrets have
/// `stringData` folded into `data`, Endpoints are sorted, empty RBAC rules equal none, ignore
/// rules and [`Normalizer`](crate::Normalizer)s are applied. Values equal by meaning (quantities
/// `1000m` = `1` where the schema says `Quantity`, numbers `1` = `1.0`, an empty list or map in
/// desired against an absent live field) are not differences. Lists merge per the
/// [`Schema`](crate::Schema): list-maps by key (so server reordering is not drift), sets by value,
/// atomic lists whole (element by element when lengths agree, so server-defaulted element fields
/// are not drift).
///
/// ```
/// use gitops_diff::{diff, DiffOptions};
/// use serde_json::json;
/// let desired = json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c"}, "data": {"a": "1"}});
/// let live = json!({"apiVersion": "v1", "kind": "ConfigMap",
///     "metadata": {"name": "c", "uid": "u-1", "resourceVersion": "7"}, "data": {"a": "2"}});
/// let d = diff(&desired, &live, &DiffOptions::default())?;
/// assert!(d.modified);
/// assert_eq!(d.changes[0].path, "/data/a");
/// assert_eq!(d.predicted_live["data"]["a"], "1");
/// # Ok::<(), gitops_diff::Error>(())
/// ```
///
/// # Errors
/// [`Error::NotAnObject`] when a side is neither an object nor `null`;
/// [`Error::Conflicts`] is never returned here ([`DiffMode::StructuredMerge`] forces).
pub fn diff(desired: &Value, live: &Value, options: &DiffOptions) -> Result<ResourceDiff, Error> {
    check_object(desired, "desired")?;
    check_object(live, "live")?;
    let Some(node) = root_node(desired, live, options) else {
        return Ok(finish(Value::Null, Value::Null, options));
    };
    let mode = match options.mode {
        DiffMode::Auto if last_applied(live).is_some() => DiffMode::ThreeWay,
        DiffMode::Auto => DiffMode::TwoWay,
        other => other,
    };
    let live_aggregates = live.get("aggregationRule").is_some_and(|a| !a.is_null());
    let ignored = crate::ignore::IgnorePlan::new(desired, live, options)?;
    let mut normalized_live = stripped_clone(live);
    normalize_side(&mut normalized_live, options, live_aggregates, &ignored, node)?;
    if desired.is_null() {
        return Ok(finish(normalized_live, Value::Null, options));
    }
    let predicted = if mode == DiffMode::StructuredMerge {
        let merged = crate::merge::apply(
            if live.is_null() { None } else { Some(live) },
            desired,
            &options.manager,
            true,
        )
        .map_err(|source| Error::Conflicts {
            object: describe(desired),
            manager: options.manager.clone(),
            source,
        })?;
        let mut predicted = merged.object;
        apply_server_defaults(&mut predicted);
        apply_server_defaults(&mut normalized_live);
        normalize_side(&mut predicted, options, live_aggregates, &ignored, node)?;
        predict::align(&normalized_live, predicted, node)
    } else {
        let mut d = stripped_clone(desired);
        drop_nulls(&mut d);
        normalize_side(&mut d, options, live_aggregates, &ignored, node)?;
        let last = if mode == DiffMode::ThreeWay {
            last_applied_normalized(live)
                .map(|mut a| {
                    normalize_side(&mut a, options, live_aggregates, &ignored, node)?;
                    Ok::<Value, Error>(a)
                })
                .transpose()?
        } else {
            None
        };
        let live_ref = if normalized_live.is_null() {
            None
        } else {
            Some(&normalized_live)
        };
        predict::predict(live_ref, &d, last.as_ref(), node)
    };
    Ok(finish(normalized_live, predicted, options))
}

/// Server-side diff: compares with the object a server-side apply dry run returned
/// (`predicted_live`, which the caller obtains, e.g. gitops-apply), as Argo CD's server-side diff.
///
/// With [`DiffOptions::ignore_mutation_webhook`] (the default), fields of `predicted_live` that
/// our manager ([`DiffOptions::manager`]) does not own per its `managedFields` are reverted to
/// live's values, so mutations by admission webhooks are not shown as drift; list-map key fields
/// are kept so elements stay identifiable.
///
/// # Errors
/// [`Error::NotAnObject`] when a side is neither an object nor `null`.
pub fn diff_server_side(
    desired: &Value,
    live: &Value,
    predicted_live: &Value,
    options: &DiffOptions,
) -> Result<ResourceDiff, Error> {
    check_object(desired, "desired")?;
    check_object(live, "live")?;
    check_object(predicted_live, "predicted live")?;
    let Some(node) = root_node(desired, live, options) else {
        return Ok(finish(Value::Null, Value::Null, options));
    };
    let live_aggregates = live.get("aggregationRule").is_some_and(|a| !a.is_null());
    let ignored = crate::ignore::IgnorePlan::new(desired, live, options)?;
    let mut normalized_live = stripped_clone(live);
    normalize_side(&mut normalized_live, options, live_aggregates, &ignored, node)?;
    if desired.is_null() {
        return Ok(finish(normalized_live, Value::Null, options));
    }
    let mut predicted = if options.ignore_mutation_webhook {
        crate::merge::revert_unowned(live, predicted_live, &options.manager, node)
    } else {
        predicted_live.clone()
    };
    normalize_side(&mut predicted, options, live_aggregates, &ignored, node)?;
    let predicted = predict::align(&normalized_live, predicted, node);
    Ok(finish(normalized_live, predicted, options))
}

fn check_object(v: &Value, side: &'static str) -> Result<(), Error> {
    if v.is_object() || v.is_null() {
        Ok(())
    } else {
        Err(Error::NotAnObject { side })
    }
}

fn root_node<'s>(desired: &Value, live: &Value, options: &'s DiffOptions) -> Option<Node<'s>> {
    let source = if desired.is_null() { live } else { desired };
    if source.is_null() {
        return None;
    }
    let api_version = source.get("apiVersion").and_then(Value::as_str).unwrap_or("");
    let kind = source.get("kind").and_then(Value::as_str).unwrap_or("");
    Some(options.schema.root(api_version, kind))
}

/// `group/kind/namespace/name` of an object, for messages.
pub(crate) fn describe(v: &Value) -> String {
    let s = |p: &str| v.pointer(p).and_then(Value::as_str).unwrap_or("");
    let group = s("/apiVersion").split_once('/').map_or("", |g| g.0);
    format!(
        "{group}/{}/{}/{}",
        s("/kind"),
        s("/metadata/namespace"),
        s("/metadata/name")
    )
}

/// The last-applied configuration as the three-way mode compares it when no ignore rules or
/// normalizers apply: identity, nulls and server fields removed (the three-way diff then runs
/// the rest of the normalization on it).
pub(crate) fn last_applied_normalized(live: &Value) -> Option<Value> {
    let mut a = last_applied(live)?;
    // Identity is never removed by a sync: kubectl records the namespace it defaulted.
    strip_identity(&mut a);
    drop_nulls(&mut a);
    strip_server_fields(&mut a);
    Some(a)
}

/// The parsed last-applied configuration annotation of `live`, when present and valid JSON.
pub(crate) fn last_applied(live: &Value) -> Option<Value> {
    let text = live
        .pointer("/metadata/annotations")?
        .get(LAST_APPLIED_ANNOTATION)?
        .as_str()?;
    serde_json::from_str::<Value>(text).ok().filter(Value::is_object)
}

fn strip_identity(v: &mut Value) {
    if let Some(m) = v.as_object_mut() {
        m.remove("apiVersion");
        m.remove("kind");
        if let Some(meta) = m.get_mut("metadata").and_then(Value::as_object_mut) {
            meta.remove("name");
            meta.remove("namespace");
        }
    }
}

fn normalize_side(
    v: &mut Value,
    options: &DiffOptions,
    live_aggregates: bool,
    ignored: &IgnorePlan,
    node: Node<'_>,
) -> Result<(), Error> {
    if v.is_null() {
        return Ok(());
    }
    strip_server_fields(v);
    normalize_builtin(v, options.ignore_aggregated_roles, live_aggregates);
    ignored.apply(v, node)?;
    for n in &options.normalizers {
        n.normalize(v);
    }
    Ok(())
}

fn finish(mut normalized_live: Value, mut predicted_live: Value, options: &DiffOptions) -> ResourceDiff {
    let modified = normalized_live != predicted_live;
    if options.mask_secrets {
        mask::mask(
            &mut [Some(&mut normalized_live), Some(&mut predicted_live)],
            &options.mask,
        );
    }
    let changes = match (&normalized_live, &predicted_live) {
        _ if !modified => Vec::new(),
        (Value::Null, after) => vec![FieldChange::new("", None, Some(after.clone()))],
        (before, Value::Null) => vec![FieldChange::new("", Some(before.clone()), None)],
        (before, after) => changes::changes(before, after),
    };
    let patch = changes::patch(&changes);
    ResourceDiff {
        modified,
        normalized_live,
        predicted_live,
        patch,
        changes,
    }
}
