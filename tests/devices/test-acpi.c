/*
 * PIIX4 PM device tests on a bare PCI bus: PMBA/PMIOSE decoding, the PM
 * timer against virtual time, TMR_STS and the SCI, the power button, S5,
 * ACPI enable through 0xB2, GPE0, the empty SMBus, reset, VMState, fuzz.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <glib.h>

#include "hw/acpi/piix4-pm.h"
#include "migration/vmstate.h"
#include "system/runstate.h"
#include "system/timer.h"
#include "tests/devices/harness.h"

#define PM_DEVFN    PCI_DEVFN(1, 3)
#define PM_BASE     PIIX4_PM_BASE_DEFAULT
#define PM1_STS     (PM_BASE + ACPI_PM1_STS)
#define PM1_EN      (PM_BASE + ACPI_PM1_EN)
#define PM1_CNT     (PM_BASE + ACPI_PM1_CNT)
#define PM_TMR      (PM_BASE + ACPI_PM_TMR)
#define SMB_BASE    0xb100
#define TMR_MASK    0xffffffu

static PCIBus *bus;
static PCIDevice *pm;
static IRQProbe *sci;

/* ---- Helpers -------------------------------------------------------------------- */

static uint32_t cfg_addr(unsigned reg)
{
    return 0x80000000u | (PM_DEVFN << 8) | (reg & 0xfc);
}

static uint32_t cfg_read(unsigned reg, int len)
{
    return pci_host_config_read(bus, cfg_addr(reg), reg & 3, len);
}

static void cfg_write(unsigned reg, uint32_t val, int len)
{
    pci_host_config_write(bus, cfg_addr(reg), reg & 3, val, len);
}

static void setup_once(void)
{
    if (bus) {
        return;
    }
    harness_init();
    DeviceState *host = qdev_new("harness-isa-bridge");
    assert_true(qdev_realize_and_unref(host, NULL, NULL));
    bus = pci_root_bus_new(host, "pci.acpi", get_system_memory(), get_system_io(), 0);
    pm = pci_create_simple(bus, PM_DEVFN, TYPE_PIIX4_PM, NULL);
    assert_non_null(pm);
    sci = harness_isa_irq(PIIX4_SCI_IRQ);
    piix4_pm_set_sci_irq(pm, sci->line);
}

/* Each test starts from a reset device the "firmware" put at 0x600, SCI low. */
static int test_setup(void **state)
{
    setup_once();
    runstate_process_requests();        /* drop what an earlier test left */
    qdev_reset_all(&pm->parent_obj);
    cfg_write(0x40, PM_BASE | 1, 4);
    cfg_write(0x80, 0x01, 1);
    harness_irq_probe_reset(sci);
    return 0;
}

static uint32_t tmr_expect(int64_t ns)
{
    return (uint32_t)((unsigned __int128)ns * ACPI_PM_TIMER_FREQUENCY /
                      NANOSECONDS_PER_SECOND) & TMR_MASK;
}

static void acpi_enable(void)
{
    harness_outb(APM_CNT_PORT, ACPI_ENABLE_CMD);
    assert_true(harness_inw(PM1_CNT) & ACPI_BITMASK_SCI_EN);
}

/* ---- Configuration space --------------------------------------------------------- */

static void test_config_ids(void **state)
{
    assert_int_equal(cfg_read(PCI_VENDOR_ID, 2), PCI_VENDOR_ID_INTEL);
    assert_int_equal(cfg_read(PCI_DEVICE_ID, 2), PIIX4_PM_DEVICE_ID);
    assert_int_equal(cfg_read(PCI_REVISION_ID, 1), PIIX4_PM_REVISION);
    assert_int_equal(cfg_read(PCI_CLASS_DEVICE, 2), PCI_CLASS_BRIDGE_OTHER);
}

