//! Shared helpers for the criterion benchmarks of gitops-rs.
