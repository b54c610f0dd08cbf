package vts.command;

import vts.query.RangeQuery;

/** TS.RANGE / TS.REVRANGE key from to [options]. */
public record RangeRequest(byte[] key, boolean reverse, RangeQuery query) {}
