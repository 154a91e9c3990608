/*
 * The pc machine's ACPI tables (ACPI 6.5, chapter 5; layouts as QEMU's pc
 * machine has them, so firmware and guests see the same platform).
 *
 * Choices:
 *  - RSDP revision 0 with an RSDT, FADT revision 3 (with X_ fields): what
 *    QEMU 7.2 gives the pc machine; Linux and Windows accept it.
 *  - DSDT revision 2 (64-bit integers): the optional 64-bit PCI window needs
 *    QWord values.
 *  - PCI interrupt links LNKA-LNKD are live: _STA/_CRS/_SRS/_DIS read and
 *    write the PIIX3 PIRQ route registers (config 0x60-0x63 of the ISA
 *    bridge) through a PCI_Config operation region, so the OS sees what the
 *    firmware or the board programmed and may reroute.
 *  - _PRT follows the PIIX3 wiring of the pc board: slot s, pin p (INTA = 0)
 *    goes to PIRQ (s + p - 1) mod 4, i.e. LNKA for 01.0 INTA.
 *  - Possible but absent CPUs (max_cpus > cpus) are listed disabled in the
 *    MADT, as QEMU does; the DSDT declares processor devices for the present
 *    ones only (no CPU hot plug).
 */
#include "hw/i386/acpi-build.h"

#include <string.h>

#include "hw/acpi/aml-build.h"
#include "hw/acpi/bios-linker.h"
#include "hw/nvram/fw_cfg.h"

#define PM_BASE_DEFAULT     0x600
#define GPE0_BASE_DEFAULT   0xafe0
#define GPE0_BLK_LEN        4
#define SCI_IRQ_DEFAULT     9
#define ISA_DEVFN_DEFAULT   0x08            /* 00:01.0 */
#define PIRQ_ROUTE_REG      0x60            /* PIIX3 PIRQRC[A:D] */
#define SMI_CMD_PORT        0xb2
#define ACPI_ENABLE_VALUE   0xf1
#define ACPI_DISABLE_VALUE  0xf0
#define RESET_PORT          0xcf9
#define RESET_VALUE         0x06            /* PIIX3 RCR: SYS_RST | RST_CPU */
#define RTC_CENTURY         0x32
#define LAPIC_BASE          0xfee00000u
#define IOAPIC_BASE         0xfec00000u
#define PCI_HOLE_END        0xfec00000u     /* the 32-bit window stops below the IOAPIC */
#define HPET_BASE           0xfed00000u
#define HPET_LEN            0x400
#define HPET_BLOCK_ID_DEFAULT 0x8086a201u   /* Intel, 64-bit, legacy route, 3 timers */
#define HPET_MIN_TICK       128

/* FADT (5.2.9): revision 3 layout. */
#define FADT_REVISION       3
#define FADT_SIZE           244
#define FADT_FIRMWARE_CTRL  36
#define FADT_DSDT           40
#define FADT_X_DSDT         140
#define FADT_F_WBINVD           (1u << 0)
#define FADT_F_PROC_C1          (1u << 2)
#define FADT_F_SLP_BUTTON       (1u << 5)
#define FADT_F_RTC_S4           (1u << 7)
#define FADT_F_RESET_REG_SUP    (1u << 10)
#define FADT_F_USE_PLATFORM_CLOCK (1u << 15)
#define FADT_BOOT_LEGACY_DEVICES 0x0001
#define FADT_BOOT_8042          0x0002

/* MADT (5.2.12). */
#define MADT_PCAT_COMPAT        1
#define MADT_TYPE_LAPIC         0
#define MADT_TYPE_IOAPIC        1
#define MADT_TYPE_ISO           2
#define MADT_TYPE_LAPIC_NMI     4
#define MADT_LAPIC_ENABLED      1
#define MADT_FLAGS_LEVEL_HIGH   0x000d      /* polarity 01 active high, trigger 11 level */
#define MADT_ALL_PROCESSORS     0xff

#define RSDP_REV0_SIZE          20
#define RSDP_RSDT_ADDRESS       16

typedef struct Builder {
    AcpiBuildConfig cfg;        /* with the defaults filled in */
    GByteArray *tables;
    GByteArray *linker;
} Builder;

