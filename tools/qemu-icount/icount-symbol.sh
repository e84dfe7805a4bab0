#!/usr/bin/env bash
# Counts the guest instructions executed inside one function of a firmware ELF.
#
# Usage: tools/qemu-icount/icount-symbol.sh FIRMWARE.elf SYMBOL [extra qemu args...]
#   SYMBOL: an exact (demangled, hash-free) symbol name, e.g. `edgekd_firmware::reference::dot`
#           or `icount_begin`. The address range [start, start + size) comes from `nm -S`.
# Prints the plugin's report (total and range counts) on stdout; the firmware's own output
# goes to stderr. The function must not be inlined (its calls' code lies elsewhere otherwise),
# and instructions of functions it calls are not counted (they lie outside the range).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
if [ $# -lt 2 ]; then
  echo "usage: $0 FIRMWARE.elf SYMBOL [extra qemu args...]" >&2
  exit 2
fi
elf=$1
sym=$2
shift 2
make -s -C "$here" libicount.so
# nm -S --demangle=rust: "addr size type name::h<hash>"; match the name with or without the hash.
read -r addr size < <(nm -S --demangle "$elf" | awk -v s="$sym" '
  NF >= 4 { name = $4; for (i = 5; i <= NF; i++) name = name " " $i
            plain = name; sub(/::h[0-9a-f]{16}$/, "", plain)
            if (name == s || plain == s) { print $1, $2; exit } }') || true
if [ -z "${addr:-}" ]; then
  echo "$0: no sized symbol '$sym' in $elf (see nm -S --demangle)" >&2
  exit 1
fi
start=$((16#$addr & ~1))
end=$((start + 16#$size))
out=$(mktemp)
trap 'rm -f "$out"' EXIT
"$root/scripts/qemu-run.sh" "$elf" -plugin "$here/libicount.so,start=$start,end=$end,outfile=$out" >&2 || {
  status=$?
  cat "$out"
  exit "$status"
}
cat "$out"
