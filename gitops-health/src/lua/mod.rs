//! Argo CD Lua health scripts (feature `lua`).
//!
//! [`LuaHealth`] holds health scripts from a `resource_customizations` directory
//! ([`LuaHealth::load_dir`]), operator overrides ([`LuaHealth::add_override`],
//! [`LuaHealth::add_config_map`]) and runs them in a sandboxed, vendored LuaJIT (Lua 5.1 plus
//! `goto`, like Argo CD's gopher-lua). Give it to a registry with
//! [`Registry::with_lua`](crate::Registry::with_lua): scripts then take precedence over the
//! built-in assessors, as in Argo CD. [`run_health_tests`] runs `health_test.yaml` files.
//!
//! The contract (what scripts see and what their result means) is Argo CD's:
//! - the global `obj` is the live object with `null` members dropped and arrays compacted;
//!   `actionParams` is an empty table;
//! - the value the chunk returns decides: nil (or an empty / array-like table, or a
//!   `status`/`message` that is not a string) → no health, without falling back to the
//!   built-in; a table with a valid `status` (matched case-insensitively) → that health; an
//!   invalid status → Unknown `"Lua returned an invalid health status"`; any other type or a
//!   script error → Unknown with the error text (`expect table output from Lua script, not
//!   <type>`, or the Lua message naming the script).
//!
//! Sandbox (deliberately stricter than Argo CD, whose bundled scripts get `io`, full `os` and
//! `debug`):
//! - scripts from directories, and overrides marked `useOpenLibs`, get the base library,
//!   `string` (without `dump`), `table`, `math` and an `os` with only `time`, `date` and
//!   `clock`; other overrides get the base library, `table` and `require("os")` (Argo CD's
//!   restricted mode). String methods (`s:find`) work in both modes.
//! - no `io`, `debug`, `load`, `loadstring`, `dofile`, `loadfile`, `getfenv`/`setfenv`,
//!   `rawset`, `collectgarbage`, `coroutine`, `ffi` or `jit`; `require` only returns the
//!   libraries above; binary chunks are refused; library tables are read-only; `print` is a
//!   no-op.
//! - every evaluation runs in a fresh environment table, so globals a script assigns
//!   (`hs = {}`) never leak into the next evaluation.
//! - an instruction budget and a wall-clock limit ([`LuaOptions::time_limit`], 1 s by default,
//!   checked every 1000 instructions with the JIT compiler off, so that the hook always fires)
//!   and a memory limit per interpreter ([`LuaOptions::memory_limit`]); exceeding them gives
//!   Unknown with a message naming the script and the limit. Long-running single C calls (a
//!   pathological `string.find` pattern) are not interrupted.
//!
//! Interpreters are pooled and each caches one compiled chunk per script, so an evaluation
//! costs the object conversion and the script itself. [`LuaHealth`] is `Send + Sync`.

mod convert;
mod glob;
mod runner;
mod scripts;
mod vm;

use std::{
    collections::BTreeMap,
    path::{Path, PathBuf},
    time::Duration,
};

use serde_json::Value;

pub use runner::{HealthTestFailure, HealthTestReport, run_health_tests};
use scripts::{ScriptSet, find_scripts};

use crate::{Health, object::type_of};

/// Errors of Lua health scripts. In [`Registry::assess`](crate::Registry::assess) they become
/// Unknown health with the error text as message.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum LuaError {
    /// The script does not compile or raised an error. `message` is the Lua message, which
    /// starts with the script's origin and line (`group/Kind/health.lua:4: ...`).
    #[error("{message}")]
    Script {
        /// The script's file, or `override <key>`.
        origin: String,
        /// The Lua error message without stack traceback.
        message: String,
    },
    /// The script returned something other than a table or nil (Argo CD's message).
    #[error("expect table output from Lua script, not {type_name}")]
    NotATable {
        /// The Lua type name, e.g. `string`.
        type_name: &'static str,
    },
    /// The script ran out of time or instructions (e.g. an endless loop).
    #[error(
        "health script {origin} exceeded its budget of {time_limit:?} or {instruction_limit} instructions"
    )]
    Budget {
        /// The script's file, or `override <key>`.
        origin: String,
        /// The wall-clock limit.
        time_limit: Duration,
        /// The instruction limit.
        instruction_limit: u64,
    },
    /// The script allocated more than the memory limit.
    #[error("health script {origin} exceeded its memory limit of {limit} bytes")]
    Memory {
        /// The script's file, or `override <key>`.
        origin: String,
        /// The limit in bytes.
        limit: usize,
    },
    /// A file or directory could not be read.
    #[error("cannot read {}", path.display())]
    Io {
        /// The path.
        path: PathBuf,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
    /// A `health_test.yaml`, an input file or an `argocd-cm` block is malformed.
    #[error("{}: {message}", path.display())]
    InvalidFile {
        /// The file (or `argocd-cm` key).
        path: PathBuf,
        /// What is wrong.
        message: String,
    },
    /// The sandboxed interpreter could not be created (an internal failure).
    #[error("cannot create the Lua sandbox")]
    Sandbox {
        /// The mlua error.
        #[source]
        source: mlua::Error,
    },
}

