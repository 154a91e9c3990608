/*
 * Shared by the interpreter tests (tests/unit/test-interp.c and the
 * interp/tests-*.c files): the guest memory map, the CPU under test and
 * helpers that build descriptor tables, page tables and modes.
 */
#ifndef TESTS_UNIT_INTERP_HARNESS_H
#define TESTS_UNIT_INTERP_HARNESS_H

#include <stdbool.h>
#include <stdint.h>
#include "target-i386/interp/interp.h"

#define RAM_SIZE    (16u << 20)
#define GDT_BASE    0x1000
#define IDT_BASE    0x2000
#define TSS_BASE    0x3000
#define STUB_BASE   0x4000          /* vector v: a HLT at STUB_BASE + 16 * v */
#define RSTUB_BASE  0x600           /* real mode: a HLT at 0:RSTUB_BASE + v */
#define STACK0      0x90000
#define STACK3      0x80000
#define IST1_STACK  0x98000
#define PT32_PD     0x14000
#define PT32_PT     0x15000
#define PML4        0x10000
#define PDPT        0x11000
#define PD64        0x12000
#define PT64        0x13000
#define PD64_HIGH   0x16000
#define CODE        0x100000
#define SRC         0x200000
#define R           0x202000
#define MMIO_BASE   0xfe000000u

/* Selectors of the test GDT. */
#define SEL_CODE32  0x08
#define SEL_DATA32  0x10
#define SEL_CODE16  0x18
#define SEL_DATA16  0x20
#define SEL_CODE64  0x28
#define SEL_LIMITED 0x30
#define SEL_EXPDOWN 0x38
#define SEL_UCODE32 0x43
#define SEL_UDATA   0x4b
#define SEL_UCODE64 0x53
#define SEL_TSS     0x58
#define SEL_RODATA  0x68
#define SEL_UEXPDOWN 0x73

#define F_CODE (DESC_P_MASK | DESC_S_MASK | DESC_CS_MASK | DESC_R_MASK | DESC_A_MASK)
#define F_DATA (DESC_P_MASK | DESC_S_MASK | DESC_W_MASK | DESC_A_MASK)
#define DPL3   (3u << DESC_DPL_SHIFT)

extern uint8_t *ram_ptr;
extern CPUX86State env;
extern X86InterpCtx *ctx;

/* The port block at 0xe0-0xef; port 0xe8 logs the bytes written to it. */
typedef struct TestPort {
    uint8_t regs[16];
    uint8_t out[64];
    unsigned nout;
} TestPort;
extern TestPort port;
extern uint8_t mmio_regs[4096];

uint32_t rd32(uint64_t addr);
uint64_t rd64(uint64_t addr);
void wr32(uint64_t addr, uint32_t v);
void wr64(uint64_t addr, uint64_t v);
/* The byte the test puts at SRC + i. */
uint8_t pattern(unsigned i);
/* Copy tests/unit/interp/<name>.asm's binary to guest RAM at addr. */
void load_bin(const char *name, uint64_t addr);

void gdt_set(int idx, uint32_t base, uint32_t limit, uint32_t flags);
/* Load a segment register's cache from the test GDT. */
void seg_set(int seg, uint16_t sel);
void idt_gate32(int v, uint32_t off, uint16_t sel, unsigned dpl);
void idt_gate64(int v, uint64_t off, uint16_t sel, unsigned dpl, unsigned ist);
void build_tables(bool long_mode);
void env_prot32(uint32_t eip);
void paging32(void);
void paging64(void);
void env_long64(uint64_t rip);
void env_real(uint16_t cs, uint16_t ip);

int run_guest(void);
/* Run to a HLT; the vector whose stub halted, or -1 for another HLT. */
int run_to_halt(void);
/* Entry n of p32.asm and of p64.asm. */
uint64_t entry32(int n);
uint64_t entry64(int n);

/* The tests (interp/tests-*.c). */
void test_strings(void **state);
void test_stack(void **state);
void test_branches(void **state);
void test_addressing(void **state);
void test_port_io(void **state);
void test_muldiv_de(void **state);
void test_seg_limit(void **state);
void test_ss_limit(void **state);
void test_int_iret(void **state);
void test_cpuid(void **state);
void test_msr_k8_int_pending(void **state);
void test_syscall_legacy(void **state);
void test_cr8(void **state);
void test_flags_live(void **state);
void test_register_runs(void **state);
void test_memory_runs(void **state);
void test_block_links(void **state);
void test_hw_breakpoints(void **state);
void test_pcid(void **state);
void test_ac_sse(void **state);
void test_cpuid_linux_baseline(void **state);
void test_smc(void **state);
void test_dma_invalidate(void **state);
void test_user_mode(void **state);
void test_page_faults32(void **state);
void test_mmio(void **state);
void test_far_transfers(void **state);
void test_undefined(void **state);
void test_triple_fault(void **state);
void test_real_mode(void **state);
void test_mode_switch(void **state);
void test_long_mode(void **state);
void test_page_faults64(void **state);
void test_syscall(void **state);
void test_interrupt_injection(void **state);
void test_alu_vs_host(void **state);
void test_sse_vs_host(void **state);
void test_sse_faults(void **state);
void test_sse_state(void **state);
void test_sse_prot32(void **state);
void test_speed(void **state);
void test_random_code(void **state);
void test_v86(void **state);
void test_call_gate(void **state);
void test_system_registers(void **state);
void test_pae_nx(void **state);
void test_bcd_misc(void **state);
void test_x87_vs_host(void **state);
void test_x87_system(void **state);

#endif
