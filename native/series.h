#ifndef SERIES_H
#define SERIES_H

#include "tsdb_layout.h"

void ts_chunk_free(ts_chunk *c);
ts_chunk *ts_chunk_alloc(uint32_t capacity);
uint32_t ts_chunk_used(const ts_chunk *c);
void ts_series_free(ts_series *s);
size_t ts_series_mem_usage(const ts_series *s);
ts_series *ts_series_copy(const ts_series *s);
ts_series *ts_series_new_empty(void);

uint8_t *ts_header_to_blob(const ts_series *s, size_t *len);
ts_series *ts_header_from_blob(const uint8_t *p, size_t len, const char **err);
uint8_t *ts_chunk_to_blob(const ts_chunk *c, size_t *len);
ts_chunk *ts_chunk_from_blob(const uint8_t *p, size_t len, const char **err);
int ts_series_append_chunk(ts_series *s, ts_chunk *c, const char **err);

/* Chunk creation outside Java goes through these two (the converter of foreign RDBs uses
 * them): a zeroed chunk of `capacity` data bytes (a multiple of 8) with its summaries
 * initialised, and an append of one sample to an UNCOMPRESSED chunk, keeping the summaries
 * exactly as vts.codec.Chunks.append does. Append answers -1 (nothing changed) when the
 * sample does not fit or the chunk is not uncompressed. */
ts_chunk *ts_chunk_new(uint8_t encoding, uint32_t capacity);
int ts_chunk_append_uncompressed(ts_chunk *c, int64_t ts, double v);

#endif
