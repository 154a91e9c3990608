/*
 * SSE against the host CPU: each case is one instruction, run natively
 * (in an executable buffer) and under the interpreter in long mode from
 * the same registers, memory and MXCSR; the whole data block (xmm0-2,
 * mm3, rax, rcx, rdx, RFLAGS, MXCSR and the memory operand) must match
 * bit for bit.  Operands mix NaNs, infinities, denormals, zeros and
 * integer boundaries; MXCSR gets random rounding, DAZ, FTZ and sticky
 * flags (exceptions stay masked: the host would trap).  Then the
 * interpreter-only checks: #XM/#UD for unmasked exceptions, #NM/#UD from
 * CR0/CR4, alignment #GP, LDMXCSR/FXRSTOR reserved bits, FXSAVE layout,
 * XSAVE/XRSTOR, MMX tag word effects.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <cmocka.h>
#include <glib.h>

#include "tests/unit/interp/harness.h"

#define SSE_CODE    0x110000
#define SSE_DATA    0x120000
#define SSE_RET     0x130000
#define BLOCK       0xb0

/* The data block: inputs, then what the epilogue stores. */
enum {
    D_XMM0 = 0x00, D_XMM1 = 0x10, D_XMM2 = 0x20, D_MXCSR = 0x40, D_RCX = 0x48,
    D_RAX = 0x50, D_RDX = 0x58, O_XMM0 = 0x60, O_XMM1 = 0x70, O_MXCSR = 0x80,
    O_RFLAGS = 0x88, O_RAX = 0x90, O_RCX = 0x98, O_RDX = 0xa0, O_MM3 = 0xa8,
};

static const uint8_t prologue[] = {
    0x31, 0xc0,                                 /* xor eax, eax: known flags */
    0x0f, 0xae, 0x57, D_MXCSR,                  /* ldmxcsr [rdi+0x40] */
    0xf3, 0x0f, 0x6f, 0x07,                     /* movdqu xmm0, [rdi] */
    0xf3, 0x0f, 0x6f, 0x4f, D_XMM1,             /* movdqu xmm1, [rdi+0x10] */
    0xf3, 0x0f, 0x6f, 0x57, D_XMM2,             /* movdqu xmm2, [rdi+0x20] */
    0x0f, 0x6f, 0x5f, D_XMM1,                   /* movq mm3, [rdi+0x10] */
    0x0f, 0x6f, 0x67, D_XMM2,                   /* movq mm4, [rdi+0x20] */
    0x48, 0x8b, 0x47, D_RAX,                    /* mov rax, [rdi+0x50] */
    0x48, 0x8b, 0x57, D_RDX,                    /* mov rdx, [rdi+0x58] */
    0x48, 0x8b, 0x4f, D_RCX,                    /* mov rcx, [rdi+0x48] */
};

static const uint8_t epilogue[] = {
    0x9c,                                       /* pushfq */
    0x8f, 0x87, O_RFLAGS, 0, 0, 0,              /* pop qword [rdi+0x88] */
    0xf3, 0x0f, 0x7f, 0x47, O_XMM0,             /* movdqu [rdi+0x60], xmm0 */
    0xf3, 0x0f, 0x7f, 0x4f, O_XMM1,             /* movdqu [rdi+0x70], xmm1 */
    0x0f, 0xae, 0x9f, O_MXCSR, 0, 0, 0,         /* stmxcsr [rdi+0x80] */
    0x48, 0x89, 0x87, O_RAX, 0, 0, 0,           /* mov [rdi+0x90], rax */
    0x48, 0x89, 0x8f, O_RCX, 0, 0, 0,           /* mov [rdi+0x98], rcx */
    0x48, 0x89, 0x97, O_RDX, 0, 0, 0,           /* mov [rdi+0xa0], rdx */
    0x0f, 0x7f, 0x9f, O_MM3, 0, 0, 0,           /* movq [rdi+0xa8], mm3 */
    0x0f, 0x77,                                 /* emms */
};

/*
 * The cases, in a small assembler syntax: hex bytes, then the operand
 * form (ModRM.reg, then r/m or [rdi+0x20]): /r xmm1, xmm2; /g xmm1 or ecx,
 * xmm0 or eax; /m mm3, mm4; /h xmm1 or ecx, mm4; /k mm3, eax; /y mm3, xmm2;
 * /0-/7 a group on xmm1 (mm3 without 66);
 * ib a random immediate.  "R:" reg form only, "M:" memory form only.
 */
