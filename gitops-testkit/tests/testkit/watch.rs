//! Watches: events, resume from a resourceVersion, bookmarks, 410 Gone, dropped connections.

use std::time::Duration;

use futures::{StreamExt as _, TryStreamExt as _};
use gitops_testkit::emulator::{Emulator, EmulatorOptions, FaultAction, FaultRule};
use k8s_openapi::api::core::v1::ConfigMap;
use kube::{
    Api,
    api::{PostParams, WatchEvent, WatchParams},
    runtime::{WatchStreamExt as _, watcher},
};
use serde_json::json;

use crate::emulator;

fn config_map(name: &str) -> ConfigMap {
    serde_json::from_value(json!({"metadata": {"name": name}})).unwrap()
}

#[tokio::test(flavor = "multi_thread")]
async fn watch_replays_from_a_resource_version_and_sends_bookmarks() {
    let emulator =
        Emulator::start(EmulatorOptions::default().bookmark_interval(Duration::from_millis(100))).unwrap();
    let maps: Api<ConfigMap> = Api::default_namespaced(emulator.client().unwrap());
    let first = maps
        .create(&PostParams::default(), &config_map("one"))
        .await
        .unwrap();
    let from = first.metadata.resource_version.unwrap();
    maps.create(&PostParams::default(), &config_map("two"))
        .await
        .unwrap();
    let params = WatchParams::default().timeout(5);
    let mut stream = maps.watch(&params, &from).await.unwrap().boxed();
    match stream.try_next().await.unwrap().unwrap() {
        WatchEvent::Added(cm) => assert_eq!(cm.metadata.name.as_deref(), Some("two")),
        other => panic!("expected ADDED two, got {other:?}"),
    }
    maps.create(&PostParams::default(), &config_map("three"))
        .await
        .unwrap();
    let mut saw_three = false;
    let mut saw_bookmark = false;
    while let Some(event) = tokio::time::timeout(Duration::from_secs(5), stream.try_next())
        .await
        .unwrap()
        .unwrap()
    {
        match event {
            WatchEvent::Added(cm) if cm.metadata.name.as_deref() == Some("three") => saw_three = true,
            WatchEvent::Bookmark(_) => saw_bookmark = true,
            _ => {}
        }
        if saw_three && saw_bookmark {
            break;
        }
    }
    assert!(saw_three && saw_bookmark);
}

#[tokio::test(flavor = "multi_thread")]
async fn compacted_versions_get_410_gone() {
    let emulator = emulator();
    let maps: Api<ConfigMap> = Api::default_namespaced(emulator.client().unwrap());
    let old = maps
        .create(&PostParams::default(), &config_map("old"))
        .await
        .unwrap();
    maps.create(&PostParams::default(), &config_map("newer"))
        .await
        .unwrap();
    // The event of "newer" is forgotten: resuming after "old" is impossible.
    emulator.compact();
    let mut stream = maps
        .watch(
            &WatchParams::default().timeout(5),
            &old.metadata.resource_version.unwrap(),
        )
        .await
        .unwrap()
        .boxed();
    match stream.try_next().await.unwrap().unwrap() {
        WatchEvent::Error(status) => {
            assert_eq!(status.code, 410);
            assert_eq!(status.reason, "Expired");
        }
        other => panic!("expected a 410 ERROR event, got {other:?}"),
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn kube_watcher_survives_dropped_watches() {
    let emulator = emulator();
    let maps: Api<ConfigMap> = Api::default_namespaced(emulator.client().unwrap());
    // Every watch connection is cut after one event; the watcher re-watches and still sees all.
    emulator.inject(
        FaultRule::new(FaultAction::DropWatch { after_events: 1 })
            .verb("watch")
            .times(3),
    );
    let mut names = watcher(maps.clone(), watcher::Config::default())
        .applied_objects()
        .boxed();
    let writer = maps.clone();
    tokio::spawn(async move {
        for name in ["a", "b", "c"] {
            tokio::time::sleep(Duration::from_millis(100)).await;
            writer
                .create(&PostParams::default(), &config_map(name))
                .await
                .unwrap();
        }
    });
    let mut seen = std::collections::BTreeSet::new();
    while seen.len() < 3 {
        let cm = tokio::time::timeout(Duration::from_secs(10), names.try_next())
            .await
            .unwrap()
            .unwrap()
            .unwrap();
        seen.insert(cm.metadata.name.unwrap());
    }
    assert_eq!(seen.into_iter().collect::<Vec<_>>(), ["a", "b", "c"]);
    assert_eq!(emulator.fault_hits(), 3, "every one of the three watches was cut");
}
