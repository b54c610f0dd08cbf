/*
 * Pure C operations on the native series layout: free, memory usage, copy, and the
 * blob (de)serialisation shared by RDB, AOF rewrite and TS._RESTORE.
 * These run in fork children and on the lazy-free thread: no Java, no globals
 * besides the module allocator (DESIGN rules 1 and 2).
 */
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
    for (uint32_t i = 0; i < s->nchunks; i++) ts_chunk_free(s->chunks[i]);
    VM_Free(s->chunks);
    VM_Free(s->labels);
    VM_Free(s->rules);
    VM_Free(s->src_key);
    VM_Free(s);
}

size_t ts_series_mem_usage(const ts_series *s) {
    size_t n = sizeof(ts_series) + (size_t)s->nchunks * sizeof(ts_chunk *);
    for (uint32_t i = 0; i < s->nchunks; i++) n += TS_CHUNK_HEADER + s->chunks[i]->capacity;
    return n + s->labels_len + s->rules_len + s->src_key_len;
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
    d->chunks_cap = s->nchunks ? s->nchunks : 1;
    d->chunks = VM_Calloc(d->chunks_cap, sizeof(ts_chunk *));
    for (uint32_t i = 0; i < s->nchunks; i++) {
        size_t sz = TS_CHUNK_HEADER + s->chunks[i]->capacity;
        d->chunks[i] = VM_Alloc(sz);
        memcpy(d->chunks[i], s->chunks[i], sz);
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

/* Header blob: fixed settings, then labels, rules and source key as (u32 len, bytes). */
uint8_t *ts_header_to_blob(const ts_series *s, size_t *len) {
    wbuf b = {0};
    uint32_t enc_dup = (uint32_t)s->encoding | ((uint32_t)s->duplicate_policy << 8);
    w_u32(&b, TS_LAYOUT_VERSION);
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
    if (r_u32(&r) != TS_LAYOUT_VERSION) {
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

uint8_t *ts_chunk_to_blob(const ts_chunk *c, size_t *len) {
    *len = TS_CHUNK_HEADER + c->used;
    uint8_t *b = VM_Alloc(*len);
    memcpy(b, c, *len);
    return b;
}

#define TS_MAX_CHUNK_CAPACITY (64u << 20)
#define TS_SHRINK_SLACK 256u

ts_chunk *ts_chunk_from_blob(const uint8_t *p, size_t len, const char **err) {
    ts_chunk h;
    if (len < TS_CHUNK_HEADER) {
        *err = "truncated chunk";
        return NULL;
    }
    memcpy(&h, p, TS_CHUNK_HEADER);
    if (len != TS_CHUNK_HEADER + (size_t)h.used || h.used > h.capacity || h.capacity % 8 ||
        h.capacity > TS_MAX_CHUNK_CAPACITY || h.count == 0 || h.first_ts > h.last_ts || h.first_ts < 0) {
        *err = "malformed chunk";
        return NULL;
    }
    if (h.encoding == TS_ENC_UNCOMPRESSED) {
        if ((uint64_t)h.count * 16 != h.used) {
            *err = "malformed uncompressed chunk";
            return NULL;
        }
    } else if (h.encoding == TS_ENC_COMPRESSED) {
        if (h.bit_pos > (uint64_t)h.used * 8 || h.ckpt_bit > h.bit_pos || (h.ckpt_bit && h.ckpt_index >= h.count)) {
            *err = "malformed compressed chunk";
            return NULL;
        }
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
    uint32_t capacity = c->capacity;
    memcpy(c, p, len);
    c->capacity = capacity;
    return c;
}

/* Appends a loaded chunk; chunks must come in time order without overlap. */
int ts_series_append_chunk(ts_series *s, ts_chunk *c, const char **err) {
    if (s->nchunks > 0 && c->first_ts <= s->chunks[s->nchunks - 1]->last_ts) {
        *err = "chunks out of order";
        return -1;
    }
    if (s->nchunks == s->chunks_cap) {
        uint32_t cap = s->chunks_cap ? s->chunks_cap * 2 : 4;
        s->chunks = VM_Realloc(s->chunks, (size_t)cap * sizeof(ts_chunk *));
        s->chunks_cap = cap;
    }
    s->chunks[s->nchunks++] = c;
    if (s->total_samples == 0) s->first_ts = c->first_ts;
    s->total_samples += c->count;
    s->last_ts = c->last_ts;
    s->last_value = c->last_value;
    return 0;
}
