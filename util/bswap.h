/*
 * Fixed-endian loads and stores on byte buffers of any alignment: the
 * formats kemu reads from files and writes into guest memory (boot
 * protocols, firmware tables) are little-endian byte layouts.
 */
#ifndef UTIL_BSWAP_H
#define UTIL_BSWAP_H

#include <stdint.h>

static inline uint16_t ld_le16(const uint8_t *p)
{
    return p[0] | p[1] << 8;
}

static inline uint32_t ld_le32(const uint8_t *p)
{
    return ld_le16(p) | (uint32_t)ld_le16(p + 2) << 16;
}

static inline void st_le16(uint8_t *p, uint16_t v)
{
    p[0] = v;
    p[1] = v >> 8;
}

static inline void st_le32(uint8_t *p, uint32_t v)
{
    st_le16(p, v);
    st_le16(p + 2, v >> 16);
}

static inline void st_le64(uint8_t *p, uint64_t v)
{
    st_le32(p, v);
    st_le32(p + 4, v >> 32);
}

/* size bytes (1 to 8) as a little-endian value: a register file read at any width. */
static inline uint64_t ld_le_n(const uint8_t *p, unsigned size)
{
    uint64_t v = 0;
    for (unsigned i = 0; i < size; i++) {
        v |= (uint64_t)p[i] << (8 * i);
    }
    return v;
}

static inline void st_le_n(uint8_t *p, uint64_t v, unsigned size)
{
    for (unsigned i = 0; i < size; i++) {
        p[i] = v >> (8 * i);
    }
}

#endif
