//! The inference engine: runs a decoded artifact's layers in a caller-provided byte arena.
//!
//! No allocation, no panic: every buffer is carved from the arena (too small → an error), every
//! shape comes from the network's plan (`edgekd_shared::artifact::plan_at`) and is rechecked
//! against the buffers, and the int8 kernels are the ones in `edgekd_shared::kernels`.
//!
//! It is the only int8 interpreter: the functions take any
//! [`Network`](edgekd_shared::artifact::Network), so the host runs its quantized students
//! (owned tables, before they become an artifact) through this very code, and the device gives
//! the same bits as the host's evaluation.
//!
//! ```
//! use edgekd_device::engine::{arena_size, run};
//! use edgekd_shared::artifact::{decode, encode, sample::tiny, VerifyPolicy};
//!
//! let bytes = encode(&tiny(), None)?; // on a device: the model slot in flash
//! let model = decode(&bytes, VerifyPolicy::AllowUnsigned)?; // a device requires its key
//! let mut arena = [0u8; 256];
//! assert!(arena_size(&model)? <= arena.len());
//! let p = run(&model, "a gripping, funny film", &mut arena)?;
//! assert!(model.meta.labels.get(p.label).is_some());
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod arena;
mod error;
mod prediction;
mod run;

pub use arena::{arena_size, ArenaLayout, ALIGN_PAD};
pub use error::EngineError;
pub use prediction::{Inference, Prediction};
pub use run::{infer, run, run_tokens, Input};
