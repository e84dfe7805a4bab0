//! The device client against the in-process simulated device: the same `Server` the firmware
//! runs, over a RAM flash, reached through the byte stream exactly as a serial port.

use std::time::Duration;

use ed25519_dalek::SigningKey;
use edgekd_device::engine::{arena_size, infer, run, run_tokens, Input};
use edgekd_device::learner::{HeadLearner, LearnHyper, UpdateRecord};
use edgekd_device::server::{head_prediction, DEFAULT_LEARNING_RATE};
use edgekd_host::device::{ClientError, DeviceClient, SimDevice, SIM_HEAD_CAP};
use edgekd_shared::artifact::sample::{sample, SampleKind};
use edgekd_shared::artifact::{decode, reseal_crc, Model, VerifyPolicy, HEADER_LEN};
use edgekd_shared::protocol::{ErrorCode, Slot, PROTOCOL_VERSION};
use edgekd_shared::tokenizer::tokenize;

const TEXTS: [&str; 5] = [
    "a gripping, funny film",
    "dull and far too long",
    "",
    "the plot was thin but the actors shine",
    "¿qué? 12345 !!!",
];

fn key() -> SigningKey {
    SigningKey::from_bytes(&[42u8; 32])
}

fn client(device: SimDevice<'_>) -> DeviceClient<SimDevice<'_>> {
    DeviceClient::new(device, Duration::from_millis(200))
}

fn signed(kind: SampleKind, seed: u64) -> Vec<u8> {
    sample(kind, seed, Some(&key())).unwrap().bytes
}

fn code(e: ClientError) -> ErrorCode {
    e.device_code()
        .unwrap_or_else(|| panic!("not a device error: {e}"))
}

#[test]
fn flash_then_infer_equals_the_engine_bit_for_bit() {
    let vk = key().verifying_key();
    let mut dev = client(SimDevice::new(&vk).unwrap());
    let hello = dev.hello().unwrap();
    assert_eq!(hello.version, PROTOCOL_VERSION);
    for (i, kind) in [SampleKind::Bag, SampleKind::Conv].into_iter().enumerate() {
        let bytes = signed(kind, 11 + i as u64);
        let mut calls = Vec::new();
        let report = dev
            .flash(&bytes, |sent, total| calls.push((sent, total)))
            .unwrap();
        assert_eq!(report.slot, if i == 0 { Slot::A } else { Slot::B });
        assert_eq!(
            report.model_id,
            edgekd_shared::artifact::model_id(&bytes).unwrap()
        );
        assert_eq!(
            calls.last(),
            Some(&(bytes.len() as u32, bytes.len() as u32))
        );
        let model = decode(&bytes, VerifyPolicy::RequireKey(&vk)).unwrap();
        let mut arena = vec![0u8; arena_size(&model).unwrap()];
        for text in TEXTS {
            let want = run(&model, text, &mut arena).unwrap();
            let got = dev.infer(text).unwrap();
            assert_eq!(usize::from(got.label), want.label, "{kind:?} {text:?}");
            assert_eq!(got.logits, want.logits.to_vec(), "{kind:?} {text:?}");
            let mut ids = vec![0u32; usize::from(model.tokenizer.max_tokens)];
            let n = tokenize(text, &model.tokenizer, &mut ids).unwrap().len;
            let by_tokens = dev.infer_tokens(&ids[..n]).unwrap();
            let want_t = run_tokens(&model, &ids[..n], &mut arena).unwrap();
            assert_eq!(by_tokens.logits, want_t.logits.to_vec());
        }
        let info = dev.info().unwrap();
        assert_eq!(info.model_len as usize, bytes.len());
        assert_eq!(info.active_slot, Some(report.slot));
    }
    let stats = dev.stats().unwrap();
    assert_eq!(stats.inferences, 20);
    assert_eq!(stats.flash_commits, 2);
    assert_eq!(stats.frames_bad, 0);
}

#[test]
fn refused_models_and_versions_leave_the_old_model_serving() {
    let vk = key().verifying_key();
    let mut dev = client(SimDevice::new(&vk).unwrap());
    let good = signed(SampleKind::Bag, 5);
    dev.flash(&good, |_, _| {}).unwrap();
    let before: Vec<_> = TEXTS.iter().map(|t| dev.infer(t).unwrap().logits).collect();
    let still_serving = |dev: &mut DeviceClient<SimDevice<'_>>| {
        let now: Vec<_> = TEXTS.iter().map(|t| dev.infer(t).unwrap().logits).collect();
        assert_eq!(now, before);
        assert_eq!(dev.info().unwrap().active_slot, Some(Slot::A));
    };

    let mut tampered = good.clone();
    tampered[HEADER_LEN + 40] ^= 0x01;
    reseal_crc(&mut tampered).unwrap();
    assert_eq!(
        code(dev.flash(&tampered, |_, _| {}).unwrap_err()),
        ErrorCode::BadSignature
    );
    still_serving(&mut dev);

    let unsigned = sample(SampleKind::Bag, 5, None).unwrap().bytes;
    assert_eq!(
        code(dev.flash(&unsigned, |_, _| {}).unwrap_err()),
        ErrorCode::BadSignature
    );
    still_serving(&mut dev);

    // A container that parses (the client names it by its identity) but exceeds a slot.
    let too_large = edgekd_shared::artifact::seal(&vec![0x5Au8; 256 * 1024], None).unwrap();
    let err = dev.flash(&too_large, |_, _| {}).unwrap_err();
    assert!(
        matches!(
            err,
            ClientError::Device {
                request: "flash begin",
                code: ErrorCode::TooLarge,
                detail: 262_144
            }
        ),
        "{err}"
    );
    still_serving(&mut dev);

    let err = dev.hello_with_version(PROTOCOL_VERSION + 1).unwrap_err();
    assert!(
        matches!(err, ClientError::Device { code: ErrorCode::VersionMismatch, detail, .. } if detail == u32::from(PROTOCOL_VERSION)),
        "{err}"
    );
    still_serving(&mut dev);
    assert_eq!(dev.stats().unwrap().flash_commits, 1);
}

