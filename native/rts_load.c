/*
 * Reads RedisTimeSeries' own TSDB-TYPE encodings (versions 0..9) and converts each series
 * into our native layout while loading (DESIGN rule 1: pure C, no Java). The facts of the
 * format (field order, enum values, chunk layouts) come from the reference's public
 * sources and were checked against RDB files and DUMP payloads its servers wrote.
 *
 * Series, in field order (u = LoadUnsigned, d = LoadDouble, s = LoadStringBuffer):
 *   s key name (ignored: the key is where the server puts it)
 *   u retention ms, u chunk size (bytes; samples before v2: x16)
 *   u options (v1+; bit 0 uncompressed), else uncompressed
 *   v2+: u last timestamp, d last value, u total samples, u duplicate policy (v3+),
 *        u has source key, [s source key]
 *   v8+: u IGNORE max time diff, d IGNORE max value diff
 *   u label count, then s name, s value each
 *   u rule count, then per rule: s destination, u bucket duration, u alignment (v6+),
 *        u aggregation type, u start of the open bucket, u (v9+, a flag), the aggregator's
 *        context (see read_context)
 *   before v2: u sample count, then (u ts, d value) each
 *   v2+: u chunk count, then per chunk (by the series' options):
 *        compressed:   u size, u count, u bits used, u first value bits, u first ts,
 *                      u last ts, u last delta, u last value bits, u leading, u trailing,
 *                      s data (size bytes, 64-bit little-endian words)
 *        uncompressed: u first ts, u count, u size, s data (count x (u64 ts, double))
 *
 * Chunks: every sample is decoded here and written into our UNCOMPRESSED chunks, one of
 * ours per chunk of theirs (so chunk counts stay as they were). A compressed series is
 * then flagged TS_FLAG_FOREIGN_CHUNKS and Java re-encodes its chunks into our compressed
 * format when the key event of the loaded or restored key reaches it on the main thread
 * (vts.series.Foreign), through the one encoder every write uses. Why not a C encoder of
 * our compressed format: that format (vts.codec.Gorilla, with its decimal mode and
 * checkpoints) would then have two writers that must agree bit for bit forever; the cost of
 * the Java step is one series held uncompressed at a time during a load (the key event
 * follows each key). Uncompressed chunks are a valid layout on their own, so a series that
 * never got re-encoded still reads, writes and saves correctly (BGSAVE writes whatever
 * chunks the series holds, in our encoding 10).
 *
 * Compaction rules: the reference keeps a running aggregate of each rule's open bucket
 * (which holds only the samples written after the rule was created, and outlives
 * retention); we map it into our own running state (vts.compaction.Running) so the write
 * that closes the bucket writes the value the reference would have (read_context). Where
 * that can't be expressed (twa, an overflowed avg, a reset context), the state stays unset
 * and that bucket is computed from the source's samples when it closes, as TS.RANGE ..
 * AGGREGATION would.
 */
#include <float.h>
#include <math.h>
#include <stdint.h>
#include <string.h>

#include "rts_load.h"

/* the reference's DuplicatePolicy enum -> ours */
static const uint8_t kDupMap[] = {TS_DUP_UNSET, TS_DUP_BLOCK, TS_DUP_LAST, TS_DUP_FIRST,
                                  TS_DUP_MIN,   TS_DUP_MAX,   TS_DUP_SUM};

/* the reference's aggregation enum (1..15) -> our wire names (vts.query.Aggregator) */
static const char *kAggNames[] = {NULL,    "min",   "max",   "sum",   "avg",   "count", "first",    "last",
                                  "range", "std.p", "std.s", "var.p", "var.s", "twa",   "countnan", "countall"};
#define RTS_AGG_MAX 15

#define MAX_CHUNK_BYTES (64u << 20) /* what our loader accepts for one chunk */
#define MAX_NAME (512u << 20)

typedef struct {
    VMIO *io;
    int encver;
    int bad;          /* an I/O error (the server has it) or malformed data (why says) */
    const char *why;  /* malformed data: what was wrong; NULL for an I/O error */
} rd;

