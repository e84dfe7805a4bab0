//! The `server` firmware on QEMU, end to end: flash a signed model over the UART, evaluate
//! against the host's engine, power cuts in the middle of a flash, and refusals.
//!
//! Skips (printing why) only when `qemu-system-arm` or the `thumbv7em-none-eabihf` target is
//! missing, and fails then instead under `EDGEKD_REQUIRE_ALL=1` (CI). Each test runs its own
//! emulator with its own flash file.

use std::time::Instant;

use ed25519_dalek::SigningKey;
use edgekd_host::device::{ClientError, DeviceClient};
use edgekd_host::qemu::{QemuDevice, QemuOptions};
use edgekd_shared::artifact::model_id;
use edgekd_shared::artifact::sample::SampleKind;
use edgekd_shared::protocol::{encode_frame, BoardProfileId, ErrorCode, Request};
use edgekd_tests::qemu_env::{firmware, host_prediction, model, sentences, temp_dir, test_key};

type Client = DeviceClient<std::net::TcpStream>;

fn start(flash: &std::path::Path) -> Option<QemuDevice> {
    let fw = firmware()?;
    Some(
        QemuDevice::start(&fw, flash, QemuOptions::default())
            .unwrap_or_else(|e| panic!("start QEMU: {e}")),
    )
}

fn client(dev: &QemuDevice) -> Client {
    let mut c = dev.client().unwrap_or_else(|e| panic!("client: {e}"));
    let hello = c
        .hello()
        .unwrap_or_else(|e| panic!("hello: {e}\nconsole:\n{}", dev.console()));
    assert_eq!(hello.profile, BoardProfileId::M4_1M);
    c
}

/// Asserts that the device's predictions for `texts` equal the host engine's over `artifact`.
fn assert_serves(c: &mut Client, artifact: &[u8], texts: &[String]) -> Vec<u32> {
    texts
        .iter()
        .map(|t| {
            let p = c.infer(t).unwrap_or_else(|e| panic!("infer {t:?}: {e}"));
            let (label, logits) = host_prediction(artifact, t);
            assert_eq!(
                (p.label, p.logits.clone()),
                (label, logits),
                "device and host disagree on {t:?}"
            );
            p.instructions
        })
        .collect()
}

fn assert_active(c: &mut Client, artifact: &[u8]) {
    let info = c.info().unwrap_or_else(|e| panic!("info: {e}"));
    assert_eq!(
        info.model_id,
        model_id(artifact).ok(),
        "active model: {info:?}"
    );
    assert_eq!(info.model_len as usize, artifact.len());
}

fn device_code(r: Result<impl std::fmt::Debug, ClientError>) -> ErrorCode {
    match r {
        Err(ClientError::Device { code, .. }) => code,
        other => panic!("expected a device error reply, got {other:?}"),
    }
}

#[test]
fn qemu_eval_500_sentences_bit_exact_with_host() {
    let dir = temp_dir();
    let Some(dev) = start(&dir.path().join("eval.flash")) else {
        return;
    };
    let mut c = client(&dev);
    let artifact = model(SampleKind::Bag, 11, Some(&test_key()));
    let report = c
        .flash(&artifact, |_, _| {})
        .unwrap_or_else(|e| panic!("flash: {e}"));
    assert_eq!(report.len as usize, artifact.len());
    assert_active(&mut c, &artifact);

    let texts = sentences(500, 2026);
    let t0 = Instant::now();
    let insns = assert_serves(&mut c, &artifact, &texts);
    let elapsed = t0.elapsed();
    let stats = c.stats().unwrap_or_else(|e| panic!("stats: {e}"));
    let info = c.info().unwrap_or_else(|e| panic!("info: {e}"));
    assert_eq!(stats.inferences, 500);
    assert!(
        insns.iter().all(|&n| n > 0),
        "instruction counts must be measured"
    );
    let mean = insns.iter().map(|&n| u64::from(n)).sum::<u64>() / insns.len() as u64;
    println!(
        "qemu eval: {} sentences identical to the host engine in {elapsed:.2?}; model {} bytes; \
         instructions per inference min {} mean {mean} max {}; arena {} B, learner {} B, \
         stack high-water {} B, RAM in use {} B",
        texts.len(),
        artifact.len(),
        insns.iter().min().copied().unwrap_or(0),
        insns.iter().max().copied().unwrap_or(0),
        info.arena_bytes,
        info.learner_bytes,
        stats.stack_high_water,
        stats.ram_bytes,
    );
    assert!(stats.stack_high_water > 0 && stats.stack_high_water < 64 * 1024);

    // A conv model too: every op kind of the samples runs on the device.
    let conv = model(SampleKind::Conv, 12, Some(&test_key()));
    c.flash(&conv, |_, _| {})
        .unwrap_or_else(|e| panic!("flash conv: {e}"));
    assert_serves(&mut c, &conv, &sentences(100, 7));
}

