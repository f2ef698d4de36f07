//! Clone, fetch, caching, locking and failure behaviour.

use gitops_source::{Error, GitSource};

use crate::{chain, commit_files, fetched, fixture, git, make_repo};

const ARGOCD_HEAD: &str = "d75acb2a13703f88f4c5bbc397f07910e5db1b4c";

#[test]
fn bare_clone_mirrors_every_branch_and_tag() {
    let Some(f) = fixture("argocd-example-apps") else {
        return;
    };
    let cache = f.source.cache_dir();
    assert!(cache.join("HEAD").is_file(), "bare cache at {}", cache.display());
    assert!(!cache.join(".git").exists(), "no worktree");
    let refs = git(cache, &["for-each-ref", "--format=%(refname) %(objectname)"]);
    let origin = git(
        f.bundle.path(),
        &["for-each-ref", "--format=%(refname) %(objectname)"],
    );
    assert_eq!(refs, origin);
    assert_eq!(git(cache, &["symbolic-ref", "HEAD"]), "refs/heads/master");
    assert_eq!(f.source.resolve("HEAD").unwrap(), ARGOCD_HEAD);
    assert_eq!(
        f.source.branches().unwrap(),
        ["agaudreault-patch-1", "master", "wanghong230-patch-1"]
    );
    assert_eq!(f.source.tags().unwrap().len(), 8);
}

#[test]
fn refetch_picks_up_one_new_commit() {
    let origin = make_repo(
        &[(
            "app/cm.yaml",
            b"apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n",
        )],
        &[],
    );
    let cache = tempfile::tempdir().unwrap();
    let source = fetched(origin.path(), cache.path());
    let first = source.resolve("main").unwrap();
    source.fetch().unwrap(); // nothing new: still fine
    assert_eq!(source.resolve("main").unwrap(), first);
    let second = commit_files(
        origin.path(),
        &[(
            "app/cm.yaml",
            b"apiVersion: v1\nkind: ConfigMap\nmetadata: {name: b}\n",
        )],
        &[],
        "rename",
    );
    git(origin.path(), &["tag", "v1.0.0"]);
    source.fetch().unwrap();
    assert_eq!(source.resolve("main").unwrap(), second);
    assert_eq!(source.resolve("v1.0.0").unwrap(), second);
    let snapshot = source.load("main", "app").unwrap();
    assert_eq!(
        snapshot.manifests.keys().next().unwrap().to_string(),
        "/ConfigMap//b"
    );
    // A later fetch through the git CLI works too: the cache has a usable layout.
    assert_eq!(git(source.cache_dir(), &["rev-parse", "main"]), second);
}

#[test]
fn spellings_of_one_url_share_one_cache() {
    let origin = make_repo(
        &[(
            "a.yaml",
            b"apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n",
        )],
        &[],
    );
    let cache = tempfile::tempdir().unwrap();
    let plain = GitSource::new(origin.path().to_str().unwrap(), cache.path()).unwrap();
    let url = format!("file://{}/", origin.path().display());
    let file = GitSource::new(&url, cache.path()).unwrap();
    assert_eq!(plain.cache_dir(), file.cache_dir());
    file.fetch().unwrap();
    assert_eq!(
        plain.resolve("HEAD").unwrap(),
        git(origin.path(), &["rev-parse", "HEAD"])
    );
}

#[test]
fn a_missing_repository_is_a_clear_error_and_leaves_no_cache() {
    let cache = tempfile::tempdir().unwrap();
    let missing = cache.path().join("no-such-repo");
    let source = GitSource::new(missing.to_str().unwrap(), &cache.path().join("c")).unwrap();
    let err = source.fetch().unwrap_err();
    assert!(matches!(err, Error::Fetch { .. }), "{err:?}");
    let msg = chain(&err);
    assert!(
        msg.contains("no-such-repo") && msg.contains("fetch failed"),
        "{msg}"
    );
    assert!(!source.cache_dir().exists());
    let leftovers: Vec<_> = std::fs::read_dir(cache.path().join("c")).unwrap().collect();
    assert!(leftovers.iter().all(|e| {
        !e.as_ref()
            .unwrap()
            .file_name()
            .to_string_lossy()
            .starts_with(".clone-")
    }));
    let err = source.resolve("HEAD").unwrap_err();
    assert!(matches!(err, Error::NotFetched { .. }), "{err:?}");
}

#[test]
fn a_failed_fetch_keeps_the_previous_state() {
    let origin = make_repo(
        &[(
            "a/cm.yaml",
            b"apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n",
        )],
        &[],
    );
    let cache = tempfile::tempdir().unwrap();
    let source = fetched(origin.path(), cache.path());
    let before = source.load("HEAD", "a").unwrap();
    let moved = origin.path().with_extension("moved");
    std::fs::rename(origin.path(), &moved).unwrap();
    let err = source.fetch().unwrap_err();
    assert!(matches!(err, Error::Fetch { .. }), "{err:?}");
    let after = source.load("HEAD", "a").unwrap();
    assert_eq!(before, after);
    std::fs::rename(&moved, origin.path()).unwrap();
    source.fetch().unwrap();
}

