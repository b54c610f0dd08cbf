#ifndef READ_H
#define READ_H

#include <stdint.h>

#include "vm_api.h"

/*
 * The key of a single-key read (TS.GET) in one call from Java instead of six (context flags,
 * OpenKey, key type, module type, value, CloseKey): opens key for reading (a hit or miss
 * counts, the key's LRU/LFU time is updated, an expired key is deleted, as any read does),
 * takes the series it holds and closes it again. Returns the series, 0 when the key is empty,
 * 1 when it holds another type; *flags gets GetContextFlags(ctx). The series stays valid
 * while the command runs (nothing else runs on the main thread meanwhile). May expire the key
 * (and so run the type's unlink callback in Java): call it as an ordinary downcall.
 */
uintptr_t vts_read_series(VMCtx *ctx, VMString *key, VMType *type, int32_t *flags);

#endif
