//! One KD training step of the student on wgpu (in CI: Mesa's software Vulkan driver, lavapipe)
//! against the same step on the flex CPU backend from the same initial weights: the loss and the
//! updated weights agree within 1e-4.
//!
//! `XDG_RUNTIME_DIR=/tmp cargo test -p edgekd-models --features wgpu,student --test wgpu_step`

#![cfg(all(feature = "wgpu", feature = "student"))]

use edgekd_models::backend::BackendKind;
use edgekd_models::burn::module::Module;
use edgekd_models::burn::optim::{AdamConfig, GradientsParams};
use edgekd_models::burn::prelude::*;
use edgekd_models::loss::kd_loss;
use edgekd_models::student::{Student, StudentConfig, StudentKind, TokenBatch};

const BUCKETS: usize = 64;

/// One Adam step on a 4-text batch; returns the loss and every updated weight, flattened.
fn kd_step(model: Student, device: &Device) -> (f32, Vec<f32>) {
    let ad = device.clone().autodiff();
    let model = model.fork(&ad).train();
    let texts: [&[u32]; 4] = [&[1, 5, 9], &[2, 2, 63, 40, 7], &[11], &[30, 31, 32, 33]];
    let batch = TokenBatch::new(&texts, BUCKETS, 1, &ad).unwrap();
    let teacher = Tensor::<2>::from_data(
        TensorData::new(vec![2.0f32, -1.0, -0.5, 1.5, 0.3, 0.1, -2.0, 2.0], [4, 2]),
        &ad,
    );
    let labels = Tensor::<1, Int>::from_data(TensorData::new(vec![0i64, 1, 0, 1], [4]), &ad);
    let loss = kd_loss(model.forward(&batch), teacher, labels, 2.0, 0.5);
    let value = loss
        .clone()
        .into_data()
        .convert::<f32>()
        .try_to_vec::<f32>()
        .unwrap()[0];
    let grads = GradientsParams::from_grads(loss.backward(), &model);
    let model = AdamConfig::new().init().step(1e-2, model, grads);
    let mut weights = vec![];
    for t in [
        model.embedding.weight.val().reshape([-1]),
        model.hidden.as_ref().unwrap().weight.val().reshape([-1]),
        model.output.weight.val().reshape([-1]),
    ] {
        weights.extend(t.into_data().convert::<f32>().try_to_vec::<f32>().unwrap());
    }
    (value, weights)
}

#[test]
fn a_kd_step_on_wgpu_matches_the_cpu() {
    let wgpu = BackendKind::Wgpu.device().unwrap_or_else(|e| {
        panic!("{e}: install a Vulkan driver (apt-get install mesa-vulkan-drivers libvulkan1)")
    });
    let cpu = Device::flex();
    cpu.seed(5);
    let cfg = StudentConfig::new(BUCKETS, 8, 2)
        .with_kind(StudentKind::Bag)
        .with_hidden(6);
    let model = cfg.init(&cpu).unwrap();
    let (cpu_loss, cpu_weights) = kd_step(model.clone(), &cpu);
    let (gpu_loss, gpu_weights) = kd_step(model.to_device(&wgpu), &wgpu);
    assert!(cpu_loss.is_finite() && cpu_loss > 0.0, "{cpu_loss}");
    assert!(
        (cpu_loss - gpu_loss).abs() < 1e-4,
        "loss {cpu_loss} vs {gpu_loss}"
    );
    assert_eq!(cpu_weights.len(), gpu_weights.len());
    let worst = cpu_weights
        .iter()
        .zip(&gpu_weights)
        .map(|(a, b)| (a - b).abs())
        .fold(0.0f32, f32::max);
    assert!(worst < 1e-4, "largest weight difference {worst}");
}
