#!/usr/bin/env python3
"""Disk throughput seen by a Linux guest, kemu (-accel tcg) vs qemu-system-x86_64
-accel tcg: an IDE disk (ata_piix, /dev/sda) and a virtio-blk disk (/dev/vda),
raw images in /dev/shm, Debian's kernel with the busybox initramfs of
scripts/make-initramfs.sh.  One boot per emulator; in it, for each disk:

  seq read   dd if=DEV of=/dev/null bs=1M count=SIZE iflag=direct
  seq write  dd if=/tmp/pat of=DEV bs=1M seek=SIZE oflag=direct conv=fsync
             (/tmp/pat is the disk's first SIZE bytes, copied untimed)
  4k random  randread DEV OPS: OPS reads of 4 KiB at random aligned offsets
             with O_DIRECT in one process (busybox has no fio, and a dd per
             read would time fork+exec): a tiny C helper built here with
             `gcc -static` and appended to the initramfs as a second archive

Each disk holds 2*SIZE bytes: SIZE of random data that the guest reads, then
SIZE that the guest writes.  Checks, untimed: the guest's md5 of the first half
equals the host's; after power-off the second half of each image equals the
first; the random reads' checksum equals the host's for the same offsets.

Times are host wall time from typing the command to its end marker on the
serial console (the guest's own `time` is shown per run for comparison), and
the emulator's CPU time over the same span (/proc/PID/stat, all threads).
Prints the rates from the medians over --runs repetitions within the boot,
and the ratios of kemu's times to qemu's (above 1: kemu is slower).

  bench/disk.py [--runs N] [--kemu build/kemu] [--qemu qemu-system-x86_64]
                [--kernel /boot/vmlinuz-...] [--size 64M] [--ops 2000]
                [--only ide|virtio] [--timeout S]
Skips (exit 77) without a kernel, busybox-static, cpio, qemu or a static gcc.
"""
import argparse
import glob
import hashlib
import os
import re
import select
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.join(HERE, "..")
MARKER = b"kemu-demo: shell ready"
MODULES = "ata_piix,sd_mod,virtio_pci,virtio_blk"
DISKS = {"ide": ("if=ide", "sda"), "virtio": ("if=virtio", "vda")}
MIB = 1 << 20
BLOCK = 4096
MASK = (1 << 64) - 1

# Random 4 KiB O_DIRECT reads; the offsets come from xorshift64, which
# xorshift_offsets() repeats on the host to check the sum.
RANDREAD_C = r"""
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
int main(int argc, char **argv)
{
    if (argc != 4) { fprintf(stderr, "usage: randread DEV OPS BYTES\n"); return 2; }
    int fd = open(argv[1], O_RDONLY | O_DIRECT);
    long ops = atol(argv[2]);
    uint64_t blocks = strtoull(argv[3], NULL, 0) / 4096, x = 88172645463325252ull, sum = 0;
    uint64_t *buf = aligned_alloc(4096, 4096);
    if (fd < 0 || !buf || !blocks) { perror(argv[1]); return 1; }
    for (long i = 0; i < ops; i++) {
        x ^= x << 13; x ^= x >> 7; x ^= x << 17;
        if (pread(fd, buf, 4096, (off_t)(x % blocks) * 4096) != 4096) { perror("pread"); return 1; }
        sum += buf[i % 512];
    }
    printf("randread sum %016llx\n", (unsigned long long)sum);
    return 0;
}
"""


def skip(reason):
    print("SKIP: disk.py: " + reason, flush=True)
    sys.exit(77)


def parse_size(text):
    units = {"K": 1 << 10, "M": 1 << 20, "G": 1 << 30}
    if text[-1].upper() in units:
        return int(float(text[:-1]) * units[text[-1].upper()])
    return int(text)


def xorshift_offsets(ops, blocks):
    x = 88172645463325252
    for i in range(ops):
        x ^= (x << 13) & MASK
        x ^= x >> 7
        x ^= (x << 17) & MASK
        yield i, (x % blocks) * BLOCK