static void fail(rd *r, const char *why) {
    if (!r->bad) r->why = why;
    r->bad = 1;
}

static uint64_t rd_u(rd *r) {
    if (r->bad) return 0;
    uint64_t v = VM_LoadUnsigned(r->io);
    if (VM_IsIOError(r->io)) r->bad = 1;
    return v;
}

static double rd_d(rd *r) {
    if (r->bad) return 0;
    double v = VM_LoadDouble(r->io);
    if (VM_IsIOError(r->io)) r->bad = 1;
    return v;
}

/* a string buffer (module allocator, caller frees) or NULL */
static char *rd_s(rd *r, size_t *len) {
    *len = 0;
    if (r->bad) return NULL;
    char *p = VM_LoadStringBuffer(r->io, len);
    if (VM_IsIOError(r->io) || !p) {
        if (p) VM_Free(p);
        r->bad = 1;
        return NULL;
    }
    return p;
}

static void rd_skip_s(rd *r) {
    size_t n;
    char *p = rd_s(r, &n);
    if (p) VM_Free(p);
}

/* ---- growing byte buffers for the labels and rules blobs ---- */

typedef struct {
    uint8_t *p;
    uint32_t len, cap;
} buf;

static int buf_put(buf *b, const void *src, size_t n) {
    if (n > UINT32_MAX - b->len) return -1;
    if (b->len + n > b->cap) {
        size_t cap = b->cap ? (size_t)b->cap * 2 : 256;
        while (cap < b->len + n) cap *= 2;
        if (cap > UINT32_MAX) cap = UINT32_MAX;
        b->p = VM_Realloc(b->p, cap);
        b->cap = (uint32_t)cap;
    }
    if (n) memcpy(b->p + b->len, src, n);
    b->len += (uint32_t)n;
    return 0;
}

static int buf_u32(buf *b, uint32_t v) { return buf_put(b, &v, 4); }
static int buf_u64(buf *b, uint64_t v) { return buf_put(b, &v, 8); }

/* (u32 length, bytes) of the next string of the stream */
static void put_string(rd *r, buf *b) {
    size_t n;
    char *p = rd_s(r, &n);
    if (!p) return;
    if (n > MAX_NAME || buf_u32(b, (uint32_t)n) || buf_put(b, p, n)) fail(r, "string too long");
    VM_Free(p);
}

/*
 * A rule's running state as vts.compaction.RuleBlob/Running read it (record offsets +30..+120):
 * flags bit 0 = valid, the counts of non-NaN and NaN samples, and six 8-byte slots.
 */
typedef struct {
    uint16_t flags;
    int64_t n, nan;
    double slot[6];
} run_state;

#define RUNNING_VALID 1

/*
 * The aggregator's saved open-bucket context, mapped into our running state where it can
 * be expressed exactly (st->flags stays 0 otherwise: the bucket is then recomputed from
 * the source's samples when it closes). Layouts as the reference writes them
 * (RedisTimeSeries 1.8 .. 8.x, encodings 8 and 9; checked on their files):
 *   min, max, range        d max, d min
 *   sum, count, last,
 *   countnan, countall     d value
 *   first                  d value, u reset flag
 *   avg                    d sum, d count, u overflow flag
 *   std.*, var.*           d sum, d sum of squares, u count
 *   twa                    d, u, d, u, u, u, u, u, u, u
 * Before encoding 8 (best effort, from the reference's older sources): every single-value
 * aggregator has the reset flag from v3 on, avg's overflow flag exists from v4 on.
 *
 * Our slots (vts.compaction.Running): min/max/range 0 min, 1 max; first/last 0 first,
 * 1 last; sum/avg 0 sum, 1 compensation (2..4: chunk bookkeeping, set once the chunks are
 * known, see finish_rules); var/std 0 mean of (value - slot 2), 1 M2, 2 shift. twa keeps
 * no state we could rebuild (the reference's weighted form differs from our trapezoids).
 */
