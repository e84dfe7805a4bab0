//! Writes seed inputs for the fuzz targets (see scripts/fuzz.sh): for `decode_infer` whole
//! artifacts (signed and unsigned), for `body_infer` their postcard bodies.
//!
//! `cargo run -p edgekd-shared --features std --example fuzz_seeds -- <corpus dir>`

use std::path::PathBuf;

use ed25519_dalek::SigningKey;
use edgekd_shared::artifact::sample::{sample, tiny, SampleKind};
use edgekd_shared::artifact::{encode, parse_container};

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
    println!(
        "{} seeds each in {} and {}",
        artifacts.len(),
        whole.display(),
        bodies.display()
    );
    Ok(())
}
