/*
 * The Linux/x86 boot protocol (Documentation/arch/x86/boot.rst), 32-bit
 * entry: the protected-mode kernel is loaded at 1 MiB, a zero page
 * (struct boot_params) carries the setup header, the command line, the
 * initrd and the e820 map, and the CPU starts at code32_start in flat
 * protected mode with ESI pointing at the zero page.
 */
#include "hw/i386/x86-boot.h"

#include <string.h>

#include "system/memory.h"
#include "util/bswap.h"

/* Setup header fields, as offsets into the image and the zero page alike. */
#define HDR_SETUP_SECTS     0x1f1
#define HDR_BOOT_FLAG       0x1fe
#define HDR_JUMP            0x200
#define HDR_MAGIC           0x202
#define HDR_VERSION         0x206
#define HDR_TYPE_OF_LOADER  0x210
#define HDR_LOADFLAGS       0x211
#define HDR_CODE32_START    0x214
#define HDR_RAMDISK_IMAGE   0x218
#define HDR_RAMDISK_SIZE    0x21c
#define HDR_HEAP_END_PTR    0x224
#define HDR_CMD_LINE_PTR    0x228
#define HDR_INITRD_ADDR_MAX 0x22c
#define HDR_XLOADFLAGS      0x236
#define HDR_CMDLINE_SIZE    0x238
#define HDR_INIT_SIZE       0x260

/* Zero-page fields outside the setup header. */
#define BP_ACPI_RSDP_ADDR   0x070
#define BP_ALT_MEM_K        0x1e0
#define BP_E820_ENTRIES     0x1e8
#define BP_E820_TABLE       0x2d0
#define BP_E820_MAX         128
#define BP_SIZE             4096

#define LOADFLAG_LOADED_HIGH    0x01
#define LOADFLAG_CAN_USE_HEAP   0x80
#define LOADER_TYPE_KEMU        0xff    /* "undefined" boot loader id */
#define MIN_PROTOCOL            0x0206
#define DEFAULT_INITRD_MAX      0x37ffffff

/* The highest page-aligned address where size bytes of RAM fit in [low, high). */
static bool find_initrd_slot(const E820Table *e820, uint64_t low, uint64_t high,
                             uint64_t size, uint64_t *addr)
{
    uint64_t best = 0;
    bool found = false;
    for (unsigned i = 0; i < e820->count; i++) {
        const E820Entry *e = &e820->entries[i];
        if (e->type != E820_RAM) {
            continue;
        }
        uint64_t start = MAX(e->addr, low);
        uint64_t end = MIN(e->addr + e->len, high);
        if (end <= start || end - start < size) {
            continue;
        }
        uint64_t cand = (end - size) & ~(uint64_t)0xfff;
        if (cand >= start && (!found || cand > best)) {
            best = cand;
            found = true;
        }
    }
    *addr = best;
    return found;
}

