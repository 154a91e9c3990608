/*
 * Tests of the x86 interpreter (target-i386/interp): guest code assembled
 * from tests/unit/interp/ (nasm) runs from RAM mapped in the system address
 * space, in real, protected and long mode; the tests check registers,
 * flags, memory and faults.  The ALU test runs the same 64-bit code on the
 * host CPU and compares.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <cmocka.h>

#include "target-i386/interp/interp.h"
#include "system/memory.h"
#include "system/timer.h"
#include "tests/unit/interp/harness.h"

static MemoryRegion ram, port_mr, mmio_mr;
uint8_t *ram_ptr;
CPUX86State env;
X86InterpCtx *ctx;

/* ---- Devices: a port block at 0xe0 and an MMIO page -------------------------------- */

TestPort port;

static uint64_t port_read(void *opaque, hwaddr addr, unsigned size)
{
    uint64_t v = 0;
    for (unsigned i = 0; i < size; i++) {
        v |= (uint64_t)port.regs[(addr + i) & 15] << (8 * i);
    }
    return v;
}

static void port_write(void *opaque, hwaddr addr, uint64_t val, unsigned size)
{
    if (addr == 8 && port.nout < sizeof(port.out)) {
        port.out[port.nout++] = val;
    }
    for (unsigned i = 0; i < size; i++) {
        port.regs[(addr + i) & 15] = val >> (8 * i);
    }
}

static const MemoryRegionOps port_ops = {
    .read = port_read,
    .write = port_write,
    .valid = { .min_access_size = 1, .max_access_size = 4 },
};

uint8_t mmio_regs[4096];

static uint64_t mmio_read(void *opaque, hwaddr addr, unsigned size)
{
    uint64_t v = 0;
    memcpy(&v, mmio_regs + addr, size);
    return v;
}

static void mmio_write(void *opaque, hwaddr addr, uint64_t val, unsigned size)
{
    memcpy(mmio_regs + addr, &val, size);
}

static const MemoryRegionOps mmio_ops = {
    .read = mmio_read,
    .write = mmio_write,
    .valid = { .min_access_size = 1, .max_access_size = 8, .unaligned = true },
};

/* ---- Guest memory helpers ------------------------------------------------------------ */

uint32_t rd32(uint64_t addr)
{
    uint32_t v;
    memcpy(&v, ram_ptr + addr, 4);
    return v;
}

uint64_t rd64(uint64_t addr)
{
    uint64_t v;
    memcpy(&v, ram_ptr + addr, 8);
    return v;
}

void wr32(uint64_t addr, uint32_t v)
{
    memcpy(ram_ptr + addr, &v, 4);
}

void wr64(uint64_t addr, uint64_t v)
{
    memcpy(ram_ptr + addr, &v, 8);
}

uint8_t pattern(unsigned i)
{
    return i * 13 + 1;
}

void load_bin(const char *name, uint64_t addr)
{
    g_autofree char *path = g_strdup_printf("%s/%s.bin", INTERP_BIN_DIR, name);
    g_autofree char *data = NULL;
    gsize len;

    assert_true(g_file_get_contents(path, &data, &len, NULL));
    assert_true(addr + len <= RAM_SIZE);
    memcpy(ram_ptr + addr, data, len);
    /* The test wrote RAM behind the guest's back, as a loader would. */
    x86_interp_invalidate_phys(addr, len);
}

/* ---- Descriptor tables --------------------------------------------------------------- */

void gdt_set(int idx, uint32_t base, uint32_t limit, uint32_t flags)
{
    uint32_t lo = (limit & 0xffff) | (base << 16);
    uint32_t hi = ((base >> 16) & 0xff) | (flags & 0x00f0ff00u) | (limit & 0xf0000) |
                  (base & 0xff000000u);
    wr32(GDT_BASE + idx * 8, lo);
    wr32(GDT_BASE + idx * 8 + 4, hi);
}

void seg_set(int seg, uint16_t sel)
{
    uint32_t lo = rd32(GDT_BASE + (sel & ~7)), hi = rd32(GDT_BASE + (sel & ~7) + 4);
    SegmentCache *c = &env.segs[seg];
    c->selector = sel;
    c->base = (lo >> 16) | ((hi & 0xff) << 16) | (hi & 0xff000000u);
    c->limit = (lo & 0xffff) | (hi & 0xf0000);
    if (hi & DESC_G_MASK) {
        c->limit = (c->limit << 12) | 0xfff;
    }
    c->flags = hi & 0x00f0ff00u;
}

