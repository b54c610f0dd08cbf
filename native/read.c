/* Opening the key of a single-key read in one call (see read.h). */
#include "read.h"

uintptr_t vts_read_series(VMCtx *ctx, VMString *key, VMType *type, int32_t *flags) {
    *flags = VM_GetContextFlags(ctx);
    VMKey *k = VM_OpenKey(ctx, key, VM_READ);
    if (!k) return 0;
    uintptr_t s = 0;
    int t = VM_KeyType(k);
    if (t == VM_KEYTYPE_MODULE && VM_ModuleTypeGetType(k) == type) s = (uintptr_t)VM_ModuleTypeGetValue(k);
    else if (t != VM_KEYTYPE_EMPTY) s = 1;
    VM_CloseKey(k);
    return s;
}
