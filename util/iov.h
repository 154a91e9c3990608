/*
 * Scatter/gather lists (struct iovec): copying between a list and a flat
 * buffer from a byte offset, as device models do with guest buffers.
 */
#ifndef UTIL_IOV_H
#define UTIL_IOV_H

#include <stddef.h>
#include <sys/uio.h>

/* Total bytes in iov[0..cnt). */
size_t iov_size(const struct iovec *iov, unsigned cnt);
/* Copy up to len bytes from buf into the list starting offset bytes in; returns bytes copied. */
size_t iov_from_buf(const struct iovec *iov, unsigned cnt, size_t offset,
                    const void *buf, size_t len);
/* Copy up to len bytes out of the list starting offset bytes in; returns bytes copied. */
size_t iov_to_buf(const struct iovec *iov, unsigned cnt, size_t offset, void *buf, size_t len);

/*
 * Describe bytes [offset, offset+len) of src in dst (at most dst_cnt
 * entries, pointing into the same memory); returns the entries used, or -1
 * if src is shorter or dst too small.
 */
int iov_slice(struct iovec *dst, unsigned dst_cnt, const struct iovec *src, unsigned src_cnt,
              size_t offset, size_t len);

#endif
