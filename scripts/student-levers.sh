#!/usr/bin/env bash
# The device student's levers measured over independent draws (docs/results/student-accuracy.md).
#
# For each variant (a name and `edgekd run` flags) and each seed, `edgekd run --seed S` draws its own
# split, subsample, augmentation and teacher fine-tuning, trains the KD student, quantizes it and
# runs the int8 artifact on the device engine. The teacher and its labels are cached per draw, so
# after the first variant the others cost only their students. The table gives, per variant, the
# int8 dev accuracy (what the choice is made on), the int8 and f32 test accuracy and the teacher's
# test accuracy, each as mean ± sd over the seeds, and the paired difference of int8 dev accuracy
# against the variant named by BASELINE (default `baseline`) over the seeds both ran (same draws).
#
#   bash scripts/student-levers.sh [VARIANTS_FILE]
#   SEEDS="1 2 3" OUT=runs/levers EDGEKD_BIN=target/debug/edgekd bash scripts/student-levers.sh
#
# VARIANTS_FILE: one `name|flags` per line (`#` starts a comment); default: the variants below.
set -euo pipefail
cd "$(dirname "$0")/.."

SEEDS="${SEEDS:-1 2 3 4 5}"
OUT="${OUT:-runs/levers}"
if [ -n "${EDGEKD_BIN:-}" ]; then
  bin=("$EDGEKD_BIN")
else
  cargo build -q -p edgekd-host
  bin=("${CARGO_TARGET_DIR:-target}/debug/edgekd")
fi

default_variants() {
  cat <<'EOF'
baseline|
glove|--student-init glove
EOF
}

variants_file="${1:-}"
if [ -n "$variants_file" ]; then
  variants=$(grep -v '^\s*#' "$variants_file" | grep -v '^\s*$')
else
  variants=$(default_variants)
fi

mkdir -p "$OUT"
while IFS='|' read -r name flags; do
  for seed in $SEEDS; do
    dir="$OUT/$name/seed-$seed"
    if [ -f "$dir/metrics.json" ]; then
      continue
    fi
    rm -rf "$dir"
    echo "=== $name seed $seed: edgekd run --seed $seed $flags ($(date -u +%H:%M:%S))"
    # shellcheck disable=SC2086 # the flags are words
    "${bin[@]}" run --seed "$seed" --train-ft false --train-kd-without-augmentation false \
      $flags --out "$dir" >"$OUT/$name-seed-$seed.log" 2>&1 ||
      { echo "failed: see $OUT/$name-seed-$seed.log"; tail -5 "$OUT/$name-seed-$seed.log"; exit 1; }
  done
done <<<"$variants"

python3 - "$OUT" "${BASELINE:-baseline}" <<'EOF'
import json, pathlib, statistics, sys
out, baseline = pathlib.Path(sys.argv[1]), sys.argv[2]
def ms(xs):
    # One draw has no spread: its value alone, never "± 0".
    xs = [100 * x for x in xs]
    if len(xs) == 1:
        return f"{xs[0]:.2f}"
    return f"{statistics.mean(xs):.2f} ± {statistics.stdev(xs):.2f}"
def int8_dev(r):
    e = r["export"]
    return next(c[1]["int8_accuracy"] for c in e["calibrations"] if c[0] == e["calibration"])
def runs_of(v):
    return {m.parent.name: json.loads(m.read_text()) for m in sorted(v.glob("seed-*/metrics.json"))}
base = runs_of(out / baseline) if (out / baseline).is_dir() else {}
print(f"| variant | draws | int8 dev | paired dev Δ vs {baseline} | int8 test | f32 KD test | teacher test | artifact bytes |")
print("|---|---:|---:|---:|---:|---:|---:|---:|")
for v in sorted(p for p in out.iterdir() if p.is_dir()):
    runs = runs_of(v)
    if not runs:
        continue
    rs = list(runs.values())
    paired = [int8_dev(runs[s]) - int8_dev(base[s]) for s in runs if s in base]
    delta = f"{ms(paired)} ({len(paired)})" if paired and v.name != baseline else "–"
    int8_test = [r["export"]["int8_test"]["accuracy"] for r in rs]
    f32_test = [r["export"]["f32_test"]["accuracy"] for r in rs]
    teacher = [r["teacher"][1]["accuracy"] for r in rs]
    size = rs[0]["export"]["sizes"]["artifact"]
    print(f"| {v.name} | {len(rs)} | {ms([int8_dev(r) for r in rs])} | {delta} | {ms(int8_test)} "
          f"| {ms(f32_test)} | {ms(teacher)} | {size} |")
EOF
