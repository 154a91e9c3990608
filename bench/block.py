#!/usr/bin/env python3
"""Block layer benchmark: kemu-img/kemu-io against qemu-img/qemu-io, side by side.

 1. convert: raw -> qcow2, qcow2 -> raw, and raw -> compressed qcow2 (-c) of
    an image filled with real data (host binaries and libraries, with holes);
    every output of kemu-img is checked against the source;
 2. I/O through the block layer on a qcow2 image with the same command list
    given to kemu-io and qemu-io: sequential 1 MiB reads and writes over the
    whole image, and 4 KiB reads and writes at random offsets.

Prints the median wall and CPU time of each tool (process start to exit) and
the ratios kemu/qemu (below 1: kemu is faster).  Images live in /dev/shm, since
fsync on this machine's disk costs ~20 ms.  Use a release build of the tools
(a sanitizer build slows kemu's side several times).

  bench/block.py [--size 64M] [--random-ops 5000] [--runs 1] [--big]
                 [--kemu-img build/tools/kemu-img] [--kemu-io build/tools/kemu-io]
--big is --size 1G --random-ops 100000 --runs 3 (the issue's figure; several
minutes, most of it in the compressed convert).  Wall and CPU time are both
shown: on a shared host the CPU time (all threads) is the comparable one.
"""
import argparse
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.join(HERE, "..")
MIB = 1 << 20


def parse_size(text):
    units = {"K": 1 << 10, "M": 1 << 20, "G": 1 << 30}
    if text[-1].upper() in units:
        return int(float(text[:-1]) * units[text[-1].upper()])
    return int(text)


def real_data_pool(limit):
    """Up to limit bytes read from the host's largest binaries and libraries."""
    files = []
    for d in ("/usr/bin", "/usr/lib/x86_64-linux-gnu", "/usr/libexec", "/usr/lib"):
        for dirpath, _, names in os.walk(d):
            for n in names:
                p = os.path.join(dirpath, n)
                try:
                    if os.path.isfile(p) and not os.path.islink(p):
                        files.append((os.path.getsize(p), p))
                except OSError:
                    pass
    files.sort(reverse=True)
    pool = bytearray()
    for _, p in files:
        if len(pool) >= limit:
            break
        try:
            with open(p, "rb") as f:
                pool += f.read(limit - len(pool))
        except OSError:
            pass
    return bytes(pool)


