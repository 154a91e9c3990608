/*
 * The whole pc machine without a CPU: the board's wiring (PIT to the 8259
 * and the IOAPIC, CMOS memory sizes, fw_cfg, PCI IDs) and random writes to
 * every port and MMIO window of every device.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <glib.h>
#include <string.h>

#include "hw/i386/pc.h"
#include "hw/intc/ioapic.h"
#include "system/runstate.h"
#include "tests/devices/harness.h"

static PCMachineState *pcms;

static int setup_machine(void **state)
{
    harness_init();
    MachineClass *mc = machine_find_class("pc");
    assert_non_null(mc);
    MachineState *ms = machine_new(mc);
    ms->ram_size = 256ull << 20;
    ms->smp = (SMPConfig){ .cpus = 2, .sockets = 1, .cores = 2, .threads = 1, .max_cpus = 2 };
    ms->kernel_cmdline = g_strdup("");
    Error *err = NULL;
    if (!machine_build(ms, &err)) {
        fail_msg("%s", error_get_pretty(err));
    }
    qdev_reset_machine();
    pcms = PC_MACHINE(&ms->parent_obj);
    return 0;
}

static void test_pci_ids(void **state)
{
    harness_outl(0xcf8, 0x80000000);
    assert_int_equal(harness_inl(0xcfc), 0x12378086);      /* i440FX */
    harness_outl(0xcf8, 0x80000800);
    assert_int_equal(harness_inl(0xcfc), 0x70008086);      /* PIIX3 */
    harness_outl(0xcf8, 0x80000b00);
    assert_int_equal(harness_inl(0xcfc), 0x71138086);      /* PIIX4 PM */
    harness_outl(0xcf8, 0x80001000);
    assert_int_equal(harness_inl(0xcfc), 0xffffffff);      /* nothing in slot 2 */
}

static uint8_t cmos(uint8_t index)
{
    harness_outb(0x70, index);
    return harness_inb(0x71);
}

static void test_cmos_memory(void **state)
{
    assert_int_equal(cmos(0x15) | cmos(0x16) << 8, 640);
    assert_int_equal(cmos(0x17) | cmos(0x18) << 8, 0xffff);               /* capped */
    assert_int_equal(cmos(0x34) | cmos(0x35) << 8, (256 - 16) * 16);      /* 64 KiB units */
    assert_int_equal(cmos(0x5f), 1);                                       /* CPUs - 1 */
    assert_int_equal(cmos(0x3d), 0x12);                                   /* boot: c, then a */
}

static void test_fw_cfg(void **state)
{
    harness_outw(0x510, 0x0000);
    char sig[5] = { 0 };
    for (int i = 0; i < 4; i++) {
        sig[i] = harness_inb(0x511);
    }
    assert_string_equal(sig, "QEMU");
    harness_outw(0x510, 0x0005);                 /* FW_CFG_NB_CPUS */
    uint8_t lo = harness_inb(0x511);
    uint8_t hi = harness_inb(0x511);
    assert_int_equal(lo | hi << 8, 2);
    harness_outw(0x510, 0x0003);                 /* FW_CFG_RAM_SIZE */
    uint64_t ram = 0;
    for (int i = 0; i < 8; i++) {
        ram |= (uint64_t)harness_inb(0x511) << (8 * i);
    }
    assert_int_equal(ram, 256ull << 20);
}

/* PIT channel 0 in rate-generator mode must reach 8259 IR0 and IOAPIC pin 2. */
static void test_timer_interrupt_wiring(void **state)
{
    /* 8259: ICW1-4 with vectors 0x20, everything unmasked. */
    harness_outb(0x20, 0x11);
    harness_outb(0x21, 0x20);
    harness_outb(0x21, 0x04);
    harness_outb(0x21, 0x01);
    harness_outb(0x21, 0x00);
    /* IOAPIC pin 2: vector 0x30, unmasked, edge. */
    harness_writel(PC_IOAPIC_BASE, 0x10 + 2 * 2);
    harness_writel(PC_IOAPIC_BASE + 0x10, 0x30);
    uint64_t before = ioapic_get_delivery_count(pcms->ioapic, 2);

    harness_outb(0x43, 0x34);                    /* channel 0, lobyte/hibyte, mode 2 */
    harness_outb(0x40, 1193 & 0xff);             /* 1 kHz */
    harness_outb(0x40, 1193 >> 8);
    harness_clock_step(10 * 1000 * 1000);        /* 10 ms */

    harness_outb(0x20, 0x0a);                    /* OCW3: read IRR */
    assert_true(harness_inb(0x20) & 0x01);
    uint64_t after = ioapic_get_delivery_count(pcms->ioapic, 2);
    assert_true(after - before >= 9 && after - before <= 11);
}

static void test_fuzz_every_device(void **state)
{
    /* Every I/O port, then each MMIO window: IOAPIC, HPET, the legacy hole, BIOS. */
    harness_fuzz(true, 0, 0x10000, 200000, 1);
    harness_fuzz(false, PC_IOAPIC_BASE, 0x1000, 20000, 2);
    harness_fuzz(false, PC_HPET_BASE, 0x400, 20000, 3);
    harness_fuzz(false, 0xa0000, 0x60000, 20000, 4);
    harness_fuzz(false, 0xfffc0000, 0x40000, 5000, 5);
    /* PCI configuration space of every function through 0xCF8/0xCFC. */
    GRand *rand = g_rand_new_with_seed(6);
    for (int i = 0; i < 50000; i++) {
        uint32_t addr = 0x80000000 | (g_rand_int(rand) & 0x00ffff00) | (g_rand_int(rand) & 0xfc);
        harness_outl(0xcf8, addr);
        unsigned off = g_rand_int_range(rand, 0, 4);
        uint32_t val = g_rand_int(rand);
        switch (g_rand_int_range(rand, 0, 3)) {
        case 0:
            harness_outl(0xcfc, val);
            break;
        case 1:
            harness_outb(0xcfc + off, val);
            break;
        default:
            harness_inw(0xcfc + (off & 2));
            break;
        }
    }
    g_rand_free(rand);
    /* The machine still answers, and a reset puts it back. */
    qdev_reset_machine();
    harness_outl(0xcf8, 0x80000000);
    assert_int_equal(harness_inl(0xcfc), 0x12378086);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_pci_ids),
        cmocka_unit_test(test_cmos_memory),
        cmocka_unit_test(test_fw_cfg),
        cmocka_unit_test(test_timer_interrupt_wiring),
        cmocka_unit_test(test_fuzz_every_device),
    };
    return cmocka_run_group_tests(tests, setup_machine, NULL);
}
