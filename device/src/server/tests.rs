//! Server tests on `SimFlash` with sample artifacts: flash, infer, learn, and the byte stream.

use core::cell::Cell;

use ed25519_dalek::SigningKey;
use edgekd_shared::artifact::sample::{sample, SampleKind};
use edgekd_shared::artifact::{decode, model_id, reseal_crc, ModelId, VerifyPolicy, HEADER_LEN};
use edgekd_shared::protocol::{
    encode_frame, BoardProfileId, ErrorCode, Request, Response, Slot, MAX_TEXT, PROTOCOL_VERSION,
};

use super::*;
use crate::engine::{arena_size, run};
use crate::storage::sim::SimFlash;

type Flash = SimFlash<1024, 4>;
type TestServer<'k> = Server<'k, Flash, Counter, std::vec::Vec<u8>, 64>;

/// A counter that advances 1000 "instructions" per read.
#[derive(Debug, Default)]
struct Counter(Cell<u32>);

impl Platform for Counter {
    fn instructions(&self) -> u32 {
        self.0.set(self.0.get() + 1000);
        self.0.get()
    }
    fn stack_high_water(&self) -> usize {
        2048
    }
    fn profile(&self) -> BoardProfileId {
        BoardProfileId::M4_1M
    }
}

const LAYOUT: Layout = Layout::contiguous(0, 1024, 8 * 1024, 4 * 1024);

fn key() -> SigningKey {
    SigningKey::from_bytes(&[7u8; 32])
}

fn boot(flash: Flash, vk: &ed25519_dalek::VerifyingKey) -> TestServer<'_> {
    Server::new(
        flash,
        LAYOUT,
        Counter::default(),
        std::vec![0u8; 4096],
        ServerConfig::new(vk),
    )
    .unwrap()
}

fn signed(kind: SampleKind, seed: u64) -> std::vec::Vec<u8> {
    sample(kind, seed, Some(&key())).unwrap().bytes
}

/// The identity of `bytes`, which must be a well-formed artifact.
fn id(bytes: &[u8]) -> ModelId {
    model_id(bytes).unwrap()
}

/// Runs the whole flash sequence; returns the final response (owned parts only).
fn flash(server: &mut TestServer<'_>, bytes: &[u8]) -> Result<(Slot, ModelId), (ErrorCode, u32)> {
    flash_as(server, bytes, model_id(bytes).unwrap_or_default())
}

/// [`flash`], announcing the identity `announced`.
fn flash_as(
    server: &mut TestServer<'_>,
    bytes: &[u8],
    announced: ModelId,
) -> Result<(Slot, ModelId), (ErrorCode, u32)> {
    let as_err = |r: Response<'_>| match r {
        Response::Error { code, detail } => (code, detail),
        other => panic!("unexpected {other:?}"),
    };
    let begin = Request::FlashBegin {
        total_len: bytes.len() as u32,
        model_id: announced,
    };
    match server.handle(&begin) {
        Response::Ack => {}
        r => return Err(as_err(r)),
    }
    for (i, chunk) in bytes.chunks(301).enumerate() {
        let r = server.handle(&Request::FlashChunk {
            offset: (i * 301) as u32,
            data: chunk,
        });
        assert!(matches!(r, Response::FlashProgress { .. }), "{r:?}");
    }
    // Read back everything, including the tail still buffered in RAM.
    for at in (0..bytes.len()).step_by(100) {
        let len = 100.min(bytes.len() - at);
        match server.handle(&Request::ReadBack {
            offset: at as u32,
            len: len as u16,
        }) {
            Response::Data { bytes: got, .. } => {
                assert_eq!(got, &bytes[at..at + len], "read back at {at}")
            }
            r => panic!("read back: {r:?}"),
        }
    }
    match server.handle(&Request::FlashCommit) {
        Response::FlashDone { slot, model_id } => Ok((slot, model_id)),
        r => Err(as_err(r)),
    }
}

fn predict(server: &mut TestServer<'_>, text: &str) -> (u8, std::vec::Vec<i8>, u32) {
    match server.handle(&Request::Infer { text }) {
        Response::Prediction {
            label,
            logits,
            instructions,
        } => (label, logits.to_vec(), instructions),
        r => panic!("infer: {r:?}"),
    }
}