static void add_pointer(Builder *b, size_t at, unsigned size)
{
    bios_linker_add_pointer(b->linker, ACPI_BUILD_TABLE_FILE, at, size, ACPI_BUILD_TABLE_FILE);
}

/* Close the table at start: set its length, ask the loader for its checksum. */
static void table_end(Builder *b, size_t start)
{
    acpi_table_end(b->tables, start);
    bios_linker_add_checksum(b->linker, ACPI_BUILD_TABLE_FILE, start, b->tables->len - start,
                             start + ACPI_HEADER_CHECKSUM_OFFSET);
}

/* ---- FACS (5.2.10) ---------------------------------------------------------------- */

static size_t build_facs(Builder *b)
{
    size_t start = b->tables->len;
    g_assert(start % ACPI_TABLES_ALIGN == 0);
    acpi_append_str(b->tables, "FACS", 4, ' ');
    acpi_append_int(b->tables, 64, 4);          /* Length */
    acpi_append_int(b->tables, 0, 4);           /* Hardware Signature */
    acpi_append_int(b->tables, 0, 4);           /* Firmware Waking Vector */
    acpi_append_int(b->tables, 0, 4);           /* Global Lock */
    acpi_append_int(b->tables, 0, 4);           /* Flags */
    acpi_append_int(b->tables, 0, 8);           /* X Firmware Waking Vector */
    acpi_append_int(b->tables, 1, 1);           /* Version */
    g_byte_array_set_size(b->tables, start + 64);
    memset(b->tables->data + start + 33, 0, 31);
    return start;
}

/* ---- DSDT --------------------------------------------------------------------------- */

static Aml *dsdt_pci0_crs(const AcpiBuildConfig *cfg)
{
    Aml *crs = aml_resource_template();
    aml_append(crs, aml_word_bus_number(0x00, 0xff));
    aml_append(crs, aml_io(0x0cf8, 0x0cf8, 0x01, 0x08));   /* config ports, consumed */
    aml_append(crs, aml_word_io(0x0000, 0x0cf7));
    aml_append(crs, aml_word_io(0x0d00, 0xffff));
    aml_append(crs, aml_dword_memory(true, 0x000a0000, 0x000bffff));   /* VGA window */
    aml_append(crs, aml_dword_memory(false, cfg->below_4g_mem, PCI_HOLE_END - 1));
    if (cfg->pci_hole64_size) {
        aml_append(crs, aml_qword_memory(false, cfg->pci_hole64_start,
                                         cfg->pci_hole64_start + cfg->pci_hole64_size - 1));
    }
    return crs;
}

static Aml *dsdt_prt(void)
{
    static const char *const links[4] = { "LNKA", "LNKB", "LNKC", "LNKD" };
    Aml *prt = aml_package();
    for (unsigned slot = 1; slot < 32; slot++) {
        for (unsigned pin = 0; pin < 4; pin++) {
            Aml *entry = aml_package();
            aml_append(entry, aml_int(slot << 16 | 0xffff));   /* _ADR: any function */
            aml_append(entry, aml_int(pin));
            aml_append(entry, aml_name(links[(slot + pin - 1) & 3]));
            aml_append(entry, aml_int(0));
            aml_append(prt, entry);
        }
    }
    return prt;
}

static Aml *dsdt_isa_device(const char *name, const char *hid, int uid, Aml *crs)
{
    Aml *dev = aml_device(name);
    aml_append(dev, aml_name_decl("_HID", aml_eisaid(hid)));
    if (uid >= 0) {
        aml_append(dev, aml_name_decl("_UID", aml_int(uid)));
    }
    aml_append(dev, aml_name_decl("_CRS", crs));
    return dev;
}

