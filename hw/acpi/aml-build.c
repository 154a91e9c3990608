/*
 * ACPI table frames and AML byte code.  Opcode values are from ACPI 6.5,
 * 20.3 "AML Byte Stream Byte Values"; descriptor layouts from 6.4.
 */
#include "hw/acpi/aml-build.h"

#include <stdarg.h>
#include <string.h>

/* 20.3: opcodes this builder emits. */
#define AML_ZERO_OP             0x00
#define AML_ONE_OP              0x01
#define AML_NAME_OP             0x08
#define AML_BYTE_PREFIX         0x0a
#define AML_WORD_PREFIX         0x0b
#define AML_DWORD_PREFIX        0x0c
#define AML_STRING_PREFIX       0x0d
#define AML_QWORD_PREFIX        0x0e
#define AML_SCOPE_OP            0x10
#define AML_BUFFER_OP           0x11
#define AML_PACKAGE_OP          0x12
#define AML_METHOD_OP           0x14
#define AML_DUAL_NAME_PREFIX    0x2e
#define AML_MULTI_NAME_PREFIX   0x2f
#define AML_EXT_OP_PREFIX       0x5b
#define AML_EXT_REGION_OP       0x80
#define AML_EXT_FIELD_OP        0x81
#define AML_EXT_DEVICE_OP       0x82
#define AML_ROOT_CHAR           0x5c
#define AML_PARENT_PREFIX_CHAR  0x5e
#define AML_LOCAL0_OP           0x60
#define AML_ARG0_OP             0x68
#define AML_STORE_OP            0x70
#define AML_AND_OP              0x7b
#define AML_OR_OP               0x7d
#define AML_CREATE_DWORD_FIELD_OP 0x8a
#define AML_LAND_OP             0x90
#define AML_LNOT_OP             0x92
#define AML_LEQUAL_OP           0x93
#define AML_LLESS_OP            0x95
#define AML_TO_INTEGER_OP       0x99
#define AML_IF_OP               0xa0
#define AML_ELSE_OP             0xa1
#define AML_RETURN_OP           0xa4
#define AML_ONES_OP             0xff

/* 6.4.2 small and 6.4.3 large resource descriptor tags. */
#define RES_IRQ_NO_FLAGS        0x22    /* item 0x04, length 2 */
#define RES_IO_PORT             0x47    /* item 0x08, length 7 */
#define RES_END_TAG             0x79    /* item 0x0f, length 1 */
#define RES_MEMORY32_FIXED      0x86
#define RES_DWORD_ADDRESS       0x87
#define RES_WORD_ADDRESS        0x88
#define RES_EXTENDED_IRQ        0x89
#define RES_QWORD_ADDRESS       0x8a

/* Address space descriptor fields (6.4.3.5.5). */
#define RES_TYPE_MEMORY         0
#define RES_TYPE_IO             1
#define RES_TYPE_BUS            2
#define RES_FLAG_MIN_FIXED      0x04
#define RES_FLAG_MAX_FIXED      0x08
#define RES_IO_ENTIRE_RANGE     0x03
#define RES_MEM_READ_WRITE      0x01
#define RES_MEM_CACHEABLE       0x02

typedef enum AmlKind {
    AML_PLAIN,          /* buf is the whole encoding */
    AML_PKG,            /* op, PkgLength, buf */
    AML_PACKAGE,        /* op, PkgLength, NumElements, buf */
    AML_BUFFER,         /* op, PkgLength, BufferSize, buf */
    AML_RES_TEMPLATE,   /* a Buffer of buf plus the end tag */
} AmlKind;

struct Aml {
    AmlKind kind;
    uint8_t op[2];
    unsigned oplen;
    GByteArray *buf;
    unsigned count;     /* elements of a Package */
};

/* ---- Little-endian appends and the table frame ---------------------------- */

void acpi_append_int(GByteArray *buf, uint64_t val, unsigned size)
{
    g_assert(size == 1 || size == 2 || size == 4 || size == 8);
    for (unsigned i = 0; i < size; i++) {
        uint8_t b = val >> (8 * i);
        g_byte_array_append(buf, &b, 1);
    }
}