static const char *const sse_cases[] = {
    /* moves */
    "0f 10 /r", "66 0f 10 /r", "f3 0f 10 /r", "f2 0f 10 /r", "0f 11 /r", "66 0f 11 /r",
    "f3 0f 11 /r", "f2 0f 11 /r", "0f 12 /r", "M:66 0f 12 /r", "M:0f 13 /r", "M:66 0f 13 /r",
    "f3 0f 12 /r", "f2 0f 12 /r", "0f 16 /r", "M:66 0f 16 /r", "M:0f 17 /r", "f3 0f 16 /r",
    "0f 28 /r", "66 0f 29 /r", "M:0f 2b /r", "R:0f 50 /g", "R:66 0f 50 /g",
    "66 0f 6e /g", "66 48 0f 6e /g", "66 0f 7e /g", "66 48 0f 7e /g", "0f 6e /k", "0f 7e /k",
    "48 0f 6e /k", "0f 6f /m", "0f 7f /m", "66 0f 6f /r", "f3 0f 6f /r", "66 0f 7f /r",
    "f3 0f 7f /r", "f3 0f 7e /r", "66 0f d6 /r", "M:66 0f e7 /r", "M:f2 0f f0 /r",
    "R:66 0f d7 /g", "R:0f d7 /h", "66 0f c4 /g ib", "0f c4 /k ib", "R:66 0f c5 /g ib",
    "0f 70 /m ib", "66 0f 70 /r ib", "f3 0f 70 /r ib", "f2 0f 70 /r ib",
    "R:66 0f f7 /r", "R:0f f7 /m", "M:0f e7 /m", "R:f3 0f d6 /h", "R:f2 0f d6 /y",
    "R:0f c5 /h ib", "0f e3 /m", "0f ea /m", "0f de /m", "0f 68 /m", "0f 62 /m",
    "R:0f 72 /2 ib", "R:0f 73 /2 ib", "R:0f 71 /6 ib", "0f 38 03 /m", "0f 38 08 /m",
    "0f 38 0a /m", "0f 38 1e /m", "0f 38 05 /m",
    /* packed integer, xmm and mm */
    "66 0f 60 /r", "66 0f 61 /r", "66 0f 62 /r", "66 0f 63 /r", "66 0f 64 /r", "66 0f 65 /r",
    "66 0f 66 /r", "66 0f 67 /r", "66 0f 68 /r", "66 0f 69 /r", "66 0f 6a /r", "66 0f 6b /r",
    "66 0f 6c /r", "66 0f 6d /r", "66 0f 74 /r", "66 0f 75 /r", "66 0f 76 /r",
    "0f 60 /m", "0f 63 /m", "0f 67 /m", "0f 6a /m", "0f 6b /m", "0f 74 /m", "0f 66 /m",
    "66 0f d1 /r", "66 0f d2 /r", "66 0f d3 /r", "66 0f d4 /r", "66 0f d5 /r", "66 0f d8 /r",
    "66 0f d9 /r", "66 0f da /r", "66 0f db /r", "66 0f dc /r", "66 0f dd /r", "66 0f de /r",
    "66 0f df /r", "66 0f e0 /r", "66 0f e1 /r", "66 0f e2 /r", "66 0f e3 /r", "66 0f e4 /r",
    "66 0f e5 /r", "66 0f e8 /r", "66 0f e9 /r", "66 0f ea /r", "66 0f eb /r", "66 0f ec /r",
    "66 0f ed /r", "66 0f ee /r", "66 0f ef /r", "66 0f f1 /r", "66 0f f2 /r", "66 0f f3 /r",
    "66 0f f4 /r", "66 0f f5 /r", "66 0f f6 /r", "66 0f f8 /r", "66 0f f9 /r", "66 0f fa /r",
    "66 0f fb /r", "66 0f fc /r", "66 0f fd /r", "66 0f fe /r",
    "0f d1 /m", "0f d5 /m", "0f d8 /m", "0f e1 /m", "0f e5 /m", "0f f2 /m", "0f f5 /m",
    "0f f6 /m", "0f fb /m", "0f ed /m", "0f e0 /m", "0f da /m", "0f ef /m", "0f f4 /m",
    "R:66 0f 71 /2 ib", "R:66 0f 71 /4 ib", "R:66 0f 71 /6 ib", "R:66 0f 72 /2 ib",
    "R:66 0f 72 /4 ib", "R:66 0f 72 /6 ib", "R:66 0f 73 /2 ib", "R:66 0f 73 /3 ib",
    "R:66 0f 73 /6 ib", "R:66 0f 73 /7 ib", "R:0f 71 /4 ib", "R:0f 73 /6 ib",
    /* float bitwise and shuffles */
    "0f 54 /r", "66 0f 55 /r", "0f 56 /r", "66 0f 57 /r", "0f 14 /r", "66 0f 14 /r",
    "0f 15 /r", "66 0f 15 /r", "0f c6 /r ib", "66 0f c6 /r ib",
    /* float arithmetic */
    "0f 51 /r", "66 0f 51 /r", "f3 0f 51 /r", "f2 0f 51 /r", "0f 52 /r", "f3 0f 52 /r",
    "0f 53 /r", "f3 0f 53 /r", "0f 58 /r", "66 0f 58 /r", "f3 0f 58 /r", "f2 0f 58 /r",
    "0f 59 /r", "66 0f 59 /r", "f3 0f 59 /r", "f2 0f 59 /r", "0f 5a /r", "66 0f 5a /r",
    "f3 0f 5a /r", "f2 0f 5a /r", "0f 5b /r", "66 0f 5b /r", "f3 0f 5b /r", "0f 5c /r",
    "66 0f 5c /r", "f3 0f 5c /r", "f2 0f 5c /r", "0f 5d /r", "66 0f 5d /r", "f3 0f 5d /r",
    "f2 0f 5d /r", "0f 5e /r", "66 0f 5e /r", "f3 0f 5e /r", "f2 0f 5e /r", "0f 5f /r",
    "66 0f 5f /r", "f3 0f 5f /r", "f2 0f 5f /r", "66 0f 7c /r", "f2 0f 7c /r", "66 0f 7d /r",
    "f2 0f 7d /r", "66 0f d0 /r", "f2 0f d0 /r", "66 0f e6 /r", "f3 0f e6 /r", "f2 0f e6 /r",
    "0f c2 /r ib", "66 0f c2 /r ib", "f3 0f c2 /r ib", "f2 0f c2 /r ib",
    "0f 2e /r", "66 0f 2e /r", "0f 2f /r", "66 0f 2f /r",
    "f3 0f 2a /g", "f2 0f 2a /g", "f3 48 0f 2a /g", "f2 48 0f 2a /g",
    "f3 0f 2c /g", "f2 0f 2c /g", "f3 0f 2d /g", "f2 0f 2d /g", "f3 48 0f 2c /g",
    "f2 48 0f 2c /g", "f3 48 0f 2d /g", "f2 48 0f 2d /g",
    "0f 2a /h", "66 0f 2a /h", "0f 2c /y", "0f 2d /y", "66 0f 2c /y", "66 0f 2d /y",
    /* SSSE3 */
    "66 0f 38 00 /r", "66 0f 38 01 /r", "66 0f 38 02 /r", "66 0f 38 03 /r", "66 0f 38 04 /r",
    "66 0f 38 05 /r", "66 0f 38 06 /r", "66 0f 38 07 /r", "66 0f 38 08 /r", "66 0f 38 09 /r",
    "66 0f 38 0a /r", "66 0f 38 0b /r", "66 0f 38 1c /r", "66 0f 38 1d /r", "66 0f 38 1e /r",
    "0f 38 00 /m", "0f 38 01 /m", "0f 38 04 /m", "0f 38 0b /m", "0f 38 1d /m",
    "66 0f 3a 0f /r ib", "0f 3a 0f /m ib",
    /* SSE4.1 */
    "66 0f 38 10 /r", "66 0f 38 14 /r", "66 0f 38 15 /r", "66 0f 38 17 /r", "66 0f 38 20 /r",
    "66 0f 38 21 /r", "66 0f 38 22 /r", "66 0f 38 23 /r", "66 0f 38 24 /r", "66 0f 38 25 /r",
    "66 0f 38 28 /r", "66 0f 38 29 /r", "M:66 0f 38 2a /r", "66 0f 38 2b /r",
    "66 0f 38 30 /r", "66 0f 38 31 /r", "66 0f 38 32 /r", "66 0f 38 33 /r", "66 0f 38 34 /r",
    "66 0f 38 35 /r", "66 0f 38 37 /r", "66 0f 38 38 /r", "66 0f 38 39 /r", "66 0f 38 3a /r",
    "66 0f 38 3b /r", "66 0f 38 3c /r", "66 0f 38 3d /r", "66 0f 38 3e /r", "66 0f 38 3f /r",
    "66 0f 38 40 /r", "66 0f 38 41 /r",
    "66 0f 3a 08 /r ib", "66 0f 3a 09 /r ib", "66 0f 3a 0a /r ib", "66 0f 3a 0b /r ib",
    "66 0f 3a 0c /r ib", "66 0f 3a 0d /r ib", "66 0f 3a 0e /r ib", "66 0f 3a 40 /r ib",
    "66 0f 3a 41 /r ib", "66 0f 3a 42 /r ib",
    "66 0f 3a 14 /g ib", "66 0f 3a 15 /g ib", "66 0f 3a 16 /g ib", "66 48 0f 3a 16 /g ib",
    "66 0f 3a 17 /g ib", "66 0f 3a 20 /g ib", "66 0f 3a 21 /r ib", "66 0f 3a 22 /g ib",
    "66 48 0f 3a 22 /g ib",
    /* SSE4.2 */
    "66 0f 3a 60 /r ib", "66 0f 3a 61 /r ib", "66 0f 3a 62 /r ib", "66 0f 3a 63 /r ib",
    "66 48 0f 3a 61 /r ib", "66 0f 38 37 /r",
    "f2 0f 38 f0 /g", "f2 0f 38 f1 /g", "66 f2 0f 38 f1 /g", "f2 48 0f 38 f1 /g",
    "f3 0f b8 /g",
};

