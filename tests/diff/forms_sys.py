"""Family `sys0`: system instructions at CPL 0 in 64-bit mode (QUIRK_RING0).

Under -accel kvm on this host, CPL-0 code runs in KVM's instruction
emulator, so the oracle here is that emulator, not the Xeon: run-diff.py
reports these cases on their own line.  Each case is one short fixed
sequence; whatever it changes in the machine (MSRs, DR0-DR3, DR7, CR2,
KERNEL_GS_BASE) it puts back to the value every case starts from, so a case
does not depend on the ones before it in the batch.  GDTR and IDTR are only
written with the value just read.

No masks: CR0 (0x80040033: PG AM NE ET MP PE), CR3 (the guest's PML4) and
CR4 (0x620: OSXMMEXCPT OSFXSR PAE) read the same under both accelerators,
ET included, CD/NW clear in both, no bit of KVM's own setup visible; SMSW
into a 32- or 64-bit register gives all of CR0 in both.  CR2 is written
before it is read, so it does not hold an earlier case's fault address.

Every form asked for runs in KVM's emulator here.  Left out, because the
emulator disagrees with the SDM or the difference is the CPU model's: CR4
bits 63:32 (the emulator does not #GP), CR4 bits of features the model
lacks (KVM accepts them), LSTAR/KERNEL_GS_BASE values canonical at 57 bits
but not at 48 (see canonical()).  IA32_FMASK with bits 63:32 set is a
KNOWN difference (gen.KNOWN_FMASK_HIGH).
"""
import struct

import gen
from gen import DATA, SUPER, RAX, RCX, RDX, RSP, RDI

MSR_EFER, MSR_STAR, MSR_LSTAR, MSR_FMASK = 0xc0000080, 0xc0000081, 0xc0000082, 0xc0000084
MSR_GS_BASE, MSR_KGS_BASE = 0xc0000101, 0xc0000102
EFER_START = 0x500                      # LME | LMA, what the guest sets
R8, R9, R10, R11, R12, R13, R14, R15 = range(8, 16)


def rex_rr(w, reg, rm):
    return bytes([0x40 | (8 if w else 0) | (reg >> 3) << 2 | (rm >> 3)])


def mov_from_cr(gpr, cr):
    return rex_rr(False, 0, gpr) + bytes([0x0f, 0x20, 0xc0 | cr << 3 | (gpr & 7)])


def mov_to_cr(cr, gpr):
    return rex_rr(False, 0, gpr) + bytes([0x0f, 0x22, 0xc0 | cr << 3 | (gpr & 7)])


def mov_from_dr(gpr, dr):
    return rex_rr(False, 0, gpr) + bytes([0x0f, 0x21, 0xc0 | dr << 3 | (gpr & 7)])


def mov_to_dr(dr, gpr):
    return rex_rr(False, 0, gpr) + bytes([0x0f, 0x23, 0xc0 | dr << 3 | (gpr & 7)])


def mov_rr(dst, src):
    return rex_rr(True, src, dst) + bytes([0x89, 0xc0 | (src & 7) << 3 | (dst & 7)])


XOR_EAX_EDX = bytes.fromhex("31c0 31d2")
RDMSR, WRMSR = b"\x0f\x32", b"\x0f\x30"


def pick(g, n, avoid=(RSP,)):
    return g.rng.sample([r for r in range(16) if r not in avoid], n)


def canonical(g):
    """Mostly a canonical address; else one that is not canonical at 48 nor
    at 57 bits: a CPU with 5-level paging (this Xeon, so KVM) checks WRMSR
    of LSTAR/KERNEL_GS_BASE against 57 bits even with CR4.LA57 clear, the
    interpreter's CPU model (no LA57) against 48."""
    v = gen.rand_reg64(g.rng)
    if g.rng.random() < 0.85:
        return v & ((1 << 47) - 1) if g.rng.random() < 0.5 else v | ~((1 << 47) - 1) & gen.MASK[8]
    return v & ~(1 << 63) | 1 << 62


def form_cr_read(g):
    a, b, c, d, e = pick(g, 5)
    g.st.gpr[a] = canonical(g)
    return (mov_from_cr(b, 0) + mov_from_cr(c, 3) + mov_from_cr(d, 4)
            + mov_to_cr(2, a) + mov_from_cr(e, 2))


