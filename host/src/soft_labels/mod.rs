//! The soft-label cache: teacher logits on disk, keyed by (teacher id, text hash), so a text is
//! labelled once by a given teacher across runs, sweeps and a cluster's tasks.
//!
//! - `cache.rs`: [`SoftLabelCache`], the append-only cache file (`soft-labels.ekdc` in the host's
//!   cache folder) and its record format;
//! - `chunks.rs`: the chunk files beside it ([`chunk_dir`], `soft-labels.d/`), each written whole by
//!   one task of a cluster's labelling stage ([`SoftLabelCache::label_chunk`]) and read with the
//!   cache file.
//!
//! The teacher itself (`edgekd_models::teacher::Teacher::label`) only computes logits; this module
//! decides which texts it is asked for.

mod cache;
mod chunks;
mod error;

pub use cache::{text_hash, CacheStats, SoftLabelCache};
pub use chunks::{chunk_dir, chunk_name, ChunkOutcome, CHUNK_EXTENSION};
pub use error::SoftLabelError;
