//! The teacher's encoder layer as fused CPU kernels on packed tokens, for burn-flex.
//!
//! burn runs a BERT layer as some twenty tensor operations, each allocating its output, with
//! padding to the longest text of a batch and (when training) an autodiff node per operation. Here
//! a layer is one burn operation ([`TeacherKernels::fused_bert_layer`], a backend extension) over
//! the real tokens only (sequences packed one after the other, so no padding is computed and
//! attention needs no mask), whose backward pass is written out by hand:
//!
//! ```text
//! matmul      strided C (+)= A·B through the gemm crate (burn-flex's kernels, AVX-512)
//! attention   per sequence and head: scores, softmax, context; and the backward pass
//! layer_norm  residual + LayerNorm, keeping x̂ and 1/σ for the backward pass
//! gelu        exact GELU (erf to 5e-7), vectorised
//! dropout     masks from a counter-based hash, regenerated in the backward pass
//! layer       the whole layer, forward and backward, on f32 slices
//! extension   the burn glue: Flex (inference) and Autodiff<Flex> (training)
//! ```
//! Other backends (wgpu, ndarray) run the reference modules of `super::layer`; the two agree to
//! within f32 rounding (`tests/teacher_fixture.rs`).

mod attention;
mod dropout;
mod extension;
mod gelu;
mod layer;
mod layer_norm;
mod matmul;
mod simd;

pub use dropout::Dropout;
pub use extension::{LayerWeights, TeacherKernels};
pub use layer::LayerShape;