static void test_pmba_decode(void **state)
{
    qdev_reset_all(&pm->parent_obj);
    /* After reset: PMBA 0 with the I/O bit, PMIOSE off, nothing decoded. */
    assert_int_equal(cfg_read(0x40, 4), 0x00000001);
    assert_int_equal(cfg_read(0x80, 1), 0);
    assert_int_equal(harness_inl(PM_TMR), 0xffffffff);

    /* Only bits 15:6 are writable; bit 0 stays 1. */
    cfg_write(0x40, 0xffffffff, 4);
    assert_int_equal(cfg_read(0x40, 4), 0x0000ffc1);
    cfg_write(0x40, 0x0000e000, 4);
    assert_int_equal(harness_inl(0xe000 + ACPI_PM_TMR), 0xffffffff);
    cfg_write(0x80, 0xff, 1);
    assert_int_equal(cfg_read(0x80, 1), 0x01);
    assert_int_equal(harness_inl(0xe000 + ACPI_PM_TMR) >> 24, 0);   /* 24-bit timer */

    /* Moving the base moves the block; clearing PMIOSE hides it. */
    cfg_write(0x40, 0x0000e041, 4);     /* low bits below 6 ignored: base 0xe040 */
    assert_int_equal(harness_inl(0xe000 + ACPI_PM_TMR), 0xffffffff);
    assert_int_equal(harness_inl(0xe040 + ACPI_PM_TMR) >> 24, 0);
    cfg_write(0x80, 0, 1);
    assert_int_equal(harness_inl(0xe040 + ACPI_PM_TMR), 0xffffffff);

    cfg_write(0x40, PM_BASE, 4);
    cfg_write(0x80, 0x01, 1);
    assert_int_equal(cfg_read(0x40, 4), PM_BASE | 1);
    assert_int_equal(harness_inl(PM_TMR) >> 24, 0);
}

/* ---- PM timer ---------------------------------------------------------------------- */

static void test_pm_timer_rate(void **state)
{
    assert_int_equal(harness_inl(PM_TMR), tmr_expect(harness_clock_ns()));
    uint32_t t0 = harness_inl(PM_TMR);
    harness_clock_step(NANOSECONDS_PER_SECOND);
    uint32_t t1 = harness_inl(PM_TMR);
    uint32_t ticks = (t1 - t0) & TMR_MASK;
    /* 3.579545 MHz: one second is 3579545 ticks, give or take the rounding. */
    assert_in_range(ticks, ACPI_PM_TIMER_FREQUENCY - 1, ACPI_PM_TIMER_FREQUENCY + 1);
    assert_int_equal(t1, tmr_expect(harness_clock_ns()));

    /* Word and byte reads see the same counter. */
    uint32_t lo = harness_inw(PM_TMR), hi = harness_inb(PM_TMR + 2);
    assert_int_equal(lo | hi << 16, harness_inl(PM_TMR));
    assert_int_equal(harness_inb(PM_TMR + 3), 0);

    /* Writes are ignored. */
    harness_outl(PM_TMR, 0);
    assert_int_equal(harness_inl(PM_TMR), tmr_expect(harness_clock_ns()));
}

static void test_pm_timer_wrap(void **state)
{
    /* Step to just before the 24-bit counter wraps, then past it. */
    uint32_t now = harness_inl(PM_TMR);
    uint64_t to_wrap = (1u << 24) - now;
    int64_t ns = (int64_t)((to_wrap - 10) * NANOSECONDS_PER_SECOND / ACPI_PM_TIMER_FREQUENCY);
    harness_clock_step(ns);
    uint32_t before = harness_inl(PM_TMR);
    assert_true(before > TMR_MASK - 20);
    harness_clock_step(100000);         /* 100 us: about 358 ticks */
    uint32_t after = harness_inl(PM_TMR);
    assert_true(after < 400);
    assert_int_equal(after, tmr_expect(harness_clock_ns()));
}

/* Virtual ns until bit 23 of the timer next toggles. */
static int64_t ns_to_toggle(void)
{
    int64_t now = harness_clock_ns();
    uint64_t ticks = (uint64_t)((unsigned __int128)now * ACPI_PM_TIMER_FREQUENCY /
                                NANOSECONDS_PER_SECOND);
    uint64_t next = (ticks | 0x7fffff) + 1;
    int64_t at = (int64_t)(((unsigned __int128)next * NANOSECONDS_PER_SECOND +
                            ACPI_PM_TIMER_FREQUENCY - 1) / ACPI_PM_TIMER_FREQUENCY);
    return at - now;
}

