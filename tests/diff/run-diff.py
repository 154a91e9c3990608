#!/usr/bin/env python3
"""Differential test: the interpreter (-accel tcg) against the host CPU
(-accel kvm) on random ring-3 instructions.

  run-diff.py [--seed S] [--count N] [--families alu,shift,...] [--case I] [--no-shrink]

Generates N cases from seed S (case i depends only on S and i, so
`--case I` replays one), runs them in tests/diff/diff-guest.asm under both
accelerators, compares one hash per case, reruns the mismatching cases with
full records and prints each difference: the bytes, their disassembly, the
initial state and both final states, after shrinking the case to a minimal
reproducer (shrink.py: fewer instructions, the rest of the state reset).
A case that makes kemu fail is found by bisection, shrunk the same way
(kemu still fails with the same signature) and printed as CRASH.
Exit 0 when all match, 1 on a mismatch, 77 ("SKIP: ...") without a usable
/dev/kvm or guest image.  Family sys0 runs at CPL 0, where KVM's instruction emulator is the oracle;
its results have their own summary line.  Opcode coverage: opmap.py.

Environment: KEMU (the binary), KEMU_DIFF_GUEST (diff-guest.elf).
"""
import argparse
import os
import random
import re
import shutil
import struct
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import curated  # noqa: E402
import forms_fp  # noqa: E402
import forms_int  # noqa: E402
import forms_seg  # noqa: E402
import forms_seq  # noqa: E402
import forms_sys  # noqa: E402
import gen  # noqa: E402
import opmap  # noqa: E402
import shrink  # noqa: E402
from gen import CODE, DATA, REC_SIZE, REGS64, Case, Gen  # noqa: E402

FSW_C1 = 0x200
FAMILIES = (forms_int.FAMILIES + forms_fp.FAMILIES + forms_seq.FAMILIES + forms_seg.FAMILIES
            + forms_sys.FAMILIES)
BATCH = 4096
MAX_CRASHES = 10
EXIT_PASS = 33
VECTORS = {0: "#DE", 1: "#DB", 3: "#BP", 4: "#OF", 5: "#BR", 6: "#UD", 7: "#NM", 8: "#DF",
           10: "#TS", 11: "#NP", 12: "#SS", 13: "#GP", 14: "#PF", 16: "#MF", 17: "#AC",
           18: "#MC", 19: "#XM"}


def skip(reason):
    print("SKIP: " + reason, flush=True)
    sys.exit(77)


def family_name(fn):
    return fn.__name__[4:]


def make_case(seed, index, families):
    """Case `index` of `seed`: its own random stream, so it replays alone."""
    rng = random.Random(seed * 1000003 + index)
    fns = [f for f, _ in families]
    fn = rng.choices(fns, weights=[w for _, w in families])[0]
    g = Gen(rng)
    code = fn(g)
    c = g.st
    c.code = code
    c.fmask = gen.ALL_FLAGS & ~g.undef_flags
    c.rmask = g.undef_regs
    c.fswmask = 0xffff & ~g.undef_fsw
    c.quirks = g.quirks
    c.addr = g.addr
    c.known = g.known
    c.seq_len = g.seq_len
    c.seq_fault = getattr(g, "seq_fault", False)
    c.insns = getattr(g, "insns", None)     # forms_seq.Insn records, for shrinking
    c.name = c.family = family_name(fn)
    if getattr(g, "sys_form", None):
        c.name += "/" + g.sys_form
    return c


class GuestFailure(Exception):
    pass


def host_vendor():
    """The CPUID vendor of the host: the oracle is this CPU, so the model says the same
    (vendors differ, e.g. SYSEXIT in long mode, which the guest uses, is Intel's)."""
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("vendor_id"):
                return line.split(":", 1)[1].strip()
    return "GenuineIntel"