#[test]
fn concurrent_fetches_of_one_repository_are_serialized() {
    let Some(bundle) = gitops_testkit::clone_bundle("podinfo-manifests") else {
        return;
    };
    let cache = bundle.temp_dir().join("cache");
    let url = bundle.path().to_str().unwrap().to_owned();
    let handles: Vec<_> = (0..4)
        .map(|_| {
            let (url, cache) = (url.clone(), cache.clone());
            std::thread::spawn(move || {
                let source = GitSource::new(&url, &cache).unwrap();
                source.fetch().unwrap();
                source.resolve("main").unwrap()
            })
        })
        .collect();
    let shas: Vec<String> = handles.into_iter().map(|h| h.join().unwrap()).collect();
    assert!(
        shas.iter()
            .all(|s| s == "82ba360c6ec18f15b8fe55c7c546a97282ce26d5"),
        "{shas:?}"
    );
    let entries: Vec<String> = std::fs::read_dir(&cache)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(
        entries.len(),
        1,
        "one cache, no lock or staging leftovers: {entries:?}"
    );
}

#[test]
fn shallow_fetch_has_only_the_tip() {
    let Some(bundle) = gitops_testkit::clone_bundle("argocd-example-apps") else {
        return;
    };
    // Shallow fetches need a transport that negotiates depth: use file:// as a real remote would.
    let url = format!("file://{}", bundle.path().display());
    let options = gitops_source::GitSourceOptions::default().shallow(1);
    let source = GitSource::with_options(&url, &bundle.temp_dir().join("cache"), options).unwrap();
    source.fetch().unwrap();
    assert_eq!(source.resolve("master").unwrap(), ARGOCD_HEAD);
    assert!(source.load("master", "guestbook").unwrap().manifests.len() == 2);
    let count = git(source.cache_dir(), &["rev-list", "--count", "master"]);
    assert_eq!(count, "1", "depth 1 keeps one commit of master");
    assert!(source.cache_dir().join("shallow").is_file());
}

#[test]
fn https_errors_never_show_credentials() {
    // Nothing listens on port 9 of the loopback address: the connection is refused at once.
    let cache = tempfile::tempdir().unwrap();
    let options = gitops_source::GitSourceOptions::default()
        .credentials(gitops_source::Credentials::basic("bot", "pa55-w0rd"));
    let source = GitSource::with_options(
        "https://bot:pa55-w0rd@127.0.0.1:9/org/repo.git",
        cache.path(),
        options,
    )
    .unwrap();
    let err = source.fetch().unwrap_err();
    let shown = format!("{} | {err:?} | {source:?}", chain(&err));
    assert!(!shown.contains("pa55-w0rd"), "{shown}");
    assert!(shown.contains("127.0.0.1"), "{shown}");
}

