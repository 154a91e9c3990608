"""Test cases for the differential harness: random initial states and
instruction byte sequences over the integer ISA, x87 and SSE/SSE2.

A case is one instruction (sometimes a short fixed sequence) with the
state it starts from: the sixteen GPRs, RFLAGS, the 512-byte data buffer
(DATA) and an FXSAVE image (x87, MXCSR, XMM).  `Case.pack()` gives the
CASE_SIZE bytes diff-guest.asm reads; the layout constants below must
match the ones there.

Adding an instruction form: write a function `gen_<name>(g)` that takes a
`Gen` (random state already in g.st), sets up what the instruction needs
and returns the bytes from `g.enc(...)`; add it to FAMILIES with a weight.
Flags the SDM leaves undefined go in g.undef_flags, GPRs whose value it
leaves undefined in g.undef_regs, x87 condition codes in g.undef_fsw.
"""
import struct

# diff-guest.asm's fixed addresses and layouts.
REGION = 0x1000000
CODE = REGION
TRAMP = REGION + 0x800
TRAMP32 = TRAMP + 0x40          # the way back from compatibility mode
DATA = REGION + 0x1e00
DATA_SIZE = 512
NOTPRES = REGION + 0x2000
RDONLY = REGION + 0x3000
SUPER = REGION + 0x4000
CASE_SIZE = 0x500
REC_SIZE = 0x500
CODE_MAX = 64 - 5               # room for the jump to TRAMP

REGS64 = ["rax", "rcx", "rdx", "rbx", "rsp", "rbp", "rsi", "rdi",
          "r8", "r9", "r10", "r11", "r12", "r13", "r14", "r15"]
RAX, RCX, RDX, RBX, RSP, RBP, RSI, RDI = range(8)

CF, PF, AF, ZF, SF, TF, IF, DF, OF = 0x1, 0x4, 0x10, 0x40, 0x80, 0x100, 0x200, 0x400, 0x800
AC = 0x40000

# Known interpreter gaps go here as KNOWN_* strings for g.known / "known"
# (a mismatch in such a case is reported, not failed).
# IA32_FMASK bits 63:32 (SDM vol. 4: reserved): KVM's emulator keeps what WRMSR
# wrote there, the interpreter reads them as 0; neither faults.  Only KVM's
# emulator is the oracle here (forms_sys.py), not the CPU.
KNOWN_FMASK_HIGH = "WRMSR IA32_FMASK with bits 63:32 set (ring-0, KVM-emulator oracle)"
ARITH = CF | PF | AF | ZF | SF | OF
# What a case may start with: the arithmetic flags and DF (TF would trap,
# IF and IOPL do not change at CPL 3, AC only in the alignment cases).
RANDOM_FLAGS = ARITH | DF
ALL_FLAGS = 0xffffffffffffffff
RF = 0x10000

# Case quirk bits (C_QUIRK in diff-guest.asm).
QUIRK_UD_IS_GP = 1      # record a #UD as #GP (KVM here reports an SSE #GP as #UD)
QUIRK_COMPAT = 2        # run in compatibility mode (forms_seg.py), with Case.desc/segs
QUIRK_RING0 = 4         # run at CPL 0 in 64-bit mode (forms_sys.py; KVM emulates it)

MASK = {1: 0xff, 2: 0xffff, 4: 0xffffffff, 8: 0xffffffffffffffff}


