/*
 * A benchmark helper, not part of the module: the server-side cost of writing a
 * TS.MGET-shaped reply through the module API and doing nothing else.
 *
 *   FLOOR.MGET n   replies n rows of [key (9-byte bulk string), [] (no labels),
 *                  [timestamp (integer), value (simple string)]], as TS.MGET does
 *                  in RESP2 without WITHLABELS.
 *
 *   FLOOR.MADD key ts value [key ts value ...]
 *                  the module API calls that any TS.MADD makes per triple (the
 *                  reference module's as well as ours), and nothing else: the
 *                  timestamp's and value's bytes (StringPtrLen; the timestamp's digits
 *                  read), the key opened for writing, its type checked (KeyType,
 *                  ModuleTypeGetType, ModuleTypeGetValue: the value is not touched),
 *                  closed, a "ts.add" keyspace event; then the reply (an array of the
 *                  timestamps as integers) and the command replicated verbatim. No
 *                  sample is stored.
 *   FLOOR.MADDBATCH key ts value [...]
 *                  the same calls in TS.MADD's order (native/write.c): every key
 *                  opened and checked first, then every key closed with its event, then
 *                  the reply; at most 4,096 triples.
 *
 * bench/index_bench.py and bench/vts_bench.py (madd-floor) build it (gcc -O2 -shared -fPIC)
 * and load it next to the time-series module, so that TS.MGET over n series, and TS.MADD,
 * can be set against it in one run.
 * Declarations are our own: only the handful of module API functions used here.
 */
#include <stddef.h>
#include <stdlib.h>

typedef struct Ctx Ctx;
typedef struct Str Str;
typedef struct Key Key;
typedef int (*GetApiFn)(const char *name, void *out);
typedef int (*CmdFn)(Ctx *ctx, Str **argv, int argc);

static int (*ReplyWithArray)(Ctx *ctx, long len);
static int (*ReplyWithStringBuffer)(Ctx *ctx, const char *buf, size_t len);
static int (*ReplyWithLongLong)(Ctx *ctx, long long v);
static int (*ReplyWithSimpleString)(Ctx *ctx, const char *s);
static int (*ReplyWithError)(Ctx *ctx, const char *err);
static const char *(*StringPtrLen)(const Str *s, size_t *len);
static Key *(*OpenKey)(Ctx *ctx, Str *name, int mode);
static void (*CloseKey)(Key *key);
static int (*KeyType)(Key *key);
static void *(*ModuleTypeGetType)(Key *key);
static void *(*ModuleTypeGetValue)(Key *key);
static int (*NotifyKeyspaceEvent)(Ctx *ctx, int type, const char *event, Str *key);
static int (*ReplicateVerbatim)(Ctx *ctx);
static int (*CreateCommand)(Ctx *ctx, const char *name, CmdFn fn, const char *flags, int first, int last, int step);
static void (*SetModuleAttribs)(Ctx *ctx, const char *name, int ver, int apiver);

static int floor_mget(Ctx *ctx, Str **argv, int argc) {
    if (argc != 2) return ReplyWithError(ctx, "ERR wrong number of arguments");
    size_t len;
    const char *p = StringPtrLen(argv[1], &len);
    long n = strtol(p, NULL, 10);
    if (n < 0 || n > 1000000) return ReplyWithError(ctx, "ERR bad row count");
    char key[10] = "s:0000000";
    ReplyWithArray(ctx, n);
    for (long i = 0; i < n; i++) {
        for (long k = i, d = 8; d >= 2; d--, k /= 10) key[d] = (char)('0' + k % 10);
        ReplyWithArray(ctx, 3);
        ReplyWithStringBuffer(ctx, key, 9);
        ReplyWithArray(ctx, 0);
        ReplyWithArray(ctx, 2);
        ReplyWithLongLong(ctx, 1700000999000LL + i);
        ReplyWithSimpleString(ctx, "42");
    }
    return 0;
}

#define FLOOR_READ (1 << 0)
#define FLOOR_WRITE (1 << 1)
#define FLOOR_KEYTYPE_MODULE 6
#define FLOOR_NOTIFY_MODULE (1 << 13)

/* keeps the compiler from dropping the type checks */
static volatile unsigned long g_sink;

