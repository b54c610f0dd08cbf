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

#endif
