/*
 * Interpreter tests in 32-bit protected mode (p32.asm): string
 * instructions, the stack, branches, addressing, port I/O, division,
 * segment limits, INT/IRET, CPUID, self-modifying code, CPL 3, paging
 * faults, MMIO, far transfers, call gates and task switches, undefined
 * opcodes, the triple fault.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "system/memory.h"
#include "tests/unit/interp/harness.h"

#define PF_P    1
#define PF_W    2
#define PF_U    4
#define PF_RSVD 8

/* The exception frame a 32-bit handler sees at [ESP] (after an error code if any). */
static uint32_t frame32(int i)
{
    return rd32((uint32_t)env.regs[R_ESP] + 4 * i);
}

static void run_p32(int entry)
{
    load_bin("p32", CODE);
    env_prot32(entry32(entry));
}

void test_strings(void **state)
{
    run_p32(0);
    assert_int_equal(run_to_halt(), -1);
    assert_int_equal(rd32(R + 0), SRC + 100);
    assert_int_equal(rd32(R + 4), 0x201000 + 100);
    assert_int_equal(rd32(R + 8), 0);
    assert_memory_equal(ram_ptr + 0x201000, ram_ptr + SRC, 0x32);
    assert_memory_equal(ram_ptr + 0x201033, ram_ptr + SRC + 0x33, 100 - 0x33);
    assert_int_equal(rd32(R + 12), SRC + 0xfc);          /* backward: 8 dwords */
    assert_int_equal(rd32(R + 16), 0x2010fc);
    assert_memory_equal(ram_ptr + 0x201100, ram_ptr + SRC + 0x100, 32);
    for (int i = 0; i < 32; i++) {
        assert_int_equal(ram_ptr[SRC + 0x200 + i], pattern(0x200));  /* overlap repeats */
    }
    assert_int_equal(rd32(R + 20), 0x203800 + 4000);
    for (int i = 0; i < 1000; i++) {
        assert_int_equal(rd32(0x203800 + 4 * i), 0x11223344);
    }
    assert_int_equal(rd32(R + 24), 100 - 0x33);          /* REPE CMPSB stops after index 0x32 */
    assert_int_equal(rd32(R + 28), SRC + 0x33);
    assert_int_equal(ram_ptr[R + 32], 0);
    assert_int_equal(rd32(R + 36), SRC + 0x38);          /* REPNE SCASB finds index 0x37 */
    assert_int_equal(rd32(R + 40), 200 - 0x38);
    assert_int_equal(ram_ptr[R + 44], 1);
    assert_int_equal(rd32(R + 48), 0xffff0000u | pattern(0x10) | (pattern(0x11) << 8));
    assert_int_equal(rd32(R + 52), SRC + 0x12);
    assert_int_equal(rd32(R + 56), 0x205000);
}

void test_stack(void **state)
{
    run_p32(1);
    assert_int_equal(run_to_halt(), -1);
    assert_int_equal(rd32(R + 0), 0xabcd);
    assert_int_equal(rd32(R + 4), 0x12345678);
    assert_int_equal(rd32(R + 8), STACK0);
    assert_int_equal(rd32(R + 12), rd32(R + 72));        /* CALL pushed the next EIP */
    assert_int_equal(rd32(R + 16), STACK0 - 4 - 16);     /* ENTER 16, 0 */
    assert_int_equal(rd32(R + 20), STACK0 - 4);
    assert_int_equal(rd32(R + 24), STACK0);              /* LEAVE */
    assert_int_equal(rd32(R + 28), 0x11111111);
    assert_int_equal(rd32(R + 32), STACK0 - 0x18);       /* ENTER 8, 3 */
    assert_int_equal(rd32(R + 36), STACK0 - 4);
    assert_int_equal(rd32(R + 40), STACK0 - 4);          /* the new frame pointer */
    assert_int_equal(rd32(R + 44), 0xaaaa0002);          /* copied from the old frame */
    assert_int_equal(rd32(R + 48), 1);                   /* PUSHAD/POPAD */
    assert_int_equal(rd32(R + 52), 2);
    assert_int_equal(rd32(R + 56), 7);
    assert_int_equal(rd32(R + 60), STACK0);
    assert_int_equal(rd32(R + 64), 0xabcd);              /* PUSH m32 / POP m32 */
    assert_int_equal(rd32(R + 68), 4);                   /* CALL m32 */
}

void test_branches(void **state)
{
    run_p32(2);
    assert_int_equal(run_to_halt(), -1);
    assert_int_equal(rd32(R + 0), 0x7f);
    assert_int_equal(rd32(R + 4), 55);
    assert_int_equal(rd32(R + 8), 0);
    assert_int_equal(rd32(R + 12), 4);
    assert_int_equal(rd32(R + 16), 6);
    assert_int_equal(rd32(R + 20), 1);
    assert_int_equal(rd32(R + 24), 1);
    assert_int_equal(rd32(R + 28), 1);
    assert_int_equal(rd32(R + 32), 9);
    assert_int_equal(rd32(R + 36), 3);
}

