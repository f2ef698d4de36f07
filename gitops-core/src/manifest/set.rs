//! [`ManifestSet`]: the desired state, ordered by [`ResourceKey`], free of duplicates.

use std::collections::BTreeMap;

use crate::{Error, Manifest, ResourceKey};

/// A set of manifests ordered by [`ResourceKey`]. The same resource twice is an error naming both
/// origins, as Argo CD reports "resource appeared N times" for duplicated manifests.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ManifestSet {
    items: BTreeMap<ResourceKey, Manifest>,
}

impl ManifestSet {
    /// An empty set.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a manifest.
    ///
    /// # Errors
    /// [`Error::DuplicateResource`] when a manifest with the same key is already in the set.
    pub fn insert(&mut self, manifest: Manifest) -> Result<(), Error> {
        let key = manifest.key();
        if let Some(existing) = self.items.get(&key) {
            let origin = |m: &Manifest| {
                m.origin()
                    .map_or_else(|| "<unknown>".to_owned(), ToString::to_string)
            };
            return Err(Error::DuplicateResource {
                key,
                first: origin(existing),
                second: origin(&manifest),
            });
        }
        self.items.insert(key, manifest);
        Ok(())
    }

    /// Builds a set from manifests, failing on the first duplicate.
    pub fn from_manifests(manifests: impl IntoIterator<Item = Manifest>) -> Result<Self, Error> {
        let mut set = Self::new();
        for m in manifests {
            set.insert(m)?;
        }
        Ok(set)
    }

    /// The manifest with this key.
    pub fn get(&self, key: &ResourceKey) -> Option<&Manifest> {
        self.items.get(key)
    }

    /// Removes and returns the manifest with this key.
    pub fn remove(&mut self, key: &ResourceKey) -> Option<Manifest> {
        self.items.remove(key)
    }

    /// Manifests in key order.
    pub fn iter(&self) -> impl Iterator<Item = &Manifest> {
        self.items.values()
    }

    /// Keys in order.
    pub fn keys(&self) -> impl Iterator<Item = &ResourceKey> {
        self.items.keys()
    }

    /// Number of manifests.
    pub fn len(&self) -> usize {
        self.items.len()
    }

    /// Whether the set is empty.
    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }
}

impl IntoIterator for ManifestSet {
    type Item = Manifest;
    type IntoIter = std::collections::btree_map::IntoValues<ResourceKey, Manifest>;

    fn into_iter(self) -> Self::IntoIter {
        self.items.into_values()
    }
}

impl<'a> IntoIterator for &'a ManifestSet {
    type Item = &'a Manifest;
    type IntoIter = std::collections::btree_map::Values<'a, ResourceKey, Manifest>;

    fn into_iter(self) -> Self::IntoIter {
        self.items.values()
    }
}