static int floor_madd(Ctx *ctx, Str **argv, int argc) {
    if (argc < 4 || (argc - 1) % 3 != 0) return ReplyWithError(ctx, "ERR wrong number of arguments");
    int n = (argc - 1) / 3;
    ReplyWithArray(ctx, n);
    unsigned long sink = 0;
    for (int i = 0; i < n; i++) {
        size_t tl, vl;
        const char *t = StringPtrLen(argv[2 + 3 * i], &tl);
        const char *v = StringPtrLen(argv[3 + 3 * i], &vl);
        long long ts = 0;
        for (size_t k = 0; k < tl; k++) ts = ts * 10 + (t[k] - '0');
        sink += (unsigned long)v[0] + vl;
        Key *key = OpenKey(ctx, argv[1 + 3 * i], FLOOR_READ | FLOOR_WRITE);
        if (KeyType(key) == FLOOR_KEYTYPE_MODULE && ModuleTypeGetType(key) != NULL) {
            sink += (unsigned long)ModuleTypeGetValue(key);
        }
        CloseKey(key);
        NotifyKeyspaceEvent(ctx, FLOOR_NOTIFY_MODULE, "ts.add", argv[1 + 3 * i]);
        ReplyWithLongLong(ctx, ts);
    }
    g_sink = sink;
    ReplicateVerbatim(ctx);
    return 0;
}

#define FLOOR_BATCH 4096
static Key *g_keys[FLOOR_BATCH];

static int floor_madd_batch(Ctx *ctx, Str **argv, int argc) {
    if (argc < 4 || (argc - 1) % 3 != 0) return ReplyWithError(ctx, "ERR wrong number of arguments");
    int n = (argc - 1) / 3;
    if (n > FLOOR_BATCH) return ReplyWithError(ctx, "ERR too many triples");
    unsigned long sink = 0;
    for (int i = 0; i < n; i++) {
        size_t vl;
        const char *v = StringPtrLen(argv[3 + 3 * i], &vl);
        sink += (unsigned long)v[0] + vl;
        g_keys[i] = OpenKey(ctx, argv[1 + 3 * i], FLOOR_READ | FLOOR_WRITE);
        if (KeyType(g_keys[i]) == FLOOR_KEYTYPE_MODULE && ModuleTypeGetType(g_keys[i]) != NULL) {
            sink += (unsigned long)ModuleTypeGetValue(g_keys[i]);
        }
    }
    for (int i = 0; i < n; i++) {
        CloseKey(g_keys[i]);
        NotifyKeyspaceEvent(ctx, FLOOR_NOTIFY_MODULE, "ts.add", argv[1 + 3 * i]);
    }
    ReplyWithArray(ctx, n);
    for (int i = 0; i < n; i++) {
        size_t tl;
        const char *t = StringPtrLen(argv[2 + 3 * i], &tl);
        long long ts = 0;
        for (size_t k = 0; k < tl; k++) ts = ts * 10 + (t[k] - '0');
        ReplyWithLongLong(ctx, ts);
    }
    g_sink = sink;
    ReplicateVerbatim(ctx);
    return 0;
}

#define FETCH(fn) \
    if (get("ValkeyModule_" #fn, (void *)&fn) != 0 || !fn) return 1;

__attribute__((visibility("default"))) int ValkeyModule_OnLoad(Ctx *ctx, Str **argv, int argc) {
    (void)argv;
    (void)argc;
    GetApiFn get = *(GetApiFn *)ctx;
    FETCH(ReplyWithArray)
    FETCH(ReplyWithStringBuffer)
    FETCH(ReplyWithLongLong)
    FETCH(ReplyWithSimpleString)
    FETCH(ReplyWithError)
    FETCH(StringPtrLen)
    FETCH(OpenKey)
    FETCH(CloseKey)
    FETCH(KeyType)
    FETCH(ModuleTypeGetType)
    FETCH(ModuleTypeGetValue)
    FETCH(NotifyKeyspaceEvent)
    FETCH(ReplicateVerbatim)
    FETCH(CreateCommand)
    FETCH(SetModuleAttribs)
    SetModuleAttribs(ctx, "replyfloor", 1, 1);
    if (CreateCommand(ctx, "floor.mget", floor_mget, "readonly fast", 0, 0, 0) != 0) return 1;
    if (CreateCommand(ctx, "floor.madd", floor_madd, "write deny-oom", 1, -1, 3) != 0) return 1;
    return CreateCommand(ctx, "floor.maddbatch", floor_madd_batch, "write deny-oom", 1, -1, 3) != 0;
}