#[test]
fn hello_checks_the_version() {
    let vk = key().verifying_key();
    let mut s = boot(Flash::new(22), &vk);
    assert!(matches!(
        s.handle(&Request::Hello {
            version: PROTOCOL_VERSION
        }),
        Response::Hello { .. }
    ));
    assert_eq!(
        s.handle(&Request::Hello {
            version: PROTOCOL_VERSION + 1
        }),
        Response::Error {
            code: ErrorCode::VersionMismatch,
            detail: u32::from(PROTOCOL_VERSION)
        }
    );
    assert_eq!(
        s.handle(&Request::Infer { text: "x" }),
        Response::Error {
            code: ErrorCode::NoModel,
            detail: 0
        }
    );
}

#[test]
fn flashed_model_answers_like_the_engine_bit_for_bit() {
    let vk = key().verifying_key();
    let bytes = signed(SampleKind::Bag, 1);
    let mut s = boot(Flash::new(22), &vk);
    let (slot, flashed) = flash(&mut s, &bytes).unwrap();
    assert_eq!((slot, flashed), (Slot::A, id(&bytes)));
    let model = decode(&bytes, VerifyPolicy::RequireKey(&vk)).unwrap();
    let mut arena = std::vec![0u8; arena_size(&model).unwrap()];
    for text in [
        "a gripping funny film",
        "dull",
        "",
        "the plot was thin but the actors shine",
    ] {
        let want = run(&model, text, &mut arena).unwrap();
        let (label, logits, instructions) = predict(&mut s, text);
        assert_eq!(usize::from(label), want.label, "{text}");
        assert_eq!(logits, want.logits.to_vec(), "{text}");
        assert_eq!(instructions, 1000, "one counter step per inference");
    }
    assert_eq!(s.stats().inferences, 4);
    // The model survives a reboot.
    let flash_mem = s.into_flash();
    let s2 = boot(flash_mem, &vk);
    assert_eq!(s2.info().model_id, Some(flashed));
}

/// Model A, then model B on the same flash: `FlashDone`, `Info` (before and after a reboot) and
/// the server itself all name B, and B answers. (The whole-file CRC-32 that protocol 1 reported
/// is the same constant for A and B.)
#[test]
fn flashing_a_then_b_every_answer_names_b() {
    let vk = key().verifying_key();
    let (a, b) = (signed(SampleKind::Bag, 5), signed(SampleKind::Conv, 6));
    assert_ne!(id(&a), id(&b));
    let mut s = boot(Flash::new(22), &vk);
    assert_eq!(s.info().model_id, None);
    assert_eq!(flash(&mut s, &a).unwrap().1, id(&a));
    assert_eq!(s.info().model_id, Some(id(&a)));
    assert_eq!(flash(&mut s, &b).unwrap(), (Slot::B, id(&b)));
    assert_eq!(s.info().model_id, Some(id(&b)));
    assert_eq!(s.model_id(), Some(id(&b)));
    let model_b = decode(&b, VerifyPolicy::RequireKey(&vk)).unwrap();
    let mut arena = std::vec![0u8; arena_size(&model_b).unwrap()];
    let want = run(&model_b, "the plot was thin", &mut arena).unwrap();
    assert_eq!(predict(&mut s, "the plot was thin").1, want.logits.to_vec());
    let mut s = boot(s.into_flash(), &vk);
    assert_eq!(s.info().model_id, Some(id(&b)));
    assert_eq!(predict(&mut s, "the plot was thin").1, want.logits.to_vec());
}

/// `FlashCommit` refuses a valid, signed model that is not the one `FlashBegin` announced.
#[test]
fn a_model_other_than_the_announced_one_is_refused() {
    let vk = key().verifying_key();
    let (a, b) = (signed(SampleKind::Bag, 5), signed(SampleKind::Bag, 6));
    let mut s = boot(Flash::new(22), &vk);
    flash(&mut s, &a).unwrap();
    assert_eq!(
        flash_as(&mut s, &b, id(&a)),
        Err((ErrorCode::ModelIdMismatch, 0))
    );
    assert_eq!(s.info().model_id, Some(id(&a)));
    assert_eq!(s.stats().flash_commits, 1);
    // Commit without a transfer is a state error.
    assert_eq!(
        s.handle(&Request::FlashCommit),
        Response::Error {
            code: ErrorCode::BadState,
            detail: 0
        }
    );
}