static Aml *dsdt_isa_bridge(const AcpiBuildConfig *cfg)
{
    Aml *isa = aml_device("ISA");
    aml_append(isa, aml_name_decl("_ADR", aml_int((cfg->isa_devfn >> 3) << 16 |
                                                  (cfg->isa_devfn & 7))));
    aml_append(isa, aml_operation_region("P40C", AML_REGION_PCI_CONFIG,
                                         aml_int(PIRQ_ROUTE_REG), aml_int(4)));

    Aml *crs = aml_resource_template();
    aml_append(crs, aml_io(0x0070, 0x0070, 0x10, 0x02));
    aml_append(crs, aml_irq_no_flags(8));
    aml_append(isa, dsdt_isa_device("RTC", "PNP0B00", -1, crs));

    crs = aml_resource_template();
    aml_append(crs, aml_io(0x0060, 0x0060, 0x01, 0x01));
    aml_append(crs, aml_io(0x0064, 0x0064, 0x01, 0x01));
    aml_append(crs, aml_irq_no_flags(1));
    aml_append(isa, dsdt_isa_device("KBD", "PNP0303", -1, crs));

    crs = aml_resource_template();
    aml_append(crs, aml_irq_no_flags(12));
    aml_append(isa, dsdt_isa_device("MOU", "PNP0F13", -1, crs));

    static const uint16_t com_port[2] = { 0x3f8, 0x2f8 };
    static const uint8_t com_irq[2] = { 4, 3 };
    static const char *const com_name[2] = { "COM1", "COM2" };
    for (int i = 0; i < 2; i++) {
        if (cfg->serial[i]) {
            crs = aml_resource_template();
            aml_append(crs, aml_io(com_port[i], com_port[i], 0x00, 0x08));
            aml_append(crs, aml_irq_no_flags(com_irq[i]));
            aml_append(isa, dsdt_isa_device(com_name[i], "PNP0501", i + 1, crs));
        }
    }
    return isa;
}

static Aml *link_irq_resource(const uint32_t *irqs, unsigned count)
{
    Aml *rt = aml_resource_template();
    aml_append(rt, aml_interrupt(true, false, true, irqs, count));
    return rt;
}

/*
 * IQST(PIRQ): _STA of a link, IQCR(PIRQ): its _CRS.  A route register with
 * bit 7 set is disabled; bits 3:0 are the ISA IRQ.
 */
static void dsdt_link_helpers(Aml *sb)
{
    Aml *m = aml_method("IQST", 1, false);
    Aml *dis = aml_if(aml_and(aml_int(0x80), aml_arg(0), NULL));
    aml_append(dis, aml_return(aml_int(0x09)));     /* present, functioning, disabled */
    aml_append(m, dis);
    aml_append(m, aml_return(aml_int(0x0b)));       /* ... and enabled */
    aml_append(sb, m);

    static const uint32_t none[1] = { 0 };
    m = aml_method("IQCR", 1, true);
    aml_append(m, aml_name_decl("PRR0", link_irq_resource(none, 1)));
    /* Extended interrupt descriptor: the first interrupt number is at byte 5. */
    aml_append(m, aml_create_dword_field(aml_name("PRR0"), aml_int(5), "PRRI"));
    Aml *on = aml_if(aml_lless(aml_arg(0), aml_int(0x80)));
    aml_append(on, aml_store(aml_and(aml_arg(0), aml_int(0x0f), NULL), aml_name("PRRI")));
    aml_append(m, on);
    aml_append(m, aml_return(aml_name("PRR0")));
    aml_append(sb, m);
}

static Aml *dsdt_link(unsigned n)
{
    static const uint32_t prs[3] = { 5, 10, 11 };
    char name[5], reg[32];
    g_snprintf(name, sizeof(name), "LNK%c", 'A' + n);
    g_snprintf(reg, sizeof(reg), "\\_SB.PCI0.ISA.PRQ%u", n);

    Aml *dev = aml_device(name);
    aml_append(dev, aml_name_decl("_HID", aml_eisaid("PNP0C0F")));
    aml_append(dev, aml_name_decl("_UID", aml_int(n)));
    aml_append(dev, aml_name_decl("_PRS", link_irq_resource(prs, 3)));

    Aml *m = aml_method("_STA", 0, false);
    aml_append(m, aml_return(aml_call("IQST", 1, aml_name(reg))));
    aml_append(dev, m);

    m = aml_method("_DIS", 0, false);
    aml_append(m, aml_or(aml_name(reg), aml_int(0x80), aml_name(reg)));
    aml_append(dev, m);

    m = aml_method("_CRS", 0, false);
    aml_append(m, aml_return(aml_call("IQCR", 1, aml_name(reg))));
    aml_append(dev, m);

    m = aml_method("_SRS", 1, false);
    aml_append(m, aml_create_dword_field(aml_arg(0), aml_int(5), "PRRI"));
    aml_append(m, aml_store(aml_name("PRRI"), aml_name(reg)));
    aml_append(dev, m);
    return dev;
}

