#!/usr/bin/env bash
# The device student's levers measured over independent draws (docs/results/student-accuracy.md).
#
# For each variant (a name and `edgekd run` flags) and each seed, `edgekd run --seed S` draws its own
# split, subsample, augmentation and teacher fine-tuning, trains the KD student, quantizes it and
# runs the int8 artifact on the device engine. The teacher and its labels are cached per draw, so
# after the first variant the others cost only their students. The table gives, per variant, the
# int8 dev accuracy (what the choice is made on), the int8 and f32 test accuracy and the teacher's
# test accuracy, each as mean ± sd over the seeds.
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

python3 - "$OUT" <<'EOF'
import json, pathlib, statistics, sys
out = pathlib.Path(sys.argv[1])
def ms(xs):
    xs = [100 * x for x in xs]
    sd = statistics.stdev(xs) if len(xs) > 1 else 0.0
    return f"{statistics.mean(xs):.2f} ± {sd:.2f}"
print("| variant | draws | int8 dev | int8 test | f32 KD test | teacher test | artifact bytes |")
print("|---|---:|---:|---:|---:|---:|---:|")
for v in sorted(p for p in out.iterdir() if p.is_dir()):
    runs = [json.loads(m.read_text()) for m in sorted(v.glob("seed-*/metrics.json"))]
    if not runs:
        continue
    int8_dev = [next(c[1]["int8_accuracy"] for c in r["export"]["calibrations"]
                     if c[0] == r["export"]["calibration"]) for r in runs]
    int8_test = [r["export"]["int8_test"]["accuracy"] for r in runs]
    f32_test = [r["export"]["f32_test"]["accuracy"] for r in runs]
    teacher = [r["teacher"][1]["accuracy"] for r in runs]
    size = runs[0]["export"]["sizes"]["artifact"]
    print(f"| {v.name} | {len(runs)} | {ms(int8_dev)} | {ms(int8_test)} | {ms(f32_test)} | {ms(teacher)} | {size} |")
EOF
