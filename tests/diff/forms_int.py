"""Integer instruction forms for the differential harness (see gen.py for
how to add one).  Undefined flags follow the SDM vol. 2 entry of each
instruction, "Flags Affected"."""
import struct

from gen import (AC, AF, ARITH, CF, DATA, DATA_SIZE, DF, MASK, NOTPRES, OF, PF, RAX, RBP,
                 RBX, RCX, RDI, RDONLY, RDX, RSI, RSP, SF, SUPER, ZF, rand_int, rand_reg64)

SIZES = [1, 2, 4, 8]
SEG_PREFIXES = [0x26, 0x2e, 0x36, 0x3e, 0x64, 0x65]


def imm_bytes(v, n):
    return (v & MASK[n]).to_bytes(n, "little")


def operand(g, size, lo=0, hi=None, mem_p=0.5, reserved=(), addr32=None):
    """Keyword arguments for g.enc: a register rm or a memory operand."""
    rng = g.rng
    if rng.random() < mem_p:
        a32 = rng.random() < 0.1 if addr32 is None else addr32
        return {"mem": g.mem_operand(size, a32, lo, hi, reserved), "addr32": a32}
    return {"rm": g.reg_pick(reserved)}


def prefixes(g):
    """Now and then redundant prefixes: segments (FS/GS have base 0 here),
    a repeated segment, REP/REPNE on instructions that ignore them."""
    rng = g.rng
    out = b""
    if rng.random() < 0.1:
        out += bytes([rng.choice(SEG_PREFIXES)])
        if rng.random() < 0.3:
            out += bytes([rng.choice(SEG_PREFIXES)])
    if rng.random() < 0.03:
        out += bytes([rng.choice([0xf2, 0xf3])])
    return out


def sized(g, op_byte, op_full, size, **kw):
    opcode = op_byte if size == 1 else op_full
    return g.enc(opcode, w=size == 8, osize=2 if size == 2 else None, **kw)


def imm_for(g, size):
    """An immediate for Ev,Iz forms: 8 bytes take a sign-extended 4."""
    n = min(size, 4)
    return imm_bytes(rand_int(g.rng, n), n)


def read_mem(g, addr, size):
    off = addr - DATA
    return int.from_bytes(g.st.mem[off:off + size], "little")


def src_value(g, kw, size):
    if "mem" in kw:
        return read_mem(g, kw["mem"]["addr"], size)
    return reg_value(g, kw["rm"], size)


def reg_value(g, r, size, rex=True):
    if size == 1 and not rex and 4 <= r < 8:
        return (g.st.gpr[r - 4] >> 8) & 0xff
    return g.st.gpr[r] & MASK[size]


def lock(g, kw):
    """LOCK on memory destinations now and then (and rarely on a register: #UD)."""
    if g.rng.random() < (0.2 if "mem" in kw else 0.01):
        return bytes([0xf0])
    return b""


# ---- ALU -----------------------------------------------------------------------

def gen_alu(g):
    rng = g.rng
    op = rng.randrange(8)                   # add or adc sbb and sub xor cmp
    size = rng.choice(SIZES)
    form = rng.randrange(5)
    if op in (1, 4, 6):
        g.undef_flags |= AF                 # OR, AND, XOR: AF undefined
    if form == 0:                           # Eb,Gb / Ev,Gv
        kw = operand(g, size)
        pre = lock(g, kw) if op != 7 else b""
        return sized(g, bytes([op * 8]), bytes([op * 8 + 1]), size, reg=g.reg_pick(),
                     prefixes=pre + prefixes(g), **kw)
    if form == 1:                           # Gb,Eb / Gv,Ev
        kw = operand(g, size)
        return sized(g, bytes([op * 8 + 2]), bytes([op * 8 + 3]), size, reg=g.reg_pick(),
                     prefixes=prefixes(g), **kw)
    if form == 2:                           # AL,Ib / eAX,Iz
        return sized(g, bytes([op * 8 + 4]), bytes([op * 8 + 5]), size, imm=imm_for(g, size))
    kw = operand(g, size)
    pre = (lock(g, kw) if op != 7 else b"") + prefixes(g)
    if form == 3 or size == 1:              # 80 /op Ib, 81 /op Iz
        return sized(g, b"\x80", b"\x81", size, reg=op, imm=imm_for(g, size), prefixes=pre, **kw)
    return g.enc(b"\x83", reg=op, imm=imm_bytes(rand_int(rng, 1), 1), w=size == 8,
                 osize=2 if size == 2 else None, prefixes=pre, **kw)


