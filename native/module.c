/*
 * The Valkey module: registers TSDB-TYPE, the TS.* commands and the ts-* configs,
 * starts the JVM and forwards each command to Java in one hop (an FFM upcall stub).
 * Type callbacks that may run in a fork child or off the main thread are pure C.
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <dlfcn.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "blocking.h"
#include "cluster.h"
#include "config.h"
#include "docs.h"
#include "info.h"
#include "jvm.h"
#include "nrange_keys.h"
#include "read.h"
#include "reply.h"
#include "rts_load.h"
#include "series.h"
#include "vm_api.h"
#include "warmup.h"
#include "write.h"

#ifndef VTS_JAVA_HOME
#define VTS_JAVA_HOME "/usr/lib/jvm/default-java"
#endif
#define VTS_MODULE_NAME "timeseries"
#define VTS_MODULE_VERSION 10000
#define VTS_RDB_ENCVER 10

static VMType *g_type;
ts_config g_cfg = {0, 4096, 0, 0.0, TS_DUP_BLOCK, TS_ENC_COMPRESSED, NULL, 3, 0, 0};

/* ---------------- command forwarding ---------------- */

typedef int (*DispatchFn)(int cmd, VMCtx *ctx, VMString **argv, const char **ptrs, size_t *lens, int argc);
static DispatchFn g_dispatch;

/* Keyspace changes forwarded to Java (the label index, compaction rules). */
#define KEV_ADDED 1   /* a series now lives at (db, key): loaded, restored, copied, renamed or moved there */
#define KEV_REMOVED 2 /* a series left (db, key): deleted, expired, evicted, overwritten, renamed or moved away */
#define KEV_FLUSHED 3 /* db emptied; -1 = all */
#define KEV_SWAPPED 4 /* db and db2 swapped */
#define KEV_TICK 5    /* before the server sleeps, when Java asked for it (deferred work) */
#define KEV_TTL 6     /* the series at (db, key) got (arg 1) or lost (arg 0) a time to live */
#define KEV_INFO 100  /* INFO: Java writes the timeseries section into the info context passed as ctx */
/* why a series was added or removed (the last argument of KEV_ADDED / KEV_REMOVED) */
#define CAUSE_LOADED 1
#define CAUSE_RESTORED 2
#define CAUSE_COPIED 3
#define CAUSE_RENAMED 4
#define CAUSE_MOVED 5
#define CAUSE_DELETED 11
#define CAUSE_EXPIRED 12
#define CAUSE_EVICTED 13
#define CAUSE_OVERWRITTEN 14
typedef void (*KeyEventFn)(int kind, VMCtx *ctx, int db, const char *key, size_t keylen, void *series, int arg);
static KeyEventFn g_key_event;

#define STACK_ARGS 32
static int forward(int id, VMCtx *ctx, VMString **argv, int argc) {
    if ((id == 21 || id == 22) && nrange_keys_request(ctx, argv, argc)) return VM_OK; /* key positions only */
    const char *sp[STACK_ARGS];
    size_t sl[STACK_ARGS];
    const char **ptrs = sp;
    size_t *lens = sl;
    if (argc > STACK_ARGS) {
        ptrs = VM_Alloc((size_t)argc * sizeof(*ptrs));
        lens = VM_Alloc((size_t)argc * sizeof(*lens));
    }
    for (int i = 0; i < argc; i++) ptrs[i] = VM_StringPtrLen(argv[i], &lens[i]);
    int rc = g_dispatch(id, ctx, argv, ptrs, lens, argc);
    if (argc > STACK_ARGS) {
        VM_Free(ptrs);
        VM_Free(lens);
    }
    return rc;
}

/* id, name, flags, first key, last key, key step. Java maps names to handlers. */
#define TS_COMMANDS(X)                                           \
    X(0, "ts.create", "write deny-oom fast", 1, 1, 1)            \
    X(1, "ts.alter", "write deny-oom fast", 1, 1, 1)             \
    X(2, "ts.add", "write deny-oom", 1, 1, 1)               \
    X(3, "ts.madd", "write deny-oom", 1, -1, 3)                  \
    X(4, "ts.incrby", "write deny-oom", 1, 1, 1)            \
    X(5, "ts.decrby", "write deny-oom", 1, 1, 1)            \
    X(6, "ts.del", "write", 1, 1, 1)                             \
    X(7, "ts.get", "readonly fast", 1, 1, 1)                     \
    X(8, "ts.info", "readonly fast", 1, 1, 1)                    \
    X(9, "ts.range", "readonly", 1, 1, 1)                        \
    X(10, "ts.revrange", "readonly", 1, 1, 1)                    \
    X(11, "ts.createrule", "write deny-oom fast", 1, 2, 1)       \
    X(12, "ts.deleterule", "write fast", 1, 2, 1)                \
    X(13, "ts.mrange", "readonly", 0, 0, 0)                      \
    X(14, "ts.mrevrange", "readonly", 0, 0, 0)                   \
    X(15, "ts.mget", "readonly", 0, 0, 0)                        \
    X(16, "ts.queryindex", "readonly", 0, 0, 0)                  \
    X(17, "ts.querylabels", "readonly", 0, 0, 0)                 \
    X(18, "ts.card", "readonly", 0, 0, 0)                        \
    X(19, "ts.mdel", "write", 0, 0, 0)                           \
    X(20, "ts._debug", "readonly", 0, 0, 0)                      \
    X(21, "ts.nrange", "readonly getkeys-api", 0, 0, 0)          \
    X(22, "ts.nrevrange", "readonly getkeys-api", 0, 0, 0)       \
    X(23, "ts.read", "readonly blocking", 1, 1, 1)

