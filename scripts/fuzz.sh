#!/usr/bin/env bash
# Runs the fuzz targets (fuzz/fuzz_targets) with cargo-fuzz, each from the committed seed corpus:
#   bash scripts/fuzz.sh [seconds per target, default 600] [targets..., default: all three]
# One target after the other (the build machine is shared). Needs cargo-fuzz
# (`cargo install cargo-fuzz --locked`); stable rustc accepts its nightly flags with RUSTC_BOOTSTRAP=1.
# `.ci/run` runs it for 60 s per target. Exits non-zero when a target finds a crash (kept in
# fuzz/artifacts/<target>/: make each a named regression test) or does not run at all.
#
# Seeds: fuzz/seeds/<target>/ (committed), written by
#   cargo run -p edgekd-shared --features std --example fuzz_seeds -- fuzz/seeds
# and copied into the working corpus fuzz/corpus/<target>/ (not committed), where libFuzzer adds
# what it finds.
set -euo pipefail
cd "$(dirname "$0")/.."
secs="${1:-600}"
shift || true
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(body_infer decode_infer server)
export RUSTC_BOOTSTRAP=1
command -v cargo-fuzz >/dev/null || cargo install cargo-fuzz --locked

for t in "${targets[@]}"; do
  seeds="fuzz/seeds/$t"
  if ! compgen -G "$seeds/*" >/dev/null; then
    echo "no seeds in $seeds: run the fuzz_seeds example (see the top of this script)" >&2
    exit 1
  fi
  mkdir -p "fuzz/corpus/$t" "fuzz/artifacts/$t"
  cp "$seeds"/* "fuzz/corpus/$t/"
  echo "=== fuzzing $t for ${secs}s from $(ls "$seeds" | wc -l) seeds"
  log="fuzz/artifacts/$t.log"
  status=0
  cargo fuzz run "$t" --fuzz-dir fuzz "fuzz/corpus/$t" -- -max_total_time="$secs" -max_len=8192 \
    -rss_limit_mb=2048 >"$log" 2>&1 || status=$?
  grep -E "^#[0-9]+ +(INITED|DONE)|ERROR|panicked|^Done" "$log" || true
  if [ "$status" -ne 0 ]; then
    echo "=== $t FAILED (exit $status); the log is $log, crashing inputs in fuzz/artifacts/$t/" >&2
    tail -40 "$log" >&2
    exit "$status"
  fi
  runs=$(grep -oE "^Done [0-9]+ runs" "$log" | grep -oE "[0-9]+" || true)
  if [ -z "$runs" ] || [ "$runs" -eq 0 ]; then
    echo "=== $t ran no inputs; the log is $log" >&2
    exit 1
  fi
  echo "=== $t: $runs runs in ${secs}s, no crash"
done
