//! The MiniLM model folder of the tests that load the real checkpoint.
//!
//! `models` knows no cache layout, so the folder is given explicitly (the host's tests of the teacher,
//! `host/tests/teacher_minilm.rs`, include this file too): `$EDGEKD_MINILM_DIR`, which
//! `scripts/test.sh` (and `scripts/gpu-check.sh`) set from the host's asset cache with
//! `edgekd assets path minilm-l6` after `edgekd assets fetch`. Unset, or a folder without the model's
//! files, fails the test: it never skips.

use std::path::PathBuf;

use edgekd_models::teacher::{is_model_dir, MODEL_FILES};

/// The variable naming the model folder.
pub const MINILM_DIR_ENV: &str = "EDGEKD_MINILM_DIR";

/// The model folder named by [`MINILM_DIR_ENV`]; panics with the fix when it is unset or incomplete.
pub fn model_dir() -> PathBuf {
    let dir = std::env::var_os(MINILM_DIR_ENV)
        .filter(|d| !d.is_empty())
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            panic!(
                "{MINILM_DIR_ENV} is not set: run the tests through scripts/test.sh, or set it to \
                 the output of `edgekd assets path minilm-l6` (after `edgekd assets fetch --only minilm-l6`)"
            )
        });
    assert!(
        is_model_dir(&dir),
        "{MINILM_DIR_ENV}={} lacks one of {MODEL_FILES:?}",
        dir.display()
    );
    dir
}