/* Assemble case c in form mem (false: register form); false if the form does not exist. */
static bool sse_assemble(const char *c, bool mem, uint8_t imm, uint8_t *out, unsigned *len)
{
    unsigned n = 0;
    bool mmx_noprefix = true;

    if (c[1] == ':') {
        if ((c[0] == 'R') == mem) {
            return false;
        }
        c += 2;
    }
    g_auto(GStrv) tok = g_strsplit(c, " ", -1);
    for (unsigned i = 0; tok[i]; i++) {
        const char *t = tok[i];
        if (t[0] == '/') {
            static const char forms[] = "rgmhky";
            static const uint8_t regs[] = { 1, 1, 3, 1, 3, 3 }, rms[] = { 2, 0, 4, 4, 0, 2 };
            const char *f = strchr(forms, t[1]);
            if (t[1] >= '0' && t[1] <= '7') {
                if (mem) {
                    return false;
                }
                out[n++] = 0xc0 | (t[1] - '0') << 3 | (mmx_noprefix ? 3 : 1);
                continue;
            }
            assert_non_null(f);
            uint8_t reg = regs[f - forms];
            if (mem) {
                out[n++] = 0x47 | reg << 3;             /* [rdi + disp8] */
                out[n++] = D_XMM2;
            } else {
                out[n++] = 0xc0 | reg << 3 | rms[f - forms];
            }
        } else if (!strcmp(t, "ib")) {
            out[n++] = imm;
        } else {
            uint8_t b = strtoul(t, NULL, 16);
            if (b == 0x66 && n == 0) {
                mmx_noprefix = false;
            }
            out[n++] = b;
        }
    }
    *len = n;
    return true;
}

