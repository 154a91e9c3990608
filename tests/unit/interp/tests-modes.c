/*
 * Interpreter tests across modes: real mode (real.asm), the switch from
 * real to long mode and back (modeswitch.asm), 64-bit code, 4-level page
 * faults, SYSCALL/SYSRET and IRETQ (p64.asm), interrupt injection and the
 * exits of x86_interp_run(), flags a block skips, and the speed loop.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <cmocka.h>

#include "system/timer.h"
#include "tests/unit/interp/harness.h"

#define MS      0x6000          /* real.asm and modeswitch.asm results */

static uint16_t rd16(uint64_t addr)
{
    return ram_ptr[addr] | (ram_ptr[addr + 1] << 8);
}

static uint64_t frame64(int i)
{
    return rd64(env.regs[R_ESP] + 8 * i);
}

void test_real_mode(void **state)
{
    load_bin("real", 0x7c00);
    env_real(0, 0x7c00);
    for (int i = 0; i < 16; i++) {
        ram_ptr[0x6100 + i] = pattern(i);
    }
    assert_int_equal(run_to_halt(), -1);
    assert_int_equal(env.rip, RSTUB_BASE + 1);           /* #DE went through IVT entry 0 */
    assert_int_equal(env.segs[R_CS].selector, 0);
    assert_int_equal(rd16(MS + 0), 0x1235);
    assert_int_equal(rd16(MS + 2), 0x0046);              /* flags of XOR AX, AX, restored by IRET */
    assert_int_equal(rd16(MS + 4), 0xbeef);
    assert_int_equal(rd16(0x10010), 0xbeef);
    assert_int_equal(rd16(MS + 6), 0x5678);
    assert_int_equal(rd16(MS + 8), 0x6110);
    assert_int_equal(rd16(MS + 10), 0x6210);
    assert_memory_equal(ram_ptr + 0x6200, ram_ptr + 0x6100, 16);
    assert_int_equal(rd32(MS + 12), 0x2468acf0);
    assert_int_equal(rd16(MS + 16), 0x55);
    assert_int_equal(rd16(MS + 18), 0x66);
    assert_int_equal(rd16(MS + 20), 15);
    uint16_t sp = rd16(MS + 22) - 6;                     /* FLAGS, CS, IP of the #DE */
    assert_int_equal(env.regs[R_ESP] & 0xffff, sp);
    assert_int_equal(rd16(sp), rd16(MS + 24));
    assert_int_equal(rd16(sp + 2), 0);

    /* FFFF:0020 is 0x100010 with A20 on, 0x10 with A20 off. */
    env_real(0, 0x7e00);
    assert_int_equal(run_to_halt(), -1);
    assert_int_equal(ram_ptr[0x100010], 0x99);
    env_real(0, 0x7e00);
    env.a20_mask_enabled = true;
    assert_int_equal(run_to_halt(), -1);
    assert_int_equal(ram_ptr[0x10], 0x99);
}

void test_mode_switch(void **state)
{
    load_bin("modeswitch", 0x8000);
    paging64();
    env_real(0, 0x8000);
    env.cr[3] = 0;
    assert_int_equal(run_to_halt(), -1);
    assert_int_equal(rd32(MS + 0), 32);
    assert_true(rd32(MS + 28) & EFER_LMA);               /* paging on with LME: long mode */
    assert_int_equal(rd32(MS + 4), 64);
    assert_int_equal(rd64(MS + 8), 0x123456789abcdef0);
    assert_int_equal(rd32(MS + 16), 0x32);
    assert_int_equal(rd32(MS + 20) & (EFER_LMA | EFER_LME), EFER_LME);
    assert_int_equal(rd16(MS + 24), 0x16);
    assert_int_equal(env.cr[0] & (CR0_PE | CR0_PG), 0);
    assert_int_equal(env.efer & (EFER_LMA | EFER_LME), 0);
    assert_int_equal(env.segs[R_CS].selector, 0);
}

void test_long_mode(void **state)
{
    load_bin("p64", CODE);
    env_long64(entry64(0));
    assert_int_equal(run_to_halt(), -1);
    uint64_t data0 = rd64(R + 0);
    assert_int_equal(rd64(data0), 0x1122334455667788);  /* LEA [RIP+x] */
    assert_int_equal(rd64(R + 8), 0x1122334455667788);
    assert_int_equal(rd64(R + 16), 0x1028);
    assert_int_equal(rd64(R + 24), 0x201);
    assert_int_equal(rd64(R + 32), 0x300);
    assert_int_equal(rd64(R + 40), 5);
    assert_int_equal(rd64(R + 48), 0xffffffffffff0005);
    assert_int_equal(rd64(R + 56), 0xffffffff80000000);
    assert_int_equal(rd64(R + 64), 0x1299);
    assert_int_equal(rd64(R + 72), 0x4200);
    assert_int_equal(rd64(R + 80), 0x0807060504030201);
    assert_int_equal(rd64(R + 88), 15);
    assert_int_equal(rd64(R + 96), 10);
    assert_int_equal(rd64(R + 104), 63);
    assert_int_equal(rd64(R + 112), 63);
    assert_int_equal(rd64(R + 120), 8);
    assert_int_equal(rd64(R + 128), 3);
    assert_int_equal(rd64(R + 136), (uint64_t)-3);
    assert_int_equal(rd64(R + 144), (uint64_t)-1);
    assert_int_equal(rd64(R + 152), 0);
    assert_int_equal(ram_ptr[R + 160], 1);
    assert_int_equal(ram_ptr[R + 168], 1);               /* CMPXCHG16B matched */
    assert_int_equal(rd64(R + 176), 4);
    assert_int_equal(rd64(R + 184), (uint64_t)-2);
    assert_int_equal(rd32(R + 192), STACK0);
    assert_int_equal(rd16(R + 196), 0x1234);
    assert_int_equal(rd64(R + 200) & ~0x3ffull, CODE);   /* RIP-relative from a callee */
    assert_int_equal(rd64(R + 208), 0);
    assert_int_equal(rd64(R + 216), 2);
    assert_int_equal(rd64(R + 224), 0x55667788);
    assert_int_equal(ram_ptr[R + 232], 1);
    assert_int_equal(rd64(R + 240), 0);
    assert_int_equal(rd64(R + 248), 0x7fffffffffffffff);

    /* Opcodes that do not exist in 64-bit mode. */
    static const uint8_t push_es[] = { 0x06 };
    env_long64(0x110000);
    memcpy(ram_ptr + 0x110000, push_es, 1);
    x86_interp_invalidate_phys(0x110000, 1);
    assert_int_equal(run_to_halt(), 6);
    assert_int_equal(frame64(0), 0x110000);
}