def fill_real_data(path, size):
    """size bytes of real data (a pool of up to 128 MiB of host binaries, reused
    at shifting offsets beyond that); every 8th MiB is left as a hole."""
    pool = real_data_pool(min(size, 128 * MIB))
    if len(pool) < MIB:
        sys.exit("not enough host files for real data")
    with open(path, "wb") as out:
        out.truncate(size)
        for i in range(size // MIB):
            if i % 8 == 7:
                continue    # a hole: the sparse paths get exercised too
            start = (i * 4099 * 256) % (len(pool) - MIB)
            out.seek(i * MIB)
            out.write(pool[start:start + MIB])


def timed(cmd):
    """Run cmd; return (wall seconds, CPU seconds of all its threads)."""
    t0 = time.monotonic()
    with tempfile.TemporaryFile() as log:
        p = subprocess.Popen(cmd, stdout=log, stderr=log)
        _, status, ru = os.wait4(p.pid, 0)
        p.returncode = os.waitstatus_to_exitcode(status)
        dt = time.monotonic() - t0
        if p.returncode != 0:
            log.seek(0)
            sys.exit("failed (%d): %s\n%s" % (p.returncode, " ".join(cmd[:6]),
                                              log.read().decode(errors="replace")[-800:]))
    return dt, ru.ru_utime + ru.ru_stime


def median_time(make_cmd, runs, prepare=None):
    walls, cpus = [], []
    for _ in range(runs):
        if prepare:
            prepare()
        wall, cpu = timed(make_cmd())
        walls.append(wall)
        cpus.append(cpu)
    return statistics.median(walls), statistics.median(cpus)


def report(rows, label, res):
    rows.append((label, res["kemu"], res["qemu"]))
    print("  %-26s kemu %7.3f s (cpu %7.3f)   qemu %7.3f s (cpu %7.3f)" %
          (label, res["kemu"][0], res["kemu"][1], res["qemu"][0], res["qemu"][1]), flush=True)


def io_args(cmds):
    args = []
    for c in cmds:
        args += ["-c", c]
    return args


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--size", default="64M")
    ap.add_argument("--random-ops", type=int, default=5000)
    ap.add_argument("--runs", type=int, default=None)
    ap.add_argument("--big", action="store_true")
    ap.add_argument("--kemu-img", default=None)
    ap.add_argument("--kemu-io", default=None)
    ap.add_argument("--qemu-img", default=shutil.which("qemu-img"))
    ap.add_argument("--qemu-io", default=shutil.which("qemu-io"))
    ap.add_argument("--dir", default="/dev/shm" if os.path.isdir("/dev/shm") else None)
    a = ap.parse_args()
    if a.big:
        a.size, a.random_ops = "1G", 100000
        a.runs = a.runs or 3
    a.runs = a.runs or 1
    for build in ("build-block-rel", "build", "build-block"):
        if not a.kemu_img and os.path.exists(os.path.join(ROOT, build, "tools/kemu-img")):
            a.kemu_img = os.path.join(ROOT, build, "tools/kemu-img")
            a.kemu_io = a.kemu_io or os.path.join(ROOT, build, "tools/kemu-io")
    if not (a.kemu_img and a.kemu_io and a.qemu_img and a.qemu_io):
        sys.exit("need kemu-img, kemu-io, qemu-img and qemu-io (see --help)")
    size = parse_size(a.size)
    size -= size % MIB
    env_note = "ASan build: kemu figures are pessimistic" if "asan" in a.kemu_img or \
        "build-block/" in a.kemu_img else ""

    work = tempfile.mkdtemp(prefix="kemu-bench-block-", dir=a.dir)
    try:
        src = os.path.join(work, "src.raw")
        print("filling %s with %d MiB of real data..." % (src, size // MIB), flush=True)
        fill_real_data(src, size)
        tools = {"kemu": (a.kemu_img, a.kemu_io), "qemu": (a.qemu_img, a.qemu_io)}
        rows = []

        def out(name, tool):
            return os.path.join(work, "%s-%s" % (tool, name))

        def rm(path):
            return lambda: os.path.exists(path) and os.unlink(path)

        # ---- convert ----
        for label, args_of, outname in (
                ("convert raw->qcow2", lambda t: ["-O", "qcow2", src, out("c.qcow2", t)],
                 "c.qcow2"),
                ("convert qcow2->raw", lambda t: ["-O", "raw", out("c.qcow2", t),
                                                  out("back.raw", t)], "back.raw"),
                ("convert -c raw->qcow2", lambda t: ["-c", "-O", "qcow2", src,
                                                     out("z.qcow2", t)], "z.qcow2")):
            res = {}
            for t, (img, _) in tools.items():
                res[t] = median_time(lambda: [img, "convert", "-f",
                                              "qcow2" if "qcow2->" in label else "raw"]
                                     + args_of(t), a.runs, rm(out(outname, t)))
            report(rows, label, res)
        # Every kemu-img output must hold the source's data.
        for f, fmt in (("c.qcow2", "qcow2"), ("back.raw", "raw"), ("z.qcow2", "qcow2")):
            p = subprocess.run([a.qemu_img, "compare", "-q", "-f", "raw", "-F", fmt, src,
                                out(f, "kemu")])
            if p.returncode != 0:
                sys.exit("kemu-img output %s differs from the source" % f)
        sizes = {t: os.stat(out("z.qcow2", t)).st_blocks * 512 // MIB for t in tools}

        # ---- I/O through the block layer, same commands for both ----
        rnd = random.Random(1)
        blocks = size // 4096
        seq_read = ["read -q %d 1M" % o for o in range(0, size, MIB)]
        seq_write = ["write -q -P 0x5a %d 1M" % o for o in range(0, size, MIB)]
        rand_read = ["read -q %d 4k" % (rnd.randrange(blocks) * 4096)
                     for _ in range(a.random_ops)]
        rand_write = ["write -q -P 0xa5 %d 4k" % (rnd.randrange(blocks) * 4096)
                      for _ in range(a.random_ops)]
        for label, cmds, fresh in (("seq read 1M (qcow2)", seq_read, False),
                                   ("seq write 1M (new qcow2)", seq_write, True),
                                   ("rand read 4k (qcow2)", rand_read, False),
                                   ("rand write 4k (new qcow2)", rand_write, True)):
            res = {}
            for t, (img, io) in tools.items():
                target = out("c.qcow2", t) if not fresh else out("w.qcow2", t)

                def prepare(target=target, img=img, fresh=fresh):
                    if fresh:
                        subprocess.run([img, "create", "-q", "-f", "qcow2", target,
                                        str(size)], check=True)
                res[t] = median_time(lambda: [io, "-f", "qcow2"] + io_args(cmds) + [target],
                                     a.runs, prepare)
            report(rows, label, res)
        p = subprocess.run([a.qemu_img, "check", "-q", out("w.qcow2", "kemu")])
        if p.returncode != 0:
            sys.exit("the image kemu-io wrote does not pass qemu-img check")

        print()
        print("block layer, %d MiB image, %d random ops, median of %d run(s), in %s" %
              (size // MIB, a.random_ops, a.runs, work.rsplit("/", 1)[0]))
        if env_note:
            print("(%s)" % env_note)
        print("%-26s %9s %9s %7s   %9s %9s %7s" % ("test", "kemu wall", "qemu wall", "ratio",
                                                   "kemu cpu", "qemu cpu", "ratio"))
        for label, k, q in rows:
            print("%-26s %9.3f %9.3f %7.2f   %9.3f %9.3f %7.2f" %
                  (label, k[0], q[0], k[0] / max(q[0], 1e-6), k[1], q[1],
                   k[1] / max(q[1], 1e-6)))
        print("(ratio = kemu / qemu; CPU time counts every thread and is the fairer "
              "figure on a loaded host: load average %.1f)" % os.getloadavg()[0])
        print("compressed image size: kemu %d MiB, qemu %d MiB" % (sizes["kemu"],
                                                                 sizes["qemu"]))
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