#define DEFINE_HANDLER(id, name, flags, fk, lk, st) \
    static int cmd_##id(VMCtx *ctx, VMString **argv, int argc) { return forward(id, ctx, argv, argc); }
TS_COMMANDS(DEFINE_HANDLER)
#undef DEFINE_HANDLER

static void info_from_java(VMInfoCtx *ictx) { g_key_event(KEV_INFO, (VMCtx *)ictx, 0, NULL, 0, NULL, 0); }

/* ---------------- services for Java ---------------- */

static void vts_log(const char *level, const char *msg) { VM_Log(NULL, level, "%s", msg); }

static int vts_replicate(VMCtx *ctx, const char *cmd, VMString **argv, size_t argc) {
    return VM_Replicate(ctx, cmd, "v", argv, argc);
}

/* the shim functions Java calls (besides the module API): read by vts.bridge.Bridge.init */
static void *g_shim_fns[] = {(void *)vts_log, (void *)vts_replicate, (void *)vts_reply_batch,
                             /* 3: TS.READ BLOCK (native/blocking.c) */ (void *)vts_block_read,
                             /* 4, 5: write keys in batches (native/write.c) */ (void *)vts_write_open,
                             (void *)vts_write_close,
                             /* 6: the key of a single-key read (native/read.c) */ (void *)vts_read_series};

/* ---------------- the data type ---------------- */

static void *type_rdb_load(VMIO *io, int encver) {
    /* RedisTimeSeries' own encodings (RDB, DUMP payloads, its AOF's RESTOREs): converted */
    if (encver <= RTS_MAX_ENCVER) return rts_rdb_load(io, encver);
    if (encver > VTS_RDB_ENCVER) {
        VM_LogIOError(io, VM_LOG_WARNING, "series saved by a newer module (encoding %d)", encver);
        return NULL;
    }
    const char *err = NULL;
    size_t len = 0;
    char *buf = VM_LoadStringBuffer(io, &len);
    if (VM_IsIOError(io) || !buf) return NULL;
    ts_series *s = ts_header_from_blob((const uint8_t *)buf, len, &err);
    VM_Free(buf);
    if (!s) goto bad;
    uint64_t n = VM_LoadUnsigned(io);
    if (VM_IsIOError(io)) goto io_fail;
    for (uint64_t i = 0; i < n; i++) {
        buf = VM_LoadStringBuffer(io, &len);
        if (VM_IsIOError(io) || !buf) goto io_fail;
        ts_chunk *c = ts_chunk_from_blob((const uint8_t *)buf, len, &err);
        VM_Free(buf);
        if (!c) goto bad_series;
        if (ts_series_append_chunk(s, c, &err) != 0) {
            ts_chunk_free(c);
            goto bad_series;
        }
    }
    return s;
bad_series:
    ts_series_free(s);
bad:
    VM_LogIOError(io, VM_LOG_WARNING, "corrupt series in RDB: %s", err ? err : "?");
    return NULL;
io_fail:
    ts_series_free(s);
    return NULL;
}

static void type_rdb_save(VMIO *io, void *value) {
    ts_series *s = value;
    size_t len;
    uint8_t *blob = ts_header_to_blob(s, &len);
    VM_SaveStringBuffer(io, (const char *)blob, len);
    VM_Free(blob);
    VM_SaveUnsigned(io, s->nchunks);
    for (uint32_t i = 0; i < s->nchunks; i++) {
        blob = ts_chunk_to_blob(ts_series_chunk(s, i), &len);
        VM_SaveStringBuffer(io, (const char *)blob, len);
        VM_Free(blob);
    }
}

static void type_aof_rewrite(VMIO *aof, VMString *key, void *value) {
    ts_series *s = value;
    size_t len;
    uint8_t *blob = ts_header_to_blob(s, &len);
    VM_EmitAOF(aof, "TS._RESTORE", "scb", key, "HEADER", (const char *)blob, len);
    VM_Free(blob);
    for (uint32_t i = 0; i < s->nchunks; i++) {
        blob = ts_chunk_to_blob(ts_series_chunk(s, i), &len);
        VM_EmitAOF(aof, "TS._RESTORE", "scb", key, "CHUNK", (const char *)blob, len);
        VM_Free(blob);
    }
}

static size_t type_mem_usage(const void *value) { return ts_series_mem_usage(value); }

static void type_free(void *value) { ts_series_free(value); }

static size_t type_free_effort(VMString *key, const void *value) {
    (void)key;
    return ((const ts_series *)value)->nchunks + 1;
}

