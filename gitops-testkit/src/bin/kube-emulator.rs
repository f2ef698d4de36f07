//! `kube-emulator`: runs the gitops-testkit Kubernetes API server emulator standalone.
//!
//! ```text
//! cargo run -p gitops-testkit --bin kube-emulator -- --port 6443 --kubeconfig-out /tmp/kubeconfig
//! kubectl --kubeconfig /tmp/kubeconfig get namespaces
//! ```

use std::{path::PathBuf, time::Duration};

use clap::Parser;
use gitops_testkit::emulator::{Emulator, EmulatorOptions};

/// An in-process Kubernetes API server emulator (objects in memory, simulated controllers).
#[derive(Debug, Parser)]
#[command(name = "kube-emulator", version)]
struct Args {
    /// Port on 127.0.0.1 (0 picks a free one).
    #[arg(long, default_value_t = 0)]
    port: u16,
    /// Write a kubeconfig for the emulator to this file.
    #[arg(long)]
    kubeconfig_out: Option<PathBuf>,
    /// Serve HTTPS with a generated self-signed certificate (trusted by the kubeconfig).
    #[arg(long)]
    tls: bool,
    /// Require this bearer token.
    #[arg(long)]
    token: Option<String>,
    /// Turn the simulated controllers off.
    #[arg(long)]
    no_controllers: bool,
    /// Time until simulated workloads become ready (e.g. `2s`, `500ms`).
    #[arg(long, value_parser = humantime::parse_duration, default_value = "2s")]
    ready_after: Duration,
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args = Args::parse();
    let mut options = EmulatorOptions::default()
        .port(args.port)
        .tls(args.tls)
        .controllers(!args.no_controllers)
        .ready_after(args.ready_after);
    if let Some(token) = args.token {
        options = options.token(token);
    }
    let emulator = Emulator::start(options)?;
    if let Some(path) = &args.kubeconfig_out {
        emulator.write_kubeconfig(path)?;
        eprintln!("kube-emulator: kubeconfig written to {}", path.display());
    }
    println!("{}", emulator.url());
    eprintln!("kube-emulator: serving {} (Ctrl-C to stop)", emulator.url());
    loop {
        std::thread::park();
    }
}
