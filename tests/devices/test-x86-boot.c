/*
 * Direct boot loaders: Debian's real bzImage with an initrd (boot_params
 * fields and placements), the in-tree multiboot kernels, and bad input.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <glib.h>
#include <glib/gstdio.h>
#include <string.h>

#include "hw/i386/x86-boot.h"
#include "system/memory.h"
#include "tests/devices/harness.h"

#define RAM_SIZE (96ull << 20)

static MemoryRegion ram;
static E820Table e820;
static char *tmpdir;

static char *tmpfile_with(const char *name, size_t size, uint8_t seed)
{
    char *path = g_build_filename(tmpdir, name, NULL);
    uint8_t *data = g_malloc(size);
    for (size_t i = 0; i < size; i++) {
        data[i] = (uint8_t)(i * 131 + seed);
    }
    g_assert(g_file_set_contents(path, (char *)data, size, NULL));
    g_free(data);
    return path;
}

static int teardown_all(void **state)
{
    GDir *dir = g_dir_open(tmpdir, 0, NULL);
    const char *name;
    while (dir && (name = g_dir_read_name(dir))) {
        g_autofree char *path = g_build_filename(tmpdir, name, NULL);
        g_unlink(path);
    }
    if (dir) {
        g_dir_close(dir);
    }
    g_rmdir(tmpdir);
    g_free(tmpdir);
    return 0;
}

static int setup_all(void **state)
{
    harness_init();
    Error *err = NULL;
    assert_true(memory_region_init_ram(&ram, NULL, "ram", RAM_SIZE, &err));
    memory_region_add_subregion(get_system_memory(), 0, &ram);
    assert_true(e820_add_entry(&e820, 0, 0x9fc00, E820_RAM, NULL));
    assert_true(e820_add_entry(&e820, 0x9fc00, 0x400, E820_RESERVED, NULL));
    assert_true(e820_add_entry(&e820, 0xf0000, 0x10000, E820_RESERVED, NULL));
    assert_true(e820_add_entry(&e820, 0x100000, RAM_SIZE - 0x100000, E820_RAM, NULL));
    tmpdir = g_dir_make_tmp("kemu-boot-XXXXXX", NULL);
    return 0;
}

static X86BootConfig config(const char *kernel, const char *initrd, const char *cmdline)
{
    return (X86BootConfig){ .kernel = kernel, .initrd = initrd, .cmdline = cmdline,
                            .below_4g_mem_size = RAM_SIZE, .e820 = &e820,
                            .acpi_rsdp_addr = 0xfe0000 };
}

static uint8_t *guest(uint64_t addr)
{
    hwaddr len = 1;
    uint8_t *p = address_space_ram_ptr(address_space_memory(), addr, &len, false);
    assert_non_null(p);
    return p;
}

static uint32_t rd32(uint64_t addr)
{
    return harness_readl(addr);
}

static char *find_kernel(void)
{
    const char *env = g_getenv("KEMU_TEST_KERNEL");
    if (env) {
        return g_strdup(env);
    }
    GDir *dir = g_dir_open("/boot", 0, NULL);
    char *found = NULL;
    const char *name;
    while (dir && (name = g_dir_read_name(dir))) {
        if (g_str_has_prefix(name, "vmlinuz-") && !found) {
            found = g_build_filename("/boot", name, NULL);
        }
    }
    if (dir) {
        g_dir_close(dir);
    }
    return found;
}

static void test_bzimage(void **state)
{
    g_autofree char *kernel = find_kernel();
    if (!kernel) {
        print_message("SKIP: no /boot/vmlinuz-* (install linux-image-amd64)\n");
        skip();
    }
    g_autofree char *initrd = tmpfile_with("initrd", 3 * 1024 * 1024 + 123, 7);
    const char *cmdline = "console=ttyS0 root=/dev/ram0 quiet";
    X86BootConfig cfg = config(kernel, initrd, cmdline);
    X86BootEntry entry;
    Error *err = NULL;
    bool ok = x86_load_kernel(&cfg, &entry, &err);
    if (!ok) {
        fail_msg("%s", error_get_pretty(err));
    }
    const uint64_t bp = X86_BOOT_PARAMS_ADDR;
    assert_int_equal(harness_readw(bp + 0x1fe), 0xaa55);
    assert_memory_equal(guest(bp + 0x202), "HdrS", 4);
    assert_true(harness_readw(bp + 0x206) >= 0x0206);
    assert_int_equal(harness_readb(bp + 0x210), 0xff);          /* type_of_loader */
    assert_true(harness_readb(bp + 0x211) & 0x01);               /* LOADED_HIGH */
    assert_int_equal(rd32(bp + 0x214), X86_BOOT_KERNEL_ADDR);    /* code32_start */
    assert_int_equal(rd32(bp + 0x228), X86_BOOT_CMDLINE_ADDR);
    assert_string_equal((char *)guest(X86_BOOT_CMDLINE_ADDR), cmdline);

    /* The initrd: page aligned, in RAM, below initrd_addr_max, intact. */
    uint32_t rd_addr = rd32(bp + 0x218), rd_size = rd32(bp + 0x21c);
    assert_int_equal(rd_size, 3 * 1024 * 1024 + 123);
    assert_int_equal(rd_addr & 0xfff, 0);
    assert_true(rd_addr + rd_size <= RAM_SIZE);
    assert_true(rd_addr + rd_size - 1 <= rd32(bp + 0x22c));
    assert_true(rd_addr >= X86_BOOT_KERNEL_ADDR + rd32(bp + 0x260));  /* past init_size */
    gchar *want;
    gsize want_len;
    assert_true(g_file_get_contents(initrd, &want, &want_len, NULL));
    assert_memory_equal(guest(rd_addr), want, want_len);
    g_free(want);

    /* The protected-mode kernel at 1 MiB, byte for byte. */
    gchar *image;
    gsize image_len;
    assert_true(g_file_get_contents(kernel, &image, &image_len, NULL));
    size_t setup = ((uint8_t)image[0x1f1] + 1) * 512;
    assert_memory_equal(guest(X86_BOOT_KERNEL_ADDR), image + setup, image_len - setup);
    g_free(image);

    /* The e820 map as given, and the RSDP for protocol 2.14+. */
    assert_int_equal(harness_readb(bp + 0x1e8), e820.count);
    assert_int_equal(harness_readq(bp + 0x2d0 + 3 * 20), 0x100000);
    assert_int_equal(harness_readq(bp + 0x2d0 + 3 * 20 + 8), RAM_SIZE - 0x100000);
    assert_int_equal(rd32(bp + 0x2d0 + 3 * 20 + 16), E820_RAM);
    if (harness_readw(bp + 0x206) >= 0x020e) {
        assert_int_equal(harness_readq(bp + 0x70), 0xfe0000);
    }

    /* The 32-bit entry state of the boot protocol. */
    assert_int_equal(entry.mode, X86_BOOT_PROT32);
    assert_int_equal(entry.eip, X86_BOOT_KERNEL_ADDR);
    assert_int_equal(entry.esi, X86_BOOT_PARAMS_ADDR);
    assert_int_equal(harness_readq(entry.gdt_base + X86_BOOT_CS), 0x00cf9b000000ffffull);
    assert_int_equal(harness_readq(entry.gdt_base + X86_BOOT_DS), 0x00cf93000000ffffull);
}