#[test]
fn bad_models_are_refused_and_the_old_one_keeps_serving() {
    let vk = key().verifying_key();
    let good = signed(SampleKind::Bag, 1);
    let mut s = boot(Flash::new(22), &vk);
    flash(&mut s, &good).unwrap();
    let before = predict(&mut s, "fine acting");

    let mut tampered = good.clone();
    tampered[HEADER_LEN + 20] ^= 0x40;
    reseal_crc(&mut tampered).unwrap();
    assert_eq!(flash(&mut s, &tampered), Err((ErrorCode::BadSignature, 0)));

    let unsigned = sample(SampleKind::Bag, 1, None).unwrap().bytes;
    assert_eq!(flash(&mut s, &unsigned), Err((ErrorCode::BadSignature, 0)));

    let other_key = SigningKey::from_bytes(&[9u8; 32]);
    let foreign = sample(SampleKind::Bag, 1, Some(&other_key)).unwrap().bytes;
    assert_eq!(flash(&mut s, &foreign), Err((ErrorCode::BadSignature, 0)));

    let limit = s.model_limit();
    assert_eq!(
        s.handle(&Request::FlashBegin {
            total_len: limit + 1,
            model_id: ModelId::default()
        }),
        Response::Error {
            code: ErrorCode::TooLarge,
            detail: limit
        }
    );
    // A wrong announced identity is caught at commit.
    assert!(matches!(
        s.handle(&Request::FlashBegin {
            total_len: good.len() as u32,
            model_id: ModelId([1; 16])
        }),
        Response::Ack
    ));
    s.handle(&Request::FlashChunk {
        offset: 0,
        data: &good[..300],
    });
    // While a transfer is open the old model serves.
    assert_eq!(predict(&mut s, "fine acting"), before);
    assert!(matches!(
        s.handle(&Request::FlashChunk {
            offset: 7,
            data: &good[..3]
        }),
        Response::Error {
            code: ErrorCode::OutOfOrder,
            detail: 300
        }
    ));
    for (i, c) in good[300..].chunks(500).enumerate() {
        s.handle(&Request::FlashChunk {
            offset: 300 + (i * 500) as u32,
            data: c,
        });
    }
    assert!(matches!(
        s.handle(&Request::FlashCommit),
        Response::Error {
            code: ErrorCode::ModelIdMismatch,
            ..
        }
    ));
    assert_eq!(s.info().active_slot, Some(Slot::A));
    assert_eq!(predict(&mut s, "fine acting"), before);
    assert_eq!(s.stats().flash_commits, 1);
}

#[test]
fn learn_refuses_bad_soft_labels_and_round_trips_commit_and_revert() {
    let vk = key().verifying_key();
    let bytes = signed(SampleKind::Bag, 3);
    let mut s = boot(Flash::new(22), &vk);
    flash(&mut s, &bytes).unwrap();
    let head0: std::vec::Vec<f32> = s.learner().weights().to_vec();
    let learn = learn_once;
    for (probs, t) in [
        (&[f32::NAN, 0.5, 0.5][..], 2.0),
        (&[0.2, 0.2, 0.2][..], 2.0),
        (&[0.5, 0.5][..], 2.0),
        (&[-0.5, 1.0, 0.5][..], 2.0),
        (&[0.2, 0.3, 0.5][..], 0.0),
        (&[0.2, 0.3, 0.5][..], f32::INFINITY),
    ] {
        assert_eq!(
            learn(&mut s, probs, t),
            Owned::Error(ErrorCode::BadSoftLabel, 3),
            "{probs:?} T={t}"
        );
        assert_eq!(s.learner().weights(), &head0[..], "head untouched");
        assert!(!s.head_learned());
    }
    let Owned::Learned(report) = learn(&mut s, &[0.1, 0.1, 0.8], 2.0) else {
        panic!()
    };
    assert_eq!(report.pending_steps, 1);
    assert!(report.loss.is_finite() && report.loss >= 0.0);
    assert!(s.head_learned());
    let after_one: std::vec::Vec<f32> = s.learner().weights().to_vec();
    assert_ne!(after_one, head0);
    assert_eq!(s.handle(&Request::LearnCommit), Response::Ack);
    let Owned::Learned(r2) = learn(&mut s, &[0.1, 0.1, 0.8], 2.0) else {
        panic!()
    };
    assert_eq!(r2.pending_steps, 1);
    assert_eq!(s.handle(&Request::LearnRevert), Response::Ack);
    assert_eq!(
        s.learner().weights(),
        &after_one[..],
        "revert goes back to the commit"
    );
    // A reboot restores the committed head from the journal.
    let seq = s.stats().journal_seq;
    assert!(seq > 0);
    let s2 = boot(s.into_flash(), &vk);
    assert_eq!(s2.learner().weights(), &after_one[..]);
    assert!(s2.head_learned());
}

