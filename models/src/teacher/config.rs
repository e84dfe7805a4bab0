//! `BertConfig`: the shape of a BERT-family encoder, read from a Hugging Face `config.json`.

use std::path::Path;

use burn::config::Config;
use serde_json::Value;

use super::error::{Result as TeacherResult, TeacherError};

/// Hyper-parameters of a BERT encoder (all-MiniLM-L6-v2 values as defaults).
#[derive(Config, Debug, PartialEq)]
pub struct BertConfig {
    /// WordPiece vocabulary size.
    #[config(default = 30522)]
    pub vocab_size: usize,
    /// Width of every hidden state (`d_model`).
    #[config(default = 384)]
    pub hidden_size: usize,
    /// Transformer layers.
    #[config(default = 6)]
    pub num_hidden_layers: usize,
    /// Attention heads per layer; `hidden_size` must be a multiple of it.
    #[config(default = 12)]
    pub num_attention_heads: usize,
    /// Width of the feed-forward block.
    #[config(default = 1536)]
    pub intermediate_size: usize,
    /// Rows of the learned absolute position table.
    #[config(default = 512)]
    pub max_position_embeddings: usize,
    /// Rows of the token-type (segment) table.
    #[config(default = 2)]
    pub type_vocab_size: usize,
    /// LayerNorm epsilon.
    #[config(default = 1e-12)]
    pub layer_norm_eps: f64,
    /// Dropout on hidden states during training.
    #[config(default = 0.1)]
    pub hidden_dropout_prob: f64,
    /// Id of the padding token.
    #[config(default = 0)]
    pub pad_token_id: usize,
}

impl BertConfig {
    /// Reads a Hugging Face `config.json`. Only `"hidden_act": "gelu"` (exact, erf) and absolute
    /// positions are supported; other values are refused rather than silently misread.
    pub fn from_hf_json(path: &Path) -> TeacherResult<Self> {
        let text = std::fs::read_to_string(path).map_err(|e| TeacherError::io(path, e))?;
        let json: Value = serde_json::from_str(&text).map_err(|e| TeacherError::Json {
            path: path.to_path_buf(),
            message: e.to_string(),
        })?;
        let mut cfg = BertConfig::new();
        let get = |key: &str| json.get(key);
        let int = |key: &str, dst: &mut usize| -> TeacherResult<()> {
            if let Some(v) = get(key) {
                *dst = v
                    .as_u64()
                    .and_then(|v| usize::try_from(v).ok())
                    .ok_or_else(|| {
                        TeacherError::InvalidConfig(format!(
                            "{}: {key} is not an integer",
                            path.display()
                        ))
                    })?;
            }
            Ok(())
        };
        int("vocab_size", &mut cfg.vocab_size)?;
        int("hidden_size", &mut cfg.hidden_size)?;
        int("num_hidden_layers", &mut cfg.num_hidden_layers)?;
        int("num_attention_heads", &mut cfg.num_attention_heads)?;
        int("intermediate_size", &mut cfg.intermediate_size)?;
        int("max_position_embeddings", &mut cfg.max_position_embeddings)?;
        int("type_vocab_size", &mut cfg.type_vocab_size)?;
        int("pad_token_id", &mut cfg.pad_token_id)?;
        if let Some(v) = get("layer_norm_eps").and_then(Value::as_f64) {
            cfg.layer_norm_eps = v;
        }
        if let Some(v) = get("hidden_dropout_prob").and_then(Value::as_f64) {
            cfg.hidden_dropout_prob = v;
        }
        if let Some(act) = get("hidden_act").and_then(Value::as_str) {
            if act != "gelu" {
                return Err(TeacherError::InvalidConfig(format!(
                    "{}: hidden_act {act:?} is not supported (only \"gelu\")",
                    path.display()
                )));
            }
        }
        if let Some(pos) = get("position_embedding_type").and_then(Value::as_str) {
            if pos != "absolute" {
                return Err(TeacherError::InvalidConfig(format!(
                    "{}: position_embedding_type {pos:?} is not supported",
                    path.display()
                )));
            }
        }
        cfg.validate()?;
        Ok(cfg)
    }

    /// Checks the sizes are consistent.
    pub fn validate(&self) -> TeacherResult<()> {
        if self.num_attention_heads == 0 || self.hidden_size % self.num_attention_heads != 0 {
            return Err(TeacherError::InvalidConfig(format!(
                "hidden_size {} is not a multiple of num_attention_heads {}",
                self.hidden_size, self.num_attention_heads
            )));
        }
        if !(0.0..1.0).contains(&self.hidden_dropout_prob) {
            return Err(TeacherError::InvalidConfig(format!(
                "hidden_dropout_prob {} is outside [0, 1)",
                self.hidden_dropout_prob
            )));
        }
        Ok(())
    }

    /// Width of one attention head.
    pub fn head_dim(&self) -> usize {
        self.hidden_size / self.num_attention_heads.max(1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(name: &str, body: &str) -> std::path::PathBuf {
        let dir =
            std::env::temp_dir().join(format!("edgekd-bertcfg-{}-{name}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let p = dir.join("config.json");
        std::fs::write(&p, body).unwrap();
        p
    }

    #[test]
    fn reads_minilm_values_and_ignores_unknown_keys() {
        let p = write(
            "ok",
            r#"{"hidden_act":"gelu","hidden_size":384,"num_attention_heads":12,"num_hidden_layers":6,
                "intermediate_size":1536,"layer_norm_eps":1e-12,"vocab_size":30522,"model_type":"bert",
                "max_position_embeddings":512,"type_vocab_size":2,"position_embedding_type":"absolute"}"#,
        );
        let cfg = BertConfig::from_hf_json(&p).unwrap();
        assert_eq!(cfg, BertConfig::new());
        assert_eq!(cfg.head_dim(), 32);
    }

    #[test]
    fn refuses_other_activations_and_bad_heads() {
        let p = write("act", r#"{"hidden_act":"relu"}"#);
        assert!(matches!(
            BertConfig::from_hf_json(&p),
            Err(TeacherError::InvalidConfig(_))
        ));
        let p = write("heads", r#"{"hidden_size":100,"num_attention_heads":12}"#);
        assert!(matches!(
            BertConfig::from_hf_json(&p),
            Err(TeacherError::InvalidConfig(_))
        ));
        let p = write("type", r#"{"hidden_size":"big"}"#);
        assert!(matches!(
            BertConfig::from_hf_json(&p),
            Err(TeacherError::InvalidConfig(_))
        ));
    }
}