static void *type_copy(VMString *from, VMString *to, const void *value) {
    (void)from;
    (void)to;
    return ts_series_copy(value);
}

static void type_digest(VMDigest *md, void *value) {
    ts_series *s = value;
    size_t len;
    uint8_t *blob = ts_header_to_blob(s, &len);
    VM_DigestAddStringBuffer(md, (const char *)blob, len);
    VM_Free(blob);
    for (uint32_t i = 0; i < s->nchunks; i++) {
        blob = ts_chunk_to_blob(ts_series_chunk(s, i), &len);
        VM_DigestAddStringBuffer(md, (const char *)blob, len);
        VM_Free(blob);
    }
    VM_DigestEndSequence(md);
}

/* TS._RESTORE key HEADER blob | key CHUNK blob: what AOF rewrite emits; pure C. */
static int cmd_restore(VMCtx *ctx, VMString **argv, int argc) {
    if (argc != 4) return VM_WrongArity(ctx);
    size_t kl, bl;
    const char *kind = VM_StringPtrLen(argv[2], &kl);
    const uint8_t *blob = (const uint8_t *)VM_StringPtrLen(argv[3], &bl);
    VMKey *key = VM_OpenKey(ctx, argv[1], VM_READ | VM_WRITE);
    int type = VM_KeyType(key);
    int ours = type == VM_KEYTYPE_MODULE && VM_ModuleTypeGetType(key) == g_type;
    const char *err = NULL;
    if (type != VM_KEYTYPE_EMPTY && !ours) {
        VM_CloseKey(key);
        return VM_ReplyWithError(ctx, "WRONGTYPE Operation against a key holding the wrong kind of value");
    }
    if (kl == 6 && strncasecmp(kind, "HEADER", 6) == 0) {
        ts_series *s = ts_header_from_blob(blob, bl, &err);
        if (s) {
            VM_ModuleTypeSetValue(key, g_type, s);
            /* no keyspace notification announces it (AOF loading): tell the index and rules.
             * While loading, both ends of a compaction rule come back as they were saved. */
            size_t nl;
            const char *name = VM_StringPtrLen(argv[1], &nl);
            int cause = (VM_GetContextFlags(ctx) & VM_CTX_FLAGS_LOADING) ? CAUSE_LOADED : CAUSE_RESTORED;
            g_key_event(KEV_ADDED, ctx, VM_GetSelectedDb(ctx), name, nl, s, cause);
        }
    } else if (kl == 5 && strncasecmp(kind, "CHUNK", 5) == 0) {
        if (!ours) {
            err = "the key does not exist";
        } else {
            ts_chunk *c = ts_chunk_from_blob(blob, bl, &err);
            if (c && ts_series_append_chunk(VM_ModuleTypeGetValue(key), c, &err) != 0) ts_chunk_free(c);
            else if (c && g_cfg.blocked_readers) VM_SignalKeyAsReady(ctx, argv[1]); /* TS.READ BLOCK */
        }
    } else {
        err = "unknown TS._RESTORE section";
    }
    VM_CloseKey(key);
    if (err) {
        char msg[160];
        snprintf(msg, sizeof(msg), "ERR TSDB: %s", err);
        return VM_ReplyWithError(ctx, msg);
    }
    VM_ReplicateVerbatim(ctx);
    return VM_ReplyWithSimpleString(ctx, "OK");
}

/* ---------------- configs ---------------- */

static VMString *config_error(const char *msg) { return VM_CreateString(NULL, msg, strlen(msg)); }

static long long cfg_get_i64(const char *name, void *pd) {
    (void)name;
    return *(int64_t *)pd;
}

static int cfg_set_i64(const char *name, long long v, void *pd, VMString **err) {
    if (pd == &g_cfg.chunk_size && v % 8 != 0) {
        *err = config_error("CHUNK_SIZE value must be a multiple of 8 in the range [48 .. 1048576]");
        return VM_ERR;
    }
    (void)name;
    *(int64_t *)pd = v;
    return VM_OK;
}

static int cfg_get_enum(const char *name, void *pd) {
    (void)name;
    return *(int32_t *)pd;
}

static int cfg_set_enum(const char *name, int v, void *pd, VMString **err) {
    (void)name;
    (void)err;
    *(int32_t *)pd = v;
    return VM_OK;
}

static VMString *cfg_get_valdiff(const char *name, void *pd) {
    (void)name;
    (void)pd;
    char buf[64];
    int n = snprintf(buf, sizeof(buf), "%.17g", g_cfg.ignore_max_val_diff);
    return VM_CreateString(NULL, buf, (size_t)n);
}

static int parse_double(const char *s, size_t len, double *out) {
    char buf[64];
    if (len == 0 || len >= sizeof(buf)) return -1;
    memcpy(buf, s, len);
    buf[len] = 0;
    char *end;
    errno = 0;
    double d = strtod(buf, &end);
    if (*end || errno || isnan(d)) return -1;
    *out = d;
    return 0;
}

