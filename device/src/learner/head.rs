//! The f32 master copy of the classifier head and its SGD step on the distillation loss.

use edgekd_shared::artifact::{Layer, Model};
use edgekd_shared::temperature::check_temperature;

use super::{softmax_with_temperature, LearnError, MAX_CLASSES};

/// Largest absolute value a weight or bias may take; a step beyond it is refused.
pub const GUARD_BOUND: f32 = 1.0e4;

/// `(inputs, outputs)` of `model`'s last layer when it is the Dense layer a head master trains.
pub fn head_dims(model: &Model<'_>) -> Option<(usize, usize)> {
    match model.layers.last()? {
        Layer::Dense {
            inputs, outputs, ..
        } => Some((usize::from(*inputs), usize::from(*outputs))),
        _ => None,
    }
}

/// Hyper-parameters of one update.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct LearnHyper {
    /// Distillation temperature `T`, in `[0.5, 20]`. The teacher probabilities must be taken at the same `T`.
    pub temperature: f32,
    /// SGD learning rate, in `(0, 1]`.
    pub learning_rate: f32,
}

/// What one accepted update did.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct StepReport {
    /// `T² · KL(teacher ‖ student)` before the step (nats).
    pub loss: f32,
    /// Whether the student's top class equalled the teacher's before the step.
    pub agreed: bool,
}

/// The head `z = W·x + b` in f32, with fixed capacity `W_CAP` for `W` (no allocation).
///
/// # Shapes
/// - `W`: `[out_dim, in_dim]` row-major, `in_dim · out_dim ≤ W_CAP`
/// - `b`: `[out_dim]`, `out_dim ≤` [`MAX_CLASSES`]
/// - `x` (the head's input, the dequantized penultimate activation): `[in_dim]`
#[derive(Clone, Debug)]
pub struct HeadLearner<const W_CAP: usize> {
    in_dim: usize,
    out_dim: usize,
    weights: [f32; W_CAP],
    bias: [f32; MAX_CLASSES],
    updates: u32,
}

impl<const W_CAP: usize> HeadLearner<W_CAP> {
    /// A learner with no head yet (all zero); usable in a `static`.
    pub const fn empty() -> Self {
        Self {
            in_dim: 0,
            out_dim: 0,
            weights: [0.0; W_CAP],
            bias: [0.0; MAX_CLASSES],
            updates: 0,
        }
    }

    /// Bytes of RAM the learner occupies.
    pub const fn ram_bytes() -> usize {
        core::mem::size_of::<Self>()
    }

    /// Replaces the head by `weights` `[out_dim, in_dim]` and `bias` `[out_dim]`, given as little-endian f32
    /// bytes (the layout of the artifact's head master). The update count restarts at 0.
    pub fn load_le_bytes(
        &mut self,
        in_dim: usize,
        out_dim: usize,
        weights: &[u8],
        bias: &[u8],
    ) -> Result<(), LearnError> {
        let n = check_shape(in_dim, out_dim, W_CAP)?;
        expect_len("head weights (bytes)", n * 4, weights.len())?;
        expect_len("head bias (bytes)", out_dim * 4, bias.len())?;
        let all = weights.chunks_exact(4).chain(bias.chunks_exact(4));
        if all.map(le_f32).any(|v| !within_guard(v)) {
            return Err(LearnError::BadInitialHead);
        }
        for (w, b) in self.weights.iter_mut().zip(weights.chunks_exact(4)) {
            *w = le_f32(b);
        }
        for (w, b) in self.bias.iter_mut().zip(bias.chunks_exact(4)) {
            *w = le_f32(b);
        }
        self.in_dim = in_dim;
        self.out_dim = out_dim;
        self.updates = 0;
        Ok(())
    }

    /// Replaces the head by `model`'s f32 head master, shaped as its last Dense layer (what the
    /// device learns from after a flash, and the host's copy of it).
    pub fn load_model_head(&mut self, model: &Model<'_>) -> Result<(), LearnError> {
        match (head_dims(model), &model.head) {
            (Some((i, o)), Some(h)) => self.load_le_bytes(i, o, h.weights, h.bias),
            _ => Err(LearnError::NoHeadMaster),
        }
    }