static uint64_t *pte64(uint64_t lin)
{
    return (uint64_t *)(ram_ptr + PT64 + 8 * (lin >> 12));
}

static int run64(int entry, uint64_t rbx)
{
    env_long64(entry64(entry));
    env.regs[R_EBX] = rbx;
    env.regs[R_ECX] = 0x1122334455667788;
    return run_to_halt();
}

void test_page_faults64(void **state)
{
    load_bin("p64", CODE);

    /* Execute-disable: an instruction fetch, with the I/D bit. */
    env_long64(0);
    ram_ptr[0x180000] = 0xf4;
    *pte64(0x180000) |= 1ull << 63;
    env.rip = entry64(3);
    env.regs[R_EBX] = 0x180000;
    assert_int_equal(run_to_halt(), 14);
    assert_int_equal(env.cr[2], 0x180000);
    assert_int_equal(frame64(0), 0x11);                  /* P | I/D */
    assert_int_equal(frame64(1), 0x180000);

    /* Not present, and a reserved bit (above MAXPHYADDR). */
    env_long64(entry64(1));
    *pte64(0x181000) = 0;
    env.regs[R_EBX] = 0x181008;
    assert_int_equal(run_to_halt(), 14);
    assert_int_equal(frame64(0), 0);
    assert_int_equal(env.cr[2], 0x181008);
    env_long64(entry64(1));
    *pte64(0x182000) |= 1ull << 51;
    env.regs[R_EBX] = 0x182000;
    assert_int_equal(run_to_halt(), 14);
    assert_int_equal(frame64(0), 9);                     /* P | RSVD */

    /* A user write to a read-only user page: the frame on RSP0. */
    env_long64(entry64(2));
    *pte64(0x183000) &= ~2ull;
    seg_set(R_CS, SEL_UCODE64);
    seg_set(R_SS, SEL_UDATA);
    env.regs[R_ESP] = STACK3;
    env.regs[R_EBX] = 0x183010;
    assert_int_equal(run_to_halt(), 14);
    assert_int_equal(frame64(0), 7);                     /* P | W | U */
    assert_int_equal(frame64(2), SEL_UCODE64);
    assert_int_equal(frame64(4), STACK3);
    assert_int_equal(frame64(5), SEL_UDATA);
    assert_int_equal(env.regs[R_ESP], STACK0 - 48);
    assert_false(*pte64(0x183000) & 0x40);              /* not dirty */

    /* A non-canonical address: #GP(0); a non-canonical stack: #SS(0) on IST1. */
    assert_int_equal(run64(1, 0x8000000000000000ull), 13);
    assert_int_equal(frame64(0), 0);
    env_long64(entry64(9));
    idt_gate64(12, STUB_BASE + 16 * 12, SEL_CODE64, 0, 1);
    assert_int_equal(run_to_halt(), 12);
    assert_int_equal(env.regs[R_ESP], IST1_STACK - 48);
    assert_int_equal(frame64(4), 0x8000000000000000ull);
}

void test_syscall(void **state)
{
    load_bin("p64", CODE);
    env_long64(entry64(4));
    seg_set(R_CS, SEL_UCODE64);
    seg_set(R_SS, SEL_UDATA);
    env.regs[R_ESP] = STACK3;
    env.eflags = 0x202;
    env.star = (0x40ull << 48) | ((uint64_t)SEL_CODE64 << 32);
    env.lstar = entry64(5);
    env.fmask = IF_MASK;
    env.kernel_gs_base = R + 0x400;
    wr64(R + 0x400, 0xabcdef);
    assert_int_equal(run_to_halt(), 0x80);
    assert_int_equal(rd64(R + 0), 0x99);                 /* RAX from the kernel */
    assert_int_equal(rd64(R + 8), STACK3);
    assert_int_equal(rd64(R + 16), rd64(R + 56));        /* RCX: the return RIP */
    assert_int_equal(rd64(R + 24) & 0x3ff, 0x202);       /* R11: RFLAGS */
    assert_int_equal(rd64(R + 32), 0x77);
    assert_int_equal(rd64(R + 40), 0xabcdef);            /* GS base after SWAPGS */
    assert_int_equal(env.kernel_gs_base, R + 0x400);     /* swapped back */
    assert_int_equal(frame64(1), SEL_UCODE64);           /* SYSRET went to CPL 3 */
    assert_int_equal(frame64(4), SEL_UDATA);
    assert_true(frame64(2) & IF_MASK);

    /* IRETQ to CPL 3, INT 0x80 back on IST1. */
    env_long64(entry64(6));
    idt_gate64(0x80, STUB_BASE + 16 * 0x80, SEL_CODE64, 3, 1);
    assert_int_equal(run_to_halt(), 0x80);
    assert_int_equal(rd64(R + 48), STACK3);
    assert_int_equal(rd16(R + 56), SEL_UCODE64);
    assert_int_equal(env.regs[R_ESP], IST1_STACK - 40);
    assert_int_equal(frame64(3), STACK3);
}

/* ---- Interrupts and exits --------------------------------------------------------------- */

static int irq_vector = 0x30;
static int irq_acks;

static int test_get_interrupt(void *opaque)
{
    irq_acks++;
    g_atomic_int_and((gint *)&env.interrupt_request, ~CPU_INTERRUPT_HARD);
    return irq_vector;
}

static void put_code(const uint8_t *code, size_t len)
{
    memcpy(ram_ptr + 0x110000, code, len);
    x86_interp_invalidate_phys(0x110000, len);
}

static uint64_t cr8_written;

static bool test_cr8_access(void *opaque, uint64_t *val, bool write)
{
    if (write) {
        cr8_written = *val;
    } else {
        *val = 3;
    }
    return true;
}