static void test_tmr_sts_sci(void **state)
{
    acpi_enable();
    harness_outw(PM1_STS, 0xffff);      /* clear everything */
    harness_outw(PM1_EN, ACPI_BITMASK_TIMER);
    assert_int_equal(harness_inw(PM1_EN), ACPI_BITMASK_TIMER);
    assert_int_equal(sci->level, 0);

    int64_t left = ns_to_toggle();
    harness_clock_step(left - 1000);
    assert_false(harness_inw(PM1_STS) & ACPI_BITMASK_TIMER);
    assert_int_equal(sci->level, 0);

    /* The timer raises the SCI by itself, without a status read. */
    harness_clock_step(2000);
    assert_int_equal(sci->level, 1);
    assert_int_equal(sci->raises, 1);
    assert_true(harness_inw(PM1_STS) & ACPI_BITMASK_TIMER);

    /* Write 1 to clear: the line drops; writing 0 changes nothing. */
    harness_outw(PM1_STS, 0);
    assert_true(harness_inw(PM1_STS) & ACPI_BITMASK_TIMER);
    harness_outw(PM1_STS, ACPI_BITMASK_TIMER);
    assert_false(harness_inw(PM1_STS) & ACPI_BITMASK_TIMER);
    assert_int_equal(sci->level, 0);

    /* Next toggle is 2^23 ticks (about 2.34 s) later. */
    harness_clock_step(ns_to_toggle() + 1);
    assert_int_equal(sci->level, 1);

    /* TMR_EN off: status still sets, no SCI. */
    harness_outw(PM1_STS, ACPI_BITMASK_TIMER);
    harness_outw(PM1_EN, 0);
    harness_clock_step(ns_to_toggle() + 1);
    assert_int_equal(sci->level, 0);
    assert_true(harness_inw(PM1_STS) & ACPI_BITMASK_TIMER);
}

/* ---- Power button, sleep, ACPI mode ------------------------------------------------- */

static void test_power_button(void **state)
{
    acpi_enable();
    harness_outw(PM1_STS, 0xffff);

    /* Not enabled: status only. */
    qemu_system_powerdown_request();
    assert_false(runstate_process_requests());
    assert_true(harness_inw(PM1_STS) & ACPI_BITMASK_PWRBTN);
    assert_int_equal(sci->level, 0);

    /* Enabling with the status pending raises the SCI at once. */
    harness_outw(PM1_EN, ACPI_BITMASK_PWRBTN);
    assert_int_equal(sci->level, 1);
    harness_outw(PM1_STS, ACPI_BITMASK_PWRBTN);
    assert_int_equal(sci->level, 0);
    assert_false(harness_inw(PM1_STS) & ACPI_BITMASK_PWRBTN);

    qemu_system_powerdown_request();
    assert_false(runstate_process_requests());
    assert_true(harness_inw(PM1_STS) & ACPI_BITMASK_PWRBTN);
    assert_int_equal(sci->level, 1);

    /* Byte write of the high half clears it too. */
    harness_outb(PM1_STS + 1, ACPI_BITMASK_PWRBTN >> 8);
    assert_int_equal(sci->level, 0);

    /* With ACPI off (SCI_EN clear) the event raises nothing. */
    harness_outb(APM_CNT_PORT, ACPI_DISABLE_CMD);
    qemu_system_powerdown_request();
    runstate_process_requests();
    assert_int_equal(sci->level, 0);
    acpi_enable();                      /* pending status now reaches the SCI */
    assert_int_equal(sci->level, 1);
}

static void test_sleep_s5(void **state)
{
    assert_false(runstate_process_requests());
    /* SLP_TYP without SLP_EN: stored, nothing happens. */
    harness_outw(PM1_CNT, PIIX4_SLP_TYP_S5 << ACPI_SLP_TYP_SHIFT | ACPI_BITMASK_SCI_EN);
    assert_false(runstate_process_requests());
    /* S3 (type 1) is not supported: ignored. */
    harness_outw(PM1_CNT, 1 << ACPI_SLP_TYP_SHIFT | ACPI_BITMASK_SLP_EN);
    assert_false(runstate_process_requests());
    /* SLP_EN reads back 0. */
    assert_false(harness_inw(PM1_CNT) & ACPI_BITMASK_SLP_EN);
    /* S5: a guest shutdown request. */
    harness_outw(PM1_CNT, PIIX4_SLP_TYP_S5 << ACPI_SLP_TYP_SHIFT | ACPI_BITMASK_SLP_EN);
    assert_true(runstate_process_requests());
    assert_false(runstate_process_requests());
    /* Through a byte write of the high half as well. */
    harness_outb(PM1_CNT + 1, ACPI_BITMASK_SLP_EN >> 8);
    assert_true(runstate_process_requests());
}