#[test]
fn garbage_on_the_line_gets_error_replies() {
    let vk = key().verifying_key();
    let mut dev = client(SimDevice::new(&vk).unwrap());
    dev.flash(&signed(SampleKind::Bag, 2), |_, _| {}).unwrap();
    let cases: [(&[u8], ErrorCode); 3] = [
        (&[0x07, 1, 2, 3, 0], ErrorCode::BadFrame), // COBS claims more bytes than came
        (&[0x06, 0x07, 0x01, 0x02, 0x03, 0x04, 0], ErrorCode::BadCrc), // well-formed COBS, wrong CRC
        (&[0x03, 0xEE, 0xEE, 0], ErrorCode::BadFrame),                 // shorter than a CRC
    ];
    for (bytes, want) in cases {
        dev.send_raw(bytes).unwrap();
        let (got, _) = dev.next_error_reply().unwrap().expect("an error reply");
        assert_eq!(got, want, "{bytes:02x?}");
    }
    // An overlong frame and a body that is not a request.
    dev.send_raw(&vec![0x11u8; 5000]).unwrap();
    dev.send_raw(&[0]).unwrap();
    assert_eq!(
        dev.next_error_reply().unwrap().map(|e| e.0),
        Some(ErrorCode::BadFrame)
    );
    let mut frame = [0u8; 32];
    let junk_body = edgekd_shared::protocol::encode_frame(&(200u8, 7u8), &mut frame)
        .unwrap()
        .to_vec();
    dev.send_raw(&junk_body).unwrap();
    assert_eq!(
        dev.next_error_reply().unwrap().map(|e| e.0),
        Some(ErrorCode::Decode)
    );
    // The session goes on.
    assert!(dev.infer("still alive").is_ok());
    let stats = dev.stats().unwrap();
    assert_eq!(stats.frames_bad, 5);
}

/// The host's simulation of on-device learning: engine → head input → the same learner step.
struct HostLearner {
    learner: Box<HeadLearner<SIM_HEAD_CAP>>,
}

impl HostLearner {
    fn new(model: &Model<'_>) -> Self {
        let mut learner = Box::new(HeadLearner::empty());
        learner.load_model_head(model).unwrap();
        Self { learner }
    }

