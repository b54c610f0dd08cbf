/* The JIT warm-up at load (vts.bridge.Warmup; module argument jit-warmup). */
#ifndef WARMUP_H
#define WARMUP_H

#include "vm_api.h"

/* ms of warm-up unless the module argument says otherwise (README "JIT warm-up") */
#define VTS_WARMUP_MS_DEFAULT 1500

/* Runs the Java warm-up for ms milliseconds (nothing if ms <= 0); a failure is logged, never fatal. */
void vts_warmup(VMCtx *load_ctx, long long ms);

#endif