static void expect_error(const X86BootConfig *cfg, const char *want)
{
    X86BootEntry entry;
    Error *err = NULL;
    assert_false(x86_load_kernel(cfg, &entry, &err));
    assert_non_null(err);
    if (!strstr(error_get_pretty(err), want)) {
        fail_msg("error '%s' lacks '%s'", error_get_pretty(err), want);
    }
    error_free(err);
}

static void test_bad_kernels(void **state)
{
    g_autofree char *garbage = tmpfile_with("garbage", 100000, 3);
    X86BootConfig cfg = config(garbage, NULL, "");
    expect_error(&cfg, "not a bzImage, multiboot or ELF kernel");

    g_autofree char *empty = tmpfile_with("empty", 0, 0);
    cfg = config(empty, NULL, "");
    expect_error(&cfg, "not a bzImage, multiboot or ELF kernel");

    /* A 64-bit ELF program is no multiboot kernel. */
    cfg = config("/bin/true", NULL, "");
    expect_error(&cfg, "ELF kernel without a multiboot header");

    cfg = config("/nonexistent/vmlinuz", NULL, "");
    expect_error(&cfg, "could not open '/nonexistent/vmlinuz'");

    g_autofree char *kernel = find_kernel();
    if (!kernel) {
        print_message("SKIP: bzImage error cases need /boot/vmlinuz-*\n");
        return;
    }
    char *huge = g_strnfill(300000, 'x');
    cfg = config(kernel, NULL, huge);
    expect_error(&cfg, "kernel command line too long");
    g_free(huge);

    g_autofree char *big_initrd = tmpfile_with("big-initrd", 60 * 1024 * 1024, 1);
    cfg = config(kernel, big_initrd, "");
    expect_error(&cfg, "initrd is too large");

    /* A bzImage header with a setup size past the end of the file. */
    gchar *image;
    gsize len;
    assert_true(g_file_get_contents(kernel, &image, &len, NULL));
    image[0x1f1] = 0xff;
    g_autofree char *cut = g_build_filename(tmpdir, "cut", NULL);
    assert_true(g_file_set_contents(cut, image, 0x1000 * 16, NULL));
    g_free(image);
    cfg = config(cut, NULL, "");
    expect_error(&cfg, "corrupt bzImage header");
}

