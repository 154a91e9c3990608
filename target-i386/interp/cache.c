/*
 * The decoded-block cache, keyed by guest physical address and code size.
 *
 * Each block is listed under the physical page(s) its bytes occupy.  The
 * TLB sends writes to such pages to the slow path (TLB_CODE), which calls
 * x86_code_write() to drop the blocks the write overlaps.  Writes by DMA
 * come through x86_interp_invalidate_phys(); memory map changes flush
 * everything (a MemoryListener).
 *
 * Invalidated blocks become zombies: a block may be invalidated by a store
 * inside itself, or still be referenced by a jump cache, so it is freed
 * only after every jump cache has been cleared.  All of this runs in the
 * one thread that runs the vCPUs; other threads only post requests.
 */
#include "target-i386/interp/decode.h"
#include "target-i386/disas.h"
#include "util/log.h"

#define BLOCK_HASH_BITS 16
#define BLOCK_HASH_SIZE (1u << BLOCK_HASH_BITS)
#define MAX_BLOCKS      (1u << 18)      /* flush the whole cache past this */
#define MAX_ZOMBIES     512

static X86Block *block_hash[BLOCK_HASH_SIZE];
static GHashTable *code_pages;          /* page number -> GPtrArray of X86Block */
static GPtrArray *zombies;
static unsigned nr_blocks;

unsigned x86_flush_gen_global;          /* bumped to ask every context to flush */
static unsigned cache_flush_gen;

static GMutex inval_lock;
static GArray *inval_ranges;            /* pairs of (addr, len) posted by other threads */
static int inval_pending;

static MemoryListener cache_listener;
static bool listener_registered;

static unsigned block_hash_idx(uint64_t phys, uint32_t mode)
{
    uint64_t h = (phys ^ (phys >> BLOCK_HASH_BITS) ^ ((uint64_t)mode << 7)) * 0x9e3779b97f4a7c15ull;
    return h >> (64 - BLOCK_HASH_BITS);
}

static gpointer page_key(uint64_t page)
{
    return GSIZE_TO_POINTER((gsize)(page >> 12));
}

bool x86_code_page_has_code(uint64_t page)
{
    return code_pages && g_hash_table_contains(code_pages, page_key(page));
}

static void page_add_block(uint64_t page, X86Block *b)
{
    GPtrArray *a = g_hash_table_lookup(code_pages, page_key(page));
    if (!a) {
        a = g_ptr_array_new();
        g_hash_table_insert(code_pages, page_key(page), a);
        x86_tlb_protect_code_page(page);
    }
    g_ptr_array_add(a, b);
}

static void page_remove_block(uint64_t page, X86Block *b, bool drop_empty)
{
    GPtrArray *a = g_hash_table_lookup(code_pages, page_key(page));
    if (a) {
        g_ptr_array_remove_fast(a, b);
        if (drop_empty && a->len == 0) {
            g_hash_table_remove(code_pages, page_key(page));
        }
    }
}

/* Unlink b from the hash and the page lists; it becomes a zombie. */
static void block_invalidate(X86Block *b, uint64_t iterating_page)
{
    X86Block **p = &block_hash[block_hash_idx(b->phys, b->mode)];
    while (*p && *p != b) {
        p = &(*p)->hnext;
    }
    if (*p) {
        *p = b->hnext;
    }
    uint64_t page = b->phys & X86_PAGE_MASK;
    page_remove_block(page, b, page != iterating_page);
    if (b->page2 != UINT64_MAX) {
        page_remove_block(b->page2, b, b->page2 != iterating_page);
    }
    b->valid = false;
    g_ptr_array_add(zombies, b);
    nr_blocks--;
}

/* Does b have a byte in [phys, phys + len)? */
static bool block_overlaps(const X86Block *b, uint64_t phys, unsigned len)
{
    uint64_t first_end = MIN(b->phys + b->bytes, (b->phys & X86_PAGE_MASK) + X86_PAGE_SIZE);
    if (phys < first_end && phys + len > b->phys) {
        return true;
    }
    if (b->page2 != UINT64_MAX) {
        uint64_t n2 = b->phys + b->bytes - first_end;
        return phys < b->page2 + n2 && phys + len > b->page2;
    }
    return false;
}

