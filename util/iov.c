/* Scatter/gather list copies (see iov.h). */
#include "util/iov.h"

#include <string.h>

size_t iov_size(const struct iovec *iov, unsigned cnt)
{
    size_t total = 0;
    for (unsigned i = 0; i < cnt; i++) {
        total += iov[i].iov_len;
    }
    return total;
}

/* Walk the list from offset, handing each piece to copy(); returns bytes done. */
static size_t iov_copy(const struct iovec *iov, unsigned cnt, size_t offset, size_t len,
                       void (*copy)(void *iov_base, void *buf, size_t n), void *buf)
{
    size_t done = 0;
    for (unsigned i = 0; i < cnt && done < len; i++) {
        if (offset >= iov[i].iov_len) {
            offset -= iov[i].iov_len;
            continue;
        }
        size_t n = iov[i].iov_len - offset;
        if (n > len - done) {
            n = len - done;
        }
        copy((char *)iov[i].iov_base + offset, (char *)buf + done, n);
        done += n;
        offset = 0;
    }
    return done;
}

static void copy_into_iov(void *iov_base, void *buf, size_t n)
{
    memcpy(iov_base, buf, n);
}

static void copy_from_iov(void *iov_base, void *buf, size_t n)
{
    memcpy(buf, iov_base, n);
}

size_t iov_from_buf(const struct iovec *iov, unsigned cnt, size_t offset,
                    const void *buf, size_t len)
{
    return iov_copy(iov, cnt, offset, len, copy_into_iov, (void *)buf);
}

size_t iov_to_buf(const struct iovec *iov, unsigned cnt, size_t offset, void *buf, size_t len)
{
    return iov_copy(iov, cnt, offset, len, copy_from_iov, buf);
}

int iov_slice(struct iovec *dst, unsigned dst_cnt, const struct iovec *src, unsigned src_cnt,
              size_t offset, size_t len)
{
    unsigned n = 0;
    for (unsigned i = 0; i < src_cnt && len; i++) {
        if (offset >= src[i].iov_len) {
            offset -= src[i].iov_len;
            continue;
        }
        size_t piece = src[i].iov_len - offset;
        if (piece > len) {
            piece = len;
        }
        if (n == dst_cnt) {
            return -1;
        }
        dst[n++] = (struct iovec){ (char *)src[i].iov_base + offset, piece };
        len -= piece;
        offset = 0;
    }
    return len ? -1 : (int)n;
}
