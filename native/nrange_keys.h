#ifndef NRANGE_KEYS_H
#define NRANGE_KEYS_H

#include "vm_api.h"

/* TS.NRANGE / TS.NREVRANGE: if this call only asks for the key positions (the module
 * getkeys API), reports them and returns 1; otherwise returns 0 and the command runs. */
int nrange_keys_request(VMCtx *ctx, VMString **argv, int argc);

#endif
