/*
 * A benchmark helper, not part of the module: the server-side cost of writing a
 * TS.MGET-shaped reply through the module API and doing nothing else.
 *
 *   FLOOR.MGET n   replies n rows of [key (9-byte bulk string), [] (no labels),
 *                  [timestamp (integer), value (simple string)]], as TS.MGET does
 *                  in RESP2 without WITHLABELS.
 *
 * bench/index_bench.py builds it (gcc -O2 -shared -fPIC) and loads it next to the
 * time-series module, so that TS.MGET over n series can be set against it in one run.
 * Declarations are our own: only the handful of module API functions used here.
 */
#include <stddef.h>
#include <stdlib.h>

typedef struct Ctx Ctx;
typedef struct Str Str;
typedef int (*GetApiFn)(const char *name, void *out);
typedef int (*CmdFn)(Ctx *ctx, Str **argv, int argc);

static int (*ReplyWithArray)(Ctx *ctx, long len);
static int (*ReplyWithStringBuffer)(Ctx *ctx, const char *buf, size_t len);
static int (*ReplyWithLongLong)(Ctx *ctx, long long v);
static int (*ReplyWithSimpleString)(Ctx *ctx, const char *s);
static int (*ReplyWithError)(Ctx *ctx, const char *err);
static const char *(*StringPtrLen)(const Str *s, size_t *len);
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
    FETCH(CreateCommand)
    FETCH(SetModuleAttribs)
    SetModuleAttribs(ctx, "replyfloor", 1, 1);
    return CreateCommand(ctx, "floor.mget", floor_mget, "readonly fast", 0, 0, 0) != 0;
}