static int parse_i64(const char *s, long long min, long long max, long long *out) {
    char *end;
    errno = 0;
    long long v = strtoll(s, &end, 10);
    if (!*s || *end || errno || v < min || v > max) return -1;
    *out = v;
    return 0;
}

static int cfg_set_valdiff(const char *name, VMString *val, void *pd, VMString **err) {
    (void)name;
    (void)pd;
    size_t len;
    const char *s = VM_StringPtrLen(val, &len);
    double d;
    if (parse_double(s, len, &d) != 0 || d < 0) {
        *err = config_error("ts-ignore-max-val-diff must be a non-negative number");
        return VM_ERR;
    }
    g_cfg.ignore_max_val_diff = d;
    return VM_OK;
}

static void set_compaction_policy(const char *s, size_t len) {
    char *p = VM_Alloc(len + 1);
    memcpy(p, s, len);
    p[len] = 0;
    char *old = g_cfg.compaction_policy;
    g_cfg.compaction_policy = p;
    VM_Free(old);
}

static VMString *cfg_get_policy(const char *name, void *pd) {
    (void)name;
    (void)pd;
    const char *p = g_cfg.compaction_policy ? g_cfg.compaction_policy : "";
    return VM_CreateString(NULL, p, strlen(p));
}

/* ts-compaction-policy grammar, the same as vts.compaction.CompactionPolicy.parse (keep
 * both in step): rules separated by ';' (one trailing ';' allowed), each trimmed of
 * characters <= ' ' and made of aggregator:bucketDuration:retention[:alignTimestamp];
 * a duration is digits (at most 18) and a unit m, s, M, h or d, or a bare 0 (not for the
 * bucket duration). Returns 0, or -1 with the reason in err. */
static const char *kPolicyAggs[] = {"avg", "sum", "min", "max", "range", "count", "first", "last",
                                    "std.p", "std.s", "var.p", "var.s", "twa", "countnan", "countall"};

static int policy_agg_ok(const char *a, size_t n) {
    for (size_t i = 0; i < sizeof(kPolicyAggs) / sizeof(kPolicyAggs[0]); i++)
        if (strlen(kPolicyAggs[i]) == n && strncasecmp(a, kPolicyAggs[i], n) == 0) return 1;
    /* a quantile: p, digits without a leading zero, optional .digits, at most 100 */
    if (n < 2 || n > 24 || (a[0] | 0x20) != 'p') return 0;
    size_t p = 1, d = 0;
    while (p < n && a[p] >= '0' && a[p] <= '9') p++;
    d = p - 1;
    if (d == 0 || (d > 1 && a[1] == '0')) return 0;
    int frac_nonzero = 0;
    if (p < n && a[p] == '.') {
        size_t f = ++p;
        while (p < n && a[p] >= '0' && a[p] <= '9') frac_nonzero |= a[p++] != '0';
        if (p == f) return 0;
    }
    if (p != n) return 0;
    /* <= 100: at most 3 integer digits, and 100 only with a zero fraction */
    if (d > 3) return 0;
    if (d == 3 && (strncmp(a + 1, "100", 3) != 0 || frac_nonzero)) return 0;
    return 1;
}

static int policy_duration(const char *s, size_t n, int zero_ok, const char *rule, int rule_len, char *err,
                           size_t errlen) {
    size_t i = 0;
    long long v = 0;
    for (; i < n && s[i] >= '0' && s[i] <= '9'; i++)
        if (i < 18) v = v * 10 + (s[i] - '0');
    if (i == 0 || i > 18) goto bad;
    if (v == 0 && (i == n || i == n - 1)) {
        if (zero_ok) return 0;
        snprintf(err, errlen, "bucket duration must be greater than zero in rule '%.*s'", rule_len, rule);
        return -1;
    }
    if (i != n - 1) goto bad;
    long long unit;
    switch (s[i]) {
    case 'm': unit = 1; break;
    case 's': unit = 1000; break;
    case 'M': unit = 60000; break;
    case 'h': unit = 3600000; break;
    case 'd': unit = 86400000; break;
    default:
        snprintf(err, errlen, "bad unit in '%.*s' (m, s, M, h or d) in rule '%.*s'", (int)n, s, rule_len, rule);
        return -1;
    }
    if (v > LLONG_MAX / unit) {
        snprintf(err, errlen, "duration '%.*s' too large in rule '%.*s'", (int)n, s, rule_len, rule);
        return -1;
    }
    return 0;
bad:
    snprintf(err, errlen, "bad duration '%.*s' in rule '%.*s'", (int)n, s, rule_len, rule);
    return -1;
}

