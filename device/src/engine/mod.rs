//! The inference engine: runs a decoded artifact's layers in a caller-provided byte arena.
//!
//! No allocation, no panic: every buffer is carved from the arena (too small → an error), every
//! shape is rechecked against the buffers, and the int8 kernels are the ones in
//! `edgekd_shared::kernels`, so the device gives the same bits as the host's evaluation.
//!
//! ```ignore
//! let model = decode(FLASH, VerifyPolicy::RequireKey(&KEY))?;
//! let mut arena = [0u8; 32 * 1024];           // ≥ arena_size(&model)?
//! let p = run(&model, "a gripping, funny film", &mut arena)?;
//! let label = model.meta.labels[p.label];
//! ```

mod arena;
mod error;
mod prediction;
mod run;

pub use arena::{arena_size, ArenaLayout, ALIGN_PAD};
pub use error::EngineError;
pub use prediction::{Inference, Prediction};
pub use run::{infer, run, run_tokens, Input};
