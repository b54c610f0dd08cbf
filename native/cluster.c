#include "cluster.h"

#include <dirent.h>
#include <limits.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdlib.h>
#include <strings.h>
#include <sys/socket.h>
#include <string.h>
#include <time.h>

/* the module API functions only the fan-out uses, fetched here so vm_api.h stays shared-small */
typedef struct VMBlockedClient VMBlockedClient;
typedef struct VMCallReply VMCallReply;
typedef void (*ReceiverFn)(VMCtx *ctx, const char *sender_id, uint8_t type, const unsigned char *payload, uint32_t len);
typedef void (*TimerFn)(VMCtx *ctx, void *data);
typedef void (*FreePrivFn)(VMCtx *ctx, void *privdata);

static void (*RegisterReceiver)(VMCtx *ctx, uint8_t type, ReceiverFn cb);
static int (*SendClusterMessage)(VMCtx *ctx, const char *target_id, uint8_t type, const char *msg, uint32_t len);
static VMBlockedClient *(*BlockClient)(VMCtx *ctx, VMCmdFunc reply_cb, VMCmdFunc timeout_cb, FreePrivFn free_cb,
                                       long long timeout_ms);
static int (*UnblockClient)(VMBlockedClient *bc, void *privdata);
static void *(*GetBlockedClientPrivateData)(VMCtx *ctx);
static uint64_t (*CreateTimer)(VMCtx *ctx, long long period, TimerFn cb, void *data);
static int (*StopTimer)(VMCtx *ctx, uint64_t id, void **data);
static VMCallReply *(*Call)(VMCtx *ctx, const char *cmd, const char *fmt, ...);
static const char *(*CallReplyStringPtr)(VMCallReply *reply, size_t *len);
static void (*FreeCallReply)(VMCallReply *reply);
typedef struct VMCommandFilter VMCommandFilter;
typedef struct VMCommandFilterCtx VMCommandFilterCtx;
typedef void (*FilterFn)(VMCommandFilterCtx *fctx);
static VMCommandFilter *(*RegisterCommandFilter)(VMCtx *ctx, FilterFn cb, int flags);
static int (*CommandFilterArgsCount)(VMCommandFilterCtx *fctx);
static VMString *(*CommandFilterArgGet)(VMCommandFilterCtx *fctx, int pos);
static int (*GetClusterNodeInfo)(VMCtx *ctx, const char *id, char *ip, char *primary_id, int *port, int *flags);

static ClusterEventFn g_event;
/* bumped by every CLUSTER subcommand that may change slots, roles or nodes (see on_command),
 * and the monotonic time of the last one */
static long long g_topology_gen, g_topology_changed_ms = -1;

static long long monotonic_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}
static long long g_timeout_ms = 5000;

#define CTX_FLAGS_CLUSTER (1 << 5)
/* message types of this module on the bus (the server keeps them apart from other modules') */
#define MSG_TYPES 8

static void on_message(VMCtx *ctx, const char *sender_id, uint8_t type, const unsigned char *payload, uint32_t len) {
    g_event(CEV_MESSAGE, ctx, (long long)(intptr_t)sender_id, type, payload, len);
}

static int on_unblocked(VMCtx *ctx, VMString **argv, int argc) {
    (void)argv;
    (void)argc;
    g_event(CEV_REPLY, ctx, (long long)(intptr_t)GetBlockedClientPrivateData(ctx), 0, NULL, 0);
    return VM_OK;
}

static void on_free(VMCtx *ctx, void *privdata) { g_event(CEV_FREE, ctx, (long long)(intptr_t)privdata, 0, NULL, 0); }

static void on_timer(VMCtx *ctx, void *data) { g_event(CEV_TIMER, ctx, (long long)(intptr_t)data, 0, NULL, 0); }

static char *cl_nodes(VMCtx *ctx, size_t *len) {
    *len = 0;
    VMCallReply *r = Call(ctx, "CLUSTER", "c", "NODES");
    if (!r) return NULL;
    size_t n = 0;
    const char *s = CallReplyStringPtr(r, &n);
    char *out = NULL;
    if (s) {
        out = VM_Alloc(n + 1);
        memcpy(out, s, n);
        out[n] = 0;
        *len = n;
    }
    FreeCallReply(r);
    return out;
}