static size_t build_dsdt(Builder *b)
{
    const AcpiBuildConfig *cfg = &b->cfg;
    size_t start = acpi_table_begin(b->tables, "DSDT", 2);
    Aml *body = aml_block_new();

    /* \_PIC(model): the OS says whether it uses the PIC (0) or the IOAPIC (1). */
    aml_append(body, aml_name_decl("\\PICF", aml_int(0)));
    Aml *pic = aml_method("\\_PIC", 1, false);
    aml_append(pic, aml_store(aml_arg(0), aml_name("\\PICF")));
    aml_append(body, pic);

    /* \_S5: SLP_TYP 0 for PM1a and PM1b, as the PIIX4 PM device expects. */
    Aml *s5 = aml_package();
    for (int i = 0; i < 4; i++) {
        aml_append(s5, aml_int(0));
    }
    aml_append(body, aml_name_decl("\\_S5", s5));

    Aml *sb = aml_scope("\\_SB");
    Aml *pci0 = aml_device("PCI0");
    aml_append(pci0, aml_name_decl("_HID", aml_eisaid("PNP0A03")));
    aml_append(pci0, aml_name_decl("_UID", aml_int(0)));
    aml_append(pci0, aml_name_decl("_CRS", dsdt_pci0_crs(cfg)));
    aml_append(pci0, aml_name_decl("_PRT", dsdt_prt()));
    aml_append(pci0, dsdt_isa_bridge(cfg));
    aml_append(sb, pci0);

    /* The PIRQ route registers, one byte each. */
    Aml *scope = aml_scope("\\_SB.PCI0.ISA");
    Aml *field = aml_field("P40C", AML_FIELD_BYTE_ACC | AML_FIELD_NOLOCK | AML_FIELD_PRESERVE);
    for (int i = 0; i < 4; i++) {
        char name[5];
        g_snprintf(name, sizeof(name), "PRQ%d", i);
        aml_field_add(field, name, 8);
    }
    aml_append(scope, field);
    aml_append(sb, scope);

    dsdt_link_helpers(sb);
    for (unsigned n = 0; n < 4; n++) {
        aml_append(sb, dsdt_link(n));
    }

    if (cfg->hpet) {
        Aml *crs = aml_resource_template();
        aml_append(crs, aml_memory32_fixed(HPET_BASE, HPET_LEN, false));
        Aml *hpet = aml_device("HPET");
        aml_append(hpet, aml_name_decl("_HID", aml_eisaid("PNP0103")));
        aml_append(hpet, aml_name_decl("_UID", aml_int(0)));
        aml_append(hpet, aml_name_decl("_CRS", crs));
        aml_append(sb, hpet);
    }

    for (unsigned i = 0; i < cfg->cpus; i++) {
        char name[5];
        g_snprintf(name, sizeof(name), "C%03X", i);
        Aml *cpu = aml_device(name);
        aml_append(cpu, aml_name_decl("_HID", aml_string("ACPI0007")));
        aml_append(cpu, aml_name_decl("_UID", aml_int(i)));    /* = MADT processor UID */
        aml_append(sb, cpu);
    }
    aml_append(body, sb);

    aml_emit(b->tables, body);
    table_end(b, start);
    return start;
}

/* ---- FADT (5.2.9) ------------------------------------------------------------------- */

