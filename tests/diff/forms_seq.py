"""Multi-instruction sequences for the differential harness (family `seq`).

A case is 2-12 instructions in one block: ALU ops in register and memory
forms, shifts by immediate and CL (counts 0 and 1 often), moves, and flag
readers (ADC/SBB, SETcc, CMOVcc, PUSHF+POP, LAHF, RCL/RCR, a Jcc skipping
the next instruction), with now and then a load or store that faults in the
middle.  They check what one instruction at a time cannot: that flags an
instruction computes reach a later reader, a fault's frame and the end of
the block when the interpreter skips flags it thinks dead
(target-i386/interp/flags-live.c).

Undefined flags: `Track.undef` is the set of flags whose last writer left
them undefined (SDM vol. 2, "Flags Affected").  Every instruction updates it
as (undef & ~written) | undefined; a reader of an undefined flag is
preceded by a CMP that defines them all, or (PUSHF, LAHF) followed by an
AND that clears the undefined bits before they reach a register or memory.
The compared RFLAGS mask is taken at the end, or at the faulting
instruction.  Memory operands never use a register the sequence writes:
RIP-relative, absolute, or a base (and index) register reserved for the
case.

Instruction boundaries: a case keeps its instructions as `Insn` records
(g.insns, then Case.insns): the bytes, where a RIP-relative displacement
sits and what it points at, the flags written, left undefined and read, a
Jcc's reach, and which other instructions it cannot go without.  `layout()`
rebuilds the code of any subset in order, with the displacements and Jcc
offsets fixed for the new positions, and recomputes the compared flags, or
refuses a subset in which an instruction reads a flag left undefined: the
shrinker (shrink.py) removes instructions with it.
"""
import copy
import struct

from gen import (AF, ARITH, CF, DATA, DATA_SIZE, MASK, NOTPRES, OF, PF, RAX, RCX, RDONLY,
                 RSP, SF, ZF, CODE, CODE_MAX, rand_int)
from forms_int import imm_bytes, shift_undef

# Flags each condition code (the low nibble of Jcc/SETcc/CMOVcc) reads.
COND_READS = [OF, OF, CF, CF, ZF, ZF, CF | ZF, CF | ZF, SF, SF, PF, PF,
              SF | OF, SF | OF, ZF | SF | OF, ZF | SF | OF]
LAHF_READS = SF | ZF | AF | PF | CF
# ALU group (00-3F, 80/81/83 /n): add or adc sbb and sub xor cmp.
ALU_LOGIC = (1, 4, 6)
ALU_READS_CF = (2, 3)


class Code(bytes):
    """Encoded bytes that know their RIP-relative displacement, if any:
    rip = (offset of the disp32 in the bytes, the address it reaches)."""
    rip = None


def enc(t, opcode, **kw):
    """t.g.enc, remembering a RIP-relative operand (its disp32 comes just
    before the immediate)."""
    code = Code(t.g.enc(opcode, **kw))
    mem = kw.get("mem")
    if mem is not None and mem.get("riprel") is not None:
        code.rip = (len(code) - len(kw.get("imm", b"")) - 4, mem["riprel"])
    return code


class Insn:
    """One instruction of a sequence.  reads: the flags it needs defined
    (PUSHF and LAHF: those that reach the register or memory past their
    AND); needs: positions of the instructions it cannot go without,
    relative within its Unit until emit() makes them absolute (a shift by
    CL needs its MOV CL, whose count decided its flags; PUSHF and LAHF
    need their AND)."""

    def __init__(self, code, written=0, undefined=0, reads=0, faults=False):
        self.code = bytes(code)
        self.rip = getattr(code, "rip", None)
        self.written = written
        self.undefined = undefined
        self.reads = reads
        self.faults = faults
        self.skip = None            # a Jcc: how many instructions it may jump over
        self.needs = ()


class Track:
    """What the generator knows while it builds a sequence."""

    def __init__(self, g):
        self.g = g
        self.undef = 0              # flags the last writer left undefined
        self.fault_undef = None     # the mask at the faulting instruction, once there is one
        self.code = bytearray()
        self.insns = []             # Insn records of self.code
        self.count = 0              # instructions emitted
        self.reserved = {RSP}       # registers the sequence must not write

    def write(self, written, undefined=0):
        self.undef = (self.undef & ~(written | undefined)) | undefined


