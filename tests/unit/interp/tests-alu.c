/*
 * The ALU against the host CPU: alu.asm runs once natively (it is
 * position-independent 64-bit user code) and once under the interpreter
 * in long mode; every record must match, except what the SDM leaves
 * undefined: add, adc, sub, sbb, and, or, xor, cmp, test, inc, dec, neg,
 * not, the shifts and rotates, shld/shrd, mul/imul, bt*, bsf/bsr, xadd,
 * and the 16 conditions after a selection of them, over edge operands.
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

#define ALU_LOAD    0x400000
#define ALU_AREA    (8u << 20)

enum {
    K_AND = 4, K_OR = 5, K_XOR = 6, K_TEST = 8, K_ROL = 13, K_RCR = 16, K_SHL = 17,
    K_SHR = 18, K_SAR = 19, K_SHLD = 20, K_SHRD = 21, K_MUL = 22, K_IMUL3 = 32,
    K_BT = 25, K_BTC = 28, K_BSF = 29, K_BSR = 30, K_COND = 31,
};

#define FLAGS_OSZAPC (CC_O | CC_S | CC_Z | CC_A | CC_P | CC_C)

/*
 * The flags a record may be compared on; false if nothing in it is defined
 * (SHLD/SHRD beyond the operand size).  *check_result is false when the
 * destination is undefined (BSF/BSR of zero).
 */
static bool alu_defined(const uint64_t *rec, uint64_t *fmask, bool *check_result)
{
    unsigned op = rec[2] >> 4, sz = rec[2] & 3, bits = 8u << sz;
    unsigned count = rec[3] & (sz == 3 ? 63 : 31);

    *fmask = FLAGS_OSZAPC;
    *check_result = true;
    if (op == K_AND || op == K_OR || op == K_XOR || op == K_TEST) {
        *fmask &= ~(uint64_t)CC_A;
    } else if (op >= K_ROL && op <= K_SAR) {
        if (count != 0) {
            if (count != 1) {
                *fmask &= ~(uint64_t)CC_O;
            }
            if (op >= K_SHL) {
                *fmask &= ~(uint64_t)CC_A;
                if (op != K_SAR && count >= bits) {
                    *fmask &= ~(uint64_t)CC_C;
                }
            }
        }
    } else if (op == K_SHLD || op == K_SHRD) {
        if (count > bits) {
            return false;
        }
        if (count != 0) {
            *fmask &= ~(uint64_t)CC_A;
            if (count != 1) {
                *fmask &= ~(uint64_t)CC_O;
            }
        }
    } else if ((op >= K_MUL && op <= K_MUL + 2) || op == K_IMUL3) {
        *fmask = CC_C | CC_O;
    } else if (op >= K_BT && op <= K_BTC) {
        *fmask = CC_C;
    } else if (op == K_BSF || op == K_BSR) {
        *fmask = CC_Z;
        *check_result = (rec[3] & ((2ull << (bits - 1)) - 1)) != 0;
    }
    return true;
}

void test_alu_vs_host(void **state)
{
    g_autofree char *path = g_strdup_printf("%s/alu.bin", INTERP_BIN_DIR);
    g_autofree char *image = NULL;
    gsize len;

    assert_true(g_file_get_contents(path, &image, &len, NULL));
    uint8_t *host = mmap(NULL, ALU_AREA, PROT_READ | PROT_WRITE | PROT_EXEC,
                         MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (host == MAP_FAILED) {
        skip();
    }
    memcpy(host, image, len);
    uint64_t (*alu_native)(void) = (uint64_t (*)(void))(uintptr_t)host;
    uint64_t nbytes = alu_native();
    assert_true(nbytes > 0 && len + nbytes <= ALU_AREA);

    load_bin("alu", ALU_LOAD);
    env_long64(ALU_LOAD);
    ram_ptr[0x110000] = 0xf4;                           /* the return address: HLT */
    x86_interp_invalidate_phys(0x110000, 1);
    wr64(STACK0 - 8, 0x110000);
    env.regs[R_ESP] = STACK0 - 8;
    assert_int_equal(run_to_halt(), -1);
    assert_int_equal(env.rip, 0x110001);
    assert_int_equal(env.regs[R_EAX], nbytes);

    unsigned bad = 0, n = nbytes / 32;
    for (unsigned i = 0; i < n; i++) {
        const uint64_t *h = (const uint64_t *)(host + len + 32 * i);
        const uint64_t *g = (const uint64_t *)(ram_ptr + ALU_LOAD + len + 32 * i);
        uint64_t fmask;
        bool check_result, ok;

        assert_int_equal(h[2], g[2]);
        if (!alu_defined(h, &fmask, &check_result)) {
            continue;
        }
        if ((h[2] >> 4) == K_COND) {
            ok = h[0] == g[0] && h[1] == g[1] && h[3] == g[3];
        } else {
            ok = (!check_result || h[0] == g[0]) && ((h[1] ^ g[1]) & fmask) == 0 &&
                 h[3] == g[3];
        }
        if (!ok && bad++ < 20) {
            printf("alu record %u: kind op %u size %u aux 0x%" PRIx64 "\n"
                   "   host   result 0x%016" PRIx64 " flags 0x%03" PRIx64 "\n"
                   "   interp result 0x%016" PRIx64 " flags 0x%03" PRIx64 " (mask 0x%03" PRIx64
                   ")\n", i, (unsigned)(h[2] >> 4), (unsigned)(h[2] & 3), h[3], h[0],
                   h[1] & 0xfff, g[0], g[1] & 0xfff, fmask);
        }
    }
    printf("alu: %u records compared, %u mismatches\n", n, bad);
    munmap(host, ALU_AREA);
    assert_int_equal(bad, 0);
}
