#ifndef INFO_H
#define INFO_H

#include "vm_api.h"

/* Fills the section from Java (the module's bridge); called on the main thread for INFO. */
typedef void (*info_from_java_fn)(VMInfoCtx *ctx);

/* Registers the INFO section "timeseries" (during OnLoad). Returns 0 or -1. */
int info_register(VMCtx *ctx, info_from_java_fn from_java);

#endif
