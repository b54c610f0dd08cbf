/*
 * Pure C operations on the native series layout: free, memory usage, copy, and the
 * blob (de)serialisation shared by RDB, AOF rewrite and TS._RESTORE.
 * These run in fork children and on the lazy-free thread: no Java, no globals
 * besides the module allocator (DESIGN rules 1 and 2).
 */
#include <math.h>
#include <string.h>
#include "series.h"
#include "vm_api.h"

void ts_chunk_free(ts_chunk *c) { VM_Free(c); }

/* A zeroed chunk with room for capacity data bytes (a multiple of 8). The one place C
 * makes chunks: loaders build on it and fill the header and data themselves. */
ts_chunk *ts_chunk_alloc(uint32_t capacity) {
    ts_chunk *c = VM_Calloc(1, TS_CHUNK_HEADER + (size_t)capacity);
    c->capacity = capacity;
    return c;
}

void ts_series_free(ts_series *s) {
    if (!s) return;
    for (uint32_t i = 0; i < s->nchunks; i++) ts_chunk_free(ts_series_chunk(s, i));
    if (s->chunks_cap) VM_Free(s->chunks);
    VM_Free(s->labels);
    VM_Free(s->rules);
    VM_Free(s->src_key);
    VM_Free(s);
}

size_t ts_series_mem_usage(const ts_series *s) {
    /* the chunk array counts by its used length (none for one chunk), as in vts.series.Series */
    size_t n = sizeof(ts_series) + (s->nchunks > 1 ? (size_t)s->nchunks * sizeof(ts_chunk *) : 0);
    for (uint32_t i = 0; i < s->nchunks; i++) n += TS_CHUNK_HEADER + ts_series_chunk(s, i)->capacity;
    return n + s->labels_len + s->rules_len + s->src_key_len;
}

/* Appends chunk c to the series' chunks: the first one goes into the `chunks` field
 * itself, the second makes an array (see tsdb_layout.h). */
static void chunks_push(ts_series *s, ts_chunk *c) {
    if (s->chunks_cap == 0 && s->nchunks == 0) {
        s->chunks = (ts_chunk **)(void *)c;
    } else {
        if (s->chunks_cap == 0) {
            ts_chunk **arr = VM_Alloc(4 * sizeof(ts_chunk *));
            arr[0] = (ts_chunk *)(void *)s->chunks;
            s->chunks = arr;
            s->chunks_cap = 4;
        } else if (s->nchunks == s->chunks_cap) {
            s->chunks_cap *= 2;
            s->chunks = VM_Realloc(s->chunks, (size_t)s->chunks_cap * sizeof(ts_chunk *));
        }
        s->chunks[s->nchunks] = c;
    }
    s->nchunks++;
}

static uint8_t *dup_bytes(const uint8_t *p, uint32_t len) {
    if (!p || len == 0) return NULL;
    uint8_t *d = VM_Alloc(len);
    memcpy(d, p, len);
    return d;
}

ts_series *ts_series_copy(const ts_series *s) {
    ts_series *d = VM_Alloc(sizeof(ts_series));
    memcpy(d, s, sizeof(ts_series));
    d->chunks = NULL;
    d->chunks_cap = 0;
    d->nchunks = 0;
    for (uint32_t i = 0; i < s->nchunks; i++) {
        const ts_chunk *c = ts_series_chunk(s, i);
        size_t sz = TS_CHUNK_HEADER + c->capacity;
        ts_chunk *n = VM_Alloc(sz);
        memcpy(n, c, sz);
        chunks_push(d, n);
    }
    d->labels = dup_bytes(s->labels, s->labels_len);
    d->rules = dup_bytes(s->rules, s->rules_len);
    d->src_key = dup_bytes(s->src_key, s->src_key_len);
    d->index_id = -1;
    return d;
}

/* ---- blobs ---- */

typedef struct {
    uint8_t *p;
    size_t len, cap;
} wbuf;

static void w_put(wbuf *b, const void *src, size_t n) {
    if (b->len + n > b->cap) {
        size_t cap = b->cap ? b->cap * 2 : 256;
        while (cap < b->len + n) cap *= 2;
        b->p = VM_Realloc(b->p, cap);
        b->cap = cap;
    }
    if (n) memcpy(b->p + b->len, src, n);
    b->len += n;
}

static void w_u32(wbuf *b, uint32_t v) { w_put(b, &v, 4); }
static void w_u64(wbuf *b, uint64_t v) { w_put(b, &v, 8); }

/* The header blob's version: 2 since encver 10 (the in-memory layout version is separate). */
#define TS_HEADER_BLOB_VERSION 2