def gen_test(g):
    rng = g.rng
    size = rng.choice(SIZES)
    g.undef_flags |= AF
    form = rng.randrange(3)
    if form == 0:
        return sized(g, b"\x84", b"\x85", size, reg=g.reg_pick(), **operand(g, size))
    if form == 1:
        return sized(g, b"\xa8", b"\xa9", size, imm=imm_for(g, size))
    return sized(g, b"\xf6", b"\xf7", size, reg=rng.choice([0, 1]), imm=imm_for(g, size),
                 **operand(g, size))


def gen_unary(g):
    """INC, DEC (FE/FF /0 /1), NOT, NEG (F6/F7 /2 /3)."""
    rng = g.rng
    size = rng.choice(SIZES)
    kw = operand(g, size)
    pre = lock(g, kw)
    if rng.random() < 0.5:
        return sized(g, b"\xfe", b"\xff", size, reg=rng.randrange(2), prefixes=pre, **kw)
    return sized(g, b"\xf6", b"\xf7", size, reg=rng.choice([2, 3]), prefixes=pre, **kw)


def gen_muldiv(g):
    rng = g.rng
    size = rng.choice(SIZES)
    ext = rng.randrange(4, 8)               # mul imul div idiv
    kw = operand(g, size, reserved=(RAX, RDX))
    if ext < 6:
        g.undef_flags |= SF | ZF | AF | PF
        return sized(g, b"\xf6", b"\xf7", size, reg=ext, **kw)
    g.undef_flags |= ARITH
    # Mostly quotients that fit; sometimes a zero divisor or an overflow (#DE).
    r = rng.random()
    if r < 0.1:
        divisor = 0
    else:
        divisor = rand_int(rng, size) or 1
    if "mem" in kw:
        off = kw["mem"]["addr"] - DATA
        g.st.mem[off:off + size] = divisor.to_bytes(size, "little")
    else:
        # (A byte register 4-7 may be AH-BH or SPL-DIL: either way a divisor.)
        set_reg(g, kw["rm"], divisor, size)
    if rng.random() < 0.7 and divisor > 1:
        # A dividend whose high half keeps the quotient in range.
        hi = rng.randrange(0, divisor >> 1 if ext == 7 else divisor)
        lo = rand_int(rng, size)
        if size == 1:
            set_reg(g, RAX, (hi << 8) | lo, 2)
        else:
            set_reg(g, RDX, hi, size)
            set_reg(g, RAX, lo, size)
    return sized(g, b"\xf6", b"\xf7", size, reg=ext, **kw)


def set_reg(g, r, v, size):
    """Write the low `size` bytes of GPR r (r 4-7 with size 1 stay the low byte)."""
    m = MASK[size]
    g.st.gpr[r] = (g.st.gpr[r] & ~m | v & m) & MASK[8]


def gen_imul(g):
    rng = g.rng
    size = rng.choice([2, 4, 8])
    g.undef_flags |= SF | ZF | AF | PF
    kw = operand(g, size)
    form = rng.randrange(3)
    if form == 0:
        return g.enc(b"\x0f\xaf", reg=g.reg_pick(), w=size == 8, osize=2 if size == 2 else None,
                     **kw)
    if form == 1:
        return g.enc(b"\x69", reg=g.reg_pick(), imm=imm_for(g, size), w=size == 8,
                     osize=2 if size == 2 else None, **kw)
    return g.enc(b"\x6b", reg=g.reg_pick(), imm=imm_bytes(rand_int(rng, 1), 1), w=size == 8,
                 osize=2 if size == 2 else None, **kw)


