#!/usr/bin/env bash
# The GPU path, side by side with the CPU: the teacher's labelling throughput and largest logit
# difference on wgpu against flex (models/tests/wgpu_teacher.rs), the student's KD step
# (models/tests/wgpu_step.rs), then a short distill run on each backend with its wall time and
# accuracies (the wgpu run reuses the flex run's fine-tuned teacher and soft labels: both caches are
# keyed by data, settings and weights, not by backend, so its time is the students'; the teacher on
# wgpu is what wgpu_teacher measures). On a machine without a GPU it runs on Mesa's software Vulkan
# driver (lavapipe) and must pass there too. Builds with `--features wgpu` in "$CARGO_TARGET_DIR-wgpu"
# (~50 min the first time on 2 cores). Usage: bash scripts/gpu-check.sh [TRAIN_SIZE]   (default 300)
set -euo pipefail
cd "$(dirname "$0")/.."
export XDG_RUNTIME_DIR="${XDG_RUNTIME_DIR:-/tmp}"
export EDGEKD_CACHE="${EDGEKD_CACHE:-$HOME/.cache/edgekd}"
target="${CARGO_TARGET_DIR:-$EDGEKD_CACHE/ci-target}-wgpu"
size="${1:-300}"
export CARGO_TARGET_DIR="$target"
# models/tests/wgpu_teacher.rs takes the model folder from the host's asset cache.
EDGEKD_MINILM_DIR="$(cargo run -q -p edgekd-host --no-default-features -- assets path minilm-l6)"
export EDGEKD_MINILM_DIR

echo "=== teacher and student on wgpu against flex"
cargo test --workspace --features edgekd-models/wgpu,edgekd-models/student \
  --test wgpu_teacher --test wgpu_step -- --nocapture

cargo build --workspace --features edgekd-host/wgpu
out=$(mktemp -d)
for backend in flex wgpu; do
  echo "=== distill on $backend: $size originals, 2 copies at degree 0.3, teacher 20 steps"
  start=$(date +%s)
  "$target/debug/edgekd" distill --backend "$backend" --train-size "$size" --copies 2 --degree 0.3 \
    --teacher-max-steps 20 --out "$out/$backend" 2>&1 | grep -E "accuracy|backend" || true
  echo "$backend: $(( $(date +%s) - start )) s"
done
rm -rf "$out"
