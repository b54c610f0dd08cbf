package vts.command;

import vts.query.Agg;

/** GROUPBY label REDUCE reducer. */
public record GroupBy(String label, Agg reducer) {}
