/*
 * TS.READ ... BLOCK: the client waits on its key with the module API's blocking on keys.
 * Every write that adds samples signals the key (only while some reader waits, see
 * ts_config.blocked_readers); the server then runs the reply callback of each client blocked
 * on it, which runs TS.READ again in Java: it replies (served) or leaves the client waiting.
 * VM_BLOCK_UNBLOCK_DELETED wakes the readers of a key that is deleted, expired, evicted,
 * flushed or overwritten; Java then finds no series and replies [] (or WRONGTYPE).
 */
#include "blocking.h"

#include "config.h"

static VMCmdFunc g_read_cmd;

void blocking_init(VMCmdFunc read_cmd) { g_read_cmd = read_cmd; }

static int read_reply(VMCtx *ctx, VMString **argv, int argc) {
    ts_read_wait *w = VM_GetBlockedClientPrivateData(ctx);
    w->served = 0;
    g_read_cmd(ctx, argv, argc);
    return w->served ? VM_OK : VM_ERR;
}

/* the timeout (or CLIENT UNBLOCK): Java replies with what there is */
static int read_timeout(VMCtx *ctx, VMString **argv, int argc) {
    g_read_cmd(ctx, argv, argc);
    return VM_OK;
}

static void read_free(VMCtx *ctx, void *privdata) {
    (void)ctx;
    VM_Free(privdata);
    g_cfg.blocked_readers--;
}

int vts_block_read(VMCtx *ctx, VMString *key, long long timeout_ms, int64_t cursor, int64_t min_count,
                   int64_t max_count) {
    ts_read_wait *w = VM_Alloc(sizeof(*w));
    w->cursor = cursor;
    w->min_count = min_count;
    w->max_count = max_count;
    w->served = 0;
    w->pad = 0;
    VMBlockedClient *bc = VM_BlockClientOnKeysWithFlags(ctx, read_reply, read_timeout, read_free, timeout_ms, &key, 1,
                                                        w, VM_BLOCK_UNBLOCK_DELETED);
    if (!bc) {
        VM_Free(w);
        return -1;
    }
    g_cfg.blocked_readers++;
    return 0;
}
