/*
 * PIIX4 function 3: power management and SMBus (Intel 82371AB PIIX4
 * datasheet, 7 "Power Management Configuration Registers", 11 "System
 * Management Bus"; the registers' ACPI meaning from ACPI 6.5, 4.8).
 *
 * What is modelled:
 *  - PMBA (0x40) and PMIOSE (0x80 bit 0) place the 64-byte PM block; only the
 *    ACPI fixed registers (PM1 status/enable/control, PM timer) do anything,
 *    the PIIX4's own extras (throttling, GPIO, global/device control) read 0.
 *  - The GPE0 block lives at the fixed 0xafe0 of QEMU's pc machine.
 *  - 0xB2/0xB3: a write of ACPI_ENABLE/ACPI_DISABLE to 0xB2 sets/clears
 *    SCI_EN.  There is no SMM: nothing else happens on an APM write.
 *  - SCI_EN chooses SCI over SMI (4.8.3.2.1); with it clear, events raise no
 *    interrupt at all since there is no SMI handler.
 *  - SLP_EN with SLP_TYP 0 (\_S5 in the DSDT) powers off.  S1-S4 are not
 *    offered by the DSDT and are ignored.
 *  - SMBus host at SMBBA (0x90) when SMB_HST_EN (0xD2 bit 0) and PCI
 *    I/O decode are on: no device answers, so a started transaction ends at
 *    once with DEV_ERR, as a NAKed address does.  No SMBus interrupt.
 */
#include "hw/acpi/piix4-pm.h"

#include "migration/vmstate.h"
#include "system/runstate.h"
#include "system/timer.h"
#include "util/log.h"

/* Function 3 configuration registers. */
#define PIIX4_PMBA              0x40    /* bits 15:6 base, bit 0 reads 1 (I/O) */
#define PIIX4_PMREGMISC         0x80
#define  PIIX4_PMIOSE               0x01
#define PIIX4_SMBBA             0x90    /* bits 15:4 base, bit 0 reads 1 (I/O) */
#define PIIX4_SMBHSTCFG         0xd2
#define  PIIX4_SMB_HST_EN           0x01

/* SMBus host registers, offsets from SMBBA. */
#define SMB_IO_SIZE             16
#define SMBHSTSTS               0x00
#define  SMBHSTSTS_HOST_BUSY        0x01
#define  SMBHSTSTS_INTR             0x02
#define  SMBHSTSTS_DEV_ERR          0x04
#define  SMBHSTSTS_BUS_ERR          0x08
#define  SMBHSTSTS_FAILED           0x10
#define SMBHSTCNT               0x02
#define  SMBHSTCNT_KILL             0x02
#define  SMBHSTCNT_START            0x40
#define SMBHSTCMD               0x03
#define SMBHSTADD               0x04
#define SMBHSTDAT0              0x05
#define SMBHSTDAT1              0x06
#define SMBBLKDAT               0x07

/* Events that raise the SCI when enabled (4.8.3.1). */
#define PM1_SCI_EVENTS (ACPI_BITMASK_TIMER | ACPI_BITMASK_GBL | ACPI_BITMASK_PWRBTN | \
                        ACPI_BITMASK_SLPBTN | ACPI_BITMASK_RTC)
#define PM1_STS_BITS (PM1_SCI_EVENTS | ACPI_BITMASK_WAKE)
#define PM1_CNT_STORED (ACPI_BITMASK_SCI_EN | 0x0002 | ACPI_SLP_TYP_MASK) /* BM_RLD too */
#define PM_TMR_BITS 24

typedef struct PIIX4PMState {
    PCIDevice parent_obj;
    bool smbus;                 /* property: offer the SMBus host */
    uint16_t boot_base;         /* piix4_pm_set_base(): reapplied by every reset */
    MemoryRegion pm_io;
    MemoryRegion gpe_io;
    MemoryRegion apm_io;
    MemoryRegion smb_io;
    bool pm_io_mapped;
    bool smb_io_mapped;
    IRQLine *sci_irq;
    Timer *tmr_timer;           /* runs while TMR_EN is set, for the SCI */
    int64_t tmr_overflow_ns;    /* when bit 23 of the PM timer next toggles */
    uint16_t pm1_sts;
    uint16_t pm1_en;
    uint16_t pm1_cnt;
    uint16_t gpe_sts;
    uint16_t gpe_en;
    uint8_t apmc;
    uint8_t apms;
    uint8_t smb_sts;
    uint8_t smb_cnt;
    uint8_t smb_cmd;
    uint8_t smb_addr;
    uint8_t smb_data0;
    uint8_t smb_data1;
} PIIX4PMState;