# ---- Shifts and rotates ------------------------------------------------------------

def shift_count(rng):
    return rng.randrange(0, 66) if rng.random() < 0.8 else rng.randrange(256)


def shift_undef(ext, size, count):
    """Undefined flags of a shift or rotate (SDM: SAL/SAR/SHL/SHR, RCL/RCR/ROL/ROR)."""
    masked = count & (0x3f if size == 8 else 0x1f)
    if masked == 0:
        return 0
    undef = OF if masked != 1 else 0
    if ext >= 4:
        undef |= AF
        if ext in (4, 5, 6) and masked >= size * 8:
            undef |= CF
    return undef


def gen_shift(g):
    rng = g.rng
    size = rng.choice(SIZES)
    ext = rng.randrange(8)
    form = rng.randrange(3)
    kw = operand(g, size, reserved=(RCX,) if form == 2 else ())
    if form == 0:
        count = shift_count(rng)
        g.undef_flags |= shift_undef(ext, size, count)
        return sized(g, b"\xc0", b"\xc1", size, reg=ext, imm=bytes([count]), **kw)
    if form == 1:
        g.undef_flags |= shift_undef(ext, size, 1)
        return sized(g, b"\xd0", b"\xd1", size, reg=ext, **kw)
    count = shift_count(rng)
    set_reg(g, RCX, count, 1)
    if "rm" in kw and kw["rm"] == RCX:
        kw["rm"] = RDX
    g.undef_flags |= shift_undef(ext, size, count)
    return sized(g, b"\xd2", b"\xd3", size, reg=ext, **kw)


def gen_shld(g):
    rng = g.rng
    size = rng.choice([2, 4, 8])
    right = rng.random() < 0.5
    use_cl = rng.random() < 0.5
    count = shift_count(rng)
    masked = count & (0x3f if size == 8 else 0x1f)
    kw = operand(g, size, reserved=(RCX,) if use_cl else (),
                 mem_p=0 if masked > size * 8 else 0.5)
    reg = g.reg_pick((RCX,) if use_cl else ())
    if masked:
        g.undef_flags |= AF | (OF if masked != 1 else 0)
        if masked > size * 8:
            # SDM: the result and the flags are undefined (a register
            # destination then, which can be masked).
            g.undef_flags |= ARITH
            g.undef_regs |= 1 << kw["rm"]
    op = 0xac if right else 0xa4
    osize = 2 if size == 2 else None
    if use_cl:
        set_reg(g, RCX, count, 1)
        return g.enc(bytes([0x0f, op + 1]), reg=reg, w=size == 8, osize=osize, **kw)
    return g.enc(bytes([0x0f, op]), reg=reg, imm=bytes([count]), w=size == 8, osize=osize, **kw)


# ---- Bits ------------------------------------------------------------------------

def gen_bt(g):
    rng = g.rng
    size = rng.choice([2, 4, 8])
    ext = rng.randrange(4)                  # bt bts btr btc
    g.undef_flags |= OF | SF | AF | PF
    osize = 2 if size == 2 else None
    if rng.random() < 0.5:
        kw = operand(g, size)
        pre = lock(g, kw) if ext else b""
        return g.enc(b"\x0f\xba", reg=4 + ext, imm=bytes([rng.randrange(256)]), w=size == 8,
                     osize=osize, prefixes=pre, **kw)
    # Register bit offset: with a memory operand it reaches beyond the operand.
    reg = g.reg_pick((RSP,))
    kw = operand(g, size, lo=192, hi=320, reserved=(reg,))
    if "mem" in kw:
        set_reg(g, reg, rng.randrange(-1024, 1024), 8)
    pre = lock(g, kw) if ext else b""
    return g.enc(bytes([0x0f, 0xa3 + 8 * ext]), reg=reg, w=size == 8, osize=osize,
                 prefixes=pre, **kw)