class Unit:
    """Some instructions that go together (a reader and its fix-up).  With
    code, one instruction; Unit() is empty.  `reads`: what the unit as a
    whole reads (its fix-ups accounted for)."""

    def __init__(self, code=b"", written=0, undefined=0, reads=0, faults=False, insn_reads=None):
        self.insns = []
        if code:
            self.insns.append(Insn(code, written, undefined,
                                   reads if insn_reads is None else insn_reads, faults))
        self.reads = reads
        self.faults = faults

    @property
    def code(self):
        return b"".join(x.code for x in self.insns)

    @property
    def n(self):
        return len(self.insns)

    @property
    def steps(self):
        return [(x.written, x.undefined) for x in self.insns]

    def add(self, other):
        self.insns += other.insns
        self.reads |= other.reads           # MOV CL + RCL reads CF
        return self


def apply(undef, steps):
    for written, undefined in steps:
        undef = (undef & ~(written | undefined)) | undefined
    return undef


# ---- Operands ---------------------------------------------------------------------

def dst_reg(t, size):
    """A register the sequence may write.  A byte register 4-7 is AH-BH
    without REX and SPL-DIL with it: both must be free."""
    ok = [r for r in range(16) if r not in t.reserved
          and not (size == 1 and 4 <= r < 8 and (r - 4) in t.reserved)]
    return t.g.rng.choice(ok)


def src_reg(t):
    return t.g.rng.randrange(16)


def seq_mem(t, size, at):
    """A memory operand inside DATA that no register write can move."""
    g, rng = t.g, t.g.rng
    target = DATA + rng.randrange(0, DATA_SIZE - size + 1)
    form = rng.random()
    if form < 0.3:
        return {"mod": 0, "rm": 5, "tail": b"\0\0\0\0", "rex": 0, "riprel": target,
                "addr": target}
    if form < 0.45:
        return {"mod": 0, "rm": 4, "tail": bytes([0x25]) + struct.pack("<i", target),
                "rex": 0, "addr": target}
    base, bval = t.base
    disp = target - bval
    if not -128 <= disp < 128:
        target = bval + rng.randrange(-128, 128 - size)
        target = min(max(target, DATA), DATA + DATA_SIZE - size)
        disp = target - bval
    g.addr = target
    if form < 0.75 or t.index is None:
        if base & 7 == 4:
            return {"mod": 1, "rm": 4, "tail": bytes([0x24]) + struct.pack("<b", disp),
                    "rex": base >> 3, "addr": target}
        return {"mod": 1, "rm": base & 7, "tail": struct.pack("<b", disp), "rex": base >> 3,
                "addr": target}
    index, ival = t.index
    scale = rng.randrange(4)
    disp -= ival << scale
    if not -128 <= disp < 128:
        return seq_mem(t, size, at)
    sib = (scale << 6) | ((index & 7) << 3) | (base & 7)
    return {"mod": 1, "rm": 4, "tail": bytes([sib]) + struct.pack("<b", disp),
            "rex": (base >> 3) | ((index >> 3) << 1), "addr": target}


def rm_operand(t, size, at, write, mem_p=0.4):
    if t.g.rng.random() < mem_p:
        return {"mem": seq_mem(t, size, at)}
    return {"rm": dst_reg(t, size) if write else src_reg(t)}


def sized(t, op_byte, op_full, size, at, **kw):
    opcode = op_byte if size == 1 else op_full
    return enc(t, opcode, w=size == 8, osize=2 if size == 2 else None, at=at, **kw)


SIZES = [1, 2, 4, 8]


def imm_for(rng, size):
    n = min(size, 4)
    return imm_bytes(rand_int(rng, n), n)


# ---- Writers -------------------------------------------------------------------------

def u_alu(t, at):
    rng = t.g.rng
    op = rng.randrange(8)
    size = rng.choice(SIZES)
    undefined = AF if op in ALU_LOGIC else 0
    written = ARITH & ~undefined
    reads = CF if op in ALU_READS_CF else 0
    form = rng.randrange(3)
    if form == 0:                           # Ev,Gv: rm written (not by CMP)
        kw = rm_operand(t, size, at, write=op != 7)
        code = sized(t, bytes([op * 8]), bytes([op * 8 + 1]), size, at, reg=src_reg(t), **kw)
    elif form == 1:                         # Gv,Ev
        kw = rm_operand(t, size, at, write=False)
        reg = dst_reg(t, size) if op != 7 else src_reg(t)
        code = sized(t, bytes([op * 8 + 2]), bytes([op * 8 + 3]), size, at, reg=reg, **kw)
    else:                                   # 80/81/83 /op
        kw = rm_operand(t, size, at, write=op != 7)
        if size == 1 or rng.random() < 0.5:
            code = sized(t, b"\x80", b"\x81", size, at, reg=op, imm=imm_for(rng, size), **kw)
        else:
            code = enc(t, b"\x83", reg=op, imm=imm_bytes(rand_int(rng, 1), 1), w=size == 8,
                       osize=2 if size == 2 else None, at=at, **kw)
    return Unit(code, written=written, undefined=undefined, reads=reads)