static void (*piix4_pm_parent_reset)(DeviceState *dev);

static PIIX4PMState *PIIX4_PM(PCIDevice *dev)
{
    return (PIIX4PMState *)object_check(&dev->parent_obj.parent_obj, TYPE_PIIX4_PM);
}

static bool ranges_overlap(uint32_t a, uint32_t alen, uint32_t b, uint32_t blen)
{
    return a < b + blen && b < a + alen;
}

/* ---- PM timer ------------------------------------------------------------------ */

static uint64_t pm_tmr_ticks(int64_t ns)
{
    if (ns < 0) {
        ns = 0;
    }
    return (uint64_t)((unsigned __int128)ns * ACPI_PM_TIMER_FREQUENCY / NANOSECONDS_PER_SECOND);
}

/* The first ns at which the tick count reaches ticks. */
static int64_t pm_tmr_ns(uint64_t ticks)
{
    unsigned __int128 n = (unsigned __int128)ticks * NANOSECONDS_PER_SECOND;
    return (int64_t)((n + ACPI_PM_TIMER_FREQUENCY - 1) / ACPI_PM_TIMER_FREQUENCY);
}

static void pm_tmr_schedule_next(PIIX4PMState *s, int64_t now)
{
    /* TMR_STS is set each time bit 23 toggles: every 2^23 ticks (4.8.3.3). */
    uint64_t next = (pm_tmr_ticks(now) | ((1u << (PM_TMR_BITS - 1)) - 1)) + 1;
    s->tmr_overflow_ns = pm_tmr_ns(next);
}

/* Fold an elapsed toggle into TMR_STS. */
static void pm_tmr_update_sts(PIIX4PMState *s)
{
    int64_t now = clock_get_ns(CLOCK_VIRTUAL);
    if (now >= s->tmr_overflow_ns) {
        s->pm1_sts |= ACPI_BITMASK_TIMER;
        pm_tmr_schedule_next(s, now);
    }
}

static void pm_tmr_rearm(PIIX4PMState *s)
{
    if (s->pm1_en & ACPI_BITMASK_TIMER) {
        timer_mod(s->tmr_timer, s->tmr_overflow_ns);
    } else {
        timer_del(s->tmr_timer);
    }
}

/* ---- SCI ---------------------------------------------------------------------- */

static void pm_update_sci(PIIX4PMState *s)
{
    if (!s->tmr_timer) {
        return;                 /* not realized */
    }
    bool level = (s->pm1_cnt & ACPI_BITMASK_SCI_EN) &&
                 ((s->pm1_sts & s->pm1_en & PM1_SCI_EVENTS) || (s->gpe_sts & s->gpe_en));
    irq_set(s->sci_irq, level);
    pm_tmr_rearm(s);
}

static void pm_tmr_expired(void *opaque)
{
    PIIX4PMState *s = opaque;
    pm_tmr_update_sts(s);
    pm_update_sci(s);
}

static void pm_powerdown(void *opaque)
{
    PIIX4PMState *s = opaque;
    s->pm1_sts |= ACPI_BITMASK_PWRBTN;
    pm_update_sci(s);
}

/* ---- Register files as bytes ----------------------------------------------------- */

/*
 * The PM and GPE blocks accept accesses of any size at any offset (firmware
 * and OSes differ); a register is a (start, width) pair and an access is cut
 * into the registers it touches.  Bytes outside any register read 0.
 */
typedef struct RegSpan {
    unsigned start;
    unsigned width;
} RegSpan;