fn learn_once(s: &mut TestServer<'_>, probs: &[f32], t: f32) -> Owned {
    let req = Request::Learn {
        text: "great film",
        teacher_probs: probs.iter().copied().collect(),
        temperature: t,
    };
    s.handle(&req).clone_owned()
}

/// Owned form of the responses these tests compare (a `Response` borrows the server).
#[derive(Debug, PartialEq)]
enum Owned {
    Learned(edgekd_shared::protocol::LearnReport),
    Error(ErrorCode, u32),
    Other,
}

trait CloneOwned {
    fn clone_owned(&self) -> Owned;
}

impl CloneOwned for Response<'_> {
    fn clone_owned(&self) -> Owned {
        match self {
            Response::Learned(r) => Owned::Learned(*r),
            Response::Error { code, detail } => Owned::Error(*code, *detail),
            _ => Owned::Other,
        }
    }
}

#[test]
fn garbage_on_the_line_gets_error_replies_and_the_stream_recovers() {
    let vk = key().verifying_key();
    let mut s = boot(Flash::new(22), &vk);
    let mut link = Link::<1024, 640>::new();
    let mut replies = std::vec::Vec::new();
    let mut feed = |s: &mut TestServer<'_>, bytes: &[u8]| {
        for &b in bytes {
            if let Some(frame) = s.poll(&mut link, b) {
                let mut f = frame.to_vec();
                let body = edgekd_shared::protocol::check_frame(&mut f)
                    .unwrap()
                    .to_vec();
                let r: Response<'_> = edgekd_shared::protocol::decode_message(&body).unwrap();
                replies.push(r.clone_owned());
            }
        }
    };
    feed(&mut s, &[1, 2, 3, 0]); // COBS ok, too short
    feed(&mut s, &[0x05, 1, 2, 3, 4, 5, 6, 0]); // bad COBS
    feed(&mut s, &[0xAA; 3000]); // overlong, then terminated
    feed(&mut s, &[0]);
    let mut buf = [0u8; 64];
    let good = encode_frame(&Request::Stats, &mut buf).unwrap().to_vec();
    let mut flipped = good.clone();
    flipped[1] ^= 0x10;
    feed(&mut s, &flipped);
    feed(&mut s, &good);
    assert_eq!(replies.len(), 5, "{replies:?}");
    assert!(matches!(replies[0], Owned::Error(ErrorCode::BadFrame, _)));
    assert!(matches!(replies[1], Owned::Error(ErrorCode::BadFrame, _)));
    assert_eq!(replies[2], Owned::Error(ErrorCode::BadFrame, 1024));
    assert!(matches!(
        replies[3],
        Owned::Error(ErrorCode::BadCrc | ErrorCode::BadFrame, _)
    ));
    assert_eq!(replies[4], Owned::Other, "Stats answered after the garbage");
    let st = s.stats();
    assert_eq!((st.frames_bad, st.frames_ok), (4, 1));
    assert_eq!(
        st.ram_bytes as usize,
        4096 + TestServer::learner_bytes() + 2048
    );
}

