//! Checking that a folder holds an unpacked all-MiniLM-L6-v2 model. Where that folder is, is the
//! caller's business: the host's asset cache (`edgekd_host::assets::Cache`) resolves it and passes
//! it down; this crate reads no environment variable and knows no cache layout.

use std::path::Path;

/// The files [`Teacher::from_pretrained`](super::Teacher::from_pretrained) loads from a pretrained
/// model folder.
pub const MODEL_FILES: [&str; 3] = ["config.json", "model.safetensors", "tokenizer.json"];

/// True when `dir` holds every file of [`MODEL_FILES`].
pub fn is_model_dir(dir: &Path) -> bool {
    MODEL_FILES.iter().all(|f| dir.join(f).is_file())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn model_dir_needs_all_three_files() {
        let dir = std::env::temp_dir().join(format!("edgekd-locate-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        assert!(!is_model_dir(&dir));
        for (i, f) in MODEL_FILES.iter().enumerate() {
            assert!(!is_model_dir(&dir), "complete after {i} files");
            std::fs::write(dir.join(f), b"{}").unwrap();
        }
        assert!(is_model_dir(&dir));
        let _ = std::fs::remove_dir_all(&dir);
    }
}