static void read_context(rd *r, int agg, run_state *st) {
    int v = r->encver;
    memset(st, 0, sizeof(*st));
    switch (agg) {
    case 1: case 2: case 8: {
        /* each keeps only its own side up to date (min's max stays at -DBL_MAX, max's min
         * at DBL_MAX, their reset values); a side still at its reset value: nothing seen */
        double mx = rd_d(r), mn = rd_d(r);
        if (agg == 1) mx = mn;
        if (agg == 2) mn = mx;
        if (agg == 1 ? mn < DBL_MAX : agg == 2 ? mx > -DBL_MAX : mn <= mx && mn < DBL_MAX) {
            st->flags = RUNNING_VALID;
            st->n = 1; /* only "has samples" matters to these aggregators */
            st->slot[0] = mn;
            st->slot[1] = mx;
        }
        break;
    }
    case 3: case 5: case 7: case 14: case 15: {
        double x = rd_d(r);
        int reset = 0;
        if (v < 8 && v >= 3) reset = rd_u(r) != 0;
        if (reset && agg != 3 && agg != 5 && agg != 14) break;
        if (agg == 3) { /* sum */
            st->n = 1;
            st->slot[0] = x;
        } else if (agg == 5 || agg == 15) { /* count, countall */
            if (!(x >= 1 && x <= 9e15)) break;
            st->n = (int64_t)x;
        } else if (agg == 7) { /* last */
            st->n = 1;
            st->slot[0] = st->slot[1] = x;
        } else { /* countnan: some sample opened the bucket */
            if (!(x >= 0 && x <= 9e15)) break;
            st->n = 1;
            st->nan = (int64_t)x;
        }
        st->flags = RUNNING_VALID;
        break;
    }
    case 6: {
        double x = rd_d(r);
        if (v < 3 || rd_u(r)) break; /* reset (or unknown): nothing seen */
        st->flags = RUNNING_VALID;
        st->n = 1;
        st->slot[0] = st->slot[1] = x;
        break;
    }
    case 4: {
        double sum = rd_d(r), cnt = rd_d(r);
        int overflow = v >= 4 ? rd_u(r) != 0 : 0;
        /* overflowed: the reference keeps a running mean, not a sum */
        if (overflow || !(cnt >= 1 && cnt <= 9e15) || !isfinite(sum)) break;
        st->flags = RUNNING_VALID;
        st->n = (int64_t)cnt;
        st->slot[0] = sum;
        break;
    }
    case 9: case 10: case 11: case 12: {
        double sum = rd_d(r), sum2 = rd_d(r);
        uint64_t cnt = rd_u(r);
        if (cnt == 0 || cnt > (1ull << 53) || !isfinite(sum) || !isfinite(sum2)) break;
        /* M2 as the reference's variance numerator; shifted by the mean, whose own
         * running mean is then 0 */
        double c = (double)cnt, mean = sum / c;
        double m2 = sum2 - 2 * sum * sum / c + mean * mean * c;
        if (!isfinite(m2)) break;
        st->flags = RUNNING_VALID;
        st->n = (int64_t)cnt;
        st->slot[0] = 0;
        st->slot[1] = m2 > 0 ? m2 : 0;
        st->slot[2] = mean;
        break;
    }
    case 13:
        if (v < 8) {
            fail(r, "twa compaction rule in an encoding before 8");
            break;
        }
        rd_d(r);
        rd_u(r);
        rd_d(r);
        for (int i = 0; i < 7; i++) rd_u(r);
        break;
    default:
        fail(r, "unknown aggregation type in a compaction rule");
    }
    if (r->bad) st->flags = 0;
}

