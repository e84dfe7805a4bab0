#!/usr/bin/env bash
# Boots a firmware ELF on the emulated Cortex-M4 board: QEMU mps2-an386, semihosting on (the
# firmware's console and its exit status), deterministic instruction counting (-icount shift=0).
#
# Usage: scripts/qemu-run.sh FIRMWARE.elf [extra qemu-system-arm args...]
#
# Environment:
#   EDGEKD_QEMU_UART_PORT=PORT  UART0 on a loopback TCP server socket 127.0.0.1:PORT (QEMU does
#                               not wait for a client); unset: UART0 on QEMU's stdout.
#   EDGEKD_QEMU_TIMEOUT=SECS    kill QEMU after SECS seconds (default 300; exit status 124).
#   QEMU_SYSTEM_ARM=PATH        emulator binary (default: qemu-system-arm from PATH).
#
# QEMU's exit status is the firmware's (semihosting SYS_EXIT_EXTENDED): 0 = success.
# Also serves as the cargo runner of device/boards/qemu-mps2-an386 (`cargo run --release --bin selftest`).
set -euo pipefail

if [ $# -lt 1 ]; then
  echo "usage: $0 FIRMWARE.elf [extra qemu-system-arm args...]" >&2
  exit 2
fi
fw=$1
shift
if [ ! -f "$fw" ]; then
  echo "$0: no firmware file at '$fw'" >&2
  exit 2
fi

qemu=${QEMU_SYSTEM_ARM:-qemu-system-arm}
timeout_s=${EDGEKD_QEMU_TIMEOUT:-300}

serial=(-serial stdio)
if [ -n "${EDGEKD_QEMU_UART_PORT:-}" ]; then
  case $EDGEKD_QEMU_UART_PORT in
    *[!0-9]*) echo "$0: EDGEKD_QEMU_UART_PORT must be a port number, got '$EDGEKD_QEMU_UART_PORT'" >&2; exit 2 ;;
  esac
  serial=(-serial "tcp:127.0.0.1:${EDGEKD_QEMU_UART_PORT},server=on,wait=off")
fi

exec timeout --foreground -k 5 "$timeout_s" "$qemu" \
  -machine mps2-an386 -cpu cortex-m4 \
  -display none -monitor none "${serial[@]}" \
  -semihosting-config enable=on,target=native \
  -icount shift=0 \
  -kernel "$fw" \
  "$@"