void acpi_append_str(GByteArray *buf, const char *s, size_t len, char pad)
{
    size_t n = strlen(s);
    for (size_t i = 0; i < len; i++) {
        uint8_t b = i < n ? (uint8_t)s[i] : (uint8_t)pad;
        g_byte_array_append(buf, &b, 1);
    }
}

void acpi_patch_int(GByteArray *buf, size_t offset, uint64_t val, unsigned size)
{
    g_assert(offset + size <= buf->len);
    for (unsigned i = 0; i < size; i++) {
        buf->data[offset + i] = val >> (8 * i);
    }
}

uint8_t acpi_checksum(const uint8_t *p, size_t len)
{
    uint8_t sum = 0;
    for (size_t i = 0; i < len; i++) {
        sum += p[i];
    }
    return sum;
}

size_t acpi_table_begin(GByteArray *buf, const char *sig, uint8_t rev)
{
    size_t start = buf->len;
    g_assert(strlen(sig) == 4);
    acpi_append_str(buf, sig, 4, ' ');
    acpi_append_int(buf, 0, 4);                 /* Length, by acpi_table_end */
    acpi_append_int(buf, rev, 1);
    acpi_append_int(buf, 0, 1);                 /* Checksum, by the loader */
    acpi_append_str(buf, ACPI_OEM_ID, 6, ' ');
    acpi_append_str(buf, ACPI_OEM_TABLE_ID_PREFIX, 4, ' ');
    acpi_append_str(buf, sig, 4, ' ');          /* OEM Table ID: "KEMUDSDT" */
    acpi_append_int(buf, 1, 4);                 /* OEM Revision */
    acpi_append_str(buf, ACPI_CREATOR_ID, 4, ' ');
    acpi_append_int(buf, 1, 4);                 /* Creator Revision */
    return start;
}

void acpi_table_end(GByteArray *buf, size_t start)
{
    acpi_patch_int(buf, start + 4, buf->len - start, 4);
}

void acpi_table_set_checksum(uint8_t *base, size_t start, size_t len, size_t csum_offset)
{
    base[csum_offset] = 0;
    base[csum_offset] = -acpi_checksum(base + start, len);
}

void acpi_append_gas(GByteArray *buf, uint8_t space, uint8_t bit_width, uint8_t bit_offset,
                     uint8_t access_size, uint64_t address)
{
    acpi_append_int(buf, space, 1);
    acpi_append_int(buf, bit_width, 1);
    acpi_append_int(buf, bit_offset, 1);
    acpi_append_int(buf, access_size, 1);
    acpi_append_int(buf, address, 8);
}

/* ---- Encoding helpers ------------------------------------------------------ */

static void append_byte(GByteArray *buf, uint8_t b)
{
    g_byte_array_append(buf, &b, 1);
}

/*
 * 20.2.4: a PkgLength of 1-4 bytes.  One byte holds 0-63; otherwise bits 7:6
 * of the lead byte count the bytes that follow, bits 3:0 are the low nibble
 * and each following byte the next eight bits.
 */
static void append_pkg_value(GByteArray *buf, size_t value)
{
    g_assert(value < (1u << 28));
    if (value < 0x40) {
        append_byte(buf, value);
        return;
    }
    unsigned extra = value < (1u << 12) ? 1 : value < (1u << 20) ? 2 : 3;
    append_byte(buf, extra << 6 | (value & 0x0f));
    for (unsigned i = 0; i < extra; i++) {
        append_byte(buf, value >> (4 + 8 * i));
    }
}

void aml_append_pkg_length(GByteArray *buf, size_t len)
{
    /* The length counts the PkgLength bytes themselves. */
    size_t n = len + 1 < 0x40 ? 1 : len + 2 < (1u << 12) ? 2 : len + 3 < (1u << 20) ? 3 : 4;
    append_pkg_value(buf, len + n);
}

static bool nameseg_char_ok(char c, bool first)
{
    return (c >= 'A' && c <= 'Z') || c == '_' || (!first && c >= '0' && c <= '9');
}