/* Header blob: fixed settings, then labels, rules and source key as (u32 len, bytes). */
uint8_t *ts_header_to_blob(const ts_series *s, size_t *len) {
    wbuf b = {0};
    uint32_t enc_dup = (uint32_t)s->encoding | ((uint32_t)s->duplicate_policy << 8);
    w_u32(&b, TS_HEADER_BLOB_VERSION);
    w_u32(&b, enc_dup);
    w_u64(&b, (uint64_t)s->retention);
    w_u32(&b, s->chunk_size);
    w_u32(&b, s->flags);
    w_u64(&b, (uint64_t)s->ignore_max_time_diff);
    w_put(&b, &s->ignore_max_val_diff, 8);
    w_u32(&b, s->nlabels);
    w_u32(&b, s->labels_len);
    w_put(&b, s->labels, s->labels_len);
    w_u32(&b, s->nrules);
    w_u32(&b, s->rules_len);
    w_put(&b, s->rules, s->rules_len);
    w_u32(&b, s->src_key_len);
    w_put(&b, s->src_key, s->src_key_len);
    *len = b.len;
    return b.p;
}

typedef struct {
    const uint8_t *p;
    size_t len, pos;
    int bad;
} rbuf;

static int r_get(rbuf *r, void *dst, size_t n) {
    if (r->bad || n > r->len - r->pos) {
        r->bad = 1;
        return 0;
    }
    memcpy(dst, r->p + r->pos, n);
    r->pos += n;
    return 1;
}

static uint32_t r_u32(rbuf *r) {
    uint32_t v = 0;
    r_get(r, &v, 4);
    return v;
}

static uint64_t r_u64(rbuf *r) {
    uint64_t v = 0;
    r_get(r, &v, 8);
    return v;
}

static uint8_t *r_bytes(rbuf *r, uint32_t n) {
    if (r->bad || n > r->len - r->pos) {
        r->bad = 1;
        return NULL;
    }
    uint8_t *d = dup_bytes(r->p + r->pos, n);
    r->pos += n;
    return d;
}

/* Labels must be nlabels well-formed (name, value) pairs filling the blob exactly. */
static int labels_valid(const uint8_t *p, uint32_t len, uint32_t n) {
    size_t pos = 0;
    for (uint64_t i = 0; i < 2ull * n; i++) {
        uint32_t l;
        if (len - pos < 4) return 0;
        memcpy(&l, p + pos, 4);
        pos += 4;
        if (l > len - pos) return 0;
        pos += l;
    }
    return pos == len;
}

/*
 * The rules blob (format: vts.compaction.RuleBlob): u8 version, 3 reserved bytes, u32 count,
 * then count records of 120 fixed bytes (u32 destLen at +24, u16 aggLen at +28) followed by
 * destLen + aggLen bytes. Java walks the records in native memory by those lengths, so a
 * loaded blob must be exactly that shape.
 */
#define RULE_BLOB_VERSION 1
#define RULE_REC_FIXED 120
static int rules_valid(const uint8_t *p, uint32_t len, uint32_t n) {
    if (len == 0) return n == 0;
    if (len < 8 || p[0] != RULE_BLOB_VERSION) return 0;
    uint32_t count;
    memcpy(&count, p + 4, 4);
    if (count != n) return 0;
    size_t pos = 8;
    for (uint32_t i = 0; i < count; i++) {
        if (len - pos < RULE_REC_FIXED) return 0;
        uint32_t dl;
        uint16_t al;
        memcpy(&dl, p + pos + 24, 4);
        memcpy(&al, p + pos + 28, 2);
        pos += RULE_REC_FIXED;
        if (dl > len - pos || al > len - pos - dl || al == 0) return 0;
        pos += (size_t)dl + al;
    }
    return pos == len;
}

ts_series *ts_series_new_empty(void) {
    ts_series *s = VM_Calloc(1, sizeof(ts_series));
    s->magic = TS_MAGIC;
    s->layout_version = TS_LAYOUT_VERSION;
    s->index_id = -1;
    return s;
}

