//! Shared code of the gitops-rs example binaries. [`reconcile`] is the reconcile loop behind
//! `cargo run --example reconcile`, kept in a library so the integration tests drive exactly
//! the code path the binary runs.

pub mod reconcile;
pub mod sample;