def run_guest(kemu, guest, accel, cases, full, tmp, timeout):
    """Run the cases in one kemu; return the raw results (bytes).  Raises
    GuestFailure when kemu or the guest does not finish properly."""
    module = os.path.join(tmp, "cases.bin")
    out = os.path.join(tmp, "results-%s.bin" % accel)
    with open(module, "wb") as f:
        for c in cases:
            f.write(c.pack())
    if os.path.exists(out):
        os.unlink(out)
    args = [kemu, "-accel", accel, "-M", "pc", "-m", "128", "-display", "none",
            "-cpu", "qemu64,vendor=" + host_vendor(),
            "-nographic", "-no-reboot",
            "-device", "isa-debug-exit,iobase=0xf4,iosize=4",
            "-chardev", "file,id=dc,path=" + out,
            "-device", "isa-debugcon,chardev=dc,iobase=0xe9",
            "-kernel", guest, "-initrd", module, "-append", "full=%d" % (1 if full else 0)]
    env = dict(os.environ, ASAN_OPTIONS=os.environ.get("ASAN_OPTIONS", "detect_leaks=0"))
    try:
        p = subprocess.run(args, stdin=subprocess.DEVNULL, capture_output=True, timeout=timeout,
                           env=env)
    except subprocess.TimeoutExpired:
        raise GuestFailure("%s: no result in %d s (%d cases)" % (accel, timeout, len(cases)))
    stdout = p.stdout.decode(errors="replace")
    if p.returncode != EXIT_PASS or "PASS diff" not in stdout:
        # AddressSanitizer ends its report with a shadow memory map: the
        # tail kept is the report's stack and SUMMARY line instead.
        stderr = p.stderr.decode(errors="replace").split("Shadow bytes around")[0]
        raise GuestFailure("%s: exit %d\nstdout: %s\nstderr: %s"
                           % (accel, p.returncode, stdout[-2000:], stderr[-2000:]))
    with open(out, "rb") as f:
        data = f.read()
    want = len(cases) * (REC_SIZE if full else 8)
    if len(data) != want:
        raise GuestFailure("%s: %d result bytes, want %d" % (accel, len(data), want))
    return data


def find_failing(kemu, guest, accel, cases, tmp, timeout):
    """Bisect a batch that makes kemu fail down to one case; return its
    position and the failure."""
    lo, hi, err = 0, len(cases), None
    while hi - lo > 1:
        mid = (lo + hi) // 2
        try:
            run_guest(kemu, guest, accel, cases[lo:mid], False, tmp, timeout)
            lo = mid
        except GuestFailure as e:
            hi, err = mid, e
    if err is None:
        try:
            run_guest(kemu, guest, accel, cases[lo:hi], False, tmp, timeout)
        except GuestFailure as e:
            err = e
    return lo, err


def failure_signature(text):
    """Where a failure happened: the file:line of a sanitizer's SUMMARY line
    or else the first one in the text, else its first line with the counts
    that depend on the batch (cases, bytes, seconds) left out."""
    m = (re.search(r"SUMMARY: \w+Sanitizer: .*?([\w./-]+\.[ch]:\d+)", text)
         or re.search(r"([\w./-]+\.[ch]:\d+)", text))
    if m:
        return m.group(1)
    if not text.strip():
        return "?"
    first = text.strip().splitlines()[0]
    return re.sub(r"\d+(?= (s|cases|result bytes)\b)|(?<=want )\d+", "N", first)


def run_both(opts, chunk, tmp, crashes, known):
    """Hash results of a batch under both accelerators.  A case that makes
    one of them fail (a sanitizer report, a harness fault) is reported,
    dropped (its hashes set to differ) and the batch run again."""
    live = list(range(len(chunk)))
    while True:
        sub = [chunk[i] for i in live]
        out = {}
        try:
            for accel in ("tcg", "kvm"):        # the interpreter first: it is the one to crash
                out[accel] = run_guest(opts.kemu, opts.guest, accel, sub, False, tmp,
                                       opts.timeout)
        except GuestFailure as e:
            sig = failure_signature(str(e))
            fam = known.get(sig)
            if fam is not None and any(chunk[i].family == fam for i in live):
                # The same failure as a case already bisected: set the rest
                # of that family aside instead of bisecting each of them.
                drop = [i for i in live if chunk[i].family == fam]
                crashes.append((None, accel, "%d more %s cases not compared: %s again"
                                % (len(drop), fam, sig)))
                live = [i for i in live if chunk[i].family != fam]
                continue
            if len(crashes) >= MAX_CRASHES:
                # Give up on the rest of the batch: count it all as failed.
                crashes.append((None, accel, "%d cases not compared after %d failures"
                                % (len(live), MAX_CRASHES)))
                bad = [b"crash"] * len(chunk)
                return bad, [b"-"] * len(chunk)
            pos, err = find_failing(opts.kemu, opts.guest, accel, sub, tmp, opts.timeout)
            crashes.append((chunk[live[pos]], accel, str(err or e)))
            if chunk[live[pos]].family != "curated":
                known[failure_signature(str(err or e))] = chunk[live[pos]].family
            del live[pos]
            continue
        res = {a: [None] * len(chunk) for a in out}
        for a in out:
            for n, i in enumerate(live):
                res[a][i] = out[a][8 * n:8 * n + 8]
        for c, _, _ in crashes:
            for i, x in enumerate(chunk):
                if c is None:
                    break
                if x is c:
                    res["kvm"][i], res["tcg"][i] = b"crash", b"-"
        return res["kvm"], res["tcg"]


