//! Resource tracking: marking desired objects as owned by an application, and recognising live
//! objects that are.
//!
//! Argo CD's three methods ([`TrackingMethod`]):
//! - **label**: label [`app.kubernetes.io/instance`](crate::annotations::INSTANCE_LABEL) (or a
//!   configured key) `= <app>`. Simple, but tools such as Helm charts set the same label, and
//!   label values are limited to 63 characters.
//! - **annotation**: annotation
//!   [`argocd.argoproj.io/tracking-id`](crate::annotations::TRACKING_ID)
//!   `= <app>:<group>/<kind>:<namespace>/<name>` ([`TrackingId`]). A live object is ours only if
//!   the id names our application *and* the object itself, so a copied object (same annotations,
//!   other name) is not claimed.
//! - **annotation+label**: writes both, decides by the annotation.
//!
//! [`TrackingMethod::default`] is `Label`, the default of Argo CD before 3.0 and the one the
//! instance label key is named after; Argo CD 3.0 switched its default to `Annotation`, so set
//! the method explicitly to match a given installation.
//!
//! ```
//! use gitops_core::{Manifest, tracking::{Tracking, TrackingMethod}};
//! let mut m = Manifest::from_value(serde_json::json!({
//!     "apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web", "namespace": "shop"},
//! }))?;
//! let tracking = Tracking::new(TrackingMethod::Annotation);
//! tracking.write("guestbook", &mut m)?;
//! assert_eq!(m.annotation("argocd.argoproj.io/tracking-id"),
//!            Some("guestbook:apps/Deployment:shop/web"));
//! assert!(tracking.is_ours("guestbook", &m));
//! assert!(!tracking.is_ours("other", m.as_value()));
//! # Ok::<(), gitops_core::Error>(())
//! ```

use std::{fmt, str::FromStr};

use serde_json::Value;

use crate::{
    Error, Manifest,
    annotations::{INSTANCE_LABEL, TRACKING_ID},
};

/// How ownership is recorded on objects (Argo CD's `application.resourceTrackingMethod`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub enum TrackingMethod {
    /// `label`: the instance label holds the application name.
    #[default]
    Label,
    /// `annotation`: `argocd.argoproj.io/tracking-id` holds a [`TrackingId`].
    Annotation,
    /// `annotation+label`: both are written; the annotation decides.
    AnnotationAndLabel,
}

impl TrackingMethod {
    /// Argo CD's spelling: `label`, `annotation`, `annotation+label`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Label => "label",
            Self::Annotation => "annotation",
            Self::AnnotationAndLabel => "annotation+label",
        }
    }

    fn writes_label(self) -> bool {
        matches!(self, Self::Label | Self::AnnotationAndLabel)
    }

    fn uses_annotation(self) -> bool {
        matches!(self, Self::Annotation | Self::AnnotationAndLabel)
    }
}

impl FromStr for TrackingMethod {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "label" => Ok(Self::Label),
            "annotation" => Ok(Self::Annotation),
            "annotation+label" => Ok(Self::AnnotationAndLabel),
            _ => Err(Error::InvalidValue {
                expected: "label, annotation or annotation+label",
                value: s.to_owned(),
            }),
        }
    }
}

impl fmt::Display for TrackingMethod {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The value of `argocd.argoproj.io/tracking-id`: `<app>:<group>/<kind>:<namespace>/<name>`,
/// with an empty group for the core group and an empty namespace for cluster-scoped objects.
///
/// The application part may itself contain `_` (Argo CD writes `<namespace>_<app>` for
/// Applications outside its own namespace) but no `:`.
///
/// ```
/// use gitops_core::tracking::TrackingId;
/// let id: TrackingId = "guestbook:/Service:default/web".parse().unwrap();
/// assert_eq!(id.group, "");
/// assert_eq!(id.to_string(), "guestbook:/Service:default/web");
/// assert!("guestbook:Service:default/web".parse::<TrackingId>().is_err());
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct TrackingId {
    /// Application name.
    pub app: String,
    /// API group of the object, `""` for the core group.
    pub group: String,
    /// Kind of the object.
    pub kind: String,
    /// Namespace of the object, `""` for none.
    pub namespace: String,
    /// Name of the object.
    pub name: String,
}

impl TrackingId {
    /// The id of `manifest` for application `app`.
    pub fn for_manifest(app: &str, manifest: &Manifest) -> Self {
        Self {
            app: app.to_owned(),
            group: manifest.gvk().group.clone(),
            kind: manifest.gvk().kind.clone(),
            namespace: manifest.namespace().unwrap_or("").to_owned(),
            name: manifest.name().to_owned(),
        }
    }

    /// Whether the id names this object (group, kind, namespace and name of `object`). A
    /// cluster-scoped object matches an id with an empty namespace.
    pub fn refers_to(&self, object: &Value) -> bool {
        let s = |p: &str| object.pointer(p).and_then(Value::as_str).unwrap_or("");
        let group = s("/apiVersion").rsplit_once('/').map_or("", |(g, _)| g);
        group == self.group
            && s("/kind") == self.kind
            && s("/metadata/namespace") == self.namespace
            && s("/metadata/name") == self.name
    }
}

impl fmt::Display for TrackingId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}:{}/{}:{}/{}",
            self.app, self.group, self.kind, self.namespace, self.name
        )
    }
}

