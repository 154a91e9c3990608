"""Curated cases: edge cases written by hand and the minimal reproducers of
every interpreter mismatch found so far (kept as regression cases).

Each entry: a name, the code bytes (hex), and what differs from the base
state: GPRs by name, "rflags", memory at DATA offsets ("mem": {off: hex}),
x87/SSE fields ("fcw", "fsw", "ftw", "mxcsr", "st": {i: (sign_exp, mant)},
"xmm": {i: int}), and the undefined parts ("undef_flags", "undef_regs").
The base state: GPR n = 0x1111 * (n + 1), RSP = DATA + 256, RFLAGS 0x202,
data bytes 0x00-0xff repeated, FCW 0x037f, FSW 0, FTW 0 (all empty),
MXCSR 0x1f80, XMM n = n repeated in every byte.
"""
import struct

from gen import AC, ARITH, DATA, DF, QUIRK_COMPAT, REGS64, Case

CF, PF, AF, ZF, SF, OF = 0x1, 0x4, 0x10, 0x40, 0x80, 0x800

CURATED = [
    # ---- Found by the harness (interpreter mismatches) ----
    # The CPU sets RF in the RFLAGS image of a fault's frame (SDM vol. 3,
    # 18.3.1.1); the interpreter pushes it clear.
    {"name": "rf-in-fault-frame: div rcx by zero", "code": "48f7f1", "rcx": 0},
    # CR0.AM = 1, RFLAGS.AC = 1, CPL 3: a misaligned load is #AC(0)
    # (SDM vol. 3, 6.15, interrupt 17; the interpreter's mmu.c).
    {"name": "ac: misaligned load at CPL 3", "code": "488b03", "rbx": DATA + 1,
     "rflags": 0x202 | AC},
    {"name": "ac: misaligned push at CPL 3", "code": "53", "rsp": DATA + 255,
     "rflags": 0x202 | AC},
    {"name": "ac: aligned dword load, no fault", "code": "8b03", "rbx": DATA + 4,
     "rflags": 0x202 | AC},
    {"name": "ac: misaligned word store", "code": "668903", "rbx": DATA + 3,
     "rflags": 0x202 | AC},
    {"name": "ac: byte access is never misaligned", "code": "8a03", "rbx": DATA + 3,
     "rflags": 0x202 | AC},
    {"name": "ac: misaligned add to memory (read-modify-write)", "code": "480103",
     "rbx": DATA + 4, "rflags": 0x202 | AC},
    {"name": "ac: popf clears AC, then the load is not checked", "code": "9d8b03",
     "rbx": DATA + 1, "rsp": DATA + 256, "mem": {256: "0200000000000000"},
     "rflags": 0x202 | AC},
    # Compatibility mode, DS expand-down with B=1 (limit 0, base DATA + 0xff):
    # a word at offset 0xffffffff wraps past 4 GiB; the Xeon does not fault,
    # the interpreter raised #GP (seg.c, x86_seg_check).
    {"name": "seglimit: expand-down word at 0xffffffff wraps, no #GP", "code": "663e8903",
     "rbx": 0xffffffff, "quirks": QUIRK_COMPAT, "desc": 0x0140f7001eff0000, "segs": 1},
    # BT with a negative register offset into memory (UBSan in exec-bit.c).
    {"name": "bt negative offset", "code": "480fa303", "rbx": DATA + 256,
     "rax": 0xfffffffffffffff1, "undef_flags": OF | SF | AF | PF},
    {"name": "bts negative offset", "code": "480fab03", "rbx": DATA + 256,
     "rax": 0xffffffffffffff80, "undef_flags": OF | SF | AF | PF},
    # 0x67 REP with ECX = 0: the CPU still zero-extends RCX (and RDI for
    # STOS); the interpreter leaves the high halves.
    {"name": "a32 rep stosb, ecx=0", "code": "67f3aa", "rcx": 0xcd3ec8b500000000,
     "rdi": 0xd91e110400000000 | DATA},
    {"name": "a32 repe cmpsw, ecx=0", "code": "f36766a7", "rcx": 0x99678c3600000000,
     "rsi": 0x258c54e900000000 | DATA, "rdi": 0x1fd94d3e00000000 | (DATA + 64)},
    # CMPXCHG r32 when not equal: the CPU leaves the destination register
    # alone (no zero-extension); the interpreter writes it back.
    {"name": "cmpxchg ebp,edi not equal", "code": "0fb1fd", "rax": 0x2c702d48b9b79a6f,
     "rbp": 0x4d6a13508925a973},
    # FCOMI: the CPU leaves C1 as it was (the SDM says cleared).
    {"name": "fcomi leaves C1", "code": "dbf1", "fsw": 0x0200 | 6 << 11, "ftw": 0xc0,
     "st": {0: (0x3fff, 1 << 63), 1: (0x4000, 1 << 63)}},
    # FCOMI with an empty ST0 and IM unmasked: the CPU still sets ZF PF CF.
    {"name": "fcomi underflow, IM unmasked", "code": "dbf1", "fcw": 0x037e,
     "fsw": 0x0000, "ftw": 0x02, "st": {1: (0x3fff, 1 << 63)}, "rflags": 0x202 | AF},
    # FPREM with an empty ST1 (masked #IS): the CPU clears C2.
    {"name": "fprem underflow clears C2", "code": "d9f8", "fsw": 0x0400, "ftw": 0x01,
     "st": {0: (0x4001, 0xc000000000000000)}},
    # FLD ST(i) with ST(i) empty and ST(7) full: underflow wins, C1 = 0.
    {"name": "fld st(3) underflow+overflow", "code": "d9c3", "fsw": 0x0000, "ftw": 0x81,
     "st": {0: (0x3fff, 1 << 63), 7: (0x4000, 1 << 63)}, "undef_fsw": 0x4500},
    # FXTRACT on an empty ST0 (masked #IS): the CPU pushes, leaving the
    # indefinite in ST0 and ST1.
    {"name": "fxtract underflow pushes", "code": "d9f4", "fsw": 0x0000, "ftw": 0x00,
     "undef_fsw": 0x4500},
    # FSUB m64 with an SNaN in ST0 and a denormal operand: #IA only, no #D.
    {"name": "fsub snan - denormal: no DE", "code": "dc23", "rbx": DATA + 8,
     "fsw": 0x0000, "ftw": 0x01, "st": {0: (0x7fff, 0xa000000000000000)},
     "mem": {8: "ffffffffffff0f80"}, "undef_fsw": 0x4500},

    # FCMOVcc: the CPU leaves C1 as it was too.
    {"name": "fcmovu leaves C1", "code": "dad9", "fsw": 0x0200, "ftw": 0x03,
     "st": {0: (0x3fff, 1 << 63), 1: (0x4000, 1 << 63)}, "undef_fsw": 0x4500},
    # FCOM with an empty ST0 and IM unmasked: the CPU still sets C3 C2 C0.
    {"name": "fcom m32 underflow, IM unmasked", "code": "d813", "rbx": DATA + 8,
     "fcw": 0x037e, "mem": {8: "0000803f"}},
    # FLD m64 of a denormal onto a full stack: #IS only, no #D.
    {"name": "fld m64 denormal, stack full: no DE", "code": "dd03", "rbx": DATA + 8,
     "ftw": 0xff, "mem": {8: "0100000000000000"}, "undef_fsw": 0x4500},
    # EMMS sets TOP to 0 (checked on the host CPU outside KVM too).
    {"name": "emms resets TOP", "code": "0f77", "fsw": 0x2e00, "ftw": 0xe0},

    # x87 NaN propagation: QNaN in ST0, SNaN from memory: the CPU returns
    # the QNaN operand; the interpreter the quieted SNaN.
    {"name": "fmul m32: QNaN st0 x SNaN", "code": "d80b", "rbx": DATA + 8, "ftw": 0x01,
     "st": {0: (0xffff, 0xc000000000000000)}, "mem": {8: "0100807f"},
     "undef_fsw": 0x4500},
    # A QNaN and a denormal: no #D either.
    {"name": "fadd m64: QNaN + denormal: no DE", "code": "dc03", "rbx": DATA + 8,
     "ftw": 0x01, "st": {0: (0xffff, 0xc000000000000000)},
     "mem": {8: "ffffffffffff0f80"}, "undef_fsw": 0x4500},
    # Unmasked #D: the CPU stops before the operation (no PE, no UE).
    {"name": "fsubp denormal, DM unmasked", "code": "dee4", "fcw": 0x0340, "ftw": 0x11,
     "st": {0: (0x0000, 1), 4: (0x4018, 0xe26c24d424696948)}, "undef_fsw": 0x4500},
    # The same for the transcendentals: FYL2X and FYL2XP1 of a denormal ST1
    # report DE alone (no UE, PE or C1) and leave the stack as it was.
    {"name": "fyl2x denormal, DM unmasked", "code": "d9f1", "fcw": 0x0340, "ftw": 0x03,
     "st": {0: (0x400b, 0xec3f1f311debf451), 1: (0x0000, 1)}},
    {"name": "fyl2xp1 denormal, DM unmasked", "code": "d9f9", "fcw": 0x0840, "ftw": 0x03,
     "st": {0: (0xbfdb, 0xf5c42d6e9b236f93), 1: (0x0000, 1)}},
    # FYL2X of a power of two is inexact to the x87 (PE), so a tiny result
    # underflows (UE) even where 63 * 2^-16445 is representable.
    {"name": "fyl2x 2^63, denormal y", "code": "d9f1", "fcw": 0x037f, "ftw": 0x03,
     "st": {0: (0x403e, 1 << 63), 1: (0x0000, 1)}},
    # FST m32 overflowing with every exception unmasked: the CPU sets OE
    # (and ES), not PE or C1.
    {"name": "fst m32 overflow, unmasked", "code": "d913", "rbx": DATA + 8,
     "fcw": 0x0340, "ftw": 0x01, "st": {0: (0xc0f6, 0x8e4aa7d2b8e1c000)},
     "undef_fsw": 0x4500},
    # FSCALE beyond even the bias-adjusted range, OE or UE unmasked: the CPU
    # delivers infinity with PE and C1 (whatever the rounding control), or a
    # zero with PE, as if masked.
    {"name": "fscale overflow past the adjusted range", "code": "d9fd", "fcw": 0x0440,
     "ftw": 0x03, "st": {0: (0x3fbb, 0xe1d5204567027800), 1: (0x7ffe, 0xffffffffffffffff)},
     "undef_fsw": 0x4500},
    {"name": "fscale overflow past the adjusted range, negative", "code": "d9fd",
     "fcw": 0x0877, "ftw": 0x03,
     "st": {0: (0xc02c, 0xf34951cc95ea4000), 1: (0x4034, 0xb9cb67aa770bf0c1)},
     "undef_fsw": 0x4500},
    {"name": "fscale underflow past the adjusted range", "code": "d9fd", "fcw": 0x0b40,
     "ftw": 0x03, "st": {0: (0x3fff, 0xc000000000000000), 1: (0xc00e, 0xa000000000000000)},
     "undef_fsw": 0x4500},
    {"name": "fscale underflow, adjusted result tiny", "code": "d9fd", "fcw": 0x0367,
     "ftw": 0x03, "st": {0: (0x3fff, 0xffffffffffffffff), 1: (0xc00e, 0x9fff000000000000)},
     "undef_fsw": 0x4500},
    # FPREM1 with a QNaN in ST0: the CPU leaves C0 (and C3) alone.
    {"name": "fprem1 qnan keeps C0", "code": "d9f5", "fsw": 0x0500, "ftw": 0x03,
     "st": {0: (0xffff, 0xc000000000000000), 1: (0x4009, 0xa9a609c1d7f0a61e)}},

    # ---- Edge cases that pass; kept so they stay passing ----
    {"name": "idiv int_min / -1: #DE", "code": "48f7f9", "rax": 1 << 63,
     "rdx": 0xffffffffffffffff, "rcx": 0xffffffffffffffff, "undef_flags": ARITH},
    {"name": "div quotient overflow: #DE", "code": "f7f1", "rdx": 5, "rcx": 5,
     "undef_flags": ARITH},
    {"name": "shl count 0 keeps flags", "code": "48d3e0", "rcx": 0x40,
     "rflags": 0x202 | CF | OF | ZF},
    {"name": "rcl byte by 9", "code": "c0d009", "rax": 0x81, "rflags": 0x202 | CF,
     "undef_flags": OF},
    {"name": "shld 16-bit count 16", "code": "660fa4d810", "rax": 0x1234, "rbx": 0xabcd,
     "undef_flags": OF | AF},
    {"name": "rep movsb backwards", "code": "f3a4", "rcx": 7, "rsi": DATA + 100,
     "rdi": DATA + 103, "rflags": 0x202 | DF},
    {"name": "rep stosq into not-present page", "code": "f348ab", "rcx": 20,
     "rdi": DATA + 512 - 64},
    {"name": "cmpxchg16b misaligned: #GP", "code": "480fc70b", "rbx": DATA + 8},
    {"name": "lock add reg: #UD", "code": "f04801d8"},
    {"name": "push to non-canonical rsp: #SS", "code": "50", "rsp": 0x8000000000000008},
    {"name": "mov to read-only page: #PF", "code": "8903", "rbx": DATA + 0x1200},
    {"name": "cvttsd2si overflow: integer indefinite", "code": "f2480f2cc0",
     "xmm": {0: 0x43e0000000000000}},
    {"name": "sqrtps with FTZ/DAZ", "code": "0f51c1", "mxcsr": 0x9fc0,
     "xmm": {1: 0x00000001_80000001_00800000_007fffff}},
]