# ---- Records --------------------------------------------------------------------

def decode(rec):
    r = {}
    gpr = struct.unpack_from("<16Q", rec, 0)
    for i, name in enumerate(REGS64):
        r[name] = gpr[i]
    r["rflags"], vec, r["error"], r["fault rip"], r["cr2"] = struct.unpack_from("<QQQQQ", rec, 0x80)
    r["fault"] = "none" if vec == 0xffffffffffffffff else VECTORS.get(vec, "vector %d" % vec)
    if vec == 0xffffffffffffffff:
        del r["error"], r["fault rip"], r["cr2"]
    fx = rec[0x100:0x300]
    fcw, fsw, ftw = struct.unpack_from("<HHB", fx, 0)
    r["fcw"], r["fsw"], r["ftw"] = fcw, fsw, ftw
    r["mxcsr"], r["mxcsr_mask"] = struct.unpack_from("<II", fx, 24)
    for i in range(8):
        mant, se = struct.unpack_from("<QH", fx, 32 + 16 * i)
        r["st%d" % i] = (se << 64) | mant
    for i in range(16):
        r["xmm%d" % i] = int.from_bytes(fx[160 + 16 * i:176 + 16 * i], "little")
    r["mem"] = bytes(rec[0x300:0x500])
    return r


def fmt(name, v):
    if name == "mem" or isinstance(v, str):
        return v if isinstance(v, str) else ""
    width = {"fcw": 4, "fsw": 4, "ftw": 2, "mxcsr": 8, "mxcsr_mask": 8}.get(name, 16)
    if name.startswith("st"):
        width = 20
    if name.startswith("xmm"):
        width = 32
    return "%0*x" % (width, v)


def disasm(code, tmp, compat=False):
    if not shutil.which("objdump") or not code:
        return "  (no objdump)"
    path = os.path.join(tmp, "code.bin")
    with open(path, "wb") as f:
        f.write(code)
    p = subprocess.run(["objdump", "-D", "-b", "binary", "-mi386" if compat else "-mi386:x86-64",
                        "--adjust-vma=0x%x" % CODE, path], capture_output=True, text=True)
    lines = [ln for ln in p.stdout.splitlines() if ln.strip().startswith("%x:" % CODE)
             or (ln.startswith(" ") and ":\t" in ln)]
    return "\n".join("  " + ln.strip() for ln in lines)


def coverage(cases):
    """First-instruction opcode bytes per map: the fallback without objdump."""
    maps = {}
    for c in cases:
        op = opmap.opcode_of(c.code)
        if op:
            maps.setdefault(op[0], set()).add(op[1])
    return maps


def initial_state(c):
    out = []
    for i in range(0, 16, 4):
        out.append("  " + "  ".join("%-3s=%016x" % (REGS64[j], c.gpr[j]) for j in range(i, i + 4)))
    fcw, fsw, ftw = struct.unpack_from("<HHB", c.fx, 0)
    mxcsr = struct.unpack_from("<I", c.fx, 24)[0]
    out.append("  rflags=%016x (compared %016x)  undefined regs %04x"
               % (c.rflags, c.fmask & 0x3fffff, c.rmask))
    out.append("  fcw=%04x fsw=%04x ftw=%02x mxcsr=%08x (fsw compared %04x)"
               % (fcw, fsw, ftw, mxcsr, c.fswmask))
    if c.quirks & gen.QUIRK_COMPAT:
        out.append("  compatibility mode, CPL 3; selector 0x6b = descriptor %016x in %s"
                   % (c.desc, " ".join(n for b, n in ((1, "DS"), (2, "ES"), (4, "SS"))
                                       if c.segs & b) or "-"))
    if c.name.startswith("x87"):
        for i in range(8):
            mant, se = struct.unpack_from("<QH", c.fx, 32 + 16 * i)
            out.append("  st%d=%04x_%016x%s" % (i, se, mant,
                                                "" if ftw >> ((i + (fsw >> 11)) & 7) & 1
                                                else " (empty)"))
    if c.addr is not None and DATA <= c.addr < DATA + gen.DATA_SIZE:
        off = c.addr - DATA
        out.append("  memory operand at DATA+%03x: %s" % (off, c.mem[off:off + 16].hex(" ")))
    return out


