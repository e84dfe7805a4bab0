#!/usr/bin/env bash
# Reproduces the fuzz run of the artifact decoder and the engine:
#   bash scripts/fuzz.sh [seconds per target, default 600] [targets..., default: body_infer decode_infer]
# One job per target, one after the other (the build machine is shared). Needs cargo-fuzz
# (`cargo install cargo-fuzz`); stable rustc accepts its nightly flags with RUSTC_BOOTSTRAP=1.
# Crashes land in fuzz/artifacts/<target>/; keep each as a named test in device/tests/fuzz_regressions.rs.
set -euo pipefail
cd "$(dirname "$0")/.."
secs="${1:-600}"
shift || true
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(body_infer decode_infer)
export RUSTC_BOOTSTRAP=1
command -v cargo-fuzz >/dev/null || cargo install cargo-fuzz --locked

# Seeds: valid artifacts (and their bodies) from the sample models.
cargo run -q -p edgekd-shared --features std --example fuzz_seeds -- fuzz/corpus

for t in "${targets[@]}"; do
  echo "=== fuzzing $t for ${secs}s"
  mkdir -p fuzz/artifacts
  cargo fuzz run "$t" --fuzz-dir fuzz -- -max_total_time="$secs" -max_len=8192 -rss_limit_mb=2048 \
    2>&1 | tee "fuzz/artifacts/$t.log" | grep -E "^#[0-9]+ +(DONE|pulse)|ERROR|panicked|Done" || true
  grep -E "^Done [0-9]+ runs|stat::number_of_executed_units" "fuzz/artifacts/$t.log" | tail -1
done