static void test_multiboot_elf(void **state)
{
    const char *path = g_getenv("KEMU_GUEST_MB_HELLO");
    if (!path) {
        print_message("SKIP: KEMU_GUEST_MB_HELLO not set (nasm missing?)\n");
        skip();
    }
    g_autofree char *mod1 = tmpfile_with("mod1", 5000, 9);
    g_autofree char *mod2 = tmpfile_with("mod,2", 100, 11);
    /* Two modules; the second's name holds an escaped comma. */
    g_autofree char *mods = g_strdup_printf("%s arg1 arg2,%s/mod,,2", mod1, tmpdir);
    X86BootConfig cfg = config(path, mods, "verbose=1");
    X86BootEntry entry;
    Error *err = NULL;
    if (!x86_load_kernel(&cfg, &entry, &err)) {
        fail_msg("%s", error_get_pretty(err));
    }
    assert_int_equal(entry.eax, 0x2badb002);
    assert_int_equal(entry.ebx, X86_BOOT_PARAMS_ADDR);
    assert_true(entry.eip >= 0x200000 && entry.eip < 0x300000);
    const uint64_t mbi = X86_BOOT_PARAMS_ADDR;
    uint32_t flags = rd32(mbi);
    assert_int_equal(flags & 0x24d, 0x24d);     /* mem, cmdline, mods, mmap, loader name */
    assert_int_equal(rd32(mbi + 4), 640);
    assert_int_equal(rd32(mbi + 8), (RAM_SIZE - 0x100000) >> 10);
    g_autofree char *want_cmdline = g_strdup_printf("%s verbose=1", path);
    assert_string_equal((char *)guest(rd32(mbi + 16)), want_cmdline);
    assert_string_equal((char *)guest(rd32(mbi + 64)), "kemu");
    assert_int_equal(rd32(mbi + 20), 2);
    uint32_t mods_addr = rd32(mbi + 24);
    uint32_t m0 = rd32(mods_addr), m0_end = rd32(mods_addr + 4);
    assert_int_equal(m0 & 0xfff, 0);
    assert_int_equal(m0_end - m0, 5000);
    g_autofree char *want_mod0 = g_strdup_printf("%s arg1 arg2", mod1);
    assert_string_equal((char *)guest(rd32(mods_addr + 8)), want_mod0);
    assert_int_equal(guest(m0)[4999], (uint8_t)(4999 * 131 + 9));
    uint32_t m1 = rd32(mods_addr + 16);
    assert_int_equal(m1 & 0xfff, 0);
    assert_true(m1 >= m0_end);
    assert_int_equal(rd32(mods_addr + 20) - m1, 100);
    /* The memory map: a size field, then the e820 entry. */
    assert_int_equal(rd32(mbi + 44), e820.count * 24);
    uint32_t mmap = rd32(mbi + 48);
    assert_int_equal(rd32(mmap), 20);
    assert_int_equal(harness_readq(mmap + 24 * 3 + 4), 0x100000);
}

static void test_multiboot_aout(void **state)
{
    const char *path = g_getenv("KEMU_GUEST_MB_AOUT");
    if (!path) {
        print_message("SKIP: KEMU_GUEST_MB_AOUT not set (nasm missing?)\n");
        skip();
    }
    memset(guest(0x200000), 0xcc, 0x2000);
    X86BootConfig cfg = config(path, NULL, "");
    X86BootEntry entry;
    Error *err = NULL;
    if (!x86_load_kernel(&cfg, &entry, &err)) {
        fail_msg("%s", error_get_pretty(err));
    }
    assert_int_equal(entry.eip, 0x200020);
    assert_int_equal(rd32(0x200000), 0x1badb002);
    /* The bss after the image is zeroed. */
    uint32_t end = rd32(0x200000 + 20);
    assert_int_equal(guest(end)[0], 0);
    assert_int_equal(guest(end + 0xfff)[0], 0);
}

static void test_multiboot_bad(void **state)
{
    /* A header asking for a video mode, and one whose a.out range lies. */
    uint8_t img[512] = { 0 };
    uint32_t flags = 0x4, magic = 0x1badb002, sum = -(magic + flags);
    memcpy(img + 8, &magic, 4);
    memcpy(img + 12, &flags, 4);
    memcpy(img + 16, &sum, 4);
    g_autofree char *p = g_build_filename(tmpdir, "mbvideo", NULL);
    assert_true(g_file_set_contents(p, (char *)img, sizeof(img), NULL));
    X86BootConfig cfg = config(p, NULL, "");
    expect_error(&cfg, "video mode");

    flags = 0x10000;
    sum = -(magic + flags);
    memcpy(img + 12, &flags, 4);
    memcpy(img + 16, &sum, 4);
    uint32_t aout[5] = { 0x100008, 0x100000, 0x200000, 0, 0x100000 };  /* load_end past EOF */
    memcpy(img + 20, aout, sizeof(aout));
    assert_true(g_file_set_contents(p, (char *)img, sizeof(img), NULL));
    expect_error(&cfg, "beyond the end of the file");

    /* Modules that do not exist. */
    g_autofree char *mods = g_strdup("/nonexistent/module");
    const char *path = g_getenv("KEMU_GUEST_MB_HELLO");
    if (path) {
        cfg = config(path, mods, "");
        expect_error(&cfg, "could not open '/nonexistent/module'");
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_bzimage),
        cmocka_unit_test(test_bad_kernels),
        cmocka_unit_test(test_multiboot_elf),
        cmocka_unit_test(test_multiboot_aout),
        cmocka_unit_test(test_multiboot_bad),
    };
    return cmocka_run_group_tests(tests, setup_all, teardown_all);
}