class Case:
    def __init__(self):
        self.code = b""
        self.gpr = [0] * 16
        self.rflags = 0x2
        self.fmask = ALL_FLAGS
        self.rmask = 0
        self.fswmask = 0xffff
        self.quirks = 0
        self.desc = 0               # QUIRK_COMPAT: the descriptor of selector 0x6b
        self.segs = 0               # QUIRK_COMPAT: bits 0-2 load DS, ES, SS with it
        self.addr = None
        self.mem = bytearray(DATA_SIZE)
        self.fx = bytearray(512)
        self.name = ""
        self.family = ""
        self.known = ""             # a known interpreter gap: a mismatch here does not fail

    def pack(self):
        assert len(self.code) <= CODE_MAX, self.name
        tramp = TRAMP32 if self.quirks & QUIRK_COMPAT else TRAMP
        jmp = struct.pack("<Bi", 0xe9, tramp - (CODE + len(self.code) + 5))
        code = self.code + jmp
        code += b"\x0f\x0b" * ((64 - len(code)) // 2) + b"\x90" * ((64 - len(code)) % 2)
        out = bytearray(CASE_SIZE)
        out[0:64] = code
        struct.pack_into("<16Q", out, 0x40, *[v & MASK[8] for v in self.gpr])
        struct.pack_into("<QQQQQQQ", out, 0xc0, self.rflags, self.fmask, self.rmask,
                         self.fswmask, self.quirks, self.desc, self.segs)
        out[0x100:0x300] = self.mem
        out[0x300:0x500] = self.fx
        return bytes(out)

    @staticmethod
    def unpack(raw):
        c = Case()
        end = 64
        # The jump to TRAMP ends the code: find it from the right offset.
        for n in range(0, CODE_MAX + 1):
            rel = TRAMP - (CODE + n + 5)
            if raw[n:n + 5] in (struct.pack("<Bi", 0xe9, rel),
                                struct.pack("<Bi", 0xe9, rel + TRAMP32 - TRAMP)):
                end = n
                break
        c.code = bytes(raw[:end])
        c.gpr = list(struct.unpack_from("<16Q", raw, 0x40))
        (c.rflags, c.fmask, c.rmask, c.fswmask, c.quirks, c.desc,
         c.segs) = struct.unpack_from("<QQQQQQQ", raw, 0xc0)
        c.mem = bytearray(raw[0x100:0x300])
        c.fx = bytearray(raw[0x300:0x500])
        return c


# ---- Random values -----------------------------------------------------------

def rand_int(rng, size=8):
    """A value of `size` bytes, biased toward the edges arithmetic cares about."""
    m = MASK[size]
    top = 1 << (size * 8 - 1)
    r = rng.random()
    if r < 0.45:
        return rng.getrandbits(64) & m
    if r < 0.6:
        return rng.choice([0, 1, 2, m, m - 1, top, top - 1, top + 1])
    if r < 0.75:
        return rng.randrange(0, 256)
    if r < 0.85:
        return (m - rng.randrange(0, 256)) & m
    return (top + rng.randrange(-128, 128)) & m


def rand_reg64(rng):
    """A full register: random high half too, so 32-bit zero-extension shows."""
    v = rand_int(rng, 8)
    if rng.random() < 0.5:
        v = (rng.getrandbits(32) << 32) | rand_int(rng, 4)
    return v


F32_SPECIAL = [0x00000000, 0x80000000, 0x7f800000, 0xff800000, 0x7fc00000, 0xffc00000,
               0x7f800001, 0x7fa00000, 0x00000001, 0x807fffff, 0x3f800000, 0xbf800000,
               0x7f7fffff, 0x00800000, 0x4f000000, 0xcf000000, 0x3f000000, 0x4effffff]
F64_SPECIAL = [0x0, 0x8000000000000000, 0x7ff0000000000000, 0xfff0000000000000,
               0x7ff8000000000000, 0xfff8000000000000, 0x7ff0000000000001,
               0x7ff4000000000000, 0x1, 0x800fffffffffffff, 0x3ff0000000000000,
               0xbff0000000000000, 0x7fefffffffffffff, 0x0010000000000000,
               0x41e0000000000000, 0xc1e0000000000000, 0x43e0000000000000,
               0x3fe0000000000000, 0x41dfffffffc00000]


def rand_f32(rng):
    r = rng.random()
    if r < 0.3:
        return rng.choice(F32_SPECIAL)
    if r < 0.5:
        return rng.getrandbits(32)
    # A modest normal number, so arithmetic stays in range most of the time.
    exp = rng.randrange(100, 160)
    return (rng.getrandbits(1) << 31) | (exp << 23) | rng.getrandbits(23)


def rand_f64(rng):
    r = rng.random()
    if r < 0.3:
        return rng.choice(F64_SPECIAL)
    if r < 0.5:
        return rng.getrandbits(64)
    exp = rng.randrange(1000, 1080)
    return (rng.getrandbits(1) << 63) | (exp << 52) | rng.getrandbits(52)


def rand_xmm(rng):
    r = rng.random()
    if r < 0.3:
        lanes = [rand_f32(rng) for _ in range(4)]
        return sum(v << (32 * i) for i, v in enumerate(lanes))
    if r < 0.6:
        return rand_f64(rng) | (rand_f64(rng) << 64)
    if r < 0.8:
        return rand_int(rng, 8) | (rand_int(rng, 8) << 64)
    return rng.getrandbits(128)


def f64_to_x80(bits):
    """The 80-bit extended value of a double (exact), as 10 bytes."""
    sign = bits >> 63
    exp = (bits >> 52) & 0x7ff
    frac = bits & ((1 << 52) - 1)
    if exp == 0x7ff:
        e80, mant = 0x7fff, (1 << 63) | (frac << 11)
    elif exp == 0:
        if frac == 0:
            e80, mant = 0, 0
        else:
            shift = frac.bit_length()
            e80 = 1 - 1023 + 16383 - (53 - shift)
            mant = frac << (64 - shift)
    else:
        e80, mant = exp - 1023 + 16383, (1 << 63) | (frac << 11)
    return struct.pack("<QH", mant, (sign << 15) | e80)


X80_SPECIAL = [
    struct.pack("<QH", 0, 0), struct.pack("<QH", 0, 0x8000),
    struct.pack("<QH", 1 << 63, 0x7fff), struct.pack("<QH", 1 << 63, 0xffff),
    struct.pack("<QH", 0xc000000000000000, 0xffff),         # QNaN indefinite
    struct.pack("<QH", 0xa000000000000000, 0x7fff),         # SNaN
    struct.pack("<QH", 1, 0),                               # denormal
    struct.pack("<QH", 0xffffffffffffffff, 0x7ffe),         # largest
    struct.pack("<QH", 1 << 63, 0x3fff),                    # 1.0
    struct.pack("<QH", 1 << 63, 0x403e),                    # 2^63
]


def rand_x80(rng):
    r = rng.random()
    if r < 0.15:
        return rng.choice(X80_SPECIAL)
    if r < 0.7:
        # A normal number of moderate size, full 64-bit mantissa.
        return struct.pack("<QH", (1 << 63) | rng.getrandbits(63),
                           (rng.getrandbits(1) << 15) | rng.randrange(16383 - 70, 16383 + 70))
    return f64_to_x80(rand_f64(rng))


# ---- The generator -------------------------------------------------------------

class Gen:
    """One case under construction: g.st is the state, g.enc() the encoder."""

    def __init__(self, rng):
        self.rng = rng
        self.st = Case()
        self.undef_flags = 0
        self.undef_regs = 0
        self.undef_fsw = 0
        self.quirks = 0
        self.known = ""             # set by forms that hit a known interpreter gap
        self.seq_len = 1            # instructions in the case (forms_seq.py: 2-12)
        self.addr = None            # the last memory operand's address, for reports
        rng_state(self)

    # -- encoding --
    def enc(self, opcode, reg=None, rm=None, mem=None, imm=b"", prefixes=b"", w=False,
            rex_force=False, osize=None, addr32=False, at=0):
        """Encode prefixes, REX, opcode, ModRM (register rm or memory `mem`
        from self.mem_operand), immediate.  reg/rm are 0-15 (REX.R/B)."""
        out = bytearray(prefixes)
        if osize == 2:
            out.insert(self.rng.randrange(len(out) + 1), 0x66)
        if addr32:
            out.insert(self.rng.randrange(len(out) + 1), 0x67)
        rex = 0
        if w:
            rex |= 8
        modrm = b""
        riprel = None
        if reg is not None:
            rex |= (reg >> 3) << 2
        if mem is not None:
            rex |= mem["rex"]
            modrm = bytes([(mem["mod"] << 6) | (((reg or 0) & 7) << 3) | mem["rm"]]) + mem["tail"]
            riprel = mem.get("riprel")
        elif rm is not None:
            rex |= rm >> 3
            modrm = bytes([0xc0 | (((reg or 0) & 7) << 3) | (rm & 7)])
        if rex or rex_force or self.rng.random() < 0.05:
            out.append(0x40 | rex)
        out += opcode
        disp_at = len(out) + 1 + (1 if mem is not None and mem["rm"] == 4 else 0)
        out += modrm
        out += imm
        if riprel is not None:
            # RIP-relative: the displacement counts from the end of this instruction.
            disp = riprel - (CODE + at + len(out))
            out[disp_at:disp_at + 4] = struct.pack("<i", disp)
        return bytes(out)

    def reg_pick(self, avoid=()):
        return self.rng.choice([r for r in range(16) if r not in avoid])

    def mem_operand(self, size, addr32=False, lo=0, hi=None, reserved=(), align=1):
        """A memory operand in some random ModRM/SIB form whose effective
        address lands in DATA + [lo, hi - size].  Sets its base and index
        registers; returns the encoding pieces for enc()."""
        rng, st = self.rng, self.st
        hi = DATA_SIZE if hi is None else hi
        target = DATA + (rng.randrange(lo, max(lo, hi - size) + 1) & -align)
        self.addr = target
        amask = MASK[4] if addr32 else MASK[8]
        avoid = set(reserved)
        form = rng.random()
        if form < 0.1 and not addr32:
            # RIP-relative disp32 (patched in enc).
            return {"mod": 0, "rm": 5, "tail": b"\0\0\0\0", "rex": 0, "riprel": target,
                    "addr": target}
        if form < 0.15:
            # [disp32] through a SIB with no base and no index.
            return {"mod": 0, "rm": 4, "tail": bytes([0x25]) + struct.pack("<i", target),
                    "rex": 0, "addr": target}
        base = self.reg_pick(avoid)
        use_sib = form < 0.55 or (base & 7) == 4
        mod = rng.choice([0, 1, 2])
        if mod == 0 and (base & 7) == 5:
            mod = 1
        disp = 0
        if mod == 1:
            disp = rng.randrange(-128, 128)
        elif mod == 2:
            disp = rng.randrange(-(1 << 31), 1 << 31)
        if mod == 2 and rng.random() < 0.7:
            disp = rng.randrange(-4096, 4096)
        index_val, scale, index = 0, 0, 4
        rex = base >> 3
        if use_sib:
            index = rng.choice([r for r in range(16) if r != 4 and r not in avoid and r != base]
                               + [4])
            scale = rng.randrange(4)
            if index != 4:
                index_val = rand_reg64(rng) if rng.random() < 0.3 else rng.randrange(-64, 64)
                st.gpr[index] = index_val & MASK[8]
                rex |= (index >> 3) << 1
            tail = bytes([(scale << 6) | ((index & 7) << 3) | (base & 7)])
        else:
            tail = b""
        if mod == 1:
            tail += struct.pack("<b", disp)
        elif mod == 2:
            tail += struct.pack("<i", disp)
        idx = 0 if index == 4 else st.gpr[index]
        basev = (target - disp - (idx << scale)) & amask
        if addr32:
            basev |= rng.getrandbits(32) << 32     # ignored under 0x67
        st.gpr[base] = basev
        return {"mod": mod, "rm": 4 if use_sib else base & 7, "tail": tail, "rex": rex,
                "addr": target}


def rng_state(g):
    rng, st = g.rng, g.st
    st.gpr = [rand_reg64(rng) for _ in range(16)]
    st.gpr[RSP] = DATA + rng.randrange(128, 384) & ~7
    st.rflags = 0x2 | (rng.getrandbits(32) & RANDOM_FLAGS)
    st.mem = bytearray(rng.getrandbits(8) for _ in range(DATA_SIZE))
    fx = st.fx
    fcw = 0x037f
    if rng.random() < 0.4:
        fcw = 0x0040 | rng.choice([0x3f, 0x3f, 0x3e, 0x3b, 0x37, 0x1f, 0x00]) \
            | rng.choice([0, 2, 3]) << 8 | rng.randrange(4) << 10
    top = rng.randrange(8)
    cc = rng.getrandbits(4)                 # C0-C2 in bits 8-10, C3 in bit 14
    fsw = top << 11 | (cc & 7) << 8 | (cc >> 3) << 14
    ftw = rng.getrandbits(8) if rng.random() < 0.5 else 0xff
    # MXCSR: rounding, FTZ and DAZ at random; exceptions mostly masked.
    mxcsr = 0x1f80
    if rng.random() < 0.5:
        mxcsr = rng.choice([0x1f80, 0x1f80, 0x1f80, 0x1e00, 0x1d80, 0x0f80, 0x0])
        mxcsr |= rng.randrange(4) << 13 | rng.getrandbits(1) << 15 | rng.getrandbits(1) << 6
        if rng.random() < 0.2:
            mxcsr |= rng.getrandbits(6)
    struct.pack_into("<HHB", fx, 0, fcw, fsw, ftw)
    struct.pack_into("<I", fx, 24, mxcsr)
    for i in range(8):
        fx[32 + 16 * i:32 + 16 * i + 10] = rand_x80(rng)
    for i in range(16):
        fx[160 + 16 * i:176 + 16 * i] = rand_xmm(rng).to_bytes(16, "little")
