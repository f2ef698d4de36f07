//! Label selectors in the Kubernetes text form (`app=web,tier!=db,env in (a,b),!legacy`).

use std::collections::BTreeMap;

use crate::{Error, Result};

/// One requirement of a [`LabelSelector`].
#[derive(Debug, Clone, PartialEq, Eq)]
enum Requirement {
    Equals(String, String),
    NotEquals(String, String),
    In(String, Vec<String>),
    NotIn(String, Vec<String>),
    Exists(String),
    DoesNotExist(String),
}

/// A parsed label selector, with the semantics of `k8s.io/apimachinery/pkg/labels`: every
/// requirement must hold; `!=` and `notin` also match objects without the label.
///
/// ```
/// use std::collections::BTreeMap;
/// use gitops_apply::LabelSelector;
/// let sel = LabelSelector::parse("app=web,env in (prod, staging),!legacy").unwrap();
/// let labels = BTreeMap::from([("app".to_owned(), "web".to_owned()), ("env".to_owned(), "prod".to_owned())]);
/// assert!(sel.matches(&labels));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct LabelSelector {
    requirements: Vec<Requirement>,
}

impl LabelSelector {
    /// Parses the text form; the empty string selects everything.
    ///
    /// # Errors
    /// [`Error::InvalidSelector`] naming the selector when a requirement is malformed.
    pub fn parse(text: &str) -> Result<Self> {
        let invalid = |why: &str| Error::InvalidSelector {
            selector: text.to_owned(),
            message: why.to_owned(),
        };
        let mut requirements = Vec::new();
        for part in split_top_level(text) {
            let part = part.trim();
            if part.is_empty() {
                continue;
            }
            let req = if let Some(key) = part.strip_prefix('!') {
                Requirement::DoesNotExist(valid_key(key.trim()).ok_or_else(|| invalid("bad key"))?)
            } else if let Some((k, v)) = part.split_once("!=") {
                Requirement::NotEquals(
                    valid_key(k.trim()).ok_or_else(|| invalid("bad key"))?,
                    v.trim().to_owned(),
                )
            } else if let Some((k, v)) = part.split_once("==").or_else(|| part.split_once('=')) {
                Requirement::Equals(
                    valid_key(k.trim()).ok_or_else(|| invalid("bad key"))?,
                    v.trim().to_owned(),
                )
            } else if let Some((k, set)) = set_requirement(part, " notin ") {
                Requirement::NotIn(
                    valid_key(k).ok_or_else(|| invalid("bad key"))?,
                    set.ok_or_else(|| invalid("bad set"))?,
                )
            } else if let Some((k, set)) = set_requirement(part, " in ") {
                Requirement::In(
                    valid_key(k).ok_or_else(|| invalid("bad key"))?,
                    set.ok_or_else(|| invalid("bad set"))?,
                )
            } else {
                Requirement::Exists(valid_key(part).ok_or_else(|| invalid("bad key"))?)
            };
            requirements.push(req);
        }
        Ok(Self { requirements })
    }

    /// Whether `labels` satisfy every requirement.
    pub fn matches(&self, labels: &BTreeMap<String, String>) -> bool {
        self.matches_with(|k| labels.get(k).map(String::as_str))
    }

    /// Whether the `metadata.labels` of a Kubernetes object (JSON) satisfy every requirement;
    /// non-string label values count as absent. Reads the object in place, without copying the
    /// labels.
    pub fn matches_object(&self, object: &serde_json::Value) -> bool {
        let labels = object.pointer("/metadata/labels");
        self.matches_with(|k| labels.and_then(|l| l.get(k)).and_then(serde_json::Value::as_str))
    }

    fn matches_with<'a>(&self, get: impl Fn(&str) -> Option<&'a str>) -> bool {
        self.requirements.iter().all(|r| match r {
            Requirement::Equals(k, v) => get(k) == Some(v.as_str()),
            Requirement::NotEquals(k, v) => get(k) != Some(v.as_str()),
            Requirement::In(k, set) => get(k).is_some_and(|v| set.iter().any(|s| s == v)),
            Requirement::NotIn(k, set) => get(k).is_none_or(|v| set.iter().all(|s| s != v)),
            Requirement::Exists(k) => get(k).is_some(),
            Requirement::DoesNotExist(k) => get(k).is_none(),
        })
    }
}

fn split_top_level(text: &str) -> Vec<&str> {
    let mut parts = Vec::new();
    let (mut depth, mut start) = (0i32, 0);
    for (i, c) in text.char_indices() {
        match c {
            '(' => depth += 1,
            ')' => depth -= 1,
            ',' if depth == 0 => {
                parts.push(&text[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    parts.push(&text[start..]);
    parts
}

fn set_requirement<'a>(part: &'a str, op: &str) -> Option<(&'a str, Option<Vec<String>>)> {
    let (k, rest) = part.split_once(op)?;
    let rest = rest.trim();
    let set = rest
        .strip_prefix('(')
        .and_then(|r| r.strip_suffix(')'))
        .map(|inner| {
            inner
                .split(',')
                .map(|v| v.trim().to_owned())
                .filter(|v| !v.is_empty())
                .collect()
        });
    Some((k.trim(), set))
}

fn valid_key(key: &str) -> Option<String> {
    let ok = !key.is_empty()
        && key.len() <= 317
        && key
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | '/'));
    ok.then(|| key.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn labels(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    #[test]
    fn requirements_follow_apimachinery() {
        let l = labels(&[("app", "web"), ("tier", "fe")]);
        assert!(LabelSelector::parse("").unwrap().matches(&l));
        assert!(LabelSelector::parse("app=web").unwrap().matches(&l));
        assert!(LabelSelector::parse("app==web,tier").unwrap().matches(&l));
        assert!(!LabelSelector::parse("app=db").unwrap().matches(&l));
        assert!(LabelSelector::parse("env!=prod").unwrap().matches(&l));
        assert!(LabelSelector::parse("env notin (prod)").unwrap().matches(&l));
        assert!(!LabelSelector::parse("env in (prod)").unwrap().matches(&l));
        assert!(LabelSelector::parse("tier in (fe, be)").unwrap().matches(&l));
        assert!(!LabelSelector::parse("!app").unwrap().matches(&l));
        assert!(LabelSelector::parse("a b").is_err());
        assert!(LabelSelector::parse("x in prod").is_err());
    }
}
