package vts.command;

/** TS.CREATE key [options]. */
public record CreateRequest(byte[] key, SeriesOptions options) {}
