#!/usr/bin/env bash
# Installs, when missing, what the tests need on a fresh machine, and nothing when it is all there:
# the Debian packages (qemu-system-arm for the emulated board, wordnet-base, Mesa's software Vulkan for the
# wgpu check, fontconfig for the report's plots, slurm-wlm and munge for the
# single-node Slurm of scripts/slurm/local-cluster.sh), the thumbv7em-none-eabihf (emulated board, nRF52840 DK)
# and thumbv6m-none-eabi (Raspberry Pi Pico) Rust targets, and the real assets in $EDGEKD_CACHE, each
# checked by hash (`edgekd assets fetch`). Called by the README's test command (scripts/test.sh) and .ci/run.
set -euo pipefail
cd "$(dirname "$0")/.."

need=()
command -v qemu-system-arm >/dev/null || need+=(qemu-system-arm)
[ -f /usr/share/wordnet/data.noun ] || need+=(wordnet-base)
dpkg -s mesa-vulkan-drivers >/dev/null 2>&1 || need+=(mesa-vulkan-drivers libvulkan1)
# plotters draws text through fontconfig (build time: pkg-config and the headers; run time: a font).
dpkg -s libfontconfig1-dev >/dev/null 2>&1 || need+=(libfontconfig1-dev pkg-config)
dpkg -s fonts-dejavu-core >/dev/null 2>&1 || need+=(fonts-dejavu-core)
# A real single-node Slurm for host/tests/slurm_cluster.rs (the script starts it; these are its daemons).
command -v slurmctld >/dev/null || need+=(slurm-wlm)
command -v munged >/dev/null || need+=(munge)
if [ ${#need[@]} -gt 0 ]; then
  echo "=== installing Debian packages: ${need[*]}"
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo=sudo
  export DEBIAN_FRONTEND=noninteractive
  $sudo apt-get update -qq
  $sudo apt-get install -y -qq --no-install-recommends "${need[@]}"
fi

for target in thumbv7em-none-eabihf thumbv6m-none-eabi; do
  rustup target list --installed | grep -q "^$target\$" || rustup target add "$target"
done

# Without default features: fetching needs no burn, and the test build compiles burn once.
cargo run -q -p edgekd-host --no-default-features -- assets fetch