/// The journal belongs to the model it was written for: after a new model of the same shape is
/// flashed, a reboot starts from the new model's own head, not from the old model's learned one.
#[test]
fn a_journal_is_never_replayed_onto_another_model() {
    let vk = key().verifying_key();
    let (a, b) = (signed(SampleKind::Bag, 3), signed(SampleKind::Bag, 4));
    let mut fresh = boot(Flash::new(22), &vk);
    flash(&mut fresh, &b).unwrap();
    let head_b: std::vec::Vec<f32> = fresh.learner().weights().to_vec();

    let mut s = boot(Flash::new(22), &vk);
    flash(&mut s, &a).unwrap();
    assert!(matches!(
        learn_once(&mut s, &[0.1, 0.1, 0.8], 2.0),
        Owned::Learned(_)
    ));
    assert_eq!(s.handle(&Request::LearnCommit), Response::Ack);
    flash(&mut s, &b).unwrap();
    let rebooted = boot(s.into_flash(), &vk);
    assert_eq!(rebooted.learner().weights(), &head_b[..]);
    assert!(!rebooted.head_learned());
}

/// Protocol edges answered with the code that says whose fault they are.
#[test]
fn protocol_edges_get_the_right_codes() {
    let vk = key().verifying_key();
    let bytes = signed(SampleKind::Bag, 3);
    let mut s = boot(Flash::new(22), &vk);
    // An empty model is a bad request, not a model too large for the slot.
    assert_eq!(
        s.handle(&Request::FlashBegin {
            total_len: 0,
            model_id: ModelId::default()
        }),
        Response::Error {
            code: ErrorCode::BadRequest,
            detail: 0
        }
    );
    flash(&mut s, &bytes).unwrap();
    let buckets = decode(&bytes, VerifyPolicy::RequireKey(&vk))
        .unwrap()
        .tokenizer
        .buckets;
    // A token id past the table is the host's fault.
    let tokens = [0, buckets + 5].into_iter().collect();
    assert_eq!(
        s.handle(&Request::InferTokens { tokens }),
        Response::Error {
            code: ErrorCode::BadRequest,
            detail: buckets
        }
    );
    let tokens = [0, buckets - 1].into_iter().collect();
    assert!(matches!(
        s.handle(&Request::InferTokens { tokens }),
        Response::Prediction { .. }
    ));
    // MAX_TEXT bytes are served, one more is refused, for Infer and for Learn.
    let longest = "a".repeat(MAX_TEXT);
    assert!(matches!(
        s.handle(&Request::Infer { text: &longest }),
        Response::Prediction { .. }
    ));
    let over = "a".repeat(MAX_TEXT + 1);
    let too_large = Response::Error {
        code: ErrorCode::TooLarge,
        detail: MAX_TEXT as u32,
    };
    assert_eq!(s.handle(&Request::Infer { text: &over }), too_large);
    let learn = Request::Learn {
        text: &over,
        teacher_probs: [0.2, 0.3, 0.5].into_iter().collect(),
        temperature: 2.0,
    };
    assert_eq!(s.handle(&learn), too_large);
    assert!(!s.head_learned(), "the refused step left the head alone");
}

/// `LearnCommit` and `LearnRevert` with nothing pending answer `Ack` and write nothing.
#[test]
fn commit_and_revert_with_nothing_pending_write_nothing() {
    let vk = key().verifying_key();
    let bytes = signed(SampleKind::Bag, 3);
    let mut s = boot(Flash::new(22), &vk);
    flash(&mut s, &bytes).unwrap();
    let writes = |s: &TestServer<'_>| {
        let c = s.storage().flash().counters();
        (c.writes, c.erases)
    };
    let before = (writes(&s), s.stats().journal_seq);
    assert_eq!(s.handle(&Request::LearnCommit), Response::Ack);
    assert_eq!(s.handle(&Request::LearnRevert), Response::Ack);
    assert_eq!((writes(&s), s.stats().journal_seq), before);
    assert_eq!(s.stats().learn_commits, 0);
    // After a step, both write again.
    assert!(matches!(
        learn_once(&mut s, &[0.1, 0.1, 0.8], 2.0),
        Owned::Learned(_)
    ));
    let after_step = writes(&s);
    assert_eq!(s.handle(&Request::LearnCommit), Response::Ack);
    assert_ne!(writes(&s), after_step);
    let after_commit = (writes(&s), s.stats().journal_seq);
    assert_eq!(s.handle(&Request::LearnCommit), Response::Ack);
    assert_eq!(s.handle(&Request::LearnRevert), Response::Ack);
    assert_eq!((writes(&s), s.stats().journal_seq), after_commit);
}