/* MOV CR8 goes to the APIC's TPR through the cr8_access hook; only 4 bits exist. */
void test_cr8(void **state)
{
    /* mov eax, 9; mov cr8, rax; mov rbx, cr8; hlt */
    static const uint8_t code[] = {
        0xb8, 0x09, 0x00, 0x00, 0x00, 0x44, 0x0f, 0x22, 0xc0, 0x44, 0x0f, 0x20, 0xc3, 0xf4,
    };
    static const uint8_t bad[] = { 0xb8, 0x10, 0x00, 0x00, 0x00, 0x44, 0x0f, 0x22, 0xc0, 0xf4 };

    load_bin("p64", CODE);
    env_long64(0x110000);
    put_code(code, sizeof(code));
    assert_int_equal(run_to_halt(), -1);
    assert_int_equal(env.regs[R_EBX], 9);           /* the interpreter's own CR8 */

    env_long64(0x110000);
    ctx->cr8_access = test_cr8_access;
    int r = run_to_halt();
    ctx->cr8_access = NULL;
    assert_int_equal(r, -1);
    assert_int_equal(cr8_written, 9);
    assert_int_equal(env.regs[R_EBX], 3);           /* read back from the "APIC" */

    env_long64(0x110000);
    put_code(bad, sizeof(bad));
    assert_int_equal(run_to_halt(), 13);            /* reserved bits: #GP */
}

/*
 * Flags that a later instruction of the block overwrites are not computed
 * (flags-live.c): the register results of the flag-free forms, and every
 * way an elided flag could still be seen: a reader after INC/DEC (CF
 * passes through), a shift by 0, a fault in the middle of the block, and
 * single-stepping a block whose later instructions never run.
 */
void test_flags_live(void **state)
{
    static const uint8_t forms[] = {
        0xb8, 0x80, 0x12, 0x00, 0x00,               /* mov eax, 0x1280 */
        0xc0, 0xf8, 0x09,                           /* sar al, 9 */
        0x80, 0xc4, 0x34,                           /* add ah, 0x34 */
        0xbe, 0xff, 0xff, 0x00, 0x00,               /* mov esi, 0xffff */
        0x66, 0xc1, 0xee, 0x11,                     /* shr si, 17 */
        0xbb, 0x01, 0x01, 0x00, 0x00,               /* mov ebx, 0x101 */
        0xc0, 0xe3, 0x0a,                           /* shl bl, 10 */
        0x48, 0xc7, 0xc7, 0xff, 0xff, 0xff, 0xff,   /* mov rdi, -1 */
        0x83, 0xc7, 0x00,                           /* add edi, 0 */
        0x48, 0xc7, 0xc2, 0xff, 0xff, 0xff, 0xff,   /* mov rdx, -1 */
        0x66, 0x83, 0xc2, 0x01,                     /* add dx, 1 */
        0x31, 0xc9,                                 /* xor ecx, ecx */
        0xf4,
    };
    /* mov eax, -1; add eax, 1; inc ecx; mov edx, 5; setc bl; hlt */
    static const uint8_t incdec[] = {
        0xb8, 0xff, 0xff, 0xff, 0xff, 0x83, 0xc0, 0x01, 0xff, 0xc1,
        0xba, 0x05, 0x00, 0x00, 0x00, 0x0f, 0x92, 0xc3, 0xf4,
    };
    /* mov eax, -1; add eax, 1; shl ecx, 0; hlt */
    static const uint8_t shift0[] = {
        0xb8, 0xff, 0xff, 0xff, 0xff, 0x83, 0xc0, 0x01, 0xc1, 0xe1, 0x00, 0xf4,
    };
    /* mov eax, -1; add eax, 1; mov ecx, [rbx]; xor edx, edx; hlt */
    static const uint8_t fault[] = {
        0xb8, 0xff, 0xff, 0xff, 0xff, 0x83, 0xc0, 0x01, 0x8b, 0x0b, 0x31, 0xd2, 0xf4,
    };
    /* mov eax, -1; add eax, 1; xor ecx, ecx; hlt */
    static const uint8_t step[] = {
        0xb8, 0xff, 0xff, 0xff, 0xff, 0x83, 0xc0, 0x01, 0x31, 0xc9, 0xf4,
    };
    const uint64_t cz = CC_C | CC_Z;

    load_bin("p64", CODE);
    env_long64(0x110000);
    put_code(forms, sizeof(forms));
    assert_int_equal(run_to_halt(), -1);
    assert_int_equal(env.regs[R_EAX], 0x46ff);
    assert_int_equal(env.regs[R_ESI], 0);
    assert_int_equal(env.regs[R_EBX], 0x100);
    assert_int_equal(env.regs[R_EDI], 0xffffffffull);
    assert_int_equal(env.regs[R_EDX], 0xffffffffffff0000ull);
    assert_int_equal(env.eflags & (CC_C | CC_Z | CC_S | CC_P), CC_Z | CC_P);

    env_long64(0x110000);
    env.regs[R_EBX] = 0;
    put_code(incdec, sizeof(incdec));
    assert_int_equal(run_to_halt(), -1);
    assert_int_equal(env.regs[R_EBX], 1);                /* CF from the ADD */

    env_long64(0x110000);
    put_code(shift0, sizeof(shift0));
    assert_int_equal(run_to_halt(), -1);
    assert_int_equal(env.eflags & cz, cz);

    env_long64(0x110000);
    *pte64(0x181000) = 0;
    env.regs[R_EBX] = 0x181008;
    put_code(fault, sizeof(fault));
    assert_int_equal(run_to_halt(), 14);
    assert_int_equal(frame64(1), 0x110008);             /* the load faulted */
    assert_int_equal(frame64(3) & cz, cz);              /* with the ADD's flags */

    /* Single-step the ADD of a block whose XOR would overwrite its flags. */
    env_long64(0x110005);
    env.regs[R_EAX] = 0xffffffff;
    env.eflags |= TF_MASK;
    put_code(step, sizeof(step));
    assert_int_equal(run_to_halt(), 1);
    assert_int_equal(frame64(0), 0x110008);
    assert_int_equal(frame64(2) & cz, cz);
}

/*
 * Runs of register-only instructions enter each other (X86Insn.run) and
 * leave RIP to the run loop: every kind of run member, runs that fill
 * blocks of 32 instructions, a run ending at a page boundary, a fault right
 * after a run, and an instruction breakpoint and single-step inside one.
 */
