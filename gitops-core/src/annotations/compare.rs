//! `argocd.argoproj.io/compare-options`.

use serde_json::Value;

use super::{Annotations, COMPARE_OPTIONS, csv, sync_options::reason};
use crate::Error;

/// Parsed `argocd.argoproj.io/compare-options` (comma separated).
///
/// - `IgnoreExtraneous`: a live object of this kind not in Git does not make the application
///   OutOfSync (resource level);
/// - `ServerSideDiff=true|false`: diff by server-side dry-run apply (Application level);
/// - `IncludeMutationWebhook=true|false`: with server-side diff, keep webhook mutations.
///
/// Unknown items are kept in [`CompareOptions::unknown`].
///
/// ```
/// use gitops_core::annotations::CompareOptions;
/// let opts = CompareOptions::parse("IgnoreExtraneous,ServerSideDiff=true").unwrap();
/// assert!(opts.ignore_extraneous);
/// assert_eq!(opts.server_side_diff, Some(true));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct CompareOptions {
    /// `IgnoreExtraneous` is present.
    pub ignore_extraneous: bool,
    /// `ServerSideDiff=true|false`.
    pub server_side_diff: Option<bool>,
    /// `IncludeMutationWebhook=true|false`.
    pub include_mutation_webhook: Option<bool>,
    /// Items this crate does not know, verbatim.
    pub unknown: Vec<String>,
}

impl CompareOptions {
    /// Reads `argocd.argoproj.io/compare-options` of an object.
    ///
    /// # Errors
    /// [`Error::InvalidAnnotation`] naming the object and the bad item.
    pub fn of(object: &Value) -> Result<Self, Error> {
        let ann = Annotations::of(object);
        match ann.get(COMPARE_OPTIONS) {
            None => Ok(Self::default()),
            Some(value) => Self::parse(value).map_err(|e| ann.invalid(COMPARE_OPTIONS, value, &reason(&e))),
        }
    }

    /// Parses a comma-separated value.
    ///
    /// # Errors
    /// [`Error::InvalidValue`] for a known option with a value other than `true`/`false`.
    pub fn parse(value: &str) -> Result<Self, Error> {
        let mut out = Self::default();
        for item in csv(value) {
            let flag = |v: &str| match v {
                "true" => Ok(true),
                "false" => Ok(false),
                _ => Err(Error::InvalidValue {
                    expected: "true or false",
                    value: item.to_owned(),
                }),
            };
            match item.split_once('=') {
                None if item == "IgnoreExtraneous" => out.ignore_extraneous = true,
                Some(("IgnoreExtraneous", v)) => out.ignore_extraneous = flag(v)?,
                Some(("ServerSideDiff", v)) => out.server_side_diff = Some(flag(v)?),
                Some(("IncludeMutationWebhook", v)) => out.include_mutation_webhook = Some(flag(v)?),
                _ => out.unknown.push(item.to_owned()),
            }
        }
        Ok(out)
    }
}