ts_series *ts_header_from_blob(const uint8_t *p, size_t len, const char **err) {
    rbuf r = {p, len, 0, 0};
    if (r_u32(&r) != TS_HEADER_BLOB_VERSION) {
        *err = "unsupported series layout version";
        return NULL;
    }
    ts_series *s = ts_series_new_empty();
    uint32_t enc_dup = r_u32(&r);
    s->encoding = enc_dup & 0xff;
    s->duplicate_policy = (enc_dup >> 8) & 0xff;
    s->retention = (int64_t)r_u64(&r);
    s->chunk_size = r_u32(&r);
    s->flags = r_u32(&r);
    s->ignore_max_time_diff = (int64_t)r_u64(&r);
    r_get(&r, &s->ignore_max_val_diff, 8);
    s->nlabels = r_u32(&r);
    s->labels_len = r_u32(&r);
    s->labels = r_bytes(&r, s->labels_len);
    s->nrules = r_u32(&r);
    s->rules_len = r_u32(&r);
    s->rules = r_bytes(&r, s->rules_len);
    s->src_key_len = r_u32(&r);
    s->src_key = r_bytes(&r, s->src_key_len);
    if (r.bad || r.pos != len) {
        *err = "truncated series header";
    } else if (s->encoding > TS_ENC_UNCOMPRESSED || s->duplicate_policy > TS_DUP_SUM) {
        *err = "bad encoding or duplicate policy";
    } else if (s->chunk_size < 48 || s->chunk_size > 1048576 || s->chunk_size % 8 || s->retention < 0 ||
               s->ignore_max_time_diff < 0) {
        *err = "bad series settings";
    } else if (!labels_valid(s->labels, s->labels_len, s->nlabels)) {
        *err = "malformed labels";
    } else if (!rules_valid(s->rules, s->rules_len, s->nrules)) {
        *err = "malformed compaction rules";
    } else {
        return s;
    }
    ts_series_free(s);
    return NULL;
}

/*
 * The chunk blob (RDB encver 10, AOF TS._RESTORE, DUMP): the layout-2 chunk header of
 * 136 bytes below, then the used data bytes. Memory holds the smaller layout-3 header
 * (tsdb_layout.h); these two functions convert, so the format on disk is unchanged.
 */
typedef struct {
    int64_t first_ts, last_ts;
    uint32_t count, capacity, used;
    uint8_t encoding, prev_leading, prev_trailing, flags;
    uint64_t bit_pos; /* 0 in an UNCOMPRESSED chunk */
    int64_t prev_delta;
    double last_value, first_value, sum, sum_comp, min, max;
    uint32_t nan_count, ckpt_index, ckpt_bit, ckpt_scale;
    int64_t ckpt_ts, ckpt_delta, ckpt_m;
} ts_chunk_blob_header;

#define TS_CHUNK_BLOB_HEADER 136
TS_STATIC_ASSERT(sizeof(ts_chunk_blob_header) == TS_CHUNK_BLOB_HEADER, "chunk blob header size");

uint32_t ts_chunk_used(const ts_chunk *c) { return (c->bit_pos + 7u) / 8u; }

uint8_t *ts_chunk_to_blob(const ts_chunk *c, size_t *len) {
    ts_chunk_blob_header h = {
        .first_ts = c->first_ts, .last_ts = c->last_ts, .count = c->count, .capacity = c->capacity,
        .used = ts_chunk_used(c), .encoding = c->encoding, .prev_leading = c->prev_leading,
        .prev_trailing = c->prev_trailing, .flags = c->flags,
        .bit_pos = c->encoding == TS_ENC_COMPRESSED ? c->bit_pos : 0, .prev_delta = c->prev_delta,
        .last_value = c->last_value, .first_value = c->first_value, .sum = c->sum, .sum_comp = c->sum_comp,
        .min = c->min, .max = c->max, .nan_count = c->nan_count, .ckpt_index = c->ckpt_index,
        .ckpt_bit = c->ckpt_bit, .ckpt_scale = c->ckpt_scale, .ckpt_ts = c->ckpt_ts,
        .ckpt_delta = c->ckpt_delta, .ckpt_m = c->ckpt_m};
    *len = TS_CHUNK_BLOB_HEADER + (size_t)h.used;
    uint8_t *b = VM_Alloc(*len);
    memcpy(b, &h, TS_CHUNK_BLOB_HEADER);
    memcpy(b + TS_CHUNK_BLOB_HEADER, c->data, h.used);
    return b;
}

#define TS_MAX_CHUNK_CAPACITY (64u << 20)
#define TS_SHRINK_SLACK 256u