void test_register_runs(void **state)
{
    static const uint8_t inc_ecx[] = { 0xff, 0xc1 }, add_eax_ecx[] = { 0x01, 0xc8 };
    /* mov eax, 1; add eax, eax; shl eax, 3; mov ecx, [rbx]; hlt */
    static const uint8_t fault[] = {
        0xb8, 0x01, 0x00, 0x00, 0x00, 0x01, 0xc0, 0xc1, 0xe0, 0x03, 0x8b, 0x0b, 0xf4,
    };
    /* The OPF_RUN opcodes in register form, then a RIP-relative LEA. */
    static const uint8_t others[] = {
        0xb9, 0x05, 0x00, 0x00, 0x00,               /* mov ecx, 5 */
        0x8d, 0x04, 0x49,                           /* lea eax, [rcx + rcx * 2] */
        0x0f, 0xaf, 0xc1,                           /* imul eax, ecx */
        0x6b, 0xd0, 0x03,                           /* imul edx, eax, 3 */
        0x0f, 0xb6, 0xda,                           /* movzx ebx, dl */
        0x0f, 0xbe, 0xf3,                           /* movsx esi, bl */
        0x48, 0x63, 0xfe,                           /* movsxd rdi, esi */
        0x48, 0xf7, 0xdf,                           /* neg rdi */
        0xf7, 0xd3,                                 /* not ebx */
        0x0f, 0xcb,                                 /* bswap ebx */
        0x83, 0xf9, 0x05,                           /* cmp ecx, 5 */
        0x0f, 0x44, 0xf1,                           /* cmove esi, ecx */
        0x0f, 0x94, 0xc0,                           /* sete al */
        0x4c, 0x8d, 0x05, 0x00, 0x00, 0x00, 0x00,   /* lea r8, [rip] */
        0xf4,
    };
    uint8_t code[40 * 4 + 1];

    load_bin("p64", CODE);
    env_long64(0x110000);
    put_code(others, sizeof(others));
    assert_int_equal(run_to_halt(), -1);
    assert_int_equal(env.regs[R_EAX], 1);
    assert_int_equal(env.regs[R_EDX], 225);
    assert_int_equal(env.regs[R_EBX], 0x1effffff);
    assert_int_equal(env.regs[R_ESI], 5);
    assert_int_equal(env.regs[R_EDI], 31);
    assert_int_equal(env.regs[8], 0x11002e);

    for (int i = 0; i < 40; i++) {               /* 80 instructions: three blocks */
        memcpy(code + 4 * i, inc_ecx, 2);
        memcpy(code + 4 * i + 2, add_eax_ecx, 2);
    }
    code[160] = 0xf4;
    env_long64(0x110000);
    env.regs[R_EAX] = env.regs[R_ECX] = 0;
    put_code(code, sizeof(code));
    assert_int_equal(run_to_halt(), -1);
    assert_int_equal(env.regs[R_ECX], 40);
    assert_int_equal(env.regs[R_EAX], 40 * 41 / 2);
    assert_int_equal(env.rip, 0x110000 + 161);

    /* Eight INCs end the page; the ADD and HLT start the next one. */
    memset(code, 0, sizeof(code));
    for (int i = 0; i < 8; i++) {
        memcpy(code + 2 * i, inc_ecx, 2);
    }
    memcpy(code + 16, add_eax_ecx, 2);
    code[18] = 0xf4;
    memcpy(ram_ptr + 0x110ff0, code, 19);
    x86_interp_invalidate_phys(0x110ff0, 19);
    env_long64(0x110ff0);
    env.regs[R_EAX] = env.regs[R_ECX] = 0;
    assert_int_equal(run_to_halt(), -1);
    assert_int_equal(env.regs[R_ECX], 8);
    assert_int_equal(env.regs[R_EAX], 8);

    env_long64(0x110000);
    *pte64(0x181000) = 0;
    env.regs[R_EBX] = 0x181000;
    put_code(fault, sizeof(fault));
    assert_int_equal(run_to_halt(), 14);
    assert_int_equal(frame64(1), 0x11000a);             /* the load after the run */
    assert_int_equal(env.regs[R_EAX], 16);

    /*
     * A run ending in a Jcc whose target is not canonical: #GP at the Jcc.
     * xor eax, eax; mov ecx, 1; jz +0x10 end the last page below the hole.
     */
    static const uint8_t jcc_gp[] = { 0x31, 0xc0, 0xb9, 0x01, 0x00, 0x00, 0x00, 0x74, 0x10 };
    const uint64_t top = 0x7ffffffff000ull, tables = 0xe00000;
    env_long64(0x110000);
    wr64(PML4 + 8 * 255, tables | 7);
    wr64(tables + 8 * 511, (tables + 0x1000) | 7);
    wr64(tables + 0x1000 + 8 * 511, (tables + 0x2000) | 7);
    wr64(tables + 0x2000 + 8 * 511, (tables + 0x3000) | 7);
    memcpy(ram_ptr + tables + 0x3ff7, jcc_gp, sizeof(jcc_gp));
    x86_interp_invalidate_phys(tables + 0x3000, 0x1000);
    env.rip = top + 0xff7;
    assert_int_equal(run_to_halt(), 13);
    assert_int_equal(frame64(1), top + 0xffe);
    assert_int_equal(env.regs[R_ECX], 1);
    wr64(PML4 + 8 * 255, 0);

    /*
     * Jccs inside runs: mov ecx, n; L: dec ecx; jnz L; add eax, 1; hlt.
     * Two more iterations are four more instructions: a taken Jcc gives
     * back the budget of the run's instructions after it.
     */
    static const uint8_t loop[] = {
        0xb9, 0x03, 0x00, 0x00, 0x00, 0xff, 0xc9, 0x75, 0xfc, 0x83, 0xc0, 0x01, 0xf4,
    };
    uint64_t counts[2];
    for (int i = 0; i < 2; i++) {
        env_long64(0x110000);
        env.regs[R_EAX] = 0;
        put_code(loop, sizeof(loop));
        ram_ptr[0x110001] = 3 + 2 * i;
        x86_interp_invalidate_phys(0x110001, 1);
        uint64_t before = ctx->insns;
        assert_int_equal(run_to_halt(), -1);
        counts[i] = ctx->insns - before;
        assert_int_equal(env.regs[R_ECX], 0);
        assert_int_equal(env.regs[R_EAX], 1);
    }
    assert_int_equal(counts[1] - counts[0], 4);

    /* Four INCs: a breakpoint on the third, then single steps. */
    for (int i = 0; i < 4; i++) {
        memcpy(code + 2 * i, inc_ecx, 2);
    }
    code[8] = 0xf4;
    put_code(code, 9);
    env_long64(0x110000);
    env.regs[R_ECX] = 0;
    env.dr[0] = 0x110004;
    env.dr[7] = 0x401;
    assert_int_equal(run_to_halt(), 1);
    assert_int_equal(frame64(0), 0x110004);
    assert_int_equal(env.regs[R_ECX], 2);
    env.dr[7] = 0;

    env_long64(0x110002);
    env.regs[R_ECX] = 0;
    env.eflags |= TF_MASK;
    assert_int_equal(run_to_halt(), 1);
    assert_int_equal(frame64(0), 0x110004);
    assert_int_equal(env.regs[R_ECX], 1);
}