bool x86_code_write(X86Interp *s, uint64_t phys, unsigned len)
{
    uint64_t page = phys & X86_PAGE_MASK;
    GPtrArray *a;

    if (!code_pages || !(a = g_hash_table_lookup(code_pages, page_key(page)))) {
        return false;
    }
    for (unsigned i = a->len; i-- > 0;) {
        X86Block *b = g_ptr_array_index(a, i);
        if (i < a->len && block_overlaps(b, phys, len)) {
            block_invalidate(b, page);
            if (s) {
                /* The running block may be one of them: re-fetch after this instruction. */
                s->stop = true;
            }
        }
    }
    if (a->len == 0) {
        g_hash_table_remove(code_pages, page_key(page));
        return false;
    }
    return true;
}

static void free_zombies(void)
{
    for (unsigned i = 0; i < zombies->len; i++) {
        g_free(g_ptr_array_index(zombies, i));
    }
    g_ptr_array_set_size(zombies, 0);
}

static void cache_flush(X86Interp *s)
{
    for (unsigned i = 0; i < BLOCK_HASH_SIZE; i++) {
        X86Block *b = block_hash[i];
        while (b) {
            X86Block *next = b->hnext;
            g_free(b);
            b = next;
        }
        block_hash[i] = NULL;
    }
    g_hash_table_remove_all(code_pages);
    nr_blocks = 0;
    free_zombies();
}

static void listener_commit(MemoryListener *l)
{
    g_atomic_int_inc(&x86_flush_gen_global);
}

void x86_interp_flush_all(void)
{
    g_atomic_int_inc(&x86_flush_gen_global);
}

void x86_interp_invalidate_phys(hwaddr addr, hwaddr len)
{
    if (len == 0) {
        return;
    }
    g_mutex_lock(&inval_lock);
    if (!inval_ranges) {
        inval_ranges = g_array_new(false, false, sizeof(uint64_t));
    }
    uint64_t r[2] = { addr, len };
    g_array_append_vals(inval_ranges, r, 2);
    g_atomic_int_set(&inval_pending, 1);
    g_mutex_unlock(&inval_lock);
}

void x86_cache_init(void)
{
    if (!code_pages) {
        code_pages = g_hash_table_new_full(g_direct_hash, g_direct_equal, NULL,
                                           (GDestroyNotify)g_ptr_array_unref);
        zombies = g_ptr_array_new();
    }
    if (!listener_registered) {
        listener_registered = true;
        cache_listener.commit = listener_commit;
        memory_listener_register(&cache_listener, address_space_memory());
    }
}

void x86_cache_sync(X86Interp *s)
{
    unsigned g = (unsigned)g_atomic_int_get(&x86_flush_gen_global);

    if (g != s->flush_gen) {
        if (g != cache_flush_gen) {
            cache_flush(s);
            cache_flush_gen = g;
            x86_jc_clear_all();
        }
        x86_tlb_flush(s);
        memset(s->pcache_start, 0, sizeof(s->pcache_start));
        memset(s->pcache_end, 0, sizeof(s->pcache_end));
        s->flush_gen = g;
    }
    if (g_atomic_int_get(&inval_pending)) {
        g_mutex_lock(&inval_lock);
        GArray *r = inval_ranges;
        inval_ranges = NULL;
        g_atomic_int_set(&inval_pending, 0);
        g_mutex_unlock(&inval_lock);
        for (unsigned i = 0; r && i + 1 < r->len; i += 2) {
            uint64_t addr = g_array_index(r, uint64_t, i);
            uint64_t len = g_array_index(r, uint64_t, i + 1);
            /* Page by page: x86_code_write looks at one page. */
            for (uint64_t a = addr, end = addr + len; a < end;) {
                unsigned n = MIN(end - a, X86_PAGE_SIZE - (a & 0xfff));
                x86_code_write(NULL, a, n);
                a += n;
            }
        }
        if (r) {
            g_array_free(r, true);
        }
    }
    if (zombies->len > MAX_ZOMBIES) {
        x86_jc_clear_all();
        free_zombies();
    }
}

static X86Block *block_find(uint64_t phys, uint32_t mode)
{
    for (X86Block *b = block_hash[block_hash_idx(phys, mode)]; b; b = b->hnext) {
        if (b->phys == phys && b->mode == mode) {
            return b;
        }
    }
    return NULL;
}

