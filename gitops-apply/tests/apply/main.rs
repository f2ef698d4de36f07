//! Integration tests of gitops-apply: the sync engine's behaviour suite (run against the
//! in-memory cluster and, with feature `kube`, against `KubeApplier` talking to gitops-testkit's
//! API server emulator over real HTTP), and backend specifics.

// Test helpers outside `#[test]` functions panic on broken fixtures, as the tests do.
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[cfg(feature = "kube")]
mod e2e;
#[cfg(feature = "kube")]
mod emulator;
#[cfg(feature = "kube")]
mod kube;
mod memory;
mod suite;
mod support;
