//! Round-trips of every protocol message through a frame, and frames pinned as exact bytes
//! (the same bytes as `docs/protocol.md`).

use edgekd_shared::artifact::ModelId;
use edgekd_shared::protocol::*;
use heapless::Vec as HVec;

fn round_trip_request(msg: &Request<'_>) {
    let mut buf = [0u8; 1100];
    let frame = encode_frame(msg, &mut buf).expect("encode");
    let mut dec = FrameDecoder::<1100>::new();
    let mut seen = 0;
    for (i, b) in frame.iter().enumerate() {
        if let Some(out) = dec.push(*b) {
            assert_eq!(i, frame.len() - 1, "frame ended early");
            let body = out.expect("frame checks");
            let back: Request<'_> = decode_message(body).expect("decode");
            assert_eq!(&back, msg);
            seen += 1;
        }
    }
    assert_eq!(seen, 1);
}

fn round_trip_response(msg: &Response<'_>) {
    let mut buf = [0u8; 1100];
    let frame = encode_frame(msg, &mut buf).expect("encode");
    let mut copy = frame.to_vec();
    let body = check_frame(&mut copy).expect("frame checks");
    let back: Response<'_> = decode_message(body).expect("decode");
    assert_eq!(&back, msg);
}

fn probs(p: &[f32]) -> HVec<f32, MAX_CLASSES> {
    HVec::from_slice(p).unwrap()
}

#[test]
fn every_request_round_trips() {
    let model = [0xA5u8; DEFAULT_MAX_CHUNK as usize];
    let long_text = "é".repeat(MAX_TEXT / 2);
    let requests = [
        Request::Hello {
            version: PROTOCOL_VERSION,
        },
        Request::Info,
        Request::FlashBegin {
            total_len: 262_144,
            model_id: ModelId([0xFF; 16]),
        },
        Request::FlashChunk {
            offset: 261_632,
            data: &model,
        },
        Request::FlashChunk {
            offset: 0,
            data: &[],
        },
        Request::FlashCommit,
        Request::FlashAbort,
        Request::ReadBack {
            offset: 1024,
            len: 512,
        },
        Request::Infer {
            text: "a gripping, beautifully shot film",
        },
        Request::Infer { text: &long_text },
        Request::InferTokens {
            tokens: (0..MAX_TOKENS as u32).map(|i| i * 0x0101_0101).collect(),
        },
        Request::Learn {
            text: &long_text,
            teacher_probs: probs(&[0.0625; 16]),
            temperature: 4.0,
        },
        Request::Learn {
            text: "meh",
            teacher_probs: probs(&[0.1, 0.9]),
            temperature: 1.0,
        },
        Request::LearnCommit,
        Request::LearnRevert,
        Request::Stats,
        Request::Reset,
    ];
    for r in &requests {
        round_trip_request(r);
    }
}

#[test]
fn every_response_round_trips() {
    let bytes = [0u8, 1, 2, 0, 0, 255];
    let responses = [
        Response::Hello {
            version: PROTOCOL_VERSION,
            profile: BoardProfileId::M4_1M,
            max_frame: DEFAULT_MAX_FRAME,
            max_chunk: DEFAULT_MAX_CHUNK,
        },
        Response::Hello {
            version: 7,
            profile: BoardProfileId::M4_256K,
            max_frame: 300,
            max_chunk: 128,
        },
        Response::Info(DeviceInfo {
            active_slot: Some(Slot::B),
            model_len: 201_337,
            model_id: Some(ModelId([
                0xDE, 0xAD, 0xBE, 0xEF, 0, 0, 0, 0, 1, 2, 3, 4, 5, 6, 7, 8,
            ])),
            boot_seq: 12,
            slot_capacity: 262_144,
            arena_bytes: 32_768,
            learner_bytes: 16_384,
        }),
        Response::Info(DeviceInfo {
            active_slot: None,
            model_len: 0,
            model_id: None,
            boot_seq: 0,
            slot_capacity: 98_304,
            arena_bytes: 16_384,
            learner_bytes: 8_192,
        }),
        Response::Ack,
        Response::FlashProgress { written: 4096 },
        Response::FlashDone {
            slot: Slot::A,
            model_id: ModelId([0x12; 16]),
        },
        Response::Data {
            offset: 8,
            bytes: &bytes,
        },
        Response::Prediction {
            label: 1,
            logits: HVec::from_slice(&[-128, 127, 0, -1]).unwrap(),
            instructions: 123_456,
        },
        Response::Learned(LearnReport {
            pending_steps: 3,
            loss: 0.125,
            label_before: 0,
        }),
        Response::Stats(DeviceStats {
            frames_ok: 10,
            frames_bad: 1,
            inferences: 5,
            last_infer_cycles: 40_000,
            learn_steps: 2,
            learn_commits: 1,
            flash_commits: 1,
            uptime_ms: u32::MAX,
            ram_bytes: 48_000,
            stack_high_water: 3_000,
            journal_seq: 7,
        }),
        Response::Error {
            code: ErrorCode::BadSoftLabel,
            detail: 2,
        },
        Response::Error {
            code: ErrorCode::ModelIdMismatch,
            detail: 0,
        },
    ];
    for r in &responses {
        round_trip_response(r);
    }
}

