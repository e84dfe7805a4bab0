//! Training losses: knowledge distillation (KD) and plain fine-tuning (FT) on hard labels.

use burn::prelude::*;
use burn::tensor::activation::log_softmax;

/// Cross-entropy on hard labels, averaged over the batch.
///
/// # Shapes
/// - `logits`: `[batch, classes]`
/// - `labels`: `[batch]`, class indices
/// - output: `[1]`
pub fn cross_entropy(logits: Tensor<2>, labels: Tensor<1, Int>) -> Tensor<1> {
    let [batch, _] = logits.dims();
    let log_probs = log_softmax(logits, 1);
    let picked = log_probs.gather(1, labels.reshape([batch, 1]));
    picked.mean().neg()
}

/// KL divergence KL(softmax(teacher/T) ‖ softmax(student/T)), summed over classes and averaged
/// over the batch (nats).
///
/// # Shapes
/// - `student`, `teacher`: `[batch, classes]` logits
/// - output: `[1]`
pub fn kl_at_temperature(student: Tensor<2>, teacher: Tensor<2>, temperature: f32) -> Tensor<1> {
    let [batch, _] = student.dims();
    let log_q = log_softmax(student.div_scalar(temperature), 1);
    let log_p = log_softmax(teacher.div_scalar(temperature), 1).detach();
    let p = log_p.clone().exp();
    (p * (log_p - log_q)).sum().div_scalar(batch as f32)
}

/// Knowledge-distillation loss `T²·KL(softmax(t/T) ‖ softmax(s/T)) + α·CE(s, y)`, batch mean.
///
/// The `T²` factor keeps the soft-label gradients on the same scale as the hard-label ones
/// (Hinton et al., 2015). `alpha = 0` is pure distillation.
///
/// # Shapes
/// - `student`, `teacher`: `[batch, classes]` logits
/// - `labels`: `[batch]`
/// - output: `[1]`
pub fn kd_loss(
    student: Tensor<2>,
    teacher: Tensor<2>,
    labels: Tensor<1, Int>,
    temperature: f32,
    alpha: f32,
) -> Tensor<1> {
    let kl = kl_at_temperature(student.clone(), teacher, temperature)
        .mul_scalar(temperature * temperature);
    if alpha == 0.0 {
        kl
    } else {
        kl + cross_entropy(student, labels).mul_scalar(alpha)
    }
}

/// Fine-tuning loss: cross-entropy on hard labels (the paper's baseline).
pub fn ft_loss(student: Tensor<2>, labels: Tensor<1, Int>) -> Tensor<1> {
    cross_entropy(student, labels)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t2(values: Vec<f32>, rows: usize, device: &Device) -> Tensor<2> {
        let cols = values.len() / rows;
        Tensor::from_data(TensorData::new(values, [rows, cols]), device)
    }

    fn labels(values: Vec<i64>, device: &Device) -> Tensor<1, Int> {
        let n = values.len();
        Tensor::from_data(TensorData::new(values, [n]), device)
    }

    fn scalar(t: Tensor<1>) -> f32 {
        t.into_data().convert::<f32>().try_to_vec::<f32>().unwrap()[0]
    }

    // Expected values computed by hand (log-sum-exp in f64):
    //  s = [0, 0], t = [ln 3, 0], y = 0:
    //    T = 1: KL = 0.75·ln 1.5 + 0.25·ln 0.5 = 0.130812; CE = ln 2; α = 0.5 → 0.4773856
    //    T = 2, α = 0: p = [√3, 1]/(√3+1); 4·KL = 0.1453631
    #[test]
    fn kd_two_classes_by_hand() {
        let device = Device::flex();
        let s = t2(vec![0.0, 0.0], 1, &device);
        let t = t2(vec![3f32.ln(), 0.0], 1, &device);
        let y = labels(vec![0], &device);
        let v1 = scalar(kd_loss(s.clone(), t.clone(), y.clone(), 1.0, 0.5));
        assert!((v1 - 0.477_385_6).abs() < 1e-5, "{v1}");
        let v2 = scalar(kd_loss(s, t, y, 2.0, 0.0));
        assert!((v2 - 0.145_363_1).abs() < 1e-5, "{v2}");
    }

    //  Batch of two, 3 classes, T = 3, α = 0.25:
    //    s = [1,2,3], t = [3,1,0], y = 2 → 2.2427174
    //    s = t = [0,0,0], y = 1 → KL 0, CE = ln 3 → 0.25·1.0986123 = 0.2746531
    //    mean = 1.2586853
    #[test]
    fn kd_batch_mean_by_hand() {
        let device = Device::flex();
        let s = t2(vec![1.0, 2.0, 3.0, 0.0, 0.0, 0.0], 2, &device);
        let t = t2(vec![3.0, 1.0, 0.0, 0.0, 0.0, 0.0], 2, &device);
        let v = scalar(kd_loss(s, t, labels(vec![2, 1], &device), 3.0, 0.25));
        assert!((v - 1.258_685_3).abs() < 1e-5, "{v}");
    }

    //  CE([1,2,3], y=2) = 0.4076060; CE([1,2,3], y=0) = 2.4076060.
    #[test]
    fn ft_is_cross_entropy_by_hand() {
        let device = Device::flex();
        let s = t2(vec![1.0, 2.0, 3.0, 1.0, 2.0, 3.0], 2, &device);
        let v = scalar(ft_loss(s, labels(vec![2, 0], &device)));
        assert!((v - (0.407_606 + 2.407_606) / 2.0).abs() < 1e-5, "{v}");
    }

    #[test]
    fn kd_gradient_flows_to_student_only() {
        let device = Device::flex().autodiff();
        let s = t2(vec![0.5, -0.5], 1, &device).require_grad();
        let t = t2(vec![2.0, 0.0], 1, &device).require_grad();
        let loss = kd_loss(s.clone(), t.clone(), labels(vec![0], &device), 2.0, 0.0);
        let grads = loss.backward();
        let gs: Vec<f32> = s
            .grad(&grads)
            .unwrap()
            .into_data()
            .convert::<f32>()
            .try_to_vec()
            .unwrap();
        // d/ds of T²·KL at T: T·(softmax(s/T) − softmax(t/T)); the teacher is pushed up.
        assert!(gs[0] < 0.0 && gs[1] > 0.0, "{gs:?}");
        if let Some(gt) = t.grad(&grads) {
            let gt: Vec<f32> = gt.into_data().convert::<f32>().try_to_vec().unwrap();
            assert!(
                gt.iter().all(|g| *g == 0.0),
                "teacher got a gradient: {gt:?}"
            );
        }
    }
}
