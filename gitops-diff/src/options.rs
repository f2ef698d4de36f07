//! [`DiffOptions`] and [`DiffMode`].

use std::{sync::Arc, time::Duration};

use crate::{Normalizer, Schema};

/// How [`diff`](crate::diff()) predicts the live state after a sync.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum DiffMode {
    /// Chooses as gitops-engine does: [`DiffMode::ThreeWay`] when live carries the
    /// `kubectl.kubernetes.io/last-applied-configuration` annotation, else [`DiffMode::TwoWay`].
    #[default]
    Auto,
    /// Desired-subset: only fields present in desired count; live-only fields are kept.
    TwoWay,
    /// Two-way plus removal of fields that the last-applied configuration has and desired no
    /// longer has (client-side `kubectl apply`). Falls back to two-way without the annotation.
    ThreeWay,
    /// Predicted live = [`merge::apply`](crate::merge::apply)`(live, desired, manager, force)`:
    /// an offline server-side apply using live's `managedFields`.
    StructuredMerge,
}

/// Options of [`diff`](crate::diff()). `Default`: [`DiffMode::Auto`], manager `gitops-rs`, the
/// built-in schema, no normalizers or ignore rules, aggregated roles compared, mutation-webhook
/// changes ignored, Secrets masked.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct DiffOptions {
    /// The diff mode.
    pub mode: DiffMode,
    /// Our field manager (server-side apply), e.g. `argocd-controller`.
    pub manager: String,
    /// Merge semantics (built-in table plus registered CRDs).
    pub schema: Arc<Schema>,
    /// Users' normalizers, applied to every side after the built-in normalization.
    pub normalizers: Vec<Arc<dyn Normalizer>>,
    /// Ignore-differences rules (Argo CD `ignoreDifferences`).
    pub ignore: Vec<crate::IgnoreRule>,
    /// Argo CD's `IgnoreAggregatedRoles`: a ClusterRole's `rules` do not count when the live
    /// object has an `aggregationRule` (the aggregation controller fills them).
    pub ignore_aggregated_roles: bool,
    /// Server-side mode: drop fields from the predicted live that our manager does not own (changes
    /// made by mutating webhooks), as Argo CD does by default.
    pub ignore_mutation_webhook: bool,
    /// Time budget of each jq path expression of an ignore rule on one object (Argo CD's
    /// `ignore.normalizer.jq.timeout`, default 1 s).
    pub jq_timeout: Duration,
    /// Replace Secret `data` values in every output by runs of `+` (see [`crate::mask`]).
    pub mask_secrets: bool,
    /// Further annotation keys and JSON pointers masked on every object (with
    /// [`DiffOptions::mask_secrets`]).
    pub mask: crate::mask::MaskRules,
}

impl Default for DiffOptions {
    fn default() -> Self {
        Self {
            mode: DiffMode::Auto,
            manager: "gitops-rs".to_owned(),
            schema: Arc::default(),
            normalizers: Vec::new(),
            ignore: Vec::new(),
            ignore_aggregated_roles: false,
            ignore_mutation_webhook: true,
            jq_timeout: Duration::from_secs(1),
            mask_secrets: true,
            mask: crate::mask::MaskRules::default(),
        }
    }
}

impl DiffOptions {
    /// Sets the mode.
    #[must_use]
    pub fn with_mode(mut self, mode: DiffMode) -> Self {
        self.mode = mode;
        self
    }

    /// Sets our field manager.
    #[must_use]
    pub fn with_manager(mut self, manager: impl Into<String>) -> Self {
        self.manager = manager.into();
        self
    }

    /// Sets the schema.
    #[must_use]
    pub fn with_schema(mut self, schema: Schema) -> Self {
        self.schema = Arc::new(schema);
        self
    }

    /// Adds a normalizer.
    #[must_use]
    pub fn with_normalizer(mut self, normalizer: impl Normalizer + 'static) -> Self {
        self.normalizers.push(Arc::new(normalizer));
        self
    }

    /// Adds an ignore-differences rule.
    #[must_use]
    pub fn with_ignore(mut self, rule: crate::IgnoreRule) -> Self {
        self.ignore.push(rule);
        self
    }

    /// Sets [`DiffOptions::ignore_aggregated_roles`].
    #[must_use]
    pub fn with_ignore_aggregated_roles(mut self, on: bool) -> Self {
        self.ignore_aggregated_roles = on;
        self
    }

    /// Sets [`DiffOptions::ignore_mutation_webhook`].
    #[must_use]
    pub fn with_ignore_mutation_webhook(mut self, on: bool) -> Self {
        self.ignore_mutation_webhook = on;
        self
    }

    /// Sets [`DiffOptions::jq_timeout`].
    #[must_use]
    pub fn with_jq_timeout(mut self, budget: Duration) -> Self {
        self.jq_timeout = budget;
        self
    }

    /// Sets the extra masking rules.
    #[must_use]
    pub fn with_mask(mut self, rules: crate::mask::MaskRules) -> Self {
        self.mask = rules;
        self
    }

    /// Sets [`DiffOptions::mask_secrets`].
    #[must_use]
    pub fn with_mask_secrets(mut self, on: bool) -> Self {
        self.mask_secrets = on;
        self
    }
}
