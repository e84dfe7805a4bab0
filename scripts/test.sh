#!/usr/bin/env bash
# The test command of the README: every test of the workspace (the end-to-end tests in tests/ boot the
# firmware on QEMU and build every board image of device/boards/), the board images' sizes against their
# budgets and instructions per inference on the emulated cores (printed), then the firmware's self-test on
# the emulated Cortex-M4, which checks that the device computes the pinned tokenizer and kernel vectors bit
# for bit as the host does.
# It first installs what is missing (scripts/prerequisites.sh: qemu-system-arm and the other Debian packages,
# the thumbv7em-none-eabihf and thumbv6m-none-eabi targets, the assets). A test whose prerequisite is still
# missing fails, it is never skipped: EDGEKD_REQUIRE_ALL=1 (the default here) turns every "prerequisite
# missing" skip inside the tests into a failure.
set -euo pipefail
cd "$(dirname "$0")/.."
export EDGEKD_REQUIRE_ALL="${EDGEKD_REQUIRE_ALL:-1}"
bash scripts/prerequisites.sh
export XDG_RUNTIME_DIR="${XDG_RUNTIME_DIR:-/tmp}"
# The teacher tests of `models` (and `host/tests/teacher_minilm.rs`) take the model folder as a path
# (models reads no cache layout): the host's asset cache says where it is, and fails here when it was
# not fetched.
EDGEKD_MINILM_DIR="$(cargo run -q -p edgekd-host --no-default-features -- assets path minilm-l6)"
export EDGEKD_MINILM_DIR

# The two board tests whose figures are the point run once, below, with their output shown.
printed=(--skip every_board_image_builds_and_fits_its_budgets
         --skip default_student_instructions_per_inference_on_the_emulated_cores)
cargo test --workspace --no-fail-fast "$@" -- "${printed[@]}"

echo "=== board images (cargo build --release in each crate of device/boards/) against their budgets"
cargo test --workspace --test boards -- --nocapture every_board_image_builds_and_fits_its_budgets

echo "=== instructions per inference of the default student's shape on the emulated cores"
cargo test --workspace --test board_instructions -- --nocapture

missing=()
command -v qemu-system-arm >/dev/null || missing+=(qemu-system-arm)
rustup target list --installed 2>/dev/null | grep -q thumbv7em-none-eabihf || missing+=(thumbv7em-none-eabihf)
if [ ${#missing[@]} -gt 0 ]; then
  echo "=== firmware self-test: FAILED, missing ${missing[*]} (.ci/run installs them)" >&2
  exit 1
fi
echo "=== firmware self-test on QEMU (mps2-an386, Cortex-M4F)"
(cd device/boards/qemu-mps2-an386 && CARGO_TARGET_DIR="$PWD/target" cargo run --release --locked --bin selftest)
