#!/usr/bin/env python3
"""UART0-over-TCP check: boots the `echo` firmware with UART0 on a loopback port, sends 2,040
bytes (every byte value except EOT, eight times), expects them back unchanged, sends EOT and
expects QEMU to exit 0.

Usage: device/firmware/scripts/echo_check.py [ECHO_ELF] [PORT]
Default ELF: device/firmware/target/thumbv7em-none-eabihf/release/echo (build it first).
"""
import os
import socket
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", "..", ".."))
ELF = sys.argv[1] if len(sys.argv) > 1 else os.path.join(
    ROOT, "device/firmware/target/thumbv7em-none-eabihf/release/echo")
PORT = int(sys.argv[2]) if len(sys.argv) > 2 else 47000 + os.getpid() % 1000


def main() -> int:
    env = dict(os.environ, EDGEKD_QEMU_UART_PORT=str(PORT), EDGEKD_QEMU_TIMEOUT="60")
    qemu = subprocess.Popen([os.path.join(ROOT, "scripts/qemu-run.sh"), ELF], env=env,
                            stdout=subprocess.PIPE)
    sock = None
    for _ in range(200):
        try:
            sock = socket.create_connection(("127.0.0.1", PORT))
            break
        except OSError:
            time.sleep(0.05)
    if sock is None:
        qemu.kill()
        print(f"echo_check: could not connect to 127.0.0.1:{PORT}", file=sys.stderr)
        return 1
    sock.settimeout(20)
    message = bytes(b for b in range(256) if b != 0x04) * 8
    sock.sendall(message)
    back = b""
    while len(back) < len(message):
        chunk = sock.recv(4096)
        if not chunk:
            break
        back += chunk
    sock.sendall(b"\x04")
    out, _ = qemu.communicate(timeout=30)
    sock.close()
    ok = back == message and qemu.returncode == 0
    print(f"echo_check: sent {len(message)} bytes, got {len(back)} back, "
          f"{'identical' if back == message else 'DIFFERENT'}; qemu exit {qemu.returncode}; "
          f"firmware said: {out.decode(errors='replace').strip()}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
