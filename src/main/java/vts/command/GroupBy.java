package vts.command;

/** GROUPBY label REDUCE reducer. */
public record GroupBy(String label, Agg reducer) {}
