//! The two glob dialects Argo CD uses to match `<group>/<Kind>` keys: operator override keys
//! (gobwas-style, `*` spans `/`) and wildcard script directories (doublestar path match, `*`
//! stays within one path segment). Both support `*` and `?`; everything else is literal.

/// Matches `text` against `pattern`. With `star_crosses_slash` false, `*` and `?` never match
/// `/`.
pub(crate) fn matches(pattern: &str, text: &str, star_crosses_slash: bool) -> bool {
    let (p, t): (Vec<char>, Vec<char>) = (pattern.chars().collect(), text.chars().collect());
    let (mut pi, mut ti) = (0usize, 0usize);
    // Position of the last `*` in the pattern and the text position it currently covers up to.
    let mut backtrack: Option<(usize, usize)> = None;
    while ti < t.len() {
        let fits = |c: char| star_crosses_slash || c != '/';
        if pi < p.len() && p[pi] == '*' {
            backtrack = Some((pi, ti));
            pi += 1;
        } else if pi < p.len() && (p[pi] == t[ti] || (p[pi] == '?' && fits(t[ti]))) {
            pi += 1;
            ti += 1;
        } else if let Some((star, covered)) = backtrack
            && fits(t[covered])
        {
            backtrack = Some((star, covered + 1));
            pi = star + 1;
            ti = covered + 1;
        } else {
            return false;
        }
    }
    p[pi..].iter().all(|c| *c == '*')
}

/// Whether `key` contains glob syntax.
pub(crate) fn is_pattern(key: &str) -> bool {
    key.contains(['*', '?'])
}

#[cfg(test)]
mod tests {
    use super::matches;

    #[test]
    fn directory_globs_stay_within_a_segment() {
        assert!(matches("*.crossplane.io/*", "pkg.crossplane.io/Provider", false));
        assert!(!matches("*.crossplane.io/*", "crossplane.io/X", false));
        assert!(!matches("*/*", "a/b/c", false));
        assert!(matches("*", "a/b", true));
        assert!(!matches("*", "a/b", false));
        assert!(matches("a?c/K*", "abc/Kind", false));
        assert!(!matches("abc", "abcd", true));
    }
}