void test_addressing(void **state)
{
    run_p32(3);
    assert_int_equal(run_to_halt(), -1);
    assert_int_equal(rd32(R + 0), 0x10d0);
    assert_int_equal(rd32(R + 4), 0x124c5);
    assert_int_equal(rd32(R + 8), 0x20006);
    assert_int_equal(rd32(R + 12), 0x1030);
    assert_int_equal(rd32(R + 16), 0x102f);
    assert_int_equal(rd32(R + 20), 0x1040);
    assert_int_equal(rd32(R + 24), 0x30);                /* 16-bit wrap */
    assert_int_equal(rd32(R + 28), 7);
    assert_int_equal(rd32(R + 32), 0xdeadbeef);
    assert_int_equal(rd32(R + 36), 0xdeadbeef);
    assert_int_equal(rd32(R + 40), 0xdeadbeef);
    assert_int_equal(rd32(R + 44), 0xdeadbecc);          /* XLAT */
}

void test_port_io(void **state)
{
    run_p32(4);
    port.regs[2] = 0x12;
    port.regs[3] = 0x34;
    assert_int_equal(run_to_halt(), -1);
    assert_int_equal(port.regs[0], 0x5a);
    assert_int_equal(rd32(R + 0), 0x1122335a);
    assert_int_equal(rd32(R + 4), 0x11223344);
    assert_int_equal(port.nout, 4);
    for (int i = 0; i < 4; i++) {
        assert_int_equal(port.out[i], pattern(i));
    }
    assert_int_equal(rd32(0x201000), 0x34123412);
}

void test_muldiv_de(void **state)
{
    run_p32(5);
    assert_int_equal(run_to_halt(), 0);                  /* #DE */
    assert_int_equal(rd32(R + 0), 142);
    assert_int_equal(rd32(R + 4), 6);
    assert_int_equal(rd32(R + 8), (uint32_t)-142);
    assert_int_equal(rd32(R + 12), (uint32_t)-6);
    assert_int_equal(rd32(R + 16), 0xffff0423);
    assert_int_equal(rd32(R + 20), 0);
    assert_int_equal(rd32(R + 24), 8);
    assert_int_equal(rd32(R + 28), (uint32_t)-15);
    assert_int_equal(frame32(0), rd32(R + 32));          /* a fault: EIP of the IDIV */
    assert_int_equal(frame32(1), SEL_CODE32);
    assert_int_equal(env.regs[R_EAX], 0x80000000);       /* nothing changed */
}

void test_seg_limit(void **state)
{
    run_p32(9);
    wr32(0xffc, 0x5555aaaa);
    assert_int_equal(run_to_halt(), 13);
    assert_int_equal(rd32(R + 0), 0x5555aaaa);
    assert_int_equal(frame32(0), 0);                     /* #GP(0) */
    assert_int_equal(frame32(1), entry32(9) + 4 + 2 + 5 + 6);
}

void test_ss_limit(void **state)
{
    run_p32(10);
    seg_set(R_CS, SEL_UCODE32);
    seg_set(R_SS, SEL_UDATA);
    seg_set(R_DS, SEL_UDATA);
    seg_set(R_ES, SEL_UDATA);
    assert_int_equal(run_to_halt(), 12);                 /* #SS on the ring-0 stack */
    assert_int_equal(rd32(R + 0), 0x1000);
    assert_int_equal(frame32(0), 0);
    assert_int_equal(frame32(2), SEL_UCODE32);
    assert_int_equal(frame32(4), 0x1000);                /* the faulting ESP */
    assert_int_equal(frame32(5), SEL_UEXPDOWN);
    assert_int_equal(env.regs[R_ESP], STACK0 - 24);
}

void test_int_iret(void **state)
{
    run_p32(11);
    assert_int_equal(run_to_halt(), 3);
    assert_int_equal(rd32(R + 0), 0x200);
    assert_int_equal(rd32(R + 4), STACK0);
    assert_int_equal(rd32(R + 8), 2);                    /* IRET restored the flags */
    assert_int_equal(rd32(R + 12), rd32(R + 16));
    assert_int_equal(frame32(0), rd32(R + 20));          /* INT3 is a trap */
}

void test_cpuid(void **state)
{
    run_p32(12);
    assert_int_equal(run_to_halt(), -1);
    assert_int_equal(rd32(R + 0), 7);
    assert_memory_equal(ram_ptr + R + 4, "GenuineIntel", 12);
    uint32_t edx = rd32(R + 16);
    assert_true(edx & (1u << 29));                       /* LM */
    assert_true(edx & (1u << 20));                       /* NX */
    assert_true(edx & (1u << 11));                       /* SYSCALL */
}

void test_smc(void **state)
{
    run_p32(13);
    assert_int_equal(run_to_halt(), -1);
    assert_int_equal(rd32(R + 0), 1 + 100 + 100);
    assert_int_equal(rd32(R + 4) & 0xff, 0x42);
}

