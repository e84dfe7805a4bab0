//! Hashed-token embedding lookups: one row per token, or one pooled row per text.

use super::{div_round_half_away, expect_len, mul_len, KernelError};

/// How [`embed_bag`] pools the rows of a text's tokens.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum Pool {
    /// Mean of the int8 codes, rounded half away from zero.
    Mean,
    /// Element-wise maximum of the int8 codes.
    Max,
}

/// Most tokens [`embed_bag`] pools: 127 · n must fit the i32 accumulator, and more than
/// 2^24 tokens is surely a bug upstream.
pub const MAX_BAG_TOKENS: usize = 1 << 24;

/// Embedding lookup: `output[i] = table[tokens[i]]`.
///
/// # Shapes
/// - `tokens`: `[n]` bucket ids;
/// - `table`: `[buckets, dim]` row-major, `buckets = table.len() / dim`;
/// - `output`: `[n, dim]`, at least that long (only the prefix is written).
///
/// Errors: `dim == 0`, a table length not a multiple of `dim`, a short output, a token
/// `≥ buckets` (`TokenOutOfRange`, checked before anything is written).
pub fn embed(
    tokens: &[u32],
    table: &[i8],
    dim: usize,
    output: &mut [i8],
) -> Result<(), KernelError> {
    let buckets = check_table(table, dim)?;
    let needed = mul_len("embed output", tokens.len(), dim)?;
    if output.len() < needed {
        return Err(KernelError::OutputTooSmall {
            what: "embed output",
            needed,
            found: output.len(),
        });
    }
    check_tokens(tokens, buckets)?;
    for (&tok, out) in tokens.iter().zip(output.chunks_exact_mut(dim)) {
        out.copy_from_slice(row(table, tok, dim));
    }
    Ok(())
}

/// Pooled lookup (bag of embeddings), in the table's quantization.
///
/// # Shapes
/// - `tokens`: `[n]` bucket ids, `n ≤ MAX_BAG_TOKENS`;
/// - `table`: `[buckets, dim]`;
/// - `acc`: scratch, at least `[dim]` i32;
/// - `output`: `[dim]` (exactly).
///
/// `Pool::Mean` rounds `Σ / n` half away from zero; `Pool::Max` takes the largest code.
/// No tokens → every output is `empty` (pass the table's zero point: real 0).
#[allow(clippy::too_many_arguments)]
pub fn embed_bag(
    tokens: &[u32],
    table: &[i8],
    dim: usize,
    pool: Pool,
    empty: i8,
    acc: &mut [i32],
    output: &mut [i8],
) -> Result<(), KernelError> {
    let buckets = check_table(table, dim)?;
    expect_len("embed_bag output", dim, output.len())?;
    if acc.len() < dim {
        return Err(KernelError::OutputTooSmall {
            what: "embed_bag scratch",
            needed: dim,
            found: acc.len(),
        });
    }
    if tokens.len() > MAX_BAG_TOKENS {
        return Err(KernelError::TooLarge {
            what: "embed_bag tokens",
            limit: MAX_BAG_TOKENS,
        });
    }
    check_tokens(tokens, buckets)?;
    if tokens.is_empty() {
        output.fill(empty);
        return Ok(());
    }
    let acc = acc.get_mut(..dim).unwrap_or(&mut []);
    match pool {
        Pool::Mean => {
            acc.fill(0);
            for &tok in tokens {
                for (a, &v) in acc.iter_mut().zip(row(table, tok, dim)) {
                    *a = a.wrapping_add(i32::from(v));
                }
            }
            let n = tokens.len() as i32; // ≤ 2^24
            for (o, &a) in output.iter_mut().zip(acc.iter()) {
                *o = div_round_half_away(a, n).clamp(-128, 127) as i8;
            }
        }
        Pool::Max => {
            acc.fill(i32::from(i8::MIN));
            for &tok in tokens {
                for (a, &v) in acc.iter_mut().zip(row(table, tok, dim)) {
                    *a = (*a).max(i32::from(v));
                }
            }
            for (o, &a) in output.iter_mut().zip(acc.iter()) {
                *o = a.clamp(-128, 127) as i8;
            }
        }
    }
    Ok(())
}

/// Rows in `table` of width `dim`, or an error for `dim == 0` or a ragged table.
fn check_table(table: &[i8], dim: usize) -> Result<usize, KernelError> {
    if dim == 0 {
        return Err(KernelError::Zero {
            what: "embedding dim",
        });
    }
    let buckets = table.len() / dim;
    expect_len("embedding table", buckets * dim, table.len())?;
    Ok(buckets)
}

