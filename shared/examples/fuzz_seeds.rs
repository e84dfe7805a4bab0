//! Writes the seed corpus of the fuzz targets (committed in `fuzz/seeds/`, used by
//! `scripts/fuzz.sh`): for `decode_infer` whole artifacts (signed and unsigned), for `body_infer`
//! their postcard bodies, for `server` byte streams of request frames (a session, inference,
//! learning, and flashes of the fuzz fixture's own model and of a model signed with another key).
//!
//! `cargo run -p edgekd-shared --features std --example fuzz_seeds -- fuzz/seeds`

use std::path::PathBuf;

use ed25519_dalek::SigningKey;
use edgekd_shared::artifact::sample::{sample, tiny, SampleKind};
use edgekd_shared::artifact::{encode, model_id, parse_container};
use edgekd_shared::protocol::{encode_frame, Request, PROTOCOL_VERSION};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let root = PathBuf::from(
        std::env::args()
            .nth(1)
            .ok_or("usage: fuzz_seeds <corpus dir>")?,
    );
    let whole = root.join("decode_infer");
    let bodies = root.join("body_infer");
    std::fs::create_dir_all(&whole)?;
    std::fs::create_dir_all(&bodies)?;
    let key = SigningKey::from_bytes(&[3; 32]);
    let mut artifacts = vec![("tiny".to_string(), encode(&tiny(), None)?)];
    for (name, kind) in [("bag", SampleKind::Bag), ("conv", SampleKind::Conv)] {
        for seed in 0..2 {
            artifacts.push((format!("{name}-{seed}"), sample(kind, seed, None)?.bytes));
        }
        artifacts.push((format!("{name}-signed"), sample(kind, 9, Some(&key))?.bytes));
    }
    for (name, bytes) in &artifacts {
        std::fs::write(whole.join(format!("{name}.ekd-seed")), bytes)?;
        let body = parse_container(bytes)?.body;
        std::fs::write(bodies.join(format!("{name}.body-seed")), body)?;
    }
    let streams = server_streams(&key)?;
    let server = root.join("server");
    std::fs::create_dir_all(&server)?;
    for (name, bytes) in &streams {
        std::fs::write(server.join(format!("{name}.frames-seed")), bytes)?;
    }
    println!(
        "{} seeds each in {} and {}, {} in {}",
        artifacts.len(),
        whole.display(),
        bodies.display(),
        streams.len(),
        server.display()
    );
    Ok(())
}

/// A named seed: file stem and bytes.
type Seed = (String, Vec<u8>);

/// The frames of `requests`, one after the other.
fn frames(requests: &[Request<'_>]) -> Result<Vec<u8>, Box<dyn std::error::Error>> {
    let mut out = Vec::new();
    let mut buf = vec![0u8; 2048];
    for r in requests {
        let frame = encode_frame(r, &mut buf).map_err(|e| format!("encode {r:?}: {e:?}"))?;
        out.extend_from_slice(frame);
    }
    Ok(out)
}

/// A whole flash of `bytes`: begin (with its identity), 256-byte chunks, commit.
fn flash(bytes: &[u8]) -> Result<Vec<u8>, Box<dyn std::error::Error>> {
    let mut requests = vec![Request::FlashBegin {
        total_len: u32::try_from(bytes.len())?,
        model_id: model_id(bytes)?,
    }];
    for (i, data) in bytes.chunks(256).enumerate() {
        requests.push(Request::FlashChunk {
            offset: u32::try_from(i * 256)?,
            data,
        });
    }
    requests.push(Request::FlashCommit);
    frames(&requests)
}

/// Seeds of the `server` target, whose device runs `sample(Bag, 1)` signed with `key`
/// (`fuzz/fuzz_targets/server.rs`): no seed flashes a different model the device would accept.
fn server_streams(key: &SigningKey) -> Result<Vec<Seed>, Box<dyn std::error::Error>> {
    let own = sample(SampleKind::Bag, 1, Some(key))?.bytes;
    let foreign = sample(SampleKind::Conv, 2, Some(&SigningKey::from_bytes(&[9; 32])))?.bytes;
    let session = frames(&[
        Request::Hello {
            version: PROTOCOL_VERSION,
        },
        Request::Info,
        Request::Stats,
        Request::ReadBack { offset: 0, len: 64 },
    ])?;
    let infer = frames(&[
        Request::Infer {
            text: "a gripping, funny film",
        },
        Request::InferTokens {
            tokens: [1, 2, 3, 63].into_iter().collect(),
        },
    ])?;
    let learn = frames(&[
        Request::Learn {
            text: "dull and slow",
            teacher_probs: [0.7, 0.2, 0.1].into_iter().collect(),
            temperature: 2.0,
        },
        Request::LearnCommit,
        Request::Learn {
            text: "superb",
            teacher_probs: [0.1, 0.8, 0.1].into_iter().collect(),
            temperature: 2.0,
        },
        Request::LearnRevert,
    ])?;
    Ok(vec![
        ("session".into(), session),
        ("infer".into(), infer),
        ("learn".into(), learn),
        ("flash-own".into(), flash(&own)?),
        ("flash-foreign".into(), flash(&foreign)?),
    ])
}