def diff_fields(kvm, tcg):
    a, b = decode(kvm), decode(tcg)
    keys = list(a) + [k for k in b if k not in a]
    return [k for k in keys if a.get(k) != b.get(k)]


def report(index, c, kvm, tcg, tmp, job=None, orig_diff=None):
    """Print one mismatch; return the names of the fields that differ.
    With job (a shrink.CaseShrink), c is its shrunk case and orig_diff the
    original's fields."""
    a, b = decode(kvm), decode(tcg)
    diff = diff_fields(kvm, tcg)
    if job is None:
        print("MISMATCH %s (%s): %s" % (index, c.name, " ".join(c.code.hex(" ").split())))
    else:
        print("MISMATCH %s (%s): %s" % (index, c.name, " ".join(job.orig.code.hex(" ").split())))
        print(" %s; the original differs in: %s" % (job.summary(), " ".join(orig_diff)))
        if diff != orig_diff:
            print(" (the shrunk case differs in other fields: %s)" % " ".join(diff))
        print(" minimal reproducer: %s" % " ".join(c.code.hex(" ").split()))
    print(disasm(c.code, tmp, c.quirks & gen.QUIRK_COMPAT))
    print(" initial state:")
    for line in initial_state(c):
        print(line)
    if job is not None:
        print(" as a curated.py entry: "
              + shrink.format_entry(shrink.curated_entry(c, "%s (%s)" % (c.name, index))))
    for k in diff:
        if k == "mem":
            for off in range(0, len(a["mem"]), 8):
                x, y = a["mem"][off:off + 8], b["mem"][off:off + 8]
                if x != y:
                    print("  mem DATA+%03x: initial %s  kvm %s  tcg %s"
                          % (off, c.mem[off:off + 8].hex(), x.hex(), y.hex()))
            continue
        init = ""
        if k in REGS64:
            init = "initial %016x  " % c.gpr[REGS64.index(k)]
        elif k.startswith("xmm"):
            i = int(k[3:])
            init = "initial %032x  " % int.from_bytes(c.fx[160 + 16 * i:176 + 16 * i], "little")
        print("  %-10s %skvm %s  tcg %s" % (k, init, fmt(k, a.get(k, "-")), fmt(k, b.get(k, "-"))))
    print(" fault: kvm %s  tcg %s" % (a["fault"], b["fault"]))
    return diff


TRANS_FAMILY = "x87_trans"
TRANS_RERUN_MAX = 1000


def last_bit_only(kvm, tcg):
    """Whether two records differ only in the last bits of x87 registers
    (at most 2 units in the last place of the 64-bit significand, same sign
    and exponent) and in C1 (rounded up or not)."""
    a, b = decode(kvm), decode(tcg)
    for k in a:
        if a[k] == b[k]:
            continue
        if k == "fsw" and (a[k] ^ b[k]) == FSW_C1:
            continue
        if k.startswith("st"):
            x, y = a[k], b[k]
            if x >> 64 == y >> 64 and abs((x & (2 ** 64 - 1)) - (y & (2 ** 64 - 1))) <= 2:
                continue
        return False
    return True


def split_trans(opts, cases, idx, tmp):
    """Rerun the mismatching transcendental cases with full records: (those
    that differ only in the last bit, the others).  Past TRANS_RERUN_MAX
    they count as other mismatches: nothing goes unchecked."""
    if not idx:
        return [], []
    check, rest = idx[:TRANS_RERUN_MAX], idx[TRANS_RERUN_MAX:]
    sub = [cases[i] for i in check]
    try:
        kvm = run_guest(opts.kemu, opts.guest, "kvm", sub, True, tmp, opts.timeout)
        tcg = run_guest(opts.kemu, opts.guest, "tcg", sub, True, tmp, opts.timeout)
    except GuestFailure as e:
        sys.exit("FAIL: rerunning the transcendental mismatches: %s" % e)
    last, other = [], list(rest)
    for n, i in enumerate(check):
        rec = slice(n * REC_SIZE, (n + 1) * REC_SIZE)
        (last if last_bit_only(kvm[rec], tcg[rec]) else other).append(i)
    return last, other


