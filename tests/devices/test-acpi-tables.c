/*
 * ACPI table tests: the AML encoder's corner cases, the table-loader
 * commands, every table after loading (checksums, lengths, pointers), the
 * FADT's PM blocks, the MADT per CPU count, the HPET and serial options,
 * installation into guest RAM, and the DSDT through ACPICA's disassembler
 * (iasl, from Debian's acpica-tools; the test says SKIP loudly without it).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>
#include <glib.h>

#include "hw/acpi/aml-build.h"
#include "hw/acpi/bios-linker.h"
#include "hw/i386/acpi-build.h"
#include "hw/nvram/fw_cfg.h"
#include "tests/devices/harness.h"

#define TABLES_ADDR 0x000c0000      /* in the test's RAM */
#define RSDP_ADDR   0x000f5a40
#define RAM_SIZE    0x00100000
#define HOLE_ADDR   0x10000000

/* The tables as a guest sees them once the loader ran. */
typedef struct Loaded {
    AcpiTables t;
    uint8_t *tables;
    uint8_t rsdp[64];
} Loaded;

static uint32_t rd32(const uint8_t *p)
{
    return p[0] | p[1] << 8 | p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint16_t rd16(const uint8_t *p)
{
    return p[0] | p[1] << 8;
}

static AcpiBuildConfig default_config(void)
{
    return (AcpiBuildConfig){
        .cpus = 2, .below_4g_mem = 0x80000000, .serial = { true, false }, .hpet = true,
    };
}

static void load(const AcpiBuildConfig *cfg, Loaded *l)
{
    assert_true(acpi_build_tables(cfg, &l->t, NULL));
    l->tables = g_malloc(l->t.tables->len);
    assert_true(l->t.rsdp->len <= sizeof(l->rsdp));
    assert_true(acpi_tables_patch(&l->t, TABLES_ADDR, RSDP_ADDR, l->tables, l->rsdp, NULL));
}

static void unload(Loaded *l)
{
    acpi_tables_free(&l->t);
    g_free(l->tables);
}

/* Offset of a table from its guest address, checked to be a whole, summing table. */
static size_t table_at(const Loaded *l, uint64_t addr, const char *sig)
{
    assert_true(addr >= TABLES_ADDR && addr < TABLES_ADDR + l->t.tables->len);
    size_t off = addr - TABLES_ADDR;
    const uint8_t *p = l->tables + off;
    assert_memory_equal(p, sig, 4);
    uint32_t len = rd32(p + 4);
    assert_true(len >= ACPI_TABLE_HEADER_SIZE && off + len <= l->t.tables->len);
    assert_int_equal(acpi_checksum(p, len), 0);
    assert_memory_equal(p + 10, ACPI_OEM_ID, 6);
    return off;
}

/* The table with signature sig listed in the RSDT, or (size_t)-1. */
static size_t find_table(const Loaded *l, const char *sig)
{
    size_t rsdt = table_at(l, rd32(l->rsdp + 16), "RSDT");
    uint32_t len = rd32(l->tables + rsdt + 4);
    for (uint32_t i = ACPI_TABLE_HEADER_SIZE; i < len; i += 4) {
        uint32_t addr = rd32(l->tables + rsdt + i);
        if (!memcmp(l->tables + addr - TABLES_ADDR, sig, 4)) {
            return table_at(l, addr, sig);
        }
    }
    return (size_t)-1;
}

/* ---- AML encoding ------------------------------------------------------------------ */

static GByteArray *emit(Aml *node)
{
    GByteArray *out = g_byte_array_new();
    aml_emit(out, node);
    return out;
}

static void assert_bytes(Aml *node, const uint8_t *want, size_t len)
{
    GByteArray *got = emit(node);
    assert_int_equal(got->len, len);
    assert_memory_equal(got->data, want, len);
    g_byte_array_unref(got);
}

static void test_aml_pkg_length(void **state)
{
    /* Each case: the length without the PkgLength bytes, and the encoding. */
    static const struct {
        size_t len;
        uint8_t bytes[4];
        unsigned n;
    } cases[] = {
        { 0, { 0x01 }, 1 },
        { 62, { 0x3f }, 1 },
        { 63, { 0x41, 0x04 }, 2 },              /* 65 = 0x041 */
        { 0xffd, { 0x4f, 0xff }, 2 },           /* 0xfff */
        { 0xffe, { 0x81, 0x00, 0x01 }, 3 },     /* 0x1001 */
        { 0xffffc, { 0x8f, 0xff, 0xff }, 3 },
        { 0xffffd, { 0xc1, 0x00, 0x00, 0x01 }, 4 },
    };
    for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
        GByteArray *b = g_byte_array_new();
        aml_append_pkg_length(b, cases[i].len);
        assert_int_equal(b->len, cases[i].n);
        assert_memory_equal(b->data, cases[i].bytes, cases[i].n);
        g_byte_array_unref(b);
    }
}

