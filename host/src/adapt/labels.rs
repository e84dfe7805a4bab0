//! Matching in-domain label names onto the model's classes.

use super::AdaptError;

/// Renames in-domain labels before they are matched to the model's labels by name
/// (`negative=rotten,positive=fresh`). Labels not in the map keep their name.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct LabelMap {
    pairs: Vec<(String, String)>,
}

impl LabelMap {
    /// Parses `from=to[,from=to…]`; an empty string is the identity map.
    pub fn parse(spec: &str) -> Result<Self, AdaptError> {
        let mut pairs = Vec::new();
        for entry in spec.split(',').map(str::trim).filter(|e| !e.is_empty()) {
            let (from, to) = entry
                .split_once('=')
                .map(|(a, b)| (a.trim(), b.trim()))
                .filter(|(a, b)| !a.is_empty() && !b.is_empty())
                .ok_or_else(|| AdaptError::BadMapEntry {
                    entry: entry.to_string(),
                })?;
            pairs.push((from.to_string(), to.to_string()));
        }
        Ok(Self { pairs })
    }

    /// The name `label` takes after the map.
    pub fn rename<'a>(&'a self, label: &'a str) -> &'a str {
        self.pairs
            .iter()
            .find(|(from, _)| from == label)
            .map_or(label, |(_, to)| to.as_str())
    }

    /// For each of `data_labels`, the index of the model class of the same name (after the map).
    ///
    /// # Shapes
    /// - returns `[data_labels.len()]`, each `< model_labels.len()`
    pub fn resolve(
        &self,
        data_labels: &[String],
        model_labels: &[String],
    ) -> Result<Vec<usize>, AdaptError> {
        data_labels
            .iter()
            .map(|label| {
                let mapped = self.rename(label);
                model_labels
                    .iter()
                    .position(|m| m == mapped)
                    .ok_or_else(|| AdaptError::UnmappedLabel {
                        label: label.clone(),
                        mapped: mapped.to_string(),
                        model: model_labels.to_vec(),
                    })
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(v: &[&str]) -> Vec<String> {
        v.iter().map(|x| x.to_string()).collect()
    }

    #[test]
    fn maps_by_name_after_renaming() {
        let map = LabelMap::parse("negative=rotten, positive = fresh").unwrap();
        let idx = map
            .resolve(&s(&["positive", "negative"]), &s(&["rotten", "fresh"]))
            .unwrap();
        assert_eq!(idx, vec![1, 0]);
        let identity = LabelMap::parse("").unwrap();
        assert_eq!(
            identity.resolve(&s(&["b", "a"]), &s(&["a", "b"])).unwrap(),
            vec![1, 0]
        );
    }

    #[test]
    fn unmapped_labels_and_bad_entries_are_refused() {
        let err = LabelMap::default()
            .resolve(&s(&["negative"]), &s(&["rotten", "fresh"]))
            .unwrap_err();
        assert!(matches!(&err, AdaptError::UnmappedLabel { label, .. } if label == "negative"));
        assert!(err.to_string().contains("--map negative="), "{err}");
        for bad in ["negative", "=rotten", "negative=", "a=b,c"] {
            assert!(
                matches!(LabelMap::parse(bad), Err(AdaptError::BadMapEntry { .. })),
                "{bad}"
            );
        }
    }
}
