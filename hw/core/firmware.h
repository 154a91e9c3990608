/* Where firmware images are looked up: the -L directories, then the system's. */
#ifndef HW_CORE_FIRMWARE_H
#define HW_CORE_FIRMWARE_H

#include <glib.h>

/* Add a -L directory (searched before the defaults, in the order given). */
void firmware_add_search_dir(const char *dir);
/* The full path of name (a path with '/' is taken as is), or NULL; g_free it. */
char *firmware_find(const char *name);
/* "-L help": the search path, one directory per line. */
void firmware_print_search_path(GString *out);

#endif