void idt_gate32(int v, uint32_t off, uint16_t sel, unsigned dpl)
{
    wr32(IDT_BASE + v * 8, (off & 0xffff) | ((uint32_t)sel << 16));
    wr32(IDT_BASE + v * 8 + 4, (off & 0xffff0000u) | DESC_P_MASK | (dpl << 13) | (0xe << 8));
}

void idt_gate64(int v, uint64_t off, uint16_t sel, unsigned dpl, unsigned ist)
{
    wr32(IDT_BASE + v * 16, (off & 0xffff) | ((uint32_t)sel << 16));
    wr32(IDT_BASE + v * 16 + 4, (off & 0xffff0000u) | DESC_P_MASK | (dpl << 13) | (0xe << 8) |
         ist);
    wr32(IDT_BASE + v * 16 + 8, off >> 32);
    wr32(IDT_BASE + v * 16 + 12, 0);
}

/* The GDT, the HLT stubs, the TSS with its I/O bitmap (ports 0xe0-0xe3 open). */
void build_tables(bool long_mode)
{
    gdt_set(1, 0, 0xfffff, F_CODE | DESC_B_MASK | DESC_G_MASK);
    gdt_set(2, 0, 0xfffff, F_DATA | DESC_B_MASK | DESC_G_MASK);
    gdt_set(3, CODE, 0xffff, F_CODE);
    gdt_set(4, 0, 0xffff, F_DATA);
    gdt_set(5, 0, 0xfffff, F_CODE | DESC_L_MASK | DESC_G_MASK);
    gdt_set(6, 0, 0xfff, F_DATA | DESC_B_MASK);
    gdt_set(7, 0, 0xfff, F_DATA | DESC_E_MASK | DESC_B_MASK);
    gdt_set(8, 0, 0xfffff, F_CODE | DESC_B_MASK | DESC_G_MASK | DPL3);
    gdt_set(9, 0, 0xfffff, F_DATA | DESC_B_MASK | DESC_G_MASK | DPL3);
    gdt_set(10, 0, 0xfffff, F_CODE | DESC_L_MASK | DESC_G_MASK | DPL3);
    gdt_set(11, TSS_BASE, 0x88, DESC_P_MASK | (11u << 8));     /* busy TSS */
    wr64(GDT_BASE + 12 * 8, 0);                                  /* TSS base 63:32 */
    gdt_set(13, 0, 0xfffff, (F_DATA & ~DESC_W_MASK) | DESC_B_MASK | DESC_G_MASK);
    gdt_set(14, 0, 0xfff, F_DATA | DESC_E_MASK | DESC_B_MASK | DPL3);
    env.gdt.base = GDT_BASE;
    wr64(GDT_BASE + 15 * 8, 0);                                  /* for a test's call gate */
    env.gdt.limit = 16 * 8 - 1;

    for (int v = 0; v < 256; v++) {
        ram_ptr[STUB_BASE + 16 * v] = 0xf4;                     /* HLT */
        unsigned dpl = (v == 3 || v == 4 || v == 0x80) ? 3 : 0;
        if (long_mode) {
            idt_gate64(v, STUB_BASE + 16 * v, SEL_CODE64, dpl, 0);
        } else {
            idt_gate32(v, STUB_BASE + 16 * v, SEL_CODE32, dpl);
        }
    }
    if (!long_mode) {
        idt_gate32(0x40, CODE + 11 * 0x200 + 0x100, SEL_CODE32, 0);
    }
    env.idt.base = IDT_BASE;
    env.idt.limit = long_mode ? 256 * 16 - 1 : 256 * 8 - 1;

    if (long_mode) {
        wr64(TSS_BASE + 4, STACK0);                             /* RSP0 */
        wr64(TSS_BASE + 36, IST1_STACK);                        /* IST1 */
    } else {
        wr32(TSS_BASE + 4, STACK0);                             /* ESP0 */
        wr32(TSS_BASE + 8, SEL_DATA32);                         /* SS0 */
    }
    ram_ptr[TSS_BASE + 0x66] = 0x68;                            /* I/O bitmap at +0x68 */
    memset(ram_ptr + TSS_BASE + 0x68, 0xff, 0x21);
    ram_ptr[TSS_BASE + 0x68 + 0xe0 / 8] = 0xf0;
    env.tr.selector = SEL_TSS;
    env.tr.base = TSS_BASE;
    env.tr.limit = 0x88;
    env.tr.flags = DESC_P_MASK | (11u << 8);
}