static int policy_validate(const char *s, size_t len, char *err, size_t errlen) {
    char why[384];
    size_t k = 0;
    while (k < len && isspace((unsigned char)s[k])) k++;
    if (k == len) return 0; /* blank: no rules */
    size_t start = 0;
    for (int idx = 0;; idx++) {
        size_t end = start;
        while (end < len && s[end] != ';') end++;
        int last = end == len;
        size_t a = start, b = end;
        while (a < b && (unsigned char)s[a] <= ' ') a++;
        while (b > a && (unsigned char)s[b - 1] <= ' ') b--;
        const char *r = s + a;
        int rl = (int)(b - a);
        if (rl == 0) {
            if (last && idx > 0) return 0; /* a trailing ';' */
            snprintf(why, sizeof(why), "empty rule in compaction policy");
            goto bad;
        }
        const char *f[5];
        size_t fl[5];
        int nf = 0;
        size_t p = a;
        while (nf < 5) {
            size_t q = p;
            while (q < b && s[q] != ':') q++;
            f[nf] = s + p;
            fl[nf++] = q - p;
            if (q == b) break;
            p = q + 1;
        }
        if (nf != 3 && nf != 4) {
            snprintf(why, sizeof(why), "rule '%.*s' must be aggregator:bucketDuration:retention[:alignTimestamp]", rl, r);
            goto bad;
        }
        if (!policy_agg_ok(f[0], fl[0])) {
            snprintf(why, sizeof(why), "unknown aggregator '%.*s' in rule '%.*s'", (int)fl[0], f[0], rl, r);
            goto bad;
        }
        if (policy_duration(f[1], fl[1], 0, r, rl, why, sizeof(why)) ||
            policy_duration(f[2], fl[2], 1, r, rl, why, sizeof(why)) ||
            (nf == 4 && policy_duration(f[3], fl[3], 1, r, rl, why, sizeof(why))))
            goto bad;
        if (last) return 0;
        start = end + 1;
    }
bad:
    snprintf(err, errlen, "invalid ts-compaction-policy: %s", why);
    return -1;
}

static int cfg_set_policy(const char *name, VMString *val, void *pd, VMString **err) {
    (void)name;
    (void)pd;
    size_t len;
    const char *s = VM_StringPtrLen(val, &len);
    char why[512];
    if (policy_validate(s, len, why, sizeof(why))) {
        *err = config_error(why);
        return VM_ERR;
    }
    set_compaction_policy(s, len);
    return VM_OK;
}

static const char *kDupNames[] = {"block", "first", "last", "min", "max", "sum"};
static const int kDupValues[] = {TS_DUP_BLOCK, TS_DUP_FIRST, TS_DUP_LAST, TS_DUP_MIN, TS_DUP_MAX, TS_DUP_SUM};
static const char *kEncNames[] = {"compressed", "uncompressed"};
static const int kEncValues[] = {TS_ENC_COMPRESSED, TS_ENC_UNCOMPRESSED};

static int register_configs(VMCtx *ctx) {
    int rc = 0;
    rc |= VM_RegisterNumericConfig(ctx, "ts-retention-policy", g_cfg.retention, VM_CONFIG_DEFAULT, 0, LLONG_MAX,
                                   cfg_get_i64, cfg_set_i64, NULL, &g_cfg.retention);
    rc |= VM_RegisterNumericConfig(ctx, "ts-chunk-size-bytes", g_cfg.chunk_size, VM_CONFIG_DEFAULT, 48, 1048576,
                                   cfg_get_i64, cfg_set_i64, NULL, &g_cfg.chunk_size);
    rc |= VM_RegisterNumericConfig(ctx, "ts-ignore-max-time-diff", g_cfg.ignore_max_time_diff, VM_CONFIG_DEFAULT, 0,
                                   LLONG_MAX, cfg_get_i64, cfg_set_i64, NULL, &g_cfg.ignore_max_time_diff);
    rc |= VM_RegisterNumericConfig(ctx, "ts-num-threads", g_cfg.num_threads, VM_CONFIG_DEFAULT, 1, 16, cfg_get_i64,
                                   cfg_set_i64, NULL, &g_cfg.num_threads);
    rc |= VM_RegisterEnumConfig(ctx, "ts-duplicate-policy", g_cfg.dup_policy, VM_CONFIG_DEFAULT, kDupNames,
                                kDupValues, 6, cfg_get_enum, cfg_set_enum, NULL, &g_cfg.dup_policy);
    rc |= VM_RegisterEnumConfig(ctx, "ts-encoding", g_cfg.encoding, VM_CONFIG_DEFAULT, kEncNames, kEncValues, 2,
                                cfg_get_enum, cfg_set_enum, NULL, &g_cfg.encoding);
    char vd[64];
    snprintf(vd, sizeof(vd), "%.17g", g_cfg.ignore_max_val_diff);
    rc |= VM_RegisterStringConfig(ctx, "ts-ignore-max-val-diff", vd, VM_CONFIG_DEFAULT, cfg_get_valdiff,
                                  cfg_set_valdiff, NULL, NULL);
    rc |= VM_RegisterStringConfig(ctx, "ts-compaction-policy", g_cfg.compaction_policy ? g_cfg.compaction_policy : "",
                                  VM_CONFIG_DEFAULT, cfg_get_policy, cfg_set_policy, NULL, NULL);
    return rc ? -1 : 0;
}

/* ---------------- load arguments ---------------- */

typedef struct {
    char *java_home, *jvm_lib, *classpath, *jvm_options;
} jvm_args;

static int lookup_name(const char *v, const char **names, const int *values, int n, int *out) {
    for (int i = 0; i < n; i++)
        if (strcasecmp(v, names[i]) == 0) {
            *out = values[i];
            return 0;
        }
    return -1;
}

