//! The content digest of what was read.

use sha2::{Digest as _, Sha256};

/// SHA-256 over files given in ascending path order, as `sha256:<64 hex>` (Flux's artifact
/// digest format).
///
/// Each file contributes its path, a NUL byte, its length as 8 big-endian bytes, then its bytes,
/// so no two different trees share an input. Two reads with the same digest read the same paths
/// with the same contents, whatever the commit: callers can skip re-rendering and re-diffing.
///
/// ```
/// let a = gitops_source::digest([("a.yaml", &b"x"[..]), ("b.yaml", &b"y"[..])]);
/// let b = gitops_source::digest([("a.yaml", &b"xy"[..]), ("b.yaml", &b""[..])]);
/// assert!(a.starts_with("sha256:") && a.len() == 7 + 64);
/// assert_ne!(a, b);
/// ```
pub fn digest<'a>(files: impl IntoIterator<Item = (&'a str, &'a [u8])>) -> String {
    let mut hasher = Sha256::new();
    for (path, content) in files {
        hasher.update(path.as_bytes());
        hasher.update([0]);
        hasher.update((content.len() as u64).to_be_bytes());
        hasher.update(content);
    }
    let hash = hasher.finalize();
    format!("sha256:{}", hex(&hash))
}

/// Lower-case hex of `bytes`.
pub(crate) fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write as _;
    bytes
        .iter()
        .fold(String::with_capacity(bytes.len() * 2), |mut out, b| {
            let _ = write!(out, "{b:02x}");
            out
        })
}