void env_prot32(uint32_t eip)
{
    build_tables(false);
    env.cr[0] = CR0_PE | CR0_ET;
    seg_set(R_CS, SEL_CODE32);
    for (int s = 0; s < CPU_NB_SEGS; s++) {
        if (s != R_CS) {
            seg_set(s, SEL_DATA32);
        }
    }
    env.regs[R_ESP] = STACK0;
    env.rip = eip;
    env.eflags = 2;
    env.mp_state = X86_MP_RUNNABLE;
}

/* 32-bit paging: 4-KiB pages for the first 4 MiB, 4-MiB pages up to 16 MiB and for MMIO. */
void paging32(void)
{
    for (uint32_t i = 0; i < 1024; i++) {
        wr32(PT32_PT + 4 * i, (i << 12) | 7);
    }
    wr32(PT32_PD, PT32_PT | 7);
    for (uint32_t i = 1; i < 4; i++) {
        wr32(PT32_PD + 4 * i, (i << 22) | 0x87);
    }
    wr32(PT32_PD + 4 * (MMIO_BASE >> 22), MMIO_BASE | 0x83);
    env.cr[3] = PT32_PD;
    env.cr[4] |= CR4_PSE;
    env.cr[0] |= CR0_PG | CR0_WP;
}

/* 4-level paging: 4-KiB pages for the first 2 MiB, 2-MiB pages to 1 GiB, MMIO. */
void paging64(void)
{
    wr64(PML4, PDPT | 7);
    wr64(PDPT, PD64 | 7);
    wr64(PDPT + 3 * 8, PD64_HIGH | 7);
    wr64(PD64, PT64 | 7);
    for (uint64_t i = 1; i < 512; i++) {
        wr64(PD64 + 8 * i, (i << 21) | 0x87);
    }
    for (uint64_t i = 0; i < 512; i++) {
        wr64(PT64 + 8 * i, (i << 12) | 7);
    }
    wr64(PD64_HIGH + 8 * ((MMIO_BASE >> 21) & 511), MMIO_BASE | 0x83);
    env.cr[3] = PML4;
}

void env_long64(uint64_t rip)
{
    build_tables(true);
    paging64();
    env.cr[0] = CR0_PE | CR0_ET | CR0_PG | CR0_WP;
    env.cr[4] = CR4_PAE;
    env.efer = EFER_LME | EFER_LMA | EFER_NXE | EFER_SCE;
    seg_set(R_CS, SEL_CODE64);
    for (int s = 0; s < CPU_NB_SEGS; s++) {
        if (s != R_CS) {
            seg_set(s, SEL_DATA32);
        }
    }
    env.tr.limit = 0x67;
    env.tr.flags = DESC_P_MASK | (11u << 8);
    env.regs[R_ESP] = STACK0;
    env.rip = rip;
    env.eflags = 2;
    env.mp_state = X86_MP_RUNNABLE;
}

void env_real(uint16_t cs, uint16_t ip)
{
    for (int v = 0; v < 256; v++) {
        ram_ptr[RSTUB_BASE + v] = 0xf4;
        wr32(v * 4, RSTUB_BASE + v);                            /* 0000:stub */
    }
    env.cr[0] = CR0_ET;
    for (int s = 0; s < CPU_NB_SEGS; s++) {
        env.segs[s] = (SegmentCache){ 0, 0, 0xffff, F_DATA };
    }
    env.segs[R_CS] = (SegmentCache){ cs, (uint32_t)cs << 4, 0xffff, F_CODE };
    env.idt.base = 0;
    env.idt.limit = 0x3ff;
    env.regs[R_ESP] = 0x7000;
    env.rip = ip;
    env.eflags = 2;
    env.mp_state = X86_MP_RUNNABLE;
}

/* ---- Running ---------------------------------------------------------------------------- */

int run_guest(void)
{
    x86_interp_env_changed(ctx);
    ctx->budget = 100 * 1000 * 1000;
    return x86_interp_run(&env, ctx);
}

/* Run to HLT; returns the vector whose stub halted, or -1 for a HLT elsewhere. */
int run_to_halt(void)
{
    int r = run_guest();
    assert_int_equal(r, X86_EXIT_HALT);
    env.mp_state = X86_MP_RUNNABLE;
    uint64_t at = env.rip - 1;
    if (at >= STUB_BASE && at < STUB_BASE + 256 * 16 && (at & 15) == 0) {
        return (at - STUB_BASE) / 16;
    }
    return -1;
}

uint64_t entry32(int n)
{
    return CODE + n * 0x200;
}

uint64_t entry64(int n)
{
    return CODE + n * 0x400;
}

