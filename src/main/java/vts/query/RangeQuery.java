package vts.query;

/**
 * The range part shared by TS.RANGE/REVRANGE/MRANGE/MREVRANGE.
 *
 * @param from          first timestamp (0 for "-")
 * @param to            last timestamp (Long.MAX_VALUE for "+")
 * @param latest        LATEST
 * @param filterByTs    FILTER_BY_TS timestamps, sorted and distinct (do not modify), or null
 * @param filterByValue FILTER_BY_VALUE, or null
 * @param count         COUNT, or -1 when absent
 * @param aggregation   AGGREGATION clause, or null
 * @param align         ALIGN (only with an aggregation), or null for the default (0)
 */
public record RangeQuery(long from, long to, boolean latest, long[] filterByTs, ValueFilter filterByValue,
                         long count, Aggregation aggregation, Align align) {}