/*
 * Memory forms in runs (OPF_MEMRUN): RIP-relative operands count from the
 * instruction's own end, a #PF in the middle of a run reports the load, and
 * a store into the running block's code ends the run there, counted only
 * up to the store.
 */
void test_memory_runs(void **state)
{
    static const uint8_t forms[] = {
        /* Through the general MOV, to fill the TLB: the rest take the fast path. */
        0x8b, 0x33,                                 /* mov esi, [rbx] */
        0x89, 0x73, 0x10,                           /* mov [rbx + 16], esi */
        0x8b, 0x3d, 0x35, 0x00, 0x00, 0x00,         /* mov edi, [rip + 0x35] (0x110040) */
        0x8b, 0x05, 0x2f, 0x00, 0x00, 0x00,         /* mov eax, [rip + 0x2f] (0x110040) */
        0x83, 0xc0, 0x01,                           /* add eax, 1 */
        0x89, 0x03,                                 /* mov [rbx], eax */
        0x0f, 0xb6, 0x4b, 0x01,                     /* movzx ecx, byte [rbx + 1] */
        0x0f, 0xbf, 0x15, 0x23, 0x00, 0x00, 0x00,   /* movsx edx, word [rip + 0x23] (0x110044) */
        0x4c, 0x8d, 0x05, 0x00, 0x00, 0x00, 0x00,   /* lea r8, [rip] */
        0x89, 0x05, 0xd2, 0x0f, 0x00, 0x00,         /* mov [rip + 0xfd2], eax (0x111000) */
        0x89, 0x0d, 0xd0, 0x0f, 0x00, 0x00,         /* mov [rip + 0xfd0], ecx (0x111004) */
        0x4c, 0x89, 0x43, 0x08,                     /* mov [rbx + 8], r8 */
        0xf4,
    };
    /* mov eax, 1; add eax, eax; movzx ecx, byte [rbx]; hlt */
    static const uint8_t fault[] = {
        0xb8, 0x01, 0x00, 0x00, 0x00, 0x01, 0xc0, 0x0f, 0xb6, 0x0b, 0xf4,
    };
    /* mov eax, 0xc2; mov [rip + disp], al; inc ecx; hlt: disp 1 rewrites INC ECX to INC EDX. */
    uint8_t smc[] = {
        0xb8, 0xc2, 0x00, 0x00, 0x00, 0x88, 0x05, 0x01, 0x00, 0x00, 0x00, 0xff, 0xc1, 0xf4,
    };
    uint64_t counts[2];

    load_bin("p64", CODE);
    env_long64(0x110000);
    put_code(forms, sizeof(forms));
    wr32(0x110040, 0x80ff);
    wr32(0x110044, 0x8001);
    env.regs[R_EBX] = SRC;
    assert_int_equal(run_to_halt(), -1);
    assert_int_equal(env.regs[R_EAX], 0x8100);
    assert_int_equal(rd32(SRC), 0x8100);
    assert_int_equal(env.regs[R_ECX], 0x81);
    assert_int_equal(env.regs[R_EDX], 0xffff8001);
    assert_int_equal(env.regs[R_EDI], 0x80ff);
    assert_int_equal(env.regs[8], 0x110028);
    assert_int_equal(rd64(SRC + 8), 0x110028);
    assert_int_equal(rd32(0x111000), 0x8100);
    assert_int_equal(rd32(0x111004), 0x81);

    env_long64(0x110000);
    *pte64(0x181000) = 0;
    env.regs[R_EBX] = 0x181000;
    put_code(fault, sizeof(fault));
    assert_int_equal(run_to_halt(), 14);
    assert_int_equal(frame64(1), 0x110007);
    assert_int_equal(env.cr[2], 0x181000);
    assert_int_equal(env.regs[R_EAX], 2);

    /* The same code with the store aimed at data (0x110040), then at the INC. */
    for (int i = 0; i < 2; i++) {
        smc[7] = i ? 0x01 : 0x35;
        env_long64(0x110000);
        env.regs[R_ECX] = env.regs[R_EDX] = 0;
        put_code(smc, sizeof(smc));
        uint64_t before = ctx->insns;
        assert_int_equal(run_to_halt(), -1);
        counts[i] = ctx->insns - before;
        assert_int_equal(env.regs[R_ECX], i ? 0 : 1);
        assert_int_equal(env.regs[R_EDX], i ? 1 : 0);
    }
    assert_int_equal(counts[0], counts[1]);
}

/*
 * Block links (X86BlockLink) are a jump cache: a block that went on to
 * linear 0x111000 must not go on to the same block once INVLPG has made
 * that address map another page.
 */