static int test_setup(void **state)
{
    memset(ram_ptr, 0, RAM_SIZE);
    memset(&env, 0, sizeof(env));
    memset(&port, 0, sizeof(port));
    x86_interp_flush_all();
    for (unsigned i = 0; i < 0x2000; i++) {
        ram_ptr[SRC + i] = pattern(i);
    }
    return 0;
}

static int group_setup(void **state)
{
    Error *err = NULL;

    assert_true(memory_region_init_ram(&ram, NULL, "ram", RAM_SIZE, &err));
    memory_region_add_subregion(get_system_memory(), 0, &ram);
    ram_ptr = memory_region_get_ram_ptr(&ram);
    memory_region_init_io(&port_mr, NULL, &port_ops, NULL, "test-port", 16);
    memory_region_add_subregion(get_system_io(), 0xe0, &port_mr);
    memory_region_init_io(&mmio_mr, NULL, &mmio_ops, NULL, "test-mmio", 4096);
    memory_region_add_subregion(get_system_memory(), MMIO_BASE, &mmio_mr);
    ctx = x86_interp_ctx_new(&env);
    return 0;
}

static int group_teardown(void **state)
{
    x86_interp_ctx_free(ctx);
    return 0;
}


int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_strings, test_setup),
        cmocka_unit_test_setup(test_stack, test_setup),
        cmocka_unit_test_setup(test_branches, test_setup),
        cmocka_unit_test_setup(test_addressing, test_setup),
        cmocka_unit_test_setup(test_port_io, test_setup),
        cmocka_unit_test_setup(test_muldiv_de, test_setup),
        cmocka_unit_test_setup(test_seg_limit, test_setup),
        cmocka_unit_test_setup(test_ss_limit, test_setup),
        cmocka_unit_test_setup(test_int_iret, test_setup),
        cmocka_unit_test_setup(test_cpuid, test_setup),
        cmocka_unit_test(test_cpuid_linux_baseline),
        cmocka_unit_test_setup(test_smc, test_setup),
        cmocka_unit_test_setup(test_dma_invalidate, test_setup),
        cmocka_unit_test_setup(test_user_mode, test_setup),
        cmocka_unit_test_setup(test_page_faults32, test_setup),
        cmocka_unit_test_setup(test_mmio, test_setup),
        cmocka_unit_test_setup(test_far_transfers, test_setup),
        cmocka_unit_test_setup(test_undefined, test_setup),
        cmocka_unit_test_setup(test_triple_fault, test_setup),
        cmocka_unit_test_setup(test_v86, test_setup),
        cmocka_unit_test_setup(test_call_gate, test_setup),
        cmocka_unit_test_setup(test_system_registers, test_setup),
        cmocka_unit_test_setup(test_msr_k8_int_pending, test_setup),
        cmocka_unit_test_setup(test_syscall_legacy, test_setup),
        cmocka_unit_test_setup(test_cr8, test_setup),
        cmocka_unit_test_setup(test_flags_live, test_setup),
        cmocka_unit_test_setup(test_register_runs, test_setup),
        cmocka_unit_test_setup(test_memory_runs, test_setup),
        cmocka_unit_test_setup(test_block_links, test_setup),
        cmocka_unit_test_setup(test_hw_breakpoints, test_setup),
        cmocka_unit_test_setup(test_pcid, test_setup),
        cmocka_unit_test_setup(test_ac_sse, test_setup),
        cmocka_unit_test_setup(test_pae_nx, test_setup),
        cmocka_unit_test_setup(test_bcd_misc, test_setup),
        cmocka_unit_test_setup(test_real_mode, test_setup),
        cmocka_unit_test_setup(test_mode_switch, test_setup),
        cmocka_unit_test_setup(test_long_mode, test_setup),
        cmocka_unit_test_setup(test_page_faults64, test_setup),
        cmocka_unit_test_setup(test_syscall, test_setup),
        cmocka_unit_test_setup(test_interrupt_injection, test_setup),
        cmocka_unit_test_setup(test_alu_vs_host, test_setup),
        cmocka_unit_test_setup(test_x87_vs_host, test_setup),
        cmocka_unit_test_setup(test_x87_system, test_setup),
        cmocka_unit_test_setup(test_sse_vs_host, test_setup),
        cmocka_unit_test_setup(test_sse_faults, test_setup),
        cmocka_unit_test_setup(test_sse_state, test_setup),
        cmocka_unit_test_setup(test_sse_prot32, test_setup),
        cmocka_unit_test_setup(test_random_code, test_setup),
        cmocka_unit_test_setup(test_speed, test_setup),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
