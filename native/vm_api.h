/*
 * The part of the Valkey module API this module uses, declared here by hand.
 * Constants and signatures follow the public module API reference; every function
 * is fetched at load time by name through the server's GetApi function.
 */
#ifndef VM_API_H
#define VM_API_H

#include <stdint.h>
#include <stddef.h>

#define VM_OK 0
#define VM_ERR 1
#define VM_APIVER_1 1
#define VM_TYPE_METHOD_VERSION 5

#define VM_READ (1 << 0)
#define VM_WRITE (1 << 1)
#define VM_OPEN_KEY_NOEFFECTS (1 << 20) /* no LRU touch, stats, notification or lazy expiry */

#define VM_KEYTYPE_EMPTY 0
#define VM_KEYTYPE_MODULE 6
#define VM_NO_EXPIRE (-1)

#define VM_CTX_FLAGS_LUA (1 << 0)
#define VM_CTX_FLAGS_MULTI (1 << 1)
#define VM_CTX_FLAGS_LOADING (1 << 13)
#define VM_CTX_FLAGS_DENY_BLOCKING (1 << 21)
#define VM_CTX_FLAGS_RESP3 (1 << 22)

#define VM_NOTIFY_GENERIC (1 << 2)
#define VM_NOTIFY_MODULE (1 << 13)
#define VM_NOTIFY_LOADED (1 << 12)

#define VM_LOG_WARNING "warning"
#define VM_LOG_NOTICE "notice"

#define VM_EVENT_FLUSHDB 2
#define VM_SUBEVENT_FLUSHDB_END 1
#define VM_EVENT_SWAPDB 11
#define VM_EVENT_EVENTLOOP 15
#define VM_SUBEVENT_EVENTLOOP_BEFORE_SLEEP 0
#define VM_EVENT_CONFIG 16
#define VM_EVENT_KEY 17
#define VM_SUBEVENT_CONFIG_CHANGE 0

#define VM_CONFIG_DEFAULT 0
#define VM_OPTIONS_HANDLE_IO_ERRORS (1 << 0)

#define VM_BLOCK_UNBLOCK_DELETED (1 << 0)

typedef struct VMCtx VMCtx;
typedef struct VMBlockedClient VMBlockedClient;
typedef struct VMInfoCtx VMInfoCtx;
typedef void (*VMInfoFunc)(VMInfoCtx *ctx, int for_crash_report);
typedef struct VMString VMString;
typedef struct VMKey VMKey;
typedef struct VMType VMType;
typedef struct VMIO VMIO;
typedef struct VMDigest VMDigest;
typedef struct VMKeyOptCtx VMKeyOptCtx;
typedef struct VMDefragCtx VMDefragCtx;

typedef struct VMFlushInfo {
    uint64_t version;
    int32_t sync;
    int32_t dbnum; /* -1 for all */
} VMFlushInfo;

typedef struct VMSwapDbInfo {
    uint64_t version;
    int32_t dbnum_first;
    int32_t dbnum_second;
} VMSwapDbInfo;

typedef struct VMKeyInfo {
    uint64_t version;
    VMKey *key;
} VMKeyInfo;

typedef struct VMEvent {
    uint64_t id;
    uint64_t dataver;
} VMEvent;

typedef int (*VMCmdFunc)(VMCtx *ctx, VMString **argv, int argc);

/* ---- command docs and key specs (ValkeyModule_SetCommandInfo; native/docs.c) ---- */
typedef struct VMCommand VMCommand;

typedef enum {
    VM_ARG_STRING,
    VM_ARG_INTEGER,
    VM_ARG_DOUBLE,
    VM_ARG_KEY,
    VM_ARG_PATTERN,
    VM_ARG_UNIX_TIME,
    VM_ARG_PURE_TOKEN,
    VM_ARG_ONEOF,
    VM_ARG_BLOCK
} VMCommandArgType;

#define VM_CMD_ARG_OPTIONAL (1 << 0)
#define VM_CMD_ARG_MULTIPLE (1 << 1)

