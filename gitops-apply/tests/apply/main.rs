//! Integration tests of gitops-apply: the backends (the in-memory cluster, and `KubeApplier`
//! against gitops-testkit's API server emulator over real HTTP) and the sync engine.

// Test helpers outside `#[test]` functions panic on broken fixtures, as the tests do.
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[cfg(feature = "kube")]
mod kube;