    /// Replaces the head by f32 slices (host convenience; same checks as [`Self::load_le_bytes`]).
    pub fn load(
        &mut self,
        in_dim: usize,
        out_dim: usize,
        weights: &[f32],
        bias: &[f32],
    ) -> Result<(), LearnError> {
        let n = check_shape(in_dim, out_dim, W_CAP)?;
        expect_len("head weights", n, weights.len())?;
        expect_len("head bias", out_dim, bias.len())?;
        if weights.iter().chain(bias).any(|&v| !within_guard(v)) {
            return Err(LearnError::BadInitialHead);
        }
        // Indexing stays: `check_shape` has proven n ≤ W_CAP and out_dim ≤ MAX_CLASSES, the
        // arrays' lengths (an invariant every setter keeps, so `weights()` and `bias()` too).
        self.weights[..n].copy_from_slice(weights);
        self.bias[..out_dim].copy_from_slice(bias);
        self.in_dim = in_dim;
        self.out_dim = out_dim;
        self.updates = 0;
        Ok(())
    }

    /// Sets the shape and hands out the weight `[out_dim · in_dim]` and bias `[out_dim]` buffers to be
    /// filled in place (the journal restores a snapshot this way without a second copy on the stack).
    /// [`Self::finish_raw`] must follow.
    pub(super) fn raw_parts_mut(
        &mut self,
        in_dim: usize,
        out_dim: usize,
    ) -> Result<(&mut [f32], &mut [f32]), LearnError> {
        let n = check_shape(in_dim, out_dim, W_CAP)?;
        self.in_dim = in_dim;
        self.out_dim = out_dim;
        Ok((&mut self.weights[..n], &mut self.bias[..out_dim]))
    }

    /// Checks the values filled through [`Self::raw_parts_mut`] and sets the update count.
    pub(super) fn finish_raw(&mut self, updates: u32) -> Result<(), LearnError> {
        if self
            .weights()
            .iter()
            .chain(self.bias())
            .any(|&v| !within_guard(v))
        {
            self.out_dim = 0;
            return Err(LearnError::BadInitialHead);
        }
        self.updates = updates;
        Ok(())
    }

    /// Input width of the head.
    pub fn in_dim(&self) -> usize {
        self.in_dim
    }

    /// Number of classes.
    pub fn out_dim(&self) -> usize {
        self.out_dim
    }

    /// Accepted updates since the head was loaded.
    pub fn updates(&self) -> u32 {
        self.updates
    }

    /// `W` `[out_dim, in_dim]`.
    pub fn weights(&self) -> &[f32] {
        &self.weights[..self.in_dim * self.out_dim]
    }

    /// `b` `[out_dim]`.
    pub fn bias(&self) -> &[f32] {
        &self.bias[..self.out_dim]
    }

    /// Logits `z = W·x + b` into `out[..out_dim]`.
    pub fn logits(&self, x: &[f32], out: &mut [f32]) -> Result<(), LearnError> {
        self.check_input(x)?;
        if out.len() < self.out_dim {
            return Err(LearnError::LengthMismatch {
                what: "logits buffer",
                expected: self.out_dim,
                found: out.len(),
            });
        }
        for (c, z) in out.iter_mut().take(self.out_dim).enumerate() {
            let row = &self.weights[c * self.in_dim..(c + 1) * self.in_dim];
            let mut acc = self.bias[c];
            for (w, v) in row.iter().zip(x) {
                acc += w * v;
            }
            *z = acc;
        }
        Ok(())
    }

    /// The class with the largest logit (the first on ties).
    pub fn predict(&self, x: &[f32]) -> Result<usize, LearnError> {
        let mut z = [0.0f32; MAX_CLASSES];
        self.logits(x, &mut z)?;
        Ok(first_argmax(&z[..self.out_dim]))
    }

