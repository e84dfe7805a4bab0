//! `Teacher`: the pretrained encoder with a classification head, its tokenizer and its config;
//! sentence embeddings, logits and soft labels; save and load.

use std::path::Path;

use burn::prelude::*;

use super::config::BertConfig;
use super::encoder::BertEncoder;
use edgekd_shared::hex::{hex, parse_32};
use edgekd_shared::temperature::check_temperature;

use super::error::{Result as TeacherResult, TeacherError};
use super::id::TeacherId;
use super::net::TeacherNet;
use super::packed::EncoderPath;
use super::tokenize::{TeacherTokenizer, TokenBatch};

/// File names inside a saved teacher directory.
pub const CONFIG_FILE: &str = "teacher.json";
/// The burn record (burnpack) of [`TeacherNet`].
pub const WEIGHTS_FILE: &str = "teacher.bpk";
/// The WordPiece tokenizer, copied beside the weights.
pub const TOKENIZER_FILE: &str = "tokenizer.json";

/// Everything needed to rebuild a teacher's skeleton (saved as `teacher.json`).
#[derive(Config, Debug)]
pub struct TeacherConfig {
    /// Encoder shape.
    pub bert: BertConfig,
    /// Outputs of the head.
    pub num_classes: usize,
    /// Dropout on the pooled vector during fine-tuning.
    #[config(default = 0.1)]
    pub dropout: f64,
    /// Token cap per text (dynamic padding pads each batch to its longest text up to this).
    #[config(default = 128)]
    pub max_len: usize,
    /// Texts per forward pass when labelling.
    #[config(default = 32)]
    pub batch_size: usize,
    /// Hex SHA-256 of the pretrained `model.safetensors` the teacher started from.
    #[config(default = "String::new()")]
    pub checkpoint_sha256: String,
}

/// A BERT teacher: tokenizer, encoder, mean pooling, head.
#[derive(Debug, Clone)]
pub struct Teacher {
    net: TeacherNet,
    tokenizer: TeacherTokenizer,
    config: TeacherConfig,
    checkpoint_sha256: [u8; 32],
    device: Device,
    id: TeacherId,
    encoder_path: EncoderPath,
}

impl Teacher {
    /// Loads a pretrained BERT from `dir` (`config.json`, `model.safetensors`, `tokenizer.json`)
    /// and puts a new head of `num_classes` outputs on it, initialised from `seed`.
    pub fn from_pretrained(
        dir: &Path,
        num_classes: usize,
        max_len: usize,
        seed: u64,
        device: &Device,
    ) -> TeacherResult<Self> {
        if num_classes == 0 {
            return Err(TeacherError::InvalidConfig(
                "a head needs at least one class".into(),
            ));
        }
        let loaded = BertEncoder::load(dir, device)?;
        let bert = loaded.config;
        if max_len > bert.max_position_embeddings {
            return Err(TeacherError::InvalidConfig(format!(
                "max_len {max_len} exceeds the model's {} positions",
                bert.max_position_embeddings
            )));
        }
        let tokenizer =
            TeacherTokenizer::from_file(&dir.join(TOKENIZER_FILE), max_len, bert.pad_token_id)?;
        let config = TeacherConfig::new(bert, num_classes)
            .with_max_len(max_len)
            .with_checkpoint_sha256(hex(&loaded.checkpoint_sha256));
        device.seed(seed);
        let net = TeacherNet::new(
            loaded.encoder,
            config.bert.hidden_size,
            num_classes,
            config.dropout,
            device,
        );
        Self::assemble(net, tokenizer, config, loaded.checkpoint_sha256, device)
    }

    fn assemble(
        net: TeacherNet,
        tokenizer: TeacherTokenizer,
        config: TeacherConfig,
        checkpoint_sha256: [u8; 32],
        device: &Device,
    ) -> TeacherResult<Self> {
        let id = TeacherId::compute(&checkpoint_sha256, &net)?;
        Ok(Self {
            net,
            tokenizer,
            config,
            checkpoint_sha256,
            device: device.clone(),
            id,
            encoder_path: EncoderPath::for_device(device),
        })
    }

    /// Replaces the module (after fine-tuning) and recomputes the id. The module is moved to the
    /// teacher's device and put in validation mode.
    pub fn with_net(self, net: TeacherNet) -> TeacherResult<Self> {
        let net = net.valid().to_device(&self.device);
        let path = self.encoder_path;
        Ok(Self::assemble(
            net,
            self.tokenizer,
            self.config,
            self.checkpoint_sha256,
            &self.device,
        )?
        .with_encoder_path(path))
    }

    /// Runs the encoder on `path` (by default the fused kernels on burn-flex, burn's modules
    /// elsewhere; the reference path serves comparisons and benchmarks).
    pub fn with_encoder_path(mut self, path: EncoderPath) -> Self {
        self.encoder_path = path;
        self
    }

    /// How the encoder runs.
    pub fn encoder_path(&self) -> EncoderPath {
        self.encoder_path
    }

