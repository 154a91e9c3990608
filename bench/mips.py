#!/usr/bin/env python3
"""Interpreter speed: MIPS of the guest integer loop of tests/guest/mb-ring3.elf
(xorshift32 at CPL 3, 12 instructions an iteration) under kemu -accel tcg and
qemu-system-x86_64 -accel tcg, side by side.

Each emulator runs the guest with n=N and n=5N iterations; the difference of
the host wall times is the time of 4N iterations, free of start-up and exit.
Runs alternate between the emulators; the median of --runs is printed, with
kemu's MIPS over QEMU's, per second of wall time and per second of CPU time
(all threads: the comparable figure on a busy host).  The guest's checksum is checked against Python's on
a short run, and between the emulators on the long ones.

Usage: bench/mips.py [--kemu build/kemu] [--qemu qemu-system-x86_64]
                     [--guest build/tests/guest/mb-ring3.elf] [--n N] [--runs R]
Use a release build (an ASan build is several times slower)."""
import argparse
import os
import resource
import shutil
import statistics
import sys
import time

from kvm_ring3 import ROOT, guest_run

INSNS_PER_ITER = 12


def xorshift_sum(n):
    x, s = 2463534242, 0
    for _ in range(n):
        x ^= (x << 13) & 0xffffffff
        x ^= x >> 17
        x ^= (x << 5) & 0xffffffff
        s = (s + x) & 0xffffffff
    return s


def cpu_seconds():
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def timed(cmd, guest, n):
    """(wall seconds, CPU seconds of all its threads, checksum) of one run."""
    t0, c0 = time.monotonic(), cpu_seconds()
    checksum, _, _ = guest_run(cmd, guest, "n=%d" % n)
    return time.monotonic() - t0, cpu_seconds() - c0, int(checksum, 16)


def check(cmd, guest, n=100000):
    _, _, checksum = timed(cmd, guest, n)
    if checksum != xorshift_sum(n):
        sys.exit("%s: checksum %08x, want %08x" % (cmd[0], checksum, xorshift_sum(n)))


def mips(cmd, guest, n):
    """Million guest instructions per second of wall and of CPU time over 4n iterations."""
    w1, c1, _ = timed(cmd, guest, n)
    w5, c5, checksum = timed(cmd, guest, 5 * n)
    insns = 4 * n * INSNS_PER_ITER / 1e6
    return insns / max(w5 - w1, 1e-6), insns / max(c5 - c1, 1e-6), checksum


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--kemu", default=os.environ.get("KEMU", os.path.join(ROOT, "build/kemu")))
    ap.add_argument("--qemu", default=shutil.which("qemu-system-x86_64"))
    ap.add_argument("--guest", default=os.path.join(ROOT, "build/tests/guest/mb-ring3.elf"))
    ap.add_argument("--n", type=int, default=50000000)
    ap.add_argument("--runs", type=int, default=3)
    a = ap.parse_args()
    if not os.path.exists(a.guest):
        print("SKIP: %s not built (nasm missing?)" % a.guest)
        return 77
    # An Intel model: the guest enters ring 3 with SYSEXIT from long mode.
    emulators = {"kemu": [a.kemu, "-accel", "tcg", "-M", "pc", "-cpu", "kvm64"]}
    if a.qemu:
        emulators["qemu"] = [a.qemu, "-accel", "tcg", "-M", "pc", "-cpu", "kvm64"]
    else:
        print("qemu-system-x86_64 not found: kemu alone")
    results = {name: ([], []) for name in emulators}
    sums = set()
    for cmd in emulators.values():
        check(cmd, a.guest)
    for _ in range(a.runs):
        for name, cmd in emulators.items():
            wall, cpu, checksum = mips(cmd, a.guest, a.n)
            results[name][0].append(wall)
            results[name][1].append(cpu)
            sums.add(checksum)
    if len(sums) != 1:
        sys.exit("the emulators disagree on the checksum: %s" % sorted(sums))
    med = {name: [statistics.median(r) for r in rs] for name, rs in results.items()}
    print("        MIPS per wall second   MIPS per CPU second")
    for name, (wall, cpu) in med.items():
        print("%-5s %12.1f %22.1f" % (name, wall, cpu))
    if "qemu" in med:
        print("kemu/qemu %10.3f %22.3f" % (med["kemu"][0] / med["qemu"][0],
                                           med["kemu"][1] / med["qemu"][1]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
