/*
 * Multiboot v1 (Multiboot Specification 0.6.96): find the header in the
 * first 8 KiB, load an ELF32 image or the a.out-kludge layout it describes,
 * load modules from -initrd "file args,file args" (",," escapes a comma),
 * and build the Multiboot information structure.  Entry: EAX = 0x2BADB002,
 * EBX = the information structure, flat 32-bit protected mode.
 */
#include "hw/i386/x86-boot.h"

#include <string.h>

#include "util/bswap.h"

#define MB_HEADER_MAGIC     0x1badb002
#define MB_BOOTLOADER_MAGIC 0x2badb002
#define MB_SEARCH           8192

/* Header flags: requirements (bits 0-15) and the a.out kludge. */
#define MB_PAGE_ALIGN       (1u << 0)
#define MB_MEMORY_INFO      (1u << 1)
#define MB_VIDEO_MODE       (1u << 2)
#define MB_AOUT_KLUDGE      (1u << 16)
#define MB_SUPPORTED_REQS   (MB_PAGE_ALIGN | MB_MEMORY_INFO)

/* Information structure flags and offsets. */
#define MBI_MEM             (1u << 0)
#define MBI_CMDLINE         (1u << 2)
#define MBI_MODS            (1u << 3)
#define MBI_MMAP            (1u << 6)
#define MBI_LOADER_NAME     (1u << 9)
#define MBI_FLAGS           0
#define MBI_MEM_LOWER       4
#define MBI_MEM_UPPER       8
#define MBI_CMDLINE_PTR     16
#define MBI_MODS_COUNT      20
#define MBI_MODS_ADDR       24
#define MBI_MMAP_LENGTH     44
#define MBI_MMAP_ADDR       48
#define MBI_LOADER_NAME_PTR 64
#define MBI_SIZE            88

/* Where the information pieces go below 1 MiB (see X86_BOOT_* in x86-boot.h). */
#define MB_MMAP_ADDR        (X86_BOOT_PARAMS_ADDR + 0x100)
#define MB_MMAP_ENTRY       24              /* size field + 20 bytes */
#define MB_MODS_ADDR        0x9000
#define MB_MAX_MODS         128
#define MB_MOD_ENTRY        16

#define PAGE_ALIGN(x)       (((x) + 0xfff) & ~(uint64_t)0xfff)

/* Offset of a valid header in the first 8 KiB, or -1. */
static long find_header(const uint8_t *image, size_t size)
{
    size_t limit = MIN(size, (size_t)MB_SEARCH);
    for (size_t off = 0; off + 12 <= limit; off += 4) {
        uint32_t magic = ld_le32(image + off);
        uint32_t flags = ld_le32(image + off + 4);
        uint32_t sum = ld_le32(image + off + 8);
        if (magic == MB_HEADER_MAGIC && (uint32_t)(magic + flags + sum) == 0) {
            return off;
        }
    }
    return -1;
}

/* Load the a.out-kludge layout; *end gets the first byte past the image. */
static bool load_aout(const char *name, const uint8_t *image, size_t size, long hdr,
                      uint32_t *entry, uint64_t *end, Error **errp)
{
    if ((size_t)hdr + 32 > size) {
        error_setg(errp, "%s: truncated multiboot header", name);
        return false;
    }
    uint32_t header_addr = ld_le32(image + hdr + 12);
    uint32_t load_addr = ld_le32(image + hdr + 16);
    uint32_t load_end = ld_le32(image + hdr + 20);
    uint32_t bss_end = ld_le32(image + hdr + 24);
    *entry = ld_le32(image + hdr + 28);
    if (header_addr < load_addr || header_addr - load_addr > (uint32_t)hdr) {
        error_setg(errp, "%s: multiboot header_addr is below load_addr", name);
        return false;
    }
    uint64_t offset = hdr - (header_addr - load_addr);
    uint64_t len = load_end ? (uint64_t)load_end - load_addr : size - offset;
    if (load_end && load_end < load_addr) {
        error_setg(errp, "%s: multiboot load_end_addr is below load_addr", name);
        return false;
    }
    if (offset + len > size) {
        error_setg(errp, "%s: multiboot load range is beyond the end of the file", name);
        return false;
    }
    if (!x86_boot_write(load_addr, image + offset, len, "multiboot kernel", errp)) {
        return false;
    }
    *end = (uint64_t)load_addr + len;
    if (bss_end > *end) {
        if (!x86_boot_zero(*end, bss_end - *end, "multiboot bss", errp)) {
            return false;
        }
        *end = bss_end;
    }
    return true;
}