bool linux_boot_load(const X86BootConfig *cfg, const uint8_t *image, size_t size,
                     X86BootEntry *entry, Error **errp)
{
    if (size < 0x1000 || ld_le16(image + HDR_BOOT_FLAG) != 0xaa55 ||
        memcmp(image + HDR_MAGIC, "HdrS", 4)) {
        error_setg(errp, "%s: not a bzImage", cfg->kernel);
        return false;
    }
    uint16_t version = ld_le16(image + HDR_VERSION);
    if (version < MIN_PROTOCOL) {
        error_setg(errp, "%s: Linux boot protocol %d.%02d is too old (need 2.06)",
                   cfg->kernel, version >> 8, version & 0xff);
        return false;
    }
    unsigned setup_sects = image[HDR_SETUP_SECTS] ? image[HDR_SETUP_SECTS] : 4;
    size_t setup_size = (setup_sects + 1) * 512;
    size_t header_end = HDR_MAGIC + image[HDR_JUMP + 1];
    if (setup_size >= size || header_end > BP_SIZE || header_end > setup_size) {
        error_setg(errp, "%s: corrupt bzImage header", cfg->kernel);
        return false;
    }
    const uint8_t *kernel = image + setup_size;
    size_t kernel_size = size - setup_size;

    /* The decompressor needs init_size bytes from the load address. */
    uint64_t need = MAX((uint64_t)ld_le32(image + HDR_INIT_SIZE), kernel_size);
    if (X86_BOOT_KERNEL_ADDR + need > cfg->below_4g_mem_size) {
        error_setg(errp, "%s: the kernel needs %" PRIu64 " MiB of RAM above 1 MiB; "
                   "give the guest more memory with -m", cfg->kernel, need >> 20);
        return false;
    }

    size_t cmdline_len = strlen(cfg->cmdline);
    uint32_t cmdline_max = ld_le32(image + HDR_CMDLINE_SIZE);
    if (cmdline_len > cmdline_max || cmdline_len >= X86_BOOT_CMDLINE_MAX) {
        error_setg(errp, "kernel command line too long (%zu bytes, the kernel takes %u)",
                   cmdline_len, MIN(cmdline_max, X86_BOOT_CMDLINE_MAX - 1));
        return false;
    }

    uint8_t *bp = g_malloc0(BP_SIZE);
    memcpy(bp + HDR_SETUP_SECTS, image + HDR_SETUP_SECTS, header_end - HDR_SETUP_SECTS);
    bp[HDR_TYPE_OF_LOADER] = LOADER_TYPE_KEMU;
    bp[HDR_LOADFLAGS] |= LOADFLAG_LOADED_HIGH | LOADFLAG_CAN_USE_HEAP;
    st_le16(bp + HDR_HEAP_END_PTR, 0xfe00);      /* heap end relative to the real-mode base */
    st_le32(bp + HDR_CODE32_START, X86_BOOT_KERNEL_ADDR);
    st_le32(bp + HDR_CMD_LINE_PTR, X86_BOOT_CMDLINE_ADDR);
    st_le32(bp + BP_ALT_MEM_K, (uint32_t)MIN((cfg->below_4g_mem_size >> 10) - 1024, UINT32_MAX));
    if (cfg->acpi_rsdp_addr && version >= 0x020e) {
        st_le64(bp + BP_ACPI_RSDP_ADDR, cfg->acpi_rsdp_addr);
    }
    size_t nr = e820_to_boot_params(cfg->e820, bp + BP_E820_TABLE, BP_E820_MAX);
    bp[BP_E820_ENTRIES] = nr;

    bool ok = false;
    uint8_t *initrd = NULL;
    if (cfg->initrd) {
        size_t initrd_size;
        initrd = x86_boot_read_file(cfg->initrd, cfg->below_4g_mem_size, &initrd_size, errp);
        if (!initrd) {
            goto out;
        }
        uint64_t max = version >= 0x0203 ? ld_le32(image + HDR_INITRD_ADDR_MAX) : DEFAULT_INITRD_MAX;
        uint64_t addr;
        if (!find_initrd_slot(cfg->e820, X86_BOOT_KERNEL_ADDR + need, (uint64_t)max + 1,
                              initrd_size, &addr)) {
            error_setg(errp, "initrd is too large, cannot support this "
                       "(%zu bytes; the kernel takes it below 0x%" PRIx64 ", in RAM above the kernel)",
                       initrd_size, max);
            goto out;
        }
        if (!x86_boot_write(addr, initrd, initrd_size, "initrd", errp)) {
            goto out;
        }
        st_le32(bp + HDR_RAMDISK_IMAGE, addr);
        st_le32(bp + HDR_RAMDISK_SIZE, initrd_size);
    }

    if (!x86_boot_write(X86_BOOT_KERNEL_ADDR, kernel, kernel_size, "kernel", errp) ||
        !x86_boot_write(X86_BOOT_CMDLINE_ADDR, cfg->cmdline, cmdline_len + 1, "command line", errp) ||
        !x86_boot_write(X86_BOOT_PARAMS_ADDR, bp, BP_SIZE, "boot parameters", errp)) {
        goto out;
    }
    /* Boot protocol, "32-bit boot protocol": flat segments, paging off, ESI = zero page. */
    *entry = (X86BootEntry){
        .mode = X86_BOOT_PROT32,
        .eip = X86_BOOT_KERNEL_ADDR,
        .esi = X86_BOOT_PARAMS_ADDR,
    };
    x86_boot_write_gdt(entry);
    ok = true;
out:
    g_free(initrd);
    g_free(bp);
    return ok;
}
