//! The fused layer as a burn backend extension: [`TeacherKernels::fused_bert_layer`] runs
//! [`layer::forward`] on burn-flex tensors, and on `Autodiff<Flex>` it records one graph node
//! whose backward pass is [`layer::backward`] (all seventeen gradients in one step).

use std::sync::Arc;

use burn::backend::autodiff::checkpoint::base::Checkpointer;
use burn::backend::autodiff::checkpoint::strategy::CheckpointStrategy;
use burn::backend::autodiff::grads::Gradients;
use burn::backend::autodiff::ops::{Backward, Ops, OpsKind};
use burn::backend::flex::FlexTensor;
use burn::backend::tensor::FloatTensor;
use burn::backend::{backend_extension, Autodiff, Backend, ExtensionType, Flex};
use burn::tensor::{DType, TensorData};

use super::dropout::Dropout;
use super::layer::{self, LayerParams, LayerShape};

/// The sixteen parameters of a layer as backend tensors, in [`LayerParams`]' field order.
#[derive(ExtensionType, Debug)]
pub struct LayerWeights<B: Backend> {
    /// Query weight `[h, h]`.
    pub wq: FloatTensor<B>,
    /// Query bias `[h]`.
    pub bq: FloatTensor<B>,
    /// Key weight.
    pub wk: FloatTensor<B>,
    /// Key bias.
    pub bk: FloatTensor<B>,
    /// Value weight.
    pub wv: FloatTensor<B>,
    /// Value bias.
    pub bv: FloatTensor<B>,
    /// Attention output weight.
    pub wo: FloatTensor<B>,
    /// Attention output bias.
    pub bo: FloatTensor<B>,
    /// First LayerNorm scale.
    pub g1: FloatTensor<B>,
    /// First LayerNorm shift.
    pub b1: FloatTensor<B>,
    /// Intermediate weight `[h, i]`.
    pub wi: FloatTensor<B>,
    /// Intermediate bias `[i]`.
    pub bi: FloatTensor<B>,
    /// Output weight `[i, h]`.
    pub wf: FloatTensor<B>,
    /// Output bias `[h]`.
    pub bf: FloatTensor<B>,
    /// Second LayerNorm scale.
    pub g2: FloatTensor<B>,
    /// Second LayerNorm shift.
    pub b2: FloatTensor<B>,
}

impl<B: Backend> LayerWeights<B> {
    fn into_array(self) -> [FloatTensor<B>; 16] {
        [
            self.wq, self.bq, self.wk, self.bk, self.wv, self.bv, self.wo, self.bo, self.g1,
            self.b1, self.wi, self.bi, self.wf, self.bf, self.g2, self.b2,
        ]
    }
}

/// The teacher's fused CPU kernels.
#[backend_extension(Flex, Autodiff)]
pub trait TeacherKernels: Backend {
    /// One BERT layer over packed tokens.
    ///
    /// # Shapes
    /// - `x`: `[n, hidden]`, the tokens of all sequences, sequence `s` in rows
    ///   `offsets[s]..offsets[s + 1]` (`offsets[0] = 0`, last = `n`)
    /// - output: `[n, hidden]`
    fn fused_bert_layer(
        x: FloatTensor<Self>,
        #[extension_type] weights: LayerWeights<Self>,
        offsets: Vec<usize>,
        shape: LayerShape,
        dropout: Dropout,
    ) -> FloatTensor<Self>;
}

/// A contiguous `f32` tensor (copied only when it is not one already).
fn contiguous(t: FlexTensor) -> FlexTensor {
    assert_eq!(
        t.dtype(),
        DType::F32,
        "the fused teacher kernels run in f32"
    );
    if t.as_slice::<f32>().is_some() {
        t
    } else {
        t.to_contiguous()
    }
}

fn slice(t: &FlexTensor) -> &[f32] {
    t.as_slice::<f32>()
        .unwrap_or_else(|| panic!("tensor made contiguous is not: {:?}", t.layout()))
}