#[test]
fn scp_like_urls_go_through_the_ssh_program_with_the_key() {
    // A stand-in for ssh that records its arguments and runs the remote command (everything
    // after `user@host`, joined by spaces as ssh does) locally, the way sshd would.
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("ssh.log");
    let fake = dir.path().join("fake-ssh");
    let script = format!(
        "#!/bin/sh\necho \"$@\" >> '{}'\n\
         while [ $# -gt 0 ]; do case \"$1\" in *@*) shift; break;; *) shift;; esac; done\n\
         exec sh -c \"$*\"\n",
        log.display()
    );
    std::fs::write(&fake, script).unwrap();
    std::fs::set_permissions(&fake, std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();
    let origin = make_repo(
        &[(
            "a/cm.yaml",
            b"apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n",
        )],
        &[],
    );
    let options = gitops_source::GitSourceOptions::default()
        .ssh_command(fake.display().to_string())
        .credentials(gitops_source::Credentials::ssh_key("/keys/deploy key"));
    let url = format!("git@example.invalid:{}", origin.path().display());
    let source = GitSource::with_options(&url, &dir.path().join("cache"), options).unwrap();
    assert_eq!(source.url(), url, "scp-like URLs are shown as given");
    let fetched = source.fetch();
    let args = std::fs::read_to_string(&log).unwrap_or_default();
    fetched.unwrap_or_else(|e| panic!("{}\nssh was called with: {args}", chain(&e)));
    assert_eq!(
        source.resolve("main").unwrap(),
        git(origin.path(), &["rev-parse", "HEAD"])
    );
    assert!(
        args.contains("-i /keys/deploy key -o IdentitiesOnly=yes"),
        "{args}"
    );
    assert!(
        args.contains("git@example.invalid") && args.contains("git-upload-pack"),
        "{args}"
    );
}

#[test]
fn the_cache_has_a_remote_with_a_fetch_refspec_for_the_git_cli() {
    let origin = make_repo(
        &[(
            "a.yaml",
            b"apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n",
        )],
        &[],
    );
    let cache = tempfile::tempdir().unwrap();
    let source = fetched(origin.path(), cache.path());
    let dir = source.cache_dir();
    assert_eq!(
        git(dir, &["config", "--get-all", "remote.origin.fetch"]),
        "+refs/heads/*:refs/heads/*\n+refs/tags/*:refs/tags/*"
    );
    let new = commit_files(origin.path(), &[("b.yaml", b"x: 1\n")], &[], "b");
    git(dir, &["fetch", "--quiet", "origin"]);
    assert_eq!(git(dir, &["rev-parse", "main"]), new);
    assert_eq!(source.resolve("main").unwrap(), new);
}

/// Serves HTTP on the loopback address: answers every request with 401 and a Basic challenge
/// until one carries `Authorization`, which it records and answers with 404. Handles at most
/// `max` connections, then stops.
fn challenge_server(max: usize) -> (String, std::sync::mpsc::Receiver<String>) {
    use std::io::{BufRead as _, BufReader, Write as _};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for stream in listener.incoming().take(max) {
            let Ok(mut stream) = stream else { return };
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            let mut auth = None;
            loop {
                let mut line = String::new();
                if reader.read_line(&mut line).unwrap_or(0) == 0 || line == "\r\n" {
                    break;
                }
                if let Some(value) = line
                    .strip_prefix("Authorization: ")
                    .or_else(|| line.strip_prefix("authorization: "))
                {
                    auth = Some(value.trim().to_owned());
                }
            }
            let response = match auth {
                Some(value) => {
                    let _ = tx.send(value);
                    "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
                }
                None => {
                    "HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: Basic realm=\"git\"\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
                }
            };
            let _ = stream.write_all(response.as_bytes());
        }
    });
    (format!("http://{addr}/org/repo.git"), rx)
}

#[test]
fn http_credentials_reach_the_transport_but_never_travel_in_clear_text() {
    // gix hands the configured account to the transport after the 401 challenge, and refuses
    // to send it over plain http: the refusal proves the credentials were supplied, and no
    // Authorization header leaves the machine. (https needs a TLS server, not available here.)
    for credentials in [
        gitops_source::Credentials::basic("bot", "pa55-w0rd"),
        gitops_source::Credentials::token("tok-123"),
    ] {
        let (url, received) = challenge_server(4);
        let cache = tempfile::tempdir().unwrap();
        let options = gitops_source::GitSourceOptions::default().credentials(credentials);
        let source = GitSource::with_options(&url, cache.path(), options).unwrap();
        let err = source.fetch().unwrap_err();
        assert!(matches!(err, Error::Fetch { .. }), "{err:?}");
        let shown = format!("{} {err:?}", chain(&err));
        assert!(shown.contains("clear text"), "{shown}");
        assert!(
            !shown.contains("pa55-w0rd") && !shown.contains("tok-123"),
            "{shown}"
        );
        assert!(
            received.try_recv().is_err(),
            "no Authorization header was sent over http"
        );
    }
}

#[test]
fn without_credentials_a_challenge_fails_without_prompting() {
    let (url, received) = challenge_server(4);
    let cache = tempfile::tempdir().unwrap();
    let source = GitSource::new(&url, cache.path()).unwrap();
    let err = source.fetch().unwrap_err();
    assert!(matches!(err, Error::Fetch { .. }), "{err:?}");
    let shown = chain(&err);
    assert!(!shown.contains("clear text"), "no identity was offered: {shown}");
    assert!(received.try_recv().is_err(), "no Authorization header was sent");
}

#[test]
fn branches_and_tags_deleted_on_the_remote_are_pruned() {
    let origin = make_repo(
        &[(
            "a.yaml",
            b"apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n",
        )],
        &[],
    );
    git(origin.path(), &["branch", "feature"]);
    git(origin.path(), &["tag", "-a", "v1", "-m", "v1"]);
    let cache = tempfile::tempdir().unwrap();
    let source = fetched(origin.path(), cache.path());
    assert_eq!(source.branches().unwrap(), ["feature", "main"]);
    assert_eq!(source.tags().unwrap(), ["v1"]);
    git(origin.path(), &["branch", "-D", "feature"]);
    git(origin.path(), &["tag", "-d", "v1"]);
    source.fetch().unwrap();
    assert_eq!(source.branches().unwrap(), ["main"]);
    assert!(source.tags().unwrap().is_empty());
    assert!(matches!(
        source.resolve("feature"),
        Err(Error::RevisionNotFound { .. })
    ));
}