/* Memory written behind the CPU's back (DMA) drops the decoded code there. */
void test_dma_invalidate(void **state)
{
    static const uint8_t code[] = { 0xb8, 0x01, 0x00, 0x00, 0x00, 0xf4 };  /* mov eax, 1; hlt */
    uint8_t two = 2;

    env_prot32(0x110000);
    memcpy(ram_ptr + 0x110000, code, sizeof(code));
    x86_interp_invalidate_phys(0x110000, sizeof(code));
    assert_int_equal(run_to_halt(), -1);
    assert_int_equal(env.regs[R_EAX], 1);
    address_space_write(address_space_memory(), 0x110001, &two, 1);
    x86_interp_invalidate_phys(0x110001, 1);
    env.rip = 0x110000;
    assert_int_equal(run_to_halt(), -1);
    assert_int_equal(env.regs[R_EAX], 2);
}

static void enter_cpl3(uint64_t eip)
{
    seg_set(R_CS, SEL_UCODE32);
    for (int s = 0; s < CPU_NB_SEGS; s++) {
        if (s != R_CS) {
            seg_set(s, SEL_UDATA);
        }
    }
    env.regs[R_ESP] = STACK3;
    env.rip = eip;
}

void test_user_mode(void **state)
{
    run_p32(14);
    enter_cpl3(entry32(14));
    port.regs[0] = 0x77;
    assert_int_equal(run_to_halt(), 0x80);
    assert_int_equal(rd32(R + 0), 0x77);
    assert_int_equal(env.segs[R_CS].selector, SEL_CODE32);
    assert_int_equal(env.segs[R_SS].selector, SEL_DATA32);
    assert_int_equal(env.regs[R_ESP], STACK0 - 20);
    assert_int_equal(frame32(0), entry32(14) + 2 + 5 + 5 + 2);
    assert_int_equal(frame32(1), SEL_UCODE32);
    assert_int_equal(frame32(3), STACK3);
    assert_int_equal(frame32(4), SEL_UDATA);

    /* IN from a port the TSS bitmap closes. */
    run_p32(15);
    enter_cpl3(entry32(15));
    assert_int_equal(run_to_halt(), 13);
    assert_int_equal(frame32(0), 0);
    assert_int_equal(frame32(1), entry32(15));

    /* HLT at CPL 3, and INT through a DPL 0 gate. */
    env_prot32(0);
    ram_ptr[0x110000] = 0xf4;
    x86_interp_invalidate_phys(0x110000, 1);
    enter_cpl3(0x110000);
    assert_int_equal(run_to_halt(), 13);
    assert_int_equal(frame32(1), 0x110000);
    env_prot32(0);
    ram_ptr[0x110010] = 0xcd;
    ram_ptr[0x110011] = 0x41;
    x86_interp_invalidate_phys(0x110010, 2);
    enter_cpl3(0x110010);
    assert_int_equal(run_to_halt(), 13);
    assert_int_equal(frame32(0), 0x41 * 8 + 2);          /* IDT, vector 0x41 */
}

/* PTE of a page in the first 4 MiB (4-KiB pages). */
static uint32_t *pte32(uint32_t lin)
{
    return (uint32_t *)(ram_ptr + PT32_PT + 4 * (lin >> 12));
}

void test_page_faults32(void **state)
{
    /* Not present: a read, then a fetch. */
    load_bin("p32", CODE);
    env_prot32(entry32(6));
    paging32();
    *pte32(0x300000) = 0;
    env.regs[R_EBX] = 0x300010;
    assert_int_equal(run_to_halt(), 14);
    assert_int_equal(env.cr[2], 0x300010);
    assert_int_equal(frame32(0), 0);                     /* not present, read, supervisor */
    assert_int_equal(frame32(1), entry32(6));

    env_prot32(entry32(8));
    env.cr[0] |= CR0_PG | CR0_WP;
    *pte32(0x304000) = 0;
    env.regs[R_EBX] = 0x304000;
    assert_int_equal(run_to_halt(), 14);
    assert_int_equal(env.cr[2], 0x304000);
    assert_int_equal(frame32(0), 0);                     /* no I/D bit without PAE+NXE */
    assert_int_equal(frame32(1), 0x304000);

    /* A supervisor write to a read-only page: #PF with WP, allowed without. */
    env_prot32(entry32(7));
    paging32();
    *pte32(0x301000) &= ~2u;
    env.regs[R_EBX] = 0x301000;
    env.regs[R_ECX] = 0x12345678;
    assert_int_equal(run_to_halt(), 14);
    assert_int_equal(frame32(0), PF_W | PF_P);
    assert_int_equal(rd32(0x301000), 0);
    env_prot32(entry32(7));
    env.cr[0] |= CR0_PG;
    env.regs[R_EBX] = 0x301000;
    assert_int_equal(run_to_halt(), -1);
    assert_int_equal(rd32(0x301000), 0x12345678);

    /* A user read of a supervisor page. */
    env_prot32(entry32(6));
    paging32();
    *pte32(0x302000) &= ~4u;
    enter_cpl3(entry32(6));
    env.regs[R_EBX] = 0x302004;
    assert_int_equal(run_to_halt(), 14);
    assert_int_equal(frame32(0), PF_U | PF_P);
    assert_int_equal(env.cr[2], 0x302004);

    /* Accessed and dirty bits. */
    env_prot32(entry32(7));
    paging32();
    env.regs[R_EBX] = 0x303000;
    assert_int_equal(run_to_halt(), -1);
    assert_int_equal(*pte32(0x303000) & 0x60, 0x60);
    env_prot32(entry32(6));
    env.cr[0] |= CR0_PG | CR0_WP;
    env.regs[R_EBX] = 0x305000;
    assert_int_equal(run_to_halt(), -1);
    assert_int_equal(*pte32(0x305000) & 0x60, 0x20);

    /* A reserved bit in a 4-MiB PDE. */
    env_prot32(entry32(6));
    paging32();
    wr32(PT32_PD + 8, rd32(PT32_PD + 8) | (1u << 21));
    env.regs[R_EBX] = 0x800000;
    assert_int_equal(run_to_halt(), 14);
    assert_int_equal(frame32(0), PF_RSVD | PF_P);

    /* A store across a page boundary into a missing page writes nothing. */
    env_prot32(entry32(7));
    paging32();
    *pte32(0x307000) = 0;
    wr32(0x306ffc, 0xaaaaaaaa);
    env.regs[R_EBX] = 0x306ffe;
    env.regs[R_ECX] = 0x12345678;
    assert_int_equal(run_to_halt(), 14);
    assert_int_equal(env.cr[2], 0x307000);
    assert_int_equal(frame32(0), PF_W);
    assert_int_equal(rd32(0x306ffc), 0xaaaaaaaa);
}

