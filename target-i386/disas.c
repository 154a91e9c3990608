/*
 * x86 disassembly through capstone (see disas.h).  CONFIG_CAPSTONE comes
 * from target-i386/meson.build when pkg-config finds the library.
 */
#include "target-i386/disas.h"

#include <inttypes.h>

#ifdef CONFIG_CAPSTONE
#include <capstone.h>
#endif

/* Bytes shown before the text column; longer instructions push it right. */
#define DISAS_BYTES_COLUMN 10

struct X86Disas {
    unsigned bits;
#ifdef CONFIG_CAPSTONE
    bool ok;                    /* cs_open succeeded */
    csh handle;
    cs_insn *insn;              /* cs_disasm_iter's buffer, allocated once */
#endif
};

bool x86_disas_available(void)
{
#ifdef CONFIG_CAPSTONE
    return true;
#else
    return false;
#endif
}

X86Disas *x86_disas_new(unsigned bits)
{
    X86Disas *d = g_new0(X86Disas, 1);
    d->bits = bits;
#ifdef CONFIG_CAPSTONE
    cs_mode mode = bits == 64 ? CS_MODE_64 : bits == 16 ? CS_MODE_16 : CS_MODE_32;
    if (cs_open(CS_ARCH_X86, mode, &d->handle) == CS_ERR_OK) {
        cs_option(d->handle, CS_OPT_SYNTAX, CS_OPT_SYNTAX_ATT);
        d->insn = cs_malloc(d->handle);
        d->ok = d->insn != NULL;
        if (!d->ok) {
            cs_close(&d->handle);
        }
    }
#endif
    return d;
}

void x86_disas_free(X86Disas *d)
{
    if (!d) {
        return;
    }
#ifdef CONFIG_CAPSTONE
    if (d->ok) {
        cs_free(d->insn, 1);
        cs_close(&d->handle);
    }
#endif
    g_free(d);
}

unsigned x86_disas_insn(X86Disas *d, const uint8_t *code, size_t len, uint64_t addr,
                        GString *text)
{
#ifdef CONFIG_CAPSTONE
    const uint8_t *p = code;
    size_t left = MIN(len, (size_t)X86_INSN_MAX_LEN);
    uint64_t a = addr;
    if (!d->ok || !left || !cs_disasm_iter(d->handle, &p, &left, &a, d->insn)) {
        return 0;
    }
    g_string_append(text, d->insn->mnemonic);
    if (d->insn->op_str[0]) {
        g_string_append_printf(text, " %s", d->insn->op_str);
    }
    return d->insn->size;
#else
    return 0;
#endif
}

void x86_disas_append_line(GString *out, uint64_t addr, int addr_digits, const uint8_t *bytes,
                           unsigned len, const char *text)
{
    g_string_append_printf(out, "0x%0*" PRIx64 ":  ", addr_digits, addr);
    for (unsigned i = 0; i < len; i++) {
        g_string_append_printf(out, "%02x ", bytes[i]);
    }
    if (*text) {
        for (unsigned i = len; i < DISAS_BYTES_COLUMN; i++) {
            g_string_append(out, "   ");
        }
        g_string_append_printf(out, " %s", text);
    } else if (out->len && out->str[out->len - 1] == ' ') {
        g_string_truncate(out, out->len - 1);
    }
    g_string_append_c(out, '\n');
}
