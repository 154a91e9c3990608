/*
 * Guest memory in the monitor: x (virtual, through the CPU's page tables),
 * xp (physical), info tlb and info mem, in QEMU's formats so that people
 * and scripts used to QEMU read them the same way.
 *
 * x and xp take "/[count][format][size] address": format x d u o c i, size
 * b h w g.  A missing format or size is the one used last (x with size w
 * at first), as in QEMU; i takes its code size from the CPU unless h (16),
 * w (32) or g (64) says.  The address is a number or $register, with + and -.
 *
 * The CPU is vCPU #0 (what info registers shows by default), synced from the
 * accelerator first.  Nothing here faults or changes the guest: page tables
 * are read by target-i386/page-walk.c.
 */
#include "monitor/hmp.h"

#include <inttypes.h>
#include <string.h>

#include "system/cpus.h"
#include "system/memory.h"
#include "target-i386/disas.h"
#include "target-i386/page-walk.h"
#include "util/bswap.h"
#include "util/cutils.h"

/* Bounds on one command's output, so a typo cannot stall the monitor. */
#define MEM_DUMP_MAX_BYTES  65536
#define MEM_DUMP_MAX_INSNS  4096
#define TLB_MAX_LINES       262144
#define OUT_FLUSH_BYTES     65536
#define PAGE_SIZE_4K        0x1000ull

/* The format x and xp fall back to, updated by each use (QEMU's behaviour). */
static char mem_last_format = 'x';
static int mem_last_size = 4;

typedef struct MemFormat {
    unsigned count;
    char format;
    int size;                   /* bytes; for 'i': 2, 4, 8 or 0 (the CPU's mode) */
} MemFormat;

/* ---- Arguments ------------------------------------------------------------------ */

static bool mem_is_space(char c)
{
    return c == ' ' || c == '\t';
}

/* "/[count][format][size]" at *pp (the slash included). */
static bool mem_parse_format(const char **pp, MemFormat *fmt, Error **errp)
{
    const char *p = *pp + 1;
    unsigned count = 1;
    char format = 0;
    int size = 0;

    if (g_ascii_isdigit(*p)) {
        count = 0;
        while (g_ascii_isdigit(*p)) {
            if (count > (UINT32_MAX - 9) / 10) {
                error_setg(errp, "format count too large");
                return false;
            }
            count = count * 10 + (*p++ - '0');
        }
    }
    for (; *p && !mem_is_space(*p); p++) {
        switch (*p) {
        case 'x': case 'd': case 'u': case 'o': case 'c': case 'i':
            format = *p;
            break;
        case 'b':
            size = 1;
            break;
        case 'h':
            size = 2;
            break;
        case 'w':
            size = 4;
            break;
        case 'g':
            size = 8;
            break;
        default:
            if (g_ascii_isprint(*p)) {
                error_setg(errp, "invalid char in format: '%c'", *p);
            } else {
                error_setg(errp, "invalid char in format: 0x%02x", (unsigned char)*p);
            }
            return false;
        }
    }
    fmt->count = count;
    fmt->format = format;
    fmt->size = size;
    *pp = p;
    return true;
}

/* A register the address may name: "$pc", "$rsp", "$cr3"... */
static bool mem_register_value(const CPUX86State *env, const char *name, uint64_t *out)
{
    static const char *const regs64[CPU_NB_REGS] = {
        "rax", "rcx", "rdx", "rbx", "rsp", "rbp", "rsi", "rdi",
        "r8", "r9", "r10", "r11", "r12", "r13", "r14", "r15",
    };
    static const char *const regs32[8] = {
        "eax", "ecx", "edx", "ebx", "esp", "ebp", "esi", "edi",
    };
    bool lma = x86_long_mode_active(env);

    if (!strcmp(name, "pc")) {
        uint64_t pc = env->segs[R_CS].base + env->rip;
        *out = lma ? pc : (uint32_t)pc;
        return true;
    }
    if (!strcmp(name, "rip") || !strcmp(name, "eip") || !strcmp(name, "ip")) {
        *out = !strcmp(name, "rip") ? env->rip : (uint32_t)env->rip;
        return true;
    }
    if (!strcmp(name, "sp")) {
        *out = lma ? env->regs[R_ESP] : (uint32_t)env->regs[R_ESP];
        return true;
    }
    for (int i = 0; i < CPU_NB_REGS; i++) {
        if (!strcmp(name, regs64[i])) {
            *out = env->regs[i];
            return true;
        }
        if (i < 8 && !strcmp(name, regs32[i])) {
            *out = (uint32_t)env->regs[i];
            return true;
        }
    }
    static const struct { const char *name; int index; } crs[] = {
        { "cr0", 0 }, { "cr2", 2 }, { "cr3", 3 }, { "cr4", 4 },
    };
    for (size_t i = 0; i < G_N_ELEMENTS(crs); i++) {
        if (!strcmp(name, crs[i].name)) {
            *out = env->cr[crs[i].index];
            return true;
        }
    }
    return false;
}

