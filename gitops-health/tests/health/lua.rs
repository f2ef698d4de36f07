//! Lua health scripts: lookup order, result contract, sandbox, budgets, the test runner.

use std::{path::PathBuf, sync::Arc, time::Duration};

use gitops_health::{
    Health, HealthStatus, Registry,
    lua::{LuaHealth, LuaOptions, run_health_tests},
};
use serde_json::{Value, json};

fn fixtures() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/lua")
}

fn widget() -> Value {
    json!({"apiVersion": "example.com/v1", "kind": "Widget", "metadata": {"name": "w"},
        "spec": {"replicas": 2, "items": [1, null, 3]}})
}

/// Runs `code` as an open-libs script for example.com/Widget on [`widget`].
fn run(code: &str) -> Option<Health> {
    let mut lua = LuaHealth::new();
    lua.add_script("example.com/Widget", code);
    Registry::empty().with_lua(lua).assess(&widget()).unwrap()
}

fn run_status(code: &str) -> (HealthStatus, String) {
    let health = run(code).expect("the script gives health");
    (health.status, health.message)
}

#[test]
fn runner_reports_passes_and_failures() {
    let dir = fixtures();
    let mut lua = LuaHealth::new();
    assert_eq!(lua.load_dir(&dir).unwrap(), 3);
    let report = run_health_tests(&dir, &lua).unwrap();
    assert_eq!(report.files, 3);
    assert_eq!(report.passed, 7, "{:#?}", report.failures);
    assert_eq!(report.failed(), 1);
    let failure = &report.failures[0];
    assert!(
        failure
            .test_file
            .ends_with("pkg.example.org/Provider/health_test.yaml")
    );
    assert_eq!(
        failure.expected,
        ("Degraded".to_owned(), "this case is expected to fail".to_owned())
    );
    assert_eq!(failure.actual, ("Healthy".to_owned(), String::new()));
}

#[test]
fn lookup_order_override_beats_directory_beats_builtin() {
    let mut lua = LuaHealth::new();
    lua.load_dir(fixtures()).unwrap();
    let origin = lua.script_origin("pkg.example.org", "Provider").unwrap();
    assert!(
        origin.ends_with("pkg.example.org/Provider/health.lua"),
        "{origin}"
    );
    let origin = lua.script_origin("s3.example.org", "Bucket").unwrap();
    assert!(origin.ends_with("_.example.org/_/health.lua"), "{origin}");
    assert_eq!(
        lua.script_origin("example.org", "Bucket"),
        None,
        "`*` does not match an empty label dot"
    );
    lua.add_override("*.example.org/*", "return {status = 'Degraded'}", false);
    assert_eq!(
        lua.script_origin("pkg.example.org", "Provider").unwrap(),
        "override *.example.org/*"
    );
    lua.add_override("pkg.example.org_Provider", "return {status = 'Healthy'}", false);
    assert_eq!(
        lua.script_origin("pkg.example.org", "Provider").unwrap(),
        "override pkg.example.org/Provider"
    );

    // A script for a built-in kind replaces the built-in check.
    lua.add_override(
        "apps_Deployment",
        "return {status = 'Suspended', message = 'from lua'}",
        false,
    );
    let registry = Registry::default().with_lua(lua);
    let deployment = json!({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "d"}});
    assert_eq!(
        registry.assess(&deployment).unwrap(),
        Some(Health::new(HealthStatus::Suspended, "from lua"))
    );
    // Kinds without a script still get the built-in.
    let pvc = json!({"apiVersion": "v1", "kind": "PersistentVolumeClaim", "metadata": {"name": "p"},
        "status": {"phase": "Bound"}});
    assert_eq!(registry.assess(&pvc).unwrap(), Some(Health::healthy()));
}

