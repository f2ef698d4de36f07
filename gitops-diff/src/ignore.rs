//! Ignore-differences rules, with Argo CD's semantics (`spec.ignoreDifferences`): fields named by
//! JSON pointers, or owned by listed field managers, are removed from every side before comparison;
//! rules select objects by group and kind globs, name and namespace.

use serde_json::Value;

use crate::Error;

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

    /// Checks the rule's pointers.
    ///
    /// # Errors
    /// [`Error::InvalidPointer`] for a pointer that is neither empty nor starts with `/`.
    pub fn validate(&self) -> Result<(), Error> {
        for p in &self.json_pointers {
            if !p.is_empty() && !p.starts_with('/') {
                return Err(Error::InvalidPointer { pointer: p.clone() });
            }
        }
        Ok(())
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

/// The JSON pointers to remove from every side of this object's diff: those of the rules matching
/// the object (identity taken from desired, else live).
pub(crate) fn ignored_pointers(
    desired: &Value,
    live: &Value,
    options: &crate::DiffOptions,
) -> Result<Vec<String>, Error> {
    if options.ignore.is_empty() {
        return Ok(Vec::new());
    }
    let source = if desired.is_null() { live } else { desired };
    let s = |p: &str| source.pointer(p).and_then(Value::as_str).unwrap_or("");
    let group = s("/apiVersion").split_once('/').map_or("", |g| g.0);
    let namespace = Some(s("/metadata/namespace")).filter(|n| !n.is_empty());
    let mut out = Vec::new();
    for rule in options
        .ignore
        .iter()
        .filter(|r| r.matches(group, s("/kind"), namespace, s("/metadata/name")))
    {
        rule.validate()?;
        out.extend(rule.json_pointers.iter().cloned());
    }
    Ok(out)
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
