#ifndef WRITE_H
#define WRITE_H

#include <stdint.h>

#include "vm_api.h"

/*
 * The keys of a write command (TS.ADD, TS.MADD) opened and closed in one call each, so that a
 * batch of triples costs two trips from Java into C instead of six per triple
 * (vts.bridge.WriteKeys). args[i] is the argv index of write i's key name, or -1 to skip it.
 */

/* Opens each key for writing; series[i] is the series it holds, 0 when the key is empty, 1 when
 * it holds another type. keys[i] is the open key of an empty one (for storing a new series);
 * a key that holds a value is closed at once (signalled as modified), keys[i] NULL, as for a
 * skipped write. May expire keys (and so run the type's unlink callback in Java): call it as
 * an ordinary downcall. */
void vts_write_open(VMCtx *ctx, VMString **argv, const int32_t *args, int32_t n, VMType *type, VMKey **keys,
                    uintptr_t *series);

/* For i in [from, to): closes keys[i] (if open) and, when notify[i], sends the keyspace event
 * (VM_NOTIFY_MODULE) for its key and wakes the TS.READ BLOCK readers waiting on it (only while
 * some reader waits). keys[i] becomes NULL. */
void vts_write_close(VMCtx *ctx, VMString **argv, const int32_t *args, int32_t from, int32_t to, VMKey **keys,
                     const uint8_t *notify, const char *event);

#endif