    /// One SGD step on `T² · KL(teacher ‖ softmax(z/T))`, whose gradient with respect to `z` is
    /// `T · (softmax(z/T) − teacher)`.
    ///
    /// Every input is checked first; the new weights are checked before any is written, so on `Err` the
    /// head is unchanged.
    pub fn step(
        &mut self,
        x: &[f32],
        teacher: &[f32],
        hyper: LearnHyper,
    ) -> Result<StepReport, LearnError> {
        let t = hyper.temperature;
        let lr = hyper.learning_rate;
        if !(check_temperature(t).is_ok() && lr > 0.0 && lr <= 1.0) {
            return Err(LearnError::BadHyper);
        }
        self.check_input(x)?;
        let k = self.out_dim;
        check_soft_label(teacher, k)?;

        let mut z = [0.0f32; MAX_CLASSES];
        self.logits(x, &mut z)?;
        let mut p = [0.0f32; MAX_CLASSES];
        if !softmax_with_temperature(&z[..k], t, &mut p[..k]) {
            return Err(LearnError::StepOverflow);
        }
        let mut loss = 0.0f32;
        let mut grad = [0.0f32; MAX_CLASSES];
        for c in 0..k {
            let q = teacher[c];
            if q > 0.0 {
                loss += q * (libm::logf(q) - libm::logf(p[c].max(f32::MIN_POSITIVE)));
            }
            grad[c] = lr * (t * (p[c] - q));
        }
        loss *= t * t;
        let agreed = first_argmax(&z[..k]) == first_argmax(&teacher[..k]);

        // Check every new value, then write them: the same expressions in both passes.
        let n = self.in_dim;
        let rows = || {
            self.weights[..k * n]
                .chunks_exact(n)
                .zip(&self.bias[..k])
                .zip(&grad[..k])
        };
        for ((row, b), g) in rows() {
            if !within_guard(b - g) || row.iter().zip(x).any(|(w, v)| !within_guard(w - g * v)) {
                return Err(LearnError::StepOverflow);
            }
        }
        let rows = self.weights[..k * n]
            .chunks_exact_mut(n)
            .zip(&mut self.bias[..k])
            .zip(&grad[..k]);
        for ((row, b), g) in rows {
            *b -= g;
            for (w, v) in row.iter_mut().zip(x) {
                *w -= g * v;
            }
        }
        self.updates = self.updates.wrapping_add(1);
        Ok(StepReport { loss, agreed })
    }

    fn check_input(&self, x: &[f32]) -> Result<(), LearnError> {
        if self.out_dim == 0 {
            return Err(LearnError::BadShape {
                in_dim: self.in_dim,
                out_dim: 0,
            });
        }
        expect_len("head input", self.in_dim, x.len())?;
        match x.iter().position(|v| !v.is_finite()) {
            Some(index) => Err(LearnError::NonFiniteInput { index }),
            None => Ok(()),
        }
    }
}

/// Checks teacher probabilities: `k` finite values in `[0, 1]` summing to 1 within 1e-3.
fn check_soft_label(teacher: &[f32], k: usize) -> Result<(), LearnError> {
    expect_len("teacher probabilities", k, teacher.len())?;
    let mut sum = 0.0f32;
    for (class, &q) in teacher.iter().enumerate() {
        if !(q.is_finite() && (0.0..=1.0).contains(&q)) {
            return Err(LearnError::BadSoftLabel { class });
        }
        sum += q;
    }
    if (sum - 1.0).abs() > 1e-3 {
        return Err(LearnError::SoftLabelSum { sum });
    }
    Ok(())
}

fn check_shape(in_dim: usize, out_dim: usize, capacity: usize) -> Result<usize, LearnError> {
    if in_dim == 0 || out_dim == 0 || out_dim > MAX_CLASSES {
        return Err(LearnError::BadShape { in_dim, out_dim });
    }
    let weights = in_dim.saturating_mul(out_dim);
    if weights > capacity {
        return Err(LearnError::HeadTooLarge { weights, capacity });
    }
    Ok(weights)
}

fn expect_len(what: &'static str, expected: usize, found: usize) -> Result<(), LearnError> {
    if expected == found {
        Ok(())
    } else {
        Err(LearnError::LengthMismatch {
            what,
            expected,
            found,
        })
    }
}

fn within_guard(v: f32) -> bool {
    v.is_finite() && v.abs() <= GUARD_BOUND
}

