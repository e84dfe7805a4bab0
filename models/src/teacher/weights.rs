//! Reading BERT tensors out of a safetensors checkpoint into burn modules.
//!
//! PyTorch stores a linear layer's weight as `[d_out, d_in]`; burn's [`Linear`] keeps `[d_in, d_out]`,
//! so weights are transposed here on the way in.

use std::path::Path;

use burn::module::Param;
use burn::nn::{Embedding, EmbeddingConfig, LayerNorm, LayerNormConfig, Linear, LinearConfig};
use burn::prelude::*;
use safetensors::{Dtype, SafeTensors};

use super::error::{Result, TeacherError};

/// A parsed safetensors checkpoint, borrowing the file's bytes.
#[derive(Debug)]
pub struct Checkpoint<'a> {
    st: SafeTensors<'a>,
    /// Key prefix before `embeddings.` / `encoder.` (`""` for `BertModel`, `"bert."` for
    /// `BertFor…` checkpoints).
    prefix: &'static str,
}

/// Reads a whole checkpoint file into memory.
pub fn read_checkpoint_bytes(path: &Path) -> Result<Vec<u8>> {
    std::fs::read(path).map_err(|e| TeacherError::io(path, e))
}

impl<'a> Checkpoint<'a> {
    /// Parses the safetensors header of `bytes` (read from `path`, named in errors).
    pub fn parse(bytes: &'a [u8], path: &Path) -> Result<Self> {
        let st = SafeTensors::deserialize(bytes).map_err(|e| TeacherError::Safetensors {
            path: path.to_path_buf(),
            message: e.to_string(),
        })?;
        let prefix = if st.tensor("bert.embeddings.word_embeddings.weight").is_ok() {
            "bert."
        } else {
            ""
        };
        Ok(Self { st, prefix })
    }

