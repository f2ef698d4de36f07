//! File selection: `.sourceignore` (gitignore syntax, via gix-ignore), Flux's default ignores,
//! include and exclude globs (globset).

use std::path::{Path, PathBuf};

use gix::bstr::ByteSlice as _;
use globset::{Glob, GlobSet, GlobSetBuilder};

use crate::{Error, ReadOptions};

/// Flux source-controller's default exclusions (gitignore syntax): VCS metadata, media and
/// archives, CI configuration, and a few tool files. [`ReadOptions::default_ignores`] turns them
/// off; a `.sourceignore` can re-include a path with `!pattern`.
pub const DEFAULT_IGNORES: &[&str] = &[
    ".git/",
    ".gitignore",
    ".gitmodules",
    ".gitattributes",
    "*.jpg",
    "*.jpeg",
    "*.gif",
    "*.png",
    "*.wmv",
    "*.flv",
    "*.tar.gz",
    "*.zip",
    ".github/",
    ".circleci/",
    ".travis.yml",
    ".gitlab-ci.yml",
    "appveyor.yml",
    ".drone.yml",
    "cloudbuild.yaml",
    "codeship-services.yml",
    "codeship-steps.yml",
    "**/.goreleaser.yml",
    "**/.sops.yaml",
    "**/.flux.yaml",
];

/// A virtual root so gix-ignore computes each `.sourceignore`'s base directory.
const ROOT: &str = "/repo";

pub(crate) struct Filter {
    ignore: gix::ignore::Search,
    include: Option<GlobSet>,
    exclude: Option<GlobSet>,
    base: String,
}

fn globset(globs: &[String]) -> Result<Option<GlobSet>, Error> {
    if globs.is_empty() {
        return Ok(None);
    }
    let mut builder = GlobSetBuilder::new();
    for glob in globs {
        let parsed = globset::GlobBuilder::new(glob)
            .literal_separator(true)
            .build()
            .or_else(|_| Glob::new(glob))
            .map_err(|e| Error::InvalidGlob {
                glob: glob.clone(),
                source: Box::new(e),
            })?;
        builder.add(parsed);
    }
    builder.build().map(Some).map_err(|e| Error::InvalidGlob {
        glob: globs.join(","),
        source: Box::new(e),
    })
}

impl Filter {
    /// `base` is the requested directory: include/exclude globs match paths relative to it.
    pub(crate) fn new(options: &ReadOptions, base: &str) -> Result<Self, Error> {
        let mut ignore = gix::ignore::Search::default();
        if options.default_ignores {
            let defaults = DEFAULT_IGNORES.join("\n");
            // Cannot fail: the buffer is in memory and the source has a parent.
            let _ = ignore.add_patterns_buffer(
                defaults.as_bytes(),
                Path::new(ROOT).join(".defaults"),
                Some(Path::new(ROOT)),
                gix::ignore::search::Ignore::default(),
            );
        }
        Ok(Self {
            ignore,
            include: globset(&options.include)?,
            exclude: globset(&options.exclude)?,
            base: base.to_owned(),
        })
    }

    /// Adds the patterns of the `.sourceignore` in `dir` (repository-relative). Later (deeper)
    /// files take precedence, as with `.gitignore`.
    pub(crate) fn add_sourceignore(&mut self, dir: &str, bytes: &[u8]) {
        let source: PathBuf = Path::new(ROOT).join(dir).join(".sourceignore");
        let _ = self.ignore.add_patterns_buffer(
            bytes,
            source,
            Some(Path::new(ROOT)),
            gix::ignore::search::Ignore::default(),
        );
    }

    /// True when `path` (repository-relative) is ignored by `.sourceignore` or the defaults.
    pub(crate) fn ignored(&self, path: &str, is_dir: bool) -> bool {
        self.ignore
            .pattern_matching_relative_path(
                path.as_bytes().as_bstr(),
                Some(is_dir),
                gix::glob::pattern::Case::Sensitive,
            )
            .is_some_and(|m| !m.pattern.is_negative())
    }

    /// True when the file at `path` is read: not ignored, matched by an include glob (if any)
    /// and by no exclude glob.
    pub(crate) fn selected(&self, path: &str) -> bool {
        if self.ignored(path, false) {
            return false;
        }
        let relative = if self.base.is_empty() {
            path
        } else {
            path.strip_prefix(&self.base)
                .map_or(path, |r| r.trim_start_matches('/'))
        };
        let relative = if relative.is_empty() {
            path.rsplit('/').next().unwrap_or(path)
        } else {
            relative
        };
        if let Some(include) = &self.include
            && !include.is_match(relative)
        {
            return false;
        }
        !self.exclude.as_ref().is_some_and(|e| e.is_match(relative))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sourceignore_follows_gitignore_semantics() {
        let mut f = Filter::new(&ReadOptions::default(), "").unwrap();
        f.add_sourceignore("", b"# comment\n*.txt\n/secret/\n!keep.txt\n");
        f.add_sourceignore("apps", b"local.yaml\n");
        assert!(f.ignored("a/notes.txt", false));
        assert!(!f.ignored("a/keep.txt", false));
        assert!(f.ignored("secret", true));
        assert!(
            !f.ignored("x/secret", true),
            "anchored pattern matches only at the root"
        );
        assert!(f.ignored("apps/local.yaml", false));
        assert!(f.ignored("apps/sub/local.yaml", false));
        assert!(
            !f.ignored("other/local.yaml", false),
            "patterns apply below their own directory"
        );
        assert!(
            f.ignored(".github", true) && f.ignored("x/.sops.yaml", false),
            "Flux defaults"
        );
    }

    #[test]
    fn include_and_exclude_match_relative_to_the_requested_directory() {
        let opts = ReadOptions::default().include("*.yaml").exclude("*-test.yaml");
        let f = Filter::new(&opts, "app").unwrap();
        assert!(f.selected("app/deploy.yaml"));
        assert!(!f.selected("app/deploy.json"));
        assert!(!f.selected("app/deploy-test.yaml"));
        assert!(!f.selected("app/sub/deploy.yaml"), "`*` does not cross `/`");
        let deep = Filter::new(&ReadOptions::default().include("**/*.yaml"), "app").unwrap();
        assert!(deep.selected("app/sub/deploy.yaml"));
        assert!(matches!(
            Filter::new(&ReadOptions::default().include("a[").clone(), ""),
            Err(Error::InvalidGlob { .. })
        ));
    }
}
