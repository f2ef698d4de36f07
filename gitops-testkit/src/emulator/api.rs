//! HTTP routing: authentication, fault injection, discovery and the resource verbs.

use std::{collections::HashMap, sync::Arc, time::Duration};

use axum::{
    body::{Body, Bytes},
    extract::{Request, State},
    http::{HeaderMap, HeaderValue, Method, StatusCode, header},
    response::Response,
};
use serde_json::{Value, json};

use super::{
    App, discovery,
    faults::FaultAction,
    patch::PatchType,
    registry::ResourceType,
    selectors::{FieldSelector, LabelSelector},
    status::{ApiError, ApiResult, success_status},
    store::{DeleteOptions, WriteOptions, delete::Deleted},
    table, watch,
};

/// Largest request body accepted (bytes).
const BODY_LIMIT: usize = 16 * 1024 * 1024;

/// The one axum handler.
pub(crate) async fn handle(State(app): State<Arc<App>>, request: Request) -> Response {
    let (parts, body) = request.into_parts();
    if let Some(token) = &app.token {
        let expected = format!("Bearer {token}");
        if parts
            .headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            != Some(expected.as_str())
        {
            return error_response(&ApiError::unauthorized());
        }
    }
    let Ok(body) = axum::body::to_bytes(body, BODY_LIMIT).await else {
        return error_response(&ApiError::new(
            413,
            "RequestEntityTooLarge",
            "request body too large",
        ));
    };
    let query: HashMap<String, String> = axum::extract::Query::try_from_uri(&parts.uri)
        .map(|q| q.0)
        .unwrap_or_default();
    let path = parts.uri.path().trim_end_matches('/').to_string();
    let request = match parse(&app, &path, &parts.method, &query) {
        Ok(Route::Resource(r)) => r,
        Ok(Route::Discovery) => return discovery_response(&app, &path, &parts.headers),
        Err(e) => return error_response(&e),
    };
    let mut drop_watch = None;
    if let Some(action) = app.faults.check(request.verb, &request.fault_resource()) {
        match action {
            FaultAction::InternalError => {
                return error_response(&ApiError::new(
                    500,
                    "InternalError",
                    "Internal error occurred: injected fault",
                ));
            }
            FaultAction::TooManyRequests { retry_after } => {
                let mut error = ApiError::new(
                    429,
                    "TooManyRequests",
                    "the server has received too many requests and has asked us to try again later",
                );
                error.retry_after = Some(retry_after);
                return error_response(&error);
            }
            FaultAction::Conflict => {
                return error_response(&ApiError::stale(
                    &request.rt.qualified(),
                    request.name.as_deref().unwrap_or(""),
                ));
            }
            FaultAction::Delay(delay) => tokio::time::sleep(delay).await,
            FaultAction::DropWatch { after_events } => drop_watch = Some(after_events),
        }
    }
    let content_type = parts
        .headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("application/json")
        .to_string();
    let accept = parts
        .headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string();
    let user_agent = parts
        .headers
        .get(header::USER_AGENT)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("unknown")
        .to_string();
    let context = Context {
        query: &query,
        content_type: &content_type,
        accept: &accept,
        user_agent: &user_agent,
    };
    if request.verb == "watch" {
        return match watch::start(&app, &request, &query, &accept, drop_watch) {
            Ok(response) => response,
            Err(e) => error_response(&e),
        };
    }
    match serve(&app, &request, &context, &body) {
        Ok((code, value)) => json_response(code, &value),
        Err(e) => error_response(&e),
    }
}

/// Request facts the verbs need.
struct Context<'a> {
    query: &'a HashMap<String, String>,
    content_type: &'a str,
    accept: &'a str,
    user_agent: &'a str,
}

impl Context<'_> {
    /// The `dryRun` query parameter: absent or empty is false, `All` true, anything else 400.
    fn dry_run(&self) -> ApiResult<bool> {
        self.query
            .get("dryRun")
            .map_or(Ok(false), |value| dry_run_value(value))
    }

    fn write_options(&self, status: bool) -> ApiResult<WriteOptions> {
        let dry_run = self.dry_run()?;
        let manager = match self.query.get("fieldManager") {
            Some(m) => m.clone(),
            None => self.user_agent.split('/').next().unwrap_or("unknown").to_string(),
        };
        let force = self.query.get("force").is_some_and(|f| f == "true");
        Ok(WriteOptions {
            manager,
            dry_run,
            force,
            status,
        })
    }
}