static int cl_send(VMCtx *ctx, const char *target, int type, const char *buf, long long len) {
    if (len < 0 || len > UINT32_MAX) return VM_ERR;
    return SendClusterMessage(ctx, target, (uint8_t)type, buf, (uint32_t)len);
}

/* no server-side timeout: Java's timer ends the wait, also for a client that disconnected */
static VMBlockedClient *cl_block(VMCtx *ctx) { return BlockClient(ctx, on_unblocked, NULL, on_free, 0); }

static void cl_unblock(VMBlockedClient *bc, long long id) { UnblockClient(bc, (void *)(intptr_t)id); }

static long long cl_timer(VMCtx *ctx, long long ms, long long data) {
    return (long long)CreateTimer(ctx, ms, on_timer, (void *)(intptr_t)data);
}

static void cl_stop_timer(VMCtx *ctx, long long id) { StopTimer(ctx, (uint64_t)id, NULL); }

static long long cl_timeout_ms(void) { return g_timeout_ms; }

static long long cl_topology_gen(void) { return g_topology_gen; }

/* ms since the last such command, or -1 if none ran since load */
static long long cl_topology_quiet_ms(void) {
    return g_topology_changed_ms < 0 ? -1 : monotonic_ms() - g_topology_changed_ms;
}

/* VALKEYMODULE_NODE_* flags of node id (40 characters), or -1 if this node does not know it */
static int cl_node_flags(VMCtx *ctx, const char *id) {
    int flags = 0;
    return GetClusterNodeInfo(ctx, id, NULL, NULL, NULL, &flags) == VM_OK ? flags : -1;
}

/* Valkey sets TCP_NODELAY on the cluster bus connections it accepts, not on the ones it
 * opens, and a node sends on the link it opened. An answer of several messages then met
 * Nagle (its tail held until the peer's delayed ACK): TS.MRANGE p50 ~50 ms instead of ~7.
 * Sets TCP_NODELAY on every TCP socket of this process whose peer port is one of the given
 * cluster bus ports; returns how many it changed. */
static int cl_nodelay(const int *ports, int n) {
    DIR *d = opendir("/proc/self/fd");
    if (!d) return -1;
    int changed = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        char *end = NULL;
        long fd = strtol(e->d_name, &end, 10);
        if (end == e->d_name || *end != 0 || fd < 0 || fd > INT_MAX) continue;
        int type = 0;
        socklen_t len = sizeof(type);
        if (getsockopt((int)fd, SOL_SOCKET, SO_TYPE, &type, &len) != 0 || type != SOCK_STREAM) continue;
        struct sockaddr_storage peer;
        len = sizeof(peer);
        if (getpeername((int)fd, (struct sockaddr *)&peer, &len) != 0) continue;
        int port = peer.ss_family == AF_INET    ? ntohs(((struct sockaddr_in *)&peer)->sin_port)
                   : peer.ss_family == AF_INET6 ? ntohs(((struct sockaddr_in6 *)&peer)->sin6_port)
                                                : -1;
        for (int i = 0; i < n; i++) {
            if (ports[i] != port) continue;
            int on = 0;
            len = sizeof(on);
            if (getsockopt((int)fd, IPPROTO_TCP, TCP_NODELAY, &on, &len) == 0 && !on) {
                on = 1;
                if (setsockopt((int)fd, IPPROTO_TCP, TCP_NODELAY, &on, sizeof(on)) == 0) changed++;
            }
            break;
        }
    }
    closedir(d);
    return changed;
}

void *g_cluster_fns[11] = {(void *)cl_nodes,      (void *)cl_send,         (void *)cl_block,
                           (void *)cl_unblock,    (void *)cl_timer,        (void *)cl_stop_timer,
                           (void *)cl_timeout_ms, (void *)cl_topology_gen, (void *)cl_node_flags,
                           (void *)cl_topology_quiet_ms, (void *)cl_nodelay};

/* CLUSTER subcommands that only read: everything else (ADDSLOTS, SETSLOT, FAILOVER, RESET,
 * MEET, ...) may give this node slots or change what it imports, so it invalidates the
 * topology Java caches. Unknown subcommands count as changes. */
