/*
 * x86 disassembly for the monitor (x /i) and the -d in_asm log, with
 * capstone when kemu was built with it (AT&T syntax, as QEMU shows x86).
 * Without capstone every call reports "no instruction" and callers print
 * the bytes instead.
 */
#ifndef TARGET_I386_DISAS_H
#define TARGET_I386_DISAS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <glib.h>

/* The longest x86 instruction (SDM vol. 2, 2.3.11). */
#define X86_INSN_MAX_LEN 15

typedef struct X86Disas X86Disas;

/* Whether kemu has a disassembler (built with capstone). */
bool x86_disas_available(void);

/* A disassembler for 16-, 32- or 64-bit code; one per thread at a time. */
X86Disas *x86_disas_new(unsigned bits);
void x86_disas_free(X86Disas *d);

/*
 * The instruction at code (len bytes readable) at guest address addr:
 * appends "mnemonic operands" to text and returns its length, or returns
 * 0 when the bytes are no valid instruction (or there is no disassembler).
 */
unsigned x86_disas_insn(X86Disas *d, const uint8_t *code, size_t len, uint64_t addr,
                        GString *text);

/*
 * The line layout x /i and -d in_asm share: "0x<addr>:  <bytes>  <text>\n",
 * the address with at least addr_digits hex digits, the bytes padded to a
 * column so the text lines up.
 */
void x86_disas_append_line(GString *out, uint64_t addr, int addr_digits, const uint8_t *bytes,
                           unsigned len, const char *text);

#endif
