#!/usr/bin/env bash
# Instruction counts of the int8 kernels on the emulated Cortex-M4 (QEMU mps2-an386), per
# multiply-accumulate, against plain scalar loops measured in the same run.
#
# Usage: scripts/bench-qemu.sh [--portable]
#   --portable   also build the firmware with the portable (non-DSP) dot products
#                (EDGEKD_NO_DSP=1, separate target dir) and show its figures next to the DSP ones.
#
# Builds tools/qemu-icount (the counting plugin) and device/boards/qemu-mps2-an386 (release, bin `bench`),
# runs it under QEMU with -icount shift=0, and pairs the plugin's per-segment counts with the
# labels the firmware prints. Counts are of guest instructions executed between the markers,
# minus the cost of an empty segment (the markers themselves). Deterministic: same numbers on
# every run of the same build.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
fw_dir=$root/device/boards/qemu-mps2-an386
plugin_dir=$root/tools/qemu-icount

portable=0
for arg in "$@"; do
  case $arg in
    --portable) portable=1 ;;
    *) echo "usage: $0 [--portable]" >&2; exit 2 ;;
  esac
done

make -s -C "$plugin_dir" libicount.so

# run_bench TARGET_DIR [env...]: builds, runs, prints "label macs insns" lines (marker cost removed).
run_bench() {
  local target_dir=$1
  shift
  (cd "$fw_dir" && env "$@" CARGO_TARGET_DIR="$target_dir" cargo build -q --release --bin bench)
  local elf=$target_dir/thumbv7em-none-eabihf/release/bench
  local begin end
  begin=$(nm "$elf" | awk '$3 == "icount_begin" { print "0x" $1 }')
  end=$(nm "$elf" | awk '$3 == "icount_end" { print "0x" $1 }')
  if [ -z "$begin" ] || [ -z "$end" ]; then
    echo "bench-qemu: no icount_begin/icount_end symbols in $elf" >&2
    return 1
  fi
  local tmp
  tmp=$(mktemp -d)
  local status=0
  "$root/scripts/qemu-run.sh" "$elf" \
    -plugin "$plugin_dir/libicount.so,begin=$begin,end_mark=$end,outfile=$tmp/icount.txt" \
    >"$tmp/stdout.txt" || status=$?
  if [ "$status" -ne 0 ]; then
    cat "$tmp/stdout.txt" >&2
    echo "bench-qemu: firmware exited with status $status (kernel/reference mismatches or a fault)" >&2
    rm -rf "$tmp"
    return 1
  fi
  awk '
    FNR == NR && /^bench segment=/ {
      for (i = 2; i <= NF; i++) { split($i, kv, "="); f[kv[1]] = kv[2] }
      label[f["segment"]] = f["label"]; macs[f["segment"]] = f["macs"]; n++
      next
    }
    FNR != NR && /^icount segment / { split($4, kv, "="); insns[$3] = kv[2]; m++ }
    FNR != NR && /^icount marker_errors=/ { split($2, kv, "="); errors = kv[2] }
    END {
      if (n == 0 || n != m || errors != 0) {
        printf "bench-qemu: %d labels, %d counted segments, %d marker errors\n", n, m, errors > "/dev/stderr"
        exit 1
      }
      base = insns[0]  # segment 0 is the empty calibration segment
      for (s = 1; s < n; s++) printf "%s %d %d\n", label[s], macs[s], insns[s] - base
    }' "$tmp/stdout.txt" "$tmp/icount.txt"
  rm -rf "$tmp"
}

dsp=$(run_bench "$fw_dir/target")
if [ "$portable" -eq 1 ]; then
  port=$(run_bench "$fw_dir/target/portable" EDGEKD_NO_DSP=1)
else
  port=""
fi

printf '%s\n' "$dsp" | awk -v port="$port" '
  BEGIN {
    np = split(port, lines, "\n")
    for (i = 1; i <= np; i++) { split(lines[i], p, " "); if (p[2] > 0) pimac[p[1]] = p[3] / p[2] }
  }
  { lab[NR] = $1; macs[$1] = $2; ins[$1] = $3; if ($2 > 0) imac[$1] = $3 / $2 }
  END {
    printf "%-30s %8s %9s %9s %10s %8s", "kernel (Cortex-M4, QEMU icount)", "MACs", "insns", "insns/MAC", "scalar/MAC", "speedup"
    if (port != "") printf " %12s", "portable/MAC"
    printf "\n"
    for (i = 1; i <= NR; i++) {
      l = lab[i]
      if (l ~ /^scalar_/) continue
      b = "scalar_" l
      if (!(b in imac)) { b = l; sub(/^dot_i8(_x2)?_/, "scalar_dot_", b) }
      printf "%-30s %8d %9d %9.2f", l, macs[l], ins[l], imac[l]
      if (b in imac) printf " %10.2f %7.2fx", imac[b], imac[b] / imac[l]; else printf " %10s %8s", "-", "-"
      if (port != "") { if (l in pimac) printf " %12.2f", pimac[l]; else printf " %12s", "-" }
      printf "\n"
    }
  }'
