#include "hw/core/firmware.h"

#include <string.h>

/* Debian's seabios and qemu-system-data packages install here. */
static const char *const default_dirs[] = {
    "/usr/share/kemu",
    "/usr/share/seabios",
    "/usr/share/qemu",
};

static GPtrArray *user_dirs;

void firmware_add_search_dir(const char *dir)
{
    if (!user_dirs) {
        user_dirs = g_ptr_array_new_with_free_func(g_free);
    }
    g_ptr_array_add(user_dirs, g_strdup(dir));
}

static char *try_dir(const char *dir, const char *name)
{
    char *path = g_build_filename(dir, name, NULL);
    if (g_file_test(path, G_FILE_TEST_IS_REGULAR)) {
        return path;
    }
    g_free(path);
    return NULL;
}

char *firmware_find(const char *name)
{
    if (strchr(name, '/')) {
        return g_file_test(name, G_FILE_TEST_IS_REGULAR) ? g_strdup(name) : NULL;
    }
    for (guint i = 0; user_dirs && i < user_dirs->len; i++) {
        char *path = try_dir(g_ptr_array_index(user_dirs, i), name);
        if (path) {
            return path;
        }
    }
    for (size_t i = 0; i < G_N_ELEMENTS(default_dirs); i++) {
        char *path = try_dir(default_dirs[i], name);
        if (path) {
            return path;
        }
    }
    return NULL;
}

void firmware_print_search_path(GString *out)
{
    for (guint i = 0; user_dirs && i < user_dirs->len; i++) {
        g_string_append_printf(out, "%s\n", (char *)g_ptr_array_index(user_dirs, i));
    }
    for (size_t i = 0; i < G_N_ELEMENTS(default_dirs); i++) {
        g_string_append_printf(out, "%s\n", default_dirs[i]);
    }
}