static int key_is(const char *k, const char *legacy, const char *modern) {
    return strcasecmp(k, legacy) == 0 || strcasecmp(k, modern) == 0;
}

/* JIT warm-up at load, ms (module argument jit-warmup; 0 = none) */
static long long g_warmup_ms = VTS_WARMUP_MS_DEFAULT;

static int parse_load_args(VMString **argv, int argc, jvm_args *ja, char *err, size_t errlen) {
    if (argc % 2) {
        snprintf(err, errlen, "module arguments must be name value pairs");
        return -1;
    }
    for (int i = 0; i < argc; i += 2) {
        size_t kl, vl;
        const char *k = VM_StringPtrLen(argv[i], &kl);
        const char *v = VM_StringPtrLen(argv[i + 1], &vl);
        long long n;
        int e;
        if (strcasecmp(k, "JAVA_HOME") == 0) ja->java_home = strdup(v);
        else if (strcasecmp(k, "JVM_LIB") == 0) ja->jvm_lib = strdup(v);
        else if (strcasecmp(k, "CLASSPATH") == 0) ja->classpath = strdup(v);
        else if (strcasecmp(k, "JVM_OPTIONS") == 0) ja->jvm_options = strdup(v);
        else if (key_is(k, "JIT_WARMUP", "jit-warmup")) { /* ms of JIT warm-up at load (native/warmup.c) */
            if (parse_i64(v, 0, 60000, &n)) goto bad;
            g_warmup_ms = n;
        }
        else if (key_is(k, "RETENTION_POLICY", "ts-retention-policy")) {
            if (parse_i64(v, 0, LLONG_MAX, &n)) goto bad;
            g_cfg.retention = n;
        } else if (key_is(k, "CHUNK_SIZE_BYTES", "ts-chunk-size-bytes")) {
            if (parse_i64(v, 48, 1048576, &n) || n % 8) goto bad;
            g_cfg.chunk_size = n;
        } else if (key_is(k, "IGNORE_MAX_TIME_DIFF", "ts-ignore-max-time-diff")) {
            if (parse_i64(v, 0, LLONG_MAX, &n)) goto bad;
            g_cfg.ignore_max_time_diff = n;
        } else if (key_is(k, "NUM_THREADS", "ts-num-threads")) {
            if (parse_i64(v, 1, 16, &n)) goto bad;
            g_cfg.num_threads = n;
        } else if (key_is(k, "IGNORE_MAX_VAL_DIFF", "ts-ignore-max-val-diff")) {
            double d;
            if (parse_double(v, vl, &d) || d < 0) goto bad;
            g_cfg.ignore_max_val_diff = d;
        } else if (key_is(k, "DUPLICATE_POLICY", "ts-duplicate-policy")) {
            if (lookup_name(v, kDupNames, kDupValues, 6, &e)) goto bad;
            g_cfg.dup_policy = e;
        } else if (key_is(k, "ENCODING", "ts-encoding")) {
            if (lookup_name(v, kEncNames, kEncValues, 2, &e)) goto bad;
            g_cfg.encoding = e;
        } else if (key_is(k, "COMPACTION_POLICY", "ts-compaction-policy")) {
            if (policy_validate(v, vl, err, errlen)) return -1;
            set_compaction_policy(v, vl);
        } else {
            snprintf(err, errlen, "unknown module argument '%s'", k);
            return -1;
        }
        continue;
    bad:
        snprintf(err, errlen, "invalid value '%s' for module argument %s", v, k);
        return -1;
    }
    return 0;
}

/* ---------------- load ---------------- */

static void on_config_change(VMCtx *ctx, VMEvent eid, uint64_t sub, void *data) {
    (void)ctx;
    (void)eid;
    (void)sub;
    (void)data;
    /* CONFIG SET crash-log-enabled reinstalls the server's SIGSEGV handler, which
     * would kill the process at the JVM's next implicit null check (rule 7). */
    jvm_reinstall_signal_handlers();
}

