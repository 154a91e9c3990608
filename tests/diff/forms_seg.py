"""Segment limits in IA-32e compatibility mode (family `seglimit`).

In 64-bit mode the CPU checks no segment limit, but in compatibility mode
(a code segment with L=0, D=1, here at CPL 3) DS, ES and SS are checked like
in protected mode (SDM vol. 3, 5.3 and 3.4.5; 5.3.1 for expand-down): an
access past the limit is #GP(0), or #SS(0) through SS.  A case sets
QUIRK_COMPAT: diff-guest.asm installs Case.desc as selector 0x6b, loads it
into the segment registers Case.segs names, far-jumps to the code in
compatibility mode, and the code ends at TRAMP32, which jumps back to 64-bit
mode.  The code is 32-bit code (no REX).  The GPRs start with clear upper
halves: the SDM leaves them undefined across the mode switch.

Each case is one access, preceded now and then by an ALU op (so the fault
frame's RFLAGS carries fresh flags), at, just below or just past a limit:
expand-up byte- and page-granular, expand-down with B=1 and B=0 (whose
upper bound is 0xffff), a read-only segment written, a null DS.  The
segments are placed so that every access inside the limit lands in DATA.
"""
import struct

from gen import ARITH, AF, DATA, QUIRK_COMPAT, rand_int

DS_BIT, ES_BIT, SS_BIT = 1, 2, 4
EAX, ECX, EDX, EBX, ESP, EBP, ESI, EDI = range(8)


def descriptor(base, limit, typ, gran=0, big=1):
    """A DPL-3 data descriptor (SDM vol. 3, 3.4.5), accessed bit set."""
    access = 0x80 | 0x60 | 0x10 | typ | 1
    return ((limit & 0xffff) | (base & 0xffffff) << 16 | access << 40
            | ((limit >> 16) & 0xf) << 48 | (gran << 3 | big << 2) << 52
            | (base >> 24 & 0xff) << 56)


def segment(rng, kind):
    """(descriptor, a valid-range description) for one kind of segment.
    Returns the descriptor and the boundary: (first invalid offset below the
    valid range or None, last valid offset above)."""
    if kind == "up":
        limit = rng.choice([0x0f, 0xff, 0x1ff, rng.randrange(0x10, 0x200)])
        return descriptor(DATA, limit, 2), DATA, ("up", limit)
    if kind == "up-4k":
        # G=1: the limit is (field << 12) | 0xfff; offset 0xfff maps to DATA + 0x1ff.
        base = DATA + 0x200 - 0x1000
        return descriptor(base, 0, 2, gran=1), base, ("up", 0xfff)
    if kind == "down":
        # Expand-down, B=1: valid offsets limit+1 .. 0xffffffff.
        limit = rng.choice([0x0, 0xff, 0xfff, rng.randrange(0x100, 0x100000)])
        base = (DATA + 0x100 - (limit + 1)) & 0xffffffff
        return descriptor(base, limit, 6), base, ("down", limit, 0xffffffff)
    if kind == "down16":
        # Expand-down, B=0: valid offsets limit+1 .. 0xffff, all of them in DATA.
        limit = 0xfdff
        base = DATA + 0x200 - 0x10000
        return descriptor(base, limit, 6, big=0), base, ("down", limit, 0xffff)
    # Read-only, expand-up: writes are #GP(0).
    return descriptor(DATA, 0x1ff, 0), DATA, ("up", 0x1ff)


def offset_near(rng, bound, size):
    """An offset for an access of `size` bytes at, below or past a boundary."""
    if bound[0] == "up":
        last = bound[1] - size + 1
        return (last + rng.choice([-2, -1, 0, 0, 1, 1, size - 1, size])) & 0xffffffff
    lo, hi = bound[1] + 1, bound[2]
    if hi == 0xffff and rng.random() < 0.5:
        last = hi - size + 1
        return (last + rng.choice([-1, 0, 0, 1, 1, size])) & 0xffffffff
    return (lo + rng.choice([-size, -1, -1, 0, 0, 1])) & 0xffffffff


def modrm_mem(reg, base, disp=None):
    """ModRM (+SIB, disp8) for [base] or [base + disp8] in 32-bit addressing."""
    mod = 1 if disp is not None or base == EBP else 0
    out = bytes([mod << 6 | reg << 3 | (4 if base == ESP else base)])
    if base == ESP:
        out += b"\x24"
    if mod == 1:
        out += struct.pack("<b", disp or 0)
    return out


