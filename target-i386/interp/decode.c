/*
 * The decoder: prefixes, REX, opcode maps, ModRM/SIB/displacement and
 * immediates into an X86Insn (SDM vol. 2, chapter 2).  Runs once per
 * block; the block cache keeps the result.
 */
#include "target-i386/interp/decode.h"
#include "target-i386/interp/exec-sse.h"

/* Where the next instruction byte comes from. */
typedef struct Fetch {
    X86Interp *s;
    uint64_t eip;               /* offset in CS of the next byte */
    const uint8_t *p;           /* host pointer of the next byte (NULL: not RAM) */
    uint64_t phys;              /* physical address of the next byte */
    unsigned left;              /* bytes left in the page of p */
    unsigned n;                 /* bytes of this instruction so far */
    bool first;                 /* the block's first instruction: raise faults */
    bool failed;                /* a later instruction could not be fetched */
    bool too_long;
    uint64_t page2;             /* physical page reached by crossing a page */
} Fetch;

static void fetch_page(Fetch *f)
{
    X86Interp *s = f->s;
    uint64_t lin = (s->seg[R_CS].base + f->eip) & s->lin_mask;
    bool faulted = false;

    f->p = x86_fetch_ptr(s, lin, &f->phys, f->first, &faulted);
    if (faulted) {
        f->failed = true;
        return;
    }
    f->left = X86_PAGE_SIZE - (lin & 0xfff);
}

static uint8_t fetch8(Fetch *f)
{
    X86Interp *s = f->s;
    uint8_t b;

    if (f->failed) {
        return 0;
    }
    if (f->n >= 15) {
        /* SDM vol. 2, 2.3.11: an instruction longer than 15 bytes is #GP(0). */
        f->too_long = true;
        return 0;
    }
    /* SDM vol. 3, 5.3: fetching past CS's limit is #GP(0). */
    if (!s->long64 && f->eip > s->env->segs[R_CS].limit) {
        if (f->first) {
            x86_raise(s, EXC_GP, 0);
        }
        f->failed = true;
        return 0;
    }
    if (f->left == 0) {
        /* Only an instruction that straddles two pages gets here (see x86_decode_block). */
        fetch_page(f);
        if (f->failed) {
            return 0;
        }
        f->page2 = f->phys & X86_PAGE_MASK;
    }
    if (f->p) {
        b = *f->p++;
    } else {
        MemTxResult res;
        b = address_space_ld(address_space_memory(), f->phys, 1, &res);
    }
    f->phys++;
    f->left--;
    f->n++;
    f->eip = (f->eip + 1) & x86_size_mask[s->code_ot == OT_Q ? OT_Q : OT_L];
    return b;
}

static uint64_t fetch_n(Fetch *f, int ot)
{
    uint64_t v = 0;
    for (int i = 0; i < (1 << ot); i++) {
        v |= (uint64_t)fetch8(f) << (8 * i);
    }
    return v;
}

static uint8_t byte_reg(unsigned r, bool rex)
{
    return (!rex && r >= 4 && r < 8) ? REG_AH + (r - 4) : r;
}

/* 16-bit addressing forms (SDM vol. 2, table 2-1). */
static void decode_modrm16(Fetch *f, X86Insn *d, unsigned mod, unsigned rm)
{
    static const uint8_t base16[8] = { R_EBX, R_EBX, R_EBP, R_EBP, R_ESI, R_EDI, R_EBP, R_EBX };
    static const uint8_t index16[8] = { R_ESI, R_EDI, R_ESI, R_EDI,
                                        REG_NONE, REG_NONE, REG_NONE, REG_NONE };

    d->base = base16[rm];
    d->index = index16[rm];
    d->seg = (rm == 2 || rm == 3 || rm == 6) ? R_SS : R_DS;
    if (mod == 0 && rm == 6) {
        d->base = REG_NONE;
        d->seg = R_DS;
        d->disp = (int16_t)fetch_n(f, OT_W);
    } else if (mod == 1) {
        d->disp = (int8_t)fetch8(f);
    } else if (mod == 2) {
        d->disp = (int16_t)fetch_n(f, OT_W);
    }
}