static void test_aml_names_and_ints(void **state)
{
    static const uint8_t seg[] = { 'A', 'B', '_', '_' };
    assert_bytes(aml_name("AB"), seg, 4);
    static const uint8_t root[] = { '\\', '_', 'S', 'B', '_' };
    assert_bytes(aml_name("\\_SB"), root, 5);
    static const uint8_t dual[] = { 0x2e, '_', 'S', 'B', '_', 'P', 'C', 'I', '0' };
    assert_bytes(aml_name("_SB.PCI0"), dual, 9);
    static const uint8_t multi[] = { '\\', 0x2f, 3, '_', 'S', 'B', '_', 'P', 'C', 'I', '0',
                                     'I', 'S', 'A', '_' };
    assert_bytes(aml_name("\\_SB.PCI0.ISA"), multi, sizeof(multi));
    static const uint8_t parent[] = { '^', '^', 'X', '_', '_', '_' };
    assert_bytes(aml_name("^^X"), parent, 6);
    static const uint8_t null_root[] = { '\\', 0x00 };
    assert_bytes(aml_name("\\"), null_root, 2);

    static const uint8_t zero[] = { 0x00 }, one[] = { 0x01 }, ones[] = { 0xff };
    assert_bytes(aml_int(0), zero, 1);
    assert_bytes(aml_int(1), one, 1);
    assert_bytes(aml_int(UINT64_MAX), ones, 1);
    static const uint8_t b[] = { 0x0a, 0xff }, w[] = { 0x0b, 0x00, 0x01 };
    assert_bytes(aml_int(0xff), b, 2);
    assert_bytes(aml_int(0x100), w, 3);
    static const uint8_t d[] = { 0x0c, 0x00, 0x00, 0x01, 0x00 };
    assert_bytes(aml_int(0x10000), d, 5);
    static const uint8_t q[] = { 0x0e, 0, 0, 0, 0, 1, 0, 0, 0 };
    assert_bytes(aml_int(0x100000000ull), q, 9);
    static const uint8_t str[] = { 0x0d, 'h', 'i', 0x00 };
    assert_bytes(aml_string("hi"), str, 4);

    assert_int_equal(aml_eisaid_value("PNP0A03"), 0x030ad041);
    assert_int_equal(aml_eisaid_value("PNP0C0F"), 0x0f0cd041);
}