def form_desc(g):
    a, b, c, d = pick(g, 4, (RSP, RDI))
    g.st.gpr[RDI] = DATA + g.rng.randrange(0, 400)
    smsw = [b"\x0f\x01\xe0", b"\x48\x0f\x01\xe0", b"\x66\x0f\x01\xe0"][g.rng.randrange(3)]
    sldt = [b"\x0f\x00\xc0", b"\x48\x0f\x00\xc0", b"\x66\x0f\x00\xc0"][g.rng.randrange(3)]
    strr = [b"\x0f\x00\xc8", b"\x48\x0f\x00\xc8", b"\x66\x0f\x00\xc8"][g.rng.randrange(3)]

    def with_rm(op, r):
        out = bytearray(op)
        out[-1] |= r & 7
        if r >= 8:
            if out[0] & 0xf0 == 0x40:
                out[0] |= 1
            else:
                out.insert(1 if out[0] == 0x66 else 0, 0x41)
        return bytes(out)
    return (b"\x0f\x01\x07" + b"\x0f\x01\x4f\x10"          # SGDT [rdi]; SIDT [rdi+16]
            + b"\x0f\x00\x47\x20" + b"\x0f\x00\x4f\x22"      # SLDT [rdi+32]; STR [rdi+34]
            + b"\x0f\x01\x67\x24"                          # SMSW [rdi+36]
            + with_rm(sldt, a) + with_rm(strr, b) + with_rm(smsw, c) + mov_rr(d, c))


def rand_flags(g):
    v = g.rng.getrandbits(64) & ~gen.TF & gen.MASK[8]
    if g.rng.random() < 0.5:
        v &= 0x3f7fd7
    return v


def form_flags(g):
    a, b, c = pick(g, 3)
    g.st.gpr[a] = rand_flags(g)
    g.st.rflags = 0x2 | (rand_flags(g) & 0x3f7fd7)
    push_a = (b"\x41" if a >= 8 else b"") + bytes([0x50 | (a & 7)])
    pop_b = (b"\x41" if b >= 8 else b"") + bytes([0x58 | (b & 7)])
    pop_c = (b"\x41" if c >= 8 else b"") + bytes([0x58 | (c & 7)])
    cli_sti = g.rng.choice([b"\xfa", b"\xfb", b"\xfa\xfb", b"\xfb\xfa", b""])
    return push_a + b"\x9d\x9c" + pop_b + cli_sti + b"\x9c" + pop_c


MSRS = [MSR_EFER, MSR_STAR, MSR_LSTAR, MSR_FMASK, MSR_KGS_BASE]


def form_msr_read(g):
    g.st.gpr[RCX] = g.rng.choice(MSRS)
    return RDMSR


def msr_value(g, msr):
    if msr == MSR_EFER:
        # LME/LMA as they are; SCE and NXE at random, sometimes a reserved bit.
        v = EFER_START | g.rng.choice([0, 1, 0x800, 0x801])
        if g.rng.random() < 0.15:
            v |= 1 << g.rng.choice([2, 3, 4, 16, 20, 33, 63])
        return v
    if msr in (MSR_LSTAR, MSR_KGS_BASE):
        return canonical(g)
    if msr == MSR_FMASK and g.rng.random() < 0.9:
        return g.rng.getrandbits(32)
    return g.rng.getrandbits(64)


def form_msr_rt(g):
    msr = g.rng.choice(MSRS)
    v = msr_value(g, msr)
    g.st.gpr[RCX] = msr
    g.st.gpr[RAX] = v & 0xffffffff | g.rng.getrandbits(32) << 32      # high halves ignored
    g.st.gpr[RDX] = v >> 32 | g.rng.getrandbits(32) << 32
    restore = EFER_START if msr == MSR_EFER else 0
    if msr == MSR_FMASK and v >> 32:
        g.known = gen.KNOWN_FMASK_HIGH
    return (WRMSR + XOR_EAX_EDX + RDMSR + mov_rr(R8, RAX) + mov_rr(R9, RDX)
            + b"\xb8" + struct.pack("<I", restore) + b"\x31\xd2" + WRMSR)


