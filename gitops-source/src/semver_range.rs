//! Semver ranges over tags, in the Masterminds syntax Flux's `spec.ref.semver` accepts.

use semver::{Version, VersionReq};

/// A range: alternatives separated by `||`, each a set of comparators separated by spaces or
/// commas (`>=6.0.0 <7`, `~6.5`, `^1.2`, `6.x`, `*`).
#[derive(Debug)]
pub(crate) struct Range(Vec<VersionReq>);

impl Range {
    pub(crate) fn parse(text: &str) -> Result<Self, semver::Error> {
        let mut alternatives = Vec::new();
        for alternative in text.split("||") {
            alternatives.push(VersionReq::parse(&comparators(alternative))?);
        }
        Ok(Self(alternatives))
    }

    pub(crate) fn matches(&self, version: &Version) -> bool {
        self.0.iter().any(|req| req.matches(version))
    }
}

/// Rewrites `>= 6.0.0 <7` as `>=6.0.0, <7` for the `semver` crate, which wants commas.
fn comparators(alternative: &str) -> String {
    let mut out: Vec<String> = Vec::new();
    let mut pending_op = String::new();
    for token in alternative.split([' ', ',', '\t']).filter(|t| !t.is_empty()) {
        if token.chars().all(|c| matches!(c, '<' | '>' | '=' | '~' | '^')) {
            pending_op.push_str(token);
            continue;
        }
        let token = token
            .strip_prefix('v')
            .filter(|r| r.starts_with(|c: char| c.is_ascii_digit()))
            .unwrap_or(token);
        let token = match token.find(|c: char| c.is_ascii_digit()) {
            // `>=v6` → `>=6`
            Some(i) if token[..i].ends_with('v') => format!("{}{}", &token[..i - 1], &token[i..]),
            _ => token.to_owned(),
        };
        out.push(format!("{}{token}", std::mem::take(&mut pending_op)));
    }
    if out.is_empty() {
        "*".to_owned()
    } else {
        out.join(", ")
    }
}

/// A tag name as a version: `6.5.0` or `v6.5.0`; `None` for other tags.
pub(crate) fn tag_version(tag: &str) -> Option<Version> {
    Version::parse(tag.strip_prefix('v').unwrap_or(tag)).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(s: &str) -> Version {
        Version::parse(s).unwrap()
    }

    #[test]
    fn masterminds_forms_parse() {
        let r = Range::parse(">=6.0.0 <7").unwrap();
        assert!(r.matches(&v("6.14.1")) && !r.matches(&v("7.0.0")) && !r.matches(&v("5.9.9")));
        let r = Range::parse("~6.5").unwrap();
        assert!(r.matches(&v("6.5.9")) && !r.matches(&v("6.6.0")));
        assert!(Range::parse("*").unwrap().matches(&v("6.0.0")));
        let r = Range::parse("<6.1 || >= 6.12.0").unwrap();
        assert!(r.matches(&v("6.0.0")) && r.matches(&v("6.12.0")) && !r.matches(&v("6.9.0")));
        assert!(Range::parse(">= v6.9").unwrap().matches(&v("6.9.0")));
        assert!(Range::parse("not a range").is_err());
    }

    #[test]
    fn tags_with_and_without_v_are_versions() {
        assert_eq!(tag_version("v6.5.0"), Some(v("6.5.0")));
        assert_eq!(tag_version("6.14.1"), Some(v("6.14.1")));
        assert_eq!(tag_version("guestbook-v0.1"), None);
    }
}
