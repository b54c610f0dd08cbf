package vts.command;

/** TS.DEL key from to (from 0 for "-", to Long.MAX_VALUE for "+"; inclusive). */
public record DelRequest(byte[] key, long from, long to) {}
