//! Instructions per inference of the default student's shape
//! (`edgekd_shared::artifact::sample::default_student`: EmbedBag 32768×6 → Dense 6→64 → Dense
//! 64→2, 199 KB) on the emulated core closest to each board:
//!
//! - nRF52840 DK (Cortex-M4F): the emulated board's `server` built for `thumbv7em-none-eabihf`
//!   (SMLAD kernels), run on QEMU's Cortex-M4;
//! - Raspberry Pi Pico (Cortex-M0+): the same `server` built for `thumbv6m-none-eabi` (the
//!   ARMv6-M instruction set, portable kernels), run on the same emulated Cortex-M4, which executes
//!   ARMv6-M code unchanged. QEMU 7.2 has no Cortex-M0+ machine with the RAM the server needs (its
//!   `microbit` has 16 KiB), so these are the M0+'s instructions, not its cycles.
//!
//! Every prediction must equal the host engine's bit for bit. A missing prerequisite
//! (`qemu-system-arm`, a Rust target) fails the test.

use edgekd_device::board::QEMU_MPS2_AN386;
use edgekd_host::firmware;
use edgekd_host::qemu::{missing_prerequisite, QemuDevice, QemuOptions};
use edgekd_shared::artifact::sample::default_student;
use edgekd_tests::qemu_env::{host_prediction, sentences, temp_dir, test_key, test_public_key_hex};

/// Sentences per core.
const TEXTS: usize = 200;

#[test]
fn default_student_instructions_per_inference_on_the_emulated_cores() {
    if let Some(why) = missing_prerequisite() {
        panic!("instruction counts need QEMU and the thumbv7em target: {why}");
    }
    let artifact = default_student(5, Some(&test_key()))
        .unwrap_or_else(|e| panic!("default student: {e}"))
        .bytes;
    let texts = sentences(TEXTS, 77);
    let dir = temp_dir();
    for (board, target) in [
        (
            "nRF52840 DK: Cortex-M4F, DSP kernels",
            "thumbv7em-none-eabihf",
        ),
        (
            "Pico: ARMv6-M image, portable kernels",
            "thumbv6m-none-eabi",
        ),
    ] {
        let elf = firmware::build_for(
            &QEMU_MPS2_AN386,
            target,
            &test_public_key_hex(),
            Some("server"),
        )
        .unwrap_or_else(|e| panic!("{target}: {e}"))
        .join("server");
        let dev = QemuDevice::start(
            &elf,
            &dir.path().join(format!("{target}.flash")),
            QemuOptions::default(),
        )
        .unwrap_or_else(|e| panic!("{target}: start QEMU: {e}"));
        let mut c = dev.client().unwrap_or_else(|e| panic!("client: {e}"));
        c.hello()
            .unwrap_or_else(|e| panic!("{target}: hello: {e}\n{}", dev.console()));
        c.flash(&artifact, |_, _| {})
            .unwrap_or_else(|e| panic!("{target}: flash: {e}\n{}", dev.console()));
        let mut insns: Vec<u32> = texts
            .iter()
            .map(|t| {
                let p = c
                    .infer(t)
                    .unwrap_or_else(|e| panic!("{target}: infer {t:?}: {e}"));
                assert_eq!(
                    (p.label, p.logits.clone()),
                    host_prediction(&artifact, t),
                    "{target}: device and host disagree on {t:?}"
                );
                p.instructions
            })
            .collect();
        assert!(
            insns.iter().all(|&n| n > 0),
            "{target}: counts must be measured"
        );
        insns.sort_unstable();
        let mean = insns.iter().map(|&n| u64::from(n)).sum::<u64>() / insns.len() as u64;
        println!(
            "{board} ({target}): default student ({} B), {TEXTS} sentences of 3..24 words identical to the host; \
             instructions per inference min {} median {} mean {mean} max {}",
            artifact.len(),
            insns[0],
            insns[insns.len() / 2],
            insns[insns.len() - 1],
        );
    }
}