#[test]
fn qemu_kill_mid_flash_keeps_the_old_model() {
    let dir = temp_dir();
    let flash = dir.path().join("powercut.flash");
    let Some(mut dev) = start(&flash) else { return };
    let old = model(SampleKind::Bag, 21, Some(&test_key()));
    let new = model(SampleKind::Conv, 22, Some(&test_key()));
    let texts = sentences(40, 5);
    {
        let mut c = client(&dev);
        c.flash(&old, |_, _| {})
            .unwrap_or_else(|e| panic!("flash old: {e}"));
        assert_serves(&mut c, &old, &texts);
        // Half of the new model, then the power goes.
        c.raw(&Request::FlashBegin {
            total_len: new.len() as u32,
            model_id: model_id(&new).unwrap_or_else(|e| panic!("model id: {e}")),
        })
        .unwrap_or_else(|e| panic!("flash begin: {e}"));
        let half = new.len() / 2;
        for (i, chunk) in new[..half].chunks(256).enumerate() {
            c.raw(&Request::FlashChunk {
                offset: (i * 256) as u32,
                data: chunk,
            })
            .unwrap_or_else(|e| panic!("flash chunk {i}: {e}"));
        }
    }
    dev.kill();
    dev.restart().unwrap_or_else(|e| panic!("restart: {e}"));
    {
        let mut c = client(&dev);
        assert_active(&mut c, &old);
        assert_serves(&mut c, &old, &texts);
        // A complete flash switches over, and the switch survives another restart.
        c.flash(&new, |_, _| {})
            .unwrap_or_else(|e| panic!("flash new: {e}"));
        assert_active(&mut c, &new);
        assert_serves(&mut c, &new, &texts);
    }
    dev.restart()
        .unwrap_or_else(|e| panic!("second restart: {e}"));
    let mut c = client(&dev);
    assert_active(&mut c, &new);
    assert_serves(&mut c, &new, &texts);
    assert!(
        dev.console().contains("model in slot"),
        "boot line: {}",
        dev.console()
    );
}