/* One rule: appends its record (format: vts.compaction.RuleBlob, version 1) to b. */
#define RULE_BLOB_VERSION 1
#define NO_BUCKET INT64_MIN
#define NO_VALUE INT64_MAX
/* record offsets (vts.compaction.RuleBlob) */
#define R_OPEN 0
#define R_DEST_LEN 24
#define R_AGG_LEN 28
#define R_FLAGS 30
#define R_SRC_LAST 40
#define R_FIRST_TS 64
#define R_SLOTS 72
#define REC_FIXED 120
static void read_rule(rd *r, buf *b) {
    size_t dl;
    char *dest = rd_s(r, &dl);
    uint64_t duration = rd_u(r);
    uint64_t align = r->encver >= 6 ? rd_u(r) : 0;
    uint64_t agg = rd_u(r);
    uint64_t open = rd_u(r);
    if (r->encver >= 9) rd_u(r);
    if (!r->bad && (agg < 1 || agg > RTS_AGG_MAX)) fail(r, "unknown aggregation type in a compaction rule");
    run_state st;
    memset(&st, 0, sizeof(st));
    if (!r->bad) read_context(r, (int)agg, &st);
    if (!r->bad && (duration == 0 || duration > INT64_MAX || align > INT64_MAX))
        fail(r, "bad bucket duration or alignment in a compaction rule");
    if (!r->bad && (dl == 0 || dl > MAX_NAME)) fail(r, "bad destination key in a compaction rule");
    if (r->bad) {
        if (dest) VM_Free(dest);
        return;
    }
    /* the reference's "no bucket yet" is -1 */
    int64_t ob = (int64_t)open == -1 ? NO_BUCKET : (int64_t)open;
    if (ob == NO_BUCKET) st.flags = 0;
    const char *name = kAggNames[agg];
    uint16_t al = (uint16_t)strlen(name);
    /* the open bucket's first sample (retention check of the state): the reference's context
     * outlives retention, so "never trimmed" */
    uint64_t first_ts = st.flags ? (uint64_t)INT64_MAX : 0;
    int e = buf_u64(b, (uint64_t)ob) | buf_u64(b, duration) | buf_u64(b, align) | buf_u32(b, (uint32_t)dl) |
            buf_put(b, &al, 2) | buf_put(b, &st.flags, 2) | buf_u64(b, NO_VALUE) /* open bucket's first value */ |
            buf_u64(b, NO_VALUE) /* the source's last timestamp: set by finish_rules */ |
            buf_u64(b, (uint64_t)st.n) | buf_u64(b, (uint64_t)st.nan) | buf_u64(b, first_ts);
    e |= buf_put(b, st.slot, sizeof(st.slot));
    e |= buf_put(b, dest, dl) | buf_put(b, name, al);
    VM_Free(dest);
    if (e) fail(r, "compaction rules too large");
}

static int64_t rec_i64(const uint8_t *rec, int off) {
    int64_t v;
    memcpy(&v, rec + off, 8);
    return v;
}

static void rec_put(uint8_t *rec, int off, const void *v, size_t n) { memcpy(rec + off, v, n); }

/*
 * Once the chunks are in: each rule learns the source's last timestamp (so the next write
 * counts as an append and may close the bucket from the running state), and sum/avg get
 * the chunk bookkeeping vts.compaction.Running keeps: the first timestamp of the chunk
 * holding the bucket's newest samples, and the sum "before that chunk" (Running adds a
 * chunk lying wholly inside the bucket from its stored summary), here the saved sum less
 * that chunk's summary.
 */
static void finish_rules(ts_series *s, uint8_t *blob, uint32_t len, uint32_t nrules) {
    const ts_chunk *last = s->nchunks ? ts_series_chunk(s, s->nchunks - 1) : NULL;
    int64_t src_last = last ? last->last_ts : INT64_MIN;
    uint32_t off = 8;
    for (uint32_t i = 0; i < nrules && off + REC_FIXED <= len; i++) {
        uint8_t *rec = blob + off;
        uint32_t dl;
        uint16_t al, flags;
        memcpy(&dl, rec + R_DEST_LEN, 4);
        memcpy(&al, rec + R_AGG_LEN, 2);
        memcpy(&flags, rec + R_FLAGS, 2);
        rec_put(rec, R_SRC_LAST, &src_last, 8);
        const char *agg = (const char *)rec + REC_FIXED + dl;
        int sumlike = (al == 3 && memcmp(agg, "sum", 3) == 0) || (al == 3 && memcmp(agg, "avg", 3) == 0);
        if (flags & RUNNING_VALID) {
            if (!last) {
                flags = 0; /* nothing to close against: recompute */
            } else if (sumlike) {
                int64_t open = rec_i64(rec, R_OPEN), seg = last->first_ts;
                double sum;
                memcpy(&sum, rec + R_SLOTS, 8);
                double base = sum, zero = 0;
                if (seg >= (open > 0 ? open : 0)) base = sum - (last->sum + last->sum_comp);
                rec_put(rec, R_SLOTS + 16, &base, 8);
                rec_put(rec, R_SLOTS + 24, &zero, 8);
                rec_put(rec, R_SLOTS + 32, &seg, 8);
            }
            rec_put(rec, R_FLAGS, &flags, 2);
        }
        off += REC_FIXED + dl + al;
    }
}