void test_mmio(void **state)
{
    run_p32(17);
    memset(mmio_regs, 0, sizeof(mmio_regs));
    env.regs[R_EBX] = 0x210000;
    assert_int_equal(run_to_halt(), -1);
    assert_int_equal(rd32(R + 0), 0xcafe1234);
    assert_int_equal(rd32(R + 4), 0xcafecafe);
    assert_int_equal(rd32(R + 8), 0xcafe1235);
    assert_int_equal(rd32(0x210000), 0x11223344);
}

void test_far_transfers(void **state)
{
    run_p32(18);
    assert_int_equal(run_to_halt(), 13);
    assert_int_equal(rd32(R + 0), SEL_CODE32);
    assert_int_equal(rd32(R + 4) & 0xffff, SEL_DATA32);
    assert_int_equal(frame32(0), 0x78);                  /* #GP(selector) */
    assert_int_equal(env.segs[R_DS].selector, SEL_DATA32);
}

static void put_bytes(const uint8_t *code, size_t len)
{
    memcpy(ram_ptr + 0x110000, code, len);
    x86_interp_invalidate_phys(0x110000, len);
}

static int run_bytes(const uint8_t *code, size_t len)
{
    env_prot32(0x110000);
    put_bytes(code, len);
    return run_to_halt();
}

void test_undefined(void **state)
{
    static const uint8_t ud2[] = { 0x0f, 0x0b };
    static const uint8_t lock_nop[] = { 0xf0, 0x90 };
    static const uint8_t lock_reg[] = { 0xf0, 0x01, 0xc0 };             /* lock add eax, eax */
    static const uint8_t lock_mem[] = { 0xf0, 0x01, 0x03, 0xf4 };       /* lock add [ebx], eax */
    static const uint8_t x87[] = { 0xd9, 0xe8, 0xf4 };                  /* fld1; hlt */
    uint8_t too_long[16];

    assert_int_equal(run_bytes(ud2, sizeof(ud2)), 6);
    assert_int_equal(frame32(0), 0x110000);
    assert_int_equal(run_bytes(lock_nop, sizeof(lock_nop)), 6);
    assert_int_equal(run_bytes(lock_reg, sizeof(lock_reg)), 6);
    env.regs[R_EBX] = 0x210000;
    env.regs[R_EAX] = 5;
    assert_int_equal(run_bytes(lock_mem, sizeof(lock_mem)), -1);
    env_prot32(0x110000);
    env.cr[0] |= CR0_EM;
    put_bytes(x87, sizeof(x87));
    assert_int_equal(run_to_halt(), 7);                  /* #NM: CR0.EM */
    env_prot32(0x110000);
    env.cr[0] |= CR0_TS;
    assert_int_equal(run_to_halt(), 7);                  /* #NM: CR0.TS */
    assert_int_equal(run_bytes(x87, sizeof(x87)), -1);   /* the x87 runs it */
    memset(too_long, 0x66, 15);
    too_long[15] = 0x90;
    assert_int_equal(run_bytes(too_long, sizeof(too_long)), 13);
    assert_int_equal(frame32(0), 0);
}

void test_triple_fault(void **state)
{
    static const uint8_t int3[] = { 0xcc };

    env_prot32(0x110000);
    memcpy(ram_ptr + 0x110000, int3, 1);
    x86_interp_invalidate_phys(0x110000, 1);
    env.idt.limit = 0;                                   /* every vector is outside the IDT */
    assert_int_equal(run_guest(), X86_EXIT_RESET);
}

