//! The error type of gitops-testkit's emulator.

/// Errors starting or configuring the emulator.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// Binding the listener, spawning the server thread or writing a kubeconfig file failed.
    #[error("emulator i/o failed: {what}")]
    Io {
        /// What was being done (e.g. `bind 127.0.0.1:6443`, `write /tmp/kubeconfig`).
        what: String,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
    /// Generating the self-signed certificate (rcgen) or configuring TLS (rustls) failed.
    #[error("emulator tls set-up failed")]
    Tls(#[source] Box<dyn std::error::Error + Send + Sync>),
    /// Building a `kube::Client` or `kube::Config` for the emulator failed.
    #[error("building a kube client for the emulator failed")]
    Kube(#[source] Box<kube::Error>),
}
