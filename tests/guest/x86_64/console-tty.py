#!/usr/bin/env python3
"""The console on a real terminal: vmm puts stdin in raw mode, Ctrl-A x quits
with exit 0, the terminal settings are restored afterwards, and typed bytes
(including Ctrl-C, which raw mode passes to the guest) reach the guest.

Usage: console-tty.py VMM GUESTDIR    (exit 77 = skip where KVM is unusable)
"""
import os
import pty
import select
import sys
import termios
import time

vmm, guests = sys.argv[1], sys.argv[2]
if not os.access("/dev/kvm", os.R_OK | os.W_OK):
    print("SKIP: /dev/kvm missing or not accessible")
    sys.exit(77)


def spawn(args):
    pid, fd = pty.fork()
    if pid == 0:
        os.environ.setdefault("ASAN_OPTIONS", "detect_leaks=0")
        os.execv(vmm, [vmm] + args)
    return pid, fd


def read_until(fd, needle, timeout):
    buf = b""
    end = time.time() + timeout
    while needle not in buf and time.time() < end:
        r, _, _ = select.select([fd], [], [], 0.1)
        if r:
            try:
                chunk = os.read(fd, 4096)
            except OSError:
                break
            if not chunk:
                break
            buf += chunk
    return buf


def wait_exit(pid, timeout):
    end = time.time() + timeout
    while time.time() < end:
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            return os.waitstatus_to_exitcode(status)
        time.sleep(0.05)
    os.kill(pid, 9)
    os.waitpid(pid, 0)
    return None


failures = 0


def check(cond, what):
    global failures
    print(("ok: " if cond else "FAIL: ") + what)
    if not cond:
        failures += 1


# 1. Ctrl-A x quits a guest that never stops by itself; settings restored.
pid, fd = spawn(["--kernel", guests + "/guest_uart.bin"])
before = termios.tcgetattr(fd)
out = read_until(fd, b"echo: ", 10)
if b"KVM is not usable" in out:
    print("SKIP: " + out.decode(errors="replace").strip())
    sys.exit(77)
check(b"hello from the guest" in out, "guest output reaches the terminal")
during = termios.tcgetattr(fd)
check(not (during[3] & termios.ICANON) and not (during[3] & termios.ECHO),
      "stdin is in raw mode while the guest runs")
os.write(fd, b"a\x03b")  # Ctrl-C goes to the guest, not to vmm
out = read_until(fd, b"b", 5)
check(b"a\x03b" in out, "typed bytes, Ctrl-C included, reach the guest")
os.write(fd, b"\x01x")
code = wait_exit(pid, 10)
check(code == 0, "Ctrl-A x ends vmm with exit 0 (got %r)" % code)
after = termios.tcgetattr(fd)
check(after == before, "terminal settings restored after exit")
os.close(fd)

# 2. Ctrl-A Ctrl-A sends one Ctrl-A to the guest.
pid, fd = spawn(["--kernel", guests + "/guest_uart.bin"])
read_until(fd, b"echo: ", 10)
os.write(fd, b"\x01\x01z\n")
out = read_until(fd, b"|", 5)
check(b"\x01z|" in out, "Ctrl-A Ctrl-A sends a single Ctrl-A")
code = wait_exit(pid, 10)
check(code == 42, "guest exit status comes through a terminal session (got %r)" % code)
os.close(fd)

print("%d failure(s)" % failures)
sys.exit(1 if failures else 0)
