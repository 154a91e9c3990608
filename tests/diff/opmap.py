"""Opcode coverage for the differential harness: which opcode bytes the
cases execute (every instruction of every case) out of those the
interpreter advertises (decodes in 64-bit ring 3 without #UD).

Covered: all cases' code is disassembled by one objdump call, each case in
its own 128-byte slot padded with NOPs (an instruction is at most 15 bytes
and a case's code at most 59, so a slot never runs into the next one);
every instruction that starts inside a case's code counts.  This needs no
bookkeeping in the generators and sees curated and sequence cases alike.

Advertised: asked of the interpreter itself rather than read from its
decode tables (which are being edited and whose layout may change): one
probe case per (map, opcode byte, variant) runs under -accel tcg only, and
an opcode is advertised when some variant does not raise #UD at its first
byte.  Variants: register and memory ModRM, reg field 0 first; opcodes that
#UD everywhere are retried with the 66/F2/F3 mandatory prefixes, and those
of the 1-byte and 0F maps with reg fields 1-7 (the groups; no prefix).  The result is
cached in the build directory, keyed by the kemu binary and guest image.
"""
import json
import os
import shutil
import struct
import subprocess

import gen
from gen import CODE, DATA, Case

MAPS = ("1-byte", "0F", "0F38", "0F3A")
LEGACY_PREFIXES = {0x26, 0x2e, 0x36, 0x3e, 0x64, 0x65, 0x66, 0x67, 0xf0, 0xf2, 0xf3}
NOT_OPCODES = {"1-byte": LEGACY_PREFIXES | set(range(0x40, 0x50)) | {0x0f},
               "0F": {0x38, 0x3a}}
# Not probed: they leave ring 3 for a place the guest has not set up
# (SYSENTER to SYSENTER_EIP 0), or #UD only because the guest leaves
# EFER.SCE clear (SYSCALL, SYSRET).  The harness never generates them.
PROBE_SKIP = {("0F", 0x05), ("0F", 0x07), ("0F", 0x34)}
SLOT = 128
PROBE_VERSION = 2
# Relative branches (no ModRM): the size of their displacement.
REL_BRANCH = {("1-byte", op): 1 for op in list(range(0x70, 0x80)) + [0xe0, 0xe1, 0xe2, 0xe3, 0xeb]}
REL_BRANCH.update({("1-byte", 0xe8): 4, ("1-byte", 0xe9): 4})
REL_BRANCH.update({("0F", op): 4 for op in range(0x80, 0x90)})


def opcode_of(code):
    """An instruction's opcode map and byte, prefixes and REX skipped."""
    i = 0
    while i < len(code) and code[i] in LEGACY_PREFIXES:
        i += 1
    if i < len(code) and 0x40 <= code[i] <= 0x4f:
        i += 1
    if i >= len(code):
        return None
    if code[i] != 0x0f:
        return ("1-byte", code[i])
    if i + 2 < len(code) and code[i + 1] in (0x38, 0x3a):
        return ("0F%02X" % code[i + 1], code[i + 2])
    if i + 1 < len(code):
        return ("0F", code[i + 1])
    return None


def _instructions(codes, tmp, arch):
    """The byte strings of the instructions in each code of `codes`."""
    path = os.path.join(tmp, "cover.bin")
    with open(path, "wb") as f:
        for c in codes:
            f.write(c + b"\x90" * (SLOT - len(c)))
    p = subprocess.run(["objdump", "-D", "-b", "binary", "-m" + arch, "--insn-width=16",
                        path], capture_output=True, text=True)
    out = [[] for _ in codes]
    for line in p.stdout.splitlines():
        parts = line.split("\t")
        if len(parts) < 3 or not parts[0].strip().endswith(":"):
            continue
        try:
            addr = int(parts[0].strip()[:-1], 16)
            raw = bytes.fromhex(parts[1].strip())
        except ValueError:
            continue
        k, off = divmod(addr, SLOT)
        if k < len(codes) and off < len(codes[k]):
            out[k].append(raw)
    return out


def covered(cases, tmp):
    """{map: set of opcode bytes} over every instruction of every case; None
    without objdump."""
    if not shutil.which("objdump"):
        return None
    maps = {m: set() for m in MAPS}
    for compat in (False, True):
        sub = [c.code for c in cases if bool(c.quirks & gen.QUIRK_COMPAT) == compat]
        if not sub:
            continue
        for insns in _instructions(sub, tmp, "i386" if compat else "i386:x86-64"):
            for raw in insns:
                op = opcode_of(raw)
                if op and op[1] not in NOT_OPCODES.get(op[0], ()):
                    maps[op[0]].add(op[1])
    return maps


# ---- Advertised: probing the interpreter ----------------------------------------

def _escape(m):
    return {"1-byte": b"", "0F": b"\x0f", "0F38": b"\x0f\x38", "0F3A": b"\x0f\x3a"}[m]


