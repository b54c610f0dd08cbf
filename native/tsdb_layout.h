/*
 * Native layout of a series. Defined once here; the Java mirror is
 * src/main/java/vts/series/Layout.java and a round-trip test checks both agree.
 *
 * Everything a series must persist lives in these blocks (module allocator),
 * so that RDB/AOF save can walk it in pure C inside a fork child (DESIGN rule 1).
 * Bump TS_LAYOUT_VERSION when any offset changes.
 */
#ifndef TSDB_LAYOUT_H
#define TSDB_LAYOUT_H

#include <stdint.h>
#include <stddef.h>

#define TS_LAYOUT_VERSION 4
#define TS_MAGIC 0x31565354u /* "TSV1" little endian */

/* chunk encodings */
#define TS_ENC_COMPRESSED 0
#define TS_ENC_UNCOMPRESSED 1

/* duplicate policies; 0 means "not set on the series, use the module default" */
#define TS_DUP_UNSET 0
#define TS_DUP_BLOCK 1
#define TS_DUP_FIRST 2
#define TS_DUP_LAST 3
#define TS_DUP_MIN 4
#define TS_DUP_MAX 5
#define TS_DUP_SUM 6

/* series flags */
#define TS_FLAG_IGNORE_SET 1u
/* chunks converted from a RedisTimeSeries RDB are uncompressed while the series is
 * compressed: Java re-encodes them when it hears of the key (vts.series.Foreign) */
#define TS_FLAG_FOREIGN_CHUNKS 2u

/*
 * A chunk: one allocation, header followed by `capacity` data bytes. The open chunk
 * grows (realloc) through the allocator's size classes as it fills, so its address
 * changes on a write; nothing keeps a chunk address across one.
 * COMPRESSED data is a bit stream of 64-bit little-endian words, filled from the
 * least significant bit; the first sample is kept in first_ts/first_value and the
 * stream holds samples 1..count-1 (see vts.codec.Gorilla for the bit format).
 * UNCOMPRESSED data is count pairs of (int64 ts, double value).
 * Data bytes used: (bit_pos + 7) / 8 (an UNCOMPRESSED chunk keeps bit_pos = 128 * count).
 * This is the in-memory layout (v3, 128 bytes: a one-sample chunk is one 128-byte block);
 * RDB, AOF and DUMP keep the layout-2 header of 136 bytes (series.c converts).
 */
typedef struct ts_chunk {
    int64_t first_ts;       /*  0 */
    int64_t last_ts;        /*  8 */
    uint32_t count;         /* 16 samples in the chunk */
    uint32_t capacity;      /* 20 data bytes allocated, multiple of 8 */
    uint32_t bit_pos;       /* 24 gorilla write position, in bits (capacity <= 64 MiB) */
    uint8_t encoding;       /* 28 */
    uint8_t prev_leading;   /* 29 gorilla writer state */
    uint8_t prev_trailing;  /* 30 gorilla writer state */
    uint8_t flags;          /* 31 gorilla flags */
    int64_t prev_delta;     /* 32 gorilla writer state */
    double last_value;      /* 40 */
    double first_value;     /* 48 */
    double sum;             /* 56 summary of non-NaN values (Neumaier sum) */
    double sum_comp;        /* 64 compensation term of sum */
    double min;             /* 72 */
    double max;             /* 80 */
    uint32_t nan_count;     /* 88 */
    /* a decoding checkpoint (COMPRESSED decimal chunks; a reader's hint, which it
     * verifies): the decoder state right after sample ckpt_index, whose code ends at
     * bit ckpt_bit of the stream (0: no checkpoint); see vts.codec.Gorilla */
    uint32_t ckpt_index;    /* 92 */
    uint32_t ckpt_bit;      /* 96 */
    uint8_t ckpt_scale;     /* 100 the decimal scale d after sample ckpt_index */
    uint8_t reserved_c[3];  /* 101 */
    int64_t ckpt_ts;        /* 104 */
    int64_t ckpt_delta;     /* 112 */
    int64_t ckpt_m;         /* 120 */
    uint8_t data[];         /* 128 */
} ts_chunk;