static int on_keyspace(VMCtx *ctx, int type, const char *event, VMString *keyname) {
    (void)type;
    int cause = 0, ttl_event = 0;
    if (!strcmp(event, "loaded")) cause = CAUSE_LOADED;
    /* RESTORE while loading is what an AOF rewritten by RedisTimeSeries holds: both ends of
     * a rule come back as they were saved, as with a load */
    else if (!strcmp(event, "restore"))
        cause = (VM_GetContextFlags(ctx) & VM_CTX_FLAGS_LOADING) ? CAUSE_LOADED : CAUSE_RESTORED;
    else if (!strcmp(event, "copy_to")) cause = CAUSE_COPIED;
    else if (!strcmp(event, "rename_to")) cause = CAUSE_RENAMED;
    else if (!strcmp(event, "move_to")) cause = CAUSE_MOVED;
    else if (!strcmp(event, "expire") || !strcmp(event, "persist")) ttl_event = 1;
    else return VM_OK;
    /* while loading the name may live on the server's stack: open the key through a copy.
     * Opened without side effects: this runs for every EXPIRE and SET .. EX of any key. */
    size_t len;
    const char *name = VM_StringPtrLen(keyname, &len);
    VMString *copy = cause == CAUSE_LOADED ? VM_CreateString(ctx, name, len) : NULL;
    VMKey *key = VM_OpenKey(ctx, copy ? copy : keyname, VM_READ | VM_OPEN_KEY_NOEFFECTS);
    if (key && VM_KeyType(key) == VM_KEYTYPE_MODULE && VM_ModuleTypeGetType(key) == g_type) {
        void *s = VM_ModuleTypeGetValue(key);
        int db = VM_GetSelectedDb(ctx);
        int has_ttl = VM_GetExpire(key) != VM_NO_EXPIRE;
        /* the index serves keys without a time to live from its own series pointers, so it
         * must hear of every key that has one (RESTORE, COPY, RENAME, MOVE and load keep it) */
        if (cause) g_key_event(KEV_ADDED, ctx, db, name, len, s, cause);
        if (ttl_event || has_ttl) g_key_event(KEV_TTL, ctx, db, name, len, s, has_ttl);
    }
    if (key) VM_CloseKey(key);
    if (copy) VM_FreeString(ctx, copy);
    return VM_OK;
}

static void on_key_gone(VMCtx *ctx, VMEvent eid, uint64_t sub, void *data) {
    (void)eid;
    VMKey *key = ((VMKeyInfo *)data)->key;
    if (VM_KeyType(key) != VM_KEYTYPE_MODULE || VM_ModuleTypeGetType(key) != g_type) return;
    size_t len;
    const char *name = VM_StringPtrLen(VM_GetKeyNameFromModuleKey(key), &len);
    g_key_event(KEV_REMOVED, ctx, VM_GetDbIdFromModuleKey(key), name, len, VM_ModuleTypeGetValue(key),
                CAUSE_DELETED + (int)sub); /* subevents: deleted, expired, evicted, overwritten */
}

static void on_flush(VMCtx *ctx, VMEvent eid, uint64_t sub, void *data) {
    (void)eid;
    if (sub == VM_SUBEVENT_FLUSHDB_END) g_key_event(KEV_FLUSHED, ctx, ((VMFlushInfo *)data)->dbnum, NULL, 0, NULL, 0);
}

static void on_eventloop(VMCtx *ctx, VMEvent eid, uint64_t sub, void *data) {
    (void)eid;
    (void)data;
    if (sub == VM_SUBEVENT_EVENTLOOP_BEFORE_SLEEP && g_cfg.tick_wanted) {
        g_cfg.tick_wanted = 0;
        g_key_event(KEV_TICK, ctx, 0, NULL, 0, NULL, 0);
    }
}

static void on_swapdb(VMCtx *ctx, VMEvent eid, uint64_t sub, void *data) {
    (void)eid;
    (void)sub;
    VMSwapDbInfo *info = data;
    g_key_event(KEV_SWAPPED, ctx, info->dbnum_first, NULL, 0, NULL, info->dbnum_second);
}

static char *path_next_to_module(const char *file) {
    Dl_info info;
    if (!dladdr((void *)&path_next_to_module, &info) || !info.dli_fname) return NULL;
    const char *slash = strrchr(info.dli_fname, '/');
    size_t dirlen = slash ? (size_t)(slash - info.dli_fname) : 1;
    const char *dir = slash ? info.dli_fname : ".";
    char *p = malloc(dirlen + strlen(file) + 2);
    memcpy(p, dir, dirlen);
    p[dirlen] = '/';
    strcpy(p + dirlen + 1, file);
    return p;
}

static int fail(VMCtx *ctx, const char *msg) {
    VM_Log(ctx, VM_LOG_WARNING, "timeseries: %s", msg);
    return VM_ERR;
}

