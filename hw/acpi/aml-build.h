/*
 * A small builder for ACPI tables and AML (ACPI 6.5, chapter 5 "ACPI
 * Software Programming Model" for the tables, chapter 20 "ACPI Machine
 * Language Specification" for the byte code, 6.4 "Resource Data Types"
 * for resource templates).
 *
 * AML is built as a tree of Aml nodes.  A node owns its encoded bytes; the
 * "block" kinds (Scope, Device, Method, If, Package, Buffer, Field,
 * ResourceTemplate) keep their opcode apart and get their PkgLength (and
 * element count, buffer size or end tag) when they are appended to a parent.
 * Every function that takes an Aml * operand consumes it: build expressions
 * inline, e.g.
 *     aml_append(method, aml_store(aml_arg(0), aml_name("PICF")));
 * Names are ASCII paths: "\\_SB.PCI0", "^^ISA", "LNKA"; segments shorter than
 * four characters are padded with '_' as ASL does.  A bad name is a
 * programming error (the tables are built from constants) and asserts.
 */
#ifndef HW_ACPI_AML_BUILD_H
#define HW_ACPI_AML_BUILD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <glib.h>

typedef struct Aml Aml;

/* ---- Little-endian appends and the table frame ---------------------------- */

/* Append the low size bytes (1, 2, 4 or 8) of val, little endian. */
void acpi_append_int(GByteArray *buf, uint64_t val, unsigned size);
/* Append len bytes of s, padded with pad if s is shorter. */
void acpi_append_str(GByteArray *buf, const char *s, size_t len, char pad);
/* Overwrite size bytes at offset with val, little endian. */
void acpi_patch_int(GByteArray *buf, size_t offset, uint64_t val, unsigned size);
/* The 8-bit sum of len bytes (a correct table sums to 0). */
uint8_t acpi_checksum(const uint8_t *p, size_t len);

#define ACPI_TABLE_HEADER_SIZE 36
#define ACPI_HEADER_CHECKSUM_OFFSET 9
#define ACPI_OEM_ID "KEMU  "
#define ACPI_OEM_TABLE_ID_PREFIX "KEMU"    /* + the signature: "KEMUDSDT" */
#define ACPI_CREATOR_ID "KEMU"

/*
 * Start a table at the end of buf: a header with the signature, revision,
 * OEM fields and a zero length and checksum.  Returns the table's offset.
 */
size_t acpi_table_begin(GByteArray *buf, const char *sig, uint8_t rev);
/* Fill in the length of the table at start (through the end of buf). */
void acpi_table_end(GByteArray *buf, size_t start);
/* Set the checksum byte at csum_offset so that [start, start + len) sums to 0. */
void acpi_table_set_checksum(uint8_t *base, size_t start, size_t len, size_t csum_offset);

/* Generic Address Structure (ACPI 6.5, 5.2.3.2). */
#define ACPI_GAS_SYSTEM_MEMORY  0
#define ACPI_GAS_SYSTEM_IO      1
#define ACPI_GAS_ACCESS_BYTE    1
#define ACPI_GAS_ACCESS_WORD    2
#define ACPI_GAS_ACCESS_DWORD   3
void acpi_append_gas(GByteArray *buf, uint8_t space, uint8_t bit_width, uint8_t bit_offset,
                     uint8_t access_size, uint64_t address);

/* ---- AML nodes ------------------------------------------------------------ */

/* Append child to parent (consuming child); a Package counts its elements. */
void aml_append(Aml *parent, Aml *child);
/* The encoded bytes of a plain node, appended to out; frees node. */
void aml_emit(GByteArray *out, Aml *node);
void aml_free(Aml *node);
/* A plain container for a definition block's TermList (the DSDT body). */
Aml *aml_block_new(void);