def randread_sum(image, ops, nbytes):
    with open(image, "rb") as f:
        total = 0
        for i, off in xorshift_offsets(ops, nbytes // BLOCK):
            f.seek(off + (i % 512) * 8)
            total += int.from_bytes(f.read(8), "little")
    return "%016x" % (total & MASK)


def make_initramfs(tmp):
    """The busybox initramfs with the disk modules, plus /bin/randread."""
    base = os.path.join(tmp, "base.cpio.gz")
    subprocess.run([os.path.join(ROOT, "scripts/make-initramfs.sh"), base, "--load=" + MODULES],
                   check=True, stdout=subprocess.DEVNULL)
    extra = os.path.join(tmp, "extra")
    os.makedirs(os.path.join(extra, "bin"))
    with open(os.path.join(tmp, "randread.c"), "w") as f:
        f.write(RANDREAD_C)
    cc = subprocess.run(["gcc", "-static", "-O2", "-o", os.path.join(extra, "bin/randread"),
                         os.path.join(tmp, "randread.c")], capture_output=True, text=True)
    if cc.returncode != 0:
        skip("gcc -static cannot build the guest helper: " + cc.stderr.strip()[-300:])
    cpio = subprocess.run("find . | cpio -o -H newc --owner 0:0 --quiet | gzip", shell=True,
                          cwd=extra, check=True, capture_output=True).stdout
    out = os.path.join(tmp, "initramfs.cpio.gz")
    with open(base, "rb") as f:
        data = f.read()
    with open(out, "wb") as f:    # concatenated archives; the kernel unpacks each in turn
        f.write(data + b"\0" * (-len(data) % 4) + cpio)
    return out


class Guest:
    """An emulator running the busybox shell on its serial console (stdin/stdout pipes)."""

    def __init__(self, cmd, timeout):
        self.p = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                  stderr=subprocess.STDOUT)
        self.buf = b""
        try:
            self.expect(MARKER, timeout)
            self.shell("dmesg -n 1")      # keep kernel messages off the console
        except RuntimeError:
            self.p.kill()
            self.p.wait()
            raise

    def expect(self, want, timeout):
        deadline = time.monotonic() + timeout
        while want not in self.buf:
            left = deadline - time.monotonic()
            if left <= 0:
                raise RuntimeError("timed out waiting for %r; got %r" % (want, self.buf[-500:]))
            r, _, _ = select.select([self.p.stdout], [], [], min(left, 1.0))
            if not r:
                continue
            data = os.read(self.p.stdout.fileno(), 65536)
            if not data:
                raise RuntimeError("emulator exited; last output %r" % self.buf[-500:])
            self.buf += data
        i = self.buf.index(want) + len(want)
        out, self.buf = self.buf[:i], self.buf[i:]
        return out.decode(errors="replace")

    def shell(self, line, timeout=600):
        """Run line; return (its output, host seconds from typing it to its end)."""
        t0 = time.monotonic()
        # The shell builds the markers, so the echoed command line does not match them.
        self.p.stdin.write(b"echo @''B; %s; echo @''E\n" % line.encode())
        self.p.stdin.flush()
        self.expect(b"@B", timeout)
        out = self.expect(b"@E", timeout)[:-2]
        return out.replace("\r", "").strip("\n"), time.monotonic() - t0

    def cpu(self):
        """CPU seconds the emulator has used (all threads, user + system)."""
        with open("/proc/%d/stat" % self.p.pid) as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def timed(self, line):
        """Run line under busybox time; return (output, host s, guest s, emulator CPU s)."""
        cpu = self.cpu()
        out, host = self.shell("time %s 2>&1" % line)
        cpu = self.cpu() - cpu
        m = re.search(r"real\s+(\d+)m\s*([\d.]+)s", out)
        if not m:
            raise RuntimeError("%s: %r" % (line, out))
        return out, host, int(m.group(1)) * 60 + float(m.group(2)), cpu

    def close(self):
        if self.p.poll() is None:
            try:
                self.p.stdin.write(b"poweroff -f\n")
                self.p.stdin.flush()
                self.p.wait(timeout=60)
            except (OSError, subprocess.TimeoutExpired):
                self.p.kill()
                self.p.wait()


def bench_emulator(name, cmd, images, a, want):
    """Boot once; return {(disk, test): [(host s, CPU s), ...]} and a list of problems."""
    res, problems = {}, []
    mib = a.size // MIB
    t0 = time.monotonic()
    vm = Guest(cmd, a.timeout)
    print("%s: shell after %.0f s" % (name, time.monotonic() - t0), flush=True)
    try:
        for disk in images:
            dev = "/dev/" + DISKS[disk][1]
            got, _ = vm.shell("dd if=%s of=/tmp/pat bs=1M count=%d 2>/dev/null; md5sum /tmp/pat"
                              % (dev, mib))
            if got.split()[:1] != [want]:
                problems.append("%s %s: guest md5 %r, host %s" % (name, disk, got, want))
            tests = [("seq read", "dd if=%s of=/dev/null bs=1M count=%d iflag=direct" % (dev, mib)),
                     ("seq write", "dd if=/tmp/pat of=%s bs=1M seek=%d count=%d oflag=direct "
                                   "conv=fsync" % (dev, mib, mib)),
                     ("4k random", "randread %s %d %d" % (dev, a.ops, 2 * a.size))]
            for run in range(a.runs):
                for test, line in tests:
                    out, host, guest, cpu = vm.timed(line)
                    if "rror" in out:
                        problems.append("%s %s %s: %r" % (name, disk, test, out))
                    if test == "4k random":
                        m = re.search(r"randread sum (\w+)", out)
                        want_sum = randread_sum(images[disk], a.ops, 2 * a.size)
                        if not m or m.group(1) != want_sum:
                            problems.append("%s %s: random-read sum %r, host %s"
                                            % (name, disk, out, want_sum))
                    res.setdefault((disk, test), []).append((host, cpu))
                    print("%s run %d %-6s %-9s host %7.3f s  guest %7.3f s  cpu %7.3f s"
                          % (name, run + 1, disk, test, host, guest, cpu), flush=True)
            vm.shell("rm -f /tmp/pat")
        # The disk drivers' complaints (ATA timeouts and resets, I/O errors).
        dmesg, _ = vm.shell("dmesg | grep -E 'ata[0-9]|sd |vd[a-z]|virtio|I/O error' | "
                            "grep -iE 'error|fail|timeout|reset|exception'; true")
        problems += ["%s dmesg: %s" % (name, l) for l in dmesg.splitlines() if l.strip()]
    finally:
        vm.close()
    return res, problems


