//! The [`HealthAssessor`] extension point.

use serde_json::Value;

use crate::{Error, Health};

/// Something that tells the health of an object: a built-in check, a Lua script set, or your
/// own Rust code registered with [`Registry::register`](crate::Registry::register).
///
/// `object` is the live object as JSON (what `kubectl get -o json` prints). Return `Ok(None)`
/// when the assessor has nothing to say about the object ("no health"), `Ok(Some(health))`
/// otherwise. An `Err` is reported by the registry as [`HealthStatus::Unknown`] with the error
/// text as message, as Argo CD does.
///
/// Implementations must be cheap to call from many threads at once.
///
/// ```
/// use gitops_health::{Error, Health, HealthAssessor, HealthStatus, Registry};
/// use gitops_core::GroupKind;
///
/// struct AlwaysHealthy;
/// impl HealthAssessor for AlwaysHealthy {
///     fn assess(&self, _object: &serde_json::Value) -> Result<Option<Health>, Error> {
///         Ok(Some(Health::healthy()))
///     }
/// }
///
/// let mut registry = Registry::default();
/// registry.register(GroupKind::new("example.com", "Widget"), AlwaysHealthy);
/// let widget = serde_json::json!({"apiVersion": "example.com/v1", "kind": "Widget",
///     "metadata": {"name": "w"}});
/// assert_eq!(registry.assess(&widget)?.unwrap().status, HealthStatus::Healthy);
/// # Ok::<(), Error>(())
/// ```
///
/// [`HealthStatus::Unknown`]: crate::HealthStatus::Unknown
pub trait HealthAssessor: Send + Sync {
    /// Assesses one object.
    fn assess(&self, object: &Value) -> Result<Option<Health>, Error>;
}

impl<F> HealthAssessor for F
where
    F: Fn(&Value) -> Result<Option<Health>, Error> + Send + Sync,
{
    fn assess(&self, object: &Value) -> Result<Option<Health>, Error> {
        self(object)
    }
}
