//! Repository URLs: parsing, normalization (the cache key) and redaction.

use std::path::{Path, PathBuf};

use sha2::{Digest as _, Sha256};

use crate::Error;

/// A parsed repository URL.
#[derive(Clone)]
pub(crate) struct RepoUrl {
    /// The URL gix connects to (local paths made absolute).
    pub(crate) url: gix::Url,
    /// The URL for messages: the password removed.
    pub(crate) display: String,
    /// The normalized form used for the cache key.
    pub(crate) normalized: String,
    /// A password given inside the URL, moved out of it so that no gix message can show it.
    pub(crate) password: Option<crate::Secret>,
}

impl std::fmt::Debug for RepoUrl {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.display)
    }
}

/// Removes a password from `user:password@` in a URL-like text, for messages about unparsable
/// input.
pub(crate) fn redact_text(url: &str) -> String {
    let Some(at) = url.find('@') else {
        return url.to_owned();
    };
    let start = url.find("://").map_or(0, |i| i + 3);
    if start > at {
        return url.to_owned();
    }
    match url[start..at].find(':') {
        Some(colon) => format!("{}:***{}", &url[..start + colon], &url[at..]),
        None => url.to_owned(),
    }
}

impl RepoUrl {
    /// Parses a local path, `file://`, `http(s)://`, `ssh://` or scp-like URL.
    pub(crate) fn parse(input: &str) -> Result<Self, Error> {
        let invalid = |source: crate::error::BoxError| Error::InvalidUrl {
            url: redact_text(input),
            source,
        };
        if input.trim().is_empty() {
            return Err(invalid("empty url".into()));
        }
        let mut url = gix::url::parse(input).map_err(|e| invalid(Box::new(e)))?;
        if url.scheme == gix::url::Scheme::File {
            let cwd = std::env::current_dir().map_err(|e| invalid(Box::new(e)))?;
            let path = PathBuf::from(String::from_utf8_lossy(&url.path).into_owned());
            let absolute = cwd.join(path);
            // A missing directory stays as given: `fetch` reports it as a repository that does
            // not exist, naming the URL.
            let resolved = std::fs::canonicalize(&absolute).unwrap_or(absolute);
            url.path = resolved.to_string_lossy().into_owned().into();
        }
        let password = url.set_password(None).map(crate::Secret::new);
        let mut shown = url.clone();
        if password.is_some() {
            shown.set_password(Some("***".to_owned()));
        }
        let display = if url.scheme == gix::url::Scheme::File {
            String::from_utf8_lossy(&url.path).into_owned()
        } else {
            shown.to_bstring().to_string()
        };
        let normalized = normalize(&url);
        Ok(Self {
            url,
            display,
            normalized,
            password,
        })
    }

    /// Directory name of the bare cache under `cache_root`: a readable slug of the normalized URL
    /// plus 16 hex digits of its SHA-256, so different URLs never share a cache.
    pub(crate) fn cache_dir(&self, cache_root: &Path) -> PathBuf {
        let hash = Sha256::digest(self.normalized.as_bytes());
        let hex = crate::digest::hex(&hash[..8]);
        let mut slug: String = self
            .normalized
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || c == '.' || c == '-' {
                    c
                } else {
                    '_'
                }
            })
            .collect();
        let trimmed = slug.trim_start_matches(['_', '.']).len();
        slug = slug[slug.len() - trimmed..].to_owned();
        if slug.len() > 80 {
            slug = slug[slug.len() - 80..].to_owned();
        }
        cache_root.join(format!("{slug}-{hex}.git"))
    }
}

/// `scheme://host[:port]/path` in lower-case scheme and host, without user, password, trailing
/// `/` or `.git`; scp-like URLs become `ssh://`. Two spellings of one repository map to one cache.
fn normalize(url: &gix::Url) -> String {
    let path = String::from_utf8_lossy(&url.path);
    let path = path.trim_end_matches('/');
    let path = path.strip_suffix(".git").unwrap_or(path);
    if url.scheme == gix::url::Scheme::File {
        return format!("file://{path}");
    }
    let host = url.host().unwrap_or_default().to_ascii_lowercase();
    let port = url.port.map(|p| format!(":{p}")).unwrap_or_default();
    let sep = if path.starts_with('/') { "" } else { "/" };
    format!("{}://{host}{port}{sep}{path}", url.scheme.as_str())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spellings_of_one_repository_share_a_key() {
        let a = RepoUrl::parse("https://GitHub.com/argoproj/argocd-example-apps.git/").unwrap();
        let b = RepoUrl::parse("https://github.com/argoproj/argocd-example-apps").unwrap();
        let c = RepoUrl::parse("https://user:pw@github.com/argoproj/argocd-example-apps").unwrap();
        assert_eq!(a.normalized, b.normalized);
        assert_eq!(a.normalized, c.normalized);
        let root = Path::new("/cache");
        assert_eq!(a.cache_dir(root), b.cache_dir(root));
        assert_ne!(
            a.cache_dir(root),
            RepoUrl::parse("https://github.com/argoproj/other")
                .unwrap()
                .cache_dir(root)
        );
    }

    #[test]
    fn scp_like_and_ssh_urls_normalize_alike() {
        let a = RepoUrl::parse("git@github.com:fluxcd/flux2.git").unwrap();
        let b = RepoUrl::parse("ssh://git@github.com/fluxcd/flux2").unwrap();
        assert_eq!(a.url.scheme, gix::url::Scheme::Ssh);
        assert_eq!(a.normalized, b.normalized, "{a:?} vs {b:?}");
    }

    #[test]
    fn passwords_never_reach_the_display_form() {
        let u = RepoUrl::parse("https://bob:hunter2@example.com/r.git").unwrap();
        assert!(!u.display.contains("hunter2"), "{}", u.display);
        assert!(!format!("{u:?}").contains("hunter2"));
        assert_eq!(redact_text("https://bob:hunter2@x/y"), "https://bob:***@x/y");
        assert_eq!(redact_text("git@host:path"), "git@host:path");
    }

    #[test]
    fn local_paths_become_absolute() {
        let u = RepoUrl::parse("relative/repo").unwrap();
        assert!(u.normalized.starts_with("file:///"), "{}", u.normalized);
    }
}