def access(rng, seg, size, write):
    """Code for one access of `size` bytes through `seg` at the address in
    EBX (DS/ES/SS by override), EBP (SS), or the stack (PUSH/POP).  Returns
    (code, register holding the offset or ESP, offset adjustment)."""
    osz = b"\x66" if size == 2 else b""
    op = {(1, False): 0x8a, (1, True): 0x88}.get((size, write), 0x89 if write else 0x8b)
    if seg == "ss" and rng.random() < 0.6:
        form = rng.randrange(4)
        if form == 0 and size != 1:                 # push: writes [esp - size]
            return osz + b"\x50", ESP, size
        if form == 1 and size != 1:                 # pop: reads [esp]
            return osz + b"\x58", ESP, 0
        if form == 2:                               # [ebp]
            return osz + bytes([op]) + modrm_mem(EAX, EBP), EBP, 0
        return osz + bytes([op]) + modrm_mem(EAX, ESP, 8), ESP, -8
    prefix = {"ds": b"", "es": b"\x26", "ss": b"\x36"}[seg]
    if seg == "ds" and rng.random() < 0.2:
        prefix = b"\x3e"
    if rng.random() < 0.25:
        # A read-modify-write or an ALU read.
        alu = rng.choice([0x00, 0x08, 0x28, 0x38]) + (0 if size == 1 else 1)
        if not write:
            alu += 2
        return osz + prefix + bytes([alu]) + modrm_mem(EDX, EBX), EBX, 0
    return osz + prefix + bytes([op]) + modrm_mem(EAX, EBX), EBX, 0


def string_access(rng, seg, size):
    """STOS (ES:EDI), LODS (DS:ESI), MOVS (both), REP STOS running over the limit."""
    osz = b"\x66" if size == 2 else b""
    one = size == 1
    if seg == "es":
        if rng.random() < 0.5:
            return b"\xf3" + osz + (b"\xaa" if one else b"\xab"), EDI, True
        return osz + (b"\xaa" if one else b"\xab"), EDI, False
    if rng.random() < 0.5:
        return osz + (b"\xac" if one else b"\xad"), ESI, False
    return osz + (b"\xa4" if one else b"\xa5"), ESI, False


def gen_seglimit(g):
    rng, st = g.rng, g.st
    g.quirks |= QUIRK_COMPAT
    # 32-bit values in the registers compatibility mode can see.
    for r in range(8):
        st.gpr[r] = rand_int(rng, 4)
    st.rflags &= ~0x400                             # DF clear
    kind = rng.choice(["up", "up", "up-4k", "down", "down", "down16", "rdonly", "null"])
    seg = rng.choice(["ds", "ds", "es", "ss"])
    if kind in ("down16", "rdonly", "null") and seg == "ss":
        seg = "ds"                                  # SS must be writable, B=1 here
    if kind == "null":
        seg = "ds"
    size = rng.choice([1, 2, 4])
    write = rng.random() < 0.5 or kind == "rdonly"
    if kind == "null":
        # A null selector (RPL 0-3) loaded in compatibility mode: any access
        # through DS is #GP(0) (SDM vol. 3, 5.4.1).  (Loaded in 64-bit mode
        # instead, the Xeon keeps DS usable in compatibility mode: not
        # generated, see README.md.)
        st.segs = 0
        bound = ("up", 0x1ff)
        base = DATA
    else:
        st.desc, base, bound = segment(rng, kind)
        st.segs = {"ds": DS_BIT, "es": ES_BIT, "ss": SS_BIT}[seg]
    # The stack: in DATA, through SS's base when SS is the tested segment.
    st.gpr[ESP] = (DATA + 256 - (base if seg == "ss" else 0)) & 0xffffffff
    pre = b""
    if kind == "null":
        pre = b"\xb8" + struct.pack("<I", rng.randrange(4)) + b"\x8e\xd8"   # mov eax, n; mov ds, ax
    elif rng.random() < 0.4:
        op = rng.choice([0x01, 0x29, 0x21, 0x31, 0x39])         # add sub and xor cmp
        pre = bytes([op, 0xc0 | rng.randrange(8) << 3 | rng.choice([EAX, EDX])])
        if op in (0x21, 0x31):
            g.undef_flags |= AF
    if seg in ("ds", "es") and rng.random() < 0.3:
        code, reg, rep = string_access(rng, seg, size)
        off = offset_near(rng, bound, size)
        st.gpr[reg] = off
        if seg == "ds":
            st.gpr[EDI] = DATA + 0x80                   # MOVS destination: flat ES
        if rep:
            st.gpr[ECX] = rng.randrange(1, 6)
            # Start below the boundary so that some iterations run.
            st.gpr[reg] = (off - size * rng.randrange(0, 4)) & 0xffffffff
        if kind == "null":
            st.gpr[reg] &= 0x1ff
        return pre + code
    code, reg, adj = access(rng, seg, size, write)
    if kind == "null":
        off = DATA + rng.randrange(0, 0x1fc)
    else:
        off = offset_near(rng, bound, size)
    st.gpr[reg] = (off + adj) & 0xffffffff
    if reg == ESP and seg != "ss":
        st.gpr[ESP] = (DATA + 256) & 0xffffffff
    return pre + code


# Weighted low: every fault is a round trip through this host's emulated ring 0.
FAMILIES = [(gen_seglimit, 2)]
