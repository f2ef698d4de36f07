//! Shared helpers for the criterion benchmarks of gitops-rs: the client-side tokio runtime and
//! the emulator start-up used by the benches that talk to the API server emulator
//! (`emulator.rs`, `sync.rs`).
//!
//! The object fixtures stay in each bench on purpose: each is shaped for what that bench
//! measures (a live Deployment with status for health, a two-container one for diff, a YAML
//! text for the loader).

#![allow(
    clippy::expect_used,
    reason = "benchmark set-up: a failure to start the runtime or the local emulator has no recovery"
)]

use gitops_testkit::emulator::{Emulator, EmulatorOptions};

/// A current-thread tokio runtime with I/O and timers enabled, for the client side of a bench
/// (the emulator runs on its own runtime and threads). On 2 cores this measured faster than a
/// 2-worker runtime (fewer cross-thread wake-ups).
///
/// # Panics
/// If tokio cannot build the runtime (no file descriptors for the I/O driver left).
#[must_use]
pub fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a tokio runtime")
}

/// Starts the API server emulator on loopback without simulated controllers: nothing writes
/// status or waits for health, so only the measured requests reach it.
///
/// # Panics
/// If the emulator cannot start (no loopback port or TLS set-up).
#[must_use]
pub fn emulator() -> Emulator {
    Emulator::start(EmulatorOptions::default().controllers(false)).expect("emulator starts")
}
