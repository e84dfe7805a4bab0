#!/usr/bin/env bash
# The test command of the README: every test of the workspace (the end-to-end tests in tests/ boot the
# firmware on QEMU), then the firmware's self-test on the emulated Cortex-M4, which checks that the
# device computes the pinned tokenizer and kernel vectors bit for bit as the host does.
# `.ci/run` installs what this needs (qemu-system-arm, the thumbv7em-none-eabihf target, the assets)
# and sets EDGEKD_REQUIRE_ALL=1, which makes every "prerequisite missing" skip, here and in the
# tests, a failure.
set -euo pipefail
cd "$(dirname "$0")/.."
export XDG_RUNTIME_DIR="${XDG_RUNTIME_DIR:-/tmp}"
cargo test --workspace --no-fail-fast "$@"

if command -v qemu-system-arm >/dev/null && rustup target list --installed 2>/dev/null | grep -q thumbv7em-none-eabihf; then
  echo "=== firmware self-test on QEMU (mps2-an386, Cortex-M4F)"
  (cd device/firmware && CARGO_TARGET_DIR="$PWD/target" cargo run --release --locked --bin selftest)
else
  echo "=== firmware self-test skipped: qemu-system-arm or the thumbv7em-none-eabihf target is missing (.ci/run installs both)"
  if [ -n "${EDGEKD_REQUIRE_ALL:-}" ] && [ "${EDGEKD_REQUIRE_ALL}" != 0 ]; then
    echo "=== EDGEKD_REQUIRE_ALL=${EDGEKD_REQUIRE_ALL}: a skipped self-test is a failure" >&2
    exit 1
  fi
fi