#[test]
fn config_map_keys_and_block() {
    let mut lua = LuaHealth::new();
    let block = "\"*.acme.io/*\":\n  health.lua: |\n    return {status = string and 'Healthy' or 'Degraded'}\n  useOpenLibs: true\nempty.io/Thing:\n  health.lua: \"\"\n";
    let added = lua
        .add_config_map([
            (
                "resource.customizations.health.cert-manager.io_Certificate",
                "return {status = 'Healthy'}",
            ),
            (
                "resource.customizations.useOpenLibs.cert-manager.io_Certificate",
                "true",
            ),
            ("resource.customizations", block),
            ("unrelated", "x"),
        ])
        .unwrap();
    assert_eq!(added, 2);
    assert_eq!(
        lua.script_origin("cert-manager.io", "Certificate").unwrap(),
        "override cert-manager.io/Certificate"
    );
    assert_eq!(
        lua.script_origin("db.acme.io", "Table").unwrap(),
        "override *.acme.io/*"
    );
    assert_eq!(lua.script_origin("empty.io", "Thing"), None);
    let table = json!({"apiVersion": "db.acme.io/v1", "kind": "Table", "metadata": {"name": "t"}});
    assert_eq!(lua.assess(&table).unwrap().unwrap().status, HealthStatus::Healthy);
}

#[test]
fn result_contract() {
    assert_eq!(run("return nil"), None);
    assert_eq!(run("local x = 1"), None);
    assert_eq!(
        run("return {}"),
        None,
        "empty table decodes as an array: empty status"
    );
    assert_eq!(run("return {'Healthy'}"), None);
    assert_eq!(run("return {status = 1}"), None, "type mismatch: empty status");
    assert_eq!(run("return {status = 'Healthy', message = true}"), None);
    assert_eq!(
        run_status("return {STATUS = 'Healthy', Message = 'm'}"),
        (HealthStatus::Healthy, "m".to_owned())
    );
    assert_eq!(
        run_status("return 1, {status = 'Degraded'}").0,
        HealthStatus::Degraded,
        "last value counts"
    );
    let invalid = (
        HealthStatus::Unknown,
        "Lua returned an invalid health status".to_owned(),
    );
    assert_eq!(run_status("return {status = 'healthy'}"), invalid);
    assert_eq!(run_status("return {message = 'no status'}"), invalid);
    assert_eq!(
        run_status("return 'Healthy'"),
        (
            HealthStatus::Unknown,
            "expect table output from Lua script, not string".to_owned()
        )
    );
    let (status, message) = run_status("local x = nil\nreturn x.field");
    assert_eq!(status, HealthStatus::Unknown);
    assert!(
        message.starts_with("example.com/Widget/health.lua:2:"),
        "{message}"
    );
    assert!(!message.contains("traceback"), "{message}");
    let (status, message) = run_status("return {status = ");
    assert_eq!(status, HealthStatus::Unknown);
    assert!(
        message.starts_with("example.com/Widget/health.lua:1:"),
        "{message}"
    );
}

#[test]
fn object_presentation() {
    // Integral numbers print without a fraction (gopher-lua does the same), nulls compact arrays.
    let (_, message) = run_status(
        "return {status = 'Healthy', message = tostring(obj.spec.replicas) .. ' ' .. #obj.spec.items .. ' ' .. obj.spec.items[2]}",
    );
    assert_eq!(message, "2 2 3");
    let (_, message) = run_status(
        "return {status = 'Healthy', message = tostring(obj.status) .. ' ' .. type(actionParams)}",
    );
    assert_eq!(message, "nil table");
}

#[test]
fn sandbox_hides_dangerous_libraries() {
    for expr in [
        "io",
        "debug",
        "load",
        "loadstring",
        "dofile",
        "loadfile",
        "getfenv",
        "setfenv",
        "rawset",
        "collectgarbage",
        "coroutine",
        "jit",
        "ffi",
        "package",
        "module",
        "newproxy",
        "os.execute",
        "os.getenv",
        "os.remove",
        "os.exit",
        "string.dump",
        "getmetatable('')",
    ] {
        let code = format!("return {{status = 'Healthy', message = tostring({expr})}}");
        assert_eq!(run_status(&code).1, "nil", "{expr} must be unavailable");
    }
    let (status, message) = run_status("require('io')");
    assert_eq!(status, HealthStatus::Unknown);
    assert!(message.contains("module 'io' not found"), "{message}");
    let (_, message) = run_status(
        "return {status = 'Healthy', message = type(os.time()) .. type(os.date('*t')) .. type(require('os').time)}",
    );
    assert_eq!(message, "numbertablefunction");
    let (status, message) = run_status("string.upper = nil");
    assert_eq!(status, HealthStatus::Unknown);
    assert!(message.contains("read-only library 'string'"), "{message}");
}

