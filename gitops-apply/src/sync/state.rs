//! [`OperationState`]: the re-entrant, serializable state of one sync operation.

use std::collections::BTreeMap;

use gitops_core::{ResourceKey, SyncPhase};
use serde::{Deserialize, Serialize};

use super::report::{ResourceResult, ResourceStatus};

/// Phase of a sync operation, as Argo CD's `operationState.phase`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[non_exhaustive]
pub enum OperationPhase {
    /// Steps remain; call [`SyncEngine::step`](crate::SyncEngine::step) again.
    #[default]
    Running,
    /// Every step succeeded.
    Succeeded,
    /// A write failed, a wave became Degraded or timed out.
    Failed,
}

/// One hook created during the operation, for its delete policies at the end.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct HookRecord {
    /// Key of the hook in the desired state (name may be empty for `generateName` hooks).
    #[serde(with = "key_text")]
    pub(crate) desired: ResourceKey,
    /// Key of the live hook object.
    #[serde(with = "key_text")]
    pub(crate) live: ResourceKey,
}

/// The state of one sync operation: which (phase, wave) steps are done, the per-resource results
/// so far, the hooks created, and the outcome. It serializes to JSON (serde), so a controller
/// restarted in the middle of a sync resumes it by passing the state back to
/// [`SyncEngine::step`](crate::SyncEngine::step), as gitops-engine's re-entrant
/// `SyncContext.Sync()` with `WithInitialState` does.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[non_exhaustive]
pub struct OperationState {
    /// Running, Succeeded or Failed.
    pub phase: OperationPhase,
    /// Failure or summary message.
    pub message: String,
    /// The revision being synced, when known.
    pub revision: Option<String>,
    /// Comparison status of every resource before the first step, by key text.
    pub(crate) initial: BTreeMap<String, ResourceStatus>,
    /// Whether hooks run in this operation (something was out of sync at the start).
    pub(crate) run_hooks: bool,
    /// Completed `(phase, wave)` steps, in order.
    pub(crate) completed: Vec<(String, i32)>,
    /// Per-resource results so far.
    pub(crate) results: Vec<ResourceResult>,
    /// Position of each key in `results` (rebuilt after deserializing).
    #[serde(skip)]
    pub(crate) positions: Positions,
    /// Hooks created so far.
    pub(crate) hooks: Vec<HookRecord>,
    /// Writes made so far.
    pub writes: usize,
}

impl OperationState {
    /// Whether the operation has finished (Succeeded or Failed).
    pub fn is_completed(&self) -> bool {
        self.phase != OperationPhase::Running
    }

    /// Per-resource results so far, in the order they were recorded.
    pub fn results(&self) -> &[ResourceResult] {
        &self.results
    }

    pub(crate) fn is_done(&self, phase: SyncPhase, wave: i32) -> bool {
        self.completed
            .iter()
            .any(|(p, w)| p == phase.as_str() && *w == wave)
    }

    /// Records the result of a resource, replacing an earlier one of the same key in place
    /// (O(log n): a sync of n resources records n results).
    pub(crate) fn record(&mut self, result: ResourceResult) {
        if let Some(i) = self.position(&result.key) {
            self.results[i] = result;
        } else {
            self.positions.0.insert(result.key.clone(), self.results.len());
            self.results.push(result);
        }
    }

    pub(crate) fn result_mut(&mut self, key: &ResourceKey) -> Option<&mut ResourceResult> {
        let i = self.position(key)?;
        self.results.get_mut(i)
    }

    fn position(&mut self, key: &ResourceKey) -> Option<usize> {
        if self.positions.0.len() != self.results.len() {
            // A deserialized (or hand-built) state: index it once.
            self.positions.0 = self
                .results
                .iter()
                .enumerate()
                .map(|(i, r)| (r.key.clone(), i))
                .collect();
        }
        self.positions.0.get(key).copied()
    }
}

/// The key → position index of [`OperationState::results`]; derived data, so it takes no part
/// in equality.
#[derive(Debug, Clone, Default)]
pub(crate) struct Positions(BTreeMap<ResourceKey, usize>);

impl PartialEq for Positions {
    fn eq(&self, _: &Self) -> bool {
        true
    }
}

/// `ResourceKey` as its stable text form in serialized states.
pub(crate) mod key_text {
    use gitops_core::ResourceKey;
    use serde::{Deserialize, Deserializer, Serializer, de::Error as _};

    pub(crate) fn serialize<S: Serializer>(key: &ResourceKey, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(key)
    }

    pub(crate) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<ResourceKey, D::Error> {
        let text = String::deserialize(d)?;
        text.parse().map_err(D::Error::custom)
    }
}

/// `SyncPhase` as its Argo CD spelling in serialized states.
pub(crate) mod phase_text {
    use gitops_core::SyncPhase;
    use serde::{Deserialize, Deserializer, Serializer, de::Error as _};

    #[allow(clippy::trivially_copy_pass_by_ref)] // serde's `with` signature
    pub(crate) fn serialize<S: Serializer>(phase: &SyncPhase, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(phase.as_str())
    }

    pub(crate) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<SyncPhase, D::Error> {
        let text = String::deserialize(d)?;
        text.parse().map_err(D::Error::custom)
    }
}
