//! Watch streams: newline-delimited JSON `WatchEvent`s over a chunked response, replayed from a
//! resourceVersion, with bookmarks, `sendInitialEvents` and 410 Gone for compacted versions.

use std::{collections::HashMap, convert::Infallible, sync::Arc, time::Duration};

use axum::{
    body::{Body, Bytes},
    http::{HeaderValue, header},
    response::Response,
};
use serde_json::{Value, json};
use tokio::sync::{broadcast::error::RecvError, mpsc};
use tokio_stream::wrappers::ReceiverStream;

use super::{
    App,
    api::{DEFAULT_WATCH_TIMEOUT, ResourceRequest},
    registry::ResourceType,
    selectors::{FieldSelector, LabelSelector},
    status::{ApiError, ApiResult},
    store::{Event, as_version},
    table,
};

struct Filter {
    rt: ResourceType,
    namespace: Option<String>,
    labels: LabelSelector,
    fields: FieldSelector,
    table: bool,
    full_rows: bool,
}

impl Filter {
    fn line(&self, event: &Event) -> Option<String> {
        if event.key.group != self.rt.group
            || event.key.plural != self.rt.plural
            || self
                .namespace
                .as_deref()
                .is_some_and(|ns| ns != event.key.namespace)
            || !self.labels.matches(&event.object)
            || !self.fields.matches(&event.object)
        {
            return None;
        }
        let object = as_version(&event.object, &self.rt);
        let object = if self.table {
            let rv = event.rv.to_string();
            table::table(&[object], &rv, None, self.full_rows)
        } else {
            object
        };
        Some(event_line(event.kind, &object))
    }

    fn bookmark(&self, rv: u64, initial_end: bool) -> String {
        let mut metadata = json!({"resourceVersion": rv.to_string()});
        if initial_end {
            metadata["annotations"] = json!({"k8s.io/initial-events-end": "true"});
        }
        event_line(
            "BOOKMARK",
            &json!({"kind": self.rt.kind, "apiVersion": self.rt.api_version(), "metadata": metadata}),
        )
    }
}

fn event_line(kind: &str, object: &Value) -> String {
    let mut line = json!({"type": kind, "object": object}).to_string();
    line.push('\n');
    line
}

/// Starts a watch response for `request`.
pub(crate) fn start(
    app: &Arc<App>,
    request: &ResourceRequest,
    query: &HashMap<String, String>,
    accept: &str,
    drop_after: Option<usize>,
) -> ApiResult<Response> {
    let filter = Filter {
        rt: request.rt.clone(),
        namespace: request.namespace.clone(),
        labels: LabelSelector::parse(query.get("labelSelector").map_or("", String::as_str))?,
        fields: FieldSelector::parse(query.get("fieldSelector").map_or("", String::as_str))?,
        table: table::wants_table(accept),
        full_rows: query.get("includeObject").is_some_and(|v| v == "Object"),
    };
    let from = match query
        .get("resourceVersion")
        .map(String::as_str)
        .filter(|v| !v.is_empty())
    {
        None => None,
        Some(text) => Some(
            text.parse::<u64>()
                .map_err(|_| ApiError::bad_request(format!("invalid resourceVersion {text:?}")))?,
        ),
    };
    let send_initial = query.get("sendInitialEvents").is_some_and(|v| v == "true");
    let bookmarks = query.get("allowWatchBookmarks").is_some_and(|v| v == "true");
    let timeout = query
        .get("timeoutSeconds")
        .and_then(|t| t.parse::<u64>().ok())
        .map_or(DEFAULT_WATCH_TIMEOUT, Duration::from_secs);
    let (tx, rx) = mpsc::channel::<Result<Bytes, Infallible>>(256);
    let start = app.store.watch(
        &request.rt,
        request.namespace.as_deref(),
        if send_initial { None } else { from },
    );
    let interval = app.bookmark_interval;
    tokio::spawn(async move {
        let start = match start {
            Ok(start) => start,
            Err(gone) => {
                let _ = tx
                    .send(Ok(Bytes::from(event_line("ERROR", &gone.to_status()))))
                    .await;
                return;
            }
        };
        let mut sent = 0_usize;
        let mut last_rv = start.after;
        let limit = drop_after.unwrap_or(usize::MAX);
        let send = |line: String| {
            let tx = tx.clone();
            async move { tx.send(Ok(Bytes::from(line))).await.is_ok() }
        };
        if limit == 0 {
            return;
        }
        for event in &start.initial {
            if let Some(line) = filter.line(event) {
                if !send(line).await {
                    return;
                }
                sent += 1;
                if sent >= limit {
                    return;
                }
            }
        }
        if send_initial && bookmarks && !send(filter.bookmark(last_rv, true)).await {
            return;
        }
        let mut receiver = start.receiver;
        let deadline = tokio::time::sleep(timeout);
        tokio::pin!(deadline);
        let mut ticker = tokio::time::interval(interval);
        ticker.tick().await;
        loop {
            tokio::select! {
                () = &mut deadline => break,
                () = tx.closed() => break,
                _ = ticker.tick(), if bookmarks => {
                    if !send(filter.bookmark(last_rv, false)).await { break }
                }
                received = receiver.recv() => match received {
                    Ok(event) => {
                        if event.rv <= start.after {
                            continue;
                        }
                        last_rv = event.rv;
                        if let Some(line) = filter.line(&event) {
                            if !send(line).await { break }
                            sent += 1;
                            if sent >= limit { break }
                        }
                    }
                    // A lagging watcher is cut off, as the API server does; clients re-watch.
                    Err(RecvError::Lagged(_) | RecvError::Closed) => break,
                },
            }
        }
    });
    let mut response = Response::new(Body::from_stream(ReceiverStream::new(rx)));
    response
        .headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json"));
    Ok(response)
}
