package vts.command;

/** IGNORE ignoreMaxTimeDiff ignoreMaxValDiff (both non-negative, both inclusive). */
public record Ignore(long maxTimeDiff, double maxValDiff) {}
