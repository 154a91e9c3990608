/*
 * Random bytes as code, in 32-bit and 64-bit mode, at CPL 0 and CPL 3:
 * whatever they do (fault, write over the tables, loop, halt, reset), the
 * interpreter must end the run cleanly, with ASan and UBSan quiet.
 * KEMU_INTERP_FUZZ_SEEDS sets the number of seeds.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "tests/unit/interp/harness.h"

#define FUZZ_CODE   0x110000
#define FUZZ_LEN    4096

void test_random_code(void **state)
{
    const char *env_seeds = g_getenv("KEMU_INTERP_FUZZ_SEEDS");
    unsigned seeds = env_seeds ? atoi(env_seeds) : 2000;
    unsigned exits[X86_EXIT_RESET + 1] = { 0 };

    for (unsigned seed = 0; seed < seeds; seed++) {
        GRand *rand = g_rand_new_with_seed(seed);
        bool long_mode = seed & 1, user = seed & 2;

        /* The tables and stubs come back each time: the last seed may have written anywhere. */
        memset(ram_ptr, 0, 0x20000);
        memset(&env, 0, sizeof(env));
        if (long_mode) {
            env_long64(FUZZ_CODE);
        } else {
            env_prot32(FUZZ_CODE);
            if (seed & 4) {
                paging32();
            }
        }
        if (user) {
            seg_set(R_CS, long_mode ? SEL_UCODE64 : SEL_UCODE32);
            seg_set(R_SS, SEL_UDATA);
            seg_set(R_DS, SEL_UDATA);
            seg_set(R_ES, SEL_UDATA);
            env.regs[R_ESP] = STACK3;
        }
        for (int r = 0; r < CPU_NB_REGS; r++) {
            if (r != R_ESP) {
                env.regs[r] = (seed & 8) ? g_rand_int(rand) & 0x3fffff
                                         : ((uint64_t)g_rand_int(rand) << 32) | g_rand_int(rand);
            }
        }
        for (unsigned i = 0; i < FUZZ_LEN; i += 4) {
            wr32(FUZZ_CODE + i, g_rand_int(rand));
        }
        x86_interp_invalidate_phys(FUZZ_CODE, FUZZ_LEN);
        x86_interp_env_changed(ctx);
        ctx->budget = 20000;
        int r = x86_interp_run(&env, ctx);
        assert_true(r >= X86_EXIT_HALT && r <= X86_EXIT_RESET);
        exits[r]++;
        g_rand_free(rand);
    }
    printf("random code: %u seeds: %u halt, %u slice, %u reset, %u other\n", seeds,
           exits[X86_EXIT_HALT], exits[X86_EXIT_SLICE], exits[X86_EXIT_RESET],
           exits[X86_EXIT_INTERRUPT_WINDOW] + exits[X86_EXIT_REQUEST]);
    /* Leave the decoded-code cache and the TLB clean for the next tests. */
    x86_interp_flush_all();
}