static void test_apm_acpi_enable(void **state)
{
    assert_false(harness_inw(PM1_CNT) & ACPI_BITMASK_SCI_EN);
    harness_outb(APM_CNT_PORT, ACPI_ENABLE_CMD);
    assert_true(harness_inw(PM1_CNT) & ACPI_BITMASK_SCI_EN);
    assert_int_equal(harness_inb(APM_CNT_PORT), ACPI_ENABLE_CMD);
    harness_outb(APM_CNT_PORT, 0x42);   /* other commands leave SCI_EN alone */
    assert_true(harness_inw(PM1_CNT) & ACPI_BITMASK_SCI_EN);
    harness_outb(APM_CNT_PORT, ACPI_DISABLE_CMD);
    assert_false(harness_inw(PM1_CNT) & ACPI_BITMASK_SCI_EN);
    /* 0xB3 is a scratch byte. */
    harness_outb(APM_STS_PORT, 0x5a);
    assert_int_equal(harness_inb(APM_STS_PORT), 0x5a);
    assert_int_equal(harness_inw(APM_CNT_PORT), 0x5a00 | ACPI_DISABLE_CMD);
}

static void test_gpe0(void **state)
{
    acpi_enable();
    assert_int_equal(harness_inl(PIIX4_GPE0_BASE), 0);
    /* Enable is read/write; status ignores writes of 1 to clear bits. */
    harness_outw(PIIX4_GPE0_BASE + 2, 0x0006);
    assert_int_equal(harness_inw(PIIX4_GPE0_BASE + 2), 0x0006);
    harness_outw(PIIX4_GPE0_BASE, 0xffff);
    assert_int_equal(harness_inw(PIIX4_GPE0_BASE), 0);

    piix4_pm_gpe_set(pm, 0);            /* not enabled */
    assert_int_equal(harness_inw(PIIX4_GPE0_BASE), 0x0001);
    assert_int_equal(sci->level, 0);
    piix4_pm_gpe_set(pm, 1);            /* enabled */
    assert_int_equal(sci->level, 1);
    assert_int_equal(harness_inl(PIIX4_GPE0_BASE), 0x00060003);
    harness_outb(PIIX4_GPE0_BASE, 0x02);
    assert_int_equal(sci->level, 0);
    assert_int_equal(harness_inw(PIIX4_GPE0_BASE), 0x0001);

    /* Reset clears both halves. */
    qdev_reset_all(&pm->parent_obj);
    assert_int_equal(harness_inl(PIIX4_GPE0_BASE), 0);
}

/* ---- SMBus --------------------------------------------------------------------------- */

static void test_smbus_empty(void **state)
{
    /* Off until SMBBA, SMB_HST_EN and PCI I/O decode are all set. */
    cfg_write(0x90, SMB_BASE, 4);
    assert_int_equal(cfg_read(0x90, 4), SMB_BASE | 1);
    cfg_write(0xd2, 0x01, 1);
    assert_int_equal(harness_inb(SMB_BASE), 0xff);
    cfg_write(PCI_COMMAND, PCI_COMMAND_IO, 2);
    assert_int_equal(harness_inb(SMB_BASE), 0);

    /* A quick write to address 0x50: nobody answers. */
    harness_outb(SMB_BASE + 0x04, 0x50 << 1);
    harness_outb(SMB_BASE + 0x03, 0x00);
    harness_outb(SMB_BASE + 0x02, 0x40);
    uint8_t sts = harness_inb(SMB_BASE);
    assert_false(sts & 0x01);           /* not busy */
    assert_true(sts & 0x04);            /* DEV_ERR */
    assert_int_equal(harness_inb(SMB_BASE + 0x04), 0x50 << 1);
    harness_outb(SMB_BASE, sts);        /* write 1 to clear */
    assert_int_equal(harness_inb(SMB_BASE), 0);

    cfg_write(0xd2, 0x00, 1);
    assert_int_equal(harness_inb(SMB_BASE), 0xff);
}

/* ---- Reset and VMState ------------------------------------------------------------------ */

static void test_reset_and_vmstate(void **state)
{
    acpi_enable();
    harness_outw(PM1_EN, ACPI_BITMASK_PWRBTN | ACPI_BITMASK_TIMER);
    harness_outw(PIIX4_GPE0_BASE + 2, 0x0010);
    harness_outb(APM_STS_PORT, 0x77);
    qemu_system_powerdown_request();
    runstate_process_requests();
    assert_int_equal(sci->level, 1);

    const VMStateDescription *vmsd = DEVICE_GET_CLASS(&pm->parent_obj)->vmsd;
    GByteArray *saved = g_byte_array_new();
    assert_true(vmstate_save(saved, vmsd, pm, NULL));

    qdev_reset_all(&pm->parent_obj);
    assert_int_equal(sci->level, 0);
    assert_int_equal(harness_inl(PM_TMR), 0xffffffff);    /* PMIOSE cleared */
    assert_int_equal(harness_inw(PIIX4_GPE0_BASE + 2), 0);

    size_t pos = 0;
    assert_true(vmstate_load(saved->data, saved->len, &pos, vmsd, pm, vmsd->version_id, NULL));
    assert_int_equal(pos, saved->len);
    assert_int_equal(sci->level, 1);
    assert_int_equal(harness_inw(PM1_EN), ACPI_BITMASK_PWRBTN | ACPI_BITMASK_TIMER);
    assert_true(harness_inw(PM1_STS) & ACPI_BITMASK_PWRBTN);
    assert_true(harness_inw(PM1_CNT) & ACPI_BITMASK_SCI_EN);
    assert_int_equal(harness_inw(PIIX4_GPE0_BASE + 2), 0x0010);
    assert_int_equal(harness_inb(APM_STS_PORT), 0x77);

    /* A truncated stream fails cleanly. */
    pos = 0;
    Error *err = NULL;
    assert_false(vmstate_load(saved->data, saved->len - 1, &pos, vmsd, pm, vmsd->version_id,
                              &err));
    assert_non_null(err);
    error_free(err);
    g_byte_array_unref(saved);
}