/// One `dryRun` value: empty is false, `All` true, anything else 400 (the only dry-run mode).
fn dry_run_value(value: &str) -> ApiResult<bool> {
    match value {
        "" => Ok(false),
        "All" => Ok(true),
        other => Err(ApiError::bad_request(format!(
            "unsupported dryRun value {other:?}: only All"
        ))),
    }
}

/// A parsed resource request.
#[derive(Debug)]
pub(crate) struct ResourceRequest {
    pub(crate) rt: ResourceType,
    /// `None` for cluster-scoped resources and all-namespace requests.
    pub(crate) namespace: Option<String>,
    pub(crate) name: Option<String>,
    pub(crate) subresource: Option<String>,
    /// The Kubernetes verb.
    pub(crate) verb: &'static str,
}

impl ResourceRequest {
    fn fault_resource(&self) -> String {
        match &self.subresource {
            Some(sub) => format!("{}/{sub}", self.rt.plural),
            None => self.rt.plural.clone(),
        }
    }

    fn namespace(&self) -> &str {
        self.namespace.as_deref().unwrap_or("")
    }
}

enum Route {
    Discovery,
    Resource(Box<ResourceRequest>),
}

fn parse(app: &App, path: &str, method: &Method, query: &HashMap<String, String>) -> ApiResult<Route> {
    let segments: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
    let (group, version, rest) = match segments.as_slice() {
        ["api", "v1", rest @ ..] if !rest.is_empty() => ("", "v1", rest),
        ["apis", group, version, rest @ ..] if !rest.is_empty() => (*group, *version, rest),
        _ => return Ok(Route::Discovery),
    };
    let registry = app.store.registry();
    let namespaced_child = rest.len() >= 3
        && rest[0] == "namespaces"
        && registry
            .by_plural(group, version, rest[2])
            .is_some_and(|t| t.namespaced);
    let (namespace, rest) = if namespaced_child {
        (Some(rest[1].to_string()), &rest[2..])
    } else {
        (None, rest)
    };
    let not_found = || ApiError::no_route(path);
    let rt = registry
        .by_plural(group, version, rest[0])
        .cloned()
        .ok_or_else(not_found)?;
    let name = rest.get(1).map(|s| (*s).to_string());
    let subresource = rest.get(2).map(|s| (*s).to_string());
    if rest.len() > 3
        || subresource
            .as_deref()
            .is_some_and(|s| s != "status" || !rt.status)
    {
        return Err(not_found());
    }
    let watch = query.get("watch").is_some_and(|w| w == "true" || w == "1");
    let verb = match (method.as_str(), name.is_some()) {
        ("GET", true) => "get",
        ("GET", false) if watch => "watch",
        ("GET", false) => "list",
        ("POST", false) => "create",
        ("PUT", true) => "update",
        ("PATCH", true) => "patch",
        ("DELETE", true) => "delete",
        ("DELETE", false) => "deletecollection",
        _ => {
            return Err(ApiError::method_not_allowed(format!(
                "{method} is not supported on {path}"
            )));
        }
    };
    if rt.namespaced && namespace.is_none() && !matches!(verb, "list" | "watch") {
        return Err(not_found());
    }
    Ok(Route::Resource(Box::new(ResourceRequest {
        rt,
        namespace,
        name,
        subresource,
        verb,
    })))
}