typedef struct VMCommandArg {
    const char *name;
    VMCommandArgType type;
    int key_spec_index;
    const char *token;
    const char *summary;
    const char *since;
    int flags;
    const char *deprecated_since;
    struct VMCommandArg *subargs;
    const char *display_text;
} VMCommandArg;

typedef struct {
    const char *since;
    const char *changes;
} VMCommandHistoryEntry;

typedef enum { VM_KSPEC_BS_INVALID = 0, VM_KSPEC_BS_UNKNOWN, VM_KSPEC_BS_INDEX, VM_KSPEC_BS_KEYWORD } VMKeySpecBeginSearchType;
typedef enum { VM_KSPEC_FK_OMITTED = 0, VM_KSPEC_FK_UNKNOWN, VM_KSPEC_FK_RANGE, VM_KSPEC_FK_KEYNUM } VMKeySpecFindKeysType;

#define VM_CMD_KEY_RO (1ULL << 0)
#define VM_CMD_KEY_RW (1ULL << 1)
#define VM_CMD_KEY_OW (1ULL << 2)
#define VM_CMD_KEY_RM (1ULL << 3)
#define VM_CMD_KEY_ACCESS (1ULL << 4)
#define VM_CMD_KEY_UPDATE (1ULL << 5)
#define VM_CMD_KEY_INSERT (1ULL << 6)
#define VM_CMD_KEY_DELETE (1ULL << 7)

typedef struct {
    const char *notes;
    uint64_t flags;
    VMKeySpecBeginSearchType begin_search_type;
    union {
        struct {
            int pos;
        } index;
        struct {
            const char *keyword;
            int startfrom;
        } keyword;
    } bs;
    VMKeySpecFindKeysType find_keys_type;
    union {
        struct {
            int lastkey;
            int keystep;
            int limit;
        } range;
        struct {
            int keynumidx;
            int firstkey;
            int keystep;
        } keynum;
    } fk;
} VMCommandKeySpec;

typedef struct {
    int version;
    size_t sizeof_historyentry;
    size_t sizeof_keyspec;
    size_t sizeof_arg;
} VMCommandInfoVersion;

typedef struct {
    const VMCommandInfoVersion *version;
    const char *summary;
    const char *complexity;
    const char *since;
    VMCommandHistoryEntry *history;
    const char *tips;
    int arity;
    VMCommandKeySpec *key_specs;
    VMCommandArg *args;
} VMCommandInfo;
typedef int (*VMNotificationFunc)(VMCtx *ctx, int type, const char *event, VMString *key);
typedef void (*VMEventCallback)(VMCtx *ctx, VMEvent eid, uint64_t subevent, void *data);

typedef struct VMTypeMethods {
    uint64_t version;
    void *(*rdb_load)(VMIO *rdb, int encver);
    void (*rdb_save)(VMIO *rdb, void *value);
    void (*aof_rewrite)(VMIO *aof, VMString *key, void *value);
    size_t (*mem_usage)(const void *value);
    void (*digest)(VMDigest *digest, void *value);
    void (*free)(void *value);
    int (*aux_load)(VMIO *rdb, int encver, int when);
    void (*aux_save)(VMIO *rdb, int when);
    int aux_save_triggers;
    size_t (*free_effort)(VMString *key, const void *value);
    void (*unlink)(VMString *key, const void *value);
    void *(*copy)(VMString *fromkey, VMString *tokey, const void *value);
    int (*defrag)(VMDefragCtx *ctx, VMString *key, void **value);
    size_t (*mem_usage2)(VMKeyOptCtx *ctx, const void *value, size_t sample_size);
    size_t (*free_effort2)(VMKeyOptCtx *ctx, const void *value);
    void (*unlink2)(VMKeyOptCtx *ctx, const void *value);
    void *(*copy2)(VMKeyOptCtx *ctx, const void *value);
    void (*aux_save2)(VMIO *rdb, int when);
} VMTypeMethods;