static RegSpan pm_reg_at(hwaddr addr)
{
    if (addr < ACPI_PM1_CNT) {
        return (RegSpan){ addr & ~1u, 2 };      /* PM1_STS, PM1_EN */
    } else if (addr < ACPI_PM1_CNT + 2) {
        return (RegSpan){ ACPI_PM1_CNT, 2 };
    } else if (addr >= ACPI_PM_TMR && addr < ACPI_PM_TMR + 4) {
        return (RegSpan){ ACPI_PM_TMR, 4 };
    }
    return (RegSpan){ addr, 1 };
}

static uint32_t pm_reg_read(PIIX4PMState *s, unsigned reg)
{
    switch (reg) {
    case ACPI_PM1_STS:
        pm_tmr_update_sts(s);
        return s->pm1_sts;
    case ACPI_PM1_EN:
        return s->pm1_en;
    case ACPI_PM1_CNT:
        return s->pm1_cnt;
    case ACPI_PM_TMR:
        return pm_tmr_ticks(clock_get_ns(CLOCK_VIRTUAL)) & ((1u << PM_TMR_BITS) - 1);
    default:
        return 0;
    }
}

static void pm1_cnt_write(PIIX4PMState *s, uint16_t val, uint16_t mask)
{
    s->pm1_cnt = (s->pm1_cnt & ~(mask & PM1_CNT_STORED)) | (val & mask & PM1_CNT_STORED);
    if (val & mask & ACPI_BITMASK_SLP_EN) {
        unsigned typ = (val & ACPI_SLP_TYP_MASK) >> ACPI_SLP_TYP_SHIFT;
        if (typ == PIIX4_SLP_TYP_S5) {
            qemu_system_shutdown_request(SHUTDOWN_CAUSE_GUEST_SHUTDOWN);
        } else {
            log_mask(LOG_UNIMP, "piix4-pm: sleep type %u not supported, ignored\n", typ);
        }
    }
}

static void pm_reg_write(PIIX4PMState *s, unsigned reg, uint32_t val, uint32_t mask)
{
    switch (reg) {
    case ACPI_PM1_STS:
        pm_tmr_update_sts(s);
        s->pm1_sts &= ~(val & mask);            /* write 1 to clear */
        break;
    case ACPI_PM1_EN:
        s->pm1_en = (s->pm1_en & ~mask) | (val & mask & PM1_SCI_EVENTS);
        break;
    case ACPI_PM1_CNT:
        pm1_cnt_write(s, val, mask);
        break;
    default:
        return;                                 /* read-only or not modelled */
    }
    pm_update_sci(s);
}

typedef uint32_t RegRead(PIIX4PMState *s, unsigned reg);
typedef void RegWrite(PIIX4PMState *s, unsigned reg, uint32_t val, uint32_t mask);
typedef RegSpan RegLookup(hwaddr addr);

static uint64_t regs_read(PIIX4PMState *s, RegLookup *lookup, RegRead *rd, hwaddr addr,
                          unsigned size)
{
    uint64_t val = 0;
    for (unsigned i = 0; i < size;) {
        RegSpan r = lookup(addr + i);
        unsigned shift = addr + i - r.start;
        unsigned take = MIN(r.width - shift, size - i);
        uint64_t bytes = (uint64_t)rd(s, r.start) >> (8 * shift);
        val |= (bytes & ((1ull << (8 * take)) - 1)) << (8 * i);
        i += take;
    }
    return val;
}

static void regs_write(PIIX4PMState *s, RegLookup *lookup, RegWrite *wr, hwaddr addr,
                       uint64_t val, unsigned size)
{
    for (unsigned i = 0; i < size;) {
        RegSpan r = lookup(addr + i);
        unsigned shift = addr + i - r.start;
        unsigned take = MIN(r.width - shift, size - i);
        uint32_t mask = (uint32_t)(((1ull << (8 * take)) - 1) << (8 * shift));
        uint32_t v = (uint32_t)((val >> (8 * i)) << (8 * shift));
        wr(s, r.start, v & mask, mask);
        i += take;
    }
}

static uint64_t pm_io_read(void *opaque, hwaddr addr, unsigned size)
{
    return regs_read(opaque, pm_reg_at, pm_reg_read, addr, size);
}