/* Interesting 32- and 64-bit patterns. */
static const uint32_t special32[] = {
    0, 0x80000000, 0x3f800000, 0xbf800000, 0x00000001, 0x807fffff, 0x00800000,
    0x7f800000, 0xff800000, 0x7fc00000, 0xffc00001, 0x7f800001, 0xff812345, 0x7f7fffff,
    0x4f000000, 0xcf000000, 0x4effffff, 0x7fffffff, 0x3f000000, 0x40490fdb, 0x00400000,
    0x0000ffff, 0x00ff00ff, 0x80008000, 0x7fff7fff,
};
static const uint64_t special64[] = {
    0, 0x8000000000000000ull, 0x3ff0000000000000ull, 0xbff0000000000000ull, 1,
    0x000fffffffffffffull, 0x0010000000000000ull, 0x7ff0000000000000ull,
    0xfff0000000000000ull, 0x7ff8000000000000ull, 0xfff8000000000001ull,
    0x7ff0000000000001ull, 0x7fefffffffffffffull, 0x43e0000000000000ull,
    0xc3e0000000000000ull, 0x41dfffffffc00000ull, 0xc1e0000000200000ull,
    0x3fe0000000000000ull, 0x400921fb54442d18ull, 0x7fffffffffffffffull,
};

static void fill_random(GRand *r, uint8_t *p, unsigned bytes)
{
    for (unsigned i = 0; i < bytes; i += 8) {
        uint64_t v;
        switch (g_rand_int_range(r, 0, 6)) {
        case 0:
            v = special64[g_rand_int_range(r, 0, G_N_ELEMENTS(special64))];
            break;
        case 1:
        case 2:
            v = special32[g_rand_int_range(r, 0, G_N_ELEMENTS(special32))] |
                (uint64_t)special32[g_rand_int_range(r, 0, G_N_ELEMENTS(special32))] << 32;
            break;
        case 3:
            /* Small numbers, for exact results and short strings. */
            v = 0;
            for (unsigned k = 0; k < 8; k++) {
                v |= (uint64_t)(g_rand_int_range(r, 0, 5) ? 0x41 + g_rand_int_range(r, 0, 4)
                                                           : 0) << (8 * k);
            }
            break;
        default:
            v = (uint64_t)g_rand_int(r) << 32 | g_rand_int(r);
            break;
        }
        memcpy(p + i, &v, 8);
    }
}

typedef void HostFn(void *data);

/* Run code (prologue, insn, epilogue) natively and in the guest on the same data. */
static bool sse_run_both(uint8_t *host_code, const uint8_t *insn, unsigned len,
                         const uint8_t *data, uint8_t *host_out, uint8_t *guest_out)
{
    unsigned n = 0;
    uint8_t code[256];

    memcpy(code, prologue, sizeof(prologue));
    n = sizeof(prologue);
    memcpy(code + n, insn, len);
    n += len;
    memcpy(code + n, epilogue, sizeof(epilogue));
    n += sizeof(epilogue);

    /* Host. */
    uint32_t saved_csr;
    __asm__ volatile("stmxcsr %0" : "=m"(saved_csr));
    memcpy(host_code, code, n);
    host_code[n] = 0xc3;
    memcpy(host_out, data, BLOCK);
    ((HostFn *)(uintptr_t)host_code)(host_out);
    __asm__ volatile("ldmxcsr %0" : : "m"(saved_csr));

    /* Guest. */
    memcpy(ram_ptr + SSE_CODE, code, n);
    ram_ptr[SSE_CODE + n] = 0xc3;
    x86_interp_invalidate_phys(SSE_CODE, n + 1);
    memcpy(ram_ptr + SSE_DATA, data, BLOCK);
    env.rip = SSE_CODE;
    env.regs[R_EDI] = SSE_DATA;
    env.regs[R_ESP] = STACK0 - 8;
    wr64(STACK0 - 8, SSE_RET);
    int v = run_to_halt();
    memcpy(guest_out, ram_ptr + SSE_DATA, BLOCK);
    /* Compare only the arithmetic flags (IF differs between host and guest). */
    for (unsigned i = 0; i < 2; i++) {
        uint8_t *out = i ? guest_out : host_out;
        uint64_t f;
        memcpy(&f, out + O_RFLAGS, 8);
        f &= CC_O | CC_S | CC_Z | CC_A | CC_P | CC_C;
        memcpy(out + O_RFLAGS, &f, 8);
    }
    return v == -1 && env.rip == SSE_RET + 1;
}