/* PkgLength encoding (20.2.4) of a length that already counts itself. */
void aml_append_pkg_length(GByteArray *buf, size_t len_without_self);
/* NameString (20.2.2) from "\\_SB.PCI0" style text. */
void aml_append_namestring(GByteArray *buf, const char *path);
/* The 32-bit compressed EISA id of "PNP0A03" (6.1.5). */
uint32_t aml_eisaid_value(const char *id);

/* Data: the shortest integer encoding (Zero, One, Ones, Byte/Word/DWord/QWord). */
Aml *aml_int(uint64_t val);
Aml *aml_string(const char *s);
Aml *aml_eisaid(const char *id);
/* A reference to a named object. */
Aml *aml_name(const char *path);
Aml *aml_local(unsigned n);     /* Local0..Local7 */
Aml *aml_arg(unsigned n);       /* Arg0..Arg6 */

/* Named objects and blocks. */
Aml *aml_scope(const char *path);
Aml *aml_device(const char *path);
Aml *aml_method(const char *path, unsigned nargs, bool serialized);
Aml *aml_name_decl(const char *path, Aml *value);
Aml *aml_package(void);                 /* elements with aml_append */
Aml *aml_buffer(const uint8_t *data, size_t len);
Aml *aml_if(Aml *predicate);
Aml *aml_else(void);

/* Method calls: aml_call(name, nargs, arg0, arg1, ...). */
Aml *aml_call(const char *path, unsigned nargs, ...);

/* Statements and expressions; target may be NULL (no store). */
Aml *aml_return(Aml *val);
Aml *aml_store(Aml *src, Aml *dst);
Aml *aml_and(Aml *a, Aml *b, Aml *target);
Aml *aml_or(Aml *a, Aml *b, Aml *target);
Aml *aml_lequal(Aml *a, Aml *b);
Aml *aml_lless(Aml *a, Aml *b);
Aml *aml_land(Aml *a, Aml *b);
Aml *aml_lnot(Aml *a);
Aml *aml_to_integer(Aml *a, Aml *target);
Aml *aml_create_dword_field(Aml *buf, Aml *byte_index, const char *name);

/* Operation regions and fields (19.6.100, 19.6.48). */
#define AML_REGION_SYSTEM_MEMORY 0x00
#define AML_REGION_SYSTEM_IO     0x01
#define AML_REGION_PCI_CONFIG    0x02
Aml *aml_operation_region(const char *name, uint8_t space, Aml *offset, Aml *len);
#define AML_FIELD_ANY_ACC   0x00
#define AML_FIELD_BYTE_ACC  0x01
#define AML_FIELD_DWORD_ACC 0x03
#define AML_FIELD_NOLOCK    0x00
#define AML_FIELD_PRESERVE  0x00
Aml *aml_field(const char *region, uint8_t flags);
/* A named field unit of bits bits (or a reserved gap with name NULL). */
void aml_field_add(Aml *field, const char *name, unsigned bits);

/* ---- Resource templates (6.4) ---------------------------------------------- */

Aml *aml_resource_template(void);      /* descriptors with aml_append; EndTag added */
/* I/O port, 16-bit decode (6.4.2.5). */
Aml *aml_io(uint16_t min, uint16_t max, uint8_t align, uint8_t len);
/* IRQ, edge, active high, exclusive: IRQNoFlags (6.4.2.1). */
Aml *aml_irq_no_flags(uint8_t irq);
/* Extended Interrupt, consumer (6.4.3.6). */
Aml *aml_interrupt(bool level, bool active_low, bool shared, const uint32_t *irqs,
                   unsigned count);
/* 32-bit fixed memory range (6.4.3.4). */
Aml *aml_memory32_fixed(uint32_t base, uint32_t len, bool read_write);
/* Address space descriptors, producer, min and max fixed, positive decode (6.4.3.5). */
Aml *aml_word_bus_number(uint16_t min, uint16_t max);
Aml *aml_word_io(uint16_t min, uint16_t max);
Aml *aml_dword_memory(bool cacheable, uint32_t min, uint32_t max);
Aml *aml_qword_memory(bool cacheable, uint64_t min, uint64_t max);

#endif