static size_t build_fadt(Builder *b, size_t facs, size_t dsdt)
{
    const AcpiBuildConfig *cfg = &b->cfg;
    GByteArray *t = b->tables;
    size_t start = acpi_table_begin(t, "FACP", FADT_REVISION);

    acpi_append_int(t, facs, 4);                /* FIRMWARE_CTRL: an offset until linked */
    acpi_append_int(t, dsdt, 4);                /* DSDT */
    acpi_append_int(t, 1, 1);                   /* ex-INT_MODEL: 1 for ACPI 1.0 OSes */
    acpi_append_int(t, 0, 1);                   /* Preferred_PM_Profile: unspecified */
    acpi_append_int(t, cfg->sci_irq, 2);
    acpi_append_int(t, SMI_CMD_PORT, 4);
    acpi_append_int(t, ACPI_ENABLE_VALUE, 1);
    acpi_append_int(t, ACPI_DISABLE_VALUE, 1);
    acpi_append_int(t, 0, 1);                   /* S4BIOS_REQ */
    acpi_append_int(t, 0, 1);                   /* PSTATE_CNT */
    acpi_append_int(t, cfg->pm_base, 4);        /* PM1a_EVT_BLK */
    acpi_append_int(t, 0, 4);                   /* PM1b_EVT_BLK */
    acpi_append_int(t, cfg->pm_base + 4, 4);    /* PM1a_CNT_BLK */
    acpi_append_int(t, 0, 4);                   /* PM1b_CNT_BLK */
    acpi_append_int(t, 0, 4);                   /* PM2_CNT_BLK */
    acpi_append_int(t, cfg->pm_base + 8, 4);    /* PM_TMR_BLK */
    acpi_append_int(t, cfg->gpe0_base, 4);      /* GPE0_BLK */
    acpi_append_int(t, 0, 4);                   /* GPE1_BLK */
    acpi_append_int(t, 4, 1);                   /* PM1_EVT_LEN */
    acpi_append_int(t, 2, 1);                   /* PM1_CNT_LEN */
    acpi_append_int(t, 0, 1);                   /* PM2_CNT_LEN */
    acpi_append_int(t, 4, 1);                   /* PM_TMR_LEN */
    acpi_append_int(t, GPE0_BLK_LEN, 1);
    acpi_append_int(t, 0, 1);                   /* GPE1_BLK_LEN */
    acpi_append_int(t, 0, 1);                   /* GPE1_BASE */
    acpi_append_int(t, 0, 1);                   /* CST_CNT */
    acpi_append_int(t, 0xfff, 2);               /* P_LVL2_LAT: > 100, no C2 */
    acpi_append_int(t, 0xfff, 2);               /* P_LVL3_LAT: > 1000, no C3 */
    acpi_append_int(t, 0, 2);                   /* FLUSH_SIZE */
    acpi_append_int(t, 0, 2);                   /* FLUSH_STRIDE */
    acpi_append_int(t, 0, 1);                   /* DUTY_OFFSET */
    acpi_append_int(t, 0, 1);                   /* DUTY_WIDTH */
    acpi_append_int(t, 0, 1);                   /* DAY_ALRM */
    acpi_append_int(t, 0, 1);                   /* MON_ALRM */
    acpi_append_int(t, RTC_CENTURY, 1);
    acpi_append_int(t, FADT_BOOT_LEGACY_DEVICES | FADT_BOOT_8042, 2);
    acpi_append_int(t, 0, 1);                   /* Reserved */
    acpi_append_int(t, FADT_F_WBINVD | FADT_F_PROC_C1 | FADT_F_SLP_BUTTON | FADT_F_RTC_S4 |
                       FADT_F_RESET_REG_SUP | FADT_F_USE_PLATFORM_CLOCK, 4);
    acpi_append_gas(t, ACPI_GAS_SYSTEM_IO, 8, 0, ACPI_GAS_ACCESS_BYTE, RESET_PORT);
    acpi_append_int(t, RESET_VALUE, 1);
    acpi_append_int(t, 0, 2);                   /* ARM_BOOT_ARCH */
    acpi_append_int(t, 0, 1);                   /* FADT Minor Version */
    acpi_append_int(t, 0, 8);                   /* X_FIRMWARE_CTRL: FIRMWARE_CTRL is used */
    acpi_append_int(t, dsdt, 8);                /* X_DSDT */
    acpi_append_gas(t, ACPI_GAS_SYSTEM_IO, 32, 0, ACPI_GAS_ACCESS_WORD, cfg->pm_base);
    acpi_append_gas(t, 0, 0, 0, 0, 0);          /* X_PM1b_EVT_BLK */
    acpi_append_gas(t, ACPI_GAS_SYSTEM_IO, 16, 0, ACPI_GAS_ACCESS_WORD, cfg->pm_base + 4);
    acpi_append_gas(t, 0, 0, 0, 0, 0);          /* X_PM1b_CNT_BLK */
    acpi_append_gas(t, 0, 0, 0, 0, 0);          /* X_PM2_CNT_BLK */
    acpi_append_gas(t, ACPI_GAS_SYSTEM_IO, 32, 0, ACPI_GAS_ACCESS_DWORD, cfg->pm_base + 8);
    acpi_append_gas(t, ACPI_GAS_SYSTEM_IO, GPE0_BLK_LEN * 8, 0, ACPI_GAS_ACCESS_BYTE,
                    cfg->gpe0_base);
    acpi_append_gas(t, 0, 0, 0, 0, 0);          /* X_GPE1_BLK */
    g_assert(t->len - start == FADT_SIZE);

    add_pointer(b, start + FADT_FIRMWARE_CTRL, 4);
    add_pointer(b, start + FADT_DSDT, 4);
    add_pointer(b, start + FADT_X_DSDT, 8);
    table_end(b, start);
    return start;
}

