//! jq path expressions of ignore rules, run with jaq (pure Rust) as Argo CD runs them with gojq:
//! the object becomes `del(EXPRESSION)`, within a time budget.

use std::{sync::mpsc, thread, time::Duration};

use jaq_core::{
    Compiler, Ctx, Vars, data,
    load::{Arena, File, Loader},
    unwrap_valr,
};
use jaq_json::Val;
use serde_json::Value;

use crate::Error;

/// Checks that `expression` compiles as a jq filter.
///
/// # Errors
/// [`Error::InvalidJq`] with the parser's or compiler's complaint.
pub(crate) fn check(expression: &str) -> Result<(), Error> {
    compile_and_run(expression, &format!("del({expression})"), None).map(|_| ())
}

/// `del(expression)` applied to `object`, within `budget`.
///
/// The filter runs on a worker thread; when the budget runs out the object is left unchanged and
/// [`Error::JqTimeout`] returned (the worker then finishes on its own, as jq has no cancellation
/// points: an expression that never ends keeps its thread busy).
///
/// # Errors
/// [`Error::InvalidJq`] when the expression does not compile or fails at run time (e.g. iterating
/// over a string), [`Error::JqTimeout`] when it runs out of time.
pub(crate) fn delete(object: &mut Value, expression: &str, budget: Duration) -> Result<(), Error> {
    if let Some(result) = run(object, expression, format!("del({expression})"), budget)? {
        *object = result;
    }
    Ok(())
}

/// The paths (`path(expression)`) the expression selects in `object`, as lists of keys and
/// indexes, within `budget`.
///
/// # Errors
/// As [`delete`].
pub(crate) fn paths(object: &Value, expression: &str, budget: Duration) -> Result<Vec<Vec<Value>>, Error> {
    let result = run(object, expression, format!("[path({expression})]"), budget)?;
    Ok(result
        .and_then(|v| match v {
            Value::Array(items) => Some(items.into_iter().filter_map(|p| p.as_array().cloned()).collect()),
            _ => None,
        })
        .unwrap_or_default())
}

fn run(object: &Value, expression: &str, code: String, budget: Duration) -> Result<Option<Value>, Error> {
    let text = object.to_string();
    let (sender, receiver) = mpsc::channel();
    let expr = expression.to_owned();
    thread::Builder::new()
        .name("gitops-diff-jq".into())
        .spawn(move || {
            let _ = sender.send(compile_and_run(&expr, &code, Some(&text)));
        })
        .map_err(|e| Error::InvalidJq {
            expression: expression.to_owned(),
            reason: format!("cannot start a jq worker: {e}"),
        })?;
    match receiver.recv_timeout(budget) {
        Ok(result) => result,
        Err(mpsc::RecvTimeoutError::Disconnected) => Err(Error::InvalidJq {
            expression: expression.to_owned(),
            reason: "the jq worker stopped".into(),
        }),
        Err(mpsc::RecvTimeoutError::Timeout) => Err(Error::JqTimeout {
            expression: expression.to_owned(),
            budget_ms: u64::try_from(budget.as_millis()).unwrap_or(u64::MAX),
            object: crate::diff::describe(object),
        }),
    }
}

fn compile_and_run(expression: &str, code: &str, input: Option<&str>) -> Result<Option<Value>, Error> {
    let invalid = |reason: String| Error::InvalidJq {
        expression: expression.to_owned(),
        reason,
    };
    let program = File { code, path: () };
    let defs = jaq_core::defs().chain(jaq_std::defs()).chain(jaq_json::defs());
    let funs = jaq_core::funs().chain(jaq_std::funs()).chain(jaq_json::funs());
    let loader = Loader::new(defs);
    let arena = Arena::default();
    let modules = loader
        .load(&arena, program)
        .map_err(|errs| invalid(format!("{} parse error(s)", errs.len())))?;
    let filter = Compiler::default()
        .with_funs(funs)
        .compile(modules)
        .map_err(|errs| invalid(format!("{} compile error(s)", errs.len())))?;
    let Some(input) = input else { return Ok(None) };
    let value = jaq_json::read::parse_single(input.as_bytes()).map_err(|e| invalid(e.to_string()))?;
    let ctx = Ctx::<data::JustLut<Val>>::new(&filter.lut, Vars::new([]));
    let mut out = filter.id.run((ctx, value)).map(unwrap_valr);
    match out.next() {
        Some(Ok(v)) => serde_json::from_str(&v.to_string())
            .map(Some)
            .map_err(|e| invalid(e.to_string())),
        Some(Err(e)) => Err(invalid(e.to_string())),
        None => Ok(None),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn deletes_selected_paths() {
        let mut v =
            json!({"spec": {"containers": [{"name": "a", "image": "x"}, {"name": "b", "image": "y"}]}});
        delete(
            &mut v,
            r#".spec.containers[] | select(.name == "a") | .image"#,
            Duration::from_secs(5),
        )
        .unwrap();
        assert_eq!(
            v,
            json!({"spec": {"containers": [{"name": "a"}, {"name": "b", "image": "y"}]}})
        );
        let p = paths(&v, ".spec.containers[1].image", Duration::from_secs(5)).unwrap();
        assert_eq!(
            p,
            vec![vec![json!("spec"), json!("containers"), json!(1), json!("image")]]
        );
    }

    #[test]
    fn bad_expressions_and_timeouts_are_errors() {
        assert!(matches!(check(".spec[[["), Err(Error::InvalidJq { .. })));
        let mut v = json!({"a": 1});
        let slow = ".a | select((reduce range(3000000) as $i (0; . + 1)) > 0)";
        assert!(matches!(
            delete(&mut v, slow, Duration::from_millis(50)),
            Err(Error::JqTimeout { .. })
        ));
        assert_eq!(v, json!({"a": 1}));
    }
}