def shrink_cases(opts, cases, tmp):
    """Shrink the mismatching cases together (shrink.py): each round's
    candidates of all of them run in one kemu per accelerator.  Returns the
    jobs (job.best: the smallest case that still mismatches)."""
    jobs = [shrink.CaseShrink(c, opts.shrink_rounds, state=c.family != TRANS_FAMILY)
            for c in cases]
    stats = {"cases": 0, "error": None}

    def test(cands):
        kvm, tcg = b"", b""
        try:
            for start in range(0, len(cands), BATCH):
                sub = cands[start:start + BATCH]
                tcg += run_guest(opts.kemu, opts.guest, "tcg", sub, False, tmp, opts.timeout)
                kvm += run_guest(opts.kemu, opts.guest, "kvm", sub, False, tmp, opts.timeout)
        except GuestFailure as e:
            stats["error"] = str(e).strip().splitlines()[0]
            return None
        stats["cases"] += len(cands)
        return [kvm[8 * i:8 * i + 8] != tcg[8 * i:8 * i + 8] for i in range(len(cands))]

    t0 = time.monotonic()
    rounds = shrink.reduce_all(jobs, test, max_rounds=2 * opts.shrink_rounds)
    print("shrinking %d mismatch%s: %d rounds, %d candidates in %.1f s%s"
          % (len(cases), "es" if len(cases) > 1 else "", rounds, stats["cases"],
             time.monotonic() - t0,
             "; stopped, kemu failed on a candidate: " + stats["error"] if stats["error"] else ""))
    print()
    return jobs


def is_hang(err):
    return "no result in" in err.splitlines()[0] if err.strip() else False


def shrink_crashes(opts, crashes, tmp):
    """Shrink the cases that made kemu fail (crashes: (case, accel, failure)),
    one after the other: a failure ends the kemu run, so each round looks
    for one candidate that still fails (shrink.CrashTest, first_failing),
    under the accelerator that failed.  A candidate still fails when kemu fails on it
    with the failure_signature the bisection found.  A hang is not shrunk
    (every round would wait out --timeout).  Returns {id(case): (job, the
    failure of job.best)}."""
    out = {}
    rounds = cands = runs = 0
    t0 = time.monotonic()
    for c, accel, err in crashes:
        if is_hang(err):
            continue
        want = failure_signature(err)

        def run(sub, accel=accel):
            try:
                run_guest(opts.kemu, opts.guest, accel, sub, False, tmp, opts.timeout)
            except GuestFailure as e:
                return str(e)
            return None
        test = shrink.CrashTest(run, lambda e, want=want: failure_signature(e) == want)

        def counted(sub, test=test):
            nonlocal cands
            cands += len(sub)
            return test(sub)
        # The state is shrunk for x87_trans too: a crash has no last bits.
        job = shrink.CaseShrink(c, opts.shrink_rounds)
        rounds += shrink.reduce_all([job], counted, max_rounds=2 * opts.shrink_rounds)
        runs += test.runs
        out[id(c)] = (job, test.failure if job.best is not c else err)
    if out:
        print("shrinking %d crash%s: %d rounds, %d candidates, %d kemu runs in %.1f s"
              % (len(out), "es" if len(out) > 1 else "", rounds, cands, runs,
                 time.monotonic() - t0))
        print()
    return out