static void test_aml_blocks(void **state)
{
    /* Method(M, 1, Serialized) { Return (Arg0) } */
    Aml *m = aml_method("M", 1, true);
    aml_append(m, aml_return(aml_arg(0)));
    static const uint8_t method[] = { 0x14, 0x08, 'M', '_', '_', '_', 0x09, 0xa4, 0x68 };
    assert_bytes(m, method, sizeof(method));

    /* Package () { One, "a" } */
    Aml *p = aml_package();
    aml_append(p, aml_int(1));
    aml_append(p, aml_string("a"));
    static const uint8_t pkg[] = { 0x12, 0x06, 0x02, 0x01, 0x0d, 'a', 0x00 };
    assert_bytes(p, pkg, sizeof(pkg));

    /* ResourceTemplate () { IRQNoFlags () {4} }: Buffer (5) { 22 10 00 79 00 } */
    Aml *rt = aml_resource_template();
    aml_append(rt, aml_irq_no_flags(4));
    static const uint8_t res[] = { 0x11, 0x08, 0x0a, 0x05, 0x22, 0x10, 0x00, 0x79, 0x00 };
    assert_bytes(rt, res, sizeof(res));

    /* If (LEqual (Local0, One) && !Arg1) { Return (Zero) } Else { Return (One) } */
    Aml *blk = aml_block_new();
    Aml *cond = aml_if(aml_land(aml_lequal(aml_local(0), aml_int(1)), aml_lnot(aml_arg(1))));
    aml_append(cond, aml_return(aml_int(0)));
    aml_append(blk, cond);
    Aml *other = aml_else();
    aml_append(other, aml_return(aml_int(1)));
    aml_append(blk, other);
    aml_append(blk, aml_to_integer(aml_arg(0), aml_local(1)));
    aml_append(blk, aml_create_dword_field(aml_arg(0), aml_int(5), "F"));
    static const uint8_t logic[] = {
        0xa0, 0x09, 0x90, 0x93, 0x60, 0x01, 0x92, 0x69, 0xa4, 0x00,
        0xa1, 0x03, 0xa4, 0x01,
        0x99, 0x68, 0x61,
        0x8a, 0x68, 0x0a, 0x05, 'F', '_', '_', '_',
    };
    assert_bytes(blk, logic, sizeof(logic));

    /* Device (D) { } with a 70-byte body: a two-byte PkgLength. */
    Aml *dev = aml_device("D");
    uint8_t filler[64] = { 0 };
    aml_append(dev, aml_name_decl("B", aml_buffer(filler, 60)));
    GByteArray *out = emit(dev);
    assert_int_equal(out->data[0], 0x5b);
    assert_int_equal(out->data[1], 0x82);
    unsigned pkglen = (out->data[2] & 0x0f) | out->data[3] << 4;
    assert_int_equal(out->data[2] >> 6, 1);
    assert_int_equal(pkglen, out->len - 2);
    g_byte_array_unref(out);
}

/* ---- The table loader ------------------------------------------------------------------ */

