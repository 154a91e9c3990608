/* Choosing a loader for -kernel, and what the loaders share. */
#include "hw/i386/x86-boot.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "system/memory.h"

uint8_t *x86_boot_read_file(const char *path, uint64_t max, size_t *size, Error **errp)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        error_setg_errno(errp, errno, "could not open '%s'", path);
        return NULL;
    }
    uint8_t *buf = NULL;
    if (fseek(f, 0, SEEK_END) < 0) {
        error_setg_errno(errp, errno, "could not read '%s'", path);
        goto fail;
    }
    long len = ftell(f);
    if (len < 0 || (uint64_t)len > max) {
        error_setg(errp, "'%s' is too large (%ld bytes, guest RAM is %" PRIu64 ")",
                   path, len, max);
        goto fail;
    }
    rewind(f);
    buf = g_malloc(len ? len : 1);
    if (fread(buf, 1, len, f) != (size_t)len) {
        error_setg(errp, "could not read '%s'", path);
        g_free(buf);
        buf = NULL;
        goto fail;
    }
    *size = len;
fail:
    fclose(f);
    return buf;
}

/* Call fn on each piece of guest RAM in [addr, addr + len); false at a hole or ROM. */
static bool for_each_ram_piece(uint64_t addr, uint64_t len, const char *what, Error **errp,
                               void (*fn)(void *host, uint64_t off, hwaddr n, const void *arg),
                               const void *arg)
{
    uint64_t done = 0;
    if (addr + len < addr) {
        error_setg(errp, "%s does not fit in guest RAM at 0x%" PRIx64, what, addr);
        return false;
    }
    while (done < len) {
        hwaddr chunk = len - done;
        void *host = address_space_ram_ptr(address_space_memory(), addr + done, &chunk, true);
        if (!host) {
            error_setg(errp, "%s does not fit in guest RAM at 0x%" PRIx64, what, addr + done);
            return false;
        }
        fn(host, done, chunk, arg);
        done += chunk;
    }
    return true;
}

static void copy_piece(void *host, uint64_t off, hwaddr n, const void *arg)
{
    memcpy(host, (const uint8_t *)arg + off, n);
}

static void zero_piece(void *host, uint64_t off, hwaddr n, const void *arg)
{
    memset(host, 0, n);
}

bool x86_boot_write(uint64_t addr, const void *buf, uint64_t len, const char *what,
                    Error **errp)
{
    return for_each_ram_piece(addr, len, what, errp, copy_piece, buf);
}

bool x86_boot_zero(uint64_t addr, uint64_t len, const char *what, Error **errp)
{
    return for_each_ram_piece(addr, len, what, errp, zero_piece, NULL);
}

/*
 * Null, null, flat 4 GiB code (0x10), flat 4 GiB data (0x18): the GDT the
 * Linux boot protocol asks for, which multiboot's flat state is also met by.
 */
void x86_boot_write_gdt(X86BootEntry *entry)
{
    static const uint64_t gdt[4] = {
        0,
        0,
        0x00cf9b000000ffffull,      /* base 0, limit 4G, 32-bit, code read/exec, accessed */
        0x00cf93000000ffffull,      /* base 0, limit 4G, 32-bit, data read/write, accessed */
    };
    uint8_t buf[sizeof(gdt)];
    for (size_t i = 0; i < G_N_ELEMENTS(gdt); i++) {
        for (int b = 0; b < 8; b++) {
            buf[i * 8 + b] = gdt[i] >> (8 * b);
        }
    }
    address_space_write(address_space_memory(), X86_BOOT_GDT_ADDR, buf, sizeof(buf));
    entry->gdt_base = X86_BOOT_GDT_ADDR;
    entry->gdt_limit = sizeof(buf) - 1;
}

static bool is_elf(const uint8_t *image, size_t size)
{
    return size >= 4 && !memcmp(image, "\x7f" "ELF", 4);
}

bool x86_load_kernel(const X86BootConfig *cfg, X86BootEntry *entry, Error **errp)
{
    size_t size;
    uint8_t *image = x86_boot_read_file(cfg->kernel, cfg->below_4g_mem_size, &size, errp);
    if (!image) {
        return false;
    }
    bool ok;
    if (size >= 0x206 && !memcmp(image + 0x202, "HdrS", 4)) {
        ok = linux_boot_load(cfg, image, size, entry, errp);
    } else {
        int r = multiboot_load(cfg, image, size, entry, errp);
        ok = r > 0;
        if (r == 0) {
            error_setg(errp, is_elf(image, size) ?
                       "%s: an ELF kernel without a multiboot header cannot be booted" :
                       "%s: not a bzImage, multiboot or ELF kernel", cfg->kernel);
        }
    }
    g_free(image);
    return ok;
}
