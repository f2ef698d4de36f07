//! Credentials for private repositories, redacted everywhere they could be shown.

use std::{fmt, path::PathBuf};

/// A secret string (password or token). Its `Debug` and `Display` print `***`; the value is only
/// reachable through [`Secret::expose`], which the transport calls when the server asks for it.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    /// Wraps a secret value.
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }

    /// The secret value. Never log or format it.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(***)")
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("***")
    }
}

impl From<&str> for Secret {
    fn from(value: &str) -> Self {
        Self::new(value)
    }
}

impl From<String> for Secret {
    fn from(value: String) -> Self {
        Self(value)
    }
}

/// How to authenticate to the remote, as Flux's GitRepository `secretRef` offers (`username` +
/// `password`, `bearerToken`, SSH `identity`).
///
/// `Debug` never shows a password or token:
///
/// ```
/// use gitops_source::Credentials;
/// let c = Credentials::basic("bot", "s3cret");
/// assert!(!format!("{c:?}").contains("s3cret"));
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub enum Credentials {
    /// No credentials: public repositories, or whatever the system's Git credential helpers and
    /// SSH agent provide.
    #[default]
    None,
    /// HTTP basic authentication (https URLs).
    Basic {
        /// User name.
        username: String,
        /// Password.
        password: Secret,
    },
    /// An access token for https URLs, sent as HTTP basic authentication with the user name
    /// `x-access-token` (what GitHub, GitLab and Gitea accept for tokens).
    Token(Secret),
    /// An SSH private key for `ssh://` and scp-like URLs, passed to the system `ssh` as
    /// `-i <path> -o IdentitiesOnly=yes` through `core.sshCommand`, the way gix and git run ssh.
    /// Host keys are checked by ssh against the user's `known_hosts`, as with git.
    SshKey {
        /// Path of the private key file.
        private_key: PathBuf,
    },
}

impl Credentials {
    /// [`Credentials::Basic`].
    pub fn basic(username: impl Into<String>, password: impl Into<Secret>) -> Self {
        Self::Basic {
            username: username.into(),
            password: password.into(),
        }
    }

    /// [`Credentials::Token`].
    pub fn token(token: impl Into<Secret>) -> Self {
        Self::Token(token.into())
    }

    /// [`Credentials::SshKey`].
    pub fn ssh_key(private_key: impl Into<PathBuf>) -> Self {
        Self::SshKey {
            private_key: private_key.into(),
        }
    }

    /// User name and password for an https server, if these credentials provide them.
    pub(crate) fn http_account(&self) -> Option<gix::sec::identity::Account> {
        match self {
            Self::Basic { username, password } => Some(gix::sec::identity::Account {
                username: username.clone(),
                password: password.expose().to_owned(),
                oauth_refresh_token: None,
            }),
            Self::Token(token) => Some(gix::sec::identity::Account {
                username: "x-access-token".to_owned(),
                password: token.expose().to_owned(),
                oauth_refresh_token: None,
            }),
            Self::None | Self::SshKey { .. } => None,
        }
    }

    /// The `core.sshCommand` value: `program` (default `ssh`) plus, for
    /// [`Credentials::SshKey`], `-i '<key>' -o IdentitiesOnly=yes`. `None` when neither is set.
    pub(crate) fn ssh_command(&self, program: Option<&str>) -> Option<String> {
        match self {
            Self::SshKey { private_key } => {
                let path = private_key.display().to_string().replace('\'', "'\\''");
                Some(format!(
                    "{} -i '{path}' -o IdentitiesOnly=yes",
                    program.unwrap_or("ssh")
                ))
            }
            _ => program.map(str::to_owned),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_and_display_hide_secrets() {
        for c in [Credentials::basic("u", "pw-123"), Credentials::token("tok-456")] {
            let shown = format!("{c:?}");
            assert!(!shown.contains("pw-123") && !shown.contains("tok-456"), "{shown}");
        }
        assert_eq!(Secret::new("x").to_string(), "***");
        assert_eq!(Credentials::token("tok").http_account().unwrap().password, "tok");
    }

    #[test]
    fn ssh_key_becomes_an_ssh_command() {
        let c = Credentials::ssh_key("/keys/id_ed25519");
        assert_eq!(
            c.ssh_command(None).unwrap(),
            "ssh -i '/keys/id_ed25519' -o IdentitiesOnly=yes"
        );
        assert!(
            c.ssh_command(Some("/bin/myssh"))
                .unwrap()
                .starts_with("/bin/myssh -i")
        );
        assert!(Credentials::None.ssh_command(None).is_none());
        assert_eq!(Credentials::None.ssh_command(Some("s")).as_deref(), Some("s"));
    }
}
