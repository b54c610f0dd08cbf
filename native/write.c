/* Opening and closing the keys of write commands in batches (see write.h). */
#include "write.h"

#include <stddef.h>

#include "config.h"
#include "tsdb_layout.h"

static void prefetch_appends(const uintptr_t *series, int32_t n);

/* keeps the compiler from dropping the loads of prefetch_appends */
static volatile uint64_t g_write_sink;

void vts_write_open(VMCtx *ctx, VMString **argv, const int32_t *args, int32_t n, VMType *type, VMKey **keys,
                    uintptr_t *series) {
    for (int32_t i = 0; i < n; i++) {
        keys[i] = NULL;
        series[i] = 0;
        if (args[i] < 0) continue;
        VMKey *k = VM_OpenKey(ctx, argv[args[i]], VM_READ | VM_WRITE);
        keys[i] = k;
        if (!k) continue;
        /* the type first: for a series that settles it in one call (NULL: empty, or not a module type) */
        VMType *t = VM_ModuleTypeGetType(k);
        if (t == type) {
            series[i] = (uintptr_t)VM_ModuleTypeGetValue(k);
        } else if (t == NULL && VM_KeyType(k) == VM_KEYTYPE_EMPTY) {
            continue; /* stays open: a TS.ADD that creates the series stores it through the key */
        } else {
            series[i] = 1;
        }
        /*
         * A key that holds a value is closed at once; the caller appends through the series
         * pointer (nothing in the command can delete the key meanwhile) and vts_write_close
         * sends the keyspace event after the write. Closing signals the key as modified (WATCH,
         * client-side caching) a little earlier within the same command, which no client can
         * see: the server sends the executing client's own invalidations after its reply.
         * Measured (bench/reply_floor.c's FLOOR.MADD against FLOOR.MADDBATCH), closing each key
         * right after its lookup costs ~11 ns per key less than 100 handles kept open and closed
         * in a second pass.
         */
        VM_CloseKey(k);
        keys[i] = NULL;
    }
    prefetch_appends(series, n);
}

/*
 * An append touches the series header, the open chunk's header, the chunk's last data
 * word and the word at its decoding checkpoint (see vts.codec.Gorilla): with many series
 * these are cache misses, one after the other within a triple.
 * Fetching them for all the batch's series up front, in passes (each pass reads what the
 * previous one fetched), lets the misses of different series overlap.
 */
static void prefetch_appends(const uintptr_t *series, int32_t n) {
    for (int32_t i = 0; i < n; i++) {
        if (series[i] <= 1) continue;
        __builtin_prefetch((const char *)series[i], 1);
        __builtin_prefetch((const char *)series[i] + 64, 1);
    }
    for (int32_t i = 0; i < n; i++) {
        const ts_series *s = (const ts_series *)series[i];
        if (series[i] <= 1 || s->nchunks == 0) continue;
        const ts_chunk *c = ts_series_chunk(s, s->nchunks - 1);
        __builtin_prefetch(c, 1);
        __builtin_prefetch((const char *)c + 64, 1);
    }
    /* The data words are read, not prefetched: measured (perf on the server, TS.MADD of 100
     * series), prefetches of them were mostly lost and the writer then waited for each word in
     * turn (the hottest instructions of the append were the first reads of the last data word
     * and of the checkpoint word). Plain loads of independent addresses overlap with each other. */
    uint64_t sink = 0;
    for (int32_t i = 0; i < n; i++) {
        const ts_series *s = (const ts_series *)series[i];
        if (series[i] <= 1 || s->nchunks == 0) continue;
        const ts_chunk *c = ts_series_chunk(s, s->nchunks - 1);
        size_t tail = ((size_t)c->bit_pos >> 6) << 3, ckpt = ((size_t)c->ckpt_bit >> 6) << 3;
        /* only words inside the data area (a full chunk's bit_pos may point just past it) */
        if (c->encoding != TS_ENC_COMPRESSED || tail + 8 > c->capacity || ckpt > tail) continue;
        sink += *(const volatile uint64_t *)(const void *)(c->data + tail);
        sink += *(const volatile uint64_t *)(const void *)(c->data + ckpt); /* the writer moves the checkpoint on */
    }
    g_write_sink = sink;
}

void vts_write_close(VMCtx *ctx, VMString **argv, const int32_t *args, int32_t from, int32_t to, VMKey **keys,
                     const uint8_t *notify, const char *event) {
    for (int32_t i = from; i < to; i++) {
        if (keys[i]) VM_CloseKey(keys[i]);
        keys[i] = NULL;
        if (!notify[i] || args[i] < 0) continue;
        VM_NotifyKeyspaceEvent(ctx, VM_NOTIFY_MODULE, event, argv[args[i]]);
        if (g_cfg.blocked_readers > 0) VM_SignalKeyAsReady(ctx, argv[args[i]]);
    }
}