/* ---- chunks ---- */

/* The reference's compressed bit stream: 64-bit little-endian words, bits from the least
 * significant one; reads never go past nbits. */
typedef struct {
    const uint8_t *p;
    uint64_t nbits, pos;
    int bad;
} bits;

static uint64_t word_at(const uint8_t *p, uint64_t w) {
    uint64_t v;
    memcpy(&v, p + w * 8, 8);
    return v;
}

static uint64_t take(bits *b, unsigned n) {
    if (n == 0 || b->bad) return 0;
    if (b->pos > b->nbits || n > b->nbits - b->pos) {
        b->bad = 1;
        return 0;
    }
    uint64_t w = b->pos >> 6;
    unsigned off = (unsigned)(b->pos & 63);
    uint64_t v = word_at(b->p, w) >> off;
    if (off + n > 64) v |= word_at(b->p, w + 1) << (64 - off);
    if (n < 64) v &= (1ULL << n) - 1;
    b->pos += n;
    return v;
}

static int64_t sign_extend(uint64_t x, unsigned n) {
    if (n >= 64) return (int64_t)x;
    uint64_t m = 1ULL << (n - 1);
    return (int64_t)((x ^ m) - m);
}

/* Appends a sample to c after checking order; -1 (with r failed) if it is bad. */
static int add_sample(rd *r, ts_chunk *c, uint64_t ts, double v, uint64_t *prev, int first) {
    if (ts > INT64_MAX) {
        fail(r, "timestamp out of range");
        return -1;
    }
    if (!first && ts <= *prev) {
        fail(r, "timestamps out of order in a chunk");
        return -1;
    }
    *prev = ts;
    if (ts_chunk_append_uncompressed(c, (int64_t)ts, v) != 0) {
        fail(r, "chunk holds more samples than it claims");
        return -1;
    }
    return 0;
}

/* a chunk of ours for n samples: at least the series' chunk size when it stays uncompressed */
static ts_chunk *new_chunk(const ts_series *s, uint64_t n) {
    uint64_t cap = n * 16;
    if (s->encoding == TS_ENC_UNCOMPRESSED && cap < s->chunk_size) cap = s->chunk_size;
    return ts_chunk_new(TS_ENC_UNCOMPRESSED, (uint32_t)cap);
}

