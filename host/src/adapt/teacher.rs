//! The teacher of `edgekd adapt`: a fine-tuned teacher folder labelling texts through the shared
//! soft-label cache.

use std::path::Path;

use edgekd_models::teacher::Teacher;

use super::AdaptError;
use crate::soft_labels::SoftLabelCache;

/// Teacher logits (temperature 1) of `texts` by the fine-tuned teacher in `dir`, read from the
/// shared soft-label cache where present (the rest are labelled and added to it).
///
/// # Shapes
/// - `texts`: `[n]`; returns `[n][classes]`
pub fn teacher_logits(dir: &Path, texts: &[String]) -> Result<Vec<Vec<f32>>, AdaptError> {
    let fail = |what: &str, e: &dyn std::fmt::Display| AdaptError::Teacher {
        reason: format!("{what}: {e}"),
    };
    let (kind, device) = edgekd_models::backend::select(None).map_err(|e| fail("backend", &e))?;
    tracing::info!("teacher: {} on {}", dir.display(), kind.name());
    let teacher = Teacher::load(dir, &device)
        .map_err(|e| fail(&format!("loading the teacher in {}", dir.display()), &e))?;
    let cache_root = crate::assets::Cache::from_env()
        .map_err(|e| fail("cache", &e))?
        .root()
        .to_path_buf();
    let path = cache_root.join("soft-labels.ekdc");
    let mut cache =
        SoftLabelCache::open(&path).map_err(|e| fail(&path.display().to_string(), &e))?;
    let (logits, stats) = cache
        .label_with(&teacher, texts, None)
        .map_err(|e| fail("labelling", &e))?;
    tracing::info!(
        "teacher labels: {} from the cache, {} computed",
        stats.hits,
        stats.labelled
    );
    Ok(logits)
}