def gen_bsf(g):
    rng = g.rng
    size = rng.choice([2, 4, 8])
    g.undef_flags |= CF | OF | SF | AF | PF
    kw = operand(g, size)
    reg = g.reg_pick()
    if rng.random() < 0.2:
        if "mem" in kw:
            off = kw["mem"]["addr"] - DATA
            g.st.mem[off:off + size] = bytes(size)
        else:
            set_reg(g, kw["rm"], 0, size)
    if src_value(g, kw, size) == 0:
        g.undef_regs |= 1 << reg            # SDM: the destination is undefined
    op = rng.choice([0xbc, 0xbd])
    return g.enc(bytes([0x0f, op]), reg=reg, w=size == 8, osize=2 if size == 2 else None, **kw)


def gen_popcnt(g):
    size = g.rng.choice([2, 4, 8])
    return g.enc(b"\x0f\xb8", reg=g.reg_pick(), w=size == 8, osize=2 if size == 2 else None,
                 prefixes=b"\xf3", **operand(g, size))


def gen_bswap(g):
    r = g.reg_pick()
    rex = 0x40 | (8 if g.rng.random() < 0.5 else 0) | (r >> 3)
    pre = bytes([rex]) if rex != 0x40 or g.rng.random() < 0.2 else b""
    return pre + bytes([0x0f, 0xc8 + (r & 7)])


# ---- Data movement ---------------------------------------------------------------

def gen_mov(g):
    rng = g.rng
    size = rng.choice(SIZES)
    form = rng.randrange(5)
    if form == 0:
        return sized(g, b"\x88", b"\x89", size, reg=g.reg_pick(), prefixes=prefixes(g),
                     **operand(g, size))
    if form == 1:
        return sized(g, b"\x8a", b"\x8b", size, reg=g.reg_pick(), prefixes=prefixes(g),
                     **operand(g, size))
    if form == 2:
        return sized(g, b"\xc6", b"\xc7", size, reg=0, imm=imm_for(g, size), **operand(g, size))
    r = g.reg_pick()
    rex = 0x40 | (r >> 3) | (8 if size == 8 else 0)
    imm = imm_bytes(rand_int(rng, size), size)
    pre = b"\x66" if size == 2 else b""
    op = (0xb0 if size == 1 else 0xb8) + (r & 7)
    if rex != 0x40 or rng.random() < 0.2:
        return pre + bytes([rex, op]) + imm
    return pre + bytes([op]) + imm


def gen_movx(g):
    """MOVZX, MOVSX (0F B6/B7/BE/BF) and MOVSXD (63)."""
    rng = g.rng
    form = rng.randrange(5)
    if form == 4:
        size = rng.choice([4, 8])
        return g.enc(b"\x63", reg=g.reg_pick(), w=size == 8, **operand(g, 4))
    src = 1 if form in (0, 2) else 2
    dst = rng.choice([2, 4, 8])
    op = [0xb6, 0xb7, 0xbe, 0xbf][form]
    return g.enc(bytes([0x0f, op]), reg=g.reg_pick(), w=dst == 8,
                 osize=2 if dst == 2 else None, **operand(g, src))


def gen_lea(g):
    rng = g.rng
    size = rng.choice([2, 4, 8])
    a32 = rng.random() < 0.3
    mem = g.mem_operand(1, a32)
    if rng.random() < 0.5:
        # Any address will do: LEA does not touch memory.
        for r in range(16):
            if r != RSP and rng.random() < 0.5:
                g.st.gpr[r] = rand_reg64(rng)
    return g.enc(b"\x8d", reg=g.reg_pick(), mem=mem, w=size == 8,
                 osize=2 if size == 2 else None, addr32=a32)