/// The largest message of each kind fits the reference firmware's frame buffer.
#[test]
fn largest_messages_fit_the_default_frame() {
    let chunk = [0xFFu8; DEFAULT_MAX_CHUNK as usize];
    let text = "\u{FFFF}".repeat(MAX_TEXT / 3);
    assert_eq!(text.len(), MAX_TEXT);
    let largest = [
        Request::FlashChunk {
            offset: u32::MAX,
            data: &chunk,
        },
        Request::Infer { text: &text },
        Request::Learn {
            text: &text,
            teacher_probs: probs(&[f32::MAX; MAX_CLASSES]),
            temperature: f32::MAX,
        },
        Request::InferTokens {
            tokens: std::iter::repeat_n(u32::MAX, MAX_TOKENS).collect(),
        },
    ];
    let mut buf = [0u8; 4096];
    for msg in &largest {
        let len = encode_frame(msg, &mut buf).unwrap().len();
        assert!(len - 1 <= DEFAULT_MAX_FRAME as usize, "{len} bytes");
    }
    let mut buf = [0u8; 4096];
    let data = [0x11u8; DEFAULT_MAX_CHUNK as usize];
    let reply = Response::Data {
        offset: u32::MAX,
        bytes: &data,
    };
    assert!(encode_frame(&reply, &mut buf).unwrap().len() - 1 <= DEFAULT_MAX_FRAME as usize);
}

fn frame_bytes<T: serde::Serialize>(msg: &T) -> Vec<u8> {
    let mut buf = [0u8; 128];
    encode_frame(msg, &mut buf).unwrap().to_vec()
}

/// These bytes are the specification: changing them breaks deployed peers.
#[test]
fn pinned_frames() {
    // Hello { version: 2 }: body 00 02, CRC-32 of it, COBS, terminator.
    assert_eq!(
        frame_bytes(&Request::Hello { version: 2 }),
        PINNED_HELLO.to_vec()
    );
    assert_eq!(frame_bytes(&Request::Info), PINNED_INFO.to_vec());
    assert_eq!(
        frame_bytes(&Request::FlashBegin {
            total_len: 4096,
            model_id: ModelId(core::array::from_fn(|i| i as u8 + 1))
        }),
        PINNED_FLASH_BEGIN.to_vec()
    );
    assert_eq!(
        frame_bytes(&Request::Infer { text: "ok" }),
        PINNED_INFER.to_vec()
    );
    assert_eq!(frame_bytes(&Response::Ack), PINNED_ACK.to_vec());
    assert_eq!(
        frame_bytes(&Response::Error {
            code: ErrorCode::BadCrc,
            detail: 0
        }),
        PINNED_ERROR.to_vec()
    );
    assert_eq!(
        frame_bytes(&Response::Prediction {
            label: 1,
            logits: HVec::from_slice(&[-5, 7]).unwrap(),
            instructions: 1000
        }),
        PINNED_PREDICTION.to_vec()
    );
}

#[test]
fn print_pinned_frames_for_the_spec() {
    // `cargo test -p edgekd-shared --test protocol_messages -- --nocapture` prints the frames
    // that docs/protocol.md quotes.
    for (name, bytes) in [
        ("hello", PINNED_HELLO.as_slice()),
        ("info", PINNED_INFO.as_slice()),
        ("flash_begin", PINNED_FLASH_BEGIN.as_slice()),
        ("infer", PINNED_INFER.as_slice()),
        ("ack", PINNED_ACK.as_slice()),
        ("error", PINNED_ERROR.as_slice()),
        ("prediction", PINNED_PREDICTION.as_slice()),
    ] {
        let hex: Vec<String> = bytes.iter().map(|b| format!("{b:02X}")).collect();
        println!("{name}: {}", hex.join(" "));
        assert_eq!(bytes.iter().filter(|b| **b == 0).count(), 1);
    }
}

// Generated independently of this crate by `shared/tests/protocol_pins.py` (Python: hand-written
// postcard bodies, zlib's CRC-32, a reference COBS encoder).
const PINNED_HELLO: [u8; 8] = [0x01, 0x06, 0x02, 0xD3, 0x73, 0xD7, 0xAF, 0x00];
const PINNED_INFO: [u8; 7] = [0x06, 0x01, 0x1B, 0xDF, 0x05, 0xA5, 0x00];
const PINNED_FLASH_BEGIN: [u8; 25] = [
    0x18, 0x02, 0x80, 0x20, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0A, 0x0B, 0x0C,
    0x0D, 0x0E, 0x0F, 0x10, 0x41, 0xD0, 0x83, 0xCB, 0x00,
];
const PINNED_INFER: [u8; 10] = [0x09, 0x07, 0x02, 0x6F, 0x6B, 0x73, 0xFC, 0x12, 0x87, 0x00];
const PINNED_ACK: [u8; 7] = [0x06, 0x02, 0xA1, 0x8E, 0x0C, 0x3C, 0x00];
const PINNED_ERROR: [u8; 9] = [0x03, 0x09, 0x01, 0x05, 0xDC, 0xD3, 0x8B, 0xE9, 0x00];
const PINNED_PREDICTION: [u8; 13] = [
    0x0C, 0x06, 0x01, 0x02, 0xFB, 0x07, 0xE8, 0x07, 0xE5, 0x01, 0xCB, 0x13, 0x00,
];
