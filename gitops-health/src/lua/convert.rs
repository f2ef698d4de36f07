//! JSON to Lua (Argo CD's presentation of the object) and the Lua result to [`Health`]
//! (Argo CD's result contract).

use mlua::{Lua, Table, Value as LuaValue};
use serde_json::Value;

use super::LuaError;
use crate::{Health, HealthStatus};

/// Converts `value` as Argo CD does: objects and arrays become tables, `null` members are
/// dropped and `null` array elements skipped (the array is compacted), numbers become Lua
/// numbers.
pub(crate) fn to_lua(lua: &Lua, value: &Value) -> mlua::Result<LuaValue> {
    Ok(match value {
        Value::Null => LuaValue::Nil,
        Value::Bool(b) => LuaValue::Boolean(*b),
        Value::Number(n) => LuaValue::Number(n.as_f64().unwrap_or(f64::NAN)),
        Value::String(s) => LuaValue::String(lua.create_string(s)?),
        Value::Array(items) => {
            let table = lua.create_table_with_capacity(items.len(), 0)?;
            let mut index = 0;
            for item in items.iter().filter(|item| !item.is_null()) {
                index += 1;
                table.raw_set(index, to_lua(lua, item)?)?;
            }
            LuaValue::Table(table)
        }
        Value::Object(map) => {
            let table = lua.create_table_with_capacity(0, map.len())?;
            for (key, item) in map.iter().filter(|(_, item)| !item.is_null()) {
                table.raw_set(key.as_str(), to_lua(lua, item)?)?;
            }
            LuaValue::Table(table)
        }
    })
}

/// The message of a Lua error without mlua's wrapping and stack traceback.
pub(crate) fn error_message(err: &mlua::Error) -> String {
    match err {
        mlua::Error::SyntaxError { message, .. } | mlua::Error::RuntimeError(message) => message.clone(),
        mlua::Error::CallbackError { cause, .. } | mlua::Error::WithContext { cause, .. } => {
            error_message(cause)
        }
        other => other.to_string(),
    }
    .lines()
    .take_while(|line| !line.starts_with("stack traceback:"))
    .collect::<Vec<_>>()
    .join("\n")
}

/// Whether a table would encode as a JSON array in Argo CD (gopher-json): empty, or keys
/// exactly `1..n`.
fn is_array_like(table: &Table) -> bool {
    let n = table.raw_len();
    let mut count = 0usize;
    for pair in table.pairs::<LuaValue, LuaValue>() {
        let Ok((key, _)) = pair else { return false };
        count += 1;
        let in_range = match key {
            LuaValue::Integer(i) => i >= 1 && (i as usize) <= n,
            LuaValue::Number(f) => f.fract() == 0.0 && f >= 1.0 && (f as usize) <= n,
            _ => false,
        };
        if !in_range {
            return false;
        }
    }
    count == n
}

/// A field of the result table, matched like Go's JSON decoder: exact name first, then
/// case-insensitively.
fn field(table: &Table, name: &str) -> Option<LuaValue> {
    if let Ok(value) = table.raw_get::<LuaValue>(name)
        && !value.is_nil()
    {
        return Some(value);
    }
    table
        .pairs::<LuaValue, LuaValue>()
        .filter_map(Result::ok)
        .find_map(|(key, value)| match key {
            LuaValue::String(s) if s.to_str().is_ok_and(|k| k.eq_ignore_ascii_case(name)) => Some(value),
            _ => None,
        })
}

/// Applies the result contract to the value a script returned.
///
/// - nil → `Ok(None)` (Argo CD's empty health status: no health, no fallback).
/// - a non-table → [`LuaError::NotATable`].
/// - an array-like or empty table, or `status`/`message` that are not strings → `Ok(None)`
///   (Argo CD's decode failure gives the empty status too).
/// - a `status` that is not one of the six statuses (or missing) → Unknown
///   `"Lua returned an invalid health status"`.
pub(crate) fn to_health(value: LuaValue) -> Result<Option<Health>, LuaError> {
    let table = match value {
        LuaValue::Nil => return Ok(None),
        LuaValue::Table(table) => table,
        other => {
            return Err(LuaError::NotATable {
                type_name: other.type_name(),
            });
        }
    };
    if is_array_like(&table) {
        return Ok(None);
    }
    let text = |value: Option<LuaValue>| -> Result<String, ()> {
        match value {
            None => Ok(String::new()),
            Some(LuaValue::String(s)) => Ok(s.to_string_lossy()),
            Some(_) => Err(()),
        }
    };
    let (Ok(status), Ok(message)) = (text(field(&table, "status")), text(field(&table, "message"))) else {
        return Ok(None);
    };
    Ok(Some(match status.parse::<HealthStatus>() {
        Ok(status) => Health::new(status, message),
        Err(_) => Health::unknown("Lua returned an invalid health status"),
    }))
}
