//! Student configuration: what the device must be able to run, saved as JSON beside the weights.

use burn::config::Config;
use burn::nn::conv::Conv1dConfig;
use burn::nn::{EmbeddingConfig, Initializer, LinearConfig, PaddingConfig1d};
use burn::prelude::*;
use edgekd_shared::tokenizer::TokenizerConfig;
use serde::{Deserialize, Serialize};

use super::error::StudentError;
use super::model::Student;

/// The student's architecture; each maps one-to-one onto device ops.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum StudentKind {
    /// `EmbedBag(mean)` → `Dense + ReLU` → `Dense`.
    Bag,
    /// `Embed` → `Conv1d + ReLU` → `GlobalMaxPool` → `Dense`.
    Cnn,
}

impl core::fmt::Display for StudentKind {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(match self {
            StudentKind::Bag => "bag",
            StudentKind::Cnn => "cnn",
        })
    }
}

impl core::str::FromStr for StudentKind {
    type Err = StudentError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "bag" => Ok(StudentKind::Bag),
            "cnn" => Ok(StudentKind::Cnn),
            other => Err(StudentError::UnknownKind(other.to_string())),
        }
    }
}

/// Configuration of a hashed-token student.
///
/// The tokenizer fields (`buckets`, `features`, `max_tokens`, `seed`) are the ones that
/// `edgekd_shared::tokenizer::TokenizerConfig` takes, so host and device hash text identically.
#[derive(Config, Debug, PartialEq)]
pub struct StudentConfig {
    /// Rows of the hashed embedding table (token ids are in `0..buckets`).
    pub buckets: usize,
    /// Embedding width (channels per token).
    pub dim: usize,
    /// Number of output classes.
    pub classes: usize,
    /// Architecture.
    #[config(default = "StudentKind::Bag")]
    pub kind: StudentKind,
    /// `bag`: width of the hidden dense layer; `cnn`: convolution output channels.
    #[config(default = 64)]
    pub hidden: usize,
    /// `cnn` only: convolution kernel width in tokens.
    #[config(default = 3)]
    pub kernel: usize,
    /// Tokenizer feature bit set (1 words, 2 word bigrams, 4 char trigrams), see
    /// `shared::tokenizer::TokenizerConfig`.
    #[config(default = 3)]
    pub features: u8,
    /// Tokens kept per text (the device's token buffer length).
    #[config(default = 64)]
    pub max_tokens: u16,
    /// Tokenizer hashing seed.
    #[config(default = 0)]
    pub seed: u32,
    /// Standard deviation of the embedding initialisation.
    #[config(default = 0.1)]
    pub embed_init_std: f64,
}

impl StudentConfig {
    /// Checks that every size is non-zero and that the shapes are consistent.
    pub fn validate(&self) -> Result<(), StudentError> {
        let fields = [
            ("buckets", self.buckets),
            ("dim", self.dim),
            ("classes", self.classes),
            ("hidden", self.hidden),
            ("kernel", self.kernel),
            ("max_tokens", usize::from(self.max_tokens)),
        ];
        for (name, value) in fields {
            if value == 0 {
                return Err(StudentError::ZeroSize { field: name });
            }
        }
        if self.buckets > u32::MAX as usize {
            return Err(StudentError::TooManyBuckets(self.buckets));
        }
        self.tokenizer()
            .validate()
            .map_err(|e| StudentError::Tokenizer(e.to_string()))?;
        Ok(())
    }

    /// The tokenizer settings this student's token ids come from (host and device alike).
    pub fn tokenizer(&self) -> TokenizerConfig {
        TokenizerConfig {
            buckets: u32::try_from(self.buckets).unwrap_or(u32::MAX),
            max_tokens: self.max_tokens,
            features: self.features,
            seed: self.seed,
        }
    }

    /// Symmetric zero padding on each side of the convolution (`kernel / 2`, "same" for odd kernels).
    pub fn conv_pad(&self) -> usize {
        self.kernel / 2
    }

    /// Builds a freshly initialised student on `device`.
    pub fn init(&self, device: &Device) -> Result<Student, StudentError> {
        self.validate()?;
        let embedding = EmbeddingConfig::new(self.buckets, self.dim)
            .with_initializer(Initializer::Normal {
                mean: 0.0,
                std: self.embed_init_std,
            })
            .init(device);
        let (conv, hidden, out_in) = match self.kind {
            StudentKind::Bag => (
                None,
                Some(LinearConfig::new(self.dim, self.hidden).init(device)),
                self.hidden,
            ),
            StudentKind::Cnn => {
                let pad = self.conv_pad();
                let conv = Conv1dConfig::new(self.dim, self.hidden, self.kernel)
                    .with_padding(PaddingConfig1d::Explicit(pad, pad))
                    .init(device);
                (Some(conv), None, self.hidden)
            }
        };
        let output = LinearConfig::new(out_in, self.classes).init(device);
        Ok(Student {
            embedding,
            conv,
            hidden,
            output,
            kind: self.kind,
            pad: self.conv_pad(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kind_round_trips_through_text_and_json() {
        for kind in [StudentKind::Bag, StudentKind::Cnn] {
            let parsed: StudentKind = kind.to_string().parse().unwrap();
            assert_eq!(parsed, kind);
        }
        assert!("lstm".parse::<StudentKind>().is_err());
        let cfg = StudentConfig::new(4096, 16, 2).with_kind(StudentKind::Cnn);
        let json = serde_json::to_string(&cfg).unwrap();
        assert!(json.contains("\"cnn\""), "{json}");
        let back: StudentConfig = serde_json::from_str(&json).unwrap();
        assert_eq!(back, cfg);
    }

    #[test]
    fn zero_sizes_are_rejected() {
        let err = StudentConfig::new(0, 16, 2).validate().unwrap_err();
        assert!(err.to_string().contains("buckets"), "{err}");
        assert!(StudentConfig::new(16, 16, 2)
            .with_hidden(0)
            .validate()
            .is_err());
    }
}