/* ---- MADT (5.2.12) ------------------------------------------------------------------ */

static void madt_iso(GByteArray *t, uint8_t irq, uint32_t gsi, uint16_t flags)
{
    acpi_append_int(t, MADT_TYPE_ISO, 1);
    acpi_append_int(t, 10, 1);
    acpi_append_int(t, 0, 1);                   /* Bus: ISA */
    acpi_append_int(t, irq, 1);
    acpi_append_int(t, gsi, 4);
    acpi_append_int(t, flags, 2);
}

static size_t build_madt(Builder *b)
{
    const AcpiBuildConfig *cfg = &b->cfg;
    GByteArray *t = b->tables;
    size_t start = acpi_table_begin(t, "APIC", 1);

    acpi_append_int(t, LAPIC_BASE, 4);
    acpi_append_int(t, MADT_PCAT_COMPAT, 4);
    for (unsigned i = 0; i < cfg->max_cpus; i++) {
        acpi_append_int(t, MADT_TYPE_LAPIC, 1);
        acpi_append_int(t, 8, 1);
        acpi_append_int(t, i, 1);               /* ACPI Processor UID */
        acpi_append_int(t, cfg->apic_ids ? cfg->apic_ids[i] : i, 1);
        acpi_append_int(t, i < cfg->cpus ? MADT_LAPIC_ENABLED : 0, 4);
    }

    acpi_append_int(t, MADT_TYPE_IOAPIC, 1);
    acpi_append_int(t, 12, 1);
    acpi_append_int(t, cfg->ioapic_id, 1);
    acpi_append_int(t, 0, 1);
    acpi_append_int(t, IOAPIC_BASE, 4);
    acpi_append_int(t, 0, 4);                   /* GSI base */

    /* The PIT's IRQ 0 is wired to IOAPIC pin 2; PCI IRQs are level, active high. */
    madt_iso(t, 0, 2, 0);
    for (uint8_t irq = 1; irq < 16; irq++) {
        if (irq == 5 || irq == 10 || irq == 11 || irq == cfg->sci_irq) {
            madt_iso(t, irq, irq, MADT_FLAGS_LEVEL_HIGH);
        }
    }

    acpi_append_int(t, MADT_TYPE_LAPIC_NMI, 1);
    acpi_append_int(t, 6, 1);
    acpi_append_int(t, MADT_ALL_PROCESSORS, 1);
    acpi_append_int(t, 0, 2);                   /* flags: conforms to the bus */
    acpi_append_int(t, 1, 1);                   /* LINT1 */
    table_end(b, start);
    return start;
}

/* ---- HPET (IA-PC HPET specification 1.0a, 3.2.4) -------------------------------------- */

static size_t build_hpet(Builder *b)
{
    GByteArray *t = b->tables;
    size_t start = acpi_table_begin(t, "HPET", 1);
    acpi_append_int(t, b->cfg.hpet_block_id, 4);
    acpi_append_gas(t, ACPI_GAS_SYSTEM_MEMORY, 0, 0, 0, HPET_BASE);
    acpi_append_int(t, 0, 1);                   /* HPET number */
    acpi_append_int(t, HPET_MIN_TICK, 2);       /* minimum periodic tick */
    acpi_append_int(t, 0, 1);                   /* page protection: none */
    table_end(b, start);
    return start;
}

/* ---- RSDT (5.2.7) and RSDP (5.2.5) -------------------------------------------------- */