/* One term: a number (0x hex, 0 octal, decimal) or a $register. */
static bool mem_parse_term(const char **pp, const CPUX86State *env, uint64_t *out,
                           Error **errp)
{
    const char *p = *pp;
    bool reg = *p == '$';
    const char *start = p + reg;

    p = start;
    while (g_ascii_isalnum(*p) || *p == '_') {
        p++;
    }
    g_autofree char *word = g_strndup(start, p - start);
    if (!*word) {
        error_setg(errp, "invalid address expression");
        return false;
    }
    if (reg) {
        if (!env) {
            error_setg(errp, "no CPU for '$%s'", word);
            return false;
        }
        if (!mem_register_value(env, word, out)) {
            error_setg(errp, "unknown register '$%s'", word);
            return false;
        }
    } else if (!parse_uint64(word, out)) {
        error_setg(errp, "invalid number '%s'", word);
        return false;
    }
    *pp = p;
    return true;
}

/* ['-'] term (('+' | '-') ['-'] term)*, wrapping modulo 2^64 like addresses do. */
static bool mem_parse_address(const char *p, const CPUX86State *env, uint64_t *out,
                              Error **errp)
{
    uint64_t value = 0;
    char op = '+';

    for (;;) {
        uint64_t term;
        bool negate = false;
        while (mem_is_space(*p)) {
            p++;
        }
        if (*p == '-') {
            negate = true;
            p++;
        }
        if (!mem_parse_term(&p, env, &term, errp)) {
            return false;
        }
        term = negate ? 0 - term : term;
        value = op == '+' ? value + term : value - term;
        while (mem_is_space(*p)) {
            p++;
        }
        if (!*p) {
            break;
        }
        if (*p != '+' && *p != '-') {
            if (g_ascii_isprint(*p)) {
                error_setg(errp, "invalid character '%c' in address", *p);
            } else {
                error_setg(errp, "invalid character in address");
            }
            return false;
        }
        op = *p++;
    }
    *out = value;
    return true;
}

/* vCPU #0, synced; NULL without CPUs (machine none). */
static X86CPU *mem_cpu(void)
{
    X86CPU *cpu = cpus_count() ? cpus_get(0) : NULL;
    if (cpu) {
        cpu_synchronize_state(cpu);
    }
    return cpu;
}

/* ---- Reading ----------------------------------------------------------------------- */

/* len bytes at addr, virtual (through the page tables) or physical; false if any fails. */
static bool mem_read(const CPUX86State *env, bool is_physical, uint64_t addr, uint8_t *buf,
                     size_t len)
{
    AddressSpace *as = address_space_memory();
    while (len) {
        size_t n = MIN(len, PAGE_SIZE_4K - (addr & (PAGE_SIZE_4K - 1)));
        uint64_t pa = addr;
        if (!is_physical) {
            X86PageMapping m;
            if (!env || !x86_page_walk(env, addr, &m)) {
                return false;
            }
            pa = x86_page_mapping_phys(env, &m, addr);
        }
        if (address_space_read(as, pa, buf, n) != MEMTX_OK) {
            return false;
        }
        addr += n;
        buf += n;
        len -= n;
    }
    return true;
}