def form_swapgs(g):
    v = canonical(g)
    g.st.gpr[RCX] = MSR_KGS_BASE
    g.st.gpr[RAX], g.st.gpr[RDX] = v & 0xffffffff, v >> 32
    # KERNEL_GS_BASE := v; SWAPGS; read GS_BASE (v); SWAPGS back; KGS := 0.
    return (WRMSR + b"\x0f\x01\xf8" + b"\xb9" + struct.pack("<I", MSR_GS_BASE) + RDMSR
            + mov_rr(R8, RAX) + mov_rr(R9, RDX) + b"\x0f\x01\xf8"
            + b"\xb9" + struct.pack("<I", MSR_KGS_BASE) + XOR_EAX_EDX + WRMSR)


def form_gdt_rt(g):
    g.st.gpr[RDI] = DATA + g.rng.randrange(0, 440)
    # SGDT [rdi]; LGDT [rdi]; SGDT [rdi+16]; SIDT [rdi+32]; LIDT [rdi+32]; SIDT [rdi+48]
    return bytes.fromhex("0f0107 0f0117 0f014710 0f014f20 0f015f20 0f014f30")


def form_invlpg(g):
    r = g.rng.random()
    g.st.gpr[RDI] = (DATA + g.rng.randrange(512) if r < 0.4 else
                     gen.NOTPRES if r < 0.6 else canonical(g) if r < 0.9
                     else gen.rand_reg64(g.rng))
    return b"\x0f\x01\x3f"                      # INVLPG [rdi]


def form_dr(g):
    a, b = pick(g, 2, (RSP, R14, R15))
    g.st.gpr[R15], g.st.gpr[R14] = 0, 0x400
    dr = g.rng.choice([0, 1, 2, 3, 7])
    if dr == 7:
        # No breakpoint enabled, no GD; sometimes a bit of 63:32 (#GP).
        v = 0x400 | g.rng.getrandbits(2) << 8 | g.rng.getrandbits(16) << 16
        if g.rng.random() < 0.2:
            v |= 1 << g.rng.randrange(32, 64)
        restore = R14
    else:
        v = canonical(g)
        restore = R15
    g.st.gpr[a] = v
    return mov_to_dr(dr, a) + mov_from_dr(b, dr) + mov_to_dr(dr, restore)


def form_faults(g):
    a = pick(g, 1, (RSP, RCX, RAX, RDX))[0]
    kind = g.rng.randrange(4)
    if kind == 0:
        # A reserved CR4 bit, or LA57 in IA-32e mode: #GP(0).  Not the bits of
        # features the CPU model lacks (SMEP, SMAP, UMIP...): KVM gets the
        # host's filtered CPUID, accepts them and the next case faults.  Not
        # bits 63:32: KVM's emulator here ignores them (no #GP, SDM vol. 3
        # 2.5 says #GP), the interpreter faults as the SDM says.
        bit = g.rng.choice([12, 15, 29, 30, 31])
        bts = rex_rr(True, 0, a) + bytes([0x0f, 0xba, 0xe8 | (a & 7), bit])
        return mov_from_cr(a, 4) + bts + mov_to_cr(4, a)
    if kind == 1:
        cr = g.rng.choice([1, 5, 6, 7, 9, 15])
        return (mov_to_cr if g.rng.random() < 0.5 else mov_from_cr)(cr & 7, a) \
            if cr < 8 else rex_rr(False, 8, a) + bytes([0x0f, 0x20, 0xc0 | (cr & 7) << 3 | (a & 7)])
    g.st.gpr[RCX] = g.rng.choice([0x12345678, 0xc0001234, 0x40000999, 0x3a5, 0x1d8])
    return WRMSR if kind == 2 else RDMSR


FORMS = [(form_cr_read, 2), (form_desc, 2), (form_flags, 3), (form_msr_read, 2),
         (form_msr_rt, 3), (form_swapgs, 1), (form_gdt_rt, 1), (form_invlpg, 1),
         (form_dr, 2), (form_faults, 3)]


def gen_sys0(g):
    g.quirks |= gen.QUIRK_RING0
    g.st.gpr[RSP] = SUPER + 0xe00               # the case's stack: not compared, not DATA
    g.st.rflags = 0x2 | (g.st.rflags & gen.RANDOM_FLAGS) | g.rng.choice([0, gen.IF]) \
        | g.rng.randrange(4) << 12
    fn = g.rng.choices([f for f, _ in FORMS], weights=[w for _, w in FORMS])[0]
    g.sys_form = fn.__name__[5:]
    return fn(g)


FAMILIES = [(gen_sys0, 2)]