/* IRET into virtual-8086 mode, INT n back to ring 0, and an IOPL-sensitive CLI. */
void test_v86(void **state)
{
    static const uint8_t enter_v86[] = {
        0x6a, 0x00,                         /* push 0 (GS) */
        0x6a, 0x00,                         /* push 0 (FS) */
        0x68, 0x00, 0x20, 0x00, 0x00,       /* push 0x2000 (DS) */
        0x68, 0x00, 0x20, 0x00, 0x00,       /* push 0x2000 (ES) */
        0x68, 0x00, 0x30, 0x00, 0x00,       /* push 0x3000 (SS) */
        0x68, 0x00, 0x01, 0x00, 0x00,       /* push 0x100 (ESP) */
        0xff, 0x35, 0x00, 0x00, 0x12, 0x00, /* push dword [0x120000] (EFLAGS) */
        0x68, 0x00, 0x20, 0x00, 0x00,       /* push 0x2000 (CS) */
        0x6a, 0x00,                         /* push 0 (EIP) */
        0xcf,                               /* iretd */
    };
    static const uint8_t v86_code[] = {
        0xb8, 0x34, 0x12,                   /* mov ax, 0x1234 */
        0xa3, 0x10, 0x00,                   /* mov [0x10], ax */
        0xcd, 0x21,                         /* int 0x21 */
    };

    env_prot32(0x110000);
    idt_gate32(0x21, STUB_BASE + 16 * 0x21, SEL_CODE32, 3);
    put_bytes(enter_v86, sizeof(enter_v86));
    memcpy(ram_ptr + 0x20000, v86_code, sizeof(v86_code));
    x86_interp_invalidate_phys(0x20000, sizeof(v86_code));
    wr32(0x120000, VM_MASK | IOPL_MASK | IF_MASK | 2);
    assert_int_equal(run_to_halt(), 0x21);
    assert_int_equal(rd32(0x20010) & 0xffff, 0x1234);
    assert_int_equal(env.regs[R_ESP], STACK0 - 36);
    assert_int_equal(frame32(0), sizeof(v86_code));
    assert_int_equal(frame32(1), 0x2000);
    assert_true(frame32(2) & VM_MASK);
    assert_int_equal(frame32(3), 0x100);
    assert_int_equal(frame32(4), 0x3000);
    assert_int_equal(frame32(5), 0x2000);               /* ES, DS, FS, GS */
    assert_int_equal(frame32(6), 0x2000);
    assert_int_equal(frame32(7), 0);
    assert_int_equal(env.segs[R_DS].selector, 0);       /* nulled on the way in */
    assert_false(env.eflags & VM_MASK);
    assert_int_equal(env.segs[R_CS].selector, SEL_CODE32);

    /* IOPL 0: CLI in v86 mode is #GP(0). */
    env_prot32(0x110000);
    wr32(0x120000, VM_MASK | 2);
    ram_ptr[0x20000] = 0xfa;
    x86_interp_invalidate_phys(0x20000, 1);
    assert_int_equal(run_to_halt(), 13);
    assert_int_equal(frame32(0), 0);
    assert_int_equal(frame32(1), 0);
    assert_int_equal(frame32(2), 0x2000);
}

/*
 * GDT entry 15 as an available 32-bit TSS at 0x6000 running the HLT at
 * 0x110100 (after env_prot32, which clears entry 15).
 */
#define SEL_TSS2    0x78
#define TSS2_BASE   0x6000

static void tss2_set(uint32_t limit)
{
    memset(ram_ptr + TSS2_BASE, 0, 0x68);
    gdt_set(15, TSS2_BASE, limit, DESC_P_MASK | (9u << 8));
    wr32(TSS2_BASE + 0x20, 0x110100);                   /* EIP */
    wr32(TSS2_BASE + 0x24, 2);                          /* EFLAGS */
    wr32(TSS2_BASE + 0x38, 0x70000);                    /* ESP */
    wr32(TSS2_BASE + 0x4c, SEL_CODE32);                 /* CS */
    wr32(TSS2_BASE + 0x50, SEL_DATA32);                 /* SS */
    wr32(TSS2_BASE + 0x54, SEL_DATA32);                 /* DS */
    ram_ptr[0x110100] = 0xf4;
    x86_interp_invalidate_phys(0x110100, 1);
}

/*
 * Hardware task switches (SDM vol. 3, 7.3): the error codes of a busy
 * target (#GP), a short TSS (#TS), a switch by JMP and one for an
 * exception through a task gate with the error code on the new stack.
 */
