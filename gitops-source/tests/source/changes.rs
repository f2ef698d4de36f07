//! Changed paths between commits (Argo CD's manifest-generate-paths).

use crate::{fixture, git};

#[test]
fn changed_paths_match_git_diff_between_two_argocd_commits() {
    let Some(f) = fixture("argocd-example-apps") else {
        return;
    };
    let log = git(f.bundle.path(), &["rev-list", "--first-parent", "master"]);
    let commits: Vec<&str> = log.lines().collect();
    let pairs = [
        (commits[1], commits[0]),
        (commits[10], commits[0]),
        (commits[40], commits[20]),
    ];
    for (from, to) in pairs {
        let expected = git(
            f.bundle.path(),
            &["diff", "--no-renames", "--name-only", from, to],
        );
        let mut expected: Vec<&str> = expected.lines().collect();
        expected.sort_unstable();
        let changed = f.source.changed_paths(from, to).unwrap();
        assert_eq!(changed, expected, "{from}..{to}");
        assert!(!changed.is_empty());
        // "Does the range touch P" agrees with the list, for every top-level directory.
        let top = git(f.bundle.path(), &["ls-tree", "--name-only", to]);
        for dir in top.lines() {
            let touched = changed
                .iter()
                .any(|c| c == dir || c.starts_with(&format!("{dir}/")));
            assert_eq!(
                f.source.touches(from, to, &[dir]).unwrap(),
                touched,
                "{dir} in {from}..{to}"
            );
            assert_eq!(
                f.source.touches(from, to, &[&format!("/{dir}")]).unwrap(),
                touched
            );
        }
        assert!(f.source.touches(from, to, &["."]).unwrap());
    }
    assert!(f.source.changed_paths(commits[0], commits[0]).unwrap().is_empty());
    assert!(!f.source.touches(commits[0], commits[0], &["."]).unwrap());
}