/* As many of len bytes as can be read from addr on (the rest may be unmapped). */
static size_t mem_read_partial(const CPUX86State *env, bool is_physical, uint64_t addr,
                               uint8_t *buf, size_t len)
{
    size_t done = 0;
    while (done < len) {
        uint64_t a = addr + done;
        size_t n = MIN(len - done, PAGE_SIZE_4K - (a & (PAGE_SIZE_4K - 1)));
        if (!mem_read(env, is_physical, a, buf + done, n)) {
            break;
        }
        done += n;
    }
    return done;
}

/* ---- x and xp ---------------------------------------------------------------------- */

/* The code size of the CPU's current mode (SDM vol. 3, 5.2.1: CS.L, CS.D). */
static unsigned mem_cpu_code_bits(const CPUX86State *env)
{
    if (!env) {
        return 32;
    }
    const SegmentCache *cs = &env->segs[R_CS];
    if (x86_long_mode_active(env) && (cs->flags & DESC_L_MASK)) {
        return 64;
    }
    if ((env->cr[0] & CR0_PE) && !(env->eflags & VM_MASK) && (cs->flags & DESC_B_MASK)) {
        return 32;
    }
    return 16;
}

static void mem_disassemble(Monitor *mon, const CPUX86State *env, const MemFormat *fmt,
                            uint64_t addr, bool is_physical)
{
    static bool told_no_disas;
    unsigned bits = fmt->size == 2 ? 16 : fmt->size == 4 ? 32 : fmt->size == 8 ? 64 : 0;
    bits = bits ? bits : mem_cpu_code_bits(env);
    int digits = bits == 64 ? 16 : 8;
    X86Disas *d = x86_disas_new(bits);
    g_autoptr(GString) out = g_string_new(NULL);
    g_autoptr(GString) text = g_string_new(NULL);

    if (!x86_disas_available() && !told_no_disas) {
        g_string_append(out, "kemu was built without capstone: showing bytes, "
                             "not instructions\n");
        told_no_disas = true;
    }
    for (unsigned i = 0; i < fmt->count; i++) {
        uint8_t code[X86_INSN_MAX_LEN];
        size_t n = mem_read_partial(env, is_physical, addr, code, sizeof(code));
        if (!n) {
            g_string_append_printf(out, "0x%0*" PRIx64 ": Cannot access memory\n", digits, addr);
            break;
        }
        g_string_truncate(text, 0);
        unsigned len = x86_disas_insn(d, code, n, addr, text);
        if (!len) {
            /* No disassembler: a line of bytes; undecodable: one byte. */
            len = x86_disas_available() ? 1 : MIN(n, (size_t)8);
            if (x86_disas_available()) {
                g_string_append(text, "(bad)");
            }
        }
        x86_disas_append_line(out, addr, digits, code, len, text->str);
        addr += len;
        if (bits != 64) {
            addr = (uint32_t)addr;
        }
    }
    x86_disas_free(d);
    monitor_puts(mon, out->str);
}

/* QEMU's way to show a byte as a character: 'c', or an escape. */
static void mem_append_char(GString *out, uint8_t c)
{
    g_string_append(out, " '");
    switch (c) {
    case '\'':
        g_string_append(out, "\\'");
        break;
    case '\\':
        g_string_append(out, "\\\\");
        break;
    case '\n':
        g_string_append(out, "\\n");
        break;
    case '\r':
        g_string_append(out, "\\r");
        break;
    default:
        if (c >= 0x20 && c < 0x7f) {
            g_string_append_c(out, c);
        } else {
            g_string_append_printf(out, "\\x%02x", c);
        }
        break;
    }
    g_string_append_c(out, '\'');
}