static void append_nameseg(GByteArray *buf, const char *seg, size_t len)
{
    g_assert(len >= 1 && len <= 4);
    for (size_t i = 0; i < 4; i++) {
        char c = i < len ? seg[i] : '_';
        g_assert(nameseg_char_ok(c, i == 0));
        append_byte(buf, c);
    }
}

/* 20.2.2: [RootChar | ParentPrefixChar...] then NullName, a NameSeg, or Dual/MultiNamePath. */
void aml_append_namestring(GByteArray *buf, const char *path)
{
    const char *p = path;
    if (*p == '\\') {
        append_byte(buf, AML_ROOT_CHAR);
        p++;
    } else {
        while (*p == '^') {
            append_byte(buf, AML_PARENT_PREFIX_CHAR);
            p++;
        }
    }
    if (*p == '\0') {
        append_byte(buf, AML_ZERO_OP);          /* NullName */
        return;
    }
    gchar **segs = g_strsplit(p, ".", -1);
    unsigned n = g_strv_length(segs);
    g_assert(n <= 255);
    if (n == 2) {
        append_byte(buf, AML_DUAL_NAME_PREFIX);
    } else if (n > 2) {
        append_byte(buf, AML_MULTI_NAME_PREFIX);
        append_byte(buf, n);
    }
    for (unsigned i = 0; i < n; i++) {
        append_nameseg(buf, segs[i], strlen(segs[i]));
    }
    g_strfreev(segs);
}

uint32_t aml_eisaid_value(const char *id)
{
    /* 6.1.5: three letters of five bits each (A = 1), then four hex digits. */
    g_assert(strlen(id) == 7);
    for (int i = 0; i < 3; i++) {
        g_assert(id[i] >= 'A' && id[i] <= 'Z');
    }
    uint32_t product = 0;
    for (int i = 3; i < 7; i++) {
        g_assert(g_ascii_isxdigit(id[i]));
        product = product << 4 | g_ascii_xdigit_value(id[i]);
    }
    uint16_t vendor = (id[0] - '@') << 10 | (id[1] - '@') << 5 | (id[2] - '@');
    /* Stored big endian within the little-endian DWORD. */
    uint8_t b[4] = { vendor >> 8, vendor, product >> 8, product };
    return b[0] | b[1] << 8 | b[2] << 16 | (uint32_t)b[3] << 24;
}

/* ---- Nodes ------------------------------------------------------------------ */

static Aml *aml_new(AmlKind kind, uint8_t op0, uint8_t op1)
{
    Aml *a = g_new0(Aml, 1);
    a->kind = kind;
    a->op[0] = op0;
    a->op[1] = op1;
    a->oplen = op0 == AML_EXT_OP_PREFIX ? 2 : (kind == AML_PLAIN ? 0 : 1);
    a->buf = g_byte_array_new();
    return a;
}

static Aml *aml_plain(void)
{
    return aml_new(AML_PLAIN, 0, 0);
}

void aml_free(Aml *node)
{
    if (node) {
        g_byte_array_unref(node->buf);
        g_free(node);
    }
}

Aml *aml_block_new(void)
{
    return aml_plain();
}

/* Append node's full encoding to out and free node. */
static void aml_encode(GByteArray *out, Aml *node)
{
    GByteArray *body = node->buf;
    g_byte_array_append(out, node->op, node->oplen);
    switch (node->kind) {
    case AML_PLAIN:
        g_byte_array_append(out, body->data, body->len);
        break;
    case AML_PKG:
        aml_append_pkg_length(out, body->len);
        g_byte_array_append(out, body->data, body->len);
        break;
    case AML_PACKAGE:
        g_assert(node->count <= 255);
        aml_append_pkg_length(out, 1 + body->len);
        append_byte(out, node->count);
        g_byte_array_append(out, body->data, body->len);
        break;
    case AML_RES_TEMPLATE:
        /* 6.4.2.9: End Tag; a zero checksum means "treat as correct". */
        append_byte(body, RES_END_TAG);
        append_byte(body, 0);
        /* fall through */
    case AML_BUFFER: {
        Aml *size = aml_int(body->len);
        aml_append_pkg_length(out, size->buf->len + body->len);
        g_byte_array_append(out, size->buf->data, size->buf->len);
        g_byte_array_append(out, body->data, body->len);
        aml_free(size);
        break;
    }
    }
    aml_free(node);
}

