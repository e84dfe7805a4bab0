#!/usr/bin/env bash
# The test command of the README: every test of the workspace, including the end-to-end tests in tests/
# (QEMU runs of the firmware when qemu-system-arm and the thumbv7em target are installed).
set -euo pipefail
cd "$(dirname "$0")/.."
export XDG_RUNTIME_DIR="${XDG_RUNTIME_DIR:-/tmp}"
cargo test --workspace --no-fail-fast "$@"