fn check_tokens(tokens: &[u32], buckets: usize) -> Result<(), KernelError> {
    match tokens.iter().position(|&t| t as usize >= buckets) {
        Some(position) => Err(KernelError::TokenOutOfRange {
            position,
            token: tokens.get(position).copied().unwrap_or(0),
            buckets,
        }),
        None => Ok(()),
    }
}

/// Row `tok` of a checked table (empty when out of range, which checked callers never see).
#[inline]
fn row(table: &[i8], tok: u32, dim: usize) -> &[i8] {
    let start = (tok as usize).saturating_mul(dim);
    table.get(start..start.saturating_add(dim)).unwrap_or(&[])
}

#[cfg(test)]
mod tests {
    use super::*;

    const TABLE: [i8; 8] = [1, 2, 3, 4, -5, 6, 127, -128]; // 4 buckets × dim 2

    #[test]
    fn lookup_rows() {
        let mut out = [0i8; 7];
        embed(&[3, 0, 2], &TABLE, 2, &mut out).unwrap();
        assert_eq!(out, [127, -128, 1, 2, -5, 6, 0]);
    }

    #[test]
    fn out_of_range_token_writes_nothing() {
        let mut out = [0i8; 6];
        assert_eq!(
            embed(&[0, 4, 1], &TABLE, 2, &mut out),
            Err(KernelError::TokenOutOfRange {
                position: 1,
                token: 4,
                buckets: 4
            })
        );
        assert_eq!(out, [0; 6]);
        let mut acc = [0i32; 2];
        let mut o2 = [0i8; 2];
        assert!(embed_bag(&[u32::MAX], &TABLE, 2, Pool::Max, 0, &mut acc, &mut o2).is_err());
    }

    #[test]
    fn bag_mean_and_max() {
        let mut acc = [0i32; 2];
        let mut out = [0i8; 2];
        embed_bag(&[0, 2], &TABLE, 2, Pool::Mean, 0, &mut acc, &mut out).unwrap();
        assert_eq!(out, [-2, 4]); // (1−5)/2 = −2, (2+6)/2 = 4
        embed_bag(&[0, 1, 1], &TABLE, 2, Pool::Mean, 0, &mut acc, &mut out).unwrap();
        assert_eq!(out, [2, 3]); // 7/3 = 2.33, 10/3 = 3.33
        embed_bag(&[0, 3], &TABLE, 2, Pool::Mean, 0, &mut acc, &mut out).unwrap();
        assert_eq!(out, [64, -63]); // 64, −63
        embed_bag(&[0, 2, 3], &TABLE, 2, Pool::Max, 0, &mut acc, &mut out).unwrap();
        assert_eq!(out, [127, 6]);
        embed_bag(&[2, 2], &TABLE, 2, Pool::Mean, 0, &mut acc, &mut out).unwrap();
        assert_eq!(out, [-5, 6]);
    }

    #[test]
    fn mean_rounds_half_away() {
        let table = [1i8, -1, 2, -2];
        let mut acc = [0i32; 1];
        let mut out = [0i8; 1];
        embed_bag(&[0, 2], &table, 1, Pool::Mean, 0, &mut acc, &mut out).unwrap();
        assert_eq!(out, [2]); // 1.5 → 2
        embed_bag(&[1, 3], &table, 1, Pool::Mean, 0, &mut acc, &mut out).unwrap();
        assert_eq!(out, [-2]); // −1.5 → −2
    }

    #[test]
    fn empty_bag_is_the_zero_point() {
        let mut acc = [0i32; 2];
        let mut out = [0i8; 2];
        embed_bag(&[], &TABLE, 2, Pool::Mean, -7, &mut acc, &mut out).unwrap();
        assert_eq!(out, [-7, -7]);
    }

    #[test]
    fn shape_errors() {
        let mut acc = [0i32; 1];
        let mut out = [0i8; 2];
        assert!(embed_bag(&[0], &TABLE, 2, Pool::Max, 0, &mut acc, &mut out).is_err());
        assert!(embed(&[0], &TABLE, 3, &mut out).is_err());
        assert!(embed(&[0], &TABLE, 0, &mut out).is_err());
        let mut short = [0i8; 3];
        assert!(embed(&[0, 1], &TABLE, 2, &mut short).is_err());
    }
}
