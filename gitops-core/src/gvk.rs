//! Kubernetes type identity: [`GroupVersionKind`] and [`GroupKind`].

use std::fmt;

use crate::Error;

/// A Kubernetes group and kind, without a version (e.g. `apps/Deployment`, or `Service` in the
/// core group).
///
/// This is the identity used for matching rules (ignore-differences, health scripts) and in
/// [`ResourceKey`](crate::ResourceKey), because one object is served under several versions.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct GroupKind {
    /// API group; empty for the core group (`v1`).
    pub group: String,
    /// Kind, e.g. `Deployment`.
    pub kind: String,
}

impl GroupKind {
    /// Builds a group and kind. `group` is `""` for the core group.
    pub fn new(group: impl Into<String>, kind: impl Into<String>) -> Self {
        Self {
            group: group.into(),
            kind: kind.into(),
        }
    }
}

impl fmt::Display for GroupKind {
    /// `Kind` for the core group, `group/Kind` otherwise.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.group.is_empty() {
            f.write_str(&self.kind)
        } else {
            write!(f, "{}/{}", self.group, self.kind)
        }
    }
}

/// A Kubernetes group, version and kind, as carried by an object's `apiVersion` and `kind`.
///
/// ```
/// use gitops_core::GroupVersionKind;
/// let gvk = GroupVersionKind::from_api_version("apps/v1", "Deployment").unwrap();
/// assert_eq!(gvk.group, "apps");
/// assert_eq!(gvk.api_version(), "apps/v1");
/// let core = GroupVersionKind::from_api_version("v1", "Service").unwrap();
/// assert_eq!(core.group, "");
/// assert_eq!(core.api_version(), "v1");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct GroupVersionKind {
    /// API group; empty for the core group.
    pub group: String,
    /// API version, e.g. `v1`.
    pub version: String,
    /// Kind, e.g. `Deployment`.
    pub kind: String,
}

impl GroupVersionKind {
    /// Builds a GroupVersionKind from its parts. `group` is `""` for the core group.
    pub fn new(group: impl Into<String>, version: impl Into<String>, kind: impl Into<String>) -> Self {
        Self {
            group: group.into(),
            version: version.into(),
            kind: kind.into(),
        }
    }

    /// Parses an object's `apiVersion` (`group/version`, or a bare `version` for the core group)
    /// together with its `kind`.
    ///
    /// # Errors
    /// [`Error::InvalidApiVersion`] when `api_version` is empty, has more than one `/`, or an
    /// empty part; [`Error::InvalidKind`] when `kind` is empty.
    pub fn from_api_version(api_version: &str, kind: &str) -> Result<Self, Error> {
        let invalid = || Error::InvalidApiVersion {
            api_version: api_version.to_owned(),
        };
        let (group, version) = match api_version.split_once('/') {
            Some((g, v)) => {
                if g.is_empty() || v.is_empty() || v.contains('/') {
                    return Err(invalid());
                }
                (g, v)
            }
            None => ("", api_version),
        };
        if version.is_empty() || version.chars().any(char::is_whitespace) {
            return Err(invalid());
        }
        if kind.is_empty() {
            return Err(Error::InvalidKind {
                kind: kind.to_owned(),
            });
        }
        Ok(Self::new(group, version, kind))
    }

    /// The `apiVersion` string: `group/version`, or `version` for the core group.
    pub fn api_version(&self) -> String {
        if self.group.is_empty() {
            self.version.clone()
        } else {
            format!("{}/{}", self.group, self.version)
        }
    }

    /// The version-less [`GroupKind`].
    pub fn group_kind(&self) -> GroupKind {
        GroupKind::new(self.group.clone(), self.kind.clone())
    }
}

impl fmt::Display for GroupVersionKind {
    /// `apiVersion, Kind=kind`, the form `kubectl` and apimachinery print.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}, Kind={}", self.api_version(), self.kind)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rejects_malformed_api_versions() {
        for bad in ["", "/v1", "apps/", "a/b/c", "v 1"] {
            assert!(GroupVersionKind::from_api_version(bad, "X").is_err(), "{bad:?}");
        }
        assert!(GroupVersionKind::from_api_version("v1", "").is_err());
    }
}
