//! The teacher: a pretrained BERT-family encoder (all-MiniLM-L6-v2 by default) loaded from
//! safetensors, mean pooling, a linear classification head; fine-tuning on the original training
//! set; soft labels with an on-disk cache.
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
mod schedule;
mod soft_cache;
mod soft_chunks;
mod tokenize;
mod train;
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
pub use schedule::lr_factor;
pub use soft_cache::{text_hash, CacheStats, SoftLabelCache};
pub use soft_chunks::{chunk_dir, chunk_name, ChunkOutcome, CHUNK_EXTENSION};
pub use tokenize::{EncodedBatch, TeacherTokenizer, TokenBatch};
pub use train::{accuracy, fine_tune, TeacherTrainConfig, TeacherTrainReport, TrainEvent};
pub use weights::Checkpoint;
