/*
 * VMState save and load, following the stream encoding in vmstate.h.
 *
 * Load runs the table twice: a check pass that walks the stream without
 * touching the object (lengths from the table, bools and timer deadlines
 * range-checked), then an apply pass.  So a truncated or corrupt stream
 * fails cleanly and leaves the device as it was.
 */
#include "migration/vmstate.h"

#include <string.h>

static int64_t (*timer_ops_expire_time)(const Timer *t);
static void (*timer_ops_mod)(Timer *t, int64_t expire_ns);
static void (*timer_ops_del)(Timer *t);

void vmstate_set_timer_ops(int64_t (*expire_time)(const Timer *t),
                           void (*mod)(Timer *t, int64_t expire_ns),
                           void (*del)(Timer *t))
{
    timer_ops_expire_time = expire_time;
    timer_ops_mod = mod;
    timer_ops_del = del;
}

static bool vmstate_timer_ops_ready(const VMStateDescription *vmsd, const VMStateField *f,
                                    Error **errp)
{
    if (!timer_ops_expire_time || !timer_ops_mod || !timer_ops_del) {
        error_setg(errp, "vmstate '%s', field '%s': timer support is not registered",
                   vmsd->name, f->name);
        return false;
    }
    return true;
}

/* Bytes one element occupies in the C struct (the array stride). */
static size_t vmstate_field_stride(const VMStateField *f)
{
    switch (f->kind) {
    case VMS_BOOL:   return sizeof(bool);
    case VMS_U8:     return sizeof(uint8_t);
    case VMS_U16:    return sizeof(uint16_t);
    case VMS_U32:    return sizeof(uint32_t);
    case VMS_U64:    return sizeof(uint64_t);
    case VMS_I32:    return sizeof(int32_t);
    case VMS_I64:    return sizeof(int64_t);
    case VMS_BUFFER: return f->size;
    case VMS_STRUCT: return f->size;
    case VMS_TIMER:  return sizeof(Timer *);
    }
    g_assert_not_reached();
}

static unsigned vmstate_field_count(const VMStateField *f)
{
    return f->count ? f->count : 1;
}

/* ---- Save -------------------------------------------------------------------- */

static void put_be(GByteArray *buf, uint64_t v, unsigned bytes)
{
    uint8_t tmp[8];
    for (unsigned i = 0; i < bytes; i++) {
        tmp[i] = v >> (8 * (bytes - 1 - i));
    }
    g_byte_array_append(buf, tmp, bytes);
}

static bool vmstate_save_elem(GByteArray *buf, const VMStateDescription *vmsd,
                              const VMStateField *f, void *p, Error **errp)
{
    switch (f->kind) {
    case VMS_BOOL:
        put_be(buf, *(bool *)p ? 1 : 0, 1);
        return true;
    case VMS_U8:
        put_be(buf, *(uint8_t *)p, 1);
        return true;
    case VMS_U16:
        put_be(buf, *(uint16_t *)p, 2);
        return true;
    case VMS_U32:
        put_be(buf, *(uint32_t *)p, 4);
        return true;
    case VMS_I32:
        put_be(buf, (uint32_t)*(int32_t *)p, 4);
        return true;
    case VMS_U64:
        put_be(buf, *(uint64_t *)p, 8);
        return true;
    case VMS_I64:
        put_be(buf, (uint64_t)*(int64_t *)p, 8);
        return true;
    case VMS_BUFFER:
        g_byte_array_append(buf, p, f->size);
        return true;
    case VMS_STRUCT:
        return vmstate_save(buf, f->vmsd, p, errp);
    case VMS_TIMER: {
        if (!vmstate_timer_ops_ready(vmsd, f, errp)) {
            return false;
        }
        Timer *t = *(Timer **)p;
        put_be(buf, (uint64_t)(t ? timer_ops_expire_time(t) : -1), 8);
        return true;
    }
    }
    g_assert_not_reached();
}

bool vmstate_save(GByteArray *buf, const VMStateDescription *vmsd, void *opaque, Error **errp)
{
    if (vmsd->pre_save) {
        int ret = vmsd->pre_save(opaque);
        if (ret) {
            error_setg(errp, "vmstate '%s': pre_save failed (%d)", vmsd->name, ret);
            return false;
        }
    }
    guint start = buf->len;
    for (const VMStateField *f = vmsd->fields; f && f->name; f++) {
        g_assert(f->kind != VMS_STRUCT || f->vmsd);
        g_assert(f->version_id <= vmsd->version_id);
        size_t stride = vmstate_field_stride(f);
        for (unsigned i = 0; i < vmstate_field_count(f); i++) {
            if (!vmstate_save_elem(buf, vmsd, f, (char *)opaque + f->offset + i * stride, errp)) {
                g_byte_array_set_size(buf, start);  /* no half-written state */
                return false;
            }
        }
    }
    return true;
}

/* ---- Load -------------------------------------------------------------------- */

typedef struct VMStateReader {
    const uint8_t *data;
    size_t len;
    size_t pos;
    bool apply;         /* false: check pass, the object is not touched */
} VMStateReader;

static bool reader_get_be(VMStateReader *r, unsigned bytes, uint64_t *out,
                          const VMStateDescription *vmsd, const VMStateField *f, Error **errp)
{
    if (r->len - r->pos < bytes) {
        error_setg(errp, "vmstate '%s', field '%s': stream truncated "
                   "(%u bytes needed at offset %zu, %zu left)",
                   vmsd->name, f->name, bytes, r->pos, r->len - r->pos);
        return false;
    }
    uint64_t v = 0;
    for (unsigned i = 0; i < bytes; i++) {
        v = (v << 8) | r->data[r->pos + i];
    }
    r->pos += bytes;
    *out = v;
    return true;
}

