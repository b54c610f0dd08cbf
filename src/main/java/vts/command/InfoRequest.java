package vts.command;

/** TS.INFO key [DEBUG]. */
public record InfoRequest(byte[] key, boolean debug) {}