def u_test(t, at):
    rng = t.g.rng
    size = rng.choice(SIZES)
    if rng.random() < 0.5:
        code = sized(t, b"\x84", b"\x85", size, at, reg=src_reg(t),
                     **rm_operand(t, size, at, write=False))
    else:
        code = sized(t, b"\xf6", b"\xf7", size, at, reg=0, imm=imm_for(rng, size),
                     **rm_operand(t, size, at, write=False))
    return Unit(code, written=ARITH & ~AF, undefined=AF)


def u_unary(t, at):
    """INC/DEC keep CF; NEG writes all; NOT none."""
    rng = t.g.rng
    size = rng.choice(SIZES)
    kw = rm_operand(t, size, at, write=True)
    ext = rng.randrange(4)
    if ext < 2:
        code = sized(t, b"\xfe", b"\xff", size, at, reg=ext, **kw)
        return Unit(code, written=ARITH & ~CF)
    code = sized(t, b"\xf6", b"\xf7", size, at, reg=ext, **kw)
    return Unit(code, written=ARITH if ext == 3 else 0)


def shift_written(ext, size, count):
    masked = count & (0x3f if size == 8 else 0x1f)
    if masked == 0:
        return 0                            # flags untouched
    return CF | OF if ext < 4 else ARITH


def u_shift(t, at):
    """Shifts and rotates by 1, an immediate or CL (set just before by MOV CL)."""
    rng = t.g.rng
    size = rng.choice(SIZES)
    ext = rng.choice([0, 1, 2, 3, 4, 5, 7, 4, 5, 7])
    r = rng.random()
    count = rng.choice([0, 1, 1, 2, 7, size * 8 - 1, size * 8, 31, 32, 33, 63, 64]) \
        if r < 0.7 else rng.randrange(256)
    form = rng.randrange(3)
    if form == 1:
        count = 1
    masked = count & (0x3f if size == 8 else 0x1f)
    reads = CF if ext in (2, 3) and masked else 0
    written = shift_written(ext, size, count)
    undefined = shift_undef(ext, size, count)
    pre = Unit()
    if form == 2:
        pre = Unit(bytes([0xb1, count]))                    # mov cl, imm8
        t.reserved.add(RCX)
        at += 2
    kw = rm_operand(t, size, at, write=True)
    if form == 2:
        t.reserved.discard(RCX)
        code = sized(t, b"\xd2", b"\xd3", size, at, reg=ext, **kw)
    elif form == 1:
        code = sized(t, b"\xd0", b"\xd1", size, at, reg=ext, **kw)
    else:
        code = sized(t, b"\xc0", b"\xc1", size, at, reg=ext, imm=bytes([count]), **kw)
    u = Unit(code, written=written, undefined=undefined, reads=reads)
    if pre.n:
        u.insns[0].needs = (-1,)            # its flags were worked out for this count
        return pre.add(u)
    return u


