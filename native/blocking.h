#ifndef BLOCKING_H
#define BLOCKING_H

#include <stdint.h>

#include "vm_api.h"

/* What a blocked TS.READ waits for (mirror: vts.command.ReadCommand; keep offsets in step).
 * Java reads it through GetBlockedClientPrivateData in the reply and timeout callbacks. */
typedef struct ts_read_wait {
    int64_t cursor;    /*  0 first qualifying timestamp; -1 = nothing can qualify */
    int64_t min_count; /*  8 */
    int64_t max_count; /* 16 -1 = unlimited */
    int32_t served;    /* 24 set by Java in the reply callback when it replied */
    int32_t pad;       /* 28 */
} ts_read_wait;

/* read_cmd runs TS.READ (forwarded to Java); the callbacks call it again with the client's argv. */
void blocking_init(VMCmdFunc read_cmd, VMType *series_type);

/* Blocks the client on key until a write makes min_count samples >= cursor exist, the key is
 * deleted, or timeout_ms pass (0 = no timeout). Returns 0, or -1 if the server refused. */
int vts_block_read(VMCtx *ctx, VMString *key, long long timeout_ms, int64_t cursor, int64_t min_count,
                   int64_t max_count);

#endif