static void test_linker_commands(void **state)
{
    AcpiBuildConfig cfg = default_config();
    AcpiTables t;
    assert_true(acpi_build_tables(&cfg, &t, NULL));
    GByteArray *l = t.linker;
    assert_int_equal(l->len % BIOS_LINKER_ENTRY_SIZE, 0);
    /* Both files are allocated first: tables high and 64-aligned, RSDP in the F segment. */
    assert_int_equal(rd32(l->data), BIOS_LINKER_CMD_ALLOCATE);
    assert_string_equal((const char *)l->data + 4, ACPI_BUILD_TABLE_FILE);
    assert_int_equal(rd32(l->data + 60), 64);
    assert_int_equal(l->data[64], BIOS_LINKER_ZONE_HIGH);
    assert_int_equal(rd32(l->data + 128), BIOS_LINKER_CMD_ALLOCATE);
    assert_string_equal((const char *)l->data + 132, ACPI_BUILD_RSDP_FILE);
    assert_int_equal(rd32(l->data + 188), 16);
    assert_int_equal(l->data[192], BIOS_LINKER_ZONE_FSEG);

    unsigned pointers = 0, checksums = 0;
    for (size_t at = 256; at < l->len; at += BIOS_LINKER_ENTRY_SIZE) {
        const uint8_t *e = l->data + at;
        if (rd32(e) == BIOS_LINKER_CMD_ADD_POINTER) {
            pointers++;
            const char *dest = (const char *)e + 4;
            size_t dest_len = !strcmp(dest, ACPI_BUILD_RSDP_FILE) ? t.rsdp->len : t.tables->len;
            assert_true(rd32(e + 116) + e[120] <= dest_len);
        } else {
            assert_int_equal(rd32(e), BIOS_LINKER_CMD_ADD_CHECKSUM);
            checksums++;
            /* The firmware sums with the checksum byte included: it must be 0. */
            const char *file = (const char *)e + 4;
            const GByteArray *blob = !strcmp(file, ACPI_BUILD_RSDP_FILE) ? t.rsdp : t.tables;
            assert_int_equal(blob->data[rd32(e + 60)], 0);
            assert_true(rd32(e + 64) + rd32(e + 68) <= blob->len);
        }
    }
    /* FADT: FACS, DSDT, X_DSDT; RSDT: FADT, MADT, HPET; RSDP: RSDT. */
    assert_int_equal(pointers, 7);
    /* DSDT, FADT, MADT, HPET, RSDT, RSDP. */
    assert_int_equal(checksums, 6);

    /* fw_cfg names fit; malformed command streams are refused. */
    uint8_t *copy = g_memdup2(t.tables->data, t.tables->len);
    uint8_t rsdp[64];
    memcpy(rsdp, t.rsdp->data, t.rsdp->len);
    BiosLinkerFile files[2] = {
        { ACPI_BUILD_TABLE_FILE, copy, t.tables->len, TABLES_ADDR + 8 },    /* misaligned */
        { ACPI_BUILD_RSDP_FILE, rsdp, t.rsdp->len, RSDP_ADDR },
    };
    Error *err = NULL;
    assert_false(bios_linker_apply(l, files, 2, &err));
    error_free(err);
    err = NULL;
    files[0].addr = 0xffffffc0;         /* pointers would not fit 32 bits */
    assert_false(bios_linker_apply(l, files, 2, &err));
    error_free(err);
    err = NULL;
    assert_false(bios_linker_apply(l, files, 1, &err));     /* RSDP file missing */
    error_free(err);
    err = NULL;
    GByteArray *bad = g_byte_array_new();
    bios_linker_allocate(bad, ACPI_BUILD_TABLE_FILE, 64, BIOS_LINKER_ZONE_HIGH);
    bios_linker_add_checksum(bad, ACPI_BUILD_TABLE_FILE, 0, 8, 0);
    bad->data[128 + 4 + 56 + 8] = 0xff;  /* length past the file */
    bad->data[128 + 4 + 56 + 9] = 0xff;
    bad->data[128 + 4 + 56 + 10] = 0xff;
    files[0].addr = TABLES_ADDR;
    assert_false(bios_linker_apply(bad, files, 2, &err));
    error_free(err);
    err = NULL;
    g_byte_array_set_size(bad, 100);    /* not whole commands */
    assert_false(bios_linker_apply(bad, files, 2, &err));
    error_free(err);
    g_byte_array_unref(bad);
    g_free(copy);
    acpi_tables_free(&t);
}

/* ---- The tables ------------------------------------------------------------------------ */

