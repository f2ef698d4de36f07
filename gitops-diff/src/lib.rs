//! gitops-diff: under construction in this session; see README.md for the crate map.
