//! Integration tests of gitops-apply: the sync engine's behaviour suite (run against every
//! backend the build has) and the in-memory cluster.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test helpers may panic

mod memory;
mod suite;
mod support;