void aml_append(Aml *parent, Aml *child)
{
    aml_encode(parent->buf, child);
    parent->count++;
}

void aml_emit(GByteArray *out, Aml *node)
{
    aml_encode(out, node);
}

static void append_operand(Aml *node, Aml *operand)
{
    if (operand) {
        aml_encode(node->buf, operand);
    } else {
        append_byte(node->buf, AML_ZERO_OP);    /* NullName: no target */
    }
}

/* ---- Data ------------------------------------------------------------------ */

Aml *aml_int(uint64_t val)
{
    Aml *a = aml_plain();
    if (val == 0) {
        append_byte(a->buf, AML_ZERO_OP);
    } else if (val == 1) {
        append_byte(a->buf, AML_ONE_OP);
    } else if (val == UINT64_MAX) {
        append_byte(a->buf, AML_ONES_OP);
    } else if (val <= 0xff) {
        append_byte(a->buf, AML_BYTE_PREFIX);
        acpi_append_int(a->buf, val, 1);
    } else if (val <= 0xffff) {
        append_byte(a->buf, AML_WORD_PREFIX);
        acpi_append_int(a->buf, val, 2);
    } else if (val <= 0xffffffff) {
        append_byte(a->buf, AML_DWORD_PREFIX);
        acpi_append_int(a->buf, val, 4);
    } else {
        append_byte(a->buf, AML_QWORD_PREFIX);
        acpi_append_int(a->buf, val, 8);
    }
    return a;
}

Aml *aml_string(const char *s)
{
    Aml *a = aml_plain();
    append_byte(a->buf, AML_STRING_PREFIX);
    for (const char *p = s; *p; p++) {
        g_assert((unsigned char)*p < 0x80);     /* AsciiCharList: 0x01-0x7f */
        append_byte(a->buf, *p);
    }
    append_byte(a->buf, 0);
    return a;
}

Aml *aml_eisaid(const char *id)
{
    Aml *a = aml_plain();
    append_byte(a->buf, AML_DWORD_PREFIX);
    acpi_append_int(a->buf, aml_eisaid_value(id), 4);
    return a;
}

Aml *aml_name(const char *path)
{
    Aml *a = aml_plain();
    aml_append_namestring(a->buf, path);
    return a;
}

Aml *aml_local(unsigned n)
{
    g_assert(n < 8);
    Aml *a = aml_plain();
    append_byte(a->buf, AML_LOCAL0_OP + n);
    return a;
}

Aml *aml_arg(unsigned n)
{
    g_assert(n < 7);
    Aml *a = aml_plain();
    append_byte(a->buf, AML_ARG0_OP + n);
    return a;
}

/* ---- Named objects and blocks ------------------------------------------------ */

Aml *aml_scope(const char *path)
{
    Aml *a = aml_new(AML_PKG, AML_SCOPE_OP, 0);
    aml_append_namestring(a->buf, path);
    return a;
}

Aml *aml_device(const char *path)
{
    Aml *a = aml_new(AML_PKG, AML_EXT_OP_PREFIX, AML_EXT_DEVICE_OP);
    aml_append_namestring(a->buf, path);
    return a;
}

Aml *aml_method(const char *path, unsigned nargs, bool serialized)
{
    g_assert(nargs <= 7);
    Aml *a = aml_new(AML_PKG, AML_METHOD_OP, 0);
    aml_append_namestring(a->buf, path);
    /* MethodFlags: bits 2:0 ArgCount, bit 3 SerializeFlag, bits 7:4 SyncLevel 0. */
    append_byte(a->buf, nargs | (serialized ? 0x08 : 0));
    return a;
}

Aml *aml_name_decl(const char *path, Aml *value)
{
    Aml *a = aml_plain();
    append_byte(a->buf, AML_NAME_OP);
    aml_append_namestring(a->buf, path);
    aml_encode(a->buf, value);
    return a;
}