__attribute__((visibility("default"))) int ValkeyModule_OnLoad(VMCtx *ctx, VMString **argv, int argc) {
    VMGetApiFunc getapi = *(VMGetApiFunc *)ctx;
    if (vm_api_init(getapi) != NULL) return VM_ERR;
    if (VM_IsModuleNameBusy(VTS_MODULE_NAME)) return fail(ctx, "a module named timeseries is already loaded");
    VM_SetModuleAttribs(ctx, VTS_MODULE_NAME, VTS_MODULE_VERSION, VM_APIVER_1);

    char err[1024];
    jvm_args ja = {0};
    if (parse_load_args(argv, argc, &ja, err, sizeof(err))) return fail(ctx, err);

    VMTypeMethods tm = {
        .version = VM_TYPE_METHOD_VERSION,
        .rdb_load = type_rdb_load,
        .rdb_save = type_rdb_save,
        .aof_rewrite = type_aof_rewrite,
        .mem_usage = type_mem_usage,
        .digest = type_digest,
        .free = type_free,
        .free_effort = type_free_effort,
        .copy = type_copy,
    };
    g_type = VM_CreateDataType(ctx, "TSDB-TYPE", VTS_RDB_ENCVER, &tm);
    if (!g_type) return fail(ctx, "cannot create the TSDB-TYPE data type");
    /* deliberately not VALKEYMODULE_OPTIONS_HANDLE_REPL_ASYNC_LOAD: with it a replica could load
     * a full sync beside the live keyspace (repl-diskless-load swapdb) and swap it in without
     * the flush and key events the label index, which holds series addresses, relies on */
    VM_SetModuleOptions(ctx, VM_OPTIONS_HANDLE_IO_ERRORS);

    if (register_configs(ctx) || vts_cluster_load(ctx, getapi) || VM_LoadConfigs(ctx) != VM_OK) return fail(ctx, "cannot register configs");

    char libjvm[4096];
    if (ja.jvm_lib) snprintf(libjvm, sizeof(libjvm), "%s", ja.jvm_lib);
    else snprintf(libjvm, sizeof(libjvm), "%s/lib/server/libjvm.so", ja.java_home ? ja.java_home : VTS_JAVA_HOME);
    char *classpath = ja.classpath ? ja.classpath : path_next_to_module("valkeyts.jar");
    if (!classpath) return fail(ctx, "cannot locate valkeyts.jar; pass CLASSPATH");
    VM_Log(ctx, VM_LOG_NOTICE, "timeseries: starting the JVM %s with %s", libjvm, classpath);
    if (jvm_start(libjvm, classpath, ja.jvm_options, err, sizeof(err))) return fail(ctx, err);

    /* names in id order, "" for an id not in the table: Java dispatches by id */
    const char *by_id[64] = {0};
    int max_id = -1;
#define NAME_BY_ID(id, name, flags, fk, lk, st) \
    by_id[id] = name;                          \
    if (id > max_id) max_id = id;
    TS_COMMANDS(NAME_BY_ID)
#undef NAME_BY_ID
    char names[1024] = "";
    for (int i = 0; i <= max_id; i++) {
        if (by_id[i]) strcat(names, by_id[i]);
        strcat(names, ",");
    }
    long long stub = jvm_call_init("vts/bridge/Bridge", "init", (long long)(intptr_t)getapi,
                                   (long long)(intptr_t)g_type, (long long)(intptr_t)&g_cfg,
                                   (long long)(intptr_t)g_shim_fns, (long long)(sizeof(g_shim_fns) / sizeof(g_shim_fns[0])), names, err,
                                   sizeof(err));
    if (!stub) return fail(ctx, err[0] ? err : "Java bridge failed to start (see the log above)");
    /* Java answers with a table of its upcall stubs: dispatch, key event, cluster event */
    g_dispatch = (DispatchFn)((intptr_t *)(intptr_t)stub)[0];
    g_key_event = (KeyEventFn)((intptr_t *)(intptr_t)stub)[1];
    vts_cluster_start(ctx, (ClusterEventFn)((intptr_t *)(intptr_t)stub)[2]); /* cluster messages */

    blocking_init(cmd_23, g_type); /* TS.READ's callbacks run the command again */
#define REGISTER(id, name, flags, fk, lk, st) \
    if (VM_CreateCommand(ctx, name, cmd_##id, flags, fk, lk, st) != VM_OK) return fail(ctx, "cannot register " name);
    TS_COMMANDS(REGISTER)
#undef REGISTER
    if (VM_CreateCommand(ctx, "ts._restore", cmd_restore, "write deny-oom", 1, 1, 1) != VM_OK)
        return fail(ctx, "cannot register TS._RESTORE");
    if (docs_register(ctx, err, sizeof(err))) return fail(ctx, err); /* COMMAND DOCS, ACL categories */
    if (info_register(ctx, info_from_java)) return fail(ctx, "cannot register the INFO section");

    VMEvent cfg_event = {VM_EVENT_CONFIG, 1};
    VMEvent key_event = {VM_EVENT_KEY, 1};
    VMEvent flush_event = {VM_EVENT_FLUSHDB, 1};
    VMEvent swap_event = {VM_EVENT_SWAPDB, 1};
    VMEvent loop_event = {VM_EVENT_EVENTLOOP, 1};
    if (VM_SubscribeToServerEvent(ctx, cfg_event, on_config_change) != VM_OK ||
        VM_SubscribeToServerEvent(ctx, key_event, on_key_gone) != VM_OK ||
        VM_SubscribeToServerEvent(ctx, flush_event, on_flush) != VM_OK ||
        VM_SubscribeToServerEvent(ctx, swap_event, on_swapdb) != VM_OK ||
        VM_SubscribeToServerEvent(ctx, loop_event, on_eventloop) != VM_OK ||
        VM_SubscribeToKeyspaceEvents(ctx, VM_NOTIFY_GENERIC | VM_NOTIFY_LOADED, on_keyspace) != VM_OK)
        return fail(ctx, "cannot subscribe to server events");
    vts_warmup(ctx, g_warmup_ms); /* last: everything it runs is set up */
    return VM_OK;
}

/* The legacy entry point name, for servers that look for it. */
__attribute__((visibility("default"))) int RedisModule_OnLoad(VMCtx *ctx, VMString **argv, int argc) { return ValkeyModule_OnLoad(ctx, argv, argc); }