ts_chunk *ts_chunk_from_blob(const uint8_t *p, size_t len, const char **err) {
    ts_chunk_blob_header h;
    if (len < TS_CHUNK_BLOB_HEADER) {
        *err = "truncated chunk";
        return NULL;
    }
    memcpy(&h, p, TS_CHUNK_BLOB_HEADER);
    if (len != TS_CHUNK_BLOB_HEADER + (size_t)h.used || h.used > h.capacity || h.capacity % 8 ||
        h.capacity > TS_MAX_CHUNK_CAPACITY || h.count == 0 || h.first_ts > h.last_ts || h.first_ts < 0) {
        *err = "malformed chunk";
        return NULL;
    }
    uint32_t bit_pos;
    if (h.encoding == TS_ENC_UNCOMPRESSED) {
        if ((uint64_t)h.count * 16 != h.used) {
            *err = "malformed uncompressed chunk";
            return NULL;
        }
        bit_pos = h.used * 8u;
    } else if (h.encoding == TS_ENC_COMPRESSED) {
        if (h.bit_pos > (uint64_t)h.used * 8 || h.ckpt_bit > h.bit_pos ||
            (h.ckpt_bit && h.ckpt_index >= h.count) || h.ckpt_scale > 255) {
            *err = "malformed compressed chunk";
            return NULL;
        }
        bit_pos = (uint32_t)h.bit_pos;
    } else {
        *err = "unknown chunk encoding";
        return NULL;
    }
    /* A chunk keeps its capacity, so that a reloaded series reports the same memory use,
     * unless it is mostly empty: the open chunks of RDBs written before chunks grew with
     * their data (chunk_size bytes from the first sample) shrink to their data, rounded
     * up to 8, and grow again as samples come (vts.codec.Chunks.grow). A chunk written
     * since then is never that empty (it grows by 1/8 at a time, or shrinks on close). */
    uint32_t cap = h.capacity;
    if (h.capacity - h.used > TS_SHRINK_SLACK && h.used < h.capacity / 2) cap = (h.used + 7u) & ~7u;
    ts_chunk *c = ts_chunk_alloc(cap);
    c->first_ts = h.first_ts;
    c->last_ts = h.last_ts;
    c->count = h.count;
    c->bit_pos = bit_pos;
    c->encoding = h.encoding;
    c->prev_leading = h.prev_leading;
    c->prev_trailing = h.prev_trailing;
    c->flags = h.flags;
    c->prev_delta = h.prev_delta;
    c->last_value = h.last_value;
    c->first_value = h.first_value;
    c->sum = h.sum;
    c->sum_comp = h.sum_comp;
    c->min = h.min;
    c->max = h.max;
    c->nan_count = h.nan_count;
    c->ckpt_index = h.ckpt_index;
    c->ckpt_bit = h.ckpt_bit;
    c->ckpt_scale = (uint8_t)h.ckpt_scale;
    c->ckpt_ts = h.ckpt_ts;
    c->ckpt_delta = h.ckpt_delta;
    c->ckpt_m = h.ckpt_m;
    memcpy(c->data, p + TS_CHUNK_BLOB_HEADER, h.used);
    return c;
}

ts_chunk *ts_chunk_new(uint8_t encoding, uint32_t capacity) {
    ts_chunk *c = VM_Calloc(1, TS_CHUNK_HEADER + (size_t)capacity);
    c->capacity = capacity;
    c->encoding = encoding;
    c->min = INFINITY;
    c->max = -INFINITY;
    return c;
}

int ts_chunk_append_uncompressed(ts_chunk *c, int64_t ts, double v) {
    if (c->encoding != TS_ENC_UNCOMPRESSED || (uint64_t)c->count * 16 + 16 > c->capacity) return -1;
    uint8_t *p = c->data + (size_t)c->count * 16;
    memcpy(p, &ts, 8);
    memcpy(p + 8, &v, 8);
    c->bit_pos = (c->count + 1) * 128; /* an uncompressed chunk: used = bit_pos / 8 */
    if (c->count == 0) {
        c->first_ts = ts;
        c->first_value = v;
    }
    c->count++;
    c->last_ts = ts;
    c->last_value = v;
    if (isnan(v)) {
        c->nan_count++;
        return 0;
    }
    /* Neumaier, step for step as vts.codec.Chunks.summarise (the aggregations rely on it) */
    double sum = c->sum, t = sum + v;
    if (!isfinite(t)) {
        /* an infinity: keep the compensation finite */
    } else if (fabs(sum) >= fabs(v)) {
        c->sum_comp += (sum - t) + v;
    } else {
        c->sum_comp += (v - t) + sum;
    }
    c->sum = t;
    if (v < c->min) c->min = v;
    if (v > c->max) c->max = v;
    return 0;
}

/* Appends a loaded chunk; chunks must come in time order without overlap. */
int ts_series_append_chunk(ts_series *s, ts_chunk *c, const char **err) {
    if (s->nchunks > 0 && c->first_ts <= ts_series_chunk(s, s->nchunks - 1)->last_ts) {
        *err = "chunks out of order";
        return -1;
    }
    chunks_push(s, c);
    s->total_samples += c->count;
    /* the header's copy of the last sample (runtime only, see tsdb_layout.h) */
    s->last_ts = c->last_ts;
    s->last_value = c->last_value;
    return 0;
}
