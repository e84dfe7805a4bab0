//! Property tests of the int8 kernels against the f64 reference in `kref`:
//! `dense`/`conv1d` within 1 LSB, pools and `embed_bag` exact, no overflow or panic on
//! extreme values.

mod kref;

use edgekd_shared::kernels::{
    argmax, conv1d, dense, dot, embed, embed_bag, global_max_pool, global_mean_pool, ChannelParams,
    KernelError, Pool, MAX_DOT_LEN,
};
use edgekd_shared::quant::{OutputQuant, Requant};
use proptest::prelude::*;

fn params_bytes(bias: &[i32], reals: &[f64]) -> Vec<u8> {
    let rqs: Vec<Requant> = reals
        .iter()
        .map(|&r| Requant::from_real(r).unwrap())
        .collect();
    let mut b = vec![0u8; bias.len() * ChannelParams::BYTES_PER_CHANNEL];
    ChannelParams::encode(bias, &rqs, &mut b).unwrap();
    b
}

fn within_1(got: &[i8], reference: &[i8]) -> Result<(), TestCaseError> {
    prop_assert_eq!(got.len(), reference.len());
    for (i, (&g, &r)) in got.iter().zip(reference).enumerate() {
        prop_assert!(
            (i32::from(g) - i32::from(r)).abs() <= 1,
            "[{}]: kernel {} reference {}",
            i,
            g,
            r
        );
    }
    Ok(())
}

/// An int8 value biased towards the extremes.
fn extreme_i8() -> impl Strategy<Value = i8> {
    prop_oneof![Just(-128i8), Just(-127), Just(127), Just(0), any::<i8>()]
}

fn output_quant() -> impl Strategy<Value = OutputQuant> {
    (any::<i8>(), any::<bool>()).prop_map(|(zp, relu)| {
        if relu {
            OutputQuant::relu(zp)
        } else {
            OutputQuant::linear(zp)
        }
    })
}