static const char *const READ_ONLY_SUBCOMMANDS[] = {
    "NODES", "INFO", "SLOTS", "SHARDS", "MYID", "MYSHARDID", "KEYSLOT", "COUNTKEYSINSLOT", "GETKEYSINSLOT",
    "LINKS", "COUNT-FAILURE-REPORTS", "REPLICAS", "SLAVES", "HELP", "SLOT-STATS",
};

static void on_command(VMCommandFilterCtx *fctx) {
    if (CommandFilterArgsCount(fctx) < 1) return;
    size_t n = 0;
    const char *name = VM_StringPtrLen(CommandFilterArgGet(fctx, 0), &n);
    if (n != 7 || strncasecmp(name, "cluster", 7) != 0) return;
    if (CommandFilterArgsCount(fctx) >= 2) {
        const char *sub = VM_StringPtrLen(CommandFilterArgGet(fctx, 1), &n);
        for (size_t i = 0; i < sizeof(READ_ONLY_SUBCOMMANDS) / sizeof(READ_ONLY_SUBCOMMANDS[0]); i++) {
            if (strlen(READ_ONLY_SUBCOMMANDS[i]) == n && strncasecmp(sub, READ_ONLY_SUBCOMMANDS[i], n) == 0) return;
        }
    }
    g_topology_gen++;
    g_topology_changed_ms = monotonic_ms();
}

static long long cfg_get_timeout(const char *name, void *pd) {
    (void)name;
    (void)pd;
    return g_timeout_ms;
}

static int cfg_set_timeout(const char *name, long long v, void *pd, VMString **err) {
    (void)name;
    (void)pd;
    (void)err;
    g_timeout_ms = v;
    return VM_OK;
}

int vts_cluster_load(VMCtx *ctx, VMGetApiFunc getapi) {
    struct {
        const char *name;
        void *out;
    } fns[] = {
        {"RegisterClusterMessageReceiver", &RegisterReceiver},
        {"SendClusterMessage", &SendClusterMessage},
        {"BlockClient", &BlockClient},
        {"UnblockClient", &UnblockClient},
        {"GetBlockedClientPrivateData", &GetBlockedClientPrivateData},
        {"CreateTimer", &CreateTimer},
        {"StopTimer", &StopTimer},
        {"Call", &Call},
        {"CallReplyStringPtr", &CallReplyStringPtr},
        {"FreeCallReply", &FreeCallReply},
        {"RegisterCommandFilter", &RegisterCommandFilter},
        {"CommandFilterArgsCount", &CommandFilterArgsCount},
        {"CommandFilterArgGet", &CommandFilterArgGet},
        {"GetClusterNodeInfo", &GetClusterNodeInfo},
    };
    for (size_t i = 0; i < sizeof(fns) / sizeof(fns[0]); i++) {
        char full[96];
        strcpy(full, "ValkeyModule_");
        strcat(full, fns[i].name);
        if (getapi(full, fns[i].out) != VM_OK || *(void **)fns[i].out == NULL) {
            VM_Log(ctx, VM_LOG_WARNING, "timeseries: module API function %s missing", fns[i].name);
            return -1;
        }
    }
    int rc = VM_RegisterNumericConfig(ctx, "ts-cluster-timeout", g_timeout_ms, VM_CONFIG_DEFAULT, 1, 3600000,
                                      cfg_get_timeout, cfg_set_timeout, NULL, NULL);
    return rc == VM_OK ? 0 : -1;
}

void vts_cluster_start(VMCtx *ctx, ClusterEventFn fn) {
    g_event = fn;
    int cluster = (VM_GetContextFlags(ctx) & CTX_FLAGS_CLUSTER) != 0;
    g_event(CEV_INSTALL, ctx, (long long)(intptr_t)g_cluster_fns, cluster, NULL, 0);
    if (!cluster) return;
    for (int t = 1; t <= MSG_TYPES; t++) RegisterReceiver(ctx, (uint8_t)t, on_message);
    /* NOSELF (1): our own VM_Call("CLUSTER", "NODES") is no change */
    if (!RegisterCommandFilter(ctx, on_command, 1)) VM_Log(ctx, VM_LOG_WARNING, "timeseries: cannot register the cluster command filter");
}