    /// The f32 values of tensor `name` (without the model prefix), checked against `shape`.
    pub fn f32s(&self, name: &str, shape: &[usize]) -> Result<Vec<f32>> {
        let full = format!("{}{name}", self.prefix);
        let view = self
            .st
            .tensor(&full)
            .map_err(|_| TeacherError::MissingTensor { name: full.clone() })?;
        if view.dtype() != Dtype::F32 {
            return Err(TeacherError::UnsupportedDtype {
                name: full,
                dtype: format!("{:?}", view.dtype()),
            });
        }
        if view.shape() != shape {
            return Err(TeacherError::ShapeMismatch {
                name: full,
                found: view.shape().to_vec(),
                expected: shape.to_vec(),
            });
        }
        Ok(view
            .data()
            .chunks_exact(4)
            .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]]))
            .collect())
    }

    /// True when the checkpoint holds tensor `name` (without the model prefix).
    pub fn has(&self, name: &str) -> bool {
        self.st.tensor(&format!("{}{name}", self.prefix)).is_ok()
    }

    /// A [`Linear`] from `{prefix}.weight` (`[d_out, d_in]` on disk) and `{prefix}.bias`.
    pub fn linear(
        &self,
        prefix: &str,
        d_in: usize,
        d_out: usize,
        device: &Device,
    ) -> Result<Linear> {
        let w = self.f32s(&format!("{prefix}.weight"), &[d_out, d_in])?;
        let b = self.f32s(&format!("{prefix}.bias"), &[d_out])?;
        // PyTorch's [d_out, d_in] transposed into burn's [d_in, d_out], stored contiguous (a
        // transposed view would be copied again by every kernel that needs rows).
        let mut t = vec![0.0f32; w.len()];
        for (o, row) in w.chunks_exact(d_in).enumerate() {
            for (i, &v) in row.iter().enumerate() {
                t[i * d_out + o] = v;
            }
        }
        let w = Tensor::<2>::from_data(TensorData::new(t, [d_in, d_out]), device);
        let b = Tensor::<1>::from_data(TensorData::new(b, [d_out]), device);
        let mut linear = LinearConfig::new(d_in, d_out).init(device);
        linear.weight = Param::from_tensor(w);
        linear.bias = Some(Param::from_tensor(b));
        Ok(linear)
    }

    /// A [`LayerNorm`] from `{prefix}.weight`/`.bias` (or the older `.gamma`/`.beta`).
    pub fn layer_norm(
        &self,
        prefix: &str,
        d: usize,
        eps: f64,
        device: &Device,
    ) -> Result<LayerNorm> {
        let (wk, bk) = if self.has(&format!("{prefix}.gamma")) {
            ("gamma", "beta")
        } else {
            ("weight", "bias")
        };
        let w = self.f32s(&format!("{prefix}.{wk}"), &[d])?;
        let b = self.f32s(&format!("{prefix}.{bk}"), &[d])?;
        let mut norm = LayerNormConfig::new(d).with_epsilon(eps).init(device);
        norm.gamma = Param::from_tensor(Tensor::from_data(TensorData::new(w, [d]), device));
        norm.beta = Some(Param::from_tensor(Tensor::from_data(
            TensorData::new(b, [d]),
            device,
        )));
        Ok(norm)
    }

    /// An [`Embedding`] table `[n, d]` from tensor `name`.
    pub fn embedding(&self, name: &str, n: usize, d: usize, device: &Device) -> Result<Embedding> {
        let w = self.f32s(name, &[n, d])?;
        let mut emb = EmbeddingConfig::new(n, d).init(device);
        emb.weight = Param::from_tensor(Tensor::from_data(TensorData::new(w, [n, d]), device));
        Ok(emb)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn tiny_file() -> Vec<u8> {
        // A 2x3 "linear" (PyTorch layout [d_out=2, d_in=3]) and its bias.
        let w: Vec<u8> = [1.0f32, 2.0, 3.0, 4.0, 5.0, 6.0]
            .iter()
            .flat_map(|v| v.to_le_bytes())
            .collect();
        let b: Vec<u8> = [0.5f32, -0.5]
            .iter()
            .flat_map(|v| v.to_le_bytes())
            .collect();
        let views = HashMap::from([
            (
                "l.weight".to_string(),
                safetensors::tensor::TensorView::new(Dtype::F32, vec![2, 3], &w).unwrap(),
            ),
            (
                "l.bias".to_string(),
                safetensors::tensor::TensorView::new(Dtype::F32, vec![2], &b).unwrap(),
            ),
        ]);
        safetensors::serialize(views, &None).unwrap()
    }

    #[test]
    fn linear_is_transposed_to_burn_layout() {
        let bytes = tiny_file();
        let ck = Checkpoint::parse(&bytes, Path::new("tiny")).unwrap();
        let device = Device::flex();
        let lin = ck.linear("l", 3, 2, &device).unwrap();
        assert_eq!(lin.weight.val().dims(), [3, 2]);
        // x = [1, 0, 0] picks column 0 of the PyTorch weight: [1, 4] + bias.
        let x = Tensor::<2>::from_data(TensorData::new(vec![1.0f32, 0.0, 0.0], [1, 3]), &device);
        let y: Vec<f32> = lin.forward(x).into_data().try_to_vec().unwrap();
        assert_eq!(y, vec![1.5, 3.5]);
    }

    #[test]
    fn wrong_shape_and_missing_names_are_errors() {
        let bytes = tiny_file();
        let ck = Checkpoint::parse(&bytes, Path::new("tiny")).unwrap();
        assert!(matches!(
            ck.f32s("l.weight", &[3, 2]),
            Err(TeacherError::ShapeMismatch { .. })
        ));
        assert!(matches!(
            ck.f32s("nope", &[1]),
            Err(TeacherError::MissingTensor { .. })
        ));
        assert!(matches!(
            Checkpoint::parse(b"garbage", Path::new("g")),
            Err(TeacherError::Safetensors { .. })
        ));
    }
}
