use gitops_core::tracking::{Tracking, TrackingId, TrackingMethod};

use super::object;

#[test]
fn label_tracking_writes_and_reads_the_instance_label() {
    let mut m = object("v1", "ConfigMap", Some("x"), "c", &[]);
    let t = Tracking::default();
    assert_eq!(t.method(), TrackingMethod::Label);
    t.write("guestbook", &mut m).unwrap();
    assert_eq!(m.label("app.kubernetes.io/instance"), Some("guestbook"));
    assert!(t.is_ours("guestbook", &m));
    assert!(!t.is_ours("other", &m));
    assert_eq!(m.annotation("argocd.argoproj.io/tracking-id"), None);
    let custom = Tracking::new(TrackingMethod::Label).label_key("example.com/app");
    assert!(!custom.is_ours("guestbook", &m));
    assert!(t.write(&"a".repeat(64), &mut m).is_err());
}

#[test]
fn annotation_tracking_rejects_copied_objects() {
    let mut m = object("apps/v1", "Deployment", Some("x"), "web", &[]);
    let t = Tracking::new(TrackingMethod::AnnotationAndLabel);
    t.write("guestbook", &mut m).unwrap();
    assert_eq!(m.label("app.kubernetes.io/instance"), Some("guestbook"));
    assert_eq!(
        m.annotation("argocd.argoproj.io/tracking-id"),
        Some("guestbook:apps/Deployment:x/web")
    );
    assert_eq!(t.owner(&m).as_deref(), Some("guestbook"));
    // A copy under another name keeps the annotation but is not ours.
    let mut copy = m.as_value().clone();
    copy["metadata"]["name"] = "web-copy".into();
    assert!(!t.is_ours("guestbook", &copy));
    // With annotation tracking, the label alone is not enough.
    let mut labelled = object("apps/v1", "Deployment", Some("x"), "web", &[]);
    Tracking::default().write("guestbook", &mut labelled).unwrap();
    assert!(!t.is_ours("guestbook", &labelled));
}

#[test]
fn tracking_ids_round_trip_and_reject_malformed_values() {
    let m = object("rbac.authorization.k8s.io/v1", "ClusterRole", None, "admin", &[]);
    let id = TrackingId::for_manifest("argocd_guestbook", &m);
    assert_eq!(
        id.to_string(),
        "argocd_guestbook:rbac.authorization.k8s.io/ClusterRole:/admin"
    );
    assert_eq!(id.to_string().parse::<TrackingId>().unwrap(), id);
    assert!(id.refers_to(m.as_value()));
    for bad in [
        "",
        "app",
        "app:/Kind",
        "app:Kind:ns/name",
        "app:/Kind:name",
        "a:b:/K:ns/n",
        ":/K:ns/n",
        "app:g/K:ns/",
    ] {
        assert!(bad.parse::<TrackingId>().is_err(), "{bad:?}");
    }
    assert_eq!(
        "annotation+label".parse::<TrackingMethod>().unwrap(),
        TrackingMethod::AnnotationAndLabel
    );
    assert!("labels".parse::<TrackingMethod>().is_err());
}
