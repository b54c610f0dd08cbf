/*
 * The keys of TS.NRANGE / TS.NREVRANGE (numkeys at argument 1, the keys after it) can't be
 * told with first/last/step, so the two commands are registered with the "getkeys-api" flag
 * and report their keys here. The server asks before it runs the command: for cluster
 * routing (keys in different slots get CROSSSLOT, keys on another node get MOVED), for
 * ACL key permissions, and for COMMAND GETKEYS.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "nrange_keys.h"

#define KEY_RO (1 << 0)     /* VALKEYMODULE_CMD_KEY_RO */
#define KEY_ACCESS (1 << 4) /* VALKEYMODULE_CMD_KEY_ACCESS: the values are read */

int nrange_keys_request(VMCtx *ctx, VMString **argv, int argc) {
    if (!VM_IsKeysPositionRequest(ctx)) return 0;
    /* numkeys key... from to: a bad numkeys reports no key, and the command refuses it */
    if (argc < 5) return 1;
    size_t len;
    const char *p = VM_StringPtrLen(argv[1], &len);
    char buf[24];
    if (len == 0 || len >= sizeof(buf)) return 1;
    memcpy(buf, p, len);
    buf[len] = '\0';
    char *end;
    errno = 0;
    long long n = strtoll(buf, &end, 10);
    if (*end != '\0' || errno != 0 || n <= 0 || n > (long long)argc - 4) return 1;
    for (int i = 0; i < (int)n; i++) VM_KeyAtPosWithFlags(ctx, 2 + i, KEY_RO | KEY_ACCESS);
    return 1;
}