/// Limits of one script evaluation.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct LuaOptions {
    /// Wall-clock limit of one evaluation (default 1 s, Argo CD's).
    pub time_limit: Duration,
    /// Instruction limit of one evaluation (default 100 million, a few hundred ms).
    pub instruction_limit: u64,
    /// Memory a script may allocate in one interpreter, in bytes (default 64 MiB).
    pub memory_limit: usize,
    /// Interpreters kept for reuse (default 8); more are created under contention and dropped.
    pub max_idle_interpreters: usize,
}

impl Default for LuaOptions {
    fn default() -> Self {
        Self {
            time_limit: Duration::from_secs(1),
            instruction_limit: 100_000_000,
            memory_limit: 64 * 1024 * 1024,
            max_idle_interpreters: 8,
        }
    }
}

impl LuaOptions {
    /// Sets [`LuaOptions::time_limit`].
    #[must_use]
    pub fn time_limit(mut self, limit: Duration) -> Self {
        self.time_limit = limit;
        self
    }

    /// Sets [`LuaOptions::instruction_limit`].
    #[must_use]
    pub fn instruction_limit(mut self, limit: u64) -> Self {
        self.instruction_limit = limit;
        self
    }

    /// Sets [`LuaOptions::memory_limit`] in bytes.
    #[must_use]
    pub fn memory_limit(mut self, bytes: usize) -> Self {
        self.memory_limit = bytes;
        self
    }

    /// Sets [`LuaOptions::max_idle_interpreters`].
    #[must_use]
    pub fn max_idle_interpreters(mut self, count: usize) -> Self {
        self.max_idle_interpreters = count;
        self
    }
}

/// A set of Argo CD health scripts and the sandbox that runs them.
///
/// Lookup for an object of group `g` and kind `K` (key `g/K`, or `K` for the core group; the
/// version plays no part), first match wins:
/// 1. operator override with exact key;
/// 2. operator override with a glob key (`*` may span `/`), in lexicographic key order (Argo
///    CD uses Go map order here, which is random);
/// 3. directory script `g/K/health.lua`;
/// 4. wildcard directory script (a directory path containing `_`, each `_` read as `*`, which
///    does not span `/`), in lexicographic order;
/// 5. no script: the registry falls back to the built-in assessor.
///
/// ```
/// use gitops_health::{HealthStatus, Registry, lua::LuaHealth};
/// let mut lua = LuaHealth::new();
/// lua.add_override("example.com_Widget", r#"
///     hs = {}
///     if obj.status ~= nil and obj.status.ready then
///       hs.status = "Healthy"
///     else
///       hs.status = "Progressing"
///       hs.message = "Waiting for widget " .. obj.metadata.name
///     end
///     return hs
/// "#, true);
/// let registry = Registry::default().with_lua(lua);
/// let widget = serde_json::json!({"apiVersion": "example.com/v1", "kind": "Widget",
///     "metadata": {"name": "w"}, "status": {"ready": false}});
/// let health = registry.assess(&widget)?.unwrap();
/// assert_eq!(health.status, HealthStatus::Progressing);
/// assert_eq!(health.message, "Waiting for widget w");
/// # Ok::<(), gitops_health::Error>(())
/// ```
#[derive(Debug)]
pub struct LuaHealth {
    scripts: ScriptSet,
    pool: vm::Pool,
}

impl Default for LuaHealth {
    fn default() -> Self {
        Self::new()
    }
}

impl LuaHealth {
    /// No scripts, default [`LuaOptions`].
    pub fn new() -> Self {
        Self::with_options(LuaOptions::default())
    }

    /// No scripts, the given limits.
    pub fn with_options(options: LuaOptions) -> Self {
        Self {
            scripts: ScriptSet::default(),
            pool: vm::Pool::new(options),
        }
    }

    /// The limits in force.
    pub fn options(&self) -> &LuaOptions {
        self.pool.options()
    }

    /// Number of scripts held.
    pub fn len(&self) -> usize {
        self.scripts.len()
    }

    /// Whether no script is held.
    pub fn is_empty(&self) -> bool {
        self.scripts.len() == 0
    }