static void test_rsdp_rsdt_fadt(void **state)
{
    AcpiBuildConfig cfg = default_config();
    Loaded l;
    load(&cfg, &l);

    /* RSDP revision 0: 20 bytes summing to 0, pointing at the RSDT. */
    assert_int_equal(l.t.rsdp->len, 20);
    assert_memory_equal(l.rsdp, "RSD PTR ", 8);
    assert_int_equal(acpi_checksum(l.rsdp, 20), 0);
    assert_int_equal(l.rsdp[15], 0);
    size_t rsdt = table_at(&l, rd32(l.rsdp + 16), "RSDT");
    assert_int_equal(rd32(l.tables + rsdt + 4), ACPI_TABLE_HEADER_SIZE + 3 * 4);

    size_t fadt = find_table(&l, "FACP");
    const uint8_t *f = l.tables + fadt;
    assert_int_equal(rd32(f + 4), 244);
    assert_int_equal(f[8], 3);
    /* FACS: 64 bytes, 64-byte aligned in guest memory. */
    uint32_t facs = rd32(f + 36);
    assert_int_equal(facs % 64, 0);
    assert_memory_equal(l.tables + facs - TABLES_ADDR, "FACS", 4);
    assert_int_equal(rd32(l.tables + facs - TABLES_ADDR + 4), 64);
    /* DSDT and X_DSDT agree. */
    uint32_t dsdt = rd32(f + 40);
    table_at(&l, dsdt, "DSDT");
    assert_int_equal(rd32(f + 140), dsdt);
    assert_int_equal(rd32(f + 144), 0);
    /* The PIIX4 PM device's blocks. */
    assert_int_equal(rd16(f + 46), 9);                  /* SCI_INT */
    assert_int_equal(rd32(f + 48), 0xb2);               /* SMI_CMD */
    assert_int_equal(f[52], 0xf1);
    assert_int_equal(f[53], 0xf0);
    assert_int_equal(rd32(f + 56), 0x600);              /* PM1a_EVT_BLK */
    assert_int_equal(rd32(f + 64), 0x604);              /* PM1a_CNT_BLK */
    assert_int_equal(rd32(f + 76), 0x608);              /* PM_TMR_BLK */
    assert_int_equal(rd32(f + 80), 0xafe0);             /* GPE0_BLK */
    assert_int_equal(f[88], 4);
    assert_int_equal(f[89], 2);
    assert_int_equal(f[91], 4);
    assert_int_equal(f[92], 4);
    assert_int_equal(f[108], 0x32);                     /* CENTURY */
    assert_true(rd16(f + 109) & 0x0002);                /* 8042 */
    uint32_t flags = rd32(f + 112);
    assert_true(flags & (1u << 10));                    /* RESET_REG_SUP */
    assert_false(flags & (1u << 4));                    /* fixed power button */
    assert_false(flags & (1u << 8));                    /* 24-bit PM timer */
    assert_int_equal(f[116], 1);                        /* reset register in I/O space */
    assert_int_equal(rd32(f + 120), 0xcf9);
    assert_int_equal(f[128], 0x06);
    assert_int_equal(rd32(f + 148 + 4), 0x600);         /* X_PM1a_EVT_BLK */
    assert_int_equal(f[149], 32);
    assert_int_equal(rd32(f + 208 + 4), 0x608);         /* X_PM_TMR_BLK */
    assert_int_equal(rd32(f + 220 + 4), 0xafe0);        /* X_GPE0_BLK */

    /* HPET: the block id and base. */
    size_t hpet = find_table(&l, "HPET");
    assert_int_equal(rd32(l.tables + hpet + 36), 0x8086a201);
    assert_int_equal(rd32(l.tables + hpet + 44), 0xfed00000);
    unload(&l);
}

static unsigned madt_count(const Loaded *l, size_t madt, uint8_t type)
{
    unsigned n = 0;
    uint32_t len = rd32(l->tables + madt + 4);
    for (uint32_t at = 44; at < len; at += l->tables[madt + at + 1]) {
        assert_true(l->tables[madt + at + 1] >= 2);
        n += l->tables[madt + at] == type;
    }
    return n;
}

static void test_madt(void **state)
{
    static const unsigned smp[][2] = { { 1, 1 }, { 4, 4 }, { 2, 8 }, { 255, 255 } };
    for (size_t c = 0; c < G_N_ELEMENTS(smp); c++) {
        AcpiBuildConfig cfg = default_config();
        cfg.cpus = smp[c][0];
        cfg.max_cpus = smp[c][1];
        Loaded l;
        load(&cfg, &l);
        size_t madt = find_table(&l, "APIC");
        const uint8_t *m = l.tables + madt;
        assert_int_equal(rd32(m + 36), 0xfee00000);
        assert_int_equal(rd32(m + 40), 1);              /* PCAT_COMPAT */
        assert_int_equal(madt_count(&l, madt, 0), smp[c][1]);
        assert_int_equal(madt_count(&l, madt, 1), 1);
        assert_int_equal(madt_count(&l, madt, 2), 5);
        assert_int_equal(madt_count(&l, madt, 4), 1);

        /* Processor entries: UID = APIC id = index; enabled for the present ones. */
        const uint8_t *e = m + 44;
        for (unsigned i = 0; i < smp[c][1]; i++, e += 8) {
            assert_int_equal(e[0], 0);
            assert_int_equal(e[2], i);
            assert_int_equal(e[3], i);
            assert_int_equal(rd32(e + 4), i < smp[c][0] ? 1 : 0);
        }
        /* The IOAPIC, then IRQ0 -> GSI 2, then the level-triggered PCI IRQs. */
        assert_int_equal(e[0], 1);
        assert_int_equal(e[2], 0);
        assert_int_equal(rd32(e + 4), 0xfec00000);
        assert_int_equal(rd32(e + 8), 0);
        e += 12;
        assert_int_equal(e[3], 0);
        assert_int_equal(rd32(e + 4), 2);
        assert_int_equal(rd16(e + 8), 0);
        static const uint8_t level_irqs[] = { 5, 9, 10, 11 };
        for (int i = 0; i < 4; i++) {
            e += 10;
            assert_int_equal(e[0], 2);
            assert_int_equal(e[3], level_irqs[i]);
            assert_int_equal(rd32(e + 4), level_irqs[i]);
            assert_int_equal(rd16(e + 8), 0x000d);
        }
        e += 10;
        assert_int_equal(e[0], 4);                      /* LAPIC NMI on LINT1, all CPUs */
        assert_int_equal(e[2], 0xff);
        assert_int_equal(e[5], 1);
        unload(&l);
    }

    /* Explicit APIC ids (a topology with gaps). */
    static const uint8_t ids[3] = { 0, 2, 4 };
    AcpiBuildConfig cfg = default_config();
    cfg.cpus = 3;
    cfg.apic_ids = ids;
    Loaded l;
    load(&cfg, &l);
    size_t madt = find_table(&l, "APIC");
    assert_int_equal(l.tables[madt + 44 + 8 + 3], 2);
    assert_int_equal(l.tables[madt + 44 + 16 + 3], 4);
    unload(&l);
}