Aml *aml_package(void)
{
    return aml_new(AML_PACKAGE, AML_PACKAGE_OP, 0);
}

Aml *aml_buffer(const uint8_t *data, size_t len)
{
    Aml *a = aml_new(AML_BUFFER, AML_BUFFER_OP, 0);
    g_byte_array_append(a->buf, data, len);
    return a;
}

Aml *aml_if(Aml *predicate)
{
    Aml *a = aml_new(AML_PKG, AML_IF_OP, 0);
    aml_encode(a->buf, predicate);
    return a;
}

Aml *aml_else(void)
{
    return aml_new(AML_PKG, AML_ELSE_OP, 0);
}

Aml *aml_call(const char *path, unsigned nargs, ...)
{
    Aml *a = aml_name(path);
    va_list ap;
    va_start(ap, nargs);
    for (unsigned i = 0; i < nargs; i++) {
        aml_encode(a->buf, va_arg(ap, Aml *));
    }
    va_end(ap);
    return a;
}

/* ---- Statements and expressions ------------------------------------------------ */

static Aml *aml_op(uint8_t op, Aml *a, Aml *b)
{
    Aml *node = aml_plain();
    append_byte(node->buf, op);
    aml_encode(node->buf, a);
    if (b) {
        aml_encode(node->buf, b);
    }
    return node;
}

Aml *aml_return(Aml *val)
{
    return aml_op(AML_RETURN_OP, val, NULL);
}

Aml *aml_store(Aml *src, Aml *dst)
{
    return aml_op(AML_STORE_OP, src, dst);
}

Aml *aml_and(Aml *a, Aml *b, Aml *target)
{
    Aml *node = aml_op(AML_AND_OP, a, b);
    append_operand(node, target);
    return node;
}

Aml *aml_or(Aml *a, Aml *b, Aml *target)
{
    Aml *node = aml_op(AML_OR_OP, a, b);
    append_operand(node, target);
    return node;
}

Aml *aml_lequal(Aml *a, Aml *b)
{
    return aml_op(AML_LEQUAL_OP, a, b);
}

Aml *aml_lless(Aml *a, Aml *b)
{
    return aml_op(AML_LLESS_OP, a, b);
}

Aml *aml_land(Aml *a, Aml *b)
{
    return aml_op(AML_LAND_OP, a, b);
}

Aml *aml_lnot(Aml *a)
{
    return aml_op(AML_LNOT_OP, a, NULL);
}

Aml *aml_to_integer(Aml *a, Aml *target)
{
    Aml *node = aml_op(AML_TO_INTEGER_OP, a, NULL);
    append_operand(node, target);
    return node;
}

Aml *aml_create_dword_field(Aml *buf, Aml *byte_index, const char *name)
{
    Aml *node = aml_op(AML_CREATE_DWORD_FIELD_OP, buf, byte_index);
    aml_append_namestring(node->buf, name);
    return node;
}

Aml *aml_operation_region(const char *name, uint8_t space, Aml *offset, Aml *len)
{
    Aml *node = aml_plain();
    append_byte(node->buf, AML_EXT_OP_PREFIX);
    append_byte(node->buf, AML_EXT_REGION_OP);
    aml_append_namestring(node->buf, name);
    append_byte(node->buf, space);
    aml_encode(node->buf, offset);
    aml_encode(node->buf, len);
    return node;
}

Aml *aml_field(const char *region, uint8_t flags)
{
    Aml *a = aml_new(AML_PKG, AML_EXT_OP_PREFIX, AML_EXT_FIELD_OP);
    aml_append_namestring(a->buf, region);
    append_byte(a->buf, flags);
    return a;
}

void aml_field_add(Aml *field, const char *name, unsigned bits)
{
    /* 20.2.5.2: NamedField := NameSeg PkgLength; ReservedField := 0x00 PkgLength. */
    if (name) {
        append_nameseg(field->buf, name, strlen(name));
    } else {
        append_byte(field->buf, 0x00);
    }
    append_pkg_value(field->buf, bits);
}

/* ---- Resource templates ---------------------------------------------------------- */

