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

#define TS_LAYOUT_VERSION 2
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
 * A chunk: one allocation, header followed by `capacity` data bytes.
 * COMPRESSED data is a bit stream of 64-bit little-endian words, filled from the
 * least significant bit; the first sample is kept in first_ts/first_value and the
 * stream holds samples 1..count-1 (see vts.codec.Gorilla for the bit format).
 * UNCOMPRESSED data is count pairs of (int64 ts, double value).
 */
typedef struct ts_chunk {
    int64_t first_ts;       /*  0 */
    int64_t last_ts;        /*  8 */
    uint32_t count;         /* 16 samples in the chunk */
    uint32_t capacity;      /* 20 data bytes allocated, multiple of 8 */
    uint32_t used;          /* 24 data bytes holding samples */
    uint8_t encoding;       /* 28 */
    uint8_t prev_leading;   /* 29 gorilla writer state */
    uint8_t prev_trailing;  /* 30 gorilla writer state */
    uint8_t flags;          /* 31 reserved */
    uint64_t bit_pos;       /* 32 gorilla write position, in bits */
    int64_t prev_delta;     /* 40 gorilla writer state */
    double last_value;      /* 48 */
    double first_value;     /* 56 */
    double sum;             /* 64 summary of non-NaN values (Neumaier sum) */
    double sum_comp;        /* 72 compensation term of sum */
    double min;             /* 80 */
    double max;             /* 88 */
    uint32_t nan_count;     /* 96 */
    /* a decoding checkpoint (COMPRESSED decimal chunks; a reader's hint, which it
     * verifies): the decoder state right after sample ckpt_index, whose code ends at
     * bit ckpt_bit of the stream (0: no checkpoint); see vts.codec.Gorilla */
    uint32_t ckpt_index;    /* 100 */
    uint32_t ckpt_bit;      /* 104 */
    uint32_t ckpt_scale;    /* 108 the decimal scale d after sample ckpt_index */
    int64_t ckpt_ts;        /* 112 */
    int64_t ckpt_delta;     /* 120 */
    int64_t ckpt_m;         /* 128 */
    uint8_t data[];         /* 136 */
} ts_chunk;

#define TS_CHUNK_HEADER 136

/*
 * Labels blob: nlabels pairs, each name then value, each as (uint32 len, bytes).
 * Rules blob and source key are owned by the compaction code (layout v1 keeps them
 * as opaque length-prefixed bytes so that persistence can copy them).
 */
typedef struct ts_series {
    uint32_t magic;              /*   0 */
    uint16_t layout_version;     /*   4 */
    uint8_t encoding;            /*   6 */
    uint8_t duplicate_policy;    /*   7 */
    int64_t retention;           /*   8 ms, 0 = keep forever */
    uint32_t chunk_size;         /*  16 data bytes per new chunk */
    uint32_t flags;              /*  20 */
    int64_t ignore_max_time_diff;/*  24 */
    double ignore_max_val_diff;  /*  32 */
    uint64_t total_samples;      /*  40 */
    int64_t first_ts;            /*  48 valid when total_samples > 0 */
    int64_t last_ts;             /*  56 */
    double last_value;           /*  64 */
    ts_chunk **chunks;           /*  72 ordered by time, non-overlapping */
    uint32_t nchunks;            /*  80 */
    uint32_t chunks_cap;         /*  84 */
    uint8_t *labels;             /*  88 */
    uint32_t labels_len;         /*  96 */
    uint32_t nlabels;            /* 100 */
    uint8_t *rules;              /* 104 */
    uint32_t rules_len;          /* 112 */
    uint32_t nrules;             /* 116 */
    uint8_t *src_key;            /* 120 */
    uint32_t src_key_len;        /* 128 */
    uint32_t reserved0;          /* 132 */
    int64_t index_id;            /* 136 runtime only: id in the label index, -1 if none */
    int64_t reserved1;           /* 144 */
} ts_series;

#define TS_SERIES_SIZE 152

#ifdef __cplusplus
#define TS_STATIC_ASSERT static_assert
#else
#define TS_STATIC_ASSERT _Static_assert
#endif
TS_STATIC_ASSERT(sizeof(ts_chunk) == TS_CHUNK_HEADER, "chunk header size");
TS_STATIC_ASSERT(offsetof(ts_chunk, nan_count) == 96, "chunk nan_count offset");
TS_STATIC_ASSERT(sizeof(ts_series) == TS_SERIES_SIZE, "series header size");
TS_STATIC_ASSERT(offsetof(ts_series, chunks) == 72, "series chunks offset");
TS_STATIC_ASSERT(offsetof(ts_series, index_id) == 136, "series index_id offset");

#endif
