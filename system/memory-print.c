/* info mtree: the region trees of the address spaces and their flat views. */
#include <inttypes.h>

#include "system/memory.h"
#include "system/memory-internal.h"

static const char *region_type_name(const MemoryRegion *mr)
{
    while (mr->type == MR_ALIAS) {
        mr = mr->alias;
    }
    if (mr->type == MR_RAM) {
        return mr->readonly ? "rom" : "ram";
    }
    return "i/o";               /* IO and containers, as QEMU prints them */
}

/* Subregions by address, then highest priority first, as QEMU lists them. */
static gint mtree_cmp(gconstpointer a, gconstpointer b)
{
    const MemoryRegion *x = *(MemoryRegion *const *)a;
    const MemoryRegion *y = *(MemoryRegion *const *)b;

    if (x->addr != y->addr) {
        return x->addr < y->addr ? -1 : 1;
    }
    return x->priority > y->priority ? -1 : x->priority < y->priority;
}

static void mtree_print_region(GString *out, MemoryRegion *mr, hwaddr base,
                               unsigned level, GPtrArray *aliased)
{
    hwaddr start = base + mr->addr;

    g_assert(level < MEMORY_MAX_DEPTH);
    g_string_append_printf(out, "%*s%016" HWADDR_PRIx "-%016" HWADDR_PRIx
                           " (prio %d, %s): ", (int)level * 2, "", start,
                           start + region_last(mr), mr->priority, region_type_name(mr));
    if (mr->type == MR_ALIAS) {
        g_string_append_printf(out, "alias %s @%s %016" HWADDR_PRIx "-%016" HWADDR_PRIx,
                               region_name(mr), region_name(mr->alias), mr->alias_offset,
                               mr->alias_offset + region_last(mr));
        if (!g_ptr_array_find(aliased, mr->alias, NULL)) {
            g_ptr_array_add(aliased, mr->alias);
        }
    } else {
        g_string_append(out, region_name(mr));
    }
    g_string_append(out, mr->enabled ? "\n" : " [disabled]\n");

    if (mr->subregions && mr->subregions->len > 0) {
        GPtrArray *subs = g_ptr_array_copy(mr->subregions, NULL, NULL);
        g_ptr_array_sort(subs, mtree_cmp);
        for (guint i = 0; i < subs->len; i++) {
            mtree_print_region(out, g_ptr_array_index(subs, i), start, level + 1, aliased);
        }
        g_ptr_array_free(subs, true);
    }
}

static bool region_in_tree(const MemoryRegion *mr, const MemoryRegion *root)
{
    while (mr && mr != root) {
        mr = mr->container;
    }
    return mr == root;
}

static void mtree_print_flat(GString *out, AddressSpace *as, unsigned index)
{
    FlatView *fv = address_space_get_flatview(as);

    g_string_append_printf(out, "FlatView #%u\n AS \"%s\", root: %s\n"
                           " Root memory region: %s\n", index, as->name,
                           region_name(as->root), region_name(as->root));
    if (fv->nr == 0) {
        g_string_append(out, "  No rendered FlatView\n");
    }
    for (unsigned i = 0; i < fv->nr; i++) {
        const FlatRange *fr = &fv->ranges[i];
        const char *type = fr->mr->type == MR_IO ? "i/o" : fr->readonly ? "rom" : "ram";

        g_string_append_printf(out, "  %016" HWADDR_PRIx "-%016" HWADDR_PRIx
                               " (prio %d, %s): %s", fr->addr, fr->addr + (fr->size - 1),
                               fr->mr->priority, type, region_name(fr->mr));
        if (fr->offset) {
            g_string_append_printf(out, " @%016" HWADDR_PRIx, fr->offset);
        }
        g_string_append_c(out, '\n');
    }
    g_string_append_c(out, '\n');
    flatview_unref(fv);
}

void memory_print_tree(GString *out, bool flat)
{
    GPtrArray *aliased = g_ptr_array_new();

    address_space_memory();
    address_space_io();
    GPtrArray *spaces = memory_address_spaces();
    for (guint i = 0; i < spaces->len; i++) {
        AddressSpace *as = g_ptr_array_index(spaces, i);
        if (flat) {
            mtree_print_flat(out, as, i);
            continue;
        }
        g_string_append_printf(out, "address-space: %s\n", as->name);
        if (as->root) {
            mtree_print_region(out, as->root, 0 - as->root->addr, 1, aliased);
        }
        g_string_append_c(out, '\n');
    }
    /* Alias targets mapped nowhere else get a tree of their own. */
    for (guint i = 0; i < aliased->len; i++) {
        MemoryRegion *mr = g_ptr_array_index(aliased, i);
        bool shown = false;

        for (guint k = 0; k < spaces->len && !shown; k++) {
            AddressSpace *as = g_ptr_array_index(spaces, k);
            shown = region_in_tree(mr, as->root);
        }
        if (!shown) {
            g_string_append_printf(out, "memory-region: %s\n", region_name(mr));
            mtree_print_region(out, mr, 0 - mr->addr, 1, aliased);
            g_string_append_c(out, '\n');
        }
    }
    g_ptr_array_free(aliased, true);
}