static size_t build_rsdt(Builder *b, const size_t *entries, unsigned count)
{
    size_t start = acpi_table_begin(b->tables, "RSDT", 1);
    for (unsigned i = 0; i < count; i++) {
        size_t at = b->tables->len;
        acpi_append_int(b->tables, entries[i], 4);
        add_pointer(b, at, 4);
    }
    table_end(b, start);
    return start;
}

static void build_rsdp(GByteArray *rsdp, GByteArray *linker, size_t rsdt)
{
    acpi_append_str(rsdp, "RSD PTR ", 8, ' ');
    acpi_append_int(rsdp, 0, 1);                /* Checksum, by the loader */
    acpi_append_str(rsdp, ACPI_OEM_ID, 6, ' ');
    acpi_append_int(rsdp, 0, 1);                /* Revision 0: ACPI 1.0, RSDT only */
    acpi_append_int(rsdp, rsdt, 4);
    g_assert(rsdp->len == RSDP_REV0_SIZE);
    bios_linker_add_pointer(linker, ACPI_BUILD_RSDP_FILE, RSDP_RSDT_ADDRESS, 4,
                            ACPI_BUILD_TABLE_FILE);
    bios_linker_add_checksum(linker, ACPI_BUILD_RSDP_FILE, 0, RSDP_REV0_SIZE, 8);
}

/* ---- Entry points ---------------------------------------------------------------------- */

static bool config_check(AcpiBuildConfig *cfg, Error **errp)
{
    if (!cfg->max_cpus) {
        cfg->max_cpus = cfg->cpus;
    }
    cfg->pm_base = cfg->pm_base ? cfg->pm_base : PM_BASE_DEFAULT;
    cfg->gpe0_base = cfg->gpe0_base ? cfg->gpe0_base : GPE0_BASE_DEFAULT;
    cfg->sci_irq = cfg->sci_irq ? cfg->sci_irq : SCI_IRQ_DEFAULT;
    cfg->isa_devfn = cfg->isa_devfn ? cfg->isa_devfn : ISA_DEVFN_DEFAULT;
    cfg->hpet_block_id = cfg->hpet_block_id ? cfg->hpet_block_id : HPET_BLOCK_ID_DEFAULT;

    if (cfg->cpus < 1 || cfg->cpus > cfg->max_cpus || cfg->max_cpus > ACPI_BUILD_MAX_CPUS) {
        error_setg(errp, "ACPI: %u CPUs of %u possible: need 1 <= cpus <= maxcpus <= %d",
                   cfg->cpus, cfg->max_cpus, ACPI_BUILD_MAX_CPUS);
        return false;
    }
    if (cfg->apic_ids) {
        uint8_t seen[32] = { 0 };
        for (unsigned i = 0; i < cfg->max_cpus; i++) {
            uint8_t id = cfg->apic_ids[i];
            if (id == 0xff || (seen[id / 8] & (1u << (id % 8)))) {
                error_setg(errp, "ACPI: APIC id %u of CPU %u is the broadcast id or a duplicate",
                           id, i);
                return false;
            }
            seen[id / 8] |= 1u << (id % 8);
        }
    }
    if (cfg->below_4g_mem >= PCI_HOLE_END) {
        error_setg(errp, "ACPI: RAM below 4G (0x%" G_GINT64_MODIFIER "x) leaves no PCI window",
                   cfg->below_4g_mem);
        return false;
    }
    if (cfg->pci_hole64_size &&
        (cfg->pci_hole64_start < (1ull << 32) ||
         cfg->pci_hole64_start + cfg->pci_hole64_size - 1 < cfg->pci_hole64_start)) {
        error_setg(errp, "ACPI: bad 64-bit PCI window");
        return false;
    }
    if (cfg->sci_irq >= 16 || cfg->sci_irq == 2 || cfg->pm_base > 0x10000 - 64 ||
        cfg->gpe0_base > 0x10000 - GPE0_BLK_LEN || cfg->ioapic_id > 15) {
        error_setg(errp, "ACPI: bad SCI IRQ, PM base, GPE0 base or IOAPIC id");
        return false;
    }
    return true;
}

