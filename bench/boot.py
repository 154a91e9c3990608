#!/usr/bin/env python3
"""Boot time of Debian's kernel to the busybox shell, kemu (-accel tcg) vs
qemu-system-x86_64 -accel tcg with the same kernel, initramfs and options.

For each emulator and run: seconds from start to the shell marker of
scripts/make-initramfs.sh, and to the exit after `poweroff -f`.  Prints the
medians side by side and kemu's ratio (the target: within 3x of QEMU TCG).

  bench/boot.py [--runs N] [--kemu build/kemu] [--qemu qemu-system-x86_64]
                [--kernel /boot/vmlinuz-...] [--initrd build/demo/initramfs.cpio.gz]
                [--timeout S] [-- extra options for both]
"""
import argparse
import glob
import os
import select
import shutil
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.join(HERE, "..")
MARKER = b"kemu-demo: shell ready"


def boot_once(cmd, timeout):
    """Run cmd; return (seconds to the marker, seconds to exit) or None on failure."""
    t0 = time.monotonic()
    p = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                         stderr=subprocess.STDOUT)
    buf = b""
    t_shell = None
    try:
        while True:
            left = t0 + timeout - time.monotonic()
            if left <= 0:
                print("  timed out; last output: %r" % buf[-300:], file=sys.stderr)
                return None
            r, _, _ = select.select([p.stdout], [], [], min(left, 1.0))
            if r:
                data = os.read(p.stdout.fileno(), 65536)
                if not data:
                    break
                buf += data
                if t_shell is None and MARKER in buf:
                    t_shell = time.monotonic() - t0
                    # The shell prompt follows the marker; then power off.
                    time.sleep(0.5)
                    p.stdin.write(b"\npoweroff -f\n")
                    p.stdin.flush()
        p.wait(timeout=max(1, t0 + timeout - time.monotonic()))
        if t_shell is None:
            print("  no shell marker; last output: %r" % buf[-300:], file=sys.stderr)
            return None
        return t_shell, time.monotonic() - t0
    finally:
        if p.poll() is None:
            p.kill()
            p.wait()


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--kemu", default=os.path.join(ROOT, "build/kemu"))
    ap.add_argument("--qemu", default="qemu-system-x86_64")
    kernels = sorted(glob.glob("/boot/vmlinuz-*"))
    ap.add_argument("--kernel", default=kernels[-1] if kernels else None)
    ap.add_argument("--initrd", default=os.path.join(ROOT, "build/demo/initramfs.cpio.gz"))
    ap.add_argument("--timeout", type=float, default=600)
    ap.add_argument("--only", choices=["kemu", "qemu"])
    ap.add_argument("extra", nargs="*")
    a = ap.parse_args()

    if not a.kernel:
        sys.exit("boot.py: no kernel in /boot")
    if not os.path.exists(a.initrd):
        subprocess.run([os.path.join(ROOT, "scripts/make-initramfs.sh"), a.initrd], check=True)
    common = ["-kernel", a.kernel, "-initrd", a.initrd, "-append", "console=ttyS0",
              "-display", "none", "-serial", "stdio", "-monitor", "none",
              "-m", "512", "-no-reboot"] + a.extra
    emus = []
    if a.only != "qemu":
        emus.append(("kemu", [a.kemu, "-accel", "tcg"] + common))
    if a.only != "kemu":
        if shutil.which(a.qemu):
            emus.append(("qemu", [a.qemu, "-accel", "tcg"] + common))
        else:
            print("boot.py: %s not found; kemu only" % a.qemu, file=sys.stderr)

    results = {}
    for run in range(a.runs):
        for name, cmd in emus:     # interleaved, so load changes hit both alike
            r = boot_once(cmd, a.timeout)
            print("run %d %-4s: %s" % (run + 1, name,
                  "failed" if r is None else "shell %.2f s, poweroff %.2f s" % r), flush=True)
            results.setdefault(name, []).append(r)

    print()
    print("%-6s %10s %10s %6s" % ("", "shell", "poweroff", "ok"))
    med = {}
    for name, _ in emus:
        ok = [r for r in results[name] if r]
        if ok:
            med[name] = (statistics.median(r[0] for r in ok), statistics.median(r[1] for r in ok))
            print("%-6s %9.2fs %9.2fs %3d/%d" % (name, med[name][0], med[name][1],
                                                 len(ok), a.runs))
        else:
            print("%-6s %10s %10s %3d/%d" % (name, "-", "-", 0, a.runs))
    if "kemu" in med and "qemu" in med:
        print("ratio  %9.2fx %9.2fx   (kemu / qemu; target <= 3x)"
              % (med["kemu"][0] / med["qemu"][0], med["kemu"][1] / med["qemu"][1]))
    return 0 if len(med) == len(emus) else 1


if __name__ == "__main__":
    sys.exit(main())
