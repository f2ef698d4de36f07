//! Integration tests of gitops-diff (one binary, submodules per area).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "tests and the table generator may panic on bad data"
)]

mod conformance;
mod merge;
mod modes;
mod properties;
mod respect;
mod schema_table;
mod set;