static ts_chunk *read_compressed(rd *r, const ts_series *s) {
    uint64_t size = rd_u(r), count = rd_u(r), idx = rd_u(r), base_v = rd_u(r), base_ts = rd_u(r);
    rd_u(r); /* last ts */
    rd_u(r); /* last delta */
    rd_u(r); /* last value */
    rd_u(r); /* leading */
    rd_u(r); /* trailing */
    size_t len;
    char *data = rd_s(r, &len);
    if (r->bad) {
        if (data) VM_Free(data);
        return NULL;
    }
    ts_chunk *c = NULL;
    if (size != len || len % 8 || len > MAX_CHUNK_BYTES || idx > (uint64_t)len * 8) {
        fail(r, "malformed compressed chunk");
    } else if (count > 0 && (count - 1 > idx / 2 || count > MAX_CHUNK_BYTES / 16)) {
        fail(r, "compressed chunk claims more samples than it holds");
    } else if (count > 0) {
        c = new_chunk(s, count);
        bits b = {(const uint8_t *)data, idx, 0, 0};
        uint64_t ts = base_ts, vbits = base_v, prev = 0;
        int64_t delta = 0;
        unsigned leading = 32, trailing = 32, block = 0;
        double v;
        memcpy(&v, &vbits, 8);
        if (add_sample(r, c, ts, v, &prev, 1) == 0) {
            static const unsigned widths[] = {5, 8, 11, 15, 32};
            for (uint64_t i = 1; i < count && !b.bad && !r->bad; i++) {
                if (take(&b, 1)) {
                    unsigned k = 0;
                    while (k < 5 && take(&b, 1)) k++;
                    delta += k < 5 ? sign_extend(take(&b, widths[k]), widths[k]) : (int64_t)take(&b, 64);
                }
                ts += (uint64_t)delta;
                if (take(&b, 1)) {
                    if (take(&b, 1)) {
                        leading = (unsigned)take(&b, 5);
                        block = (unsigned)take(&b, 6) + 1;
                        if (leading + block > 64) {
                            b.bad = 1;
                            break;
                        }
                        trailing = 64 - leading - block;
                    }
                    uint64_t x = take(&b, block);
                    vbits ^= trailing >= 64 ? 0 : x << trailing;
                }
                if (b.bad) break;
                memcpy(&v, &vbits, 8);
                add_sample(r, c, ts, v, &prev, 0);
            }
        }
        if (b.bad) fail(r, "compressed chunk data ends early or is corrupt");
    }
    VM_Free(data);
    if (r->bad && c) {
        ts_chunk_free(c);
        c = NULL;
    }
    return c;
}

static ts_chunk *read_uncompressed(rd *r, const ts_series *s) {
    uint64_t first = rd_u(r), count = rd_u(r), size = rd_u(r);
    size_t len;
    char *data = rd_s(r, &len);
    if (r->bad) {
        if (data) VM_Free(data);
        return NULL;
    }
    (void)first;
    ts_chunk *c = NULL;
    if (size != len || count > len / 16 || len > MAX_CHUNK_BYTES) {
        fail(r, "malformed uncompressed chunk");
    } else if (count > 0) {
        c = new_chunk(s, count);
        uint64_t prev = 0;
        for (uint64_t i = 0; i < count && !r->bad; i++) {
            uint64_t ts;
            double v;
            memcpy(&ts, data + i * 16, 8);
            memcpy(&v, data + i * 16 + 8, 8);
            add_sample(r, c, ts, v, &prev, i == 0);
        }
    }
    VM_Free(data);
    if (r->bad && c) {
        ts_chunk_free(c);
        c = NULL;
    }
    return c;
}

/* Before encoding 2: the samples one by one, into chunks of the series' size. */
static void read_samples(rd *r, ts_series *s) {
    uint64_t n = rd_u(r);
    uint32_t per = s->encoding == TS_ENC_UNCOMPRESSED ? s->chunk_size / 16 : 256;
    ts_chunk *c = NULL;
    uint64_t prev = 0;
    const char *err = NULL;
    for (uint64_t i = 0; i < n && !r->bad; i++) {
        uint64_t ts = rd_u(r);
        double v = rd_d(r);
        if (r->bad) break;
        if (c && c->count == per) {
            if (ts_series_append_chunk(s, c, &err)) break;
            c = NULL;
        }
        if (!c) c = new_chunk(s, per);
        add_sample(r, c, ts, v, &prev, i == 0);
    }
    if (err) fail(r, err);
    if (c && !r->bad && ts_series_append_chunk(s, c, &err) == 0) c = NULL;
    if (err) fail(r, err);
    if (c) ts_chunk_free(c);
}

static void read_chunks(rd *r, ts_series *s, int compressed) {
    uint64_t n = rd_u(r);
    const char *err = NULL;
    for (uint64_t i = 0; i < n && !r->bad; i++) {
        ts_chunk *c = compressed ? read_compressed(r, s) : read_uncompressed(r, s);
        if (!c) continue; /* an empty chunk (or r->bad) */
        if (ts_series_append_chunk(s, c, &err)) {
            ts_chunk_free(c);
            fail(r, err);
        }
    }
}

static uint32_t clamp_chunk_size(uint64_t v) {
    if (v < 48) return 48;
    if (v > 1048576) return 1048576;
    return (uint32_t)((v + 7) & ~7ull);
}