void test_block_links(void **state)
{
    static const uint8_t a[] = { 0xff, 0xc1, 0xe9, 0xf9, 0x0f, 0x00, 0x00 };   /* inc ecx; jmp 0x111000 */
    /* cmp ecx, 1; je 0x110100; hlt */
    static const uint8_t b[] = { 0x83, 0xf9, 0x01, 0x0f, 0x84, 0xf7, 0xf0, 0xff, 0xff, 0xf4 };
    static const uint8_t b2[] = { 0xb8, 0x42, 0x00, 0x00, 0x00, 0xf4 };        /* mov eax, 0x42; hlt */
    /* mov [rbx], rsi; invlpg [rdx]; jmp 0x110000 */
    static const uint8_t remap[] = { 0x48, 0x89, 0x33, 0x0f, 0x01, 0x3a, 0xe9, 0xf5, 0xfe, 0xff, 0xff };

    load_bin("p64", CODE);
    env_long64(0x110000);
    put_code(a, sizeof(a));
    memcpy(ram_ptr + 0x110100, remap, sizeof(remap));
    memcpy(ram_ptr + 0x111000, b, sizeof(b));
    memcpy(ram_ptr + 0x112000, b2, sizeof(b2));
    x86_interp_invalidate_phys(0x110000, 0x3000);
    env.regs[R_EAX] = env.regs[R_ECX] = 0;
    env.regs[R_EBX] = (uint64_t)((uint8_t *)pte64(0x111000) - ram_ptr);
    env.regs[R_ESI] = (*pte64(0x111000) & ~0x000ffffffffff000ull) | 0x112000;
    env.regs[R_EDX] = 0x111000;
    assert_int_equal(run_to_halt(), -1);
    assert_int_equal(env.regs[R_ECX], 2);
    assert_int_equal(env.regs[R_EAX], 0x42);
    assert_int_equal(env.rip, 0x111006);            /* linear: the HLT of the new page */
}

/* Run code at 0x110000 in 64-bit mode under dr7, with CR4.DE if de; as run_to_halt. */
static int run_under_dr7(const uint8_t *code, size_t len, uint64_t dr7, bool de)
{
    env_long64(0x110000);
    put_code(code, len);
    env.dr[6] = 0xffff0ff0;
    env.dr[7] = dr7;
    if (de) {
        env.cr[4] |= CR4_DE;
    }
    return run_to_halt();
}

/* DR0-DR3 under DR7: instruction breakpoints (faults, RF), data and I/O breakpoints (traps), GD. */
void test_hw_breakpoints(void **state)
{
    /* mov eax, 1; mov [rbx], eax; mov ecx, [rbx]; add eax, 2; hlt */
    static const uint8_t code[] = {
        0xb8, 0x01, 0x00, 0x00, 0x00, 0x89, 0x03, 0x8b, 0x0b, 0x83, 0xc0, 0x02, 0xf4,
    };
    static const uint8_t mov_dr[] = { 0x0f, 0x21, 0xc0, 0xf4 };     /* mov rax, dr0; hlt */
    static const uint8_t out_imm[] = { 0xb0, 0x5a, 0xe6, 0xe4, 0xf4 }; /* mov al, 0x5a; out 0xe4 */
    static const uint8_t in_dx[] = { 0x66, 0xed, 0xf4 };            /* in ax, dx; hlt */
    static const uint8_t rep_outsb[] = { 0xf3, 0x6e, 0xf4 };        /* rep outsb; hlt */
    static const uint8_t rep_movsb[] = { 0xf3, 0xa4, 0xf4 };        /* rep movsb; hlt */
    static const uint8_t rep_stosb[] = { 0xf3, 0xaa, 0xf4 };        /* rep stosb; hlt */
    static const uint8_t repe_cmpsb[] = { 0xf3, 0xa6, 0xf4 };       /* repe cmpsb; hlt */
    static const uint8_t de_out[] = {
        0x0f, 0x20, 0xe0, 0x0f, 0xba, 0xe8, 0x03, 0x0f, 0x22, 0xe0, /* CR4.DE = 1 */
        0xe6, 0xe4, 0xf4,                                           /* out 0xe4, al; hlt */
    };
    const uint64_t dr1_word = 4 | (3ull << 22);                      /* L1, LEN 4 bytes */
    const uint64_t io2 = 2ull << 24, io3_dword = (2ull << 28) | (3ull << 30);

    load_bin("p64", CODE);
    put_code(code, sizeof(code));

    /* An instruction breakpoint on the ADD: a fault before it; RF lets it run. */
    env_long64(0x110000);
    env.regs[R_EBX] = SRC;
    env.dr[0] = 0x110009;
    env.dr[7] = 0x401;
    assert_int_equal(run_to_halt(), 1);
    assert_int_equal(frame64(0), 0x110009);
    assert_int_equal(env.dr[6] & 0xf, 1);
    assert_int_equal(env.regs[R_EAX], 1);
    env_long64(0x110009);
    env.eflags |= RF_MASK;
    assert_int_equal(run_to_halt(), -1);
    assert_int_equal(env.regs[R_EAX], 3);

    /* A write breakpoint on 4 bytes (the address aligns down): a trap after the store. */
    env_long64(0x110000);
    env.dr[1] = SRC + 2;
    env.dr[7] = 0x400 | dr1_word | (1ull << 20);
    assert_int_equal(run_to_halt(), 1);
    assert_int_equal(frame64(0), 0x110007);
    assert_int_equal(env.dr[6] & 0xf, 2);
    assert_int_equal(rd64(SRC) & 0xffffffff, 1);
    env_long64(0x110007);                                /* the load does not hit it */
    assert_int_equal(run_to_halt(), -1);
    assert_int_equal(env.regs[R_ECX], 1);

    /* Read/write: the load hits. */
    env_long64(0x110007);
    env.dr[7] = 0x400 | dr1_word | (3ull << 20);
    assert_int_equal(run_to_halt(), 1);
    assert_int_equal(frame64(0), 0x110009);

    /*
     * REP string instructions trap after the iteration that hits, at the
     * REP with the rest to do: a write breakpoint on the second destination
     * byte of MOVSB and STOSB, a read one on CMPSB's third source byte.
     */
    const uint64_t dr0_write = 0x401 | (1ull << 16), dr0_rw = 0x401 | (3ull << 16);
    env.dr[0] = SRC + 0x101;
    env.regs[R_ESI] = SRC;
    env.regs[R_EDI] = SRC + 0x100;
    env.regs[R_ECX] = 5;
    assert_int_equal(run_under_dr7(rep_movsb, sizeof(rep_movsb), dr0_write, false), 1);
    assert_int_equal(frame64(0), 0x110000);
    assert_int_equal(env.regs[R_ECX], 3);
    assert_int_equal(env.regs[R_EDI], SRC + 0x102);
    assert_int_equal(env.dr[6] & 0xf, 1);
    env.regs[R_EDI] = SRC + 0x100;
    env.regs[R_ECX] = 5;
    assert_int_equal(run_under_dr7(rep_stosb, sizeof(rep_stosb), dr0_write, false), 1);
    assert_int_equal(env.regs[R_ECX], 3);
    env.dr[0] = SRC + 2;
    env.regs[R_ESI] = env.regs[R_EDI] = SRC;
    env.regs[R_ECX] = 5;
    assert_int_equal(run_under_dr7(repe_cmpsb, sizeof(repe_cmpsb), dr0_rw, false), 1);
    assert_int_equal(frame64(0), 0x110000);
    assert_int_equal(env.regs[R_ECX], 2);
    assert_int_equal(env.regs[R_ESI], SRC + 3);
    put_code(code, sizeof(code));

    /* General detect: MOV DR faults with BD, and GD is cleared for the handler. */
    env_long64(0x110000);
    put_code(mov_dr, sizeof(mov_dr));
    env.dr[7] = 0x400 | (1u << 13);
    assert_int_equal(run_to_halt(), 1);
    assert_int_equal(frame64(0), 0x110000);
    assert_true(env.dr[6] & (1u << 13));
    assert_false(env.dr[7] & (1u << 13));

    /* An I/O breakpoint (CR4.DE, R/W = 10) on port 0xe4: a trap after the OUT. */
    env.dr[2] = 0xe5;                                   /* another port: no break */
    assert_int_equal(run_under_dr7(out_imm, sizeof(out_imm), 0x400 | 0x10 | io2, true), -1);
    env.dr[2] = 0xe4;
    port.regs[4] = 0;
    assert_int_equal(run_under_dr7(out_imm, sizeof(out_imm), 0x400 | 0x10 | io2, true), 1);
    assert_int_equal(frame64(0), 0x110004);
    assert_int_equal(env.dr[6] & 0xf, 4);
    assert_int_equal(port.regs[4], 0x5a);
    /* Not enabled (L2 = G2 = 0), or CR4.DE clear (R/W = 10 undefined): no break. */
    assert_int_equal(run_under_dr7(out_imm, sizeof(out_imm), 0x400 | io2, true), -1);
    assert_int_equal(run_under_dr7(out_imm, sizeof(out_imm), 0x400 | 0x10 | io2, false), -1);
    /* Setting CR4.DE turns it on from the next instruction. */
    assert_int_equal(run_under_dr7(de_out, sizeof(de_out), 0x400 | 0x10 | io2, false), 1);
    assert_int_equal(frame64(0), 0x11000c);

    /* LEN 4 on 0xe7 watches 0xe4-0xe7: a word IN at 0xe4 hits, one at 0xe8 does not. */
    env.dr[2] = 0;
    env.dr[3] = 0xe7;
    env.regs[R_EDX] = 0xe8;
    assert_int_equal(run_under_dr7(in_dx, sizeof(in_dx), 0x400 | 0x40 | io3_dword, true), -1);
    env.regs[R_EDX] = 0xe4;
    env.regs[R_EAX] = 0;
    port.regs[4] = 0x11;
    port.regs[5] = 0x22;
    assert_int_equal(run_under_dr7(in_dx, sizeof(in_dx), 0x400 | 0x40 | io3_dword, true), 1);
    assert_int_equal(frame64(0), 0x110002);
    assert_int_equal(env.dr[6] & 0xf, 8);
    assert_int_equal(env.regs[R_EAX], 0x2211);

    /* REP OUTSB traps after the first iteration, at the REP with RCX left to do. */
    env.dr[3] = 0xe8;
    env.regs[R_EDX] = 0xe8;
    env.regs[R_ESI] = SRC;
    env.regs[R_ECX] = 3;
    port.nout = 0;
    assert_int_equal(run_under_dr7(rep_outsb, sizeof(rep_outsb), 0x400 | 0x40 | (2ull << 28),
                                   true), 1);
    assert_int_equal(frame64(0), 0x110000);
    assert_int_equal(env.regs[R_ECX], 2);
    assert_int_equal(env.regs[R_ESI], SRC + 1);
    assert_int_equal(port.nout, 1);
    assert_int_equal(env.dr[6] & 0xf, 8);
    env.dr[3] = 0;
    env.dr[7] = 0x400;
}

