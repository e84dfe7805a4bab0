//! Augmented sentences per second for `synonym` (WordNet) and `knn` (GloVe, table already built)
//! on real Rotten Tomatoes snippets, all cores (rayon).
//!
//! `CARGO_TARGET_DIR=target-host cargo bench -p edgekd-host --bench augment`
//! (fetches WordNet, GloVe and the corpus on first run and builds the kNN table once).

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use edgekd_host::augment::{augment_dataset, load_lexicon, AugmentConfig, Method};
use edgekd_host::data::rotten_tomatoes;

const SENTENCES: usize = 4000;

fn bench(c: &mut Criterion) {
    let path = edgekd_host::assets::ensure("rotten-tomatoes").expect("fetch rotten-tomatoes");
    let (mut ds, _) = rotten_tomatoes(&path).expect("load rotten-tomatoes");
    ds.examples.truncate(SENTENCES);
    let cfg = AugmentConfig {
        degree: 0.3,
        copies: 1,
        seed: 7,
    };
    let mut group = c.benchmark_group("augment");
    group.sample_size(10);
    group.throughput(Throughput::Elements(ds.len() as u64));
    for method in [Method::Synonym, Method::Knn, Method::Random] {
        let lexicon = load_lexicon(method).expect("load lexicon");
        group.bench_function(format!("{method:?}").to_lowercase(), |b| {
            b.iter(|| augment_dataset(&ds, lexicon.as_ref(), &cfg))
        });
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