def report_crash(label, c, accel, err, tmp, shrunk=None):
    """Print a case that made kemu fail; shrunk: (shrink.CaseShrink, the
    failure of its best case), whose best is then shown."""
    print("CRASH %s (%s) under %s: %s" % (label, c.name, accel, " ".join(c.code.hex(" ").split())))
    if shrunk is not None and shrunk[0].best is not c:
        job, err = shrunk
        print(" %s; kemu fails the same way: %s" % (job.summary(), failure_signature(err)))
        c = job.best
        print(" minimal reproducer: %s" % " ".join(c.code.hex(" ").split()))
    elif shrunk is not None:
        print(" not shrunk: %s" % shrunk[0].summary())
    elif is_hang(err) and c.family != "curated":
        print(" not shrunk: a hang")
    print(disasm(c.code, tmp, c.quirks & gen.QUIRK_COMPAT))
    print(" initial state:")
    for line in initial_state(c):
        print(line)
    if shrunk is not None and shrunk[0].best is not shrunk[0].orig:
        print(" as a curated.py entry: "
              + shrink.format_entry(shrink.curated_entry(c, "%s (%s)" % (c.name, label))))
    print(" " + err.strip().replace("\n", "\n "))
    print()


def self_test(opts, tmp):
    """Two cases with known results, so that a harness comparing nothing
    cannot pass: ADD RAX, RBX (flags and result) and DIV RCX by zero (#DE)."""
    add, div = Case(), Case()
    add.code, div.code = bytes.fromhex("4801d8"), bytes.fromhex("48f7f1")
    for c in (add, div):
        c.gpr = [0x1111 * (i + 1) for i in range(16)]
        c.gpr[4] = DATA + 256
        struct.pack_into("<HHBxxxxxxxxxxxxxxxxxxxI", c.fx, 0, 0x37f, 0, 0, 0x1f80)
    add.gpr[0], add.gpr[3], div.gpr[1] = 0x7fffffffffffffff, 1, 0
    for accel in ("tcg", "kvm"):
        raw = run_guest(opts.kemu, opts.guest, accel, [add, div], True, tmp, opts.timeout)
        a, d = decode(raw[:REC_SIZE]), decode(raw[REC_SIZE:])
        # OF SF AF PF, IF (set in ring 3), reserved bit 1.
        if a["rax"] != 1 << 63 or a["rflags"] != 0xa96 or a["fault"] != "none":
            raise GuestFailure("self-test: %s: ADD gave rax=%x rflags=%x fault %s"
                               % (accel, a["rax"], a["rflags"], a["fault"]))
        if d["fault"] != "#DE" or d["fault rip"] != CODE or d["rcx"] != 0:
            raise GuestFailure("self-test: %s: DIV by zero gave %s at %x"
                               % (accel, d["fault"], d.get("fault rip", 0)))