static void task_switches(void)
{
    static const uint8_t jmp_tss[] = { 0xea, 0, 0, 0, 0, SEL_TSS2, 0 };    /* jmp 0x78:0 */
    static const uint8_t jmp_busy[] = { 0xea, 0, 0, 0, 0, SEL_TSS, 0 };    /* jmp 0x58:0 */

    assert_int_equal(run_bytes(jmp_busy, sizeof(jmp_busy)), 13);
    assert_int_equal(frame32(0), SEL_TSS);              /* #GP(selector): already busy */
    assert_int_equal(frame32(1), 0x110000);

    env_prot32(0x110000);
    tss2_set(0x50);
    put_bytes(jmp_tss, sizeof(jmp_tss));
    assert_int_equal(run_to_halt(), 10);
    assert_int_equal(frame32(0), SEL_TSS2);             /* #TS(selector): limit below 0x67 */
    assert_int_equal((rd32(GDT_BASE + 15 * 8 + 4) >> 8) & 15, 9);

    env_prot32(0x110000);
    tss2_set(0x67);
    env.regs[R_EBX] = 0x12345678;
    put_bytes(jmp_tss, sizeof(jmp_tss));
    assert_int_equal(run_to_halt(), -1);
    assert_int_equal(env.tr.selector, SEL_TSS2);
    assert_int_equal(env.tr.base, TSS2_BASE);
    assert_int_equal(env.rip, 0x110101);
    assert_int_equal(env.regs[R_ESP], 0x70000);
    assert_true(env.cr[0] & CR0_TS);
    assert_int_equal(rd32(TSS_BASE + 0x20), 0x110000 + sizeof(jmp_tss));  /* old EIP */
    assert_int_equal(rd32(TSS_BASE + 0x34), 0x12345678);                   /* old EBX */
    assert_int_equal((rd32(GDT_BASE + 11 * 8 + 4) >> 8) & 15, 9);          /* old: free */
    assert_int_equal((rd32(GDT_BASE + 15 * 8 + 4) >> 8) & 15, 11);         /* new: busy */

    /* #GP through a task gate: the error code is on the new task's stack. */
    env_prot32(0x110000);
    tss2_set(0x67);
    wr32(IDT_BASE + 13 * 8, (uint32_t)SEL_TSS2 << 16);
    wr32(IDT_BASE + 13 * 8 + 4, DESC_P_MASK | (5u << 8));
    put_bytes(jmp_busy, sizeof(jmp_busy));
    assert_int_equal(run_to_halt(), -1);
    assert_int_equal(env.tr.selector, SEL_TSS2);
    assert_int_equal(env.regs[R_ESP], 0x70000 - 4);
    assert_int_equal(rd32(0x70000 - 4), SEL_TSS);
    assert_true(env.eflags & NT_MASK);
    assert_int_equal(rd32(TSS2_BASE) & 0xffff, SEL_TSS);                   /* back link */
    assert_int_equal(rd32(TSS_BASE + 0x20), 0x110000);                     /* the faulting JMP */
    assert_int_equal((rd32(GDT_BASE + 11 * 8 + 4) >> 8) & 15, 11);         /* old stays busy */

    /*
     * Paging on: CR3 from the new TSS, and the TLB flushed.  The new
     * directory maps the code page 0x110000 to 0x118000, which holds
     * INC EBX; HLT.
     */
    env_prot32(0x110000);
    paging32();
    tss2_set(0x67);
    memcpy(ram_ptr + 0x17000, ram_ptr + PT32_PD, 4096);
    memcpy(ram_ptr + 0x18000, ram_ptr + PT32_PT, 4096);
    wr32(0x17000, 0x18000 | 7);
    wr32(0x18000 + 4 * 0x110, 0x118000 | 7);
    wr32(TSS2_BASE + 0x1c, 0x17000);
    ram_ptr[0x118100] = 0x43;
    ram_ptr[0x118101] = 0xf4;
    x86_interp_invalidate_phys(0x118100, 2);
    env.regs[R_EBX] = 0;
    put_bytes(jmp_tss, sizeof(jmp_tss));
    assert_int_equal(run_to_halt(), -1);
    assert_int_equal(env.cr[3], 0x17000);
    assert_int_equal(env.rip, 0x110102);
    assert_int_equal(env.regs[R_EBX], 1);

    /* A read-only SS in the new TSS: #TS(SS) after the commit point, in the new task. */
    env_prot32(0x110000);
    tss2_set(0x67);
    wr32(TSS2_BASE + 0x50, SEL_RODATA);
    put_bytes(jmp_tss, sizeof(jmp_tss));
    assert_int_equal(run_to_halt(), 10);
    assert_int_equal(env.tr.selector, SEL_TSS2);
    assert_int_equal(frame32(0), SEL_RODATA);
    assert_int_equal(frame32(1), 0x110100);             /* the new task's first instruction */

    /* EFLAGS.VM in the new TSS: virtual-8086 mode, where HLT is #GP(0). */
    env_prot32(0x110000);
    tss2_set(0x67);
    wr32(TSS2_BASE + 0x04, STACK0);                     /* ESP0, SS0 for the #GP */
    wr32(TSS2_BASE + 0x08, SEL_DATA32);
    wr32(TSS2_BASE + 0x20, 0x10);                       /* EIP */
    wr32(TSS2_BASE + 0x24, VM_MASK | 2);
    wr32(TSS2_BASE + 0x4c, 0x2000);                     /* CS: linear 0x20000 */
    wr32(TSS2_BASE + 0x50, 0x3000);
    ram_ptr[0x20010] = 0xf4;
    x86_interp_invalidate_phys(0x20010, 1);
    put_bytes(jmp_tss, sizeof(jmp_tss));
    assert_int_equal(run_to_halt(), 13);
    assert_int_equal(frame32(0), 0);
    assert_int_equal(frame32(1), 0x10);
    assert_int_equal(frame32(2), 0x2000);
    assert_true(frame32(3) & VM_MASK);
    assert_int_equal(frame32(5), 0x3000);               /* SS */
}

