//! The [`Applier`] trait: what the sync engine needs from a cluster.

use async_trait::async_trait;
use gitops_core::{GroupVersionKind, annotations::PropagationPolicy};
use serde_json::Value;

use crate::{Error, Result};

/// The kind and key of an object to create: `metadata.name`, or `metadata.generateName` (the
/// prefix, for messages) when the server is to choose the name.
pub(crate) fn create_target(object: &Value) -> Result<(GroupVersionKind, gitops_core::ResourceKey, bool)> {
    let text = |p: &str| object.pointer(p).and_then(Value::as_str).unwrap_or_default();
    let placeholder = |message: String| Error::Invalid {
        key: gitops_core::ResourceKey::new("", text("/kind"), None, ""),
        message,
    };
    let gvk = GroupVersionKind::from_api_version(text("/apiVersion"), text("/kind"))
        .map_err(|e| placeholder(format!("cannot create: {e}")))?;
    let (name, generated) = match (text("/metadata/name"), text("/metadata/generateName")) {
        ("", "") => {
            return Err(placeholder(
                "cannot create: metadata.name or metadata.generateName is required".into(),
            ));
        }
        ("", prefix) => (prefix, true),
        (name, _) => (name, false),
    };
    let namespace = Some(text("/metadata/namespace")).filter(|n| !n.is_empty());
    let key = gitops_core::ResourceKey::new(gvk.group.clone(), gvk.kind.clone(), namespace, name);
    Ok((gvk, key, generated))
}

/// How a cluster serves one kind, as API discovery reports it.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct ApiResource {
    /// The served group, version and kind.
    pub gvk: GroupVersionKind,
    /// The resource (plural) name used in URLs, e.g. `deployments`.
    pub plural: String,
    /// Whether objects of this kind live in a namespace.
    pub namespaced: bool,
}

impl ApiResource {
    /// Describes a served kind.
    pub fn new(gvk: GroupVersionKind, plural: impl Into<String>, namespaced: bool) -> Self {
        Self {
            gvk,
            plural: plural.into(),
            namespaced,
        }
    }
}

/// Options of one server-side apply.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ApplyOptions {
    /// The field manager that will own the applied fields. Default `gitops-rs`.
    pub field_manager: String,
    /// Take ownership of fields other managers own (`--force-conflicts`). Default `false`.
    pub force: bool,
    /// Compute the result without persisting it (`dryRun=All`). Default `false`.
    pub dry_run: bool,
    /// Reject unknown or duplicate fields (`fieldValidation=Strict`, the kubectl default);
    /// `false` is Argo CD's `Validate=false` (`fieldValidation=Ignore`). Default `true`.
    pub validate: bool,
}

impl Default for ApplyOptions {
    fn default() -> Self {
        Self {
            field_manager: crate::DEFAULT_FIELD_MANAGER.to_owned(),
            force: false,
            dry_run: false,
            validate: true,
        }
    }
}

impl ApplyOptions {
    /// Sets [`ApplyOptions::field_manager`].
    #[must_use]
    pub fn field_manager(mut self, manager: impl Into<String>) -> Self {
        self.field_manager = manager.into();
        self
    }

    /// Sets [`ApplyOptions::force`].
    #[must_use]
    pub fn force(mut self, force: bool) -> Self {
        self.force = force;
        self
    }

    /// Sets [`ApplyOptions::dry_run`].
    #[must_use]
    pub fn dry_run(mut self, dry_run: bool) -> Self {
        self.dry_run = dry_run;
        self
    }

    /// Sets [`ApplyOptions::validate`].
    #[must_use]
    pub fn validate(mut self, validate: bool) -> Self {
        self.validate = validate;
        self
    }
}

/// Options of one delete.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct DeleteOptions {
    /// Compute the result without deleting (`dryRun=All`).
    pub dry_run: bool,
    /// `propagationPolicy` of the delete; `None` takes the backend's default (`KubeApplier`:
    /// its `delete_propagation` option, Background unless set). The in-memory cluster removes the
    /// object at once whatever the policy: its simulated controllers create no dependents.
    pub propagation: Option<PropagationPolicy>,
}

impl DeleteOptions {
    /// Sets [`DeleteOptions::dry_run`].
    #[must_use]
    pub fn dry_run(mut self, dry_run: bool) -> Self {
        self.dry_run = dry_run;
        self
    }

    /// Sets [`DeleteOptions::propagation`].
    #[must_use]
    pub fn propagation(mut self, policy: Option<PropagationPolicy>) -> Self {
        self.propagation = policy;
        self
    }
}