/* Load the PT_LOAD segments of an ELF32 image at their physical addresses. */
static bool load_elf(const char *name, const uint8_t *image, size_t size,
                     uint32_t *entry, uint64_t *end, Error **errp)
{
    if (size < 52 || memcmp(image, "\x7f" "ELF", 4)) {
        error_setg(errp, "%s: multiboot image is not ELF and has no a.out kludge", name);
        return false;
    }
    if (image[4] != 1 || image[5] != 1 || ld_le16(image + 18) != 3 /* EM_386 */) {
        error_setg(errp, "%s: Cannot load x86-64 image, give a 32bit one.", name);
        return false;
    }
    uint32_t e_entry = ld_le32(image + 24);
    uint32_t phoff = ld_le32(image + 28);
    uint16_t phentsize = ld_le16(image + 42);
    uint16_t phnum = ld_le16(image + 44);
    if (phentsize < 32 || (uint64_t)phoff + (uint64_t)phnum * phentsize > size) {
        error_setg(errp, "%s: corrupt ELF program headers", name);
        return false;
    }
    *end = 0;
    *entry = e_entry;
    bool loaded = false;
    for (unsigned i = 0; i < phnum; i++) {
        const uint8_t *ph = image + phoff + (size_t)i * phentsize;
        if (ld_le32(ph) != 1 /* PT_LOAD */) {
            continue;
        }
        uint32_t offset = ld_le32(ph + 4), vaddr = ld_le32(ph + 8), paddr = ld_le32(ph + 12);
        uint32_t filesz = ld_le32(ph + 16), memsz = ld_le32(ph + 20);
        if ((uint64_t)offset + filesz > size || filesz > memsz) {
            error_setg(errp, "%s: corrupt ELF segment %u", name, i);
            return false;
        }
        if (!x86_boot_write(paddr, image + offset, filesz, "multiboot kernel", errp) ||
            !x86_boot_zero((uint64_t)paddr + filesz, memsz - filesz, "multiboot bss", errp)) {
            return false;
        }
        /* An entry given as a virtual address runs at the matching physical one. */
        if (e_entry >= vaddr && e_entry - vaddr < memsz) {
            *entry = paddr + (e_entry - vaddr);
        }
        *end = MAX(*end, (uint64_t)paddr + memsz);
        loaded = true;
    }
    if (!loaded) {
        error_setg(errp, "%s: ELF image has nothing to load", name);
        return false;
    }
    return true;
}

/* Modules and their command lines; returns the number loaded or -1. */
static int load_modules(const X86BootConfig *cfg, uint64_t *next, uint64_t *strings,
                        Error **errp)
{
    if (!cfg->initrd || !*cfg->initrd) {
        return 0;
    }
    /* The same comma escaping as every other option value. */
    g_autoptr(GPtrArray) specs = g_ptr_array_new_with_free_func(g_free);
    GString *cur = g_string_new(NULL);
    for (const char *p = cfg->initrd;; p++) {
        if (*p == ',' && p[1] == ',') {
            g_string_append_c(cur, ',');
            p++;
        } else if (*p == ',' || !*p) {
            g_ptr_array_add(specs, g_string_free(cur, false));
            cur = g_string_new(NULL);
            if (!*p) {
                break;
            }
        } else {
            g_string_append_c(cur, *p);
        }
    }
    g_string_free(cur, true);
    if (specs->len > MB_MAX_MODS) {
        error_setg(errp, "too many multiboot modules (%u, at most %d)", specs->len, MB_MAX_MODS);
        return -1;
    }
    uint8_t mods[MB_MAX_MODS * MB_MOD_ENTRY];
    for (guint i = 0; i < specs->len; i++) {
        const char *spec = g_ptr_array_index(specs, i);
        g_autofree char *file = g_strndup(spec, strcspn(spec, " "));
        size_t size;
        g_autofree uint8_t *data = x86_boot_read_file(file, cfg->below_4g_mem_size, &size, errp);
        if (!data) {
            return -1;
        }
        uint64_t start = PAGE_ALIGN(*next);
        size_t slen = strlen(spec) + 1;
        if (start + size > cfg->below_4g_mem_size ||
            *strings + slen > X86_BOOT_CMDLINE_ADDR + X86_BOOT_CMDLINE_MAX) {
            error_setg(errp, "multiboot module '%s' does not fit in guest RAM", file);
            return -1;
        }
        if (!x86_boot_write(start, data, size, "multiboot module", errp) ||
            !x86_boot_write(*strings, spec, slen, "module command line", errp)) {
            return -1;
        }
        st_le32(mods + i * MB_MOD_ENTRY, start);
        st_le32(mods + i * MB_MOD_ENTRY + 4, start + size);
        st_le32(mods + i * MB_MOD_ENTRY + 8, *strings);
        st_le32(mods + i * MB_MOD_ENTRY + 12, 0);
        *next = start + size;
        *strings += slen;
    }
    if (!x86_boot_write(MB_MODS_ADDR, mods, specs->len * MB_MOD_ENTRY, "module list", errp)) {
        return -1;
    }
    return specs->len;
}