    /// Tokenizes `texts` and moves them onto the device for this teacher's encoder path.
    fn batch<S: AsRef<str>>(&self, texts: &[S]) -> TeacherResult<TokenBatch> {
        Ok(self
            .tokenizer
            .encode(texts)?
            .to_device_with(&self.device, self.encoder_path))
    }

    /// The content hash naming this exact teacher.
    pub fn id(&self) -> TeacherId {
        self.id
    }

    /// Its config.
    pub fn config(&self) -> &TeacherConfig {
        &self.config
    }

    /// The burn module.
    pub fn net(&self) -> &TeacherNet {
        &self.net
    }

    /// Its tokenizer.
    pub fn tokenizer(&self) -> &TeacherTokenizer {
        &self.tokenizer
    }

    /// The device it runs on.
    pub fn device(&self) -> &Device {
        &self.device
    }

    /// Mean-pooled sentence embeddings of one batch (not normalised).
    ///
    /// # Shapes
    /// - output: `[texts.len(), hidden]` (hidden = 384 for MiniLM)
    pub fn embed<S: AsRef<str>>(&self, texts: &[S]) -> TeacherResult<Tensor<2>> {
        self.net.pooled(&self.batch(texts)?)
    }

    /// Class logits of one batch.
    ///
    /// # Shapes
    /// - output: `[texts.len(), num_classes]`
    pub fn logits<S: AsRef<str>>(&self, texts: &[S]) -> TeacherResult<Tensor<2>> {
        self.net.forward(&self.batch(texts)?)
    }

    /// Soft labels: logits divided by `temperature` (1 when `None`), one row per text, in the
    /// order given. Texts are run in batches of `config.batch_size`, grouped by length so that
    /// dynamic padding wastes little.
    pub fn label<S: AsRef<str>>(
        &self,
        texts: &[S],
        temperature: Option<f32>,
    ) -> TeacherResult<Vec<Vec<f32>>> {
        let t = check_temperature(temperature.unwrap_or(1.0))
            .map_err(|e| TeacherError::InvalidConfig(e.to_string()))?;
        let mut order: Vec<usize> = (0..texts.len()).collect();
        order.sort_by_key(|&i| texts[i].as_ref().len());
        let mut out = vec![Vec::new(); texts.len()];
        for chunk in order.chunks(self.config.batch_size.max(1)) {
            let batch: Vec<&str> = chunk.iter().map(|&i| texts[i].as_ref()).collect();
            let logits = self.logits(&batch)?.div_scalar(t);
            let values: Vec<f32> = logits
                .into_data()
                .try_into_vec()
                .map_err(|e| TeacherError::burn("reading logits", e))?;
            let classes = self.config.num_classes;
            for (row, &i) in chunk.iter().enumerate() {
                out[i] = values[row * classes..(row + 1) * classes].to_vec();
            }
        }
        Ok(out)
    }

    /// Saves `teacher.json`, `teacher.bpk` and `tokenizer.json` into `dir` (created if needed).
    pub fn save(&self, dir: &Path) -> TeacherResult<()> {
        std::fs::create_dir_all(dir).map_err(|e| TeacherError::io(dir, e))?;
        let cfg_path = dir.join(CONFIG_FILE);
        self.config
            .save(&cfg_path)
            .map_err(|e| TeacherError::io(&cfg_path, e))?;
        self.tokenizer.save(&dir.join(TOKENIZER_FILE))?;
        let weights = dir.join(WEIGHTS_FILE);
        self.net
            .clone()
            .save_file(&weights)
            .map_err(|e| TeacherError::burn(format!("saving {}", weights.display()), e))
    }

    /// Loads a teacher saved by [`Teacher::save`] onto `device`.
    pub fn load(dir: &Path, device: &Device) -> TeacherResult<Self> {
        let cfg_path = dir.join(CONFIG_FILE);
        let config = TeacherConfig::load(&cfg_path).map_err(|e| TeacherError::Json {
            path: cfg_path.clone(),
            message: format!("{e:?}"),
        })?;
        config.bert.validate()?;
        let checkpoint_sha256 =
            parse_32(&config.checkpoint_sha256).ok_or_else(|| TeacherError::Json {
                path: cfg_path.clone(),
                message: "checkpoint_sha256 is not 64 hex digits".into(),
            })?;
        let tokenizer = TeacherTokenizer::from_file(
            &dir.join(TOKENIZER_FILE),
            config.max_len,
            config.bert.pad_token_id,
        )?;
        let skeleton = TeacherNet::new(
            BertEncoder::init(&config.bert, device),
            config.bert.hidden_size,
            config.num_classes,
            config.dropout,
            device,
        );
        let weights = dir.join(WEIGHTS_FILE);
        let net = skeleton
            .try_load_file(&weights)
            .map_err(|e| TeacherError::burn(format!("loading {}", weights.display()), e))?;
        Self::assemble(net, tokenizer, config, checkpoint_sha256, device)
    }
}