/* A far CALL from CPL 3 through a call gate: the stack switch copies the parameters. */
void test_call_gate(void **state)
{
    static const uint8_t call_gate[] = {
        0x6a, 0x11,                         /* push 0x11 */
        0x6a, 0x22,                         /* push 0x22 */
        0x9a, 0x00, 0x00, 0x00, 0x00, 0x7b, 0x00,   /* call 0x7b:0 (the offset is ignored) */
    };

    env_prot32(0x110000);
    /* GDT entry 15: a 32-bit call gate, DPL 3, to 0x08:0x110100, copying 2 dwords. */
    wr32(GDT_BASE + 15 * 8, 0x0100 | ((uint32_t)SEL_CODE32 << 16));
    wr32(GDT_BASE + 15 * 8 + 4, 0x00110000 | DESC_P_MASK | DPL3 | (12u << 8) | 2);
    put_bytes(call_gate, sizeof(call_gate));
    ram_ptr[0x110100] = 0xf4;
    x86_interp_invalidate_phys(0x110100, 1);
    enter_cpl3(0x110000);
    assert_int_equal(run_to_halt(), -1);
    assert_int_equal(env.rip, 0x110101);
    assert_int_equal(env.segs[R_CS].selector, SEL_CODE32);
    assert_int_equal(env.segs[R_SS].selector, SEL_DATA32);
    assert_int_equal(env.regs[R_ESP], STACK0 - 24);
    assert_int_equal(frame32(0), 0x110000 + sizeof(call_gate));  /* EIP */
    assert_int_equal(frame32(1), SEL_UCODE32);
    assert_int_equal(frame32(2), 0x22);                          /* the parameters */
    assert_int_equal(frame32(3), 0x11);
    assert_int_equal(frame32(4), STACK3 - 8);
    assert_int_equal(frame32(5), SEL_UDATA);
    task_switches();
}

void test_system_registers(void **state)
{
    static const uint8_t rdmsr_unknown[] = { 0xb9, 0x34, 0x12, 0x00, 0x00, 0x0f, 0x32 };

    run_p32(19);
    wr32(GDT_BASE + 11 * 8 + 4, rd32(GDT_BASE + 11 * 8 + 4) & ~(2u << 8));   /* available TSS */
    gdt_set(15, 0x5000, 0x17, DESC_P_MASK | (2u << 8));                      /* an LDT */
    gdt_set((0x5000 - GDT_BASE) / 8 + 1, SRC, 0xfffff, F_DATA | DESC_B_MASK | DESC_G_MASK);
    assert_int_equal(run_to_halt(), 13);
    assert_int_equal(rd32(R + 0), SEL_TSS);
    assert_int_equal((rd32(GDT_BASE + 11 * 8 + 4) >> 8) & 15, 11);           /* now busy */
    assert_int_equal(rd32(R + 4), 0x78);
    assert_int_equal(rd32(R + 8), rd32(SRC + 0x10));                         /* through the LDT */
    assert_int_equal(rd32(R + 12), 0x00c09300);                              /* LAR */
    assert_int_equal(rd32(R + 16), 0xffffffff);                              /* LSL, 4 KiB units */
    assert_int_equal(rd32(R + 20), 0xfff);
    assert_int_equal(ram_ptr[R + 24], 0);                                    /* VERW read-only */
    assert_int_equal(ram_ptr[R + 25], 1);
    assert_int_equal(ram_ptr[R + 26], 0);                                    /* VERW code */
    assert_int_equal(ram_ptr[R + 27], 1);
    assert_int_equal(ram_ptr[R + 28], 0);                                    /* LAR: no such */
    assert_int_equal(rd32(R + 32), 0x11111111);
    assert_int_equal(rd32(R + 36), 0x22222222);
    assert_true(rd64(R + 48) >= rd64(R + 40));                               /* RDTSC */
    assert_int_equal(rd32(R + 56), 0x8f000);                                 /* SYSENTER */
    assert_int_equal(rd32(R + 60) & 0xffff, SEL_CODE32);
    assert_int_equal(rd32(R + 64), 0x7f000);                                 /* SYSEXIT */
    assert_int_equal(rd32(R + 68) & 0xffff, 0x1b);
    assert_int_equal(frame32(0), 0);
    assert_int_equal(frame32(2), 0x1b);

    assert_int_equal(run_bytes(rdmsr_unknown, sizeof(rdmsr_unknown)), 13);
    assert_int_equal(frame32(1), 0x110005);
}

/* CPUID leaf 0 of an AMD model; the rest as built in. */
static void cpuid_amd(CPUX86State *e, uint32_t leaf, uint32_t sub, uint32_t out[4])
{
    x86_interp_cpuid_builtin(e, leaf, sub, out);
    if (leaf == 0) {
        memcpy(&out[1], "Auth", 4);
        memcpy(&out[3], "enti", 4);
        memcpy(&out[2], "cAMD", 4);
    }
}

/* MSRC001_0055 (AMD K8 interrupt pending): 0 on AMD models, #GP on Intel ones. */
void test_msr_k8_int_pending(void **state)
{
    /* mov ecx, 0xc0010055; mov eax, -1; mov edx, -1; rdmsr; hlt */
    static const uint8_t rdmsr_k8[] = {
        0xb9, 0x55, 0x00, 0x01, 0xc0, 0xb8, 0xff, 0xff, 0xff, 0xff,
        0xba, 0xff, 0xff, 0xff, 0xff, 0x0f, 0x32, 0xf4,
    };

    run_p32(19);
    assert_int_equal(run_bytes(rdmsr_k8, sizeof(rdmsr_k8)), 13);
    ctx->cpuid = cpuid_amd;
    assert_int_equal(run_bytes(rdmsr_k8, sizeof(rdmsr_k8)), -1);
    ctx->cpuid = NULL;
    assert_int_equal(env.regs[R_EAX], 0);
    assert_int_equal(env.regs[R_EDX], 0);
}

