/*
 * Cluster fan-out plumbing: cluster-bus messages, blocking the client of a fanned-out
 * command, timers, the node table (CLUSTER NODES). The protocol and the merge live in
 * Java (vts.cluster); this file only moves bytes and events between the server and it.
 */
#ifndef CLUSTER_H
#define CLUSTER_H

#include "vm_api.h"

/* Events Java hears through its cluster upcall: (kind, ctx, a, b, ptr, len). */
#define CEV_MESSAGE 1 /* a = sender node id (40 bytes), b = message type, ptr/len = payload */
#define CEV_REPLY 2   /* ctx = the unblocked client's context, a = request id */
#define CEV_FREE 3    /* a = request id: the blocked client is done (replied or gone) */
#define CEV_TIMER 4   /* a = the timer's data */
#define CEV_INSTALL 5 /* a = g_cluster_fns, b = 1 in cluster mode: sent once at load */
typedef void (*ClusterEventFn)(int kind, VMCtx *ctx, long long a, long long b, const void *ptr, long long len);

/* Fetches the cluster part of the module API and registers the ts-cluster-timeout config
 * (call before VM_LoadConfigs). Returns 0, or -1 (logged). */
int vts_cluster_load(VMCtx *ctx, VMGetApiFunc getapi);

/* Hands Java the function table (CEV_INSTALL) and, in cluster mode, registers the message receivers. */
void vts_cluster_start(VMCtx *ctx, ClusterEventFn fn);

/* The functions Java calls (their addresses reach Java with CEV_INSTALL):
 * 0 nodes(ctx, &len) -> CLUSTER NODES text (module-allocated; Java frees it) or NULL
 * 1 send(ctx, target_id, type, buf, len) -> VM_OK / VM_ERR
 * 2 block(ctx) -> blocked client handle or NULL
 * 3 unblock(bc, request id)
 * 4 timer(ctx, ms, data) -> timer id
 * 5 stop_timer(ctx, id)
 * 6 timeout_ms() -> the ts-cluster-timeout config
 * 7 topology_gen() -> a counter bumped by every CLUSTER command that may change slots or roles
 * 8 node_flags(ctx, id) -> VALKEYMODULE_NODE_* flags of a node, -1 if unknown
 * 9 topology_quiet_ms() -> ms since the last such command, -1 if none ran
 * 10 nodelay(ports, n) -> sets TCP_NODELAY on the bus links to these cluster bus ports; how many changed */
extern void *g_cluster_fns[11];

#endif