/* 32/64-bit addressing forms (SDM vol. 2, tables 2-2 and 2-3, 2.2.1.6). */
static void decode_modrm32(Fetch *f, X86Insn *d, unsigned mod, unsigned rm, unsigned rex)
{
    unsigned base;

    d->index = REG_NONE;
    if (rm == 4) {
        uint8_t sib = fetch8(f);
        unsigned index = ((sib >> 3) & 7) | ((rex & 2) << 2);
        d->scale = sib >> 6;
        if (index != 4) {
            d->index = index;
        }
        base = (sib & 7) | ((rex & 1) << 3);
        if ((sib & 7) == 5 && mod == 0) {
            d->base = REG_NONE;
            d->disp = (int32_t)fetch_n(f, OT_L);
        } else {
            d->base = base;
        }
    } else if (rm == 5 && mod == 0) {
        d->base = f->s->code_ot == OT_Q ? RIP_BASE : REG_NONE;
        d->disp = (int32_t)fetch_n(f, OT_L);
    } else {
        d->base = rm | ((rex & 1) << 3);
    }
    d->seg = (d->base == R_ESP || d->base == R_EBP) ? R_SS : R_DS;
    if (mod == 1) {
        d->disp = (int8_t)fetch8(f);
    } else if (mod == 2) {
        d->disp = (int32_t)fetch_n(f, OT_L);
    }
}

static void decode_imm(Fetch *f, X86Insn *d, unsigned kind)
{
    switch (kind) {
    case IMM_B:
        d->imm = fetch8(f);
        break;
    case IMM_BS:
        d->imm = (uint64_t)(int64_t)(int8_t)fetch8(f);
        break;
    case IMM_W:
        d->imm = fetch_n(f, OT_W);
        break;
    case IMM_Z:
        d->imm = d->ot == OT_W ? fetch_n(f, OT_W) : (uint64_t)(int64_t)(int32_t)fetch_n(f, OT_L);
        if (d->ot == OT_W) {
            d->imm = (uint64_t)(int64_t)(int16_t)d->imm;
        }
        break;
    case IMM_V:
        d->imm = fetch_n(f, d->ot);
        break;
    case IMM_WB:
        d->imm = fetch_n(f, OT_W);
        d->imm2 = fetch8(f);
        break;
    case IMM_AP:
        d->imm = fetch_n(f, d->ot == OT_W ? OT_W : OT_L);
        d->imm2 = fetch_n(f, OT_W);
        break;
    case IMM_ONE:
        d->imm = 1;
        break;
    default:
        break;
    }
}

/*
 * SSE opcodes (decode-sse.c): the mandatory prefix (F3 or F2 over 66)
 * picks the entry; 0F 38 and 0F 3A read the third opcode byte into *b.
 */
static const OpInfo *decode_sse_info(Fetch *f, X86Insn *d, uint8_t *b, unsigned pfx,
                                     bool opsize)
{
    unsigned pc = (pfx & PFX_REPZ) ? SSE_P_F3 : (pfx & PFX_REPNZ) ? SSE_P_F2 :
                  opsize ? SSE_P_66 : SSE_P_NONE;
    if (*b == 0x38 || *b == 0x3a) {
        d->map = *b == 0x38 ? 2 : 3;
        *b = fetch8(f);
        return d->map == 2 ? &x86_optab_0f38[*b][pc] : &x86_optab_0f3a[*b][pc];
    }
    return &x86_optab_sse[*b][pc];
}

/*
 * Decode one instruction.  Returns its table flags; an instruction that
 * must fault gets the #UD or #GP handler and OPF_END.
 */