/*
 * SYSCALL and SYSRET outside long mode: #UD on Intel models, legacy-mode
 * fast calls on AMD ones (APM vol. 3: EIP from STAR[31:0], ECX the return
 * address, IF cleared; SYSRET to CPL 3 with IF set).
 */
void test_syscall_legacy(void **state)
{
    /* syscall; hlt */
    static const uint8_t code[] = { 0x0f, 0x05, 0xf4 };
    /* at 0x110010: mov ebx, ecx; mov ecx, 0x110020; sysret; at 0x110020: hlt */
    static const uint8_t ret[] = { 0x89, 0xcb, 0xb9, 0x20, 0x00, 0x11, 0x00, 0x0f, 0x07 };

    run_p32(19);
    env.efer = EFER_SCE;
    env.star = ((uint64_t)SEL_UCODE32 & ~3ull) << 48 | (uint64_t)SEL_CODE32 << 32 | 0x110010;
    assert_int_equal(run_bytes(code, sizeof(code)), 6);

    ctx->cpuid = cpuid_amd;
    env_prot32(0x110000);
    env.efer = EFER_SCE;
    env.eflags |= IF_MASK;
    put_bytes(code, sizeof(code));
    memcpy(ram_ptr + 0x110010, ret, sizeof(ret));
    ram_ptr[0x110020] = 0xf4;
    x86_interp_invalidate_phys(0x110010, 0x20);
    /* SYSCALL, then SYSRET to ring 3, where HLT is #GP: its frame says where SYSRET went. */
    int r = run_to_halt();
    ctx->cpuid = NULL;
    assert_int_equal(r, 13);
    assert_int_equal(env.regs[R_EBX], 0x110002);                    /* SYSCALL's ECX */
    assert_int_equal(frame32(1), 0x110020);
    assert_int_equal(frame32(2), SEL_UCODE32);
    assert_true(frame32(3) & IF_MASK);
    assert_int_equal(frame32(5), (SEL_UCODE32 & ~3) + 8 + 3);      /* SS */
}

/* PAE paging outside long mode, with execute-disable. */
void test_pae_nx(void **state)
{
    load_bin("p32", CODE);
    wr64(0x17000, 0x18000 | 1);
    for (uint64_t i = 0; i < 8; i++) {
        wr64(0x18000 + 8 * i, (i << 21) | 0x83);
    }
    wr64(0x18000 + 8 * 3, (3ull << 21) | 0x83 | (1ull << 63));
    ram_ptr[0x600000] = 0xf4;
    x86_interp_invalidate_phys(0x600000, 1);

    env_prot32(entry32(8));
    env.cr[3] = 0x17000;
    env.cr[4] = CR4_PAE;
    env.cr[0] |= CR0_PG;
    env.efer = EFER_NXE;
    env.regs[R_EBX] = 0x600000;
    assert_int_equal(run_to_halt(), 14);
    assert_int_equal(frame32(0), 0x11);                  /* P | I/D */
    assert_int_equal(env.cr[2], 0x600000);

    env_prot32(entry32(6));                              /* reading it is fine */
    env.cr[0] |= CR0_PG;
    env.regs[R_EBX] = 0x600000;
    assert_int_equal(run_to_halt(), -1);
    assert_int_equal(env.regs[R_EAX] & 0xff, 0xf4);

    env_prot32(entry32(6));                              /* PDPTE 1 is not present */
    env.cr[0] |= CR0_PG;
    env.regs[R_EBX] = 0x40000010;
    assert_int_equal(run_to_halt(), 14);
    assert_int_equal(frame32(0), 0);
    assert_int_equal(env.cr[2], 0x40000010);
}

void test_bcd_misc(void **state)
{
    run_p32(20);
    assert_int_equal(run_to_halt(), 5);                  /* #BR */
    assert_int_equal(rd32(R + 0) & 0xffff, 0x0114);      /* DAA, CF */
    assert_int_equal(rd32(R + 2) & 0xffff, 0x0188);      /* DAS, CF */
    assert_int_equal(rd32(R + 4) & 0xffff, 0x0107);      /* AAA */
    assert_int_equal(rd32(R + 6) & 0xffff, 0x0008);      /* AAS */
    assert_int_equal(rd32(R + 8) & 0xffff, 0x0603);      /* AAM */
    assert_int_equal(rd32(R + 10) & 0xffff, 0x003f);     /* AAD */
    assert_int_equal(rd32(R + 12), 0x12345678);          /* LES */
    assert_int_equal(rd32(R + 16) & 0xffff, SEL_DATA32);
    assert_int_equal(ram_ptr[R + 18], 0xff);             /* SALC */
    assert_int_equal(rd32(R + 20), 1);
    assert_int_equal(rd32(R + 24), 15);
    assert_int_equal(env.regs[R_EAX], 21);
}