static void pm_io_write(void *opaque, hwaddr addr, uint64_t val, unsigned size)
{
    regs_write(opaque, pm_reg_at, pm_reg_write, addr, val, size);
}

static const MemoryRegionOps pm_io_ops = {
    .read = pm_io_read,
    .write = pm_io_write,
    .valid = { .min_access_size = 1, .max_access_size = 4, .unaligned = true },
};

/* GPE0: status at 0 (write 1 to clear), enable at 2 (ACPI 6.5, 4.8.4.1). */
static RegSpan gpe_reg_at(hwaddr addr)
{
    return (RegSpan){ addr & ~1u, 2 };
}

static uint32_t gpe_reg_read(PIIX4PMState *s, unsigned reg)
{
    return reg == 0 ? s->gpe_sts : s->gpe_en;
}

static void gpe_reg_write(PIIX4PMState *s, unsigned reg, uint32_t val, uint32_t mask)
{
    if (reg == 0) {
        s->gpe_sts &= ~(val & mask);
    } else {
        s->gpe_en = (s->gpe_en & ~mask) | (val & mask);
    }
    pm_update_sci(s);
}

static uint64_t gpe_io_read(void *opaque, hwaddr addr, unsigned size)
{
    return regs_read(opaque, gpe_reg_at, gpe_reg_read, addr, size);
}

static void gpe_io_write(void *opaque, hwaddr addr, uint64_t val, unsigned size)
{
    regs_write(opaque, gpe_reg_at, gpe_reg_write, addr, val, size);
}

static const MemoryRegionOps gpe_io_ops = {
    .read = gpe_io_read,
    .write = gpe_io_write,
    .valid = { .min_access_size = 1, .max_access_size = 4, .unaligned = true },
};

/* ---- APM control and status (0xB2, 0xB3) --------------------------------------- */

static uint64_t apm_io_read(void *opaque, hwaddr addr, unsigned size)
{
    PIIX4PMState *s = opaque;
    return addr == 0 ? s->apmc : s->apms;
}

static void apm_io_write(void *opaque, hwaddr addr, uint64_t val, unsigned size)
{
    PIIX4PMState *s = opaque;
    if (addr == 1) {
        s->apms = val;
        return;
    }
    s->apmc = val;
    /* The FADT's ACPI_ENABLE/ACPI_DISABLE: what the SMI handler would do. */
    if (s->apmc == ACPI_ENABLE_CMD) {
        s->pm1_cnt |= ACPI_BITMASK_SCI_EN;
    } else if (s->apmc == ACPI_DISABLE_CMD) {
        s->pm1_cnt &= ~ACPI_BITMASK_SCI_EN;
    }
    pm_update_sci(s);
}

static const MemoryRegionOps apm_io_ops = {
    .read = apm_io_read,
    .write = apm_io_write,
    .valid = { .min_access_size = 1, .max_access_size = 2 },
    .impl = { .min_access_size = 1, .max_access_size = 1 },
};

/* ---- SMBus host -------------------------------------------------------------------- */

static uint64_t smb_io_read(void *opaque, hwaddr addr, unsigned size)
{
    PIIX4PMState *s = opaque;
    switch (addr) {
    case SMBHSTSTS:
        return s->smb_sts;
    case SMBHSTCNT:
        return s->smb_cnt & ~SMBHSTCNT_START;
    case SMBHSTCMD:
        return s->smb_cmd;
    case SMBHSTADD:
        return s->smb_addr;
    case SMBHSTDAT0:
        return s->smb_data0;
    case SMBHSTDAT1:
        return s->smb_data1;
    default:
        return 0;       /* block data and the slave interface: nothing there */
    }
}

