//! Ignore-differences rules, with Argo CD's semantics (`spec.ignoreDifferences`): fields named by
//! JSON pointers or jq path expressions, or owned by listed field managers, are removed from every
//! side before comparison; rules select objects by group and kind globs, name and namespace.

mod jq;

use std::time::Duration;

use serde_json::Value;

use crate::{Error, merge::FieldSet, schema::Node};

/// One ignore-differences rule. Empty `name`/`namespace` match every object; `group` and `kind`
/// are globs where `*` matches any run of characters (`""` is the core group).
///
/// ```
/// use gitops_diff::IgnoreRule;
/// let rule = IgnoreRule::new("apps", "Deployment").with_pointer("/spec/replicas");
/// assert!(rule.matches("apps", "Deployment", Some("default"), "web"));
/// assert!(!rule.matches("", "Service", Some("default"), "web"));
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct IgnoreRule {
    /// Group glob (`""` is the core group, `*` any).
    pub group: String,
    /// Kind glob.
    pub kind: String,
    /// Object name; empty for any.
    pub name: String,
    /// Namespace; empty for any.
    pub namespace: String,
    /// JSON pointers (RFC 6901) of ignored fields.
    pub json_pointers: Vec<String>,
    /// jq path expressions of ignored fields (e.g.
    /// `.spec.template.spec.containers[] | select(.name == "app") | .image`), run as
    /// `del(EXPRESSION)` within [`DiffOptions::jq_timeout`](crate::DiffOptions::jq_timeout).
    pub jq_path_expressions: Vec<String>,
    /// Field managers whose owned fields (per live `managedFields`) are ignored.
    pub managed_fields_managers: Vec<String>,
}

impl IgnoreRule {
    /// A rule for objects of this group and kind (globs).
    pub fn new(group: impl Into<String>, kind: impl Into<String>) -> Self {
        Self {
            group: group.into(),
            kind: kind.into(),
            ..Self::default()
        }
    }

    /// Restricts the rule to one object name.
    #[must_use]
    pub fn with_name(mut self, name: impl Into<String>) -> Self {
        self.name = name.into();
        self
    }

    /// Restricts the rule to one namespace.
    #[must_use]
    pub fn with_namespace(mut self, namespace: impl Into<String>) -> Self {
        self.namespace = namespace.into();
        self
    }

    /// Adds an ignored JSON pointer.
    #[must_use]
    pub fn with_pointer(mut self, pointer: impl Into<String>) -> Self {
        self.json_pointers.push(pointer.into());
        self
    }

    /// Adds a jq path expression.
    #[must_use]
    pub fn with_jq(mut self, expression: impl Into<String>) -> Self {
        self.jq_path_expressions.push(expression.into());
        self
    }

    /// Adds a field manager whose fields are ignored.
    #[must_use]
    pub fn with_manager(mut self, manager: impl Into<String>) -> Self {
        self.managed_fields_managers.push(manager.into());
        self
    }

    /// Whether the rule selects this object.
    pub fn matches(&self, group: &str, kind: &str, namespace: Option<&str>, name: &str) -> bool {
        glob(&self.group, group)
            && glob(&self.kind, kind)
            && (self.name.is_empty() || self.name == name)
            && (self.namespace.is_empty() || Some(self.namespace.as_str()) == namespace)
    }

    /// Checks the rule's pointers and jq expressions.
    ///
    /// # Errors
    /// [`Error::InvalidPointer`] for a pointer that is neither empty nor starts with `/`;
    /// [`Error::InvalidJq`] for a jq expression that does not compile.
    pub fn validate(&self) -> Result<(), Error> {
        self.validate_pointers()?;
        for e in &self.jq_path_expressions {
            jq::check(e)?;
        }
        Ok(())
    }