#define TS_CHUNK_HEADER 128

/*
 * Labels blob: nlabels pairs, each name then value, each as (uint32 len, bytes).
 * Rules blob and source key are owned by the compaction code (kept as opaque
 * length-prefixed bytes so that persistence can copy them).
 * Chunks: while chunks_cap is 0 the `chunks` field holds the series' only chunk itself
 * (or NULL), so that a series of one chunk needs no array; else an array of chunks_cap
 * pointers. Use ts_series_chunk().
 * first/last timestamp and last value are those of the first/last chunk (the last ones
 * also cached in last_ts/last_value).
 */
typedef struct ts_series {
    uint32_t magic;              /*   0 */
    uint16_t layout_version;     /*   4 */
    uint8_t encoding;            /*   6 */
    uint8_t duplicate_policy;    /*   7 */
    int64_t retention;           /*   8 ms, 0 = keep forever */
    uint32_t chunk_size;         /*  16 data bytes per full chunk */
    uint32_t flags;              /*  20 */
    /* runtime only: a copy of the last sample (0 and 0 when empty), so that TS.GET reads
     * one cache line of this header (with total_samples) and not the chunk pointer and the
     * last chunk. Derived from the last chunk: set by every append, recomputed after any
     * other change (vts.series.Series refreshLast) and by ts_series_append_chunk when a
     * series is loaded; never persisted. */
    int64_t last_ts;             /*  24 */
    double last_value;           /*  32 */
    uint64_t total_samples;      /*  40 */
    ts_chunk **chunks;           /*  48 ordered by time, non-overlapping; see above */
    uint32_t nchunks;            /*  56 */
    uint32_t chunks_cap;         /*  60 0: `chunks` is the one chunk itself */
    uint8_t *labels;             /*  64 */
    uint32_t labels_len;         /*  72 */
    uint32_t nlabels;            /*  76 */
    uint8_t *rules;              /*  80 */
    uint32_t rules_len;          /*  88 */
    uint32_t nrules;             /*  92 */
    uint8_t *src_key;            /*  96 */
    uint32_t src_key_len;        /* 104 */
    /* runtime only: id in the label index, -1 if none. vts.index.LabelIndex hands out int ids
     * and reuses freed ones, so an id stays below the number of live series (< 2^31) */
    int32_t index_id;            /* 108 */
    int64_t ignore_max_time_diff;/* 112 */
    double ignore_max_val_diff;  /* 120 */
} ts_series;

/* 128: the allocator's class of the 120-byte header before last_ts/last_value came. A 128-byte
 * block sits at a multiple of 128 in jemalloc's slabs: bytes 0-63 are one cache line, and
 * TS.GET reads only those (total_samples, last_ts, last_value) */
#define TS_SERIES_SIZE 128

static inline ts_chunk *ts_series_chunk(const ts_series *s, uint32_t i) {
    return s->chunks_cap ? s->chunks[i] : (ts_chunk *)(void *)s->chunks;
}

#ifdef __cplusplus
#define TS_STATIC_ASSERT static_assert
#else
#define TS_STATIC_ASSERT _Static_assert
#endif
TS_STATIC_ASSERT(sizeof(ts_chunk) == TS_CHUNK_HEADER, "chunk header size");
TS_STATIC_ASSERT(offsetof(ts_chunk, nan_count) == 88, "chunk nan_count offset");
TS_STATIC_ASSERT(offsetof(ts_chunk, ckpt_ts) == 104, "chunk ckpt_ts offset");
TS_STATIC_ASSERT(sizeof(ts_series) == TS_SERIES_SIZE, "series header size");
TS_STATIC_ASSERT(offsetof(ts_series, chunks) == 48, "series chunks offset");
TS_STATIC_ASSERT(offsetof(ts_series, index_id) == 108, "series index_id offset");
TS_STATIC_ASSERT(offsetof(ts_series, last_ts) == 24, "series last_ts offset: the first cache line");

#endif