def u_move(t, at):
    """MOV, MOVZX/MOVSX, LEA, XCHG, BSWAP: no flags."""
    rng = t.g.rng
    form = rng.randrange(6)
    if form == 0:
        size = rng.choice(SIZES)
        if rng.random() < 0.5:
            kw = rm_operand(t, size, at, write=True, mem_p=0.5)
            return Unit(sized(t, b"\x88", b"\x89", size, at, reg=src_reg(t), **kw))
        return Unit(sized(t, b"\x8a", b"\x8b", size, at, reg=dst_reg(t, size),
                          **rm_operand(t, size, at, write=False, mem_p=0.5)))
    if form == 1:
        src = rng.choice([1, 2])
        dst = rng.choice([2, 4, 8])
        op = rng.choice([0xb6, 0xbe]) + (src - 1)
        return Unit(enc(t, bytes([0x0f, op]), reg=dst_reg(t, dst), w=dst == 8,
                            osize=2 if dst == 2 else None, at=at,
                            **rm_operand(t, src, at, write=False)))
    if form == 2:
        # LEA of any registers: no memory access.
        size = rng.choice([2, 4, 8])
        base, index = rng.randrange(16), rng.choice([r for r in range(16) if r != 4])
        mem = {"mod": 2, "rm": 4, "rex": (base >> 3) | ((index >> 3) << 1), "addr": None,
               "tail": bytes([rng.randrange(4) << 6 | (index & 7) << 3 | (base & 7)])
               + struct.pack("<i", rng.randrange(-4096, 4096))}
        return Unit(enc(t, b"\x8d", reg=dst_reg(t, size), mem=mem, w=size == 8,
                            osize=2 if size == 2 else None, at=at))
    if form == 3:
        size = rng.choice(SIZES)
        kw = rm_operand(t, size, at, write=True)
        return Unit(sized(t, b"\x86", b"\x87", size, at, reg=dst_reg(t, size), **kw))
    if form == 4:
        r = dst_reg(t, 4)
        return Unit(bytes([0x40 | (8 if rng.random() < 0.5 else 0) | (r >> 3), 0x0f,
                           0xc8 + (r & 7)]))
    # MOV r, imm: new values mid-sequence.
    size = rng.choice([4, 8])
    r = dst_reg(t, size)
    return Unit(bytes([0x40 | (8 if size == 8 else 0) | (r >> 3), 0xb8 + (r & 7)])
                + imm_bytes(rand_int(rng, size), size))


def u_flagop(t, at):
    """CLC STC CMC SAHF: direct writers."""
    op = t.g.rng.choice([0xf8, 0xf9, 0xf5, 0x9e])
    if op == 0x9e:
        return Unit(b"\x9e", written=SF | ZF | AF | PF | CF)
    return Unit(bytes([op]), written=CF, reads=CF if op == 0xf5 else 0)


# ---- Readers -------------------------------------------------------------------------

def u_adc(t, at):
    u = u_alu(t, at)
    while not u.reads:
        u = u_alu(t, at)
    return u


def u_setcc(t, at):
    rng = t.g.rng
    cc = rng.randrange(16)
    code = enc(t, bytes([0x0f, 0x90 + cc]), reg=0, at=at,
                   **rm_operand(t, 1, at, write=True))
    return Unit(code, reads=COND_READS[cc])


def u_cmov(t, at):
    rng = t.g.rng
    cc = rng.randrange(16)
    size = rng.choice([2, 4, 8])
    code = enc(t, bytes([0x0f, 0x40 + cc]), reg=dst_reg(t, size), w=size == 8,
                   osize=2 if size == 2 else None, at=at,
                   **rm_operand(t, size, at, write=False))
    return Unit(code, reads=COND_READS[cc])


def u_pushf(t, at, undef):
    """PUSHF; [AND qword [rsp], ~undefined]; POP r."""
    rng = t.g.rng
    r = dst_reg(t, 8)
    u = Unit(b"\x9c", reads=0, insn_reads=ARITH & ~undef)
    if undef:
        u.insns[0].needs = (1,)
        keep = ~undef & MASK[4]
        if keep >= 0xffffff80:
            u.add(Unit(b"\x48\x83\x24\x24" + bytes([keep & 0xff]), written=ARITH & ~AF,
                       undefined=AF))
        else:
            u.add(Unit(b"\x48\x81\x24\x24" + struct.pack("<I", keep), written=ARITH & ~AF,
                       undefined=AF))
    u.add(Unit((bytes([0x41]) if r >= 8 else b"") + bytes([0x58 + (r & 7)])))
    return u


def u_lahf(t, at, undef):
    """LAHF; [AND AH, ~undefined] (AH: no REX)."""
    u = Unit(b"\x9f", insn_reads=LAHF_READS & ~undef)
    if undef & LAHF_READS:
        u.insns[0].needs = (1,)
        u.add(Unit(bytes([0x80, 0xe4, ~undef & 0xff]), written=ARITH & ~AF, undefined=AF))
    return u


def u_define(t, at):
    """CMP r, r: defines all six arithmetic flags."""
    return Unit(enc(t, b"\x39", reg=src_reg(t), rm=src_reg(t), w=t.g.rng.random() < 0.5,
                        at=at), written=ARITH)


# ---- Faults ------------------------------------------------------------------------------