static void smb_io_write(void *opaque, hwaddr addr, uint64_t val, unsigned size)
{
    PIIX4PMState *s = opaque;
    switch (addr) {
    case SMBHSTSTS:
        s->smb_sts &= ~(val & (SMBHSTSTS_INTR | SMBHSTSTS_DEV_ERR | SMBHSTSTS_BUS_ERR |
                               SMBHSTSTS_FAILED));
        break;
    case SMBHSTCNT:
        s->smb_cnt = val & ~SMBHSTCNT_START;
        if (val & SMBHSTCNT_KILL) {
            s->smb_sts |= SMBHSTSTS_FAILED;
        } else if (val & SMBHSTCNT_START) {
            /* An empty bus: the address is not acknowledged. */
            s->smb_sts |= SMBHSTSTS_DEV_ERR;
        }
        break;
    case SMBHSTCMD:
        s->smb_cmd = val;
        break;
    case SMBHSTADD:
        s->smb_addr = val;
        break;
    case SMBHSTDAT0:
        s->smb_data0 = val;
        break;
    case SMBHSTDAT1:
        s->smb_data1 = val;
        break;
    default:
        break;
    }
}

static const MemoryRegionOps smb_io_ops = {
    .read = smb_io_read,
    .write = smb_io_write,
    .valid = { .min_access_size = 1, .max_access_size = 4 },
    .impl = { .min_access_size = 1, .max_access_size = 1 },
};

/* ---- Configuration space and the decoded windows ----------------------------------- */

static MemoryRegion *piix4_pm_io_space(PIIX4PMState *s)
{
    return s->parent_obj.bus->address_space_io;
}

static void map_window(PIIX4PMState *s, MemoryRegion *mr, bool *mapped, bool enable,
                       uint16_t base)
{
    MemoryRegion *io = piix4_pm_io_space(s);
    if (*mapped) {
        memory_region_del_subregion(io, mr);
        *mapped = false;
    }
    if (enable) {
        /* Guest programmed: may land on other ports, as on real hardware. */
        memory_region_add_subregion_overlap(io, base, mr, 0);
        *mapped = true;
    }
}

static void pm_io_update(PIIX4PMState *s)
{
    const uint8_t *c = s->parent_obj.config;
    map_window(s, &s->pm_io, &s->pm_io_mapped, c[PIIX4_PMREGMISC] & PIIX4_PMIOSE,
               pci_get_word(c + PIIX4_PMBA) & 0xffc0);
}

static void smb_io_update(PIIX4PMState *s)
{
    const uint8_t *c = s->parent_obj.config;
    bool on = s->smbus && (c[PIIX4_SMBHSTCFG] & PIIX4_SMB_HST_EN) &&
              (pci_get_word(c + PCI_COMMAND) & PCI_COMMAND_IO);
    map_window(s, &s->smb_io, &s->smb_io_mapped, on, pci_get_word(c + PIIX4_SMBBA) & 0xfff0);
}

static void piix4_pm_write_config(PCIDevice *dev, uint32_t addr, uint32_t val, int len)
{
    PIIX4PMState *s = PIIX4_PM(dev);
    pci_default_write_config(dev, addr, val, len);
    if (ranges_overlap(addr, len, PIIX4_PMBA, 4) || ranges_overlap(addr, len, PIIX4_PMREGMISC, 1)) {
        pm_io_update(s);
    }
    if (ranges_overlap(addr, len, PIIX4_SMBBA, 4) ||
        ranges_overlap(addr, len, PIIX4_SMBHSTCFG, 1) ||
        ranges_overlap(addr, len, PCI_COMMAND, 2)) {
        smb_io_update(s);
    }
}

/* Power-on values of the function 3 registers this file owns. */
static void piix4_pm_config_reset(PIIX4PMState *s)
{
    uint8_t *c = s->parent_obj.config;
    pci_set_long(c + PIIX4_PMBA, 0x00000001);
    c[PIIX4_PMREGMISC] = 0;
    pci_set_long(c + PIIX4_SMBBA, s->smbus ? 0x00000001 : 0);
    c[PIIX4_SMBHSTCFG] = 0;
}

/* ---- Board interface ----------------------------------------------------------------- */

void piix4_pm_set_sci_irq(PCIDevice *dev, IRQLine *irq)
{
    PIIX4PMState *s = PIIX4_PM(dev);
    s->sci_irq = irq;
    pm_update_sci(s);
}

static void piix4_pm_apply_boot_base(PIIX4PMState *s)
{
    PCIDevice *dev = &s->parent_obj;
    piix4_pm_write_config(dev, PIIX4_PMBA, s->boot_base | 1, 4);
    piix4_pm_write_config(dev, PIIX4_PMREGMISC, PIIX4_PMIOSE, 1);
}