def print_table(results, disks, a):
    print("\nmedian of %d runs, host wall time; MiB/s (seq), ops/s (4k random)" % a.runs)
    print("%-7s %-10s %9s %9s %7s %9s" % ("disk", "test", "kemu", "qemu", "ratio", "cpu ratio"))
    for disk in disks:
        for test in ("seq read", "seq write", "4k random"):
            wall, cpu = {}, {}
            for name in ("kemu", "qemu"):
                runs = results.get(name, {}).get((disk, test))
                if runs:
                    wall[name] = statistics.median(h for h, _ in runs)
                    cpu[name] = statistics.median(c for _, c in runs)
            work = a.ops if test == "4k random" else a.size / MIB
            cols = ["%.1f" % (work / wall[n]) if n in wall else "-" for n in ("kemu", "qemu")]
            if len(wall) == 2:
                cols += ["%.2fx" % (wall["kemu"] / wall["qemu"]),
                         "%.2fx" % (cpu["kemu"] / cpu["qemu"]) if cpu["qemu"] else "-"]
            else:
                cols += ["-", "-"]
            print("%-7s %-10s %9s %9s %7s %9s" % (disk, test, *cols))
    print("ratio: kemu's wall time / qemu's; cpu ratio: the same for the emulator's CPU time\n"
          "(all threads), steadier on a busy host.  Above 1: kemu is slower.")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--runs", type=int, default=1)
    ap.add_argument("--kemu", default=os.path.join(ROOT, "build/kemu"))
    ap.add_argument("--qemu", default="qemu-system-x86_64")
    kernels = sorted(glob.glob("/boot/vmlinuz-*"))
    ap.add_argument("--kernel", default=kernels[-1] if kernels else None)
    ap.add_argument("--size", type=parse_size, default=64 * MIB)
    ap.add_argument("--ops", type=int, default=2000)
    ap.add_argument("--only", choices=list(DISKS))
    ap.add_argument("--timeout", type=float, default=900, help="boot timeout (s)")
    a = ap.parse_args()

    if not a.kernel or not os.access(a.kernel, os.R_OK):
        skip("no readable kernel in /boot (--kernel)")
    if not (shutil.which("busybox") and shutil.which("cpio")):
        skip("busybox-static and cpio are needed for the initramfs")
    if not shutil.which(a.qemu):
        skip("no %s to compare with" % a.qemu)
    if not os.access(a.kemu, os.X_OK):
        skip("no kemu at %s" % a.kemu)
    if a.size % MIB or a.size <= 0:
        sys.exit("disk.py: --size must be a whole number of MiB")

    tmp = tempfile.mkdtemp(prefix="kemu-bench-disk-", dir="/dev/shm")
    try:
        initrd = make_initramfs(tmp)
        pattern = os.urandom(a.size)
        want = hashlib.md5(pattern).hexdigest()
        disks = [a.only] if a.only else list(DISKS)
        mem = str(256 + 2 * a.size // MIB)
        results, problems = {}, []
        for name, exe in (("kemu", a.kemu), ("qemu", a.qemu)):
            images, cmd = {}, [exe, "-accel", "tcg", "-kernel", a.kernel, "-initrd", initrd,
                               "-append", "console=ttyS0", "-display", "none", "-serial",
                               "stdio", "-monitor", "none", "-m", mem, "-no-reboot"]
            for disk in disks:
                images[disk] = os.path.join(tmp, "%s-%s.raw" % (name, disk))
                with open(images[disk], "wb") as f:
                    f.write(pattern + pattern[::-1])    # the guest overwrites the second half
                cmd += ["-drive", "file=%s,format=raw,%s" % (images[disk], DISKS[disk][0])]
            t0 = time.monotonic()
            try:
                results[name], p = bench_emulator(name, cmd, images, a, want)
                problems += p
            except RuntimeError as e:
                problems.append("%s: %s" % (name, e))
                continue
            print("%s: %.0f s in all" % (name, time.monotonic() - t0), flush=True)
            for disk, img in images.items():
                with open(img, "rb") as f:
                    if f.read() != pattern + pattern:
                        problems.append("%s %s: the image does not hold what the guest wrote"
                                        % (name, disk))
                os.unlink(img)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)

    print_table(results, disks, a)
    for p in problems:
        print("PROBLEM: " + p)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