typedef long long (*VMConfigGetNumeric)(const char *name, void *privdata);
typedef int (*VMConfigSetNumeric)(const char *name, long long val, void *privdata, VMString **err);
typedef VMString *(*VMConfigGetString)(const char *name, void *privdata);
typedef int (*VMConfigSetString)(const char *name, VMString *val, void *privdata, VMString **err);
typedef int (*VMConfigGetEnum)(const char *name, void *privdata);
typedef int (*VMConfigSetEnum)(const char *name, int val, void *privdata, VMString **err);
typedef int (*VMConfigApply)(VMCtx *ctx, void *privdata, VMString **err);

/* X-macro: (return type, name, parameters). Names are fetched as "ValkeyModule_<name>". */
#define VM_API_LIST(X) \
    X(void *, Alloc, (size_t bytes)) \
    X(void *, Calloc, (size_t nmemb, size_t size)) \
    X(void *, Realloc, (void *ptr, size_t bytes)) \
    X(void, Free, (void *ptr)) \
    X(int, IsModuleNameBusy, (const char *name)) \
    X(void, SetModuleAttribs, (VMCtx *ctx, const char *name, int ver, int apiver)) \
    X(int, CreateCommand, (VMCtx *ctx, const char *name, VMCmdFunc cmdfunc, const char *strflags, int firstkey, int lastkey, int keystep)) \
    X(VMType *, CreateDataType, (VMCtx *ctx, const char *name, int encver, VMTypeMethods *typemethods)) \
    X(const char *, StringPtrLen, (const VMString *str, size_t *len)) \
    X(VMString *, CreateString, (VMCtx *ctx, const char *ptr, size_t len)) \
    X(VMString *, CreateStringPrintf, (VMCtx *ctx, const char *fmt, ...)) \
    X(void, FreeString, (VMCtx *ctx, VMString *str)) \
    X(int, ReplyWithError, (VMCtx *ctx, const char *err)) \
    X(int, WrongArity, (VMCtx *ctx)) \
    X(int, IsKeysPositionRequest, (VMCtx *ctx)) \
    X(void, KeyAtPosWithFlags, (VMCtx *ctx, int pos, int flags)) \
    X(void, Log, (VMCtx *ctx, const char *level, const char *fmt, ...)) \
    X(void, LogIOError, (VMIO *io, const char *levelstr, const char *fmt, ...)) \
    X(void, SaveUnsigned, (VMIO *io, uint64_t value)) \
    X(uint64_t, LoadUnsigned, (VMIO *io)) \
    X(void, SaveSigned, (VMIO *io, int64_t value)) \
    X(int64_t, LoadSigned, (VMIO *io)) \
    X(void, SaveDouble, (VMIO *io, double value)) \
    X(double, LoadDouble, (VMIO *io)) \
    X(void, SaveStringBuffer, (VMIO *io, const char *str, size_t len)) \
    X(char *, LoadStringBuffer, (VMIO *io, size_t *lenptr)) \
    X(int, IsIOError, (VMIO *io)) \
    X(void, EmitAOF, (VMIO *io, const char *cmdname, const char *fmt, ...)) \
    X(int, Replicate, (VMCtx *ctx, const char *cmdname, const char *fmt, ...)) \
    X(void, SetModuleOptions, (VMCtx *ctx, int options)) \
    X(int, SubscribeToServerEvent, (VMCtx *ctx, VMEvent event, VMEventCallback callback)) \
    X(int, RegisterNumericConfig, (VMCtx *ctx, const char *name, long long default_val, unsigned int flags, long long min, long long max, VMConfigGetNumeric getfn, VMConfigSetNumeric setfn, VMConfigApply applyfn, void *privdata)) \
    X(int, RegisterStringConfig, (VMCtx *ctx, const char *name, const char *default_val, unsigned int flags, VMConfigGetString getfn, VMConfigSetString setfn, VMConfigApply applyfn, void *privdata)) \
    X(int, RegisterEnumConfig, (VMCtx *ctx, const char *name, int default_val, unsigned int flags, const char **enum_values, const int *int_values, int num_enum_vals, VMConfigGetEnum getfn, VMConfigSetEnum setfn, VMConfigApply applyfn, void *privdata)) \
    X(int, LoadConfigs, (VMCtx *ctx)) \
    X(VMKey *, OpenKey, (VMCtx *ctx, VMString *keyname, int mode)) \
    X(void, CloseKey, (VMKey *key)) \
    X(int, KeyType, (VMKey *key)) \
    X(VMType *, ModuleTypeGetType, (VMKey *key)) \
    X(void *, ModuleTypeGetValue, (VMKey *key)) \
    X(int, ModuleTypeSetValue, (VMKey *key, VMType *mt, void *value)) \
    X(int, ReplyWithSimpleString, (VMCtx *ctx, const char *msg)) \
    X(int, ReplicateVerbatim, (VMCtx *ctx)) \
    X(void, DigestAddStringBuffer, (VMDigest *md, const char *ele, size_t len)) \
    X(void, DigestEndSequence, (VMDigest *md)) \
    X(int, SubscribeToKeyspaceEvents, (VMCtx *ctx, int types, VMNotificationFunc cb)) \
    X(int, GetSelectedDb, (VMCtx *ctx)) \
    X(int, GetContextFlags, (VMCtx *ctx)) \
    X(int, GetDbIdFromModuleKey, (VMKey *key)) \
    X(const VMString *, GetKeyNameFromModuleKey, (VMKey *key)) \
    X(const VMString *, GetKeyNameFromIO, (VMIO *io)) \
    X(long long, GetExpire, (VMKey *key)) \
    X(int, ReplyWithLongLong, (VMCtx *ctx, long long ll)) \
    X(int, ReplyWithDouble, (VMCtx *ctx, double d)) \
    X(int, ReplyWithStringBuffer, (VMCtx *ctx, const char *buf, size_t len)) \
    X(int, ReplyWithArray, (VMCtx *ctx, long len)) \
    X(int, ReplyWithMap, (VMCtx *ctx, long len)) \
    X(int, ReplyWithSet, (VMCtx *ctx, long len)) \
    X(int, ReplyWithNull, (VMCtx *ctx)) \
    X(void, ReplySetArrayLength, (VMCtx *ctx, long len)) \
    X(void, ReplySetMapLength, (VMCtx *ctx, long len)) \
    /* the JIT warm-up's reply sink (native/warmup.c) */ \
    X(VMCtx *, GetThreadSafeContext, (VMBlockedClient *bc)) \
    X(void, FreeThreadSafeContext, (VMCtx *ctx)) \
    /* blocking reads (native/blocking.c) */ \
    X(VMBlockedClient *, BlockClientOnKeysWithFlags, (VMCtx *ctx, VMCmdFunc reply_callback, VMCmdFunc timeout_callback, void (*free_privdata)(VMCtx *, void *), long long timeout_ms, VMString **keys, int numkeys, void *privdata, int flags)) \
    X(void *, GetBlockedClientPrivateData, (VMCtx *ctx)) \
    X(void, SignalKeyAsReady, (VMCtx *ctx, VMString *key)) \
    /* batched key opening of write commands (native/write.c) */ \
    X(int, NotifyKeyspaceEvent, (VMCtx *ctx, int type, const char *event, VMString *key)) \
    /* command docs and ACL categories (native/docs.c) */ \
    X(VMCommand *, GetCommand, (VMCtx *ctx, const char *name)) \
    X(int, SetCommandInfo, (VMCommand *command, const VMCommandInfo *info)) \
    X(int, AddACLCategory, (VMCtx *ctx, const char *name)) \
    X(int, SetCommandACLCategories, (VMCommand *command, const char *ctgrsflags)) \
    /* INFO timeseries (native/info.c) */ \
    X(int, RegisterInfoFunc, (VMCtx *ctx, VMInfoFunc cb)) \
    X(int, InfoAddSection, (VMInfoCtx *ctx, const char *name)) \
    X(int, InfoAddFieldLongLong, (VMInfoCtx *ctx, const char *field, long long value))

#define VM_DECLARE(ret, name, params) extern ret(*VM_##name) params;
VM_API_LIST(VM_DECLARE)
#undef VM_DECLARE

typedef int (*VMGetApiFunc)(const char *name, void *out);

/* Fetches every function of VM_API_LIST; returns the first missing name or NULL. */
const char *vm_api_init(VMGetApiFunc getapi);

#endif
