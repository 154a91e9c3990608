/*
 * The x87 under the interpreter: x87.asm runs natively and in long mode
 * and its records (FNSAVE images, stores, status words, FCOMI flags) must
 * match byte for byte; then the system side in 32-bit protected mode:
 * #NM, #MF with CR0.NE=1, FERR# with CR0.NE=0, FNSTENV's pointers and
 * formats, and FNSAVE/FRSTOR in 16-bit form.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <cmocka.h>

#include "tests/unit/interp/harness.h"

#define X87_LOAD    0x400000
#define X87_AREA    (1u << 20)

void test_x87_vs_host(void **state)
{
    g_autofree char *path = g_strdup_printf("%s/x87.bin", INTERP_BIN_DIR);
    g_autofree char *image = NULL;
    gsize len;

    assert_true(g_file_get_contents(path, &image, &len, NULL));
    uint8_t *host = mmap(NULL, X87_AREA, PROT_READ | PROT_WRITE | PROT_EXEC,
                         MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (host == MAP_FAILED) {
        skip();
    }
    memcpy(host, image, len);
    uint64_t (*x87_native)(void) = (uint64_t (*)(void))(uintptr_t)host;
    uint64_t nbytes = x87_native();
    assert_true(nbytes > 0 && len + nbytes <= X87_AREA);

    load_bin("x87", X87_LOAD);
    env_long64(X87_LOAD);
    env.cr[0] |= CR0_NE | CR0_MP;
    ram_ptr[0x110000] = 0xf4;                           /* the return address: HLT */
    x86_interp_invalidate_phys(0x110000, 1);
    wr64(STACK0 - 8, 0x110000);
    env.regs[R_ESP] = STACK0 - 8;
    assert_int_equal(run_to_halt(), -1);
    assert_int_equal(env.rip, 0x110001);
    assert_int_equal(env.regs[R_EAX], nbytes);

    const uint8_t *h = host + len, *g = ram_ptr + X87_LOAD + len;
    unsigned bad = 0;
    for (unsigned off = 0; off < nbytes; off += 16) {
        if (memcmp(h + off, g + off, 16) != 0 && bad++ < 20) {
            printf("x87 record bytes %u..%u differ\n  host:", off, off + 15);
            for (int i = 0; i < 16; i++) {
                printf(" %02x", h[off + i]);
            }
            printf("\n  kemu:");
            for (int i = 0; i < 16; i++) {
                printf(" %02x", g[off + i]);
            }
            printf("\n");
        }
    }
    printf("x87: %" PRIu64 " bytes of records compared, %u lines differ\n", nbytes, bad);
    munmap(host, X87_AREA);
    assert_int_equal(bad, 0);
}

/* ---- Protected mode: faults, FERR#, environment formats -------------------------------- */

static int ferr_level = -1, ferr_calls;

static void ferr_hook(void *opaque, bool level)
{
    ferr_level = level;
    ferr_calls++;
}

/* Run code at 0x110000 (then a HLT) from the current state; env_prot32() first. */
static int run_code32(const uint8_t *code, size_t len)
{
    env.rip = 0x110000;
    memcpy(ram_ptr + 0x110000, code, len);
    ram_ptr[0x110000 + len] = 0xf4;
    x86_interp_invalidate_phys(0x110000, len + 1);
    return run_to_halt();
}