static bool vmstate_load_fields(VMStateReader *r, const VMStateDescription *vmsd,
                                void *opaque, int version_id, Error **errp);

static bool vmstate_load_elem(VMStateReader *r, const VMStateDescription *vmsd,
                              const VMStateField *f, void *p, Error **errp)
{
    uint64_t v;
    switch (f->kind) {
    case VMS_BOOL:
        if (!reader_get_be(r, 1, &v, vmsd, f, errp)) {
            return false;
        }
        if (v > 1) {
            error_setg(errp, "vmstate '%s', field '%s': invalid bool value %u",
                       vmsd->name, f->name, (unsigned)v);
            return false;
        }
        if (r->apply) {
            *(bool *)p = v;
        }
        return true;
    case VMS_U8:
    case VMS_U16:
    case VMS_U32:
    case VMS_I32:
    case VMS_U64:
    case VMS_I64: {
        unsigned bytes = vmstate_field_stride(f);
        if (!reader_get_be(r, bytes, &v, vmsd, f, errp)) {
            return false;
        }
        if (!r->apply) {
            return true;
        }
        switch (f->kind) {
        case VMS_U8:  *(uint8_t *)p = v; break;
        case VMS_U16: *(uint16_t *)p = v; break;
        case VMS_U32: *(uint32_t *)p = v; break;
        case VMS_I32: *(int32_t *)p = (int32_t)(uint32_t)v; break;
        case VMS_U64: *(uint64_t *)p = v; break;
        default:      *(int64_t *)p = (int64_t)v; break;
        }
        return true;
    }
    case VMS_BUFFER:
        if (r->len - r->pos < f->size) {
            error_setg(errp, "vmstate '%s', field '%s': stream truncated "
                       "(%zu bytes needed at offset %zu, %zu left)",
                       vmsd->name, f->name, f->size, r->pos, r->len - r->pos);
            return false;
        }
        if (r->apply) {
            memcpy(p, r->data + r->pos, f->size);
        }
        r->pos += f->size;
        return true;
    case VMS_STRUCT:
        /* The stream carries no nested version: the nested table is current. */
        return vmstate_load_fields(r, f->vmsd, p, f->vmsd->version_id, errp);
    case VMS_TIMER: {
        if (!vmstate_timer_ops_ready(vmsd, f, errp) || !reader_get_be(r, 8, &v, vmsd, f, errp)) {
            return false;
        }
        int64_t deadline = (int64_t)v;
        if (deadline < -1) {
            error_setg(errp, "vmstate '%s', field '%s': invalid timer deadline %" G_GINT64_FORMAT,
                       vmsd->name, f->name, deadline);
            return false;
        }
        Timer *t = *(Timer **)p;
        if (r->apply && t) {
            if (deadline == -1) {
                timer_ops_del(t);
            } else {
                timer_ops_mod(t, deadline);
            }
        }
        return true;
    }
    }
    g_assert_not_reached();
}

static bool vmstate_load_fields(VMStateReader *r, const VMStateDescription *vmsd,
                                void *opaque, int version_id, Error **errp)
{
    for (const VMStateField *f = vmsd->fields; f && f->name; f++) {
        if (f->version_id > version_id) {
            continue;           /* added after the stream's version */
        }
        g_assert(f->kind != VMS_STRUCT || f->vmsd);
        size_t stride = vmstate_field_stride(f);
        for (unsigned i = 0; i < vmstate_field_count(f); i++) {
            if (!vmstate_load_elem(r, vmsd, f, (char *)opaque + f->offset + i * stride, errp)) {
                return false;
            }
        }
    }
    if (r->apply && vmsd->post_load) {
        int ret = vmsd->post_load(opaque, version_id);
        if (ret) {
            error_setg(errp, "vmstate '%s': post_load failed (%d)", vmsd->name, ret);
            return false;
        }
    }
    return true;
}

bool vmstate_load(const uint8_t *data, size_t len, size_t *pos,
                  const VMStateDescription *vmsd, void *opaque, int version_id,
                  Error **errp)
{
    if (version_id > vmsd->version_id) {
        error_setg(errp, "vmstate '%s': version %d is newer than the supported %d",
                   vmsd->name, version_id, vmsd->version_id);
        return false;
    }
    if (version_id < vmsd->minimum_version_id) {
        error_setg(errp, "vmstate '%s': version %d is older than the oldest supported %d",
                   vmsd->name, version_id, vmsd->minimum_version_id);
        return false;
    }
    if (*pos > len) {
        error_setg(errp, "vmstate '%s': stream position %zu beyond its length %zu",
                   vmsd->name, *pos, len);
        return false;
    }

    VMStateReader check = { .data = data, .len = len, .pos = *pos, .apply = false };
    if (!vmstate_load_fields(&check, vmsd, opaque, version_id, errp)) {
        return false;
    }
    VMStateReader apply = { .data = data, .len = len, .pos = *pos, .apply = true };
    if (!vmstate_load_fields(&apply, vmsd, opaque, version_id, errp)) {
        return false;
    }
    g_assert(apply.pos == check.pos);
    *pos = apply.pos;
    return true;
}
