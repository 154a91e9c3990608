/*
 * Regression cases from booting Linux under the interpreter (issue 8).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "tests/unit/interp/harness.h"

/*
 * The x86-64 kernel's verify_cpu wants FPU PSE TSC MSR PAE CX8 CMOV FXSR SSE
 * SSE2 and LM; the hypervisor bit keeps it off bare-metal probes (AMD C1E
 * MSR 0xc0010055, the PMU's MSRs) that the interpreter does not implement.
 */
void test_cpuid_linux_baseline(void **state)
{
    static const unsigned edx1[] = { 0, 3, 4, 5, 6, 8, 15, 24, 25, 26 };
    uint32_t out[4];

    x86_interp_cpuid_builtin(NULL, 1, 0, out);
    for (size_t i = 0; i < sizeof(edx1) / sizeof(edx1[0]); i++) {
        assert_true(out[3] & (1u << edx1[i]));
    }
    assert_true(out[2] & (1u << 31));
    x86_interp_cpuid_builtin(NULL, 0x80000001, 0, out);
    assert_true(out[3] & (1u << 29));
}
