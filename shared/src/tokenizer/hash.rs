//! The feature hash: seeded, tagged FNV-1a-32, finalized with MurmurHash3's `fmix32`, reduced
//! to `[0, buckets)` by a multiply-shift.
//!
//! Exactly (all integers little-endian, arithmetic modulo 2^32):
//! - `fnv1a(state, bytes)`: for each byte `state = (state ^ byte) · 0x0100_0193`; the initial
//!   state is the offset basis `0x811C_9DC5`;
//! - word hash `hw = fnv1a(0x811C_9DC5, utf8(normalized word))`;
//! - feature hash `h = fmix32(fnv1a(0x811C_9DC5, [tag] ‖ seed ‖ payload))` with
//!   - unigram: tag `1`, payload `hw`;
//!   - bigram: tag `2`, payload `hw(previous) ‖ hw(current)`;
//!   - char trigram: tag `3`, payload `utf8(c0) ‖ utf8(c1) ‖ utf8(c2)`;
//! - `fmix32(h)`: `h ^= h >> 16; h *= 0x85EB_CA6B; h ^= h >> 13; h *= 0xC2B2_AE35; h ^= h >> 16`;
//! - bucket `= (h · buckets) >> 32` (64-bit product).

/// FNV-1a offset basis.
pub(crate) const FNV_OFFSET: u32 = 0x811C_9DC5;
const FNV_PRIME: u32 = 0x0100_0193;

/// Feature kind tags.
pub(crate) const TAG_WORD: u8 = 1;
pub(crate) const TAG_BIGRAM: u8 = 2;
pub(crate) const TAG_TRIGRAM: u8 = 3;

/// FNV-1a-32 of `bytes`, continuing from `state`.
#[inline]
pub(crate) fn fnv1a(state: u32, bytes: &[u8]) -> u32 {
    bytes
        .iter()
        .fold(state, |h, &b| (h ^ u32::from(b)).wrapping_mul(FNV_PRIME))
}

/// FNV-1a-32 of the UTF-8 encoding of `c`, continuing from `state`.
#[inline]
pub(crate) fn fnv1a_char(state: u32, c: char) -> u32 {
    let mut buf = [0u8; 4];
    fnv1a(state, c.encode_utf8(&mut buf).as_bytes())
}

/// MurmurHash3's 32-bit finalizer (avalanche).
#[inline]
pub(crate) fn fmix32(mut h: u32) -> u32 {
    h ^= h >> 16;
    h = h.wrapping_mul(0x85EB_CA6B);
    h ^= h >> 13;
    h = h.wrapping_mul(0xC2B2_AE35);
    h ^ (h >> 16)
}

/// FNV-1a state after `[tag] ‖ seed`.
#[inline]
pub(crate) fn start(tag: u8, seed: u32) -> u32 {
    fnv1a(fnv1a(FNV_OFFSET, &[tag]), &seed.to_le_bytes())
}

/// `(h · buckets) >> 32`: a bucket in `[0, buckets)` for `buckets ≥ 1`.
#[inline]
pub(crate) fn reduce(h: u32, buckets: u32) -> u32 {
    ((u64::from(h) * u64::from(buckets)) >> 32) as u32
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fnv1a_reference_values() {
        // Published FNV-1a-32 test vectors.
        assert_eq!(fnv1a(FNV_OFFSET, b""), 0x811C_9DC5);
        assert_eq!(fnv1a(FNV_OFFSET, b"a"), 0xE40C_292C);
        assert_eq!(fnv1a(FNV_OFFSET, b"foobar"), 0xBF9C_F968);
        assert_eq!(fnv1a_char(FNV_OFFSET, 'a'), 0xE40C_292C);
    }

    #[test]
    fn fmix_and_reduce() {
        assert_eq!(fmix32(0), 0);
        assert_ne!(fmix32(1), 1);
        assert_eq!(reduce(u32::MAX, 10), 9);
        assert_eq!(reduce(0, 10), 0);
        assert_eq!(reduce(u32::MAX, 1), 0);
    }

    #[test]
    fn tags_and_seeds_differ() {
        assert_ne!(start(TAG_WORD, 0), start(TAG_BIGRAM, 0));
        assert_ne!(start(TAG_WORD, 0), start(TAG_WORD, 1));
    }
}