def gen_xchg(g):
    rng = g.rng
    size = rng.choice(SIZES)
    form = rng.randrange(4)
    if form == 0 and size != 1:
        r = g.reg_pick()
        rex = (r >> 3) | (8 if size == 8 else 0)
        out = b"\x66" if size == 2 else b""
        return out + (bytes([0x40 | rex]) if rex else b"") + bytes([0x90 + (r & 7)])
    kw = operand(g, size)
    pre = b"\xf0" if "mem" in kw and rng.random() < 0.3 else b""
    if form == 1:
        return sized(g, b"\x86", b"\x87", size, reg=g.reg_pick(), prefixes=pre, **kw)
    if form == 2:                           # XADD
        return sized(g, b"\x0f\xc0", b"\x0f\xc1", size, reg=g.reg_pick(), prefixes=pre, **kw)
    # CMPXCHG: equal half the time.
    if rng.random() < 0.5:
        set_reg(g, RAX, src_value(g, kw, size), size)
    if "rm" in kw and kw["rm"] == RAX and size == 1:
        kw["rm"] = RBX
    return sized(g, b"\x0f\xb0", b"\x0f\xb1", size, reg=g.reg_pick(), prefixes=pre, **kw)


def gen_cmpxchg8b(g):
    rng = g.rng
    wide = rng.random() < 0.5
    size = 16 if wide else 8
    # Aligned most of the time: CMPXCHG16B faults (#GP) otherwise.
    mem = g.mem_operand(size, reserved=(RAX, RDX, RBX, RCX),
                        align=size if rng.random() < 0.8 else 1)
    if rng.random() < 0.5:
        half = size // 2
        set_reg(g, RAX, read_mem(g, mem["addr"], half), half)
        set_reg(g, RDX, read_mem(g, mem["addr"] + half, half), half)
    pre = b"\xf0" if rng.random() < 0.5 else b""
    return g.enc(b"\x0f\xc7", reg=1, mem=mem, w=wide, prefixes=pre)


CONDS = 16


def gen_cmov(g):
    rng = g.rng
    size = rng.choice([2, 4, 8])
    cc = rng.randrange(CONDS)
    return g.enc(bytes([0x0f, 0x40 + cc]), reg=g.reg_pick(), w=size == 8,
                 osize=2 if size == 2 else None, **operand(g, size))


def gen_setcc(g):
    cc = g.rng.randrange(CONDS)
    return g.enc(bytes([0x0f, 0x90 + cc]), reg=0, **operand(g, 1))


# lea r11, [r11 + 1]: runs only when a branch is not taken; no flags.
MARK = b"\x4d\x8d\x5b\x01"


def gen_jcc(g):
    rng = g.rng
    cc = rng.randrange(CONDS)
    form = rng.randrange(4)
    if form == 0:
        return bytes([0x70 + cc, len(MARK)]) + MARK
    if form == 1:
        return bytes([0x0f, 0x80 + cc]) + struct.pack("<i", len(MARK)) + MARK
    if form == 2:
        # LOOP, LOOPE, LOOPNE, JRCXZ (E0-E3), 0x67 for ECX.
        op = rng.randrange(4)
        if rng.random() < 0.3:
            set_reg(g, RCX, rng.choice([0, 1, 2]), 8 if rng.random() < 0.5 else 4)
        pre = b"\x67" if rng.random() < 0.3 else b""
        return pre + bytes([0xe0 + op, len(MARK)]) + MARK
    # Prefixed branches: 2E/3E (hints), 66 (ignored by Intel in 64-bit mode for Jcc).
    pre = bytes([rng.choice([0x2e, 0x3e])])
    return pre + bytes([0x70 + cc, len(MARK)]) + MARK


def gen_flags(g):
    """CLC STC CMC CLD STD, LAHF SAHF, CBW/CWDE/CDQE, CWD/CDQ/CQO."""
    rng = g.rng
    op = rng.choice([0xf8, 0xf9, 0xf5, 0xfc, 0xfd, 0x9f, 0x9e, 0x98, 0x99])
    if op in (0x98, 0x99):
        size = rng.choice([2, 4, 8])
        return (b"\x66" if size == 2 else b"") + (b"\x48" if size == 8 else b"") + bytes([op])
    return bytes([op])