def probe_case(m, op, prefix, reg, memory):
    """Opcode `op` of map `m` with a neutral ModRM: register form on RCX or
    memory [RBX], then NOPs (what the instruction does not take as its
    immediate runs as NOPs; never a store through a register the
    instruction may have changed).  Relative branches get a zero
    displacement instead, so they go to the next byte.  RCX and [RBX] hold
    the address of the case's final jump, the stack a frame that returns
    there, so an indirect branch or a RET ends the case normally; the other
    registers point into DATA."""
    c = Case()
    modrm = (0xc0 | reg << 3 | 1) if not memory else (reg << 3 | 3)
    rel = REL_BRANCH.get((m, op))
    if rel is not None:
        c.code = prefix + _escape(m) + bytes([op]) + bytes(rel) + b"\x90" * 10
    else:
        c.code = prefix + _escape(m) + bytes([op, modrm]) + b"\x90" * 10
    end = CODE + len(c.code)
    c.gpr = [DATA + 128] * 16
    c.gpr[gen.RCX] = end
    c.gpr[gen.RSP] = DATA + 256
    c.rflags = 0x2
    struct.pack_into("<Q", c.mem, 128, end)
    struct.pack_into("<5Q", c.mem, 256, end, 0x5b, 0x202, DATA + 256, 0x63)
    struct.pack_into("<HHBxxxxxxxxxxxxxxxxxxxI", c.fx, 0, 0x37f, 0, 0, 0x1f80)
    c.name = c.family = "probe"
    return c


def _ud_at_start(rec):
    vec, _err, rip = struct.unpack_from("<QQQ", rec, 0x88)
    return vec == 6 and rip == CODE


def _run_probes(run_full, probes, failed):
    """{key: True when some probe of it ran without #UD at its first byte}.
    A batch the guest cannot finish (a probe branched out of the code page)
    is split until the probe is found; that one did decode, so it counts as
    advertised, and goes in `failed`."""
    out = {}
    try:
        recs = run_full([c for _, c in probes])
    except Exception:       # GuestFailure: run-diff.py's, not importable here
        if len(probes) == 1:
            failed.append(probes[0][0])
            return {probes[0][0]: True}
        half = len(probes) // 2
        for part in (probes[:half], probes[half:]):
            for k, v in _run_probes(run_full, part, failed).items():
                out[k] = out.get(k, False) or v
        return out
    size = gen.REC_SIZE
    for i, (k, _) in enumerate(probes):
        out[k] = out.get(k, False) or not _ud_at_start(recs[i * size:(i + 1) * size])
    return out


def probe_advertised(run_full):
    """{map: sorted opcode bytes} the interpreter decodes in 64-bit ring 3.
    run_full(cases) runs cases under tcg and returns their full records."""
    todo = [(m, op) for m in MAPS for op in range(256)
            if op not in NOT_OPCODES.get(m, ()) and (m, op) not in PROBE_SKIP]
    ok, failed = set(), []
    stages = [
        [(b"", 0)],
        [(p, 0) for p in (b"\x66", b"\xf2", b"\xf3")],
        [(b"", r) for r in range(1, 8)],
    ]
    for n, variants in enumerate(stages):
        probes = []
        for m, op in todo:
            if (m, op) in ok or (n == 2 and m in ("0F38", "0F3A")):
                continue
            for prefix, reg in variants:
                for memory in (False, True):
                    probes.append(((m, op), probe_case(m, op, prefix, reg, memory)))
        for start in range(0, len(probes), 4096):
            for k, fine in _run_probes(run_full, probes[start:start + 4096], failed).items():
                if fine:
                    ok.add(k)
    return {m: sorted(op for mm, op in ok if mm == m) for m in MAPS}


def advertised(run_full, kemu, guest, cache_dir):
    """probe_advertised, cached in cache_dir by the binaries' size and mtime."""
    key = [PROBE_VERSION] + [[os.path.getsize(p), int(os.path.getmtime(p))] for p in (kemu, guest)]
    path = os.path.join(cache_dir, "diff-advertised.json")
    try:
        with open(path) as f:
            data = json.load(f)
        if data["key"] == key:
            return data["maps"], True
    except (OSError, ValueError, KeyError):
        pass
    maps = probe_advertised(run_full)
    try:
        with open(path + ".tmp", "w") as f:
            json.dump({"key": key, "maps": maps}, f)
        os.replace(path + ".tmp", path)
    except OSError:
        pass
    return maps, False


def ranges(ops):
    """Compact hex ranges: 0x10,0x11,0x12,0x20 -> '10-12 20'."""
    out, ops = [], sorted(ops)
    i = 0
    while i < len(ops):
        j = i
        while j + 1 < len(ops) and ops[j + 1] == ops[j] + 1:
            j += 1
        out.append("%02x" % ops[i] if i == j else "%02x-%02x" % (ops[i], ops[j]))
        i = j + 1
    return " ".join(out)


def report_lines(cov, adv):
    """The coverage summary and the advertised-but-never-covered opcodes."""
    parts, gaps = [], []
    for m in MAPS:
        a = set(adv.get(m, ()))
        c = cov.get(m, set())
        parts.append("%s=%d/%d" % (m, len(c & a), len(a)))
        missing = a - c
        if missing:
            gaps.append("  %s (%d): %s" % (m, len(missing), ranges(missing)))
        extra = c - a
        if extra:
            gaps.append("  %s covered but not advertised (compatibility-mode or #UD cases): %s"
                        % (m, ranges(extra)))
    return (["opcodes covered/advertised (all instructions, 64-bit ring 3 decode): "
             + " ".join(parts)] + (["advertised, never covered:"] + gaps if gaps else []))
