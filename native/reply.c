#include "reply.h"

#include <string.h>

int vts_reply_batch(VMCtx *ctx, uint8_t *buf, size_t len) {
    size_t p = 0;
    int done = 0;
    while (p < len) {
        if (len - p < 8) return -1;
        uint32_t op, n;
        memcpy(&op, buf + p, 4);
        memcpy(&n, buf + p + 4, 4);
        p += 8;
        size_t rest = len - p;
        int64_t x = 0;
        double d = 0;
        size_t size; /* payload bytes before padding */
        switch (op) {
        case REPLY_NULL:
            size = 0;
            break;
        case REPLY_BULK:
            size = n;
            break;
        case REPLY_PROTO:
            size = n;
            if (size > rest || n < 3 || buf[p] != '+' || buf[p + n - 2] != '\r' || buf[p + n - 1] != '\n' ||
                memchr(buf + p, 0, n) != NULL) {
                return -1;
            }
            break;
        case REPLY_SIMPLE:
        case REPLY_ERROR:
            size = (size_t)n + 1;
            if (size > rest || buf[p + n] != 0) return -1;
            break;
        case REPLY_ARRAY:
        case REPLY_MAP:
        case REPLY_SET:
        case REPLY_LONG:
        case REPLY_DOUBLE:
        case REPLY_SET_ARRAY_LEN:
        case REPLY_SET_MAP_LEN:
            size = 8;
            if (size > rest) return -1;
            memcpy(&x, buf + p, 8);
            memcpy(&d, buf + p, 8);
            break;
        default:
            return -1;
        }
        if (size > rest) return -1;
        const char *payload = (const char *)buf + p;
        switch (op) {
        case REPLY_ARRAY: VM_ReplyWithArray(ctx, (long)x); break;
        case REPLY_MAP: VM_ReplyWithMap(ctx, (long)x); break;
        case REPLY_SET: VM_ReplyWithSet(ctx, (long)x); break;
        case REPLY_LONG: VM_ReplyWithLongLong(ctx, (long long)x); break;
        case REPLY_DOUBLE: VM_ReplyWithDouble(ctx, d); break;
        case REPLY_BULK: VM_ReplyWithStringBuffer(ctx, payload, n); break;
        case REPLY_SIMPLE: VM_ReplyWithSimpleString(ctx, payload); break;
        case REPLY_PROTO:
            buf[p + n - 2] = 0; /* the server adds '+' and CRLF back around the text */
            VM_ReplyWithSimpleString(ctx, payload + 1);
            break;
        case REPLY_ERROR: VM_ReplyWithError(ctx, payload); break;
        case REPLY_NULL: VM_ReplyWithNull(ctx); break;
        case REPLY_SET_ARRAY_LEN: VM_ReplySetArrayLength(ctx, (long)x); break;
        case REPLY_SET_MAP_LEN: VM_ReplySetMapLength(ctx, (long)x); break;
        }
        p += (size + 7) & ~(size_t)7;
        done++;
    }
    return done;
}
