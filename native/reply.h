/*
 * Replies written in batches: Java encodes a command's reply as a list of operations in
 * one buffer and the shim replays them through the module API in one downcall, instead
 * of one downcall per element (mirror: vts.bridge.Reply; keep the codes in step).
 *
 * Each operation starts with a u32 code and a u32 length n, then its payload, padded so
 * that the next one starts at a multiple of 8 bytes:
 *   ARRAY, MAP, SET, SET_ARRAY_LEN, SET_MAP_LEN: an i64 count (ARRAY/MAP: -1 = postponed)
 *   LONG: i64;  DOUBLE: f64;  NULL: nothing
 *   BULK: n bytes;  SIMPLE, ERROR: n bytes and a NUL
 *   PROTO: n bytes of RESP2 protocol that start with '+', end with CRLF and hold no NUL
 *     (e.g. "+1.5\r\n*2\r\n:1000\r\n+2.5\r\n": the rows of a range after the first's
 *     value). It goes out through ReplyWithSimpleString, which writes '+', its text and
 *     CRLF without looking inside: one call for many rows instead of five per row. Java
 *     sends it only to servers known to behave so (vts.bridge.Reply.RAW).
 */
#ifndef REPLY_H
#define REPLY_H

#include <stddef.h>
#include <stdint.h>

#include "vm_api.h"

enum {
    REPLY_ARRAY = 1,
    REPLY_MAP = 2,
    REPLY_SET = 3,
    REPLY_LONG = 4,
    REPLY_DOUBLE = 5,
    REPLY_BULK = 6,
    REPLY_SIMPLE = 7,
    REPLY_ERROR = 8,
    REPLY_NULL = 9,
    REPLY_SET_ARRAY_LEN = 10,
    REPLY_SET_MAP_LEN = 11,
    REPLY_PROTO = 12,
};

/* Replays the operations in buf[0, len); returns how many, or -1 at a malformed one
 * (nothing after it is replayed). A PROTO operation's buffer is changed (its CR becomes
 * the NUL that ends the text). */
int vts_reply_batch(VMCtx *ctx, uint8_t *buf, size_t len);

#endif