static bool blob_has(const GByteArray *b, const char *s)
{
    return memmem(b->data, b->len, s, strlen(s)) != NULL;
}

static void test_options_and_errors(void **state)
{
    AcpiBuildConfig cfg = default_config();
    cfg.hpet = false;
    cfg.serial[1] = true;
    cfg.pci_hole64_start = 0x800000000ull;
    cfg.pci_hole64_size = 0x800000000ull;
    Loaded l;
    load(&cfg, &l);
    assert_int_equal(find_table(&l, "HPET"), (size_t)-1);
    assert_true(blob_has(l.t.tables, "COM1"));
    assert_true(blob_has(l.t.tables, "COM2"));
    assert_false(blob_has(l.t.tables, "HPET"));
    unload(&l);

    cfg = default_config();
    cfg.serial[0] = false;
    load(&cfg, &l);
    assert_false(blob_has(l.t.tables, "COM1"));
    assert_true(blob_has(l.t.tables, "HPET"));
    unload(&l);

    static const struct {
        unsigned cpus, max_cpus;
        uint64_t below_4g;
    } bad[] = {
        { 0, 0, 0x80000000 }, { 4, 2, 0x80000000 }, { 1, 256, 0x80000000 },
        { 1, 1, 0xfec00000 },
    };
    for (size_t i = 0; i < G_N_ELEMENTS(bad); i++) {
        cfg = default_config();
        cfg.cpus = bad[i].cpus;
        cfg.max_cpus = bad[i].max_cpus;
        cfg.below_4g_mem = bad[i].below_4g;
        AcpiTables t = { 0 };
        Error *err = NULL;
        assert_false(acpi_build_tables(&cfg, &t, &err));
        assert_non_null(err);
        error_free(err);
        assert_null(t.tables);
    }
    static const uint8_t dup_ids[2] = { 1, 1 };
    cfg = default_config();
    cfg.apic_ids = dup_ids;
    AcpiTables t = { 0 };
    Error *err = NULL;
    assert_false(acpi_build_tables(&cfg, &t, &err));
    error_free(err);
}