ts_series *rts_rdb_load(VMIO *io, int encver) {
    rd r = {io, encver, 0, NULL};
    ts_series *s = ts_series_new_empty();
    buf labels = {0}, rules = {0};
    rd_skip_s(&r); /* the key name it was saved under */
    uint64_t retention = rd_u(&r);
    uint64_t chunk = rd_u(&r);
    if (encver < 2) chunk *= 16;
    uint64_t options = encver >= 1 ? rd_u(&r) : 1;
    uint64_t dup = 0;
    if (encver >= 2) {
        rd_u(&r); /* last timestamp: ours comes from the chunks */
        rd_d(&r); /* last value */
        rd_u(&r); /* total samples: counted from the chunks */
        if (encver >= 3) dup = rd_u(&r);
        if (rd_u(&r)) {
            size_t n;
            char *src = rd_s(&r, &n);
            if (src && (n == 0 || n > MAX_NAME)) fail(&r, "bad source key");
            if (src && !r.bad) {
                s->src_key = (uint8_t *)src;
                s->src_key_len = (uint32_t)n;
            } else if (src) {
                VM_Free(src);
            }
        }
    }
    uint64_t itd = 0;
    double ivd = 0;
    if (encver >= 8) {
        itd = rd_u(&r);
        ivd = rd_d(&r);
    }
    if (!r.bad && (retention > INT64_MAX || itd > INT64_MAX || !(ivd >= 0))) fail(&r, "bad series settings");
    if (!r.bad && dup >= sizeof(kDupMap)) fail(&r, "unknown duplicate policy");
    s->retention = (int64_t)retention;
    s->chunk_size = clamp_chunk_size(chunk);
    s->encoding = (options & 1) ? TS_ENC_UNCOMPRESSED : TS_ENC_COMPRESSED;
    s->duplicate_policy = r.bad ? TS_DUP_UNSET : kDupMap[dup];
    /* the reference fixes both thresholds on the series when it is created */
    s->flags = TS_FLAG_IGNORE_SET;
    s->ignore_max_time_diff = (int64_t)itd;
    s->ignore_max_val_diff = ivd;

    uint64_t nlabels = rd_u(&r);
    for (uint64_t i = 0; i < nlabels && !r.bad; i++) {
        put_string(&r, &labels);
        put_string(&r, &labels);
    }
    if (!r.bad && nlabels > UINT32_MAX) fail(&r, "too many labels");

    uint64_t nrules = rd_u(&r);
    if (!r.bad && nrules > 0) {
        uint8_t head[4] = {RULE_BLOB_VERSION, 0, 0, 0};
        buf_put(&rules, head, 4);
        buf_u32(&rules, (uint32_t)nrules);
    }
    for (uint64_t i = 0; i < nrules && !r.bad; i++) read_rule(&r, &rules);
    if (!r.bad && nrules > UINT32_MAX) fail(&r, "too many compaction rules");

    if (encver < 2) read_samples(&r, s);
    else read_chunks(&r, s, s->encoding == TS_ENC_COMPRESSED);

    if (r.bad) {
        VM_Free(labels.p);
        VM_Free(rules.p);
        if (r.why) {
            const VMString *key = VM_GetKeyNameFromIO(io);
            size_t kl = 0;
            const char *kn = key ? VM_StringPtrLen(key, &kl) : "?";
            if (!key) kl = 1;
            VM_LogIOError(io, VM_LOG_WARNING, "RedisTimeSeries series '%.*s' (encoding %d) can't be converted: %s",
                          (int)(kl > 200 ? 200 : kl), kn, encver, r.why);
        }
        ts_series_free(s);
        return NULL;
    }
    s->labels = labels.p;
    s->labels_len = labels.len;
    s->nlabels = (uint32_t)nlabels;
    s->rules = rules.p;
    s->rules_len = rules.len;
    s->nrules = (uint32_t)nrules;
    if (rules.p) finish_rules(s, rules.p, rules.len, s->nrules);
    if (s->encoding == TS_ENC_COMPRESSED && s->nchunks > 0) s->flags |= TS_FLAG_FOREIGN_CHUNKS;
    return s;
}
