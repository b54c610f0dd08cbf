package vts.query;

/** FILTER_BY_VALUE min max (inclusive; never NaN). */
public record ValueFilter(double min, double max) {}