/* -d in_asm: each instruction of a new block with its address, bytes and disassembly. */
static void block_log(X86Interp *s, const X86Block *b)
{
    static bool told_no_disas;  /* only the vCPU thread logs blocks */
    g_autoptr(GString) out = g_string_new(NULL);
    g_autoptr(GString) text = g_string_new(NULL);
    uint64_t first_end = (b->phys & X86_PAGE_MASK) + X86_PAGE_SIZE;
    uint64_t rip = s->env->rip;
    unsigned bits = 8 << b->mode;
    X86Disas *d = x86_disas_new(bits);
    unsigned off = 0;

    if (!x86_disas_available() && !told_no_disas) {
        g_string_append(out, "in_asm: kemu was built without capstone, showing bytes only\n");
        told_no_disas = true;
    }
    g_string_append_printf(out, "IN: %04x:%016" PRIx64 " phys 0x%" PRIx64 " %u-bit\n",
                           s->env->segs[R_CS].selector, rip, b->phys, bits);
    for (unsigned i = 0; i < b->n; i++) {
        uint8_t bytes[X86_INSN_MAX_LEN];
        unsigned len = MIN(b->insns[i].len, (unsigned)X86_INSN_MAX_LEN);
        uint64_t pc = bits == 64 ? rip + off : (uint32_t)(rip + off);
        for (unsigned k = 0; k < len; k++) {
            uint64_t at = b->phys + off + k;
            uint64_t pa = at < first_end ? at : b->page2 + (at - first_end);
            bytes[k] = 0xff;
            address_space_read(address_space_memory(), pa, &bytes[k], 1);
        }
        off += b->insns[i].len;
        g_string_truncate(text, 0);
        if (!x86_disas_insn(d, bytes, len, pc, text) && x86_disas_available()) {
            g_string_append(text, "(bad)");
        }
        g_string_append(out, "  ");
        x86_disas_append_line(out, pc, 16, bytes, len, text->str);
    }
    x86_disas_free(d);
    log_printf("%s\n", out->str);
}

static X86Block *block_create(X86Interp *s, uint64_t phys, uint32_t mode)
{
    X86Insn tmp[X86_BLOCK_MAX_INSNS];
    unsigned bytes;
    uint64_t page2;
    unsigned n = x86_decode_block(s, s->env->rip, tmp, X86_BLOCK_MAX_INSNS, &bytes, &page2);
    x86_block_elide_flags(tmp, n);
    X86Block *b = g_malloc(sizeof(X86Block) + n * sizeof(X86Insn));

    b->phys = phys;
    b->page2 = page2;
    b->mode = mode;
    b->n = n;
    b->bytes = bytes;
    b->valid = true;
    b->link_victim = 0;
    memset(b->link, 0, sizeof(b->link));       /* key 0: no mode has it */
    memcpy(b->insns, tmp, n * sizeof(X86Insn));
    unsigned h = block_hash_idx(phys, mode);
    b->hnext = block_hash[h];
    block_hash[h] = b;
    page_add_block(phys & X86_PAGE_MASK, b);
    if (page2 != UINT64_MAX) {
        page_add_block(page2, b);
    }
    nr_blocks++;
    if (log_enabled(LOG_IN_ASM)) {
        block_log(s, b);
    }
    return b;
}

static X86Block *block_lookup_slow(X86Interp *s, uint64_t pc, uint32_t key, JumpCacheEntry *je)
{
    uint32_t mode = s->code_ot;
    uint64_t phys;
    bool faulted = false;
    X86Block *b;

    if (nr_blocks >= MAX_BLOCKS) {
        log_mask(LOG_EXEC, "x86: decoded-code cache full, flushing\n");
        x86_interp_flush_all();
        x86_cache_sync(s);
        je = &s->jc[jc_index(pc)];
    }
    x86_fetch_ptr(s, pc, &phys, true, &faulted);
    b = block_find(phys, mode);
    if (b && b->page2 != UINT64_MAX) {
        /* This linear alias must reach the same second page. */
        uint64_t phys2;
        bool f2 = false;
        x86_fetch_ptr(s, ((pc | 0xfff) + 1) & s->lin_mask, &phys2, false, &f2);
        if (f2 || (phys2 & X86_PAGE_MASK) != b->page2) {
            block_invalidate(b, UINT64_MAX);
            b = NULL;
        }
    }
    if (!b) {
        b = block_create(s, phys, mode);
    }
    je->pc = pc;
    je->key = key;
    je->b = b;
    return b;
}

X86Block *x86_block_lookup(X86Interp *s)
{
    uint64_t pc = (s->seg[R_CS].base + s->env->rip) & s->lin_mask;
    JumpCacheEntry *je = &s->jc[jc_index(pc)];

    if (je->pc == pc && je->key == s->jc_key && je->b->valid) {
        return je->b;
    }
    return block_lookup_slow(s, pc, s->jc_key, je);
}