void piix4_pm_set_base(PCIDevice *dev, uint16_t base)
{
    PIIX4PMState *s = PIIX4_PM(dev);
    s->boot_base = base & 0xffc0;
    piix4_pm_apply_boot_base(s);
}

void piix4_pm_gpe_set(PCIDevice *dev, unsigned n)
{
    PIIX4PMState *s = PIIX4_PM(dev);
    g_assert(n < 16);
    s->gpe_sts |= 1u << n;
    pm_update_sci(s);
}

/* ---- Device ---------------------------------------------------------------------------- */

static bool piix4_pm_realize(PCIDevice *dev, Error **errp)
{
    PIIX4PMState *s = PIIX4_PM(dev);
    Object *owner = &dev->parent_obj.parent_obj;
    MemoryRegion *io = piix4_pm_io_space(s);

    if (!io) {
        error_setg(errp, "PIIX4_PM: the PCI bus has no I/O space");
        return false;
    }
    /*
     * The registers not modelled stay plain read/write bytes (the core's
     * default).  PMBA and SMBBA: base bits writable, bit 0 hardwired to 1
     * (I/O space), bits 31:16 reserved.
     */
    pci_set_long(dev->wmask + PIIX4_PMBA, 0x0000ffc0);
    dev->wmask[PIIX4_PMREGMISC] = PIIX4_PMIOSE;
    pci_set_long(dev->wmask + PIIX4_SMBBA, s->smbus ? 0x0000fff0 : 0);
    dev->wmask[PIIX4_SMBHSTCFG] = s->smbus ? 0x0f : 0;  /* SMB_HST_EN, interrupt select */
    dev->config[PCI_INTERRUPT_PIN] = 0x01;      /* INTA: the SMBus interrupt's pin */
    piix4_pm_config_reset(s);

    memory_region_init_io(&s->pm_io, owner, &pm_io_ops, s, "piix4-pm", PIIX4_PM_IO_SIZE);
    memory_region_init_io(&s->gpe_io, owner, &gpe_io_ops, s, "acpi-gpe0", PIIX4_GPE0_LEN);
    memory_region_init_io(&s->apm_io, owner, &apm_io_ops, s, "apm-io", 2);
    memory_region_init_io(&s->smb_io, owner, &smb_io_ops, s, "piix4-smbus", SMB_IO_SIZE);
    memory_region_add_subregion(io, PIIX4_GPE0_BASE, &s->gpe_io);
    memory_region_add_subregion(io, APM_CNT_PORT, &s->apm_io);

    s->tmr_timer = timer_new(CLOCK_VIRTUAL, pm_tmr_expired, s);
    pm_tmr_schedule_next(s, clock_get_ns(CLOCK_VIRTUAL));
    runstate_set_powerdown_handler(pm_powerdown, s);
    return true;
}

static void piix4_pm_exit(PCIDevice *dev)
{
    PIIX4PMState *s = PIIX4_PM(dev);
    MemoryRegion *io = piix4_pm_io_space(s);

    runstate_set_powerdown_handler(NULL, NULL);
    map_window(s, &s->pm_io, &s->pm_io_mapped, false, 0);
    map_window(s, &s->smb_io, &s->smb_io_mapped, false, 0);
    memory_region_del_subregion(io, &s->gpe_io);
    memory_region_del_subregion(io, &s->apm_io);
    memory_region_finalize(&s->pm_io);
    memory_region_finalize(&s->gpe_io);
    memory_region_finalize(&s->apm_io);
    memory_region_finalize(&s->smb_io);
    timer_free(s->tmr_timer);
    s->tmr_timer = NULL;
}