static void test_install(void **state)
{
    static MemoryRegion ram;
    harness_init();
    assert_true(memory_region_init_ram(&ram, NULL, "acpi-test.ram", RAM_SIZE, NULL));
    memory_region_add_subregion(get_system_memory(), 0, &ram);

    AcpiBuildConfig cfg = default_config();
    Loaded l;
    load(&cfg, &l);
    assert_true(acpi_install_tables(&l.t, address_space_memory(), TABLES_ADDR, RSDP_ADDR,
                                    NULL));
    for (size_t i = 0; i < l.t.tables->len; i++) {
        assert_int_equal(harness_readb(TABLES_ADDR + i), l.tables[i]);
    }
    for (size_t i = 0; i < l.t.rsdp->len; i++) {
        assert_int_equal(harness_readb(RSDP_ADDR + i), l.rsdp[i]);
    }
    /* Not RAM, overlapping, misaligned, above 4G: errors. */
    Error *err = NULL;
    assert_false(acpi_install_tables(&l.t, address_space_memory(), HOLE_ADDR, RSDP_ADDR, &err));
    error_free(err);
    err = NULL;
    assert_false(acpi_install_tables(&l.t, address_space_memory(), TABLES_ADDR,
                                     TABLES_ADDR + 16, &err));
    error_free(err);
    err = NULL;
    assert_false(acpi_install_tables(&l.t, address_space_memory(), TABLES_ADDR, RSDP_ADDR + 4,
                                     &err));
    error_free(err);
    err = NULL;
    uint8_t *buf = g_malloc(l.t.tables->len);
    uint8_t rsdp[64];
    assert_false(acpi_tables_patch(&l.t, 0xffffff00, RSDP_ADDR, buf, rsdp, &err));
    error_free(err);
    g_free(buf);
    unload(&l);
    memory_region_del_subregion(get_system_memory(), &ram);
    memory_region_finalize(&ram);
}

static void assert_fw_cfg_file(FWCfgState *fw, const char *name, const GByteArray *blob)
{
    size_t len = 0;
    const uint8_t *data = fw_cfg_get_file(fw, name, &len);
    assert_non_null(data);
    assert_int_equal(len, blob->len);
    assert_memory_equal(data, blob->data, len);
}

static void test_fw_cfg_files(void **state)
{
    harness_init();
    FWCfgState *fw = fw_cfg_init_io(FW_CFG_IO_BASE, 0, NULL);
    assert_non_null(fw);
    AcpiBuildConfig cfg = default_config();
    AcpiTables t;
    assert_true(acpi_build_tables(&cfg, &t, NULL));
    acpi_tables_add_fw_cfg(&t, fw);
    acpi_tables_free(&t);

    /* A rebuild (the board does one on reset) replaces the files. */
    cfg.cpus = 4;
    assert_true(acpi_build_tables(&cfg, &t, NULL));
    acpi_tables_add_fw_cfg(&t, fw);
    assert_fw_cfg_file(fw, ACPI_BUILD_TABLE_FILE, t.tables);
    assert_fw_cfg_file(fw, ACPI_BUILD_RSDP_FILE, t.rsdp);
    assert_fw_cfg_file(fw, ACPI_BUILD_LOADER_FILE, t.linker);
    acpi_tables_free(&t);
}

/* ---- The DSDT through ACPICA's disassembler ------------------------------------------------ */

static char *run_iasl(const char *dir, const char *const *args, int *status)
{
    g_autoptr(GPtrArray) argv = g_ptr_array_new();
    g_ptr_array_add(argv, (gpointer)"iasl");
    for (int i = 0; args[i]; i++) {
        g_ptr_array_add(argv, (gpointer)args[i]);
    }
    g_ptr_array_add(argv, NULL);
    char *out = NULL, *errout = NULL;
    GError *gerr = NULL;
    assert_true(g_spawn_sync(dir, (char **)argv->pdata, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL,
                             &out, &errout, status, &gerr));
    char *all = g_strconcat(out, errout, NULL);
    g_free(out);
    g_free(errout);
    return all;
}

static void write_table(const char *dir, const char *name, const uint8_t *p)
{
    g_autofree char *path = g_build_filename(dir, name, NULL);
    assert_true(g_file_set_contents(path, (const char *)p, rd32(p + 4), NULL));
}

static char *read_text(const char *dir, const char *name)
{
    g_autofree char *path = g_build_filename(dir, name, NULL);
    char *text = NULL;
    assert_true(g_file_get_contents(path, &text, NULL, NULL));
    return text;
}

