package vts.query;

/**
 * Aggregation functions. QUANTILE is our extension, written p0 .. p100 on the
 * wire (e.g. p50, p99.9); its fraction travels in {@link Agg}.
 */
public enum Aggregator {
    AVG("avg"), SUM("sum"), MIN("min"), MAX("max"), RANGE("range"), COUNT("count"),
    FIRST("first"), LAST("last"), STD_P("std.p"), STD_S("std.s"), VAR_P("var.p"), VAR_S("var.s"),
    TWA("twa"), COUNTNAN("countnan"), COUNTALL("countall"), QUANTILE("p");

    private final String wireName;

    Aggregator(String wireName) {
        this.wireName = wireName;
    }

    /** The reference's lower-case name; "p" for QUANTILE (see {@link Agg#name()}). */
    public String wireName() {
        return wireName;
    }

    /** GROUPBY ... REDUCE takes every aggregator except first, last and twa. */
    public boolean isReducer() {
        return this != FIRST && this != LAST && this != TWA;
    }
}