/* CR4.PCIDE: CR3's low 12 bits are the PCID, bit 63 of a CR3 write is a hint not kept. */
void test_pcid(void **state)
{
    static const uint8_t code[] = {
        0x0f, 0x20, 0xe0,                           /* mov rax, cr4 */
        0x0f, 0xba, 0xe8, 0x11,                     /* bts eax, 17 */
        0x0f, 0x22, 0xe0,                           /* mov cr4, rax */
        0x0f, 0x20, 0xd8,                           /* mov rax, cr3 */
        0x48, 0x83, 0xc8, 0x01,                     /* or rax, 1 */
        0x48, 0x0f, 0xba, 0xe8, 0x3f,               /* bts rax, 63 */
        0x0f, 0x22, 0xd8,                           /* mov cr3, rax */
        0x0f, 0x20, 0xdb,                           /* mov rbx, cr3 */
        0xf4,
    };

    load_bin("p64", CODE);
    put_code(code, sizeof(code));
    env_long64(0x110000);
    uint64_t cr3 = env.cr[3];
    assert_int_equal(run_to_halt(), -1);
    assert_true(env.cr[4] & CR4_PCIDE);
    assert_int_equal(env.regs[R_EBX], cr3 | 1);

    /* Turning PCIDE on with a PCID other than 0 current is #GP. */
    env_long64(0x110000);
    env.cr[4] &= ~(uint64_t)CR4_PCIDE;
    env.cr[3] = cr3 | 5;
    assert_int_equal(run_to_halt(), 13);
    assert_false(env.cr[4] & CR4_PCIDE);
    env.cr[3] = cr3;
}