static uint32_t decode_insn(Fetch *f, X86Insn *d)
{
    X86Interp *s = f->s;
    int code_ot = s->code_ot;
    unsigned rex = 0, pfx = 0;
    int seg = -1;
    bool opsize = false, adsize = false;
    const OpInfo *info;
    uint32_t flags;
    uint8_t b;

    memset(d, 0, sizeof(*d));
    d->base = d->index = REG_NONE;
    for (;;) {
        b = fetch8(f);
        if (f->failed || f->too_long) {
            break;
        }
        /* A REX prefix counts only right before the opcode. */
        if (code_ot == OT_Q && (b & 0xf0) == 0x40) {
            rex = b;
            continue;
        }
        switch (b) {
        case 0x26: seg = R_ES; break;
        case 0x2e: seg = R_CS; break;
        case 0x36: seg = R_SS; break;
        case 0x3e: seg = R_DS; break;
        case 0x64: seg = R_FS; break;
        case 0x65: seg = R_GS; break;
        case 0x66: opsize = true; break;
        case 0x67: adsize = true; break;
        case 0xf0: pfx |= PFX_LOCK; break;
        case 0xf2: pfx = (pfx & ~PFX_REPZ) | PFX_REPNZ; break;
        case 0xf3: pfx = (pfx & ~PFX_REPNZ) | PFX_REPZ; break;
        default:
            goto opcode;
        }
        rex = 0;
    }
opcode:
    if (rex) {
        pfx |= PFX_REX | ((rex & 8) ? PFX_REXW : 0);
    }
    if (opsize) {
        pfx |= PFX_OPSIZE;
    }
    if (b == 0x0f) {
        d->map = 1;
        b = fetch8(f);
        info = &x86_optab_0f[b];
        if (info->fn == x86_op_sse_stub) {
            info = decode_sse_info(f, d, &b, pfx, opsize);
        }
    } else {
        info = &x86_optab_1b[b];
    }
    d->op = b;
    flags = info->flags;

    /* Mode-dependent one-byte opcodes. */
    if (d->map == 0 && code_ot == OT_Q) {
        static const OpInfo movsxd = { x86_op_movsxd, NULL, OPF_MODRM | OPF_RUN | OPF_MEMRUN };
        static const OpInfo nop = { x86_op_nop, NULL, 0 };
        if (b == 0x63) {
            info = &movsxd;
            flags = info->flags;
        } else if (b == 0x90 && !(rex & 1)) {
            info = &nop;
            flags = 0;
        }
    }

    /* Sizes (SDM vol. 1, 3.6 and 3.6.1). */
    if (code_ot == OT_Q) {
        d->aot = adsize ? OT_L : OT_Q;
        if (flags & OPF_BYTE) {
            d->ot = OT_B;
        } else if ((rex & 8) || (flags & OPF_F64)) {
            d->ot = OT_Q;
        } else if (flags & OPF_D64) {
            d->ot = opsize ? OT_W : OT_Q;
        } else {
            d->ot = opsize ? OT_W : OT_L;
        }
    } else {
        d->aot = (code_ot == OT_L) != adsize ? OT_L : OT_W;
        d->ot = (flags & OPF_BYTE) ? OT_B : ((code_ot == OT_L) != opsize ? OT_L : OT_W);
    }
    if (flags & OPF_W16) {
        d->ot = OT_W;
    }

    if (flags & OPF_MODRM) {
        uint8_t modrm = fetch8(f);
        unsigned mod = modrm >> 6, reg = (modrm >> 3) & 7, rm = modrm & 7;

        if (info->group) {
            info = &info->group[reg];
            flags = (flags & ~(info->flags & OPF_IMM_MASK ? OPF_IMM_MASK : 0)) | info->flags;
            if (flags & OPF_F64) {
                d->ot = code_ot == OT_Q ? OT_Q : d->ot;
            } else if ((flags & OPF_D64) && code_ot == OT_Q && !(rex & 8)) {
                d->ot = opsize ? OT_W : OT_Q;
            }
            d->op = reg;
        }
        reg |= (rex & 4) << 1;
        d->reg = (flags & OPF_BYTE) ? byte_reg(reg, rex) : reg;
        if (mod == 3 || (flags & OPF_REGRM)) {
            d->mod = 3;
            rm |= (rex & 1) << 3;
            d->rm = (flags & (OPF_BYTE | OPF_RMB)) ? byte_reg(rm, rex) : rm;
        } else {
            d->mod = mod;
            if (d->aot == OT_W) {
                decode_modrm16(f, d, mod, rm);
            } else {
                decode_modrm32(f, d, mod, rm, rex);
            }
        }
    } else if (flags & OPF_REGOP) {
        unsigned r = (b & 7) | ((rex & 1) << 3);
        d->mod = 3;
        d->rm = (flags & OPF_BYTE) ? byte_reg(r, rex) : r;
    } else if (flags & OPF_ACC) {
        d->mod = 3;
        d->rm = R_EAX;
    } else if (flags & OPF_MOFFS) {
        d->mod = 0;
        d->reg = R_EAX;
        d->disp = fetch_n(f, d->aot);
        d->seg = R_DS;
    } else {
        d->seg = R_DS;
    }

    if (seg >= 0 && (code_ot != OT_Q || seg >= R_FS)) {
        d->seg = seg;
        pfx |= PFX_SEG;
    }
    d->pfx = pfx;
    decode_imm(f, d, (flags & OPF_IMM_MASK) >> OPF_IMM_SHIFT);
    d->fn = info->fn;
    bool reg_only = d->mod == 3 && info->reg_sized && !(flags & OPF_REGRM);
    bool run = reg_only || (flags & (d->mod == 3 ? OPF_RUN : OPF_MEMRUN));
    if (reg_only) {
        d->fn = info->reg_sized[d->ot];
    } else if (d->mod != 3 && info->mem_sized) {
        d->fn = info->mem_sized[d->ot];
    } else if (d->fn == x86_op_jcc && code_ot == OT_Q) {
        d->fn = x86_jcc64[d->op & 15];
        run = true;             /* exec-jcc64.c finds its RIP in a run */
    }

    /* Faults decided at decode time. */
    if (f->too_long) {
        d->fn = x86_op_gp0;
        return OPF_END;
    }
    if (!d->fn || ((flags & OPF_I64) && code_ot == OT_Q) ||
        ((flags & OPF_MEM) && d->mod == 3)) {
        d->fn = x86_op_ud;
        return OPF_END;
    }
    /* SDM vol. 2, LOCK: only on the listed instructions with a memory destination. */
    if ((pfx & PFX_LOCK) && (!(flags & OPF_LOCK) || d->mod == 3)) {
        d->fn = x86_op_ud;
        return OPF_END;
    }
    d->run = run;               /* mark_runs() counts the runs */
    return flags;
}

