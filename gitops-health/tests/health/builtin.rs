//! Built-in assessors on hand-written objects (cases the conformance corpus does not cover).