def stack_setup(g, room=64):
    g.st.gpr[RSP] = DATA + g.rng.randrange(room, DATA_SIZE - room)
    if g.rng.random() < 0.8:
        g.st.gpr[RSP] &= ~7


def gen_stack(g):
    rng = g.rng
    stack_setup(g)
    form = rng.randrange(9)
    if form == 0:                           # PUSH/POP r
        r = g.reg_pick()
        op = rng.choice([0x50, 0x58]) + (r & 7)
        pre = b"\x66" if rng.random() < 0.2 else b""
        return pre + (bytes([0x41]) if r >= 8 else b"") + bytes([op])
    if form == 1:                           # PUSH imm
        if rng.random() < 0.5:
            return bytes([0x6a, rng.randrange(256)])
        return b"\x68" + imm_bytes(rand_int(rng, 4), 4)
    if form == 2:                           # PUSH/POP r/m
        kw = operand(g, 8, reserved=(RSP,), addr32=False)
        if rng.random() < 0.5:
            return g.enc(b"\xff", reg=6, **kw)
        return g.enc(b"\x8f", reg=0, **kw)
    if form == 3:                           # PUSHF / POPF
        if rng.random() < 0.4:
            return rng.choice([b"\x9c", b"\x66\x9c"])
        # A value without TF (it would trap after the next instruction).
        v = rand_reg64(rng) & ~0x100
        off = g.st.gpr[RSP] - DATA
        g.st.mem[off:off + 8] = v.to_bytes(8, "little")
        return rng.choice([b"\x9d", b"\x9d", b"\x66\x9d"])
    if form == 4:                           # LEAVE
        g.st.gpr[RBP] = DATA + rng.randrange(64, DATA_SIZE - 64)
        return rng.choice([b"\xc9", b"\x66\xc9"])
    if form == 5:                           # ENTER size, level
        g.st.gpr[RBP] = DATA + rng.randrange(256, DATA_SIZE - 64) & ~7
        g.st.gpr[RSP] = DATA + rng.randrange(200, 300) & ~7
        return b"\xc8" + struct.pack("<HB", rng.randrange(0, 64), rng.randrange(0, 4))
    if form == 6:                           # XLAT
        g.st.gpr[RBX] = DATA + rng.randrange(0, 256)
        return b"\xd7" if rng.random() < 0.8 else b"\x48\xd7"
    if form == 7:
        # PUSH CS/DS/ES: #UD in 64-bit mode.  (Not PUSH FS/GS: this host's
        # KVM runs ring 3 with FS and GS selectors of its own.)
        return rng.choice([b"\x0e", b"\x1e", b"\x06", b"\x16", b"\x1f", b"\x07"])
    # NOPs, PAUSE.
    return rng.choice([b"\x90", b"\xf3\x90", b"\x0f\x1f\x00", b"\x66\x0f\x1f\x44\x00\x00",
                       b"\x0f\x1f\x84\x00\x00\x00\x00\x00"])


# ---- Strings -----------------------------------------------------------------------