    /// Checks the rule's JSON pointers (RFC 6901: empty, or starting with `/`).
    ///
    /// # Errors
    /// [`Error::InvalidPointer`] naming the first bad pointer.
    pub(crate) fn validate_pointers(&self) -> Result<(), Error> {
        match self
            .json_pointers
            .iter()
            .find(|p| !p.is_empty() && !p.starts_with('/'))
        {
            Some(p) => Err(Error::InvalidPointer { pointer: p.clone() }),
            None => Ok(()),
        }
    }
}

/// `*`-glob match.
pub(crate) fn glob(pattern: &str, text: &str) -> bool {
    let Some((first, rest)) = pattern.split_once('*') else {
        return pattern == text;
    };
    let Some(mut remaining) = text.strip_prefix(first) else {
        return false;
    };
    let parts: Vec<&str> = rest.split('*').collect();
    for (i, part) in parts.iter().enumerate() {
        if i + 1 == parts.len() {
            return remaining.ends_with(part);
        }
        match remaining.find(part) {
            Some(at) => remaining = &remaining[at + part.len()..],
            None => return false,
        }
    }
    true
}

/// Removes the value at `pointer` from `object`, when present.
pub(crate) fn remove_pointer(object: &mut Value, pointer: &str) {
    let Some((parent, last)) = pointer.rsplit_once('/') else {
        return;
    };
    let last = last.replace("~1", "/").replace("~0", "~");
    match object.pointer_mut(parent) {
        Some(Value::Object(map)) => {
            map.remove(&last);
        }
        Some(Value::Array(items)) => {
            if let Ok(i) = last.parse::<usize>()
                && i < items.len()
            {
                items.remove(i);
            }
        }
        _ => {}
    }
}

/// What the matching rules remove from each side of one object's diff.
#[derive(Debug, Default)]
pub(crate) struct IgnorePlan {
    pointers: Vec<String>,
    jq: Vec<String>,
    managed: FieldSet,
    budget: Duration,
}

impl IgnorePlan {
    /// The plan for an object (identity taken from desired, else live); manager-owned fields come
    /// from live's `managedFields`.
    pub(crate) fn new(desired: &Value, live: &Value, options: &crate::DiffOptions) -> Result<Self, Error> {
        let mut plan = IgnorePlan {
            budget: options.jq_timeout,
            ..IgnorePlan::default()
        };
        if options.ignore.is_empty() {
            return Ok(plan);
        }
        let source = if desired.is_null() { live } else { desired };
        let (group, kind, namespace, name) = identity(source);
        for rule in options
            .ignore
            .iter()
            .filter(|r| r.matches(group, kind, namespace, name))
        {
            rule.validate_pointers()?;
            plan.pointers.extend(rule.json_pointers.iter().cloned());
            plan.jq.extend(rule.jq_path_expressions.iter().cloned());
            for m in &rule.managed_fields_managers {
                plan.managed.union_in_place(&crate::merge::owned_fields(live, m));
            }
        }
        Ok(plan)
    }

    /// Removes the ignored fields from one side.
    pub(crate) fn apply(&self, object: &mut Value, node: Node<'_>) -> Result<(), Error> {
        if object.is_null() {
            return Ok(());
        }
        for p in &self.pointers {
            remove_pointer(object, p);
        }
        for e in &self.jq {
            jq::delete(object, e, self.budget)?;
        }
        if !self.managed.is_empty() {
            crate::merge::remove_fields(object, &self.managed, node);
        }
        Ok(())
    }
}

fn identity(object: &Value) -> (&str, &str, Option<&str>, &str) {
    let s = |p: &str| object.pointer(p).and_then(Value::as_str).unwrap_or("");
    let group = s("/apiVersion").split_once('/').map_or("", |g| g.0);
    let namespace = Some(s("/metadata/namespace")).filter(|n| !n.is_empty());
    (group, s("/kind"), namespace, s("/metadata/name"))
}

