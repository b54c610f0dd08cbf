#ifndef DOCS_H
#define DOCS_H

#include <stdio.h>

#include "vm_api.h"

/* Adds the ACL category "timeseries", and the docs, key specs and ACL categories of every
 * registered TS.* command (call after they are all created, during OnLoad). Returns 0, or -1
 * with the reason in err. */
int docs_register(VMCtx *ctx, char *err, size_t errlen);

#endif
