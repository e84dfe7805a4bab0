//! Shared setup of the QEMU end-to-end tests: prerequisites, the firmware built once per test
//! process with a test key, signed sample models, generated sentences, and the host-side
//! reference prediction (the device's own engine, in process).

use std::path::PathBuf;
use std::sync::OnceLock;

use ed25519_dalek::SigningKey;
use edgekd_device::engine::run;
use edgekd_shared::artifact::decode_trusted;
use edgekd_shared::artifact::sample::{sample, SampleKind};

/// The secret seed of the test signing key (never a real key).
pub const TEST_KEY_SEED: [u8; 32] = [0x5e; 32];

/// The test signing key.
pub fn test_key() -> SigningKey {
    SigningKey::from_bytes(&TEST_KEY_SEED)
}

/// Hex of the test key's public half: what the firmware is built with.
pub fn test_public_key_hex() -> String {
    edgekd_shared::hex::hex(&test_key().verifying_key().to_bytes())
}

/// The `server` firmware embedded in `edgekd-host` with the test key written into it (a file in
/// the system's temporary folder, named by its hash), or `None` when the QEMU tests must skip
/// (printed). With `EDGEKD_REQUIRE_ALL=1` (set by `.ci/run`) a missing prerequisite panics
/// instead: CI cannot pass by skipping. Written at most once per process; a failure to write it
/// panics (it is a real failure).
pub fn firmware() -> Option<PathBuf> {
    static FW: OnceLock<Option<PathBuf>> = OnceLock::new();
    FW.get_or_init(|| {
        if let Some(reason) = edgekd_host::qemu::missing_prerequisite() {
            if let Err(e) = edgekd_host::prerequisite::skip(&reason) {
                panic!("QEMU tests: {e}");
            }
            return None;
        }
        let dir = std::env::temp_dir().join("edgekd-test-firmware");
        match edgekd_host::qemu::firmware_file(&test_public_key_hex(), &dir) {
            Ok(elf) => Some(elf),
            Err(e) => panic!("writing the server firmware: {e}"),
        }
    })
    .clone()
}

/// A sample model signed with `key` (`None`: unsigned).
pub fn model(kind: SampleKind, seed: u64, key: Option<&SigningKey>) -> Vec<u8> {
    match sample(kind, seed, key) {
        Ok(s) => s.bytes,
        Err(e) => panic!("sample model {kind:?} seed {seed}: {e}"),
    }
}

/// The host's prediction for `text`: `(label, int8 logits)` from the device engine run in
/// process over the same artifact bytes.
pub fn host_prediction(artifact: &[u8], text: &str) -> (u8, Vec<i8>) {
    let model = decode_trusted(artifact).unwrap_or_else(|e| panic!("decode model: {e}"));
    let mut arena = vec![0u8; 32 * 1024];
    let p =
        run(&model, text, &mut arena).unwrap_or_else(|e| panic!("host engine on {text:?}: {e}"));
    (u8::try_from(p.label).unwrap_or(u8::MAX), p.logits.to_vec())
}

/// `n` deterministic sentences of 3..=24 words from a small review-like vocabulary, with
/// punctuation, case and digits mixed in (the tokenizer's normalization is exercised too).
pub fn sentences(n: usize, seed: u64) -> Vec<String> {
    const WORDS: &[&str] = &[
        "the",
        "movie",
        "was",
        "great",
        "terrible",
        "plot",
        "acting",
        "boring",
        "loved",
        "it",
        "not",
        "a",
        "fun",
        "waste",
        "of",
        "time",
        "brilliant",
        "script",
        "awful",
        "Director",
        "cast",
        "never",
        "again",
        "best",
        "film",
        "year",
        "2019",
        "slow",
        "music",
        "wonderful",
        "MESS",
        "charming",
        "dull",
        "ending",
        "surprising",
        "two",
        "hours",
        "I",
        "would",
        "recommend",
    ];
    const PUNCT: &[&str] = &["", "", "", ",", ".", "!", "?", "'s"];
    let mut state = seed ^ 0x9E37_79B9_7F4A_7C15;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    (0..n)
        .map(|_| {
            let len = 3 + (next() % 22) as usize;
            let mut s = String::new();
            for i in 0..len {
                if i > 0 {
                    s.push(' ');
                }
                s.push_str(WORDS[(next() % WORDS.len() as u64) as usize]);
                s.push_str(PUNCT[(next() % PUNCT.len() as u64) as usize]);
            }
            s
        })
        .collect()
}

/// A fresh temporary directory for flash files.
pub fn temp_dir() -> tempfile::TempDir {
    tempfile::tempdir().unwrap_or_else(|e| panic!("temporary directory: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sentences_are_deterministic_and_varied() {
        let a = sentences(50, 3);
        assert_eq!(a, sentences(50, 3));
        assert_ne!(a, sentences(50, 4));
        assert!(a.iter().all(|s| !s.is_empty() && s.len() < 768));
        let distinct: std::collections::HashSet<_> = a.iter().collect();
        assert!(distinct.len() > 45);
    }

    #[test]
    fn test_key_hex_is_64_digits() {
        let hex = test_public_key_hex();
        assert_eq!(hex.len(), 64);
        assert!(hex.bytes().all(|b| b.is_ascii_hexdigit()));
    }
}