Aml *aml_resource_template(void)
{
    return aml_new(AML_RES_TEMPLATE, AML_BUFFER_OP, 0);
}

Aml *aml_io(uint16_t min, uint16_t max, uint8_t align, uint8_t len)
{
    Aml *a = aml_plain();
    append_byte(a->buf, RES_IO_PORT);
    append_byte(a->buf, 0x01);                  /* decodes 16 address bits */
    acpi_append_int(a->buf, min, 2);
    acpi_append_int(a->buf, max, 2);
    append_byte(a->buf, align);
    append_byte(a->buf, len);
    return a;
}

Aml *aml_irq_no_flags(uint8_t irq)
{
    g_assert(irq < 16);
    Aml *a = aml_plain();
    append_byte(a->buf, RES_IRQ_NO_FLAGS);
    acpi_append_int(a->buf, 1u << irq, 2);
    return a;
}

Aml *aml_interrupt(bool level, bool active_low, bool shared, const uint32_t *irqs,
                   unsigned count)
{
    g_assert(count >= 1 && count <= 255);
    Aml *a = aml_plain();
    append_byte(a->buf, RES_EXTENDED_IRQ);
    acpi_append_int(a->buf, 2 + 4 * count, 2);
    /* bit 0 consumer, 1 edge (_HE), 2 active low (_LL), 3 shared (_SHR). */
    append_byte(a->buf, 0x01 | (level ? 0 : 0x02) | (active_low ? 0x04 : 0) |
                        (shared ? 0x08 : 0));
    append_byte(a->buf, count);
    for (unsigned i = 0; i < count; i++) {
        acpi_append_int(a->buf, irqs[i], 4);
    }
    return a;
}

Aml *aml_memory32_fixed(uint32_t base, uint32_t len, bool read_write)
{
    Aml *a = aml_plain();
    append_byte(a->buf, RES_MEMORY32_FIXED);
    acpi_append_int(a->buf, 9, 2);
    append_byte(a->buf, read_write ? 1 : 0);
    acpi_append_int(a->buf, base, 4);
    acpi_append_int(a->buf, len, 4);
    return a;
}

/*
 * Word/DWord/QWord address space descriptor of a range the bridge produces,
 * both ends fixed, positive decode: granularity 0, no translation.
 */
static Aml *address_space(uint8_t tag, unsigned width, uint8_t type, uint8_t type_flags,
                          uint64_t min, uint64_t max)
{
    g_assert(min <= max);
    Aml *a = aml_plain();
    append_byte(a->buf, tag);
    acpi_append_int(a->buf, 3 + 5 * width, 2);
    append_byte(a->buf, type);
    append_byte(a->buf, RES_FLAG_MIN_FIXED | RES_FLAG_MAX_FIXED);
    append_byte(a->buf, type_flags);
    acpi_append_int(a->buf, 0, width);          /* _GRA */
    acpi_append_int(a->buf, min, width);
    acpi_append_int(a->buf, max, width);
    acpi_append_int(a->buf, 0, width);          /* _TRA */
    acpi_append_int(a->buf, max - min + 1, width);
    return a;
}

Aml *aml_word_bus_number(uint16_t min, uint16_t max)
{
    return address_space(RES_WORD_ADDRESS, 2, RES_TYPE_BUS, 0, min, max);
}

Aml *aml_word_io(uint16_t min, uint16_t max)
{
    return address_space(RES_WORD_ADDRESS, 2, RES_TYPE_IO, RES_IO_ENTIRE_RANGE, min, max);
}

Aml *aml_dword_memory(bool cacheable, uint32_t min, uint32_t max)
{
    return address_space(RES_DWORD_ADDRESS, 4, RES_TYPE_MEMORY,
                         RES_MEM_READ_WRITE | (cacheable ? RES_MEM_CACHEABLE : 0), min, max);
}

Aml *aml_qword_memory(bool cacheable, uint64_t min, uint64_t max)
{
    return address_space(RES_QWORD_ADDRESS, 8, RES_TYPE_MEMORY,
                         RES_MEM_READ_WRITE | (cacheable ? RES_MEM_CACHEABLE : 0), min, max);
}