fn le_f32(bytes: &[u8]) -> f32 {
    let mut b = [0u8; 4];
    b.copy_from_slice(bytes);
    f32::from_le_bytes(b)
}

fn first_argmax(values: &[f32]) -> usize {
    let mut best = 0;
    for (i, v) in values.iter().enumerate() {
        if *v > values[best] {
            best = i;
        }
    }
    best
}

impl<const W_CAP: usize> HeadLearner<W_CAP> {
    /// Makes `self` an exact copy of `other` (shape, weights, bias, update count) in place, with no
    /// `W_CAP`-sized temporary on the stack (the protocol server keeps the last committed head).
    pub fn copy_from(&mut self, other: &Self) {
        self.in_dim = other.in_dim;
        self.out_dim = other.out_dim;
        self.updates = other.updates;
        self.weights.copy_from_slice(&other.weights);
        self.bias = other.bias;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use edgekd_shared::artifact::sample::{sample, SampleKind};
    use edgekd_shared::artifact::{decode, VerifyPolicy};

    type Learner = HeadLearner<64>;

    fn hyper() -> LearnHyper {
        LearnHyper {
            temperature: 2.0,
            learning_rate: 0.1,
        }
    }

    fn two_class() -> Learner {
        let mut l = Learner::empty();
        l.load(3, 2, &[0.5, -0.25, 0.0, -0.5, 0.25, 0.0], &[0.0, 0.1])
            .unwrap();
        l
    }

    #[test]
    fn gradient_matches_finite_differences() {
        let l = two_class();
        let x = [1.0f32, 2.0, -1.0];
        let q = [0.8f32, 0.2];
        let t = 2.0f32;
        let loss = |l: &Learner| -> f64 {
            let mut z = [0.0f32; 2];
            l.logits(&x, &mut z).unwrap();
            let (a, b) = (z[0] as f64 / t as f64, z[1] as f64 / t as f64);
            let m = a.max(b);
            let lse = m + ((a - m).exp() + (b - m).exp()).ln();
            let p = [(a - lse).exp(), (b - lse).exp()];
            (t * t) as f64
                * q.iter()
                    .zip(p)
                    .map(|(&q, p)| q as f64 * (q as f64 / p).ln())
                    .sum::<f64>()
        };
        let mut stepped = l.clone();
        let lr = 1e-3f32;
        let report = stepped
            .step(
                &x,
                &q,
                LearnHyper {
                    temperature: t,
                    learning_rate: lr,
                },
            )
            .unwrap();
        assert!((report.loss as f64 - loss(&l)).abs() < 1e-5);
        // For each weight: the step equals −lr·∂L/∂w, checked by central differences.
        for i in 0..6 {
            let h = 1e-3f32;
            let (mut plus, mut minus) = (l.clone(), l.clone());
            plus.weights[i] += h;
            minus.weights[i] -= h;
            let numeric = (loss(&plus) - loss(&minus)) / (2.0 * h as f64);
            let taken = (l.weights[i] - stepped.weights[i]) as f64 / lr as f64;
            assert!(
                (numeric - taken).abs() < 1e-2,
                "weight {i}: {numeric} vs {taken}"
            );
        }
    }

    #[test]
    fn repeated_steps_move_the_student_to_the_teacher() {
        let mut l = two_class();
        let x = [1.0f32, 2.0, -1.0];
        let q = [0.9f32, 0.1];
        let first = l.step(&x, &q, hyper()).unwrap();
        assert!(!first.agreed);
        let mut last = first;
        for _ in 0..50 {
            last = l.step(&x, &q, hyper()).unwrap();
        }
        assert!(last.loss < first.loss / 10.0);
        assert_eq!(l.predict(&x).unwrap(), 0);
        assert_eq!(l.updates(), 51);
    }

    #[test]
    fn bad_soft_labels_leave_the_head_untouched() {
        let mut l = two_class();
        let before = l.clone();
        let x = [1.0f32, 2.0, -1.0];
        assert_eq!(
            l.step(&x, &[f32::NAN, 1.0], hyper()),
            Err(LearnError::BadSoftLabel { class: 0 })
        );
        assert_eq!(
            l.step(&x, &[-0.5, 1.5], hyper()),
            Err(LearnError::BadSoftLabel { class: 0 })
        );
        assert!(matches!(
            l.step(&x, &[0.7, 0.7], hyper()),
            Err(LearnError::SoftLabelSum { .. })
        ));
        assert!(matches!(
            l.step(&x, &[1.0], hyper()),
            Err(LearnError::LengthMismatch { .. })
        ));
        assert_eq!(
            l.step(&[f32::INFINITY, 0.0, 0.0], &[0.5, 0.5], hyper()),
            Err(LearnError::NonFiniteInput { index: 0 })
        );
        assert_eq!(
            l.step(
                &x,
                &[0.5, 0.5],
                LearnHyper {
                    temperature: f32::NAN,
                    learning_rate: 0.1
                }
            ),
            Err(LearnError::BadHyper)
        );
        assert_eq!(l.weights(), before.weights());
        assert_eq!(l.bias(), before.bias());
        assert_eq!(l.updates(), 0);
    }

    #[test]
    fn a_step_that_would_overflow_is_refused_whole() {
        let mut l = two_class();
        let before = l.clone();
        let huge = [1.0e6f32, 0.0, 0.0];
        assert_eq!(
            l.step(
                &huge,
                &[0.0, 1.0],
                LearnHyper {
                    temperature: 1.0,
                    learning_rate: 1.0
                }
            ),
            Err(LearnError::StepOverflow)
        );
        assert_eq!(l.weights(), before.weights());
        assert_eq!(l.bias(), before.bias());
    }

    #[test]
    fn shapes_and_capacity_are_checked() {
        let mut l = Learner::empty();
        assert_eq!(
            l.load(33, 2, &[0.0; 66], &[0.0; 2]),
            Err(LearnError::HeadTooLarge {
                weights: 66,
                capacity: 64
            })
        );
        assert!(matches!(
            l.load(1, 17, &[0.0; 17], &[0.0; 17]),
            Err(LearnError::BadShape { .. })
        ));
        assert_eq!(
            l.load(2, 2, &[0.0, f32::NAN, 0.0, 0.0], &[0.0; 2]),
            Err(LearnError::BadInitialHead)
        );
        assert!(matches!(
            l.predict(&[0.0]),
            Err(LearnError::BadShape { .. })
        ));
    }

    #[test]
    fn le_bytes_load_equals_slice_load() {
        let w = [0.5f32, -0.25, 0.0, -0.5, 0.25, 0.0];
        let b = [0.0f32, 0.1];
        let wb: std::vec::Vec<u8> = w.iter().flat_map(|v| v.to_le_bytes()).collect();
        let bb: std::vec::Vec<u8> = b.iter().flat_map(|v| v.to_le_bytes()).collect();
        let mut l = Learner::empty();
        l.load_le_bytes(3, 2, &wb, &bb).unwrap();
        assert_eq!(l.weights(), two_class().weights());
        assert_eq!(l.bias(), two_class().bias());
        assert!(matches!(
            l.load_le_bytes(3, 2, &wb[..20], &bb),
            Err(LearnError::LengthMismatch { .. })
        ));
    }

    #[test]
    fn the_head_master_loads_in_the_shape_of_the_last_dense_layer() {
        let bytes = sample(SampleKind::Bag, 3, None).unwrap().bytes;
        let model = decode(&bytes, VerifyPolicy::AllowUnsigned).unwrap();
        let mut l = HeadLearner::<64>::empty();
        l.load_model_head(&model).unwrap();
        assert_eq!((l.in_dim(), l.out_dim()), (12, 3));
        let head = model.head.as_ref().unwrap();
        assert_eq!(l.weights()[0].to_le_bytes(), head.weights[..4]);
        assert_eq!(l.bias()[2].to_le_bytes(), head.bias[8..12]);

        let conv = sample(SampleKind::Conv, 3, None).unwrap().bytes;
        let conv = decode(&conv, VerifyPolicy::AllowUnsigned).unwrap();
        assert_eq!(l.load_model_head(&conv), Err(LearnError::NoHeadMaster));
        assert_eq!(
            (l.in_dim(), l.out_dim()),
            (12, 3),
            "a refusal keeps the head"
        );
    }
}