void test_x87_system(void **state)
{
    /* fninit; fnstsw ax; fnstcw [R]; hlt: the kernel's probe. */
    static const uint8_t probe[] = {
        0xdb, 0xe3, 0xdf, 0xe0, 0xd9, 0x3d, R & 0xff, (R >> 8) & 0xff, R >> 16, 0,
    };
    /* fninit; fldcw [R+16]; fld1; fldz; fdivp; fwait; */
    static const uint8_t zdiv[] = {
        0xdb, 0xe3,
        0xd9, 0x2d, (R + 16) & 0xff, ((R + 16) >> 8) & 0xff, (R + 16) >> 16, 0,
        0xd9, 0xe8, 0xd9, 0xee, 0xde, 0xf9, 0x9b,
    };
    /* fnstenv [R+32]; o16 fnstenv [R+64]; fnclex; fwait */
    static const uint8_t stenv[] = {
        0xd9, 0x35, (R + 32) & 0xff, ((R + 32) >> 8) & 0xff, (R + 32) >> 16, 0,
        0x66, 0xd9, 0x35, (R + 64) & 0xff, ((R + 64) >> 8) & 0xff, (R + 64) >> 16, 0,
        0xdb, 0xe2, 0x9b,
    };
    /* fld1; o16 fnsave [R+128]; fldz; o16 frstor [R+128]; fstp dword [R+240] */
    static const uint8_t save16[] = {
        0xd9, 0xe8,
        0x66, 0xdd, 0x35, (R + 128) & 0xff, ((R + 128) >> 8) & 0xff, (R + 128) >> 16, 0,
        0xd9, 0xee,
        0x66, 0xdd, 0x25, (R + 128) & 0xff, ((R + 128) >> 8) & 0xff, (R + 128) >> 16, 0,
        0xd9, 0x1d, (R + 240) & 0xff, ((R + 240) >> 8) & 0xff, (R + 240) >> 16, 0,
    };

    env_prot32(0x110000);
    env.regs[R_EAX] = 0x12345678;
    env.fpus = 0xffff;
    assert_int_equal(run_code32(probe, sizeof(probe)), -1);
    assert_int_equal(env.regs[R_EAX], 0x12340000);
    assert_int_equal(rd32(R) & 0xffff, 0x037f);

    /* CR0.EM and CR0.TS: #NM; WAIT is #NM only with MP and TS. */
    env_prot32(0x110000);
    env.cr[0] |= CR0_EM;
    assert_int_equal(run_code32(probe, sizeof(probe)), 7);    /* #NM */
    env_prot32(0x110000);
    env.cr[0] |= CR0_TS;
    assert_int_equal(run_code32(probe, sizeof(probe)), 7);    /* #NM */
    static const uint8_t wait[] = { 0x9b };
    env_prot32(0x110000);
    env.cr[0] |= CR0_TS;
    assert_int_equal(run_code32(wait, 1), -1);
    env_prot32(0x110000);
    env.cr[0] |= CR0_TS | CR0_MP;
    assert_int_equal(run_code32(wait, 1), 7);    /* #NM */

    /* An unmasked divide by zero: #MF at the next waiting instruction with NE=1. */
    wr32(R + 16, 0x037b);
    env_prot32(0x110000);
    env.cr[0] |= CR0_NE;
    assert_int_equal(run_code32(zdiv, sizeof(zdiv)), 16);   /* #MF */
    assert_int_equal(env.fpus & 0x8084, 0x8084);                 /* B, ES, ZE */
    assert_int_equal(rd32((uint32_t)env.regs[R_ESP]), 0x110000 + sizeof(zdiv) - 1);  /* FWAIT */

    /* NE=1: FERR# stays quiet; a non-waiting instruction does not fault, the next waiting one does. */
    static const uint8_t zdiv_nowait[] = {
        0xdb, 0xe3,
        0xd9, 0x2d, (R + 16) & 0xff, ((R + 16) >> 8) & 0xff, (R + 16) >> 16, 0,
        0xd9, 0xe8, 0xd9, 0xee, 0xde, 0xf9, 0xdf, 0xe0,     /* ...; fdivp; fnstsw ax */
    };
    static const uint8_t fld1_fwait_fadd[] = { 0xd9, 0xe8, 0x9b, 0xd8, 0xc0 };
    ctx->ferr = ferr_hook;
    ferr_calls = 0;
    env_prot32(0x110000);
    env.cr[0] |= CR0_NE;
    assert_int_equal(run_code32(zdiv_nowait, sizeof(zdiv_nowait)), -1);
    assert_int_equal(env.regs[R_EAX] & 0x8084, 0x8084);
    assert_int_equal(run_code32(fld1_fwait_fadd, sizeof(fld1_fwait_fadd)), 16);    /* #MF */
    assert_int_equal(rd32((uint32_t)env.regs[R_ESP]), 0x110000);                    /* FLD1 */
    assert_int_equal(ferr_calls, 0);

    /* With NE=0: FERR# goes to the board's hook once, execution goes on past waiting insns. */
    ferr_level = -1;
    ferr_calls = 0;
    env_prot32(0x110000);
    env.fpus = 0;                               /* FNINIT then has nothing to clear */
    assert_int_equal(run_code32(zdiv, sizeof(zdiv)), -1);
    assert_int_equal(ferr_level, 1);
    assert_int_equal(ferr_calls, 1);
    assert_int_equal(run_code32(fld1_fwait_fadd, sizeof(fld1_fwait_fadd)), -1);
    assert_int_equal(ferr_level, 1);
    assert_int_equal(ferr_calls, 1);
    assert_true(env.fpus & 0x8000);                                  /* still pending */
    /* Back to the state the FNSTENV checks below expect: just the FDIVP. */
    env_prot32(0x110000);
    assert_int_equal(run_code32(zdiv, sizeof(zdiv)), -1);
    assert_int_equal(ferr_level, 1);

    /* FNSTENV: 32-bit layout with FIP/FCS/FOP of the FDIVP, 16-bit layout; FNCLEX drops FERR#. */
    assert_int_equal(run_code32(stenv, sizeof(stenv)), -1);
    assert_int_equal(ferr_level, 0);
    assert_int_equal(rd32(R + 32) & 0xffff, 0x037b);
    assert_int_equal(rd32(R + 32 + 12), 0x11000c);                   /* FIP: the FDIVP */
    assert_int_equal(rd32(R + 32 + 16), SEL_CODE32 | (0x6f9u << 16)); /* FCS, FOP de f9 */
    assert_int_equal(rd32(R + 64) & 0xffff, 0x037f);                 /* masked by the first */
    assert_int_equal((rd32(R + 64 + 6) & 0xffff), 0x000c);           /* 16-bit FIP */
    ctx->ferr = NULL;

    /* 16-bit FNSAVE/FRSTOR round trip. */
    assert_int_equal(run_code32(save16, sizeof(save16)), -1);
    assert_int_equal(rd32(R + 240), 0x3f800000);
    assert_int_equal(rd32(R + 128) & 0xffff, 0x037f);
}