fn params_of(p: &[FlexTensor; 16]) -> LayerParams<'_> {
    LayerParams {
        wq: slice(&p[0]),
        bq: slice(&p[1]),
        wk: slice(&p[2]),
        bk: slice(&p[3]),
        wv: slice(&p[4]),
        bv: slice(&p[5]),
        wo: slice(&p[6]),
        bo: slice(&p[7]),
        g1: slice(&p[8]),
        b1: slice(&p[9]),
        wi: slice(&p[10]),
        bi: slice(&p[11]),
        wf: slice(&p[12]),
        bf: slice(&p[13]),
        g2: slice(&p[14]),
        b2: slice(&p[15]),
    }
}

fn tensor(values: Vec<f32>, like: &FlexTensor) -> FlexTensor {
    FlexTensor::from_data(TensorData::new(values, like.layout().shape().clone()))
}

impl TeacherKernels for Flex {
    fn fused_bert_layer(
        x: FlexTensor,
        weights: LayerWeights<Self>,
        offsets: Vec<usize>,
        shape: LayerShape,
        dropout: Dropout,
    ) -> FlexTensor {
        let x = contiguous(x);
        let params = weights.into_array().map(contiguous);
        let (out, _) = layer::forward(
            &params_of(&params),
            shape,
            &offsets,
            slice(&x),
            dropout,
            false,
        );
        tensor(out, &x)
    }
}

/// What the backward node keeps.
#[derive(Debug, Clone)]
struct FusedLayerState {
    cache: Arc<layer::LayerCache>,
    params: Arc<[FlexTensor; 16]>,
    x: FlexTensor,
    offsets: Arc<Vec<usize>>,
    shape: LayerShape,
    dropout: Dropout,
}

#[derive(Debug)]
struct FusedLayerBackward;

impl Backward<Flex, 17> for FusedLayerBackward {
    type State = FusedLayerState;

    fn backward(self, ops: Ops<Self::State, 17>, grads: &mut Gradients, _: &mut Checkpointer) {
        let s = ops.state;
        let dout = contiguous(grads.consume::<Flex>(&ops.node));
        let want: [bool; 16] = std::array::from_fn(|k| ops.parents[k + 1].is_some());
        let g = layer::backward(
            &params_of(&s.params),
            s.shape,
            &s.offsets,
            slice(&s.x),
            &s.cache,
            s.dropout,
            slice(&dout),
            ops.parents[0].is_some(),
            want,
        );
        if let (Some(node), Some(dx)) = (&ops.parents[0], g.x) {
            grads.register::<Flex>(node.id, tensor(dx, &s.x));
        }
        for (k, grad) in g.params.into_iter().enumerate() {
            if let (Some(node), Some(grad)) = (&ops.parents[k + 1], grad) {
                grads.register::<Flex>(node.id, tensor(grad, &s.params[k]));
            }
        }
    }
}

impl<C: CheckpointStrategy> TeacherKernels for Autodiff<Flex, C> {
    fn fused_bert_layer(
        x: FloatTensor<Self>,
        weights: LayerWeights<Self>,
        offsets: Vec<usize>,
        shape: LayerShape,
        dropout: Dropout,
    ) -> FloatTensor<Self> {
        let (x, x_guard) = x.into_parts();
        let mut guards = Vec::with_capacity(17);
        guards.push(x_guard);
        let params = weights.into_array().map(|w| {
            let (p, guard) = w.into_parts();
            guards.push(guard);
            contiguous(p)
        });
        let guards: [_; 17] = guards
            .try_into()
            .unwrap_or_else(|_| unreachable!("one guard per input"));
        let x = contiguous(x);
        match FusedLayerBackward
            .prepare::<C>(guards)
            .compute_bound()
            .stateful()
        {
            OpsKind::Tracked(prep) => {
                let (out, cache) = layer::forward(
                    &params_of(&params),
                    shape,
                    &offsets,
                    slice(&x),
                    dropout,
                    true,
                );
                let out = tensor(out, &x);
                let state = FusedLayerState {
                    cache: Arc::new(cache.unwrap_or_default()),
                    params: Arc::new(params),
                    x,
                    offsets: Arc::new(offsets),
                    shape,
                    dropout,
                };
                prep.finish(state, out)
            }
            OpsKind::UnTracked(prep) => {
                let (out, _) = layer::forward(
                    &params_of(&params),
                    shape,
                    &offsets,
                    slice(&x),
                    dropout,
                    false,
                );
                prep.finish(tensor(out, &x))
            }
        }
    }
}