#[test]
fn qemu_refuses_tampered_unsigned_and_garbage() {
    let dir = temp_dir();
    let Some(dev) = start(&dir.path().join("refuse.flash")) else {
        return;
    };
    let mut c = client(&dev);
    let good = model(SampleKind::Bag, 31, Some(&test_key()));
    c.flash(&good, |_, _| {})
        .unwrap_or_else(|e| panic!("flash good: {e}"));
    let texts = sentences(20, 9);

    let unsigned = model(SampleKind::Conv, 32, None);
    assert_eq!(
        device_code(c.flash(&unsigned, |_, _| {})),
        ErrorCode::BadSignature
    );
    assert_serves(&mut c, &good, &texts);

    let other_key = SigningKey::from_bytes(&[0x11; 32]);
    let foreign = model(SampleKind::Conv, 33, Some(&other_key));
    assert_eq!(
        device_code(c.flash(&foreign, |_, _| {})),
        ErrorCode::BadSignature
    );

    let mut tampered = model(SampleKind::Conv, 34, Some(&test_key()));
    let mid = tampered.len() / 2;
    tampered[mid] ^= 0x40;
    let code = device_code(c.flash(&tampered, |_, _| {}));
    assert!(
        matches!(
            code,
            ErrorCode::ImageCrc | ErrorCode::BadSignature | ErrorCode::InvalidArtifact
        ),
        "{code:?}"
    );
    assert_active(&mut c, &good);
    assert_serves(&mut c, &good, &texts);

    // Garbage on the line: every non-empty junk frame (bad COBS, bad CRC, too long for the
    // receive buffer, an unknown request) gets an error reply; an empty frame is ignored.
    let mut undecodable = [0u8; 16];
    let undecodable = encode_frame(&0xEEu8, &mut undecodable)
        .unwrap_or_else(|e| panic!("encode: {e}"))
        .to_vec();
    let mut long = vec![0x55u8; 3000];
    long.push(0);
    let mut no_cobs = vec![0xFFu8; 40];
    no_cobs.push(0);
    let junk: [&[u8]; 5] = [b"\x00", b"hello world\x00", &no_cobs, &long, &undecodable];
    for bytes in junk {
        c.send_raw(bytes)
            .unwrap_or_else(|e| panic!("send junk: {e}"));
    }
    let mut replies = 0;
    while replies < 4 {
        let reply = c
            .next_error_reply()
            .unwrap_or_else(|e| panic!("reply to junk #{replies}: {e}"));
        let (code, _) = reply.unwrap_or_else(|| panic!("junk #{replies} got a non-error reply"));
        assert!(
            matches!(
                code,
                ErrorCode::BadFrame | ErrorCode::BadCrc | ErrorCode::Decode
            ),
            "{code:?}"
        );
        replies += 1;
    }
    let stats = c.stats().unwrap_or_else(|e| panic!("stats: {e}"));
    assert!(stats.frames_bad >= 4, "{stats:?}");
    assert_active(&mut c, &good);
    assert_serves(&mut c, &good, &texts);
}

/// Model A, then model B onto the same flash file: the flash report, `Info`, the predictions and
/// `adapt`'s reuse check all see B, before and after a restart. (Protocol 1 named models by the
/// whole-file CRC-32, the same for A and B, so `adapt` kept adapting A.)
#[test]
fn qemu_a_then_b_every_command_sees_b() {
    let dir = temp_dir();
    let Some(mut dev) = start(&dir.path().join("a-then-b.flash")) else {
        return;
    };
    let a = model(SampleKind::Bag, 41, Some(&test_key()));
    let b = model(SampleKind::Conv, 42, Some(&test_key()));
    let id = |bytes: &[u8]| model_id(bytes).unwrap_or_else(|e| panic!("model id: {e}"));
    assert_ne!(id(&a), id(&b));
    let texts = sentences(30, 17);
    {
        let mut c = client(&dev);
        let report = c
            .flash(&a, |_, _| {})
            .unwrap_or_else(|e| panic!("flash A: {e}"));
        assert_eq!(report.model_id, id(&a));
        assert_active(&mut c, &a);
        let report = c
            .flash(&b, |_, _| {})
            .unwrap_or_else(|e| panic!("flash B: {e}"));
        assert_eq!(report.model_id, id(&b));
        assert_active(&mut c, &b);
        assert_serves(&mut c, &b, &texts);
        let flashed = edgekd_host::adapt::ensure_flashed(&mut c, &b)
            .unwrap_or_else(|e| panic!("ensure B: {e}"));
        assert!(flashed.is_none(), "B already runs: nothing to flash");
        let stats = c.stats().unwrap_or_else(|e| panic!("stats: {e}"));
        assert_eq!(stats.flash_commits, 2);
    }
    dev.restart().unwrap_or_else(|e| panic!("restart: {e}"));
    let mut c = client(&dev);
    assert_active(&mut c, &b);
    assert_serves(&mut c, &b, &texts);
    // A session for A on a device holding B flashes A.
    let flashed =
        edgekd_host::adapt::ensure_flashed(&mut c, &a).unwrap_or_else(|e| panic!("ensure A: {e}"));
    assert_eq!(flashed.map(|r| r.model_id), Some(id(&a)));
    assert_active(&mut c, &a);
    assert_serves(&mut c, &a, &texts);
}
