package vts.command;

import vts.query.Agg;

/** TS.CREATERULE source dest AGGREGATION aggregator bucketDuration [alignTimestamp]. */
public record CreateRuleRequest(byte[] source, byte[] dest, Agg aggregator, long bucketDuration,
                                long alignTimestamp) {}