/* #AC at CPL 3 covers accesses of 8 bytes or less: MOVUPS (16) passes, MOVQ faults. */
void test_ac_sse(void **state)
{
    /* movups xmm0, [rbx]; movq xmm1, [rbx]; hlt */
    static const uint8_t code[] = { 0x0f, 0x10, 0x03, 0xf3, 0x0f, 0x7e, 0x0b, 0xf4 };

    load_bin("p64", CODE);
    put_code(code, sizeof(code));
    env_long64(0x110000);
    seg_set(R_CS, SEL_UCODE64);
    seg_set(R_SS, SEL_UDATA);
    env.regs[R_ESP] = STACK3;
    env.regs[R_EBX] = SRC + 1;
    env.cr[0] |= CR0_AM;
    env.cr[4] |= CR4_OSFXSR;
    env.eflags |= AC_MASK;
    assert_int_equal(run_to_halt(), 17);
    assert_int_equal(frame64(0), 0);                    /* error code */
    assert_int_equal(frame64(1), 0x110003);             /* the MOVQ */
    env.cr[0] &= ~(uint64_t)CR0_AM;
}

void test_interrupt_injection(void **state)
{
    static const uint8_t nops_hlt[] = { 0x90, 0x90, 0xf4 };
    static const uint8_t sti_hlt[] = { 0xfb, 0xf4 };
    static const uint8_t spin[] = { 0xeb, 0xfe };        /* jmp $ */

    /* No controller: the caller is told the window is open. */
    env_prot32(0x110000);
    put_code(nops_hlt, sizeof(nops_hlt));
    env.eflags = 0x202;
    env.interrupt_request = CPU_INTERRUPT_HARD;
    ctx->get_interrupt = NULL;
    assert_int_equal(run_guest(), X86_EXIT_INTERRUPT_WINDOW);

    /* With one: delivered at the first boundary. */
    ctx->get_interrupt = test_get_interrupt;
    irq_acks = 0;
    assert_int_equal(run_to_halt(), 0x30);
    assert_int_equal(irq_acks, 1);
    assert_int_equal(rd32(env.regs[R_ESP]), 0x110000);

    /* HLT with IF=1 waits; a later interrupt wakes it after the HLT. */
    env_prot32(0x110000);
    env.eflags = 0x202;
    assert_int_equal(run_guest(), X86_EXIT_HALT);
    assert_int_equal(env.mp_state, X86_MP_HALTED);
    assert_int_equal(run_guest(), X86_EXIT_HALT);        /* still nothing to do */
    env.interrupt_request = CPU_INTERRUPT_HARD;
    assert_int_equal(run_to_halt(), 0x30);
    assert_int_equal(rd32(env.regs[R_ESP]), 0x110003);

    /* IF=0: the request stays pending. */
    env_prot32(0x110000);
    env.interrupt_request = CPU_INTERRUPT_HARD;
    assert_int_equal(run_guest(), X86_EXIT_HALT);
    assert_int_equal(env.rip, 0x110003);
    assert_int_equal(run_guest(), X86_EXIT_HALT);
    assert_int_equal(env.interrupt_request, CPU_INTERRUPT_HARD);

    /* STI's shadow: the HLT after STI runs before the interrupt. */
    env_prot32(0x110000);
    put_code(sti_hlt, sizeof(sti_hlt));
    env.interrupt_request = CPU_INTERRUPT_HARD;
    assert_int_equal(run_guest(), X86_EXIT_HALT);
    assert_int_equal(env.rip, 0x110002);
    assert_int_equal(run_to_halt(), 0x30);
    assert_int_equal(rd32(env.regs[R_ESP]), 0x110002);

    /* NMI ignores IF. */
    env_prot32(0x110000);
    put_code(spin, sizeof(spin));
    env.interrupt_request = CPU_INTERRUPT_NMI;
    assert_int_equal(run_to_halt(), 2);
    assert_int_equal(env.interrupt_request, 0);

    /* The budget and the exit request. */
    env_prot32(0x110000);
    env.mp_state = X86_MP_RUNNABLE;
    ctx->budget = 1000;
    x86_interp_env_changed(ctx);
    assert_int_equal(x86_interp_run(&env, ctx), X86_EXIT_SLICE);
    assert_int_equal(env.rip, 0x110000);
    env.interrupt_request = CPU_INTERRUPT_EXIT;
    assert_int_equal(x86_interp_run(&env, ctx), X86_EXIT_REQUEST);
    assert_int_equal(env.interrupt_request, 0);
    ctx->get_interrupt = NULL;
}

/* ---- Speed --------------------------------------------------------------------------------- */

/* CPU time of this thread: the machine may be busy with other work. */
static int64_t thread_cpu_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return ts.tv_sec * NANOSECONDS_PER_SECOND + ts.tv_nsec;
}

static double run_loop_mips(int entry, bool long_mode, uint64_t iterations)
{
    load_bin(long_mode ? "p64" : "p32", CODE);
    if (long_mode) {
        env_long64(entry64(entry));
    } else {
        env_prot32(entry32(entry));
    }
    wr64(R + 0x100, iterations);
    uint64_t before = ctx->insns;
    x86_interp_env_changed(ctx);
    ctx->budget = 0;
    int64_t t0 = thread_cpu_ns();
    assert_int_equal(x86_interp_run(&env, ctx), X86_EXIT_HALT);
    int64_t t1 = thread_cpu_ns();
    env.mp_state = X86_MP_RUNNABLE;
    uint64_t insns = ctx->insns - before;
    assert_true(insns >= 5 * iterations);
    return insns / ((t1 - t0) / 1e3);
}

/*
 * Not asserted: printed.  KEMU_INTERP_SPEED_ITERS sets the loop count (5
 * instructions each); the best of three runs is reported.
 */
void test_speed(void **state)
{
    const char *env_iters = g_getenv("KEMU_INTERP_SPEED_ITERS");
#ifdef __SANITIZE_ADDRESS__
    uint64_t n = 300 * 1000;            /* the number means little under ASan */
#else
    uint64_t n = 2 * 1000 * 1000;
#endif
    if (env_iters) {
        n = g_ascii_strtoull(env_iters, NULL, 0);
    }
    double m32 = 0, m64 = 0;

    for (int i = 0; i < 3; i++) {
        m32 = MAX(m32, run_loop_mips(16, false, n));
        m64 = MAX(m64, run_loop_mips(8, true, n));
    }
    printf("interp speed: %.0f MIPS (32-bit loop), %.0f MIPS (64-bit loop), "
           "per CPU second, best of 3\n",
           m32, m64);
}