bool acpi_build_tables(const AcpiBuildConfig *config, AcpiTables *out, Error **errp)
{
    Builder b = { .cfg = *config };
    if (!config_check(&b.cfg, errp)) {
        return false;
    }
    b.tables = g_byte_array_new();
    b.linker = g_byte_array_new();
    GByteArray *rsdp = g_byte_array_new();

    /* The loader places both files first: every later command refers to them. */
    bios_linker_allocate(b.linker, ACPI_BUILD_TABLE_FILE, ACPI_TABLES_ALIGN,
                         BIOS_LINKER_ZONE_HIGH);
    bios_linker_allocate(b.linker, ACPI_BUILD_RSDP_FILE, ACPI_RSDP_ALIGN,
                         BIOS_LINKER_ZONE_FSEG);

    size_t facs = build_facs(&b);
    size_t dsdt = build_dsdt(&b);
    size_t entries[3];
    unsigned n = 0;
    entries[n++] = build_fadt(&b, facs, dsdt);
    entries[n++] = build_madt(&b);
    if (b.cfg.hpet) {
        entries[n++] = build_hpet(&b);
    }
    size_t rsdt = build_rsdt(&b, entries, n);
    build_rsdp(rsdp, b.linker, rsdt);

    out->tables = b.tables;
    out->rsdp = rsdp;
    out->linker = b.linker;
    return true;
}

void acpi_tables_free(AcpiTables *t)
{
    g_clear_pointer(&t->tables, g_byte_array_unref);
    g_clear_pointer(&t->rsdp, g_byte_array_unref);
    g_clear_pointer(&t->linker, g_byte_array_unref);
}

void acpi_tables_add_fw_cfg(const AcpiTables *t, FWCfgState *fw_cfg)
{
    /* Modify, not add: a rebuild on reset replaces the files. */
    fw_cfg_modify_file(fw_cfg, ACPI_BUILD_TABLE_FILE, t->tables->data, t->tables->len);
    fw_cfg_modify_file(fw_cfg, ACPI_BUILD_RSDP_FILE, t->rsdp->data, t->rsdp->len);
    fw_cfg_modify_file(fw_cfg, ACPI_BUILD_LOADER_FILE, t->linker->data, t->linker->len);
}

bool acpi_tables_patch(const AcpiTables *t, uint64_t tables_addr, uint64_t rsdp_addr,
                       uint8_t *tables_out, uint8_t *rsdp_out, Error **errp)
{
    if (tables_addr + t->tables->len > (1ull << 32) || rsdp_addr + t->rsdp->len > (1ull << 32)) {
        error_setg(errp, "ACPI tables must lie below 4 GiB");
        return false;
    }
    memcpy(tables_out, t->tables->data, t->tables->len);
    memcpy(rsdp_out, t->rsdp->data, t->rsdp->len);
    BiosLinkerFile files[2] = {
        { ACPI_BUILD_TABLE_FILE, tables_out, t->tables->len, tables_addr },
        { ACPI_BUILD_RSDP_FILE, rsdp_out, t->rsdp->len, rsdp_addr },
    };
    return bios_linker_apply(t->linker, files, 2, errp);
}

static bool ram_range_ok(AddressSpace *as, uint64_t addr, uint64_t len)
{
    hwaddr plen = len;
    return address_space_ram_ptr(as, addr, &plen, true) && plen >= len;
}

bool acpi_install_tables(const AcpiTables *t, AddressSpace *as, uint64_t tables_addr,
                         uint64_t rsdp_addr, Error **errp)
{
    uint64_t tlen = t->tables->len, rlen = t->rsdp->len;
    if (tables_addr < rsdp_addr + rlen && rsdp_addr < tables_addr + tlen) {
        error_setg(errp, "ACPI tables and RSDP overlap");
        return false;
    }
    if (!ram_range_ok(as, tables_addr, tlen) || !ram_range_ok(as, rsdp_addr, rlen)) {
        error_setg(errp, "ACPI tables at 0x%" G_GINT64_MODIFIER "x or RSDP at 0x%"
                   G_GINT64_MODIFIER "x not in writable RAM", tables_addr, rsdp_addr);
        return false;
    }
    g_autofree uint8_t *tables = g_malloc(tlen);
    g_autofree uint8_t *rsdp = g_malloc(rlen);
    if (!acpi_tables_patch(t, tables_addr, rsdp_addr, tables, rsdp, errp)) {
        return false;
    }
    address_space_write(as, tables_addr, tables, tlen);
    address_space_write(as, rsdp_addr, rsdp, rlen);
    return true;
}
