//! `TeacherId`: a content hash that names one exact teacher (checkpoint and every weight).

use std::fmt;

use burn::module::{ModuleVisitor, Param};
use burn::prelude::*;
use sha2::{Digest, Sha256};

use super::error::{Result, TeacherError};

/// SHA-256 over the pretrained checkpoint's hash and every float parameter of the teacher
/// (encoder and head, in module order), so a fine-tuned or re-headed teacher gets a new id.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TeacherId(pub [u8; 32]);

impl TeacherId {
    /// Hashes `checkpoint_sha256` and the parameters of `module`.
    pub fn compute<M: Module>(checkpoint_sha256: &[u8; 32], module: &M) -> Result<Self> {
        let mut visitor = HashVisitor {
            hasher: Sha256::new(),
            error: None,
        };
        visitor.hasher.update(b"edgekd-teacher-v1");
        visitor.hasher.update(checkpoint_sha256);
        module.visit(&mut visitor);
        if let Some(e) = visitor.error {
            return Err(e);
        }
        Ok(Self(visitor.hasher.finalize().into()))
    }

    /// Lower-case hex, 64 characters.
    pub fn to_hex(&self) -> String {
        edgekd_shared::hex::hex(&self.0)
    }
}

impl fmt::Display for TeacherId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_hex())
    }
}

impl fmt::Debug for TeacherId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "TeacherId({})", &self.to_hex()[..16])
    }
}

struct HashVisitor {
    hasher: Sha256,
    error: Option<TeacherError>,
}

impl ModuleVisitor for HashVisitor {
    fn visit_float<const D: usize>(&mut self, param: &Param<Tensor<D>>) {
        if self.error.is_some() {
            return;
        }
        let tensor = param.val();
        for d in tensor.dims() {
            self.hasher.update((d as u64).to_le_bytes());
        }
        match tensor.into_data().try_into_vec::<f32>() {
            Ok(values) => {
                for v in values {
                    self.hasher.update(v.to_le_bytes());
                }
            }
            Err(e) => self.error = Some(TeacherError::burn("reading a parameter to hash it", e)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use burn::nn::LinearConfig;

    #[test]
    fn id_changes_with_weights_and_checkpoint() {
        let device = Device::flex();
        device.seed(7);
        let a = LinearConfig::new(4, 2).init(&device);
        let b = LinearConfig::new(4, 2).init(&device);
        let ck = [1u8; 32];
        let ida = TeacherId::compute(&ck, &a).unwrap();
        assert_eq!(ida, TeacherId::compute(&ck, &a.clone()).unwrap());
        assert_ne!(ida, TeacherId::compute(&ck, &b).unwrap());
        assert_ne!(ida, TeacherId::compute(&[2u8; 32], &a).unwrap());
        assert_eq!(ida.to_hex().len(), 64);
    }
}