def coverage_report(opts, cases, tmp):
    """Opcode coverage lines: every instruction of every case against what
    the interpreter advertises (opmap.py; probed once, cached by the guest)."""
    cov = opmap.covered(cases, tmp)
    if cov is None:
        return ["opcodes covered (first instruction of each case, no objdump): "
                + " ".join("%s=%d" % (m, len(v)) for m, v in sorted(coverage(cases).items()))]
    if opts.no_advertised:
        return ["opcodes covered (all instructions): "
                + " ".join("%s=%d" % (m, len(cov[m])) for m in opmap.MAPS)]
    try:
        adv, cached = opmap.advertised(
            lambda cs: run_guest(opts.kemu, opts.guest, "tcg", cs, True, tmp, opts.timeout),
            opts.kemu, opts.guest, os.path.dirname(os.path.abspath(opts.guest)))
    except GuestFailure as e:
        return ["opcodes covered (all instructions): "
                + " ".join("%s=%d" % (m, len(cov[m])) for m in opmap.MAPS),
                "advertised opcodes: the probe failed: %s" % str(e).splitlines()[0]]
    return opmap.report_lines(cov, adv)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--count", type=int, default=3000)
    ap.add_argument("--first", type=int, default=0, help="index of the first case")
    ap.add_argument("--case", type=int, action="append", help="run only this case (repeatable)")
    ap.add_argument("--no-curated", action="store_true", help="skip the curated cases")
    ap.add_argument("--curated-only", action="store_true", help="only the curated cases")
    ap.add_argument("--families", help="comma-separated subset of: " +
                    ",".join(family_name(f) for f, _ in FAMILIES))
    ap.add_argument("--max-report", type=int, default=12, help="mismatches printed in full")
    ap.add_argument("--per-family", type=int, default=3, help="of those, at most per family")
    ap.add_argument("--mask-rf", action="store_true",
                    help="ignore RFLAGS.RF (set by the CPU in the frame of a fault)")
    ap.add_argument("--no-advertised", action="store_true",
                    help="skip probing which opcodes the interpreter decodes (opmap.py)")
    ap.add_argument("--no-shrink", action="store_true",
                    help="print the mismatches and crashes as found, not shrunk (shrink.py)")
    ap.add_argument("--shrink-rounds", type=int, default=shrink.DEFAULT_ROUNDS,
                    help="at most this many rounds (one kemu run per accelerator each) per "
                    "shrinking phase, over all its passes")
    ap.add_argument("--timeout", type=int, default=600)
    ap.add_argument("--kemu", default=os.environ.get("KEMU"))
    ap.add_argument("--guest", default=os.environ.get("KEMU_DIFF_GUEST"))
    opts = ap.parse_args()

    if not opts.kemu or not os.path.exists(opts.kemu):
        skip("no kemu binary (set KEMU)")
    if not opts.guest or not os.path.exists(opts.guest):
        skip("no diff-guest.elf (nasm missing?  set KEMU_DIFF_GUEST)")
    try:
        os.close(os.open("/dev/kvm", os.O_RDWR))
    except OSError as e:
        skip("/dev/kvm cannot be opened (%s): KVM is the reference" % e.strerror)

    families = FAMILIES
    if opts.families:
        want = opts.families.split(",")
        # Named families run even when their default weight is 0.
        families = [(f, w or 1) for f, w in FAMILIES if family_name(f) in want]
        if not families:
            sys.exit("no such family: " + opts.families)
    indexes = opts.case or list(range(opts.first, opts.first + opts.count))
    if opts.curated_only:
        indexes = []
    cases = [make_case(opts.seed, i, families) for i in indexes]
    labels = ["--case %d" % i for i in indexes]
    if not opts.case and not opts.no_curated:
        cur = curated.cases()
        cases = cur + cases
        labels = ["--curated-only (#%d)" % n for n in range(len(cur))] + labels
    if opts.mask_rf:
        for c in cases:
            c.fmask &= ~gen.RF

    tmp = tempfile.mkdtemp(prefix="kemu-diff-")
    t0 = time.monotonic()
    bad = []
    try:
        try:
            self_test(opts, tmp)
        except GuestFailure as e:
            sys.exit("FAIL: " + str(e))
        crashes, known = [], {}
        for start in range(0, len(cases), BATCH):
            chunk = cases[start:start + BATCH]
            kvm, tcg = run_both(opts, chunk, tmp, crashes, known)
            bad += [start + i for i in range(len(chunk))
                    if kvm[i] != tcg[i] and tcg[i] != b"-"]
        # Known gaps (curated.py, forms marked g.known) are reported, not failed;
        # a curated known case that matches now must lose its mark.
        known_bad = [i for i in bad if cases[i].known]
        bad = [i for i in bad if not cases[i].known]
        # Transcendentals: a last-bit difference is counted, anything else fails.
        trans_bad = [i for i in bad if cases[i].family == TRANS_FAMILY]
        bad = [i for i in bad if cases[i].family != TRANS_FAMILY]
        trans_last_bit, trans_other = split_trans(opts, cases, trans_bad, tmp)
        bad += trans_other
        fixed = [i for i, c in enumerate(cases)
                 if c.family == "curated" and c.known and i not in known_bad]
        elapsed = time.monotonic() - t0
        # Curated cases are minimal already.
        shrunk = {}
        todo = [x for x in crashes if x[0] is not None and x[0].family != "curated"]
        if todo and not opts.no_shrink:
            shrunk = shrink_crashes(opts, todo, tmp)
        for c, accel, err in crashes:
            if c is None:
                print("SKIPPED under %s: %s" % (accel, err))
                continue
            report_crash(labels[cases.index(c)], c, accel, err, tmp, shrunk.get(id(c)))
        classes = {}
        # Full records cost one KVM exit per byte: rerun a few per family.
        shown, seen = [], {}
        for i in bad:
            fam = cases[i].family
            seen[fam] = seen.get(fam, 0) + 1
            if (seen[fam] <= opts.per_family or fam == "curated") and len(shown) < opts.max_report:
                shown.append(i)
        if shown:
            sub = [cases[i] for i in shown]
            # Curated cases are minimal already.
            jobs = {}
            todo = [i for i in shown if cases[i].family != "curated"]
            if todo and not opts.no_shrink:
                jobs = dict(zip(todo, shrink_cases(opts, [cases[i] for i in todo], tmp)))
            # The shrunk cases get their full records in the same runs.
            small = [i for i in shown if i in jobs and jobs[i].best is not cases[i]]
            sub += [jobs[i].best for i in small]
            try:
                kvm = run_guest(opts.kemu, opts.guest, "kvm", sub, True, tmp, opts.timeout)
                tcg = run_guest(opts.kemu, opts.guest, "tcg", sub, True, tmp, opts.timeout)
            except GuestFailure as e:
                sys.exit("FAIL: rerunning the mismatches: %s" % e)

            def rec(n):
                return slice(n * REC_SIZE, (n + 1) * REC_SIZE)
            for n, i in enumerate(shown):
                if i in small:
                    m = len(shown) + small.index(i)
                    diff = diff_fields(kvm[rec(n)], tcg[rec(n)])
                    report(labels[i], jobs[i].best, kvm[rec(m)], tcg[rec(m)], tmp,
                           jobs[i], diff)
                else:
                    diff = report(labels[i], cases[i], kvm[rec(n)], tcg[rec(n)], tmp)
                    if i in jobs:
                        print(" not shrunk: %s" % jobs[i].summary())
                key = "%s: %s" % (cases[i].name, ",".join(diff))
                classes.setdefault(key, []).append(labels[i])
                print()
        cov_lines = coverage_report(opts, cases, tmp)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)

    per_family = {}
    for c in cases:
        per_family[c.family] = per_family.get(c.family, 0) + 1
    print("seed %d: %d cases (%s) in %.1f s (%.0f cases/s, both accelerators)"
          % (opts.seed, len(cases), " ".join("%s=%d" % kv for kv in sorted(per_family.items())),
             elapsed, len(cases) / max(elapsed, 1e-6)))
    for line in cov_lines:
        print(line)
    seqs = [c for c in cases if c.family == "seq"]
    if seqs:
        print("sequences: %d cases, %d instructions (%.1f per sequence), %d end in a fault"
              % (len(seqs), sum(c.seq_len for c in seqs),
                 sum(c.seq_len for c in seqs) / len(seqs),
                 sum(1 for c in seqs if c.seq_fault)))
    ring0 = [i for i, c in enumerate(cases) if c.quirks & gen.QUIRK_RING0]
    if ring0:
        r0bad = [i for i in ring0 if i in set(bad)]
        r0known = [i for i in ring0 if i in set(known_bad)]
        print("ring 0 (KVM emulator as oracle, not the CPU): %d cases, %d mismatches%s, "
              "%d in known differences"
              % (len(ring0), len(r0bad), (" (" + " ".join(labels[i] for i in r0bad[:8]) + ")")
                 if r0bad else "", len(r0known)))
    ntrans = sum(1 for c in cases if c.family == TRANS_FAMILY)
    if ntrans:
        print("transcendental last-bit differences: %d of %d (not failures: the Xeon's "
              "FSIN/F2XM1/FYL2X... are off the exact values in ways fpu-trans.c models "
              "only in part)" % (len(trans_last_bit), ntrans))
    if known_bad:
        gaps = {}
        for i in known_bad:
            gaps[cases[i].known] = gaps.get(cases[i].known, 0) + 1
        print("KNOWN: %d mismatches in known gaps: %s" % (
            len(known_bad), "; ".join("%s (%d)" % kv for kv in sorted(gaps.items()))))
    if fixed:
        print("FIXED: these curated cases match now; drop their 'known': %s"
              % ", ".join("%s (%s)" % (labels[i], cases[i].name) for i in fixed))
    if crashes:
        failed = [labels[cases.index(c)] for c, _, _ in crashes if c is not None]
        print("%d cases made kemu fail: %s" % (len(failed), " ".join(failed)))
    if bad or crashes or fixed:
        print("%d mismatches (%s), %d shown; classes (family: differing fields: cases):"
              % (len(bad), " ".join("%s=%d" % kv for kv in sorted(seen.items())), len(shown)))
        for key, idx in sorted(classes.items()):
            print("  %s: %s" % (key, ", ".join(idx[:8])))
        print("replay one: %s --seed %d --case N" % (sys.argv[0], opts.seed))
        return 1
    print("PASS: no mismatches")
    return 0


if __name__ == "__main__":
    sys.exit(main())