static void piix4_pm_reset(DeviceState *dev)
{
    PIIX4PMState *s = PIIX4_PM(PCI_DEVICE(dev));

    if (piix4_pm_parent_reset) {
        piix4_pm_parent_reset(dev);
    }
    piix4_pm_config_reset(s);
    s->pm1_sts = s->pm1_en = s->pm1_cnt = 0;
    s->gpe_sts = s->gpe_en = 0;
    s->apmc = s->apms = 0;
    s->smb_sts = s->smb_cnt = s->smb_cmd = s->smb_addr = s->smb_data0 = s->smb_data1 = 0;
    /* The timer itself runs on: it is a free-running counter. */
    pm_tmr_schedule_next(s, clock_get_ns(CLOCK_VIRTUAL));
    pm_io_update(s);
    smb_io_update(s);
    pm_update_sci(s);
    if (s->boot_base) {
        /* No firmware on direct boot: do its part again, as after power on. */
        piix4_pm_apply_boot_base(s);
    }
}

static int piix4_pm_post_load(void *opaque, int version_id)
{
    PIIX4PMState *s = opaque;
    s->pm1_cnt &= PM1_CNT_STORED;
    pm_io_update(s);
    smb_io_update(s);
    pm_update_sci(s);
    return 0;
}

static const VMStateField piix4_pm_vmstate_fields[] = {
    VMS_PCI_DEVICE(PIIX4PMState, parent_obj),
    VMS_FIELD(PIIX4PMState, pm1_sts, VMS_U16),
    VMS_FIELD(PIIX4PMState, pm1_en, VMS_U16),
    VMS_FIELD(PIIX4PMState, pm1_cnt, VMS_U16),
    VMS_FIELD(PIIX4PMState, gpe_sts, VMS_U16),
    VMS_FIELD(PIIX4PMState, gpe_en, VMS_U16),
    VMS_FIELD(PIIX4PMState, apmc, VMS_U8),
    VMS_FIELD(PIIX4PMState, apms, VMS_U8),
    VMS_FIELD(PIIX4PMState, tmr_overflow_ns, VMS_I64),
    VMS_FIELD(PIIX4PMState, tmr_timer, VMS_TIMER),
    VMS_FIELD(PIIX4PMState, smb_sts, VMS_U8),
    VMS_FIELD(PIIX4PMState, smb_cnt, VMS_U8),
    VMS_FIELD(PIIX4PMState, smb_cmd, VMS_U8),
    VMS_FIELD(PIIX4PMState, smb_addr, VMS_U8),
    VMS_FIELD(PIIX4PMState, smb_data0, VMS_U8),
    VMS_FIELD(PIIX4PMState, smb_data1, VMS_U8),
    VMS_END,
};

static const VMStateDescription piix4_pm_vmstate = {
    .name = "piix4_pm",
    .version_id = 1,
    .minimum_version_id = 1,
    .fields = piix4_pm_vmstate_fields,
    .post_load = piix4_pm_post_load,
};

static const Property piix4_pm_props[] = {
    { .name = "smbus", .info = &prop_info_bool, .offset = offsetof(PIIX4PMState, smbus),
      .defval.u = true, .desc = "offer the SMBus host controller (an empty bus)" },
    PROP_END,
};

static void piix4_pm_class_init(ObjectClass *klass, const void *data)
{
    DeviceClass *dc = DEVICE_CLASS(klass);
    PCIDeviceClass *pc = PCI_DEVICE_CLASS(klass);

    pc->realize = piix4_pm_realize;
    pc->exit = piix4_pm_exit;
    pc->config_write = piix4_pm_write_config;
    pc->vendor_id = PCI_VENDOR_ID_INTEL;
    pc->device_id = PIIX4_PM_DEVICE_ID;
    pc->revision = PIIX4_PM_REVISION;
    pc->class_id = PCI_CLASS_BRIDGE_OTHER;
    piix4_pm_parent_reset = dc->reset;
    dc->reset = piix4_pm_reset;
    dc->vmsd = &piix4_pm_vmstate;
    dc->user_creatable = false;     /* part of the board's PIIX */
    object_class_set_props(klass, piix4_pm_props);
}

static const TypeInfo piix4_pm_type = {
    .name = TYPE_PIIX4_PM,
    .parent = TYPE_PCI_DEVICE,
    .instance_size = sizeof(PIIX4PMState),
    .desc = "PIIX4 power management (ACPI) and SMBus",
    .class_init = piix4_pm_class_init,
};

void piix4_pm_register_types(void)
{
    type_register(&piix4_pm_type);
}