static bool write_info(const X86BootConfig *cfg, uint64_t kernel_end, Error **errp)
{
    uint8_t mbi[MBI_SIZE] = { 0 };
    uint32_t flags = MBI_MEM | MBI_CMDLINE | MBI_MMAP | MBI_LOADER_NAME;
    uint64_t strings = X86_BOOT_CMDLINE_ADDR;

    /* The kernel's command line starts with its own name, as GRUB passes it. */
    g_autofree char *cmdline = g_strdup_printf("%s %s", cfg->kernel, cfg->cmdline);
    size_t len = strlen(cmdline) + 1;
    static const char loader[] = "kemu";
    if (len + sizeof(loader) >= X86_BOOT_CMDLINE_MAX) {
        error_setg(errp, "kernel command line too long");
        return false;
    }
    if (!x86_boot_write(strings, cmdline, len, "command line", errp) ||
        !x86_boot_write(strings + len, loader, sizeof(loader), "loader name", errp)) {
        return false;
    }
    st_le32(mbi + MBI_CMDLINE_PTR, strings);
    st_le32(mbi + MBI_LOADER_NAME_PTR, strings + len);
    strings += len + sizeof(loader);

    uint64_t next = kernel_end;
    int nmods = load_modules(cfg, &next, &strings, errp);
    if (nmods < 0) {
        return false;
    }
    if (nmods) {
        flags |= MBI_MODS;
        st_le32(mbi + MBI_MODS_COUNT, nmods);
        st_le32(mbi + MBI_MODS_ADDR, MB_MODS_ADDR);
    }

    /* Memory: lower and upper KiB, and the map with a size field per entry. */
    uint8_t mmap[E820_MAX_ENTRIES * MB_MMAP_ENTRY];
    uint64_t upper = 0;
    unsigned n = 0;
    for (unsigned i = 0; i < cfg->e820->count && i < E820_MAX_ENTRIES; i++) {
        const E820Entry *e = &cfg->e820->entries[i];
        st_le32(mmap + n * MB_MMAP_ENTRY, 20);
        st_le64(mmap + n * MB_MMAP_ENTRY + 4, e->addr);
        st_le64(mmap + n * MB_MMAP_ENTRY + 12, e->len);
        st_le32(mmap + n * MB_MMAP_ENTRY + 20, e->type);
        n++;
        if (e->type == E820_RAM && e->addr <= 0x100000 && e->addr + e->len > 0x100000) {
            upper = e->addr + e->len - 0x100000;
        }
    }
    if (!x86_boot_write(MB_MMAP_ADDR, mmap, n * MB_MMAP_ENTRY, "memory map", errp)) {
        return false;
    }
    st_le32(mbi + MBI_FLAGS, flags);
    st_le32(mbi + MBI_MEM_LOWER, 640);
    st_le32(mbi + MBI_MEM_UPPER, MIN(upper >> 10, UINT32_MAX));
    st_le32(mbi + MBI_MMAP_LENGTH, n * MB_MMAP_ENTRY);
    st_le32(mbi + MBI_MMAP_ADDR, MB_MMAP_ADDR);
    return x86_boot_write(X86_BOOT_PARAMS_ADDR, mbi, sizeof(mbi), "multiboot info", errp);
}

int multiboot_load(const X86BootConfig *cfg, const uint8_t *image, size_t size,
                   X86BootEntry *entry, Error **errp)
{
    long hdr = find_header(image, size);
    if (hdr < 0) {
        return 0;
    }
    uint32_t flags = ld_le32(image + hdr + 4);
    if (flags & MB_VIDEO_MODE) {
        error_setg(errp, "%s: the multiboot kernel asks for a video mode, which kemu "
                   "does not set", cfg->kernel);
        return -1;
    }
    if (flags & 0xffff & ~MB_SUPPORTED_REQS) {
        error_setg(errp, "%s: unsupported multiboot requirements 0x%x", cfg->kernel,
                   flags & 0xffff & ~MB_SUPPORTED_REQS);
        return -1;
    }
    uint32_t eip;
    uint64_t end;
    bool ok = (flags & MB_AOUT_KLUDGE) ?
              load_aout(cfg->kernel, image, size, hdr, &eip, &end, errp) :
              load_elf(cfg->kernel, image, size, &eip, &end, errp);
    if (!ok || !write_info(cfg, end, errp)) {
        return -1;
    }
    *entry = (X86BootEntry){
        .mode = X86_BOOT_PROT32,
        .eip = eip,
        .eax = MB_BOOTLOADER_MAGIC,
        .ebx = X86_BOOT_PARAMS_ADDR,
    };
    x86_boot_write_gdt(entry);
    return 1;
}