prop_compose! {
    fn dense_case()(n_in in 0usize..200, n_out in 1usize..12)
        (input in prop::collection::vec(any::<i8>(), n_in),
         weights in prop::collection::vec(-127i8..=127, n_in * n_out),
         bias in prop::collection::vec(-100_000i32..100_000, n_out),
         reals in prop::collection::vec((-20.0f64..0.0).prop_map(f64::exp2), n_out),
         oq in output_quant())
        -> (Vec<i8>, Vec<i8>, Vec<i32>, Vec<f64>, OutputQuant) {
        (input, weights, bias, reals, oq)
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(600))]

    #[test]
    fn dense_within_1_lsb((input, weights, bias, reals, oq) in dense_case()) {
        let bytes = params_bytes(&bias, &reals);
        let p = ChannelParams::new(&bytes, bias.len()).unwrap();
        let mut out = vec![0i8; bias.len()];
        dense(&input, &weights, &p, oq, &mut out).unwrap();
        within_1(&out, &kref::dense_ref(&input, &weights, &bias, &reals, oq))?;
    }

    #[test]
    fn dense_extreme_values_never_overflow(
        n_in in 1usize..300,
        n_out in 1usize..5,
        seed_in in prop::collection::vec(extreme_i8(), 300),
        seed_w in prop::collection::vec(extreme_i8(), 1500),
        bias in prop::collection::vec(any::<i32>(), 5),
        real in (-32.0f64..29.0).prop_map(f64::exp2),
    ) {
        let input = &seed_in[..n_in];
        let weights = &seed_w[..n_in * n_out];
        let bias = &bias[..n_out];
        let reals = vec![real; n_out];
        let bytes = params_bytes(bias, &reals);
        let p = ChannelParams::new(&bytes, n_out).unwrap();
        let mut out = vec![0i8; n_out];
        let oq = OutputQuant::linear(0);
        dense(input, weights, &p, oq, &mut out).unwrap();
        // The kernel saturates Σ + bias to i32; the reference clamps the same way.
        within_1(&out, &kref::dense_ref(input, weights, bias, &reals, oq))?;
    }

    #[test]
    fn conv1d_within_1_lsb(
        len in 0usize..16, in_ch in 1usize..6, out_ch in 1usize..8, kernel in 1usize..6, pad in 0usize..4,
        zp in any::<i8>(), oq in output_quant(),
        data in prop::collection::vec(any::<i8>(), 16 * 6),
        w in prop::collection::vec(-127i8..=127, 8 * 6 * 6),
        bias in prop::collection::vec(-50_000i32..50_000, 8),
        reals in prop::collection::vec((-18.0f64..-2.0).prop_map(f64::exp2), 8),
    ) {
        let input = &data[..len * in_ch];
        let weights = &w[..out_ch * kernel * in_ch];
        let (bias, reals) = (&bias[..out_ch], &reals[..out_ch]);
        let bytes = params_bytes(bias, reals);
        let p = ChannelParams::new(&bytes, out_ch).unwrap();
        let mut out = vec![0i8; 32 * 8];
        let n = conv1d(input, len, in_ch, zp, weights, kernel, pad, &p, oq, &mut out).unwrap();
        let reference = kref::conv1d_ref(input, len, in_ch, zp, weights, kernel, pad, bias, reals, oq);
        within_1(&out[..n * out_ch], &reference)?;
    }

    #[test]
    fn pools_are_exact(len in 0usize..40, ch in 1usize..10, empty in any::<i8>(),
                       data in prop::collection::vec(extreme_i8(), 400)) {
        let input = &data[..len * ch];
        let mut out = vec![0i8; ch];
        global_max_pool(input, len, ch, empty, &mut out).unwrap();
        prop_assert_eq!(&out, &kref::max_pool_ref(input, len, ch, empty));
        global_mean_pool(input, len, ch, empty, &mut out).unwrap();
        prop_assert_eq!(&out, &kref::mean_pool_ref(input, len, ch, empty));
    }

    #[test]
    fn embed_bag_is_exact(buckets in 1usize..50, dim in 1usize..9, empty in any::<i8>(),
                          table in prop::collection::vec(extreme_i8(), 50 * 9),
                          raw_tokens in prop::collection::vec(any::<u32>(), 0..30)) {
        let table = &table[..buckets * dim];
        let tokens: Vec<u32> = raw_tokens.iter().map(|t| t % buckets as u32).collect();
        let rows = kref::gather(&tokens, table, dim);
        let mut acc = vec![0i32; dim];
        let mut out = vec![0i8; dim];
        embed_bag(&tokens, table, dim, Pool::Mean, empty, &mut acc, &mut out).unwrap();
        prop_assert_eq!(&out, &kref::mean_pool_ref(&rows, tokens.len(), dim, empty));
        embed_bag(&tokens, table, dim, Pool::Max, empty, &mut acc, &mut out).unwrap();
        prop_assert_eq!(&out, &kref::max_pool_ref(&rows, tokens.len(), dim, empty));
        let mut seq = vec![0i8; tokens.len() * dim];
        embed(&tokens, table, dim, &mut seq).unwrap();
        prop_assert_eq!(seq, rows);
    }

    #[test]
    fn dots_equal_a_plain_wrapping_loop(
        x in prop::collection::vec(any::<i8>(), 0..100),
        w0 in prop::collection::vec(any::<i8>(), 0..100),
        w1 in prop::collection::vec(any::<i8>(), 0..100),
    ) {
        let plain = |a: &[i8], b: &[i8]| {
            a.iter().zip(b).fold(0i32, |s, (&p, &q)| s.wrapping_add(i32::from(p) * i32::from(q)))
        };
        prop_assert_eq!(dot::dot_i8(&x, &w0), plain(&x, &w0));
        prop_assert_eq!(dot::dot_i8(&w1, &x), plain(&w1, &x));
        prop_assert_eq!(dot::dot_i8_x2(&x, &w0, &w1), (plain(&x, &w0), plain(&x, &w1)));
    }

    #[test]
    fn argmax_is_first_maximum(v in prop::collection::vec(any::<i8>(), 0..40)) {
        let expected = v.iter().max().map(|m| v.iter().position(|x| x == m).unwrap());
        prop_assert_eq!(argmax(&v), expected);
    }

    #[test]
    fn bad_shapes_never_panic(n_in in 0usize..10, n_w in 0usize..40, n_out in 0usize..6, ch in 0usize..5,
                              len in 0usize..6, kernel in 0usize..5, pad in 0usize..3, n_bytes in 0usize..80) {
        let bytes = params_bytes(&vec![0; ch], &vec![0.5; ch]);
        let p = ChannelParams::new(&bytes, ch).unwrap();
        let input = vec![1i8; n_in];
        let w = vec![1i8; n_w];
        let mut out = vec![0i8; n_out];
        let _ = dense(&input, &w, &p, OutputQuant::linear(0), &mut out);
        let _ = conv1d(&input, len, ch, 0, &w, kernel, pad, &p, OutputQuant::linear(0), &mut out);
        let _ = global_mean_pool(&input, len, ch, 0, &mut out);
        let _ = global_max_pool(&input, len, ch, 0, &mut out);
        let _ = ChannelParams::new(&vec![0u8; n_bytes], ch);
    }
}

#[test]
fn t1_longest_dot_is_exact_and_one_more_is_rejected() {
    let input = vec![-128i8; MAX_DOT_LEN];
    let weights = vec![-128i8; MAX_DOT_LEN];
    let bytes = params_bytes(&[0], &[(-31f64).exp2()]);
    let p = ChannelParams::new(&bytes, 1).unwrap();
    let mut out = [0i8; 1];
    dense(&input, &weights, &p, OutputQuant::linear(0), &mut out).unwrap();
    // Σ = 16384 · 131071 = 2^31 − 16384, · 2^-31 ≈ 0.99999 → 1.
    assert_eq!(out, [1]);
    let longer = vec![-128i8; MAX_DOT_LEN + 1];
    assert_eq!(
        dense(&longer, &longer, &p, OutputQuant::linear(0), &mut out),
        Err(KernelError::TooLarge {
            what: "dense input",
            limit: MAX_DOT_LEN
        })
    );
}

#[test]
fn t2_bias_saturates_instead_of_wrapping() {
    let bytes = params_bytes(&[i32::MAX, i32::MIN], &[1.0, 1.0]);
    let p = ChannelParams::new(&bytes, 2).unwrap();
    let mut out = [0i8; 2];
    dense(
        &[127; 8],
        &[
            127, 127, 127, 127, 127, 127, 127, 127, -127, -127, -127, -127, -127, -127, -127, -127,
        ],
        &p,
        OutputQuant::linear(0),
        &mut out,
    )
    .unwrap();
    assert_eq!(out, [127, -128]);
}
