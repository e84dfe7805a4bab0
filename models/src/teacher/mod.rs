//! The teacher: a pretrained BERT-family encoder (all-MiniLM-L6-v2 by default) loaded from
//! safetensors, mean pooling, a linear classification head, and its logits for any texts. The
//! host fine-tunes it (`edgekd_host::train::teacher`) and caches its soft labels on disk
//! (`edgekd_host::soft_labels`).
//!
//! ```text
//! texts ─► TeacherTokenizer (WordPiece, pad to longest ≤ max_len) ─► ids/type ids/mask [b, s]
//!       ─► BertEncoder (embeddings + N layers) ─► [b, s, hidden]
//!       ─► masked mean ─► [b, hidden] (Teacher::embed) ─► dropout ─► head ─► logits [b, classes]
//! ```

mod attention;
mod config;
mod embeddings;
mod encoder;
mod error;
mod fused;
mod id;
mod layer;
mod locate;
mod model;
mod net;
mod packed;
mod pooling;
mod tokenize;
mod weights;

pub use attention::{BertAttention, MASKED_SCORE};
pub use config::BertConfig;
pub use embeddings::BertEmbeddings;
pub use encoder::{BertEncoder, LoadedEncoder};
pub use error::{Result, TeacherError};
pub use id::TeacherId;
pub use layer::BertLayer;
pub use locate::{is_model_dir, MODEL_FILES};
pub use model::{Teacher, TeacherConfig, CONFIG_FILE, TOKENIZER_FILE, WEIGHTS_FILE};
pub use net::TeacherNet;
pub use packed::{EncoderPath, PackedTokens};
pub use pooling::masked_mean;
pub use tokenize::{EncodedBatch, TeacherTokenizer, TokenBatch};
pub use weights::Checkpoint;
