//! # gitops-core
//!
//! The desired-state model of gitops-rs: object identity ([`GroupVersionKind`], [`GroupKind`],
//! [`ResourceKey`]), validated [`Manifest`]s and their loading from multi-document YAML or JSON
//! ([`load_bytes`]), and ordered, duplicate-free [`ManifestSet`]s.
//!
//! This crate does no I/O and no async: it parses bytes handed to it. Reading Git belongs to
//! `gitops-source`, talking to a cluster to `gitops-apply`.
//!
//! ```
//! use gitops_core::{load_bytes, ManifestSet};
//! let yaml = b"apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web, namespace: default}\n";
//! let set = ManifestSet::from_manifests(load_bytes(yaml, "web.yaml")?)?;
//! assert_eq!(set.keys().next().unwrap().to_string(), "apps/Deployment/default/web");
//! # Ok::<(), gitops_core::Error>(())
//! ```
//!
//! ## Feature flags
//! None.

mod error;
mod gvk;
mod key;
mod manifest;

pub use error::Error;
pub use gvk::{GroupKind, GroupVersionKind};
pub use key::ResourceKey;
pub use manifest::{LoadOptions, Manifest, ManifestSet, Origin, load_bytes, load_bytes_with_options};

/// `Result` with this crate's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;