/// Argo CD's `RespectIgnoreDifferences` sync option: copies the live values of the fields that
/// matching rules ignore into `desired`, so that applying desired leaves them as they are. A field
/// ignored but absent from live is removed from desired. JSON pointers and jq path expressions are
/// honoured; `managed_fields_managers` are not (their fields are copied by the server-side apply
/// merge anyway, as nobody else sends them).
///
/// ```
/// use gitops_diff::{IgnoreRule, respect_ignore_differences};
/// use serde_json::json;
/// let rules = [IgnoreRule::new("apps", "Deployment").with_pointer("/spec/replicas")];
/// let live = json!({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "w"}, "spec": {"replicas": 7}});
/// let mut desired = json!({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "w"}, "spec": {"replicas": 1}});
/// respect_ignore_differences(&mut desired, &live, &rules, std::time::Duration::from_secs(1))?;
/// assert_eq!(desired["spec"]["replicas"], 7);
/// # Ok::<(), gitops_diff::Error>(())
/// ```
///
/// # Errors
/// [`Error::InvalidPointer`], [`Error::InvalidJq`], [`Error::JqTimeout`].
pub fn respect_ignore_differences(
    desired: &mut Value,
    live: &Value,
    rules: &[IgnoreRule],
    jq_timeout: Duration,
) -> Result<(), Error> {
    if live.is_null() || desired.is_null() {
        return Ok(());
    }
    let (group, kind, namespace, name) = identity(desired);
    let (group, kind, namespace, name) = (
        group.to_owned(),
        kind.to_owned(),
        namespace.map(str::to_owned),
        name.to_owned(),
    );
    for rule in rules
        .iter()
        .filter(|r| r.matches(&group, &kind, namespace.as_deref(), &name))
    {
        // jq::paths compiles each expression and reports it as Error::InvalidJq, so only the
        // pointers need checking first (before anything is copied for this rule).
        rule.validate_pointers()?;
        let mut pointers: Vec<Vec<String>> = rule.json_pointers.iter().map(|p| split_pointer(p)).collect();
        for e in &rule.jq_path_expressions {
            for path in jq::paths(live, e, jq_timeout)? {
                pointers.push(
                    path.iter()
                        .map(|t| t.as_str().map_or_else(|| t.to_string(), str::to_owned))
                        .collect(),
                );
            }
        }
        for tokens in pointers {
            copy_from_live(desired, live, &tokens);
        }
    }
    Ok(())
}

fn split_pointer(pointer: &str) -> Vec<String> {
    pointer
        .split('/')
        .skip(1)
        .map(|t| t.replace("~1", "/").replace("~0", "~"))
        .collect()
}

fn copy_from_live(desired: &mut Value, live: &Value, tokens: &[String]) {
    let Some((last, parents)) = tokens.split_last() else {
        return;
    };
    let live_value = tokens.iter().try_fold(live, |v, t| match v {
        Value::Object(m) => m.get(t),
        Value::Array(a) => t.parse::<usize>().ok().and_then(|i| a.get(i)),
        _ => None,
    });
    let mut target = desired;
    for t in parents {
        let next = match target {
            Value::Object(m) => {
                if live_value.is_none() && !m.contains_key(t) {
                    return;
                }
                m.entry(t.clone())
                    .or_insert_with(|| Value::Object(serde_json::Map::new()))
            }
            Value::Array(a) => match t.parse::<usize>().ok().and_then(|i| a.get_mut(i)) {
                Some(v) => v,
                None => return,
            },
            _ => return,
        };
        target = next;
    }
    match (target, live_value) {
        (Value::Object(m), Some(v)) => {
            m.insert(last.clone(), v.clone());
        }
        (Value::Object(m), None) => {
            m.remove(last);
        }
        (Value::Array(a), Some(v)) => {
            if let Some(slot) = last.parse::<usize>().ok().and_then(|i| a.get_mut(i)) {
                *slot = v.clone();
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn globs() {
        assert!(glob("*", "apps"));
        assert!(glob("", ""));
        assert!(!glob("", "apps"));
        assert!(glob("*.k8s.io", "rbac.authorization.k8s.io"));
        assert!(glob("a*c*e", "abcde"));
        assert!(!glob("a*c*e", "abcdf"));
    }
}