static void test_iasl(void **state)
{
    g_autofree char *iasl = g_find_program_in_path("iasl");
    if (!iasl) {
        fprintf(stderr, "SKIP: iasl not found: the DSDT is not checked by a real AML "
                        "disassembler (apt-get install acpica-tools)\n");
        skip();
    }
    AcpiBuildConfig cfg = default_config();
    cfg.cpus = 2;
    cfg.max_cpus = 4;
    cfg.serial[1] = true;
    cfg.pci_hole64_start = 0x800000000ull;
    cfg.pci_hole64_size = 0x800000000ull;
    Loaded l;
    load(&cfg, &l);
    g_autofree char *dir = g_dir_make_tmp("kemu-acpi-XXXXXX", NULL);
    assert_non_null(dir);

    const uint8_t *fadt = l.tables + find_table(&l, "FACP");
    const uint8_t *dsdt = l.tables + rd32(fadt + 40) - TABLES_ADDR;
    write_table(dir, "dsdt.dat", dsdt);
    write_table(dir, "facp.dat", fadt);
    write_table(dir, "apic.dat", l.tables + find_table(&l, "APIC"));
    write_table(dir, "hpet.dat", l.tables + find_table(&l, "HPET"));
    write_table(dir, "facs.dat", l.tables + rd32(fadt + 36) - TABLES_ADDR);

    static const char *const names[] = { "dsdt", "facp", "apic", "hpet", "facs" };
    for (size_t i = 0; i < G_N_ELEMENTS(names); i++) {
        g_autofree char *file = g_strconcat(names[i], ".dat", NULL);
        const char *args[] = { "-d", file, NULL };
        int status;
        g_autofree char *out = run_iasl(dir, args, &status);
        if (!g_spawn_check_wait_status(status, NULL) || strstr(out, "Error") ||
            strstr(out, "Invalid")) {
            fail_msg("iasl -d %s:\n%s", file, out);
        }
    }

    /* The decompiled DSDT has what the OS looks for. */
    g_autofree char *dsl = read_text(dir, "dsdt.dsl");
    static const char *const want[] = {
        "Device (PCI0)", "EisaId (\"PNP0A03\")", "Name (_PRT, Package (0x7C)",
        "Device (LNKA)", "Device (LNKD)", "EisaId (\"PNP0C0F\")", "Method (_SRS, 1",
        "Interrupt (ResourceConsumer, Level, ActiveHigh, Shared, ,, )",
        "OperationRegion (P40C, PCI_Config, 0x60, 0x04)", "Device (RTC)", "Device (KBD)",
        "Device (MOU)", "Device (COM1)", "Device (COM2)", "Device (HPET)",
        "Name (\\_S5, Package (0x04)", "Method (\\_PIC, 1", "WordBusNumber (ResourceProducer",
        "0xFEBFFFFF", "QWordMemory (ResourceProducer", "0x0000000FFFFFFFFF",
        "Device (C001)", "\"ACPI0007\"",
    };
    for (size_t i = 0; i < G_N_ELEMENTS(want); i++) {
        if (!strstr(dsl, want[i])) {
            fprintf(stderr, "%s\n", dsl);
            fail_msg("'%s' not in the decompiled DSDT (printed above)", want[i]);
        }
    }
    assert_null(strstr(dsl, "Device (C002)"));  /* absent CPUs have no device */

    /* And it compiles back without errors or warnings. */
    const char *args[] = { "-p", "dsdt-again", "dsdt.dsl", NULL };
    int status;
    g_autofree char *out = run_iasl(dir, args, &status);
    if (!g_spawn_check_wait_status(status, NULL) || !strstr(out, "0 Errors, 0 Warnings")) {
        fail_msg("iasl could not recompile the DSDT:\n%s", out);
    }

    /* KEMU_ACPI_KEEP=1 keeps the tables and listings for a look. */
    if (g_getenv("KEMU_ACPI_KEEP")) {
        fprintf(stderr, "ACPI tables and iasl listings kept in %s\n", dir);
    } else {
        g_autofree char *cmd = g_strdup_printf("rm -rf '%s'", dir);
        assert_int_equal(system(cmd), 0);
    }
    unload(&l);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_aml_pkg_length),
        cmocka_unit_test(test_aml_names_and_ints),
        cmocka_unit_test(test_aml_blocks),
        cmocka_unit_test(test_linker_commands),
        cmocka_unit_test(test_rsdp_rsdt_fadt),
        cmocka_unit_test(test_madt),
        cmocka_unit_test(test_options_and_errors),
        cmocka_unit_test(test_install),
        cmocka_unit_test(test_fw_cfg_files),
        cmocka_unit_test(test_iasl),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
