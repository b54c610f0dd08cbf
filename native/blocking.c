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
#include "tsdb_layout.h"

static VMCmdFunc g_read_cmd;
static VMType *g_series_type;

void blocking_init(VMCmdFunc read_cmd, VMType *series_type) {
    g_read_cmd = read_cmd;
    g_series_type = series_type;
}

/*
 * True when the series at argv[1] certainly has fewer than min_count samples at or after the
 * cursor: the chunks that end at or after it (a suffix, chunks being ordered) hold fewer. Lets
 * a wake-up that cannot serve the reader end here, without the trip into Java; anything else
 * (enough maybe, the key gone or of another type) goes to Java for the exact answer.
 */
static int surely_too_few(VMCtx *ctx, VMString *name, const ts_read_wait *w) {
    VMKey *key = VM_OpenKey(ctx, name, VM_READ | VM_OPEN_KEY_NOEFFECTS);
    if (!key) return 0;
    int too_few = 0;
    if (VM_KeyType(key) == VM_KEYTYPE_MODULE && VM_ModuleTypeGetType(key) == g_series_type) {
        const ts_series *s = VM_ModuleTypeGetValue(key);
        if (w->cursor < 0) {
            too_few = 1;
        } else {
            int64_t n = 0;
            for (uint32_t i = s->nchunks; i > 0 && n < w->min_count; i--) {
                if (ts_series_chunk(s, i - 1)->last_ts < w->cursor) break;
                n += ts_series_chunk(s, i - 1)->count;
            }
            too_few = n < w->min_count;
        }
    }
    VM_CloseKey(key);
    return too_few;
}

static int read_reply(VMCtx *ctx, VMString **argv, int argc) {
    ts_read_wait *w = VM_GetBlockedClientPrivateData(ctx);
    if (argc > 1 && surely_too_few(ctx, argv[1], w)) return VM_ERR; /* keep waiting */
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