def build(entry):
    c = Case()
    c.name = "curated: " + entry["name"]
    c.family = "curated"
    c.code = bytes.fromhex(entry["code"])
    c.gpr = [0x1111 * (i + 1) for i in range(16)]
    c.gpr[4] = DATA + 256
    for i, name in enumerate(REGS64):
        if name in entry:
            c.gpr[i] = entry[name] & 0xffffffffffffffff
    c.rflags = entry.get("rflags", 0x202)
    c.mem = bytearray(i & 0xff for i in range(512))
    for off, hexbytes in entry.get("mem", {}).items():
        b = bytes.fromhex(hexbytes)
        c.mem[off:off + len(b)] = b
    struct.pack_into("<HHB", c.fx, 0, entry.get("fcw", 0x037f), entry.get("fsw", 0),
                     entry.get("ftw", 0))
    struct.pack_into("<I", c.fx, 24, entry.get("mxcsr", 0x1f80))
    for i, (se, mant) in entry.get("st", {}).items():
        struct.pack_into("<QH", c.fx, 32 + 16 * i, mant, se)
    for i in range(16):
        v = entry.get("xmm", {}).get(i, int.from_bytes(bytes([i]) * 16, "little"))
        c.fx[160 + 16 * i:176 + 16 * i] = v.to_bytes(16, "little")
    c.fmask = 0xffffffffffffffff & ~entry.get("undef_flags", 0)
    c.rmask = entry.get("undef_regs", 0)
    c.fswmask = 0xffff & ~entry.get("undef_fsw", 0)
    c.known = entry.get("known", "")
    c.quirks = entry.get("quirks", 0)
    c.desc = entry.get("desc", 0)           # QUIRK_COMPAT: selector 0x6b's descriptor
    c.segs = entry.get("segs", 0)
    return c


def cases():
    return [build(e) for e in CURATED]