def u_fault(t, at):
    """A load, store or read-modify-write through the reserved fault
    register: not present, read-only (stores), straddling into the
    not-present page, non-canonical (#SS through RBP)."""
    rng = t.g.rng
    reg, addr = t.fault
    size = rng.choice(SIZES)
    kind = t.fault_kind
    mem = {"mod": 0, "rm": reg & 7, "tail": b"", "rex": reg >> 3, "addr": None}
    if reg & 7 in (4, 5):
        mem = {"mod": 1, "rm": 4, "tail": bytes([0x20 | (reg & 7)]) + b"\0", "rex": reg >> 3,
               "addr": None}
    form = rng.randrange(4) if kind != "rdonly" else rng.choice([0, 2])
    if kind == "straddle":
        size = max(size, 2)
    if form == 0:                           # store
        code = sized(t, b"\x88", b"\x89", size, at, reg=src_reg(t), mem=mem)
    elif form == 1:                         # load
        code = sized(t, b"\x8a", b"\x8b", size, at, reg=dst_reg(t, size), mem=mem)
    elif form == 2:                         # add [m], r
        code = sized(t, b"\x00", b"\x01", size, at, reg=src_reg(t), mem=mem)
    else:                                   # cmp r, [m]
        code = sized(t, b"\x3a", b"\x3b", size, at, reg=src_reg(t), mem=mem)
    return Unit(code, faults=True)


def setup_fault(t):
    rng, g = t.g.rng, t.g
    kind = rng.choice(["notpres", "rdonly", "straddle", "noncanon"])
    reg = rng.choice([r for r in range(16) if r not in t.reserved and r not in (RAX, RCX)])
    addr = {"notpres": NOTPRES + rng.randrange(0, 64),
            "rdonly": RDONLY + rng.randrange(0, 64),
            "straddle": NOTPRES - 1,
            "noncanon": rng.choice([0x8000000000000000, 0x0000800000000000,
                                    0xffff7fffffffff00])}[kind]
    if kind == "noncanon" and rng.random() < 0.4 and 5 not in t.reserved:
        reg = 5                              # RBP: a stack fault, #SS(0)
    g.st.gpr[reg] = addr
    t.reserved.add(reg)
    t.fault = (reg, addr)
    t.fault_kind = kind


# ---- The sequence --------------------------------------------------------------------------

WRITERS = [(u_alu, 8), (u_test, 2), (u_unary, 4), (u_shift, 6), (u_move, 5), (u_flagop, 1)]
MAX_INSNS = 12
READERS = ["adc", "setcc", "cmov", "pushf", "lahf", "rcl", "jcc"]


def pick_unit(t, at, allow_jcc=True, allow_fault=True):
    rng = t.g.rng
    if allow_fault and t.fault is not None and not t.fault_done and rng.random() < 0.2:
        t.fault_done = True
        return u_fault(t, at)
    if rng.random() < 0.6:
        fns = [f for f, _ in WRITERS]
        return rng.choices(fns, weights=[w for _, w in WRITERS])[0](t, at)
    kind = rng.choice(READERS if allow_jcc else READERS[:-1])
    if kind == "pushf":
        return u_pushf(t, at, t.undef)
    if kind == "lahf":
        return u_lahf(t, at, t.undef)
    if kind == "adc":
        return u_adc(t, at)
    if kind == "setcc":
        return u_setcc(t, at)
    if kind == "cmov":
        return u_cmov(t, at)
    if kind == "rcl":
        u = u_shift(t, at)
        while not u.reads and rng.random() < 0.9:
            u = u_shift(t, at)
        return u
    # Jcc over the next unit: both paths are possible, so a flag is
    # undefined afterwards when it is undefined on either.
    cc = rng.randrange(16)
    inner = pick_unit(t, at + 2, allow_jcc=False, allow_fault=False)
    if len(inner.code) > 127:
        return inner
    u = Unit(bytes([0x70 + cc, len(inner.code)]), reads=COND_READS[cc])
    u.insns[0].skip = inner.n
    u.inner = inner
    return u


def append_insns(t, u):
    base = len(t.insns)
    for k, x in enumerate(u.insns):
        x.needs = tuple(base + k + rel for rel in x.needs)
    t.insns += u.insns


def emit(t, u):
    """Append a unit: a CMP first when it reads an undefined flag, then its
    effect on the undefined set."""
    inner = getattr(u, "inner", None)
    if u.faults:
        if t.fault_undef is None:
            t.fault_undef = t.undef
    if inner is not None:
        if inner.reads & t.undef:
            return False                    # its fix-up would shift the offsets: skip it
        skip = t.undef
        run = apply(t.undef, inner.steps)
        t.code += u.code + inner.code
        append_insns(t, u)
        append_insns(t, inner)
        t.count += 1 + inner.n
        t.undef = skip | run
        return True
    t.code += u.code
    append_insns(t, u)
    t.count += u.n
    t.undef = apply(t.undef, u.steps)
    return True


