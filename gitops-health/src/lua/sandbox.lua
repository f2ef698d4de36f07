-- Builds the sandbox of gitops-health's Lua health scripts. Runs once per interpreter, in the
-- interpreter's full global environment, before any script; scripts never see these globals.
-- Arguments: a function telling whether the current evaluation ran out of budget, and the
-- message to raise when it has.
local exceeded, budget_message = ...

-- Instruction-count hooks do not fire inside JIT-compiled traces: interpret only.
jit.off()
jit.flush()

local error, pcall, xpcall, select, setmetatable, getmetatable, type, setfenv =
    error, pcall, xpcall, select, setmetatable, getmetatable, type, setfenv
local string_lib, table_lib, math_lib, os_lib = string, table, math, os

-- No way back to bytecode through string methods (`("").dump`).
string_lib.dump = nil

local function readonly(lib, name)
    return setmetatable({}, {
        __index = lib,
        __newindex = function()
            error("attempt to modify the read-only library '" .. name .. "'", 2)
        end,
        __metatable = false,
    })
end

local safe_os = readonly({ time = os_lib.time, date = os_lib.date, clock = os_lib.clock }, "os")
local libs_open = {
    string = readonly(string_lib, "string"),
    table = readonly(table_lib, "table"),
    math = readonly(math_lib, "math"),
    os = safe_os,
}
local libs_restricted = { table = libs_open.table, os = safe_os }

-- A pcall whose caller cannot swallow a budget overrun.
local function checked(...)
    if exceeded() then
        error(budget_message, 0)
    end
    return ...
end

local function base(libs)
    local b = {
        assert = assert, error = error, ipairs = ipairs, next = next, pairs = pairs,
        select = select, tonumber = tonumber, tostring = tostring, type = type, unpack = unpack,
        rawequal = rawequal, rawget = rawget, setmetatable = setmetatable,
        _VERSION = _VERSION,
        print = function() end,
        getmetatable = function(value)
            if type(value) == "string" then
                return nil
            end
            return getmetatable(value)
        end,
        pcall = function(f, ...)
            return checked(pcall(f, ...))
        end,
        xpcall = function(f, handler)
            return checked(xpcall(f, handler))
        end,
        require = function(name)
            local lib = libs[name]
            if lib == nil then
                error("module '" .. tostring(name) .. "' not found", 2)
            end
            return lib
        end,
    }
    for name, lib in pairs(libs) do
        if name ~= "os" then
            b[name] = lib
        end
    end
    if libs == libs_open then
        b.os = safe_os
    end
    return b
end

local mt_open = { __index = base(libs_open), __metatable = false }
local mt_restricted = { __index = base(libs_restricted), __metatable = false }

-- Runs one compiled chunk against `obj` in a fresh environment and returns what it returns.
local function run(chunk, obj, open)
    local env = setmetatable({ obj = obj, actionParams = {} }, open and mt_open or mt_restricted)
    env._G = env
    setfenv(chunk, env)
    return chunk()
end

return run