/*
 * Runs of register-form instructions (exec-fast.c, exec-shift.c and their
 * flag-free twins, the OPF_RUN opcodes), the OPF_MEMRUN memory forms and
 * 64-bit Jccs chain to each other (x86_run_next); the run loop enters a run
 * at its first instruction and steps run_bytes of code past it.
 */
static void mark_runs(X86Insn *insns, unsigned n)
{
    unsigned run = 0, bytes = 0;

    for (unsigned i = n; i-- > 0;) {
        X86Insn *d = &insns[i];
        if (!d->run) {
            run = bytes = 0;
            continue;
        }
        run++;
        bytes += d->len;
        d->run = run;
        d->run_bytes = bytes;
    }
}

unsigned x86_decode_block(X86Interp *s, uint64_t pc, X86Insn *out, unsigned max,
                          unsigned *bytes, uint64_t *page2)
{
    Fetch f = { .s = s, .eip = pc, .page2 = UINT64_MAX, .first = true };
    unsigned n = 0, total = 0;

    fetch_page(&f);
    while (n < max) {
        Fetch save = f;
        uint32_t flags;

        f.n = 0;
        f.too_long = false;
        flags = decode_insn(&f, &out[n]);
        if (f.failed) {
            f = save;
            break;
        }
        out[n].len = f.n;
        total += f.n;
        n++;
        f.first = false;
        /* Stop at control flow, after a page crossing, or at the page's end. */
        if ((flags & OPF_END) || f.page2 != UINT64_MAX || f.left == 0) {
            break;
        }
    }
    mark_runs(out, n);
    *bytes = total;
    *page2 = f.page2;
    return n;
}
