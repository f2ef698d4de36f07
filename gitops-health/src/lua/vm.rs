//! Sandboxed LuaJIT interpreters: creation, budgets, a pool, and the compiled-chunk cache.

use std::{
    collections::HashMap,
    sync::{Arc, Mutex},
    time::Instant,
};

use mlua::chunk::ChunkMode;
use mlua::{Function, HookTriggers, Lua, LuaOptions as MluaOptions, StdLib, VmState};
use serde_json::Value;

use super::{LuaError, LuaOptions, convert, scripts::Script};
use crate::Health;

/// How often (in VM instructions) the budget hook runs.
const HOOK_EVERY: u32 = 1000;

/// The message raised inside the script when the budget runs out; the Rust side reports
/// [`LuaError::Budget`] instead.
const BUDGET_MESSAGE: &str = "health script budget exceeded";

/// Per-evaluation budget, kept in the interpreter's app data.
#[derive(Debug)]
struct Budget {
    deadline: Instant,
    instructions: u64,
    instruction_limit: u64,
    exceeded: bool,
}

/// One interpreter with its sandbox and its cache of compiled chunks.
struct Vm {
    lua: Lua,
    run: Function,
    chunks: HashMap<u64, Function>,
}

impl Vm {
    fn new(options: &LuaOptions) -> Result<Self, mlua::Error> {
        let libs = StdLib::TABLE | StdLib::STRING | StdLib::MATH | StdLib::OS | StdLib::JIT;
        let lua = Lua::new_with(libs, MluaOptions::new())?;
        lua.set_app_data(Budget {
            deadline: Instant::now(),
            instructions: 0,
            instruction_limit: u64::MAX,
            exceeded: false,
        });
        let exceeded =
            lua.create_function(|lua, ()| Ok(lua.app_data_ref::<Budget>().is_some_and(|b| b.exceeded)))?;
        let run: Function = lua
            .load(include_str!("sandbox.lua"))
            .set_name("=gitops-health sandbox")
            .set_mode(ChunkMode::Text)
            .call((exceeded, BUDGET_MESSAGE))?;
        // Nothing but the sandbox may reach the loaders and the JIT controls afterwards.
        let globals = lua.globals();
        for name in [
            "load",
            "loadstring",
            "dofile",
            "loadfile",
            "require",
            "module",
            "jit",
            "package",
        ] {
            globals.raw_set(name, mlua::Nil)?;
        }
        lua.set_hook(
            HookTriggers::new().every_nth_instruction(HOOK_EVERY),
            |lua, _debug| {
                let Some(mut budget) = lua.app_data_mut::<Budget>() else {
                    return Ok(VmState::Continue);
                };
                budget.instructions = budget.instructions.saturating_add(u64::from(HOOK_EVERY));
                if budget.exceeded
                    || budget.instructions > budget.instruction_limit
                    || Instant::now() > budget.deadline
                {
                    budget.exceeded = true;
                    return Err(mlua::Error::runtime(BUDGET_MESSAGE));
                }
                Ok(VmState::Continue)
            },
        )?;
        lua.gc_collect()?;
        match lua.set_memory_limit(lua.used_memory().saturating_add(options.memory_limit)) {
            Ok(_) | Err(mlua::Error::MemoryControlNotAvailable) => {}
            Err(err) => return Err(err),
        }
        Ok(Self {
            lua,
            run,
            chunks: HashMap::new(),
        })
    }

    fn chunk(&mut self, script: &Script) -> Result<Function, LuaError> {
        if let Some(f) = self.chunks.get(&script.id) {
            return Ok(f.clone());
        }
        let f = self
            .lua
            .load(&*script.code)
            .set_name(format!("={}", script.origin()))
            .set_mode(ChunkMode::Text)
            .into_function()
            .map_err(|err| LuaError::Script {
                origin: script.origin(),
                message: convert::error_message(&err),
            })?;
        self.chunks.insert(script.id, f.clone());
        Ok(f)
    }

    /// Runs `script` on `object`. `Err` with `poisoned = true` means the interpreter must be
    /// dropped (budget or memory exhausted).
    fn evaluate(
        &mut self,
        script: &Script,
        object: &Value,
        options: &LuaOptions,
    ) -> Result<Option<Health>, LuaError> {
        let chunk = self.chunk(script)?;
        if let Some(mut budget) = self.lua.app_data_mut::<Budget>() {
            budget.deadline = Instant::now() + options.time_limit;
            budget.instructions = 0;
            budget.instruction_limit = options.instruction_limit;
            budget.exceeded = false;
        }
        let result = convert::to_lua(&self.lua, object)
            .and_then(|obj| self.run.call::<mlua::MultiValue>((chunk, obj, script.open_libs)));
        let exceeded = self.lua.app_data_ref::<Budget>().is_some_and(|b| b.exceeded);
        if exceeded {
            return Err(LuaError::Budget {
                origin: script.origin(),
                time_limit: options.time_limit,
                instruction_limit: options.instruction_limit,
            });
        }
        match result {
            Ok(values) => convert::to_health(values.into_iter().last().unwrap_or(mlua::Nil)),
            Err(err) if is_memory_error(&err) => Err(LuaError::Memory {
                origin: script.origin(),
                limit: options.memory_limit,
            }),
            Err(err) => Err(LuaError::Script {
                origin: script.origin(),
                message: convert::error_message(&err),
            }),
        }
    }
}

fn is_memory_error(err: &mlua::Error) -> bool {
    match err {
        mlua::Error::MemoryError(_) => true,
        mlua::Error::CallbackError { cause, .. } | mlua::Error::WithContext { cause, .. } => {
            is_memory_error(cause)
        }
        _ => false,
    }
}

/// A pool of interpreters shared by every thread; each evaluation borrows one.
pub(crate) struct Pool {
    idle: Mutex<Vec<Vm>>,
    options: LuaOptions,
}

impl std::fmt::Debug for Pool {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let idle = self.idle.lock().map_or(0, |idle| idle.len());
        f.debug_struct("Pool")
            .field("idle", &idle)
            .field("options", &self.options)
            .finish()
    }
}

impl Pool {
    pub(crate) fn new(options: LuaOptions) -> Self {
        Self {
            idle: Mutex::new(Vec::new()),
            options,
        }
    }

    pub(crate) fn options(&self) -> &LuaOptions {
        &self.options
    }

    /// Compiles `script` in a pooled interpreter (caching the chunk).
    pub(crate) fn compile(&self, script: &Arc<Script>) -> Result<(), LuaError> {
        let mut vm = self.take()?;
        let result = vm.chunk(script).map(drop);
        self.give_back(vm);
        result
    }

    fn take(&self) -> Result<Vm, LuaError> {
        match self.idle.lock().ok().and_then(|mut idle| idle.pop()) {
            Some(vm) => Ok(vm),
            None => Vm::new(&self.options).map_err(|source| LuaError::Sandbox { source }),
        }
    }

    fn give_back(&self, vm: Vm) {
        if let Ok(mut idle) = self.idle.lock()
            && idle.len() < self.options.max_idle_interpreters
        {
            idle.push(vm);
        }
    }

    /// Evaluates `script` on `object` in a pooled interpreter.
    pub(crate) fn evaluate(&self, script: &Arc<Script>, object: &Value) -> Result<Option<Health>, LuaError> {
        let mut vm = self.take()?;
        let result = vm.evaluate(script, object, &self.options);
        // An interpreter that ran out of budget or memory may be half-way through anything.
        if !matches!(result, Err(LuaError::Budget { .. } | LuaError::Memory { .. })) {
            self.give_back(vm);
        }
        result
    }
}