    /// Loads every `health.lua` of a directory in Argo CD's `resource_customizations` layout
    /// (`<group>/<Kind>/health.lua`; `<Kind>/health.lua` for the core group; directory names
    /// containing `_` are wildcards). Other files (`health_test.yaml`, `testdata/`,
    /// `actions/`) are ignored. Returns the number of scripts loaded. A later script for the
    /// same directory key replaces an earlier one.
    pub fn load_dir(&mut self, dir: impl AsRef<Path>) -> Result<usize, LuaError> {
        let dir = dir.as_ref();
        let found = find_scripts(dir)?;
        for (key, path) in &found {
            let code = std::fs::read_to_string(path).map_err(|source| LuaError::Io {
                path: path.clone(),
                source,
            })?;
            self.scripts.add_directory(key, &code, path.clone());
        }
        Ok(found.len())
    }

    /// Adds a directory-tier script for `key` (`group/Kind`, `Kind` for the core group, `_`
    /// as wildcard), as if loaded from `<key>/health.lua`.
    pub fn add_script(&mut self, key: &str, code: &str) {
        self.scripts
            .add_directory(key, code, PathBuf::from(format!("{key}/health.lua")));
    }

    /// Adds an operator override (Argo CD's `argocd-cm`). `key` is `group_Kind` (the ConfigMap
    /// form), `group/Kind`, `Kind` for the core group, or a glob such as `*.crossplane.io/*`.
    /// `open_libs` is Argo CD's `useOpenLibs` (string and math libraries).
    pub fn add_override(&mut self, key: &str, code: &str, open_libs: bool) {
        self.scripts.add_override(key, code, open_libs);
    }

    /// Adds the health overrides of an `argocd-cm` ConfigMap's `data`:
    /// `resource.customizations.health.<group_Kind>` keys (with
    /// `resource.customizations.useOpenLibs.<group_Kind>: "true"`), and the YAML block
    /// `resource.customizations` (`<group/Kind or glob>: {health.lua: ..., useOpenLibs: bool}`).
    /// Entries with an empty script are skipped. Returns the number of overrides added.
    pub fn add_config_map<'a>(
        &mut self,
        data: impl IntoIterator<Item = (&'a str, &'a str)>,
    ) -> Result<usize, LuaError> {
        const HEALTH: &str = "resource.customizations.health.";
        const OPEN_LIBS: &str = "resource.customizations.useOpenLibs.";
        let data: BTreeMap<&str, &str> = data.into_iter().collect();
        let mut added = 0;
        if let Some(block) = data.get("resource.customizations") {
            let invalid = |message: String| LuaError::InvalidFile {
                path: PathBuf::from("argocd-cm resource.customizations"),
                message,
            };
            let parsed: Value = serde_saphyr::from_str(block).map_err(|err| invalid(err.to_string()))?;
            let Value::Object(entries) = parsed else {
                return Err(invalid("expected a mapping of group/Kind keys".to_owned()));
            };
            for (key, entry) in &entries {
                let code = entry.get("health.lua").and_then(Value::as_str).unwrap_or("");
                if code.trim().is_empty() {
                    continue;
                }
                let open = entry.get("useOpenLibs").and_then(Value::as_bool).unwrap_or(false);
                self.add_override(key, code, open);
                added += 1;
            }
        }
        for (key, code) in &data {
            if let Some(kind_key) = key.strip_prefix(HEALTH)
                && !code.trim().is_empty()
            {
                let open = data
                    .get(format!("{OPEN_LIBS}{kind_key}").as_str())
                    .is_some_and(|v| v.trim() == "true");
                self.add_override(kind_key, code, open);
                added += 1;
            }
        }
        Ok(added)
    }

    /// Where the script for `group`/`kind` comes from (file path or `override <key>`), or
    /// `None` when no script applies.
    pub fn script_origin(&self, group: &str, kind: &str) -> Option<String> {
        self.scripts.lookup(group, kind).map(|s| s.origin())
    }

    /// Runs the script that applies to `object`. `Ok(None)` when no script applies or the
    /// script gives no health; see the module docs for the result contract.
    ///
    /// # Errors
    /// [`crate::Error::InvalidObject`] for an object without `apiVersion`/`kind`;
    /// [`crate::Error::Lua`] for script failures.
    pub fn assess(&self, object: &Value) -> Result<Option<Health>, crate::Error> {
        let (group, _, kind) = type_of(object)?;
        match self.assess_kind(object, group, kind) {
            None => Ok(None),
            Some(result) => Ok(result?),
        }
    }

    /// `None` when no script applies; otherwise the script's outcome.
    pub(crate) fn assess_kind(
        &self,
        object: &Value,
        group: &str,
        kind: &str,
    ) -> Option<Result<Option<Health>, LuaError>> {
        let script = self.scripts.lookup(group, kind)?;
        Some(self.pool.evaluate(script, object))
    }

    /// Compiles every script once (caching the chunks), returning the first syntax error.
    pub fn validate(&self) -> Result<(), LuaError> {
        self.scripts
            .all()
            .try_for_each(|script| self.pool.compile(script))
    }
}
