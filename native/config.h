/*
 * Module-wide defaults (the ts-* configs). Java reads them in place through the
 * address handed over at load (mirror: vts.bridge.Config); keep offsets in step.
 */
#ifndef CONFIG_H
#define CONFIG_H

#include <stdint.h>

typedef struct ts_config {
    int64_t retention;            /*  0 */
    int64_t chunk_size;           /*  8 */
    int64_t ignore_max_time_diff; /* 16 */
    double ignore_max_val_diff;   /* 24 */
    int32_t dup_policy;           /* 32 TS_DUP_* */
    int32_t encoding;             /* 36 TS_ENC_* */
    char *compaction_policy;      /* 40 NUL-terminated, may be NULL */
    int64_t num_threads;          /* 48 threads a long aggregation may use (vts.query.ScanAhead) */
    /* runtime, not a config: Java sets it to ask for one KEV_TICK call before the server sleeps */
    volatile int32_t tick_wanted; /* 56 */
    /* runtime: TS.READ clients blocked right now (native/blocking.c); writers signal only when > 0 */
    volatile int32_t blocked_readers; /* 60 */
} ts_config;

_Static_assert(sizeof(ts_config) == 64, "ts_config size");

extern ts_config g_cfg;

#endif