/* ---- Fuzz --------------------------------------------------------------------------------- */

static void test_fuzz(void **state)
{
    acpi_enable();
    harness_fuzz(true, PM_BASE, PIIX4_PM_IO_SIZE, 20000, 1);
    harness_fuzz(true, PIIX4_GPE0_BASE, PIIX4_GPE0_LEN, 5000, 2);
    harness_fuzz(true, APM_CNT_PORT, 2, 2000, 3);

    /* Configuration space: random writes move and toggle the windows. */
    GRand *rand = g_rand_new_with_seed(4);
    static const int sizes[] = { 1, 2, 4 };
    for (int i = 0; i < 20000; i++) {
        int len = sizes[g_rand_int_range(rand, 0, 3)];
        unsigned reg = g_rand_int_range(rand, 0, 256) & ~(len - 1);
        if (g_rand_boolean(rand)) {
            cfg_write(reg, g_rand_int(rand), len);
        } else {
            cfg_read(reg, len);
        }
        if (i % 100 == 0) {
            harness_inl(PM_TMR);
            harness_clock_step(g_rand_int_range(rand, 0, 1000000));
        }
    }
    g_rand_free(rand);
    /* Whatever the guest did, reset brings back the power-on state. */
    runstate_process_requests();
    qdev_reset_all(&pm->parent_obj);
    assert_int_equal(cfg_read(0x40, 4), 1);
    assert_int_equal(sci->level, 0);
}

/*
 * Direct boot: the board programs the base once and every reset puts it
 * back.  Runs last: the device remembers the base from now on.
 */
static void test_set_base_survives_reset(void **state)
{
    cfg_write(0x80, 0, 1);
    piix4_pm_set_base(pm, 0xb000);
    assert_int_equal(cfg_read(0x40, 4), 0xb001);
    assert_int_equal(cfg_read(0x80, 1), 0x01);
    assert_int_equal(harness_inl(0xb000 + ACPI_PM_TMR) >> 24, 0);
    assert_int_equal(harness_inl(PM_TMR), 0xffffffff);
    /* The guest may move it; a reset brings it back. */
    cfg_write(0x40, 0xc000, 4);
    assert_int_equal(harness_inl(0xb000 + ACPI_PM_TMR), 0xffffffff);
    qdev_reset_all(&pm->parent_obj);
    assert_int_equal(cfg_read(0x40, 4), 0xb001);
    assert_int_equal(harness_inl(0xc000 + ACPI_PM_TMR), 0xffffffff);
    assert_int_equal(harness_inl(0xb000 + ACPI_PM_TMR) >> 24, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_config_ids, test_setup),
        cmocka_unit_test_setup(test_pmba_decode, test_setup),
        cmocka_unit_test_setup(test_pm_timer_rate, test_setup),
        cmocka_unit_test_setup(test_pm_timer_wrap, test_setup),
        cmocka_unit_test_setup(test_tmr_sts_sci, test_setup),
        cmocka_unit_test_setup(test_power_button, test_setup),
        cmocka_unit_test_setup(test_sleep_s5, test_setup),
        cmocka_unit_test_setup(test_apm_acpi_enable, test_setup),
        cmocka_unit_test_setup(test_gpe0, test_setup),
        cmocka_unit_test_setup(test_smbus_empty, test_setup),
        cmocka_unit_test_setup(test_reset_and_vmstate, test_setup),
        cmocka_unit_test_setup(test_fuzz, test_setup),
        cmocka_unit_test_setup(test_set_base_survives_reset, test_setup),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