def gen_string(g):
    rng = g.rng
    op = rng.choice([0xa4, 0xa6, 0xaa, 0xac, 0xae])      # movs cmps stos lods scas
    size = rng.choice(SIZES)
    rep = rng.choice([b"", b"\xf3", b"\xf3", b"\xf2"])
    a32 = rng.random() < 0.15
    count = rng.randrange(0, 17) if rep else 1
    down = rng.random() < 0.3
    span = max(count, 1) * size
    st = g.st
    if down:
        st.rflags |= DF
    else:
        st.rflags &= ~DF

    def pointer():
        if down:
            return DATA + rng.randrange(span - size, DATA_SIZE - size + 1)
        return DATA + rng.randrange(0, DATA_SIZE - span + 1)
    st.gpr[RSI] = pointer()
    st.gpr[RDI] = pointer()
    if op == 0xa6 and rng.random() < 0.5:
        # Compare equal strings now and then, so REPE runs on.
        n = min(span, 32)
        src = st.gpr[RSI] - DATA - (n - size if down else 0)
        dst = st.gpr[RDI] - DATA - (n - size if down else 0)
        st.mem[dst:dst + n] = st.mem[src:src + n]
    if rep:
        if a32:
            st.gpr[RCX] = (rng.getrandbits(32) << 32) | count
        else:
            st.gpr[RCX] = count
    if a32:
        st.gpr[RSI] |= rng.getrandbits(32) << 32
        st.gpr[RDI] |= rng.getrandbits(32) << 32
    pre = bytearray(rep)
    if rng.random() < 0.2 and op in (0xa4, 0xa6, 0xac):
        pre.append(rng.choice(SEG_PREFIXES))
    if a32:
        pre.append(0x67)
    if size == 2:
        pre.insert(0, 0x66)
    rng.shuffle(pre)
    opc = bytes([op if size == 1 else op + 1])
    return bytes(pre) + (b"\x48" if size == 8 else b"") + opc


# ---- Faults -------------------------------------------------------------------------

def gen_fault(g):
    """Accesses at page boundaries (not present, read-only, supervisor),
    non-canonical addresses, alignment checks."""
    rng = g.rng
    kind = rng.randrange(6)
    size = rng.choice([1, 2, 4, 8])
    base = g.reg_pick((RSP,))
    reg = g.reg_pick((base,))
    store = rng.random() < 0.5
    op = (b"\x88", b"\x89") if store else (b"\x8a", b"\x8b")
    if kind == 0:      # straddle DATA's end into the not-present page
        addr = NOTPRES - rng.randrange(1, size + 1) + (1 if size == 1 else 0)
    elif kind == 1:
        addr = RDONLY + rng.randrange(0, 4096 - size)
    elif kind == 2:
        addr = SUPER + rng.randrange(0, 4096 - size)
    elif kind == 3:    # non-canonical; through RBP/RSP it is a stack fault (#SS)
        addr = rng.choice([0x8000000000000000, 0x0000800000000000, 0xffff7fffffffff00])
        if rng.random() < 0.3:
            base = RBP
            reg = g.reg_pick((RBP,))
    elif kind == 4:    # alignment check: AC set, CR0.AM set, CPL 3
        g.st.rflags |= AC
        addr = DATA + rng.randrange(0, DATA_SIZE - size)
    else:              # a string store running into the not-present page
        g.st.rflags &= ~DF
        g.st.gpr[RCX] = rng.randrange(1, 40)
        g.st.gpr[RDI] = NOTPRES - rng.randrange(1, 64)
        g.st.gpr[RSI] = DATA + rng.randrange(0, 128)
        return rng.choice([b"\xf3\xa4", b"\xf3\x48\xa5", b"\xf3\xaa", b"\xf3\x48\xab"])
    g.st.gpr[base] = addr & MASK[8]
    mem = {"mod": 0, "rm": base & 7, "tail": b"", "rex": base >> 3, "addr": addr}
    if base & 7 in (4, 5):
        mem = {"mod": 1, "rm": 4, "tail": bytes([0x20 | (base & 7)]) + b"\0",
               "rex": base >> 3, "addr": addr}
    return sized(g, op[0], op[1], size, reg=reg, mem=mem)


FAMILIES = [
    (gen_alu, 12), (gen_test, 3), (gen_unary, 4), (gen_muldiv, 6), (gen_imul, 3),
    (gen_shift, 10), (gen_shld, 4), (gen_bt, 4), (gen_bsf, 2), (gen_popcnt, 1),
    (gen_bswap, 1), (gen_mov, 3), (gen_movx, 2), (gen_lea, 3), (gen_xchg, 4),
    (gen_cmpxchg8b, 1), (gen_cmov, 3), (gen_setcc, 2), (gen_jcc, 3), (gen_flags, 2),
    (gen_stack, 5), (gen_string, 6), (gen_fault, 3),
]
