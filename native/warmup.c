#include "warmup.h"

#include <stdint.h>

#include "jvm.h"
#include "vm_api.h"

void vts_warmup(VMCtx *load_ctx, long long ms) {
    if (ms <= 0) return;
    /* a thread-safe context without a blocked client: the server drops what is replied to it,
     * so the warm-up runs the reply writers as commands do and no client sees anything
     * (two of them: replies alternate between clients as they do under load) */
    VMCtx *a = VM_GetThreadSafeContext(NULL), *b = VM_GetThreadSafeContext(NULL);
    char err[512] = "";
    if (a && b)
        jvm_call_init("vts/bridge/Warmup", "run", (long long)(intptr_t)a, ms, (long long)(intptr_t)b, 0, 0, "", err,
                      sizeof(err));
    if (err[0]) VM_Log(load_ctx, VM_LOG_WARNING, "timeseries: JIT warm-up failed (ignored): %s", err);
    if (a) VM_FreeThreadSafeContext(a);
    if (b) VM_FreeThreadSafeContext(b);
}