def gen_seq(g):
    rng = g.rng
    t = Track(g)
    # A base and maybe an index for memory operands, reserved for the case.
    base = rng.choice([r for r in range(16) if r not in (RSP, RAX, RCX)])
    bval = DATA + rng.randrange(64, DATA_SIZE - 64)
    g.st.gpr[base] = bval
    t.base = (base, bval)
    t.reserved.add(base)
    t.index = None
    if rng.random() < 0.5:
        index = rng.choice([r for r in range(16) if r not in t.reserved and r not in (RAX, RCX)])
        ival = rng.randrange(-8, 8)
        g.st.gpr[index] = ival & MASK[8]
        t.index = (index, ival)
        t.reserved.add(index)
    t.fault, t.fault_done = None, False
    if rng.random() < 0.35:
        setup_fault(t)
    want = rng.randrange(2, MAX_INSNS + 1)
    tries = 0
    while t.count < want and tries < 40:
        tries += 1
        at = len(t.code)
        u = pick_unit(t, at)
        reads = u.reads
        if reads & t.undef and not u.faults:
            # Define the flags first (the unit was encoded for `at`: RIP-relative
            # operands move with it, so re-pick it after the CMP).
            d = u_define(t, at)
            if len(t.code) + len(d.code) + len(u.code) > CODE_MAX:
                continue
            emit(t, d)
            at = len(t.code)
            u = pick_unit(t, at, allow_fault=False)
            if u.reads & t.undef or u.faults:
                continue
        inner = getattr(u, "inner", Unit())
        if len(t.code) + len(u.code) + len(inner.code) > CODE_MAX \
                or t.count + u.n + inner.n > MAX_INSNS:
            continue
        emit(t, u)
    if t.count < 2:
        t.code += b"\x90"
        t.insns.append(Insn(b"\x90"))
        t.count += 1
    g.undef_flags |= t.undef if t.fault_undef is None else t.fault_undef
    g.seq_len = t.count
    g.seq_fault = t.fault_undef is not None
    g.insns = t.insns
    return bytes(t.code)


def layout(insns, keep):
    """The code of the instructions `keep` (indexes into insns, any order)
    and the flags undefined where RFLAGS is compared (at the end or at the
    first fault), or None when one of them reads a flag left undefined
    there (its CMP or fix-up was removed) or needs one not kept.  RIP-
    relative displacements keep their targets; a Jcc jumps to the first
    kept instruction past those it skipped (or the end)."""
    keep = sorted(keep)
    kept = set(keep)
    pos, at = {}, 0
    for i in keep:
        if any(j not in kept for j in insns[i].needs):
            return None
        pos[i] = at
        at += len(insns[i].code)
    if at > CODE_MAX:
        return None
    end = at
    code = bytearray()
    undef, pending, fault_undef = 0, [], None
    for i in keep:
        x = insns[i]
        b = bytearray(x.code)
        if x.rip is not None:
            off, target = x.rip
            struct.pack_into("<i", b, off, target - (pos[i] + len(b) + CODE))
        if x.skip is not None:
            dest = next((pos[j] for j in keep if j > i + x.skip), end)
            b[-1] = dest - (pos[i] + len(b))
        code += b
        if fault_undef is not None:
            continue                        # not run: the fault came first
        for last, before in list(pending):
            if last < i:                    # past what a Jcc skipped: either path
                undef |= before
                pending.remove((last, before))
        if x.reads & undef:
            return None
        if x.faults:
            fault_undef = undef
            continue
        if x.skip is not None:
            pending.append((i + x.skip, undef))
        undef = apply(undef, [(x.written, x.undefined)])
    for _, before in pending:
        undef |= before
    return bytes(code), undef if fault_undef is None else fault_undef


FAMILIES = [(gen_seq, 30)]


def subset(insns, keep):
    """The records of the instructions keep, renumbered for layout(): needs
    and Jcc reaches count in the subset."""
    keep = sorted(keep)
    new = {i: n for n, i in enumerate(keep)}
    out = []
    for i in keep:
        x = copy.copy(insns[i])
        x.needs = tuple(new[j] for j in x.needs)
        if x.skip is not None:
            x.skip = sum(1 for j in keep if i < j <= i + x.skip)
        out.append(x)
    return out