    fn step(&mut self, model: &Model<'_>, text: &str, probs: &[f32], t: f32) {
        let mut arena = vec![0u8; arena_size(model).unwrap()];
        let inf = infer(model, Input::Text(text), &mut arena).unwrap();
        let q = inf.head_input_quant.unwrap();
        let record = UpdateRecord {
            hyper: LearnHyper {
                temperature: t,
                learning_rate: DEFAULT_LEARNING_RATE,
            },
            x_scale: q.scale,
            x_zero_point: q.zero_point,
            x: inf.head_input,
            teacher: probs,
        };
        record.apply(&mut self.learner).unwrap();
    }

    fn predict(&self, model: &Model<'_>, text: &str) -> (u8, Vec<i8>) {
        let mut arena = vec![0u8; arena_size(model).unwrap()];
        let inf = infer(model, Input::Text(text), &mut arena).unwrap();
        let (label, logits) = head_prediction(
            &self.learner,
            inf.head_input,
            inf.head_input_quant.unwrap(),
            inf.prediction.quant,
        )
        .unwrap();
        (label as u8, logits.to_vec())
    }
}

#[test]
fn learn_commit_revert_round_trip_matches_the_host_simulation() {
    let vk = key().verifying_key();
    let bytes = signed(SampleKind::Bag, 9);
    let model = decode(&bytes, VerifyPolicy::RequireKey(&vk)).unwrap();
    let mut dev = client(SimDevice::new(&vk).unwrap());
    dev.flash(&bytes, |_, _| {}).unwrap();
    let mut host = HostLearner::new(&model);

    // Refused soft labels leave the head untouched.
    for (probs, t) in [
        (vec![f32::NAN, 0.5, 0.5], 2.0),
        (vec![0.5, 0.5], 2.0),
        (vec![0.3, 0.3, 0.4], -1.0),
    ] {
        let err = dev.learn("good", &probs, t).unwrap_err();
        assert!(
            matches!(
                err,
                ClientError::Device {
                    code: ErrorCode::BadSoftLabel,
                    detail: 3,
                    ..
                }
            ),
            "{err}"
        );
    }
    assert_eq!(
        dev.get_ref().server().learner().weights(),
        host.learner.weights()
    );

    let steps: [(&str, [f32; 3]); 4] = [
        ("a gripping, funny film", [0.05, 0.9, 0.05]),
        ("dull and far too long", [0.8, 0.1, 0.1]),
        ("the actors shine", [0.1, 0.7, 0.2]),
        ("thin plot", [0.6, 0.2, 0.2]),
    ];
    for (i, (text, probs)) in steps[..2].iter().enumerate() {
        let report = dev.learn(text, probs, 2.0).unwrap();
        assert_eq!(report.pending_steps, i as u32 + 1);
        host.step(&model, text, probs, 2.0);
    }
    let same_as_host = |dev: &mut DeviceClient<SimDevice<'_>>, host: &HostLearner| {
        assert_eq!(
            dev.get_ref().server().learner().weights(),
            host.learner.weights(),
            "bit-identical heads"
        );
        for text in TEXTS {
            let got = dev.infer(text).unwrap();
            assert_eq!(
                (got.label, got.logits),
                host.predict(&model, text),
                "{text:?}"
            );
        }
    };
    same_as_host(&mut dev, &host);
    dev.learn_commit().unwrap();
    let committed = host.learner.weights().to_vec();

    for (text, probs) in &steps[2..] {
        dev.learn(text, probs, 2.0).unwrap();
    }
    assert_ne!(dev.get_ref().server().learner().weights(), &committed[..]);
    dev.learn_revert().unwrap();
    same_as_host(&mut dev, &host);

    // A power cycle restores the committed head from the journal.
    let stats = dev.stats().unwrap();
    assert_eq!((stats.learn_steps, stats.learn_commits), (4, 1));
    assert!(stats.journal_seq > 0);
    let rebooted = dev.into_inner().reboot().unwrap();
    let mut dev = client(rebooted);
    same_as_host(&mut dev, &host);
}

#[test]
fn silence_is_a_timeout() {
    struct Silent;
    impl std::io::Read for Silent {
        fn read(&mut self, _: &mut [u8]) -> std::io::Result<usize> {
            Err(std::io::ErrorKind::WouldBlock.into())
        }
    }
    impl std::io::Write for Silent {
        fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
            Ok(b.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    let mut c = DeviceClient::new(Silent, Duration::from_millis(30));
    let err = c.info().unwrap_err();
    assert!(
        matches!(
            err,
            ClientError::Timeout {
                request: "info",
                ..
            }
        ),
        "{err}"
    );
}