fn serve(
    app: &App,
    request: &ResourceRequest,
    context: &Context<'_>,
    body: &Bytes,
) -> ApiResult<(u16, Value)> {
    let rt = &request.rt;
    let name = request.name.as_deref().unwrap_or_default();
    let status = request.subresource.is_some();
    let wants_table = table::wants_table(context.accept);
    let full_rows = context.query.get("includeObject").is_some_and(|v| v == "Object");
    match request.verb {
        "get" => {
            let object = app.store.get(rt, request.namespace(), name)?;
            if wants_table {
                let rv = object
                    .pointer("/metadata/resourceVersion")
                    .and_then(Value::as_str)
                    .unwrap_or("")
                    .to_string();
                return Ok((200, table::table(&[object], &rv, None, full_rows)));
            }
            Ok((200, object))
        }
        "list" => {
            let labels = LabelSelector::parse(context.query.get("labelSelector").map_or("", String::as_str))?;
            let fields = FieldSelector::parse(context.query.get("fieldSelector").map_or("", String::as_str))?;
            let limit = context.query.get("limit").and_then(|l| l.parse().ok());
            let page = app.store.list(
                rt,
                request.namespace.as_deref(),
                &labels,
                &fields,
                limit,
                context
                    .query
                    .get("continue")
                    .map(String::as_str)
                    .filter(|c| !c.is_empty()),
            )?;
            let rv = page.resource_version.to_string();
            if wants_table {
                return Ok((
                    200,
                    table::table(&page.items, &rv, page.continue_token.as_deref(), full_rows),
                ));
            }
            let mut metadata = json!({"resourceVersion": rv});
            if let Some(token) = &page.continue_token {
                metadata["continue"] = json!(token);
                metadata["remainingItemCount"] = json!(page.remaining);
            }
            Ok((
                200,
                json!({"kind": format!("{}List", rt.kind), "apiVersion": rt.api_version(), "metadata": metadata, "items": page.items}),
            ))
        }
        "create" => {
            let object = decode(body, context.content_type)?;
            let namespace = request.namespace.clone().unwrap_or_default();
            let created = app
                .store
                .create(rt, &namespace, object, &context.write_options(false)?)?;
            Ok((201, created))
        }
        "update" => {
            let object = decode(body, context.content_type)?;
            Ok((
                200,
                app.store.update(
                    rt,
                    request.namespace(),
                    name,
                    object,
                    &context.write_options(status)?,
                )?,
            ))
        }
        "patch" => {
            let patch_type = PatchType::from_content_type(context.content_type)
                .ok_or_else(|| ApiError::unsupported_media_type(context.content_type))?;
            let mut options = context.write_options(status)?;
            if patch_type == PatchType::Apply && !context.query.contains_key("fieldManager") {
                options.manager = String::new();
            }
            let (object, created) =
                app.store
                    .patch(rt, request.namespace(), name, patch_type, body, &options)?;
            Ok((if created { 201 } else { 200 }, object))
        }
        "delete" => {
            let options = delete_options(context, body)?;
            match app.store.delete(rt, request.namespace(), name, &options)? {
                Deleted::Gone(object) => {
                    let uid = object
                        .pointer("/metadata/uid")
                        .and_then(Value::as_str)
                        .unwrap_or_default();
                    Ok((200, success_status(&rt.qualified(), name, uid)))
                }
                Deleted::Pending(object) => Ok((200, object)),
            }
        }
        "deletecollection" => {
            let options = delete_options(context, body)?;
            let labels = LabelSelector::parse(context.query.get("labelSelector").map_or("", String::as_str))?;
            let fields = FieldSelector::parse(context.query.get("fieldSelector").map_or("", String::as_str))?;
            let page = app
                .store
                .list(rt, request.namespace.as_deref(), &labels, &fields, None, None)?;
            let keys: Vec<(String, String)> = page
                .items
                .iter()
                .map(|o| {
                    let text = |p: &str| {
                        o.pointer(p)
                            .and_then(Value::as_str)
                            .unwrap_or_default()
                            .to_string()
                    };
                    (text("/metadata/namespace"), text("/metadata/name"))
                })
                .collect();
            let items = app.store.delete_many(rt, &keys, &options);
            Ok((
                200,
                json!({"kind": format!("{}List", rt.kind), "apiVersion": rt.api_version(), "metadata": {"resourceVersion": app.store.resource_version().to_string()}, "items": items}),
            ))
        }
        _ => Err(ApiError::method_not_allowed(request.verb.to_string())),
    }
}