impl FromStr for TrackingId {
    type Err = Error;

    /// Parses as Argo CD's `ParseAppInstanceValue`: exactly three `:`-separated parts, the second
    /// and third each exactly two `/`-separated parts; app, kind and name non-empty.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let bad = || Error::InvalidTrackingId { value: s.to_owned() };
        let parts: Vec<&str> = s.split(':').collect();
        let [app, group_kind, namespace_name] = parts.as_slice() else {
            return Err(bad());
        };
        let (Some((group, kind)), Some((namespace, name))) =
            (group_kind.split_once('/'), namespace_name.split_once('/'))
        else {
            return Err(bad());
        };
        if app.is_empty() || kind.is_empty() || name.is_empty() || kind.contains('/') || name.contains('/') {
            return Err(bad());
        }
        Ok(Self {
            app: (*app).to_owned(),
            group: group.to_owned(),
            kind: kind.to_owned(),
            namespace: namespace.to_owned(),
            name: name.to_owned(),
        })
    }
}

/// A tracking configuration: the method and the label key (default
/// [`app.kubernetes.io/instance`](INSTANCE_LABEL)).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tracking {
    method: TrackingMethod,
    label: String,
}

impl Default for Tracking {
    fn default() -> Self {
        Self::new(TrackingMethod::default())
    }
}

impl Tracking {
    /// A tracking configuration with the default label key.
    pub fn new(method: TrackingMethod) -> Self {
        Self {
            method,
            label: INSTANCE_LABEL.to_owned(),
        }
    }

    /// Uses another label key (Argo CD's `application.instanceLabelKey`).
    #[must_use]
    pub fn label_key(mut self, key: impl Into<String>) -> Self {
        self.label = key.into();
        self
    }

    /// The method.
    pub fn method(&self) -> TrackingMethod {
        self.method
    }

    /// Marks a desired object as owned by `app`: sets the label and/or the tracking-id
    /// annotation, per the method.
    ///
    /// # Errors
    /// [`Error::AppNameTooLongForLabel`] when the method writes the label and `app` is longer than
    /// 63 characters (a label value limit), as Argo CD refuses it.
    pub fn write(&self, app: &str, manifest: &mut Manifest) -> Result<(), Error> {
        if self.method.writes_label() {
            if app.len() > 63 {
                return Err(Error::AppNameTooLongForLabel {
                    app: app.to_owned(),
                    label: self.label.clone(),
                });
            }
            manifest.set_label(&self.label, app);
        }
        if self.method.uses_annotation() {
            let id = TrackingId::for_manifest(app, manifest).to_string();
            manifest.set_annotation(TRACKING_ID, &id);
        }
        Ok(())
    }

    /// The application that owns a live object, if any: the label value (label method), or the
    /// application of a tracking id that parses and [refers to](TrackingId::refers_to) the object
    /// itself (annotation methods).
    pub fn owner<'a>(&self, live: impl Into<&'a Value>) -> Option<String> {
        let live = live.into();
        if self.method.uses_annotation() {
            let id: TrackingId = live
                .pointer("/metadata/annotations")?
                .get(TRACKING_ID)?
                .as_str()?
                .parse()
                .ok()?;
            return id.refers_to(live).then_some(id.app);
        }
        let value = live.pointer("/metadata/labels")?.get(&self.label)?.as_str()?;
        (!value.is_empty()).then(|| value.to_owned())
    }

    /// A label selector (`key=value`) that every object owned by `app` matches, for listing
    /// and watching managed objects with server-side filtering: `Some` for the methods that write
    /// the label ([`TrackingMethod::Label`], [`TrackingMethod::AnnotationAndLabel`]; with the
    /// latter it is a pre-filter and [`Tracking::is_ours`] still decides), `None` for
    /// [`TrackingMethod::Annotation`], where ownership is not visible to a label selector.
    ///
    /// ```
    /// use gitops_core::tracking::{Tracking, TrackingMethod};
    /// assert_eq!(Tracking::default().label_selector("guestbook").as_deref(),
    ///            Some("app.kubernetes.io/instance=guestbook"));
    /// assert_eq!(Tracking::new(TrackingMethod::Annotation).label_selector("guestbook"), None);
    /// ```
    pub fn label_selector(&self, app: &str) -> Option<String> {
        self.method
            .writes_label()
            .then(|| format!("{}={app}", self.label))
    }

    /// Whether `live` (a `&serde_json::Value` or a `&Manifest`) is owned by `app`.
    pub fn is_ours<'a>(&self, app: &str, live: impl Into<&'a Value>) -> bool {
        self.owner(live).as_deref() == Some(app)
    }

    /// The tracking id written on an object, if it has a parseable one.
    pub fn tracking_id<'a>(live: impl Into<&'a Value>) -> Option<TrackingId> {
        live.into()
            .pointer("/metadata/annotations")?
            .get(TRACKING_ID)?
            .as_str()?
            .parse()
            .ok()
    }
}

impl<'a> From<&'a Manifest> for &'a Value {
    fn from(manifest: &'a Manifest) -> Self {
        manifest.as_value()
    }
}