static void mem_dump(Monitor *mon, const CPUX86State *env, const MemFormat *fmt, uint64_t addr,
                     bool is_physical)
{
    int wsize = fmt->format == 'c' ? 1 : fmt->size;
    uint64_t len = (uint64_t)fmt->count * wsize;
    unsigned line_size = wsize == 1 ? 8 : 16;
    int digits;
    g_autoptr(GString) out = g_string_new(NULL);

    switch (fmt->format) {
    case 'o':
        digits = (wsize * 8 + 2) / 3;
        break;
    case 'd':
    case 'u':
        digits = (wsize * 8 * 10 + 32) / 33;   /* decimal digits of the widest value */
        break;
    default:
        digits = wsize * 2;
        break;
    }
    while (len) {
        uint8_t buf[16];
        unsigned l = MIN(len, (uint64_t)line_size);
        g_string_append_printf(out, "%016" PRIx64 ":", addr);
        if (!mem_read(env, is_physical, addr, buf, l)) {
            g_string_append(out, " Cannot access memory\n");
            break;
        }
        for (unsigned i = 0; i < l; i += wsize) {
            uint64_t v = ld_le_n(buf + i, wsize);    /* guest memory is little endian */
            switch (fmt->format) {
            case 'o':
                g_string_append_printf(out, " %#*" PRIo64, digits, v);
                break;
            case 'x':
                g_string_append_printf(out, " 0x%0*" PRIx64, digits, v);
                break;
            case 'u':
                g_string_append_printf(out, " %*" PRIu64, digits, v);
                break;
            case 'd': {
                unsigned sh = 64 - 8 * wsize;
                g_string_append_printf(out, " %*" PRId64, digits, (int64_t)(v << sh) >> sh);
                break;
            }
            case 'c':
                mem_append_char(out, (uint8_t)v);
                break;
            }
        }
        g_string_append_c(out, '\n');
        addr += l;
        len -= l;
    }
    monitor_puts(mon, out->str);
}

static void mem_examine(Monitor *mon, const HmpArgs *args, const char *name, bool is_physical)
{
    const char *p = hmp_arg_str(args, "args");
    MemFormat fmt = { .count = 1 };
    Error *err = NULL;
    uint64_t addr;

    p = p ? p : "";
    if (*p == '/' && !mem_parse_format(&p, &fmt, &err)) {
        goto fail;
    }
    while (mem_is_space(*p)) {
        p++;
    }
    if (!*p) {
        error_setg(&err, "Parameter 'addr' is missing");
        goto fail;
    }
    X86CPU *cpu = mem_cpu();
    const CPUX86State *env = cpu ? &cpu->env : NULL;
    if (!mem_parse_address(p, env, &addr, &err)) {
        goto fail;
    }
    if (!is_physical && !env) {
        error_setg(&err, "No CPU available");
        goto fail;
    }
    /* Defaults from the last use; an 'i' without a size leaves the size alone. */
    if (!fmt.format) {
        fmt.format = mem_last_format;
    }
    if (fmt.format != 'i') {
        if (!fmt.size) {
            fmt.size = mem_last_size;
        }
        mem_last_size = fmt.size;
    }
    mem_last_format = fmt.format;

    if (fmt.format == 'i') {
        if (fmt.count > MEM_DUMP_MAX_INSNS) {
            error_setg(&err, "count %u too large (at most %u instructions)", fmt.count,
                       MEM_DUMP_MAX_INSNS);
            goto fail;
        }
        mem_disassemble(mon, env, &fmt, addr, is_physical);
        return;
    }
    uint64_t bytes = (uint64_t)fmt.count * (fmt.format == 'c' ? 1 : fmt.size);
    if (bytes > MEM_DUMP_MAX_BYTES) {
        error_setg(&err, "count %u too large (at most %u bytes)", fmt.count,
                   MEM_DUMP_MAX_BYTES);
        goto fail;
    }
    mem_dump(mon, env, &fmt, addr, is_physical);
    return;

fail:
    monitor_printf(mon, "%s\nTry \"help %s\" for more information\n", error_get_pretty(err),
                   name);
    error_free(err);
}

void hmp_memory_dump(Monitor *mon, const HmpArgs *args)
{
    mem_examine(mon, args, "x", false);
}

void hmp_physical_memory_dump(Monitor *mon, const HmpArgs *args)
{
    mem_examine(mon, args, "xp", true);
}

/* ---- info tlb and info mem ------------------------------------------------------- */

typedef struct TlbPrint {
    Monitor *mon;
    GString *out;
    unsigned lines;
    bool truncated;
} TlbPrint;

static void tlb_flush_out(TlbPrint *tp, bool force)
{
    if (tp->out->len && (force || tp->out->len >= OUT_FLUSH_BYTES)) {
        monitor_puts(tp->mon, tp->out->str);
        g_string_truncate(tp->out, 0);
    }
}