static void dump(const char *what, const uint8_t *p)
{
    printf("   %s:", what);
    for (unsigned i = 0; i < BLOCK; i += 8) {
        uint64_t v;
        memcpy(&v, p + i, 8);
        printf("%s%016" PRIx64, (i % 32) ? " " : "\n     ", v);
    }
    printf("\n");
}

static void sse_env(void)
{
    env_long64(SSE_CODE);
    env.cr[4] |= CR4_OSFXSR | CR4_OSXMMEXCPT;
    env.mxcsr = 0x1f80;
    env.fpuc = 0x37f;
    env.fptag = 0xffff;
    ram_ptr[SSE_RET] = 0xf4;
    x86_interp_invalidate_phys(SSE_RET, 1);
}

void test_sse_vs_host(void **state)
{
    uint8_t *host_code = mmap(NULL, 4096, PROT_READ | PROT_WRITE | PROT_EXEC,
                              MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (host_code == MAP_FAILED) {
        skip();
    }
    sse_env();
    GRand *r = g_rand_new_with_seed(12345);
    unsigned bad = 0, runs = 0;
    uint8_t data[BLOCK] __attribute__((aligned(16)));
    uint8_t hout[BLOCK] __attribute__((aligned(16))), gout[BLOCK];

    for (unsigned c = 0; c < G_N_ELEMENTS(sse_cases); c++) {
        unsigned case_bad = 0;
        for (unsigned it = 0; it < (strstr(sse_cases[c], "3a 4") ? 400 : 60); it++) {
            uint8_t insn[16];
            unsigned len;
            bool mem = it & 1;
            if (!sse_assemble(sse_cases[c], mem, g_rand_int(r), insn, &len)) {
                continue;
            }
            fill_random(r, data, 0x40);
            /* Rounding, DAZ, FTZ and sticky flags random; exceptions masked. */
            uint32_t csr = 0x1f80 | (g_rand_int(r) & (0x6000 | 0x8000 | 0x40 | 0x3f));
            memset(data + 0x40, 0, BLOCK - 0x40);
            memcpy(data + D_MXCSR, &csr, 4);
            fill_random(r, data + D_RCX, 24);
            if (g_rand_boolean(r)) {
                /* Lengths for the explicit-length string compares. */
                uint64_t la = g_rand_int_range(r, -20, 20), lb = g_rand_int_range(r, -20, 20);
                memcpy(data + D_RAX, &la, 8);
                memcpy(data + D_RDX, &lb, 8);
            }
            runs++;
            bool ok = sse_run_both(host_code, insn, len, data, hout, gout);
            if (!ok || memcmp(hout, gout, BLOCK)) {
                if (case_bad++ < 2 && bad < 40) {
                    printf("sse case \"%s\" (%s form)%s:\n", sse_cases[c],
                           mem ? "memory" : "register",
                           ok ? "" : " faulted");
                    dump("input", data);
                    dump("host", hout);
                    dump("interp", gout);
                }
                bad++;
            }
        }
    }
    printf("sse: %u runs, %u mismatches\n", runs, bad);
    g_rand_free(r);
    munmap(host_code, 4096);
    assert_int_equal(bad, 0);
}

/* Run bytes at SSE_CODE (a HLT appended) with RDI = SSE_DATA; the vector that halted, or -1. */
static int sse_run(const uint8_t *code, unsigned len)
{
    memcpy(ram_ptr + SSE_CODE, code, len);
    ram_ptr[SSE_CODE + len] = 0xf4;
    x86_interp_invalidate_phys(SSE_CODE, len + 1);
    env.rip = SSE_CODE;
    env.regs[R_EDI] = SSE_DATA;
    env.regs[R_ESP] = STACK0;
    return run_to_halt();
}

static const uint8_t divps[] = { 0x0f, 0x5e, 0xca };               /* divps xmm1, xmm2 */
static const uint8_t movaps_ld[] = { 0x0f, 0x28, 0x4f, 0x08 };     /* movaps xmm1, [rdi+8] */
static const uint8_t movups_ld[] = { 0x0f, 0x10, 0x4f, 0x08 };     /* movups xmm1, [rdi+8] */
static const uint8_t paddd_m[] = { 0x66, 0x0f, 0xfe, 0x4f, 0x08 };  /* paddd xmm1, [rdi+8] */
static const uint8_t ldmxcsr[] = { 0x0f, 0xae, 0x17 };             /* ldmxcsr [rdi] */
static const uint8_t fxsave[] = { 0x48, 0x0f, 0xae, 0x07 };        /* fxsave64 [rdi] */
static const uint8_t fxrstor[] = { 0x48, 0x0f, 0xae, 0x0f };       /* fxrstor64 [rdi] */
static const uint8_t fxsave_8[] = { 0x0f, 0xae, 0x47, 0x08 };      /* fxsave [rdi+8] */
static const uint8_t paddb_mm[] = { 0x0f, 0xfc, 0xdc };            /* paddb mm3, mm4 */
static const uint8_t emms[] = { 0x0f, 0x77 };
static const uint8_t xsetbv[] = { 0x0f, 0x01, 0xd1 };
static const uint8_t xgetbv[] = { 0x0f, 0x01, 0xd0 };
static const uint8_t xsave[] = { 0x0f, 0xae, 0x27 };               /* xsave [rdi] */
static const uint8_t xrstor[] = { 0x0f, 0xae, 0x2f };              /* xrstor [rdi] */

/* Unmasked exceptions, CR0/CR4 gating, alignment, reserved MXCSR bits. */
void test_sse_faults(void **state)
{
    sse_env();
    env.xmm[1].l[0] = 0x3f800000;
    env.xmm[2].l[0] = 0;                                            /* 1 / 0 */
    env.xmm[2].l[1] = env.xmm[2].l[2] = env.xmm[2].l[3] = 0x3f800000;

    /* Divide by zero unmasked: #XM, flag set, destination unchanged. */
    env.mxcsr = 0x1f80 & ~(1u << 9);
    XMMReg before = env.xmm[1];
    assert_int_equal(sse_run(divps, sizeof(divps)), 19);
    assert_true(env.mxcsr & 4);
    assert_memory_equal(&env.xmm[1], &before, 16);
    /* Without CR4.OSXMMEXCPT it is #UD. */
    env.cr[4] &= ~(uint64_t)CR4_OSXMMEXCPT;
    env.mxcsr = 0x1f80 & ~(1u << 9);
    assert_int_equal(sse_run(divps, sizeof(divps)), 6);
    env.cr[4] |= CR4_OSXMMEXCPT;
    /* Masked: the default result and the sticky flag. */
    env.mxcsr = 0x1f80;
    assert_int_equal(sse_run(divps, sizeof(divps)), -1);
    assert_int_equal(env.xmm[1].l[0], 0x7f800000);
    assert_int_equal(env.mxcsr, 0x1f84);

    /* An exact tiny result: no flag when masked, #XM (underflow) when unmasked. */
    static const uint8_t mulss[] = { 0xf3, 0x0f, 0x59, 0xca };      /* mulss xmm1, xmm2 */
    env.xmm[1].l[0] = 0x00800000;                                   /* 2^-126 */
    env.xmm[2].l[0] = 0x3f000000;                                   /* 0.5 */
    env.mxcsr = 0x1f80;
    assert_int_equal(sse_run(mulss, sizeof(mulss)), -1);
    assert_int_equal(env.xmm[1].l[0], 0x00400000);
    assert_int_equal(env.mxcsr, 0x1f80);
    env.xmm[1].l[0] = 0x00800000;
    env.mxcsr = 0x1f80 & ~(1u << 11);
    assert_int_equal(sse_run(mulss, sizeof(mulss)), 19);
    assert_int_equal(env.mxcsr & 0x3f, 0x10);
    assert_int_equal(env.xmm[1].l[0], 0x00800000);
    env.xmm[1].l[0] = 0x3f800000;
    env.xmm[2].l[0] = 0;

    /* CR0.TS: #NM; CR0.EM or no CR4.OSFXSR: #UD. */
    env.cr[0] |= CR0_TS;
    assert_int_equal(sse_run(divps, sizeof(divps)), 7);
    env.cr[0] &= ~(uint64_t)CR0_TS;
    env.cr[0] |= CR0_EM;
    assert_int_equal(sse_run(divps, sizeof(divps)), 6);
    env.cr[0] &= ~(uint64_t)CR0_EM;
    env.cr[4] &= ~(uint64_t)CR4_OSFXSR;
    assert_int_equal(sse_run(divps, sizeof(divps)), 6);
    env.cr[4] |= CR4_OSFXSR;

    /* Alignment: MOVAPS and packed arithmetic fault, MOVUPS does not. */
    assert_int_equal(sse_run(movaps_ld, sizeof(movaps_ld)), 13);
    assert_int_equal(sse_run(paddd_m, sizeof(paddd_m)), 13);
    assert_int_equal(sse_run(movups_ld, sizeof(movups_ld)), -1);

    /* LDMXCSR: reserved bits are #GP(0); DAZ is writable. */
    wr32(SSE_DATA, 0x10000 | 0x1f80);
    assert_int_equal(sse_run(ldmxcsr, sizeof(ldmxcsr)), 13);
    wr32(SSE_DATA, 0x1fc0);
    assert_int_equal(sse_run(ldmxcsr, sizeof(ldmxcsr)), -1);
    assert_int_equal(env.mxcsr, 0x1fc0);
}

/* A CPU model without XSAVE (leaf 1 ECX bit 26 clear). */
static void cpuid_no_xsave(CPUX86State *e, uint32_t leaf, uint32_t subleaf, uint32_t out[4])
{
    x86_interp_cpuid_builtin(e, leaf, subleaf, out);
    if (leaf == 1) {
        out[2] &= ~(CPUID_1_ECX_XSAVE | CPUID_1_ECX_OSXSAVE);
    } else if (leaf == 0xd) {
        memset(out, 0, 4 * sizeof(uint32_t));
    }
}

/*
 * CPUID's XSAVE leaves (SDM vol. 1, 13.2) and CR4.OSXSAVE: writable only
 * when XSAVE is advertised, and mirrored in CPUID.1:ECX.OSXSAVE.  Leaves
 * env with CR4.OSXSAVE set.
 */
static void sse_xsave_cpuid(void)
{
    /* mov rax, cr4; bts rax, 18; mov cr4, rax */
    static const uint8_t set_osxsave[] = {
        0x0f, 0x20, 0xe0, 0x48, 0x0f, 0xba, 0xe8, 0x12, 0x0f, 0x22, 0xe0,
    };
    uint32_t out[4];

    x86_interp_cpuid_builtin(&env, 1, 0, out);
    assert_true(out[2] & CPUID_1_ECX_XSAVE);
    assert_false(out[2] & CPUID_1_ECX_OSXSAVE);
    x86_interp_cpuid_builtin(&env, 0xd, 0, out);
    assert_int_equal(out[0], 3);                                    /* x87 | SSE */
    assert_int_equal(out[1], 576);
    assert_int_equal(out[2], 576);
    assert_int_equal(out[3], 0);
    x86_interp_cpuid_builtin(&env, 0xd, 1, out);
    assert_int_equal(out[0], 1);                                    /* XSAVEOPT only */
    assert_int_equal(out[1] | out[2] | out[3], 0);
    x86_interp_cpuid_builtin(&env, 0xd, 2, out);
    assert_int_equal(out[0] | out[1] | out[2] | out[3], 0);

    /* Without XSAVE in CPUID, CR4.OSXSAVE is reserved: #GP(0). */
    ctx->cpuid = cpuid_no_xsave;
    assert_int_equal(sse_run(set_osxsave, sizeof(set_osxsave)), 13);
    assert_false(env.cr[4] & CR4_OSXSAVE);
    ctx->cpuid = NULL;
    assert_int_equal(sse_run(set_osxsave, sizeof(set_osxsave)), -1);
    assert_true(env.cr[4] & CR4_OSXSAVE);
    x86_interp_cpuid_builtin(&env, 1, 0, out);
    assert_true(out[2] & CPUID_1_ECX_OSXSAVE);
}

/* FXSAVE/FXRSTOR round trip, alignment, reserved MXCSR; MMX tag effects; XSAVE. */
void test_sse_state(void **state)
{
    sse_env();
    for (unsigned i = 0; i < 16; i++) {
        for (unsigned k = 0; k < 4; k++) {
            env.xmm[i].l[k] = 0x01020304u * (i + 1) + k;
        }
    }
    env.fpus = 5u << 11;                                            /* TOP = 5 */
    env.fptag = 0xffff & ~(3u << 10);                               /* R5 valid */
    env.fpregs[5].mant = 0x8000000000000000ull;
    env.fpregs[5].sign_exp = 0x3fff;                                /* 1.0 */
    env.fpuc = 0x27f;
    env.mxcsr = 0x3f80;

    /* Misaligned: #GP(0). */
    assert_int_equal(sse_run(fxsave_8, sizeof(fxsave_8)), 13);
    assert_int_equal(sse_run(fxsave, sizeof(fxsave)), -1);
    assert_int_equal(ram_ptr[SSE_DATA] | ram_ptr[SSE_DATA + 1] << 8, 0x27f);
    assert_int_equal(ram_ptr[SSE_DATA + 4], 0x20);                  /* abridged tag */
    assert_int_equal(rd32(SSE_DATA + 24), 0x3f80);
    assert_int_equal(rd32(SSE_DATA + 28), 0xffff);
    assert_int_equal(rd64(SSE_DATA + 32), 0x8000000000000000ull);   /* ST(0) = R5 */
    assert_int_equal(rd32(SSE_DATA + 160 + 16 * 15), 0x01020304u * 16);

    CPUX86State saved = env;
    memset(env.xmm, 0, sizeof(env.xmm));
    env.fptag = 0xffff;
    env.fpus = 0;
    env.mxcsr = 0x1f80;
    assert_int_equal(sse_run(fxrstor, sizeof(fxrstor)), -1);
    assert_memory_equal(env.xmm, saved.xmm, sizeof(env.xmm));
    assert_int_equal(env.fptag, saved.fptag);
    assert_int_equal(env.fpus, saved.fpus);
    assert_int_equal(env.mxcsr, 0x3f80);
    /* A reserved MXCSR bit in the image: #GP(0), nothing loaded. */
    wr32(SSE_DATA + 24, 0x80000000u | 0x1f80);
    env.mxcsr = 0x1f80;
    assert_int_equal(sse_run(fxrstor, sizeof(fxrstor)), 13);
    assert_int_equal(env.mxcsr, 0x1f80);

    /* MMX: all tags valid and TOP = 0; EMMS empties them. */
    assert_int_equal(sse_run(paddb_mm, sizeof(paddb_mm)), -1);
    assert_int_equal(env.fptag, 0);
    assert_int_equal((env.fpus >> 11) & 7, 0);
    assert_int_equal(env.fpregs[3].sign_exp, 0xffff);
    assert_int_equal(sse_run(emms, sizeof(emms)), -1);
    assert_int_equal(env.fptag, 0xffff);

    /* XSAVE family: #UD without CR4.OSXSAVE; XSETBV checks; round trip; init state. */
    assert_int_equal(sse_run(xgetbv, sizeof(xgetbv)), 6);
    assert_int_equal(sse_run(xsave, sizeof(xsave)), 6);
    assert_int_equal(sse_run(xrstor, sizeof(xrstor)), 6);
    sse_xsave_cpuid();
    env.xcr0 = 1;
    env.regs[R_ECX] = 0;
    env.regs[R_EDX] = 0;
    env.regs[R_EAX] = 2;                                            /* SSE without x87 */
    assert_int_equal(sse_run(xsetbv, sizeof(xsetbv)), 13);
    env.regs[R_EAX] = 7;                                            /* AVX: unsupported */
    assert_int_equal(sse_run(xsetbv, sizeof(xsetbv)), 13);
    env.regs[R_EAX] = 3;
    env.regs[R_ECX] = 1;                                            /* no XCR1 */
    assert_int_equal(sse_run(xsetbv, sizeof(xsetbv)), 13);
    env.regs[R_ECX] = 0;
    env.regs[R_EDX] = 1;                                            /* bit 32 */
    assert_int_equal(sse_run(xsetbv, sizeof(xsetbv)), 13);
    env.regs[R_EDX] = 0;
    assert_int_equal(env.xcr0, 1);
    env.regs[R_EAX] = 3;
    assert_int_equal(sse_run(xsetbv, sizeof(xsetbv)), -1);
    env.regs[R_EAX] = 0;
    assert_int_equal(sse_run(xgetbv, sizeof(xgetbv)), -1);
    assert_int_equal(env.regs[R_EAX], 3);
    memset(ram_ptr + SSE_DATA, 0, 1024);
    env.regs[R_EAX] = ~0u;
    env.regs[R_EDX] = ~0u;
    env.xmm[7].q[0] = 0x1234;
    env.mxcsr = 0x1f81;
    assert_int_equal(sse_run(xsave, sizeof(xsave)), -1);
    assert_int_equal(rd64(SSE_DATA + 512), 3);
    env.xmm[7].q[0] = 0;
    env.mxcsr = 0x1f80;
    assert_int_equal(sse_run(xrstor, sizeof(xrstor)), -1);
    assert_int_equal(env.xmm[7].q[0], 0x1234);
    assert_int_equal(env.mxcsr, 0x1f81);
    wr64(SSE_DATA + 512, 0);                                        /* XSTATE_BV: init */
    assert_int_equal(sse_run(xrstor, sizeof(xrstor)), -1);
    assert_int_equal(env.xmm[7].q[0], 0);
    assert_int_equal(env.fptag, 0xffff);
    assert_int_equal(env.fpuc, 0x37f);
    wr64(SSE_DATA + 512, 4);                                        /* not in XCR0: #GP */
    assert_int_equal(sse_run(xrstor, sizeof(xrstor)), 13);
}

/* 32-bit protected mode: the 32-bit FXSAVE format (FCS, FDS, 8 xmm registers). */
void test_sse_prot32(void **state)
{
    static const uint8_t code[] = {
        0x0f, 0xae, 0x07,                       /* fxsave [edi] */
        0x66, 0x0f, 0xfe, 0x4f, 0x10,           /* paddd xmm1, [edi+0x10] */
        0x0f, 0x28, 0x57, 0x20,                 /* movaps xmm2, [edi+0x20] */
    };
    env_prot32(SSE_CODE);
    env.cr[4] |= CR4_OSFXSR | CR4_OSXMMEXCPT;
    env.mxcsr = 0x1f80;
    env.fptag = 0xffff;
    env.fpcs = 0x1234;
    env.fpip = 0xfedcba9876543210ull;
    env.xmm[8].q[0] = 0x5555;
    memset(ram_ptr + SSE_DATA, 0xee, 512);
    env.xmm[1].l[0] = 5;
    assert_int_equal(sse_run(code, sizeof(code)), -1);
    assert_int_equal(rd32(SSE_DATA + 8), 0x76543210);
    assert_int_equal(rd32(SSE_DATA + 12), 0x1234);
    assert_int_equal(rd32(SSE_DATA + 160 + 16 * 8), 0xeeeeeeee);   /* no xmm8 */
    /* The memory operands read the image FXSAVE just wrote. */
    assert_int_equal(env.xmm[1].l[0], 5 + rd32(SSE_DATA + 0x10));
    assert_int_equal(env.xmm[2].q[0], rd64(SSE_DATA + 0x20));
}