/// A Kubernetes cluster as the sync engine sees it: discovery, reads, server-side apply and
/// delete. Object-safe (`&dyn Applier`); implementations are [`InMemoryCluster`](crate::InMemoryCluster)
/// (a simulation) and, with a real API server, a kube-rs backend.
///
/// Objects are plain JSON (`serde_json::Value`) as the API server sends them, so any kind,
/// including custom resources, passes through unchanged.
#[async_trait]
pub trait Applier: Send + Sync + std::fmt::Debug {
    /// Discovery: how the cluster serves `gvk`.
    ///
    /// # Errors
    /// [`Error::UnknownKind`](crate::Error::UnknownKind) when it is not served.
    async fn api_resource(&self, gvk: &GroupVersionKind) -> Result<ApiResource>;

    /// Discovery: every kind the cluster serves that supports list and delete, one entry per
    /// group and kind (the preferred version).
    async fn api_resources(&self) -> Result<Vec<ApiResource>>;

    /// Reads one object; `Ok(None)` when it does not exist. `namespace` is `None` for
    /// cluster-scoped kinds.
    async fn get(&self, gvk: &GroupVersionKind, namespace: Option<&str>, name: &str)
    -> Result<Option<Value>>;

    /// Lists objects of one kind, in every namespace when `namespace` is `None`, filtered by an
    /// equality-based label selector (`key=value,key2=value2`, `key`, `!key`, `key!=value`) when
    /// given. The result is ordered by namespace and name.
    async fn list(
        &self,
        gvk: &GroupVersionKind,
        namespace: Option<&str>,
        label_selector: Option<&str>,
    ) -> Result<Vec<Value>>;

    /// Server-side apply of `object` (a full manifest with apiVersion, kind, metadata.name and,
    /// for namespaced kinds, metadata.namespace). Returns the live object after the apply.
    ///
    /// # Errors
    /// [`Error::Conflict`](crate::Error::Conflict) when other managers own fields with different
    /// values and `options.force` is false; [`Error::NamespaceNotFound`](crate::Error::NamespaceNotFound);
    /// [`Error::Invalid`](crate::Error::Invalid).
    async fn apply(&self, object: &Value, options: &ApplyOptions) -> Result<Value>;

    /// Creates one object (HTTP POST, as `kubectl create`) and returns it as stored. An object
    /// with `metadata.generateName` and no `metadata.name` gets a name chosen by the server
    /// (`generateName` plus 5 random characters, as the API server does). `options.field_manager`
    /// records an Update entry; `options.dry_run` and `options.validate` apply; `options.force`
    /// is ignored.
    ///
    /// # Errors
    /// [`Error::AlreadyExists`](crate::Error::AlreadyExists) when an object of that name
    /// exists; [`Error::NamespaceNotFound`](crate::Error::NamespaceNotFound);
    /// [`Error::Invalid`](crate::Error::Invalid) (e.g. neither name nor generateName).
    async fn create(&self, object: &Value, options: &ApplyOptions) -> Result<Value>;

    /// Replaces one object (HTTP PUT, as `kubectl replace`), creating it when absent. The
    /// object's fields become exactly `object`'s (plus server-populated metadata and status);
    /// `options.field_manager` records an Update. Used for Argo CD's `Replace=true`.
    ///
    /// # Errors
    /// [`Error::Invalid`](crate::Error::Invalid) for immutable field changes (e.g. a Job's
    /// template), [`Error::NamespaceNotFound`](crate::Error::NamespaceNotFound).
    async fn replace(&self, object: &Value, options: &ApplyOptions) -> Result<Value>;

    /// Deletes one object. Returns `false` when it did not exist.
    async fn delete(
        &self,
        gvk: &GroupVersionKind,
        namespace: Option<&str>,
        name: &str,
        options: &DeleteOptions,
    ) -> Result<bool>;

    /// Starts a live-state cache for `kinds`, restricted to `label_selector` when given (e.g.
    /// the application's tracking label): afterwards reads of those kinds may be answered from
    /// memory, kept current by watches, so a steady-state sync lists nothing. Kinds already
    /// watched are left as they are.
    ///
    /// The default does nothing: a backend whose reads are already local (the
    /// [`InMemoryCluster`](crate::InMemoryCluster)) has nothing to cache. `KubeApplier`
    /// implements it with kube-runtime watchers (see `KubeApplier::watch`).
    ///
    /// # Errors
    /// [`Error::UnknownKind`](crate::Error::UnknownKind) for a kind the cluster does not
    /// serve; [`Error::InvalidSelector`](crate::Error::InvalidSelector).
    async fn watch(&self, kinds: &[GroupVersionKind], label_selector: Option<&str>) -> Result<()> {
        crate::LabelSelector::parse(label_selector.unwrap_or(""))?;
        for gvk in kinds {
            self.api_resource(gvk).await?;
        }
        Ok(())
    }
}
