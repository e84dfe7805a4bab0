//! Garbage in, typed errors out: random bytes, truncated, split, corrupted and overlong frames
//! never panic the decoder, never yield a wrong message, and the stream recovers at the next
//! `0x00`.

use edgekd_shared::protocol::*;
use proptest::prelude::*;

/// Owned data from which a `Request` borrowing it is built.
#[derive(Clone, Debug)]
struct Owned {
    kind: u8,
    a: u32,
    b: u32,
    bytes: Vec<u8>,
    text: String,
    probs: Vec<f32>,
    tokens: Vec<u32>,
}

impl Owned {
    fn request(&self) -> Request<'_> {
        match self.kind % 14 {
            0 => Request::Hello {
                version: self.a as u16,
            },
            1 => Request::Info,
            2 => Request::FlashBegin {
                total_len: self.a,
                model_id: edgekd_shared::artifact::ModelId(core::array::from_fn(|i| {
                    (self.b >> (8 * (i % 4))) as u8
                })),
            },
            3 => Request::FlashChunk {
                offset: self.a,
                data: &self.bytes,
            },
            4 => Request::FlashCommit,
            5 => Request::FlashAbort,
            6 => Request::ReadBack {
                offset: self.a,
                len: self.b as u16,
            },
            7 => Request::Infer { text: &self.text },
            8 => Request::InferTokens {
                tokens: self.tokens.iter().copied().collect(),
            },
            9 => Request::Learn {
                text: &self.text,
                teacher_probs: self.probs.iter().copied().collect(),
                temperature: f32::from_bits(self.b % 0x7F00_0000),
            },
            10 => Request::LearnCommit,
            11 => Request::LearnRevert,
            12 => Request::Stats,
            _ => Request::Reset,
        }
    }
}

fn owned() -> impl Strategy<Value = Owned> {
    (
        any::<u8>(),
        any::<u32>(),
        any::<u32>(),
        proptest::collection::vec(any::<u8>(), 0..300),
        "\\PC{0,60}",
        proptest::collection::vec(0.0f32..1.0, 0..=MAX_CLASSES),
        proptest::collection::vec(any::<u32>(), 0..=MAX_TOKENS),
    )
        .prop_map(|(kind, a, b, bytes, text, probs, tokens)| Owned {
            kind,
            a,
            b,
            bytes,
            text,
            probs,
            tokens,
        })
}

const N: usize = 1024;

fn encode(msg: &Request<'_>) -> Vec<u8> {
    let mut buf = vec![0u8; 2048];
    encode_frame(msg, &mut buf).unwrap().to_vec()
}

/// Feeds `stream` in the given pieces; returns every outcome as the decoded request or an error.
fn run(dec: &mut FrameDecoder<N>, pieces: &[&[u8]]) -> Vec<Result<String, FrameError>> {
    let mut out = Vec::new();
    for piece in pieces {
        let mut input: &[u8] = piece;
        loop {
            match dec.feed(input) {
                FeedOutcome::NeedMore => break,
                FeedOutcome::Frame { body, rest } => {
                    out.push(decode_message::<Request<'_>>(body).map(|r| format!("{r:?}")));
                    input = rest;
                }
                FeedOutcome::Error { error, rest } => {
                    out.push(Err(error));
                    input = rest;
                }
            }
        }
    }
    out
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn random_bytes_never_panic_and_the_stream_recovers(
        garbage in proptest::collection::vec(any::<u8>(), 0..3000),
        o in owned(),
    ) {
        let mut dec = FrameDecoder::<N>::new();
        // Whatever the garbage yields, it must not panic; decode every body it lets through.
        let _ = run(&mut dec, &[&garbage]);
        let msg = o.request();
        let mut tail = vec![0u8];
        tail.extend(encode(&msg));
        let outcomes = run(&mut dec, &[&tail]);
        let last = outcomes.last().cloned();
        prop_assert_eq!(last, Some(Ok(format!("{msg:?}"))));
    }

    #[test]
    fn frames_split_anywhere_decode_the_same(o in owned(), cuts in proptest::collection::vec(any::<usize>(), 0..6)) {
        let msg = o.request();
        let frame = encode(&msg);
        let mut points: Vec<usize> = cuts.iter().map(|c| c % (frame.len() + 1)).collect();
        points.sort_unstable();
        let mut pieces = Vec::new();
        let mut start = 0;
        for p in points {
            pieces.push(&frame[start..p]);
            start = p;
        }
        pieces.push(&frame[start..]);
        let mut dec = FrameDecoder::<N>::new();
        prop_assert_eq!(run(&mut dec, &pieces), vec![Ok(format!("{msg:?}"))]);
        // Byte by byte through `push` as well.
        let mut seen = Vec::new();
        for b in &frame {
            if let Some(r) = dec.push(*b) {
                seen.push(r.map(<[u8]>::to_vec));
            }
        }
        prop_assert_eq!(seen.len(), 1);
    }

    #[test]
    fn truncated_frames_are_errors_then_recover(o in owned(), keep in any::<usize>()) {
        let msg = o.request();
        let frame = encode(&msg);
        let keep = keep % (frame.len() - 1);
        let mut stream = frame[..keep].to_vec();
        stream.push(0);
        stream.extend(&frame);
        let mut dec = FrameDecoder::<N>::new();
        let outcomes = run(&mut dec, &[&stream]);
        let expected_errors = usize::from(keep > 0);
        prop_assert_eq!(outcomes.len(), expected_errors + 1);
        if keep > 0 {
            prop_assert!(outcomes[0].is_err(), "truncated frame accepted: {:?}", outcomes[0]);
        }
        prop_assert_eq!(outcomes.last().cloned(), Some(Ok(format!("{msg:?}"))));
    }

    #[test]
    fn corrupted_frames_never_yield_another_message(o in owned(), at in any::<usize>(), flip in 1u8..=255) {
        let msg = o.request();
        let mut frame = encode(&msg);
        let i = at % (frame.len() - 1);
        frame[i] ^= flip;
        let mut dec = FrameDecoder::<N>::new();
        for got in run(&mut dec, &[&frame]).into_iter().flatten() {
            prop_assert_eq!(got, format!("{msg:?}"));
        }
    }

    #[test]
    fn overlong_frames_overflow_then_recover(extra in 1usize..2000, fill in 1u8..=255, o in owned()) {
        let mut stream = vec![fill; N + extra];
        stream.push(0);
        let msg = o.request();
        stream.extend(encode(&msg));
        let mut dec = FrameDecoder::<N>::new();
        let outcomes = run(&mut dec, &[&stream]);
        prop_assert_eq!(
            outcomes,
            vec![Err(FrameError::Overflow { capacity: N }), Ok(format!("{msg:?}"))]
        );
    }

    #[test]
    fn random_bodies_never_panic_the_message_decoder(body in proptest::collection::vec(any::<u8>(), 0..200)) {
        let _ = decode_message::<Request<'_>>(&body);
        let _ = decode_message::<Response<'_>>(&body);
    }
}

/// Edge case kept as a named test: a frame of one COBS code byte decodes to nothing.
#[test]
fn a_lone_cobs_code_byte_is_a_short_frame() {
    let mut dec = FrameDecoder::<N>::new();
    assert_eq!(
        run(&mut dec, &[&[0x01, 0x00]]),
        vec![Err(FrameError::TooShort { len: 0 })]
    );
}
