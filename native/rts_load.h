#ifndef RTS_LOAD_H
#define RTS_LOAD_H

#include "series.h"
#include "vm_api.h"

/* The newest encoding of RedisTimeSeries' TSDB-TYPE this reader knows (its own
 * versions 0..9; ours start at 10). */
#define RTS_MAX_ENCVER 9

/*
 * Reads one series that RedisTimeSeries saved in its own TSDB-TYPE encoding encver
 * (0..RTS_MAX_ENCVER) from an RDB, a DUMP payload (RESTORE, MIGRATE) or the RESTORE
 * commands of an AOF it rewrote, and converts it into our native layout. Pure C.
 * Returns NULL on bad input, having logged why (naming the key) through LogIOError;
 * nothing is left allocated then.
 */
ts_series *rts_rdb_load(VMIO *io, int encver);

#endif