#[test]
fn restricted_mode_for_overrides_without_open_libs() {
    let mut lua = LuaHealth::new();
    lua.add_override("example.com_Widget", "return {status = 'Healthy', message = tostring(string) .. tostring(math) .. type(table.insert) .. type(require('os').date)}", false);
    let health = lua.assess(&widget()).unwrap().unwrap();
    assert_eq!(health.message, "nilnilfunctionfunction");
}

#[test]
fn globals_do_not_leak_between_evaluations() {
    let mut lua = LuaHealth::new();
    lua.add_script(
        "example.com/Widget",
        "local first = (seen == nil)\nseen = true\nreturn {status = first and 'Healthy' or 'Degraded'}",
    );
    let registry = Registry::empty().with_lua(lua);
    for _ in 0..3 {
        assert_eq!(
            registry.assess(&widget()).unwrap().unwrap().status,
            HealthStatus::Healthy
        );
    }
}

#[test]
fn endless_loops_end_with_unknown() {
    let options = LuaOptions::default().time_limit(Duration::from_millis(200));
    for code in [
        "while true do end",
        "local n = 0 while true do n = n + 1 end",
        "while true do pcall(function() while true do end end) end",
        "local function f() return f() end return f()",
    ] {
        let mut lua = LuaHealth::with_options(options.clone());
        lua.add_script("example.com/Widget", code);
        let health = Registry::empty()
            .with_lua(lua)
            .assess(&widget())
            .unwrap()
            .unwrap();
        assert_eq!(health.status, HealthStatus::Unknown, "{code}");
        assert!(
            health.message.contains("exceeded its budget of 200ms"),
            "{code}: {}",
            health.message
        );
        assert!(
            health.message.contains("example.com/Widget/health.lua"),
            "{}",
            health.message
        );
    }
    let mut lua = LuaHealth::with_options(LuaOptions::default().instruction_limit(10_000));
    lua.add_script(
        "example.com/Widget",
        "for i = 1, 1e7 do end return {status = 'Healthy'}",
    );
    let err = lua.assess(&widget()).unwrap_err().to_string();
    assert!(err.contains("10000 instructions"), "{err}");
}

#[test]
fn memory_limit_ends_with_unknown_and_the_pool_recovers() {
    let mut lua = LuaHealth::with_options(LuaOptions::default().memory_limit(8 * 1024 * 1024));
    lua.add_script(
        "example.com/Widget",
        "if obj.spec.replicas == 2 then local t = {} for i = 1, 1e8 do t[i] = string.rep('x', 64) .. i end end\nreturn {status = 'Healthy'}",
    );
    let registry = Registry::empty().with_lua(lua);
    let health = registry.assess(&widget()).unwrap().unwrap();
    assert_eq!(health.status, HealthStatus::Unknown);
    assert!(
        health
            .message
            .contains("exceeded its memory limit of 8388608 bytes"),
        "{}",
        health.message
    );
    let mut small = widget();
    small["spec"]["replicas"] = json!(1);
    assert_eq!(
        registry.assess(&small).unwrap().unwrap().status,
        HealthStatus::Healthy
    );
}

#[test]
fn concurrent_evaluations_share_one_registry() {
    let mut lua = LuaHealth::new();
    lua.add_script(
        "example.com/Widget",
        "return {status = 'Healthy', message = obj.metadata.name}",
    );
    let registry = Arc::new(Registry::empty().with_lua(lua));
    let threads: Vec<_> = (0..8)
        .map(|t| {
            let registry = Arc::clone(&registry);
            std::thread::spawn(move || {
                for i in 0..50 {
                    let mut w = widget();
                    w["metadata"]["name"] = json!(format!("w-{t}-{i}"));
                    assert_eq!(
                        registry.assess(&w).unwrap().unwrap().message,
                        format!("w-{t}-{i}")
                    );
                }
            })
        })
        .collect();
    for t in threads {
        t.join().unwrap();
    }
}

#[test]
fn validate_reports_syntax_errors() {
    let mut lua = LuaHealth::new();
    lua.add_script("example.com/Widget", "return {status = 'Healthy'}");
    lua.validate().unwrap();
    lua.add_script("example.com/Broken", "if then");
    let err = lua.validate().unwrap_err().to_string();
    assert!(err.starts_with("example.com/Broken/health.lua:1:"), "{err}");
}