fn delete_options(context: &Context<'_>, body: &Bytes) -> ApiResult<DeleteOptions> {
    let mut options = DeleteOptions {
        dry_run: context.dry_run()?,
        propagation: context.query.get("propagationPolicy").cloned(),
        ..DeleteOptions::default()
    };
    if !body.is_empty() {
        let value: Value = serde_json::from_slice(body)
            .map_err(|e| ApiError::bad_request(format!("invalid DeleteOptions: {e}")))?;
        if let Some(p) = value.get("propagationPolicy").and_then(Value::as_str) {
            options.propagation = Some(p.to_string());
        }
        if let Some(values) = value.get("dryRun").and_then(Value::as_array) {
            for value in values {
                options.dry_run |= dry_run_value(value.as_str().unwrap_or("<not a string>"))?;
            }
        }
        if value.get("orphanDependents") == Some(&json!(true)) {
            options.propagation = Some("Orphan".into());
        }
        options.uid = value
            .pointer("/preconditions/uid")
            .and_then(Value::as_str)
            .map(String::from);
        options.resource_version = value
            .pointer("/preconditions/resourceVersion")
            .and_then(Value::as_str)
            .map(String::from);
    }
    if let Some(p) = &options.propagation
        && !matches!(p.as_str(), "Orphan" | "Background" | "Foreground")
    {
        return Err(ApiError::bad_request(format!(
            "unsupported propagationPolicy {p:?}"
        )));
    }
    Ok(options)
}

/// Decodes a JSON (or YAML) request body; malformed bodies are 400, other media types 415.
fn decode(body: &Bytes, content_type: &str) -> ApiResult<Value> {
    let essence = content_type.split(';').next().unwrap_or("").trim();
    let value: Value = match essence {
        "application/json" | "" | "*/*" => serde_json::from_slice(body)
            .map_err(|e| ApiError::bad_request(format!("error decoding JSON body: {e}")))?,
        "application/yaml" => {
            let text = std::str::from_utf8(body).map_err(|_| ApiError::bad_request("body is not UTF-8"))?;
            serde_saphyr::from_str(text)
                .map_err(|e| ApiError::bad_request(format!("error decoding YAML body: {e}")))?
        }
        other => return Err(ApiError::unsupported_media_type(other)),
    };
    if value.is_object() {
        Ok(value)
    } else {
        Err(ApiError::bad_request("the body of the request must be an object"))
    }
}

fn discovery_response(app: &App, path: &str, headers: &HeaderMap) -> Response {
    let accept = headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let aggregated = accept
        .split(',')
        .find(|a| a.contains("as=APIGroupDiscoveryList") && a.contains("v=v2") && !a.contains("v2beta1"));
    let registry = app.store.registry();
    let segments: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
    let found = match segments.as_slice() {
        ["version"] => Some(discovery::version()),
        ["healthz" | "livez" | "readyz"] => {
            let mut response = Response::new(Body::from("ok"));
            response
                .headers_mut()
                .insert(header::CONTENT_TYPE, HeaderValue::from_static("text/plain"));
            return response;
        }
        ["api" | "apis"] if aggregated.is_some() => {
            let value = discovery::aggregated(&registry, segments == ["api"]);
            let mut response = json_response(200, &value);
            response.headers_mut().insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static(
                    "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList",
                ),
            );
            return response;
        }
        ["api"] => Some(discovery::core_versions(&app.address)),
        ["apis"] => Some(discovery::group_list(&registry)),
        ["api", version] => discovery::resource_list(&registry, "", version),
        ["apis", group] => discovery::group(&registry, group),
        ["apis", group, version] => discovery::resource_list(&registry, group, version),
        ["openapi", "v3"] => Some(discovery::openapi_index(&registry, registry.fingerprint())),
        ["openapi", "v3", "api", version] => discovery::openapi_document(&registry, "", version),
        ["openapi", "v3", "apis", group, version] => discovery::openapi_document(&registry, group, version),
        _ => None,
    };
    match found {
        Some(value) => json_response(200, &value),
        None => error_response(&ApiError::no_route(path)),
    }
}

pub(crate) fn json_response(code: u16, value: &Value) -> Response {
    let mut response = Response::new(Body::from(value.to_string()));
    *response.status_mut() = StatusCode::from_u16(code).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    response
        .headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json"));
    response
}

pub(crate) fn error_response(error: &ApiError) -> Response {
    let mut response = json_response(error.code, &error.to_status());
    if let Some(seconds) = error.retry_after
        && let Ok(value) = HeaderValue::from_str(&seconds.to_string())
    {
        response.headers_mut().insert(header::RETRY_AFTER, value);
    }
    response
}

/// Bookmark and idle interval of watches without their own `timeoutSeconds`.
pub(crate) const DEFAULT_WATCH_TIMEOUT: Duration = Duration::from_secs(1800);