/* One page: "vaddr: paddr XGPDACTUW", the leaf entry's own bits (SDM vol. 3, 4.3-4.5). */
static bool tlb_print_page(const X86PageMapping *m, void *opaque)
{
    TlbPrint *tp = opaque;
    uint64_t e = m->entry;
    if (tp->lines >= TLB_MAX_LINES) {
        tp->truncated = true;
        return false;
    }
    g_string_append_printf(tp->out, "%016" PRIx64 ": %016" PRIx64 " %c%c%c%c%c%c%c%c%c\n",
                           m->vaddr, m->paddr,
                           (e >> 63) & 1 ? 'X' : '-',
                           (e >> 8) & 1 ? 'G' : '-',
                           m->size > PAGE_SIZE_4K ? 'P' : '-',
                           (e >> 6) & 1 ? 'D' : '-',
                           (e >> 5) & 1 ? 'A' : '-',
                           (e >> 4) & 1 ? 'C' : '-',
                           (e >> 3) & 1 ? 'T' : '-',
                           (e >> 2) & 1 ? 'U' : '-',
                           (e >> 1) & 1 ? 'W' : '-');
    tp->lines++;
    tlb_flush_out(tp, false);
    return true;
}

/* The CPU with paging on, or NULL after saying why not. */
static const CPUX86State *paging_env(Monitor *mon)
{
    X86CPU *cpu = mem_cpu();
    if (!cpu) {
        monitor_printf(mon, "No CPU available\n");
        return NULL;
    }
    if (x86_paging_mode(&cpu->env) == X86_PAGING_OFF) {
        monitor_printf(mon, "PG disabled\n");
        return NULL;
    }
    return &cpu->env;
}

void hmp_info_tlb(Monitor *mon, const HmpArgs *args)
{
    const CPUX86State *env = paging_env(mon);
    if (!env) {
        return;
    }
    TlbPrint tp = { .mon = mon, .out = g_string_new(NULL) };
    bool complete = x86_page_walk_foreach(env, tlb_print_page, &tp);
    tlb_flush_out(&tp, true);
    if (tp.truncated) {
        monitor_printf(mon, "(stopped after %u pages)\n", TLB_MAX_LINES);
    } else if (!complete) {
        monitor_printf(mon, "(stopped after %u page tables)\n", X86_PAGE_WALK_MAX_TABLES);
    }
    g_string_free(tp.out, true);
}

/* Runs of pages with the same rights, merged while they are contiguous. */
typedef struct MemRange {
    GString *out;
    bool open;
    uint64_t start, end;        /* end is exclusive (0 once it wraps past 2^64) */
    bool user, writable;
} MemRange;

static void mem_range_print(MemRange *r)
{
    if (r->open) {
        g_string_append_printf(r->out, "%016" PRIx64 "-%016" PRIx64 " %016" PRIx64 " %cr%c\n",
                               r->start, r->end, r->end - r->start, r->user ? 'u' : '-',
                               r->writable ? 'w' : '-');
    }
}

static bool mem_range_add(const X86PageMapping *m, void *opaque)
{
    MemRange *r = opaque;
    if (r->open && r->end == m->vaddr && r->user == m->user && r->writable == m->writable) {
        r->end = m->vaddr + m->size;
        return true;
    }
    mem_range_print(r);
    *r = (MemRange){ .out = r->out, .open = true, .start = m->vaddr,
                     .end = m->vaddr + m->size, .user = m->user, .writable = m->writable };
    return true;
}

void hmp_info_mem(Monitor *mon, const HmpArgs *args)
{
    const CPUX86State *env = paging_env(mon);
    if (!env) {
        return;
    }
    MemRange r = { .out = g_string_new(NULL) };
    bool complete = x86_page_walk_foreach(env, mem_range_add, &r);
    mem_range_print(&r);
    monitor_puts(mon, r.out->str);
    if (!complete) {
        monitor_printf(mon, "(stopped after %u page tables)\n", X86_PAGE_WALK_MAX_TABLES);
    }
    g_string_free(r.out, true);
}
